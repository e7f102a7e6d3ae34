/* Unit tests for authz_json: Go encoding/json key and value semantics. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authz/authz_json.h"

static void
test_key_folding(void **state)
{
	static const struct {
		const char *key, *field;
		bool match;
	} cases[] = {
		{ "Privileged", "Privileged", true },
		{ "privileged", "Privileged", true },
		{ "PRIVILEGED", "Privileged", true },
		{ "PrIvIlEgEd", "Privileged", true },
		{ "Bind\xc5\xbf", "Binds", true },		/* U+017F long s */
		{ "\xc5\xbf" "ecurityOpt", "SecurityOpt", true },
		{ "Networ\xe2\x84\xaaMode", "NetworkMode", true },	/* U+212A Kelvin */
		{ "Pr\xc4\xb1vileged", "Privileged", false },	/* U+0131 dotless i */
		{ "Pr\xc4\xb0vileged", "Privileged", false },	/* U+0130 dotted I */
		{ "Privileged ", "Privileged", false },
		{ "Privilege", "Privileged", false },
		{ "Privilegedd", "Privileged", false },
		{ "", "Privileged", false },
		{ "Cap_Add", "CapAdd", false },
		{ "capadd", "CapAdd", true },
		{ "Binds\xc5\xbf", "Binds", false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (authz_json_key_matches(cases[i].key, cases[i].field) != cases[i].match)
			fail_msg("case %zu: %s vs %s", i, cases[i].key, cases[i].field);
	}
}

static json_t *
parse(const char *s)
{
	struct dw_err	err;

	return authz_json_parse_body(s, strlen(s), &err);
}

static void
test_parse_refusals(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"null",
		"\"x\"",
		"{\"Image\":\"a\",\"Image\":\"b\"}",			/* exact duplicate */
		"{\"HostConfig\":{\"Privileged\":false,\"Privileged\":true}}",
		"{\"Image\":\"a\"} {\"HostConfig\":{}}",		/* trailing value */
		"{\"Image\":\"a\"}x",
		"{\"Image\":\"\xff\"}",					/* invalid UTF-8 */
		"{\"Im\\u0000age\":\"a\"}",				/* NUL in key */
		"{\"Image\":\"\\ud800\"}",				/* lone surrogate */
		"{\"Image\":",
	};
	struct dw_err	err;
	json_t		*j;
	char		*deep;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = parse(bad[i]);
		if (j != NULL)
			fail_msg("accepted bad body %zu: %s", i, bad[i]);
	}
	/* Nesting beyond the limit. */
	deep = calloc(1, 6 * 200 + 16);
	assert_non_null(deep);
	for (i = 0; i < 200; i++)
		memcpy(deep + 5 * i, "{\"a\":", 5);
	deep[5 * 200] = '1';
	memset(deep + 5 * 200 + 1, '}', 200);
	assert_null(authz_json_parse_body(deep, strlen(deep), &err));
	free(deep);
	/* Over the size limit. */
	assert_null(authz_json_parse_body("{}", DW_BODY_MAX + 1, &err));
	assert_non_null(strstr(err.msg, "limit"));
	/* Whitespace after the object is fine (the CLI's encoder adds "\n"). */
	j = parse("{\"Image\":\"a\"}\n");
	assert_non_null(j);
	json_decref(j);
}

static void
test_field_ambiguity(void **state)
{
	struct dw_err	 err;
	json_t		*j, *v;

	j = parse("{\"Privileged\":false,\"privileged\":true}");
	assert_non_null(j);
	assert_int_equal(authz_json_field(j, "HostConfig", "Privileged", &v, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "HostConfig.Privileged"));
	assert_int_equal(authz_json_field(j, "", "Image", &v, &err), -ENOENT);
	json_decref(j);

	j = parse("{\"Binds\":[],\"Bind\xc5\xbf\":[\"/:/h\"]}");
	assert_non_null(j);
	assert_int_equal(authz_json_field(j, "", "Binds", &v, &err), -EEXIST);
	json_decref(j);

	j = parse("{\"Networ\xe2\x84\xaaMode\":\"host\"}");
	assert_non_null(j);
	assert_int_equal(authz_json_field(j, "", "NetworkMode", &v, &err), 0);
	assert_string_equal(json_string_value(v), "host");
	json_decref(j);
}

static void
test_typed_getters(void **state)
{
	struct dw_strv	 sv = { 0 };
	struct dw_err	 err;
	const char	*s;
	json_t		*j, *o;
	bool		 b = true;

	j = parse("{\"P\":null,\"Q\":\"true\",\"R\":true,\"S\":1,\"T\":\"x\","
	    "\"C\":\"SYS_ADMIN\",\"D\":[\"a\",null],\"E\":[1],\"F\":{},\"G\":[]}");
	assert_non_null(j);
	assert_int_equal(authz_json_get_bool(j, "", "P", &b, &err), 0);
	assert_false(b);
	assert_int_equal(authz_json_get_bool(j, "", "Q", &b, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "Q"));
	assert_int_equal(authz_json_get_bool(j, "", "r", &b, &err), 0);
	assert_true(b);
	assert_int_equal(authz_json_get_bool(j, "", "missing", &b, &err), 0);
	assert_false(b);
	assert_int_equal(authz_json_get_string(j, "", "S", &s, &err), -EPROTO);
	assert_int_equal(authz_json_get_string(j, "", "T", &s, &err), 0);
	assert_string_equal(s, "x");
	assert_int_equal(authz_json_get_string(j, "", "P", &s, &err), 0);
	assert_null(s);
	assert_int_equal(authz_json_get_strings(j, "", "C", true, &sv, &err), 0);
	assert_int_equal(sv.n, 1);
	assert_string_equal(sv.v[0], "SYS_ADMIN");
	dw_strv_clear(&sv);
	assert_int_equal(authz_json_get_strings(j, "", "C", false, &sv, &err), -EPROTO);
	dw_strv_clear(&sv);
	assert_int_equal(authz_json_get_strings(j, "", "D", false, &sv, &err), 0);
	assert_int_equal(sv.n, 2);
	assert_string_equal(sv.v[1], "");
	dw_strv_clear(&sv);
	assert_int_equal(authz_json_get_strings(j, "", "E", false, &sv, &err), -EPROTO);
	dw_strv_clear(&sv);
	assert_int_equal(authz_json_get_object(j, "", "F", &o, &err), 0);
	assert_non_null(o);
	assert_int_equal(authz_json_get_object(j, "", "G", &o, &err), -EPROTO);
	assert_int_equal(authz_json_get_array(j, "", "F", &o, &err), -EPROTO);
	assert_int_equal(authz_json_get_array(j, "", "G", &o, &err), 0);
	assert_non_null(o);
	json_decref(j);
}

/*
 * Inside a decision scope large objects are looked up through an index:
 * every answer (value, absence, ambiguity and its message) must be the
 * scan's.  Fields are read from a 14-member object, out of and in scope.
 */
static void
test_scope_index_same_answers(void **state)
{
	static const char body[] = "{\"HostConfig\":{"
	    "\"A1\":1,\"A2\":2,\"A3\":3,\"A4\":4,\"A5\":5,\"A6\":6,\"A7\":7,"
	    "\"privileged\":false,\"PRIVILEGED\":true,"		/* ambiguous */
	    "\"Networ\u212aMode\":\"host\","			/* Kelvin sign */
	    "\"Bind\u017f\":[\"/x:/y\"],"			/* long s */
	    "\"Pr\u0131vileged2\":1,"				/* folds to no ASCII */
	    "\"CapAdd\":null,\"Zz\":0}}";
	static const char *const fields[] = {
		"Privileged", "NetworkMode", "Binds", "CapAdd", "Absent", "A7",
		"Privileged2", "Zz",
	};
	struct dw_err	 e1, e2;
	json_t		*scan, *idx, *hc1, *hc2, *v1, *v2;
	size_t		 i;
	int		 r1, r2;

	(void)state;
	scan = authz_json_parse_body(body, strlen(body), &e1);
	assert_non_null(scan);
	authz_json_scope_begin();
	idx = authz_json_parse_body(body, strlen(body), &e2);
	assert_non_null(idx);
	assert_int_equal(authz_json_field(scan, "", "HostConfig", &hc1, &e1), 0);
	assert_int_equal(authz_json_field(idx, "", "HostConfig", &hc2, &e2), 0);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		e1.msg[0] = e2.msg[0] = '\0';
		v1 = v2 = NULL;
		r1 = authz_json_field(hc1, "HostConfig", fields[i], &v1, &e1);
		r2 = authz_json_field(hc2, "HostConfig", fields[i], &v2, &e2);
		assert_int_equal(r1, r2);
		assert_string_equal(e1.msg, e2.msg);
		if (r1 == 0)
			assert_true(json_equal(v1, v2));
	}
	assert_int_equal(authz_json_field(hc2, "HostConfig", "Privileged", &v2, &e2), -EEXIST);
	assert_non_null(strstr(e2.msg, "\"privileged\" and \"PRIVILEGED\""));
	assert_int_equal(authz_json_field(hc2, "HostConfig", "NetworkMode", &v2, &e2), 0);
	assert_string_equal(json_string_value(v2), "host");
	/* The scope holds the body: it outlives the caller's reference. */
	json_decref(idx);
	assert_int_equal(authz_json_field(hc2, "HostConfig", "Binds", &v2, &e2), 0);
	authz_json_scope_end();
	json_decref(scan);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_folding),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_field_ambiguity),
		cmocka_unit_test(test_typed_getters),
		cmocka_unit_test(test_scope_index_same_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
