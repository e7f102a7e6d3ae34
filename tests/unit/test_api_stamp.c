/*
 * api_stamp: the stamps the gatekeeper puts on the requests it decided, as
 * the plugin redeems them (single use, expiry, bound to method and URI),
 * and the head rewriting that adds one and spots a forged one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/api_stamp.h"

#define CRLF "\r\n"

static void
test_issue_redeem_once(void **state)
{
	struct api_stamp	*t = api_stamp_new(16, 60000);
	char			 s[API_STAMP_LEN + 1], s2[API_STAMP_LEN + 1];

	(void)state;
	assert_non_null(t);
	assert_int_equal(api_stamp_issue(t, "POST", "/v1.41/containers/create", s), 0);
	assert_int_equal(strlen(s), API_STAMP_LEN);
	assert_int_equal(api_stamp_issue(t, "POST", "/v1.41/containers/create", s2), 0);
	assert_string_not_equal(s, s2);
	assert_int_equal(api_stamp_redeem(t, s, "POST", "/v1.41/containers/create"), 0);
	/* Single use: a replay of the same stamp is unknown now. */
	assert_int_equal(api_stamp_redeem(t, s, "POST", "/v1.41/containers/create"), -ENOENT);
	assert_int_equal(api_stamp_redeem(t, s2, "POST", "/v1.41/containers/create"), 0);
	api_stamp_free(t);
}

static void
test_wrong_request(void **state)
{
	struct api_stamp	*t = api_stamp_new(16, 60000);
	char			 s[API_STAMP_LEN + 1];

	(void)state;
	assert_int_equal(api_stamp_issue(t, "GET", "/v1.41/containers/json", s), 0);
	assert_int_equal(api_stamp_redeem(t, s, "POST", "/v1.41/containers/json"), -EPERM);
	/* Consumed by the failed try: no second guess. */
	assert_int_equal(api_stamp_redeem(t, s, "GET", "/v1.41/containers/json"), -ENOENT);
	assert_int_equal(api_stamp_issue(t, "GET", "/v1.41/containers/json", s), 0);
	assert_int_equal(api_stamp_redeem(t, s, "GET", "/v1.41/containers/json?all=1"), -EPERM);
	assert_int_equal(api_stamp_issue(t, "GET", "/a", s), 0);
	/* method NUL uri: "GET" + "/a" is not "GE" + "T/a". */
	assert_int_equal(api_stamp_redeem(t, s, "GE", "T/a"), -EPERM);
	api_stamp_free(t);
}

static void
test_forged_and_missing(void **state)
{
	struct api_stamp	*t = api_stamp_new(16, 60000);
	char			 s[API_STAMP_LEN + 1];

	(void)state;
	assert_int_equal(api_stamp_redeem(t, NULL, "GET", "/_ping"), -ENOENT);
	assert_int_equal(api_stamp_redeem(t, "", "GET", "/_ping"), -ENOENT);
	assert_int_equal(api_stamp_redeem(t, "00000000000000000000000000000000",
	    "GET", "/_ping"), -ENOENT);
	assert_int_equal(api_stamp_redeem(t, "xyz", "GET", "/_ping"), -EINVAL);
	assert_int_equal(api_stamp_issue(t, "GET", "/_ping", s), 0);
	/* Two values joined by dockerd ("a,b"), upper case hex: not ours. */
	{
		char	two[2 * API_STAMP_LEN + 2];

		snprintf(two, sizeof(two), "%s,%s", s, s);
		assert_int_equal(api_stamp_redeem(t, two, "GET", "/_ping"), -EINVAL);
	}
	{
		char	up[API_STAMP_LEN + 1];
		size_t	i;

		for (i = 0; i < API_STAMP_LEN; i++)
			up[i] = (char)(s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 'A' : s[i]);
		up[API_STAMP_LEN] = '\0';
		if (strcmp(up, s) != 0)
			assert_int_equal(api_stamp_redeem(t, up, "GET", "/_ping"), -EINVAL);
	}
	assert_int_equal(api_stamp_redeem(t, s, "GET", "/_ping"), 0);
	api_stamp_free(t);
}

static void
test_expiry(void **state)
{
	struct api_stamp	*t = api_stamp_new(16, 50);
	char			 s[API_STAMP_LEN + 1];

	(void)state;
	assert_int_equal(api_stamp_issue(t, "GET", "/_ping", s), 0);
	usleep(120 * 1000);
	assert_int_equal(api_stamp_redeem(t, s, "GET", "/_ping"), -ENOENT);
	api_stamp_free(t);
}

static void
test_full_table_drops_oldest(void **state)
{
	struct api_stamp	*t = api_stamp_new(4, 60000);
	char			 s[6][API_STAMP_LEN + 1];
	int			 i;

	(void)state;
	for (i = 0; i < 6; i++) {
		assert_int_equal(api_stamp_issue(t, "GET", "/_ping", s[i]), 0);
		usleep(2000);	/* distinct expiry times */
	}
	assert_int_equal(api_stamp_evicted(t), 2);
	assert_int_equal(api_stamp_redeem(t, s[0], "GET", "/_ping"), -ENOENT);
	assert_int_equal(api_stamp_redeem(t, s[1], "GET", "/_ping"), -ENOENT);
	for (i = 2; i < 6; i++)
		assert_int_equal(api_stamp_redeem(t, s[i], "GET", "/_ping"), 0);
	api_stamp_free(t);
}

static void
test_header_name(void **state)
{
	(void)state;
	assert_true(api_stamp_header_name("X-Dockward-Stamp", 16));
	assert_true(api_stamp_header_name("x-dockward-stamp", 16));
	assert_true(api_stamp_header_name("X-DOCKWARD-STAMP", 16));
	assert_true(api_stamp_header_name("X-Dockward-Stamp ", 17));
	assert_true(api_stamp_header_name("X-Dockward -Stamp\t", 18));
	assert_false(api_stamp_header_name("X-Dockward-Stamps", 17));
	assert_false(api_stamp_header_name("X-Dockward-Stam", 15));
	assert_false(api_stamp_header_name("X_Dockward_Stamp", 16));
	assert_false(api_stamp_header_name("", 0));
}

static void
test_head_has(void **state)
{
	static const char *const forged[] = {
		"GET /_ping HTTP/1.1" CRLF "X-Dockward-Stamp: 00" CRLF CRLF,
		"GET /_ping HTTP/1.1" CRLF "Host: d" CRLF "x-dockward-stamp: 00" CRLF CRLF,
		"GET /_ping HTTP/1.1" CRLF "X-DOCKWARD-STAMP:00" CRLF "Host: d" CRLF CRLF,
		"GET /_ping HTTP/1.1" CRLF "X-Dockward-Stamp :00" CRLF CRLF,
	};
	static const char *const clean[] = {
		"GET /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF,
		"GET /_ping?X-Dockward-Stamp:1 HTTP/1.1" CRLF "Host: d" CRLF CRLF,
		"GET /_ping HTTP/1.1" CRLF "X-Other: X-Dockward-Stamp: 1" CRLF CRLF,
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(forged) / sizeof(forged[0]); i++)
		assert_true(api_stamp_head_has(forged[i], strlen(forged[i])));
	for (i = 0; i < sizeof(clean) / sizeof(clean[0]); i++)
		assert_false(api_stamp_head_has(clean[i], strlen(clean[i])));
}

static void
test_head_add(void **state)
{
	const char	*in = CRLF "POST /v1.41/containers/create HTTP/1.1" CRLF
	    "Host: d" CRLF "Content-Length: 2" CRLF CRLF;
	const char	*want = "POST /v1.41/containers/create HTTP/1.1" CRLF
	    "X-Dockward-Stamp: 0123456789abcdef0123456789abcdef" CRLF
	    "Host: d" CRLF "Content-Length: 2" CRLF CRLF;
	char		*out = NULL;
	size_t		 n = 0;

	(void)state;
	assert_int_equal(api_stamp_head_add(in, strlen(in),
	    "0123456789abcdef0123456789abcdef", &out, &n), 0);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	assert_true(api_stamp_head_has(out, n));
	free(out);
	assert_int_equal(api_stamp_head_add("GET /", 5, "00", &out, &n), -EPROTO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_redeem_once),
		cmocka_unit_test(test_wrong_request),
		cmocka_unit_test(test_forged_and_missing),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_full_table_drops_oldest),
		cmocka_unit_test(test_header_name),
		cmocka_unit_test(test_head_has),
		cmocka_unit_test(test_head_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
