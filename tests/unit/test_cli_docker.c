/*
 * Unit tests for cli_docker: the requests recorded from the real
 * docker 20.10 CLI (the JSON files in tests/data/explain/recorded/, made with
 * tests/data/explain/record.py) must come out of the translator with the
 * same method and URI, in order, and bodies equal field by field (a field
 * the CLI sends as a Go zero value counts as absent, as dockerd decodes
 * it); then pflag forms, errors that name the flag, and files the CLI
 * reads.
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
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "cli/cli_docker.h"

static char	data[PATH_MAX];	/* tests/data/explain */

/* A Go zero value: null, false, 0, "", and arrays/objects of zero values. */
static bool
is_zero(const json_t *j)
{
	const json_t	*v;
	const char	*k;
	size_t		 i;

	if (j == NULL || json_is_null(j) || json_is_false(j))
		return true;
	if (json_is_integer(j))
		return json_integer_value(j) == 0;
	if (json_is_real(j))
		return json_real_value(j) == 0;
	if (json_is_string(j))
		return json_string_length(j) == 0;
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (!is_zero(v))
				return false;
		return true;
	}
	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v)
			if (!is_zero(v))
				return false;
		return true;
	}
	return false;
}

static int
strcmp_p(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Binds come from a Go map in the CLI: their order is random. */
static json_t *
sorted_strings(const json_t *a)
{
	const char	*v[64];
	json_t		*out = json_array();
	size_t		 i, n = json_array_size(a);

	assert_true(n <= 64);
	for (i = 0; i < n; i++)
		v[i] = json_string_value(json_array_get(a, i));
	qsort(v, n, sizeof(v[0]), strcmp_p);
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_string(v[i] ? v[i] : ""));
	return out;
}

/* Compare want (recorded) and got; fail naming the first differing path. */
static void
same(const json_t *want, const json_t *got, const char *path)
{
	char		 sub[512];
	const char	*k;
	json_t		*v;
	size_t		 i;

	if (is_zero(want) && is_zero(got))
		return;
	if (json_is_object(want) && json_is_object(got)) {
		json_object_foreach((json_t *)want, k, v) {
			snprintf(sub, sizeof(sub), "%s.%s", path, k);
			same(v, json_object_get(got, k), sub);
		}
		json_object_foreach((json_t *)got, k, v) {
			if (json_object_get(want, k) == NULL) {
				snprintf(sub, sizeof(sub), "%s.%s", path, k);
				same(NULL, v, sub);
			}
		}
		return;
	}
	if (json_is_array(want) && json_is_array(got) &&
	    json_array_size(want) == json_array_size(got)) {
		if (strstr(path, ".Binds") != NULL) {
			json_t *a = sorted_strings(want), *b = sorted_strings(got);
			bool eq = json_equal(a, b);

			json_decref(a);
			json_decref(b);
			if (!eq)
				fail_msg("%s: Binds differ", path);
			return;
		}
		for (i = 0; i < json_array_size(want); i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			same(json_array_get(want, i), json_array_get(got, i), sub);
		}
		return;
	}
	if (want != NULL && got != NULL && json_equal(want, got))
		return;
	{
		char *ws = want ? json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		char *gs = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

		fail_msg("%s: recorded %s, translated %s", path, ws ? ws : "(absent)",
		    gs ? gs : "(absent)");
	}
}

/* One recorded file against the translator. */
static void
check_recorded(const char *file)
{
	struct cli_docker_plan	 plan = { 0 };
	struct dw_err		 err;
	json_error_t		 jerr;
	json_t			*rec, *argv, *reqs, *r;
	char			 path[PATH_MAX + 300], *args[256];
	size_t			 i, k = 0, n;

	snprintf(path, sizeof(path), "%s/recorded/%s", data, file);
	if ((rec = json_load_file(path, 0, &jerr)) == NULL)
		fail_msg("%s: %s", path, jerr.text);
	argv = json_object_get(rec, "argv");
	reqs = json_object_get(rec, "requests");
	n = json_array_size(argv);
	assert_true(n > 1 && n < 256);
	assert_true(json_array_size(reqs) > 0);
	for (i = 0; i < n; i++)
		args[i] = (char *)json_string_value(json_array_get(argv, i));
	args[n] = NULL;
	if (cli_docker_translate((int)n, args, &plan, &err) < 0)
		fail_msg("%s: %s", file, err.msg);
	/* The recorded requests, in order, among the translated ones. */
	json_array_foreach(reqs, i, r) {
		const char *m = json_string_value(json_object_get(r, "method"));
		const char *u = json_string_value(json_object_get(r, "uri"));

		/* service create asks for the registry digest first; explain keeps the tag. */
		if (strncmp(u, "/v1.41/distribution/", 20) == 0)
			continue;
		while (k < plan.n && (strcmp(plan.v[k].method, m) != 0 ||
		    strcmp(plan.v[k].uri, u) != 0))
			k++;
		if (k == plan.n)
			fail_msg("%s: recorded %s %s not translated (first translated: %s %s)",
			    file, m, u, plan.n ? plan.v[0].method : "-", plan.n ? plan.v[0].uri : "-");
		snprintf(path, sizeof(path), "%s:%s %s body", file, m, u);
		same(json_object_get(r, "body"), plan.v[k].body, path);
		k++;
	}
	cli_docker_plan_clear(&plan);
	json_decref(rec);
}

static void
test_recorded(void **state)
{
	DIR		*d;
	struct dirent	*e;
	char		 dir[PATH_MAX + 16];
	size_t		 n = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/recorded", data);
	assert_non_null(d = opendir(dir));
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		fprintf(stderr, "recorded: %s\n", e->d_name);
		check_recorded(e->d_name);
		n++;
	}
	closedir(d);
	/* The recordings are there (a missing directory must not pass). */
	assert_true(n >= 20);
}

/* Translate a NULL-terminated command line; returns the translator's result. */
static int
tr(struct cli_docker_plan *plan, struct dw_err *err, ...)
{
	char	*args[64];
	va_list	 ap;
	int	 n = 0;

	va_start(ap, err);
	while (n < 63 && (args[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	args[n] = NULL;
	memset(plan, 0, sizeof(*plan));
	return cli_docker_translate(n, args, plan, err);
}

static const json_t *
hc(const struct cli_docker_plan *plan, size_t i)
{
	assert_true(i < plan->n);
	assert_non_null(plan->v[i].body);
	return json_object_get(plan->v[i].body, "HostConfig");
}

/* pflag forms: bundled shorts, -pVALUE, --flag=value, --bool=false, "--". */
static void
test_pflag_forms(void **state)
{
	struct cli_docker_plan	 p;
	struct dw_err		 err;
	const json_t		*h;

	(void)state;
	assert_int_equal(tr(&p, &err, "docker", "run", "-itd", "-p8080:80",
	    "--privileged=false", "--cap-add=NET_ADMIN", "-vdata:/d", "--rm=true",
	    "alpine", "--privileged", NULL), 0);
	h = hc(&p, 0);
	/* "--privileged" after the image is the container's argument. */
	assert_true(json_is_false(json_object_get(h, "Privileged")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    p.v[0].body, "Cmd"), 0)), "--privileged");
	assert_string_equal(json_string_value(json_array_get(json_object_get(h, "CapAdd"),
	    0)), "NET_ADMIN");
	assert_string_equal(json_string_value(json_array_get(json_object_get(h, "Binds"),
	    0)), "data:/d");
	assert_true(json_is_true(json_object_get(h, "AutoRemove")));
	assert_true(json_is_true(json_object_get(p.v[0].body, "Tty")));
	assert_true(json_is_true(json_object_get(p.v[0].body, "OpenStdin")));
	/* -d: nothing attached, and no attach/wait calls after create. */
	assert_true(json_is_false(json_object_get(p.v[0].body, "AttachStdout")));
	assert_int_equal(p.n, 2);
	assert_string_equal(p.v[1].uri, "/v1.41/containers/NEW_CONTAINER/start");
	assert_true(p.v[1].caller_only);
	assert_string_equal(json_string_value(json_object_get(json_object_get(h,
	    "PortBindings"), "80/tcp") ? json_object_get(json_array_get(json_object_get(
	    json_object_get(h, "PortBindings"), "80/tcp"), 0), "HostPort") : NULL), "8080");
	cli_docker_plan_clear(&p);

	/* Global flags before the command, management spellings. */
	assert_int_equal(tr(&p, &err, "/usr/bin/docker", "-H", "unix:///x.sock",
	    "--log-level=debug", "container", "run", "--net", "host", "alpine", NULL), 0);
	assert_string_equal(p.command, "run");
	assert_string_equal(json_string_value(json_object_get(hc(&p, 0), "NetworkMode")),
	    "host");
	cli_docker_plan_clear(&p);
}

/* Unknown commands and flags are errors that name them. */
static void
test_errors(void **state)
{
	struct cli_docker_plan	 p;
	struct dw_err		 err;

	(void)state;
	assert_int_equal(tr(&p, &err, "docker", "run", "--frobnicate", "alpine", NULL),
	    -EINVAL);
	assert_non_null(strstr(err.msg, "--frobnicate"));
	cli_docker_plan_clear(&p);
	assert_int_equal(tr(&p, &err, "docker", "run", "-Z", "alpine", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "'Z'"));
	cli_docker_plan_clear(&p);
	assert_int_equal(tr(&p, &err, "docker", "compose", "up", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "compose"));
	assert_non_null(strstr(err.msg, "--request"));
	cli_docker_plan_clear(&p);
	assert_int_equal(tr(&p, &err, "docker", "run", "--rm", "--restart", "always",
	    "alpine", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "--restart and --rm"));
	cli_docker_plan_clear(&p);
	assert_int_equal(tr(&p, &err, "docker", "run", "--mount", "type=bind,src=/x",
	    "alpine", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "target is required"));
	cli_docker_plan_clear(&p);
	assert_int_equal(tr(&p, &err, "docker", "run", NULL), -EINVAL);
	cli_docker_plan_clear(&p);
	assert_int_equal(tr(&p, &err, "podman", "ps", NULL), -EINVAL);
	cli_docker_plan_clear(&p);
	assert_int_equal(tr(&p, &err, "docker", "build", "--secret", "id=x", ".", NULL),
	    -EINVAL);
	assert_non_null(strstr(err.msg, "BuildKit"));
	cli_docker_plan_clear(&p);
}

/* Files the CLI reads into the request: seccomp profiles, env files. */
static void
test_files(void **state)
{
	struct cli_docker_plan	 p;
	struct dw_err		 err;
	char			 dir[] = "/tmp/dw-cli-XXXXXX", prof[64], envf[64];
	FILE			*f;
	const json_t		*so, *env;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(prof, sizeof(prof), "%s/p.json", dir);
	snprintf(envf, sizeof(envf), "%s/env", dir);
	assert_non_null(f = fopen(prof, "w"));
	fputs("{ \"defaultAction\" : \"SCMP_ACT_ALLOW\" }\n", f);
	fclose(f);
	assert_non_null(f = fopen(envf, "w"));
	fputs("# comment\nA=1\n\nB=2\n", f);
	fclose(f);
	char opt[128];

	snprintf(opt, sizeof(opt), "seccomp=%s", prof);
	assert_int_equal(tr(&p, &err, "docker", "create", "--security-opt", opt,
	    "--env-file", envf, "-e", "C=3", "alpine", NULL), 0);
	so = json_object_get(hc(&p, 0), "SecurityOpt");
	assert_string_equal(json_string_value(json_array_get(so, 0)),
	    "seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
	env = json_object_get(p.v[0].body, "Env");
	assert_int_equal(json_array_size(env), 3);
	assert_string_equal(json_string_value(json_array_get(env, 2)), "C=3");
	/* create makes no start call. */
	assert_int_equal(p.n, 1);
	cli_docker_plan_clear(&p);
	unlink(prof);
	assert_int_equal(tr(&p, &err, "docker", "create", "--security-opt", opt, "alpine",
	    NULL), -EINVAL);
	assert_non_null(strstr(err.msg, prof));
	cli_docker_plan_clear(&p);
	unlink(envf);
	rmdir(dir);
}

/* Commands with several requests, and run --pull always. */
static void
test_sequences(void **state)
{
	struct cli_docker_plan	 p;
	struct dw_err		 err;

	(void)state;
	assert_int_equal(tr(&p, &err, "docker", "system", "prune", "-a", "--volumes", NULL), 0);
	assert_int_equal(p.n, 5);
	assert_string_equal(p.v[2].uri, "/v1.41/volumes/prune");
	cli_docker_plan_clear(&p);
	assert_int_equal(tr(&p, &err, "docker", "run", "--pull", "always", "-d",
	    "registry.example/x:1", NULL), 0);
	assert_string_equal(p.v[0].uri,
	    "/v1.41/images/create?fromImage=registry.example%2Fx&tag=1");
	assert_string_equal(p.v[1].uri, "/v1.41/containers/create");
	cli_docker_plan_clear(&p);
	assert_int_equal(tr(&p, &err, "docker", "plugin", "install", "vieux/sshfs", NULL), 0);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.v[1].method, "POST");
	assert_non_null(strstr(p.v[1].uri, "/v1.41/plugins/pull?"));
	cli_docker_plan_clear(&p);
	assert_int_equal(tr(&p, &err, "docker", "rm", "-f", "a", "b", NULL), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.v[1].uri, "/v1.41/containers/b?force=1");
	cli_docker_plan_clear(&p);
	assert_int_equal(tr(&p, &err, "docker", "--version", NULL), 0);
	assert_string_equal(p.v[0].uri, "/v1.41/version");
	cli_docker_plan_clear(&p);
}

/*
 * docker run's calls after the create carry only their own query: the
 * CLI's ContainerAttach sends stream, stdin, stdout and stderr, never
 * the create's name or platform.
 */
static void
test_run_calls(void **state)
{
	struct cli_docker_plan	 p;
	struct dw_err		 err;

	(void)state;
	assert_int_equal(tr(&p, &err, "docker", "run", "--name", "web",
	    "--platform", "linux/amd64", "-i", "--rm", "alpine", NULL), 0);
	assert_int_equal(p.n, 4);
	assert_string_equal(p.v[0].uri,
	    "/v1.41/containers/create?name=web&platform=linux%2Famd64");
	assert_string_equal(p.v[1].uri,
	    "/v1.41/containers/web/attach?stderr=1&stdin=1&stdout=1&stream=1");
	assert_string_equal(p.v[2].uri,
	    "/v1.41/containers/web/wait?condition=removed");
	assert_string_equal(p.v[3].uri, "/v1.41/containers/web/start");
	assert_true(p.v[1].caller_only && p.v[2].caller_only && p.v[3].caller_only);
	cli_docker_plan_clear(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_pflag_forms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_run_calls),
	};
	const char	*top = getenv("top_srcdir");

	snprintf(data, sizeof(data), "%s/tests/data/explain", top ? top : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
