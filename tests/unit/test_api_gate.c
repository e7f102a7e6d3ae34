/*
 * api_gate: how the gatekeeper reads a request off the wire (framing,
 * refusals of heads Go could read differently, body limits), through
 * api_gate_request_parse, which runs the connection's own code on a buffer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/api_gate.h"

struct gcase {
	const char	*name;
	const char	*req;
	int		 want;		/* 0 or the -errno */
	const char	*endpoint;	/* dotted endpoint name when want == 0 */
	size_t		 body_len;	/* decoded body read whole */
	int		 whole;		/* body read whole (1) or streamed (0) */
};

#define CRLF "\r\n"
static const struct gcase cases[] = {
	{ "plain ping", "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF, 0, "ping", 0, 0 },
	{ "versioned head ping", "HEAD /v1.43/_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF, 0, "ping.head", 0, 0 },
	{ "create with length", "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d" CRLF
	    "Content-Type: application/json" CRLF "Content-Length: 16" CRLF CRLF
	    "{\"Image\":\"busy\"}", 0, "container.create", 16, 1 },
	{ "create chunked, read whole", "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d" CRLF
	    "Transfer-Encoding: chunked" CRLF CRLF "8" CRLF "{\"Image\"" CRLF "8" CRLF
	    ":\"busy\"}" CRLF "0" CRLF CRLF, 0, "container.create", 16, 1 },
	{ "chunked, mixed-case coding", "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d" CRLF
	    "Transfer-Encoding: Chunked" CRLF CRLF "0" CRLF CRLF, 0, "container.create", 0, 1 },
	{ "build context streams", "POST /v1.41/build HTTP/1.1" CRLF "Host: d" CRLF
	    "Content-Type: application/x-tar" CRLF "Content-Length: 5" CRLF CRLF "abcde",
	    0, "build", 0, 0 },
	{ "load streams", "POST /images/load HTTP/1.1" CRLF "Host: d" CRLF "Transfer-Encoding: chunked" CRLF CRLF,
	    0, "image.load", 0, 0 },
	{ "exec start upgrade", "POST /v1.41/exec/abc/start HTTP/1.1" CRLF "Host: d" CRLF
	    "Connection: Upgrade" CRLF "Upgrade: tcp" CRLF "Content-Length: 2" CRLF CRLF "{}",
	    0, "exec.start", 2, 1 },
	{ "unknown route still read", "GET /v1.41/nosuch HTTP/1.1" CRLF "Host: d" CRLF CRLF, 0, "unknown", 0, 0 },
	{ "bare LF", "GET /_ping HTTP/1.1\nHost: d\n\n", -EPROTO, NULL, 0, 0 },
	{ "folded header", "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF "X-A: 1" CRLF " 2" CRLF CRLF, -EPROTO, NULL, 0, 0 },
	{ "two transfer-encodings", "POST /build HTTP/1.1" CRLF "Host: d" CRLF "Transfer-Encoding: chunked" CRLF
	    "Transfer-Encoding: chunked" CRLF CRLF "0" CRLF CRLF, -EPROTO, NULL, 0, 0 },
	{ "gzip transfer-encoding", "POST /build HTTP/1.1" CRLF "Host: d" CRLF "Transfer-Encoding: gzip, chunked" CRLF
	    CRLF "0" CRLF CRLF, -EPROTO, NULL, 0, 0 },
	{ "length and chunked", "POST /build HTTP/1.1" CRLF "Host: d" CRLF "Content-Length: 3" CRLF
	    "Transfer-Encoding: chunked" CRLF CRLF "0" CRLF CRLF, -EPROTO, NULL, 0, 0 },
	{ "two lengths", "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d" CRLF "Content-Length: 2" CRLF
	    "Content-Length: 3" CRLF CRLF "{}", -EPROTO, NULL, 0, 0 },
	{ "bad method", "G@T /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF, -EPROTO, NULL, 0, 0 },
	{ "truncated head", "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF "Host", -EBADF, NULL, 0, 0 },
	{ "empty", "", -ENODATA, NULL, 0, 0 },
	{ "truncated JSON body", "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d" CRLF
	    "Content-Length: 10" CRLF CRLF "{}", -EBADF, NULL, 0, 0 },
};

static void
test_case(void **state)
{
	const struct gcase	*c = *state;
	struct api_gate_request	 rq;
	struct dw_err		 err;
	int			 r;

	err.msg[0] = '\0';
	r = api_gate_request_parse(c->req, strlen(c->req), &rq, &err);
	if (r != c->want)
		fail_msg("case \"%s\": want %d, got %d (%s)", c->name, c->want, r, err.msg);
	if (r != 0)
		return;
	assert_string_equal(authz_uri_endpoint_name(rq.endpoint), c->endpoint);
	assert_int_equal(rq.body_read_whole, c->whole);
	assert_int_equal(rq.body_len, c->body_len);
}

/* A body over the limit is refused, not truncated. */
static void
test_body_limit(void **state)
{
	struct api_gate_request	 rq;
	struct dw_err		 err;
	size_t			 n = DW_BODY_MAX + 1, hl;
	char			 head[256], *buf;

	(void)state;
	hl = (size_t)snprintf(head, sizeof(head), "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d"
	    CRLF "Content-Length: %zu" CRLF CRLF, n);
	buf = malloc(hl + n);
	assert_non_null(buf);
	memcpy(buf, head, hl);
	memset(buf + hl, ' ', n);
	assert_int_equal(api_gate_request_parse(buf, hl + n, &rq, &err), -E2BIG);
	/* Exactly the limit is fine. */
	hl = (size_t)snprintf(head, sizeof(head), "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d"
	    CRLF "Content-Length: %d" CRLF CRLF, DW_BODY_MAX);
	memcpy(buf, head, hl);
	memset(buf + hl, ' ', DW_BODY_MAX);
	assert_int_equal(api_gate_request_parse(buf, hl + DW_BODY_MAX, &rq, &err), 0);
	assert_int_equal(rq.body_len, DW_BODY_MAX);
	free(buf);
}

/* A head over 64 KiB is refused. */
static void
test_head_limit(void **state)
{
	struct api_gate_request	 rq;
	struct dw_err		 err;
	size_t			 n = 70 * 1024;
	char			*buf;

	(void)state;
	buf = malloc(n);
	assert_non_null(buf);
	memcpy(buf, "GET /_ping HTTP/1.1\r\nX: ", 24);
	memset(buf + 24, 'a', n - 24);
	assert_int_equal(api_gate_request_parse(buf, n, &rq, &err), -E2BIG);
	free(buf);
}

/* Pipelined requests: the first ends where it ends; the rest is the next one's. */
static void
test_pipelined(void **state)
{
	const char		*two = "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF
	    "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d" CRLF "Content-Length: 2" CRLF CRLF "{}";
	struct api_gate_request	 rq;
	struct dw_err		 err;

	(void)state;
	assert_int_equal(api_gate_request_parse(two, strlen(two), &rq, &err), 0);
	assert_string_equal(rq.method, "GET");
	assert_int_equal(rq.consumed, strlen("GET /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF));
	assert_true(rq.complete);
	assert_true(rq.keep_alive);
	assert_int_equal(api_gate_request_parse(two + rq.consumed, strlen(two) - rq.consumed,
	    &rq, &err), 0);
	assert_string_equal(rq.method, "POST");
	assert_int_equal(rq.body_len, 2);
}

/* HTTP/1.0 and Connection: close end the connection after the answer. */
static void
test_keep_alive(void **state)
{
	const char		*a = "GET /_ping HTTP/1.0" CRLF CRLF;
	const char		*b = "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF "Connection: close" CRLF CRLF;
	struct api_gate_request	 rq;
	struct dw_err		 err;

	(void)state;
	assert_int_equal(api_gate_request_parse(a, strlen(a), &rq, &err), 0);
	assert_false(rq.keep_alive);
	assert_int_equal(api_gate_request_parse(b, strlen(b), &rq, &err), 0);
	assert_false(rq.keep_alive);
}

int
main(void)
{
	struct CMUnitTest	 tests[sizeof(cases) / sizeof(cases[0]) + 4];
	size_t			 i, n = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tests[n].name = cases[i].name;
		tests[n].test_func = test_case;
		tests[n].setup_func = NULL;
		tests[n].teardown_func = NULL;
		tests[n].initial_state = (void *)&cases[i];
		n++;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_body_limit);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_head_limit);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_pipelined);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_keep_alive);
	return _cmocka_run_group_tests("api_gate", tests, n, NULL, NULL);
}
