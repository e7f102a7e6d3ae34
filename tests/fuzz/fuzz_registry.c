/*
 * Fuzz the registry answers dockward parses: byte 0 selects the parser
 * (WWW-Authenticate, a manifest with one of the four content types or
 * none, a token answer, a docker config.json); the rest is the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry_auth.h"
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
	struct registry_auth_challenge	 ch = { 0 };
	struct digest_manifest	 m = { 0 };
	struct registry_auth_creds		 creds = { 0 };
	char				*buf, *tok = NULL;
	long				 exp;
	uint8_t				 sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	switch (sel % 8) {
	case 0:
		if (registry_auth_challenge_parse(buf, &ch, NULL) == 0)
			registry_auth_challenge_clear(&ch);
		break;
	case 1: case 2: case 3: case 4: case 5:
		if (digest_manifest_parse(content_types[sel % 8 - 1], buf, size, &m,
		    NULL) == 0)
			digest_manifest_clear(&m);
		break;
	case 6:
		if (registry_auth_token_parse(buf, size, &tok, &exp, NULL) == 0)
			free(tok);
		break;
	default:
		if (registry_auth_creds_parse(buf, size, (sel & 0x80) ? "docker.io" : "r.io",
		    &creds, NULL) == 0)
			registry_auth_creds_clear(&creds);
		break;
	}
	free(buf);
	return 0;
}
