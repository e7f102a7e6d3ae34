/*
 * Fuzz the docker command line translator of `dockward explain`
 * (cli_docker_translate): the input is the arguments after "docker",
 * separated by NUL bytes (at most ARGS_MAX of them).
 *
 * File access: the translator reads the files some flags name (--env-file,
 * --label-file, --security-opt seccomp=FILE).  A fuzzer must not read
 * whatever path it finds (a FIFO or /dev/stdin would hang it, /proc files
 * make runs irreproducible), so this target links with --wrap=fopen and,
 * while the translator runs, serves only plain file names (no '/') from a
 * private temp dir holding env.list, labels.txt and seccomp.json; any other
 * path fails with EACCES, and an fopen for writing aborts (the translator
 * must never write).  The temp dir is removed at exit.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_docker.h"

#define ARGS_MAX	128

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
FILE	*__real_fopen(const char *path, const char *mode);
FILE	*__wrap_fopen(const char *path, const char *mode);

static const struct {
	const char	*name, *text;
} files[] = {
	{ "env.list", "# comment\nFOO=bar\n\n  BAZ=qux\r\nHOME\nUNSET_IN_ENV_XYZ\n" },
	{ "labels.txt", "com.example.a=1\ncom.example.b\n" },
	{ "seccomp.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
	    "[{\"names\":[\"read\",\"write\",\"exit\"],\"action\":\"SCMP_ACT_ALLOW\"}]}\n" },
	{ "bad.json", "{\"defaultAction\":\n" },
};

static char	dir[64];
static bool	confined;

FILE *
__wrap_fopen(const char *path, const char *mode)
{
	char	p[256];

	if (!confined)
		return __real_fopen(path, mode);
	if (strchr(mode, 'w') != NULL || strchr(mode, 'a') != NULL ||
	    strchr(mode, '+') != NULL)
		abort();
	if (path[0] == '\0' || strchr(path, '/') != NULL || strcmp(path, ".") == 0 ||
	    strcmp(path, "..") == 0 || strlen(path) > 64) {
		errno = EACCES;
		return NULL;
	}
	snprintf(p, sizeof(p), "%s/%s", dir, path);
	return __real_fopen(p, mode);
}

static void
cleanup(void)
{
	char	p[256];
	size_t	i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i].name);
		unlink(p);
	}
	rmdir(dir);
}

static void
setup(void)
{
	char	p[256];
	FILE	*f;
	size_t	i;

	if (dir[0] != '\0')
		return;
	snprintf(dir, sizeof(dir), "/tmp/dw-fuzz-cli.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i].name);
		if ((f = __real_fopen(p, "w")) == NULL)
			abort();
		fputs(files[i].text, f);
		fclose(f);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cli_docker_plan	 plan;
	struct dw_err		 err;
	char			*buf, *argv[ARGS_MAX + 2], *s;
	size_t			 i, start;
	int			 argc = 0, r;

	setup();
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "docker";
	for (i = 0, start = 0; i <= size && argc <= ARGS_MAX; i++)
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	argv[argc] = NULL;
	memset(&plan, 0, sizeof(plan));
	confined = true;
	r = cli_docker_translate(argc, argv, &plan, &err);
	confined = false;
	if (r == 0 && plan.command == NULL)
		abort();
	for (i = 0; i < plan.n; i++) {
		if (plan.v[i].method == NULL || plan.v[i].uri == NULL)
			abort();
		if (plan.v[i].body != NULL) {
			s = json_dumps(plan.v[i].body, JSON_COMPACT | JSON_ENCODE_ANY);
			free(s);
		}
	}
	cli_docker_plan_clear(&plan);
	if (plan.v != NULL || plan.n != 0 || plan.command != NULL)
		abort();
	free(buf);
	return 0;
}
