/*
 * cli_docker_network: the network commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_docker_network.h"
#include "cli/cli_docker_arg.h"
#include "cli/cli_docker_cmd.h"
#include "cli/cli_docker_plan.h"
#include "common/dw_strv.h"

enum {
	NC_DRIVER = 1, NC_OPT, NC_LABEL, NC_INTERNAL, NC_ATTACHABLE,
	NC_INGRESS, NC_IPV6, NC_SUBNET, NC_GATEWAY, NC_IPRANGE, NC_IPAMDRIVER,
	NC_IPAMOPT, NC_SCOPE, NC_CONFIGONLY, NC_CONFIGFROM,
};

static const struct cli_docker_arg_flag create_flags[] = {
	{ "driver", 'd', CLI_DOCKER_ARG_STR, NC_DRIVER, NULL },
	{ "opt", 'o', CLI_DOCKER_ARG_LIST, NC_OPT, NULL },
	{ "label", 0, CLI_DOCKER_ARG_LIST, NC_LABEL, NULL },
	{ "internal", 0, CLI_DOCKER_ARG_BOOL, NC_INTERNAL, NULL },
	{ "attachable", 0, CLI_DOCKER_ARG_BOOL, NC_ATTACHABLE, NULL },
	{ "ingress", 0, CLI_DOCKER_ARG_BOOL, NC_INGRESS, NULL },
	{ "ipv6", 0, CLI_DOCKER_ARG_BOOL, NC_IPV6, NULL },
	{ "subnet", 0, CLI_DOCKER_ARG_LIST, NC_SUBNET, NULL },
	{ "gateway", 0, CLI_DOCKER_ARG_LIST, NC_GATEWAY, NULL },
	{ "ip-range", 0, CLI_DOCKER_ARG_LIST, NC_IPRANGE, NULL },
	{ "ipam-driver", 0, CLI_DOCKER_ARG_STR, NC_IPAMDRIVER, NULL },
	{ "ipam-opt", 0, CLI_DOCKER_ARG_LIST, NC_IPAMOPT, NULL },
	{ "scope", 0, CLI_DOCKER_ARG_STR, NC_SCOPE, NULL },
	{ "config-only", 0, CLI_DOCKER_ARG_BOOL, NC_CONFIGONLY, NULL },
	{ "config-from", 0, CLI_DOCKER_ARG_STR, NC_CONFIGFROM, NULL },
	{ "aux-address", 0, CLI_DOCKER_ARG_LIST, 0, NULL },
	{ NULL }
};

/* --subnet with the --gateway and --ip-range of its rank: IPAM.Config, new. */
static json_t *
ipam_configs(const struct cli_docker_arg *p)
{
	struct dw_strv	 sub = { 0 }, gw = { 0 }, ipr = { 0 };
	json_t		*cfgs, *c;
	size_t		 k;

	cli_docker_arg_list(p, NC_SUBNET, &sub);
	cli_docker_arg_list(p, NC_GATEWAY, &gw);
	cli_docker_arg_list(p, NC_IPRANGE, &ipr);
	cfgs = json_array();
	for (k = 0; k < sub.n; k++) {
		c = json_pack("{s:s}", "Subnet", sub.v[k]);
		if (k < gw.n)
			json_object_set_new(c, "Gateway", json_string(gw.v[k]));
		if (k < ipr.n)
			json_object_set_new(c, "IPRange", json_string(ipr.v[k]));
		json_array_append_new(cfgs, c);
	}
	dw_strv_clear(&sub);
	dw_strv_clear(&gw);
	dw_strv_clear(&ipr);
	return cfgs;
}

/* docker network create NAME. */
static int
create_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct dw_strv	 o = { 0 }, l = { 0 }, io = { 0 };
	const char	*v;
	json_t		*body;
	int		 r;

	if (p->npos != 1)
		return cli_docker_cmd_fail(t, -EINVAL, "\"docker network "
		    "create\" requires exactly 1 argument");
	cli_docker_arg_list(p, NC_OPT, &o);
	cli_docker_arg_list(p, NC_LABEL, &l);
	cli_docker_arg_list(p, NC_IPAMOPT, &io);
	body = json_pack("{s:s, s:b, s:s, s:b, s:b, s:b, s:b, "
	    "s:{s:s, s:o, s:o}, s:o, s:o, s:s, s:b}",
	    "Name", p->pos[0],
	    "CheckDuplicate", 1,
	    "Driver", cli_docker_arg_or(p, NC_DRIVER, "bridge"),
	    "Internal", cli_docker_arg_bool(p, NC_INTERNAL, false),
	    "Attachable", cli_docker_arg_bool(p, NC_ATTACHABLE, false),
	    "Ingress", cli_docker_arg_bool(p, NC_INGRESS, false),
	    "EnableIPv6", cli_docker_arg_bool(p, NC_IPV6, false),
	    "IPAM",
		"Driver", cli_docker_arg_or(p, NC_IPAMDRIVER, "default"),
		"Config", ipam_configs(p),
		"Options", cli_docker_cmd_kv_map(&io),
	    "Options", cli_docker_cmd_kv_map(&o),
	    "Labels", cli_docker_cmd_kv_map(&l),
	    "Scope", cli_docker_arg_or(p, NC_SCOPE, ""),
	    "ConfigOnly", cli_docker_arg_bool(p, NC_CONFIGONLY, false));
	if (body != NULL && (v = cli_docker_arg_str(p, NC_CONFIGFROM)) != NULL)
		json_object_set_new(body, "ConfigFrom",
		    json_pack("{s:s}", "Network", v));
	r = body && cli_docker_plan_add(t->plan, t->err, "POST",
	    "/networks/create", NULL, body) ? 0 : -ENOMEM;
	dw_strv_clear(&o);
	dw_strv_clear(&l);
	dw_strv_clear(&io);
	return r;
}

enum { CN_ALIAS = 1, CN_IP, CN_IP6, CN_LINK, CN_LINKLOCALIP, CN_DRIVEROPT };

static const struct cli_docker_arg_flag connect_flags[] = {
	{ "alias", 0, CLI_DOCKER_ARG_LIST, CN_ALIAS, NULL },
	{ "ip", 0, CLI_DOCKER_ARG_STR, CN_IP, NULL },
	{ "ip6", 0, CLI_DOCKER_ARG_STR, CN_IP6, NULL },
	{ "link", 0, CLI_DOCKER_ARG_LIST, CN_LINK, NULL },
	{ "link-local-ip", 0, CLI_DOCKER_ARG_LIST, CN_LINKLOCALIP, NULL },
	{ "driver-opt", 0, CLI_DOCKER_ARG_LIST, CN_DRIVEROPT, NULL },
	{ NULL }
};

enum { ND_FORCE = 1 };

static const struct cli_docker_arg_flag disconnect_flags[] = {
	{ "force", 'f', CLI_DOCKER_ARG_BOOL, ND_FORCE, NULL },
	{ NULL }
};

/* The EndpointConfig of network connect: new. */
static json_t *
endpoint_config(const struct cli_docker_arg *p)
{
	struct dw_strv	 l = { 0 };
	json_t		*ep, *ipam;
	const char	*v;

	ep = json_object();
	cli_docker_arg_list(p, CN_ALIAS, &l);
	if (l.n > 0)
		json_object_set_new(ep, "Aliases",
		    cli_docker_cmd_str_array(&l));
	dw_strv_clear(&l);
	cli_docker_arg_list(p, CN_LINK, &l);
	if (l.n > 0)
		json_object_set_new(ep, "Links", cli_docker_cmd_str_array(&l));
	dw_strv_clear(&l);
	cli_docker_arg_list(p, CN_DRIVEROPT, &l);
	json_object_set_new(ep, "DriverOpts", cli_docker_cmd_kv_map(&l));
	dw_strv_clear(&l);
	ipam = json_object();
	if ((v = cli_docker_arg_str(p, CN_IP)) != NULL)
		json_object_set_new(ipam, "IPv4Address", json_string(v));
	if ((v = cli_docker_arg_str(p, CN_IP6)) != NULL)
		json_object_set_new(ipam, "IPv6Address", json_string(v));
	cli_docker_arg_list(p, CN_LINKLOCALIP, &l);
	if (l.n > 0)
		json_object_set_new(ipam, "LinkLocalIPs",
		    cli_docker_cmd_str_array(&l));
	dw_strv_clear(&l);
	json_object_set_new(ep, "IPAMConfig", ipam);
	return ep;
}

/* network connect|disconnect NETWORK CONTAINER: body (taken) to NETWORK. */
static int
connect_request(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    const char *what, json_t *body)
{
	char	path[512];

	snprintf(path, sizeof(path), "/networks/%s/%s", p->pos[0], what);
	return body && cli_docker_plan_add(t->plan, t->err, "POST", path, NULL,
	    body) ? 0 : -ENOMEM;
}

/* docker network connect NETWORK CONTAINER. */
static int
connect_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	if (p->npos != 2)
		return cli_docker_cmd_fail(t, -EINVAL, "\"docker network %s\" "
		    "requires exactly 2 arguments (NETWORK CONTAINER)",
		    "connect");
	return connect_request(t, p, "connect", json_pack("{s:s, s:o}",
	    "Container", p->pos[1], "EndpointConfig", endpoint_config(p)));
}

/* docker network disconnect NETWORK CONTAINER. */
static int
disconnect_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	if (p->npos != 2)
		return cli_docker_cmd_fail(t, -EINVAL, "\"docker network %s\" "
		    "requires exactly 2 arguments (NETWORK CONTAINER)",
		    "disconnect");
	return connect_request(t, p, "disconnect", json_pack("{s:s, s:b}",
	    "Container", p->pos[1], "Force", cli_docker_arg_bool(p, ND_FORCE,
	    false)));
}

const struct cli_docker_cmd_entry cli_docker_network_create_entry = {
	.name = "network create",
	.flags = create_flags, .exec = create_exec,
};

const struct cli_docker_cmd_entry cli_docker_network_connect_entry = {
	.name = "network connect",
	.flags = connect_flags, .exec = connect_exec,
};

const struct cli_docker_cmd_entry cli_docker_network_disconnect_entry = {
	.name = "network disconnect",
	.flags = disconnect_flags, .exec = disconnect_exec,
};

const struct cli_docker_cmd_entry cli_docker_network_ls_entry = {
	.name = "network ls", .alias = { "network list" },
	.flags = cli_docker_cmd_flags_ls, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/networks", CLI_DOCKER_CMD_NONE },
};

const struct cli_docker_cmd_entry cli_docker_network_inspect_entry = {
	.name = "network inspect",
	.flags = cli_docker_cmd_flags_format,
	.exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/networks/%s", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_network_rm_entry = {
	.name = "network rm", .alias = { "network remove" },
	.flags = cli_docker_cmd_flags_none, .exec = cli_docker_cmd_simple_exec,
	.simple = { "DELETE", "/networks/%s", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_network_prune_entry = {
	.name = "network prune",
	.flags = cli_docker_cmd_flags_prune, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/networks/prune", CLI_DOCKER_CMD_NONE },
};
