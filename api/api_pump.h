/*
 * api_pump: a gatekeeper connection's bytes, moved between the client
 * and the engine.
 *
 * Before the decision the pump reads and holds: a request head
 * (api_pump_read_head), a body the rules read whole (api_pump_read_body),
 * nothing reaches the engine.  After an allow, api_pump_run passes the
 * rest of the exchange on: the request's remaining body from the client
 * through the request parser, the answer from the engine through the
 * response parser, and, once dockerd hijacks the connection, raw bytes
 * both ways with half-closes passed on.  After a deny, api_pump_refuse
 * answers and drops what is left of the body.  Framing is api_http's.
 *
 * The pump owns its buffers, never the two sockets: the connection
 * (api_gate.c) opens and closes them and the pump borrows them.
 */
#ifndef API_PUMP_H
#define API_PUMP_H

#include <stdbool.h>
#include <stddef.h>

#include "api/api_http.h"

/* Where api_pump_run is in an exchange. */
enum api_pump_phase {
	/* The request's body still comes from the client (the answer may already). */
	API_PUMP_REQUEST_BODY,
	/* The request is through; its answer's head has not come (yet, or again after a 100). */
	API_PUMP_RESPONSE_HEAD,
	/* The answer's head is parsed: its body flows to the client. */
	API_PUMP_RESPONSE_BODY,
	/* dockerd took the connection (101, or a 2xx without framing): raw bytes both ways. */
	API_PUMP_UPGRADED,
	/* Upgraded, and one side has stopped sending: its half-close is passed on, the other flows. */
	API_PUMP_HALF_CLOSED,
	/* The exchange is over; result says whether the connection carries another request. */
	API_PUMP_DONE,
};

/* A growing byte buffer: b[0, len) of cap. */
struct api_pump_buf {
	char	*b;
	size_t	 len;
	size_t	 cap;
};

/* One socket of the pump. */
struct api_pump_side {
	int	 fd;		/* borrowed; -1 when none */
	bool	 eof;		/* it sent its last byte (EOF, a half-close, an error) */
	bool	 shut;		/* its write side is shut: the other side's half-close, passed on */
};

struct api_pump {
	struct api_pump_side	 client;
	struct api_pump_side	 engine;	/* fd: the connection sets it before api_pump_run */
	int			 head_timeout_s; /* from a request's first byte to its last header */
	int			 idle_timeout_s; /* keep-alive wait for the next request */
	struct api_pump_buf	 cin;		/* client bytes not yet forwarded */
	size_t			 cparsed;	/* of cin, the bytes the request parser has read */
	struct api_http_req	 rq;		/* the request in flight */
	struct api_http_resp	 rs;		/* its answer */
	char			*ebuf;		/* engine bytes in flight: ecap bytes, ... */
	size_t			 ecap;		/* ... DW_GATE_IDLE_BUF, or DW_GATE_STREAM_BUF for a stream */
	size_t			 elen;		/* ebuf[0, elen) read from the engine ... */
	size_t			 eparsed;	/* ... [0, eparsed) parsed, may go on ... */
	size_t			 eoff;		/* ... [0, eoff) sent to the client */
	bool			 engine_reusable; /* the engine connection may carry another request */
	/* One exchange (api_pump_run). */
	enum api_pump_phase	 phase;
	int			 result;	/* at API_PUMP_DONE: 1 keep-alive, 0 close */
	bool			 hijack_pending; /* the answer's first head decides if it turns raw */
	bool			 sent_any;	/* some of the answer reached the client */
	bool			 eread_more;	/* the last engine read filled ebuf: a stream */
	const char		*why;		/* why api_pump_run failed (static text) */
};

/*
 * Make p ready for a connection on the client socket cfd (borrowed), with
 * its timeouts (seconds, > 0).  api_pump_clear frees what it then holds.
 */
void	api_pump_init(struct api_pump *p, int cfd, int head_timeout_s, int idle_timeout_s);
void	api_pump_clear(struct api_pump *p);

/*
 * Read the next request's head into cin, parsed into rq (reset first).
 * 0 when it is complete (cparsed: its length), 1 when the client closed
 * cleanly between requests, or -errno with the reason in *ret_why:
 * -EPROTO malformed, -E2BIG over DW_GATE_HEAD_MAX, -ETIMEDOUT, -EPIPE
 * closed inside the head.
 */
int	api_pump_read_head(struct api_pump *p, const char **ret_why);

/*
 * Read the rest of the request body and hold it: in cin (rq.buffer_body:
 * for the rules, then forwarded as it came), or given to rq.sink (what
 * was parsed leaves cin at once, so only a pipelined next request stays).
 * 0, or -errno with the reason in *ret_why: -EPROTO bad framing, -E2BIG
 * over the body's limit, -EIO the sink failed, -EPIPE the client left,
 * -ETIMEDOUT it stalled.
 */
int	api_pump_read_body(struct api_pump *p, const char **ret_why);

/* The bytes of the request read so far went to the engine: drop them from cin. */
void	api_pump_consume(struct api_pump *p);

/*
 * An exchange is over and the connection waits for the next request:
 * free what is large (a request body kept for the rules, buffers grown
 * past DW_GATE_IDLE_BUF), or with all, every buffer that holds nothing
 * (api_pump_read_head does that when the wait goes on past one receive
 * timeout).  Bytes of a pipelined request stay.
 */
void	api_pump_release(struct api_pump *p, bool all);

/*
 * Pass on the exchange whose head (and held body) went to the engine
 * (engine.fd): see the header comment.  hijack: the answer may turn the
 * connection raw.  kept (may be NULL): keep the final answer's body and
 * call kept before its last bytes reach the client.  1 when the
 * connection can carry another request, 0 when it must close; -EPROTO
 * when the client's body is not framed as both parsers read it (p->why;
 * the caller answers it if nothing of the answer went out,
 * api_pump_answer_started), another -errno on a socket error or an engine
 * answer that is not HTTP.
 */
int	api_pump_run(struct api_pump *p, bool hijack, api_http_kept_fn kept, void *kept_arg);

/* Has any of the engine's answer come in or gone out? */
bool	api_pump_answer_started(const struct api_pump *p);

/*
 * Answer the request in flight with an error instead of passing it on
 * (a deny): the answer goes to the client and, when it went out and the
 * body is still coming, the rest of the body is read and dropped
 * (api_pump_drain), so a client that writes its body before reading sees
 * the answer.  Nothing goes to the engine.  0 or -errno (the answer could
 * not be written).
 */
int	api_pump_refuse(struct api_pump *p, int status, const char *reason, const char *msg,
	    bool close_conn);

/*
 * Read and drop the rest of a refused request's body: bounded by
 * DW_GATE_DRAIN_MAX and head_timeout_s.
 */
void	api_pump_drain(struct api_pump *p);

#endif
