/*
 * Unit tests for egress_decider.c (egress_decide.h) with a fake resolver,
 * a fake PAC evaluation and a fake clock: the name proof (proven, spoofed,
 * IP literal, garbage, resolver failure), the static and PAC paths, the
 * cache (hit, TTL, flush, eviction, errors never cached), fail-closed
 * refusals, and many threads at once.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "egress/egress_decide.h"

/* The fake DNS: a name and its addresses. */
static const struct {
	const char	*name;
	const char	*addrs[3];
} fake_dns[] = {
	{ "allowed.example", { "203.0.113.10", "2001:db8::10" } },
	{ "other.example", { "203.0.113.20" } },
	{ "proxied.example", { "203.0.113.30" } },
	{ "localhost", { "127.0.0.1" } },
};

static int	resolve_calls, resolve_fail;

static int
fake_resolve(void *ctx, const char *name, struct egress_addr *out, size_t max)
{
	size_t	i, k, n = 0;

	(void)ctx;
	resolve_calls++;
	if (resolve_fail)
		return -EAGAIN;
	for (i = 0; i < sizeof(fake_dns) / sizeof(fake_dns[0]); i++) {
		if (strcmp(fake_dns[i].name, name) != 0)
			continue;
		for (k = 0; k < 3 && fake_dns[i].addrs[k] != NULL && n < max; k++)
			assert_int_equal(egress_addr_parse(fake_dns[i].addrs[k], &out[n++]), 0);
		return (int)n;
	}
	return -ENOENT;
}

/*
 * The fake PAC: proxied.example via a proxy, allowed.example direct, else
 * refuse; its words (raw) are spaced unlike egress_answer_format's.
 */
static int		eval_calls, eval_fail;
static char		eval_seen[EGRESS_HOST_MAX];

static int
fake_eval(void *ctx, const struct egress_target *t, struct egress_answer *out,
    char *raw, size_t rawsz, struct dw_err *err)
{
	const char	*s;

	(void)ctx;
	assert_non_null(raw);
	assert_int_equal(rawsz, EGRESS_ANSWER_MAX);
	eval_calls++;
	snprintf(eval_seen, sizeof(eval_seen), "%s", t->name);
	if (eval_fail == 1) {
		dw_err_set(err, "timed out after 50 ms");
		egress_answer_one(out, EGRESS_ROUTE_REFUSE, NULL, 0);
		return -ETIMEDOUT;
	}
	if (eval_fail == 2) {
		out->n = 0;	/* a broken evaluator: no route at all */
		return 0;
	}
	if (eval_fail == 3)
		s = "HTTPS h.example:443";	/* words that do not parse */
	else if (strcmp(t->name, "proxied.example") == 0)
		s = "PROXY p.example:3128;DIRECT";
	else if (strcmp(t->name, "allowed.example") == 0)
		s = "DIRECT";
	else
		s = "PROXY reject.docker.internal:1234";
	snprintf(raw, rawsz, "%s", s);
	return egress_answer_parse(s, strlen(s), out, err);
}

static long long	fake_now = 1000;

static long long
fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static struct egress_policy *
policy(const char *cp)
{
	struct egress_policy	*p = NULL;
	struct dw_err		 err;
	json_t			*j = json_loads(cp, 0, NULL);

	assert_non_null(j);
	if (egress_policy_parse(j, NULL, &p, &err) != 0)
		fail_msg("%s: %s", cp, err.msg);
	json_decref(j);
	return p;
}

static struct egress_target
target(const char *ip, uint16_t port, const char *claimed, enum egress_name_source src)
{
	struct egress_target	t;

	memset(&t, 0, sizeof(t));
	assert_int_equal(egress_addr_parse(ip, &t.ip), 0);
	t.port = port;
	t.source = src;
	snprintf(t.claimed, sizeof(t.claimed), "%s", claimed);
	snprintf(t.name, sizeof(t.name), "stale");
	return t;
}

static const char *
fmt(const struct egress_answer *a)
{
	static char	buf[EGRESS_ANSWER_MAX];

	egress_answer_format(a, buf, sizeof(buf));
	return buf;
}

static int
setup(void **state)
{
	resolve_calls = resolve_fail = eval_calls = eval_fail = 0;
	eval_seen[0] = '\0';
	fake_now = 1000;
	return 0;
}

static void
test_name_proof_static(void **state)
{
	struct egress_policy		*p = policy("{\"exclude\": [\"allowed.example\", "
	    "\"198.51.100.0/24\"], \"transparentPorts\": \"80,443\"}");
	struct egress_decider		*d = egress_decider_new(p, NULL, NULL, fake_resolve, NULL);
	struct egress_decide_info	 info;
	struct egress_answer		 a;
	struct egress_target		 t;

	assert_non_null(d);
	/* Proven: the name resolves to the address dialled. */
	t = target("203.0.113.10", 443, "Allowed.Example.", EGRESS_NAME_SNI);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_string_equal(fmt(&a), "DIRECT");
	assert_string_equal(t.name, "allowed.example");
	assert_int_equal(t.source, EGRESS_NAME_SNI);
	assert_false(info.name_rejected);
	assert_false(info.cached);
	assert_false(info.pac);
	assert_string_equal(info.pac_answer, "");
	assert_string_equal(info.error, "");
	/* Over IPv6 too. */
	t = target("2001:db8::10", 80, "allowed.example", EGRESS_NAME_HOST);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_string_equal(fmt(&a), "DIRECT");

	/* Spoofed: Host says allowed.example, the address is another one. */
	t = target("203.0.113.20", 80, "allowed.example", EGRESS_NAME_HOST);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_string_equal(fmt(&a), "REFUSE");
	assert_true(info.name_rejected);
	assert_string_equal(t.name, "");
	assert_int_equal(t.source, EGRESS_NAME_IP);
	assert_string_equal(t.claimed, "allowed.example");	/* kept for the audit */
	/* ... and the address alone may still be excluded. */
	t = target("198.51.100.7", 80, "allowed.example", EGRESS_NAME_HOST);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_string_equal(fmt(&a), "DIRECT");
	assert_true(info.name_rejected);

	/* A name that does not resolve at all. */
	t = target("203.0.113.10", 80, "nowhere.example", EGRESS_NAME_HOST);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_string_equal(fmt(&a), "REFUSE");
	assert_true(info.name_rejected);

	/* An IP literal is no name: not resolved, not rejected. */
	resolve_calls = 0;
	t = target("198.51.100.9", 80, "198.51.100.9", EGRESS_NAME_HOST);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_string_equal(fmt(&a), "DIRECT");
	assert_false(info.name_rejected);
	assert_int_equal(t.source, EGRESS_NAME_IP);
	t = target("2001:db8::99", 80, "[2001:DB8::99]", EGRESS_NAME_HOST);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_false(info.name_rejected);
	assert_string_equal(t.name, "");
	assert_int_equal(resolve_calls, 0);

	/* Garbage is rejected without a lookup. */
	t = target("203.0.113.10", 80, "allowed.example/../x", EGRESS_NAME_HOST);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_string_equal(fmt(&a), "REFUSE");
	assert_true(info.name_rejected);
	assert_int_equal(resolve_calls, 0);

	/* Source IP: claimed is ignored. */
	t = target("203.0.113.10", 80, "allowed.example", EGRESS_NAME_IP);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_string_equal(fmt(&a), "REFUSE");
	assert_false(info.name_rejected);

	/* Not a transparent port: direct, nothing asked. */
	t = target("203.0.113.20", 22, "allowed.example", EGRESS_NAME_HOST);
	assert_int_equal(egress_decider_decide(d, &t, &a, NULL), 0);
	assert_string_equal(fmt(&a), "DIRECT");
	assert_int_equal(resolve_calls, 0);

	/* The resolver fails: decided on the IP, not cached. */
	egress_decider_flush(d);
	resolve_fail = 1;
	t = target("203.0.113.10", 443, "allowed.example", EGRESS_NAME_SNI);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_string_equal(fmt(&a), "REFUSE");
	assert_true(info.name_rejected);
	resolve_fail = 0;
	assert_int_equal(egress_decider_cached(d), 0);
	t = target("203.0.113.10", 443, "allowed.example", EGRESS_NAME_SNI);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_string_equal(fmt(&a), "DIRECT");
	egress_decider_free(d);
	egress_policy_free(p);
}

static void
test_default_resolver(void **state)
{
	struct egress_policy		*p = policy("{\"exclude\": [\"localhost\"]}");
	struct egress_decider		*d = egress_decider_new(p, NULL, NULL, NULL, NULL);
	struct egress_decide_info	 info;
	struct egress_answer		 a;
	struct egress_target		 t;

	/* getaddrinfo reads /etc/hosts for localhost: no network. */
	t = target("127.0.0.1", 80, "localhost", EGRESS_NAME_HOST);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_false(info.name_rejected);
	assert_string_equal(fmt(&a), "DIRECT");
	t = target("127.0.0.2", 80, "localhost", EGRESS_NAME_HOST);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_true(info.name_rejected);
	assert_string_equal(fmt(&a), "REFUSE");
	egress_decider_free(d);
	egress_policy_free(p);
}

static void
test_pac_and_cache(void **state)
{
	struct egress_policy		*p = policy("{\"pac\": \"http://pac.example/p.pac\"}");
	struct egress_decider		*d = egress_decider_new(p, fake_eval, NULL, fake_resolve,
	    NULL);
	struct egress_decide_info	 info;
	struct egress_answer		 a;
	struct egress_target		 t;

	egress_decider_set_clock(d, fake_clock, NULL);
	t = target("203.0.113.30", 443, "proxied.example", EGRESS_NAME_SNI);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_string_equal(fmt(&a), "PROXY p.example:3128; DIRECT");
	assert_true(info.pac);
	assert_false(info.cached);
	assert_string_equal(info.pac_answer, "PROXY p.example:3128;DIRECT");
	assert_string_equal(eval_seen, "proxied.example");
	assert_int_equal(eval_calls, 1);
	assert_int_equal(resolve_calls, 1);
	assert_int_equal(egress_decider_cached(d), 1);

	/* A hit: neither the resolver nor the PAC is asked again. */
	fake_now += EGRESS_CACHE_TTL_S - 1;
	t = target("203.0.113.30", 443, "PROXIED.example", EGRESS_NAME_SNI);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_true(info.cached);
	assert_true(info.pac);
	assert_string_equal(info.pac_answer, "PROXY p.example:3128;DIRECT");
	assert_string_equal(t.name, "proxied.example");
	assert_int_equal(eval_calls, 1);
	assert_int_equal(resolve_calls, 1);

	/* Another port, another IP, another name: other keys. */
	t = target("203.0.113.30", 80, "proxied.example", EGRESS_NAME_HOST);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_false(info.cached);
	t = target("203.0.113.20", 443, "proxied.example", EGRESS_NAME_SNI);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_false(info.cached);
	assert_true(info.name_rejected);
	assert_string_equal(eval_seen, "");	/* the PAC saw the IP only */
	assert_string_equal(fmt(&a), "REFUSE");
	/* The audit shows what the PAC said, not the parsed REFUSE. */
	assert_string_equal(info.pac_answer, "PROXY reject.docker.internal:1234");
	assert_int_equal(eval_calls, 3);
	/* A spoofed name's cached decision is still a rejection, in the same words. */
	t = target("203.0.113.20", 443, "proxied.example", EGRESS_NAME_SNI);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_true(info.cached);
	assert_true(info.name_rejected);
	assert_string_equal(fmt(&a), "REFUSE");
	assert_string_equal(info.pac_answer, "PROXY reject.docker.internal:1234");
	assert_int_equal(t.source, EGRESS_NAME_IP);
	assert_string_equal(t.name, "");
	assert_int_equal(eval_calls, 3);

	/* TTL: the first entry expires. */
	fake_now += 1;
	t = target("203.0.113.30", 443, "proxied.example", EGRESS_NAME_SNI);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_false(info.cached);
	assert_int_equal(eval_calls, 4);

	/* Flush: everything asked again. */
	assert_int_equal(egress_decider_cached(d), 3);
	egress_decider_flush(d);
	assert_int_equal(egress_decider_cached(d), 0);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_false(info.cached);
	assert_int_equal(eval_calls, 5);

	/* The PAC fails: REFUSE with the reason, an error, not cached. */
	egress_decider_flush(d);
	eval_fail = 1;
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), -ETIMEDOUT);
	assert_string_equal(fmt(&a), "REFUSE");
	assert_string_equal(info.error, "PAC: timed out after 50 ms");
	assert_string_equal(info.pac_answer, "");
	assert_int_equal(egress_decider_cached(d), 0);
	eval_fail = 2;
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), -EPROTO);
	assert_string_equal(fmt(&a), "REFUSE");
	assert_non_null(strstr(info.error, "no route"));
	/* Words that do not parse: REFUSE, an error, and the words for the audit. */
	eval_fail = 3;
	assert_int_not_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_string_equal(fmt(&a), "REFUSE");
	assert_string_equal(info.pac_answer, "HTTPS h.example:443");
	assert_string_not_equal(info.error, "");
	assert_int_equal(egress_decider_cached(d), 0);
	eval_fail = 0;
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_string_equal(fmt(&a), "PROXY p.example:3128; DIRECT");
	assert_string_equal(info.error, "");
	egress_decider_free(d);
	egress_policy_free(p);
}

static void
test_pac_unavailable(void **state)
{
	struct egress_policy		*p = policy("{\"pac\": \"https://pac.example/p.pac\", "
	    "\"exclude\": [\"allowed.example\"]}");
	struct egress_decider		*d = egress_decider_new(p, NULL, NULL, fake_resolve, NULL);
	struct egress_decide_info	 info;
	struct egress_answer		 a;
	struct egress_target		 t;
	int				 i;

	for (i = 0; i < 2; i++) {
		t = target("203.0.113.10", 443, "allowed.example", EGRESS_NAME_SNI);
		assert_int_equal(egress_decider_decide(d, &t, &a, &info), -ENOENT);
		assert_string_equal(fmt(&a), "REFUSE");	/* exclude does not apply with a PAC */
		assert_string_equal(info.error, "PAC unavailable");
		assert_false(info.cached);
	}
	assert_int_equal(egress_decider_cached(d), 0);
	egress_decider_free(d);
	egress_policy_free(p);
	egress_decider_free(NULL);
}

static void
test_eviction(void **state)
{
	struct egress_policy		*p = policy("{\"pac\": \"http://pac.example/p.pac\"}");
	struct egress_decider		*d = egress_decider_new(p, fake_eval, NULL, fake_resolve,
	    NULL);
	struct egress_decide_info	 info;
	struct egress_answer		 a;
	struct egress_target		 t;
	char				 ip[64];
	int				 i;

	egress_decider_set_clock(d, fake_clock, NULL);
	for (i = 0; i < EGRESS_CACHE_MAX + 10; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 256, i % 256);
		t = target(ip, 80, "", EGRESS_NAME_IP);
		assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	}
	assert_int_equal(egress_decider_cached(d), EGRESS_CACHE_MAX);
	assert_int_equal(eval_calls, EGRESS_CACHE_MAX + 10);
	/* The newest is there, the oldest was evicted. */
	snprintf(ip, sizeof(ip), "10.%d.%d.1", (EGRESS_CACHE_MAX + 9) / 256,
	    (EGRESS_CACHE_MAX + 9) % 256);
	t = target(ip, 80, "", EGRESS_NAME_IP);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_true(info.cached);
	t = target("10.0.0.1", 80, "", EGRESS_NAME_IP);
	assert_int_equal(egress_decider_decide(d, &t, &a, &info), 0);
	assert_false(info.cached);
	assert_int_equal(egress_decider_cached(d), EGRESS_CACHE_MAX);
	egress_decider_free(d);
	egress_policy_free(p);
}

struct worker_arg {
	struct egress_decider	*d;
	int			 bad;
};

static void *
worker(void *arg)
{
	struct worker_arg		*w = arg;
	struct egress_decide_info	 info;
	struct egress_answer		 a;
	struct egress_target		 t;
	char				 ip[64];
	int				 i;

	for (i = 0; i < 5000; i++) {
		snprintf(ip, sizeof(ip), "203.0.113.%d", 30 + i % 40);
		t = target(ip, 443, "proxied.example", EGRESS_NAME_SNI);
		if (egress_decider_decide(w->d, &t, &a, i % 2 ? &info : NULL) != 0)
			w->bad++;
		else if (i % 40 == 0 ? a.r[0].kind != EGRESS_ROUTE_PROXY :
		    a.r[0].kind != EGRESS_ROUTE_REFUSE)
			w->bad++;
		else if (i % 2 && strcmp(info.pac_answer, "PROXY reject.docker.internal:1") != 0)
			w->bad++;
		if (i % 1000 == 999)
			egress_decider_flush(w->d);
	}
	return NULL;
}

/* eval_calls is not atomic: the threads use an evaluator without counters. */
static int
quiet_eval(void *ctx, const struct egress_target *t, struct egress_answer *out,
    char *raw, size_t rawsz, struct dw_err *err)
{
	const char	*s = strcmp(t->name, "proxied.example") == 0 ? "PROXY p.example:1" :
	    "PROXY reject.docker.internal:1";

	snprintf(raw, rawsz, "%s", s);
	return egress_answer_parse(s, strlen(s), out, err);
}

static int
quiet_resolve(void *ctx, const char *name, struct egress_addr *out, size_t max)
{
	return egress_addr_parse("203.0.113.30", &out[0]) == 0 ? 1 : -EINVAL;
}

static void
test_threads(void **state)
{
	struct egress_policy	*p = policy("{\"pac\": \"http://pac.example/p.pac\"}");
	struct egress_decider	*d = egress_decider_new(p, quiet_eval, NULL, quiet_resolve, NULL);
	struct worker_arg	 w[4];
	pthread_t		 th[4];
	int			 i;

	for (i = 0; i < 4; i++) {
		w[i].d = d;
		w[i].bad = 0;
		assert_int_equal(pthread_create(&th[i], NULL, worker, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].bad, 0);
	}
	egress_decider_free(d);
	egress_policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_name_proof_static, setup),
		cmocka_unit_test_setup(test_default_resolver, setup),
		cmocka_unit_test_setup(test_pac_and_cache, setup),
		cmocka_unit_test_setup(test_pac_unavailable, setup),
		cmocka_unit_test_setup(test_eviction, setup),
		cmocka_unit_test_setup(test_threads, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
