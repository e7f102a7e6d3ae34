/* api_peer: the caller on a unix socket, from SO_PEERCRED, a pidfd and /proc. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "api/api_peer.h"
#include "common/dw_file.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD	77	/* Linux 6.5; glibc 2.36 does not know it */
#endif

/* Prefixes and suffix a container runtime puts around an id in a cgroup name. */
static const char *const id_prefixes[] = {
	"docker-", "cri-containerd-", "crio-", "libpod-",
};
static const char id_suffix[] = ".scope";
/* Appended by the kernel to a v2 path whose cgroup was removed. */
static const char deleted_suffix[] = " (deleted)";

/* True when s[0..n) is exactly an id: API_PEER_ID_LEN lowercase hex digits. */
static bool
is_id(const char *s, size_t n)
{
	size_t	i;

	if (n != API_PEER_ID_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/*
 * The id in one path component c[0..n), after dropping at most one known
 * prefix and a ".scope" suffix; NULL when the component is not an id.
 */
static const char *
component_id(const char *c, size_t n)
{
	size_t	i, pl, sl = sizeof(id_suffix) - 1;

	for (i = 0; i < sizeof(id_prefixes) / sizeof(id_prefixes[0]); i++) {
		pl = strlen(id_prefixes[i]);
		if (n > pl && memcmp(c, id_prefixes[i], pl) == 0) {
			c += pl;
			n -= pl;
			break;
		}
	}
	if (n > sl && memcmp(c + n - sl, id_suffix, sl) == 0)
		n -= sl;
	return is_id(c, n) ? c : NULL;
}

/*
 * Add id (API_PEER_ID_LEN bytes inside the parsed buffer) to found[] unless
 * already there.  0, or -E2BIG when found[] already holds max ids.
 */
static int
found_add(const char **found, size_t *n, size_t max, const char *id)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if (memcmp(found[i], id, API_PEER_ID_LEN) == 0)
			return 0;
	if (*n >= max)
		return -E2BIG;
	found[(*n)++] = id;
	return 0;
}

/*
 * One line "hierarchy-ID:controllers:path" (no newline): check its shape
 * and add the ids of its path components to found[].  0, -EINVAL, -E2BIG.
 */
static int
cgroup_line(const char *line, size_t len, const char **found, size_t *n,
    size_t max)
{
	const char	*c1, *c2, *p, *end = line + len, *slash, *id;
	size_t		 dl = sizeof(deleted_suffix) - 1;
	int		 r;

	if ((c1 = memchr(line, ':', len)) == NULL || c1 == line)
		return -EINVAL;
	for (p = line; p < c1; p++)
		if (*p < '0' || *p > '9')
			return -EINVAL;
	if ((c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1))) == NULL)
		return -EINVAL;
	p = c2 + 1;
	if (p == end || *p != '/')
		return -EINVAL;
	if ((size_t)(end - p) > dl && memcmp(end - dl, deleted_suffix, dl) == 0)
		end -= dl;
	while (p < end) {
		if (*p == '/') {
			p++;
			continue;
		}
		if ((slash = memchr(p, '/', (size_t)(end - p))) == NULL)
			slash = end;
		if ((id = component_id(p, (size_t)(slash - p))) != NULL &&
		    (r = found_add(found, n, max, id)) != 0)
			return r;
		p = slash;
	}
	return 0;
}

/* Container ids in the text of /proc/<pid>/cgroup; see api_peer.h. */
int
api_peer_cgroup_parse(const char *buf, size_t len,
    char ids[][API_PEER_ID_LEN + 1], size_t max, size_t *ret_n,
    struct dw_err *err)
{
	const char	**found = NULL, *line, *nl, *end;
	size_t		  n = 0, cap, i, lineno = 0;
	int		  r;

	if (len > DW_CGROUP_FILE_MAX) {
		dw_err_set(err, "cgroup file: over %d bytes", DW_CGROUP_FILE_MAX);
		return -E2BIG;
	}
	if (buf == NULL || len == 0) {
		dw_err_set(err, "cgroup file: empty");
		return -EINVAL;
	}
	if (memchr(buf, '\0', len) != NULL) {
		dw_err_set(err, "cgroup file: NUL byte");
		return -EINVAL;
	}
	/* No more distinct ids than API_PEER_ID_LEN-byte runs fit in buf. */
	cap = len / API_PEER_ID_LEN;
	if (cap > max)
		cap = max;
	if ((found = calloc(cap > 0 ? cap : 1, sizeof(*found))) == NULL) {
		dw_err_set(err, "cgroup file: out of memory");
		return -ENOMEM;
	}
	for (line = buf, end = buf + len; line < end; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		if ((r = cgroup_line(line, (size_t)(nl - line), found, &n,
		    cap)) != 0) {
			if (r == -E2BIG)
				dw_err_set(err, "cgroup file: more than %zu "
				    "container ids", max);
			else
				dw_err_set(err, "cgroup file: line %zu is not "
				    "hierarchy:controllers:/path", lineno);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		memcpy(ids[i], found[i], API_PEER_ID_LEN);
		ids[i][API_PEER_ID_LEN] = '\0';
	}
	*ret_n = n;
	r = 0;
out:
	free(found);
	return r;
}

/*
 * One line's path (after "hierarchy:controllers:", " (deleted)" dropped)
 * into *ret_p and *ret_n; whether one of its components is a container id in
 * *ret_has_id.  The line was checked by cgroup_line().
 */
static void
line_path(const char *line, size_t len, const char **ret_p, size_t *ret_n,
    bool *ret_has_id)
{
	const char	*c1, *c2, *p, *end = line + len, *slash;
	size_t		 dl = sizeof(deleted_suffix) - 1;

	c1 = memchr(line, ':', len);
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	p = c2 + 1;
	if ((size_t)(end - p) > dl && memcmp(end - dl, deleted_suffix, dl) == 0)
		end -= dl;
	*ret_p = p;
	*ret_n = (size_t)(end - p);
	*ret_has_id = false;
	while (p < end) {
		if (*p == '/') {
			p++;
			continue;
		}
		if ((slash = memchr(p, '/', (size_t)(end - p))) == NULL)
			slash = end;
		if (component_id(p, (size_t)(slash - p)) != NULL)
			*ret_has_id = true;
		p = slash;
	}
}

/* The one cgroup path of a /proc/<pid>/cgroup text; see api_peer.h. */
int
api_peer_cgroup_path(const char *buf, size_t len, char *ret_path,
    size_t size, struct dw_err *err)
{
	char		 ids[API_PEER_IDS_MAX][API_PEER_ID_LEN + 1];
	const char	*line, *nl, *end, *p, *first = NULL;
	size_t		 n, nfirst = 0;
	bool		 has_id;
	int		 r;

	/* Same shape checks and limits as the id parser. */
	if ((r = api_peer_cgroup_parse(buf, len, ids, API_PEER_IDS_MAX, &n,
	    err)) != 0)
		return r;
	for (line = buf, end = buf + len; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		line_path(line, (size_t)(nl - line), &p, &n, &has_id);
		if (!has_id)
			continue;
		if (first == NULL) {
			first = p;
			nfirst = n;
		} else if (n != nfirst || memcmp(p, first, n) != 0) {
			dw_err_set(err, "cgroup file: its hierarchies name "
			    "different container cgroups");
			return -EXDEV;
		}
	}
	if (nfirst >= size) {
		dw_err_set(err, "cgroup file: a path is longer than %zu bytes",
		    size - 1);
		return -ENAMETOOLONG;
	}
	if (nfirst > 0)
		memcpy(ret_path, first, nfirst);
	ret_path[nfirst] = '\0';
	return 0;
}

/* The container id a cgroup path ends in; see api_peer.h. */
bool
api_peer_path_innermost_id(const char *path, char ret_id[API_PEER_ID_LEN + 1])
{
	const char	*last, *id;
	size_t		 n = strlen(path);

	while (n > 0 && path[n - 1] == '/')
		n--;
	for (last = path + n; last > path && last[-1] != '/'; last--)
		;
	if ((id = component_id(last, (size_t)(path + n - last))) == NULL)
		return false;
	memcpy(ret_id, id, API_PEER_ID_LEN);
	ret_id[API_PEER_ID_LEN] = '\0';
	return true;
}

/* The cgroup path of process pid under proc_root; see api_peer.h. */
int
api_peer_pid_cgroup_path(const char *proc_root, pid_t pid, char *ret_path,
    size_t size, struct dw_err *err)
{
	char	 path[PATH_MAX], *buf = NULL;
	size_t	 len;
	int	 n, r;

	if (pid <= 0) {
		dw_err_set(err, "pid %ld: not a process", (long)pid);
		return -ESRCH;
	}
	n = snprintf(path, sizeof(path), "%s/%ld/cgroup", proc_root, (long)pid);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		dw_err_set(err, "proc root path too long");
		return -ENAMETOOLONG;
	}
	r = dw_file_read_at(AT_FDCWD, path, O_NOFOLLOW, DW_CGROUP_FILE_MAX,
	    &buf, &len);
	if (r < 0) {
		if (r == -ENOENT)
			r = -ESRCH;
		dw_err_set(err, "pid %ld: cgroup: %s", (long)pid, strerror(-r));
		return r;
	}
	r = api_peer_cgroup_path(buf, len, ret_path, size, err);
	if (r < 0)
		dw_err_prefix(err, "pid %ld", (long)pid);
	free(buf);
	return r;
}

/*
 * Read the file name under dfd whole into a new NUL-terminated buffer of
 * at most max bytes.  0, -E2BIG, or -errno (ENOENT and ESRCH: -ESRCH, the
 * process is gone).
 */
static int
read_bounded(int dfd, const char *name, size_t max, char **ret_buf,
    size_t *ret_len)
{
	int	r;

	r = dw_file_read_at(dfd, name, O_NOFOLLOW, max, ret_buf, ret_len);
	return r == -ENOENT || r == -ESRCH ? -ESRCH : r;
}

/* The "Groups:" line of /proc/<pid>/status (see api_peer.h). */
int
api_peer_status_groups(const char *buf, gid_t *groups, size_t max, size_t *ret_n)
{
	static const char	 key[] = "Groups:";
	const char		*p = buf;
	unsigned long long	 v;
	size_t			 n = 0;

	for (;;) {
		if (strncmp(p, key, sizeof(key) - 1) == 0)
			break;
		if ((p = strchr(p, '\n')) == NULL)
			return -EPROTO;
		p++;
	}
	p += sizeof(key) - 1;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || *p == '\0')
			break;
		if (*p < '0' || *p > '9')
			return -EPROTO;
		for (v = 0; *p >= '0' && *p <= '9'; p++) {
			v = v * 10 + (unsigned long long)(*p - '0');
			if (v >= (gid_t)-1)
				return -EPROTO;
		}
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\0')
			return -EPROTO;
		if (n >= max)
			return -E2BIG;
		groups[n++] = (gid_t)v;
	}
	*ret_n = n;
	return 0;
}

/*
 * State and start time (fields 3 and 22) of /proc/<pid>/stat under dfd.
 * The command name (field 2) may hold anything, so parse after its last ')'.
 */
static int
stat_starttime(int dfd, const char *name, char *ret_state,
    unsigned long long *ret_start)
{
	char			*buf = NULL, *p, *q, state;
	size_t			 len;
	unsigned long long	 v;
	int			 field, r;

	if ((r = read_bounded(dfd, name, DW_CGROUP_FILE_MAX, &buf,
	    &len)) != 0)
		return r;
	r = -EPROTO;
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ' || p[2] == '\0')
		goto out;
	state = p[2];
	p += 2;
	/* p is at field 3; skip to field 22. */
	for (field = 3; field < 22; field++) {
		if ((p = strchr(p, ' ')) == NULL)
			goto out;
		p++;
	}
	errno = 0;
	v = strtoull(p, &q, 10);
	if (errno != 0 || q == p || (*q != ' ' && *q != '\n' && *q != '\0'))
		goto out;
	*ret_state = state;
	*ret_start = v;
	r = 0;
out:
	free(buf);
	return r;
}

/* pidfd_open(2), by syscall number: glibc 2.36 may lack the wrapper. */
static int
pidfd_open_sys(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * A pidfd for the peer of fd: SO_PEERPIDFD, else pidfd_open(pid).  0 with
 * *ret_pidfd; -ESRCH when the peer is gone; -ENOSYS when no pidfd can be
 * had (old kernel, seccomp), so the caller falls back to the start time.
 */
static int
peer_pidfd(int fd, pid_t pid, int *ret_pidfd)
{
	socklen_t	len = sizeof(int);
	int		pidfd = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0) {
		if (len == sizeof(int) && pidfd >= 0) {
			*ret_pidfd = pidfd;
			return 0;
		}
		if (pidfd >= 0)
			close(pidfd);
	} else if (errno == ESRCH || errno == EINVAL) {
		/* The kernel knows the option: the peer has been reaped. */
		return -ESRCH;
	}
	/* ENOPROTOOPT: before Linux 6.5. */
	if ((pidfd = pidfd_open_sys(pid)) >= 0) {
		*ret_pidfd = pidfd;
		return 0;
	}
	return errno == ESRCH ? -ESRCH : -ENOSYS;
}

/*
 * Has the process behind pidfd exited?  A pidfd polls readable once it has
 * (and POLLHUP once reaped).  0 no, 1 yes, -errno when poll fails.
 */
static int
pidfd_exited(int pidfd)
{
	struct pollfd	pfd;
	int		n;

	pfd.fd = pidfd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	while ((n = poll(&pfd, 1, 0)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return -errno;
	return n > 0 ? 1 : 0;
}

/*
 * The peer's supplementary groups from the socket (SO_PEERGROUPS, Linux
 * >= 4.13): those of the credentials SO_PEERCRED's uid and gid come
 * from, taken at connect().  0; -ENOPROTOOPT when the kernel does not
 * know the option (then /proc/<pid>/status is read); -E2BIG over
 * DW_PEER_GROUPS_MAX; another -errno.
 */
static int
peer_groups(int fd, struct api_peer *p, struct dw_err *err)
{
	socklen_t	len = (socklen_t)sizeof(p->groups);
	int		e;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, p->groups, &len) == 0) {
		p->ngroups = len / sizeof(gid_t);
		return 0;
	}
	if ((e = errno) == ENOPROTOOPT)
		return -ENOPROTOOPT;
	dw_err_set(err, "pid %ld: SO_PEERGROUPS: %s", (long)p->pid, e == ERANGE ?
	    "more supplementary groups than we accept" : strerror(e));
	return e == ERANGE ? -E2BIG : -e;
}

/*
 * Read container ids (and, with want_groups, groups) of process p->pid
 * into p: the files dir/cgroup (and dir/status), dir relative to dfd
 * (the process's /proc directory itself with ".", or "<proc_root>/<pid>"
 * from AT_FDCWD).
 */
static int
peer_read(int dfd, const char *dir, struct api_peer *p, bool want_groups,
    struct dw_err *err)
{
	char	*buf = NULL, path[PATH_MAX];
	size_t	 len;
	int	 r, n;

	n = snprintf(path, sizeof(path), "%s/cgroup", dir);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		dw_err_set(err, "peer: proc root path too long");
		return -ENAMETOOLONG;
	}
	if ((r = read_bounded(dfd, path, DW_CGROUP_FILE_MAX, &buf,
	    &len)) != 0) {
		dw_err_set(err, "pid %ld: cgroup: %s", (long)p->pid,
		    strerror(-r));
		goto out;
	}
	if ((r = api_peer_cgroup_parse(buf, len, p->ids, API_PEER_IDS_MAX,
	    &p->nids, err)) != 0) {
		dw_err_prefix(err, "pid %ld", (long)p->pid);
		goto out;
	}
	/* Hierarchies that name different containers: no path (see .h). */
	r = api_peer_cgroup_path(buf, len, p->path, sizeof(p->path), err);
	p->path_mixed = r == -EXDEV;
	if (r == -EXDEV)
		p->path[0] = '\0';
	else if (r != 0) {
		dw_err_prefix(err, "pid %ld", (long)p->pid);
		goto out;
	}
	r = 0;
	if (!want_groups)
		goto out;
	free(buf);
	buf = NULL;
	snprintf(path, sizeof(path), "%s/status", dir);
	if ((r = read_bounded(dfd, path, DW_CGROUP_FILE_MAX, &buf,
	    &len)) != 0) {
		dw_err_set(err, "pid %ld: status: %s", (long)p->pid,
		    strerror(-r));
		goto out;
	}
	if ((r = api_peer_status_groups(buf, p->groups, DW_PEER_GROUPS_MAX,
	    &p->ngroups)) != 0) {
		dw_err_set(err, "pid %ld: status: %s", (long)p->pid,
		    r == -E2BIG ? "more supplementary groups than we accept" :
		    "no readable Groups: line");
		goto out;
	}
out:
	free(buf);
	return r;
}

/*
 * Why fd gave no usable SO_PEERCRED: it is not a socket (-ENOTSOCK from
 * SO_PEERCRED itself), not a unix one, or its peer has no pid we can see.
 * Asked only then: on the usual path SO_PEERCRED with a pid proves a
 * connected AF_UNIX stream, and SO_DOMAIN would be one system call more
 * per connection for nothing.
 */
static int
peer_cred_error(int fd, int cred_errno, struct dw_err *err)
{
	socklen_t	len = sizeof(int);
	int		domain;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) {
		dw_err_set(err, "peer: SO_DOMAIN: %s", strerror(errno));
		return -errno;
	}
	if (domain != AF_UNIX) {
		dw_err_set(err, "peer: not a unix socket");
		return -EAFNOSUPPORT;
	}
	if (cred_errno != 0) {
		dw_err_set(err, "peer: SO_PEERCRED: %s", strerror(cred_errno));
		return -cred_errno;
	}
	dw_err_set(err, "peer: no pid (another pid namespace?)");
	return -ESRCH;
}

/* Identify the peer of fd, reading proc_root/<pid>; see api_peer.h. */
int
api_peer_identify_at(int fd, const char *proc_root, struct api_peer *ret,
    struct dw_err *err)
{
	struct api_peer		 p;
	struct ucred		 cred;
	socklen_t		 len;
	char			 path[PATH_MAX], state0, state1;
	unsigned long long	 start0, start1;
	int			 dfd = -1, pidfd = -1, r, n;
	bool			 want_groups;

	memset(&p, 0, sizeof(p));
	len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		r = peer_cred_error(fd, errno, err);
		goto out;
	}
	if (cred.pid <= 0) {
		r = peer_cred_error(fd, 0, err);
		goto out;
	}
	p.pid = cred.pid;
	p.uid = cred.uid;
	p.gid = cred.gid;
	/* The groups with the uid, from the socket: no /proc/<pid>/status to read. */
	if ((r = peer_groups(fd, &p, err)) != 0 && r != -ENOPROTOOPT)
		goto out;
	want_groups = r == -ENOPROTOOPT;

	/*
	 * No poll of the pidfd before the reads: a peer that is gone already
	 * is caught by the one after them, which every success passes.
	 */
	r = peer_pidfd(fd, p.pid, &pidfd);
	if (r == -ESRCH) {
		dw_err_set(err, "pid %ld: peer has exited", (long)p.pid);
		goto out;
	}
	p.pidfd_checked = r == 0;

	n = snprintf(path, sizeof(path), "%s/%ld", proc_root, (long)p.pid);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		r = -ENAMETOOLONG;
		dw_err_set(err, "peer: proc root path too long");
		goto out;
	}
	if (p.pidfd_checked) {
		/*
		 * The files by path, no directory held open: the pidfd, not
		 * yet readable after the reads, proves the peer lived from
		 * before the first open to after the last read, so <pid>
		 * named it (and no reuse) all along.
		 */
		r = peer_read(AT_FDCWD, path, &p, want_groups, err);
	} else {
		/* No pidfd: one directory pins the process; start time around. */
		if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			r = errno == ENOENT ? -ESRCH : -errno;
			dw_err_set(err, "pid %ld: %s", (long)p.pid, strerror(-r));
			goto out;
		}
		if ((r = stat_starttime(dfd, "stat", &state0, &start0)) != 0) {
			dw_err_set(err, "pid %ld: stat: %s", (long)p.pid,
			    strerror(-r));
			goto out;
		}
		r = peer_read(dfd, ".", &p, want_groups, err);
	}
	if (r != 0) {
		/* A process that exited under us explains any read error. */
		if (p.pidfd_checked && pidfd_exited(pidfd) != 0) {
			r = -ESRCH;
			dw_err_set(err, "pid %ld: peer exited while being "
			    "identified", (long)p.pid);
		}
		goto out;
	}

	/* Still the same, live process? */
	if (p.pidfd_checked) {
		if ((r = pidfd_exited(pidfd)) != 0) {
			if (r > 0)
				r = -ESRCH;
			dw_err_set(err, "pid %ld: %s", (long)p.pid, r == -ESRCH ?
			    "peer exited while being identified" :
			    "cannot poll its pidfd");
			goto out;
		}
	} else {
		if ((r = stat_starttime(dfd, "stat", &state1, &start1)) != 0) {
			dw_err_set(err, "pid %ld: stat: %s", (long)p.pid,
			    strerror(-r));
			goto out;
		}
		if (start0 != start1 || state1 == 'Z' || state1 == 'X' ||
		    state0 == 'Z' || state0 == 'X') {
			r = -ESRCH;
			dw_err_set(err, "pid %ld: peer exited while being "
			    "identified", (long)p.pid);
			goto out;
		}
	}
	*ret = p;
	r = 0;
out:
	if (dfd >= 0)
		close(dfd);
	if (pidfd >= 0)
		close(pidfd);
	return r;
}

/* Identify the peer of fd from /proc. */
int
api_peer_identify(int fd, struct api_peer *ret, struct dw_err *err)
{
	return api_peer_identify_at(fd, "/proc", ret, err);
}

/* ---- api_peer_cache ---- */

struct peer_kept {
	bool			 used;
	char			 path[API_PEER_PATH_MAX];	/* the key */
	struct api_peer_container c;
	pid_t			 init_pid;
	unsigned long long	 init_start;	/* /proc/<init_pid>/stat field 22 */
	time_t			 born;		/* CLOCK_MONOTONIC seconds */
	unsigned long long	 last;		/* use counter, for LRU */
};

struct peer_user {
	uid_t	 uid;
	char	*name;		/* into users_text */
	char	*home;
};

/* What identifies a file's content for us: its stat, or that it is missing. */
struct peer_stamp {
	int		 err;	/* stat's errno, 0 */
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtim;
};

struct api_peer_cache {
	pthread_mutex_t		 lock;
	char			*proc_root, *passwd, *nsswitch;
	struct peer_kept	 kept[DW_PEER_CONTAINERS_MAX];
	unsigned long long	 tick;
	/* The passwd snapshot. */
	bool			 users_loaded;
	bool			 users_usable;	/* nsswitch: files first; file read */
	struct timespec		 users_checked;	/* CLOCK_MONOTONIC */
	struct peer_stamp	 st_passwd, st_nsswitch;
	struct peer_user	*users;
	size_t			 nusers;
	unsigned long		 hits, misses;
};

static void	users_drop(struct api_peer_cache *);

struct api_peer_cache *
api_peer_cache_new(const char *proc_root, const char *passwd,
    const char *nsswitch)
{
	struct api_peer_cache	*pc;

	if ((pc = calloc(1, sizeof(*pc))) == NULL)
		return NULL;
	if ((pc->proc_root = strdup(proc_root)) == NULL ||
	    (pc->passwd = strdup(passwd)) == NULL ||
	    (pc->nsswitch = strdup(nsswitch)) == NULL ||
	    pthread_mutex_init(&pc->lock, NULL) != 0) {
		free(pc->proc_root);
		free(pc->passwd);
		free(pc->nsswitch);
		free(pc);
		return NULL;
	}
	return pc;
}

void
api_peer_cache_free(struct api_peer_cache *pc)
{
	if (pc == NULL)
		return;
	pthread_mutex_destroy(&pc->lock);
	users_drop(pc);
	free(pc->proc_root);
	free(pc->passwd);
	free(pc->nsswitch);
	free(pc);
}

static time_t
mono_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/*
 * Is process pid, started at start, alive (not a zombie) with cgroup path
 * path?  The cgroup is read before the stat: a live process with that
 * start time at the second read existed at the first, so both reads were
 * of it (a pid names one process for as long as it exists).
 */
static bool
kept_still_true(const char *proc_root, const char *path, pid_t pid,
    unsigned long long start)
{
	char			 now[API_PEER_PATH_MAX], name[PATH_MAX], state;
	unsigned long long	 st;
	int			 n;

	if (api_peer_pid_cgroup_path(proc_root, pid, now, sizeof(now),
	    NULL) != 0 || strcmp(now, path) != 0)
		return false;
	n = snprintf(name, sizeof(name), "%s/%ld/stat", proc_root, (long)pid);
	if (n < 0 || (size_t)n >= sizeof(name) ||
	    stat_starttime(AT_FDCWD, name, &state, &st) != 0)
		return false;
	return st == start && state != 'Z' && state != 'X';
}

/* The entry kept for path, or NULL; under pc->lock. */
static struct peer_kept *
kept_find(struct api_peer_cache *pc, const char *path)
{
	size_t	i;

	for (i = 0; i < DW_PEER_CONTAINERS_MAX; i++)
		if (pc->kept[i].used && strcmp(pc->kept[i].path, path) == 0)
			return &pc->kept[i];
	return NULL;
}

int
api_peer_cache_container_get(struct api_peer_cache *pc, const char *path,
    struct api_peer_container *ret)
{
	struct peer_kept	 k, *e;
	time_t			 now = mono_s();

	if (path[0] == '\0')
		return -ENOENT;
	pthread_mutex_lock(&pc->lock);
	if ((e = kept_find(pc, path)) == NULL) {
		pthread_mutex_unlock(&pc->lock);
		return -ENOENT;
	}
	if (now - e->born >= DW_PEER_CONTAINER_TTL_S) {
		e->used = false;
		pthread_mutex_unlock(&pc->lock);
		return -ENOENT;
	}
	k = *e;
	e->last = ++pc->tick;
	pthread_mutex_unlock(&pc->lock);

	/* The proof, outside the lock: it reads /proc. */
	if (!kept_still_true(pc->proc_root, path, k.init_pid, k.init_start)) {
		pthread_mutex_lock(&pc->lock);
		if ((e = kept_find(pc, path)) != NULL &&
		    e->init_pid == k.init_pid && e->init_start == k.init_start)
			e->used = false;
		pthread_mutex_unlock(&pc->lock);
		return -ENOENT;
	}
	*ret = k.c;
	return 0;
}

int
api_peer_cache_container_put(struct api_peer_cache *pc, const char *path,
    const struct api_peer_container *c, pid_t init_pid)
{
	struct peer_kept	*e, *victim;
	char			 now[API_PEER_PATH_MAX], name[PATH_MAX], state;
	unsigned long long	 start;
	size_t			 i;
	int			 n;

	if (path[0] == '\0' || strlen(path) >= sizeof(victim->path) ||
	    init_pid <= 0)
		return -EINVAL;
	/* The same order and proof as kept_still_true(), to learn the start. */
	if (api_peer_pid_cgroup_path(pc->proc_root, init_pid, now, sizeof(now),
	    NULL) != 0 || strcmp(now, path) != 0)
		return -ESRCH;
	n = snprintf(name, sizeof(name), "%s/%ld/stat", pc->proc_root,
	    (long)init_pid);
	if (n < 0 || (size_t)n >= sizeof(name) ||
	    stat_starttime(AT_FDCWD, name, &state, &start) != 0 ||
	    state == 'Z' || state == 'X')
		return -ESRCH;

	pthread_mutex_lock(&pc->lock);
	if ((victim = kept_find(pc, path)) == NULL) {
		for (i = 0; i < DW_PEER_CONTAINERS_MAX; i++) {
			e = &pc->kept[i];
			if (!e->used) {
				victim = e;
				break;
			}
			if (victim == NULL || e->last < victim->last)
				victim = e;
		}
	}
	memset(victim, 0, sizeof(*victim));
	victim->used = true;
	memcpy(victim->path, path, strlen(path) + 1);
	victim->c = *c;
	victim->init_pid = init_pid;
	victim->init_start = start;
	victim->born = mono_s();
	victim->last = ++pc->tick;
	pthread_mutex_unlock(&pc->lock);
	return 0;
}

void
api_peer_cache_container_flush(struct api_peer_cache *pc)
{
	size_t	i;

	pthread_mutex_lock(&pc->lock);
	for (i = 0; i < DW_PEER_CONTAINERS_MAX; i++)
		pc->kept[i].used = false;
	pthread_mutex_unlock(&pc->lock);
}

/* ---- users ---- */

static void
stamp_take(const char *path, struct peer_stamp *ret)
{
	struct stat	st;

	memset(ret, 0, sizeof(*ret));
	if (stat(path, &st) != 0) {
		ret->err = errno;
		return;
	}
	ret->dev = st.st_dev;
	ret->ino = st.st_ino;
	ret->size = st.st_size;
	ret->mtim = st.st_mtim;
}

static bool
stamp_same(const struct peer_stamp *a, const struct peer_stamp *b)
{
	return a->err == b->err && a->dev == b->dev && a->ino == b->ino &&
	    a->size == b->size && a->mtim.tv_sec == b->mtim.tv_sec &&
	    a->mtim.tv_nsec == b->mtim.tv_nsec;
}

/*
 * Does nsswitch.conf (text) make getpwuid_r ask "files" first, with the
 * default actions (so a uid found there is the answer)?  A missing passwd
 * line, another first source or an [action] after files: no.
 */
static bool
nsswitch_files_first(const char *text)
{
	const char	*p, *w, *next;
	size_t		 n, lines = 0;
	bool		 first = false;

	for (p = text; p != NULL && *p != '\0'; p = next) {
		if ((next = strchr(p, '\n')) != NULL)
			next++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "passwd:", 7) != 0)
			continue;
		lines++;	/* two passwd lines: not worth knowing which wins */
		p += 7;
		while (*p == ' ' || *p == '\t')
			p++;
		for (w = p; *w != '\0' && *w != ' ' && *w != '\t' &&
		    *w != '\n' && *w != '#'; w++)
			;
		n = (size_t)(w - p);
		while (*w == ' ' || *w == '\t')
			w++;
		first = n == 5 && memcmp(p, "files", 5) == 0 && *w != '[';
	}
	return lines == 1 && first;
}

/*
 * Snapshot text (the passwd file, NUL-terminated) into pc->users, in file
 * order: fgetpwent_r, glibc's own parser for that file, over the lines
 * before the first one longer than DW_PEER_PASSWD_LINE_MAX (getpwuid_r
 * reads each line into the caller's 4 KiB buffer and gives up on one that
 * does not fit: past such a line, it is asked itself).  Under pc->lock.
 */
static int
users_parse(struct api_peer_cache *pc, char *text, size_t len)
{
	struct passwd	 pw, *res;
	char		 buf[DW_PEER_PASSWD_LINE_MAX + 64], *p, *nl;
	size_t		 keep = 0, i;
	FILE		*f;
	int		 r = 0;

	for (p = text; p < text + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(text + len - p))) == NULL)
			nl = text + len;
		if ((size_t)(nl - p) > DW_PEER_PASSWD_LINE_MAX)
			break;
		keep = (size_t)(nl - text) + (nl < text + len ? 1 : 0);
	}
	if (keep == 0)
		return 0;
	if ((pc->users = calloc(DW_PEER_PASSWD_MAX, sizeof(*pc->users))) == NULL)
		return -ENOMEM;
	if ((f = fmemopen(text, keep, "r")) == NULL)
		return -errno;
	while (pc->nusers < DW_PEER_PASSWD_MAX) {
		if ((r = fgetpwent_r(f, &pw, buf, sizeof(buf), &res)) != 0 ||
		    res == NULL) {
			r = r == ENOENT ? 0 : -r;
			break;
		}
		for (i = 0; i < pc->nusers; i++)
			if (pc->users[i].uid == pw.pw_uid)
				break;
		if (i < pc->nusers)
			continue;	/* the first line for a uid answers */
		pc->users[pc->nusers].uid = pw.pw_uid;
		if ((pc->users[pc->nusers].name = strdup(pw.pw_name ?
		    pw.pw_name : "")) == NULL ||
		    (pc->users[pc->nusers].home = strdup(pw.pw_dir ?
		    pw.pw_dir : "")) == NULL) {
			free(pc->users[pc->nusers].name);
			r = -ENOMEM;
			break;
		}
		pc->nusers++;
	}
	fclose(f);
	return r;
}

/* Drop the snapshot; under pc->lock. */
static void
users_drop(struct api_peer_cache *pc)
{
	size_t	i;

	for (i = 0; i < pc->nusers; i++) {
		free(pc->users[i].name);
		free(pc->users[i].home);
	}
	free(pc->users);
	pc->users = NULL;
	pc->nusers = 0;
	pc->users_usable = false;
}

/*
 * Re-check the stamps (at most once per DW_PEER_PASSWD_CHECK_MS) and
 * reload when they moved; under pc->lock.  A failure leaves no usable
 * snapshot: every lookup then goes to getpwuid_r.
 */
static void
users_refresh(struct api_peer_cache *pc)
{
	struct peer_stamp	 sp, sn;
	struct timespec		 now;
	char			*text = NULL, *ns = NULL;
	size_t			 len, nlen;
	long long		 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(now.tv_sec - pc->users_checked.tv_sec) * 1000 +
	    (now.tv_nsec - pc->users_checked.tv_nsec) / 1000000;
	if (pc->users_loaded && ms < DW_PEER_PASSWD_CHECK_MS)
		return;
	pc->users_checked = now;
	stamp_take(pc->passwd, &sp);
	stamp_take(pc->nsswitch, &sn);
	if (pc->users_loaded && stamp_same(&sp, &pc->st_passwd) &&
	    stamp_same(&sn, &pc->st_nsswitch))
		return;
	users_drop(pc);
	pc->users_loaded = true;
	pc->st_passwd = sp;
	pc->st_nsswitch = sn;
	if (sp.err != 0 || sn.err != 0)
		return;
	if (dw_file_read_at(AT_FDCWD, pc->nsswitch, 0, DW_PEER_PASSWD_FILE_MAX,
	    &ns, &nlen) != 0)
		return;
	if (!nsswitch_files_first(ns) ||
	    dw_file_read_at(AT_FDCWD, pc->passwd, 0, DW_PEER_PASSWD_FILE_MAX,
	    &text, &len) != 0)
		goto out;
	if (users_parse(pc, text, len) != 0) {
		users_drop(pc);
		goto out;
	}
	pc->users_usable = true;
out:
	free(ns);
	free(text);
}

/* Copy src into dst[size] (NULL dst: nothing), truncated. */
static void
copy_out(char *dst, size_t size, const char *src)
{
	if (dst != NULL && size > 0)
		snprintf(dst, size, "%s", src != NULL ? src : "");
}

int
api_peer_cache_user(struct api_peer_cache *pc, uid_t uid, char *ret_name,
    size_t name_size, char *ret_home, size_t home_size)
{
	struct passwd	 pw, *res = NULL;
	char		 buf[4096];
	size_t		 i;

	pthread_mutex_lock(&pc->lock);
	users_refresh(pc);
	for (i = 0; pc->users_usable && i < pc->nusers; i++) {
		if (pc->users[i].uid != uid)
			continue;
		copy_out(ret_name, name_size, pc->users[i].name);
		copy_out(ret_home, home_size, pc->users[i].home);
		pc->hits++;
		pthread_mutex_unlock(&pc->lock);
		return 0;
	}
	pc->misses++;
	pthread_mutex_unlock(&pc->lock);
	/* Not in the file (or no usable snapshot): whatever nsswitch says. */
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -ENOENT;
	copy_out(ret_name, name_size, pw.pw_name);
	copy_out(ret_home, home_size, pw.pw_dir);
	return 0;
}

void
api_peer_cache_user_counts(struct api_peer_cache *pc, unsigned long *ret_hits,
    unsigned long *ret_misses)
{
	pthread_mutex_lock(&pc->lock);
	*ret_hits = pc->hits;
	*ret_misses = pc->misses;
	pthread_mutex_unlock(&pc->lock);
}
