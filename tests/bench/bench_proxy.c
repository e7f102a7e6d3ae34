/*
 * bench_proxy: Engine API load generator for unix sockets (make bench-proxy).
 *
 * Compares, in one run, several sockets that answer the Docker Engine API:
 * the engine's own socket and proxies in front of it.  Every connection is
 * one thread that connects once and sends HTTP/1.1 keep-alive requests, one
 * at a time, reading each whole response (Content-Length, chunked or
 * until close) before the next; each request's latency is taken with
 * CLOCK_MONOTONIC.  Targets are measured in rounds, interleaved (round r
 * starts with target r mod n), so drift on the machine hits all of them
 * alike; the figures reported are medians across rounds.
 *
 * --save IMAGE times GET /images/get?names=IMAGE instead and reports MB/s;
 * one unmeasured pass per target first hashes the whole archive (FNV-1a
 * 64), and every target must send the same bytes.
 *
 * --method POST --body FILE sends FILE as a JSON body with every request
 * (an AuthZReq to a plugin socket, a create to the engine); --expect
 * LABEL=TEXT makes every response of that target carry TEXT in its first
 * BP_CAP_LEN body bytes (a plugin's verdict), so a bench cannot time the
 * wrong answer.  --create-delete makes each measured unit a create (201,
 * its "Id" taken from the answer) and the DELETE ?force=1 of that
 * container (204) on the same connection, so the engine's state does not
 * grow while it is measured.
 *
 * --connect-per-request opens a new connection for every request (sent
 * with "Connection: close"; the connect is part of the latency), as a
 * client that does not keep connections alive.  --hold N opens N
 * connections to the first target, sends one request on each (answered
 * 2xx, with --expect's text), prints "HELD N" and keeps them open, idle,
 * until killed: a bench reads the server's memory meanwhile.
 *
 * A compact hand-written HTTP/1.1 parser is fine here: this is a bench
 * client talking to servers we start ourselves, not the product.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define BP_MAX_TARGETS	16
#define BP_MAX_CONNS	256
#define BP_MAX_SAMPLES	(64UL * 1024 * 1024)	/* latencies per connection and round */
#define BP_BUF_SIZE	(256 * 1024)		/* read buffer; also the longest header line */
#define BP_IO_TIMEOUT	120			/* seconds a read or write may block */
#define BP_ERR_LEN	200			/* a connection's error */
#define BP_FAIL_LEN	(BP_ERR_LEN + 200)	/* a target's */
#define BP_CAP_LEN	1024			/* body bytes kept for --expect and Ids */
#define BP_BODY_MAX	(1024 * 1024)		/* --body FILE */
#define BP_HOLD_MAX	4096			/* --hold N */

struct bp_target {
	char		 label[64];
	const char	*sock;
	double		*rps, *mbps, *p50, *p90, *p99;	/* one per round */
	int		 nrounds;
	unsigned long long verify_bytes;		/* --save: the archive's size ... */
	uint64_t	 verify_hash;			/* ... and FNV-1a 64 hash */
	long		 reconnects;
	const char	*expect;			/* NULL, or text every answer has */
	char		 fail[BP_FAIL_LEN];		/* set: skipped from then on */
};

struct bp_opts {
	const char	*method;
	char		 path[1024];
	int		 conns[8];
	int		 nconns;
	double		 duration;			/* seconds per target and round */
	long		 requests;			/* or requests per target and round */
	long		 warmup;			/* unmeasured requests per connection;
						   -1: 200, none with --save */
	int		 rounds;
	const char	*save;
	const char	*name;				/* --case: names the measurement */
	char		*body;				/* --body: the file's bytes */
	size_t		 bodylen;
	int		 create_delete;
	int		 per_request;			/* --connect-per-request */
	int		 hold;				/* --hold N */
};

struct bp_conn {
	int		 fd;
	const char	*sock;
	char		*buf;
	size_t		 off, len;
};

struct bp_resp {
	int		 status;
	unsigned long long body;			/* body bytes read */
	uint64_t	 hash;
	char		 cap[BP_CAP_LEN + 1];		/* the body's first bytes, NUL-terminated */
	size_t		 ncap;
};

struct bp_worker {
	pthread_t		 tid;
	const struct bp_opts	*o;
	const struct bp_target	*t;
	const char		*req;
	size_t			 reqlen;
	pthread_barrier_t	*barrier;
	long			 todo;		/* measured requests; 0: until the deadline */
	long			 warmup;
	int			 hash;
	long long		*lat;		/* ns per measured request */
	size_t			 nlat, caplat;
	long long		 t_begin, t_end;
	unsigned long long	 bytes, first_bytes;
	uint64_t		 first_hash;
	long			 reconnects;
	char			 err[BP_ERR_LEN];
};

static struct bp_target	targets[BP_MAX_TARGETS];
static int		ntargets;

/* Monotonic clock in nanoseconds. */
static long long
bp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* FNV-1a 64 over a buffer, continuing from h. */
static uint64_t
bp_fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Connect c to its unix socket, with bounded blocking reads and writes. */
static int
bp_conn_open(struct bp_conn *c)
{
	struct sockaddr_un	 sun;
	struct timeval		 tv = { BP_IO_TIMEOUT, 0 };
	int			 fd, r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(c->sock) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, c->sock, strlen(c->sock) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	c->fd = fd;
	c->off = c->len = 0;
	return 0;
}

/* Close c's connection (its buffer stays). */
static void
bp_conn_close(struct bp_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->off = c->len = 0;
}

/* Read more bytes into c's buffer: 0, -ECONNRESET at end of stream, -E2BIG when full. */
static int
bp_conn_fill(struct bp_conn *c)
{
	ssize_t n;

	if (c->off == c->len)
		c->off = c->len = 0;
	else if (c->off > 0 && c->len == BP_BUF_SIZE) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len == BP_BUF_SIZE)
		return -E2BIG;
	for (;;) {
		n = read(c->fd, c->buf + c->len, BP_BUF_SIZE - c->len);
		if (n > 0) {
			c->len += (size_t)n;
			return 0;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* One CRLF-terminated line, NUL-terminated in place (without the CRLF). */
static int
bp_conn_line(struct bp_conn *c, char **ret_line)
{
	char	*p, *nl;
	int	 r;

	for (;;) {
		p = c->buf + c->off;
		nl = memchr(p, '\n', c->len - c->off);
		if (nl != NULL)
			break;
		if ((r = bp_conn_fill(c)) < 0)
			return r;
	}
	c->off = (size_t)(nl - c->buf) + 1;
	*nl = '\0';
	if (nl > p && nl[-1] == '\r')
		nl[-1] = '\0';
	*ret_line = p;
	return 0;
}

/* Consume n body bytes (or, with n == ULLONG_MAX, all until end of stream). */
static int
bp_conn_body(struct bp_conn *c, unsigned long long n, int hash, struct bp_resp *rp)
{
	size_t	take;
	int	r;

	while (n > 0) {
		if (c->off == c->len && (r = bp_conn_fill(c)) < 0)
			return (r == -ECONNRESET && n == ULLONG_MAX) ? 0 : r;
		take = c->len - c->off;
		if ((unsigned long long)take > n)
			take = (size_t)n;
		if (hash)
			rp->hash = bp_fnv1a(rp->hash, (unsigned char *)c->buf + c->off, take);
		if (rp->ncap < BP_CAP_LEN) {
			size_t k = BP_CAP_LEN - rp->ncap < take ? BP_CAP_LEN - rp->ncap : take;

			memcpy(rp->cap + rp->ncap, c->buf + c->off, k);
			rp->ncap += k;
			rp->cap[rp->ncap] = '\0';
		}
		rp->body += take;
		c->off += take;
		if (n != ULLONG_MAX)
			n -= take;
	}
	return 0;
}

/* A chunked body, trailers included. */
static int
bp_conn_chunked(struct bp_conn *c, int hash, struct bp_resp *rp)
{
	unsigned long long	 size;
	char			*line, *end;
	int			 r;

	for (;;) {
		if ((r = bp_conn_line(c, &line)) < 0)
			return r;
		errno = 0;
		size = strtoull(line, &end, 16);
		if (end == line || errno != 0 || (*end != '\0' && *end != ';' &&
		    *end != ' ' && *end != '\t'))
			return -EPROTO;
		if (size == 0)
			break;
		if ((r = bp_conn_body(c, size, hash, rp)) < 0 ||
		    (r = bp_conn_line(c, &line)) < 0)
			return r;
		if (*line != '\0')
			return -EPROTO;
	}
	do {	/* trailers, up to the empty line */
		if ((r = bp_conn_line(c, &line)) < 0)
			return r;
	} while (*line != '\0');
	return 0;
}

/* Case-insensitive "Name:" prefix test; the value, without leading blanks, or NULL. */
static const char *
bp_header(const char *line, const char *name)
{
	size_t n = strlen(name);

	if (strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

/*
 * Send one request (req, reqlen bytes; head: its answer has no body) on c,
 * connecting first if needed, and read the whole response.
 */
static int
bp_send(struct bp_conn *c, const struct bp_worker *w, const char *req,
    size_t reqlen, int head, long *reconnects, struct bp_resp *rp)
{
	unsigned long long	 clen = ULLONG_MAX;
	const char		*v;
	char			*line, *end;
	size_t			 sent = 0;
	ssize_t			 n;
	int			 chunked = 0, close_after = 0, r;

	if (c->fd < 0) {
		if ((r = bp_conn_open(c)) < 0)
			return r;
		(*reconnects)++;
	}
	while (sent < reqlen) {
		n = send(c->fd, req + sent, reqlen - sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		sent += (size_t)n;
	}
	memset(rp, 0, sizeof(*rp));
	rp->hash = 0xcbf29ce484222325ULL;
	do {	/* skip interim 1xx responses */
		if ((r = bp_conn_line(c, &line)) < 0)
			return r;
		if (strlen(line) < 12 || strncmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ')
			return -EPROTO;
		rp->status = (int)strtol(line + 9, &end, 10);
		if (end != line + 12)
			return -EPROTO;
		if (line[7] == '0')
			close_after = 1;
		for (;;) {
			if ((r = bp_conn_line(c, &line)) < 0)
				return r;
			if (*line == '\0')
				break;
			if ((v = bp_header(line, "Content-Length")) != NULL) {
				errno = 0;
				clen = strtoull(v, &end, 10);
				if (end == v || errno != 0)
					return -EPROTO;
			} else if ((v = bp_header(line, "Transfer-Encoding")) != NULL)
				chunked = strcasestr(v, "chunked") != NULL;
			else if ((v = bp_header(line, "Connection")) != NULL) {
				if (strcasestr(v, "close") != NULL)
					close_after = 1;
				else if (strcasestr(v, "keep-alive") != NULL)
					close_after = 0;
			}
		}
	} while (rp->status >= 100 && rp->status < 200);
	if (head || rp->status == 204 || rp->status == 304)
		r = 0;
	else if (chunked)
		r = bp_conn_chunked(c, w->hash, rp);
	else {
		if (clen == ULLONG_MAX)
			close_after = 1;	/* the body runs until the server closes */
		r = bp_conn_body(c, clen, w->hash, rp);
	}
	if (r < 0)
		return r;
	if (close_after)
		bp_conn_close(c);
	return 0;
}

/*
 * One measured unit: the request, checked against the target's --expect;
 * with --create-delete also the DELETE of the container it created.  0, a
 * negative errno, or 1 with w->err set (an unexpected answer).
 */
static int
bp_request(struct bp_conn *c, struct bp_worker *w, long *reconnects,
    struct bp_resp *rp)
{
	struct bp_resp	 dr;
	char		 del[256], id[80], *p;
	size_t		 n;
	int		 r;

	r = bp_send(c, w, w->req, w->reqlen, strcmp(w->o->method, "HEAD") == 0,
	    reconnects, rp);
	if (r >= 0 && w->o->per_request)
		bp_conn_close(c);
	if (r < 0 || rp->status / 100 != 2)
		return r;
	if (w->t->expect != NULL && strstr(rp->cap, w->t->expect) == NULL) {
		snprintf(w->err, sizeof(w->err), "HTTP %d without \"%s\": %.100s",
		    rp->status, w->t->expect, rp->cap);
		return 1;
	}
	if (!w->o->create_delete)
		return 0;
	if ((p = strstr(rp->cap, "\"Id\":\"")) == NULL ||
	    (n = strspn(p + 6, "0123456789abcdef")) == 0 || n >= sizeof(id)) {
		snprintf(w->err, sizeof(w->err), "create answered HTTP %d without an "
		    "Id: %.100s", rp->status, rp->cap);
		return 1;
	}
	memcpy(id, p + 6, n);
	id[n] = '\0';
	n = (size_t)snprintf(del, sizeof(del), "DELETE /containers/%s?force=1 HTTP/1.1\r\n"
	    "Host: docker\r\nUser-Agent: dockward-bench_proxy\r\n\r\n", id);
	if ((r = bp_send(c, w, del, n, 0, reconnects, &dr)) < 0)
		return r;
	if (dr.status != 204) {
		snprintf(w->err, sizeof(w->err), "delete %.12s: HTTP status %d", id,
		    dr.status);
		return 1;
	}
	return 0;
}

/* Keep one latency sample, growing the array up to BP_MAX_SAMPLES. */
static int
bp_worker_sample(struct bp_worker *w, long long ns)
{
	long long	*p;
	size_t		 cap;

	if (w->nlat == w->caplat) {
		if (w->caplat >= BP_MAX_SAMPLES)
			return -E2BIG;
		cap = w->caplat ? w->caplat * 2 : 4096;
		if ((p = realloc(w->lat, cap * sizeof(*p))) == NULL)
			return -ENOMEM;
		w->lat = p;
		w->caplat = cap;
	}
	w->lat[w->nlat++] = ns;
	return 0;
}

/* Record the first error of w, with the response status when there was one. */
static void
bp_worker_fail(struct bp_worker *w, const char *what, int r, int status)
{
	if (w->err[0] != '\0')
		return;
	if (r < 0)
		snprintf(w->err, sizeof(w->err), "%s: %s", what, strerror(-r));
	else
		snprintf(w->err, sizeof(w->err), "%s: HTTP status %d", what, status);
}

/* One connection's thread: connect, warm up, wait for the others, measure. */
static void *
bp_worker_run(void *arg)
{
	struct bp_worker	*w = arg;
	struct bp_conn		 c = { -1, w->t->sock, NULL, 0, 0 };
	struct bp_resp		 rp = { .status = 0 };
	long long		 t0, t1, deadline;
	long			 i, dummy = 0;
	int			 r;

	if ((c.buf = malloc(BP_BUF_SIZE)) == NULL)
		bp_worker_fail(w, "malloc", -ENOMEM, 0);
	else if (!w->o->per_request && (r = bp_conn_open(&c)) < 0)
		bp_worker_fail(w, "connect", r, 0);
	for (i = 0; i < w->warmup && w->err[0] == '\0'; i++) {
		if ((r = bp_request(&c, w, &dummy, &rp)) != 0 || rp.status / 100 != 2)
			bp_worker_fail(w, "warmup request", r, rp.status);
	}
	pthread_barrier_wait(w->barrier);
	w->t_begin = w->t_end = bp_now_ns();
	deadline = w->t_begin + (long long)(w->o->duration * 1e9);
	for (i = 0; w->err[0] == '\0'; i++) {
		if (w->todo > 0 ? i >= w->todo : (i > 0 && w->t_end >= deadline))
			break;
		t0 = bp_now_ns();
		if ((r = bp_request(&c, w, &w->reconnects, &rp)) != 0 || rp.status / 100 != 2) {
			bp_worker_fail(w, "request", r, rp.status);
			break;
		}
		t1 = w->t_end = bp_now_ns();
		if (i == 0) {
			w->first_bytes = rp.body;
			w->first_hash = rp.hash;
		} else if (w->o->save != NULL && rp.body != w->first_bytes) {
			snprintf(w->err, sizeof(w->err), "response %ld has %llu body bytes, "
			    "the first had %llu", i + 1, rp.body, w->first_bytes);
			break;
		}
		w->bytes += rp.body;
		if ((r = bp_worker_sample(w, t1 - t0)) < 0)
			bp_worker_fail(w, "latency samples", r, 0);
	}
	bp_conn_close(&c);
	free(c.buf);
	return NULL;
}

/* Sort helpers. */
static int
bp_cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static int
bp_cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile q (0..1) of n sorted samples, in microseconds. */
static double
bp_pct_us(const long long *v, size_t n, double q)
{
	size_t k = (size_t)(q * (double)n + 0.999999);

	if (n == 0)
		return 0;
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return (double)v[k - 1] / 1000.0;
}

/* Median of n values (sorts a copy). */
static double
bp_median(const double *v, int n)
{
	double	tmp[64];
	int	i;

	if (n <= 0)
		return 0;
	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		tmp[i] = v[i];
	qsort(tmp, (size_t)n, sizeof(*tmp), bp_cmp_d);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/*
 * One measurement of target t with nconn connections; on success appends
 * the round's figures to t (or, with verify, records the archive's size
 * and hash).  Errors mark the target failed.
 */
static void
bp_target_run(const struct bp_opts *o, struct bp_target *t, const char *req,
    int nconn, int verify)
{
	struct bp_worker	*w;
	pthread_barrier_t	 barrier;
	long long		*all = NULL, begin = 0, end = 0;
	unsigned long long	 bytes = 0;
	size_t			 n = 0, k;
	double			 secs;
	int			 i, started = 0;

	if ((w = calloc((size_t)nconn, sizeof(*w))) == NULL) {
		snprintf(t->fail, sizeof(t->fail), "out of memory");
		return;
	}
	pthread_barrier_init(&barrier, NULL, (unsigned)nconn);
	for (i = 0; i < nconn; i++) {
		w[i].o = o;
		w[i].t = t;
		w[i].req = req;
		w[i].reqlen = strlen(req);
		w[i].barrier = &barrier;
		w[i].hash = verify;
		w[i].warmup = verify ? 0 : o->warmup;
		if (verify)
			w[i].todo = 1;
		else if (o->requests > 0)
			w[i].todo = o->requests / nconn + (i < o->requests % nconn);
		if (pthread_create(&w[i].tid, NULL, bp_worker_run, &w[i]) != 0) {
			/* the barrier cannot be passed: give up before it is needed */
			fprintf(stderr, "bench_proxy: pthread_create failed\n");
			exit(2);
		}
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(w[i].tid, NULL);
	pthread_barrier_destroy(&barrier);
	for (i = 0; i < nconn; i++) {
		if (w[i].err[0] != '\0' && t->fail[0] == '\0')
			snprintf(t->fail, sizeof(t->fail), "connection %d: %s", i + 1, w[i].err);
		if (o->save != NULL && w[i].nlat > 0 &&
		    w[i].first_bytes != w[0].first_bytes && t->fail[0] == '\0')
			snprintf(t->fail, sizeof(t->fail), "connections got bodies of "
			    "different sizes (%llu, %llu)", w[0].first_bytes, w[i].first_bytes);
		if (i == 0 || w[i].t_begin < begin)
			begin = w[i].t_begin;
		if (i == 0 || w[i].t_end > end)
			end = w[i].t_end;
		n += w[i].nlat;
		bytes += w[i].bytes;
		t->reconnects += w[i].reconnects;
	}
	if (t->fail[0] != '\0' || n == 0)
		goto out;
	if (verify) {
		t->verify_bytes = w[0].first_bytes;
		t->verify_hash = w[0].first_hash;
		goto out;
	}
	if (o->save != NULL && w[0].first_bytes != t->verify_bytes) {
		snprintf(t->fail, sizeof(t->fail), "archive of %llu bytes, the verified "
		    "pass had %llu", w[0].first_bytes, t->verify_bytes);
		goto out;
	}
	if ((all = malloc(n * sizeof(*all))) == NULL) {
		snprintf(t->fail, sizeof(t->fail), "out of memory");
		goto out;
	}
	for (n = 0, i = 0; i < nconn; i++)
		for (k = 0; k < w[i].nlat; k++)
			all[n++] = w[i].lat[k];
	qsort(all, n, sizeof(*all), bp_cmp_ll);
	secs = (double)(end - begin) / 1e9;
	if (secs <= 0)
		secs = 1e-9;
	k = (size_t)t->nrounds++;
	t->rps[k] = (double)n / secs;
	t->mbps[k] = (double)bytes / 1e6 / secs;
	t->p50[k] = bp_pct_us(all, n, 0.50);
	t->p90[k] = bp_pct_us(all, n, 0.90);
	t->p99[k] = bp_pct_us(all, n, 0.99);
out:
	for (i = 0; i < nconn; i++)
		free(w[i].lat);
	free(all);
	free(w);
}

/* The figure a target is compared on: MB/s with --save, else requests/s. */
static double
bp_figure(const struct bp_opts *o, const struct bp_target *t)
{
	return o->save ? bp_median(t->mbps, t->nrounds) : bp_median(t->rps, t->nrounds);
}

/* Print one table (markdown) and one BENCH line per target. */
static void
bp_report(const struct bp_opts *o, int nconn)
{
	const struct bp_target	*t;
	double			 base = 0;
	char			 ratio[32];
	int			 i, k;

	printf("\n### %s%s%s %s%s, %d %s%s\n\n",
	    o->name ? o->name : "", o->name ? ": " : "", o->method, o->path,
	    o->create_delete ? " + DELETE" : "", nconn,
	    o->per_request ? "client, a new connection per request" : "keep-alive connection",
	    nconn == 1 || o->per_request ? "" : "s");
	printf("Targets measured interleaved: %d rounds x %d targets x ", o->rounds, ntargets);
	if (o->requests > 0)
		printf("%ld requests", o->requests);
	else
		printf("%g s", o->duration);
	printf(" (round r starts with target r mod %d; %ld unmeasured warm-up requests "
	    "per connection before each measurement); figures are medians across "
	    "rounds.\n", ntargets, o->warmup);
	if (o->save != NULL)
		printf("Each target's archive was first read once, unmeasured, and hashed "
		    "(FNV-1a 64); every measured response had that byte count.\n");
	printf("\n");
	if (targets[0].fail[0] == '\0')
		base = bp_figure(o, &targets[0]);
	if (o->save != NULL) {
		printf("| target | MB/s | saves/s | p50 ms | p99 ms | bytes | fnv1a64 | MB/s vs %s |\n",
		    targets[0].label);
		printf("|---|---:|---:|---:|---:|---:|---|---:|\n");
	} else {
		printf("| target | req/s | p50 µs | p90 µs | p99 µs | req/s vs %s |\n",
		    targets[0].label);
		printf("|---|---:|---:|---:|---:|---:|\n");
	}
	for (i = 0; i < ntargets; i++) {
		t = &targets[i];
		if (t->fail[0] != '\0') {
			printf("| %s | FAILED: %s |\n", t->label, t->fail);
			continue;
		}
		if (base > 0)
			snprintf(ratio, sizeof(ratio), "%.2f", bp_figure(o, t) / base);
		else
			snprintf(ratio, sizeof(ratio), "-");
		if (o->save != NULL)
			printf("| %s | %.1f | %.2f | %.1f | %.1f | %llu | %016llx | %s |\n",
			    t->label, bp_figure(o, t), bp_median(t->rps, t->nrounds),
			    bp_median(t->p50, t->nrounds) / 1000,
			    bp_median(t->p99, t->nrounds) / 1000, t->verify_bytes,
			    (unsigned long long)t->verify_hash, ratio);
		else
			printf("| %s | %.0f | %.1f | %.1f | %.1f | %s |\n", t->label,
			    bp_figure(o, t), bp_median(t->p50, t->nrounds),
			    bp_median(t->p90, t->nrounds), bp_median(t->p99, t->nrounds), ratio);
	}
	printf("\n");
	for (i = 0; i < ntargets; i++) {
		t = &targets[i];
		if (t->fail[0] != '\0') {
			printf("BENCH target=%s case=%s path=%s conns=%d failed=1\n",
			    t->label, o->name ? o->name : "-", o->path, nconn);
			continue;
		}
		printf("BENCH target=%s case=%s path=%s conns=%d rps=%.1f p50_us=%.1f "
		    "p99_us=%.1f", t->label, o->name ? o->name : "-", o->path, nconn,
		    bp_median(t->rps, t->nrounds),
		    bp_median(t->p50, t->nrounds), bp_median(t->p99, t->nrounds));
		if (o->save != NULL)
			printf(" mb_s=%.1f bytes=%llu", bp_median(t->mbps, t->nrounds),
			    t->verify_bytes);
		if (t->reconnects > 0)
			printf(" reconnects=%ld", t->reconnects);
		/* per round, in round order: a bench pairs targets round by round */
		for (k = 0; k < t->nrounds; k++)
			printf("%s%.1f", k == 0 ? " rounds=" : ",",
			    o->save != NULL ? t->mbps[k] : t->rps[k]);
		printf("\n");
	}
	fflush(stdout);
}

/*
 * --hold: o->hold connections to t, one checked request on each, then
 * idle until a signal ends the process (the kernel closes them).
 */
static int
bp_hold(const struct bp_opts *o, struct bp_target *t, const char *req)
{
	struct bp_worker	 w;
	struct bp_conn		*c;
	struct bp_resp		 rp;
	long			 dummy = 0;
	int			 i, r;

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.t = t;
	w.req = req;
	w.reqlen = strlen(req);
	if ((c = calloc((size_t)o->hold, sizeof(*c))) == NULL)
		return 2;
	for (i = 0; i < o->hold; i++) {
		c[i].fd = -1;
		c[i].sock = t->sock;
		if ((c[i].buf = malloc(BP_BUF_SIZE)) == NULL)
			return 2;
		r = bp_request(&c[i], &w, &dummy, &rp);
		if (r != 0 || rp.status / 100 != 2) {
			fprintf(stderr, "bench_proxy: --hold: connection %d: %s\n", i + 1,
			    r > 0 ? w.err : r < 0 ? strerror(-r) : "not 2xx");
			return 1;
		}
		if (c[i].fd < 0) {
			fprintf(stderr, "bench_proxy: --hold: %s closed connection %d\n",
			    t->label, i + 1);
			return 1;
		}
	}
	printf("HELD %d\n", o->hold);
	fflush(stdout);
	for (;;)
		pause();
}

static void
bp_usage(FILE *out)
{
	fprintf(out,
	    "usage: bench_proxy (--target LABEL=SOCKET | --socket SOCKET)...\n"
	    "                   [--path /_ping] [--method GET|HEAD] [--connections N[,N...]]\n"
	    "                   [--duration S | --requests N] [--warmup N] [--rounds R]\n"
	    "                   [--save IMAGE] [--case NAME]\n"
	    "                   [--method POST --body FILE [--create-delete]]\n"
	    "                   [--expect LABEL=TEXT]... [--connect-per-request]\n"
	    "                   [--hold N]\n"
	    "Targets are measured interleaved in rounds; the first target is the\n"
	    "baseline of the ratio column.  --duration is per target and round\n"
	    "(default 2), --requests per target and round (split over the\n"
	    "connections), --warmup per connection (default 200).  --save IMAGE\n"
	    "times GET /images/get?names=IMAGE (one connection) and reports MB/s;\n"
	    "one unmeasured, hashed save per target comes first (--warmup\n"
	    "defaults to 0 there).  --body FILE is sent as application/json with\n"
	    "every request; --expect LABEL=TEXT: every answer of that target must\n"
	    "have TEXT in its first %d body bytes; --create-delete: each unit is\n"
	    "the request (a create, 201) plus DELETE /containers/ID?force=1 (204).\n"
	    "--case NAME labels the table and the BENCH lines.\n"
	    "--connect-per-request: a new connection (Connection: close) per request.\n"
	    "--hold N: N connections to the first target, one request each, then\n"
	    "idle until killed (prints HELD N when they are all open).\n", BP_CAP_LEN);
}

/* Parse "1,4" into o->conns. */
static int
bp_parse_conns(struct bp_opts *o, const char *s)
{
	char	*end;
	long	 v;

	o->nconns = 0;
	for (;;) {
		errno = 0;
		v = strtol(s, &end, 10);
		if (end == s || errno != 0 || v < 1 || v > BP_MAX_CONNS ||
		    o->nconns == (int)(sizeof(o->conns) / sizeof(o->conns[0])))
			return -EINVAL;
		o->conns[o->nconns++] = (int)v;
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -EINVAL;
		s = end + 1;
	}
}

/* Add a target; label NULL takes the socket path as label. */
static int
bp_add_target(const char *label, size_t labellen, const char *sock)
{
	struct bp_target *t;

	if (ntargets == BP_MAX_TARGETS || *sock == '\0')
		return -E2BIG;
	t = &targets[ntargets++];
	if (label == NULL) {
		label = sock;
		labellen = strlen(sock);
	}
	if (labellen == 0 || labellen >= sizeof(t->label))
		return -EINVAL;
	memcpy(t->label, label, labellen);
	t->label[labellen] = '\0';
	t->sock = sock;
	return 0;
}

/* --expect LABEL=TEXT: the target of that label must answer TEXT. */
static int
bp_add_expect(const char *arg)
{
	const char	*eq = strchr(arg, '=');
	int		 i;

	if (eq == NULL || eq[1] == '\0')
		return -EINVAL;
	for (i = 0; i < ntargets; i++)
		if (strlen(targets[i].label) == (size_t)(eq - arg) &&
		    strncmp(targets[i].label, arg, (size_t)(eq - arg)) == 0) {
			targets[i].expect = eq + 1;
			return 0;
		}
	return -ENOENT;	/* the target must come first */
}

/* Read --body FILE whole. */
static int
bp_read_body(struct bp_opts *o, const char *path)
{
	FILE	*f;
	size_t	 n;
	int	 r = 0;

	if ((f = fopen(path, "rb")) == NULL)
		return -errno;
	free(o->body);
	if ((o->body = malloc(BP_BODY_MAX + 1)) == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(o->body, 1, BP_BODY_MAX + 1, f);
	if (ferror(f))
		r = -EIO;
	else if (n > BP_BODY_MAX)
		r = -E2BIG;
	fclose(f);
	o->bodylen = n;
	return r;
}

/* Percent-encode an image reference for the query string. */
static int
bp_save_path(struct bp_opts *o, const char *image)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 n;
	unsigned char		 ch;

	n = (size_t)snprintf(o->path, sizeof(o->path), "/images/get?names=");
	for (; *image != '\0'; image++) {
		ch = (unsigned char)*image;
		if (n + 4 > sizeof(o->path))
			return -E2BIG;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch) != NULL)
			o->path[n++] = (char)ch;
		else {
			o->path[n++] = '%';
			o->path[n++] = hex[ch >> 4];
			o->path[n++] = hex[ch & 15];
		}
	}
	o->path[n] = '\0';
	return 0;
}

int
main(int argc, char **argv)
{
	struct bp_opts	 o;
	const char	*eq, *arg;
	char		 head[1400], *req, *end;
	size_t		 hlen;
	int		 i, c, r, failed = 0;

	memset(&o, 0, sizeof(o));
	o.method = "GET";
	snprintf(o.path, sizeof(o.path), "/_ping");
	o.conns[0] = 1;
	o.nconns = 1;
	o.duration = 2;
	o.warmup = -1;
	o.rounds = 5;
	for (i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			bp_usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--create-delete") == 0 ||
		    strcmp(argv[i], "--connect-per-request") == 0) {
			if (argv[i][3] == 'r')
				o.create_delete = 1;
			else
				o.per_request = 1;
			i--;	/* a flag: no argument */
			continue;
		}
		if (i + 1 >= argc || strncmp(argv[i], "--", 2) != 0) {
			bp_usage(stderr);
			return 2;
		}
		arg = argv[i + 1];
		r = 0;
		errno = 0;
		if (strcmp(argv[i], "--target") == 0) {
			if ((eq = strchr(arg, '=')) == NULL)
				r = -EINVAL;
			else
				r = bp_add_target(arg, (size_t)(eq - arg), eq + 1);
		} else if (strcmp(argv[i], "--socket") == 0)
			r = bp_add_target(NULL, 0, arg);
		else if (strcmp(argv[i], "--path") == 0) {
			if (arg[0] != '/' || strpbrk(arg, " \t\r\n") != NULL ||
			    strlen(arg) >= sizeof(o.path))
				r = -EINVAL;
			else
				snprintf(o.path, sizeof(o.path), "%s", arg);
		} else if (strcmp(argv[i], "--method") == 0) {
			if (strcmp(arg, "GET") != 0 && strcmp(arg, "HEAD") != 0 &&
			    strcmp(arg, "POST") != 0)
				r = -EINVAL;
			o.method = arg;
		} else if (strcmp(argv[i], "--body") == 0)
			r = bp_read_body(&o, arg);
		else if (strcmp(argv[i], "--expect") == 0)
			r = bp_add_expect(arg);
		else if (strcmp(argv[i], "--case") == 0) {
			if (strpbrk(arg, " \t\r\n") != NULL || *arg == '\0')
				r = -EINVAL;
			o.name = arg;
		} else if (strcmp(argv[i], "--connections") == 0)
			r = bp_parse_conns(&o, arg);
		else if (strcmp(argv[i], "--duration") == 0) {
			o.duration = strtod(arg, &end);
			if (end == arg || *end != '\0' || !(o.duration > 0 && o.duration <= 3600))
				r = -EINVAL;
		} else if (strcmp(argv[i], "--requests") == 0) {
			o.requests = strtol(arg, &end, 10);
			if (end == arg || *end != '\0' || errno != 0 || o.requests < 1)
				r = -EINVAL;
		} else if (strcmp(argv[i], "--warmup") == 0) {
			o.warmup = strtol(arg, &end, 10);
			if (end == arg || *end != '\0' || errno != 0 || o.warmup < 0 ||
			    o.warmup > 10000000)
				r = -EINVAL;
		} else if (strcmp(argv[i], "--rounds") == 0) {
			c = (int)strtol(arg, &end, 10);
			if (end == arg || *end != '\0' || c < 1 || c > 64)
				r = -EINVAL;
			o.rounds = c;
		} else if (strcmp(argv[i], "--hold") == 0) {
			c = (int)strtol(arg, &end, 10);
			if (end == arg || *end != '\0' || c < 1 || c > BP_HOLD_MAX)
				r = -EINVAL;
			o.hold = c;
		} else if (strcmp(argv[i], "--save") == 0) {
			o.save = arg;
			r = bp_save_path(&o, arg);
		} else {
			bp_usage(stderr);
			return 2;
		}
		if (r < 0) {
			fprintf(stderr, "bench_proxy: %s %s: %s\n", argv[i], arg, strerror(-r));
			return 2;
		}
	}
	if (ntargets == 0) {
		bp_usage(stderr);
		return 2;
	}
	if (o.warmup < 0)
		o.warmup = o.save != NULL ? 0 : 200;
	if ((o.body != NULL) != (strcmp(o.method, "POST") == 0) ||
	    (o.create_delete && o.body == NULL) || (o.save != NULL && o.body != NULL)) {
		fprintf(stderr, "bench_proxy: --method POST goes with --body (and "
		    "--create-delete needs both; --save neither)\n");
		return 2;
	}
	if (o.save != NULL) {
		o.method = "GET";
		o.conns[0] = 1;
		o.nconns = 1;
	}
	if (o.requests > 0)
		for (c = 0; c < o.nconns; c++)
			if (o.requests < o.conns[c]) {
				fprintf(stderr, "bench_proxy: --requests below --connections\n");
				return 2;
			}
	signal(SIGPIPE, SIG_IGN);
	if (o.body != NULL)
		hlen = (size_t)snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: docker\r\n"
		    "User-Agent: dockward-bench_proxy\r\n%sContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n", o.method, o.path,
		    o.per_request ? "Connection: close\r\n" : "", o.bodylen);
	else
		hlen = (size_t)snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: docker\r\n"
		    "User-Agent: dockward-bench_proxy\r\n%s\r\n", o.method, o.path,
		    o.per_request ? "Connection: close\r\n" : "");
	/* The body is JSON text: the request stays one NUL-terminated string. */
	if ((o.body != NULL && memchr(o.body, '\0', o.bodylen) != NULL) ||
	    (req = malloc(hlen + o.bodylen + 1)) == NULL) {
		fprintf(stderr, "bench_proxy: the body has a NUL byte, or out of memory\n");
		return 2;
	}
	memcpy(req, head, hlen);
	if (o.body != NULL)
		memcpy(req + hlen, o.body, o.bodylen);
	req[hlen + o.bodylen] = '\0';
	for (i = 0; i < ntargets; i++) {
		targets[i].rps = calloc((size_t)o.rounds, sizeof(double));
		targets[i].mbps = calloc((size_t)o.rounds, sizeof(double));
		targets[i].p50 = calloc((size_t)o.rounds, sizeof(double));
		targets[i].p90 = calloc((size_t)o.rounds, sizeof(double));
		targets[i].p99 = calloc((size_t)o.rounds, sizeof(double));
		if (targets[i].rps == NULL || targets[i].mbps == NULL ||
		    targets[i].p50 == NULL || targets[i].p90 == NULL || targets[i].p99 == NULL)
			return 2;
	}
	if (o.hold > 0)
		return bp_hold(&o, &targets[0], req);
	if (o.save != NULL) {
		for (i = 0; i < ntargets; i++) {
			bp_target_run(&o, &targets[i], req, 1, 1);
			if (targets[i].fail[0] == '\0' && i > 0 &&
			    targets[0].fail[0] == '\0' &&
			    (targets[i].verify_bytes != targets[0].verify_bytes ||
			    targets[i].verify_hash != targets[0].verify_hash))
				snprintf(targets[i].fail, sizeof(targets[i].fail),
				    "archive differs from %s's: %llu bytes, fnv1a64 %016llx "
				    "(%s: %llu bytes, %016llx)", targets[0].label,
				    targets[i].verify_bytes,
				    (unsigned long long)targets[i].verify_hash,
				    targets[0].label, targets[0].verify_bytes,
				    (unsigned long long)targets[0].verify_hash);
		}
	}
	for (c = 0; c < o.nconns; c++) {
		for (i = 0; i < ntargets; i++) {
			targets[i].nrounds = 0;
			targets[i].reconnects = 0;
		}
		for (r = 0; r < o.rounds; r++)
			for (i = 0; i < ntargets; i++)
				if (targets[(r + i) % ntargets].fail[0] == '\0')
					bp_target_run(&o, &targets[(r + i) % ntargets], req,
					    o.conns[c], 0);
		bp_report(&o, o.conns[c]);
	}
	for (i = 0; i < ntargets; i++) {
		if (targets[i].fail[0] != '\0')
			failed = 1;
		free(targets[i].rps);
		free(targets[i].mbps);
		free(targets[i].p50);
		free(targets[i].p90);
		free(targets[i].p99);
	}
	free(req);
	free(o.body);
	return failed;
}
