/*
 * authz_desktop_check: Docker Desktop's engine-side admin settings
 * (authz_desktop.c parses them) enforced with Docker's meaning on a plain
 * dockerd: blockDockerLoad refuses image load and import from the body,
 * portBindingBehavior refuses published ports off loopback (or without an
 * address), filesharingAllowedDirectories refuses bind sources outside
 * the shared directories.  See authz_desktop.c for each setting's details.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "authz/authz_caller.h"
#include "authz/authz_deny.h"
#include "authz/authz_desktop.h"
#include "authz/authz_desktop_check.h"
#include "authz/authz_json.h"
#include "authz/authz_rules.h"
#include "authz/authz_settings.h"
#include "authz/authz_uri.h"
#include "common/dw_path.h"

/* The admin's list as written, "a, b", for messages. */
static void
share_list(const struct authz_desktop *d, char *buf, size_t len)
{
	size_t	i, o = 0;
	int	n;

	buf[0] = '\0';
	for (i = 0; i < d->share_raw.n && o < len; i++) {
		n = snprintf(buf + o, len - o, "%s%s", i ? ", " : "", d->share_raw.v[i]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* Is real at or under dir (or under what dir resolves to)? */
static bool
share_under(const char *real, const char *dir)
{
	char	rp[PATH_MAX];

	/* dw_path_at_or_under() reads "/" as itself only (for protection). */
	if (strcmp(dir, "/") == 0 || dw_path_at_or_under(real, dir))
		return true;
	dw_path_resolve(dir, rp, sizeof(rp));
	return dw_path_at_or_under(real, rp);
}

int
authz_desktop_check_fileshare(struct authz_ctx *c, const char *hostpath,
    const char *real, const char *field)
{
	static const char *const any_home[] = { "/home", "/root", NULL };
	const struct authz_desktop *d = &c->s->desktop;
	const struct authz_caller *who = c->req->caller;
	char		 list[512], res[PATH_MAX + 16], home[PATH_MAX + 32];
	size_t		 i;

	if (!d->share_set)
		return 0;
	home[0] = '\0';
	if (d->share_home) {
		if (who != NULL && who->kind == AUTHZ_CALLER_HOST) {
			/* A user without a home in passwd shares none. */
			if (who->home != NULL && who->home[0] == '/') {
				if (share_under(real, who->home))
					return 0;
				snprintf(home, sizeof(home), "; $HOME is %s", who->home);
			} else
				snprintf(home, sizeof(home), "; uid %u has no home "
				    "directory", (unsigned)who->uid);
		} else
			for (i = 0; any_home[i] != NULL; i++)
				if (share_under(real, any_home[i]))
					return 0;
	}
	for (i = 0; i < d->share_paths.n; i++)
		if (share_under(real, d->share_paths.v[i]))
			return 0;
	share_list(d, list, sizeof(list));
	res[0] = '\0';
	if (strcmp(hostpath, real) != 0)
		snprintf(res, sizeof(res), " (resolved %s)", real);
	return authz_deny(c, RULE_FILESHARING, field, "bind mount source %s%s is "
	    "outside the directories the admin shares (filesharingAllowedDirectories: "
	    "%s%s). Move the files under a shared directory or ask the admin",
	    hostpath, res, list[0] ? list : "none", home);
}

/* POST /images/load, POST /images/create?fromSrc=- */
static int
load_check(struct authz_ctx *c)
{
	const char	*src;
	int		 r;

	if (c->req->uri->endpoint == AUTHZ_EP_IMAGE_CREATE) {
		r = authz_uri_query_get(c->req->uri, "fromSrc", &src);
		if (r == -ENOENT)
			return 0;
		if (r == -EEXIST)
			return authz_deny(c, RULE_REQUEST_URI, "fromSrc", "fromSrc is "
			    "given more than once; dockerd would use only the first. "
			    "Give it once");
		if (strcmp(src, "-") != 0)
			return 0;	/* a URL: registry access decides */
		return authz_deny(c, RULE_IMAGE_LOAD, "fromSrc", "the admin blocks "
		    "importing images from archives (blockDockerLoad). Pull images "
		    "from an allowed registry instead");
	}
	return authz_deny(c, RULE_IMAGE_LOAD, "", "the admin blocks loading "
	    "images from archives (blockDockerLoad). Pull images from an allowed "
	    "registry instead");
}

/* HostIp parsed: 1 loopback, 2 unspecified ("" too), 0 other, -1 not an address. */
static int
addr_class(const char *ip)
{
	unsigned char	a[16];
	static const unsigned char zero[16], v4mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
	};

	if (ip == NULL || ip[0] == '\0')
		return 2;
	if (inet_pton(AF_INET, ip, a) == 1)
		return a[0] == 127 ? 1 : memcmp(a, zero, 4) == 0 ? 2 : 0;
	if (inet_pton(AF_INET6, ip, a) != 1)
		return -1;
	if (memcmp(a, zero, 15) == 0)
		return a[15] == 1 ? 1 : a[15] == 0 ? 2 : 0;
	if (memcmp(a, v4mapped, 12) == 0)	/* Go's IsLoopback sees through it */
		return a[12] == 127 ? 1 : memcmp(a + 12, zero, 4) == 0 ? 2 : 0;
	return 0;
}

/* HostConfig.PortBindings, PublishAllPorts and (local-only) host network. */
static int
ports_hostconfig(struct authz_ctx *c, const struct authz_jv *hc, const char *path)
{
	enum authz_port_binding mode = c->s->desktop.ports;
	const struct authz_jv	*pb, *list, *b;
	struct dw_err		 err;
	const char		*port, *ip, *hport, *net;
	const char		*mname = authz_desktop_ports_name(mode);
	char			 f[320], bpath[256];
	size_t			 i, j;
	bool			 all;
	int			 cls, r;

	if (authz_json_get_object(hc, path, AUTHZ_JSON_F(PortBindings), &pb, &err) < 0 ||
	    authz_json_get_bool(hc, path, AUTHZ_JSON_F(PublishAllPorts), &all, &err) < 0 ||
	    authz_json_get_string(hc, path, AUTHZ_JSON_F(NetworkMode), &net, &err) < 0)
		return authz_deny_json(c, &err);
	if (pb != NULL)
		authz_jv_object_foreach(pb, j, port, list) {
			snprintf(bpath, sizeof(bpath), "%s%sPortBindings.%.64s", path,
			    path[0] ? "." : "", port);
			if (authz_jv_is_null(list))
				continue;
			if (!authz_jv_is_array(list)) {
				dw_err_set(&err, "%s: must be an array", bpath);
				return authz_deny_json(c, &err);
			}
			authz_jv_array_foreach(list, i, b) {
				snprintf(f, sizeof(f), "%s[%zu]", bpath, i);
				if (authz_jv_is_null(b))
					continue;
				if (!authz_jv_is_object(b)) {
					dw_err_set(&err, "%s: must be an object", f);
					return authz_deny_json(c, &err);
				}
				if (authz_json_get_string(b, f, AUTHZ_JSON_F(HostIp), &ip, &err) < 0 ||
				    authz_json_get_string(b, f, AUTHZ_JSON_F(HostPort), &hport, &err) < 0)
					return authz_deny_json(c, &err);
				cls = addr_class(ip);
				if (cls == 1 || (cls == 0 && mode == AUTHZ_PORTS_DEFAULT_LOCAL))
					continue;
				if (hport == NULL || hport[0] == '\0')
					hport = "HOSTPORT";
				/* Let through by audit-only mode: read on. */
				if ((r = authz_deny(c, RULE_PORTS, f, "container port %.64s "
				    "is published on %s%.64s%s, and the admin allows "
				    "published ports only on %s (portBindingBehavior: %s). "
				    "Publish on loopback, e.g. -p 127.0.0.1:%.32s:%.*s",
				    port, cls == 2 ? "all host addresses (HostIp \"" :
				    cls < 0 ? "\"" : "",
				    ip ? ip : "", cls == 2 ? "\")" : cls < 0 ?
				    "\", which is not an IP address" : "",
				    mode == AUTHZ_PORTS_LOCAL_ONLY ? "loopback addresses" :
				    "an address given explicitly", mname, hport,
				    (int)strcspn(port, "/"), port)) < 0)
					return r;
			}
		}
	if (all) {
		snprintf(f, sizeof(f), "%s%sPublishAllPorts", path, path[0] ? "." : "");
		if ((r = authz_deny(c, RULE_PORTS, f, "%s publishes every exposed port "
		    "on all host addresses, and the admin allows published ports only "
		    "on loopback (portBindingBehavior: %s). Remove -P and publish each "
		    "port on loopback, e.g. -p 127.0.0.1:8080:80", f, mname)) < 0)
			return r;
	}
	if (mode == AUTHZ_PORTS_LOCAL_ONLY && net != NULL && strcasecmp(net, "host") == 0) {
		snprintf(f, sizeof(f), "%s%sNetworkMode", path, path[0] ? "." : "");
		return authz_deny(c, RULE_PORTS, f, "%s is \"host\": every port the "
		    "container listens on is reachable on all host addresses, and the "
		    "admin allows published ports only on loopback (portBindingBehavior: "
		    "%s). Use a bridge network and publish with -p 127.0.0.1:8080:80",
		    f, mname);
	}
	return 0;
}

/* A swarm service's EndpointSpec.Ports: swarm publishes on every interface. */
static int
ports_service(struct authz_ctx *c, const struct authz_jv *spec)
{
	const struct authz_jv	*es, *ports, *p, *tp, *pp;
	struct dw_err		 err;
	int64_t			 target = 0, published = 0;
	char			 f[96];

	if (authz_json_get_object(spec, "", AUTHZ_JSON_F(EndpointSpec), &es, &err) < 0 ||
	    authz_json_get_array(es, "EndpointSpec", AUTHZ_JSON_F(Ports), &ports, &err) < 0)
		return authz_deny_json(c, &err);
	if (authz_jv_array_size(ports) == 0)
		return 0;
	/* Even PublishedPort 0 publishes: swarm picks a port in 30000-32767. */
	p = authz_jv_array_get(ports, 0);
	snprintf(f, sizeof(f), "EndpointSpec.Ports[0]");
	tp = pp = NULL;
	if (authz_jv_is_object(p)) {
		(void)authz_json_field(p, f, AUTHZ_JSON_F(TargetPort), &tp, &err);
		(void)authz_json_field(p, f, AUTHZ_JSON_F(PublishedPort), &pp, &err);
	}
	/* For the message only: an integer, else 0. */
	if (tp == NULL || authz_jv_int64(tp, &target) < 0)
		target = 0;
	if (pp == NULL || authz_jv_int64(pp, &published) < 0)
		published = 0;
	return authz_deny(c, RULE_PORTS, f, "%s publishes target port %lld on host "
	    "port %lld of every node, on all addresses (swarm cannot publish on "
	    "loopback only), and the admin allows published ports only on loopback "
	    "(portBindingBehavior: %s). Remove --publish and reach the service over "
	    "an overlay network, or run it as a container with -p 127.0.0.1:8080:80",
	    f, (long long)target, (long long)published,
	    authz_desktop_ports_name(c->s->desktop.ports));
}

/* The body as a JSON object, or a deny (the same refusals as the engine's). */
static int
desk_body(struct authz_ctx *c, const struct authz_jv **ret)
{
	if (c->req->body == NULL || c->req->body_len == 0)
		return authz_deny(c, RULE_REQUEST_BODY, "", "dockerd did not forward "
		    "the request body, which the port binding rule needs. Send the "
		    "body as JSON with a Content-Length header, not chunked");
	/* Parsed once for every rule; its refusals are request.json's. */
	return authz_deny_unless_body(c, ret);
}

int
authz_desktop_check(struct authz_ctx *c)
{
	const struct authz_desktop *d = &c->s->desktop;
	const struct authz_jv	*root, *hc;
	struct dw_err		 err;
	int			 r;

	switch (c->req->uri->endpoint) {
	case AUTHZ_EP_IMAGE_LOAD:
	case AUTHZ_EP_IMAGE_CREATE:
		return d->block_load ? load_check(c) : 0;
	case AUTHZ_EP_CONTAINER_CREATE:
		if (d->ports == AUTHZ_PORTS_DEFAULT)
			return 0;
		if ((r = desk_body(c, &root)) < 0)
			return r;
		/* Like the ECI rules: the top level counts as well as HostConfig. */
		if (authz_json_get_object(root, "", AUTHZ_JSON_F(HostConfig), &hc, &err) < 0)
			r = authz_deny_json(c, &err);
		else if ((r = ports_hostconfig(c, root, "")) == 0 && hc != NULL)
			r = ports_hostconfig(c, hc, "HostConfig");
		return r;
	case AUTHZ_EP_SERVICE_CREATE:
	case AUTHZ_EP_SERVICE_UPDATE:
		if (d->ports == AUTHZ_PORTS_DEFAULT)
			return 0;
		if ((r = desk_body(c, &root)) < 0)
			return r;
		return ports_service(c, root);
	default:
		return 0;
	}
}
