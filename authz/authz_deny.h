/*
 * authz_deny: what a rule sees and how it says no.  A rule function gets
 * a struct authz_ctx (the settings, the outside facts, the request and the
 * decision to fill) and returns 0 (no objection) or -EACCES after
 * authz_deny() filled the decision; any other failure is also a deny.
 * The request, facts and decision types live here, below every rule file,
 * so that the rules never include the decision (authz_decide.c) that calls
 * them.
 */
#ifndef AUTHZ_DENY_H
#define AUTHZ_DENY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "authz/authz_enforce.h"
#include "authz/authz_jv.h"
#include "authz/authz_uri.h"
#include "common/dw_err.h"
#include "common/dw_limits.h"

struct authz_settings;
struct authz_mount_memo;

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
	/*
	 * Audit-only mode (authz_enforce.h): would_deny is an allow that
	 * denied under a rule in audit mode (rule, field and msg kept);
	 * enforced marks a denial that is never audit-only whatever its rule
	 * (mount.protectedPath of dockward's own paths, what could not be
	 * checked: authz_enforce.h); via is the stored setting's rule
	 * behind a container.existing denial.
	 */
	bool			 would_deny;
	bool			 enforced;
	const char		*via;
};

/*
 * One rule's view of the request being decided; every pointer is borrowed.
 * body is where the request body, parsed once for all the rules, is kept
 * (authz_deny_unless_body); authz_decide() owns and frees it, and a
 * context made for a scratch decision shares its parent's.
 */
struct authz_ctx {
	const struct authz_settings	*s;
	const struct authz_facts	*facts;
	const struct authz_request	*req;
	struct authz_decision		*d;
	struct authz_jv_doc		**body;
	/*
	 * Audit-only mode (authz_enforce.h): the policy's modes, and where
	 * the first denial they let through is kept while the rules go on
	 * (wd->rule NULL until then).  wd NULL: every denial denies.  A
	 * scratch context shares its parent's.
	 */
	const struct authz_enforce	*enforce;
	struct authz_decision		*wd;
	/*
	 * Bind sources the mount checks of this decision resolved, for its
	 * layout check (authz_mount.h); NULL: each resolves its own.  Set
	 * by the caller that owns it, for one decision only.
	 */
	struct authz_mount_memo		*mount_memo;
};

/*
 * Deny with rule id, offending field and "why. how to fix" text; the
 * message is prefixed with "dockward: <what> (<rule>): ".  The first
 * objection is the one reported.  Returns -EACCES, or 0 when audit-only
 * mode lets the denial through (authz_deny_audit): the rule then goes on
 * as if it had no objection.
 */
int	authz_deny(struct authz_ctx *c, const char *rule, const char *field,
	    const char *fmt, ...) __attribute__((cold, format(printf, 4, 5)));

/*
 * Deny because a body field could not be read the way dockerd reads it
 * (ambiguous, wrong type): rule request.json with err's text.  -EACCES.
 */
int	authz_deny_json(struct authz_ctx *c, const struct dw_err *err)
	    __attribute__((cold));

/*
 * After a denial was written into c->d (first objection): -EACCES, or 0
 * when audit-only mode lets its rule through; the denial is then kept in
 * c->wd (the first such) and c->d cleared, so the rules go on and a later
 * enforced rule still denies.  The one place a denial may be relaxed.
 */
int	authz_deny_audit(struct authz_ctx *c);

/*
 * Fill d as a denial: "dockward: <what> (<rule>): " then fmt (the why and
 * the fix).  The one place the message shape is made.
 */
void	authz_deny_v(struct authz_decision *d, const char *rule,
	    const char *field, const char *what, const char *fmt, va_list ap)
	    __attribute__((format(printf, 5, 0)));

/*
 * The request body as a JSON object (borrowed: it lives until the decision
 * ends), or a deny (request.body, request.json) explaining why it cannot
 * be read.  The body is parsed at the first call and kept in *c->body.
 */
int	authz_deny_unless_body(struct authz_ctx *c, const struct authz_jv **ret);

/*
 * The request's query parameter key as dockerd reads it (FormValue: the
 * first value): 0 and *ret (borrowed), -ENOENT when it is absent, or
 * -EACCES after a deny (request.uri) when it is given more than once.
 */
int	authz_deny_query_get(struct authz_ctx *c, const char *key,
	    const char **ret);

#endif
