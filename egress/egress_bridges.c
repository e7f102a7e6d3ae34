/*
 * egress_bridges: the networks of the host's Linux bridges; see
 * egress_bridges.h.  getifaddrs gives every address with its netmask;
 * sysfs tells a bridge from any other interface (by kind, not by name, as
 * the nft table does).  The cache listens on rtnetlink's link and address
 * groups: a message pending there means something changed, and the next
 * check rescans before it answers, so a network created just before a
 * connection to it is never missed.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "egress/egress_bridges.h"

struct egress_bridges {
	pthread_mutex_t			 lock;
	const char			*sysfs;
	int				 nl;		/* rtnetlink, -1 when refused */
	struct egress_bridges_net	*nets;
	size_t				 n;
	int64_t				 at_ms;		/* of the last scan; -1 none */
};

const struct egress_bridges_net *
egress_bridges_match(const struct egress_bridges_net *nets, size_t n,
    const struct egress_addr *a)
{
	size_t	i;

	/* The host's own address on any bridge: the policy decides. */
	for (i = 0; i < n; i++)
		if (egress_addr_equal(&nets[i].net.addr, a))
			return NULL;
	for (i = 0; i < n; i++)
		if (egress_cidr_contains(&nets[i].net, a))
			return &nets[i];
	return NULL;
}

/* The length of a contiguous netmask (getifaddrs' ifa_netmask). */
static unsigned
mask_bits(const struct sockaddr *sa)
{
	const unsigned char	*b;
	size_t			 n, i;
	unsigned		 bits = 0;

	if (sa->sa_family == AF_INET) {
		b = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		n = 4;
	} else {
		b = (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		n = 16;
	}
	for (i = 0; i < n; i++)
		bits += (unsigned)__builtin_popcount(b[i]);
	return bits;
}

static bool
is_bridge(const char *sysfs, const char *name)
{
	char	path[256];
	int	len;

	len = snprintf(path, sizeof(path), "%s/%s/bridge", sysfs, name);
	return len > 0 && (size_t)len < sizeof(path) && access(path, F_OK) == 0;
}

int
egress_bridges_scan(const char *sysfs, struct egress_bridges_net **ret,
    size_t *ret_n, struct dw_err *err)
{
	struct ifaddrs			*all = NULL, *ifa;
	struct egress_bridges_net	*nets = NULL, *t;
	size_t				 n = 0, cap = 0;
	int				 r = 0;

	if (sysfs == NULL)
		sysfs = EGRESS_BRIDGES_SYSFS;
	if (getifaddrs(&all) != 0) {
		r = -errno;
		dw_err_set(err, "local bridge networks: getifaddrs: %s", strerror(errno));
		goto out;
	}
	for (ifa = all; ifa != NULL; ifa = ifa->ifa_next) {
		struct egress_bridges_net	net;

		if (ifa->ifa_addr == NULL || ifa->ifa_netmask == NULL ||
		    (ifa->ifa_addr->sa_family != AF_INET &&
		    ifa->ifa_addr->sa_family != AF_INET6) ||
		    ifa->ifa_netmask->sa_family != ifa->ifa_addr->sa_family)
			continue;
		if (!is_bridge(sysfs, ifa->ifa_name))
			continue;
		memset(&net, 0, sizeof(net));
		if (egress_addr_from_sockaddr(ifa->ifa_addr, &net.net.addr, NULL) != 0)
			continue;
		net.net.prefix = mask_bits(ifa->ifa_netmask);
		/* A v4-mapped address folds to IPv4: its prefix length too. */
		if (ifa->ifa_addr->sa_family == AF_INET6 && net.net.addr.family == AF_INET)
			net.net.prefix = net.net.prefix > 96 ? net.net.prefix - 96 : 0;
		snprintf(net.name, sizeof(net.name), "%s", ifa->ifa_name);
		if (n == cap) {
			if (cap >= EGRESS_BRIDGES_MAX) {
				r = -E2BIG;
				dw_err_set(err, "local bridge networks: more than %u "
				    "addresses on bridges", (unsigned)EGRESS_BRIDGES_MAX);
				goto out;
			}
			cap = cap == 0 ? 16 : cap * 2;
			if ((t = realloc(nets, cap * sizeof(*nets))) == NULL) {
				r = -ENOMEM;
				dw_err_set(err, "local bridge networks: out of memory");
				goto out;
			}
			nets = t;
		}
		nets[n++] = net;
	}
	*ret = nets;
	*ret_n = n;
	nets = NULL;
out:
	free(nets);
	if (all != NULL)
		freeifaddrs(all);
	return r;
}

/* An rtnetlink socket on the link and address groups, or -1. */
static int
nl_open(void)
{
	struct sockaddr_nl	sa;
	int			fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Drain the socket: true when anything (or an overrun) was pending. */
static bool
nl_changed(int fd)
{
	char	buf[8192];
	bool	changed = false;
	ssize_t	len;

	for (;;) {
		len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len > 0) {
			changed = true;
			continue;
		}
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			changed = true;		/* ENOBUFS: messages were lost */
		return changed;
	}
}

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
egress_bridges_new(const char *sysfs, struct egress_bridges **ret, struct dw_err *err)
{
	struct egress_bridges	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		dw_err_set(err, "local bridge networks: out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&b->lock, NULL);
	b->sysfs = sysfs;
	b->nl = nl_open();
	b->at_ms = -1;
	*ret = b;
	return 0;
}

void
egress_bridges_free(struct egress_bridges *b)
{
	if (b == NULL)
		return;
	if (b->nl >= 0)
		close(b->nl);
	free(b->nets);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

int
egress_bridges_check(struct egress_bridges *b, const struct egress_addr *a,
    char *name, size_t sz, struct dw_err *err)
{
	const struct egress_bridges_net	*m;
	struct egress_bridges_net	*nets;
	size_t				 n;
	int64_t				 now = now_ms();
	bool				 changed;
	int				 r = 0;

	pthread_mutex_lock(&b->lock);
	/* Drained first: a change after this is seen by the next check. */
	changed = b->nl >= 0 && nl_changed(b->nl);
	if (b->at_ms < 0 || changed || now - b->at_ms >= EGRESS_BRIDGES_REFRESH_MS) {
		if ((r = egress_bridges_scan(b->sysfs, &nets, &n, err)) < 0) {
			b->at_ms = -1;		/* and the next check tries again */
			goto out;
		}
		free(b->nets);
		b->nets = nets;
		b->n = n;
		b->at_ms = now;
	}
	if ((m = egress_bridges_match(b->nets, b->n, a)) == NULL)
		goto out;
	if (name != NULL && sz > 0)
		snprintf(name, sz, "%s", m->name);
	r = 1;
out:
	pthread_mutex_unlock(&b->lock);
	return r;
}
