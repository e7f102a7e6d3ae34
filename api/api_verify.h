/*
 * api_verify: proves that an image may mount the Docker socket, by digest
 * (DESIGN.md §6).  It asks the engine what the local image is and the
 * registry what each imageList entry is, and caches registry answers in
 * memory and in the state directory: tag answers are refreshed after
 * refreshSeconds (in the background, so a warm decision does no network
 * I/O) and stay usable for graceSeconds while the registry is down;
 * answers for digests never change.  A cached tag answer that disagrees
 * with a local image of that repository is asked again (at most once per
 * tag per DW_VERIFY_RECHECK_S), so an image pulled after the tag moved
 * upstream is allowed at once, not after refreshSeconds.  Never allows on
 * error.
 */
#ifndef API_VERIFY_H
#define API_VERIFY_H

#include <jansson.h>

#include "authz/authz_settings.h"
#include "common/dw_err.h"
#include "digest/digest_ref.h"
#include "digest/digest_sha256.h"
#include "registry/registry_client.h"

/* Lookups, injectable for tests. */
struct api_verify_ops {
	void	*ctx;
	/* GET /images/{ref}/json: 0 + new reference, -ENOENT, or -errno with err. */
	int	(*image_inspect)(void *ctx, const char *ref, json_t **ret, struct dw_err *err);
	/* registry_client_resolve() or a fake. */
	int	(*resolve)(void *ctx, const struct digest_ref *ref,
		    struct digest_facts *facts, struct dw_err *err);
	/*
	 * Told (may be NULL) when the cache file stops being written (a full
	 * or read-only state dir: decisions go on from memory) and when it is
	 * written again; once per change, not per save.
	 */
	void	(*warn)(void *ctx, const char *msg);
	/*
	 * registry_client_head_digest() or a fake (may be NULL: resolve is used):
	 * the digest a tag names now, to re-check a cached tag answer that
	 * disagrees with the local image without downloading manifests.
	 */
	int	(*head)(void *ctx, const struct digest_ref *ref, char digest[DIGEST_SHA256_STRLEN],
		    struct dw_err *err);
};

struct api_verify;

/*
 * A verifier; cache_path (may be NULL) is the JSON file the cache is
 * loaded from (a corrupt file is ignored, see *warning) and saved to
 * atomically.  NULL on ENOMEM.
 */
struct api_verify *api_verify_new(const struct api_verify_ops *ops,
	    const char *cache_path, struct dw_err *warning);

/*
 * (Re)load the offline trust store written by `dockward trust import`
 * (NULL or a missing file: none).  Images recorded there are proven by
 * the bundle's digests, with no registry involved: imported bundles pin
 * what their tags mean.  0, or -errno with err (the old store stays).
 */
int	api_verify_load_trust(struct api_verify *v, const char *trust_path,
	    struct dw_err *err);
void	api_verify_free(struct api_verify *v);

/*
 * May `image` (as a create request names it, or an image Id) mount the
 * socket under s?  0 yes; -EACCES no, with the reason in err; another
 * -errno when it could not be proven either way (registry or engine
 * unreachable and no proof younger than graceSeconds), with err naming
 * what could not be reached, the error, and when to retry.  Decisions
 * that waited while another fetched the same reference take that fetch's
 * failure instead of waiting out a dead registry once more each.
 */
int	api_verify_image(struct api_verify *v, const struct authz_settings *s,
	    const char *image, struct dw_err *err);

/*
 * Refresh the registry answers for s's tag entries that are older than
 * 80% of refreshSeconds (or missing).  Called from a background thread
 * and at start-up; errors are kept for the next decision, not returned.
 */
void	api_verify_refresh(struct api_verify *v, const struct authz_settings *s);

/*
 * The registry cache's key for imageList entry e ("name:tag" or
 * "name@digest", as the cache file names its entries), for entries that
 * name one repository.  0, or -ENOENT for "*", "repo:*" and name patterns
 * (proven per request from the image's RepoDigests, never cached ahead).
 */
int	api_verify_entry_key(const struct authz_image_entry *e, char *key,
	    size_t len);

/* Number of cached registry answers (for status and tests). */
size_t	api_verify_cache_size(struct api_verify *v);

#endif
