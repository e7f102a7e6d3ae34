/*
 * cli_explain: `dockward explain`, which says what dockward would decide
 * about a docker command line (translated by cli_docker) or a raw
 * Engine API request (--request FILE.json: {"method","uri","body"} or an
 * AuthZReq as dockerd sends it), without a running dockward and without
 * network I/O (dockerd only when --engine-socket names it).
 *
 * Each request goes through the real engine: authz_decide(), after
 * authz_caller_decide() when --caller is given (as the gatekeeper does).
 * Facts come from flags and files: --image-digest REF=sha256:ID for local
 * images, the registry cache and trust store in --state-dir for what
 * registries serve.  Containers, volumes, networks and images without
 * --image-digest are asked of the engine on the --engine-socket paths
 * given on the command line (read-only GETs, cli_explain_engine.h), so the
 * verdict is the one dockward reaches with that engine behind it; without
 * one, or when none answers, they are unknown, rules that need them decide
 * as when dockerd cannot be reached, and a note says which fact was
 * missing and why.  Registries are never asked.
 *
 * Output per request: request/decision/rule/field/message/fix and note
 * lines (or one JSON object per line with --json).  Exit status: 0 all
 * allowed, 1 one or more denied, 2 usage or translation error, 3 the
 * policy could not be read.
 *
 * --egress URL --from CONTAINER|--from-ip IP explains one container
 * connection instead, with the live engine, resolver and PAC server
 * (cli_explain_egress.h).
 */
#ifndef CLI_EXPLAIN_H
#define CLI_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>

#include "authz/authz_settings.h"
#include "common/dw_strv.h"

#define CLI_EXPLAIN_ALLOW	0
#define CLI_EXPLAIN_DENY	1
#define CLI_EXPLAIN_USAGE	2
#define CLI_EXPLAIN_POLICY	3

/* Strings are borrowed (from argv); the two lists are new, see opts_clear. */
struct cli_explain_opts {
	const char	*settings_path;		/* default /etc/dockward/admin-settings.json */
	const char	*state_dir;		/* default /var/lib/dockward */
	struct dw_strv	 image_digests;		/* "REF=sha256:HEX" */
	struct dw_strv	 engine_sockets;	/* asked for facts; recognised as the socket (empty: /var/run/docker.sock, /run/docker.sock, not asked) */
	const char	*caller;		/* NULL (the plugin), "host", "container:IMAGE" */
	const char	*request_file;		/* --request FILE or "-" */
	bool		 json;
	const char	*egress_url;		/* --egress URL: explain a container connection */
	const char	*from;			/* --from CONTAINER (name or id) */
	const char	*from_ip;		/* --from-ip IP, instead of --from */
	const char	*to_ip;			/* --to-ip IP: the destination, not what the host resolves to */
	int		 docker_argc;		/* the docker command line after "--" */
	char *const	*docker_argv;		/* borrowed from argv */
};

/*
 * Parse `explain` options (argv[0] is "explain").  0; -1 after printing
 * the usage for --help; or CLI_EXPLAIN_USAGE after printing why to errf.
 * Nothing to clear unless it returned 0.
 */
int	cli_explain_opts_parse(int argc, char *argv[], struct cli_explain_opts *o,
	    FILE *errf);
/* Free the lists o holds (o itself is the caller's). */
void	cli_explain_opts_clear(struct cli_explain_opts *o);

/*
 * Explain with an already loaded policy (borrowed): write the report to
 * out and errors to errf.  Returns the exit status (CLI_EXPLAIN_*).
 */
int	cli_explain_run(const struct cli_explain_opts *o, const struct authz_settings *s,
	    FILE *out, FILE *errf);

extern const char	cli_explain_usage[];	/* in dockward's usage (cli/cli.h) */
extern const char	cli_explain_about[];

/*
 * `dockward explain ...` (argv[0] is "explain"): parse, load the policy,
 * run.  Returns the exit status (CLI_EXPLAIN_*; 0 after --help).
 */
int	cli_explain_main(int argc, char *argv[]);

#endif
