/*
 * egress_decide: one connection's answer.  Proves the claimed name (it
 * must resolve to the original destination, else the decision is made on
 * the IP), then asks the PAC worker or the static policy, through a cache
 * keyed by (name, IP, port) with a TTL.  Thread-safe.
 */
#ifndef EGRESS_DECIDE_H
#define EGRESS_DECIDE_H

#include <stdbool.h>

#include "common/dw_err.h"
#include "egress/egress_answer.h"
#include "egress/egress_policy.h"

#define EGRESS_CACHE_MAX	4096	/* cached decisions */
#define EGRESS_CACHE_TTL_S	30	/* a cached decision's life */

struct egress_decider;

/*
 * Resolve name to its addresses (getaddrinfo by default; tests inject).
 * Returns the count written to out (<= max) or -errno.
 */
typedef int (*egress_resolve_fn)(void *ctx, const char *name,
	    struct egress_addr *out, size_t max);

/*
 * Evaluate the PAC for t (egress_worker_eval has this shape; tests
 * inject).  0 with out filled, or -errno with err (then REFUSE).  raw
 * (rawsz bytes, EGRESS_ANSWER_MAX fits any; NULL: not wanted) gets the
 * PAC's own result string, also when it did not parse, so that the audit
 * shows the PAC's words; "" when the PAC gave no string (a timeout, a
 * script error, a result that is no string).
 */
typedef int (*egress_eval_fn)(void *ctx, const struct egress_target *t,
	    struct egress_answer *out, char *raw, size_t rawsz, struct dw_err *err);

/*
 * New decider over policy (borrowed: must outlive it).  eval NULL: the
 * static policy when policy->pac_url is NULL, else every answer is REFUSE
 * with the reason "PAC unavailable" (a PAC that could not be fetched or
 * compiled: fail closed).  resolve NULL: getaddrinfo.  Returns NULL on ENOMEM.
 */
struct egress_decider *egress_decider_new(const struct egress_policy *policy,
	    egress_eval_fn eval, void *eval_ctx, egress_resolve_fn resolve, void *resolve_ctx);
void	egress_decider_free(struct egress_decider *d);

/* What egress_decider_decide did, for the audit record. */
struct egress_decide_info {
	bool	cached;
	bool	name_rejected;		/* t->claimed did not resolve to t->ip: decided on the IP */
	bool	pac;			/* the PAC was asked (or its cached answer used) */
	/* The PAC's result string as it gave it, cached or not ("" without PAC or string). */
	char	pac_answer[EGRESS_ANSWER_MAX];
	char	error[DW_ERR_MAX];	/* why REFUSE when it was not the policy's word ("" otherwise) */
};

/*
 * Decide for t (t->claimed/t->source as peeked; this fills t->name and may
 * reset t->source to EGRESS_NAME_IP).  Always fills out (REFUSE on any
 * failure: fail closed) and returns 0, or -errno when the refusal is an
 * error rather than the policy.  A port outside transparentPorts is
 * DIRECT without a name.  A claimed name that is an IP literal counts as
 * no name; one that is no DNS name or does not resolve to t->ip is
 * rejected (info->name_rejected) and the decision is made on the IP.  The
 * cache key is (claimed name, IP, port), so the name's proof is cached
 * with the answer; errors (PAC unavailable or failing, a resolver error)
 * are never cached.  The implementation is egress_decider.c.
 */
int	egress_decider_decide(struct egress_decider *d, struct egress_target *t,
	    struct egress_answer *out, struct egress_decide_info *info);
/* Drop every cached decision (on reload). */
void	egress_decider_flush(struct egress_decider *d);

/*
 * The cache's clock in seconds (CLOCK_MONOTONIC by default; tests inject
 * one to expire entries).  Call before the decider is shared.
 */
void	egress_decider_set_clock(struct egress_decider *d, long long (*now)(void *ctx),
	    void *ctx);
/* Decisions now cached. */
size_t	egress_decider_cached(struct egress_decider *d);

#endif
