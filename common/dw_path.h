/*
 * dw_path: host paths as text.
 */
#ifndef DW_PATH_H
#define DW_PATH_H

#include <stddef.h>

/*
 * Write the lexically cleaned form of in into out (len bytes): a leading
 * '/', no "//", "." or ".." components (".." at the root stays at the
 * root), no trailing '/'.  Nothing on disk is consulted.  Output that does
 * not fit is cut, always NUL-terminated.
 */
void	dw_path_clean(const char *in, char *out, size_t len);

#endif
