/*
 * cli_docker: a docker CLI command line ("docker run --privileged
 * alpine") turned into the Engine API requests the docker 20.10 CLI sends
 * for it (method, URI with query, JSON body), for `dockward explain`.
 * Pure: no daemon, no network; it reads a local file only where the CLI
 * itself would put the file's content in a request (--env-file,
 * --label-file, --security-opt seccomp=FILE).
 *
 * Bodies carry every field the CLI sets that an Engine API rule can read,
 * with the CLI's shapes; fields the CLI always sends as Go zero values are
 * left out (dockerd decodes absent and zero alike).  What the translation
 * leaves out or assumes is said in notes, per request.
 *
 * This file holds the command table; each command family is in its own
 * file (cli_docker_run.c, cli_docker_container.c, cli_docker_image.c,
 * ...), on top of the flag parser (cli_docker_arg.c), what every command
 * shares (cli_docker_cmd.c) and the plan it builds (cli_docker_plan.h).
 */
#ifndef CLI_DOCKER_H
#define CLI_DOCKER_H

#include "cli/cli_docker_plan.h"
#include "common/dw_err.h"

/*
 * Translate argv (argv[0] is "docker", then global flags, the command and
 * its arguments; borrowed) into plan (zeroed by the caller).  0, or
 * -EINVAL with err naming the unknown command or flag or the malformed
 * value; -ENOMEM.  The plan may hold requests after a failure: clear it
 * with cli_docker_plan_clear() either way.
 */
int	cli_docker_translate(int argc, char *const argv[],
	    struct cli_docker_plan *plan, struct dw_err *err);

#endif
