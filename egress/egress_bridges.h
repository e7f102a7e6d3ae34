/*
 * egress_bridges: the IPv4 and IPv6 networks of the host's Linux bridges
 * (Docker's bridge networks, whatever their names), so that the proxy can
 * refuse a redirected connection whose original destination is a
 * container of another local network.  The nft table exempts only the
 * bridge a packet came in on (egress_nft.c (2)); a flow to another
 * bridge's container reaches the proxy, and a DIRECT answer (an exclude
 * of 172.16.0.0/12, a PAC's isInNet) would connect it from the host, past
 * Docker's network isolation.  A bridge's own address (the network's
 * gateway: the host itself) is no container and is left to the policy.
 */
#ifndef EGRESS_BRIDGES_H
#define EGRESS_BRIDGES_H

#include <net/if.h>
#include <stddef.h>

#include "common/dw_err.h"
#include "egress/egress_addr.h"

/* Addresses on bridges kept; a host with more is refused everything (fail closed). */
#define EGRESS_BRIDGES_MAX		4096
/* Rescan at least this often (ms), and at once when rtnetlink reports a change. */
#define EGRESS_BRIDGES_REFRESH_MS	1000
/* Where a bridge shows: SYSFS/NAME/bridge. */
#define EGRESS_BRIDGES_SYSFS		"/sys/class/net"

/* One address of a bridge, with the prefix length of its network. */
struct egress_bridges_net {
	char			name[IF_NAMESIZE];
	struct egress_cidr	net;
};

/*
 * The network of nets that a lies in, or NULL; NULL too when a is the own
 * address of any bridge in nets (the host).  Pure.  Borrowed result.
 */
const struct egress_bridges_net *egress_bridges_match(const struct egress_bridges_net *nets,
	    size_t n, const struct egress_addr *a);
/*
 * The addresses of the interfaces that are bridges (sysfs/NAME/bridge
 * exists; sysfs NULL: EGRESS_BRIDGES_SYSFS) into a new array (*ret, free()
 * it; NULL when none) and its length.  0 or -errno with err.
 */
int	egress_bridges_scan(const char *sysfs, struct egress_bridges_net **ret,
	    size_t *ret_n, struct dw_err *err);

/* A cache of the scan, safe to share between threads. */
struct egress_bridges;

/* A new cache (sysfs as in scan; borrowed, must outlive it).  0 or -errno. */
int	egress_bridges_new(const char *sysfs, struct egress_bridges **ret, struct dw_err *err);
void	egress_bridges_free(struct egress_bridges *b);
/*
 * 1 when a is inside a local bridge network and not the bridge's own
 * address, with the bridge's name into name (sz bytes, may be NULL); 0 when
 * not; -errno when the bridges cannot be listed (the caller refuses).
 * Rescans when the last scan is EGRESS_BRIDGES_REFRESH_MS old or
 * rtnetlink announced a link or address change since, so a network made a
 * moment ago is covered.
 */
int	egress_bridges_check(struct egress_bridges *b, const struct egress_addr *a,
	    char *name, size_t sz, struct dw_err *err);

#endif
