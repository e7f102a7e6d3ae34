/*
 * dw_path: host paths as text, shared by the policy loader and the mount
 * and file-sharing rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "common/dw_err.h"
#include "common/dw_path.h"

/*
 * The host's root, when it is not ours: an O_PATH descriptor of it and
 * its name as /proc/self/fd spells it (the prefix of every name read
 * there).  root_fd -1: host paths are this process's own.
 */
static int	root_fd = -1;
static char	root_name[PATH_MAX];
static size_t	root_len;

/* How many times an in-root lookup is tried while a rename races it (-EAGAIN). */
#define ROOT_TRIES	4

/*
 * Open the host path path under the root, O_PATH: symlinks, "..", and
 * absolute names are resolved inside it by the kernel; magic links
 * (/proc/PID/root and the like) are refused, as they lead outside.
 * The descriptor, or -errno.
 */
static int
root_open(const char *path, bool follow)
{
	struct open_how	how = {
		.flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char	*rel = path;
	long		 fd = -1;
	int		 i;

	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		rel = ".";
	for (i = 0; i < ROOT_TRIES; i++) {
		fd = syscall(SYS_openat2, root_fd, rel, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd < 0 ? -errno : (int)fd;
}

/* The name of descriptor fd as the kernel gives it, into out (PATH_MAX). */
static int
fd_name(int fd, char *out)
{
	char	link[64];
	ssize_t	n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, out, PATH_MAX)) < 0)
		return -errno;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	out[n] = '\0';
	return 0;
}

int
dw_path_root_set(const char *dir, struct dw_err *err)
{
	char		real[PATH_MAX], name[PATH_MAX];
	struct stat	st;
	int		fd = -1, probe = -1, r;

	if (dir == NULL) {
		if (root_fd >= 0)
			close(root_fd);
		root_fd = -1;
		root_len = 0;
		root_name[0] = '\0';
		return 0;
	}
	if (dir[0] != '/') {
		dw_err_set(err, "host root \"%s\": not an absolute path", dir);
		return -EINVAL;
	}
	if (realpath(dir, real) == NULL ||
	    (fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = -errno;
		dw_err_set(err, "host root \"%s\": %s", dir, strerror(errno));
		goto out;
	}
	if ((r = fd_name(fd, name)) < 0) {
		dw_err_set(err, "host root \"%s\": cannot read its name in "
		    "/proc/self/fd: %s", dir, strerror(-r));
		goto out;
	}
	if (strcmp(name, real) != 0) {
		r = -EXDEV;
		dw_err_set(err, "host root \"%s\": /proc/self/fd names it \"%s\", "
		    "not \"%s\"", dir, name, real);
		goto out;
	}
	/* The kernel must resolve in a root: without openat2 nothing is safe. */
	{
		struct open_how	how = { .flags = O_PATH | O_CLOEXEC,
		    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };

		probe = (int)syscall(SYS_openat2, fd, ".", &how, sizeof(how));
		if (probe < 0) {
			r = -errno;
			dw_err_set(err, "host root \"%s\": openat2(RESOLVE_IN_ROOT): "
			    "%s (Linux 5.6 or later is needed)", dir, strerror(errno));
			goto out;
		}
		if (fstat(probe, &st) < 0 || !S_ISDIR(st.st_mode)) {
			r = -ENOTDIR;
			dw_err_set(err, "host root \"%s\": not a directory", dir);
			goto out;
		}
	}
	if (root_fd >= 0)
		close(root_fd);
	root_fd = fd;
	fd = -1;
	/* "/" itself as the root: every name is under it. */
	root_len = strcmp(real, "/") == 0 ? 0 : strlen(real);
	memcpy(root_name, real, strlen(real) + 1);
	r = 0;
out:
	if (probe >= 0)
		close(probe);
	if (fd >= 0)
		close(fd);
	return r;
}

const char *
dw_path_root(void)
{
	return root_fd >= 0 ? root_name : NULL;
}

int
dw_path_root_is_mount(const char *dir, struct dw_err *err)
{
	struct statx	a, b;
	char		up[PATH_MAX];
	int		r;

	/* Its parent by "..", as the kernel walks it: another mount below a mount point. */
	if (snprintf(up, sizeof(up), "%s/..", dir) >= (int)sizeof(up)) {
		dw_err_set(err, "host root \"%s\": too long", dir);
		return -ENAMETOOLONG;
	}
	if (statx(AT_FDCWD, dir, 0, STATX_MNT_ID, &a) < 0 ||
	    statx(AT_FDCWD, up, 0, STATX_MNT_ID, &b) < 0) {
		r = -errno;
		dw_err_set(err, "host root \"%s\": %s", dir, strerror(errno));
		return r;
	}
	if ((a.stx_mask & STATX_MNT_ID) == 0 || (b.stx_mask & STATX_MNT_ID) == 0) {
		dw_err_set(err, "host root \"%s\": the kernel gives no mount id "
		    "(Linux 5.8 or later is needed)", dir);
		return -ENOSYS;
	}
	if (a.stx_mnt_id == b.stx_mnt_id) {
		dw_err_set(err, "host root \"%s\": nothing is mounted there (it is "
		    "a directory of its parent's file system), so it is not the "
		    "host's \"/\"", dir);
		return -EXDEV;
	}
	return 0;
}

int
dw_path_realpath(const char *path, char *out)
{
	char		name[PATH_MAX];
	struct stat	st;
	int		fd, r;

	if (root_fd < 0)
		return realpath(path, out) != NULL ? 0 : -errno;
	if ((fd = root_open(path, true)) < 0)
		return fd;
	if ((r = fd_name(fd, name)) < 0)
		goto out;
	/* Removed meanwhile: its name has " (deleted)" after it. */
	if (fstat(fd, &st) < 0 || st.st_nlink == 0) {
		r = -ENOENT;
		goto out;
	}
	/* Never a name outside the root: that would be another tree's file. */
	if (strncmp(name, root_name, root_len) != 0 ||
	    (name[root_len] != '/' && name[root_len] != '\0') || name[0] != '/') {
		r = -EXDEV;
		goto out;
	}
	snprintf(out, PATH_MAX, "%s", name[root_len] == '\0' ? "/" : name + root_len);
	r = 0;
out:
	close(fd);
	return r;
}

int
dw_path_stat(const char *path, struct stat *ret)
{
	int	fd, r;

	if (root_fd < 0)
		return stat(path, ret) == 0 ? 0 : -errno;
	if ((fd = root_open(path, true)) < 0)
		return fd;
	r = fstat(fd, ret) == 0 ? 0 : -errno;
	close(fd);
	return r;
}

int
dw_path_statx(const char *path, int flags, unsigned int mask, struct statx *ret)
{
	int	fd, r;

	if (root_fd < 0)
		return statx(AT_FDCWD, path, flags, mask, ret) == 0 ? 0 : -errno;
	if ((fd = root_open(path, (flags & AT_SYMLINK_NOFOLLOW) == 0)) < 0)
		return fd;
	r = statx(fd, "", AT_EMPTY_PATH, mask, ret) == 0 ? 0 : -errno;
	close(fd);
	return r;
}

/* Lexically clean an absolute path: collapse "//", ".", ".."; no trailing '/'. */
void
dw_path_clean(const char *in, char *out, size_t len)
{
	size_t	o = 0, seglen;
	const char *p = in, *seg;

	if (len < 2) {
		if (len)
			out[0] = '\0';
		return;
	}
	out[o++] = '/';
	while (*p != '\0') {
		while (*p == '/')
			p++;
		seg = p;
		while (*p != '\0' && *p != '/')
			p++;
		seglen = (size_t)(p - seg);
		if (seglen == 0 || (seglen == 1 && seg[0] == '.'))
			continue;
		if (seglen == 2 && seg[0] == '.' && seg[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
			continue;
		}
		if (o > 1 && o < len)
			out[o++] = '/';
		if (o + seglen >= len)
			break;
		memcpy(out + o, seg, seglen);
		o += seglen;
	}
	out[o < len ? o : len - 1] = '\0';
}

/*
 * Resolve symlinks of the longest existing prefix of a clean absolute
 * path and append the rest (dockerd creates missing bind sources).
 */
bool
dw_path_resolve(const char *clean, char *out, size_t len)
{
	char	buf[PATH_MAX], real[PATH_MAX];
	char	*cut;
	size_t	plen;

	snprintf(buf, sizeof(buf), "%s", clean);
	for (;;) {
		if (dw_path_realpath(buf, real) == 0) {
			plen = strlen(buf);
			if (strcmp(real, "/") == 0 && clean[plen] == '/')
				snprintf(out, len, "%s", clean + plen);
			else
				snprintf(out, len, "%s%s", real, clean + plen);
			return clean[plen] == '\0';
		}
		cut = strrchr(buf, '/');
		if (cut == NULL || cut == buf) {
			snprintf(out, len, "%s", clean);
			return false;
		}
		*cut = '\0';
	}
}

/* True when x is p or below it; "/" protects only itself. */
bool
dw_path_at_or_under(const char *x, const char *p)
{
	size_t	n = strlen(p);

	if (strcmp(p, "/") == 0)
		return strcmp(x, "/") == 0;
	return strncmp(x, p, n) == 0 && (x[n] == '\0' || x[n] == '/');
}

/* True when x is a strict ancestor directory of p ("/" of every other path). */
bool
dw_path_above(const char *x, const char *p)
{
	size_t	n = strlen(x);

	if (strcmp(x, "/") == 0)
		return strcmp(p, "/") != 0;
	return strncmp(p, x, n) == 0 && p[n] == '/';
}

/*
 * dw_path_at_or_under(x, p) || dw_path_above(x, p), from lengths the
 * caller has: one memcmp where those two take a strlen, two strcmp and a
 * strncmp each.  A bind source is compared with every protected path, so
 * this runs some twenty times a bind.
 */
bool
dw_path_related(const char *x, size_t xlen, const char *p, size_t plen)
{
	/* "/" is p itself (p "/") or above it (any other p, "" included). */
	if (xlen == 1 && x[0] == '/')
		return true;
	/* p "/" protects only itself; only "" is above it (dw_path_above). */
	if (plen == 1 && p[0] == '/')
		return xlen == 0;
	/*
	 * Most paths part within their first two bytes ("/tmp", "/etc"):
	 * said here, where memcmp would say it after a call (a bind is
	 * checked against every protected path).
	 */
	if (xlen >= 2 && plen >= 2 && (x[0] != p[0] || x[1] != p[1]))
		return false;
	if (memcmp(x, p, xlen < plen ? xlen : plen) != 0)
		return false;
	/*
	 * x at or under p: x goes on with nothing or a '/' after p (a '/'
	 * p ends with is matched as written).  x above p: p goes on with a
	 * '/' after x.
	 */
	if (plen <= xlen)
		return plen == xlen || x[plen] == '/';
	return p[xlen] == '/';
}
