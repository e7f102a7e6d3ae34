/*
 * Unit tests for egress_answer.c: the PAC result parser as a table (each
 * answer with its formatted form), what is skipped and why, fail-closed
 * refusals, the formatter's truncation and the names.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "egress/egress_answer.h"

static const struct {
	const char	*in;
	int		 ret;
	const char	*fmt;	/* egress_answer_format of the result */
	const char	*err;	/* a substring of err, "" for none */
} cases[] = {
	{ "DIRECT", 0, "DIRECT", "" },
	{ "PROXY a:1; DIRECT", 0, "PROXY a:1; DIRECT", "" },
	{ "SOCKS5 h:1080", 0, "SOCKS5 h:1080", "" },
	{ "SOCKS h:1", 0, "SOCKS5 h:1", "" },
	{ "HTTP proxy.corp:3128", 0, "PROXY proxy.corp:3128", "" },
	{ "PROXY reject.docker.internal:1234", 0, "REFUSE", "" },
	{ "PROXY Reject.Docker.Internal:1", 0, "REFUSE", "" },
	{ "PROXY reject.docker.internal:any", 0, "REFUSE", "" },
	{ "PROXY reject.docker.internal", 0, "REFUSE", "" },
	/* REFUSE ends the list: DIRECT after it is never tried. */
	{ "PROXY a:1; PROXY reject.docker.internal:9; DIRECT", 0, "PROXY a:1; REFUSE", "" },
	/* Odd spacing and case. */
	{ "  direct  ", 0, "DIRECT", "" },
	{ "proxy\tA.Example:8080 ;socks5   B:9;", 0, "PROXY a.example:8080; SOCKS5 b:9", "" },
	{ ";;DIRECT;;", 0, "DIRECT", "" },
	{ "PrOxY p:3128\r\n", 0, "PROXY p:3128", "" },
	/* Browsers' default ports. */
	{ "PROXY p", 0, "PROXY p:80", "" },
	{ "SOCKS s", 0, "SOCKS5 s:1080", "" },
	/* IPv6 and IPv4 proxies. */
	{ "PROXY [::1]:3128", 0, "PROXY [::1]:3128", "" },
	{ "SOCKS5 [FD00::1]:1080; DIRECT", 0, "SOCKS5 [fd00::1]:1080; DIRECT", "" },
	{ "PROXY 10.0.0.1:3128", 0, "PROXY 10.0.0.1:3128", "" },
	{ "PROXY ::1:3128", -EINVAL, "REFUSE", "bad host:port" },
	{ "PROXY [::1:3128", -EINVAL, "REFUSE", "bad host:port" },
	{ "PROXY [example.com]:1", -EINVAL, "REFUSE", "bad host:port" },
	{ "PROXY [::1]x", -EINVAL, "REFUSE", "bad host:port" },
	/* Skipped entries, with the usable rest kept. */
	{ "HTTPS x:1", -EINVAL, "REFUSE", "\"HTTPS\" (not supported)" },
	{ "HTTPS x:1; DIRECT", 0, "DIRECT", "not supported" },
	{ "QUIC q:443; PROXY p:1", 0, "PROXY p:1", "not supported" },
	{ "BOGUS x:1; DIRECT", 0, "DIRECT", "unknown keyword" },
	{ "DIRECT x:1", -EINVAL, "REFUSE", "DIRECT takes no address" },
	{ "PROXY", -EINVAL, "REFUSE", "no proxy address" },
	{ "PROXY a:1 b:2", -EINVAL, "REFUSE", "one host:port expected" },
	{ "PROXY a:0", -EINVAL, "REFUSE", "bad host:port" },
	{ "PROXY a:70000", -EINVAL, "REFUSE", "bad host:port" },
	{ "PROXY a:65535", 0, "PROXY a:65535", "" },
	{ "PROXY a:", -EINVAL, "REFUSE", "bad host:port" },
	{ "PROXY a:8x", -EINVAL, "REFUSE", "bad host:port" },
	{ "PROXY a:+80", -EINVAL, "REFUSE", "bad host:port" },
	{ "PROXY :80", -EINVAL, "REFUSE", "bad host:port" },
	{ "PROXY a..b:80", -EINVAL, "REFUSE", "bad host:port" },
	{ "PROXY a/b:80", -EINVAL, "REFUSE", "bad host:port" },
	{ "PROXY -a:80", -EINVAL, "REFUSE", "bad host:port" },
	/* Garbage and empty: fail closed. */
	{ "garbage", -EINVAL, "REFUSE", "no usable route" },
	{ "\x01\x02\xff", -EINVAL, "REFUSE", "unknown keyword" },
	{ "   ", -EINVAL, "REFUSE", "empty" },
	{ ";", -EINVAL, "REFUSE", "empty" },
	{ "", -EINVAL, "REFUSE", "empty" },
};

static void
test_table(void **state)
{
	struct egress_answer	a;
	struct dw_err		err;
	char			buf[EGRESS_ANSWER_MAX];
	size_t			i;
	int			r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(err.msg, sizeof(err.msg), "stale");
		r = egress_answer_parse(cases[i].in, strlen(cases[i].in), &a, &err);
		if (r != cases[i].ret)
			fail_msg("\"%s\": returned %d, expected %d (%s)", cases[i].in, r,
			    cases[i].ret, err.msg);
		assert_true(a.n >= 1);
		egress_answer_format(&a, buf, sizeof(buf));
		if (strcmp(buf, cases[i].fmt) != 0)
			fail_msg("\"%s\": \"%s\", expected \"%s\"", cases[i].in, buf,
			    cases[i].fmt);
		if (cases[i].err[0] == '\0' && err.msg[0] != '\0')
			fail_msg("\"%s\": unexpected err \"%s\"", cases[i].in, err.msg);
		if (strstr(err.msg, cases[i].err) == NULL)
			fail_msg("\"%s\": err \"%s\" lacks \"%s\"", cases[i].in, err.msg,
			    cases[i].err);
		/* NULL err is accepted everywhere. */
		assert_int_equal(egress_answer_parse(cases[i].in, strlen(cases[i].in), &a, NULL),
		    cases[i].ret);
	}
}

static void
test_routes(void **state)
{
	struct egress_answer	a;
	const char		*s = "PROXY p.example:3128; SOCKS [::1]:9050; DIRECT";

	assert_int_equal(egress_answer_parse(s, strlen(s), &a, NULL), 0);
	assert_int_equal(a.n, 3);
	assert_int_equal(a.r[0].kind, EGRESS_ROUTE_PROXY);
	assert_string_equal(a.r[0].host, "p.example");
	assert_int_equal(a.r[0].port, 3128);
	assert_int_equal(a.r[1].kind, EGRESS_ROUTE_SOCKS5);
	assert_string_equal(a.r[1].host, "::1");	/* no brackets */
	assert_int_equal(a.r[1].port, 9050);
	assert_int_equal(a.r[2].kind, EGRESS_ROUTE_DIRECT);
	assert_string_equal(a.r[2].host, "");

	/* len, not the NUL, bounds the input. */
	assert_int_equal(egress_answer_parse("DIRECTPROXY", 6, &a, NULL), 0);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.r[0].kind, EGRESS_ROUTE_DIRECT);
	/* An embedded NUL is garbage, not the end. */
	assert_int_equal(egress_answer_parse("DIRECT\0PROXY a:1", 16, &a, NULL), -EINVAL);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.r[0].kind, EGRESS_ROUTE_REFUSE);
}

static void
test_limits(void **state)
{
	struct egress_answer	a;
	struct dw_err		err;
	char			s[EGRESS_ANSWER_MAX * 2];
	size_t			len = 0, i;

	/* More entries than EGRESS_ROUTES_MAX: the first ones, and a note. */
	for (i = 0; i < EGRESS_ROUTES_MAX + 3; i++)
		len += (size_t)snprintf(s + len, sizeof(s) - len, "PROXY p%zu:%zu; ", i, i + 1);
	assert_int_equal(egress_answer_parse(s, len, &a, &err), 0);
	assert_int_equal(a.n, EGRESS_ROUTES_MAX);
	assert_string_equal(a.r[EGRESS_ROUTES_MAX - 1].host, "p7");
	assert_non_null(strstr(err.msg, "only the first 8 routes"));

	/* Over EGRESS_ANSWER_MAX: refused whole. */
	memset(s, ' ', sizeof(s));
	memcpy(s, "DIRECT", 6);
	assert_int_equal(egress_answer_parse(s, EGRESS_ANSWER_MAX + 1, &a, &err), -E2BIG);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.r[0].kind, EGRESS_ROUTE_REFUSE);
	assert_int_equal(egress_answer_parse(s, EGRESS_ANSWER_MAX, &a, &err), 0);
	assert_int_equal(a.r[0].kind, EGRESS_ROUTE_DIRECT);

	/* A host name of EGRESS_HOST_MAX characters does not fit. */
	len = (size_t)snprintf(s, sizeof(s), "PROXY ");
	for (i = 0; i < EGRESS_HOST_MAX; i++)
		s[len++] = (i % 60 == 59) ? '.' : 'a';
	len += (size_t)snprintf(s + len, sizeof(s) - len, ":1");
	assert_int_equal(egress_answer_parse(s, len, &a, NULL), -EINVAL);
	/* A label over 63 characters is no host name. */
	len = (size_t)snprintf(s, sizeof(s), "PROXY ");
	for (i = 0; i < 64; i++)
		s[len++] = 'a';
	len += (size_t)snprintf(s + len, sizeof(s) - len, ":1");
	assert_int_equal(egress_answer_parse(s, len, &a, NULL), -EINVAL);
}

static void
test_format(void **state)
{
	struct egress_answer	a;
	char			buf[16];
	size_t			n;
	const char		*s = "PROXY long.proxy.example:3128; DIRECT";

	assert_int_equal(egress_answer_parse(s, strlen(s), &a, NULL), 0);
	n = egress_answer_format(&a, buf, sizeof(buf));
	assert_int_equal(n, sizeof(buf) - 1);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_string_equal(buf, "PROXY long.prox");
	assert_int_equal(egress_answer_format(&a, buf, 0), 0);

	memset(&a, 0, sizeof(a));
	n = egress_answer_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "REFUSE");
	assert_int_equal(n, 6);

	egress_answer_one(&a, EGRESS_ROUTE_SOCKS5, "s.example", 1080);
	assert_int_equal(a.n, 1);
	egress_answer_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "SOCKS5 s.exampl");	/* truncated at 15 */
	egress_answer_one(&a, EGRESS_ROUTE_DIRECT, NULL, 0);
	egress_answer_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "DIRECT");
}

static void
test_names(void **state)
{
	assert_string_equal(egress_route_kind_name(EGRESS_ROUTE_DIRECT), "direct");
	assert_string_equal(egress_route_kind_name(EGRESS_ROUTE_PROXY), "proxy");
	assert_string_equal(egress_route_kind_name(EGRESS_ROUTE_SOCKS5), "socks5");
	assert_string_equal(egress_route_kind_name(EGRESS_ROUTE_REFUSE), "refuse");
	assert_string_equal(egress_name_source_name(EGRESS_NAME_IP), "ip");
	assert_string_equal(egress_name_source_name(EGRESS_NAME_HOST), "host");
	assert_string_equal(egress_name_source_name(EGRESS_NAME_SNI), "sni");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
