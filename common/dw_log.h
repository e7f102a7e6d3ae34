/*
 * dw_log: the daemon's operational log (not the audit log), one line per
 * call to stderr, safe to call from any thread.  Only api/ logs; other
 * modules return errors.
 */
#ifndef DW_LOG_H
#define DW_LOG_H

enum dw_log_level {
	DW_LOG_ERR = 0,
	DW_LOG_WARN,
	DW_LOG_INFO,
	DW_LOG_DEBUG,
};

/* Set the most verbose level that is printed (default DW_LOG_INFO). */
void	dw_log_level_set(enum dw_log_level level);
void	dw_log(enum dw_log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_err(...)	dw_log(DW_LOG_ERR, __VA_ARGS__)
#define log_warn(...)	dw_log(DW_LOG_WARN, __VA_ARGS__)
#define log_info(...)	dw_log(DW_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	dw_log(DW_LOG_DEBUG, __VA_ARGS__)

#endif
