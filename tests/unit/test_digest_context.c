/*
 * Unit tests for digest_context: build contexts written here with
 * libarchive's writer (plain tar, gzip, xz when available), the
 * dockerfile parameter's forms, links, limits and the lowercase fallback.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "digest/digest_context.h"
#include "digest/digest_dockerfile.h"

/* One entry: data for a file; link != NULL a symlink; dir a directory; hard a hardlink. */
struct tentry {
	const char	*name;
	const char	*data;
	const char	*link;
	int		 dir;
	int		 hard;
	size_t		 size;	/* when data is NULL and not a link/dir: size bytes of 'x' */
};

enum tfilter { T_NONE, T_GZIP, T_XZ, T_BZIP2 };

/* Write entries as a tar with filter f into a new buffer; 0, or -1 when the filter is missing. */
static int
make_tar(const struct tentry *ents, size_t n, enum tfilter f, unsigned char **ret,
    size_t *ret_len)
{
	struct archive		*a;
	struct archive_entry	*e;
	size_t			 cap = 8 * 1024 * 1024, used = 0, i, sz;
	unsigned char		*buf;
	char			*fill;
	int			 r = 0;

	buf = malloc(cap);
	assert_non_null(buf);
	a = archive_write_new();
	assert_non_null(a);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	if (f == T_GZIP)
		r = archive_write_add_filter_gzip(a);
	else if (f == T_XZ)
		r = archive_write_add_filter_xz(a);
	else if (f == T_BZIP2)
		r = archive_write_add_filter_bzip2(a);
	if (r != ARCHIVE_OK) {
		archive_write_free(a);
		free(buf);
		return -1;
	}
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		e = archive_entry_new();
		archive_entry_set_pathname(e, ents[i].name);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_mtime(e, 0, 0);
		if (ents[i].link != NULL && ents[i].hard) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, ents[i].link);
			archive_entry_set_size(e, 0);
			assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		} else if (ents[i].link != NULL) {
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, ents[i].link);
			assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		} else if (ents[i].dir) {
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		} else {
			sz = ents[i].data != NULL ? strlen(ents[i].data) : ents[i].size;
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)sz);
			assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
			if (ents[i].data != NULL)
				fill = strdup(ents[i].data);
			else {
				fill = malloc(sz + 1);
				memset(fill, 'x', sz);
			}
			assert_non_null(fill);
			assert_int_equal(archive_write_data(a, fill, sz), (la_ssize_t)sz);
			free(fill);
		}
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*ret = buf;
	*ret_len = used;
	return 0;
}

/* Build a plain tar of ents and look up path; returns the result, text in *text. */
static int
lookup(const struct tentry *ents, size_t n, enum tfilter f, const char *path,
    char **text, struct dw_err *err)
{
	unsigned char	*buf;
	size_t		 len, tlen = 0;
	int		 r;

	*text = NULL;
	if (make_tar(ents, n, f, &buf, &len) != 0)
		return 1;
	r = digest_context_dockerfile(buf, len, path, text, &tlen, err);
	if (r == 0)
		assert_int_equal(tlen, strlen(*text));
	free(buf);
	return r;
}

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static const struct tentry basic[] = {
	{ .name = "./", .dir = 1 },
	{ .name = "./app.go", .data = "package main\n" },
	{ .name = "./Dockerfile", .data = "FROM golang:1.22 AS b\nFROM scratch\n" },
	{ .name = "docker/", .dir = 1 },
	{ .name = "docker/Dockerfile.dev", .data = "FROM alpine:edge\n" },
};

static void
test_default_name(void **state)
{
	struct dw_err	 err;
	char		*t;

	(void)state;
	assert_int_equal(lookup(basic, N(basic), T_NONE, NULL, &t, &err), 0);
	assert_string_equal(t, "FROM golang:1.22 AS b\nFROM scratch\n");
	free(t);
	assert_int_equal(lookup(basic, N(basic), T_NONE, "", &t, &err), 0);
	free(t);
	assert_int_equal(lookup(basic, N(basic), T_NONE, "./Dockerfile", &t, &err), 0);
	free(t);
}

static void
test_compressed(void **state)
{
	static const enum tfilter fs[] = { T_GZIP, T_XZ, T_BZIP2 };
	struct dw_err	 err;
	char		*t;
	size_t		 i;
	int		 r;

	(void)state;
	for (i = 0; i < N(fs); i++) {
		r = lookup(basic, N(basic), fs[i], "docker/Dockerfile.dev", &t, &err);
		if (r == 1) {
			print_message("filter %zu not available in this libarchive\n", i);
			continue;
		}
		assert_int_equal(r, 0);
		assert_string_equal(t, "FROM alpine:edge\n");
		free(t);
	}
}

static void
test_subdir_forms(void **state)
{
	struct dw_err	 err;
	char		*t;

	(void)state;
	assert_int_equal(lookup(basic, N(basic), T_NONE, "docker/Dockerfile.dev", &t, &err), 0);
	assert_string_equal(t, "FROM alpine:edge\n");
	free(t);
	assert_int_equal(lookup(basic, N(basic), T_NONE, "./docker//./x/../Dockerfile.dev",
	    &t, &err), 0);
	assert_string_equal(t, "FROM alpine:edge\n");
	free(t);
	/* No lowercase fallback for other names. */
	assert_int_equal(lookup(basic, N(basic), T_NONE, "docker/dockerfile.dev", &t, &err),
	    -ENOENT);
	assert_non_null(strstr(err.msg, "docker/dockerfile.dev"));
}

static void
test_escape(void **state)
{
	static const char *const bad[] = { "../Dockerfile", "docker/../../Dockerfile",
	    "/Dockerfile", "/etc/passwd", "..", ".", "./" };
	struct dw_err	 err;
	char		*t;
	size_t		 i;

	(void)state;
	for (i = 0; i < N(bad); i++) {
		assert_int_equal(lookup(basic, N(basic), T_NONE, bad[i], &t, &err), -EINVAL);
		assert_null(t);
		assert_non_null(strstr(err.msg, "inside the build context"));
	}
}

static void
test_links(void **state)
{
	static const struct tentry sym[] = {
		{ .name = "real", .data = "FROM alpine\n" },
		{ .name = "Dockerfile", .link = "real" },
	};
	static const struct tentry hard[] = {
		{ .name = "real", .data = "FROM alpine\n" },
		{ .name = "Dockerfile", .link = "real", .hard = 1 },
	};
	static const struct tentry dirlink[] = {
		{ .name = "other/Dockerfile", .data = "FROM alpine\n" },
		{ .name = "sub", .link = "other" },
		{ .name = "sub/Dockerfile", .data = "FROM busybox\n" },
	};
	static const struct tentry dir[] = {
		{ .name = "Dockerfile/", .dir = 1 },
	};
	struct dw_err	 err;
	char		*t;

	(void)state;
	assert_int_equal(lookup(sym, N(sym), T_NONE, NULL, &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "is a link"));
	assert_int_equal(lookup(hard, N(hard), T_NONE, NULL, &t, &err), -EINVAL);
	assert_int_equal(lookup(dirlink, N(dirlink), T_NONE, "sub/Dockerfile", &t, &err),
	    -EINVAL);
	assert_non_null(strstr(err.msg, "under a link"));
	assert_int_equal(lookup(dir, N(dir), T_NONE, NULL, &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

static void
test_last_entry_counts(void **state)
{
	static const struct tentry twice[] = {
		{ .name = "Dockerfile", .data = "FROM allowed\n" },
		{ .name = "./Dockerfile", .data = "FROM evil\n" },
	};
	static const struct tentry then_link[] = {
		{ .name = "Dockerfile", .data = "FROM allowed\n" },
		{ .name = "Dockerfile", .link = "/etc/x" },
	};
	static const struct tentry escape[] = {
		{ .name = "Dockerfile", .data = "FROM allowed\n" },
		{ .name = "a/../../Dockerfile", .data = "FROM evil\n" },
	};
	struct dw_err	 err;
	char		*t;

	(void)state;
	assert_int_equal(lookup(twice, N(twice), T_NONE, NULL, &t, &err), 0);
	assert_string_equal(t, "FROM evil\n");
	free(t);
	assert_int_equal(lookup(then_link, N(then_link), T_NONE, NULL, &t, &err), -EINVAL);
	assert_int_equal(lookup(escape, N(escape), T_NONE, NULL, &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "leaves the context"));
}

static void
test_fallback(void **state)
{
	static const struct tentry lower[] = {
		{ .name = "dockerfile", .data = "FROM lower\n" },
	};
	static const struct tentry both[] = {
		{ .name = "dockerfile", .data = "FROM lower\n" },
		{ .name = "Dockerfile", .data = "FROM upper\n" },
	};
	struct dw_err	 err;
	char		*t;

	(void)state;
	assert_int_equal(lookup(lower, N(lower), T_NONE, NULL, &t, &err), 0);
	assert_string_equal(t, "FROM lower\n");
	free(t);
	/* dockerd falls back whenever the name is "Dockerfile". */
	assert_int_equal(lookup(lower, N(lower), T_NONE, "./Dockerfile", &t, &err), 0);
	free(t);
	assert_int_equal(lookup(both, N(both), T_NONE, NULL, &t, &err), 0);
	assert_string_equal(t, "FROM upper\n");
	free(t);
	assert_int_equal(lookup(lower, N(lower), T_NONE, "DOCKERFILE", &t, &err), -ENOENT);
}

static void
test_missing_and_garbage(void **state)
{
	static const struct tentry none[] = {
		{ .name = "README", .data = "hi\n" },
	};
	struct dw_err	 err;
	char		*t = NULL;
	size_t		 len;

	(void)state;
	assert_int_equal(lookup(none, N(none), T_NONE, NULL, &t, &err), -ENOENT);
	assert_int_equal(lookup(none, 0, T_NONE, NULL, &t, &err), -ENOENT);
	assert_int_equal(digest_context_dockerfile("FROM alpine\n", 12, NULL, &t, &len, &err),
	    -EPROTO);
	assert_null(t);
}

static void
test_limits(void **state)
{
	static const struct tentry big[] = {
		{ .name = "Dockerfile", .size = DIGEST_DOCKERFILE_MAX + 1 },
	};
	static const struct tentry exact[] = {
		{ .name = "Dockerfile", .size = DIGEST_DOCKERFILE_MAX },
	};
	struct dw_err	 err;
	char		*t;

	(void)state;
	assert_int_equal(lookup(big, N(big), T_GZIP, NULL, &t, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "larger"));
	assert_int_equal(lookup(exact, N(exact), T_NONE, NULL, &t, &err), 0);
	free(t);
}

static void
test_too_many_entries(void **state)
{
	struct tentry	*ents;
	struct dw_err	 err;
	char		*t, (*names)[16];
	size_t		 i, n = DIGEST_CONTEXT_ENTRIES_MAX + 1;

	(void)state;
	ents = calloc(n, sizeof(*ents));
	names = calloc(n, sizeof(*names));
	assert_non_null(ents);
	assert_non_null(names);
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "d%zu/", i);
		ents[i].name = names[i];
		ents[i].dir = 1;
	}
	assert_int_equal(lookup(ents, n, T_GZIP, NULL, &t, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "entries"));
	free(names);
	free(ents);
}

static void
test_then_froms(void **state)
{
	struct digest_from	*v;
	struct dw_err		 err;
	char			*t;
	size_t			 n;

	(void)state;
	assert_int_equal(lookup(basic, N(basic), T_GZIP, NULL, &t, &err), 0);
	assert_int_equal(digest_dockerfile_froms(t, strlen(t), NULL, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].image, "golang:1.22");
	assert_true(v[1].is_scratch);
	digest_dockerfile_froms_free(v, n);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_name),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_subdir_forms),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_last_entry_counts),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_missing_and_garbage),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_then_froms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
