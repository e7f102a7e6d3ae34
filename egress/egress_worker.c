/*
 * egress_worker: the PAC evaluator in a child process (see the header).
 *
 * The child is forked, enters egress_worker_jail, compiles the script
 * with egress_pac and answers requests on a stream socket; the parent
 * serialises requests under a mutex and waits for each answer until
 * kill_ms, then SIGKILLs, reaps and respawns.  Messages are
 * length-prefixed (same machine, native byte order):
 *   request:  u32 len, u8 family, u8 0, u16 url_len, u16 host_len,
 *             u8 addr[16], url, host
 *   reply:    u32 len, i32 status (0 or -errno), text (the PAC's answer,
 *             or the error for a person)
 * The child's first reply, after compiling, says whether the script
 * loaded.  A child is also replaced, between requests, once the time
 * spent on its requests nears its RLIMIT_CPU (EGRESS_WORKER_RECYCLE_MS).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "egress/egress_pac.h"
#include "egress/egress_worker.h"
#include "egress/egress_worker_jail.h"

/* A child that overran its deadline is killed; its successor starts within this. */
#define WORKER_START_SLACK_MS	2000
/* Replace a child once its requests took this long (well under EGRESS_WORKER_CPU_S). */
#define WORKER_RECYCLE_MS	((unsigned long long)EGRESS_WORKER_CPU_S * 1000 / 2)
/* The largest message either way. */
#define WORKER_MSG_MAX		(16 + 16 + EGRESS_PAC_URL_MAX + EGRESS_HOST_MAX + DW_ERR_MAX)

struct worker_req {
	uint32_t	len;		/* bytes after this field */
	uint8_t		family;
	uint8_t		zero;
	uint16_t	url_len;
	uint16_t	host_len;
	uint8_t		addr[16];
};

struct worker_rep {
	uint32_t	len;		/* bytes after this field */
	int32_t		status;
};

struct egress_worker {
	pthread_mutex_t			 lock;
	char				*script;
	size_t				 len;
	struct egress_worker_opts	 opts;		/* defaults filled in */
	pid_t				 parent;
	pid_t				 pid;		/* 0: no child */
	int				 fd;
	unsigned			 fd_timeout_ms;	/* fd's SO_RCVTIMEO (0: none) */
	unsigned long long		 busy_ms;	/* the child's requests, so far */
	struct egress_worker_stats	 stats;
};

static unsigned long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

/* Child side: the whole buffer, or -1 (the parent is gone: exit). */
static int
child_write(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
child_reply(int fd, int status, const char *text)
{
	char			buf[WORKER_MSG_MAX];
	struct worker_rep	rep;
	size_t			tlen = strlen(text);

	if (tlen > sizeof(buf) - sizeof(rep))
		tlen = sizeof(buf) - sizeof(rep);
	rep.len = (uint32_t)(sizeof(rep) - sizeof(rep.len) + tlen);
	rep.status = status;
	memcpy(buf, &rep, sizeof(rep));
	memcpy(buf + sizeof(rep), text, tlen);
	return child_write(fd, buf, sizeof(rep) + tlen);
}

/* One whole request into buf, or -1 (EOF or an error: exit). */
static int
child_read(int fd, char *buf, size_t cap, struct worker_req *req)
{
	size_t	got = 0, want = sizeof(req->len);
	ssize_t	n;

	while (got < want) {
		if ((n = read(fd, buf + got, cap - got)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
		if (got >= sizeof(req->len) && want == sizeof(req->len)) {
			memcpy(&req->len, buf, sizeof(req->len));
			if (req->len > cap - sizeof(req->len) ||
			    req->len < sizeof(*req) - sizeof(req->len))
				return -1;
			want = sizeof(req->len) + req->len;
		}
	}
	memcpy(req, buf, sizeof(*req));
	if ((size_t)req->url_len + req->host_len != req->len - (sizeof(*req) - sizeof(req->len)))
		return -1;
	return 0;
}

/* The child: never returns. */
static void __attribute__((noreturn))
child_main(const struct egress_worker *w, int sock)
{
	struct egress_worker_jail	 j = {
		.fd = sock, .uid = w->opts.uid, .gid = w->opts.gid,
		.mem_max = w->opts.mem_max, .parent = w->parent,
	};
	struct egress_pac_opts		 po;
	struct egress_pac		*pac = NULL;
	struct worker_req		 req;
	struct egress_addr		 ip;
	struct dw_err			 err;
	char				 buf[WORKER_MSG_MAX], url[EGRESS_PAC_URL_MAX];
	char				 host[EGRESS_HOST_MAX], out[EGRESS_ANSWER_MAX];
	int				 fd, r;

	if ((fd = egress_worker_jail_enter(&j)) < 0)
		_exit(1);
	memset(&po, 0, sizeof(po));
	po.budget_ms = w->opts.budget_ms;
	po.mem_max = w->opts.mem_max;
	po.my_ip = w->opts.my_ip;
	if ((r = egress_pac_new(w->script, w->len, &po, &pac, &err)) != 0) {
		(void)child_reply(fd, r, err.msg);
		_exit(0);
	}
	if (child_reply(fd, 0, "ready") != 0)
		_exit(0);
	for (;;) {
		if (child_read(fd, buf, sizeof(buf), &req) != 0)
			_exit(0);
		if (req.url_len >= sizeof(url) || req.host_len >= sizeof(host))
			_exit(1);
		memcpy(url, buf + sizeof(req), req.url_len);
		url[req.url_len] = '\0';
		memcpy(host, buf + sizeof(req) + req.url_len, req.host_len);
		host[req.host_len] = '\0';
		memset(&ip, 0, sizeof(ip));
		ip.family = req.family == 4 ? AF_INET : req.family == 6 ? AF_INET6 : 0;
		memcpy(&ip.u, req.addr, req.family == 4 ? 4 : 16);
		dw_err_clear(&err);
		r = egress_pac_eval(pac, url, host, &ip, out, sizeof(out), &err);
		if (child_reply(fd, r, r == 0 ? out : err.msg) != 0)
			_exit(0);
	}
}

/* Reap the child (killing it first when asked); no child afterwards. */
static void
child_reap(struct egress_worker *w, bool kill_it)
{
	if (w->pid > 0) {
		if (kill_it)
			(void)kill(w->pid, SIGKILL);
		while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (w->fd >= 0)
		close(w->fd);
	w->pid = 0;
	w->fd = -1;
	w->busy_ms = 0;
}

/*
 * Read one reply (the header and its text) until deadline.  0 with the
 * status in *ret_status and the text in buf, -ETIMEDOUT, or -EPIPE (the
 * child died or spoke nonsense).
 */
static int
reply_read(struct egress_worker *w, unsigned long long deadline, int *ret_status,
    char *buf, size_t sz)
{
	char			msg[WORKER_MSG_MAX];
	struct worker_rep	rep;
	struct pollfd		pfd = { .fd = w->fd, .events = POLLIN };
	unsigned long long	now;
	size_t			got = 0, want = sizeof(rep.len), tlen;
	ssize_t			n;
	int			pr;

	while (got < want) {
		now = now_ms();
		if (now >= deadline)
			return -ETIMEDOUT;
		/*
		 * The first read blocks (SO_RCVTIMEO, set at spawn, bounds it by
		 * kill_ms): one system call for a whole reply, which the child
		 * writes at once.  A partial or interrupted read falls back to
		 * poll with the time left.
		 */
		if (got > 0 || w->fd_timeout_ms == 0 || deadline - now < w->fd_timeout_ms) {
			if ((pr = poll(&pfd, 1, (int)(deadline - now))) < 0) {
				if (errno == EINTR)
					continue;
				return -EPIPE;
			}
			if (pr == 0)
				return -ETIMEDOUT;
			n = recv(w->fd, msg + got, sizeof(msg) - got, MSG_DONTWAIT);
		} else
			n = recv(w->fd, msg + got, sizeof(msg) - got, 0);
		if (n <= 0) {
			if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
				continue;
			return -EPIPE;
		}
		got += (size_t)n;
		if (want == sizeof(rep.len) && got >= sizeof(rep.len)) {
			memcpy(&rep.len, msg, sizeof(rep.len));
			if (rep.len < sizeof(rep) - sizeof(rep.len) ||
			    rep.len > sizeof(msg) - sizeof(rep.len))
				return -EPIPE;
			want = sizeof(rep.len) + rep.len;
		}
	}
	if (got != want)
		return -EPIPE;	/* more than one reply: not our protocol */
	memcpy(&rep, msg, sizeof(rep));
	tlen = got - sizeof(rep);
	if (tlen >= sz)
		tlen = sz - 1;
	memcpy(buf, msg + sizeof(rep), tlen);
	buf[tlen] = '\0';
	*ret_status = rep.status;
	return 0;
}

/* Fork a child and wait for its first word.  0, or -errno with err (no child then). */
static int
child_spawn(struct egress_worker *w, struct dw_err *err)
{
	char			text[WORKER_MSG_MAX];
	unsigned long long	t0 = now_ms();
	struct timeval		tv;
	int			sv[2], status, r;
	pid_t			pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		r = -errno;
		dw_err_set(err, "PAC worker: socketpair: %s", strerror(errno));
		return r;
	}
	if ((pid = fork()) < 0) {
		r = -errno;
		dw_err_set(err, "PAC worker: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0)
		child_main(w, sv[1]);
	close(sv[1]);
	w->pid = pid;
	w->fd = sv[0];
	w->fd_timeout_ms = 0;
	tv.tv_sec = w->opts.kill_ms / 1000;
	tv.tv_usec = (suseconds_t)(w->opts.kill_ms % 1000) * 1000;
	if (setsockopt(w->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0)
		w->fd_timeout_ms = w->opts.kill_ms;
	r = reply_read(w, t0 + w->opts.kill_ms + EGRESS_PAC_LOAD_MS + WORKER_START_SLACK_MS,
	    &status, text, sizeof(text));
	if (r == 0 && status != 0) {
		dw_err_set(err, "%s", text);
		r = status;
	} else if (r == -ETIMEDOUT)
		dw_err_set(err, "PAC worker: no answer within %u ms of starting",
		    w->opts.kill_ms + EGRESS_PAC_LOAD_MS + WORKER_START_SLACK_MS);
	else if (r != 0)
		dw_err_set(err, "PAC worker: the child died while starting");
	if (r != 0) {
		child_reap(w, true);
		return r;
	}
	w->busy_ms = now_ms() - t0;
	return 0;
}

/* Replace the child: after a kill, a death, or on recycling.  Counted. */
static void
child_respawn(struct egress_worker *w)
{
	child_reap(w, true);
	if (child_spawn(w, NULL) == 0)
		w->stats.respawns++;
}

int
egress_worker_start(const char *script, size_t len, const struct egress_worker_opts *opts,
    struct egress_worker **out, struct dw_err *err)
{
	struct egress_worker	*w;
	int			 r;

	if (len > EGRESS_PAC_SCRIPT_MAX) {
		dw_err_set(err, "PAC: %zu bytes, over %u", len, EGRESS_PAC_SCRIPT_MAX);
		return -E2BIG;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL || (w->script = malloc(len + 1)) == NULL) {
		free(w);
		dw_err_set(err, "PAC worker: out of memory");
		return -ENOMEM;
	}
	memcpy(w->script, script, len);
	w->script[len] = '\0';
	w->len = len;
	if (opts != NULL)
		w->opts = *opts;
	if (w->opts.budget_ms == 0)
		w->opts.budget_ms = EGRESS_PAC_BUDGET_MS;
	if (w->opts.kill_ms == 0)
		w->opts.kill_ms = EGRESS_WORKER_KILL_MS;
	if (w->opts.mem_max == 0)
		w->opts.mem_max = EGRESS_PAC_MEM_MAX;
	if (w->opts.uid == 0)
		w->opts.uid = EGRESS_WORKER_NOBODY;
	if (w->opts.gid == 0)
		w->opts.gid = EGRESS_WORKER_NOBODY;
	w->parent = getpid();
	w->fd = -1;
	/* The time zone is loaded here: the child cannot open files. */
	tzset();
	if ((r = pthread_mutex_init(&w->lock, NULL)) != 0) {
		free(w->script);
		free(w);
		dw_err_set(err, "PAC worker: mutex: %s", strerror(r));
		return -r;
	}
	if ((r = child_spawn(w, err)) != 0) {
		egress_worker_stop(w);
		return r;
	}
	*out = w;
	return 0;
}

/* The request for t into buf; its length, or -EINVAL. */
static int
request_build(const struct egress_target *t, char *buf, size_t sz, char *host, size_t hsz)
{
	struct worker_req	req;
	char			url[EGRESS_PAC_URL_MAX];
	size_t			ul, hl;

	if (egress_pac_target_args(t, url, sizeof(url), host, hsz) != 0)
		return -EINVAL;
	ul = strlen(url);
	hl = strlen(host);
	if (sizeof(req) + ul + hl > sz)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.len = (uint32_t)(sizeof(req) - sizeof(req.len) + ul + hl);
	req.family = t->ip.family == AF_INET ? 4 : t->ip.family == AF_INET6 ? 6 : 0;
	req.url_len = (uint16_t)ul;
	req.host_len = (uint16_t)hl;
	memcpy(req.addr, &t->ip.u, t->ip.family == AF_INET ? 4 : 16);
	memcpy(buf, &req, sizeof(req));
	memcpy(buf + sizeof(req), url, ul);
	memcpy(buf + sizeof(req) + ul, host, hl);
	return (int)(sizeof(req) + ul + hl);
}

/* Send a whole request; -EPIPE when the child is gone. */
static int
request_send(struct egress_worker *w, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = send(w->fd, buf, len, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			return -EPIPE;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One exchange with a running child; see egress_worker_eval. */
static int
eval_locked(struct egress_worker *w, const struct egress_target *t, char *text, size_t tsz,
    struct dw_err *err)
{
	char			req[WORKER_MSG_MAX], host[EGRESS_HOST_MAX];
	unsigned long long	t0;
	int			len, status, r, tries;

	if ((len = request_build(t, req, sizeof(req), host, sizeof(host))) < 0) {
		dw_err_set(err, "PAC worker: no name and no address to ask about");
		return -EINVAL;
	}
	for (tries = 0;; tries++) {
		if (w->pid == 0 || w->busy_ms >= WORKER_RECYCLE_MS)
			child_respawn(w);
		if (w->pid == 0) {
			dw_err_set(err, "PAC worker: no child (it could not be restarted)");
			return -EPIPE;
		}
		t0 = now_ms();
		if ((r = request_send(w, req, (size_t)len)) == 0)
			break;
		/* Gone while idle (killed, its parent thread exited): once more. */
		w->stats.kills++;
		child_reap(w, true);
		if (tries > 0) {
			dw_err_set(err, "PAC worker: the child is gone");
			return -EPIPE;
		}
	}
	r = reply_read(w, t0 + w->opts.kill_ms, &status, text, tsz);
	w->busy_ms += now_ms() - t0;
	if (r == -ETIMEDOUT) {
		dw_err_set(err, "PAC: FindProxyForURL(\"%s\"): no answer within %u ms: "
		    "worker killed", host, w->opts.kill_ms);
		w->stats.kills++;
		child_respawn(w);
		return -ETIMEDOUT;
	}
	if (r != 0) {
		dw_err_set(err, "PAC: FindProxyForURL(\"%s\"): the worker died", host);
		w->stats.kills++;
		child_respawn(w);
		return -EPIPE;
	}
	if (status != 0) {
		dw_err_set(err, "%s", text);
		return status < 0 ? status : -EPROTO;
	}
	return 0;
}

int
egress_worker_eval(struct egress_worker *w, const struct egress_target *t,
    struct egress_answer *out, char *raw, size_t rawsz, struct dw_err *err)
{
	char	text[WORKER_MSG_MAX];
	int	r;

	if (raw != NULL && rawsz > 0)
		raw[0] = '\0';
	pthread_mutex_lock(&w->lock);
	w->stats.evals++;
	r = eval_locked(w, t, text, sizeof(text), err);
	/* On a failure text is the error, not the PAC's words: raw stays "". */
	if (r == 0 && raw != NULL && rawsz > 0)
		snprintf(raw, rawsz, "%s", text);
	if (r == 0 && (r = egress_answer_parse(text, strlen(text), out, err)) != 0)
		dw_err_prefix(err, "PAC answer \"%s\"", text);
	if (r != 0)
		w->stats.errors++;
	pthread_mutex_unlock(&w->lock);
	if (r != 0)
		egress_answer_one(out, EGRESS_ROUTE_REFUSE, NULL, 0);
	return r;
}

void
egress_worker_stats(struct egress_worker *w, struct egress_worker_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	pthread_mutex_unlock(&w->lock);
}

void
egress_worker_stop(struct egress_worker *w)
{
	if (w == NULL)
		return;
	child_reap(w, true);
	pthread_mutex_destroy(&w->lock);
	free(w->script);
	free(w);
}
