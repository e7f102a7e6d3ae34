/*
 * Unit tests for cli_docker_plan: the request URI (Go's path and query
 * escaping, the query sorted by key and stable for repeated keys, the
 * DW_URI_MAX bound), bodies taken, notes, and clearing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "cli/cli_docker_plan.h"
#include "common/dw_limits.h"

static void
test_uri(void **state)
{
	struct cli_docker_plan		 plan = { 0 };
	struct cli_docker_plan_query	 q = { 0 };
	struct cli_docker_plan_req	*r;
	struct dw_err			 err;

	(void)state;
	/* Repeated keys keep their order; keys are sorted. */
	cli_docker_plan_query_add(&q, "t", "b:1");
	cli_docker_plan_query_add(&q, "a", "x y/z");
	cli_docker_plan_query_add(&q, "t", "a:2");
	cli_docker_plan_query_add(&q, "e", NULL);
	r = cli_docker_plan_add(&plan, &err, "POST", "/a b/c:d@e", &q, NULL);
	assert_non_null(r);
	assert_string_equal(r->method, "POST");
	assert_string_equal(r->uri,
	    "/v1.41/a%20b/c:d@e?a=x+y%2Fz&e=&t=b%3A1&t=a%3A2");
	assert_null(r->body);
	cli_docker_plan_query_clear(&q);
	assert_int_equal(q.k.n, 0);
	/* No query: the path alone. */
	r = cli_docker_plan_add(&plan, &err, "GET", "/info", NULL, NULL);
	assert_non_null(r);
	assert_string_equal(r->uri, "/v1.41/info");
	assert_int_equal(plan.n, 2);
	cli_docker_plan_clear(&plan);
	assert_null(plan.v);
	assert_int_equal(plan.n, 0);
	cli_docker_plan_clear(NULL);
}

static void
test_too_long(void **state)
{
	struct cli_docker_plan		 plan = { 0 };
	struct cli_docker_plan_query	 q = { 0 };
	struct dw_err			 err;
	char				*big;

	(void)state;
	assert_non_null(big = malloc(DW_URI_MAX));
	memset(big, 'a', DW_URI_MAX - 1);
	big[DW_URI_MAX - 1] = '\0';
	assert_non_null(plan.command = strdup("logs"));
	/* The body is taken even when the request is refused. */
	assert_null(cli_docker_plan_add(&plan, &err, "GET", big, NULL,
	    json_object()));
	assert_non_null(strstr(err.msg, "docker logs: the request URI would be "
	    "longer than"));
	cli_docker_plan_query_add(&q, "since", big);
	assert_null(cli_docker_plan_add(&plan, &err, "GET", "/x", &q, NULL));
	assert_int_equal(plan.n, 0);
	cli_docker_plan_query_clear(&q);
	cli_docker_plan_clear(&plan);
	free(big);
}

static void
test_body_notes(void **state)
{
	struct cli_docker_plan		 plan = { 0 };
	struct cli_docker_plan_req	*r;
	struct dw_err			 err;

	(void)state;
	r = cli_docker_plan_add(&plan, &err, "POST", "/volumes/create", NULL,
	    json_pack("{s:s}", "Name", "v"));
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r->body, "Name")),
	    "v");
	cli_docker_plan_note(r, "note %d", 1);
	cli_docker_plan_note(r, "%s", "two");
	assert_int_equal(r->notes.n, 2);
	assert_string_equal(r->notes.v[0], "note 1");
	assert_string_equal(r->notes.v[1], "two");
	cli_docker_plan_clear(&plan);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_body_notes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
