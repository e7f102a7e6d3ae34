/*
 * api_egress_who: which container a source address belongs to, for the
 * egress audit record (the decision never depends on it).  A cache keyed
 * by IP, filled from the engine's list of running containers (one
 * GET /containers/json names every address at once), asked synchronously
 * on a miss or when the entry is older than API_EGRESS_WHO_FRESH_S.
 * Addresses are reused: a container that left the list keeps its entry
 * API_EGRESS_WHO_HISTORY_S as history, so a connection that closes after
 * its container exited is still named, and a live owner always wins over
 * an exited one (the most recent of each).  Thread-safe; engine lists are
 * serialised and at most one per API_EGRESS_WHO_MISS_MS on misses.
 */
#ifndef API_EGRESS_WHO_H
#define API_EGRESS_WHO_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "common/dw_err.h"
#include "egress/egress_addr.h"

#define API_EGRESS_WHO_FRESH_S		5	/* a live entry trusted without asking the engine */
#define API_EGRESS_WHO_HISTORY_S	60	/* an exited container's entry kept */
#define API_EGRESS_WHO_MISS_MS		200	/* engine lists on misses at most this often */
#define API_EGRESS_WHO_MAX		8192	/* addresses remembered (live and history) */
#define API_EGRESS_WHO_ID_MAX		65	/* a container id, NUL included */
#define API_EGRESS_WHO_NAME_MAX		256	/* a container or image name kept (longer: cut) */

/* A container as the record names it; "unknown" in all three when not found. */
struct api_egress_who_id {
	char	id[API_EGRESS_WHO_ID_MAX];
	char	name[API_EGRESS_WHO_NAME_MAX];
	char	image[API_EGRESS_WHO_NAME_MAX];
	bool	found;
	bool	exited;		/* from the history: the container has left since */
};

/*
 * The engine's answer to GET /containers/json (running containers, with
 * NetworkSettings.Networks): 0 and a new reference, or -errno with err.
 * Tests inject a fake.
 */
typedef int (*api_egress_who_list_fn)(void *ctx, json_t **ret, struct dw_err *err);
/* Milliseconds on a clock that never goes back; tests inject. */
typedef uint64_t (*api_egress_who_clock_fn)(void *ctx);

struct api_egress_who;

/* A cache asking list (clock NULL: CLOCK_MONOTONIC).  NULL on ENOMEM. */
struct api_egress_who *api_egress_who_new(api_egress_who_list_fn list, void *list_ctx,
	    api_egress_who_clock_fn clock, void *clock_ctx);
void	api_egress_who_free(struct api_egress_who *w);

/* Who src is: the cache, then the engine on a miss or a stale entry.  Always fills out. */
void	api_egress_who_lookup(struct api_egress_who *w, const struct egress_addr *src,
	    struct api_egress_who_id *out);
/* The cache and its history only, never the engine.  Always fills out. */
void	api_egress_who_peek(struct api_egress_who *w, const struct egress_addr *src,
	    struct api_egress_who_id *out);
/*
 * Take one engine list now (the engine's answer in list, borrowed): every
 * address in it is live, every live entry not in it becomes history.
 * 0, or -EPROTO when list is not an array (the cache is left as it was).
 */
int	api_egress_who_update(struct api_egress_who *w, const json_t *list);

#endif
