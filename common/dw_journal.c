/* dw_journal: entries for systemd-journald's native socket. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/dw_journal.h"

int
dw_journal_field(char *buf, size_t bufsz, size_t *off, const char *key,
    const char *val, size_t len)
{
	size_t		klen = strlen(key), need, o = *off, i;
	uint64_t	le = len;
	bool		binary = memchr(val, '\n', len) != NULL;

	need = klen + 1 + (binary ? 8 : 0) + len + 1;
	if (o > bufsz || need > bufsz - o)
		return -E2BIG;
	memcpy(buf + o, key, klen);
	o += klen;
	if (binary) {
		/* KEY\n, the value's length as 64-bit little endian, the value, \n */
		buf[o++] = '\n';
		for (i = 0; i < 8; i++, le >>= 8)
			buf[o++] = (char)(le & 0xff);
	} else
		buf[o++] = '=';
	memcpy(buf + o, val, len);
	o += len;
	buf[o++] = '\n';
	*off = o;
	return 0;
}

int
dw_journal_socket(void)
{
	int	fd;

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	return fd;
}

int
dw_journal_send(int fd, const char *path, const char *buf, size_t len)
{
	struct sockaddr_un	sun;

	if (path == NULL)
		path = DW_JOURNAL_SOCKET;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path));
	/* Unconnected: a restarted journald is found again at the next line. */
	if (sendto(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return -errno;
	return 0;
}

bool
dw_journal_stream_is_stderr(void)
{
	const char		*e = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 st;
	char			 extra;

	if (e == NULL || sscanf(e, "%llu:%llu%c", &dev, &ino, &extra) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}
