/*
 * Unit tests for api_creator: the record of who created each container
 * through the gatekeeper (issue 12, root cause 8): records survive a
 * reopen (a dockward restart), later records replace earlier ones, lines
 * that do not parse are skipped with a warning, pruning drops only
 * containers the engine no longer has and never a record made after the
 * mark, and the file is rewritten without the dropped ones.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/api_creator.h"

#define A	"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
#define B	"3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"
#define C	"2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6"

static char	dir[64];
static char	path[PATH_MAX];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_api_creator.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/creators", dir);
	return 0;
}

static int
teardown(void **state)
{
	char	tmp[PATH_MAX + 8];

	(void)state;
	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	rmdir(dir);
	return 0;
}

static struct api_creator
user(uid_t uid, const char *name, size_t ngroups)
{
	struct api_creator	cr;
	size_t			i;

	memset(&cr, 0, sizeof(cr));
	cr.uid = uid;
	cr.gid = uid + 1;
	cr.ngroups = ngroups;
	for (i = 0; i < ngroups; i++)
		cr.groups[i] = (gid_t)(100 + i);
	snprintf(cr.name, sizeof(cr.name), "%s", name);
	return cr;
}

/* The first user container id acts for. */
static int
get1(struct api_creator_store *cs, const char *id, struct api_creator *ret)
{
	struct api_creator	all[API_CREATOR_USERS_MAX];
	size_t			n = 0;
	int			r;

	if ((r = api_creator_store_get(cs, id, all, &n)) == 0) {
		assert_true(n >= 1 && n <= API_CREATOR_USERS_MAX);
		*ret = all[0];
	}
	return r;
}

static void
write_file(const char *text)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
test_add_get_reopen(void **state)
{
	struct api_creator_store	*cs;
	struct api_creator	 a = user(1000, "alice", 2), b = user(65534, "", 0);
	struct api_creator	 all[API_CREATOR_USERS_MAX], got;
	struct dw_err		 err;
	size_t			 n;

	(void)state;
	unlink(path);
	assert_non_null(cs = api_creator_store_open(path, &err));
	assert_string_equal(err.msg, "");
	assert_int_equal(api_creator_store_get(cs, A, all, &n), -ENOENT);
	assert_int_equal(api_creator_store_add(cs, A, &a, &err), 0);
	assert_int_equal(api_creator_store_add(cs, B, &b, &err), 0);
	assert_int_equal(api_creator_store_add(cs, "nope", &b, &err), -EINVAL);
	assert_int_equal(api_creator_store_add(cs, "CA978112CA1BBDCAFAC231B39A23DC4DA786"
	    "EFF8147C4E72B9807785AFEE48BB", &b, &err), -EINVAL);
	assert_int_equal(api_creator_store_count(cs), 2);
	assert_false(api_creator_store_full(cs));
	api_creator_store_free(cs);

	/* A restart: the same records, groups and names kept. */
	assert_non_null(cs = api_creator_store_open(path, &err));
	assert_string_equal(err.msg, "");
	assert_int_equal(api_creator_store_count(cs), 2);
	assert_int_equal(get1(cs, A, &got), 0);
	assert_int_equal(got.uid, 1000);
	assert_int_equal(got.gid, 1001);
	assert_int_equal(got.ngroups, 2);
	assert_int_equal(got.groups[1], 101);
	assert_string_equal(got.name, "alice");
	assert_int_equal(get1(cs, B, &got), 0);
	assert_int_equal(got.uid, 65534);
	assert_int_equal(got.ngroups, 0);
	assert_string_equal(got.name, "");
	/* Another user enters A: it acts for both, creator first, also after a restart. */
	a = user(1001, "bob", 0);
	a.entered = true;
	assert_int_equal(api_creator_store_add(cs, A, &a, &err), 0);
	/* The same user again: no new entry; the creator stays the creator. */
	assert_int_equal(api_creator_store_add(cs, A, &a, &err), 0);
	a = user(1000, "alice2", 0);
	a.entered = true;
	assert_int_equal(api_creator_store_add(cs, A, &a, &err), 0);
	api_creator_store_free(cs);
	assert_non_null(cs = api_creator_store_open(path, &err));
	assert_string_equal(err.msg, "");
	assert_int_equal(api_creator_store_count(cs), 2);
	assert_int_equal(api_creator_store_get(cs, A, all, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(all[0].name, "alice2");
	assert_false(all[0].entered);
	assert_string_equal(all[1].name, "bob");
	assert_true(all[1].entered);
	/* At most API_CREATOR_USERS_MAX users per container. */
	for (n = 2; n < API_CREATOR_USERS_MAX; n++) {
		a = user((uid_t)(2000 + n), "u", 0);
		assert_int_equal(api_creator_store_add(cs, A, &a, &err), 0);
	}
	a = user(3000, "one-too-many", 0);
	assert_int_equal(api_creator_store_add(cs, A, &a, &err), -ENOSPC);
	assert_non_null(strstr(err.msg, "acts for"));
	api_creator_store_free(cs);
	assert_non_null(cs = api_creator_store_open(path, &err));
	assert_string_equal(err.msg, "");
	assert_int_equal(api_creator_store_get(cs, A, all, &n), 0);
	assert_int_equal(n, API_CREATOR_USERS_MAX);
	api_creator_store_free(cs);
}

/* Names that are not plain are not written (the uid stays). */
static void
test_odd_name(void **state)
{
	struct api_creator_store	*cs;
	struct api_creator	 a = user(1000, "evil name\n+ x", 0), got;
	struct dw_err		 err;

	(void)state;
	unlink(path);
	assert_non_null(cs = api_creator_store_open(path, &err));
	assert_int_equal(api_creator_store_add(cs, A, &a, &err), 0);
	api_creator_store_free(cs);
	assert_non_null(cs = api_creator_store_open(path, &err));
	assert_string_equal(err.msg, "");
	assert_int_equal(get1(cs, A, &got), 0);
	assert_int_equal(got.uid, 1000);
	assert_string_equal(got.name, "");
	api_creator_store_free(cs);
}

/* Bad lines are skipped with a warning; the good ones load. */
static void
test_bad_lines(void **state)
{
	struct api_creator_store	*cs;
	struct api_creator	 got;
	struct dw_err		 err;

	(void)state;
	write_file("+ " A " 1000 1000 - alice\n"
	    "garbage\n"
	    "+ " B " 1000\n"
	    "+ " B " 99999999999 1 - x\n"
	    "+ " B " 1 1 1,,2 x\n"
	    "+ " B " 1 1 - two words\n"
	    "+ " C " 7 8 9,10 carol");	/* no final newline: still a line */
	assert_non_null(cs = api_creator_store_open(path, &err));
	assert_non_null(strstr(err.msg, "5 line(s) not understood"));
	assert_non_null(strstr(err.msg, "first: line 2"));
	assert_int_equal(api_creator_store_count(cs), 2);
	assert_int_equal(get1(cs, B, &got), -ENOENT);
	assert_int_equal(get1(cs, C, &got), 0);
	assert_int_equal(got.ngroups, 2);
	assert_int_equal(got.groups[1], 10);
	api_creator_store_free(cs);
}

static bool
only_b(void *ctx, const char *id)
{
	(void)ctx;
	return strcmp(id, B) == 0;
}

/* Prune: gone containers go, live ones and records after the mark stay. */
static void
test_prune(void **state)
{
	struct api_creator_store	*cs;
	struct api_creator	 a = user(1, "a", 0), got;
	struct dw_err		 err;
	uint64_t		 mark;
	size_t			 dropped = 99;
	FILE			*f;
	char			 line[512];
	int			 lines = 0;

	(void)state;
	unlink(path);
	assert_non_null(cs = api_creator_store_open(path, &err));
	assert_int_equal(api_creator_store_add(cs, A, &a, &err), 0);
	assert_int_equal(api_creator_store_add(cs, B, &a, &err), 0);
	mark = api_creator_store_mark(cs);
	/* Made while the engine was asked: not in its list, but kept. */
	assert_int_equal(api_creator_store_add(cs, C, &a, &err), 0);
	assert_int_equal(api_creator_store_prune(cs, mark, only_b, NULL, &dropped,
	    &err), 0);
	assert_int_equal(dropped, 1);
	assert_int_equal(get1(cs, A, &got), -ENOENT);
	assert_int_equal(get1(cs, B, &got), 0);
	assert_int_equal(get1(cs, C, &got), 0);
	/* Appends go on after the rewrite. */
	assert_int_equal(api_creator_store_add(cs, A, &a, &err), 0);
	api_creator_store_free(cs);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		lines++;
	fclose(f);
	assert_int_equal(lines, 3);
	assert_non_null(cs = api_creator_store_open(path, &err));
	assert_int_equal(api_creator_store_count(cs), 3);
	api_creator_store_free(cs);
}

/* A file that cannot be read is a warning; the store works in memory. */
static void
test_unreadable(void **state)
{
	struct api_creator_store	*cs;
	struct api_creator	 a = user(1, "a", 0), got;
	struct dw_err		 err;
	char			 sub[PATH_MAX + 16];

	(void)state;
	snprintf(sub, sizeof(sub), "%s/missing-dir/creators", dir);
	assert_non_null(cs = api_creator_store_open(sub, &err));
	assert_non_null(strstr(err.msg, "in memory only"));
	assert_int_equal(api_creator_store_add(cs, A, &a, &err), -EIO);
	assert_int_equal(get1(cs, A, &got), 0);
	api_creator_store_free(cs);
	api_creator_store_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_get_reopen),
		cmocka_unit_test(test_odd_name),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
