/*
 * dw_esc: untrusted text made safe to put in a message or log line.
 */
#ifndef DW_ESC_H
#define DW_ESC_H

#include <stddef.h>

/*
 * Copy at most len bytes of s (stopping at NUL) into dst: printable ASCII
 * except '"' and '\\' is kept, every other byte becomes \xNN, and input
 * that does not fit ends in "...".  dst is always NUL-terminated.
 */
void	dw_esc(char *dst, size_t dstsz, const char *s, size_t len);

#endif
