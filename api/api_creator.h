/*
 * api_creator: which host users each container acts for, so that a
 * socket container can be held to their dockward.users rules (a container
 * acts for whoever created it, and for whoever put commands into it;
 * DESIGN.md §5 "Identity").  The gatekeeper records the Id of every create
 * it forwarded, from dockerd's answer, with the caller's uid, gid, groups
 * and name, and adds the caller of every exec, attach or copy into a
 * container; a container created by (or entering) a container passes on
 * that container's users.  Containers created elsewhere (the admin on
 * dockerd's own socket) and never entered through the gatekeeper have
 * none.  At most API_CREATOR_USERS_MAX users per container.
 *
 * Kept in memory (at most DW_CREATORS_MAX entries) and in a file of the
 * state directory, so it survives a restart of dockward: one line
 * appended per record, the whole file rewritten (atomically) when it is
 * pruned of containers the engine no longer has.  Thread-safe.
 */
#ifndef API_CREATOR_H
#define API_CREATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/dw_err.h"
#include "common/dw_limits.h"

#define API_CREATOR_ID_LEN	64	/* a container id: lowercase hex */
#define API_CREATOR_NAME_MAX	64	/* a user name, with its NUL */
#define API_CREATOR_USERS_MAX	4	/* users one container acts for */

struct api_creator {
	uid_t	uid;
	gid_t	gid;
	gid_t	groups[DW_PEER_GROUPS_MAX];	/* supplementary */
	size_t	ngroups;
	char	name[API_CREATOR_NAME_MAX];	/* "" when unknown */
	bool	entered;	/* ran commands in it (exec, attach, copy), rather than created it */
};

struct api_creator_store;

/*
 * Open the store kept in the file path (created when missing) and load
 * what it holds.  Lines that do not parse are skipped with a warning in
 * *warn (warn->msg "" when none); an unreadable file is a warning too (the
 * store starts empty and is rewritten at the next prune).  NULL only when
 * out of memory.
 */
struct api_creator_store *api_creator_store_open(const char *path, struct dw_err *warn);
void	api_creator_store_free(struct api_creator_store *cs);

/* Is id 64 lowercase hex digits? */
bool	api_creator_store_id_valid(const char *id);

/*
 * Record that container id acts for cr: added to its users, or, when
 * cr's uid is among them already, that user's gid, groups and name
 * updated.  0; -EINVAL (bad id); -E2BIG when DW_CREATORS_MAX containers
 * are recorded (prune first); -ENOSPC when the container acts for
 * API_CREATOR_USERS_MAX other users already; -EIO when the line could not
 * be written to the file (the record holds in memory until dockward
 * restarts), with err.
 */
int	api_creator_store_add(struct api_creator_store *cs, const char *id,
	    const struct api_creator *cr, struct dw_err *err);

/*
 * The users container id acts for (its creator first): 0 with *ret_n of
 * them (at most API_CREATOR_USERS_MAX) in ret[], or -ENOENT.
 */
int	api_creator_store_get(struct api_creator_store *cs, const char *id,
	    struct api_creator ret[API_CREATOR_USERS_MAX], size_t *ret_n);

/* Recorded containers; true when no more fit. */
size_t	api_creator_store_count(struct api_creator_store *cs);
bool	api_creator_store_full(struct api_creator_store *cs);

/*
 * Pruning, in two steps so that a record made while the caller asks the
 * engine which containers exist is never dropped: mark, then list the
 * engine's containers, then prune with the mark.  prune drops the
 * records made before the mark whose id live() says the engine no longer
 * has, and rewrites the file (0, or -errno with err; the memory is
 * pruned either way).  *ret_dropped may be NULL.
 */
uint64_t api_creator_store_mark(struct api_creator_store *cs);
int	api_creator_store_prune(struct api_creator_store *cs, uint64_t mark,
	    bool (*live)(void *ctx, const char *id), void *ctx,
	    size_t *ret_dropped, struct dw_err *err);

#endif
