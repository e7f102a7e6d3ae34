/* api_peer: the caller on a unix socket, from SO_PEERCRED, a pidfd and /proc. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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

/*
 * The supplementary groups on the "Groups:" line of /proc/<pid>/status
 * (NUL-terminated text).  0, -EPROTO (no or bad line), -E2BIG (over max).
 */
static int
status_groups(const char *buf, gid_t *groups, size_t max, size_t *ret_n)
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
stat_starttime(int dfd, char *ret_state, unsigned long long *ret_start)
{
	char			*buf = NULL, *p, *q, state;
	size_t			 len;
	unsigned long long	 v;
	int			 field, r;

	if ((r = read_bounded(dfd, "stat", DW_CGROUP_FILE_MAX, &buf,
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
 * Read groups and container ids of process p->pid into p: the files
 * dir/cgroup and dir/status, dir relative to dfd (the process's /proc
 * directory itself with ".", or "<proc_root>/<pid>" from AT_FDCWD).
 */
static int
peer_read(int dfd, const char *dir, struct api_peer *p, struct dw_err *err)
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
	free(buf);
	buf = NULL;
	snprintf(path, sizeof(path), "%s/status", dir);
	if ((r = read_bounded(dfd, path, DW_CGROUP_FILE_MAX, &buf,
	    &len)) != 0) {
		dw_err_set(err, "pid %ld: status: %s", (long)p->pid,
		    strerror(-r));
		goto out;
	}
	if ((r = status_groups(buf, p->groups, DW_PEER_GROUPS_MAX,
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
		r = peer_read(AT_FDCWD, path, &p, err);
	} else {
		/* No pidfd: one directory pins the process; start time around. */
		if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			r = errno == ENOENT ? -ESRCH : -errno;
			dw_err_set(err, "pid %ld: %s", (long)p.pid, strerror(-r));
			goto out;
		}
		if ((r = stat_starttime(dfd, &state0, &start0)) != 0) {
			dw_err_set(err, "pid %ld: stat: %s", (long)p.pid,
			    strerror(-r));
			goto out;
		}
		r = peer_read(dfd, ".", &p, err);
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
		if ((r = stat_starttime(dfd, &state1, &start1)) != 0) {
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
