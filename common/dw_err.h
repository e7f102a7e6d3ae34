/*
 * dw_err: error detail for humans, owned by the caller.
 *
 * Functions return 0 / -Exxx (or a pointer / NULL) and, on failure, write a
 * one-line explanation into a caller-provided struct dw_err.  A NULL err is
 * accepted everywhere and means "caller does not want the text".
 */
#ifndef DW_ERR_H
#define DW_ERR_H

#include "common/dw_limits.h"

struct dw_err {
	char	msg[DW_ERR_MAX];
};

/* Format the error text (truncated to DW_ERR_MAX); err may be NULL. */
void	dw_err_set(struct dw_err *err, const char *fmt, ...)
	    __attribute__((cold, format(printf, 2, 3)));
/* Prefix the existing text with "prefix: " (used to add a JSON path or context). */
void	dw_err_prefix(struct dw_err *err, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Clear the text. */
void	dw_err_clear(struct dw_err *err);

#endif
