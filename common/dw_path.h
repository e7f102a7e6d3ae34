/*
 * dw_path: host paths: cleaned as text, resolved on the file system, compared.
 */
#ifndef DW_PATH_H
#define DW_PATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Write the lexically cleaned form of in into out (len bytes): a leading
 * '/', no "//", "." or ".." components (".." at the root stays at the
 * root), no trailing '/'.  Nothing on disk is consulted.  Output that does
 * not fit is cut, always NUL-terminated.
 */
void	dw_path_clean(const char *in, char *out, size_t len);

/*
 * Resolve the symlinks of the longest existing prefix of the clean
 * absolute path clean and append the rest (dockerd creates missing bind
 * sources), into out (len bytes, cut when it does not fit).  True when
 * that prefix was all of clean (realpath() resolved the whole path).
 */
bool	dw_path_resolve(const char *clean, char *out, size_t len);

/* True when x is p or below it; p "/" is only itself (for protection). */
bool	dw_path_at_or_under(const char *x, const char *p);

#endif
