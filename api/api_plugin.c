/* api_plugin: the authorization-plugin HTTP protocol (libmicrohttpd). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "api/api_mem.h"
#include "api/api_plugin.h"
#include "api/api_stamp.h"
#include "authz/authz_jv.h"
#include "authz/authz_uri.h"
#include "common/dw_limits.h"
#include "common/dw_log.h"

struct api_plugin {
	struct MHD_Daemon	*mhd;
	api_plugin_decide_fn	 decide;
	api_plugin_audit_fn	 audit;
	void			*ctx;
};

/* Per-request upload buffer, and an allow waiting for its answer to go out. */
struct conn_buf {
	char			*data;
	size_t			 len;
	int			 too_big;
	struct api_plugin_call	*allowed;
};

static int
b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/*
 * b64_value() of every byte, 0x80 for the rest ('=', CR, LF and what is
 * not base64): built once, read by the fast loop of b64_decode.
 */
static unsigned char	b64_table[256];

__attribute__((constructor)) static void
b64_table_init(void)
{
	int	c, v;

	for (c = 0; c < 256; c++)
		b64_table[c] = (v = b64_value((unsigned char)c)) < 0 ? 0x80 : (unsigned char)v;
}

/*
 * Standard base64 with padding, as Go's encoding/json writes []byte; CR
 * and LF are skipped as Go's decoder does.  0 or -EINVAL.
 */
static int
b64_decode(const char *in, unsigned char **ret, size_t *ret_len)
{
	const unsigned char	*u = (const unsigned char *)in;
	size_t		 n = strlen(in), o = 0, q = 0, pad = 0, i;
	unsigned char	*out;
	unsigned int	 acc = 0, a, b, c, d;
	int		 v;

	if ((out = malloc(n / 4 * 3 + 4)) == NULL)
		return -ENOMEM;
	/*
	 * Whole groups of four base64 bytes by table, with no branch per
	 * byte (byte by byte, this was a fifth of a plugin's CPU on a
	 * create); the first group holding anything else ('=', CR, LF, a
	 * bad byte) and all after it go through the loop below, which
	 * starts, as it would have, at a group boundary.
	 */
	for (i = 0; n - i >= 4; i += 4, o += 3) {
		a = b64_table[u[i]];
		b = b64_table[u[i + 1]];
		c = b64_table[u[i + 2]];
		d = b64_table[u[i + 3]];
		if ((a | b | c | d) & 0x80)
			break;
		acc = a << 18 | b << 12 | c << 6 | d;
		out[o] = (unsigned char)(acc >> 16);
		out[o + 1] = (unsigned char)(acc >> 8);
		out[o + 2] = (unsigned char)acc;
	}
	acc = 0;
	for (; i < n; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch == '\r' || ch == '\n')
			continue;
		if (ch == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = b64_value(ch)) < 0)
			goto bad;
		acc = (acc << 6) | (unsigned int)v;
		if (++q == 4) {
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			q = 0;
			acc = 0;
		}
	}
	if (q == 1 || (q == 0 && pad != 0) || (q != 0 && q + pad != 4))
		goto bad;
	if (q == 2)
		out[o++] = (unsigned char)(acc >> 4);
	else if (q == 3) {
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
	}
	*ret = out;
	*ret_len = o;
	return 0;
bad:
	free(out);
	return -EINVAL;
}

void
api_plugin_msg_request(const struct api_plugin_msg *msg, struct authz_request *req)
{
	memset(req, 0, sizeof(*req));
	req->method = msg->method;
	req->raw_uri = msg->uri;
	req->user = msg->user;
	req->body = msg->body;
	req->body_len = msg->body_len;
	req->content_type = msg->content_type;
	req->content_length = msg->content_length;
}

struct authz_uri *
api_plugin_request_route(struct authz_request *req, struct dw_err *err)
{
	struct authz_uri	*uri = NULL;

	err->msg[0] = '\0';
	if (authz_uri_parse(req->method, req->raw_uri, &uri, err) < 0)
		uri = NULL;
	req->uri = uri;
	req->uri_error = uri != NULL ? NULL : err->msg;
	return uri;
}

void
api_plugin_msg_clear(struct api_plugin_msg *msg)
{
	free(msg->user);
	free(msg->method);
	free(msg->uri);
	free(msg->body);
	free(msg->content_type);
	free(msg->stamp);
	memset(msg, 0, sizeof(*msg));
	msg->content_length = -1;
}

/*
 * A member of the AuthZReq, matched without case as a Go plugin would
 * (dockerd writes "RequestUri"); a key given twice is an error.
 */
static int
member_get(const struct authz_jv *o, const char *key, const struct authz_jv **ret,
    struct dw_err *err)
{
	const struct authz_jv	*v;
	const char		*k;
	size_t			 i;

	*ret = NULL;
	authz_jv_object_foreach(o, i, k, v) {
		if (strcasecmp(k, key) != 0)
			continue;
		if (*ret != NULL) {
			dw_err_set(err, "AuthZReq.%s is given twice", key);
			return -EINVAL;
		}
		*ret = v;
	}
	return 0;
}

/* Copy a string member; absent or null is NULL, another type is an error. */
static int
member_string(const struct authz_jv *o, const char *key, char **ret, struct dw_err *err)
{
	const struct authz_jv	*v;

	*ret = NULL;
	if (member_get(o, key, &v, err) < 0)
		return -EINVAL;

	if (v == NULL || authz_jv_is_null(v))
		return 0;
	if (!authz_jv_is_string(v)) {
		dw_err_set(err, "AuthZReq.%s is not a string", key);
		return -EINVAL;
	}
	if ((*ret = strdup(authz_jv_string(v))) == NULL)
		return -ENOMEM;
	return 0;
}

/*
 * Whether every number in v is one jansson, which read the AuthZReq
 * before, would take: an integer within int64, a real that does not
 * overflow a double.  dockerd sends no numbers; this keeps the answer to
 * anything else as it was.
 */
static bool
envelope_numbers_ok(const struct authz_jv *v)
{
	const char	*text;
	double		 d;
	int64_t		 n;
	size_t		 i;

	switch (authz_jv_type(v)) {
	case AUTHZ_JV_NUMBER:
		text = authz_jv_number_text(v);
		if (strpbrk(text, ".eE") == NULL)
			return authz_jv_int64(v, &n) == 0;
		errno = 0;
		d = strtod(text, NULL);
		return !(errno == ERANGE && (d > 1.0 || d < -1.0));
	case AUTHZ_JV_ARRAY:
		for (i = 0; i < authz_jv_array_size(v); i++)
			if (!envelope_numbers_ok(authz_jv_array_get(v, i)))
				return false;
		return true;
	case AUTHZ_JV_OBJECT:
		for (i = 0; i < authz_jv_object_size(v); i++)
			if (!envelope_numbers_ok(authz_jv_object_value(v, i)))
				return false;
		return true;
	default:
		return true;
	}
}

/*
 * The envelope is read with authz_jv, the decision path's reader: a
 * docker run AuthZReq (~2.4 KB, most of it the base64 body) took jansson
 * ~336k instructions, authz_jv ~12k.  What jansson refused is still
 * refused: invalid UTF-8 and lone surrogates (authz_jv replaces them and
 * says so), \u0000, exact duplicate keys, trailing data, numbers out of
 * jansson's range; authz_jv also refuses nesting deeper than
 * DW_JSON_DEPTH_MAX, which no AuthZReq has.
 */
int
api_plugin_msg_parse(const char *buf, size_t len, struct api_plugin_msg *msg,
    struct dw_err *err)
{
	struct authz_jv_doc	*doc = NULL;
	const struct authz_jv	*root, *hdrs, *v;
	const char		*k, *b64;
	char			*end;
	size_t			 i;
	int			 r;

	memset(msg, 0, sizeof(*msg));
	msg->content_length = -1;
	if (len > DW_AUTHZ_REQ_MAX) {
		dw_err_set(err, "AuthZReq of %zu bytes is over the limit", len);
		return -E2BIG;
	}
	if ((r = authz_jv_parse(buf, len, DW_AUTHZ_REQ_MAX, &doc, err)) < 0) {
		dw_err_prefix(err, "AuthZReq is not a JSON object");
		if (r != -ENOMEM)
			r = -EINVAL;
		goto out;
	}
	root = authz_jv_doc_root(doc);
	if (!authz_jv_is_object(root)) {
		dw_err_set(err, "AuthZReq is not a JSON object: wrong type");
		r = -EINVAL;
		goto out;
	}
	if (authz_jv_doc_flags(doc) & AUTHZ_JV_REPLACED_UTF8) {
		dw_err_set(err, "AuthZReq is not a JSON object: invalid UTF-8 or a lone surrogate");
		r = -EINVAL;
		goto out;
	}
	if (!envelope_numbers_ok(root)) {
		dw_err_set(err, "AuthZReq is not a JSON object: a number out of range");
		r = -EINVAL;
		goto out;
	}
	if ((r = member_string(root, "User", &msg->user, err)) < 0 ||
	    (r = member_string(root, "RequestMethod", &msg->method, err)) < 0 ||
	    (r = member_string(root, "RequestUri", &msg->uri, err)) < 0)
		goto out;
	if (msg->method == NULL || msg->uri == NULL) {
		dw_err_set(err, "AuthZReq lacks RequestMethod or RequestURI");
		r = -EINVAL;
		goto out;
	}
	if ((r = member_get(root, "RequestBody", &v, err)) < 0)
		goto out;
	if (v != NULL && !authz_jv_is_null(v)) {
		if (!authz_jv_is_string(v)) {
			dw_err_set(err, "AuthZReq.RequestBody is not base64 text");
			r = -EINVAL;
			goto out;
		}
		b64 = authz_jv_string(v);
		if (b64[0] != '\0' &&
		    (r = b64_decode(b64, &msg->body, &msg->body_len)) < 0) {
			dw_err_set(err, "AuthZReq.RequestBody is not valid base64");
			goto out;
		}
	}
	if ((r = member_get(root, "RequestHeaders", &hdrs, err)) < 0)
		goto out;
	if (authz_jv_is_object(hdrs)) {
		/* Go canonicalizes header names; compare without case anyway. */
		authz_jv_object_foreach(hdrs, i, k, v) {
			if (api_stamp_header_name(k, strlen(k))) {
				/* Any spelling counts, whatever its type: one, or none. */
				msg->nstamp++;
				free(msg->stamp);
				msg->stamp = NULL;
				if (authz_jv_is_string(v) &&
				    (msg->stamp = strdup(authz_jv_string(v))) == NULL) {
					r = -ENOMEM;
					goto out;
				}
				continue;
			}
			if (!authz_jv_is_string(v))
				continue;
			if (strcasecmp(k, "Content-Type") == 0) {
				free(msg->content_type);
				if ((msg->content_type = strdup(authz_jv_string(v))) == NULL) {
					r = -ENOMEM;
					goto out;
				}
			} else if (strcasecmp(k, "Content-Length") == 0) {
				errno = 0;
				msg->content_length = strtoll(authz_jv_string(v), &end, 10);
				if (errno != 0 || *end != '\0' || msg->content_length < 0)
					msg->content_length = -1;
			}
		}
	}
	r = 0;
out:
	if (r < 0)
		api_plugin_msg_clear(msg);
	authz_jv_doc_free(doc);
	return r;
}

/* Queue a JSON answer; the document is consumed. */
static enum MHD_Result
reply_json(struct MHD_Connection *conn, unsigned int status, json_t *doc)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;
	char			*text;

	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (text == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(text), text,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
	    "application/vnd.docker.plugins.v1.2+json");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static json_t *
deny_doc(const char *msg)
{
	return json_pack("{s:b, s:s}", "Allow", 0, "Msg", msg);
}

/* Audit call (when there is an audit) and free it. */
static void
call_finish(struct api_plugin *p, struct api_plugin_call *call)
{
	if (p->audit != NULL)
		p->audit(p->ctx, call);
	api_plugin_msg_clear(&call->msg);
	authz_uri_free(call->uri);
	free(call);
}

static void
handle_authz_req(struct api_plugin *p, struct conn_buf *cb, json_t **ret)
{
	struct api_plugin_call	*call;
	struct dw_err		 err;
	char			 text[DW_ERR_MAX + 64];

	if (cb->too_big) {
		*ret = deny_doc("dockward: request denied (request.body): the "
		    "authorization request is over dockward's size limit");
		return;
	}
	/* No answer without memory: dockerd refuses what a plugin failed to answer. */
	if ((call = calloc(1, sizeof(*call))) == NULL)
		return;
	if (api_plugin_msg_parse(cb->data ? cb->data : "", cb->len, &call->msg,
	    &err) < 0) {
		snprintf(text, sizeof(text), "dockward: request denied "
		    "(request.uri): %s", err.msg);
		log_warn("malformed AuthZReq: %s", err.msg);
		*ret = deny_doc(text);
		free(call);
		return;
	}
	p->decide(p->ctx, call);
	if (call->d.verdict == AUTHZ_ALLOW) {
		*ret = json_pack("{s:b}", "Allow", 1);
		cb->allowed = call;	/* audited by completed() */
	} else {
		*ret = deny_doc(call->d.msg[0] ? call->d.msg : "dockward: request denied");
		call_finish(p, call);
	}
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct api_plugin	*p = cls;
	struct conn_buf		*cb = *con_cls;
	json_t			*doc = NULL;
	char			*nd;

	if (cb == NULL) {
		if ((cb = calloc(1, sizeof(*cb))) == NULL)
			return MHD_NO;
		*con_cls = cb;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (cb->len + *upload_size > DW_AUTHZ_REQ_MAX)
			cb->too_big = 1;
		else if ((nd = realloc(cb->data, cb->len + *upload_size + 1)) == NULL)
			cb->too_big = 1;
		else {
			memcpy(nd + cb->len, upload, *upload_size);
			cb->data = nd;
			cb->len += *upload_size;
			cb->data[cb->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "POST") != 0)
		return reply_json(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    json_pack("{s:s}", "Err", "method not allowed"));
	if (strcmp(url, "/Plugin.Activate") == 0)
		doc = json_pack("{s:[s]}", "Implements", "authz");
	else if (strcmp(url, "/AuthZPlugin.AuthZReq") == 0)
		handle_authz_req(p, cb, &doc);
	else if (strcmp(url, "/AuthZPlugin.AuthZRes") == 0)
		doc = json_pack("{s:b}", "Allow", 1);
	else
		return reply_json(conn, MHD_HTTP_NOT_FOUND,
		    json_pack("{s:s}", "Err", "unknown plugin method"));
	return reply_json(conn, MHD_HTTP_OK, doc);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct api_plugin	*p = cls;
	struct conn_buf		*cb = *con_cls;

	if (cb != NULL) {
		/* Sent, or the connection failed: the allow stands either way. */
		if (cb->allowed != NULL)
			call_finish(p, cb->allowed);
		free(cb->data);
		free(cb);
		*con_cls = NULL;
	}
}

/* Connections counted for api_mem's trim after a burst. */
static void
conn_notify(void *cls, struct MHD_Connection *conn, void **socket_ctx,
    enum MHD_ConnectionNotificationCode toe)
{
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		api_mem_conn_open();
	else
		api_mem_conn_close();
}

struct api_plugin *
api_plugin_start(int listen_fd, api_plugin_decide_fn decide,
    api_plugin_audit_fn audit, void *ctx, struct dw_err *err)
{
	struct api_plugin	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		close(listen_fd);
		dw_err_set(err, "out of memory");
		return NULL;
	}
	p->decide = decide;
	p->audit = audit;
	p->ctx = ctx;
	p->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, access_handler, p,
	    MHD_OPTION_LISTEN_SOCKET, listen_fd,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, p,
	    MHD_OPTION_NOTIFY_CONNECTION, conn_notify, p,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)DW_PLUGIN_CONN_MEM,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)DW_PLUGIN_CONN_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
	    MHD_OPTION_END);
	if (p->mhd == NULL) {
		close(listen_fd);
		free(p);
		dw_err_set(err, "cannot start the plugin HTTP server");
		return NULL;
	}
	return p;
}

void
api_plugin_stop(struct api_plugin *p)
{
	if (p == NULL)
		return;
	MHD_stop_daemon(p->mhd);
	free(p);
}
