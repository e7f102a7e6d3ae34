/*
 * api_http: the gatekeeper's HTTP framing, all of it, on buffers (no
 * sockets: api_pump.c moves the bytes).
 *
 * Requests are framed exactly as dockerd's HTTP server (Go 1.19 net/http)
 * reads them, on a strict subset.  The gatekeeper frames requests with
 * libhttp-parser and forwards the bytes as they came; dockerd frames the
 * same bytes with Go's net/http.  If the two disagree on where a request
 * ends, bytes the gatekeeper took for a body (never decided) are a request
 * to dockerd: request smuggling.  Go 1.19 ignores Transfer-Encoding on
 * HTTP/1.0, accepts folded headers, bare LF line ends, empty and duplicate
 * Content-Lengths, chunk extensions, trailers and empty chunk-size lines,
 * each of which libhttp-parser reads otherwise or not at all.  So every
 * request head and chunked body is also checked here against the grammar
 * both read identically (what Docker clients send), and anything outside
 * it is refused (rule request.framing); tests/oracle/gohttp runs Go's own
 * server as the oracle for the cases and the fuzzer.
 *
 * Also here: the engine's answers (libhttp-parser), which endpoints stream
 * their bodies or may be hijacked, and the error answers the gatekeeper
 * writes itself.
 */
#ifndef API_HTTP_H
#define API_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <http_parser.h>

#include "authz/authz_uri.h"
#include "common/dw_err.h"
#include "common/dw_limits.h"

/* How the body of a request is framed. */
enum api_http_body {
	API_HTTP_BODY_NONE,	/* no body (no Content-Length, or 0) */
	API_HTTP_BODY_LENGTH,	/* content_length bytes */
	API_HTTP_BODY_CHUNKED,	/* Transfer-Encoding: chunked */
};

/* What a request head says, as Go reads it. */
struct api_http_head {
	char			 method[16];
	size_t			 target_off;	/* the request target: buf[off, off + len) */
	size_t			 target_len;
	int			 minor;		/* HTTP/1.minor: 0 or 1 */
	enum api_http_body	 body;
	unsigned long long	 content_length; /* API_HTTP_BODY_LENGTH */
	bool			 keep_alive;	/* Go serves another request after it */
	bool			 expect_continue; /* Expect: 100-continue */
	bool			 conn_list;	/* Connection is not exactly "close" or "keep-alive" */
	/*
	 * A header libhttp-parser takes for a framing one and Go does not:
	 * Proxy-Connection, or a name that starts with Connection,
	 * Content-Length, Transfer-Encoding, Upgrade or Proxy-Connection and
	 * goes on (the parser matches those by prefix).
	 */
	bool			 parser_name;
	bool			 have_ct;	/* a Content-Type: the first one is ... */
	size_t			 ct_off;	/* ... buf[ct_off, ct_off + ct_len) */
	size_t			 ct_len;
};

/*
 * Read one request head, buf[0, len) up to and including its empty line.
 * 0 and *h when the head is in the subset both parsers read identically;
 * -EPROTO with the reason in *ret_why (a static string) otherwise.
 */
int	api_http_head_parse(const char *buf, size_t len, struct api_http_head *h,
	    const char **ret_why);

/* A chunked body being checked, fed as it arrives.  Zero it to start. */
struct api_http_chunks {
	int			 state;
	unsigned		 ndigits;
	unsigned long long	 left;		/* data bytes left in this chunk */
};

/*
 * Check the next len bytes of a chunked body: chunk-size lines are 1 to 15
 * hex digits and CRLF (no extension, no whitespace), each chunk's data is
 * followed by CRLF, the last chunk ("0") by CRLF and no trailer.  Returns
 * 0 (more to come; all len bytes used), 1 (the body ended, *ret_used bytes
 * of buf belong to it), or -EPROTO with the reason in *ret_why.
 */
int	api_http_chunks_feed(struct api_http_chunks *ck, const char *buf, size_t len,
	    size_t *ret_used, const char **ret_why);

/* ---- requests as the gatekeeper reads them (libhttp-parser, checked against the above) ---- */

/*
 * Where a request body goes that is neither kept for the rules nor
 * forwarded as it comes (a build context held back in a spool file):
 * 0, or -errno (kept in sink_error; the sink is not called again).
 */
typedef int	(*api_http_sink_fn)(void *arg, const char *buf, size_t len);

/* One request being read.  api_http_req_reset before the first use and between requests. */
struct api_http_req {
	http_parser	 p;
	/*
	 * A head without a body read by api_http_head_parse alone (see
	 * api_http_req_head_feed): p is not used, these say what it did.
	 */
	bool		 fast_off;	/* always the parser (the tests' reference) */
	bool		 fast;
	bool		 fast_keep_alive;
	unsigned char	 fast_method;	/* enum http_method */
	unsigned char	 fast_minor;
	size_t		 url_len;	/* of url */
	bool		 url_too_long;
	bool		 have_ct;	/* content_type holds the first Content-Type */
	long long	 content_length; /* -1: none, or chunked */
	bool		 expect_continue; /* Expect: 100-continue */
	size_t		 hname_len;	/* of hname */
	bool		 in_value;
	size_t		 hvalue_len;	/* of hvalue */
	bool		 headers_done;
	bool		 complete;	/* the whole message is parsed */
	/* The body: kept for the rules (new; freed by reset and clear) ... */
	bool		 buffer_body;
	unsigned char	*body;
	size_t		 body_len;
	bool		 body_too_big;	/* over DW_BODY_MAX (or out of memory) */
	/* ... or given to a sink ... */
	api_http_sink_fn sink;
	void		*sink_arg;
	int		 sink_error;	/* the sink's first -errno */
	/* ... and, for the framing tests, kept whole in cap (new). */
	bool		 capture;
	unsigned char	*cap;
	size_t		 cap_len;
	bool		 check_chunks;	/* a chunked body: checked with api_http_chunks_feed */
	struct api_http_chunks ck;
	/*
	 * The text, last: api_http_req_reset leaves these bytes as they are
	 * (it zeroes everything before API_HTTP_REQ_TEXT), as each is read
	 * only up to its length above or when have_ct says it was written.
	 */
	char		 url[DW_URI_MAX + 1]; /* the request target, NUL-terminated */
	char		 content_type[256]; /* the first Content-Type (Go's Header.Get) */
	char		 hname[64];	/* current header name (truncated) */
	char		 hvalue[256];
};

/* The first of api_http_req's text buffers, which a reset does not zero. */
#define API_HTTP_REQ_TEXT	url

/* Free what rq holds and make it ready for a new request. */
void	api_http_req_reset(struct api_http_req *rq);
/* Free what rq holds (its body and capture). */
void	api_http_req_clear(struct api_http_req *rq);

/*
 * Parse the request head in buf[*off, len) (*off: bytes of buf already
 * parsed; advanced).  1 when the head is complete (*off is its length),
 * 0 when more bytes are needed, -EPROTO (malformed) or -E2BIG (over
 * DW_GATE_HEAD_MAX) with the reason in *ret_why.
 *
 * A head that is whole in the first bytes fed and that announces no body
 * (no Content-Length but 0, no Transfer-Encoding, Connection at most one
 * of "close" and "keep-alive", so no upgrade; GET, HEAD, POST, PUT or
 * DELETE), with no header name the parser reads otherwise than Go (one it
 * takes by prefix or for Connection), is read by api_http_head_parse
 * alone, the reader Go's net/http is checked against (test_api_http's
 * recorded cases, fuzz_api_http's oracle): the request is complete at its
 * head's end.  Any other request goes through libhttp-parser, and
 * api_http_req_head_check then requires both readings to agree.
 */
int	api_http_req_head_feed(struct api_http_req *rq, const char *buf, size_t len,
	    size_t *off, const char **ret_why);

/*
 * Is the complete request head buf[0, head_len) one that dockerd's Go
 * net/http frames exactly as libhttp-parser did?  Read strictly
 * (api_http_head_parse) and compared with what the parser saw: method,
 * target, version, body framing, keep-alive.  0 (and arms the check of a
 * chunked body), or -EPROTO with the reason in *ret_why.
 */
int	api_http_req_head_check(struct api_http_req *rq, const char *buf, size_t head_len,
	    const char **ret_why);

/*
 * Parse more of the request in buf[*off, len), stopping where the message
 * ends.  A chunked body is also checked against the grammar Go reads alike
 * (api_http_chunks_feed), and both must see it end at the same byte.  0,
 * or -EPROTO with the reason in *ret_why.
 */
int	api_http_req_feed(struct api_http_req *rq, const char *buf, size_t len,
	    size_t *off, const char **ret_why);

/*
 * Did the body parsed so far fit where it goes?  0; -E2BIG over its limit
 * (DW_BODY_MAX, or the sink's); -EIO the sink failed otherwise.
 */
int	api_http_req_body_check(const struct api_http_req *rq, const char **ret_why);

/* The request's method ("GET"). */
const char *api_http_req_method(const struct api_http_req *rq);
/* Its HTTP/1.minor version: 0 or 1. */
int	api_http_req_minor(const struct api_http_req *rq);
/* Is it a GET or a HEAD (answers that start at once)?  false before its head is read. */
bool	api_http_req_is_get_or_head(const struct api_http_req *rq);
/* Does the client keep the connection open after this request (HTTP/1.1, no close)? */
bool	api_http_req_keep_alive(const struct api_http_req *rq);
/* Is it a HEAD (its answers carry no body)?  false before its head is read. */
bool	api_http_req_is_head(const struct api_http_req *rq);
/* Does it announce a body (chunked, or a non-zero Content-Length)? */
bool	api_http_req_has_body(const struct api_http_req *rq);
bool	api_http_req_chunked(const struct api_http_req *rq);
/* Does it ask for an Upgrade (Connection: Upgrade)? */
bool	api_http_req_upgrade(const struct api_http_req *rq);

/* Endpoints whose request body is a stream (archives, contexts), never JSON for a rule. */
bool	api_http_endpoint_streams(enum authz_uri_endpoint ep);
/* Endpoints dockerd may hijack (raw stream after the response head). */
bool	api_http_endpoint_hijacks(enum authz_uri_endpoint ep);
/* Is this request's body read whole for the rules (a JSON endpoint), or streamed? */
bool	api_http_req_reads_whole(const struct api_http_req *rq, enum authz_uri_endpoint ep);

/* ---- the engine's answers ---- */

/*
 * A final answer's body was kept (api_http_resp_start with kept): called
 * when the answer is complete and before its last bytes are passed on.
 * body is NULL when it was larger than DW_GATE_CREATE_ANSWER_MAX.
 */
typedef void	(*api_http_kept_fn)(void *arg, unsigned status, const char *body, size_t len);

/*
 * One answer being read.  An answer of the plain shape dockerd gives most
 * (api_http_resp_fast_head) whose head is whole in the first bytes fed is
 * read without the parser: its head is checked once, its body counted.
 * Any other answer goes through libhttp-parser from its first byte.
 */
struct api_http_resp {
	http_parser	 p;
	bool		 head_request;	/* the request was a HEAD: no body follows */
	bool		 headers_done;
	bool		 complete;
	bool		 fast_off;	/* always the parser (the tests' reference) */
	bool		 fast_tried;	/* this answer's first bytes were looked at */
	bool		 fast;		/* this answer is read without the parser */
	bool		 fast_keep_alive;
	unsigned	 fast_status;
	unsigned long long fast_left;	/* body bytes still to come */
	api_http_kept_fn kept;		/* NULL: nothing kept */
	void		*kept_arg;
	bool		 cap_over;
	size_t		 cap_len;
	char		 cap[DW_GATE_CREATE_ANSWER_MAX];
};

/*
 * The plain shape of an answer's head, read without the parser: is
 * buf[0, len) a whole head of it?  Its length (through the empty line),
 * with the status, the Content-Length and whether the engine keeps the
 * connection; 0 when it is not.  Plain means: "HTTP/1.1", a status from
 * 200 to 599 other than 204 and 304, header lines of token names and
 * values of visible bytes, exactly one Content-Length of 1 to 15 digits,
 * at most one Connection of exactly "close" or "keep-alive", no
 * Transfer-Encoding, Upgrade or Proxy-Connection, at most
 * DW_GATE_FAST_HEAD_MAX bytes.  libhttp-parser reads every such head
 * alike (test_api_http and fuzz_api_http compare the two).
 */
size_t	api_http_resp_fast_head(const char *buf, size_t len, unsigned *ret_status,
	    unsigned long long *ret_length, bool *ret_keep_alive);

/* Start reading the answer to a request (head_request: a HEAD); kept may be NULL. */
void	api_http_resp_start(struct api_http_resp *rs, bool head_request,
	    api_http_kept_fn kept, void *kept_arg);
/* Parse more of the answer in buf[*off, len), stopping at its head's end and its end.  0 or -EPROTO. */
int	api_http_resp_feed(struct api_http_resp *rs, const char *buf, size_t len,
	    size_t *off, const char **ret_why);
/* The engine closed: that ends an answer whose body runs to EOF (rs->complete then). */
void	api_http_resp_eof(struct api_http_resp *rs);
/* Is the complete answer an interim one (100 Continue) that a final one follows? */
bool	api_http_resp_interim(const struct api_http_resp *rs);
/* After an interim answer: read the final one. */
void	api_http_resp_restart(struct api_http_resp *rs);
/* Does the answer's head say dockerd took the connection (101, or a 2xx without framing)? */
bool	api_http_resp_hijacked(const struct api_http_resp *rs);
bool	api_http_resp_keep_alive(const struct api_http_resp *rs);

/* ---- answers the gatekeeper writes itself ---- */

#define API_HTTP_CONTINUE	"HTTP/1.1 100 Continue\r\n\r\n"

/*
 * Write an error answer in dockerd's shape, {"message": msg}, to fd.  The
 * answer to a HEAD request (head_only) has the head alone, as Go's server
 * sends it: a client reads no body after a HEAD answer, so body bytes
 * would be taken for the next answer on a kept-alive connection.
 * close_conn adds Connection: close.  0 or -errno.
 */
int	api_http_error_write(int fd, int status, const char *reason, const char *msg,
	    bool close_conn, bool head_only);

/* ---- one request off a buffer: for the unit tests and the fuzzers ---- */

/* What api_http_request_parse saw of one request. */
struct api_http_request {
	char			method[16];
	char			uri[DW_URI_MAX + 1];
	enum authz_uri_endpoint	endpoint;	/* AUTHZ_EP_UNKNOWN when unroutable */
	bool			body_read_whole; /* a JSON endpoint's body, read for the rules */
	size_t			body_len;	/* decoded (de-chunked) bytes read whole */
	bool			complete;	/* the whole message is in the buffer */
	size_t			consumed;	/* bytes of buf that belong to it (so far) */
	bool			upgrade;
	bool			keep_alive;
	/* Also set when the body is refused (head_ok: its head was decided). */
	bool			head_ok;
	size_t			head_len;
	int			http_minor;
	bool			hijack;		/* the connection may turn raw after it */
	bool			chunked;
	bool			expect_continue;
	bool			have_ct;	/* content_type holds the first Content-Type */
	char			content_type[256];
	bool			fast;		/* its head was read without the parser */
	/* api_http_request_frame only: the whole decoded body (new; free()). */
	unsigned char		*body;
	size_t			body_total;
};

/*
 * Read the first request in buf exactly as a gatekeeper connection does
 * (the same functions, refusals and body limits), without sockets.  0 and
 * *ret; -EPROTO (malformed or ambiguous head), -E2BIG (head or body over
 * its limit), -EAGAIN (buf ends inside the request) or -ENODATA (buf is
 * empty), with the reason in err.
 */
int	api_http_request_parse(const char *buf, size_t len,
	    struct api_http_request *ret, struct dw_err *err);

/*
 * The same, reading the body of every request (streamed ones too) as the
 * connection passes it on, and keeping it in ret->body: what the
 * gatekeeper would forward.  On -EPROTO, ret->head_ok says whether the
 * head had been decided (and so forwarded, for a streamed body) before
 * the body's framing was refused.  For the framing tests and fuzzer.
 */
int	api_http_request_frame(const char *buf, size_t len,
	    struct api_http_request *ret, struct dw_err *err);

/*
 * Either of the two above (frame), with parser_only: every head through
 * libhttp-parser, none read by api_http_head_parse alone, the reference
 * the tests compare the fast way with.
 */
int	api_http_request_read(const char *buf, size_t len, bool frame,
	    bool parser_only, struct api_http_request *ret, struct dw_err *err);

#endif
