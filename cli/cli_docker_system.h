/*
 * cli_docker_system: docker info, version, events, system df, system
 * prune.
 */
#ifndef CLI_DOCKER_SYSTEM_H
#define CLI_DOCKER_SYSTEM_H

#include "cli/cli_docker_cmd.h"

extern const struct cli_docker_cmd_entry cli_docker_system_info_entry;
extern const struct cli_docker_cmd_entry cli_docker_system_version_entry;
extern const struct cli_docker_cmd_entry cli_docker_system_events_entry;
extern const struct cli_docker_cmd_entry cli_docker_system_df_entry;
extern const struct cli_docker_cmd_entry cli_docker_system_prune_entry;

#endif
