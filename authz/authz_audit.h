/*
 * authz_audit: one JSON line per decision (time, user, method, uri,
 * endpoint, rule, decision, field, reason).  Bodies and their secrets are
 * never written.  Safe to call from any thread.
 */
#ifndef AUTHZ_AUDIT_H
#define AUTHZ_AUDIT_H

#include <stddef.h>
#include <sys/time.h>

#include "authz/authz_caller.h"
#include "authz/authz_decide.h"
#include "common/dw_err.h"

struct authz_audit;

/*
 * Open the audit log: a file path (appended, created 0600), "-" for
 * stdout.  Returns a new log (close with authz_audit_close) or NULL.
 */
struct authz_audit *authz_audit_open(const char *path, struct dw_err *err);
/* Reopen the file after rotation (SIGHUP/SIGUSR1).  0 or -errno; the old file stays in use on failure. */
int	authz_audit_reopen(struct authz_audit *a, struct dw_err *err);
/*
 * Format the record for req/d (source names the front door, e.g. "plugin").
 * Returns a new string without newline (caller frees), or NULL on ENOMEM
 * or when d->rule is not UTF-8 (there is no record then).
 */
char	*authz_audit_format(const struct authz_request *req,
	    const struct authz_decision *d, const char *source);
/* The same with the gatekeeper's caller (NULL: none) as a "caller" object. */
char	*authz_audit_format_caller(const struct authz_request *req,
	    const struct authz_decision *d, const char *source,
	    const struct authz_caller *caller);
/*
 * The record of authz_audit_format_caller stamped with tv (NULL: now),
 * written into buf (bufsz bytes, NUL-terminated) with no allocation, for
 * a hot path that keeps a buffer (2 KiB holds most records).  0 with
 * *ret_len its length; -E2BIG when it needs bufsz bytes or more (then use
 * authz_audit_format_caller); -EINVAL when there is no record (d->rule
 * is not UTF-8; authz_audit_format_caller returns NULL).  buf is
 * scribbled on even when this fails.
 */
int	authz_audit_format_buf(char *buf, size_t bufsz, size_t *ret_len,
	    const struct timeval *tv, const struct authz_request *req,
	    const struct authz_decision *d, const char *source,
	    const struct authz_caller *caller);
/* Append one formatted line.  0, or -errno when it could not be written (the caller must keep the record elsewhere). */
int	authz_audit_write(struct authz_audit *a, const char *line);
/*
 * Queue one line for the flusher thread, which writes within 20 ms in one
 * write(2) per batch (a hot path then makes no audit syscall); written at
 * once when the queue is full or there is no flusher.  Records still
 * queued are written by authz_audit_close.  0 or -errno as above.
 */
int	authz_audit_write_later(struct authz_audit *a, const char *line);
/*
 * Queued records the flusher could not write to the file (they went to
 * stderr instead) since open; callers count direct write failures
 * themselves from the return values above.  Any thread.
 */
unsigned long long authz_audit_flush_errors(struct authz_audit *a);
void	authz_audit_close(struct authz_audit *a);

#endif
