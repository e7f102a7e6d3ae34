/*
 * api_sandbox: what dockward gives up once its sockets are bound, before it
 * reads anything untrusted (docs/privileges.md).  In this order:
 *
 *   1. close-on-exec on every descriptor above 2;
 *   2. capabilities: every one dropped from the bounding, ambient,
 *      inheritable, permitted and effective sets except API_SANDBOX_CAPS,
 *      with the securebits locked so that uid 0 cannot regain them through
 *      execve (SECBIT_NOROOT...);
 *   3. PR_SET_NO_NEW_PRIVS;
 *   4. a seccomp filter that answers EPERM to the escalation primitives
 *      (execve, ptrace, mount, namespaces, modules, bpf, handle-based
 *      opens, set*id, chown...) and kills the process on a non-native
 *      architecture's system call; synced to every thread (TSYNC).
 *
 * All of it is irreversible for the process.  Capabilities are per thread,
 * so the caps step refuses to run while other threads exist (apply before
 * starting any); the filter is applied to every thread regardless.
 */
#ifndef API_SANDBOX_H
#define API_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/capability.h>

#include "common/dw_err.h"

/*
 * The capabilities dockward keeps at run time, and why:
 *   CAP_DAC_READ_SEARCH  stat()/realpath() of bind-mount sources inside
 *                        other users' private directories: without it a
 *                        source dockward cannot inspect is refused (fail
 *                        closed), so such binds would all be denied;
 *                        reading a policy, CA or credentials file the admin
 *                        made unreadable to root without DAC overrides.
 * Nothing else: its own files (state dir, audit log, sockets) belong to
 * uid 0, and the /proc files of callers it reads are world-readable.
 * One more on request (api_sandbox_opts.caps_keep):
 *   CAP_NET_ADMIN        with containersProxy in the policy: api_egress
 *                        applies and re-applies its nftables table.
 */
#define API_SANDBOX_CAPS	((uint64_t)1 << CAP_DAC_READ_SEARCH)

struct api_sandbox_opts {
	bool		 off;		/* --sandbox off: change nothing, log a WARN */
	bool		 caps_untouched; /* skip step 2 (tests of the other steps) */
	uint64_t	 caps_keep;	/* kept besides API_SANDBOX_CAPS, e.g. 1 << CAP_NET_ADMIN */
	bool		 quiet;		/* no info line on success (commands whose output is read) */
	const char	*who;		/* the command, for log lines ("serve") */
};

/*
 * Apply the sandbox to the calling process.  0, or -errno with err naming
 * the step that failed; the process may then be partly sandboxed, and the
 * caller must refuse to go on (fail closed).  A process that holds no
 * capability and is not uid 0 has nothing to drop: step 2 is skipped.
 */
int	api_sandbox_apply(const struct api_sandbox_opts *o, struct dw_err *err);

/* True when this build keeps ptrace open for LeakSanitizer (ASan builds). */
bool	api_sandbox_allows_ptrace(void);

#endif
