/*
 * authz_json: read Engine API request bodies with Go encoding/json semantics.
 *
 * dockerd decodes bodies into Go structs: object keys match struct fields
 * case-insensitively (bytes.EqualFold: ASCII case plus Unicode simple
 * folding, so "ſ" (U+017F) matches 's' and "K" (U+212A, Kelvin) matches
 * 'k'); for a repeated key the last one wins and repeated objects merge;
 * unknown keys are ignored.  We never guess which copy dockerd used: any
 * key that appears twice, exactly or in another spelling, makes the field
 * ambiguous and the request is denied.  Values of the wrong JSON type are a
 * decode error in dockerd and a deny here.
 *
 * Bodies are read with authz_jv (the decision path's own reader, one pass,
 * one allocation); jansson stays for the settings parsers
 * (authz_json_type_error) and for the engine's inspect answers, which
 * authz_json_from_jansson() carries over to authz_jv where a rule written
 * for bodies judges them.
 */
#ifndef AUTHZ_JSON_H
#define AUTHZ_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "authz/authz_jv.h"
#include "common/dw_err.h"
#include "common/dw_strv.h"

/*
 * The struct fields the rules read, prepared once (authz_jv_name): the
 * getters below take them, so that a lookup costs one probe.  A name
 * the table lacks does not compile: add it to authz_field_table.h.
 */
enum authz_json_field_id {
#define AUTHZ_FIELD(name)	AUTHZ_JSON_FIELD_##name,
#include "authz/authz_field_table.h"
#undef AUTHZ_FIELD
	AUTHZ_JSON_FIELD_COUNT
};

/* Borrowed, prepared before main() runs; read-only after. */
extern const struct authz_jv_name *const authz_json_fields;

/* The prepared name of struct field `name`, e.g. AUTHZ_JSON_F(Privileged). */
#define AUTHZ_JSON_F(name)	(&authz_json_fields[AUTHZ_JSON_FIELD_##name])

/*
 * Parse a request body.  Refuses: empty input, more than DW_BODY_MAX bytes,
 * anything authz_jv refuses (not JSON as Go reads it, an exact repeated key
 * in any object, NUL in a string or key, trailing data, nesting deeper than
 * DW_JSON_DEPTH_MAX), invalid UTF-8 or a lone surrogate (Go would read
 * U+FFFD: we refuse rather than judge a replaced string), and a top-level
 * value that is not an object.  Returns a new document
 * (authz_jv_doc_free()) or NULL with the reason in err.
 */
struct authz_jv_doc *authz_json_parse_body(const void *buf, size_t len,
	    struct dw_err *err);

/*
 * true when a create body's top level (root, borrowed) holds nothing but
 * container.Config's fields and the wrapper's HostConfig and
 * NetworkingConfig, one member each, in any spelling Go matches: dockerd
 * then reads no host setting there, only HostConfig's.  false otherwise,
 * and whenever authz_jv_object_only() cannot tell (a top level of under
 * 16 members): read the top level for host settings then.
 */
bool	 authz_json_create_config_only(const struct authz_jv *root);

/*
 * An engine answer (or a part of one, such as an inspected HostConfig)
 * carried from jansson over to authz_jv, for a rule that judges bodies:
 * the value is written out and read again.  0 and a new document in *ret,
 * or -ENOMEM, or what authz_jv_parse() refuses (-EINVAL, -E2BIG), with
 * err set.  Off the hot path: only existing containers are judged so.
 */
int	 authz_json_from_jansson(const json_t *v, struct authz_jv_doc **ret,
	    struct dw_err *err);

/* Go's bytes.EqualFold between an object key (UTF-8) and an ASCII field name. */
bool	 authz_json_key_matches(const char *key, const char *field);

/*
 * Find the member of obj that Go would decode into field `field`
 * (borrowed: AUTHZ_JSON_F(), or one's own authz_jv_name_prepare()).
 * 0 and *ret (borrowed; may be a JSON null), -ENOENT when absent,
 * -EEXIST when two or more keys fold to `field`, -EINVAL when obj is not
 * an object.  err names `path`.`field` on failure other than -ENOENT.
 */
int	 authz_json_field(const struct authz_jv *obj, const char *path,
	    const struct authz_jv_name *field, const struct authz_jv **ret,
	    struct dw_err *err);

/*
 * Typed getters.  Absent and null give the Go zero value and return 0;
 * a value of another type returns -EPROTO; ambiguity returns -EEXIST.
 * `path` is the JSON path of obj, used in err ("HostConfig").  obj NULL
 * reads as an empty object.
 */
int	 authz_json_get_bool(const struct authz_jv *obj, const char *path,
	    const struct authz_jv_name *field, bool *ret, struct dw_err *err);
/* *ret is borrowed, NULL when absent or null. */
int	 authz_json_get_string(const struct authz_jv *obj, const char *path,
	    const struct authz_jv_name *field, const char **ret,
	    struct dw_err *err);
/* *ret is borrowed, NULL when absent or null. */
int	 authz_json_get_object(const struct authz_jv *obj, const char *path,
	    const struct authz_jv_name *field, const struct authz_jv **ret,
	    struct dw_err *err);
/* *ret is borrowed, NULL when absent or null. */
int	 authz_json_get_array(const struct authz_jv *obj, const char *path,
	    const struct authz_jv_name *field, const struct authz_jv **ret,
	    struct dw_err *err);
/*
 * A []string field: every element must be a string (null elements are
 * decoded by Go as ""), appended to *ret (caller clears).  With
 * `strslice` true, a single JSON string is also accepted, as moby's
 * strslice.StrSlice does (CapAdd, CapDrop, Entrypoint, Cmd).
 */
int	 authz_json_get_strings(const struct authz_jv *obj, const char *path,
	    const struct authz_jv_name *field, bool strslice, struct dw_strv *ret,
	    struct dw_err *err);

/*
 * The JSON path of field under path ("HostConfig" + "Privileged" ->
 * "HostConfig.Privileged"; just field at the top level) into buf, cut as
 * snprintf cuts (len - 1 bytes and a NUL).  Every rule names its field on
 * every request, so this is not snprintf (a tenth of a create's decision).
 */
void	 authz_json_join_path(char *buf, size_t len, const char *path,
	    const char *field);

/*
 * For the settings parsers (authz_settings.c and the blocks it reads, on
 * jansson): "path: expected want, got <kind of v>" into err.  Returns
 * -EINVAL.
 */
int	 authz_json_type_error(struct dw_err *err, const char *path,
	    const char *want, const json_t *v);

#endif
