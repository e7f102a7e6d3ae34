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
#define API_METRICS_DEFAULT_SOCKET	"/run/dockward/metrics.sock"

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
int	api_metrics_addr_parse(const char *addr, struct api_metrics_addr *ret,
	    struct dw_err *err);

/* The URL curl fetches for addr ("http://localhost/metrics" for a unix socket). */
void	api_metrics_addr_url(const struct api_metrics_addr *a, char *url, size_t urlsz);

struct api_metrics_http;

/*
 * Listen on addr and serve in a background thread.  NULL with err when the
 * address is refused or cannot be bound.
 */
struct api_metrics_http *api_metrics_http_start(const char *addr, struct dw_err *err);
/* Stop serving, remove a unix socket, free; NULL is a no-op. */
void	api_metrics_http_stop(struct api_metrics_http *h);

#endif
