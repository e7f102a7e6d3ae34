/*
 * Unit tests for egress_pac: the two example PACs of Docker's
 * documentation give the answers the docs describe (a table of
 * connections); a script over its time budget, over its memory cap, one
 * that returns something other than a string, one that does not compile,
 * and the other hostile shapes each fail with their own errno while the
 * next call works (on a fresh heap); the helpers are reachable from
 * JavaScript with the connection's dnsResolve and an injected clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "egress/egress_pac.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

#include "tests/unit/docs_pac.h"

#define REJECT	"PROXY reject.docker.internal:1234"

struct conn_case {
	const char	*name;		/* "" : IP only */
	const char	*ip;
	uint16_t	 port;
	const char	*want;
};

static void
target_of(const struct conn_case *c, struct egress_target *t)
{
	memset(t, 0, sizeof(*t));
	if (strchr(c->ip, ':') != NULL) {
		t->ip.family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, c->ip, &t->ip.u.v6), 1);
	} else {
		t->ip.family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, c->ip, &t->ip.u.v4), 1);
	}
	t->port = c->port;
	snprintf(t->name, sizeof(t->name), "%s", c->name);
	t->source = c->name[0] != '\0' ? EGRESS_NAME_HOST : EGRESS_NAME_IP;
}

static void
run_conns(const char *script, const struct conn_case *cases, size_t n)
{
	/* The answers are the test: budgets a loaded machine under valgrind meets. */
	struct egress_pac_opts	 opts = { .budget_ms = 2000, .load_ms = 2000 };
	struct egress_pac	*p = NULL;
	struct egress_target	 t;
	struct dw_err		 err = { "" };
	char			 url[EGRESS_PAC_URL_MAX], host[EGRESS_HOST_MAX];
	char			 out[EGRESS_ANSWER_MAX];
	size_t			 i;
	int			 r;

	r = egress_pac_new(script, strlen(script), &opts, &p, &err);
	if (r != 0)
		fail_msg("egress_pac_new: %d %s", r, err.msg);
	for (i = 0; i < n; i++) {
		target_of(&cases[i], &t);
		assert_int_equal(egress_pac_target_args(&t, url, sizeof(url), host,
		    sizeof(host)), 0);
		r = egress_pac_eval(p, url, host, &t.ip, out, sizeof(out), &err);
		if (r != 0)
			fail_msg("case %zu (%s): %d %s", i, url, r, err.msg);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu (%s, %s): \"%s\", want \"%s\"", i, url, host, out,
			    cases[i].want);
	}
	egress_pac_free(p);
}

static void
test_docs_basic(void **state)
{
	static const struct conn_case cases[] = {
		{ "internal.corp", "10.50.0.1", 443, "PROXY 10.0.0.1:3128" },
		{ "internal", "10.50.0.1", 80, "PROXY 10.0.0.1:3128" },	/* its first label */
		{ "www.internal.corp", "10.50.0.1", 443, REJECT },
		{ "", "192.168.0.20", 8443, "DIRECT" },			/* IP only */
		{ "nas.home", "192.168.0.20", 80, "DIRECT" },		/* dnsResolve: the original IP */
		{ "", "192.168.1.20", 80, REJECT },
		{ "nas.home", "192.168.1.20", 80, REJECT },
		{ "www.google.com", "142.250.1.1", 443, REJECT },
		{ "", "2001:db8::1", 443, REJECT },
	};

	(void)state;
	run_conns(basic_pac, cases, N(cases));
}

static void
test_docs_advanced(void **state)
{
	static const struct conn_case cases[] = {
		{ "registry-1.docker.io", "54.1.2.3", 443, "PROXY corporate-proxy.company.com:8080" },
		{ "auth.docker.io", "54.1.2.4", 443, "PROXY corporate-proxy.company.com:8080" },
		{ "docker.io", "54.1.2.5", 443, "PROXY corporate-proxy.company.com:8080" },
		{ "evildocker.io", "6.6.6.6", 443, REJECT },
		{ "nexus.company.com", "10.1.0.5", 443, "DIRECT" },
		{ "nexus", "10.1.0.5", 80, "DIRECT" },
		{ "artifactory.company.com", "10.1.0.6", 80, "DIRECT" },
		{ "artifactory.company.com.evil.io", "6.6.6.6", 443, REJECT },
		{ "dev.company.com", "10.2.0.7", 3000, "DIRECT" },
		{ "", "10.2.0.7", 8080, "DIRECT" },
		{ "dev.company.com", "11.2.0.7", 3000, REJECT },	/* not in 10/8 */
		{ "dev.company.com", "10.2.0.7", 80, REJECT },		/* not a dev port */
		{ "host.docker.internal", "192.168.65.254", 80, REJECT },
		{ "localhost", "127.0.0.1", 80, REJECT },
		{ "www.google.com", "142.250.1.1", 443, REJECT },
		{ "", "1.1.1.1", 53, REJECT },
	};

	(void)state;
	run_conns(advanced_pac, cases, N(cases));
}

static void
test_target_args(void **state)
{
	static const struct {
		struct conn_case	c;
		const char		*url, *host;
	} cases[] = {
		{ { "docs.docker.com", "1.2.3.4", 443, "" }, "https://docs.docker.com:443",
		    "docs.docker.com" },
		{ { "docs.docker.com", "1.2.3.4", 80, "" }, "http://docs.docker.com:80",
		    "docs.docker.com" },
		{ { "", "1.2.3.4", 8443, "" }, "http://1.2.3.4:8443", "1.2.3.4" },
		{ { "", "1.2.3.4", 443, "" }, "https://1.2.3.4:443", "1.2.3.4" },
		{ { "", "2001:db8::1", 443, "" }, "https://[2001:db8::1]:443", "2001:db8::1" },
		{ { "", "2001:db8::1", 22, "" }, "http://[2001:db8::1]:22", "2001:db8::1" },
		{ { "v6.example", "2001:db8::1", 80, "" }, "http://v6.example:80", "v6.example" },
	};
	struct egress_target	t;
	char			url[EGRESS_PAC_URL_MAX], host[EGRESS_HOST_MAX];
	size_t			i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		target_of(&cases[i].c, &t);
		assert_int_equal(egress_pac_target_args(&t, url, sizeof(url), host,
		    sizeof(host)), 0);
		assert_string_equal(url, cases[i].url);
		assert_string_equal(host, cases[i].host);
	}
	/* No address and no name. */
	memset(&t, 0, sizeof(t));
	assert_int_equal(egress_pac_target_args(&t, url, sizeof(url), host, sizeof(host)),
	    -EINVAL);
}

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * A script that misbehaves when host is "bad" and answers "ok <n>" (n: the
 * calls this heap has seen) otherwise: each hostile call fails with want,
 * within the budget where it is a timeout, and the next call works on a
 * fresh heap when the failure was time or memory.
 */
struct hostile_case {
	const char	*what;
	const char	*body;		/* runs when host == "bad" */
	int		 want;
	const char	*msg;		/* in err */
	unsigned	 budget_ms;	/* 0: 50 for timeouts, else 2000 */
};

static const struct hostile_case hostile[] = {
	{ "infinite loop", "for (;;) {}", -ETIMEDOUT, "budget", 0 },
	{ "loop that catches the timeout",
	    "for (;;) { try { for (;;) {} } catch (e) { n = -1000; } }", -ETIMEDOUT, "budget", 0 },
	{ "finally that loops", "try { for (;;) {} } finally { for (;;) {} }", -ETIMEDOUT,
	    "budget", 0 },
	/* A budget the cap comes well before, on a loaded machine too. */
	{ "memory hog", "var a = []; for (;;) a.push(new Uint8Array(1 << 20));",
	    -ENOMEM, "memory cap", 2000 },
	/* Native work in a loop of few instructions: stopped by the allocator. */
	{ "slow native loop", "var a = []; for (;;) a.push(new Array(10000).join('x') + a.length);",
	    -ETIMEDOUT, "budget", 0 },
	{ "memory hog that catches", "var a = []; for (;;) { try { a.push(new Array(100000)); }"
	    " catch (e) { } }", -ETIMEDOUT, "budget", 0 },
	{ "deep recursion", "function f(x) { return f(x + 1) + 1; } return f(0);", -EINVAL,
	    "RangeError", 0 },
	/* The step limit, not the clock, stops it (in ms: see the time check). */
	{ "catastrophic regex", "return /(a+)+$/.test(new Array(64).join('a') + '!') ? 'x' : 'y';",
	    -EINVAL, "regexp step limit", 2000 },
	{ "regex in a loop", "for (;;) /(a+)+$/.test(new Array(16).join('a') + '!');",
	    -ETIMEDOUT, "budget", 0 },
	{ "number", "return 42;", -EINVAL, "returned a number, not a string", 0 },
	{ "undefined", "return;", -EINVAL, "returned undefined, not a string", 0 },
	{ "null", "return null;", -EINVAL, "returned null, not a string", 0 },
	{ "object", "return { toString: function () { return 'DIRECT'; } };", -EINVAL,
	    "returned an object, not a string", 0 },
	{ "String object", "return new String('DIRECT');", -EINVAL, "not a string", 0 },
	{ "throw", "throw new Error('nope');", -EINVAL, "Error: nope", 0 },
	{ "throw with a looping toString", "throw { toString: function () { for (;;) {} } };",
	    -ETIMEDOUT, "budget", 0 },
	{ "huge answer", "return new Array(5000).join('PROXY a:1; ');", -E2BIG, "over", 0 },
	{ "NUL in answer", "return 'DIRECT\\u0000PROXY x:1';", -EINVAL, "NUL", 0 },
	{ "shExpMatch over its cap", "return shExpMatch(new Array(5000).join('a'), '*') ? 'a' : 'b';",
	    -EINVAL, "shExpMatch", 0 },
	{ "bad timeRange", "return timeRange(1, 2, 3) ? 'a' : 'b';", -EINVAL, "timeRange", 0 },
	{ "bad dateRange", "return dateRange('FOO') ? 'a' : 'b';", -EINVAL, "dateRange", 0 },
	{ "bad weekdayRange", "return weekdayRange('MON', 'XXX') ? 'a' : 'b';", -EINVAL,
	    "weekdayRange", 0 },
	{ "undefined helper", "return isInNetEx(host, '10.0.0.0/8') ? 'a' : 'b';", -EINVAL,
	    "ReferenceError", 0 },
};

static void
test_hostile(void **state)
{
	struct egress_pac_opts	 opts = { .budget_ms = 50, .mem_max = 4u << 20 };
	struct egress_pac	*p;
	struct dw_err		 err;
	char			 script[1024], out[EGRESS_ANSWER_MAX];
	double			 t0, dt;
	size_t			 i;
	int			 r;

	(void)state;
	for (i = 0; i < N(hostile); i++) {
		snprintf(script, sizeof(script),
		    "var n = 0;\nfunction FindProxyForURL(url, host) {\n"
		    "  n++;\n  if (host == 'bad') { %s }\n  return 'ok ' + n;\n}\n",
		    hostile[i].body);
		p = NULL;
		/*
		 * 50 ms where the budget is what stops the script; elsewhere
		 * plenty, so that a loaded machine (the budget is wall-clock
		 * time) does not turn an error into a timeout.
		 */
		opts.budget_ms = hostile[i].budget_ms != 0 ? hostile[i].budget_ms :
		    hostile[i].want == -ETIMEDOUT ? 50 : 2000;
		r = egress_pac_new(script, strlen(script), &opts, &p, &err);
		if (r != 0)
			fail_msg("%s: egress_pac_new: %s", hostile[i].what, err.msg);
		assert_int_equal(egress_pac_eval(p, "http://good:80", "good", NULL, out,
		    sizeof(out), &err), 0);
		assert_string_equal(out, "ok 1");
		t0 = now_ms();
		strcpy(out, "untouched");
		dw_err_clear(&err);
		r = egress_pac_eval(p, "http://bad:80", "bad", NULL, out, sizeof(out), &err);
		dt = now_ms() - t0;
		if (r != hostile[i].want)
			fail_msg("%s: %d (%s), want %d", hostile[i].what, r, err.msg,
			    hostile[i].want);
		if (strstr(err.msg, hostile[i].msg) == NULL)
			fail_msg("%s: error \"%s\" does not say \"%s\"", hostile[i].what,
			    err.msg, hostile[i].msg);
		assert_string_equal(out, "untouched");
		/* Within the budget, give or take the hook's granularity (and valgrind). */
		if (dt > opts.budget_ms + 1000.0)
			fail_msg("%s: took %.1f ms", hostile[i].what, dt);
		if (r == -ETIMEDOUT && dt < opts.budget_ms - 1.0)
			fail_msg("%s: timed out after %.1f ms only", hostile[i].what, dt);
		/* The next call works; after time or memory trouble on a fresh heap. */
		r = egress_pac_eval(p, "http://good:80", "good", NULL, out, sizeof(out), &err);
		if (r != 0)
			fail_msg("%s: the next call: %d %s", hostile[i].what, r, err.msg);
		if (hostile[i].want == -ETIMEDOUT || hostile[i].want == -ENOMEM)
			assert_string_equal(out, "ok 1");
		else
			assert_string_equal(out, "ok 3");
		egress_pac_free(p);
	}
}

static void
test_load_errors(void **state)
{
	static const struct {
		const char	*script;
		int		 want;
		const char	*msg;
	} cases[] = {
		{ "function FindProxyForURL(url, host) { return 'DIRECT' ", -EINVAL,
		    "does not compile" },
		{ "function FindProxyForURL(url, host) { return 'DIRECT'; } }", -EINVAL,
		    "does not compile" },
		{ "<html>404 Not Found</html>", -EINVAL, "does not compile" },
		{ "", -EINVAL, "no function FindProxyForURL" },
		{ "function findProxyForURL(url, host) { return 'DIRECT'; }", -EINVAL,
		    "no function FindProxyForURL" },
		{ "var FindProxyForURL = 'DIRECT';", -EINVAL, "no function FindProxyForURL" },
		{ "throw new Error('top');", -EINVAL, "top level" },
		{ "for (;;) {}", -ETIMEDOUT, "budget" },
		{ "var a = []; for (;;) a.push(new Uint8Array(1 << 20));", -ENOMEM, "memory cap" },
	};
	struct egress_pac_opts	 opts = { .load_ms = 200, .mem_max = 4u << 20 };
	struct egress_pac	*p;
	struct dw_err		 err;
	char			*big;
	size_t			 i;
	int			 r;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		p = (struct egress_pac *)0x1;
		dw_err_clear(&err);
		r = egress_pac_new(cases[i].script, strlen(cases[i].script), &opts, &p, &err);
		if (r != cases[i].want)
			fail_msg("case %zu: %d (%s), want %d", i, r, err.msg, cases[i].want);
		if (strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("case %zu: error \"%s\" does not say \"%s\"", i, err.msg,
			    cases[i].msg);
		assert_ptr_equal(p, (struct egress_pac *)0x1);
	}
	big = calloc(1, EGRESS_PAC_SCRIPT_MAX + 2);
	assert_non_null(big);
	memset(big, ' ', EGRESS_PAC_SCRIPT_MAX + 1);
	assert_int_equal(egress_pac_new(big, EGRESS_PAC_SCRIPT_MAX + 1, &opts, &p, &err), -E2BIG);
	free(big);
}

static time_t
fixed_clock(void)
{
	return (time_t)1710340215;	/* Wednesday 2024-03-13 14:30:15 UTC */
}

/* The helpers from JavaScript: each returns what its C version says. */
static void
test_helpers_from_js(void **state)
{
	static const char script[] =
	    "function FindProxyForURL(url, host) {\n"
	    "  var r = [];\n"
	    "  r.push(isPlainHostName(host), isPlainHostName('a.b'));\n"
	    "  r.push(dnsDomainIs(host, '.corp.example'), localHostOrDomainIs('www', 'www.x.y'));\n"
	    "  r.push(dnsResolve(host), dnsResolve('other.example'), dnsResolve('9.9.9.9'));\n"
	    "  r.push(isResolvable(host), isResolvable('other.example'));\n"
	    "  r.push(isInNet(host, '10.0.0.0', '255.0.0.0'), isInNet(dnsResolve('x.y'), '10.0.0.0', '255.0.0.0'));\n"
	    "  r.push(myIpAddress(), dnsDomainLevels(host), convert_addr('10.0.0.1'));\n"
	    "  r.push(shExpMatch(url, 'https://*.corp.example:443'), shExpMatch(host, '*.other'));\n"
	    "  r.push(weekdayRange('WED'), weekdayRange('MON', 'TUE', 'GMT'), dateRange('MAR', 'GMT'));\n"
	    "  r.push(dateRange(2024, 'GMT'), timeRange(14, 15, 'GMT'), timeRange(0, 0, 0, 0, 0, 1, 'GMT'));\n"
	    "  alert('debugging');\n"
	    "  r.push(typeof Duktape, new Date(0).toISOString(), typeof new Date().getTimezoneOffset());\n"
	    "  r.push(Date.parse('2024-03-13T14:30:15Z'), isNaN(Date.parse('Wed, 13 Mar 2024 14:30:15 GMT')) ? 'nan' : 'parsed');\n"
	    "  return r.join(',');\n"
	    "}\n";
	/* What the helpers answer is the test, not the time: budgets a loaded machine under valgrind meets. */
	struct egress_pac_opts	 opts = { .clock = fixed_clock, .budget_ms = 2000, .load_ms = 2000 };
	struct egress_pac	*p = NULL;
	struct egress_addr	 ip = { .family = AF_INET };
	struct dw_err		 err;
	char			 out[EGRESS_ANSWER_MAX];

	(void)state;
	opts.my_ip.family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, "172.17.0.2", &opts.my_ip.u.v4), 1);
	assert_int_equal(inet_pton(AF_INET, "10.9.8.7", &ip.u.v4), 1);
	if (egress_pac_new(script, strlen(script), &opts, &p, &err) != 0)
		fail_msg("%s", err.msg);
	if (egress_pac_eval(p, "https://git.corp.example:443", "git.corp.example", &ip, out,
	    sizeof(out), &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(out,
	    "false,false,"
	    "true,true,"
	    "10.9.8.7,,9.9.9.9,"		/* null joins as "" */
	    "true,false,"
	    "true,false,"
	    "172.17.0.2,2,167772161,"
	    "true,false,"
	    "true,false,true,"			/* TZ=UTC: local is GMT */
	    "true,true,false,"
	    "undefined,1970-01-01T00:00:00.000Z,number,"
	    "1710340215000,nan");		/* ISO 8601 only: no strptime */
	egress_pac_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docs_basic),
		cmocka_unit_test(test_docs_advanced),
		cmocka_unit_test(test_target_args),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_helpers_from_js),
	};

	/* The local-time functions read TZ: pin it so the answers are known. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
