/*
 * Fuzz the Dockerfile FROM reader with a fixed build-arg list: every
 * result must be freeable, the first entry a stage, every entry must
 * have a non-empty image and a line in order, and COPY/RUN --mount
 * entries must be images only (no stage fields, never "scratch").
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest/digest_dockerfile.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_build_args[] = {
	"BASE=alpine:3.20", "TAG=latest", "EMPTY=", "REG=registry.example.com:5000",
	"IMG=ghcr.io/x/y:1", NULL
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest_from	*v;
	struct dw_err		 err;
	size_t			 n, i, stages = 0, line = 1;

	if (digest_dockerfile_froms((const char *)data, size, fuzz_build_args,
	    &v, &n, &err) != 0)
		return 0;
	if (n == 0 || v[0].kind != DIGEST_FROM_STAGE)
		abort();
	for (i = 0; i < n; i++) {
		if (v[i].image == NULL || v[i].image[0] == '\0' ||
		    (v[i].is_scratch && v[i].is_stage_ref) || v[i].line < line)
			abort();
		line = v[i].line;
		switch (v[i].kind) {
		case DIGEST_FROM_STAGE:
			stages++;
			break;
		case DIGEST_FROM_COPY:
		case DIGEST_FROM_MOUNT:
			if (v[i].stage_name != NULL || v[i].is_stage_ref ||
			    v[i].is_scratch || strcmp(v[i].image, "scratch") == 0)
				abort();
			break;
		default:
			abort();
		}
	}
	if (stages > DIGEST_DOCKERFILE_STAGES_MAX || n - stages > DIGEST_DOCKERFILE_SOURCES_MAX)
		abort();
	digest_dockerfile_froms_free(v, n);
	return 0;
}
