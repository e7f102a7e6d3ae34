/*
 * Unit tests for api_engine: the pool of kept engine connections (a dead
 * one - closed by the engine, or with bytes nobody asked for - is never
 * handed out; an expired one neither; the oldest goes when full; nothing is
 * kept once closed) and the lookups against a fake engine on a unix
 * socket: Content-Length and chunked answers, 404, one connection reused
 * across calls, a connection the engine closed replaced without a failed
 * call, Connection: close honoured, oversized and malformed answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/api_engine.h"
#include "common/dw_limits.h"
#include "common/dw_sock.h"

#define SRV_CONNS	16

/* The fake engine: one thread, every connection polled. */
struct srv {
	char		 dir[64];
	char		 path[128];
	int		 lfd;
	int		 wake[2];	/* a byte: stop */
	pthread_t	 t;
	pthread_mutex_t	 lock;
	int		 conns[SRV_CONNS];
	char		 req[SRV_CONNS][4096];
	size_t		 reqlen[SRV_CONNS];
	unsigned	 accepted;	/* connections that carried a request */
	bool		 asked[SRV_CONNS];	/* this one did */
};

static struct srv	srv;

static void
srv_send(int fd, const char *s)
{
	(void)dw_sock_write_all(fd, s, strlen(s));
}

/* Answer one request (its head in req) on fd; false: close fd after. */
static bool
srv_answer(int fd, const char *req)
{
	static char	big[64 * 1024];
	size_t		sent;

	if (strncmp(req, "GET /ok ", 8) == 0) {
		srv_send(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		    "Content-Length: 8\r\n\r\n{\"a\":1}\n");
		return true;
	}
	if (strncmp(req, "GET /chunked ", 13) == 0) {
		srv_send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "4\r\n{\"b\"\r\n3\r\n:2}\r\n0\r\n\r\n");
		return true;
	}
	if (strncmp(req, "GET /list ", 10) == 0) {
		srv_send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]");
		return true;
	}
	if (strncmp(req, "GET /missing ", 13) == 0) {
		srv_send(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 22\r\n\r\n"
		    "{\"message\":\"missing\"}\n");
		return true;
	}
	if (strncmp(req, "GET /close ", 11) == 0) {
		srv_send(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n"
		    "Content-Length: 8\r\n\r\n{\"c\":3}\n");
		return false;
	}
	if (strncmp(req, "GET /eof ", 9) == 0) {
		srv_send(fd, "HTTP/1.1 200 OK\r\n\r\n{\"d\":4}");
		return false;
	}
	if (strncmp(req, "GET /extra ", 11) == 0) {
		srv_send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}junk");
		return true;
	}
	if (strncmp(req, "GET /bighead ", 13) == 0) {
		char	head[128];

		/* Refused on its Content-Length alone: no body follows. */
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: "
		    "%d\r\n\r\n", DW_ENGINE_RESP_MAX + 1);
		srv_send(fd, head);
		return true;
	}
	if (strncmp(req, "GET /big ", 9) == 0) {
		char	head[128];

		/* Chunked: the size shows only as the body grows. */
		srv_send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
		memset(big, ' ', sizeof(big));
		snprintf(head, sizeof(head), "%zx\r\n", sizeof(big));
		for (sent = 0; sent <= (size_t)DW_ENGINE_RESP_MAX; sent += sizeof(big))
			if (send(fd, head, strlen(head), MSG_NOSIGNAL) < 0 ||
			    send(fd, big, sizeof(big), MSG_NOSIGNAL) < 0 ||
			    send(fd, "\r\n", 2, MSG_NOSIGNAL) < 0)
				break;
		return false;
	}
	if (strncmp(req, "GET /notjson ", 13) == 0) {
		srv_send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n\"s\"");
		return true;
	}
	srv_send(fd, "HTTX garbage\r\n\r\n");
	return false;
}

static void *
srv_run(void *arg)
{
	struct pollfd	pfd[SRV_CONNS + 2];
	char		*end;
	ssize_t		n;
	size_t		i;
	int		fd;

	(void)arg;
	for (;;) {
		pfd[0].fd = srv.wake[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = srv.lfd;
		pfd[1].events = POLLIN;
		pthread_mutex_lock(&srv.lock);
		for (i = 0; i < SRV_CONNS; i++) {
			pfd[i + 2].fd = srv.conns[i];
			pfd[i + 2].events = POLLIN;
		}
		pthread_mutex_unlock(&srv.lock);
		if (poll(pfd, SRV_CONNS + 2, -1) < 0)
			continue;
		if (pfd[0].revents)
			break;
		pthread_mutex_lock(&srv.lock);
		if (pfd[1].revents && (fd = accept(srv.lfd, NULL, NULL)) >= 0) {
			for (i = 0; i < SRV_CONNS && srv.conns[i] >= 0; i++)
				;
			if (i < SRV_CONNS) {
				srv.conns[i] = fd;
				srv.reqlen[i] = 0;
				srv.asked[i] = false;
			} else
				close(fd);
		}
		for (i = 0; i < SRV_CONNS; i++) {
			if (srv.conns[i] < 0 || pfd[i + 2].fd != srv.conns[i] ||
			    pfd[i + 2].revents == 0)
				continue;
			n = recv(srv.conns[i], srv.req[i] + srv.reqlen[i],
			    sizeof(srv.req[i]) - 1 - srv.reqlen[i], 0);
			if (n <= 0) {
				close(srv.conns[i]);
				srv.conns[i] = -1;
				continue;
			}
			srv.reqlen[i] += (size_t)n;
			srv.req[i][srv.reqlen[i]] = '\0';
			if ((end = strstr(srv.req[i], "\r\n\r\n")) == NULL)
				continue;
			if (!srv.asked[i])
				srv.accepted++;
			srv.asked[i] = true;
			if (!srv_answer(srv.conns[i], srv.req[i])) {
				close(srv.conns[i]);
				srv.conns[i] = -1;
			}
			srv.reqlen[i] = 0;
		}
		pthread_mutex_unlock(&srv.lock);
	}
	return NULL;
}

/* The engine drops every open connection (as an idle timeout would). */
static void
srv_drop_all(void)
{
	size_t	i;

	pthread_mutex_lock(&srv.lock);
	for (i = 0; i < SRV_CONNS; i++)
		if (srv.conns[i] >= 0)
			shutdown(srv.conns[i], SHUT_RDWR);
	pthread_mutex_unlock(&srv.lock);
}

static unsigned
srv_accepted(void)
{
	unsigned	n;

	pthread_mutex_lock(&srv.lock);
	n = srv.accepted;
	pthread_mutex_unlock(&srv.lock);
	return n;
}

static int
srv_start(void **state)
{
	size_t	i;

	(void)state;
	snprintf(srv.dir, sizeof(srv.dir), "/tmp/test_api_engine.XXXXXX");
	if (mkdtemp(srv.dir) == NULL)
		return -1;
	snprintf(srv.path, sizeof(srv.path), "%s/engine.sock", srv.dir);
	if ((srv.lfd = dw_sock_listen(srv.path, 0600, NULL)) < 0 ||
	    pipe(srv.wake) != 0)
		return -1;
	pthread_mutex_init(&srv.lock, NULL);
	for (i = 0; i < SRV_CONNS; i++)
		srv.conns[i] = -1;
	return pthread_create(&srv.t, NULL, srv_run, NULL);
}

static int
srv_stop(void **state)
{
	size_t	i;

	(void)state;
	(void)!write(srv.wake[1], "x", 1);
	pthread_join(srv.t, NULL);
	for (i = 0; i < SRV_CONNS; i++)
		if (srv.conns[i] >= 0)
			close(srv.conns[i]);
	close(srv.lfd);
	close(srv.wake[0]);
	close(srv.wake[1]);
	unlink(srv.path);
	rmdir(srv.dir);
	return 0;
}

/* Is fd open? */
static bool
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/*
 * The pool: a connection whose far end closed, or that has bytes waiting,
 * is closed instead of handed out; a live one is; one older than
 * DW_ENGINE_IDLE_MAX_MS is closed; with nothing usable a new connection
 * is made.
 */
static void
test_pool_checks(void **state)
{
	struct api_engine_pool	pool;
	bool			pooled;
	char			ch;
	int			a[2], b[2], c[2], fd;

	(void)state;
	assert_int_equal(api_engine_pool_init(&pool, 4), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, c), 0);
	assert_true(api_engine_conn_idle(a[0]));

	/* Put a live one first, then two dead ones (newest out first). */
	api_engine_pool_put(&pool, a[0]);
	api_engine_pool_put(&pool, b[0]);
	api_engine_pool_put(&pool, c[0]);
	close(b[1]);				/* the engine closed it */
	assert_int_equal(send(c[1], "H", 1, 0), 1);	/* an answer nobody asked for */
	assert_false(api_engine_conn_idle(b[0]));
	assert_false(api_engine_conn_idle(c[0]));
	fd = api_engine_pool_get(&pool, srv.path, &pooled);
	assert_true(pooled);
	assert_int_equal(fd, a[0]);
	assert_int_equal(pool.dead, 2);
	assert_false(fd_open(b[0]));
	assert_false(fd_open(c[0]));

	/* Expired: put back, then made older than the limit. */
	api_engine_pool_put(&pool, fd);
	assert_int_equal(pool.n, 1);
	pool.idle[0].since.tv_sec -= DW_ENGINE_IDLE_MAX_MS / 1000 + 1;
	fd = api_engine_pool_get(&pool, srv.path, &pooled);
	assert_false(pooled);			/* a new one, to the fake engine */
	assert_true(fd >= 0);
	assert_int_equal(pool.expired, 1);
	assert_int_equal(recv(a[1], &ch, 1, MSG_DONTWAIT), 0);	/* closed */
	close(fd);
	close(a[1]);
	close(c[1]);

	/* Nothing to connect to: the error. */
	fd = api_engine_pool_get(&pool, "/nonexistent/engine.sock", &pooled);
	assert_true(fd < 0);
	assert_false(pooled);
	api_engine_pool_clear(&pool);
}

/* Full: the oldest is closed; closed: nothing is kept. */
static void
test_pool_bounds(void **state)
{
	struct api_engine_pool	pool;
	int			sp[5][2], i, fd;
	bool			pooled;

	(void)state;
	assert_int_equal(api_engine_pool_init(&pool, 4), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp[i]), 0);
	for (i = 0; i < 5; i++)
		api_engine_pool_put(&pool, sp[i][0]);
	assert_int_equal(pool.n, 4);
	assert_false(fd_open(sp[0][0]));
	fd = api_engine_pool_get(&pool, srv.path, &pooled);
	assert_true(pooled);
	assert_int_equal(fd, sp[4][0]);
	api_engine_pool_close(&pool);
	assert_int_equal(pool.n, 0);
	for (i = 1; i < 4; i++)
		assert_false(fd_open(sp[i][0]));
	api_engine_pool_put(&pool, fd);		/* closed: not kept */
	assert_int_equal(pool.n, 0);
	assert_false(fd_open(fd));
	for (i = 0; i < 5; i++)
		close(sp[i][1]);
	api_engine_pool_clear(&pool);
	/* A pool of zero keeps nothing. */
	assert_int_equal(api_engine_pool_init(&pool, 0), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp[0]), 0);
	api_engine_pool_put(&pool, sp[0][0]);
	assert_int_equal(pool.n, 0);
	assert_false(fd_open(sp[0][0]));
	close(sp[0][1]);
	api_engine_pool_clear(&pool);
}

/*
 * Lookups: answers of every framing parse, one connection carries them
 * all, and a connection the engine dropped is replaced before the call
 * (never written to).
 */
static void
test_get_json(void **state)
{
	struct api_engine	*e;
	struct api_engine_pool	*pool;
	struct dw_err		 err;
	json_t			*j;
	unsigned		 before;

	(void)state;
	assert_non_null(e = api_engine_new(srv.path));
	pool = api_engine_pool(e);
	before = srv_accepted();
	assert_int_equal(api_engine_get_json(e, "/ok", &j, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
	json_decref(j);
	assert_int_equal(api_engine_get_json(e, "/chunked", &j, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "b")), 2);
	json_decref(j);
	assert_int_equal(api_engine_get_json(e, "/list", &j, &err), 0);
	assert_true(json_is_array(j));
	json_decref(j);
	assert_int_equal(api_engine_get_json(e, "/missing", &j, &err), -ENOENT);
	assert_int_equal(api_engine_container_inspect(e, "x y", &j, &err),
	    -EPROTO);	/* "/v1.24/containers/x%20y/json": the fake's garbage */
	assert_int_equal(srv_accepted() - before, 1);	/* all on one */
	assert_int_equal(pool->n, 0);

	/* Reuse, then the engine drops it: the next call does not notice. */
	assert_int_equal(api_engine_get_json(e, "/ok", &j, &err), 0);
	json_decref(j);
	assert_int_equal(pool->n, 1);
	before = srv_accepted();
	srv_drop_all();
	assert_int_equal(api_engine_get_json(e, "/ok", &j, &err), 0);
	json_decref(j);
	assert_int_equal(pool->dead, 1);
	assert_int_equal(srv_accepted() - before, 1);

	/* Connection: close and read-to-EOF answers are not kept. */
	assert_int_equal(api_engine_get_json(e, "/close", &j, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "c")), 3);
	json_decref(j);
	assert_int_equal(pool->n, 0);
	assert_int_equal(api_engine_get_json(e, "/eof", &j, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "d")), 4);
	json_decref(j);
	assert_int_equal(pool->n, 0);
	/* Bytes after the answer: answered, connection not kept. */
	assert_int_equal(api_engine_get_json(e, "/extra", &j, &err), 0);
	json_decref(j);
	assert_int_equal(pool->n, 0);

	/* Refusals. */
	assert_int_equal(api_engine_get_json(e, "/bighead", &j, &err), -E2BIG);
	assert_int_equal(api_engine_get_json(e, "/big", &j, &err), -E2BIG);
	assert_int_equal(api_engine_get_json(e, "/garbage", &j, &err), -EPROTO);
	assert_int_equal(api_engine_get_json(e, "/notjson", &j, &err), -EPROTO);
	assert_int_equal(api_engine_get_json(e, "/a b", &j, &err), -EINVAL);
	assert_int_equal(api_engine_get_json(e, "/a\r\nX: y", &j, &err), -EINVAL);
	api_engine_free(e);
	api_engine_free(NULL);

	/* No engine. */
	assert_non_null(e = api_engine_new("/nonexistent/engine.sock"));
	assert_int_equal(api_engine_get_json(e, "/ok", &j, &err), -EIO);
	api_engine_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_checks),
		cmocka_unit_test(test_pool_bounds),
		cmocka_unit_test(test_get_json),
	};

	return cmocka_run_group_tests(tests, srv_start, srv_stop);
}
