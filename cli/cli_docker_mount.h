/*
 * cli_docker_mount: one --mount value (opts.MountOpt.Set) as the
 * mount.Mount object the CLI sends, for docker run, create and service
 * create.
 */
#ifndef CLI_DOCKER_MOUNT_H
#define CLI_DOCKER_MOUNT_H

#include <jansson.h>

#include "cli/cli_docker_cmd.h"

/*
 * Parse spec ("type=bind,src=/x,dst=/y,readonly"): 0 and a new object in
 * *ret, or -EINVAL (t->err says why) or -ENOMEM.
 */
int	cli_docker_mount_parse(struct cli_docker_cmd *t, const char *spec,
	    json_t **ret);

#endif
