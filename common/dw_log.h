/*
 * dw_log: the daemon's operational log (not the audit log), one entry per
 * call, safe to call from any thread.  Only api/ logs; other modules
 * return errors.
 *
 * Targets: stderr (one "TIME dockward[LEVEL]: message" line), or the
 * systemd journal's native protocol (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER,
 * CODE_FUNC and the caller's structured fields, see dw_journal.h).  An
 * entry the journal does not take is written to stderr instead, so no
 * line is lost.
 */
#ifndef DW_LOG_H
#define DW_LOG_H

enum dw_log_level {
	DW_LOG_ERR = 0,
	DW_LOG_WARN,
	DW_LOG_INFO,
	DW_LOG_DEBUG,
};

enum dw_log_target {
	DW_LOG_AUTO = 0,	/* journal when $JOURNAL_STREAM names our stderr, else stderr */
	DW_LOG_JOURNAL,
	DW_LOG_STDERR,
};

/* Set the most verbose level that is printed (default DW_LOG_INFO). */
void	dw_log_level_set(enum dw_log_level level);

/*
 * Choose where entries go (default stderr).  The journal socket is
 * $DOCKWARD_JOURNAL_SOCKET when set (tests), else systemd's.  Call before
 * threads log.  Returns the target in use (AUTO resolved), or -errno when
 * the journal's socket cannot be created (stderr stays).
 */
int	dw_log_target_set(enum dw_log_target target);

/* Parse "auto", "journal" or "stderr"; -EINVAL otherwise. */
int	dw_log_target_parse(const char *s);

void	dw_log(enum dw_log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * An entry from function func (may be NULL) with structured fields:
 * fields is NULL or a NULL-terminated list of KEY, value pairs (journal
 * field names: upper case, digits, '_'; a NULL value skips its pair).
 * On stderr the fields are not shown: put what a person needs in fmt.
 */
void	dw_log_fields(enum dw_log_level level, const char *func,
	    const char *const *fields, const char *fmt, ...)
	    __attribute__((cold, format(printf, 4, 5)));

#define log_err(...)	dw_log_fields(DW_LOG_ERR, __func__, NULL, __VA_ARGS__)
#define log_warn(...)	dw_log_fields(DW_LOG_WARN, __func__, NULL, __VA_ARGS__)
#define log_info(...)	dw_log_fields(DW_LOG_INFO, __func__, NULL, __VA_ARGS__)
#define log_debug(...)	dw_log_fields(DW_LOG_DEBUG, __func__, NULL, __VA_ARGS__)

#endif
