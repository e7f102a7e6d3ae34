/*
 * api_plugin: dockerd's authorization-plugin protocol over HTTP on a unix
 * socket (libmicrohttpd, one thread per connection, so a decision that
 * waits on the engine never blocks the plugin calls that wait causes).
 *   POST /Plugin.Activate      -> {"Implements":["authz"]}
 *   POST /AuthZPlugin.AuthZReq -> {"Allow":bool,"Msg":"..."}
 *   POST /AuthZPlugin.AuthZRes -> {"Allow":true}
 */
#ifndef API_PLUGIN_H
#define API_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "authz/authz_decide.h"
#include "common/dw_err.h"
#include "common/dw_strv.h"

/* One decoded AuthZReq message. */
struct api_plugin_msg {
	char		*user;		/* "User", may be NULL */
	char		*method;	/* "RequestMethod" */
	char		*uri;		/* "RequestURI" */
	unsigned char	*body;		/* base64-decoded "RequestBody", NULL when absent */
	size_t		 body_len;
	char		*content_type;	/* RequestHeaders Content-Type, NULL when absent */
	long long	 content_length; /* RequestHeaders Content-Length, -1 when absent */
	char		*stamp;		/* RequestHeaders X-Dockward-Stamp (api_stamp.h), NULL when absent */
	unsigned	 nstamp;	/* header names that spell it: more than 1 is a forgery */
};

/*
 * Decode an AuthZReq JSON document.  0 and *msg filled (release with
 * api_plugin_msg_clear), or -EINVAL/-E2BIG/-ENOMEM with err.
 */
int	api_plugin_msg_parse(const char *buf, size_t len, struct api_plugin_msg *msg,
	    struct dw_err *err);
void	api_plugin_msg_clear(struct api_plugin_msg *msg);

/*
 * The request msg asks about: req zeroed, then pointed into msg (which
 * must outlive it) for method, URI, user, body and its headers.
 */
void	api_plugin_msg_request(const struct api_plugin_msg *msg, struct authz_request *req);

struct authz_uri;
/*
 * Route req->method and req->raw_uri the way dockerd does (authz_uri_parse):
 * req->uri set and that URI returned (free it with authz_uri_free after the
 * decision), or NULL with req->uri_error pointing at err->msg.
 */
struct authz_uri *api_plugin_request_route(struct authz_request *req, struct dw_err *err);

/*
 * One AuthZReq from its decision to its audit record; the server owns it.
 * decide reads msg and fills d, and may keep in req, uri, route_err and
 * decide_ns what its audit will need.  The server then frees msg and uri.
 */
struct api_plugin_call {
	struct api_plugin_msg	 msg;		/* the server's */
	struct authz_request	 req;		/* decide's; borrows msg and uri */
	struct authz_uri	*uri;		/* decide's, freed by the server; may be NULL */
	struct dw_err		 route_err;	/* req.uri_error may point here */
	struct authz_decision	 d;		/* zeroed before decide */
	uint64_t		 decide_ns;	/* what decide measured, for audit */
};

/* Called once per AuthZReq; must fill call->d (deny unless it decides to allow). */
typedef void (*api_plugin_decide_fn)(void *ctx, struct api_plugin_call *call);
/*
 * Called once per decided AuthZReq (NULL: none): a denial before its
 * answer, so it is on record by the time anyone sees the refusal; an
 * allow once its answer went out (or the connection ended), so writing
 * the record overlaps dockerd's work instead of delaying it.
 */
typedef void (*api_plugin_audit_fn)(void *ctx, const struct api_plugin_call *call);

struct api_plugin;

/*
 * Serve the protocol on an already bound and listening unix socket fd
 * (ownership of the fd moves to the server).  Returns a running server
 * or NULL with err.
 */
struct api_plugin *api_plugin_start(int listen_fd, api_plugin_decide_fn decide,
	    api_plugin_audit_fn audit, void *ctx, struct dw_err *err);
/* Stop serving and free; NULL is a no-op. */
void	api_plugin_stop(struct api_plugin *p);

#endif
