/* api_pump: a gatekeeper connection's bytes between client and engine (see api_pump.h). */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "api/api_http.h"
#include "api/api_pump.h"
#include "common/dw_limits.h"
#include "common/dw_log.h"
#include "common/dw_sock.h"

/* The most client bytes cin holds while a head is read, and while a body is. */
#define PUMP_HEAD_IN_MAX	(DW_GATE_HEAD_MAX + DW_GATE_IO_BUF)
#define PUMP_BODY_IN_MAX	(DW_GATE_HEAD_MAX + 2 * (size_t)DW_BODY_MAX + DW_GATE_IO_BUF)

/* What one turn of api_pump_run waits for. */
struct pump_wants {
	bool	cread;		/* client bytes: a request body, or a raw stream */
	bool	ewrite;		/* client bytes to the engine */
	bool	eread;		/* the answer, or a raw stream */
	bool	cwrite;		/* parsed answer bytes to the client */
};

/* ---- the client buffer ---- */

/* Make room for at least want more bytes, up to max in all; 0 or -E2BIG/-ENOMEM. */
static int
buf_reserve(struct api_pump_buf *b, size_t want, size_t max)
{
	size_t	 ncap;
	char	*nb;

	if (b->cap - b->len >= want)
		return 0;
	if (b->len + want > max)
		return -E2BIG;
	ncap = b->cap ? b->cap : DW_GATE_IDLE_BUF;
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
buf_consume(struct api_pump_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->b, b->b + n, b->len - n);
	b->len -= n;
}

/*
 * Read more client bytes into cin, up to max in all (blocking up to the
 * socket's receive timeout).  >0 bytes read, 0 on EOF, -ETIMEDOUT, -E2BIG
 * when cin is full, or -errno.  A new request's first read takes up to
 * DW_GATE_IDLE_BUF (most requests are a few hundred bytes: cin stays
 * small), any other up to DW_GATE_IO_BUF.
 */
static ssize_t
pump_read(struct api_pump *p, size_t max, bool first)
{
	ssize_t	n;
	int	r;

	if ((r = buf_reserve(&p->cin, first && p->cin.len == 0 ? DW_GATE_IDLE_BUF :
	    DW_GATE_IO_BUF, max)) < 0) {
		if (r != -E2BIG || p->cin.len >= max)
			return r;
	}
	for (;;) {
		n = recv(p->client.fd, p->cin.b + p->cin.len, p->cin.cap - p->cin.len, 0);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	}
	p->cin.len += (size_t)n;
	return n;
}

/*
 * Wait (up to the socket's receive timeout) until a client byte is there,
 * reading none: a connection long idle waits without a buffer.  1 when
 * one is, 0 on EOF, -ETIMEDOUT, or -errno.
 */
static ssize_t
pump_peek(struct api_pump *p)
{
	char	ch;
	ssize_t	n;

	do
		n = recv(p->client.fd, &ch, 1, MSG_PEEK);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	return n;
}

void
api_pump_init(struct api_pump *p, int cfd, int head_timeout_s, int idle_timeout_s)
{
	memset(p, 0, sizeof(*p));
	p->client.fd = cfd;
	p->engine.fd = -1;
	p->head_timeout_s = head_timeout_s;
	p->idle_timeout_s = idle_timeout_s;
	api_http_req_reset(&p->rq);
	p->phase = API_PUMP_DONE;
}

void
api_pump_clear(struct api_pump *p)
{
	api_http_req_clear(&p->rq);
	free(p->cin.b);
	free(p->ebuf);
	p->cin.b = p->ebuf = NULL;
	p->cin.len = p->cin.cap = 0;
	p->ecap = 0;
}

void
api_pump_release(struct api_pump *p, bool all)
{
	/* The rules had the body; the engine has its bytes (from cin). */
	api_http_req_clear(&p->rq);
	p->rq.body_len = 0;
	if (p->cin.len == 0 && (all || p->cin.cap > DW_GATE_IDLE_BUF)) {
		free(p->cin.b);
		p->cin.b = NULL;
		p->cin.cap = 0;
	}
	/* Between exchanges ebuf holds nothing: api_pump_run starts it empty. */
	if (all || p->ecap > DW_GATE_IDLE_BUF) {
		free(p->ebuf);
		p->ebuf = NULL;
		p->ecap = 0;
	}
}

void
api_pump_consume(struct api_pump *p)
{
	buf_consume(&p->cin, p->cparsed);
	p->cparsed = 0;
}

/* ---- before the decision: hold the request ---- */

int
api_pump_read_head(struct api_pump *p, const char **ret_why)
{
	struct timespec	start, now;
	bool		started = p->cin.len > 0, timed = false;
	int		idle = 0;
	ssize_t		n;
	int		r;

	api_http_req_reset(&p->rq);
	for (;;) {
		if ((r = api_http_req_head_feed(&p->rq, p->cin.b, p->cin.len, &p->cparsed,
		    ret_why)) != 0)
			return r < 0 ? r : 0;
		/*
		 * Started and not whole: the head's deadline runs from its
		 * first byte, which came just now (a head that comes whole in
		 * one read needs no clock).
		 */
		if (started && !timed) {
			clock_gettime(CLOCK_MONOTONIC, &start);
			timed = true;
		}
		if (idle > 0 && p->cin.cap == 0) {
			/* Released while idle: wait for the next byte without a buffer, then read. */
			if ((n = pump_peek(p)) > 0)
				n = pump_read(p, PUMP_HEAD_IN_MAX, true);
		} else
			n = pump_read(p, PUMP_HEAD_IN_MAX, !started);
		if (n == 0) {
			if (!started && p->cin.len == 0)
				return 1;
			*ret_why = "the client closed the connection inside a request head";
			return -EPIPE;
		}
		if (n == -ETIMEDOUT) {
			/* Idle keep-alive: a few socket timeouts; a started head: one deadline. */
			if (!started && p->cin.len == 0 &&
			    ++idle * p->head_timeout_s < p->idle_timeout_s) {
				/* Idle for a while: hold no buffer while it lasts. */
				if (idle == 1)
					api_pump_release(p, true);
				continue;
			}
			*ret_why = "timed out waiting for the request head";
			return -ETIMEDOUT;
		}
		if (n < 0) {
			*ret_why = "read error";
			return (int)n;
		}
		if (!started)
			started = true;
		else if (timed) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec > p->head_timeout_s) {
				*ret_why = "timed out waiting for the request head";
				return -ETIMEDOUT;
			}
		}
	}
}

int
api_pump_read_body(struct api_pump *p, const char **ret_why)
{
	ssize_t	n;
	int	r;

	while (!p->rq.complete) {
		if (p->cparsed < p->cin.len) {
			r = api_http_req_feed(&p->rq, p->cin.b, p->cin.len, &p->cparsed,
			    ret_why);
			if (p->rq.sink != NULL)
				api_pump_consume(p);
			if (r < 0)
				return r;
			if ((r = api_http_req_body_check(&p->rq, ret_why)) < 0)
				return r;
			continue;
		}
		n = pump_read(p, PUMP_BODY_IN_MAX, false);
		if (n == 0) {
			*ret_why = "the client closed the connection inside a request body";
			return -EPIPE;
		}
		if (n < 0) {
			*ret_why = n == -E2BIG ? "body too large" :
			    "timed out reading the request body";
			return (int)n;
		}
	}
	return 0;
}

/* ---- after a deny: answer, drop the body ---- */

void
api_pump_drain(struct api_pump *p)
{
	struct timespec	 start, now;
	const char	*why;
	size_t		 total = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!p->rq.complete && total < DW_GATE_DRAIN_MAX) {
		if (p->cparsed < p->cin.len) {
			if (api_http_req_feed(&p->rq, p->cin.b, p->cin.len, &p->cparsed,
			    &why) < 0)
				return;
			total += p->cparsed;
			api_pump_consume(p);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > p->head_timeout_s)
			return;
		if (pump_read(p, PUMP_HEAD_IN_MAX, false) <= 0)
			return;
	}
}

int
api_pump_refuse(struct api_pump *p, int status, const char *reason, const char *msg,
    bool close_conn)
{
	int	r;

	r = api_http_error_write(p->client.fd, status, reason, msg, close_conn,
	    api_http_req_is_head(&p->rq));
	if (r == 0 && !p->rq.complete)
		api_pump_drain(p);
	return r;
}

/* ---- after an allow: the exchange ---- */

/* Has dockerd taken the connection (raw bytes both ways)? */
static bool
pump_raw(const struct api_pump *p)
{
	return p->phase == API_PUMP_UPGRADED || p->phase == API_PUMP_HALF_CLOSED;
}

/* Client bytes that may go to the engine: the parsed request body, or all of a raw stream. */
static size_t
pump_cfwd(const struct api_pump *p)
{
	return pump_raw(p) ? p->cin.len : p->cparsed;
}

static void
pump_finish(struct api_pump *p, int result)
{
	p->phase = API_PUMP_DONE;
	p->result = result;
}

/* A side stopped sending: an upgraded connection is half-closed now. */
static void
pump_side_eof(struct api_pump *p, struct api_pump_side *side)
{
	side->eof = true;
	p->engine_reusable = false;
	if (p->phase == API_PUMP_UPGRADED)
		p->phase = API_PUMP_HALF_CLOSED;
}

/* The answer's head says dockerd took the connection. */
static void
pump_upgrade(struct api_pump *p)
{
	p->phase = p->client.eof || p->engine.eof ? API_PUMP_HALF_CLOSED :
	    API_PUMP_UPGRADED;
	p->engine_reusable = false;
	p->eparsed = p->elen;
}

/* Parse the request body that has come: it may go on as far as it is parsed. */
static int
pump_request_parse(struct api_pump *p)
{
	int	r;

	if ((r = api_http_req_feed(&p->rq, p->cin.b, p->cin.len, &p->cparsed,
	    &p->why)) < 0) {
		log_warn("gatekeeper: bad request body: %s", p->why);
		return r;
	}
	if (p->rq.complete)
		p->phase = p->rs.headers_done ? API_PUMP_RESPONSE_BODY :
		    API_PUMP_RESPONSE_HEAD;
	return 0;
}

/* Parse the answer that has come: it may go to the client as far as it is parsed. */
static int
pump_answer_parse(struct api_pump *p)
{
	const char	*why = NULL;

	if (api_http_resp_feed(&p->rs, p->ebuf, p->elen, &p->eparsed, &why) < 0) {
		log_warn("gatekeeper: bad response from the engine: %s", why);
		return -EBADMSG;
	}
	if (p->rs.headers_done && p->hijack_pending) {
		p->hijack_pending = false;
		if (api_http_resp_hijacked(&p->rs)) {
			pump_upgrade(p);
			return 0;
		}
	}
	if (p->rs.headers_done && p->phase == API_PUMP_RESPONSE_HEAD)
		p->phase = API_PUMP_RESPONSE_BODY;
	if (api_http_resp_interim(&p->rs)) {
		/* 100 Continue: it goes on, and the final answer is parsed next. */
		api_http_resp_restart(&p->rs);
		if (p->phase == API_PUMP_RESPONSE_BODY)
			p->phase = API_PUMP_RESPONSE_HEAD;
	}
	return 0;
}

/* Bytes after a complete answer: never forwarded, never reused. */
static void
pump_answer_trim(struct api_pump *p)
{
	if (pump_raw(p))
		p->eparsed = p->elen;
	else if (p->rs.complete && p->eoff == p->eparsed && p->eparsed < p->elen) {
		log_warn("gatekeeper: the engine sent %zu bytes after an answer",
		    p->elen - p->eparsed);
		p->engine_reusable = false;
		p->elen = p->eparsed;
	}
}

/* Is the answer complete and through?  Then the exchange is over. */
static bool
pump_answer_done(struct api_pump *p)
{
	if (pump_raw(p) || !p->rs.complete || p->eoff != p->elen)
		return false;
	if (!p->rq.complete || pump_cfwd(p) > 0) {
		/* Answered before the body was all sent: close. */
		p->engine_reusable = false;
		pump_finish(p, 0);
		return true;
	}
	/* Either side saying close ends both connections. */
	if (!api_http_req_keep_alive(&p->rq) || !api_http_resp_keep_alive(&p->rs) ||
	    p->client.eof) {
		p->engine_reusable = false;
		pump_finish(p, 0);
		return true;
	}
	pump_finish(p, 1);
	return true;
}

/*
 * Pass half-closes on once everything before them is through; true when
 * both directions of a raw stream have ended.
 */
static bool
pump_half_close(struct api_pump *p)
{
	size_t	cfwd = pump_cfwd(p);

	if (p->client.eof && cfwd == 0 && !p->engine.shut &&
	    (pump_raw(p) || p->rq.complete)) {
		shutdown(p->engine.fd, SHUT_WR);
		p->engine.shut = true;
	}
	if (pump_raw(p) && p->engine.eof && p->eoff == p->elen && !p->client.shut) {
		shutdown(p->client.fd, SHUT_WR);
		p->client.shut = true;
	}
	if (pump_raw(p) && p->client.eof && p->engine.eof && cfwd == 0 &&
	    p->eoff == p->elen) {
		pump_finish(p, 0);
		return true;
	}
	return false;
}

/* What this turn waits for.  The client is read only when all it sent is through (backpressure). */
static void
pump_wants(const struct api_pump *p, struct pump_wants *w)
{
	w->cread = !p->client.eof && p->cin.len == 0 &&
	    (pump_raw(p) || !p->rq.complete);
	w->ewrite = pump_cfwd(p) > 0;
	w->eread = !p->engine.eof && p->eoff == p->elen;
	w->cwrite = p->eoff < p->eparsed;
}

/* Send parsed answer bytes to the client, without waiting.  1 some went, 0 none, -errno. */
static int
pump_client_write(struct api_pump *p)
{
	ssize_t	n;

	n = send(p->client.fd, p->ebuf + p->eoff, p->eparsed - p->eoff,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -errno;
	if (n > 0) {
		p->eoff += (size_t)n;
		p->sent_any = true;
	}
	if (p->eoff == p->elen)
		p->eoff = p->elen = p->eparsed = 0;
	return n > 0 ? 1 : 0;
}

/* Send client bytes that may go on to the engine, without waiting.  0 or -errno. */
static int
pump_engine_write(struct api_pump *p)
{
	ssize_t	n;

	n = send(p->engine.fd, p->cin.b, pump_cfwd(p), MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -errno;
	if (n > 0) {
		buf_consume(&p->cin, (size_t)n);
		if (!pump_raw(p))
			p->cparsed -= (size_t)n;
	}
	return 0;
}

/*
 * The engine closed.  That ends a raw stream's engine half, or an answer
 * whose body runs to EOF; any other answer is cut short: the client gets
 * what was parsed (or a 502 when nothing came) and the connection closes.
 */
static void
pump_engine_eof(struct api_pump *p)
{
	pump_side_eof(p, &p->engine);
	if (pump_raw(p) || p->rs.complete)
		return;
	api_http_resp_eof(&p->rs);
	if (p->rs.complete)
		return;
	if (!p->sent_any && p->elen == 0)
		(void)api_http_error_write(p->client.fd, 502, "Bad Gateway",
		    "dockward: the Docker engine closed the connection without "
		    "answering", true, api_http_req_is_head(&p->rq));
	/* Flush what was parsed, then close. */
	if (p->eoff < p->eparsed)
		(void)dw_sock_write_all(p->client.fd, p->ebuf + p->eoff,
		    p->eparsed - p->eoff);
	pump_finish(p, 0);
}

/* Read what the engine sent (flags: MSG_DONTWAIT, or 0 to wait).  0 or -errno. */
static int
pump_engine_read(struct api_pump *p, int flags)
{
	char	*nb;
	ssize_t	 n;

	n = recv(p->engine.fd, p->ebuf + p->elen, p->ecap - p->elen, flags);
	p->eread_more = n > 0 && (size_t)n == p->ecap - p->elen;
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -errno;
	if (n > 0)
		p->elen += (size_t)n;
	else if (n == 0)
		pump_engine_eof(p);
	/* An answer larger than the small buffer: a stream gets the whole DW_GATE_STREAM_BUF. */
	if (p->eread_more && p->ecap < DW_GATE_STREAM_BUF &&
	    (nb = realloc(p->ebuf, DW_GATE_STREAM_BUF)) != NULL) {
		p->ebuf = nb;
		p->ecap = DW_GATE_STREAM_BUF;
	}
	return 0;
}

/* Read what the client sent; its EOF inside a request body ends the exchange. */
static void
pump_client_read(struct api_pump *p)
{
	ssize_t	n;

	n = pump_read(p, PUMP_BODY_IN_MAX, false);
	if (n == 0 || (n < 0 && n != -ETIMEDOUT)) {
		pump_side_eof(p, &p->client);
		if (!pump_raw(p))
			pump_finish(p, 0);	/* cut off inside a request body */
	}
}

/* Wait for both sockets and move what they allow.  0 or -errno. */
static int
pump_poll(struct api_pump *p, const struct pump_wants *w)
{
	struct pollfd	pfd[2];
	int		r;

	pfd[0].fd = p->client.fd;
	pfd[0].events = (w->cread ? POLLIN : 0) | (w->cwrite ? POLLOUT : 0);
	/* A client that hangs up while its answer is coming must be noticed. */
	if (!pump_raw(p) && !p->hijack_pending && p->rq.complete && !p->client.eof)
		pfd[0].events |= POLLRDHUP;
	pfd[1].fd = p->engine.fd;
	pfd[1].events = (w->eread ? POLLIN : 0) | (w->ewrite ? POLLOUT : 0);
	if (poll(pfd, 2, -1) < 0)
		return errno == EINTR ? 0 : -errno;
	if (w->cwrite && (pfd[0].revents & (POLLOUT | POLLERR | POLLHUP)) &&
	    (r = pump_client_write(p)) < 0)
		return r;
	if (w->ewrite && (pfd[1].revents & (POLLOUT | POLLERR | POLLHUP)) &&
	    (r = pump_engine_write(p)) < 0)
		return r;
	if (w->eread && (pfd[1].revents & (POLLIN | POLLERR | POLLHUP))) {
		if ((r = pump_engine_read(p, MSG_DONTWAIT)) < 0)
			return r;
		if (p->phase == API_PUMP_DONE)
			return 0;
	}
	if (w->cread && (pfd[0].revents & (POLLIN | POLLERR | POLLHUP)))
		pump_client_read(p);
	else if ((pfd[0].events & POLLRDHUP) &&
	    (pfd[0].revents & (POLLRDHUP | POLLHUP | POLLERR)))
		pump_side_eof(p, &p->client);	/* half-closed while its answer comes: pass it on */
	return 0;
}

/*
 * Move bytes.  Syscalls are the cost of a proxy: try the client write at
 * once, and wait for an answer's first bytes with a plain blocking read
 * when nothing else is pending; poll() only for real duplex work and
 * streams.
 */
static int
pump_io(struct api_pump *p, const struct pump_wants *w)
{
	int	r;

	if (w->cwrite && (r = pump_client_write(p)) != 0)
		return r < 0 ? r : 0;
	/*
	 * GET/HEAD answers start at once (dockerd flushes the head of event
	 * and log streams); a POST may wait minutes (wait, stop), and then a
	 * client that hangs up must be noticed: poll.
	 */
	if (w->eread && !w->cread && !w->ewrite && !w->cwrite && !p->sent_any &&
	    api_http_req_is_get_or_head(&p->rq))
		return pump_engine_read(p, 0);
	/* A stream that filled the buffer last time likely has more now. */
	if (w->eread && p->eread_more) {
		p->eread_more = false;
		return pump_engine_read(p, MSG_DONTWAIT);
	}
	return pump_poll(p, w);
}

/* One turn: parse what has come, see whether the exchange is over, else move bytes. */
static int
pump_step(struct api_pump *p)
{
	struct pump_wants	w;

	if (p->phase == API_PUMP_REQUEST_BODY && p->cparsed < p->cin.len)
		return pump_request_parse(p);
	if (!pump_raw(p) && !p->rs.complete && p->eparsed < p->elen)
		return pump_answer_parse(p);
	pump_answer_trim(p);
	if (pump_answer_done(p) || pump_half_close(p))
		return 0;
	pump_wants(p, &w);
	if (!w.cread && !w.ewrite && !w.eread && !w.cwrite) {
		pump_finish(p, 0);
		return 0;
	}
	return pump_io(p, &w);
}

int
api_pump_run(struct api_pump *p, bool hijack, api_http_kept_fn kept, void *kept_arg)
{
	int	r;

	p->engine_reusable = true;
	if (p->ebuf == NULL) {
		if ((p->ebuf = malloc(DW_GATE_IDLE_BUF)) == NULL)
			return -ENOMEM;
		p->ecap = DW_GATE_IDLE_BUF;
	}
	api_http_resp_start(&p->rs, api_http_req_is_head(&p->rq), kept, kept_arg);
	p->elen = p->eoff = p->eparsed = 0;
	p->client.eof = p->client.shut = false;
	p->engine.eof = p->engine.shut = false;
	p->hijack_pending = hijack;
	p->sent_any = p->eread_more = false;
	p->why = NULL;
	p->result = 0;
	p->phase = p->rq.complete ? API_PUMP_RESPONSE_HEAD : API_PUMP_REQUEST_BODY;
	while (p->phase != API_PUMP_DONE)
		if ((r = pump_step(p)) < 0)
			return r;
	return p->result;
}

bool
api_pump_answer_started(const struct api_pump *p)
{
	return p->sent_any || p->elen > 0;
}
