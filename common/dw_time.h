/*
 * dw_time: calendar arithmetic without the C library's time zone state
 * (timegm is a GNU extension and mktime reads TZ), for the policy's RFC
 * 3339 times (authz_policymeta) and the audit log's (cli_report); and the
 * monotonic clock's small helpers.
 */
#ifndef DW_TIME_H
#define DW_TIME_H

#include <stdint.h>
#include <time.h>

/*
 * Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1..12,
 * d 1..31, not checked against the month), negative before 1970.
 */
int64_t	dw_time_days_from_civil(int64_t y, unsigned m, unsigned d);

/* CLOCK_MONOTONIC in milliseconds (windows of caches, intervals). */
long long dw_time_mono_ms(void);
/* *ts = CLOCK_MONOTONIC now + ms (ms >= 0), for a timed wait on a monotonic condition. */
void	dw_time_mono_deadline(struct timespec *ts, long ms);

#endif
