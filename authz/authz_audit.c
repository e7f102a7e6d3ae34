/* authz_audit: JSON-lines audit log with reopen for rotation. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "authz/authz_audit.h"

struct authz_audit {
	pthread_mutex_t	 lock;
	char		*path;	/* NULL for stdout */
	int		 fd;
};

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
	pthread_mutex_init(&a->lock, NULL);
	if (path == NULL || strcmp(path, "-") == 0) {
		a->fd = STDOUT_FILENO;
		return a;
	}
	if ((a->path = strdup(path)) == NULL ||
	    (a->fd = audit_open_fd(path, err)) < 0) {
		free(a->path);
		free(a);
		return NULL;
	}
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
	pthread_mutex_lock(&a->lock);
	close(a->fd);
	a->fd = fd;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

char *
authz_audit_format(const struct authz_request *req,
    const struct authz_decision *d, const char *source)
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
	    "endpoint", req->uri ? api_endpoint_name(req->uri->endpoint) : "unknown",
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
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return line;
}

int
authz_audit_write(struct authz_audit *a, const char *line)
{
	size_t	len = strlen(line), off = 0;
	ssize_t	n;
	char	*buf;
	int	r = 0;

	/* One write(2) per record keeps lines whole under O_APPEND. */
	if ((buf = malloc(len + 1)) == NULL)
		return -ENOMEM;
	memcpy(buf, line, len);
	buf[len++] = '\n';
	pthread_mutex_lock(&a->lock);
	while (off < len) {
		n = write(a->fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	pthread_mutex_unlock(&a->lock);
	free(buf);
	return r;
}

void
authz_audit_close(struct authz_audit *a)
{
	if (a == NULL)
		return;
	if (a->path != NULL && a->fd >= 0)
		close(a->fd);
	pthread_mutex_destroy(&a->lock);
	free(a->path);
	free(a);
}
