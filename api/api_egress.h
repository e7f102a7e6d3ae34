/*
 * api_egress: air-gapped containers in the daemon (containersProxy,
 * DESIGN.md §11).  From each policy it parses the egress blocks (a bad one
 * fails the load or reload like any bad policy), then keeps in force: the
 * nft table inet dockward (re-applied within API_EGRESS_NFT_CHECK_MS when
 * someone removes it), the transparent proxy on the policy's port, the
 * PAC (api_egress_pac.h) and the decider over both, swapped whole on a
 * reload while decisions in flight finish on the old one.  Every proxied
 * connection is named after its container (api_egress_who.h) and written
 * to the audit log as one JSON line; PAC changes and table re-applies too.
 *
 * Life cycle in `dockward serve`: api_egress_new; api_egress_update with
 * the first policy (stored); api_egress_boot before the sandbox (the
 * capabilities to keep); api_egress_start once the audit log and the
 * engine client exist; api_egress_update on every reload; api_egress_free
 * at exit, which LEAVES the table when the feature is on: the redirect to
 * a port nobody serves refuses, so a stopped dockward fails closed.
 */
#ifndef API_EGRESS_H
#define API_EGRESS_H

#include <stdint.h>

#include "api/api_egress_who.h"
#include "api/api_egress_pac.h"
#include "api/api_engine.h"
#include "authz/authz_audit.h"
#include "authz/authz_settings.h"
#include "common/dw_err.h"
#include "egress/egress_policy.h"
#include "egress/egress_proxy.h"

#define API_EGRESS_NFT_CHECK_MS		1000	/* the table watcher's period */
#define API_EGRESS_RECORDS_MAX		4096	/* closed connections waiting for their audit line */
#define API_EGRESS_PORT_MIN		1024	/* the proxy binds after the sandbox: no privileged port */

struct api_egress;

/* Nothing running, no policy.  NULL on ENOMEM. */
struct api_egress *api_egress_new(void);

/*
 * The egress policy of s (a new one in *ret, NULL when containersProxy is
 * absent): mode "system" filled from the environment, the default
 * resolvers from resolv_conf (NULL: DW_PATH_RESOLV_CONF, falling back
 * to systemd-resolved's when it names only loopback ones) when dnsServers
 * was not written, and the allowed resolvers handed to s for its --dns
 * rule.  0, or -EINVAL with err naming the setting and the fix.
 */
int	api_egress_policy(struct authz_settings *s, const char *resolv_conf,
	    struct egress_policy **ret, struct dw_err *err);

/*
 * The host's resolvers into p when dnsServers was not written, as dockerd
 * picks them: those of resolv_conf, or when it is NULL of
 * DW_PATH_RESOLV_CONF, and then of systemd-resolved's
 * DW_PATH_RESOLV_CONF_RESOLVED when that one names only loopback
 * resolvers or cannot be read.  *ret_path (borrowed: resolv_conf or a
 * constant) is the file read last, written on failure too so the caller
 * can name it.  0 (p->ndns may still be 0), or -errno with err when that
 * file could not be read.
 */
int	api_egress_default_dns(struct egress_policy *p, const char *resolv_conf,
	    const char **ret_path, struct dw_err *err);

/*
 * Put p (taken; NULL: the feature off) in force.  Before api_egress_start
 * it is only kept.  After: the PAC is downloaded when its URL changed (and
 * refreshed at once when not), a new decider built, the proxy moved when
 * the port changed, the table applied; then the whole swaps in.  On
 * failure (-errno with err) the old state stays in force.  Turning the
 * feature off removes the table and stops the proxy.
 */
int	api_egress_update(struct api_egress *eg, struct egress_policy *p,
	    struct dw_err *err);

/*
 * Before the sandbox: with the feature off, remove a table a previous run
 * left.  Returns the capabilities serving needs besides the sandbox's own
 * (1 << CAP_NET_ADMIN when the feature is on, else 0).
 */
uint64_t api_egress_boot(struct api_egress *eg);

struct api_egress_opts {
	struct api_engine	*engine;	/* borrowed: container lists for the records */
	struct authz_audit	*audit;		/* borrowed: the records */
};

/* Start what the stored policy asks for, and the threads.  0 or -errno with err. */
int	api_egress_start(struct api_egress *eg, const struct api_egress_opts *o,
	    struct dw_err *err);

/* Refresh the metrics kept elsewhere (open connections); at each scrape. */
void	api_egress_collect(struct api_egress *eg);

/* Stop everything (the table stays when the feature is on, said in the log) and free.  NULL is a no-op. */
void	api_egress_free(struct api_egress *eg);

/* One connection's audit line (no newline): a new string, or NULL on ENOMEM. */
char	*api_egress_format_conn(const struct egress_conn_record *rec,
	    const struct api_egress_who_id *who);
/* One PAC change's audit line. */
char	*api_egress_format_pac(const struct api_egress_pac_event *ev);
/* One table event's audit line: action "reapplied", "reapply_failed"... error "" none. */
char	*api_egress_format_table(const char *action, const char *error);

#endif
