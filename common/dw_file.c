/* dw_file: bounded whole-file reads (see dw_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/dw_file.h"

int
dw_file_read_at(int dfd, const char *name, int oflags, size_t max,
    char **ret, size_t *ret_len)
{
	char	*buf = NULL;
	size_t	 len = 0;
	ssize_t	 n;
	int	 fd, r;

	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | oflags)) < 0)
		return -errno;
	/* One byte more than max tells "exactly max" from "longer". */
	if ((buf = malloc(max + 2)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	while (len <= max) {
		if ((n = read(fd, buf + len, max + 1 - len)) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		r = -E2BIG;
		goto out;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}
