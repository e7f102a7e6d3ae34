/*
 * Fuzz authz_decide.c, the decision, with two kinds of input; byte 0
 * selects the kind (its low bit), the rest is that kind's input.
 *
 * Even: the Go-semantics body reader and every rule that reads a body:
 * "<endpoint selector byte><body>", decided against a fixed policy with
 * facts that answer "not found".
 *
 * Odd: a whole request through both deciders, as the gatekeeper runs
 * them: authz_caller_decide() (who is calling, command lists) then
 * authz_decide() (every rule, including those that read the query string:
 * build parameters and build args, pulls, pushes, tags, imports, plugins).
 * "<flags byte><method>\n<uri>\n<body>".  Flags bits 0-1: no caller (the
 * plugin), a host user, or a container that mounts the socket (its image
 * on the list, or not); bit 2: the body is an inspected build context
 * (POST /build in the gatekeeper); bit 3: the facts answer "engine
 * unreachable" instead of a container that exists.  The policy turns
 * every rule family on.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz_uri.h"
#include "authz/authz_caller.h"
#include "authz/authz_decide.h"
#include "authz/authz_settings.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const uris[] = {
	"/v1.41/containers/create", "/v1.23/containers/x/start",
	"/v1.41/containers/x/update", "/v1.41/containers/x/exec",
	"/v1.41/volumes/create", "/v1.41/services/create",
	"/v1.41/services/x/update", "/v1.41/swarm/join",
};

#define CTR_ID	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static bool	engine_down;

static int
ctr_inspect(void *ctx, const char *id, json_t **ret, struct dw_err *err)
{
	(void)ctx;
	if (engine_down) {
		dw_err_set(err, "engine unreachable");
		return -ECONNREFUSED;
	}
	/* Any name is a running container that mounts the socket. */
	*ret = json_pack("{s:s, s:s, s:s, s:{s:s}, s:{s:[s], s:b}, s:[{s:s, s:s, s:s}]}",
	    "Id", CTR_ID, "Name", "/c", "Image", "sha256:" "aa",
	    "Config", "Image", "docker:cli",
	    "HostConfig", "Binds", "/run/docker.sock:/var/run/docker.sock", "Privileged", 0,
	    "Mounts", "Type", "bind", "Source", "/run/docker.sock",
	    "Destination", "/var/run/docker.sock");
	return *ret != NULL ? 0 : -ENOMEM;
}

static int
no_such(void *ctx, const char *name, json_t **ret, struct dw_err *err)
{
	(void)ctx;
	(void)name;
	(void)ret;
	(void)err;
	return -ENOENT;
}

static int
verify_by_name(void *ctx, const struct authz_settings *s, const char *image,
    struct dw_err *err)
{
	(void)ctx;
	(void)s;
	if (strcmp(image, "docker:cli") == 0 || strcmp(image, "sha256:aa") == 0)
		return 0;
	dw_err_set(err, "not on the image list");
	return -EACCES;
}

/* Body mode: "<endpoint selector byte><body>" POSTed to one of uris. */
static void
decide_body(const uint8_t *data, size_t size)
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
		return;
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
}

/*
 * Request mode: one flags byte, then "<method>\n<uri>\n<body>", through
 * authz_caller_decide() and authz_decide() as the gatekeeper runs them.
 */
static void
decide_request(const uint8_t *data, size_t size)
{
	static struct authz_settings *s;
	static const char *const socks[] = { "/run/docker.sock", "/run/gk.sock", NULL };
	static const char *const own[] = { "/var/lib/dockward", "/etc/dockward", NULL };
	static const gid_t groups[] = { 999 };
	static const char policy[] = "{\"configurationFileVersion\":2,"
	    "\"enhancedContainerIsolation\":{\"value\":true,\"locked\":true,"
	    "\"dockerSocketMount\":{\"imageList\":{\"images\":[\"docker:cli\"]},"
	    "\"commandList\":{\"type\":\"deny\",\"commands\":[\"push\",\"image*\",\"system prune\"]}}},"
	    "\"blockDockerLoad\":{\"value\":true},"
	    "\"filesharingAllowedDirectories\":[{\"path\":\"$HOME\",\"sharedByDefault\":true},"
	    "{\"path\":\"/srv\",\"sharedByDefault\":false}],"
	    "\"portBindingBehavior\":{\"value\":\"local-only-port-binding\"},"
	    "\"containersProxy\":{\"mode\":\"manual\",\"transparentPorts\":\"*\"},"
	    "\"dockward\":{\"egress\":{\"dnsServers\":[\"10.0.0.53\",\"fd00::53\"]},"
	    "\"users\":{\"allowGroups\":[\"999\"],\"commandList\":"
	    "{\"type\":\"deny\",\"commands\":[\"volume*\"]}},"
	    "\"registryAccess\":{\"allowed\":[\"docker.io\",\"127.0.0.1:5000\",\"*.corp.example\"]},"
	    "\"imageAccess\":{\"officialImages\":true,\"communityImages\":false,"
	    "\"organizations\":[\"myorg\"],\"allowList\":[\"docker.io/someone/tool\"]}}}";
	struct authz_facts	facts = {
		.container_inspect = ctr_inspect,
		.network_inspect = no_such,
		.volume_inspect = no_such,
		.image_verify = verify_by_name,
		.engine_sockets = socks,
		.own_paths = own,
	};
	struct authz_caller	caller;
	struct authz_request	req;
	struct authz_decision	d;
	struct authz_uri		*uri = NULL;
	const char		*nl1, *nl2, *end = (const char *)data + size;
	char			*method = NULL, *raw = NULL;
	unsigned		 flags;

	if (s == NULL && (s = authz_settings_parse(policy, strlen(policy),
	    "<fuzz>", NULL)) == NULL)
		abort();
	if (size < 1)
		return;
	flags = data[0];
	nl1 = memchr(data + 1, '\n', size - 1);
	if (nl1 == NULL)
		return;
	nl2 = memchr(nl1 + 1, '\n', (size_t)(end - nl1 - 1));
	if (nl2 == NULL)
		nl2 = end;
	method = strndup((const char *)data + 1, (size_t)(nl1 - (const char *)data - 1));
	raw = strndup(nl1 + 1, (size_t)(nl2 - nl1 - 1));
	if (method == NULL || raw == NULL)
		goto out;
	engine_down = (flags & 8) != 0;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.raw_uri = raw;
	if (authz_uri_parse(method, raw, &uri, NULL) < 0)
		req.uri_error = "unroutable";
	req.uri = uri;
	if (nl2 < end) {
		req.body = (const unsigned char *)nl2 + 1;
		req.body_len = (size_t)(end - nl2 - 1);
	}
	req.content_length = (long long)req.body_len;
	if ((flags & 4) && req.body_len > 0) {
		req.build_inspected = true;
		req.build_context = req.body;
		req.build_context_len = req.body_len;
	}

	memset(&caller, 0, sizeof(caller));
	switch (flags & 3) {
	case 1:
		caller.kind = AUTHZ_CALLER_HOST;
		caller.uid = 1000;
		caller.gid = 1000;
		caller.groups = groups;
		caller.ngroups = 1;
		caller.home = "/home/dev";
		req.caller = &caller;
		break;
	case 2:
	case 3:
		caller.kind = AUTHZ_CALLER_CONTAINER;
		caller.container_id = CTR_ID;
		caller.container_name = "/c";
		caller.image = (flags & 3) == 2 ? "docker:cli" : "evil:1";
		caller.image_id = (flags & 3) == 2 ? "sha256:aa" : "sha256:bb";
		req.caller = &caller;
		break;
	default:
		break;
	}

	if (req.caller == NULL ||
	    authz_caller_decide(s, &facts, &caller, &req, &d) == AUTHZ_ALLOW)
		authz_decide(s, &facts, &req, &d);
	if (d.verdict == AUTHZ_DENY && (d.rule == NULL || d.msg[0] == '\0'))
		abort();	/* every deny names its rule and says why */
out:
	authz_uri_free(uri);
	free(method);
	free(raw);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		decide_request(data + 1, size - 1);
	else
		decide_body(data + 1, size - 1);
	return 0;
}
