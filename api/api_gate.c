/* api_gate: the gatekeeper's per-request decision (see api_gate.h). */
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
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/api_engine.h"
#include "api/api_gate.h"
#include "api/api_http.h"
#include "api/api_metrics.h"
#include "api/api_pump.h"
#include "authz/authz_rules.h"
#include "authz/authz_uri.h"
#include "common/dw_log.h"
#include "common/dw_sock.h"

struct api_gate {
	struct api_gate_opts	 opts;
	char			*spool_dir;	/* opts.spool_dir points here */
	char			*engine_socket;	/* opts.engine_socket points here */
	struct api_gate_ops	 ops;
	struct api_engine_pool	 pool;		/* idle engine connections: age, peek (api_engine.h) */
};

struct api_gate_conn {
	struct api_gate		*g;
	struct api_pump		 pump;		/* both sockets (owned here) and their bytes */
	struct api_gate_caller	 caller;
	bool			 identified;
	int			 peer_error;	/* api_peer_identify at accept: 0 or -errno */
	char			 peer_why[DW_ERR_MAX];
};

/* A build context held back until its decision. */
struct gate_spool {
	int			 fd;		/* an unlinked file in spool_dir, -1 when none */
	unsigned long long	 len;
	unsigned long long	 max;
	int			 error;		/* the file could not be created: -errno */
	char			*head;		/* the request head as received (new) */
	size_t			 head_len;
	void			*map;		/* the file, mapped for the decision */
};

/*
 * One request on its way through the gate.  Not zeroed as a whole (the
 * decision's message and the routing error are 1.5 KB): exchange() sets
 * what every step reads, and each text is written before it is read.
 */
struct gate_exchange {
	size_t			 head_len;	/* the head: cin[0, head_len) */
	struct authz_uri	*uri;		/* NULL: unroutable (uerr says why) */
	struct dw_err		 uerr;
	enum authz_uri_endpoint	 endpoint;
	bool			 hijack;	/* the answer may turn the connection raw */
	bool			 create;	/* a container create: its answer names the Id */
	bool			 inspect;	/* the policy reads build contexts */
	bool			 spool;		/* this body is held back in sp */
	struct gate_spool	 sp;
	/* The decision, kept until it is audited (after forwarding, when allowed). */
	bool			 decided;	/* req and d are set */
	bool			 audited;
	uint64_t		 decide_ns;
	struct authz_request	 req;		/* borrows uri and the pump's request */
	struct authz_decision	 d;
};

/* How an exchange step ends. */
enum gate_next {
	GATE_GO_ON,		/* to the next step of this request */
	GATE_NEXT_REQUEST,	/* this request is done; the connection carries another */
	GATE_CLOSE,		/* this request is done, and so is the connection */
};

/* ---- engine connections ---- */

/* A pooled engine connection, or a new one; fd or -errno. */
static int
engine_get(struct api_gate *g, bool *ret_pooled)
{
	return api_engine_pool_get(&g->pool, g->engine_socket, ret_pooled);
}

/* Return an idle engine connection to the pool, or close it. */
static void
engine_put(struct api_gate *g, int fd)
{
	api_engine_pool_put(&g->pool, fd);
}

/* ---- the caller ---- */

/* Identify the caller once per connection, at its first request. */
static void
caller_identify(struct api_gate_conn *c)
{
	struct dw_err	err;
	int		r;

	if (c->identified)
		return;
	c->identified = true;
	err.msg[0] = '\0';
	/* The peer was read at accept; a cleared one is read now. */
	if ((r = c->peer_error) == 0 && c->caller.peer.pid == 0)
		r = api_peer_identify(c->pump.client.fd, &c->caller.peer, &err);
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

/* ---- refusals the gate makes itself ---- */

/*
 * Refuse a request the gatekeeper cannot pass on (malformed, too large):
 * answer it, asking to close, and audit it like any decision.
 */
static void
refuse(struct api_gate_conn *c, int status, const char *reason, const char *rule,
    const char *msg)
{
	const struct api_http_req	*rq = &c->pump.rq;
	struct authz_request		 req;
	struct authz_decision		 d;

	(void)api_http_error_write(c->pump.client.fd, status, reason, msg, true,
	    api_http_req_is_head(rq));
	memset(&req, 0, sizeof(req));
	req.method = rq->headers_done ? api_http_req_method(rq) : "-";
	req.raw_uri = rq->url_len > 0 ? rq->url : "-";
	req.content_length = -1;
	memset(&d, 0, sizeof(d));
	d.verdict = AUTHZ_DENY;
	d.rule = rule;
	snprintf(d.msg, sizeof(d.msg), "%s", msg);
	caller_identify(c);
	c->g->ops.record(c->g->ops.ctx, &c->caller, &req, &d);
}

/* Refuse a request whose framing dockerd could read differently. */
static void
refuse_framing(struct api_gate_conn *c, const char *why)
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

/* An answer to the request in flight that closes the connection (gateway errors). */
static void
answer_close(struct api_gate_conn *c, int status, const char *reason, const char *msg)
{
	(void)api_http_error_write(c->pump.client.fd, status, reason, msg, true,
	    api_http_req_is_head(&c->pump.rq));
}

/* ---- build contexts held back ---- */

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

/* The request parser's sink for a held-back body: the spool file, up to its max. */
static int
spool_sink(void *arg, const char *buf, size_t len)
{
	struct gate_spool	*sp = arg;

	if (sp->len + len > sp->max)
		return -E2BIG;
	if (spool_write(sp->fd, buf, len) < 0)
		return errno ? -errno : -EIO;
	sp->len += len;
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

/*
 * Hold a build context back: move the request head to sp->head and read
 * the whole body, de-chunked, into a new spool file, so the policy can
 * read its Dockerfile before dockerd sees a byte of it.  Bytes after the
 * body stay in cin (the next pipelined request).  0, or -errno with the
 * reason in *ret_why: -E2BIG over the limit, -EIO the spool could not be
 * written, -EPIPE the client left, -ETIMEDOUT it stalled.
 */
static int
spool_body(struct api_gate_conn *c, struct gate_spool *sp, const char **ret_why)
{
	struct api_pump	*p = &c->pump;

	if ((sp->fd = spool_open(c->g->opts.spool_dir)) < 0) {
		sp->error = sp->fd;
		sp->fd = -1;
		*ret_why = "the spool file for the build context could not be created";
		return -EIO;
	}
	sp->max = c->g->opts.build_max;
	p->rq.sink = spool_sink;
	p->rq.sink_arg = sp;
	if ((sp->head = malloc(p->cparsed)) == NULL) {
		*ret_why = "out of memory";
		return -ENOMEM;
	}
	memcpy(sp->head, p->cin.b, p->cparsed);
	sp->head_len = p->cparsed;
	api_pump_consume(p);
	return api_pump_read_body(p, ret_why);
}

/* Drop a held-back build context: its head copy, its mapping and its spool file. */
static void
spool_release(struct api_gate_conn *c, struct gate_spool *sp)
{
	if (sp->map != NULL)
		munmap(sp->map, (size_t)sp->len);
	sp->map = NULL;
	free(sp->head);
	sp->head = NULL;
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	if (c->pump.rq.sink_arg == sp) {
		c->pump.rq.sink = NULL;
		c->pump.rq.sink_arg = NULL;
	}
}

/* ---- forwarding ---- */

/*
 * Send a request head to the engine: as received, or in full mode with a
 * stamp for this request added after its request line (api_stamp.h).
 * 0 or -errno (-EIO: no stamp could be issued).
 */
static int
forward_head(struct api_gate_conn *c, const char *head, size_t head_len)
{
	struct api_pump	*p = &c->pump;
	char		 stamp[API_STAMP_LEN + 1], *out = NULL;
	size_t		 out_len = 0;
	int		 r;

	if (c->g->ops.stamp == NULL)
		return dw_sock_write_all(p->engine.fd, head, head_len);
	if (c->g->ops.stamp(c->g->ops.ctx, api_http_req_method(&p->rq), p->rq.url,
	    stamp) < 0)
		return -EIO;
	if ((r = api_stamp_head_add(head, head_len, stamp, &out, &out_len)) < 0)
		return r;
	r = dw_sock_write_all(p->engine.fd, out, out_len);
	free(out);
	return r;
}

/*
 * Send the request as it stands to the engine: a held-back one as its
 * head and the spooled body framed as the head says (as is for a
 * Content-Length, one chunk for chunked); any other as its head and the
 * body bytes read so far.  0 or -errno.
 */
static int
forward_request(struct api_gate_conn *c, const struct gate_exchange *x)
{
	struct api_pump			*p = &c->pump;
	const struct gate_spool		*sp = &x->sp;
	char				 frame[32];
	int				 r, n;

	if (!x->spool) {
		if ((r = forward_head(c, p->cin.b, x->head_len)) < 0)
			return r;
		return dw_sock_write_all(p->engine.fd, p->cin.b + x->head_len,
		    p->cparsed - x->head_len);
	}
	if ((r = forward_head(c, sp->head, sp->head_len)) < 0)
		return r;
	if (!api_http_req_chunked(&p->rq))
		return sp->len > 0 ? dw_sock_write_all(p->engine.fd, sp->map,
		    (size_t)sp->len) : 0;
	if (sp->len > 0) {
		n = snprintf(frame, sizeof(frame), "%llx\r\n", sp->len);
		if ((r = dw_sock_write_all(p->engine.fd, frame, (size_t)n)) < 0 ||
		    (r = dw_sock_write_all(p->engine.fd, sp->map, (size_t)sp->len)) < 0 ||
		    (r = dw_sock_write_all(p->engine.fd, "\r\n", 2)) < 0)
			return r;
	}
	return dw_sock_write_all(p->engine.fd, "0\r\n\r\n", 5);
}

/* A container create was answered: the creator is recorded before the client learns the Id. */
static void
gate_created(void *arg, unsigned status, const char *body, size_t len)
{
	struct api_gate_conn	*c = arg;

	if (status == 201)
		c->g->ops.created(c->g->ops.ctx, &c->caller, body, len);
}

/* ---- one request: the steps ---- */

/*
 * Read the request head and refuse what cannot be decided: a malformed or
 * oversized head, one dockerd could frame differently, one carrying a
 * stamp.  Then route it.
 */
static enum gate_next
step_head(struct api_gate_conn *c, struct gate_exchange *x)
{
	struct api_pump	*p = &c->pump;
	const char	*why = NULL;
	char		 msg[DW_MSG_MAX], w[DW_ERR_MAX];
	int		 r;

	if ((r = api_pump_read_head(p, &why)) != 0) {
		if (r == -EPROTO) {
			snprintf(w, sizeof(w), "the request head is not well-formed "
			    "HTTP (%s)", why ? why : "malformed");
			refuse_framing(c, w);
		} else if (r == -E2BIG) {
			snprintf(msg, sizeof(msg), "dockward: request refused "
			    "(request.http): %s. Send a well-formed HTTP/1.1 request",
			    why ? why : "malformed HTTP");
			refuse(c, 431, "Request Header Fields Too Large",
			    "request.http", msg);
		}
		return GATE_CLOSE;	/* also when the client left between requests */
	}
	x->head_len = p->cparsed;
	if (api_http_req_head_check(&p->rq, p->cin.b, x->head_len, &why) < 0) {
		refuse_framing(c, why);
		return GATE_CLOSE;
	}
	/* Only the gatekeeper writes stamps (full mode): refuse one in any spelling. */
	if (api_stamp_head_has(p->cin.b, x->head_len)) {
		refuse(c, 400, "Bad Request", "request.unstamped", "dockward: request "
		    "refused (request.unstamped): it carries an " API_STAMP_HEADER
		    " header, which only dockward's gatekeeper writes. Send the "
		    "request without it");
		return GATE_CLOSE;
	}
	if (authz_uri_parse(api_http_req_method(&p->rq), p->rq.url, &x->uri, &x->uerr) < 0)
		x->uri = NULL;
	x->endpoint = x->uri != NULL ? x->uri->endpoint : AUTHZ_EP_UNKNOWN;
	x->hijack = api_http_req_upgrade(&p->rq) || api_http_endpoint_hijacks(x->endpoint);
	x->create = x->endpoint == AUTHZ_EP_CONTAINER_CREATE;
	return GATE_GO_ON;
}

/* A held-back build context could not be read whole: say why. */
static void
refuse_spool(struct api_gate_conn *c, const struct gate_exchange *x, int r,
    const char *why)
{
	char	msg[DW_MSG_MAX];
	int	e;

	if (r == -E2BIG) {
		snprintf(msg, sizeof(msg), "dockward: build denied "
		    "(build.context): the build context is larger than %llu "
		    "bytes, the most dockward holds back to read its Dockerfile. "
		    "Leave large files out with .dockerignore, or an admin can "
		    "raise --gatekeeper-build-context-max", c->g->opts.build_max);
		refuse(c, 413, "Payload Too Large", "build.context", msg);
		api_pump_drain(&c->pump);
	} else if (r == -EPROTO) {
		refuse_framing(c, why);
	} else if (r != -EPIPE && r != -ETIMEDOUT) {
		e = x->sp.error ? -x->sp.error : c->pump.rq.sink_error ?
		    -c->pump.rq.sink_error : -r;
		snprintf(msg, sizeof(msg), "dockward: build denied "
		    "(build.context): %s (%s), so its Dockerfile cannot be "
		    "checked. An admin should check the space and permissions "
		    "of dockward's state directory %s", why, strerror(e),
		    c->g->opts.spool_dir);
		refuse(c, 507, "Insufficient Storage", "build.context", msg);
	}
}

/*
 * Read the body the decision needs: a JSON body whole (kept in cin, to be
 * forwarded as it came), or a build context the policy reads, held back
 * in a spool file.  Other bodies stream after the decision.
 */
static enum gate_next
step_body(struct api_gate_conn *c, struct gate_exchange *x)
{
	struct api_pump	*p = &c->pump;
	const struct api_gate_ops *ops = &c->g->ops;
	const char	*why = NULL;
	char		 msg[DW_MSG_MAX];
	int		 r;

	p->rq.buffer_body = api_http_req_reads_whole(&p->rq, x->endpoint);
	x->inspect = x->endpoint == AUTHZ_EP_BUILD && ops->inspect_build != NULL &&
	    ops->inspect_build(ops->ctx);
	x->spool = x->inspect && api_http_req_has_body(&p->rq);
	/* The rules need the body first: say "go on" as dockerd would. */
	if ((p->rq.buffer_body || x->spool) && p->rq.expect_continue &&
	    !p->rq.complete && p->cparsed == p->cin.len)
		(void)dw_sock_write_all(p->client.fd, API_HTTP_CONTINUE,
		    sizeof(API_HTTP_CONTINUE) - 1);
	if (p->rq.buffer_body && (r = api_pump_read_body(p, &why)) < 0) {
		if (r == -E2BIG) {
			snprintf(msg, sizeof(msg), "dockward: request refused "
			    "(request.body): the body is larger than %d bytes. Send a "
			    "smaller request", DW_BODY_MAX);
			refuse(c, 413, "Payload Too Large", "request.body", msg);
		} else if (r == -EPROTO)
			refuse_framing(c, why);
		return GATE_CLOSE;
	}
	if (!x->spool)
		return GATE_GO_ON;
	if ((r = spool_body(c, &x->sp, &why)) < 0) {
		refuse_spool(c, x, r, why);
		return GATE_CLOSE;
	}
	if (x->sp.len == 0)
		return GATE_GO_ON;
	x->sp.map = mmap(NULL, (size_t)x->sp.len, PROT_READ, MAP_PRIVATE, x->sp.fd, 0);
	if (x->sp.map == MAP_FAILED) {
		x->sp.map = NULL;
		snprintf(msg, sizeof(msg), "dockward: build denied "
		    "(build.context): the held-back build context cannot be "
		    "read (%s). Retry with a smaller context", strerror(errno));
		refuse(c, 507, "Insufficient Storage", "build.context", msg);
		return GATE_CLOSE;
	}
	return GATE_GO_ON;
}

/* Audit the exchange's decision, once. */
static void
audit_decision(struct api_gate_conn *c, struct gate_exchange *x)
{
	if (!x->decided || x->audited)
		return;
	x->audited = true;
	c->g->ops.audit(c->g->ops.ctx, &c->caller, &x->req, &x->d, x->decide_ns);
}

/* Nanoseconds from t0 to now (CLOCK_MONOTONIC). */
static uint64_t
since_ns(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000000000u +
	    (uint64_t)t1.tv_nsec - (uint64_t)t0->tv_nsec;
}

/*
 * Ask the policy.  A denied request is audited and answered here: 403,
 * the rest of a body still coming dropped, and the connection kept when
 * the request was whole and the client keeps it alive.  An allowed one is
 * audited once it went to the engine (step_forward).
 */
static enum gate_next
step_decide(struct api_gate_conn *c, struct gate_exchange *x)
{
	struct api_pump		*p = &c->pump;
	struct authz_request	*req = &x->req;
	struct authz_decision	*d = &x->d;
	struct timespec		 t0;
	bool			 whole, keep;

	caller_identify(c);
	/* The decision's time, as the metric has always counted it: from here to its end. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(req, 0, sizeof(*req));
	req->method = api_http_req_method(&p->rq);
	req->raw_uri = p->rq.url;
	req->uri = x->uri;
	req->uri_error = x->uri ? NULL : x->uerr.msg;
	req->body = p->rq.body;
	req->body_len = p->rq.body_len;
	req->content_type = p->rq.have_ct ? p->rq.content_type : NULL;
	req->content_length = p->rq.content_length;
	req->build_inspected = x->inspect;
	req->build_context = x->sp.map;
	req->build_context_len = x->spool ? (size_t)x->sp.len : 0;
	/* Deny unless decide says otherwise; its texts start empty. */
	d->verdict = AUTHZ_DENY;
	d->rule = NULL;
	d->field[0] = '\0';
	d->msg[0] = '\0';
	c->g->ops.decide(c->g->ops.ctx, &c->caller, req, d);
	x->decide_ns = since_ns(&t0);
	x->decided = true;
	/* Whatever the policy read of a held-back context is not the audit's. */
	req->build_context = NULL;
	req->build_context_len = 0;
	if (d->verdict == AUTHZ_ALLOW)
		return GATE_GO_ON;
	audit_decision(c, x);
	whole = p->rq.complete;
	keep = api_http_req_keep_alive(&p->rq);
	if (api_pump_refuse(p, 403, "Forbidden", d->msg[0] ? d->msg :
	    "dockward: request denied", !whole || !keep) < 0 || !whole || !keep)
		return GATE_CLOSE;
	api_pump_consume(p);
	return GATE_NEXT_REQUEST;
}

/*
 * Send the allowed request to the engine: on this connection's engine
 * connection or a pooled one, once more on a new one when that turns out
 * to be closed, and never twice on a new one.  Then audit the decision,
 * while dockerd works on it; when the request could not be sent, audit it
 * all the same (it was allowed) before the client hears why.
 */
static enum gate_next
step_forward(struct api_gate_conn *c, struct gate_exchange *x)
{
	struct api_pump	*p = &c->pump;
	bool		 pooled = true;	/* this connection's own counts as pooled */
	int		 attempt, r;

	for (attempt = 0;; attempt++) {
		if (p->engine.fd < 0 && (p->engine.fd = engine_get(c->g, &pooled)) < 0) {
			p->engine.fd = -1;
			api_metrics_upstream_error();
			audit_decision(c, x);
			answer_close(c, 502, "Bad Gateway", "dockward: the Docker engine "
			    "is not reachable. Check that dockerd is running");
			return GATE_CLOSE;
		}
		if ((r = forward_request(c, x)) == 0)
			break;
		if (r == -EIO && c->g->ops.stamp != NULL) {
			audit_decision(c, x);
			answer_close(c, 503, "Service Unavailable", "dockward: the "
			    "request could not be stamped for the engine (no "
			    "randomness). Retry");
			return GATE_CLOSE;
		}
		close(p->engine.fd);
		p->engine.fd = -1;
		/* A kept connection the engine had closed: once more, on a new one. */
		if (!pooled || attempt == 1) {
			api_metrics_upstream_error();
			audit_decision(c, x);
			answer_close(c, 502, "Bad Gateway", "dockward: the Docker "
			    "engine closed the connection. Retry");
			return GATE_CLOSE;
		}
	}
	audit_decision(c, x);
	/* Sent: the held-back context is dockerd's now, the bytes are out of cin. */
	spool_release(c, &x->sp);
	api_pump_consume(p);
	return GATE_GO_ON;
}

/* Pass the rest of the exchange on; keep the engine connection if it may be reused. */
static enum gate_next
step_pump(struct api_gate_conn *c, struct gate_exchange *x)
{
	struct api_pump	*p = &c->pump;
	int		 r;

	r = api_pump_run(p, x->hijack, x->create && c->g->ops.created != NULL ?
	    gate_created : NULL, c);
	/* A bad body with nothing of the answer out yet: say why. */
	if (r == -EPROTO && p->why != NULL && !api_pump_answer_started(p))
		refuse_framing(c, p->why);
	if (r <= 0 || !p->engine_reusable) {
		if (p->engine.fd >= 0)
			close(p->engine.fd);
		p->engine.fd = -1;
	}
	return r > 0 ? GATE_NEXT_REQUEST : GATE_CLOSE;
}

/* Handle one request: read, refuse or decide, forward, pass the rest on. */
static enum gate_next
exchange(struct api_gate_conn *c)
{
	struct gate_exchange	x;
	enum gate_next		next;

	/* Not the texts (see struct gate_exchange): step_head writes uerr before it is read. */
	x.head_len = 0;
	x.uri = NULL;
	x.uerr.msg[0] = '\0';
	x.endpoint = AUTHZ_EP_UNKNOWN;
	x.hijack = x.create = x.inspect = x.spool = false;
	memset(&x.sp, 0, sizeof(x.sp));
	x.sp.fd = -1;
	x.decided = x.audited = false;
	x.decide_ns = 0;
	if ((next = step_head(c, &x)) == GATE_GO_ON &&
	    (next = step_body(c, &x)) == GATE_GO_ON &&
	    (next = step_decide(c, &x)) == GATE_GO_ON &&
	    (next = step_forward(c, &x)) == GATE_GO_ON)
		next = step_pump(c, &x);
	audit_decision(c, &x);	/* every decision is audited, whatever happened after it */
	spool_release(c, &x.sp);
	authz_uri_free(x.uri);
	/* Waiting for the next request, the connection holds no large buffer. */
	if (next == GATE_NEXT_REQUEST)
		api_pump_release(&c->pump, false);
	return next;
}

/* ---- the gate and its connections ---- */

struct api_gate *
api_gate_new(const struct api_gate_opts *opts, const struct api_gate_ops *ops,
    struct dw_err *err)
{
	struct api_gate	*g;

	/* Every request is decided and every decision audited: no default for either. */
	if (ops->decide == NULL || ops->audit == NULL) {
		dw_err_set(err, "the gatekeeper needs a decide and an audit function");
		return NULL;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		dw_err_set(err, "out of memory");
		return NULL;
	}
	if (api_engine_pool_init(&g->pool, DW_GATE_POOL_MAX) < 0) {
		dw_err_set(err, "the engine connection pool could not be set up");
		free(g);
		return NULL;
	}
	g->opts = *opts;
	g->ops = *ops;
	if (g->opts.head_timeout_s <= 0)
		g->opts.head_timeout_s = DW_GATE_HEAD_TIMEOUT_S;
	if (g->opts.idle_timeout_s <= 0)
		g->opts.idle_timeout_s = DW_GATE_IDLE_TIMEOUT_S;
	if (g->opts.build_max == 0)
		g->opts.build_max = DW_GATE_BUILD_MAX;
	/* Held-back build contexts go to disk, not memory: /var/tmp unless told. */
	if ((g->spool_dir = strdup(opts->spool_dir ? opts->spool_dir : "/var/tmp")) == NULL ||
	    (g->engine_socket = strdup(opts->engine_socket)) == NULL) {
		dw_err_set(err, "out of memory");
		api_gate_free(g);
		return NULL;
	}
	g->opts.spool_dir = g->spool_dir;
	g->opts.engine_socket = g->engine_socket;
	return g;
}

void
api_gate_pool_close(struct api_gate *g)
{
	api_engine_pool_close(&g->pool);
}

void
api_gate_free(struct api_gate *g)
{
	if (g == NULL)
		return;
	api_engine_pool_clear(&g->pool);
	free(g->spool_dir);
	free(g->engine_socket);
	free(g);
}

struct api_gate_conn *
api_gate_conn_new(struct api_gate *g, int cfd, const struct api_peer *peer,
    int peer_error, const char *peer_why)
{
	struct api_gate_conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->g = g;
	api_pump_init(&c->pump, cfd, g->opts.head_timeout_s, g->opts.idle_timeout_s);
	if (peer != NULL)
		c->caller.peer = *peer;
	c->peer_error = peer_error;
	snprintf(c->peer_why, sizeof(c->peer_why), "%s", peer_why ? peer_why : "");
	return c;
}

void
api_gate_conn_serve(struct api_gate_conn *c)
{
	while (exchange(c) == GATE_NEXT_REQUEST)
		;
}

void
api_gate_conn_wake(struct api_gate_conn *c)
{
	int	efd = c->pump.engine.fd;

	shutdown(c->pump.client.fd, SHUT_RDWR);
	if (efd >= 0)
		shutdown(efd, SHUT_RDWR);
}

void
api_gate_conn_free(struct api_gate_conn *c)
{
	if (c == NULL)
		return;
	if (c->pump.engine.fd >= 0) {
		if (c->pump.engine_reusable)
			engine_put(c->g, c->pump.engine.fd);
		else
			close(c->pump.engine.fd);
	}
	close(c->pump.client.fd);
	api_pump_clear(&c->pump);
	free(c);
}
