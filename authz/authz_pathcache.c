/*
 * authz_pathcache: bind sources' identities, cached for a second and
 * checked again with one statx() before each use (authz_pathcache.h says
 * what that check sees and what it cannot).  Every lookup is of a host
 * path, through dw_path (under the host's root in the managed plugin).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "authz/authz_pathcache.h"
#include "common/dw_limits.h"
#include "common/dw_path.h"
#include "common/dw_time.h"

/* One element of a source's chain: the source, then its ancestors. */
struct link {
	struct authz_pathcache_id id;
	bool		watch;		/* not only root can change its entries: ctime checked */
	struct timespec	ctime;
};

struct ent {
	char		*key;		/* the clean path, also its resolved name (new) */
	long long	 at;		/* when it was resolved, CLOCK_MONOTONIC ms */
	unsigned long	 seq;		/* order of filling: the lowest is replaced first */
	/* The source as statx(AT_SYMLINK_NOFOLLOW) saw it. */
	dev_t		 dev;
	ino_t		 ino;
	mode_t		 mode;
	uid_t		 uid;
	uint64_t	 mnt;
	struct link	*chain;		/* nchain links (new) */
	size_t		 nchain;
};

struct authz_pathcache {
	pthread_mutex_t	 lock;
	long		 window_ms, slack_ms;
	size_t		 max;
	struct ent	 v[DW_PATHCACHE_MAX];
	size_t		 n;
	unsigned long	 seq;
	struct authz_pathcache_stats st;
};

static struct authz_pathcache own = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.window_ms = AUTHZ_PATHCACHE_MS,
	.slack_ms = AUTHZ_PATHCACHE_SLACK_MS,
	.max = DW_PATHCACHE_MAX,
};

/* What the check before use asks of statx(). */
#define SX_MASK	(STATX_TYPE | STATX_MODE | STATX_INO | STATX_UID | STATX_CTIME | \
	STATX_MNT_ID)

static void
ent_clear(struct ent *e)
{
	free(e->key);
	free(e->chain);
	memset(e, 0, sizeof(*e));
}

struct authz_pathcache *
authz_pathcache_new(long window_ms, long slack_ms, size_t max)
{
	struct authz_pathcache	*pc;

	if ((pc = calloc(1, sizeof(*pc))) == NULL)
		return NULL;
	if (pthread_mutex_init(&pc->lock, NULL) != 0) {
		free(pc);
		return NULL;
	}
	pc->window_ms = window_ms;
	pc->slack_ms = slack_ms;
	pc->max = max < DW_PATHCACHE_MAX ? max : DW_PATHCACHE_MAX;
	return pc;
}

void
authz_pathcache_free(struct authz_pathcache *pc)
{
	size_t	i;

	if (pc == NULL || pc == &own)
		return;
	for (i = 0; i < pc->n; i++)
		ent_clear(&pc->v[i]);
	pthread_mutex_destroy(&pc->lock);
	free(pc);
}

/* statx() as stat() would have filled it. */
static void
stat_from_statx(const struct statx *sx, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(sx->stx_dev_major, sx->stx_dev_minor);
	st->st_ino = sx->stx_ino;
	st->st_mode = sx->stx_mode;
	st->st_nlink = sx->stx_nlink;
	st->st_uid = sx->stx_uid;
	st->st_gid = sx->stx_gid;
	st->st_rdev = makedev(sx->stx_rdev_major, sx->stx_rdev_minor);
	st->st_size = (off_t)sx->stx_size;
	st->st_blksize = (blksize_t)sx->stx_blksize;
	st->st_blocks = (blkcnt_t)sx->stx_blocks;
	st->st_atim.tv_sec = sx->stx_atime.tv_sec;
	st->st_atim.tv_nsec = sx->stx_atime.tv_nsec;
	st->st_mtim.tv_sec = sx->stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = sx->stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = sx->stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = sx->stx_ctime.tv_nsec;
}

/* The first len bytes of path, or "/" for none, into buf (PATH_MAX). */
static void
prefix(const char *path, size_t len, char *buf)
{
	if (len == 0)
		len = 1;
	memcpy(buf, path, len);
	buf[len] = '\0';
}

/*
 * Can anyone but root change the entry named by child in directory st?
 * Root's own directories (no write for group or others) and sticky ones
 * whose entry root owns are root's alone.
 */
static bool
others_can_change(const struct stat *st, const struct stat *child)
{
	if (st->st_uid != 0)
		return true;
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return false;
	return !((st->st_mode & S_ISVTX) && child->st_uid == 0);
}

/*
 * Full resolution, as authz_mount did it itself: dw_path_resolve(), a
 * stat() of the result, a stat() of it and of each ancestor.  When the
 * answer may be cached, *e is filled (key and chain new) and 0 returned;
 * otherwise -EAGAIN (or -ENOMEM) and *e is untouched.
 */
static int
resolve_full(const char *clean, long long slack_ms, struct authz_pathcache_src *ps,
    struct ent *e)
{
	struct link	 links[DW_PATH_DEPTH_MAX];
	struct stat	 st[DW_PATH_DEPTH_MAX];
	struct statx	 sx;
	struct timespec	 now;
	char		 buf[PATH_MAX];
	long long	 age_ms;
	size_t		 len, n = 0, i;
	bool		 cacheable, whole = false;

	memset(ps, 0, sizeof(*ps));
	/*
	 * realpath() of all of clean gave clean itself: no component of it was
	 * a symlink; lstat() then says the last is none still.
	 */
	cacheable = dw_path_resolve(clean, ps->real, sizeof(ps->real)) &&
	    strcmp(ps->real, clean) == 0;
	if (cacheable && dw_path_statx(ps->real, AT_SYMLINK_NOFOLLOW, SX_MASK,
	    &sx) == 0 && !S_ISLNK(sx.stx_mode)) {
		stat_from_statx(&sx, &ps->st);
		ps->exists = true;
		cacheable = (sx.stx_mask & SX_MASK) == SX_MASK;
	} else {
		/* What stat() answers is the rule's view: a symlink is followed. */
		cacheable = false;
		ps->err = -dw_path_stat(ps->real, &ps->st);
		ps->exists = ps->err == 0;
	}
	if (!ps->exists)
		return -EAGAIN;

	/* The chain: real, then each ancestor up to "/", those stat() reaches. */
	len = strlen(ps->real);
	for (;;) {
		prefix(ps->real, len, buf);
		if (n < DW_PATH_DEPTH_MAX && dw_path_stat(buf, &st[n]) == 0) {
			ps->chain[n].dev = st[n].st_dev;
			ps->chain[n].ino = st[n].st_ino;
			n++;
		} else
			cacheable = false;	/* a gap: the links no longer match the names */
		if (len <= 1) {
			whole = true;
			break;
		}
		if (n == DW_PATH_DEPTH_MAX)
			break;
		while (len > 1 && ps->real[len - 1] != '/')
			len--;
		if (len > 1)
			len--;	/* drop the '/' too, except the root's */
	}
	ps->nchain = n;
	if (!cacheable || !whole || n == 0)
		return -EAGAIN;

	/*
	 * links[i], i >= 2, holds the entry of links[i - 1] on the way to the
	 * source's parent; the parent's own entry for the source is what the
	 * statx() of the source checks.
	 */
	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; i < n; i++) {
		links[i].id = ps->chain[i];
		links[i].ctime = st[i].st_ctim;
		links[i].watch = i >= 2 && others_can_change(&st[i], &st[i - 1]);
		if (!links[i].watch)
			continue;
		age_ms = ((long long)now.tv_sec - (long long)st[i].st_ctim.tv_sec) * 1000 +
		    ((long long)now.tv_nsec - (long long)st[i].st_ctim.tv_nsec) / 1000000;
		if (age_ms < slack_ms)
			return -EAGAIN;	/* changed too recently to tell a next change by ctime */
	}
	if ((e->chain = malloc(n * sizeof(*e->chain))) == NULL)
		return -ENOMEM;
	if ((e->key = strdup(clean)) == NULL) {
		free(e->chain);
		e->chain = NULL;
		return -ENOMEM;
	}
	memcpy(e->chain, links, n * sizeof(*e->chain));
	e->nchain = n;
	e->dev = ps->st.st_dev;
	e->ino = ps->st.st_ino;
	e->mode = ps->st.st_mode;
	e->uid = ps->st.st_uid;
	e->mnt = sx.stx_mnt_id;
	return 0;
}

/*
 * The check before use: the source by lstat, and each watched ancestor.
 * True when e still describes clean; *ps is then its answer.
 */
static bool
revalidate(const struct ent *e, const char *clean, struct authz_pathcache_src *ps)
{
	struct statx	 sx, ax;
	char		 buf[PATH_MAX];
	size_t		 len, i;

	if (dw_path_statx(clean, AT_SYMLINK_NOFOLLOW, SX_MASK, &sx) != 0 ||
	    (sx.stx_mask & SX_MASK) != SX_MASK ||
	    makedev(sx.stx_dev_major, sx.stx_dev_minor) != e->dev ||
	    sx.stx_ino != e->ino || sx.stx_mode != e->mode || sx.stx_uid != e->uid ||
	    sx.stx_mnt_id != e->mnt)
		return false;
	len = strlen(clean);
	for (i = 1; i < e->nchain; i++) {
		/* Up one component: links[i] is the prefix without i of them. */
		while (len > 1 && clean[len - 1] != '/')
			len--;
		if (len > 1)
			len--;
		if (!e->chain[i].watch)
			continue;
		prefix(clean, len, buf);
		if (dw_path_statx(buf, AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_CTIME,
		    &ax) != 0 || (ax.stx_mask & (STATX_INO | STATX_CTIME)) !=
		    (STATX_INO | STATX_CTIME) ||
		    makedev(ax.stx_dev_major, ax.stx_dev_minor) != e->chain[i].id.dev ||
		    ax.stx_ino != e->chain[i].id.ino ||
		    ax.stx_ctime.tv_sec != e->chain[i].ctime.tv_sec ||
		    ax.stx_ctime.tv_nsec != (uint32_t)e->chain[i].ctime.tv_nsec)
			return false;
	}
	/*
	 * Field by field, not a memset of all of *ps: it is over 5 KiB
	 * (real and chain at their caps), and zeroing it pushed out of the
	 * CPU's first-level cache data the rest of the decision reads again
	 * (every bind, every decision).  Nothing reads past real's NUL or
	 * chain[nchain].  clean is cut as snprintf would cut it.
	 */
	if ((len = strlen(clean)) >= sizeof(ps->real))
		len = sizeof(ps->real) - 1;
	memcpy(ps->real, clean, len);
	ps->real[len] = '\0';
	ps->exists = true;
	ps->err = 0;
	stat_from_statx(&sx, &ps->st);
	for (i = 0; i < e->nchain; i++)
		ps->chain[i] = e->chain[i].id;
	ps->nchain = e->nchain;
	return true;
}

/* The slot for clean's new entry (lock held): its old one, a free one, the oldest. */
static struct ent *
slot_for(struct authz_pathcache *pc, const char *clean)
{
	struct ent	*old = NULL;
	size_t		 i;

	for (i = 0; i < pc->n; i++)
		if (strcmp(pc->v[i].key, clean) == 0)
			return &pc->v[i];
	if (pc->n < pc->max)
		return &pc->v[pc->n++];
	for (i = 0; i < pc->n; i++)
		if (old == NULL || pc->v[i].seq < old->seq)
			old = &pc->v[i];
	return old;
}

/* Forget clean's entry, if any (the lock held). */
static void
drop(struct authz_pathcache *pc, const char *clean)
{
	size_t	i;

	for (i = 0; i < pc->n; i++) {
		if (strcmp(pc->v[i].key, clean) != 0)
			continue;
		ent_clear(&pc->v[i]);
		pc->v[i] = pc->v[--pc->n];
		memset(&pc->v[pc->n], 0, sizeof(pc->v[pc->n]));
		return;
	}
}

void
authz_pathcache_resolve(struct authz_pathcache *pc, const char *clean,
    struct authz_pathcache_src *ret)
{
	struct link	 chain[DW_PATH_DEPTH_MAX];
	struct ent	 copy, fresh = { 0 }, *slot;
	long long	 now;
	size_t		 i;
	bool		 found = false;

	if (pc == NULL)
		pc = &own;
	now = dw_time_mono_ms();
	pthread_mutex_lock(&pc->lock);
	for (i = 0; i < pc->n && !found; i++) {
		if (strcmp(pc->v[i].key, clean) != 0 || now - pc->v[i].at >= pc->window_ms)
			continue;
		copy = pc->v[i];
		memcpy(chain, copy.chain, copy.nchain * sizeof(*chain));
		copy.chain = chain;
		copy.key = NULL;
		found = true;
	}
	pthread_mutex_unlock(&pc->lock);
	/* The system calls run unlocked: concurrent decisions do not wait on them. */
	if (found && revalidate(&copy, clean, ret)) {
		pthread_mutex_lock(&pc->lock);
		pc->st.hits++;
		pthread_mutex_unlock(&pc->lock);
		return;
	}
	now = dw_time_mono_ms();
	if (resolve_full(clean, pc->slack_ms, ret, &fresh) < 0) {
		pthread_mutex_lock(&pc->lock);
		pc->st.full++;
		pc->st.stale += found;
		drop(pc, clean);
		pthread_mutex_unlock(&pc->lock);
		return;
	}
	fresh.at = now;
	pthread_mutex_lock(&pc->lock);
	pc->st.full++;
	pc->st.fills++;
	pc->st.stale += found;
	slot = slot_for(pc, clean);
	ent_clear(slot);
	*slot = fresh;
	slot->seq = ++pc->seq;
	pthread_mutex_unlock(&pc->lock);
}

void
authz_pathcache_stats(struct authz_pathcache *pc, struct authz_pathcache_stats *ret)
{
	if (pc == NULL)
		pc = &own;
	pthread_mutex_lock(&pc->lock);
	*ret = pc->st;
	ret->entries = pc->n;
	pthread_mutex_unlock(&pc->lock);
}
