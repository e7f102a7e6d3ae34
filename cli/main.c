/*
 * dockward: the command line.  One table names every command, its
 * synopsis and description in dockward's usage, and its main function in
 * cli/cli_<name>.c; main() finds argv[1] in it and runs that.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_check.h"
#include "cli/cli_doctor.h"
#include "cli/cli_explain.h"
#include "cli/cli_report.h"
#include "cli/cli_serve.h"
#include "cli/cli_status.h"
#include "cli/cli_trust.h"
#include "config.h"

#define CMD_ALIASES	2

struct cmd {
	const char	*name;
	const char	*alias[CMD_ALIASES];	/* other spellings, NULL-padded */
	const char	*usage;		/* synopsis (cli/cli.h); NULL: not listed */
	const char	*about;		/* description; NULL: none */
	int		(*main)(int, char **);
};

static int	cmd_version(int, char **);
static int	cmd_help(int, char **);

/* In the order of dockward's usage. */
static const struct cmd cmds[] = {
	{ "serve", { NULL }, cli_serve_usage, cli_serve_about, cli_serve_main },
	{ "check", { NULL }, cli_check_usage, cli_check_about, cli_check_main },
	{ "doctor", { NULL }, cli_doctor_usage, cli_doctor_about, cli_doctor_main },
	{ "explain", { NULL }, cli_explain_usage, cli_explain_about,
	    cli_explain_main },
	{ "trust", { NULL }, cli_trust_usage, cli_trust_about, cli_trust_main },
	{ "status", { NULL }, cli_status_usage, cli_status_about, cli_status_main },
	{ "report", { NULL }, cli_report_usage, cli_report_about, cli_report_main },
	{ "version", { "--version" }, "dockward version\n", NULL, cmd_version },
	{ "help", { "--help", "-h" }, NULL, NULL, cmd_help },
	{ NULL, { NULL }, NULL, NULL, NULL }
};

/* Every command's synopsis, then what each does. */
static void
usage(FILE *out)
{
	const struct cmd	*c;
	const char		*lead = "usage: ";

	for (c = cmds; c->name != NULL; c++) {
		if (c->usage == NULL)
			continue;
		fprintf(out, "%s%s", lead, c->usage);
		lead = "       ";
	}
	fputc('\n', out);
	for (c = cmds; c->name != NULL; c++)
		if (c->about != NULL)
			fputs(c->about, out);
}

static int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("dockward %s\n", PACKAGE_VERSION);
	return 0;
}

static int
cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return CLI_USAGE_HELP;
}

/* The command named or spelled name, or NULL. */
static const struct cmd *
cmd_find(const char *name)
{
	const struct cmd	*c;
	size_t			 i;

	for (c = cmds; c->name != NULL; c++) {
		if (strcmp(name, c->name) == 0)
			return c;
		for (i = 0; i < CMD_ALIASES && c->alias[i] != NULL; i++)
			if (strcmp(name, c->alias[i]) == 0)
				return c;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct cmd	*c;
	int			 rc;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if ((c = cmd_find(argv[1])) == NULL) {
		fprintf(stderr, "dockward: unknown command \"%s\"\n", argv[1]);
		usage(stderr);
		return 2;
	}
	switch ((rc = c->main(argc - 1, argv + 1))) {
	case CLI_USAGE_HELP:
		usage(stdout);
		return 0;
	case CLI_USAGE_ERROR:
		usage(stderr);
		return 2;
	default:
		return rc;
	}
}
