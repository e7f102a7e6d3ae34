/* authz_audit: JSON-lines audit log with reopen for rotation. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "authz/authz_audit.h"
#include "authz/authz_uri.h"

struct authz_audit {
	pthread_rwlock_t lock;	/* writers share it (O_APPEND); reopen takes it alone */
	char		*path;	/* NULL for stdout */
	int		 fd;
	/* Allow records queued for the flusher thread (see authz_audit_write_later). */
	pthread_mutex_t	 qlock;
	pthread_cond_t	 qstop;
	char		*q;
	size_t		 qlen, qcap;
	char		*spare;		/* the last flushed queue, kept for reuse (up to AUDIT_QUEUE_KEEP) */
	size_t		 spare_cap;
	bool		 stopping;
	pthread_t	 flusher;
	bool		 flusher_on;
	unsigned long long flush_errors;	/* records written to stderr instead (atomic) */
};

#define AUDIT_QUEUE_MAX		(256 * 1024)	/* queued bytes before writers write themselves */
#define AUDIT_QUEUE_FIRST	(16 * 1024)	/* a queue's first size: it doubles from there */
#define AUDIT_QUEUE_KEEP	(64 * 1024)	/* a flushed queue this large or smaller is reused */
#define AUDIT_FLUSH_MS		20		/* longest a queued record waits */

/* Write buf whole to fd; 0 or -errno. */
static int
write_whole(int fd, const char *buf, size_t len)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < len) {
		n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (size_t)n;
	}
	return 0;
}

/*
 * A written queue buffer (cap bytes; may be NULL): the spare for the next
 * swap when there is none and it is not large, else freed.  Every record
 * is copied into a queue with room: growing one a record at a time moved
 * and consolidated the heap (glibc) under the writers' lock.
 */
static void
queue_keep(struct authz_audit *a, char *buf, size_t cap)
{
	if (buf != NULL && cap <= AUDIT_QUEUE_KEEP) {
		pthread_mutex_lock(&a->qlock);
		if (a->spare == NULL && !a->stopping) {
			a->spare = buf;
			a->spare_cap = cap;
			buf = NULL;
		}
		pthread_mutex_unlock(&a->qlock);
	}
	free(buf);
}

/* Write out the queue; a failed write goes to stderr so no record is lost. */
static void
queue_flush(struct authz_audit *a)
{
	char	*buf;
	size_t	 len, cap;

	/* Writers go on into the spare buffer (or a new one) while this one is written. */
	pthread_mutex_lock(&a->qlock);
	buf = a->q;
	len = a->qlen;
	cap = a->qcap;
	a->q = a->spare;
	a->qcap = a->spare_cap;
	a->qlen = 0;
	a->spare = NULL;
	a->spare_cap = 0;
	pthread_mutex_unlock(&a->qlock);
	if (len == 0) {
		queue_keep(a, buf, cap);
		return;
	}
	pthread_rwlock_rdlock(&a->lock);
	if (write_whole(a->fd, buf, len) < 0) {
		const char	*p;
		unsigned long long n = 0;

		for (p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))) != NULL; p++)
			n++;
		__atomic_add_fetch(&a->flush_errors, n, __ATOMIC_RELAXED);
		(void)write_whole(STDERR_FILENO, buf, len);
	}
	pthread_rwlock_unlock(&a->lock);
	queue_keep(a, buf, cap);
}

/* The flusher: every AUDIT_FLUSH_MS, and once more at close. */
static void *
flusher_main(void *arg)
{
	struct authz_audit	*a = arg;
	struct timespec		 ts;
	bool			 stop;

	for (;;) {
		pthread_mutex_lock(&a->qlock);
		if (!a->stopping) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += AUDIT_FLUSH_MS * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&a->qstop, &a->qlock, &ts);
		}
		stop = a->stopping;
		pthread_mutex_unlock(&a->qlock);
		queue_flush(a);
		if (stop)
			return NULL;
	}
}

static int
audit_open_fd(const char *path, struct dw_err *err)
{
	int	fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		dw_err_set(err, "cannot open audit log %s: %s", path, strerror(errno));
		return -errno;
	}
	return fd;
}

struct authz_audit *
authz_audit_open(const char *path, struct dw_err *err)
{
	struct authz_audit	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		dw_err_set(err, "out of memory");
		return NULL;
	}
	pthread_rwlock_init(&a->lock, NULL);
	pthread_mutex_init(&a->qlock, NULL);
	pthread_cond_init(&a->qstop, NULL);
	if (path == NULL || strcmp(path, "-") == 0)
		a->fd = STDOUT_FILENO;
	else if ((a->path = strdup(path)) == NULL ||
	    (a->fd = audit_open_fd(path, err)) < 0) {
		free(a->path);
		free(a);
		return NULL;
	}
	/* Without a flusher every record is written at once. */
	a->flusher_on = pthread_create(&a->flusher, NULL, flusher_main, a) == 0;
	return a;
}

int
authz_audit_reopen(struct authz_audit *a, struct dw_err *err)
{
	int	fd;

	if (a->path == NULL)
		return 0;
	if ((fd = audit_open_fd(a->path, err)) < 0)
		return fd;
	pthread_rwlock_wrlock(&a->lock);
	close(a->fd);
	a->fd = fd;
	pthread_rwlock_unlock(&a->lock);
	return 0;
}

/*
 * The record is written by hand, byte for byte what jansson made of it
 * before (json_pack, then json_dumps with JSON_COMPACT |
 * JSON_PRESERVE_ORDER, jansson 2.14; tests/unit/audit_diff.c keeps that
 * code, and test_authz_audit and fuzz_authz_audit hold this one to it): jansson cost about
 * 5 us of the gatekeeper's 8 per request.  Its rules, kept here:
 *   - a string must be UTF-8 (RFC 3629: no overlong forms, surrogates or
 *     code points above U+10FFFF); one that is not makes its key absent,
 *     or, for a key of the main record, the short record (time, uri
 *     "<not UTF-8>", decision, rule) - and no record when the rule itself
 *     is not UTF-8;
 *   - '"' and '\\' are escaped, \b \f \n \r \t by name, the other bytes
 *     below 0x20 as \u00XX (upper-case hex); '/', DEL and non-ASCII stay
 *     as they are;
 *   - pid, uid and gid went through json_pack's "i", an int: a uid or gid
 *     above INT_MAX is written negative.
 */

#define AUDIT_LINE_STACK	2048	/* most records fit here before their malloc */

/* A record being written; like snprintf, len also counts what did not fit. */
struct rec {
	char	*buf;
	size_t	 cap;	/* bytes of buf, its NUL included */
	size_t	 len;	/* bytes of the record so far */
};

static inline void
rec_put(struct rec *r, const void *p, size_t n)
{
	/* Once something did not fit, len >= cap and nothing more is copied. */
	if (r->len < r->cap && n < r->cap - r->len)
		memcpy(r->buf + r->len, p, n);
	r->len += n;
}

#define REC_LIT(r, s)	rec_put((r), (s), sizeof(s) - 1)

/*
 * What a byte is in a string: 1 copied as it is (printable ASCII and DEL,
 * but '"' and '\\'), 2 the first of a multi-byte sequence (checked by
 * utf8_seq), 0 the end, escaped, or never valid.
 */
#define R16(v)	v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
static const unsigned char byte_class[256] = {
	R16(0), R16(0),						/* 0x00-0x1f */
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,		/* 0x20-0x2f: '"' */
	R16(1), R16(1),						/* 0x30-0x4f */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,		/* 0x50-0x5f: '\\' */
	R16(1), R16(1),						/* 0x60-0x7f */
	R16(0), R16(0), R16(0), R16(0),				/* 0x80-0xbf: continuations */
	0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,		/* 0xc0-0xcf: 0xc0, 0xc1 overlong */
	R16(2), R16(2),						/* 0xd0-0xef */
	2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,		/* 0xf0-0xff: 0xf5- never */
};
#undef R16

/*
 * The length of the well-formed UTF-8 sequence that p (NUL-terminated)
 * starts with, 0 when it starts none (the NUL stops every check).
 */
static size_t
utf8_seq(const unsigned char *p)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static bool
utf8_ok(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	while (*p != '\0') {
		if (*p < 0x80)
			p++;
		else if ((n = utf8_seq(p)) > 0)
			p += n;
		else
			return false;
	}
	return true;
}

/* s as a JSON string; false when s is not UTF-8 (the caller rolls back). */
static bool
rec_str(struct rec *r, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p = (const unsigned char *)s, *run;
	char			 esc[6];
	size_t			 n;

	REC_LIT(r, "\"");
	for (;;) {
		for (run = p;;) {
			while (byte_class[*p] == 1)
				p++;
			if (byte_class[*p] != 2 || (n = utf8_seq(p)) == 0)
				break;
			p += n;
		}
		rec_put(r, run, (size_t)(p - run));
		if (*p == '\0')
			break;
		if (*p >= 0x80)
			return false;
		switch (*p) {
		case '"':	REC_LIT(r, "\\\""); break;
		case '\\':	REC_LIT(r, "\\\\"); break;
		case '\b':	REC_LIT(r, "\\b"); break;
		case '\f':	REC_LIT(r, "\\f"); break;
		case '\n':	REC_LIT(r, "\\n"); break;
		case '\r':	REC_LIT(r, "\\r"); break;
		case '\t':	REC_LIT(r, "\\t"); break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 0xf];
			rec_put(r, esc, sizeof(esc));
			break;
		}
		p++;
	}
	REC_LIT(r, "\"");
	return true;
}

/* s, or null for NULL (json_pack's "s?"); false when s is not UTF-8. */
static bool
rec_str_null(struct rec *r, const char *s)
{
	if (s == NULL) {
		REC_LIT(r, "null");
		return true;
	}
	return rec_str(r, s);
}

/* ,"key":"s" with s a string; nothing when it is NULL or not UTF-8 (json_object_set_new of a NULL json_string). */
static void
rec_member(struct rec *r, const char *key_lit, size_t key_len, const char *s)
{
	size_t	mark = r->len;

	if (s == NULL)
		return;
	rec_put(r, key_lit, key_len);
	if (!rec_str(r, s))
		r->len = mark;
}

#define REC_MEMBER(r, k, s)	rec_member((r), (k), sizeof(k) - 1, (s))

/*
 * ,"key":"s" as json_pack's "s" (nullable false) or "s?" (true) made it:
 * false when s is not UTF-8, or NULL and not nullable (the whole pack
 * failed then).
 */
static bool
rec_field(struct rec *r, const char *key_lit, size_t key_len, const char *s,
    bool nullable)
{
	if (s == NULL && !nullable)
		return false;
	rec_put(r, key_lit, key_len);
	return rec_str_null(r, s);
}

#define REC_FIELD(r, k, s, nullable)	rec_field((r), (k), sizeof(k) - 1, (s), (nullable))

static void
rec_int(struct rec *r, int v)
{
	char		 b[16], *p = b + sizeof(b);
	unsigned int	 u = v < 0 ? 0u - (unsigned int)v : (unsigned int)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	rec_put(r, p, (size_t)(b + sizeof(b) - p));
}

/* {"uid":N,"name":S|null[,"entered":B]}; false (nothing useful written) when the name is not UTF-8. */
static bool
rec_creator(struct rec *r, const struct authz_creator *cr, bool entered)
{
	REC_LIT(r, "{\"uid\":");
	rec_int(r, (int)cr->uid);
	REC_LIT(r, ",\"name\":");
	if (!rec_str_null(r, cr->name))
		return false;
	if (entered) {
		if (cr->entered)
			REC_LIT(r, ",\"entered\":true}");
		else
			REC_LIT(r, ",\"entered\":false}");
	} else
		REC_LIT(r, "}");
	return true;
}

/* The gatekeeper's caller: pid, uid, gid, and the container (and its creator) when there is one. */
static void
rec_caller(struct rec *r, const struct authz_caller *c)
{
	const struct authz_creator	*last = NULL;
	size_t				 i, mark, n;

	if (c->kind == AUTHZ_CALLER_CONTAINER)
		REC_LIT(r, "{\"kind\":\"container\",\"pid\":");
	else
		REC_LIT(r, "{\"kind\":\"host\",\"pid\":");
	rec_int(r, (int)c->pid);
	REC_LIT(r, ",\"uid\":");
	rec_int(r, (int)c->uid);
	REC_LIT(r, ",\"gid\":");
	rec_int(r, (int)c->gid);
	if (c->kind != AUTHZ_CALLER_CONTAINER) {
		REC_LIT(r, "}");
		return;
	}
	REC_MEMBER(r, ",\"container\":", c->container_id);
	REC_MEMBER(r, ",\"name\":", c->container_name);
	REC_MEMBER(r, ",\"image\":", c->image);
	/* The host users it acts for (dockward.users), creator first. */
	if (c->creators != NULL && c->ncreators > 0) {
		/*
		 * "creator" was set for each creator that did not only enter
		 * it, each replacing the last in place: the last one's value
		 * where the first was put, before "actsFor".  One whose name
		 * is not UTF-8 was never set.
		 */
		for (i = 0; i < c->ncreators; i++)
			if (!c->creators[i].entered && (c->creators[i].name == NULL ||
			    utf8_ok(c->creators[i].name)))
				last = &c->creators[i];
		if (last != NULL) {
			REC_LIT(r, ",\"creator\":");
			(void)rec_creator(r, last, false);
		}
		REC_LIT(r, ",\"actsFor\":[");
		for (i = 0, n = 0; i < c->ncreators; i++) {
			mark = r->len;
			if (n > 0)
				REC_LIT(r, ",");
			if (rec_creator(r, &c->creators[i], true))
				n++;
			else
				r->len = mark;
		}
		REC_LIT(r, "]");
	}
	REC_LIT(r, "}");
}

/* The time as it always was written: "2024-01-02T03:04:05.123456Z" into ts (64 bytes); its length. */
static size_t
time_slow(char *ts, const struct timeval *tv)
{
	struct tm	tm;
	int		n;

	memset(&tm, 0, sizeof(tm));
	gmtime_r(&tv->tv_sec, &tm);
	n = snprintf(ts, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, (long)tv->tv_usec);
	return n < 0 ? 0 : n < 64 ? (size_t)n : 63;
}

/*
 * The same, with the text up to the second kept per thread: gmtime_r
 * (which takes glibc's time zone lock) and snprintf run once a second.
 */
static size_t
rec_time(char *ts, const struct timeval *tv)
{
	static _Thread_local time_t	 sec;
	static _Thread_local char	 head[64];
	static _Thread_local size_t	 headlen;	/* 0: none */
	struct tm			 tm;
	long				 us = (long)tv->tv_usec;
	size_t				 i;
	int				 n;

	/* Microseconds not from gettimeofday: the slow way, as always. */
	if (us < 0 || us > 999999)
		return time_slow(ts, tv);
	if (headlen == 0 || sec != tv->tv_sec) {
		memset(&tm, 0, sizeof(tm));
		gmtime_r(&tv->tv_sec, &tm);
		n = snprintf(head, sizeof(head), "%04d-%02d-%02dT%02d:%02d:%02d.",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		/* The 7 bytes after it must fit in 64 too, as in time_slow. */
		headlen = n > 0 && n <= 63 - 7 ? (size_t)n : 0;
		sec = tv->tv_sec;
		if (headlen == 0)
			return time_slow(ts, tv);
	}
	memcpy(ts, head, headlen);
	for (i = 6; i > 0; i--, us /= 10)
		ts[headlen + i - 1] = (char)('0' + us % 10);
	ts[headlen + 6] = 'Z';
	ts[headlen + 7] = '\0';
	return headlen + 7;
}

/*
 * ,"wouldDeny":true right after "decision", for an allow that audit-only
 * mode made of a denial (authz_enforce.h), and only then: the other
 * records stay as they were.  Always true (for the || chain).
 */
static bool
rec_would_deny(struct rec *r, const struct authz_decision *d)
{
	if (d->would_deny && d->verdict == AUTHZ_ALLOW)
		REC_LIT(r, ",\"wouldDeny\":true");
	return true;
}

/* The whole record into r; false when there is none (the rule is not UTF-8). */
static bool
rec_record(struct rec *r, const struct timeval *tv, const struct authz_request *req,
    const struct authz_decision *d, const char *source, const struct authz_caller *caller)
{
	const char	*decision = d->verdict == AUTHZ_ALLOW ? "allow" : "deny";
	const char	*rule = d->rule ? d->rule : "internal";
	const char	*endpoint;
	char		 ts[64];
	size_t		 tslen, mark;

	tslen = rec_time(ts, tv);
	endpoint = req->uri ? authz_uri_endpoint_name(req->uri->endpoint) : "unknown";
	REC_LIT(r, "{\"time\":\"");
	rec_put(r, ts, tslen);
	REC_LIT(r, "\"");
	mark = r->len;
	if (!REC_FIELD(r, ",\"source\":", source, true) ||
	    !REC_FIELD(r, ",\"user\":", req->user && req->user[0] ? req->user : NULL, true) ||
	    !REC_FIELD(r, ",\"method\":", req->method, true) ||
	    !REC_FIELD(r, ",\"uri\":", req->raw_uri, true) ||
	    !REC_FIELD(r, ",\"endpoint\":", endpoint, false) ||
	    !REC_FIELD(r, ",\"decision\":", decision, false) ||
	    !rec_would_deny(r, d) ||
	    !REC_FIELD(r, ",\"rule\":", rule, false) ||
	    !REC_FIELD(r, ",\"field\":", d->field, false)) {
		/* The short record, after the time. */
		r->len = mark;
		REC_LIT(r, ",\"uri\":\"<not UTF-8>\",\"decision\":");
		(void)rec_str(r, decision);
		(void)rec_would_deny(r, d);
		REC_LIT(r, ",\"rule\":");
		if (!rec_str(r, rule))
			return false;
	}
	/* Every line has every key; an allow has an empty reason, but for a would-deny. */
	REC_MEMBER(r, ",\"reason\":", d->verdict == AUTHZ_ALLOW && !d->would_deny ?
	    "" : d->msg);
	if (caller != NULL) {
		REC_LIT(r, ",\"caller\":");
		rec_caller(r, caller);
	}
	REC_LIT(r, "}");
	return true;
}

/*
 * The record into buf (bufsz bytes): 0, -E2BIG when it does not fit,
 * -EINVAL when there is none.  *need is always set to the bytes the record
 * needs without its NUL (when there is one).
 */
static int
format_into(char *buf, size_t bufsz, size_t *need, const struct timeval *tv,
    const struct authz_request *req, const struct authz_decision *d,
    const char *source, const struct authz_caller *caller)
{
	struct rec	r = { .buf = buf, .cap = bufsz, .len = 0 };

	*need = 0;
	if (!rec_record(&r, tv, req, d, source, caller))
		return -EINVAL;
	*need = r.len;
	if (r.len >= bufsz)
		return -E2BIG;
	buf[r.len] = '\0';
	return 0;
}

int
authz_audit_format_buf(char *buf, size_t bufsz, size_t *ret_len,
    const struct timeval *tv, const struct authz_request *req,
    const struct authz_decision *d, const char *source,
    const struct authz_caller *caller)
{
	struct timeval	now;
	size_t		len;
	int		r;

	if (tv == NULL) {
		gettimeofday(&now, NULL);
		tv = &now;
	}
	if ((r = format_into(buf, bufsz, &len, tv, req, d, source, caller)) < 0)
		return r;
	*ret_len = len;
	return 0;
}

char *
authz_audit_format_caller(const struct authz_request *req,
    const struct authz_decision *d, const char *source,
    const struct authz_caller *caller)
{
	struct timeval	 tv;
	char		 stack[AUDIT_LINE_STACK], *line;
	size_t		 len;
	int		 r;

	gettimeofday(&tv, NULL);
	r = format_into(stack, sizeof(stack), &len, &tv, req, d, source, caller);
	if (r == -EINVAL || (line = malloc(len + 1)) == NULL)
		return NULL;
	if (r == 0)
		memcpy(line, stack, len + 1);
	else if (format_into(line, len + 1, &len, &tv, req, d, source, caller) < 0) {
		/* The same inputs and time: cannot happen, but never a partial line. */
		free(line);
		return NULL;
	}
	return line;
}

char *
authz_audit_format(const struct authz_request *req,
    const struct authz_decision *d, const char *source)
{
	return authz_audit_format_caller(req, d, source, NULL);
}

int
authz_audit_write(struct authz_audit *a, const char *line)
{
	size_t	 len = strlen(line);
	char	*buf;
	int	 r;

	/* One write(2) per record keeps lines whole under O_APPEND. */
	if ((buf = malloc(len + 1)) == NULL)
		return -ENOMEM;
	memcpy(buf, line, len);
	buf[len++] = '\n';
	/* O_APPEND: concurrent single writes land whole, one after another. */
	pthread_rwlock_rdlock(&a->lock);
	r = write_whole(a->fd, buf, len);
	pthread_rwlock_unlock(&a->lock);
	free(buf);
	return r;
}

int
authz_audit_write_later(struct authz_audit *a, const char *line)
{
	size_t	 len = strlen(line), ncap;
	char	*nq;

	pthread_mutex_lock(&a->qlock);
	if (!a->flusher_on || a->stopping || a->qlen + len + 1 > AUDIT_QUEUE_MAX) {
		pthread_mutex_unlock(&a->qlock);
		return authz_audit_write(a, line);
	}
	if (a->qlen + len + 1 > a->qcap) {
		ncap = a->qcap ? a->qcap : AUDIT_QUEUE_FIRST;
		while (ncap < a->qlen + len + 1)
			ncap *= 2;
		if ((nq = realloc(a->q, ncap)) == NULL) {
			pthread_mutex_unlock(&a->qlock);
			return authz_audit_write(a, line);
		}
		a->q = nq;
		a->qcap = ncap;
	}
	memcpy(a->q + a->qlen, line, len);
	a->q[a->qlen + len] = '\n';
	a->qlen += len + 1;
	pthread_mutex_unlock(&a->qlock);
	return 0;
}

unsigned long long
authz_audit_flush_errors(struct authz_audit *a)
{
	return __atomic_load_n(&a->flush_errors, __ATOMIC_RELAXED);
}

void
authz_audit_close(struct authz_audit *a)
{
	if (a == NULL)
		return;
	if (a->flusher_on) {
		pthread_mutex_lock(&a->qlock);
		a->stopping = true;
		pthread_cond_signal(&a->qstop);
		pthread_mutex_unlock(&a->qlock);
		pthread_join(a->flusher, NULL);
	}
	queue_flush(a);
	free(a->q);	/* the spare the last flush put in place, empty */
	free(a->spare);
	pthread_mutex_destroy(&a->qlock);
	pthread_cond_destroy(&a->qstop);
	if (a->path != NULL && a->fd >= 0)
		close(a->fd);
	pthread_rwlock_destroy(&a->lock);
	free(a->path);
	free(a);
}
