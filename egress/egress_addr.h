/*
 * egress_addr: an IPv4 or IPv6 address and CIDR prefixes, as the egress
 * policy, the PAC helpers and the proxy compare them.  Pure: no I/O.
 */
#ifndef EGRESS_ADDR_H
#define EGRESS_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/dw_err.h"

/* INET6_ADDRSTRLEN, with room for a scope never printed. */
#define EGRESS_ADDR_STRLEN	48

/* family is AF_INET or AF_INET6; an IPv4-mapped IPv6 address is stored as AF_INET. */
struct egress_addr {
	int	family;
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
	} u;
};

/* An address and a prefix length (0..32 or 0..128). */
struct egress_cidr {
	struct egress_addr	addr;
	unsigned		prefix;
};

/* Parse a numeric IPv4 or IPv6 address (no names, no scope). 0 or -EINVAL. */
int	egress_addr_parse(const char *s, struct egress_addr *out);
/* Format into buf (>= EGRESS_ADDR_STRLEN); returns buf. */
const char *egress_addr_format(const struct egress_addr *a, char *buf, size_t sz);
/* From a sockaddr_in/sockaddr_in6 (v4-mapped folded to AF_INET); port may be NULL. 0 or -EAFNOSUPPORT. */
int	egress_addr_from_sockaddr(const struct sockaddr *sa, struct egress_addr *out,
	    unsigned short *port);
/* Fill a sockaddr_storage for a, port; returns its length. */
socklen_t egress_addr_to_sockaddr(const struct egress_addr *a, unsigned short port,
	    struct sockaddr_storage *ss);
bool	egress_addr_equal(const struct egress_addr *a, const struct egress_addr *b);
/* The two below are defined in egress_cidr.c. */
/* "10.0.0.0/8", "fd00::/8"; a bare address is a /32 or /128.  0 or -EINVAL with err. */
int	egress_cidr_parse(const char *s, struct egress_cidr *out, struct dw_err *err);
/* True when a is inside c (families must agree). */
bool	egress_cidr_contains(const struct egress_cidr *c, const struct egress_addr *a);

#endif
