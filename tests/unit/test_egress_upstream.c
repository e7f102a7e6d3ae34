/*
 * egress_upstream: the CONNECT and SOCKS5 handshakes byte for byte: the
 * requests we send, every reply offered one byte short at every length
 * (nothing consumed), the exact count consumed when a reply is complete
 * with tunnel bytes behind it, and each refusal mapped to its errno.
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

#include "egress/egress_upstream.h"

#define CRLF	"\r\n"

/* Everything the handshake wants to send, marked sent in pieces of step bytes. */
static size_t
drain(struct egress_upstream_hs *u, uint8_t *out, size_t sz, size_t step)
{
	const uint8_t	*p;
	size_t		 n, k, total = 0;

	while ((n = egress_upstream_output(u, &p)) > 0) {
		k = n < step ? n : step;
		assert_true(total + k <= sz);
		memcpy(out + total, p, k);
		total += k;
		egress_upstream_sent(u, k);
	}
	return total;
}

/* reply (len bytes, then tail): every prefix wants more, the whole is used exactly. */
static void
feed_ok(struct egress_upstream_hs *u, const void *reply, size_t len, const char *tail)
{
	uint8_t		buf[EGRESS_UPSTREAM_REPLY_MAX + 64];
	struct dw_err	err;
	size_t		i, used;

	assert_true(len + strlen(tail) <= sizeof(buf));
	memcpy(buf, reply, len);
	memcpy(buf + len, tail, strlen(tail));
	for (i = 0; i < len; i++) {
		used = 99;
		if (egress_upstream_input(u, buf, i, &used, &err) != 0)
			fail_msg("prefix %zu: %s", i, err.msg);
		assert_int_equal(used, 0);
	}
	used = 0;
	assert_int_equal(egress_upstream_input(u, buf, len + strlen(tail), &used, &err), 0);
	assert_int_equal(used, len);
}

static int
feed_err(struct egress_upstream_hs *u, const void *reply, size_t len)
{
	struct dw_err	err;
	size_t		used = 0;
	int		r;

	dw_err_clear(&err);
	r = egress_upstream_input(u, reply, len, &used, &err);
	if (r < 0)
		assert_true(err.msg[0] != '\0');
	return r;
}

static void
test_connect_request(void **state)
{
	struct egress_upstream_hs	u;
	uint8_t				out[512];
	size_t				n;
	const char			*want;

	assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_CONNECT, "example.com", 443,
	    NULL), 0);
	want = "CONNECT example.com:443 HTTP/1.1" CRLF "Host: example.com:443" CRLF CRLF;
	n = drain(&u, out, sizeof(out), 5);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	assert_false(egress_upstream_done(&u));

	assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_CONNECT, "2001:db8::1", 80,
	    NULL), 0);
	want = "CONNECT [2001:db8::1]:80 HTTP/1.1" CRLF "Host: [2001:db8::1]:80" CRLF CRLF;
	n = drain(&u, out, sizeof(out), 1000);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
}

static void
test_init_refuses(void **state)
{
	struct egress_upstream_hs	u;
	char				long_name[300];
	static const char *const	bad[] = { "", "a b", "a\r\nX-Evil: 1", "a/b", "a@b" };
	size_t				i;
	struct dw_err			err;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_CONNECT, bad[i], 80,
		    &err), -EINVAL);
		assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_SOCKS5, bad[i], 80,
		    &err), -EINVAL);
	}
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_SOCKS5, long_name, 80, &err),
	    -EINVAL);
	long_name[255] = '\0';
	assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_SOCKS5, long_name, 80, &err), 0);
	assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_CONNECT, "a", 0, &err), -EINVAL);
}

static void
test_connect_ok(void **state)
{
	struct egress_upstream_hs	u;
	uint8_t				out[512];
	const uint8_t			*p;
	static const char *const	ok[] = {
		"HTTP/1.1 200 Connection established" CRLF CRLF,
		"HTTP/1.0 200 OK" CRLF "Proxy-Agent: x" CRLF "Content-Length: 5" CRLF CRLF,
		"HTTP/1.1 204" CRLF CRLF,
		"HTTP/1.1 299 Fine\n\n",
		"HTTP/1.1 200 OK\nVia: a\r\n\n",
	};
	size_t				i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_CONNECT, "a.example", 443,
		    NULL), 0);
		(void)drain(&u, out, sizeof(out), 1000);
		/* The tunnel's first bytes come in the same read: not consumed. */
		feed_ok(&u, ok[i], strlen(ok[i]), "SSH-2.0-server\r\n");
		assert_true(egress_upstream_done(&u));
		assert_int_equal(egress_upstream_output(&u, &p), 0);
		assert_int_equal(feed_err(&u, "x", 1), -EPROTO);
	}
}

static void
test_connect_refused(void **state)
{
	static const struct {
		const char	*reply;
		int		 want;
	} tab[] = {
		{ "HTTP/1.1 407 Proxy Authentication Required" CRLF, -EACCES },
		{ "HTTP/1.1 403 Forbidden" CRLF, -EACCES },
		{ "HTTP/1.1 502 Bad Gateway" CRLF, -ECONNREFUSED },
		{ "HTTP/1.1 504 Gateway Timeout" CRLF, -ETIMEDOUT },
		{ "HTTP/1.1 100 Continue" CRLF CRLF, -EPROTO },
		{ "HTTP/1.1 301 Moved" CRLF, -EPROTO },
		{ "SSH-2.0-OpenSSH" CRLF, -EPROTO },
		{ "HTTP/2 200" CRLF CRLF, -EPROTO },
		{ "HTTP/1.1 2000 OK" CRLF CRLF, -EPROTO },
		{ "HTTP/1.1 20 OK" CRLF CRLF, -EPROTO },
		{ "HTTP/1.1 200 OK\rX" CRLF CRLF, -EPROTO },
		{ "HTTP/1.1 200 OK" CRLF "X: \x01" CRLF CRLF, -EPROTO },
		{ "HTTP/1.1 600 What" CRLF CRLF, -EPROTO },
	};
	struct egress_upstream_hs	u;
	uint8_t				out[512];
	char				*big;
	size_t				i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_CONNECT, "a.example", 443,
		    NULL), 0);
		(void)drain(&u, out, sizeof(out), 1000);
		if (feed_err(&u, tab[i].reply, strlen(tab[i].reply)) != tab[i].want)
			fail_msg("case %zu: %s", i, tab[i].reply);
		assert_false(egress_upstream_done(&u));
	}
	/* A head that never ends. */
	big = malloc(EGRESS_UPSTREAM_REPLY_MAX + 10);
	assert_non_null(big);
	memset(big, 'a', EGRESS_UPSTREAM_REPLY_MAX + 10);
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_CONNECT, "a.example", 443, NULL),
	    0);
	assert_int_equal(feed_err(&u, big, EGRESS_UPSTREAM_REPLY_MAX - 1), 0);
	assert_int_equal(feed_err(&u, big, EGRESS_UPSTREAM_REPLY_MAX + 10), -E2BIG);
	free(big);
}

static void
socks_start(struct egress_upstream_hs *u, const char *host, uint16_t port, const uint8_t *want,
    size_t want_len)
{
	uint8_t	out[600];
	size_t	n;

	assert_int_equal(egress_upstream_init(u, EGRESS_UPSTREAM_SOCKS5, host, port, NULL), 0);
	n = drain(u, out, sizeof(out), 2);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "\x05\x01\x00", 3);
	/* No request before the method is chosen. */
	assert_int_equal(drain(u, out, sizeof(out), 1), 0);
	feed_ok(u, "\x05\x00", 2, "\x05");
	assert_false(egress_upstream_done(u));
	n = drain(u, out, sizeof(out), 3);
	assert_int_equal(n, want_len);
	assert_memory_equal(out, want, want_len);
}

static void
test_socks5_ok(void **state)
{
	struct egress_upstream_hs	u;

	socks_start(&u, "a.example", 443,
	    (const uint8_t *)"\x05\x01\x00\x03\x09" "a.example" "\x01\xbb", 16);
	feed_ok(&u, "\x05\x00\x00\x01\x0a\x00\x00\x01\x1f\x90", 10, "tunnel");
	assert_true(egress_upstream_done(&u));

	socks_start(&u, "10.1.2.3", 80, (const uint8_t *)"\x05\x01\x00\x01\x0a\x01\x02\x03\x00\x50",
	    10);
	feed_ok(&u, "\x05\x00\x00\x03\x04host\x00\x50", 11, "");
	assert_true(egress_upstream_done(&u));

	socks_start(&u, "2001:db8::1", 22, (const uint8_t *)"\x05\x01\x00\x04"
	    "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01" "\x00\x16", 22);
	feed_ok(&u, "\x05\x00\x00\x04" "0123456789abcdef" "\x00\x16", 22, "SSH-2.0");
	assert_true(egress_upstream_done(&u));
}

static void
test_socks5_refused(void **state)
{
	static const int	codes[] = { 0, -EIO, -EACCES, -ENETUNREACH, -EHOSTUNREACH,
	    -ECONNREFUSED, -ETIMEDOUT, -EPROTO, -EPROTO, -EPROTO };
	struct egress_upstream_hs	u;
	uint8_t				out[600], reply[10];
	unsigned			rep;

	/* Method answers. */
	assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_SOCKS5, "a", 1, NULL), 0);
	(void)drain(&u, out, sizeof(out), 100);
	assert_int_equal(feed_err(&u, "\x05\xff", 2), -EACCES);
	assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_SOCKS5, "a", 1, NULL), 0);
	(void)drain(&u, out, sizeof(out), 100);
	assert_int_equal(feed_err(&u, "\x05\x02", 2), -EPROTO);
	assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_SOCKS5, "a", 1, NULL), 0);
	(void)drain(&u, out, sizeof(out), 100);
	assert_int_equal(feed_err(&u, "\x04", 1), -EPROTO);
	/* An answer before the greeting was all sent. */
	assert_int_equal(egress_upstream_init(&u, EGRESS_UPSTREAM_SOCKS5, "a", 1, NULL), 0);
	egress_upstream_sent(&u, 1);
	assert_int_equal(feed_err(&u, "\x05\x00", 2), -EPROTO);

	/* Reply codes. */
	for (rep = 1; rep < sizeof(codes) / sizeof(codes[0]); rep++) {
		socks_start(&u, "a", 1, (const uint8_t *)"\x05\x01\x00\x03\x01" "a" "\x00\x01", 8);
		memcpy(reply, "\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
		reply[1] = (uint8_t)rep;
		if (feed_err(&u, reply, 2) != codes[rep])
			fail_msg("reply code %u", rep);
	}
	socks_start(&u, "a", 1, (const uint8_t *)"\x05\x01\x00\x03\x01" "a" "\x00\x01", 8);
	assert_int_equal(feed_err(&u, "\x05\x00\x01", 3), -EPROTO);
	socks_start(&u, "a", 1, (const uint8_t *)"\x05\x01\x00\x03\x01" "a" "\x00\x01", 8);
	assert_int_equal(feed_err(&u, "\x05\x00\x00\x09\x00", 5), -EPROTO);
	socks_start(&u, "a", 1, (const uint8_t *)"\x05\x01\x00\x03\x01" "a" "\x00\x01", 8);
	assert_int_equal(feed_err(&u, "\x06\x00", 2), -EPROTO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_request),
		cmocka_unit_test(test_init_refuses),
		cmocka_unit_test(test_connect_ok),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_socks5_ok),
		cmocka_unit_test(test_socks5_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
