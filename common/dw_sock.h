/*
 * dw_sock: unix stream sockets, the few calls every listener and client
 * of the daemon repeats (the plugin server, the gatekeeper, the metrics
 * endpoint, the gatekeeper's engine connections).
 */
#ifndef DW_SOCK_H
#define DW_SOCK_H

#include <stddef.h>
#include <sys/types.h>

#include "common/dw_err.h"

/*
 * Create a unix stream socket at path (parent directories created 0755,
 * a stale socket replaced, never another kind of file), give it mode and
 * listen on it.  A new fd (close-on-exec; the caller closes it), or
 * -errno with err.
 */
int	dw_sock_listen(const char *path, mode_t mode, struct dw_err *err);

/* Connect to the unix stream socket at path: a new fd (close-on-exec), or -errno. */
int	dw_sock_connect(const char *path);

/*
 * Send all of buf[0, len) on a stream socket, waiting out a full one
 * (EAGAIN); never raises SIGPIPE.  0 or -errno.
 */
int	dw_sock_write_all(int fd, const void *buf, size_t len);

#endif
