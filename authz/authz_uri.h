/*
 * authz_uri: the Engine API request target, normalized the way dockerd routes it.
 *
 * dockerd (gorilla/mux) matches routes against the percent-decoded path,
 * redirects non-clean paths (301, never executed), accepts an optional
 * "/v{version:[0-9.]+}" prefix, and picks the first route, in registration
 * order, whose method and pattern match.  We do the same against the table
 * in authz_route_table.h, and refuse anything we could map differently.
 */
#ifndef AUTHZ_URI_H
#define AUTHZ_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "common/dw_err.h"
#include "common/dw_limits.h"

/* The API version dockerd assumes when the path has no /vX.Y prefix. */
#define AUTHZ_URI_DEFAULT_VERSION	"1.41"

enum authz_uri_endpoint {
	AUTHZ_EP_UNKNOWN = 0,
#define DW_ROUTE(id, method, pattern, name)	AUTHZ_EP_##id,
#include "authz/authz_route_table.h"
#undef DW_ROUTE
	AUTHZ_EP__COUNT
};

struct authz_uri_param {
	char	*key;		/* decoded (Go url.ParseQuery: '+' is space) */
	char	*value;		/* decoded */
};

struct authz_uri {
	char			*path;		/* decoded, clean, no version prefix */
	char			*version;	/* "1.41"; NULL when the path had none */
	enum authz_uri_endpoint	 endpoint;
	char			*vars[DW_ROUTE_VARS_MAX]; /* route variables, in pattern order, decoded */
	size_t			 nvars;
	struct authz_uri_param	*params;	/* in order of appearance */
	size_t			 nparams;
};

/*
 * Parse and route a request target (origin-form "/v1.41/containers/create?x=1"
 * or absolute-form "http://host/...") for `method` (case-sensitive, as Go).
 * Returns 0 and a new authz_uri in *ret_uri (caller frees with authz_uri_free),
 * or a negative errno with a human reason in err:
 *   -EINVAL  malformed: bad percent-escape, NUL, '#', ';' in the query, not a path
 *   -E2BIG   longer than DW_URI_MAX or too many parameters
 *   -EPERM   path is not clean (dockerd would redirect, not execute)
 *   -ENOENT  no route matches (method+path unknown to dockward)
 */
int	authz_uri_parse(const char *method, const char *raw_uri,
	    struct authz_uri **ret_uri, struct dw_err *err);
/* Free a uri from authz_uri_parse; NULL is a no-op. */
void	authz_uri_free(struct authz_uri *uri);

/*
 * Query lookup with Go's r.FormValue semantics (first value wins), but a key
 * that appears more than once is reported so policy can refuse ambiguity.
 * Returns 0 and *ret_value (borrowed), -ENOENT when absent, -EEXIST when the
 * key is given more than once (*ret_value is then the first value).
 */
int	authz_uri_query_get(const struct authz_uri *uri, const char *key,
	    const char **ret_value);
/* dockerd's httputils.BoolValue: false for "", "0", "no", "false", "none" (case-insensitive, trimmed). */
bool	authz_uri_query_bool(const struct authz_uri *uri, const char *key);

/* Stable dotted name of an endpoint, e.g. "container.create"; "unknown" for AUTHZ_EP_UNKNOWN. */
const char *authz_uri_endpoint_name(enum authz_uri_endpoint ep);
/* HTTP method of an endpoint from the table ("GET", "POST", ...); NULL for unknown. */
const char *authz_uri_endpoint_method(enum authz_uri_endpoint ep);
/* Route pattern of an endpoint, e.g. "/containers/{name:.*}/json"; NULL for unknown. */
const char *authz_uri_endpoint_pattern(enum authz_uri_endpoint ep);

/* The effective API version of a request: uri->version or AUTHZ_URI_DEFAULT_VERSION. */
const char *authz_uri_version(const struct authz_uri *uri);
/* Docker's versions.Compare: -1, 0, 1 comparing dotted numeric versions ("1.9" < "1.10"). */
int	authz_uri_version_compare(const char *a, const char *b);

#endif
