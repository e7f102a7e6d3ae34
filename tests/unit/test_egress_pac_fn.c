/*
 * Unit tests for egress_pac_fn: each PAC helper against a table of the
 * answers Firefox's and Chromium's versions give (their quirks where they
 * agree), dnsResolve knowing only the connection's own name, shExpMatch on
 * hostile pattern/host pairs in microseconds, and every argument form of
 * weekdayRange, dateRange and timeRange on an injected clock, GMT included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "egress/egress_pac_fn.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

struct str2_case {
	const char	*a, *b;
	bool		 want;
};

static void
test_plain_host_name(void **state)
{
	static const struct str2_case cases[] = {
		{ "www", NULL, true },
		{ "localhost", NULL, true },
		{ "", NULL, true },
		{ "www.example.com", NULL, false },
		{ "example.", NULL, false },
		{ "10.0.0.1", NULL, false },
		{ "::1", NULL, false },
		{ "fe80::1", NULL, false },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		if (egress_pac_fn_is_plain_host_name(cases[i].a) != cases[i].want)
			fail_msg("isPlainHostName(\"%s\") != %d", cases[i].a, cases[i].want);
}

static void
test_dns_domain_is(void **state)
{
	static const struct str2_case cases[] = {
		{ "www.netscape.com", ".netscape.com", true },
		{ "www", ".netscape.com", false },
		{ "www.mcom.com", ".netscape.com", false },
		{ "registry-1.docker.io", ".docker.io", true },
		{ "docker.io", ".docker.io", false },		/* no leading dot to match */
		{ "evildocker.io", ".docker.io", false },
		{ "docker.io", "docker.io", true },
		{ "x.docker.io", "", true },
		{ "WWW.Example.COM", ".example.com", false },	/* case-sensitive, as in browsers */
		{ "a", "ab", false },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		if (egress_pac_fn_dns_domain_is(cases[i].a, cases[i].b) != cases[i].want)
			fail_msg("dnsDomainIs(\"%s\", \"%s\") != %d", cases[i].a, cases[i].b,
			    cases[i].want);
}

static void
test_local_host_or_domain_is(void **state)
{
	static const struct str2_case cases[] = {
		{ "www.netscape.com", "www.netscape.com", true },
		{ "www", "www.netscape.com", true },
		{ "www.mcom.com", "www.netscape.com", false },
		{ "home.netscape.com", "www.netscape.com", false },
		{ "nexus", "nexus.company.com", true },
		{ "nexus.company.com", "nexus.company.com", true },
		{ "nexus.company", "nexus.company.com", true },	/* a prefix ending at a dot */
		{ "nex", "nexus.company.com", false },
		{ "nexus.company.com.evil", "nexus.company.com", false },
		{ "", "nexus.company.com", false },
		{ "internal.corp", "internal.corp", true },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		if (egress_pac_fn_local_host_or_domain_is(cases[i].a, cases[i].b) != cases[i].want)
			fail_msg("localHostOrDomainIs(\"%s\", \"%s\") != %d", cases[i].a,
			    cases[i].b, cases[i].want);
}

static void
test_dns_domain_levels(void **state)
{
	(void)state;
	assert_int_equal(egress_pac_fn_dns_domain_levels("www"), 0);
	assert_int_equal(egress_pac_fn_dns_domain_levels("www.netscape.com"), 2);
	assert_int_equal(egress_pac_fn_dns_domain_levels("a.b.c.d."), 4);
	assert_int_equal(egress_pac_fn_dns_domain_levels(""), 0);
}

static void
test_is_ipv4(void **state)
{
	static const struct {
		const char	*s;
		bool		 ok;
		uint32_t	 a;
	} cases[] = {
		{ "10.0.0.1", true, 0x0a000001 },
		{ "255.255.255.255", true, 0xffffffff },
		{ "0.0.0.0", true, 0 },
		{ "010.001.0.1", true, 0x0a010001 },	/* decimal, as browsers' regex reads it */
		{ "256.0.0.1", false, 0 },
		{ "1.2.3", false, 0 },
		{ "1.2.3.4.5", false, 0 },
		{ "1.2.3.4 ", false, 0 },
		{ "1..3.4", false, 0 },
		{ "1234.1.1.1", false, 0 },
		{ "0x7f.0.0.1", false, 0 },
		{ "example.com", false, 0 },
		{ "::1", false, 0 },
		{ "", false, 0 },
	};
	uint32_t	a;
	size_t		i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		a = 0xdeadbeef;
		if (egress_pac_fn_is_ipv4(cases[i].s, &a) != cases[i].ok)
			fail_msg("is_ipv4(\"%s\") != %d", cases[i].s, cases[i].ok);
		if (cases[i].ok && a != cases[i].a)
			fail_msg("is_ipv4(\"%s\") = %08x", cases[i].s, a);
		if (!cases[i].ok && a != 0xdeadbeef)
			fail_msg("is_ipv4(\"%s\") wrote its out-parameter on failure", cases[i].s);
	}
}

static void
dns_setup(struct egress_pac_fn_dns *dns, const char *name, int family, const char *ip)
{
	memset(dns, 0, sizeof(*dns));
	dns->name = name;
	dns->ip.family = family;
	if (family == AF_INET)
		assert_int_equal(inet_pton(AF_INET, ip, &dns->ip.u.v4), 1);
	else if (family == AF_INET6)
		assert_int_equal(inet_pton(AF_INET6, ip, &dns->ip.u.v6), 1);
}

/* dnsResolve knows the connection's own name and nothing else: no real DNS. */
static void
test_dns_resolve(void **state)
{
	struct egress_pac_fn_dns	dns;
	char				buf[EGRESS_PAC_FN_IPV4_STRLEN];

	(void)state;
	dns_setup(&dns, "registry-1.docker.io", AF_INET, "10.1.2.3");
	assert_int_equal(egress_pac_fn_dns_resolve(&dns, "registry-1.docker.io", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "10.1.2.3");
	assert_int_equal(egress_pac_fn_dns_resolve(&dns, "Registry-1.Docker.IO", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "10.1.2.3");
	strcpy(buf, "unchanged");
	assert_int_equal(egress_pac_fn_dns_resolve(&dns, "www.google.com", buf, sizeof(buf)),
	    -ENOENT);
	assert_string_equal(buf, "unchanged");
	assert_int_equal(egress_pac_fn_dns_resolve(&dns, "localhost", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(egress_pac_fn_dns_resolve(&dns, "", buf, sizeof(buf)), -ENOENT);
	/* An IPv4 literal answers itself. */
	assert_int_equal(egress_pac_fn_dns_resolve(&dns, "192.168.0.7", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "192.168.0.7");
	assert_true(egress_pac_fn_is_resolvable(&dns, "registry-1.docker.io"));
	assert_true(egress_pac_fn_is_resolvable(&dns, "8.8.8.8"));
	assert_false(egress_pac_fn_is_resolvable(&dns, "www.google.com"));

	/* IP-only connection: the name is the address text. */
	dns_setup(&dns, "172.17.0.9", AF_INET, "172.17.0.9");
	assert_int_equal(egress_pac_fn_dns_resolve(&dns, "172.17.0.9", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "172.17.0.9");

	/* dnsResolve is IPv4-only, as in browsers. */
	dns_setup(&dns, "v6.example", AF_INET6, "2001:db8::1");
	assert_int_equal(egress_pac_fn_dns_resolve(&dns, "v6.example", buf, sizeof(buf)), -ENOENT);
	assert_false(egress_pac_fn_is_resolvable(&dns, "v6.example"));

	/* No context at all. */
	assert_int_equal(egress_pac_fn_dns_resolve(NULL, "a.example", buf, sizeof(buf)), -ENOENT);
	dns_setup(&dns, NULL, 0, NULL);
	assert_false(egress_pac_fn_is_resolvable(&dns, "a.example"));
}

static void
test_my_ip_address(void **state)
{
	struct egress_pac_fn_dns	dns;
	char				buf[EGRESS_ADDR_STRLEN];

	(void)state;
	memset(&dns, 0, sizeof(dns));
	assert_string_equal(egress_pac_fn_my_ip_address(&dns, buf, sizeof(buf)), "127.0.0.1");
	assert_string_equal(egress_pac_fn_my_ip_address(NULL, buf, sizeof(buf)), "127.0.0.1");
	dns.my_ip.family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, "10.20.30.40", &dns.my_ip.u.v4), 1);
	assert_string_equal(egress_pac_fn_my_ip_address(&dns, buf, sizeof(buf)), "10.20.30.40");
	dns.my_ip.family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "fd00::5", &dns.my_ip.u.v6), 1);
	assert_string_equal(egress_pac_fn_my_ip_address(&dns, buf, sizeof(buf)), "fd00::5");
}

static void
test_is_in_net(void **state)
{
	static const struct {
		const char	*host, *pattern, *mask;
		bool		 want;
	} cases[] = {
		{ "192.168.0.7", "192.168.0.0", "255.255.255.0", true },
		{ "192.168.1.7", "192.168.0.0", "255.255.255.0", false },
		{ "10.200.3.4", "10.0.0.0", "255.0.0.0", true },
		{ "11.0.0.1", "10.0.0.0", "255.0.0.0", false },
		{ "1.2.3.4", "0.0.0.0", "0.0.0.0", true },
		{ "1.2.3.4", "1.2.3.4", "255.255.255.255", true },
		{ "1.2.3.5", "1.2.3.4", "255.255.255.255", false },
		/* A name: dnsResolve of the connection's own name. */
		{ "dev.corp", "10.0.0.0", "255.0.0.0", true },
		{ "DEV.corp", "10.0.0.0", "255.0.0.0", true },
		{ "other.corp", "10.0.0.0", "255.0.0.0", false },	/* not resolvable */
		{ "null", "10.0.0.0", "255.0.0.0", false },		/* isInNet(dnsResolve(x)) */
		/* Pattern and mask must be IPv4 literals. */
		{ "10.1.1.1", "10.0.0", "255.0.0.0", false },
		{ "10.1.1.1", "10.0.0.0", "255.0.0", false },
		{ "10.1.1.1", "10.0.0.0", "dev.corp", false },
		{ "10.1.1.1", "dev.corp", "255.0.0.0", false },
		{ "300.1.1.1", "0.0.0.0", "0.0.0.0", false },
	};
	struct egress_pac_fn_dns	dns;
	size_t				i;

	(void)state;
	dns_setup(&dns, "dev.corp", AF_INET, "10.9.8.7");
	for (i = 0; i < N(cases); i++)
		if (egress_pac_fn_is_in_net(&dns, cases[i].host, cases[i].pattern,
		    cases[i].mask) != cases[i].want)
			fail_msg("isInNet(\"%s\", \"%s\", \"%s\") != %d", cases[i].host,
			    cases[i].pattern, cases[i].mask, cases[i].want);
}

static void
test_convert_addr(void **state)
{
	static const struct {
		const char	*s;
		int32_t		 want;
	} cases[] = {
		{ "10.0.0.1", 0x0a000001 },
		{ "255.255.255.255", -1 },
		{ "192.168.0.1", (int32_t)0xc0a80001u },
		{ "1.2.3", 0x01020300 },	/* the missing part is undefined & 0xff = 0 */
		{ "1.2.3.4.5", 0x01020304 },
		{ "256.1.1.1", 0x00010101 },	/* & 0xff */
		{ "a.b.c.d", 0 },
		{ "", 0 },
		{ "1", 0x01000000 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		if (egress_pac_fn_convert_addr(cases[i].s) != cases[i].want)
			fail_msg("convert_addr(\"%s\") = %d, want %d", cases[i].s,
			    egress_pac_fn_convert_addr(cases[i].s), cases[i].want);
}

static int
shexp(const char *s, const char *p)
{
	return egress_pac_fn_sh_exp_match(s, strlen(s), p, strlen(p));
}

static void
test_sh_exp_match(void **state)
{
	static const struct {
		const char	*s, *p;
		int		 want;
	} cases[] = {
		{ "http://home.netscape.com/people/ari/index.html", "*/ari/*", 1 },
		{ "http://home.netscape.com/people/montulli/index.html", "*/ari/*", 0 },
		{ "www.docker.com", "*.docker.com", 1 },
		{ "docker.com", "*.docker.com", 0 },
		{ "a.b.docker.com", "*.docker.com", 1 },
		{ "https://docs.docker.com:443", "https://docs.docker.com:443/enterprise/*", 0 },
		{ "https://docs.docker.com:443", "https://*.docker.com:*", 1 },
		{ "abc", "a?c", 1 },
		{ "ac", "a?c", 0 },
		{ "abbc", "a?c", 0 },
		{ "abc", "abc", 1 },
		{ "abc", "ABC", 0 },			/* case-sensitive */
		{ "abc", "ab", 0 },			/* the whole string */
		{ "abc", "bc", 0 },
		{ "abc", "*", 1 },
		{ "", "*", 1 },
		{ "", "", 1 },
		{ "a", "", 0 },
		{ "", "?", 0 },
		{ "abc", "***", 1 },
		{ "abc", "*?*?*?*", 1 },
		{ "ab", "*?*?*?*", 0 },
		{ "a.b", "a?b", 1 },
		{ "axb", "a.b", 0 },			/* '.' is literal */
		{ "a+b", "a+b", 1 },			/* no other metacharacters */
		{ "aab", "a+b", 0 },
		{ "x[y]", "x[y]", 1 },
		{ "mississippi", "*sip*", 1 },
		{ "mississippi", "m*iss*ppi", 1 },
		{ "mississippi", "m*iss*iss*iss*", 0 },
		{ "aaaaaaaaab", "*a*b", 1 },
		{ "aaaaaaaaa", "*a*b", 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		if (shexp(cases[i].s, cases[i].p) != cases[i].want)
			fail_msg("shExpMatch(\"%s\", \"%s\") != %d", cases[i].s, cases[i].p,
			    cases[i].want);
}

static double
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/*
 * A container chooses the host name: pairs that take a backtracking
 * matcher (the regular expression browsers build) exponential time finish
 * here in microseconds.
 */
static void
test_sh_exp_match_hostile(void **state)
{
	char	host[4096 + 2], pat[4096 + 2];
	double	t0, dt;
	int	i, r;

	(void)state;
	/* 30 'a's against "*a*a*...*a*b": 2^n for a naive matcher. */
	memset(host, 'a', 30);
	host[30] = '\0';
	for (i = 0; i < 12; i++) {
		pat[2 * i] = '*';
		pat[2 * i + 1] = 'a';
	}
	memcpy(pat + 24, "*b", 3);
	t0 = now_us();
	for (i = 0; i < 1000; i++)
		r = shexp(host, pat);
	dt = (now_us() - t0) / 1000;
	assert_int_equal(r, 0);
	if (dt > 50.0)
		fail_msg("hostile 26-byte pattern on a 30-byte host: %.2f us per match", dt);

	/* The largest operands allowed: bounded by slen * plen. */
	memset(host, 'a', 4096);
	host[4096] = '\0';
	for (i = 0; i < 2048; i++) {
		pat[2 * i] = '*';
		pat[2 * i + 1] = i == 2047 ? 'b' : 'a';
	}
	pat[4096] = '\0';
	t0 = now_us();
	r = shexp(host, pat);
	dt = now_us() - t0;
	assert_int_equal(r, 0);
	if (dt > 200000.0)
		fail_msg("largest hostile pair took %.0f us", dt);

	/* Over the cap: an error (the binding throws), not a guess. */
	memset(host, 'a', 4097);
	host[4097] = '\0';
	assert_int_equal(shexp(host, "*"), -E2BIG);
	assert_int_equal(egress_pac_fn_sh_exp_match("a", 1, host, 4097), -E2BIG);
}

/* 2024-03-13 (a Wednesday) 14:30:15 local, 2024-03-14 (a Thursday) 01:30:15 GMT. */
static struct egress_pac_fn_now
fixed_now(void)
{
	struct egress_pac_fn_now	now;

	memset(&now, 0, sizeof(now));
	now.local.tm_year = 124;
	now.local.tm_mon = 2;
	now.local.tm_mday = 13;
	now.local.tm_wday = 3;
	now.local.tm_hour = 14;
	now.local.tm_min = 30;
	now.local.tm_sec = 15;
	now.gmt = now.local;
	now.gmt.tm_mday = 14;
	now.gmt.tm_wday = 4;
	now.gmt.tm_hour = 1;
	return now;
}

struct range_case {
	const char	*argv[EGRESS_PAC_FN_ARGS_MAX + 1];
	int		 want;
};

static size_t
argc_of(const struct range_case *c)
{
	size_t	n = 0;

	while (n < N(c->argv) && c->argv[n] != NULL)
		n++;
	return n;
}

static void
run_range(const char *name, int (*fn)(const char *const *, size_t,
    const struct egress_pac_fn_now *), const struct range_case *cases, size_t n)
{
	struct egress_pac_fn_now	now = fixed_now();
	size_t				i, k;
	int				got;
	char				args[256];

	for (i = 0; i < n; i++) {
		got = fn(cases[i].argv, argc_of(&cases[i]), &now);
		if (got != cases[i].want) {
			args[0] = '\0';
			for (k = 0; k < argc_of(&cases[i]); k++)
				snprintf(args + strlen(args), sizeof(args) - strlen(args),
				    "%s\"%s\"", k ? ", " : "", cases[i].argv[k]);
			fail_msg("%s(%s) = %d, want %d", name, args, got, cases[i].want);
		}
	}
}

static void
test_weekday_range(void **state)
{
	static const struct range_case cases[] = {
		{ { "WED" }, 1 },
		{ { "THU" }, 0 },
		{ { "THU", "GMT" }, 1 },
		{ { "WED", "GMT" }, 0 },
		{ { "MON", "FRI" }, 1 },
		{ { "MON", "TUE" }, 0 },
		{ { "THU", "SAT" }, 0 },
		{ { "THU", "SAT", "GMT" }, 1 },
		{ { "SAT", "MON" }, 0 },	/* wraps: Sat, Sun, Mon */
		{ { "FRI", "WED" }, 1 },	/* wraps, includes the end */
		{ { "SUN", "SAT" }, 1 },
		{ { "WED", "WED" }, 1 },
		/* Malformed: an error, not false. */
		{ { "wed" }, -EINVAL },
		{ { "WEDNESDAY" }, -EINVAL },
		{ { "MON", "XYZ" }, -EINVAL },
		{ { "MON", "TUE", "WED" }, -EINVAL },
		{ { "GMT" }, -EINVAL },
		{ { NULL }, -EINVAL },
		{ { "MON", "FRI", "gmt" }, -EINVAL },
	};

	(void)state;
	run_range("weekdayRange", egress_pac_fn_weekday_range, cases, N(cases));
}

static void
test_date_range(void **state)
{
	static const struct range_case cases[] = {
		/* One argument: day, month or year. */
		{ { "13" }, 1 },
		{ { "14" }, 0 },
		{ { "14", "GMT" }, 1 },
		{ { "MAR" }, 1 },
		{ { "APR" }, 0 },
		{ { "2024" }, 1 },
		{ { "2023" }, 0 },
		{ { "2024", "GMT" }, 1 },
		/* Two: a range of one kind. */
		{ { "1", "15" }, 1 },
		{ { "14", "31" }, 0 },
		{ { "14", "31", "GMT" }, 1 },
		{ { "25", "13" }, 1 },		/* wraps around the month's end */
		{ { "25", "12" }, 0 },
		{ { "JAN", "MAR" }, 1 },
		{ { "APR", "DEC" }, 0 },
		{ { "NOV", "MAR" }, 1 },	/* wraps around the year */
		{ { "1995", "2024" }, 1 },
		{ { "2025", "2030" }, 0 },
		{ { "MAR", "MAR" }, 1 },
		/* Four: day month, or month year. */
		{ { "1", "MAR", "13", "MAR" }, 1 },
		{ { "14", "MAR", "20", "MAR" }, 0 },
		{ { "1", "JAN", "12", "MAR" }, 0 },
		{ { "MAR", "1", "APR", "1" }, 1 },	/* any order inside a half */
		{ { "1", "DEC", "31", "MAR" }, 1 },	/* wraps */
		{ { "FEB", "2024", "MAR", "2024" }, 1 },
		{ { "JUN", "1995", "AUG", "1995" }, 0 },
		{ { "DEC", "2023", "JAN", "2025" }, 1 },
		{ { "2024", "APR", "2024", "DEC" }, 0 },
		/* Six: day month year. */
		{ { "1", "JAN", "2024", "13", "MAR", "2024" }, 1 },
		{ { "1", "JAN", "2024", "12", "MAR", "2024" }, 0 },
		{ { "13", "MAR", "2024", "13", "MAR", "2024" }, 1 },
		{ { "14", "MAR", "2024", "31", "DEC", "2024", "GMT" }, 1 },
		{ { "1", "JAN", "2025", "31", "DEC", "2025" }, 0 },
		/* Malformed: an error. */
		{ { NULL }, -EINVAL },
		{ { "GMT" }, -EINVAL },
		{ { "0" }, -EINVAL },
		{ { "mar" }, -EINVAL },
		{ { "MARCH" }, -EINVAL },
		{ { "1.5" }, -EINVAL },
		{ { "-1" }, -EINVAL },
		{ { "" }, -EINVAL },
		{ { "1", "MAR" }, -EINVAL },		/* halves of different kinds */
		{ { "1", "MAR", "15" }, -EINVAL },	/* odd count */
		{ { "1", "MAR", "15", "2024" }, -EINVAL },
		{ { "1", "1", "MAR", "MAR" }, -EINVAL },	/* a kind twice in a half */
		{ { "1", "2024", "5", "2024" }, -EINVAL },	/* day year: no form */
		{ { "1", "JAN", "2024", "13", "MAR", "2024", "2025" }, -EINVAL },
		{ { "100000" }, -EINVAL },
	};

	(void)state;
	run_range("dateRange", egress_pac_fn_date_range, cases, N(cases));
}

static void
test_time_range(void **state)
{
	static const struct range_case cases[] = {
		{ { "14" }, 1 },
		{ { "15" }, 0 },
		{ { "1", "GMT" }, 1 },
		{ { "9", "17" }, 1 },
		{ { "15", "17" }, 0 },
		{ { "14", "14" }, 1 },
		{ { "22", "2" }, 0 },		/* two hours: no wrap, as in browsers */
		{ { "0", "24" }, 1 },
		{ { "0", "2", "GMT" }, 1 },
		{ { "14", "0", "14", "30" }, 1 },	/* to 14:30:59 */
		{ { "14", "31", "15", "0" }, 0 },
		{ { "14", "30", "14", "30" }, 1 },
		{ { "22", "0", "14", "30" }, 1 },	/* wraps past midnight */
		{ { "22", "0", "14", "29" }, 0 },
		{ { "14", "30", "15", "14", "30", "16" }, 1 },
		{ { "14", "30", "16", "14", "30", "20" }, 0 },
		{ { "14", "30", "15", "14", "30", "15" }, 1 },
		{ { "1", "0", "0", "1", "59", "59", "GMT" }, 1 },
		/* Malformed: an error. */
		{ { NULL }, -EINVAL },
		{ { "GMT" }, -EINVAL },
		{ { "25" }, -EINVAL },
		{ { "x" }, -EINVAL },
		{ { "1", "2", "3" }, -EINVAL },
		{ { "1", "2", "3", "4", "5" }, -EINVAL },
		{ { "14", "60", "15", "0" }, -EINVAL },
		{ { "14", "0", "0", "15", "0", "60" }, -EINVAL },
		{ { "1", "2", "3", "4", "5", "6", "7" }, -EINVAL },
	};

	(void)state;
	run_range("timeRange", egress_pac_fn_time_range, cases, N(cases));
}

/* egress_pac_fn_now breaks a time_t down both ways. */
static void
test_now(void **state)
{
	struct egress_pac_fn_now	now;

	(void)state;
	egress_pac_fn_now((time_t)1710340215, &now);	/* 2024-03-13 14:30:15 UTC */
	assert_int_equal(now.gmt.tm_year, 124);
	assert_int_equal(now.gmt.tm_mon, 2);
	assert_int_equal(now.gmt.tm_mday, 13);
	assert_int_equal(now.gmt.tm_wday, 3);
	assert_int_equal(now.gmt.tm_hour, 14);
	assert_int_equal(now.gmt.tm_min, 30);
	assert_int_equal(now.gmt.tm_sec, 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_host_name),
		cmocka_unit_test(test_dns_domain_is),
		cmocka_unit_test(test_local_host_or_domain_is),
		cmocka_unit_test(test_dns_domain_levels),
		cmocka_unit_test(test_is_ipv4),
		cmocka_unit_test(test_dns_resolve),
		cmocka_unit_test(test_my_ip_address),
		cmocka_unit_test(test_is_in_net),
		cmocka_unit_test(test_convert_addr),
		cmocka_unit_test(test_sh_exp_match),
		cmocka_unit_test(test_sh_exp_match_hostile),
		cmocka_unit_test(test_weekday_range),
		cmocka_unit_test(test_date_range),
		cmocka_unit_test(test_time_range),
		cmocka_unit_test(test_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
