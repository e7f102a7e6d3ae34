/*
 * Fuzz the gatekeeper's reading of a request: the HTTP framing, the head
 * checks that refuse what Go could read differently, the body limits, and
 * the command names of whatever it routes to.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_gate.h"
#include "authz/authz_uri.h"
#include "authz/authz_command.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_gate_request	 rq;
	struct authz_uri		*uri = NULL;
	struct dw_err		 err;
	char			*buf;

	/* An exact-size copy, so reading past size is caught by ASan. */
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	if (api_gate_request_parse(buf, size, &rq, &err) == 0) {
		if (rq.consumed > size || rq.body_len > size)
			abort();
		if (rq.complete && !rq.body_read_whole && rq.body_len != 0)
			abort();
		if (authz_uri_parse(rq.method, rq.uri, &uri, &err) == 0)
			(void)authz_command_primary(uri);
		authz_uri_free(uri);
	}
	free(buf);
	return 0;
}
