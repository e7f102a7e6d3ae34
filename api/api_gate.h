/*
 * api_gate: the socket gatekeeper, an HTTP/1.1 proxy placed where clients
 * expect the Docker socket.  It knows who is calling (SO_PEERCRED at
 * accept), asks the policy about every request before anything reaches the
 * engine, and forwards allowed requests byte for byte: keep-alive, chunked
 * bodies both ways, long-lived streams, hijacked attach/exec streams (with
 * or without Upgrade), h2c and WebSocket upgrades, half-closes.  Framing is
 * libhttp-parser's; request heads it and Go's net/http could read
 * differently (obs-fold, bare LF, odd Transfer-Encoding) are refused.
 *
 * One thread per client connection (a hijacked stream lives as long as the
 * container's attach does); engine connections are kept per client
 * connection and pooled when the client goes away.
 */
#ifndef API_GATE_H
#define API_GATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "api/api_creator.h"
#include "api/api_peer.h"
#include "api/api_stamp.h"
#include "authz/authz_uri.h"
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
	/* Decide one request for caller; must fill d (deny unless it allows) and audit it. */
	void	(*decide)(void *ctx, const struct api_gate_caller *caller,
		    const struct authz_request *req, struct authz_decision *d);
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
	const char	*socket_path;	/* where clients connect */
	mode_t		 mode;		/* socket mode, e.g. 0660 */
	gid_t		 gid;		/* socket group; (gid_t)-1 keeps root's */
	const char	*engine_socket;	/* the engine's private socket */
	unsigned	 max_conns;	/* concurrent client connections */
	unsigned	 max_conns_per_caller; /* one host uid or one container; 0: DW_GATE_CONNS_PER_CALLER */
	int		 head_timeout_s; /* from a request's first byte to its last header */
	int		 idle_timeout_s; /* keep-alive wait for the next request */
	const char	*spool_dir;	/* where build contexts wait for their decision (unlinked files) */
	unsigned long long build_max;	/* largest build context held back; 0: API_GATE_BUILD_MAX */
};

#define API_GATE_BUILD_MAX	(2ULL * 1024 * 1024 * 1024)	/* default build_max */

struct api_gate;

/*
 * Listen on opts->socket_path and serve in background threads.  Returns a
 * running gatekeeper (stop with api_gate_stop) or NULL with err.
 */
struct api_gate *api_gate_start(const struct api_gate_opts *opts,
	    const struct api_gate_ops *ops, struct dw_err *err);

/*
 * api_gate_start in two steps, so that the caller can give up privileges
 * in between (api_sandbox): bind listens on the socket and gives it its
 * group, starting no thread; run starts serving (0, or -EAGAIN with err;
 * the caller then stops g).
 */
struct api_gate *api_gate_bind(const struct api_gate_opts *opts,
	    const struct api_gate_ops *ops, struct dw_err *err);
int	api_gate_run(struct api_gate *g, struct dw_err *err);

/*
 * Stop accepting, remove the socket and free the listener.  Connections
 * already being served finish on their own threads (streams end when the
 * process exits).  NULL is a no-op.
 */
void	api_gate_stop(struct api_gate *g);

/* What api_gate_request_parse saw of one request. */
struct api_gate_request {
	char			method[16];
	char			uri[DW_URI_MAX + 1];
	enum authz_uri_endpoint	endpoint;	/* AUTHZ_EP_UNKNOWN when unroutable */
	bool			body_read_whole; /* a JSON endpoint's body, read for the rules */
	size_t			body_len;	/* decoded (de-chunked) bytes read whole */
	bool			complete;	/* the whole message is in the buffer */
	size_t			consumed;	/* bytes of buf that belong to it (so far) */
	bool			upgrade;
	bool			keep_alive;
	/* Also set when the body is refused (head_ok: its head was decided). */
	bool			head_ok;
	size_t			head_len;
	int			http_minor;
	bool			hijack;		/* the connection may turn raw after it */
	bool			chunked;
	/* api_gate_request_frame only: the whole decoded body (new; free()). */
	unsigned char		*body;
	size_t			body_total;
};

/*
 * Read the first request in buf exactly as a gatekeeper connection does
 * (same parser, same refusals, same body limits), without sockets: for
 * unit tests and the fuzzer.  0 and *ret; -EPROTO (malformed or ambiguous
 * head), -E2BIG (head or body over its limit) or another -errno when buf
 * ends first (-ENODATA: empty), with the reason in err.
 */
int	api_gate_request_parse(const char *buf, size_t len,
	    struct api_gate_request *ret, struct dw_err *err);

/*
 * The same, reading the body of every request (streamed ones too) as the
 * connection passes it on, and keeping it in ret->body: what the
 * gatekeeper would forward.  On -EPROTO, ret->head_ok says whether the
 * head had been decided (and so forwarded, for a streamed body) before
 * the body's framing was refused.  For the framing tests and fuzzer.
 */
int	api_gate_request_frame(const char *buf, size_t len,
	    struct api_gate_request *ret, struct dw_err *err);

#endif
