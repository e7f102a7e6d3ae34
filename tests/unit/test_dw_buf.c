/* dw_buf: the capped append shared by the libcurl body callbacks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/dw_buf.h"

static void
test_append_and_nul(void **state)
{
	char	*d = NULL;
	size_t	 len = 0;

	(void)state;
	assert_int_equal(dw_buf_append(&d, &len, 8, "abc", 3), 0);
	assert_int_equal(dw_buf_append(&d, &len, 8, "", 0), 0);
	assert_int_equal(dw_buf_append(&d, &len, 8, "defgh", 5), 0);	/* exactly the cap */
	assert_int_equal(len, 8);
	assert_string_equal(d, "abcdefgh");
	free(d);
}

static void
test_cap_refuses_without_change(void **state)
{
	char	*d = NULL;
	size_t	 len = 0;

	(void)state;
	assert_int_equal(dw_buf_append(&d, &len, 4, "abc", 3), 0);
	assert_int_equal(dw_buf_append(&d, &len, 4, "de", 2), -E2BIG);
	assert_int_equal(len, 3);
	assert_string_equal(d, "abc");
	/* A length that would wrap size_t is refused, not wrapped. */
	assert_int_equal(dw_buf_append(&d, &len, SIZE_MAX, "x", SIZE_MAX - 1), -E2BIG);
	assert_int_equal(len, 3);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_nul),
		cmocka_unit_test(test_cap_refuses_without_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
