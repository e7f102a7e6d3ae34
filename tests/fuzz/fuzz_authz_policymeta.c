/*
 * Fuzz dockward.policy (authz_policymeta): the input is the block's JSON
 * text.  Parsed, then its rules run against a few clocks: the RFC 3339
 * reader, the serial comparison and the expiry window must never crash,
 * and a parsed block must satisfy what the parser promises.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authz/authz_policymeta.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const time_t	 clocks[] = { 0, 1, 1798761600, INT32_MAX, (time_t)1 << 40 };
	struct authz_policymeta	 m = { 0 };
	struct dw_strv		 warnings = { 0 };
	struct dw_err		 err;
	json_t			*root;
	FILE			*devnull;
	time_t			 t;
	int64_t			 left;
	size_t			 i;

	/* The reader on its own, on the raw bytes made a string. */
	{
		char	*s = malloc(size + 1);

		if (s != NULL) {
			memcpy(s, data, size);
			s[size] = '\0';
			if (authz_policymeta_time_parse(s, &t) == 0 && t < 0)
				abort();
			free(s);
		}
	}
	if ((root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, NULL)) == NULL)
		return 0;
	if (authz_policymeta_parse(root, "dockward.policy", &m, &warnings, &err) == 0) {
		if (!m.present || m.serial < 0 ||
		    (m.issued != 0 && m.expires != 0 && m.expires <= m.issued))
			abort();
		(void)authz_policymeta_require(&m, &err);
		(void)authz_policymeta_check_serial(m.serial, &m, true, &err);
		if (m.serial > 0 && authz_policymeta_check_serial(m.serial - 1, &m,
		    false, &err) != 0)
			abort();
		if (authz_policymeta_warn_window(&m) <= 0 && m.expires != 0 &&
		    m.issued == 0)
			abort();
		if ((devnull = fopen("/dev/null", "w")) != NULL) {
			for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
				(void)authz_policymeta_expiry(&m, clocks[i], &left);
				authz_policymeta_print(&m, clocks[i], devnull);
			}
			fclose(devnull);
		}
	}
	dw_strv_clear(&warnings);
	json_decref(root);
	return 0;
}
