/*
 * authz_namespace: which namespaces a container really joins, and the rules
 * that depend on it.
 *
 * --network, --pid and --ipc accept "container:X": dockerd then joins the
 * namespace X's process is in, which is X's own container:Y target, and so
 * on, resolved by name, id or id prefix when the container starts.  A
 * container that an admin ran with host namespaces is thus a door to the
 * host's namespaces for anyone who may name it.  Here chains are followed
 * through the facts interface, bounded (DW_NS_CHAIN_MAX) and cycle-safe,
 * and the namespace finally joined is judged.
 *
 * Also here, because they hand dockerd (root) a host object by name:
 * network driver options that take over a host interface, and log driver
 * addresses that make dockerd dial a unix socket.
 */
#include <errno.h>
#include <stdarg.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/vfs.h>

#include "authz/authz_deny.h"
#include "authz/authz_json.h"
#include "authz/authz_namespace.h"
#include "authz/authz_rules.h"
#include "authz/authz_settings.h"
#include "authz/authz_uri.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC	0x63677270
#endif

static const struct {
	const char *field, *flag, *what;
} ns_kinds[] = {
	[AUTHZ_NS_NET] = { "NetworkMode", "--network", "network" },
	[AUTHZ_NS_PID] = { "PidMode", "--pid", "PID" },
	[AUTHZ_NS_IPC] = { "IpcMode", "--ipc", "IPC" },
};

/*
 * Is a network mode the host's network?  Modes dockerd handles itself are
 * not; any other name or id is looked up.  0 and *host, or -EACCES after
 * a deny (lookup failure).  mode must not be "container:...".
 */
static int
net_mode_is_host(struct authz_ctx *c, const char *mode, const char *field,
    bool *host)
{
	struct dw_err	 err;
	json_t		*n = NULL;
	const char	*name, *driver;
	int		 r;

	*host = false;
	if (mode == NULL || mode[0] == '\0' || strcmp(mode, "default") == 0 ||
	    strcmp(mode, "bridge") == 0 || strcmp(mode, "none") == 0)
		return 0;
	if (strcasecmp(mode, "host") == 0) {
		*host = true;
		return 0;
	}
	if (c->facts == NULL || c->facts->network_inspect == NULL)
		return 0;
	r = c->facts->network_inspect(c->facts->ctx, mode, &n, &err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return authz_deny(c, RULE_ENGINE, field, "cannot inspect network "
		    "\"%s\": %s. Retry when dockward reaches dockerd", mode, err.msg);
	name = json_string_value(json_object_get(n, "Name"));
	driver = json_string_value(json_object_get(n, "Driver"));
	*host = (name != NULL && strcmp(name, "host") == 0) ||
	    (driver != NULL && strcmp(driver, "host") == 0);
	json_decref(n);
	return 0;
}

/* Append to a chain text, truncating quietly. */
static void __attribute__((format(printf, 3, 4)))
chain_add(char *chain, size_t len, const char *fmt, ...)
{
	va_list	ap;
	size_t	n = strlen(chain);

	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(chain + n, len - n, fmt, ap);
	va_end(ap);
}

int
authz_namespace_chain_end(struct authz_ctx *c, enum authz_ns kind,
    const char *mode, const char *field, const char *rule, bool userns_rule,
    char *end, size_t endsz, char *chain, size_t chainsz)
{
	struct dw_err	 err;
	json_t		*ctr = NULL, *hc;
	const char	*id, *next, *userns;
	char		 cur[AUTHZ_NAMESPACE_MODE_MAX], seen[DW_NS_CHAIN_MAX][80];
	int		 depth, i, r;

	/*
	 * A denial let through by audit-only mode returns 0 with no end
	 * reached: "" (no namespace of the host's) for the caller.
	 */
	if (endsz > 0)
		end[0] = '\0';
	if (strlen(mode) >= sizeof(cur))
		return authz_deny(c, rule, field, "%s names a container "
		    "by a name longer than dockward follows (%zu bytes). Name it by "
		    "its id", field, sizeof(cur) - 11);
	snprintf(cur, sizeof(cur), "%s", mode);
	snprintf(chain, chainsz, "%s", mode);
	for (depth = 0; strncmp(cur, "container:", 10) == 0; depth++) {
		const char *name = cur + 10;

		if (name[0] == '\0')
			return authz_deny(c, rule, field, "%s \"%s\" names "
			    "no container. Name the container whose %s namespace "
			    "to join", field, mode, ns_kinds[kind].what);
		if (depth >= DW_NS_CHAIN_MAX)
			return authz_deny(c, rule, field, "%s \"%s\" joins "
			    "a chain of more than %d containers (%s); dockward does "
			    "not follow it further. Join the last container directly",
			    field, mode, DW_NS_CHAIN_MAX, chain);
		if (c->facts == NULL || c->facts->container_inspect == NULL)
			return authz_deny(c, RULE_ENGINE, field, "cannot inspect "
			    "container \"%s\" to learn which %s namespace %s joins: "
			    "no engine connection. Retry when dockward reaches dockerd",
			    name, ns_kinds[kind].what, field);
		r = c->facts->container_inspect(c->facts->ctx, name, &ctr, &err);
		if (r == -ENOENT)
			return authz_deny(c, rule, field, "%s joins the %s "
			    "namespace of container \"%s\" (%s), which does not exist; "
			    "one made under that name before dockerd looks it up would "
			    "be joined unchecked. Create \"%s\" first", field,
			    ns_kinds[kind].what, name, chain, name);
		if (r < 0)
			return authz_deny(c, RULE_ENGINE, field, "cannot inspect "
			    "container \"%s\" (%s): %s. Retry when dockward reaches "
			    "dockerd", name, chain, err.msg);
		id = json_string_value(json_object_get(ctr, "Id"));
		if (id == NULL)
			id = name;
		for (i = 0; i < depth; i++)
			if (strncmp(seen[i], id, sizeof(seen[i]) - 1) == 0) {
				json_decref(ctr);
				return authz_deny(c, rule, field, "%s \"%s\" "
				    "leads to a loop of containers joining each other "
				    "(%s). Join a container with its own %s namespace",
				    field, mode, chain, ns_kinds[kind].what);
			}
		snprintf(seen[depth], sizeof(seen[depth]), "%.79s", id);
		hc = json_object_get(ctr, "HostConfig");
		userns = json_string_value(json_object_get(hc, "UsernsMode"));
		next = json_string_value(json_object_get(hc, ns_kinds[kind].field));
		/*
		 * With userns-remap, joining another container's network or
		 * PID namespace also joins its user namespace: one in the
		 * host's user namespace must not be joined.  Let through by
		 * audit-only mode, the chain is still followed.
		 */
		if (userns_rule && userns != NULL && strcasecmp(userns, "host") == 0) {
			chain_add(chain, chainsz, " -> %s (UsernsMode %s)", name,
			    userns);
			if ((r = authz_deny(c, rule, field, "%s joins "
			    "namespaces of a container that runs in the host's user "
			    "namespace (%s). Join a container without --userns=host, "
			    "or remove %s %s", field, chain, ns_kinds[kind].flag,
			    mode)) < 0) {
				json_decref(ctr);
				return r;
			}
		}
		chain_add(chain, chainsz, " -> %s (%s %s)", name,
		    ns_kinds[kind].field, next && next[0] ? next : "default");
		if (next != NULL && strlen(next) >= sizeof(cur)) {
			json_decref(ctr);
			return authz_deny(c, rule, field, "%s leads to a "
			    "container whose %s is longer than dockward follows (%.200s). "
			    "Join another container", field, ns_kinds[kind].field, chain);
		}
		snprintf(cur, sizeof(cur), "%s", next ? next : "");
		json_decref(ctr);
		ctr = NULL;
	}
	if (strlen(cur) >= endsz)
		return authz_deny(c, rule, field, "%s leads to a mode longer than "
		    "dockward follows (%.200s). Join another container", field, chain);
	snprintf(end, endsz, "%s", cur);
	return 0;
}

int
authz_namespace_joined_check(struct authz_ctx *c, enum authz_ns kind,
    const char *mode, const char *field)
{
	char	cur[AUTHZ_NAMESPACE_MODE_MAX], chain[512];
	bool	host = false;
	int	r;

	if (mode == NULL || strncmp(mode, "container:", 10) != 0)
		return 0;
	if ((r = authz_namespace_chain_end(c, kind, mode, field, RULE_NAMESPACE,
	    true, cur, sizeof(cur), chain, sizeof(chain))) < 0)
		return r;
	if (kind == AUTHZ_NS_NET) {
		if ((r = net_mode_is_host(c, cur, field, &host)) < 0)
			return r;
	} else
		host = strcasecmp(cur, "host") == 0;
	if (!host)
		return 0;
	return authz_deny(c, RULE_NAMESPACE, field, "%s joins the host's %s "
	    "namespace through another container (%s); that container was given "
	    "the host's namespace by an admin, and joining it gives this container "
	    "the same reach into the host. Remove %s %s, or join a container "
	    "with its own %s namespace", field, ns_kinds[kind].what, chain,
	    ns_kinds[kind].flag, mode, ns_kinds[kind].what);
}

/*
 * The stored modes of an existing container (its inspect answer).  Its
 * container:X modes are followed (a chain to the host is denied there),
 * and its own host modes are denied, with `why` (what the request would
 * do with them) and `fix`.  0 or -EACCES.  (Start, restart and exec judge
 * the whole stored configuration: authz_existing.c.)
 */
static int
stored_modes_check(struct authz_ctx *c, const char *id, const char *why,
    const char *fix)
{
	static const char *const userns_what = "user";
	struct dw_err	 err;
	json_t		*ctr = NULL, *hc;
	const char	*v, *what = NULL;
	char		 f[128];
	bool		 host = false;
	int		 k, r;

	if (c->facts == NULL || c->facts->container_inspect == NULL || id == NULL)
		return authz_deny(c, RULE_ENGINE, "", "cannot inspect container "
		    "\"%s\": no engine connection. Retry when dockward reaches "
		    "dockerd", id ? id : "");
	r = c->facts->container_inspect(c->facts->ctx, id, &ctr, &err);
	if (r == -ENOENT)
		return 0;	/* dockerd will answer "no such container" */
	if (r < 0)
		return authz_deny(c, RULE_ENGINE, "", "cannot inspect container "
		    "\"%s\": %s. Retry when dockward reaches dockerd", id, err.msg);
	hc = json_object_get(ctr, "HostConfig");
	for (k = AUTHZ_NS_NET, r = 0; k <= AUTHZ_NS_IPC && r == 0 && !host; k++) {
		v = json_string_value(json_object_get(hc, ns_kinds[k].field));
		snprintf(f, sizeof(f), "HostConfig.%s (container %.64s)",
		    ns_kinds[k].field, id);
		if (v != NULL && strncmp(v, "container:", 10) == 0)
			r = authz_namespace_joined_check(c, (enum authz_ns)k, v, f);
		else if (k == AUTHZ_NS_NET)
			r = net_mode_is_host(c, v, f, &host);
		else
			host = v != NULL && strcasecmp(v, "host") == 0;
		if (host)
			what = ns_kinds[k].what;
	}
	if (r == 0 && !host) {
		v = json_string_value(json_object_get(hc, "UsernsMode"));
		if ((host = v != NULL && strcasecmp(v, "host") == 0))
			what = userns_what;
	}
	if (r == 0 && host)
		r = authz_deny(c, RULE_NAMESPACE, "", "container \"%s\" runs in the "
		    "host's %s namespace; %s. %s", id, what, why, fix);
	json_decref(ctr);
	return r;
}

/*
 * POST /containers/{id}/rename: dockward resolves container:NAME when it
 * checks a create, dockerd again when it creates; a container with host
 * namespaces renamed in between to an ordinary container's name would be
 * joined unjudged.  Such containers keep their names.
 */
int
authz_namespace_rename_check(struct authz_ctx *c, const char *id)
{
	return stored_modes_check(c, id, "a container:<name> checked "
	    "against an ordinary container of the new name could join it instead",
	    "An admin renames it, with enhanced container isolation off");
}

/* Docker's IPC-namespaced sysctls (besides fs.mqueue.*). */
static const char *const ipc_sysctls[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	"kernel.shmall", "kernel.shmmax", "kernel.shmmni",
	"kernel.shm_rmid_forced", NULL
};

enum authz_ns_sysctl
authz_namespace_sysctl_class(const char *name)
{
	size_t	i;

	for (i = 0; ipc_sysctls[i] != NULL; i++)
		if (strcmp(name, ipc_sysctls[i]) == 0)
			return AUTHZ_SYSCTL_IPC;
	if (strncmp(name, "fs.mqueue.", 10) == 0)
		return AUTHZ_SYSCTL_IPC;
	if (strncmp(name, "net.", 4) == 0)
		return AUTHZ_SYSCTL_NET;
	return AUTHZ_SYSCTL_HOST;
}

/* ---- log drivers ---- */

/* "unix:..." or "unixgram:..." in any case, after leading blanks. */
static bool
unix_address(const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	return strncasecmp(v, "unix:", 5) == 0 ||
	    strncasecmp(v, "unixgram:", 9) == 0;
}

int
authz_namespace_logconfig_check(struct authz_ctx *c,
    const struct authz_jv *obj, const char *path,
    const struct authz_jv_name *field, const struct authz_jv_name *optfield)
{
	const struct authz_jv	*lc, *opts, *v;
	struct dw_err		 err;
	const char		*k;
	char			 p[160], f[256];
	size_t			 i;
	int			 r;

	if (authz_json_get_object(obj, path, field, &lc, &err) < 0)
		return authz_deny_json(c, &err);
	if (lc == NULL)
		return 0;
	authz_json_join_path(p, sizeof(p), path, field->s);
	if (authz_json_get_object(lc, p, optfield, &opts, &err) < 0)
		return authz_deny_json(c, &err);
	if (opts == NULL)
		return 0;
	authz_jv_object_foreach(opts, i, k, v) {
		if (!authz_jv_is_string(v) && !authz_jv_is_null(v)) {
			dw_err_set(&err, "%s.%s.%s: must be a string", p, optfield->s, k);
			return authz_deny_json(c, &err);
		}
		if (!authz_jv_is_string(v) || !unix_address(authz_jv_string(v)))
			continue;
		snprintf(f, sizeof(f), "%s.%s.%.80s", p, optfield->s, k);
		/* Let through by audit-only mode: the options after it still count. */
		if ((r = authz_deny(c, RULE_LOGADDRESS, f, "%s is \"%s\": the log "
		    "driver runs inside dockerd, as root, and would connect to that "
		    "host socket, whatever it serves. Log to a tcp:// or udp:// "
		    "address, or use the default log driver", f,
		    authz_jv_string(v))) < 0)
			return r;
	}
	return 0;
}

/* ---- networks ---- */

/*
 * Driver options that name a host interface.  bridge.name over an
 * existing interface makes dockerd configure (and, on removal, delete)
 * it; parent makes macvlan/ipvlan attach to (or create a VLAN device on)
 * a host interface; default_bridge is dockerd's own.
 */
static int
netopts_check(struct authz_ctx *c, const struct authz_jv *opts, const char *path)
{
	const struct authz_jv	*v;
	struct dw_err		 err;
	const char		*k, *s;
	char			 f[192];
	size_t			 i;
	int			 r;

	if (opts == NULL)
		return 0;
	/* A denial let through by audit-only mode goes on to the next option. */
	authz_jv_object_foreach(opts, i, k, v) {
		snprintf(f, sizeof(f), "%s.%.120s", path, k);
		if (!authz_jv_is_string(v) && !authz_jv_is_null(v)) {
			dw_err_set(&err, "%s: must be a string", f);
			return authz_deny_json(c, &err);
		}
		s = authz_jv_is_string(v) ? authz_jv_string(v) : "";
		r = 0;
		if (strcasecmp(k, "parent") == 0)
			r = authz_deny(c, RULE_NETWORK_HOSTIF, f, "%s is \"%s\": "
			    "a macvlan or ipvlan network on a host interface puts "
			    "containers on the host's physical network, and a "
			    "parent such as eth0.10 creates a device on the host. "
			    "Use a bridge network, or ask an admin to create this "
			    "network", f, s);
		else if (strcasecmp(k, "com.docker.network.bridge.default_bridge") == 0)
			r = authz_deny(c, RULE_NETWORK_HOSTIF, f, "%s is dockerd's "
			    "own option for its default bridge. Remove it", f);
		else if (strcasecmp(k, "com.docker.network.bridge.name") != 0 ||
		    s[0] == '\0')
			continue;
		else if (strcmp(s, "docker0") == 0)
			r = authz_deny(c, RULE_NETWORK_HOSTIF, f, "%s is \"docker0\", "
			    "the name of dockerd's default bridge. Choose another "
			    "bridge name, or leave it out", f);
		else if (c->facts == NULL || c->facts->host_interface == NULL)
			r = authz_deny(c, RULE_NETWORK_HOSTIF, f, "%s names bridge "
			    "\"%s\" and dockward cannot check the host's interfaces. "
			    "Leave the bridge name out", f, s);
		else if ((r = c->facts->host_interface(c->facts->ctx, s)) == 0)
			continue;
		else
			r = authz_deny(c, RULE_NETWORK_HOSTIF, f, "%s is \"%s\", %s; "
			    "dockerd would take over that interface, configure it and "
			    "delete it when the network is removed. Choose a new bridge "
			    "name, or leave it out", f, s, r > 0 ? "an existing host "
			    "interface" : "which dockward could not check against the "
			    "host's interfaces");
		if (r < 0)
			return r;
	}
	return 0;
}

int
authz_namespace_network_create_check(struct authz_ctx *c)
{
	const struct authz_jv	*root, *opts, *labels;
	struct dw_err		 err;
	int			 r;

	if ((r = authz_deny_unless_body(c, &root)) < 0)
		return r;
	if (authz_json_get_object(root, "", AUTHZ_JSON_F(Options), &opts, &err) < 0 ||
	    authz_json_get_object(root, "", AUTHZ_JSON_F(Labels), &labels, &err) < 0)
		return authz_deny_json(c, &err);
	/* Labels reach the drivers too (libnetwork's generic data): both count. */
	if ((r = netopts_check(c, opts, "Options")) == 0)
		r = netopts_check(c, labels, "Labels");
	return r;
}

/* ---- host facts (the real ones; tests fake them) ---- */

int
authz_namespace_host_cgroup_v1(void *ctx)
{
	struct statfs	st;

	(void)ctx;
	if (statfs("/sys/fs/cgroup", &st) < 0)
		return -errno;
	return st.f_type == CGROUP2_SUPER_MAGIC ? 0 : 1;
}

int
authz_namespace_host_interface(void *ctx, const char *name)
{
	(void)ctx;
	if (name == NULL || name[0] == '\0' || strlen(name) >= IF_NAMESIZE ||
	    strchr(name, '/') != NULL)
		return 0;
	if (if_nametoindex(name) != 0)
		return 1;
	return errno == ENODEV || errno == ENXIO ? 0 : -errno;
}
