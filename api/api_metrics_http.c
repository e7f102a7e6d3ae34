/* api_metrics_http: the /metrics endpoint (libmicrohttpd, one polling thread). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api/api_metrics.h"
#include "api/api_metrics_http.h"
#include "common/dw_sock.h"

#define METRICS_CONN_MAX	16	/* scrapers are few; a flood must not cost threads */
#define METRICS_TIMEOUT_S	10

struct api_metrics_http {
	struct MHD_Daemon	*mhd;
	struct api_metrics_addr	 addr;
	int			 fd;		/* bound, not yet MHD's; -1 after */
	char			 text[256];	/* --metrics as given, for messages */
};

int
api_metrics_http_addr_parse(const char *addr, struct api_metrics_addr *ret,
    struct dw_err *err)
{
	const char	*port = NULL;
	char		*end;
	unsigned long	 p;

	memset(ret, 0, sizeof(*ret));
	if (addr[0] == '/') {
		if (strlen(addr) >= sizeof(ret->path)) {
			dw_err_set(err, "--metrics %s: socket path too long", addr);
			return -EINVAL;
		}
		ret->kind = API_METRICS_UNIX;
		snprintf(ret->path, sizeof(ret->path), "%s", addr);
		return 0;
	}
	if (strncmp(addr, "127.0.0.1:", 10) == 0) {
		ret->kind = API_METRICS_TCP4;
		port = addr + 10;
	} else if (strncmp(addr, "[::1]:", 6) == 0) {
		ret->kind = API_METRICS_TCP6;
		port = addr + 6;
	}
	if (port != NULL && port[0] >= '1' && port[0] <= '9') {
		errno = 0;
		p = strtoul(port, &end, 10);
		if (errno == 0 && *end == '\0' && p <= 65535) {
			ret->port = (unsigned)p;
			return 0;
		}
	}
	dw_err_set(err, "--metrics %s: want an absolute unix socket path, "
	    "127.0.0.1:PORT or [::1]:PORT (the endpoint has no authentication, "
	    "so it is served on this host only)", addr);
	return -EINVAL;
}

void
api_metrics_http_addr_url(const struct api_metrics_addr *a, char *url, size_t urlsz)
{
	if (a->kind == API_METRICS_TCP4)
		snprintf(url, urlsz, "http://127.0.0.1:%u/metrics", a->port);
	else if (a->kind == API_METRICS_TCP6)
		snprintf(url, urlsz, "http://[::1]:%u/metrics", a->port);
	else
		snprintf(url, urlsz, "http://localhost/metrics");
}

/* A loopback TCP listener; fd or -errno with err. */
static int
tcp_listen(const struct api_metrics_addr *a, const char *text, struct dw_err *err)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct sockaddr		*sa;
	socklen_t		 salen;
	int			 fd, one = 1, r;

	if (a->kind == API_METRICS_TCP4) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)a->port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sa = (struct sockaddr *)&sin;
		salen = sizeof(sin);
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)a->port);
		sin6.sin6_addr = in6addr_loopback;
		sa = (struct sockaddr *)&sin6;
		salen = sizeof(sin6);
	}
	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		r = -errno;
		dw_err_set(err, "--metrics %s: socket: %s", text, strerror(errno));
		return r;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, sa, salen) < 0 || listen(fd, 16) < 0) {
		r = -errno;
		dw_err_set(err, "--metrics %s: cannot listen: %s", text, strerror(errno));
		close(fd);
		return r;
	}
	return fd;
}

static enum MHD_Result
reply_text(struct MHD_Connection *conn, unsigned int status, char *text, size_t len,
    const char *ctype)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;

	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	static int	 first;
	char		*text;
	size_t		 len;

	/* MHD calls once with the head alone; answer on that first call. */
	if (*con_cls == NULL) {
		*con_cls = &first;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0;	/* a scrape has no body; ignore one */
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		if ((text = strdup("method not allowed\n")) == NULL)
			return MHD_NO;
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, text, strlen(text),
		    "text/plain; charset=utf-8");
	}
	if (strcmp(url, "/metrics") != 0) {
		if ((text = strdup("dockward serves /metrics only\n")) == NULL)
			return MHD_NO;
		return reply_text(conn, MHD_HTTP_NOT_FOUND, text, strlen(text),
		    "text/plain; charset=utf-8");
	}
	if ((text = api_metrics_render(&len)) == NULL)
		return MHD_NO;
	return reply_text(conn, MHD_HTTP_OK, text, len,
	    "text/plain; version=0.0.4; charset=utf-8");
}

struct api_metrics_http *
api_metrics_http_bind(const char *addr, struct dw_err *err)
{
	struct api_metrics_http	*h;
	int			 fd;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		dw_err_set(err, "out of memory");
		return NULL;
	}
	h->fd = -1;
	snprintf(h->text, sizeof(h->text), "%s", addr);
	if (api_metrics_http_addr_parse(addr, &h->addr, err) < 0)
		goto fail;
	if (h->addr.kind == API_METRICS_UNIX) {
		if ((fd = dw_sock_listen(h->addr.path, 0660, err)) < 0)
			goto fail;
		/* Group root: who may read the metrics is an admin's choice (chgrp). */
		if (chown(h->addr.path, (uid_t)-1, 0) < 0 && geteuid() == 0) {
			dw_err_set(err, "--metrics %s: chown: %s", addr, strerror(errno));
			close(fd);
			unlink(h->addr.path);
			goto fail;
		}
	} else if ((fd = tcp_listen(&h->addr, addr, err)) < 0)
		goto fail;
	h->fd = fd;
	return h;
fail:
	free(h);
	return NULL;
}

int
api_metrics_http_run(struct api_metrics_http *h, struct dw_err *err)
{
	h->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
	    MHD_USE_ERROR_LOG | (h->addr.kind == API_METRICS_TCP6 ? MHD_USE_IPv6 : 0),
	    0, NULL, NULL, access_handler, h,
	    MHD_OPTION_LISTEN_SOCKET, h->fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_CONN_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_TIMEOUT_S,
	    MHD_OPTION_END);
	if (h->mhd == NULL) {
		dw_err_set(err, "--metrics %s: cannot start the HTTP server", h->text);
		return -EIO;
	}
	h->fd = -1;	/* MHD's now */
	return 0;
}

struct api_metrics_http *
api_metrics_http_start(const char *addr, struct dw_err *err)
{
	struct api_metrics_http	*h;

	if ((h = api_metrics_http_bind(addr, err)) == NULL)
		return NULL;
	if (api_metrics_http_run(h, err) < 0) {
		api_metrics_http_stop(h);
		return NULL;
	}
	return h;
}

void
api_metrics_http_stop(struct api_metrics_http *h)
{
	if (h == NULL)
		return;
	if (h->mhd != NULL)
		MHD_stop_daemon(h->mhd);
	if (h->fd >= 0)
		close(h->fd);	/* bound, never served */
	if (h->addr.kind == API_METRICS_UNIX)
		unlink(h->addr.path);
	free(h);
}
