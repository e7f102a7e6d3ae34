/*
 * egress_worker_jail: what the PAC worker's child gives up before it
 * compiles a script: every descriptor but its socket, the parent's signal
 * handlers, root (to nobody), core dumps, unbounded CPU and address space,
 * new privileges, and every system call but read/write on its socket,
 * memory management, the clock and exit (a seccomp allow-list; anything
 * else kills the process).  A PAC has no way to reach a system call; the
 * filter is for a bug in the interpreter.
 *
 * Called in the child right after fork(), from a parent that may have
 * other threads: up to the filter it makes raw system calls only, except
 * libseccomp's allocations (glibc's fork keeps malloc usable).
 */
#ifndef EGRESS_WORKER_JAIL_H
#define EGRESS_WORKER_JAIL_H

#include <stddef.h>
#include <sys/types.h>

#define EGRESS_WORKER_JAIL_FD	3		/* where the socket ends up */
#define EGRESS_WORKER_CPU_S	60		/* RLIMIT_CPU of a child, in seconds */
#define EGRESS_WORKER_AS_SLACK	(64u << 20)	/* address space beyond the heap cap */
#define EGRESS_WORKER_NOBODY	65534		/* uid and gid when none is given */

struct egress_worker_jail {
	int	fd;		/* the one descriptor kept */
	uid_t	uid;		/* taken when running as uid 0 */
	gid_t	gid;
	size_t	mem_max;	/* the address space may grow by this + EGRESS_WORKER_AS_SLACK */
	pid_t	parent;		/* exit at once when the parent is gone already */
};

/*
 * Enter the jail.  Returns EGRESS_WORKER_JAIL_FD (the socket's new
 * number), or -errno when a step failed: the caller must _exit then.
 * set*id answering EPERM is not a failure: dockward's own sandbox
 * (api_sandbox) forbids them after startup, and the child then keeps the
 * daemon's uid, without capabilities that matter under the filter.
 */
int	egress_worker_jail_enter(const struct egress_worker_jail *j);

#endif
