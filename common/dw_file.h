/*
 * dw_file: read a small file whole, with a hard size limit (proc files,
 * daemon.json), so a huge or endless file cannot exhaust memory.
 */
#ifndef DW_FILE_H
#define DW_FILE_H

#include <stddef.h>

/*
 * Read name (relative to dfd, or AT_FDCWD) whole into a new buffer,
 * NUL-terminated, of at most max bytes; open flags beyond O_RDONLY |
 * O_CLOEXEC are given in oflags (O_NOFOLLOW, O_NOCTTY).  0 with *ret
 * (caller frees) and *ret_len; -E2BIG when the file is longer than max;
 * -ENOMEM; another -errno from open or read.
 */
int	dw_file_read_at(int dfd, const char *name, int oflags, size_t max,
	    char **ret, size_t *ret_len);

#endif
