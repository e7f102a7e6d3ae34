/*
 * cli_docker_system: info, version, events, system df and system prune.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_docker_system.h"
#include "cli/cli_docker_arg.h"
#include "cli/cli_docker_cmd.h"
#include "cli/cli_docker_plan.h"

enum { SP_ALL = 1, SP_VOLUMES };

static const struct cli_docker_arg_flag prune_flags[] = {
	{ "all", 'a', CLI_DOCKER_ARG_BOOL, SP_ALL, NULL },
	{ "force", 'f', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "filter", 0, CLI_DOCKER_ARG_LIST, 0, NULL },
	{ "volumes", 0, CLI_DOCKER_ARG_BOOL, SP_VOLUMES, NULL },
	{ NULL }
};

/* docker system prune: the prunes it sends, in order. */
static int
prune_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct cli_docker_plan_query	 q = { 0 };
	int				 r;

	if (p->npos != 0) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker system prune\" "
		    "takes no arguments");
		goto out;
	}
	if (cli_docker_plan_add(t->plan, t->err, "POST", "/containers/prune",
	    NULL, NULL) == NULL ||
	    cli_docker_plan_add(t->plan, t->err, "POST", "/networks/prune",
	    NULL, NULL) == NULL ||
	    (cli_docker_arg_bool(p, SP_VOLUMES, false) &&
	    cli_docker_plan_add(t->plan, t->err, "POST", "/volumes/prune", NULL,
	    NULL) == NULL)) {
		r = -ENOMEM;
		goto out;
	}
	if (!cli_docker_arg_bool(p, SP_ALL, false))
		cli_docker_plan_query_add(&q, "filters",
		    "{\"dangling\":{\"true\":true}}");
	if (cli_docker_plan_add(t->plan, t->err, "POST", "/images/prune", &q,
	    NULL) == NULL ||
	    cli_docker_plan_add(t->plan, t->err, "POST", "/build/prune", NULL,
	    NULL) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = 0;
out:
	cli_docker_plan_query_clear(&q);
	return r;
}

static const struct cli_docker_arg_flag events_flags[] = {
	{ "filter", 'f', CLI_DOCKER_ARG_LIST, 0, NULL },
	{ "format", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "since", 0, CLI_DOCKER_ARG_STR, 0, "since" },
	{ "until", 0, CLI_DOCKER_ARG_STR, 0, "until" },
	{ NULL }
};

static const struct cli_docker_arg_flag df_flags[] = {
	{ "format", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "verbose", 'v', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ NULL }
};

const struct cli_docker_cmd_entry cli_docker_system_info_entry = {
	.name = "info", .alias = { "system info" },
	.flags = cli_docker_cmd_flags_format,
	.exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/info", CLI_DOCKER_CMD_NONE },
};

const struct cli_docker_cmd_entry cli_docker_system_version_entry = {
	.name = "version",
	.flags = cli_docker_cmd_flags_format,
	.exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/version", CLI_DOCKER_CMD_NONE },
};

const struct cli_docker_cmd_entry cli_docker_system_events_entry = {
	.name = "events", .alias = { "system events" },
	.flags = events_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/events", CLI_DOCKER_CMD_NONE },
};

const struct cli_docker_cmd_entry cli_docker_system_df_entry = {
	.name = "system df",
	.flags = df_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/system/df", CLI_DOCKER_CMD_NONE },
};

const struct cli_docker_cmd_entry cli_docker_system_prune_entry = {
	.name = "system prune",
	.flags = prune_flags, .exec = prune_exec,
};
