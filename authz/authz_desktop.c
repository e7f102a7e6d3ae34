/*
 * authz_desktop: Docker Desktop's engine-side admin settings, parsed here
 * with Docker's shapes (authz_desktop_check.c enforces them with Docker's
 * meaning on a plain dockerd):
 *
 *   "blockDockerLoad": {"value": true, "locked": true}
 *	no POST /images/load, no POST /images/create?fromSrc=- (import of a
 *	tarball sent in the body); imports from a URL are left to registry
 *	access.
 *   "portBindingBehavior": {"value": "local-only-port-binding", "locked": true}
 *	"default-port-binding": no restriction.  "default-local-port-binding":
 *	Docker Desktop binds to 127.0.0.1 when no address is given; dockerd's
 *	default cannot be changed per request, so a binding with no address
 *	(HostIp "", 0.0.0.0, ::) is refused and the user is told to add
 *	127.0.0.1.  "local-only-port-binding": every published port must be
 *	on a loopback address (127.0.0.0/8, ::1).  Both local modes refuse
 *	PublishAllPorts and swarm published ports (ingress and host mode bind
 *	every interface); local-only also refuses the host network.
 *   "filesharingAllowedDirectories": [{"path": "$HOME", "sharedByDefault": true}]
 *	bind sources must resolve to a path at or under one entry.  "$HOME"
 *	is the calling user's home when the gatekeeper knows the user (a
 *	host caller); through the plugin, or for a container caller, whose
 *	user means nothing on the host, it stands for every home (/home and
 *	/root).  "$TMP" is /tmp and /var/tmp (a caller's TMPDIR is unknown).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz_desktop.h"
#include "authz/authz_json.h"
#include "authz/authz_warn.h"
#include "common/dw_esc.h"
#include "common/dw_path.h"

#define K_LOAD	"blockDockerLoad"
#define K_PORTS	"portBindingBehavior"
#define K_SHARE	"filesharingAllowedDirectories"

#define DESK_ESC_MAX	100	/* one quoted value in a message */

static const char *const port_modes[] = {
	"default-port-binding",
	"default-local-port-binding",
	"local-only-port-binding",
};

/* The standard warning for a key nobody defines. */
static int
warn_unknown(struct dw_strv *w, struct dw_err *err, const char *parent,
    const char *key)
{
	char	q[DESK_ESC_MAX];

	dw_esc(q, sizeof(q), key, (size_t)-1);
	return authz_warn(w, err, "unknown key %s.%s, ignored", parent, q);
}

/*
 * Docker's {"value": ..., "locked": bool} wrapper: *ret is the value
 * (borrowed), NULL with a warning when it is missing.
 */
static int
locked_value(const char *key, const json_t *v, struct dw_strv *w,
    struct dw_err *err, json_t **ret)
{
	const char	*k;
	json_t		*item, *value = NULL;
	char		 path[128];
	int		 r;

	if (!json_is_object(v))
		return authz_json_type_error(err, key, "an object such as {\"value\": ..., "
		    "\"locked\": true}", v);
	json_object_foreach((json_t *)v, k, item) {
		if (strcmp(k, "value") == 0)
			value = item;
		else if (strcmp(k, "locked") == 0) {
			if (!json_is_boolean(item)) {
				snprintf(path, sizeof(path), "%s.locked", key);
				return authz_json_type_error(err, path, "true or false", item);
			}
		} else if ((r = warn_unknown(w, err, key, k)) < 0)
			return r;
	}
	if (value == NULL && (r = authz_warn(w, err, "%s.value is missing, so the "
	    "setting is not applied", key)) < 0)
		return r;
	*ret = value;
	return 0;
}

/* Push a copy of path, cleaned.  0 or -ENOMEM. */
static int
push_clean(struct dw_strv *sv, const char *path, struct dw_err *err)
{
	char	buf[PATH_MAX];

	dw_path_clean(path, buf, sizeof(buf));
	if (!dw_strv_contains(sv, buf) && dw_strv_push(sv, buf) < 0) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/*
 * One filesharingAllowedDirectories path: absolute, "$HOME" or "$TMP"
 * (optionally followed by "/sub" for $TMP).  Paths dockward cannot
 * express are dropped with a warning (the stricter outcome).
 */
static int
share_path(struct authz_desktop *d, const char *s, const char *ipath,
    struct dw_strv *w, struct dw_err *err)
{
	static const char *const tmps[] = { "/tmp", "/var/tmp" };
	char		 q[DESK_ESC_MAX], buf[PATH_MAX];
	size_t		 i;
	int		 r;

	dw_esc(q, sizeof(q), s, (size_t)-1);
	if (strlen(s) >= PATH_MAX - 16) {
		dw_err_set(err, "%s: \"%s\" is too long", ipath, q);
		return -E2BIG;
	}
	if (strcmp(s, "$HOME") == 0)
		d->share_home = true;
	else if (strncmp(s, "$TMP", 4) == 0 && (s[4] == '\0' || s[4] == '/')) {
		for (i = 0; i < 2; i++) {
			snprintf(buf, sizeof(buf), "%s%s", tmps[i], s + 4);
			if ((r = push_clean(&d->share_paths, buf, err)) < 0)
				return r;
		}
	} else if (s[0] == '$')
		return authz_warn(w, err, "%s: \"%s\" names a directory of the user, "
		    "which dockward cannot tell from the request; entry ignored "
		    "(use $HOME, $TMP or an absolute path)", ipath, q);
	else if (s[0] != '/') {
		dw_err_set(err, "%s: \"%s\" is not an absolute path, $HOME or $TMP",
		    ipath, q);
		return -EINVAL;
	} else if ((r = push_clean(&d->share_paths, s, err)) < 0)
		return r;
	if (dw_strv_push(&d->share_raw, s) < 0) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* filesharingAllowedDirectories: [{"path": string, "sharedByDefault": bool}]. */
static int
parse_share(struct authz_desktop *d, const json_t *v, struct dw_strv *w,
    struct dw_err *err)
{
	const char	*k;
	json_t		*e, *item, *path;
	char		 ipath[96], kpath[128];
	size_t		 i;
	int		 r;

	if (!json_is_array(v))
		return authz_json_type_error(err, K_SHARE, "an array of {\"path\": ...} objects", v);
	d->share_set = true;
	json_array_foreach(v, i, e) {
		snprintf(ipath, sizeof(ipath), "%s[%zu]", K_SHARE, i);
		if (!json_is_object(e))
			return authz_json_type_error(err, ipath, "an object such as "
			    "{\"path\": \"$HOME\", \"sharedByDefault\": true}", e);
		path = NULL;
		json_object_foreach(e, k, item) {
			snprintf(kpath, sizeof(kpath), "%s.%s", ipath, k);
			if (strcmp(k, "path") == 0) {
				if (!json_is_string(item))
					return authz_json_type_error(err, kpath, "a string", item);
				path = item;
			} else if (strcmp(k, "sharedByDefault") == 0) {
				if (!json_is_boolean(item))
					return authz_json_type_error(err, kpath, "true or false", item);
			} else if ((r = warn_unknown(w, err, ipath, k)) < 0)
				return r;
		}
		if (path == NULL) {
			dw_err_set(err, "%s.path: missing", ipath);
			return -EINVAL;
		}
		snprintf(kpath, sizeof(kpath), "%s.path", ipath);
		if ((r = share_path(d, json_string_value(path), kpath, w, err)) < 0)
			return r;
	}
	if (d->share_paths.n == 0 && !d->share_home)
		return authz_warn(w, err, "%s: no directory is shared, so no host "
		    "path may be bind-mounted", K_SHARE);
	return 0;
}

int
authz_desktop_parse(struct authz_desktop *d, const char *key, const json_t *v,
    struct dw_strv *w, struct dw_err *err)
{
	char		 q[DESK_ESC_MAX];
	json_t		*value = NULL;
	size_t		 i;
	int		 r;

	if (strcmp(key, K_SHARE) == 0)
		return (r = parse_share(d, v, w, err)) < 0 ? r : 1;
	if (strcmp(key, K_LOAD) != 0 && strcmp(key, K_PORTS) != 0)
		return 0;
	if ((r = locked_value(key, v, w, err, &value)) < 0)
		return r;
	if (value == NULL)
		return 1;
	if (strcmp(key, K_LOAD) == 0) {
		if (!json_is_boolean(value))
			return authz_json_type_error(err, K_LOAD ".value", "true or false", value);
		d->block_load = json_is_true(value);
		return 1;
	}
	if (!json_is_string(value))
		return authz_json_type_error(err, K_PORTS ".value", "a string", value);
	for (i = 0; i < sizeof(port_modes) / sizeof(port_modes[0]); i++)
		if (strcmp(json_string_value(value), port_modes[i]) == 0) {
			d->ports = (enum authz_port_binding)i;
			return 1;
		}
	dw_esc(q, sizeof(q), json_string_value(value), (size_t)-1);
	dw_err_set(err, "%s.value: \"%s\" is not one of default-port-binding, "
	    "default-local-port-binding, local-only-port-binding", K_PORTS, q);
	return -EINVAL;
}

void
authz_desktop_clear(struct authz_desktop *d)
{
	dw_strv_clear(&d->share_paths);
	dw_strv_clear(&d->share_raw);
	memset(d, 0, sizeof(*d));
}

void
authz_desktop_print(const struct authz_desktop *d, FILE *out)
{
	size_t	i, n;

	fprintf(out, "image load and import: %s\n", d->block_load ?
	    "blocked (blockDockerLoad)" : "allowed");
	fprintf(out, "port binding: %s\n", port_modes[d->ports]);
	if (!d->share_set) {
		fprintf(out, "file sharing: any host directory (protected paths aside)\n");
		return;
	}
	n = d->share_paths.n + (d->share_home ? 1 : 0);
	fprintf(out, "file sharing: %zu %s\n", n, n == 1 ? "directory" : "directories");
	if (d->share_home)
		fprintf(out, "  $HOME (the calling user's home through the gatekeeper; "
		    "any of /home and /root through the plugin or for a container)\n");
	for (i = 0; i < d->share_paths.n; i++)
		fprintf(out, "  %s\n", d->share_paths.v[i]);
}

const char *
authz_desktop_ports_name(enum authz_port_binding mode)
{
	return port_modes[mode];
}
