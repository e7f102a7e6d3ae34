/*
 * Unit tests for api_metrics (rendering, label escaping, histogram bucket
 * math, the rule table and its overflow, counters under concurrent
 * threads), api_metrics_http (address parsing, a live scrape over a unix
 * socket and loopback TCP) and cli_status (the summary of a canned
 * metrics text and of a rendered one).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "api/api_metrics.h"
#include "api/api_metrics_http.h"
#include "cli/cli_status.h"

/* The rendered text has this exact line. */
static void
assert_line(const char *text, const char *line)
{
	const char	*p = text;
	size_t		 n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return;
		p++;
	}
	fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void
assert_no_line_with(const char *text, const char *needle)
{
	if (strstr(text, needle) != NULL)
		fail_msg("unexpected \"%s\" in:\n%s", needle, text);
}

static int
setup(void **state)
{
	api_metrics_reset();
	return 0;
}

static void
test_render_empty(void **state)
{
	char	*t = api_metrics_render(NULL);

	assert_non_null(t);
	/* Every family is there with HELP and TYPE, and the zero series too. */
	assert_line(t, "# TYPE dockward_decisions_total counter");
	assert_line(t, "# TYPE dockward_decision_duration_seconds histogram");
	assert_line(t, "dockward_decision_duration_seconds_count{door=\"plugin\"} 0");
	assert_line(t, "dockward_decision_duration_seconds_count{door=\"gatekeeper\"} 0");
	assert_line(t, "dockward_verify_cache_hits_total 0");
	assert_line(t, "dockward_verify_cache_misses_total 0");
	assert_line(t, "dockward_registry_requests_total{result=\"ok\"} 0");
	assert_line(t, "dockward_registry_requests_total{result=\"error\"} 0");
	assert_line(t, "dockward_registry_errors_total{kind=\"timeout\"} 0");
	assert_line(t, "# TYPE dockward_gatekeeper_connections gauge");
	assert_line(t, "dockward_gatekeeper_connections 0");
	assert_line(t, "dockward_gatekeeper_connections_total 0");
	assert_line(t, "dockward_upstream_errors_total 0");
	assert_line(t, "dockward_policy_reloads_total{result=\"ok\"} 0");
	assert_line(t, "dockward_policy_reloads_total{result=\"failed\"} 0");
	assert_line(t, "dockward_policy_loaded_timestamp_seconds 0");
	assert_line(t, "dockward_audit_write_errors_total 0");
	assert_line(t, "dockward_settings_fetch_total{result=\"ok\"} 0");
	assert_line(t, "dockward_settings_fetch_total{result=\"bad_signature\"} 0");
	assert_line(t, "dockward_settings_last_success_timestamp_seconds 0");
	assert_line(t, "dockward_settings_fetch_total{result=\"rollback\"} 0");
	assert_line(t, "dockward_settings_fetch_total{result=\"expired\"} 0");
	assert_line(t, "dockward_policy_serial 0");
	assert_line(t, "dockward_policy_expires_timestamp_seconds 0");
	/* No expiry, no seconds to it. */
	assert_no_line_with(t, "dockward_policy_expiry_seconds");
	assert_line(t, "dockward_start_time_seconds 0");
	assert_line(t, "dockward_build_info{version=\"unknown\"} 1");
	/* No decision series before a decision. */
	assert_no_line_with(t, "dockward_decisions_total{");
	free(t);
}

static void
test_render_counts(void **state)
{
	char	*t, line[256];
	time_t	 before = time(NULL);

	api_metrics_started("1.2.3");
	api_metrics_decision(API_METRICS_PLUGIN, true, "allow", 1000);
	api_metrics_decision(API_METRICS_PLUGIN, true, "allow", 1000);
	api_metrics_decision(API_METRICS_PLUGIN, false, "container.privileged", 1000);
	api_metrics_decision(API_METRICS_GATEKEEPER, false, "container.privileged", 1000);
	api_metrics_decision(API_METRICS_GATEKEEPER, false, NULL, 1000);
	api_metrics_verify_cache(true);
	api_metrics_verify_cache(true);
	api_metrics_verify_cache(false);
	api_metrics_registry_request(0);
	api_metrics_registry_request(-ETIMEDOUT);
	api_metrics_registry_request(-ECONNREFUSED);
	api_metrics_registry_request(-ENOENT);
	api_metrics_registry_request(-EACCES);
	api_metrics_registry_request(-ENOMEM);
	api_metrics_gate_conn_open();
	api_metrics_gate_conn_open();
	api_metrics_gate_conn_close();
	api_metrics_upstream_error();
	api_metrics_policy_reload(true);
	api_metrics_policy_reload(false);
	api_metrics_policy_reload(false);
	api_metrics_audit_write_error();
	api_metrics_audit_deferred_errors_set(4);
	api_metrics_settings_fetch_count(API_METRICS_FETCH_NOT_MODIFIED);
	api_metrics_settings_fetch_count(API_METRICS_FETCH_BAD_SIGNATURE);
	api_metrics_settings_fetch_count(API_METRICS_NFETCH);	/* ignored */
	api_metrics_settings_fetch_count(API_METRICS_FETCH_ROLLBACK);
	api_metrics_settings_fetch_count(API_METRICS_FETCH_ROLLBACK);
	api_metrics_settings_fetch_count(API_METRICS_FETCH_EXPIRED);
	api_metrics_policy_meta_set(42, (int64_t)before - 7200, 604800);
	t = api_metrics_render(NULL);
	assert_non_null(t);
	assert_line(t, "dockward_decisions_total{door=\"plugin\",verdict=\"allow\",rule=\"allow\"} 2");
	assert_line(t, "dockward_decisions_total{door=\"plugin\",verdict=\"deny\",rule=\"container.privileged\"} 1");
	assert_line(t, "dockward_decisions_total{door=\"gatekeeper\",verdict=\"deny\",rule=\"container.privileged\"} 1");
	assert_line(t, "dockward_decisions_total{door=\"gatekeeper\",verdict=\"deny\",rule=\"unknown\"} 1");
	assert_no_line_with(t, "door=\"gatekeeper\",verdict=\"allow\"");
	assert_line(t, "dockward_verify_cache_hits_total 2");
	assert_line(t, "dockward_verify_cache_misses_total 1");
	assert_line(t, "dockward_registry_requests_total{result=\"ok\"} 1");
	assert_line(t, "dockward_registry_requests_total{result=\"error\"} 5");
	assert_line(t, "dockward_registry_errors_total{kind=\"timeout\"} 1");
	assert_line(t, "dockward_registry_errors_total{kind=\"connect\"} 1");
	assert_line(t, "dockward_registry_errors_total{kind=\"not_found\"} 1");
	assert_line(t, "dockward_registry_errors_total{kind=\"auth\"} 1");
	assert_line(t, "dockward_registry_errors_total{kind=\"other\"} 1");
	assert_line(t, "dockward_registry_errors_total{kind=\"io\"} 0");
	assert_line(t, "dockward_gatekeeper_connections 1");
	assert_line(t, "dockward_gatekeeper_connections_total 2");
	assert_line(t, "dockward_upstream_errors_total 1");
	assert_line(t, "dockward_policy_reloads_total{result=\"ok\"} 1");
	assert_line(t, "dockward_policy_reloads_total{result=\"failed\"} 2");
	assert_line(t, "dockward_audit_write_errors_total 5");
	assert_line(t, "dockward_settings_fetch_total{result=\"not_modified\"} 1");
	assert_line(t, "dockward_settings_fetch_total{result=\"bad_signature\"} 1");
	assert_line(t, "dockward_settings_fetch_total{result=\"ok\"} 0");
	assert_line(t, "dockward_settings_fetch_total{result=\"rollback\"} 2");
	assert_line(t, "dockward_settings_fetch_total{result=\"expired\"} 1");
	assert_line(t, "dockward_policy_serial 42");
	snprintf(line, sizeof(line), "dockward_policy_expires_timestamp_seconds %lld",
	    (long long)before - 7200);
	assert_line(t, line);
	/* Expired two hours ago: negative (a second may pass). */
	assert_non_null(strstr(t, "# TYPE dockward_policy_expiry_seconds gauge\n"));
	assert_non_null(strstr(t, "\ndockward_policy_expiry_seconds -720"));
	assert_line(t, "dockward_policy_expiry_warning_seconds 604800");
	assert_line(t, "dockward_build_info{version=\"1.2.3\"} 1");
	assert_no_line_with(t, "dockward_settings_last_success_timestamp_seconds 0\n");
	assert_no_line_with(t, "dockward_policy_loaded_timestamp_seconds 0\n");
	/* Timestamps are now (a second may pass). */
	snprintf(line, sizeof(line), "dockward_start_time_seconds %lld", (long long)before);
	if (strstr(t, line) == NULL) {
		snprintf(line, sizeof(line), "dockward_start_time_seconds %lld",
		    (long long)before + 1);
		assert_line(t, line);
	}
	free(t);
}

static void
test_render_egress(void **state)
{
	char	*t;

	t = api_metrics_render(NULL);
	assert_non_null(t);
	assert_line(t, "# TYPE dockward_egress_connections_total counter");
	assert_line(t, "dockward_egress_connections_total{action=\"refuse\"} 0");
	assert_line(t, "# TYPE dockward_egress_connections gauge");
	assert_line(t, "dockward_egress_connections 0");
	assert_line(t, "dockward_egress_pac_fetch_total{result=\"invalid\"} 0");
	free(t);
	api_metrics_egress_connection(API_METRICS_EGRESS_DIRECT);
	api_metrics_egress_connection(API_METRICS_EGRESS_REFUSE);
	api_metrics_egress_connection(API_METRICS_EGRESS_REFUSE);
	api_metrics_egress_connection(API_METRICS_NEGRESS);	/* ignored */
	api_metrics_egress_open_set(7);
	api_metrics_egress_pac_eval(true);
	api_metrics_egress_pac_eval(false);
	api_metrics_egress_table_reapplied();
	api_metrics_egress_pac_fetch(API_METRICS_PAC_NOT_MODIFIED);
	api_metrics_egress_pac_fetch(API_METRICS_PAC_ERROR);
	api_metrics_egress_pac_fetch(API_METRICS_PAC_ERROR);
	api_metrics_egress_pac_fetch(API_METRICS_NPAC_FETCH);	/* ignored */
	t = api_metrics_render(NULL);
	assert_non_null(t);
	assert_line(t, "dockward_egress_connections_total{action=\"direct\"} 1");
	assert_line(t, "dockward_egress_connections_total{action=\"proxy\"} 0");
	assert_line(t, "dockward_egress_connections_total{action=\"refuse\"} 2");
	assert_line(t, "dockward_egress_connections_total{action=\"error\"} 0");
	assert_line(t, "dockward_egress_connections 7");
	assert_line(t, "dockward_egress_pac_evaluations_total 2");
	assert_line(t, "dockward_egress_pac_errors_total 1");
	assert_line(t, "dockward_egress_table_reapplied_total 1");
	assert_line(t, "dockward_egress_pac_fetch_total{result=\"ok\"} 0");
	assert_line(t, "dockward_egress_pac_fetch_total{result=\"not_modified\"} 1");
	assert_line(t, "dockward_egress_pac_fetch_total{result=\"error\"} 2");
	free(t);
}

static void
test_label_escape(void **state)
{
	char	out[64], small[5];
	char	*t;

	assert_int_equal(api_metrics_label_escape("a\"b\\c\nd", out, sizeof(out)), 10);
	assert_string_equal(out, "a\\\"b\\\\c\\nd");
	assert_int_equal(api_metrics_label_escape("plain.rule", out, sizeof(out)), 10);
	assert_string_equal(out, "plain.rule");
	/* Cut, still terminated, the needed length reported. */
	assert_int_equal(api_metrics_label_escape("\"\"\"", small, sizeof(small)), 6);
	assert_string_equal(small, "\\\"\\\"");
	/* A rule id with odd characters renders escaped. */
	api_metrics_decision(API_METRICS_PLUGIN, false, "we\"ird\\rule\nx", 5);
	t = api_metrics_render(NULL);
	assert_line(t, "dockward_decisions_total{door=\"plugin\",verdict=\"deny\","
	    "rule=\"we\\\"ird\\\\rule\\nx\"} 1");
	free(t);
}

/* The bucket line for door and le in t. */
static unsigned long long
bucket_of(const char *t, const char *door, const char *le)
{
	char		 key[128];
	const char	*p;

	snprintf(key, sizeof(key),
	    "dockward_decision_duration_seconds_bucket{door=\"%s\",le=\"%s\"} ", door, le);
	p = strstr(t, key);
	if (p == NULL)
		fail_msg("no %s", key);
	return strtoull(p + strlen(key), NULL, 10);
}

static void
test_histogram(void **state)
{
	char	*t;

	/* A value on a bound belongs to that bucket (le = less or equal). */
	api_metrics_decision(API_METRICS_PLUGIN, true, "allow", 0);
	api_metrics_decision(API_METRICS_PLUGIN, true, "allow", 10000);		/* 10µs */
	api_metrics_decision(API_METRICS_PLUGIN, true, "allow", 10001);
	api_metrics_decision(API_METRICS_PLUGIN, true, "allow", 999999);	/* < 1ms */
	api_metrics_decision(API_METRICS_PLUGIN, true, "allow", 1000000000);	/* 1s */
	api_metrics_decision(API_METRICS_PLUGIN, true, "allow", 5000000000ULL);	/* 5s */
	t = api_metrics_render(NULL);
	assert_int_equal(bucket_of(t, "plugin", "1e-05"), 2);
	assert_int_equal(bucket_of(t, "plugin", "2.5e-05"), 3);
	assert_int_equal(bucket_of(t, "plugin", "0.0005"), 3);
	assert_int_equal(bucket_of(t, "plugin", "0.001"), 4);
	assert_int_equal(bucket_of(t, "plugin", "0.5"), 4);
	assert_int_equal(bucket_of(t, "plugin", "1"), 5);
	assert_int_equal(bucket_of(t, "plugin", "+Inf"), 6);
	assert_int_equal(bucket_of(t, "gatekeeper", "+Inf"), 0);
	assert_line(t, "dockward_decision_duration_seconds_count{door=\"plugin\"} 6");
	/* 0 + 10000 + 10001 + 999999 + 1e9 + 5e9 ns */
	assert_line(t, "dockward_decision_duration_seconds_sum{door=\"plugin\"} 6.001020000");
	assert_line(t, "dockward_decision_duration_seconds_sum{door=\"gatekeeper\"} 0.000000000");
	/* 16 bounds and +Inf per door, in increasing order. */
	assert_non_null(strstr(t, "le=\"1e-05\"} 2\ndockward_decision_duration_seconds_bucket"
	    "{door=\"plugin\",le=\"2.5e-05\"}"));
	free(t);
}

static void
test_rule_overflow(void **state)
{
	char	 name[32], *t;
	int	 i;

	for (i = 0; i < API_METRICS_RULES_MAX + 44; i++) {
		snprintf(name, sizeof(name), "rule.%d", i);
		api_metrics_decision(API_METRICS_GATEKEEPER, false, name, 1);
		api_metrics_decision(API_METRICS_GATEKEEPER, false, name, 1);
	}
	t = api_metrics_render(NULL);
	/* The first 256 ids have their own series; the rest count as "other". */
	assert_line(t, "dockward_decisions_total{door=\"gatekeeper\",verdict=\"deny\",rule=\"rule.0\"} 2");
	assert_line(t, "dockward_decisions_total{door=\"gatekeeper\",verdict=\"deny\",rule=\"rule.255\"} 2");
	assert_no_line_with(t, "rule=\"rule.256\"");
	assert_line(t, "dockward_decisions_total{door=\"gatekeeper\",verdict=\"deny\",rule=\"other\"} 88");
	free(t);
	/* A long id is cut to the stored length and still counted in one series. */
	api_metrics_reset();
	{
		char	longid[200];

		memset(longid, 'r', sizeof(longid) - 1);
		longid[sizeof(longid) - 1] = '\0';
		api_metrics_decision(API_METRICS_PLUGIN, false, longid, 1);
		api_metrics_decision(API_METRICS_PLUGIN, false, longid, 1);
		t = api_metrics_render(NULL);
		assert_non_null(strstr(t, "rrrrr\"} 2\n"));
		free(t);
	}
}

#define NTHREADS	4
#define PER_THREAD	50000

static void *
hammer(void *arg)
{
	static const char *const rules[] = { "allow", "container.privileged",
	    "mount.socket", "container.namespaces", "a.b", "c.d", "e.f", "g.h" };
	long	id = (long)arg;
	int	i;

	for (i = 0; i < PER_THREAD; i++) {
		api_metrics_decision((enum api_metrics_door)((i + id) & 1),
		    (i & 7) == 0, rules[i & 7], (uint64_t)(i % 3) * 20000);
		api_metrics_verify_cache(i & 1);
		if ((i & 1023) == 0) {
			api_metrics_gate_conn_open();
			api_metrics_gate_conn_close();
		}
	}
	return NULL;
}

/* Lock-free counters lose nothing under threads; a scrape during the load is coherent. */
static void
test_concurrency(void **state)
{
	pthread_t		 th[NTHREADS];
	unsigned long long	 total = 0, v;
	const char		*p;
	char			*t;
	long			 i;

	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hammer, (void *)i), 0);
	for (i = 0; i < 20; i++) {
		t = api_metrics_render(NULL);
		assert_non_null(t);
		free(t);
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	t = api_metrics_render(NULL);
	for (p = t; (p = strstr(p, "\ndockward_decisions_total{")) != NULL; p++) {
		const char *sp = strchr(p + 1, ' ');

		v = strtoull(sp + 1, NULL, 10);
		total += v;
	}
	assert_int_equal(total, (unsigned long long)NTHREADS * PER_THREAD);
	/* Each rule: NTHREADS * PER_THREAD / 8 in all, split over doors. */
	v = 0;
	for (p = t; (p = strstr(p, "rule=\"mount.socket\"} ")) != NULL; p++)
		v += strtoull(p + strlen("rule=\"mount.socket\"} "), NULL, 10);
	assert_int_equal(v, (unsigned long long)NTHREADS * PER_THREAD / 8);
	assert_int_equal(bucket_of(t, "plugin", "+Inf") + bucket_of(t, "gatekeeper", "+Inf"),
	    (unsigned long long)NTHREADS * PER_THREAD);
	/* i % 3 == 0 took 0 ns: a third (rounded) is in the first bucket. */
	assert_true(bucket_of(t, "plugin", "1e-05") + bucket_of(t, "gatekeeper", "1e-05") ==
	    (unsigned long long)NTHREADS * ((PER_THREAD + 2) / 3));
	assert_line(t, "dockward_verify_cache_hits_total 100000");
	assert_line(t, "dockward_verify_cache_misses_total 100000");
	assert_line(t, "dockward_gatekeeper_connections 0");
	assert_line(t, "dockward_gatekeeper_connections_total 196");
	free(t);
}

static int	collected;

static void
collect(void *ctx)
{
	collected++;
	api_metrics_audit_deferred_errors_set(*(uint64_t *)ctx);
}

static void
test_collector(void **state)
{
	uint64_t	n = 7;
	char		*t;

	api_metrics_collector_set(collect, &n);
	t = api_metrics_render(NULL);
	assert_int_equal(collected, 1);
	assert_line(t, "dockward_audit_write_errors_total 7");
	free(t);
	api_metrics_collector_set(NULL, NULL);
}

static void
test_addr_parse(void **state)
{
	static const char *const bad[] = { "", "0.0.0.0:9100", "10.0.0.1:9100",
	    "localhost:9100", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0",
	    "127.0.0.1:65536", "127.0.0.1:09", "127.0.0.1:91x", "[::]:9100",
	    "[::1]", "::1:9100", "relative/path.sock", "127.0.0.2:9100",
	    "127.0.0.1:-1", "127.0.0.1: 9" };
	struct api_metrics_addr	a;
	struct dw_err		err;
	char			url[128];
	size_t			i;

	assert_int_equal(api_metrics_http_addr_parse("/run/dockward/metrics.sock", &a, &err), 0);
	assert_int_equal(a.kind, API_METRICS_UNIX);
	assert_string_equal(a.path, "/run/dockward/metrics.sock");
	api_metrics_http_addr_url(&a, url, sizeof(url));
	assert_string_equal(url, "http://localhost/metrics");
	assert_int_equal(api_metrics_http_addr_parse("127.0.0.1:9323", &a, &err), 0);
	assert_int_equal(a.kind, API_METRICS_TCP4);
	assert_int_equal(a.port, 9323);
	api_metrics_http_addr_url(&a, url, sizeof(url));
	assert_string_equal(url, "http://127.0.0.1:9323/metrics");
	assert_int_equal(api_metrics_http_addr_parse("[::1]:65535", &a, &err), 0);
	assert_int_equal(a.kind, API_METRICS_TCP6);
	assert_int_equal(a.port, 65535);
	api_metrics_http_addr_url(&a, url, sizeof(url));
	assert_string_equal(url, "http://[::1]:65535/metrics");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		if (api_metrics_http_addr_parse(bad[i], &a, &err) != -EINVAL)
			fail_msg("accepted --metrics \"%s\"", bad[i]);
		assert_non_null(strstr(err.msg, "127.0.0.1:PORT or [::1]:PORT"));
	}
}

struct body {
	char	buf[65536];
	size_t	len;
};

static size_t
body_write(char *p, size_t sz, size_t n, void *ud)
{
	struct body	*b = ud;

	if (b->len + sz * n >= sizeof(b->buf))
		return 0;
	memcpy(b->buf + b->len, p, sz * n);
	b->len += sz * n;
	b->buf[b->len] = '\0';
	return sz * n;
}

/* GET url over sock (NULL: TCP); the HTTP status, body in b. */
static long
http_get(const char *sock, const char *url, struct body *b, char *ctype, size_t ctsz)
{
	CURL	*h = curl_easy_init();
	long	 status = 0;
	char	*ct = NULL;

	b->len = 0;
	b->buf[0] = '\0';
	if (sock != NULL)
		curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, sock);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(h) == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
		if (ctype != NULL)
			snprintf(ctype, ctsz, "%s", ct ? ct : "");
	}
	curl_easy_cleanup(h);
	return status;
}

static void
test_http_unix(void **state)
{
	char			 dir[] = "/tmp/dw-metrics-XXXXXX", sock[128], ct[128];
	struct api_metrics_http	*h;
	struct dw_err		 err;
	struct body		*b = malloc(sizeof(*b));
	struct stat		 st;

	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/sub/metrics.sock", dir);
	api_metrics_started("9.9.9");
	api_metrics_decision(API_METRICS_PLUGIN, false, "container.privileged", 30000);
	h = api_metrics_http_start(sock, &err);
	if (h == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(stat(sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(http_get(sock, "http://localhost/metrics", b, ct, sizeof(ct)), 200);
	assert_string_equal(ct, "text/plain; version=0.0.4; charset=utf-8");
	assert_line(b->buf, "dockward_build_info{version=\"9.9.9\"} 1");
	assert_line(b->buf, "dockward_decisions_total{door=\"plugin\",verdict=\"deny\","
	    "rule=\"container.privileged\"} 1");
	assert_int_equal(http_get(sock, "http://localhost/other", b, NULL, 0), 404);
	api_metrics_http_stop(h);
	/* The socket is gone after stop. */
	assert_int_equal(stat(sock, &st), -1);
	/* A path that is not a socket is never replaced. */
	snprintf(sock, sizeof(sock), "%s/file", dir);
	fclose(fopen(sock, "w"));
	assert_null(api_metrics_http_start(sock, &err));
	assert_non_null(strstr(err.msg, "not a socket"));
	unlink(sock);
	snprintf(sock, sizeof(sock), "%s/sub", dir);
	rmdir(sock);
	rmdir(dir);
	/* Not loopback: refused before anything is bound. */
	assert_null(api_metrics_http_start("0.0.0.0:9", &err));
	assert_non_null(strstr(err.msg, "on this host only"));
	free(b);
}

/* A loopback port nothing listens on right now. */
static unsigned
free_port(void)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	socklen_t		len = sizeof(sin);
	int			fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

static void
test_http_tcp(void **state)
{
	struct api_metrics_http	*h;
	struct dw_err		 err;
	struct body		*b = malloc(sizeof(*b));
	char			 addr[64], url[128];
	unsigned		 port = free_port();

	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	h = api_metrics_http_start(addr, &err);
	if (h == NULL)
		fail_msg("%s", err.msg);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/metrics", port);
	assert_int_equal(http_get(NULL, url, b, NULL, 0), 200);
	assert_line(b->buf, "dockward_upstream_errors_total 0");
	/* The port is taken now: a second server says so. */
	assert_null(api_metrics_http_start(addr, &err));
	assert_non_null(strstr(err.msg, "cannot listen"));
	api_metrics_http_stop(h);
	free(b);
}

static const char canned[] =
    "# HELP dockward_decisions_total Policy decisions.\n"
    "# TYPE dockward_decisions_total counter\n"
    "dockward_decisions_total{door=\"plugin\",verdict=\"allow\",rule=\"allow\"} 90\n"
    "dockward_decisions_total{door=\"plugin\",verdict=\"deny\",rule=\"container.privileged\"} 6\n"
    "dockward_decisions_total{door=\"plugin\",verdict=\"deny\",rule=\"mount.socket\"} 4\n"
    "dockward_decisions_total{door=\"gatekeeper\",verdict=\"allow\",rule=\"allow\"} 7\n"
    "dockward_decisions_total{door=\"gatekeeper\",verdict=\"deny\",rule=\"mount.socket\"} 3\n"
    "dockward_decisions_total{door=\"gatekeeper\",verdict=\"deny\",rule=\"odd\\\"rule\"} 1\n"
    "dockward_decision_duration_seconds_bucket{door=\"plugin\",le=\"1e-05\"} 50\n"
    "dockward_decision_duration_seconds_bucket{door=\"plugin\",le=\"2.5e-05\"} 80\n"
    "dockward_decision_duration_seconds_bucket{door=\"plugin\",le=\"5e-05\"} 95\n"
    "dockward_decision_duration_seconds_bucket{door=\"plugin\",le=\"0.0001\"} 99\n"
    "dockward_decision_duration_seconds_bucket{door=\"plugin\",le=\"0.0025\"} 100\n"
    "dockward_decision_duration_seconds_bucket{door=\"plugin\",le=\"1\"} 100\n"
    "dockward_decision_duration_seconds_bucket{door=\"plugin\",le=\"+Inf\"} 100\n"
    "dockward_decision_duration_seconds_sum{door=\"plugin\"} 0.002\n"
    "dockward_decision_duration_seconds_count{door=\"plugin\"} 100\n"
    "dockward_decision_duration_seconds_bucket{door=\"gatekeeper\",le=\"0.5\"} 0\n"
    "dockward_decision_duration_seconds_bucket{door=\"gatekeeper\",le=\"1\"} 9\n"
    "dockward_decision_duration_seconds_bucket{door=\"gatekeeper\",le=\"+Inf\"} 11\n"
    "dockward_decision_duration_seconds_count{door=\"gatekeeper\"} 11\n"
    "dockward_verify_cache_hits_total 30\n"
    "dockward_verify_cache_misses_total 10\n"
    "dockward_registry_requests_total{result=\"ok\"} 12\n"
    "dockward_registry_requests_total{result=\"error\"} 3\n"
    "dockward_registry_errors_total{kind=\"timeout\"} 2\n"
    "dockward_registry_errors_total{kind=\"connect\"} 0\n"
    "dockward_registry_errors_total{kind=\"not_found\"} 1\n"
    "dockward_gatekeeper_connections 2\n"
    "dockward_gatekeeper_connections_total 17\n"
    "dockward_upstream_errors_total 5\n"
    "dockward_policy_reloads_total{result=\"ok\"} 4\n"
    "dockward_policy_reloads_total{result=\"failed\"} 1\n"
    "dockward_policy_loaded_timestamp_seconds 1700000000\n"
    "dockward_audit_write_errors_total 0\n"
    "dockward_start_time_seconds 1699996399\n"
    "dockward_build_info{version=\"0.1.0\"} 1\n";

/* out's text must contain want. */
static void
assert_has(const char *out, const char *want)
{
	if (strstr(out, want) == NULL)
		fail_msg("no \"%s\" in:\n%s", want, out);
}

static char *
summarize(const char *text, time_t now, int *r)
{
	char	*buf = NULL;
	size_t	 n = 0;
	FILE	*f = open_memstream(&buf, &n);

	*r = cli_status_summarize(text, now, f);
	fclose(f);
	return buf;
}

static void
test_status_summary(void **state)
{
	char	*out;
	int	 r;

	out = summarize(canned, 1700000061, &r);
	assert_int_equal(r, 0);
	assert_has(out, "dockward 0.1.0, up 1h 1m 2s (since 2023-11-14T21:13:19Z)\n");
	assert_has(out, "policy:       loaded 2023-11-14T22:13:20Z (1m 1s ago); reloads 4 ok, 1 failed\n");
	assert_has(out, "  plugin      90 allowed, 10 denied\n");
	assert_has(out, "  gatekeeper  7 allowed, 4 denied\n");
	/* Summed over doors, most first; ties by name. */
	assert_has(out, "top deny rules:\n"
	    "         7  mount.socket\n"
	    "         6  container.privileged\n"
	    "         1  odd\"rule\n");
	/* 50 of 100 at 10µs, 95 at 50µs, 99 at 100µs. */
	assert_has(out, "  plugin      p50 ≤ 10µs, p90 ≤ 50µs, p99 ≤ 100µs (100 decisions)\n");
	/* 9 of 11 within 1s: p50 ≤ 1s, p90 and p99 past the last bound. */
	assert_has(out, "  gatekeeper  p50 ≤ 1s, p90 > 1s, p99 > 1s (11 decisions)\n");
	assert_has(out, "verify cache: 30 hits, 10 misses (75.0% hit ratio)\n");
	assert_has(out, "registry:     15 requests, 3 errors (timeout 2, not_found 1)\n");
	assert_has(out, "gatekeeper:   2 connections open, 17 total\n");
	assert_has(out, "engine:       5 upstream errors\n");
	free(out);

	/* Not dockward's metrics. */
	out = summarize("# HELP go_goroutines x\ngo_goroutines 7\n", 0, &r);
	assert_int_equal(r, -EINVAL);
	free(out);
	out = summarize("", 0, &r);
	assert_int_equal(r, -EINVAL);
	free(out);
}

/* What this process renders, summarized: the two modules agree on names. */
static void
test_status_roundtrip(void **state)
{
	char	*t, *out;
	int	 r, i;

	api_metrics_started("4.5.6");
	for (i = 0; i < 10; i++)
		api_metrics_decision(API_METRICS_PLUGIN, i < 7, i < 7 ? "allow" :
		    "container.privileged", 40000);
	api_metrics_decision(API_METRICS_GATEKEEPER, false, "gatekeeper.caller", 2000000);
	api_metrics_verify_cache(true);
	api_metrics_registry_request(-EPROTO);
	api_metrics_gate_conn_open();
	t = api_metrics_render(NULL);
	out = summarize(t, time(NULL), &r);
	assert_int_equal(r, 0);
	assert_has(out, "dockward 4.5.6, up ");
	assert_has(out, "  plugin      7 allowed, 3 denied\n");
	assert_has(out, "  gatekeeper  0 allowed, 1 denied\n");
	assert_has(out, "         3  container.privileged\n");
	assert_has(out, "         1  gatekeeper.caller\n");
	assert_has(out, "  plugin      p50 ≤ 50µs, p90 ≤ 50µs, p99 ≤ 50µs (10 decisions)\n");
	assert_has(out, "  gatekeeper  p50 ≤ 2.5ms, p90 ≤ 2.5ms, p99 ≤ 2.5ms (1 decisions)\n");
	assert_has(out, "verify cache: 1 hits, 0 misses (100.0% hit ratio)\n");
	assert_has(out, "registry:     1 requests, 1 errors (protocol 1)\n");
	assert_has(out, "gatekeeper:   1 connections open, 1 total\n");
	/* No dockward.policy, no fleet: no lines about them. */
	assert_null(strstr(out, "policy serial"));
	assert_null(strstr(out, "fleet:"));
	free(out);
	free(t);

	/* Serial 7, expiring in 2 days with a 7-day window; two replays refused. */
	api_metrics_policy_meta_set(7, (int64_t)time(NULL) + 2 * 86400 + 30, 7 * 86400);
	api_metrics_settings_fetch_count(API_METRICS_FETCH_ROLLBACK);
	api_metrics_settings_fetch_count(API_METRICS_FETCH_ROLLBACK);
	t = api_metrics_render(NULL);
	out = summarize(t, time(NULL), &r);
	assert_int_equal(r, 0);
	assert_has(out, "policy serial: 7, expires ");
	assert_has(out, " (in 2d 0h 0m); WARNING: expires soon, publish a newer signed one\n");
	assert_has(out, "fleet:        refused 2 signed policies as rollbacks, 0 as expired");
	free(out);
	free(t);

	/* Expired an hour ago. */
	api_metrics_policy_meta_set(7, (int64_t)time(NULL) - 3600, 7 * 86400);
	t = api_metrics_render(NULL);
	out = summarize(t, time(NULL), &r);
	assert_has(out, "policy serial: 7, EXPIRED ");
	assert_has(out, "ago): still enforced as the last good policy");
	assert_has(out, " (1h 0m ");
	free(out);
	free(t);
}

/* Audit-only mode: would-deny counted per rule, and `status` shows the top ones. */
static void
test_would_deny(void **state)
{
	char	*t, *out;
	int	 r;

	(void)state;
	api_metrics_started("4.5.6");
	t = api_metrics_render(NULL);
	assert_line(t, "# TYPE dockward_would_deny_total counter");
	assert_no_line_with(t, "dockward_would_deny_total{");
	assert_line(t, "dockward_policy_audit_rules 0");
	out = summarize(t, time(NULL), &r);
	assert_int_equal(r, 0);
	assert_null(strstr(out, "AUDIT MODE"));
	assert_null(strstr(out, "would-deny"));
	free(out);
	free(t);

	api_metrics_policy_audit_rules_set(3);
	api_metrics_decision(API_METRICS_PLUGIN, true, "container.privileged", 1000);
	api_metrics_would_deny(API_METRICS_PLUGIN, "container.privileged");
	api_metrics_decision(API_METRICS_GATEKEEPER, true, "container.privileged", 1000);
	api_metrics_would_deny(API_METRICS_GATEKEEPER, "container.privileged");
	api_metrics_decision(API_METRICS_PLUGIN, true, "mount.protectedPath", 1000);
	api_metrics_would_deny(API_METRICS_PLUGIN, "mount.protectedPath");
	api_metrics_decision(API_METRICS_PLUGIN, false, "mount.dockerSocket", 1000);
	t = api_metrics_render(NULL);
	assert_line(t, "dockward_would_deny_total{door=\"plugin\",rule=\"container.privileged\"} 1");
	assert_line(t, "dockward_would_deny_total{door=\"gatekeeper\",rule=\"container.privileged\"} 1");
	assert_line(t, "dockward_would_deny_total{door=\"plugin\",rule=\"mount.protectedPath\"} 1");
	assert_no_line_with(t, "dockward_would_deny_total{door=\"plugin\",rule=\"mount.dockerSocket\"}");
	/* The decision itself is an allow under its rule. */
	assert_line(t, "dockward_decisions_total{door=\"plugin\",verdict=\"allow\",rule=\"container.privileged\"} 1");
	assert_line(t, "dockward_policy_audit_rules 3");
	out = summarize(t, time(NULL), &r);
	assert_int_equal(r, 0);
	assert_has(out, "AUDIT MODE:   3 rules are not enforced");
	assert_has(out, "top would-deny rules (audit mode, allowed):\n"
	    "         2  container.privileged\n"
	    "         1  mount.protectedPath\n");
	assert_has(out, "top deny rules:\n"
	    "         1  mount.dockerSocket\n");
	free(out);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_render_empty, setup),
		cmocka_unit_test_setup(test_render_counts, setup),
		cmocka_unit_test_setup(test_render_egress, setup),
		cmocka_unit_test_setup(test_label_escape, setup),
		cmocka_unit_test_setup(test_histogram, setup),
		cmocka_unit_test_setup(test_rule_overflow, setup),
		cmocka_unit_test_setup(test_concurrency, setup),
		cmocka_unit_test_setup(test_collector, setup),
		cmocka_unit_test_setup(test_addr_parse, setup),
		cmocka_unit_test_setup(test_http_unix, setup),
		cmocka_unit_test_setup(test_http_tcp, setup),
		cmocka_unit_test_setup(test_status_summary, setup),
		cmocka_unit_test_setup(test_status_roundtrip, setup),
		cmocka_unit_test_setup(test_would_deny, setup),
	};

	int	r;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return r;
}
