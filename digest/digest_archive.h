/*
 * digest_archive: small helpers over libarchive shared by the readers of
 * image archives (digest_trust) and build contexts (digest_context).
 */
#ifndef DIGEST_ARCHIVE_H
#define DIGEST_ARCHIVE_H

#include <stddef.h>

#include <archive.h>

#include "common/dw_err.h"

/*
 * A new libarchive reader for tar, plain or compressed the ways dockerd
 * reads (gzip, bzip2, xz, zstd), and nothing else.  NULL on allocation
 * failure; free with archive_read_free.
 */
struct archive *digest_archive_tar_reader(void);

/*
 * Read the current entry's data, which must be exactly len bytes (the size
 * its header declared), into a new buffer of len + 1 bytes ending in a NUL
 * (caller frees).  what names the entry in messages ("member", "build
 * context: Dockerfile").  0; -EIO when libarchive fails (its reason in
 * err); -EPROTO when the data is shorter or longer than declared; -ENOMEM.
 */
int	digest_archive_entry_read(struct archive *a, size_t len, const char *what,
	    unsigned char **ret, struct dw_err *err);

#endif
