/*
 * Unit tests for cli_doctor: daemon.json fixtures (tests/data/doctor/),
 * dockerd command lines written as /proc trees under a mkdtemp directory,
 * the engine.tcp verdict for each kind of listener, unix socket
 * permissions, the policy's exposeDockerAPIOnTCP2375, and whole runs of
 * `dockward doctor` compared line by line with tests/data/doctor/expected-*.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli_doctor.h"
#include "cli/cli_doctor_probe.h"
#include "cli/cli_doctor_fleet.h"
#include "api/api_plugin.h"
#include "common/dw_sock.h"
#include "authz/authz_settings.h"
#include "registry/registry_auth.h"
#include "tests/unit/read_file.h"

/* The fixture directory, tests/data/doctor. */
static char	data[PATH_MAX];

/* The path of fixture `name`; the last 8 answers stay valid. */
static const char *
fixture(const char *name)
{
	static char	paths[8][PATH_MAX];
	static size_t	next;
	char		*path = paths[next++ % 8];

	if (snprintf(path, PATH_MAX, "%s/%s", data, name) >= PATH_MAX)
		fail_msg("fixture path too long");
	return path;
}

/* A fresh temporary directory (removed with rm -rf by tmp_remove). */
static void
tmp_make(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/dw-doctor-XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void
tmp_remove(const char *dir)
{
	char	cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Write <proc>/<pid>/cmdline from a NULL-terminated argv, NUL-separated. */
static void
proc_write(const char *proc, int pid, const char *const *argv)
{
	char	path[PATH_MAX];
	FILE	*f;
	size_t	i;

	snprintf(path, sizeof(path), "%s/%d", proc, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/cmdline", proc, pid);
	assert_non_null(f = fopen(path, "w"));
	for (i = 0; argv[i] != NULL; i++)
		assert_int_equal(fwrite(argv[i], 1, strlen(argv[i]) + 1, f),
		    strlen(argv[i]) + 1);
	assert_int_equal(fclose(f), 0);
}

/* Read a whole file into a NUL-terminated buffer (caller frees). */
static char *
slurp(const char *path, size_t *ret_len)
{
	char	*buf;

	assert_non_null(buf = test_file_read(path, ret_len));
	return buf;
}

/* The finding of check `check` whose message contains `needle`, or NULL. */
static const struct cli_doctor_report_finding *
finding_find(const struct cli_doctor_report *rep, const char *check,
    const char *needle)
{
	size_t	i;

	for (i = 0; i < rep->n; i++)
		if (strcmp(rep->v[i].check, check) == 0 &&
		    strstr(rep->v[i].msg, needle) != NULL)
			return &rep->v[i];
	return NULL;
}

/* How many findings of check `check` rep holds. */
static size_t
finding_count(const struct cli_doctor_report *rep, const char *check)
{
	size_t	i, n = 0;

	for (i = 0; i < rep->n; i++)
		n += strcmp(rep->v[i].check, check) == 0;
	return n;
}

static void
report_dump(const struct cli_doctor_report *rep)
{
	cli_doctor_report_print(rep, stderr);
}

/* ---- daemon.json ---- */

struct json_case {
	const char	*file;
	int		 rc;
	const char	*host;		/* the last host, when rc == 0 */
	size_t		 nhosts;
	bool		 tls, tlsverify_set, tlsverify;
	bool		 dockward;	/* "dockward" among authorization-plugins */
	const char	*err;		/* in the error text, when rc != 0 */
};

static const struct json_case json_cases[] = {
	{ "tcp-plain.json", 0, "tcp://0.0.0.0:2375", 2, false, false, false, false, NULL },
	{ "tls-only.json", 0, "tcp://0.0.0.0:2376", 1, true, false, false, false, NULL },
	{ "tls-noverify.json", 0, "tcp://0.0.0.0:2376", 1, true, true, false, false, NULL },
	{ "tlsverify.json", 0, "tcp://0.0.0.0:2376", 2, false, true, true, false, NULL },
	{ "unix-only.json", 0, "unix:///run/dockward/engine.sock", 1, false, false, false,
	    true, NULL },
	{ "no-authz.json", 0, NULL, 0, false, false, false, false, NULL },
	{ "bom.json", 0, NULL, 0, false, false, false, true, NULL },
	{ "malformed.json", -EINVAL, NULL, 0, false, false, false, false, "malformed JSON at line 2" },
	{ "wrong-type.json", -EINVAL, NULL, 0, false, false, false, false,
	    "\"hosts\" must be an array of strings" },
	{ "wrong-tls.json", -EINVAL, NULL, 0, false, false, false, false,
	    "\"tlsverify\" must be true or false" },
	{ "top-array.json", -EINVAL, NULL, 0, false, false, false, false, "must be a JSON object" },
	{ "absent.json", -ENOENT, NULL, 0, false, false, false, false, "No such file" },
};

static void
test_daemon_json(void **state)
{
	const struct json_case		*c = *state;
	struct cli_doctor_engine	 e = { 0 };
	struct dw_err			 err = { "" };
	int				 rc;

	rc = cli_doctor_daemon_json_parse(fixture(c->file), &e, &err);
	if (rc != c->rc)
		fail_msg("%s: rc %d, want %d (%s)", c->file, rc, c->rc, err.msg);
	if (rc == 0) {
		assert_int_equal(e.hosts.n, c->nhosts);
		if (c->host != NULL)
			assert_string_equal(e.hosts.v[e.hosts.n - 1], c->host);
		assert_int_equal(e.tls, c->tls);
		assert_int_equal(e.tlsverify_set, c->tlsverify_set);
		assert_int_equal(e.tlsverify, c->tlsverify);
		assert_int_equal(dw_strv_contains(&e.authz_plugins, "dockward"),
		    c->dockward);
	} else {
		/* Every error names the file. */
		assert_non_null(strstr(err.msg, fixture(c->file)));
		assert_non_null(strstr(err.msg, c->err));
	}
	cli_doctor_engine_clear(&e);
}

/* tlscacert is kept; an explicit tlsverify in the file wins over nothing. */
static void
test_daemon_json_merge(void **state)
{
	struct cli_doctor_engine	e = { 0 };
	struct dw_err			err;

	(void)state;
	assert_int_equal(dw_strv_push(&e.hosts, "fd://"), 0);
	assert_int_equal(cli_doctor_daemon_json_parse(fixture("tlsverify.json"), &e,
	    &err), 0);
	assert_int_equal(e.hosts.n, 3);
	assert_string_equal(e.hosts.v[0], "fd://");
	assert_string_equal(e.tlscacert, "/etc/docker/ca.pem");
	cli_doctor_engine_clear(&e);
	assert_null(e.hosts.v);
	cli_doctor_engine_clear(&e);
}

/* ---- dockerd command lines, as /proc trees ---- */

struct cmd_case {
	const char	*name;
	const char	*argv[12];	/* NULL-terminated */
	int		 rc;
	const char	*hosts[4];	/* NULL-terminated, when rc == 0 */
	bool		 tls, tlsverify_set, tlsverify;
	const char	*config_file;
	const char	*plugin;
};

#define T0	"tcp://0.0.0.0:2375"
/* Rows: argv, rc, hosts, tls, tlsverify_set, tlsverify, config_file, plugin. */
#define NONE	{ NULL }
static const struct cmd_case cmd_cases[] = {
	{ "-H X", { "dockerd", "-H", T0, NULL }, 0, { T0 }, 0, 0, 0, NULL, NULL },
	{ "-HX", { "dockerd", "-H" T0, NULL }, 0, { T0 }, 0, 0, 0, NULL, NULL },
	{ "-H=X", { "dockerd", "-H=" T0, NULL }, 0, { T0 }, 0, 0, 0, NULL, NULL },
	{ "--host=X", { "dockerd", "--host=" T0, NULL }, 0, { T0 }, 0, 0, 0, NULL, NULL },
	{ "--host X", { "dockerd", "--host", T0, NULL }, 0, { T0 }, 0, 0, 0, NULL, NULL },
	{ "-DH X (bool shorthand first)", { "dockerd", "-DH", T0, NULL }, 0, { T0 },
	    0, 0, 0, NULL, NULL },
	{ "several, with fd:// and unix",
	    { "/usr/bin/dockerd", "-H", "fd://", "--host=unix:///run/x.sock", "-H" T0,
	    "--containerd=/run/containerd/containerd.sock", NULL }, 0,
	    { "fd://", "unix:///run/x.sock", T0 }, 0, 0, 0, NULL, NULL },
	{ "value flags are skipped", { "dockerd", "--log-level", "debug", "-G", "docker",
	    "-p", "/run/docker.pid", "-H", T0, NULL }, 0, { T0 }, 0, 0, 0, NULL, NULL },
	{ "-G's value is not a host", { "dockerd", "-GH", NULL }, 0, NONE, 0, 0, 0,
	    NULL, NULL },
	{ "--tls", { "dockerd", "--tls", "-H", T0, NULL }, 0, { T0 }, 1, 0, 0, NULL, NULL },
	{ "--tlsverify", { "dockerd", "--tlsverify", NULL }, 0, NONE, 0, 1, 1, NULL, NULL },
	{ "--tls --tlsverify=false", { "dockerd", "--tls", "--tlsverify=false", NULL }, 0,
	    NONE, 1, 1, 0, NULL, NULL },
	{ "--tls=false", { "dockerd", "--tls=false", NULL }, 0, NONE, 0, 0, 0, NULL, NULL },
	{ "--tlsverify=1", { "dockerd", "--tlsverify=1", NULL }, 0, NONE, 0, 1, 1, NULL,
	    NULL },
	{ "--config-file X", { "dockerd", "--config-file", "/etc/d.json", NULL }, 0, NONE,
	    0, 0, 0, "/etc/d.json", NULL },
	{ "--config-file=X", { "dockerd", "--config-file=/etc/d.json", NULL }, 0, NONE,
	    0, 0, 0, "/etc/d.json", NULL },
	{ "--authorization-plugin=X", { "dockerd", "--authorization-plugin=dockward", NULL },
	    0, NONE, 0, 0, 0, NULL, "dockward" },
	{ "--authorization-plugin X", { "dockerd", "--authorization-plugin", "dockward",
	    NULL }, 0, NONE, 0, 0, 0, NULL, "dockward" },
	{ "-- ends the flags", { "dockerd", "--", "-H", T0, NULL }, 0, NONE, 0, 0, 0,
	    NULL, NULL },
	{ "--tls=maybe", { "dockerd", "--tls=maybe", NULL }, -EINVAL, NONE, 0, 0, 0,
	    NULL, NULL },
	{ "-H without its value", { "dockerd", "-H", NULL }, -EINVAL, NONE, 0, 0, 0,
	    NULL, NULL },
	{ "--host without its value", { "dockerd", "--host", NULL }, -EINVAL, NONE, 0, 0,
	    0, NULL, NULL },
	{ "containerd", { "containerd", "-H", T0, NULL }, -ENOENT, NONE, 0, 0, 0, NULL,
	    NULL },
	{ "dockerd-rootless.sh", { "/usr/bin/dockerd-rootless.sh", NULL }, -ENOENT, NONE,
	    0, 0, 0, NULL, NULL },
};

static void
test_cmdline(void **state)
{
	const struct cmd_case		*c = *state;
	struct cli_doctor_engine	 e = { 0 };
	struct dw_err			 err = { "" };
	char				 proc[PATH_MAX], path[PATH_MAX + 32], *buf;
	size_t				 len, i;
	int				 rc;

	tmp_make(proc, sizeof(proc));
	proc_write(proc, 1234, c->argv);
	snprintf(path, sizeof(path), "%s/1234/cmdline", proc);
	buf = slurp(path, &len);
	rc = cli_doctor_cmdline_parse(buf, len, &e, &err);
	if (rc != c->rc)
		fail_msg("%s: rc %d, want %d (%s)", c->name, rc, c->rc, err.msg);
	if (rc == 0) {
		for (i = 0; c->hosts[i] != NULL; i++) {
			assert_true(i < e.hosts.n);
			assert_string_equal(e.hosts.v[i], c->hosts[i]);
		}
		assert_int_equal(e.hosts.n, i);
		assert_int_equal(e.tls, c->tls);
		assert_int_equal(e.tlsverify_set, c->tlsverify_set);
		assert_int_equal(e.tlsverify, c->tlsverify);
		if (c->config_file != NULL)
			assert_string_equal(e.config_file, c->config_file);
		else
			assert_null(e.config_file);
		assert_int_equal(e.authz_plugins.n, c->plugin != NULL);
		if (c->plugin != NULL)
			assert_string_equal(e.authz_plugins.v[0], c->plugin);
	} else
		assert_true(err.msg[0] != '\0');
	/* The last NUL is optional. */
	if (rc == 0 && len > 0) {
		struct cli_doctor_engine	e2 = { 0 };

		assert_int_equal(cli_doctor_cmdline_parse(buf, len - 1, &e2, NULL), 0);
		assert_int_equal(e2.hosts.n, e.hosts.n);
		cli_doctor_engine_clear(&e2);
	}
	free(buf);
	cli_doctor_engine_clear(&e);
	tmp_remove(proc);
}

/*
 * A /proc tree with other processes, a kernel thread, a non-pid entry and
 * two dockerds: both found, in pid order, each with its own daemon.json.
 */
static void
test_proc_tree(void **state)
{
	const char *const init[] = { "/sbin/init", NULL };
	const char *const containerd[] = { "/usr/bin/containerd", NULL };
	const char *const kthread[] = { NULL };
	char				 proc[PATH_MAX], cfg[PATH_MAX + 16];
	const char			*d1[] = { "/usr/bin/dockerd", "-H", "fd://",
	    "--host=tcp://0.0.0.0:2375", "--authorization-plugin", "dockward", NULL };
	const char			*d2[] = { "dockerd", "--config-file", cfg,
	    NULL };
	struct cli_doctor_opts		 o = {
		.probe.settings_path = fixture("settings-unset.json"),
		.daemon_json = fixture("absent.json"),
		.plugin_name = "dockward",
	};
	struct cli_doctor_report	 rep = { 0 };
	const struct cli_doctor_report_finding	*f;
	char				 path[PATH_MAX + 16];

	(void)state;
	tmp_make(proc, sizeof(proc));
	snprintf(cfg, sizeof(cfg), "%s", fixture("tlsverify.json"));
	proc_write(proc, 1, init);
	proc_write(proc, 77, containerd);
	proc_write(proc, 2, kthread);
	proc_write(proc, 20000, d2);
	proc_write(proc, 1234, d1);
	snprintf(path, sizeof(path), "%s/self", proc);
	assert_int_equal(mkdir(path, 0755), 0);
	o.proc = proc;
	assert_int_equal(cli_doctor_inspect(&o, &rep), 0);
	report_dump(&rep);
	/* pid 1234 before 20000, though written later. */
	assert_non_null(f = finding_find(&rep, "engine.config", "dockerd (pid 1234) has no"));
	assert_true(f == &rep.v[0]);
	assert_non_null(f = finding_find(&rep, "engine.tcp",
	    "dockerd (pid 1234) listens on tcp://0.0.0.0:2375 without TLS"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	assert_non_null(f = finding_find(&rep, "engine.plugin", "dockerd (pid 1234) uses"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(f = finding_find(&rep, "engine.config",
	    "dockerd (pid 20000) reads"));
	assert_non_null(strstr(f->msg, "tlsverify.json"));
	assert_non_null(f = finding_find(&rep, "engine.tcp",
	    "dockerd (pid 20000) listens on tcp://0.0.0.0:2376 with TLS and client"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(f = finding_find(&rep, "engine.plugin", "dockerd (pid 20000) does not"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	assert_null(finding_find(&rep, "engine.config", "pid 1)"));
	assert_null(finding_find(&rep, "engine.config", "pid 77"));
	assert_int_equal(cli_doctor_report_print(&rep, stderr), 2);
	cli_doctor_report_clear(&rep);
	tmp_remove(proc);
}

/* A dockerd whose --config-file is gone or broken: named, engine checks skipped. */
static void
test_proc_config_broken(void **state)
{
	char				 proc[PATH_MAX];
	const char			*d1[] = { "dockerd", "--config-file",
	    "/nonexistent/daemon.json", NULL };
	const char			*d2[] = { "dockerd", "-H", "tcp://0.0.0.0:2375",
	    "--config-file", NULL, NULL };
	struct cli_doctor_opts		 o = {
		.probe.settings_path = fixture("settings-expose-false.json"),
		.daemon_json = fixture("absent.json"),
		.plugin_name = "dockward",
	};
	struct cli_doctor_report	 rep = { 0 };
	const struct cli_doctor_report_finding	*f;

	(void)state;
	tmp_make(proc, sizeof(proc));
	d2[4] = fixture("malformed.json");
	proc_write(proc, 10, d1);
	proc_write(proc, 11, d2);
	o.proc = proc;
	assert_int_equal(cli_doctor_inspect(&o, &rep), 0);
	report_dump(&rep);
	assert_non_null(f = finding_find(&rep, "engine.config",
	    "dockerd (pid 10): cannot read /nonexistent/daemon.json: No such file "
	    "or directory; dockerd read it when it started"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	assert_non_null(f = finding_find(&rep, "engine.config", "dockerd (pid 11): "));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	assert_non_null(strstr(f->msg, fixture("malformed.json")));
	assert_non_null(strstr(f->msg, "malformed JSON"));
	assert_int_equal(finding_count(&rep, "engine.tcp"), 0);
	assert_int_equal(finding_count(&rep, "engine.plugin"), 0);
	/* The policy check does not vouch for what it could not read. */
	assert_non_null(f = finding_find(&rep, "policy.exposeDockerAPIOnTCP2375",
	    "no dockerd that doctor could read (see engine.config) listens"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	cli_doctor_report_clear(&rep);
	tmp_remove(proc);
}

/* ---- engine.tcp ---- */

struct tcp_case {
	const char		*name;
	const char		*hosts[3];	/* NULL-terminated */
	bool			 tls, tlsverify_set, tlsverify;
	enum cli_doctor_report_level	 level;		/* of the first finding */
	const char		*msg;		/* in its message */
	const char		*absent;	/* not in its message */
};

static const struct tcp_case tcp_cases[] = {
	{ "every interface", { "tcp://0.0.0.0:2375" }, false, false, false, CLI_DOCTOR_REPORT_FAIL,
	    "listens on tcp://0.0.0.0:2375 without TLS (2375 is the conventional", NULL },
	{ "public address, other port", { "tcp://192.0.2.7:4243" }, false, false, false,
	    CLI_DOCTOR_REPORT_FAIL, "tcp://192.0.2.7:4243 without TLS: anyone", "2375" },
	{ "no scheme means tcp", { "0.0.0.0:4243" }, false, false, false, CLI_DOCTOR_REPORT_FAIL,
	    "tcp://0.0.0.0:4243 without TLS", NULL },
	{ "empty host", { "tcp://:2375" }, false, false, false, CLI_DOCTOR_REPORT_FAIL,
	    "tcp://:2375 (no host given", NULL },
	{ "bare tcp://", { "tcp://" }, false, false, false, CLI_DOCTOR_REPORT_FAIL,
	    "tcp://:2375 (no host given", NULL },
	{ "no port means 2375", { "tcp://10.0.0.1" }, false, false, false, CLI_DOCTOR_REPORT_FAIL,
	    "tcp://10.0.0.1:2375 without TLS (2375", NULL },
	{ "IPv6 any", { "tcp://[::]:2375" }, false, false, false, CLI_DOCTOR_REPORT_FAIL,
	    "tcp://[::]:2375", NULL },
	{ "loopback v4", { "tcp://127.0.0.1:2375" }, false, false, false, CLI_DOCTOR_REPORT_WARN,
	    "tcp://127.0.0.1:2375 without TLS (2375 is the conventional unauthenticated "
	    "Docker port): any local user", NULL },
	{ "loopback 127/8", { "tcp://127.1.2.3:8080" }, false, false, false,
	    CLI_DOCTOR_REPORT_WARN, "tcp://127.1.2.3:8080 without TLS: any local user", NULL },
	{ "loopback v6", { "tcp://[::1]:2375" }, false, false, false, CLI_DOCTOR_REPORT_WARN,
	    "tcp://[::1]:2375", NULL },
	{ "v4-mapped loopback", { "tcp://[::ffff:127.0.0.1]:2375" }, false, false, false,
	    CLI_DOCTOR_REPORT_WARN, "tcp://[::ffff:127.0.0.1]:2375", NULL },
	{ "localhost", { "tcp://localhost" }, false, false, false, CLI_DOCTOR_REPORT_WARN,
	    "tcp://localhost:2375", NULL },
	{ "tls without tlsverify", { "tcp://0.0.0.0:2376" }, true, false, false,
	    CLI_DOCTOR_REPORT_WARN, "with tls but without tlsverify", NULL },
	{ "tls, tlsverify false", { "tcp://0.0.0.0:2376" }, true, true, false,
	    CLI_DOCTOR_REPORT_WARN, "tlsverify is false, so clients are not authenticated: "
	    "anyone who can reach the port controls dockerd", NULL },
	{ "tlsverify=false alone turns TLS on", { "tcp://0.0.0.0:2376" }, false, true,
	    false, CLI_DOCTOR_REPORT_WARN, "tlsverify is false", NULL },
	{ "tlsverify", { "tcp://0.0.0.0:2376" }, false, true, true, CLI_DOCTOR_REPORT_PASS,
	    "with TLS and client certificates", NULL },
	{ "no hosts, tlsverify: localhost:2376", { NULL }, false, true, true,
	    CLI_DOCTOR_REPORT_PASS, "tcp://localhost:2376 with TLS and client", NULL },
	{ "no hosts", { NULL }, false, false, false, CLI_DOCTOR_REPORT_PASS,
	    "does not listen on TCP", NULL },
	{ "empty host string is the default", { "" }, false, false, false,
	    CLI_DOCTOR_REPORT_PASS, "does not listen on TCP", NULL },
	{ "unix and fd only", { "unix:///var/run/docker.sock", "fd://" }, false, false,
	    false, CLI_DOCTOR_REPORT_PASS, "does not listen on TCP", NULL },
	{ "path element", { "tcp://0.0.0.0:2375/x" }, false, false, false,
	    CLI_DOCTOR_REPORT_WARN, "cannot be parsed", NULL },
};

static void
test_tcp(void **state)
{
	const struct tcp_case		*c = *state;
	struct cli_doctor_engine	 e = { 0 };
	struct cli_doctor_report	 rep = { 0 };
	size_t				 i;

	for (i = 0; c->hosts[i] != NULL; i++)
		assert_int_equal(dw_strv_push(&e.hosts, c->hosts[i]), 0);
	e.tls = c->tls;
	e.tlsverify_set = c->tlsverify_set;
	e.tlsverify = c->tlsverify;
	assert_int_equal(cli_doctor_tcp_findings(&e, "dockerd (pid 1)", &rep), 0);
	report_dump(&rep);
	assert_int_equal(rep.n, 1);
	assert_string_equal(rep.v[0].check, "engine.tcp");
	assert_int_equal(rep.v[0].level, c->level);
	if (strstr(rep.v[0].msg, c->msg) == NULL)
		fail_msg("%s: \"%s\" not in \"%s\"", c->name, c->msg, rep.v[0].msg);
	if (c->absent != NULL)
		assert_null(strstr(rep.v[0].msg, c->absent));
	/* Every WARN and FAIL says how to fix it. */
	if (c->level != CLI_DOCTOR_REPORT_PASS)
		assert_true(strstr(rep.v[0].msg, "set \"tlsverify\": true") != NULL ||
		    strstr(rep.v[0].msg, "write tcp://") != NULL);
	cli_doctor_report_clear(&rep);
	cli_doctor_engine_clear(&e);
}

/* Two listeners, two findings, worst one sets the status. */
static void
test_tcp_several(void **state)
{
	struct cli_doctor_engine	e = { 0 };
	struct cli_doctor_report	rep = { 0 };

	(void)state;
	assert_int_equal(cli_doctor_daemon_json_parse(fixture("tcp-plain.json"), &e,
	    NULL), 0);
	assert_int_equal(dw_strv_push(&e.hosts, "tcp://127.0.0.1:2375"), 0);
	assert_int_equal(cli_doctor_tcp_findings(&e, "d", &rep), 0);
	assert_int_equal(rep.n, 2);
	assert_int_equal(rep.v[0].level, CLI_DOCTOR_REPORT_FAIL);
	assert_int_equal(rep.v[1].level, CLI_DOCTOR_REPORT_WARN);
	assert_int_equal(cli_doctor_report_print(&rep, stderr), 2);
	cli_doctor_report_clear(&rep);
	cli_doctor_engine_clear(&e);
}

/* ---- policy.exposeDockerAPIOnTCP2375 and engine.plugin, from fixtures ---- */

struct run_case {
	const char		*name;
	const char		*daemon_json;
	const char		*settings;
	const char		*check;
	enum cli_doctor_report_level	 level;
	const char		*msg;
	size_t			 count;		/* findings of `check` */
};

static const struct run_case run_cases[] = {
	{ "policy false, plain TCP", "tcp-plain.json", "settings-expose-false.json",
	    "policy.exposeDockerAPIOnTCP2375", CLI_DOCTOR_REPORT_FAIL,
	    "settings-expose-false.json forbids exposing the Docker API on TCP "
	    "(exposeDockerAPIOnTCP2375.value false), but dockerd (configured, not "
	    "running) listens on tcp://0.0.0.0:2375 without TLS", 1 },
	{ "policy bare false, plain TCP", "tcp-plain.json", "settings-expose-bool.json",
	    "policy.exposeDockerAPIOnTCP2375", CLI_DOCTOR_REPORT_FAIL, "forbids", 1 },
	{ "policy false, TLS only", "tls-only.json", "settings-expose-false.json",
	    "policy.exposeDockerAPIOnTCP2375", CLI_DOCTOR_REPORT_PASS,
	    "no dockerd found listens on TCP without TLS", 1 },
	{ "policy false, unix only", "unix-only.json", "settings-expose-false.json",
	    "policy.exposeDockerAPIOnTCP2375", CLI_DOCTOR_REPORT_PASS, "forbids", 1 },
	{ "policy true", "unix-only.json", "settings-expose-true.json",
	    "policy.exposeDockerAPIOnTCP2375", CLI_DOCTOR_REPORT_WARN,
	    "allows exposing the Docker API on TCP (exposeDockerAPIOnTCP2375.value true): "
	    "dockward opens no TCP socket itself, and a dockerd TCP listener bypasses "
	    "dockward's gatekeeper (not the authorization plugin)", 1 },
	{ "policy unset", "tcp-plain.json", "settings-unset.json",
	    "policy.exposeDockerAPIOnTCP2375", CLI_DOCTOR_REPORT_PASS, "does not set", 1 },
	{ "policy wrong type", "unix-only.json", "settings-expose-string.json",
	    "policy.exposeDockerAPIOnTCP2375", CLI_DOCTOR_REPORT_WARN, "should be", 1 },
	{ "policy missing", "unix-only.json", "absent.json",
	    "policy.exposeDockerAPIOnTCP2375", CLI_DOCTOR_REPORT_WARN,
	    "could not read the policy", 1 },
	{ "policy malformed", "unix-only.json", "malformed.json",
	    "policy.exposeDockerAPIOnTCP2375", CLI_DOCTOR_REPORT_WARN, "malformed JSON", 1 },
	{ "audit-only mode warns", "unix-only.json", "settings-audit.json",
	    "policy.enforcement", CLI_DOCTOR_REPORT_WARN,
	    "settings-audit.json: AUDIT MODE for 12 rules: their denials are allowed", 1 },
	{ "every rule enforced: no enforcement finding", "unix-only.json", "settings-unset.json",
	    "policy.enforcement", CLI_DOCTOR_REPORT_PASS, NULL, 0 },
	{ "plugin configured", "unix-only.json", "settings-unset.json",
	    "engine.plugin", CLI_DOCTOR_REPORT_PASS, "uses the authorization plugin \"dockward\"", 1 },
	{ "plugin absent", "no-authz.json", "settings-unset.json", "engine.plugin",
	    CLI_DOCTOR_REPORT_WARN, "plugin-only protections are off; add "
	    "\"authorization-plugins\": [\"dockward\"] to", 1 },
	{ "no daemon.json: defaults", "absent.json", "settings-unset.json", "engine.tcp",
	    CLI_DOCTOR_REPORT_PASS, "does not listen on TCP", 1 },
	{ "malformed daemon.json", "malformed.json", "settings-unset.json",
	    "engine.config", CLI_DOCTOR_REPORT_FAIL, "malformed.json: malformed JSON at line 2", 2 },
	{ "malformed daemon.json: no engine.tcp", "malformed.json", "settings-unset.json",
	    "engine.tcp", CLI_DOCTOR_REPORT_PASS, NULL, 0 },
	{ "BuildKit defaults: host network", "unix-only.json", "settings-unset.json",
	    "engine.buildEntitlements", CLI_DOCTOR_REPORT_WARN, "RUN --network=host", 1 },
	{ "BuildKit insecure (keys in any case)", "builder-insecure.json", "settings-unset.json",
	    "engine.buildEntitlements", CLI_DOCTOR_REPORT_FAIL, "RUN --security=insecure", 2 },
	{ "BuildKit devices", "builder-insecure.json", "settings-unset.json",
	    "engine.buildEntitlements", CLI_DOCTOR_REPORT_WARN, "host devices", 2 },
	{ "BuildKit locked down", "builder-locked.json", "settings-unset.json",
	    "engine.buildEntitlements", CLI_DOCTOR_REPORT_PASS, "off the host network", 1 },
	{ "BuildKit entitlement of the wrong type", "builder-wrong.json", "settings-unset.json",
	    "engine.config", CLI_DOCTOR_REPORT_FAIL,
	    "\"builder.Entitlements.network-host\" must be true or false", 2 },
	{ "isolation: userns-remap", "isolation-userns.json", "settings-unset.json",
	    "engine.isolation", CLI_DOCTOR_REPORT_PASS,
	    "maps container root to an unprivileged host user (userns-remap \"default\")", 1 },
	{ "isolation: sysbox-runc by name", "isolation-runtime.json", "settings-unset.json",
	    "engine.isolation", CLI_DOCTOR_REPORT_PASS, "hardened default runtime sysbox-runc", 1 },
	{ "isolation: runsc by its path", "isolation-runtime-path.json",
	    "settings-unset.json", "engine.isolation", CLI_DOCTOR_REPORT_PASS,
	    "hardened default runtime sandboxed (/usr/local/bin/runsc)", 1 },
	{ "isolation: crun is no isolation", "isolation-crun.json", "settings-unset.json",
	    "engine.isolation", CLI_DOCTOR_REPORT_WARN, "runs containers with crun in the host's "
	    "user namespace", 1 },
	{ "isolation: defaults", "unix-only.json", "settings-unset.json",
	    "engine.isolation", CLI_DOCTOR_REPORT_WARN, "with runc in the host's user namespace, so "
	    "container root is host root one kernel or runtime bug away from the host; Docker "
	    "Desktop's Enhanced Container Isolation has a VM and a user namespace (sysbox) "
	    "for that, which dockward's checks do not replace; set \"userns-remap\": "
	    "\"default\" in", 1 },
	{ "isolation: defaults name the remount race", "unix-only.json", "settings-unset.json",
	    "engine.isolation", CLI_DOCTOR_REPORT_WARN, "restart policies start containers "
	    "with no API call) is mounted for a container root that is host root", 1 },
	{ "isolation: wrong type", "isolation-wrong.json", "settings-unset.json",
	    "engine.config", CLI_DOCTOR_REPORT_FAIL, "\"userns-remap\" must be a string", 2 },
};

static void
test_run(void **state)
{
	const struct run_case			*c = *state;
	char					 proc[PATH_MAX], dj[PATH_MAX], st[PATH_MAX];
	struct cli_doctor_opts			 o = { .plugin_name = "dockward" };
	struct cli_doctor_report		 rep = { 0 };
	const struct cli_doctor_report_finding	*f;

	tmp_make(proc, sizeof(proc));	/* no process at all */
	snprintf(dj, sizeof(dj), "%s", fixture(c->daemon_json));
	snprintf(st, sizeof(st), "%s", fixture(c->settings));
	o.proc = proc;
	o.daemon_json = dj;
	o.probe.settings_path = st;
	assert_int_equal(cli_doctor_inspect(&o, &rep), 0);
	report_dump(&rep);
	assert_int_equal(finding_count(&rep, c->check), c->count);
	if (c->msg != NULL) {
		if ((f = finding_find(&rep, c->check, c->msg)) == NULL)
			fail_msg("%s: no %s finding with \"%s\"", c->name, c->check, c->msg);
		assert_int_equal(f->level, c->level);
	}
	cli_doctor_report_clear(&rep);
	tmp_remove(proc);
}

/* --plugin-name: another name is looked for. */
static void
test_plugin_name(void **state)
{
	char				proc[PATH_MAX];
	struct cli_doctor_opts		o = {
		.probe.settings_path = fixture("settings-unset.json"),
		.plugin_name = "someone-else",
	};
	struct cli_doctor_report	rep = { 0 };
	char				dj[PATH_MAX];

	(void)state;
	tmp_make(proc, sizeof(proc));
	snprintf(dj, sizeof(dj), "%s", fixture("no-authz.json"));
	o.proc = proc;
	o.daemon_json = dj;
	assert_int_equal(cli_doctor_inspect(&o, &rep), 0);
	assert_non_null(finding_find(&rep, "engine.plugin",
	    "uses the authorization plugin \"someone-else\""));
	cli_doctor_report_clear(&rep);
	tmp_remove(proc);
}

/* ---- engine.socket ---- */

/* Bind a unix socket at path (the file stays after close). */
static void
socket_make(const char *path)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd;

	assert_true(strlen(path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path) + 1);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
}

/* Run doctor on a daemon.json whose only host is unix://<path>. */
static void
socket_run(const char *dir, const char *path, struct cli_doctor_report *rep)
{
	char			dj[PATH_MAX + 16];
	struct cli_doctor_opts	o = {
		.probe.settings_path = fixture("settings-unset.json"),
		.plugin_name = "dockward",
		.proc = dir,
	};
	FILE			*f;

	snprintf(dj, sizeof(dj), "%s/daemon.json", dir);
	assert_non_null(f = fopen(dj, "w"));
	fprintf(f, "{\"hosts\": [\"unix://%s\"]}\n", path);
	assert_int_equal(fclose(f), 0);
	o.daemon_json = dj;
	assert_int_equal(cli_doctor_inspect(&o, rep), 0);
	report_dump(rep);
	assert_int_equal(finding_count(rep, "engine.socket"), 1);
}

static void
test_socket(void **state)
{
	struct cli_doctor_report		 rep = { 0 };
	const struct cli_doctor_report_finding	*f;
	struct group				*gr;
	struct stat				 st;
	char					 dir[PATH_MAX], path[PATH_MAX + 16];
	bool					 ok_group;
	FILE					*fp;

	(void)state;
	tmp_make(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/engine.sock", dir);

	socket_run(dir, path, &rep);
	assert_non_null(f = finding_find(&rep, "engine.socket", "No such file"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	cli_doctor_report_clear(&rep);

	socket_make(path);
	assert_int_equal(chmod(path, 0666), 0);
	socket_run(dir, path, &rep);
	assert_non_null(f = finding_find(&rep, "engine.socket",
	    "is world-writable (mode 0666): any local user controls dockerd; chmod 0660"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	cli_doctor_report_clear(&rep);

	/* Group-only: PASS for root or docker, WARN naming any other group. */
	assert_int_equal(chmod(path, 0660), 0);
	assert_int_equal(stat(path, &st), 0);
	gr = getgrgid(st.st_gid);
	ok_group = st.st_gid == 0 || (gr != NULL && (strcmp(gr->gr_name, "root") == 0 ||
	    strcmp(gr->gr_name, "docker") == 0));
	socket_run(dir, path, &rep);
	assert_non_null(f = finding_find(&rep, "engine.socket", path));
	assert_int_equal(f->level, ok_group ? CLI_DOCTOR_REPORT_PASS : CLI_DOCTOR_REPORT_WARN);
	assert_non_null(strstr(f->msg, ok_group ? "is mode 0660, group" :
	    "its members control dockerd"));
	cli_doctor_report_clear(&rep);
	if (getuid() == 0) {
		/* A group that is neither root nor docker (gid 65534 is nogroup). */
		assert_int_equal(chown(path, 0, 65534), 0);
		socket_run(dir, path, &rep);
		assert_non_null(f = finding_find(&rep, "engine.socket", "belongs to group"));
		assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
		cli_doctor_report_clear(&rep);
	}

	assert_int_equal(unlink(path), 0);
	assert_non_null(fp = fopen(path, "w"));
	fclose(fp);
	socket_run(dir, path, &rep);
	assert_non_null(f = finding_find(&rep, "engine.socket", "is not a socket"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	cli_doctor_report_clear(&rep);
	tmp_remove(dir);
}

/* ---- engine.isolation from a command line ---- */

static void
test_isolation_cmdline(void **state)
{
	const char *const d1[] = { "dockerd", "--userns-remap=dockremap", NULL };
	const char *const d2[] = { "dockerd", "--default-runtime", "kata-runtime", NULL };
	const char *const d3[] = { "dockerd", "--add-runtime", "safe=/opt/bin/runsc",
	    "--default-runtime=safe", NULL };
	const char *const d4[] = { "dockerd", "--add-runtime", "safe=/opt/bin/runsc", NULL };
	struct cli_doctor_opts		 o = {
		.probe.settings_path = fixture("settings-unset.json"),
		.daemon_json = fixture("absent.json"),
		.plugin_name = "dockward",
	};
	struct cli_doctor_report	 rep = { 0 };
	const struct cli_doctor_report_finding	*f;
	char				 proc[PATH_MAX];

	(void)state;
	tmp_make(proc, sizeof(proc));
	proc_write(proc, 11, d1);
	proc_write(proc, 12, d2);
	proc_write(proc, 13, d3);
	proc_write(proc, 14, d4);
	o.proc = proc;
	assert_int_equal(cli_doctor_inspect(&o, &rep), 0);
	report_dump(&rep);
	assert_int_equal(finding_count(&rep, "engine.isolation"), 4);
	assert_non_null(f = finding_find(&rep, "engine.isolation",
	    "(pid 11) maps container root to an unprivileged host user (userns-remap "
	    "\"dockremap\")"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(f = finding_find(&rep, "engine.isolation",
	    "(pid 12) runs containers with the hardened default runtime kata-runtime"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(f = finding_find(&rep, "engine.isolation",
	    "(pid 13) runs containers with the hardened default runtime safe (/opt/bin/runsc)"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	/* A hardened runtime that is not the default protects nothing by default. */
	assert_non_null(f = finding_find(&rep, "engine.isolation", "(pid 14) runs "
	    "containers with runc"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	cli_doctor_report_clear(&rep);
	tmp_remove(proc);
}

/* ---- fake ops for the live checks ---- */

#define FAKE_NOW	1700000000	/* the cache fixtures' clock */
#define DIGEST_CLI	"sha256:2222222222222222222222222222222222222222222222222222222222222222"

/* One canned answer of the fake unix_http: for sock + uri. */
struct fake_answer {
	const char	*sock;		/* NULL: any */
	const char	*uri;
	int		 r;		/* < 0: transport error */
	long		 status;
	const char	*body;
};

struct fake {
	const struct fake_answer	*answers;
	size_t				 nanswers;
	size_t				 http_calls;
	size_t				 resolve_calls;
	size_t				 ping_calls;
	char				 pinged[8][64];	/* the hosts asked, in order */
	char				 last_body[512];	/* the last request body */
};

static int
fake_unix_http(void *ctx, const char *sock, const char *method, const char *uri,
    const char *body, long *ret_status, char **ret_body, struct dw_err *err)
{
	struct fake	*fk = ctx;
	size_t		 i;

	(void)method;
	fk->http_calls++;
	snprintf(fk->last_body, sizeof(fk->last_body), "%s", body != NULL ? body : "");
	for (i = 0; i < fk->nanswers; i++) {
		const struct fake_answer *a = &fk->answers[i];

		if ((a->sock != NULL && strcmp(a->sock, sock) != 0) ||
		    strcmp(a->uri, uri) != 0)
			continue;
		if (a->r < 0) {
			dw_err_set(err, "Couldn't connect to server");
			return a->r;
		}
		*ret_status = a->status;
		assert_non_null(*ret_body = strdup(a->body));
		return 0;
	}
	dw_err_set(err, "Couldn't connect to server");
	return -ECONNREFUSED;
}

/* cli:1 and the pinned digest resolve; down:2 is unreachable; others are not there. */
static int
fake_resolve(void *ctx, const struct authz_settings *s, const struct digest_ref *ref,
    char digest[DIGEST_SHA256_STRLEN], struct dw_err *err)
{
	struct fake	*fk = ctx;

	(void)s;
	fk->resolve_calls++;
	assert_string_equal(ref->domain, "registry.example:5000");
	if (ref->digest != NULL) {
		snprintf(digest, DIGEST_SHA256_STRLEN, "%s", ref->digest);
		return 0;
	}
	if (strcmp(ref->path, "team/cli") == 0) {
		snprintf(digest, DIGEST_SHA256_STRLEN, DIGEST_CLI);
		return 0;
	}
	if (strcmp(ref->path, "team/down") == 0) {
		dw_err_set(err, "registry.example:5000: connection refused");
		return -ECONNREFUSED;
	}
	dw_err_set(err, "registry.example:5000: manifest unknown");
	return -ENOENT;
}

/*
 * GET /v2/: docker.io and registry.example:5000 want a token, basic.example
 * Basic credentials; down.example is unreachable, web.example is a web
 * site, noauth.example a 401 without a challenge.
 */
static int
fake_ping(void *ctx, const struct authz_settings *s, const char *host,
    long *ret_status, struct registry_auth_challenge *ret_ch, struct dw_err *err)
{
	struct fake	*fk = ctx;

	(void)s;
	if (fk->ping_calls < 8)
		snprintf(fk->pinged[fk->ping_calls], sizeof(fk->pinged[0]), "%s", host);
	fk->ping_calls++;
	memset(ret_ch, 0, sizeof(*ret_ch));
	if (strcmp(host, "down.example") == 0) {
		dw_err_set(err, "registry down.example: cannot resolve: Could not "
		    "resolve host: down.example");
		return -EIO;
	}
	*ret_status = 401;
	if (strcmp(host, "docker.io") == 0 || strcmp(host, "registry.example:5000") == 0) {
		ret_ch->scheme = REGISTRY_AUTH_BEARER;
		assert_non_null(ret_ch->realm = strdup("https://auth.example/token"));
	} else if (strcmp(host, "basic.example") == 0)
		ret_ch->scheme = REGISTRY_AUTH_BASIC;
	else if (strcmp(host, "web.example") == 0)
		*ret_status = 404;
	return 0;
}

static time_t
fake_now(void *ctx)
{
	(void)ctx;
	return FAKE_NOW;
}

static struct cli_doctor_probe_ops
fake_ops(struct fake *fk)
{
	struct cli_doctor_probe_ops	ops = {
		.ctx = fk,
		.unix_http = fake_unix_http,
		.resolve = fake_resolve,
		.ping = fake_ping,
		.now = fake_now,
	};

	return ops;
}

/*
 * Copy fixture name into dir (a mkdtemp directory: root's, 0700) as
 * name, mode 0644, so the policy loader's StrictModes hold whoever owns
 * the source tree.  Returns the copy's path (the last 4 stay valid).
 */
static const char *
policy_copy(const char *dir, const char *name)
{
	static char	paths[4][PATH_MAX];
	static size_t	next;
	char		*path = paths[next++ % 4], *buf;
	size_t		 len;
	FILE		*f;

	snprintf(path, PATH_MAX, "%s/%s", dir, name);
	buf = slurp(fixture(name), &len);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0644), 0);
	free(buf);
	return path;
}

/* ---- policy.file ---- */

static void
test_policy_file(void **state)
{
	struct cli_doctor_probe_opts		 o = { 0 };
	struct cli_doctor_report		 rep = { 0 };
	const struct cli_doctor_report_finding	*f;
	struct authz_settings			*s;
	char					 dir[PATH_MAX], sub[PATH_MAX + 64];

	(void)state;
	if (getuid() != 0)
		skip();	/* StrictModes wants root-owned files */
	tmp_make(dir, sizeof(dir));

	o.settings_path = policy_copy(dir, "policy-images.json");
	assert_int_equal(cli_doctor_probe_policy(&o, &s, &rep), 0);
	report_dump(&rep);
	assert_non_null(s);
	assert_int_equal(s->nimages, 4);
	authz_settings_free(s);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.v[0].level, CLI_DOCTOR_REPORT_PASS);
	/* Not the loader's warning about exposeDockerAPIOnTCP2375: doctor checks it. */
	assert_non_null(strstr(rep.v[0].msg, "is root-owned in directories only root "
	    "can write, and loads (4 imageList entries)"));
	cli_doctor_report_clear(&rep);

	/* Each warning of the loader is a WARN; the policy is still returned. */
	o.settings_path = policy_copy(dir, "policy-warn.json");
	assert_int_equal(cli_doctor_probe_policy(&o, &s, &rep), 0);
	report_dump(&rep);
	assert_non_null(s);
	authz_settings_free(s);
	assert_non_null(f = finding_find(&rep, "policy.file", "unknown key dockward.noSuchKey"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	assert_non_null(f = finding_find(&rep, "policy.file", "root-owned"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_int_equal(rep.n, 2);
	cli_doctor_report_clear(&rep);

	/* Group-writable file: the loader's own refusal and fix, and still parsed. */
	o.settings_path = policy_copy(dir, "policy-images.json");
	assert_int_equal(chmod(o.settings_path, 0664), 0);
	assert_int_equal(cli_doctor_probe_policy(&o, &s, &rep), 0);
	report_dump(&rep);
	assert_non_null(s);
	authz_settings_free(s);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.v[0].level, CLI_DOCTOR_REPORT_FAIL);
	assert_non_null(strstr(rep.v[0].msg, "is writable by group or others; fix: chown "
	    "root:root"));
	assert_non_null(strstr(rep.v[0].msg, "dockward serve refuses a policy that a "
	    "non-root user could have written"));
	cli_doctor_report_clear(&rep);

	/* A world-writable directory above it. */
	snprintf(sub, sizeof(sub), "%s/pub", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	o.settings_path = policy_copy(sub, "policy-images.json");
	assert_int_equal(chmod(sub, 0777), 0);
	assert_int_equal(cli_doctor_probe_policy(&o, &s, &rep), 0);
	report_dump(&rep);
	authz_settings_free(s);
	assert_non_null(f = finding_find(&rep, "policy.file", "is writable by group or others"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	assert_non_null(strstr(f->msg, sub));
	cli_doctor_report_clear(&rep);

	/* Malformed: FAIL, no policy for the checks after. */
	o.settings_path = policy_copy(dir, "malformed.json");
	assert_int_equal(cli_doctor_probe_policy(&o, &s, &rep), 0);
	report_dump(&rep);
	assert_null(s);
	assert_non_null(f = finding_find(&rep, "policy.file", "does not load: "));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	assert_non_null(strstr(f->msg, "dockward check --settings"));
	cli_doctor_report_clear(&rep);

	/* Missing. */
	snprintf(sub, sizeof(sub), "%s/none.json", dir);
	o.settings_path = sub;
	assert_int_equal(cli_doctor_probe_policy(&o, &s, &rep), 0);
	assert_null(s);
	assert_non_null(f = finding_find(&rep, "policy.file", "does not start without its "
	    "policy"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	cli_doctor_report_clear(&rep);
	tmp_remove(dir);
}

/* ---- plugin.reachable ---- */

struct plugin_case {
	const char		*name;
	struct fake_answer	 answers[2];
	bool			 configured;
	enum cli_doctor_report_level	 level;
	const char		*msg;
};

#define ACT	"/Plugin.Activate"
#define REQ	"/AuthZPlugin.AuthZReq"
static const struct plugin_case plugin_cases[] = {
	{ "good", { { NULL, ACT, 0, 200, "{\"Implements\":[\"authz\"]}" },
	    { NULL, REQ, 0, 200, "{\"Allow\":true}" } }, true, CLI_DOCTOR_REPORT_PASS,
	    "/p.sock answers Plugin.Activate with \"authz\" and allows GET /_ping" },
	{ "down, configured", { { NULL, ACT, -ECONNREFUSED, 0, NULL } }, true,
	    CLI_DOCTOR_REPORT_FAIL, "nothing answers at dockward's plugin socket /p.sock (Couldn't "
	    "connect to server): a dockerd uses the plugin, and while it cannot ask it, "
	    "dockerd refuses every API call; start dockward" },
	{ "down, not configured", { { NULL, ACT, -ECONNREFUSED, 0, NULL } }, false,
	    CLI_DOCTOR_REPORT_WARN, "no dockerd found uses it either" },
	{ "not authz", { { NULL, ACT, 0, 200, "{\"Implements\":[\"VolumeDriver\"]}" } },
	    true, CLI_DOCTOR_REPORT_FAIL, "no \"authz\" in Implements" },
	{ "HTTP 404", { { NULL, ACT, 0, 404, "404 page not found" } }, false,
	    CLI_DOCTOR_REPORT_WARN, "with HTTP 404" },
	{ "denies _ping", { { NULL, ACT, 0, 200, "{\"Implements\":[\"authz\"]}" },
	    { NULL, REQ, 0, 200, "{\"Allow\":false,\"Msg\":\"dockward: no (x.y)\"}" } },
	    true, CLI_DOCTOR_REPORT_FAIL, "/p.sock denies GET /_ping (HTTP 200: dockward: no (x.y))" },
	{ "full mode, closed: the unstamped probe is denied", { { NULL, ACT, 0, 200,
	    "{\"Implements\":[\"authz\"]}" }, { NULL, REQ, 0, 200, "{\"Allow\":false,"
	    "\"Msg\":\"dockward: request denied (request.unstamped): ...\"}" } }, true,
	    CLI_DOCTOR_REPORT_PASS, "allows only requests the gatekeeper decided "
	    "(--require-gatekeeper)" },
	{ "AuthZReq answer not JSON", { { NULL, ACT, 0, 200, "{\"Implements\":[\"authz\"]}" },
	    { NULL, REQ, 0, 500, "plugin panicked" } }, false, CLI_DOCTOR_REPORT_WARN,
	    "denies GET /_ping (HTTP 500: plugin panicked)" },
	{ "AuthZReq dies", { { NULL, ACT, 0, 200, "{\"Implements\":[\"authz\"]}" },
	    { NULL, REQ, -EIO, 0, NULL } }, true, CLI_DOCTOR_REPORT_FAIL,
	    "activates but an AuthZReq for GET /_ping gets no answer" },
};

static void
test_plugin_probe(void **state)
{
	const struct plugin_case	*c = *state;
	struct fake			 fk = { .answers = c->answers, .nanswers = 2 };
	struct cli_doctor_probe_ops	 ops = fake_ops(&fk);
	struct cli_doctor_probe_opts	 o = { .plugin_socket = "/p.sock", .ops = &ops };
	struct cli_doctor_report	 rep = { 0 };

	assert_int_equal(cli_doctor_probe_plugin(&o, c->configured, &rep), 0);
	report_dump(&rep);
	assert_int_equal(rep.n, 1);
	assert_string_equal(rep.v[0].check, "plugin.reachable");
	assert_int_equal(rep.v[0].level, c->level);
	if (strstr(rep.v[0].msg, c->msg) == NULL)
		fail_msg("%s: \"%s\" not in \"%s\"", c->name, c->msg, rep.v[0].msg);
	if (c->level == CLI_DOCTOR_REPORT_PASS)
		assert_non_null(strstr(fk.last_body, "\"RequestURI\":\"/_ping\""));
	cli_doctor_report_clear(&rep);
	/* No socket given: not checked. */
	o.plugin_socket = NULL;
	fk.http_calls = 0;
	assert_int_equal(cli_doctor_probe_plugin(&o, true, &rep), 0);
	assert_int_equal(rep.n, 0);
	assert_int_equal(fk.http_calls, 0);
}

/* dockward's real plugin server, asked by the real client: allow only /_ping. */
static void
ping_decide(void *ctx, struct api_plugin_call *call)
{
	const struct api_plugin_msg *msg = &call->msg;
	struct authz_decision	*d = &call->d;
	bool	allow = *(bool *)ctx && strcmp(msg->method, "GET") == 0 &&
	    strcmp(msg->uri, "/_ping") == 0;

	d->verdict = allow ? AUTHZ_ALLOW : AUTHZ_DENY;
	d->rule = allow ? "allow" : "test.deny";
	d->field[0] = '\0';
	snprintf(d->msg, sizeof(d->msg), "%s", allow ? "" : "dockward: test denies it "
	    "(test.deny)");
}

static void
test_plugin_real(void **state)
{
	struct cli_doctor_probe_opts	 o = { 0 };
	struct cli_doctor_report	 rep = { 0 };
	struct api_plugin		*p;
	struct dw_err			 err;
	char				 dir[PATH_MAX], sock[PATH_MAX + 16];
	bool				 allow = true;
	int				 fd;

	(void)state;
	tmp_make(dir, sizeof(dir));
	snprintf(sock, sizeof(sock), "%s/plugin.sock", dir);
	o.plugin_socket = sock;
	/* Nothing there yet. */
	assert_int_equal(cli_doctor_probe_plugin(&o, true, &rep), 0);
	report_dump(&rep);
	assert_int_equal(rep.v[0].level, CLI_DOCTOR_REPORT_FAIL);
	assert_non_null(strstr(rep.v[0].msg, "nothing answers at dockward's plugin socket"));
	cli_doctor_report_clear(&rep);

	assert_true((fd = dw_sock_listen(sock, 0660, &err)) >= 0);
	assert_non_null(p = api_plugin_start(fd, ping_decide, NULL, &allow, &err));
	assert_int_equal(cli_doctor_probe_plugin(&o, true, &rep), 0);
	report_dump(&rep);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.v[0].level, CLI_DOCTOR_REPORT_PASS);
	cli_doctor_report_clear(&rep);
	allow = false;
	assert_int_equal(cli_doctor_probe_plugin(&o, false, &rep), 0);
	report_dump(&rep);
	assert_int_equal(rep.v[0].level, CLI_DOCTOR_REPORT_WARN);
	assert_non_null(strstr(rep.v[0].msg, "denies GET /_ping (HTTP 200: dockward: test "
	    "denies it (test.deny))"));
	cli_doctor_report_clear(&rep);
	api_plugin_stop(p);
	tmp_remove(dir);
}

/* ---- gatekeeper.socket ---- */

static void
gate_run(const char *gk, const struct dw_strv *engines, bool ping_ok,
    struct cli_doctor_report *rep)
{
	const struct fake_answer	 answers[] = {
		{ NULL, "/_ping", ping_ok ? 0 : -ECONNREFUSED, 200, "OK" },
	};
	struct fake			 fk = { .answers = answers, .nanswers = 1 };
	struct cli_doctor_probe_ops		 ops = fake_ops(&fk);
	struct cli_doctor_probe_opts		 o = { .gatekeeper_socket = gk, .ops = &ops };

	assert_int_equal(cli_doctor_probe_gatekeeper(&o, engines, rep), 0);
	report_dump(rep);
}

static void
test_gatekeeper(void **state)
{
	struct cli_doctor_report		 rep = { 0 };
	const struct cli_doctor_report_finding	*f;
	struct dw_strv				 engines = { 0 };
	char					 dir[PATH_MAX], pub[PATH_MAX + 8];
	char					 gk[PATH_MAX + 64], eng[PATH_MAX + 64];
	char					 hidden[PATH_MAX + 64];

	(void)state;
	if (getuid() != 0)
		skip();	/* sockets must belong to root */
	tmp_make(dir, sizeof(dir));	/* 0700: what is inside is root's alone */
	snprintf(pub, sizeof(pub), "%s/pub", dir);
	assert_int_equal(mkdir(pub, 0755), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(gk, sizeof(gk), "%s/gk.sock", pub);
	snprintf(eng, sizeof(eng), "%s/engine.sock", pub);
	snprintf(hidden, sizeof(hidden), "%s/hidden/engine.sock", dir);

	/* Not given: nothing to say. */
	gate_run(NULL, &engines, true, &rep);
	assert_int_equal(rep.n, 0);

	gate_run(gk, &engines, true, &rep);
	assert_non_null(f = finding_find(&rep, "gatekeeper.socket", "No such file"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	cli_doctor_report_clear(&rep);

	socket_make(gk);
	assert_int_equal(chown(gk, 0, 0), 0);
	assert_int_equal(chmod(gk, 0660), 0);
	snprintf(hidden, sizeof(hidden), "%s/hidden", dir);
	assert_int_equal(mkdir(hidden, 0700), 0);
	snprintf(hidden, sizeof(hidden), "%s/hidden/engine.sock", dir);
	socket_make(hidden);
	assert_int_equal(chmod(hidden, 0666), 0);	/* but its directory is root's */
	assert_int_equal(dw_strv_push(&engines, hidden), 0);
	gate_run(gk, &engines, true, &rep);
	assert_int_equal(rep.n, 2);
	assert_int_equal(rep.v[0].level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(strstr(rep.v[0].msg, "is root's, group root, mode 0660, and "
	    "answers GET /_ping"));
	assert_int_equal(rep.v[1].level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(strstr(rep.v[1].msg, "out of reach of non-root users"));
	assert_int_equal(cli_doctor_report_print(&rep, stderr), 0);
	cli_doctor_report_clear(&rep);

	/* No answer to GET /_ping. */
	gate_run(gk, &engines, false, &rep);
	assert_non_null(f = finding_find(&rep, "gatekeeper.socket", "GET /_ping through "
	    "the gatekeeper socket"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	assert_null(finding_find(&rep, "gatekeeper.socket", "is root's"));
	cli_doctor_report_clear(&rep);

	/* World-writable, owned by someone else. */
	assert_int_equal(chmod(gk, 0666), 0);
	assert_int_equal(chown(gk, 65534, 0), 0);
	gate_run(gk, &engines, true, &rep);
	assert_non_null(f = finding_find(&rep, "gatekeeper.socket", "is world-writable "
	    "(mode 0666): every local user gets the Docker API"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	assert_non_null(f = finding_find(&rep, "gatekeeper.socket", "owned by uid 65534, "
	    "not root"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	cli_doctor_report_clear(&rep);
	assert_int_equal(chmod(gk, 0660), 0);
	assert_int_equal(chown(gk, 0, 0), 0);

	/* dockerd's own socket where others can reach it: the bypass. */
	socket_make(eng);
	assert_int_equal(chmod(eng, 0666), 0);
	assert_int_equal(dw_strv_push(&engines, eng), 0);
	gate_run(gk, &engines, true, &rep);
	assert_non_null(f = finding_find(&rep, "gatekeeper.socket", "dockerd's own socket"));
	assert_non_null(f = finding_find(&rep, "gatekeeper.socket", "can be reached by "
	    "every local user, who bypass the gatekeeper"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	assert_non_null(strstr(f->msg, eng));
	assert_non_null(strstr(f->msg, "\"group\": \"root\""));
	cli_doctor_report_clear(&rep);

	/* Group-writable for a non-root group. */
	assert_int_equal(chmod(eng, 0660), 0);
	assert_int_equal(chown(eng, 0, 65534), 0);
	gate_run(gk, &engines, true, &rep);
	assert_non_null(f = finding_find(&rep, "gatekeeper.socket", "can be reached by "
	    "the members of group"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	cli_doctor_report_clear(&rep);
	/* ... unless no one but root can search its directory. */
	assert_int_equal(chmod(pub, 0700), 0);
	gate_run(gk, &engines, true, &rep);
	assert_null(finding_find(&rep, "gatekeeper.socket", "can be reached by"));
	cli_doctor_report_clear(&rep);
	assert_int_equal(chmod(pub, 0755), 0);

	/* The gatekeeper path is dockerd's own socket. */
	dw_strv_clear(&engines);
	assert_int_equal(dw_strv_push(&engines, gk), 0);
	gate_run(gk, &engines, true, &rep);
	assert_non_null(f = finding_find(&rep, "gatekeeper.socket", "is dockerd's own "
	    "socket, not the gatekeeper's"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	cli_doctor_report_clear(&rep);

	/* No engine known. */
	dw_strv_clear(&engines);
	gate_run(gk, &engines, true, &rep);
	assert_non_null(f = finding_find(&rep, "gatekeeper.socket", "no dockerd socket found"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	cli_doctor_report_clear(&rep);
	tmp_remove(dir);
}

/* ---- registry.reachable and cache.age ---- */

/* The policy of fixture name, parsed (no file checks). */
static struct authz_settings *
settings_of(const char *name)
{
	struct authz_settings	*s;
	struct dw_err		 err;
	char			*buf;
	size_t			 len;

	buf = slurp(fixture(name), &len);
	if ((s = authz_settings_parse(buf, len, name, &err)) == NULL)
		fail_msg("%s: %s", name, err.msg);
	free(buf);
	return s;
}

static void
test_registry(void **state)
{
	struct fake				 fk = { 0 };
	struct cli_doctor_probe_ops		 ops = fake_ops(&fk);
	struct cli_doctor_probe_opts		 o = { .ops = &ops };
	struct cli_doctor_report		 rep = { 0 };
	const struct cli_doctor_report_finding	*f;
	struct authz_settings			*s = settings_of("policy-images.json");

	(void)state;
	assert_int_equal(cli_doctor_probe_registry(&o, s, &rep), 0);
	report_dump(&rep);
	assert_int_equal(rep.n, 4);
	assert_int_equal(fk.resolve_calls, 3);	/* not the pattern */
	assert_non_null(f = finding_find(&rep, "registry.reachable",
	    "registry.example:5000/team/cli:1 resolves to " DIGEST_CLI " at "
	    "registry.example:5000"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(f = finding_find(&rep, "registry.reachable",
	    "registry.example:5000/team/pinned@sha256:1111"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(f = finding_find(&rep, "registry.reachable",
	    "cannot verify registry.example:5000/team/down:2 now: registry.example:5000: "
	    "connection refused; containers of it cannot mount the Docker socket"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	assert_non_null(strstr(f->msg, "insecureRegistries"));
	assert_non_null(f = finding_find(&rep, "registry.reachable",
	    "entry docker.io/library/* is a pattern"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_int_equal(cli_doctor_report_print(&rep, stderr), 2);
	cli_doctor_report_clear(&rep);

	/* --no-network: said so, nothing asked. */
	fk.resolve_calls = 0;
	o.no_network = true;
	assert_int_equal(cli_doctor_probe_registry(&o, s, &rep), 0);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.v[0].level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(strstr(rep.v[0].msg, "skipped (--no-network): 4 imageList entries "
	    "not resolved"));
	assert_int_equal(fk.resolve_calls, 0);
	cli_doctor_report_clear(&rep);

	/* No policy. */
	o.no_network = false;
	assert_int_equal(cli_doctor_probe_registry(&o, NULL, &rep), 0);
	assert_int_equal(rep.v[0].level, CLI_DOCTOR_REPORT_WARN);
	assert_non_null(strstr(rep.v[0].msg, "see policy.file"));
	cli_doctor_report_clear(&rep);
	authz_settings_free(s);

	/* Empty imageList. */
	s = settings_of("settings-unset.json");
	assert_int_equal(cli_doctor_probe_registry(&o, s, &rep), 0);
	assert_int_equal(rep.n, 1);
	assert_non_null(strstr(rep.v[0].msg, "the imageList is empty"));
	assert_int_equal(fk.resolve_calls, 0);
	cli_doctor_report_clear(&rep);
	authz_settings_free(s);
}

/* registryAccess.reachable: every allowed host asked once, wildcards not. */
static void
test_access(void **state)
{
	struct fake				 fk = { 0 };
	struct cli_doctor_probe_ops		 ops = fake_ops(&fk);
	struct cli_doctor_probe_opts		 o = { .ops = &ops };
	struct cli_doctor_report		 rep = { 0 };
	const struct cli_doctor_report_finding	*f;
	struct authz_settings			*s = settings_of("policy-access.json");

	(void)state;
	assert_int_equal(cli_doctor_probe_access(&o, s, &rep), 0);
	report_dump(&rep);
	assert_int_equal(rep.n, 7);
	assert_int_equal(fk.ping_calls, 6);
	assert_string_equal(fk.pinged[0], "docker.io");
	assert_string_equal(fk.pinged[1], "registry.example:5000");
	assert_non_null(f = finding_find(&rep, "registryAccess.reachable",
	    "docker.io (asked at registry-1.docker.io) answers GET /v2/ with HTTP "
	    "401 and a Bearer challenge (token realm https://auth.example/token)"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(f = finding_find(&rep, "registryAccess.reachable",
	    "registry.example:5000 answers GET /v2/ with HTTP 401 and a Bearer"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(f = finding_find(&rep, "registryAccess.reachable",
	    "basic.example answers GET /v2/ with HTTP 401 and a Basic challenge: a "
	    "registry; pulls need credentials (docker login basic.example)"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(f = finding_find(&rep, "registryAccess.reachable",
	    "registryAccess allows down.example, but GET /v2/ fails: registry "
	    "down.example: cannot resolve"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	assert_non_null(strstr(f->msg, "/etc/docker/certs.d/down.example/ca.crt"));
	assert_non_null(f = finding_find(&rep, "registryAccess.reachable",
	    "web.example answers GET /v2/ with HTTP 404, not as a registry"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	assert_non_null(f = finding_find(&rep, "registryAccess.reachable",
	    "noauth.example answers GET /v2/ with HTTP 401 but no Bearer or Basic "
	    "challenge"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	assert_non_null(f = finding_find(&rep, "registryAccess.reachable",
	    "registryAccess entry *.corp.example allows every registry under "
	    ".corp.example and names no host to probe"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_INFO);
	assert_int_equal(cli_doctor_report_print(&rep, stderr), 1);
	cli_doctor_report_clear(&rep);

	/* INFO alone passes, and prints as INFO. */
	assert_int_equal(cli_doctor_report_add(&rep, CLI_DOCTOR_REPORT_INFO, "x.y",
	    "z"), 0);
	assert_int_equal(cli_doctor_report_print(&rep, stderr), 0);
	cli_doctor_report_clear(&rep);

	/* --no-network: said so, nothing asked. */
	fk.ping_calls = 0;
	o.no_network = true;
	assert_int_equal(cli_doctor_probe_access(&o, s, &rep), 0);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.v[0].level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(strstr(rep.v[0].msg, "skipped (--no-network): 7 registryAccess "
	    "entries not probed"));
	assert_int_equal(fk.ping_calls, 0);
	cli_doctor_report_clear(&rep);
	authz_settings_free(s);

	/* No block, or no policy: nothing said, nothing asked. */
	o.no_network = false;
	s = settings_of("policy-images.json");
	assert_int_equal(cli_doctor_probe_access(&o, s, &rep), 0);
	assert_int_equal(cli_doctor_probe_access(&o, NULL, &rep), 0);
	assert_int_equal(rep.n, 0);
	assert_int_equal(fk.ping_calls, 0);
	authz_settings_free(s);
}

/* Run cache.age on a state dir holding fixture cache (NULL: no cache file). */
static void
cache_run(const char *cache, const char *policy, struct cli_doctor_report *rep)
{
	struct fake			 fk = { 0 };
	struct cli_doctor_probe_ops	 ops = fake_ops(&fk);
	struct cli_doctor_probe_opts	 o = { .ops = &ops };
	struct authz_settings		*s = settings_of(policy);
	char				 dir[PATH_MAX], dst[PATH_MAX + 32], cmd[3 * PATH_MAX];

	tmp_make(dir, sizeof(dir));
	if (cache != NULL) {
		snprintf(dst, sizeof(dst), "%s/registry-cache.json", dir);
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", fixture(cache), dst);
		assert_int_equal(system(cmd), 0);
	}
	o.state_dir = dir;
	assert_int_equal(cli_doctor_probe_cache(&o, s, rep), 0);
	report_dump(rep);
	authz_settings_free(s);
	tmp_remove(dir);
}

static void
test_cache(void **state)
{
	struct cli_doctor_report		 rep = { 0 };
	const struct cli_doctor_report_finding	*f;
	struct cli_doctor_probe_opts		 o = { 0 };

	(void)state;
	/* cli:1 100 s old, down:2 2 h old (past grace 1 h), pinned missing. */
	cache_run("cache-mixed.json", "policy-images.json", &rep);
	assert_int_equal(rep.n, 4);
	assert_int_equal(rep.v[0].level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(strstr(rep.v[0].msg, "registry-cache.json: 3 answers, the oldest "
	    "1d0h old (registry.example:5000/team/old:0), the newest 1m old"));
	assert_non_null(f = finding_find(&rep, "cache.age",
	    "proof of registry.example:5000/team/cli:1 is 1m old (refreshed every 5m)"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(f = finding_find(&rep, "cache.age", "no cached proof for "
	    "registry.example:5000/team/pinned@sha256:1111"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	assert_non_null(strstr(f->msg, "the first decision for it waits for a registry "
	    "round trip, and while the registry is down containers of it cannot mount"));
	assert_non_null(f = finding_find(&rep, "cache.age", "proof of "
	    "registry.example:5000/team/down:2 is 2h0m old, past graceSeconds (1h0m)"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	cli_doctor_report_clear(&rep);

	/* cli:1 10 m old (past refresh 5 m), the digest entry ancient but immutable. */
	cache_run("cache-refresh.json", "policy-images.json", &rep);
	assert_non_null(f = finding_find(&rep, "cache.age", "proof of "
	    "registry.example:5000/team/cli:1 is 10m old, past refreshSeconds (5m)"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	assert_non_null(f = finding_find(&rep, "cache.age", "pinned by digest, it never "
	    "expires"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(f = finding_find(&rep, "cache.age", "proof of "
	    "registry.example:5000/team/down:2 is 10s old"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_int_equal(cli_doctor_report_print(&rep, stderr), 1);
	cli_doctor_report_clear(&rep);

	/* Corrupt: said, and every entry lacks a proof. */
	cache_run("cache-corrupt.json", "policy-images.json", &rep);
	assert_non_null(f = finding_find(&rep, "cache.age", "is unreadable"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	assert_int_equal(finding_count(&rep, "cache.age"), 4);
	cli_doctor_report_clear(&rep);

	/* None yet: fine when nothing needs a proof. */
	cache_run(NULL, "settings-unset.json", &rep);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.v[0].level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(strstr(rep.v[0].msg, "no registry cache at"));
	cli_doctor_report_clear(&rep);
	cache_run(NULL, "policy-images.json", &rep);
	assert_int_equal(finding_count(&rep, "cache.age"), 4);
	assert_int_equal(cli_doctor_report_print(&rep, stderr), 1);
	cli_doctor_report_clear(&rep);

	/* No state dir: not checked. */
	assert_int_equal(cli_doctor_probe_cache(&o, NULL, &rep), 0);
	assert_int_equal(rep.n, 0);
}

/* Write the trust store DIR/trust.json: cli:1 issued at cli_issued (0: none), down:2 at down_issued. */
static void
trust_write(const char *dir, long cli_issued, long down_issued, time_t mtime)
{
#define D64	"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	struct timespec	 ts[2] = { { mtime, 0 }, { mtime, 0 } };
	char		 path[PATH_MAX + 32], iss[64];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/trust.json", dir);
	assert_non_null(f = fopen(path, "w"));
	snprintf(iss, sizeof(iss), ",\"issued\":%ld", cli_issued);
	fprintf(f, "{\"version\":1,\"images\":{"
	    "\"registry.example:5000/team/cli:1\":{\"digest\":\"" D64 "\","
	    "\"manifests\":[],\"configs\":[\"" D64 "\"]%s},"
	    "\"registry.example:5000/team/down:2\":{\"digest\":\"" D64 "\","
	    "\"manifests\":[],\"configs\":[\"" D64 "\"],\"issued\":%ld}}}",
	    cli_issued > 0 ? iss : "", down_issued);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
#undef D64
}

/* cache.age with the offline trust store: its proofs first, their bundle's age. */
static void
test_cache_trust(void **state)
{
	struct fake				 fk = { 0 };
	struct cli_doctor_probe_ops		 ops = fake_ops(&fk);
	struct cli_doctor_probe_opts		 o = { .ops = &ops };
	struct cli_doctor_report		 rep = { 0 };
	const struct cli_doctor_report_finding	*f;
	struct authz_settings			*s = settings_of("policy-images.json");
	char					 dir[PATH_MAX], cmd[3 * PATH_MAX];

	(void)state;
	tmp_make(dir, sizeof(dir));
	o.state_dir = dir;
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/registry-cache.json'",
	    fixture("cache-mixed.json"), dir);
	assert_int_equal(system(cmd), 0);
	/* cli:1 from a bundle 100 s old, down:2 from one 2 h old (past grace 1 h). */
	trust_write(dir, FAKE_NOW - 100, FAKE_NOW - 7200, FAKE_NOW - 50);
	assert_int_equal(cli_doctor_probe_cache(&o, s, &rep), 0);
	report_dump(&rep);
	assert_int_equal(rep.n, 5);
	assert_non_null(f = finding_find(&rep, "cache.age", "offline trust store "));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(strstr(f->msg, "trust.json: 2 images, the oldest bundle 2h0m old "
	    "(registry.example:5000/team/down:2; the bundle's mtime, recorded at import), "
	    "the newest 1m old"));
	assert_non_null(f = finding_find(&rep, "cache.age", "proof of "
	    "registry.example:5000/team/cli:1 comes from the offline trust store"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_non_null(strstr(f->msg, "a bundle 1m old (the bundle's mtime, recorded at "
	    "import)"));
	assert_non_null(f = finding_find(&rep, "cache.age", "proof of "
	    "registry.example:5000/team/down:2 comes from the offline trust store"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	assert_non_null(strstr(f->msg, "a bundle 2h0m old (the bundle's mtime, recorded "
	    "at import), past graceSeconds (1h0m): dockward still accepts it"));
	assert_non_null(strstr(f->msg, "dockward trust import"));
	/* The registry cache's own lines are unchanged; the pinned entry still has none. */
	assert_non_null(finding_find(&rep, "cache.age", "registry cache "));
	assert_non_null(f = finding_find(&rep, "cache.age", "no cached proof for "
	    "registry.example:5000/team/pinned@sha256:1111"));
	assert_null(finding_find(&rep, "cache.age", "proof of "
	    "registry.example:5000/team/cli:1 is"));
	cli_doctor_report_clear(&rep);

	/* No bundle time recorded: the store's mtime (10 m), past refresh (5 m). */
	trust_write(dir, 0, FAKE_NOW - 60, FAKE_NOW - 600);
	assert_int_equal(cli_doctor_probe_cache(&o, s, &rep), 0);
	report_dump(&rep);
	assert_non_null(f = finding_find(&rep, "cache.age", "proof of "
	    "registry.example:5000/team/cli:1 comes from the offline trust store"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	assert_non_null(strstr(f->msg, "a bundle 10m old (no bundle time recorded: the "
	    "trust store file's mtime, so at least that old"));
	assert_non_null(strstr(f->msg, "past refreshSeconds (5m)"));
	assert_non_null(f = finding_find(&rep, "cache.age", "proof of "
	    "registry.example:5000/team/down:2 comes from the offline trust store"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_PASS);
	assert_int_equal(cli_doctor_report_print(&rep, stderr), 1);
	cli_doctor_report_clear(&rep);

	/* A corrupt store: said, and the registry cache decides. */
	snprintf(cmd, sizeof(cmd), "echo '{\"version\":7}' > '%s/trust.json'", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(cli_doctor_probe_cache(&o, s, &rep), 0);
	report_dump(&rep);
	assert_non_null(f = finding_find(&rep, "cache.age", "offline trust store "
	    "unreadable"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	assert_non_null(finding_find(&rep, "cache.age",
	    "proof of registry.example:5000/team/cli:1 is 1m old"));
	cli_doctor_report_clear(&rep);
	authz_settings_free(s);
	tmp_remove(dir);
}

/* ---- whole runs against tests/data/doctor/expected-*.txt ---- */

/* Replace every @DATA@ and @TMP@ in text (a new string). */
static char *
expand(const char *text, const char *tmp)
{
	char		*out, *p;
	const char	*s;
	size_t		 cap = strlen(text) + 1;

	/* Room for every placeholder to grow to a path. */
	for (s = text; (s = strchr(s, '@')) != NULL; s++)
		cap += PATH_MAX;
	assert_non_null(out = malloc(cap));
	for (p = out, s = text; *s != '\0';) {
		if (strncmp(s, "@DATA@", 6) == 0) {
			p += snprintf(p, cap - (size_t)(p - out), "%s", data);
			s += 6;
		} else if (strncmp(s, "@TMP@", 5) == 0) {
			p += snprintf(p, cap - (size_t)(p - out), "%s", tmp);
			s += 5;
		} else
			*p++ = *s++;
	}
	*p = '\0';
	return out;
}

/* Compare the output with the expected file, line by line for a readable failure. */
static void
expect_output(const char *got, const char *expected_file, const char *tmp)
{
	char		*raw, *want;
	const char	*g = got, *w;
	size_t		 gl, wl, line = 1;

	raw = slurp(fixture(expected_file), NULL);
	want = expand(raw, tmp);
	for (w = want; *g != '\0' || *w != '\0'; line++) {
		gl = strcspn(g, "\n");
		wl = strcspn(w, "\n");
		if (gl != wl || memcmp(g, w, gl) != 0)
			fail_msg("%s line %zu:\n got: %.*s\nwant: %.*s", expected_file,
			    line, (int)gl, g, (int)wl, w);
		g += gl + (g[gl] == '\n');
		w += wl + (w[wl] == '\n');
	}
	free(want);
	free(raw);
}

/*
 * An exposed engine, no process, no plugin, a group-writable policy and a
 * stale cache: the whole report and exit status 2.
 */
static void
test_e2e_exposed(void **state)
{
	char				 tmp[PATH_MAX], dj[PATH_MAX], st[PATH_MAX], *got = NULL;
	char				 ps[PATH_MAX + 16], cmd[3 * PATH_MAX];
	size_t				 len = 0;
	int				 rc;
	struct fake			 fk = { 0 };
	struct cli_doctor_probe_ops	 ops = fake_ops(&fk);
	struct cli_doctor_opts		 o = { .plugin_name = "dockward", .probe.ops = &ops };
	FILE				*out;

	(void)state;
	if (getuid() != 0)
		skip();	/* policy.file's verdict needs a root-owned policy */
	tmp_make(tmp, sizeof(tmp));
	snprintf(dj, sizeof(dj), "%s", fixture("e2e-exposed.json"));
	snprintf(st, sizeof(st), "%s", policy_copy(tmp, "policy-images.json"));
	assert_int_equal(chmod(st, 0620), 0);
	snprintf(ps, sizeof(ps), "%s/plugin.sock", tmp);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/registry-cache.json'",
	    fixture("cache-mixed.json"), tmp);
	assert_int_equal(system(cmd), 0);
	o.proc = tmp;
	o.daemon_json = dj;
	o.probe.settings_path = st;
	o.probe.plugin_socket = ps;
	o.probe.state_dir = tmp;
	assert_non_null(out = open_memstream(&got, &len));
	rc = cli_doctor_run(&o, out);
	fclose(out);
	fprintf(stderr, "%s", got);
	assert_int_equal(rc, 2);
	expect_output(got, "expected-exposed.txt", tmp);
	free(got);
	tmp_remove(tmp);
}

/*
 * A well-set-up dockerd found in a /proc tree, run through the command's
 * own entry point (options parsed, stdout captured): all PASS, status 0.
 */
static void
test_e2e_good(void **state)
{
	char		 tmp[PATH_MAX], proc[PATH_MAX + 8], sock[PATH_MAX + 16];
	char		 host[PATH_MAX + 32], cfg[PATH_MAX], st[PATH_MAX], outp[PATH_MAX + 8];
	char		 psock[PATH_MAX + 16];
	const char	*dockerd[] = { "/usr/bin/dockerd", "--config-file", cfg, "-H", host,
	    "--tlsverify", "-H", "tcp://10.0.0.5:2376", NULL };
	char		*argv[] = { "doctor", "--proc", proc, "--settings", st,
	    "--daemon-json", "/nonexistent", "--plugin-name", "dockward",
	    "--plugin-socket", psock, "--state-dir", tmp, NULL };
	struct api_plugin *p;
	struct dw_err	 err;
	bool		 allow = true;
	char		*got;
	int		 saved, fd, rc;

	(void)state;
	if (getuid() != 0)
		skip();	/* the socket must belong to group root */
	tmp_make(tmp, sizeof(tmp));
	snprintf(proc, sizeof(proc), "%s/proc", tmp);
	assert_int_equal(mkdir(proc, 0755), 0);
	snprintf(sock, sizeof(sock), "%s/engine.sock", tmp);
	socket_make(sock);
	assert_int_equal(chown(sock, 0, 0), 0);
	assert_int_equal(chmod(sock, 0660), 0);
	snprintf(host, sizeof(host), "unix://%s", sock);
	snprintf(cfg, sizeof(cfg), "%s", fixture("e2e-good.json"));
	snprintf(st, sizeof(st), "%s", policy_copy(tmp, "policy-good.json"));
	proc_write(proc, 4321, dockerd);
	/* dockward's real plugin server, asked by the default ops. */
	snprintf(psock, sizeof(psock), "%s/plugin.sock", tmp);
	assert_true((fd = dw_sock_listen(psock, 0660, &err)) >= 0);
	assert_non_null(p = api_plugin_start(fd, ping_decide, NULL, &allow, &err));

	snprintf(outp, sizeof(outp), "%s/out", tmp);
	assert_true((fd = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	fflush(stdout);
	assert_true((saved = dup(STDOUT_FILENO)) >= 0);
	assert_true(dup2(fd, STDOUT_FILENO) >= 0);
	close(fd);
	optind = 0;	/* getopt starts over */
	rc = cli_doctor_main(13, argv);
	api_plugin_stop(p);
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	got = slurp(outp, NULL);
	fprintf(stderr, "%s", got);
	assert_int_equal(rc, 0);
	expect_output(got, "expected-good.txt", tmp);
	free(got);
	tmp_remove(tmp);
}

/* Usage errors are status 3, never a doctor verdict. */
static void
test_usage(void **state)
{
	char	*argv[] = { "doctor", "--no-such-option", NULL };
	char	*argv2[] = { "doctor", "extra", NULL };

	(void)state;
	optind = 0;
	assert_int_equal(cli_doctor_main(2, argv), 3);
	optind = 0;
	assert_int_equal(cli_doctor_main(2, argv2), 3);
}

#define TABLE(cases, fn) do {						\
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {		\
		tests[n].name = names[n];					\
		snprintf(names[n], sizeof(names[n]), "%s: %s", #fn,		\
		    (cases)[i].NAME_FIELD);					\
		tests[n].test_func = fn;					\
		tests[n].setup_func = NULL;					\
		tests[n].teardown_func = NULL;					\
		tests[n].initial_state = (void *)&(cases)[i];			\
		n++;								\
	}								\
} while (0)

#define NTESTS	(sizeof(json_cases) / sizeof(json_cases[0]) +			\
	sizeof(cmd_cases) / sizeof(cmd_cases[0]) +				\
	sizeof(tcp_cases) / sizeof(tcp_cases[0]) +				\
	sizeof(run_cases) / sizeof(run_cases[0]) +				\
	sizeof(plugin_cases) / sizeof(plugin_cases[0]) + 20)

/* ---- policy.expiry ---- */

/* Write text to dir/name. */
static void
put_file(const char *dir, const char *name, const char *text)
{
	char	path[PATH_MAX + 64];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

#define PM_POLICY(meta)	"{\"configurationFileVersion\":2,\"dockward\":{\"policy\":" meta "}}"

static void
test_fleet_expiry(void **state)
{
	struct cli_doctor_report		 rep = { 0 };
	const struct cli_doctor_report_finding	*f;
	struct cli_doctor_probe_opts		 o = { 0 };
	struct fake				 fk = { 0 };
	struct cli_doctor_probe_ops		 ops = fake_ops(&fk);
	struct authz_settings			*s;
	struct dw_err				 err;
	char					 dir[PATH_MAX], fdir[PATH_MAX + 16];
	static const char			 local[] = PM_POLICY("{\"serial\":5,"
						    "\"expires\":\"2024-06-01T00:00:00Z\"}");

	(void)state;
	tmp_make(dir, sizeof(dir));
	o.ops = &ops;
	o.settings_path = "/etc/dockward/admin-settings.json";

	/* No dockward.policy, no state dir: nothing to say. */
	assert_non_null(s = authz_settings_parse("{\"configurationFileVersion\":2}", 30,
	    "x", &err));
	assert_int_equal(cli_doctor_fleet_probe(&o, s, &rep), 0);
	assert_int_equal(rep.n, 0);
	authz_settings_free(s);

	/* The local policy in date; the fleet copy expiring in 5 days, serial 7 held. */
	assert_non_null(s = authz_settings_parse(local, strlen(local), "x", &err));
	o.state_dir = dir;
	snprintf(fdir, sizeof(fdir), "%s/fleet", dir);
	assert_int_equal(mkdir(fdir, 0700), 0);
	put_file(fdir, "admin-settings.json", PM_POLICY("{\"serial\":7,"
	    "\"expires\":\"2023-11-20T00:00:00Z\"}"));
	put_file(fdir, "admin-settings.json.serial", "7 sha256:00\n");
	assert_int_equal(cli_doctor_fleet_probe(&o, s, &rep), 0);
	report_dump(&rep);
	assert_int_equal(rep.n, 2);
	assert_int_equal(rep.v[0].level, CLI_DOCTOR_REPORT_PASS);
	assert_string_equal(rep.v[0].msg, "/etc/dockward/admin-settings.json: serial 5, "
	    "expires 2024-06-01T00:00:00Z (in 199d 1h)");
	assert_int_equal(rep.v[1].level, CLI_DOCTOR_REPORT_WARN);
	assert_non_null(strstr(rep.v[1].msg, "fleet policy (last good copy "));
	assert_non_null(strstr(rep.v[1].msg, "/fleet/admin-settings.json): serial 7 "
	    "expires 2023-11-20T00:00:00Z, in 5d 1h (warned 7d 0h ahead); serial held 7; "
	    "sign and publish"));
	cli_doctor_report_clear(&rep);

	/* Expired: FAIL, still enforced. */
	put_file(fdir, "admin-settings.json", PM_POLICY("{\"serial\":7,"
	    "\"expires\":\"2023-11-01T00:00:00Z\"}"));
	assert_int_equal(cli_doctor_fleet_probe(&o, NULL, &rep), 0);
	assert_int_equal(rep.n, 1);
	assert_non_null(f = finding_find(&rep, "policy.expiry", "serial 7 EXPIRED "
	    "2023-11-01T00:00:00Z, 13d 22h ago; serial held 7; dockward keeps enforcing it"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_FAIL);
	cli_doctor_report_clear(&rep);

	/* A copy from before serials: WARN. */
	put_file(fdir, "admin-settings.json", "{\"configurationFileVersion\":2}");
	assert_int_equal(cli_doctor_fleet_probe(&o, NULL, &rep), 0);
	assert_non_null(f = finding_find(&rep, "policy.expiry", "has no serial or expiry"));
	assert_int_equal(f->level, CLI_DOCTOR_REPORT_WARN);
	cli_doctor_report_clear(&rep);
	authz_settings_free(s);
	tmp_remove(dir);
}

int
main(void)
{
	static char		 names[NTESTS][160];
	struct CMUnitTest	 tests[NTESTS];
	const char		*top = getenv("top_srcdir");
	size_t			 i, n = 0;

	snprintf(data, sizeof(data), "%s/tests/data/doctor", top != NULL ? top : ".");
#define NAME_FIELD file
	TABLE(json_cases, test_daemon_json);
#undef NAME_FIELD
#define NAME_FIELD name
	TABLE(cmd_cases, test_cmdline);
	TABLE(tcp_cases, test_tcp);
	TABLE(run_cases, test_run);
	TABLE(plugin_cases, test_plugin_probe);
#undef NAME_FIELD
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_daemon_json_merge);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_proc_tree);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_proc_config_broken);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_tcp_several);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_plugin_name);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_socket);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_isolation_cmdline);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_policy_file);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_plugin_real);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_gatekeeper);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_registry);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_access);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_cache);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_cache_trust);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fleet_expiry);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_e2e_exposed);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_e2e_good);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_usage);
	return _cmocka_run_group_tests("cli_doctor", tests, n, NULL, NULL);
}
