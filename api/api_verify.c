/* api_verify: digest proofs for socket-mounting images, with a persistent cache. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/api_metrics.h"
#include "api/api_verify.h"
#include "digest/digest_identity.h"
#include "digest/digest_ref.h"
#include "digest/digest_trust.h"

struct verify_entry {
	char			*key;		/* canonical reference */
	struct digest_facts	 facts;
	time_t			 fetched_at;	/* fetched, or confirmed by a re-check */
	/* The last re-check of a disagreeing tag answer (facts_recheck). */
	time_t			 checked_at;
	int			 check_r;	/* its result: 0 or -errno */
	char			 check_msg[DW_ERR_MAX];	/* its error */
};

/* Where an answer of facts_get comes from. */
enum facts_src {
	FACTS_FETCHED,		/* the registry, just now (by this decision or one it waited on) */
	FACTS_CACHED,		/* a tag answer younger than refreshSeconds */
	FACTS_PINNED,		/* a digest, or an imported trust bundle: never changes */
	FACTS_GRACE,		/* the registry failed just now (err); an older answer stands in */
};

/* The last failed fetch of a reference, for the decisions that waited on it. */
struct verify_fail {
	char			*key;
	int			 r;
	unsigned long		 seq;		/* fetch_seq when it ended */
	char			 msg[DW_ERR_MAX];
};

#define VERIFY_FAILS_MAX	64		/* remembered failures (oldest dropped) */

struct api_verify {
	pthread_mutex_t		 lock;		/* entries */
	pthread_mutex_t		 fetch_lock;	/* one registry fetch at a time: coalesces lookups */
	struct api_verify_ops	 ops;
	char			*cache_path;
	struct verify_entry	*entries;
	size_t			 n;
	struct verify_fail	 fails[VERIFY_FAILS_MAX];	/* under lock */
	unsigned long		 fetch_seq;	/* fetches ended (under lock) */
	bool			 save_failing;	/* the last cache save failed (under fetch_lock) */
	struct digest_trust	 trust;		/* imported bundles (under lock) */
};

/* Deep copy of registry facts.  0 or -ENOMEM. */
static int
facts_copy(struct digest_facts *dst, const struct digest_facts *src)
{
	size_t	i;

	memset(dst, 0, sizeof(*dst));
	memcpy(dst->digest, src->digest, sizeof(dst->digest));
	dst->is_index = src->is_index;
	for (i = 0; i < src->manifests.n; i++)
		if (dw_strv_push(&dst->manifests, src->manifests.v[i]) < 0)
			goto fail;
	for (i = 0; i < src->configs.n; i++)
		if (dw_strv_push(&dst->configs, src->configs.v[i]) < 0)
			goto fail;
	return 0;
fail:
	digest_facts_clear(dst);
	return -ENOMEM;
}

static struct verify_entry *
entry_find(struct api_verify *v, const char *key)
{
	size_t	i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->entries[i].key, key) == 0)
			return &v->entries[i];
	return NULL;
}

/* Insert or replace (lock held). */
static int
entry_store(struct api_verify *v, const char *key, const struct digest_facts *f,
    time_t at)
{
	struct verify_entry	*e, *ne;

	if ((e = entry_find(v, key)) == NULL) {
		if ((ne = realloc(v->entries, (v->n + 1) * sizeof(*ne))) == NULL)
			return -ENOMEM;
		v->entries = ne;
		e = &v->entries[v->n];
		memset(e, 0, sizeof(*e));
		if ((e->key = strdup(key)) == NULL)
			return -ENOMEM;
		v->n++;
	} else
		digest_facts_clear(&e->facts);
	e->fetched_at = at;
	e->check_r = 0;		/* a fresh answer supersedes a failed re-check */
	return facts_copy(&e->facts, f);
}

/* The cache as JSON (lock held).  NULL on ENOMEM. */
static json_t *
cache_to_json(struct api_verify *v)
{
	json_t	*root, *entries, *e, *m, *c;
	size_t	 i, k;

	root = json_pack("{s:i, s:o}", "version", 1, "entries", json_object());
	if (root == NULL)
		return NULL;
	entries = json_object_get(root, "entries");
	for (i = 0; i < v->n; i++) {
		const struct digest_facts *f = &v->entries[i].facts;

		m = json_array();
		c = json_array();
		for (k = 0; k < f->manifests.n; k++)
			json_array_append_new(m, json_string(f->manifests.v[k]));
		for (k = 0; k < f->configs.n; k++)
			json_array_append_new(c, json_string(f->configs.v[k]));
		e = json_pack("{s:s, s:b, s:o, s:o, s:I}", "digest", f->digest,
		    "index", f->is_index, "manifests", m, "configs", c,
		    "fetched", (json_int_t)v->entries[i].fetched_at);
		if (e == NULL || json_object_set_new(entries, v->entries[i].key, e) < 0) {
			json_decref(root);
			return NULL;
		}
	}
	return root;
}

/* Write the cache atomically (tmp + fsync + rename).  0 or -errno with err. */
static int
cache_write(struct api_verify *v, struct dw_err *err)
{
	char	 tmp[4096];
	char	*text;
	json_t	*j;
	int	 fd, r, werr = EIO;
	size_t	 len, off = 0;
	ssize_t	 w;

	pthread_mutex_lock(&v->lock);
	j = cache_to_json(v);
	pthread_mutex_unlock(&v->lock);
	text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (text == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", v->cache_path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600)) < 0) {
		r = -errno;
		dw_err_set(err, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	len = strlen(text);
	while (off < len) {
		if ((w = write(fd, text + off, len - off)) < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			werr = w < 0 ? errno : EIO;
			break;
		}
		off += (size_t)w;
	}
	if (off == len && fsync(fd) < 0)
		werr = errno;
	else if (off == len)
		werr = 0;
	if (werr != 0) {
		r = -werr;
		dw_err_set(err, "cannot write %s: %s", tmp, strerror(werr));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp, v->cache_path) < 0) {
		r = -errno;
		dw_err_set(err, "cannot replace %s: %s", v->cache_path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	r = 0;
out:
	free(text);
	return r;
}

/*
 * Save the cache (fetch_lock held: one writer of the tmp file at a time).
 * A failure is not fatal, decisions go on from memory; it is reported
 * when saving starts or stops failing.
 */
static void
cache_save(struct api_verify *v)
{
	struct dw_err	err;
	char		msg[DW_ERR_MAX + 128];
	int		r;

	if (v->cache_path == NULL)
		return;
	r = cache_write(v, &err);
	if ((r < 0) == v->save_failing)
		return;
	v->save_failing = r < 0;
	if (v->ops.warn == NULL)
		return;
	if (r < 0)
		snprintf(msg, sizeof(msg), "registry cache not saved: %s; decisions go on "
		    "from memory, a restart will ask the registries again", err.msg);
	else
		snprintf(msg, sizeof(msg), "registry cache saved again to %s",
		    v->cache_path);
	v->ops.warn(v->ops.ctx, msg);
}

/* Read one string array of sha256 digests. */
static int
load_digests(const json_t *a, struct dw_strv *sv)
{
	const json_t	*e;
	size_t		 i;

	if (!json_is_array(a))
		return -EPROTO;
	json_array_foreach(a, i, e) {
		if (!json_is_string(e) || !digest_ref_is_sha256(json_string_value(e)))
			return -EPROTO;
		if (dw_strv_push(sv, json_string_value(e)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Load the cache file; anything malformed is skipped with a warning. */
static void
cache_load(struct api_verify *v, struct dw_err *warning)
{
	json_error_t		 jerr;
	json_t			*root, *entries, *e;
	const char		*key, *dg;
	struct digest_facts	 f;
	struct digest_ref	*ref;
	size_t			 bad = 0;

	if (v->cache_path == NULL || access(v->cache_path, F_OK) != 0)
		return;
	root = json_load_file(v->cache_path, JSON_REJECT_DUPLICATES, &jerr);
	entries = json_object_get(root, "entries");
	if (root == NULL || json_integer_value(json_object_get(root, "version")) != 1 ||
	    !json_is_object(entries)) {
		dw_err_set(warning, "registry cache %s is unreadable, ignored (%s)",
		    v->cache_path, root ? "wrong format" : jerr.text);
		json_decref(root);
		return;
	}
	json_object_foreach(entries, key, e) {
		memset(&f, 0, sizeof(f));
		dg = json_string_value(json_object_get(e, "digest"));
		ref = digest_ref_parse(key, 0, NULL);
		/* An answer cached for a digest must be about that digest. */
		if (ref == NULL || dg == NULL || !digest_ref_is_sha256(dg) ||
		    (ref->digest != NULL && strcmp(ref->digest, dg) != 0) ||
		    !json_is_integer(json_object_get(e, "fetched")) ||
		    load_digests(json_object_get(e, "manifests"), &f.manifests) < 0 ||
		    load_digests(json_object_get(e, "configs"), &f.configs) < 0) {
			bad++;
		} else {
			snprintf(f.digest, sizeof(f.digest), "%s", dg);
			f.is_index = json_is_true(json_object_get(e, "index"));
			entry_store(v, key, &f,
			    (time_t)json_integer_value(json_object_get(e, "fetched")));
		}
		digest_facts_clear(&f);
		digest_ref_free(ref);
	}
	if (bad > 0)
		dw_err_set(warning, "registry cache %s: %zu malformed entries ignored",
		    v->cache_path, bad);
	json_decref(root);
}

struct api_verify *
api_verify_new(const struct api_verify_ops *ops, const char *cache_path,
    struct dw_err *warning)
{
	struct api_verify	*v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->ops = *ops;
	pthread_mutex_init(&v->lock, NULL);
	pthread_mutex_init(&v->fetch_lock, NULL);
	if (cache_path != NULL && (v->cache_path = strdup(cache_path)) == NULL) {
		api_verify_free(v);
		return NULL;
	}
	dw_err_clear(warning);
	cache_load(v, warning);
	return v;
}

void
api_verify_free(struct api_verify *v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		free(v->entries[i].key);
		digest_facts_clear(&v->entries[i].facts);
	}
	free(v->entries);
	for (i = 0; i < VERIFY_FAILS_MAX; i++)
		free(v->fails[i].key);
	free(v->cache_path);
	digest_trust_clear(&v->trust);
	pthread_mutex_destroy(&v->lock);
	pthread_mutex_destroy(&v->fetch_lock);
	free(v);
}

size_t
api_verify_cache_size(struct api_verify *v)
{
	size_t	n;

	pthread_mutex_lock(&v->lock);
	n = v->n;
	pthread_mutex_unlock(&v->lock);
	return n;
}

int
api_verify_load_trust(struct api_verify *v, const char *trust_path,
    struct dw_err *err)
{
	struct digest_trust	t = { 0 }, old;
	int			r;

	if (trust_path != NULL &&
	    (r = digest_trust_load(trust_path, &t, err)) < 0)
		return r;
	pthread_mutex_lock(&v->lock);
	old = v->trust;
	v->trust = t;
	pthread_mutex_unlock(&v->lock);
	digest_trust_clear(&old);
	return 0;
}

/* A cached answer usable without the network: digests always, tags while fresh. */
static bool
cached_fresh(struct api_verify *v, const struct authz_settings *s,
    const char *key, bool immutable, time_t now, struct digest_facts *out,
    enum facts_src *src)
{
	struct verify_entry	*e;
	bool			 ok = false;

	const struct digest_facts *tf;

	pthread_mutex_lock(&v->lock);
	/* An imported bundle pins the name: no registry needed. */
	if ((tf = digest_trust_find(&v->trust, key)) != NULL) {
		ok = facts_copy(out, tf) == 0;
		*src = FACTS_PINNED;
	} else if ((e = entry_find(v, key)) != NULL &&
	    (immutable || now - e->fetched_at < s->refresh_seconds)) {
		ok = facts_copy(out, &e->facts) == 0;
		*src = immutable ? FACTS_PINNED : FACTS_CACHED;
	}
	pthread_mutex_unlock(&v->lock);
	return ok;
}

/* Remember a failed fetch of key (lock held); a failure to remember costs a refetch only. */
static void
fail_store(struct api_verify *v, const char *key, int r, const struct dw_err *err)
{
	struct verify_fail	*f = NULL;
	size_t			 i;

	for (i = 0; i < VERIFY_FAILS_MAX && f == NULL; i++)
		if (v->fails[i].key != NULL && strcmp(v->fails[i].key, key) == 0)
			f = &v->fails[i];
	for (i = 0; i < VERIFY_FAILS_MAX && f == NULL; i++)
		if (v->fails[i].key == NULL)
			f = &v->fails[i];
	if (f == NULL) {
		/* Full: drop the oldest. */
		f = &v->fails[0];
		for (i = 1; i < VERIFY_FAILS_MAX; i++)
			if (v->fails[i].seq < f->seq)
				f = &v->fails[i];
	}
	if (f->key == NULL || strcmp(f->key, key) != 0) {
		free(f->key);
		if ((f->key = strdup(key)) == NULL)
			return;
	}
	f->r = r;
	f->seq = v->fetch_seq;
	snprintf(f->msg, sizeof(f->msg), "%s", err->msg);
}

/* A failure of key that ended after fetch number seq0 (lock held): its r, or 0. */
static int
fail_since(struct api_verify *v, const char *key, unsigned long seq0, struct dw_err *err)
{
	size_t	i;

	for (i = 0; i < VERIFY_FAILS_MAX; i++)
		if (v->fails[i].key != NULL && v->fails[i].seq > seq0 &&
		    strcmp(v->fails[i].key, key) == 0) {
			dw_err_set(err, "%s", v->fails[i].msg);
			return v->fails[i].r;
		}
	return 0;
}

/*
 * What the registry serves for key ("name:tag" or "name@digest"), and
 * where the answer comes from (*src).  force skips a fresh cache entry
 * (background refresh).  0, -ENOENT, or -errno with err; a stale answer
 * younger than graceSeconds stands in for an unreachable registry
 * (FACTS_GRACE, with the registry's error in err).  A decision that
 * waited while another fetch of key failed takes that failure: with a
 * registry that hangs, each waiter would otherwise add a whole timeout to
 * the next one's wait.
 */
static int
facts_get(struct api_verify *v, const struct authz_settings *s, const char *key,
    bool force, struct digest_facts *out, enum facts_src *src, struct dw_err *err)
{
	struct digest_facts	 f;
	struct digest_ref	*ref;
	struct verify_entry	*e;
	time_t			 now = time(NULL);
	bool			 immutable = strchr(key, '@') != NULL;
	unsigned long		 seq0;
	int			 r;

	memset(out, 0, sizeof(*out));
	*src = FACTS_FETCHED;
	if (!force && cached_fresh(v, s, key, immutable, now, out, src)) {
		api_metrics_verify_cache(true);
		return 0;
	}
	/* A miss for a decision (the background refresh is not a lookup). */
	if (!force)
		api_metrics_verify_cache(false);
	pthread_mutex_lock(&v->lock);
	seq0 = v->fetch_seq;
	pthread_mutex_unlock(&v->lock);
	pthread_mutex_lock(&v->fetch_lock);
	/* Another decision may have fetched it while we waited. */
	if (!force && cached_fresh(v, s, key, immutable, time(NULL), out, src)) {
		/* A tag answer fetched while we waited is as fresh as our own. */
		if (*src == FACTS_CACHED)
			*src = FACTS_FETCHED;
		pthread_mutex_unlock(&v->fetch_lock);
		return 0;
	}
	r = 0;
	if (!force) {
		pthread_mutex_lock(&v->lock);
		r = fail_since(v, key, seq0, err);
		pthread_mutex_unlock(&v->lock);
	}
	if (r == 0) {
		if ((ref = digest_ref_parse(key, 0, err)) == NULL) {
			pthread_mutex_unlock(&v->fetch_lock);
			return -EINVAL;
		}
		memset(&f, 0, sizeof(f));
		r = v->ops.resolve(v->ops.ctx, ref, &f, err);
		digest_ref_free(ref);
		pthread_mutex_lock(&v->lock);
		v->fetch_seq++;
		if (r == 0)
			r = entry_store(v, key, &f, time(NULL));
		else
			fail_store(v, key, r, err);
		pthread_mutex_unlock(&v->lock);
		if (r == 0) {
			r = facts_copy(out, &f);
			digest_facts_clear(&f);
			if (r == 0)
				cache_save(v);
			pthread_mutex_unlock(&v->fetch_lock);
			return r;
		}
		digest_facts_clear(&f);
	}
	pthread_mutex_unlock(&v->fetch_lock);
	if (r == -ENOENT)
		return r;
	/* Registry unreachable or broken: a proof within the grace period stands. */
	pthread_mutex_lock(&v->lock);
	e = entry_find(v, key);
	if (e != NULL && now - e->fetched_at <= s->grace_seconds &&
	    facts_copy(out, &e->facts) == 0) {
		r = 0;
		*src = FACTS_GRACE;
	}
	pthread_mutex_unlock(&v->lock);
	return r;
}

/*
 * Ask the registry what tag key names now, knowing it named old: a HEAD of
 * the manifest, and the full facts (by the digest the HEAD gave, so a tag
 * that moves again meanwhile cannot mix two answers) only when it moved.
 * Without a head op, resolve the tag.  0 with *nf filled when it moved
 * (*moved), 0 alone when it did not, or -errno with err.
 */
static int
recheck_ask(struct api_verify *v, const char *key, const char *old,
    struct digest_facts *nf, bool *moved, struct dw_err *err)
{
	struct digest_ref	*ref, *dref = NULL;
	char			 d[DIGEST_SHA256_STRLEN], dkey[1024], *name = NULL;
	int			 r;

	*moved = false;
	memset(nf, 0, sizeof(*nf));
	if ((ref = digest_ref_parse(key, 0, err)) == NULL)
		return -EINVAL;
	if (v->ops.head == NULL) {
		if ((r = v->ops.resolve(v->ops.ctx, ref, nf, err)) == 0)
			*moved = strcmp(nf->digest, old) != 0;
		goto out;
	}
	if ((r = v->ops.head(v->ops.ctx, ref, d, err)) < 0)
		goto out;
	if (strcmp(d, old) == 0)
		goto out;
	if ((name = digest_ref_name(ref)) == NULL) {
		dw_err_set(err, "out of memory");
		r = -ENOMEM;
		goto out;
	}
	snprintf(dkey, sizeof(dkey), "%s@%s", name, d);
	if ((dref = digest_ref_parse(dkey, 0, err)) == NULL) {
		r = -EPROTO;
		goto out;
	}
	if ((r = v->ops.resolve(v->ops.ctx, dref, nf, err)) == 0)
		*moved = true;
out:
	if (r < 0)
		digest_facts_clear(nf);
	free(name);
	digest_ref_free(dref);
	digest_ref_free(ref);
	return r;
}

/*
 * A cached tag answer (*f) disagrees with a local image of its repository:
 * has the tag moved since?  Asks the registry again, at most once per key
 * per DW_VERIFY_RECHECK_S whoever asks, one fetch at a time (fetch_lock)
 * so that concurrent decisions share one question: a caller who runs a
 * stale or forged image in a loop costs one HEAD per tag per
 * DW_VERIFY_RECHECK_S, and an agreeing answer never comes here.
 * Replaces *f with the latest answer and sets *fetched to when the
 * registry last gave or confirmed it.  0, or the error of the latest
 * re-check (now or within the limit) with err: the registry could not
 * confirm the answer, and a disagreeing answer it did not confirm must
 * never turn into an allow.
 */
static int
facts_recheck(struct api_verify *v, const char *key, struct digest_facts *f,
    time_t *fetched, struct dw_err *err)
{
	struct digest_facts	 nf;
	struct verify_entry	*e;
	char			 old[DIGEST_SHA256_STRLEN];
	time_t			 now;
	bool			 moved = false, asked = false;
	int			 r;

	pthread_mutex_lock(&v->fetch_lock);
	pthread_mutex_lock(&v->lock);
	now = time(NULL);
	if ((e = entry_find(v, key)) == NULL) {
		/* Only cached answers come here, and entries are never dropped. */
		pthread_mutex_unlock(&v->lock);
		pthread_mutex_unlock(&v->fetch_lock);
		dw_err_set(err, "no cached answer for %s", key);
		return -ENOENT;
	}
	if (now >= e->checked_at && now - e->checked_at < DW_VERIFY_RECHECK_S) {
		/* Asked lately: its answer, or its failure unless fetched since. */
		r = e->check_r;
		if (r < 0)
			dw_err_set(err, "%s", e->check_msg);
	} else {
		asked = true;
		e->checked_at = now;
		snprintf(old, sizeof(old), "%s", e->facts.digest);
		pthread_mutex_unlock(&v->lock);
		r = recheck_ask(v, key, old, &nf, &moved, err);
		pthread_mutex_lock(&v->lock);
		/* Entries are added (moved) only under fetch_lock, which we hold. */
		e = entry_find(v, key);
		if (r == 0 && moved &&
		    (r = entry_store(v, key, &nf, time(NULL))) < 0)
			dw_err_set(err, "out of memory");
		else if (r == 0 && !moved)
			e->fetched_at = time(NULL);	/* confirmed: as good as fetched */
		e->check_r = r;
		if (r < 0)
			snprintf(e->check_msg, sizeof(e->check_msg), "%s", err->msg);
		digest_facts_clear(&nf);
	}
	digest_facts_clear(f);
	if (facts_copy(f, &e->facts) < 0 && r == 0) {
		dw_err_set(err, "out of memory");
		r = -ENOMEM;
	}
	*fetched = e->fetched_at;
	pthread_mutex_unlock(&v->lock);
	if (asked && r == 0)
		cache_save(v);
	pthread_mutex_unlock(&v->fetch_lock);
	return r;
}

/* Verification state for one request. */
struct vstate {
	struct api_verify		*v;
	const struct authz_settings	*s;
	struct digest_identity		 img;
	struct digest_ref		*req;		/* the request's reference, NULL for an Id */
	char				*req_name;	/* its "domain/path" */
	struct dw_err			 fail;		/* first registry failure */
	bool				 failed;
	struct dw_err			 why;		/* best explanation of a mismatch */
	bool				 have_why;
	struct dw_err			 stale;		/* a mismatch the registry could not re-check */
	bool				 have_stale;
};

/*
 * The registry key of entry e for repository name: "name@digest" or
 * "name:tag".  For entries that name one repository (no "*", not "repo:*"),
 * pass e->name.
 */
static void
entry_key(const struct authz_image_entry *e, const char *name, char *key,
    size_t len)
{
	if (e->digest != NULL)
		snprintf(key, len, "%s@%s", name, e->digest);
	else
		snprintf(key, len, "%s:%s", name, e->tag);
}

/* True for an entry that names exactly one repository and tag or digest. */
static bool
entry_is_single(const struct authz_image_entry *e)
{
	return !e->any_image && !e->any_tag && strchr(e->name, '*') == NULL;
}

int
api_verify_entry_key(const struct authz_image_entry *e, char *key, size_t len)
{
	if (!entry_is_single(e))
		return -ENOENT;
	entry_key(e, e->name, key, len);
	return 0;
}

/* Candidate repository names for an entry: itself, or local names matching its pattern. */
static int
entry_names(struct vstate *st, const struct authz_image_entry *e, struct dw_strv *names)
{
	struct digest_ref	*rd;
	char			*n;
	size_t			 i;

	if (strchr(e->name, '*') == NULL)
		return dw_strv_push(names, e->name);
	for (i = 0; i < st->img.repo_digests.n; i++) {
		if ((rd = digest_ref_parse(st->img.repo_digests.v[i], 0, NULL)) == NULL)
			continue;
		n = digest_ref_name(rd);
		if (n != NULL && digest_ref_name_matches(e->name, n) && !dw_strv_contains(names, n))
			dw_strv_push(names, n);
		free(n);
		digest_ref_free(rd);
	}
	return 0;
}

/*
 * Facts for key and where they come from; failures are remembered for the
 * final message.  With FACTS_GRACE, err (may be NULL) gets the registry's
 * error.
 */
static bool
entry_facts(struct vstate *st, const char *key, struct digest_facts *f,
    enum facts_src *src, struct dw_err *gerr)
{
	struct dw_err	err;
	int		r;

	r = facts_get(st->v, st->s, key, false, f, src, &err);
	if (r == 0 && *src == FACTS_GRACE && gerr != NULL)
		*gerr = err;
	if (r == 0)
		return true;
	if (!st->failed && r != -ENOENT) {
		st->failed = true;
		dw_err_set(&st->fail, "could not verify %s with its registry: %s", key,
		    err.msg);
	}
	return false;
}

/*
 * Does the local image say it is of repository name: the request names it,
 * or one of its RepoDigests does?  Only a hint of which answers to re-check.
 */
static bool
image_claims(struct vstate *st, const char *name)
{
	struct digest_ref	*rd;
	char			*n;
	bool			 yes = false;
	size_t			 i;

	if (st->req_name != NULL && strcmp(st->req_name, name) == 0)
		return true;
	for (i = 0; i < st->img.repo_digests.n && !yes; i++) {
		if ((rd = digest_ref_parse(st->img.repo_digests.v[i], 0, NULL)) == NULL)
			continue;
		n = digest_ref_name(rd);
		yes = n != NULL && strcmp(n, name) == 0;
		free(n);
		digest_ref_free(rd);
	}
	return yes;
}

/* When the cached answer for key was fetched (now if none). */
static time_t
entry_fetched_at(struct api_verify *v, const char *key)
{
	struct verify_entry	*e;
	time_t			 t = time(NULL);

	pthread_mutex_lock(&v->lock);
	if ((e = entry_find(v, key)) != NULL)
		t = e->fetched_at;
	pthread_mutex_unlock(&v->lock);
	return t;
}

/*
 * A tag answer f disagrees with the local image, which claims the tag's
 * repository: the tag may have moved upstream since we cached f, and the
 * image be the one a `docker pull` just fetched.  Re-check a cached answer
 * with the registry (rate-limited, see facts_recheck); an answer the
 * registry could not confirm just now (src FACTS_GRACE, or a failed
 * re-check) never allows and is explained in st->stale.  True when the
 * image equals the latest answer, which is left in *f.
 */
static bool
entry_recheck(struct vstate *st, const char *key, struct digest_facts *f,
    enum facts_src src, const struct dw_err *gerr, time_t *fetched)
{
	struct dw_err	err;
	int		r;

	if (src == FACTS_GRACE) {
		r = -EIO;
		err = *gerr;
		*fetched = entry_fetched_at(st->v, key);
	} else if (src != FACTS_CACHED)
		return false;
	else if ((r = facts_recheck(st->v, key, f, fetched, &err)) == 0)
		return digest_identity_matches(&st->img, f);
	if (!st->have_stale) {
		st->have_stale = true;
		dw_err_set(&st->stale, "local %s is %s, which differs from what the "
		    "registry served for it (%s) %lds ago, and asking the registry "
		    "again failed: %.200s. Retry when the registry is reachable",
		    key, st->img.id, f->digest, (long)(time(NULL) - *fetched), err.msg);
	}
	return false;
}

/* Does the local image equal what entry e names in the registry? */
static bool
entry_proves(struct vstate *st, const struct authz_image_entry *e)
{
	struct digest_facts	 f;
	struct dw_strv		 names = { 0 };
	struct digest_ref	*rd;
	struct dw_err		 gerr;
	enum facts_src		 src;
	time_t			 fetched;
	char			 key[1024], asked[64], *n;
	bool			 ok = false;
	size_t			 i, k;

	if (e->any_image)
		return true;
	if (e->any_tag) {
		/* repo:* : a local RepoDigest of that repo, served there, same content. */
		for (i = 0; i < st->img.repo_digests.n && !ok; i++) {
			if ((rd = digest_ref_parse(st->img.repo_digests.v[i], 0, NULL)) == NULL)
				continue;
			n = digest_ref_name(rd);
			if (n != NULL && rd->digest != NULL && digest_ref_name_matches(e->name, n)) {
				snprintf(key, sizeof(key), "%s@%s", n, rd->digest);
				if (entry_facts(st, key, &f, &src, NULL)) {
					ok = digest_identity_matches(&st->img, &f);
					digest_facts_clear(&f);
				}
			}
			free(n);
			digest_ref_free(rd);
		}
		return ok;
	}
	if (entry_names(st, e, &names) < 0)
		return false;
	for (k = 0; k < names.n && !ok; k++) {
		entry_key(e, names.v[k], key, sizeof(key));
		if (!entry_facts(st, key, &f, &src, &gerr))
			continue;
		ok = digest_identity_matches(&st->img, &f);
		fetched = time(NULL);
		/* Agreeing answers stay on the warm path: no registry here. */
		if (!ok && image_claims(st, names.v[k]))
			ok = entry_recheck(st, key, &f, src, &gerr, &fetched);
		/* The request named this entry but the content differs: say so. */
		if (!ok && !st->have_why && st->req_name != NULL &&
		    strcmp(st->req_name, names.v[k]) == 0) {
			st->have_why = true;
			asked[0] = '\0';
			if (src == FACTS_CACHED || src == FACTS_FETCHED)
				snprintf(asked, sizeof(asked), " (asked %lds ago)",
				    (long)(time(NULL) - fetched));
			dw_err_set(&st->why, "local %s is %s, but the registry serves %s "
			    "(%s) for it%s; run `docker pull %s` to get the approved "
			    "image", key, st->img.id, f.configs.n > 0 &&
			    !st->img.containerd ? f.configs.v[0] : f.digest, f.digest,
			    asked, key);
		}
		digest_facts_clear(&f);
	}
	dw_strv_clear(&names);
	return ok;
}

/* allowDerivedImages: a local-only image built FROM a present, proven base. */
static bool
derived_proves(struct vstate *st, const struct authz_image_entry *e)
{
	struct digest_facts	 f;
	struct digest_identity	 base;
	struct dw_strv		*ids;
	struct dw_err		 err;
	enum facts_src		 src;
	json_t			*j;
	char			 key[1024];
	bool			 ok = false;
	size_t			 i;

	if (!entry_is_single(e))
		return false;	/* no single base to look for */
	entry_key(e, e->name, key, sizeof(key));
	if (!entry_facts(st, key, &f, &src, NULL))
		return false;
	/* The proven base, if present locally, has one of these Ids. */
	ids = st->img.containerd ? &f.manifests : &f.configs;
	for (i = 0; i < ids->n && !ok; i++) {
		if (st->v->ops.image_inspect(st->v->ops.ctx, ids->v[i], &j, &err) < 0)
			continue;
		if (digest_identity_from_inspect(j, &base, &err) == 0) {
			ok = strcmp(base.id, ids->v[i]) == 0 &&
			    digest_identity_derived_from(&st->img, &base);
			digest_identity_clear(&base);
		}
		json_decref(j);
	}
	digest_facts_clear(&f);
	return ok;
}

int
api_verify_image(struct api_verify *v, const struct authz_settings *s,
    const char *image, struct dw_err *err)
{
	struct vstate	 st;
	struct dw_err	 ierr;
	json_t		*j = NULL;
	size_t		 i;
	int		 r;

	memset(&st, 0, sizeof(st));
	st.v = v;
	st.s = s;
	for (i = 0; i < s->nimages; i++)
		if (s->images[i].any_image)
			return 0;
	if (image == NULL || image[0] == '\0') {
		dw_err_set(err, "the container names no image");
		return -EACCES;
	}
	if ((st.req = digest_ref_parse(image, 0, NULL)) != NULL)
		st.req_name = digest_ref_name(st.req);
	r = v->ops.image_inspect(v->ops.ctx, image, &j, &ierr);
	if (r == -ENOENT) {
		dw_err_set(err, "image \"%s\" is not present on this host, so its "
		    "digest cannot be checked; pull it first", image);
		r = -EACCES;
		goto out;
	}
	/* Not the registry's fault: say what to wait for. */
	if (r < 0) {
		dw_err_set(err, "cannot inspect image \"%s\": %s. Retry when dockward "
		    "reaches dockerd", image, ierr.msg);
		goto out;
	}
	if ((r = digest_identity_from_inspect(j, &st.img, &ierr)) < 0) {
		dw_err_set(err, "dockerd's answer for image \"%s\" is unusable: %s. "
		    "Retry when dockerd answers normally", image, ierr.msg);
		goto out;
	}
	for (i = 0; i < s->nimages; i++)
		if (entry_proves(&st, &s->images[i])) {
			r = 0;
			goto out;
		}
	if (s->allow_derived && st.img.repo_digests.n == 0)
		for (i = 0; i < s->nimages; i++)
			if (derived_proves(&st, &s->images[i])) {
				r = 0;
				goto out;
			}
	if (st.have_stale) {
		dw_err_set(err, "%s", st.stale.msg);
		r = -EIO;
	} else if (st.failed) {
		dw_err_set(err, "%s; no proof younger than %lds is cached. Retry when "
		    "the registry is reachable", st.fail.msg, s->grace_seconds);
		r = -EIO;
	} else if (st.have_why) {
		dw_err_set(err, "%s", st.why.msg);
		r = -EACCES;
	} else {
		dw_err_set(err, "image \"%s\" (%s) is not in the allowed list%s", image,
		    st.img.id, s->allow_derived ? " nor derived from an image in it" : "");
		r = -EACCES;
	}
out:
	json_decref(j);
	digest_identity_clear(&st.img);
	free(st.req_name);
	digest_ref_free(st.req);
	return r;
}

void
api_verify_refresh(struct api_verify *v, const struct authz_settings *s)
{
	struct digest_facts	 f;
	struct verify_entry	*e;
	struct dw_err		 err;
	enum facts_src		 src;
	char			 key[1024];
	time_t			 now = time(NULL), age;
	size_t			 i;
	bool			 pinned;

	for (i = 0; i < s->nimages; i++) {
		const struct authz_image_entry *ie = &s->images[i];

		if (!entry_is_single(ie))
			continue;
		entry_key(ie, ie->name, key, sizeof(key));
		pthread_mutex_lock(&v->lock);
		pinned = digest_trust_find(&v->trust, key) != NULL;
		e = entry_find(v, key);
		age = e ? now - e->fetched_at : -1;
		pthread_mutex_unlock(&v->lock);
		if (pinned || (e != NULL &&
		    (ie->digest != NULL || age * 5 < s->refresh_seconds * 4)))
			continue;
		if (facts_get(v, s, key, true, &f, &src, &err) == 0)
			digest_facts_clear(&f);
	}
}
