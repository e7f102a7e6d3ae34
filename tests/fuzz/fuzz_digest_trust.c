/*
 * Fuzz the offline trust bundle reader and the trust store loader: the
 * input is written to a temporary file, read as a bundle (a tar of any
 * compression holding a docker save image or an OCI layout), then loaded
 * as a store file.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest/digest_trust.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char	fuzz_path[256];

/* Remove the temporary file at exit. */
static void
fuzz_cleanup(void)
{
	if (fuzz_path[0] != '\0')
		unlink(fuzz_path);
}

/* Replace the temporary file's content with data; 0 or -1. */
static int
fuzz_write(const uint8_t *data, size_t size)
{
	const char	*tmp = getenv("TMPDIR");
	size_t		 off = 0;
	ssize_t		 w;
	int		 fd;

	if (fuzz_path[0] == '\0') {
		snprintf(fuzz_path, sizeof(fuzz_path), "%s/fuzz_digest_trust.XXXXXX",
		    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
		if ((fd = mkstemp(fuzz_path)) < 0) {
			fuzz_path[0] = '\0';
			return -1;
		}
		atexit(fuzz_cleanup);
		close(fd);
	}
	if ((fd = open(fuzz_path, O_WRONLY | O_TRUNC)) < 0)
		return -1;
	while (off < size && (w = write(fd, data + off, size - off)) > 0)
		off += (size_t)w;
	close(fd);
	return off == size ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest_trust	t = { 0 }, s = { 0 };
	struct dw_err		err;

	if (fuzz_write(data, size) != 0)
		return 0;
	if (digest_trust_read_bundle(fuzz_path, &t, &err) == 0)
		digest_trust_clear(&t);
	if (digest_trust_load(fuzz_path, &s, &err) == 0) {
		/* Whatever loads must merge and find cleanly. */
		if (digest_trust_merge(&t, &s) == 0 && s.n > 0 &&
		    digest_trust_find(&t, s.images[0].name) == NULL)
			abort();
		digest_trust_clear(&s);
		digest_trust_clear(&t);
	}
	return 0;
}
