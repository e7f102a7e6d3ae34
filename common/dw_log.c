/* dw_log: leveled, line-atomic logging to stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "common/dw_log.h"

static enum dw_log_level log_level = DW_LOG_INFO;
static const char *const level_names[] = { "error", "warning", "info", "debug" };

void
dw_log_level_set(enum dw_log_level level)
{
	log_level = level;
}

void
dw_log(enum dw_log_level level, const char *fmt, ...)
{
	char		line[2048];
	va_list		ap;
	struct tm	tm;
	time_t		now;
	int		n;

	if (level > log_level)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	n += snprintf(line + n, sizeof(line) - (size_t)n, "dockward[%s]: ",
	    level_names[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One fputs per line keeps concurrent lines from interleaving. */
	flockfile(stderr);
	fputs(line, stderr);
	fputc('\n', stderr);
	funlockfile(stderr);
	fflush(stderr);
}
