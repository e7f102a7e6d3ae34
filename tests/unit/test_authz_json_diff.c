/*
 * Differential test of authz_json against dockerd: every body of
 * tests/data/gojson/recorded.json (posted to a real dockerd by record.sh) is
 * read with our decoder and decided by the engine.  Where dockerd refused
 * the body, we must refuse it too; where dockerd created the container, we
 * either read exactly the values dockerd stored, or refuse, and we may
 * refuse only a body with a key given twice (in some spelling).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authz/authz_uri.h"
#include "authz/authz_decide.h"
#include "authz/authz_settings.h"
#include "tests/unit/gojson_model.h"

static json_t *recorded;	/* the whole recorded.json */

static int
setup(void **state)
{
	const char	*top = getenv("top_srcdir");
	char		 path[4096];
	json_error_t	 jerr;

	snprintf(path, sizeof(path), "%s/tests/data/gojson/recorded.json",
	    top != NULL ? top : ".");
	if ((recorded = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, jerr.text);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	json_decref(recorded);
	return 0;
}

static json_t *
find_case(const char *name)
{
	json_t	*c;
	size_t	 i;

	json_array_foreach(json_object_get(recorded, "cases"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
			return c;
	return NULL;
}

/* The engine's verdict on POST /containers/create with body, ECI on. */
static void
decide(const char *body, size_t len, struct authz_decision *d)
{
	assert_int_equal(gojson_decide(body, len, d), 0);
}

/* One case; returns NULL when it holds, else why not (static buffer). */
static const char *
check_case(const json_t *c, const json_t *baseline)
{
	static char		 why[DW_MSG_MAX + 256];
	struct authz_decision	 d;
	struct dw_err		 err;
	json_t			*ours = NULL;
	const char		*body = json_string_value(json_object_get(c, "body"));
	size_t			 len = json_string_length(json_object_get(c, "body"));
	int			 status = (int)json_integer_value(json_object_get(c, "status"));
	bool			 dup = json_is_true(json_object_get(c, "dup"));
	int			 r;

	err.msg[0] = '\0';
	r = gojson_decode(body, len, &ours, &err);
	decide(body, len, &d);
	why[0] = '\0';
	if (status != 201) {
		/* dockerd refused to decode it: we must not read it either. */
		if (r == 0)
			snprintf(why, sizeof(why), "dockerd answered %d (%s), we "
			    "decoded it", status,
			    json_string_value(json_object_get(c, "error")));
	} else if (r < 0) {
		if (!dup || r != -EEXIST)
			snprintf(why, sizeof(why), "dockerd created it, we refuse "
			    "it (%d: %s) though %s", r, err.msg, dup ?
			    "the refusal is not about a repeated key" :
			    "no key is given twice");
	} else if (!gojson_matches(ours, json_object_get(c, "fields"), baseline, &err)) {
		snprintf(why, sizeof(why), "we read it differently: %s", err.msg);
	} else if (dup) {
		snprintf(why, sizeof(why), "a repeated key was not refused");
	}
	/* The engine may deny as a policy, but "request.json" only for a repeated key. */
	if (why[0] == '\0' && status == 201 && !dup && d.verdict == AUTHZ_DENY &&
	    strcmp(d.rule, "request.json") == 0)
		snprintf(why, sizeof(why), "the engine refuses the JSON: %s", d.msg);
	json_decref(ours);
	return why[0] != '\0' ? why : NULL;
}

static void
test_recorded_cases(void **state)
{
	const json_t	*base = find_case("plain"), *c;
	const char	*why;
	size_t		 i;
	int		 bad = 0, n = 0;

	assert_non_null(base);
	assert_int_equal(json_integer_value(json_object_get(base, "status")), 201);
	base = json_object_get(base, "fields");
	json_array_foreach(json_object_get(recorded, "cases"), i, c) {
		n++;
		if ((why = check_case(c, base)) == NULL)
			continue;
		bad++;
		print_error("case %s: %s\n",
		    json_string_value(json_object_get(c, "name")), why);
	}
	print_message("%d recorded cases, %d differ from dockerd\n", n, bad);
	assert_int_equal(bad, 0);
}

/* The recording covers what it must, so a thin file cannot pass vacuously. */
static void
test_recording_coverage(void **state)
{
	const char	*v = json_string_value(json_object_get(recorded, "dockerd"));
	json_t		*c;
	size_t		 i;
	int		 created = 0, refused = 0, dup = 0;

	assert_non_null(v);
	json_array_foreach(json_object_get(recorded, "cases"), i, c) {
		if (json_integer_value(json_object_get(c, "status")) != 201)
			refused++;
		else if (json_is_true(json_object_get(c, "dup")))
			dup++;
		else
			created++;
	}
	assert_true(created >= 20);
	assert_true(refused >= 10);
	assert_true(dup >= 10);
	/* The folding cases dockerd took: U+017F and U+212A in keys. */
	assert_true(json_is_true(json_object_get(json_object_get(
	    find_case("fold_long_s_hostconfig"), "fields"), "Privileged")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    find_case("fold_kelvin_networkmode"), "fields"), "NetworkMode")), "host");
}

/* The model itself: a differing value is caught, a default is not a difference. */
static void
test_model_compares(void **state)
{
	const json_t	*base = json_object_get(find_case("plain"), "fields");
	const json_t	*rec = json_object_get(find_case("plain_hostconfig"), "fields");
	const char	 b1[] = "{\"Image\":\"dockward-test/busybox:latest\"}";
	struct dw_err	 err;
	json_t		*ours, *bad;

	assert_int_equal(gojson_decode(b1, strlen(b1), &ours, &err), 0);
	assert_true(gojson_matches(ours, base, base, &err));
	assert_false(gojson_matches(ours, rec, base, &err));
	assert_non_null(strstr(err.msg, "dockerd read"));
	bad = json_deep_copy(base);
	json_object_set_new(bad, "NetworkMode", json_string("host"));
	assert_false(gojson_matches(ours, bad, base, &err));
	json_decref(bad);
	json_decref(ours);
}

/*
 * The same bodies against Go's encoding/json alone (godecoded.json, from
 * tests/oracle/gohttp -json: mirrors of dockerd's types, no defaults): where
 * Go decodes a body we must read exactly its values, or refuse a repeated
 * key; where it cannot, we must not either.
 */
static void
test_go_decoded(void **state)
{
	const char	*top = getenv("top_srcdir");
	char		 path[4096], *a, *b;
	json_error_t	 jerr;
	json_t		*go, *ours;
	const json_t	*c, *rc, *fields;
	struct dw_err	 err;
	const char	*name, *body;
	size_t		 i;
	int		 r, bad = 0, n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/gojson/godecoded.json",
	    top != NULL ? top : ".");
	go = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	assert_non_null(go);
	json_array_foreach(json_object_get(go, "cases"), i, c) {
		name = json_string_value(json_object_get(c, "name"));
		if ((rc = find_case(name)) == NULL)
			continue;
		body = json_string_value(json_object_get(rc, "body"));
		fields = json_object_get(c, "fields");
		n++;
		ours = NULL;
		err.msg[0] = '\0';
		r = gojson_decode(body, strlen(body), &ours, &err);
		if (fields == NULL && r == 0) {
			print_error("case %s: Go cannot decode it (%s), we do\n", name,
			    json_string_value(json_object_get(c, "error")));
			bad++;
		} else if (fields != NULL && r < 0 && !(r == -EEXIST &&
		    json_is_true(json_object_get(rc, "dup")))) {
			print_error("case %s: Go decodes it, we refuse it (%s)\n", name,
			    err.msg);
			bad++;
		} else if (fields != NULL && r == 0 && !json_equal(ours, fields)) {
			a = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS);
			b = json_dumps(ours, JSON_COMPACT | JSON_SORT_KEYS);
			print_error("case %s: Go reads %s\n  we read %s\n", name,
			    a ? a : "?", b ? b : "?");
			free(a);
			free(b);
			bad++;
		}
		json_decref(ours);
	}
	json_decref(go);
	print_message("%d cases against Go's encoding/json, %d differ\n", n, bad);
	assert_true(n > 0);
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recording_coverage),
		cmocka_unit_test(test_model_compares),
		cmocka_unit_test(test_recorded_cases),
		cmocka_unit_test(test_go_decoded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
