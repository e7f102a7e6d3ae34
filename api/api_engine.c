/* api_engine: bounded, timed Engine API lookups over a unix socket, on kept connections. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <http_parser.h>

#include "api/api_engine.h"
#include "api/api_metrics.h"
#include "api/api_stamp.h"
#include "common/dw_limits.h"
#include "common/dw_sock.h"

struct api_engine {
	char			*socket_path;
	struct api_stamp	*stamps;	/* borrowed; NULL: calls go unstamped */
	struct api_engine_pool	 pool;
};

/* ---- the pool ---- */

int
api_engine_pool_init(struct api_engine_pool *pool, size_t max)
{
	int	r;

	memset(pool, 0, sizeof(*pool));
	pool->max = max < DW_ENGINE_POOL_MAX ? max : DW_ENGINE_POOL_MAX;
	if ((r = pthread_mutex_init(&pool->lock, NULL)) != 0)
		return -r;
	return 0;
}

void
api_engine_pool_close(struct api_engine_pool *pool)
{
	size_t	i;

	pthread_mutex_lock(&pool->lock);
	pool->closed = true;
	for (i = 0; i < pool->n; i++)
		close(pool->idle[i].fd);
	pool->n = 0;
	pthread_mutex_unlock(&pool->lock);
}

void
api_engine_pool_clear(struct api_engine_pool *pool)
{
	api_engine_pool_close(pool);
	pthread_mutex_destroy(&pool->lock);
	memset(pool, 0, sizeof(*pool));
}

bool
api_engine_conn_idle(int fd)
{
	char	c;
	ssize_t	n;

	while ((n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT)) < 0 &&
	    errno == EINTR)
		;
	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* Milliseconds from a to b. */
static long long
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long long)(b->tv_sec - a->tv_sec) * 1000 +
	    (b->tv_nsec - a->tv_nsec) / 1000000;
}

int
api_engine_pool_get(struct api_engine_pool *pool, const char *socket_path,
    bool *ret_pooled)
{
	struct api_engine_idle	 it;
	struct timespec		 now;
	int			 fd = -1;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&pool->lock);
	/* Newest first: the likeliest to be alive; anything older goes too. */
	while (pool->n > 0) {
		it = pool->idle[--pool->n];
		if (ms_between(&it.since, &now) >= DW_ENGINE_IDLE_MAX_MS) {
			pool->expired++;
			close(it.fd);
			continue;
		}
		if (!api_engine_conn_idle(it.fd)) {
			pool->dead++;
			close(it.fd);
			continue;
		}
		fd = it.fd;
		break;
	}
	pthread_mutex_unlock(&pool->lock);
	*ret_pooled = fd >= 0;
	if (fd >= 0)
		return fd;
	return dw_sock_connect(socket_path);
}

void
api_engine_pool_put(struct api_engine_pool *pool, int fd)
{
	struct timespec	now;
	size_t		i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&pool->lock);
	if (!pool->closed && pool->max > 0) {
		if (pool->n == pool->max) {
			/* Full: the oldest goes, it would expire first. */
			close(pool->idle[0].fd);
			for (i = 1; i < pool->n; i++)
				pool->idle[i - 1] = pool->idle[i];
			pool->n--;
		}
		pool->idle[pool->n].fd = fd;
		pool->idle[pool->n].since = now;
		pool->n++;
		fd = -1;
	}
	pthread_mutex_unlock(&pool->lock);
	if (fd >= 0)
		close(fd);
}

/* ---- the client ---- */

struct api_engine *
api_engine_new(const char *socket_path)
{
	struct api_engine	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if ((e->socket_path = strdup(socket_path)) == NULL ||
	    api_engine_pool_init(&e->pool, DW_ENGINE_POOL_MAX) != 0) {
		free(e->socket_path);
		free(e);
		return NULL;
	}
	return e;
}

void
api_engine_stamp_set(struct api_engine *e, struct api_stamp *stamps)
{
	e->stamps = stamps;
}

struct api_engine_pool *
api_engine_pool(struct api_engine *e)
{
	return &e->pool;
}

void
api_engine_free(struct api_engine *e)
{
	if (e == NULL)
		return;
	api_engine_pool_clear(&e->pool);
	free(e->socket_path);
	free(e);
}

/* One answer being read. */
struct engine_answer {
	char		*body;
	size_t		 len;
	size_t		 cap;
	size_t		 head;		/* bytes of head seen, bounded */
	bool		 too_big;
	bool		 done;
};

static int
answer_header(http_parser *p, const char *at, size_t n)
{
	struct engine_answer	*a = p->data;

	(void)at;
	a->head += n;
	return a->head > DW_ENGINE_HEAD_MAX;
}

/* A Content-Length over the limit is refused before its body is read. */
static int
answer_head_done(http_parser *p)
{
	struct engine_answer	*a = p->data;

	if (p->content_length != ULLONG_MAX &&
	    p->content_length > (uint64_t)DW_ENGINE_RESP_MAX) {
		a->too_big = true;
		return 3;	/* neither 0, 1 (no body) nor 2 (upgrade): an error */
	}
	return 0;
}

static int
answer_body(http_parser *p, const char *at, size_t n)
{
	struct engine_answer	*a = p->data;

	char			*nb;
	size_t			 cap;

	if (a->len > DW_ENGINE_RESP_MAX || n > DW_ENGINE_RESP_MAX - a->len) {
		a->too_big = true;
		return 1;
	}
	/* Doubling, not one realloc per read: an 8 MiB answer comes in 16 KiB reads. */
	if (a->len + n + 1 > a->cap) {
		cap = a->cap > 0 ? a->cap : 16384;
		while (cap < a->len + n + 1)
			cap *= 2;
		if (cap > (size_t)DW_ENGINE_RESP_MAX + 1)
			cap = (size_t)DW_ENGINE_RESP_MAX + 1;
		if ((nb = realloc(a->body, cap)) == NULL)
			return 1;	/* not too_big: -EPROTO, a deny all the same */
		a->body = nb;
		a->cap = cap;
	}
	memcpy(a->body + a->len, at, n);
	a->len += n;
	a->body[a->len] = '\0';
	return 0;
}

static int
answer_done(http_parser *p)
{
	struct engine_answer	*a = p->data;

	a->done = true;
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings answer_settings = {
	.on_header_field = answer_header,
	.on_header_value = answer_header,
	.on_headers_complete = answer_head_done,
	.on_body = answer_body,
	.on_message_complete = answer_done,
};

/*
 * Send the request req on fd and read the whole answer into *a before
 * deadline (CLOCK_MONOTONIC).  0 with *ret_status and *ret_reusable, or
 * -EIO (*ret_got: whether any answer byte came), -ETIMEDOUT, -EPROTO,
 * -E2BIG.
 */
static int
engine_exchange(int fd, const char *req, size_t req_len,
    const struct timespec *deadline, struct engine_answer *a,
    unsigned *ret_status, bool *ret_reusable, bool *ret_got)
{
	http_parser	 p;
	struct pollfd	 pfd;
	struct timespec	 now;
	char		 buf[16384];
	ssize_t		 n;
	size_t		 used;
	long long	 left;
	int		 r;

	*ret_got = false;
	if ((r = dw_sock_write_all(fd, req, req_len)) < 0)
		return -EIO;
	http_parser_init(&p, HTTP_RESPONSE);
	p.data = a;
	while (!a->done) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((left = ms_between(&now, deadline)) <= 0)
			return -ETIMEDOUT;
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if ((r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left)) < 0) {
			if (errno == EINTR)
				continue;
			return -EIO;
		}
		if (r == 0)
			continue;
		if ((n = recv(fd, buf, sizeof(buf), 0)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -EIO;
		}
		if (n == 0) {
			/* EOF: ends an answer that runs to the close, else too early. */
			http_parser_execute(&p, &answer_settings, NULL, 0);
			if (!a->done)
				return *ret_got ? -EPROTO : -EIO;
			*ret_reusable = false;
			break;
		}
		*ret_got = true;
		used = http_parser_execute(&p, &answer_settings, buf, (size_t)n);
		if (a->too_big)
			return -E2BIG;
		if (HTTP_PARSER_ERRNO(&p) != HPE_OK &&
		    HTTP_PARSER_ERRNO(&p) != HPE_PAUSED)
			return a->head > DW_ENGINE_HEAD_MAX ? -E2BIG : -EPROTO;
		if (a->done) {
			/* Bytes after the answer: nobody's; do not keep the connection. */
			*ret_reusable = used == (size_t)n &&
			    http_should_keep_alive(&p);
		}
	}
	*ret_status = p.status_code;
	return 0;
}

int
api_engine_get_json(struct api_engine *e, const char *path, json_t **ret,
    struct dw_err *err)
{
	struct engine_answer	 a;
	struct timespec		 deadline;
	json_error_t		 jerr;
	char			 req[DW_URI_MAX + 256], stamp[API_STAMP_LEN + 1];
	const char		*c;
	unsigned		 status = 0;
	bool			 pooled, reusable = false, got;
	json_t			*j;
	int			 fd = -1, n, attempt, r;

	memset(&a, 0, sizeof(a));
	for (c = path; *c != '\0'; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f) {
			dw_err_set(err, "engine path with a control character "
			    "or space");
			return -EINVAL;
		}
	if (e->stamps != NULL) {
		/* Full mode: dockerd asks the plugin about this call too; prove it is ours. */
		if (api_stamp_issue(e->stamps, "GET", path, stamp) < 0) {
			dw_err_set(err, "no randomness for the request's stamp");
			return -EIO;
		}
		n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost"
		    "\r\nUser-Agent: dockward\r\n%s: %s\r\n\r\n", path,
		    API_STAMP_HEADER, stamp);
	} else
		n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost"
		    "\r\nUser-Agent: dockward\r\n\r\n", path);
	if (n < 0 || (size_t)n >= sizeof(req)) {
		dw_err_set(err, "engine path too long");
		return -E2BIG;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += DW_ENGINE_TIMEOUT_MS / 1000;
	deadline.tv_nsec += (long)(DW_ENGINE_TIMEOUT_MS % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	for (attempt = 0;; attempt++) {
		if ((fd = api_engine_pool_get(&e->pool, e->socket_path,
		    &pooled)) < 0) {
			dw_err_set(err, "engine at %s unreachable: %s",
			    e->socket_path, strerror(-fd));
			api_metrics_upstream_error();
			r = -EIO;
			goto out;
		}
		reusable = false;
		r = engine_exchange(fd, req, (size_t)n, &deadline, &a, &status,
		    &reusable, &got);
		if (r == 0)
			break;
		close(fd);
		fd = -1;
		/* Closed by the engine between the check and our write: once more, new. */
		if (r == -EIO && pooled && !got && attempt == 0) {
			free(a.body);
			memset(&a, 0, sizeof(a));
			continue;
		}
		if (r == -E2BIG)
			dw_err_set(err, "engine answer over %d bytes",
			    a.too_big ? DW_ENGINE_RESP_MAX : DW_ENGINE_HEAD_MAX);
		else if (r == -EPROTO)
			dw_err_set(err, "engine at %s answered outside HTTP/1.1",
			    e->socket_path);
		else {
			dw_err_set(err, "engine at %s unreachable: %s",
			    e->socket_path, r == -ETIMEDOUT ? "timed out" :
			    "connection closed");
			api_metrics_upstream_error();
		}
		goto out;
	}
	if (reusable)
		api_engine_pool_put(&e->pool, fd);
	else
		close(fd);
	fd = -1;
	if (status == 404) {
		dw_err_set(err, "not found");
		r = -ENOENT;
		goto out;
	}
	if (status != 200) {
		dw_err_set(err, "engine answered HTTP %u for %s", status, path);
		r = -EIO;
		goto out;
	}
	/* Inspects answer objects, lists (containers/json) arrays. */
	if ((j = json_loadb(a.body ? a.body : "", a.len, 0, &jerr)) == NULL ||
	    (!json_is_object(j) && !json_is_array(j))) {
		json_decref(j);
		dw_err_set(err, "engine answer for %s is not a JSON object or array", path);
		r = -EPROTO;
		goto out;
	}
	*ret = j;
	r = 0;
out:
	free(a.body);
	return r;
}

/* GET prefix + escaped name + suffix. */
static int
inspect(void *ctx, const char *prefix, const char *name, const char *suffix,
    json_t **ret, struct dw_err *err)
{
	char	 path[DW_URI_MAX];
	char	*esc;
	json_t	*j;
	int	 r;

	if ((esc = curl_easy_escape(NULL, name, 0)) == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if (strlen(prefix) + strlen(esc) + strlen(suffix) >= sizeof(path)) {
		curl_free(esc);
		dw_err_set(err, "name too long");
		return -E2BIG;
	}
	snprintf(path, sizeof(path), "%s%s%s", prefix, esc, suffix);
	curl_free(esc);
	if ((r = api_engine_get_json(ctx, path, &j, err)) < 0)
		return r;
	if (!json_is_object(j)) {
		json_decref(j);
		dw_err_set(err, "engine answer for %s is not a JSON object", path);
		return -EPROTO;
	}
	*ret = j;
	return 0;
}

int
api_engine_container_inspect(void *ctx, const char *id, json_t **ret,
    struct dw_err *err)
{
	return inspect(ctx, "/v1.24/containers/", id, "/json", ret, err);
}

int
api_engine_exec_inspect(void *ctx, const char *id, json_t **ret,
    struct dw_err *err)
{
	return inspect(ctx, "/v1.24/exec/", id, "/json", ret, err);
}

int
api_engine_volume_inspect(void *ctx, const char *name, json_t **ret,
    struct dw_err *err)
{
	return inspect(ctx, "/v1.24/volumes/", name, "", ret, err);
}

int
api_engine_image_inspect(void *ctx, const char *ref, json_t **ret,
    struct dw_err *err)
{
	return inspect(ctx, "/v1.24/images/", ref, "/json", ret, err);
}

int
api_engine_network_inspect(void *ctx, const char *id, json_t **ret,
    struct dw_err *err)
{
	return inspect(ctx, "/v1.24/networks/", id, "", ret, err);
}
