/*
 * cli_doctor_probe: the live checks of `dockward doctor`, which look at
 * dockward itself rather than at dockerd's configuration: the plugin and
 * gatekeeper sockets (plugin.reachable, gatekeeper.socket), the policy
 * file (policy.file), the registries of the imageList (registry.reachable)
 * and the registry cache in the state directory (cache.age).  Everything
 * that leaves the process goes through o->ops, so unit tests run these on
 * fixtures.  Each function appends its findings to rep and returns 0 or
 * -ENOMEM; what went wrong on the host is a finding, never an error.
 */
#ifndef CLI_DOCTOR_PROBE_H
#define CLI_DOCTOR_PROBE_H

#include <stdbool.h>

#include "cli/cli_doctor.h"
#include "authz/authz_settings.h"
#include "common/dw_strv.h"

/*
 * policy.file: StrictModes (authz_settings_check_owner), then the policy
 * parsed with authz_settings_parse and one WARN per warning.  *ret is the
 * parsed policy (even when StrictModes failed, so the checks after it
 * still run), or NULL when it could not be read or parsed; free it with
 * authz_settings_free.
 */
int	cli_doctor_probe_policy(const struct cli_doctor_opts *o,
	    struct authz_settings **ret, struct cli_doctor_report *rep);

/*
 * plugin.reachable on o->plugin_socket (skipped when NULL): POST
 * /Plugin.Activate must list "authz", and an AuthZReq for GET /_ping must
 * be allowed.  `configured`: a dockerd names the plugin, so a dead plugin
 * makes it refuse every call (FAIL, else WARN).
 */
int	cli_doctor_probe_plugin(const struct cli_doctor_opts *o, bool configured,
	    struct cli_doctor_report *rep);

/*
 * gatekeeper.socket on o->gatekeeper_socket (skipped when NULL): owned by
 * root, not world-writable, answers GET /_ping; and no engine socket in
 * engine_socks (the unix sockets dockerd listens on) can be reached by a
 * non-root user, who would bypass the gatekeeper.
 */
int	cli_doctor_probe_gatekeeper(const struct cli_doctor_opts *o,
	    const struct dw_strv *engine_socks, struct cli_doctor_report *rep);

/*
 * registry.reachable: each imageList entry of s that names one repository
 * resolved through o->ops->resolve; skipped (one PASS saying so) with
 * o->no_network.  s NULL: one WARN pointing at policy.file.
 */
int	cli_doctor_probe_registry(const struct cli_doctor_opts *o,
	    const struct authz_settings *s, struct cli_doctor_report *rep);

/*
 * cache.age: o->state_dir/registry-cache.json (skipped when state_dir is
 * NULL): entry count and ages; a WARN for each imageList entry of s with
 * no cached proof or a proof older than the policy allows.
 */
int	cli_doctor_probe_cache(const struct cli_doctor_opts *o,
	    const struct authz_settings *s, struct cli_doctor_report *rep);

#endif
