/*
 * authz_json: Engine API bodies read the way Go's encoding/json fills a
 * struct, with every ambiguity turned into a refusal.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "authz/authz_json.h"
#include "common/dw_limits.h"

/* Depth of nesting, bounded; jansson itself refuses beyond 2048. */
static int
json_depth_ok(const json_t *v, int depth)
{
	const char	*key;
	json_t		*child;
	size_t		 i;

	if (depth > DW_JSON_DEPTH_MAX)
		return 0;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child)
			if (!json_depth_ok(child, depth + 1))
				return 0;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child)
			if (!json_depth_ok(child, depth + 1))
				return 0;
	}
	return 1;
}

static void	index_body(json_t *root);

json_t *
authz_json_parse_body(const void *buf, size_t len, struct dw_err *err)
{
	json_error_t	 jerr;
	json_t		*root;

	if (buf == NULL || len == 0) {
		dw_err_set(err, "empty body");
		return NULL;
	}
	if (len > DW_BODY_MAX) {
		dw_err_set(err, "body of %zu bytes is over the %d byte limit",
		    len, DW_BODY_MAX);
		return NULL;
	}
	/*
	 * Exact duplicate keys are refused outright: Go would keep the last
	 * (or merge objects), and we will not guess which copy mattered.
	 * jansson also refuses invalid UTF-8, NUL in keys and trailing data.
	 */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		dw_err_set(err, "body is not JSON dockward can interpret safely: "
		    "%s at line %d column %d", jerr.text, jerr.line, jerr.column);
		return NULL;
	}
	if (!json_is_object(root)) {
		dw_err_set(err, "body is not a JSON object");
		json_decref(root);
		return NULL;
	}
	if (!json_depth_ok(root, 0)) {
		dw_err_set(err, "body nests deeper than %d levels", DW_JSON_DEPTH_MAX);
		json_decref(root);
		return NULL;
	}
	index_body(root);
	return root;
}

/*
 * Decode one UTF-8 sequence at s (valid UTF-8 is guaranteed by jansson).
 * Returns the code point and advances *len by its byte length.
 */
static uint32_t
utf8_next(const unsigned char *s, size_t *n)
{
	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0 && s[1] != 0) {
		*n = 2;
		return ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if ((s[0] & 0xf0) == 0xe0 && s[1] != 0 && s[2] != 0) {
		*n = 3;
		return ((uint32_t)(s[0] & 0x0f) << 12) |
		    ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	}
	if ((s[0] & 0xf8) == 0xf0 && s[1] != 0 && s[2] != 0 && s[3] != 0) {
		*n = 4;
		return ((uint32_t)(s[0] & 0x07) << 18) |
		    ((uint32_t)(s[1] & 0x3f) << 12) |
		    ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
	}
	*n = 1;
	return 0xfffd;
}

/*
 * The ASCII upper-case letter a rune folds to under Unicode simple case
 * folding, or 0.  Only two non-ASCII runes share a fold orbit with ASCII
 * letters: U+017F LATIN SMALL LETTER LONG S (s) and U+212A KELVIN SIGN (k).
 */
static int
fold_to_ascii_upper(uint32_t r)
{
	if (r >= 'a' && r <= 'z')
		return (int)(r - 'a' + 'A');
	if (r < 0x80)
		return (int)r;
	if (r == 0x017f)
		return 'S';
	if (r == 0x212a)
		return 'K';
	return 0;
}

/*
 * The ASCII fold of key (what authz_json_key_matches() compares with an
 * upper-cased field name) into out; false when some rune folds to no
 * ASCII character (the key then matches no field) or out is too small.
 */
static bool
key_fold(const char *key, char *out, size_t len)
{
	const unsigned char	*k = (const unsigned char *)key;
	size_t			 n, o = 0;
	int			 c;

	while (*k != '\0') {
		if ((c = fold_to_ascii_upper(utf8_next(k, &n))) == 0 || o + 1 >= len)
			return false;
		out[o++] = (char)c;
		k += n;
	}
	out[o] = '\0';
	return true;
}

#define INDEX_MIN	12	/* smaller objects are scanned */
#define FOLD_MAX	64	/* longer keys match no field dockerd has */

struct idx_ent {
	char		 fold[FOLD_MAX];
	const char	*key;
	json_t		*v;
	size_t		 pos;		/* iteration order, for the scan's messages */
};

struct obj_index {
	const json_t	*obj;
	struct idx_ent	*e;
	size_t		 n;
};

struct scope {
	unsigned	 depth;
	json_t		**roots;	/* references held until the scope ends */
	size_t		 nroots;
	struct obj_index *objs;
	size_t		 nobjs;
};

static _Thread_local struct scope scope;

static int
idx_cmp(const void *a, const void *b)
{
	const struct idx_ent	*x = a, *y = b;
	int			 c = strcmp(x->fold, y->fold);

	if (c != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Index obj (when large) and every object below it; -ENOMEM on failure. */
static int
index_tree(json_t *obj)
{
	struct obj_index	*no;
	struct idx_ent		*e = NULL;
	const char		*key;
	json_t			*v;
	size_t			 i, n = 0, pos = 0;

	if (json_is_array(obj)) {
		json_array_foreach(obj, i, v)
			if (index_tree(v) < 0)
				return -ENOMEM;
		return 0;
	}
	if (!json_is_object(obj))
		return 0;
	if (json_object_size(obj) >= INDEX_MIN) {
		if ((e = calloc(json_object_size(obj), sizeof(*e))) == NULL)
			return -ENOMEM;
		json_object_foreach(obj, key, v) {
			if (key_fold(key, e[n].fold, sizeof(e[n].fold))) {
				e[n].key = key;
				e[n].v = v;
				e[n].pos = pos;
				n++;
			}
			pos++;
		}
		qsort(e, n, sizeof(*e), idx_cmp);
		if ((no = realloc(scope.objs, (scope.nobjs + 1) * sizeof(*no))) == NULL) {
			free(e);
			return -ENOMEM;
		}
		scope.objs = no;
		scope.objs[scope.nobjs++] = (struct obj_index){ obj, e, n };
	}
	json_object_foreach(obj, key, v)
		if (index_tree(v) < 0)
			return -ENOMEM;
	return 0;
}

/* Index a freshly parsed body when a scope is open; failing to is harmless. */
static void
index_body(json_t *root)
{
	json_t	**nr;
	size_t	  had = scope.nobjs;

	if (scope.depth == 0)
		return;
	if ((nr = realloc(scope.roots, (scope.nroots + 1) * sizeof(*nr))) == NULL)
		return;
	scope.roots = nr;
	if (index_tree(root) < 0) {
		/* Drop this body's partial index: its objects are scanned instead. */
		while (scope.nobjs > had)
			free(scope.objs[--scope.nobjs].e);
		return;
	}
	scope.roots[scope.nroots++] = json_incref(root);
}

void
authz_json_scope_begin(void)
{
	scope.depth++;
}

void
authz_json_scope_end(void)
{
	size_t	i;

	if (scope.depth == 0 || --scope.depth > 0)
		return;
	for (i = 0; i < scope.nobjs; i++)
		free(scope.objs[i].e);
	for (i = 0; i < scope.nroots; i++)
		json_decref(scope.roots[i]);
	free(scope.objs);
	free(scope.roots);
	scope.objs = NULL;
	scope.roots = NULL;
	scope.nobjs = scope.nroots = 0;
}

/*
 * The indexed lookup: 1 when obj is indexed (result in *ret / the return
 * value in *r), 0 when it is not (the caller scans).
 */
static int
index_field(const json_t *obj, const char *path, const char *field,
    json_t **ret, struct dw_err *err, int *r)
{
	const struct obj_index	*oi = NULL;
	char			 want[FOLD_MAX];
	size_t			 i, lo, hi, mid;

	for (i = 0; i < scope.nobjs && oi == NULL; i++)
		if (scope.objs[i].obj == obj)
			oi = &scope.objs[i];
	if (oi == NULL || !key_fold(field, want, sizeof(want)))
		return 0;
	lo = 0;
	hi = oi->n;
	while (lo < hi) {	/* the first entry not below want */
		mid = lo + (hi - lo) / 2;
		if (strcmp(oi->e[mid].fold, want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == oi->n || strcmp(oi->e[lo].fold, want) != 0) {
		*r = -ENOENT;
		return 1;
	}
	if (lo + 1 < oi->n && strcmp(oi->e[lo + 1].fold, want) == 0) {
		/* Entries of one fold are in iteration order, as the scan meets them. */
		dw_err_set(err, "%s%s%s: given twice (as \"%s\" and \"%s\"); "
		    "dockerd would use only one of them",
		    path, path[0] ? "." : "", field, oi->e[lo].key, oi->e[lo + 1].key);
		*r = -EEXIST;
		return 1;
	}
	*ret = oi->e[lo].v;
	*r = 0;
	return 1;
}

bool
authz_json_key_matches(const char *key, const char *field)
{
	const unsigned char	*k = (const unsigned char *)key;
	const unsigned char	*f = (const unsigned char *)field;
	size_t			 n;
	int			 fc, kc;

	while (*k != '\0' && *f != '\0') {
		kc = fold_to_ascii_upper(utf8_next(k, &n));
		fc = (*f >= 'a' && *f <= 'z') ? *f - 'a' + 'A' : *f;
		if (kc == 0 || kc != fc)
			return false;
		k += n;
		f++;
	}
	return *k == '\0' && *f == '\0';
}

int
authz_json_field(const json_t *obj, const char *path, const char *field,
    json_t **ret, struct dw_err *err)
{
	const char	*key;
	json_t		*v, *found = NULL;
	const char	*first = NULL;
	int		 r;

	if (!json_is_object(obj)) {
		dw_err_set(err, "%s: not an object", path[0] ? path : "body");
		return -EINVAL;
	}
	if (scope.nobjs > 0 && index_field(obj, path, field, ret, err, &r))
		return r;
	json_object_foreach((json_t *)obj, key, v) {
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

/* Look a field up; absent and null both become *ret = NULL with 0. */
static int
field_or_null(const json_t *obj, const char *path, const char *field,
    json_t **ret, struct dw_err *err)
{
	json_t	*v;
	int	 r;

	*ret = NULL;
	if (obj == NULL)
		return 0;
	r = authz_json_field(obj, path, field, &v, err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (!json_is_null(v))
		*ret = v;
	return 0;
}

/* A body field of another type: "path.field: must be want" (dockerd refuses it too). */
static int
wrong_type(struct dw_err *err, const char *path, const char *field,
    const char *want)
{
	dw_err_set(err, "%s%s%s: must be %s", path, path[0] ? "." : "", field, want);
	return -EPROTO;
}

int
authz_json_get_bool(const json_t *obj, const char *path, const char *field,
    bool *ret, struct dw_err *err)
{
	json_t	*v;
	int	 r;

	if ((r = field_or_null(obj, path, field, &v, err)) < 0)
		return r;
	if (v == NULL) {
		*ret = false;
		return 0;
	}
	if (!json_is_boolean(v))
		return wrong_type(err, path, field, "a boolean");
	*ret = json_is_true(v);
	return 0;
}

int
authz_json_get_string(const json_t *obj, const char *path, const char *field,
    const char **ret, struct dw_err *err)
{
	json_t	*v;
	int	 r;

	if ((r = field_or_null(obj, path, field, &v, err)) < 0)
		return r;
	if (v == NULL) {
		*ret = NULL;
		return 0;
	}
	if (!json_is_string(v))
		return wrong_type(err, path, field, "a string");
	*ret = json_string_value(v);
	return 0;
}

/* A field that must be null, absent, or of one JSON container type. */
static int
get_typed(const json_t *obj, const char *path, const char *field,
    json_type type, const char *want, json_t **ret, struct dw_err *err)
{
	json_t	*v;
	int	 r;

	if ((r = field_or_null(obj, path, field, &v, err)) < 0)
		return r;
	if (v != NULL && json_typeof(v) != type)
		return wrong_type(err, path, field, want);
	*ret = v;
	return 0;
}

int
authz_json_get_object(const json_t *obj, const char *path, const char *field,
    json_t **ret, struct dw_err *err)
{
	return get_typed(obj, path, field, JSON_OBJECT, "an object", ret, err);
}

int
authz_json_get_array(const json_t *obj, const char *path, const char *field,
    json_t **ret, struct dw_err *err)
{
	return get_typed(obj, path, field, JSON_ARRAY, "an array", ret, err);
}

int
authz_json_get_strings(const json_t *obj, const char *path, const char *field,
    bool strslice, struct dw_strv *ret, struct dw_err *err)
{
	json_t	*v, *e;
	size_t	 i;
	int	 r;

	if ((r = field_or_null(obj, path, field, &v, err)) < 0)
		return r;
	if (v == NULL)
		return 0;
	if (strslice && json_is_string(v))
		return dw_strv_push(ret, json_string_value(v));
	if (!json_is_array(v))
		return wrong_type(err, path, field, strslice ?
		    "a string or an array of strings" : "an array of strings");
	json_array_foreach(v, i, e) {
		if (json_is_null(e))
			r = dw_strv_push(ret, "");
		else if (json_is_string(e))
			r = dw_strv_push(ret, json_string_value(e));
		else
			return wrong_type(err, path, field, "an array of strings");
		if (r < 0)
			return r;
	}
	return 0;
}

/* A JSON value's kind, for "expected X, got Y". */
static const char *
json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

int
authz_json_type_error(struct dw_err *err, const char *path, const char *want,
    const json_t *v)
{
	dw_err_set(err, "%s: expected %s, got %s", path, want, json_kind(v));
	return -EINVAL;
}
