/*
 * Fuzz authz_jv, the decision path's JSON reader.  Any input; aborts on a
 * broken invariant:
 *   - over the size limit is -E2BIG, and nothing else is;
 *   - every string and key is valid UTF-8 without NUL, of its stated length;
 *   - authz_jv_object_field() agrees with a scan of the keys under Go's
 *     fold (one match, -EEXIST for two, -ENOENT for none), and
 *     authz_jv_object_get() finds every key, exactly;
 *   - written back as JSON and read again, the tree is the same (and
 *     nothing in it needs replacing any more);
 *   - read again on this thread (so with the shapes this input and the
 *     ones before it left, authz_jv.c) and on a new thread (none), the
 *     answer, its message and the document are the same;
 *   - where jansson can judge (the input is valid UTF-8 without NUL, no
 *     lone surrogate, numbers in range), it agrees: a document one reads the
 *     other reads, to the same types and strings, except that we refuse
 *     deeper than DW_JSON_DEPTH_MAX.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/unit/jv_canon.h"
#include "tests/unit/jv_same.h"

#include "authz/authz_jv.h"
#include "common/dw_limits.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strictly valid UTF-8 (shortest forms, no surrogates, <= U+10FFFF), no NUL. */
static bool
utf8_clean(const unsigned char *s, size_t n)
{
	size_t		i = 0, k, j;
	uint32_t	r, min;

	while (i < n) {
		if (s[i] == 0)
			return false;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			k = 2;
			r = s[i] & 0x1f;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			k = 3;
			r = s[i] & 0x0f;
			min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			k = 4;
			r = s[i] & 0x07;
			min = 0x10000;
		} else
			return false;
		if (n - i < k)
			return false;
		for (j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			r = r << 6 | (s[i + j] & 0x3f);
		}
		if (r < min || r > 0x10ffff || (r >= 0xd800 && r < 0xe000))
			return false;
		i += k;
	}
	return true;
}

/* Go's bytes.EqualFold(key, field) for an ASCII field, rune by rune. */
static bool
fold_match(const char *key, const char *field)
{
	const unsigned char	*k = (const unsigned char *)key;
	int			 f;

	for (; *field != '\0'; field++) {
		f = *field >= 'a' && *field <= 'z' ? *field - 'a' + 'A' : *field;
		if (k[0] == 0xc5 && k[1] == 0xbf) {
			if (f != 'S')
				return false;
			k += 2;
		} else if (k[0] == 0xe2 && k[1] == 0x84 && k[2] == 0xaa) {
			if (f != 'K')
				return false;
			k += 3;
		} else if (k[0] == 0 || k[0] >= 0x80 ||
		    (k[0] >= 'a' && k[0] <= 'z' ? k[0] - 'a' + 'A' : k[0]) != f)
			return false;
		else
			k++;
	}
	return *k == 0;
}

/* An ASCII field name that key folds to (long s -> s, Kelvin -> k), or false. */
static bool
ascii_field(const char *key, char *out, size_t size, bool lower)
{
	const unsigned char	*k = (const unsigned char *)key;
	size_t			 o = 0;

	while (*k != 0) {
		if (o + 1 >= size)
			return false;
		if (k[0] == 0xc5 && k[1] == 0xbf) {
			out[o++] = 's';
			k += 2;
		} else if (k[0] == 0xe2 && k[1] == 0x84 && k[2] == 0xaa) {
			out[o++] = 'k';
			k += 3;
		} else if (k[0] >= 0x80)
			return false;
		else {
			out[o++] = (char)(lower && k[0] >= 'A' && k[0] <= 'Z' ? k[0] - 'A' + 'a' :
			    k[0]);
			k++;
		}
	}
	out[o] = '\0';
	return true;
}

/*
 * Names registered for the name tables of large objects (authz_jv.c):
 * looked up in every object, they answer as a probe of their string does.
 */
static const char *const reg_names[] = {
	"Binds", "Privileged", "NetworkMode", "HostConfig", "a", "b", "k", "s",
	"ks", "Sysctls", "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7",
};
static struct authz_jv_name	reg[sizeof(reg_names) / sizeof(reg_names[0])];

__attribute__((constructor)) static void
reg_init(void)
{
	size_t	i;

	for (i = 0; i < sizeof(reg) / sizeof(reg[0]); i++)
		if (authz_jv_name_prepare(&reg[i], reg_names[i]) != 0)
			abort();
	if (authz_jv_names_register(reg, sizeof(reg) / sizeof(reg[0])) != 0)
		abort();
}

static void
check_registered(const struct authz_jv *obj)
{
	const struct authz_jv	*a, *b;
	size_t			 i;

	for (i = 0; i < sizeof(reg) / sizeof(reg[0]); i++) {
		a = b = NULL;
		if (authz_jv_object_field_name(obj, &reg[i], &a) !=
		    authz_jv_object_field(obj, reg_names[i], &b) || a != b)
			abort();
	}
}

static void
check_field(const struct authz_jv *obj, const char *field)
{
	const struct authz_jv	*got = NULL, *want = NULL, *val;
	const char		*key;
	size_t			 i, hits = 0;
	int			 rc;

	authz_jv_object_foreach(obj, i, key, val) {
		if (fold_match(key, field)) {
			hits++;
			want = val;
		}
	}
	rc = authz_jv_object_field(obj, field, &got);
	if (hits == 0 ? rc != -ENOENT : hits > 1 ? rc != -EEXIST : rc != 0 || got != want)
		abort();
	/* The rules' prepared names answer the same. */
	if (strlen(field) < AUTHZ_JV_NAME_MAX) {
		struct authz_jv_name	 nm;
		const struct authz_jv	*got2 = NULL;

		if (authz_jv_name_prepare(&nm, field) != 0 ||
		    authz_jv_object_field_name(obj, &nm, &got2) != rc ||
		    (rc == 0 && got2 != got))
			abort();
	}
}

static void
check_tree(const struct authz_jv *v)
{
	const struct authz_jv	*e;
	const char		*k;
	char			 field[128];
	size_t			 i, n;

	switch (authz_jv_type(v)) {
	case AUTHZ_JV_STRING:
		n = authz_jv_string_len(v);
		if (strlen(authz_jv_string(v)) != n ||
		    !utf8_clean((const unsigned char *)authz_jv_string(v), n))
			abort();
		break;
	case AUTHZ_JV_NUMBER:
		if (authz_jv_number_text(v) == NULL || authz_jv_number_text(v)[0] == '\0')
			abort();
		break;
	case AUTHZ_JV_ARRAY:
		for (i = 0; i < authz_jv_array_size(v); i++) {
			if ((e = authz_jv_array_get(v, i)) == NULL)
				abort();
			check_tree(e);
		}
		if (authz_jv_array_get(v, i) != NULL)
			abort();
		break;
	case AUTHZ_JV_OBJECT:
		for (i = 0; i < authz_jv_object_size(v); i++) {
			k = authz_jv_object_key(v, i);
			e = authz_jv_object_value(v, i);
			if (k == NULL || e == NULL ||
			    !utf8_clean((const unsigned char *)k, strlen(k)) ||
			    authz_jv_object_get(v, k) != e)
				abort();
			if (ascii_field(k, field, sizeof(field), false)) {
				check_field(v, field);
				ascii_field(k, field, sizeof(field), true);
				check_field(v, field);
			}
			check_tree(e);
		}
		check_field(v, "Binds");
		check_field(v, "");
		check_registered(v);
		if (authz_jv_object_key(v, i) != NULL || authz_jv_object_value(v, i) != NULL)
			abort();
		break;
	default:
		break;
	}
}

/* v written back as JSON (valid UTF-8 in, so valid UTF-8 out). */
static void
write_json(FILE *f, const struct authz_jv *v)
{
	const unsigned char	*s;
	size_t			 i, n;

	switch (authz_jv_type(v)) {
	case AUTHZ_JV_NULL:
		fputs("null", f);
		break;
	case AUTHZ_JV_FALSE:
		fputs("false", f);
		break;
	case AUTHZ_JV_TRUE:
		fputs("true", f);
		break;
	case AUTHZ_JV_NUMBER:
		fputs(authz_jv_number_text(v), f);
		break;
	case AUTHZ_JV_STRING:
		s = (const unsigned char *)authz_jv_string(v);
		n = authz_jv_string_len(v);
		fputc('"', f);
		for (i = 0; i < n; i++) {
			if (s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
				fprintf(f, "\\u%04x", s[i]);
			else
				fputc(s[i], f);
		}
		fputc('"', f);
		break;
	case AUTHZ_JV_ARRAY:
		fputs("[ ", f);
		for (i = 0; i < authz_jv_array_size(v); i++) {
			if (i > 0)
				fputs(",\n", f);
			write_json(f, authz_jv_array_get(v, i));
		}
		fputs("\t]", f);
		break;
	case AUTHZ_JV_OBJECT:
		fputc('{', f);
		for (i = 0; i < authz_jv_object_size(v); i++) {
			if (i > 0)
				fputc(',', f);
			fputc('"', f);
			s = (const unsigned char *)authz_jv_object_key(v, i);
			for (; *s != 0; s++) {
				if (*s < 0x20 || *s == '"' || *s == '\\')
					fprintf(f, "\\u%04X", *s);
				else
					fputc(*s, f);
			}
			fputs("\" :\r", f);
			write_json(f, authz_jv_object_value(v, i));
		}
		fputc('}', f);
		break;
	}
}

static void
check_roundtrip(const struct authz_jv *root)
{
	struct authz_jv_doc	*doc2 = NULL;
	char			*buf = NULL, *c1, *c2;
	size_t			 len = 0;
	FILE			*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return;
	write_json(f, root);
	if (fclose(f) != 0)
		abort();
	if (authz_jv_parse(buf, len, len, &doc2, NULL) != 0 ||
	    authz_jv_doc_flags(doc2) != 0)
		abort();
	c1 = jv_canon(root);
	c2 = jv_canon(authz_jv_doc_root(doc2));
	if (c1 == NULL || c2 == NULL || strcmp(c1, c2) != 0)
		abort();
	free(c1);
	free(c2);
	authz_jv_doc_free(doc2);
	free(buf);
}

/* The same value in jansson's reading: types, strings, integers, members. */
static void
same_as_jansson(const struct authz_jv *v, const json_t *j)
{
	const struct authz_jv	*e;
	const char		*k;
	size_t			 i;
	int64_t			 n;

	switch (authz_jv_type(v)) {
	case AUTHZ_JV_NULL:
		if (!json_is_null(j))
			abort();
		break;
	case AUTHZ_JV_FALSE:
		if (!json_is_false(j))
			abort();
		break;
	case AUTHZ_JV_TRUE:
		if (!json_is_true(j))
			abort();
		break;
	case AUTHZ_JV_NUMBER:
		if (!json_is_number(j))
			abort();
		if (json_is_integer(j) && (authz_jv_int64(v, &n) != 0 ||
		    n != json_integer_value(j)))
			abort();
		break;
	case AUTHZ_JV_STRING:
		if (!json_is_string(j) || json_string_length(j) != authz_jv_string_len(v) ||
		    memcmp(json_string_value(j), authz_jv_string(v), authz_jv_string_len(v)) != 0)
			abort();
		break;
	case AUTHZ_JV_ARRAY:
		if (!json_is_array(j) || json_array_size(j) != authz_jv_array_size(v))
			abort();
		for (i = 0; i < authz_jv_array_size(v); i++)
			same_as_jansson(authz_jv_array_get(v, i), json_array_get(j, i));
		break;
	case AUTHZ_JV_OBJECT:
		if (!json_is_object(j) || json_object_size(j) != authz_jv_object_size(v))
			abort();
		authz_jv_object_foreach(v, i, k, e)
			same_as_jansson(e, json_object_get(j, k));
		break;
	}
}

/* The first reading (rc, doc, err) agrees with a second on this thread and one on a new thread. */
static void
same_warm_cold(const uint8_t *data, size_t size, int rc, const struct authz_jv_doc *doc,
    const struct dw_err *err)
{
	struct authz_jv_doc	*again = NULL, *cold = NULL;
	struct dw_err		 e2, e3;
	int			 r2, r3;

	e2.msg[0] = e3.msg[0] = '\0';
	r2 = authz_jv_parse(data, size, size, &again, &e2);
	if ((r3 = jv_parse_cold(data, size, size, &cold, &e3)) == -EAGAIN)
		abort();
	if (r2 != rc || r3 != rc)
		abort();
	if (rc != 0 && (strcmp(e2.msg, err->msg) != 0 || strcmp(e3.msg, err->msg) != 0))
		abort();
	if (rc == 0 && (!jv_same(authz_jv_doc_root(doc), authz_jv_doc_root(again), NULL) ||
	    !jv_same(authz_jv_doc_root(doc), authz_jv_doc_root(cold), NULL)))
		abort();
	authz_jv_doc_free(again);
	authz_jv_doc_free(cold);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authz_jv_doc	*doc = NULL;
	struct dw_err		 err;
	json_error_t		 jerr;
	json_t			*j;
	bool			 judge;
	int			 rc;

	if (size > 0 && authz_jv_parse(data, size, size - 1, &doc, NULL) != -E2BIG)
		abort();
	rc = authz_jv_parse(data, size, size, &doc, &err);
	if (rc != 0 && rc != -EINVAL && rc != -E2BIG)
		abort();
	if (rc == 0) {
		check_tree(authz_jv_doc_root(doc));
		check_roundtrip(authz_jv_doc_root(doc));
	}
	same_warm_cold(data, size, rc, doc, &err);
	j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	/*
	 * jansson refuses what we replace (invalid UTF-8, lone surrogates)
	 * and numbers out of its range, and takes a raw NUL for the end of
	 * the input ("1\0x" is 1 to it); elsewhere the two must agree.
	 */
	judge = memchr(data, 0, size) == NULL && (j != NULL ||
	    (rc == 0 && authz_jv_doc_flags(doc) == 0 &&
	    strstr(jerr.text, "too big") == NULL && strstr(jerr.text, "overflow") == NULL));
	if (judge) {
		if (j == NULL)
			abort();
		if (rc == -E2BIG && strstr(err.msg, "deeper") == NULL)
			abort();
		if (rc == -EINVAL)
			abort();
		if (rc == 0)
			same_as_jansson(authz_jv_doc_root(doc), j);
	}
	json_decref(j);
	authz_jv_doc_free(doc);
	return 0;
}
