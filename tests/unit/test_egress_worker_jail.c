/*
 * Unit tests for egress_worker_jail: a child that entered the jail can
 * read and write its socket, allocate memory and read the clock, and dies
 * of SIGSYS on anything else (another descriptor, open, getpid, socket,
 * fork, an executable mapping); /proc shows it under seccomp with
 * no_new_privs, without the descriptors it inherited, with RLIMIT_CPU
 * and no core dumps, and as nobody when the test runs as root.
 * Skipped under valgrind, whose own system calls the filter would kill.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND	0
#endif

#include "egress/egress_worker_jail.h"

enum probe {
	PROBE_ALLOWED = 0,	/* socket I/O, memory, clock: exits 0 */
	PROBE_OTHER_FD,		/* write(2) */
	PROBE_OPEN,
	PROBE_GETPID,
	PROBE_SOCKET,
	PROBE_FORK,
	PROBE_MMAP_EXEC,
	PROBE_MPROTECT_EXEC,
	PROBE_FILE_MMAP,
	PROBE_WAIT,		/* waits on the socket: the parent looks at /proc */
};

/* In the child, after the jail: do what probe says. */
static void __attribute__((noreturn))
probe_run(int fd, enum probe probe, int devnull)
{
	struct timespec	 ts;
	char		 c;
	char		*big;
	void		*m;

	switch (probe) {
	case PROBE_ALLOWED:
		big = malloc(8u << 20);		/* mmap */
		if (big == NULL)
			_exit(10);
		memset(big, 1, 8u << 20);
		free(big);
		big = malloc(100);		/* brk */
		if (big == NULL)
			_exit(11);
		free(big);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		clock_gettime(CLOCK_REALTIME, &ts);
		if (write(fd, "ok", 2) != 2 || read(fd, &c, 1) != 1 || c != 'x')
			_exit(12);
		_exit(0);
	case PROBE_OTHER_FD:
		(void)write(2, "x", 1);
		break;
	case PROBE_OPEN:
		(void)open("/etc/hostname", O_RDONLY);
		break;
	case PROBE_GETPID:
		(void)syscall(SYS_getpid);
		break;
	case PROBE_SOCKET:
		(void)socket(AF_INET, SOCK_STREAM, 0);
		break;
	case PROBE_FORK:
		(void)syscall(SYS_fork);
		break;
	case PROBE_MMAP_EXEC:
		(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	case PROBE_MPROTECT_EXEC:
		m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(13);
		(void)mprotect(m, 4096, PROT_READ | PROT_EXEC);
		break;
	case PROBE_FILE_MMAP:
		/* devnull was closed by the jail; any fd-backed mapping is refused first. */
		(void)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, devnull, 0);
		break;
	case PROBE_WAIT:
		if (write(fd, "w", 1) != 1 || read(fd, &c, 1) != 1)
			_exit(14);
		_exit(0);
	}
	_exit(99);	/* the call came back: the filter let it through */
}

/* Fork a jailed child running probe; *ret_fd is our end of its socket. */
static pid_t
jailed_child(enum probe probe, int *ret_fd)
{
	int	sv[2], devnull;
	pid_t	pid, parent = getpid();

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* A descriptor the child must not keep. */
	devnull = open("/dev/null", O_RDONLY);
	assert_true(devnull > 3);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct egress_worker_jail j = {
			.fd = sv[1], .uid = EGRESS_WORKER_NOBODY, .gid = EGRESS_WORKER_NOBODY,
			.mem_max = 32u << 20, .parent = parent,
		};
		int fd = egress_worker_jail_enter(&j);

		if (fd != EGRESS_WORKER_JAIL_FD)
			_exit(98);
		probe_run(fd, probe, devnull);
	}
	close(sv[1]);
	close(devnull);
	*ret_fd = sv[0];
	return pid;
}

static int
wait_status(pid_t pid)
{
	int	st;

	while (waitpid(pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	return st;
}

static void
test_allowed(void **state)
{
	char	buf[2];
	int	fd, st;
	pid_t	pid;

	(void)state;
	if (RUNNING_ON_VALGRIND)
		skip();
	pid = jailed_child(PROBE_ALLOWED, &fd);
	assert_int_equal(read(fd, buf, 2), 2);
	assert_memory_equal(buf, "ok", 2);
	assert_int_equal(write(fd, "x", 1), 1);
	st = wait_status(pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("allowed calls: status %#x", st);
	close(fd);
}

static void
test_forbidden(void **state)
{
	static const struct {
		enum probe	 probe;
		const char	*what;
	} cases[] = {
		{ PROBE_OTHER_FD, "write to stderr" },
		{ PROBE_OPEN, "open" },
		{ PROBE_GETPID, "getpid" },
		{ PROBE_SOCKET, "socket" },
		{ PROBE_FORK, "fork" },
		{ PROBE_MMAP_EXEC, "executable mmap" },
		{ PROBE_MPROTECT_EXEC, "mprotect to executable" },
		{ PROBE_FILE_MMAP, "mmap of a file" },
	};
	size_t	i;
	int	fd, st;
	pid_t	pid;

	(void)state;
	if (RUNNING_ON_VALGRIND)
		skip();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid = jailed_child(cases[i].probe, &fd);
		st = wait_status(pid);
		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
			fail_msg("%s: status %#x, want death by SIGSYS", cases[i].what, st);
		close(fd);
	}
}

/* One "Key:\tvalue" line of /proc/PID/status. */
static void
proc_status(pid_t pid, const char *key, char *val, size_t sz)
{
	char	 path[64], line[256];
	FILE	*f;
	size_t	 kl = strlen(key);

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	assert_non_null(f = fopen(path, "r"));
	val[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			snprintf(val, sz, "%s", line + kl + 1 + strspn(line + kl + 1, " \t"));
			val[strcspn(val, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

static void
test_proc_view(void **state)
{
	char		 val[128], path[64], line[256];
	struct dirent	*de;
	DIR		*d;
	FILE		*f;
	int		 fd, nfd = 0, cpu = 0, core = 0;
	pid_t		 pid;

	(void)state;
	if (RUNNING_ON_VALGRIND)
		skip();
	pid = jailed_child(PROBE_WAIT, &fd);
	assert_int_equal(read(fd, val, 1), 1);	/* jailed and waiting */

	proc_status(pid, "Seccomp", val, sizeof(val));
	assert_string_equal(val, "2");
	proc_status(pid, "NoNewPrivs", val, sizeof(val));
	assert_string_equal(val, "1");
	if (geteuid() == 0) {
		proc_status(pid, "Uid", val, sizeof(val));
		assert_string_equal(val, "65534\t65534\t65534\t65534");
		proc_status(pid, "Gid", val, sizeof(val));
		assert_string_equal(val, "65534\t65534\t65534\t65534");
		proc_status(pid, "Groups", val, sizeof(val));
		assert_string_equal(val, "");
	}
	/* Descriptors: 0-2 and the socket, nothing inherited. */
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	assert_non_null(d = opendir(path));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (strtol(de->d_name, NULL, 10) > EGRESS_WORKER_JAIL_FD)
			fail_msg("the jailed child kept descriptor %s", de->d_name);
		nfd++;
	}
	closedir(d);
	assert_true(nfd >= 1);
	/* Limits: CPU seconds, no core dumps. */
	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long	soft;

		if (sscanf(line, "Max cpu time %lu", &soft) == 1) {
			assert_int_equal(soft, EGRESS_WORKER_CPU_S);
			cpu = 1;
		}
		if (sscanf(line, "Max core file size %lu", &soft) == 1) {
			assert_int_equal(soft, 0);
			core = 1;
		}
	}
	fclose(f);
	assert_true(cpu && core);

	assert_int_equal(write(fd, "x", 1), 1);
	assert_int_equal(wait_status(pid), 0);
	close(fd);
}

/* A child whose parent is gone before it is jailed refuses to go on. */
static void
test_orphan(void **state)
{
	struct egress_worker_jail	j = { .fd = 0, .uid = 65534, .gid = 65534,
		.mem_max = 1u << 20, .parent = 1 };
	int				st;
	pid_t				pid;

	(void)state;
	if (RUNNING_ON_VALGRIND)
		skip();
	j.parent = getpid() + 1000000;	/* not our parent */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(egress_worker_jail_enter(&j) == -ESRCH ? 0 : 1);
	st = wait_status(pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_forbidden),
		cmocka_unit_test(test_proc_view),
		cmocka_unit_test(test_orphan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
