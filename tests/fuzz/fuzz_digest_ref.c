/* Fuzz image reference parsing and normalization, with and without wildcards. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest/digest_ref.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest_ref	*ref;
	char			*buf, *s;
	int			 flags;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (flags = 0; flags <= DIGEST_REF_ALLOW_WILDCARD; flags += DIGEST_REF_ALLOW_WILDCARD) {
		if ((ref = digest_ref_parse(buf, flags, NULL)) == NULL)
			continue;
		s = digest_ref_string(ref);
		free(s);
		s = digest_ref_name(ref);
		free(s);
		digest_ref_free(ref);
	}
	free(buf);
	return 0;
}
