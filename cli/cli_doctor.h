/*
 * cli_doctor: `dockward doctor`, which inspects the live host setup and
 * reports how the Docker API is exposed: dockerd's TCP listeners and their
 * TLS, whether dockward is one of its authorization plugins, the
 * permissions of its unix sockets, its isolation settings, and the
 * policy's exposeDockerAPIOnTCP2375.  It reads dockerd's daemon.json and
 * the command lines of running dockerd processes (/proc/<pid>/cmdline).
 * The live checks (cli_doctor_probe.c) then talk to dockward's plugin and
 * gatekeeper sockets and to the registries of the policy's imageList, and
 * read the policy file and the registry cache.  Doctor changes nothing.
 *
 * Output is one line per finding, `PASS|WARN|FAIL <check-id>: <message>`,
 * where a WARN or FAIL message says how to fix it.  Check ids:
 *   engine.config   which dockerd and daemon.json were read, and read errors
 *   engine.tcp      TCP listeners: no TLS (FAIL; WARN on loopback), TLS
 *                   without client certificates (WARN), tlsverify (PASS)
 *   engine.plugin   dockward in --authorization-plugin/authorization-plugins
 *   engine.socket   the engine's unix sockets: world-writable, foreign group
 *   engine.buildEntitlements  what BuildKit builds may ask dockerd for
 *   engine.isolation  userns-remap or a hardened default runtime (sysbox-runc,
 *                   runsc, kata*); WARN without either
 *   policy.exposeDockerAPIOnTCP2375   the policy's setting against the engine
 *   policy.file     StrictModes of the policy file, that it parses, its warnings
 *   plugin.reachable  the plugin socket answers Plugin.Activate with "authz"
 *                   and allows GET /_ping (FAIL when a dockerd uses it)
 *   gatekeeper.socket  the gatekeeper socket: root-owned, not world-writable,
 *                   answers GET /_ping; no engine socket non-root users reach
 *   registry.reachable  each imageList entry resolves in its registry now
 *   cache.age       the registry cache: size, ages, entries without a proof
 *   egress.*        with containersProxy: the policy, dockward's nftables
 *                   table, the proxy's listener, the PAC, BuildKit's host
 *                   network (cli_doctor_egress.h)
 */
#ifndef CLI_DOCTOR_H
#define CLI_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "cli/cli_doctor_egress.h"
#include "cli/cli_doctor_probe.h"
#include "cli/cli_doctor_report.h"
#include "common/dw_err.h"
#include "common/dw_strv.h"

/*
 * What one dockerd is told by its command line and its daemon.json, merged
 * as dockerd merges them (dockerd refuses a key given in both; we take the
 * union).  Zero-initialise; every string and list is new (owned by the
 * struct) and cli_doctor_engine_clear() frees them.
 */
struct cli_doctor_engine {
	pid_t		 pid;		/* the dockerd process; 0: daemon.json alone */
	struct dw_strv	 hosts;		/* -H/--host and "hosts", as written */
	bool		 tls;		/* --tls or "tls": true */
	bool		 tlsverify;	/* value of --tlsverify / "tlsverify" */
	bool		 tlsverify_set;	/* tlsverify given at all: turns TLS on */
	char		*tlscacert;	/* --tlscacert / "tlscacert"; NULL if absent */
	struct dw_strv	 authz_plugins;	/* --authorization-plugin, "authorization-plugins" */
	char		*config_file;	/* --config-file; NULL when not given */
	/* daemon.json "builder": {"Entitlements": {...}} for BuildKit builds */
	bool		 ent_host_set;	/* "network-host" given */
	bool		 ent_host;	/* its value (dockerd's default: allowed) */
	bool		 ent_insecure;	/* "security-insecure": true */
	bool		 ent_device;	/* "device": true */
	/* isolation: --userns-remap / "userns-remap", --default-runtime /
	 * "default-runtime", --add-runtime NAME=PATH / "runtimes" */
	char		*userns_remap;	/* NULL when absent */
	char		*default_runtime; /* NULL when absent (runc) */
	struct dw_strv	 runtimes;	/* "NAME=PATH" of each runtime defined */
};

/*
 * What to inspect.  Strings are borrowed; cli_doctor_main sets the
 * defaults.
 */
struct cli_doctor_opts {
	const char	*daemon_json;	/* read by a dockerd without --config-file */
	const char	*proc;		/* where /proc is (a fixture tree in tests) */
	const char	*plugin_name;	/* the authorization plugin's name */
	/* The policy, dockward's sockets and state, for the live checks. */
	struct cli_doctor_probe_opts	 probe;
	/* The egress checks; proc NULL: the proc above, no_network: probe's. */
	struct cli_doctor_egress_opts	 egress;
};

/* Free what e holds and zero it; e itself is not freed. */
void	cli_doctor_engine_clear(struct cli_doctor_engine *e);

/*
 * Parse the text of /proc/<pid>/cmdline (NUL-separated arguments, len
 * bytes, the last NUL optional) and merge dockerd's flags into e: -H and
 * --host in every pflag spelling (-H X, -HX, -H=X, --host X, --host=X,
 * after bool shorthands as in -DH X), --tls[=bool], --tlsverify[=bool],
 * --tlscacert, --config-file, --authorization-plugin, --userns-remap,
 * --default-runtime, --add-runtime (kept as "NAME=PATH").  Other flags are
 * skipped; "--" ends the flags.
 * Returns 0, or
 *   -ENOENT  argv[0]'s basename is not "dockerd" (e is untouched)
 *   -E2BIG   len over DW_CMDLINE_MAX
 *   -EINVAL  a flag without its value, or a bool flag with a value Go's
 *            strconv.ParseBool refuses
 * with the reason in err.  On -EINVAL e may hold what came before; the
 * caller clears it.  Strings stored in e are copies owned by e.
 */
int	cli_doctor_cmdline_parse(const char *buf, size_t len,
	    struct cli_doctor_engine *e, struct dw_err *err);

/*
 * Read dockerd's daemon.json at path (at most DW_DAEMON_JSON_MAX bytes, a
 * UTF-8 BOM skipped) and merge into e: "hosts" and "authorization-plugins"
 * (arrays of strings), "tls" and "tlsverify" (booleans), "tlscacert",
 * "tlscert", "tlskey" (strings), "builder" entitlements, "userns-remap"
 * and "default-runtime" (strings), "runtimes" (an object of {"path":
 * PATH}, kept as "NAME=PATH").  Other keys are ignored.
 * Returns 0, or
 *   -ENOENT  no such file (dockerd starts without one)
 *   -EINVAL  malformed JSON, not an object, a key of the wrong type
 *   -E2BIG   over DW_DAEMON_JSON_MAX
 *   another -errno from open/read
 * with err naming the file (and the line or key).  On -EINVAL e may hold
 * part of the file; the caller clears it.
 */
int	cli_doctor_daemon_json_parse(const char *path,
	    struct cli_doctor_engine *e, struct dw_err *err);

/*
 * Append the engine.tcp findings of e to rep: one per TCP listener (the
 * hosts, or dockerd's default when none is given: tcp://localhost:2376 with
 * TLS, else the unix socket), or one PASS when there is none.  `who` names
 * the engine in the messages ("dockerd (pid 812)").  0 or -ENOMEM.
 */
int	cli_doctor_tcp_findings(const struct cli_doctor_engine *e,
	    const char *who, struct cli_doctor_report *rep);

/*
 * Inspect the host as o says and append every finding to rep: for each
 * dockerd process under o->proc (by pid), or for o->daemon_json alone when
 * none runs, the engine.* checks; then the policy checks and the live
 * checks of cli_doctor_probe.h (those whose o->probe member is NULL
 * skipped).  0 or -ENOMEM (rep then holds what was found so far; the
 * caller clears it).
 */
int	cli_doctor_inspect(const struct cli_doctor_opts *o,
	    struct cli_doctor_report *rep);

/*
 * Build and print the report to out.  Exit status: 0 when everything
 * passes, 1 when there is a WARN and no FAIL, 2 when there is a FAIL,
 * 3 when doctor itself failed (out of memory).
 */
int	cli_doctor_run(const struct cli_doctor_opts *o, FILE *out);

extern const char	cli_doctor_usage[];	/* in dockward's usage (cli/cli.h) */
extern const char	cli_doctor_about[];

/*
 * `dockward doctor [--settings FILE] [--daemon-json PATH] [--proc DIR]
 * [--plugin-name NAME] [--plugin-socket PATH] [--gatekeeper-socket PATH]
 * [--state-dir DIR] [--no-network]`; argv[0] is "doctor".  The status of
 * cli_doctor_run(), or 3 on a usage error.
 */
int	cli_doctor_main(int argc, char **argv);

#endif
