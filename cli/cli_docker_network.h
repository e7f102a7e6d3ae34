/*
 * cli_docker_network: docker network create, connect, disconnect, ls,
 * inspect, rm, prune.
 */
#ifndef CLI_DOCKER_NETWORK_H
#define CLI_DOCKER_NETWORK_H

#include "cli/cli_docker_cmd.h"

extern const struct cli_docker_cmd_entry cli_docker_network_create_entry;
extern const struct cli_docker_cmd_entry cli_docker_network_connect_entry;
extern const struct cli_docker_cmd_entry cli_docker_network_disconnect_entry;
extern const struct cli_docker_cmd_entry cli_docker_network_ls_entry;
extern const struct cli_docker_cmd_entry cli_docker_network_inspect_entry;
extern const struct cli_docker_cmd_entry cli_docker_network_rm_entry;
extern const struct cli_docker_cmd_entry cli_docker_network_prune_entry;

#endif
