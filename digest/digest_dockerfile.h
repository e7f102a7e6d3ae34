/*
 * digest_dockerfile: the images a Dockerfile makes dockerd pull.  The
 * gatekeeper reads the Dockerfile out of a POST /build context and checks
 * each stage's FROM, and each image a COPY --from or a RUN --mount from=
 * names, against the registry/image rules before dockerd sees the build.
 * Pure text processing: parser directives, line continuations, comments,
 * heredoc bodies, builder flags, ARG defaults before the first FROM (with
 * the request's build args overriding them) and the ${...} forms FROM can
 * use.
 */
#ifndef DIGEST_DOCKERFILE_H
#define DIGEST_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/dw_err.h"

#define DIGEST_DOCKERFILE_MAX	(1024 * 1024)	/* whole Dockerfile */
#define DIGEST_DOCKERFILE_LINE_MAX (64 * 1024)	/* one physical line, one expanded word */
#define DIGEST_DOCKERFILE_STAGES_MAX 256	/* FROM instructions */
#define DIGEST_DOCKERFILE_SOURCES_MAX 1024	/* COPY --from and RUN --mount images */

/* What put an entry in the array. */
enum digest_from_kind {
	DIGEST_FROM_STAGE = 0,	/* a FROM instruction: one build stage */
	DIGEST_FROM_COPY,	/* COPY --from=<image> */
	DIGEST_FROM_MOUNT,	/* RUN --mount=...,from=<image>,... */
};

/*
 * One FROM (a stage) or one image a COPY/RUN pulls, in Dockerfile order.
 * All strings owned by the array.  COPY and MOUNT entries are images
 * only: a --from/from= naming an earlier stage (or a COPY stage index, or
 * "scratch") pulls nothing and gets no entry; their stage_name is NULL
 * and is_stage_ref and is_scratch are false.
 */
struct digest_from {
	char	*image;		/* FROM's base after ARG expansion ("scratch", an earlier stage's name, or an image reference as written); COPY/MOUNT: the image reference */
	char	*stage_name;	/* "AS name" lowercased, or NULL */
	bool	 is_stage_ref;	/* image names an earlier stage (case-insensitive): no pull */
	bool	 is_scratch;	/* image is exactly "scratch": no pull */
	enum digest_from_kind kind;	/* STAGE (zero) for FROM */
	size_t	 line;		/* 1-based line of the instruction's first line */
};

/*
 * Parse len bytes of Dockerfile text and return every stage's base and
 * every image a COPY --from or RUN --mount from= pulls, in order, in a new
 * array *ret of *ret_n entries (free with digest_dockerfile_froms_free).  Stage
 * indexes and DIGEST_DOCKERFILE_STAGES_MAX count the DIGEST_FROM_STAGE
 * entries only.  build_args is a NULL-terminated "KEY=VALUE" list (the
 * request's buildargs; may be NULL; entries without '=' are ignored); a
 * build arg overrides the default of an ARG declared before the first
 * FROM, as in docker.  FROM's base and --from/from= values are expanded
 * with those ARGs (docker refuses variables in the latter; expanding
 * them only checks more).  Errors: -EINVAL bad syntax, no FROM, a FROM,
 * --from or from= that uses an ARG without a value ("cannot be
 * resolved", with the line number), a COPY --from index that is not an
 * earlier stage, --from given twice; -EPROTO when a "# syntax=" directive
 * or a BUILDKIT_SYNTAX build arg selects a custom BuildKit frontend (its
 * FROMs cannot be trusted); -E2BIG over the size, line, stage or source
 * limits; -ENOMEM.
 */
int	digest_dockerfile_froms(const char *text, size_t len,
	    const char *const *build_args, struct digest_from **ret,
	    size_t *ret_n, struct dw_err *err);

/* Free an array from digest_dockerfile_froms; (NULL, 0) is a no-op. */
void	digest_dockerfile_froms_free(struct digest_from *v, size_t n);

#endif
