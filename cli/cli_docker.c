/*
 * cli_docker: docker 20.10 command lines as Engine API requests.
 *
 * The global flags come first, then the command (a management group
 * takes one more word), which the table below names; its flags are parsed
 * the way the CLI's pflag does (cli_docker_arg.c), then its entry builds
 * what its client call sends.  The shapes follow docker/cli v20.10.24
 * (cli/command/...) and were checked against recorded requests
 * (tests/data/explain/recorded/).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_docker.h"
#include "cli/cli_docker_arg.h"
#include "cli/cli_docker_build.h"
#include "cli/cli_docker_cmd.h"
#include "cli/cli_docker_container.h"
#include "cli/cli_docker_image.h"
#include "cli/cli_docker_network.h"
#include "cli/cli_docker_plan.h"
#include "cli/cli_docker_plugin.h"
#include "cli/cli_docker_registry.h"
#include "cli/cli_docker_run.h"
#include "cli/cli_docker_swarm.h"
#include "cli/cli_docker_system.h"
#include "cli/cli_docker_volume.h"

/* Every command explain knows. */
static const struct cli_docker_cmd_entry *const table[] = {
	&cli_docker_run_entry,
	&cli_docker_run_create_entry,
	&cli_docker_container_exec_entry,
	&cli_docker_container_cp_entry,
	&cli_docker_container_commit_entry,
	&cli_docker_container_ps_entry,
	&cli_docker_container_inspect_entry,
	&cli_docker_container_container_inspect_entry,
	&cli_docker_container_rm_entry,
	&cli_docker_container_stop_entry,
	&cli_docker_container_restart_entry,
	&cli_docker_container_kill_entry,
	&cli_docker_container_pause_entry,
	&cli_docker_container_unpause_entry,
	&cli_docker_container_wait_entry,
	&cli_docker_container_start_entry,
	&cli_docker_container_logs_entry,
	&cli_docker_container_attach_entry,
	&cli_docker_container_top_entry,
	&cli_docker_container_diff_entry,
	&cli_docker_container_port_entry,
	&cli_docker_container_export_entry,
	&cli_docker_container_stats_entry,
	&cli_docker_container_prune_entry,
	&cli_docker_image_pull_entry,
	&cli_docker_image_push_entry,
	&cli_docker_image_tag_entry,
	&cli_docker_image_load_entry,
	&cli_docker_image_import_entry,
	&cli_docker_image_save_entry,
	&cli_docker_image_images_entry,
	&cli_docker_image_inspect_entry,
	&cli_docker_image_rmi_entry,
	&cli_docker_image_history_entry,
	&cli_docker_image_prune_entry,
	&cli_docker_build_build_entry,
	&cli_docker_build_prune_entry,
	&cli_docker_registry_login_entry,
	&cli_docker_registry_search_entry,
	&cli_docker_volume_create_entry,
	&cli_docker_volume_ls_entry,
	&cli_docker_volume_inspect_entry,
	&cli_docker_volume_rm_entry,
	&cli_docker_volume_prune_entry,
	&cli_docker_network_create_entry,
	&cli_docker_network_connect_entry,
	&cli_docker_network_disconnect_entry,
	&cli_docker_network_ls_entry,
	&cli_docker_network_inspect_entry,
	&cli_docker_network_rm_entry,
	&cli_docker_network_prune_entry,
	&cli_docker_plugin_install_entry,
	&cli_docker_plugin_ls_entry,
	&cli_docker_plugin_inspect_entry,
	&cli_docker_plugin_enable_entry,
	&cli_docker_plugin_disable_entry,
	&cli_docker_plugin_rm_entry,
	&cli_docker_swarm_init_entry,
	&cli_docker_swarm_join_entry,
	&cli_docker_swarm_leave_entry,
	&cli_docker_swarm_service_create_entry,
	&cli_docker_swarm_service_ls_entry,
	&cli_docker_swarm_service_rm_entry,
	&cli_docker_system_info_entry,
	&cli_docker_system_version_entry,
	&cli_docker_system_events_entry,
	&cli_docker_system_df_entry,
	&cli_docker_system_prune_entry,
	NULL
};

enum { G_VERSION = 1 };

static const struct cli_docker_arg_flag global_flags[] = {
	{ "host", 'H', CLI_DOCKER_ARG_LIST, 0, NULL },
	{ "context", 'c', CLI_DOCKER_ARG_STR, 0, NULL },
	{ "config", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "debug", 'D', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "log-level", 'l', CLI_DOCKER_ARG_STR, 0, NULL },
	{ "tls", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "tlsverify", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "tlscacert", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "tlscert", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "tlskey", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "version", 'v', CLI_DOCKER_ARG_BOOL, G_VERSION, NULL },
	{ NULL }
};

/* The entry named or spelled cmd, or NULL. */
static const struct cli_docker_cmd_entry *
entry_find(const char *cmd)
{
	const struct cli_docker_cmd_entry *const	*e;
	size_t						 k;

	for (e = table; *e != NULL; e++) {
		if (strcmp(cmd, (*e)->name) == 0)
			return *e;
		for (k = 0; k < CLI_DOCKER_CMD_ALIASES && (*e)->alias[k] != NULL;
		    k++)
			if (strcmp(cmd, (*e)->alias[k]) == 0)
				return *e;
	}
	return NULL;
}

/* Is word a management group ("container"): some name starts with "word "? */
static bool
is_group(const char *word)
{
	const struct cli_docker_cmd_entry *const	*e;
	size_t						 k, n = strlen(word);
	const char					*s;

	for (e = table; *e != NULL; e++)
		for (k = 0; k <= CLI_DOCKER_CMD_ALIASES; k++) {
			s = k == 0 ? (*e)->name : (*e)->alias[k - 1];
			if (s != NULL && strncmp(s, word, n) == 0 &&
			    s[n] == ' ')
				return true;
		}
	return false;
}

/*
 * Skip the global flags from argv[1]: the index of the command (past the
 * end when there is none), 0 for --version, or -EINVAL for an unknown flag.
 */
static int
global_flags_skip(struct cli_docker_cmd *t, int argc, char *const argv[])
{
	const struct cli_docker_arg_flag	*f;
	const char				*a;
	size_t					 n;
	int					 i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		a = argv[i];
		if (a[1] == '-') {
			n = strcspn(a + 2, "=");
			f = cli_docker_arg_flag_long(global_flags, a + 2, n);
			if (f == NULL)
				return cli_docker_cmd_fail(t, -EINVAL,
				    "unknown flag: %.*s for \"docker\"",
				    (int)n + 2, a);
			if (f->kind != CLI_DOCKER_ARG_BOOL && a[2 + n] != '=')
				i++;
		} else {
			f = cli_docker_arg_flag_short(global_flags, a[1]);
			if (f == NULL)
				return cli_docker_cmd_fail(t, -EINVAL,
				    "unknown shorthand flag: '%c' in %s for "
				    "\"docker\"", a[1], a);
			if (f->kind != CLI_DOCKER_ARG_BOOL && a[2] == '\0')
				i++;
		}
		if (f->id == G_VERSION)
			return 0;
	}
	return i;
}

int
cli_docker_translate(int argc, char *const argv[], struct cli_docker_plan *plan,
    struct dw_err *err)
{
	const struct cli_docker_cmd_entry	*e;
	struct cli_docker_cmd			 t = { plan, err, "", NULL };
	struct cli_docker_arg			 a = { 0 };
	const char				*base;
	char					 cmd[128];
	int					 i, r;

	dw_err_clear(err);
	base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	if (argc < 1 ||
	    strcmp(base != NULL ? base + 1 : argv[0], "docker") != 0)
		return cli_docker_cmd_fail(&t, -EINVAL, "the command line must "
		    "start with docker, not \"%s\"", argc > 0 ? argv[0] : "");
	if ((i = global_flags_skip(&t, argc, argv)) < 0)
		return i;
	if (i == 0) {
		plan->command = strdup("version");
		return cli_docker_plan_add(plan, err, "GET", "/version", NULL,
		    NULL) ?
		    0 : -ENOMEM;
	}
	if (i >= argc)
		return cli_docker_cmd_fail(&t, -EINVAL, "no docker command "
		    "given");
	/* The command: a management group takes one more word. */
	snprintf(cmd, sizeof(cmd), "%s", argv[i++]);
	if (is_group(cmd)) {
		if (i >= argc)
			return cli_docker_cmd_fail(&t, -EINVAL, "\"docker %s\" "
			    "needs a subcommand", cmd);
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s",
		    argv[i++]);
	}
	e = entry_find(cmd);
	if ((plan->command = strdup(e != NULL ? e->name : cmd)) == NULL)
		return cli_docker_cmd_nomem(&t);
	t.cmd = plan->command;
	t.entry = e;
	if (e == NULL)
		return cli_docker_cmd_fail(&t, -EINVAL, "\"docker %s\" is not "
		    "a command explain knows; describe the request with "
		    "--request FILE.json instead", cmd);
	if ((r = cli_docker_arg_parse(&a, argc, argv, i, e->flags,
	    e->stop_at_arg, t.cmd, err)) == 0)
		r = e->exec(&t, &a);
	cli_docker_arg_clear(&a);
	return r;
}
