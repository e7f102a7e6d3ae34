/*
 * cli_docker_plugin: the plugin commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_docker_plugin.h"
#include "cli/cli_docker_arg.h"
#include "cli/cli_docker_cmd.h"
#include "cli/cli_docker_plan.h"
#include "digest/digest_ref.h"

enum { PI_ALIAS = 1, PI_DISABLE };

static const struct cli_docker_arg_flag install_flags[] = {
	{ "alias", 0, CLI_DOCKER_ARG_STR, PI_ALIAS, NULL },
	{ "disable", 0, CLI_DOCKER_ARG_BOOL, PI_DISABLE, NULL },
	{ "disable-content-trust", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "grant-all-permissions", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ NULL }
};

/* docker plugin install PLUGIN [KEY=VALUE...]: privileges, pull, enable. */
static int
install_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct cli_docker_plan_query	 q = { 0 };
	struct cli_docker_plan_req	*rq;
	struct digest_ref		*ref;
	char				*full = NULL, *name = NULL, *tag = NULL;
	char				 path[1024];
	const char			*v;
	size_t				 k;
	int				 r;

	if (p->npos < 1) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker plugin install\" "
		    "requires at least 1 argument");
		goto out;
	}
	if ((ref = digest_ref_parse(p->pos[0], 0, t->err)) == NULL) {
		r = -EINVAL;
		goto out;
	}
	full = digest_ref_string(ref);
	digest_ref_free(ref);
	if (full == NULL) {
		r = cli_docker_cmd_nomem(t);
		goto out;
	}
	if ((r = cli_docker_cmd_ref_split(t, p->pos[0], true, &name, &tag)) < 0)
		goto out;
	cli_docker_plan_query_add(&q, "remote", full);
	if (cli_docker_plan_add(t->plan, t->err, "GET", "/plugins/privileges",
	    &q, NULL) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	cli_docker_plan_query_clear(&q);
	v = cli_docker_arg_str(p, PI_ALIAS);
	snprintf(path, sizeof(path), "%s:%s", v ? v : name, tag);
	cli_docker_plan_query_add(&q, "name", path);
	cli_docker_plan_query_add(&q, "remote", full);
	rq = cli_docker_plan_add(t->plan, t->err, "POST", "/plugins/pull", &q,
	    json_array());
	if (rq == NULL) {
		r = -ENOMEM;
		goto out;
	}
	cli_docker_plan_note(rq, "the body holds the privileges the plugin "
	    "asks for, as granted");
	for (k = 1; k < p->npos; k++)
		cli_docker_plan_note(rq, "then POST /plugins/%s/set with %s",
		    path, p->pos[k]);
	if (!cli_docker_arg_bool(p, PI_DISABLE, false)) {
		cli_docker_plan_query_clear(&q);
		cli_docker_plan_query_add(&q, "timeout", "30");
		snprintf(path, sizeof(path), "/plugins/%s:%s/enable",
		    v ? v : name, tag);
		if (cli_docker_plan_add(t->plan, t->err, "POST", path, &q,
		    NULL) == NULL) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = 0;
out:
	free(full);
	free(name);
	free(tag);
	cli_docker_plan_query_clear(&q);
	return r;
}

static const struct cli_docker_arg_flag enable_flags[] = {
	{ "timeout", 0, CLI_DOCKER_ARG_STR, 0, "timeout" },
	{ NULL }
};

const struct cli_docker_cmd_entry cli_docker_plugin_install_entry = {
	.name = "plugin install",
	.flags = install_flags, .exec = install_exec,
};

const struct cli_docker_cmd_entry cli_docker_plugin_ls_entry = {
	.name = "plugin ls", .alias = { "plugin list" },
	.flags = cli_docker_cmd_flags_ls, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/plugins", CLI_DOCKER_CMD_NONE },
};

const struct cli_docker_cmd_entry cli_docker_plugin_inspect_entry = {
	.name = "plugin inspect",
	.flags = cli_docker_cmd_flags_format,
	.exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/plugins/%s/json", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_plugin_enable_entry = {
	.name = "plugin enable",
	.flags = enable_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/plugins/%s/enable", CLI_DOCKER_CMD_ONE,
	    .fixed = "timeout=30" },
};

const struct cli_docker_cmd_entry cli_docker_plugin_disable_entry = {
	.name = "plugin disable",
	.flags = cli_docker_cmd_flags_force, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/plugins/%s/disable", CLI_DOCKER_CMD_ONE },
};

const struct cli_docker_cmd_entry cli_docker_plugin_rm_entry = {
	.name = "plugin rm", .alias = { "plugin remove" },
	.flags = cli_docker_cmd_flags_force, .exec = cli_docker_cmd_simple_exec,
	.simple = { "DELETE", "/plugins/%s", CLI_DOCKER_CMD_EACH },
};
