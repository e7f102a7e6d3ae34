/*
 * authz_mount: what a container may see of the host through mounts.
 * Sources are compared by device and inode as well as by cleaned and
 * resolved name, so symlinks, hard links, "..", bind-mount aliases and
 * parent directories all lead to the same answer.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "authz/authz_deny.h"
#include "authz/authz_desktop_check.h"
#include "authz/authz_json.h"
#include "authz/authz_mount.h"
#include "authz/authz_pathcache.h"
#include "authz/authz_rules.h"
#include "authz/authz_settings.h"
#include "common/dw_path.h"
#include "common/dw_time.h"

struct ino_id {
	dev_t	dev;
	ino_t	ino;
};

/*
 * Identities of path and all its ancestors, up to "/"; path is resolved
 * first unless it already is (a realpath() result).  A host path (host) is
 * looked up in the host's tree (dw_path: under the host's root in the
 * managed plugin), one of dockward's own files in its own tree.
 */
static size_t
ino_chain_of(const char *path, bool resolved, bool host, struct ino_id *ids,
    size_t max)
{
	char		buf[PATH_MAX];
	struct stat	st;
	size_t		n = 0;
	char		*cut;
	int		r;

	if (resolved)
		snprintf(buf, sizeof(buf), "%s", path);
	else if (host ? dw_path_realpath(path, buf) < 0 : realpath(path, buf) == NULL)
		return 0;
	while (n < max) {
		r = host ? dw_path_stat(buf, &st) : stat(buf, &st);
		if (r == 0) {
			ids[n].dev = st.st_dev;
			ids[n].ino = st.st_ino;
			n++;
		}
		if (strcmp(buf, "/") == 0)
			break;
		cut = strrchr(buf, '/');
		if (cut == buf)
			cut[1] = '\0';
		else
			*cut = '\0';
	}
	return n;
}


/* Whether identity id is one of ids[0, n). */
static bool
id_in(const struct ino_id *ids, size_t n, struct ino_id id)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (ids[i].dev == id.dev && ids[i].ino == id.ino)
			return true;
	return false;
}

/* id_in() for what stat() gave. */
static bool
ino_in(const struct ino_id *ids, size_t n, const struct stat *st)
{
	return id_in(ids, n, (struct ino_id){ st->st_dev, st->st_ino });
}

/*
 * Identities of paths the rules compare against (each with its ancestors),
 * reused for up to IDCACHE_MS: resolving ~20 protected paths and the
 * engine sockets' directories for every bind mount would dominate a
 * decision.  The name checks still see a path replaced within that time.
 */
#define IDCACHE_MS	AUTHZ_PATHCACHE_MS

/*
 * A path and its chain of identities.  The entries are small and their
 * chains lie one after the other in the cache's ids: a bind's check
 * walks all of them, and did so through some twenty 1 KiB entries (a
 * chain at its cap each), a cache line or two apiece.
 */
struct path_ident {
	const char	*path;		/* in its cache's strs */
	size_t		 nchain;	/* 0 when it does not exist */
	size_t		 first;		/* its chain, ids[first, first + nchain): itself, then its ancestors */
};

struct ident_cache {
	pthread_mutex_t	 lock;
	struct path_ident *v;
	char		*strs;		/* the paths, NUL-terminated, one after the other */
	struct ino_id	*ids;		/* the chains, one after the other */
	uint64_t	 gen;		/* ident_cache_sync()'s gen when it made v */
	size_t		 n;
	size_t		 nhost;		/* v[0..nhost) are host paths, the rest dockward's own */
	long long	 at;
};

/* The chain of ic's entry pi (lock held). */
static inline const struct ino_id *
ident_chain(const struct ident_cache *ic, const struct path_ident *pi)
{
	return ic->ids + pi->first;
}

static struct ident_cache prot_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };
static struct ident_cache sock_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

/*
 * Make the cache describe paths[0..n) (its lock held), of which the first
 * nhost are host paths and the rest dockward's own.  gen: the
 * authz_settings.gen the host paths are the list of, or 0 (then they are
 * compared one by one).  0 or -ENOMEM.
 */
static int
ident_cache_sync(struct ident_cache *ic, const char *const *paths, size_t n,
    size_t nhost, uint64_t gen)
{
	struct path_ident	*nv;
	struct ino_id		 chain[DW_PATH_DEPTH_MAX], *ids = NULL, *nids;
	char			*strs, *o;
	size_t			 i, len, total = 0, nid = 0;
	long long		 now = dw_time_mono_ms();
	bool			 same = n == ic->n && nhost == ic->nhost &&
	    now - ic->at < IDCACHE_MS;

	/*
	 * The host paths of the policy the cache was made from are the same
	 * ones (a policy in force does not change; gen is never reused):
	 * only dockward's own are compared, without reading the twenty-odd
	 * protected paths at every decision.
	 */
	i = gen != 0 && gen == ic->gen ? nhost : 0;
	for (; same && i < n; i++)
		same = strcmp(paths[i], ic->v[i].path) == 0;
	if (same)
		return 0;
	/*
	 * The copies side by side in one block: the check above reads them
	 * all at every decision, from a few cache lines instead of one each.
	 */
	for (i = 0; i < n; i++)
		total += strlen(paths[i]) + 1;
	if ((nv = calloc(n ? n : 1, sizeof(*nv))) == NULL)
		return -ENOMEM;
	if ((strs = malloc(total ? total : 1)) == NULL) {
		free(nv);
		return -ENOMEM;
	}
	for (i = 0, o = strs; i < n; i++) {
		len = strlen(paths[i]) + 1;
		memcpy(o, paths[i], len);
		nv[i].path = o;
		o += len;
		nv[i].nchain = ino_chain_of(paths[i], false, i < nhost, chain,
		    DW_PATH_DEPTH_MAX);
		if (nv[i].nchain == 0)
			continue;
		if ((nids = realloc(ids, (nid + nv[i].nchain) * sizeof(*ids))) == NULL) {
			free(ids);
			free(strs);
			free(nv);
			return -ENOMEM;
		}
		ids = nids;
		memcpy(ids + nid, chain, nv[i].nchain * sizeof(*ids));
		nv[i].first = nid;
		nid += nv[i].nchain;
	}
	free(ic->strs);
	free(ic->ids);
	free(ic->v);
	ic->v = nv;
	ic->strs = strs;
	ic->ids = ids;
	ic->n = n;
	ic->nhost = nhost;
	ic->gen = gen;
	ic->at = now;
	return 0;
}

/*
 * Docker socket: the source is the engine socket itself (any name, hard
 * link included) or a directory above it.  Returns 1 for the socket,
 * 2 for a directory above it, 0 otherwise.
 */
int
authz_mount_socket_relation(const struct authz_facts *facts, const struct stat *src)
{
	struct stat	st;
	size_t		i, n = 0;
	int		rel = 0;

	if (facts == NULL || facts->engine_sockets == NULL)
		return 0;
	for (i = 0; facts->engine_sockets[i] != NULL; i++)
		n++;
	/*
	 * The socket itself by any name: always a fresh stat (dockerd may
	 * have made a new socket).  A directory is never that socket (an
	 * inode has one type), so a directory source, the common bind, skips
	 * these system calls and is compared with the cached identities.
	 */
	if (!S_ISDIR(src->st_mode)) {
		for (i = 0; i < n; i++)
			if (stat(facts->engine_sockets[i], &st) == 0 &&
			    st.st_dev == src->st_dev && st.st_ino == src->st_ino)
				return 1;
		return 0;
	}
	/*
	 * A directory above it: its ancestors' identities, cached.  An
	 * engine socket path that names a directory (not a socket dockerd
	 * listens on, but a setting could say so) counts as the socket.
	 */
	pthread_mutex_lock(&sock_cache.lock);
	if (ident_cache_sync(&sock_cache, facts->engine_sockets, n, 0, 0) < 0)
		rel = 2;	/* fail closed: treat as above the socket */
	for (i = 0; rel == 0 && i < sock_cache.n; i++) {
		if (sock_cache.v[i].nchain > 0 &&
		    ino_in(ident_chain(&sock_cache, &sock_cache.v[i]), 1, src))
			rel = 1;
		else if (sock_cache.v[i].nchain > 1 &&
		    ino_in(ident_chain(&sock_cache, &sock_cache.v[i]) + 1,
		    sock_cache.v[i].nchain - 1, src))
			rel = 2;
	}
	pthread_mutex_unlock(&sock_cache.lock);
	return rel;
}

/* x (xlen bytes) and p (two bytes or more) differ within two bytes. */
static inline bool
parts2(const char *x, size_t xlen, const char *p)
{
	return xlen >= 2 && (x[0] != p[0] || x[1] != p[1]);
}

/*
 * Protected by name: the cleaned or resolved path is at, under or above p.
 * With resolve_p, p's own symlinks are resolved too (needed when the
 * source does not exist yet, so the identity check cannot run).
 */
static const char *
protected_by_name(const struct dw_strv *prot, const char *const *own,
    const char *clean, const char *real, bool resolve_p)
{
	char		rp[PATH_MAX];
	const char	*p;
	size_t		i, k, plen, clen = strlen(clean), rlen = strlen(real);
	/* Most sources have no symlink on the way: real is clean, compared once. */
	bool		same = clen == rlen && memcmp(clean, real, clen) == 0;

	for (k = 0; k < 2; k++) {
		const char *const *list = k == 0 ? (const char *const *)prot->v : own;

		for (i = 0; list != NULL && list[i] != NULL; i++) {
			p = list[i];
			/*
			 * What dw_path_related() says first, said before p's
			 * strlen and the call: two paths of two bytes or more
			 * that part within them are not related.
			 */
			if (!resolve_p && p[0] != '\0' && p[1] != '\0' &&
			    parts2(clean, clen, p) && (same || parts2(real, rlen, p)))
				continue;
			plen = strlen(p);
			if (dw_path_related(clean, clen, p, plen) ||
			    (!same && dw_path_related(real, rlen, p, plen)))
				return p;
			if (!resolve_p)
				continue;
			dw_path_resolve(p, rp, sizeof(rp));
			if (dw_path_related(real, rlen, rp, strlen(rp)))
				return p;
		}
	}
	return NULL;
}

/*
 * Protected by identity: the source is, is inside, or is above p (bind
 * aliases).  gen: the authz_settings.gen prot belongs to, or 0.  Returns
 * the protected path, or NULL; *failed on ENOMEM.
 */
static const char *
protected_by_inode(const struct dw_strv *prot, uint64_t gen, const char *const *own,
    const struct authz_pathcache_src *ps, const struct stat *src, bool *failed)
{
	struct ino_id		 up[DW_PATH_DEPTH_MAX];
	const char		*paths[256], *hit = NULL;
	const struct path_ident	*pi;
	const struct ino_id	*chain;
	size_t			 i, n = 0, nup, nhost;

	for (i = 0; i < prot->n && n < 256; i++)
		paths[n++] = prot->v[i];
	nhost = n;
	for (i = 0; own != NULL && own[i] != NULL && n < 256; i++)
		paths[n++] = own[i];
	/* The source's own chain, from its resolution (authz_pathcache). */
	for (nup = 0; nup < ps->nchain; nup++)
		up[nup] = (struct ino_id){ ps->chain[nup].dev, ps->chain[nup].ino };
	pthread_mutex_lock(&prot_cache.lock);
	if (ident_cache_sync(&prot_cache, paths, n, nhost, gen) < 0) {
		*failed = true;
		goto out;
	}
	/*
	 * The cache's own copies and chains are read (packed); the path
	 * returned is the caller's, which outlives the lock.
	 */
	for (i = 0; i < n && hit == NULL; i++) {
		pi = &prot_cache.v[i];
		if (pi->nchain == 0)
			continue;
		chain = ident_chain(&prot_cache, pi);
		if (chain[0].dev == src->st_dev && chain[0].ino == src->st_ino)
			hit = paths[i];
		/* inside p: p is one of the source's ancestors ("/" excepted) */
		else if (nup > 1 && (pi->path[0] != '/' || pi->path[1] != '\0') &&
		    id_in(up + 1, nup - 1, chain[0]))
			hit = paths[i];
		/* above p: the source is one of p's ancestors */
		else if (S_ISDIR(src->st_mode) && pi->nchain > 1 &&
		    ino_in(chain + 1, pi->nchain - 1, src))
			hit = paths[i];
	}
out:
	pthread_mutex_unlock(&prot_cache.lock);
	return hit;
}

/* Is the source one of dockward's own paths (or above or inside one)? */
static bool
own_path_hit(const char *const *own, const char *clean, const char *real,
    bool exists, const struct authz_pathcache_src *ps, const struct stat *st)
{
	struct dw_strv	none = { 0 };
	bool		failed = false;

	if (own == NULL)
		return false;
	if (protected_by_name(&none, own, clean, real, !exists) != NULL)
		return true;
	return exists && (protected_by_inode(&none, 0, own, ps, st, &failed) != NULL ||
	    failed);
}

int
authz_mount_socket_image_check(struct authz_ctx *c, const char *image,
    const char *hostpath, const char *field, int rel)
{
	struct dw_err	err;
	const char	*what = rel == 1 ? "is" : "contains";
	int		r;

	if (c->facts == NULL || c->facts->image_verify == NULL) {
		if (authz_settings_image_allowed(c->s, image))
			return 0;
		dw_err_set(&err, "image \"%s\" is not in the allowed list",
		    image ? image : "");
		r = -EACCES;
	} else
		r = c->facts->image_verify(c->facts->ctx, c->s, image, &err);
	if (r == 0)
		return 0;
	if (r == -EACCES)
		return authz_deny(c, RULE_SOCKET, field, "\"%s\" %s the Docker "
		    "socket, and %s; a container with the socket controls the host. "
		    "If you wish to allow it, add the image to "
		    "enhancedContainerIsolation.dockerSocketMount.imageList",
		    hostpath, what, err.msg);
	/* err says what could not be reached (registry or engine) and when to retry. */
	return authz_deny(c, RULE_SOCKET, field, "\"%s\" %s the Docker socket, "
	    "and image \"%s\" could not be verified by digest: %s", hostpath, what,
	    image ? image : "", err.msg);
}

void
authz_mount_memo_clear(struct authz_mount_memo *mm)
{
	size_t	i;

	for (i = 0; i < mm->n; i++)
		free(mm->v[i].clean);
	mm->n = 0;
}

/* clean's resolved name as this decision's mount checks found it, or NULL. */
static const char *
memo_get(const struct authz_mount_memo *mm, const char *clean)
{
	size_t	i, clen;

	if (mm == NULL || mm->n == 0)
		return NULL;
	clen = strlen(clean);
	for (i = 0; i < mm->n; i++)
		if (mm->v[i].clen == clen && memcmp(mm->v[i].clean, clean, clen) == 0)
			return mm->v[i].real;
	return NULL;
}

/*
 * Keep clean's resolved name real for the rest of the decision (a source
 * named twice keeps its first); out of room or memory: not kept.
 */
static void
memo_put(struct authz_mount_memo *mm, const char *clean, const char *real)
{
	size_t	clen, rlen;
	char	*buf;

	if (mm == NULL || mm->n == AUTHZ_MOUNT_MEMO_MAX || memo_get(mm, clean) != NULL)
		return;
	clen = strlen(clean);
	rlen = strlen(real);
	if ((buf = malloc(clen + rlen + 2)) == NULL)
		return;
	memcpy(buf, clean, clen + 1);
	memcpy(buf + clen + 1, real, rlen + 1);
	mm->v[mm->n].clean = buf;
	mm->v[mm->n].clen = clen;
	mm->v[mm->n].real = buf + clen + 1;
	mm->n++;
}

int
authz_mount_host_path_check(struct authz_ctx *c, const char *hostpath,
    const char *field, const char *image)
{
	char		clean[PATH_MAX];
	struct authz_pathcache_src ps;
	const char	*const *own = c->facts ? c->facts->own_paths : NULL;
	const char	*p = NULL, *real = ps.real;
	struct stat	st;
	bool		exists, above_prot = false, failed = false;
	int		rel, r;

	/*
	 * A source dockward cannot check is never let through by audit-only
	 * mode (authz_enforce.h): the checks after this one would not run.
	 */
	if (c->d->rule == NULL && (hostpath[0] != '/' || strlen(hostpath) >= PATH_MAX))
		c->d->enforced = true;
	if (hostpath[0] != '/')
		return authz_deny(c, RULE_PROTECTED, field, "bind source \"%s\" is "
		    "not an absolute host path. Use an absolute path", hostpath);
	if (strlen(hostpath) >= PATH_MAX)
		return authz_deny(c, RULE_PROTECTED, field, "bind source is longer "
		    "than PATH_MAX. Use a shorter path");
	dw_path_clean(hostpath, clean, sizeof(clean));
	authz_pathcache_resolve(NULL, clean, &ps);
	memo_put(c->mount_memo, clean, ps.real);
	exists = ps.exists;
	st = ps.st;
	if (!exists && ps.err != ENOENT && ps.err != ENOTDIR) {
		if (c->d->rule == NULL)
			c->d->enforced = true;	/* not checked: never audit-only */
		return authz_deny(c, RULE_PROTECTED, field, "cannot inspect bind "
		    "source \"%s\": %s. Use a path dockward can check", hostpath,
		    strerror(ps.err));
	}

	rel = exists ? authz_mount_socket_relation(c->facts, &st) : 0;
	/*
	 * Existing sources are also compared by identity, which sees through
	 * p's symlinks.  Asked once: a directory above the socket (rel 2)
	 * asks first, as a protected one gets the protected-path answer
	 * before the socket's.
	 */
	if (rel != 1) {
		p = protected_by_name(&c->s->protected_paths, own, clean, real, !exists);
		if (p == NULL && exists)
			p = protected_by_inode(&c->s->protected_paths, c->s->gen,
			    own, &ps, &st, &failed);
		above_prot = rel == 2 && (p != NULL || failed);
	}
	if (rel == 1 || (rel == 2 && !above_prot)) {
		if ((r = authz_mount_socket_image_check(c, image, hostpath, field, rel)) < 0)
			return r;
		if (rel == 1)
			return 0;	/* the socket itself, for an allowed image */
	}
	if (p != NULL || failed) {
		/*
		 * dockward's own paths (policy, state, plugin socket) are never
		 * audit-only (authz_enforce.h): asked again with the admin's
		 * list left out, on this deny path only.
		 */
		if (c->d->rule == NULL && (failed ||
		    own_path_hit(own, clean, real, exists, &ps, &st)))
			c->d->enforced = true;
		r = authz_deny(c, RULE_PROTECTED, field, "bind source \"%s\" "
		    "(resolved \"%s\") is, contains or lies inside the protected host "
		    "path \"%s\". Mount a project directory instead; an admin can "
		    "change dockward.protectedPaths", hostpath, real,
		    p ? p : "(not checked: out of memory)");
		if (r < 0)
			return r;
		/*
		 * Let through by audit-only mode: the checks below still
		 * hold, and a directory above the Docker socket (which
		 * mount.dockerSocket, never audit-only, judges) skipped the
		 * socket's check for this answer.
		 */
		if (above_prot && (r = authz_mount_socket_image_check(c, image,
		    hostpath, field, rel)) < 0)
			return r;
	}
	/* A root socket let through by audit-only mode: file sharing still holds. */
	if (exists && S_ISSOCK(st.st_mode) && st.st_uid == 0 &&
	    (r = authz_deny(c, RULE_ROOTSOCKET, field, "bind source \"%s\" is "
	    "a unix socket owned by root; root services behind such sockets "
	    "(containerd, systemd, dbus) can take over the host. Do not mount it",
	    hostpath)) < 0)
		return r;
	return authz_desktop_check_fileshare(c, hostpath, real, field);
}

/*
 * Local volume options, read as dockerd 20.10 reads them
 * (volume/local/local_unix.go): DriverOpts is a Go map[string]string, so
 * keys match exactly; the keys are type, o, device and size.  When type or
 * device is not empty, every use of the volume runs
 * mount(device, <volume dir>, type, flags, data) as root, with o split at
 * ',' into the mount flags moby/sys/mount knows and the rest as the
 * filesystem's data (flags_unix.go parseOptions).  mount(2) then decides:
 * MS_REMOUNT first, MS_BIND next (type and data ignored), otherwise a new
 * mount of type.  So the options are an allowlist of the mounts they make:
 *   - none at all, or only size (a quota on the plain volume directory);
 *   - a bind mount: o holds bind or rbind, type is none or empty, device is
 *     an absolute host path that passes the bind checks;
 *   - a tmpfs: type=tmpfs with tmpfs's own data keys;
 *   - a network filesystem the admin named in dockward.allowedVolumeTypes.
 * Everything else is refused: proc, sysfs, overlay (lowerdir= and upperdir=
 * are host paths), cgroup, devpts, block devices, relative devices (dockerd
 * resolves them against its own working directory), remount and unknown o=
 * words.
 */

/* Flags that only restrict or tune the mount, or cut propagation. */
static const char *const vol_safe_flags[] = {
	"defaults", "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec",
	"noexec", "sync", "async", "dirsync", "atime", "noatime", "diratime",
	"nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime",
	"private", "rprivate", "slave", "rslave", NULL,
};

/* Flags moby knows that are not safe: a remount, or propagation out of the volume. */
static const char *const vol_other_flags[] = {
	"remount", "mand", "nomand", "unbindable", "runbindable", "shared",
	"rshared", NULL,
};

/* tmpfs data keys: the ones moby itself accepts for tmpfs mounts. */
static const char *const vol_tmpfs_keys[] = {
	"size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol", NULL,
};

static const char *const vol_keys[] = { "type", "o", "device", "size", NULL };

/* Is the n bytes at s one of list's words? */
static bool
vol_word_in(const char *const *list, const char *s, size_t n)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && strncmp(*list, s, n) == 0)
			return true;
	return false;
}

/*
 * The string value of key in opts: "" when absent or null (Go's zero
 * value); -EACCES after a deny when it is another JSON type.
 */
static int
vol_opt(struct authz_ctx *c, const struct authz_jv *opts, const char *key,
    const char *field, const char **ret)
{
	const struct authz_jv	*v = authz_jv_object_get(opts, key);

	*ret = "";
	if (v == NULL || authz_jv_is_null(v))
		return 0;
	if (!authz_jv_is_string(v))
		return authz_deny(c, RULE_REQUEST_JSON, field, "%s.%s must be a "
		    "string, as dockerd decodes volume options", field, key);
	*ret = authz_jv_string(v);
	return 0;
}

/*
 * Each denial returns only when it denies: one let through by audit-only
 * mode goes on to the rest, the bind device's checks among them (the
 * Docker socket, protected paths).
 */
int
authz_mount_volume_options_check(struct authz_ctx *c,
    const struct authz_jv *opts, const char *field, const char *image)
{
	const char		*key, *type, *o, *dev, *size, *w, *eq;
	const struct authz_jv	*v;
	char			 f[192];
	size_t			 i, n;
	bool			 bind = false, tmpfs, network;
	int			 r;

	if (opts == NULL || authz_jv_is_null(opts))
		return 0;
	if (!authz_jv_is_object(opts))
		return authz_deny(c, RULE_REQUEST_JSON, field, "%s must be an object "
		    "of strings", field);
	authz_jv_object_foreach(opts, i, key, v) {
		if (!vol_word_in(vol_keys, key, strlen(key)) &&
		    (r = authz_deny(c, RULE_VOLUME_OPTIONS, field, "unknown "
		    "local volume option \"%.100s\"; the local driver takes "
		    "type, o, device and size, spelled exactly so. Remove it",
		    key)) < 0)
			return r;
	}
	if ((r = vol_opt(c, opts, "type", field, &type)) < 0 ||
	    (r = vol_opt(c, opts, "o", field, &o)) < 0 ||
	    (r = vol_opt(c, opts, "device", field, &dev)) < 0 ||
	    (r = vol_opt(c, opts, "size", field, &size)) < 0)
		return r;
	if (type[0] == '\0' && dev[0] == '\0')
		return 0;	/* nothing is mounted: a plain volume directory */

	snprintf(f, sizeof(f), "%s.o", field);
	for (w = o; ; w += n + 1) {
		n = strcspn(w, ",");
		if (vol_word_in((const char *const[]){ "bind", "rbind", NULL }, w, n))
			bind = true;
		else if (vol_word_in(vol_other_flags, w, n) &&
		    (r = authz_deny(c, RULE_VOLUME_OPTIONS, f, "mount option "
		    "\"%.*s\" would remount or share the volume's host mount. "
		    "Remove it", (int)(n > 64 ? 64 : n), w)) < 0)
			return r;
		if (w[n] == '\0')
			break;
	}
	tmpfs = !bind && strcmp(type, "tmpfs") == 0;
	network = !bind && !tmpfs && dw_strv_contains(&c->s->allowed_volume_types, type);
	snprintf(f, sizeof(f), "%s.type", field);
	if (bind && type[0] != '\0' && strcmp(type, "none") != 0 &&
	    (r = authz_deny(c, RULE_VOLUME_OPTIONS, f, "a bind volume "
	    "(o=bind) with type \"%.64s\": mount(2) ignores the type of a "
	    "bind mount. Use type=none", type)) < 0)
		return r;
	/* Neither kind: what follows judges bind and tmpfs options, under this rule. */
	if (!bind && !tmpfs && !network) {
		if (type[0] == '\0' || strcmp(type, "none") == 0)
			return authz_deny(c, RULE_VOLUME_OPTIONS, f, "type \"%s\" "
			    "without o=bind mounts nothing dockward can check. For a "
			    "host directory use type=none, o=bind and an absolute "
			    "device", type);
		return authz_deny(c, RULE_VOLUME_OPTIONS, f, "a local volume of "
		    "type \"%.64s\" has dockerd mount that filesystem on the host, "
		    "as root, for the container (proc, sysfs, overlay, cgroup or a "
		    "host disk reach the host itself). Use a plain volume, a bind "
		    "mount of a project directory or type=tmpfs; an admin can allow "
		    "network filesystems (nfs, nfs4, cifs, smb3) in "
		    "dockward.allowedVolumeTypes", type);
	}

	/* Every word of o: a flag or data key the mount's kind allows. */
	snprintf(f, sizeof(f), "%s.o", field);
	for (w = o; ; w += n + 1) {
		n = strcspn(w, ",");
		eq = memchr(w, '=', n);
		if (n == 0 || network || vol_word_in(vol_safe_flags, w, n) ||
		    vol_word_in((const char *const[]){ "bind", "rbind", NULL }, w, n))
			;
		else if (tmpfs && eq != NULL &&
		    vol_word_in(vol_tmpfs_keys, w, (size_t)(eq - w)))
			;
		else if ((r = authz_deny(c, RULE_VOLUME_OPTIONS, f, "mount option "
		    "\"%.*s\" is not one dockward allows for a %s volume (%s). "
		    "Remove it", (int)(n > 64 ? 64 : n), w, bind ? "bind" :
		    "tmpfs", bind ? "bind, rbind and flags such as ro, nosuid, "
		    "nodev, noexec" : "size, mode, uid, gid, nr_inodes, "
		    "nr_blocks, mpol and flags such as ro, nosuid, nodev, noexec")) < 0)
			return r;
		if (w[n] == '\0')
			break;
	}
	if (!bind)
		return 0;	/* tmpfs ignores device; a network export is remote */
	snprintf(f, sizeof(f), "%s.device", field);
	if (dev[0] != '/' && c->d->rule == NULL)
		c->d->enforced = true;	/* not checked: never audit-only */
	if (dev[0] != '/')
		return authz_deny(c, RULE_VOLUME_OPTIONS, f, "bind volume device "
		    "\"%.200s\" is not an absolute path; dockerd would resolve it "
		    "against its own working directory. Use an absolute path", dev);
	return authz_mount_host_path_check(c, dev, f, image);
}

/* A named volume that already exists may be bound to a host path. */
static int
named_volume_check(struct authz_ctx *c, const char *name, const char *field,
    const char *image)
{
	struct dw_err		 err;
	struct authz_jv_doc	*opts = NULL;
	json_t			*vol = NULL, *drv, *o;
	int			 r;

	if (c->facts == NULL || c->facts->volume_inspect == NULL)
		return authz_deny(c, RULE_ENGINE, field, "cannot inspect volume "
		    "\"%s\": no engine connection. Retry when dockward reaches dockerd",
		    name);
	r = c->facts->volume_inspect(c->facts->ctx, name, &vol, &err);
	if (r == -ENOENT)
		return 0;	/* dockerd will create a plain local volume */
	if (r < 0)
		return authz_deny(c, RULE_ENGINE, field, "cannot inspect volume "
		    "\"%s\": %s. Retry when dockward reaches dockerd", name, err.msg);
	drv = json_object_get(vol, "Driver");
	r = 0;
	if (drv == NULL || !json_is_string(drv) ||
	    strcmp(json_string_value(drv), "local") == 0) {
		/* The inspect answer's options, judged as a body's (authz_json.h). */
		if ((o = json_object_get(vol, "Options")) != NULL &&
		    authz_json_from_jansson(o, &opts, &err) < 0)
			r = authz_deny(c, RULE_ENGINE, field, "cannot read the options "
			    "of volume \"%s\": %s. Retry when dockward reaches dockerd",
			    name, err.msg);
		else
			r = authz_mount_volume_options_check(c, opts == NULL ?
			    NULL : authz_jv_doc_root(opts), field, image);
	}
	authz_jv_doc_free(opts);
	json_decref(vol);
	return r;
}

/* One "src:dst[:mode]" entry of Binds, split as dockerd's Linux parser does. */
static int
bind_check(struct authz_ctx *c, const char *spec, const char *field,
    const char *image)
{
	char		src[PATH_MAX];
	const char	*colon;
	size_t		n, ncolon = 0;

	for (n = 0; spec[n] != '\0'; n++)
		if (spec[n] == ':')
			ncolon++;
	if (ncolon > 2 || spec[0] == ':')
		return authz_deny(c, RULE_REQUEST_JSON, field, "\"%s\" is not a "
		    "valid bind specification. Use source:target[:options]", spec);
	if ((colon = strchr(spec, ':')) == NULL)
		return 0;	/* anonymous volume: no host source */
	n = (size_t)(colon - spec);
	if (n >= sizeof(src)) {
		if (c->d->rule == NULL)
			c->d->enforced = true;	/* not checked: never audit-only */
		return authz_deny(c, RULE_PROTECTED, field, "bind source too long");
	}
	memcpy(src, spec, n);
	src[n] = '\0';
	if (src[0] == '/')
		return authz_mount_host_path_check(c, src, field, image);
	return named_volume_check(c, src, field, image);
}

int
authz_mount_object_check(struct authz_ctx *c, const struct authz_jv *m,
    const char *path, const char *image)
{
	const struct authz_jv	*vo, *dc, *opts;
	struct dw_err		 err;
	const char		*type, *src, *drv;
	char			 f[192];
	int			 r;

	if (authz_jv_is_null(m))
		return 0;
	if (!authz_jv_is_object(m)) {
		dw_err_set(&err, "%s: must be an object", path);
		return authz_deny_json(c, &err);
	}
	if (authz_json_get_string(m, path, AUTHZ_JSON_F(Type), &type, &err) < 0 ||
	    authz_json_get_string(m, path, AUTHZ_JSON_F(Source), &src, &err) < 0)
		return authz_deny_json(c, &err);
	snprintf(f, sizeof(f), "%s.Source", path);
	if (type != NULL && strcmp(type, "bind") == 0)
		return authz_mount_host_path_check(c, src ? src : "", f, image);
	if (type != NULL && strcmp(type, "volume") == 0) {
		if (authz_json_get_object(m, path, AUTHZ_JSON_F(VolumeOptions), &vo, &err) < 0)
			return authz_deny_json(c, &err);
		snprintf(f, sizeof(f), "%s.VolumeOptions", path);
		if (authz_json_get_object(vo, f, AUTHZ_JSON_F(DriverConfig), &dc, &err) < 0)
			return authz_deny_json(c, &err);
		snprintf(f, sizeof(f), "%s.VolumeOptions.DriverConfig", path);
		if (authz_json_get_string(dc, f, AUTHZ_JSON_F(Name), &drv, &err) < 0 ||
		    authz_json_get_object(dc, f, AUTHZ_JSON_F(Options), &opts, &err) < 0)
			return authz_deny_json(c, &err);
		snprintf(f, sizeof(f), "%s.VolumeOptions.DriverConfig.Options", path);
		if ((drv == NULL || drv[0] == '\0' || strcmp(drv, "local") == 0) &&
		    (r = authz_mount_volume_options_check(c, opts, f, image)) < 0)
			return r;
		if (src != NULL && src[0] != '\0') {
			snprintf(f, sizeof(f), "%s.Source", path);
			return named_volume_check(c, src, f, image);
		}
		return 0;
	}
	if (type != NULL && (strcmp(type, "tmpfs") == 0 || strcmp(type, "image") == 0))
		return 0;
	snprintf(f, sizeof(f), "%s.Type", path);
	return authz_deny(c, RULE_MOUNTTYPE, f, "mount type \"%s\" is not one "
	    "dockward can evaluate. Use bind, volume or tmpfs mounts",
	    type ? type : "");
}

/* --volumes-from: the other container's mounts become this one's. */
static int
volumes_from_check(struct authz_ctx *c, const char *spec, const char *field,
    const char *image)
{
	struct dw_err	 err;
	json_t		*ctr = NULL, *mounts, *m;
	char		 id[256], f[256];
	const char	*type, *src, *name;
	size_t		 n, i;
	int		 r = 0;

	n = strcspn(spec, ":");
	if (n == 0 || n >= sizeof(id))
		return authz_deny(c, RULE_REQUEST_JSON, field, "\"%s\" is not a "
		    "valid --volumes-from value", spec);
	memcpy(id, spec, n);
	id[n] = '\0';
	if (c->facts == NULL || c->facts->container_inspect == NULL)
		return authz_deny(c, RULE_ENGINE, field, "cannot inspect container "
		    "\"%s\": no engine connection. Retry when dockward reaches dockerd", id);
	r = c->facts->container_inspect(c->facts->ctx, id, &ctr, &err);
	if (r == -ENOENT)
		return authz_deny(c, RULE_ENGINE, field, "cannot inspect container "
		    "\"%s\" named in --volumes-from: no such container. Name an "
		    "existing container", id);
	if (r < 0)
		return authz_deny(c, RULE_ENGINE, field, "cannot inspect container "
		    "\"%s\" named in --volumes-from: %s. Retry when dockward reaches "
		    "dockerd", id, err.msg);
	mounts = json_object_get(ctr, "Mounts");
	json_array_foreach(mounts, i, m) {
		type = json_string_value(json_object_get(m, "Type"));
		src = json_string_value(json_object_get(m, "Source"));
		name = json_string_value(json_object_get(m, "Name"));
		snprintf(f, sizeof(f), "%.150s (mount %zu of %.64s)", field, i, id);
		if (type != NULL && strcmp(type, "bind") == 0 && src != NULL)
			r = authz_mount_host_path_check(c, src, f, image);
		else if (type != NULL && strcmp(type, "volume") == 0 && name != NULL)
			r = named_volume_check(c, name, f, image);
		if (r < 0)
			break;
	}
	json_decref(ctr);
	return r;
}

/*
 * "path.name[i]" ("name[i]" at the top level) into buf, cut as snprintf
 * cuts: every mount is named so on every request, in the checks and again
 * when its source is recorded, and snprintf's formatting cost more than
 * the protected-path comparisons.
 */
static void
mount_field(char *buf, size_t len, const char *path, const char *name, size_t i)
{
	/* "name[i]": the names are "Binds", "Mounts" and "VolumesFrom". */
	char	tail[16 + 3 * sizeof(i) + 3], *d = tail + sizeof(tail);
	size_t	n = strlen(name);

	*--d = '\0';
	*--d = ']';
	do
		*--d = (char)('0' + i % 10);
	while ((i /= 10) != 0);
	*--d = '[';
	if (n > (size_t)(d - tail))
		n = (size_t)(d - tail);
	d -= n;
	memcpy(d, name, n);
	/* join_path cuts the whole as snprintf would, wherever the cut falls. */
	authz_json_join_path(buf, len, path, d);
}

int
authz_mount_hostconfig_check(struct authz_ctx *c, const struct authz_jv *hc,
    const char *path, const char *image)
{
	const struct authz_jv	*mounts, *m;
	struct dw_strv		 binds = { 0 }, from = { 0 };
	struct dw_err		 err;
	char			 f[160];
	size_t			 i;
	int			 r = 0;

	if (authz_json_get_strings(hc, path, AUTHZ_JSON_F(Binds), false, &binds, &err) < 0 ||
	    authz_json_get_strings(hc, path, AUTHZ_JSON_F(VolumesFrom), false, &from, &err) < 0 ||
	    authz_json_get_array(hc, path, AUTHZ_JSON_F(Mounts), &mounts, &err) < 0) {
		r = authz_deny_json(c, &err);
		goto out;
	}
	if (binds.n + from.n + authz_jv_array_size(mounts) > DW_BINDS_MAX) {
		r = authz_deny(c, RULE_REQUEST_JSON, path, "more than %d mounts. "
		    "Use fewer mounts", DW_BINDS_MAX);
		goto out;
	}
	for (i = 0; i < binds.n && r == 0; i++) {
		mount_field(f, sizeof(f), path, "Binds", i);
		r = bind_check(c, binds.v[i], f, image);
	}
	if (mounts != NULL)
		authz_jv_array_foreach(mounts, i, m) {
			if (r < 0)
				break;
			mount_field(f, sizeof(f), path, "Mounts", i);
			r = authz_mount_object_check(c, m, f, image);
		}
	for (i = 0; i < from.n && r == 0; i++) {
		mount_field(f, sizeof(f), path, "VolumesFrom", i);
		r = volumes_from_check(c, from.v[i], f, image);
	}
out:
	dw_strv_clear(&binds);
	dw_strv_clear(&from);
	return r;
}

/*
 * Mount layouts a container can re-plant.  dockerd resolves every bind
 * source (and a local volume's device) again each time it starts the
 * container, restart policies included, with no API call to check.  A
 * source that lies inside another source the same container mounts
 * writable can be replaced from inside by a symlink to any host path.
 */

void
authz_mount_srcs_clear(struct authz_mount_srcs *ms)
{
	size_t	i;

	for (i = 0; i < ms->n; i++)
		free(ms->v[i].real);
	free(ms->v);
	memset(ms, 0, sizeof(*ms));
}

/*
 * Record one absolute host path (cleaned and resolved: as this decision's
 * mount checks resolved it, when they did).  0 or -ENOMEM.
 */
static int
srcs_add(struct authz_ctx *c, struct authz_mount_srcs *ms, const char *hostpath,
    const char *field, bool rw)
{
	char			 clean[PATH_MAX];
	struct authz_pathcache_src ps;
	struct authz_mount_src	*nv;
	const char		*real;
	size_t			 n;

	if (hostpath == NULL || hostpath[0] != '/' || strlen(hostpath) >= PATH_MAX)
		return 0;	/* not a host path; the create checks judged it */
	if (ms->n == ms->cap) {
		if (ms->cap >= DW_BINDS_MAX * 2)
			return -E2BIG;
		nv = realloc(ms->v, (ms->cap ? ms->cap * 2 : 8) * sizeof(*nv));
		if (nv == NULL)
			return -ENOMEM;
		ms->v = nv;
		ms->cap = ms->cap ? ms->cap * 2 : 8;
	}
	dw_path_clean(hostpath, clean, sizeof(clean));
	if ((real = memo_get(c->mount_memo, clean)) == NULL) {
		authz_pathcache_resolve(NULL, clean, &ps);
		real = ps.real;
	}
	if ((ms->v[ms->n].real = strdup(real)) == NULL)
		return -ENOMEM;
	/* Cut as snprintf would, without its formatting. */
	if ((n = strlen(field)) >= sizeof(ms->v[ms->n].field))
		n = sizeof(ms->v[ms->n].field) - 1;
	memcpy(ms->v[ms->n].field, field, n);
	ms->v[ms->n].field[n] = '\0';
	ms->v[ms->n].rw = rw;
	ms->n++;
	return 0;
}

/*
 * The host path a named volume mounts: a local volume's absolute device,
 * or nothing (*ret NULL) for a plain or unknown volume.  *vol is the
 * inspect answer that owns the string (caller decrefs).
 */
static int
volume_device(struct authz_ctx *c, const char *name, const char *field,
    json_t **vol, const char **ret)
{
	struct dw_err	 err;
	const char	*drv, *dev;
	int		 r;

	*vol = NULL;
	*ret = NULL;
	if (c->facts == NULL || c->facts->volume_inspect == NULL)
		return 0;
	r = c->facts->volume_inspect(c->facts->ctx, name, vol, &err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return authz_deny(c, RULE_ENGINE, field, "cannot inspect volume "
		    "\"%s\": %s. Retry when dockward reaches dockerd", name, err.msg);
	drv = json_string_value(json_object_get(*vol, "Driver"));
	dev = json_string_value(json_object_get(json_object_get(*vol, "Options"),
	    "device"));
	if ((drv == NULL || strcmp(drv, "local") == 0) && dev != NULL && dev[0] == '/')
		*ret = dev;
	return 0;
}

static int
srcs_add_volume(struct authz_ctx *c, struct authz_mount_srcs *ms,
    const char *name, const char *field, bool rw)
{
	json_t		*vol;
	const char	*dev;
	int		 r;

	if ((r = volume_device(c, name, field, &vol, &dev)) == 0 && dev != NULL)
		r = srcs_add(c, ms, dev, field, rw);
	json_decref(vol);
	return r;
}

/* A Binds mode list ("ro,z", "rw", "nocopy"...): does it say read-only? */
static bool
bind_mode_ro(const char *mode)
{
	size_t	n;

	while (mode != NULL && *mode != '\0') {
		n = strcspn(mode, ",");
		if (n == 2 && strncmp(mode, "ro", 2) == 0)
			return true;
		mode += n;
		if (*mode == ',')
			mode++;
	}
	return false;
}

int
authz_mount_srcs_from_inspect(struct authz_ctx *c, const json_t *mounts,
    const char *path, bool all_ro, struct authz_mount_srcs *ms)
{
	const json_t	*m;
	const char	*type, *src, *name;
	char		 f[160];
	size_t		 i;
	bool		 rw;
	int		 r = 0;

	if (!json_is_array(mounts))
		return 0;
	json_array_foreach(mounts, i, m) {
		type = json_string_value(json_object_get(m, "Type"));
		src = json_string_value(json_object_get(m, "Source"));
		name = json_string_value(json_object_get(m, "Name"));
		rw = !all_ro && json_is_true(json_object_get(m, "RW"));
		snprintf(f, sizeof(f), "%.120s[%zu]", path, i);
		if (type != NULL && strcmp(type, "bind") == 0)
			r = srcs_add(c, ms, src, f, rw);
		else if (type != NULL && strcmp(type, "volume") == 0 && name != NULL)
			r = srcs_add_volume(c, ms, name, f, rw);
		if (r < 0)
			return r;
	}
	return 0;
}

/* --volumes-from "id[:ro|rw]": the other container's mounts. */
static int
srcs_from_container(struct authz_ctx *c, const char *spec, const char *field,
    struct authz_mount_srcs *ms)
{
	struct dw_err	 err;
	json_t		*ctr = NULL;
	char		 id[256];
	size_t		 n;
	int		 r;

	n = strcspn(spec, ":");
	if (n == 0 || n >= sizeof(id) || c->facts == NULL ||
	    c->facts->container_inspect == NULL)
		return 0;	/* volumes_from_check() has judged it */
	memcpy(id, spec, n);
	id[n] = '\0';
	r = c->facts->container_inspect(c->facts->ctx, id, &ctr, &err);
	if (r < 0)
		return r == -ENOENT ? 0 : authz_deny(c, RULE_ENGINE, field,
		    "cannot inspect container \"%s\": %s. Retry when dockward "
		    "reaches dockerd", id, err.msg);
	r = authz_mount_srcs_from_inspect(c, json_object_get(ctr, "Mounts"),
	    field, spec[n] == ':' && strcmp(spec + n + 1, "ro") == 0, ms);
	json_decref(ctr);
	return r;
}

/* One Mounts entry of a request: a bind source or a local volume's device. */
static int
srcs_from_mount(struct authz_ctx *c, const struct authz_jv *m, const char *f,
    struct authz_mount_srcs *ms)
{
	const struct authz_jv	*vo, *dc, *opts;
	struct dw_err		 err;
	const char		*type, *src, *drv, *dev;
	char			 sub[200];
	bool			 ro;

	if (!authz_jv_is_object(m))
		return 0;
	if (authz_json_get_string(m, f, AUTHZ_JSON_F(Type), &type, &err) < 0 ||
	    authz_json_get_string(m, f, AUTHZ_JSON_F(Source), &src, &err) < 0 ||
	    authz_json_get_bool(m, f, AUTHZ_JSON_F(ReadOnly), &ro, &err) < 0 ||
	    authz_json_get_object(m, f, AUTHZ_JSON_F(VolumeOptions), &vo, &err) < 0)
		return authz_deny_json(c, &err);
	if (type != NULL && strcmp(type, "bind") == 0)
		return srcs_add(c, ms, src, f, !ro);
	if (type == NULL || strcmp(type, "volume") != 0)
		return 0;
	snprintf(sub, sizeof(sub), "%s.VolumeOptions", f);
	if (authz_json_get_object(vo, sub, AUTHZ_JSON_F(DriverConfig), &dc, &err) < 0)
		return authz_deny_json(c, &err);
	snprintf(sub, sizeof(sub), "%s.VolumeOptions.DriverConfig", f);
	if (authz_json_get_string(dc, sub, AUTHZ_JSON_F(Name), &drv, &err) < 0 ||
	    authz_json_get_object(dc, sub, AUTHZ_JSON_F(Options), &opts, &err) < 0)
		return authz_deny_json(c, &err);
	/* Driver options are a map: keys as written. */
	dev = authz_jv_string(authz_jv_object_get(opts, "device"));
	if ((drv == NULL || drv[0] == '\0' || strcmp(drv, "local") == 0) && dev != NULL)
		return srcs_add(c, ms, dev, f, !ro);
	if (src != NULL && src[0] != '\0')
		return srcs_add_volume(c, ms, src, f, !ro);
	return 0;
}

int
authz_mount_srcs_from_hostconfig(struct authz_ctx *c,
    const struct authz_jv *hc, const char *path, struct authz_mount_srcs *ms)
{
	const struct authz_jv	*mounts, *v;
	struct dw_strv		 binds = { 0 }, from = { 0 };
	struct dw_err		 err;
	const char		*spec, *colon, *mode;
	char			 name[PATH_MAX], f[160];
	size_t			 i, n;
	int			 r = 0;

	if (!authz_jv_is_object(hc))
		return 0;
	/* Read as dockerd reads them (any letter case), as authz_mount_hostconfig_check() did. */
	if (authz_json_get_strings(hc, path, AUTHZ_JSON_F(Binds), false, &binds, &err) < 0 ||
	    authz_json_get_strings(hc, path, AUTHZ_JSON_F(VolumesFrom), false, &from, &err) < 0 ||
	    authz_json_get_array(hc, path, AUTHZ_JSON_F(Mounts), &mounts, &err) < 0) {
		r = authz_deny_json(c, &err);
		goto out;
	}
	for (i = 0; i < binds.n && r == 0; i++) {
		spec = binds.v[i];
		if ((colon = strchr(spec, ':')) == NULL)
			continue;	/* anonymous volume */
		mount_field(f, sizeof(f), path, "Binds", i);
		n = (size_t)(colon - spec);
		if (n >= sizeof(name))
			continue;
		memcpy(name, spec, n);
		name[n] = '\0';
		mode = strchr(colon + 1, ':');
		mode = mode != NULL ? mode + 1 : NULL;
		if (name[0] == '/')
			r = srcs_add(c, ms, name, f, !bind_mode_ro(mode));
		else
			r = srcs_add_volume(c, ms, name, f, !bind_mode_ro(mode));
	}
	if (mounts != NULL)
		authz_jv_array_foreach(mounts, i, v) {
			if (r < 0)
				break;
			mount_field(f, sizeof(f), path, "Mounts", i);
			r = srcs_from_mount(c, v, f, ms);
		}
	for (i = 0; i < from.n && r == 0; i++) {
		mount_field(f, sizeof(f), path, "VolumesFrom", i);
		r = srcs_from_container(c, from.v[i], f, ms);
	}
out:
	dw_strv_clear(&binds);
	dw_strv_clear(&from);
	return r;
}

struct src_ident {
	struct stat	st;		/* of the source itself, when it exists */
	bool		exists;
	struct ino_id	chain[DW_PATH_DEPTH_MAX];	/* itself, then its ancestors */
	size_t		nchain;
};

int
authz_mount_layout_check(struct authz_ctx *c, const struct authz_mount_srcs *ms)
{
	struct src_ident	*id;
	const struct authz_mount_src *in, *out;
	size_t			 i, j;
	bool			 nested;
	int			 r = 0;

	if (ms->n < 2)
		return 0;
	if ((id = calloc(ms->n, sizeof(*id))) == NULL)
		return -ENOMEM;
	for (i = 0; i < ms->n; i++) {
		id[i].exists = dw_path_stat(ms->v[i].real, &id[i].st) == 0;
		if (id[i].exists)
			id[i].nchain = ino_chain_of(ms->v[i].real, true, true,
			    id[i].chain, DW_PATH_DEPTH_MAX);
	}
	for (j = 0; j < ms->n && r == 0; j++) {
		out = &ms->v[j];
		/* "/" is a protected path: the path checks have refused it. */
		if (!out->rw || strcmp(out->real, "/") == 0)
			continue;
		for (i = 0; i < ms->n && r == 0; i++) {
			if (i == j)
				continue;
			in = &ms->v[i];
			/* By name, and by identity (a bind-mount alias of out). */
			nested = dw_path_above(out->real, in->real) ||
			    (id[j].exists && S_ISDIR(id[j].st.st_mode) &&
			    id[i].nchain > 1 && !(id[i].st.st_dev == id[j].st.st_dev &&
			    id[i].st.st_ino == id[j].st.st_ino) &&
			    ino_in(id[i].chain + 1, id[i].nchain - 1, &id[j].st));
			if (!nested)
				continue;
			r = authz_deny(c, RULE_MOUNT_NESTED, in->field, "mount source "
			    "\"%s\" (%s) lies inside \"%s\", which the same container "
			    "mounts writable (%s); from inside, the container can "
			    "replace it with a symlink to any host path, and dockerd "
			    "follows that when it next starts the container (restart "
			    "policies included). Mount only the outer directory, "
			    "mount it read-only (:ro), or use a source outside it",
			    in->real, in->field, out->real, out->field);
		}
	}
	free(id);
	return r;
}
