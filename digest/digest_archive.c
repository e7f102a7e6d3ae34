/* digest_archive: shared libarchive helpers (see digest_archive.h). */
#include <errno.h>
#include <stdlib.h>

#include "digest/digest_archive.h"

struct archive *
digest_archive_tar_reader(void)
{
	struct archive	*a;

	if ((a = archive_read_new()) == NULL)
		return NULL;
	/*
	 * Only the compressions dockerd itself reads: "all" would include
	 * filters libarchive runs as external programs (lrzip, lzop, grzip)
	 * on untrusted input.
	 */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	return a;
}

int
digest_archive_entry_read(struct archive *a, size_t len, const char *what,
    unsigned char **ret, struct dw_err *err)
{
	unsigned char	*buf;
	size_t		 off = 0;
	la_ssize_t	 got;
	char		 extra;

	if ((buf = malloc(len + 1)) == NULL)
		return -ENOMEM;
	while (off < len) {
		got = archive_read_data(a, buf + off, len - off);
		if (got < 0) {
			dw_err_set(err, "%s", archive_error_string(a));
			free(buf);
			return -EIO;
		}
		if (got == 0)
			break;
		off += (size_t)got;
	}
	/* Declared sizes are what the limits were checked against: no more, no less. */
	if (off != len || archive_read_data(a, &extra, 1) != 0) {
		dw_err_set(err, "%s size does not match its header", what);
		free(buf);
		return -EPROTO;
	}
	buf[len] = '\0';
	*ret = buf;
	return 0;
}
