/*
 * Fuzz the Go-semantics body reader and every rule that reads a body: the
 * input is "<endpoint selector byte><body>", decided against a fixed policy
 * with facts that answer "not found".
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz_uri.h"
#include "authz/authz_decide.h"
#include "authz/authz_settings.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const uris[] = {
	"/v1.41/containers/create", "/v1.23/containers/x/start",
	"/v1.41/containers/x/update", "/v1.41/containers/x/exec",
	"/v1.41/volumes/create", "/v1.41/services/create",
	"/v1.41/services/x/update", "/v1.41/swarm/join",
};

static int
no_such(void *ctx, const char *name, json_t **ret, struct dw_err *err)
{
	return -ENOENT;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct authz_settings *s;
	static const char *const socks[] = { "/run/docker.sock", NULL };
	static const char policy[] = "{\"configurationFileVersion\":2,"
	    "\"enhancedContainerIsolation\":{\"value\":true,\"dockerSocketMount\":"
	    "{\"imageList\":{\"images\":[\"docker:cli\",\"x/*:*\"]}}}}";
	struct authz_facts	facts = {
		.container_inspect = no_such,
		.network_inspect = no_such,
		.volume_inspect = no_such,
		.engine_sockets = socks,
	};
	struct authz_request	req;
	struct authz_decision	d;
	struct authz_uri		*uri = NULL;
	const char		*u;

	if (s == NULL && (s = authz_settings_parse(policy, strlen(policy),
	    "<fuzz>", NULL)) == NULL)
		abort();
	if (size < 1)
		return 0;
	u = uris[data[0] % (sizeof(uris) / sizeof(uris[0]))];
	if (authz_uri_parse("POST", u, &uri, NULL) < 0)
		abort();
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.raw_uri = u;
	req.uri = uri;
	req.body = data + 1;
	req.body_len = size - 1;
	req.content_length = (long long)(size - 1);
	authz_decide(s, &facts, &req, &d);
	if (d.verdict == AUTHZ_DENY && d.rule == NULL)
		abort();	/* every deny names its rule */
	authz_uri_free(uri);
	return 0;
}
