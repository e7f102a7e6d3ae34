/*
 * cli_docker: a docker CLI command line ("docker run --privileged
 * alpine") turned into the Engine API requests the docker 20.10 CLI sends
 * for it (method, URI with query, JSON body), for `dockward explain`.
 * Pure: no daemon, no network; it reads a local file only where the CLI
 * itself would put the file's content in a request (--env-file,
 * --label-file, --security-opt seccomp=FILE).
 *
 * Bodies carry every field the CLI sets that an Engine API rule can read,
 * with the CLI's shapes; fields the CLI always sends as Go zero values are
 * left out (dockerd decodes absent and zero alike).  What the translation
 * leaves out or assumes is said in notes, per request.
 */
#ifndef CLI_DOCKER_H
#define CLI_DOCKER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"

/* The API version the docker 20.10 CLI negotiates with dockerd 20.10. */
#define CLI_DOCKER_VERSION	"1.41"

struct cli_docker_req {
	char		*method;	/* "POST" */
	char		*uri;		/* "/v1.41/containers/create?name=x" */
	json_t		*body;		/* JSON body (owned), NULL when none or not JSON */
	bool		 body_opaque;	/* a non-JSON body (a tar) that explain does not have */
	bool		 caller_only;	/* only the caller's rules (command lists) judge it here */
	struct dw_strv	 notes;		/* what this translation left out or assumed */
};

struct cli_docker_plan {
	struct cli_docker_req	*v;
	size_t			 n;
	char			*command;	/* canonical command, "run", "image push" */
};

/*
 * Translate argv (argv[0] is "docker", then global flags, the command and
 * its arguments) into plan (zeroed by the caller).  0, or -EINVAL with err
 * naming the unknown command or flag or the malformed value; -ENOMEM.
 * The plan may hold requests after a failure: clear it either way.
 */
int	cli_docker_translate(int argc, char *const argv[],
	    struct cli_docker_plan *plan, struct dw_err *err);

/* Free what plan holds and zero it. */
void	cli_docker_plan_clear(struct cli_docker_plan *plan);

#endif
