/* cli_doctor: `dockward doctor`, how the live host exposes the Docker API. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli_doctor.h"
#include "cli/cli_doctor_fleet.h"
#include "cli/cli_doctor_probe.h"
#include "cli/cli_doctor_report.h"
#include "common/dw_file.h"
#include "common/dw_limits.h"
#include "common/dw_paths.h"

#define DOCTOR_DAEMON_JSON	"/etc/docker/daemon.json"
#define DOCTOR_PROC		"/proc"
#define DOCTOR_PLUGIN		"dockward"
/* dockerd's defaults (moby opts/hosts.go). */
#define DOCTOR_TLS_HOST		"tcp://localhost:2376"
#define DOCTOR_HTTP_PORT	"2375"
#define DOCTOR_KEY_EXPOSE	"exposeDockerAPIOnTCP2375"

#define CHECK_CONFIG	"engine.config"
#define CHECK_TCP	"engine.tcp"
#define CHECK_PLUGIN	"engine.plugin"
#define CHECK_SOCKET	"engine.socket"
#define CHECK_BUILD	"engine.buildEntitlements"
#define CHECK_POLICY	"policy." DOCTOR_KEY_EXPOSE
#define CHECK_ISOLATION	"engine.isolation"
#define CHECK_ENFORCEMENT	"policy.enforcement"

/* How a dockerd protects its TCP listeners. */
enum doctor_tls {
	DOCTOR_TLS_NONE = 0,
	DOCTOR_TLS_NOAUTH,	/* TLS, "tlsverify": false */
	DOCTOR_TLS_IMPLICIT,	/* TLS, tlsverify not given: depends on the release */
	DOCTOR_TLS_VERIFY
};

/* One TCP listener as dockerd will bind it. */
struct doctor_tcp {
	char	addr[320];	/* tcp://host:port */
	bool	loopback;
	bool	no_host;	/* tcp://:port, tcp:// */
	bool	port_2375;
};

/* What the engines told about TCP, for the policy check. */
struct doctor_seen {
	struct dw_strv	plain;		/* "who\taddr" of each TCP listener without TLS */
	size_t		unreadable;	/* engines whose configuration was not read */
	bool		plugin_used;	/* an engine names our authorization plugin */
	bool		build_host;	/* an engine lets BuildKit use the host network */
	struct dw_strv	socks;		/* the engines' unix sockets, for gatekeeper.socket */
};

/* One dockerd (or daemon.json alone) and what was read for it. */
struct doctor_engine {
	struct cli_doctor_engine	 e;
	char				 who[128];
	char				*config_path;	/* the daemon.json read */
	bool				 readable;	/* config read without error */
};

void
cli_doctor_engine_clear(struct cli_doctor_engine *e)
{
	dw_strv_clear(&e->hosts);
	dw_strv_clear(&e->authz_plugins);
	dw_strv_clear(&e->runtimes);
	free(e->tlscacert);
	free(e->config_file);
	free(e->userns_remap);
	free(e->default_runtime);
	memset(e, 0, sizeof(*e));
}

/* Replace *slot with a copy of s. 0 or -ENOMEM. */
static int
str_set(char **slot, const char *s)
{
	char	*c;

	if ((c = strdup(s)) == NULL)
		return -ENOMEM;
	free(*slot);
	*slot = c;
	return 0;
}

/* Read at most max bytes of path (see dw_file_read_at). */
static int
file_read(const char *path, size_t max, char **ret, size_t *ret_len)
{
	return dw_file_read_at(AT_FDCWD, path, O_NOCTTY, max, ret, ret_len);
}

/*
 * Load a JSON file of at most max bytes (a UTF-8 BOM skipped, as dockerd
 * does).  0 and *ret (a new reference), or -errno with err naming the file.
 */
static int
json_file_load(const char *path, size_t max, json_t **ret, struct dw_err *err)
{
	json_error_t	 jerr;
	json_t		*j;
	char		*buf = NULL, *p;
	size_t		 len;
	int		 r;

	if ((r = file_read(path, max, &buf, &len)) < 0) {
		if (r == -E2BIG)
			dw_err_set(err, "%s: over %zu bytes", path, max);
		else
			dw_err_set(err, "%s: %s", path, strerror(-r));
		goto out;
	}
	p = buf;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		len -= 3;
	}
	if ((j = json_loadb(p, len, 0, &jerr)) == NULL) {
		dw_err_set(err, "%s: malformed JSON at line %d, column %d: %s",
		    path, jerr.line, jerr.column, jerr.text);
		r = -EINVAL;
		goto out;
	}
	*ret = j;
	r = 0;
out:
	free(buf);
	return r;
}

/* Append the strings of array `key` of obj to sv. 0, -EINVAL, -ENOMEM. */
static int
json_strings_get(const json_t *obj, const char *key, struct dw_strv *sv,
    struct dw_err *err)
{
	json_t	*a, *v;
	size_t	 i;
	int	 r = -EINVAL;

	if ((a = json_object_get(obj, key)) == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		goto out;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			goto out;
		if (dw_strv_push(sv, json_string_value(v)) < 0)
			return -ENOMEM;
	}
	r = 0;
out:
	if (r < 0)
		dw_err_set(err, "\"%s\" must be an array of strings", key);
	return r;
}

/* An object member by name, case-insensitively as Go's encoding/json matches it. */
static json_t *
member_ci(const json_t *obj, const char *key)
{
	const char	*k;
	json_t		*v, *found = NULL;

	json_object_foreach((json_t *)obj, k, v)
		if (strcasecmp(k, key) == 0)
			found = v;	/* Go: the last one wins */
	return found;
}

/*
 * "builder": {"Entitlements": {"network-host": b, "security-insecure": b,
 * "device": b}}: what dockerd's BuildKit lets a build ask for.  0 or
 * -EINVAL with err.
 */
static int
builder_parse(const json_t *root, struct cli_doctor_engine *e, struct dw_err *err)
{
	static const char *const keys[] = { "network-host", "security-insecure", "device" };
	json_t	*b, *ent, *v;
	size_t	 i;

	if ((b = member_ci(root, "builder")) == NULL || json_is_null(b))
		return 0;
	if (!json_is_object(b)) {
		dw_err_set(err, "\"builder\" must be an object");
		return -EINVAL;
	}
	if ((ent = member_ci(b, "Entitlements")) == NULL || json_is_null(ent))
		return 0;
	if (!json_is_object(ent)) {
		dw_err_set(err, "\"builder.Entitlements\" must be an object");
		return -EINVAL;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if ((v = member_ci(ent, keys[i])) == NULL || json_is_null(v))
			continue;
		if (!json_is_boolean(v)) {
			dw_err_set(err, "\"builder.Entitlements.%s\" must be true or "
			    "false", keys[i]);
			return -EINVAL;
		}
		if (i == 0) {
			e->ent_host_set = true;
			e->ent_host = json_is_true(v);
		} else if (i == 1)
			e->ent_insecure = json_is_true(v);
		else
			e->ent_device = json_is_true(v);
	}
	return 0;
}

/*
 * "userns-remap" and "default-runtime" (strings), "runtimes": {NAME:
 * {"path": PATH, ...}}: what isolates containers from the host.  0,
 * -EINVAL with err, -ENOMEM.
 */
static int
isolation_parse(const json_t *root, struct cli_doctor_engine *e,
    struct dw_err *err)
{
	static const char *const keys[] = { "userns-remap", "default-runtime" };
	const char	*name;
	json_t		*v, *rt, *p;
	char		*line;
	size_t		 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if ((v = json_object_get(root, keys[i])) == NULL || json_is_null(v))
			continue;
		if (!json_is_string(v)) {
			dw_err_set(err, "\"%s\" must be a string", keys[i]);
			return -EINVAL;
		}
		if (str_set(i == 0 ? &e->userns_remap : &e->default_runtime,
		    json_string_value(v)) < 0)
			return -ENOMEM;
	}
	if ((rt = json_object_get(root, "runtimes")) == NULL || json_is_null(rt))
		return 0;
	if (!json_is_object(rt)) {
		dw_err_set(err, "\"runtimes\" must be an object");
		return -EINVAL;
	}
	json_object_foreach(rt, name, v) {
		p = json_object_get(v, "path");
		if (!json_is_object(v) || (p != NULL && !json_is_string(p))) {
			dw_err_set(err, "\"runtimes.%s\" must be an object with a "
			    "string \"path\"", name);
			return -EINVAL;
		}
		if (asprintf(&line, "%s=%s", name, p != NULL ?
		    json_string_value(p) : "") < 0 ||
		    dw_strv_push_take(&e->runtimes, line) < 0)
			return -ENOMEM;
	}
	return 0;
}

int
cli_doctor_daemon_json_parse(const char *path, struct cli_doctor_engine *e,
    struct dw_err *err)
{
	static const char *const tls_files[] = { "tlscacert", "tlscert", "tlskey" };
	json_t	*root = NULL, *v;
	size_t	 i;
	int	 r;

	if ((r = json_file_load(path, DW_DAEMON_JSON_MAX, &root, err)) < 0)
		return r;
	r = -EINVAL;
	if (!json_is_object(root)) {
		dw_err_set(err, "the top level must be a JSON object");
		goto out;
	}
	if ((r = json_strings_get(root, "hosts", &e->hosts, err)) < 0 ||
	    (r = json_strings_get(root, "authorization-plugins",
	    &e->authz_plugins, err)) < 0)
		goto out;
	r = -EINVAL;
	if ((v = json_object_get(root, "tls")) != NULL) {
		if (!json_is_boolean(v)) {
			dw_err_set(err, "\"tls\" must be true or false");
			goto out;
		}
		e->tls = e->tls || json_is_true(v);
	}
	if ((v = json_object_get(root, "tlsverify")) != NULL) {
		if (!json_is_boolean(v)) {
			dw_err_set(err, "\"tlsverify\" must be true or false");
			goto out;
		}
		e->tlsverify = json_is_true(v);
		e->tlsverify_set = true;
	}
	for (i = 0; i < sizeof(tls_files) / sizeof(tls_files[0]); i++) {
		if ((v = json_object_get(root, tls_files[i])) == NULL)
			continue;
		if (!json_is_string(v)) {
			dw_err_set(err, "\"%s\" must be a string", tls_files[i]);
			goto out;
		}
		/* Only the CA matters to the verdict; the others are type-checked. */
		if (i == 0 && str_set(&e->tlscacert, json_string_value(v)) < 0) {
			r = -ENOMEM;
			goto out;
		}
	}
	if ((r = builder_parse(root, e, err)) < 0 ||
	    (r = isolation_parse(root, e, err)) < 0)
		goto out;
	r = 0;
out:
	if (r == -ENOMEM)
		dw_err_set(err, "out of memory");
	if (r < 0)
		dw_err_prefix(err, "%s", path);
	json_decref(root);
	return r;
}

/* Go's strconv.ParseBool. 0 and *ret, or -EINVAL. */
static int
go_bool_parse(const char *s, bool *ret)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(s, t[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcmp(s, f[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* The dockerd long flags doctor reads; the rest are skipped. */
enum doctor_flag {
	FLAG_OTHER = 0,
	FLAG_HOST,
	FLAG_TLS,
	FLAG_TLSVERIFY,
	FLAG_TLSCACERT,
	FLAG_CONFIG_FILE,
	FLAG_AUTHZ_PLUGIN,
	FLAG_USERNS_REMAP,
	FLAG_DEFAULT_RUNTIME,
	FLAG_ADD_RUNTIME
};

static const struct {
	const char		*name;
	enum doctor_flag	 flag;
} doctor_flags[] = {
	{ "host", FLAG_HOST },
	{ "tls", FLAG_TLS },
	{ "tlsverify", FLAG_TLSVERIFY },
	{ "tlscacert", FLAG_TLSCACERT },
	{ "config-file", FLAG_CONFIG_FILE },
	{ "authorization-plugin", FLAG_AUTHZ_PLUGIN },
	{ "userns-remap", FLAG_USERNS_REMAP },
	{ "default-runtime", FLAG_DEFAULT_RUNTIME },
	{ "add-runtime", FLAG_ADD_RUNTIME },
};

/* dockerd's one-letter flags (pflag shorthands): bools, and those with a value. */
#define SHORT_BOOL	"Dhv"
#define SHORT_VALUE	"bGgHlps"

/* Apply flag `arg` with its value (NULL for a bool flag given bare). */
static int
cmdline_apply(struct cli_doctor_engine *e, enum doctor_flag flag,
    const char *arg, const char *val, struct dw_err *err)
{
	bool	b = true;

	if ((flag == FLAG_TLS || flag == FLAG_TLSVERIFY) && val != NULL &&
	    go_bool_parse(val, &b) < 0) {
		dw_err_set(err, "%s: not a boolean", arg);
		return -EINVAL;
	}
	switch (flag) {
	case FLAG_HOST:
		return dw_strv_push(&e->hosts, val);
	case FLAG_TLS:
		e->tls = b;
		return 0;
	case FLAG_TLSVERIFY:
		e->tlsverify = b;
		e->tlsverify_set = true;
		return 0;
	case FLAG_TLSCACERT:
		return str_set(&e->tlscacert, val);
	case FLAG_CONFIG_FILE:
		return str_set(&e->config_file, val);
	case FLAG_AUTHZ_PLUGIN:
		return dw_strv_push(&e->authz_plugins, val);
	case FLAG_USERNS_REMAP:
		return str_set(&e->userns_remap, val);
	case FLAG_DEFAULT_RUNTIME:
		return str_set(&e->default_runtime, val);
	case FLAG_ADD_RUNTIME:
		return dw_strv_push(&e->runtimes, val);
	case FLAG_OTHER:
		break;
	}
	return 0;
}

/* Parse argv[1..argc) of a dockerd (see cli_doctor_cmdline_parse()). */
static int
cmdline_flags(struct cli_doctor_engine *e, char **argv, int argc,
    struct dw_err *err)
{
	enum doctor_flag	 flag;
	const char		*arg, *name, *eq, *val;
	size_t			 nlen, k;
	int			 i, j, r;

	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (strcmp(arg, "--") == 0)
			break;
		if (strncmp(arg, "--", 2) == 0) {
			name = arg + 2;
			eq = strchr(name, '=');
			nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
			val = eq != NULL ? eq + 1 : NULL;
			flag = FLAG_OTHER;
			for (k = 0; k < sizeof(doctor_flags) / sizeof(doctor_flags[0]); k++)
				if (strlen(doctor_flags[k].name) == nlen &&
				    strncmp(doctor_flags[k].name, name, nlen) == 0)
					flag = doctor_flags[k].flag;
			/* Bool flags take no separate argument in pflag. */
			if (flag != FLAG_OTHER && flag != FLAG_TLS &&
			    flag != FLAG_TLSVERIFY && val == NULL) {
				if (i + 1 >= argc) {
					dw_err_set(err, "%s: flag needs an argument", arg);
					return -EINVAL;
				}
				val = argv[++i];
			}
			if ((r = cmdline_apply(e, flag, arg, val, err)) < 0)
				return r;
			continue;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			continue;	/* a positional argument */
		/* A cluster of shorthands: bools, then at most one with a value. */
		for (j = 1; arg[j] != '\0'; j++) {
			if (strchr(SHORT_BOOL, arg[j]) != NULL)
				continue;
			if (strchr(SHORT_VALUE, arg[j]) == NULL)
				break;
			val = arg + j + 1;
			if (*val == '=')
				val++;
			else if (*val == '\0') {
				if (i + 1 >= argc) {
					dw_err_set(err, "%s: flag needs an argument", arg);
					return -EINVAL;
				}
				val = argv[++i];
			}
			if (arg[j] == 'H' &&
			    (r = cmdline_apply(e, FLAG_HOST, arg, val, err)) < 0)
				return r;
			break;
		}
	}
	return 0;
}

int
cli_doctor_cmdline_parse(const char *buf, size_t len,
    struct cli_doctor_engine *e, struct dw_err *err)
{
	char		*copy = NULL, **argv = NULL;
	const char	*base;
	size_t		 i;
	int		 argc = 0, r;

	if (len > DW_CMDLINE_MAX) {
		dw_err_set(err, "command line over %d bytes", DW_CMDLINE_MAX);
		return -E2BIG;
	}
	/* A copy with a final NUL, split into argv at every NUL. */
	if ((copy = malloc(len + 1)) == NULL ||
	    (argv = calloc(len / 2 + 2, sizeof(*argv))) == NULL) {
		r = -ENOMEM;
		dw_err_set(err, "out of memory");
		goto out;
	}
	memcpy(copy, buf, len);
	copy[len] = '\0';
	for (i = 0; i < len; i += strlen(copy + i) + 1)
		argv[argc++] = copy + i;
	if (argc == 0) {
		r = -ENOENT;
		dw_err_set(err, "empty command line");
		goto out;
	}
	base = strrchr(argv[0], '/');
	base = base != NULL ? base + 1 : argv[0];
	if (strcmp(base, "dockerd") != 0) {
		r = -ENOENT;
		dw_err_set(err, "not a dockerd command line");
		goto out;
	}
	if ((r = cmdline_flags(e, argv, argc, err)) == -ENOMEM)
		dw_err_set(err, "out of memory");
out:
	free(argv);
	free(copy);
	return r;
}

/* How e protects TCP, with dockerd's rules: tlsverify given at all turns TLS on. */
static enum doctor_tls
engine_tls(const struct cli_doctor_engine *e)
{
	if (!e->tls && !e->tlsverify_set)
		return DOCTOR_TLS_NONE;
	if (!e->tlsverify_set)
		return DOCTOR_TLS_IMPLICIT;
	return e->tlsverify ? DOCTOR_TLS_VERIFY : DOCTOR_TLS_NOAUTH;
}

/*
 * The i-th listener of e.  No host, or an empty one, is dockerd's default:
 * the TLS port on localhost when TLS is on, else the unix socket.
 */
static const char *
engine_host(const struct cli_doctor_engine *e, size_t i)
{
	const char	*h, *dflt = engine_tls(e) != DOCTOR_TLS_NONE ?
	    DOCTOR_TLS_HOST : "unix://" DW_PATH_ENGINE_SOCKET;

	if (e->hosts.n == 0)
		return i == 0 ? dflt : NULL;
	if (i >= e->hosts.n)
		return NULL;
	for (h = e->hosts.v[i]; isspace((unsigned char)*h); h++)
		;
	return *h == '\0' ? dflt : e->hosts.v[i];
}

/* A loopback name or address: localhost, 127.0.0.0/8, ::1, ::ffff:127.x. */
static bool
host_is_loopback(const char *host)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		    (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return false;
}

/*
 * Parse a dockerd host as dockerd does (moby opts.ParseTCPAddr): no scheme
 * means tcp, no port means 2375, [v6] brackets.  0 and *ret for a TCP
 * host, -ENOENT for another scheme (unix, fd), -EINVAL when dockerd would
 * refuse it (a path after the address).
 */
static int
tcp_host_parse(const char *spec, struct doctor_tcp *ret)
{
	char		 buf[256], *host, *port = NULL, *p;
	const char	*rest, *sep;
	size_t		 len;

	while (isspace((unsigned char)*spec))
		spec++;
	if ((sep = strstr(spec, "://")) != NULL) {
		if ((size_t)(sep - spec) != 3 || strncmp(spec, "tcp", 3) != 0)
			return -ENOENT;
		rest = sep + 3;
	} else
		rest = spec;
	len = strlen(rest);
	while (len > 0 && isspace((unsigned char)rest[len - 1]))
		len--;
	if (len >= sizeof(buf) || memchr(rest, '/', len) != NULL)
		return -EINVAL;
	memcpy(buf, rest, len);
	buf[len] = '\0';
	host = buf;
	if (host[0] == '[') {
		if ((p = strchr(host, ']')) == NULL)
			return -EINVAL;
		*p++ = '\0';
		host++;
		if (*p == ':')
			port = p + 1;
		else if (*p != '\0')
			return -EINVAL;
	} else if ((p = strchr(host, ':')) != NULL && strchr(p + 1, ':') == NULL) {
		*p = '\0';
		port = p + 1;
	}
	if (port == NULL || *port == '\0')
		port = DOCTOR_HTTP_PORT;
	memset(ret, 0, sizeof(*ret));
	ret->no_host = host[0] == '\0';
	ret->loopback = !ret->no_host && host_is_loopback(host);
	ret->port_2375 = strcmp(port, DOCTOR_HTTP_PORT) == 0;
	snprintf(ret->addr, sizeof(ret->addr), strchr(host, ':') != NULL ?
	    "tcp://[%s]:%s" : "tcp://%s:%s", host, port);
	return 0;
}

/* The fix for a TCP listener, shared by the messages below. */
#define TCP_FIX	"remove it from -H/\"hosts\", or set \"tlsverify\": true " \
	"with tlscacert, tlscert and tlskey"

/* One engine.tcp finding for listener t of an engine protected by tls. */
static int
tcp_finding(const struct doctor_tcp *t, enum doctor_tls tls, const char *who,
    struct cli_doctor_report *rep)
{
	const char	*note = t->port_2375 ?
	    " (2375 is the conventional unauthenticated Docker port)" : "";

	switch (tls) {
	case DOCTOR_TLS_VERIFY:
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_TCP, "%s listens on %s with TLS and client "
		    "certificates (tlsverify)", who, t->addr);
	case DOCTOR_TLS_NOAUTH:
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_TCP, "%s listens on %s with TLS but tlsverify is "
		    "false, so clients are not authenticated: anyone who can "
		    "reach the port controls dockerd; set \"tlsverify\": true "
		    "with tlscacert naming the CA of your client certificates",
		    who, t->addr);
	case DOCTOR_TLS_IMPLICIT:
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_TCP, "%s listens on %s with tls but without "
		    "tlsverify: dockerd 20.10 and later then require client "
		    "certificates, older releases do not and anyone who can "
		    "reach the port controls dockerd; set \"tlsverify\": true "
		    "to make it explicit", who, t->addr);
	case DOCTOR_TLS_NONE:
		break;
	}
	if (t->loopback)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_TCP, "%s listens on %s without TLS%s: any local user "
		    "or process can control dockerd without being in the "
		    "docker group, past dockward's gatekeeper; " TCP_FIX, who,
		    t->addr, note);
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL, CHECK_TCP,
	    "%s listens on %s%s without TLS%s: anyone who can reach the port "
	    "controls dockerd, past dockward's gatekeeper; " TCP_FIX, who,
	    t->addr, t->no_host ? " (no host given: counted as every "
	    "interface; name the address to bind)" : "", note);
}

int
cli_doctor_tcp_findings(const struct cli_doctor_engine *e, const char *who,
    struct cli_doctor_report *rep)
{
	struct doctor_tcp	 t;
	const char		*h;
	size_t			 i, ntcp = 0;
	int			 r;

	for (i = 0; (h = engine_host(e, i)) != NULL; i++) {
		if ((r = tcp_host_parse(h, &t)) == -ENOENT)
			continue;
		ntcp++;
		if (r < 0)
			r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
			    CHECK_TCP, "%s: host \"%s\" cannot be parsed, and "
			    "dockerd refuses it; write tcp://ADDRESS:PORT", who,
			    h);
		else
			r = tcp_finding(&t, engine_tls(e), who, rep);
		if (r < 0)
			return r;
	}
	if (ntcp == 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_TCP, "%s does not listen on TCP", who);
	return 0;
}

/* engine.plugin: is dockward one of the engine's authorization plugins? */
static int
check_plugin(const struct doctor_engine *de, const char *name,
    struct cli_doctor_report *rep)
{
	if (dw_strv_contains(&de->e.authz_plugins, name))
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_PLUGIN, "%s uses the authorization plugin \"%s\"",
		    de->who, name);
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_PLUGIN,
	    "%s does not use \"%s\" as an authorization plugin, so the "
	    "plugin-only protections are off; add \"authorization-plugins\": "
	    "[\"%s\"] to %s and reload dockerd (systemctl reload docker)",
	    de->who, name, name, de->config_path);
}

/* The path of a unix listener, or NULL; fd:// is systemd's docker.socket. */
static const char *
unix_host_path(const char *h, bool *ret_fd)
{
	*ret_fd = false;
	if (strncmp(h, "unix://", 7) == 0)
		return h[7] != '\0' ? h + 7 : DW_PATH_ENGINE_SOCKET;
	if (strncmp(h, "fd://", 5) == 0) {
		*ret_fd = true;
		return DW_PATH_ENGINE_SOCKET;
	}
	return NULL;
}

/* One engine.socket finding for the socket at path. */
static int
socket_finding(const char *path, bool fd, const char *who,
    struct cli_doctor_report *rep)
{
	struct group	*gr;
	struct stat	 st;
	char		 gname[64];
	const char	*via = fd ? " (systemd docker.socket, -H fd://)" : "";

	if (stat(path, &st) == -1)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_SOCKET, "%s: socket %s%s: %s; is dockerd running, "
		    "and listening where its configuration says?", who, path,
		    via, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_SOCKET, "%s: %s%s is not a socket; check "
		    "-H/\"hosts\"", who, path, via);
	if (st.st_mode & S_IWOTH)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_SOCKET, "%s: socket %s%s is world-writable (mode "
		    "%04o): any local user controls dockerd; chmod 0660 it, "
		    "and fix whatever made it so", who, path, via,
		    (unsigned)(st.st_mode & 07777));
	if ((gr = getgrgid(st.st_gid)) != NULL)
		snprintf(gname, sizeof(gname), "%s", gr->gr_name);
	else
		snprintf(gname, sizeof(gname), "%u", (unsigned)st.st_gid);
	if (st.st_gid != 0 && strcmp(gname, "root") != 0 &&
	    strcmp(gname, "docker") != 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_SOCKET, "%s: socket %s%s belongs to group %s (mode "
		    "%04o): its members control dockerd; use the docker group "
		    "(dockerd --group, \"group\" in daemon.json) and keep it "
		    "for admins", who, path, via, gname,
		    (unsigned)(st.st_mode & 07777));
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_SOCKET,
	    "%s: socket %s%s is mode %04o, group %s", who, path, via,
	    (unsigned)(st.st_mode & 07777), gname);
}

/* engine.socket: the permissions of every unix socket the engine listens on. */
static int
check_socket(const struct doctor_engine *de, struct cli_doctor_report *rep)
{
	const char	*h, *path;
	size_t		 i, n = 0;
	bool		 fd;
	int		 r;

	for (i = 0; (h = engine_host(&de->e, i)) != NULL; i++) {
		if ((path = unix_host_path(h, &fd)) == NULL)
			continue;
		n++;
		if ((r = socket_finding(path, fd, de->who, rep)) < 0)
			return r;
	}
	if (n == 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_SOCKET, "%s listens on no unix socket", de->who);
	return 0;
}

/* engine.config: which configuration was read, merged into de. */
static int
check_config(struct doctor_engine *de, bool explicit_config,
    struct cli_doctor_report *rep)
{
	struct dw_err	err;
	int		r;

	r = cli_doctor_daemon_json_parse(de->config_path, &de->e, &err);
	if (r == 0) {
		de->readable = true;
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_CONFIG, "%s reads %s", de->who, de->config_path);
	}
	if (r == -ENOMEM)
		return r;
	if (r == -ENOENT && !explicit_config) {
		de->readable = true;
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_CONFIG, "%s has no %s (dockerd's defaults apply)",
		    de->who, de->config_path);
	}
	if (r == -EINVAL || r == -E2BIG)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_CONFIG, "%s: %s; dockerd refuses to start with it; "
		    "fix the file and check it with dockerd --validate "
		    "--config-file %s (other engine checks skipped)", de->who,
		    err.msg, de->config_path);
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_CONFIG,
	    "%s: cannot read %s; %s (other engine checks skipped)", de->who,
	    err.msg, r == -EACCES || r == -EPERM ? "run doctor as root" :
	    "dockerd read it when it started; restore it or restart dockerd");
}

/*
 * engine.buildEntitlements: BuildKit builds run their steps inside
 * dockerd, where neither the plugin nor the gatekeeper sees them, so
 * what dockerd lets a build ask for is what a docker-group user gets.
 */
static int
check_build(const struct doctor_engine *de, struct cli_doctor_report *rep)
{
	int	r;

	if (de->e.ent_insecure &&
	    (r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL, CHECK_BUILD,
	    "%s lets BuildKit builds run steps with RUN --security=insecure, "
	    "as privileged containers no dockward rule sees; set \"builder\": "
	    "{\"Entitlements\": {\"security-insecure\": false}} in %s", de->who,
	    de->config_path)) < 0)
		return r;
	if (de->e.ent_device &&
	    (r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_BUILD,
	    "%s lets BuildKit builds use host devices (RUN --device); set "
	    "\"builder\": {\"Entitlements\": {\"device\": false}} in %s",
	    de->who, de->config_path)) < 0)
		return r;
	if (!de->e.ent_host_set || de->e.ent_host)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_BUILD, "%s lets BuildKit builds run steps in the "
		    "host's network namespace (RUN --network=host; dockerd "
		    "allows it unless told otherwise), which dockward cannot "
		    "see; set \"builder\": {\"Entitlements\": "
		    "{\"network-host\": false}} in %s", de->who,
		    de->config_path);
	if (de->e.ent_insecure || de->e.ent_device)
		return 0;
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_BUILD,
	    "%s keeps BuildKit builds off the host network and out of "
	    "privileged steps", de->who);
}

/* A runtime that gives containers a kernel or user namespace of their own. */
static bool
runtime_hardened(const char *name_or_path)
{
	const char	*b = strrchr(name_or_path, '/');

	b = b != NULL ? b + 1 : name_or_path;
	return strcmp(b, "sysbox-runc") == 0 || strcmp(b, "runsc") == 0 ||
	    strncmp(b, "kata", 4) == 0;
}

/*
 * engine.isolation: dockward's rules keep containers away from the host's
 * resources, but container root is still host root behind one kernel or
 * runtime bug; ECI on Docker Desktop has a VM and sysbox's user namespace
 * for that, which a plain dockerd needs userns-remap or a hardened runtime
 * to approach.
 */
static int
check_isolation(const struct doctor_engine *de, struct cli_doctor_report *rep)
{
	const char	*rt = de->e.default_runtime, *eq;
	size_t		 i, nlen;

	if (de->e.userns_remap != NULL && de->e.userns_remap[0] != '\0')
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_ISOLATION, "%s maps container root to an "
		    "unprivileged host user (userns-remap \"%s\")", de->who,
		    de->e.userns_remap);
	if (rt != NULL && rt[0] != '\0') {
		if (runtime_hardened(rt))
			return cli_doctor_report_add(rep,
			    CLI_DOCTOR_REPORT_PASS, CHECK_ISOLATION, "%s runs "
			    "containers with the hardened default runtime %s",
			    de->who, rt);
		nlen = strlen(rt);
		for (i = 0; i < de->e.runtimes.n; i++) {
			eq = de->e.runtimes.v[i] + nlen;
			if (strncmp(de->e.runtimes.v[i], rt, nlen) == 0 && *eq == '=' &&
			    runtime_hardened(eq + 1))
				return cli_doctor_report_add(rep,
				    CLI_DOCTOR_REPORT_PASS, CHECK_ISOLATION,
				    "%s runs containers with the hardened "
				    "default runtime %s (%s)", de->who, rt,
				    eq + 1);
		}
	}
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
	    CHECK_ISOLATION, "%s runs containers with %s in the host's user "
	    "namespace, so container root is host root one kernel or runtime "
	    "bug away from the host; Docker Desktop's Enhanced Container "
	    "Isolation has a VM and a user namespace (sysbox) for that, which "
	    "dockward's checks do not replace; set \"userns-remap\": "
	    "\"default\" in %s, or install sysbox-runc, gVisor (runsc) or Kata "
	    "and make it \"default-runtime\"; without either, a bind source "
	    "re-planted after dockward checked it (dockerd resolves sources "
	    "again at every start, and restart policies start containers with "
	    "no API call) is mounted for a container root that is host root",
	    de->who, rt != NULL && rt[0] != '\0' ? rt : "runc",
	    de->config_path);
}

/* Every engine check for one dockerd; a config we could not read stops them. */
static int
check_engine(struct doctor_engine *de, const struct cli_doctor_opts *o,
    struct cli_doctor_report *rep)
{
	int	r;

	if ((r = check_config(de, de->e.config_file != NULL, rep)) < 0)
		return r;
	if (!de->readable)
		return 0;
	if ((r = cli_doctor_tcp_findings(&de->e, de->who, rep)) < 0 ||
	    (r = check_plugin(de, o->plugin_name, rep)) < 0 ||
	    (r = check_socket(de, rep)) < 0 ||
	    (r = check_build(de, rep)) < 0)
		return r;
	return check_isolation(de, rep);
}

/* pids in ascending order. */
static int
pid_cmp(const void *a, const void *b)
{
	pid_t	x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/*
 * The dockerd processes under proc: their pids in ascending order (at most
 * DW_DOCTOR_ENGINES_MAX), written to pids.  0 and *ret_n, or -errno.
 */
static int
dockerd_pids_find(const char *proc, pid_t *pids, size_t *ret_n)
{
	struct dirent	*d;
	DIR		*dir;
	char		 path[PATH_MAX], *buf, *end, *base;
	size_t		 len, n = 0;
	long		 pid;

	if ((dir = opendir(proc)) == NULL)
		return -errno;
	while ((d = readdir(dir)) != NULL && n < DW_DOCTOR_ENGINES_MAX) {
		errno = 0;
		pid = strtol(d->d_name, &end, 10);
		if (d->d_name[0] < '1' || d->d_name[0] > '9' || *end != '\0' ||
		    errno != 0 || pid > INT_MAX)
			continue;
		snprintf(path, sizeof(path), "%s/%s/cmdline", proc, d->d_name);
		/* Gone, a kernel thread, or too long to be a dockerd we can read. */
		if (file_read(path, DW_CMDLINE_MAX, &buf, &len) < 0)
			continue;
		base = strrchr(buf, '/');
		base = base != NULL ? base + 1 : buf;
		if (len > 0 && strcmp(base, "dockerd") == 0)
			pids[n++] = (pid_t)pid;
		free(buf);
	}
	closedir(dir);
	qsort(pids, n, sizeof(*pids), pid_cmp);
	*ret_n = n;
	return 0;
}

/*
 * Note what the later checks need from de: its plain-TCP listeners, its
 * unix sockets, whether it uses the plugin; or that it could not be read.
 */
static int
engine_collect(const struct doctor_engine *de, const char *plugin_name,
    struct doctor_seen *seen)
{
	struct doctor_tcp	 t;
	const char		*h;
	char			*line;
	size_t			 i;

	if (!de->readable) {
		seen->unreadable++;
		return 0;
	}
	for (i = 0; (h = engine_host(&de->e, i)) != NULL; i++) {
		const char	*up;
		bool		 fd;

		if ((up = unix_host_path(h, &fd)) != NULL &&
		    !dw_strv_contains(&seen->socks, up) &&
		    dw_strv_push(&seen->socks, up) < 0)
			return -ENOMEM;
	}
	if (dw_strv_contains(&de->e.authz_plugins, plugin_name))
		seen->plugin_used = true;
	if (!de->e.ent_host_set || de->e.ent_host)
		seen->build_host = true;
	if (engine_tls(&de->e) != DOCTOR_TLS_NONE)
		return 0;
	for (i = 0; (h = engine_host(&de->e, i)) != NULL; i++) {
		if (tcp_host_parse(h, &t) < 0)
			continue;
		if (asprintf(&line, "%s\t%s", de->who, t.addr) < 0 ||
		    dw_strv_push_take(&seen->plain, line) < 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Check one engine: the dockerd with pid (its command line, then its
 * daemon.json), or with pid 0 the default daemon.json alone.  What it
 * says about TCP goes into seen for the policy check.
 */
static int
engine_inspect(const struct cli_doctor_opts *o, pid_t pid,
    struct doctor_seen *seen, struct cli_doctor_report *rep)
{
	struct doctor_engine	 de = { 0 };
	struct dw_err		 err;
	char			 path[PATH_MAX], *buf = NULL;
	size_t			 len;
	int			 r = 0;

	de.e.pid = pid;
	if (pid == 0)
		snprintf(de.who, sizeof(de.who), "dockerd (configured, not running)");
	else
		snprintf(de.who, sizeof(de.who), "dockerd (pid %ld)", (long)pid);
	if (pid != 0) {
		snprintf(path, sizeof(path), "%s/%ld/cmdline", o->proc, (long)pid);
		if ((r = file_read(path, DW_CMDLINE_MAX, &buf, &len)) < 0) {
			r = r == -ENOMEM ? r : 0;	/* it exited meanwhile */
			goto out;
		}
		if ((r = cli_doctor_cmdline_parse(buf, len, &de.e, &err)) < 0) {
			seen->unreadable++;
			if (r != -ENOMEM)
				r = cli_doctor_report_add(rep,
				    CLI_DOCTOR_REPORT_WARN, CHECK_CONFIG, "%s: "
				    "command line not understood (%s); engine "
				    "checks skipped", de.who, err.msg);
			goto out;
		}
	}
	if ((de.config_path = strdup(de.e.config_file != NULL ?
	    de.e.config_file : o->daemon_json)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = check_engine(&de, o, rep)) < 0)
		goto out;
	r = engine_collect(&de, o->plugin_name, seen);
out:
	free(buf);
	free(de.config_path);
	cli_doctor_engine_clear(&de.e);
	return r;
}

/* The exposure-related part of the policy: exposeDockerAPIOnTCP2375's value. */
static int
check_policy_value(const struct cli_doctor_opts *o, int *ret_value,
    struct cli_doctor_report *rep)
{
	struct dw_err	 err;
	json_t		*root = NULL, *v;
	int		 r;

	*ret_value = -1;
	if ((r = json_file_load(o->probe.settings_path, DW_SETTINGS_MAX, &root, &err)) < 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_POLICY, "could not read the policy: %s; pass "
		    "--settings FILE, and validate it with dockward check",
		    err.msg);
	if (!json_is_object(root) ||
	    (v = json_object_get(root, DOCTOR_KEY_EXPOSE)) == NULL) {
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_POLICY, "%s does not set " DOCTOR_KEY_EXPOSE " "
		    "(Docker's default: not exposed)", o->probe.settings_path);
		goto out;
	}
	/* Docker's schema: {"locked": true, "value": false}; a bare bool too. */
	if (json_is_object(v))
		v = json_object_get(v, "value");
	if (!json_is_boolean(v)) {
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_POLICY, "%s: " DOCTOR_KEY_EXPOSE " should be "
		    "{\"value\": false, \"locked\": true} or a boolean; doctor "
		    "cannot tell what it asks", o->probe.settings_path);
		goto out;
	}
	*ret_value = json_is_true(v);
	r = 0;
out:
	json_decref(root);
	return r;
}

/* policy.exposeDockerAPIOnTCP2375 against the engines' plain-TCP listeners. */
static int
check_policy(const struct cli_doctor_opts *o, const struct doctor_seen *seen,
    struct cli_doctor_report *rep)
{
	const struct dw_strv	*plain = &seen->plain;
	const char		*tab;
	size_t			 i;
	int			 value, r;

	if ((r = check_policy_value(o, &value, rep)) < 0 || value < 0)
		return r;
	if (value == 1)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_POLICY, "%s allows exposing the Docker API on TCP ("
		    DOCTOR_KEY_EXPOSE ".value true): dockward opens no TCP "
		    "socket itself, and a dockerd TCP listener bypasses "
		    "dockward's gatekeeper (not the authorization plugin); set "
		    "it to false unless a TCP listener is needed",
		    o->probe.settings_path);
	for (i = 0; i < plain->n; i++) {
		tab = strchr(plain->v[i], '\t');
		if ((r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_POLICY, "%s forbids exposing the Docker API on TCP ("
		    DOCTOR_KEY_EXPOSE ".value false), but %.*s listens on %s "
		    "without TLS; remove that listener from -H/\"hosts\"",
		    o->probe.settings_path, (int)(tab - plain->v[i]),
		    plain->v[i], tab + 1)) < 0)
			return r;
	}
	if (plain->n == 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_POLICY, "%s forbids exposing the Docker API on TCP, "
		    "and no dockerd %s listens on TCP without TLS",
		    o->probe.settings_path, seen->unreadable > 0 ? "that "
		    "doctor could read (see engine.config)" : "found");
	return 0;
}

/*
 * Audit-only mode is loud: a policy that lets any rule's denials through
 * (dockward.enforcement, dockward.ruleEnforcement) is a WARN; one that
 * enforces every rule adds nothing.
 */
static int
check_enforcement(const struct authz_settings *s, struct cli_doctor_report *rep)
{
	size_t	n;

	if (s == NULL || (n = authz_enforce_audit_count(&s->enforce)) == 0)
		return 0;
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_ENFORCEMENT,
	    "%s: AUDIT MODE for %zu rules: their denials are allowed and only "
	    "recorded (\"wouldDeny\":true in the audit log; dockward check "
	    "names them). Set dockward.enforcement and dockward.ruleEnforcement "
	    "to \"enforce\" once the audit log shows what they would refuse",
	    s->origin, n);
}

int
cli_doctor_inspect(const struct cli_doctor_opts *o,
    struct cli_doctor_report *rep)
{
	struct doctor_seen	 seen = { 0 };
	struct cli_doctor_egress_opts eo = o->egress;
	struct authz_settings	*s = NULL;
	pid_t			 pids[DW_DOCTOR_ENGINES_MAX];
	size_t			 i, n = 0;
	int			 r;

	if ((r = dockerd_pids_find(o->proc, pids, &n)) < 0) {
		if ((r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_CONFIG, "cannot list processes in %s (%s); checking "
		    "%s alone", o->proc, strerror(-r), o->daemon_json)) < 0)
			goto out;
	} else if (n == 0 && (r = cli_doctor_report_add(rep,
	    CLI_DOCTOR_REPORT_PASS, CHECK_CONFIG, "no dockerd process in %s "
	    "(run doctor as root if /proc hides other users' processes); "
	    "checking %s, which dockerd reads when it starts", o->proc,
	    o->daemon_json)) < 0)
		goto out;
	/* No process: what the next start will read. */
	if (n == 0 && (r = engine_inspect(o, 0, &seen, rep)) < 0)
		goto out;
	for (i = 0; i < n; i++)
		if ((r = engine_inspect(o, pids[i], &seen, rep)) < 0)
			goto out;
	if ((r = check_policy(o, &seen, rep)) < 0 ||
	    (r = cli_doctor_probe_policy(&o->probe, &s, rep)) < 0 ||
	    (r = check_enforcement(s, rep)) < 0 ||
	    (r = cli_doctor_probe_plugin(&o->probe, seen.plugin_used, rep)) < 0 ||
	    (r = cli_doctor_probe_gatekeeper(&o->probe, &seen.socks, rep)) < 0 ||
	    (r = cli_doctor_probe_registry(&o->probe, s, rep)) < 0 ||
	    (r = cli_doctor_probe_access(&o->probe, s, rep)) < 0 ||
	    (r = cli_doctor_probe_cache(&o->probe, s, rep)) < 0 ||
	    (r = cli_doctor_fleet_probe(&o->probe, s, rep)) < 0)
		goto out;
	if (eo.proc == NULL)
		eo.proc = o->proc;
	eo.no_network = eo.no_network || o->probe.no_network;
	r = cli_doctor_egress_probe(&eo, s, seen.build_host, rep);
out:
	authz_settings_free(s);
	dw_strv_clear(&seen.plain);
	dw_strv_clear(&seen.socks);
	return r;
}

int
cli_doctor_run(const struct cli_doctor_opts *o, FILE *out)
{
	struct cli_doctor_report	rep = { 0 };
	int				rc;

	if (cli_doctor_inspect(o, &rep) < 0) {
		fprintf(stderr, "dockward: doctor: out of memory\n");
		rc = 3;
	} else
		rc = cli_doctor_report_print(&rep, out);
	cli_doctor_report_clear(&rep);
	return rc;
}

const char	cli_doctor_usage[] =
    "dockward doctor [--settings FILE] [--daemon-json PATH] [--proc DIR]\n"
    "                       [--plugin-name NAME] [--plugin-socket PATH|none]\n"
    "                       [--gatekeeper-socket PATH] [--state-dir DIR] [--no-network]\n";

const char	cli_doctor_about[] =
    "doctor  inspect how this host exposes the Docker API (dockerd's TCP\n"
    "        listeners and TLS, the authorization plugin, socket permissions,\n"
    "        userns-remap or a hardened runtime, exposeDockerAPIOnTCP2375) and\n"
    "        whether dockward works (plugin and gatekeeper sockets answer, policy\n"
    "        file ownership, imageList and registryAccess registries reachable,\n"
    "        registry cache and offline trust store age;\n"
    "        with containersProxy: the nftables table, the proxy, the PAC);\n"
    "        one PASS|WARN|FAIL line per finding;\n"
    "        exit status 0 all pass, 1 a warning, 2 a failure, 3 usage\n";

/* The command's usage text. */
static void
doctor_usage(FILE *out)
{
	fprintf(out,
	    "usage: dockward doctor [--settings FILE] [--daemon-json PATH]\n"
	    "                       [--proc DIR] [--plugin-name NAME]\n"
	    "                       [--plugin-socket PATH|none] [--gatekeeper-socket PATH]\n"
	    "                       [--state-dir DIR] [--no-network]\n"
	    "\n"
	    "Inspect how this host exposes the Docker API and print one line per\n"
	    "finding, PASS|WARN|FAIL <check>: <message>.  Reads the command lines of\n"
	    "running dockerd processes (DIR/<pid>/cmdline), their daemon.json (PATH\n"
	    "unless --config-file says otherwise) and the policy FILE; asks dockward's\n"
	    "plugin and gatekeeper sockets, the imageList's and registryAccess's\n"
	    "registries; reads the registry cache and the offline trust store.\n"
	    "See docs/doctor.md for every check.\n"
	    "  --settings FILE     policy (default " DW_PATH_SETTINGS ")\n"
	    "  --daemon-json PATH  dockerd's configuration (default " DOCTOR_DAEMON_JSON ")\n"
	    "  --proc DIR          the proc file system (default " DOCTOR_PROC ")\n"
	    "  --plugin-name NAME  dockward's authorization plugin name (default "
	    DOCTOR_PLUGIN ")\n"
	    "  --plugin-socket PATH  the plugin's socket (default " DW_PATH_PLUGIN_DIR
	    "/NAME.sock;\n"
	    "                      none: not checked)\n"
	    "  --gatekeeper-socket PATH  check the gatekeeper socket (default: not checked)\n"
	    "  --state-dir DIR     dockward's state directory (default " DW_PATH_STATE_DIR ")\n"
	    "  --no-network        do not ask the registries\n"
	    "Exit status: 0 all pass, 1 a WARN, 2 a FAIL, 3 usage or internal error.\n");
}

/* `dockward doctor ...`: argv[0] is "doctor". */
int
cli_doctor_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "settings", required_argument, NULL, 's' },
		{ "daemon-json", required_argument, NULL, 'j' },
		{ "proc", required_argument, NULL, 'P' },
		{ "plugin-name", required_argument, NULL, 'n' },
		{ "plugin-socket", required_argument, NULL, 'S' },
		{ "gatekeeper-socket", required_argument, NULL, 'g' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "no-network", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_doctor_opts	o = {
		.daemon_json = DOCTOR_DAEMON_JSON,
		.proc = DOCTOR_PROC,
		.plugin_name = DOCTOR_PLUGIN,
		.probe = {
			.settings_path = DW_PATH_SETTINGS,
			.state_dir = DW_PATH_STATE_DIR,
		},
	};
	const char		*plugin_socket = NULL;
	char			 psock[PATH_MAX];
	int			 ch;

	while ((ch = getopt_long(argc, argv, "s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': o.probe.settings_path = optarg; break;
		case 'j': o.daemon_json = optarg; break;
		case 'P': o.proc = optarg; break;
		case 'n': o.plugin_name = optarg; break;
		case 'S': plugin_socket = optarg; break;
		case 'g': o.probe.gatekeeper_socket = optarg; break;
		case 'd': o.probe.state_dir = optarg; break;
		case 'N': o.probe.no_network = true; break;
		case 'h': doctor_usage(stdout); return 0;
		default: doctor_usage(stderr); return 3;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dockward: doctor: unexpected argument \"%s\"\n",
		    argv[optind]);
		doctor_usage(stderr);
		return 3;
	}
	/* dockerd finds plugin NAME at DIR/NAME.sock. */
	if (plugin_socket == NULL) {
		snprintf(psock, sizeof(psock), DW_PATH_PLUGIN_DIR "/%s.sock",
		    o.plugin_name);
		plugin_socket = psock;
	}
	if (strcmp(plugin_socket, "none") != 0)
		o.probe.plugin_socket = plugin_socket;
	return cli_doctor_run(&o, stdout);
}
