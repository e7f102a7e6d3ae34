/*
 * egress_peek: the Host header and the TLS SNI from a connection's first
 * bytes.  Every good input is also offered one byte short at every length
 * (NEED_MORE each time: the proxy peeks again on each arrival), a
 * ClientHello split across records of several sizes, and each field of
 * the grammar broken on purpose (MALFORMED, never a guess).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "egress/egress_peek.h"
#include "egress/egress_proxy.h"

#define CRLF	"\r\n"
#define LIMIT	EGRESS_PEEK_MAX

static enum egress_peek_result
http(const char *s, char *name)
{
	return egress_peek_http_host((const uint8_t *)s, strlen(s), LIMIT, name, NULL);
}

/* s gives want/expect, and every proper prefix of it NEED_MORE. */
static void
http_check(const char *s, enum egress_peek_result want, const char *expect)
{
	char	name[EGRESS_HOST_MAX];
	size_t	i, n = strlen(s);

	for (i = 0; i < n; i++) {
		enum egress_peek_result	r = egress_peek_http_host((const uint8_t *)s, i, LIMIT,
		    name, NULL);

		if (r != EGRESS_PEEK_NEED_MORE && r != want)
			fail_msg("prefix %zu of \"%s\": %s", i, s, egress_peek_result_name(r));
	}
	name[0] = '\0';
	if (http(s, name) != want)
		fail_msg("\"%s\": %s, not %s", s, egress_peek_result_name(http(s, name)),
		    egress_peek_result_name(want));
	if (expect != NULL)
		assert_string_equal(name, expect);
}

static void
test_http_found(void **state)
{
	http_check("GET / HTTP/1.1" CRLF "Host: Example.COM:8080" CRLF CRLF,
	    EGRESS_PEEK_FOUND, "example.com");
	http_check("GET / HTTP/1.1" CRLF "User-Agent: x" CRLF "hOsT:\t a.b.example \t" CRLF
	    "Accept: */*" CRLF CRLF, EGRESS_PEEK_FOUND, "a.b.example");
	http_check("POST /x HTTP/1.0\nHost: example.net\n\n", EGRESS_PEEK_FOUND, "example.net");
	http_check("GET / HTTP/1.1" CRLF "Host: [::FFFF:1.2.3.4]:80" CRLF CRLF,
	    EGRESS_PEEK_FOUND, "::ffff:1.2.3.4");
	http_check("GET / HTTP/1.1" CRLF "Host: [2001:DB8::1]" CRLF CRLF,
	    EGRESS_PEEK_FOUND, "2001:db8::1");
	http_check("GET / HTTP/1.1" CRLF "Host: 10.1.2.3" CRLF CRLF, EGRESS_PEEK_FOUND,
	    "10.1.2.3");
	http_check("GET / HTTP/1.1" CRLF "Host: example.org." CRLF CRLF, EGRESS_PEEK_FOUND,
	    "example.org");
	http_check("GET / HTTP/1.1" CRLF "Host: example.org:" CRLF CRLF, EGRESS_PEEK_FOUND,
	    "example.org");
	/* The absolute form: its authority, which Host must not contradict. */
	http_check("GET http://Abs.Example:80/x?y HTTP/1.1" CRLF CRLF, EGRESS_PEEK_FOUND,
	    "abs.example");
	http_check("GET HTTP://abs.example/x HTTP/1.1" CRLF "Host: ABS.example:80" CRLF CRLF,
	    EGRESS_PEEK_FOUND, "abs.example");
	/* CONNECT to port 80: the destination is whoever answers Host. */
	http_check("CONNECT inner:443 HTTP/1.1" CRLF "Host: proxy.example" CRLF CRLF,
	    EGRESS_PEEK_FOUND, "proxy.example");
}

static void
test_http_none(void **state)
{
	char	name[EGRESS_HOST_MAX];

	/* No Host: HTTP/1.0 without one, or an empty one. */
	http_check("GET / HTTP/1.0" CRLF "Accept: */*" CRLF CRLF, EGRESS_PEEK_NONE, NULL);
	http_check("GET / HTTP/1.1" CRLF "Host:" CRLF CRLF, EGRESS_PEEK_NONE, NULL);
	/* Not HTTP/1.x. */
	assert_int_equal(http("\x16\x03\x01\x02\x00", name), EGRESS_PEEK_NONE);
	assert_int_equal(http("SSH-2.0-OpenSSH_9.2" CRLF, name), EGRESS_PEEK_NONE);
	assert_int_equal(http("PRI * HTTP/2.0" CRLF CRLF "SM" CRLF CRLF, name), EGRESS_PEEK_NONE);
	assert_int_equal(http("GET /" CRLF, name), EGRESS_PEEK_NONE);
	assert_int_equal(http("get / HTTP/1.1" CRLF, name), EGRESS_PEEK_NONE);
	assert_int_equal(http("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOP / HTTP/1.1", name),
	    EGRESS_PEEK_NONE);
	assert_int_equal(http(" GET / HTTP/1.1" CRLF, name), EGRESS_PEEK_NONE);
	assert_int_equal(http("", name), EGRESS_PEEK_NEED_MORE);
}

static void
test_http_malformed(void **state)
{
	static const char *const bad[] = {
		"GET / HTTP/1.1" CRLF "Host: a.example" CRLF "Host: a.example" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: a.example" CRLF "HOST: b.example" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: a.example" CRLF " b.example" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "X: 1" CRLF "\tHost: b.example" CRLF CRLF,
		"GET / HTTP/1.1" CRLF " Host: b.example" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host : a.example" CRLF CRLF,
		"GET / HTTP/1.1" CRLF ": a.example" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: a\x01" "b" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: a\x7f" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "X: a\rHost: b" CRLF CRLF,
		"GET / HTTP/1.1\rHost: b" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: a b" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: a..b" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: .a" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: a:99999" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: a:8x" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: user@a" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: [::1" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: [zz::1]" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: [::1]x" CRLF CRLF,
		"GET / HTTP/1.1" CRLF "Host: []" CRLF CRLF,
		"GET http://a.example/ HTTP/1.1" CRLF "Host: b.example" CRLF CRLF,
		"GET http://u@a.example/ HTTP/1.1" CRLF "Host: a.example" CRLF CRLF,
		"GET http:/// HTTP/1.1" CRLF CRLF,
		"GET / HTTP/1.1x" CRLF CRLF,
		"GET  / HTTP/1.1" CRLF CRLF,
		"GET /\x01 HTTP/1.1" CRLF CRLF,
	};
	char		name[EGRESS_HOST_MAX], big[400];
	struct dw_err	err;
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dw_err_clear(&err);
		if (egress_peek_http_host((const uint8_t *)bad[i], strlen(bad[i]), LIMIT, name,
		    &err) != EGRESS_PEEK_MALFORMED)
			fail_msg("case %zu not malformed: %s", i, bad[i]);
		assert_true(err.msg[0] != '\0');
	}
	/* A NUL in the Host value. */
	assert_int_equal(egress_peek_http_host((const uint8_t *)"GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n",
	    29, LIMIT, name, NULL), EGRESS_PEEK_MALFORMED);
	/* A name of 254 characters. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nHost: ", 22);
	memcpy(big + 22 + 254, "\r\n\r\n", 5);
	assert_int_equal(http(big, name), EGRESS_PEEK_MALFORMED);
	big[22 + 63] = '.';
	big[22 + 127] = '.';
	big[22 + 191] = '.';
	memcpy(big + 22 + 253, "\r\n\r\n", 5);
	assert_int_equal(http(big, name), EGRESS_PEEK_FOUND);
	assert_int_equal(strlen(name), 253);
}

/* The name not within the bound: NONE once len reaches the limit. */
static void
test_http_limit(void **state)
{
	const char	*s = "GET / HTTP/1.1" CRLF "Cookie: 0123456789012345678901234567890123456789"
	    CRLF "Host: late.example" CRLF CRLF;
	char		 name[EGRESS_HOST_MAX];

	assert_int_equal(egress_peek_http_host((const uint8_t *)s, 40, 64, name, NULL),
	    EGRESS_PEEK_NEED_MORE);
	assert_int_equal(egress_peek_http_host((const uint8_t *)s, 64, 64, name, NULL),
	    EGRESS_PEEK_NONE);
	assert_int_equal(egress_peek_http_host((const uint8_t *)s, strlen(s), 64, name, NULL),
	    EGRESS_PEEK_NONE);
	assert_int_equal(egress_peek_http_host((const uint8_t *)s, strlen(s), 128, name, NULL),
	    EGRESS_PEEK_FOUND);
	assert_string_equal(name, "late.example");
}

/* ---- TLS ---- */

struct bytes {
	uint8_t	b[40000];
	size_t	n;
};

static void
put(struct bytes *x, const void *p, size_t n)
{
	assert_true(x->n + n <= sizeof(x->b));
	memcpy(x->b + x->n, p, n);
	x->n += n;
}

static void
put8(struct bytes *x, unsigned v)
{
	uint8_t	b = (uint8_t)v;

	put(x, &b, 1);
}

static void
put16(struct bytes *x, unsigned v)
{
	put8(x, v >> 8);
	put8(x, v & 0xff);
}

/* A server_name extension with the given host_name entries (NULL ends). */
static void
ext_sni(struct bytes *x, const char *const *names)
{
	size_t	i, list = 0;

	for (i = 0; names[i] != NULL; i++)
		list += 3 + strlen(names[i]);
	put16(x, 0);
	put16(x, (unsigned)(list + 2));
	put16(x, (unsigned)list);
	for (i = 0; names[i] != NULL; i++) {
		put8(x, 0);
		put16(x, (unsigned)strlen(names[i]));
		put(x, names[i], strlen(names[i]));
	}
}

/* A ClientHello handshake message (header included) with extensions exts. */
static void
hello(struct bytes *out, const struct bytes *exts, bool with_exts, unsigned sid_len)
{
	uint8_t		zero[64] = { 0 };
	struct bytes	*body = calloc(1, sizeof(*body));

	assert_non_null(body);
	put16(body, 0x0303);
	put(body, zero, 32);
	put8(body, sid_len);
	put(body, zero, sid_len <= 32 ? sid_len : 32);
	put16(body, 4);
	put16(body, 0x1301);
	put16(body, 0x1302);
	put8(body, 1);
	put8(body, 0);
	if (with_exts) {
		put16(body, (unsigned)exts->n);
		put(body, exts->b, exts->n);
	}
	out->n = 0;
	put8(out, 1);
	put8(out, (unsigned)(body->n >> 16));
	put16(out, (unsigned)(body->n & 0xffff));
	put(out, body->b, body->n);
	free(body);
}

/* hs in handshake records of at most frag bytes each. */
static void
records(struct bytes *out, const struct bytes *hs, size_t frag)
{
	size_t	off, k;

	out->n = 0;
	for (off = 0; off < hs->n; off += k) {
		k = hs->n - off < frag ? hs->n - off : frag;
		put8(out, 0x16);
		put16(out, 0x0301);
		put16(out, (unsigned)k);
		put(out, hs->b + off, k);
	}
}

static enum egress_peek_result
tls(const struct bytes *x, char *name, struct dw_err *err)
{
	return egress_peek_tls_sni(x->b, x->n, LIMIT, name, err);
}

/* Full input: want; every proper prefix: NEED_MORE. */
static void
tls_check(const struct bytes *x, enum egress_peek_result want, const char *expect)
{
	char	name[EGRESS_HOST_MAX];
	size_t	i;

	for (i = 0; i < x->n; i++) {
		enum egress_peek_result	r = egress_peek_tls_sni(x->b, i, LIMIT, name, NULL);

		if (r != EGRESS_PEEK_NEED_MORE && r != want)
			fail_msg("prefix %zu of %zu: %s", i, x->n, egress_peek_result_name(r));
	}
	if (tls(x, name, NULL) != want)
		fail_msg("full: %s", egress_peek_result_name(tls(x, name, NULL)));
	if (expect != NULL)
		assert_string_equal(name, expect);
}

static struct bytes	*E, *H, *R;

static int
setup(void **state)
{
	E = calloc(1, sizeof(*E));
	H = calloc(1, sizeof(*H));
	R = calloc(1, sizeof(*R));
	return E && H && R ? 0 : -1;
}

static int
teardown(void **state)
{
	free(E);
	free(H);
	free(R);
	return 0;
}

static void
std_exts(struct bytes *e, const char *sni)
{
	const char	*names[] = { sni, NULL };

	e->n = 0;
	put16(e, 0x002b);	/* supported_versions */
	put16(e, 3);
	put8(e, 2);
	put16(e, 0x0304);
	if (sni != NULL)
		ext_sni(e, names);
	put16(e, 0x0010);	/* ALPN "h2" */
	put16(e, 5);
	put16(e, 3);
	put8(e, 2);
	put(e, "h2", 2);
}

static void
test_tls_found(void **state)
{
	static const size_t	frags[] = { 16384, 100, 7, 1 };
	size_t			i;

	std_exts(E, "WWW.Example.ORG");
	hello(H, E, true, 32);
	for (i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		records(R, H, frags[i]);
		tls_check(R, EGRESS_PEEK_FOUND, "www.example.org");
	}
	/* Bytes after the ClientHello (a second record) change nothing. */
	records(R, H, 16384);
	put(R, "\x17\x03\x03\x00\x01x", 6);
	tls_check(R, EGRESS_PEEK_FOUND, "www.example.org");
	/* A trailing dot is dropped. */
	std_exts(E, "a.example.");
	hello(H, E, true, 0);
	records(R, H, 16384);
	tls_check(R, EGRESS_PEEK_FOUND, "a.example");
}

static void
test_tls_none(void **state)
{
	char	name[EGRESS_HOST_MAX];

	std_exts(E, NULL);
	hello(H, E, true, 32);
	records(R, H, 16384);
	tls_check(R, EGRESS_PEEK_NONE, NULL);
	hello(H, E, false, 32);
	records(R, H, 50);
	tls_check(R, EGRESS_PEEK_NONE, NULL);
	/* Not TLS at all. */
	assert_int_equal(egress_peek_tls_sni((const uint8_t *)"GET / HTTP/1.1\r\n", 16, LIMIT,
	    name, NULL), EGRESS_PEEK_NONE);
	assert_int_equal(egress_peek_tls_sni((const uint8_t *)"\x16\x02", 2, LIMIT, name, NULL),
	    EGRESS_PEEK_NONE);
	assert_int_equal(egress_peek_tls_sni((const uint8_t *)"\x80\x2e\x01", 3, LIMIT, name,
	    NULL), EGRESS_PEEK_NONE);
	assert_int_equal(egress_peek_tls_sni((const uint8_t *)"", 0, LIMIT, name, NULL),
	    EGRESS_PEEK_NEED_MORE);
}

/* The ClientHello does not fit in what the proxy peeks: decide on the IP. */
static void
test_tls_limit(void **state)
{
	char	name[EGRESS_HOST_MAX];
	uint8_t	pad[3000];

	std_exts(E, "big.example");
	memset(pad, 0, sizeof(pad));
	put16(E, 0x0015);	/* padding */
	put16(E, sizeof(pad));
	put(E, pad, sizeof(pad));
	hello(H, E, true, 32);
	records(R, H, 1000);
	assert_int_equal(egress_peek_tls_sni(R->b, R->n, 2048, name, NULL), EGRESS_PEEK_NONE);
	assert_int_equal(egress_peek_tls_sni(R->b, 1000, 2048, name, NULL), EGRESS_PEEK_NONE);
	assert_int_equal(tls(R, name, NULL), EGRESS_PEEK_FOUND);
	/* Split in 1-byte records, the framing outgrows the peek: NONE at the limit. */
	records(R, H, 1);
	assert_true(R->n > LIMIT);
	assert_int_equal(tls(R, name, NULL), EGRESS_PEEK_NONE);
}

static void
expect_malformed(const struct bytes *x)
{
	char		name[EGRESS_HOST_MAX];
	struct dw_err	err;

	dw_err_clear(&err);
	assert_int_equal(tls(x, name, &err), EGRESS_PEEK_MALFORMED);
	assert_true(err.msg[0] != '\0');
}

static void
test_tls_malformed(void **state)
{
	const char	*two[] = { "a.example", "b.example", NULL };
	const char	*bad_names[] = { "a b", "a\0b", "a..b", "", "x:443", NULL };
	size_t		 i, off;

	/* Two host_name entries; the extension twice. */
	E->n = 0;
	ext_sni(E, two);
	hello(H, E, true, 32);
	records(R, H, 16384);
	expect_malformed(R);
	std_exts(E, "a.example");
	ext_sni(E, two + 1);
	hello(H, E, true, 32);
	records(R, H, 16384);
	expect_malformed(R);
	/* Names that are not names. */
	for (i = 0; bad_names[i] != NULL || i == 1; i++) {
		const char	*nm = bad_names[i];
		size_t		 nl = i == 1 ? 3 : strlen(nm);

		E->n = 0;
		put16(E, 0);
		put16(E, (unsigned)(nl + 5));
		put16(E, (unsigned)(nl + 3));
		put8(E, 0);
		put16(E, (unsigned)nl);
		put(E, i == 1 ? "a\0b" : nm, nl);
		hello(H, E, true, 0);
		records(R, H, 16384);
		expect_malformed(R);
	}
	/* Session id longer than 32. */
	std_exts(E, "a.example");
	hello(H, E, true, 33);
	records(R, H, 16384);
	expect_malformed(R);
	/* Extensions length one too many / server_name list length off by one. */
	hello(H, E, true, 0);
	off = 4 + 2 + 32 + 1 + 2 + 4 + 1 + 1;	/* the extensions length */
	H->b[off + 1]++;
	records(R, H, 16384);
	expect_malformed(R);
	H->b[off + 1] -= 2;
	records(R, H, 16384);
	expect_malformed(R);
	H->b[off + 1]++;
	/* The server_name list length (after supported_versions: 2+2+3, then type and len). */
	H->b[off + 2 + 7 + 4 + 1]++;
	records(R, H, 16384);
	expect_malformed(R);
	H->b[off + 2 + 7 + 4 + 1]--;
	records(R, H, 16384);
	tls_check(R, EGRESS_PEEK_FOUND, "a.example");
	/* Odd cipher suites length. */
	H->b[4 + 2 + 32 + 1 + 1]++;
	records(R, H, 16384);
	expect_malformed(R);
	H->b[4 + 2 + 32 + 1 + 1]--;
	/* Not a ClientHello; an empty record; an alert between the fragments; a record over 2^14. */
	H->b[0] = 2;
	records(R, H, 16384);
	expect_malformed(R);
	H->b[0] = 1;
	records(R, H, 20);
	memmove(R->b + 5, R->b, R->n);
	memcpy(R->b, "\x16\x03\x01\x00\x00", 5);
	R->n += 5;
	expect_malformed(R);
	records(R, H, 20);
	R->b[25] = 0x15;
	expect_malformed(R);
	records(R, H, 20);
	R->b[25 + 1] = 0x02;
	expect_malformed(R);
	records(R, H, 16384);
	R->b[3] = 0x40;
	R->b[4] = 0x01;
	expect_malformed(R);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_found),
		cmocka_unit_test(test_http_none),
		cmocka_unit_test(test_http_malformed),
		cmocka_unit_test(test_http_limit),
		cmocka_unit_test(test_tls_found),
		cmocka_unit_test(test_tls_none),
		cmocka_unit_test(test_tls_limit),
		cmocka_unit_test(test_tls_malformed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
