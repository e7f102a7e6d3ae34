/*
 * bench_decide: policy decision latency, in process (make bench).
 *
 * Each scenario runs the full per-request path dockward takes for an
 * AuthZReq after the HTTP layer: URI routing, body decoding and
 * authz_decide (with digest verification warm in the verifier's cache,
 * engine lookups answered in memory).  Reports median and p99 per
 * scenario and each scenario's median as a ratio of the cheapest, all
 * from one run.  The derived-image scenario has 200 local images.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authz/authz_uri.h"
#include "api/api_verify.h"
#include "authz/authz_decide.h"
#include "authz/authz_settings.h"

#define NIMAGES	200
#define ROUNDS	20000

static char	image_ids[NIMAGES][DIGEST_SHA256_STRLEN];
static char	bench_dir[64];
static char	sock_path[96];

static void
hexid(char *out, unsigned n, char c)
{
	snprintf(out, DIGEST_SHA256_STRLEN, "sha256:%c%063u", c, n);
}

/* 200 local images: "img<i>:1"; img0 is the allowed base, img1 derives from it. */
static int
bench_inspect(void *ctx, const char *ref, json_t **ret, struct dw_err *err)
{
	char	name[32];
	int	i;

	for (i = 0; i < NIMAGES; i++) {
		snprintf(name, sizeof(name), "img%d:1", i);
		if (strcmp(ref, name) != 0 && strcmp(ref, image_ids[i]) != 0)
			continue;
		if (i == 0)
			*ret = json_pack("{s:s, s:[s], s:{s:[s,s]}}", "Id", image_ids[0],
			    "RepoDigests", "base@sha256:4444444444444444444444444444444444444444444444444444444444444444",
			    "RootFS", "Layers", "sha256:aa", "sha256:bb");
		else if (i == 1)
			*ret = json_pack("{s:s, s:[], s:{s:[s,s,s]}}", "Id", image_ids[1],
			    "RepoDigests", "RootFS", "Layers", "sha256:aa", "sha256:bb", "sha256:cc");
		else
			*ret = json_pack("{s:s, s:[], s:{s:[s]}}", "Id", image_ids[i],
			    "RepoDigests", "RootFS", "Layers", "sha256:zz");
		return *ret ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

static int
bench_resolve(void *ctx, const struct digest_ref *ref, struct digest_facts *f,
    struct dw_err *err)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->digest, sizeof(f->digest), "%s",
	    "sha256:4444444444444444444444444444444444444444444444444444444444444444");
	dw_strv_push(&f->manifests, f->digest);
	dw_strv_push(&f->configs, image_ids[0]);
	return 0;
}

static struct api_verify *verifier;

static int
bench_verify(void *ctx, const struct authz_settings *s, const char *image,
    struct dw_err *err)
{
	return api_verify_image(verifier, s, image, err);
}

struct scenario {
	const char	*name;
	const char	*method;
	const char	*uri;
	const char	*body;
	enum authz_verdict want;
};

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
main(void)
{
	static const char policy[] = "{\"configurationFileVersion\":2,"
	    "\"enhancedContainerIsolation\":{\"value\":true,\"locked\":true,"
	    "\"dockerSocketMount\":{\"imageList\":{\"images\":[\"base:1\"],"
	    "\"allowDerivedImages\":true}}}}";
	/* What docker run (CLI 20.10) sends: every field, mostly zero values. */
	static const char runfmt[] =
	    "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
	    "\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":false,"
	    "\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"BENCH=1\"],"
	    "\"Cmd\":[\"true\"],\"Image\":\"img5:1\",\"Volumes\":{},\"WorkingDir\":\"\","
	    "\"Entrypoint\":null,\"OnBuild\":null,"
	    "\"Labels\":{\"dockward.bench\":\"1\"},"
	    "\"HostConfig\":{\"Binds\":[\"%s:/src\"],\"ContainerIDFile\":\"\","
	    "\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"default\","
	    "\"PortBindings\":{},\"RestartPolicy\":{\"Name\":\"no\","
	    "\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\","
	    "\"VolumesFrom\":null,\"CapAdd\":null,\"CapDrop\":null,"
	    "\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],"
	    "\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\","
	    "\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,"
	    "\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,"
	    "\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,"
	    "\"ConsoleSize\":[0,0],\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,"
	    "\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,"
	    "\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":null,"
	    "\"BlkioDeviceWriteBps\":null,\"BlkioDeviceReadIOps\":null,"
	    "\"BlkioDeviceWriteIOps\":null,\"CpuPeriod\":0,\"CpuQuota\":0,"
	    "\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\","
	    "\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null,"
	    "\"DeviceRequests\":null,\"KernelMemory\":0,\"KernelMemoryTCP\":0,"
	    "\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":-1,"
	    "\"OomKillDisable\":false,\"PidsLimit\":null,\"Ulimits\":null,"
	    "\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,"
	    "\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null},"
	    "\"NetworkingConfig\":{\"EndpointsConfig\":{}}}";
	char	sockbody[256], derivedbody[256], plainbody[256], runbody[2048], proj[96];
	struct scenario sc[] = {
		{ "GET /containers/json", "GET", "/v1.41/containers/json?all=1", NULL, AUTHZ_ALLOW },
		{ "create, plain", "POST", "/v1.41/containers/create", NULL, AUTHZ_ALLOW },
		{ "create, project bind mount", "POST", "/v1.41/containers/create", plainbody, AUTHZ_ALLOW },
		{ "create, docker run body, bind mount", "POST", "/v1.41/containers/create", runbody, AUTHZ_ALLOW },
		{ "create, privileged (deny)", "POST", "/v1.41/containers/create",
		  "{\"Image\":\"img5:1\",\"HostConfig\":{\"Privileged\":true}}", AUTHZ_DENY },
		{ "create, socket, listed image (warm)", "POST", "/v1.41/containers/create", sockbody, AUTHZ_ALLOW },
		{ "create, socket, derived of 200 images", "POST", "/v1.41/containers/create", derivedbody, AUTHZ_ALLOW },
	};
	const char *socks[] = { sock_path, NULL };
	struct api_verify_ops	 ops = { NULL, bench_inspect, bench_resolve, NULL, NULL };
	struct authz_facts	 facts;
	struct authz_settings	*s;
	struct authz_decision	 d;
	struct authz_request	 req;
	struct authz_uri		*uri;
	struct dw_err		 err;
	long long		*lat, t0, base = 0;
	size_t			 i, k, n = sizeof(sc) / sizeof(sc[0]);
	FILE			*f;

	for (i = 0; i < NIMAGES; i++)
		hexid(image_ids[i], (unsigned)i, 'c');
	/* A stand-in engine socket (a plain file is enough for dev/ino) and a project dir. */
	snprintf(bench_dir, sizeof(bench_dir), "/tmp/dw-bench.XXXXXX");
	if (mkdtemp(bench_dir) == NULL)
		return 1;
	snprintf(sock_path, sizeof(sock_path), "%s/docker.sock", bench_dir);
	snprintf(proj, sizeof(proj), "%s/proj", bench_dir);
	if ((f = fopen(sock_path, "w")) == NULL || mkdir(proj, 0755) < 0)
		return 1;
	fclose(f);
	sc[1].body = "{\"Image\":\"img5:1\",\"Cmd\":[\"echo\",\"hi\"],\"Env\":[\"A=1\"]}";
	snprintf(plainbody, sizeof(plainbody), "{\"Image\":\"img5:1\",\"HostConfig\":"
	    "{\"Binds\":[\"%s:/src\"]}}", proj);
	snprintf(runbody, sizeof(runbody), runfmt, proj);
	snprintf(sockbody, sizeof(sockbody), "{\"Image\":\"img0:1\",\"HostConfig\":"
	    "{\"Binds\":[\"%s:/var/run/docker.sock\"]}}", sock_path);
	snprintf(derivedbody, sizeof(derivedbody), "{\"Image\":\"img1:1\",\"HostConfig\":"
	    "{\"Binds\":[\"%s:/var/run/docker.sock\"]}}", sock_path);
	if ((s = authz_settings_parse(policy, strlen(policy), "<bench>", &err)) == NULL ||
	    (verifier = api_verify_new(&ops, NULL, &err)) == NULL) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return 1;
	}
	memset(&facts, 0, sizeof(facts));
	facts.image_verify = bench_verify;
	facts.engine_sockets = socks;
	if ((lat = calloc(ROUNDS, sizeof(*lat))) == NULL)
		return 1;
	printf("%-40s %10s %10s %8s\n", "scenario (in process, warm)", "p50 us", "p99 us", "x p50");
	for (k = 0; k < n; k++) {
		for (i = 0; i < ROUNDS + 1000; i++) {
			t0 = now_ns();
			memset(&req, 0, sizeof(req));
			req.method = sc[k].method;
			req.raw_uri = sc[k].uri;
			if (authz_uri_parse(sc[k].method, sc[k].uri, &uri, &err) < 0)
				return 1;
			req.uri = uri;
			if (sc[k].body != NULL) {
				req.body = (const unsigned char *)sc[k].body;
				req.body_len = strlen(sc[k].body);
				req.content_length = (long long)req.body_len;
			}
			authz_decide(s, &facts, &req, &d);
			authz_uri_free(uri);
			if (i >= 1000)	/* the first 1000 warm caches up */
				lat[i - 1000] = now_ns() - t0;
			if (d.verdict != sc[k].want) {
				fprintf(stderr, "%s: unexpected verdict: %s\n", sc[k].name, d.msg);
				return 1;
			}
		}
		qsort(lat, ROUNDS, sizeof(*lat), cmp_ll);
		if (k == 0)
			base = lat[ROUNDS / 2];
		printf("%-40s %10.2f %10.2f %8.1f\n", sc[k].name, lat[ROUNDS / 2] / 1000.0,
		    lat[ROUNDS * 99 / 100] / 1000.0, (double)lat[ROUNDS / 2] / (double)base);
	}
	unlink(sock_path);
	rmdir(proj);
	rmdir(bench_dir);
	free(lat);
	api_verify_free(verifier);
	authz_settings_free(s);
	return 0;
}
