/*
 * egress_peek: the name a client asks for, read from the first bytes of a
 * connection without consuming them (the proxy peeks with MSG_PEEK and
 * calls these again on each arrival, with every byte so far).  Port 80:
 * the Host header of the first HTTP request; port 443: the server_name of
 * the TLS ClientHello, which may be split across records and reads.  Pure:
 * no I/O, no allocation.
 *
 * Ambiguity is refused (MALFORMED), never guessed: two Host headers, a
 * folded header line, a bare CR, control characters, a request target
 * whose authority disagrees with Host, two server_name entries or two
 * extensions of one type, lengths that do not add up.  The proxy refuses
 * such a connection.  A name we cannot see within EGRESS_PEEK_MAX bytes, or
 * a protocol that is not HTTP or TLS, is NONE: the decision is made on the
 * destination IP, as for any other port.
 */
#ifndef EGRESS_PEEK_H
#define EGRESS_PEEK_H

#include <stddef.h>
#include <stdint.h>

#include "common/dw_err.h"
#include "egress/egress_answer.h"

#define EGRESS_PEEK_METHOD_MAX	32	/* an HTTP method we recognize as one */
#define EGRESS_PEEK_HELLO_MAX	16384	/* a ClientHello we reassemble (larger: NONE) */

enum egress_peek_result {
	EGRESS_PEEK_NEED_MORE = 0,	/* consistent so far: wait for more bytes */
	EGRESS_PEEK_FOUND,		/* name written */
	EGRESS_PEEK_NONE,		/* not HTTP/TLS, no name, or not within the bound */
	EGRESS_PEEK_MALFORMED,		/* ambiguous or broken: refuse (err says why) */
};

/*
 * The Host of the first HTTP/1.x request in buf[0, len).  limit is the
 * most the caller will ever peek (EGRESS_PEEK_MAX): when len reaches it and
 * the name is still incomplete, the answer is NONE, not NEED_MORE.  On FOUND, name (EGRESS_HOST_MAX
 * bytes) holds the host lower-cased, without port and without the brackets
 * of an IPv6 literal ("[::1]:80" gives "::1"), and without a final dot.
 * err (may be NULL) says why on MALFORMED.
 */
enum egress_peek_result egress_peek_http_host(const uint8_t *buf, size_t len, size_t limit,
	    char name[EGRESS_HOST_MAX], struct dw_err *err);

/*
 * The host_name of the server_name extension of the TLS ClientHello at
 * the start of buf[0, len), reassembled from as many handshake records as
 * it spans.  Same results and name form as egress_peek_http_host.
 */
enum egress_peek_result egress_peek_tls_sni(const uint8_t *buf, size_t len, size_t limit,
	    char name[EGRESS_HOST_MAX], struct dw_err *err);

/* "need-more", "found", "none", "malformed". */
const char *egress_peek_result_name(enum egress_peek_result r);

#endif
