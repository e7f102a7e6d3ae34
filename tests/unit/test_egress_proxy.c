/*
 * egress_proxy: the transparent proxy on 127.0.0.1 with in-test servers.
 * The proxy runs with no_orig_dst (the destination is test_dst); the test
 * plays the container (client), the destinations (echo, a server that
 * answers after EOF, one that resets, one that watches how it was left)
 * and the upstream proxies (an HTTP CONNECT proxy that checks the request
 * line, one that answers 403, a SOCKS5 server that checks the address).
 * Every case checks the bytes each side sees and the one on_close record
 * of each connection.  The first case is the real thing: in a network
 * namespace of its own (root only, else skipped), an nft redirect sends a
 * connection to the proxy, which must see the original destination.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "egress/egress_proxy.h"
#include "tests/unit/sock_io.h"

#define CRLF		"\r\n"
#define OK_200		"HTTP/1.1 200 Connection established" CRLF "Via: test" CRLF CRLF
#define RECS_MAX	64
#define BIG		(10u * 1024 * 1024)
#define NS_PORT		9999	/* the destination inside the namespace */
#define NS_UID		65534	/* the client whose connections are redirected */

/* ---- what the proxy was told and what it reported ---- */

static struct {
	pthread_mutex_t			mu;
	struct egress_answer		answer;
	bool				prove;		/* the name is proven (t->name = claimed) */
	int				delay_ms;
	int				ncalls;
	struct egress_target		last;
	struct egress_target		seen[8];
	struct egress_conn_record	recs[RECS_MAX];
	int				nrec;
	char				connect_line[512];	/* what the CONNECT proxy read */
	char				socks_target[300];	/* what the SOCKS5 server read */
	int				watch_end;		/* how the watch server's peer left: 0 EOF, or errno */
} T = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void
t_decide(void *ctx, struct egress_target *t, struct egress_answer *out,
    struct egress_decide_info *info)
{
	int	delay;

	pthread_mutex_lock(&T.mu);
	delay = T.delay_ms;
	if (T.ncalls < 8)
		T.seen[T.ncalls] = *t;
	T.ncalls++;
	T.last = *t;
	*out = T.answer;
	if (T.prove && t->source != EGRESS_NAME_IP)
		snprintf(t->name, sizeof(t->name), "%s", t->claimed);
	else
		t->source = EGRESS_NAME_IP;
	pthread_mutex_unlock(&T.mu);
	memset(info, 0, sizeof(*info));
	snprintf(info->pac_answer, sizeof(info->pac_answer), "test");
	if (delay > 0)
		usleep((useconds_t)delay * 1000);
}

static void
t_on_close(void *ctx, const struct egress_conn_record *rec)
{
	if (getenv("EGRESS_TEST_VERBOSE") != NULL)
		fprintf(stderr, "record: %s route %d %llu/%llu bytes error \"%s\"\n", rec->action,
		    rec->route, rec->bytes_out, rec->bytes_in, rec->error);
	pthread_mutex_lock(&T.mu);
	if (T.nrec < RECS_MAX)
		T.recs[T.nrec] = *rec;
	T.nrec++;
	pthread_mutex_unlock(&T.mu);
}

static void
answer_clear(void)
{
	pthread_mutex_lock(&T.mu);
	memset(&T.answer, 0, sizeof(T.answer));
	T.ncalls = 0;
	T.nrec = 0;
	T.prove = true;
	T.delay_ms = 0;
	T.connect_line[0] = T.socks_target[0] = '\0';
	T.watch_end = -1;
	pthread_mutex_unlock(&T.mu);
}

static void
answer_add(enum egress_route_kind kind, const char *host, uint16_t port)
{
	struct egress_route	*r = &T.answer.r[T.answer.n++];

	r->kind = kind;
	snprintf(r->host, sizeof(r->host), "%s", host != NULL ? host : "");
	r->port = port;
}

/* Wait until n records arrived; the count must then stay n. */
static void
records_wait(int n)
{
	int	i, got = 0;

	for (i = 0; i < 500; i++) {
		pthread_mutex_lock(&T.mu);
		got = T.nrec;
		pthread_mutex_unlock(&T.mu);
		if (got >= n)
			break;
		usleep(10000);
	}
	usleep(20000);
	pthread_mutex_lock(&T.mu);
	got = T.nrec;
	pthread_mutex_unlock(&T.mu);
	if (got != n)
		fail_msg("%d on_close records, want %d", got, n);
}

/* ---- in-test servers ---- */

struct server {
	int		 fd;
	uint16_t	 port;
	void		(*fn)(int);
	pthread_t	 t;
};

static struct server	 echo_srv, half_srv, reset_srv, watch_srv, connect_srv, deny_srv,
			 socks_srv;

static void
send_all(int fd, const void *p, size_t n)
{
	const char	*b = p;
	ssize_t		 k;

	while (n > 0) {
		k = send(fd, b, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		b += k;
		n -= (size_t)k;
	}
}

static bool
recv_all(int fd, void *p, size_t n)
{
	char	*b = p;
	ssize_t	 k;

	while (n > 0) {
		k = recv(fd, b, n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		b += k;
		n -= (size_t)k;
	}
	return true;
}

static void
srv_echo(int fd)
{
	char	buf[65536];
	ssize_t	n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		send_all(fd, buf, (size_t)n);
	shutdown(fd, SHUT_WR);
}

/* Read to EOF, then say how much came. */
static void
srv_half(int fd)
{
	char		buf[65536];
	ssize_t		n;
	unsigned long	total = 0;
	int		len;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		total += (unsigned long)n;
	len = snprintf(buf, sizeof(buf), "got %lu", total);
	send_all(fd, buf, (size_t)len);
}

/* Read three bytes, then reset. */
static void
srv_reset(int fd)
{
	struct linger	l = { 1, 0 };
	char		buf[3];

	(void)recv_all(fd, buf, 3);
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

/* Echo, and remember whether the peer left with EOF (0) or an error. */
static void
srv_watch(int fd)
{
	char	buf[4096];
	ssize_t	n;
	int	end;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		send_all(fd, buf, (size_t)n);
	end = n == 0 ? 0 : errno;
	pthread_mutex_lock(&T.mu);
	T.watch_end = end;
	pthread_mutex_unlock(&T.mu);
}

static int
connect_to(int family, const char *addr, uint16_t port)
{
	struct sockaddr_storage	ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	struct timeval		tv = { 10, 0 };
	socklen_t		sl;
	int			fd;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		sl = sizeof(*s4);
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		sl = sizeof(*s6);
	}
	if ((fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Copy both ways until both sides said EOF (the in-test proxies' relay). */
static void
pipe_both(int a, int b)
{
	struct pollfd	pfd[2] = { { .fd = a, .events = POLLIN }, { .fd = b, .events = POLLIN } };
	char		buf[65536];
	ssize_t		n;
	int		i, open = 2;

	while (open > 0 && poll(pfd, 2, 10000) > 0) {
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = recv(pfd[i].fd, buf, sizeof(buf), 0);
			if (n <= 0) {
				shutdown(i == 0 ? b : a, SHUT_WR);
				pfd[i].fd = -1;
				open--;
				continue;
			}
			send_all(i == 0 ? b : a, buf, (size_t)n);
		}
	}
}

/* An HTTP proxy: check and keep the request, tunnel to the echo server. */
static void
srv_connect(int fd)
{
	char	head[2048];
	size_t	n = 0;
	int	up;

	while (n < sizeof(head) - 1 && recv(fd, head + n, 1, 0) == 1) {
		n++;
		if (n >= 4 && memcmp(head + n - 4, CRLF CRLF, 4) == 0)
			break;
	}
	head[n] = '\0';
	pthread_mutex_lock(&T.mu);
	snprintf(T.connect_line, sizeof(T.connect_line), "%.*s", (int)strcspn(head, "\r"), head);
	pthread_mutex_unlock(&T.mu);
	if (strncmp(head, "CONNECT ", 8) != 0 || strstr(head, CRLF "Host: ") == NULL ||
	    (up = connect_to(AF_INET, "127.0.0.1", echo_srv.port)) < 0) {
		send_all(fd, "HTTP/1.1 400 Bad" CRLF CRLF, strlen("HTTP/1.1 400 Bad" CRLF CRLF));
		return;
	}
	send_all(fd, OK_200, strlen(OK_200));
	pipe_both(fd, up);
	close(up);
}

static void
srv_deny(int fd)
{
	char	buf[512];

	(void)recv(fd, buf, sizeof(buf), 0);
	send_all(fd, "HTTP/1.1 403 Forbidden" CRLF CRLF, strlen("HTTP/1.1 403 Forbidden" CRLF CRLF));
}

/* A SOCKS5 server: no auth, CONNECT, keep the address, tunnel to the echo server. */
static void
srv_socks(int fd)
{
	uint8_t		b[300];
	char		host[260], a[INET6_ADDRSTRLEN];
	unsigned	port;
	int		up;

	if (!recv_all(fd, b, 3) || memcmp(b, "\x05\x01\x00", 3) != 0)
		return;
	send_all(fd, "\x05\x00", 2);
	if (!recv_all(fd, b, 4) || b[0] != 5 || b[1] != 1 || b[2] != 0)
		return;
	if (b[3] == 1) {
		if (!recv_all(fd, b, 4))
			return;
		inet_ntop(AF_INET, b, a, sizeof(a));
		snprintf(host, sizeof(host), "ip4 %s", a);
	} else if (b[3] == 4) {
		if (!recv_all(fd, b, 16))
			return;
		inet_ntop(AF_INET6, b, a, sizeof(a));
		snprintf(host, sizeof(host), "ip6 %s", a);
	} else if (b[3] == 3) {
		if (!recv_all(fd, b, 1) || !recv_all(fd, b + 1, b[0]))
			return;
		snprintf(host, sizeof(host), "name %.*s", b[0], (char *)b + 1);
	} else
		return;
	if (!recv_all(fd, b, 2))
		return;
	port = (unsigned)b[0] << 8 | b[1];
	pthread_mutex_lock(&T.mu);
	snprintf(T.socks_target, sizeof(T.socks_target), "%s:%u", host, port);
	pthread_mutex_unlock(&T.mu);
	if ((up = connect_to(AF_INET, "127.0.0.1", echo_srv.port)) < 0) {
		send_all(fd, "\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00", 10);
		return;
	}
	send_all(fd, "\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x00", 10);
	pipe_both(fd, up);
	close(up);
}

struct srv_conn {
	int	fd;
	void	(*fn)(int);
};

static void *
srv_conn_main(void *arg)
{
	struct srv_conn	*sc = arg;

	sc->fn(sc->fd);
	close(sc->fd);
	free(sc);
	return NULL;
}

static void *
srv_main(void *arg)
{
	struct server	*s = arg;
	struct srv_conn	*sc;
	pthread_t	 t;
	int		 fd;

	while ((fd = accept(s->fd, NULL, NULL)) >= 0) {
		if ((sc = malloc(sizeof(*sc))) == NULL) {
			close(fd);
			continue;
		}
		sc->fd = fd;
		sc->fn = s->fn;
		if (pthread_create(&t, NULL, srv_conn_main, sc) != 0) {
			close(fd);
			free(sc);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

static int
srv_start(struct server *s, int family, const char *addr, uint16_t port, void (*fn)(int))
{
	struct sockaddr_storage	ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	socklen_t		sl;
	int			one = 1;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		sl = sizeof(*s4);
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		sl = sizeof(*s6);
	}
	if ((s->fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&ss, sl) != 0 || listen(s->fd, 128) != 0 ||
	    getsockname(s->fd, (struct sockaddr *)&ss, &sl) != 0) {
		close(s->fd);
		return -1;
	}
	s->port = ntohs(family == AF_INET ? s4->sin_port : s6->sin6_port);
	s->fn = fn;
	return pthread_create(&s->t, NULL, srv_main, s) == 0 ? 0 : -1;
}

static int
servers_start(void **state)
{
	static bool	started;

	if (started)
		return 0;
	started = true;
	assert_int_equal(srv_start(&echo_srv, AF_INET, "127.0.0.1", 0, srv_echo), 0);
	assert_int_equal(srv_start(&half_srv, AF_INET, "127.0.0.1", 0, srv_half), 0);
	assert_int_equal(srv_start(&reset_srv, AF_INET, "127.0.0.1", 0, srv_reset), 0);
	assert_int_equal(srv_start(&watch_srv, AF_INET, "127.0.0.1", 0, srv_watch), 0);
	assert_int_equal(srv_start(&connect_srv, AF_INET, "127.0.0.1", 0, srv_connect), 0);
	assert_int_equal(srv_start(&deny_srv, AF_INET, "127.0.0.1", 0, srv_deny), 0);
	assert_int_equal(srv_start(&socks_srv, AF_INET, "127.0.0.1", 0, srv_socks), 0);
	return 0;
}

/* A port nothing listens on (bound, never listened, closed). */
static uint16_t
dead_port(void)
{
	struct sockaddr_in	sa = { .sin_family = AF_INET };
	socklen_t		sl = sizeof(sa);
	int			fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* ---- the proxy under test ---- */

static struct egress_proxy *
proxy_up(uint16_t dst_port, unsigned peek_ms, unsigned conns_max)
{
	struct egress_proxy_opts	 o;
	struct egress_proxy		*p = NULL;
	struct dw_err			 err;

	memset(&o, 0, sizeof(o));
	o.bind4 = "127.0.0.1";
	o.bind6 = "";
	o.no_orig_dst = true;
	o.test_dst.family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &o.test_dst.u.v4);
	o.test_dst_port = dst_port;
	o.peek_ms = peek_ms;
	o.connect_ms = 2000;
	o.conns_max = conns_max;
	o.ops.decide = t_decide;
	o.ops.on_close = t_on_close;
	if (egress_proxy_start(&o, &p, &err) != 0)
		fail_msg("egress_proxy_start: %s", err.msg);
	return p;
}

static int
client(struct egress_proxy *p)
{
	int	fd = connect_to(AF_INET, "127.0.0.1", egress_proxy_port(p));

	assert_true(fd >= 0);
	return fd;
}

static const struct egress_conn_record *
rec(int i)
{
	return &T.recs[i];
}

/* ---- the cases ---- */

struct writer {
	int		fd;
	size_t		n;
	unsigned	sum;
};

static uint8_t
pattern(size_t i)
{
	return (uint8_t)((i * 2654435761u) >> 13);
}

static void *
writer_main(void *arg)
{
	struct writer	*w = arg;
	uint8_t		 buf[65536];
	size_t		 off = 0, i, k;

	while (off < w->n) {
		k = w->n - off < sizeof(buf) ? w->n - off : sizeof(buf);
		for (i = 0; i < k; i++) {
			buf[i] = pattern(off + i);
			w->sum = w->sum * 31 + buf[i];
		}
		send_all(w->fd, buf, k);
		off += k;
	}
	shutdown(w->fd, SHUT_WR);
	return NULL;
}

static void
test_direct_echo_10mb(void **state)
{
	struct egress_proxy		*p;
	struct egress_proxy_stats	 st;
	struct writer			 w;
	pthread_t			 t;
	uint8_t				 buf[65536];
	size_t				 got = 0;
	unsigned			 sum = 0;
	ssize_t				 n, i;
	char				 want[64];

	answer_clear();
	answer_add(EGRESS_ROUTE_DIRECT, NULL, 0);
	p = proxy_up(echo_srv.port, 0, 0);
	w.fd = client(p);
	w.n = BIG;
	w.sum = 0;
	assert_int_equal(pthread_create(&t, NULL, writer_main, &w), 0);
	while ((n = recv(w.fd, buf, sizeof(buf), 0)) > 0) {
		for (i = 0; i < n; i++)
			sum = sum * 31 + buf[i];
		got += (size_t)n;
	}
	if (n != 0)
		fail_msg("recv: %s after %zu bytes", strerror(errno), got);
	pthread_join(t, NULL);
	assert_int_equal(got, BIG);
	assert_int_equal(sum, w.sum);
	close(w.fd);
	records_wait(1);
	assert_string_equal(rec(0)->action, "direct");
	assert_int_equal(rec(0)->bytes_out, BIG);
	assert_int_equal(rec(0)->bytes_in, BIG);
	assert_int_equal(rec(0)->route, 0);
	assert_string_equal(rec(0)->error, "");
	snprintf(want, sizeof(want), "127.0.0.1:%u", echo_srv.port);
	assert_string_equal(rec(0)->upstream, want);
	assert_int_equal(rec(0)->target.source, EGRESS_NAME_IP);
	assert_int_equal(rec(0)->target.port, echo_srv.port);
	assert_string_equal(rec(0)->info.pac_answer, "test");
	egress_proxy_stats(p, &st);
	assert_int_equal(st.accepted, 1);
	assert_int_equal(st.direct, 1);
	assert_int_equal(st.open, 0);
	egress_proxy_stop(p);
}

static void
expect_reset(int fd)
{
	char	c;
	ssize_t	n;

	n = recv(fd, &c, 1, 0);
	if (!(n < 0 && errno == ECONNRESET))
		fail_msg("expected a reset, got %zd (%s)", n, n < 0 ? strerror(errno) : "");
}

/* Send s, then the connection is reset (the reset may come before or during the send). */
static void
send_expect_reset(int fd, const char *s)
{
	ssize_t	n = send(fd, s, strlen(s), MSG_NOSIGNAL);

	if (n < 0 && (errno == ECONNRESET || errno == EPIPE))
		return;
	if (n != (ssize_t)strlen(s))
		fail_msg("send: %s", n < 0 ? strerror(errno) : "short");
	expect_reset(fd);
}

static void
test_refuse_resets(void **state)
{
	struct egress_proxy		*p;
	struct egress_proxy_stats	 st;
	int				 fd;

	answer_clear();
	answer_add(EGRESS_ROUTE_REFUSE, NULL, 0);
	p = proxy_up(echo_srv.port, 0, 0);
	fd = client(p);
	send_expect_reset(fd, "hello");
	close(fd);
	records_wait(1);
	assert_string_equal(rec(0)->action, "refuse");
	assert_int_equal(rec(0)->route, -1);
	assert_int_equal(rec(0)->answer.n, 1);
	assert_int_equal(rec(0)->answer.r[0].kind, EGRESS_ROUTE_REFUSE);
	assert_int_equal(rec(0)->bytes_out, 0);
	egress_proxy_stats(p, &st);
	assert_int_equal(st.refused, 1);
	egress_proxy_stop(p);

	/* An empty answer refuses too (fail closed). */
	answer_clear();
	p = proxy_up(echo_srv.port, 0, 0);
	fd = client(p);
	expect_reset(fd);
	close(fd);
	records_wait(1);
	assert_string_equal(rec(0)->action, "refuse");
	assert_string_equal(rec(0)->info.error, "the decision gave no route");
	egress_proxy_stop(p);
}

/* Port 80: the Host header names the target; the CONNECT line carries it. */
static void
test_proxy_connect_by_host(void **state)
{
	struct egress_proxy	*p;
	const char		*req = "GET / HTTP/1.1" CRLF "Host: Web.Example:80" CRLF CRLF;
	char			 want[64];
	int			 fd;

	answer_clear();
	answer_add(EGRESS_ROUTE_PROXY, "127.0.0.1", connect_srv.port);
	p = proxy_up(80, 0, 0);
	fd = client(p);
	sock_io_sends(fd, req);
	sock_io_expect(fd, req);
	shutdown(fd, SHUT_WR);
	sock_io_expect_eof(fd);
	close(fd);
	records_wait(1);
	assert_string_equal(T.connect_line, "CONNECT web.example:80 HTTP/1.1");
	assert_int_equal(T.last.source, EGRESS_NAME_HOST);
	assert_string_equal(T.last.claimed, "web.example");
	assert_string_equal(rec(0)->action, "proxy");
	assert_string_equal(rec(0)->target.name, "web.example");
	assert_int_equal(rec(0)->target.source, EGRESS_NAME_HOST);
	assert_int_equal(rec(0)->bytes_out, strlen(req));
	assert_int_equal(rec(0)->bytes_in, strlen(req));
	snprintf(want, sizeof(want), "127.0.0.1:%u", connect_srv.port);
	assert_string_equal(rec(0)->upstream, want);
	egress_proxy_stop(p);

	/* A name that is not proven: the CONNECT asks for the IP. */
	answer_clear();
	T.prove = false;
	answer_add(EGRESS_ROUTE_PROXY, "127.0.0.1", connect_srv.port);
	p = proxy_up(80, 0, 0);
	fd = client(p);
	sock_io_sends(fd, req);
	sock_io_expect(fd, req);
	close(fd);
	records_wait(1);
	assert_string_equal(T.connect_line, "CONNECT 127.0.0.1:80 HTTP/1.1");
	assert_string_equal(rec(0)->target.name, "");
	assert_string_equal(rec(0)->target.claimed, "web.example");
	egress_proxy_stop(p);
}

/* A minimal ClientHello naming sni, in one record. */
static size_t
client_hello(uint8_t *b, const char *sni)
{
	size_t	n = strlen(sni), body, p = 0;

	body = 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + (4 + 2 + 3 + n);
	b[p++] = 0x16;
	b[p++] = 3;
	b[p++] = 1;
	b[p++] = (uint8_t)((body + 4) >> 8);
	b[p++] = (uint8_t)((body + 4) & 0xff);
	b[p++] = 1;
	b[p++] = 0;
	b[p++] = (uint8_t)(body >> 8);
	b[p++] = (uint8_t)(body & 0xff);
	b[p++] = 3;
	b[p++] = 3;
	memset(b + p, 7, 32);
	p += 32;
	b[p++] = 0;			/* session id */
	b[p++] = 0;
	b[p++] = 2;
	b[p++] = 0x13;
	b[p++] = 0x01;			/* one suite */
	b[p++] = 1;
	b[p++] = 0;			/* null compression */
	b[p++] = 0;
	b[p++] = (uint8_t)(4 + 2 + 3 + n);
	b[p++] = 0;
	b[p++] = 0;			/* server_name */
	b[p++] = 0;
	b[p++] = (uint8_t)(2 + 3 + n);
	b[p++] = 0;
	b[p++] = (uint8_t)(3 + n);
	b[p++] = 0;
	b[p++] = 0;
	b[p++] = (uint8_t)n;
	memcpy(b + p, sni, n);
	return p + n;
}

/* Port 443: the SNI names the target; SOCKS5 asks for it by name. */
static void
test_socks5_by_sni(void **state)
{
	struct egress_proxy	*p;
	uint8_t			 hello[512], back[512];
	size_t			 n;
	bool			 eof;
	int			 fd;

	answer_clear();
	answer_add(EGRESS_ROUTE_SOCKS5, "127.0.0.1", socks_srv.port);
	p = proxy_up(443, 0, 0);
	fd = client(p);
	n = client_hello(hello, "TLS.Example");
	/* In two pieces: the proxy peeks again when the rest arrives. */
	sock_io_send(fd, hello, 20);
	usleep(50000);
	sock_io_send(fd, hello + 20, n - 20);
	assert_int_equal(sock_io_read(fd, (char *)back, n, SOCK_IO_WAIT_MS, &eof), n);
	assert_memory_equal(back, hello, n);
	close(fd);
	records_wait(1);
	assert_string_equal(T.socks_target, "name tls.example:443");
	assert_int_equal(T.last.source, EGRESS_NAME_SNI);
	assert_string_equal(rec(0)->action, "socks5");
	assert_int_equal(rec(0)->bytes_out, n);
	egress_proxy_stop(p);

	/* By IP: SOCKS5 gets the address. */
	answer_clear();
	answer_add(EGRESS_ROUTE_SOCKS5, "127.0.0.1", socks_srv.port);
	p = proxy_up(2222, 0, 0);
	fd = client(p);
	sock_io_sends(fd, "SSH-2.0-test" CRLF);
	sock_io_expect(fd, "SSH-2.0-test" CRLF);
	close(fd);
	records_wait(1);
	assert_string_equal(T.socks_target, "ip4 127.0.0.1:2222");
	egress_proxy_stop(p);
}

/* The first proxy is down, the second refuses, the third works. */
static void
test_route_fallback(void **state)
{
	struct egress_proxy		*p;
	struct egress_proxy_stats	 st;
	int				 fd;

	answer_clear();
	answer_add(EGRESS_ROUTE_PROXY, "127.0.0.1", dead_port());
	answer_add(EGRESS_ROUTE_PROXY, "127.0.0.1", deny_srv.port);
	answer_add(EGRESS_ROUTE_SOCKS5, "127.0.0.1", socks_srv.port);
	answer_add(EGRESS_ROUTE_DIRECT, NULL, 0);
	p = proxy_up(echo_srv.port, 0, 0);
	fd = client(p);
	sock_io_sends(fd, "ping");
	sock_io_expect(fd, "ping");
	close(fd);
	records_wait(1);
	assert_string_equal(rec(0)->action, "socks5");
	assert_int_equal(rec(0)->route, 2);
	assert_int_equal(rec(0)->answer.n, 4);
	assert_string_equal(rec(0)->error, "");
	egress_proxy_stats(p, &st);
	assert_int_equal(st.socks5, 1);
	assert_int_equal(st.errors, 0);
	egress_proxy_stop(p);

	/* Every route down: an error, and the client is reset. */
	answer_clear();
	answer_add(EGRESS_ROUTE_PROXY, "127.0.0.1", dead_port());
	answer_add(EGRESS_ROUTE_PROXY, "127.0.0.1", deny_srv.port);
	p = proxy_up(echo_srv.port, 0, 0);
	fd = client(p);
	send_expect_reset(fd, "ping");
	close(fd);
	records_wait(1);
	assert_string_equal(rec(0)->action, "error");
	assert_int_equal(rec(0)->route, -1);
	assert_non_null(strstr(rec(0)->error, "403"));
	egress_proxy_stats(p, &st);
	assert_int_equal(st.errors, 1);
	egress_proxy_stop(p);
}

/* Nothing comes on 443 within peek_ms: decided on the IP. */
static void
test_peek_timeout(void **state)
{
	struct egress_proxy	*p;
	struct timespec		 a, b;
	long			 ms;
	int			 fd, calls;

	answer_clear();
	answer_add(EGRESS_ROUTE_PROXY, "127.0.0.1", connect_srv.port);
	p = proxy_up(443, 300, 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	fd = client(p);
	usleep(150000);
	pthread_mutex_lock(&T.mu);
	calls = T.ncalls;
	pthread_mutex_unlock(&T.mu);
	assert_int_equal(calls, 0);
	/* The proxy connects on its own; the client speaks after. */
	for (ms = 0; ms < 3000 && T.connect_line[0] == '\0'; ms += 10)
		usleep(10000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 290);
	assert_int_equal(T.last.source, EGRESS_NAME_IP);
	assert_string_equal(T.last.claimed, "");
	assert_string_equal(T.connect_line, "CONNECT 127.0.0.1:443 HTTP/1.1");
	sock_io_sends(fd, "late");
	sock_io_expect(fd, "late");
	close(fd);
	records_wait(1);
	egress_proxy_stop(p);

	/* A partial request then EOF: decided on the IP at once, not after peek_ms. */
	answer_clear();
	answer_add(EGRESS_ROUTE_REFUSE, NULL, 0);
	p = proxy_up(80, 5000, 0);
	fd = client(p);
	sock_io_sends(fd, "GET / HTTP/1.1" CRLF "Ho");
	shutdown(fd, SHUT_WR);
	records_wait(1);
	assert_int_equal(T.ncalls, 1);
	assert_int_equal(T.last.source, EGRESS_NAME_IP);
	close(fd);
	egress_proxy_stop(p);
}

/* Malformed names are refused, not guessed. */
static void
test_malformed_refused(void **state)
{
	struct egress_proxy	*p;
	int			 fd;

	answer_clear();
	answer_add(EGRESS_ROUTE_DIRECT, NULL, 0);
	p = proxy_up(80, 0, 0);
	fd = client(p);
	sock_io_sends(fd, "GET / HTTP/1.1" CRLF "Host: a.example" CRLF "Host: b.example" CRLF CRLF);
	expect_reset(fd);
	close(fd);
	records_wait(1);
	assert_string_equal(rec(0)->action, "refuse");
	assert_non_null(strstr(rec(0)->error, "two Host headers"));
	assert_int_equal(T.ncalls, 0);
	egress_proxy_stop(p);
}

static void
test_half_close(void **state)
{
	struct egress_proxy	*p;
	int			 fd;

	answer_clear();
	answer_add(EGRESS_ROUTE_DIRECT, NULL, 0);
	p = proxy_up(half_srv.port, 0, 0);
	fd = client(p);
	sock_io_sends(fd, "0123456789");
	sock_io_expect_quiet(fd, 100);
	shutdown(fd, SHUT_WR);
	sock_io_expect(fd, "got 10");
	sock_io_expect_eof(fd);
	close(fd);
	records_wait(1);
	assert_string_equal(rec(0)->action, "direct");
	assert_int_equal(rec(0)->bytes_out, 10);
	assert_int_equal(rec(0)->bytes_in, 6);
	assert_string_equal(rec(0)->error, "");
	egress_proxy_stop(p);
}

static void
test_peer_resets(void **state)
{
	struct egress_proxy	*p;
	struct linger		 l = { 1, 0 };
	int			 fd, i, end = -1;

	/* The destination resets: so does the client's connection. */
	answer_clear();
	answer_add(EGRESS_ROUTE_DIRECT, NULL, 0);
	p = proxy_up(reset_srv.port, 0, 0);
	fd = client(p);
	send_expect_reset(fd, "abc");
	close(fd);
	records_wait(1);
	assert_non_null(strstr(rec(0)->error, "destination"));
	assert_int_equal(rec(0)->bytes_out, 3);
	egress_proxy_stop(p);

	/* The client resets: so does the destination's connection. */
	answer_clear();
	answer_add(EGRESS_ROUTE_DIRECT, NULL, 0);
	p = proxy_up(watch_srv.port, 0, 0);
	fd = client(p);
	sock_io_sends(fd, "abc");
	sock_io_expect(fd, "abc");
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
	records_wait(1);
	for (i = 0; i < 200 && end < 0; i++) {
		pthread_mutex_lock(&T.mu);
		end = T.watch_end;
		pthread_mutex_unlock(&T.mu);
		usleep(10000);
	}
	assert_int_equal(end, ECONNRESET);
	assert_non_null(strstr(rec(0)->error, "client"));
	egress_proxy_stop(p);
}

/* Many connections of every kind: one record each, counters add up. */
static void
test_one_record_each(void **state)
{
	struct egress_proxy		*p;
	struct egress_proxy_stats	 st;
	int				 fds[20], i;

	answer_clear();
	answer_add(EGRESS_ROUTE_DIRECT, NULL, 0);
	p = proxy_up(echo_srv.port, 0, 0);
	for (i = 0; i < 20; i++) {
		fds[i] = client(p);
		sock_io_sends(fds[i], "x");
	}
	for (i = 0; i < 20; i++) {
		sock_io_expect(fds[i], "x");
		if (i % 2 == 0) {
			shutdown(fds[i], SHUT_WR);
			sock_io_expect_eof(fds[i]);
		}
		close(fds[i]);
	}
	records_wait(20);
	for (i = 0; i < 20; i++) {
		assert_int_equal(rec(i)->bytes_out, 1);
		assert_int_equal(rec(i)->bytes_in, 1);
	}
	egress_proxy_stats(p, &st);
	assert_int_equal(st.accepted, 20);
	assert_int_equal(st.direct, 20);
	assert_int_equal(st.open, 0);
	egress_proxy_stop(p);
}

static void
test_conns_max(void **state)
{
	struct egress_proxy		*p;
	struct egress_proxy_stats	 st;
	int				 a, b, c;

	answer_clear();
	answer_add(EGRESS_ROUTE_DIRECT, NULL, 0);
	p = proxy_up(echo_srv.port, 0, 2);
	a = client(p);
	b = client(p);
	sock_io_sends(a, "1");
	sock_io_sends(b, "2");
	sock_io_expect(a, "1");
	sock_io_expect(b, "2");
	c = client(p);
	expect_reset(c);
	records_wait(1);
	assert_string_equal(rec(0)->action, "refuse");
	assert_non_null(strstr(rec(0)->error, "over 2 connections"));
	close(a);
	records_wait(2);
	close(c);
	c = client(p);
	sock_io_sends(c, "3");
	sock_io_expect(c, "3");
	egress_proxy_stats(p, &st);
	assert_int_equal(st.open, 2);
	assert_int_equal(st.refused, 1);
	close(b);
	close(c);
	records_wait(4);
	egress_proxy_stop(p);
}

/* Stop with connections relaying and one still being decided: each reported. */
static void
test_stop_with_open(void **state)
{
	struct egress_proxy	*p;
	int			 fds[6], i, stopped = 0;

	answer_clear();
	answer_add(EGRESS_ROUTE_DIRECT, NULL, 0);
	p = proxy_up(echo_srv.port, 0, 0);
	for (i = 0; i < 5; i++) {
		fds[i] = client(p);
		sock_io_sends(fds[i], "y");
		sock_io_expect(fds[i], "y");
	}
	pthread_mutex_lock(&T.mu);
	T.delay_ms = 300;
	pthread_mutex_unlock(&T.mu);
	fds[5] = client(p);
	usleep(50000);
	egress_proxy_stop(p);
	pthread_mutex_lock(&T.mu);
	assert_int_equal(T.nrec, 6);
	for (i = 0; i < 6; i++)
		if (strcmp(T.recs[i].error, "proxy stopped") == 0)
			stopped++;
	pthread_mutex_unlock(&T.mu);
	assert_int_equal(stopped, 6);
	for (i = 0; i < 6; i++) {
		char	c;

		assert_true(recv(fds[i], &c, 1, 0) <= 0);
		close(fds[i]);
	}
}

/* ---- SO_ORIGINAL_DST in a network namespace of our own ---- */

static int
ns_run(const char *prog, char *const argv[])
{
	pid_t	pid;
	int	st;

	if ((pid = fork()) == 0) {
		execvp(prog, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* In the namespace, as the redirected uid: echo through 9999 on v4 and (if there) v6. */
static int
ns_client(bool v6)
{
	char	buf[8];
	int	fd;

	if (setgid(NS_UID) != 0 || setuid(NS_UID) != 0)
		return 10;
	if ((fd = connect_to(AF_INET, "127.0.0.1", NS_PORT)) < 0)
		return 11;
	send_all(fd, "ping4", 5);
	if (!recv_all(fd, buf, 5) || memcmp(buf, "ping4", 5) != 0)
		return 12;
	close(fd);
	if (!v6)
		return 0;
	if ((fd = connect_to(AF_INET6, "::1", NS_PORT)) < 0)
		return 13;
	send_all(fd, "ping6", 5);
	if (!recv_all(fd, buf, 5) || memcmp(buf, "ping6", 5) != 0)
		return 14;
	close(fd);
	return 0;
}

/* The child's whole test; 77 when the namespace or nft cannot be had. */
static int
ns_test(void)
{
	struct egress_proxy_opts	 o;
	struct egress_proxy		*p;
	struct server			 s4, s6;
	struct ifreq			 ifr;
	struct dw_err			 err;
	char				 rules[512], a[INET6_ADDRSTRLEN];
	char				*nft[] = { "nft", rules, NULL };
	bool				 v6;
	pid_t				 pid;
	int				 fd, st, i, r;

	if (unshare(CLONE_NEWNET) != 0)
		return 77;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		return 1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		return 2;
	close(fd);
	usleep(100000);	/* ::1 shows up after DAD-less configuration, not always at once */
	if (srv_start(&s4, AF_INET, "127.0.0.1", NS_PORT, srv_echo) != 0)
		return 3;
	v6 = srv_start(&s6, AF_INET6, "::1", NS_PORT, srv_echo) == 0;

	answer_clear();
	answer_add(EGRESS_ROUTE_DIRECT, NULL, 0);
	memset(&o, 0, sizeof(o));
	o.ops.decide = t_decide;
	o.ops.on_close = t_on_close;
	if (!v6)
		o.bind6 = "";
	if (egress_proxy_start(&o, &p, &err) != 0) {
		fprintf(stderr, "ns: %s\n", err.msg);
		return 4;
	}
	snprintf(rules, sizeof(rules), "add table inet dwtest; "
	    "add chain inet dwtest out { type nat hook output priority -100; policy accept; }; "
	    "add rule inet dwtest out meta skuid %d tcp dport %d redirect to :%u",
	    NS_UID, NS_PORT, egress_proxy_port(p));
	if ((r = ns_run("nft", nft)) != 0) {
		fprintf(stderr, "ns: nft exited %d\n", r);
		egress_proxy_stop(p);
		return r == 127 ? 77 : 5;
	}
	if ((pid = fork()) == 0)
		_exit(ns_client(v6));
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "ns: client exited %d\n", WEXITSTATUS(st));
		egress_proxy_stop(p);
		return 6;
	}
	egress_proxy_stop(p);
	/* What the proxy saw as the destination: 9999, not its own port. */
	if (T.ncalls != (v6 ? 2 : 1) || T.nrec != T.ncalls)
		return 7;
	for (i = 0; i < T.ncalls; i++) {
		inet_ntop(T.seen[i].ip.family, &T.seen[i].ip.u, a, sizeof(a));
		fprintf(stderr, "ns: original destination %s port %u\n", a, T.seen[i].port);
		if (T.seen[i].port != NS_PORT ||
		    strcmp(a, T.seen[i].ip.family == AF_INET ? "127.0.0.1" : "::1") != 0)
			return 8;
		if (strcmp(T.recs[i].action, "direct") != 0 || T.recs[i].bytes_in != 5)
			return 9;
	}
	return 0;
}

static void
test_orig_dst_netns(void **state)
{
	pid_t	pid;
	int	st;

	if (geteuid() != 0) {
		print_message("not root: the SO_ORIGINAL_DST test is skipped\n");
		skip();
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(ns_test());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77) {
		print_message("no network namespace or nft here: skipped\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* First: it forks before any thread of the other cases exists. */
		cmocka_unit_test(test_orig_dst_netns),
		cmocka_unit_test_setup(test_direct_echo_10mb, servers_start),
		cmocka_unit_test_setup(test_refuse_resets, servers_start),
		cmocka_unit_test_setup(test_proxy_connect_by_host, servers_start),
		cmocka_unit_test_setup(test_socks5_by_sni, servers_start),
		cmocka_unit_test_setup(test_route_fallback, servers_start),
		cmocka_unit_test_setup(test_peek_timeout, servers_start),
		cmocka_unit_test_setup(test_malformed_refused, servers_start),
		cmocka_unit_test_setup(test_half_close, servers_start),
		cmocka_unit_test_setup(test_peer_resets, servers_start),
		cmocka_unit_test_setup(test_one_record_each, servers_start),
		cmocka_unit_test_setup(test_conns_max, servers_start),
		cmocka_unit_test_setup(test_stop_with_open, servers_start),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
