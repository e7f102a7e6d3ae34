/*
 * authz_policymeta: what a policy says about itself, in its
 * "dockward.policy" block: {"serial": 42, "issued": "2026-12-05T10:00:00Z",
 * "expires": "2027-01-05T00:00:00Z"}.  Inside the document, so a signature
 * over the file covers it.  A fleet policy (--settings-url) must carry a
 * serial and an expiry: dockward refuses a signed policy whose serial is
 * lower than the one it holds (a replayed old policy), one with the same
 * serial but other bytes, and one that has expired (what TUF metadata and
 * OPA bundles do).  A local file may omit the block; there the values are
 * only reported.  Parsed for authz_settings.c; the rules are pure
 * functions of the values and a clock the caller passes.
 */
#ifndef AUTHZ_POLICYMETA_H
#define AUTHZ_POLICYMETA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"

/* "2026-12-05T10:00:00Z" and its NUL. */
#define AUTHZ_POLICYMETA_TIME_LEN	21
/* Warn this long before expiry, or 1/AUTHZ_POLICYMETA_WARN_DIV of the lifetime when shorter. */
#define AUTHZ_POLICYMETA_WARN_S		(7 * 86400L)
#define AUTHZ_POLICYMETA_WARN_DIV	10

struct authz_policymeta {
	bool	present;	/* dockward.policy was given */
	int64_t	serial;		/* 1..INT64_MAX; 0 when not given */
	time_t	issued;		/* Unix time; 0 when not given */
	time_t	expires;	/* Unix time; 0 when not given */
};

/* Where the policy in force stands against its expiry. */
enum authz_policymeta_expiry {
	AUTHZ_POLICYMETA_NO_EXPIRY = 0,	/* no "expires" */
	AUTHZ_POLICYMETA_VALID,		/* more than the warning window left */
	AUTHZ_POLICYMETA_EXPIRING,	/* within the warning window */
	AUTHZ_POLICYMETA_EXPIRED,	/* now >= expires */
};

/*
 * Parse the dockward.policy object v (path names it in messages) into
 * *ret: serial a positive integer, issued and expires RFC 3339 times in
 * UTC ("Z"), expires after issued.  Unknown keys become warnings.  0, or
 * -EINVAL with err naming the JSON path (*ret untouched), -ENOMEM.
 */
int	authz_policymeta_parse(const json_t *v, const char *path,
	    struct authz_policymeta *ret, struct dw_strv *warnings,
	    struct dw_err *err);

/*
 * An RFC 3339 time in UTC: "YYYY-MM-DDTHH:MM:SS[.fraction]Z", years 1970
 * to 9999 (the fraction is dropped).  0 and *ret, or -EINVAL.
 */
int	authz_policymeta_time_parse(const char *s, time_t *ret);

/* t as "YYYY-MM-DDTHH:MM:SSZ" ("never" for 0) into buf. */
const char *authz_policymeta_time_format(time_t t,
	    char buf[AUTHZ_POLICYMETA_TIME_LEN]);

/*
 * The fleet's requirement: a serial and an expiry.  0, or -EINVAL with
 * err saying what is missing and how to add it.
 */
int	authz_policymeta_require(const struct authz_policymeta *m, struct dw_err *err);

/*
 * May a policy with metadata next replace the one held, whose serial is
 * held (0: none held, or one without a serial)?  Yes when next's serial
 * is higher, or equal with the same bytes (same_bytes: nothing changes),
 * and always when nothing is held.
 * 0, or -EPERM with err: a lower serial is a rollback, an equal one with
 * other bytes a change that did not bump the serial.
 */
int	authz_policymeta_check_serial(int64_t held, const struct authz_policymeta *next,
	    bool same_bytes, struct dw_err *err);

/*
 * The warning window of m in seconds: AUTHZ_POLICYMETA_WARN_S, or a
 * tenth of its lifetime (expires - issued) when that is shorter.
 */
long	authz_policymeta_warn_window(const struct authz_policymeta *m);

/* m against the clock now; *ret_left (may be NULL) is expires - now, 0 without an expiry. */
enum authz_policymeta_expiry authz_policymeta_expiry(const struct authz_policymeta *m,
	    time_t now, int64_t *ret_left);

/* "no_expiry", "valid", "expiring", "expired". */
const char *authz_policymeta_expiry_name(enum authz_policymeta_expiry e);

/* A duration for people: "3d 4h", "5h 6m", "7m 8s", "9s" (negative as positive). */
const char *authz_policymeta_duration(int64_t secs, char *buf, size_t bufsz);

/*
 * Lines for `dockward check` at the time now: the serial, issued and
 * expires, and a warning when the policy is near or past its expiry or
 * carries no serial or expiry (which a fleet policy must).
 */
void	authz_policymeta_print(const struct authz_policymeta *m, time_t now, FILE *out);

#endif
