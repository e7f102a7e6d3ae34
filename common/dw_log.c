/* dw_log: leveled, line-atomic logging to stderr or the systemd journal. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/dw_journal.h"
#include "common/dw_log.h"

#define LOG_LINE_MAX	2048

static enum dw_log_level log_level = DW_LOG_INFO;
static const char *const level_names[] = { "error", "warning", "info", "debug" };
/* syslog(3) priorities of the levels: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG. */
static const char *const level_prio[] = { "3", "4", "6", "7" };
static int		 journal_fd = -1;	/* >= 0: entries go to the journal */
static const char	*journal_path;		/* NULL: systemd's socket */

void
dw_log_level_set(enum dw_log_level level)
{
	log_level = level;
}

int
dw_log_target_parse(const char *s)
{
	if (strcmp(s, "auto") == 0)
		return DW_LOG_AUTO;
	if (strcmp(s, "journal") == 0)
		return DW_LOG_JOURNAL;
	if (strcmp(s, "stderr") == 0)
		return DW_LOG_STDERR;
	return -EINVAL;
}

int
dw_log_target_set(enum dw_log_target target)
{
	const char	*p;
	int		 fd;

	if (target == DW_LOG_AUTO)
		target = dw_journal_stream_is_stderr() ? DW_LOG_JOURNAL : DW_LOG_STDERR;
	if (journal_fd >= 0) {
		close(journal_fd);
		journal_fd = -1;
	}
	if (target == DW_LOG_STDERR)
		return DW_LOG_STDERR;
	p = getenv("DOCKWARD_JOURNAL_SOCKET");
	journal_path = p != NULL && p[0] != '\0' ? p : NULL;
	if ((fd = dw_journal_socket()) < 0)
		return fd;
	journal_fd = fd;
	return DW_LOG_JOURNAL;
}

/* The stderr form: one fputs per line keeps concurrent lines from interleaving. */
static void
stderr_line(enum dw_log_level level, const char *msg)
{
	char		line[LOG_LINE_MAX + 64];
	struct tm	tm;
	time_t		now;
	size_t		n;

	now = time(NULL);
	gmtime_r(&now, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	snprintf(line + n, sizeof(line) - n, "dockward[%s]: %s\n",
	    level_names[level], msg);
	flockfile(stderr);
	fputs(line, stderr);
	funlockfile(stderr);
	fflush(stderr);
}

/* 0 when the journal took the entry. */
static int
journal_entry(enum dw_log_level level, const char *func,
    const char *const *fields, const char *msg)
{
	char	buf[DW_JOURNAL_MAX];
	size_t	off = 0;
	int	r;

	if ((r = dw_journal_field(buf, sizeof(buf), &off, "MESSAGE", msg,
	    strlen(msg))) < 0 ||
	    (r = dw_journal_field(buf, sizeof(buf), &off, "PRIORITY",
	    level_prio[level], 1)) < 0 ||
	    (r = dw_journal_field(buf, sizeof(buf), &off, "SYSLOG_IDENTIFIER",
	    "dockward", 8)) < 0)
		return r;
	if (func != NULL &&
	    (r = dw_journal_field(buf, sizeof(buf), &off, "CODE_FUNC", func,
	    strlen(func))) < 0)
		return r;
	for (; fields != NULL && fields[0] != NULL; fields += 2)
		if (fields[1] != NULL &&
		    (r = dw_journal_field(buf, sizeof(buf), &off, fields[0],
		    fields[1], strlen(fields[1]))) < 0)
			return r;
	return dw_journal_send(journal_fd, journal_path, buf, off);
}

static void __attribute__((format(printf, 4, 0)))
log_v(enum dw_log_level level, const char *func, const char *const *fields,
    const char *fmt, va_list ap)
{
	char	msg[LOG_LINE_MAX];

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (journal_fd >= 0 && journal_entry(level, func, fields, msg) == 0)
		return;
	stderr_line(level, msg);
}

void
dw_log(enum dw_log_level level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_v(level, NULL, NULL, fmt, ap);
	va_end(ap);
}

void
dw_log_fields(enum dw_log_level level, const char *func,
    const char *const *fields, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_v(level, func, fields, fmt, ap);
	va_end(ap);
}
