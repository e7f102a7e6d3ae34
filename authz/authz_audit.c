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

#include <jansson.h>

#include "authz/authz_audit.h"

struct authz_audit {
	pthread_rwlock_t lock;	/* writers share it (O_APPEND); reopen takes it alone */
	char		*path;	/* NULL for stdout */
	int		 fd;
	/* Allow records queued for the flusher thread (see authz_audit_write_later). */
	pthread_mutex_t	 qlock;
	pthread_cond_t	 qstop;
	char		*q;
	size_t		 qlen;
	bool		 stopping;
	pthread_t	 flusher;
	bool		 flusher_on;
	unsigned long long flush_errors;	/* records written to stderr instead (atomic) */
};

#define AUDIT_QUEUE_MAX		(256 * 1024)	/* queued bytes before writers write themselves */
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

/* Write out the queue; a failed write goes to stderr so no record is lost. */
static void
queue_flush(struct authz_audit *a)
{
	char	*buf;
	size_t	 len;

	pthread_mutex_lock(&a->qlock);
	buf = a->q;
	len = a->qlen;
	a->q = NULL;
	a->qlen = 0;
	pthread_mutex_unlock(&a->qlock);
	if (buf == NULL)
		return;
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
	free(buf);
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

char *
authz_audit_format_caller(const struct authz_request *req,
    const struct authz_decision *d, const char *source,
    const struct authz_caller *caller)
{
	struct timeval	 tv;
	struct tm	 tm;
	char		 ts[64];
	json_t		*o;
	char		*line;

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
	/* Every line has every key; an allow has an empty reason. */
	json_object_set_new(o, "reason", json_string(d->verdict == AUTHZ_ALLOW ?
	    "" : d->msg));
	if (caller != NULL)
		json_object_set_new(o, "caller", caller_json(caller));
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
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
	size_t	 len = strlen(line);
	char	*nq;

	pthread_mutex_lock(&a->qlock);
	if (!a->flusher_on || a->stopping || a->qlen + len + 1 > AUDIT_QUEUE_MAX) {
		pthread_mutex_unlock(&a->qlock);
		return authz_audit_write(a, line);
	}
	if ((nq = realloc(a->q, a->qlen + len + 1)) == NULL) {
		pthread_mutex_unlock(&a->qlock);
		return authz_audit_write(a, line);
	}
	a->q = nq;
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
	pthread_mutex_destroy(&a->qlock);
	pthread_cond_destroy(&a->qstop);
	if (a->path != NULL && a->fd >= 0)
		close(a->fd);
	pthread_rwlock_destroy(&a->lock);
	free(a->path);
	free(a);
}
