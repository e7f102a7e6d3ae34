/* Fuzz the AuthZReq decoder (JSON, base64 body, headers). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_plugin.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_plugin_msg	msg;

	if (api_plugin_msg_parse((const char *)data, size, &msg, NULL) == 0)
		api_plugin_msg_clear(&msg);
	return 0;
}
