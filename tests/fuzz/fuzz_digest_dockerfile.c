/*
 * Fuzz the Dockerfile FROM reader with a fixed build-arg list: every
 * result must be freeable, and every stage must have a non-empty base.
 */
#include <stdint.h>
#include <stdlib.h>

#include "digest/digest_dockerfile.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_build_args[] = {
	"BASE=alpine:3.20", "TAG=latest", "EMPTY=", "REG=registry.example.com:5000",
	NULL
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest_from	*v;
	struct dw_err		 err;
	size_t			 n, i;

	if (digest_dockerfile_froms((const char *)data, size, fuzz_build_args,
	    &v, &n, &err) != 0)
		return 0;
	if (n == 0)
		abort();
	for (i = 0; i < n; i++)
		if (v[i].image == NULL || v[i].image[0] == '\0' ||
		    (v[i].is_scratch && v[i].is_stage_ref))
			abort();
	digest_froms_free(v, n);
	return 0;
}
