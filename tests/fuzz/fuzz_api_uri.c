/* Fuzz URI routing: "<method>\n<uri>". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_uri.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_uri	*uri = NULL;
	const char	*v;
	char		*buf, *nl;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	nl = strchr(buf, '\n');
	if (nl != NULL) {
		*nl = '\0';
		if (api_uri_parse(buf, nl + 1, &uri, NULL) == 0) {
			if (uri->endpoint == API_EP_UNKNOWN)
				abort();
			(void)api_uri_query_get(uri, "fromImage", &v);
			(void)api_uri_query_bool(uri, "force");
			api_uri_free(uri);
		}
	}
	free(buf);
	return 0;
}
