/*
 * cli_docker_container: the container commands other than run and create
 * (cli_docker_run.c): exec, cp, commit, and those that send one request
 * per container (ps, inspect, rm, stop, start, logs, attach, ...).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_docker_container.h"
#include "cli/cli_docker_arg.h"
#include "cli/cli_docker_cmd.h"
#include "cli/cli_docker_plan.h"
#include "common/dw_strv.h"

/* ---- docker exec ---- */

enum {
	E_DETACH = 1, E_DKEYS, E_INTER, E_TTY, E_USER, E_PRIV, E_ENV, E_ENVFILE,
	E_WORKDIR,
};

static const struct cli_docker_arg_flag exec_flags[] = {
	{ "detach", 'd', CLI_DOCKER_ARG_BOOL, E_DETACH, NULL },
	{ "detach-keys", 0, CLI_DOCKER_ARG_STR, E_DKEYS, NULL },
	{ "interactive", 'i', CLI_DOCKER_ARG_BOOL, E_INTER, NULL },
	{ "tty", 't', CLI_DOCKER_ARG_BOOL, E_TTY, NULL },
	{ "user", 'u', CLI_DOCKER_ARG_STR, E_USER, NULL },
	{ "privileged", 0, CLI_DOCKER_ARG_BOOL, E_PRIV, NULL },
	{ "env", 'e', CLI_DOCKER_ARG_LIST, E_ENV, NULL },
	{ "env-file", 0, CLI_DOCKER_ARG_LIST, E_ENVFILE, NULL },
	{ "workdir", 'w', CLI_DOCKER_ARG_STR, E_WORKDIR, NULL },
	{ NULL }
};

/* docker exec CONTAINER CMD...: inspect, create the exec, start it. */
static int
exec_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct dw_strv			 l = { 0 }, l2 = { 0 }, env = { 0 };
	struct cli_docker_plan_req	*rq;
	json_t				*body, *cmd;
	char				 path[512];
	bool				 detach, inter;
	size_t				 k;
	int				 r;

	if (p->npos < 2) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker exec\" requires "
		    "at least 2 arguments (a container and a command)");
		goto out;
	}
	detach = cli_docker_arg_bool(p, E_DETACH, false);
	inter = cli_docker_arg_bool(p, E_INTER, false);
	cli_docker_arg_list(p, E_ENVFILE, &l);
	cli_docker_arg_list(p, E_ENV, &l2);
	if ((r = cli_docker_cmd_kv_files(t, "--env-file", &l, true, &l2,
	    &env)) < 0)
		goto out;
	snprintf(path, sizeof(path), "/containers/%s/json", p->pos[0]);
	if ((rq = cli_docker_plan_add(t->plan, t->err, "GET", path, NULL,
	    NULL)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	cli_docker_plan_note(rq, "the CLI inspects the container first");
	cmd = json_array();
	for (k = 1; k < p->npos; k++)
		json_array_append_new(cmd, json_string(p->pos[k]));
	body = json_pack("{s:b, s:b, s:b, s:o, s:b, s:s, s:o, s:b, s:b, s:s, "
	    "s:s}", "AttachStdin", inter && !detach, "AttachStdout", !detach,
	    "AttachStderr", !detach, "Cmd", cmd, "Detach", detach, "DetachKeys",
	    cli_docker_arg_or(p, E_DKEYS, ""), "Env",
	    env.n ? cli_docker_cmd_str_array(&env) : json_null(), "Privileged",
	    cli_docker_arg_bool(p, E_PRIV, false), "Tty",
	    cli_docker_arg_bool(p, E_TTY, false), "User",
	    cli_docker_arg_or(p, E_USER, ""), "WorkingDir",
	    cli_docker_arg_or(p, E_WORKDIR, ""));
	snprintf(path, sizeof(path), "/containers/%s/exec", p->pos[0]);
	if (body == NULL || cli_docker_plan_add(t->plan, t->err, "POST", path,
	    NULL, body) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	rq = cli_docker_plan_add(t->plan, t->err, "POST", "/exec/EXEC_ID/start",
	    NULL, json_pack("{s:b, s:b}", "Detach", detach, "Tty",
	    cli_docker_arg_bool(p, E_TTY, false)));
	if (rq == NULL) {
		r = -ENOMEM;
		goto out;
	}
	rq->caller_only = true;
	cli_docker_plan_note(rq, "EXEC_ID stands for the id dockerd returns "
	    "for the exec");
	r = 0;
out:
	dw_strv_clear(&l);
	dw_strv_clear(&l2);
	dw_strv_clear(&env);
	return r;
}

/* ---- docker cp ---- */

enum { CP_ARCHIVE = 1 };

static const struct cli_docker_arg_flag cp_flags[] = {
	{ "archive", 'a', CLI_DOCKER_ARG_BOOL, CP_ARCHIVE, NULL },
	{ "follow-link", 'L', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ NULL }
};

/*
 * docker cp: a GET of the archive out of a container, or a HEAD and a PUT
 * into one.
 */
static int
cp_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct cli_docker_plan_query	 q = { 0 };
	struct cli_docker_plan_req	*rq;
	const char			*src, *dst, *c;
	char				 ctr[256], path[512];
	int				 r;

	if (p->npos != 2) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker cp\" requires "
		    "exactly 2 arguments");
		goto out;
	}
	src = p->pos[0];
	dst = p->pos[1];
	/* CONTAINER:PATH; a local path with a colon must start with / or . */
	if ((c = strchr(src, ':')) != NULL && src[0] != '/' && src[0] != '.') {
		snprintf(ctr, sizeof(ctr), "%.*s", (int)(c - src), src);
		cli_docker_plan_query_add(&q, "path", c + 1);
		snprintf(path, sizeof(path), "/containers/%s/archive", ctr);
		r = cli_docker_plan_add(t->plan, t->err, "GET", path, &q,
		    NULL) ? 0 : -ENOMEM;
		goto out;
	}
	if ((c = strchr(dst, ':')) == NULL || dst[0] == '/' || dst[0] == '.') {
		r = cli_docker_cmd_fail(t, -EINVAL, "docker cp: one of SRC and "
		    "DEST must name a container (CONTAINER:PATH)");
		goto out;
	}
	snprintf(ctr, sizeof(ctr), "%.*s", (int)(c - dst), dst);
	snprintf(path, sizeof(path), "/containers/%s/archive", ctr);
	cli_docker_plan_query_add(&q, "path", c + 1);
	if (cli_docker_plan_add(t->plan, t->err, "HEAD", path, &q,
	    NULL) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	cli_docker_plan_query_clear(&q);
	if (cli_docker_arg_bool(p, CP_ARCHIVE, false))
		cli_docker_plan_query_add(&q, "copyUIDGID", "true");
	cli_docker_plan_query_add(&q, "noOverwriteDirNonDir", "true");
	cli_docker_plan_query_add(&q, "path", c + 1);
	if ((rq = cli_docker_plan_add(t->plan, t->err, "PUT", path, &q,
	    NULL)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	rq->body_opaque = true;
	cli_docker_plan_note(rq, "the body is a tar of %s; path is the "
	    "directory the CLI resolved with the HEAD before, shown here as "
	    "given", src);
	r = 0;
out:
	cli_docker_plan_query_clear(&q);
	return r;
}

/* ---- docker commit ---- */

enum { CM_AUTHOR = 1, CM_CHANGE, CM_MESSAGE, CM_PAUSE };

static const struct cli_docker_arg_flag commit_flags[] = {
	{ "author", 'a', CLI_DOCKER_ARG_STR, CM_AUTHOR, NULL },
	{ "change", 'c', CLI_DOCKER_ARG_LIST, CM_CHANGE, NULL },
	{ "message", 'm', CLI_DOCKER_ARG_STR, CM_MESSAGE, NULL },
	{ "pause", 'p', CLI_DOCKER_ARG_BOOL, CM_PAUSE, NULL },
	{ NULL }
};

/* docker commit CONTAINER [REPOSITORY[:TAG]]: POST /commit. */
static int
commit_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct cli_docker_plan_query	 q = { 0 };
	struct dw_strv			 l = { 0 };
	char				*name = NULL, *tag = NULL;
	size_t				 k;
	int				 r;

	if (p->npos < 1 || p->npos > 2) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker commit\" "
		    "requires 1 or 2 arguments (CONTAINER [REPOSITORY[:TAG]])");
		goto out;
	}
	cli_docker_plan_query_add(&q, "author",
	    cli_docker_arg_or(p, CM_AUTHOR, ""));
	cli_docker_arg_list(p, CM_CHANGE, &l);
	for (k = 0; k < l.n; k++)
		cli_docker_plan_query_add(&q, "changes", l.v[k]);
	cli_docker_plan_query_add(&q, "comment",
	    cli_docker_arg_or(p, CM_MESSAGE, ""));
	cli_docker_plan_query_add(&q, "container", p->pos[0]);
	cli_docker_plan_query_add(&q, "pause",
	    cli_docker_arg_bool(p, CM_PAUSE, true) ? "1" : "0");
	if (p->npos > 1) {
		if ((r = cli_docker_cmd_ref_split(t, p->pos[1], false, &name,
		    &tag)) < 0)
			goto out;
		cli_docker_plan_query_add(&q, "repo", name);
		cli_docker_plan_query_add(&q, "tag", tag);
	} else {
		cli_docker_plan_query_add(&q, "repo", "");
		cli_docker_plan_query_add(&q, "tag", "");
	}
	r = cli_docker_plan_add(t->plan, t->err, "POST", "/commit", &q,
	    NULL) ? 0 : -ENOMEM;
out:
	free(name);
	free(tag);
	dw_strv_clear(&l);
	cli_docker_plan_query_clear(&q);
	return r;
}

/* ---- table-driven commands ---- */

static const struct cli_docker_arg_flag ps_flags[] = {
	{ "all", 'a', CLI_DOCKER_ARG_BOOL, 0, "all" },
	{ "filter", 'f', CLI_DOCKER_ARG_LIST, 0, NULL },
	{ "format", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "last", 'n', CLI_DOCKER_ARG_STR, 0, "limit" },
	{ "latest", 'l', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "no-trunc", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "quiet", 'q', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "size", 's', CLI_DOCKER_ARG_BOOL, 0, "size" },
	{ NULL }
};

static const struct cli_docker_arg_flag inspect_flags[] = {
	{ "format", 'f', CLI_DOCKER_ARG_STR, 0, NULL },
	{ "size", 's', CLI_DOCKER_ARG_BOOL, 0, "size" },
	{ "type", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ NULL }
};

static const struct cli_docker_arg_flag rm_flags[] = {
	{ "force", 'f', CLI_DOCKER_ARG_BOOL, 0, "force" },
	{ "link", 'l', CLI_DOCKER_ARG_BOOL, 0, "link" },
	{ "volumes", 'v', CLI_DOCKER_ARG_BOOL, 0, "v" },
	{ NULL }
};

static const struct cli_docker_arg_flag stop_flags[] = {
	{ "time", 't', CLI_DOCKER_ARG_STR, 0, "t" },
	{ NULL }
};

static const struct cli_docker_arg_flag kill_flags[] = {
	{ "signal", 's', CLI_DOCKER_ARG_STR, 0, "signal" },
	{ NULL }
};

static const struct cli_docker_arg_flag start_flags[] = {
	{ "attach", 'a', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "interactive", 'i', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "detach-keys", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "checkpoint", 0, CLI_DOCKER_ARG_STR, 0, "checkpoint" },
	{ "checkpoint-dir", 0, CLI_DOCKER_ARG_STR, 0, "checkpoint-dir" },
	{ NULL }
};

static const struct cli_docker_arg_flag logs_flags[] = {
	{ "details", 0, CLI_DOCKER_ARG_BOOL, 0, "details" },
	{ "follow", 'f', CLI_DOCKER_ARG_BOOL, 0, "follow" },
	{ "since", 0, CLI_DOCKER_ARG_STR, 0, "since" },
	{ "tail", 'n', CLI_DOCKER_ARG_STR, 0, "tail" },
	{ "timestamps", 't', CLI_DOCKER_ARG_BOOL, 0, "timestamps" },
	{ "until", 0, CLI_DOCKER_ARG_STR, 0, "until" },
	{ NULL }
};

static const struct cli_docker_arg_flag attach_flags[] = {
	{ "detach-keys", 0, CLI_DOCKER_ARG_STR, 0, "detachKeys" },
	{ "no-stdin", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "sig-proxy", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ NULL }
};

static const struct cli_docker_arg_flag stats_flags[] = {
	{ "all", 'a', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "format", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "no-stream", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "no-trunc", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ NULL }
};

const struct cli_docker_cmd_entry cli_docker_container_exec_entry = {
	.name = "exec", .alias = { "container exec" },
	.flags = exec_flags, .exec = exec_exec,
	.stop_at_arg = true,
};

const struct cli_docker_cmd_entry cli_docker_container_cp_entry = {
	.name = "cp", .alias = { "container cp" },
	.flags = cp_flags, .exec = cp_exec,
};

const struct cli_docker_cmd_entry cli_docker_container_commit_entry = {
	.name = "commit", .alias = { "container commit" },
	.flags = commit_flags, .exec = commit_exec,
};

const struct cli_docker_cmd_entry cli_docker_container_ps_entry = {
	.name = "ps",
	.alias = { "container ls", "container list", "container ps" },
	.flags = ps_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/containers/json", CLI_DOCKER_CMD_NONE },
};

const struct cli_docker_cmd_entry cli_docker_container_inspect_entry = {
	.name = "inspect",
	.flags = inspect_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/containers/%s/json", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_container_container_inspect_entry = {
	.name = "container inspect",
	.flags = inspect_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/containers/%s/json", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_container_rm_entry = {
	.name = "rm", .alias = { "container rm" },
	.flags = rm_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "DELETE", "/containers/%s", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_container_stop_entry = {
	.name = "stop", .alias = { "container stop" },
	.flags = stop_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/containers/%s/stop", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_container_restart_entry = {
	.name = "restart", .alias = { "container restart" },
	.flags = stop_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/containers/%s/restart", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_container_kill_entry = {
	.name = "kill", .alias = { "container kill" },
	.flags = kill_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/containers/%s/kill", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_container_pause_entry = {
	.name = "pause", .alias = { "container pause" },
	.flags = cli_docker_cmd_flags_none, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/containers/%s/pause", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_container_unpause_entry = {
	.name = "unpause", .alias = { "container unpause" },
	.flags = cli_docker_cmd_flags_none, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/containers/%s/unpause", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_container_wait_entry = {
	.name = "wait", .alias = { "container wait" },
	.flags = cli_docker_cmd_flags_none, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/containers/%s/wait", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_container_start_entry = {
	.name = "start", .alias = { "container start" },
	.flags = start_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/containers/%s/start", CLI_DOCKER_CMD_EACH,
	    .note = "start re-checks a container that mounts the Docker socket "
	    "against its image, which needs dockerd's answer for the "
	    "container" },
};

const struct cli_docker_cmd_entry cli_docker_container_logs_entry = {
	.name = "logs", .alias = { "container logs" },
	.flags = logs_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/containers/%s/logs", CLI_DOCKER_CMD_ONE,
	    .fixed = "stdout=1&stderr=1",
	    .aux = "/containers/%s/json" },
};

const struct cli_docker_cmd_entry cli_docker_container_attach_entry = {
	.name = "attach", .alias = { "container attach" },
	.flags = attach_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/containers/%s/attach", CLI_DOCKER_CMD_ONE,
	    .fixed = "stream=1&stdin=1&stdout=1&stderr=1",
	    .aux = "/containers/%s/json" },
};

const struct cli_docker_cmd_entry cli_docker_container_top_entry = {
	.name = "top", .alias = { "container top" },
	.flags = cli_docker_cmd_flags_none, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/containers/%s/top", CLI_DOCKER_CMD_ONE },
};

const struct cli_docker_cmd_entry cli_docker_container_diff_entry = {
	.name = "diff", .alias = { "container diff" },
	.flags = cli_docker_cmd_flags_none, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/containers/%s/changes", CLI_DOCKER_CMD_ONE },
};

const struct cli_docker_cmd_entry cli_docker_container_port_entry = {
	.name = "port", .alias = { "container port" },
	.flags = cli_docker_cmd_flags_none, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/containers/%s/json", CLI_DOCKER_CMD_ONE },
};

const struct cli_docker_cmd_entry cli_docker_container_export_entry = {
	.name = "export", .alias = { "container export" },
	.flags = cli_docker_cmd_flags_output,
	.exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/containers/%s/export", CLI_DOCKER_CMD_ONE },
};

const struct cli_docker_cmd_entry cli_docker_container_stats_entry = {
	.name = "stats", .alias = { "container stats" },
	.flags = stats_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/containers/%s/stats", CLI_DOCKER_CMD_EACH,
	    .fixed = "stream=0" },
};

const struct cli_docker_cmd_entry cli_docker_container_prune_entry = {
	.name = "container prune",
	.flags = cli_docker_cmd_flags_prune, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/containers/prune", CLI_DOCKER_CMD_NONE },
};
