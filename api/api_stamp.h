/*
 * api_stamp: proof that a request passed the gatekeeper (full mode,
 * `serve --require-gatekeeper`).
 *
 * The gatekeeper decides a request, then adds one header to it,
 * "X-Dockward-Stamp: <32 hex>", a random 128-bit value issued for that
 * request's method and URI, before it goes to dockerd's private socket.
 * dockerd asks the authorization plugin about every request it reads and
 * passes the request's headers; the plugin redeems the stamp: it must be
 * one this process issued, not yet used, not expired, and issued for the
 * same method and URI.  A request dockerd reads that the gatekeeper never
 * decided (smuggled inside another request's body, or sent to dockerd's
 * own socket) has no valid stamp and is denied.  dockward's own engine
 * lookups (api_engine) are stamped the same way.
 *
 * Both doors live in one process: the table is shared memory, guarded by
 * one mutex.  It is bounded (DW_STAMP_MAX entries; when full the oldest
 * entry is dropped and its request, if it ever arrives, is denied) and
 * stamps expire after DW_STAMP_TTL_MS.
 */
#ifndef API_STAMP_H
#define API_STAMP_H

#include <stdbool.h>
#include <stddef.h>

#define API_STAMP_HEADER	"X-Dockward-Stamp"
#define API_STAMP_LEN		32	/* hex characters of one stamp */

struct api_stamp;

/* A table of at most max stamps living ttl_ms each.  NULL on ENOMEM. */
struct api_stamp *api_stamp_new(unsigned max, unsigned ttl_ms);
/* NULL is a no-op. */
void	api_stamp_free(struct api_stamp *t);

/*
 * Issue a stamp for one request: 0 and out filled (NUL-terminated), or
 * -EIO when no randomness could be had.
 */
int	api_stamp_issue(struct api_stamp *t, const char *method, const char *uri,
	    char out[API_STAMP_LEN + 1]);

/*
 * Redeem a stamp presented with a request (value as received, NULL when
 * the request had none).  A known stamp is consumed whatever the outcome.
 * 0 when it was issued for this method and URI; -ENOENT none, unknown,
 * used or expired; -EINVAL malformed; -EPERM issued for another request.
 */
int	api_stamp_redeem(struct api_stamp *t, const char *stamp, const char *method,
	    const char *uri);

/* Stamps dropped unused because the table was full (for the log). */
unsigned long long api_stamp_evicted(struct api_stamp *t);

/*
 * Does a header name (len bytes, not NUL-terminated) name the stamp
 * header?  Compared as Go's textproto would canonicalise it (ASCII case
 * ignored), and stricter: spaces and tabs anywhere in it are ignored, so
 * no spelling of it slips past.
 */
bool	api_stamp_header_name(const char *name, size_t len);

/*
 * Does a request head (len bytes from its request line to its blank line,
 * CRLF line ends, as the gatekeeper forwards it) carry a stamp header in
 * any spelling (api_stamp_header_name)?  Only the gatekeeper may write one.
 */
bool	api_stamp_head_has(const char *head, size_t len);

/*
 * The head with "X-Dockward-Stamp: <stamp>" added right after its
 * request line (empty lines before the request line, which the parser
 * skips, are dropped): 0 and a new buffer in *ret (caller frees) of
 * *ret_len bytes; -EPROTO when head has no CRLF-ended request line;
 * -ENOMEM.
 */
int	api_stamp_head_add(const char *head, size_t len, const char *stamp,
	    char **ret, size_t *ret_len);

/* Words for why api_stamp_redeem refused (r is its result). */
const char *api_stamp_why(int r);

#endif
