/* Fuzz the admin-settings.json parser and validator. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "authz/authz_settings.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authz_settings	*s;
	FILE			*devnull;

	s = authz_settings_parse((const char *)data, size, "<fuzz>", NULL);
	if (s != NULL) {
		if ((devnull = fopen("/dev/null", "w")) != NULL) {
			authz_settings_print(s, devnull);
			fclose(devnull);
		}
		authz_settings_free(s);
	}
	return 0;
}
