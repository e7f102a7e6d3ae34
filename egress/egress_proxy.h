/*
 * egress_proxy: the transparent proxy behind the nft redirect.  One thread
 * runs an epoll loop over every connection (no thread per connection);
 * decisions run on a small pool of decision threads (they may resolve
 * names, ask the PAC worker and the engine).  Per connection: recover the
 * original destination (SO_ORIGINAL_DST / IP6T_SO_ORIGINAL_DST), peek the
 * Host header (port 80) or TLS SNI (443) without consuming it
 * (egress_peek.h), decide, connect (direct, HTTP CONNECT, SOCKS5: the
 * routes in order), relay with splice, and report one record at close.
 * A refused connection is reset (SO_LINGER 0).
 */
#ifndef EGRESS_PROXY_H
#define EGRESS_PROXY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/dw_err.h"
#include "egress/egress_addr.h"
#include "egress/egress_answer.h"
#include "egress/egress_decide.h"

#define EGRESS_CONNS_MAX	16384	/* proxied connections at once, default */
#define EGRESS_PEEK_MAX		16384	/* bytes peeked for a Host header or a ClientHello */
#define EGRESS_PEEK_MS		1000	/* wait for the client's first bytes, then decide on the IP */
#define EGRESS_CONNECT_MS	10000	/* one upstream connect + proxy handshake */
#define EGRESS_DECIDERS		4	/* decision threads */

/* One connection's record, handed to on_close (borrowed for the call). */
struct egress_conn_record {
	struct egress_addr	src;
	uint16_t		src_port;
	struct egress_target	target;		/* destination, name and its source */
	struct egress_answer	answer;		/* the decision */
	struct egress_decide_info info;
	int			route;		/* index into answer.r used, -1 when none connected */
	char			upstream[EGRESS_HOST_MAX + 8];	/* "h:p" connected to ("" none) */
	unsigned long long	bytes_out;	/* container -> destination */
	unsigned long long	bytes_in;	/* destination -> container */
	struct timespec		started;	/* CLOCK_REALTIME at accept */
	unsigned long long	duration_ms;
	const char		*action;	/* "direct", "proxy", "socks5", "refuse", "error" */
	char			error[DW_ERR_MAX];	/* "" when none */
};

struct egress_proxy_ops {
	/*
	 * Decide for t (may block: runs on a decision thread).  Must fill
	 * out (REFUSE when in doubt) and info.  ctx is egress_proxy_opts.ctx.
	 */
	void	(*decide)(void *ctx, struct egress_target *t, struct egress_answer *out,
		    struct egress_decide_info *info);
	/* A connection ended (any thread; must not block long). */
	void	(*on_close)(void *ctx, const struct egress_conn_record *rec);
};

struct egress_proxy_opts {
	uint16_t		port;		/* listen on this port, IPv4 and IPv6 (any address: the nft input chain keeps it redirect-only) */
	const char		*bind4;		/* NULL: "0.0.0.0"; "" for no IPv4 */
	const char		*bind6;		/* NULL: "::"; "" for no IPv6 */
	unsigned		conns_max;	/* 0: EGRESS_CONNS_MAX */
	unsigned		peek_ms;	/* 0: EGRESS_PEEK_MS */
	unsigned		connect_ms;	/* 0: EGRESS_CONNECT_MS */
	bool			no_orig_dst;	/* tests and bench: the destination is test_dst, not SO_ORIGINAL_DST */
	struct egress_addr	test_dst;
	uint16_t		test_dst_port;
	struct egress_proxy_ops	ops;
	void			*ctx;
};

struct egress_proxy;

/* Bind, start the loop and the decision threads.  0 and a new proxy in *out, or -errno with err. */
int	egress_proxy_start(const struct egress_proxy_opts *opts, struct egress_proxy **out,
	    struct dw_err *err);
/* Counters since start (any thread). */
struct egress_proxy_stats {
	unsigned long long	accepted, direct, proxied, socks5, refused, errors;
	unsigned		open;		/* connections now */
};
void	egress_proxy_stats(struct egress_proxy *p, struct egress_proxy_stats *out);
/* The port listened on (the one the kernel chose when opts.port was 0). */
uint16_t egress_proxy_port(const struct egress_proxy *p);
/* Stop accepting, close every connection (each still reported), join the threads, free. */
void	egress_proxy_stop(struct egress_proxy *p);

#endif
