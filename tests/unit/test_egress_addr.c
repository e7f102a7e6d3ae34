/*
 * Unit tests for egress_addr.c: parsing and formatting, IPv4-mapped
 * folding, sockaddr round trips, CIDR parsing and containment tables.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "egress/egress_addr.h"

static void
test_parse_format(void **state)
{
	static const struct {
		const char	*in;
		int		 family;
		const char	*out;	/* NULL: refused */
	} t[] = {
		{ "10.0.0.1", AF_INET, "10.0.0.1" },
		{ "0.0.0.0", AF_INET, "0.0.0.0" },
		{ "255.255.255.255", AF_INET, "255.255.255.255" },
		{ "::1", AF_INET6, "::1" },
		{ "FD00::0001", AF_INET6, "fd00::1" },
		{ "::ffff:192.168.1.2", AF_INET, "192.168.1.2" },
		{ "::FFFF:c0a8:0102", AF_INET, "192.168.1.2" },
		{ "2001:db8::1", AF_INET6, "2001:db8::1" },
		{ "", 0, NULL },
		{ "10.0.0", 0, NULL },
		{ "10.0.0.256", 0, NULL },
		{ "010.0.0.1", 0, NULL },
		{ "0x0a.0.0.1", 0, NULL },
		{ " 10.0.0.1", 0, NULL },
		{ "10.0.0.1 ", 0, NULL },
		{ "fe80::1%eth0", 0, NULL },
		{ "[::1]", 0, NULL },
		{ "example.com", 0, NULL },
		{ "1.2.3.4/8", 0, NULL },
	};
	struct egress_addr	a;
	char			buf[EGRESS_ADDR_STRLEN];
	size_t			i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&a, 0xaa, sizeof(a));
		if (t[i].out == NULL) {
			if (egress_addr_parse(t[i].in, &a) != -EINVAL)
				fail_msg("accepted \"%s\"", t[i].in);
			continue;
		}
		if (egress_addr_parse(t[i].in, &a) != 0)
			fail_msg("refused \"%s\"", t[i].in);
		assert_int_equal(a.family, t[i].family);
		assert_string_equal(egress_addr_format(&a, buf, sizeof(buf)), t[i].out);
	}
	assert_int_equal(egress_addr_parse(NULL, &a), -EINVAL);
}

static void
test_equal(void **state)
{
	struct egress_addr	a, b, c;

	assert_int_equal(egress_addr_parse("192.0.2.1", &a), 0);
	assert_int_equal(egress_addr_parse("::ffff:192.0.2.1", &b), 0);
	assert_int_equal(egress_addr_parse("192.0.2.2", &c), 0);
	assert_true(egress_addr_equal(&a, &b));
	assert_false(egress_addr_equal(&a, &c));
	assert_int_equal(egress_addr_parse("2001:db8::1", &b), 0);
	assert_int_equal(egress_addr_parse("2001:db8::1", &c), 0);
	assert_false(egress_addr_equal(&a, &b));
	assert_true(egress_addr_equal(&b, &c));
	assert_int_equal(egress_addr_parse("2001:db8::2", &c), 0);
	assert_false(egress_addr_equal(&b, &c));
}

static void
test_sockaddr(void **state)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in6	 sin6;
	struct sockaddr_un_like { sa_family_t f; char d[14]; } other;
	struct egress_addr	 a, b;
	unsigned short		 port = 0;
	socklen_t		 len;
	char			 buf[EGRESS_ADDR_STRLEN];

	assert_int_equal(egress_addr_parse("198.51.100.7", &a), 0);
	len = egress_addr_to_sockaddr(&a, 8080, &ss);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(egress_addr_from_sockaddr((struct sockaddr *)&ss, &b, &port), 0);
	assert_true(egress_addr_equal(&a, &b));
	assert_int_equal(port, 8080);

	assert_int_equal(egress_addr_parse("2001:db8::9", &a), 0);
	len = egress_addr_to_sockaddr(&a, 443, &ss);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(egress_addr_from_sockaddr((struct sockaddr *)&ss, &b, NULL), 0);
	assert_true(egress_addr_equal(&a, &b));

	/* A dual-stack socket's view of an IPv4 peer folds to AF_INET. */
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(80);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:10.1.2.3", &sin6.sin6_addr), 1);
	assert_int_equal(egress_addr_from_sockaddr((struct sockaddr *)&sin6, &b, &port), 0);
	assert_int_equal(b.family, AF_INET);
	assert_int_equal(port, 80);
	assert_string_equal(egress_addr_format(&b, buf, sizeof(buf)), "10.1.2.3");

	memset(&other, 0, sizeof(other));
	other.f = AF_UNIX;
	port = 7;
	assert_int_equal(egress_addr_from_sockaddr((struct sockaddr *)&other, &b, &port),
	    -EAFNOSUPPORT);
	assert_int_equal(port, 7);
}

static void
test_cidr(void **state)
{
	static const struct {
		const char	*cidr;
		const char	*addr;
		bool		 in;
	} t[] = {
		{ "10.0.0.0/8", "10.255.1.2", true },
		{ "10.0.0.0/8", "11.0.0.0", false },
		{ "10.1.2.3/8", "10.9.9.9", true },	/* host bits are masked */
		{ "192.168.1.0/24", "192.168.1.255", true },
		{ "192.168.1.0/24", "192.168.2.0", false },
		{ "192.168.1.128/25", "192.168.1.127", false },
		{ "192.168.1.128/25", "192.168.1.200", true },
		{ "172.16.0.0/12", "172.31.255.255", true },
		{ "172.16.0.0/12", "172.32.0.0", false },
		{ "0.0.0.0/0", "203.0.113.9", true },
		{ "0.0.0.0/0", "::1", false },		/* families must agree */
		{ "203.0.113.9", "203.0.113.9", true },
		{ "203.0.113.9", "203.0.113.8", false },
		{ "203.0.113.9/32", "::ffff:203.0.113.9", true },
		{ "fd00::/8", "fd12:3456::1", true },
		{ "fd00::/8", "fe80::1", false },
		{ "2001:db8::/33", "2001:db8:7fff::1", true },
		{ "2001:db8::/33", "2001:db8:8000::1", false },
		{ "::/0", "2001:db8::1", true },
		{ "::/0", "10.0.0.1", false },
		{ "::1", "::1", true },
		{ "::1/128", "::2", false },
		{ "::ffff:10.0.0.0/104", "10.3.3.3", true },
		{ "::ffff:10.0.0.0/104", "11.3.3.3", false },
	};
	struct egress_cidr	c;
	struct egress_addr	a;
	struct dw_err		err;
	size_t			i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err.msg[0] = '\0';
		if (egress_cidr_parse(t[i].cidr, &c, &err) != 0)
			fail_msg("refused %s: %s", t[i].cidr, err.msg);
		assert_int_equal(egress_addr_parse(t[i].addr, &a), 0);
		if (egress_cidr_contains(&c, &a) != t[i].in)
			fail_msg("%s in %s: expected %d", t[i].addr, t[i].cidr, t[i].in);
	}
}

static void
test_cidr_bad(void **state)
{
	static const struct {
		const char	*in;
		const char	*msg;
	} t[] = {
		{ "", "empty" },
		{ "10.0.0.0/", "must be a number" },
		{ "10.0.0.0/33", "at most 32" },
		{ "fd00::/129", "at most 128" },
		{ "10.0.0.0/-1", "must be a number" },
		{ "10.0.0.0/+8", "must be a number" },
		{ "10.0.0.0/ 8", "must be a number" },
		{ "10.0.0.0/0008", "must be a number" },
		{ "/8", "not an IP" },
		{ "example.com/8", "not an IP" },
		{ "10.0.0/8", "not an IP" },
		{ "::ffff:10.0.0.0/64", "/96 or longer" },
	};
	struct egress_cidr	c;
	struct dw_err		err;
	size_t			i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err.msg[0] = '\0';
		c.prefix = 77;
		if (egress_cidr_parse(t[i].in, &c, &err) != -EINVAL)
			fail_msg("accepted \"%s\"", t[i].in);
		if (strstr(err.msg, t[i].msg) == NULL)
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", t[i].in, err.msg, t[i].msg);
		assert_int_equal(c.prefix, 77);	/* out untouched on failure */
	}
	assert_int_equal(egress_cidr_parse("10.0.0.0/8", &c, NULL), 0);
	assert_int_equal(c.prefix, 8);
	assert_int_equal(egress_cidr_parse("fd00::1", &c, NULL), 0);
	assert_int_equal(c.prefix, 128);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_sockaddr),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_cidr_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
