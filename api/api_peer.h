/*
 * api_peer: who is calling on the socket (DESIGN.md §7).  From an accepted
 * AF_UNIX connection to the caller's pid, uid, gid, supplementary groups
 * and the container id(s) in its cgroup path.
 *
 * What the answer means, and its limits:
 * - pid/uid/gid are SO_PEERCRED: the credentials of the process that called
 *   connect() (or socketpair()), taken at that moment.  A connection passed
 *   on (SCM_RIGHTS, fork) still names the original process.
 * - groups are SO_PEERGROUPS: the supplementary groups of those same
 *   credentials, taken with them at connect().  The uid, gid and groups
 *   are the ones the kernel checked the socket file's permissions
 *   against.  Only a kernel without the option (before Linux 4.13) has
 *   them read from /proc/<pid>/status, as they are at identify time.
 * - container ids are read afterwards from /proc/<pid>/cgroup, i.e. as
 *   they are at identify time.
 * - The pid is pinned by a pidfd.  With SO_PEERPIDFD (Linux >= 6.5) the
 *   pidfd is the socket's own peer, so there is no window at all: after the
 *   reads, a pidfd that is not yet readable (the process has not exited)
 *   proves the files were those of the caller.  Without it we fall back to
 *   pidfd_open(pid), which leaves a tiny window: the peer could exit and its
 *   pid be reused between SO_PEERCRED and pidfd_open (pid_max wraps first;
 *   not reachable in practice, but not excluded).  Without any pidfd (old
 *   kernel, seccomp) the /proc/<pid>/stat start time is compared before and
 *   after the reads and the process must not be a zombie; pidfd_checked is
 *   then false.
 * - Container ids are taken from the paths as seen from our cgroup
 *   namespace: run dockward in the host's (a caller in a private cgroupns
 *   sees "/" for itself, we see the full path).
 * - The ids are the union over every hierarchy (v1 lines and the v2 "0::"
 *   line); more than one id means nesting (outermost first) or a process
 *   whose hierarchies disagree.  They only say which containers to ask the
 *   engine about: a caller IS a container only when its path (below) is
 *   exactly the path dockerd gave that container, which the gatekeeper
 *   checks against the container's own init process (api_serve.c).  A
 *   process nested below a container's cgroup (--cgroup-parent under it,
 *   a sub-cgroup) is not that container.
 */
#ifndef API_PEER_H
#define API_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/dw_err.h"
#include "common/dw_limits.h"

#define API_PEER_IDS_MAX	8	/* container ids in one cgroup file */
#define API_PEER_ID_LEN		64	/* lowercase hex characters of one id */
#define API_PEER_PATH_MAX	1024	/* one cgroup path we compare */

struct api_peer {
	pid_t	pid;
	uid_t	uid;
	gid_t	gid;
	gid_t	groups[DW_PEER_GROUPS_MAX];	/* supplementary: SO_PEERGROUPS, else /proc/<pid>/status Groups: */
	size_t	ngroups;
	char	ids[API_PEER_IDS_MAX][API_PEER_ID_LEN + 1]; /* container ids in the cgroup path, outermost first */
	size_t	nids;
	char	path[API_PEER_PATH_MAX];	/* the cgroup path every id-naming line names (api_peer_cgroup_path), "" when none */
	bool	path_mixed;	/* lines name different container paths: path is "" and no container matches */
	bool	pidfd_checked;	/* identity re-checked against a pidfd (SO_PEERPIDFD or pidfd_open) */
};

/*
 * Parse the text of /proc/<pid>/cgroup ("hierarchy-ID:controllers:path"
 * lines, len bytes, need not be NUL-terminated) and collect the container
 * ids found in the paths: every path component that is 64 lowercase hex
 * characters once an optional "docker-", "cri-containerd-", "crio-" or
 * "libpod-" prefix and an optional ".scope" suffix are removed.  That
 * covers /docker/<id>, /system.slice/docker-<id>.scope[/init.scope],
 * /kubepods/.../<id>, cri-containerd-<id>.scope, crio-<id>.scope,
 * libpod-<id>.scope, /actions_job/<id> and nested /docker/<a>/docker/<b>.
 * Ids are de-duplicated, in order of first appearance (lines in file order,
 * components outermost first).  Pure; never reads past buf + len.
 * Returns 0 with *ret_n ids copied NUL-terminated to ids[0..*ret_n), or
 *   -EINVAL  malformed: empty, a NUL byte, a line without two colons, a
 *            hierarchy id that is not a number, a path not starting with '/'
 *   -E2BIG   more than DW_CGROUP_FILE_MAX bytes, or more than max ids
 * ids and *ret_n are written only on success.
 */
int	api_peer_cgroup_parse(const char *buf, size_t len,
	    char ids[][API_PEER_ID_LEN + 1], size_t max, size_t *ret_n,
	    struct dw_err *err);

/*
 * The cgroup path of a /proc/<pid>/cgroup text (checked as by
 * api_peer_cgroup_parse): the path of the lines whose path names a
 * container id (a component as above), " (deleted)" dropped.  Lines that
 * name no id (v1 "rdma:/", a hybrid "0::/") are ignored; every line that
 * names one must name the same path, e.g. "/docker/<id>" in each v1
 * hierarchy of the cgroupfs driver, "/system.slice/docker-<id>.scope"
 * (systemd), the one v2 "0::" path.  Writes "" when no line names an id.
 * Returns 0, or -EINVAL/-E2BIG as api_peer_cgroup_parse, -EXDEV when two
 * lines name different paths, -ENAMETOOLONG when the path does not fit
 * size.  ret_path is written only on success.
 */
int	api_peer_cgroup_path(const char *buf, size_t len, char *ret_path,
	    size_t size, struct dw_err *err);

/*
 * Is the last component of path a container id (the forms above:
 * "<id>", "docker-<id>.scope", ...)?  Then true with the id in ret_id.
 * "/docker/<a>/<b>" ends in b; "/docker/<a>/init.scope" ends in no id.
 */
bool	api_peer_path_innermost_id(const char *path,
	    char ret_id[API_PEER_ID_LEN + 1]);

/*
 * The supplementary groups on the "Groups:" line of a /proc/<pid>/status
 * text (NUL-terminated), for a kernel without SO_PEERGROUPS.  0 with
 * *ret_n groups in groups[0, *ret_n); -EPROTO no or bad line; -E2BIG
 * more than max.
 */
int	api_peer_status_groups(const char *buf, gid_t *groups, size_t max,
	    size_t *ret_n);

/*
 * api_peer_cgroup_path of <proc_root>/<pid>/cgroup (the engine's
 * State.Pid of a container, to learn the path dockerd gave it).  0, -ESRCH
 * (no such process), or the errors above.
 */
int	api_peer_pid_cgroup_path(const char *proc_root, pid_t pid,
	    char *ret_path, size_t size, struct dw_err *err);

/*
 * Identify the peer of a connected AF_UNIX stream socket fd (see above).
 * Returns 0 and fills *ret (written only on success), or
 *   -ESRCH   the peer is gone (exited, reaped, pid reused) or lives in a pid
 *            namespace we cannot see (SO_PEERCRED pid 0)
 *   -EAFNOSUPPORT  fd is not an AF_UNIX socket
 *   -E2BIG   more than DW_PEER_GROUPS_MAX groups, API_PEER_IDS_MAX ids,
 *            or a /proc file over DW_CGROUP_FILE_MAX
 *   -EINVAL, -EPROTO  a /proc file we could not parse
 *   another -errno from getsockopt, open or read
 * with the reason in err.  Every such error must deny.
 */
int	api_peer_identify(int fd, struct api_peer *ret, struct dw_err *err);
/* The same, reading <proc_root>/<pid>/... instead of /proc (tests). */
int	api_peer_identify_at(int fd, const char *proc_root,
	    struct api_peer *ret, struct dw_err *err);

/* ---- what is kept between connections ---- */

/*
 * api_peer_cache: facts that cost more than the /proc reads above and that
 * can be proven still true cheaply, kept for later connections.  Thread
 * safe, bounded (common/dw_limits.h).  Every hit must give exactly what
 * asking again would; when that cannot be shown the caller asks again.
 *
 * What is NOT kept, and why: a process's cgroup (api_peer above).  It
 * can change while the process lives (a write to cgroup.procs), and no
 * system call tells that it did: a key of (pid, start time) names the
 * process safely, but not what it is now, and the re-read that would
 * prove it is the whole cost.  It is read per connection (9 system calls
 * with a pidfd, the credentials and groups included).
 *
 * Containers: the engine's facts about the container a cgroup path
 * belongs to (what a container inspect told the gatekeeper), keyed by that
 * path and held with the container's init process (State.Pid) and that
 * process's start time (/proc/<pid>/stat field 22, clock ticks since
 * boot).  A hit requires, at lookup, that process to be alive (not a
 * zombie) with the same start time and its cgroup path to still be the
 * key.  Pid and start time together name one process: a pid is reused
 * only after its process is gone and the kernel's cyclic allocator has
 * come round to it again (through every free pid up to pid_max), so the
 * later process with that pid starts later and shows another start time.
 * The one case the tick-sized clock cannot tell, a pid reused within the
 * same 10 ms tick, needs pid_max processes (32768 by default) forked in
 * that tick, and the new process would still have to sit in the key's
 * cgroup, which names the container: it would be that container's.  So the hit means: the process the engine called the
 * container's init is still running and still where the caller is, which
 * is what the inspect and the cgroup comparison proved at first; a
 * container that stopped, died, was removed or restarted (new init) fails
 * it and is looked up again.  Entries are also dropped after
 * DW_PEER_CONTAINER_TTL_S (the name can change with `docker rename`; it is
 * shown in messages, never decided on).
 *
 * Users: /etc/passwd as getpwuid_r would read it when nsswitch.conf lists
 * "files" first for passwd (it answers from the file whenever the uid is
 * there); uids not in the file, or any other nsswitch setup, are asked of
 * getpwuid_r each time.  Re-read when the (mtime, inode, size, device) of
 * /etc/passwd or /etc/nsswitch.conf change, checked at most once per
 * DW_PEER_PASSWD_CHECK_MS.
 */
struct api_peer_cache;

/* What the gatekeeper keeps of a container inspect (api_gate_caller sizes). */
struct api_peer_container {
	char	id[API_PEER_ID_LEN + 1];
	char	name[256];		/* "/name" */
	char	image[512];		/* Config.Image */
	char	image_id[80];		/* Image, "sha256:..." */
};

/*
 * A new, empty cache reading proc_root ("/proc"), passwd ("/etc/passwd")
 * and nsswitch ("/etc/nsswitch.conf"); tests give other paths.  NULL on
 * ENOMEM.
 */
struct api_peer_cache *api_peer_cache_new(const char *proc_root,
	    const char *passwd, const char *nsswitch);
void	api_peer_cache_free(struct api_peer_cache *pc);

/*
 * The container whose cgroup path is path, if kept and still proven
 * (above): 0 and *ret, else -ENOENT (ask the engine, then _put).
 */
int	api_peer_cache_container_get(struct api_peer_cache *pc,
	    const char *path, struct api_peer_container *ret);

/*
 * Keep c for the cgroup path path; init_pid is the container's State.Pid,
 * whose cgroup path must be path now (the caller compared it).  0, or
 * -ESRCH when init_pid is gone or elsewhere (nothing kept), -EINVAL for a
 * path that does not fit.  Evicts the least recently used entry when full.
 */
int	api_peer_cache_container_put(struct api_peer_cache *pc,
	    const char *path, const struct api_peer_container *c,
	    pid_t init_pid);

/* Forget every kept container (a policy reload need not; tests do). */
void	api_peer_cache_container_flush(struct api_peer_cache *pc);

/*
 * The passwd entry of uid, as getpwuid_r: 0 with the name and home
 * directory copied (truncated to their sizes; either pointer may be NULL),
 * or -ENOENT when there is none (or getpwuid_r fails).
 */
int	api_peer_cache_user(struct api_peer_cache *pc, uid_t uid,
	    char *ret_name, size_t name_size, char *ret_home, size_t home_size);

/* How many user lookups went to the snapshot / to getpwuid_r (tests). */
void	api_peer_cache_user_counts(struct api_peer_cache *pc,
	    unsigned long *ret_hits, unsigned long *ret_misses);

#endif
