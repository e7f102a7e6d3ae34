/*
 * cli_docker_volume: docker volume create, ls, inspect, rm, prune.
 */
#ifndef CLI_DOCKER_VOLUME_H
#define CLI_DOCKER_VOLUME_H

#include "cli/cli_docker_cmd.h"

extern const struct cli_docker_cmd_entry cli_docker_volume_create_entry;
extern const struct cli_docker_cmd_entry cli_docker_volume_ls_entry;
extern const struct cli_docker_cmd_entry cli_docker_volume_inspect_entry;
extern const struct cli_docker_cmd_entry cli_docker_volume_rm_entry;
extern const struct cli_docker_cmd_entry cli_docker_volume_prune_entry;

#endif
