/*
 * authz_hostconfig: ECI container rules on a HostConfig-like object:
 * privileged, host namespaces, capabilities, devices, security options,
 * runtime, sysctls; mounts are delegated to authz_mount.c.
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
#include "authz/authz_settings.h"
#include "authz/authz_uri.h"
#include "common/dw_esc.h"

/* Capabilities every Docker container has by default: adding them is harmless. */
static const char *const default_caps[] = {
	"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW",
	"SETGID", "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE",
	"SYS_CHROOT", "KILL", "AUDIT_WRITE", NULL
};

static int
check_privileged(struct authz_ctx *c, const struct authz_jv *hc, const char *path)
{
	struct dw_err	err;
	char		f[128];
	bool		priv;

	if (authz_json_get_bool(hc, path, AUTHZ_JSON_F(Privileged), &priv, &err) < 0)
		return authz_deny_json(c, &err);
	if (!priv)
		return 0;
	authz_json_join_path(f, sizeof(f), path, "Privileged");
	return authz_deny(c, RULE_PRIVILEGED, f, "%s is true; a privileged "
	    "container gets every capability and all host devices and can take "
	    "over the host. Run without --privileged; add only the specific "
	    "capability or device you need, if the admin allows it", f);
}

int
authz_hostconfig_network_check(struct authz_ctx *c, const char *net, const char *field)
{
	struct dw_err	 err;
	json_t		*n = NULL;	/* an inspect answer: jansson (authz_deny.h) */
	const char	*name, *driver;
	int		 r;

	if (net == NULL || net[0] == '\0')
		return 0;
	if (strcasecmp(net, "host") == 0)
		goto host;
	/* Modes dockerd handles itself; anything else is a network name or id. */
	if (strncmp(net, "container:", 10) == 0)
		return authz_namespace_joined_check(c, AUTHZ_NS_NET, net, field);
	if (strcmp(net, "default") == 0 || strcmp(net, "bridge") == 0 ||
	    strcmp(net, "none") == 0)
		return 0;
	if (c->facts == NULL || c->facts->network_inspect == NULL)
		return 0;
	r = c->facts->network_inspect(c->facts->ctx, net, &n, &err);
	if (r == -ENOENT)
		return 0;	/* dockerd will answer "network not found" */
	if (r < 0)
		return authz_deny(c, RULE_ENGINE, field, "cannot inspect network "
		    "\"%s\": %s. Retry when dockward reaches dockerd", net, err.msg);
	name = json_string_value(json_object_get(n, "Name"));
	driver = json_string_value(json_object_get(n, "Driver"));
	r = (name != NULL && strcmp(name, "host") == 0) ||
	    (driver != NULL && strcmp(driver, "host") == 0);
	json_decref(n);
	if (!r)
		return 0;
host:
	return authz_deny(c, RULE_NAMESPACE, field, "network \"%s\" is the host's "
	    "network; sharing the host's network namespace lets the container see "
	    "and act on host network traffic. Use a bridge or overlay network", net);
}

/*
 * On a cgroup v1 host dockerd's default cgroupns mode is "host" (private
 * only on v2): asking for it explicitly changes nothing there.  Only the
 * exact spelling dockerd accepts.
 */
static bool
cgroupns_host_is_default(struct authz_ctx *c, const char *v)
{
	if (strcmp(v, "host") != 0 || c->facts == NULL ||
	    c->facts->cgroup_v1 == NULL)
		return false;
	return c->facts->cgroup_v1(c->facts->ctx) == 1;
}

static int
check_namespaces(struct authz_ctx *c, const struct authz_jv *hc, const char *path)
{
	static const struct {
		enum authz_json_field_id field;
		const char *flag;
	} ns[] = {
		{ AUTHZ_JSON_FIELD_NetworkMode, "--network" },
		{ AUTHZ_JSON_FIELD_PidMode, "--pid" },
		{ AUTHZ_JSON_FIELD_IpcMode, "--ipc" },
		{ AUTHZ_JSON_FIELD_UTSMode, "--uts" },
		{ AUTHZ_JSON_FIELD_UsernsMode, "--userns" },
		{ AUTHZ_JSON_FIELD_CgroupnsMode, "--cgroupns" },
	};
	const struct authz_jv_name	*name;
	struct dw_err	 err;
	const char	*v;
	char		 f[128];
	size_t		 i;
	int		 r;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		name = &authz_json_fields[ns[i].field];
		if (authz_json_get_string(hc, path, name, &v, &err) < 0)
			return authz_deny_json(c, &err);
		/*
		 * Unset ("" as docker run sends, or null): not "host" and no
		 * container:X to follow, so the checks below pass it anyway.
		 * (NetworkMode "" goes to the network check, as before.)
		 */
		if (i > 0 && (v == NULL || v[0] == '\0'))
			continue;
		authz_json_join_path(f, sizeof(f), path, name->s);
		/* A network can also be named by its id, or another name. */
		if (i == 0 && v != NULL && strcasecmp(v, "host") != 0) {
			if (authz_hostconfig_network_check(c, v, f) < 0)
				return -EACCES;
			continue;
		}
		/* --pid/--ipc container:X join X's namespace: follow X. */
		if ((i == 1 || i == 2) && v != NULL) {
			if (authz_namespace_joined_check(c, i == 1 ? AUTHZ_NS_PID :
			    AUTHZ_NS_IPC, v, f) < 0)
				return -EACCES;
		}
		/* dockerd compares with "host"; any spelling of it is refused. */
		if (v == NULL || strcasecmp(v, "host") != 0)
			continue;
		if (i == 5 && cgroupns_host_is_default(c, v))
			continue;
		/* Let through by audit-only mode: the next modes still count. */
		if ((r = authz_deny(c, RULE_NAMESPACE, f, "%s is \"%s\"; sharing the "
		    "host's namespace lets the container see and act on host "
		    "processes, network or users. Remove %s=host", f, v,
		    ns[i].flag)) < 0)
			return r;
	}
	return 0;
}

/* Docker accepts "sys_admin", "CAP_SYS_ADMIN"...: compare the bare upper-case name. */
static void
cap_normalize(const char *in, char *out, size_t len)
{
	size_t	i;

	if (strncasecmp(in, "CAP_", 4) == 0)
		in += 4;
	for (i = 0; in[i] != '\0' && i + 1 < len; i++)
		out[i] = (in[i] >= 'a' && in[i] <= 'z') ? in[i] - 'a' + 'A' : in[i];
	out[i] = '\0';
}

static bool
cap_allowed(const struct authz_settings *s, const char *cap)
{
	size_t	i;

	if (strcmp(cap, "ALL") != 0)
		for (i = 0; default_caps[i] != NULL; i++)
			if (strcmp(default_caps[i], cap) == 0)
				return true;
	return dw_strv_contains(&s->allowed_capabilities, cap);
}

int
authz_hostconfig_capabilities_check(struct authz_ctx *c, const struct authz_jv *hc, const char *path,
    const struct authz_jv_name *field)
{
	struct dw_strv	caps = { 0 };
	struct dw_err	err;
	char		cap[64], f[128];
	size_t		i;
	int		r = 0;

	if (authz_json_get_strings(hc, path, field, true, &caps, &err) < 0) {
		r = authz_deny_json(c, &err);
		goto out;
	}
	for (i = 0; i < caps.n; i++) {
		cap_normalize(caps.v[i], cap, sizeof(cap));
		if (cap_allowed(c->s, cap))
			continue;
		authz_json_join_path(f, sizeof(f), path, field->s);
		r = authz_deny(c, RULE_CAPABILITIES, f, "%s adds %s, which is not "
		    "among Docker's default capabilities nor in "
		    "dockward.allowedCapabilities. Drop --cap-add %s, or ask an admin "
		    "to allow it", f, cap, caps.v[i]);
		goto out;
	}
out:
	dw_strv_clear(&caps);
	return r;
}

int
authz_hostconfig_devices_check(struct authz_ctx *c, const struct authz_jv *obj, const char *path)
{
	const struct authz_jv	*devs, *rules, *reqs, *d;
	struct dw_err		 err;
	const char		*host;
	char			 f[128];
	size_t			 i;
	int			 r;

	if (authz_json_get_array(obj, path, AUTHZ_JSON_F(Devices), &devs, &err) < 0 ||
	    authz_json_get_array(obj, path, AUTHZ_JSON_F(DeviceCgroupRules), &rules, &err) < 0 ||
	    authz_json_get_array(obj, path, AUTHZ_JSON_F(DeviceRequests), &reqs, &err) < 0)
		return authz_deny_json(c, &err);
	if (devs != NULL) {
		authz_jv_array_foreach(devs, i, d) {
			snprintf(f, sizeof(f), "%s%sDevices[%zu]", path,
			    path[0] ? "." : "", i);
			if (authz_jv_is_null(d))
				continue;
			if (!authz_jv_is_object(d)) {
				dw_err_set(&err, "%s: must be an object", f);
				return authz_deny_json(c, &err);
			}
			if (authz_json_get_string(d, f, AUTHZ_JSON_F(PathOnHost), &host, &err) < 0)
				return authz_deny_json(c, &err);
			if (host != NULL && dw_strv_contains(&c->s->allowed_devices, host))
				continue;
			/* Let through by audit-only mode: read on. */
			if ((r = authz_deny(c, RULE_DEVICES, f, "%s gives the container "
			    "the host device \"%s\", which is not in "
			    "dockward.allowedDevices. Remove --device %s, or ask an "
			    "admin to allow it", f, host ? host : "",
			    host ? host : "")) < 0)
				return r;
		}
	}
	if (rules != NULL && authz_jv_array_size(rules) > 0) {
		snprintf(f, sizeof(f), "%s%sDeviceCgroupRules", path, path[0] ? "." : "");
		if ((r = authz_deny(c, RULE_DEVICES, f, "%s opens device access in "
		    "the container's cgroup. Remove --device-cgroup-rule", f)) < 0)
			return r;
	}
	if (reqs != NULL && authz_jv_array_size(reqs) > 0) {
		snprintf(f, sizeof(f), "%s%sDeviceRequests", path, path[0] ? "." : "");
		return authz_deny(c, RULE_DEVICES, f, "%s asks a device driver "
		    "(such as --gpus) for host devices. Remove --gpus", f);
	}
	return 0;
}

/*
 * One --security-opt value, parsed as dockerd's parseSecurityOpt does:
 * "key=value", the deprecated "key:value", or the bare "no-new-privileges"
 * and "disable" (label=disable).  Returns why it is refused, or NULL.
 */
static const char *
securityopt_refusal(const char *opt)
{
	const char	*sep, *val;
	size_t		 klen;

	if (strcmp(opt, "no-new-privileges") == 0)
		return NULL;
	if (strcmp(opt, "disable") == 0)
		return "disables SELinux labelling";
	sep = strchr(opt, '=');
	if (sep == NULL)
		sep = strchr(opt, ':');
	if (sep == NULL)
		return "is not an option dockward can evaluate";
	klen = (size_t)(sep - opt);
	val = sep + 1;
	if (klen == 7 && strncmp(opt, "seccomp", 7) == 0) {
		if (strcmp(val, "unconfined") == 0)
			return "turns off the seccomp filter";
		if (val[0] == '\0' || strcmp(val, "builtin") == 0)
			return NULL;
		return "replaces the default seccomp profile with a custom one";
	}
	if (klen == 8 && strncmp(opt, "apparmor", 8) == 0)
		return strcmp(val, "unconfined") == 0 ?
		    "turns off AppArmor confinement" : NULL;
	if (klen == 5 && strncmp(opt, "label", 5) == 0) {
		if (strcmp(val, "disable") == 0)
			return "disables SELinux labelling";
		if (strncmp(val, "type:", 5) == 0 &&
		    strcmp(val + 5, "container_t") != 0)
			return "runs the container under another SELinux type";
		return NULL;
	}
	if (klen == 17 && strncmp(opt, "no-new-privileges", 17) == 0)
		return NULL;
	return "is not an option dockward can evaluate";
}

static int
check_securityopt(struct authz_ctx *c, const struct authz_jv *hc, const char *path)
{
	const struct authz_jv_name *const unmask[] = {
		AUTHZ_JSON_F(MaskedPaths), AUTHZ_JSON_F(ReadonlyPaths),
	};
	const struct authz_jv	*a;
	struct dw_strv		 opts = { 0 };
	struct dw_err		 err;
	const char		*why;
	char			 f[128];
	size_t			 i;
	int			 r = 0;

	if (authz_json_get_strings(hc, path, AUTHZ_JSON_F(SecurityOpt), false, &opts, &err) < 0) {
		r = authz_deny_json(c, &err);
		goto out;
	}
	for (i = 0; i < opts.n; i++) {
		if ((why = securityopt_refusal(opts.v[i])) == NULL)
			continue;
		snprintf(f, sizeof(f), "%s%sSecurityOpt[%zu]", path,
		    path[0] ? "." : "", i);
		/* Let through by audit-only mode: the rest are still read. */
		if ((r = authz_deny(c, RULE_SECURITYOPT, f, "\"%s\" %s. Remove "
		    "--security-opt %s", opts.v[i], why, opts.v[i])) < 0)
			goto out;
	}
	/* systempaths=unconfined reaches dockerd as explicit path lists. */
	for (i = 0; i < 2; i++) {
		if (authz_json_get_array(hc, path, unmask[i], &a, &err) < 0) {
			r = authz_deny_json(c, &err);
			goto out;
		}
		if (a == NULL)
			continue;
		authz_json_join_path(f, sizeof(f), path, unmask[i]->s);
		if ((r = authz_deny(c, RULE_SECURITYOPT, f, "%s replaces the kernel "
		    "paths Docker masks or makes read-only (--security-opt "
		    "systempaths=unconfined). Remove that option", f)) < 0)
			goto out;
	}
out:
	dw_strv_clear(&opts);
	return r;
}

static int
check_runtime(struct authz_ctx *c, const struct authz_jv *hc, const char *path)
{
	struct dw_err	 err;
	const char	*rt;
	char		 f[128];

	if (authz_json_get_string(hc, path, AUTHZ_JSON_F(Runtime), &rt, &err) < 0)
		return authz_deny_json(c, &err);
	if (rt == NULL || rt[0] == '\0' ||
	    dw_strv_contains(&c->s->allowed_runtimes, rt))
		return 0;
	authz_json_join_path(f, sizeof(f), path, "Runtime");
	return authz_deny(c, RULE_RUNTIME, f, "%s is \"%s\", which is not in "
	    "dockward.allowedRuntimes; another runtime can bypass the container "
	    "isolation. Remove --runtime to use the engine's default", f, rt);
}

/*
 * Sysctls Docker namespaces per container (IPC ones, net.*) are the
 * container's own only when that namespace is private: not the host's,
 * and not a container:X chain to it (refused before this is asked).
 */
static bool
sysctl_allowed(const struct authz_settings *s, const char *name,
    bool ipc_private, bool net_private)
{
	if (dw_strv_contains(&s->allowed_sysctls, name))
		return true;
	switch (authz_namespace_sysctl_class(name)) {
	case AUTHZ_SYSCTL_IPC:
		return ipc_private;
	case AUTHZ_SYSCTL_NET:
		return net_private;
	default:
		return false;
	}
}

static int
sysctls_check(struct authz_ctx *c, const struct authz_jv *hc, const char *path,
    bool ipc_private, bool net_private)
{
	const struct authz_jv	*m, *v;
	struct dw_err		 err;
	const char		*k;
	char			 f[128];
	size_t			 i;
	int			 r;

	if (authz_json_get_object(hc, path, AUTHZ_JSON_F(Sysctls), &m, &err) < 0)
		return authz_deny_json(c, &err);
	if (m == NULL)
		return 0;
	authz_jv_object_foreach(m, i, k, v) {
		if (!authz_jv_is_string(v) && !authz_jv_is_null(v)) {
			dw_err_set(&err, "%s%sSysctls.%s: must be a string", path,
			    path[0] ? "." : "", k);
			return authz_deny_json(c, &err);
		}
		if (sysctl_allowed(c->s, k, ipc_private, net_private))
			continue;
		authz_json_join_path(f, sizeof(f), path, "Sysctls");
		/* Let through by audit-only mode: the next entries are still read. */
		if ((r = authz_deny(c, RULE_SYSCTLS, f, "%s sets \"%s\", a kernel "
		    "setting not private to the container%s. Remove --sysctl %s, or ask "
		    "an admin to add it to dockward.allowedSysctls", f, k,
		    authz_namespace_sysctl_class(k) == AUTHZ_SYSCTL_HOST ? "" :
		    " (its namespace is shared with the host)", k)) < 0)
			return r;
	}
	return 0;
}

/*
 * --cgroup-parent (HostConfig.CgroupParent, build ?cgroupparent=): where
 * the container's cgroup goes.  Under another container's cgroup it would
 * be taken for that container by anything that goes by cgroup paths, and
 * anywhere else it leaves the limits the admin set on dockerd's parent.
 * Compose and Testcontainers never set it: refused unless the value is
 * exactly one of dockward.allowedCgroupParents (which may name no
 * container id; see authz_settings.c).
 */
int
authz_hostconfig_cgroup_parent_check(struct authz_ctx *c, const char *parent,
    const char *field)
{
	char	q[256];

	if (parent == NULL || parent[0] == '\0' ||
	    dw_strv_contains(&c->s->allowed_cgroup_parents, parent))
		return 0;
	dw_esc(q, sizeof(q), parent, (size_t)-1);
	return authz_deny(c, RULE_CGROUP_PARENT, field, "%s is \"%s\"; a "
	    "container placed in another cgroup can pass for the container that "
	    "owns it, or escape the limits set on Docker's own cgroup. Remove "
	    "--cgroup-parent, or ask an admin to add the exact value to "
	    "dockward.allowedCgroupParents", field, q);
}

static int
check_cgroup_parent(struct authz_ctx *c, const struct authz_jv *hc, const char *path)
{
	struct dw_err	 err;
	const char	*v;
	char		 f[128];

	if (authz_json_get_string(hc, path, AUTHZ_JSON_F(CgroupParent), &v, &err) < 0)
		return authz_deny_json(c, &err);
	if (v == NULL || v[0] == '\0')
		return 0;	/* as authz_hostconfig_cgroup_parent_check, without the join */
	authz_json_join_path(f, sizeof(f), path, "CgroupParent");
	return authz_hostconfig_cgroup_parent_check(c, v, f);
}

/* A service task's IPC and network namespaces are its own (host networks are refused). */
int
authz_hostconfig_sysctls_check(struct authz_ctx *c, const struct authz_jv *hc, const char *path)
{
	return sysctls_check(c, hc, path, true, true);
}

/* The namespaces a HostConfig's sysctls would apply to (container:X chains are checked before). */
static int
check_sysctls(struct authz_ctx *c, const struct authz_jv *hc, const char *path)
{
	struct dw_err	 err;
	const char	*ipc, *net;

	if (authz_json_get_string(hc, path, AUTHZ_JSON_F(IpcMode), &ipc, &err) < 0 ||
	    authz_json_get_string(hc, path, AUTHZ_JSON_F(NetworkMode), &net, &err) < 0)
		return authz_deny_json(c, &err);
	return sysctls_check(c, hc, path,
	    ipc == NULL || strcasecmp(ipc, "host") != 0,
	    net == NULL || strcasecmp(net, "host") != 0);
}

int
authz_hostconfig_check(struct authz_ctx *c, const struct authz_jv *hc, const char *path,
    const char *image)
{
	int	r;

	if ((r = check_privileged(c, hc, path)) < 0 ||
	    (r = check_namespaces(c, hc, path)) < 0 ||
	    (r = authz_hostconfig_capabilities_check(c, hc, path,
	    AUTHZ_JSON_F(CapAdd))) < 0 ||
	    (r = authz_hostconfig_devices_check(c, hc, path)) < 0 ||
	    (r = check_securityopt(c, hc, path)) < 0 ||
	    (r = check_runtime(c, hc, path)) < 0 ||
	    (r = check_sysctls(c, hc, path)) < 0 ||
	    (r = authz_namespace_logconfig_check(c, hc, path,
	    AUTHZ_JSON_F(LogConfig), AUTHZ_JSON_F(Config))) < 0)
		return r;
	if ((r = check_cgroup_parent(c, hc, path)) < 0)
		return r;
	return authz_mount_hostconfig_check(c, hc, path, image);
}
