/*
 * cli_docker_build: docker build (image build, builder build) and
 * builder prune.
 */
#ifndef CLI_DOCKER_BUILD_H
#define CLI_DOCKER_BUILD_H

#include "cli/cli_docker_cmd.h"

extern const struct cli_docker_cmd_entry cli_docker_build_build_entry;
extern const struct cli_docker_cmd_entry cli_docker_build_prune_entry;

#endif
