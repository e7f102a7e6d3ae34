/*
 * cli_docker_registry: docker login and docker search.
 */
#ifndef CLI_DOCKER_REGISTRY_H
#define CLI_DOCKER_REGISTRY_H

#include "cli/cli_docker_cmd.h"

extern const struct cli_docker_cmd_entry cli_docker_registry_login_entry;
extern const struct cli_docker_cmd_entry cli_docker_registry_search_entry;

#endif
