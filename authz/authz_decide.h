/*
 * authz_decide: the policy engine.  Pure: it sees a request model, the
 * settings and a small facts interface (engine lookups, filesystem) and
 * returns a decision.  Zero is deny; every path that is not an explicit
 * allow denies.
 */
#ifndef AUTHZ_DECIDE_H
#define AUTHZ_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "authz/authz_uri.h"
#include "authz/authz_settings.h"
#include "common/dw_err.h"
#include "common/dw_limits.h"

enum authz_verdict {
	AUTHZ_DENY = 0,
	AUTHZ_ALLOW,
};

/* What dockerd asked about (one AuthZReq), already parsed by api/. */
struct authz_caller;

struct authz_request {
	const char		*method;	/* "POST" */
	const char		*raw_uri;	/* as dockerd sent it */
	const struct authz_uri	*uri;		/* NULL when the URI could not be routed */
	const char		*uri_error;	/* why it could not, when uri is NULL */
	const char		*user;		/* TLS-authenticated user or NULL */
	const unsigned char	*body;		/* decoded RequestBody, NULL when absent */
	size_t			 body_len;
	const char		*content_type;	/* request Content-Type header or NULL */
	long long		 content_length; /* Content-Length header, -1 when absent/unknown */
	/* Only the gatekeeper knows these; the plugin leaves them zero. */
	const struct authz_caller *caller;	/* who is calling, or NULL */
	bool			 build_inspected; /* POST /build: build_context is the whole body, held back from dockerd */
	const void		*build_context;	/* the body as sent (a tar, maybe compressed); NULL when empty */
	size_t			 build_context_len;
};

/*
 * Facts from the outside world.  Each lookup returns 0 and a new JSON
 * reference in *ret (caller decrefs), -ENOENT when the object does not
 * exist, or another negative errno (engine unreachable, bad answer) with
 * err set.  The engine is asked only when a rule needs it.
 */
struct authz_facts {
	void	*ctx;
	/* GET /containers/{id}/json */
	int	(*container_inspect)(void *ctx, const char *id, json_t **ret, struct dw_err *err);
	/* GET /networks/{id} */
	int	(*network_inspect)(void *ctx, const char *id, json_t **ret, struct dw_err *err);
	/* GET /volumes/{name} */
	int	(*volume_inspect)(void *ctx, const char *name, json_t **ret, struct dw_err *err);
	/*
	 * May image (a reference or an image Id) mount the Docker socket under
	 * s?  0 yes (proven by digest), -EACCES no (reason in err), another
	 * -errno when it could not be proven (registry/engine unreachable),
	 * with err saying what could not be reached and when to retry.
	 * NULL: images are matched by normalized name only (offline tools).
	 */
	int	(*image_verify)(void *ctx, const struct authz_settings *s,
		    const char *image, struct dw_err *err);
	/* Where the engine and dockward keep sockets and state (for mount checks). */
	const char *const *engine_sockets;	/* NULL-terminated: engine + gatekeeper sockets */
	const char *const *own_paths;		/* NULL-terminated: plugin socket, state dir, policy dir */
	/*
	 * Host facts; NULL when unknown (the rules that need them refuse).
	 * cgroup_v1: 1 when the host runs cgroup v1 (or hybrid), where
	 * dockerd's default cgroupns mode is "host"; 0 for v2; -errno.
	 * host_interface: 1 when a network interface of that name exists in
	 * dockerd's (the host's) network namespace, 0 when not, -errno.
	 */
	int	(*cgroup_v1)(void *ctx);
	int	(*host_interface)(void *ctx, const char *name);
	/* GET /exec/{id}/json (its ContainerID); NULL: exec starts are not re-judged (offline tools) */
	int	(*exec_inspect)(void *ctx, const char *id, json_t **ret, struct dw_err *err);
};

struct authz_decision {
	enum authz_verdict	verdict;
	const char		*rule;		/* static rule id, e.g. "container.privileged"; "allow" when allowed */
	char			 field[128];	/* offending JSON path / query key, "" when none */
	char			 msg[DW_MSG_MAX]; /* full "dockward: ..." message, "" when allowed */
};

/* The real host facts for authz_facts.cgroup_v1 and .host_interface (authz_namespace.c). */
int	authz_namespace_host_cgroup_v1(void *ctx);
int	authz_namespace_host_interface(void *ctx, const char *name);

/*
 * Decide one request.  Always fills *d (deny on any internal error) and
 * returns d->verdict.
 */
enum authz_verdict authz_decide(const struct authz_settings *s,
	    const struct authz_facts *facts, const struct authz_request *req,
	    struct authz_decision *d);

#endif
