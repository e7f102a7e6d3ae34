/*
 * authz_jv: the decision path's JSON reader.  One pass over a request body,
 * one allocation for the whole document (values, decoded strings, keys and
 * their folds), no jansson.  It reads bytes the way Go's encoding/json does
 * (dockerd 20.10 is built with Go 1.19), so what a rule sees is what dockerd
 * will decode:
 *   - Go's number grammar (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?);
 *     numbers keep their literal text;
 *   - string escapes \" \\ \/ \b \f \n \r \t \uXXXX, UTF-16 surrogate pairs
 *     combined, a lone or mismatched surrogate becomes U+FFFD;
 *   - invalid UTF-8 in strings and keys replaced by U+FFFD one byte at a
 *     time as Go's utf8.DecodeRune does (the document remembers that it
 *     happened: authz_jv_doc_flags);
 *   - whitespace: space, \t, \n, \r only; trailing whitespace allowed,
 *     anything else after the value refused.
 * Where Go's result would depend on the Go type being filled, we refuse
 * instead of guessing: the parser refuses a key that appears twice, exactly,
 * in one object, and \u0000 (or a raw NUL) in any string or key; two keys
 * of one fold ("Binds", "binds") parse, and authz_jv_object_field() answers
 * -EEXIST for that field (a map such as Labels may hold both).  Depth is
 * capped at DW_JSON_DEPTH_MAX, size at the caller's limit.
 *
 * Values are borrowed from their document and live until
 * authz_jv_doc_free().  Documents are read-only and may be read from any
 * thread.  Every accessor accepts NULL and a value of the wrong type and
 * then answers "not that type" (NULL, 0, false), as jansson's do.
 */
#ifndef AUTHZ_JV_H
#define AUTHZ_JV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/dw_err.h"

enum authz_jv_type {
	AUTHZ_JV_NULL,
	AUTHZ_JV_FALSE,
	AUTHZ_JV_TRUE,
	AUTHZ_JV_NUMBER,
	AUTHZ_JV_STRING,
	AUTHZ_JV_ARRAY,
	AUTHZ_JV_OBJECT,
};

/* authz_jv_doc_flags(): something Go accepted silently happened. */
#define AUTHZ_JV_REPLACED_UTF8	0x1	/* invalid UTF-8 or a lone surrogate became U+FFFD */

struct authz_jv;	/* one value inside a document */
struct authz_jv_doc;	/* a parsed document: one allocation */

/*
 * Parse buf[0..len) (need not be NUL-terminated).  0 and *ret (new; free
 * with authz_jv_doc_free) or -EINVAL (not JSON Go would decode, or a
 * refusal above; err says what and at which byte offset), -E2BIG (len >
 * max or nesting deeper than DW_JSON_DEPTH_MAX), -ENOMEM.  The top-level
 * value may be of any type.  The calling thread remembers the shapes of
 * large objects it read (authz_jv.c; at most DW_JV_SHAPES of
 * DW_JV_SHAPE_BYTES, freed when the thread ends): they make a repeated
 * body cheaper to read and never change what is read.
 */
int	authz_jv_parse(const void *buf, size_t len, size_t max,
	    struct authz_jv_doc **ret, struct dw_err *err);
/* Takes doc (NULL allowed). */
void	authz_jv_doc_free(struct authz_jv_doc *doc);
/* Borrowed: the top-level value. */
const struct authz_jv *authz_jv_doc_root(const struct authz_jv_doc *doc);
/* AUTHZ_JV_* flags. */
unsigned authz_jv_doc_flags(const struct authz_jv_doc *doc);

/* The type; AUTHZ_JV_NULL for a NULL value. */
enum authz_jv_type authz_jv_type(const struct authz_jv *v);
bool	authz_jv_is_null(const struct authz_jv *v);	/* a JSON null (not a NULL pointer) */
bool	authz_jv_is_bool(const struct authz_jv *v);
bool	authz_jv_is_true(const struct authz_jv *v);
bool	authz_jv_is_number(const struct authz_jv *v);
bool	authz_jv_is_string(const struct authz_jv *v);
bool	authz_jv_is_array(const struct authz_jv *v);
bool	authz_jv_is_object(const struct authz_jv *v);

/*
 * A string's decoded UTF-8 (NUL-terminated, no NUL inside; borrowed), or
 * NULL when v is not a string.  _len: its length in bytes, 0 otherwise.
 */
const char *authz_jv_string(const struct authz_jv *v);
size_t	authz_jv_string_len(const struct authz_jv *v);

/* A number's literal text as written (borrowed), or NULL. */
const char *authz_jv_number_text(const struct authz_jv *v);
/*
 * A number as Go fills an int64 field: 0 and *ret; -EPROTO when v is not
 * a number, -EINVAL when it has a fraction or exponent ("1.0", "1e3": Go
 * refuses those for integer fields), -ERANGE when out of range.
 */
int	authz_jv_int64(const struct authz_jv *v, int64_t *ret);

/* Elements of an array (0 for anything else); element i (borrowed) or NULL. O(1). */
size_t	authz_jv_array_size(const struct authz_jv *v);
const struct authz_jv *authz_jv_array_get(const struct authz_jv *v, size_t i);

/*
 * Members of an object (0 for anything else), in document order.
 * Member i's key (decoded, NUL-terminated, borrowed) and value (borrowed),
 * NULL when out of range.  O(1).
 */
size_t	authz_jv_object_size(const struct authz_jv *v);
const char *authz_jv_object_key(const struct authz_jv *v, size_t i);
const struct authz_jv *authz_jv_object_value(const struct authz_jv *v, size_t i);
/* The member whose key is exactly `key` (a map lookup: Labels, DriverOpts), or NULL. */
const struct authz_jv *authz_jv_object_get(const struct authz_jv *v, const char *key);
/*
 * The member Go would decode into struct field `field` (ASCII): exact key
 * or bytes.EqualFold match, including U+017F -> s and U+212A -> k.
 * 0 and *ret (borrowed), -ENOENT when none, -EEXIST when two or more keys
 * fold to `field`.  One hash probe for objects of up to 128 members, a
 * binary search beyond (a docker run body's HostConfig has some 70
 * members, read by dozens of lookups per decision).
 */
int	authz_jv_object_field(const struct authz_jv *v, const char *field,
	    const struct authz_jv **ret);
/*
 * A struct field's name made ready for lookups once: its ASCII fold and
 * the fold's hash, so that a lookup is one probe and one compare instead
 * of a strlen, a fold and a hash each time (a docker run decision makes
 * some 60 lookups).  Fill with authz_jv_name_prepare(); the rules keep
 * theirs in a static table (authz_json.h: AUTHZ_JSON_F).
 */
#define AUTHZ_JV_NAME_MAX	48	/* bytes of a preparable name, with its NUL */

struct authz_jv_name {
	const char	*s;		/* borrowed: the name as given */
	uint32_t	 n;		/* strlen(s) */
	uint32_t	 hash;		/* of fold[0, n), as the reader hashes a key's fold */
	bool		 ascii;		/* false: not ASCII, so no key folds to it */
	uint16_t	 id;		/* 1 + its place in the registered names, or 0 */
	char		 fold[AUTHZ_JV_NAME_MAX + 8];	/* s upper-cased, zero-padded */
};

/*
 * Prepare nm for name s (borrowed: it must outlive nm).  0, or -E2BIG
 * when s has AUTHZ_JV_NAME_MAX bytes or more (use
 * authz_jv_object_field() for such a name).  Any thread, any time,
 * including constructors that run before main().
 */
int	authz_jv_name_prepare(struct authz_jv_name *nm, const char *s);
/*
 * The names most lookups ask for, registered once (names[i], prepared,
 * get id i + 1): an object of 16 members or more then gets, when it
 * closes, a table of which member each of them finds, and a lookup of a
 * registered name reads it.  Call it from a constructor, before any
 * thread reads a document; names (borrowed) must live as long as the
 * process.  0, or -EBUSY (names are registered already), -E2BIG (more
 * than AUTHZ_JV_NAMES_MAX), -EINVAL (a name not ASCII, or two of one
 * fold): then none is registered, and lookups probe as before.
 */
#define AUTHZ_JV_NAMES_MAX	255
int	authz_jv_names_register(struct authz_jv_name *names, size_t n);
/* authz_jv_object_field() for a prepared name: the same answers. */
int	authz_jv_object_field_name(const struct authz_jv *v,
	    const struct authz_jv_name *nm, const struct authz_jv **ret);
/*
 * true when object v has no member but those that the registered names
 * ids[0, n) (their authz_jv_name.id, distinct; borrowed) find, one member
 * each: no other key, in any spelling Go would match to another field.
 * false when that is not so, or cannot be told from v's table of
 * registered names (an object of under 16 members, an id not registered,
 * two keys folding to one name): the caller then reads v as it would
 * anyway.  Ids, not names: the answer reads n * 2 bytes, not n names'
 * cache lines.  O(n).
 */
bool	authz_jv_object_only(const struct authz_jv *v, const uint16_t *ids,
	    size_t n);

/*
 * The ASCII upper-case letter (or other ASCII byte) rune r folds to in
 * those matches, or 0 when r folds to no ASCII: only U+017F (long s) and
 * U+212A (Kelvin sign) share a fold orbit with ASCII letters.
 */
int	authz_jv_fold_rune(uint32_t r);

#define authz_jv_array_foreach(arr, i, val)				\
	for ((i) = 0; (i) < authz_jv_array_size(arr) &&			\
	    ((val) = authz_jv_array_get((arr), (i))) != NULL; (i)++)
#define authz_jv_object_foreach(obj, i, key, val)			\
	for ((i) = 0; (i) < authz_jv_object_size(obj) &&		\
	    ((key) = authz_jv_object_key((obj), (i))) != NULL &&	\
	    ((val) = authz_jv_object_value((obj), (i))) != NULL; (i)++)

#endif
