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
 */
#ifndef AUTHZ_JSON_H
#define AUTHZ_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"

/*
 * Parse a request body.  Refuses: empty input, more than DW_BODY_MAX bytes,
 * invalid UTF-8, a repeated key in any object (-EEXIST-style message),
 * trailing data after the value, nesting deeper than DW_JSON_DEPTH_MAX, and
 * a top-level value that is not an object.  Returns a new reference (caller
 * json_decref()s) or NULL with the reason in err.
 */
json_t	*authz_json_parse_body(const void *buf, size_t len, struct dw_err *err);

/*
 * A decision scope (authz_decide() opens one): while it is open on this
 * thread, authz_json_parse_body() also indexes every large object of the
 * body by its members' case folds, so authz_json_field() on them is a
 * binary search instead of a scan of every member (a docker run body has
 * some 70 members in HostConfig, read by dozens of lookups).  The scope
 * holds a reference to each indexed body until it ends, so an indexed
 * object can never be freed and its address reused while the index lives.
 * Bodies are read-only: an indexed object must not be modified.  Scopes
 * nest; the outermost end frees the indexes.  Outside a scope, lookups
 * scan as before (same results, same messages).
 */
void	 authz_json_scope_begin(void);
void	 authz_json_scope_end(void);

/* Go's bytes.EqualFold between an object key (UTF-8) and an ASCII field name. */
bool	 authz_json_key_matches(const char *key, const char *field);

/*
 * Find the member of obj that Go would decode into field `field`.
 * 0 and *ret (borrowed; may be a JSON null), -ENOENT when absent,
 * -EEXIST when two or more keys fold to `field`, -EINVAL when obj is not
 * an object.  err names `path`.`field` on failure other than -ENOENT.
 */
int	 authz_json_field(const json_t *obj, const char *path, const char *field,
	    json_t **ret, struct dw_err *err);

/*
 * Typed getters.  Absent and null give the Go zero value and return 0;
 * a value of another type returns -EPROTO; ambiguity returns -EEXIST.
 * `path` is the JSON path of obj, used in err ("HostConfig").
 */
int	 authz_json_get_bool(const json_t *obj, const char *path, const char *field,
	    bool *ret, struct dw_err *err);
/* *ret is borrowed, NULL when absent or null. */
int	 authz_json_get_string(const json_t *obj, const char *path, const char *field,
	    const char **ret, struct dw_err *err);
/* *ret is borrowed, NULL when absent or null. */
int	 authz_json_get_object(const json_t *obj, const char *path, const char *field,
	    json_t **ret, struct dw_err *err);
/* *ret is borrowed, NULL when absent or null. */
int	 authz_json_get_array(const json_t *obj, const char *path, const char *field,
	    json_t **ret, struct dw_err *err);
/*
 * A []string field: every element must be a string (null elements are
 * decoded by Go as ""), appended to *ret (caller clears).  With
 * `strslice` true, a single JSON string is also accepted, as moby's
 * strslice.StrSlice does (CapAdd, CapDrop, Entrypoint, Cmd).
 */
int	 authz_json_get_strings(const json_t *obj, const char *path, const char *field,
	    bool strslice, struct dw_strv *ret, struct dw_err *err);

/*
 * For the settings parsers (authz_settings.c and the blocks it reads):
 * "path: expected want, got <kind of v>" into err.  Returns -EINVAL.
 */
int	 authz_json_type_error(struct dw_err *err, const char *path,
	    const char *want, const json_t *v);

#endif
