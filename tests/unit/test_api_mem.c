/*
 * Unit tests for api_mem: the heap is trimmed once a burst of connections
 * is over (the count back to API_MEM_IDLE_CONNS or fewer for
 * API_MEM_QUIET_MS), not while it goes on, not after a few connections,
 * not without the thread, and at most once per API_MEM_TRIM_GAP_MS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "api/api_mem.h"

static void
sleep_ms(long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static void
opens(int n)
{
	while (n-- > 0)
		api_mem_conn_open();
}

static void
closes(int n)
{
	while (n-- > 0)
		api_mem_conn_close();
}

/* Waits up to ms for the trim count to pass before; the count then. */
static unsigned long
trims_after(unsigned long before, long ms)
{
	for (; ms > 0 && api_mem_trims() == before; ms -= 50)
		sleep_ms(50);
	return api_mem_trims();
}

/* Without the thread the counts are kept and nothing is trimmed. */
static void
test_no_thread(void **state)
{
	(void)state;
	api_mem_init();
	api_mem_stop();		/* not running: nothing to join */
	opens(API_MEM_BURST_CONNS * 2);
	closes(API_MEM_BURST_CONNS * 2);
	closes(3);		/* more closes than opens stay at zero */
	sleep_ms(API_MEM_QUIET_MS + 200);
	assert_int_equal(api_mem_trims(), 0);
}

static void
test_burst(void **state)
{
	unsigned long	t0;

	(void)state;
	assert_int_equal(api_mem_start(NULL), 0);
	assert_int_equal(api_mem_start(NULL), 0);	/* once */
	/*
	 * The previous test's burst is still the peak: it is over, so the
	 * thread trims at once after the quiet period.
	 */
	t0 = trims_after(0, API_MEM_QUIET_MS + 2000);
	assert_int_equal(t0, 1);
	sleep_ms(API_MEM_TRIM_GAP_MS + 100);

	/* Fewer than a burst: no trim. */
	opens(API_MEM_BURST_CONNS - 1);
	closes(API_MEM_BURST_CONNS - 1);
	sleep_ms(API_MEM_QUIET_MS + 300);
	assert_int_equal(api_mem_trims(), t0);

	/* A burst that has not ended (more than the idle count open): none. */
	opens(API_MEM_BURST_CONNS);
	closes(API_MEM_BURST_CONNS - API_MEM_IDLE_CONNS - 1);
	sleep_ms(API_MEM_QUIET_MS + 300);
	assert_int_equal(api_mem_trims(), t0);

	/* Down to the idle count: trimmed once the quiet period has passed. */
	closes(1);
	assert_int_equal(trims_after(t0, API_MEM_QUIET_MS + 2000), t0 + 1);
	/* Once: the peak starts over from the connections still open. */
	sleep_ms(API_MEM_TRIM_GAP_MS + API_MEM_QUIET_MS + 300);
	assert_int_equal(api_mem_trims(), t0 + 1);
	closes(API_MEM_IDLE_CONNS);

	/* A burst that pauses and goes on is one burst: one trim at its end. */
	opens(API_MEM_BURST_CONNS);
	closes(API_MEM_BURST_CONNS);
	sleep_ms(API_MEM_QUIET_MS / 2);
	opens(API_MEM_BURST_CONNS);
	sleep_ms(API_MEM_QUIET_MS);
	assert_int_equal(api_mem_trims(), t0 + 1);
	closes(API_MEM_BURST_CONNS);
	assert_int_equal(trims_after(t0 + 1, API_MEM_QUIET_MS + 2000), t0 + 2);

	api_mem_stop();
	api_mem_stop();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_thread),
		cmocka_unit_test(test_burst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
