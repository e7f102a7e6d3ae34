/*
 * Fuzz the manifest parser with what a registry answers: byte 0 selects
 * the Content-Type (modulo 5: Docker schema2 manifest, Docker manifest
 * list, OCI manifest, OCI index, none); the rest is the body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest/digest_manifest.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const content_types[] = {
	DIGEST_MANIFEST_MT_DOCKER_MANIFEST,
	DIGEST_MANIFEST_MT_DOCKER_LIST,
	DIGEST_MANIFEST_MT_OCI_MANIFEST,
	DIGEST_MANIFEST_MT_OCI_INDEX,
	NULL,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest_manifest	 m = { 0 };
	char			*buf;
	uint8_t			 sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	/* NUL-terminated like a registry answer the client collected. */
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (digest_manifest_parse(content_types[sel % 5], buf, size, &m, NULL) == 0)
		digest_manifest_clear(&m);
	free(buf);
	return 0;
}
