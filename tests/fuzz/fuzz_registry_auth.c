/*
 * Fuzz registry_auth's parsers of what a registry and a docker config
 * send: byte 0 selects the parser (modulo 3: a WWW-Authenticate value, a
 * token server's answer, a docker config.json for "r.io", or for
 * "docker.io" when bit 7 is set); the rest is the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry_auth.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct registry_auth_challenge	 ch = { 0 };
	struct registry_auth_creds	 creds = { 0 };
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
	switch (sel % 3) {
	case 0:
		if (registry_auth_challenge_parse(buf, &ch, NULL) == 0)
			registry_auth_challenge_clear(&ch);
		break;
	case 1:
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
