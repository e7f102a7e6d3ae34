/*
 * api_pump: the pump's state machine driven through two socketpairs.
 * The test plays the client on one and the engine on the other; a thread
 * runs the pump as a gatekeeper connection does (read a head, hold a JSON
 * body, refuse or forward, then api_pump_run), with a stand-in for the
 * policy: a request whose target holds "deny" is refused.  Every case
 * checks the bytes each side sees: pipelining, an Upgrade (101, exec
 * start), half-closes, the engine closing early, a deny in the middle of
 * a body, a bad chunk, interim answers, bytes after an answer.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/api_http.h"
#include "api/api_pump.h"
#include "authz/authz_uri.h"
#include "common/dw_sock.h"
#include "tests/unit/sock_io.h"

#define CRLF		"\r\n"
#define OK_PING		"HTTP/1.1 200 OK" CRLF "Content-Length: 2" CRLF CRLF "OK"
#define RESULTS_MAX	16
#define R_CLOSED	100	/* api_pump_read_head: the client left between requests */
#define R_REFUSED	200	/* the request was refused, connection kept */

/* One connection: the test's ends, the pump's ends and what the pump thread did. */
struct conn {
	int		 client;	/* the test's client end */
	int		 engine;	/* the test's engine end */
	int		 pcfd, pefd;	/* the pump's ends */
	struct api_pump	 p;
	pthread_t	 t;
	int		 results[RESULTS_MAX]; /* api_pump_run per request, R_*, or -errno */
	size_t		 nresults;
	bool		 reusable[RESULTS_MAX]; /* engine_reusable after api_pump_run */
	const char	*why;		/* api_pump_run's reason, when it failed */
	bool		 answer_started;
};

static void
record(struct conn *c, int r)
{
	if (c->nresults < RESULTS_MAX) {
		c->reusable[c->nresults] = c->p.engine_reusable;
		c->results[c->nresults++] = r;
	}
}

/*
 * The connection's side, as api_gate.c runs it: read the head, read a
 * JSON body whole, refuse ("deny" in the target) or forward the head and
 * the body read so far, then pump.
 */
static void *
conn_main(void *arg)
{
	struct conn		*c = arg;
	struct api_pump		*p = &c->p;
	struct authz_uri	*uri = NULL;
	enum authz_uri_endpoint	 ep;
	const char		*why = NULL;
	bool			 hijack, whole, keep;
	int			 r;

	for (;;) {
		if ((r = api_pump_read_head(p, &why)) != 0) {
			record(c, r == 1 ? R_CLOSED : r);
			break;
		}
		if ((r = api_http_req_head_check(&p->rq, p->cin.b, p->cparsed, &why)) < 0) {
			record(c, r);
			break;
		}
		if (authz_uri_parse(api_http_req_method(&p->rq), p->rq.url, &uri, NULL) < 0)
			uri = NULL;
		ep = uri != NULL ? uri->endpoint : AUTHZ_EP_UNKNOWN;
		authz_uri_free(uri);
		hijack = api_http_req_upgrade(&p->rq) || api_http_endpoint_hijacks(ep);
		p->rq.buffer_body = api_http_req_reads_whole(&p->rq, ep);
		if (p->rq.buffer_body && (r = api_pump_read_body(p, &why)) < 0) {
			record(c, r);
			break;
		}
		if (strstr(p->rq.url, "deny") != NULL) {
			whole = p->rq.complete;
			keep = api_http_req_keep_alive(&p->rq);
			r = api_pump_refuse(p, 403, "Forbidden", "denied by the test",
			    !whole || !keep);
			record(c, r < 0 ? r : R_REFUSED);
			if (r < 0 || !whole || !keep)
				break;
			api_pump_consume(p);
			continue;
		}
		if ((r = dw_sock_write_all(p->engine.fd, p->cin.b, p->cparsed)) < 0) {
			record(c, r);
			break;
		}
		api_pump_consume(p);
		r = api_pump_run(p, hijack, NULL, NULL);
		record(c, r);
		if (r <= 0) {
			c->why = p->why;
			c->answer_started = api_pump_answer_started(p);
			break;
		}
	}
	close(c->pcfd);
	close(c->pefd);
	api_pump_clear(p);
	return NULL;
}

static void
conn_start(struct conn *c)
{
	struct timeval	tv = { .tv_sec = 5 };
	int		sv[2];

	memset(c, 0, sizeof(*c));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	c->client = sv[0];
	c->pcfd = sv[1];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	c->pefd = sv[0];
	c->engine = sv[1];
	/* As the listener does: the receive timeout bounds waits for heads. */
	setsockopt(c->pcfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	api_pump_init(&c->p, c->pcfd, 5, 5);
	c->p.engine.fd = c->pefd;
	assert_int_equal(pthread_create(&c->t, NULL, conn_main, c), 0);
}

/* Close the test's ends (the pump thread is done); its results must be want[0, n). */
static void
conn_check(struct conn *c, const int *want, size_t n)
{
	size_t	i;

	if (c->client >= 0)
		close(c->client);
	if (c->engine >= 0)
		close(c->engine);
	for (i = 0; i < n && i < c->nresults; i++)
		if (c->results[i] != want[i])
			break;
	if (i != n || c->nresults != n) {
		char	got[256] = "", w[256] = "";
		size_t	k, gl = 0, wl = 0;

		for (k = 0; k < c->nresults; k++)
			gl += (size_t)snprintf(got + gl, sizeof(got) - gl, " %d", c->results[k]);
		for (k = 0; k < n; k++)
			wl += (size_t)snprintf(w + wl, sizeof(w) - wl, " %d", want[k]);
		fail_msg("pump results:%s, want%s", got, w);
	}
}

/* Wait for the pump thread, then conn_check. */
static void
conn_end(struct conn *c, const int *want, size_t n)
{
	pthread_join(c->t, NULL);
	conn_check(c, want, n);
}

/* The exact error answer the gatekeeper writes (api_http_error_write). */
static char *
error_answer(int status, const char *reason, const char *msg, bool close_conn,
    bool head_only)
{
	char	*s = NULL;

	assert_true(asprintf(&s, "HTTP/1.1 %d %s" CRLF "Content-Type: application/json"
	    CRLF "Content-Length: %zu" CRLF "%s" CRLF "%s%s%s", status, reason,
	    strlen("{\"message\":\"\"}") + strlen(msg) + 1,
	    close_conn ? "Connection: close" CRLF : "",
	    head_only ? "" : "{\"message\":\"", head_only ? "" : msg,
	    head_only ? "" : "\"}\n") > 0);
	return s;
}

/*
 * Pipelined requests: all sent at once, each reaches the engine only
 * after the answer before it is through, and the answers come back in
 * order on the one connection.
 */
static void
test_pipelined(void **state)
{
	const char	*r1 = "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF;
	const char	*r2 = "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d" CRLF
	    "Content-Type: application/json" CRLF "Content-Length: 16" CRLF CRLF
	    "{\"Image\":\"busy\"}";
	const char	*r3 = "POST /v1.41/images/load HTTP/1.1" CRLF "Host: d" CRLF
	    "Transfer-Encoding: chunked" CRLF CRLF "3" CRLF "tar" CRLF "0" CRLF CRLF;
	const char	*a2 = "HTTP/1.1 201 Created" CRLF "Content-Length: 9" CRLF CRLF
	    "{\"Id\":1}\n";
	const char	*a3 = "HTTP/1.1 200 OK" CRLF "Transfer-Encoding: chunked" CRLF CRLF
	    "5" CRLF "done\n" CRLF "0" CRLF CRLF;
	static const int want[] = { 1, 1, 1, R_CLOSED };
	struct conn	 c;
	char		 all[1024];

	(void)state;
	snprintf(all, sizeof(all), "%s%s%s", r1, r2, r3);
	conn_start(&c);
	sock_io_sends(c.client, all);
	sock_io_expect(c.engine, r1);
	/* The next request waits in the gatekeeper until this answer is through. */
	sock_io_expect_quiet(c.engine, 150);
	sock_io_sends(c.engine, OK_PING);
	sock_io_expect(c.client, OK_PING);
	sock_io_expect(c.engine, r2);
	sock_io_expect_quiet(c.engine, 100);
	sock_io_sends(c.engine, a2);
	sock_io_expect(c.client, a2);
	sock_io_expect(c.engine, r3);
	sock_io_sends(c.engine, a3);
	sock_io_expect(c.client, a3);
	shutdown(c.client, SHUT_WR);
	sock_io_expect_eof(c.client);
	sock_io_expect_eof(c.engine);
	conn_end(&c, want, 4);
	assert_true(c.reusable[0] && c.reusable[1] && c.reusable[2]);
}

/*
 * An Upgrade (exec start, 101): the client's stream bytes sent right
 * after the request wait until dockerd says 101, then flow both ways raw;
 * the client's half-close reaches the engine while the engine still
 * writes, and the engine's close ends the client's side.
 */
static void
test_upgrade(void **state)
{
	const char	*req = "POST /v1.41/exec/abc/start HTTP/1.1" CRLF "Host: d" CRLF
	    "Content-Type: application/json" CRLF "Connection: Upgrade" CRLF
	    "Upgrade: tcp" CRLF "Content-Length: 2" CRLF CRLF "{}";
	const char	*up = "HTTP/1.1 101 UPGRADED" CRLF
	    "Content-Type: application/vnd.docker.raw-stream" CRLF
	    "Connection: Upgrade" CRLF "Upgrade: tcp" CRLF CRLF;
	static const int want[] = { 0 };
	struct conn	 c;
	char		 all[512];

	(void)state;
	snprintf(all, sizeof(all), "%sls -l\n", req);
	conn_start(&c);
	sock_io_sends(c.client, all);
	sock_io_expect(c.engine, req);
	/* Raw bytes are not passed on before the answer says the connection is raw. */
	sock_io_expect_quiet(c.engine, 150);
	sock_io_sends(c.engine, up);
	sock_io_sends(c.engine, "total 0\n");
	sock_io_expect(c.client, up);
	sock_io_expect(c.client, "total 0\n");
	sock_io_expect(c.engine, "ls -l\n");
	sock_io_sends(c.client, "exit\n");
	sock_io_expect(c.engine, "exit\n");
	/* The client is done sending: the engine sees it, and still answers. */
	shutdown(c.client, SHUT_WR);
	sock_io_expect_eof(c.engine);
	sock_io_sends(c.engine, "logout\n");
	sock_io_expect(c.client, "logout\n");
	shutdown(c.engine, SHUT_WR);
	sock_io_expect_eof(c.client);
	conn_end(&c, want, 1);
	assert_false(c.reusable[0]);
}

/* An attach without Upgrade: a 200 with no framing is a hijack too. */
static void
test_hijack_unframed(void **state)
{
	const char	*req = "POST /v1.41/containers/abc/attach?stream=1&stdout=1 HTTP/1.1"
	    CRLF "Host: d" CRLF CRLF;
	const char	*head = "HTTP/1.1 200 OK" CRLF
	    "Content-Type: application/vnd.docker.raw-stream" CRLF CRLF;
	static const int want[] = { 0 };
	struct conn	 c;

	(void)state;
	conn_start(&c);
	sock_io_sends(c.client, req);
	sock_io_expect(c.engine, req);
	sock_io_sends(c.engine, head);
	sock_io_send(c.engine, "\x01\0\0\0\0\0\0\x03hi\n", 11);
	sock_io_expect(c.client, head);
	sock_io_expect(c.client, "\x01");
	close(c.engine);
	c.engine = -1;
	{
		char	buf[16];
		bool	eof;

		assert_int_equal(sock_io_read(c.client, buf, 10, SOCK_IO_WAIT_MS, &eof), 10);
		assert_memory_equal(buf, "\0\0\0\0\0\0\x03hi\n", 10);
	}
	sock_io_expect_eof(c.client);
	shutdown(c.client, SHUT_WR);
	conn_end(&c, want, 1);
}

/*
 * The client half-closes after a request whose answer takes a while (a
 * POST: the pump polls): the half-close reaches the engine, the answer
 * still reaches the client, and the connection closes after it.
 */
static void
test_client_half_close(void **state)
{
	const char	*req = "POST /v1.41/containers/abc/wait HTTP/1.1" CRLF "Host: d" CRLF
	    "Content-Length: 0" CRLF CRLF;
	const char	*ans = "HTTP/1.1 200 OK" CRLF "Content-Type: application/json" CRLF
	    "Content-Length: 13" CRLF CRLF "{\"Status\":0}\n";
	static const int want[] = { 0 };
	struct conn	 c;

	(void)state;
	conn_start(&c);
	sock_io_sends(c.client, req);
	shutdown(c.client, SHUT_WR);
	sock_io_expect(c.engine, req);
	sock_io_expect_eof(c.engine);
	sock_io_sends(c.engine, ans);
	sock_io_expect(c.client, ans);
	sock_io_expect_eof(c.client);
	conn_end(&c, want, 1);
	assert_false(c.reusable[0]);
}

/* The client half-closes after a GET: its answer still comes whole. */
static void
test_client_half_close_get(void **state)
{
	const char	*req = "GET /v1.41/containers/json HTTP/1.1" CRLF "Host: d" CRLF CRLF;
	const char	*ans = "HTTP/1.1 200 OK" CRLF "Content-Length: 3" CRLF CRLF "[]\n";
	static const int want[] = { 1, R_CLOSED };
	struct conn	 c;

	(void)state;
	conn_start(&c);
	sock_io_sends(c.client, req);
	shutdown(c.client, SHUT_WR);
	sock_io_expect(c.engine, req);
	sock_io_sends(c.engine, ans);
	sock_io_expect(c.client, ans);
	sock_io_expect_eof(c.client);
	sock_io_expect_eof(c.engine);
	/* A GET's answer is read without polling the client: its EOF ends the next head. */
	conn_end(&c, want, 2);
}

/* The engine closes before answering: a 502, and the connection closes. */
static void
test_engine_close_before_answer(void **state)
{
	const char	*req = "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF;
	const char	*hreq = "HEAD /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF;
	const char	*msg = "dockward: the Docker engine closed the connection "
	    "without answering";
	static const int want[] = { 0 };
	struct conn	 c;
	char		*ans;

	(void)state;
	conn_start(&c);
	sock_io_sends(c.client, req);
	sock_io_expect(c.engine, req);
	close(c.engine);
	c.engine = -1;
	ans = error_answer(502, "Bad Gateway", msg, true, false);
	sock_io_expect(c.client, ans);
	free(ans);
	sock_io_expect_eof(c.client);
	conn_end(&c, want, 1);

	/* To a HEAD: the head alone (a body would be read as the next answer). */
	conn_start(&c);
	sock_io_sends(c.client, hreq);
	sock_io_expect(c.engine, hreq);
	close(c.engine);
	c.engine = -1;
	ans = error_answer(502, "Bad Gateway", msg, true, true);
	sock_io_expect(c.client, ans);
	free(ans);
	sock_io_expect_eof(c.client);
	conn_end(&c, want, 1);
}

/* The engine closes in the middle of an answer: the client gets what came, then EOF, no 502. */
static void
test_engine_close_mid_answer(void **state)
{
	const char	*req = "GET /v1.41/images/get?names=x HTTP/1.1" CRLF "Host: d" CRLF CRLF;
	const char	*part = "HTTP/1.1 200 OK" CRLF "Content-Type: application/x-tar" CRLF
	    "Content-Length: 100" CRLF CRLF "0123456789";
	static const int want[] = { 0 };
	struct conn	 c;

	(void)state;
	conn_start(&c);
	sock_io_sends(c.client, req);
	sock_io_expect(c.engine, req);
	sock_io_sends(c.engine, part);
	close(c.engine);
	c.engine = -1;
	sock_io_expect(c.client, part);
	sock_io_expect_eof(c.client);
	conn_end(&c, want, 1);
	assert_false(c.reusable[0]);
}

/*
 * A deny in the middle of a body: the head of a streamed build context
 * is refused while its body is still coming.  The client gets the 403 at
 * once, can go on writing its body (dropped, no broken pipe), and the
 * engine sees nothing at all.
 */
static void
test_deny_mid_body(void **state)
{
	static const int want[] = { R_REFUSED };
	const size_t	 total = 200000, first = 1000;
	struct conn	 c;
	char		 head[256], *body, *ans;

	(void)state;
	body = malloc(total);
	assert_non_null(body);
	memset(body, 'x', total);
	snprintf(head, sizeof(head), "POST /v1.41/build?t=deny HTTP/1.1" CRLF "Host: d" CRLF
	    "Content-Type: application/x-tar" CRLF "Content-Length: %zu" CRLF CRLF, total);
	conn_start(&c);
	sock_io_sends(c.client, head);
	sock_io_send(c.client, body, first);
	ans = error_answer(403, "Forbidden", "denied by the test", true, false);
	sock_io_expect(c.client, ans);
	free(ans);
	sock_io_send(c.client, body + first, total - first);
	sock_io_expect_eof(c.client);
	pthread_join(c.t, NULL);
	/* The pump's end of the engine socket is closed: EOF, and not a byte before it. */
	sock_io_expect_eof(c.engine);
	conn_check(&c, want, 1);
	free(body);
}

/*
 * A denied JSON body, whole, on a kept-alive connection: 403 without
 * Connection: close, and the pipelined request after it is served; the
 * engine sees only that one.
 */
static void
test_deny_then_next(void **state)
{
	const char	*r1 = "POST /v1.41/containers/create?name=deny HTTP/1.1" CRLF
	    "Host: d" CRLF "Content-Type: application/json" CRLF
	    "Transfer-Encoding: chunked" CRLF CRLF "8" CRLF "{\"Image\"" CRLF;
	const char	*r1b = "8" CRLF ":\"busy\"}" CRLF "0" CRLF CRLF;
	const char	*r2 = "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF;
	static const int want[] = { R_REFUSED, 1, R_CLOSED };
	struct conn	 c;
	char		*ans;

	(void)state;
	conn_start(&c);
	sock_io_sends(c.client, r1);
	/* The rules need the whole body: nothing is answered, nothing forwarded yet. */
	sock_io_expect_quiet(c.client, 100);
	sock_io_sends(c.client, r1b);
	sock_io_sends(c.client, r2);
	ans = error_answer(403, "Forbidden", "denied by the test", false, false);
	sock_io_expect(c.client, ans);
	free(ans);
	sock_io_expect(c.engine, r2);
	sock_io_sends(c.engine, OK_PING);
	sock_io_expect(c.client, OK_PING);
	shutdown(c.client, SHUT_WR);
	sock_io_expect_eof(c.client);
	sock_io_expect_eof(c.engine);
	conn_end(&c, want, 3);
}

/*
 * A streamed chunked body turns bad in the middle: what was parsed before
 * went on, the bad bytes never do, and the pump says why (the gate then
 * answers it, nothing of the answer being out).
 */
static void
test_bad_chunk_mid_body(void **state)
{
	const char	*head = "POST /v1.41/images/load HTTP/1.1" CRLF "Host: d" CRLF
	    "Transfer-Encoding: chunked" CRLF CRLF;
	static const int want[] = { -EPROTO };
	struct conn	 c;

	(void)state;
	conn_start(&c);
	sock_io_sends(c.client, head);
	sock_io_expect(c.engine, head);
	sock_io_sends(c.client, "5" CRLF "hello" CRLF);
	sock_io_expect(c.engine, "5" CRLF "hello" CRLF);
	sock_io_sends(c.client, "5;ext=1" CRLF "world" CRLF);
	sock_io_expect_eof(c.engine);
	sock_io_expect_eof(c.client);
	conn_end(&c, want, 1);
	assert_non_null(c.why);
	assert_false(c.answer_started);
}

/* An interim 100 Continue goes on, and the final answer after it. */
static void
test_interim_answer(void **state)
{
	const char	*req = "POST /v1.41/images/load HTTP/1.1" CRLF "Host: d" CRLF
	    "Expect: 100-continue" CRLF "Content-Length: 3" CRLF CRLF;
	const char	*cont = "HTTP/1.1 100 Continue" CRLF CRLF;
	const char	*ans = "HTTP/1.1 200 OK" CRLF "Content-Length: 2" CRLF CRLF "ok";
	static const int want[] = { 1, R_CLOSED };
	struct conn	 c;

	(void)state;
	conn_start(&c);
	sock_io_sends(c.client, req);
	sock_io_expect(c.engine, req);
	sock_io_sends(c.engine, cont);
	sock_io_expect(c.client, cont);
	sock_io_sends(c.client, "tar");
	sock_io_expect(c.engine, "tar");
	sock_io_sends(c.engine, ans);
	sock_io_expect(c.client, ans);
	shutdown(c.client, SHUT_WR);
	sock_io_expect_eof(c.client);
	conn_end(&c, want, 2);
	assert_true(c.reusable[0]);
}

/*
 * Bytes after a complete answer never reach the client, and that engine
 * connection is not used again; an answer to HEAD ends at its head.
 */
static void
test_answer_trailing_bytes(void **state)
{
	const char	*r1 = "HEAD /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF;
	const char	*a1 = "HTTP/1.1 200 OK" CRLF "Content-Length: 2" CRLF CRLF;
	const char	*r2 = "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF;
	static const int want[] = { 1, 1, R_CLOSED };
	struct conn	 c;
	char		 both[256];

	(void)state;
	conn_start(&c);
	sock_io_sends(c.client, r1);
	sock_io_expect(c.engine, r1);
	sock_io_sends(c.engine, a1);
	sock_io_expect(c.client, a1);
	sock_io_sends(c.client, r2);
	sock_io_expect(c.engine, r2);
	snprintf(both, sizeof(both), "%s%s", OK_PING, "HTTP/1.1 200 OK" CRLF CRLF);
	sock_io_sends(c.engine, both);
	sock_io_expect(c.client, OK_PING);
	sock_io_expect_quiet(c.client, 100);
	shutdown(c.client, SHUT_WR);
	sock_io_expect_eof(c.client);
	conn_end(&c, want, 3);
	assert_true(c.reusable[0]);
	assert_false(c.reusable[1]);
}

/* Either side asking to close ends the connection after the answer. */
static void
test_close_after_answer(void **state)
{
	const char	*req = "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF;
	const char	*ans = "HTTP/1.1 200 OK" CRLF "Connection: close" CRLF
	    "Content-Length: 2" CRLF CRLF "OK";
	static const int want[] = { 0 };
	struct conn	 c;

	(void)state;
	conn_start(&c);
	sock_io_sends(c.client, req);
	sock_io_sends(c.client, req);	/* pipelined, never served */
	sock_io_expect(c.engine, req);
	sock_io_sends(c.engine, ans);
	sock_io_expect(c.client, ans);
	sock_io_expect_eof(c.client);
	sock_io_expect_eof(c.engine);
	conn_end(&c, want, 1);
	assert_false(c.reusable[0]);
}

/*
 * One request and its answer, driven from this thread (both answers fit
 * in the sockets' buffers): an answer of body bytes.
 */
static void
exchange_direct(struct api_pump *p, int client, int engine, size_t body)
{
	const char	*req = "GET /containers/json HTTP/1.1" CRLF "Host: d" CRLF CRLF;
	const char	*why = NULL;
	char		 head[128], *buf;
	size_t		 n, got;
	bool		 eof;

	sock_io_sends(client, req);
	assert_int_equal(api_pump_read_head(p, &why), 0);
	/* A request's first read takes up to DW_GATE_IDLE_BUF. */
	assert_int_equal(p->cin.cap, DW_GATE_IDLE_BUF);
	api_pump_consume(p);
	n = (size_t)snprintf(head, sizeof(head), "HTTP/1.1 200 OK" CRLF
	    "Content-Length: %zu" CRLF CRLF, body);
	/* sock_io_read() NUL-terminates what it read: one byte more. */
	assert_non_null(buf = malloc(n + body + 1));
	memcpy(buf, head, n);
	memset(buf + n, 'x', body);
	sock_io_send(engine, buf, n + body);
	assert_int_equal(api_pump_run(p, false, NULL, NULL), 1);
	got = sock_io_read(client, buf, n + body, SOCK_IO_WAIT_MS, &eof);
	assert_int_equal(got, n + body);
	free(buf);
}

/*
 * Buffers: a small answer goes through a DW_GATE_IDLE_BUF engine buffer,
 * a larger one grows it to DW_GATE_STREAM_BUF, which api_pump_release
 * frees when the exchange is over (the small one stays); a connection
 * idle past one receive timeout holds no buffer at all.
 */
static void
test_buffers_released(void **state)
{
	struct timeval	 tv = { .tv_sec = 1 };
	struct api_pump	 p;
	const char	*why = NULL;
	int		 c[2], e[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, e), 0);
	setsockopt(c[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	api_pump_init(&p, c[1], 1, 2);
	p.engine.fd = e[0];
	exchange_direct(&p, c[0], e[1], 100);
	assert_int_equal(p.ecap, DW_GATE_IDLE_BUF);
	api_pump_release(&p, false);
	assert_non_null(p.ebuf);
	assert_non_null(p.cin.b);
	exchange_direct(&p, c[0], e[1], 100000);
	assert_int_equal(p.ecap, DW_GATE_STREAM_BUF);
	api_pump_release(&p, false);
	assert_null(p.ebuf);
	assert_int_equal(p.ecap, 0);
	assert_non_null(p.cin.b);
	exchange_direct(&p, c[0], e[1], 10);
	assert_int_equal(p.ecap, DW_GATE_IDLE_BUF);
	/* Idle: released after the first receive timeout, closed at the idle timeout. */
	assert_int_equal(api_pump_read_head(&p, &why), -ETIMEDOUT);
	assert_null(p.cin.b);
	assert_null(p.ebuf);
	assert_null(p.rq.body);
	api_pump_clear(&p);
	close(c[0]);
	close(c[1]);
	close(e[0]);
	close(e[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_upgrade),
		cmocka_unit_test(test_hijack_unframed),
		cmocka_unit_test(test_client_half_close),
		cmocka_unit_test(test_client_half_close_get),
		cmocka_unit_test(test_engine_close_before_answer),
		cmocka_unit_test(test_engine_close_mid_answer),
		cmocka_unit_test(test_deny_mid_body),
		cmocka_unit_test(test_deny_then_next),
		cmocka_unit_test(test_bad_chunk_mid_body),
		cmocka_unit_test(test_interim_answer),
		cmocka_unit_test(test_answer_trailing_bytes),
		cmocka_unit_test(test_close_after_answer),
		cmocka_unit_test(test_buffers_released),
	};

	signal(SIGPIPE, SIG_IGN);
	alarm(120);	/* a pump that hangs fails the test instead of the build */
	return cmocka_run_group_tests_name("api_pump", tests, NULL, NULL);
}
