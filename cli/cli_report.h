/*
 * cli_report: `dockward report [--since D|T] [--until D|T] [--json]
 * [--top N] [FILE...]`: read dockward's audit log (JSON lines of
 * authz_audit, plain or compressed, rotated files oldest first) in one
 * streaming pass and summarise the refusals: denied and would-deny (audit
 * mode) by rule with the fixes their messages give, by image, by caller
 * and by command, with totals and the time span.  Memory stays bounded
 * (common/dw_limits.h, DW_REPORT_*): past a cap keys count as "(other)".
 * Exit 0, 1 when a file could not be read whole, 2 on a usage error.
 */
#ifndef CLI_REPORT_H
#define CLI_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"

extern const char	cli_report_usage[];	/* in dockward's usage (cli/cli.h) */
extern const char	cli_report_about[];

/* argv[0] is "report".  Exit status 0, 1 a file unreadable, 2 usage. */
int	cli_report_main(int argc, char **argv);

#define CLI_REPORT_NO_SINCE	INT64_MIN
#define CLI_REPORT_NO_UNTIL	INT64_MAX

struct cli_report_opts {
	int64_t	since_us;	/* records before are left out; CLI_REPORT_NO_SINCE */
	int64_t	until_us;	/* records at or after are left out; CLI_REPORT_NO_UNTIL */
	size_t	top;		/* rows per table; 0: all that were kept */
	bool	progress;	/* a progress line on stderr while reading files */
};

struct cli_report;

/* A new, empty report (free with cli_report_free), or NULL on ENOMEM. */
struct cli_report *cli_report_new(const struct cli_report_opts *o);
void	cli_report_free(struct cli_report *r);

/*
 * Count the log bytes buf[0..len) (borrowed), cut into lines at '\n'; a
 * line may span calls.  cli_report_feed_end ends the input (a last line
 * without its newline is counted too); call it at the end of each file.
 * Never fails: what is not a record is counted as such.
 */
void	cli_report_feed(struct cli_report *r, const void *buf, size_t len);
void	cli_report_feed_end(struct cli_report *r);

/*
 * Read path ("-": standard input), plain or gzip/bzip2/xz/zstd, into r.
 * A file whose records all lie before the since time is skipped without
 * reading it (a plain file by its last line, a compressed one by its
 * modification time).  0, or -errno with err set (r then holds what was
 * read before the failure).
 */
int	cli_report_read(struct cli_report *r, const char *path, struct dw_err *err);

/*
 * The files of the log at base: its rotated siblings base.N and
 * base.N.{gz,bz2,xz,zst}, highest N (oldest) first, then base itself, into
 * *ret (each a new string, appended).  0; -ENOENT when there is none;
 * -E2BIG past DW_REPORT_FILES_MAX; -EIO, -ENOMEM.  err says why.
 */
int	cli_report_files(const char *base, struct dw_strv *ret, struct dw_err *err);

/*
 * An audit time (RFC 3339: 2024-01-02T03:04:05.123456Z, fraction
 * optional, Z or +hh:mm) in s[0..len) as microseconds since the epoch.
 * 0 or -EINVAL.
 */
int	cli_report_time_parse(const char *s, size_t len, int64_t *ret_us);
/*
 * --since/--until: a duration back from now (90s, 30m, 24h, 7d, 2w, or
 * several: 1h30m), an RFC 3339 time, or a date (UTC midnight).  0 or
 * -EINVAL with err set.
 */
int	cli_report_when_parse(const char *s, time_t now, int64_t *ret_us,
	    struct dw_err *err);

/* The summary for a person, or as one JSON object (docs/observability.md).  0 or -ENOMEM, -EIO. */
int	cli_report_print_text(const struct cli_report *r, FILE *out);
int	cli_report_print_json(const struct cli_report *r, FILE *out);

/* The totals, for tests and the exit status. */
struct cli_report_totals {
	unsigned long long lines;	/* every line read, the skipped ones too */
	unsigned long long records;	/* audit records inside the time range */
	unsigned long long allow;	/* allowed, audit mode's would-deny not included */
	unsigned long long would_deny;	/* "decision":"allow","wouldDeny":true */
	unsigned long long deny;
	unsigned long long events;	/* lines of another kind ("event": egress), not decisions */
	unsigned long long malformed;	/* not an audit record (not JSON, no time or decision) */
	unsigned long long too_long;	/* over DW_REPORT_LINE_MAX bytes */
	unsigned long long out_of_range; /* records before since or from until on */
	unsigned long long files_skipped; /* whole files older than since */
	unsigned long long read_errors;	/* files that could not be read whole */
};
void	cli_report_totals(const struct cli_report *r, struct cli_report_totals *ret);

#endif
