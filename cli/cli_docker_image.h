/*
 * cli_docker_image: docker's image commands (build: cli_docker_build.h).
 */
#ifndef CLI_DOCKER_IMAGE_H
#define CLI_DOCKER_IMAGE_H

#include "cli/cli_docker_cmd.h"

extern const struct cli_docker_cmd_entry cli_docker_image_pull_entry;
extern const struct cli_docker_cmd_entry cli_docker_image_push_entry;
extern const struct cli_docker_cmd_entry cli_docker_image_tag_entry;
extern const struct cli_docker_cmd_entry cli_docker_image_load_entry;
extern const struct cli_docker_cmd_entry cli_docker_image_import_entry;
extern const struct cli_docker_cmd_entry cli_docker_image_save_entry;
extern const struct cli_docker_cmd_entry cli_docker_image_images_entry;
extern const struct cli_docker_cmd_entry cli_docker_image_inspect_entry;
extern const struct cli_docker_cmd_entry cli_docker_image_rmi_entry;
extern const struct cli_docker_cmd_entry cli_docker_image_history_entry;
extern const struct cli_docker_cmd_entry cli_docker_image_prune_entry;

#endif
