/*
 * Unit tests for egress_worker: the docs' advanced PAC answers through
 * the child (parsed routes); hostile PACs (an infinite loop, a loop that
 * catches the timeout, a memory hog, deep recursion, a catastrophic
 * regexp, a non-string result, a native loop the budget cannot see) each
 * refuse within the deadline and the next evaluation works; the hard kill
 * and a child that dies mid-request or while idle are counted and
 * respawned; the child runs under seccomp with no_new_privs (its
 * /proc/PID/status); a script that does not compile fails the start;
 * threads share a worker; raw carries the PAC's own words (cut to its
 * size), "" when there were none.  Skipped under valgrind (the child's filter
 * would kill valgrind's own system calls).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cmocka.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND	0
#endif

#include "egress/egress_worker.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

#include "tests/unit/docs_pac.h"

/* Misbehaves by host name; "good" gets DIRECT, "socks" a SOCKS5 list. */
static const char hostile_pac[] =
	"var big = null;\n"
	"function FindProxyForURL(url, host) {\n"
	"  if (host == 'loop') for (;;) {}\n"
	"  if (host == 'catch') for (;;) { try { for (;;) {} } catch (e) {} }\n"
	"  if (host == 'hog') { var a = []; for (;;) a.push(new Uint8Array(1 << 20)); }\n"
	"  if (host == 'recurse') { var f = function (x) { return f(x + 1) + 1; }; return f(0); }\n"
	"  if (host == 'regex') return /(a+)+$/.test(new Array(64).join('a') + '!') ? 'DIRECT' : 'DIRECT';\n"
	"  if (host == 'number') return 42;\n"
	"  if (host == 'object') return { toString: function () { return 'DIRECT'; } };\n"
	"  if (host == 'garbage') return 'FTP nowhere';\n"
	"  if (host == 'native') { if (big === null) big = 'a'.repeat(1 << 22); for (;;) big.indexOf('b'); }\n"
	"  if (host == 'socks') return 'SOCKS5 s.example:1080; DIRECT';\n"
	/* The clock and the time zone inside the jail: no file, no forbidden call. */
	"  if (host == 'time') {\n"
	"    var ok = weekdayRange('SUN', 'SAT') && weekdayRange('SUN', 'SAT', 'GMT') &&\n"
	"      dateRange(1970, 9999) && timeRange(0, 24) &&\n"
	"      typeof new Date().getTimezoneOffset() == 'number' && typeof Date.now() == 'number' &&\n"
	"      new Date(86400000).toISOString() == '1970-01-02T00:00:00.000Z' &&\n"
	"      new Date(2024, 0, 1).getFullYear() == 2024 && new Date().toString().length > 0 &&\n"
	"      dnsResolve(host) == '10.0.0.9' && myIpAddress() == '127.0.0.1';\n"
	"    return ok ? 'DIRECT' : 'PROXY wrong.example:1';\n"
	"  }\n"
	"  return 'DIRECT';\n"
	"}\n";

static void
target(struct egress_target *t, const char *name, const char *ip, uint16_t port)
{
	memset(t, 0, sizeof(*t));
	t->ip.family = strchr(ip, ':') != NULL ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(t->ip.family, ip, &t->ip.u), 1);
	t->port = port;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->source = name[0] != '\0' ? EGRESS_NAME_SNI : EGRESS_NAME_IP;
}

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The worker's child: the one process whose parent we are. */
static pid_t
child_pid(void)
{
	struct dirent	*de;
	DIR		*d;
	FILE		*f;
	char		 path[300], line[256];
	pid_t		 found = 0;
	int		 ppid;

	assert_non_null(d = opendir("/proc"));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL) {
			if (sscanf(line, "PPid: %d", &ppid) == 1) {
				if (ppid == getpid())
					found = (pid_t)strtol(de->d_name, NULL, 10);
				break;
			}
		}
		fclose(f);
		if (found != 0)
			break;
	}
	closedir(d);
	return found;
}

static void
status_field(pid_t pid, const char *key, char *val, size_t sz)
{
	char	 path[64], line[256];
	FILE	*f;
	size_t	 kl = strlen(key);

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	assert_non_null(f = fopen(path, "r"));
	val[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			snprintf(val, sz, "%s", line + kl + 1 + strspn(line + kl + 1, " \t"));
			val[strcspn(val, "\n")] = '\0';
			break;
		}
	fclose(f);
}

static void
test_docs_advanced(void **state)
{
	static const struct {
		const char		*name, *ip;
		uint16_t		 port;
		enum egress_route_kind	 kind;
		const char		*host;
		uint16_t		 pport;
	} cases[] = {
		{ "registry-1.docker.io", "54.1.2.3", 443, EGRESS_ROUTE_PROXY,
		    "corporate-proxy.company.com", 8080 },
		{ "docker.io", "54.1.2.3", 443, EGRESS_ROUTE_PROXY,
		    "corporate-proxy.company.com", 8080 },
		{ "nexus.company.com", "10.1.0.5", 443, EGRESS_ROUTE_DIRECT, "", 0 },
		{ "", "10.2.0.7", 3000, EGRESS_ROUTE_DIRECT, "", 0 },
		{ "dev.company.com", "10.2.0.7", 8080, EGRESS_ROUTE_DIRECT, "", 0 },
		{ "dev.company.com", "11.2.0.7", 8080, EGRESS_ROUTE_REFUSE, "", 0 },
		{ "host.docker.internal", "192.168.65.254", 80, EGRESS_ROUTE_REFUSE, "", 0 },
		{ "www.google.com", "142.250.1.1", 443, EGRESS_ROUTE_REFUSE, "", 0 },
		{ "", "2001:db8::1", 443, EGRESS_ROUTE_REFUSE, "", 0 },
	};
	struct egress_worker		*w = NULL;
	struct egress_worker_stats	 st;
	struct egress_target		 t;
	struct egress_answer		 a;
	struct dw_err			 err;
	char				 raw[EGRESS_ANSWER_MAX];
	const char			*words;
	size_t				 i;
	int				 r;

	(void)state;
	if (RUNNING_ON_VALGRIND)
		skip();
	if ((r = egress_worker_start(advanced_pac, strlen(advanced_pac), NULL, &w, &err)) != 0)
		fail_msg("start: %d %s", r, err.msg);
	for (i = 0; i < N(cases); i++) {
		target(&t, cases[i].name, cases[i].ip, cases[i].port);
		if ((r = egress_worker_eval(w, &t, &a, raw, sizeof(raw), &err)) != 0)
			fail_msg("case %zu: %d %s", i, r, err.msg);
		assert_int_equal(a.n, 1);
		if (a.r[0].kind != cases[i].kind)
			fail_msg("case %zu: route %s, want %s", i,
			    egress_route_kind_name(a.r[0].kind),
			    egress_route_kind_name(cases[i].kind));
		if (cases[i].kind == EGRESS_ROUTE_PROXY) {
			assert_string_equal(a.r[0].host, cases[i].host);
			assert_int_equal(a.r[0].port, cases[i].pport);
		}
		/* raw: the PAC's own words, not the parsed answer ("REFUSE"). */
		words = cases[i].kind == EGRESS_ROUTE_PROXY ?
		    "PROXY corporate-proxy.company.com:8080" :
		    cases[i].kind == EGRESS_ROUTE_DIRECT ? "DIRECT" :
		    "PROXY reject.docker.internal:1234";
		assert_string_equal(raw, words);
	}
	egress_worker_stats(w, &st);
	assert_int_equal(st.evals, N(cases));
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.kills, 0);
	assert_int_equal(st.respawns, 0);
	egress_worker_stop(w);
}

/* The child is confined: seccomp filter mode, no_new_privs, nobody when we are root. */
static void
test_child_confined(void **state)
{
	struct egress_worker	*w = NULL;
	struct dw_err		 err;
	char			 val[128];
	pid_t			 pid;

	(void)state;
	if (RUNNING_ON_VALGRIND)
		skip();
	assert_int_equal(egress_worker_start(advanced_pac, strlen(advanced_pac), NULL, &w,
	    &err), 0);
	assert_true((pid = child_pid()) > 0);
	status_field(pid, "Seccomp", val, sizeof(val));
	assert_string_equal(val, "2");
	status_field(pid, "NoNewPrivs", val, sizeof(val));
	assert_string_equal(val, "1");
	if (geteuid() == 0) {
		status_field(pid, "Uid", val, sizeof(val));
		assert_string_equal(val, "65534\t65534\t65534\t65534");
	}
	egress_worker_stop(w);
	/* Stopped: the child is gone and reaped. */
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
}

static void
test_hostile(void **state)
{
	static const struct {
		const char	*host;
		int		 want;
		const char	*raw;	/* the PAC's words: only a string has them */
	} cases[] = {
		{ "loop", -ETIMEDOUT, "" },
		{ "catch", -ETIMEDOUT, "" },
		{ "hog", -ENOMEM, "" },
		{ "recurse", -EINVAL, "" },
		{ "regex", -EINVAL, "" },
		{ "number", -EINVAL, "" },
		{ "object", -EINVAL, "" },
		{ "garbage", -EINVAL, "FTP nowhere" },
	};
	/* Budgets in wall-clock time, generous for a loaded machine. */
	struct egress_worker_opts	 opts = { .budget_ms = 1500, .kill_ms = 5000,
		.mem_max = 8u << 20 };
	struct egress_worker_opts	 hard = { .budget_ms = 60000, .kill_ms = 300,
		.mem_max = 32u << 20 };
	struct egress_worker		*w = NULL;
	struct egress_worker_stats	 st, st0;
	struct egress_target		 t;
	struct egress_answer		 a;
	struct dw_err			 err;
	char				 raw[EGRESS_ANSWER_MAX], small[8];
	double				 t0, dt;
	size_t				 i;
	int				 r;

	(void)state;
	if (RUNNING_ON_VALGRIND)
		skip();
	if ((r = egress_worker_start(hostile_pac, strlen(hostile_pac), &opts, &w, &err)) != 0)
		fail_msg("start: %d %s", r, err.msg);
	for (i = 0; i < N(cases); i++) {
		egress_worker_stats(w, &st0);
		target(&t, cases[i].host, "10.0.0.1", 443);
		memset(&a, 0xa5, sizeof(a));
		memset(raw, 'x', sizeof(raw));
		dw_err_clear(&err);
		t0 = now_ms();
		r = egress_worker_eval(w, &t, &a, raw, sizeof(raw), &err);
		dt = now_ms() - t0;
		/* A timeout may come from the budget or, on a loaded machine, the kill. */
		if (r != cases[i].want)
			fail_msg("%s: %d (%s), want %d", cases[i].host, r, err.msg, cases[i].want);
		if (err.msg[0] == '\0')
			fail_msg("%s: no error text", cases[i].host);
		assert_int_equal(a.n, 1);
		assert_int_equal(a.r[0].kind, EGRESS_ROUTE_REFUSE);
		assert_string_equal(raw, cases[i].raw);
		/* Refused within the hard deadline (and the respawn). */
		if (dt > opts.kill_ms + 1500.0)
			fail_msg("%s: refused after %.0f ms", cases[i].host, dt);
		egress_worker_stats(w, &st);
		assert_int_equal(st.errors, st0.errors + 1);
		/* The next evaluation works. */
		target(&t, "good", "10.0.0.2", 80);
		if ((r = egress_worker_eval(w, &t, &a, raw, sizeof(raw), &err)) != 0)
			fail_msg("after %s: %d %s", cases[i].host, r, err.msg);
		assert_int_equal(a.n, 1);
		assert_int_equal(a.r[0].kind, EGRESS_ROUTE_DIRECT);
	}
	/* Time functions and Date in the child. */
	target(&t, "time", "10.0.0.9", 443);
	if ((r = egress_worker_eval(w, &t, &a, raw, sizeof(raw), &err)) != 0)
		fail_msg("time functions in the child: %d %s", r, err.msg);
	assert_int_equal(a.r[0].kind, EGRESS_ROUTE_DIRECT);
	/* A list parses in order. */
	target(&t, "socks", "10.0.0.3", 22);
	assert_int_equal(egress_worker_eval(w, &t, &a, raw, sizeof(raw), &err), 0);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.r[0].kind, EGRESS_ROUTE_SOCKS5);
	assert_string_equal(a.r[0].host, "s.example");
	assert_int_equal(a.r[0].port, 1080);
	assert_int_equal(a.r[1].kind, EGRESS_ROUTE_DIRECT);
	assert_string_equal(raw, "SOCKS5 s.example:1080; DIRECT");
	/* Words longer than raw are cut, not the answer. */
	assert_int_equal(egress_worker_eval(w, &t, &a, small, sizeof(small), &err), 0);
	assert_string_equal(small, "SOCKS5 ");
	assert_int_equal(a.n, 2);
	egress_worker_stats(w, &st);
	assert_int_equal(st.evals, 2 * N(cases) + 3);
	assert_int_equal(st.errors, N(cases));
	assert_int_equal(st.respawns, st.kills);
	egress_worker_stop(w);

	/*
	 * The parent's deadline: a budget that never comes (and the native
	 * loop, which the budget only sees every few thousand instructions).
	 */
	if ((r = egress_worker_start(hostile_pac, strlen(hostile_pac), &hard, &w, &err)) != 0)
		fail_msg("start: %d %s", r, err.msg);
	for (i = 0; i < 2; i++) {
		target(&t, i == 0 ? "loop" : "native", "10.0.0.1", 443);
		t0 = now_ms();
		r = egress_worker_eval(w, &t, &a, raw, sizeof(raw), &err);
		dt = now_ms() - t0;
		assert_int_equal(r, -ETIMEDOUT);
		if (strstr(err.msg, "worker killed") == NULL)
			fail_msg("\"%s\" is not the kill", err.msg);
		assert_int_equal(a.r[0].kind, EGRESS_ROUTE_REFUSE);
		if (dt < hard.kill_ms - 1.0 || dt > hard.kill_ms + 1500.0)
			fail_msg("killed after %.0f ms", dt);
		egress_worker_stats(w, &st);
		assert_int_equal(st.kills, i + 1);
		assert_int_equal(st.respawns, i + 1);
		target(&t, "good", "10.0.0.2", 80);
		assert_int_equal(egress_worker_eval(w, &t, &a, raw, sizeof(raw), &err), 0);
		assert_int_equal(a.r[0].kind, EGRESS_ROUTE_DIRECT);
	}
	egress_worker_stop(w);
}

struct eval_thread {
	struct egress_worker	*w;
	const char		*host;
	int			 r;
	double			 ms;
};

static void *
eval_thread(void *arg)
{
	struct eval_thread	*e = arg;
	struct egress_target	 t;
	struct egress_answer	 a;
	struct dw_err		 err;
	double			 t0 = now_ms();

	target(&t, e->host, "10.0.0.1", 443);
	e->r = egress_worker_eval(e->w, &t, &a, NULL, 0, &err);
	e->ms = now_ms() - t0;
	return NULL;
}

/* The child dies in the middle of a request: -EPIPE at once, counted, respawned. */
static void
test_child_dies(void **state)
{
	struct egress_worker_opts	 opts = { .budget_ms = 20000, .kill_ms = 20000 };
	struct egress_worker		*w = NULL;
	struct egress_worker_stats	 st;
	struct eval_thread		 e;
	struct egress_target		 t;
	struct egress_answer		 a;
	struct dw_err			 err;
	char				 raw[EGRESS_ANSWER_MAX];
	pthread_t			 th;
	pid_t				 pid;

	(void)state;
	if (RUNNING_ON_VALGRIND)
		skip();
	assert_int_equal(egress_worker_start(hostile_pac, strlen(hostile_pac), &opts, &w, &err), 0);
	assert_true((pid = child_pid()) > 0);
	e.w = w;
	e.host = "loop";
	assert_int_equal(pthread_create(&th, NULL, eval_thread, &e), 0);
	usleep(200 * 1000);
	assert_int_equal(kill(pid, SIGKILL), 0);
	pthread_join(th, NULL);
	assert_int_equal(e.r, -EPIPE);
	assert_true(e.ms < 10000.0);
	egress_worker_stats(w, &st);
	assert_int_equal(st.kills, 1);
	assert_int_equal(st.respawns, 1);

	/* Killed while idle: the next request goes to a new child. */
	assert_true((pid = child_pid()) > 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
	usleep(50 * 1000);
	target(&t, "good", "10.0.0.2", 80);
	assert_int_equal(egress_worker_eval(w, &t, &a, raw, sizeof(raw), &err), 0);
	assert_int_equal(a.r[0].kind, EGRESS_ROUTE_DIRECT);
	assert_string_equal(raw, "DIRECT");
	egress_worker_stats(w, &st);
	assert_int_equal(st.kills, 2);
	assert_int_equal(st.respawns, 2);
	assert_int_equal(st.errors, 1);
	egress_worker_stop(w);
}

static void
test_start_errors(void **state)
{
	static const struct {
		const char	*script;
		int		 want;
		const char	*msg;
	} cases[] = {
		{ "function FindProxyForURL(url, host) {", -EINVAL, "does not compile" },
		{ "var x = 1;", -EINVAL, "no function FindProxyForURL" },
		{ "throw 'no';", -EINVAL, "top level" },
		{ "for (;;) {}", -ETIMEDOUT, "budget" },
	};
	struct egress_worker	*w;
	struct dw_err		 err;
	size_t			 i;
	int			 r;

	(void)state;
	if (RUNNING_ON_VALGRIND)
		skip();
	for (i = 0; i < N(cases); i++) {
		w = (struct egress_worker *)0x1;
		dw_err_clear(&err);
		r = egress_worker_start(cases[i].script, strlen(cases[i].script), NULL, &w, &err);
		if (r != cases[i].want)
			fail_msg("case %zu: %d (%s), want %d", i, r, err.msg, cases[i].want);
		if (strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err.msg, cases[i].msg);
		assert_ptr_equal(w, (struct egress_worker *)0x1);
		/* No child left behind. */
		assert_int_equal(child_pid(), 0);
	}
}

struct many {
	struct egress_worker	*w;
	int			 id, bad;
};

static void *
many_thread(void *arg)
{
	struct many		*m = arg;
	struct egress_target	 t;
	struct egress_answer	 a;
	struct dw_err		 err;
	int			 i;

	for (i = 0; i < 200; i++) {
		if ((i + m->id) % 2 == 0) {
			target(&t, "registry-1.docker.io", "54.1.2.3", 443);
			if (egress_worker_eval(m->w, &t, &a, NULL, 0, &err) != 0 ||
			    a.r[0].kind != EGRESS_ROUTE_PROXY)
				m->bad++;
		} else {
			target(&t, "nexus", "10.1.0.5", 80);
			if (egress_worker_eval(m->w, &t, &a, NULL, 0, &err) != 0 ||
			    a.r[0].kind != EGRESS_ROUTE_DIRECT)
				m->bad++;
		}
	}
	return NULL;
}

/* Threads share one worker: answers never cross. */
static void
test_threads(void **state)
{
	struct egress_worker		*w = NULL;
	struct egress_worker_stats	 st;
	struct many			 m[4];
	pthread_t			 th[4];
	struct dw_err			 err;
	int				 i;

	(void)state;
	if (RUNNING_ON_VALGRIND)
		skip();
	assert_int_equal(egress_worker_start(advanced_pac, strlen(advanced_pac), NULL, &w,
	    &err), 0);
	for (i = 0; i < 4; i++) {
		m[i].w = w;
		m[i].id = i;
		m[i].bad = 0;
		assert_int_equal(pthread_create(&th[i], NULL, many_thread, &m[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(m[i].bad, 0);
	}
	egress_worker_stats(w, &st);
	assert_int_equal(st.evals, 800);
	assert_int_equal(st.errors, 0);
	egress_worker_stop(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docs_advanced),
		cmocka_unit_test(test_child_confined),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_child_dies),
		cmocka_unit_test(test_start_errors),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
