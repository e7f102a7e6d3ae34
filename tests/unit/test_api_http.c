/*
 * api_http: the request framing both dockerd's Go net/http and the
 * gatekeeper read alike.  Unit tests of the head and chunk grammar, of
 * how the gatekeeper reads one request (api_http_request_parse: framing,
 * refusals, body limits), and the replay of
 * tests/data/framing/cases.json: every request the gatekeeper would
 * forward must be the one Go's server (recorded by tests/oracle/gohttp)
 * reads at that position.
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
#include <jansson.h>

#include "api/api_http.h"
#include "tests/unit/framing_diff.h"

#define CRLF "\r\n"

static int
head(const char *s, struct api_http_head *h)
{
	const char	*why = NULL;

	return api_http_head_parse(s, strlen(s), h, &why);
}

static void
test_head_plain(void **state)
{
	struct api_http_head	h;
	const char		*s = "POST /v1.41/containers/create?name=x HTTP/1.1" CRLF
	    "Host: d" CRLF "Content-Type: application/json" CRLF
	    "Content-Length:  16 " CRLF CRLF;

	(void)state;
	assert_int_equal(head(s, &h), 0);
	assert_string_equal(h.method, "POST");
	assert_int_equal(h.target_len, strlen("/v1.41/containers/create?name=x"));
	assert_memory_equal(s + h.target_off, "/v1.41/containers/create?name=x", h.target_len);
	assert_int_equal(h.minor, 1);
	assert_int_equal(h.body, API_HTTP_BODY_LENGTH);
	assert_int_equal(h.content_length, 16);
	assert_true(h.keep_alive);
	assert_int_equal(head("GET /_ping HTTP/1.1" CRLF "Host: d" CRLF
	    "Transfer-Encoding: Chunked" CRLF "Connection: foo, Close" CRLF CRLF, &h), 0);
	assert_int_equal(h.body, API_HTTP_BODY_CHUNKED);
	assert_false(h.keep_alive);
	assert_int_equal(head("GET /_ping HTTP/1.0" CRLF "Connection: keep-alive" CRLF CRLF, &h), 0);
	assert_true(h.keep_alive);
	assert_int_equal(h.body, API_HTTP_BODY_NONE);
	assert_int_equal(head("GET /_ping HTTP/1.0" CRLF CRLF, &h), 0);
	assert_false(h.keep_alive);
	assert_int_equal(head("POST /x HTTP/1.1" CRLF "Host: d" CRLF "Content-Length: 0" CRLF
	    "Expect: 100-Continue" CRLF CRLF, &h), 0);
	assert_int_equal(h.body, API_HTTP_BODY_NONE);
	assert_true(h.expect_continue);
}

/* Each of these Go 1.19 reads differently from libhttp-parser, or may: refused. */
static void
test_head_refused(void **state)
{
	static const char *const bad[] = {
		"GET /_ping HTTP/1.0" CRLF "Connection: keep-alive" CRLF
		    "Transfer-Encoding: chunked" CRLF CRLF,
		"POST /x HTTP/1.1" CRLF "Host: d" CRLF "Transfer-Encoding: chunked" CRLF
		    "Content-Length: 2" CRLF CRLF,
		"POST /x HTTP/1.1" CRLF "Host: d" CRLF "Transfer-Encoding: gzip, chunked" CRLF CRLF,
		"POST /x HTTP/1.1" CRLF "Host: d" CRLF "Transfer-Encoding: chunked" CRLF
		    "Transfer-Encoding: chunked" CRLF CRLF,
		"POST /x HTTP/1.1" CRLF "Host: d" CRLF "Content-Length: 2" CRLF
		    "Content-Length: 2" CRLF CRLF,
		"POST /x HTTP/1.1" CRLF "Host: d" CRLF "Content-Length: " CRLF CRLF,
		"POST /x HTTP/1.1" CRLF "Host: d" CRLF "Content-Length: +2" CRLF CRLF,
		"POST /x HTTP/1.1" CRLF "Host: d" CRLF "Content-Length : 2" CRLF CRLF,
		"GET /x HTTP/1.1" CRLF "Host: d" CRLF "X-A: 1" CRLF " 2" CRLF CRLF,
		"GET /x HTTP/1.1\nHost: d\n\n",
		"GET /x HTTP/1.1" CRLF "Host: d" CRLF "\n",
		"GET /x HTTP/1.1" CRLF "Host: d" CRLF "X-A: 1\r2" CRLF CRLF,
		"GET /x HTTP/1.1" CRLF "Host: d" CRLF "X-A: 1\x01" "2" CRLF CRLF,
		"GET /x HTTP/1.1" CRLF "Host: d" CRLF ": x" CRLF CRLF,
		"GET /x HTTP/1.1" CRLF CRLF,
		"GET /x HTTP/1.1" CRLF "Host: a" CRLF "Host: b" CRLF CRLF,
		"GET /x HTTP/1.2" CRLF "Host: d" CRLF CRLF,
		"GET /x HTTP/2.0" CRLF "Host: d" CRLF CRLF,
		"GET  /x HTTP/1.1" CRLF "Host: d" CRLF CRLF,
		"GET /x  HTTP/1.1" CRLF "Host: d" CRLF CRLF,
		"GET /x\x7f HTTP/1.1" CRLF "Host: d" CRLF CRLF,
		"GET /caf\xc3\xa9 HTTP/1.1" CRLF "Host: d" CRLF CRLF,
		"GET http://d/x HTTP/1.1" CRLF "Host: d" CRLF CRLF,
		"get /x HTTP/1.1" CRLF "Host: d" CRLF CRLF,
		"\r\nGET /x HTTP/1.1" CRLF "Host: d" CRLF CRLF,
		"GET /x HTTP/1.1" CRLF "Host: d" CRLF "Expect: 200-ok" CRLF CRLF,
		"GET /x HTTP/1.1" CRLF "Host: d" CRLF "Connection: close" CRLF
		    "Connection: keep-alive" CRLF CRLF,
		"GET /x HTTP/1.1" CRLF "Host: d" CRLF CRLF "x",
	};
	struct api_http_head	h;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (head(bad[i], &h) != -EPROTO)
			fail_msg("head %zu accepted: %s", i, bad[i]);
}

/* Feed s to a chunk checker n bytes at a time; the result and bytes used in all. */
static int
chunks(const char *s, size_t step, size_t *ret_used)
{
	struct api_http_chunks	 ck;
	const char		*why;
	size_t			 off = 0, len = strlen(s), n, used;
	int			 r = 0;

	memset(&ck, 0, sizeof(ck));
	*ret_used = 0;
	while (off < len) {
		n = len - off < step ? len - off : step;
		r = api_http_chunks_feed(&ck, s + off, n, &used, &why);
		if (r < 0)
			return r;
		*ret_used += used;
		if (r == 1)
			return 1;
		off += n;
	}
	return r;
}

static void
test_chunks(void **state)
{
	static const char *const good = "5" CRLF "hello" CRLF "00A" CRLF "0123456789"
	    CRLF "0" CRLF CRLF "GET";
	static const char *const bad[] = {
		"5;x=y" CRLF "hello" CRLF "0" CRLF CRLF,
		"5 " CRLF "hello" CRLF "0" CRLF CRLF,
		"5\n" "hello" CRLF "0" CRLF CRLF,
		CRLF CRLF,
		"0x5" CRLF "hello" CRLF "0" CRLF CRLF,
		"-5" CRLF "hello" CRLF "0" CRLF CRLF,
		"5" CRLF "hello\n0" CRLF CRLF,
		"5" CRLF "hello!" CRLF "0" CRLF CRLF,
		"0" CRLF "X-T: 1" CRLF CRLF,
		"0" CRLF "\n",
		"0;x" CRLF CRLF,
		"1000000000000000" CRLF,
	};
	size_t	i, step, used;

	(void)state;
	for (step = 1; step < 8; step++) {
		assert_int_equal(chunks(good, step, &used), 1);
		assert_int_equal(used, strlen(good) - 3);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (step = 1; step < 4; step++)
			if (chunks(bad[i], step, &used) != -EPROTO)
				fail_msg("chunks %zu accepted (step %zu)", i, step);
}

/*
 * One request off a buffer (api_http_request_parse: the functions a
 * connection runs): framing, refusals of heads Go could read
 * differently, body limits.
 */
struct gcase {
	const char	*name;
	const char	*req;
	int		 want;		/* 0 or the -errno */
	const char	*endpoint;	/* dotted endpoint name when want == 0 */
	size_t		 body_len;	/* decoded body read whole */
	int		 whole;		/* body read whole (1) or streamed (0) */
};

static const struct gcase request_cases[] = {
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
	{ "truncated head", "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF "Host", -EAGAIN, NULL, 0, 0 },
	{ "empty", "", -ENODATA, NULL, 0, 0 },
	{ "truncated JSON body", "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d" CRLF
	    "Content-Length: 10" CRLF CRLF "{}", -EAGAIN, NULL, 0, 0 },
};

static void
test_request_case(void **state)
{
	const struct gcase	*c = *state;
	struct api_http_request	 rq;
	struct dw_err		 err;
	int			 r;

	err.msg[0] = '\0';
	r = api_http_request_parse(c->req, strlen(c->req), &rq, &err);
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
	struct api_http_request	 rq;
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
	assert_int_equal(api_http_request_parse(buf, hl + n, &rq, &err), -E2BIG);
	/* Exactly the limit is fine. */
	hl = (size_t)snprintf(head, sizeof(head), "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d"
	    CRLF "Content-Length: %d" CRLF CRLF, DW_BODY_MAX);
	memcpy(buf, head, hl);
	memset(buf + hl, ' ', DW_BODY_MAX);
	assert_int_equal(api_http_request_parse(buf, hl + DW_BODY_MAX, &rq, &err), 0);
	assert_int_equal(rq.body_len, DW_BODY_MAX);
	free(buf);
}

/* A head over 64 KiB is refused. */
static void
test_head_limit(void **state)
{
	struct api_http_request	 rq;
	struct dw_err		 err;
	size_t			 n = 70 * 1024;
	char			*buf;

	(void)state;
	buf = malloc(n);
	assert_non_null(buf);
	memcpy(buf, "GET /_ping HTTP/1.1\r\nX: ", 24);
	memset(buf + 24, 'a', n - 24);
	assert_int_equal(api_http_request_parse(buf, n, &rq, &err), -E2BIG);
	free(buf);
}

/* Pipelined requests: the first ends where it ends; the rest is the next one's. */
static void
test_pipelined(void **state)
{
	const char		*two = "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF
	    "POST /v1.41/containers/create HTTP/1.1" CRLF "Host: d" CRLF "Content-Length: 2" CRLF CRLF "{}";
	struct api_http_request	 rq;
	struct dw_err		 err;

	(void)state;
	assert_int_equal(api_http_request_parse(two, strlen(two), &rq, &err), 0);
	assert_string_equal(rq.method, "GET");
	assert_int_equal(rq.consumed, strlen("GET /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF));
	assert_true(rq.complete);
	assert_true(rq.keep_alive);
	assert_int_equal(api_http_request_parse(two + rq.consumed, strlen(two) - rq.consumed,
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
	struct api_http_request	 rq;
	struct dw_err		 err;

	(void)state;
	assert_int_equal(api_http_request_parse(a, strlen(a), &rq, &err), 0);
	assert_false(rq.keep_alive);
	assert_int_equal(api_http_request_parse(b, strlen(b), &rq, &err), 0);
	assert_false(rq.keep_alive);
}

/* ---- the engine's answers: the fast head reader ---- */

/* dockerd's answer to GET /_ping, as 20.10 writes it. */
#define PING_ANSWER "HTTP/1.1 200 OK" CRLF "Api-Version: 1.41" CRLF \
	"Cache-Control: no-cache, no-store, must-revalidate" CRLF \
	"Content-Length: 2" CRLF "Content-Type: text/plain; charset=utf-8" CRLF \
	"Docker-Experimental: false" CRLF "Ostype: linux" CRLF "Pragma: no-cache" CRLF \
	"Server: Docker/20.10.24+dfsg1 (linux)" CRLF \
	"Date: Sun, 06 Dec 2026 11:00:00 GMT" CRLF CRLF "OK"

/* Two 16-byte steps, an 8-byte one and four single bytes. */
#define LONG_PIECE	"Abcdefghijklmnopqrstuvwxyz-01234567890123"
#define LONG_PIECE_LEN	(sizeof(LONG_PIECE) - 1)

/*
 * LONG_PIECE with ch at k, put into a header line (line: "%s: v" or
 * "X: %s"), in an answer head and in a request head, and, for a value,
 * as an answer's reason: each must be taken exactly when ok.
 */
static void
byte_at(unsigned char ch, size_t k, const char *line, bool ok, const char *what)
{
	struct api_http_head	 h;
	char			 piece[sizeof(LONG_PIECE)], hl[128], buf[512];
	const char		*why;
	unsigned		 status;
	unsigned long long	 length;
	bool			 keep;
	size_t			 n, got;

	memcpy(piece, LONG_PIECE, sizeof(piece));
	piece[k] = '#';		/* a placeholder, replaced in each head */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(hl, sizeof(hl), line, piece);
#pragma GCC diagnostic pop
	n = (size_t)snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK" CRLF "%s" CRLF
	    "Content-Length: 0" CRLF CRLF, hl);
	*strchr(buf, '#') = (char)ch;
	got = api_http_resp_fast_head(buf, n, &status, &length, &keep);
	if ((got != 0) != ok)
		fail_msg("answer: %s byte 0x%02x at %zu: read %s", what, ch, k,
		    got ? "fast" : "by the parser");
	n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1" CRLF "Host: d" CRLF "%s"
	    CRLF CRLF, hl);
	*strchr(buf, '#') = (char)ch;
	if ((api_http_head_parse(buf, n, &h, &why) == 0) != ok)
		fail_msg("request: %s byte 0x%02x at %zu: %s", what, ch, k, ok ?
		    why : "taken");
	if (line[0] != 'X')
		return;
	n = (size_t)snprintf(buf, sizeof(buf), "HTTP/1.1 200 %s" CRLF
	    "Content-Length: 0" CRLF CRLF, piece);
	*strchr(buf, '#') = (char)ch;
	got = api_http_resp_fast_head(buf, n, &status, &length, &keep);
	if ((got != 0) != ok)
		fail_msg("reason byte 0x%02x at %zu: read %s", ch, k, got ? "fast" :
		    "by the parser");
}

/* The plain shape is read, and what is outside it is left to the parser. */
static void
test_answer_fast_head(void **state)
{
	static const struct {
		const char	*head;	/* without its empty line */
		bool		 plain;
		unsigned	 status;
		unsigned long long length;
		bool		 keep;
	} c[] = {
		{ "HTTP/1.1 200 OK" CRLF "Content-Length: 2", true, 200, 2, true },
		{ "HTTP/1.1 404 Not Found" CRLF "content-length:0" CRLF "Connection: close",
		    true, 404, 0, false },
		{ "HTTP/1.1 500" CRLF "CONTENT-LENGTH:\t123456789012345" CRLF
		    "Connection: Keep-Alive", true, 500, 123456789012345ULL, true },
		{ "HTTP/1.1 200 OK" CRLF "X: \x80\xff" CRLF "Content-Length: 1", true, 200, 1, true },
		/* no length, or one the parser must judge */
		{ "HTTP/1.1 200 OK", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "Content-Length: 2 ", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "Content-Length: +2", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "Content-Length: 2, 2", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "Content-Length: 2" CRLF "Content-Length: 2", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "Content-Length: 1234567890123456", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "Content-Length:", false, 0, 0, false },
		/* framing the fast reader does not do */
		{ "HTTP/1.1 200 OK" CRLF "Content-Length: 2" CRLF "Transfer-Encoding: chunked", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "Content-Length: 2" CRLF "Connection: close, x", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "Content-Length: 2" CRLF "Connection: close" CRLF "Connection: close", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "Content-Length: 2" CRLF "Proxy-Connection: close", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "Content-Length: 2" CRLF "Upgrade: tcp", false, 0, 0, false },
		{ "HTTP/1.0 200 OK" CRLF "Content-Length: 2", false, 0, 0, false },
		{ "HTTP/1.1 101 Switching Protocols" CRLF "Content-Length: 2", false, 0, 0, false },
		{ "HTTP/1.1 100 Continue" CRLF "Content-Length: 2", false, 0, 0, false },
		{ "HTTP/1.1 204 No Content" CRLF "Content-Length: 2", false, 0, 0, false },
		{ "HTTP/1.1 304 Not Modified" CRLF "Content-Length: 2", false, 0, 0, false },
		{ "HTTP/1.1 2000 OK" CRLF "Content-Length: 2", false, 0, 0, false },
		{ "HTTP/1.1 600 X" CRLF "Content-Length: 2", false, 0, 0, false },
		/* bytes outside the grammar */
		{ "HTTP/1.1 200 OK" CRLF "Content-Length: 2" CRLF " folded", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "Content-Length : 2", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "X: a\rb" CRLF "Content-Length: 2", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "X: a\x01" CRLF "Content-Length: 2", false, 0, 0, false },
		{ "HTTP/1.1 200 OK\n" "Content-Length: 2", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF "Content-Length: 2\n", false, 0, 0, false },
		{ "HTTP/1.1 200 OK" CRLF ": 2" CRLF "Content-Length: 2", false, 0, 0, false },
	};
	char			 buf[512];
	unsigned		 status;
	unsigned long long	 length;
	bool			 keep;
	size_t			 i, k, n, got;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		n = (size_t)snprintf(buf, sizeof(buf), "%s" CRLF CRLF "OK", c[i].head);
		got = api_http_resp_fast_head(buf, n, &status, &length, &keep);
		if (!c[i].plain) {
			if (got != 0)
				fail_msg("case %zu: read fast: %s", i, c[i].head);
			continue;
		}
		if (got != n - 2 || status != c[i].status || length != c[i].length ||
		    keep != c[i].keep)
			fail_msg("case %zu: %zu bytes, status %u, length %llu, keep %d: %s",
			    i, got, status, length, keep, c[i].head);
		/* A head not yet whole is not read. */
		assert_int_equal(api_http_resp_fast_head(buf, n - 3, &status, &length, &keep), 0);
	}
	/*
	 * Every byte value at every place of a long name, value and reason
	 * (the scans go sixteen, eight and one byte at a time): RFC 9110's
	 * token and field-value bytes, read alike by the answer reader and
	 * the request head check.
	 */
	for (i = 0; i < 256; i++) {
		unsigned char	ch = (unsigned char)i;
		bool		tchar = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || (ch != 0 && strchr("!#$%&'*+-.^_`|~", ch));
		bool		value = ch == '\t' || (ch >= 0x20 && ch != 0x7f);

		for (k = 0; k < LONG_PIECE_LEN; k++) {
			if (ch != ':')
				byte_at(ch, k, "%s: v", tchar, "name");
			byte_at(ch, k, "X: %s", value, "value");
		}
	}
	n = strlen(PING_ANSWER);
	assert_int_equal(api_http_resp_fast_head(PING_ANSWER, n, &status, &length, &keep), n - 2);
	assert_int_equal(status, 200);
	assert_int_equal(length, 2);
}

/* Pieces of answers: plain ones, and the bytes and headers that are not. */
static const char *const answer_lines[] = {
	"HTTP/1.1 200 OK", "HTTP/1.1 201 Created", "HTTP/1.1 404 Not Found", "HTTP/1.1 500",
	"HTTP/1.1 101 Switching Protocols", "HTTP/1.1 100 Continue", "HTTP/1.1 204 No Content",
	"HTTP/1.1 304 Not Modified", "HTTP/1.0 200 OK", "HTTP/1.1 200  OK", "HTTP/1.1 099 X",
	"HTTP/1.1 200 ", "HTTP/1.1 200 \x80\tX", "HTTP/1.1 20",
};
static const char *const answer_headers[] = {
	"Content-Length: #", "content-length:#", "CONTENT-LENGTH:\t#", "Content-Length: # ",
	"Content-Length: 0#", "Content-Length: #, #", "Content-Length: +#",
	"Connection: close", "connection: keep-alive", "Connection: Close ", "Connection: upgrade",
	"Connection: close, keep-alive", "Connection:", "Proxy-Connection: close",
	"Transfer-Encoding: chunked", "Upgrade: tcp", "Api-Version: 1.41",
	"Content-Type: application/json", "Server: Docker/20.10.24+dfsg1 (linux)",
	"Date: Sun, 06 Dec 2026 11:00:00 GMT", "X-Odd: \x80\xfe\t", "X:", " folded",
	"Bad Name: x", "X: a\x7f", "X: a\rb",
};

/* Append template t ('#': len) and CRLF. */
static size_t
answer_put(char *buf, size_t cap, size_t n, const char *t, unsigned len)
{
	int	w;

	for (; *t != '\0'; t++) {
		w = *t == '#' ? snprintf(buf + n, cap - n, "%u", len) :
		    snprintf(buf + n, cap - n, "%c", *t);
		if (w > 0 && (size_t)w < cap - n)
			n += (size_t)w;
	}
	if (n + 2 < cap) {
		memcpy(buf + n, CRLF, 2);
		n += 2;
	}
	return n;
}

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * One random answer stream: three in four of the plain shape (a plain
 * status line, headers of the harmless kind, one plain Content-Length
 * somewhere), some of those with one piece that may not be (a status
 * line or a header from the whole list), the rest of any pieces above
 * ('#': the body's length); then a body, maybe with bytes after it, and
 * now and then a byte changed.
 */
static size_t
answer_random(char *buf, size_t cap, unsigned *seed)
{
	size_t		 n = 0, nh, i, at, odd;
	unsigned	 len = (unsigned)(rand_r(seed) % 40);
	bool		 plain = rand_r(seed) % 4 != 0;

	n = answer_put(buf, cap, n, answer_lines[(size_t)rand_r(seed) %
	    (plain && rand_r(seed) % 4 != 0 ? 4 : NELEM(answer_lines))], len);
	nh = (size_t)(rand_r(seed) % 8);
	at = (size_t)rand_r(seed) % (nh + 1);
	odd = plain && rand_r(seed) % 4 == 0 ? (size_t)rand_r(seed) % (nh + 1) : nh + 1;
	for (i = 0; i <= nh; i++) {
		if (plain && i == at)
			n = answer_put(buf, cap, n, answer_headers[(size_t)rand_r(seed) % 3], len);
		else if (i == odd)	/* one piece that may not be plain */
			n = answer_put(buf, cap, n, answer_headers[(size_t)rand_r(seed) %
			    NELEM(answer_headers)], len);
		else if (plain && i < nh)
			n = answer_put(buf, cap, n, answer_headers[i % 3 == 0 ? 7 + (size_t)rand_r(seed) % 2 :
			    16 + (size_t)rand_r(seed) % 5], len);
		else if (i < nh)
			n = answer_put(buf, cap, n, answer_headers[(size_t)rand_r(seed) %
			    NELEM(answer_headers)], len);
	}
	if (n + 2 < cap) {
		memcpy(buf + n, CRLF, 2);
		n += 2;
	}
	for (i = 0; i < len + (size_t)(rand_r(seed) % 3) * 7 && n < cap; i++)
		buf[n++] = (char)('a' + rand_r(seed) % 26);
	if (n > 0 && rand_r(seed) % 6 == 0)
		buf[(size_t)rand_r(seed) % n] = (char)(rand_r(seed) % 256);
	return n;
}

/* The fast reader and the parser read every answer alike, however its bytes come. */
static void
test_answer_fast_vs_parser(void **state)
{
	char		 buf[2048], why[512];
	size_t		 cuts[4], n, i, k, nfast = 0;
	unsigned	 seed = 15;
	bool		 fast;
	const int	 rounds = 30000;

	(void)state;
	for (i = 0; i < (size_t)rounds; i++) {
		n = answer_random(buf, sizeof(buf), &seed);
		for (k = 0; k < 4; k++)
			cuts[k] = n > 0 ? (size_t)rand_r(&seed) % (n + 1) : 0;
		if (cuts[1] < cuts[0])
			cuts[1] = cuts[0];
		if (cuts[2] < cuts[1])
			cuts[2] = cuts[1];
		if (cuts[3] < cuts[2])
			cuts[3] = cuts[2];
		if (rand_r(&seed) % 4 != 0)
			cuts[0] = n;	/* mostly all at once, as dockerd writes a small answer */
		if (framing_answer_diff(buf, n, cuts, 4, rand_r(&seed) % 16 == 0, &fast, why,
		    sizeof(why)) < 0)
			fail_msg("answer %zu: %s\n%.*s", i, why, (int)n, buf);
		nfast += fast;
	}
	/* Both kinds came often enough to mean something. */
	if (nfast < (size_t)rounds / 5 || nfast > (size_t)rounds * 4 / 5)
		fail_msg("%zu of %d answers were read fast", nfast, rounds);
	/* dockerd's /_ping answer, byte by byte and whole. */
	n = strlen(PING_ANSWER);
	for (k = 0; k < 4; k++)
		cuts[k] = n;
	assert_int_equal(framing_answer_diff(PING_ANSWER, n, cuts, 4, false, &fast, why,
	    sizeof(why)), 0);
	assert_true(fast);
}

/* ---- requests: a bodiless head read without the parser ---- */

static const char *const req_lines[] = {
	"GET /_ping HTTP/1.1", "HEAD /_ping HTTP/1.1", "POST /v1.41/containers/x/start HTTP/1.1",
	"DELETE /v1.41/containers/x?force=1 HTTP/1.1", "PUT /v1.41/containers/x/archive?path=/ HTTP/1.1",
	"GET /v1.41/containers/json?all=1 HTTP/1.0", "OPTIONS / HTTP/1.1", "PATCH /x HTTP/1.1",
	"FOO /x HTTP/1.1", "get /x HTTP/1.1", "GET /a%41b HTTP/1.1", "GET * HTTP/1.1",
	"GET http://d/_ping HTTP/1.1", "GET /x HTTP/1.2", "GET /x HTTP/2.0", "GET  /x HTTP/1.1",
	"CONNECT d:80 HTTP/1.1", "GET /a\"b HTTP/1.1", "GET /{x}|^ HTTP/1.1", "GET /a#b HTTP/1.1",
	"GET /a\\b HTTP/1.1", "GET /a?b=<c> HTTP/1.1", "GET /a[0]`b HTTP/1.1",
};
static const char *const req_headers[] = {
	"Host: d", "host:docker", "User-Agent: Docker-Client/20.10.24 (linux)",
	"Content-Type: application/json", "content-type:  text/plain  ", "Content-Type: a",
	"X-Registry-Auth: e30=", "Accept: */*", "Connection: keep-alive", "Connection: close",
	/* from here on, pieces that are not plain */
	"Content-Length: 0", "Content-Length: 2", "Content-Length: 00", "Content-Length: +0",
	"Transfer-Encoding: chunked", "Connection: Upgrade", "Upgrade: tcp",
	"Connection: close, keep-alive", "Expect: 100-continue", "Expect: foo", "Host: e",
	"X: \x80\xff", "X:\t v \t", "Bad Name: x", " folded", "X: a\x01", "X: a\rb", "X: a\nb",
	"Content-Type:", "Content-Length:", "X", "Transfer-EncodingX: y", "Content-Lengths: 5",
	"Connection-Token: close", "Upgraded: no", "Proxy-Connection: close", "proxy-connection: x",
};
#define REQ_PLAIN_HEADERS	10

/* One random request stream: mostly a plain bodiless head, sometimes odd pieces; then more bytes. */
static size_t
req_random(char *buf, size_t cap, unsigned *seed)
{
	size_t		 n = 0, nh, i, host;
	bool		 plain = rand_r(seed) % 4 != 0;

	n = answer_put(buf, cap, n, req_lines[(size_t)rand_r(seed) %
	    (plain ? 6 : NELEM(req_lines))], 0);
	nh = (size_t)(rand_r(seed) % 6);
	host = (size_t)rand_r(seed) % (nh + 1);
	for (i = 0; i <= nh; i++) {
		if (i == host && rand_r(seed) % 8 != 0)
			n = answer_put(buf, cap, n, req_headers[rand_r(seed) % 2], 0);
		else if (i < nh)
			n = answer_put(buf, cap, n, req_headers[(size_t)rand_r(seed) %
			    (plain && rand_r(seed) % 6 != 0 ? REQ_PLAIN_HEADERS :
			    NELEM(req_headers))], 0);
	}
	if (n + 2 < cap) {
		memcpy(buf + n, CRLF, 2);
		n += 2;
	}
	/* What follows: nothing, a body's bytes, or a next request. */
	switch (rand_r(seed) % 3) {
	case 1:
		n = answer_put(buf, cap, n, "{}", 0);
		break;
	case 2:
		n = answer_put(buf, cap, n, "GET /_ping HTTP/1.1" CRLF "Host: d" CRLF, 0);
		break;
	}
	if (n > 0 && rand_r(seed) % 6 == 0)
		buf[(size_t)rand_r(seed) % n] = (char)(rand_r(seed) % 256);
	return n;
}

/*
 * A head read without the parser is read exactly as the parser and the
 * head checks together read it: same result, same facts, same bytes.
 */
static void
test_request_fast_vs_parser(void **state)
{
	char		 buf[1024], why[1024];
	size_t		 n, i, nfast = 0;
	unsigned	 seed = 15;
	bool		 fast;
	const int	 rounds = 30000;

	(void)state;
	for (i = 0; i < (size_t)rounds; i++) {
		n = req_random(buf, sizeof(buf), &seed);
		if (framing_request_fast_diff(buf, n, &fast, why, sizeof(why)) < 0)
			fail_msg("request %zu: %s\n%.*s", i, why, (int)n, buf);
		nfast += fast;
	}
	if (nfast < (size_t)rounds / 5 || nfast > (size_t)rounds * 4 / 5)
		fail_msg("%zu of %d requests were read fast", nfast, rounds);
}

static json_t	*cases;

/* One recorded case: the gatekeeper forwards only what Go reads alike. */
static void
test_case(void **state)
{
	const json_t	*c = *state;
	const char	*name = json_string_value(json_object_get(c, "name"));
	const json_t	*go = json_object_get(c, "go");
	char		*raw, why[1024], summary[FRAMING_SUMMARY_MAX];
	size_t		 len;
	unsigned	 fwd;

	if (!json_is_object(go))
		fail_msg("case \"%s\" has no recorded Go answer: run "
		    "tests/data/framing/record.sh", name);
	raw = framing_bytes(json_object_get(c, "raw"), &len);
	assert_non_null(raw);
	if (framing_diff(raw, len, go, &fwd, summary, why, sizeof(why)) < 0) {
		free(raw);
		fail_msg("case \"%s\": %s\n  gatekeeper: %s\n  Go: %zu requests, %s", name,
		    why, summary, json_array_size(json_object_get(go, "requests")),
		    json_string_value(json_object_get(go, "end")));
	}
	if (getenv("FRAMING_VERBOSE") != NULL)
		print_message("%s\n  gatekeeper: %s\n  Go: %zu requests, %s\n", name, summary,
		    json_array_size(json_object_get(go, "requests")),
		    json_string_value(json_object_get(go, "end")));
	free(raw);
}

int
main(void)
{
	const char		*top = getenv("top_srcdir");
	char			 path[4096];
	json_error_t		 e;
	const json_t		*list;
	struct CMUnitTest	*tests;
	size_t			 i, n = 0, ncases, nreq;
	int			 r;

	snprintf(path, sizeof(path), "%s/tests/data/framing/cases.json", top ? top : "..");
	if ((cases = json_load_file(path, JSON_ALLOW_NUL, &e)) == NULL) {
		fprintf(stderr, "%s: %s (line %d)\n", path, e.text, e.line);
		return 1;
	}
	list = json_object_get(cases, "cases");
	ncases = json_array_size(list);
	nreq = sizeof(request_cases) / sizeof(request_cases[0]);
	if ((tests = calloc(ncases + nreq + 10, sizeof(*tests))) == NULL)
		return 1;
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_head_plain);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_head_refused);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_chunks);
	for (i = 0; i < nreq; i++) {
		tests[n].name = request_cases[i].name;
		tests[n].test_func = test_request_case;
		tests[n].initial_state = (void *)&request_cases[i];
		n++;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_body_limit);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_head_limit);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_pipelined);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_keep_alive);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_answer_fast_head);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_answer_fast_vs_parser);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_request_fast_vs_parser);
	for (i = 0; i < ncases; i++) {
		const json_t *c = json_array_get(list, i);

		tests[n].name = json_string_value(json_object_get(c, "name"));
		tests[n].test_func = test_case;
		tests[n].initial_state = (void *)c;
		n++;
	}
	r = _cmocka_run_group_tests("api_http", tests, n, NULL, NULL);
	free(tests);
	json_decref(cases);
	return r;
}
