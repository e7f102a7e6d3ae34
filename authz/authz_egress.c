/*
 * authz_egress: the Engine API rules of air-gapped containers
 * (containersProxy).
 *
 * dockward's nftables table catches what a container sends through a
 * bridge of this host (matched by interface kind, so any bridge network
 * counts, whatever its name).  A container in the host's network
 * namespace sends from the host itself; macvlan and ipvlan put it on the
 * host's physical network beside the host; overlay traffic leaves inside
 * VXLAN; a network plugin does what it likes.  None of those passes the
 * table, so while containersProxy is set a container may join only a
 * bridge network (or none), by whichever door: create, a container:X
 * chain, a build, a service spec, network create and connect, and the
 * start or exec of a container that was made before.  Resolvers other
 * than the allowed ones would be dropped by the table (udp "dns-only"):
 * refused here with the list instead.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "authz/authz_deny.h"
#include "authz/authz_egress.h"
#include "authz/authz_existing.h"
#include "authz/authz_json.h"
#include "authz/authz_namespace.h"
#include "authz/authz_rules.h"
#include "authz/authz_service.h"
#include "authz/authz_settings.h"
#include "authz/authz_uri.h"
#include "common/dw_esc.h"

#define EGRESS_FIELD_MAX	192	/* one field path in a message */
#define EGRESS_CHAIN_MAX	512	/* a container:X chain in words */
#define EGRESS_LIST_MAX		512	/* the allowed resolvers in a message */

/* The fix every network denial ends with. */
#define FIX_BRIDGE	"Use a bridge network (the default, or one made with " \
	"docker network create -d bridge), or ask an admin to remove " \
	"containersProxy"

/* " (via container:a -> a (NetworkMode host))" or "". */
static void
via_text(char *buf, size_t len, const char *via)
{
	if (via == NULL)
		buf[0] = '\0';
	else
		snprintf(buf, len, " (through %s)", via);
}

/*
 * The end of a network mode (no longer container:X): a mode dockerd
 * handles itself, the host, or a network named by name or id, judged by
 * its driver.  via is the chain that led here, for the message.
 */
static int
judge_net(struct authz_ctx *c, const char *net, const char *field,
    const char *via)
{
	struct dw_err	 err;
	json_t		*n = NULL;
	const char	*name, *driver;
	char		 q[128], v[EGRESS_CHAIN_MAX + 16];
	int		 r;

	via_text(v, sizeof(v), via);
	dw_esc(q, sizeof(q), net, (size_t)-1);
	if (net[0] == '\0' || strcmp(net, "default") == 0 ||
	    strcmp(net, "bridge") == 0 || strcmp(net, "none") == 0)
		return 0;
	if (strcasecmp(net, "host") == 0)
		goto host;
	if (c->facts == NULL || c->facts->network_inspect == NULL)
		return authz_deny(c, RULE_EGRESS_NETWORK, field, "%s names network "
		    "\"%s\"%s and dockward cannot look up its driver here; while "
		    "containersProxy is set only bridge networks are allowed. "
		    "Retry through the daemon, or " FIX_BRIDGE, field, q, v);
	r = c->facts->network_inspect(c->facts->ctx, net, &n, &err);
	if (r == -ENOENT)
		return authz_deny(c, RULE_EGRESS_NETWORK, field, "%s names network "
		    "\"%s\"%s, which does not exist; a network made under that "
		    "name before dockerd looks it up could be of any driver. Create "
		    "the bridge network first", field, q, v);
	if (r < 0)
		return authz_deny(c, RULE_ENGINE, field, "cannot inspect network "
		    "\"%s\"%s to learn its driver: %s. Retry when dockward reaches "
		    "dockerd", q, v, err.msg);
	name = json_string_value(json_object_get(n, "Name"));
	driver = json_string_value(json_object_get(n, "Driver"));
	if (driver != NULL && (strcmp(driver, "bridge") == 0 ||
	    strcmp(driver, "null") == 0)) {
		json_decref(n);
		return 0;	/* a bridge of this host, or no network at all */
	}
	if ((name != NULL && strcmp(name, "host") == 0) ||
	    (driver != NULL && strcmp(driver, "host") == 0)) {
		json_decref(n);
		goto host;
	}
	r = authz_deny(c, RULE_EGRESS_DRIVER, field, "%s is network \"%s\"%s of "
	    "driver \"%s\"; while containersProxy is set containers may use "
	    "bridge networks only: %s. " FIX_BRIDGE, field, q, v,
	    driver != NULL ? driver : "(unknown)", driver == NULL ?
	    "dockerd did not say which driver it has" :
	    strcmp(driver, "overlay") == 0 ? "overlay traffic leaves this host "
	    "inside VXLAN, which dockward's egress table does not police" :
	    strcmp(driver, "macvlan") == 0 || strcmp(driver, "ipvlan") == 0 ?
	    "it puts containers on the host's physical network, beside the "
	    "host, where dockward's egress table never sees their traffic" :
	    "dockward's egress table polices only traffic through a bridge of "
	    "this host");
	json_decref(n);
	return r;
host:
	return authz_deny(c, RULE_EGRESS_NETWORK, field, "%s is the host's "
	    "network%s; a container there sends from the host itself, past "
	    "the egress policy of containersProxy. " FIX_BRIDGE, field, v);
}

int
authz_egress_network_check(struct authz_ctx *c, const char *net,
    const char *field)
{
	char	end[AUTHZ_NAMESPACE_MODE_MAX], chain[EGRESS_CHAIN_MAX];
	int	r;

	if (net == NULL)
		return 0;
	if (strncmp(net, "container:", 10) != 0)
		return judge_net(c, net, field, NULL);
	/* container:X joins X's network namespace, which may be Y's, and so on. */
	if ((r = authz_namespace_chain_end(c, AUTHZ_NS_NET, net, field,
	    RULE_EGRESS_NETWORK, false, end, sizeof(end), chain,
	    sizeof(chain))) < 0)
		return r;
	return judge_net(c, end, field, chain);
}

/* The allowed resolvers as "a, b", or a note that there are none. */
static void
dns_list(const struct authz_settings *s, char *buf, size_t len)
{
	size_t	i, n = 0;
	int	w;

	buf[0] = '\0';
	if (s->egress_dns.n == 0) {
		snprintf(buf, len, "none (containers use dockerd's own resolvers "
		    "when no --dns is given)");
		return;
	}
	for (i = 0; i < s->egress_dns.n && n < len; i++) {
		w = snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
		    s->egress_dns.v[i]);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

int
authz_egress_dns_check(struct authz_ctx *c, const struct authz_jv *obj,
    const char *path, const struct authz_jv_name *field)
{
	struct dw_strv	 dns = { 0 };
	struct dw_err	 err;
	char		 f[EGRESS_FIELD_MAX], q[128], list[EGRESS_LIST_MAX];
	size_t		 i;
	int		 r = 0;

	if (!c->s->egress_dns_rule || obj == NULL)
		return 0;
	if (authz_json_get_strings(obj, path, field, false, &dns, &err) < 0) {
		r = authz_deny_json(c, &err);
		goto out;
	}
	for (i = 0; i < dns.n; i++) {
		if (authz_settings_egress_dns_allowed(c->s, dns.v[i]))
			continue;
		snprintf(f, sizeof(f), "%s%s%s[%zu]", path, path[0] ? "." : "",
		    field->s, i);
		dw_esc(q, sizeof(q), dns.v[i], (size_t)-1);
		dns_list(c->s, list, sizeof(list));
		r = authz_deny(c, RULE_EGRESS_DNS, f, "%s is \"%s\", which is not "
		    "an allowed resolver while containersProxy is set (allowed: "
		    "%s); DNS to any other server is dropped. Remove --dns %s, "
		    "use an allowed resolver, or ask an admin to add it to "
		    "dockward.egress.dnsServers", f, q, list, q);
		goto out;
	}
out:
	dw_strv_clear(&dns);
	return r;
}

/* NetworkMode and Dns of one host-config-like object (HostConfig, or the top level). */
static int
hostconfig_check(struct authz_ctx *c, const struct authz_jv *hc, const char *path)
{
	struct dw_err	 err;
	const char	*mode;
	char		 f[EGRESS_FIELD_MAX];

	if (authz_json_get_string(hc, path, AUTHZ_JSON_F(NetworkMode), &mode, &err) < 0)
		return authz_deny_json(c, &err);
	authz_json_join_path(f, sizeof(f), path, "NetworkMode");
	if (authz_egress_network_check(c, mode, f) < 0)
		return -EACCES;
	return authz_egress_dns_check(c, hc, path, AUTHZ_JSON_F(Dns));
}

/* POST /containers/create: both places dockerd reads host settings from, and every endpoint. */
static int
container_create(struct authz_ctx *c)
{
	const struct authz_jv	*root, *hc, *nc, *eps, *v;
	struct dw_err		 err;
	const char		*net;
	char			 f[EGRESS_FIELD_MAX];
	size_t			 i;
	int			 r;

	if ((r = authz_deny_unless_body(c, &root)) < 0)
		return r;
	if (authz_json_get_object(root, "", AUTHZ_JSON_F(HostConfig), &hc, &err) < 0 ||
	    authz_json_get_object(root, "", AUTHZ_JSON_F(NetworkingConfig), &nc, &err) < 0 ||
	    authz_json_get_object(nc, "NetworkingConfig", AUTHZ_JSON_F(EndpointsConfig),
	    &eps, &err) < 0)
		return authz_deny_json(c, &err);
	if ((r = hostconfig_check(c, root, "")) < 0 ||
	    (hc != NULL && (r = hostconfig_check(c, hc, "HostConfig")) < 0))
		return r;
	if (eps != NULL)
		authz_jv_object_foreach(eps, i, net, v) {
			snprintf(f, sizeof(f), "NetworkingConfig.EndpointsConfig.%.100s",
			    net);
			if ((r = authz_egress_network_check(c, net, f)) < 0)
				return r;
		}
	return 0;
}

/*
 * The stored networks of an existing container: its NetworkMode (a
 * container:X followed), every network it is connected to, and its Dns.
 * Judged into a scratch decision, so the denial can say which container.
 */
static int
judge_stored(struct authz_ctx *c, const json_t *ctr, struct authz_decision *sub)
{
	struct authz_ctx	 s = { c->s, c->facts, c->req, sub, c->body,
	    c->enforce, c->wd, NULL };
	struct authz_jv_doc	*doc = NULL;
	struct dw_err		 err;
	json_t			*hc, *nets, *v;
	const char		*mode, *net;
	char			 f[EGRESS_FIELD_MAX];
	int			 r;

	memset(sub, 0, sizeof(*sub));
	hc = json_object_get(ctr, "HostConfig");
	nets = json_object_get(json_object_get(ctr, "NetworkSettings"), "Networks");
	if (!json_is_object(hc) || (nets != NULL && !json_is_null(nets) &&
	    !json_is_object(nets)))
		return authz_deny(&s, RULE_REQUEST_JSON, "HostConfig", "dockerd's "
		    "description of the container lacks its HostConfig or "
		    "networks, so its network cannot be checked");
	mode = json_string_value(json_object_get(hc, "NetworkMode"));
	if (authz_egress_network_check(&s, mode, "HostConfig.NetworkMode") < 0)
		return -EACCES;
	if (json_is_object(nets))
		json_object_foreach(nets, net, v) {
			snprintf(f, sizeof(f), "NetworkSettings.Networks.%.100s", net);
			if (authz_egress_network_check(&s, net, f) < 0)
				return -EACCES;
		}
	/* Dns is read as a body's is (authz_json.h), from the inspect answer. */
	if (!c->s->egress_dns_rule)
		return 0;
	if (authz_json_from_jansson(hc, &doc, &err) < 0)
		return authz_deny(&s, RULE_REQUEST_JSON, "HostConfig", "dockerd's "
		    "description of the container cannot be read (%s), so its "
		    "resolvers cannot be checked", err.msg);
	r = authz_egress_dns_check(&s, authz_jv_doc_root(doc), "HostConfig",
	    AUTHZ_JSON_F(Dns));
	authz_jv_doc_free(doc);
	return r;
}

/* The text of a decision after "dockward: <what> (<rule>): ". */
static const char *
why_of(const struct authz_decision *d)
{
	const char	*p = strstr(d->msg, "): ");

	return p != NULL ? p + 3 : d->msg;
}

/* Start, restart, exec into, attach to container id: judged by its stored networks. */
static int
existing_check(struct authz_ctx *c, const char *id, const char *what)
{
	struct authz_decision	 sub;
	json_t			*ctr;
	int			 r;

	/* Unlike the create rules, these refuse what they cannot look up. */
	r = authz_existing_inspect(c, id, what, "its network", false, &ctr);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	r = judge_stored(c, ctr, &sub);
	json_decref(ctr);
	if (r == 0)
		return 0;
	if (sub.rule == NULL)
		return r;	/* internal failure: the caller's deny */
	if (strcmp(sub.rule, RULE_ENGINE) == 0)
		return authz_deny(c, sub.rule, sub.field, "%s", why_of(&sub));
	return authz_deny(c, sub.rule, sub.field, "container \"%.80s\" was made "
	    "with a network the policy now refuses: %s Through dockward no one "
	    "may %s it while containersProxy is set; recreate it on a bridge "
	    "network", id, why_of(&sub), what);
}

/* POST /exec/{id}/start: the container the exec instance belongs to. */
static int
exec_start_check(struct authz_ctx *c, const char *exec_id)
{
	/* Unlike the create rules, these refuse what they cannot look up. */
	if (exec_id != NULL && exec_id[0] != '\0' &&
	    (c->facts == NULL || c->facts->exec_inspect == NULL))
		return authz_deny(c, RULE_ENGINE, "", "cannot inspect exec instance "
		    "\"%.80s\" to find its container: no engine connection. Retry "
		    "when dockward reaches dockerd", exec_id);
	return authz_existing_exec_check(c, exec_id, "exec into", existing_check);
}

/*
 * POST /build: the classic builder runs each RUN step in a container of
 * the networkmode given, and BuildKit (version=2) honours it too.
 * dockerd reads it with FormValue (the first value): two are refused.
 */
static int
build_check(struct authz_ctx *c)
{
	const char	*mode;
	int		 r;

	r = authz_deny_query_get(c, "networkmode", &mode);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	return authz_egress_network_check(c, mode, "networkmode");
}

/*
 * POST /services/create, /services/{id}/update: tasks made from the spec
 * never pass through authorization, so the spec's networks and resolvers
 * are judged here.
 */
static int
service_check(struct authz_ctx *c)
{
	static const char *const CS = "TaskTemplate.ContainerSpec";
	const struct authz_jv	*root, *tt = NULL, *cs = NULL, *dc = NULL;
	struct dw_err		 err;
	int			 r;

	if ((r = authz_deny_unless_body(c, &root)) < 0)
		return r;
	if (authz_json_get_object(root, "", AUTHZ_JSON_F(TaskTemplate), &tt, &err) < 0 ||
	    authz_json_get_object(tt, "TaskTemplate", AUTHZ_JSON_F(ContainerSpec), &cs, &err) < 0 ||
	    authz_json_get_object(cs, CS, AUTHZ_JSON_F(DNSConfig), &dc, &err) < 0)
		return authz_deny_json(c, &err);
	if ((r = authz_service_networks_check(c, root, "",
	    authz_egress_network_check)) < 0 ||
	    (r = authz_service_networks_check(c, tt, "TaskTemplate",
	    authz_egress_network_check)) < 0)
		return r;
	return authz_egress_dns_check(c, dc, "TaskTemplate.ContainerSpec.DNSConfig",
	    AUTHZ_JSON_F(Nameservers));
}

/*
 * POST /networks/create: only the bridge driver (dockerd's default when
 * Driver is empty) makes an interface the egress table matches.
 */
static int
network_create(struct authz_ctx *c)
{
	const struct authz_jv	*root;
	struct dw_err		 err;
	const char		*driver;
	char			 q[128];
	int			 r;

	if ((r = authz_deny_unless_body(c, &root)) < 0)
		return r;
	if (authz_json_get_string(root, "", AUTHZ_JSON_F(Driver), &driver, &err) < 0)
		return authz_deny_json(c, &err);
	if (driver == NULL || driver[0] == '\0' || strcmp(driver, "bridge") == 0)
		return 0;
	dw_esc(q, sizeof(q), driver, (size_t)-1);
	return authz_deny(c, RULE_EGRESS_DRIVER, "Driver", "Driver is \"%s\"; while "
	    "containersProxy is set only bridge networks may be created: %s. "
	    "Create a bridge network (docker network create -d bridge), or ask "
	    "an admin to create this one with containersProxy off", q,
	    strcmp(driver, "overlay") == 0 ? "overlay traffic leaves this host "
	    "inside VXLAN, which dockward's egress table does not police" :
	    strcmp(driver, "macvlan") == 0 || strcmp(driver, "ipvlan") == 0 ?
	    "it puts containers on the host's physical network, beside the "
	    "host, where dockward's egress table never sees their traffic" :
	    strcmp(driver, "host") == 0 || strcmp(driver, "null") == 0 ?
	    "dockerd's own networks of that driver cannot be made again" :
	    "dockward's egress table polices only traffic through a bridge of "
	    "this host, and a network plugin does what it likes");
}

int
authz_egress_check(struct authz_ctx *c)
{
	const struct authz_uri	*u = c->req->uri;
	const char		*id = u->nvars > 0 ? u->vars[0] : NULL;

	switch (u->endpoint) {
	case AUTHZ_EP_CONTAINER_CREATE:
		return container_create(c);
	case AUTHZ_EP_CONTAINER_START:
		return existing_check(c, id, "start");
	case AUTHZ_EP_CONTAINER_RESTART:
		return existing_check(c, id, "restart");
	case AUTHZ_EP_CONTAINER_EXEC:
		return existing_check(c, id, "exec into");
	case AUTHZ_EP_CONTAINER_ATTACH:
	case AUTHZ_EP_CONTAINER_ATTACH_WS:
		return existing_check(c, id, "attach to");
	case AUTHZ_EP_EXEC_START:
		return exec_start_check(c, id);
	case AUTHZ_EP_BUILD:
		return build_check(c);
	case AUTHZ_EP_SERVICE_CREATE:
	case AUTHZ_EP_SERVICE_UPDATE:
		return service_check(c);
	case AUTHZ_EP_NETWORK_CREATE:
		return network_create(c);
	case AUTHZ_EP_NETWORK_CONNECT:
		return id == NULL ? 0 : authz_egress_network_check(c, id, "network");
	default:
		return 0;
	}
}
