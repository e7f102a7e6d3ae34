/*
 * api_egress_pac: the PAC script in force for containersProxy.pac, its
 * refresh and its grace (dockward-settings(5)).  One download when the
 * policy names the URL, one every pac_refresh_s after, and one every
 * API_EGRESS_PAC_RETRY_S while downloads fail.  A script that downloads
 * and compiles replaces the one in use; a failed refresh keeps the last
 * good script for pac_grace_s (0: not at all), after which every
 * evaluation refuses ("PAC unavailable") until a download works again.
 * With no script yet every evaluation refuses: fail closed.
 *
 * Downloads, evaluators and the clock come through ops, so the state
 * machine runs in tests without network, processes or waiting.  Any
 * thread may evaluate; refresh and tick are serialised inside.
 */
#ifndef API_EGRESS_PAC_H
#define API_EGRESS_PAC_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "common/dw_err.h"
#include "egress/egress_answer.h"
#include "egress/egress_fetch.h"

#define API_EGRESS_PAC_RETRY_S	10	/* between downloads while they fail */

enum api_egress_pac_state {
	API_EGRESS_PAC_NONE = 0,	/* no script yet: refuse */
	API_EGRESS_PAC_OK,		/* the last download is in force */
	API_EGRESS_PAC_GRACE,		/* refresh failing, the last good script kept until the grace ends */
	API_EGRESS_PAC_FAILED,		/* refresh failing past the grace: refuse */
};

/* How one download ended. */
enum api_egress_pac_result {
	API_EGRESS_PAC_FETCHED = 0,	/* a new script, compiled, now in force */
	API_EGRESS_PAC_NOT_MODIFIED,	/* 304 for our ETag: the script in use is current */
	API_EGRESS_PAC_FETCH_ERROR,	/* network, TLS, HTTP status, size */
	API_EGRESS_PAC_INVALID,		/* downloaded, but it does not compile */
	API_EGRESS_PAC_EXPIRED,		/* no download: the grace ran out */
};

/* What changed, for the audit record and the metrics (borrowed for the call). */
struct api_egress_pac_event {
	const char			*url;		/* redacted: no user:password */
	enum api_egress_pac_state	 from, to;
	enum api_egress_pac_result	 result;
	bool				 first;		/* the first download for this URL */
	size_t				 bytes;		/* the new script's size (FETCHED) */
	const char			*etag;		/* the script in use's ETag, "" none */
	const char			*error;		/* "" none */
};

struct api_egress_pac_ops {
	/*
	 * Download url (ca_file: extra CA bundle or NULL; prev: the script in
	 * use's validators for a conditional request, or NULL).  0 with a new
	 * body and its validators, 1 when not modified, -errno with err.
	 */
	int	(*fetch)(void *ctx, const char *url, const char *ca_file,
		    const struct egress_fetch_validators *prev, char **ret_body,
		    size_t *ret_len, struct egress_fetch_validators *ret_val,
		    struct dw_err *err);
	/* Start an evaluator for script: 0 and *ret, -errno with err (does not compile). */
	int	(*start)(void *ctx, const char *script, size_t len, void **ret,
		    struct dw_err *err);
	/* egress_worker_eval's contract (raw too) on an evaluator from start. */
	int	(*eval)(void *ctx, void *evaluator, const struct egress_target *t,
		    struct egress_answer *out, char *raw, size_t rawsz, struct dw_err *err);
	void	(*stop)(void *ctx, void *evaluator);
	/* Seconds on a clock that never goes back (CLOCK_MONOTONIC). */
	time_t	(*now)(void *ctx);
	/* After every download and at the end of a grace; may be NULL. */
	void	(*event)(void *ctx, const struct api_egress_pac_event *ev);
	void	*ctx;
};

struct api_egress_pac;

/*
 * A PAC for url (borrowed strings are copied; ops borrowed, must outlive
 * it), with no script yet: call api_egress_pac_refresh.  One reference;
 * NULL on ENOMEM.
 */
struct api_egress_pac *api_egress_pac_new(const char *url, const char *ca_file,
	    unsigned refresh_s, unsigned grace_s, const struct api_egress_pac_ops *ops);
/* One more reference (a decider that evaluates through it). */
struct api_egress_pac *api_egress_pac_hold(struct api_egress_pac *p);
/* Drop one reference; the last one stops the evaluator.  NULL is a no-op. */
void	api_egress_pac_free(struct api_egress_pac *p);
/* True when p downloads url with ca_file (both may be NULL). */
bool	api_egress_pac_same(const struct api_egress_pac *p, const char *url,
	    const char *ca_file);
/* New periods from a reloaded policy (same URL). */
void	api_egress_pac_times(struct api_egress_pac *p, unsigned refresh_s,
	    unsigned grace_s);
/* Download now, whatever is due (start, reload), and return the state after. */
enum api_egress_pac_state api_egress_pac_refresh(struct api_egress_pac *p);
/*
 * Do what is due now: end a grace, download when a refresh or retry is
 * due.  Returns when the next tick is due, on ops->now's clock.
 */
time_t	api_egress_pac_tick(struct api_egress_pac *p);
enum api_egress_pac_state api_egress_pac_state(struct api_egress_pac *p);
/* "none", "ok", "grace", "failed". */
const char *api_egress_pac_state_name(enum api_egress_pac_state s);
/* "ok", "not_modified", "error", "invalid", "expired". */
const char *api_egress_pac_result_name(enum api_egress_pac_result r);

/*
 * egress_eval_fn for egress_decider_new (ctx: a struct api_egress_pac).
 * With a script in force (OK, GRACE): its answer and its words in raw.
 * Without: one REFUSE, raw "" (no PAC spoke) and the last failure's
 * -errno with err "PAC unavailable: ...".
 */
int	api_egress_pac_eval(void *ctx, const struct egress_target *t,
	    struct egress_answer *out, char *raw, size_t rawsz, struct dw_err *err);

/* url without its user:password@ (for logs and audit), into buf; returns buf. */
const char *api_egress_pac_redact(const char *url, char *buf, size_t sz);

#endif
