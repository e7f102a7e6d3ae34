/*
 * authz_settings: the admin's policy.  Docker's admin-settings.json
 * (configurationFileVersion 2) plus dockward's "dockward" block, parsed
 * with jansson, validated completely (wrong types, bad patterns and bad
 * references refuse the whole file, naming the JSON path), and frozen.
 * Keys we do not enforce become warnings for `dockward check`.
 *
 * The file itself is trusted only when no one but root can have written
 * it: authz_settings_check_owner() walks the path the way the kernel
 * resolves it and checks every directory searched and symlink followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <jansson.h>

#include "common/dw_esc.h"
#include "common/dw_path.h"
#include "common/dw_paths.h"
#include "authz/authz_access.h"
#include "authz/authz_command.h"
#include "authz/authz_desktop.h"
#include "authz/authz_json.h"
#include "authz/authz_settings.h"
#include "authz/authz_warn.h"
#include "digest/digest_ref.h"

#define SET_JPATH_MAX		256	/* one JSON path in a message */
#define SET_ESC_MAX		100	/* one quoted value in a message */
#define SET_SYMLINKS_MAX	40	/* as the kernel's MAXSYMLINKS */
#define SET_VERSION		2
#define SET_PWBUF_MAX		(1024 * 1024)	/* getpwnam_r/getgrnam_r buffer cap */

#define K_ECI		"enhancedContainerIsolation"
#define K_SOCK		K_ECI ".dockerSocketMount"
#define K_IMAGES	K_SOCK ".imageList"
#define K_CMDS		K_SOCK ".commandList"
#define K_USERS		"dockward.users"
#define K_CPROXY	"containersProxy"
#define K_EGRESS	"dockward.egress"

/* The last authz_settings.gen given. */
static uint64_t	settings_gen;

const char *const authz_settings_default_protected_paths[] = {
	"/",
	"/etc",
	"/var/lib/docker",
	"/var/lib/containerd",
	"/run",
	"/var/run",
	"/proc",
	"/sys",
	"/dev",
	"/boot",
	"/root",
	"/usr",
	"/lib",
	"/bin",
	"/sbin",
	DW_PATH_STATE_DIR,
	"/etc/dockward",		/* the policy (DW_PATH_SETTINGS) */
	DW_PATH_PLUGIN_DIR,
	/*
	 * Places where a write becomes root code execution or a stolen
	 * credential ($HOME and /tmp stay open: developers bind them).
	 * /etc, /usr (/usr/lib/modules, /usr/lib/systemd, /usr/local/bin),
	 * /lib (/lib/modules, /lib/systemd), /bin and /sbin are above.
	 */
	"/lib32",		/* libraries and loaders root runs (where not symlinks into /usr) */
	"/lib64",
	"/libx32",
	"/opt",			/* vendor software run as root: /opt/cni/bin (CNI plugins), agents */
	"/var/lib/dpkg",	/* maintainer scripts (info/NAME.postinst) run as root on upgrade */
	"/var/lib/rpm",		/* the rpm database: scriptlets and file ownership */
	"/var/lib/apt",		/* package lists: a forged list makes apt install a forged .deb */
	"/var/cache/apt",	/* the .deb cache that apt installs from when hashes match */
	"/var/cache/debconf",	/* debconf answers, passwords.dat among them */
	"/var/spool",		/* cron and at jobs (/var/spool/cron), run as their owner, root too */
	"/var/lib/systemd",	/* credential.secret (host key of encrypted credentials), timers, linger */
	"/var/lib/extensions",	/* systemd-sysext images, merged into /usr at boot */
	"/var/lib/polkit-1",	/* polkit local authority: who may act as root */
	"/var/lib/sudo",	/* sudo state (lecture and, on older systems, timestamps) */
	"/var/lib/AccountsService",	/* per-user session and account settings the display manager trusts */
	"/var/lib/snapd",	/* snaps run as root; snapd's state and keys */
	"/var/lib/kubelet",	/* pod secrets and the kubelet's credentials */
	"/var/lib/etcd",	/* a cluster's whole state, secrets included */
	"/var/lib/containers",	/* podman/CRI-O root storage: images root runs */
	"/var/lib/buildkit",	/* a standalone buildkitd's state and cache */
	"/var/log",		/* the audit trail, dockward's among them: erasing it hides an attack */
	NULL,
};

static const char *const default_runtimes[] = {
	"runc",
	"io.containerd.runc.v2",
	NULL,
};

/*
 * Top-level keys Docker Desktop defines (docs: "Configure Settings
 * Management with a JSON file").  Accepted with a warning, except the
 * engine-side ones authz_desktop.c enforces (blockDockerLoad,
 * filesharingAllowedDirectories, portBindingBehavior), parsed first.
 */
static const char *const docker_keys[] = {
	"analyticsEnabled",
	"disableUpdate",
	"blockDockerLoad",
	"displayedOnboarding",
	"desktopTerminalEnabled",
	"exposeDockerAPIOnTCP2375",
	"silentModulesUpdate",
	"extensionsEnabled",
	"onlyMarketplaceExtensions",
	"extensionsPrivateMarketplace",
	"extensionsPrivateMarketplaceAdminContactURL",
	"filesharingAllowedDirectories",
	"useVirtualizationFrameworkVirtioFS",
	"useGrpcfuse",
	"useVirtualizationFrameworkRosetta",
	"scout",
	"proxy",
	"linuxVM",
	"windowsContainers",
	"kubernetes",
	"defaultNetworkingMode",
	"dnsInhibition",
	"portBindingBehavior",
	"enableInference",
	"enableInferenceTCP",
	"enableInferenceTCPPort",
	"enableInferenceCORS",
	"enableInferenceGPUVariant",
	"allowBetaFeatures",
	"enableDockerAI",
	"enableDockerMCPToolkit",
	"allowExperimentalFeatures",
	NULL,
};

/* "dockward" keys that later versions define (DESIGN.md §4). */
static const char *const dockward_reserved_keys[] = {
	"gatekeeper",
	NULL,
};

/* What the parse saw, beyond what lands in the settings object. */
struct settings_parse {
	struct authz_settings	*s;
	struct dw_err		*err;
	bool			 have_eci;
	bool			 have_eci_value;
	bool			 have_images;
	bool			 have_cmdlist;
	bool			 have_paths;
	bool			 have_runtimes;
};

/* True when key is in the NULL-terminated list. */
static bool
key_in(const char *const *list, const char *key)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, key) == 0)
			return true;
	return false;
}

/* "parent.key" (or "key" at the top), key escaped. */
static void
jpath_key(char *dst, size_t dstsz, const char *parent, const char *key)
{
	char	q[SET_ESC_MAX];
	int	n;

	dw_esc(q, sizeof(q), key, (size_t)-1);
	if (parent == NULL || parent[0] == '\0')
		n = snprintf(dst, dstsz, "%s", q);
	else
		n = snprintf(dst, dstsz, "%s.%s", parent, q);
	if (n >= (int)dstsz)
		dst[dstsz - 1] = '\0';	/* cut: only shortens a message */
}

/* "parent[i]"; a path too long for dst is cut, which only shortens a message. */
static void
jpath_index(char *dst, size_t dstsz, const char *parent, size_t i)
{
	if (snprintf(dst, dstsz, "%s[%zu]", parent, i) >= (int)dstsz)
		dst[dstsz - 1] = '\0';
}

/* Append one formatted warning.  0 or -ENOMEM. */
static int
settings_warn(struct settings_parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
settings_warn(struct settings_parse *p, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = authz_warn_v(&p->s->warnings, p->err, fmt, ap);
	va_end(ap);
	return r;
}

/* The standard warning for a key nobody defines. */
static int
warn_unknown(struct settings_parse *p, const char *parent, const char *key)
{
	char	path[SET_JPATH_MAX];

	jpath_key(path, sizeof(path), parent, key);
	return settings_warn(p, "unknown key %s, ignored", path);
}

/* Read a boolean. */
static int
get_bool(struct settings_parse *p, const json_t *v, const char *path, bool *ret)
{
	if (!json_is_boolean(v))
		return authz_json_type_error(p->err, path, "true or false", v);
	*ret = json_is_true(v);
	return 0;
}

/* Check v is an array of strings. */
static int
check_string_array(struct settings_parse *p, const json_t *v, const char *path)
{
	char	ipath[SET_JPATH_MAX];
	size_t	i;

	if (!json_is_array(v))
		return authz_json_type_error(p->err, path, "an array of strings", v);
	for (i = 0; i < json_array_size(v); i++)
		if (!json_is_string(json_array_get(v, i))) {
			jpath_index(ipath, sizeof(ipath), path, i);
			return authz_json_type_error(p->err, ipath, "a string",
			    json_array_get(v, i));
		}
	return 0;
}

/* Push unless already present.  0 or -ENOMEM (err set). */
static int
push_unique(struct settings_parse *p, struct dw_strv *sv, char *s)
{
	if (s == NULL || !dw_strv_contains(sv, s)) {
		if (dw_strv_push_take(sv, s) < 0) {
			dw_err_set(p->err, "out of memory");
			return -ENOMEM;
		}
		return 0;
	}
	free(s);
	return 0;
}

/* Copy a NULL-terminated default list into sv. */
static int
push_defaults(struct settings_parse *p, struct dw_strv *sv, const char *const *list)
{
	for (; *list != NULL; list++)
		if (dw_strv_push(sv, *list) < 0) {
			dw_err_set(p->err, "out of memory");
			return -ENOMEM;
		}
	return 0;
}

/* Lexically cleaned copy of an absolute path (dw_path_clean).  NULL on ENOMEM. */
static char *
path_clean(const char *in)
{
	size_t	 len = strlen(in) + 2;
	char	*out;

	if ((out = malloc(len)) != NULL)
		dw_path_clean(in, out, len);
	return out;
}

/* An array of absolute host paths, stored cleaned and without duplicates. */
static int
parse_paths(struct settings_parse *p, const json_t *v, const char *path,
    struct dw_strv *sv)
{
	char		 ipath[SET_JPATH_MAX], q[SET_ESC_MAX];
	const char	*s;
	size_t		 i;
	int		 r;

	if ((r = check_string_array(p, v, path)) < 0)
		return r;
	for (i = 0; i < json_array_size(v); i++) {
		s = json_string_value(json_array_get(v, i));
		jpath_index(ipath, sizeof(ipath), path, i);
		dw_esc(q, sizeof(q), s, (size_t)-1);
		if (s[0] != '/') {
			dw_err_set(p->err, "%s: \"%s\" is not an absolute path", ipath, q);
			return -EINVAL;
		}
		if (strlen(s) >= PATH_MAX) {
			dw_err_set(p->err, "%s: \"%s\" is longer than %d bytes", ipath,
			    q, PATH_MAX - 1);
			return -E2BIG;
		}
		if ((r = push_unique(p, sv, path_clean(s))) < 0)
			return r;
	}
	return 0;
}

/* A runtime or sysctl name: [A-Za-z0-9._/-], 1 to 255 characters. */
static bool
name_valid(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-' || *s == '/'))
			return false;
	return n > 0 && n <= 255;
}

/* An array of runtime or sysctl names, kept as written, without duplicates. */
static int
parse_names(struct settings_parse *p, const json_t *v, const char *path,
    const char *what, struct dw_strv *sv)
{
	char		 ipath[SET_JPATH_MAX], q[SET_ESC_MAX];
	const char	*s;
	size_t		 i;
	int		 r;

	if ((r = check_string_array(p, v, path)) < 0)
		return r;
	for (i = 0; i < json_array_size(v); i++) {
		s = json_string_value(json_array_get(v, i));
		if (!name_valid(s)) {
			jpath_index(ipath, sizeof(ipath), path, i);
			dw_esc(q, sizeof(q), s, (size_t)-1);
			dw_err_set(p->err, "%s: invalid %s \"%s\": use 1 to 255 of "
			    "[A-Za-z0-9._/-]", ipath, what, q);
			return -EINVAL;
		}
		if ((r = push_unique(p, sv, strdup(s))) < 0)
			return r;
	}
	return 0;
}

/* Does s hold a run of 64 hex digits (a container id, in any cgroup naming)? */
static bool
has_container_id(const char *s)
{
	size_t	run = 0;

	for (; *s != '\0'; s++) {
		if ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		    (*s >= 'A' && *s <= 'F')) {
			if (++run >= 64)
				return true;
		} else
			run = 0;
	}
	return false;
}

/*
 * dockward.allowedCgroupParents: exact --cgroup-parent values allowed
 * under ECI.  A value naming a container id would put containers inside
 * that container's cgroup: refused, the admin cannot mean it.
 */
static int
parse_cgroup_parents(struct settings_parse *p, const json_t *v,
    const char *path)
{
	char		 ipath[SET_JPATH_MAX], q[SET_ESC_MAX];
	const char	*s;
	size_t		 i;
	int		 r;

	if ((r = parse_names(p, v, path, "cgroup parent",
	    &p->s->allowed_cgroup_parents)) < 0)
		return r;
	for (i = 0; i < json_array_size(v); i++) {
		s = json_string_value(json_array_get(v, i));
		if (!has_container_id(s))
			continue;
		jpath_index(ipath, sizeof(ipath), path, i);
		dw_esc(q, sizeof(q), s, (size_t)-1);
		dw_err_set(p->err, "%s: \"%s\" names a container id; a container "
		    "placed under another container's cgroup can pass for it. "
		    "List only cgroups of your own", ipath, q);
		return -EINVAL;
	}
	return 0;
}

/* Capabilities: upper-cased, "CAP_" stripped, [A-Z0-9_]+; "ALL" warns. */
static int
parse_caps(struct settings_parse *p, const json_t *v, const char *path)
{
	char		 ipath[SET_JPATH_MAX], q[SET_ESC_MAX], *cap, *c;
	const char	*s;
	size_t		 i;
	int		 r;

	if ((r = check_string_array(p, v, path)) < 0)
		return r;
	for (i = 0; i < json_array_size(v); i++) {
		s = json_string_value(json_array_get(v, i));
		jpath_index(ipath, sizeof(ipath), path, i);
		if (strncasecmp(s, "CAP_", 4) == 0)
			s += 4;
		if ((cap = strdup(s)) == NULL) {
			dw_err_set(p->err, "out of memory");
			return -ENOMEM;
		}
		for (c = cap; *c != '\0'; c++) {
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
			if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			    *c == '_'))
				break;
		}
		if (*c != '\0' || cap[0] == '\0') {
			dw_esc(q, sizeof(q), json_string_value(json_array_get(v, i)), (size_t)-1);
			dw_err_set(p->err, "%s: invalid capability \"%s\": use names like "
			    "\"NET_ADMIN\" or \"CAP_NET_ADMIN\"", ipath, q);
			free(cap);
			return -EINVAL;
		}
		if (strcmp(cap, "ALL") == 0 && settings_warn(p, "%s: \"ALL\" lets "
		    "containers add every capability, which is as dangerous as "
		    "--privileged; list the capabilities your workloads need instead",
		    ipath) < 0) {
			free(cap);
			return -ENOMEM;
		}
		if ((r = push_unique(p, &p->s->allowed_capabilities, cap)) < 0)
			return r;
	}
	return 0;
}

/* One imageList.images entry into e (e->raw always set first, so free is safe). */
static int
parse_image(struct settings_parse *p, struct authz_image_entry *e,
    const char *raw, const char *path)
{
	struct digest_ref	*ref = NULL;
	struct dw_err		 rerr;
	char			 q[SET_ESC_MAX];
	const char		*tag;
	int			 r = -ENOMEM;

	if ((e->raw = strdup(raw)) == NULL)
		goto out;
	if (strcmp(raw, "*") == 0) {
		e->any_image = true;
		r = settings_warn(p, "%s: \"*\" lets EVERY image mount the Docker "
		    "socket, and a container with the socket controls the engine "
		    "and the host; list the images that need it instead", path);
		goto out;
	}
	dw_esc(q, sizeof(q), raw, (size_t)-1);
	if ((ref = digest_ref_parse(raw, DIGEST_REF_ALLOW_WILDCARD, &rerr)) == NULL) {
		dw_err_set(p->err, "%s: invalid reference \"%s\": %s", path, q, rerr.msg);
		r = -EINVAL;
		goto out;
	}
	tag = ref->tag;
	if (ref->digest != NULL && tag != NULL && strcmp(tag, "*") == 0) {
		dw_err_set(p->err, "%s: invalid reference \"%s\": a digest names one "
		    "image and cannot be combined with the any-tag wildcard \":*\"",
		    path, q);
		r = -EINVAL;
		goto out;
	}
	if ((e->name = digest_ref_name(ref)) == NULL)
		goto out;
	if (ref->digest != NULL) {
		if ((e->digest = strdup(ref->digest)) == NULL ||
		    (tag != NULL && (e->tag = strdup(tag)) == NULL))
			goto out;
	} else if (tag != NULL && strcmp(tag, "*") == 0)
		e->any_tag = true;
	else if ((e->tag = strdup(tag != NULL ? tag : "latest")) == NULL)
		goto out;
	r = 0;
out:
	if (r == -ENOMEM)
		dw_err_set(p->err, "out of memory");
	digest_ref_free(ref);
	return r;
}

/* dockerSocketMount.imageList: {"images": [...], "allowDerivedImages": bool}. */
static int
parse_image_list(struct settings_parse *p, json_t *v)
{
	struct authz_settings	*s = p->s;
	const char		*key;
	json_t			*item;
	char			 path[SET_JPATH_MAX];
	size_t			 i, n;
	int			 r;

	if (!json_is_object(v))
		return authz_json_type_error(p->err, K_IMAGES, "an object", v);
	json_object_foreach(v, key, item) {
		jpath_key(path, sizeof(path), K_IMAGES, key);
		if (strcmp(key, "images") == 0) {
			if ((r = check_string_array(p, item, path)) < 0)
				return r;
			if ((n = json_array_size(item)) == 0)
				continue;
			if ((s->images = calloc(n, sizeof(*s->images))) == NULL) {
				dw_err_set(p->err, "out of memory");
				return -ENOMEM;
			}
			s->nimages = n;
			p->have_images = true;
			for (i = 0; i < n; i++) {
				char	ipath[SET_JPATH_MAX];

				jpath_index(ipath, sizeof(ipath), path, i);
				if ((r = parse_image(p, &s->images[i],
				    json_string_value(json_array_get(item, i)),
				    ipath)) < 0)
					return r;
			}
		} else if (strcmp(key, "allowDerivedImages") == 0) {
			if ((r = get_bool(p, item, path, &s->allow_derived)) < 0)
				return r;
		} else if ((r = warn_unknown(p, K_IMAGES, key)) < 0)
			return r;
	}
	return 0;
}

/* A command pattern: lowercase words of [a-z0-9*-] separated by single spaces. */
static bool
command_valid(const char *c)
{
	bool	in_word = false;

	for (; *c != '\0'; c++) {
		if (*c == ' ') {
			if (!in_word)
				return false;
			in_word = false;
		} else if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		    *c == '*' || *c == '-')
			in_word = true;
		else
			return false;
	}
	return in_word;
}

/* One commandList and what it governs (for messages). */
struct cmdlist_spec {
	const char		*path;	/* JSON path of the commandList object */
	const char		*who;	/* "containers that mount the socket" */
	enum authz_cmdlist_type	*type;
	struct dw_strv		*commands;
};

/* commandList.commands: valid patterns, each warned about when it names no command. */
static int
parse_commands(struct settings_parse *p, const json_t *item, const char *path,
    struct dw_strv *commands)
{
	char		 ipath[SET_JPATH_MAX], q[SET_ESC_MAX];
	const char	*c;
	size_t		 i;
	int		 r;

	if ((r = check_string_array(p, item, path)) < 0)
		return r;
	for (i = 0; i < json_array_size(item); i++) {
		c = json_string_value(json_array_get(item, i));
		jpath_index(ipath, sizeof(ipath), path, i);
		dw_esc(q, sizeof(q), c, (size_t)-1);
		if (!command_valid(c)) {
			dw_err_set(p->err, "%s: invalid command \"%s\": use "
			    "Docker CLI command names such as \"push\", "
			    "\"image*\" or \"container ls\" (lowercase words "
			    "separated by single spaces)", ipath, q);
			return -EINVAL;
		}
		/* A typo ("pusj") would silently restrict nothing, or everything. */
		if (!authz_command_known(c) && (r = settings_warn(p, "%s: \"%s\" "
		    "matches no docker command that uses the Engine API, so it "
		    "has no effect; check the spelling (commands are written as "
		    "typed after \"docker\", such as \"push\" or \"image ls\")",
		    ipath, q)) < 0)
			return r;
		if (dw_strv_push(commands, c) < 0) {
			dw_err_set(p->err, "out of memory");
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * A commandList object, {"type": "allow"|"deny", "commands": [...]}, as
 * Docker defines it for dockerSocketMount.  *ret_have is set when both
 * keys were given.
 */
static int
parse_command_list(struct settings_parse *p, json_t *v,
    const struct cmdlist_spec *cl, bool *ret_have)
{
	const char	*key, *c;
	json_t		*item;
	char		 path[SET_JPATH_MAX], q[SET_ESC_MAX];
	bool		 have_type = false, have_cmds = false;
	int		 r;

	if (!json_is_object(v))
		return authz_json_type_error(p->err, cl->path, "an object", v);
	json_object_foreach(v, key, item) {
		jpath_key(path, sizeof(path), cl->path, key);
		if (strcmp(key, "type") == 0) {
			if (!json_is_string(item))
				return authz_json_type_error(p->err, path,
				    "\"allow\" or \"deny\"", item);
			c = json_string_value(item);
			if (strcmp(c, "allow") == 0)
				*cl->type = AUTHZ_CMDLIST_ALLOW;
			else if (strcmp(c, "deny") == 0)
				*cl->type = AUTHZ_CMDLIST_DENY;
			else {
				dw_esc(q, sizeof(q), c, (size_t)-1);
				dw_err_set(p->err, "%s: expected \"allow\" or \"deny\", "
				    "got \"%s\"", path, q);
				return -EINVAL;
			}
			have_type = true;
		} else if (strcmp(key, "commands") == 0) {
			if ((r = parse_commands(p, item, path, cl->commands)) < 0)
				return r;
			have_cmds = true;
		} else if ((r = warn_unknown(p, cl->path, key)) < 0)
			return r;
	}
	if (have_type != have_cmds) {
		dw_err_set(p->err, "%s.%s: missing; a commandList needs both \"type\" "
		    "(\"allow\" or \"deny\") and \"commands\"", cl->path,
		    have_type ? "commands" : "type");
		return -EINVAL;
	}
	if (!have_type) {
		*cl->type = AUTHZ_CMDLIST_NONE;
		return settings_warn(p, "%s: empty, no command is restricted", cl->path);
	}
	*ret_have = true;
	if (*cl->type == AUTHZ_CMDLIST_ALLOW && cl->commands->n == 0)
		return settings_warn(p, "%s: an allow list with no commands blocks "
		    "every Docker command for %s", cl->path, cl->who);
	return 0;
}

/* enhancedContainerIsolation.dockerSocketMount: {"imageList": ..., "commandList": ...}. */
static int
parse_socket_mount(struct settings_parse *p, json_t *v)
{
	const char	*key;
	json_t		*item;
	int		 r;

	if (!json_is_object(v))
		return authz_json_type_error(p->err, K_SOCK, "an object", v);
	json_object_foreach(v, key, item) {
		if (strcmp(key, "imageList") == 0)
			r = parse_image_list(p, item);
		else if (strcmp(key, "commandList") == 0) {
			struct cmdlist_spec cl = {
				.path = K_CMDS,
				.who = "containers that mount the Docker socket",
				.type = &p->s->cmdlist_type,
				.commands = &p->s->commands,
			};

			r = parse_command_list(p, item, &cl, &p->have_cmdlist);
		}
		else
			r = warn_unknown(p, K_SOCK, key);
		if (r < 0)
			return r;
	}
	return 0;
}

/* enhancedContainerIsolation: {"value": bool, "locked": bool, "dockerSocketMount": ...}. */
static int
parse_eci(struct settings_parse *p, json_t *v)
{
	const char	*key;
	json_t		*item;
	char		 path[SET_JPATH_MAX];
	int		 r;

	if (!json_is_object(v))
		return authz_json_type_error(p->err, K_ECI, "an object such as "
		    "{\"value\": true, \"locked\": true}", v);
	p->have_eci = true;
	json_object_foreach(v, key, item) {
		jpath_key(path, sizeof(path), K_ECI, key);
		if (strcmp(key, "value") == 0) {
			r = get_bool(p, item, path, &p->s->eci_enabled);
			p->have_eci_value = true;
		} else if (strcmp(key, "locked") == 0)
			r = get_bool(p, item, path, &p->s->eci_locked);
		else if (strcmp(key, "dockerSocketMount") == 0)
			r = parse_socket_mount(p, item);
		else
			r = warn_unknown(p, K_ECI, key);
		if (r < 0)
			return r;
	}
	return 0;
}

/* An optional absolute file path string, stored as written. */
static int
get_abs_path(struct settings_parse *p, const json_t *v, const char *path, char **ret)
{
	if (!json_is_string(v) || json_string_value(v)[0] != '/')
		return authz_json_type_error(p->err, path, "an absolute path", v);
	free(*ret);
	if ((*ret = strdup(json_string_value(v))) == NULL) {
		dw_err_set(p->err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* A whole number of seconds within [min, max]. */
static int
get_seconds(struct settings_parse *p, const json_t *v, const char *path,
    long min, long max, long *ret)
{
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		dw_err_set(p->err, "%s: must be a whole number of seconds from %ld "
		    "to %ld", path, min, max);
		return -EINVAL;
	}
	*ret = (long)json_integer_value(v);
	return 0;
}

/*
 * dockward.imageVerification: {"refreshSeconds", "graceSeconds",
 * "insecureRegistries", "caFile", "dockerConfig"}.
 */
static int
parse_image_verification(struct settings_parse *p, json_t *v)
{
	static const char *const K = "dockward.imageVerification";
	struct authz_settings	*s = p->s;
	const char		*key;
	json_t			*item;
	char			 path[SET_JPATH_MAX];
	size_t			 i;
	int			 r;

	if (!json_is_object(v))
		return authz_json_type_error(p->err, K, "an object", v);
	json_object_foreach(v, key, item) {
		jpath_key(path, sizeof(path), K, key);
		if (strcmp(key, "refreshSeconds") == 0)
			r = get_seconds(p, item, path, 1, 7 * 86400, &s->refresh_seconds);
		else if (strcmp(key, "graceSeconds") == 0)
			r = get_seconds(p, item, path, 0, 365 * 86400, &s->grace_seconds);
		else if (strcmp(key, "insecureRegistries") == 0) {
			if ((r = check_string_array(p, item, path)) < 0)
				return r;
			for (i = 0; i < json_array_size(item) && r == 0; i++) {
				const char *h = json_string_value(json_array_get(item, i));

				if (h[0] == '\0' || strpbrk(h, "/ @") != NULL) {
					dw_err_set(p->err, "%s.insecureRegistries[%zu]: \"%s\" "
					    "is not a host[:port]", K, i, h);
					return -EINVAL;
				}
				r = push_unique(p, &s->insecure_registries, strdup(h));
			}
			if (r == 0 && json_array_size(item) > 0)
				r = settings_warn(p, "%s: registries reached over plain "
				    "HTTP can be impersonated on the network", path);
		} else if (strcmp(key, "caFile") == 0)
			r = get_abs_path(p, item, path, &s->registry_ca_file);
		else if (strcmp(key, "dockerConfig") == 0)
			r = get_abs_path(p, item, path, &s->docker_config);
		else
			r = warn_unknown(p, K, key);
		if (r < 0)
			return r;
	}
	if (s->grace_seconds > 0 && s->grace_seconds < s->refresh_seconds)
		return settings_warn(p, "%s.graceSeconds is shorter than "
		    "refreshSeconds: proofs expire before they are refreshed", K);
	return 0;
}

/*
 * Look a user (group false) or group name up in the host's databases.
 * 0 and *ret, -ENOENT when there is no such entry, another -errno on a
 * lookup failure.
 */
static int
lookup_id(const char *name, bool group, unsigned long *ret)
{
	struct passwd	 pw, *pwr = NULL;
	struct group	 gr, *grr = NULL;
	char		*buf = NULL, *nbuf;
	long		 sz;
	size_t		 len;
	int		 e;

	sz = sysconf(group ? _SC_GETGR_R_SIZE_MAX : _SC_GETPW_R_SIZE_MAX);
	len = sz > 0 ? (size_t)sz : 4096;
	for (;;) {
		if ((nbuf = realloc(buf, len)) == NULL) {
			e = ENOMEM;
			break;
		}
		buf = nbuf;
		if (group)
			e = getgrnam_r(name, &gr, buf, len, &grr);
		else
			e = getpwnam_r(name, &pw, buf, len, &pwr);
		if (e != ERANGE || len >= SET_PWBUF_MAX)
			break;
		len *= 2;
	}
	free(buf);
	if (e != 0)
		return -e;
	if (group ? grr == NULL : pwr == NULL)
		return -ENOENT;
	*ret = group ? (unsigned long)gr.gr_gid : (unsigned long)pw.pw_uid;
	return 0;
}

/*
 * One allowUsers/exemptGroups... entry: a decimal id, or a name resolved
 * now.  1 and *ret when it names an id, 0 when it was ignored with a
 * warning (no such user or group), <0 with err on a refusal.
 */
static int
resolve_id(struct settings_parse *p, const char *s, const char *ipath,
    bool group, unsigned long *ret)
{
	const char	*what = group ? "group" : "user";
	char		 q[SET_ESC_MAX], *end;
	unsigned long	 id;
	int		 r;

	dw_esc(q, sizeof(q), s, (size_t)-1);
	if (s[0] == '\0') {
		dw_err_set(p->err, "%s: empty %s name; give a %s name or a "
		    "decimal id", ipath, what, what);
		return -EINVAL;
	}
	if (strspn(s, "0123456789") == strlen(s)) {
		errno = 0;
		id = strtoul(s, &end, 10);
		/* (uid_t)-1 and (gid_t)-1 mean "no id" to the kernel. */
		if (errno != 0 || *end != '\0' || strlen(s) > 10 ||
		    id >= (unsigned long)UINT32_MAX) {
			dw_err_set(p->err, "%s: %s id \"%s\" is out of range (0 to "
			    "%lu)", ipath, what, q, (unsigned long)UINT32_MAX - 1);
			return -ERANGE;
		}
		*ret = id;
		return 1;
	}
	if ((r = lookup_id(s, group, ret)) == 0)
		return 1;
	if (r == -ENOMEM) {
		dw_err_set(p->err, "out of memory");
		return r;
	}
	if (r == -ENOENT)
		r = settings_warn(p, "%s: no %s \"%s\" on this host, entry ignored",
		    ipath, what, q);
	else
		r = settings_warn(p, "%s: cannot look %s \"%s\" up (%s), entry "
		    "ignored", ipath, what, q, strerror(-r));
	return r < 0 ? r : 0;
}

/* An array of user (group false) or group names and ids, resolved and deduplicated. */
static int
parse_ids(struct settings_parse *p, const json_t *v, const char *path,
    bool group, uid_t **ret_uids, gid_t **ret_gids, size_t *ret_n)
{
	char		 ipath[SET_JPATH_MAX];
	unsigned long	 id, *ids = NULL;
	size_t		 i, j, n = 0;
	int		 r;

	if ((r = check_string_array(p, v, path)) < 0)
		return r;
	if (json_array_size(v) > 0 &&
	    (ids = calloc(json_array_size(v), sizeof(*ids))) == NULL)
		goto nomem;
	for (i = 0; i < json_array_size(v); i++) {
		jpath_index(ipath, sizeof(ipath), path, i);
		if ((r = resolve_id(p, json_string_value(json_array_get(v, i)),
		    ipath, group, &id)) < 0)
			goto out;
		for (j = 0; r == 1 && j < n; j++)
			if (ids[j] == id)
				r = 0;
		if (r == 1)
			ids[n++] = id;
	}
	/* A key given twice in one object is refused by the JSON parser. */
	if (group) {
		if (n > 0 && (*ret_gids = calloc(n, sizeof(**ret_gids))) == NULL)
			goto nomem;
		for (i = 0; i < n; i++)
			(*ret_gids)[i] = (gid_t)ids[i];
	} else {
		if (n > 0 && (*ret_uids = calloc(n, sizeof(**ret_uids))) == NULL)
			goto nomem;
		for (i = 0; i < n; i++)
			(*ret_uids)[i] = (uid_t)ids[i];
	}
	*ret_n = n;
	r = 0;
	goto out;
nomem:
	dw_err_set(p->err, "out of memory");
	r = -ENOMEM;
out:
	free(ids);
	return r;
}

/*
 * dockward.users: {"allowUsers", "allowGroups", "exemptUsers",
 * "exemptGroups", "commandList"} for host callers of the gatekeeper.
 */
static int
parse_users(struct settings_parse *p, json_t *v)
{
	struct authz_users	*u = &p->s->users;
	struct cmdlist_spec	 cl = {
		.path = K_USERS ".commandList",
		.who = "host users",
		.type = &u->cmdlist_type,
		.commands = &u->commands,
	};
	const char		*key;
	json_t			*item;
	char			 path[SET_JPATH_MAX];
	bool			 have_cmdlist = false, have_exempt = false;
	int			 r;

	if (!json_is_object(v))
		return authz_json_type_error(p->err, K_USERS, "an object", v);
	u->present = true;
	json_object_foreach(v, key, item) {
		jpath_key(path, sizeof(path), K_USERS, key);
		if (strcmp(key, "allowUsers") == 0) {
			r = parse_ids(p, item, path, false, &u->allow_uids, NULL,
			    &u->nallow_uids);
			u->restrict_connect = true;
		} else if (strcmp(key, "allowGroups") == 0) {
			r = parse_ids(p, item, path, true, NULL, &u->allow_gids,
			    &u->nallow_gids);
			u->restrict_connect = true;
		} else if (strcmp(key, "exemptUsers") == 0) {
			r = parse_ids(p, item, path, false, &u->exempt_uids, NULL,
			    &u->nexempt_uids);
			have_exempt = true;
		} else if (strcmp(key, "exemptGroups") == 0) {
			r = parse_ids(p, item, path, true, NULL, &u->exempt_gids,
			    &u->nexempt_gids);
			have_exempt = true;
		} else if (strcmp(key, "commandList") == 0)
			r = parse_command_list(p, item, &cl, &have_cmdlist);
		else
			r = warn_unknown(p, K_USERS, key);
		if (r < 0)
			return r;
	}
	if (u->restrict_connect && u->nallow_uids == 0 && u->nallow_gids == 0 &&
	    (r = settings_warn(p, "%s: allowUsers and allowGroups name no user or "
	    "group of this host, so only root may use the gatekeeper socket",
	    K_USERS)) < 0)
		return r;
	if (have_exempt && !have_cmdlist)
		return settings_warn(p, "%s: exemptUsers and exemptGroups have no "
		    "effect without %s.commandList", K_USERS, K_USERS);
	return 0;
}

/*
 * dockward.allowedVolumeTypes: the network filesystems the local volume
 * driver may mount besides bind and tmpfs.  Only these four: their source
 * is a remote export, while any other type mounts something of this host
 * (a block device, proc, sysfs, an overlay of host directories) as root.
 */
static int
parse_volume_types(struct settings_parse *p, const json_t *v, const char *path)
{
	static const char *const network_types[] = { "nfs", "nfs4", "cifs",
	    "smb3", NULL };
	char		 ipath[SET_JPATH_MAX], q[SET_ESC_MAX];
	const char	*t;
	size_t		 i;
	int		 r;

	if ((r = check_string_array(p, v, path)) < 0)
		return r;
	for (i = 0; i < json_array_size(v); i++) {
		t = json_string_value(json_array_get(v, i));
		if (!key_in(network_types, t)) {
			jpath_index(ipath, sizeof(ipath), path, i);
			dw_esc(q, sizeof(q), t, (size_t)-1);
			dw_err_set(p->err, "%s: \"%s\" is not a network filesystem "
			    "type dockward can allow; use nfs, nfs4, cifs or smb3 "
			    "(bind and tmpfs volumes need no setting)", ipath, q);
			return -EINVAL;
		}
		if ((r = push_unique(p, &p->s->allowed_volume_types,
		    strdup(t))) < 0)
			return r;
	}
	if (json_array_size(v) > 0)
		return settings_warn(p, "%s: local volumes of these types are "
		    "mounted as root on the host from any server a user names, "
		    "with the options the user gives (sec=, credentials); dockward "
		    "checks neither", path);
	return 0;
}

/*
 * An IP address as text, IPv4 or IPv6, into 16 bytes (an IPv4 address, or
 * an IPv4-mapped IPv6 one, as ::ffff:a.b.c.d: both reach the same
 * resolver).  True when it parses.
 */
static bool
dns_addr_parse(const char *text, unsigned char out[16])
{
	struct in_addr	v4;

	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, &v4) == 1) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &v4, 4);
		return true;
	}
	return inet_pton(AF_INET6, text, out) == 1;
}

/*
 * dockward.egress: only what the API rules need is read here (udp, and
 * dnsServers as IP addresses); the egress module validates the whole
 * block when the daemon or `check` parses it with egress_policy_parse.
 */
static int
parse_egress(struct settings_parse *p, json_t *v)
{
	struct authz_settings	*s = p->s;
	const char		*u, *a;
	json_t			*item;
	char			 path[SET_JPATH_MAX], ipath[SET_JPATH_MAX];
	char			 q[SET_ESC_MAX];
	unsigned char		 bin[16];
	size_t			 i;
	int			 r;

	if (!json_is_object(v))
		return authz_json_type_error(p->err, K_EGRESS, "an object", v);
	if ((item = json_object_get(v, "udp")) != NULL) {
		jpath_key(path, sizeof(path), K_EGRESS, "udp");
		if (!json_is_string(item))
			return authz_json_type_error(p->err, path,
			    "\"dns-only\", \"allow\" or \"block\"", item);
		u = json_string_value(item);
		if (strcmp(u, "dns-only") != 0 && strcmp(u, "allow") != 0 &&
		    strcmp(u, "block") != 0) {
			dw_esc(q, sizeof(q), u, (size_t)-1);
			dw_err_set(p->err, "%s: expected \"dns-only\", \"allow\" or "
			    "\"block\", got \"%s\"", path, q);
			return -EINVAL;
		}
		s->egress_dns_rule = strcmp(u, "allow") != 0;
	}
	if ((item = json_object_get(v, "dnsServers")) != NULL) {
		jpath_key(path, sizeof(path), K_EGRESS, "dnsServers");
		if ((r = check_string_array(p, item, path)) < 0)
			return r;
		for (i = 0; i < json_array_size(item); i++) {
			a = json_string_value(json_array_get(item, i));
			if (!dns_addr_parse(a, bin)) {
				jpath_index(ipath, sizeof(ipath), path, i);
				dw_esc(q, sizeof(q), a, (size_t)-1);
				dw_err_set(p->err, "%s: \"%s\" is not an IP address; "
				    "list resolvers by address, such as \"10.0.0.53\"",
				    ipath, q);
				return -EINVAL;
			}
			if ((r = push_unique(p, &s->egress_dns, strdup(a))) < 0)
				return r;
		}
	}
	s->egress = json_incref(v);
	return 0;
}

/*
 * containersProxy (Docker's air-gapped containers): present as an object
 * means the egress policy is on.  Its contents are the egress module's.
 */
static int
parse_containers_proxy(struct settings_parse *p, json_t *v)
{
	if (!json_is_object(v))
		return authz_json_type_error(p->err, K_CPROXY, "an object such as "
		    "{\"locked\": true, \"mode\": \"manual\", \"http\": \"\", "
		    "\"https\": \"\", \"exclude\": [], \"transparentPorts\": \"*\"}", v);
	p->s->egress_enabled = true;
	p->s->containers_proxy = json_incref(v);
	return 0;
}

/* The "dockward" extension block. */
static int
parse_dockward(struct settings_parse *p, json_t *v)
{
	struct authz_settings	*s = p->s;
	const char		*key;
	json_t			*item;
	char			 path[SET_JPATH_MAX];
	int			 r;

	if (!json_is_object(v))
		return authz_json_type_error(p->err, "dockward", "an object", v);
	json_object_foreach(v, key, item) {
		jpath_key(path, sizeof(path), "dockward", key);
		if (strcmp(key, "protectedPaths") == 0) {
			r = parse_paths(p, item, path, &s->protected_paths);
			p->have_paths = true;
		} else if (strcmp(key, "allowedRuntimes") == 0) {
			r = parse_names(p, item, path, "runtime name",
			    &s->allowed_runtimes);
			p->have_runtimes = true;
		} else if (strcmp(key, "allowedCapabilities") == 0)
			r = parse_caps(p, item, path);
		else if (strcmp(key, "allowedDevices") == 0)
			r = parse_paths(p, item, path, &s->allowed_devices);
		else if (strcmp(key, "allowedSysctls") == 0)
			r = parse_names(p, item, path, "sysctl name",
			    &s->allowed_sysctls);
		else if (strcmp(key, "allowedCgroupParents") == 0)
			r = parse_cgroup_parents(p, item, path);
		else if (strcmp(key, "allowSwarmJoin") == 0)
			r = get_bool(p, item, path, &s->allow_swarm_join);
		else if (strcmp(key, "allowUncheckedBuilds") == 0)
			r = get_bool(p, item, path, &s->allow_unchecked_builds);
		else if (strcmp(key, "allowBuildKit") == 0)
			r = get_bool(p, item, path, &s->allow_buildkit);
		else if (strcmp(key, "allowedVolumeTypes") == 0)
			r = parse_volume_types(p, item, path);
		else if (strcmp(key, "imageVerification") == 0)
			r = parse_image_verification(p, item);
		else if (strcmp(key, "egress") == 0)
			r = parse_egress(p, item);
		else if (strcmp(key, "users") == 0)
			r = parse_users(p, item);
		else if (strcmp(key, "enforcement") == 0)
			r = authz_enforce_mode_parse(item, path, &s->enforce.global,
			    p->err);
		else if (strcmp(key, "ruleEnforcement") == 0)
			r = authz_enforce_rules_parse(item, path, &s->enforce, p->err);
		else if (strcmp(key, "registryAccess") == 0)
			r = authz_access_registry_parse(item, path,
			    &s->registry_access, &s->warnings, p->err);
		else if (strcmp(key, "imageAccess") == 0)
			r = authz_access_image_parse(item, path,
			    &s->image_access, &s->warnings, p->err);
		else if (strcmp(key, "policy") == 0)
			r = authz_policymeta_parse(item, path, &s->meta,
			    &s->warnings, p->err);
		else if (key_in(dockward_reserved_keys, key))
			r = settings_warn(p, "%s: not supported by this version of "
			    "dockward, ignored", path);
		else
			r = warn_unknown(p, "dockward", key);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Defaults for what the file left out, and the warnings about the whole. */
static int
parse_finish(struct settings_parse *p)
{
	struct authz_settings		*s = p->s;
	const char *const		*d;
	int				 r;

	if (!p->have_paths &&
	    (r = push_defaults(p, &s->protected_paths, authz_settings_default_protected_paths)) < 0)
		return r;
	if (p->have_paths)
		for (d = authz_settings_default_protected_paths; *d != NULL; d++)
			if (!dw_strv_contains(&s->protected_paths, *d) &&
			    (r = settings_warn(p, "dockward.protectedPaths: default "
			    "protected path %s is not in the list, so bind mounts of "
			    "it are no longer refused", *d)) < 0)
				return r;
	if (!p->have_runtimes &&
	    (r = push_defaults(p, &s->allowed_runtimes, default_runtimes)) < 0)
		return r;
	if ((r = authz_enforce_finish(&s->enforce, &s->warnings, p->err)) < 0)
		return r;

	if (!p->have_eci)
		r = settings_warn(p, "%s: absent, so ECI is off: privileged containers, "
		    "host namespaces and Docker socket mounts are not restricted; "
		    "add {\"value\": true, \"locked\": true} to turn it on", K_ECI);
	else if (!s->eci_enabled)
		r = settings_warn(p, "%s.value is %s, so ECI is off: privileged "
		    "containers, host namespaces and Docker socket mounts are not "
		    "restricted", K_ECI, p->have_eci_value ? "false" : "missing");
	else
		r = 0;
	if (r < 0)
		return r;
	if (s->allow_buildkit && (r = settings_warn(p, "dockward.allowBuildKit: "
	    "BuildKit builds (POST /grpc, /session, /build?version=2) pass "
	    "without dockward seeing their steps: RUN steps may use the host's "
	    "network (network.host entitlement) and base images come from any "
	    "registry")) < 0)
		return r;
	if (s->allow_buildkit && !s->eci_enabled && !s->registry_access.present &&
	    !s->image_access.present && (r = settings_warn(p, "dockward.allowBuildKit: "
	    "has no effect: BuildKit is refused only with ECI on or with "
	    "registryAccess or imageAccess set")) < 0)
		return r;
	if (s->egress != NULL && !s->egress_enabled &&
	    (r = settings_warn(p, "%s: has no effect without %s", K_EGRESS,
	    K_CPROXY)) < 0)
		return r;
	if (s->egress_enabled && !s->eci_enabled && (r = settings_warn(p, "%s: "
	    "ECI is off, so containers may run privileged, with --pid=host, with "
	    "CAP_SYS_ADMIN, CAP_NET_ADMIN or CAP_SYS_MODULE, or with the Docker "
	    "socket; such a container can enter the host's network namespace "
	    "(nsenter -t 1 -n), delete dockward's nftables table or start a "
	    "container of its own around the rules, and then reach the network "
	    "directly. The egress policy holds only against containers that "
	    "cannot act as root on the host: turn ECI on", K_CPROXY)) < 0)
		return r;
	if (!s->eci_enabled && s->desktop.share_set &&
	    (r = settings_warn(p, "filesharingAllowedDirectories: ECI is off, so "
	    "bind mounts are not checked and the list is not applied")) < 0)
		return r;
	if (!s->eci_enabled && (p->have_images || p->have_cmdlist))
		return settings_warn(p, "%s: ECI is off, so its image and command "
		    "lists are not applied and any container may mount the Docker "
		    "socket", K_SOCK);
	return 0;
}

/* Parse and validate a settings document held in memory (see authz_settings.h). */
struct authz_settings *
authz_settings_parse(const char *buf, size_t len, const char *origin,
    struct dw_err *err)
{
	struct settings_parse	 p;
	struct authz_settings	*ret = NULL;
	json_error_t		 jerr;
	json_t			*root = NULL, *v;
	const char		*key;
	char			 path[SET_JPATH_MAX];
	int			 r;

	memset(&p, 0, sizeof(p));
	p.err = err;
	if (buf == NULL) {
		dw_err_set(err, "no policy text");
		return NULL;
	}
	if (len > DW_SETTINGS_MAX) {
		dw_err_set(err, "policy is %zu bytes; the limit is %d", len,
		    DW_SETTINGS_MAX);
		return NULL;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		dw_err_set(err, "line 1, column 1: the file starts with a UTF-8 byte "
		    "order mark; save it as UTF-8 without BOM");
		return NULL;
	}
	if ((root = json_loadb(buf, len,
	    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr)) == NULL) {
		dw_err_set(err, "line %d, column %d: %s", jerr.line, jerr.column,
		    jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		authz_json_type_error(err, "top level", "an object", root);
		goto out;
	}
	if ((p.s = calloc(1, sizeof(*p.s))) == NULL ||
	    (p.s->origin = strdup(origin != NULL ? origin : "<string>")) == NULL) {
		dw_err_set(err, "out of memory");
		goto out;
	}
	p.s->gen = __atomic_add_fetch(&settings_gen, 1, __ATOMIC_RELAXED);
	p.s->loaded_at = time(NULL);
	p.s->refresh_seconds = 300;
	p.s->grace_seconds = 86400;
	p.s->egress_dns_rule = true;	/* dockward.egress.udp defaults to "dns-only" */

	if ((v = json_object_get(root, "configurationFileVersion")) == NULL) {
		dw_err_set(err, "configurationFileVersion: missing; an admin-settings.json "
		    "needs \"configurationFileVersion\": %d", SET_VERSION);
		goto out;
	}
	if (!json_is_integer(v)) {
		authz_json_type_error(err, "configurationFileVersion", "the integer 2", v);
		goto out;
	}
	if (json_integer_value(v) != SET_VERSION) {
		dw_err_set(err, "configurationFileVersion: version %" JSON_INTEGER_FORMAT
		    " is not supported; dockward reads version %d",
		    json_integer_value(v), SET_VERSION);
		goto out;
	}

	json_object_foreach(root, key, v) {
		if (strcmp(key, "configurationFileVersion") == 0)
			continue;
		if (strcmp(key, K_ECI) == 0)
			r = parse_eci(&p, v);
		else if (strcmp(key, K_CPROXY) == 0)
			r = parse_containers_proxy(&p, v);
		else if (strcmp(key, "dockward") == 0)
			r = parse_dockward(&p, v);
		else if ((r = authz_desktop_parse(&p.s->desktop, key, v,
		    &p.s->warnings, err)) != 0)
			;	/* enforced Docker Desktop setting, or its error */
		else if (key_in(docker_keys, key)) {
			jpath_key(path, sizeof(path), NULL, key);
			r = settings_warn(&p, "%s: Docker Desktop setting, not enforced "
			    "by this version of dockward", path);
		} else
			r = warn_unknown(&p, NULL, key);
		if (r < 0)
			goto out;
	}
	if (parse_finish(&p) < 0)
		goto out;
	ret = p.s;
	p.s = NULL;
out:
	json_decref(root);
	authz_settings_free(p.s);
	return ret;
}

/*
 * Why the file, a directory or a symlink on the way is not trusted, with
 * the owner, the mode and the fix.
 */
static int
owner_refuse(struct dw_err *err, const char *what, const char *path,
    const struct stat *st, const char *why, bool move_hint)
{
	char	q[SET_ESC_MAX * 2];

	dw_esc(q, sizeof(q), path, (size_t)-1);
	if (move_hint)
		dw_err_set(err, "%s %s (owner uid %u, mode %04o) %s; move the policy "
		    "into a directory only root can write, such as /etc/dockward",
		    what, q, (unsigned)st->st_uid, (unsigned)(st->st_mode & 07777), why);
	else
		dw_err_set(err, "%s %s (owner uid %u, mode %04o) %s; fix: chown "
		    "root:root %s && chmod go-w %s", what, q, (unsigned)st->st_uid,
		    (unsigned)(st->st_mode & 07777), why, q, q);
	return -EPERM;
}

/* A directory that is searched on the way: root-owned, and not writable by others unless sticky. */
static int
check_dir(const char *dir, bool sticky_ok, bool parent, struct dw_err *err)
{
	struct stat	st;
	char		q[SET_ESC_MAX * 2];

	if (stat(dir, &st) == -1) {
		int	r = -errno;

		dw_esc(q, sizeof(q), dir, (size_t)-1);
		dw_err_set(err, "cannot stat directory %s: %s", q, strerror(-r));
		return r;
	}
	if (st.st_uid != 0)
		return owner_refuse(err, parent ? "the policy's directory" : "directory",
		    dir, &st, "is not owned by root", false);
	if ((st.st_mode & 022) != 0 && !(sticky_ok && (st.st_mode & S_ISVTX)))
		return owner_refuse(err, parent ? "the policy's directory" : "directory",
		    dir, &st, "is writable by group or others",
		    parent && (st.st_mode & S_ISVTX));
	return 0;
}

/* dst = a "/" b, bounded. */
static int
join(char *dst, size_t dstsz, const char *a, const char *b, size_t blen)
{
	int	n;

	n = snprintf(dst, dstsz, "%s%s%.*s", a, strcmp(a, "/") == 0 ? "" : "/",
	    (int)blen, b);
	return n < 0 || (size_t)n >= dstsz ? -ENAMETOOLONG : 0;
}

/*
 * Resolve path one component at a time, as the kernel does, checking every
 * directory searched and every symlink followed; the last component must be
 * a root-owned regular file that only root can write, in a directory that
 * only root can write.  On success *ret_real is the resolved path.
 */
static int
settings_resolve(const char *path, char **ret_real, struct dw_err *err)
{
	char		 cur[PATH_MAX], rest[PATH_MAX], next[PATH_MAX];
	char		 link[PATH_MAX], tmp[PATH_MAX], q[SET_ESC_MAX * 2];
	char		 qpath[SET_ESC_MAX * 2];
	const char	*c, *e;
	struct stat	 st;
	size_t		 clen;
	ssize_t		 n;
	int		 links = 0, r;
	bool		 last;

	dw_esc(qpath, sizeof(qpath), path != NULL ? path : "", (size_t)-1);
	memcpy(q, qpath, sizeof(q));
	if (path == NULL || path[0] == '\0') {
		dw_err_set(err, "empty policy path");
		return -EINVAL;
	}
	if (path[0] == '/')
		r = snprintf(rest, sizeof(rest), "%s", path) >= (int)sizeof(rest) ?
		    -ENAMETOOLONG : 0;
	else if (getcwd(cur, sizeof(cur)) == NULL)
		r = -errno;
	else
		r = join(rest, sizeof(rest), cur, path, strlen(path));
	if (r < 0) {
		dw_err_set(err, "%s: %s", q, strerror(-r));
		return r;
	}
	snprintf(cur, sizeof(cur), "/");
	if ((r = check_dir(cur, true, false, err)) < 0)
		return r;

	for (;;) {
		for (c = rest; *c == '/'; c++)
			;
		if (*c == '\0') {
			dw_err_set(err, "%s: is a directory, not a regular file", q);
			return -EPERM;
		}
		for (e = c; *e != '\0' && *e != '/'; e++)
			;
		clen = (size_t)(e - c);
		last = *e == '\0';	/* "file/" is not a file, as for open(2) */

		if (clen == 1 && c[0] == '.') {
			memmove(rest, e, strlen(e) + 1);
			continue;
		}
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			char *slash = strrchr(cur, '/');

			if (slash == cur)
				cur[1] = '\0';
			else
				*slash = '\0';
			memmove(rest, e, strlen(e) + 1);
			continue;
		}
		if ((r = join(next, sizeof(next), cur, c, clen)) < 0) {
			dw_err_set(err, "%s: %s", q, strerror(-r));
			return r;
		}
		if (lstat(next, &st) == -1) {
			r = -errno;
			dw_esc(q, sizeof(q), next, (size_t)-1);
			if (r == -ENOENT && strcmp(next, path) == 0)
				dw_err_set(err, "%s: no such file or directory", qpath);
			else if (r == -ENOENT)
				dw_err_set(err, "%s: no such file or directory (%s "
				    "does not exist)", qpath, q);
			else
				dw_err_set(err, "cannot stat %s: %s", q, strerror(-r));
			return r;
		}
		if (S_ISLNK(st.st_mode)) {
			if (++links > SET_SYMLINKS_MAX) {
				dw_err_set(err, "%s: too many levels of symbolic links", q);
				return -ELOOP;
			}
			if (st.st_uid != 0) {
				dw_esc(q, sizeof(q), next, (size_t)-1);
				dw_err_set(err, "symlink %s is owned by uid %u, not root; fix: "
				    "chown -h root:root %s", q, (unsigned)st.st_uid, q);
				return -EPERM;
			}
			if ((n = readlink(next, link, sizeof(link) - 1)) < 0) {
				r = -errno;
				dw_esc(q, sizeof(q), next, (size_t)-1);
				dw_err_set(err, "cannot read symlink %s: %s", q, strerror(-r));
				return r;
			}
			link[n] = '\0';
			if (snprintf(tmp, sizeof(tmp), "%s%s", link, e) >= (int)sizeof(tmp)) {
				dw_err_set(err, "%s: %s", q, strerror(ENAMETOOLONG));
				return -ENAMETOOLONG;
			}
			memcpy(rest, tmp, sizeof(rest));
			if (link[0] == '/')
				snprintf(cur, sizeof(cur), "/");
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (last) {
				dw_esc(q, sizeof(q), next, (size_t)-1);
				dw_err_set(err, "%s: is a directory, not a regular file", q);
				return -EPERM;
			}
			if ((r = check_dir(next, true, false, err)) < 0)
				return r;
			memcpy(cur, next, sizeof(cur));
			memmove(rest, e, strlen(e) + 1);
			continue;
		}
		if (!last) {
			dw_esc(q, sizeof(q), next, (size_t)-1);
			dw_err_set(err, "%s: not a directory", q);
			return -ENOTDIR;
		}
		if (!S_ISREG(st.st_mode))
			return owner_refuse(err, "policy", next, &st,
			    "is not a regular file", false);
		if (st.st_uid != 0)
			return owner_refuse(err, "policy file", next, &st,
			    "is not owned by root", false);
		if ((st.st_mode & 022) != 0)
			return owner_refuse(err, "policy file", next, &st,
			    "is writable by group or others", false);
		if ((r = check_dir(cur, false, true, err)) < 0)
			return r;
		if ((*ret_real = strdup(next)) == NULL) {
			dw_err_set(err, "out of memory");
			return -ENOMEM;
		}
		return 0;
	}
}

/* StrictModes for the policy file (see authz_settings.h). */
int
authz_settings_check_owner(const char *path, struct dw_err *err)
{
	char	*real = NULL;
	int	 r;

	if ((r = settings_resolve(path, &real, err)) < 0)
		return r;
	free(real);
	return 0;
}

/* Load and validate the policy file at path (see authz_settings.h). */
struct authz_settings *
authz_settings_load(const char *path, struct dw_err *err)
{
	struct authz_settings	*s = NULL;
	struct stat		 st;
	char			*real = NULL, *buf = NULL, q[SET_ESC_MAX * 2];
	size_t			 len = 0;
	ssize_t			 n;
	int			 fd = -1;

	if (settings_resolve(path, &real, err) < 0)
		goto out;
	dw_esc(q, sizeof(q), real, (size_t)-1);
	if ((fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		dw_err_set(err, "cannot open %s: %s", q, strerror(errno));
		goto out;
	}
	/* The open file is what counts; it may have changed since the walk. */
	if (fstat(fd, &st) == -1) {
		dw_err_set(err, "cannot stat %s: %s", q, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) != 0) {
		owner_refuse(err, "policy file", real, &st,
		    "is not a root-owned regular file that only root can write", false);
		goto out;
	}
	if (st.st_size > DW_SETTINGS_MAX) {
		dw_err_set(err, "%s is %lld bytes; the limit is %d", q,
		    (long long)st.st_size, DW_SETTINGS_MAX);
		goto out;
	}
	if ((buf = malloc(DW_SETTINGS_MAX + 1)) == NULL) {
		dw_err_set(err, "out of memory");
		goto out;
	}
	while (len <= DW_SETTINGS_MAX) {
		n = read(fd, buf + len, DW_SETTINGS_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			dw_err_set(err, "cannot read %s: %s", q, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > DW_SETTINGS_MAX) {
		dw_err_set(err, "%s grew beyond %d bytes while being read", q,
		    DW_SETTINGS_MAX);
		goto out;
	}
	s = authz_settings_parse(buf, len, path, err);
out:
	if (fd != -1)
		close(fd);
	free(buf);
	free(real);
	return s;
}

/* Free; NULL is a no-op. */
void
authz_settings_free(struct authz_settings *s)
{
	size_t	i;

	if (s == NULL)
		return;
	free(s->origin);
	for (i = 0; i < s->nimages; i++) {
		free(s->images[i].raw);
		free(s->images[i].name);
		free(s->images[i].tag);
		free(s->images[i].digest);
	}
	free(s->images);
	dw_strv_clear(&s->commands);
	free(s->users.allow_uids);
	free(s->users.allow_gids);
	free(s->users.exempt_uids);
	free(s->users.exempt_gids);
	dw_strv_clear(&s->users.commands);
	authz_access_registry_clear(&s->registry_access);
	authz_access_image_clear(&s->image_access);
	authz_enforce_clear(&s->enforce);
	dw_strv_clear(&s->protected_paths);
	dw_strv_clear(&s->allowed_volume_types);
	dw_strv_clear(&s->allowed_runtimes);
	dw_strv_clear(&s->allowed_capabilities);
	dw_strv_clear(&s->allowed_devices);
	dw_strv_clear(&s->allowed_sysctls);
	dw_strv_clear(&s->allowed_cgroup_parents);
	dw_strv_clear(&s->warnings);
	authz_desktop_clear(&s->desktop);
	dw_strv_clear(&s->insecure_registries);
	json_decref(s->containers_proxy);
	json_decref(s->egress);
	dw_strv_clear(&s->egress_dns);
	free(s->registry_ca_file);
	free(s->docker_config);
	free(s);
}

/* Replace the allowed resolvers (see authz_settings.h). */
int
authz_settings_set_egress_dns(struct authz_settings *s,
    const struct dw_strv *dns, struct dw_err *err)
{
	struct dw_strv	 sv = { 0 };
	unsigned char	 bin[16];
	char		 q[SET_ESC_MAX];
	size_t		 i;

	for (i = 0; i < dns->n; i++) {
		if (!dns_addr_parse(dns->v[i], bin)) {
			dw_esc(q, sizeof(q), dns->v[i], (size_t)-1);
			dw_err_set(err, "allowed resolver \"%s\" is not an IP "
			    "address", q);
			dw_strv_clear(&sv);
			return -EINVAL;
		}
		if (!dw_strv_contains(&sv, dns->v[i]) &&
		    dw_strv_push(&sv, dns->v[i]) < 0) {
			dw_err_set(err, "out of memory");
			dw_strv_clear(&sv);
			return -ENOMEM;
		}
	}
	dw_strv_clear(&s->egress_dns);
	s->egress_dns = sv;
	return 0;
}

/* Compared as addresses: "10.0.0.053" is no address, "::ffff:10.0.0.53" is 10.0.0.53. */
bool
authz_settings_egress_dns_allowed(const struct authz_settings *s,
    const char *addr)
{
	unsigned char	a[16], b[16];
	size_t		i;

	if (addr == NULL || !dns_addr_parse(addr, a))
		return false;
	for (i = 0; i < s->egress_dns.n; i++)
		if (dns_addr_parse(s->egress_dns.v[i], b) && memcmp(a, b, 16) == 0)
			return true;
	return false;
}

/* One list as "  item" lines, or a "(none...)" note. */
static void
print_list(FILE *out, const char *title, const struct dw_strv *sv,
    const char *none)
{
	char	q[SET_ESC_MAX * 2];
	size_t	i;

	if (sv->n == 0) {
		fprintf(out, "%s: %s\n", title, none);
		return;
	}
	fprintf(out, "%s: %zu\n", title, sv->n);
	for (i = 0; i < sv->n; i++) {
		dw_esc(q, sizeof(q), sv->v[i], (size_t)-1);
		fprintf(out, "  %s\n", q);
	}
}

/* One image entry, normalized, with what the admin wrote when it differs. */
static void
print_image(FILE *out, const struct authz_image_entry *e)
{
	char	*norm = NULL;

	if (e->any_image) {
		fprintf(out, "  *  (any image)\n");
		return;
	}
	if (asprintf(&norm, "%s%s%s%s%s", e->name,
	    e->any_tag ? ":*" : e->tag ? ":" : "", e->tag ? e->tag : "",
	    e->digest ? "@" : "", e->digest ? e->digest : "") < 0) {
		fprintf(out, "  %s\n", e->raw);
		return;
	}
	fprintf(out, "  %s%s", norm, e->any_tag ? "  (any tag)" : "");
	if (strcmp(norm, e->raw) != 0)
		fprintf(out, "  (written \"%s\")", e->raw);
	fputc('\n', out);
	free(norm);
}

/* "; uids 1001, 1002": a resolved user id list, if any. */
static void
print_uids(FILE *out, const uid_t *ids, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		fprintf(out, "%s%lu", i == 0 ? "; uids " : ", ", (unsigned long)ids[i]);
}

/* "; gids 999": a resolved group id list, if any. */
static void
print_gids(FILE *out, const gid_t *ids, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		fprintf(out, "%s%lu", i == 0 ? "; gids " : ", ", (unsigned long)ids[i]);
}

/* A command list's type and patterns. */
static void
print_cmdlist(FILE *out, const char *title, enum authz_cmdlist_type type,
    const struct dw_strv *commands)
{
	size_t	i;

	if (type == AUTHZ_CMDLIST_NONE) {
		fprintf(out, "%s: none (every command allowed)\n", title);
		return;
	}
	fprintf(out, "%s: %s, %zu %s\n", title, type == AUTHZ_CMDLIST_DENY ?
	    "deny (listed commands are blocked)" :
	    "allow (only listed commands are allowed)", commands->n,
	    commands->n == 1 ? "command" : "commands");
	for (i = 0; i < commands->n; i++)
		fprintf(out, "  %s\n", commands->v[i]);
}

/* dockward.users: who may connect, the host command list and who is exempt. */
static void
print_users(FILE *out, const struct authz_users *u)
{
	if (!u->restrict_connect)
		fprintf(out, "gatekeeper users: any host user that can open the "
		    "socket\n");
	else {
		fprintf(out, "gatekeeper users: only root");
		print_uids(out, u->allow_uids, u->nallow_uids);
		print_gids(out, u->allow_gids, u->nallow_gids);
		fputc('\n', out);
	}
	print_cmdlist(out, "host user command list", u->cmdlist_type, &u->commands);
	if (u->cmdlist_type != AUTHZ_CMDLIST_NONE) {
		fprintf(out, "  exempt: root");
		print_uids(out, u->exempt_uids, u->nexempt_uids);
		print_gids(out, u->exempt_gids, u->nexempt_gids);
		fputc('\n', out);
	}
}

/* Human summary for `dockward check`, then every warning. */
void
authz_settings_print(const struct authz_settings *s, FILE *out)
{
	size_t	i, n;

	if (s->eci_enabled)
		fprintf(out, "ECI: enabled (%s)\n", s->eci_locked ? "locked" :
		    "not locked; dockward enforces it regardless");
	else
		fprintf(out, "ECI: disabled (container isolation rules and socket "
		    "mount restrictions are off)\n");
	if (s->nimages == 0)
		fprintf(out, "socket image list: 0 entries (no container may mount "
		    "the Docker socket)\n");
	else
		fprintf(out, "socket image list: %zu %s\n", s->nimages,
		    s->nimages == 1 ? "entry" : "entries");
	for (i = 0; i < s->nimages; i++)
		print_image(out, &s->images[i]);
	fprintf(out, "derived images: %s\n", s->allow_derived ? "allowed" :
	    "not allowed");
	print_cmdlist(out, "socket command list", s->cmdlist_type, &s->commands);
	print_users(out, &s->users);
	print_list(out, "protected paths", &s->protected_paths,
	    "none (bind mounts of host paths are not restricted by path)");
	print_list(out, "allowed runtimes", &s->allowed_runtimes,
	    "only the engine's default runtime");
	print_list(out, "allowed capabilities", &s->allowed_capabilities,
	    "none beyond Docker's defaults");
	print_list(out, "allowed devices", &s->allowed_devices, "none");
	print_list(out, "allowed sysctls", &s->allowed_sysctls,
	    "none beyond the namespaced net.* and fs.mqueue.*");
	print_list(out, "allowed cgroup parents", &s->allowed_cgroup_parents,
	    "none (--cgroup-parent is refused)");
	fprintf(out, "swarm join: %s\n", s->allow_swarm_join ? "allowed" : "denied");
	print_list(out, "network volume types", &s->allowed_volume_types,
	    "none (local volumes: bind of checked host paths and tmpfs only)");
	if (s->eci_enabled || s->registry_access.present || s->image_access.present)
		fprintf(out, "BuildKit (/grpc, /session, /build?version=2): %s\n",
		    s->allow_buildkit ? "allowed, its steps unexamined "
		    "(dockward.allowBuildKit)" : "denied (classic builds only)");
	if (s->egress_enabled) {
		fprintf(out, "air-gapped containers (containersProxy): on; the Engine "
		    "API refuses the host network (--network host, container:X on "
		    "it, builds), networks of drivers other than bridge (macvlan, "
		    "ipvlan, overlay, plugins) and their use\n");
		if (!s->egress_dns_rule)
			fprintf(out, "  --dns: any resolver (dockward.egress.udp is "
			    "\"allow\")\n");
		else
			print_list(out, "  --dns: only these resolvers", &s->egress_dns,
			    "none written; the daemon adds the host's resolvers "
			    "(resolv.conf, dockerd's --dns)");
	}
	authz_desktop_print(&s->desktop, out);
	authz_access_print(&s->registry_access, &s->image_access, out);
	if (s->registry_access.present || s->image_access.present) {
		fprintf(out, "build base images: checked by the gatekeeper, which holds "
		    "a build context back until its Dockerfile's FROM, COPY --from and RUN "
		    "--mount images pass; the authorization plugin alone never sees a "
		    "build context, so with the plugin only, builds' base images are "
		    "not checked\n");
		fprintf(out, "builds dockward cannot inspect (BuildKit, remote contexts) "
		    "through the gatekeeper: %s\n", !s->allow_unchecked_builds ? "denied" :
		    s->eci_enabled && !s->allow_buildkit ? "allowed (dockward.allowUncheckedBuilds), "
		    "except BuildKit, which under ECI needs dockward.allowBuildKit" :
		    "allowed (dockward.allowUncheckedBuilds)");
	}
	fprintf(out, "image verification: tags refreshed after %lds, proofs "
	    "usable %lds with the registry down\n", s->refresh_seconds,
	    s->grace_seconds);
	if (s->insecure_registries.n > 0)
		print_list(out, "plain-HTTP registries", &s->insecure_registries, "none");
	if (s->registry_ca_file != NULL)
		fprintf(out, "registry CA file: %s\n", s->registry_ca_file);
	if (s->docker_config != NULL)
		fprintf(out, "registry credentials: %s\n", s->docker_config);
	authz_policymeta_print(&s->meta, s->loaded_at, out);
	if ((n = authz_enforce_audit_count(&s->enforce)) > 0)
		fprintf(out, "enforcement: AUDIT MODE for %zu rules (their denials are "
		    "allowed and recorded as wouldDeny; the warning names them)\n", n);
	else
		fprintf(out, "enforcement: every rule enforced\n");
	for (i = 0; i < s->warnings.n; i++)
		fprintf(out, "warning: %s\n", s->warnings.v[i]);
}

/* BuildKit through the API (see authz_settings.h). */
bool
authz_settings_buildkit_allowed(const struct authz_settings *s)
{
	if (!s->eci_enabled && !s->registry_access.present &&
	    !s->image_access.present)
		return true;
	return s->allow_buildkit || (!s->eci_enabled && s->allow_unchecked_builds);
}

/*
 * imageList: "*", a name (whose '*' matches within one path component)
 * with a tag, any tag or a digest.  No tag and no digest is ":latest".
 */
bool
authz_settings_image_allowed(const struct authz_settings *s, const char *image)
{
	struct digest_ref	*ref;
	char			*name = NULL;
	const char		*tag;
	bool			 ok = false;
	size_t			 i;

	if (image == NULL || image[0] == '\0')
		return false;
	for (i = 0; i < s->nimages; i++)
		if (s->images[i].any_image)
			return true;
	if ((ref = digest_ref_parse(image, 0, NULL)) == NULL)
		return false;
	if ((name = digest_ref_name(ref)) == NULL)
		goto out;
	/* No tag and no digest means ":latest", as the CLI and dockerd assume. */
	tag = ref->tag ? ref->tag : (ref->digest ? NULL : "latest");
	for (i = 0; i < s->nimages && !ok; i++) {
		const struct authz_image_entry *e = &s->images[i];

		if (e->name == NULL || !digest_ref_name_matches(e->name, name))
			continue;
		if (e->digest != NULL)
			ok = ref->digest != NULL && strcmp(e->digest, ref->digest) == 0;
		else if (e->any_tag)
			ok = true;
		else
			ok = tag != NULL && e->tag != NULL && strcmp(e->tag, tag) == 0;
	}
out:
	free(name);
	digest_ref_free(ref);
	return ok;
}
