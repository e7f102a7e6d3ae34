/*
 * cli_explain_egress: `dockward explain --egress URL --from CONTAINER`,
 * what the air-gapped containers proxy would do with one connection from
 * a container.  Unlike the rest of explain it uses the live host: the
 * engine (the container's address and networks), the resolver (the URL's
 * host, and whether a name counts) and the PAC server (the PAC is fetched
 * and evaluated in a PAC worker, as serve does).
 *
 * The target is built as the proxy builds it: the destination is the
 * address the URL's host resolves to (or --to-ip); a name is claimed only
 * on port 80 (an http:// or tcp:// URL: the Host header) and 443 (https://
 * or tcp://: the TLS SNI), and counts only when it resolves to the
 * destination; ports outside transparentPorts, and TCP 53 to an allowed
 * resolver, go direct without a decision; a container on the host network
 * or on a network whose driver is not "bridge" is not intercepted at all.
 *
 * Output: key: value lines (source, container, destination, name, subject,
 * pac, pac-url, pac-answer, routes, decision, upstream, rule, fix, note),
 * or one JSON object with --json.  Exit status: 0 the connection would be
 * made (direct, through a proxy, or not policed), 1 refused, 2 usage or a
 * fact that could not be found (no such container, a host that does not
 * resolve), 3 the policy could not be read: the values of CLI_EXPLAIN_*
 * (cli_explain.h, which parses the options and calls this).
 */
#ifndef CLI_EXPLAIN_EGRESS_H
#define CLI_EXPLAIN_EGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "authz/authz_settings.h"
#include "common/dw_err.h"
#include "common/dw_strv.h"
#include "egress/egress_decide.h"
#include "egress/egress_policy.h"

#define CLI_EXPLAIN_EGRESS_ADDRS_MAX	16	/* addresses of one name considered */

/* Exit statuses, as cli_explain's. */
#define CLI_EXPLAIN_EGRESS_MADE		0	/* direct, proxied, or not policed */
#define CLI_EXPLAIN_EGRESS_REFUSED	1
#define CLI_EXPLAIN_EGRESS_USAGE	2
#define CLI_EXPLAIN_EGRESS_POLICY	3

/* What to explain; strings and the list are borrowed. */
struct cli_explain_egress_opts {
	const char		*url;		/* --egress URL */
	const char		*from;		/* --from CONTAINER, or NULL */
	const char		*from_ip;	/* --from-ip IP, or NULL */
	const char		*to_ip;		/* --to-ip IP, or NULL */
	const struct dw_strv	*engine_sockets; /* --engine-socket (empty: the defaults) */
	bool			 json;
};

/*
 * What --egress asks of the outside world, injectable so unit tests run
 * on fixtures.  cli_explain_egress_ops_default uses the real engine,
 * getaddrinfo, the PAC server and egress_worker.
 */
struct cli_explain_egress_ops {
	void	*ctx;
	/*
	 * GET /containers/{id}/json (kind "containers") or /networks/{id}
	 * (kind "networks") on the engine socket sock.  0 and a new reference
	 * in *ret; -ENOENT when there is no such object; -errno with err.
	 */
	int	(*engine_inspect)(void *ctx, const char *sock, const char *kind,
		    const char *id, json_t **ret, struct dw_err *err);
	/* A name's addresses (the shape of egress_resolve_fn; ctx is this ctx). */
	egress_resolve_fn resolve;
	/* p's PAC: 0 and a new NUL-terminated script, or -errno with err. */
	int	(*pac_fetch)(void *ctx, const struct egress_policy *p, char **ret,
		    size_t *ret_len, struct dw_err *err);
	/*
	 * Compile script in an evaluator: 0 and a new handle in *ret_pac for
	 * pac_eval (its ctx) and pac_stop, or -errno with err.
	 */
	int	(*pac_start)(void *ctx, const char *script, size_t len, void **ret_pac,
		    struct dw_err *err);
	egress_eval_fn pac_eval;
	void	(*pac_stop)(void *ctx, void *pac);
};

extern const struct cli_explain_egress_ops cli_explain_egress_ops_default;

/*
 * Explain o->url from o->from (or o->from_ip) under s (borrowed), with
 * ops (NULL: the default).  Writes the report to out and errors to errf;
 * returns the exit status (CLI_EXPLAIN_EGRESS_*).
 */
int	cli_explain_egress_run(const struct cli_explain_egress_opts *o,
	    const struct authz_settings *s, const struct cli_explain_egress_ops *ops,
	    FILE *out, FILE *errf);

#endif
