/*
 * api_metrics: the daemon's Prometheus counters (docs/observability.md
 * lists the series).  One process-wide registry: the recording functions
 * below are lock-free (relaxed atomic adds on fixed storage, no allocation)
 * and may be called from any thread, on the decision path too.  The text
 * rendering (exposition format 0.0.4) allocates; it runs per scrape only.
 * Counters start at zero when the process starts (Prometheus handles the
 * reset); api_metrics_reset() exists for tests.
 */
#ifndef API_METRICS_H
#define API_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum api_metrics_door {
	API_METRICS_PLUGIN = 0,		/* door="plugin" */
	API_METRICS_GATEKEEPER,		/* door="gatekeeper" */
	API_METRICS_NDOORS
};

/* Histogram upper bounds of dockward_decision_duration_seconds, in ns (+Inf after). */
#define API_METRICS_NBUCKETS	16
extern const uint64_t api_metrics_bucket_ns[API_METRICS_NBUCKETS];

/* Distinct rule ids counted on their own; more go to rule="other". */
#define API_METRICS_RULES_MAX	256
#define API_METRICS_RULE_LEN	64	/* longer ids are cut (never happens with ours) */

/*
 * One audited decision: door, verdict, its rule id (d->rule; NULL counts
 * as "unknown") and how long it took to decide, in nanoseconds.
 */
void	api_metrics_decision(enum api_metrics_door door, bool allow,
	    const char *rule, uint64_t ns);

/*
 * A denial audit-only mode let through (d->would_deny, authz_enforce.h),
 * counted besides its decision: dockward_would_deny_total{door,rule}.
 */
void	api_metrics_would_deny(enum api_metrics_door door, const char *rule);
/* Rule ids the policy in force puts in audit-only mode (0: enforce all). */
void	api_metrics_policy_audit_rules_set(int64_t n);

/* api_verify: a registry answer looked up for a decision, found fresh in the cache or not. */
void	api_metrics_verify_cache(bool hit);
/* One registry resolve: 0, or the -errno registry_client_resolve returned (its kind is counted). */
void	api_metrics_registry_request(int r);
/* Gatekeeper client connections: one accepted, one closed. */
void	api_metrics_gate_conn_open(void);
void	api_metrics_gate_conn_close(void);
/* The engine socket could not be reached or broke mid-exchange. */
void	api_metrics_upstream_error(void);
/* A policy (re)load: ok also sets the loaded-at timestamp (first load counts as no reload). */
void	api_metrics_policy_loaded(void);
void	api_metrics_policy_reload(bool ok);
/* An audit record could not be written to the audit log. */
void	api_metrics_audit_write_error(void);
/* Plus n records that failed in the background (a total kept elsewhere, set by a collector). */
void	api_metrics_audit_deferred_errors_set(uint64_t n);
/* When serving started; version goes into dockward_build_info. */
void	api_metrics_started(const char *version);

/*
 * Fleet policy fetches (--settings-url): the hook for that slice.  Each
 * fetch counts once under its result; OK and NOT_MODIFIED also set
 * dockward_settings_last_success_timestamp_seconds to now.
 */
enum api_metrics_fetch {
	API_METRICS_FETCH_OK = 0,		/* result="ok": a new policy fetched and applied */
	API_METRICS_FETCH_NOT_MODIFIED,		/* result="not_modified": 304 for our ETag */
	API_METRICS_FETCH_ERROR,		/* result="error": network, TLS, HTTP status */
	API_METRICS_FETCH_BAD_SIGNATURE,	/* result="bad_signature" */
	API_METRICS_FETCH_INVALID,		/* result="invalid": signed but refused as a policy */
	API_METRICS_FETCH_ROLLBACK,		/* result="rollback": signed, but its serial is not above the one held */
	API_METRICS_FETCH_EXPIRED,		/* result="expired": signed, but past its dockward.policy.expires */
	API_METRICS_NFETCH
};
void	api_metrics_settings_fetch_count(enum api_metrics_fetch result);
/*
 * Or set the totals kept by the fleet module itself (from a collector):
 * counts per result, and the last success (Unix time, 0 for none).
 */
void	api_metrics_settings_fetch_set(const uint64_t counts[API_METRICS_NFETCH],
	    int64_t last_success);

/*
 * The dockward.policy block of the policy in force: its serial (0: none),
 * its expiry (Unix time, 0: none) and how long before it dockward warns
 * (seconds), rendered as dockward_policy_serial,
 * dockward_policy_expires_timestamp_seconds and, when it has an expiry,
 * dockward_policy_expiry_seconds (seconds left at the scrape, 0 or
 * less once expired) and dockward_policy_expiry_warning_seconds.
 */
void	api_metrics_policy_meta_set(int64_t serial, int64_t expires, int64_t warn_s);

/*
 * Air-gapped containers (api_egress.h): one proxied connection ended with
 * this action; connections open now (set by a collector); PAC evaluations
 * (ok false: an error, timeout or kill, then the connection was refused);
 * the nft table re-applied after it disappeared; one PAC download by result.
 */
enum api_metrics_egress_action {
	API_METRICS_EGRESS_DIRECT = 0,		/* action="direct" */
	API_METRICS_EGRESS_PROXY,		/* action="proxy": HTTP CONNECT */
	API_METRICS_EGRESS_SOCKS5,		/* action="socks5" */
	API_METRICS_EGRESS_REFUSE,		/* action="refuse": the policy's word */
	API_METRICS_EGRESS_ERROR,		/* action="error": refused on a failure */
	API_METRICS_NEGRESS
};
enum api_metrics_pac_fetch {
	API_METRICS_PAC_OK = 0,			/* result="ok": a new script in use */
	API_METRICS_PAC_NOT_MODIFIED,		/* result="not_modified": 304 for our ETag */
	API_METRICS_PAC_ERROR,			/* result="error": network, TLS, HTTP status, size */
	API_METRICS_PAC_INVALID,		/* result="invalid": downloaded, does not compile */
	API_METRICS_NPAC_FETCH
};
void	api_metrics_egress_connection(enum api_metrics_egress_action action);
void	api_metrics_egress_open_set(int64_t n);
void	api_metrics_egress_pac_eval(bool ok);
void	api_metrics_egress_table_reapplied(void);
void	api_metrics_egress_pac_fetch(enum api_metrics_pac_fetch result);

/*
 * Called (if set) at the start of every rendering, to refresh values kept
 * elsewhere.  NULL to unset.
 */
void	api_metrics_collector_set(void (*fn)(void *ctx), void *ctx);

/*
 * The whole registry in Prometheus text format 0.0.4: a NUL-terminated
 * malloc'd string (length in *len when len is not NULL), or NULL on ENOMEM.
 */
char	*api_metrics_render(size_t *len);

/* Zero everything (tests). */
void	api_metrics_reset(void);

/*
 * Write s as a Prometheus label value (backslash, double quote and newline
 * escaped) into out (size outsz, always terminated; cut if too small).
 * Returns the length it needed.
 */
size_t	api_metrics_label_escape(const char *s, char *out, size_t outsz);

#endif
