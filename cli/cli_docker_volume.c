/*
 * cli_docker_volume: the volume commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_docker_volume.h"
#include "cli/cli_docker_arg.h"
#include "cli/cli_docker_cmd.h"
#include "cli/cli_docker_plan.h"
#include "common/dw_strv.h"

enum { VC_DRIVER = 1, VC_OPT, VC_LABEL, VC_NAME };

static const struct cli_docker_arg_flag create_flags[] = {
	{ "driver", 'd', CLI_DOCKER_ARG_STR, VC_DRIVER, NULL },
	{ "opt", 'o', CLI_DOCKER_ARG_LIST, VC_OPT, NULL },
	{ "label", 0, CLI_DOCKER_ARG_LIST, VC_LABEL, NULL },
	{ "name", 0, CLI_DOCKER_ARG_STR, VC_NAME, NULL },
	{ NULL }
};

/* docker volume create [NAME]. */
static int
create_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct dw_strv	 o = { 0 }, l = { 0 };
	const char	*name;
	json_t		*body;
	int		 r;

	if (p->npos > 1 || (p->npos == 1 && cli_docker_arg_given(p, VC_NAME))) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker volume create\" "
		    "takes at most 1 argument (the name, or --name)");
		goto out;
	}
	name = p->npos ? p->pos[0] : cli_docker_arg_or(p, VC_NAME, "");
	cli_docker_arg_list(p, VC_OPT, &o);
	cli_docker_arg_list(p, VC_LABEL, &l);
	body = json_pack("{s:s, s:o, s:o, s:s}", "Driver",
	    cli_docker_arg_or(p, VC_DRIVER, "local"), "DriverOpts",
	    cli_docker_cmd_kv_map(&o), "Labels", cli_docker_cmd_kv_map(&l),
	    "Name", name);
	r = body && cli_docker_plan_add(t->plan, t->err, "POST",
	    "/volumes/create", NULL, body) ? 0 : -ENOMEM;
out:
	dw_strv_clear(&o);
	dw_strv_clear(&l);
	return r;
}

const struct cli_docker_cmd_entry cli_docker_volume_create_entry = {
	.name = "volume create",
	.flags = create_flags, .exec = create_exec,
};

const struct cli_docker_cmd_entry cli_docker_volume_ls_entry = {
	.name = "volume ls", .alias = { "volume list" },
	.flags = cli_docker_cmd_flags_ls, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/volumes", CLI_DOCKER_CMD_NONE },
};

const struct cli_docker_cmd_entry cli_docker_volume_inspect_entry = {
	.name = "volume inspect",
	.flags = cli_docker_cmd_flags_format,
	.exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/volumes/%s", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_volume_rm_entry = {
	.name = "volume rm", .alias = { "volume remove" },
	.flags = cli_docker_cmd_flags_force, .exec = cli_docker_cmd_simple_exec,
	.simple = { "DELETE", "/volumes/%s", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_volume_prune_entry = {
	.name = "volume prune",
	.flags = cli_docker_cmd_flags_prune, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/volumes/prune", CLI_DOCKER_CMD_NONE },
};
