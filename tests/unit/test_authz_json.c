/* Unit tests for authz_json: Go encoding/json key and value semantics. */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authz/authz_json.h"

/*
 * A prepared name for field s; the last few stay valid, so one call can
 * take several.
 */
static const struct authz_jv_name *
N(const char *s)
{
	static struct authz_jv_name	ring[8];
	static size_t			at;
	struct authz_jv_name		*nm = &ring[at++ % 8];

	assert_int_equal(authz_jv_name_prepare(nm, s), 0);
	return nm;
}

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

static struct authz_jv_doc *
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
	struct authz_jv_doc *j;
	struct dw_err	err;
	char		*deep;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = parse(bad[i]);
		if (j != NULL)
			fail_msg("accepted bad body %zu: %s", i, bad[i]);
	}
	/* Replaced UTF-8 is refused with words that say so. */
	assert_null(authz_json_parse_body("{\"Image\":\"\xff\"}", 13, &err));
	assert_non_null(strstr(err.msg, "UTF-8"));
	/* Nesting beyond the limit. */
	deep = calloc(1, 6 * 200 + 16);
	assert_non_null(deep);
	for (i = 0; i < 200; i++)
		memcpy(deep + 5 * i, "{\"a\":", 5);
	deep[5 * 200] = '1';
	memset(deep + 5 * 200 + 1, '}', 200);
	assert_null(authz_json_parse_body(deep, strlen(deep), &err));
	assert_non_null(strstr(err.msg, "deeper"));
	free(deep);
	/* Over the size limit. */
	assert_null(authz_json_parse_body("{}", DW_BODY_MAX + 1, &err));
	assert_non_null(strstr(err.msg, "limit"));
	/* Whitespace after the object is fine (the CLI's encoder adds "\n"). */
	j = parse("{\"Image\":\"a\"}\n");
	assert_non_null(j);
	authz_jv_doc_free(j);
}

static void
test_field_ambiguity(void **state)
{
	const struct authz_jv	*v;
	struct authz_jv_doc	*j;
	struct dw_err		 err;

	j = parse("{\"Privileged\":false,\"privileged\":true}");
	assert_non_null(j);
	assert_int_equal(authz_json_field(authz_jv_doc_root(j), "HostConfig",
	    N("Privileged"), &v, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "HostConfig.Privileged"));
	assert_int_equal(authz_json_field(authz_jv_doc_root(j), "", N("Image"), &v,
	    &err), -ENOENT);
	authz_jv_doc_free(j);

	j = parse("{\"Binds\":[],\"Bind\xc5\xbf\":[\"/:/h\"]}");
	assert_non_null(j);
	assert_int_equal(authz_json_field(authz_jv_doc_root(j), "", N("Binds"), &v,
	    &err), -EEXIST);
	authz_jv_doc_free(j);

	j = parse("{\"Networ\xe2\x84\xaaMode\":\"host\"}");
	assert_non_null(j);
	assert_int_equal(authz_json_field(authz_jv_doc_root(j), "", N("NetworkMode"),
	    &v, &err), 0);
	assert_string_equal(authz_jv_string(v), "host");
	authz_jv_doc_free(j);
}

static void
test_typed_getters(void **state)
{
	const struct authz_jv	*j, *o;
	struct authz_jv_doc	*doc;
	struct dw_strv		 sv = { 0 };
	struct dw_err		 err;
	const char		*s;
	bool			 b = true;

	doc = parse("{\"P\":null,\"Q\":\"true\",\"R\":true,\"S\":1,\"T\":\"x\","
	    "\"C\":\"SYS_ADMIN\",\"D\":[\"a\",null],\"E\":[1],\"F\":{},\"G\":[]}");
	assert_non_null(doc);
	j = authz_jv_doc_root(doc);
	assert_int_equal(authz_json_get_bool(j, "", N("P"), &b, &err), 0);
	assert_false(b);
	assert_int_equal(authz_json_get_bool(j, "", N("Q"), &b, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "Q"));
	assert_int_equal(authz_json_get_bool(j, "", N("r"), &b, &err), 0);
	assert_true(b);
	assert_int_equal(authz_json_get_bool(j, "", N("missing"), &b, &err), 0);
	assert_false(b);
	assert_int_equal(authz_json_get_string(j, "", N("S"), &s, &err), -EPROTO);
	assert_int_equal(authz_json_get_string(j, "", N("T"), &s, &err), 0);
	assert_string_equal(s, "x");
	assert_int_equal(authz_json_get_string(j, "", N("P"), &s, &err), 0);
	assert_null(s);
	assert_int_equal(authz_json_get_strings(j, "", N("C"), true, &sv, &err), 0);
	assert_int_equal(sv.n, 1);
	assert_string_equal(sv.v[0], "SYS_ADMIN");
	dw_strv_clear(&sv);
	assert_int_equal(authz_json_get_strings(j, "", N("C"), false, &sv, &err), -EPROTO);
	dw_strv_clear(&sv);
	assert_int_equal(authz_json_get_strings(j, "", N("D"), false, &sv, &err), 0);
	assert_int_equal(sv.n, 2);
	assert_string_equal(sv.v[1], "");
	dw_strv_clear(&sv);
	assert_int_equal(authz_json_get_strings(j, "", N("E"), false, &sv, &err), -EPROTO);
	dw_strv_clear(&sv);
	assert_int_equal(authz_json_get_object(j, "", N("F"), &o, &err), 0);
	assert_non_null(o);
	assert_int_equal(authz_json_get_object(j, "", N("G"), &o, &err), -EPROTO);
	assert_int_equal(authz_json_get_array(j, "", N("F"), &o, &err), -EPROTO);
	assert_int_equal(authz_json_get_array(j, "", N("G"), &o, &err), 0);
	assert_non_null(o);
	/* NULL reads as an empty object (an absent parent). */
	assert_int_equal(authz_json_get_string(NULL, "", N("T"), &s, &err), 0);
	assert_null(s);
	authz_jv_doc_free(doc);
}

/*
 * The field lookup the old code made by scanning every member with
 * authz_json_key_matches(): the reference the reader's own lookup
 * (authz_jv_object_field, indexed for large objects) must agree with.
 */
static int
scan_field(const struct authz_jv *obj, const char *path, const char *field,
    const struct authz_jv **ret, struct dw_err *err)
{
	const struct authz_jv	*v, *found = NULL;
	const char		*key, *first = NULL;
	size_t			 i;

	authz_jv_object_foreach(obj, i, key, v) {
		if (!authz_json_key_matches(key, field))
			continue;
		if (found != NULL) {
			dw_err_set(err, "%s%s%s: given twice (as \"%s\" and \"%s\"); "
			    "dockerd would use only one of them",
			    path, path[0] ? "." : "", field, first, key);
			return -EEXIST;
		}
		found = v;
		first = key;
	}
	if (found == NULL)
		return -ENOENT;
	*ret = found;
	return 0;
}

/*
 * Large objects are looked up through the reader's index: every answer
 * (value, absence, ambiguity and its message) must be the scan's.
 * Fields are read from a 14-member object.
 */
static void
test_index_same_answers(void **state)
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
	const struct authz_jv	*hc, *v1, *v2;
	struct authz_jv_doc	*doc;
	struct dw_err		 e1, e2;
	size_t			 i;
	int			 r1, r2;

	(void)state;
	doc = authz_json_parse_body(body, strlen(body), &e1);
	assert_non_null(doc);
	assert_int_equal(authz_json_field(authz_jv_doc_root(doc), "", N("HostConfig"),
	    &hc, &e1), 0);
	assert_int_equal(authz_jv_object_size(hc), 14);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		e1.msg[0] = e2.msg[0] = '\0';
		v1 = v2 = NULL;
		r1 = scan_field(hc, "HostConfig", fields[i], &v1, &e1);
		r2 = authz_json_field(hc, "HostConfig", N(fields[i]), &v2, &e2);
		assert_int_equal(r1, r2);
		assert_string_equal(e1.msg, e2.msg);
		if (r1 == 0)
			assert_ptr_equal(v1, v2);
	}
	assert_int_equal(authz_json_field(hc, "HostConfig", N("Privileged"), &v2, &e2), -EEXIST);
	assert_non_null(strstr(e2.msg, "\"privileged\" and \"PRIVILEGED\""));
	assert_int_equal(authz_json_field(hc, "HostConfig", N("NetworkMode"), &v2, &e2), 0);
	assert_string_equal(authz_jv_string(v2), "host");
	assert_int_equal(authz_json_field(hc, "HostConfig", N("Binds"), &v2, &e2), 0);
	assert_true(authz_jv_is_array(v2));
	authz_jv_doc_free(doc);
}

/* An engine answer carried over from jansson reads as the same values. */
static void
test_from_jansson(void **state)
{
	const struct authz_jv	*root, *v;
	struct authz_jv_doc	*doc = NULL;
	struct dw_err		 err;
	json_t			*j;
	int64_t			 n;

	(void)state;
	j = json_pack("{s:s, s:b, s:I, s:[s,n], s:{s:s}}", "NetworkMode",
	    "h\xc3\xa9\"\\", "Privileged", 1, "Memory", (json_int_t)1 << 40,
	    "Dns", "1.1.1.1", "Options", "device", "/srv");
	assert_non_null(j);
	assert_int_equal(authz_json_from_jansson(j, &doc, &err), 0);
	root = authz_jv_doc_root(doc);
	assert_int_equal(authz_jv_doc_flags(doc), 0);
	assert_int_equal(authz_json_field(root, "", N("NetworkMode"), &v, &err), 0);
	assert_string_equal(authz_jv_string(v), "h\xc3\xa9\"\\");
	assert_int_equal(authz_json_field(root, "", N("Privileged"), &v, &err), 0);
	assert_true(authz_jv_is_true(v));
	assert_int_equal(authz_json_field(root, "", N("Memory"), &v, &err), 0);
	assert_int_equal(authz_jv_int64(v, &n), 0);
	assert_true(n == (int64_t)1 << 40);
	assert_int_equal(authz_json_field(root, "", N("Dns"), &v, &err), 0);
	assert_int_equal(authz_jv_array_size(v), 2);
	assert_true(authz_jv_is_null(authz_jv_array_get(v, 1)));
	assert_int_equal(authz_json_field(root, "", N("Options"), &v, &err), 0);
	assert_string_equal(authz_jv_string(authz_jv_object_get(v, "device")), "/srv");
	authz_jv_doc_free(doc);
	json_decref(j);
	/* A scalar, as an Options that is null. */
	assert_int_equal(authz_json_from_jansson(json_null(), &doc, &err), 0);
	assert_true(authz_jv_is_null(authz_jv_doc_root(doc)));
	authz_jv_doc_free(doc);
}

/* A field's path, cut exactly where snprintf("%s.%s") would cut it. */
static void
test_join_path(void **state)
{
	char	got[8], want[8];
	size_t	len;

	(void)state;
	authz_json_join_path(got, sizeof(got), "", "Privileged");
	assert_string_equal(got, "Privile");
	authz_json_join_path(got, sizeof(got), "HC", "Pid");
	assert_string_equal(got, "HC.Pid");
	for (len = 1; len <= sizeof(got); len++) {
		/* What snprintf(want, len, "%s.%s", "Host", "Config") leaves. */
		memcpy(want, "Host.Config", len - 1);
		want[len - 1] = '\0';
		authz_json_join_path(got, len, "Host", "Config");
		assert_string_equal(got, want);
	}
}

/*
 * The rules' table of prepared names (AUTHZ_JSON_F): each entry was
 * prepared before main() with the reader's hash seed, so every one finds
 * its member under any ASCII case, once per fold, and a name too long to
 * prepare is refused rather than cut.
 */
static void
test_field_table(void **state)
{
	struct authz_jv_doc	*doc;
	const struct authz_jv	*v;
	const struct authz_jv_name *nm;
	struct authz_jv_name	 big;
	struct dw_err		 err;
	char			 body[256], lower[AUTHZ_JV_NAME_MAX], longname[80];
	size_t			 i, j;

	(void)state;
	for (i = 0; i < AUTHZ_JSON_FIELD_COUNT; i++) {
		nm = &authz_json_fields[i];
		assert_non_null(nm->s);
		assert_int_equal(nm->n, strlen(nm->s));
		assert_true(nm->ascii);
		for (j = 0; j <= nm->n; j++)
			lower[j] = (char)(nm->s[j] >= 'A' && nm->s[j] <= 'Z' ?
			    nm->s[j] - 'A' + 'a' : nm->s[j]);
		snprintf(body, sizeof(body), "{\"x\":0,\"%s\":%zu,\"y\":1}", lower, i);
		doc = authz_json_parse_body(body, strlen(body), &err);
		assert_non_null(doc);
		assert_int_equal(authz_json_field(authz_jv_doc_root(doc), "", nm, &v,
		    &err), 0);
		assert_int_equal(atoi(authz_jv_number_text(v)), (int)i);
		authz_jv_doc_free(doc);
	}
	assert_string_equal(AUTHZ_JSON_F(Privileged)->s, "Privileged");
	/* Registered: large objects answer them from their name table. */
	for (i = 0; i < AUTHZ_JSON_FIELD_COUNT; i++)
		assert_int_equal(authz_json_fields[i].id, i + 1);
	assert_int_equal(authz_jv_names_register(&big, 1), -EBUSY);
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(authz_jv_name_prepare(&big, longname), -E2BIG);
	longname[AUTHZ_JV_NAME_MAX - 1] = '\0';
	assert_int_equal(authz_jv_name_prepare(&big, longname), 0);
	assert_int_equal(big.n, AUTHZ_JV_NAME_MAX - 1);
}

/*
 * A spelling of name that Go matches to the same field, chosen by *seed:
 * each letter in either case, 'S' and 'K' sometimes written as U+017F
 * and U+212A.  Into out (room for 3 bytes a byte of name, and a NUL);
 * returns its length.
 */
static size_t
go_spelling(unsigned *seed, const char *name, char *out)
{
	size_t	j, kl = 0;

	for (j = 0; name[j] != '\0'; j++) {
		unsigned	roll;
		char		ch = name[j];

		roll = (*seed = *seed * 1103515245 + 12345) >> 16;
		if ((ch == 's' || ch == 'S') && roll % 5 == 0)
			kl += (size_t)snprintf(out + kl, 8, "\xc5\xbf");
		else if ((ch == 'k' || ch == 'K') && roll % 5 == 0)
			kl += (size_t)snprintf(out + kl, 8, "\xe2\x84\xaa");
		else
			out[kl++] = (char)(roll & 1 ? toupper((unsigned char)ch) :
			    tolower((unsigned char)ch));
	}
	out[kl] = '\0';
	return kl;
}

/*
 * Registered names (AUTHZ_JSON_F) in objects of 16 members or more are
 * answered from the table made when the object closed: the same member,
 * absence or ambiguity as a probe of the name's string.  Each round puts
 * every name in a large object 0, 1 or 2 times, in a random case, with
 * 'S' and 'K' sometimes written as U+017F and U+212A.
 */
static void
test_field_views(void **state)
{
	struct authz_jv_doc	*doc;
	const struct authz_jv	*obj, *v1, *v2;
	const struct authz_jv_name *nm;
	struct dw_err		 err;
	unsigned		 seed = 12345;
	size_t			 round, i, j, k, at, copies, kl, checked = 0;
	int			 r1, r2;
	char			*body, key[3 * AUTHZ_JV_NAME_MAX];

	(void)state;
	body = malloc(64 * 1024);
	assert_non_null(body);
	for (round = 0; round < 200; round++) {
		at = (size_t)snprintf(body, 64, "{\"HostConfig\":{");
		for (j = 0; j < 16; j++)
			at += (size_t)snprintf(body + at, 64, "\"filler%zu\":%zu,", j, j);
		for (i = 0; i < AUTHZ_JSON_FIELD_COUNT; i++) {
			nm = &authz_json_fields[i];
			copies = (seed = seed * 1103515245 + 12345) >> 16 & 3;
			copies = copies == 3 ? 1 : copies;
			/* One spelling; a second copy differs from it in one letter's case. */
			kl = go_spelling(&seed, nm->s, key);
			for (k = 0; k < copies; k++) {
				if (k == 1)
					for (j = 0; j < kl; j++)
						if (isalpha((unsigned char)key[j])) {
							key[j] ^= 0x20;
							break;
						}
				at += (size_t)snprintf(body + at, 128, "\"%.*s\":%zu,",
				    (int)kl, key, i);
			}
		}
		at += (size_t)snprintf(body + at, 32, "\"zz\":0}}");
		doc = authz_json_parse_body(body, at, &err);
		if (doc == NULL)
			fail_msg("round %zu: %s", round, err.msg);
		assert_int_equal(authz_json_field(authz_jv_doc_root(doc), "",
		    AUTHZ_JSON_F(HostConfig), &obj, &err), 0);
		for (i = 0; i < AUTHZ_JSON_FIELD_COUNT; i++) {
			nm = &authz_json_fields[i];
			v1 = v2 = NULL;
			r1 = authz_jv_object_field_name(obj, nm, &v1);
			r2 = authz_jv_object_field(obj, nm->s, &v2);
			if (r1 != r2 || v1 != v2)
				fail_msg("%s: table %d, probe %d (round %zu)", nm->s, r1, r2, round);
			checked += r1 == -EEXIST;
		}
		authz_jv_doc_free(doc);
	}
	free(body);
	assert_true(checked > 0);	/* ambiguity was met */
}

/*
 * authz_json_create_config_only: true exactly when every member of the
 * top level matches (as Go matches keys to fields) one of Config's
 * fields, HostConfig or NetworkingConfig, and none of them twice, for top
 * levels of 16 members or more (smaller ones answer false: read as
 * before).  Random top levels of those names in random case, with U+017F
 * and U+212A, some doubled, some with one other key, against a reference
 * made with authz_json_key_matches().
 */
static void
test_create_config_only(void **state)
{
	static const char *const cfg[] = {
		"Hostname", "Domainname", "User", "AttachStdin", "AttachStdout",
		"AttachStderr", "ExposedPorts", "Tty", "OpenStdin", "StdinOnce", "Env",
		"Cmd", "Healthcheck", "ArgsEscaped", "Image", "Volumes", "WorkingDir",
		"Entrypoint", "NetworkDisabled", "MacAddress", "OnBuild", "Labels",
		"StopSignal", "StopTimeout", "Shell", "HostConfig", "NetworkingConfig",
	};
	static const char *const other[] = {
		"Privileged", "Cpuset", "Binds", "zz", "Imagex", "Imag", "Ima\xc3\xa9",
	};
	enum { NCFG = sizeof(cfg) / sizeof(cfg[0]) };
	struct authz_jv_doc	*doc;
	const struct authz_jv	*root;
	struct dw_err		 err;
	unsigned		 seed = 777, roll;
	size_t			 round, i, j, n, at, hits, trues = 0, falses = 0;
	const char		*keys[NCFG + 8];
	char			 body[8192], kbuf[NCFG + 8][64];
	bool			 want, twice;

	(void)state;
	for (round = 0; round < 2000; round++) {
		n = 0;
		for (i = 0; i < NCFG; i++) {
			roll = (seed = seed * 1103515245 + 12345) >> 16;
			if (roll % 8 == 0)
				continue;	/* left out */
			keys[n++] = cfg[i];
			if (roll % 61 == 1)
				keys[n++] = cfg[i];	/* twice */
		}
		roll = (seed = seed * 1103515245 + 12345) >> 16;
		if (roll % 3 == 0)
			keys[n++] = other[roll / 3 % (sizeof(other) / sizeof(other[0]))];
		at = (size_t)snprintf(body, sizeof(body), "{");
		for (i = 0; i < n; i++) {
			go_spelling(&seed, keys[i], kbuf[i]);
			at += (size_t)snprintf(body + at, sizeof(body) - at, "%s\"%s\":%zu",
			    i ? "," : "", kbuf[i], i);
		}
		at += (size_t)snprintf(body + at, sizeof(body) - at, "}");
		doc = authz_json_parse_body(body, at, &err);
		if (doc == NULL)
			continue;	/* a key given twice exactly: refused, as it should be */
		root = authz_jv_doc_root(doc);
		want = n >= 16;
		for (i = 0; want && i < n; i++) {
			for (j = 0, hits = 0; j < NCFG; j++)
				hits += authz_json_key_matches(kbuf[i], cfg[j]);
			want = hits == 1;
		}
		for (j = 0, twice = false; want && j < NCFG; j++) {
			for (i = 0, hits = 0; i < n; i++)
				hits += authz_json_key_matches(kbuf[i], cfg[j]);
			twice = twice || hits > 1;
		}
		want = want && !twice;
		if (authz_json_create_config_only(root) != want)
			fail_msg("round %zu: want %d for %s", round, want, body);
		trues += want;
		falses += !want;
		authz_jv_doc_free(doc);
	}
	assert_true(trues > 100 && falses > 100);
	assert_false(authz_json_create_config_only(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_folding),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_field_ambiguity),
		cmocka_unit_test(test_typed_getters),
		cmocka_unit_test(test_index_same_answers),
		cmocka_unit_test(test_from_jansson),
		cmocka_unit_test(test_join_path),
		cmocka_unit_test(test_field_table),
		cmocka_unit_test(test_create_config_only),
		cmocka_unit_test(test_field_views),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
