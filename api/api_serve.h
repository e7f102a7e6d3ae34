/*
 * api_serve: `dockward serve`: load the policy, open the audit log, serve
 * the authorization plugin and/or the socket gatekeeper (one policy, two
 * front doors; plugin_socket "none" serves the gatekeeper only), reload on SIGHUP (keeping the last good policy
 * when the new one is bad; with a fleet URL, SIGHUP fetches at once), reopen the audit log on SIGHUP/SIGUSR1, exit
 * cleanly on SIGTERM/SIGINT.
 */
#ifndef API_SERVE_H
#define API_SERVE_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"

struct api_serve_opts {
	const char	*settings_path;		/* NULL with settings_url */
	const char	*settings_url;		/* fleet policy (api_fleet.h), or NULL */
	const char	*settings_pubkey;	/* its Ed25519 public key (PEM) */
	const char	*settings_sig_url;	/* NULL: settings_url + ".sig" */
	const char	*settings_ca;		/* NULL: the system CAs */
	long		 settings_refresh;	/* seconds between polls; 0: 60 */
	const char	*plugin_socket;		/* default /run/docker/plugins/dockward.sock */
	const char	*engine_socket;		/* default /var/run/docker.sock */
	const char	*state_dir;		/* default /var/lib/dockward */
	const char	*audit_log;		/* file, "-" for stdout; default "-" */
	struct dw_strv	 protect;		/* --protect: extra protected host paths */
	const char	*gatekeeper_socket;	/* NULL: no gatekeeper */
	mode_t		 gatekeeper_mode;	/* default 0660 */
	const char	*gatekeeper_group;	/* default "docker" when it exists, else root */
	unsigned	 gatekeeper_max_conns;	/* default 1024 */
	unsigned	 gatekeeper_max_conns_per_caller; /* one uid or container; 0: DW_GATE_CONNS_PER_CALLER */
	bool		 require_gatekeeper;	/* full mode: the plugin allows only requests the gatekeeper stamped */
	int		 gatekeeper_head_timeout; /* seconds for a request head, default 30 */
	unsigned long long gatekeeper_build_max; /* largest build context held back, 0: DW_GATE_BUILD_MAX */
	bool		 egress_api_only;	/* --egress-api-only: containersProxy's API rules, no table, no proxy (test rigs) */
	bool		 sandbox_off;		/* --sandbox off: keep every privilege (debugging) */
	const char	*metrics_addr;		/* --metrics: unix path or loopback host:port, NULL: off */
	const char	*host_root;		/* --host-root: the host's "/" in the managed plugin, NULL: ours */
};

/*
 * Run until SIGTERM/SIGINT.  Returns 0 after a clean stop, or a negative
 * errno with err when serving could not start (bad policy, socket in use).
 */
int	api_serve_run(const struct api_serve_opts *opts, struct dw_err *err);

#endif
