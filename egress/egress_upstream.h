/*
 * egress_upstream: the client side of an HTTP CONNECT or SOCKS5 handshake
 * with an upstream proxy, as a pure state machine: no I/O.  The caller
 * sends what egress_upstream_output gives, and offers the proxy's bytes
 * to egress_upstream_input without consuming them (the proxy peeks with
 * MSG_PEEK).  When a reply is complete, input says how many bytes it was;
 * the caller consumes exactly those, so the first byte of the tunnel is
 * never read here and never has to be carried over: whatever the proxy
 * sent after its reply is still in the socket for the relay.
 *
 *	egress_upstream_init(&u, EGRESS_UPSTREAM_CONNECT, "example.com", 443, &err);
 *	loop: output -> send, sent(n); peek -> input(&used) -> recv(used);
 *	      until egress_upstream_done(&u) or an error.
 */
#ifndef EGRESS_UPSTREAM_H
#define EGRESS_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/dw_err.h"
#include "egress/egress_answer.h"

#define EGRESS_UPSTREAM_REPLY_MAX	8192	/* an HTTP proxy's reply head */
#define EGRESS_UPSTREAM_REQ_MAX		(EGRESS_HOST_MAX + 128)	/* one request we send */

enum egress_upstream_kind {
	EGRESS_UPSTREAM_CONNECT = 0,	/* HTTP/1.1 CONNECT host:port */
	EGRESS_UPSTREAM_SOCKS5,		/* RFC 1928, no authentication, CONNECT */
};

/* One handshake; the caller owns it (no heap). */
struct egress_upstream_hs {
	enum egress_upstream_kind	kind;
	int				state;
	char				host[EGRESS_HOST_MAX];
	uint16_t			port;
	uint8_t				req[EGRESS_UPSTREAM_REQ_MAX];	/* to send */
	size_t				req_len, req_off;
};

/*
 * Prepare a handshake asking the proxy for host:port.  host is a DNS
 * name, or an IPv4 or IPv6 address (no brackets).  0, or -EINVAL with err
 * (a host that does not fit the request).
 */
int	egress_upstream_init(struct egress_upstream_hs *u, enum egress_upstream_kind kind,
	    const char *host, uint16_t port, struct dw_err *err);
/* Bytes to send now (borrowed, until the next call); 0 when waiting for the proxy. */
size_t	egress_upstream_output(const struct egress_upstream_hs *u, const uint8_t **ret_p);
/* n of the output bytes were sent. */
void	egress_upstream_sent(struct egress_upstream_hs *u, size_t n);
/*
 * The proxy's bytes not yet consumed, buf[0, len).  0 with *ret_used = 0:
 * the reply is not complete, consume nothing.  0 with *ret_used > 0: a reply
 * of that many bytes was accepted; consume them, then there is new output
 * or the handshake is done.  -errno with err when the proxy refused
 * (-EACCES: not allowed or authentication wanted; -ECONNREFUSED,
 * -EHOSTUNREACH, -ENETUNREACH, -ETIMEDOUT: the destination could not be
 * reached), spoke nonsense (-EPROTO) or said too much (-E2BIG).
 */
int	egress_upstream_input(struct egress_upstream_hs *u, const uint8_t *buf, size_t len,
	    size_t *ret_used, struct dw_err *err);
/* The tunnel is open: relay from here. */
bool	egress_upstream_done(const struct egress_upstream_hs *u);
/* "CONNECT", "SOCKS5", for messages. */
const char *egress_upstream_kind_name(enum egress_upstream_kind kind);

#endif
