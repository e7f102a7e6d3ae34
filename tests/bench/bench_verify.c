/*
 * bench_verify: decision time for a create that mounts the Docker socket,
 * with the registry cache cold and warm (make bench-full).
 *
 *     bench_verify ENGINE_SOCKET IMAGE [COLD_N [WARM_N]]
 *
 * IMAGE is on a real registry (a local docker-registry) and pulled into the
 * real engine at ENGINE_SOCKET; the policy lists IMAGE in its imageList.
 * The decision is the one dockward makes for the plugin and the gatekeeper
 * (authz_decide with api_verify, an api_engine client and a
 * registry_client, as api_serve wires them), in process, so the figure is
 * the verification and not the HTTP layer in front of it.
 *   cold: a new verifier and registry client per decision (nothing
 *         cached: the engine's image inspect plus the registry's manifest),
 *         COLD_N times (default 30);
 *   warm: one verifier, WARM_N decisions (default 2000) after 100
 *         unmeasured ones (the engine's image inspect, the registry answer
 *         from the cache).
 * Every decision must allow.  Prints a table and one BENCH line per case.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "api/api_engine.h"
#include "authz/authz_uri.h"
#include "api/api_verify.h"
#include "authz/authz_decide.h"
#include "authz/authz_settings.h"
#include "registry/registry_client.h"

struct bv {
	struct api_engine	*engine;
	struct registry_client	*reg;
	struct api_verify	*verify;
};

static int
bv_inspect(void *ctx, const char *ref, json_t **ret, struct dw_err *err)
{
	return api_engine_image_inspect(((struct bv *)ctx)->engine, ref, ret, err);
}

static int
bv_resolve(void *ctx, const struct digest_ref *ref, struct digest_facts *f,
    struct dw_err *err)
{
	return registry_client_resolve(((struct bv *)ctx)->reg, ref, f, err);
}

static int
bv_head(void *ctx, const struct digest_ref *ref, char digest[DIGEST_SHA256_STRLEN], struct dw_err *err)
{
	return registry_client_head_digest(((struct bv *)ctx)->reg, ref, digest, err);
}

static int
bv_image_verify(void *ctx, const struct authz_settings *s, const char *image,
    struct dw_err *err)
{
	return api_verify_image(((struct bv *)ctx)->verify, s, image, err);
}

static int
bv_container_inspect(void *ctx, const char *id, json_t **ret, struct dw_err *err)
{
	return api_engine_container_inspect(((struct bv *)ctx)->engine, id, ret, err);
}

static long long
bv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
bv_cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* A fresh verifier and registry client (the cold state). */
static int
bv_open(struct bv *b, struct dw_err *err)
{
	struct registry_opts	 ro;
	struct api_verify_ops	 ops = { .ctx = b, .image_inspect = bv_inspect, .resolve = bv_resolve,
	    .head = bv_head };

	memset(&ro, 0, sizeof(ro));
	if ((b->reg = registry_client_new(&ro, err)) == NULL)
		return -EINVAL;
	if ((b->verify = api_verify_new(&ops, NULL, err)) == NULL)
		return -ENOMEM;
	return 0;
}

static void
bv_close(struct bv *b)
{
	api_verify_free(b->verify);
	registry_client_free(b->reg);
	b->verify = NULL;
	b->reg = NULL;
}

/* One decision; its time in ns, or -1 when it did not allow. */
static long long
bv_decide(const struct authz_settings *s, const struct authz_facts *facts,
    const char *body)
{
	struct authz_request	 req;
	struct authz_decision	 d;
	struct authz_uri		*uri;
	struct dw_err		 err;
	long long		 t0, t;

	t0 = bv_now_ns();
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.raw_uri = "/v1.41/containers/create";
	if (authz_uri_parse(req.method, req.raw_uri, &uri, &err) < 0)
		return -1;
	req.uri = uri;
	req.body = (const unsigned char *)body;
	req.body_len = strlen(body);
	req.content_type = "application/json";
	req.content_length = (long long)req.body_len;
	authz_decide(s, facts, &req, &d);
	t = bv_now_ns() - t0;
	authz_uri_free(uri);
	if (d.verdict != AUTHZ_ALLOW) {
		fprintf(stderr, "bench_verify: denied: %s\n", d.msg);
		return -1;
	}
	return t;
}

static void
bv_report(const char *name, long long *lat, int n)
{
	qsort(lat, (size_t)n, sizeof(*lat), bv_cmp_ll);
	printf("%-44s %6d %10.1f %10.1f\n", name, n, lat[n / 2] / 1000.0,
	    lat[(n * 99 + 99) / 100 - 1] / 1000.0);
}

int
main(int argc, char **argv)
{
	struct authz_settings	*s = NULL;
	struct authz_facts	 facts;
	struct dw_err		 err;
	struct bv		 b;
	const char		*socks[2];
	char			 policy[1024], body[1024];
	long long		*cold = NULL, *warm = NULL, t;
	int			 ncold = 30, nwarm = 2000, i, r = 1;

	if (argc < 3 || argc > 5 || (argc > 3 && (ncold = atoi(argv[3])) < 1) ||
	    (argc > 4 && (nwarm = atoi(argv[4])) < 1)) {
		fprintf(stderr, "usage: bench_verify ENGINE_SOCKET IMAGE [COLD_N [WARM_N]]\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	memset(&b, 0, sizeof(b));
	snprintf(policy, sizeof(policy), "{\"configurationFileVersion\":2,"
	    "\"enhancedContainerIsolation\":{\"value\":true,\"locked\":true,"
	    "\"dockerSocketMount\":{\"imageList\":{\"images\":[\"%s\"]}}}}", argv[2]);
	snprintf(body, sizeof(body), "{\"Image\":\"%s\",\"Cmd\":[\"docker\",\"ps\"],"
	    "\"HostConfig\":{\"Binds\":[\"%s:/var/run/docker.sock\"]}}", argv[2], argv[1]);
	socks[0] = argv[1];
	socks[1] = NULL;
	if ((s = authz_settings_parse(policy, strlen(policy), "<bench>", &err)) == NULL ||
	    (b.engine = api_engine_new(argv[1])) == NULL) {
		fprintf(stderr, "bench_verify: setup: %s\n", s ? "out of memory" : err.msg);
		goto out;
	}
	memset(&facts, 0, sizeof(facts));
	facts.ctx = &b;
	facts.container_inspect = bv_container_inspect;
	facts.image_verify = bv_image_verify;
	facts.engine_sockets = socks;
	if ((cold = calloc((size_t)ncold, sizeof(*cold))) == NULL ||
	    (warm = calloc((size_t)nwarm, sizeof(*warm))) == NULL)
		goto out;
	for (i = 0; i < ncold; i++) {
		if (bv_open(&b, &err) < 0) {
			fprintf(stderr, "bench_verify: %s\n", err.msg);
			goto out;
		}
		t = bv_decide(s, &facts, body);
		bv_close(&b);
		if (t < 0)
			goto out;
		cold[i] = t;
	}
	if (bv_open(&b, &err) < 0) {
		fprintf(stderr, "bench_verify: %s\n", err.msg);
		goto out;
	}
	for (i = -100; i < nwarm; i++) {
		if ((t = bv_decide(s, &facts, body)) < 0)
			goto out;
		if (i >= 0)
			warm[i] = t;
	}
	printf("%-44s %6s %10s %10s\n", "socket-mount create, verification", "n",
	    "p50 us", "p99 us");
	bv_report("cold (empty cache, new registry client)", cold, ncold);
	bv_report("warm (cached registry answer)", warm, nwarm);
	printf("BENCH target=verify case=cold n=%d p50_us=%.1f p99_us=%.1f\n", ncold,
	    cold[ncold / 2] / 1000.0, cold[(ncold * 99 + 99) / 100 - 1] / 1000.0);
	printf("BENCH target=verify case=warm n=%d p50_us=%.1f p99_us=%.1f\n", nwarm,
	    warm[nwarm / 2] / 1000.0, warm[(nwarm * 99 + 99) / 100 - 1] / 1000.0);
	r = 0;
out:
	bv_close(&b);
	api_engine_free(b.engine);
	authz_settings_free(s);
	free(cold);
	free(warm);
	curl_global_cleanup();
	return r;
}
