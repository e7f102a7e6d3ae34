/*
 * dw_buf: append to a growing, NUL-terminated byte buffer that refuses to
 * grow past a cap.  The bodies dockward reads from dockerd, registries and
 * the fleet policy server all come in through libcurl write callbacks
 * that need exactly this; the NUL lets JSON parsers read them in place.
 */
#ifndef DW_BUF_H
#define DW_BUF_H

#include <stddef.h>

/*
 * Append p[0..n) to *data (length *len, realloc'ed; the caller owns it
 * and frees it with free()), keeping a NUL after the last byte.  0, or
 * -E2BIG when *len + n would pass max (nothing appended), or -ENOMEM.
 */
int	dw_buf_append(char **data, size_t *len, size_t max, const void *p, size_t n);

#endif
