/*
 * egress_worker_jail: the PAC worker child's confinement (see the header).
 * Raw system calls (syscall(2)) where glibc's wrapper would take a lock or
 * signal other threads: the parent may have had threads at fork time.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seccomp.h>

#include "egress/egress_worker_jail.h"

/*
 * ASan reserves terabytes of shadow and maps more as it goes: its builds
 * (tests only, never shipped) leave the address space unbounded (the heap
 * cap holds) and allow the one more call its runtime makes.
 */
#if defined(__SANITIZE_ADDRESS__)
#define JAIL_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JAIL_ASAN	1
#endif
#endif

#ifndef JAIL_ASAN
/* The child's address space now, from /proc/self/statm (pages); 0 when unknown. */
static size_t
vm_size(void)
{
	char		buf[64];
	size_t		pages = 0;
	ssize_t		n, i;
	int		fd;

	if ((fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	for (i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		pages = pages * 10 + (size_t)(buf[i] - '0');
	return pages * (size_t)sysconf(_SC_PAGESIZE);
}
#endif

static int
limits_set(const struct egress_worker_jail *j)
{
	struct rlimit	rl;
#ifndef JAIL_ASAN
	size_t		vm;
#endif

	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		return -errno;
	rl.rlim_cur = rl.rlim_max = EGRESS_WORKER_CPU_S;
	if (setrlimit(RLIMIT_CPU, &rl) != 0)
		return -errno;
#ifndef JAIL_ASAN
	if ((vm = vm_size()) == 0)
		return -EIO;
	rl.rlim_cur = rl.rlim_max = vm + j->mem_max + EGRESS_WORKER_AS_SLACK;
	if (setrlimit(RLIMIT_AS, &rl) != 0)
		return -errno;
#else
	(void)j;
#endif
	return 0;
}

/* Root becomes j->uid/j->gid; EPERM (dockward's own seccomp filter) keeps the uid. */
static int
ids_drop(const struct egress_worker_jail *j)
{
	if (geteuid() != 0)
		return 0;
	if (syscall(SYS_setgroups, 0, NULL) != 0 ||
	    syscall(SYS_setresgid, j->gid, j->gid, j->gid) != 0 ||
	    syscall(SYS_setresuid, j->uid, j->uid, j->uid) != 0)
		return errno == EPERM ? 0 : -errno;
	return 0;
}

static int
allow(scmp_filter_ctx ctx, int nr, unsigned n, const struct scmp_arg_cmp *a)
{
	if (n == 0)
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	if (n == 1)
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, a[0]);
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2, a[0], a[1]);
}

/*
 * The allow-list.  Memory: anonymous mappings only and never executable
 * (an exploit gets no new code page); the socket: read and write on its
 * one descriptor; the clock (normally the vDSO, no system call).
 */
static int
filter_load(void)
{
	scmp_filter_ctx		ctx;
	struct scmp_arg_cmp	a[2];
	int			r;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return -ENOMEM;
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1)) != 0)
		goto out;
	a[0] = SCMP_A0(SCMP_CMP_EQ, EGRESS_WORKER_JAIL_FD);
	if ((r = allow(ctx, SCMP_SYS(read), 1, a)) != 0 ||
	    (r = allow(ctx, SCMP_SYS(write), 1, a)) != 0)
		goto out;
	a[0] = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	a[1] = SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS, MAP_ANONYMOUS);
	if ((r = allow(ctx, SCMP_SYS(mmap), 2, a)) != 0 ||
	    (r = allow(ctx, SCMP_SYS(mprotect), 1, a)) != 0)
		goto out;
	if ((r = allow(ctx, SCMP_SYS(munmap), 0, NULL)) != 0 ||
	    (r = allow(ctx, SCMP_SYS(mremap), 0, NULL)) != 0 ||
	    (r = allow(ctx, SCMP_SYS(madvise), 0, NULL)) != 0 ||
	    (r = allow(ctx, SCMP_SYS(brk), 0, NULL)) != 0 ||
	    (r = allow(ctx, SCMP_SYS(clock_gettime), 0, NULL)) != 0 ||
	    (r = allow(ctx, SCMP_SYS(gettimeofday), 0, NULL)) != 0 ||
	    (r = allow(ctx, SCMP_SYS(time), 0, NULL)) != 0 ||
	    (r = allow(ctx, SCMP_SYS(exit_group), 0, NULL)) != 0 ||
	    (r = allow(ctx, SCMP_SYS(exit), 0, NULL)) != 0 ||
	    (r = allow(ctx, SCMP_SYS(rt_sigreturn), 0, NULL)) != 0)
		goto out;
#ifdef JAIL_ASAN
	/* ASan's runtime takes its alternate signal stack down on _exit. */
	if ((r = allow(ctx, SCMP_SYS(sigaltstack), 0, NULL)) != 0)
		goto out;
#endif
	r = seccomp_load(ctx);
out:
	seccomp_release(ctx);
	return r;
}

int
egress_worker_jail_enter(const struct egress_worker_jail *j)
{
	struct sigaction	sa;
	sigset_t		all;
	int			sig, r;

	/* The socket at a known number, every other descriptor closed. */
	if (j->fd != EGRESS_WORKER_JAIL_FD && dup2(j->fd, EGRESS_WORKER_JAIL_FD) < 0)
		return -errno;
	if (syscall(SYS_close_range, EGRESS_WORKER_JAIL_FD + 1, ~0U, 0) != 0)
		return -errno;
	/* Die with the parent; it may be gone already. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		return -errno;
	if (getppid() != j->parent)
		return -ESRCH;
	/* The parent's handlers are not ours; nothing blocked. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigfillset(&all);
	if (sigprocmask(SIG_UNBLOCK, &all, NULL) != 0)
		return -errno;
	if ((r = ids_drop(j)) != 0 || (r = limits_set(j)) != 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -errno;
	if ((r = filter_load()) != 0)
		return r < 0 ? r : -EPERM;
	return EGRESS_WORKER_JAIL_FD;
}
