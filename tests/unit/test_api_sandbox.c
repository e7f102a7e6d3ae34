/*
 * Unit tests for api_sandbox.  Each check runs in a forked child (the
 * sandbox is irreversible) that reports the first failed check by its exit
 * status: after api_sandbox_apply() the escalation calls fail with EPERM
 * and the child lives on, /proc/self/status shows no_new_privs, seccomp
 * filter mode and exactly the kept capabilities, ordinary work (files,
 * sockets, threads, fork) still works, a thread started before the
 * sandbox is filtered too (TSYNC), and descriptors become close-on-exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* Valgrind dies when an execve fails: the exec checks skip under it. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND	0
#endif

#include "api/api_sandbox.h"

/* Exit statuses of a child: 0 all passed, 77 skip, else the failed check. */
#define SKIP	77

/* The value of "key:" in /proc/self/status, as text (tabs skipped). */
static int
status_field(const char *key, char *out, size_t len)
{
	char	 line[512];
	size_t	 kl = strlen(key);
	FILE	*f;
	int	 r = -1;

	if ((f = fopen("/proc/self/status", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			char	*v = line + kl + 1;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(out, len, "%s", v);
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

static unsigned long long
status_hex(const char *key)
{
	char	v[64];

	if (status_field(key, v, sizeof(v)) != 0)
		return ~0ULL;
	return strtoull(v, NULL, 16);
}

/* The call returned -1 with EPERM. */
#define DENIED(call)	((call) == -1 && errno == EPERM)

/* Run fn in a forked child; returns its exit status (or 100 + signal). */
static int
in_child(int (*fn)(void))
{
	pid_t	pid;
	int	st;

	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(fn());
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		return 100 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static void
expect_child(int (*fn)(void))
{
	int	r = in_child(fn);

	if (r == SKIP)
		skip();
	if (r != 0)
		fail_msg("sandboxed child: check %d failed", r);
}

/* The escalation primitives answer EPERM; the process survives each. */
static int
child_denied(void)
{
	struct api_sandbox_opts	 o = { .who = "test" };
	struct dw_err		 err;
	/* Should execve work, the child becomes a shell that fails the test. */
	char			*argv[] = { "/bin/sh", "-c", "exit 99", NULL };
	char			*envp[] = { NULL };
	unsigned char		 fh[128 + 8];
	static char		 zero[256];	/* bpf_attr, io_uring_params */
	int			 mount_id;

	if (api_sandbox_apply(&o, &err) != 0) {
		fprintf(stderr, "apply: %s\n", err.msg);
		return 1;
	}
	if (!RUNNING_ON_VALGRIND) {
		if (!DENIED(execve(argv[0], argv, envp)))
			return 2;
		if (!DENIED(syscall(SYS_execveat, AT_FDCWD, argv[0], argv, envp, 0)))
			return 3;
	}
	if (!DENIED(mount("none", "/tmp", "tmpfs", 0, NULL)))
		return 4;
	if (!DENIED(umount2("/tmp", MNT_DETACH)))
		return 5;
	/* the classic CAP_DAC_READ_SEARCH escape (shocker) */
	memset(fh, 0, sizeof(fh));
	((unsigned *)fh)[0] = 128;
	if (!DENIED(syscall(SYS_open_by_handle_at, AT_FDCWD, fh, O_RDONLY)))
		return 6;
	if (!DENIED(syscall(SYS_name_to_handle_at, AT_FDCWD, "/", fh, &mount_id, 0)))
		return 7;
	if (!DENIED(unshare(CLONE_NEWUSER)))
		return 8;
	if (!DENIED(unshare(CLONE_NEWNS)))
		return 9;
	if (!DENIED(setns(0, 0)))
		return 10;
	if (!api_sandbox_allows_ptrace() &&
	    !DENIED(ptrace(PTRACE_TRACEME, 0, NULL, NULL)))
		return 11;
	if (!DENIED(setuid(65534)) || !DENIED(setgid(65534)) ||
	    !DENIED(setgroups(0, NULL)))
		return 12;
	if (!DENIED(chown("/tmp", 0, 0)))
		return 13;
	if (!DENIED(syscall(SYS_bpf, 0, zero, 64)))
		return 14;
	if (!DENIED(syscall(SYS_keyctl, 0, 0, 0, 0, 0)))
		return 15;
	if (!DENIED(syscall(SYS_finit_module, -1, "", 0)))
		return 16;
	if (!DENIED(personality(PER_LINUX32)))
		return 17;
#ifdef SYS_io_uring_setup
	if (!DENIED(syscall(SYS_io_uring_setup, 1, zero)))
		return 18;
#endif
	if (!DENIED(mknod("/tmp/dw-sandbox-node", S_IFCHR | 0600, makedev(1, 3))))
		return 19;
	/* clone3 says ENOSYS (glibc then uses clone, whose flags are checked). */
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
		return 20;
	/* clone with a namespace flag */
	if (!DENIED(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, NULL, NULL, 0)))
		return 21;
	if (!DENIED(syscall(SYS_process_vm_readv, getppid(), NULL, 0, NULL, 0, 0)))
		return 22;
	return 0;
}

/* What /proc says about the sandboxed process. */
static int
child_status(void)
{
	struct api_sandbox_opts	 o = { .who = "test" };
	struct dw_err		 err;
	char			 v[64];

	if (api_sandbox_apply(&o, &err) != 0) {
		fprintf(stderr, "apply: %s\n", err.msg);
		return 1;
	}
	if (status_field("NoNewPrivs", v, sizeof(v)) != 0 || strcmp(v, "1") != 0)
		return 2;
	if (status_field("Seccomp", v, sizeof(v)) != 0 || strcmp(v, "2") != 0)
		return 3;
	if (geteuid() != 0)
		return 0;	/* a user has no capabilities to check */
	if (status_hex("CapEff") != API_SANDBOX_CAPS)
		return 4;
	if (status_hex("CapPrm") != API_SANDBOX_CAPS)
		return 5;
	if (status_hex("CapBnd") != API_SANDBOX_CAPS)
		return 6;
	if (status_hex("CapInh") != 0 || status_hex("CapAmb") != 0)
		return 7;
	/* Still uid 0: the engine socket and our own files stay reachable. */
	if (getuid() != 0)
		return 8;
	return 0;
}

/* Run as root, the caps check must run; skipping as a user is honest. */
static void
test_status(void **state)
{
	(void)state;
	expect_child(child_status);
	if (geteuid() != 0)
		skip();
}

/* caps_keep (egress: CAP_NET_ADMIN) is kept too, and nothing more. */
static int
child_caps_keep(void)
{
	const uint64_t		 want = API_SANDBOX_CAPS | (uint64_t)1 << CAP_NET_ADMIN;
	struct api_sandbox_opts	 o = { .who = "test",
	    .caps_keep = (uint64_t)1 << CAP_NET_ADMIN };
	struct dw_err		 err;

	if (api_sandbox_apply(&o, &err) != 0) {
		fprintf(stderr, "apply: %s\n", err.msg);
		return 1;
	}
	if (geteuid() != 0)
		return 0;
	if (status_hex("CapEff") != want || status_hex("CapPrm") != want)
		return 2;
	if (status_hex("CapBnd") != want)
		return 3;
	return 0;
}

static void
test_caps_keep(void **state)
{
	(void)state;
	expect_child(child_caps_keep);
	if (geteuid() != 0)
		skip();
}

/* Without CAP_DAC_OVERRIDE, uid 0 cannot write a file mode 0444. */
static int
child_no_dac_override(void)
{
	struct api_sandbox_opts	 o = { .who = "test" };
	struct dw_err		 err;
	char			 path[] = "/tmp/dw-sandbox-XXXXXX";
	int			 fd, r = 0;

	if (geteuid() != 0)
		return SKIP;
	if ((fd = mkstemp(path)) < 0)
		return 1;
	close(fd);
	if (chmod(path, 0444) != 0)
		return 2;
	/* Before: root writes it anyway. */
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		r = 3;
	else
		close(fd);
	if (r == 0 && api_sandbox_apply(&o, &err) != 0) {
		fprintf(stderr, "apply: %s\n", err.msg);
		r = 4;
	}
	if (r == 0 && ((fd = open(path, O_WRONLY | O_CLOEXEC)) >= 0 || errno != EACCES))
		r = 5;
	/* Reading through CAP_DAC_READ_SEARCH still works. */
	if (r == 0 && chmod(path, 0000) == 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		r = 6;
	if (fd >= 0)
		close(fd);
	unlink(path);
	return r;
}

static void *
thread_noop(void *arg)
{
	return arg;
}

/* Ordinary work still runs: files, sockets, threads, fork. */
static int
child_works(void)
{
	struct api_sandbox_opts	 o = { .who = "test" };
	struct dw_err		 err;
	struct sockaddr_un	 sun;
	pthread_t		 t;
	char			 path[] = "/tmp/dw-sandbox-XXXXXX", buf[8];
	int			 fd, lfd, cfd, sv[2], st;
	pid_t			 pid;

	if (api_sandbox_apply(&o, &err) != 0) {
		fprintf(stderr, "apply: %s\n", err.msg);
		return 1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
		return 2;
	if (write(fd, "abc", 3) != 3 || pread(fd, buf, 3, 0) != 3 ||
	    memcmp(buf, "abc", 3) != 0 || fchmod(fd, 0600) != 0)
		return 3;
	close(fd);
	if (rename(path, path) != 0 || unlink(path) != 0)
		return 4;
	if ((fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC)) < 0 ||
	    read(fd, buf, 1) != 1)
		return 5;
	close(fd);
	/* a unix socket: bind, listen, connect, accept */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/dw-sandbox-%ld.sock",
	    (long)getpid());
	unlink(sun.sun_path);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(lfd, 1) != 0)
		return 6;
	if ((cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(cfd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		return 7;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		return 8;
	close(fd);
	close(cfd);
	close(lfd);
	unlink(sun.sun_path);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return 9;
	close(sv[0]);
	close(sv[1]);
	/* an inet socket (registries) */
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 10;
	close(fd);
	/* threads (clone3 is ENOSYS: glibc must fall back to clone) */
	if (pthread_create(&t, NULL, thread_noop, NULL) != 0 ||
	    pthread_join(t, NULL) != 0)
		return 11;
	if ((pid = fork()) == 0)
		_exit(42);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 42)
		return 12;
	if (syscall(SYS_pidfd_open, getpid(), 0) < 0 && errno != ENOSYS)
		return 13;
	return 0;
}

/* A thread started before the filter is filtered too; caps refuse threads. */
static pthread_mutex_t	tsync_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	tsync_cond = PTHREAD_COND_INITIALIZER;
static int		tsync_stage, tsync_result = -1;

static void *
tsync_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&tsync_lock);
	while (tsync_stage == 0)
		pthread_cond_wait(&tsync_cond, &tsync_lock);
	pthread_mutex_unlock(&tsync_lock);
	tsync_result = unshare(CLONE_NEWUSER) == -1 && errno == EPERM &&
	    mount("none", "/tmp", "tmpfs", 0, NULL) == -1 && errno == EPERM;
	return NULL;
}

static int
child_tsync(void)
{
	struct api_sandbox_opts	 o = { .who = "test" }, nocaps = { .who = "test",
	    .caps_untouched = true };
	struct dw_err		 err;
	pthread_t		 t;
	int			 r;

	if (pthread_create(&t, NULL, tsync_thread, NULL) != 0)
		return 1;
	/* As root the caps step must refuse: the thread would keep them all. */
	if (geteuid() == 0 && api_sandbox_apply(&o, &err) != -EBUSY)
		return 2;
	r = api_sandbox_apply(&nocaps, &err);
	pthread_mutex_lock(&tsync_lock);
	tsync_stage = 1;
	pthread_cond_signal(&tsync_cond);
	pthread_mutex_unlock(&tsync_lock);
	if (pthread_join(t, NULL) != 0)
		return 4;
	if (r == -EOPNOTSUPP)
		return SKIP;	/* no seccomp(2) here (valgrind): refused, rightly */
	if (r != 0) {
		fprintf(stderr, "apply: %s\n", err.msg);
		return 3;
	}
	return tsync_result == 1 ? 0 : 5;
}

/* Descriptors above 2 become close-on-exec, 0..2 are left alone. */
static int
child_cloexec(void)
{
	struct api_sandbox_opts	 o = { .who = "test", .caps_untouched = true };
	struct dw_err		 err;
	int			 p[2], fd, fl0;

	if (pipe(p) != 0 || (fd = dup(p[0])) < 0)
		return 1;
	if ((fcntl(p[0], F_GETFD) & FD_CLOEXEC) != 0)
		return 2;
	fl0 = fcntl(0, F_GETFD);
	if (api_sandbox_apply(&o, &err) != 0) {
		fprintf(stderr, "apply: %s\n", err.msg);
		return 3;
	}
	if ((fcntl(p[0], F_GETFD) & FD_CLOEXEC) == 0 ||
	    (fcntl(p[1], F_GETFD) & FD_CLOEXEC) == 0 ||
	    (fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0)
		return 4;
	if (fcntl(0, F_GETFD) != fl0)
		return 5;
	return 0;
}

/* --sandbox off changes nothing. */
static int
child_off(void)
{
	struct api_sandbox_opts	 o = { .off = true, .who = "test" };
	struct dw_err		 err;
	char			 v[64];

	if (api_sandbox_apply(&o, &err) != 0)
		return 1;
	if (status_field("NoNewPrivs", v, sizeof(v)) != 0 || strcmp(v, "0") != 0)
		return 2;
	if (status_field("Seccomp", v, sizeof(v)) != 0 || strcmp(v, "0") != 0)
		return 3;
	return 0;
}

static void test_denied(void **state) { (void)state; expect_child(child_denied); }
static void test_no_dac_override(void **state) { (void)state; expect_child(child_no_dac_override); }
static void test_works(void **state) { (void)state; expect_child(child_works); }
static void test_tsync(void **state) { (void)state; expect_child(child_tsync); }
static void test_cloexec(void **state) { (void)state; expect_child(child_cloexec); }
static void test_off(void **state) { (void)state; expect_child(child_off); }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_denied),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_caps_keep),
		cmocka_unit_test(test_no_dac_override),
		cmocka_unit_test(test_works),
		cmocka_unit_test(test_tsync),
		cmocka_unit_test(test_cloexec),
		cmocka_unit_test(test_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
