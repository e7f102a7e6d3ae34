/* Fuzz URI routing: "<method>\n<uri>". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz_uri.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authz_uri	*uri = NULL;
	const char	*v;
	char		*buf, *nl;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	nl = strchr(buf, '\n');
	if (nl != NULL) {
		*nl = '\0';
		if (authz_uri_parse(buf, nl + 1, &uri, NULL) == 0) {
			if (uri->endpoint == AUTHZ_EP_UNKNOWN)
				abort();
			(void)authz_uri_query_get(uri, "fromImage", &v);
			(void)authz_uri_query_bool(uri, "force");
			authz_uri_free(uri);
		}
	}
	free(buf);
	return 0;
}
