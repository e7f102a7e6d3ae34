/*
 * test_dw_time: dw_time_days_from_civil against dates Python's datetime
 * counts (proleptic Gregorian), around leap days, century rules and 1970.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/dw_time.h"

static void
test_days_from_civil(void **state)
{
	static const struct {
		int64_t		y;
		unsigned	m, d;
		int64_t		days;
	} cases[] = {
		{ 1970, 1, 1, 0 }, { 1969, 12, 31, -1 }, { 1970, 3, 1, 59 },
		{ 2000, 2, 29, 11016 }, { 2000, 3, 1, 11017 },	/* 2000: a leap year */
		{ 1900, 3, 1, -25508 },				/* 1900: not one */
		{ 2026, 12, 5, 20792 }, { 1600, 1, 1, -135140 },
		{ 9999, 12, 31, 2932896 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(dw_time_days_from_civil(cases[i].y, cases[i].m,
		    cases[i].d), cases[i].days);
	/* Consecutive days stay consecutive across a year's end and February. */
	assert_int_equal(dw_time_days_from_civil(2024, 3, 1) -
	    dw_time_days_from_civil(2024, 2, 28), 2);
	assert_int_equal(dw_time_days_from_civil(2023, 3, 1) -
	    dw_time_days_from_civil(2023, 2, 28), 1);
	assert_int_equal(dw_time_days_from_civil(2025, 1, 1) -
	    dw_time_days_from_civil(2024, 12, 31), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_from_civil),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
