/*
 * authz_warn: the warnings the settings parsers collect for `dockward
 * check` (an unknown key, an entry dropped as the stricter outcome).
 * Below authz_settings.c and the block parsers it calls
 * (authz_access.c, authz_desktop.c), which all use it.
 */
#ifndef AUTHZ_WARN_H
#define AUTHZ_WARN_H

#include <stdarg.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"

/* Append one formatted warning to warnings.  0, or -ENOMEM with err set. */
int	authz_warn(struct dw_strv *warnings, struct dw_err *err,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int	authz_warn_v(struct dw_strv *warnings, struct dw_err *err,
	    const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

#endif
