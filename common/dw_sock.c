/* dw_sock: unix stream socket helpers (see dw_sock.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/dw_limits.h"
#include "common/dw_sock.h"

/* Fill *sun with path; 0, or -ENAMETOOLONG when it does not fit. */
static int
sock_addr(struct sockaddr_un *sun, const char *path)
{
	size_t	len = strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (len >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memcpy(sun->sun_path, path, len + 1);
	return 0;
}

/* Create the directories above path (0755); 0 or -errno. */
static int
mkdir_parents(const char *path)
{
	char	buf[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char	*s;

	snprintf(buf, sizeof(buf), "%s", path);
	for (s = buf + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

int
dw_sock_listen(const char *path, mode_t mode, struct dw_err *err)
{
	struct sockaddr_un	sun;
	struct stat		st;
	int			fd, r;

	if (sock_addr(&sun, path) < 0) {
		dw_err_set(err, "socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	if ((r = mkdir_parents(path)) < 0) {
		dw_err_set(err, "cannot create the directory of %s: %s", path,
		    strerror(-r));
		return r;
	}
	/* Replace a stale socket, never another kind of file. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			dw_err_set(err, "%s exists and is not a socket", path);
			return -EEXIST;
		}
		unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		r = -errno;
		dw_err_set(err, "socket: %s", strerror(errno));
		return r;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, mode) < 0 || listen(fd, DW_SOCK_BACKLOG) < 0) {
		r = -errno;
		dw_err_set(err, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return r;
	}
	return fd;
}

int
dw_sock_connect(const char *path)
{
	struct sockaddr_un	sun;
	int			fd, r;

	if ((r = sock_addr(&sun, path)) < 0)
		return r;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int
dw_sock_write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				(void)poll(&pfd, 1, -1);
				continue;
			}
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
