/*
 * cli_doctor_egress: the air-gapped containers checks of `dockward
 * doctor`, run when the policy sets containersProxy:
 *   egress.policy    containersProxy and dockward.egress parse (FAIL: serve
 *                    refuses the policy), and what they ask for
 *   egress.table     dockward's nftables table (inet dockward) is loaded
 *                    (FAIL when missing; WARN when the ruleset cannot be
 *                    read: it needs root)
 *   egress.proxy     a listener on the proxy's port, read from
 *                    /proc/net/tcp and tcp6 (connecting from the host
 *                    cannot work: the table drops what was not redirected),
 *                    and that it is dockward's
 *   egress.pac       the PAC is fetched and compiles in a PAC worker
 *                    (skipped with --no-network)
 *   egress.buildkit  the policy lets BuildKit through and a dockerd lets
 *                    its RUN --network=host steps use the host's network,
 *                    which no table sees (WARN; check says the same)
 * Everything that leaves the process goes through ops, so unit tests run
 * these on fixtures; what is wrong on the host is a finding, never an
 * error.
 */
#ifndef CLI_DOCTOR_EGRESS_H
#define CLI_DOCTOR_EGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli_doctor_report.h"
#include "authz/authz_settings.h"
#include "common/dw_err.h"
#include "egress/egress_policy.h"

#define CLI_DOCTOR_EGRESS_FDS_MAX	4096	/* fds of one process looked at for the proxy's socket */

struct cli_doctor_egress_ops {
	void	*ctx;
	/* egress_nft_present: 1 loaded, 0 missing, -errno with err. */
	int	(*nft_present)(void *ctx, struct dw_err *err);
	/* p's PAC: 0 and a new NUL-terminated script, or -errno with err. */
	int	(*pac_fetch)(void *ctx, const struct egress_policy *p, char **ret,
		    size_t *ret_len, struct dw_err *err);
	/* Start a PAC worker on script and stop it: 0 when it compiles, or -errno with err. */
	int	(*pac_compile)(void *ctx, const char *script, size_t len,
		    struct dw_err *err);
};

extern const struct cli_doctor_egress_ops cli_doctor_egress_ops_default;

/* What the egress checks look at; strings are borrowed. */
struct cli_doctor_egress_opts {
	const char	*proc;		/* the proc file system: net/tcp, net/tcp6, PID/fd, PID/comm */
	const char	*resolv_conf;	/* NULL: the host's (only for the summary) */
	bool		 no_network;	/* egress.pac skipped */
	const struct cli_doctor_egress_ops *ops;	/* NULL: the default */
};

/*
 * The egress checks for s (NULL or without containersProxy: none, 0).
 * buildkit_host: a dockerd lets BuildKit use the host network.  0 or
 * -ENOMEM.
 */
int	cli_doctor_egress_probe(const struct cli_doctor_egress_opts *o,
	    const struct authz_settings *s, bool buildkit_host,
	    struct cli_doctor_report *rep);

#endif
