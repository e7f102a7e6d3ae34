/*
 * cli_docker_build: `docker build` as the classic builder's request
 * (image/build.go imageBuildOptions), and `docker builder prune`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_docker_build.h"
#include "cli/cli_docker_arg.h"
#include "cli/cli_docker_cmd.h"
#include "cli/cli_docker_plan.h"
#include "common/dw_strv.h"

/* What each flag sets (B_IGN: no effect; B_BUILDKIT: refused). */
enum {
	B_TAG = 1, B_ARG, B_FILE, B_NET, B_PULL, B_NOCACHE, B_PLATFORM,
	B_LABEL, B_TARGET, B_QUIET, B_RM, B_FORCERM, B_ADDHOST, B_CGPARENT,
	B_CPUPERIOD, B_CPUQUOTA, B_CPUSETCPUS, B_CPUSETMEMS, B_CPUSHARES,
	B_MEMORY, B_MEMSWAP, B_SHM, B_ISOLATION, B_SECOPT, B_SQUASH,
	B_CACHEFROM, B_IGN, B_BUILDKIT,
};

static const struct cli_docker_arg_flag build_flags[] = {
	{ "tag", 't', CLI_DOCKER_ARG_LIST, B_TAG, NULL },
	{ "build-arg", 0, CLI_DOCKER_ARG_LIST, B_ARG, NULL },
	{ "file", 'f', CLI_DOCKER_ARG_STR, B_FILE, NULL },
	{ "network", 0, CLI_DOCKER_ARG_STR, B_NET, NULL },
	{ "pull", 0, CLI_DOCKER_ARG_BOOL, B_PULL, NULL },
	{ "no-cache", 0, CLI_DOCKER_ARG_BOOL, B_NOCACHE, NULL },
	{ "platform", 0, CLI_DOCKER_ARG_STR, B_PLATFORM, NULL },
	{ "label", 0, CLI_DOCKER_ARG_LIST, B_LABEL, NULL },
	{ "target", 0, CLI_DOCKER_ARG_STR, B_TARGET, NULL },
	{ "quiet", 'q', CLI_DOCKER_ARG_BOOL, B_QUIET, NULL },
	{ "rm", 0, CLI_DOCKER_ARG_BOOL, B_RM, NULL },
	{ "force-rm", 0, CLI_DOCKER_ARG_BOOL, B_FORCERM, NULL },
	{ "add-host", 0, CLI_DOCKER_ARG_LIST, B_ADDHOST, NULL },
	{ "cgroup-parent", 0, CLI_DOCKER_ARG_STR, B_CGPARENT, NULL },
	{ "cpu-period", 0, CLI_DOCKER_ARG_STR, B_CPUPERIOD, NULL },
	{ "cpu-quota", 0, CLI_DOCKER_ARG_STR, B_CPUQUOTA, NULL },
	{ "cpuset-cpus", 0, CLI_DOCKER_ARG_STR, B_CPUSETCPUS, NULL },
	{ "cpuset-mems", 0, CLI_DOCKER_ARG_STR, B_CPUSETMEMS, NULL },
	{ "cpu-shares", 'c', CLI_DOCKER_ARG_STR, B_CPUSHARES, NULL },
	{ "memory", 'm', CLI_DOCKER_ARG_STR, B_MEMORY, NULL },
	{ "memory-swap", 0, CLI_DOCKER_ARG_STR, B_MEMSWAP, NULL },
	{ "shm-size", 0, CLI_DOCKER_ARG_STR, B_SHM, NULL },
	{ "isolation", 0, CLI_DOCKER_ARG_STR, B_ISOLATION, NULL },
	{ "security-opt", 0, CLI_DOCKER_ARG_LIST, B_SECOPT, NULL },
	{ "squash", 0, CLI_DOCKER_ARG_BOOL, B_SQUASH, NULL },
	{ "cache-from", 0, CLI_DOCKER_ARG_LIST, B_CACHEFROM, NULL },
	{ "compress", 0, CLI_DOCKER_ARG_BOOL, B_IGN, NULL },
	{ "stream", 0, CLI_DOCKER_ARG_BOOL, B_IGN, NULL },
	{ "iidfile", 0, CLI_DOCKER_ARG_STR, B_IGN, NULL },
	{ "disable-content-trust", 0, CLI_DOCKER_ARG_BOOL, B_IGN, NULL },
	{ "ulimit", 0, CLI_DOCKER_ARG_LIST, B_IGN, NULL },
	{ "output", 'o', CLI_DOCKER_ARG_STR, B_BUILDKIT, NULL },
	{ "progress", 0, CLI_DOCKER_ARG_STR, B_BUILDKIT, NULL },
	{ "secret", 0, CLI_DOCKER_ARG_LIST, B_BUILDKIT, NULL },
	{ "ssh", 0, CLI_DOCKER_ARG_LIST, B_BUILDKIT, NULL },
	{ NULL }
};

/* q[key] = the compact JSON of j (taken). */
static void
query_json(struct cli_docker_plan_query *q, const char *key, json_t *j,
    size_t flags)
{
	char	*s;

	s = json_dumps(j, JSON_COMPACT | flags);
	json_decref(j);
	cli_docker_plan_query_add(q, key, s);
	free(s);
}

/* q[key] = every value of flag id as a JSON array, when given. */
static void
query_list(struct cli_docker_plan_query *q, const struct cli_docker_arg *p,
    int id, const char *key)
{
	struct dw_strv	l = { 0 };

	cli_docker_arg_list(p, id, &l);
	if (l.n > 0)
		query_json(q, key, cli_docker_cmd_str_array(&l), 0);
	dw_strv_clear(&l);
}

/* --build-arg: K=V, or K for the environment's value (null when unset). */
static json_t *
build_args(const struct cli_docker_arg *p)
{
	struct dw_strv	 l = { 0 };
	json_t		*j = json_object();
	char		 key[256];
	size_t		 k, kn;

	cli_docker_arg_list(p, B_ARG, &l);
	for (k = 0; k < l.n; k++) {
		kn = strcspn(l.v[k], "=");
		snprintf(key, sizeof(key), "%.*s", (int)(kn < 255 ? kn : 255),
		    l.v[k]);
		if (l.v[k][kn] == '=')
			json_object_set_new(j, key, json_string(l.v[k] + kn + 1));
		else if (getenv(key) != NULL)
			json_object_set_new(j, key, json_string(getenv(key)));
		else
			json_object_set_new(j, key, json_null());
	}
	dw_strv_clear(&l);
	return j;
}

/* q[key] = the bytes of size flag id (0 when absent; memory-swap takes -1). */
static int
query_size(struct cli_docker_cmd *t, struct cli_docker_plan_query *q,
    const struct cli_docker_arg *p, int id, const char *flag, const char *key)
{
	const char	*v = cli_docker_arg_str(p, id);
	char		 num[32];
	long long	 n = 0;

	if (v != NULL && id == B_MEMSWAP && strcmp(v, "-1") == 0)
		n = -1;
	else if (v != NULL && cli_docker_cmd_ram_bytes(v, &n) < 0)
		return cli_docker_cmd_fail(t, -EINVAL, "docker build --%s %s: "
		    "invalid size", flag, v);
	snprintf(num, sizeof(num), "%lld", n);
	cli_docker_plan_query_add(q, key, num);
	return 0;
}

/*
 * docker build PATH|URL|-: the query of the classic builder
 * (image/build.go imageBuildOptions); the context is the body.
 */
static int
build_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct cli_docker_plan_query	 q = { 0 };
	struct dw_strv			 l = { 0 };
	struct cli_docker_plan_req	*rq;
	const char			*ctx, *v;
	char				 df[1024];
	bool				 remote;
	size_t				 k, n;
	int				 r;

	if (p->npos != 1) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker build\" requires "
		    "exactly 1 argument (PATH | URL | -)");
		goto out;
	}
	for (k = 0; k < p->no; k++)
		if (p->o[k].f->id == B_BUILDKIT) {
			r = cli_docker_cmd_fail(t, -EINVAL, "docker build --%s "
			    "needs BuildKit; explain translates the classic "
			    "builder (DOCKER_BUILDKIT=0)", p->o[k].f->name);
			goto out;
		}
	ctx = p->pos[0];
	remote = strncmp(ctx, "http://", 7) == 0 ||
	    strncmp(ctx, "https://", 8) == 0 || strncmp(ctx, "git@", 4) == 0 ||
	    strncmp(ctx, "git://", 6) == 0 ||
	    strncmp(ctx, "github.com/", 11) == 0;
	/* The query is sent sorted by key: the order here does not matter. */
	if ((r = query_size(t, &q, p, B_MEMORY, "memory", "memory")) < 0 ||
	    (r = query_size(t, &q, p, B_MEMSWAP, "memory-swap",
	    "memswap")) < 0 ||
	    (r = query_size(t, &q, p, B_SHM, "shm-size", "shmsize")) < 0)
		goto out;
	query_json(&q, "buildargs", build_args(p), JSON_SORT_KEYS);
	cli_docker_arg_list(p, B_CACHEFROM, &l);
	query_json(&q, "cachefrom", cli_docker_cmd_str_array(&l), 0);
	dw_strv_clear(&l);
	cli_docker_plan_query_add(&q, "cgroupparent",
	    cli_docker_arg_or(p, B_CGPARENT, ""));
	cli_docker_plan_query_add(&q, "cpuperiod",
	    cli_docker_arg_or(p, B_CPUPERIOD, "0"));
	cli_docker_plan_query_add(&q, "cpuquota",
	    cli_docker_arg_or(p, B_CPUQUOTA, "0"));
	cli_docker_plan_query_add(&q, "cpusetcpus",
	    cli_docker_arg_or(p, B_CPUSETCPUS, ""));
	cli_docker_plan_query_add(&q, "cpusetmems",
	    cli_docker_arg_or(p, B_CPUSETMEMS, ""));
	cli_docker_plan_query_add(&q, "cpushares",
	    cli_docker_arg_or(p, B_CPUSHARES, "0"));
	/* -f is sent relative to a local context. */
	v = cli_docker_arg_or(p, B_FILE, "Dockerfile");
	n = strlen(ctx);
	snprintf(df, sizeof(df), "%s", !remote && strncmp(v, ctx, n) == 0 &&
	    v[n] == '/' ? v + n + 1 : v);
	cli_docker_plan_query_add(&q, "dockerfile", df);
	query_list(&q, p, B_ADDHOST, "extrahosts");
	if (cli_docker_arg_bool(p, B_FORCERM, false))
		cli_docker_plan_query_add(&q, "forcerm", "1");
	if ((v = cli_docker_arg_str(p, B_ISOLATION)) != NULL)
		cli_docker_plan_query_add(&q, "isolation", v);
	cli_docker_arg_list(p, B_LABEL, &l);
	query_json(&q, "labels", cli_docker_cmd_kv_map(&l), JSON_SORT_KEYS);
	dw_strv_clear(&l);
	cli_docker_plan_query_add(&q, "networkmode",
	    cli_docker_arg_or(p, B_NET, "default"));
	if (cli_docker_arg_bool(p, B_NOCACHE, false))
		cli_docker_plan_query_add(&q, "nocache", "1");
	if ((v = cli_docker_arg_str(p, B_PLATFORM)) != NULL)
		cli_docker_plan_query_add(&q, "platform", v);
	if (cli_docker_arg_bool(p, B_PULL, false))
		cli_docker_plan_query_add(&q, "pull", "1");
	if (cli_docker_arg_bool(p, B_QUIET, false))
		cli_docker_plan_query_add(&q, "q", "1");
	if (remote)
		cli_docker_plan_query_add(&q, "remote", ctx);
	if (cli_docker_arg_bool(p, B_RM, true))
		cli_docker_plan_query_add(&q, "rm", "1");
	query_list(&q, p, B_SECOPT, "securityopt");
	if (cli_docker_arg_bool(p, B_SQUASH, false))
		cli_docker_plan_query_add(&q, "squash", "1");
	cli_docker_arg_list(p, B_TAG, &l);
	for (k = 0; k < l.n; k++)
		cli_docker_plan_query_add(&q, "t", l.v[k]);
	dw_strv_clear(&l);
	if ((v = cli_docker_arg_str(p, B_TARGET)) != NULL)
		cli_docker_plan_query_add(&q, "target", v);
	cli_docker_plan_query_add(&q, "ulimits", "null");
	cli_docker_plan_query_add(&q, "version", "1");
	if ((rq = cli_docker_plan_add(t->plan, t->err, "POST", "/build", &q,
	    NULL)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (!remote) {
		rq->body_opaque = true;
		cli_docker_plan_note(rq, "the body is a tar of the context %s; "
		    "explain does not read it, so base images (FROM, COPY "
		    "--from, RUN --mount from=) are not checked here: the "
		    "gatekeeper checks them from the context when registry or "
		    "image access is set", ctx);
	}
	cli_docker_plan_note(rq, "with BuildKit (DOCKER_BUILDKIT=1) the CLI "
	    "sends version=2 and opens a session instead: this is the classic "
	    "builder's request");
	r = 0;
out:
	dw_strv_clear(&l);
	cli_docker_plan_query_clear(&q);
	return r;
}

const struct cli_docker_cmd_entry cli_docker_build_build_entry = {
	.name = "build", .alias = { "image build", "builder build" },
	.flags = build_flags, .exec = build_exec,
};

const struct cli_docker_cmd_entry cli_docker_build_prune_entry = {
	.name = "builder prune",
	.flags = cli_docker_cmd_flags_prune, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/build/prune", CLI_DOCKER_CMD_NONE },
};
