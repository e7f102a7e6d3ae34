/*
 * authz_service: swarm service specs carry a container spec of their own;
 * tasks created from it never pass through authorization again, so the
 * container rules apply here, in swarm's vocabulary.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "authz/authz_deny.h"
#include "authz/authz_hostconfig.h"
#include "authz/authz_json.h"
#include "authz/authz_mount.h"
#include "authz/authz_namespace.h"
#include "authz/authz_rules.h"
#include "authz/authz_service.h"
#include "authz/authz_settings.h"

/* Privileges: {Seccomp{Mode}, AppArmor{Mode}, SELinuxContext{Disable, Type}} */
static int
privileges_check(struct authz_ctx *c, const struct authz_jv *cs)
{
	static const char *const P = "TaskTemplate.ContainerSpec.Privileges";
	const struct authz_jv	*priv, *sec, *aa, *se;
	struct dw_err		 err;
	const char		*mode, *type;
	bool			 disable;
	char			 f[160];
	int			 r;

	if (authz_json_get_object(cs, "TaskTemplate.ContainerSpec", AUTHZ_JSON_F(Privileges),
	    &priv, &err) < 0)
		return authz_deny_json(c, &err);
	if (priv == NULL)
		return 0;
	if (authz_json_get_object(priv, P, AUTHZ_JSON_F(Seccomp), &sec, &err) < 0 ||
	    authz_json_get_object(priv, P, AUTHZ_JSON_F(AppArmor), &aa, &err) < 0 ||
	    authz_json_get_object(priv, P, AUTHZ_JSON_F(SELinuxContext), &se, &err) < 0)
		return authz_deny_json(c, &err);
	snprintf(f, sizeof(f), "%s.Seccomp", P);
	if (authz_json_get_string(sec, f, AUTHZ_JSON_F(Mode), &mode, &err) < 0)
		return authz_deny_json(c, &err);
	/* Let through by audit-only mode: the other modes are still read. */
	if (mode != NULL && mode[0] != '\0' && strcmp(mode, "default") != 0 &&
	    (r = authz_deny(c, RULE_SECURITYOPT, f, "seccomp mode \"%s\" "
	    "replaces or turns off the default seccomp filter. Remove "
	    "--security-opt seccomp=...", mode)) < 0)
		return r;
	snprintf(f, sizeof(f), "%s.AppArmor", P);
	if (authz_json_get_string(aa, f, AUTHZ_JSON_F(Mode), &mode, &err) < 0)
		return authz_deny_json(c, &err);
	if (mode != NULL && mode[0] != '\0' && strcmp(mode, "default") != 0 &&
	    (r = authz_deny(c, RULE_SECURITYOPT, f, "AppArmor mode \"%s\" "
	    "turns off AppArmor confinement. Remove that option", mode)) < 0)
		return r;
	snprintf(f, sizeof(f), "%s.SELinuxContext", P);
	if (authz_json_get_bool(se, f, AUTHZ_JSON_F(Disable), &disable, &err) < 0 ||
	    authz_json_get_string(se, f, AUTHZ_JSON_F(Type), &type, &err) < 0)
		return authz_deny_json(c, &err);
	if (disable || (type != NULL && type[0] != '\0' &&
	    strcmp(type, "container_t") != 0))
		return authz_deny(c, RULE_SECURITYOPT, f, "the SELinux context "
		    "disables labelling or uses another type. Remove that option");
	return 0;
}

int
authz_service_networks_check(struct authz_ctx *c, const struct authz_jv *obj,
    const char *path, authz_service_network_fn check)
{
	const struct authz_jv	*nets, *n;
	struct dw_err		 err;
	const char		*target;
	char			 f[160];
	size_t			 i;

	if (obj == NULL)
		return 0;
	if (authz_json_get_array(obj, path, AUTHZ_JSON_F(Networks), &nets, &err) < 0)
		return authz_deny_json(c, &err);
	if (nets == NULL)
		return 0;
	authz_jv_array_foreach(nets, i, n) {
		snprintf(f, sizeof(f), "%s%sNetworks[%zu]", path, path[0] ? "." : "", i);
		if (authz_jv_is_null(n))
			continue;
		if (!authz_jv_is_object(n)) {
			dw_err_set(&err, "%s: must be an object", f);
			return authz_deny_json(c, &err);
		}
		if (authz_json_get_string(n, f, AUTHZ_JSON_F(Target), &target, &err) < 0)
			return authz_deny_json(c, &err);
		if (check(c, target, f) < 0)
			return -EACCES;
	}
	return 0;
}

int
authz_service_check(struct authz_ctx *c, const struct authz_jv *spec)
{
	static const char *const CS = "TaskTemplate.ContainerSpec";
	const struct authz_jv	*tt, *cs, *ps, *mounts, *m;
	struct dw_err		 err;
	const char		*runtime, *image = NULL;
	char			 f[160];
	size_t			 i;
	int			 r;

	/* Networks[].Target == "host" puts tasks in the host's network namespace. */
	if ((r = authz_service_networks_check(c, spec, "",
	    authz_hostconfig_network_check)) < 0)
		return r;
	if (authz_json_get_object(spec, "", AUTHZ_JSON_F(TaskTemplate), &tt, &err) < 0)
		return authz_deny_json(c, &err);
	if (tt == NULL)
		return 0;
	if (authz_json_get_string(tt, "TaskTemplate", AUTHZ_JSON_F(Runtime), &runtime, &err) < 0 ||
	    authz_json_get_object(tt, "TaskTemplate", AUTHZ_JSON_F(PluginSpec), &ps, &err) < 0 ||
	    authz_json_get_object(tt, "TaskTemplate", AUTHZ_JSON_F(ContainerSpec), &cs, &err) < 0)
		return authz_deny_json(c, &err);
	if (ps != NULL || (runtime != NULL && runtime[0] != '\0' &&
	    strcmp(runtime, "container") != 0))
		return authz_deny(c, RULE_PLUGIN, "TaskTemplate.Runtime", "a service "
		    "of runtime \"%s\" installs engine plugins on every node. Run "
		    "container services only", runtime ? runtime : "plugin");
	if ((r = authz_service_networks_check(c, tt, "TaskTemplate",
	    authz_hostconfig_network_check)) < 0 ||
	    (r = authz_namespace_logconfig_check(c, tt, "TaskTemplate",
	    AUTHZ_JSON_F(LogDriver), AUTHZ_JSON_F(Options))) < 0)
		return r;
	if (cs == NULL)
		return 0;
	if (authz_json_get_string(cs, CS, AUTHZ_JSON_F(Image), &image, &err) < 0 ||
	    authz_json_get_array(cs, CS, AUTHZ_JSON_F(Mounts), &mounts, &err) < 0)
		return authz_deny_json(c, &err);
	if ((r = privileges_check(c, cs)) < 0 ||
	    (r = authz_hostconfig_capabilities_check(c, cs, CS,
	    AUTHZ_JSON_F(CapabilityAdd))) < 0 ||
	    (r = authz_hostconfig_sysctls_check(c, cs, CS)) < 0)
		return r;
	if (mounts != NULL)
		authz_jv_array_foreach(mounts, i, m) {
			snprintf(f, sizeof(f), "%s.Mounts[%zu]", CS, i);
			if ((r = authz_mount_object_check(c, m, f, image)) < 0)
				return r;
		}
	return 0;
}
