/* framing_diff: the gatekeeper's framing against Go's (see framing_diff.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_http.h"
#include "tests/unit/framing_diff.h"

char *
framing_bytes(const json_t *s, size_t *ret_len)
{
	const unsigned char	*p = (const unsigned char *)json_string_value(s);
	size_t			 n = json_string_length(s), i, o = 0;
	char			*b;

	if (p == NULL || (b = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (p[i] < 0x80)
			b[o++] = (char)p[i];
		else if ((p[i] & 0xe0) == 0xc0 && i + 1 < n && p[i] <= 0xc3) {
			b[o++] = (char)(((p[i] & 0x1f) << 6) | (p[i + 1] & 0x3f));
			i++;
		} else {
			free(b);
			return NULL;	/* a code point over U+00FF */
		}
	}
	b[o] = '\0';
	*ret_len = o;
	return b;
}

/* Compare one forwarded request with Go's; 0 or -1 with why. */
static int
same_request(const struct api_http_request *rq, bool whole, const json_t *g,
    unsigned i, char *why, size_t why_len)
{
	const char	*method = json_string_value(json_object_get(g, "method"));
	size_t		 ulen = 0;
	char		*uri = framing_bytes(json_object_get(g, "uri"), &ulen);
	const char	*proto = json_string_value(json_object_get(g, "proto"));
	const char	*berr = json_string_value(json_object_get(g, "body_error"));
	bool		 chunked = json_is_true(json_object_get(g, "chunked"));
	bool		 close_ = json_is_true(json_object_get(g, "close"));
	char		 myproto[16], *body = NULL;
	size_t		 blen = 0;
	int		 r = -1;

	snprintf(myproto, sizeof(myproto), "HTTP/1.%d", rq->http_minor);
	if (method == NULL || strcmp(method, rq->method) != 0 || uri == NULL ||
	    strcmp(uri, rq->uri) != 0 || proto == NULL || strcmp(proto, myproto) != 0) {
		snprintf(why, why_len, "request %u: the gatekeeper forwards \"%s %s %s\", "
		    "Go reads \"%s %s %s\"", i + 1, rq->method, rq->uri, myproto,
		    method ? method : "?", uri ? uri : "?", proto ? proto : "?");
		goto out;
	}
	if (chunked != rq->chunked) {
		snprintf(why, why_len, "request %u: the gatekeeper reads the body as %s, "
		    "Go as %s", i + 1, rq->chunked ? "chunked" : "not chunked",
		    chunked ? "chunked" : "not chunked");
		goto out;
	}
	if (close_ == rq->keep_alive) {
		snprintf(why, why_len, "request %u: the gatekeeper %s the connection after "
		    "it, Go %s", i + 1, rq->keep_alive ? "keeps" : "closes",
		    close_ ? "closes it" : "keeps it");
		goto out;
	}
	if (!whole) {
		r = 0;
		goto out;
	}
	if ((body = framing_bytes(json_object_get(g, "body"), &blen)) == NULL) {
		snprintf(why, why_len, "request %u: Go's body is not bytes", i + 1);
		return -1;
	}
	if (berr != NULL && berr[0] != '\0') {
		snprintf(why, why_len, "request %u: the gatekeeper forwards a %zu-byte "
		    "body that Go cannot read (%s)", i + 1, rq->body_total, berr);
		goto out;
	}
	if (blen != rq->body_total || (blen > 0 && memcmp(body, rq->body, blen) != 0)) {
		snprintf(why, why_len, "request %u: the gatekeeper forwards a %zu-byte body, "
		    "Go reads %zu bytes%s", i + 1, rq->body_total, blen,
		    blen == rq->body_total ? " that differ" : "");
		goto out;
	}
	r = 0;
out:
	free(uri);
	free(body);
	return r;
}

int
framing_diff(const char *raw, size_t len, const json_t *go,
    unsigned *ret_forwarded, char *summary, char *why, size_t why_len)
{
	const json_t		*reqs = json_object_get(go, "requests");
	struct api_http_request	 rq;
	struct dw_err		 err;
	size_t			 off = 0, m = json_array_size(reqs), sl = 0;
	unsigned		 i = 0;
	int			 r, ret = 0;

	why[0] = '\0';
	if (summary != NULL)
		summary[0] = '\0';
	if (!json_is_array(reqs)) {
		snprintf(why, why_len, "Go's answer has no requests");
		return -1;
	}
	while (off < len) {
		err.msg[0] = '\0';
		r = api_http_request_frame(raw + off, len - off, &rq, &err);
		if (summary != NULL && sl < FRAMING_SUMMARY_MAX - 1) {
			int n;

			if (r == 0 && rq.complete)
				n = snprintf(summary + sl, FRAMING_SUMMARY_MAX - sl,
				    "%sforward %s %s", sl ? "; " : "", rq.method, rq.uri);
			else
				n = snprintf(summary + sl, FRAMING_SUMMARY_MAX - sl,
				    "%s%s%s (%s)", sl ? "; " : "", rq.head_ok ?
				    "forward the head, then stop: " : "",
				    r == -EPROTO ? "refuse" : r == -E2BIG ? "refuse (size)" :
				    "wait for more", err.msg);
			if (n > 0)
				sl += (size_t)n < FRAMING_SUMMARY_MAX - sl ? (size_t)n :
				    FRAMING_SUMMARY_MAX - sl - 1;
		}
		if (r == 0 && rq.complete) {
			if (i < m && same_request(&rq, true, json_array_get(reqs, i), i,
			    why, why_len) < 0)
				ret = -1;
			i++;
			off += rq.consumed;
			free(rq.body);
			if (ret < 0 || !rq.keep_alive || rq.hijack)
				break;
			continue;
		}
		/* The head may be forwarded before the body fails or runs out. */
		if (rq.head_ok) {
			if (i < m && same_request(&rq, false, json_array_get(reqs, i), i,
			    why, why_len) < 0)
				ret = -1;
			i++;
		}
		free(rq.body);
		break;
	}
	if (ret_forwarded != NULL)
		*ret_forwarded = i;
	return ret;
}

/* ---- the engine's answers: the fast head reader against the parser ---- */

/* What one reading of an answer stream came to. */
struct answer_end {
	int		 r;		/* api_http_resp_feed's last result */
	bool		 headers_done, complete, fast;
	size_t		 off;		/* bytes taken */
	bool		 keep_alive, hijacked, interim;
	unsigned	 kept_calls, kept_status;
	bool		 kept_null;
	size_t		 kept_len;
	char		 kept[DW_GATE_CREATE_ANSWER_MAX];
};

static void
answer_kept(void *arg, unsigned status, const char *body, size_t len)
{
	struct answer_end	*e = arg;

	e->kept_calls++;
	e->kept_status = status;
	e->kept_null = body == NULL;
	e->kept_len = len;
	if (body != NULL && len <= sizeof(e->kept))
		memcpy(e->kept, body, len);
}

/* Read raw as the pump does: the bytes come in at cuts, then EOF. */
static void
answer_read(const char *raw, size_t len, const size_t *cuts, size_t ncuts,
    bool head_request, bool fast_off, struct api_http_resp *rs, struct answer_end *e)
{
	const char	*why = NULL;
	size_t		 c, upto, spins;

	memset(e, 0, sizeof(*e));
	memset(rs, 0, sizeof(*rs));
	rs->fast_off = fast_off;
	api_http_resp_start(rs, head_request, answer_kept, e);
	for (c = 0; c <= ncuts && e->r == 0; c++) {
		upto = c < ncuts && cuts[c] < len ? cuts[c] : len;
		/* The pump parses while bytes are unparsed and the answer is not complete. */
		for (spins = 0; e->r == 0 && !rs->complete && e->off < upto; spins++) {
			if (spins > len + 8) {
				e->r = -ELOOP;	/* no progress: the pump would spin */
				break;
			}
			e->r = api_http_resp_feed(rs, raw, upto, &e->off, &why);
		}
	}
	if (e->r == 0 && !rs->complete)
		api_http_resp_eof(rs);
	e->headers_done = rs->headers_done;
	e->complete = rs->complete;
	e->fast = rs->fast;
	if (rs->headers_done) {
		e->keep_alive = api_http_resp_keep_alive(rs);
		e->hijacked = api_http_resp_hijacked(rs);
		e->interim = api_http_resp_interim(rs);
	}
}

int
framing_answer_diff(const char *raw, size_t len, const size_t *cuts, size_t ncuts,
    bool head_request, bool *ret_fast, char *why, size_t why_len)
{
	struct api_http_resp	*rs;
	struct answer_end	*a, *b;
	int			 r = -1;

	rs = calloc(1, sizeof(*rs));
	a = calloc(1, sizeof(*a));
	b = calloc(1, sizeof(*b));
	if (rs == NULL || a == NULL || b == NULL) {
		snprintf(why, why_len, "out of memory");
		goto out;
	}
	answer_read(raw, len, cuts, ncuts, head_request, false, rs, a);
	answer_read(raw, len, cuts, ncuts, head_request, true, rs, b);
	*ret_fast = a->fast;
	if (!a->fast) {
		r = 0;	/* the same parser read it both times */
		goto out;
	}
	if ((a->r < 0) != (b->r < 0) || a->headers_done != b->headers_done ||
	    a->complete != b->complete || a->off != b->off) {
		snprintf(why, why_len, "fast: result %d, head %d, complete %d, %zu bytes; "
		    "parser: result %d, head %d, complete %d, %zu bytes", a->r,
		    a->headers_done, a->complete, a->off, b->r, b->headers_done,
		    b->complete, b->off);
		goto out;
	}
	if (a->keep_alive != b->keep_alive || a->hijacked != b->hijacked ||
	    a->interim != b->interim) {
		snprintf(why, why_len, "fast: keep-alive %d, hijacked %d, interim %d; "
		    "parser: %d, %d, %d", a->keep_alive, a->hijacked, a->interim,
		    b->keep_alive, b->hijacked, b->interim);
		goto out;
	}
	if (a->kept_calls != b->kept_calls || a->kept_status != b->kept_status ||
	    a->kept_null != b->kept_null || a->kept_len != b->kept_len ||
	    (!a->kept_null && a->kept_len <= sizeof(a->kept) &&
	    memcmp(a->kept, b->kept, a->kept_len) != 0)) {
		snprintf(why, why_len, "the kept body differs: fast %u call(s), status "
		    "%u, %zu bytes%s; parser %u, %u, %zu%s", a->kept_calls,
		    a->kept_status, a->kept_len, a->kept_null ? " (over)" : "",
		    b->kept_calls, b->kept_status, b->kept_len,
		    b->kept_null ? " (over)" : "");
		goto out;
	}
	r = 0;
out:
	free(rs);
	free(a);
	free(b);
	return r;
}

/* ---- requests: a bodiless head read without the parser ---- */

int
framing_request_fast_diff(const char *raw, size_t len, bool *ret_fast, char *why,
    size_t why_len)
{
	struct api_http_request	*a, *b;
	struct dw_err		 ea, eb;
	int			 ra, rb, r = -1;

	a = calloc(1, sizeof(*a));
	b = calloc(1, sizeof(*b));
	if (a == NULL || b == NULL) {
		snprintf(why, why_len, "out of memory");
		goto out;
	}
	ra = api_http_request_read(raw, len, true, false, a, &ea);
	rb = api_http_request_read(raw, len, true, true, b, &eb);
	*ret_fast = ra == 0 && a->fast;
	if (ra != rb) {
		snprintf(why, why_len, "fast way %d (%s), parser %d (%s)", ra,
		    ra != 0 ? ea.msg : "", rb, rb != 0 ? eb.msg : "");
		goto out;
	}
	if (ra != 0) {
		r = 0;
		goto out;
	}
	if (b->fast || strcmp(a->method, b->method) != 0 || strcmp(a->uri, b->uri) != 0 ||
	    a->endpoint != b->endpoint || a->body_read_whole != b->body_read_whole ||
	    a->body_len != b->body_len || a->complete != b->complete ||
	    a->consumed != b->consumed || a->upgrade != b->upgrade ||
	    a->keep_alive != b->keep_alive || a->head_ok != b->head_ok ||
	    a->head_len != b->head_len || a->http_minor != b->http_minor ||
	    a->hijack != b->hijack || a->chunked != b->chunked ||
	    a->expect_continue != b->expect_continue || a->have_ct != b->have_ct ||
	    (a->have_ct && strcmp(a->content_type, b->content_type) != 0) ||
	    a->body_total != b->body_total ||
	    (a->body_total > 0 && memcmp(a->body, b->body, a->body_total) != 0)) {
		snprintf(why, why_len, "read two ways: %s %s minor %d keep %d ct %d \"%s\" "
		    "expect %d, %zu bytes; parser: %s %s minor %d keep %d ct %d \"%s\" "
		    "expect %d, %zu bytes", a->method, a->uri, a->http_minor,
		    a->keep_alive, a->have_ct, a->have_ct ? a->content_type : "",
		    a->expect_continue, a->consumed, b->method, b->uri, b->http_minor,
		    b->keep_alive, b->have_ct, b->have_ct ? b->content_type : "",
		    b->expect_continue, b->consumed);
		goto out;
	}
	r = 0;
out:
	if (a != NULL)
		free(a->body);
	if (b != NULL)
		free(b->body);
	free(a);
	free(b);
	return r;
}
