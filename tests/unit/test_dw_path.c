/*
 * Unit tests for dw_path: lexical cleaning of "//", ".", "..", a trailing
 * '/', relative input, an embedded NUL, and output cut to its buffer.
 * Table driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_table),
		cmocka_unit_test(test_clean_nul),
		cmocka_unit_test(test_clean_cut),
		cmocka_unit_test(test_clean_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
