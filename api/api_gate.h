/*
 * api_gate: the socket gatekeeper's per-request decision.  The listener
 * (api_listen.c) hands it each client connection; for every request on it
 * the gate reads the head (and the body the rules need, or a build context
 * held back in a spool file) through the pump (api_pump.c), refuses what
 * dockerd could frame differently (api_http.c), asks the policy, and
 * forwards an allowed request to the engine, retrying once on a pooled
 * engine connection that went stale; the pump passes the rest on: bodies
 * both ways, long-lived streams, hijacked attach/exec streams (with or
 * without Upgrade), h2c and WebSocket upgrades, half-closes.  Nothing of a
 * request reaches the engine before its decision.
 *
 * Engine connections are kept per client connection and pooled (up to
 * DW_GATE_POOL_MAX) when the client goes away.
 */
#ifndef API_GATE_H
#define API_GATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "api/api_creator.h"
#include "api/api_peer.h"
#include "api/api_stamp.h"
#include "authz/authz_caller.h"
#include "authz/authz_decide.h"
#include "common/dw_err.h"
#include "common/dw_limits.h"

/* Who a connection belongs to, with storage for the strings authz_caller points at. */
struct api_gate_caller {
	struct authz_caller	c;
	struct api_peer		peer;
	char			id[65];
	char			name[256];
	char			image[512];
	char			image_id[80];
	char			home[1024];	/* host caller's passwd home, "" when none */
	struct api_creator	creators[API_CREATOR_USERS_MAX]; /* container caller: the users it acts for (c.creators points at acreators) */
	struct authz_creator	acreators[API_CREATOR_USERS_MAX];
	size_t			ncreators;
	int			error;		/* < 0: not identified; every request is denied */
	char			why[DW_ERR_MAX];
};

struct api_gate_ops {
	void	*ctx;
	/*
	 * Fill caller->c from caller->peer (container lookups go to the
	 * engine).  On failure set caller->error and caller->why.
	 */
	void	(*identify)(void *ctx, struct api_gate_caller *caller);
	/*
	 * Decide one request for caller; must fill d (deny unless it
	 * allows).  It does not audit: the gate calls audit with the
	 * decision.
	 */
	void	(*decide)(void *ctx, const struct api_gate_caller *caller,
		    const struct authz_request *req, struct authz_decision *d);
	/*
	 * Audit decide's decision, which took decide_ns: a denial before its
	 * answer goes out, an allowed request once it went to the engine (or
	 * failed to), so that the record is written while dockerd works.
	 */
	void	(*audit)(void *ctx, const struct api_gate_caller *caller,
		    const struct authz_request *req, const struct authz_decision *d,
		    uint64_t decide_ns);
	/*
	 * Does the policy in force need to read build contexts (the
	 * Dockerfile's base images)?  Then a POST /build body is held back in
	 * a spool file until the decision.  NULL: never.
	 */
	bool	(*inspect_build)(void *ctx);
	/*
	 * An allowed POST /containers/create was answered 201: body is
	 * dockerd's answer ({"Id": ...}, len bytes; NULL when it was too
	 * large to keep), called before any byte of it reaches the client, so
	 * the creator is recorded before the client can know the Id.  NULL:
	 * not wanted.
	 */
	void	(*created)(void *ctx, const struct api_gate_caller *caller,
		    const char *body, size_t len);
	/* Audit a denial the gatekeeper made itself (malformed or oversized request). */
	void	(*record)(void *ctx, const struct api_gate_caller *caller,
		    const struct authz_request *req, const struct authz_decision *d);
	/*
	 * Full mode (api_stamp.h): a stamp for one allowed request, added to
	 * its head on the way to the engine; 0 or -errno (the request is then
	 * refused).  NULL: requests go unstamped.
	 */
	int	(*stamp)(void *ctx, const char *method, const char *uri,
		    char out[API_STAMP_LEN + 1]);
};

struct api_gate_opts {
	const char	*engine_socket;	/* the engine's private socket (copied) */
	int		 head_timeout_s; /* from a request's first byte to its last header; 0: DW_GATE_HEAD_TIMEOUT_S */
	int		 idle_timeout_s; /* keep-alive wait for the next request; 0: DW_GATE_IDLE_TIMEOUT_S */
	const char	*spool_dir;	/* where build contexts wait for their decision (unlinked files; copied); NULL: /var/tmp */
	unsigned long long build_max;	/* largest build context held back; 0: DW_GATE_BUILD_MAX */
};

struct api_gate;
struct api_gate_conn;

/*
 * A new gate (free with api_gate_free) that decides with ops (copied; its
 * ctx borrowed) and forwards to opts->engine_socket; NULL with err.
 */
struct api_gate *api_gate_new(const struct api_gate_opts *opts,
	    const struct api_gate_ops *ops, struct dw_err *err);
/*
 * Stop pooling engine connections: the idle ones are closed now, those of
 * connections that end later are closed then.
 */
void	api_gate_pool_close(struct api_gate *g);
/* Free g once no connection uses it any more; NULL is a no-op. */
void	api_gate_free(struct api_gate *g);

/*
 * A new connection of g on the client socket cfd (taken on success: closed
 * by api_gate_conn_free).  peer is who is calling, read at accept (copied;
 * all zero when that failed: then peer_error < 0 and peer_why says why,
 * and every request of the connection is denied).  NULL when out of memory.
 */
struct api_gate_conn *api_gate_conn_new(struct api_gate *g, int cfd,
	    const struct api_peer *peer, int peer_error, const char *peer_why);
/* Serve requests on c until it closes, fails or times out. */
void	api_gate_conn_serve(struct api_gate_conn *c);
/* Wake c's thread from any wait (at stop): both its sockets are shut down. */
void	api_gate_conn_wake(struct api_gate_conn *c);
/* Close c's sockets (an idle engine connection back to the pool) and free it; NULL is a no-op. */
void	api_gate_conn_free(struct api_gate_conn *c);

#endif
