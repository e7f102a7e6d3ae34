/*
 * Unit tests for cli_explain: golden cases.  Each
 * tests/data/explain/cases/NAME.args holds the arguments of `dockward
 * explain`, one per line; NAME.out the expected standard output, then
 * "stderr: " lines, then "exit: N".  @DATA@ is tests/data/explain, @TMP@
 * a fresh 0700 directory that serves as the state directory: it holds the
 * registry cache (tests/data/explain/registry-cache.json, answers fetched
 * now) and a unix socket standing for the Docker socket.
 *
 * The policy is read with authz_settings_parse() (the file checks of the
 * loader want root-owned directories; they have tests of their own), and
 * the exit status for an unreadable policy goes through cli_explain_main.
 *
 * No network: the test is linked with --wrap for connect() and curl's
 * constructors; any network call fails the test.  A connect() to a unix
 * socket is explain asking the engine of --engine-socket (api_engine):
 * it is refused (EACCES) and counted apart, so the cases show what
 * explain says when that engine does not answer (test_cli_explain_engine
 * runs it against a fake engine).  The registry client is pulled in
 * through api_verify, and its curl_easy_init() is wrapped.
 * UPDATE_GOLDEN=1 rewrites the .out files (review the diff).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <curl/curl.h>

#include "cli/cli_explain.h"
#include "authz/authz_settings.h"
#include "tests/unit/read_file.h"

static char	data[PATH_MAX];	/* tests/data/explain */
static int	net_calls;	/* inet connect() and curl handles made */
static int	unix_calls;	/* connect() to a unix socket: --engine-socket */

/* ---- no network ---- */

int	__wrap_connect(int fd, const struct sockaddr *sa, socklen_t len);
CURL	*__wrap_curl_easy_init(void);
CURLM	*__wrap_curl_multi_init(void);

int
__wrap_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	(void)fd;
	(void)len;
	if (sa != NULL && sa->sa_family == AF_UNIX)
		unix_calls++;
	else
		net_calls++;
	errno = EACCES;
	return -1;
}

CURL *
__wrap_curl_easy_init(void)
{
	net_calls++;
	return NULL;
}

CURLM *
__wrap_curl_multi_init(void)
{
	net_calls++;
	return NULL;
}

/* ---- helpers ---- */

/* A fixture file, or NULL when there is none. */
static char *
slurp(const char *path)
{
	return test_file_read(path, NULL);
}

/* Replace every from in text by to (a new string). */
static char *
replace(const char *text, const char *from, const char *to)
{
	size_t		 n = 0, fl = strlen(from), tl = strlen(to);
	const char	*s;
	char		*out, *p;

	for (s = text; (s = strstr(s, from)) != NULL; s += fl)
		n++;
	assert_non_null(out = malloc(strlen(text) + n * (tl + 1) + 1));
	for (p = out, s = text; *s != '\0';) {
		if (strncmp(s, from, fl) == 0) {
			memcpy(p, to, tl);
			p += tl;
			s += fl;
		} else
			*p++ = *s++;
	}
	*p = '\0';
	return out;
}

static char *
expand(const char *text, const char *tmp)
{
	char	*a = replace(text, "@DATA@", data);
	char	*b = replace(a, "@TMP@", tmp);

	free(a);
	return b;
}

/* The state directory: the registry cache, fresh, and a socket. */
static void
state_make(char *tmp, size_t len)
{
	struct sockaddr_un	 sa;
	char			 path[PATH_MAX + 32], now[32], *raw, *text;
	FILE			*f;
	int			 fd;

	snprintf(tmp, len, "/tmp/dw-explain-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/registry-cache.json", data);
	assert_non_null(raw = slurp(path));
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	text = replace(raw, "@NOW@", now);
	snprintf(path, sizeof(path), "%s/registry-cache.json", tmp);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(text);
	free(raw);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	assert_true(strlen(tmp) < sizeof(sa.sun_path) - 16);
	memcpy(sa.sun_path, tmp, strlen(tmp));
	memcpy(sa.sun_path + strlen(tmp), "/docker.sock", 13);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
}

static void
state_remove(const char *tmp)
{
	char	cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

/* Run one case; its whole transcript (stdout, stderr lines, exit) in a new string. */
static char *
run_case(const char *name, const char *tmp)
{
	struct cli_explain_opts	 o;
	struct authz_settings	*s = NULL;
	struct dw_err		 err;
	char			 path[PATH_MAX + 300], *raw, *text, *line, *save = NULL;
	char			*argv[64], *out = NULL, *errs = NULL, *res, *el, *esave = NULL;
	size_t			 outlen = 0, errlen = 0, rlen;
	FILE			*fo, *fe;
	int			 argc = 0, rc;

	snprintf(path, sizeof(path), "%s/cases/%s.args", data, name);
	assert_non_null(raw = slurp(path));
	text = expand(raw, tmp);
	free(raw);
	argv[argc++] = "explain";
	for (line = strtok_r(text, "\n", &save); line != NULL && argc < 63;
	    line = strtok_r(NULL, "\n", &save))
		if (line[0] != '#')
			argv[argc++] = line;
	argv[argc] = NULL;
	assert_non_null(fo = open_memstream(&out, &outlen));
	assert_non_null(fe = open_memstream(&errs, &errlen));
	rc = cli_explain_opts_parse(argc, argv, &o, fe);
	if (rc == 0) {
		char *policy = slurp(o.settings_path);

		assert_non_null(policy);
		s = authz_settings_parse(policy, strlen(policy), o.settings_path, &err);
		free(policy);
		if (s == NULL)
			fail_msg("%s: %s", name, err.msg);
		rc = cli_explain_run(&o, s, fo, fe);
		authz_settings_free(s);
		cli_explain_opts_clear(&o);
	}
	fclose(fo);
	fclose(fe);
	rlen = outlen + 2 * errlen + 64 + strlen(errs) * 8;
	assert_non_null(res = malloc(rlen));
	snprintf(res, rlen, "%s", out);
	for (el = strtok_r(errs, "\n", &esave); el != NULL; el = strtok_r(NULL, "\n", &esave))
		snprintf(res + strlen(res), rlen - strlen(res), "stderr: %s\n", el);
	snprintf(res + strlen(res), rlen - strlen(res), "exit: %d\n", rc);
	free(out);
	free(errs);
	free(text);
	return res;
}

/* Compare line by line for a readable failure. */
static void
expect_same(const char *name, const char *got, const char *want)
{
	const char	*g = got, *w = want;
	size_t		 gl, wl, line = 1;

	for (; *g != '\0' || *w != '\0'; line++) {
		gl = strcspn(g, "\n");
		wl = strcspn(w, "\n");
		if (gl != wl || memcmp(g, w, gl) != 0)
			fail_msg("%s.out line %zu:\n got: %.*s\nwant: %.*s", name, line,
			    (int)gl, g, (int)wl, w);
		g += gl + (g[gl] == '\n');
		w += wl + (w[wl] == '\n');
	}
}

static void
test_golden(void **state)
{
	DIR		*d;
	struct dirent	*e;
	char		 dir[PATH_MAX + 16], tmp[PATH_MAX], path[PATH_MAX + 300], name[256];
	char		*got, *raw, *want, *a, *b;
	bool		 update = getenv("UPDATE_GOLDEN") != NULL;
	size_t		 n = 0, len;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/cases", data);
	assert_non_null(d = opendir(dir));
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".args") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), e->d_name);
		fprintf(stderr, "case %s\n", name);
		state_make(tmp, sizeof(tmp));
		got = run_case(name, tmp);
		snprintf(path, sizeof(path), "%s/cases/%s.out", data, name);
		if (update) {
			FILE *f;

			a = replace(got, tmp, "@TMP@");
			b = replace(a, data, "@DATA@");
			assert_non_null(f = fopen(path, "w"));
			fputs(b, f);
			fclose(f);
			free(a);
			free(b);
		} else {
			if ((raw = slurp(path)) == NULL)
				fail_msg("%s: missing", path);
			want = expand(raw, tmp);
			expect_same(name, got, want);
			free(raw);
			free(want);
		}
		free(got);
		state_remove(tmp);
		n++;
	}
	closedir(d);
	assert_true(n >= 10);
	assert_int_equal(net_calls, 0);
	/* socket-no-digest asks its --engine-socket for the image (refused here). */
	assert_true(unix_calls > 0);
}

/* A policy that cannot be read is exit status 3, usage errors 2. */
static void
test_exit_status(void **state)
{
	char	*argv[] = { "explain", "--settings", "/nonexistent/admin-settings.json",
	    "--", "docker", "ps", NULL };
	char	*argv2[] = { "explain", "--no-such-option", NULL };
	char	*argv3[] = { "explain", "--image-digest", "alpine=latest", "--", "docker",
	    "ps", NULL };
	char	*argv4[] = { "explain", NULL };

	(void)state;
	assert_int_equal(cli_explain_main(6, argv), 3);
	assert_int_equal(cli_explain_main(2, argv2), 2);
	assert_int_equal(cli_explain_main(6, argv3), 2);
	assert_int_equal(cli_explain_main(1, argv4), 2);
	assert_int_equal(net_calls, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_exit_status),
	};
	const char	*top = getenv("top_srcdir");

	snprintf(data, sizeof(data), "%s/tests/data/explain", top ? top : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
