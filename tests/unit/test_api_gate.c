/*
 * api_gate: one connection's requests through the gate, with a fake
 * policy (ops) and a fake engine (a unix socket the test listens on and
 * answers).  The test plays the client on a socketpair and checks the
 * bytes each side sees: forwarding and reuse of the engine connection, a
 * deny in the middle of a streamed body (nothing reaches the engine), the
 * gate's own refusals (framing, stamps, sizes), a build context held back
 * and forwarded re-framed, full-mode stamps, 100 Continue, the retry on a
 * stale engine connection and the engine being away.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
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

#include "api/api_gate.h"
#include "authz/authz_uri.h"
#include "common/dw_sock.h"
#include "tests/unit/sock_io.h"

#define CRLF		"\r\n"
#define PING		"GET /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF
#define OK_PING		"HTTP/1.1 200 OK" CRLF "Content-Length: 2" CRLF CRLF "OK"
#define STAMP		"0123456789abcdef0123456789abcdef"

/* What the fake policy was asked and told. */
struct policy {
	bool		 inspect;	/* inspect_build's answer */
	bool		 stamp;		/* full mode */
	unsigned	 decided;
	char		 method[16];
	char		 uri[256];
	size_t		 body_len;
	bool		 build_inspected;
	char		 build[64];	/* the held-back context, as decided */
	size_t		 build_len;
	unsigned	 recorded;
	char		 rule[64];	/* the last refusal the gate recorded */
	int		 engine_listen;	/* the fake engine's socket, for fake_audit */
	unsigned	 audited;	/* decisions audited (atomic: the gate's thread writes) */
	unsigned	 audited_allow;
	char		 audit_rule[64]; /* the last decision audited */
	bool		 audit_engine;	/* the gate had connected to the engine by then */
	unsigned	 created;
	char		 created_body[64];
};

/* The test's fixture: a gate on a fake engine socket, one client connection. */
struct fix {
	char			 dir[64];
	char			 engine_path[128];
	int			 engine_listen;	/* the fake engine's socket */
	struct policy		 pol;
	struct api_gate		*g;
	int			 client;	/* the test's end */
	pthread_t		 t;
	struct api_gate_conn	*gc;
};

static void
fake_identify(void *ctx, struct api_gate_caller *caller)
{
	(void)ctx;
	(void)caller;
}

/* Allow, unless the target holds "deny". */
static void
fake_decide(void *ctx, const struct api_gate_caller *caller, const struct authz_request *req,
    struct authz_decision *d)
{
	struct policy	*pol = ctx;

	(void)caller;
	pol->decided++;
	snprintf(pol->method, sizeof(pol->method), "%s", req->method);
	snprintf(pol->uri, sizeof(pol->uri), "%s", req->raw_uri);
	pol->body_len = req->body_len;
	pol->build_inspected = req->build_inspected;
	pol->build_len = req->build_context_len;
	if (req->build_context != NULL && req->build_context_len < sizeof(pol->build)) {
		memcpy(pol->build, req->build_context, req->build_context_len);
		pol->build[req->build_context_len] = '\0';
	}
	if (strstr(req->raw_uri, "deny") != NULL) {
		d->verdict = AUTHZ_DENY;
		d->rule = "test.deny";
		snprintf(d->msg, sizeof(d->msg), "dockward: denied by the test");
		return;
	}
	d->verdict = AUTHZ_ALLOW;
	d->rule = "allow";
}

/*
 * Audit a decision: count it, and note whether the gate had connected to
 * the engine (a connection waits in the fake engine's backlog) by then.
 */
static void
fake_audit(void *ctx, const struct api_gate_caller *caller, const struct authz_request *req,
    const struct authz_decision *d, uint64_t decide_ns)
{
	struct policy	*pol = ctx;
	struct pollfd	 pfd = { .fd = pol->engine_listen, .events = POLLIN };

	(void)caller;
	(void)decide_ns;
	assert_non_null(req->method);
	assert_non_null(req->raw_uri);
	pol->audit_engine = pol->engine_listen >= 0 && poll(&pfd, 1, 0) > 0;
	snprintf(pol->audit_rule, sizeof(pol->audit_rule), "%s", d->rule ? d->rule : "");
	if (d->verdict == AUTHZ_ALLOW)
		pol->audited_allow++;
	__atomic_add_fetch(&pol->audited, 1, __ATOMIC_SEQ_CST);
}

/* Wait until the gate audited n decisions in all. */
static void
audited_wait(const struct policy *pol, unsigned n)
{
	int	i;

	for (i = 0; i < SOCK_IO_WAIT_MS && __atomic_load_n(&pol->audited,
	    __ATOMIC_SEQ_CST) < n; i++)
		usleep(1000);
	assert_int_equal(__atomic_load_n(&pol->audited, __ATOMIC_SEQ_CST), n);
}

static bool
fake_inspect_build(void *ctx)
{
	return ((struct policy *)ctx)->inspect;
}

static void
fake_created(void *ctx, const struct api_gate_caller *caller, const char *body, size_t len)
{
	struct policy	*pol = ctx;

	(void)caller;
	pol->created++;
	snprintf(pol->created_body, sizeof(pol->created_body), "%.*s", (int)len,
	    body ? body : "");
}

static void
fake_record(void *ctx, const struct api_gate_caller *caller, const struct authz_request *req,
    const struct authz_decision *d)
{
	struct policy	*pol = ctx;

	(void)caller;
	(void)req;
	pol->recorded++;
	snprintf(pol->rule, sizeof(pol->rule), "%s", d->rule);
}

static int
fake_stamp(void *ctx, const char *method, const char *uri, char out[API_STAMP_LEN + 1])
{
	(void)method;
	(void)uri;
	if (!((struct policy *)ctx)->stamp)
		return -ENOSYS;
	memcpy(out, STAMP, API_STAMP_LEN + 1);
	return 0;
}

static void *
conn_main(void *arg)
{
	struct fix	*f = arg;

	api_gate_conn_serve(f->gc);
	api_gate_conn_free(f->gc);
	return NULL;
}

/* A gate whose engine socket the test listens on (engine: false, nobody does). */
static void
fix_start(struct fix *f, bool engine, bool inspect, bool stamp)
{
	struct api_gate_opts	opts = { .head_timeout_s = 5, .idle_timeout_s = 5 };
	struct api_gate_ops	ops = { .identify = fake_identify, .decide = fake_decide,
	    .audit = fake_audit, .inspect_build = fake_inspect_build, .created = fake_created,
	    .record = fake_record, .stamp = fake_stamp };
	struct timeval		tv = { .tv_sec = 5 };
	struct dw_err		err;
	int			sv[2];

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_api_gate.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->engine_path, sizeof(f->engine_path), "%s/engine.sock", f->dir);
	f->engine_listen = -1;
	if (engine)
		assert_true((f->engine_listen = dw_sock_listen(f->engine_path, 0600, &err)) >= 0);
	f->pol.inspect = inspect;
	f->pol.stamp = stamp;
	f->pol.engine_listen = f->engine_listen;
	ops.ctx = &f->pol;
	if (!stamp)
		ops.stamp = NULL;
	opts.engine_socket = f->engine_path;
	opts.spool_dir = f->dir;
	assert_non_null(f->g = api_gate_new(&opts, &ops, &err));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	f->client = sv[0];
	setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_non_null(f->gc = api_gate_conn_new(f->g, sv[1], NULL, 0, NULL));
	assert_int_equal(pthread_create(&f->t, NULL, conn_main, f), 0);
}

/* The next engine connection the gate opens; the test fails if none comes. */
static int
engine_accept(struct fix *f)
{
	struct pollfd	pfd = { .fd = f->engine_listen, .events = POLLIN };
	int		fd;

	if (poll(&pfd, 1, SOCK_IO_WAIT_MS) <= 0)
		fail_msg("the gate did not connect to the engine");
	assert_true((fd = accept4(f->engine_listen, NULL, NULL, SOCK_CLOEXEC)) >= 0);
	return fd;
}

/* The gate opened no engine connection. */
static void
engine_none(struct fix *f)
{
	struct pollfd	pfd = { .fd = f->engine_listen, .events = POLLIN };

	if (poll(&pfd, 1, 0) > 0)
		fail_msg("the gate connected to the engine");
}

/* The client closes; the connection's thread ends. */
static void
fix_hangup(struct fix *f)
{
	shutdown(f->client, SHUT_WR);
	pthread_join(f->t, NULL);
	close(f->client);
	f->client = -1;
}

/* fix_hangup if not done, then everything is freed. */
static void
fix_end(struct fix *f)
{
	char	path[PATH_MAX];

	if (f->client >= 0)
		fix_hangup(f);
	if (f->engine_listen >= 0)
		close(f->engine_listen);
	api_gate_free(f->g);
	unlink(f->engine_path);
	snprintf(path, sizeof(path), "%s", f->dir);
	rmdir(path);
}

/* The client's next bytes are an error answer with this status line and message. */
static void
expect_error(int fd, const char *status, const char *msg, bool close_conn)
{
	char	*want = NULL;
	size_t	 blen = strlen("{\"message\":\"\"}") + strlen(msg) + 1;

	assert_true(asprintf(&want, "HTTP/1.1 %s" CRLF "Content-Type: application/json" CRLF
	    "Content-Length: %zu" CRLF "%s" CRLF "{\"message\":\"%s\"}\n", status, blen,
	    close_conn ? "Connection: close" CRLF : "", msg) > 0);
	sock_io_expect(fd, want);
	free(want);
}

/* The client's next bytes start an answer with this status line; read to its end (EOF). */
static void
expect_status_then_eof(int fd, const char *status_line)
{
	char	buf[8192];
	size_t	len = strlen(status_line), got;
	bool	eof;

	got = sock_io_read(fd, buf, sizeof(buf) - 1, SOCK_IO_WAIT_MS, &eof);
	if (got < len || memcmp(buf, status_line, len) != 0 || !eof)
		fail_msg("expected \"%s\"... then EOF, got \"%s\"%s", status_line, buf,
		    eof ? "" : " and no EOF");
}

/* An allowed request goes to the engine as it came; the next one reuses that engine connection. */
static void
test_forward_and_reuse(void **state)
{
	struct fix	f;
	int		e;

	(void)state;
	fix_start(&f, true, false, false);
	sock_io_sends(f.client, PING);
	e = engine_accept(&f);
	sock_io_expect(e, PING);
	sock_io_sends(e, OK_PING);
	sock_io_expect(f.client, OK_PING);
	sock_io_sends(f.client, PING);
	sock_io_expect(e, PING);
	sock_io_sends(e, OK_PING);
	sock_io_expect(f.client, OK_PING);
	engine_none(&f);
	assert_int_equal(f.pol.decided, 2);
	assert_string_equal(f.pol.method, "GET");
	assert_string_equal(f.pol.uri, "/_ping");
	fix_hangup(&f);
	/* The connection ended: its idle engine connection went to the pool, ... */
	sock_io_expect_quiet(e, 100);
	/* ... closed with the gate. */
	fix_end(&f);
	sock_io_expect_eof(e);
	close(e);
}

/*
 * A deny in the middle of a body: the policy refuses a streamed build
 * whose body is still coming.  The client gets the 403 before it has
 * sent its body, may finish sending it, and the engine is never even
 * connected to.
 */
static void
test_deny_mid_body(void **state)
{
	const size_t	 total = 300000, first = 2000;
	struct fix	 f;
	char		 head[256], *body;

	(void)state;
	fix_start(&f, true, false, false);
	body = malloc(total);
	assert_non_null(body);
	memset(body, 'x', total);
	snprintf(head, sizeof(head), "POST /v1.41/build?t=deny HTTP/1.1" CRLF "Host: d" CRLF
	    "Content-Type: application/x-tar" CRLF "Content-Length: %zu" CRLF CRLF, total);
	sock_io_sends(f.client, head);
	sock_io_send(f.client, body, first);
	expect_error(f.client, "403 Forbidden", "dockward: denied by the test", true);
	sock_io_send(f.client, body + first, total - first);
	sock_io_expect_eof(f.client);
	engine_none(&f);
	assert_int_equal(f.pol.decided, 1);
	assert_false(f.pol.build_inspected);
	fix_end(&f);
	free(body);
}

/* A denied JSON body on a kept-alive connection: 403 without close, then the next request. */
static void
test_deny_keeps_connection(void **state)
{
	const char	*r1 = "POST /v1.41/containers/create?name=deny HTTP/1.1" CRLF
	    "Host: d" CRLF "Content-Type: application/json" CRLF "Content-Length: 2" CRLF
	    CRLF "{}";
	struct fix	 f;
	int		 e;

	(void)state;
	fix_start(&f, true, false, false);
	sock_io_sends(f.client, r1);
	expect_error(f.client, "403 Forbidden", "dockward: denied by the test", false);
	/* A denial is audited before its answer goes out. */
	assert_int_equal(__atomic_load_n(&f.pol.audited, __ATOMIC_SEQ_CST), 1);
	assert_int_equal(f.pol.audited_allow, 0);
	assert_string_equal(f.pol.audit_rule, "test.deny");
	assert_int_equal(f.pol.body_len, 2);
	engine_none(&f);
	sock_io_sends(f.client, PING);
	e = engine_accept(&f);
	sock_io_expect(e, PING);
	sock_io_sends(e, OK_PING);
	sock_io_expect(f.client, OK_PING);
	fix_end(&f);
	close(e);
}

/* Framing dockerd could read otherwise is refused by the gate itself, and audited. */
static void
test_refuse_framing(void **state)
{
	struct fix	f;

	(void)state;
	fix_start(&f, true, false, false);
	sock_io_sends(f.client, "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d" CRLF
	    "Content-Length: 2" CRLF "Transfer-Encoding: chunked" CRLF CRLF "0" CRLF CRLF);
	expect_status_then_eof(f.client, "HTTP/1.1 400 Bad Request" CRLF);
	engine_none(&f);
	assert_int_equal(f.pol.decided, 0);
	assert_int_equal(f.pol.recorded, 1);
	assert_string_equal(f.pol.rule, "request.framing");
	fix_end(&f);
}

/* Only the gatekeeper writes stamps: a request that carries one is refused. */
static void
test_refuse_stamp(void **state)
{
	struct fix	f;

	(void)state;
	fix_start(&f, true, false, true);
	sock_io_sends(f.client, "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF
	    "x-dockward-stamp: " STAMP CRLF CRLF);
	expect_status_then_eof(f.client, "HTTP/1.1 400 Bad Request" CRLF);
	engine_none(&f);
	assert_string_equal(f.pol.rule, "request.unstamped");
	fix_end(&f);
}

/* Full mode: the stamp goes after the request line on the way to the engine. */
static void
test_stamp(void **state)
{
	struct fix	f;
	int		e;

	(void)state;
	fix_start(&f, true, false, true);
	sock_io_sends(f.client, PING);
	e = engine_accept(&f);
	sock_io_expect(e, "GET /_ping HTTP/1.1" CRLF "X-Dockward-Stamp: " STAMP CRLF
	    "Host: d" CRLF CRLF);
	sock_io_sends(e, OK_PING);
	sock_io_expect(f.client, OK_PING);
	fix_end(&f);
	close(e);
}

/* A head over DW_GATE_HEAD_MAX: 431. */
static void
test_refuse_head_size(void **state)
{
	struct fix	 f;
	size_t		 n = DW_GATE_HEAD_MAX + 4096;
	char		*big;

	(void)state;
	fix_start(&f, true, false, false);
	big = malloc(n);
	assert_non_null(big);
	memcpy(big, "GET /_ping HTTP/1.1\r\nX: ", 24);
	memset(big + 24, 'a', n - 24);
	sock_io_send(f.client, big, n);
	expect_status_then_eof(f.client, "HTTP/1.1 431 Request Header Fields Too Large" CRLF);
	assert_string_equal(f.pol.rule, "request.http");
	engine_none(&f);
	fix_end(&f);
	free(big);
}

/* A JSON body over DW_BODY_MAX: 413, never decided. */
static void
test_refuse_body_size(void **state)
{
	struct fix	 f;
	size_t		 n = DW_BODY_MAX + 1;
	char		 head[256], *body;

	(void)state;
	fix_start(&f, true, false, false);
	body = malloc(n);
	assert_non_null(body);
	memset(body, ' ', n);
	snprintf(head, sizeof(head), "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d"
	    CRLF "Content-Length: %zu" CRLF CRLF, n);
	sock_io_sends(f.client, head);
	sock_io_send(f.client, body, n);
	expect_status_then_eof(f.client, "HTTP/1.1 413 Payload Too Large" CRLF);
	assert_string_equal(f.pol.rule, "request.body");
	assert_int_equal(f.pol.decided, 0);
	engine_none(&f);
	fix_end(&f);
	free(body);
}

/*
 * A build context the policy reads is held back whole (de-chunked) for
 * the decision, then sent to the engine framed as the head says: one
 * chunk.
 */
static void
test_build_held_back(void **state)
{
	const char	*head = "POST /v1.41/build HTTP/1.1" CRLF "Host: d" CRLF
	    "Content-Type: application/x-tar" CRLF "Transfer-Encoding: chunked" CRLF CRLF;
	struct fix	 f;
	int		 e;
	char		 want[512];

	(void)state;
	fix_start(&f, true, true, false);
	sock_io_sends(f.client, head);
	sock_io_sends(f.client, "5" CRLF "hello" CRLF);
	/* Nothing goes on before the whole context is in and decided. */
	sock_io_expect_quiet(f.client, 100);
	engine_none(&f);
	sock_io_sends(f.client, "6" CRLF " world" CRLF "0" CRLF CRLF);
	e = engine_accept(&f);
	snprintf(want, sizeof(want), "%sb" CRLF "hello world" CRLF "0" CRLF CRLF, head);
	sock_io_expect(e, want);
	assert_true(f.pol.build_inspected);
	assert_int_equal(f.pol.build_len, 11);
	assert_string_equal(f.pol.build, "hello world");
	sock_io_sends(e, OK_PING);
	sock_io_expect(f.client, OK_PING);
	fix_end(&f);
	close(e);
}

/* A JSON body announced with Expect: 100-continue: the gate says go on, then decides. */
static void
test_expect_continue(void **state)
{
	const char	*head = "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d" CRLF
	    "Content-Type: application/json" CRLF "Expect: 100-continue" CRLF
	    "Content-Length: 16" CRLF CRLF;
	const char	*body = "{\"Image\":\"busy\"}";
	const char	*ans = "HTTP/1.1 201 Created" CRLF "Content-Type: application/json" CRLF
	    "Content-Length: 13" CRLF CRLF "{\"Id\":\"abc\"}\n";
	struct fix	 f;
	char		 want[512];
	int		 e;

	(void)state;
	fix_start(&f, true, false, false);
	sock_io_sends(f.client, head);
	sock_io_expect(f.client, "HTTP/1.1 100 Continue" CRLF CRLF);
	sock_io_sends(f.client, body);
	e = engine_accept(&f);
	snprintf(want, sizeof(want), "%s%s", head, body);
	sock_io_expect(e, want);
	sock_io_sends(e, ans);
	sock_io_expect(f.client, ans);
	/* The creator was recorded with dockerd's answer. */
	assert_int_equal(f.pol.created, 1);
	assert_string_equal(f.pol.created_body, "{\"Id\":\"abc\"}\n");
	fix_end(&f);
	close(e);
}

/* The engine closed the kept connection between requests: the gate retries on a new one. */
static void
test_retry_stale_engine(void **state)
{
	struct fix	f;
	int		e1, e2;

	(void)state;
	fix_start(&f, true, false, false);
	sock_io_sends(f.client, PING);
	e1 = engine_accept(&f);
	sock_io_expect(e1, PING);
	sock_io_sends(e1, OK_PING);
	sock_io_expect(f.client, OK_PING);
	close(e1);
	sock_io_sends(f.client, PING);
	e2 = engine_accept(&f);
	sock_io_expect(e2, PING);
	sock_io_sends(e2, OK_PING);
	sock_io_expect(f.client, OK_PING);
	fix_end(&f);
	close(e2);
}

/* No engine: 502, and the connection closes. */
static void
test_engine_unreachable(void **state)
{
	struct fix	f;

	(void)state;
	fix_start(&f, false, false, false);
	sock_io_sends(f.client, PING);
	expect_error(f.client, "502 Bad Gateway", "dockward: the Docker engine is not "
	    "reachable. Check that dockerd is running", true);
	/* Allowed, then it could not be forwarded: audited as allowed all the same. */
	audited_wait(&f.pol, 1);
	assert_int_equal(f.pol.audited_allow, 1);
	assert_string_equal(f.pol.audit_rule, "allow");
	sock_io_expect_eof(f.client);
	fix_end(&f);
}

/*
 * An allowed request is audited once it went to the engine, while the
 * engine works on it: the gate had connected (and written) by the time it
 * audited, and the engine has not answered yet.
 */
static void
test_audit_after_forward(void **state)
{
	struct fix	f;
	int		e;

	(void)state;
	fix_start(&f, true, false, false);
	sock_io_sends(f.client, PING);
	audited_wait(&f.pol, 1);
	assert_true(f.pol.audit_engine);
	assert_int_equal(f.pol.audited_allow, 1);
	e = engine_accept(&f);
	sock_io_expect(e, PING);
	sock_io_sends(e, OK_PING);
	sock_io_expect(f.client, OK_PING);
	assert_int_equal(f.pol.decided, 1);
	assert_int_equal(f.pol.recorded, 0);
	fix_end(&f);
	close(e);
}

/* Without an audit function there is no gate. */
static void
test_needs_audit(void **state)
{
	struct api_gate_opts	opts = { .engine_socket = "/nonexistent" };
	struct api_gate_ops	ops = { .identify = fake_identify, .decide = fake_decide };
	struct dw_err		err;

	(void)state;
	assert_null(api_gate_new(&opts, &ops, &err));
	ops.audit = fake_audit;
	ops.decide = NULL;
	assert_null(api_gate_new(&opts, &ops, &err));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_and_reuse),
		cmocka_unit_test(test_deny_mid_body),
		cmocka_unit_test(test_deny_keeps_connection),
		cmocka_unit_test(test_refuse_framing),
		cmocka_unit_test(test_refuse_stamp),
		cmocka_unit_test(test_stamp),
		cmocka_unit_test(test_refuse_head_size),
		cmocka_unit_test(test_refuse_body_size),
		cmocka_unit_test(test_build_held_back),
		cmocka_unit_test(test_expect_continue),
		cmocka_unit_test(test_retry_stale_engine),
		cmocka_unit_test(test_engine_unreachable),
		cmocka_unit_test(test_audit_after_forward),
		cmocka_unit_test(test_needs_audit),
	};

	signal(SIGPIPE, SIG_IGN);
	alarm(120);
	return cmocka_run_group_tests_name("api_gate", tests, NULL, NULL);
}
