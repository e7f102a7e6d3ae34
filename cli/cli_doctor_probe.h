/*
 * cli_doctor_probe: the live checks of `dockward doctor`, which look at
 * dockward itself rather than at dockerd's configuration: the plugin and
 * gatekeeper sockets (plugin.reachable, gatekeeper.socket), the policy
 * file (policy.file), the registries of the imageList (registry.reachable)
 * and of dockward.registryAccess (registryAccess.reachable), and the
 * registry cache and offline trust store in the state directory
 * (cache.age).  Everything
 * that leaves the process goes through o->ops, so unit tests run these on
 * fixtures.  Each function appends its findings to rep and returns 0 or
 * -ENOMEM; what went wrong on the host is a finding, never an error.
 */
#ifndef CLI_DOCTOR_PROBE_H
#define CLI_DOCTOR_PROBE_H

#include <stdbool.h>
#include <time.h>

#include "cli/cli_doctor_report.h"
#include "authz/authz_settings.h"
#include "common/dw_err.h"
#include "common/dw_strv.h"
#include "digest/digest_ref.h"
#include "digest/digest_sha256.h"

struct registry_auth_challenge;

/*
 * What the live checks need from the outside world, injectable so unit
 * tests run them on fixtures.  cli_doctor_probe_ops_default talks to real
 * sockets and registries.
 */
struct cli_doctor_probe_ops {
	void	*ctx;
	/*
	 * One HTTP/1.1 request to the unix socket at sock (body: a JSON
	 * document or NULL), bounded in time and size.  0 with the status and
	 * a new NUL-terminated body in *ret_body (the caller frees it), or
	 * -errno with err.
	 */
	int	(*unix_http)(void *ctx, const char *sock, const char *method,
		    const char *uri, const char *body, long *ret_status,
		    char **ret_body, struct dw_err *err);
	/*
	 * What the registry serves for ref, asked as dockward would under s
	 * (its CA, insecure registries, credentials), with a short timeout:
	 * 0 and the digest, or -errno with err.
	 */
	int	(*resolve)(void *ctx, const struct authz_settings *s,
		    const struct digest_ref *ref, char digest[DIGEST_SHA256_STRLEN],
		    struct dw_err *err);
	/*
	 * GET /v2/ of registry host (a registryAccess entry, "host[:port]")
	 * as dockward's client would under s (its CA, insecure registries),
	 * with the same short timeouts: 0 with the status and, for a 401,
	 * the challenge in *ret_ch (the caller clears it), or -errno with
	 * err.  NULL: registryAccess.reachable is skipped as with no_network.
	 */
	int	(*ping)(void *ctx, const struct authz_settings *s, const char *host,
		    long *ret_status, struct registry_auth_challenge *ret_ch,
		    struct dw_err *err);
	/* The time now (cache ages). */
	time_t	(*now)(void *ctx);
};

extern const struct cli_doctor_probe_ops cli_doctor_probe_ops_default;

/* What the live checks look at; strings are borrowed. */
struct cli_doctor_probe_opts {
	const char	*settings_path;	/* policy.file: admin-settings.json */
	/* NULL skips the check that needs it. */
	const char	*plugin_socket;		/* plugin.reachable */
	const char	*gatekeeper_socket;	/* gatekeeper.socket */
	const char	*state_dir;		/* cache.age: DIR/registry-cache.json, DIR/trust.json */
	bool		 no_network;		/* registry.reachable, registryAccess.reachable skipped */
	const struct cli_doctor_probe_ops *ops;	/* NULL: cli_doctor_probe_ops_default */
};

/*
 * policy.file: StrictModes (authz_settings_check_owner), then the policy
 * parsed with authz_settings_parse and one WARN per warning.  *ret is the
 * new parsed policy (even when StrictModes failed, so the checks after it
 * still run), or NULL when it could not be read or parsed; the caller
 * frees it with authz_settings_free.
 */
int	cli_doctor_probe_policy(const struct cli_doctor_probe_opts *o,
	    struct authz_settings **ret, struct cli_doctor_report *rep);

/*
 * plugin.reachable on o->plugin_socket (skipped when NULL): POST
 * /Plugin.Activate must list "authz", and an AuthZReq for GET /_ping must
 * be allowed.  `configured`: a dockerd names the plugin, so a dead plugin
 * makes it refuse every call (FAIL, else WARN).
 */
int	cli_doctor_probe_plugin(const struct cli_doctor_probe_opts *o, bool configured,
	    struct cli_doctor_report *rep);

/*
 * gatekeeper.socket on o->gatekeeper_socket (skipped when NULL): owned by
 * root, not world-writable, answers GET /_ping; and no engine socket in
 * engine_socks (the unix sockets dockerd listens on) can be reached by a
 * non-root user, who would bypass the gatekeeper.
 */
int	cli_doctor_probe_gatekeeper(const struct cli_doctor_probe_opts *o,
	    const struct dw_strv *engine_socks, struct cli_doctor_report *rep);

/*
 * registry.reachable: each imageList entry of s that names one repository
 * resolved through o->ops->resolve; skipped (one PASS saying so) with
 * o->no_network.  s NULL: one WARN pointing at policy.file.
 */
int	cli_doctor_probe_registry(const struct cli_doctor_probe_opts *o,
	    const struct authz_settings *s, struct cli_doctor_report *rep);

/*
 * registryAccess.reachable: with dockward.registryAccess in s, each
 * allowed host asked GET /v2/ through o->ops->ping, one after the other
 * (each bounded by the probe timeouts): resolves, connects, TLS holds,
 * and answers as a registry (200, or 401 with a Bearer or Basic
 * challenge: PASS); anything else a WARN saying how to fix it (the
 * block only narrows pulls: an unreachable registry costs pulls, not
 * protection).  A wildcard entry ("*.corp.example") names no host: INFO.
 * Nothing without the block or without s (policy.file says why);
 * o->no_network: one PASS saying it was skipped.
 */
int	cli_doctor_probe_access(const struct cli_doctor_probe_opts *o,
	    const struct authz_settings *s, struct cli_doctor_report *rep);

/*
 * cache.age: o->state_dir/registry-cache.json and the offline trust store
 * o->state_dir/trust.json (skipped when state_dir is NULL): entry count
 * and ages of each; a WARN for each imageList entry of s with no proof,
 * or whose proof (the trust store's when it has one, as dockward serve
 * prefers it, else the registry's) is older than the policy allows.  The
 * age of a trust-store proof is its bundle's (the bundle's mtime recorded
 * at import, or the store file's mtime for stores written before that
 * was recorded); every figure says which it is.
 */
int	cli_doctor_probe_cache(const struct cli_doctor_probe_opts *o,
	    const struct authz_settings *s, struct cli_doctor_report *rep);

#endif
