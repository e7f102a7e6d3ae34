/*
 * api_mem: malloc's arenas capped, the heap trimmed after bursts of
 * connections (api_mem.h).
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "api/api_mem.h"
#include "common/dw_log.h"
#include "common/dw_time.h"

/*
 * Two arenas: the main one and one more.  Every connection has a thread,
 * so glibc's default (eight per CPU) gives a burst of connections up to
 * sixteen arenas here, each keeping its freed chunks and its own
 * fragmentation.  Small allocations are served from each thread's tcache
 * without taking an arena lock, so the request path seldom contends for
 * one; measured with tests/bench (proxy-bench.sh, 4 connections) against
 * the default.
 */
#define API_MEM_ARENAS		2

static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	pthread_t	 thread;
	bool		 running, stopping;
	unsigned	 active, peak;
	unsigned long	 opens, trims;
} mem = { .lock = PTHREAD_MUTEX_INITIALIZER };

void
api_mem_init(void)
{
	if (mallopt(M_ARENA_MAX, API_MEM_ARENAS) != 1)
		log_warn("malloc arenas not capped (mallopt)");
}

/* A burst happened and is over (mem.lock held). */
static bool
trim_due(void)
{
	return mem.peak >= API_MEM_BURST_CONNS && mem.active <= API_MEM_IDLE_CONNS;
}

/* Wait (mem.lock held) until ms from now or until stopping; false when stopping. */
static bool
quiet_for(long ms)
{
	struct timespec	ts;

	dw_time_mono_deadline(&ts, ms);
	while (!mem.stopping &&
	    pthread_cond_timedwait(&mem.wake, &mem.lock, &ts) != ETIMEDOUT)
		;
	return !mem.stopping;
}

/* The trimming thread: waits for the end of a burst, then gives the free heap back. */
static void *
trim_main(void *arg)
{
	unsigned long	opens;

	(void)arg;
	pthread_mutex_lock(&mem.lock);
	while (!mem.stopping) {
		if (!trim_due()) {
			pthread_cond_wait(&mem.wake, &mem.lock);
			continue;
		}
		opens = mem.opens;
		if (!quiet_for(API_MEM_QUIET_MS))
			break;
		if (!trim_due() || mem.opens != opens)
			continue;	/* more connections came: not over yet */
		mem.peak = mem.active;
		pthread_mutex_unlock(&mem.lock);
		malloc_trim(0);
		pthread_mutex_lock(&mem.lock);
		mem.trims++;
		log_debug("heap trimmed after a burst of connections");
		if (!quiet_for(API_MEM_TRIM_GAP_MS))
			break;
	}
	pthread_mutex_unlock(&mem.lock);
	return NULL;
}

int
api_mem_start(struct dw_err *err)
{
	pthread_condattr_t	attr;
	int			r;

	pthread_mutex_lock(&mem.lock);
	if (mem.running) {
		pthread_mutex_unlock(&mem.lock);
		return 0;
	}
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&mem.wake, &attr);
	pthread_condattr_destroy(&attr);
	mem.stopping = false;
	if ((r = pthread_create(&mem.thread, NULL, trim_main, NULL)) != 0) {
		pthread_cond_destroy(&mem.wake);
		pthread_mutex_unlock(&mem.lock);
		dw_err_set(err, "cannot start the heap trimming thread: %s", strerror(r));
		return -r;
	}
	mem.running = true;
	pthread_mutex_unlock(&mem.lock);
	return 0;
}

void
api_mem_stop(void)
{
	pthread_mutex_lock(&mem.lock);
	if (!mem.running) {
		pthread_mutex_unlock(&mem.lock);
		return;
	}
	mem.stopping = true;
	pthread_cond_signal(&mem.wake);
	pthread_mutex_unlock(&mem.lock);
	pthread_join(mem.thread, NULL);
	pthread_mutex_lock(&mem.lock);
	mem.running = false;
	pthread_cond_destroy(&mem.wake);
	pthread_mutex_unlock(&mem.lock);
}

void
api_mem_conn_open(void)
{
	pthread_mutex_lock(&mem.lock);
	mem.active++;
	mem.opens++;
	if (mem.active > mem.peak)
		mem.peak = mem.active;
	pthread_mutex_unlock(&mem.lock);
}

void
api_mem_conn_close(void)
{
	pthread_mutex_lock(&mem.lock);
	if (mem.active > 0)
		mem.active--;
	if (mem.running && trim_due())
		pthread_cond_signal(&mem.wake);
	pthread_mutex_unlock(&mem.lock);
}

unsigned long
api_mem_trims(void)
{
	unsigned long	n;

	pthread_mutex_lock(&mem.lock);
	n = mem.trims;
	pthread_mutex_unlock(&mem.lock);
	return n;
}
