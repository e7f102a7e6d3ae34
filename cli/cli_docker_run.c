/*
 * cli_docker_run: `docker run` and `docker create` as the container create
 * request the CLI sends (opts.go parse, run.go, create.go of docker/cli
 * v20.10), cut by concern: attach, config, environment, volumes, ports,
 * security, names, devices, lifecycle, resources, networks; then the
 * pull before (--pull always) and the calls after (run).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "cli/cli_docker_run.h"
#include "cli/cli_docker_arg.h"
#include "cli/cli_docker_cmd.h"
#include "cli/cli_docker_mount.h"
#include "cli/cli_docker_plan.h"
#include "common/dw_err.h"
#include "common/dw_strv.h"

/* What each flag sets (R_IGN: accepted, no effect; R_NOTE: said in a note). */
enum {
	R_IGN = 1, R_NOTE, R_DETACH, R_NAME, R_PLATFORM, R_PULL,
	R_ATTACH, R_DEVCG, R_DEVICE, R_GPUS, R_ENV, R_ENVFILE, R_ENTRYPOINT,
	R_GROUPADD, R_HOSTNAME, R_DOMAINNAME, R_INTERACTIVE, R_LABEL,
	R_LABELFILE, R_READONLY, R_RESTART, R_STOPSIGNAL, R_STOPTIMEOUT,
	R_SYSCTL, R_TTY, R_USER, R_WORKDIR, R_RM, R_CAPADD, R_CAPDROP,
	R_PRIVILEGED, R_SECOPT, R_USERNS, R_CGROUPNS, R_ADDHOST, R_DNS,
	R_DNSOPT, R_DNSSEARCH, R_EXPOSE, R_IP, R_IP6, R_LINK, R_MAC, R_PUBLISH,
	R_PUBLISHALL, R_NETWORK, R_ALIAS, R_LOGDRIVER, R_VOLDRIVER, R_LOGOPT,
	R_STORAGEOPT, R_TMPFS, R_VOLUMESFROM, R_VOLUME, R_MOUNT, R_CIDFILE,
	R_MEMORY, R_MEMRES, R_MEMSWAP, R_SWAPPINESS, R_KMEM, R_OOMKILL,
	R_OOMSCORE, R_PIDS, R_CGPARENT, R_IPC, R_ISOLATION, R_PID, R_SHM, R_UTS,
	R_RUNTIME, R_INIT, R_CPUS, R_CPUSHARES, R_CPUPERIOD, R_CPUQUOTA,
	R_CPUSETCPUS, R_CPUSETMEMS, R_BLKIO,
};

static const struct cli_docker_arg_flag run_flags[] = {
	/* run and create; -d is run's only (create refuses it) */
	{ "detach", 'd', CLI_DOCKER_ARG_BOOL, R_DETACH, NULL },
	{ "sig-proxy", 0, CLI_DOCKER_ARG_BOOL, R_IGN, NULL },
	{ "detach-keys", 0, CLI_DOCKER_ARG_STR, R_IGN, NULL },
	{ "name", 0, CLI_DOCKER_ARG_STR, R_NAME, NULL },
	{ "platform", 0, CLI_DOCKER_ARG_STR, R_PLATFORM, NULL },
	{ "pull", 0, CLI_DOCKER_ARG_STR, R_PULL, NULL },
	{ "disable-content-trust", 0, CLI_DOCKER_ARG_BOOL, R_IGN, NULL },
	/* containerOptions (opts.go addFlags) */
	{ "attach", 'a', CLI_DOCKER_ARG_LIST, R_ATTACH, NULL },
	{ "device-cgroup-rule", 0, CLI_DOCKER_ARG_LIST, R_DEVCG, NULL },
	{ "device", 0, CLI_DOCKER_ARG_LIST, R_DEVICE, NULL },
	{ "gpus", 0, CLI_DOCKER_ARG_STR, R_GPUS, NULL },
	{ "env", 'e', CLI_DOCKER_ARG_LIST, R_ENV, NULL },
	{ "env-file", 0, CLI_DOCKER_ARG_LIST, R_ENVFILE, NULL },
	{ "entrypoint", 0, CLI_DOCKER_ARG_STR, R_ENTRYPOINT, NULL },
	{ "group-add", 0, CLI_DOCKER_ARG_LIST, R_GROUPADD, NULL },
	{ "hostname", 'h', CLI_DOCKER_ARG_STR, R_HOSTNAME, NULL },
	{ "domainname", 0, CLI_DOCKER_ARG_STR, R_DOMAINNAME, NULL },
	{ "interactive", 'i', CLI_DOCKER_ARG_BOOL, R_INTERACTIVE, NULL },
	{ "label", 'l', CLI_DOCKER_ARG_LIST, R_LABEL, NULL },
	{ "label-file", 0, CLI_DOCKER_ARG_LIST, R_LABELFILE, NULL },
	{ "read-only", 0, CLI_DOCKER_ARG_BOOL, R_READONLY, NULL },
	{ "restart", 0, CLI_DOCKER_ARG_STR, R_RESTART, NULL },
	{ "stop-signal", 0, CLI_DOCKER_ARG_STR, R_STOPSIGNAL, NULL },
	{ "stop-timeout", 0, CLI_DOCKER_ARG_STR, R_STOPTIMEOUT, NULL },
	{ "sysctl", 0, CLI_DOCKER_ARG_LIST, R_SYSCTL, NULL },
	{ "tty", 't', CLI_DOCKER_ARG_BOOL, R_TTY, NULL },
	{ "ulimit", 0, CLI_DOCKER_ARG_LIST, R_IGN, NULL },
	{ "user", 'u', CLI_DOCKER_ARG_STR, R_USER, NULL },
	{ "workdir", 'w', CLI_DOCKER_ARG_STR, R_WORKDIR, NULL },
	{ "rm", 0, CLI_DOCKER_ARG_BOOL, R_RM, NULL },
	{ "cap-add", 0, CLI_DOCKER_ARG_LIST, R_CAPADD, NULL },
	{ "cap-drop", 0, CLI_DOCKER_ARG_LIST, R_CAPDROP, NULL },
	{ "privileged", 0, CLI_DOCKER_ARG_BOOL, R_PRIVILEGED, NULL },
	{ "security-opt", 0, CLI_DOCKER_ARG_LIST, R_SECOPT, NULL },
	{ "userns", 0, CLI_DOCKER_ARG_STR, R_USERNS, NULL },
	{ "cgroupns", 0, CLI_DOCKER_ARG_STR, R_CGROUPNS, NULL },
	{ "add-host", 0, CLI_DOCKER_ARG_LIST, R_ADDHOST, NULL },
	{ "dns", 0, CLI_DOCKER_ARG_LIST, R_DNS, NULL },
	{ "dns-opt", 0, CLI_DOCKER_ARG_LIST, R_DNSOPT, NULL },
	{ "dns-option", 0, CLI_DOCKER_ARG_LIST, R_DNSOPT, NULL },
	{ "dns-search", 0, CLI_DOCKER_ARG_LIST, R_DNSSEARCH, NULL },
	{ "expose", 0, CLI_DOCKER_ARG_LIST, R_EXPOSE, NULL },
	{ "ip", 0, CLI_DOCKER_ARG_STR, R_IP, NULL },
	{ "ip6", 0, CLI_DOCKER_ARG_STR, R_IP6, NULL },
	{ "link", 0, CLI_DOCKER_ARG_LIST, R_LINK, NULL },
	{ "link-local-ip", 0, CLI_DOCKER_ARG_LIST, R_IGN, NULL },
	{ "mac-address", 0, CLI_DOCKER_ARG_STR, R_MAC, NULL },
	{ "publish", 'p', CLI_DOCKER_ARG_LIST, R_PUBLISH, NULL },
	{ "publish-all", 'P', CLI_DOCKER_ARG_BOOL, R_PUBLISHALL, NULL },
	{ "net", 0, CLI_DOCKER_ARG_LIST, R_NETWORK, NULL },
	{ "network", 0, CLI_DOCKER_ARG_LIST, R_NETWORK, NULL },
	{ "net-alias", 0, CLI_DOCKER_ARG_LIST, R_ALIAS, NULL },
	{ "network-alias", 0, CLI_DOCKER_ARG_LIST, R_ALIAS, NULL },
	{ "log-driver", 0, CLI_DOCKER_ARG_STR, R_LOGDRIVER, NULL },
	{ "volume-driver", 0, CLI_DOCKER_ARG_STR, R_VOLDRIVER, NULL },
	{ "log-opt", 0, CLI_DOCKER_ARG_LIST, R_LOGOPT, NULL },
	{ "storage-opt", 0, CLI_DOCKER_ARG_LIST, R_STORAGEOPT, NULL },
	{ "tmpfs", 0, CLI_DOCKER_ARG_LIST, R_TMPFS, NULL },
	{ "volumes-from", 0, CLI_DOCKER_ARG_LIST, R_VOLUMESFROM, NULL },
	{ "volume", 'v', CLI_DOCKER_ARG_LIST, R_VOLUME, NULL },
	{ "mount", 0, CLI_DOCKER_ARG_LIST, R_MOUNT, NULL },
	{ "health-cmd", 0, CLI_DOCKER_ARG_STR, R_NOTE, NULL },
	{ "health-interval", 0, CLI_DOCKER_ARG_STR, R_NOTE, NULL },
	{ "health-retries", 0, CLI_DOCKER_ARG_STR, R_NOTE, NULL },
	{ "health-timeout", 0, CLI_DOCKER_ARG_STR, R_NOTE, NULL },
	{ "health-start-period", 0, CLI_DOCKER_ARG_STR, R_NOTE, NULL },
	{ "no-healthcheck", 0, CLI_DOCKER_ARG_BOOL, R_NOTE, NULL },
	{ "blkio-weight", 0, CLI_DOCKER_ARG_STR, R_BLKIO, NULL },
	{ "blkio-weight-device", 0, CLI_DOCKER_ARG_LIST, R_NOTE, NULL },
	{ "cidfile", 0, CLI_DOCKER_ARG_STR, R_CIDFILE, NULL },
	{ "cpuset-cpus", 0, CLI_DOCKER_ARG_STR, R_CPUSETCPUS, NULL },
	{ "cpuset-mems", 0, CLI_DOCKER_ARG_STR, R_CPUSETMEMS, NULL },
	{ "cpu-count", 0, CLI_DOCKER_ARG_STR, R_NOTE, NULL },
	{ "cpu-percent", 0, CLI_DOCKER_ARG_STR, R_NOTE, NULL },
	{ "cpu-period", 0, CLI_DOCKER_ARG_STR, R_CPUPERIOD, NULL },
	{ "cpu-quota", 0, CLI_DOCKER_ARG_STR, R_CPUQUOTA, NULL },
	{ "cpu-rt-period", 0, CLI_DOCKER_ARG_STR, R_NOTE, NULL },
	{ "cpu-rt-runtime", 0, CLI_DOCKER_ARG_STR, R_NOTE, NULL },
	{ "cpu-shares", 'c', CLI_DOCKER_ARG_STR, R_CPUSHARES, NULL },
	{ "cpus", 0, CLI_DOCKER_ARG_STR, R_CPUS, NULL },
	{ "device-read-bps", 0, CLI_DOCKER_ARG_LIST, R_NOTE, NULL },
	{ "device-read-iops", 0, CLI_DOCKER_ARG_LIST, R_NOTE, NULL },
	{ "device-write-bps", 0, CLI_DOCKER_ARG_LIST, R_NOTE, NULL },
	{ "device-write-iops", 0, CLI_DOCKER_ARG_LIST, R_NOTE, NULL },
	{ "io-maxbandwidth", 0, CLI_DOCKER_ARG_STR, R_NOTE, NULL },
	{ "io-maxiops", 0, CLI_DOCKER_ARG_STR, R_NOTE, NULL },
	{ "kernel-memory", 0, CLI_DOCKER_ARG_STR, R_KMEM, NULL },
	{ "memory", 'm', CLI_DOCKER_ARG_STR, R_MEMORY, NULL },
	{ "memory-reservation", 0, CLI_DOCKER_ARG_STR, R_MEMRES, NULL },
	{ "memory-swap", 0, CLI_DOCKER_ARG_STR, R_MEMSWAP, NULL },
	{ "memory-swappiness", 0, CLI_DOCKER_ARG_STR, R_SWAPPINESS, NULL },
	{ "oom-kill-disable", 0, CLI_DOCKER_ARG_BOOL, R_OOMKILL, NULL },
	{ "oom-score-adj", 0, CLI_DOCKER_ARG_STR, R_OOMSCORE, NULL },
	{ "pids-limit", 0, CLI_DOCKER_ARG_STR, R_PIDS, NULL },
	{ "cgroup-parent", 0, CLI_DOCKER_ARG_STR, R_CGPARENT, NULL },
	{ "ipc", 0, CLI_DOCKER_ARG_STR, R_IPC, NULL },
	{ "isolation", 0, CLI_DOCKER_ARG_STR, R_ISOLATION, NULL },
	{ "pid", 0, CLI_DOCKER_ARG_STR, R_PID, NULL },
	{ "shm-size", 0, CLI_DOCKER_ARG_STR, R_SHM, NULL },
	{ "uts", 0, CLI_DOCKER_ARG_STR, R_UTS, NULL },
	{ "runtime", 0, CLI_DOCKER_ARG_STR, R_RUNTIME, NULL },
	{ "init", 0, CLI_DOCKER_ARG_BOOL, R_INIT, NULL },
	{ NULL }
};

/* ---- flags into the body ---- */

/* obj[key] = every value of flag id, when given. */
static void
set_list(const struct cli_docker_arg *p, int id, json_t *obj, const char *key)
{
	struct dw_strv	l = { 0 };

	cli_docker_arg_list(p, id, &l);
	if (l.n > 0)
		json_object_set_new(obj, key, cli_docker_cmd_str_array(&l));
	dw_strv_clear(&l);
}

/* obj[key] = a number flag. */
static int
set_int(struct cli_docker_cmd *t, const struct cli_docker_arg *p, int id,
    const char *flag, json_t *obj, const char *key)
{
	const char	*v = cli_docker_arg_str(p, id);
	long long	 n;

	if (v == NULL)
		return 0;
	if (cli_docker_cmd_parse_ll(v, &n) < 0)
		return cli_docker_cmd_fail(t, -EINVAL, "docker %s --%s %s: "
		    "invalid number", t->cmd, flag, v);
	json_object_set_new(obj, key, json_integer(n));
	return 0;
}

/* obj[key] = a size flag (go-units); memory-swap also takes -1. */
static int
set_bytes(struct cli_docker_cmd *t, const struct cli_docker_arg *p, int id,
    const char *flag, json_t *obj, const char *key)
{
	const char	*v = cli_docker_arg_str(p, id);
	long long	 n;

	if (v == NULL)
		return 0;
	if (strcmp(v, "-1") == 0 && id == R_MEMSWAP)
		n = -1;
	else if (cli_docker_cmd_ram_bytes(v, &n) < 0)
		return cli_docker_cmd_fail(t, -EINVAL, "docker %s --%s %s: "
		    "invalid size", t->cmd, flag, v);
	json_object_set_new(obj, key, json_integer(n));
	return 0;
}

/* Attach: -a, else stdout and stderr; -i adds stdin; run -d none. */
static int
body_attach(struct cli_docker_cmd *t, const struct cli_docker_arg *p, bool run,
    json_t *cfg)
{
	struct dw_strv	 l = { 0 };
	bool		 detach, stdin_, as_in = false, as_out = false, as_err = false;
	size_t		 i;
	int		 r = -EINVAL;

	detach = run && cli_docker_arg_bool(p, R_DETACH, false);
	stdin_ = cli_docker_arg_bool(p, R_INTERACTIVE, false);
	cli_docker_arg_list(p, R_ATTACH, &l);
	for (i = 0; i < l.n; i++) {
		if (strcasecmp(l.v[i], "stdin") == 0)
			as_in = true;
		else if (strcasecmp(l.v[i], "stdout") == 0)
			as_out = true;
		else if (strcasecmp(l.v[i], "stderr") == 0)
			as_err = true;
		else {
			cli_docker_cmd_fail(t, -EINVAL, "docker %s -a %s: "
			    "valid streams are STDIN, STDOUT and STDERR",
			    t->cmd, l.v[i]);
			goto out;
		}
	}
	if (l.n == 0)
		as_out = as_err = true;
	if (stdin_)
		as_in = true;
	if (detach) {
		if (l.n > 0) {
			cli_docker_cmd_fail(t, -EINVAL, "docker run: "
			    "conflicting options: -a and -d");
			goto out;
		}
		as_in = as_out = as_err = false;
	}
	json_object_set_new(cfg, "AttachStdin", json_boolean(as_in));
	json_object_set_new(cfg, "AttachStdout", json_boolean(as_out));
	json_object_set_new(cfg, "AttachStderr", json_boolean(as_err));
	json_object_set_new(cfg, "OpenStdin", json_boolean(stdin_));
	json_object_set_new(cfg, "StdinOnce", json_boolean(stdin_ && as_in));
	json_object_set_new(cfg, "Tty",
	    json_boolean(cli_docker_arg_bool(p, R_TTY, false)));
	r = 0;
out:
	dw_strv_clear(&l);
	return r;
}

/* Config's plain values: names, user, directory, how to stop, entrypoint. */
static int
body_config(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    json_t *cfg)
{
	const char	*v;
	int		 r;

	cli_docker_cmd_set_str(p, R_HOSTNAME, cfg, "Hostname");
	cli_docker_cmd_set_str(p, R_DOMAINNAME, cfg, "Domainname");
	cli_docker_cmd_set_str(p, R_USER, cfg, "User");
	cli_docker_cmd_set_str(p, R_WORKDIR, cfg, "WorkingDir");
	cli_docker_cmd_set_str(p, R_MAC, cfg, "MacAddress");
	cli_docker_cmd_set_str(p, R_STOPSIGNAL, cfg, "StopSignal");
	if ((r = set_int(t, p, R_STOPTIMEOUT, "stop-timeout", cfg,
	    "StopTimeout")) < 0)
		return r;
	if ((v = cli_docker_arg_str(p, R_ENTRYPOINT)) != NULL)
		json_object_set_new(cfg, "Entrypoint", json_pack("[s]", v));
	return 0;
}

/* Environment and labels, each from its files first, then its flags. */
static int
body_env_labels(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    json_t *cfg)
{
	struct dw_strv	 files = { 0 }, direct = { 0 }, kv = { 0 };
	int		 r;

	cli_docker_arg_list(p, R_ENVFILE, &files);
	cli_docker_arg_list(p, R_ENV, &direct);
	if ((r = cli_docker_cmd_kv_files(t, "--env-file", &files, true, &direct,
	    &kv)) < 0)
		goto out;
	if (kv.n > 0)
		json_object_set_new(cfg, "Env", cli_docker_cmd_str_array(&kv));
	dw_strv_clear(&files);
	dw_strv_clear(&direct);
	dw_strv_clear(&kv);
	cli_docker_arg_list(p, R_LABELFILE, &files);
	cli_docker_arg_list(p, R_LABEL, &direct);
	if ((r = cli_docker_cmd_kv_files(t, "--label-file", &files, false,
	    &direct, &kv)) < 0)
		goto out;
	json_object_set_new(cfg, "Labels", cli_docker_cmd_kv_map(&kv));
out:
	dw_strv_clear(&files);
	dw_strv_clear(&direct);
	dw_strv_clear(&kv);
	return r;
}

/* The image and the command: the arguments. */
static void
body_command(const struct cli_docker_arg *p, json_t *cfg)
{
	json_t	*a;
	size_t	 i;

	json_object_set_new(cfg, "Image", json_string(p->pos[0]));
	if (p->npos > 1) {
		a = json_array();
		for (i = 1; i < p->npos; i++)
			json_array_append_new(a, json_string(p->pos[i]));
		json_object_set_new(cfg, "Cmd", a);
	}
}

/* ---- volumes ---- */

/*
 * -v (a spec with a source is a bind or a named volume, else an anonymous
 * volume), --mount, --tmpfs PATH[:OPTS], --volumes-from, --volume-driver.
 */
static int
body_volumes(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    json_t *cfg, json_t *hc)
{
	struct dw_strv	 l = { 0 };
	json_t		*a, *vols, *m;
	char		 path[1024];
	size_t		 i, n;
	int		 r;

	if ((vols = json_object()) == NULL)
		return cli_docker_cmd_nomem(t);
	a = json_array();
	cli_docker_arg_list(p, R_VOLUME, &l);
	for (i = 0; i < l.n; i++) {
		if (strchr(l.v[i], ':') != NULL)
			json_array_append_new(a, json_string(l.v[i]));
		else
			json_object_set_new(vols, l.v[i], json_object());
	}
	dw_strv_clear(&l);
	if (json_array_size(a) > 0)
		json_object_set_new(hc, "Binds", a);
	else
		json_decref(a);
	json_object_set_new(cfg, "Volumes", vols);
	cli_docker_arg_list(p, R_MOUNT, &l);
	if (l.n > 0) {
		a = json_array();
		json_object_set_new(hc, "Mounts", a);
		for (i = 0; i < l.n; i++) {
			if ((r = cli_docker_mount_parse(t, l.v[i], &m)) < 0)
				goto out;
			json_array_append_new(a, m);
		}
	}
	dw_strv_clear(&l);
	cli_docker_arg_list(p, R_TMPFS, &l);
	if (l.n > 0) {
		m = json_object();
		for (i = 0; i < l.n; i++) {
			n = strcspn(l.v[i], ":");
			snprintf(path, sizeof(path), "%.*s",
			    (int)(n < 1023 ? n : 1023), l.v[i]);
			json_object_set_new(m, path, json_string(l.v[i][n] ?
			    l.v[i] + n + 1 : ""));
		}
		json_object_set_new(hc, "Tmpfs", m);
	}
	set_list(p, R_VOLUMESFROM, hc, "VolumesFrom");
	cli_docker_cmd_set_str(p, R_VOLDRIVER, hc, "VolumeDriver");
	r = 0;
out:
	dw_strv_clear(&l);
	return r;
}

/* One port number or range "a" / "a-b"; 0 or -EINVAL. */
static int
port_range(const char *s, unsigned *lo, unsigned *hi)
{
	char		*end;
	unsigned long	 a, b;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	a = strtoul(s, &end, 10);
	b = a;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return -EINVAL;
		b = strtoul(end + 1, &end, 10);
	}
	if (*end != '\0' || a > 65535 || b > 65535 || b < a)
		return -EINVAL;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

/*
 * -p values (nat.ParsePortSpecs after convertToStandardNotation) into
 * ExposedPorts and PortBindings.
 */
static int
ports_add(struct cli_docker_cmd *t, const char *spec, json_t *exposed,
    json_t *bindings)
{
	char		 buf[512], ip[256] = "", host[64] = "", cport[64];
	char		 proto[16] = "tcp", *parts[64], *slash, *save = NULL, *p;
	size_t		 np = 0, i;
	unsigned	 clo, chi, hlo = 0, hhi = 0;

	if (strchr(spec, '=') != NULL) {
		/* Long syntax: published=8080,target=80[,protocol=udp]. */
		char pub[64] = "", tgt[64] = "", pr[16] = "tcp", *f;

		snprintf(buf, sizeof(buf), "%s", spec);
		for (f = strtok_r(buf, ",", &save); f != NULL;
		    f = strtok_r(NULL, ",", &save)) {
			if (strncmp(f, "published=", 10) == 0)
				snprintf(pub, sizeof(pub), "%s", f + 10);
			else if (strncmp(f, "target=", 7) == 0)
				snprintf(tgt, sizeof(tgt), "%s", f + 7);
			else if (strncmp(f, "protocol=", 9) == 0)
				snprintf(pr, sizeof(pr), "%s", f + 9);
			else if (strchr(f, '=') == NULL)
				return cli_docker_cmd_fail(t, -EINVAL, "docker "
				    "%s -p %s: invalid publish opts format "
				    "(should be name=value but got '%s')",
				    t->cmd, spec, f);
		}
		snprintf(buf, sizeof(buf), "%s:%s/%s", pub, tgt, pr);
	} else
		snprintf(buf, sizeof(buf), "%s", spec);
	if ((slash = strrchr(buf, '/')) != NULL) {
		snprintf(proto, sizeof(proto), "%s", slash + 1);
		*slash = '\0';
	}
	for (p = buf; np < 64; ) {
		parts[np++] = p;
		if ((p = strchr(p, ':')) == NULL)
			break;
		*p++ = '\0';
	}
	snprintf(cport, sizeof(cport), "%.63s", parts[np - 1]);
	if (np == 2)
		snprintf(host, sizeof(host), "%.63s", parts[0]);
	else if (np >= 3) {
		size_t off = 0;

		for (i = 0; i + 2 < np; i++)
			off += (size_t)snprintf(ip + off, sizeof(ip) - off,
			    "%s%s", i ? ":" : "", parts[i]);
		snprintf(host, sizeof(host), "%.63s", parts[np - 2]);
	}
	/* "[::1]" -> "::1" */
	if (ip[0] == '[' && ip[strlen(ip) - 1] == ']') {
		memmove(ip, ip + 1, strlen(ip));
		ip[strlen(ip) - 1] = '\0';
	}
	if (port_range(cport, &clo, &chi) < 0)
		return cli_docker_cmd_fail(t, -EINVAL, "docker %s -p %s: "
		    "invalid containerPort: %s", t->cmd, spec, cport);
	if (host[0] != '\0' && port_range(host, &hlo, &hhi) < 0)
		return cli_docker_cmd_fail(t, -EINVAL, "docker %s -p %s: "
		    "invalid hostPort: %s", t->cmd, spec, host);
	if (host[0] != '\0' && chi - clo != hhi - hlo && chi != clo)
		return cli_docker_cmd_fail(t, -EINVAL, "docker %s -p %s: "
		    "invalid ranges specified for container and host Ports",
		    t->cmd, spec);
	for (i = 0; i <= chi - clo; i++) {
		char	key[96], hp[64];
		json_t	*list, *b;

		snprintf(key, sizeof(key), "%u/%s", clo + (unsigned)i, proto);
		if (host[0] == '\0')
			hp[0] = '\0';
		else if (chi == clo && hhi != hlo)
			snprintf(hp, sizeof(hp), "%s",
			    host);	/* a host range for one port */
		else
			snprintf(hp, sizeof(hp), "%u", hlo + (unsigned)i);
		json_object_set_new(exposed, key, json_object());
		if ((list = json_object_get(bindings, key)) == NULL) {
			list = json_array();
			json_object_set_new(bindings, key, list);
		}
		b = json_pack("{s:s, s:s}", "HostIp", ip, "HostPort", hp);
		json_array_append_new(list, b);
	}
	return 0;
}

/* --expose PORT[-PORT][/PROTO] into exposed. */
static int
expose_add(struct cli_docker_cmd *t, const char *spec, json_t *exposed)
{
	char		 buf[128], key[96], *slash;
	const char	*proto = "tcp";
	unsigned	 lo, hi, k;

	snprintf(buf, sizeof(buf), "%s", spec);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash = '\0';
		proto = slash + 1;
	}
	if (strchr(buf, ':') != NULL || port_range(buf, &lo, &hi) < 0)
		return cli_docker_cmd_fail(t, -EINVAL, "docker %s --expose %s: "
		    "invalid port", t->cmd, spec);
	for (k = lo; k <= hi; k++) {
		snprintf(key, sizeof(key), "%u/%s", k, proto);
		json_object_set_new(exposed, key, json_object());
	}
	return 0;
}

/* -p, --expose and -P: ExposedPorts, PortBindings, PublishAllPorts. */
static int
body_ports(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    json_t *cfg, json_t *hc)
{
	struct dw_strv	 l = { 0 };
	json_t		*exposed, *bindings;
	size_t		 i;
	int		 r = 0;

	exposed = json_object();
	bindings = json_object();
	if (exposed == NULL || bindings == NULL) {
		r = cli_docker_cmd_nomem(t);
		goto out;
	}
	cli_docker_arg_list(p, R_PUBLISH, &l);
	for (i = 0; i < l.n && r == 0; i++)
		r = ports_add(t, l.v[i], exposed, bindings);
	dw_strv_clear(&l);
	if (r < 0)
		goto out;
	cli_docker_arg_list(p, R_EXPOSE, &l);
	for (i = 0; i < l.n && r == 0; i++)
		r = expose_add(t, l.v[i], exposed);
	if (r < 0)
		goto out;
	if (json_object_size(exposed) > 0)
		json_object_set(cfg, "ExposedPorts", exposed);
	json_object_set(hc, "PortBindings", bindings);
	json_object_set_new(hc, "PublishAllPorts",
	    json_boolean(cli_docker_arg_bool(p, R_PUBLISHALL, false)));
out:
	dw_strv_clear(&l);
	json_decref(exposed);
	json_decref(bindings);
	return r;
}

/* ---- security ---- */

/* "seccomp=" and the profile in file, compacted as the CLI sends it: new. */
static int
seccomp_opt(struct cli_docker_cmd *t, const char *file, json_t **ret)
{
	json_t	*j;
	char	*text, *compact, *s = NULL;
	size_t	 len;
	int	 r = 0;

	text = cli_docker_cmd_file_read(t, "--security-opt seccomp=", file);
	if (text == NULL)
		return -EINVAL;
	j = json_loads(text, 0, NULL);
	free(text);
	if (j == NULL)
		return cli_docker_cmd_fail(t, -EINVAL, "docker %s: seccomp profile "
		    "%s is not JSON", t->cmd, file);
	compact = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (compact == NULL || (s = malloc(len = strlen(compact) + 9)) == NULL) {
		r = cli_docker_cmd_nomem(t);
		goto out;
	}
	snprintf(s, len, "seccomp=%s", compact);
	*ret = json_string(s);
out:
	free(s);
	free(compact);
	return r;
}

/*
 * --security-opt: seccomp=FILE is sent as the file's JSON;
 * systempaths=unconfined is the CLI's, as empty masked and read-only paths.
 */
static int
secopts(struct cli_docker_cmd *t, const struct dw_strv *in, json_t *hc)
{
	json_t		*a, *j = NULL;
	const char	*o;
	size_t		 i;
	int		 r = 0;

	if ((a = json_array()) == NULL)
		return cli_docker_cmd_nomem(t);
	for (i = 0; i < in->n && r == 0; i++) {
		o = in->v[i];
		if (strchr(o, '=') == NULL && strchr(o, ':') == NULL &&
		    strcmp(o, "no-new-privileges") != 0)
			r = cli_docker_cmd_fail(t, -EINVAL, "docker %s: invalid "
			    "--security-opt: \"%s\"", t->cmd, o);
		else if (strcmp(o, "systempaths=unconfined") == 0) {
			json_object_set_new(hc, "MaskedPaths", json_array());
			json_object_set_new(hc, "ReadonlyPaths", json_array());
		} else if ((strncmp(o, "seccomp=", 8) == 0 ||
		    strncmp(o, "seccomp:", 8) == 0) &&
		    strcmp(o + 8, "unconfined") != 0) {
			if ((r = seccomp_opt(t, o + 8, &j)) == 0)
				json_array_append_new(a, j);
		} else
			json_array_append_new(a, json_string(o));
	}
	if (r == 0 && json_array_size(a) > 0) {
		json_object_set_new(hc, "SecurityOpt", a);
		a = NULL;
	}
	json_decref(a);
	return r;
}

/*
 * What separates the container from the host: privileges, capabilities,
 * security options, namespaces, runtime, isolation, cgroup parent; and
 * --cidfile and --group-add, which come next in the CLI's HostConfig.
 */
static int
body_security(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    json_t *hc)
{
	struct dw_strv	 l = { 0 };
	int		 r;

	json_object_set_new(hc, "Privileged",
	    json_boolean(cli_docker_arg_bool(p, R_PRIVILEGED, false)));
	set_list(p, R_CAPADD, hc, "CapAdd");
	set_list(p, R_CAPDROP, hc, "CapDrop");
	cli_docker_arg_list(p, R_SECOPT, &l);
	r = secopts(t, &l, hc);
	dw_strv_clear(&l);
	if (r < 0)
		return r;
	cli_docker_cmd_set_str(p, R_USERNS, hc, "UsernsMode");
	cli_docker_cmd_set_str(p, R_CGROUPNS, hc, "CgroupnsMode");
	cli_docker_cmd_set_str(p, R_PID, hc, "PidMode");
	cli_docker_cmd_set_str(p, R_IPC, hc, "IpcMode");
	cli_docker_cmd_set_str(p, R_UTS, hc, "UTSMode");
	cli_docker_cmd_set_str(p, R_RUNTIME, hc, "Runtime");
	cli_docker_cmd_set_str(p, R_ISOLATION, hc, "Isolation");
	cli_docker_cmd_set_str(p, R_CGPARENT, hc, "CgroupParent");
	cli_docker_cmd_set_str(p, R_CIDFILE, hc, "ContainerIDFile");
	set_list(p, R_GROUPADD, hc, "GroupAdd");
	return 0;
}

/* Names the container resolves: --add-host, --dns*, --link. */
static void
body_names(const struct cli_docker_arg *p, json_t *hc)
{
	set_list(p, R_ADDHOST, hc, "ExtraHosts");
	set_list(p, R_DNS, hc, "Dns");
	set_list(p, R_DNSOPT, hc, "DnsOptions");
	set_list(p, R_DNSSEARCH, hc, "DnsSearch");
	set_list(p, R_LINK, hc, "Links");
}

/* --device SRC[:DST][:PERMS] (parseLinuxDevice). */
static json_t *
device_parse(const char *v)
{
	char		 src[1024], dst[1024] = "", perm[8] = "rwm";
	const char	*parts[4];
	size_t		 n = 0, i, len[4];
	const char	*p = v;

	for (; n < 4; n++) {
		parts[n] = p;
		len[n] = strcspn(p, ":");
		if (p[len[n]] == '\0') {
			n++;
			break;
		}
		p += len[n] + 1;
	}
	if (n > 3)
		return NULL;
	snprintf(src, sizeof(src), "%.*s", (int)len[0], parts[0]);
	if (n == 3)
		snprintf(perm, sizeof(perm), "%.*s", (int)len[2], parts[2]);
	if (n >= 2) {
		bool mode = len[1] > 0 && len[1] <= 3;

		for (i = 0; i < len[1] && mode; i++)
			mode = strchr("rwm", parts[1][i]) != NULL;
		if (mode)
			snprintf(perm, sizeof(perm), "%.*s", (int)len[1],
			    parts[1]);
		else
			snprintf(dst, sizeof(dst), "%.*s", (int)len[1],
			    parts[1]);
	}
	if (dst[0] == '\0')
		snprintf(dst, sizeof(dst), "%s", src);
	return json_pack("{s:s, s:s, s:s}", "PathOnHost", src,
	    "PathInContainer", dst, "CgroupPermissions", perm);
}

/* --gpus: DeviceRequests (opts.GpuOpts). */
static json_t *
gpus_parse(const char *v)
{
	json_t		*dr, *ids = json_null();
	long long	 count = 0;

	if (strcmp(v, "all") == 0)
		count = -1;
	else if (cli_docker_cmd_parse_ll(v, &count) == 0)
		;
	else if (strncmp(v, "device=", 7) == 0) {
		char buf[512], *tok, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", v + 7);
		ids = json_array();
		for (tok = strtok_r(buf, ",", &save); tok;
		    tok = strtok_r(NULL, ",", &save))
			json_array_append_new(ids, json_string(tok));
	}
	dr = json_pack("{s:s, s:I, s:o, s:[[s]], s:{}}", "Driver", "", "Count",
	    (json_int_t)count, "DeviceIDs", ids, "Capabilities", "gpu",
	    "Options");
	return json_pack("[o]", dr);
}

/* The host's devices and kernel: device rules, devices, GPUs, sysctls, disk. */
static int
body_devices(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    json_t *hc)
{
	struct dw_strv	 l = { 0 };
	json_t		*a, *m;
	const char	*v;
	size_t		 i;
	int		 r = -EINVAL;

	set_list(p, R_DEVCG, hc, "DeviceCgroupRules");
	cli_docker_arg_list(p, R_DEVICE, &l);
	if (l.n > 0) {
		a = json_array();
		json_object_set_new(hc, "Devices", a);
		for (i = 0; i < l.n; i++) {
			if ((m = device_parse(l.v[i])) == NULL) {
				cli_docker_cmd_fail(t, -EINVAL, "docker %s "
				    "--device %s: invalid device specification",
				    t->cmd, l.v[i]);
				goto out;
			}
			json_array_append_new(a, m);
		}
	}
	dw_strv_clear(&l);
	if ((v = cli_docker_arg_str(p, R_GPUS)) != NULL)
		json_object_set_new(hc, "DeviceRequests", gpus_parse(v));
	cli_docker_arg_list(p, R_SYSCTL, &l);
	if (l.n > 0)
		json_object_set_new(hc, "Sysctls", cli_docker_cmd_kv_map(&l));
	dw_strv_clear(&l);
	cli_docker_arg_list(p, R_STORAGEOPT, &l);
	if (l.n > 0)
		json_object_set_new(hc, "StorageOpt",
		    cli_docker_cmd_kv_map(&l));
	r = 0;
out:
	dw_strv_clear(&l);
	return r;
}

/* --restart: RestartPolicy. */
static int
restart_parse(struct cli_docker_cmd *t, const char *v, json_t **ret)
{
	const char	*colon = strchr(v, ':');
	char		 name[64];
	long long	 n = 0;

	snprintf(name, sizeof(name), "%.*s",
	    (int)(colon ? colon - v : (long)strlen(v)), v);
	if (colon != NULL) {
		if (strcmp(name, "on-failure") != 0 ||
		    cli_docker_cmd_parse_ll(colon + 1, &n) < 0)
			return cli_docker_cmd_fail(t, -EINVAL, "docker %s "
			    "--restart %s: maximum retry count is for "
			    "on-failure only and must be a number", t->cmd, v);
	}
	if (strcmp(name, "no") != 0 && strcmp(name, "always") != 0 &&
	    strcmp(name, "unless-stopped") != 0 && strcmp(name, "on-failure") != 0)
		return cli_docker_cmd_fail(t, -EINVAL, "docker %s --restart "
		    "%s: invalid restart policy", t->cmd, v);
	*ret = json_pack("{s:s, s:I}", "Name", name, "MaximumRetryCount",
	    (json_int_t)n);
	return *ret ? 0 : cli_docker_cmd_nomem(t);
}

/* --read-only, --rm, --init, --restart, --log-driver and --log-opt. */
static int
body_lifecycle(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    json_t *hc)
{
	struct dw_strv	 l = { 0 };
	json_t		*m;
	const char	*v;
	int		 r;

	json_object_set_new(hc, "ReadonlyRootfs",
	    json_boolean(cli_docker_arg_bool(p, R_READONLY, false)));
	json_object_set_new(hc, "AutoRemove",
	    json_boolean(cli_docker_arg_bool(p, R_RM, false)));
	if (cli_docker_arg_given(p, R_INIT))
		json_object_set_new(hc, "Init",
		    json_boolean(cli_docker_arg_bool(p, R_INIT, false)));
	v = cli_docker_arg_or(p, R_RESTART, "no");
	if ((r = restart_parse(t, v, &m)) < 0)
		return r;
	if (cli_docker_arg_bool(p, R_RM, false) && strcmp(v, "no") != 0) {
		json_decref(m);
		return cli_docker_cmd_fail(t, -EINVAL, "docker %s: conflicting "
		    "options: --restart and --rm", t->cmd);
	}
	json_object_set_new(hc, "RestartPolicy", m);
	cli_docker_arg_list(p, R_LOGOPT, &l);
	json_object_set_new(hc, "LogConfig", json_pack("{s:s, s:o}", "Type",
	    cli_docker_arg_or(p, R_LOGDRIVER, ""), "Config",
	    cli_docker_cmd_kv_map(&l)));
	dw_strv_clear(&l);
	return 0;
}

/* Resources the rules may read, and those the CLI always sends. */
static int
body_resources(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    json_t *hc)
{
	const char	*v;
	char		*end;
	double		 c;
	int		 r;

	if ((r = set_bytes(t, p, R_MEMORY, "memory", hc, "Memory")) < 0 ||
	    (r = set_bytes(t, p, R_MEMRES, "memory-reservation", hc,
	    "MemoryReservation")) < 0 ||
	    (r = set_bytes(t, p, R_MEMSWAP, "memory-swap", hc,
	    "MemorySwap")) < 0 ||
	    (r = set_bytes(t, p, R_KMEM, "kernel-memory", hc,
	    "KernelMemory")) < 0 ||
	    (r = set_bytes(t, p, R_SHM, "shm-size", hc, "ShmSize")) < 0 ||
	    (r = set_int(t, p, R_PIDS, "pids-limit", hc, "PidsLimit")) < 0 ||
	    (r = set_int(t, p, R_OOMSCORE, "oom-score-adj", hc,
	    "OomScoreAdj")) < 0 ||
	    (r = set_int(t, p, R_CPUSHARES, "cpu-shares", hc,
	    "CpuShares")) < 0 ||
	    (r = set_int(t, p, R_CPUPERIOD, "cpu-period", hc,
	    "CpuPeriod")) < 0 ||
	    (r = set_int(t, p, R_CPUQUOTA, "cpu-quota", hc, "CpuQuota")) < 0 ||
	    (r = set_int(t, p, R_BLKIO, "blkio-weight", hc, "BlkioWeight")) < 0)
		return r;
	if (!cli_docker_arg_given(p, R_SWAPPINESS))
		json_object_set_new(hc, "MemorySwappiness", json_integer(-1));
	else if ((r = set_int(t, p, R_SWAPPINESS, "memory-swappiness", hc,
	    "MemorySwappiness")) < 0)
		return r;
	if (cli_docker_arg_given(p, R_OOMKILL))
		json_object_set_new(hc, "OomKillDisable",
		    json_boolean(cli_docker_arg_bool(p, R_OOMKILL, false)));
	cli_docker_cmd_set_str(p, R_CPUSETCPUS, hc, "CpusetCpus");
	cli_docker_cmd_set_str(p, R_CPUSETMEMS, hc, "CpusetMems");
	if ((v = cli_docker_arg_str(p, R_CPUS)) != NULL) {
		c = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || c < 0)
			return cli_docker_cmd_fail(t, -EINVAL, "docker %s "
			    "--cpus %s: invalid number", t->cmd, v);
		json_object_set_new(hc, "NanoCpus",
		    json_integer((json_int_t)(c * 1e9 + 0.5)));
	}
	json_object_set_new(hc, "ConsoleSize", json_pack("[i, i]", 0, 0));
	return 0;
}

/*
 * One --network value, NAME or name=NAME,alias=A,ip=IP,ip6=IP,driver-opt=O,
 * into target (the network) and ep (its endpoint settings).
 */
static int
network_parse(struct cli_docker_cmd *t, const char *n, char *target, size_t len,
    json_t *ep)
{
	char	 buf[1024], *f, *save = NULL;
	json_t	*al;

	if (strchr(n, '=') == NULL) {
		snprintf(target, len, "%s", n);
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", n);
	for (f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		if (strncmp(f, "name=", 5) == 0)
			snprintf(target, len, "%s", f + 5);
		else if (strncmp(f, "alias=", 6) == 0) {
			if ((al = json_object_get(ep, "Aliases")) == NULL)
				json_object_set_new(ep, "Aliases",
				    al = json_array());
			json_array_append_new(al, json_string(f + 6));
		} else if (strncmp(f, "ip=", 3) == 0 || strncmp(f, "ip6=", 4) == 0)
			json_object_set_new(ep, "IPAMConfig", json_pack("{s:s}",
			    f[2] == '=' ? "IPv4Address" : "IPv6Address",
			    f + (f[2] == '=' ? 3 : 4)));
		else if (strncmp(f, "driver-opt=", 11) != 0)
			return cli_docker_cmd_fail(t, -EINVAL, "docker %s "
			    "--network %s: invalid field key %s", t->cmd, n, f);
	}
	return 0;
}

/*
 * Networks: the first names NetworkMode and takes --network-alias and
 * --ip/--ip6; per-network settings go to NetworkingConfig.EndpointsConfig.
 */
static int
body_networks(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    json_t *cfg, json_t *hc)
{
	struct dw_strv	 l = { 0 }, aliases = { 0 };
	json_t		*eps, *ep = NULL;
	const char	*v;
	char		 target[256];
	size_t		 i;
	int		 r = 0;

	eps = json_object();
	cli_docker_arg_list(p, R_NETWORK, &l);
	for (i = 0; i < l.n; i++) {
		target[0] = '\0';
		ep = json_object();
		r = network_parse(t, l.v[i], target, sizeof(target), ep);
		if (r < 0)
			goto out;
		if (i == 0) {
			json_object_set_new(hc, "NetworkMode",
			    json_string(target));
			cli_docker_arg_list(p, R_ALIAS, &aliases);
			if (aliases.n > 0)
				json_object_set_new(ep, "Aliases",
				    cli_docker_cmd_str_array(&aliases));
			if ((v = cli_docker_arg_str(p, R_IP)) != NULL ||
			    (v = cli_docker_arg_str(p, R_IP6)) != NULL)
				json_object_set_new(ep, "IPAMConfig",
				    json_pack("{s:s}",
				    cli_docker_arg_str(p, R_IP) ? "IPv4Address"
				    : "IPv6Address", v));
		}
		/* A single network without settings sends no endpoint. */
		if (json_object_size(ep) > 0 || l.n > 1)
			json_object_set_new(eps, target, ep);
		else
			json_decref(ep);
		ep = NULL;
	}
	if (l.n == 0)
		json_object_set_new(hc, "NetworkMode", json_string("default"));
	json_object_set_new(cfg, "NetworkingConfig", json_pack("{s:o}",
	    "EndpointsConfig", eps));
	eps = NULL;
out:
	json_decref(ep);
	json_decref(eps);
	dw_strv_clear(&l);
	dw_strv_clear(&aliases);
	return r;
}

/* The container create body of `docker run|create` (opts.go parse). */
static int
container_body(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    bool run, json_t **ret)
{
	json_t	*cfg, *hc;
	int	 r;

	cfg = json_object();
	hc = json_object();
	if (cfg == NULL || hc == NULL) {
		r = cli_docker_cmd_nomem(t);
		goto out;
	}
	if ((r = body_attach(t, p, run, cfg)) < 0 ||
	    (r = body_config(t, p, cfg)) < 0 ||
	    (r = body_env_labels(t, p, cfg)) < 0)
		goto out;
	body_command(p, cfg);
	if ((r = body_volumes(t, p, cfg, hc)) < 0 ||
	    (r = body_ports(t, p, cfg, hc)) < 0 ||
	    (r = body_security(t, p, hc)) < 0)
		goto out;
	body_names(p, hc);
	if ((r = body_devices(t, p, hc)) < 0 ||
	    (r = body_lifecycle(t, p, hc)) < 0 ||
	    (r = body_resources(t, p, hc)) < 0 ||
	    (r = body_networks(t, p, cfg, hc)) < 0)
		goto out;
	json_object_set(cfg, "HostConfig", hc);
	*ret = cfg;
	cfg = NULL;
out:
	json_decref(cfg);
	json_decref(hc);
	return r;
}

/* Flags that the body leaves out: say so once each. */
static void
run_notes(struct cli_docker_plan_req *r, const struct cli_docker_arg *p)
{
	size_t	i, k;

	for (i = 0; i < p->no; i++) {
		if (p->o[i].f->id != R_NOTE)
			continue;
		for (k = 0; k < i; k++)
			if (p->o[k].f == p->o[i].f)
				break;
		if (k == i)
			cli_docker_plan_note(r, "--%s is not in the body "
			    "explain builds: no rule reads it",
			    p->o[i].f->name);
	}
}

/* --pull always: the pull the CLI sends before the create. */
static int
pull_first(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    const char *name, const char *tag)
{
	struct cli_docker_plan_query	 q = { 0 };
	struct cli_docker_plan_req	*rq;
	const char			*v;

	cli_docker_plan_query_add(&q, "fromImage", name);
	cli_docker_plan_query_add(&q, "tag", tag);
	if ((v = cli_docker_arg_str(p, R_PLATFORM)) != NULL)
		cli_docker_plan_query_add(&q, "platform", v);
	rq = cli_docker_plan_add(t->plan, t->err, "POST", "/images/create", &q,
	    NULL);
	cli_docker_plan_query_clear(&q);
	if (rq == NULL)
		return -ENOMEM;
	cli_docker_plan_note(rq, "--pull always: the CLI pulls %s before it "
	    "creates the container", p->pos[0]);
	return 0;
}

/*
 * What docker run calls after the create request (said in a note on it):
 * attach and wait unless -d, then start.  Only the caller's rules judge
 * them here.
 */
static int
run_calls(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    struct cli_docker_plan_req *create)
{
	struct cli_docker_plan_query	 q = { 0 };
	struct cli_docker_plan_req	*rq;
	const char			*v, *id;
	char				 path[512];
	bool				 detach;
	int				 r = -ENOMEM;

	detach = cli_docker_arg_bool(p, R_DETACH, false);
	id = (v = cli_docker_arg_str(p, R_NAME)) && v[0] ? v : "NEW_CONTAINER";
	cli_docker_plan_note(create, "docker run then calls%s POST "
	    "/containers/{id}/start; dockerd's plugin checks start again (a "
	    "socket-mounting container's image, by the Id dockerd resolved), "
	    "which needs the created container: not judged here",
	    detach ? "" : " POST /containers/{id}/attach, POST "
	    "/containers/{id}/wait and");
	if (!detach) {
		snprintf(path, sizeof(path), "/containers/%s/attach", id);
		cli_docker_plan_query_add(&q, "stream", "1");
		if (cli_docker_arg_bool(p, R_INTERACTIVE, false))
			cli_docker_plan_query_add(&q, "stdin", "1");
		cli_docker_plan_query_add(&q, "stdout", "1");
		cli_docker_plan_query_add(&q, "stderr", "1");
		if ((rq = cli_docker_plan_add(t->plan, t->err, "POST", path, &q,
		    NULL)) == NULL)
			goto out;
		rq->caller_only = true;
		cli_docker_plan_query_clear(&q);
		snprintf(path, sizeof(path), "/containers/%s/wait", id);
		cli_docker_plan_query_add(&q, "condition",
		    cli_docker_arg_bool(p, R_RM, false) ? "removed" : "next-exit");
		if ((rq = cli_docker_plan_add(t->plan, t->err, "POST", path, &q,
		    NULL)) == NULL)
			goto out;
		rq->caller_only = true;
	}
	snprintf(path, sizeof(path), "/containers/%s/start", id);
	if ((rq = cli_docker_plan_add(t->plan, t->err, "POST", path, NULL,
	    NULL)) == NULL)
		goto out;
	rq->caller_only = true;
	r = 0;
out:
	cli_docker_plan_query_clear(&q);
	return r;
}

/*
 * docker run and docker create: with --pull always a pull first, then the
 * create; run then attaches, waits and starts.
 */
static int
run_or_create(struct cli_docker_cmd *t, const struct cli_docker_arg *p,
    bool run)
{
	struct cli_docker_plan_query	 q = { 0 };
	struct cli_docker_plan_req	*rq;
	json_t				*body = NULL;
	const char			*v, *pull;
	char				*name = NULL, *tag = NULL;
	int				 r;

	if (!run && cli_docker_arg_given(p, R_DETACH)) {
		r = cli_docker_cmd_fail(t, -EINVAL, "unknown shorthand flag: "
		    "'d' for \"docker create\"");
		goto out;
	}
	if (p->npos < 1) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker %s\" requires at "
		    "least 1 argument (the image)", t->cmd);
		goto out;
	}
	pull = cli_docker_arg_or(p, R_PULL, "missing");
	if (strcmp(pull, "missing") != 0 && strcmp(pull, "always") != 0 &&
	    strcmp(pull, "never") != 0) {
		r = cli_docker_cmd_fail(t, -EINVAL, "docker %s --pull %s: want "
		    "missing, always or never", t->cmd, pull);
		goto out;
	}
	if ((r = cli_docker_cmd_ref_split(t, p->pos[0], true, &name, &tag)) < 0)
		goto out;
	if (strcmp(pull, "always") == 0 &&
	    (r = pull_first(t, p, name, tag)) < 0)
		goto out;
	if ((r = container_body(t, p, run, &body)) < 0)
		goto out;
	if ((v = cli_docker_arg_str(p, R_NAME)) != NULL && v[0] != '\0')
		cli_docker_plan_query_add(&q, "name", v);
	if ((v = cli_docker_arg_str(p, R_PLATFORM)) != NULL && v[0] != '\0')
		cli_docker_plan_query_add(&q, "platform", v);
	rq = cli_docker_plan_add(t->plan, t->err, "POST", "/containers/create",
	    &q, body);
	body = NULL;
	if (rq == NULL) {
		r = -ENOMEM;
		goto out;
	}
	run_notes(rq, p);
	if (strcmp(pull, "missing") == 0)
		cli_docker_plan_note(rq, "if %s is not on this host, dockerd "
		    "answers 404 and the CLI pulls it (POST "
		    "/images/create?fromImage=%s&tag=%s), then creates again; "
		    "`dockward explain -- docker pull %s` judges that pull",
		    p->pos[0], name, tag, p->pos[0]);
	r = run ? run_calls(t, p, rq) : 0;
out:
	json_decref(body);
	cli_docker_plan_query_clear(&q);
	free(name);
	free(tag);
	return r;
}

static int
run_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *a)
{
	return run_or_create(t, a, true);
}

static int
create_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *a)
{
	return run_or_create(t, a, false);
}

const struct cli_docker_cmd_entry cli_docker_run_entry = {
	.name = "run", .alias = { "container run" },
	.flags = run_flags, .exec = run_exec,
	.stop_at_arg = true,
};

const struct cli_docker_cmd_entry cli_docker_run_create_entry = {
	.name = "create", .alias = { "container create" },
	.flags = run_flags, .exec = create_exec,
	.stop_at_arg = true,
};
