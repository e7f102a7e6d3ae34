/*
 * Unit tests for egress_fetch.c against a tiny HTTP server on 127.0.0.1
 * (a thread per connection, fixed answers by path): 200 with validators,
 * 304 on a conditional request, 404, oversize with and without
 * Content-Length, slow, empty, redirects that keep or change the scheme,
 * the proxy environment ignored, URLs refused before any connection.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "egress/egress_fetch.h"

#define PAC_BODY	"function FindProxyForURL(url, host) { return \"DIRECT\"; }\n"
#define SERVER_CONNS	64

struct server {
	int		 fd;
	unsigned short	 port;
	pthread_t	 th;
	pthread_t	 conns[SERVER_CONNS];
	int		 nconns;
	volatile int	 stop;
	int		 requests;
	char		 last[4096];	/* the last request's head */
	pthread_mutex_t	 mu;
};

static struct server	srv;

static void
send_all(int fd, const void *buf, size_t n)
{
	const char	*p = buf;
	ssize_t		 w;

	while (n > 0) {
		if ((w = send(fd, p, n, MSG_NOSIGNAL)) <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void
reply(int fd, const char *status, const char *headers, const char *body)
{
	char	head[1024];
	int	n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nConnection: close\r\n"
	    "Content-Length: %zu\r\n%s\r\n", status, strlen(body), headers);
	send_all(fd, head, (size_t)n);
	send_all(fd, body, strlen(body));
}

static void *
conn_main(void *arg)
{
	int	 fd = (int)(intptr_t)arg;
	char	 req[4096] = "", path[256], chunk[8192], head[256];
	size_t	 len = 0, i;
	ssize_t	 n;

	while (len < sizeof(req) - 1 && strstr(req, "\r\n\r\n") == NULL) {
		if ((n = recv(fd, req + len, sizeof(req) - 1 - len, 0)) <= 0)
			goto out;
		len += (size_t)n;
		req[len] = '\0';
		if (req[0] == 0x16) {
			/* A TLS ClientHello: answer in plain HTTP, as a plain server does. */
			reply(fd, "400 Bad Request", "", "");
			goto out;
		}
	}
	pthread_mutex_lock(&srv.mu);
	srv.requests++;
	memcpy(srv.last, req, len + 1);
	pthread_mutex_unlock(&srv.mu);
	if (sscanf(req, "GET %255s ", path) != 1)
		goto out;
	if (strcmp(path, "/ok.pac") == 0) {
		if (strstr(req, "If-None-Match: \"v1\"") != NULL)
			reply(fd, "304 Not Modified", "ETag: \"v1\"\r\n", "");
		else
			reply(fd, "200 OK", "ETag: \"v1\"\r\n"
			    "Last-Modified: Tue, 01 Apr 2025 10:00:00 GMT\r\n"
			    "Content-Type: application/x-ns-proxy-autoconfig\r\n", PAC_BODY);
	} else if (strcmp(path, "/lm.pac") == 0) {
		if (strstr(req, "If-Modified-Since: Tue, 01 Apr 2025 10:00:00 GMT") != NULL)
			reply(fd, "304 Not Modified", "", "");
		else
			reply(fd, "200 OK", "Last-Modified: Tue, 01 Apr 2025 10:00:00 GMT\r\n",
			    PAC_BODY);
	} else if (strcmp(path, "/missing.pac") == 0) {
		reply(fd, "404 Not Found", "", "not here\n");
	} else if (strcmp(path, "/error.pac") == 0) {
		reply(fd, "500 Internal Server Error", "", "oops\n");
	} else if (strcmp(path, "/empty.pac") == 0) {
		reply(fd, "200 OK", "", "");
	} else if (strcmp(path, "/unasked304.pac") == 0) {
		reply(fd, "304 Not Modified", "", "");
	} else if (strcmp(path, "/big.pac") == 0 || strcmp(path, "/bigclose.pac") == 0) {
		/* One byte over the cap, announced or not. */
		if (strcmp(path, "/big.pac") == 0)
			n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nConnection: close\r\n"
			    "Content-Length: %d\r\n\r\n", EGRESS_PAC_MAX + 1);
		else
			n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
			    "Connection: close\r\n\r\n");
		send_all(fd, head, (size_t)n);
		memset(chunk, '/', sizeof(chunk));
		for (i = 0; i < (EGRESS_PAC_MAX + 1) / sizeof(chunk); i++)
			send_all(fd, chunk, sizeof(chunk));
		send_all(fd, chunk, (EGRESS_PAC_MAX + 1) % sizeof(chunk));
	} else if (strcmp(path, "/slow.pac") == 0) {
		usleep(1500 * 1000);
		reply(fd, "200 OK", "", PAC_BODY);
	} else if (strcmp(path, "/redirect.pac") == 0) {
		reply(fd, "302 Found", "Location: /ok.pac\r\n", "");
	} else if (strcmp(path, "/redirect-ftp.pac") == 0) {
		reply(fd, "302 Found", "Location: ftp://127.0.0.1/x.pac\r\n", "");
	} else if (strcmp(path, "/redirect-file.pac") == 0) {
		reply(fd, "302 Found", "Location: file:///etc/passwd\r\n", "");
	} else if (strcmp(path, "/loop.pac") == 0) {
		reply(fd, "302 Found", "Location: /loop.pac\r\n", "");
	} else {
		reply(fd, "400 Bad Request", "", "");
	}
out:
	shutdown(fd, SHUT_WR);
	/* Drain until the client closes, so that it reads every byte sent. */
	while (recv(fd, chunk, sizeof(chunk), 0) > 0)
		;
	close(fd);
	return NULL;
}

static void *
server_main(void *arg)
{
	struct pollfd	pfd;
	int		fd;

	(void)arg;
	while (!srv.stop) {
		pfd.fd = srv.fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if ((fd = accept(srv.fd, NULL, NULL)) < 0)
			continue;
		if (srv.nconns == SERVER_CONNS ||
		    pthread_create(&srv.conns[srv.nconns], NULL, conn_main,
		    (void *)(intptr_t)fd) != 0) {
			close(fd);
			continue;
		}
		srv.nconns++;
	}
	return NULL;
}

static int
server_start(void **state)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof(sa);
	int			one = 1;

	(void)state;
	memset(&srv, 0, sizeof(srv));
	pthread_mutex_init(&srv.mu, NULL);
	srv.fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(srv.fd >= 0);
	setsockopt(srv.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(srv.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(srv.fd, 16), 0);
	assert_int_equal(getsockname(srv.fd, (struct sockaddr *)&sa, &len), 0);
	srv.port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&srv.th, NULL, server_main, NULL), 0);
	return 0;
}

static int
server_stop(void **state)
{
	int	i;

	(void)state;
	srv.stop = 1;
	pthread_join(srv.th, NULL);
	for (i = 0; i < srv.nconns; i++)
		pthread_join(srv.conns[i], NULL);
	close(srv.fd);
	pthread_mutex_destroy(&srv.mu);
	return 0;
}

static const char *
url(const char *path)
{
	static char	buf[256];

	snprintf(buf, sizeof(buf), "http://127.0.0.1:%u%s", srv.port, path);
	return buf;
}

static void
test_ok_and_304(void **state)
{
	struct egress_fetch_result	r, r2;
	struct dw_err			err;

	memset(&r, 0, sizeof(r));
	assert_int_equal(egress_fetch_pac(url("/ok.pac"), NULL, NULL, &r, &err), 0);
	assert_false(r.not_modified);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, strlen(PAC_BODY));
	assert_string_equal(r.script, PAC_BODY);
	assert_string_equal(r.validators.etag, "\"v1\"");
	assert_string_equal(r.validators.last_modified, "Tue, 01 Apr 2025 10:00:00 GMT");
	assert_null(strstr(srv.last, "If-None-Match"));
	assert_non_null(strstr(srv.last, "User-Agent: dockward-pac-fetch"));

	/* The same validators back: 304, no script, the validators kept. */
	assert_int_equal(egress_fetch_pac(url("/ok.pac"), NULL, &r.validators, &r2, &err), 0);
	assert_true(r2.not_modified);
	assert_int_equal(r2.status, 304);
	assert_null(r2.script);
	assert_string_equal(r2.validators.etag, "\"v1\"");
	assert_string_equal(r2.validators.last_modified, "Tue, 01 Apr 2025 10:00:00 GMT");
	assert_non_null(strstr(srv.last, "If-None-Match: \"v1\""));
	assert_non_null(strstr(srv.last, "If-Modified-Since: Tue, 01 Apr 2025 10:00:00 GMT"));
	egress_fetch_result_clear(&r2);

	/* Stale validators: a new script. */
	snprintf(r.validators.etag, sizeof(r.validators.etag), "\"v0\"");
	r.validators.last_modified[0] = '\0';
	assert_int_equal(egress_fetch_pac(url("/ok.pac"), NULL, &r.validators, &r2, &err), 0);
	assert_false(r2.not_modified);
	assert_string_equal(r2.script, PAC_BODY);
	egress_fetch_result_clear(&r2);
	egress_fetch_result_clear(&r);
	assert_null(r.script);
	egress_fetch_result_clear(NULL);

	/* Last-Modified alone. */
	assert_int_equal(egress_fetch_pac(url("/lm.pac"), NULL, NULL, &r, &err), 0);
	assert_string_equal(r.validators.etag, "");
	assert_int_equal(egress_fetch_pac(url("/lm.pac"), NULL, &r.validators, &r2, &err), 0);
	assert_true(r2.not_modified);
	egress_fetch_result_clear(&r);
	egress_fetch_result_clear(&r2);
}

/* A failure: the code, a message containing want, *ret untouched. */
static void
fetch_fails(const char *u, const struct egress_fetch_opts *o, int want_r, const char *want)
{
	struct egress_fetch_result	r;
	struct dw_err			err;
	int				got;

	memset(&r, 0x5a, sizeof(r));
	err.msg[0] = '\0';
	got = egress_fetch_pac(u, o, NULL, &r, &err);
	if (got != want_r)
		fail_msg("%s: %d, expected %d (%s)", u, got, want_r, err.msg);
	if (strstr(err.msg, want) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", u, err.msg, want);
	assert_int_equal(r.status, 0x5a5a5a5a5a5a5a5aLL);
}

static void
test_failures(void **state)
{
	struct egress_fetch_opts	o;

	fetch_fails(url("/missing.pac"), NULL, -ENOENT, "HTTP 404");
	fetch_fails(url("/error.pac"), NULL, -EPROTO, "HTTP 500");
	fetch_fails(url("/empty.pac"), NULL, -EPROTO, "an empty PAC file");
	fetch_fails(url("/unasked304.pac"), NULL, -EPROTO, "without validators");
	fetch_fails(url("/big.pac"), NULL, -E2BIG, "larger than 1048576 bytes");
	fetch_fails(url("/bigclose.pac"), NULL, -E2BIG, "larger than 1048576 bytes");
	memset(&o, 0, sizeof(o));
	o.max = 16;
	fetch_fails(url("/ok.pac"), &o, -E2BIG, "larger than 16 bytes");
	memset(&o, 0, sizeof(o));
	o.timeout_ms = 300;
	fetch_fails(url("/slow.pac"), &o, -ETIMEDOUT, "127.0.0.1");
	fetch_fails(url("/redirect-ftp.pac"), NULL, -EPROTO, "127.0.0.1");
	fetch_fails(url("/redirect-file.pac"), NULL, -EPROTO, "127.0.0.1");
	fetch_fails(url("/loop.pac"), NULL, -EPROTO, "127.0.0.1");
	/* Refused before any connection. */
	fetch_fails("file:///etc/passwd", NULL, -EINVAL, "only http:// and https://");
	fetch_fails("ftp://127.0.0.1/x.pac", NULL, -EINVAL, "only http:// and https://");
	/* TLS to a plain HTTP server, and a CA file that is not there. */
	{
		char	u[256];

		snprintf(u, sizeof(u), "https://127.0.0.1:%u/ok.pac", srv.port);
		fetch_fails(u, NULL, -EIO, "127.0.0.1");
		memset(&o, 0, sizeof(o));
		o.ca_file = "/nonexistent/ca.pem";
		fetch_fails(u, &o, -EIO, "127.0.0.1");
	}
	/* Nobody listening. */
	{
		struct sockaddr_in	sa;
		socklen_t		len = sizeof(sa);
		char			u[256];
		int			fd = socket(AF_INET, SOCK_STREAM, 0);

		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
		snprintf(u, sizeof(u), "http://127.0.0.1:%u/x.pac", ntohs(sa.sin_port));
		fetch_fails(u, NULL, -ECONNREFUSED, "127.0.0.1");
		close(fd);
	}
}

static void
test_redirect_and_no_proxy(void **state)
{
	struct egress_fetch_result	r;
	struct dw_err			err;
	int				before;

	assert_int_equal(egress_fetch_pac(url("/redirect.pac"), NULL, NULL, &r, &err), 0);
	assert_string_equal(r.script, PAC_BODY);
	assert_string_equal(r.validators.etag, "\"v1\"");
	egress_fetch_result_clear(&r);

	/* A proxy in the environment is not used (it does not exist). */
	setenv("http_proxy", "http://127.0.0.1:1", 1);
	setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
	before = srv.requests;
	assert_int_equal(egress_fetch_pac(url("/ok.pac"), NULL, NULL, &r, &err), 0);
	assert_int_equal(srv.requests, before + 1);
	egress_fetch_result_clear(&r);
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("ALL_PROXY");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_and_304),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_redirect_and_no_proxy),
	};
	int	r;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = cmocka_run_group_tests(tests, server_start, server_stop);
	curl_global_cleanup();
	return r;
}
