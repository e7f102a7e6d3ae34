/*
 * Unit tests for authz_pathcache.c: every answer is compared with full
 * resolution at the same moment (a cache with no window), across the
 * changes an attacker or a user makes between two decisions: a source or
 * an ancestor swapped for a symlink, renamed, deleted and made again, its
 * mode or owner changed, within the window and after it; a source reached
 * through a symlink is never cached; the size stays bounded; concurrent
 * lookups; under a host root (dw_path_root_set()).  Then whole decisions
 * (authz_mount through the process's cache) across the same swaps.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "authz/authz_uri.h"
#include "authz/authz_decide.h"
#include "authz/authz_pathcache.h"
#include "authz/authz_settings.h"
#include "common/dw_path.h"
#include "fake_facts.h"

/* Short windows so that "after the window" is quick; the slack stays above ctime granularity. */
#define WIN_MS		300
#define SLACK_MS	100

static char	T[64];		/* this test's directory */
/*
 * Root owns every directory from / to T (the tests run as root): entries
 * are cached at once.  Otherwise /tmp's ctime decides, and a busy /tmp
 * keeps the cache out of the way: every answer is still checked against
 * full resolution, only whether it was a hit is not.
 */
static bool	expect_hits;

/* rel was answered from the cache (when the fixture allows it), correctly. */
#define HIT(pc, rel)	do {						\
	int hit_ = check(pc, rel);					\
	if (expect_hits)						\
		assert_int_equal(hit_, 1);				\
} while (0)

static void
msleep(long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static const char *
tp(char *buf, const char *rel)
{
	snprintf(buf, PATH_MAX, "%s/%s", T, rel);
	return buf;
}

static void
mk(const char *rel)
{
	char	p[PATH_MAX];

	assert_int_equal(mkdir(tp(p, rel), 0755), 0);
}

static void
ln(const char *target, const char *rel)
{
	char	p[PATH_MAX];

	assert_int_equal(symlink(target, tp(p, rel)), 0);
}

static void
mv(const char *from, const char *to)
{
	char	a[PATH_MAX], b[PATH_MAX];

	assert_int_equal(rename(tp(a, from), tp(b, to)), 0);
}

/* T with a/b/c, a file f, and lnk -> a; old enough for the slack. */
static int
setup(void **state)
{
	struct stat	st;
	char		p[PATH_MAX];
	FILE		*f;

	(void)state;
	snprintf(T, sizeof(T), "/tmp/dw-pathcache.XXXXXX");
	if (mkdtemp(T) == NULL || chmod(T, 0755) != 0 || stat(T, &st) != 0)
		return -1;
	expect_hits = geteuid() == 0 && st.st_uid == 0;
	if (mkdir(tp(p, "a"), 0755) != 0 || mkdir(tp(p, "a/b"), 0755) != 0 ||
	    mkdir(tp(p, "a/b/c"), 0755) != 0 || symlink("a", tp(p, "lnk")) != 0 ||
	    (f = fopen(tp(p, "f"), "w")) == NULL)
		return -1;
	fclose(f);
	msleep(SLACK_MS + 50);
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[128];

	(void)state;
	dw_path_root_set(NULL, NULL);
	if (strncmp(T, "/tmp/dw-pathcache.", 18) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", T);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup of %s failed\n", T);
	}
	return 0;
}

/* Full resolution now: a cache whose entries are never fresh. */
static void
full(const char *clean, struct authz_pathcache_src *ret)
{
	struct authz_pathcache	*none = authz_pathcache_new(0, SLACK_MS, 4);

	assert_non_null(none);
	authz_pathcache_resolve(none, clean, ret);
	authz_pathcache_free(none);
}

/* The answers the rules read are the same. */
static void
assert_same(const struct authz_pathcache_src *got, const struct authz_pathcache_src *want)
{
	size_t	i;

	assert_string_equal(got->real, want->real);
	assert_int_equal(got->exists, want->exists);
	if (!want->exists) {
		assert_int_equal(got->err, want->err);
		return;
	}
	assert_true(got->st.st_dev == want->st.st_dev);
	assert_true(got->st.st_ino == want->st.st_ino);
	assert_int_equal(got->st.st_mode, want->st.st_mode);
	assert_int_equal(got->st.st_uid, want->st.st_uid);
	assert_int_equal(got->nchain, want->nchain);
	for (i = 0; i < want->nchain; i++) {
		assert_true(got->chain[i].dev == want->chain[i].dev);
		assert_true(got->chain[i].ino == want->chain[i].ino);
	}
}

/* Resolve rel through pc, check it against full resolution; 1 for a hit. */
static int
check(struct authz_pathcache *pc, const char *rel)
{
	struct authz_pathcache_src	*got, *want;
	struct authz_pathcache_stats	 a, b;
	char				 p[PATH_MAX];

	got = malloc(sizeof(*got));
	want = malloc(sizeof(*want));
	assert_non_null(got);
	assert_non_null(want);
	authz_pathcache_stats(pc, &a);
	authz_pathcache_resolve(pc, rel[0] == '/' ? rel : tp(p, rel), got);
	authz_pathcache_stats(pc, &b);
	full(rel[0] == '/' ? rel : tp(p, rel), want);
	assert_same(got, want);
	free(got);
	free(want);
	return b.hits > a.hits;
}

static struct authz_pathcache *
pc_new(void)
{
	struct authz_pathcache	*pc = authz_pathcache_new(WIN_MS, SLACK_MS, DW_PATHCACHE_MAX);

	assert_non_null(pc);
	return pc;
}

/* Within the window the second lookup is one statx; after it, resolved again. */
static void
test_window(void **state)
{
	struct authz_pathcache		*pc = pc_new();
	struct authz_pathcache_stats	 st;

	(void)state;
	assert_int_equal(check(pc, "a/b/c"), 0);
	HIT(pc, "a/b/c");
	assert_int_equal(check(pc, "f"), 0);
	HIT(pc, "f");
	HIT(pc, "a/b/c");
	msleep(WIN_MS + 50);
	assert_int_equal(check(pc, "a/b/c"), 0);
	HIT(pc, "a/b/c");
	authz_pathcache_stats(pc, &st);
	if (expect_hits) {
		assert_int_equal(st.fills, 3);
		assert_int_equal(st.entries, 2);
	}
	authz_pathcache_free(pc);
}

/*
 * Host-root lookups need openat2(), which valgrind 3.19 does not know
 * (ENOSYS; dockward serve --host-root then refuses to start): such a test
 * is skipped under it, and runs everywhere else.
 */
static void
skip_without_openat2(void)
{
	if (dw_path_root_set("/", NULL) == -ENOSYS)
		skip();
	assert_int_equal(dw_path_root_set(NULL, NULL), 0);
}

/*
 * Under a host root (T standing for the host's "/"): host paths are T's,
 * cached and checked in T; an absolute symlink swapped in leads to T's
 * directory, not this process's.
 */
static void
test_host_root(void **state)
{
	struct authz_pathcache		*pc;
	struct authz_pathcache_src	*got;
	struct stat			 st;
	char				 p[PATH_MAX];

	(void)state;
	skip_without_openat2();		/* before anything is allocated: skip() leaves at once */
	pc = pc_new();
	got = malloc(sizeof(*got));
	assert_non_null(got);
	ln("/a/b", "abs");
	assert_int_equal(dw_path_root_set(T, NULL), 0);
	assert_int_equal(check(pc, "/a/b/c"), 0);
	HIT(pc, "/a/b/c");
	authz_pathcache_resolve(pc, "/a/b/c", got);
	assert_true(got->exists);
	assert_string_equal(got->real, "/a/b/c");
	assert_int_equal(stat(tp(p, "a/b/c"), &st), 0);
	assert_true(got->st.st_dev == st.st_dev && got->st.st_ino == st.st_ino);
	assert_int_equal(got->nchain, 4);	/* c, b, a and T as "/" */
	assert_int_equal(stat(T, &st), 0);
	assert_true(got->chain[3].dev == st.st_dev && got->chain[3].ino == st.st_ino);
	/* Through an absolute symlink: T's /a/b, resolved in full each time. */
	assert_int_equal(check(pc, "/abs/c"), 0);
	assert_int_equal(check(pc, "/abs/c"), 0);
	authz_pathcache_resolve(pc, "/abs/c", got);
	assert_string_equal(got->real, "/a/b/c");
	/* Swapped for an absolute symlink within the window: T's /a. */
	mv("a/b/c", "c.old");
	ln("/a", "a/b/c");
	assert_int_equal(check(pc, "/a/b/c"), 0);
	authz_pathcache_resolve(pc, "/a/b/c", got);
	assert_string_equal(got->real, "/a");
	assert_int_equal(stat(tp(p, "a"), &st), 0);
	assert_true(got->st.st_ino == st.st_ino);
	/* Our own tree again: T's host paths are not there. */
	assert_int_equal(dw_path_root_set(NULL, NULL), 0);
	authz_pathcache_resolve(pc, "/abs/c", got);
	assert_false(got->exists);
	free(got);
	authz_pathcache_free(pc);
}

/* A path with a symlink component, or one that does not exist, is resolved in full each time. */
static void
test_not_cached(void **state)
{
	struct authz_pathcache		*pc = pc_new();
	struct authz_pathcache_stats	 st;
	int				 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(check(pc, "lnk/b/c"), 0);
		assert_int_equal(check(pc, "lnk"), 0);
		assert_int_equal(check(pc, "a/b/c/missing/x"), 0);
		assert_int_equal(check(pc, "f/x"), 0);	/* ENOTDIR */
	}
	authz_pathcache_stats(pc, &st);
	assert_int_equal(st.fills, 0);
	assert_int_equal(st.entries, 0);
	/* Made within the window: seen at once. */
	mk("a/b/c/missing");
	mk("a/b/c/missing/x");
	assert_int_equal(check(pc, "a/b/c/missing/x"), 0);
	authz_pathcache_free(pc);
}

/*
 * The source itself swapped for a symlink within the window: to /etc, and
 * to the very directory it was (moved away).  Only lstat tells the second
 * one: stat would find the same device and inode.
 */
static void
test_source_symlink(void **state)
{
	struct authz_pathcache		*pc = pc_new();
	struct authz_pathcache_src	 src;
	char				 p[PATH_MAX];

	(void)state;
	assert_int_equal(check(pc, "a/b/c"), 0);
	HIT(pc, "a/b/c");
	mv("a/b/c", "a/b/c.old");
	ln("/etc", "a/b/c");
	assert_int_equal(check(pc, "a/b/c"), 0);
	authz_pathcache_resolve(pc, tp(p, "a/b/c"), &src);
	assert_string_equal(src.real, "/etc");
	/* Back to the directory: cached again. */
	assert_int_equal(unlink(tp(p, "a/b/c")), 0);
	mv("a/b/c.old", "a/b/c");
	assert_int_equal(check(pc, "a/b/c"), 0);
	HIT(pc, "a/b/c");
	/* From the cached entry, straight to a symlink to the same directory. */
	mv("a/b/c", "a/b/c.old");
	ln("c.old", "a/b/c");
	assert_int_equal(check(pc, "a/b/c"), 0);
	authz_pathcache_resolve(pc, tp(p, "a/b/c"), &src);
	assert_string_equal(src.real, tp(p, "a/b/c.old"));
	assert_int_equal(unlink(tp(p, "a/b/c")), 0);
	mv("a/b/c.old", "a/b/c");
	authz_pathcache_free(pc);
}

/* Renamed away, deleted and made again, replaced by a file: never the old answer. */
static void
test_rename_recreate(void **state)
{
	struct authz_pathcache	*pc = pc_new();
	char			 p[PATH_MAX];
	FILE			*f;

	(void)state;
	assert_int_equal(check(pc, "a/b/c"), 0);
	mv("a/b/c", "a/b/d");
	assert_int_equal(check(pc, "a/b/c"), 0);	/* ENOENT now */
	assert_int_equal(check(pc, "a/b/d"), 0);
	assert_int_equal(rmdir(tp(p, "a/b/d")), 0);
	mk("a/b/c");	/* a new inode, or the old number reused: the same answer as full */
	check(pc, "a/b/c");
	HIT(pc, "a/b/c");
	assert_int_equal(rmdir(tp(p, "a/b/c")), 0);
	assert_non_null(f = fopen(tp(p, "a/b/c"), "w"));
	fclose(f);
	assert_int_equal(check(pc, "a/b/c"), 0);
	assert_int_equal(unlink(tp(p, "a/b/c")), 0);
	mk("a/b/c");
	authz_pathcache_free(pc);
}

/* A mode or owner change is seen at once (the root-owned socket rule reads the owner). */
static void
test_mode_owner(void **state)
{
	struct authz_pathcache	*pc = pc_new();
	char			 p[PATH_MAX];
	int			 fd;

	(void)state;
	assert_int_equal(check(pc, "a/b/c"), 0);
	HIT(pc, "a/b/c");
	assert_int_equal(chmod(tp(p, "a/b/c"), 0700), 0);
	assert_int_equal(check(pc, "a/b/c"), 0);
	HIT(pc, "a/b/c");
	assert_int_equal(chmod(tp(p, "a/b/c"), 0755), 0);
	assert_int_equal(check(pc, "a/b/c"), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(tp(p, "a/b/c"), 1, 1), 0);
		assert_int_equal(check(pc, "a/b/c"), 0);
		assert_int_equal(chown(tp(p, "a/b/c"), 0, 0), 0);
		assert_int_equal(check(pc, "a/b/c"), 0);
	}
	/* A file replaced by a unix socket of the same name. */
	assert_int_equal(check(pc, "f"), 0);
	HIT(pc, "f");
	assert_int_equal(unlink(tp(p, "f")), 0);
	assert_true((fd = fake_make_socket(tp(p, "f"))) >= 0);
	assert_int_equal(check(pc, "f"), 0);
	close(fd);
	assert_int_equal(unlink(tp(p, "f")), 0);
	authz_pathcache_free(pc);
}

/*
 * An ancestor renamed away and replaced by a symlink to it, or by another
 * directory holding the same source, in a directory others can write: its
 * ctime moved, so the source is resolved again.
 */
static void
test_ancestor_swap(void **state)
{
	struct authz_pathcache		*pc = pc_new();
	struct authz_pathcache_src	 src;
	struct authz_pathcache_stats	 st0, st1;
	char				 p[PATH_MAX];

	(void)state;
	assert_int_equal(chmod(T, 0777), 0);	/* anyone may rename a */
	msleep(SLACK_MS + 50);
	assert_int_equal(check(pc, "a/b/c"), 0);
	HIT(pc, "a/b/c");
	mv("a", "a2");
	ln("a2", "a");
	assert_int_equal(check(pc, "a/b/c"), 0);
	authz_pathcache_resolve(pc, tp(p, "a/b/c"), &src);
	assert_string_equal(src.real, tp(p, "a2/b/c"));
	/* A new a holding the same b (and c): the chain differs. */
	assert_int_equal(unlink(tp(p, "a")), 0);
	mk("a");
	mv("a2/b", "a/b");
	assert_int_equal(check(pc, "a/b/c"), 0);
	assert_int_equal(rmdir(tp(p, "a2")), 0);
	/* Right after a change, the directory's ctime is too recent to cache. */
	authz_pathcache_stats(pc, &st0);
	assert_int_equal(check(pc, "a/b/c"), 0);
	assert_int_equal(check(pc, "a/b/c"), 0);
	authz_pathcache_stats(pc, &st1);
	assert_int_equal(st1.fills, st0.fills);
	msleep(SLACK_MS + 50);
	assert_int_equal(check(pc, "a/b/c"), 0);
	HIT(pc, "a/b/c");
	/* Any change in T, even an unrelated one, resolves again. */
	mk("other");
	assert_int_equal(check(pc, "a/b/c"), 0);
	assert_int_equal(rmdir(tp(p, "other")), 0);
	assert_int_equal(chmod(T, 0755), 0);
	authz_pathcache_free(pc);
}

/*
 * What the header says it cannot see: root renaming an ancestor in a
 * directory only root can change, leaving a symlink to it.  The answer
 * keeps the old name (the same object) until the window ends.
 */
static void
test_root_only_ancestor(void **state)
{
	struct authz_pathcache		*pc = pc_new();
	struct authz_pathcache_src	 src;
	struct stat			 st;
	char				 p[PATH_MAX];

	(void)state;
	if (geteuid() != 0 || stat(T, &st) != 0 || st.st_uid != 0)
		skip();
	assert_int_equal(check(pc, "a/b/c"), 0);
	mv("a", "a2");
	ln("a2", "a");
	authz_pathcache_resolve(pc, tp(p, "a/b/c"), &src);
	assert_string_equal(src.real, tp(p, "a/b/c"));	/* stale: root's own change */
	msleep(WIN_MS + 50);
	authz_pathcache_resolve(pc, tp(p, "a/b/c"), &src);
	assert_string_equal(src.real, tp(p, "a2/b/c"));
	assert_int_equal(unlink(tp(p, "a")), 0);
	mv("a2", "a");
	authz_pathcache_free(pc);
}

/* More paths than entries: bounded, oldest replaced, answers still right. */
static void
test_bounded(void **state)
{
	struct authz_pathcache		*pc = authz_pathcache_new(WIN_MS, SLACK_MS, 4);
	struct authz_pathcache_stats	 st;
	char				 rel[32], p[PATH_MAX];
	int				 i, k;

	(void)state;
	assert_non_null(pc);
	for (i = 0; i < 10; i++) {
		snprintf(rel, sizeof(rel), "n%d", i);
		assert_int_equal(mkdir(tp(p, rel), 0755), 0);
	}
	for (k = 0; k < 3; k++)
		for (i = 0; i < 10; i++) {
			snprintf(rel, sizeof(rel), "n%d", i);
			check(pc, rel);
			authz_pathcache_stats(pc, &st);
			assert_true(st.entries <= 4);
		}
	/* The last four are held: hits. */
	for (i = 6; i < 10; i++) {
		snprintf(rel, sizeof(rel), "n%d", i);
		HIT(pc, rel);
	}
	for (i = 0; i < 10; i++) {
		snprintf(rel, sizeof(rel), "n%d", i);
		rmdir(tp(p, rel));
	}
	authz_pathcache_free(pc);
	/* The process's own cache is capped too. */
	assert_true(DW_PATHCACHE_MAX >= 4);
}

struct worker {
	struct authz_pathcache	*pc;
	int			 bad;
};

static void *
worker(void *arg)
{
	static const char *const rels[] = { "a/b/c", "a/b", "a", "f", "n0", "n1", "lnk/b" };
	struct worker			*w = arg;
	struct authz_pathcache_src	*src = malloc(sizeof(*src));
	char				 p[PATH_MAX];
	size_t				 i, k;

	if (src == NULL) {
		w->bad++;
		return NULL;
	}
	for (i = 0; i < 3000; i++) {
		k = i % (sizeof(rels) / sizeof(rels[0]));
		authz_pathcache_resolve(w->pc, tp(p, rels[k]), src);
		/* The fixture does not change here: every answer is the full one. */
		if (!src->exists || strcmp(src->real, strcmp(rels[k], "lnk/b") == 0 ?
		    tp(p, "a/b") : tp(p, rels[k])) != 0)
			w->bad++;
	}
	free(src);
	return NULL;
}

/* Threads sharing a cache smaller than their paths (run under ASan/TSan too). */
static void
test_threads(void **state)
{
	struct authz_pathcache	*pc = authz_pathcache_new(WIN_MS, SLACK_MS, 3);
	struct worker		 w[4];
	pthread_t		 t[4];
	char			 p[PATH_MAX];
	int			 i;

	(void)state;
	assert_non_null(pc);
	mk("n0");
	mk("n1");
	msleep(SLACK_MS + 50);
	for (i = 0; i < 4; i++) {
		w[i].pc = pc;
		w[i].bad = 0;
		assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].bad, 0);
	}
	rmdir(tp(p, "n0"));
	rmdir(tp(p, "n1"));
	authz_pathcache_free(pc);
}

/*
 * Whole decisions through the process's cache (authz_mount): a project
 * bind allowed, then, within the window, its source swapped for a symlink
 * to /etc, to the engine socket, and an ancestor swapped: each refused.
 */
static void
test_decisions(void **state)
{
	static const struct fake_case ok = FAKE_POST("project", "/v1.41/containers/create",
	    "{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"@T@/pc/proj:/src\"]}}", "allow");
	static const struct fake_case etc = FAKE_POST("swapped to /etc", "/v1.41/containers/create",
	    "{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"@T@/pc/proj:/src\"]}}",
	    "mount.protectedPath");
	static const struct fake_case sock = FAKE_POST("swapped to the socket", "/v1.41/containers/create",
	    "{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"@T@/pc/proj:/src\"]}}",
	    "mount.dockerSocket");
	static const struct fake_case deep = FAKE_POST("ancestor swapped", "/v1.41/containers/create",
	    "{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"@T@/pc/proj/passwd:/src\"]}}",
	    "mount.protectedPath");
	static const struct fake_case deepok = FAKE_POST("deep project", "/v1.41/containers/create",
	    "{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"@T@/pc/proj/passwd:/src\"]}}",
	    "allow");
	struct authz_pathcache_stats	 a, b;
	struct authz_decision		 d;
	struct stat			 st;
	char				 p[PATH_MAX], q[PATH_MAX];
	FILE				*f;
	int				 i;

	(void)state;
	snprintf(p, sizeof(p), "%s/pc", fake_dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/pc/proj", fake_dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/pc/proj/passwd", fake_dir);
	assert_non_null(f = fopen(p, "w"));
	fclose(f);
	authz_pathcache_stats(NULL, &a);
	for (i = 0; i < 3; i++) {
		fake_rules_run(fake_rules_policy, &ok, &d);
		fake_expect_rule(ok.name, ok.rule, &d);
		fake_rules_run(fake_rules_policy, &deepok, &d);
		fake_expect_rule(deepok.name, deepok.rule, &d);
	}
	authz_pathcache_stats(NULL, &b);
	if (geteuid() == 0 && stat(fake_dir, &st) == 0 && st.st_uid == 0)
		assert_true(b.hits > a.hits);	/* root's directories all the way: cached at once */
	/* The source becomes a symlink to /etc. */
	snprintf(p, sizeof(p), "%s/pc/proj", fake_dir);
	snprintf(q, sizeof(q), "%s/pc/proj.old", fake_dir);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(symlink("/etc", p), 0);
	fake_rules_run(fake_rules_policy, &etc, &d);
	fake_expect_rule(etc.name, etc.rule, &d);
	/* proj/passwd now is /etc/passwd: the ancestor swapped. */
	fake_rules_run(fake_rules_policy, &deep, &d);
	fake_expect_rule(deep.name, deep.rule, &d);
	/* A symlink to the engine socket. */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink(fake_sock, p), 0);
	fake_rules_run(fake_rules_policy, &sock, &d);
	fake_expect_rule(sock.name, sock.rule, &d);
	/* Back to the project directory. */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(rename(q, p), 0);
	fake_rules_run(fake_rules_policy, &ok, &d);
	fake_expect_rule(ok.name, ok.rule, &d);
	fake_rules_run(fake_rules_policy, &deepok, &d);
	fake_expect_rule(deepok.name, deepok.rule, &d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_cached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_recreate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ancestor_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_only_ancestor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test(test_decisions),
	};

	return cmocka_run_group_tests_name("authz_pathcache", tests,
	    fake_rules_setup, fake_rules_teardown);
}
