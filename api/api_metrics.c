/* api_metrics: lock-free counters and their Prometheus text rendering. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_metrics.h"

/* Relaxed: counters need atomicity, not ordering with other memory. */
#define ADD(p, n)	__atomic_add_fetch((p), (n), __ATOMIC_RELAXED)
#define LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)

const uint64_t api_metrics_bucket_ns[API_METRICS_NBUCKETS] = {
	10000, 25000, 50000, 100000, 250000, 500000,		/* 10µs .. 500µs */
	1000000, 2500000, 5000000, 10000000, 25000000, 50000000, /* 1ms .. 50ms */
	100000000, 250000000, 500000000, 1000000000,		/* 100ms .. 1s */
};

static const char *const door_names[API_METRICS_NDOORS] = { "plugin", "gatekeeper" };
static const char *const fetch_names[API_METRICS_NFETCH] = {
	"ok", "not_modified", "error", "bad_signature", "invalid", "rollback", "expired",
};
static const char *const egress_names[API_METRICS_NEGRESS] = {
	"direct", "proxy", "socks5", "refuse", "error",
};
static const char *const pac_fetch_names[API_METRICS_NPAC_FETCH] = {
	"ok", "not_modified", "error", "invalid",
};

/* registry_client_resolve's -errno, by kind (see registry_client.h). */
enum reg_kind { REG_TIMEOUT, REG_CONNECT, REG_IO, REG_AUTH, REG_NOT_FOUND,
	REG_PROTOCOL, REG_TOO_LARGE, REG_OTHER, REG_NKINDS };
static const char *const reg_kind_names[REG_NKINDS] = {
	"timeout", "connect", "io", "auth", "not_found", "protocol", "too_large", "other",
};

/*
 * One rule id's counters.  state: 0 empty, 1 being claimed (name being
 * written), 2 ready.  A slot, once ready, keeps its name for good.
 */
struct rule_slot {
	int		state;
	char		name[API_METRICS_RULE_LEN];
	uint64_t	n[API_METRICS_NDOORS][2];	/* [door][allow] */
	uint64_t	wd[API_METRICS_NDOORS];		/* would-deny, by door */
};

struct metrics {
	struct rule_slot	rules[API_METRICS_RULES_MAX];
	uint64_t		other[API_METRICS_NDOORS][2];	/* the table was full */
	uint64_t		other_wd[API_METRICS_NDOORS];
	int64_t			audit_rules;
	uint64_t		bucket[API_METRICS_NDOORS][API_METRICS_NBUCKETS + 1];
	uint64_t		sum_ns[API_METRICS_NDOORS];
	uint64_t		cache_hits, cache_misses;
	uint64_t		reg_ok, reg_err[REG_NKINDS];
	int64_t			gate_open;
	uint64_t		gate_total;
	uint64_t		upstream_errors;
	uint64_t		reloads_ok, reloads_failed;
	int64_t			policy_loaded_s;
	uint64_t		audit_errors;
	uint64_t		audit_deferred_errors;
	int64_t			start_s;
	uint64_t		fetch[API_METRICS_NFETCH];
	int64_t			fetch_success_s;
	int64_t			policy_serial;
	int64_t			policy_expires_s;
	int64_t			policy_warn_s;
	uint64_t		egress[API_METRICS_NEGRESS];
	int64_t			egress_open;
	uint64_t		pac_evals, pac_errors;
	uint64_t		table_reapplied;
	uint64_t		pac_fetch[API_METRICS_NPAC_FETCH];
};

static struct metrics	m;
static char		build_version[64] = "unknown";
static void		(*collector)(void *);
static void		*collector_ctx;

/* FNV-1a: rule ids are short; this is a few ns per decision. */
static uint32_t
rule_hash(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Names are stored cut to API_METRICS_RULE_LEN - 1 bytes; compare as stored. */
static bool
rule_is(const struct rule_slot *rs, const char *rule)
{
	return strncmp(rs->name, rule, sizeof(rs->name) - 1) == 0;
}

/* The slot counting rule, claimed on first use; NULL when the table is full. */
static struct rule_slot *
rule_slot(const char *rule)
{
	struct rule_slot	*rs;
	uint32_t		 h = rule_hash(rule);
	size_t			 i;
	int			 st, empty;

	for (i = 0; i < API_METRICS_RULES_MAX; i++) {
		rs = &m.rules[(h + i) % API_METRICS_RULES_MAX];
		st = __atomic_load_n(&rs->state, __ATOMIC_ACQUIRE);
		if (st == 0) {
			empty = 0;
			if (__atomic_compare_exchange_n(&rs->state, &empty, 1, false,
			    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				snprintf(rs->name, sizeof(rs->name), "%s", rule);
				__atomic_store_n(&rs->state, 2, __ATOMIC_RELEASE);
				return rs;
			}
			st = empty;
		}
		/* Another thread is writing this slot's name: it takes nanoseconds. */
		while (st == 1) {
			sched_yield();
			st = __atomic_load_n(&rs->state, __ATOMIC_ACQUIRE);
		}
		if (rule_is(rs, rule))
			return rs;
	}
	return NULL;
}

void
api_metrics_decision(enum api_metrics_door door, bool allow, const char *rule,
    uint64_t ns)
{
	struct rule_slot	*rs;
	size_t			 b;

	if ((unsigned)door >= API_METRICS_NDOORS)
		return;
	if ((rs = rule_slot(rule != NULL && rule[0] != '\0' ? rule : "unknown")) != NULL)
		ADD(&rs->n[door][allow], 1);
	else
		ADD(&m.other[door][allow], 1);
	for (b = 0; b < API_METRICS_NBUCKETS && ns > api_metrics_bucket_ns[b]; b++)
		;
	ADD(&m.bucket[door][b], 1);
	ADD(&m.sum_ns[door], ns);
}

void
api_metrics_would_deny(enum api_metrics_door door, const char *rule)
{
	struct rule_slot	*rs;

	if ((unsigned)door >= API_METRICS_NDOORS)
		return;
	if ((rs = rule_slot(rule != NULL && rule[0] != '\0' ? rule : "unknown")) != NULL)
		ADD(&rs->wd[door], 1);
	else
		ADD(&m.other_wd[door], 1);
}

void
api_metrics_policy_audit_rules_set(int64_t n)
{
	STORE(&m.audit_rules, n);
}

void
api_metrics_verify_cache(bool hit)
{
	ADD(hit ? &m.cache_hits : &m.cache_misses, 1);
}

void
api_metrics_registry_request(int r)
{
	enum reg_kind	k;

	if (r == 0) {
		ADD(&m.reg_ok, 1);
		return;
	}
	switch (-r) {
	case ETIMEDOUT: k = REG_TIMEOUT; break;
	case ECONNREFUSED: k = REG_CONNECT; break;
	case EIO: k = REG_IO; break;
	case EACCES: case EPERM: k = REG_AUTH; break;
	case ENOENT: k = REG_NOT_FOUND; break;
	case EPROTO: k = REG_PROTOCOL; break;
	case E2BIG: k = REG_TOO_LARGE; break;
	default: k = REG_OTHER; break;
	}
	ADD(&m.reg_err[k], 1);
}

void
api_metrics_gate_conn_open(void)
{
	ADD(&m.gate_open, 1);
	ADD(&m.gate_total, 1);
}

void
api_metrics_gate_conn_close(void)
{
	ADD(&m.gate_open, -1);
}

void
api_metrics_upstream_error(void)
{
	ADD(&m.upstream_errors, 1);
}

void
api_metrics_policy_loaded(void)
{
	STORE(&m.policy_loaded_s, (int64_t)time(NULL));
}

void
api_metrics_policy_reload(bool ok)
{
	ADD(ok ? &m.reloads_ok : &m.reloads_failed, 1);
	if (ok)
		api_metrics_policy_loaded();
}

void
api_metrics_audit_write_error(void)
{
	ADD(&m.audit_errors, 1);
}

void
api_metrics_audit_deferred_errors_set(uint64_t n)
{
	STORE(&m.audit_deferred_errors, n);
}

void
api_metrics_started(const char *version)
{
	STORE(&m.start_s, (int64_t)time(NULL));
	snprintf(build_version, sizeof(build_version), "%s", version ? version : "unknown");
}

void
api_metrics_settings_fetch_count(enum api_metrics_fetch result)
{
	if ((unsigned)result >= API_METRICS_NFETCH)
		return;
	ADD(&m.fetch[result], 1);
	if (result == API_METRICS_FETCH_OK || result == API_METRICS_FETCH_NOT_MODIFIED)
		STORE(&m.fetch_success_s, (int64_t)time(NULL));
}

void
api_metrics_settings_fetch_set(const uint64_t counts[API_METRICS_NFETCH],
    int64_t last_success)
{
	unsigned	k;

	for (k = 0; k < API_METRICS_NFETCH; k++)
		STORE(&m.fetch[k], counts[k]);
	STORE(&m.fetch_success_s, last_success);
}

void
api_metrics_policy_meta_set(int64_t serial, int64_t expires, int64_t warn_s)
{
	STORE(&m.policy_serial, serial);
	STORE(&m.policy_expires_s, expires);
	STORE(&m.policy_warn_s, warn_s);
}

void
api_metrics_egress_connection(enum api_metrics_egress_action action)
{
	if ((unsigned)action < API_METRICS_NEGRESS)
		ADD(&m.egress[action], 1);
}

void
api_metrics_egress_open_set(int64_t n)
{
	STORE(&m.egress_open, n);
}

void
api_metrics_egress_pac_eval(bool ok)
{
	ADD(&m.pac_evals, 1);
	if (!ok)
		ADD(&m.pac_errors, 1);
}

void
api_metrics_egress_table_reapplied(void)
{
	ADD(&m.table_reapplied, 1);
}

void
api_metrics_egress_pac_fetch(enum api_metrics_pac_fetch result)
{
	if ((unsigned)result < API_METRICS_NPAC_FETCH)
		ADD(&m.pac_fetch[result], 1);
}

void
api_metrics_collector_set(void (*fn)(void *ctx), void *ctx)
{
	collector = fn;
	collector_ctx = ctx;
}

void
api_metrics_reset(void)
{
	memset(&m, 0, sizeof(m));
	snprintf(build_version, sizeof(build_version), "unknown");
	collector = NULL;
	collector_ctx = NULL;
}

size_t
api_metrics_label_escape(const char *s, char *out, size_t outsz)
{
	size_t		 n = 0;
	const char	*rep;
	char		 one[2] = { 0, 0 };

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\': rep = "\\\\"; break;
		case '"': rep = "\\\""; break;
		case '\n': rep = "\\n"; break;
		default: one[0] = *s; rep = one; break;
		}
		for (; *rep != '\0'; rep++, n++)
			if (n + 1 < outsz)
				out[n] = *rep;
	}
	if (outsz > 0)
		out[n < outsz ? n : outsz - 1] = '\0';
	return n;
}

static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A bucket bound in seconds as Prometheus writes it ("1e-05" style is legal; we write decimals). */
static void
bound_str(uint64_t ns, char *out, size_t outsz)
{
	snprintf(out, outsz, "%.6g", (double)ns / 1e9);
}

static void
render_decisions(FILE *f)
{
	char		 esc[API_METRICS_RULE_LEN * 2 + 1];
	uint64_t	 v;
	size_t		 i;
	int		 d, a;

	family(f, "dockward_decisions_total", "counter",
	    "Policy decisions by front door, verdict and rule id.");
	for (i = 0; i < API_METRICS_RULES_MAX; i++) {
		const struct rule_slot *rs = &m.rules[i];

		if (__atomic_load_n(&rs->state, __ATOMIC_ACQUIRE) != 2)
			continue;
		api_metrics_label_escape(rs->name, esc, sizeof(esc));
		for (d = 0; d < API_METRICS_NDOORS; d++)
			for (a = 1; a >= 0; a--)
				if ((v = LOAD(&rs->n[d][a])) != 0)
					fprintf(f, "dockward_decisions_total{door=\"%s\","
					    "verdict=\"%s\",rule=\"%s\"} %llu\n",
					    door_names[d], a ? "allow" : "deny", esc,
					    (unsigned long long)v);
	}
	for (d = 0; d < API_METRICS_NDOORS; d++)
		for (a = 1; a >= 0; a--)
			if ((v = LOAD(&m.other[d][a])) != 0)
				fprintf(f, "dockward_decisions_total{door=\"%s\","
				    "verdict=\"%s\",rule=\"other\"} %llu\n",
				    door_names[d], a ? "allow" : "deny",
				    (unsigned long long)v);
}

/* Audit-only mode: the denials let through, by door and rule id. */
static void
render_would_deny(FILE *f)
{
	char		 esc[API_METRICS_RULE_LEN * 2 + 1];
	uint64_t	 v;
	size_t		 i;
	int		 d;

	family(f, "dockward_would_deny_total", "counter",
	    "Denials audit-only mode let through (wouldDeny), by front door and rule id.");
	for (i = 0; i < API_METRICS_RULES_MAX; i++) {
		const struct rule_slot *rs = &m.rules[i];

		if (__atomic_load_n(&rs->state, __ATOMIC_ACQUIRE) != 2)
			continue;
		api_metrics_label_escape(rs->name, esc, sizeof(esc));
		for (d = 0; d < API_METRICS_NDOORS; d++)
			if ((v = LOAD(&rs->wd[d])) != 0)
				fprintf(f, "dockward_would_deny_total{door=\"%s\","
				    "rule=\"%s\"} %llu\n", door_names[d], esc,
				    (unsigned long long)v);
	}
	for (d = 0; d < API_METRICS_NDOORS; d++)
		if ((v = LOAD(&m.other_wd[d])) != 0)
			fprintf(f, "dockward_would_deny_total{door=\"%s\","
			    "rule=\"other\"} %llu\n", door_names[d],
			    (unsigned long long)v);
}

static void
render_histogram(FILE *f)
{
	char		 le[32];
	uint64_t	 cum;
	size_t		 b;
	int		 d;

	family(f, "dockward_decision_duration_seconds", "histogram",
	    "Time to decide a request (routing, body decoding, policy, lookups).");
	for (d = 0; d < API_METRICS_NDOORS; d++) {
		cum = 0;
		for (b = 0; b <= API_METRICS_NBUCKETS; b++) {
			cum += LOAD(&m.bucket[d][b]);
			if (b < API_METRICS_NBUCKETS)
				bound_str(api_metrics_bucket_ns[b], le, sizeof(le));
			else
				snprintf(le, sizeof(le), "+Inf");
			fprintf(f, "dockward_decision_duration_seconds_bucket{door=\"%s\","
			    "le=\"%s\"} %llu\n", door_names[d], le, (unsigned long long)cum);
		}
		/* _count is the +Inf bucket, so the two always agree in one scrape. */
		fprintf(f, "dockward_decision_duration_seconds_sum{door=\"%s\"} %.9f\n",
		    door_names[d], (double)LOAD(&m.sum_ns[d]) / 1e9);
		fprintf(f, "dockward_decision_duration_seconds_count{door=\"%s\"} %llu\n",
		    door_names[d], (unsigned long long)cum);
	}
}

static void
counter(FILE *f, const char *name, const char *help, uint64_t v)
{
	family(f, name, "counter", help);
	fprintf(f, "%s %llu\n", name, (unsigned long long)v);
}

static void
gauge(FILE *f, const char *name, const char *help, int64_t v)
{
	family(f, name, "gauge", help);
	fprintf(f, "%s %lld\n", name, (long long)v);
}

/* One counter family with a label over fixed names. */
static void
labelled(FILE *f, const char *name, const char *help, const char *label,
    const char *const *names, const uint64_t *v, size_t n)
{
	size_t	k;

	family(f, name, "counter", help);
	for (k = 0; k < n; k++)
		fprintf(f, "%s{%s=\"%s\"} %llu\n", name, label, names[k],
		    (unsigned long long)LOAD(&v[k]));
}

static void
render_egress(FILE *f)
{
	labelled(f, "dockward_egress_connections_total", "Container connections "
	    "through the egress proxy, by action.", "action", egress_names,
	    m.egress, API_METRICS_NEGRESS);
	gauge(f, "dockward_egress_connections",
	    "Container connections open through the egress proxy now.",
	    LOAD(&m.egress_open));
	counter(f, "dockward_egress_pac_evaluations_total",
	    "FindProxyForURL evaluations in the PAC worker.", LOAD(&m.pac_evals));
	counter(f, "dockward_egress_pac_errors_total", "PAC evaluations that "
	    "failed (script error, timeout, killed worker): connection refused.",
	    LOAD(&m.pac_errors));
	counter(f, "dockward_egress_table_reapplied_total", "Times the nft table "
	    "inet dockward was found missing and applied again.",
	    LOAD(&m.table_reapplied));
	labelled(f, "dockward_egress_pac_fetch_total", "PAC downloads, by result.",
	    "result", pac_fetch_names, m.pac_fetch, API_METRICS_NPAC_FETCH);
}

char *
api_metrics_render(size_t *len)
{
	FILE		*f;
	char		*buf = NULL, esc[sizeof(build_version) * 2];
	size_t		 n = 0, k;
	uint64_t	 err_total = 0;

	if (collector != NULL)
		collector(collector_ctx);
	if ((f = open_memstream(&buf, &n)) == NULL)
		return NULL;
	render_decisions(f);
	render_would_deny(f);
	render_histogram(f);
	counter(f, "dockward_verify_cache_hits_total",
	    "Registry answers a decision found fresh in the verifier's cache.",
	    LOAD(&m.cache_hits));
	counter(f, "dockward_verify_cache_misses_total",
	    "Registry answers a decision had to fetch (or wait for).",
	    LOAD(&m.cache_misses));
	family(f, "dockward_registry_requests_total", "counter",
	    "Registry resolves (manifest lookups), by result.");
	for (k = 0; k < REG_NKINDS; k++)
		err_total += LOAD(&m.reg_err[k]);
	fprintf(f, "dockward_registry_requests_total{result=\"ok\"} %llu\n",
	    (unsigned long long)LOAD(&m.reg_ok));
	fprintf(f, "dockward_registry_requests_total{result=\"error\"} %llu\n",
	    (unsigned long long)err_total);
	family(f, "dockward_registry_errors_total", "counter",
	    "Failed registry resolves, by kind.");
	for (k = 0; k < REG_NKINDS; k++)
		fprintf(f, "dockward_registry_errors_total{kind=\"%s\"} %llu\n",
		    reg_kind_names[k], (unsigned long long)LOAD(&m.reg_err[k]));
	gauge(f, "dockward_gatekeeper_connections",
	    "Gatekeeper client connections open now.", LOAD(&m.gate_open));
	counter(f, "dockward_gatekeeper_connections_total",
	    "Gatekeeper client connections accepted.", LOAD(&m.gate_total));
	counter(f, "dockward_upstream_errors_total",
	    "Engine socket connect or I/O failures.", LOAD(&m.upstream_errors));
	family(f, "dockward_policy_reloads_total", "counter",
	    "Policy reloads (SIGHUP), by result.");
	fprintf(f, "dockward_policy_reloads_total{result=\"ok\"} %llu\n",
	    (unsigned long long)LOAD(&m.reloads_ok));
	fprintf(f, "dockward_policy_reloads_total{result=\"failed\"} %llu\n",
	    (unsigned long long)LOAD(&m.reloads_failed));
	gauge(f, "dockward_policy_loaded_timestamp_seconds",
	    "When the policy in force was loaded (Unix time).", LOAD(&m.policy_loaded_s));
	gauge(f, "dockward_policy_audit_rules",
	    "Rule ids the policy in force puts in audit-only mode (0: all enforced).",
	    LOAD(&m.audit_rules));
	counter(f, "dockward_audit_write_errors_total",
	    "Audit records that could not be written to the audit log.",
	    LOAD(&m.audit_errors) + LOAD(&m.audit_deferred_errors));
	family(f, "dockward_settings_fetch_total", "counter",
	    "Fleet policy fetches (--settings-url), by result.");
	for (k = 0; k < API_METRICS_NFETCH; k++)
		fprintf(f, "dockward_settings_fetch_total{result=\"%s\"} %llu\n",
		    fetch_names[k], (unsigned long long)LOAD(&m.fetch[k]));
	gauge(f, "dockward_settings_last_success_timestamp_seconds",
	    "Last successful fleet policy fetch (Unix time), 0 when none.",
	    LOAD(&m.fetch_success_s));
	gauge(f, "dockward_policy_serial",
	    "dockward.policy.serial of the policy in force, 0 when it has none.",
	    LOAD(&m.policy_serial));
	gauge(f, "dockward_policy_expires_timestamp_seconds",
	    "dockward.policy.expires of the policy in force (Unix time), 0 when none.",
	    LOAD(&m.policy_expires_s));
	if (LOAD(&m.policy_expires_s) != 0) {
		gauge(f, "dockward_policy_expiry_seconds",
		    "Seconds until the policy in force expires; 0 or less once it has.",
		    LOAD(&m.policy_expires_s) - (int64_t)time(NULL));
		gauge(f, "dockward_policy_expiry_warning_seconds",
		    "dockward warns when dockward_policy_expiry_seconds is below this.",
		    LOAD(&m.policy_warn_s));
	}
	render_egress(f);
	gauge(f, "dockward_start_time_seconds", "When dockward started (Unix time).",
	    LOAD(&m.start_s));
	family(f, "dockward_build_info", "gauge", "dockward's version.");
	api_metrics_label_escape(build_version, esc, sizeof(esc));
	fprintf(f, "dockward_build_info{version=\"%s\"} 1\n", esc);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	if (len != NULL)
		*len = n;
	return buf;
}
