/* audit_diff: the audit record against its jansson oracle (see audit_diff.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "authz/authz_uri.h"
#include "tests/unit/audit_diff.h"

/*
 * The oracle: authz/authz_audit.c's caller_json and
 * authz_audit_format_caller as they were before the hand-written
 * formatter, changed only to take the time as an argument.  Do not "fix"
 * anything here (the json_int_t given to "i" included): it is what the
 * record must stay.
 */

/* The gatekeeper's caller: pid, uid, gid, and the container (and its creator) when there is one. */
static json_t *
caller_json(const struct authz_caller *c)
{
	json_t	*o;

	o = json_pack("{s:s, s:i, s:i, s:i}",
	    "kind", c->kind == AUTHZ_CALLER_CONTAINER ? "container" : "host",
	    "pid", (json_int_t)c->pid, "uid", (json_int_t)c->uid,
	    "gid", (json_int_t)c->gid);
	if (o == NULL || c->kind != AUTHZ_CALLER_CONTAINER)
		return o;
	if (c->container_id)
		json_object_set_new(o, "container", json_string(c->container_id));
	if (c->container_name)
		json_object_set_new(o, "name", json_string(c->container_name));
	if (c->image)
		json_object_set_new(o, "image", json_string(c->image));
	/* The host users it acts for (dockward.users), creator first. */
	if (c->creators != NULL && c->ncreators > 0) {
		json_t	*a = json_array();
		size_t	 i;

		for (i = 0; a != NULL && i < c->ncreators; i++) {
			json_array_append_new(a, json_pack("{s:i, s:s?, s:b}",
			    "uid", (json_int_t)c->creators[i].uid, "name",
			    c->creators[i].name, "entered", c->creators[i].entered));
			if (!c->creators[i].entered)
				json_object_set_new(o, "creator", json_pack(
				    "{s:i, s:s?}", "uid",
				    (json_int_t)c->creators[i].uid, "name",
				    c->creators[i].name));
		}
		if (a != NULL)
			json_object_set_new(o, "actsFor", a);
	}
	return o;
}

/* o (taken) again with "wouldDeny":true inserted after "decision"; NULL on ENOMEM. */
static json_t *
oracle_would_deny(json_t *o)
{
	json_t		*n = json_object();
	const char	*k;
	json_t		*v;

	json_object_foreach(o, k, v) {
		if (n == NULL)
			break;
		json_object_set(n, k, v);
		if (strcmp(k, "decision") == 0)
			json_object_set_new(n, "wouldDeny", json_true());
	}
	json_decref(o);
	return n;
}

char *
audit_diff_oracle(const struct timeval *when, const struct authz_request *req,
    const struct authz_decision *d, const char *source,
    const struct authz_caller *caller)
{
	struct timeval	 tv;
	struct tm	 tm;
	char		 ts[64];
	json_t		*o;
	char		*line;

	if (when != NULL)
		tv = *when;
	else
		gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, (long)tv.tv_usec);
	/* json_string* refuse invalid UTF-8: fall back to a placeholder. */
	o = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:s, s:s, s:s}",
	    "time", ts,
	    "source", source,
	    "user", req->user && req->user[0] ? req->user : NULL,
	    "method", req->method,
	    "uri", req->raw_uri,
	    "endpoint", req->uri ? authz_uri_endpoint_name(req->uri->endpoint) : "unknown",
	    "decision", d->verdict == AUTHZ_ALLOW ? "allow" : "deny",
	    "rule", d->rule ? d->rule : "internal",
	    "field", d->field);
	if (o == NULL)
		o = json_pack("{s:s, s:s, s:s, s:s}", "time", ts, "uri", "<not UTF-8>",
		    "decision", d->verdict == AUTHZ_ALLOW ? "allow" : "deny",
		    "rule", d->rule ? d->rule : "internal");
	if (o == NULL)
		return NULL;
	/*
	 * Audit-only mode's addition: "wouldDeny":true right after
	 * "decision" in an allow made of a denial, whose reason is kept.
	 */
	if (d->would_deny && d->verdict == AUTHZ_ALLOW)
		o = oracle_would_deny(o);
	if (o == NULL)
		return NULL;
	/* Every line has every key; an allow has an empty reason. */
	json_object_set_new(o, "reason", json_string(d->verdict == AUTHZ_ALLOW &&
	    !d->would_deny ? "" : d->msg));
	if (caller != NULL)
		json_object_set_new(o, "caller", caller_json(caller));
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return line;
}

/* The record's inputs read from bytes; past their end every byte is 0. */
struct src {
	const uint8_t	*p;
	size_t		 n;
};

static unsigned
src_byte(struct src *s)
{
	if (s->n == 0)
		return 0;
	s->n--;
	return *s->p++;
}

static uint32_t
src_u32(struct src *s)
{
	uint32_t	v = 0;
	int		i;

	for (i = 0; i < 4; i++)
		v = v << 8 | src_byte(s);
	return v;
}

#define CREATORS_MAX	5
#define STR_LONG	3000	/* past the formatter's 2 KiB stack buffer, escaped or not */

struct record {
	struct timeval		 tv;
	struct authz_request	 req;
	struct authz_uri	 uri;
	struct authz_decision	 d;
	const char		*source;
	struct authz_caller	 caller;
	bool			 has_caller;
	struct authz_creator	 creators[CREATORS_MAX];
	char			 str[16][STR_LONG + 1];
	size_t			 nstr;
};

/* Pieces of strings that matter to JSON and to UTF-8. */
static const char *const pieces[] = {
	"\"", "\\", "/", "\x7f", "\b", "\f", "\n", "\r", "\t", "\x01", "\x1f", "\x1b",
	"\xc2\x80", "\xdf\xbf", "\xc3\xa9", "\xe0\xa0\x80", "\xe2\x80\xa8", "\xe2\x80\xa9",
	"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbb\xbf", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
	"\xf4\x8f\xbf\xbf", "\xf0\x9f\x90\xb3", "\\u0000", "</script>", "\"}", ",\"decision\":",
};
/* Byte sequences that are not UTF-8. */
static const char *const bad[] = {
	"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xc2\x41", "\xe0\x80\x80",
	"\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xe1\x80", "\xf0\x80\x80\x80",
	"\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80",
	"\xfe", "\xff", "\xf0\x90\x80", "\xe2\x28\xa1",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * A string of at most max bytes from s into the next slot: its first byte
 * picks the length (now and then a long one) and whether bytes that are
 * not UTF-8 may appear; the rest picks pieces.
 */
static char *
gen_str(struct record *r, struct src *s, size_t max)
{
	char	*out = r->str[r->nstr++ % NELEM(r->str)];
	unsigned c = src_byte(s), k;
	size_t	 want, len = 0, n;
	bool	 dirty = (c & 0x7) == 0;
	const char *p;
	char	 one[2] = { 0 };

	want = (c >> 3) < 28 ? (c >> 3) : (c >> 3) == 28 ? 60 + src_byte(s) :
	    (c >> 3) < 31 ? 300 : STR_LONG;
	if (want > max)
		want = max;
	while (len < want) {
		k = src_byte(s);
		if (k < 128) {
			/* Printable ASCII, spelled by the byte. */
			one[0] = (char)(0x20 + k % 0x5f);
			p = one;
		} else if (k < 128 + 3 * NELEM(pieces))
			p = pieces[(k - 128) % NELEM(pieces)];
		else if (dirty && k < 250)
			p = bad[k % NELEM(bad)];
		else if (dirty) {
			/* Any byte but NUL. */
			one[0] = (char)(src_byte(s) | 1);
			p = one;
		} else {
			one[0] = (char)(1 + k % 0x7f);
			p = one;
		}
		n = strlen(p);
		if (len + n > want)
			break;
		memcpy(out + len, p, n);
		len += n;
	}
	out[len] = '\0';
	return out;
}

/* NULL, one of the usual values, or a made-up string. */
static const char *
gen_opt(struct record *r, struct src *s, const char *usual, size_t max)
{
	switch (src_byte(s) % 4) {
	case 0:
		return NULL;
	case 1:
		return usual;
	default:
		return gen_str(r, s, max);
	}
}

static void
gen_time(struct timeval *tv, struct src *s)
{
	unsigned	c = src_byte(s);
	int64_t		wide;

	switch (c % 8) {
	case 0: case 1: case 2:
		/* A few seconds: records often share one (the formatter's cached text). */
		tv->tv_sec = (time_t)1700000000 + (time_t)(src_byte(s) % 4);
		break;
	case 3: case 4:
		tv->tv_sec = (time_t)1700000000 + (time_t)src_u32(s) % 100000000;
		break;
	case 5:
		/* Years 0000-9999 and beyond, before 1970 too. */
		wide = (int64_t)(((uint64_t)src_u32(s) << 8 | src_byte(s)) & 0xffffffffffULL);
		tv->tv_sec = (time_t)(wide - ((int64_t)1 << 39));
		break;
	case 6:
		tv->tv_sec = (time_t)(src_byte(s) % 3 == 0 ? 0 : src_byte(s) % 3 == 1 ?
		    253402300799LL : -62167219200LL);
		break;
	default:
		tv->tv_sec = (time_t)(int32_t)src_u32(s);
		break;
	}
	c = src_byte(s);
	if (c < 240)
		tv->tv_usec = (suseconds_t)(src_u32(s) % 1000000);
	else if (c < 245)
		tv->tv_usec = 0;
	else if (c < 250)
		tv->tv_usec = 999999;
	else
		/* Not from gettimeofday: the slow path must still match. */
		tv->tv_usec = (suseconds_t)(c == 250 ? -1 : c == 251 ? 1000000 :
		    c == 252 ? (suseconds_t)(int32_t)src_u32(s) : 123456789);
}

static void
gen_record(struct record *r, struct src *s)
{
	const char	*str;
	size_t		 i, n;
	unsigned	 c;

	memset(r, 0, sizeof(*r));
	gen_time(&r->tv, s);
	r->source = gen_opt(r, s, src_byte(s) & 1 ? "plugin" : "gatekeeper", STR_LONG);
	r->req.user = src_byte(s) % 5 == 0 ? "" : gen_opt(r, s, "alice", STR_LONG);
	r->req.method = gen_opt(r, s, "POST", STR_LONG);
	r->req.raw_uri = gen_opt(r, s, "/v1.41/containers/create?name=web", STR_LONG);
	c = src_byte(s);
	if (c % 4 != 0) {
		/* Routed, to any endpoint, or to one out of range ("unknown"). */
		r->uri.endpoint = (enum authz_uri_endpoint)(c % 8 == 1 ?
		    AUTHZ_EP__COUNT + c % 3 : src_byte(s) % AUTHZ_EP__COUNT);
		r->req.uri = &r->uri;
	}
	c = src_byte(s);
	r->d.verdict = c % 5 == 4 ? (enum authz_verdict)2 : c % 2 == 0 ? AUTHZ_DENY :
	    AUTHZ_ALLOW;
	/* Audit-only mode's allows, and the flag where it means nothing (a deny). */
	r->d.would_deny = (c / 10) % 3 == 0;
	r->d.rule = gen_opt(r, s, r->d.verdict == AUTHZ_ALLOW && !r->d.would_deny ? "allow" :
	    "container.privileged", STR_LONG);
	str = gen_str(r, s, sizeof(r->d.field) - 1);
	memcpy(r->d.field, str, strlen(str) + 1);
	str = gen_str(r, s, sizeof(r->d.msg) - 1);
	memcpy(r->d.msg, str, strlen(str) + 1);
	c = src_byte(s);
	if (c % 3 == 0)
		return;
	r->has_caller = true;
	r->caller.kind = c % 3 == 1 ? AUTHZ_CALLER_HOST : c % 7 == 0 ?
	    (enum authz_caller_kind)7 : AUTHZ_CALLER_CONTAINER;
	/* Every bit pattern: negative pids, uids over INT_MAX. */
	r->caller.pid = (pid_t)src_u32(s);
	r->caller.uid = (uid_t)src_u32(s);
	r->caller.gid = (gid_t)src_u32(s);
	r->caller.home = "/home/alice";
	r->caller.container_id = gen_opt(r, s,
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 200);
	r->caller.container_name = gen_opt(r, s, "/web", 200);
	r->caller.image = gen_opt(r, s, "busybox:1", 200);
	c = src_byte(s);
	n = c % (CREATORS_MAX + 1);
	for (i = 0; i < n; i++) {
		r->creators[i].uid = (uid_t)src_u32(s);
		r->creators[i].entered = src_byte(s) & 1;
		r->creators[i].name = gen_opt(r, s, "alice", 100);
	}
	/* Sometimes a count without creators, or creators with none counted. */
	r->caller.creators = c & 0x40 ? NULL : r->creators;
	r->caller.ncreators = c & 0x80 ? 0 : n;
}

/* Where a and b (either may be NULL) first differ, into why; 0 when they do not. */
static int
same(const char *what, const char *want, const char *got, char *why, size_t why_len)
{
	size_t	i, from;

	if (want == NULL && got == NULL)
		return 0;
	if (want == NULL || got == NULL) {
		snprintf(why, why_len, "%s: want %s, got %s", what,
		    want ? want : "(no record)", got ? got : "(no record)");
		return -1;
	}
	if (strcmp(want, got) == 0)
		return 0;
	for (i = 0; want[i] == got[i]; i++)
		;
	/* Around the first difference: test logs cut long messages. */
	from = i > 60 ? i - 60 : 0;
	snprintf(why, why_len, "%s: differ at byte %zu (of %zu, %zu):\nwant ...%.120s\n"
	    "got  ...%.120s", what, i, strlen(want), strlen(got), want + from, got + from);
	return -1;
}

/* The time a record starts with, read back; false when it has none such. */
static bool
line_time(const char *line, struct timeval *tv)
{
	struct tm	 tm;
	const char	*p;
	char		*end;
	long		 us;

	if (strncmp(line, "{\"time\":\"", 9) != 0)
		return false;
	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(line + 9, "%Y-%m-%dT%H:%M:%S.", &tm)) == NULL)
		return false;
	us = strtol(p, &end, 10);
	if (end != p + 6 || *end != 'Z')
		return false;
	tv->tv_sec = timegm(&tm);
	tv->tv_usec = (suseconds_t)us;
	return true;
}

static bool
tv_le(const struct timeval *a, const struct timeval *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_usec <= b->tv_usec);
}

/* authz_audit_format_caller (or authz_audit_format) now against the oracle at its time. */
static int
check_now(const struct record *r, bool short_form, char *why, size_t why_len)
{
	const struct authz_caller *c = r->has_caller ? &r->caller : NULL;
	struct timeval	 t0, t1, at;
	char		*got, *want = NULL;
	int		 rc = -1;

	gettimeofday(&t0, NULL);
	got = short_form ? authz_audit_format(&r->req, &r->d, r->source) :
	    authz_audit_format_caller(&r->req, &r->d, r->source, c);
	gettimeofday(&t1, NULL);
	if (got == NULL) {
		/* No record only where the oracle has none at any time. */
		want = audit_diff_oracle(&t0, &r->req, &r->d, r->source, c);
		rc = same("format (now)", want, got, why, why_len);
		goto out;
	}
	if (!line_time(got, &at) || !tv_le(&t0, &at) || !tv_le(&at, &t1)) {
		snprintf(why, why_len, "format (now): not stamped with the time of the call: %s",
		    got);
		goto out;
	}
	want = audit_diff_oracle(&at, &r->req, &r->d, r->source, c);
	rc = same("format (now)", want, got, why, why_len);
out:
	free(want);
	free(got);
	return rc;
}

/* authz_audit_format_buf into exactly bufsz bytes of heap (a write past them is a sanitizer's error). */
static int
check_buf(const struct record *r, const char *want, size_t bufsz, char *why, size_t why_len)
{
	char	*buf;
	size_t	 len = 0;
	int	 rc, ret = -1;

	if ((buf = malloc(bufsz)) == NULL) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	rc = authz_audit_format_buf(buf, bufsz, &len, &r->tv, &r->req, &r->d, r->source,
	    r->has_caller ? &r->caller : NULL);
	if (want == NULL) {
		if (rc != -EINVAL)
			snprintf(why, why_len, "format_buf(%zu): %d where there is no record",
			    bufsz, rc);
		else
			ret = 0;
	} else if (strlen(want) >= bufsz) {
		if (rc != -E2BIG)
			snprintf(why, why_len, "format_buf(%zu): %d for a %zu-byte record",
			    bufsz, rc, strlen(want));
		else
			ret = 0;
	} else if (rc != 0)
		snprintf(why, why_len, "format_buf(%zu): %d", bufsz, rc);
	else if (len != strlen(buf))
		snprintf(why, why_len, "format_buf(%zu): length %zu, record %zu", bufsz, len,
		    strlen(buf));
	else
		ret = same("format_buf", want, buf, why, why_len);
	free(buf);
	return ret;
}

int
audit_diff_check(const uint8_t *data, size_t size, char *why, size_t why_len)
{
	struct src	 s = { .p = data, .n = size };
	struct record	*r;
	char		*want = NULL;
	size_t		 len;
	int		 rc = -1;

	if ((r = malloc(sizeof(*r))) == NULL) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	gen_record(r, &s);
	want = audit_diff_oracle(&r->tv, &r->req, &r->d, r->source,
	    r->has_caller ? &r->caller : NULL);
	if (check_buf(r, want, 64 * 1024, why, why_len) < 0)
		goto out;
	if (want != NULL) {
		len = strlen(want);
		if (check_buf(r, want, len + 1, why, why_len) < 0 ||
		    check_buf(r, want, len, why, why_len) < 0 ||
		    check_buf(r, want, len / 2 + 1, why, why_len) < 0)
			goto out;
	}
	if (check_now(r, false, why, why_len) < 0 ||
	    (!r->has_caller && check_now(r, true, why, why_len) < 0))
		goto out;
	rc = 0;
out:
	free(want);
	free(r);
	return rc;
}
