/*
 * cli_docker_swarm: swarm init, join and leave, and the service commands;
 * service create builds the fields of the spec the rules read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_docker_swarm.h"
#include "cli/cli_docker_arg.h"
#include "cli/cli_docker_cmd.h"
#include "cli/cli_docker_plan.h"
#include <ctype.h>
#include <strings.h>

#include "cli/cli_docker_mount.h"
#include "common/dw_strv.h"

enum {
	SW_ADVERTISEADDR = 1, SW_LISTENADDR, SW_DATAPATHADDR, SW_AVAILABILITY,
	SW_TOKEN, SW_FORCENEWCLUSTER, SW_AUTOLOCK,
};

static const struct cli_docker_arg_flag swarm_flags[] = {
	{ "advertise-addr", 0, CLI_DOCKER_ARG_STR, SW_ADVERTISEADDR, NULL },
	{ "listen-addr", 0, CLI_DOCKER_ARG_STR, SW_LISTENADDR, NULL },
	{ "data-path-addr", 0, CLI_DOCKER_ARG_STR, SW_DATAPATHADDR, NULL },
	{ "availability", 0, CLI_DOCKER_ARG_STR, SW_AVAILABILITY, NULL },
	{ "token", 0, CLI_DOCKER_ARG_STR, SW_TOKEN, NULL },
	{ "force-new-cluster", 0, CLI_DOCKER_ARG_BOOL, SW_FORCENEWCLUSTER, NULL },
	{ "autolock", 0, CLI_DOCKER_ARG_BOOL, SW_AUTOLOCK, NULL },
	{ "data-path-port", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "default-addr-pool", 0, CLI_DOCKER_ARG_LIST, 0, NULL },
	{ "default-addr-pool-mask-length", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "cert-expiry", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "dispatcher-heartbeat", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "external-ca", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "max-snapshots", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "snapshot-interval", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "task-history-limit", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ NULL }
};

/*
 * docker swarm init, or join HOST:PORT: the same body, each with its own
 * fields.
 */
static int
swarm(struct cli_docker_cmd *t, const struct cli_docker_arg *p, bool join)
{
	json_t	*body;

	if (join ? p->npos != 1 : p->npos != 0)
		return cli_docker_cmd_fail(t, -EINVAL, "\"docker swarm %s\" %s",
		    join ? "join" : "init", join ? "requires exactly 1 "
		    "argument (HOST:PORT)" : "takes no arguments");
	/* --token is join's, --force-new-cluster and --autolock init's. */
	if ((!join && cli_docker_arg_given(p, SW_TOKEN)) ||
	    (join && (cli_docker_arg_given(p, SW_FORCENEWCLUSTER) ||
	    cli_docker_arg_given(p, SW_AUTOLOCK))))
		return cli_docker_cmd_fail(t, -EINVAL, "unknown flag for "
		    "\"docker swarm %s\"", join ? "join" : "init");
	body = json_pack("{s:s, s:s, s:s, s:s}",
	    "ListenAddr", cli_docker_arg_or(p, SW_LISTENADDR, "0.0.0.0:2377"),
	    "AdvertiseAddr", cli_docker_arg_or(p, SW_ADVERTISEADDR, ""),
	    "DataPathAddr", cli_docker_arg_or(p, SW_DATAPATHADDR, ""),
	    "Availability", cli_docker_arg_or(p, SW_AVAILABILITY, ""));
	if (body != NULL && join) {
		json_object_set_new(body, "JoinToken",
		    json_string(cli_docker_arg_or(p, SW_TOKEN, "")));
		json_object_set_new(body, "RemoteAddrs",
		    json_pack("[s]", p->pos[0]));
	} else if (body != NULL) {
		json_object_set_new(body, "ForceNewCluster", json_boolean(
		    cli_docker_arg_bool(p, SW_FORCENEWCLUSTER, false)));
		json_object_set_new(body, "AutoLockManagers",
		    json_boolean(cli_docker_arg_bool(p, SW_AUTOLOCK, false)));
	}
	return body && cli_docker_plan_add(t->plan, t->err, "POST", join ?
	    "/swarm/join" : "/swarm/init", NULL, body) ? 0 : -ENOMEM;
}

static int
init_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	return swarm(t, p, false);
}

static int
join_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	return swarm(t, p, true);
}

/* ---- service create (the fields the rules read) ---- */

enum {
	SV_NAME = 1, SV_MOUNT, SV_PUBLISH, SV_CAPADD, SV_CAPDROP, SV_ENV, SV_NET,
	SV_MODE, SV_REPLICAS, SV_USER, SV_WORKDIR, SV_HOSTNAME, SV_READONLY, SV_INIT,
	SV_SYSCTL, SV_LABEL, SV_CLABEL, SV_DETACH, SV_IGN, SV_ENTRYPOINT,
};

static const struct cli_docker_arg_flag service_flags[] = {
	{ "name", 0, CLI_DOCKER_ARG_STR, SV_NAME, NULL },
	{ "mount", 0, CLI_DOCKER_ARG_LIST, SV_MOUNT, NULL },
	{ "publish", 'p', CLI_DOCKER_ARG_LIST, SV_PUBLISH, NULL },
	{ "cap-add", 0, CLI_DOCKER_ARG_LIST, SV_CAPADD, NULL },
	{ "cap-drop", 0, CLI_DOCKER_ARG_LIST, SV_CAPDROP, NULL },
	{ "env", 'e', CLI_DOCKER_ARG_LIST, SV_ENV, NULL },
	{ "network", 0, CLI_DOCKER_ARG_LIST, SV_NET, NULL },
	{ "mode", 0, CLI_DOCKER_ARG_STR, SV_MODE, NULL },
	{ "replicas", 0, CLI_DOCKER_ARG_STR, SV_REPLICAS, NULL },
	{ "user", 'u', CLI_DOCKER_ARG_STR, SV_USER, NULL },
	{ "workdir", 'w', CLI_DOCKER_ARG_STR, SV_WORKDIR, NULL },
	{ "hostname", 0, CLI_DOCKER_ARG_STR, SV_HOSTNAME, NULL },
	{ "read-only", 0, CLI_DOCKER_ARG_BOOL, SV_READONLY, NULL },
	{ "init", 0, CLI_DOCKER_ARG_BOOL, SV_INIT, NULL },
	{ "sysctl", 0, CLI_DOCKER_ARG_LIST, SV_SYSCTL, NULL },
	{ "label", 'l', CLI_DOCKER_ARG_LIST, SV_LABEL, NULL },
	{ "container-label", 0, CLI_DOCKER_ARG_LIST, SV_CLABEL, NULL },
	{ "entrypoint", 0, CLI_DOCKER_ARG_STR, SV_ENTRYPOINT, NULL },
	{ "detach", 'd', CLI_DOCKER_ARG_BOOL, SV_DETACH, NULL },
	{ "quiet", 'q', CLI_DOCKER_ARG_BOOL, SV_IGN, NULL },
	{ "with-registry-auth", 0, CLI_DOCKER_ARG_BOOL, SV_IGN, NULL },
	{ "constraint", 0, CLI_DOCKER_ARG_LIST, SV_IGN, NULL },
	{ "limit-cpu", 0, CLI_DOCKER_ARG_STR, SV_IGN, NULL },
	{ "limit-memory", 0, CLI_DOCKER_ARG_STR, SV_IGN, NULL },
	{ NULL }
};

/* --cap-add or --cap-drop (id): the CLI spells them with CAP_ in services. */
static json_t *
service_caps(const struct cli_docker_arg *p, int id)
{
	struct dw_strv	 l = { 0 };
	json_t		*a = NULL;
	char		 cap[128], *c;
	size_t		 k;

	cli_docker_arg_list(p, id, &l);
	if (l.n > 0)
		a = json_array();
	for (k = 0; k < l.n; k++) {
		snprintf(cap, sizeof(cap), "%s%s",
		    strncasecmp(l.v[k], "CAP_", 4) != 0 &&
		    strcasecmp(l.v[k], "ALL") != 0 ? "CAP_" : "", l.v[k]);
		for (c = cap; *c != '\0'; c++)
			*c = (char)toupper((unsigned char)*c);
		json_array_append_new(a, json_string(cap));
	}
	dw_strv_clear(&l);
	return a;
}

/* The task's ContainerSpec for image img: *ret new. */
static int
service_container_spec(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    const char *img, json_t **ret)
{
	struct dw_strv	 l = { 0 };
	json_t		*cs, *a, *m;
	const char	*v;
	size_t		 k;
	int		 r;

	if ((cs = json_pack("{s:s}", "Image", img)) == NULL)
		return cli_docker_cmd_nomem(t);
	if (p->npos > 1) {
		a = json_array();
		for (k = 1; k < p->npos; k++)
			json_array_append_new(a, json_string(p->pos[k]));
		json_object_set_new(cs, "Args", a);
	}
	cli_docker_arg_list(p, SV_ENV, &l);
	if (l.n > 0)
		json_object_set_new(cs, "Env", cli_docker_cmd_str_array(&l));
	dw_strv_clear(&l);
	if ((a = service_caps(p, SV_CAPADD)) != NULL)
		json_object_set_new(cs, "CapabilityAdd", a);
	if ((a = service_caps(p, SV_CAPDROP)) != NULL)
		json_object_set_new(cs, "CapabilityDrop", a);
	cli_docker_arg_list(p, SV_MOUNT, &l);
	if (l.n > 0) {
		a = json_array();
		json_object_set_new(cs, "Mounts", a);
		for (k = 0; k < l.n; k++) {
			if ((r = cli_docker_mount_parse(t, l.v[k], &m)) < 0)
				goto out;
			json_array_append_new(a, m);
		}
	}
	dw_strv_clear(&l);
	cli_docker_cmd_set_str(p, SV_USER, cs, "User");
	cli_docker_cmd_set_str(p, SV_WORKDIR, cs, "Dir");
	cli_docker_cmd_set_str(p, SV_HOSTNAME, cs, "Hostname");
	if ((v = cli_docker_arg_str(p, SV_ENTRYPOINT)) != NULL)
		json_object_set_new(cs, "Command", json_pack("[s]", v));
	if (cli_docker_arg_bool(p, SV_READONLY, false))
		json_object_set_new(cs, "ReadOnly", json_true());
	json_object_set_new(cs, "Init",
	    json_boolean(cli_docker_arg_bool(p, SV_INIT, false)));
	cli_docker_arg_list(p, SV_SYSCTL, &l);
	if (l.n > 0)
		json_object_set_new(cs, "Sysctls", cli_docker_cmd_kv_map(&l));
	dw_strv_clear(&l);
	cli_docker_arg_list(p, SV_CLABEL, &l);
	if (l.n > 0)
		json_object_set_new(cs, "Labels", cli_docker_cmd_kv_map(&l));
	*ret = cs;
	cs = NULL;
	r = 0;
out:
	dw_strv_clear(&l);
	json_decref(cs);
	return r;
}

/* --mode global, else replicated with --replicas N: body's Mode. */
static int
service_mode(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    json_t *body)
{
	const char	*v = cli_docker_arg_str(p, SV_MODE);
	long long	 n;

	if (v != NULL && strcmp(v, "global") == 0)
		json_object_set_new(body, "Mode", json_pack("{s:{}}", "Global"));
	else if ((v = cli_docker_arg_str(p, SV_REPLICAS)) == NULL)
		json_object_set_new(body, "Mode", json_pack("{s:{}}",
		    "Replicated"));
	else {
		if (cli_docker_cmd_parse_ll(v, &n) < 0)
			return cli_docker_cmd_fail(t, -EINVAL, "docker service "
			    "create --replicas %s: invalid number", v);
		json_object_set_new(body, "Mode", json_pack("{s:{s:I}}",
		    "Replicated", "Replicas", (json_int_t)n));
	}
	return 0;
}

/* One -p, [HOST:]TARGET[/PROTO] or published=,target=,protocol=,mode=: new. */
static json_t *
service_port(const char *spec)
{
	char		 buf[256], proto[16] = "tcp", mode[16] = "ingress";
	char		*s, *f, *save = NULL;
	long long	 pub = 0, tgt = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	if (strchr(buf, '=') != NULL) {
		for (f = strtok_r(buf, ",", &save); f != NULL;
		    f = strtok_r(NULL, ",", &save)) {
			if (strncmp(f, "published=", 10) == 0)
				cli_docker_cmd_parse_ll(f + 10, &pub);
			else if (strncmp(f, "target=", 7) == 0)
				cli_docker_cmd_parse_ll(f + 7, &tgt);
			else if (strncmp(f, "protocol=", 9) == 0)
				snprintf(proto, sizeof(proto), "%s", f + 9);
			else if (strncmp(f, "mode=", 5) == 0)
				snprintf(mode, sizeof(mode), "%s", f + 5);
		}
	} else {
		if ((s = strchr(buf, '/')) != NULL) {
			snprintf(proto, sizeof(proto), "%s", s + 1);
			*s = '\0';
		}
		if ((s = strrchr(buf, ':')) != NULL) {
			*s++ = '\0';
			cli_docker_cmd_parse_ll(buf, &pub);
			cli_docker_cmd_parse_ll(s, &tgt);
		} else
			cli_docker_cmd_parse_ll(buf, &tgt);
	}
	return json_pack("{s:s, s:s, s:I, s:I}", "Protocol", proto,
	    "PublishMode", mode, "PublishedPort", (json_int_t)pub,
	    "TargetPort", (json_int_t)tgt);
}

/* docker service create IMAGE [CMD...]: the spec fields the rules read. */
static int
service_create_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct dw_strv			 l = { 0 };
	struct cli_docker_plan_req	*rq;
	json_t				*body = NULL, *cs = NULL, *a, *ports, *tmpl;
	char				*name = NULL, *tag = NULL, img[1024];
	size_t				 k;
	int				 r;

	if (p->npos < 1) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker service create\" "
		    "requires at least 1 argument");
		goto out;
	}
	if ((r = cli_docker_cmd_ref_split(t, p->pos[0], true, &name, &tag)) < 0)
		goto out;
	snprintf(img, sizeof(img), "%s%s%s", name, strncmp(tag, "sha256:", 7) ?
	    ":" : "@", tag);
	if ((r = service_container_spec(t, p, img, &cs)) < 0)
		goto out;
	tmpl = json_pack("{s:o}", "ContainerSpec", cs);
	cli_docker_arg_list(p, SV_NET, &l);
	if (l.n > 0) {
		a = json_array();
		for (k = 0; k < l.n; k++)
			json_array_append_new(a, json_pack("{s:s}", "Target",
			    l.v[k]));
		json_object_set_new(tmpl, "Networks", a);
	}
	dw_strv_clear(&l);
	cli_docker_arg_list(p, SV_LABEL, &l);
	body = json_pack("{s:s, s:o, s:o}", "Name",
	    cli_docker_arg_or(p, SV_NAME, ""), "Labels",
	    cli_docker_cmd_kv_map(&l), "TaskTemplate", tmpl);
	dw_strv_clear(&l);
	if (body == NULL) {
		r = cli_docker_cmd_nomem(t);
		goto out;
	}
	if ((r = service_mode(t, p, body)) < 0)
		goto out;
	cli_docker_arg_list(p, SV_PUBLISH, &l);
	ports = json_array();
	for (k = 0; k < l.n; k++)
		json_array_append_new(ports, service_port(l.v[k]));
	dw_strv_clear(&l);
	json_object_set_new(body, "EndpointSpec",
	    json_pack("{s:s, s:o}", "Mode", "vip", "Ports", ports));
	rq = cli_docker_plan_add(t->plan, t->err, "POST", "/services/create",
	    NULL, body);
	body = NULL;
	if (rq == NULL) {
		r = -ENOMEM;
		goto out;
	}
	cli_docker_plan_note(rq, "the CLI first asks dockerd for the image's "
	    "registry digest (GET /distribution/%s/json) and pins it in the "
	    "spec; explain keeps the tag", img);
	for (k = 0; k < p->no; k++)
		if (p->o[k].f->id == SV_IGN)
			cli_docker_plan_note(rq, "--%s is not in the body "
			    "explain builds: no rule reads it",
			    p->o[k].f->name);
	r = 0;
out:
	json_decref(body);
	dw_strv_clear(&l);
	free(name);
	free(tag);
	return r;
}

const struct cli_docker_cmd_entry cli_docker_swarm_init_entry = {
	.name = "swarm init",
	.flags = swarm_flags, .exec = init_exec,
};

const struct cli_docker_cmd_entry cli_docker_swarm_join_entry = {
	.name = "swarm join",
	.flags = swarm_flags, .exec = join_exec,
};

const struct cli_docker_cmd_entry cli_docker_swarm_leave_entry = {
	.name = "swarm leave",
	.flags = cli_docker_cmd_flags_force, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/swarm/leave", CLI_DOCKER_CMD_NONE },
};

const struct cli_docker_cmd_entry cli_docker_swarm_service_create_entry = {
	.name = "service create",
	.flags = service_flags, .exec = service_create_exec,
	.stop_at_arg = true,
};

const struct cli_docker_cmd_entry cli_docker_swarm_service_ls_entry = {
	.name = "service ls", .alias = { "service list" },
	.flags = cli_docker_cmd_flags_ls, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/services", CLI_DOCKER_CMD_NONE },
};

const struct cli_docker_cmd_entry cli_docker_swarm_service_rm_entry = {
	.name = "service rm", .alias = { "service remove" },
	.flags = cli_docker_cmd_flags_none, .exec = cli_docker_cmd_simple_exec,
	.simple = { "DELETE", "/services/%s", CLI_DOCKER_CMD_EACH },
};
