/*
 * egress_answer: what happens to one container connection.  A target (the
 * original destination and, when proven, its name) goes in; an answer (an
 * ordered list of routes, as a PAC's "PROXY a:1; SOCKS5 b:2; DIRECT")
 * comes out.  The parser reads PAC result strings; the same types carry the
 * static (exclude/http/https) decision.  Pure: no I/O.
 */
#ifndef EGRESS_ANSWER_H
#define EGRESS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/dw_err.h"
#include "egress/egress_addr.h"

#define EGRESS_HOST_MAX		256	/* a DNS name, NUL included */
#define EGRESS_ROUTES_MAX	8	/* routes tried for one connection */
#define EGRESS_ANSWER_MAX	1024	/* a PAC result string we read */

/* Where the name used for the decision came from. */
enum egress_name_source {
	EGRESS_NAME_IP = 0,	/* no name: the original destination's address */
	EGRESS_NAME_HOST,	/* HTTP Host header, resolved to the original IP */
	EGRESS_NAME_SNI,	/* TLS ClientHello server_name, resolved to the original IP */
};

/* One connection as the decision sees it. */
struct egress_target {
	struct egress_addr	ip;		/* original destination (SO_ORIGINAL_DST) */
	uint16_t		port;
	char			name[EGRESS_HOST_MAX];	/* lower-case; "" with EGRESS_NAME_IP */
	enum egress_name_source	source;
	char			claimed[EGRESS_HOST_MAX]; /* what the client said, even when not proven ("" none) */
};

enum egress_route_kind {
	EGRESS_ROUTE_DIRECT = 0,	/* connect to the original destination */
	EGRESS_ROUTE_PROXY,		/* HTTP proxy: CONNECT tunnel */
	EGRESS_ROUTE_SOCKS5,		/* SOCKS5 (PAC "SOCKS5" and "SOCKS") */
	EGRESS_ROUTE_REFUSE,		/* "PROXY reject.docker.internal:any", or nothing usable */
};

struct egress_route {
	enum egress_route_kind	kind;
	char			host[EGRESS_HOST_MAX];	/* proxy host (PROXY, SOCKS5) */
	uint16_t		port;
};

/* Routes in order; n >= 1 after a successful parse or decision. */
struct egress_answer {
	struct egress_route	r[EGRESS_ROUTES_MAX];
	size_t			n;
};

/*
 * Parse a PAC result: entries separated by ';', each "DIRECT", "PROXY h:p",
 * "HTTP h:p", "SOCKS5 h:p" or "SOCKS h:p" (keywords case-insensitive, blanks
 * around tolerated).  "PROXY reject.docker.internal:<any>" is REFUSE and
 * ends the list.  Entries we cannot use (HTTPS, QUIC, bad host:port) are
 * skipped and named in err even on success; when none is usable the answer
 * is one REFUSE and -EINVAL is returned (fail closed).  Empty string: -EINVAL.
 */
int	egress_answer_parse(const char *s, size_t len, struct egress_answer *out,
	    struct dw_err *err);
/* A DNS host name as written in a proxy address: LDH labels of 1..63, '_' allowed. */
bool	egress_answer_name_ok(const char *h);
/*
 * "host:port", "host", "[v6]:port" or "[v6]": the host (lower-case, IPv6
 * without brackets) into ret_host (sz bytes) and the port; defport when
 * none is written (0: a port is required).  0 or -EINVAL.
 */
int	egress_answer_hostport(const char *s, uint16_t defport, char *ret_host, size_t sz,
	    uint16_t *ret_port);
/* "PROXY p:3128; DIRECT" (or "REFUSE"), for audit and explain.  Returns the length written (truncated to sz-1). */
size_t	egress_answer_format(const struct egress_answer *a, char *buf, size_t sz);
/* A single-route answer. */
void	egress_answer_one(struct egress_answer *a, enum egress_route_kind kind,
	    const char *host, uint16_t port);
/*
 * Lower-case stable names: "direct", "proxy", "socks5", "refuse".  Inline
 * here: a function of egress_answer.c must be named egress_answer_...
 */
static inline const char *
egress_route_kind_name(enum egress_route_kind kind)
{
	switch (kind) {
	case EGRESS_ROUTE_DIRECT:
		return "direct";
	case EGRESS_ROUTE_PROXY:
		return "proxy";
	case EGRESS_ROUTE_SOCKS5:
		return "socks5";
	default:
		return "refuse";
	}
}

/* "ip", "host", "sni". */
static inline const char *
egress_name_source_name(enum egress_name_source s)
{
	switch (s) {
	case EGRESS_NAME_HOST:
		return "host";
	case EGRESS_NAME_SNI:
		return "sni";
	default:
		return "ip";
	}
}

#endif
