/*
 * authz_json: Engine API bodies read the way Go's encoding/json fills a
 * struct, with every ambiguity turned into a refusal.  The reading is
 * authz_jv's; this file adds the refusals and the words for them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz_json.h"
#include "common/dw_limits.h"

/* Every name in the table fits an authz_jv_name: checked when it compiles. */
#define AUTHZ_FIELD(name)						\
	_Static_assert(sizeof(#name) <= AUTHZ_JV_NAME_MAX, #name " is too long");
#include "authz/authz_field_table.h"
#undef AUTHZ_FIELD

static struct authz_jv_name	fields[AUTHZ_JSON_FIELD_COUNT];

const struct authz_jv_name *const authz_json_fields = fields;

/*
 * What a create body's top level holds besides host settings, as dockerd
 * 20.10 decodes it (runconfig.ContainerConfigWrapper): container.Config's
 * fields, promoted from the embedded *Config, and the wrapper's own
 * HostConfig and NetworkingConfig.  The wrapper's Cpuset is not here:
 * dockerd counts it as a host setting.
 */
static const enum authz_json_field_id create_config_fields[] = {
	AUTHZ_JSON_FIELD_ArgsEscaped,
	AUTHZ_JSON_FIELD_AttachStderr,
	AUTHZ_JSON_FIELD_AttachStdin,
	AUTHZ_JSON_FIELD_AttachStdout,
	AUTHZ_JSON_FIELD_Cmd,
	AUTHZ_JSON_FIELD_Domainname,
	AUTHZ_JSON_FIELD_Entrypoint,
	AUTHZ_JSON_FIELD_Env,
	AUTHZ_JSON_FIELD_ExposedPorts,
	AUTHZ_JSON_FIELD_Healthcheck,
	AUTHZ_JSON_FIELD_Hostname,
	AUTHZ_JSON_FIELD_Image,
	AUTHZ_JSON_FIELD_Labels,
	AUTHZ_JSON_FIELD_MacAddress,
	AUTHZ_JSON_FIELD_NetworkDisabled,
	AUTHZ_JSON_FIELD_OnBuild,
	AUTHZ_JSON_FIELD_OpenStdin,
	AUTHZ_JSON_FIELD_Shell,
	AUTHZ_JSON_FIELD_StdinOnce,
	AUTHZ_JSON_FIELD_StopSignal,
	AUTHZ_JSON_FIELD_StopTimeout,
	AUTHZ_JSON_FIELD_Tty,
	AUTHZ_JSON_FIELD_User,
	AUTHZ_JSON_FIELD_Volumes,
	AUTHZ_JSON_FIELD_WorkingDir,
	AUTHZ_JSON_FIELD_HostConfig,
	AUTHZ_JSON_FIELD_NetworkingConfig,
};

#define NCREATE_CONFIG	(sizeof(create_config_fields) / sizeof(create_config_fields[0]))

/* Their registered ids (fields_prepare), side by side: one cache line. */
static uint16_t	create_config_ids[NCREATE_CONFIG];

/*
 * Before main(), so that the table is read-only by the time any thread
 * reads it.  authz_jv_name_prepare() cannot fail for these names (ASCII
 * identifiers, and short enough by the asserts above), nor can their
 * registration (test_field_table checks that it took).
 */
__attribute__((constructor)) static void
fields_prepare(void)
{
	static const char *const names[AUTHZ_JSON_FIELD_COUNT] = {
#define AUTHZ_FIELD(name)	#name,
#include "authz/authz_field_table.h"
#undef AUTHZ_FIELD
	};
	size_t	i;

	for (i = 0; i < AUTHZ_JSON_FIELD_COUNT; i++)
		(void)authz_jv_name_prepare(&fields[i], names[i]);
	/* Large objects (HostConfig, a create body) answer these from a table. */
	(void)authz_jv_names_register(fields, AUTHZ_JSON_FIELD_COUNT);
	for (i = 0; i < NCREATE_CONFIG; i++)
		create_config_ids[i] = fields[create_config_fields[i]].id;
}

bool
authz_json_create_config_only(const struct authz_jv *root)
{
	return authz_jv_object_only(root, create_config_ids, NCREATE_CONFIG);
}

struct authz_jv_doc *
authz_json_parse_body(const void *buf, size_t len, struct dw_err *err)
{
	struct authz_jv_doc	*doc = NULL;
	struct dw_err		 jerr;
	int			 r;

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
	 * Exact duplicate keys are refused outright (by authz_jv): Go would
	 * keep the last (or merge objects), and we will not guess which copy
	 * mattered.  authz_jv also refuses NUL and trailing data.
	 */
	jerr.msg[0] = '\0';
	r = authz_jv_parse(buf, len, DW_BODY_MAX, &doc, &jerr);
	if (r == -E2BIG) {
		/* Not the size: that was checked above. */
		dw_err_set(err, "body nests deeper than %d levels", DW_JSON_DEPTH_MAX);
		return NULL;
	}
	if (r == -ENOMEM) {
		dw_err_set(err, "out of memory reading the body");
		return NULL;
	}
	if (r < 0) {
		dw_err_set(err, "body is not JSON dockward can interpret safely: %s",
		    jerr.msg[0] ? jerr.msg : "malformed");
		return NULL;
	}
	/*
	 * Go reads invalid UTF-8 (and a lone surrogate) as U+FFFD: a rule
	 * would judge a string other than the one sent.  Refused, as before.
	 */
	if (authz_jv_doc_flags(doc) & AUTHZ_JV_REPLACED_UTF8) {
		dw_err_set(err, "body is not JSON dockward can interpret safely: "
		    "a string or key holds invalid UTF-8 or a lone UTF-16 "
		    "surrogate, which dockerd would read as U+FFFD");
		authz_jv_doc_free(doc);
		return NULL;
	}
	if (!authz_jv_is_object(authz_jv_doc_root(doc))) {
		dw_err_set(err, "body is not a JSON object");
		authz_jv_doc_free(doc);
		return NULL;
	}
	return doc;
}

int
authz_json_from_jansson(const json_t *v, struct authz_jv_doc **ret,
    struct dw_err *err)
{
	char	*text;
	int	 r;

	if ((text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL) {
		dw_err_set(err, "out of memory converting an engine answer");
		return -ENOMEM;
	}
	r = authz_jv_parse(text, strlen(text), DW_ENGINE_RESP_MAX, ret, err);
	free(text);
	return r;
}

/*
 * Decode one UTF-8 sequence at s (a NUL-terminated key; a sequence cut
 * short by the NUL reads as U+FFFD).  Returns the code point and sets *n
 * to its byte length.
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

bool
authz_json_key_matches(const char *key, const char *field)
{
	const unsigned char	*k = (const unsigned char *)key;
	const unsigned char	*f = (const unsigned char *)field;
	size_t			 n;
	int			 fc, kc;

	while (*k != '\0' && *f != '\0') {
		kc = authz_jv_fold_rune(utf8_next(k, &n));
		fc = (*f >= 'a' && *f <= 'z') ? *f - 'a' + 'A' : *f;
		if (kc == 0 || kc != fc)
			return false;
		k += n;
		f++;
	}
	return *k == '\0' && *f == '\0';
}

/*
 * "given twice" with the first two keys that fold to field, in document
 * order (authz_jv only says that there are two).
 */
static int
ambiguous(const struct authz_jv *obj, const char *path, const char *field,
    struct dw_err *err)
{
	const struct authz_jv	*v;
	const char		*key, *first = NULL, *second = NULL;
	size_t			 i;

	authz_jv_object_foreach(obj, i, key, v) {
		if (!authz_json_key_matches(key, field))
			continue;
		if (first == NULL)
			first = key;
		else {
			second = key;
			break;
		}
	}
	dw_err_set(err, "%s%s%s: given twice (as \"%s\" and \"%s\"); "
	    "dockerd would use only one of them", path, path[0] ? "." : "",
	    field, first ? first : field, second ? second : field);
	return -EEXIST;
}

/*
 * authz_json_field(); inline in the getters, which make most of a
 * decision's lookups.
 */
static inline int
field_find(const struct authz_jv *obj, const char *path,
    const struct authz_jv_name *field, const struct authz_jv **ret,
    struct dw_err *err)
{
	int	r;

	if (!authz_jv_is_object(obj)) {
		dw_err_set(err, "%s: not an object", path[0] ? path : "body");
		return -EINVAL;
	}
	r = authz_jv_object_field_name(obj, field, ret);
	if (r == -EEXIST)
		return ambiguous(obj, path, field->s, err);
	return r;
}

int
authz_json_field(const struct authz_jv *obj, const char *path,
    const struct authz_jv_name *field, const struct authz_jv **ret,
    struct dw_err *err)
{
	return field_find(obj, path, field, ret, err);
}

/* Look a field up; absent and null both become *ret = NULL with 0. */
static inline int
field_or_null(const struct authz_jv *obj, const char *path,
    const struct authz_jv_name *field, const struct authz_jv **ret,
    struct dw_err *err)
{
	const struct authz_jv	*v;
	int			 r;

	*ret = NULL;
	if (obj == NULL)
		return 0;
	r = field_find(obj, path, field, &v, err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (!authz_jv_is_null(v))
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
authz_json_get_bool(const struct authz_jv *obj, const char *path,
    const struct authz_jv_name *field, bool *ret, struct dw_err *err)
{
	const struct authz_jv	*v;
	int			 r;

	if ((r = field_or_null(obj, path, field, &v, err)) < 0)
		return r;
	if (v == NULL) {
		*ret = false;
		return 0;
	}
	if (!authz_jv_is_bool(v))
		return wrong_type(err, path, field->s, "a boolean");
	*ret = authz_jv_is_true(v);
	return 0;
}

int
authz_json_get_string(const struct authz_jv *obj, const char *path,
    const struct authz_jv_name *field, const char **ret, struct dw_err *err)
{
	const struct authz_jv	*v;
	int			 r;

	if ((r = field_or_null(obj, path, field, &v, err)) < 0)
		return r;
	if (v == NULL) {
		*ret = NULL;
		return 0;
	}
	if (!authz_jv_is_string(v))
		return wrong_type(err, path, field->s, "a string");
	*ret = authz_jv_string(v);
	return 0;
}

/* A field that must be null, absent, or of one JSON container type. */
static int
get_typed(const struct authz_jv *obj, const char *path,
    const struct authz_jv_name *field,
    enum authz_jv_type type, const char *want, const struct authz_jv **ret,
    struct dw_err *err)
{
	const struct authz_jv	*v;
	int			 r;

	if ((r = field_or_null(obj, path, field, &v, err)) < 0)
		return r;
	if (v != NULL && authz_jv_type(v) != type)
		return wrong_type(err, path, field->s, want);
	*ret = v;
	return 0;
}

int
authz_json_get_object(const struct authz_jv *obj, const char *path,
    const struct authz_jv_name *field, const struct authz_jv **ret,
    struct dw_err *err)
{
	return get_typed(obj, path, field, AUTHZ_JV_OBJECT, "an object", ret, err);
}

int
authz_json_get_array(const struct authz_jv *obj, const char *path,
    const struct authz_jv_name *field, const struct authz_jv **ret,
    struct dw_err *err)
{
	return get_typed(obj, path, field, AUTHZ_JV_ARRAY, "an array", ret, err);
}

int
authz_json_get_strings(const struct authz_jv *obj, const char *path,
    const struct authz_jv_name *field, bool strslice, struct dw_strv *ret,
    struct dw_err *err)
{
	const struct authz_jv	*v, *e;
	size_t			 i;
	int			 r;

	if ((r = field_or_null(obj, path, field, &v, err)) < 0)
		return r;
	if (v == NULL)
		return 0;
	if (strslice && authz_jv_is_string(v))
		return dw_strv_push(ret, authz_jv_string(v));
	if (!authz_jv_is_array(v))
		return wrong_type(err, path, field->s, strslice ?
		    "a string or an array of strings" : "an array of strings");
	authz_jv_array_foreach(v, i, e) {
		if (authz_jv_is_null(e))
			r = dw_strv_push(ret, "");
		else if (authz_jv_is_string(e))
			r = dw_strv_push(ret, authz_jv_string(e));
		else
			return wrong_type(err, path, field->s, "an array of strings");
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

void
authz_json_join_path(char *buf, size_t len, const char *path, const char *field)
{
	const char	*part[3] = { path, path[0] ? "." : "", field };
	size_t		 i, n, at = 0;

	if (len == 0)
		return;
	for (i = 0; i < 3; i++) {
		n = strlen(part[i]);
		if (n > len - 1 - at)
			n = len - 1 - at;
		memcpy(buf + at, part[i], n);
		at += n;
	}
	buf[at] = '\0';
}
