/*
 * cli_docker_plugin: docker plugin install, ls, inspect, enable, disable,
 * rm.
 */
#ifndef CLI_DOCKER_PLUGIN_H
#define CLI_DOCKER_PLUGIN_H

#include "cli/cli_docker_cmd.h"

extern const struct cli_docker_cmd_entry cli_docker_plugin_install_entry;
extern const struct cli_docker_cmd_entry cli_docker_plugin_ls_entry;
extern const struct cli_docker_cmd_entry cli_docker_plugin_inspect_entry;
extern const struct cli_docker_cmd_entry cli_docker_plugin_enable_entry;
extern const struct cli_docker_cmd_entry cli_docker_plugin_disable_entry;
extern const struct cli_docker_cmd_entry cli_docker_plugin_rm_entry;

#endif
