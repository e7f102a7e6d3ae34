/*
 * Unit tests for cli_explain_engine and explain's use of it: a fake
 * engine on a unix socket answers GET /volumes/X, /containers/X/json,
 * /networks/X and /images/X/json.  The lookups: found, 404, the next
 * socket when the first does not answer, every reason when none does, an
 * error status; only GETs are sent.  Then `dockward explain` with
 * --engine-socket on the fake: a volume bound with o=bind to a plain
 * directory is allowed and one bound to /etc denied, as the plugin
 * decides them; a --pid container:X is allowed or denied by X's own
 * PidMode; and with an engine that does not answer the verdict is the
 * offline one (engine.lookup) with a note saying why.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli_explain.h"
#include "cli/cli_explain_engine.h"
#include "authz/authz_settings.h"
#include "common/dw_sock.h"
#include "tests/unit/read_file.h"

#define ID_SIDE	"1111111111111111111111111111111111111111111111111111111111111111"
#define ID_IMG	"sha256:2222222222222222222222222222222222222222222222222222222222222222"

/* The fake engine: one thread, one request per connection (Connection: close). */
static struct {
	char		 dir[64];
	char		 path[128];
	char		 data[PATH_MAX];	/* a plain directory a volume binds */
	char		 state[64];		/* explain's --state-dir (protected) */
	int		 lfd;
	int		 wake[2];
	pthread_t	 t;
	pthread_mutex_t	 lock;
	unsigned	 gets, others;
} srv;

static char	top[PATH_MAX];

static void
srv_reply(int fd, int status, const char *body)
{
	char	head[256];

	snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, strlen(body));
	(void)dw_sock_write_all(fd, head, strlen(head));
	(void)dw_sock_write_all(fd, body, strlen(body));
}

/* Answer the request whose head is req. */
static void
srv_answer(int fd, const char *req)
{
	char	body[PATH_MAX + 256];

	pthread_mutex_lock(&srv.lock);
	if (strncmp(req, "GET ", 4) == 0)
		srv.gets++;
	else
		srv.others++;
	pthread_mutex_unlock(&srv.lock);
	if (strncmp(req, "GET /v1.24/volumes/bindvol ", 27) == 0) {
		snprintf(body, sizeof(body), "{\"Name\":\"bindvol\",\"Driver\":\"local\","
		    "\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"%s\"}}",
		    srv.data);
		srv_reply(fd, 200, body);
	} else if (strncmp(req, "GET /v1.24/volumes/etcvol ", 26) == 0)
		srv_reply(fd, 200, "{\"Name\":\"etcvol\",\"Driver\":\"local\",\"Options\":"
		    "{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}");
	else if (strncmp(req, "GET /v1.24/volumes/broken ", 26) == 0)
		srv_reply(fd, 500, "{\"message\":\"boom\"}");
	else if (strncmp(req, "GET /v1.24/containers/side/json ", 32) == 0)
		srv_reply(fd, 200, "{\"Id\":\"" ID_SIDE "\",\"Name\":\"/side\","
		    "\"HostConfig\":{\"PidMode\":\"\",\"NetworkMode\":\"default\"}}");
	else if (strncmp(req, "GET /v1.24/containers/hostpid/json ", 35) == 0)
		srv_reply(fd, 200, "{\"Id\":\"3333\",\"Name\":\"/hostpid\","
		    "\"HostConfig\":{\"PidMode\":\"host\",\"NetworkMode\":\"default\"}}");
	else if (strncmp(req, "GET /v1.24/networks/appnet ", 27) == 0)
		srv_reply(fd, 200, "{\"Name\":\"appnet\",\"Id\":\"4444\",\"Driver\":\"bridge\"}");
	else if (strncmp(req, "GET /v1.24/images/alpine%3A3/json ", 34) == 0)
		srv_reply(fd, 200, "{\"Id\":\"" ID_IMG "\",\"RepoDigests\":[],"
		    "\"RootFS\":{\"Type\":\"layers\",\"Layers\":[\"" ID_IMG "\"]}}");
	else
		srv_reply(fd, 404, "{\"message\":\"no such object\"}");
}

static void *
srv_run(void *arg)
{
	struct pollfd	pfd[2];
	char		req[4096];
	size_t		len;
	ssize_t		n;
	int		fd;

	(void)arg;
	for (;;) {
		pfd[0].fd = srv.wake[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = srv.lfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) < 0)
			continue;
		if (pfd[0].revents)
			break;
		if ((fd = accept(srv.lfd, NULL, NULL)) < 0)
			continue;
		len = 0;
		while (len < sizeof(req) - 1 &&
		    (n = recv(fd, req + len, sizeof(req) - 1 - len, 0)) > 0) {
			len += (size_t)n;
			req[len] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL) {
				srv_answer(fd, req);
				break;
			}
		}
		close(fd);
	}
	return NULL;
}

static int
srv_start(void **state)
{
	(void)state;
	snprintf(srv.dir, sizeof(srv.dir), "/tmp/test_cli_explain_engine.XXXXXX");
	if (mkdtemp(srv.dir) == NULL)
		return -1;
	snprintf(srv.state, sizeof(srv.state), "/tmp/test_cli_explain_state.XXXXXX");
	if (mkdtemp(srv.state) == NULL)
		return -1;
	snprintf(srv.path, sizeof(srv.path), "%s/engine.sock", srv.dir);
	snprintf(srv.data, sizeof(srv.data), "%s/data", srv.dir);
	if (mkdir(srv.data, 0755) != 0 ||
	    (srv.lfd = dw_sock_listen(srv.path, 0600, NULL)) < 0 || pipe(srv.wake) != 0)
		return -1;
	pthread_mutex_init(&srv.lock, NULL);
	return pthread_create(&srv.t, NULL, srv_run, NULL);
}

static int
srv_stop(void **state)
{
	(void)state;
	(void)!write(srv.wake[1], "x", 1);
	pthread_join(srv.t, NULL);
	close(srv.lfd);
	close(srv.wake[0]);
	close(srv.wake[1]);
	unlink(srv.path);
	rmdir(srv.data);
	rmdir(srv.dir);
	rmdir(srv.state);
	pthread_mutex_destroy(&srv.lock);
	return 0;
}

/* The lookups themselves. */
static void
test_inspect(void **state)
{
	struct cli_explain_engine	*e;
	struct dw_strv			 socks = { 0 };
	struct dw_err			 err;
	const char			*sock = NULL;
	json_t				*j = NULL;
	unsigned			 gets;

	(void)state;
	/* No socket: nothing asked. */
	assert_non_null(e = cli_explain_engine_new(&socks));
	assert_false(cli_explain_engine_any(e));
	assert_int_equal(cli_explain_engine_inspect(e, CLI_EXPLAIN_ENGINE_VOLUME, "x",
	    &j, &sock, &err), -EHOSTUNREACH);
	cli_explain_engine_free(e);

	/* A socket nobody listens on first, then the fake: the fake answers. */
	assert_int_equal(dw_strv_push(&socks, "/nonexistent/docker.sock"), 0);
	assert_int_equal(dw_strv_push(&socks, srv.path), 0);
	assert_non_null(e = cli_explain_engine_new(&socks));
	assert_true(cli_explain_engine_any(e));
	gets = srv.gets;
	assert_int_equal(cli_explain_engine_inspect(e, CLI_EXPLAIN_ENGINE_VOLUME,
	    "etcvol", &j, &sock, &err), 0);
	assert_string_equal(sock, srv.path);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j,
	    "Options"), "device")), "/etc");
	json_decref(j);
	assert_int_equal(cli_explain_engine_inspect(e, CLI_EXPLAIN_ENGINE_CONTAINER,
	    "side", &j, &sock, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "Id")), ID_SIDE);
	json_decref(j);
	assert_int_equal(cli_explain_engine_inspect(e, CLI_EXPLAIN_ENGINE_NETWORK,
	    "appnet", &j, &sock, &err), 0);
	json_decref(j);
	assert_int_equal(cli_explain_engine_inspect(e, CLI_EXPLAIN_ENGINE_IMAGE,
	    "alpine:3", &j, &sock, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "Id")), ID_IMG);
	json_decref(j);
	/* 404: the thing does not exist, which is an answer. */
	assert_int_equal(cli_explain_engine_inspect(e, CLI_EXPLAIN_ENGINE_VOLUME,
	    "nope", &j, &sock, &err), -ENOENT);
	assert_string_equal(sock, srv.path);
	/* An error status from the only engine that answers: no answer, each reason said. */
	assert_int_equal(cli_explain_engine_inspect(e, CLI_EXPLAIN_ENGINE_VOLUME,
	    "broken", &j, &sock, &err), -EHOSTUNREACH);
	assert_non_null(strstr(err.msg, "engine at /nonexistent/docker.sock unreachable"));
	assert_non_null(strstr(err.msg, "HTTP 500"));
	/* Read-only: six GETs reached the fake, nothing else. */
	assert_int_equal(srv.gets - gets, 6);
	assert_int_equal(srv.others, 0);
	cli_explain_engine_free(e);
	dw_strv_clear(&socks);
}

/* `dockward explain --engine-socket SOCK -- docker ARGS...`: its transcript and exit status. */
static int
explain(const char *sock, char **out, ...)
{
	struct cli_explain_opts	 o;
	struct authz_settings	*s;
	struct dw_err		 err;
	char			 policy[PATH_MAX + 64], *text, *argv[32], *a, *buf = NULL;
	char			*errs = NULL;
	size_t			 len = 0, elen = 0;
	va_list			 ap;
	FILE			*fo, *fe;
	int			 argc = 0, rc;

	snprintf(policy, sizeof(policy), "%s/tests/data/explain/policies/eci.json", top);
	argv[argc++] = "explain";
	argv[argc++] = "--settings";
	argv[argc++] = policy;
	argv[argc++] = "--state-dir";
	argv[argc++] = srv.state;
	if (sock != NULL) {
		argv[argc++] = "--engine-socket";
		argv[argc++] = (char *)sock;
	}
	argv[argc++] = "--";
	va_start(ap, out);
	while ((a = va_arg(ap, char *)) != NULL && argc < 31)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	assert_non_null(fo = open_memstream(&buf, &len));
	assert_non_null(fe = open_memstream(&errs, &elen));
	assert_int_equal(cli_explain_opts_parse(argc, argv, &o, fe), 0);
	assert_non_null(text = test_file_read(policy, NULL));
	if ((s = authz_settings_parse(text, strlen(text), policy, &err)) == NULL)
		fail_msg("%s: %s", policy, err.msg);
	free(text);
	rc = cli_explain_run(&o, s, fo, fe);
	authz_settings_free(s);
	cli_explain_opts_clear(&o);
	fclose(fo);
	fclose(fe);
	fprintf(stderr, "%s%s", buf, errs);
	free(errs);
	*out = buf;
	return rc;
}

/* The verdicts that need dockerd's facts, with and without it. */
static void
test_explain(void **state)
{
	char	*out, bind[PATH_MAX + 16];

	(void)state;
	/* A volume bound (o=bind) to a plain directory: allowed, as the plugin does. */
	assert_int_equal(explain(srv.path, &out, "docker", "run", "-v", "bindvol:/data",
	    "alpine", NULL), 0);
	assert_non_null(strstr(out, "decision: allow"));
	assert_non_null(strstr(out, "note: fact: dockerd at "));
	assert_non_null(strstr(out, " answered GET /volumes/bindvol"));
	free(out);
	/* The same volume offline: unknown, so denied (engine.lookup). */
	assert_int_equal(explain(NULL, &out, "docker", "run", "-v", "bindvol:/data",
	    "alpine", NULL), 1);
	assert_non_null(strstr(out, "rule: engine.lookup"));
	free(out);
	/* A volume bound to /etc: denied for what dockerd says it binds. */
	assert_int_equal(explain(srv.path, &out, "docker", "run", "-v", "etcvol:/data",
	    "alpine", NULL), 1);
	assert_null(strstr(out, "rule: engine.lookup"));
	assert_non_null(strstr(out, "/etc"));
	free(out);
	/* A volume that does not exist: dockerd creates a plain one: allowed. */
	assert_int_equal(explain(srv.path, &out, "docker", "run", "-v", "newvol:/data",
	    "alpine", NULL), 0);
	assert_non_null(strstr(out, "with 404 (no such one)"));
	free(out);
	/* container:X namespaces judged by X's own settings. */
	assert_int_equal(explain(srv.path, &out, "docker", "run", "--pid",
	    "container:side", "alpine", NULL), 0);
	assert_non_null(strstr(out, "decision: allow"));
	free(out);
	assert_int_equal(explain(srv.path, &out, "docker", "run", "--pid",
	    "container:hostpid", "alpine", NULL), 1);
	assert_null(strstr(out, "rule: engine.lookup"));
	assert_non_null(strstr(out, "hostpid"));
	free(out);
	/* An engine that does not answer: the offline verdict, and why. */
	snprintf(bind, sizeof(bind), "%s/none.sock", srv.dir);
	assert_int_equal(explain(bind, &out, "docker", "run", "-v", "bindvol:/data",
	    "alpine", NULL), 1);
	assert_non_null(strstr(out, "rule: engine.lookup"));
	assert_non_null(strstr(out, "no --engine-socket answered (engine at "));
	assert_non_null(strstr(out, "none.sock unreachable"));
	free(out);
	assert_int_equal(srv.others, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inspect),
		cmocka_unit_test(test_explain),
	};
	const char	*t = getenv("top_srcdir");

	snprintf(top, sizeof(top), "%s", t != NULL ? t : ".");
	return cmocka_run_group_tests(tests, srv_start, srv_stop);
}
