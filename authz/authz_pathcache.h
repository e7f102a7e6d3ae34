/*
 * authz_pathcache: the identity of a bind source (its resolved name, what
 * stat() says of it, and the device and inode of each of its ancestors),
 * kept per cleaned host path for at most AUTHZ_PATHCACHE_MS and checked
 * again before each use.  Full resolution costs realpath()'s readlink() per
 * component, a stat() of the source and a stat() per ancestor; a cached
 * answer costs one statx() of the source, plus one per directory on the
 * way to its parent that someone other than root can change (below).
 *
 * What is cached: only a source that exists and whose cleaned name is its
 * resolved name, so no component of it was a symlink when it was resolved
 * (a source reached through a symlink is resolved in full every time), and
 * no deeper than DW_PATH_DEPTH_MAX.
 *
 * The check before each use, for a path /a/b/c resolved to object X:
 *   - statx(AT_SYMLINK_NOFOLLOW) of /a/b/c: same device, inode, file type
 *     and mode, owner and mount as when cached.  lstat, not stat: the entry
 *     says "c is X and not a symlink", and only lstat tests that; stat
 *     would see through a symlink left at c to X, which moved, and the
 *     resolved name would be stale.  A different object at c (a symlink, a
 *     directory deleted and made again, a file renamed over it), a chmod or
 *     chown, or a mount on top of any component through which X is now
 *     reached all change one of these;
 *   - the ancestors' entries ("a" in /, "b" in /a): whoever may change such
 *     an entry could rename a directory away and leave a symlink (or another
 *     directory holding X) in its place, and X would be reached under
 *     another name.  A directory that only root can change (owned by root,
 *     not writable by group or others, or sticky with the entry owned by
 *     root) is trusted as it is; any other one is statx()ed too and must
 *     keep its device, inode and change time (every entry created, removed
 *     or renamed in it sets its ctime).  Such a directory is cached only
 *     when its ctime is at least AUTHZ_PATHCACHE_SLACK_MS older than the
 *     clock at the time of caching, so that a change right after it,
 *     within the file system's timestamp granularity, still moves it.
 * Any difference, or an entry older than AUTHZ_PATHCACHE_MS, resolves the
 * path in full again (and caches the new answer).
 *
 * So a cached answer is the one full resolution gives at that moment,
 * except for what it cannot see within its AUTHZ_PATHCACHE_MS, the same
 * window in which authz_mount already reuses the identities of the
 * protected paths and engine sockets:
 *   - a change made by root (or by a container writing through a writable
 *     mount of that directory) to an ancestor directory only root can
 *     change: an entry renamed away and replaced by a symlink to it, or
 *     the directory made writable for others, whose changes then go
 *     unseen as well;
 *   - a mount or unmount on the way to X (root) that leaves X reached
 *     through a mount of the same id (the kernel reuses ids);
 *   - a change whose ctime equals the one cached: the system clock stepped
 *     back to that instant, or a network file system with coarse
 *     timestamps whose server clock lags ours by more than
 *     AUTHZ_PATHCACHE_SLACK_MS.
 * In every one of these X itself, the object dockerd would mount, is the
 * one full resolution found under the cached name less than
 * AUTHZ_PATHCACHE_MS before; only the name it is reached by changed.  The
 * re-check at start (authz_existing) goes through the same checks, so a
 * source swapped for a symlink between create and start is seen: the
 * object at its name is no longer X.
 */
#ifndef AUTHZ_PATHCACHE_H
#define AUTHZ_PATHCACHE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common/dw_limits.h"

/* An entry's life: the window of authz_mount's identity caches. */
#define AUTHZ_PATHCACHE_MS	1000
/*
 * How old an ancestor's ctime must be to cache it: above the coarsest
 * timestamp granularity of local file systems (1 s, ext4 with small inodes).
 */
#define AUTHZ_PATHCACHE_SLACK_MS	2000

struct authz_pathcache_id {
	dev_t	dev;
	ino_t	ino;
};

/* A host path as the mount rules see it, as full resolution gives it. */
struct authz_pathcache_src {
	char		real[PATH_MAX];	/* dw_path_resolve() of the clean path */
	bool		exists;		/* stat(real) succeeded: st is set */
	int		err;		/* its errno otherwise */
	struct stat	st;
	/* real, then its ancestors up to "/" (those stat() reaches), when it exists */
	struct authz_pathcache_id chain[DW_PATH_DEPTH_MAX];
	size_t		nchain;
};

struct authz_pathcache_stats {
	unsigned long	hits;		/* answered from an entry */
	unsigned long	stale;		/* an entry failed its check, resolved again */
	unsigned long	fills;		/* full resolutions that were cached */
	unsigned long	full;		/* full resolutions (fills included) */
	size_t		entries;	/* entries held now */
};

struct authz_pathcache;

/*
 * A cache of up to max entries (at most DW_PATHCACHE_MAX), each used for
 * window_ms, an ancestor's ctime at least slack_ms old when cached (new;
 * NULL when out of memory).  authz_mount uses the process's own cache
 * (pc NULL below): AUTHZ_PATHCACHE_MS, AUTHZ_PATHCACHE_SLACK_MS and
 * DW_PATHCACHE_MAX.
 */
struct authz_pathcache *authz_pathcache_new(long window_ms, long slack_ms,
	    size_t max);
void	authz_pathcache_free(struct authz_pathcache *pc);

/*
 * Fill *ret for the clean absolute path clean (dw_path_clean()): from an
 * entry that passes its check, else by full resolution, which is cached
 * when the path qualifies.  pc NULL: the process's cache.  Thread-safe;
 * never fails (out of memory only means nothing is cached).
 */
void	authz_pathcache_resolve(struct authz_pathcache *pc, const char *clean,
	    struct authz_pathcache_src *ret);

/* Counters since pc was made (pc NULL: the process's cache). */
void	authz_pathcache_stats(struct authz_pathcache *pc,
	    struct authz_pathcache_stats *ret);

#endif
