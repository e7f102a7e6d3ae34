/* api_listen: the gatekeeper's listener and its connections (see api_listen.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/api_gate.h"
#include "api/api_http.h"
#include "api/api_listen.h"
#include "api/api_mem.h"
#include "api/api_metrics.h"
#include "api/api_peer.h"
#include "common/dw_limits.h"
#include "common/dw_log.h"
#include "common/dw_sock.h"

/* One client connection, from accept to close. */
struct listen_conn {
	LIST_ENTRY(listen_conn)	 entry;
	STAILQ_ENTRY(listen_conn) queued;	/* waiting for an idle connection thread */
	struct api_listen	*l;
	int			 fd;		/* the client; the gate connection owns it once made */
	struct api_gate_conn	*gc;
	struct api_peer		 peer;		/* who is calling, read at accept; zero when unknown */
	int			 peer_error;	/* api_peer_identify: 0 or -errno */
	char			 peer_why[DW_ERR_MAX];
	bool			 is_root;	/* host root (uid 0, in no container) */
	bool			 in_container;	/* the connection limit's key: a container ... */
	uid_t			 key_uid;	/* ... or a host uid */
};

/*
 * A connection thread.  Its stack is mapped here, not by glibc: glibc
 * keeps the stacks of exited threads cached (up to 40 MB), each with its
 * thread control block and static TLS still resident (24 KB here), so a
 * burst of 100 connections left 2.4 MB behind for good.  An exited thread
 * is joined and its stack unmapped by the accept thread (listen_reap).
 */
struct listen_worker {
	SLIST_ENTRY(listen_worker) dead;	/* exited, waiting to be joined */
	struct api_listen	*l;
	struct listen_conn	*first;		/* the connection it was started for */
	pthread_t		 t;
	void			*map;		/* guard page, then the stack */
	size_t			 maplen;
};

struct api_listen {
	struct api_listen_opts	 opts;
	char			*socket_path;	/* opts.socket_path points here */
	struct api_gate		*gate;
	int			 listen_fd;
	int			 wake[2];	/* stop pipe for the accept loop */
	pthread_t		 acceptor;
	bool			 acceptor_started;
	pthread_mutex_t		 lock;
	pthread_cond_t		 drained;
	bool			 stopping;
	unsigned		 nconns;
	unsigned		 nrefusers;	/* threads answering refused connections */
	/*
	 * Connection threads: each serves one connection at a time, then
	 * waits (up to opts.thread_idle_s) for the next one handed over
	 * in queue, so that a connection does not cost a thread's creation
	 * (its stack mapped, cloned, unmapped).  There are never more than
	 * max_conns of them: a thread is started only for an admitted
	 * connection no idle thread is there to take.
	 */
	unsigned		 nworkers;	/* connection threads alive */
	unsigned		 nidle;		/* of them, waiting for a connection */
	unsigned		 nqueued;	/* connections in queue */
	pthread_cond_t		 work;		/* queue has a connection, or stopping */
	STAILQ_HEAD(, listen_conn) queue;
	SLIST_HEAD(, listen_worker) dead;	/* exited connection threads to join */
	bool			 reap_asked;	/* a wake byte for them is on its way */
	time_t			 refuse_logged;	/* last "connection refused" log line */
	unsigned long		 refused_quiet;	/* refusals since then, not logged */
	LIST_HEAD(, listen_conn) conns;
};

/* A refused connection, answered on a refuser thread. */
struct refusal {
	struct api_listen	*l;
	int			 fd;
	char			 msg[DW_MSG_MAX];
};

/* ---- who is calling, and may they ---- */

/*
 * Who is calling, read once at accept: the connection limits need it
 * before a thread is spent.  A peer that cannot be identified is limited
 * by its SO_PEERCRED uid and is never root for the reserve; its requests
 * are denied later (the gate's caller identification).
 */
static void
conn_peer(struct listen_conn *lc)
{
	struct dw_err	err;
	struct ucred	cred;
	socklen_t	len = sizeof(cred);

	err.msg[0] = '\0';
	lc->key_uid = (uid_t)-1;
	if ((lc->peer_error = api_peer_identify(lc->fd, &lc->peer, &err)) < 0) {
		snprintf(lc->peer_why, sizeof(lc->peer_why), "%s", err.msg);
		memset(&lc->peer, 0, sizeof(lc->peer));
		if (getsockopt(lc->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
			lc->key_uid = cred.uid;
		return;
	}
	lc->key_uid = lc->peer.uid;
	lc->in_container = lc->peer.nids > 0;
	lc->is_root = !lc->in_container && lc->peer.uid == 0;
}

/* Do two connections count against the same caller's limit? */
static bool
conn_same_caller(const struct listen_conn *a, const struct listen_conn *b)
{
	if (a->in_container != b->in_container)
		return false;
	/*
	 * A container is its exact cgroup path (api_peer_cgroup_path), not
	 * the outermost id in it: a container nested under another's cgroup
	 * must not spend (or borrow) that container's share.  A mixed path is
	 * refused at its first request; its ids still bound it here.
	 */
	if (a->in_container && a->peer.path[0] != '\0' && b->peer.path[0] != '\0')
		return strcmp(a->peer.path, b->peer.path) == 0;
	if (a->in_container)
		return strcmp(a->peer.ids[0], b->peer.ids[0]) == 0;
	return a->key_uid == b->key_uid;
}

/*
 * May lc take a slot (l->lock held)?  Below max_conns in all; callers
 * other than host root leave DW_GATE_ROOT_RESERVE slots free for the
 * admin and hold at most max_conns_per_caller each.  false with the 503's
 * text in msg.
 */
static bool
conn_admit(struct api_listen *l, const struct listen_conn *lc, char *msg, size_t len)
{
	const struct listen_conn	*o;
	unsigned			 reserve, mine = 0;
	char				 who[64];

	if (l->nconns >= l->opts.max_conns) {
		snprintf(msg, len, "dockward: too many connections to the Docker "
		    "socket (%u open, the most it takes). Retry later; an admin can "
		    "raise --gatekeeper-max-connections", l->nconns);
		return false;
	}
	if (lc->is_root)
		return true;
	reserve = l->opts.max_conns / 4 < DW_GATE_ROOT_RESERVE ?
	    l->opts.max_conns / 4 : DW_GATE_ROOT_RESERVE;
	if (l->nconns + reserve >= l->opts.max_conns) {
		snprintf(msg, len, "dockward: too many connections to the Docker "
		    "socket (%u open; the last %u are kept for root). Retry later; "
		    "an admin can raise --gatekeeper-max-connections", l->nconns, reserve);
		return false;
	}
	LIST_FOREACH(o, &l->conns, entry)
		if (conn_same_caller(lc, o))
			mine++;
	if (mine < l->opts.max_conns_per_caller)
		return true;
	if (lc->in_container)
		snprintf(who, sizeof(who), "container %.12s", lc->peer.ids[0]);
	else
		snprintf(who, sizeof(who), "uid %ld", lc->key_uid == (uid_t)-1 ? -1L :
		    (long)lc->key_uid);
	snprintf(msg, len, "dockward: too many connections to the Docker socket "
	    "from this caller (%s holds %u, the most one caller may). Close idle "
	    "connections and retry; an admin can raise "
	    "--gatekeeper-max-connections-per-caller", who, mine);
	return false;
}

/* Wake api_listen_stop when no thread uses l any more (l->lock held). */
static void
listen_drained_check(struct api_listen *l)
{
	if (l->nconns == 0 && l->nrefusers == 0 && l->nworkers == 0)
		pthread_cond_broadcast(&l->drained);
}

/* ---- refused connections ---- */

/*
 * Over the cap: take what the client sent (up to DW_GATE_REFUSED_READ_MS,
 * DW_GATE_REFUSED_READ_MAX) so that a client that writes its request
 * before reading sees the 503, not EPIPE.
 */
static void
refused_read(int fd)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	char		buf[4096];
	size_t		total = 0;
	ssize_t		n;

	while (total < DW_GATE_REFUSED_READ_MAX &&
	    poll(&pfd, 1, DW_GATE_REFUSED_READ_MS) > 0) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			break;
		total += (size_t)n;
		if (memmem(buf, (size_t)n, "\r\n\r\n", 4) != NULL)
			break;
	}
}

/* Answer one refused connection off the accept thread: read, 503, close. */
static void *
refuse_main(void *arg)
{
	struct refusal		*rf = arg;
	struct api_listen	*l = rf->l;

	refused_read(rf->fd);
	(void)api_http_error_write(rf->fd, 503, "Service Unavailable", rf->msg, true,
	    false);
	close(rf->fd);
	free(rf);
	pthread_mutex_lock(&l->lock);
	--l->nrefusers;
	listen_drained_check(l);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/* Start a detached thread with the connections' stack size; 0 or an error number. */
static int
thread_start(void *(*fn)(void *), void *arg)
{
	pthread_attr_t	attr;
	pthread_t	t;
	int		r;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, DW_GATE_THREAD_STACK);
	r = pthread_create(&t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return r;
}

/*
 * Refuse a connection (taken) with msg as a 503.  The wait for the
 * client's request (refused_read) happens on one of a few refuser
 * threads, never on the accept thread, so a flood of refused connections
 * cannot stall accepting root's; past DW_GATE_REFUSERS_MAX the answer goes
 * out at once.  The log says so at most once a second.
 */
static void
refuse_conn(struct api_listen *l, int fd, const char *msg)
{
	struct refusal	*rf = NULL;
	time_t		 now = time(NULL);
	unsigned long	 quiet = 0;
	bool		 spawn = false, log = false;

	pthread_mutex_lock(&l->lock);
	if (l->nrefusers < DW_GATE_REFUSERS_MAX && !l->stopping) {
		l->nrefusers++;
		spawn = true;
	}
	if (now != l->refuse_logged) {
		l->refuse_logged = now;
		quiet = l->refused_quiet;
		l->refused_quiet = 0;
		log = true;
	} else
		l->refused_quiet++;
	pthread_mutex_unlock(&l->lock);
	if (log)
		log_warn("gatekeeper: connection refused: %s%s", msg + strlen("dockward: "),
		    quiet ? " (and more refusals not logged)" : "");
	if (spawn && (rf = calloc(1, sizeof(*rf))) != NULL) {
		rf->l = l;
		rf->fd = fd;
		snprintf(rf->msg, sizeof(rf->msg), "%s", msg);
		if (thread_start(refuse_main, rf) == 0)
			return;
		free(rf);
	}
	if (spawn) {
		pthread_mutex_lock(&l->lock);
		l->nrefusers--;
		pthread_mutex_unlock(&l->lock);
	}
	(void)api_http_error_write(fd, 503, "Service Unavailable", msg, true, false);
	close(fd);
}

/* ---- admitted connections ---- */

/* Close lc (its gate connection first: the engine connection goes back to the pool) and free it. */
static void
conn_free(struct listen_conn *lc)
{
	struct api_listen	*l = lc->l;

	if (lc->gc != NULL)
		api_gate_conn_free(lc->gc);
	else
		close(lc->fd);
	pthread_mutex_lock(&l->lock);
	LIST_REMOVE(lc, entry);
	l->nconns--;
	api_metrics_gate_conn_close();
	api_mem_conn_close();
	listen_drained_check(l);
	pthread_mutex_unlock(&l->lock);
	free(lc);
}

/*
 * A new connection must start its first request within the head timeout:
 * one that only holds a slot is closed (keep-alive waits between requests
 * are the gate's idle timeout).
 */
static bool
first_byte_wait(const struct listen_conn *lc)
{
	struct pollfd	pfd = { .fd = lc->fd, .events = POLLIN };
	int		n;

	do
		n = poll(&pfd, 1, lc->l->opts.gate.head_timeout_s * 1000);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		log_debug("gatekeeper: pid %d sent nothing in %d s, closed",
		    (int)lc->peer.pid, lc->l->opts.gate.head_timeout_s);
	return n > 0;
}

/* Serve one connection to its end and free it. */
static void
conn_serve(struct listen_conn *lc)
{
	if (first_byte_wait(lc))
		api_gate_conn_serve(lc->gc);
	conn_free(lc);
}

/*
 * The next connection handed to this idle thread, or NULL when none came
 * within thread_idle_s, the listener stops, or threads_idle_max others
 * wait already and nothing is queued (then the thread is no longer
 * counted).  A connection queued while this thread was counted idle is
 * always taken: the queue is checked after every wake-up.
 */
static struct listen_conn *
conn_next(struct api_listen *l, struct listen_worker *w)
{
	struct listen_conn	*lc = NULL;
	struct timespec		 deadline;
	int			 r = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += l->opts.thread_idle_s;
	pthread_mutex_lock(&l->lock);
	/* Enough threads wait already: this one's stack goes back now. */
	if (STAILQ_EMPTY(&l->queue) && l->nidle >= l->opts.threads_idle_max)
		r = ETIMEDOUT;
	l->nidle++;
	while (STAILQ_EMPTY(&l->queue) && !l->stopping && r == 0)
		r = pthread_cond_timedwait(&l->work, &l->lock, &deadline);
	l->nidle--;
	if ((lc = STAILQ_FIRST(&l->queue)) != NULL) {
		STAILQ_REMOVE_HEAD(&l->queue, queued);
		l->nqueued--;
	} else {
		/*
		 * Exiting: joined and unmapped by the accept thread, asked
		 * once per batch (the wake pipe is written under the lock, so
		 * stop, which closes it after the last worker is gone, never
		 * races this write).
		 */
		SLIST_INSERT_HEAD(&l->dead, w, dead);
		if (!l->reap_asked && l->acceptor_started && !l->stopping) {
			l->reap_asked = true;
			(void)!write(l->wake[1], "r", 1);
		}
		l->nworkers--;
		listen_drained_check(l);
	}
	pthread_mutex_unlock(&l->lock);
	return lc;
}

/* A connection thread: the connection it was started for, then those handed to it. */
static void *
conn_main(void *arg)
{
	struct listen_worker	*w = arg;
	struct listen_conn	*lc = w->first;
	struct api_listen	*l = w->l;

	do
		conn_serve(lc);
	while ((lc = conn_next(l, w)) != NULL);
	return NULL;
}

/* Join the connection threads that exited and unmap their stacks. */
static void
listen_reap(struct api_listen *l)
{
	struct listen_worker	*w;

	for (;;) {
		pthread_mutex_lock(&l->lock);
		l->reap_asked = false;
		if ((w = SLIST_FIRST(&l->dead)) != NULL)
			SLIST_REMOVE_HEAD(&l->dead, dead);
		pthread_mutex_unlock(&l->lock);
		if (w == NULL)
			return;
		pthread_join(w->t, NULL);	/* it is past its last use of l */
		munmap(w->map, w->maplen);
		free(w);
	}
}

/*
 * Start a joinable connection thread on a stack of our own (struct
 * listen_worker says why): 0 or an error number.
 */
static int
worker_start(struct api_listen *l, struct listen_conn *lc)
{
	struct listen_worker	*w;
	pthread_attr_t		 attr;
	long			 page = sysconf(_SC_PAGESIZE);
	int			 r;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return ENOMEM;
	w->l = l;
	w->first = lc;
	w->maplen = (size_t)page + DW_GATE_THREAD_STACK;
	w->map = mmap(NULL, w->maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (w->map == MAP_FAILED) {
		free(w);
		return ENOMEM;
	}
	/* The lowest page is the guard: a stack overflow faults, as with glibc's stacks. */
	if (mprotect(w->map, (size_t)page, PROT_NONE) < 0) {
		r = errno;
		goto fail;
	}
	pthread_attr_init(&attr);
	r = pthread_attr_setstack(&attr, (char *)w->map + page, DW_GATE_THREAD_STACK);
	if (r == 0)
		r = pthread_create(&w->t, &attr, conn_main, w);
	pthread_attr_destroy(&attr);
	if (r == 0)
		return 0;
fail:
	munmap(w->map, w->maplen);
	free(w);
	return r;
}

/*
 * Give an admitted connection a thread: an idle one when there is one
 * (not yet promised another connection), else a new one.  false when no
 * thread could be started.
 */
static bool
conn_dispatch(struct api_listen *l, struct listen_conn *lc)
{
	pthread_mutex_lock(&l->lock);
	if (l->nidle > l->nqueued) {
		STAILQ_INSERT_TAIL(&l->queue, lc, queued);
		l->nqueued++;
		pthread_cond_signal(&l->work);
		pthread_mutex_unlock(&l->lock);
		return true;
	}
	l->nworkers++;
	pthread_mutex_unlock(&l->lock);
	if (worker_start(l, lc) == 0)
		return true;
	pthread_mutex_lock(&l->lock);
	l->nworkers--;
	pthread_mutex_unlock(&l->lock);
	return false;
}

/*
 * A new connection on fd (taken): admitted and given a thread, or
 * refused with a 503.
 */
static void
conn_accept(struct api_listen *l, int fd)
{
	struct listen_conn	*lc;
	struct timeval		 tv;
	char			 msg[DW_MSG_MAX];

	if ((lc = calloc(1, sizeof(*lc))) == NULL) {
		close(fd);
		return;
	}
	lc->l = l;
	lc->fd = fd;
	conn_peer(lc);
	pthread_mutex_lock(&l->lock);
	if (!conn_admit(l, lc, msg, sizeof(msg))) {
		pthread_mutex_unlock(&l->lock);
		refuse_conn(l, fd, msg);
		free(lc);
		return;
	}
	LIST_INSERT_HEAD(&l->conns, lc, entry);
	l->nconns++;
	api_metrics_gate_conn_open();
	api_mem_conn_open();
	pthread_mutex_unlock(&l->lock);
	/* The receive timeout bounds waits for request heads only. */
	tv.tv_sec = l->opts.gate.head_timeout_s;
	tv.tv_usec = 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if ((lc->gc = api_gate_conn_new(l->gate, fd, &lc->peer, lc->peer_error,
	    lc->peer_why)) == NULL) {
		log_err("gatekeeper: out of memory for a connection");
		conn_free(lc);
		return;
	}
	if (!conn_dispatch(l, lc)) {
		log_err("gatekeeper: cannot start a connection thread");
		conn_free(lc);
	}
}

/* Accept loop: a thread per connection (reused), up to max_conns; reaps exited ones. */
static void *
accept_main(void *arg)
{
	struct api_listen	*l = arg;
	struct pollfd		 pfd[2];
	int			 fd;

	for (;;) {
		pfd[0].fd = l->listen_fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = l->wake[0];
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents) {
			char	b[16];
			ssize_t	n, i;
			bool	stop = false;

			/* "r": connection threads exited; "x": stop. */
			if ((n = read(l->wake[0], b, sizeof(b))) < 0 && errno == EINTR)
				continue;
			for (i = 0; i < n; i++)
				stop = stop || b[i] != 'r';
			listen_reap(l);
			if (stop || n <= 0)
				break;
			continue;
		}
		if ((fd = accept4(l->listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
				usleep(10000);
			continue;
		}
		conn_accept(l, fd);
	}
	return NULL;
}

/* ---- the listener ---- */

struct api_listen *
api_listen_bind(const struct api_listen_opts *opts, const struct api_gate_ops *ops,
    struct dw_err *err)
{
	struct api_listen	*l;
	pthread_condattr_t	 ca;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		dw_err_set(err, "out of memory");
		return NULL;
	}
	l->opts = *opts;
	l->listen_fd = l->wake[0] = l->wake[1] = -1;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->drained, NULL);
	pthread_condattr_init(&ca);
	/* conn_next's deadline is on the monotonic clock: a clock step does not end it. */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->work, &ca);
	pthread_condattr_destroy(&ca);
	LIST_INIT(&l->conns);
	STAILQ_INIT(&l->queue);
	SLIST_INIT(&l->dead);
	if (l->opts.max_conns == 0)
		l->opts.max_conns = DW_GATE_CONNS_MAX;
	if (l->opts.max_conns_per_caller == 0)
		l->opts.max_conns_per_caller = DW_GATE_CONNS_PER_CALLER;
	if (l->opts.gate.head_timeout_s <= 0)
		l->opts.gate.head_timeout_s = DW_GATE_HEAD_TIMEOUT_S;
	if (l->opts.thread_idle_s <= 0)
		l->opts.thread_idle_s = DW_GATE_THREAD_IDLE_S;
	if (l->opts.threads_idle_max == 0)
		l->opts.threads_idle_max = DW_GATE_THREADS_IDLE_MAX;
	if ((l->socket_path = strdup(opts->socket_path)) == NULL) {
		dw_err_set(err, "out of memory");
		goto out;
	}
	l->opts.socket_path = l->socket_path;
	if (strcmp(opts->socket_path, opts->gate.engine_socket) == 0) {
		dw_err_set(err, "the gatekeeper socket and the engine socket are both "
		    "%s; give dockerd its own socket (-H unix:///run/dockward/engine.sock)",
		    opts->socket_path);
		goto out;
	}
	if ((l->gate = api_gate_new(&l->opts.gate, ops, err)) == NULL)
		goto out;
	if ((l->listen_fd = dw_sock_listen(opts->socket_path, opts->mode, err)) < 0)
		goto out;
	if (opts->gid != (gid_t)-1 && chown(opts->socket_path, 0, opts->gid) < 0) {
		dw_err_set(err, "cannot give %s to group %u: %s", opts->socket_path,
		    (unsigned)opts->gid, strerror(errno));
		goto out;
	}
	if (pipe2(l->wake, O_CLOEXEC) < 0) {
		dw_err_set(err, "pipe: %s", strerror(errno));
		goto out;
	}
	return l;
out:
	api_listen_stop(l);
	return NULL;
}

int
api_listen_run(struct api_listen *l, struct dw_err *err)
{
	if (pthread_create(&l->acceptor, NULL, accept_main, l) != 0) {
		dw_err_set(err, "cannot start the gatekeeper thread");
		return -EAGAIN;
	}
	l->acceptor_started = true;
	return 0;
}

struct api_listen *
api_listen_start(const struct api_listen_opts *opts, const struct api_gate_ops *ops,
    struct dw_err *err)
{
	struct api_listen	*l;

	if ((l = api_listen_bind(opts, ops, err)) == NULL)
		return NULL;
	if (api_listen_run(l, err) != 0) {
		api_listen_stop(l);
		return NULL;
	}
	return l;
}

void
api_listen_stop(struct api_listen *l)
{
	struct listen_conn	*lc;
	struct timespec		 ts;
	bool			 drained;

	if (l == NULL)
		return;
	if (l->acceptor_started) {
		(void)!write(l->wake[1], "x", 1);
		pthread_join(l->acceptor, NULL);
	}
	if (l->listen_fd >= 0) {
		close(l->listen_fd);
		unlink(l->socket_path);
	}
	/* Wake every connection thread and give them a moment to finish. */
	if (l->gate != NULL)
		api_gate_pool_close(l->gate);
	pthread_mutex_lock(&l->lock);
	l->stopping = true;
	/* Idle connection threads exit; busy ones once their connection ends. */
	pthread_cond_broadcast(&l->work);
	LIST_FOREACH(lc, &l->conns, entry)
		if (lc->gc != NULL)
			api_gate_conn_wake(lc->gc);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	while (l->nconns > 0 || l->nrefusers > 0 || l->nworkers > 0)
		if (pthread_cond_timedwait(&l->drained, &l->lock, &ts) != 0)
			break;
	drained = l->nconns == 0 && l->nrefusers == 0 && l->nworkers == 0;
	pthread_mutex_unlock(&l->lock);
	/* Every exited connection thread, joined (all of them when drained). */
	listen_reap(l);
	if (!drained) {
		/* A thread still holds l: leave it (the process is exiting). */
		log_warn("gatekeeper: %u connections still open at stop", l->nconns);
		return;
	}
	api_gate_free(l->gate);
	if (l->wake[0] >= 0)
		close(l->wake[0]);
	if (l->wake[1] >= 0)
		close(l->wake[1]);
	pthread_cond_destroy(&l->drained);
	pthread_cond_destroy(&l->work);
	pthread_mutex_destroy(&l->lock);
	free(l->socket_path);
	free(l);
}
