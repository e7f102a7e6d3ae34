/*
 * authz_decide: routes one request to the rules that apply to its
 * endpoint and turns their verdict into a decision.  Anything not
 * explicitly allowed is denied.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "authz/authz_access_check.h"
#include "authz/authz_decide.h"
#include "authz/authz_deny.h"
#include "authz/authz_desktop_check.h"
#include "authz/authz_egress.h"
#include "authz/authz_existing.h"
#include "authz/authz_hostconfig.h"
#include "authz/authz_json.h"
#include "authz/authz_mount.h"
#include "authz/authz_namespace.h"
#include "authz/authz_rules.h"
#include "authz/authz_service.h"
#include "authz/authz_settings.h"
#include "authz/authz_uri.h"

/*
 * Does a Content-Type make Go's ParseForm/FormValue read the body as form
 * fields?  (Media types are case-insensitive; parameters may follow.)
 */
static bool
form_body(const char *ct)
{
	static const char *const forms[] = {
		"application/x-www-form-urlencoded", "multipart/form-data",
	};
	size_t	i, n;

	if (ct == NULL)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		n = strlen(forms[i]);
		if (strncasecmp(ct, forms[i], n) == 0 &&
		    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t'))
			return true;
	}
	return false;
}

/* NetworkingConfig.EndpointsConfig: every network the container joins. */
static int
endpoints_check(struct authz_ctx *c, const struct authz_jv *root)
{
	const struct authz_jv	*nc, *eps, *v;
	struct dw_err		 err;
	const char		*net;
	char			 f[192];
	size_t			 i;

	if (authz_json_get_object(root, "", AUTHZ_JSON_F(NetworkingConfig), &nc, &err) < 0 ||
	    authz_json_get_object(nc, "NetworkingConfig", AUTHZ_JSON_F(EndpointsConfig), &eps, &err) < 0)
		return authz_deny_json(c, &err);
	if (eps == NULL)
		return 0;
	authz_jv_object_foreach(eps, i, net, v) {
		snprintf(f, sizeof(f), "NetworkingConfig.EndpointsConfig.%.100s", net);
		if (authz_hostconfig_network_check(c, net, f) < 0)
			return -EACCES;
	}
	return 0;
}

/* POST /containers/create: the top level and HostConfig both count. */
static int
container_create(struct authz_ctx *c)
{
	struct authz_mount_srcs ms = { 0 };
	struct authz_mount_memo	 memo;
	const struct authz_jv	*root, *hc;
	struct dw_err		 err;
	const char		*image;
	bool			 top;
	int			 r;

	if ((r = authz_deny_unless_body(c, &root)) < 0)
		return r;
	/*
	 * The layout check below reads the sources as the mount checks
	 * resolved them.  Only n is set: zeroing all 32 slots was a hundred
	 * instructions of every create.
	 */
	memo.n = 0;
	c->mount_memo = &memo;
	if ((r = authz_json_get_string(root, "", AUTHZ_JSON_F(Image), &image, &err)) < 0 ||
	    (r = authz_json_get_object(root, "", AUTHZ_JSON_F(HostConfig), &hc, &err)) < 0) {
		r = authz_deny_json(c, &err);
		goto out;
	}
	/*
	 * Old API versions (and dockerd 20.10 at any version) read host
	 * settings from the top level when HostConfig is absent, and merge
	 * some when present: check both places.  A top level of Config's
	 * fields only, as docker's clients write it, has none to read:
	 * reading it for each rule's fields was some 2,400 instructions
	 * of a docker run decision (7 %).
	 */
	top = !authz_json_create_config_only(root);
	if (top && (r = authz_hostconfig_check(c, root, "", image)) < 0)
		goto out;
	if (hc != NULL && (r = authz_hostconfig_check(c, hc, "HostConfig", image)) < 0)
		goto out;
	if ((r = endpoints_check(c, root)) < 0)
		goto out;
	/* Sources a container could re-plant from inside (both places count). */
	if ((top && (r = authz_mount_srcs_from_hostconfig(c, root, "", &ms)) < 0) ||
	    (hc != NULL && (r = authz_mount_srcs_from_hostconfig(c, hc, "HostConfig",
	    &ms)) < 0))
		goto out;
	r = authz_mount_layout_check(c, &ms);
out:
	c->mount_memo = NULL;
	authz_mount_memo_clear(&memo);
	authz_mount_srcs_clear(&ms);
	return r;
}

/*
 * POST /containers/{id}/start, part 1: before API 1.24 dockerd applies a
 * HostConfig body given here, bypassing the create checks.  dockerd reads
 * it when Content-Length is over 7 or unknown (chunked).
 */
static int
start_body_check(struct authz_ctx *c)
{
	const char	*v = authz_uri_version(c->req->uri);

	if (authz_uri_version_compare(v, "1.24") >= 0)
		return 0;
	if (c->req->content_length >= 0 && c->req->content_length <= 7 &&
	    (c->req->body == NULL || c->req->body_len <= 7))
		return 0;
	return authz_deny(c, RULE_STARTCONFIG, "HostConfig",
	    "API version %s applies a HostConfig sent to start, which skips the "
	    "checks made at create. Pass host settings to create, and start "
	    "with an empty body", v);
}

/*
 * Part 2: the container is judged again by its stored settings
 * (authz_existing.c): dockerd resolves every mount source again now, and
 * a container that holds the Docker socket is checked against the image
 * Id dockerd actually resolved at create (a tag can move between our
 * check and dockerd's lookup).
 */
static int
container_start(struct authz_ctx *c)
{
	int	r;

	if ((r = start_body_check(c)) < 0)
		return r;
	return authz_existing_check(c, c->req->uri->vars[0], "start");
}

/* POST /containers/{id}/update: only resources, but devices are among them. */
static int
container_update(struct authz_ctx *c)
{
	const struct authz_jv	*root;
	int			 r;

	if ((r = authz_deny_unless_body(c, &root)) < 0)
		return r;
	return authz_hostconfig_devices_check(c, root, "");
}

/* POST /containers/{id}/exec */
static int
container_exec(struct authz_ctx *c)
{
	const struct authz_jv	*root;
	struct dw_err		 err;
	bool			 priv;
	int			 r;

	if ((r = authz_deny_unless_body(c, &root)) < 0)
		return r;
	if ((r = authz_json_get_bool(root, "", AUTHZ_JSON_F(Privileged), &priv, &err)) < 0)
		r = authz_deny_json(c, &err);
	else if (priv)
		r = authz_deny(c, RULE_EXEC_PRIVILEGED, "Privileged",
		    "a privileged exec gets every capability and all host devices. "
		    "Run docker exec without --privileged");
	if (r < 0)
		return r;
	return authz_existing_check(c, c->req->uri->vars[0], "exec into");
}

/*
 * Endpoints that act on an existing container, which is judged again by
 * its stored settings (authz_existing.c): attach, cp, export, commit,
 * restart, an exec instance's start.  The rest (logs, inspect, stop,
 * kill, rename...) neither enter nor start it.
 */
static int
existing_container(struct authz_ctx *c)
{
	const char	*id = c->req->uri->nvars > 0 ? c->req->uri->vars[0] : NULL;
	int		 r;

	switch (c->req->uri->endpoint) {
	case AUTHZ_EP_CONTAINER_ATTACH:
	case AUTHZ_EP_CONTAINER_ATTACH_WS:
		return authz_existing_check(c, id, "attach to");
	case AUTHZ_EP_CONTAINER_ARCHIVE_HEAD:
	case AUTHZ_EP_CONTAINER_ARCHIVE_GET:
	case AUTHZ_EP_CONTAINER_ARCHIVE_PUT:
	case AUTHZ_EP_CONTAINER_COPY:
		return authz_existing_check(c, id, "copy files from or into");
	case AUTHZ_EP_CONTAINER_EXPORT:
		return authz_existing_check(c, id, "export");
	case AUTHZ_EP_CONTAINER_RESTART:
		return authz_existing_check(c, id, "restart");
	case AUTHZ_EP_EXEC_START:
		return authz_existing_exec_check(c, id, "exec into",
		    authz_existing_check);
	case AUTHZ_EP_CONTAINER_COMMIT:
		r = authz_deny_query_get(c, "container", &id);
		if (r == -ENOENT)
			return 0;	/* dockerd answers "no such container" */
		if (r < 0)
			return r;
		return authz_existing_check(c, id, "commit");
	default:
		return 0;
	}
}

/* POST /volumes/create: a local volume can bind any host path. */
static int
volume_create(struct authz_ctx *c)
{
	const struct authz_jv	*root, *opts;
	struct dw_err		 err;
	const char		*driver;
	int			 r;

	if ((r = authz_deny_unless_body(c, &root)) < 0)
		return r;
	if (authz_json_get_string(root, "", AUTHZ_JSON_F(Driver), &driver, &err) < 0 ||
	    authz_json_get_object(root, "", AUTHZ_JSON_F(DriverOpts), &opts, &err) < 0)
		return authz_deny_json(c, &err);
	if (driver == NULL || driver[0] == '\0' || strcmp(driver, "local") == 0)
		return authz_mount_volume_options_check(c, opts, "DriverOpts", NULL);
	return 0;
}

static int
service_write(struct authz_ctx *c)
{
	const struct authz_jv	*root;
	int			 r;

	if ((r = authz_deny_unless_body(c, &root)) < 0)
		return r;
	return authz_service_check(c, root);
}

/*
 * POST /build: the legacy builder runs each RUN step in a container with
 * the network mode from the query; ?networkmode=host would put build steps
 * in the host's network namespace.
 */
static int
build_check(struct authz_ctx *c)
{
	const char	*mode;
	int		 r;

	r = authz_deny_query_get(c, "cgroupparent", &mode);
	if (r == -EACCES)
		return r;
	if (r == 0 && authz_hostconfig_cgroup_parent_check(c, mode, "cgroupparent") < 0)
		return -EACCES;
	r = authz_deny_query_get(c, "networkmode", &mode);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	return authz_hostconfig_network_check(c, mode, "networkmode");
}

/*
 * BuildKit: POST /grpc (its gRPC API, Solve included), POST /session (the
 * client's end of a build) and POST /build?version=2.  The build steps
 * travel in a gRPC stream dockward does not read, and dockerd's BuildKit
 * grants the network.host entitlement unless its config says otherwise, so
 * a Solve can run a RUN step in the host's network namespace and pull base
 * images from any registry.  Allowed only where nothing it could do is
 * governed (ECI off and no registry or image access rules), or when an
 * admin accepts it: dockward.allowBuildKit; with ECI off,
 * dockward.allowUncheckedBuilds too, which already accepts builds whose
 * base images go unchecked.  dockerd reads version with r.FormValue (the
 * first value) and takes only "2" as BuildKit.
 */
static int
buildkit_check(struct authz_ctx *c)
{
	const struct authz_settings	*s = c->s;
	const char			*what, *v = NULL;
	int				 r;

	if (authz_settings_buildkit_allowed(s))
		return 0;
	switch (c->req->uri->endpoint) {
	case AUTHZ_EP_GRPC:
		what = "BuildKit's gRPC API (POST /grpc)";
		break;
	case AUTHZ_EP_SESSION:
		/*
		 * Inert alone, but refused: the CLI (20.10 and later) closes
		 * its session when the build fails, and when the refusal of
		 * /build?version=2 comes back before the session has started,
		 * the close is lost and `docker build` hangs for ever.  A
		 * refused session fails at once ("unable to upgrade to h2c,
		 * received 403"; the CLI drops the message).
		 */
		what = "a BuildKit session (POST /session)";
		break;
	case AUTHZ_EP_BUILD:
		r = authz_deny_query_get(c, "version", &v);
		if (r == -EACCES)
			return r;
		if (r < 0 || v == NULL || strcmp(v, "2") != 0)
			return 0;
		what = "a BuildKit build (POST /build?version=2)";
		break;
	default:
		return 0;
	}
	return authz_deny(c, RULE_BUILDKIT, c->req->uri->endpoint == AUTHZ_EP_BUILD ?
	    "version" : "", "%s runs build steps dockward cannot see: RUN steps "
	    "may join the host's network (network.host) and base images may come "
	    "from any registry. Build with the classic builder "
	    "(DOCKER_BUILDKIT=0 docker build .), or an admin can set "
	    "dockward.allowBuildKit", what);
}

/* Endpoints that ECI hardening governs, and those always governed. */
static int
dispatch(struct authz_ctx *c)
{
	enum authz_uri_endpoint ep = c->req->uri->endpoint;

	/* Managing plugins could disable dockward itself: never through the API. */
	switch (ep) {
	case AUTHZ_EP_PLUGIN_PULL:
	case AUTHZ_EP_PLUGIN_ENABLE:
	case AUTHZ_EP_PLUGIN_DISABLE:
	case AUTHZ_EP_PLUGIN_UPGRADE:
	case AUTHZ_EP_PLUGIN_SET:
	case AUTHZ_EP_PLUGIN_CREATE:
	case AUTHZ_EP_PLUGIN_DELETE:
		return authz_deny(c, RULE_PLUGIN, "",
		    "installing, enabling, disabling, configuring or removing engine "
		    "plugins can run code as root or switch off authorization. An admin "
		    "manages plugins on the host, with dockward stopped");
	default:
		break;
	}
	/* Docker Desktop's blockDockerLoad and portBindingBehavior hold with ECI off too. */
	if (authz_desktop_check(c) < 0)
		return -EACCES;
	/* Registry and Image Access Management hold with ECI off too. */
	if (authz_access_check(c) < 0)
		return -EACCES;
	/* BuildKit: refused under ECI, and under registry or image access rules. */
	if (buildkit_check(c) < 0)
		return -EACCES;
	/*
	 * containersProxy: containers stay on bridges the egress table
	 * polices, with ECI off too.  A HostConfig sent to start (API < 1.24)
	 * would skip the create checks.
	 */
	if (c->s->egress_enabled &&
	    ((ep == AUTHZ_EP_CONTAINER_START && start_body_check(c) < 0) ||
	    authz_egress_check(c) < 0))
		return -EACCES;
	if (!c->s->eci_enabled)
		return 0;
	switch (ep) {
	case AUTHZ_EP_CONTAINER_CREATE:
		return container_create(c);
	case AUTHZ_EP_CONTAINER_START:
		return container_start(c);
	case AUTHZ_EP_CONTAINER_UPDATE:
		return container_update(c);
	case AUTHZ_EP_CONTAINER_RENAME:
		return c->req->uri->nvars < 1 ? 0 :
		    authz_namespace_rename_check(c, c->req->uri->vars[0]);
	case AUTHZ_EP_NETWORK_CREATE:
		return authz_namespace_network_create_check(c);
	case AUTHZ_EP_CONTAINER_EXEC:
		return container_exec(c);
	case AUTHZ_EP_CONTAINER_ATTACH:
	case AUTHZ_EP_CONTAINER_ATTACH_WS:
	case AUTHZ_EP_CONTAINER_ARCHIVE_HEAD:
	case AUTHZ_EP_CONTAINER_ARCHIVE_GET:
	case AUTHZ_EP_CONTAINER_ARCHIVE_PUT:
	case AUTHZ_EP_CONTAINER_COPY:
	case AUTHZ_EP_CONTAINER_EXPORT:
	case AUTHZ_EP_CONTAINER_RESTART:
	case AUTHZ_EP_CONTAINER_COMMIT:
	case AUTHZ_EP_EXEC_START:
		return existing_container(c);
	case AUTHZ_EP_VOLUME_CREATE:
		return volume_create(c);
	case AUTHZ_EP_SERVICE_CREATE:
	case AUTHZ_EP_SERVICE_UPDATE:
		return service_write(c);
	case AUTHZ_EP_BUILD:
		return build_check(c);
	case AUTHZ_EP_NETWORK_CONNECT:
		return c->req->uri->nvars < 1 ? 0 :
		    authz_hostconfig_network_check(c, c->req->uri->vars[0], "network");
	case AUTHZ_EP_SWARM_JOIN:
		if (c->s->allow_swarm_join)
			return 0;
		return authz_deny(c, RULE_SWARM_JOIN, "",
		    "a node that joins a swarm runs tasks its managers schedule, and "
		    "those never pass through this node's authorization. Set "
		    "dockward.allowSwarmJoin to true if the swarm's managers all run dockward");
	default:
		return 0;
	}
}

enum authz_verdict
authz_decide(const struct authz_settings *s, const struct authz_facts *facts,
    const struct authz_request *req, struct authz_decision *d)
{
	struct authz_jv_doc *body = NULL;
	struct authz_decision wd;	/* audit-only mode: the first denial let through */
	struct authz_ctx c = { s, facts, req, d, &body, &s->enforce,
	    s->enforce.any_audit ? &wd : NULL, NULL };
	int		 r;

	wd.rule = NULL;
	memset(d, 0, sizeof(*d));
	d->verdict = AUTHZ_DENY;
	if (req->uri == NULL) {
		authz_deny(&c, RULE_REQUEST_URI, "RequestURI",
		    "dockward cannot map \"%.200s %.300s\" to an Engine API endpoint the way "
		    "dockerd does (%s). Use a clean path that dockerd documents",
		    req->method ? req->method : "", req->raw_uri ? req->raw_uri : "",
		    req->uri_error ? req->uri_error : "unknown route");
		return d->verdict;
	}
	if (form_body(req->content_type)) {
		authz_deny(&c, RULE_REQUEST_FORM, "Content-Type",
		    "the body is a form (%.100s); dockerd merges form fields into the "
		    "query, so they could override the parameters dockward checked. "
		    "Send parameters in the URL and bodies as JSON or archives",
		    req->content_type);
		return d->verdict;
	}
	r = dispatch(&c);
	authz_jv_doc_free(body);
	if (r < 0) {
		if (d->rule == NULL)	/* an internal failure is still a deny */
			authz_deny(&c, RULE_REQUEST_JSON, "", "the request could "
			    "not be evaluated (out of memory or internal error). Retry");
		return d->verdict;
	}
	if (c.wd != NULL && wd.rule != NULL) {
		/*
		 * Audit-only mode: every rule ran, none that is enforced
		 * objected, and one in audit mode did: allowed, its denial kept.
		 */
		*d = wd;
		d->verdict = AUTHZ_ALLOW;
		d->would_deny = true;
		return d->verdict;
	}
	d->verdict = AUTHZ_ALLOW;
	d->rule = "allow";
	d->msg[0] = '\0';
	return d->verdict;
}
