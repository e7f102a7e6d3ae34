/*
 * egress_worker: the PAC evaluator as a separate process.  A forked child
 * (unprivileged uid, no_new_privs, a seccomp filter that allows only its
 * pipe I/O, memory and exit) compiles the PAC with Duktape (egress_pac.h)
 * and answers one FindProxyForURL per request.  The parent kills it at the
 * hard deadline and respawns it; the answer is then REFUSE.  Thread-safe:
 * evaluations are serialised per worker.
 */
#ifndef EGRESS_WORKER_H
#define EGRESS_WORKER_H

#include <stddef.h>
#include <sys/types.h>

#include "common/dw_err.h"
#include "egress/egress_answer.h"

#define EGRESS_WORKER_KILL_MS	200	/* default hard deadline of one evaluation */

struct egress_worker;

struct egress_worker_opts {
	unsigned	budget_ms;	/* per evaluation, in the interpreter (default 50) */
	unsigned	kill_ms;	/* hard deadline seen by the parent (default 200) */
	size_t		mem_max;	/* the interpreter's heap (default 16 MiB) */
	uid_t		uid;		/* run as (0: nobody's uid, 65534) */
	gid_t		gid;
	struct egress_addr my_ip;	/* myIpAddress() (family 0: 127.0.0.1) */
};

/*
 * Start a worker for script (borrowed; copied to the child).  Fails with
 * err when the script does not compile or has no FindProxyForURL.
 * Returns 0 and a new worker in *out (stop with egress_worker_stop).
 */
int	egress_worker_start(const char *script, size_t len,
	    const struct egress_worker_opts *opts, struct egress_worker **out,
	    struct dw_err *err);
/*
 * FindProxyForURL for t: url is "https://NAME:443" on 443 and
 * "http://NAME:PORT" otherwise (NAME: t->name, or the IP); dnsResolve(NAME)
 * answers t->ip.  The result string is parsed with egress_answer_parse.
 * 0, or -ETIMEDOUT / -EPIPE / -EINVAL (script error, non-string result,
 * a string that does not parse) with err; on any failure *out is one
 * REFUSE.  raw (may be NULL) gets the result string as the PAC gave it,
 * truncated to rawsz, also when it did not parse; "" when there was none
 * (egress_eval_fn's contract).
 */
int	egress_worker_eval(struct egress_worker *w, const struct egress_target *t,
	    struct egress_answer *out, char *raw, size_t rawsz, struct dw_err *err);
/* Evaluations, kills (timeouts, crashes) and respawns since start. */
struct egress_worker_stats {
	unsigned long long	evals, errors, kills, respawns;
};
void	egress_worker_stats(struct egress_worker *w, struct egress_worker_stats *out);
void	egress_worker_stop(struct egress_worker *w);

#endif
