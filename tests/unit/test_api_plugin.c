/*
 * Unit tests for api_plugin: the AuthZReq decoder (members matched
 * without case, base64 bodies as Go writes them, the headers it keeps,
 * the stamp header in any spelling, limits), the request it describes,
 * and the server on a unix socket in a temporary directory with a fake
 * decision: Activate, AuthZReq allow and deny, AuthZRes, malformed and
 * oversized messages denied, unknown methods, and a decision that waits
 * not holding up other calls.  No dockerd is involved.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "api/api_plugin.h"
#include "authz/authz_uri.h"
#include "common/dw_limits.h"

/* ------------------------------------------------------------ decoder */

static int
parse(const char *text, struct api_plugin_msg *msg, struct dw_err *err)
{
	dw_err_clear(err);
	return api_plugin_msg_parse(text, strlen(text), msg, err);
}

/* A message as dockerd sends it: every member decoded. */
static void
test_parse_full(void **state)
{
	struct api_plugin_msg	msg;
	struct dw_err		err;

	(void)state;
	/* "{\"Image\":\"busybox\"}" in base64. */
	assert_int_equal(parse("{\"User\":\"alice\",\"UserAuthNMethod\":\"TLS\","
	    "\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/create\","
	    "\"RequestBody\":\"eyJJbWFnZSI6ImJ1c3lib3gifQ==\","
	    "\"RequestHeaders\":{\"Content-Type\":\"application/json\","
	    "\"Content-Length\":\"19\",\"User-Agent\":\"Docker-Client\","
	    "\"X-Dockward-Stamp\":\"v1 abc\"},\"RequestPeerCertificates\":null}",
	    &msg, &err), 0);
	assert_string_equal(msg.user, "alice");
	assert_string_equal(msg.method, "POST");
	assert_string_equal(msg.uri, "/v1.41/containers/create");
	assert_int_equal(msg.body_len, 19);
	assert_memory_equal(msg.body, "{\"Image\":\"busybox\"}", 19);
	assert_string_equal(msg.content_type, "application/json");
	assert_int_equal(msg.content_length, 19);
	assert_string_equal(msg.stamp, "v1 abc");
	assert_int_equal(msg.nstamp, 1);
	api_plugin_msg_clear(&msg);
	assert_null(msg.user);
	assert_null(msg.body);
	assert_int_equal(msg.content_length, -1);

	/* The least dockerd sends: no user, body or headers. */
	assert_int_equal(parse("{\"RequestMethod\":\"GET\",\"RequestURI\":\"/_ping\","
	    "\"User\":null,\"RequestBody\":null,\"RequestHeaders\":null}", &msg, &err), 0);
	assert_null(msg.user);
	assert_string_equal(msg.uri, "/_ping");
	assert_null(msg.body);
	assert_int_equal(msg.body_len, 0);
	assert_null(msg.content_type);
	assert_int_equal(msg.content_length, -1);
	assert_null(msg.stamp);
	assert_int_equal(msg.nstamp, 0);
	api_plugin_msg_clear(&msg);
	/* Member names in any case, as Go's decoder matches them. */
	assert_int_equal(parse("{\"requestmethod\":\"GET\",\"REQUESTURI\":\"/info\","
	    "\"user\":\"bob\",\"requestbody\":\"\"}", &msg, &err), 0);
	assert_string_equal(msg.method, "GET");
	assert_string_equal(msg.uri, "/info");
	assert_string_equal(msg.user, "bob");
	assert_null(msg.body);
	api_plugin_msg_clear(&msg);
}

/* RequestBody: standard base64 with padding; CR and LF skipped; nothing else. */
static void
test_parse_base64(void **state)
{
	static const struct {
		const char	*b64;
		const char	*body;		/* NULL: invalid */
	} cases[] = {
		{ "YQ==", "a" },
		{ "YWI=", "ab" },
		{ "YWJj", "abc" },
		{ "YWJjZA==", "abcd" },
		{ "YWJj\\nZA==", "abcd" },
		{ "YW\\r\\nJj", "abc" },
		{ "AAEC", "\x00\x01\x02" },
		{ "+/+/", "\xfb\xff\xbf" },
		{ "YQ", NULL },			/* padding required */
		{ "YWI", NULL },
		{ "Y", NULL },
		{ "Y===", NULL },
		{ "====", NULL },
		{ "YQ==YQ==", NULL },		/* data after padding */
		{ "YQ=a", NULL },
		{ "YQ===", NULL },
		{ "-_-_", NULL },		/* URL-safe alphabet */
		{ "YW Jj", NULL },
		{ "YWJj\\t", NULL },
		/* Whole groups first, then the rest byte by byte. */
		{ "YWJjYWJjYQ==", "abcabca" },
		{ "YWJjYWJj\\nYWJj", "abcabcabc" },
		{ "YWJjYW\\nJjYWI=", "abcabcab" },
		{ "YWJjYWJj=", NULL },
		{ "YWJjYW=j", NULL },
		{ "YWJjYWJjY", NULL },
		{ "YWJj*WJj", NULL },
	};
	struct api_plugin_msg	msg;
	struct dw_err		err;
	char			text[256];
	size_t			i, n;
	int			r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\","
		    "\"RequestBody\":\"%s\"}", cases[i].b64);
		r = parse(text, &msg, &err);
		if (cases[i].body == NULL) {
			if (r != -EINVAL)
				fail_msg("\"%s\": want -EINVAL, got %d", cases[i].b64, r);
			assert_non_null(strstr(err.msg, "not valid base64"));
			assert_null(msg.method);
			continue;
		}
		if (r != 0)
			fail_msg("\"%s\": %s", cases[i].b64, err.msg);
		n = strcmp(cases[i].b64, "AAEC") == 0 ? 3 : strlen(cases[i].body);
		assert_int_equal(msg.body_len, n);
		assert_memory_equal(msg.body, cases[i].body, n);
		api_plugin_msg_clear(&msg);
	}
}

/*
 * The byte-at-a-time reading base64 had before it took whole groups by
 * table: the oracle of test_parse_base64_random.  -1 when invalid.
 */
static long
b64_reference(const char *in, unsigned char *out)
{
	static const char	 alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t			 o = 0, q = 0, pad = 0, i;
	unsigned int		 acc = 0;
	const char		*p;

	for (i = 0; in[i] != '\0'; i++) {
		if (in[i] == '\r' || in[i] == '\n')
			continue;
		if (in[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (p = strchr(alpha, in[i])) == NULL)
			return -1;
		acc = (acc << 6) | (unsigned int)(p - alpha);
		if (++q == 4) {
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			q = 0;
			acc = 0;
		}
	}
	if (q == 1 || (q == 0 && pad != 0) || (q != 0 && q + pad != 4))
		return -1;
	if (q == 2)
		out[o++] = (unsigned char)(acc >> 4);
	else if (q == 3) {
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
	}
	return (long)o;
}

/* Random strings of base64 bytes, '=', CR, LF and a few others: the same answer as the oracle. */
static void
test_parse_base64_random(void **state)
{
	static const char	 bytes[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	    "+/+/AQgw====\r\n\r\n-_ *";
	struct api_plugin_msg	 msg;
	struct dw_err		 err;
	char			 b64[64], text[512];
	unsigned char		 want[64];
	unsigned int		 x = 12345;
	size_t			 i, k, n, w;
	long			 len;
	int			 r;

	(void)state;
	for (i = 0; i < 20000; i++) {
		x = x * 1103515245u + 12345u;
		n = (x >> 16) % 40 + 1;
		for (k = 0; k < n; k++) {
			x = x * 1103515245u + 12345u;
			/* Mostly base64 bytes, so whole groups come often. */
			w = (x >> 16) % 8 ? (x >> 20) % 64 : (x >> 20) % (sizeof(bytes) - 1);
			b64[k] = bytes[w];
		}
		b64[n] = '\0';
		len = b64_reference(b64, want);
		/* JSON escapes for the two control bytes. */
		for (k = 0, w = (size_t)snprintf(text, sizeof(text), "{\"RequestMethod\":\"POST\","
		    "\"RequestUri\":\"/x\",\"RequestBody\":\""); k < n; k++)
			w += (size_t)snprintf(text + w, sizeof(text) - w, "%s",
			    b64[k] == '\r' ? "\\r" : b64[k] == '\n' ? "\\n" :
			    (char[2]){ b64[k], '\0' });
		snprintf(text + w, sizeof(text) - w, "\"}");
		r = parse(text, &msg, &err);
		if (len < 0) {
			if (r != -EINVAL)
				fail_msg("\"%s\": want -EINVAL, got %d", b64, r);
			continue;
		}
		if (r != 0)
			fail_msg("\"%s\": %s", b64, err.msg);
		assert_int_equal(msg.body_len, (size_t)len);
		if (len > 0)
			assert_memory_equal(msg.body, want, (size_t)len);
		api_plugin_msg_clear(&msg);
	}
}

/* The headers kept: Content-Type, Content-Length (a valid one), the stamp in any spelling. */
static void
test_parse_headers(void **state)
{
	static const struct {
		const char	*hdrs;
		const char	*ctype;
		long long	 clen;
		const char	*stamp;
		unsigned	 nstamp;
	} cases[] = {
		{ "{\"content-type\":\"text/plain\",\"CONTENT-LENGTH\":\"0\"}", "text/plain", 0,
		    NULL, 0 },
		{ "{\"Content-Length\":\"12x\"}", NULL, -1, NULL, 0 },
		{ "{\"Content-Length\":\"-1\"}", NULL, -1, NULL, 0 },
		{ "{\"Content-Length\":\"-5\"}", NULL, -1, NULL, 0 },
		{ "{\"Content-Length\":\"99999999999999999999\"}", NULL, -1, NULL, 0 },
		{ "{\"Content-Length\":\"9223372036854775807\"}", NULL, 9223372036854775807LL,
		    NULL, 0 },
		{ "{\"Content-Length\":12}", NULL, -1, NULL, 0 },
		{ "{\"Content-Type\":[\"a\"]}", NULL, -1, NULL, 0 },
		{ "[\"Content-Type\"]", NULL, -1, NULL, 0 },
		/* The stamp: one spelling is one stamp; two are a forgery to refuse. */
		{ "{\"x-dockward-stamp\":\"s\"}", NULL, -1, "s", 1 },
		{ "{\"X-Dockward-Stamp\":\"s\",\"x-dockward-stamp\":\"t\"}", NULL, -1, "t", 2 },
		{ "{\"X-Dockward-Stamp \":\"s\"}", NULL, -1, "s", 1 },
		{ "{\"X-Dockward-Stamp\":7}", NULL, -1, NULL, 1 },
		{ "{\"X-Dockward-Stamp\":\"s\",\"X-DOCKWARD-STAMP\":null}", NULL, -1, NULL, 2 },
		{ "{\"X-Dockward-Stampx\":\"s\"}", NULL, -1, NULL, 0 },
	};
	struct api_plugin_msg	msg;
	struct dw_err		err;
	char			text[512];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "{\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\","
		    "\"RequestHeaders\":%s}", cases[i].hdrs);
		if (parse(text, &msg, &err) != 0)
			fail_msg("%s: %s", cases[i].hdrs, err.msg);
		if (cases[i].ctype == NULL)
			assert_null(msg.content_type);
		else
			assert_string_equal(msg.content_type, cases[i].ctype);
		if (msg.content_length != cases[i].clen)
			fail_msg("%s: Content-Length %lld, want %lld", cases[i].hdrs,
			    msg.content_length, cases[i].clen);
		if (cases[i].stamp == NULL)
			assert_null(msg.stamp);
		else
			assert_string_equal(msg.stamp, cases[i].stamp);
		assert_int_equal(msg.nstamp, cases[i].nstamp);
		api_plugin_msg_clear(&msg);
	}
}

/* What is refused, and that a refusal leaves nothing to free. */
static void
test_parse_refused(void **state)
{
	static const struct {
		const char	*text;
		const char	*msg;
	} cases[] = {
		{ "", "not a JSON object" },
		{ "null", "not a JSON object" },
		{ "[]", "wrong type" },
		{ "\"x\"", "not a JSON object" },
		{ "{\"RequestMethod\":\"GET\"", "not a JSON object" },
		{ "{}", "lacks RequestMethod or RequestURI" },
		{ "{\"RequestMethod\":\"GET\"}", "lacks RequestMethod or RequestURI" },
		{ "{\"RequestUri\":\"/x\"}", "lacks RequestMethod or RequestURI" },
		{ "{\"RequestMethod\":null,\"RequestUri\":\"/x\"}", "lacks" },
		{ "{\"RequestMethod\":1,\"RequestUri\":\"/x\"}", "RequestMethod is not a string" },
		{ "{\"RequestMethod\":\"GET\",\"RequestUri\":[]}", "RequestUri is not a string" },
		{ "{\"User\":{},\"RequestMethod\":\"GET\",\"RequestUri\":\"/x\"}",
		    "User is not a string" },
		/* A member twice: exactly, or in two spellings. */
		{ "{\"RequestMethod\":\"GET\",\"RequestMethod\":\"POST\",\"RequestUri\":\"/x\"}",
		    "duplicate" },
		{ "{\"RequestMethod\":\"GET\",\"requestMethod\":\"POST\",\"RequestUri\":\"/x\"}",
		    "RequestMethod is given twice" },
		{ "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/x\",\"RequestURI\":\"/y\"}",
		    "RequestUri is given twice" },
		{ "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/x\",\"RequestBody\":\"\","
		    "\"requestbody\":\"YQ==\"}", "RequestBody is given twice" },
		{ "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/x\",\"RequestHeaders\":{},"
		    "\"requestHeaders\":{}}", "RequestHeaders is given twice" },
		{ "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/x\",\"RequestBody\":[1]}",
		    "not base64 text" },
		{ "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/x\",\"RequestBody\":\"%%%%\"}",
		    "not valid base64" },
		{ "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/x\"} trailing", "not a JSON object" },
	};
	struct api_plugin_msg	msg;
	struct dw_err		err;
	size_t			i;
	int			r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&msg, 0xa5, sizeof(msg));
		r = parse(cases[i].text, &msg, &err);
		if (r != -EINVAL)
			fail_msg("%s: want -EINVAL, got %d", cases[i].text, r);
		if (strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].text, err.msg,
			    cases[i].msg);
		assert_null(msg.user);
		assert_null(msg.method);
		assert_null(msg.uri);
		assert_null(msg.body);
		assert_null(msg.content_type);
		assert_null(msg.stamp);
		assert_int_equal(msg.content_length, -1);
	}
	/* Too large to read at all (the buffer is not looked at). */
	assert_int_equal(api_plugin_msg_parse("{}", DW_AUTHZ_REQ_MAX + 1, &msg, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "over the limit"));
	/* Without an error struct. */
	assert_int_equal(api_plugin_msg_parse("[]", 2, &msg, NULL), -EINVAL);
}

/* The request a message describes, and its routing. */
static void
test_request(void **state)
{
	struct api_plugin_msg	 msg;
	struct authz_request	 req;
	struct authz_uri	*uri;
	struct dw_err		 err;

	(void)state;
	assert_int_equal(parse("{\"User\":\"u\",\"RequestMethod\":\"POST\","
	    "\"RequestUri\":\"/v1.41/containers/abc/start\",\"RequestBody\":\"YQ==\","
	    "\"RequestHeaders\":{\"Content-Type\":\"text/plain\",\"Content-Length\":\"1\","
	    "\"X-Dockward-Stamp\":\"s\"}}", &msg, &err), 0);
	memset(&req, 0xa5, sizeof(req));
	api_plugin_msg_request(&msg, &req);
	assert_ptr_equal(req.method, msg.method);
	assert_ptr_equal(req.raw_uri, msg.uri);
	assert_ptr_equal(req.user, msg.user);
	assert_ptr_equal(req.body, msg.body);
	assert_int_equal(req.body_len, 1);
	assert_ptr_equal(req.content_type, msg.content_type);
	assert_int_equal(req.content_length, 1);
	/* What only the gatekeeper knows stays zero. */
	assert_null(req.uri);
	assert_null(req.uri_error);
	assert_null(req.caller);
	assert_false(req.build_inspected);
	assert_null(req.build_context);
	uri = api_plugin_request_route(&req, &err);
	assert_non_null(uri);
	assert_ptr_equal(req.uri, uri);
	assert_null(req.uri_error);
	assert_string_equal(authz_uri_endpoint_name(uri->endpoint), "container.start");
	authz_uri_free(uri);
	api_plugin_msg_clear(&msg);

	/* A URI dockerd would not route: no uri, and the reason. */
	assert_int_equal(parse("{\"RequestMethod\":\"GET\",\"RequestUri\":\"/info#x\"}",
	    &msg, &err), 0);
	api_plugin_msg_request(&msg, &req);
	assert_null(api_plugin_request_route(&req, &err));
	assert_null(req.uri);
	assert_ptr_equal(req.uri_error, err.msg);
	assert_true(err.msg[0] != '\0');
	api_plugin_msg_clear(&msg);
}

/* ------------------------------------------------------------- server */

static char	dir[64];
static char	sock_path[128];

/* The fake decision: by URI, recording what it was asked, and its audits. */
struct fake_decider {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 calls;
	bool		 released;
	char		 last_uri[256];
	char		 last_user[64];
	size_t		 last_body_len;
	long long	 last_clen;
	int		 audits;
	bool		 audit_waiting;		/* /audit-hold's audit is waiting for audit_released */
	bool		 audit_released;
	char		 last_audit_uri[256];
	bool		 last_audit_allow;
};

static struct fake_decider	decider = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
	0, false, "", "", 0, 0, 0, false, false, "", false };

static void
fake_decide(void *ctx, struct api_plugin_call *call)
{
	struct fake_decider	*f = ctx;
	const struct api_plugin_msg *msg = &call->msg;
	struct authz_decision	*d = &call->d;
	struct timespec		 ts;
	bool			 released;

	pthread_mutex_lock(&f->lock);
	f->calls++;
	snprintf(f->last_uri, sizeof(f->last_uri), "%s", msg->uri);
	snprintf(f->last_user, sizeof(f->last_user), "%s", msg->user ? msg->user : "");
	f->last_body_len = msg->body_len;
	f->last_clen = msg->content_length;
	if (strcmp(msg->uri, "/release") == 0) {
		f->released = true;
		pthread_cond_broadcast(&f->cond);
	}
	if (strcmp(msg->uri, "/block") == 0) {
		/* Wait (at most 10 s) for /release, served meanwhile by another thread. */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 10;
		while (!f->released &&
		    pthread_cond_timedwait(&f->cond, &f->lock, &ts) == 0)
			;
	}
	released = f->released;
	pthread_mutex_unlock(&f->lock);
	if (strncmp(msg->uri, "/deny", 5) == 0) {
		d->verdict = AUTHZ_DENY;
		d->rule = "test.rule";
		snprintf(d->msg, sizeof(d->msg), "dockward: denied (test.rule): \"%s\"\n",
		    msg->uri);
	} else if (strcmp(msg->uri, "/silent") == 0) {
		d->verdict = AUTHZ_DENY;
		d->rule = "test.rule";
	} else if (strcmp(msg->uri, "/block") == 0 && !released) {
		d->verdict = AUTHZ_DENY;
	} else {
		d->verdict = AUTHZ_ALLOW;
		d->rule = "allow";
	}
}

/* The fake audit: counts, keeps the last, and holds /audit-hold's until released. */
static void
fake_audit(void *ctx, const struct api_plugin_call *call)
{
	struct fake_decider	*f = ctx;
	struct timespec		 ts;

	pthread_mutex_lock(&f->lock);
	if (strcmp(call->msg.uri, "/audit-hold") == 0) {
		f->audit_waiting = true;
		pthread_cond_broadcast(&f->cond);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 10;
		while (!f->audit_released &&
		    pthread_cond_timedwait(&f->cond, &f->lock, &ts) == 0)
			;
		f->audit_waiting = false;
	}
	f->audits++;
	snprintf(f->last_audit_uri, sizeof(f->last_audit_uri), "%s", call->msg.uri);
	f->last_audit_allow = call->d.verdict == AUTHZ_ALLOW;
	pthread_mutex_unlock(&f->lock);
}

static int
server_setup(void **state)
{
	struct sockaddr_un	 sun;
	struct api_plugin	*p;
	struct dw_err		 err;
	int			 fd;

	snprintf(dir, sizeof(dir), "/tmp/dw-plugin.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/dockward.sock", dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, sock_path, strlen(sock_path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 16) < 0)
		return -1;
	if ((p = api_plugin_start(fd, fake_decide, fake_audit, &decider, &err)) == NULL) {
		fprintf(stderr, "api_plugin_start: %s\n", err.msg);
		return -1;
	}
	*state = p;
	return 0;
}

static int
server_teardown(void **state)
{
	api_plugin_stop(*state);
	unlink(sock_path);
	rmdir(dir);
	return 0;
}

/* One HTTP answer: status, headers and body (a new string). */
struct answer {
	int	 status;
	char	*head;
	char	*body;
};

static void
answer_free(struct answer *a)
{
	free(a->head);
	free(a->body);
}

/* Write all of buf; false when the peer went away. */
static bool
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = send(fd, buf, len, MSG_NOSIGNAL)) <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * POST (or method) body to url on the plugin socket, one connection, read
 * to its end: the connection's, or with framed, the answer's Content-Length.
 */
static void
call_framed(const char *method, const char *url, const char *body, size_t len,
    struct answer *a, bool framed)
{
	struct sockaddr_un	 sun;
	char			 head[256], *buf = NULL, *sep, *cl;
	size_t			 n = 0, cap = 0;
	ssize_t			 k;
	int			 fd;

	memset(a, 0, sizeof(*a));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, sock_path, strlen(sock_path) + 1);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: plugin\r\nConnection: close\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", method, url, len);
	assert_true(write_all(fd, head, strlen(head)));
	(void)write_all(fd, body, len);
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap * 2 + 8192;
			assert_non_null(buf = realloc(buf, cap));
		}
		if ((k = recv(fd, buf + n, cap - n - 1, 0)) <= 0)
			break;
		n += (size_t)k;
		buf[n] = '\0';
		if (framed && (sep = strstr(buf, "\r\n\r\n")) != NULL &&
		    (cl = strcasestr(buf, "\r\nContent-Length: ")) != NULL && cl < sep &&
		    (size_t)(sep + 4 - buf) + strtoul(cl + 18, NULL, 10) <= n)
			break;
	}
	close(fd);
	assert_non_null(buf);
	buf[n] = '\0';
	assert_int_equal(sscanf(buf, "HTTP/1.1 %d ", &a->status), 1);
	assert_non_null(sep = strstr(buf, "\r\n\r\n"));
	*sep = '\0';
	assert_non_null(a->head = strdup(buf));
	assert_non_null(a->body = strdup(sep + 4));
	free(buf);
}

static void
call(const char *method, const char *url, const char *body, size_t len, struct answer *a)
{
	call_framed(method, url, body, len, a, false);
}

static json_t *
answer_json(const struct answer *a)
{
	json_t	*j = json_loads(a->body, 0, NULL);

	if (j == NULL)
		fail_msg("answer is not JSON: %s", a->body);
	return j;
}

/* Activate: the plugin implements authz; AuthZRes always allows. */
static void
test_serve_activate(void **state)
{
	struct answer	a;

	(void)state;
	call("POST", "/Plugin.Activate", "", 0, &a);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.head, "Content-Type: application/vnd.docker.plugins.v1.2+json"));
	assert_string_equal(a.body, "{\"Implements\":[\"authz\"]}");
	answer_free(&a);
	call("POST", "/AuthZPlugin.AuthZRes", "{\"RequestMethod\":\"GET\"}", 23, &a);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, "{\"Allow\":true}");
	answer_free(&a);
}

/* AuthZReq: decoded, decided, answered; a deny carries its message whole. */
static void
test_serve_authz_req(void **state)
{
	static const char	allow[] = "{\"User\":\"alice\",\"RequestMethod\":\"POST\","
	    "\"RequestUri\":\"/v1.41/containers/create\",\"RequestBody\":\"e30=\","
	    "\"RequestHeaders\":{\"Content-Length\":\"2\"}}";
	static const char	deny[] = "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/deny/x\"}";
	static const char	silent[] = "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/silent\"}";
	struct answer		 a;
	json_t			*j;
	int			 calls;

	(void)state;
	calls = decider.calls;
	call("POST", "/AuthZPlugin.AuthZReq", allow, strlen(allow), &a);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, "{\"Allow\":true}");
	answer_free(&a);
	assert_int_equal(decider.calls, calls + 1);
	assert_string_equal(decider.last_uri, "/v1.41/containers/create");
	assert_string_equal(decider.last_user, "alice");
	assert_int_equal(decider.last_body_len, 2);
	assert_int_equal(decider.last_clen, 2);

	call("POST", "/AuthZPlugin.AuthZReq", deny, strlen(deny), &a);
	assert_int_equal(a.status, 200);
	j = answer_json(&a);
	assert_true(json_is_false(json_object_get(j, "Allow")));
	assert_string_equal(json_string_value(json_object_get(j, "Msg")),
	    "dockward: denied (test.rule): \"/deny/x\"\n");
	json_decref(j);
	answer_free(&a);

	/* A deny without a message still says who denied. */
	call("POST", "/AuthZPlugin.AuthZReq", silent, strlen(silent), &a);
	j = answer_json(&a);
	assert_true(json_is_false(json_object_get(j, "Allow")));
	assert_string_equal(json_string_value(json_object_get(j, "Msg")),
	    "dockward: request denied");
	json_decref(j);
	answer_free(&a);
	assert_int_equal(decider.calls, calls + 3);
}

/* A message that cannot be decoded is denied without a decision. */
static void
test_serve_malformed(void **state)
{
	static const char	*bodies[] = {
		"", "not json", "[]", "{\"RequestMethod\":\"GET\"}",
		"{\"RequestMethod\":\"GET\",\"RequestUri\":\"/x\",\"RequestBody\":\"!!\"}",
		"{\"RequestMethod\":\"GET\",\"RequestUri\":\"/x\",\"requesturi\":\"/y\"}",
	};
	struct answer		 a;
	json_t			*j;
	size_t			 i;
	int			 calls = decider.calls;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		call("POST", "/AuthZPlugin.AuthZReq", bodies[i], strlen(bodies[i]), &a);
		assert_int_equal(a.status, 200);
		j = answer_json(&a);
		assert_true(json_is_false(json_object_get(j, "Allow")));
		assert_non_null(strstr(json_string_value(json_object_get(j, "Msg")),
		    "dockward: request denied (request.uri): AuthZReq"));
		json_decref(j);
		answer_free(&a);
	}
	assert_int_equal(decider.calls, calls);
}

/* At the limit a message is decided; one byte over, it is denied undecided. */
static void
test_serve_oversize(void **state)
{
	static const char	msg[] = "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/big\"}";
	struct answer		 a;
	json_t			*j;
	char			*big;
	int			 calls = decider.calls;

	(void)state;
	assert_non_null(big = malloc(DW_AUTHZ_REQ_MAX + 1));
	memset(big, ' ', DW_AUTHZ_REQ_MAX + 1);
	memcpy(big, msg, strlen(msg));
	call("POST", "/AuthZPlugin.AuthZReq", big, DW_AUTHZ_REQ_MAX, &a);
	assert_string_equal(a.body, "{\"Allow\":true}");
	answer_free(&a);
	assert_int_equal(decider.calls, calls + 1);
	assert_string_equal(decider.last_uri, "/big");
	call("POST", "/AuthZPlugin.AuthZReq", big, DW_AUTHZ_REQ_MAX + 1, &a);
	assert_int_equal(a.status, 200);
	j = answer_json(&a);
	assert_true(json_is_false(json_object_get(j, "Allow")));
	assert_non_null(strstr(json_string_value(json_object_get(j, "Msg")),
	    "(request.body): the authorization request is over dockward's size limit"));
	json_decref(j);
	answer_free(&a);
	assert_int_equal(decider.calls, calls + 1);
	free(big);
}

/* Other methods and paths: an error answer, never an allow. */
static void
test_serve_unknown(void **state)
{
	struct answer	a;

	(void)state;
	call("POST", "/AuthZPlugin.Other", "{}", 2, &a);
	assert_int_equal(a.status, 404);
	assert_string_equal(a.body, "{\"Err\":\"unknown plugin method\"}");
	answer_free(&a);
	call("POST", "/authzplugin.authzreq", "{}", 2, &a);
	assert_int_equal(a.status, 404);
	answer_free(&a);
	call("GET", "/AuthZPlugin.AuthZReq", "", 0, &a);
	assert_int_equal(a.status, 405);
	assert_string_equal(a.body, "{\"Err\":\"method not allowed\"}");
	answer_free(&a);
	call("PUT", "/Plugin.Activate", "{}", 2, &a);
	assert_int_equal(a.status, 405);
	answer_free(&a);
}

/*
 * Each decided AuthZReq is audited once: a denial before its answer, an
 * allow after it (the answer arrives while its audit is held back).
 */
static void
test_serve_audit_order(void **state)
{
	static const char	deny[] = "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/deny/a\"}";
	static const char	hold[] = "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/audit-hold\"}";
	struct answer		 a;
	struct timespec		 ts;
	int			 audits, i;
	bool			 settled, waiting;

	(void)state;
	/* Once the allows of the tests before are on record (after their answers). */
	for (i = 0; i < 500; i++) {
		pthread_mutex_lock(&decider.lock);
		audits = decider.audits;
		settled = audits == decider.calls;
		pthread_mutex_unlock(&decider.lock);
		if (settled)
			break;
		usleep(10000);
	}
	assert_true(settled);

	call("POST", "/AuthZPlugin.AuthZReq", deny, strlen(deny), &a);
	assert_non_null(strstr(a.body, "\"Allow\":false"));
	answer_free(&a);
	pthread_mutex_lock(&decider.lock);
	assert_int_equal(decider.audits, audits + 1);
	assert_string_equal(decider.last_audit_uri, "/deny/a");
	assert_false(decider.last_audit_allow);
	pthread_mutex_unlock(&decider.lock);

	/*
	 * Answered although its audit waits (10 s at most: the answer would
	 * come after).  Read to the answer's end: the server closes the
	 * connection only once the request is done, audit included.
	 */
	call_framed("POST", "/AuthZPlugin.AuthZReq", hold, strlen(hold), &a, true);
	assert_string_equal(a.body, "{\"Allow\":true}");
	answer_free(&a);
	pthread_mutex_lock(&decider.lock);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	while (!decider.audit_waiting && decider.audits == audits + 1 &&
	    pthread_cond_timedwait(&decider.cond, &decider.lock, &ts) == 0)
		;
	waiting = decider.audit_waiting;
	assert_int_equal(decider.audits, audits + 1);
	decider.audit_released = true;
	pthread_cond_broadcast(&decider.cond);
	pthread_mutex_unlock(&decider.lock);
	assert_true(waiting);
	/* Then recorded, with the message it decided (still held by the server). */
	for (i = 0; i < 500; i++) {
		pthread_mutex_lock(&decider.lock);
		if (decider.audits == audits + 2) {
			pthread_mutex_unlock(&decider.lock);
			break;
		}
		pthread_mutex_unlock(&decider.lock);
		usleep(10000);
	}
	pthread_mutex_lock(&decider.lock);
	assert_int_equal(decider.audits, audits + 2);
	assert_string_equal(decider.last_audit_uri, "/audit-hold");
	assert_true(decider.last_audit_allow);
	pthread_mutex_unlock(&decider.lock);

	/* What could not be decoded was not decided, so not audited. */
	call("POST", "/AuthZPlugin.AuthZReq", "[]", 2, &a);
	answer_free(&a);
	pthread_mutex_lock(&decider.lock);
	assert_int_equal(decider.audits, audits + 2);
	pthread_mutex_unlock(&decider.lock);
}

static void *
blocked_call(void *arg)
{
	static const char	msg[] = "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/block\"}";
	struct answer		*a = arg;

	call("POST", "/AuthZPlugin.AuthZReq", msg, strlen(msg), a);
	return NULL;
}

/* A decision that waits (on the engine, say) does not hold up the next call. */
static void
test_serve_concurrent(void **state)
{
	static const char	msg[] = "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/release\"}";
	struct answer		 a, b;
	pthread_t		 th;
	int			 i;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, blocked_call, &b), 0);
	/* Until the first decision is waiting. */
	for (i = 0; i < 1000; i++) {
		pthread_mutex_lock(&decider.lock);
		if (strcmp(decider.last_uri, "/block") == 0) {
			pthread_mutex_unlock(&decider.lock);
			break;
		}
		pthread_mutex_unlock(&decider.lock);
		usleep(5000);
	}
	call("POST", "/AuthZPlugin.AuthZReq", msg, strlen(msg), &a);
	assert_string_equal(a.body, "{\"Allow\":true}");
	answer_free(&a);
	assert_int_equal(pthread_join(th, NULL), 0);
	/* Released by the second call, not by the timeout. */
	assert_string_equal(b.body, "{\"Allow\":true}");
	answer_free(&b);
}

int
main(void)
{
	const struct CMUnitTest codec[] = {
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_parse_base64),
		cmocka_unit_test(test_parse_base64_random),
		cmocka_unit_test(test_parse_headers),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_request),
	};
	const struct CMUnitTest server[] = {
		cmocka_unit_test(test_serve_activate),
		cmocka_unit_test(test_serve_authz_req),
		cmocka_unit_test(test_serve_malformed),
		cmocka_unit_test(test_serve_oversize),
		cmocka_unit_test(test_serve_unknown),
		cmocka_unit_test(test_serve_concurrent),
		cmocka_unit_test(test_serve_audit_order),
	};
	int	r;

	r = cmocka_run_group_tests_name("codec", codec, NULL, NULL);
	r += cmocka_run_group_tests_name("server", server, server_setup, server_teardown);
	return r;
}
