/*
 * dw_journal: systemd's native journal protocol, without libsystemd: one
 * AF_UNIX datagram per entry to /run/systemd/journal/socket, holding
 * "KEY=value\n" fields, or "KEY\n" + 64-bit little-endian length + value +
 * "\n" for a value with a newline in it (systemd's documented format).
 * Entries are limited to DW_JOURNAL_MAX bytes (dw_log lines are far
 * shorter); the memfd way of sending larger ones is not implemented.
 */
#ifndef DW_JOURNAL_H
#define DW_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define DW_JOURNAL_SOCKET	"/run/systemd/journal/socket"
#define DW_JOURNAL_MAX		(16 * 1024)

/*
 * Append field key=val (len bytes of val) to buf (size bufsz, *off bytes
 * used).  Keys are upper-case letters, digits and '_' (not checked).
 * 0, or -E2BIG when it does not fit (*off unchanged).
 */
int	dw_journal_field(char *buf, size_t bufsz, size_t *off, const char *key,
	    const char *val, size_t len);

/* A datagram socket for dw_journal_send (close-on-exec); fd or -errno. */
int	dw_journal_socket(void);

/*
 * Send one entry to the journal socket at path (NULL: DW_JOURNAL_SOCKET),
 * without blocking: a busy or absent journal makes it fail, so the caller
 * can write the line elsewhere.  0 or -errno.
 */
int	dw_journal_send(int fd, const char *path, const char *buf, size_t len);

/*
 * systemd's contract: stderr is connected to the journal when
 * $JOURNAL_STREAM ("DEVICE:INODE") names the file stderr is.
 */
bool	dw_journal_stream_is_stderr(void);

#endif
