/*
 * api_listen: the socket gatekeeper's listener, where clients expect the
 * Docker socket.  It accepts connections, knows who is calling
 * (SO_PEERCRED and the caller's cgroup, read at accept), keeps any one
 * caller from taking every connection (a per-caller cap, a reserve for
 * host root; refused connections get a 503 from a few refuser threads)
 * and gives each admitted connection a thread of its own that the gate
 * (api_gate.c) serves: a hijacked stream lives as long as the container's
 * attach does.  Connection threads are reused: one whose connection ended
 * waits a while for the next before it exits, unless enough others wait
 * already (threads_idle_max).
 */
#ifndef API_LISTEN_H
#define API_LISTEN_H

#include <sys/types.h>

#include "api/api_gate.h"
#include "common/dw_err.h"

struct api_listen_opts {
	const char	*socket_path;	/* where clients connect (copied) */
	mode_t		 mode;		/* socket mode, e.g. 0660 */
	gid_t		 gid;		/* socket group; (gid_t)-1 keeps root's */
	unsigned	 max_conns;	/* concurrent client connections; 0: DW_GATE_CONNS_MAX */
	unsigned	 max_conns_per_caller; /* one host uid or one container; 0: DW_GATE_CONNS_PER_CALLER */
	int		 thread_idle_s;	/* an idle connection thread's wait for another connection; 0: DW_GATE_THREAD_IDLE_S */
	unsigned	 threads_idle_max; /* idle connection threads kept at most (more exit); 0: DW_GATE_THREADS_IDLE_MAX */
	struct api_gate_opts gate;	/* how each request is decided and forwarded */
};

struct api_listen;

/*
 * Listen on opts->socket_path and give the socket its group, starting no
 * thread, so that the caller can give up privileges before serving
 * (api_sandbox).  A new listener (stop with api_listen_stop) deciding with
 * ops (copied; its ctx borrowed), or NULL with err.
 */
struct api_listen *api_listen_bind(const struct api_listen_opts *opts,
	    const struct api_gate_ops *ops, struct dw_err *err);
/* Start serving in background threads: 0, or -EAGAIN with err (then stop l). */
int	api_listen_run(struct api_listen *l, struct dw_err *err);
/* api_listen_bind then api_listen_run: a running listener, or NULL with err. */
struct api_listen *api_listen_start(const struct api_listen_opts *opts,
	    const struct api_gate_ops *ops, struct dw_err *err);

/*
 * Stop accepting, remove the socket, wake every connection and free the
 * listener once they are gone (given 2 s: a connection still open then
 * keeps the listener, as the process is exiting).  NULL is a no-op.
 */
void	api_listen_stop(struct api_listen *l);

#endif
