/* api_sandbox: close-on-exec, capabilities, no_new_privs and seccomp; see api_sandbox.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/close_range.h>
#include <linux/securebits.h>
#include <seccomp.h>

#include "api/api_sandbox.h"
#include "common/dw_log.h"

/*
 * ASan's LeakSanitizer stops the world with ptrace at exit: sanitizer
 * builds (tests only, never shipped) keep ptrace open so leak reports work.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN	1
#endif
#endif

bool
api_sandbox_allows_ptrace(void)
{
#ifdef SANDBOX_ASAN
	return true;
#else
	return false;
#endif
}

/*
 * What dockward never does after startup.  A deny-list, not an allow-list:
 * glibc, NSS modules, libcurl, OpenSSL, libarchive and libmicrohttpd change
 * their system calls from one version to the next, and a missed one would
 * be an outage; these are the calls an attacker needs to turn code
 * execution in a parser into more (new programs, other processes' memory,
 * the mount table, namespaces, the kernel, other files by handle, other
 * ids).  Names, so that a call this architecture lacks is simply skipped.
 */
static const char *const denied[] = {
	/* new programs: dockward runs none (libarchive's external filters neither) */
	"execve", "execveat",
	/* other processes */
	"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
	"process_madvise", "kcmp",
	/* the mount table and the root */
	"mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
	"fsopen", "fsmount", "fspick", "fsconfig", "mount_setattr",
	/* namespaces (clone's flags below; clone3 below) */
	"unshare", "setns",
	/* the kernel */
	"kexec_load", "kexec_file_load", "init_module", "finit_module",
	"delete_module", "bpf", "perf_event_open", "userfaultfd", "lookup_dcookie",
	"io_uring_setup", "io_uring_enter", "io_uring_register", "syslog",
	"iopl", "ioperm", "swapon", "swapoff", "reboot", "acct", "quotactl",
	"quotactl_fd", "vhangup", "fanotify_init", "uselib", "nfsservctl",
	"sethostname", "setdomainname",
	"settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
	/* keys */
	"keyctl", "add_key", "request_key",
	/* files by handle: with CAP_DAC_READ_SEARCH, any file on the host */
	"open_by_handle_at", "name_to_handle_at",
	/* devices */
	"mknod", "mknodat",
	/* other ids; dockward stays uid 0 with fewer capabilities */
	"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
	"setfsuid", "setfsgid", "setgroups", "capset",
	/* ownership: the gatekeeper socket is chowned before the sandbox */
	"chown", "fchown", "lchown", "fchownat",
};

/* The namespace flags of clone(2); CLONE_NEWTIME is clone3-only. */
static const unsigned long clone_ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
	CLONE_NEWNET, CLONE_NEWCGROUP,
};

/* Number of threads of this process, from /proc/self/status; -errno. */
static int
thread_count(void)
{
	char	 line[256];
	FILE	*f;
	int	 n = -EPROTO;

	if ((f = fopen("/proc/self/status", "re")) == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * Step 1.  Belt and braces: every descriptor dockward opens already asks
 * for O_CLOEXEC/SOCK_CLOEXEC, but libraries (jansson's fopen "rb",
 * libcurl's sockets on some versions) and whatever the process inherited
 * may not; execve is refused by the filter anyway, this keeps a
 * descriptor from leaking should the filter ever be off.
 */
static int
cloexec_all(struct dw_err *err)
{
	DIR		*d;
	struct dirent	*de;
	char		*end;
	long		 l;
	int		 fd, dfd, r = 0;

	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL) {
		dw_err_set(err, "close_range(CLOSE_RANGE_CLOEXEC): %s", strerror(errno));
		return -errno;
	}
	/* Before Linux 5.11: one by one. */
	if ((d = opendir("/proc/self/fd")) == NULL) {
		r = -errno;
		dw_err_set(err, "/proc/self/fd: %s", strerror(errno));
		return r;
	}
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		errno = 0;
		l = strtol(de->d_name, &end, 10);
		if (*end != '\0' || errno != 0 || l > INT_MAX)
			continue;	/* not an fd number */
		fd = (int)l;
		if (fd <= 2 || fd == dfd)
			continue;
		if (fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC) < 0 &&
		    errno != EBADF) {
			r = -errno;
			dw_err_set(err, "fd %d: FD_CLOEXEC: %s", fd, strerror(errno));
			break;
		}
	}
	closedir(d);
	return r;
}

/* This thread's capability sets, 64 bits each; 0 or -errno. */
static int
caps_get(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct __user_cap_header_struct	hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	d[2];

	memset(d, 0, sizeof(d));	/* valgrind knows one struct of the two */
	if (syscall(SYS_capget, &hdr, d) != 0)
		return -errno;
	*eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	*prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	*inh = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	return 0;
}

/*
 * Step 2, with raw system calls rather than libcap: five calls whose ABI
 * is fixed, not worth a dependency.  Securebits first and the bounding set
 * next, as both need CAP_SETPCAP, which capset then gives up.
 */
static int
caps_drop(uint64_t extra, struct dw_err *err)
{
	struct __user_cap_header_struct	hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	d[2];
	uint64_t			eff, prm, inh, keep = API_SANDBOX_CAPS | extra;
	int				cap, n, r;

	if ((r = caps_get(&eff, &prm, &inh)) != 0) {
		dw_err_set(err, "capget: %s", strerror(-r));
		return r;
	}
	if (prm == 0 && getuid() != 0 && geteuid() != 0)
		return 0;	/* an ordinary user: nothing to give up */
	if ((n = thread_count()) != 1) {
		dw_err_set(err, "%d threads already run; capabilities are per "
		    "thread, so the sandbox must come before any thread starts", n);
		return -EBUSY;
	}
	/* uid 0 may not regain capabilities through execve or set*id. */
	if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	    SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
	    SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
	    SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, 0, 0, 0) != 0) {
		/*
		 * Without CAP_SETPCAP (a unit that bounds it away) the bits
		 * cannot be set, and need not be: the bounding set must then
		 * already be ours (checked next), so execve could regain
		 * nothing more.
		 */
		if (errno != EPERM || (eff >> CAP_SETPCAP & 1) != 0) {
			r = -errno;
			dw_err_set(err, "PR_SET_SECUREBITS: %s", strerror(errno));
			return r;
		}
	}
	for (cap = 0; cap < 64; cap++) {
		if ((n = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) < 0)
			break;	/* past the kernel's last capability */
		if (n == 1 && (keep >> cap & 1) == 0 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
			r = -errno;
			dw_err_set(err, "cannot drop capability %d from the bounding "
			    "set: %s%s", cap, strerror(errno), r == -EPERM ? " (that "
			    "needs CAP_SETPCAP: keep it in the unit's "
			    "CapabilityBoundingSet, dockward drops it)" : "");
			return r;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
	    errno != EINVAL) {
		r = -errno;
		dw_err_set(err, "PR_CAP_AMBIENT_CLEAR_ALL: %s", strerror(errno));
		return r;
	}
	keep &= prm;	/* capset cannot add to the permitted set */
	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)keep;
	d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, d) != 0) {
		r = -errno;
		dw_err_set(err, "capset: %s", strerror(errno));
		return r;
	}
	if ((r = caps_get(&eff, &prm, &inh)) != 0 || eff != keep || prm != keep ||
	    inh != 0) {
		dw_err_set(err, "capabilities still held after capset "
		    "(effective %#llx, permitted %#llx)", (unsigned long long)eff,
		    (unsigned long long)prm);
		return r != 0 ? r : -EPERM;
	}
	return 0;
}

/* Add one rule; -errno with err naming the call. */
static int
rule(scmp_filter_ctx ctx, uint32_t action, const char *name, int nr,
    unsigned nargs, const struct scmp_arg_cmp *arg, struct dw_err *err)
{
	int	r;

	r = nargs == 0 ? seccomp_rule_add(ctx, action, nr, 0) :
	    seccomp_rule_add(ctx, action, nr, 1, *arg);
	if (r != 0)
		dw_err_set(err, "seccomp rule for %s: %s", name, strerror(-r));
	return r;
}

/* Step 4: build and load the filter, synced to every thread. */
static int
seccomp_load_filter(unsigned *ret_n, struct dw_err *err)
{
	scmp_filter_ctx		 ctx;
	struct scmp_arg_cmp	 a;
	unsigned		 n = 0, b;
	size_t			 i;
	int			 nr, r;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		dw_err_set(err, "seccomp_init failed");
		return -ENOMEM;
	}
	/*
	 * Another architecture's calls (i386 int 0x80) would bypass the
	 * rules: kill the process (the thread before Linux 4.14).
	 */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) != 0 &&
	    (r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL)) != 0) {
		dw_err_set(err, "seccomp: bad-architecture action: %s", strerror(-r));
		goto out;
	}
	/*
	 * Every thread, not just this one.  Where seccomp(2) is missing
	 * (valgrind) only prctl is left, which filters the calling thread:
	 * good enough while it is the only one, refused otherwise.
	 */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0 &&
	    (b = (unsigned)thread_count()) != 1) {
		dw_err_set(err, "seccomp: cannot filter the %u threads already "
		    "running (no TSYNC: %s)", b, strerror(-r));
		r = -EOPNOTSUPP;
		goto out;
	}
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1)) != 0) {
		dw_err_set(err, "seccomp: no_new_privs attribute: %s", strerror(-r));
		goto out;
	}
	for (i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		if ((nr = seccomp_syscall_resolve_name(denied[i])) < 0)
			continue;	/* not a call of this architecture */
		if (strcmp(denied[i], "ptrace") == 0 && api_sandbox_allows_ptrace())
			continue;
		if ((r = rule(ctx, SCMP_ACT_ERRNO(EPERM), denied[i], nr, 0, NULL,
		    err)) != 0)
			goto out;
		n++;
	}
	/* clone3 passes its flags in memory a filter cannot read: ENOSYS, and glibc uses clone. */
	if ((nr = seccomp_syscall_resolve_name("clone3")) >= 0) {
		if ((r = rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", nr, 0, NULL,
		    err)) != 0)
			goto out;
		n++;
	}
	/* clone with a namespace flag; threads and forks pass. */
	for (i = 0; i < sizeof(clone_ns_flags) / sizeof(clone_ns_flags[0]); i++) {
#if defined(__s390__) || defined(__s390x__)
		a = SCMP_A1(SCMP_CMP_MASKED_EQ, clone_ns_flags[i], clone_ns_flags[i]);
#else
		a = SCMP_A0(SCMP_CMP_MASKED_EQ, clone_ns_flags[i], clone_ns_flags[i]);
#endif
		if ((r = rule(ctx, SCMP_ACT_ERRNO(EPERM), "clone", SCMP_SYS(clone),
		    1, &a, err)) != 0)
			goto out;
	}
	n++;
	/*
	 * personality: only PER_LINUX (0).  The kernel reads 32 bits; a rule
	 * per bit, as libseccomp compares an argument once per rule.  The
	 * 0xffffffff query is refused too: nothing here asks.
	 */
	for (b = 0; b < 32; b++) {
		a = SCMP_A0(SCMP_CMP_MASKED_EQ, 1UL << b, 1UL << b);
		if ((r = rule(ctx, SCMP_ACT_ERRNO(EPERM), "personality",
		    SCMP_SYS(personality), 1, &a, err)) != 0)
			goto out;
	}
	n++;
	if ((r = seccomp_load(ctx)) != 0) {
		dw_err_set(err, "seccomp_load: %s", r > 0 ?
		    "another thread could not be synchronised" : strerror(-r));
		if (r > 0)
			r = -EBUSY;
		goto out;
	}
	*ret_n = n;
	r = 0;
out:
	seccomp_release(ctx);
	return r;
}

int
api_sandbox_apply(const struct api_sandbox_opts *o, struct dw_err *err)
{
	const char	*who = o->who != NULL ? o->who : "dockward";
	unsigned	 n = 0;
	int		 r;

	if (o->off) {
		log_warn("SANDBOX OFF (--sandbox off): %s keeps every capability, "
		    "may execute programs and is not filtered by seccomp; "
		    "use this for debugging only", who);
		return 0;
	}
	if ((r = cloexec_all(err)) != 0)
		goto fail;
	if (!o->caps_untouched && (r = caps_drop(o->caps_keep, err)) != 0)
		goto fail;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		r = -errno;
		dw_err_set(err, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		goto fail;
	}
	if ((r = seccomp_load_filter(&n, err)) != 0)
		goto fail;
	if (!o->quiet)
		log_info("sandbox: %s runs with no_new_privs, a seccomp filter (%u "
		    "calls refused%s)%s", who, n, api_sandbox_allows_ptrace() ?
		    "; ptrace left open for LeakSanitizer" : "", o->caps_untouched ?
		    "" : o->caps_keep & (uint64_t)1 << CAP_NET_ADMIN ?
		    " and only CAP_DAC_READ_SEARCH and CAP_NET_ADMIN" :
		    " and only CAP_DAC_READ_SEARCH");
	return 0;
fail:
	dw_err_prefix(err, "sandbox");
	return r;
}
