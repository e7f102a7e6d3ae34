/*
 * egress_proxy: the transparent proxy.  See egress_proxy.h.
 *
 * One loop thread owns every connection and every socket; the decision
 * threads only see a job (a copy of the target, the answer they fill, the
 * proxy addresses they resolve) and hand it back through a queue and an
 * eventfd.  All sockets are edge-triggered in epoll and registered once:
 * each handler works until EAGAIN, so no interest is ever changed.
 *
 * A connection goes PEEK (ports 80 and 443: MSG_PEEK the first bytes for
 * the Host header or the SNI, at most peek_ms) -> DECIDE (on a decision
 * thread) -> CONNECT (the answer's routes in order, each attempt bounded
 * by connect_ms including the proxy handshake) -> HANDSHAKE (CONNECT or
 * SOCKS5, egress_upstream) -> RELAY (splice through a pipe per
 * direction) -> closed, with exactly one on_close record.
 *
 * Idle connections are cheap: a connection holds a small struct and its
 * two sockets; a pipe is taken from a pool of empty pipes when bytes
 * arrive and given back as soon as it is empty again, so only
 * connections with bytes in flight hold one.  The decision and the
 * handshake state are freed as soon as they are done.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "egress/egress_peek.h"
#include "egress/egress_proxy.h"
#include "egress/egress_upstream.h"

/* Netfilter's getsockopt for the destination before the redirect (linux/netfilter_ipv4.h, ip6_tables.h). */
#ifndef SO_ORIGINAL_DST
#define SO_ORIGINAL_DST		80
#endif
#ifndef IP6T_SO_ORIGINAL_DST
#define IP6T_SO_ORIGINAL_DST	80
#endif

#define ROUTE_ADDRS	4		/* addresses tried for one proxy host */
#define PIPES_SPARE	16		/* empty pipes kept for the next burst (each counts against the user's pipe pages) */
#define EVENTS_MAX	256		/* epoll events per wait */
#define ACCEPT_BATCH	64		/* accepts per wake-up, then the others get a turn */
#define ACCEPT_PAUSE_MS	100		/* accepting paused after EMFILE and the like */
#define SPLICE_CHUNK	(1 << 20)	/* asked per splice; the pipe's size bounds it */
#define PIPE_BYTES	(1024 * 1024)	/* a relay pipe's size, when the kernel allows it */

_Static_assert(EGRESS_PEEK_MAX <= EGRESS_PEEK_HELLO_MAX, "the peeker reassembles what we peek");

enum hkind { H_LISTEN, H_WAKE, H_CLIENT, H_UPSTREAM };

/* What an epoll event points at. */
struct handle {
	enum hkind	 kind;
	struct conn	*c;
};

enum cstate { C_PEEK, C_DECIDE, C_CONNECT, C_HANDSHAKE, C_RELAY, C_DEAD };
enum tlist { T_NONE, T_PEEK, T_CONNECT };

/* One route of the answer, compact, its proxy host resolved. */
struct route {
	enum egress_route_kind	 kind;
	uint16_t		 port;
	uint8_t			 naddr;
	char			*host;		/* PROXY, SOCKS5; NULL otherwise */
	struct egress_addr	 addr[ROUTE_ADDRS];
};

/* One direction of the relay: src -> pipe -> dst. */
struct dir {
	int	pr, pw;		/* the pipe, -1 when none is held */
	size_t	inpipe;		/* bytes in it */
	bool	eof;		/* src said EOF */
	bool	shut;		/* dst was shut for writing */
	bool	stalled;	/* the pipe did not take more: read again once it drains */
};

struct job;

struct conn {
	LIST_ENTRY(conn)	 all;
	TAILQ_ENTRY(conn)	 tq;		/* in p->tpeek or p->tconn */
	enum tlist		 tlist;
	unsigned long long	 deadline;	/* ms, CLOCK_MONOTONIC */
	struct handle		 hc, hu;
	enum cstate		 state;
	int			 cfd, ufd;
	bool			 client_gone;	/* the client went away during the decision */
	struct egress_addr	 src, dst;
	uint16_t		 src_port, dst_port;
	enum egress_name_source	 source;
	char			*name, *claimed;
	struct route		*routes;
	uint8_t			 nroutes;
	uint8_t			 route_i, addr_i;	/* the attempt in progress */
	int			 route_used;
	bool			 cached, name_rejected, pac;
	char			*pac_answer, *decide_error;
	struct egress_upstream_hs	*up;		/* during HANDSHAKE only */
	struct dir		 d[2];		/* 0: client -> destination, 1: back */
	unsigned long long	 bytes[2];
	struct timespec		 started;
	unsigned long long	 t0;
	const char		*action;
	char			*error;
	struct job		*job;
};

/* A decision in the works: owned by the queue, then by the loop. */
struct job {
	TAILQ_ENTRY(job)		 q;
	struct conn			*c;
	struct egress_target		 t;
	struct egress_answer		 a;
	struct egress_decide_info	 info;
	uint8_t				 naddr[EGRESS_ROUTES_MAX];
	struct egress_addr		 addr[EGRESS_ROUTES_MAX][ROUTE_ADDRS];
};

TAILQ_HEAD(jobq, job);
TAILQ_HEAD(connq, conn);
LIST_HEAD(connl, conn);

struct egress_proxy {
	struct egress_proxy_ops		 ops;
	void				*ctx;
	bool				 no_orig_dst;
	struct egress_addr		 test_dst;
	uint16_t			 test_dst_port;
	unsigned			 conns_max, peek_ms, connect_ms;
	uint16_t			 port;
	int				 epfd, wakefd;
	int				 lfd[2];
	struct handle			 hl[2], hw;
	pthread_t			 loop, dec[EGRESS_DECIDERS];
	int				 ndec;
	bool				 loop_started;
	pthread_mutex_t			 mu;
	pthread_cond_t			 cv;
	struct jobq			 queue, done;	/* under mu */
	bool				 dec_stop;	/* under mu */
	int				 stop;		/* atomic */
	struct connl			 conns, dead;
	struct connq			 tpeek, tconn;
	int				 spare[PIPES_SPARE][2];
	int				 nspare;
	bool				 paused;
	unsigned long long		 pause_until;
	struct egress_proxy_stats	 st;		/* atomic fields */
	uint8_t				 buf[EGRESS_PEEK_MAX];	/* the loop's peek buffer */
};

static unsigned long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

static void
stat_add(unsigned long long *v)
{
	__atomic_add_fetch(v, 1, __ATOMIC_RELAXED);
}

/* "1.2.3.4:80", "[::1]:80", "proxy.example:3128". */
static void
hostport(char *buf, size_t sz, const char *host, bool v6, uint16_t port)
{
	snprintf(buf, sz, "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

/* Keep the first reason a connection failed, unless told to replace it. */
static void conn_error(struct conn *, bool, const char *, ...) __attribute__((format(printf, 3, 4)));

static void
conn_error(struct conn *c, bool replace, const char *fmt, ...)
{
	char	msg[DW_ERR_MAX];
	va_list	ap;

	if (c->error != NULL && !replace)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(c->error);
	c->error = strdup(msg);
}

/* The action is known: count it once. */
static void
conn_action(struct egress_proxy *p, struct conn *c, const char *action)
{
	if (c->action != NULL)
		return;
	c->action = action;
	if (strcmp(action, "direct") == 0)
		stat_add(&p->st.direct);
	else if (strcmp(action, "proxy") == 0)
		stat_add(&p->st.proxied);
	else if (strcmp(action, "socks5") == 0)
		stat_add(&p->st.socks5);
	else if (strcmp(action, "refuse") == 0)
		stat_add(&p->st.refused);
	else
		stat_add(&p->st.errors);
}

static void
copy_str(char *dst, size_t sz, const char *s)
{
	snprintf(dst, sz, "%s", s != NULL ? s : "");
}

/* The one record of a connection, built from its compact state. */
static void
conn_report(struct egress_proxy *p, struct conn *c)
{
	struct egress_conn_record	 r;
	char				 a[EGRESS_ADDR_STRLEN];
	size_t				 i;

	if (p->ops.on_close == NULL)
		return;
	memset(&r, 0, sizeof(r));
	r.src = c->src;
	r.src_port = c->src_port;
	r.target.ip = c->dst;
	r.target.port = c->dst_port;
	r.target.source = c->source;
	copy_str(r.target.name, sizeof(r.target.name), c->name);
	copy_str(r.target.claimed, sizeof(r.target.claimed), c->claimed);
	for (i = 0; i < c->nroutes; i++) {
		r.answer.r[i].kind = c->routes[i].kind;
		r.answer.r[i].port = c->routes[i].port;
		copy_str(r.answer.r[i].host, sizeof(r.answer.r[i].host), c->routes[i].host);
	}
	r.answer.n = c->nroutes;
	if (r.answer.n == 0) {
		r.answer.r[0].kind = EGRESS_ROUTE_REFUSE;
		r.answer.n = 1;
	}
	r.info.cached = c->cached;
	r.info.name_rejected = c->name_rejected;
	r.info.pac = c->pac;
	copy_str(r.info.pac_answer, sizeof(r.info.pac_answer), c->pac_answer);
	copy_str(r.info.error, sizeof(r.info.error), c->decide_error);
	r.route = c->route_used;
	if (c->route_used >= 0) {
		const struct route	*rt = &c->routes[c->route_used];

		if (rt->kind == EGRESS_ROUTE_DIRECT)
			hostport(r.upstream, sizeof(r.upstream), egress_addr_format(&c->dst, a, sizeof(a)),
			    c->dst.family == AF_INET6, c->dst_port);
		else
			hostport(r.upstream, sizeof(r.upstream), rt->host,
			    strchr(rt->host, ':') != NULL, rt->port);
	}
	r.bytes_out = c->bytes[0];
	r.bytes_in = c->bytes[1];
	r.started = c->started;
	r.duration_ms = now_ms() - c->t0;
	r.action = c->action;
	copy_str(r.error, sizeof(r.error), c->error);
	p->ops.on_close(p->ctx, &r);
}

static void
timer_set(struct egress_proxy *p, struct conn *c, enum tlist which, unsigned ms)
{
	if (c->tlist == T_PEEK)
		TAILQ_REMOVE(&p->tpeek, c, tq);
	else if (c->tlist == T_CONNECT)
		TAILQ_REMOVE(&p->tconn, c, tq);
	c->tlist = which;
	if (which == T_NONE)
		return;
	/* Every deadline of one list is now + the same ms: appending keeps it sorted. */
	c->deadline = now_ms() + ms;
	TAILQ_INSERT_TAIL(which == T_PEEK ? &p->tpeek : &p->tconn, c, tq);
}

/* Close fd; with rst, as a reset (SO_LINGER 0). */
static void
fd_close(int fd, bool rst)
{
	struct linger	l = { 1, 0 };

	if (fd < 0)
		return;
	if (rst)
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

static void
pipe_put(struct egress_proxy *p, struct dir *d)
{
	if (d->pr < 0)
		return;
	if (d->inpipe == 0 && p->nspare < PIPES_SPARE) {
		p->spare[p->nspare][0] = d->pr;
		p->spare[p->nspare][1] = d->pw;
		p->nspare++;
	} else {
		close(d->pr);
		close(d->pw);
	}
	d->pr = d->pw = -1;
	d->inpipe = 0;
}

static int
pipe_get(struct egress_proxy *p, struct dir *d)
{
	int	fds[2];

	if (p->nspare > 0) {
		p->nspare--;
		d->pr = p->spare[p->nspare][0];
		d->pw = p->spare[p->nspare][1];
		return 0;
	}
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
		return -errno;
	/* Fewer wake-ups per megabyte; only pipes in use exist, so this costs little. */
	(void)fcntl(fds[1], F_SETPIPE_SZ, PIPE_BYTES);
	d->pr = fds[0];
	d->pw = fds[1];
	return 0;
}

/* The only way out: close both sides, report, free after the event batch. */
static void
conn_close(struct egress_proxy *p, struct conn *c, bool rst)
{
	if (c->state == C_DEAD)
		return;
	timer_set(p, c, T_NONE, 0);
	fd_close(c->ufd, rst);
	fd_close(c->cfd, rst);
	c->ufd = c->cfd = -1;
	pipe_put(p, &c->d[0]);
	pipe_put(p, &c->d[1]);
	free(c->up);
	c->up = NULL;
	if (c->action == NULL)
		conn_action(p, c, "error");
	conn_report(p, c);
	__atomic_sub_fetch(&p->st.open, 1, __ATOMIC_RELAXED);
	c->state = C_DEAD;
	LIST_REMOVE(c, all);
	LIST_INSERT_HEAD(&p->dead, c, all);
}

static void
conn_free(struct conn *c)
{
	size_t	i;

	for (i = 0; i < c->nroutes; i++)
		free(c->routes[i].host);
	free(c->routes);
	free(c->name);
	free(c->claimed);
	free(c->pac_answer);
	free(c->decide_error);
	free(c->error);
	free(c->up);
	free(c);
}

/* Refuse: a reset, as if nothing listened there. */
static void
conn_refuse(struct egress_proxy *p, struct conn *c)
{
	conn_action(p, c, "refuse");
	conn_close(p, c, true);
}

/* ---- decisions ---- */

/* The decision thread's part of a job: decide, then resolve the proxies. */
static void
job_run(struct egress_proxy *p, struct job *j)
{
	struct addrinfo	 hints, *res, *ai;
	struct egress_answer *a = &j->a;
	size_t		 i;
	uint16_t	 port;
	char		 sport[8];

	p->ops.decide(p->ctx, &j->t, a, &j->info);
	j->t.name[sizeof(j->t.name) - 1] = '\0';
	j->info.pac_answer[sizeof(j->info.pac_answer) - 1] = '\0';
	j->info.error[sizeof(j->info.error) - 1] = '\0';
	if (a->n == 0 || a->n > EGRESS_ROUTES_MAX) {
		/* Nothing usable: refuse (fail closed). */
		a->n = 1;
		a->r[0].kind = EGRESS_ROUTE_REFUSE;
		if (j->info.error[0] == '\0')
			copy_str(j->info.error, sizeof(j->info.error), "the decision gave no route");
	}
	for (i = 0; i < a->n; i++) {
		a->r[i].host[sizeof(a->r[i].host) - 1] = '\0';
		if (a->r[i].kind == EGRESS_ROUTE_REFUSE)
			break;
		if (a->r[i].kind != EGRESS_ROUTE_PROXY && a->r[i].kind != EGRESS_ROUTE_SOCKS5)
			continue;
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_family = AF_UNSPEC;
		snprintf(sport, sizeof(sport), "%u", a->r[i].port);
		if (getaddrinfo(a->r[i].host, sport, &hints, &res) != 0)
			continue;	/* naddr 0: this route fails, the next is tried */
		for (ai = res; ai != NULL && j->naddr[i] < ROUTE_ADDRS; ai = ai->ai_next) {
			struct sockaddr_storage	ss;

			if (ai->ai_addrlen > sizeof(ss))
				continue;
			memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
			if (egress_addr_from_sockaddr((const struct sockaddr *)&ss, &j->addr[i][j->naddr[i]], &port) == 0)
				j->naddr[i]++;
		}
		freeaddrinfo(res);
	}
}

/* Wake the loop (a decision is back, or stop). */
static void
wake(struct egress_proxy *p)
{
	uint64_t	one = 1;
	ssize_t		n;

	n = write(p->wakefd, &one, sizeof(one));
	(void)n;	/* only EAGAIN, with the counter already non-zero: the loop wakes anyway */
}

static void *
decider_main(void *arg)
{
	struct egress_proxy	*p = arg;
	struct job		*j;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->dec_stop && TAILQ_EMPTY(&p->queue))
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->dec_stop) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		j = TAILQ_FIRST(&p->queue);
		TAILQ_REMOVE(&p->queue, j, q);
		pthread_mutex_unlock(&p->mu);

		job_run(p, j);

		pthread_mutex_lock(&p->mu);
		TAILQ_INSERT_TAIL(&p->done, j, q);
		pthread_mutex_unlock(&p->mu);
		wake(p);
	}
	return NULL;
}

/* Hand the target to the decision threads; the client's bytes stay unread. */
static void
decide_start(struct egress_proxy *p, struct conn *c, enum egress_name_source src,
    const char *claimed)
{
	struct job	*j;

	timer_set(p, c, T_NONE, 0);
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		conn_error(c, false, "out of memory");
		conn_close(p, c, true);
		return;
	}
	j->c = c;
	j->t.ip = c->dst;
	j->t.port = c->dst_port;
	j->t.source = src;
	if (claimed != NULL)
		copy_str(j->t.claimed, sizeof(j->t.claimed), claimed);
	c->job = j;
	c->state = C_DECIDE;
	pthread_mutex_lock(&p->mu);
	TAILQ_INSERT_TAIL(&p->queue, j, q);
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static char *
dup_or_null(const char *s, bool *oom)
{
	char	*d;

	if (s == NULL || s[0] == '\0')
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = true;
	return d;
}

/* Keep what the record needs of the decision, compactly.  false: out of memory. */
static bool
job_apply(struct conn *c, struct job *j)
{
	bool	oom = false;
	size_t	i, n = j->a.n;

	c->source = j->t.source;
	if (j->t.source != EGRESS_NAME_IP)
		c->name = dup_or_null(j->t.name, &oom);
	else
		c->source = EGRESS_NAME_IP;
	c->claimed = dup_or_null(j->t.claimed, &oom);
	c->cached = j->info.cached;
	c->name_rejected = j->info.name_rejected;
	c->pac = j->info.pac;
	c->pac_answer = dup_or_null(j->info.pac_answer, &oom);
	c->decide_error = dup_or_null(j->info.error, &oom);
	if ((c->routes = calloc(n, sizeof(*c->routes))) == NULL)
		return false;
	c->nroutes = (uint8_t)n;
	for (i = 0; i < n; i++) {
		struct route		*rt = &c->routes[i];
		const struct egress_route *r = &j->a.r[i];

		switch (r->kind) {
		case EGRESS_ROUTE_DIRECT:
		case EGRESS_ROUTE_PROXY:
		case EGRESS_ROUTE_SOCKS5:
			rt->kind = r->kind;
			break;
		default:
			rt->kind = EGRESS_ROUTE_REFUSE;	/* anything else refuses */
			break;
		}
		rt->port = r->port;
		if (rt->kind == EGRESS_ROUTE_PROXY || rt->kind == EGRESS_ROUTE_SOCKS5) {
			if ((rt->host = strdup(r->host)) == NULL)
				oom = true;
			rt->naddr = j->naddr[i];
			memcpy(rt->addr, j->addr[i], sizeof(rt->addr));
		}
	}
	return !oom;
}

/* ---- upstream: connect, handshake ---- */

static void route_next(struct egress_proxy *, struct conn *);
static void relay_start(struct egress_proxy *, struct conn *);

/* The attempt in progress failed (why is in c->error): the next one. */
static void
attempt_failed(struct egress_proxy *p, struct conn *c)
{
	fd_close(c->ufd, false);
	c->ufd = -1;
	free(c->up);
	c->up = NULL;
	c->addr_i++;
	route_next(p, c);
}

/* The upstream socket is connected: the handshake, or the relay for DIRECT. */
static void
upstream_connected(struct egress_proxy *p, struct conn *c)
{
	const struct route	*rt = &c->routes[c->route_i];
	struct dw_err		 err;
	char			 ip[EGRESS_ADDR_STRLEN];
	const char		*target;

	if (rt->kind == EGRESS_ROUTE_DIRECT) {
		relay_start(p, c);
		return;
	}
	/* The name when it was proven, else the address the client connected to. */
	target = c->source != EGRESS_NAME_IP && c->name != NULL ? c->name :
	    egress_addr_format(&c->dst, ip, sizeof(ip));
	if ((c->up = malloc(sizeof(*c->up))) == NULL) {
		conn_error(c, true, "out of memory");
		attempt_failed(p, c);
		return;
	}
	if (egress_upstream_init(c->up, rt->kind == EGRESS_ROUTE_SOCKS5 ?
	    EGRESS_UPSTREAM_SOCKS5 : EGRESS_UPSTREAM_CONNECT, target, c->dst_port, &err) != 0) {
		conn_error(c, true, "%s", err.msg);
		attempt_failed(p, c);
		return;
	}
	c->state = C_HANDSHAKE;
}

/* Send what the handshake has to say, read what the proxy answered, until EAGAIN. */
static void
handshake_io(struct egress_proxy *p, struct conn *c, uint32_t ev)
{
	const struct route	*rt = &c->routes[c->route_i];
	const uint8_t		*out;
	uint8_t			 in[EGRESS_UPSTREAM_REPLY_MAX];
	struct dw_err		 err;
	size_t			 n, used;
	ssize_t			 k;
	int			 r;

	for (;;) {
		while ((n = egress_upstream_output(c->up, &out)) > 0) {
			k = send(c->ufd, out, n, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (k <= 0) {
				conn_error(c, true, "proxy %s:%u: %s", rt->host, rt->port,
				    strerror(errno));
				attempt_failed(p, c);
				return;
			}
			egress_upstream_sent(c->up, (size_t)k);
		}
		k = recv(c->ufd, in, sizeof(in), MSG_PEEK | MSG_DONTWAIT);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (ev & (EPOLLERR | EPOLLHUP)) {
				conn_error(c, true, "proxy %s:%u: connection lost", rt->host, rt->port);
				attempt_failed(p, c);
			}
			return;
		}
		if (k <= 0) {
			conn_error(c, true, "proxy %s:%u: %s", rt->host, rt->port,
			    k == 0 ? "closed during the handshake" : strerror(errno));
			attempt_failed(p, c);
			return;
		}
		if ((r = egress_upstream_input(c->up, in, (size_t)k, &used, &err)) < 0) {
			conn_error(c, true, "%s %s:%u: %s", egress_route_kind_name(rt->kind), rt->host,
			    rt->port, err.msg);
			attempt_failed(p, c);
			return;
		}
		if (used == 0) {
			if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
				conn_error(c, true, "proxy %s:%u: closed during the handshake",
				    rt->host, rt->port);
				attempt_failed(p, c);
			}
			return;
		}
		/* Consume exactly the reply: the tunnel's bytes stay in the socket. */
		while (used > 0) {
			k = recv(c->ufd, in, used, MSG_DONTWAIT);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				conn_error(c, true, "proxy %s:%u: lost the reply", rt->host, rt->port);
				attempt_failed(p, c);
				return;
			}
			used -= (size_t)k;
		}
		if (egress_upstream_done(c->up)) {
			relay_start(p, c);
			return;
		}
	}
}

/* Start a non-blocking connect to a:port.  0 (in progress), or -errno with c->error. */
static int
connect_start(struct egress_proxy *p, struct conn *c, const struct egress_addr *a, uint16_t port)
{
	struct sockaddr_storage	ss;
	struct epoll_event	ev;
	socklen_t		sl = egress_addr_to_sockaddr(a, port, &ss);
	char			ip[EGRESS_ADDR_STRLEN];
	int			fd, one = 1, e;

	if ((fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		e = -errno;
		goto fail;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS) {
		e = -errno;
		close(fd);
		goto fail;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.ptr = &c->hu;
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		e = -errno;
		close(fd);
		goto fail;
	}
	c->ufd = fd;
	c->state = C_CONNECT;
	timer_set(p, c, T_CONNECT, p->connect_ms);
	return 0;
fail:
	conn_error(c, true, "connect %s:%u: %s", egress_addr_format(a, ip, sizeof(ip)), port, strerror(-e));
	return e;
}

/* Try the routes from the current one; refuse, or report an error, when none is left. */
static void
route_next(struct egress_proxy *p, struct conn *c)
{
	const struct egress_addr	*a;
	const struct route		*rt;
	uint16_t			 port;
	uint8_t				 naddr;

	for (; c->route_i < c->nroutes; c->route_i++, c->addr_i = 0) {
		rt = &c->routes[c->route_i];
		if (rt->kind == EGRESS_ROUTE_REFUSE) {
			conn_refuse(p, c);
			return;
		}
		if (rt->kind == EGRESS_ROUTE_DIRECT) {
			a = &c->dst;
			naddr = 1;
			port = c->dst_port;
		} else {
			a = rt->addr;
			naddr = rt->naddr;
			port = rt->port;
			if (naddr == 0 && c->addr_i == 0)
				conn_error(c, true, "proxy %s:%u: cannot resolve", rt->host, rt->port);
		}
		for (; c->addr_i < naddr; c->addr_i++)
			if (connect_start(p, c, &a[c->addr_i], port) == 0)
				return;
	}
	conn_error(c, false, "no route");
	conn_close(p, c, true);
}

/* The connect in progress finished (or not). */
static void
connect_event(struct egress_proxy *p, struct conn *c, uint32_t ev)
{
	const struct route	*rt;
	char			 ip[EGRESS_ADDR_STRLEN];
	socklen_t		 sl;
	int			 e = 0;

	if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		return;
	sl = sizeof(e);
	if (getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &e, &sl) != 0)
		e = errno;
	if (e == 0 && (ev & (EPOLLERR | EPOLLHUP)))
		e = ECONNRESET;
	if (e != 0) {
		rt = &c->routes[c->route_i];
		if (rt->kind == EGRESS_ROUTE_DIRECT)
			conn_error(c, true, "connect %s:%u: %s", egress_addr_format(&c->dst, ip, sizeof(ip)),
			    c->dst_port, strerror(e));
		else
			conn_error(c, true, "connect %s %s:%u: %s", egress_route_kind_name(rt->kind),
			    rt->host, rt->port, strerror(e));
		attempt_failed(p, c);
		return;
	}
	upstream_connected(p, c);
	if (c->state == C_HANDSHAKE)
		handshake_io(p, c, ev);
}

/* ---- relay ---- */

/*
 * Move what can move in direction i (0: client -> destination) until
 * nothing does.  The pipe is held only while it has bytes.  -1 when the
 * connection was closed (a reset or an error on either side).
 */
static int
dir_pump(struct egress_proxy *p, struct conn *c, int i)
{
	struct dir	*d = &c->d[i];
	int		 src = i == 0 ? c->cfd : c->ufd;
	int		 dst = i == 0 ? c->ufd : c->cfd;
	const char	*sname = i == 0 ? "client" : "destination";
	const char	*dname = i == 0 ? "destination" : "client";
	ssize_t		 n;
	bool		 progress;
	int		 e;

	if (d->shut)
		return 0;
	do {
		progress = false;
		if (!d->eof && !d->stalled) {
			if (d->pr < 0 && (e = pipe_get(p, d)) != 0) {
				conn_error(c, false, "pipe: %s", strerror(-e));
				conn_close(p, c, true);
				return -1;
			}
			n = splice(src, NULL, d->pw, NULL, SPLICE_CHUNK,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				d->inpipe += (size_t)n;
				progress = true;
			} else if (n == 0) {
				d->eof = true;
				progress = true;
			} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* With bytes in the pipe, it may be the pipe that is full. */
				if (d->inpipe > 0)
					d->stalled = true;
			} else if (errno == EINTR) {
				progress = true;
			} else {
				conn_error(c, false, "%s: %s", sname, strerror(errno));
				conn_close(p, c, true);
				return -1;
			}
		}
		if (d->inpipe > 0) {
			n = splice(d->pr, NULL, dst, NULL, d->inpipe,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				d->inpipe -= (size_t)n;
				c->bytes[i] += (unsigned long long)n;
				d->stalled = false;
				progress = true;
			} else if (n < 0 && errno == EINTR) {
				progress = true;
			} else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
				e = n == 0 ? EPIPE : errno;
				if (e == EPIPE) {
					/* splice may raise SIGPIPE; it is blocked on this thread: drop it. */
					sigset_t	 set;
					struct timespec	 zero = { 0, 0 };

					sigemptyset(&set);
					sigaddset(&set, SIGPIPE);
					(void)sigtimedwait(&set, NULL, &zero);
				}
				conn_error(c, false, "%s: %s", dname, strerror(e));
				conn_close(p, c, true);
				return -1;
			}
		}
	} while (progress);
	if (d->inpipe == 0)
		pipe_put(p, d);
	if (d->eof && d->inpipe == 0 && !d->shut) {
		/* Half-close: pass the EOF on, keep the other direction. */
		(void)shutdown(dst, SHUT_WR);
		d->shut = true;
	}
	return 0;
}

static void
relay_pump(struct egress_proxy *p, struct conn *c, uint32_t ev, int fd)
{
	socklen_t	sl;
	int		i, e = 0;

	for (i = 0; i < 2; i++)
		if (dir_pump(p, c, i) != 0)
			return;
	if (c->d[0].shut && c->d[1].shut) {
		conn_close(p, c, false);
		return;
	}
	if (ev & EPOLLERR) {
		sl = sizeof(e);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) == 0 && e != 0) {
			conn_error(c, false, "%s: %s", fd == c->cfd ? "client" : "destination",
			    strerror(e));
			conn_close(p, c, true);
		}
	}
}

static void
relay_start(struct egress_proxy *p, struct conn *c)
{
	timer_set(p, c, T_NONE, 0);
	free(c->up);
	c->up = NULL;
	c->route_used = c->route_i;
	conn_action(p, c, egress_route_kind_name(c->routes[c->route_i].kind));
	/* Earlier routes that failed are not this connection's error. */
	free(c->error);
	c->error = NULL;
	c->state = C_RELAY;
	relay_pump(p, c, 0, c->ufd);
}

/* ---- the client's first bytes ---- */

static void
peek_event(struct egress_proxy *p, struct conn *c, uint32_t ev)
{
	enum egress_peek_result	 r;
	char			 name[EGRESS_HOST_MAX];
	struct dw_err		 err;
	bool			 tls = c->dst_port == 443;
	ssize_t			 n;

	n = recv(c->cfd, p->buf, sizeof(p->buf), MSG_PEEK | MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			if (ev & (EPOLLERR | EPOLLHUP)) {
				conn_error(c, false, "client went away before the decision");
				conn_close(p, c, true);
			}
			return;
		}
		conn_error(c, false, "client: %s", strerror(errno));
		conn_close(p, c, true);
		return;
	}
	if (n == 0) {
		/* EOF before a byte: nothing to read a name from. */
		decide_start(p, c, EGRESS_NAME_IP, NULL);
		return;
	}
	dw_err_clear(&err);
	if (tls)
		r = egress_peek_tls_sni(p->buf, (size_t)n, sizeof(p->buf), name, &err);
	else
		r = egress_peek_http_host(p->buf, (size_t)n, sizeof(p->buf), name, &err);
	switch (r) {
	case EGRESS_PEEK_FOUND:
		decide_start(p, c, tls ? EGRESS_NAME_SNI : EGRESS_NAME_HOST, name);
		break;
	case EGRESS_PEEK_NONE:
		decide_start(p, c, EGRESS_NAME_IP, NULL);
		break;
	case EGRESS_PEEK_MALFORMED:
		conn_error(c, false, "%s: %s", tls ? "TLS ClientHello" : "HTTP request", err.msg);
		conn_refuse(p, c);
		break;
	case EGRESS_PEEK_NEED_MORE:
		/* The client stopped sending before the name: decide on the IP. */
		if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			decide_start(p, c, EGRESS_NAME_IP, NULL);
		break;
	}
}

static void
client_event(struct egress_proxy *p, struct conn *c, uint32_t ev)
{
	switch (c->state) {
	case C_PEEK:
		peek_event(p, c, ev);
		break;
	case C_DECIDE:
		if (ev & (EPOLLERR | EPOLLHUP))
			c->client_gone = true;
		break;
	case C_CONNECT:
	case C_HANDSHAKE:
		if (ev & (EPOLLERR | EPOLLHUP)) {
			conn_error(c, true, "client went away before the connection was made");
			conn_close(p, c, true);
		}
		break;
	case C_RELAY:
		relay_pump(p, c, ev, c->cfd);
		break;
	case C_DEAD:
		break;
	}
}

static void
upstream_event(struct egress_proxy *p, struct conn *c, uint32_t ev)
{
	switch (c->state) {
	case C_CONNECT:
		connect_event(p, c, ev);
		break;
	case C_HANDSHAKE:
		handshake_io(p, c, ev);
		break;
	case C_RELAY:
		relay_pump(p, c, ev, c->ufd);
		break;
	default:
		break;
	}
}

/* ---- accepting ---- */

/* The destination before the redirect. */
static int
orig_dst(int fd, int family, struct egress_addr *ret, uint16_t *ret_port)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof(ss);
	int			r;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET)
		r = getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &ss, &sl);
	else
		r = getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &ss, &sl);
	if (r != 0)
		return -errno;
	return egress_addr_from_sockaddr((const struct sockaddr *)&ss, ret, ret_port);
}

/* The original destination is the proxy itself: nothing was redirected. */
static bool
is_self(int fd, const struct egress_addr *dst, uint16_t port)
{
	struct sockaddr_storage	ss;
	struct egress_addr	a;
	socklen_t		sl = sizeof(ss);
	uint16_t		lport;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    egress_addr_from_sockaddr((const struct sockaddr *)&ss, &a, &lport) != 0)
		return true;
	return lport == port && a.family == dst->family &&
	    memcmp(&a.u, &dst->u, a.family == AF_INET ? 4 : 16) == 0;
}

/* A connection we could not even allocate for: still one record. */
static void
report_bare(struct egress_proxy *p, const struct sockaddr_storage *ss, const char *why)
{
	struct egress_conn_record	r;

	stat_add(&p->st.errors);
	__atomic_sub_fetch(&p->st.open, 1, __ATOMIC_RELAXED);
	if (p->ops.on_close == NULL)
		return;
	memset(&r, 0, sizeof(r));
	(void)egress_addr_from_sockaddr((const struct sockaddr *)ss, &r.src, &r.src_port);
	r.answer.n = 1;
	r.answer.r[0].kind = EGRESS_ROUTE_REFUSE;
	r.route = -1;
	clock_gettime(CLOCK_REALTIME, &r.started);
	r.action = "error";
	copy_str(r.error, sizeof(r.error), why);
	p->ops.on_close(p->ctx, &r);
}

static void
accept_one(struct egress_proxy *p, int fd, const struct sockaddr_storage *ss)
{
	struct epoll_event	 ev;
	struct conn		*c;
	unsigned		 open;
	int			 one = 1, e;

	stat_add(&p->st.accepted);
	open = __atomic_add_fetch(&p->st.open, 1, __ATOMIC_RELAXED);
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		fd_close(fd, true);
		report_bare(p, ss, "out of memory");
		return;
	}
	c->cfd = fd;
	c->ufd = -1;
	c->d[0].pr = c->d[0].pw = c->d[1].pr = c->d[1].pw = -1;
	c->route_used = -1;
	c->hc.kind = H_CLIENT;
	c->hc.c = c;
	c->hu.kind = H_UPSTREAM;
	c->hu.c = c;
	c->state = C_PEEK;
	clock_gettime(CLOCK_REALTIME, &c->started);
	c->t0 = now_ms();
	(void)egress_addr_from_sockaddr((const struct sockaddr *)ss, &c->src, &c->src_port);
	LIST_INSERT_HEAD(&p->conns, c, all);

	if (p->no_orig_dst) {
		c->dst = p->test_dst;
		c->dst_port = p->test_dst_port;
	} else if ((e = orig_dst(fd, ss->ss_family, &c->dst, &c->dst_port)) != 0) {
		conn_error(c, false, "no original destination: %s", strerror(-e));
		conn_close(p, c, true);
		return;
	} else if (is_self(fd, &c->dst, c->dst_port)) {
		conn_error(c, false, "not redirected: a connection to the proxy port itself");
		conn_refuse(p, c);
		return;
	}
	if (open > p->conns_max) {
		conn_error(c, false, "over %u connections", p->conns_max);
		conn_refuse(p, c);
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.ptr = &c->hc;
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		conn_error(c, false, "epoll: %s", strerror(errno));
		conn_close(p, c, true);
		return;
	}
	/* A name only where Docker Desktop reads one: Host on 80, SNI on 443. */
	if (c->dst_port == 80 || c->dst_port == 443)
		timer_set(p, c, T_PEEK, p->peek_ms);
	else
		decide_start(p, c, EGRESS_NAME_IP, NULL);
}

static void
listeners_arm(struct egress_proxy *p, bool on)
{
	struct epoll_event	ev;
	int			i;

	for (i = 0; i < 2; i++) {
		if (p->lfd[i] < 0)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.events = on ? EPOLLIN : 0;
		ev.data.ptr = &p->hl[i];
		(void)epoll_ctl(p->epfd, EPOLL_CTL_MOD, p->lfd[i], &ev);
	}
}

static void
accept_ready(struct egress_proxy *p, int lfd)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;
	int			fd, i;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		sl = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* Out of descriptors: leave them in the backlog a while. */
				listeners_arm(p, false);
				p->paused = true;
				p->pause_until = now_ms() + ACCEPT_PAUSE_MS;
			}
			return;
		}
		accept_one(p, fd, &ss);
	}
}

/* ---- the loop ---- */

/* Decisions came back: start connecting. */
static void
wake_event(struct egress_proxy *p)
{
	struct jobq	 done;
	struct job	*j;
	struct conn	*c;
	uint64_t	 v;

	if (read(p->wakefd, &v, sizeof(v)) < 0)
		v = 0;	/* EAGAIN: another wake-up took it; the queue is what counts */
	TAILQ_INIT(&done);
	pthread_mutex_lock(&p->mu);
	TAILQ_CONCAT(&done, &p->done, q);
	pthread_mutex_unlock(&p->mu);
	while ((j = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, j, q);
		c = j->c;
		c->job = NULL;
		if (!job_apply(c, j)) {
			free(j);
			conn_error(c, false, "out of memory");
			conn_close(p, c, true);
			continue;
		}
		free(j);
		if (c->client_gone) {
			conn_error(c, false, "client went away during the decision");
			conn_close(p, c, true);
			continue;
		}
		c->route_i = c->addr_i = 0;
		route_next(p, c);
	}
}

static int
next_timeout(struct egress_proxy *p)
{
	unsigned long long	now = now_ms(), t = ~0ULL;
	struct conn		*c;

	if ((c = TAILQ_FIRST(&p->tpeek)) != NULL && c->deadline < t)
		t = c->deadline;
	if ((c = TAILQ_FIRST(&p->tconn)) != NULL && c->deadline < t)
		t = c->deadline;
	if (p->paused && p->pause_until < t)
		t = p->pause_until;
	if (t == ~0ULL)
		return -1;
	return t <= now ? 0 : (int)(t - now);
}

static void
timers_run(struct egress_proxy *p)
{
	unsigned long long	 now = now_ms();
	struct conn		*c;

	while ((c = TAILQ_FIRST(&p->tpeek)) != NULL && c->deadline <= now)
		decide_start(p, c, EGRESS_NAME_IP, NULL);	/* no name in time: the IP */
	while ((c = TAILQ_FIRST(&p->tconn)) != NULL && c->deadline <= now) {
		const struct route	*rt = &c->routes[c->route_i];

		timer_set(p, c, T_NONE, 0);
		if (rt->kind == EGRESS_ROUTE_DIRECT)
			conn_error(c, true, "connect: timed out after %u ms", p->connect_ms);
		else
			conn_error(c, true, "%s %s:%u: %s timed out after %u ms", egress_route_kind_name(rt->kind),
			    rt->host, rt->port, c->state == C_CONNECT ? "connect" : "handshake",
			    p->connect_ms);
		attempt_failed(p, c);
	}
	if (p->paused && now >= p->pause_until) {
		p->paused = false;
		listeners_arm(p, true);
	}
}

static void
dead_free(struct egress_proxy *p)
{
	struct conn	*c;

	while ((c = LIST_FIRST(&p->dead)) != NULL) {
		LIST_REMOVE(c, all);
		conn_free(c);
	}
}

/* On stop (the decision threads are gone): every connection closed and reported. */
static void
loop_finish(struct egress_proxy *p)
{
	struct jobq	 jobs;
	struct job	*j;
	struct conn	*c;
	int		 i;

	for (i = 0; i < 2; i++) {
		if (p->lfd[i] >= 0)
			close(p->lfd[i]);
		p->lfd[i] = -1;
	}
	TAILQ_INIT(&jobs);
	pthread_mutex_lock(&p->mu);
	TAILQ_CONCAT(&jobs, &p->done, q);
	while ((j = TAILQ_FIRST(&jobs)) != NULL) {
		TAILQ_REMOVE(&jobs, j, q);
		j->c->job = NULL;
		(void)job_apply(j->c, j);	/* the record says what was decided */
		free(j);
	}
	TAILQ_CONCAT(&jobs, &p->queue, q);
	pthread_mutex_unlock(&p->mu);
	while ((j = TAILQ_FIRST(&jobs)) != NULL) {
		TAILQ_REMOVE(&jobs, j, q);
		j->c->job = NULL;
		free(j);
	}
	while ((c = LIST_FIRST(&p->conns)) != NULL) {
		conn_error(c, false, "proxy stopped");
		conn_close(p, c, true);
	}
	dead_free(p);
}

static void *
loop_main(void *arg)
{
	struct egress_proxy	*p = arg;
	struct epoll_event	 evs[EVENTS_MAX];
	struct handle		*h;
	int			 n, i;

	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		n = epoll_wait(p->epfd, evs, EVENTS_MAX, next_timeout(p));
		if (n < 0)
			continue;	/* EINTR: nothing else can fail on a valid epoll fd */
		for (i = 0; i < n; i++) {
			h = evs[i].data.ptr;
			switch (h->kind) {
			case H_LISTEN:
				accept_ready(p, p->lfd[h == &p->hl[0] ? 0 : 1]);
				break;
			case H_WAKE:
				wake_event(p);
				break;
			case H_CLIENT:
				client_event(p, h->c, evs[i].events);
				break;
			case H_UPSTREAM:
				upstream_event(p, h->c, evs[i].events);
				break;
			}
		}
		timers_run(p);
		dead_free(p);
	}
	loop_finish(p);
	return NULL;
}

/* ---- start, stop ---- */

static int
listen_one(struct egress_proxy *p, int i, int family, const char *bind_addr, uint16_t port,
    struct dw_err *err)
{
	struct sockaddr_storage	ss;
	struct epoll_event	ev;
	struct egress_addr	a;
	socklen_t		sl;
	uint16_t		got;
	int			fd = -1, one = 1, r;

	memset(&a, 0, sizeof(a));
	a.family = family;
	if (inet_pton(family, bind_addr, &a.u) != 1) {
		dw_err_set(err, "egress proxy: bad %s bind address \"%s\"",
		    family == AF_INET ? "IPv4" : "IPv6", bind_addr);
		return -EINVAL;
	}
	sl = egress_addr_to_sockaddr(&a, port, &ss);
	if ((fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		r = -errno;
		goto fail;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) {
		r = -errno;
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, SOMAXCONN) != 0) {
		r = -errno;
		goto fail;
	}
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    egress_addr_from_sockaddr((const struct sockaddr *)&ss, &a, &got) != 0) {
		r = -EIO;
		goto fail;
	}
	p->hl[i].kind = H_LISTEN;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &p->hl[i];
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		r = -errno;
		goto fail;
	}
	p->lfd[i] = fd;
	p->port = got;
	return 0;
fail:
	dw_err_set(err, "egress proxy: listen on %s%s%s:%u: %s", family == AF_INET6 ? "[" : "",
	    bind_addr, family == AF_INET6 ? "]" : "", port, strerror(-r));
	if (fd >= 0)
		close(fd);
	return r;
}

static void
proxy_free(struct egress_proxy *p)
{
	int	i;

	for (i = 0; i < 2; i++)
		if (p->lfd[i] >= 0)
			close(p->lfd[i]);
	for (i = 0; i < p->nspare; i++) {
		close(p->spare[i][0]);
		close(p->spare[i][1]);
	}
	if (p->wakefd >= 0)
		close(p->wakefd);
	if (p->epfd >= 0)
		close(p->epfd);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}

static void
deciders_stop(struct egress_proxy *p)
{
	int	i;

	pthread_mutex_lock(&p->mu);
	p->dec_stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->ndec; i++)
		pthread_join(p->dec[i], NULL);
	p->ndec = 0;
}

int
egress_proxy_start(const struct egress_proxy_opts *o, struct egress_proxy **out,
    struct dw_err *err)
{
	struct egress_proxy	*p;
	struct epoll_event	 ev;
	sigset_t		 all, old;
	const char		*b4 = o->bind4 != NULL ? o->bind4 : "0.0.0.0";
	const char		*b6 = o->bind6 != NULL ? o->bind6 : "::";
	int			 r, i;

	if (o->ops.decide == NULL || (o->no_orig_dst && o->test_dst.family != AF_INET &&
	    o->test_dst.family != AF_INET6) || (b4[0] == '\0' && b6[0] == '\0')) {
		dw_err_set(err, "egress proxy: no decide function, test destination or address");
		return -EINVAL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		dw_err_set(err, "egress proxy: out of memory");
		return -ENOMEM;
	}
	p->ops = o->ops;
	p->ctx = o->ctx;
	p->no_orig_dst = o->no_orig_dst;
	p->test_dst = o->test_dst;
	p->test_dst_port = o->test_dst_port;
	p->conns_max = o->conns_max != 0 ? o->conns_max : EGRESS_CONNS_MAX;
	p->peek_ms = o->peek_ms != 0 ? o->peek_ms : EGRESS_PEEK_MS;
	p->connect_ms = o->connect_ms != 0 ? o->connect_ms : EGRESS_CONNECT_MS;
	p->lfd[0] = p->lfd[1] = p->epfd = p->wakefd = -1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	TAILQ_INIT(&p->queue);
	TAILQ_INIT(&p->done);
	TAILQ_INIT(&p->tpeek);
	TAILQ_INIT(&p->tconn);
	LIST_INIT(&p->conns);
	LIST_INIT(&p->dead);

	if ((p->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (p->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		r = -errno;
		dw_err_set(err, "egress proxy: %s", strerror(-r));
		goto fail;
	}
	p->hw.kind = H_WAKE;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &p->hw;
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->wakefd, &ev) != 0) {
		r = -errno;
		dw_err_set(err, "egress proxy: %s", strerror(-r));
		goto fail;
	}
	if (b4[0] != '\0' && (r = listen_one(p, 0, AF_INET, b4, o->port, err)) != 0)
		goto fail;
	/* IPv6 on the same port (the one IPv4 got when port is 0). */
	if (b6[0] != '\0' && (r = listen_one(p, 1, AF_INET6, b6,
	    p->lfd[0] >= 0 ? p->port : o->port, err)) != 0) {
		/* No IPv6 on this host and none asked for explicitly: IPv4 only. */
		if (o->bind6 != NULL || p->lfd[0] < 0 ||
		    (r != -EAFNOSUPPORT && r != -EADDRNOTAVAIL))
			goto fail;
		dw_err_clear(err);
	}

	/* Our threads take no signal: SIGPIPE from splice stays pending on the loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < EGRESS_DECIDERS; i++) {
		if ((r = pthread_create(&p->dec[i], NULL, decider_main, p)) != 0)
			break;
		p->ndec++;
	}
	if (r == 0 && (r = pthread_create(&p->loop, NULL, loop_main, p)) == 0)
		p->loop_started = true;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		dw_err_set(err, "egress proxy: threads: %s", strerror(r));
		r = -r;
		deciders_stop(p);
		goto fail;
	}
	*out = p;
	return 0;
fail:
	proxy_free(p);
	return r;
}

void
egress_proxy_stats(struct egress_proxy *p, struct egress_proxy_stats *out)
{
	out->accepted = __atomic_load_n(&p->st.accepted, __ATOMIC_RELAXED);
	out->direct = __atomic_load_n(&p->st.direct, __ATOMIC_RELAXED);
	out->proxied = __atomic_load_n(&p->st.proxied, __ATOMIC_RELAXED);
	out->socks5 = __atomic_load_n(&p->st.socks5, __ATOMIC_RELAXED);
	out->refused = __atomic_load_n(&p->st.refused, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&p->st.errors, __ATOMIC_RELAXED);
	out->open = __atomic_load_n(&p->st.open, __ATOMIC_RELAXED);
}

uint16_t
egress_proxy_port(const struct egress_proxy *p)
{
	return p->port;
}

void
egress_proxy_stop(struct egress_proxy *p)
{
	if (p == NULL)
		return;
	/* Decisions in progress finish and come back; queued ones are dropped. */
	deciders_stop(p);
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
	wake(p);
	pthread_join(p->loop, NULL);
	proxy_free(p);
}
