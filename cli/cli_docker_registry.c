/*
 * cli_docker_registry: the commands that talk about a registry through
 * dockerd: login and search.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_docker_registry.h"
#include "cli/cli_docker_arg.h"
#include "cli/cli_docker_cmd.h"
#include "cli/cli_docker_plan.h"

enum { LG_USERNAME = 1, LG_PASSWORD, LG_PASSWORDSTDIN };

static const struct cli_docker_arg_flag login_flags[] = {
	{ "username", 'u', CLI_DOCKER_ARG_STR, LG_USERNAME, NULL },
	{ "password", 'p', CLI_DOCKER_ARG_STR, LG_PASSWORD, NULL },
	{ "password-stdin", 0, CLI_DOCKER_ARG_BOOL, LG_PASSWORDSTDIN, NULL },
	{ NULL }
};

/* docker login [SERVER]: POST /auth, the password left out. */
static int
login_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct cli_docker_plan_req	*rq;
	int				 r;

	if (p->npos > 1) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker login\" takes at "
		    "most 1 argument (SERVER)");
		goto out;
	}
	rq = cli_docker_plan_add(t->plan, t->err, "POST", "/auth", NULL,
	    json_pack("{s:s, s:s, s:s}", "username",
	    cli_docker_arg_or(p, LG_USERNAME, ""), "password", "(not shown)",
	    "serveraddress", p->npos ? p->pos[0] :
	    "https://index.docker.io/v1/"));
	if (rq == NULL) {
		r = -ENOMEM;
		goto out;
	}
	cli_docker_plan_note(rq, "the password is not part of any decision");
	r = 0;
out:
	return r;
}

static const struct cli_docker_arg_flag search_flags[] = {
	{ "filter", 'f', CLI_DOCKER_ARG_LIST, 0, NULL },
	{ "format", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "limit", 0, CLI_DOCKER_ARG_STR, 0, "limit" },
	{ "no-trunc", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ NULL }
};

const struct cli_docker_cmd_entry cli_docker_registry_login_entry = {
	.name = "login",
	.flags = login_flags, .exec = login_exec,
};

const struct cli_docker_cmd_entry cli_docker_registry_search_entry = {
	.name = "search",
	.flags = search_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/images/search", CLI_DOCKER_CMD_ONE,
	    .arg_query = "term" },
};
