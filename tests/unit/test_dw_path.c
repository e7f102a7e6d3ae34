/*
 * Unit tests for dw_path: lexical cleaning of "//", ".", "..", a trailing
 * '/', relative input, an embedded NUL, and output cut to its buffer
 * (table driven); "at or under" (table driven); resolving the existing
 * prefix of a path through symlinks in a temporary directory; host paths
 * under a host root (dw_path_root_set()), as a chroot: absolute and
 * relative symlinks, ".." at the root, loops, missing components, magic
 * links, the root's own checks.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/dw_path.h"

struct clean_case {
	const char	*in;
	const char	*out;
};

static const struct clean_case cases[] = {
	{ "", "/" },
	{ "/", "/" },
	{ "//", "/" },
	{ "///", "/" },
	{ "/a", "/a" },
	{ "/a/", "/a" },
	{ "/a//", "/a" },
	{ "//a//b//", "/a/b" },
	{ "/a/b/c", "/a/b/c" },
	/* "." is no component. */
	{ "/.", "/" },
	{ "/./", "/" },
	{ "/a/./b/.", "/a/b" },
	{ "/a/.//./b", "/a/b" },
	/* ".." removes the component before it, and stops at the root. */
	{ "/..", "/" },
	{ "/../..", "/" },
	{ "/../../etc", "/etc" },
	{ "/a/..", "/" },
	{ "/a/../", "/" },
	{ "/a/b/..", "/a" },
	{ "/a/b/../..", "/" },
	{ "/a/b/../../..", "/" },
	{ "/a/b/../c", "/a/c" },
	{ "/a/../b/../c", "/c" },
	{ "/a//..//b", "/b" },
	{ "/home/u/project/../../../etc/shadow", "/etc/shadow" },
	{ "/var/run/../lib/docker", "/var/lib/docker" },
	/* Names made of dots are names. */
	{ "/...", "/..." },
	{ "/a/.../b", "/a/.../b" },
	{ "/.a/..b/b..", "/.a/..b/b.." },
	{ "/a/.hidden/..", "/a" },
	/* Relative input is taken from the root. */
	{ "a", "/a" },
	{ "a/b/", "/a/b" },
	{ "./a", "/a" },
	{ "../../etc", "/etc" },
	/* Backslashes and spaces are ordinary bytes. */
	{ "/a\\..\\b", "/a\\..\\b" },
	{ "/ a / ", "/ a / " },
	{ "/a/ /..", "/a" },
};

static void
test_clean_table(void **state)
{
	char	out[256];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'X', sizeof(out));
		dw_path_clean(cases[i].in, out, sizeof(out));
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("\"%s\": want \"%s\", got \"%s\"", cases[i].in, cases[i].out,
			    out);
		/* Cleaning a clean path changes nothing. */
		dw_path_clean(cases[i].out, out, sizeof(out));
		assert_string_equal(out, cases[i].out);
	}
}

/* The string ends at a NUL: what follows it is not looked at. */
static void
test_clean_nul(void **state)
{
	static const char	in[] = "/safe\0/../../etc";
	static const char	in2[] = "/a/..\0/etc";
	char			out[64];

	(void)state;
	dw_path_clean(in, out, sizeof(out));
	assert_string_equal(out, "/safe");
	dw_path_clean(in2, out, sizeof(out));
	assert_string_equal(out, "/");
}

/*
 * Output that does not fit is cut: always NUL-terminated inside len, and a
 * prefix of the whole answer; a component that does not fit is left out.
 */
static void
test_clean_cut(void **state)
{
	static const char	*ins[] = {
		"/ab/cd", "/a/b/c/d/e", "/abcdef", "/x/../yy/./zzz//", "//..//a",
		"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/b/../c",
	};
	char			 full[256], out[256];
	size_t			 i, len, n;

	(void)state;
	for (i = 0; i < sizeof(ins) / sizeof(ins[0]); i++) {
		dw_path_clean(ins[i], full, sizeof(full));
		for (len = 0; len <= strlen(full) + 1; len++) {
			memset(out, 'X', sizeof(out));
			dw_path_clean(ins[i], out, len);
			/* Nothing written past len. */
			for (n = len; n < sizeof(out); n++)
				assert_int_equal(out[n], 'X');
			if (len == 0)
				continue;
			n = strnlen(out, len);
			assert_true(n < len);
			assert_memory_equal(out, full, n);
		}
		/* Room for the whole answer: the whole answer. */
		dw_path_clean(ins[i], out, strlen(full) + 1);
		assert_string_equal(out, full);
	}
	/* Specific cuts. */
	dw_path_clean("/abc", out, 4);
	assert_string_equal(out, "/");
	dw_path_clean("/abc", out, 5);
	assert_string_equal(out, "/abc");
	dw_path_clean("/ab/cd", out, 6);
	assert_string_equal(out, "/ab/");
	dw_path_clean("/ab/cd", out, 1);
	assert_string_equal(out, "");
	dw_path_clean("/", out, 2);
	assert_string_equal(out, "/");
}

/* Long input: a path far past PATH_MAX cleans in place of a fixed buffer. */
static void
test_clean_long(void **state)
{
	char	*in, out[4096];
	size_t	 i, n = 64 * 1024;

	(void)state;
	assert_non_null(in = malloc(n + 1));
	/* "/a/.." repeated, then "/end": cleans to "/end". */
	for (i = 0; i + 5 <= n - 4; i += 5)
		memcpy(in + i, "/a/..", 5);
	memcpy(in + i, "/end", 4);
	in[i + 4] = '\0';
	dw_path_clean(in, out, sizeof(out));
	assert_string_equal(out, "/end");
	/* Components without end: cut inside the buffer. */
	for (i = 0; i < n; i += 2)
		memcpy(in + i, "/x", 2);
	in[n] = '\0';
	dw_path_clean(in, out, sizeof(out));
	assert_true(strlen(out) < sizeof(out));
	assert_int_equal(strncmp(out, "/x/x/x", 6), 0);
	free(in);
}

struct under_case {
	const char	*x, *p;
	bool		 want;
};

static const struct under_case under_cases[] = {
	{ "/a", "/a", true },
	{ "/a/b", "/a", true },
	{ "/a/b/c", "/a/b", true },
	{ "/a/", "/a", true },
	{ "/ab", "/a", false },
	{ "/a", "/ab", false },
	{ "/a", "/a/b", false },
	{ "/b/a", "/a", false },
	/* "/" is only itself: protecting "/" must not protect everything. */
	{ "/", "/", true },
	{ "/a", "/", false },
	{ "/etc/shadow", "/", false },
	{ "/", "/a", false },
};

static void
test_at_or_under_table(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(under_cases) / sizeof(under_cases[0]); i++)
		if (dw_path_at_or_under(under_cases[i].x, under_cases[i].p) !=
		    under_cases[i].want)
			fail_msg("\"%s\" at or under \"%s\": want %s", under_cases[i].x,
			    under_cases[i].p, under_cases[i].want ? "true" : "false");
}

/*
 * Symlinks of the existing prefix are resolved, the missing rest is
 * appended as written (dockerd creates missing bind sources), a link to
 * "/" does not double the slash, and output is cut to its buffer.
 */
static void
test_resolve(void **state)
{
	char	tmpl[] = "/tmp/test_dw_path.XXXXXX", base[PATH_MAX];
	char	p[PATH_MAX + 64], want[PATH_MAX + 64], out[PATH_MAX + 64];

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	/* /tmp itself may be a symlink: compare with what it resolves to. */
	assert_non_null(realpath(tmpl, base));
	snprintf(p, sizeof(p), "%s/dir", tmpl);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(want, sizeof(want), "%s/dir", tmpl);
	snprintf(p, sizeof(p), "%s/link", tmpl);
	assert_int_equal(symlink(want, p), 0);
	snprintf(p, sizeof(p), "%s/root", tmpl);
	assert_int_equal(symlink("/", p), 0);

	/* True only when realpath() resolved all of it. */
	snprintf(p, sizeof(p), "%s/dir", tmpl);
	assert_true(dw_path_resolve(p, out, sizeof(out)));
	snprintf(want, sizeof(want), "%s/dir", base);
	assert_string_equal(out, want);

	snprintf(p, sizeof(p), "%s/link/x/y", tmpl);
	assert_false(dw_path_resolve(p, out, sizeof(out)));
	snprintf(want, sizeof(want), "%s/dir/x/y", base);
	assert_string_equal(out, want);

	snprintf(p, sizeof(p), "%s/root/dw-no-such-dir/z", tmpl);
	dw_path_resolve(p, out, sizeof(out));
	assert_string_equal(out, "/dw-no-such-dir/z");

	snprintf(p, sizeof(p), "%s/root/tmp", tmpl);
	assert_true(dw_path_resolve(p, out, sizeof(out)));
	assert_non_null(realpath("/tmp", want));
	assert_string_equal(out, want);

	/* Nothing of it exists: the path as given. */
	assert_false(dw_path_resolve("/dw-no-such-dir/a/b", out, sizeof(out)));
	assert_string_equal(out, "/dw-no-such-dir/a/b");
	assert_true(dw_path_resolve("/", out, sizeof(out)));
	assert_string_equal(out, "/");

	/* Cut, NUL-terminated. */
	memset(out, 'X', sizeof(out));
	dw_path_resolve("/dw-no-such-dir/a/b", out, 5);
	assert_string_equal(out, "/dw-");
	assert_int_equal(out[5], 'X');

	snprintf(p, sizeof(p), "%s/root", tmpl);
	assert_int_equal(unlink(p), 0);
	snprintf(p, sizeof(p), "%s/link", tmpl);
	assert_int_equal(unlink(p), 0);
	snprintf(p, sizeof(p), "%s/dir", tmpl);
	assert_int_equal(rmdir(p), 0);
	assert_int_equal(rmdir(tmpl), 0);
}

/* A tree standing for the host's "/" (R), and its host paths' identities. */
struct root_tree {
	char	r[64];
	char	path[PATH_MAX];
};

/* R + host path, into t->path. */
static const char *
in_r(struct root_tree *t, const char *hostpath)
{
	snprintf(t->path, sizeof(t->path), "%s%s", t->r, hostpath);
	return t->path;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * R/etc/passwd, R/etc/dockward/, R/srv/a/b/, and symlinks: R/abs -> /etc,
 * R/srv/a/rel -> ../../../../../etc (more ".." than depth), R/up -> ../..,
 * R/loop1 <-> R/loop2, R/dangling -> /nowhere/x, R/srv/a/b/back -> /srv.
 */
static void
root_tree_make(struct root_tree *t)
{
	int	fd;

	snprintf(t->r, sizeof(t->r), "/tmp/test_dw_path_root.XXXXXX");
	assert_non_null(mkdtemp(t->r));
	assert_int_equal(mkdir(in_r(t, "/etc"), 0755), 0);
	assert_int_equal(mkdir(in_r(t, "/etc/dockward"), 0755), 0);
	assert_true((fd = open(in_r(t, "/etc/passwd"), O_CREAT | O_WRONLY, 0644)) >= 0);
	close(fd);
	assert_int_equal(mkdir(in_r(t, "/srv"), 0755), 0);
	assert_int_equal(mkdir(in_r(t, "/srv/a"), 0755), 0);
	assert_int_equal(mkdir(in_r(t, "/srv/a/b"), 0755), 0);
	assert_int_equal(symlink("/etc", in_r(t, "/abs")), 0);
	assert_int_equal(symlink("../../../../../etc", in_r(t, "/srv/a/rel")), 0);
	assert_int_equal(symlink("../..", in_r(t, "/up")), 0);
	assert_int_equal(symlink("/loop2", in_r(t, "/loop1")), 0);
	assert_int_equal(symlink("/loop1", in_r(t, "/loop2")), 0);
	assert_int_equal(symlink("/nowhere/x", in_r(t, "/dangling")), 0);
	assert_int_equal(symlink("/srv", in_r(t, "/srv/a/b/back")), 0);
}

static void
root_tree_remove(struct root_tree *t)
{
	assert_int_equal(dw_path_root_set(NULL, NULL), 0);
	assert_int_equal(nftw(t->r, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* The identity of R + hostpath, seen from outside (no root set). */
static void
ident_in_r(struct root_tree *t, const char *hostpath, struct stat *st)
{
	assert_int_equal(stat(in_r(t, hostpath), st), 0);
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

static void
test_root_symlinks(void **state)
{
	struct root_tree t;
	struct stat	 want, got, real_etc;
	struct statx	 sx;
	char		 out[PATH_MAX];

	(void)state;
	skip_without_openat2();
	root_tree_make(&t);
	ident_in_r(&t, "/etc", &want);
	assert_int_equal(stat("/etc", &real_etc), 0);
	assert_null(dw_path_root());
	assert_int_equal(dw_path_root_set(t.r, NULL), 0);
	assert_non_null(dw_path_root());

	/* An absolute symlink stays in R: R's /etc, never this process's. */
	assert_int_equal(dw_path_realpath("/abs", out), 0);
	assert_string_equal(out, "/etc");
	assert_int_equal(dw_path_stat("/abs", &got), 0);
	assert_true(got.st_dev == want.st_dev && got.st_ino == want.st_ino);
	assert_false(got.st_dev == real_etc.st_dev && got.st_ino == real_etc.st_ino);
	assert_int_equal(dw_path_realpath("/abs/passwd", out), 0);
	assert_string_equal(out, "/etc/passwd");

	/* A relative one with more ".." than its depth stops at R. */
	assert_int_equal(dw_path_realpath("/srv/a/rel/dockward", out), 0);
	assert_string_equal(out, "/etc/dockward");
	assert_int_equal(dw_path_realpath("/up", out), 0);
	assert_string_equal(out, "/");
	assert_int_equal(dw_path_stat("/up", &got), 0);
	ident_in_r(&t, "", &want);
	assert_true(got.st_dev == want.st_dev && got.st_ino == want.st_ino);
	assert_int_equal(dw_path_realpath("/../../..", out), 0);
	assert_string_equal(out, "/");
	assert_int_equal(dw_path_realpath("/", out), 0);
	assert_string_equal(out, "/");
	assert_int_equal(dw_path_realpath("/srv/a/b/back/a/b/back/a", out), 0);
	assert_string_equal(out, "/srv/a");

	/* statx: AT_SYMLINK_NOFOLLOW sees the link, 0 follows it in R. */
	assert_int_equal(dw_path_statx("/abs", AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO,
	    &sx), 0);
	assert_true(S_ISLNK(sx.stx_mode));
	assert_int_equal(dw_path_statx("/abs", 0, STATX_TYPE | STATX_INO, &sx), 0);
	assert_true(S_ISDIR(sx.stx_mode));
	ident_in_r(&t, "/etc", &want);
	assert_true(sx.stx_ino == want.st_ino);

	/* dw_path_resolve() goes through the root too. */
	assert_true(dw_path_resolve("/abs/dockward", out, sizeof(out)));
	assert_string_equal(out, "/etc/dockward");

	/* Back to this process's own tree: R/abs leads to its /etc. */
	assert_int_equal(dw_path_root_set(NULL, NULL), 0);
	assert_null(dw_path_root());
	assert_int_equal(dw_path_stat(in_r(&t, "/abs"), &got), 0);
	assert_true(got.st_dev == real_etc.st_dev && got.st_ino == real_etc.st_ino);
	assert_int_equal(dw_path_realpath("/abs", out), -ENOENT);
	root_tree_remove(&t);
}

static void
test_root_missing_and_loops(void **state)
{
	struct root_tree t;
	struct stat	 st;
	struct statx	 sx;
	char		 out[PATH_MAX];

	(void)state;
	skip_without_openat2();
	root_tree_make(&t);
	assert_int_equal(dw_path_root_set(t.r, NULL), 0);

	/* Missing components: the resolved existing prefix, then the rest. */
	assert_int_equal(dw_path_realpath("/abs/missing", out), -ENOENT);
	assert_false(dw_path_resolve("/abs/missing/deeper", out, sizeof(out)));
	assert_string_equal(out, "/etc/missing/deeper");
	assert_false(dw_path_resolve("/srv/a/rel/new", out, sizeof(out)));
	assert_string_equal(out, "/etc/new");
	assert_int_equal(dw_path_stat("/abs/missing", &st), -ENOENT);
	/* A file is no directory. */
	assert_int_equal(dw_path_stat("/etc/passwd/x", &st), -ENOTDIR);
	/* A dangling link: its target is missing in R, not looked for outside. */
	assert_int_equal(dw_path_stat("/dangling", &st), -ENOENT);
	assert_int_equal(dw_path_statx("/dangling", AT_SYMLINK_NOFOLLOW, STATX_TYPE,
	    &sx), 0);
	assert_true(S_ISLNK(sx.stx_mode));
	/* tmp exists here, not in R. */
	assert_int_equal(dw_path_stat("/tmp", &st), -ENOENT);

	/* Loops: ELOOP, which the mount rules deny as "cannot inspect". */
	assert_int_equal(dw_path_realpath("/loop1", out), -ELOOP);
	assert_int_equal(dw_path_stat("/loop1/x", &st), -ELOOP);
	assert_false(dw_path_resolve("/loop1/x", out, sizeof(out)));
	assert_string_equal(out, "/loop1/x");
	root_tree_remove(&t);
}

static void
test_root_set_checks(void **state)
{
	struct root_tree t;
	struct dw_err	 err;

	(void)state;
	skip_without_openat2();
	root_tree_make(&t);
	assert_int_equal(dw_path_root_set("relative", &err), -EINVAL);
	assert_int_equal(dw_path_root_set("/dw-no-such-dir", &err), -ENOENT);
	assert_int_equal(dw_path_root_set(in_r(&t, "/etc/passwd"), &err), -ENOTDIR);
	assert_null(dw_path_root());
	/* R is a directory of /tmp's file system: not the host's "/" mounted. */
	assert_int_equal(dw_path_root_is_mount(t.r, &err), -EXDEV);
	assert_non_null(strstr(err.msg, "nothing is mounted there"));
	assert_int_equal(dw_path_root_is_mount("/", &err), -EXDEV);
	assert_true(dw_path_root_is_mount("/dw-no-such-dir", &err) == -ENOENT);
	/* /proc is a mount point wherever this runs. */
	assert_int_equal(dw_path_root_is_mount("/proc", &err), 0);
	/*
	 * Magic links (/proc/PID/root, /proc/PID/fd/N) lead out of any root:
	 * refused.  "/" as the root, so that this process's /proc is in it.
	 */
	assert_int_equal(dw_path_root_set("/", &err), 0);
	assert_string_equal(dw_path_root(), "/");
	{
		struct stat	st;
		char		out[PATH_MAX];

		assert_int_equal(dw_path_stat("/proc/self/root/etc", &st), -ELOOP);
		assert_int_equal(dw_path_stat("/proc/self/cwd", &st), -ELOOP);
		assert_int_equal(dw_path_realpath("/etc/../etc", out), 0);
		assert_string_equal(out, "/etc");
	}
	/* A root given through a symlink is known by its real name. */
	assert_int_equal(symlink(t.r, in_r(&t, "/self")), 0);
	assert_int_equal(dw_path_root_set(in_r(&t, "/self"), &err), 0);
	assert_string_equal(dw_path_root(), t.r);
	root_tree_remove(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_table),
		cmocka_unit_test(test_clean_nul),
		cmocka_unit_test(test_clean_cut),
		cmocka_unit_test(test_clean_long),
		cmocka_unit_test(test_at_or_under_table),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_root_symlinks),
		cmocka_unit_test(test_root_missing_and_loops),
		cmocka_unit_test(test_root_set_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
