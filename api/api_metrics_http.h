/*
 * api_metrics_http: serves GET /metrics (api_metrics_render) over HTTP on
 * an address that never leaves the host: a unix socket (mode 0660, group
 * root) or a loopback TCP port.  The endpoint has no authentication, so
 * anything else is refused.
 */
#ifndef API_METRICS_HTTP_H
#define API_METRICS_HTTP_H

#include <sys/un.h>

#include "common/dw_err.h"

/* The default for `dockward status` and the documented --metrics path. */

struct api_metrics_addr {
	enum { API_METRICS_UNIX, API_METRICS_TCP4, API_METRICS_TCP6 } kind;
	char		path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* UNIX */
	unsigned	port;						 /* TCP */
};

/*
 * Parse --metrics ADDR: an absolute unix socket path, "127.0.0.1:PORT" or
 * "[::1]:PORT" (PORT 1-65535).  0, or -EINVAL with err saying what is
 * accepted.
 */
int	api_metrics_http_addr_parse(const char *addr, struct api_metrics_addr *ret,
	    struct dw_err *err);

/* The URL curl fetches for addr ("http://localhost/metrics" for a unix socket). */
void	api_metrics_http_addr_url(const struct api_metrics_addr *a, char *url, size_t urlsz);

struct api_metrics_http;

/*
 * Bind addr (a unix socket is also given group root) without serving yet:
 * `serve` binds before its sandbox drops CAP_CHOWN and starts threads only
 * after it.  NULL with err when the address is refused or cannot be bound.
 * The result is freed by api_metrics_http_stop.
 */
struct api_metrics_http *api_metrics_http_bind(const char *addr, struct dw_err *err);
/* Serve a bound endpoint in a background thread: 0, or -EIO with err. */
int	api_metrics_http_run(struct api_metrics_http *h, struct dw_err *err);
/* Bind and run; NULL with err.  Freed by api_metrics_http_stop. */
struct api_metrics_http *api_metrics_http_start(const char *addr, struct dw_err *err);
/* Stop serving, remove a unix socket, free; NULL is a no-op. */
void	api_metrics_http_stop(struct api_metrics_http *h);

#endif
