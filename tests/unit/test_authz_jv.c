/*
 * Unit tests for authz_jv: what Go 1.19's encoding/json decodes from a
 * body (table driven, in the canonical form of jv_canon.h, every Go
 * oddity we know of: escapes, surrogates, invalid UTF-8, numbers,
 * whitespace), every refusal with its errno and byte offset, the fold
 * index against a scan of the keys, and the accessors on NULL and on
 * values of the wrong type.  tests/oracle/jv-check.sh compares the same
 * reading with Go itself.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jv_canon.h"
#include "jv_same.h"

#include "authz/authz_jv.h"
#include "common/dw_limits.h"

#define MAX	DW_BODY_MAX

struct jv_case {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	int		 rc;
	const char	*canon;		/* rc == 0: jv_canon of the root */
	const char	*msg;		/* rc != 0: a part of the message (the offset) */
	unsigned	 flags;		/* rc == 0: authz_jv_doc_flags */
};

#define R	AUTHZ_JV_REPLACED_UTF8
#define FFFD	"\\xef\\xbf\\xbd"

static const struct jv_case cases[] = {
	/* Every type, at the top level too; whitespace is " \t\n\r" only. */
	{ "{}", 0, 0, "{}", NULL, 0 },
	{ "[]", 0, 0, "[]", NULL, 0 },
	{ " \t\n\r{ \t\n\r} \t\n\r", 0, 0, "{}", NULL, 0 },
	{ "null", 0, 0, "null", NULL, 0 },
	{ "true", 0, 0, "true", NULL, 0 },
	{ "false", 0, 0, "false", NULL, 0 },
	{ "\"\"", 0, 0, "\"\"", NULL, 0 },
	{ "[null,true,false,0,\"\",[],{}]", 0, 0, "[null,true,false,0,\"\",[],{}]", NULL, 0 },
	{ "{\"b\":1,\"a\":[2,{\"c\":null}]}", 0, 0, "{\"a\":[2,{\"c\":null}],\"b\":1}", NULL, 0 },
	{ "[ 1 , 2 ]", 0, 0, "[1,2]", NULL, 0 },
	{ "{ \"a\" : 1 , \"b\" : 2 }", 0, 0, "{\"a\":1,\"b\":2}", NULL, 0 },
	/* Numbers keep their text; Go's grammar exactly. */
	{ "0", 0, 0, "0", NULL, 0 },
	{ "-0", 0, 0, "-0", NULL, 0 },
	{ "-0.0e-0", 0, 0, "-0.0e-0", NULL, 0 },
	{ "1.5E+10", 0, 0, "1.5E+10", NULL, 0 },
	{ "12e3", 0, 0, "12e3", NULL, 0 },
	{ "123456789012345678901234567890", 0, 0, "123456789012345678901234567890", NULL, 0 },
	{ "1e999999", 0, 0, "1e999999", NULL, 0 },
	{ "[0,-1,2.25]", 0, 0, "[0,-1,2.25]", NULL, 0 },
	{ "[1234567,-123456,12345678,0,1e+1234]", 0, 0, "[1234567,-123456,12345678,0,1e+1234]", NULL, 0 },
	{ "01", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "-01", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "-", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "- 1", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "+1", 0, -EINVAL, NULL, "byte 0", 0 },
	{ ".5", 0, -EINVAL, NULL, "byte 0", 0 },
	{ "1.", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "1.e5", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "1e", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "1e+", 0, -EINVAL, NULL, "byte 3", 0 },
	{ "1E-x", 0, -EINVAL, NULL, "byte 3", 0 },
	{ "0x10", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "1_000", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "NaN", 0, -EINVAL, NULL, "byte 0", 0 },
	{ "Infinity", 0, -EINVAL, NULL, "byte 0", 0 },
	{ "-Infinity", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "[1,]", 0, -EINVAL, NULL, "byte 3", 0 },
	/* Literals exactly. */
	{ "tru", 0, -EINVAL, NULL, "byte 3", 0 },
	{ "nul", 0, -EINVAL, NULL, "byte 3", 0 },
	{ "True", 0, -EINVAL, NULL, "byte 0", 0 },
	{ "truex", 0, -EINVAL, NULL, "byte 4", 0 },
	{ "[nulL]", 0, -EINVAL, NULL, "byte 4", 0 },
	{ "[true false]", 0, -EINVAL, NULL, "byte 6", 0 },
	/* Structure. */
	{ "", 0, -EINVAL, NULL, "byte 0", 0 },
	{ " \n", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "{", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "[", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "[1", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "{\"a\":1", 0, -EINVAL, NULL, "byte 6", 0 },
	{ "{\"a\"", 0, -EINVAL, NULL, "byte 4", 0 },
	{ "{\"a\":", 0, -EINVAL, NULL, "byte 5", 0 },
	{ "[,1]", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "[1,,2]", 0, -EINVAL, NULL, "byte 3", 0 },
	{ "{,}", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "{\"a\":1,}", 0, -EINVAL, NULL, "byte 7", 0 },
	{ "{\"a\" 1}", 0, -EINVAL, NULL, "byte 5", 0 },
	{ "{\"a\":1 \"b\":2}", 0, -EINVAL, NULL, "byte 7", 0 },
	{ "{a:1}", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "{'a':1}", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "{1:1}", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "{null:1}", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "[}", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "{]", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "[1}", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "{\"a\":1]", 0, -EINVAL, NULL, "byte 6", 0 },
	{ "]", 0, -EINVAL, NULL, "byte 0", 0 },
	{ ":", 0, -EINVAL, NULL, "byte 0", 0 },
	/* Trailing data: whitespace only. */
	{ "{} x", 0, -EINVAL, NULL, "byte 3", 0 },
	{ "{}{}", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "{}]", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "{},", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "1 2", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "{}\f", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "\v{}", 0, -EINVAL, NULL, "byte 0", 0 },
	{ "{}\xc2\xa0", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "\xef\xbb\xbf{}", 0, -EINVAL, NULL, "byte 0", 0 },
	{ "{}\x00", 3, -EINVAL, NULL, "byte 2", 0 },
	{ "/**/{}", 0, -EINVAL, NULL, "byte 0", 0 },
	/* Escapes. */
	{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 0, 0, "\"\\x22\\x5c/\\x08\\x0c\\x0a\\x0d\\x09\"", NULL, 0 },
	{ "\"\\u0041\\u00e9\\u00E9\\u20ac\"", 0, 0, "\"A\\xc3\\xa9\\xc3\\xa9\\xe2\\x82\\xac\"", NULL, 0 },
	{ "\"\\u0001\\u001f\\u007f\"", 0, 0, "\"\\x01\\x1f\\x7f\"", NULL, 0 },
	{ "\"\\ufffd\"", 0, 0, "\"" FFFD "\"", NULL, 0 },
	{ "\"\\q\"", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "\"\\'\"", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "\"\\U0041\"", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "\"\\x41\"", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "\"\\u12\"", 0, -EINVAL, NULL, "byte 5", 0 },
	{ "\"\\u12g4\"", 0, -EINVAL, NULL, "byte 5", 0 },
	{ "\"\\u\"", 0, -EINVAL, NULL, "byte 3", 0 },
	{ "\"\\", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "\"abc", 0, -EINVAL, NULL, "byte 4", 0 },
	/* Surrogates: pairs combine; anything else is U+FFFD, read on. */
	{ "\"\\uD83D\\uDE00\"", 0, 0, "\"\\xf0\\x9f\\x98\\x80\"", NULL, 0 },
	{ "\"\\ud800\\udc00\"", 0, 0, "\"\\xf0\\x90\\x80\\x80\"", NULL, 0 },
	{ "\"\\uDBFF\\uDFFF\"", 0, 0, "\"\\xf4\\x8f\\xbf\\xbf\"", NULL, 0 },
	{ "\"\\uD800\"", 0, 0, "\"" FFFD "\"", NULL, R },
	{ "\"\\uDC00\"", 0, 0, "\"" FFFD "\"", NULL, R },
	{ "\"\\uD800\\u0041\"", 0, 0, "\"" FFFD "A\"", NULL, R },
	{ "\"\\uD800A\"", 0, 0, "\"" FFFD "A\"", NULL, R },
	{ "\"\\uD800\\n\"", 0, 0, "\"" FFFD "\\x0a\"", NULL, R },
	{ "\"\\uDC00\\uD800\"", 0, 0, "\"" FFFD FFFD "\"", NULL, R },
	{ "\"\\uD800\\uD800\\uDC00\"", 0, 0, "\"" FFFD "\\xf0\\x90\\x80\\x80\"", NULL, R },
	{ "\"\\uD800\\uDC00\\uDC00\"", 0, 0, "\"\\xf0\\x90\\x80\\x80" FFFD "\"", NULL, R },
	{ "\"\\uD800\\uDC0\"", 0, -EINVAL, NULL, "byte 12", 0 },
	{ "\"\\uD800\\u00\"", 0, -EINVAL, NULL, "byte 11", 0 },
	{ "\"\\uD800\\uZZZZ\"", 0, -EINVAL, NULL, "byte 9", 0 },
	/* Raw bytes: controls refused, DEL kept, invalid UTF-8 one U+FFFD a byte. */
	{ "\"\x01\"", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "\"\t\"", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "\"\n\"", 0, -EINVAL, NULL, "byte 1", 0 },
	{ "\"\x7f\"", 0, 0, "\"\\x7f\"", NULL, 0 },
	{ "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", 0, 0,
	    "\"\\xc3\\xa9\\xe2\\x82\\xac\\xf0\\x9f\\x98\\x80\"", NULL, 0 },
	{ "\"\xef\xbf\xbd\"", 0, 0, "\"" FFFD "\"", NULL, 0 },
	{ "\"\xff\"", 0, 0, "\"" FFFD "\"", NULL, R },
	{ "\"\x80\"", 0, 0, "\"" FFFD "\"", NULL, R },
	{ "\"a\xfe" "b\"", 0, 0, "\"a" FFFD "b\"", NULL, R },
	{ "\"\xc0\x80\"", 0, 0, "\"" FFFD FFFD "\"", NULL, R },
	{ "\"\xc1\xbf\"", 0, 0, "\"" FFFD FFFD "\"", NULL, R },
	{ "\"\xe0\x80\xaf\"", 0, 0, "\"" FFFD FFFD FFFD "\"", NULL, R },
	{ "\"\xe0\xa0\x80\"", 0, 0, "\"\\xe0\\xa0\\x80\"", NULL, 0 },
	{ "\"\xed\xa0\x80\"", 0, 0, "\"" FFFD FFFD FFFD "\"", NULL, R },
	{ "\"\xed\x9f\xbf\"", 0, 0, "\"\\xed\\x9f\\xbf\"", NULL, 0 },
	{ "\"\xf0\x80\x80\xaf\"", 0, 0, "\"" FFFD FFFD FFFD FFFD "\"", NULL, R },
	{ "\"\xf4\x8f\xbf\xbf\"", 0, 0, "\"\\xf4\\x8f\\xbf\\xbf\"", NULL, 0 },
	{ "\"\xf4\x90\x80\x80\"", 0, 0, "\"" FFFD FFFD FFFD FFFD "\"", NULL, R },
	{ "\"\xf5\x80\x80\x80\"", 0, 0, "\"" FFFD FFFD FFFD FFFD "\"", NULL, R },
	{ "\"\xf8\x88\x80\x80\x80\"", 0, 0, "\"" FFFD FFFD FFFD FFFD FFFD "\"", NULL, R },
	{ "\"\xe2\x82\"", 0, 0, "\"" FFFD FFFD "\"", NULL, R },
	{ "\"\xe2\x82" "a\"", 0, 0, "\"" FFFD FFFD "a\"", NULL, R },
	{ "\"\xf0\x9f\x98\\n\"", 0, 0, "\"" FFFD FFFD FFFD "\\x0a\"", NULL, R },
	{ "\"\xc3\"", 0, 0, "\"" FFFD "\"", NULL, R },
	{ "\"\xc3", 0, -EINVAL, NULL, "byte 2", 0 },
	{ "{\"\xff\":1}", 0, 0, "{\"" FFFD "\":1}", NULL, R },
	/* Refusals beyond Go: NUL, exact duplicate keys, depth, size. */
	{ "\"a\x00" "b\"", 4, -EINVAL, NULL, "NUL byte in a string at byte 2", 0 },
	{ "\"a\\u0000b\"", 0, -EINVAL, NULL, "at byte 2", 0 },
	{ "{\"a\\u0000\":1}", 0, -EINVAL, NULL, "key at byte 3", 0 },
	{ "{\"a\":1,\"a\":2}", 0, -EINVAL, NULL, "ends at byte 12", 0 },
	{ "{\"a\":1,\"b\":2,\"\\u0061\":3}", 0, -EINVAL, NULL, "ends at byte 23", 0 },
	{ "{\"x\":{\"k\":[],\"k\":{}}}", 0, -EINVAL, NULL, "ends at byte 19", 0 },
	{ "{\"\xff\":1,\"\xfe\":2}", 0, -EINVAL, NULL, "ends at byte 12", 0 },
	{ "{\"\xc3\xa9\":1,\"\\u00e9\":2}", 0, -EINVAL, NULL, "ends at byte 18", 0 },
	{ "{\"\\uD800\":1,\"\\uDC00\":2}", 0, -EINVAL, NULL, "ends at byte 22", 0 },
	/* ...but keys of one fold parse (object_field() answers -EEXIST). */
	{ "{\"a\":1,\"A\":2}", 0, 0, "{\"A\":2,\"a\":1}", NULL, 0 },
	{ "[{\"a\":1},{\"a\":2}]", 0, 0, "[{\"a\":1},{\"a\":2}]", NULL, 0 },
};

static void
test_cases(void **state)
{
	struct authz_jv_doc	*doc;
	struct dw_err		 err;
	char			*canon;
	size_t			 i, len;
	int			 rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].in);
		doc = NULL;
		err.msg[0] = '\0';
		rc = authz_jv_parse(cases[i].in, len, MAX, &doc, &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu (%s): rc %d, want %d (%s)", i, cases[i].in, rc,
			    cases[i].rc, err.msg);
		if (rc != 0) {
			assert_null(doc);
			if (strstr(err.msg, cases[i].msg) == NULL)
				fail_msg("case %zu (%s): message \"%s\" lacks \"%s\"", i,
				    cases[i].in, err.msg, cases[i].msg);
			continue;
		}
		assert_non_null(canon = jv_canon(authz_jv_doc_root(doc)));
		if (strcmp(canon, cases[i].canon) != 0)
			fail_msg("case %zu (%s): %s, want %s", i, cases[i].in, canon,
			    cases[i].canon);
		if (authz_jv_doc_flags(doc) != cases[i].flags)
			fail_msg("case %zu (%s): flags %u, want %u", i, cases[i].in,
			    authz_jv_doc_flags(doc), cases[i].flags);
		free(canon);
		authz_jv_doc_free(doc);
	}
}

static int
parse(const char *s, struct authz_jv_doc **doc)
{
	return authz_jv_parse(s, strlen(s), MAX, doc, NULL);
}

/* n arrays around `inner`. */
static char *
nested(size_t n, const char *inner)
{
	size_t	 i, k = strlen(inner);
	char	*s;

	assert_non_null(s = malloc(2 * n + k + 1));
	for (i = 0; i < n; i++) {
		s[i] = '[';
		s[n + k + i] = ']';
	}
	memcpy(s + n, inner, k);
	s[2 * n + k] = '\0';
	return s;
}

/* Depth as authz_json counts it: a value inside more than DW_JSON_DEPTH_MAX containers. */
static void
test_depth(void **state)
{
	struct authz_jv_doc	*doc;
	struct dw_err		 err;
	char			*s;
	char			 want[64];

	(void)state;
	s = nested(DW_JSON_DEPTH_MAX, "0");
	assert_int_equal(parse(s, &doc), 0);
	authz_jv_doc_free(doc);
	free(s);
	/* An empty container inside DW_JSON_DEPTH_MAX holds no value that deep. */
	s = nested(DW_JSON_DEPTH_MAX + 1, "");
	assert_int_equal(parse(s, &doc), 0);
	authz_jv_doc_free(doc);
	free(s);
	s = nested(DW_JSON_DEPTH_MAX + 1, "0");
	assert_int_equal(authz_jv_parse(s, strlen(s), MAX, &doc, &err), -E2BIG);
	snprintf(want, sizeof(want), "at byte %d", DW_JSON_DEPTH_MAX + 1);
	assert_non_null(strstr(err.msg, want));
	free(s);
	s = nested(DW_JSON_DEPTH_MAX + 2, "");
	assert_int_equal(parse(s, &doc), -E2BIG);
	free(s);
	/* Objects count as arrays do. */
	assert_int_equal(parse("{\"a\":{\"b\":[{}]}}", &doc), 0);
	authz_jv_doc_free(doc);
	/* Far deeper: refused without recursion. */
	s = nested(100000, "");
	assert_int_equal(parse(s, &doc), -E2BIG);
	free(s);
}

static void
test_size(void **state)
{
	struct authz_jv_doc	*doc = NULL;
	struct dw_err		 err;

	(void)state;
	assert_int_equal(authz_jv_parse("[1,2]", 5, 4, &doc, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "5 bytes"));
	assert_null(doc);
	assert_int_equal(authz_jv_parse("[1,2]", 5, 5, &doc, &err), 0);
	authz_jv_doc_free(doc);
	assert_int_equal(authz_jv_parse(NULL, 0, 5, &doc, &err), -EINVAL);
	/* The worst cases of the bounds the one allocation is sized by. */
	assert_int_equal(parse("[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]", &doc), 0);
	authz_jv_doc_free(doc);
	assert_int_equal(parse("[[],[],[[[]]],{},[{}]]", &doc), 0);
	authz_jv_doc_free(doc);
	assert_int_equal(parse("{\"\":{\"\":{\"\":{\"a\":0,\"b\":{}}}}}", &doc), 0);
	authz_jv_doc_free(doc);
	assert_int_equal(parse("\"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\"", &doc), 0);
	assert_int_equal(authz_jv_string_len(authz_jv_doc_root(doc)), 30);
	authz_jv_doc_free(doc);
	assert_int_equal(parse("{\"\xff\xff\xff\xff\xff\":\"\xff\xff\xff\xff\",\"k\":0}", &doc), 0);
	authz_jv_doc_free(doc);
	assert_int_equal(parse("0", &doc), 0);
	assert_string_equal(authz_jv_number_text(authz_jv_doc_root(doc)), "0");
	authz_jv_doc_free(doc);
}

/* Go's bytes.EqualFold against an ASCII field, by a scan. */
static bool
scan_match(const char *key, const char *field)
{
	const unsigned char	*k = (const unsigned char *)key;
	int			 c;

	for (; *field != '\0'; field++) {
		c = *field >= 'a' && *field <= 'z' ? *field - 'a' + 'A' : *field;
		if (k[0] == 0xc5 && k[1] == 0xbf) {		/* U+017F */
			if (c != 'S')
				return false;
			k += 2;
		} else if (k[0] == 0xe2 && k[1] == 0x84 && k[2] == 0xaa) {	/* U+212A */
			if (c != 'K')
				return false;
			k += 3;
		} else if (k[0] == '\0' || k[0] >= 0x80 ||
		    (k[0] >= 'a' && k[0] <= 'z' ? k[0] - 'a' + 'A' : k[0]) != c)
			return false;
		else
			k++;
	}
	return *k == '\0';
}

/* object_field() against the scan: same member, -EEXIST on two, -ENOENT on none. */
static void
check_field(const struct authz_jv *obj, const char *field)
{
	const struct authz_jv	*got = NULL, *want = NULL;
	const char		*key;
	const struct authz_jv	*val;
	size_t			 i, hits = 0;
	int			 rc;

	authz_jv_object_foreach(obj, i, key, val) {
		if (scan_match(key, field)) {
			hits++;
			want = val;
		}
	}
	rc = authz_jv_object_field(obj, field, &got);
	if (hits == 0)
		assert_int_equal(rc, -ENOENT);
	else if (hits > 1)
		assert_int_equal(rc, -EEXIST);
	else {
		assert_int_equal(rc, 0);
		assert_ptr_equal(got, want);
	}
	/* A prepared name (as the rules use) answers the same. */
	if (strlen(field) < AUTHZ_JV_NAME_MAX) {
		struct authz_jv_name		 nm;
		const struct authz_jv		*got2 = NULL;

		assert_int_equal(authz_jv_name_prepare(&nm, field), 0);
		assert_int_equal(authz_jv_object_field_name(obj, &nm, &got2), rc);
		assert_ptr_equal(got2, rc == 0 ? got : NULL);
	}
}

/*
 * The fold cases in an object of 15 members (a hash index) and, padded
 * with `pad` more, in one above JV_HASH_MAX (128: a sorted index).
 */
static void
check_fold(size_t pad)
{
	static const char *head =
	    "{\"Binds\":1,\"ſecurityOpt\":2,\"\\u212aernelMemory\":3,\"pidmode\":4,"
	    "\"PIDMODE\":5,\"Privileged\":6,\"privileged\":7,\"ÉTAT\":8,\"\xff" "x\":9,"
	    "\"kſ\":10,\"KS\":11,\"a_b\":12,\"\":13,\"Devices\":14,\"DEVICEſ\":15";
	static const char *fields[] = { "Binds", "binds", "BINDS", "Bind", "Bindss",
	    "SecurityOpt", "securityopt", "KernelMemory", "kernelmemory", "PidMode",
	    "Privileged", "ÉTAT", "État", "x", "KS", "ks", "A_B", "a_b", "", "Devices",
	    "DEVICES", "Device", "Kernel", "ſecurityOpt", "Pad1", "PAD99" };
	struct authz_jv_doc	*doc;
	const struct authz_jv	*root, *v;
	char			 body[8192];
	size_t			 i, o;

	o = (size_t)snprintf(body, sizeof(body), "%s", head);
	for (i = 0; i < pad; i++)
		o += (size_t)snprintf(body + o, sizeof(body) - o, ",\"%s%zu\":0",
		    i % 2 ? "pad" : "é", i);
	snprintf(body + o, sizeof(body) - o, "}");
	assert_int_equal(parse(body, &doc), 0);
	root = authz_jv_doc_root(doc);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		check_field(root, fields[i]);
	assert_int_equal(authz_jv_object_field(root, "binds", &v), 0);
	assert_string_equal(authz_jv_number_text(v), "1");
	assert_int_equal(authz_jv_object_field(root, "SECURITYOPT", &v), 0);
	assert_string_equal(authz_jv_number_text(v), "2");
	assert_int_equal(authz_jv_object_field(root, "KernelMemory", &v), 0);
	assert_string_equal(authz_jv_number_text(v), "3");
	assert_int_equal(authz_jv_object_field(root, "PidMode", &v), -EEXIST);
	assert_int_equal(authz_jv_object_field(root, "Privileged", &v), -EEXIST);
	assert_int_equal(authz_jv_object_field(root, "ks", &v), -EEXIST);
	assert_int_equal(authz_jv_object_field(root, "Devices", &v), -EEXIST);
	assert_int_equal(authz_jv_object_field(root, "ÉTAT", &v), -ENOENT);
	assert_int_equal(authz_jv_object_field(root, "", &v), 0);
	assert_string_equal(authz_jv_number_text(v), "13");
	/* The exact lookup of a map ignores folds. */
	assert_string_equal(authz_jv_number_text(authz_jv_object_get(root, "pidmode")), "4");
	assert_string_equal(authz_jv_number_text(authz_jv_object_get(root, "PIDMODE")), "5");
	assert_null(authz_jv_object_get(root, "PidMode"));
	assert_string_equal(authz_jv_number_text(authz_jv_object_get(root, "ÉTAT")), "8");
	assert_string_equal(authz_jv_number_text(authz_jv_object_get(root, "\xef\xbf\xbdx")), "9");
	assert_null(authz_jv_object_get(root, "\xffx"));
	assert_string_equal(authz_jv_number_text(authz_jv_object_get(root, "")), "13");
	assert_null(authz_jv_object_get(root, "SecurityOpt"));
	assert_string_equal(authz_jv_number_text(authz_jv_object_get(root, "ſecurityOpt")), "2");
	/* Document order is kept. */
	assert_string_equal(authz_jv_object_key(root, 0), "Binds");
	assert_string_equal(authz_jv_object_key(root, 8), "\xef\xbf\xbdx");
	assert_string_equal(authz_jv_object_key(root, 14), "DEVICEſ");
	if (pad == 0)
		assert_null(authz_jv_object_key(root, 15));
	else {
		assert_string_equal(authz_jv_number_text(authz_jv_object_get(root, "é0")), "0");
		assert_null(authz_jv_object_get(root, "É0"));
		assert_null(authz_jv_object_key(root, 15 + pad));
	}
	authz_jv_doc_free(doc);
}

static void
test_fold(void **state)
{
	(void)state;
	check_fold(0);		/* 15 members */
	check_fold(113);	/* 128: the largest hash index */
	check_fold(114);	/* 129: sorted */
	check_fold(200);
}

/*
 * n members, the last one repeating the middle one's key with its first
 * letter `first` (the middle key is "Key<i>", or "é<i>", which folds to
 * nothing ASCII).  New string.
 */
static char *
dup_body(size_t n, const char *first, size_t *len)
{
	size_t	 i, o, cap = 64 + n * 32, mid = (n - 1) / 2;
	char	*body;

	assert_non_null(body = malloc(cap));
	o = (size_t)snprintf(body, cap, "{");
	for (i = 0; i + 1 < n; i++)
		o += (size_t)snprintf(body + o, cap - o, "%s\"%s%zu\":%zu",
		    i > 0 ? "," : "", i % 3 ? "Key" : "é", i, i);
	o += (size_t)snprintf(body + o, cap - o, ",\"%s%s%zu\":0}",
	    first, mid % 3 ? "ey" : "", mid);
	*len = o;
	return body;
}

/* An exact repeat is refused whichever index the object gets; another case of it is not. */
static void
test_duplicates(void **state)
{
	static const size_t	 sizes[] = { 2, 3, 5, 64, 127, 128, 129, 130, 300 };
	struct authz_jv_doc	*doc;
	struct dw_err		 err;
	char			*body;
	size_t			 k, n, len;

	(void)state;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		n = sizes[k];
		body = dup_body(n, ((n - 1) / 2) % 3 ? "K" : "é", &len);
		assert_int_equal(authz_jv_parse(body, len, MAX, &doc, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "duplicate key"));
		free(body);
		if (((n - 1) / 2) % 3 == 0)
			continue;
		body = dup_body(n, "k", &len);
		assert_int_equal(authz_jv_parse(body, len, MAX, &doc, &err), 0);
		free(body);
		authz_jv_doc_free(doc);
	}
}

/* Objects of every size against the scan, keys in an order that is no order. */
static void
test_index_sizes(void **state)
{
	struct authz_jv_doc	*doc;
	const struct authz_jv	*root, *v;
	char			*body, key[32], field[32];
	size_t			 n, i, o, cap;
	unsigned		 x;

	(void)state;
	/* Up to 40 one by one, then around JV_HASH_MAX (128) and beyond. */
	for (n = 0; n <= 300; n += n < 40 || (n >= 126 && n < 131) ? 1 : n < 126 ? 43 : 85) {
		cap = 64 + n * 64;
		assert_non_null(body = malloc(cap));
		o = (size_t)snprintf(body, cap, "{");
		for (i = 0, x = 7; i < n; i++) {
			x = x * 1103515245u + 12345u;
			/* Pairs of one fold now and then (every 7th key repeats an earlier one in upper case). */
			if (i % 7 == 6)
				snprintf(key, sizeof(key), "K%u", (unsigned)(i - 3) * 2654435761u % 1000);
			else
				snprintf(key, sizeof(key), "%s%u", i % 3 == 0 ? "k" : "ſx",
				    (unsigned)i * 2654435761u % 1000);
			o += (size_t)snprintf(body + o, cap - o, "%s\"%s\":%zu", i > 0 ? "," : "",
			    key, i);
		}
		snprintf(body + o, cap - o, "}");
		if (parse(body, &doc) != 0) {
			/* An exact repeat of a key: checked by the cases above. */
			free(body);
			continue;
		}
		root = authz_jv_doc_root(doc);
		assert_int_equal(authz_jv_object_size(root), n);
		for (i = 0; i < n; i++) {
			check_field(root, authz_jv_object_key(root, i));
			snprintf(field, sizeof(field), "k%zu", i * 2654435761u % 1000);
			check_field(root, field);
			snprintf(field, sizeof(field), "SX%zu", i * 2654435761u % 1000);
			check_field(root, field);
			v = authz_jv_object_get(root, authz_jv_object_key(root, i));
			assert_ptr_equal(v, authz_jv_object_value(root, i));
		}
		authz_jv_doc_free(doc);
		free(body);
	}
}

/*
 * Parse s[0, len) from a copy of exactly len bytes, so that a read past
 * the input is a fault under ASan and valgrind.
 */
static int
parse_exact(const char *s, size_t len, struct authz_jv_doc **doc, struct dw_err *err)
{
	char	*copy;
	int	 rc;

	assert_non_null(copy = malloc(len));
	memcpy(copy, s, len);
	rc = authz_jv_parse(copy, len, MAX, doc, err);
	free(copy);
	return rc;
}

/*
 * Key bytes around the word-wise tests: either side of 'a'..'z' and
 * 'A'..'Z' (upper-casing), of ' ' and DEL (plain), of '"' and '\\'.
 */
#define KEY_BYTES	"a`z{A@Z[ !#]~\x7f" "bY_-./:;<=>?^|}0yBqQmMkKsS"

/*
 * Keys and strings of every length from 1 to 40, so that each ends at
 * every place of the 8-byte words that strings are read by, and at the
 * end of the input.  A key read as one plain run must hash as the same
 * key read with an escape does (an exact repeat), fold as its field
 * does, and the bytes that need a look of their own must get it at any
 * place.
 */
static void
test_key_lengths(void **state)
{
	static const struct {
		const char	*put;	/* in place of one key byte */
		const char	*want;	/* the decoded key's byte there, NULL: refused */
		unsigned	 flags;
	} odd[] = {
		{ "\x01", NULL, 0 }, { "\x1f", NULL, 0 }, { "\x7f", "\x7f", 0 },
		{ "\\n", "\n", 0 }, { "\\\"", "\"", 0 }, { "\\\\", "\\", 0 },
		{ "\\/", "/", 0 }, { "\\u00e9", "\xc3\xa9", 0 }, { "\xc3\xa9", "\xc3\xa9", 0 },
		{ "\xc5\xbf", "\xc5\xbf", 0 }, { "\xe2\x84\xaa", "\xe2\x84\xaa", 0 },
		{ "\xff", "\xef\xbf\xbd", R }, { "\x80", "\xef\xbf\xbd", R },
		{ "\\ud800", "\xef\xbf\xbd", R },
	};
	struct authz_jv_doc	*doc;
	const struct authz_jv	*root, *v;
	struct dw_err		 err;
	char			 key[41], want[64], body[2048], field[41];
	size_t			 n, j, k, len;
	char			 c;

	(void)state;
	assert_int_equal(strlen(KEY_BYTES), 40);
	for (n = 1; n <= 40; n++) {
		memcpy(key, KEY_BYTES, n);
		key[n] = '\0';
		/* Alone, and as the top-level string that ends the input. */
		len = (size_t)snprintf(body, sizeof(body), "{\"%s\":1}", key);
		assert_int_equal(parse_exact(body, len, &doc, NULL), 0);
		root = authz_jv_doc_root(doc);
		assert_string_equal(authz_jv_object_key(root, 0), key);
		assert_string_equal(authz_jv_number_text(authz_jv_object_get(root, key)), "1");
		check_field(root, key);
		for (j = 0; j < n; j++)
			field[j] = (char)(key[j] ^ (((key[j] | 0x20) >= 'a' && (key[j] | 0x20) <= 'z') ? 0x20 : 0));
		field[n] = '\0';
		assert_int_equal(authz_jv_object_field(root, field, &v), 0);
		assert_string_equal(authz_jv_number_text(v), "1");
		authz_jv_doc_free(doc);
		len = (size_t)snprintf(body, sizeof(body), "\"%s\"", key);
		assert_int_equal(parse_exact(body, len, &doc, NULL), 0);
		assert_string_equal(authz_jv_string(authz_jv_doc_root(doc)), key);
		assert_int_equal(authz_jv_string_len(authz_jv_doc_root(doc)), n);
		authz_jv_doc_free(doc);
		/* Cut off in and right after the key. */
		assert_int_equal(parse_exact(body, len - 1, &doc, &err), -EINVAL);
		snprintf(want, sizeof(want), "end of JSON input in string literal at byte %zu", len - 1);
		assert_non_null(strstr(err.msg, want));
		len = (size_t)snprintf(body, sizeof(body), "{\"%s\"", key);
		assert_int_equal(parse_exact(body, len, &doc, &err), -EINVAL);
		snprintf(want, sizeof(want), "at byte %zu", len);
		assert_non_null(strstr(err.msg, want));
		for (j = 0; j < n; j++) {
			/* The same key with its byte j escaped: an exact repeat. */
			len = (size_t)snprintf(body, sizeof(body), "{\"%s\":1,\"%.*s\\u%04x%s\":2}",
			    key, (int)j, key, (unsigned char)key[j], key + j + 1);
			assert_int_equal(parse_exact(body, len, &doc, &err), -EINVAL);
			assert_non_null(strstr(err.msg, "duplicate key"));
			/* ...with byte j in the other case, if a letter: one fold, two keys. */
			c = key[j];
			if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
				len = (size_t)snprintf(body, sizeof(body), "{\"%s\":1,\"%.*s%c%s\":2}",
				    key, (int)j, key, c ^ 0x20, key + j + 1);
				assert_int_equal(parse_exact(body, len, &doc, NULL), 0);
				root = authz_jv_doc_root(doc);
				assert_int_equal(authz_jv_object_field(root, key, &v), -EEXIST);
				check_field(root, key);
				authz_jv_doc_free(doc);
			}
			/* ...with byte j one that needs a look of its own. */
			for (k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
				len = (size_t)snprintf(body, sizeof(body), "{\"%.*s%s%s\":1}",
				    (int)j, key, odd[k].put, key + j + 1);
				if (odd[k].want == NULL) {
					assert_int_equal(parse_exact(body, len, &doc, &err), -EINVAL);
					snprintf(want, sizeof(want), "at byte %zu", j + 2);
					assert_non_null(strstr(err.msg, want));
					continue;
				}
				assert_int_equal(parse_exact(body, len, &doc, NULL), 0);
				root = authz_jv_doc_root(doc);
				snprintf(want, sizeof(want), "%.*s%s%s", (int)j, key, odd[k].want,
				    key + j + 1);
				assert_string_equal(authz_jv_object_key(root, 0), want);
				assert_int_equal(authz_jv_doc_flags(doc), odd[k].flags);
				check_field(root, key);
				check_field(root, field);
				authz_jv_doc_free(doc);
			}
		}
	}
	/* All of them in one object, each key and string next to the others' text. */
	len = (size_t)snprintf(body, sizeof(body), "{");
	for (n = 1; n <= 40; n++)
		len += (size_t)snprintf(body + len, sizeof(body) - len, "%s\"%.*s\":\"%.*s\"",
		    n > 1 ? "," : "", (int)n, KEY_BYTES, (int)(41 - n), KEY_BYTES);
	assert_true(len + 1 < sizeof(body));
	len += (size_t)snprintf(body + len, sizeof(body) - len, "}");
	assert_int_equal(parse_exact(body, len, &doc, NULL), 0);
	root = authz_jv_doc_root(doc);
	assert_int_equal(authz_jv_object_size(root), 40);
	for (n = 1; n <= 40; n++) {
		snprintf(key, sizeof(key), "%.*s", (int)n, KEY_BYTES);
		snprintf(want, sizeof(want), "%.*s", (int)(41 - n), KEY_BYTES);
		assert_string_equal(authz_jv_object_key(root, n - 1), key);
		assert_string_equal(authz_jv_string(authz_jv_object_value(root, n - 1)), want);
		check_field(root, key);
	}
	authz_jv_doc_free(doc);
}

/*
 * Strings and keys read 16 or 32 bytes at a time when as many remain
 * after their opening quote: of every length around those blocks, the
 * input ending at
 * every byte after the closing quote (exactly sized copies: a read past
 * it is a fault under ASan and valgrind), and each byte that needs a
 * look of its own at every place of the block.  A short key must hash
 * and fold as the general path's does: as an exact repeat written with
 * an escape (duplicate), and for the field lookup.
 */
static void
test_string_blocks(void **state)
{
	static const struct {
		const char	*put;	/* in place of one byte */
		const char	*want;	/* the decoded byte(s) there, NULL: refused */
		const char	*msg;	/* refused: the message */
	} odd[] = {
		{ "\\\"", "\"", NULL }, { "\\\\", "\\", NULL }, { "\\u0041", "A", NULL },
		{ "\\n", "\n", NULL }, { "\x7f", "\x7f", NULL }, { "\xc3\xa9", "\xc3\xa9", NULL },
		{ "\xff", "\xef\xbf\xbd", NULL }, { "\x01", NULL, "invalid character 0x01" },
		{ "\x1f", NULL, "invalid character 0x1f" }, { "\x00", NULL, "NUL byte" },
	};
	struct authz_jv_doc	*doc;
	const struct authz_jv	*root, *v;
	struct dw_err		 err;
	char			 s[40], up[40], want[64], body[256], msg[96];
	size_t			 n, t, i, k, len, plen;

	(void)state;
	for (n = 0; n <= 34; n++) {
		for (i = 0; i < n; i++)
			s[i] = KEY_BYTES[(i * 7 + n) % 40];
		s[n] = '\0';
		for (i = 0; i <= n; i++)
			up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 0x20 : s[i]);
		for (t = 0; t <= 20; t++) {
			/* A top-level string, t spaces after it. */
			len = (size_t)snprintf(body, sizeof(body), "\"%s\"%*s", s, (int)t, "");
			assert_int_equal(parse_exact(body, len, &doc, &err), 0);
			root = authz_jv_doc_root(doc);
			assert_string_equal(authz_jv_string(root), s);
			assert_int_equal(authz_jv_string_len(root), n);
			authz_jv_doc_free(doc);
			/* ...cut off before its quote. */
			assert_int_equal(parse_exact(body, n + 1, &doc, &err), -EINVAL);
			snprintf(want, sizeof(want), "end of JSON input in string literal at byte %zu",
			    n + 1);
			assert_non_null(strstr(err.msg, want));
			/* A key and a string, t spaces after them. */
			len = (size_t)snprintf(body, sizeof(body), "{\"%s\":\"%s\"}%*s", s, s,
			    (int)t, "");
			assert_int_equal(parse_exact(body, len, &doc, &err), 0);
			root = authz_jv_doc_root(doc);
			assert_string_equal(authz_jv_object_key(root, 0), s);
			assert_string_equal(authz_jv_string(authz_jv_object_get(root, s)), s);
			assert_int_equal(authz_jv_object_field(root, up, &v), 0);
			assert_int_equal(authz_jv_string_len(v), n);
			check_field(root, s);
			authz_jv_doc_free(doc);
			/* The key again, escaped at its end: an exact repeat. */
			len = (size_t)snprintf(body, sizeof(body), "{\"%s\":0,\"%s\\/\":1,\"%s\":2}%*s",
			    s, s, s, (int)t, "");
			assert_int_equal(parse_exact(body, len, &doc, &err), -EINVAL);
			assert_non_null(strstr(err.msg, "duplicate key"));
			/* Its upper case: one fold, two keys. */
			len = (size_t)snprintf(body, sizeof(body), "{\"%s\":0,\"%s\":1}%*s",
			    s, up, (int)t, "");
			if (strcmp(s, up) == 0)
				continue;
			assert_int_equal(parse_exact(body, len, &doc, &err), 0);
			assert_int_equal(authz_jv_object_field(authz_jv_doc_root(doc), s, &v),
			    -EEXIST);
			authz_jv_doc_free(doc);
		}
		for (i = 0; i < n; i++) {
			for (k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
				plen = odd[k].put[0] == '\0' ? 1 : strlen(odd[k].put);
				/* As a key, then as a string: 16 bytes and more after it. */
				len = (size_t)snprintf(body, sizeof(body), "{\"%.*s", (int)i, s);
				memcpy(body + len, odd[k].put, plen);
				len += plen;
				len += (size_t)snprintf(body + len, sizeof(body) - len,
				    "%s\":\"%.*s", s + i + 1, (int)i, s);
				memcpy(body + len, odd[k].put, plen);
				len += plen;
				len += (size_t)snprintf(body + len, sizeof(body) - len,
				    "%s\",\"0123456789abcdef\":0}", s + i + 1);
				if (odd[k].want == NULL) {
					assert_int_equal(parse_exact(body, len, &doc, &err), -EINVAL);
					snprintf(msg, sizeof(msg), "%s%s at byte %zu", odd[k].msg,
					    odd[k].put[0] == '\0' ? " in a key" : " in string literal",
					    i + 2);
					if (strstr(err.msg, msg) == NULL)
						fail_msg("n %zu, byte %zu: \"%s\", want \"%s\"", n, i,
						    err.msg, msg);
					continue;
				}
				assert_int_equal(parse_exact(body, len, &doc, &err), 0);
				root = authz_jv_doc_root(doc);
				snprintf(want, sizeof(want), "%.*s%s%s", (int)i, s, odd[k].want,
				    s + i + 1);
				assert_string_equal(authz_jv_object_key(root, 0), want);
				assert_string_equal(authz_jv_string(authz_jv_object_value(root, 0)),
				    want);
				check_field(root, want);
				check_field(root, up);
				authz_jv_doc_free(doc);
			}
		}
	}
}

/*
 * The values a docker run body is mostly made of (one digit, literals,
 * "", {} and []), which have shorter paths than the general ones, next
 * to what looks like them but is not, at the end of the input too
 * (exactly sized copies).
 */
static void
test_short_values(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;	/* the canonical value, or a part of the message */
	} sv[] = {
		{ "[0]", "[0]" }, { "[5,6,7]", "[5,6,7]" }, { "{\"a\":9}", "{\"a\":9}" },
		{ "[0 ]", "[0]" }, { "[0\n,1]", "[0,1]" }, { "{\"a\":0,\"b\":1}", "{\"a\":0,\"b\":1}" },
		{ "[-0]", "[-0]" }, { "[-0,1]", "[-0,1]" }, { "[0.5]", "[0.5]" },
		{ "[0e1]", "[0e1]" }, { "[0E+1,2]", "[0E+1,2]" }, { "[12,3]", "[12,3]" },
		{ "0", "0" }, { "7 ", "7" },
		{ "[00]", "invalid character '0' after array element at byte 2" },
		{ "[01]", "invalid character '1' after array element at byte 2" },
		{ "[0x]", "invalid character 'x' after array element at byte 2" },
		{ "[0:]", "invalid character ':' after array element at byte 2" },
		{ "[:,1]", "invalid character ':' looking for beginning of value at byte 1" },
		{ "[/,1]", "invalid character '/' looking for beginning of value at byte 1" },
		{ "[-]", "invalid character ']' in numeric literal at byte 2" },
		{ "[-,1]", "invalid character ',' in numeric literal at byte 2" },
		{ "[0.]", "invalid character ']' after decimal point in numeric literal at byte 3" },
		{ "[1e]", "invalid character ']' in exponent of numeric literal at byte 3" },
		{ "[9", "unexpected end of JSON input after array element at byte 2" },
		{ "[9}", "invalid character '}' after array element at byte 2" },
		{ "{\"a\":0]", "invalid character ']' after object key:value pair at byte 6" },
		{ "0,", "invalid character ',' after top-level value at byte 1" },
		{ "0}", "invalid character '}' after top-level value at byte 1" },
		{ "[null,true,false]", "[null,true,false]" },
		{ "{\"a\":null,\"b\":true,\"c\":false}", "{\"a\":null,\"b\":true,\"c\":false}" },
		{ "[nul]", "invalid character ']' in literal at byte 4" },
		{ "[nul", "unexpected end of JSON input in literal at byte 4" },
		{ "[nulll]", "invalid character 'l' after array element at byte 5" },
		{ "[falsey]", "invalid character 'y' after array element at byte 6" },
		{ "[fals]", "invalid character ']' in literal at byte 5" },
		{ "[truE]", "invalid character 'E' in literal at byte 4" },
		{ "[t]", "invalid character ']' in literal at byte 2" },
		{ "[\"\"]", "[\"\"]" }, { "{\"\":\"\"}", "{\"\":\"\"}" }, { "[\"\",\"\"]", "[\"\",\"\"]" },
		{ "[\"]", "unexpected end of JSON input in string literal at byte 3" },
		{ "[{},[],{ },[\n]]", "[{},[],{},[]]" }, { "{\"a\":{},\"b\":[]}", "{\"a\":{},\"b\":[]}" },
		{ "[{]", "invalid character ']' looking for beginning of object key string at byte 2" },
		{ "[[}", "invalid character '}' looking for beginning of value at byte 2" },
		{ "[{}", "unexpected end of JSON input after array element at byte 3" },
		{ "[[]", "unexpected end of JSON input after array element at byte 3" },
		{ "{}", "{}" }, { "[]", "[]" }, { "[ ]", "[]" },
		/* ',', ':' and a key's quote, with whitespace before them or not. */
		{ "[1 ,2,\t3]", "[1,2,3]" }, { "{\"a\" :1,\"b\":2}", "{\"a\":1,\"b\":2}" },
		{ "{ \"a\":1 ,\n\"b\"\r:\"\"}", "{\"a\":1,\"b\":\"\"}" },
		{ "{\"a\"1}", "invalid character '1' after object key at byte 4" },
		{ "{\"a\" 1}", "invalid character '1' after object key at byte 5" },
		{ "{\"a\"", "unexpected end of JSON input after object key at byte 4" },
		{ "{\"a\" ", "unexpected end of JSON input after object key at byte 5" },
		{ "{\"a\":1,x}", "invalid character 'x' looking for beginning of object key string at byte 7" },
		{ "{\"a\":1, x}", "invalid character 'x' looking for beginning of object key string at byte 8" },
		{ "{\"a\":1,", "unexpected end of JSON input looking for beginning of object key string at byte 7" },
		{ "{\"a\":1, ", "unexpected end of JSON input looking for beginning of object key string at byte 8" },
		{ "[1,", "unexpected end of JSON input looking for beginning of value at byte 3" },
		{ "[1 ,", "unexpected end of JSON input looking for beginning of value at byte 4" },
		{ "[1 x", "invalid character 'x' after array element at byte 3" },
		{ "1 ,", "invalid character ',' after top-level value at byte 2" },
	};
	struct authz_jv_doc	*doc;
	struct dw_err		 err;
	char			*canon, body[64];
	size_t			 i, len;
	int			 rc;
	char			 d;

	(void)state;
	for (i = 0; i < sizeof(sv) / sizeof(sv[0]); i++) {
		err.msg[0] = '\0';
		rc = parse_exact(sv[i].in, strlen(sv[i].in), &doc, &err);
		if (rc != 0) {
			if (strstr(err.msg, sv[i].want) == NULL)
				fail_msg("%s: \"%s\", want \"%s\"", sv[i].in, err.msg, sv[i].want);
			continue;
		}
		assert_non_null(canon = jv_canon(authz_jv_doc_root(doc)));
		if (strcmp(canon, sv[i].want) != 0)
			fail_msg("%s: %s, want %s", sv[i].in, canon, sv[i].want);
		free(canon);
		authz_jv_doc_free(doc);
	}
	/* Every digit, before each byte that ends it and at the input's end. */
	for (d = '0'; d <= '9'; d++) {
		len = (size_t)snprintf(body, sizeof(body), "{\"a\":%c,\"b\":[%c],\"c\":[%c,%c]}",
		    d, d, d, d);
		assert_int_equal(parse_exact(body, len, &doc, &err), 0);
		assert_non_null(canon = jv_canon(authz_jv_doc_root(doc)));
		assert_string_equal(canon, body);
		free(canon);
		authz_jv_doc_free(doc);
		assert_int_equal(parse_exact(&d, 1, &doc, &err), 0);
		assert_int_equal(authz_jv_number_text(authz_jv_doc_root(doc))[0], d);
		authz_jv_doc_free(doc);
	}
}

/* Element i of a large array, nested arrays and objects in it, by index. */
static void
test_arrays(void **state)
{
	struct authz_jv_doc	*doc;
	const struct authz_jv	*root, *e;
	char			*body;
	size_t			 i, o, n = 5000, cap = 5000 * 24 + 16;
	char			 want[16];

	(void)state;
	assert_non_null(body = malloc(cap));
	o = (size_t)snprintf(body, cap, "[");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(body + o, cap - o, i % 2 ? "%s[\"%zu\"]" : "%s{\"k\":%zu}",
		    i > 0 ? "," : "", i);
	snprintf(body + o, cap - o, "]");
	assert_int_equal(parse(body, &doc), 0);
	root = authz_jv_doc_root(doc);
	assert_int_equal(authz_jv_array_size(root), n);
	for (i = 0; i < n; i++) {
		e = authz_jv_array_get(root, i);
		snprintf(want, sizeof(want), "%zu", i);
		if (i % 2) {
			assert_true(authz_jv_is_array(e));
			assert_string_equal(authz_jv_string(authz_jv_array_get(e, 0)), want);
		} else {
			assert_true(authz_jv_is_object(e));
			assert_string_equal(authz_jv_number_text(authz_jv_object_get(e, "k")),
			    want);
		}
	}
	assert_null(authz_jv_array_get(root, n));
	authz_jv_doc_free(doc);
	free(body);
}

static void
test_int64(void **state)
{
	static const struct {
		const char	*in;
		int		 rc;
		int64_t		 v;
	} t[] = {
		{ "0", 0, 0 }, { "-0", 0, 0 }, { "42", 0, 42 }, { "-42", 0, -42 },
		{ "9223372036854775807", 0, INT64_MAX },
		{ "-9223372036854775808", 0, INT64_MIN },
		{ "9223372036854775808", -ERANGE, 0 },
		{ "-9223372036854775809", -ERANGE, 0 },
		{ "99999999999999999999999", -ERANGE, 0 },
		{ "1.0", -EINVAL, 0 }, { "1e3", -EINVAL, 0 }, { "1E0", -EINVAL, 0 },
		{ "-0.5", -EINVAL, 0 },
		{ "\"1\"", -EPROTO, 0 }, { "true", -EPROTO, 0 }, { "null", -EPROTO, 0 },
		{ "[1]", -EPROTO, 0 },
	};
	struct authz_jv_doc	*doc;
	int64_t			 v;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(parse(t[i].in, &doc), 0);
		v = 12345;
		assert_int_equal(authz_jv_int64(authz_jv_doc_root(doc), &v), t[i].rc);
		assert_true(v == (t[i].rc == 0 ? t[i].v : 12345));
		authz_jv_doc_free(doc);
	}
	assert_int_equal(authz_jv_int64(NULL, &v), -EPROTO);
}

/* Every accessor on NULL and on each type: "not that type", never a crash. */
static void
test_accessors(void **state)
{
	static const char *docs[] = { "null", "false", "true", "1", "\"s\"", "[1]",
	    "{\"a\":1}" };
	struct authz_jv_doc	*doc;
	const struct authz_jv	*v, *got;
	enum authz_jv_type	 t;
	size_t			 i;

	(void)state;
	assert_null(authz_jv_doc_root(NULL));
	assert_int_equal(authz_jv_doc_flags(NULL), 0);
	authz_jv_doc_free(NULL);
	for (i = 0; i <= sizeof(docs) / sizeof(docs[0]); i++) {
		doc = NULL;
		if (i < sizeof(docs) / sizeof(docs[0]))
			assert_int_equal(parse(docs[i], &doc), 0);
		v = authz_jv_doc_root(doc);
		t = authz_jv_type(v);
		assert_int_equal(t, v == NULL ? AUTHZ_JV_NULL : (enum authz_jv_type)i);
		assert_true(authz_jv_is_null(v) == (v != NULL && t == AUTHZ_JV_NULL));
		assert_true(authz_jv_is_bool(v) == (t == AUTHZ_JV_TRUE || t == AUTHZ_JV_FALSE));
		assert_true(authz_jv_is_true(v) == (t == AUTHZ_JV_TRUE));
		assert_true(authz_jv_is_number(v) == (t == AUTHZ_JV_NUMBER));
		assert_true(authz_jv_is_string(v) == (t == AUTHZ_JV_STRING));
		assert_true(authz_jv_is_array(v) == (t == AUTHZ_JV_ARRAY));
		assert_true(authz_jv_is_object(v) == (t == AUTHZ_JV_OBJECT));
		assert_true((authz_jv_string(v) != NULL) == (t == AUTHZ_JV_STRING));
		assert_int_equal(authz_jv_string_len(v), t == AUTHZ_JV_STRING ? 1 : 0);
		assert_true((authz_jv_number_text(v) != NULL) == (t == AUTHZ_JV_NUMBER));
		assert_int_equal(authz_jv_array_size(v), t == AUTHZ_JV_ARRAY ? 1 : 0);
		assert_true((authz_jv_array_get(v, 0) != NULL) == (t == AUTHZ_JV_ARRAY));
		assert_int_equal(authz_jv_object_size(v), t == AUTHZ_JV_OBJECT ? 1 : 0);
		assert_true((authz_jv_object_key(v, 0) != NULL) == (t == AUTHZ_JV_OBJECT));
		assert_true((authz_jv_object_value(v, 0) != NULL) == (t == AUTHZ_JV_OBJECT));
		assert_true((authz_jv_object_get(v, "a") != NULL) == (t == AUTHZ_JV_OBJECT));
		got = NULL;
		assert_int_equal(authz_jv_object_field(v, "A", &got),
		    v == NULL ? -ENOENT : t == AUTHZ_JV_OBJECT ? 0 : -EPROTO);
		assert_true((got != NULL) == (t == AUTHZ_JV_OBJECT));
		assert_int_equal(authz_jv_object_field(v, "b", &got),
		    v == NULL ? -ENOENT : t == AUTHZ_JV_OBJECT ? -ENOENT : -EPROTO);
		authz_jv_doc_free(doc);
	}
	/* Empty containers and the foreach macros. */
	assert_int_equal(parse("{\"o\":{},\"a\":[],\"s\":\"x\\u00e9\"}", &doc), 0);
	v = authz_jv_doc_root(doc);
	assert_int_equal(authz_jv_object_field(v, "O", &got), 0);
	assert_int_equal(authz_jv_object_size(got), 0);
	assert_null(authz_jv_object_get(got, "x"));
	assert_int_equal(authz_jv_object_field(got, "x", &got), -ENOENT);
	assert_int_equal(authz_jv_object_field(v, "s", &got), 0);
	assert_string_equal(authz_jv_string(got), "x\xc3\xa9");
	assert_int_equal(authz_jv_string_len(got), 3);
	authz_jv_doc_free(doc);
}

/* A docker run body, the shape rules read. */
static void
test_body(void **state)
{
	static const char *body =
	    "{\"Hostname\":\"\",\"Env\":[\"A=1\"],\"Cmd\":[\"sh\"],\"Image\":\"busybox\","
	    "\"Labels\":{\"a\":\"1\",\"A\":\"2\"},\"HostConfig\":{\"Binds\":[\"/tmp:/t:ro\"],"
	    "\"Memory\":0,\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]},"
	    "\"Privileged\":false,\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv\","
	    "\"Target\":\"/s\"}],\"CapAdd\":null}}";
	struct authz_jv_doc	*doc;
	const struct authz_jv	*root, *hc, *v;
	const char		*key;
	size_t			 i, n = 0;

	(void)state;
	assert_int_equal(parse(body, &doc), 0);
	root = authz_jv_doc_root(doc);
	assert_int_equal(authz_jv_object_field(root, "hostconfig", &hc), 0);
	assert_int_equal(authz_jv_object_field(hc, "Binds", &v), 0);
	assert_string_equal(authz_jv_string(authz_jv_array_get(v, 0)), "/tmp:/t:ro");
	assert_int_equal(authz_jv_object_field(hc, "CapAdd", &v), 0);
	assert_true(authz_jv_is_null(v));
	assert_int_equal(authz_jv_object_field(hc, "Privileged", &v), 0);
	assert_true(authz_jv_is_bool(v) && !authz_jv_is_true(v));
	assert_int_equal(authz_jv_object_field(hc, "Devices", &v), -ENOENT);
	assert_int_equal(authz_jv_object_field(root, "Labels", &v), 0);
	assert_int_equal(authz_jv_object_field(v, "a", &v), -EEXIST);
	assert_int_equal(authz_jv_object_field(root, "Labels", &v), 0);
	assert_string_equal(authz_jv_string(authz_jv_object_get(v, "A")), "2");
	authz_jv_object_foreach(hc, i, key, v)
		n++;
	assert_int_equal(n, 6);
	assert_int_equal(authz_jv_doc_flags(doc), 0);
	authz_jv_doc_free(doc);
}

/* What docker run (CLI 20.10) sends: every field, most of them zero. */
static const char run_body[] =
    "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
    "\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,"
    "\"StdinOnce\":false,\"Env\":[\"BENCH=1\"],\"Cmd\":[\"true\"],\"Image\":\"busybox\","
    "\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,"
    "\"Labels\":{\"a\":\"1\"},\"HostConfig\":{\"Binds\":[\"/srv:/src\"],"
    "\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\",\"Config\":{}},"
    "\"NetworkMode\":\"default\",\"PortBindings\":{},\"RestartPolicy\":{\"Name\":\"no\","
    "\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,"
    "\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],"
    "\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\","
    "\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,"
    "\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\","
    "\"UsernsMode\":\"\",\"ShmSize\":0,\"ConsoleSize\":[0,0],\"Isolation\":\"\",\"CpuShares\":0,"
    "\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,"
    "\"BlkioWeightDevice\":[],\"Devices\":[],\"MemorySwappiness\":-1,\"OomKillDisable\":false,"
    "\"PidsLimit\":null,\"Ulimits\":null,\"MaskedPaths\":null,\"ReadonlyPaths\":null},"
    "\"NetworkingConfig\":{\"EndpointsConfig\":{}}}";

/*
 * buf read warm (on this thread, just after `teach`, so its shapes are
 * remembered) and cold (a new thread, nothing remembered): the same
 * answer, the same message, the same document.
 */
static void
check_warm_cold(const char *teach, const char *buf, size_t len)
{
	struct authz_jv_doc	*t = NULL, *w = NULL, *c = NULL;
	struct dw_err		 ew, ec;
	int			 rw, rc;

	ew.msg[0] = ec.msg[0] = '\0';
	if (teach != NULL && authz_jv_parse(teach, strlen(teach), MAX, &t, &ew) != 0)
		t = NULL;
	ew.msg[0] = '\0';
	rw = authz_jv_parse(buf, len, MAX, &w, &ew);
	rc = jv_parse_cold(buf, len, MAX, &c, &ec);
	assert_int_not_equal(rc, -EAGAIN);
	if (rw != rc || strcmp(ew.msg, ec.msg) != 0)
		fail_msg("warm %d \"%s\", cold %d \"%s\" for %.*s", rw, ew.msg, rc,
		    ec.msg, (int)len, buf);
	/* Keys of what taught the shapes are looked up too: an index lent by a shape would find them. */
	if (rw == 0 && !jv_same(authz_jv_doc_root(w), authz_jv_doc_root(c),
	    authz_jv_doc_root(t)))
		fail_msg("warm and cold documents differ for %.*s", (int)len, buf);
	authz_jv_doc_free(t);
	authz_jv_doc_free(w);
	authz_jv_doc_free(c);
}

/*
 * Shapes (authz_jv.c): reading with a remembered shape gives what reading
 * without one gives, whatever the input does to the shape: every byte of
 * a docker run body changed (to a byte that breaks a key, ends a value
 * early, lengthens a number, adds a space or an escape) or removed.
 */
static void
test_shapes(void **state)
{
	static const char subst[] = { 'x', ' ', '}', '1', '.', 'e', '\\', ',', '"' };
	size_t		 len = strlen(run_body), i, j;
	char		*buf;

	(void)state;
	check_warm_cold(NULL, run_body, len);
	check_warm_cold(run_body, run_body, len);
	for (i = 0; i < len; i++) {
		for (j = 0; j < sizeof(subst); j++) {
			if (run_body[i] == subst[j])
				continue;
			buf = malloc(len);
			assert_non_null(buf);
			memcpy(buf, run_body, len);
			buf[i] = subst[j];
			check_warm_cold(run_body, buf, len);
			free(buf);
		}
		/* Removed: each later member is one byte off its shape. */
		buf = malloc(len - 1);
		assert_non_null(buf);
		memcpy(buf, run_body, i);
		memcpy(buf + i, run_body + i + 1, len - i - 1);
		check_warm_cold(run_body, buf, len - 1);
		free(buf);
	}
}

/*
 * Objects that start alike, nested: an inner object learned while an
 * outer one reads the same shape (or has its slot taken) must not lend
 * the outer one its keys or its index; and more objects than the memo
 * keeps, read in turn.
 */
static void
test_shapes_nested(void **state)
{
	static const char *bodies[] = {
	    "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0,\"i\":0}",
	    "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"x\":{\"a\":0,\"b\":0,\"c\":0,\"d\":0,"
	    "\"e\":0,\"f\":0,\"g\":0,\"h\":0},\"f\":0,\"g\":0,\"h\":0,\"i\":0}",
	    "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0,\"i\":0,\"j\":0}",
	    "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0}",
	    "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0,\"h\":1}",
	    "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"H\":0,\"h\":1}",
	    "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":00}",
	    "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0 }",
	    "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0.5}",
	    "{\"a\":1,\"b\":\"\",\"c\":[],\"d\":{},\"e\":null,\"f\":true,\"g\":false,\"h\":\"x\"}",
	    "{\"a\":0,\"b\":\"\",\"c\":[],\"d\":{},\"e\":null,\"f\":true,\"g\":false,\"h\":\"\"}",
	    "{\"a\":0,\"b\":\"\",\"c\":[ ],\"d\":{ },\"e\":null,\"f\":true,\"g\":false,\"h\":\"\"}",
	    "{\"1\":0,\"2\":0,\"3\":0,\"4\":0,\"5\":0,\"6\":0,\"7\":0,\"8\":0}",
	    "{\"\\u0061\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0,\"i\":0}",
	    "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0,\"i\":0",
	    "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0,\"i\":",
	    /* An inner object of the same start, last: it takes the outer one's shape. */
	    "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"x\":{\"a\":0,"
	    "\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"y\":0}}",
	    /* The same, not last. */
	    "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"x\":{\"a\":0,"
	    "\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"y\":0},\"g\":0}",
	    /* A key whose escapes make its text end in `":` one byte early. */
	    "{\"\\\\\\\":\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0}",
	    "{\"\\\\\\\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0\"}",
	    /*
	     * Fewer members than the shape that starts alike: its index would
	     * find "i" one node past them, where the object read first left it.
	     */
	    "{\"z\":{\"i\":0},\"q\":{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,"
	    "\"g\":0,\"h\":0}}",
	};
	char	deep[2 * DW_JSON_DEPTH_MAX + 64];
	size_t	n = sizeof(bodies) / sizeof(bodies[0]), i, j;

	(void)state;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			check_warm_cold(bodies[i], bodies[j], strlen(bodies[j]));
	/* Each body read again and again: shapes taken over in turn. */
	for (i = 0; i < n; i++)
		for (j = 0; j < 3; j++)
			check_warm_cold(bodies[i], bodies[i], strlen(bodies[i]));
	/* Each body once after all the others, in both orders. */
	for (i = 0; i < n; i++)
		check_warm_cold(NULL, bodies[i], strlen(bodies[i]));
	for (i = n; i-- > 0;)
		check_warm_cold(NULL, bodies[i], strlen(bodies[i]));
	/*
	 * Objects that fill a shape's store to within a few bytes of
	 * DW_JV_SHAPE_BYTES, or past it (the shape is then not kept):
	 * reading them warm copies nothing from beyond what was learned.
	 */
	for (i = 20; i <= 30; i++)
		for (j = 40; j <= 64; j += 3) {
			char	*big = malloc(i * (j + 8) + 8);
			size_t	 k, at = 0;

			assert_non_null(big);
			big[at++] = '{';
			for (k = 0; k < i; k++)
				at += (size_t)sprintf(big + at, "%s\"%0*zu\":0", k ? "," : "",
				    (int)j, k);
			big[at++] = '}';
			big[at] = '\0';
			check_warm_cold(big, big, at);
			free(big);
		}
	/* A remembered object one level deeper than its values may be: refused both ways. */
	memset(deep, '[', DW_JSON_DEPTH_MAX);
	memcpy(deep + DW_JSON_DEPTH_MAX, bodies[0], strlen(bodies[0]));
	memset(deep + DW_JSON_DEPTH_MAX + strlen(bodies[0]), ']', DW_JSON_DEPTH_MAX);
	deep[2 * DW_JSON_DEPTH_MAX + strlen(bodies[0])] = '\0';
	check_warm_cold(bodies[0], deep, strlen(deep));
	check_warm_cold(deep + 1, deep, strlen(deep));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_index_sizes),
		cmocka_unit_test(test_key_lengths),
		cmocka_unit_test(test_string_blocks),
		cmocka_unit_test(test_short_values),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_int64),
		cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_shapes_nested),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
