/*
 * dw_sock: listening on a unix socket path (directories made, a stale
 * socket replaced, never another file, the mode applied, a path too
 * long), connecting to it, and writing more than a socket buffer holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/dw_sock.h"

static char	dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_dw_sock.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char	cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Listen in directories that do not exist yet, with the mode asked for; connect. */
static void
test_listen_connect(void **state)
{
	struct dw_err	err;
	struct stat	st;
	char		path[PATH_MAX];
	int		l, c, a;

	(void)state;
	snprintf(path, sizeof(path), "%s/a/b/x.sock", dir);
	assert_true((l = dw_sock_listen(path, 0640, &err)) >= 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_true(fcntl(l, F_GETFD) & FD_CLOEXEC);
	assert_true((c = dw_sock_connect(path)) >= 0);
	assert_true((a = accept(l, NULL, NULL)) >= 0);
	assert_int_equal(dw_sock_write_all(c, "hi", 2), 0);
	{
		char	buf[2];

		assert_int_equal(recv(a, buf, 2, MSG_WAITALL), 2);
		assert_memory_equal(buf, "hi", 2);
	}
	close(a);
	close(c);
	/* A stale socket (nobody listens any more) is replaced. */
	close(l);
	assert_int_equal(dw_sock_connect(path), -ECONNREFUSED);
	assert_true((l = dw_sock_listen(path, 0600, &err)) >= 0);
	assert_true((c = dw_sock_connect(path)) >= 0);
	close(c);
	close(l);
}

/* Never another kind of file; a path that does not fit a sockaddr_un; no socket there. */
static void
test_listen_refusals(void **state)
{
	struct dw_err	err;
	char		path[PATH_MAX], lng[200];
	FILE		*f;

	(void)state;
	snprintf(path, sizeof(path), "%s/file", dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	err.msg[0] = '\0';
	assert_int_equal(dw_sock_listen(path, 0600, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "is not a socket"));
	memset(lng, 'a', sizeof(lng) - 1);
	lng[0] = '/';
	lng[sizeof(lng) - 1] = '\0';
	assert_int_equal(dw_sock_listen(lng, 0600, &err), -ENAMETOOLONG);
	assert_non_null(strstr(err.msg, "too long"));
	assert_int_equal(dw_sock_connect(lng), -ENAMETOOLONG);
	snprintf(path, sizeof(path), "%s/none.sock", dir);
	assert_int_equal(dw_sock_connect(path), -ENOENT);
}

static void *
drain_main(void *arg)
{
	int	fd = *(int *)arg;
	char	buf[65536];
	size_t	total = 0;
	ssize_t	n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		total += (size_t)n;
	return (void *)total;
}

/* More than a socket buffer goes out whole, even on a non-blocking socket. */
static void
test_write_all(void **state)
{
	const size_t	 len = 4 * 1024 * 1024;
	pthread_t	 t;
	void		*got;
	char		*buf;
	int		 sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	assert_non_null(buf = calloc(1, len));
	assert_int_equal(pthread_create(&t, NULL, drain_main, &sv[1]), 0);
	assert_int_equal(dw_sock_write_all(sv[0], buf, len), 0);
	close(sv[0]);
	pthread_join(t, &got);
	assert_int_equal((size_t)got, len);
	/* The peer is gone: -EPIPE, and no SIGPIPE. */
	assert_int_equal(dw_sock_write_all(sv[1], "x", 1), -EPIPE);
	close(sv[1]);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_connect),
		cmocka_unit_test(test_listen_refusals),
		cmocka_unit_test(test_write_all),
	};

	return cmocka_run_group_tests_name("dw_sock", tests, setup, teardown);
}
