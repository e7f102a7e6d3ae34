/* dw_err: bounded, caller-owned error text. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/dw_err.h"

void
dw_err_set(struct dw_err *err, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void
dw_err_prefix(struct dw_err *err, const char *fmt, ...)
{
	char	prefix[DW_ERR_MAX / 2], old[DW_ERR_MAX];
	va_list	ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation of a long message is acceptable; it stays NUL-terminated. */
	snprintf(err->msg, sizeof(err->msg), "%s: %.*s", prefix,
	    (int)(sizeof(err->msg) - sizeof(prefix) - 2), old);
}

void
dw_err_clear(struct dw_err *err)
{
	if (err != NULL)
		err->msg[0] = '\0';
}
