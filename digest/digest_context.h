/*
 * digest_context: the Dockerfile inside a docker build context (the
 * POST /build body: a tar, plain or gzip/bzip2/xz/zstd compressed), found the
 * way dockerd's classic builder finds it, so the gatekeeper can check the
 * FROM lines of the build dockerd is about to run.
 */
#ifndef DIGEST_CONTEXT_H
#define DIGEST_CONTEXT_H

#include <stddef.h>

#include "common/dw_err.h"

#define DIGEST_CONTEXT_TOTAL_MAX	((size_t)4 * 1024 * 1024 * 1024) /* uncompressed bytes scanned (twice the gatekeeper's default context limit) */
#define DIGEST_CONTEXT_ENTRIES_MAX	100000	/* tar entries scanned */

/*
 * Find the Dockerfile in the context buf (len bytes, borrowed) and return
 * a copy of its contents in *ret_text (NUL-terminated, *ret_len bytes
 * without the NUL; caller frees).  dockerfile_path is the build's
 * "dockerfile" parameter, relative to the context root ("./" tolerated,
 * cleaned); NULL or "" means "Dockerfile".  When the name is "Dockerfile"
 * and absent, "dockerfile" is used, as dockerd does.  When a name appears
 * more than once the last entry counts (it is the one extraction leaves).
 * Errors: -EINVAL a parameter that leaves the context, a Dockerfile that
 * is a link (or lies under one) or not a regular file, an entry name that
 * leaves the context; -ENOENT no such entry; -E2BIG a Dockerfile over
 * DIGEST_DOCKERFILE_MAX, or more than DIGEST_CONTEXT_TOTAL_MAX bytes or
 * DIGEST_CONTEXT_ENTRIES_MAX entries to scan; -EPROTO not a readable tar;
 * -ENOMEM.
 */
int	digest_context_dockerfile(const void *buf, size_t len,
	    const char *dockerfile_path, char **ret_text, size_t *ret_len,
	    struct dw_err *err);

#endif
