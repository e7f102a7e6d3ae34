/*
 * cli_docker_plan: what a docker command line becomes, the Engine API
 * requests the docker 20.10 CLI sends for it, in order; and how the
 * translator builds them (URI with an encoded query, a JSON body, notes
 * saying what the translation left out or assumed).
 */
#ifndef CLI_DOCKER_PLAN_H
#define CLI_DOCKER_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"

/* The API version the docker 20.10 CLI negotiates with dockerd 20.10. */
#define CLI_DOCKER_PLAN_VERSION	"1.41"

/* One request; every member is new, owned by the plan. */
struct cli_docker_plan_req {
	char		*method;	/* "POST" */
	char		*uri;		/* "/v1.41/containers/create?name=x" */
	json_t		*body;		/* NULL when none or not JSON */
	bool		 body_opaque;	/* a body (a tar) explain does not have */
	bool		 caller_only;	/* judged here by the caller's rules only */
	struct dw_strv	 notes;		/* what the translation left out or assumed */
};

/* Zero-initialise; cli_docker_plan_clear() frees what it holds. */
struct cli_docker_plan {
	struct cli_docker_plan_req	*v;
	size_t				 n;
	char				*command;	/* new: "run", "image push" */
};

/* Query parameters in the order given; encoded sorted by key, as Go does. */
struct cli_docker_plan_query {
	struct dw_strv	k, v;
};

/* Add k=v (copies; v NULL is ""). */
void	cli_docker_plan_query_add(struct cli_docker_plan_query *q,
	    const char *k, const char *v);

/* Free the parameters and zero q. */
void	cli_docker_plan_query_clear(struct cli_docker_plan_query *q);

/*
 * Append a request: path unescaped and without the version, q (may be
 * NULL) borrowed, body (may be NULL) taken whatever the outcome.  The new
 * request, borrowed from plan, or NULL with err set: -E2BIG (the URI
 * would be over DW_URI_MAX) or out of memory.
 */
struct cli_docker_plan_req *cli_docker_plan_add(struct cli_docker_plan *plan,
	    struct dw_err *err, const char *method, const char *path,
	    const struct cli_docker_plan_query *q, json_t *body);

/* Append a note to r, formatted (at most DW_MSG_MAX bytes). */
void	cli_docker_plan_note(struct cli_docker_plan_req *r, const char *fmt,
	    ...) __attribute__((format(printf, 2, 3)));

/* Free what plan holds and zero it; plan itself is not freed. */
void	cli_docker_plan_clear(struct cli_docker_plan *plan);

#endif
