/*
 * egress_addr: numeric IPv4/IPv6 addresses and CIDR prefixes.  An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) is folded to AF_INET
 * everywhere, so that a dual-stack socket's view of an IPv4 peer and the
 * policy's "10.0.0.0/8" compare equal.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "egress/egress_addr.h"

/* Fold an IPv6 address to AF_INET when it is IPv4-mapped. */
static void
addr_set6(struct egress_addr *a, const struct in6_addr *v6)
{
	memset(a, 0, sizeof(*a));
	if (IN6_IS_ADDR_V4MAPPED(v6)) {
		a->family = AF_INET;
		memcpy(&a->u.v4, &v6->s6_addr[12], 4);
	} else {
		a->family = AF_INET6;
		a->u.v6 = *v6;
	}
}

/*
 * inet_pton alone: it takes only dotted-quad decimal for IPv4 (no
 * "010.1" or "0x0a" forms that resolvers read differently) and no scope.
 */
int
egress_addr_parse(const char *s, struct egress_addr *out)
{
	struct egress_addr	a;
	struct in6_addr		v6;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, &a.u.v4) == 1) {
		a.family = AF_INET;
		*out = a;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &v6) == 1) {
		addr_set6(&a, &v6);
		*out = a;
		return 0;
	}
	return -EINVAL;
}

const char *
egress_addr_format(const struct egress_addr *a, char *buf, size_t sz)
{
	if (sz == 0)
		return buf;
	buf[0] = '\0';
	if (a->family == AF_INET)
		(void)inet_ntop(AF_INET, &a->u.v4, buf, (socklen_t)sz);
	else if (a->family == AF_INET6)
		(void)inet_ntop(AF_INET6, &a->u.v6, buf, (socklen_t)sz);
	else
		snprintf(buf, sz, "?");
	return buf;
}

int
egress_addr_from_sockaddr(const struct sockaddr *sa, struct egress_addr *out,
    unsigned short *port)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	struct egress_addr		 a;

	memset(&a, 0, sizeof(a));
	if (sa->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)sa;
		a.family = AF_INET;
		a.u.v4 = sin->sin_addr;
		*out = a;
		if (port != NULL)
			*port = ntohs(sin->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		addr_set6(&a, &sin6->sin6_addr);
		*out = a;
		if (port != NULL)
			*port = ntohs(sin6->sin6_port);
		return 0;
	}
	return -EAFNOSUPPORT;
}

socklen_t
egress_addr_to_sockaddr(const struct egress_addr *a, unsigned short port,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;

	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		sin = (struct sockaddr_in *)(void *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = a->u.v4;
		return sizeof(*sin);
	}
	sin6 = (struct sockaddr_in6 *)(void *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_addr = a->u.v6;
	return sizeof(*sin6);
}

bool
egress_addr_equal(const struct egress_addr *a, const struct egress_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->u.v4.s_addr == b->u.v4.s_addr;
	if (a->family == AF_INET6)
		return memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6)) == 0;
	return false;
}
