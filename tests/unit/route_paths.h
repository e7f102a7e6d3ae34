/*
 * Route patterns made concrete, for the tests that walk the whole route
 * table (test_authz_uri, test_authz_command).  Include <cmocka.h> first.
 */
#ifndef ROUTE_PATHS_H
#define ROUTE_PATHS_H

#include <string.h>

/* A concrete path for a pattern: every {variable} replaced by "x"; returns how many. */
static inline size_t
route_concrete_path(const char *pattern, char *out, size_t len)
{
	const char	*p;
	size_t		 o = 0, nvars = 0;

	for (p = pattern; *p != '\0'; p++) {
		if (*p == '{') {
			p = strchr(p, '}');
			assert_non_null(p);
			assert_true(o + 1 < len);
			out[o++] = 'x';
			nvars++;
			continue;
		}
		assert_true(o + 1 < len);
		out[o++] = *p;
	}
	out[o] = '\0';
	return nvars;
}

#endif
