/*
 * Unit tests for api_verify: digest proofs against a fake engine and a
 * fake registry (the real ones are exercised by the e2e suite).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/api_verify.h"

#define H(c) "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
		c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define C_GOOD	H("1")
#define C_EVIL	H("2")
#define C_DER	H("3")
#define M_GOOD	H("4")
#define C_NEW	H("5")
#define M_NEW	H("6")

static int	resolves;		/* calls that reached the "registry" */
static int	heads;			/* HEADs of a manifest that reached it */
static int	registry_down;
static int	tag_moved;		/* the registry now serves C_NEW for docker:cli */
static int	forged_local;		/* local docker:cli is other content */
static int	local_new;		/* local docker:cli is C_NEW, as pulled after the move */
static int	local_cd;		/* the engine uses the containerd image store */

/* A registry that hangs: resolve waits until released, then times out. */
static pthread_mutex_t	hang_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	hang_cond = PTHREAD_COND_INITIALIZER;
static int		registry_hangs, hanging, hang_released;

/* What api_verify told the operator about its cache file. */
static char		warned[4][600];
static int		nwarned;

static void
fake_warn(void *ctx, const char *msg)
{
	if (nwarned < 4)
		snprintf(warned[nwarned], sizeof(warned[0]), "%s", msg);
	nwarned++;
}

static int
fake_inspect(void *ctx, const char *ref, json_t **ret, struct dw_err *err)
{
	const char *doc = NULL;

	if (strcmp(ref, "docker.io/library/docker:cli") == 0)
		ref = "docker:cli";	/* the engine normalizes names as the CLI does */
	if (strcmp(ref, "broken:1") == 0) {
		dw_err_set(err, "engine at /run/e.sock unreachable: Couldn't connect");
		return -EIO;
	}
	if (local_cd && (strcmp(ref, "docker:cli") == 0 ||
	    strcmp(ref, local_new ? M_NEW : M_GOOD) == 0))
		/* containerd store: the Id is the manifest digest */
		doc = local_new ?
		    "{\"Id\":\"" M_NEW "\",\"Descriptor\":{},\"RepoDigests\":[\"docker@"
		    M_NEW "\"],\"RootFS\":{\"Layers\":[\"" H("a") "\"]}}" :
		    "{\"Id\":\"" M_GOOD "\",\"Descriptor\":{},\"RepoDigests\":[\"docker@"
		    M_GOOD "\"],\"RootFS\":{\"Layers\":[\"" H("a") "\"]}}";
	else if (local_new && (strcmp(ref, "docker:cli") == 0 || strcmp(ref, C_NEW) == 0))
		doc = "{\"Id\":\"" C_NEW "\",\"RepoDigests\":[\"docker@" M_NEW "\"],"
		    "\"RootFS\":{\"Layers\":[\"" H("a") "\",\"" H("e") "\"]}}";
	else if (strcmp(ref, "docker:cli") == 0 || strcmp(ref, C_GOOD) == 0)
		doc = forged_local && strcmp(ref, "docker:cli") == 0 ?
		    "{\"Id\":\"" C_EVIL "\",\"RepoDigests\":[\"docker@" M_GOOD "\"],"
		    "\"RootFS\":{\"Layers\":[\"" H("a") "\"]}}" :
		    "{\"Id\":\"" C_GOOD "\",\"RepoDigests\":[\"docker@" M_GOOD "\"],"
		    "\"RootFS\":{\"Layers\":[\"" H("a") "\",\"" H("b") "\"]}}";
	else if (strcmp(ref, "derived:1") == 0)
		doc = "{\"Id\":\"" C_DER "\",\"RepoDigests\":[],"
		    "\"RootFS\":{\"Layers\":[\"" H("a") "\",\"" H("b") "\",\"" H("c") "\"]}}";
	else if (strcmp(ref, "sidecar:1") == 0)
		doc = "{\"Id\":\"" C_DER "\",\"RepoDigests\":[],"
		    "\"RootFS\":{\"Layers\":[\"" H("a") "\",\"" H("d") "\"]}}";
	if (doc == NULL)
		return -ENOENT;
	*ret = json_loads(doc, 0, NULL);
	return *ret ? 0 : -EPROTO;
}

static int
fake_resolve(void *ctx, const struct digest_ref *ref, struct digest_facts *f,
    struct dw_err *err)
{
	resolves++;
	memset(f, 0, sizeof(*f));
	if (registry_hangs) {
		pthread_mutex_lock(&hang_lock);
		hanging++;
		pthread_cond_broadcast(&hang_cond);
		while (!hang_released)
			pthread_cond_wait(&hang_cond, &hang_lock);
		pthread_mutex_unlock(&hang_lock);
		dw_err_set(err, "registry-1.docker.io: timed out");
		return -ETIMEDOUT;
	}
	if (registry_down) {
		dw_err_set(err, "registry-1.docker.io: connection refused");
		return -ECONNREFUSED;
	}
	if (strcmp(ref->path, "library/docker") != 0)
		return -ENOENT;
	if ((ref->digest != NULL && strcmp(ref->digest, M_GOOD) == 0) ||
	    (ref->tag != NULL && strcmp(ref->tag, "cli") == 0 && !tag_moved)) {
		snprintf(f->digest, sizeof(f->digest), "%s", M_GOOD);
		dw_strv_push(&f->manifests, M_GOOD);
		dw_strv_push(&f->configs, C_GOOD);
		return 0;
	}
	if ((ref->tag != NULL && strcmp(ref->tag, "cli") == 0) ||
	    (ref->digest != NULL && strcmp(ref->digest, M_NEW) == 0)) {
		snprintf(f->digest, sizeof(f->digest), "%s", M_NEW);
		dw_strv_push(&f->manifests, M_NEW);
		dw_strv_push(&f->configs, C_NEW);
		return 0;
	}
	return -ENOENT;
}

/* HEAD of a manifest: the digest the tag names now. */
static int
fake_head(void *ctx, const struct digest_ref *ref, char digest[DIGEST_SHA256_STRLEN], struct dw_err *err)
{
	heads++;
	if (registry_hangs) {
		pthread_mutex_lock(&hang_lock);
		hanging++;
		pthread_cond_broadcast(&hang_cond);
		while (!hang_released)
			pthread_cond_wait(&hang_cond, &hang_lock);
		pthread_mutex_unlock(&hang_lock);
		dw_err_set(err, "registry-1.docker.io: timed out");
		return -ETIMEDOUT;
	}
	if (registry_down) {
		dw_err_set(err, "registry-1.docker.io: connection refused");
		return -ECONNREFUSED;
	}
	if (strcmp(ref->path, "library/docker") != 0 || ref->tag == NULL ||
	    strcmp(ref->tag, "cli") != 0)
		return -ENOENT;
	snprintf(digest, DIGEST_SHA256_STRLEN, "%s", tag_moved ? M_NEW : M_GOOD);
	return 0;
}

static char	cache_dir[64];
static char	cache_path[128];

static struct authz_settings *
policy(const char *images, int derived, long refresh, long grace)
{
	char			doc[1024];
	struct dw_err		err;
	struct authz_settings	*s;

	snprintf(doc, sizeof(doc), "{\"configurationFileVersion\":2,"
	    "\"enhancedContainerIsolation\":{\"value\":true,\"dockerSocketMount\":"
	    "{\"imageList\":{\"images\":[%s],\"allowDerivedImages\":%s}}},"
	    "\"dockward\":{\"imageVerification\":{\"refreshSeconds\":%ld,"
	    "\"graceSeconds\":%ld}}}", images, derived ? "true" : "false", refresh, grace);
	s = authz_settings_parse(doc, strlen(doc), "<test>", &err);
	if (s == NULL)
		fail_msg("policy: %s", err.msg);
	return s;
}

static struct api_verify *
verifier(void)
{
	struct api_verify_ops	ops = { NULL, fake_inspect, fake_resolve, NULL, fake_head };
	struct dw_err		warn;
	struct api_verify	*v;

	v = api_verify_new(&ops, cache_path, &warn);
	assert_non_null(v);
	return v;
}

static int
setup(void **state)
{
	snprintf(cache_dir, sizeof(cache_dir), "/tmp/dw-verify.XXXXXX");
	if (mkdtemp(cache_dir) == NULL)
		return -1;
	snprintf(cache_path, sizeof(cache_path), "%s/registry-cache.json", cache_dir);
	resolves = heads = registry_down = tag_moved = forged_local = 0;
	local_new = local_cd = 0;
	registry_hangs = hanging = hang_released = nwarned = 0;
	return 0;
}

static int
teardown(void **state)
{
	unlink(cache_path);
	rmdir(cache_dir);
	return 0;
}

static void
test_tag_entry(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 0, 300, 86400);
	struct api_verify	*v = verifier();
	struct dw_err		 err;

	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(resolves, 1);
	/* warm: no registry call */
	assert_int_equal(api_verify_image(v, s, "docker.io/library/docker:cli", &err), 0);
	assert_int_equal(api_verify_image(v, s, C_GOOD, &err), 0);
	assert_int_equal(resolves, 1);
	/* an image not on the list, and one not present */
	assert_int_equal(api_verify_image(v, s, "derived:1", &err), -EACCES);
	assert_non_null(strstr(err.msg, "not in the allowed list"));
	assert_int_equal(api_verify_image(v, s, "nosuch:1", &err), -EACCES);
	assert_non_null(strstr(err.msg, "not present"));
	api_verify_free(v);
	authz_settings_free(s);
}

static void
test_forged_and_moved(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 0, 300, 86400);
	struct api_verify	*v = verifier();
	struct dw_err		 err;

	forged_local = 1;	/* docker tag evil docker:cli */
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), -EACCES);
	assert_non_null(strstr(err.msg, C_EVIL));
	assert_non_null(strstr(err.msg, "docker pull"));
	forged_local = 0;
	api_verify_free(v);
	authz_settings_free(s);

	/* the tag moved upstream: the message names both digests */
	unlink(cache_path);
	s = policy("\"docker:cli\"", 0, 300, 86400);
	v = verifier();
	tag_moved = 1;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), -EACCES);
	assert_non_null(strstr(err.msg, C_GOOD));
	assert_non_null(strstr(err.msg, C_NEW));
	api_verify_free(v);
	authz_settings_free(s);
}

static void
test_any_tag_and_digest(void **state)
{
	struct authz_settings	*s = policy("\"docker:*\"", 0, 300, 86400);
	struct api_verify	*v = verifier();
	struct dw_err		 err;

	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	forged_local = 1;	/* RepoDigests forged, content differs */
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), -EACCES);
	forged_local = 0;
	api_verify_free(v);
	authz_settings_free(s);

	s = policy("\"docker@" M_GOOD "\"", 0, 300, 86400);
	v = verifier();
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	api_verify_free(v);
	authz_settings_free(s);

	s = policy("\"*\"", 0, 300, 86400);
	v = verifier();
	assert_int_equal(api_verify_image(v, s, "anything:at-all", &err), 0);
	/* one registry answer (docker@M_GOOD) served all three policies */
	assert_int_equal(resolves, 1);
	api_verify_free(v);
	authz_settings_free(s);
}

static void
test_derived(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 1, 300, 86400);
	struct api_verify	*v = verifier();
	struct dw_err		 err;

	assert_int_equal(api_verify_image(v, s, "derived:1", &err), 0);
	/* same first layer only: not built FROM the base */
	assert_int_equal(api_verify_image(v, s, "sidecar:1", &err), -EACCES);
	api_verify_free(v);
	authz_settings_free(s);

	s = policy("\"docker:cli\"", 0, 300, 86400);
	v = verifier();
	assert_int_equal(api_verify_image(v, s, "derived:1", &err), -EACCES);
	api_verify_free(v);
	authz_settings_free(s);
}

static void
test_registry_down_and_grace(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 0, 1, 86400);
	struct authz_settings	*nograce = policy("\"docker:cli\"", 0, 1, 0);
	struct api_verify	*v = verifier();
	struct dw_err		 err;

	registry_down = 1;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), -EIO);
	assert_non_null(strstr(err.msg, "connection refused"));
	registry_down = 0;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	sleep(2);	/* past refreshSeconds */
	registry_down = 1;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);	/* within grace */
	assert_int_equal(api_verify_image(v, nograce, "docker:cli", &err), -EIO);
	registry_down = 0;
	api_verify_free(v);
	authz_settings_free(s);
	authz_settings_free(nograce);
}

static void
test_cache_persistence(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 0, 300, 86400);
	struct api_verify	*v = verifier();
	struct api_verify_ops	 ops = { NULL, fake_inspect, fake_resolve, NULL, fake_head };
	struct dw_err		 err, warn;
	FILE			*f;

	api_verify_refresh(v, s);	/* background warm-up */
	assert_int_equal(resolves, 1);
	api_verify_free(v);
	/* a new process starts warm from the state dir */
	v = verifier();
	assert_int_equal(api_verify_cache_size(v), 1);
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(resolves, 1);
	api_verify_free(v);
	/* a corrupt file is ignored with a warning */
	f = fopen(cache_path, "w");
	assert_non_null(f);
	fputs("{\"version\":1,\"entries\":{\"docker.io/library/docker@" M_NEW
	    "\":{\"digest\":\"" M_GOOD "\",\"manifests\":[],\"configs\":[],\"fetched\":1}}}", f);
	fclose(f);
	v = api_verify_new(&ops, cache_path, &warn);
	assert_non_null(v);
	assert_non_null(strstr(warn.msg, "malformed"));
	assert_int_equal(api_verify_cache_size(v), 0);
	api_verify_free(v);
	f = fopen(cache_path, "w");
	fputs("not json", f);
	fclose(f);
	v = api_verify_new(&ops, cache_path, &warn);
	assert_non_null(strstr(warn.msg, "unreadable"));
	api_verify_free(v);
	authz_settings_free(s);
}

struct waiter {
	struct api_verify	*v;
	struct authz_settings	*s;
	struct dw_err		 err;
	int			 r;
};

static void *
waiter_main(void *arg)
{
	struct waiter	*w = arg;

	w->r = api_verify_image(w->v, w->s, "docker:cli", &w->err);
	return NULL;
}

/*
 * A registry that hangs costs the decisions waiting for the same answer
 * one timeout, not one each: they take the failure of the fetch they
 * waited for.  The next decision after it asks the registry again.
 */
static void
test_hang_coalesced(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 0, 300, 86400);
	struct api_verify	*v = verifier();
	struct waiter		 w[3];
	pthread_t		 t[3];
	struct dw_err		 err;
	int			 i;

	registry_hangs = 1;
	for (i = 0; i < 3; i++) {
		w[i].v = v;
		w[i].s = s;
		assert_int_equal(pthread_create(&t[i], NULL, waiter_main, &w[i]), 0);
		if (i == 0) {
			/* The first one is in the registry; the others queue behind it. */
			pthread_mutex_lock(&hang_lock);
			while (hanging == 0)
				pthread_cond_wait(&hang_cond, &hang_lock);
			pthread_mutex_unlock(&hang_lock);
		}
	}
	usleep(300000);
	pthread_mutex_lock(&hang_lock);
	hang_released = 1;
	pthread_cond_broadcast(&hang_cond);
	pthread_mutex_unlock(&hang_lock);
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].r, -EIO);
		assert_non_null(strstr(w[i].err.msg, "timed out"));
		assert_non_null(strstr(w[i].err.msg, "Retry when the registry is reachable"));
	}
	assert_int_equal(resolves, 1);
	/* Later decisions ask again: a failure is not cached. */
	registry_hangs = 0;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(resolves, 2);
	api_verify_free(v);
	authz_settings_free(s);
}

/*
 * Issue 12: the tag moved upstream and the user pulled the new image as
 * our message says.  The cached tag answer (younger than refreshSeconds)
 * disagrees with the pulled image: one re-check with the registry, then
 * the pulled image is allowed at once.  Agreeing cache hits ask nothing.
 */
static void
test_recheck_pulled(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 0, 300, 86400);
	struct api_verify	*v = verifier();
	struct dw_err		 err;

	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(resolves, 1);
	tag_moved = 1;		/* a new image is pushed under the same tag */
	/* the cached answer agrees with the local image: no registry call */
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(api_verify_image(v, s, C_GOOD, &err), 0);
	assert_int_equal(heads, 0);
	assert_int_equal(resolves, 1);
	local_new = 1;		/* docker pull docker:cli */
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(heads, 1);
	assert_int_equal(resolves, 2);	/* the new manifest, by its digest */
	/* the start check by Id, and later runs: the answer agrees now */
	assert_int_equal(api_verify_image(v, s, C_NEW, &err), 0);
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(heads, 1);
	assert_int_equal(resolves, 2);
	/* the old image again: refused, naming what the registry serves now */
	local_new = 0;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), -EACCES);
	assert_non_null(strstr(err.msg, "local docker.io/library/docker:cli is " C_GOOD));
	assert_non_null(strstr(err.msg, C_NEW));
	assert_non_null(strstr(err.msg, M_NEW));
	assert_null(strstr(err.msg, M_GOOD));
	assert_non_null(strstr(err.msg, "docker pull"));
	assert_int_equal(heads, 1);	/* asked within DW_VERIFY_RECHECK_S: not again */
	api_verify_free(v);
	/* the re-checked answer was saved: a restart starts from it */
	v = verifier();
	local_new = 1;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(heads, 1);
	assert_int_equal(resolves, 2);
	api_verify_free(v);
	authz_settings_free(s);
}

/*
 * A caller who runs a stale or forged image in a loop: one re-check per
 * tag per DW_VERIFY_RECHECK_S, a HEAD only (no manifest download) when the
 * tag did not move, and every denial names what the registry serves now.
 */
static void
test_recheck_rate_limited(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 0, 300, 86400);
	struct api_verify	*v = verifier();
	struct dw_err		 err;
	int			 i;

	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	forged_local = 1;	/* docker tag evil docker:cli */
	for (i = 0; i < 5; i++) {
		assert_int_equal(api_verify_image(v, s, "docker:cli", &err), -EACCES);
		assert_non_null(strstr(err.msg, C_EVIL));
		assert_non_null(strstr(err.msg, C_GOOD));
		assert_non_null(strstr(err.msg, "docker pull"));
	}
	assert_int_equal(heads, 1);
	assert_int_equal(resolves, 1);	/* the tag did not move: HEAD only */
	api_verify_free(v);

	/* the tag moved: the denial names the fresh digest, not the cached one */
	unlink(cache_path);
	v = verifier();
	resolves = heads = 0;
	forged_local = 0;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	tag_moved = 1;
	forged_local = 1;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), -EACCES);
	assert_non_null(strstr(err.msg, C_NEW));
	assert_non_null(strstr(err.msg, M_NEW));
	assert_non_null(strstr(err.msg, C_EVIL));
	assert_int_equal(heads, 1);
	assert_int_equal(resolves, 2);
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), -EACCES);
	assert_non_null(strstr(err.msg, C_NEW));
	assert_int_equal(heads, 1);
	assert_int_equal(resolves, 2);
	/* an image of another repository is no reason to ask */
	assert_int_equal(api_verify_image(v, s, "derived:1", &err), -EACCES);
	assert_int_equal(heads, 1);
	/* and the pulled image is allowed from the re-checked answer */
	forged_local = 0;
	local_new = 1;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(heads, 1);
	assert_int_equal(resolves, 2);
	api_verify_free(v);
	authz_settings_free(s);
}

/*
 * The registry cannot be reached for the re-check: denied, saying so, never
 * allowed on the disagreeing answer; the failure counts for the rate limit
 * too.  Grace is unchanged: an agreeing proof still stands while it is down.
 */
static void
test_recheck_registry_down(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 0, 300, 86400);
	struct authz_settings	*s1 = policy("\"docker:cli\"", 0, 1, 86400);
	struct api_verify	*v = verifier();
	struct dw_err		 err;

	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	tag_moved = 1;
	local_new = 1;
	registry_down = 1;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), -EIO);
	assert_non_null(strstr(err.msg, "connection refused"));
	assert_non_null(strstr(err.msg, "Retry when the registry is reachable"));
	assert_non_null(strstr(err.msg, C_NEW));	/* the local image */
	assert_non_null(strstr(err.msg, M_GOOD));	/* what the registry served */
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), -EIO);
	assert_non_null(strstr(err.msg, "connection refused"));
	assert_int_equal(heads, 1);
	assert_int_equal(resolves, 1);
	local_new = 0;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);	/* agrees */
	/* past refreshSeconds, registry down: grace for the agreeing image only */
	sleep(2);
	assert_int_equal(api_verify_image(v, s1, "docker:cli", &err), 0);
	local_new = 1;
	assert_int_equal(api_verify_image(v, s1, "docker:cli", &err), -EIO);
	assert_non_null(strstr(err.msg, "connection refused"));
	assert_non_null(strstr(err.msg, "Retry when the registry is reachable"));
	assert_int_equal(heads, 1);	/* the fetch just failed: no re-check */
	registry_down = 0;
	api_verify_free(v);
	authz_settings_free(s);
	authz_settings_free(s1);
}

/* The containerd image store: Ids are manifest digests; same re-check. */
static void
test_recheck_containerd(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 0, 300, 86400);
	struct api_verify	*v = verifier();
	struct dw_err		 err;

	local_cd = 1;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	tag_moved = 1;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(heads, 0);
	local_new = 1;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(api_verify_image(v, s, M_NEW, &err), 0);
	assert_int_equal(heads, 1);
	local_new = 0;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), -EACCES);
	assert_non_null(strstr(err.msg, "is " M_GOOD ", but the registry serves " M_NEW));
	assert_int_equal(heads, 1);
	api_verify_free(v);
	authz_settings_free(s);
}

/* Decisions that need the same re-check share one registry question. */
static void
test_recheck_coalesced(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 0, 300, 86400);
	struct api_verify	*v = verifier();
	struct waiter		 w[3];
	pthread_t		 t[3];
	struct dw_err		 err;
	bool			 busy = false;
	int			 i, n;

	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	tag_moved = 1;
	local_new = 1;
	registry_hangs = 1;
	for (i = 0; i < 3; i++) {
		w[i].v = v;
		w[i].s = s;
		assert_int_equal(pthread_create(&t[i], NULL, waiter_main, &w[i]), 0);
		/* The first one is in the registry (within 5 s); the others queue. */
		for (n = 0; i == 0 && n < 500; n++) {
			pthread_mutex_lock(&hang_lock);
			busy = hanging > 0;
			pthread_mutex_unlock(&hang_lock);
			if (busy)
				break;
			usleep(10000);
		}
	}
	assert_true(busy);
	usleep(300000);
	pthread_mutex_lock(&hang_lock);
	hang_released = 1;
	pthread_cond_broadcast(&hang_cond);
	pthread_mutex_unlock(&hang_lock);
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].r, -EIO);
		assert_non_null(strstr(w[i].err.msg, "timed out"));
	}
	assert_int_equal(heads, 1);
	assert_int_equal(resolves, 1);
	registry_hangs = 0;
	api_verify_free(v);
	authz_settings_free(s);
}

/* A local image the engine cannot describe: the remedy is dockerd, not the registry. */
static void
test_engine_unreachable(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 0, 300, 86400);
	struct api_verify	*v = verifier();
	struct dw_err		 err;

	assert_int_equal(api_verify_image(v, s, "broken:1", &err), -EIO);
	assert_non_null(strstr(err.msg, "unreachable"));
	assert_non_null(strstr(err.msg, "Retry when dockward reaches dockerd"));
	assert_null(strstr(err.msg, "registry"));
	api_verify_free(v);
	authz_settings_free(s);
}

/*
 * A state dir that cannot take the cache file (full, read-only, gone):
 * decisions go on from memory, the operator is told once, and again when
 * saving works again.
 */
static void
test_cache_save_failure(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 0, 1, 86400);
	struct api_verify_ops	 ops = { NULL, fake_inspect, fake_resolve, fake_warn,
	    fake_head };
	struct api_verify	*v;
	struct dw_err		 err, warn;

	v = api_verify_new(&ops, cache_path, &warn);
	assert_non_null(v);
	assert_int_equal(rmdir(cache_dir), 0);	/* nowhere to write */
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(nwarned, 1);
	assert_non_null(strstr(warned[0], "registry cache not saved"));
	assert_non_null(strstr(warned[0], "No such file or directory"));
	sleep(2);	/* past refreshSeconds: fetched, and not saved, again */
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(resolves, 2);
	assert_int_equal(nwarned, 1);	/* said once */
	assert_int_equal(mkdir(cache_dir, 0700), 0);
	sleep(2);
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	assert_int_equal(nwarned, 2);
	assert_non_null(strstr(warned[1], "saved again"));
	assert_int_equal(access(cache_path, F_OK), 0);
	api_verify_free(v);
	authz_settings_free(s);
}

/* An imported trust bundle pins a tag: no registry needed, even when it is down. */
static void
test_trust_store(void **state)
{
	struct authz_settings	*s = policy("\"docker:cli\"", 0, 300, 0);
	struct api_verify	*v = verifier();
	struct dw_err		 err;
	char			 trust[160];
	FILE			*f;

	snprintf(trust, sizeof(trust), "%s/trust.json", cache_dir);
	f = fopen(trust, "w");
	assert_non_null(f);
	fputs("{\"version\":1,\"images\":{\"docker.io/library/docker:cli\":"
	    "{\"digest\":\"" C_GOOD "\",\"manifests\":[],\"configs\":[\"" C_GOOD "\"]}}}", f);
	fclose(f);
	registry_down = 1;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), -EIO);
	assert_int_equal(api_verify_load_trust(v, trust, &err), 0);
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	forged_local = 1;
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), -EACCES);
	forged_local = 0;
	api_verify_refresh(v, s);	/* pinned: the background refresh leaves it alone */
	assert_int_equal(resolves, 1);
	/* a corrupt store is refused and the loaded one stays */
	f = fopen(trust, "w");
	fputs("{\"version\":1,\"images\":{\"x:1\":{\"digest\":\"nope\"}}}", f);
	fclose(f);
	assert_true(api_verify_load_trust(v, trust, &err) < 0);
	assert_int_equal(api_verify_image(v, s, "docker:cli", &err), 0);
	registry_down = 0;
	unlink(trust);
	api_verify_free(v);
	authz_settings_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tag_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_and_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_any_tag_and_digest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_derived, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registry_down_and_grace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_persistence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trust_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hang_coalesced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_engine_unreachable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_save_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recheck_pulled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recheck_rate_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recheck_registry_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recheck_containerd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recheck_coalesced, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
