/*
 * Replays a fuzz target's seed corpus as an ordinary test (make check), so
 * every seed runs under the same build flags as the other unit tests.  The
 * corpus is tests/fuzz/corpus/<name>, <name> being the program name without
 * its "replay_" prefix.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	const char	*top = getenv("top_srcdir");
	const char	*name = strrchr(argv[0], '/');
	char		 dir[4096], path[8192];
	struct dirent	*de;
	DIR		*d;
	FILE		*f;
	uint8_t		*buf;
	long		 len;
	int		 n = 0;

	name = name ? name + 1 : argv[0];
	if (strncmp(name, "replay_", 7) == 0)
		name += 7;
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top ? top : ".", name);
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "no corpus at %s\n", dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		buf = malloc(len > 0 ? (size_t)len : 1);
		if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
			fclose(f);
			free(buf);
			closedir(d);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
		n++;
	}
	closedir(d);
	printf("%s: %d seeds replayed\n", name, n);
	printf("%d passed, 0 failed\n", n);
	return n > 0 ? 0 : 1;
}
