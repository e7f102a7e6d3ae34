/*
 * digest_ref: Docker image references, parsed and normalized as the Docker
 * CLI and dockerd do (distribution/reference "ParseNormalizedNamed"):
 *   "docker:cli"            -> docker.io/library/docker:cli
 *   "alpine"                -> docker.io/library/alpine (tag "latest" is implied)
 *   "index.docker.io/x/y"   -> docker.io/x/y
 *   "localhost:5000/a/b@sha256:<64 hex>"
 * A first component is a registry host when it contains '.' or ':' or is
 * "localhost"; otherwise the host is docker.io, and a one-component docker.io
 * path gets "library/".
 */
#ifndef DIGEST_REF_H
#define DIGEST_REF_H

#include <stdbool.h>

#include "common/dw_err.h"

struct digest_ref {
	char	*domain;	/* "docker.io", "localhost:5000" */
	char	*path;		/* "library/docker" */
	char	*tag;		/* "cli"; NULL when none was given */
	char	*digest;	/* "sha256:<64 lowercase hex>"; NULL when none */
};

/* Flags for digest_ref_parse. */
#define DIGEST_REF_ALLOW_WILDCARD	0x1	/* '*' allowed in path components and as the tag (policy patterns) */

/*
 * Parse and normalize s.  Returns a new digest_ref (free with
 * digest_ref_free) or NULL with the reason in err (invalid characters,
 * uppercase repository, bad tag, bad digest, too long: > 255 name chars).
 */
struct digest_ref *digest_ref_parse(const char *s, int flags, struct dw_err *err);
void	digest_ref_free(struct digest_ref *ref);

/* "domain/path", newly allocated (caller frees), NULL on ENOMEM. */
char	*digest_ref_name(const struct digest_ref *ref);
/*
 * Canonical full string, newly allocated (caller frees): "domain/path:tag",
 * "domain/path@digest", "domain/path:tag@digest"; with no tag and no digest
 * the implied ":latest" is added.  NULL on ENOMEM.
 */
char	*digest_ref_string(const struct digest_ref *ref);
/*
 * Policy name patterns (such as docker.io/testcontainers/ then a star): a star matches any
 * run of characters within one path component; everything else (the
 * brackets of "[::1]:5000" included) is literal.
 */
bool	digest_ref_name_matches(const char *pattern, const char *name);
/* True for a syntactically valid "sha256:<64 lowercase hex>" digest. */
bool	digest_ref_is_sha256(const char *s);

#endif
