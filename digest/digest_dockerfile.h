/*
 * digest_dockerfile: the base images a Dockerfile names.  The gatekeeper
 * reads the Dockerfile out of a POST /build context and checks each
 * stage's FROM against the registry/image rules before dockerd sees the
 * build.  Pure text processing: parser directives, line continuations,
 * comments, heredoc bodies, ARG defaults before the first FROM (with the
 * request's build args overriding them) and the ${...} forms FROM can use.
 */
#ifndef DIGEST_DOCKERFILE_H
#define DIGEST_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/dw_err.h"

#define DIGEST_DOCKERFILE_MAX	(1024 * 1024)	/* whole Dockerfile */
#define DIGEST_DOCKERFILE_LINE_MAX (64 * 1024)	/* one physical line, one expanded word */
#define DIGEST_DOCKERFILE_STAGES_MAX 256	/* FROM instructions */

/* One stage, in Dockerfile order.  All strings owned by the array. */
struct digest_from {
	char	*image;		/* FROM's base after ARG expansion ("scratch", an earlier stage's name, or an image reference as written) */
	char	*stage_name;	/* "AS name" lowercased, or NULL */
	bool	 is_stage_ref;	/* image names an earlier stage (case-insensitive): no pull */
	bool	 is_scratch;	/* image is exactly "scratch": no pull */
};

/*
 * Parse len bytes of Dockerfile text and return every stage's base, in
 * order, in a new array *ret of *ret_n entries (free with
 * digest_froms_free).  build_args is a NULL-terminated "KEY=VALUE" list
 * (the request's buildargs; may be NULL; entries without '=' are ignored);
 * a build arg overrides the default of an ARG declared before the first
 * FROM, as in docker.  Errors: -EINVAL bad syntax, no FROM, or a FROM
 * whose base uses an ARG that has no value ("cannot be resolved", with the
 * line number); -EPROTO when a "# syntax=" directive or a BUILDKIT_SYNTAX
 * build arg selects a custom BuildKit frontend (its FROMs cannot be
 * trusted); -E2BIG over the size, line or stage limits; -ENOMEM.
 */
int	digest_dockerfile_froms(const char *text, size_t len,
	    const char *const *build_args, struct digest_from **ret,
	    size_t *ret_n, struct dw_err *err);

/* Free an array from digest_dockerfile_froms; (NULL, 0) is a no-op. */
void	digest_froms_free(struct digest_from *v, size_t n);

#endif
