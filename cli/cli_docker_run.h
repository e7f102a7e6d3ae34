/*
 * cli_docker_run: `docker run` and `docker create` (and their `container`
 * spellings), the container create request and the calls around it.
 */
#ifndef CLI_DOCKER_RUN_H
#define CLI_DOCKER_RUN_H

#include "cli/cli_docker_cmd.h"

extern const struct cli_docker_cmd_entry cli_docker_run_entry;
extern const struct cli_docker_cmd_entry cli_docker_run_create_entry;

#endif
