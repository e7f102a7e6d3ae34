/* authz_warn: settings warnings (see authz_warn.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "authz/authz_warn.h"

int
authz_warn_v(struct dw_strv *warnings, struct dw_err *err, const char *fmt,
    va_list ap)
{
	char	*w;

	if (vasprintf(&w, fmt, ap) < 0 || dw_strv_push_take(warnings, w) < 0) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int
authz_warn(struct dw_strv *warnings, struct dw_err *err, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = authz_warn_v(warnings, err, fmt, ap);
	va_end(ap);
	return r;
}
