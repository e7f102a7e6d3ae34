/*
 * cli_egress: what the one-shot commands (check, explain --egress,
 * doctor) share about air-gapped containers: the policy's
 * containersProxy and dockward.egress blocks turned into an egress
 * policy as `dockward serve` uses it, and the PAC fetched and started in
 * a worker as serve does, so a command can evaluate it.
 */
#ifndef CLI_EGRESS_H
#define CLI_EGRESS_H

#include <stddef.h>

#include "authz/authz_settings.h"
#include "common/dw_err.h"
#include "common/dw_strv.h"
#include "egress/egress_decide.h"
#include "egress/egress_policy.h"
#include "egress/egress_worker.h"

/*
 * The egress policy of s (borrowed), as serve builds it: containersProxy
 * and dockward.egress parsed; mode "system" filled from get (NULL:
 * getenv, this process's environment, which need not be the unit's);
 * without dnsServers, the resolvers of resolv_conf (NULL: the host's,
 * api_egress_default_dns).
 * What differs from serve, or comes from the host rather than the file,
 * is pushed to notes (may be NULL).  0 and a new policy in *ret;
 * -ENOENT when s has no containersProxy (a dockward.egress block alone is
 * still validated: -EINVAL when it is wrong); -EINVAL with err naming the
 * JSON path; -ENOMEM.  Mirrors api_egress_policy, which serve uses.
 */
int	cli_egress_policy(const struct authz_settings *s,
	    const char *(*get)(const char *name), const char *resolv_conf,
	    struct egress_policy **ret, struct dw_strv *notes, struct dw_err *err);

/*
 * Fetch p's PAC (p->pac_url must be set) as serve does: size cap,
 * timeouts, p->ca_file for https.  0 and a new NUL-terminated script in
 * *ret (its length in *ret_len), or -errno with err.  ctx is unused: the
 * shape of the explain and doctor ops' pac_fetch.
 */
int	cli_egress_pac_fetch(void *ctx, const struct egress_policy *p, char **ret,
	    size_t *ret_len, struct dw_err *err);

/*
 * Compile script in a new egress_worker as serve does (ctx unused, the
 * explain ops' pac_start shape): 0 and the worker in *ret_pac, for
 * cli_egress_worker_eval and egress_worker_stop, or -errno with err.
 */
int	cli_egress_worker_start(void *ctx, const char *script, size_t len,
	    void **ret_pac, struct dw_err *err);

/* egress_worker_eval in the decider's shape; ctx is a struct egress_worker. */
int	cli_egress_worker_eval(void *ctx, const struct egress_target *t,
	    struct egress_answer *out, char *raw, size_t rawsz, struct dw_err *err);

#endif
