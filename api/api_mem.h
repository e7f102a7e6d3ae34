/*
 * api_mem: the daemon's heap, kept small (issue 15).  glibc's malloc gives
 * each thread that contends an arena of its own, up to eight per CPU, and
 * keeps what was freed there; dockward runs a thread per connection, so a
 * burst of connections leaves the process at its peak.  api_mem caps the
 * arenas when the daemon starts, counts the open connections of both
 * doors, and, when they drop to none after a burst, gives the free heap
 * back to the kernel (malloc_trim) from a thread of its own, after a
 * short quiet period and at most once per API_MEM_TRIM_GAP_MS: never on a
 * request's path.
 */
#ifndef API_MEM_H
#define API_MEM_H

#include "common/dw_err.h"

/* A burst: this many connections open at once since the last trim. */
#define API_MEM_BURST_CONNS	16
/*
 * ... over when no more than this many stay open: dockerd keeps a
 * keep-alive connection or two to its plugin for good, so "none" would
 * never come.
 */
#define API_MEM_IDLE_CONNS	4
/* The count must stay that low this long (a burst that pauses is not over). */
#define API_MEM_QUIET_MS	1000
/* At most one trim per this long (malloc_trim walks every arena). */
#define API_MEM_TRIM_GAP_MS	2000

/* Before any thread: caps malloc's arenas (mallopt M_ARENA_MAX). */
void	api_mem_init(void);

/*
 * The trimming thread; 0 or -errno with err set.  Without it the counts
 * below are kept and nothing is trimmed.  api_mem_stop joins it (no-op
 * when it is not running).
 */
int	api_mem_start(struct dw_err *err);
void	api_mem_stop(void);

/* A connection of either door opened or closed; cheap, any thread, any lock held. */
void	api_mem_conn_open(void);
void	api_mem_conn_close(void);

/* How many times the heap was trimmed (tests, debug log). */
unsigned long	api_mem_trims(void);

#endif
