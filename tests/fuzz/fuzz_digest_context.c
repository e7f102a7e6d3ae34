/*
 * Fuzz the build-context reader (a tar of any compression held in
 * memory): find the Dockerfile under the default name and under a
 * subdirectory name, then read the FROM lines of what was found.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest/digest_context.h"
#include "digest/digest_dockerfile.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read the FROMs of a found Dockerfile; the text must be NUL-terminated. */
static void
fuzz_froms(char *text, size_t len)
{
	struct digest_from	*v;
	struct dw_err		 err;
	size_t			 n;

	if (text[len] != '\0' || len > DIGEST_DOCKERFILE_MAX)
		abort();
	if (digest_dockerfile_froms(text, len, NULL, &v, &n, &err) == 0)
		digest_dockerfile_froms_free(v, n);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dw_err	 err;
	char		*text;
	size_t		 len;

	if (digest_context_dockerfile(data, size, NULL, &text, &len, &err) == 0)
		fuzz_froms(text, len);
	if (digest_context_dockerfile(data, size, "./build/../docker/Dockerfile.dev",
	    &text, &len, &err) == 0)
		fuzz_froms(text, len);
	return 0;
}
