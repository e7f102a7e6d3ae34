/*
 * api_listen: the gatekeeper's listener on a real socket, with a fake
 * policy and a fake engine: a connection is served through to the
 * engine; connections over the cap in all, and over one caller's share
 * (a caller other than host root), get a 503; stop removes the socket and
 * ends open connections; the socket cannot be the engine's; connection
 * threads are reused and exit when idle.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/api_listen.h"
#include "common/dw_sock.h"
#include "tests/unit/sock_io.h"

#define CRLF		"\r\n"
#define PING		"GET /_ping HTTP/1.1" CRLF "Host: d" CRLF CRLF
#define OK_PING		"HTTP/1.1 200 OK" CRLF "Content-Length: 2" CRLF CRLF "OK"
#define REFUSED		"HTTP/1.1 503 Service Unavailable" CRLF

static char	dir[64], gate_path[128], engine_path[128];
/* The threads that decided requests, in order (test_threads_reused). */
static pid_t	deciders[64];
static unsigned	ndeciders;

static void
fake_identify(void *ctx, struct api_gate_caller *caller)
{
	(void)ctx;
	(void)caller;
}

static void
fake_decide(void *ctx, const struct api_gate_caller *caller, const struct authz_request *req,
    struct authz_decision *d)
{
	unsigned	i;

	(void)ctx;
	(void)caller;
	(void)req;
	i = __atomic_fetch_add(&ndeciders, 1, __ATOMIC_SEQ_CST);
	if (i < sizeof(deciders) / sizeof(deciders[0]))
		deciders[i] = gettid();
	d->verdict = AUTHZ_ALLOW;
	d->rule = "allow";
}

static void
fake_record(void *ctx, const struct api_gate_caller *caller, const struct authz_request *req,
    const struct authz_decision *d)
{
	(void)ctx;
	(void)caller;
	(void)req;
	(void)d;
}

static void
fake_audit(void *ctx, const struct api_gate_caller *caller, const struct authz_request *req,
    const struct authz_decision *d, uint64_t decide_ns)
{
	(void)ctx;
	(void)caller;
	(void)req;
	(void)d;
	(void)decide_ns;
}

static const struct api_gate_ops ops = { .identify = fake_identify,
	.decide = fake_decide, .audit = fake_audit, .record = fake_record };

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_api_listen.XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) < 0)
		return -1;
	snprintf(gate_path, sizeof(gate_path), "%s/docker.sock", dir);
	snprintf(engine_path, sizeof(engine_path), "%s/engine.sock", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(gate_path);
	unlink(engine_path);
	return rmdir(dir);
}

static struct api_listen *
start_idle(unsigned max_conns, unsigned per_caller, int thread_idle_s)
{
	struct api_listen_opts	opts = { .socket_path = gate_path, .mode = 0666,
	    .gid = (gid_t)-1, .max_conns = max_conns, .max_conns_per_caller = per_caller,
	    .thread_idle_s = thread_idle_s,
	    .gate = { .engine_socket = engine_path, .head_timeout_s = 5,
	    .idle_timeout_s = 5, .spool_dir = dir } };
	struct api_listen	*l;
	struct dw_err		 err;

	err.msg[0] = '\0';
	if ((l = api_listen_start(&opts, &ops, &err)) == NULL)
		fail_msg("api_listen_start: %s", err.msg);
	return l;
}

static struct api_listen *
start(unsigned max_conns, unsigned per_caller)
{
	return start_idle(max_conns, per_caller, 0);
}

/* The threads of this process. */
static unsigned
threads(void)
{
	char		 line[256];
	unsigned	 n = 0;
	FILE		*f;

	assert_non_null(f = fopen("/proc/self/status", "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Threads: %u", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* Wait (up to 5 s) until the process has n threads. */
static void
threads_wait(unsigned n)
{
	int	i;

	for (i = 0; i < 500 && threads() != n; i++)
		usleep(10000);
	assert_int_equal(threads(), n);
}

/* Read an answer that starts with status and holds text, then EOF. */
static void
expect_answer(int fd, const char *status, const char *text)
{
	char	buf[4096];
	bool	eof;

	sock_io_read(fd, buf, sizeof(buf) - 1, SOCK_IO_WAIT_MS, &eof);
	if (strncmp(buf, status, strlen(status)) != 0 || strstr(buf, text) == NULL || !eof)
		fail_msg("expected %s... \"%s\" then EOF, got \"%s\"", status, text, buf);
}

/* A connection is served through to the engine, and stop ends it and removes the socket. */
static void
test_serve_and_stop(void **state)
{
	struct api_listen	*l;
	struct dw_err		 err;
	struct stat		 st;
	int			 el, c, e;

	(void)state;
	assert_true((el = dw_sock_listen(engine_path, 0600, &err)) >= 0);
	l = start(0, 0);
	assert_true((c = dw_sock_connect(gate_path)) >= 0);
	sock_io_sends(c, PING);
	assert_true((e = accept(el, NULL, NULL)) >= 0);
	sock_io_expect(e, PING);
	sock_io_sends(e, OK_PING);
	sock_io_expect(c, OK_PING);
	api_listen_stop(l);
	sock_io_expect_eof(c);
	assert_int_equal(lstat(gate_path, &st), -1);
	close(c);
	close(e);
	close(el);
}

/* Over max_conns in all: 503, even for host root. */
static void
test_cap_total(void **state)
{
	struct api_listen	*l;
	int			 c[3], i;

	(void)state;
	l = start(2, 0);
	for (i = 0; i < 3; i++)
		assert_true((c[i] = dw_sock_connect(gate_path)) >= 0);
	sock_io_sends(c[2], PING);
	expect_answer(c[2], REFUSED, "too many connections to the Docker socket (2 open");
	/* The first two hold their slots. */
	sock_io_expect_quiet(c[0], 50);
	sock_io_expect_quiet(c[1], 50);
	for (i = 0; i < 3; i++)
		close(c[i]);
	api_listen_stop(l);
}

/*
 * Over one caller's share: 503 for the next connection of that caller.
 * Host root is not held to a share: the clients run as nobody then.
 */
static void
test_cap_per_caller(void **state)
{
	struct api_listen	*l;
	pid_t			 pid;
	int			 st, ready[2];

	(void)state;
	/*
	 * Fork before the listener exists and let the child wait for it: a
	 * child forked later would hold a copy of it that it cannot free,
	 * which valgrind (make check-valgrind) reports as lost.
	 */
	assert_int_equal(pipe(ready), 0);
	if ((pid = fork()) == 0) {
		char	buf[4096];
		bool	eof;
		int	c[3], i;

		close(ready[1]);
		if (read(ready[0], buf, 1) != 1)
			_exit(6);
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(2);
		for (i = 0; i < 3; i++)
			if ((c[i] = dw_sock_connect(gate_path)) < 0)
				_exit(3);
		if (send(c[2], PING, strlen(PING), MSG_NOSIGNAL) < 0)
			_exit(4);
		sock_io_read(c[2], buf, sizeof(buf) - 1, SOCK_IO_WAIT_MS, &eof);
		if (strncmp(buf, REFUSED, strlen(REFUSED)) != 0 ||
		    strstr(buf, "from this caller") == NULL || !eof)
			_exit(5);
		_exit(0);
	}
	assert_true(pid > 0);
	close(ready[0]);
	l = start(0, 2);
	assert_int_equal(write(ready[1], "g", 1), 1);
	close(ready[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	api_listen_stop(l);
}

/*
 * One connection after another: the thread that served the first serves
 * the next ones (no thread per connection), and exits once no connection
 * came for thread_idle_s.
 */
static void
test_threads_reused(void **state)
{
	struct api_listen	*l;
	struct dw_err		 err;
	unsigned		 base, i, same = 0;
	int			 el, c, e = -1;

	(void)state;
	assert_true((el = dw_sock_listen(engine_path, 0600, &err)) >= 0);
	/* The threads of the earlier tests' listeners are gone: the test's own is left. */
	base = 1;
	threads_wait(base);
	l = start_idle(0, 0, 1);
	threads_wait(base + 1);		/* the acceptor */
	ndeciders = 0;
	for (i = 0; i < 10; i++) {
		assert_true((c = dw_sock_connect(gate_path)) >= 0);
		sock_io_sends(c, PING);
		/* The engine connection goes back to the pool between client connections. */
		if (e < 0)
			assert_true((e = accept(el, NULL, NULL)) >= 0);
		sock_io_expect(e, PING);
		sock_io_sends(e, OK_PING);
		sock_io_expect(c, OK_PING);
		close(c);
		threads_wait(base + 2);	/* the acceptor and one connection thread */
		usleep(20000);		/* which is waiting for the next connection */
	}
	assert_int_equal(ndeciders, 10);
	for (i = 1; i < 10; i++)
		same += deciders[i] == deciders[0];
	/* Not one thread per connection (allow one hand-over that raced the thread's end). */
	if (same < 8)
		fail_msg("%u of 10 connections were served by the first one's thread", same + 1);
	/* Idle for thread_idle_s: the connection thread exits. */
	threads_wait(base + 1);
	api_listen_stop(l);
	threads_wait(base);
	close(e);
	close(el);
}

/*
 * Connection threads' stacks: the listener maps them itself (api_listen.c,
 * listen_worker), a whole DW_GATE_THREAD_STACK read-write above its guard
 * page (glibc's own stacks of that size hold their guard inside).
 */
static unsigned
stacks_mapped(void)
{
	unsigned long	 a, b;
	unsigned	 n = 0;
	char		 line[512], perm[8];
	FILE		*f;

	assert_non_null(f = fopen("/proc/self/maps", "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%lx-%lx %7s", &a, &b, perm) == 3 &&
		    b - a == DW_GATE_THREAD_STACK && strncmp(perm, "rw", 2) == 0)
			n++;
	fclose(f);
	return n;
}

/* Wait (up to 5 s) until n stacks are mapped. */
static void
stacks_wait(unsigned n)
{
	int	i;

	for (i = 0; i < 500 && stacks_mapped() != n; i++)
		usleep(10000);
	assert_int_equal(stacks_mapped(), n);
}

/*
 * A burst of connections served at once, then closed: only
 * threads_idle_max of their threads stay waiting for the next one; the
 * others exit at once (not after thread_idle_s), their stacks released.
 */
static void
test_threads_idle_capped(void **state)
{
	struct api_listen_opts	 opts = { .socket_path = gate_path, .mode = 0666,
	    .gid = (gid_t)-1, .thread_idle_s = 60, .threads_idle_max = 2,
	    .gate = { .engine_socket = engine_path, .head_timeout_s = 5,
	    .idle_timeout_s = 5, .spool_dir = dir } };
	struct api_listen	*l;
	struct dw_err		 err;
	unsigned		 base = 1, i, maps;
	int			 el, c[6], e[6];

	(void)state;
	assert_true((el = dw_sock_listen(engine_path, 0600, &err)) >= 0);
	threads_wait(base);
	maps = stacks_mapped();		/* mappings of that shape that are not stacks */
	err.msg[0] = '\0';
	if ((l = api_listen_start(&opts, &ops, &err)) == NULL)
		fail_msg("api_listen_start: %s", err.msg);
	threads_wait(base + 1);		/* the acceptor */
	/* Six connections at once, each on its own thread and engine connection. */
	for (i = 0; i < 6; i++) {
		assert_true((c[i] = dw_sock_connect(gate_path)) >= 0);
		sock_io_sends(c[i], PING);
		assert_true((e[i] = accept(el, NULL, NULL)) >= 0);
		sock_io_expect(e[i], PING);
	}
	threads_wait(base + 1 + 6);
	stacks_wait(maps + 6);
	for (i = 0; i < 6; i++) {
		sock_io_sends(e[i], OK_PING);
		sock_io_expect(c[i], OK_PING);
	}
	for (i = 0; i < 6; i++)
		close(c[i]);
	/* Two wait for the next connection (for 60 s); four are gone now, stacks too. */
	threads_wait(base + 1 + 2);
	stacks_wait(maps + 2);
	api_listen_stop(l);
	threads_wait(base);
	assert_int_equal(stacks_mapped(), maps);
	for (i = 0; i < 6; i++)
		close(e[i]);
	close(el);
}

/* The gatekeeper cannot listen on the engine's own socket. */
static void
test_same_socket(void **state)
{
	struct api_listen_opts	opts = { .socket_path = engine_path, .mode = 0660,
	    .gid = (gid_t)-1, .gate = { .engine_socket = engine_path } };
	struct dw_err		err;

	(void)state;
	err.msg[0] = '\0';
	assert_null(api_listen_bind(&opts, &ops, &err));
	assert_non_null(strstr(err.msg, "give dockerd its own socket"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_and_stop),
		cmocka_unit_test(test_cap_total),
		cmocka_unit_test(test_cap_per_caller),
		cmocka_unit_test(test_same_socket),
		cmocka_unit_test(test_threads_reused),
		cmocka_unit_test(test_threads_idle_capped),
	};

	signal(SIGPIPE, SIG_IGN);
	alarm(120);
	return cmocka_run_group_tests_name("api_listen", tests, setup, teardown);
}
