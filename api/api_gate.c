/* api_gate: the socket gatekeeper proxy (see api_gate.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <http_parser.h>
#include <jansson.h>

#include "api/api_gate.h"
#include "api/api_http.h"
#include "api/api_metrics.h"
#include "authz/authz_uri.h"
#include "authz/authz_rules.h"
#include "common/dw_log.h"
#include "common/dw_sock.h"

#define GATE_HEAD_MAX		(64 * 1024)	/* one request head */
#define GATE_IO_BUF		(64 * 1024)	/* one read from the client */
#define GATE_STREAM_BUF		(128 * 1024)	/* engine bytes in flight per connection */
#define GATE_POOL_MAX		16		/* idle engine connections kept */
#define GATE_STACK		(256 * 1024)
#define CONTINUE_100		"HTTP/1.1 100 Continue\r\n\r\n"
#define GATE_DRAIN_MAX		(64 * 1024 * 1024) /* body bytes dropped after a deny */
#define GATE_CREATE_ANSWER_MAX	4096		/* a create's answer kept for its Id */

struct gate_conn;

struct api_gate {
	struct api_gate_opts	 opts;
	char			*spool_dir;	/* opts.spool_dir points here */
	char			*socket_path;
	char			*engine_socket;
	struct api_gate_ops	 ops;
	int			 listen_fd;
	int			 wake[2];	/* stop pipe for the accept loop */
	pthread_t		 acceptor;
	bool			 acceptor_started;
	pthread_mutex_t		 lock;
	pthread_cond_t		 drained;
	bool			 stopping;
	unsigned		 nconns;
	unsigned		 nrefusers;	/* threads answering refused connections */
	time_t			 refuse_logged;	/* last "connection refused" log line */
	unsigned long		 refused_quiet;	/* refusals since then, not logged */
	LIST_HEAD(, gate_conn)	 conns;
	int			 pool[GATE_POOL_MAX];
	size_t			 npool;
};

/* One side's buffered bytes: [off, len) not yet handled. */
struct gate_buf {
	char	*b;
	size_t	 len;
	size_t	 cap;
};

/* What the request parser saw of the current request. */
struct gate_req {
	http_parser	 p;
	char		 url[DW_URI_MAX + 1];
	size_t		 url_len;
	bool		 url_too_long;
	char		 content_type[256];
	bool		 have_ct;
	long long	 content_length;
	unsigned	 n_te;		/* Transfer-Encoding headers */
	bool		 te_bad;	/* a Transfer-Encoding other than "chunked" */
	bool		 expect_continue; /* Expect: 100-continue */
	char		 hname[64];	/* current header name (truncated) */
	size_t		 hname_len;
	bool		 in_value;
	char		 hvalue[256];
	size_t		 hvalue_len;
	bool		 headers_done;
	bool		 complete;
	unsigned char	*body;		/* buffered body for the decision */
	size_t		 body_len;
	bool		 buffer_body;
	bool		 body_too_big;
	bool		 spooling;	/* the body goes to spool_fd (a build context) */
	int		 spool_fd;
	unsigned long long spool_len;
	unsigned long long spool_max;
	int		 spool_errno;	/* a write to the spool failed, or it is over spool_max (E2BIG) */
	bool		 check_chunks;	/* a chunked body: check it with api_http_chunks_feed */
	struct api_http_chunks ck;
	bool		 capture;	/* keep every body byte in cap (api_gate_request_frame) */
	unsigned char	*cap;
	size_t		 cap_len;
};

/* What the response parser saw. */
struct gate_resp {
	http_parser	 p;
	bool		 head_request;
	bool		 headers_done;
	bool		 complete;
	struct gate_conn *conn;		/* for ops.created */
	bool		 capture;	/* a container create's answer: keep its body */
	bool		 cap_over;
	size_t		 cap_len;
	char		 cap[GATE_CREATE_ANSWER_MAX];
};

struct gate_conn {
	LIST_ENTRY(gate_conn)	 entry;
	struct api_gate		*g;
	int			 cfd;		/* client */
	int			 efd;		/* engine, -1 when none */
	bool			 engine_reusable;
	struct gate_buf		 cin;		/* client bytes not yet forwarded */
	size_t			 cparsed;	/* cin bytes the request parser has consumed */
	struct api_gate_caller	 caller;
	bool			 identified;
	int			 peer_error;	/* api_peer_identify at accept: 0 or -errno */
	char			 peer_why[DW_ERR_MAX];
	bool			 is_root;	/* host root (uid 0, in no container) */
	bool			 in_container;	/* the connection limit's key: a container id ... */
	uid_t			 key_uid;	/* ... or a host uid */
	struct gate_req		 rq;
	struct gate_resp	 rs;
	char			*ebuf;		/* GATE_STREAM_BUF, allocated at first use */
};

static const http_parser_settings req_settings;
static const http_parser_settings resp_settings;
static void	refuse(struct gate_conn *c, int status, const char *reason,
		    const char *rule, const char *msg);

/* ---- small I/O helpers ---- */

/* Write all of buf (blocking); 0 or -errno. */
static int
write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				(void)poll(&pfd, 1, -1);
				continue;
			}
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Make room for at least want more bytes, up to max in all; 0 or -E2BIG/-ENOMEM. */
static int
buf_reserve(struct gate_buf *b, size_t want, size_t max)
{
	size_t	 ncap;
	char	*nb;

	if (b->cap - b->len >= want)
		return 0;
	if (b->len + want > max)
		return -E2BIG;
	ncap = b->cap ? b->cap : 16384;
	while (ncap - b->len < want)
		ncap *= 2;
	if (ncap > max)
		ncap = max;
	if ((nb = realloc(b->b, ncap)) == NULL)
		return -ENOMEM;
	b->b = nb;
	b->cap = ncap;
	return 0;
}

/* Drop the first n bytes of b. */
static void
buf_consume(struct gate_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->b, b->b + n, b->len - n);
	b->len -= n;
}

/* Connect to the engine's unix socket; fd or -errno. */
static int
engine_connect(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* An idle pooled connection is usable if the engine has neither closed it nor sent anything. */
static bool
engine_idle_ok(int fd)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN | POLLRDHUP };

	return poll(&pfd, 1, 0) == 0;
}

/* A pooled engine connection, or a new one; fd or -errno. */
static int
engine_get(struct api_gate *g, bool *ret_pooled)
{
	int	fd = -1;

	pthread_mutex_lock(&g->lock);
	while (g->npool > 0) {
		fd = g->pool[--g->npool];
		if (engine_idle_ok(fd))
			break;
		close(fd);
		fd = -1;
	}
	pthread_mutex_unlock(&g->lock);
	*ret_pooled = fd >= 0;
	if (fd >= 0)
		return fd;
	return engine_connect(g->engine_socket);
}

/* Return an idle engine connection to the pool, or close it. */
static void
engine_put(struct api_gate *g, int fd)
{
	pthread_mutex_lock(&g->lock);
	if (!g->stopping && g->npool < GATE_POOL_MAX) {
		g->pool[g->npool++] = fd;
		fd = -1;
	}
	pthread_mutex_unlock(&g->lock);
	if (fd >= 0)
		close(fd);
}

/* Write all of buf to a (regular) file; 0, or -1 with errno. */
static int
spool_write(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * An anonymous file in dir for one build context: unlinked at once, so
 * nothing is left behind whatever happens to the process.  fd or -errno.
 */
static int
spool_open(const char *dir)
{
	char	path[PATH_MAX];
	int	fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC | O_EXCL, 0600);
	if (fd >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -errno;
	/* A filesystem without O_TMPFILE: create and unlink. */
	if (snprintf(path, sizeof(path), "%s/.build-XXXXXX", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
		return -errno;
	(void)unlink(path);
	return fd;
}

/* ---- request parsing ---- */

/* Finish the header whose name and value have been collected. */
static void
req_header_done(struct gate_req *rq)
{
	if (!rq->in_value)
		return;
	rq->hname[rq->hname_len] = '\0';
	rq->hvalue[rq->hvalue_len] = '\0';
	if (strcasecmp(rq->hname, "Content-Type") == 0 && !rq->have_ct) {
		/* Go's Header.Get: the first one counts. */
		snprintf(rq->content_type, sizeof(rq->content_type), "%s", rq->hvalue);
		rq->have_ct = true;
	} else if (strcasecmp(rq->hname, "Expect") == 0) {
		rq->expect_continue = strcasecmp(rq->hvalue, "100-continue") == 0;
	} else if (strcasecmp(rq->hname, "Transfer-Encoding") == 0) {
		rq->n_te++;
		if (strcasecmp(rq->hvalue, "chunked") != 0)
			rq->te_bad = true;
	}
	rq->in_value = false;
	rq->hname_len = rq->hvalue_len = 0;
}

static int
req_on_url(http_parser *p, const char *at, size_t len)
{
	struct gate_req	*rq = p->data;

	if (rq->url_len + len > DW_URI_MAX) {
		rq->url_too_long = true;
		return 0;
	}
	memcpy(rq->url + rq->url_len, at, len);
	rq->url_len += len;
	rq->url[rq->url_len] = '\0';
	return 0;
}

static int
req_on_header_field(http_parser *p, const char *at, size_t len)
{
	struct gate_req	*rq = p->data;
	size_t		 n;

	req_header_done(rq);
	n = sizeof(rq->hname) - 1 - rq->hname_len;
	if (len < n)
		n = len;
	memcpy(rq->hname + rq->hname_len, at, n);
	rq->hname_len += n;
	return 0;
}

static int
req_on_header_value(http_parser *p, const char *at, size_t len)
{
	struct gate_req	*rq = p->data;
	size_t		 n;

	rq->in_value = true;
	n = sizeof(rq->hvalue) - 1 - rq->hvalue_len;
	if (len < n)
		n = len;
	memcpy(rq->hvalue + rq->hvalue_len, at, n);
	rq->hvalue_len += n;
	return 0;
}

static int
req_on_headers_complete(http_parser *p)
{
	struct gate_req	*rq = p->data;

	req_header_done(rq);
	rq->headers_done = true;
	if ((p->flags & F_CONTENTLENGTH) && !(p->flags & F_CHUNKED))
		rq->content_length = (long long)p->content_length;
	http_parser_pause(p, 1);
	return 0;
}

static int
req_on_body(http_parser *p, const char *at, size_t len)
{
	struct gate_req	*rq = p->data;
	unsigned char	*nb;

	if (rq->capture && !rq->body_too_big) {
		if (rq->cap_len + len > GATE_DRAIN_MAX ||
		    (nb = realloc(rq->cap, rq->cap_len + len + 1)) == NULL) {
			rq->body_too_big = true;
			return 0;
		}
		rq->cap = nb;
		memcpy(rq->cap + rq->cap_len, at, len);
		rq->cap_len += len;
	}
	if (rq->spooling) {
		if (rq->spool_errno != 0)
			return 0;
		if (rq->spool_len + len > rq->spool_max) {
			rq->spool_errno = E2BIG;
			return 0;
		}
		if (spool_write(rq->spool_fd, at, len) < 0) {
			rq->spool_errno = errno ? errno : EIO;
			return 0;
		}
		rq->spool_len += len;
		return 0;
	}
	if (!rq->buffer_body || rq->body_too_big)
		return 0;
	if (rq->body_len + len > DW_BODY_MAX) {
		rq->body_too_big = true;
		return 0;
	}
	if ((nb = realloc(rq->body, rq->body_len + len + 1)) == NULL) {
		rq->body_too_big = true;
		return 0;
	}
	rq->body = nb;
	memcpy(rq->body + rq->body_len, at, len);
	rq->body_len += len;
	return 0;
}

static int
req_on_message_complete(http_parser *p)
{
	struct gate_req	*rq = p->data;

	rq->complete = true;
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings req_settings = {
	.on_url = req_on_url,
	.on_header_field = req_on_header_field,
	.on_header_value = req_on_header_value,
	.on_headers_complete = req_on_headers_complete,
	.on_body = req_on_body,
	.on_message_complete = req_on_message_complete,
};

/* ---- response parsing ---- */

static int
resp_on_headers_complete(http_parser *p)
{
	struct gate_resp	*rs = p->data;

	rs->headers_done = true;
	http_parser_pause(p, 1);
	/* 1: no body follows (an answer to HEAD). */
	return rs->head_request ? 1 : 0;
}

/* A container create's answer: keep it (bounded) for its Id. */
static int
resp_on_body(http_parser *p, const char *at, size_t len)
{
	struct gate_resp	*rs = p->data;

	if (!rs->capture || rs->cap_over)
		return 0;
	if (len > sizeof(rs->cap) - rs->cap_len) {
		rs->cap_over = true;
		return 0;
	}
	memcpy(rs->cap + rs->cap_len, at, len);
	rs->cap_len += len;
	return 0;
}

static int
resp_on_message_complete(http_parser *p)
{
	struct gate_resp	*rs = p->data;
	struct gate_conn	*c = rs->conn;

	/* Before the answer's last bytes go to the client: see api_gate.h. */
	if (rs->capture && p->status_code == 201 && c != NULL &&
	    c->g->ops.created != NULL)
		c->g->ops.created(c->g->ops.ctx, &c->caller,
		    rs->cap_over ? NULL : rs->cap, rs->cap_len);
	if (p->status_code >= 200)	/* not an interim 100 Continue */
		rs->capture = false;
	rs->complete = true;
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings resp_settings = {
	.on_headers_complete = resp_on_headers_complete,
	.on_body = resp_on_body,
	.on_message_complete = resp_on_message_complete,
};

/*
 * Run parser p over [*off, len) of buf.  Stops at a pause (headers or
 * message complete) or the end.  0, or -EPROTO with the parser's reason.
 * The bytes of a chunked request body are also checked against the
 * grammar Go reads alike (api_http_chunks_feed), and both must see the
 * body end at the same byte: -EPROTO otherwise.
 */
static int
parse_some(http_parser *p, const http_parser_settings *st, const char *buf,
    size_t len, size_t *off, const char **ret_why)
{
	struct gate_req	*rq = st == &req_settings ? p->data : NULL;
	bool		 check = rq != NULL && rq->check_chunks && rq->headers_done &&
			    !rq->complete;
	size_t		 n, start = *off, used;
	int		 r;

	if (HTTP_PARSER_ERRNO(p) == HPE_PAUSED)
		http_parser_pause(p, 0);
	n = http_parser_execute(p, st, buf + *off, len - *off);
	*off += n;
	if (HTTP_PARSER_ERRNO(p) != HPE_OK && HTTP_PARSER_ERRNO(p) != HPE_PAUSED) {
		*ret_why = http_errno_description(HTTP_PARSER_ERRNO(p));
		return -EPROTO;
	}
	if (check) {
		if ((r = api_http_chunks_feed(&rq->ck, buf + start, n, &used,
		    ret_why)) < 0)
			return -EPROTO;
		if ((r == 1) != rq->complete || used != n) {
			*ret_why = "the chunked body does not end where both HTTP "
			    "parsers end it";
			return -EPROTO;
		}
	}
	return 0;
}

/* ---- answers written by the gatekeeper itself ---- */

/*
 * An error answer in dockerd's shape: {"message": ...}.  The answer to a
 * HEAD request (head_only) has the head alone, as Go's server sends it: a
 * client reads no body after a HEAD answer, so body bytes would be taken
 * for the next answer on a kept-alive connection.
 */
static int
send_error(int fd, int status, const char *reason, const char *msg, bool close_conn,
    bool head_only)
{
	json_t	*o;
	char	*body, head[512];
	int	 r, n;

	if ((o = json_pack("{s:s}", "message", msg)) == NULL)
		return -ENOMEM;
	body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (body == NULL)
		return -ENOMEM;
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n"
	    "%s\r\n", status, reason, strlen(body) + 1,
	    close_conn ? "Connection: close\r\n" : "");
	if ((r = write_all(fd, head, (size_t)n)) == 0 && !head_only &&
	    (r = write_all(fd, body, strlen(body))) == 0)
		r = write_all(fd, "\n", 1);
	free(body);
	return r;
}

/* ---- one connection ---- */

/* Is c's current request a HEAD (its answers carry no body)? */
static bool
conn_head(const struct gate_conn *c)
{
	return c->rq.headers_done && c->rq.p.method == HTTP_HEAD;
}

/* Endpoints whose request body is a stream (archives, contexts), never JSON for a rule. */
static bool
streaming_endpoint(enum authz_uri_endpoint ep)
{
	switch (ep) {
	case AUTHZ_EP_BUILD:
	case AUTHZ_EP_IMAGE_LOAD:
	case AUTHZ_EP_IMAGE_CREATE:
	case AUTHZ_EP_CONTAINER_ARCHIVE_PUT:
	case AUTHZ_EP_PLUGIN_CREATE:
	case AUTHZ_EP_SESSION:
	case AUTHZ_EP_GRPC:
		return true;
	default:
		return false;
	}
}

/* Endpoints dockerd may hijack (raw stream after the response head). */
static bool
hijack_endpoint(enum authz_uri_endpoint ep)
{
	switch (ep) {
	case AUTHZ_EP_CONTAINER_ATTACH:
	case AUTHZ_EP_CONTAINER_ATTACH_WS:
	case AUTHZ_EP_EXEC_START:
	case AUTHZ_EP_SESSION:
	case AUTHZ_EP_GRPC:
		return true;
	default:
		return false;
	}
}

/*
 * Is the request head, cin[0, head_len), one that dockerd's Go net/http
 * frames exactly as libhttp-parser did?  Checked with api_http's strict
 * reading (the subset both read alike) and compared with what the parser
 * saw: method, target, version, body framing, keep-alive.  Returns the
 * reason to refuse it, or NULL (and arms the chunked-body check).
 */
static const char *
head_ambiguity(struct gate_conn *c, size_t head_len)
{
	const http_parser	*p = &c->rq.p;
	struct api_http_head	 h;
	const char		*why = NULL;
	bool			 chunked = (p->flags & F_CHUNKED) != 0;

	if (c->rq.url_too_long)
		return "the request target is too long";
	if (api_http_head_parse(c->cin.b, head_len, &h, &why) < 0)
		return why;
	if (strcmp(h.method, http_method_str((enum http_method)p->method)) != 0 ||
	    strcmp(h.method, "CONNECT") == 0 || h.target_len != c->rq.url_len ||
	    memcmp(c->cin.b + h.target_off, c->rq.url, h.target_len) != 0 ||
	    p->http_major != 1 || p->http_minor != h.minor)
		return "the request line is read differently by the two HTTP parsers";
	if ((h.body == API_HTTP_BODY_CHUNKED) != chunked ||
	    (h.body == API_HTTP_BODY_LENGTH) != (!chunked && c->rq.content_length > 0) ||
	    (h.body == API_HTTP_BODY_LENGTH &&
	    (unsigned long long)c->rq.content_length != h.content_length))
		return "the body's length is read differently by the two HTTP parsers";
	if (h.keep_alive != (http_should_keep_alive(p) != 0))
		return "the Connection header is read differently by the two HTTP parsers";
	c->rq.check_chunks = chunked;
	memset(&c->rq.ck, 0, sizeof(c->rq.ck));
	return NULL;
}

/* Refuse a request whose framing dockerd could read differently. */
static void
refuse_framing(struct gate_conn *c, const char *why)
{
	char	msg[DW_MSG_MAX];

	snprintf(msg, sizeof(msg), "dockward: request refused (%s): %s, which "
	    "dockerd's HTTP server (Go net/http) could frame differently, so "
	    "bytes the gatekeeper never decided could reach it as a request. "
	    "Send plain HTTP/1.1: CRLF line ends, one Host header, no folded "
	    "headers, at most one Content-Length of plain digits or "
	    "Transfer-Encoding: chunked (never both, never on HTTP/1.0), chunks "
	    "without extensions or trailers", RULE_REQUEST_FRAMING, why);
	refuse(c, 400, "Bad Request", RULE_REQUEST_FRAMING, msg);
}

/* Does the request announce a body (chunked, or a non-zero Content-Length)? */
static bool
has_body(const struct gate_conn *c)
{
	return (c->rq.p.flags & F_CHUNKED) ||
	    ((c->rq.p.flags & F_CONTENTLENGTH) && c->rq.p.content_length > 0);
}

/* Is this request's body read whole for the rules (JSON endpoints), or streamed? */
static bool
body_is_read_whole(const struct gate_conn *c, const struct authz_uri *uri)
{
	return has_body(c) && !(uri != NULL && streaming_endpoint(uri->endpoint));
}

/* Reset the request parser for the next request on this connection. */
static void
req_reset(struct gate_conn *c)
{
	if (c->rq.spooling && c->rq.spool_fd >= 0)
		close(c->rq.spool_fd);
	free(c->rq.body);
	free(c->rq.cap);
	memset(&c->rq, 0, sizeof(c->rq));
	http_parser_init(&c->rq.p, HTTP_REQUEST);
	c->rq.p.data = &c->rq;
	c->rq.content_length = -1;
}

/*
 * Read more client bytes into cin (blocking up to the socket timeout).
 * >0 bytes read, 0 on EOF, -ETIMEDOUT, -E2BIG when the buffer is full, or -errno.
 */
static ssize_t
client_read(struct gate_conn *c, size_t max)
{
	ssize_t	n;
	int	r;

	if ((r = buf_reserve(&c->cin, GATE_IO_BUF, max)) < 0) {
		if (r != -E2BIG || c->cin.len >= max)
			return r;
	}
	for (;;) {
		n = recv(c->cfd, c->cin.b + c->cin.len, c->cin.cap - c->cin.len, 0);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	}
	c->cin.len += (size_t)n;
	return n;
}

/*
 * Read and parse until the request head is complete.  0, 1 when the client
 * closed cleanly between requests, or -errno (why in *ret_why).
 */
static int
read_head(struct gate_conn *c, const char **ret_why)
{
	struct timespec	start, now;
	bool		started = c->cin.len > 0;
	int		idle = 0;
	ssize_t		n;
	int		r;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (c->cparsed < c->cin.len) {
			if ((r = parse_some(&c->rq.p, &req_settings, c->cin.b,
			    c->cin.len, &c->cparsed, ret_why)) < 0)
				return r;
			if (c->rq.headers_done) {
				/*
				 * The parser stopped before the head's last LF: step
				 * over it, which completes a request without a body.
				 */
				if (c->cparsed < c->cin.len) {
					http_parser_pause(&c->rq.p, 0);
					c->cparsed += http_parser_execute(&c->rq.p,
					    &req_settings, c->cin.b + c->cparsed, 1);
				}
				return 0;
			}
		}
		if (c->cparsed > GATE_HEAD_MAX) {
			*ret_why = "the request head is too large";
			return -E2BIG;
		}
		n = client_read(c, GATE_HEAD_MAX + GATE_IO_BUF);
		if (n == 0) {
			if (!started && c->cin.len == 0)
				return 1;
			*ret_why = "the client closed the connection inside a request head";
			return -EPIPE;
		}
		if (n == -ETIMEDOUT) {
			/* Idle keep-alive: a few socket timeouts; a started head: one deadline. */
			if (!started && c->cin.len == 0 &&
			    ++idle * c->g->opts.head_timeout_s < c->g->opts.idle_timeout_s)
				continue;
			*ret_why = "timed out waiting for the request head";
			return -ETIMEDOUT;
		}
		if (n < 0) {
			*ret_why = "read error";
			return (int)n;
		}
		if (!started) {
			started = true;
			clock_gettime(CLOCK_MONOTONIC, &start);
		} else {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec > c->g->opts.head_timeout_s) {
				*ret_why = "timed out waiting for the request head";
				return -ETIMEDOUT;
			}
		}
	}
}

/*
 * Read and parse until the whole request body is in: buffered for the
 * rules (cin keeps it, to be forwarded), or spooled (c->rq.spooling: what
 * was parsed leaves cin at once, so only a pipelined next request stays).
 * 0, or -errno with the reason in *ret_why: -E2BIG over the body's limit,
 * -EIO the spool could not be written, -EPIPE the client left,
 * -ETIMEDOUT it stalled.
 */
static int
read_body(struct gate_conn *c, const char **ret_why)
{
	ssize_t	n;
	int	r;

	while (!c->rq.complete) {
		if (c->cparsed < c->cin.len) {
			r = parse_some(&c->rq.p, &req_settings, c->cin.b,
			    c->cin.len, &c->cparsed, ret_why);
			if (c->rq.spooling) {
				buf_consume(&c->cin, c->cparsed);
				c->cparsed = 0;
			}
			if (r < 0)
				return r;
			if (c->rq.body_too_big || c->rq.spool_errno == E2BIG) {
				*ret_why = "body too large";
				return -E2BIG;
			}
			if (c->rq.spool_errno != 0) {
				*ret_why = "the body could not be written to the spool";
				return -EIO;
			}
			continue;
		}
		n = client_read(c, GATE_HEAD_MAX + 2 * (size_t)DW_BODY_MAX + GATE_IO_BUF);
		if (n == 0) {
			*ret_why = "the client closed the connection inside a request body";
			return -EPIPE;
		}
		if (n < 0) {
			*ret_why = n == -E2BIG ? "body too large" : "timed out reading the request body";
			return (int)n;
		}
	}
	return 0;
}

/*
 * Hold a build context back: move the request head to *ret_head (caller
 * frees) and read the whole body, de-chunked, into a new spool file in
 * the spool directory, so the policy can read its Dockerfile before
 * dockerd sees a byte of it.  Bytes after the body stay in cin (the next
 * pipelined request).  0, or -errno with the reason in *ret_why: -E2BIG
 * over the limit, -EIO the spool could not be written, -EPIPE the client
 * left, -ETIMEDOUT it stalled.
 */
static int
spool_body(struct gate_conn *c, char **ret_head, size_t *ret_head_len,
    const char **ret_why)
{
	*ret_head = NULL;
	if ((c->rq.spool_fd = spool_open(c->g->opts.spool_dir)) < 0) {
		c->rq.spool_errno = -c->rq.spool_fd;
		*ret_why = "the spool file for the build context could not be created";
		return -EIO;
	}
	c->rq.spooling = true;
	c->rq.spool_max = c->g->opts.build_max;
	if ((*ret_head = malloc(c->cparsed)) == NULL) {
		*ret_why = "out of memory";
		return -ENOMEM;
	}
	memcpy(*ret_head, c->cin.b, c->cparsed);
	*ret_head_len = c->cparsed;
	buf_consume(&c->cin, c->cparsed);
	c->cparsed = 0;
	return read_body(c, ret_why);
}

/*
 * Send a request head to the engine: as received, or in full mode with a
 * stamp for this request added after its request line (api_stamp.h).
 * 0 or -errno (-EIO: no stamp could be issued).
 */
static int
forward_head(struct gate_conn *c, const char *head, size_t head_len)
{
	char	 stamp[API_STAMP_LEN + 1], *out = NULL;
	size_t	 out_len = 0;
	int	 r;

	if (c->g->ops.stamp == NULL)
		return write_all(c->efd, head, head_len);
	if (c->g->ops.stamp(c->g->ops.ctx, http_method_str(
	    (enum http_method)c->rq.p.method), c->rq.url, stamp) < 0)
		return -EIO;
	if ((r = api_stamp_head_add(head, head_len, stamp, &out, &out_len)) < 0)
		return r;
	r = write_all(c->efd, out, out_len);
	free(out);
	return r;
}

/*
 * Send a held-back request to the engine: its head as received and the
 * spooled body (len bytes at map) framed as the head says: as is for a
 * Content-Length, one chunk for chunked.  0 or -errno.
 */
static int
spool_forward(struct gate_conn *c, const char *head, size_t head_len,
    const void *map, unsigned long long len)
{
	char	frame[32];
	int	r, n;

	if ((r = forward_head(c, head, head_len)) < 0)
		return r;
	if (!(c->rq.p.flags & F_CHUNKED))
		return len > 0 ? write_all(c->efd, map, (size_t)len) : 0;
	if (len > 0) {
		n = snprintf(frame, sizeof(frame), "%llx\r\n", len);
		if ((r = write_all(c->efd, frame, (size_t)n)) < 0 ||
		    (r = write_all(c->efd, map, (size_t)len)) < 0 ||
		    (r = write_all(c->efd, "\r\n", 2)) < 0)
			return r;
	}
	return write_all(c->efd, "0\r\n\r\n", 5);
}

/* Identify the caller once per connection, at its first request. */
static void
caller_identify(struct gate_conn *c)
{
	struct dw_err	err;
	int		r;

	if (c->identified)
		return;
	c->identified = true;
	err.msg[0] = '\0';
	/* The peer was read at accept (conn_peer); a cleared one is read now. */
	if ((r = c->peer_error) == 0 && c->caller.peer.pid == 0)
		r = api_peer_identify(c->cfd, &c->caller.peer, &err);
	else
		snprintf(err.msg, sizeof(err.msg), "%s", c->peer_why);
	if (r < 0) {
		c->caller.error = r;
		snprintf(c->caller.why, sizeof(c->caller.why),
		    "the caller could not be identified: %.400s", err.msg);
		return;
	}
	c->g->ops.identify(c->g->ops.ctx, &c->caller);
}

/*
 * Pump both ways until the exchange in flight ends: the request's remaining
 * body from the client (through the request parser), the response from the
 * engine (through the response parser), or, once dockerd hijacks the
 * connection, raw bytes both ways with half-closes passed on.
 * Returns 1 when the connection can carry another request, 0 when it must
 * close, -errno on error.
 */
static int
pump(struct gate_conn *c, bool hijack_candidate)
{
	char		*ebuf;
	const size_t	 ecap = GATE_STREAM_BUF;
	int		 eflags = 0;
	bool		 eread_more = false;
	size_t		 elen = 0, eoff = 0, eparsed = 0, cfwd;
	bool		 raw = false, client_eof = false, engine_eof = false;
	bool		 sent_any = false, hold_client = hijack_candidate;
	bool		 eng_wr_shut = false, cli_wr_shut = false;
	bool		 want_cread, want_ewrite, want_eread, want_cwrite;
	const char	*why = NULL;
	struct pollfd	 pfd[2];
	ssize_t		 n;
	int		 r;

	if (c->ebuf == NULL && (c->ebuf = malloc(GATE_STREAM_BUF)) == NULL)
		return -ENOMEM;
	ebuf = c->ebuf;
	for (;;) {
		/* Parse what has arrived, unless the connection is raw now. */
		if (!raw && !c->rq.complete && c->cparsed < c->cin.len) {
			if ((r = parse_some(&c->rq.p, &req_settings, c->cin.b,
			    c->cin.len, &c->cparsed, &why)) < 0) {
				log_warn("gatekeeper: bad request body: %s", why);
				/* Nothing of the engine's answer out yet: say why. */
				if (!sent_any && elen == 0)
					refuse_framing(c, why);
				return r;
			}
			continue;
		}
		if (!raw && !c->rs.complete && eparsed < elen) {
			if ((r = parse_some(&c->rs.p, &resp_settings, ebuf, elen,
			    &eparsed, &why)) < 0) {
				log_warn("gatekeeper: bad response from the engine: %s", why);
				return r;
			}
			if (c->rs.headers_done && hold_client) {
				unsigned st = c->rs.p.status_code;

				/* 101, or a 2xx with no framing: dockerd hijacked the connection. */
				if (st == 101 || (st >= 200 && st < 300 && st != 204 &&
				    !(c->rs.p.flags & (F_CHUNKED | F_CONTENTLENGTH)))) {
					raw = true;
					c->engine_reusable = false;
					eparsed = elen;
				}
				hold_client = false;
			}
			if (c->rs.complete && c->rs.p.status_code >= 100 &&
			    c->rs.p.status_code < 200 && c->rs.p.status_code != 101) {
				/* Interim answer (100 Continue): forward it, parse the final one. */
				http_parser_init(&c->rs.p, HTTP_RESPONSE);
				c->rs.p.data = &c->rs;
				c->rs.headers_done = c->rs.complete = false;
			}
			continue;
		}
		if (raw)
			eparsed = elen;
		else if (c->rs.complete && eoff == eparsed && eparsed < elen) {
			/* Bytes after a complete answer: never forward, never reuse. */
			log_warn("gatekeeper: the engine sent %zu bytes after an answer",
			    elen - eparsed);
			c->engine_reusable = false;
			elen = eparsed;
		}
		cfwd = raw ? c->cin.len : c->cparsed;

		/* Done? */
		if (!raw && c->rs.complete && eoff == elen) {
			if (c->rq.complete && cfwd == 0) {
				/* Either side saying close ends both connections. */
				if (!http_should_keep_alive(&c->rq.p) ||
				    !http_should_keep_alive(&c->rs.p) || client_eof) {
					c->engine_reusable = false;
					return 0;
				}
				return 1;
			}
			/* Answered before the body was all sent: close. */
			c->engine_reusable = false;
			return 0;
		}
		/* Pass half-closes on once everything before them is through. */
		if (client_eof && cfwd == 0 && !eng_wr_shut && (raw || c->rq.complete)) {
			shutdown(c->efd, SHUT_WR);
			eng_wr_shut = true;
		}
		if (raw && engine_eof && eoff == elen && !cli_wr_shut) {
			shutdown(c->cfd, SHUT_WR);
			cli_wr_shut = true;
		}
		if (raw && client_eof && engine_eof && cfwd == 0 && eoff == elen)
			return 0;

		/* Read the client only when all it sent is through (backpressure). */
		want_cread = !client_eof && c->cin.len == 0 &&
		    (raw || !c->rq.complete);
		want_ewrite = cfwd > 0;
		want_eread = !engine_eof && eoff == elen;
		want_cwrite = eoff < eparsed;
		if (!want_cread && !want_ewrite && !want_eread && !want_cwrite)
			return 0;

		/*
		 * Syscalls are the cost of a proxy: try the client write at
		 * once, and wait for an answer's first bytes with a plain
		 * blocking read when nothing else is pending.  poll() only for
		 * real duplex work and streams.
		 */
		if (want_cwrite) {
			n = send(c->cfd, ebuf + eoff, eparsed - eoff,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return -errno;
			if (n > 0) {
				eoff += (size_t)n;
				sent_any = true;
				if (eoff == elen)
					eoff = elen = eparsed = 0;
				continue;
			}
		}
		/*
		 * GET/HEAD answers start at once (dockerd flushes the head of
		 * event and log streams); a POST may wait minutes (wait, stop),
		 * and then a client that hangs up must be noticed: poll.
		 */
		if (want_eread && !want_cread && !want_ewrite && !want_cwrite && !sent_any &&
		    (c->rq.p.method == HTTP_GET || c->rq.p.method == HTTP_HEAD)) {
			pfd[0].events = pfd[0].revents = 0;
			pfd[1].revents = POLLIN;
			eflags = 0;
			goto engine_read;
		}
		/* A stream that filled the buffer last time likely has more now. */
		if (want_eread && eread_more) {
			pfd[0].events = pfd[0].revents = 0;
			pfd[1].revents = POLLIN;
			eflags = MSG_DONTWAIT;
			eread_more = false;
			goto engine_read;
		}
		eflags = MSG_DONTWAIT;

		pfd[0].fd = c->cfd;
		pfd[0].events = (want_cread ? POLLIN : 0) | (want_cwrite ? POLLOUT : 0);
		if (!raw && !hold_client && c->rq.complete && !client_eof)
			pfd[0].events |= POLLRDHUP;
		pfd[1].fd = c->efd;
		pfd[1].events = (want_eread ? POLLIN : 0) | (want_ewrite ? POLLOUT : 0);
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (want_cwrite && (pfd[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
			n = send(c->cfd, ebuf + eoff, eparsed - eoff,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return -errno;
			if (n > 0) {
				eoff += (size_t)n;
				sent_any = true;
			}
			if (eoff == elen)
				eoff = elen = eparsed = 0;
		}
		if (want_ewrite && (pfd[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			n = send(c->efd, c->cin.b, cfwd, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return -errno;
			if (n > 0) {
				buf_consume(&c->cin, (size_t)n);
				if (!raw)
					c->cparsed -= (size_t)n;
			}
		}
engine_read:
		if (want_eread && (pfd[1].revents & (POLLIN | POLLERR | POLLHUP))) {
			n = recv(c->efd, ebuf + elen, ecap - elen, eflags);
			eread_more = n > 0 && (size_t)n == ecap - elen;
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return -errno;
			if (n > 0)
				elen += (size_t)n;
			else if (n == 0) {
				engine_eof = true;
				c->engine_reusable = false;
				if (!raw && !c->rs.complete) {
					/* EOF ends an unframed body; anything else is cut short. */
					if (HTTP_PARSER_ERRNO(&c->rs.p) == HPE_PAUSED)
						http_parser_pause(&c->rs.p, 0);
					http_parser_execute(&c->rs.p, &resp_settings, ebuf, 0);
					if (!c->rs.complete) {
						if (!sent_any && elen == 0)
							send_error(c->cfd, 502, "Bad Gateway",
							    "dockward: the Docker engine closed the "
							    "connection without answering", true,
							    conn_head(c));
						/* Flush what was parsed, then close. */
						if (eoff < eparsed)
							(void)write_all(c->cfd, ebuf + eoff, eparsed - eoff);
						return 0;
					}
				}
			}
		}
		if (want_cread && (pfd[0].revents & (POLLIN | POLLERR | POLLHUP))) {
			n = client_read(c, GATE_HEAD_MAX + 2 * (size_t)DW_BODY_MAX + GATE_IO_BUF);
			if (n == 0 || (n < 0 && n != -ETIMEDOUT)) {
				client_eof = true;
				c->engine_reusable = false;
				if (!raw)
					return 0;	/* cut off inside a request body */
			}
		} else if ((pfd[0].events & POLLRDHUP) &&
		    (pfd[0].revents & (POLLRDHUP | POLLHUP | POLLERR))) {
			/* The client half-closed while its answer is coming: pass it on. */
			client_eof = true;
			c->engine_reusable = false;
		}
	}
}

/*
 * Refuse a request the gatekeeper cannot pass on (malformed, too large):
 * answer it, close, and audit it like any decision.
 */
static void
refuse(struct gate_conn *c, int status, const char *reason, const char *rule,
    const char *msg)
{
	struct authz_request	req;
	struct authz_decision	d;

	send_error(c->cfd, status, reason, msg, true, conn_head(c));
	memset(&req, 0, sizeof(req));
	req.method = c->rq.headers_done ?
	    http_method_str((enum http_method)c->rq.p.method) : "-";
	req.raw_uri = c->rq.url_len > 0 ? c->rq.url : "-";
	req.content_length = -1;
	memset(&d, 0, sizeof(d));
	d.verdict = AUTHZ_DENY;
	d.rule = rule;
	snprintf(d.msg, sizeof(d.msg), "%s", msg);
	caller_identify(c);
	c->g->ops.record(c->g->ops.ctx, &c->caller, &req, &d);
}

/*
 * After denying a request whose body is still coming, read and drop the
 * rest (bounded), so a client that writes its whole body before reading
 * sees the answer instead of a broken pipe.
 */
static void
drain_body(struct gate_conn *c)
{
	struct timespec	 start, now;
	const char	*why;
	size_t		 total = 0;
	ssize_t		 n;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!c->rq.complete && total < GATE_DRAIN_MAX) {
		if (c->cparsed < c->cin.len) {
			if (parse_some(&c->rq.p, &req_settings, c->cin.b, c->cin.len,
			    &c->cparsed, &why) < 0)
				return;
			total += c->cparsed;
			buf_consume(&c->cin, c->cparsed);
			c->cparsed = 0;
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > c->g->opts.head_timeout_s)
			return;
		if ((n = client_read(c, GATE_HEAD_MAX + GATE_IO_BUF)) <= 0)
			return;
	}
}

/* Drop a held-back build context: its head copy, its mapping and its spool file. */
static void
spool_release(struct gate_conn *c, char **head, void **map)
{
	if (*map != NULL)
		munmap(*map, (size_t)c->rq.spool_len);
	*map = NULL;
	free(*head);
	*head = NULL;
	if (c->rq.spooling && c->rq.spool_fd >= 0)
		close(c->rq.spool_fd);
	c->rq.spooling = false;
	c->rq.spool_fd = -1;
}

/* Handle one request; 1 to go on with the next, 0 to close, <0 on error. */
static int
exchange(struct gate_conn *c)
{
	struct authz_uri		*uri = NULL;
	struct authz_request	 req;
	struct authz_decision	 d;
	struct dw_err		 err;
	const char		*why = NULL, *method;
	bool			 hijack, pooled, inspect, spool, create;
	char			*head = NULL;
	size_t			 head_len = 0, hlen;
	void			*map = NULL;
	int			 r, attempt, ret = 0;

	req_reset(c);
	if ((r = read_head(c, &why)) != 0) {
		if (r == 1)
			return 0;
		if (r == -EPROTO) {
			char	w[DW_ERR_MAX];

			snprintf(w, sizeof(w), "the request head is not well-formed "
			    "HTTP (%s)", why ? why : "malformed");
			refuse_framing(c, w);
		} else if (r == -E2BIG) {
			char	msg[DW_MSG_MAX];

			snprintf(msg, sizeof(msg), "dockward: request refused "
			    "(request.http): %s. Send a well-formed HTTP/1.1 request",
			    why ? why : "malformed HTTP");
			refuse(c, 431, "Request Header Fields Too Large",
			    "request.http", msg);
		}
		return 0;
	}
	method = http_method_str((enum http_method)c->rq.p.method);
	err.msg[0] = '\0';
	if ((why = head_ambiguity(c, c->cparsed)) != NULL) {
		refuse_framing(c, why);
		return 0;
	}
	/* Only the gatekeeper writes stamps (full mode): refuse one in any spelling. */
	hlen = c->cparsed;
	if (api_stamp_head_has(c->cin.b, hlen)) {
		refuse(c, 400, "Bad Request", "request.unstamped", "dockward: request "
		    "refused (request.unstamped): it carries an " API_STAMP_HEADER
		    " header, which only dockward's gatekeeper writes. Send the "
		    "request without it");
		return 0;
	}
	if (authz_uri_parse(method, c->rq.url, &uri, &err) < 0)
		uri = NULL;
	hijack = c->rq.p.upgrade || (uri != NULL && hijack_endpoint(uri->endpoint));
	create = uri != NULL && uri->endpoint == AUTHZ_EP_CONTAINER_CREATE;
	c->rq.buffer_body = body_is_read_whole(c, uri);
	inspect = uri != NULL && uri->endpoint == AUTHZ_EP_BUILD &&
	    c->g->ops.inspect_build != NULL && c->g->ops.inspect_build(c->g->ops.ctx);
	spool = inspect && has_body(c);
	/* The rules need the body first: say "go on" as dockerd would. */
	if ((c->rq.buffer_body || spool) && c->rq.expect_continue &&
	    !c->rq.complete && c->cparsed == c->cin.len)
		(void)write_all(c->cfd, CONTINUE_100, sizeof(CONTINUE_100) - 1);
	if (c->rq.buffer_body && (r = read_body(c, &why)) < 0) {
		if (r == -E2BIG) {
			char	msg[DW_MSG_MAX];

			snprintf(msg, sizeof(msg), "dockward: request refused "
			    "(request.body): the body is larger than %d bytes. Send a "
			    "smaller request", DW_BODY_MAX);
			refuse(c, 413, "Payload Too Large", "request.body", msg);
		} else if (r == -EPROTO)
			refuse_framing(c, why);
		authz_uri_free(uri);
		return 0;
	}
	if (spool && (r = spool_body(c, &head, &head_len, &why)) < 0) {
		char	msg[DW_MSG_MAX];

		if (r == -E2BIG) {
			snprintf(msg, sizeof(msg), "dockward: build denied "
			    "(build.context): the build context is larger than %llu "
			    "bytes, the most dockward holds back to read its Dockerfile. "
			    "Leave large files out with .dockerignore, or an admin can "
			    "raise --gatekeeper-build-context-max", c->g->opts.build_max);
			refuse(c, 413, "Payload Too Large", "build.context", msg);
			drain_body(c);
		} else if (r == -EPROTO) {
			refuse_framing(c, why);
		} else if (r != -EPIPE && r != -ETIMEDOUT) {
			snprintf(msg, sizeof(msg), "dockward: build denied "
			    "(build.context): %s (%s), so its Dockerfile cannot be "
			    "checked. An admin should check the space and permissions "
			    "of dockward's state directory %s", why, strerror(
			    c->rq.spool_errno ? c->rq.spool_errno : -r), c->g->opts.spool_dir);
			refuse(c, 507, "Insufficient Storage", "build.context", msg);
		}
		goto close;
	}
	if (spool && c->rq.spool_len > 0) {
		map = mmap(NULL, (size_t)c->rq.spool_len, PROT_READ, MAP_PRIVATE,
		    c->rq.spool_fd, 0);
		if (map == MAP_FAILED) {
			char	msg[DW_MSG_MAX];

			map = NULL;
			snprintf(msg, sizeof(msg), "dockward: build denied "
			    "(build.context): the held-back build context cannot be "
			    "read (%s). Retry with a smaller context", strerror(errno));
			refuse(c, 507, "Insufficient Storage", "build.context", msg);
			goto close;
		}
	}

	caller_identify(c);
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.raw_uri = c->rq.url;
	req.uri = uri;
	req.uri_error = uri ? NULL : err.msg;
	req.body = c->rq.body;
	req.body_len = c->rq.body_len;
	req.content_type = c->rq.have_ct ? c->rq.content_type : NULL;
	req.content_length = c->rq.content_length;
	req.build_inspected = inspect;
	req.build_context = map;
	req.build_context_len = spool ? (size_t)c->rq.spool_len : 0;
	memset(&d, 0, sizeof(d));
	c->g->ops.decide(c->g->ops.ctx, &c->caller, &req, &d);
	authz_uri_free(uri);
	uri = NULL;
	if (d.verdict != AUTHZ_ALLOW) {
		bool	done = c->rq.complete;

		r = send_error(c->cfd, 403, "Forbidden", d.msg[0] ? d.msg :
		    "dockward: request denied", !done ||
		    !http_should_keep_alive(&c->rq.p), conn_head(c));
		if (r == 0 && !done)
			drain_body(c);
		if (r < 0 || !done || !http_should_keep_alive(&c->rq.p))
			goto close;
		buf_consume(&c->cin, c->cparsed);
		c->cparsed = 0;
		ret = 1;
		goto close;
	}

	/* Forward: head and whatever body is already here go out first. */
	for (attempt = 0; attempt < 2; attempt++) {
		if (c->efd < 0) {
			if ((c->efd = engine_get(c->g, &pooled)) < 0) {
				c->efd = -1;
				api_metrics_upstream_error();
				send_error(c->cfd, 502, "Bad Gateway", "dockward: the "
				    "Docker engine is not reachable. Check that dockerd "
				    "is running", true, conn_head(c));
				goto close;
			}
		} else
			pooled = true;
		if (spool)
			r = spool_forward(c, head, head_len, map, c->rq.spool_len);
		else if ((r = forward_head(c, c->cin.b, hlen)) == 0)
			r = write_all(c->efd, c->cin.b + hlen, c->cparsed - hlen);
		if (r == -EIO && c->g->ops.stamp != NULL) {
			send_error(c->cfd, 503, "Service Unavailable", "dockward: "
			    "the request could not be stamped for the engine (no "
			    "randomness). Retry", true, conn_head(c));
			goto close;
		}
		if (r == 0)
			break;
		close(c->efd);
		c->efd = -1;
		if (!pooled || attempt == 1) {
			api_metrics_upstream_error();
			send_error(c->cfd, 502, "Bad Gateway", "dockward: the Docker "
			    "engine closed the connection. Retry", true, conn_head(c));
			goto close;
		}
	}
	if (spool)
		spool_release(c, &head, &map);
	buf_consume(&c->cin, c->cparsed);
	c->cparsed = 0;
	c->engine_reusable = true;
	memset(&c->rs, 0, sizeof(c->rs));
	http_parser_init(&c->rs.p, HTTP_RESPONSE);
	c->rs.p.data = &c->rs;
	c->rs.head_request = c->rq.p.method == HTTP_HEAD;
	c->rs.conn = c;
	c->rs.capture = create;
	r = pump(c, hijack);
	if (r <= 0 || !c->engine_reusable) {
		if (c->efd >= 0)
			close(c->efd);
		c->efd = -1;
		return r < 0 ? 0 : r;
	}
	return 1;
close:
	spool_release(c, &head, &map);
	authz_uri_free(uri);
	return ret;
}

/*
 * api_gate_request_parse and api_gate_request_frame: one request off buf,
 * as a connection reads it.  frame: also read (and keep) any body, the
 * streamed ones too, as the connection's pump would pass it on.
 */
static int
request_parse(const char *buf, size_t len, struct api_gate_request *ret,
    struct dw_err *err, bool frame)
{
	static struct api_gate	 dummy = { .opts = { .head_timeout_s = 30,
				    .idle_timeout_s = 30 } };
	struct gate_conn	*c;
	struct authz_uri		*uri = NULL;
	struct dw_err		 uerr;
	const char		*why = "";
	int			 r;

	memset(ret, 0, sizeof(*ret));
	if (len == 0) {
		dw_err_set(err, "no request");
		return -ENODATA;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	c->g = &dummy;
	c->cfd = c->efd = -1;	/* reads past buf fail: the buffer is all there is */
	req_reset(c);
	c->rq.capture = frame;
	if ((r = buf_reserve(&c->cin, len, len + 1)) < 0)
		goto out;
	memcpy(c->cin.b, buf, len);
	c->cin.len = len;
	if ((r = read_head(c, &why)) != 0) {
		dw_err_set(err, "%s", why);
		goto out;
	}
	if ((why = head_ambiguity(c, c->cparsed)) != NULL) {
		r = -EPROTO;
		dw_err_set(err, "%s", why);
		goto out;
	}
	ret->head_len = c->cparsed;
	ret->head_ok = true;
	snprintf(ret->method, sizeof(ret->method), "%s",
	    http_method_str((enum http_method)c->rq.p.method));
	snprintf(ret->uri, sizeof(ret->uri), "%s", c->rq.url);
	ret->http_minor = c->rq.p.http_minor;
	if (authz_uri_parse(http_method_str((enum http_method)c->rq.p.method),
	    c->rq.url, &uri, &uerr) < 0)
		uri = NULL;
	ret->upgrade = c->rq.p.upgrade;
	ret->hijack = c->rq.p.upgrade || (uri != NULL && hijack_endpoint(uri->endpoint));
	ret->keep_alive = http_should_keep_alive(&c->rq.p);
	ret->chunked = (c->rq.p.flags & F_CHUNKED) != 0;
	c->rq.buffer_body = body_is_read_whole(c, uri);
	if ((c->rq.buffer_body || (frame && !c->rq.complete)) &&
	    (r = read_body(c, &why)) < 0) {
		dw_err_set(err, "%s", why);
		goto out;
	}
	ret->endpoint = uri ? uri->endpoint : AUTHZ_EP_UNKNOWN;
	ret->body_read_whole = c->rq.buffer_body;
	ret->body_len = c->rq.body_len;
	ret->complete = c->rq.complete;
	ret->consumed = c->cparsed;
	if (frame) {
		ret->body = c->rq.cap;
		ret->body_total = c->rq.cap_len;
		c->rq.cap = NULL;
	}
	r = 0;
out:
	authz_uri_free(uri);
	free(c->rq.body);
	free(c->rq.cap);
	free(c->cin.b);
	free(c);
	return r;
}

int
api_gate_request_parse(const char *buf, size_t len, struct api_gate_request *ret,
    struct dw_err *err)
{
	return request_parse(buf, len, ret, err, false);
}

int
api_gate_request_frame(const char *buf, size_t len, struct api_gate_request *ret,
    struct dw_err *err)
{
	return request_parse(buf, len, ret, err, true);
}

static void
conn_free(struct gate_conn *c)
{
	struct api_gate	*g = c->g;

	pthread_mutex_lock(&g->lock);
	LIST_REMOVE(c, entry);
	g->nconns--;
	api_metrics_gate_conn_close();
	if (g->nconns == 0 && g->nrefusers == 0)
		pthread_cond_broadcast(&g->drained);
	pthread_mutex_unlock(&g->lock);
	if (c->efd >= 0) {
		if (c->engine_reusable)
			engine_put(g, c->efd);
		else
			close(c->efd);
	}
	close(c->cfd);
	if (c->rq.spooling && c->rq.spool_fd >= 0)
		close(c->rq.spool_fd);
	free(c->rq.body);
	free(c->rq.cap);
	free(c->cin.b);
	free(c->ebuf);
	free(c);
}

/*
 * A new connection must start its first request within the head timeout:
 * one that only holds a slot is closed (keep-alive waits between requests
 * are idle_timeout_s, in read_head).
 */
static bool
first_byte_wait(struct gate_conn *c)
{
	struct pollfd	pfd = { .fd = c->cfd, .events = POLLIN };
	int		n;

	do
		n = poll(&pfd, 1, c->g->opts.head_timeout_s * 1000);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		log_debug("gatekeeper: pid %d sent nothing in %d s, closed",
		    (int)c->caller.peer.pid, c->g->opts.head_timeout_s);
	return n > 0;
}

static void *
conn_main(void *arg)
{
	struct gate_conn	*c = arg;

	if (first_byte_wait(c))
		while (exchange(c) > 0)
			;
	conn_free(c);
	return NULL;
}

/*
 * Over the cap: take what the client sent (up to 100 ms, 64 KiB) so that a
 * client that writes its request before reading sees the 503, not EPIPE.
 */
static void
over_cap_drain(int fd)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	char		buf[4096];
	size_t		total = 0;
	ssize_t		n;

	while (total < 65536 && poll(&pfd, 1, 100) > 0) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			break;
		total += (size_t)n;
		if (memmem(buf, (size_t)n, "\r\n\r\n", 4) != NULL)
			break;
	}
}

/*
 * Who is calling, read once at accept: the connection limits need it
 * before a thread is spent.  A peer that cannot be identified is limited
 * by its SO_PEERCRED uid and is never root for the reserve; its requests
 * are denied later (caller_identify).
 */
static void
conn_peer(struct gate_conn *c)
{
	struct dw_err	err;
	struct ucred	cred;
	socklen_t	len = sizeof(cred);

	err.msg[0] = '\0';
	c->key_uid = (uid_t)-1;
	if ((c->peer_error = api_peer_identify(c->cfd, &c->caller.peer, &err)) < 0) {
		snprintf(c->peer_why, sizeof(c->peer_why), "%s", err.msg);
		memset(&c->caller.peer, 0, sizeof(c->caller.peer));
		if (getsockopt(c->cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
			c->key_uid = cred.uid;
		return;
	}
	c->key_uid = c->caller.peer.uid;
	c->in_container = c->caller.peer.nids > 0;
	c->is_root = !c->in_container && c->caller.peer.uid == 0;
}

/* Do two connections count against the same caller's limit? */
static bool
conn_same_caller(const struct gate_conn *a, const struct gate_conn *b)
{
	if (a->in_container != b->in_container)
		return false;
	/*
	 * A container is its exact cgroup path (api_peer_cgroup_path), not
	 * the outermost id in it: a container nested under another's cgroup
	 * must not spend (or borrow) that container's share.  A mixed path is
	 * refused at its first request; its ids still bound it here.
	 */
	if (a->in_container && a->caller.peer.path[0] != '\0' &&
	    b->caller.peer.path[0] != '\0')
		return strcmp(a->caller.peer.path, b->caller.peer.path) == 0;
	if (a->in_container)
		return strcmp(a->caller.peer.ids[0], b->caller.peer.ids[0]) == 0;
	return a->key_uid == b->key_uid;
}

/*
 * May c take a slot (g->lock held)?  Below max_conns in all; callers other
 * than host root leave DW_GATE_ROOT_RESERVE slots free for the admin and
 * hold at most max_conns_per_caller each.  false with the 503's text in msg.
 */
static bool
conn_admit(struct api_gate *g, const struct gate_conn *c, char *msg, size_t len)
{
	const struct gate_conn	*o;
	unsigned		 reserve, mine = 0;
	char			 who[64];

	if (g->nconns >= g->opts.max_conns) {
		snprintf(msg, len, "dockward: too many connections to the Docker "
		    "socket (%u open, the most it takes). Retry later; an admin can "
		    "raise --gatekeeper-max-connections", g->nconns);
		return false;
	}
	if (c->is_root)
		return true;
	reserve = g->opts.max_conns / 4 < DW_GATE_ROOT_RESERVE ?
	    g->opts.max_conns / 4 : DW_GATE_ROOT_RESERVE;
	if (g->nconns + reserve >= g->opts.max_conns) {
		snprintf(msg, len, "dockward: too many connections to the Docker "
		    "socket (%u open; the last %u are kept for root). Retry later; "
		    "an admin can raise --gatekeeper-max-connections", g->nconns, reserve);
		return false;
	}
	LIST_FOREACH(o, &g->conns, entry)
		if (conn_same_caller(c, o))
			mine++;
	if (mine < g->opts.max_conns_per_caller)
		return true;
	if (c->in_container)
		snprintf(who, sizeof(who), "container %.12s", c->caller.peer.ids[0]);
	else
		snprintf(who, sizeof(who), "uid %ld", c->key_uid == (uid_t)-1 ? -1L :
		    (long)c->key_uid);
	snprintf(msg, len, "dockward: too many connections to the Docker socket "
	    "from this caller (%s holds %u, the most one caller may). Close idle "
	    "connections and retry; an admin can raise "
	    "--gatekeeper-max-connections-per-caller", who, mine);
	return false;
}

struct refusal {
	struct api_gate	*g;
	int		 fd;
	char		 msg[DW_MSG_MAX];
};

/* Answer one refused connection off the accept thread: drain, 503, close. */
static void *
refuse_main(void *arg)
{
	struct refusal	*rf = arg;
	struct api_gate	*g = rf->g;

	over_cap_drain(rf->fd);
	send_error(rf->fd, 503, "Service Unavailable", rf->msg, true, false);
	close(rf->fd);
	free(rf);
	pthread_mutex_lock(&g->lock);
	if (--g->nrefusers == 0 && g->nconns == 0)
		pthread_cond_broadcast(&g->drained);
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

/*
 * Refuse a connection with msg as a 503.  The wait for the client's request
 * (over_cap_drain) happens on one of a few refuser threads, never on the
 * accept thread, so a flood of refused connections cannot stall accepting
 * root's; past DW_GATE_REFUSERS_MAX the answer goes out at once.  The log
 * says so at most once a second.
 */
static void
refuse_conn(struct api_gate *g, int fd, const char *msg)
{
	struct refusal	*rf = NULL;
	pthread_attr_t	 attr;
	pthread_t	 t;
	time_t		 now = time(NULL);
	unsigned long	 quiet = 0;
	bool		 spawn = false, log = false;

	pthread_mutex_lock(&g->lock);
	if (g->nrefusers < DW_GATE_REFUSERS_MAX && !g->stopping) {
		g->nrefusers++;
		spawn = true;
	}
	if (now != g->refuse_logged) {
		g->refuse_logged = now;
		quiet = g->refused_quiet;
		g->refused_quiet = 0;
		log = true;
	} else
		g->refused_quiet++;
	pthread_mutex_unlock(&g->lock);
	if (log)
		log_warn("gatekeeper: connection refused: %s%s", msg + strlen("dockward: "),
		    quiet ? " (and more refusals not logged)" : "");
	if (spawn && (rf = calloc(1, sizeof(*rf))) != NULL) {
		rf->g = g;
		rf->fd = fd;
		snprintf(rf->msg, sizeof(rf->msg), "%s", msg);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, GATE_STACK);
		if (pthread_create(&t, &attr, refuse_main, rf) == 0) {
			pthread_attr_destroy(&attr);
			return;
		}
		pthread_attr_destroy(&attr);
		free(rf);
	}
	if (spawn) {
		pthread_mutex_lock(&g->lock);
		g->nrefusers--;
		pthread_mutex_unlock(&g->lock);
	}
	send_error(fd, 503, "Service Unavailable", msg, true, false);
	close(fd);
}

/* Accept loop: one detached thread per connection, up to max_conns. */
static void *
accept_main(void *arg)
{
	struct api_gate		*g = arg;
	struct gate_conn	*c;
	struct pollfd		 pfd[2];
	struct timeval		 tv;
	pthread_attr_t		 attr;
	pthread_t		 t;
	char			 msg[DW_MSG_MAX];
	int			 fd;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, GATE_STACK);
	for (;;) {
		pfd[0].fd = g->listen_fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = g->wake[0];
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		if ((fd = accept4(g->listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
				usleep(10000);
			continue;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->g = g;
		c->cfd = fd;
		c->efd = -1;
		conn_peer(c);
		pthread_mutex_lock(&g->lock);
		if (!conn_admit(g, c, msg, sizeof(msg))) {
			pthread_mutex_unlock(&g->lock);
			refuse_conn(g, fd, msg);
			free(c);
			continue;
		}
		LIST_INSERT_HEAD(&g->conns, c, entry);
		g->nconns++;
		api_metrics_gate_conn_open();
		pthread_mutex_unlock(&g->lock);
		/* The receive timeout bounds waits for request heads only. */
		tv.tv_sec = g->opts.head_timeout_s;
		tv.tv_usec = 0;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (pthread_create(&t, &attr, conn_main, c) != 0) {
			log_err("gatekeeper: cannot start a connection thread");
			conn_free(c);
		}
	}
	pthread_attr_destroy(&attr);
	return NULL;
}

struct api_gate *
api_gate_bind(const struct api_gate_opts *opts, const struct api_gate_ops *ops,
    struct dw_err *err)
{
	struct api_gate	*g;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		dw_err_set(err, "out of memory");
		return NULL;
	}
	g->opts = *opts;
	g->ops = *ops;
	g->listen_fd = g->wake[0] = g->wake[1] = -1;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->drained, NULL);
	LIST_INIT(&g->conns);
	if (g->opts.max_conns == 0)
		g->opts.max_conns = 1024;
	if (g->opts.max_conns_per_caller == 0)
		g->opts.max_conns_per_caller = DW_GATE_CONNS_PER_CALLER;
	if (g->opts.head_timeout_s <= 0)
		g->opts.head_timeout_s = 30;
	if (g->opts.idle_timeout_s <= 0)
		g->opts.idle_timeout_s = 300;
	if (g->opts.build_max == 0)
		g->opts.build_max = API_GATE_BUILD_MAX;
	/* Held-back build contexts go to disk, not memory: /var/tmp unless told. */
	g->opts.spool_dir = NULL;
	if ((g->spool_dir = strdup(opts->spool_dir ? opts->spool_dir : "/var/tmp")) == NULL ||
	    (g->socket_path = strdup(opts->socket_path)) == NULL ||
	    (g->engine_socket = strdup(opts->engine_socket)) == NULL) {
		dw_err_set(err, "out of memory");
		goto fail;
	}
	g->opts.spool_dir = g->spool_dir;
	if (strcmp(opts->socket_path, opts->engine_socket) == 0) {
		dw_err_set(err, "the gatekeeper socket and the engine socket are both "
		    "%s; give dockerd its own socket (-H unix:///run/dockward/engine.sock)",
		    opts->socket_path);
		goto fail;
	}
	if ((g->listen_fd = dw_sock_listen(opts->socket_path, opts->mode, err)) < 0)
		goto fail;
	if (opts->gid != (gid_t)-1 && chown(opts->socket_path, 0, opts->gid) < 0) {
		dw_err_set(err, "cannot give %s to group %u: %s", opts->socket_path,
		    (unsigned)opts->gid, strerror(errno));
		goto fail;
	}
	if (pipe2(g->wake, O_CLOEXEC) < 0) {
		dw_err_set(err, "pipe: %s", strerror(errno));
		goto fail;
	}
	return g;
fail:
	api_gate_stop(g);
	return NULL;
}

int
api_gate_run(struct api_gate *g, struct dw_err *err)
{
	if (pthread_create(&g->acceptor, NULL, accept_main, g) != 0) {
		dw_err_set(err, "cannot start the gatekeeper thread");
		return -EAGAIN;
	}
	g->acceptor_started = true;
	return 0;
}

struct api_gate *
api_gate_start(const struct api_gate_opts *opts, const struct api_gate_ops *ops,
    struct dw_err *err)
{
	struct api_gate	*g;

	if ((g = api_gate_bind(opts, ops, err)) == NULL)
		return NULL;
	if (api_gate_run(g, err) != 0) {
		api_gate_stop(g);
		return NULL;
	}
	return g;
}

void
api_gate_stop(struct api_gate *g)
{
	struct gate_conn	*c;
	struct timespec		 ts;
	bool			 drained;

	if (g == NULL)
		return;
	if (g->acceptor_started) {
		(void)!write(g->wake[1], "x", 1);
		pthread_join(g->acceptor, NULL);
	}
	if (g->listen_fd >= 0) {
		close(g->listen_fd);
		unlink(g->socket_path);
	}
	/* Wake every connection thread and give them a moment to finish. */
	pthread_mutex_lock(&g->lock);
	g->stopping = true;
	LIST_FOREACH(c, &g->conns, entry) {
		shutdown(c->cfd, SHUT_RDWR);
		if (c->efd >= 0)
			shutdown(c->efd, SHUT_RDWR);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	while (g->nconns > 0 || g->nrefusers > 0)
		if (pthread_cond_timedwait(&g->drained, &g->lock, &ts) != 0)
			break;
	drained = g->nconns == 0 && g->nrefusers == 0;
	while (g->npool > 0)
		close(g->pool[--g->npool]);
	pthread_mutex_unlock(&g->lock);
	if (!drained) {
		/* A thread still holds g: leave it (the process is exiting). */
		log_warn("gatekeeper: %u connections still open at stop", g->nconns);
		return;
	}
	if (g->wake[0] >= 0)
		close(g->wake[0]);
	if (g->wake[1] >= 0)
		close(g->wake[1]);
	pthread_cond_destroy(&g->drained);
	pthread_mutex_destroy(&g->lock);
	free(g->spool_dir);
	free(g->socket_path);
	free(g->engine_socket);
	free(g);
}
