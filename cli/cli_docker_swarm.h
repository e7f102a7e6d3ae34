/*
 * cli_docker_swarm: docker swarm init, join, leave; docker service create,
 * ls, rm.
 */
#ifndef CLI_DOCKER_SWARM_H
#define CLI_DOCKER_SWARM_H

#include "cli/cli_docker_cmd.h"

extern const struct cli_docker_cmd_entry cli_docker_swarm_init_entry;
extern const struct cli_docker_cmd_entry cli_docker_swarm_join_entry;
extern const struct cli_docker_cmd_entry cli_docker_swarm_leave_entry;
extern const struct cli_docker_cmd_entry cli_docker_swarm_service_create_entry;
extern const struct cli_docker_cmd_entry cli_docker_swarm_service_ls_entry;
extern const struct cli_docker_cmd_entry cli_docker_swarm_service_rm_entry;

#endif
