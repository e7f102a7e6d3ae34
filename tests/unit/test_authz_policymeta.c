/*
 * Unit tests for dockward.policy (authz_policymeta.c): the block's shapes
 * and refusals through authz_settings_parse, the RFC 3339 reader, the
 * fleet's serial rule and the expiry window, all with the clock passed in.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authz/authz_policymeta.h"
#include "authz/authz_settings.h"

#define V2(x)	"{\"configurationFileVersion\":2,\"dockward\":{\"policy\":" x "}}"

/* 2026-12-05T10:00:00Z and 2027-01-05T00:00:00Z. */
#define T_ISSUED	1796464800
#define T_EXPIRES	1799107200
#define DAY		86400

static struct authz_settings *
parse(const char *json, struct dw_err *err)
{
	return authz_settings_parse(json, strlen(json), "<test>", err);
}

/* Refused, with err containing want. */
static void
refused(const char *json, const char *want)
{
	struct authz_settings	*s;
	struct dw_err		 err;

	err.msg[0] = '\0';
	s = parse(json, &err);
	if (s != NULL)
		fail_msg("accepted: %s", json);
	if (strstr(err.msg, want) == NULL)
		fail_msg("%s: got \"%s\", want \"%s\"", json, err.msg, want);
}

static void
test_parse(void **state)
{
	struct authz_settings	*s;
	struct dw_err		 err;

	(void)state;
	s = parse(V2("{\"serial\":42,\"issued\":\"2026-12-05T10:00:00Z\","
	    "\"expires\":\"2027-01-05T00:00:00Z\"}"), &err);
	assert_non_null(s);
	assert_true(s->meta.present);
	assert_int_equal(s->meta.serial, 42);
	assert_int_equal(s->meta.issued, T_ISSUED);
	assert_int_equal(s->meta.expires, T_EXPIRES);
	assert_int_equal(s->warnings.n, 1);	/* ECI off, nothing about the block */
	authz_settings_free(s);

	/* The largest serial; a fraction of a second is dropped; "t" and "z". */
	s = parse(V2("{\"serial\":9223372036854775807,\"expires\":"
	    "\"2027-01-05t00:00:00.999z\",\"note\":1}"), &err);
	assert_non_null(s);
	assert_true(s->meta.serial == INT64_MAX);
	assert_int_equal(s->meta.expires, T_EXPIRES);
	assert_int_equal(s->meta.issued, 0);
	assert_non_null(strstr(s->warnings.v[0], "unknown key dockward.policy.note"));
	authz_settings_free(s);

	/* Without the block: nothing, as before. */
	s = parse("{\"configurationFileVersion\":2}", &err);
	assert_non_null(s);
	assert_false(s->meta.present);
	assert_int_equal(s->meta.serial, 0);
	authz_settings_free(s);
}

static void
test_refusals(void **state)
{
	(void)state;
	refused(V2("[]"), "dockward.policy: expected an object");
	refused(V2("{\"serial\":0}"), "dockward.policy.serial: must be a whole number from 1");
	refused(V2("{\"serial\":-3}"), "dockward.policy.serial: must be");
	refused(V2("{\"serial\":4.0}"), "dockward.policy.serial: must be");
	refused(V2("{\"serial\":\"4\"}"), "dockward.policy.serial: must be");
	/* Beyond int64: the JSON reader refuses it, naming the line. */
	refused(V2("{\"serial\":9223372036854775808}"), "line 1");
	refused(V2("{\"expires\":1799107200}"), "dockward.policy.expires: expected a time");
	refused(V2("{\"expires\":\"2027-01-05T01:00:00+01:00\"}"),
	    "dockward.policy.expires: \"2027-01-05T01:00:00+01:00\" is not a time in RFC 3339 UTC");
	refused(V2("{\"expires\":\"2027-01-05\"}"), "is not a time");
	refused(V2("{\"issued\":\"2027-02-29T00:00:00Z\"}"), "dockward.policy.issued");
	refused(V2("{\"expires\":\"2027-01-05T00:00:00Z\\u0000x\"}"), "line 1");
	refused(V2("{\"issued\":\"2027-01-05T00:00:00Z\",\"expires\":\"2027-01-05T00:00:00Z\"}"),
	    "dockward.policy.expires (2027-01-05T00:00:00Z) must be after "
	    "dockward.policy.issued (2027-01-05T00:00:00Z)");
	refused(V2("{\"serial\":1,\"serial\":2}"), "duplicate");
}

static void
test_time(void **state)
{
	static const char *const bad[] = {
		"", "2027-01-05T00:00:00", "2027-01-05 00:00:00Z", "2027-13-01T00:00:00Z",
		"2027-00-01T00:00:00Z", "2027-04-31T00:00:00Z", "2027-01-05T24:00:00Z",
		"2027-01-05T00:60:00Z", "2027-01-05T00:00:60Z", "1969-12-31T23:59:59Z",
		"2027-01-05T00:00:00.Z", "2027-01-05T00:00:00ZZ", "+2027-01-05T00:00:00Z",
		"2027-1-05T00:00:00Z", "2100-02-29T00:00:00Z",
	};
	char	buf[AUTHZ_POLICYMETA_TIME_LEN];
	time_t	t;
	size_t	i;

	(void)state;
	assert_int_equal(authz_policymeta_time_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(authz_policymeta_time_parse("2000-02-29T12:34:56Z", &t), 0);
	assert_int_equal(t, 951827696);
	assert_string_equal(authz_policymeta_time_format(t, buf), "2000-02-29T12:34:56Z");
	assert_int_equal(authz_policymeta_time_parse("9999-12-31T23:59:59Z", &t), 0);
	assert_true(t == (time_t)253402300799LL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (authz_policymeta_time_parse(bad[i], &t) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_string_equal(authz_policymeta_time_format(0, buf), "never");
}

static void
test_require(void **state)
{
	struct authz_policymeta	m = { .present = true };
	struct dw_err		err;

	(void)state;
	assert_int_equal(authz_policymeta_require(&m, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "must carry a serial and an expiry"));
	m.serial = 7;
	assert_int_equal(authz_policymeta_require(&m, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "must carry an expiry"));
	m.serial = 0;
	m.expires = T_EXPIRES;
	assert_int_equal(authz_policymeta_require(&m, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "must carry a serial,"));
	m.serial = 7;
	assert_int_equal(authz_policymeta_require(&m, &err), 0);
}

static void
test_serial(void **state)
{
	struct authz_policymeta	m = { .present = true, .serial = 42, .expires = T_EXPIRES };
	struct dw_err		err;

	(void)state;
	/* Nothing held, or a lower serial held: accepted. */
	assert_int_equal(authz_policymeta_check_serial(0, &m, false, &err), 0);
	assert_int_equal(authz_policymeta_check_serial(41, &m, false, &err), 0);
	/* The same policy again. */
	assert_int_equal(authz_policymeta_check_serial(42, &m, true, &err), 0);
	/* Same serial, other bytes: the server changed it without a bump. */
	assert_int_equal(authz_policymeta_check_serial(42, &m, false, &err), -EPERM);
	assert_non_null(strstr(err.msg, "serial 42 is the serial of the policy in force, "
	    "but the bytes differ"));
	/* Older: a rollback, same bytes or not. */
	assert_int_equal(authz_policymeta_check_serial(43, &m, false, &err), -EPERM);
	assert_non_null(strstr(err.msg, "serial 42 is lower than 43"));
	assert_int_equal(authz_policymeta_check_serial(43, &m, true, &err), -EPERM);
	m.serial = INT64_MAX;
	assert_int_equal(authz_policymeta_check_serial(INT64_MAX - 1, &m, false, &err), 0);
}

static void
test_expiry(void **state)
{
	struct authz_policymeta	m = { .present = true, .serial = 1, .expires = T_EXPIRES };
	int64_t			left;

	(void)state;
	/* No issued: the window is 7 days. */
	assert_int_equal(authz_policymeta_warn_window(&m), 7 * DAY);
	assert_int_equal(authz_policymeta_expiry(&m, T_EXPIRES - 7 * DAY - 1, &left),
	    AUTHZ_POLICYMETA_VALID);
	assert_int_equal(left, 7 * DAY + 1);
	assert_int_equal(authz_policymeta_expiry(&m, T_EXPIRES - 7 * DAY, &left),
	    AUTHZ_POLICYMETA_EXPIRING);
	assert_int_equal(authz_policymeta_expiry(&m, T_EXPIRES - 1, &left),
	    AUTHZ_POLICYMETA_EXPIRING);
	assert_int_equal(left, 1);
	/* At the instant of expiry it has expired. */
	assert_int_equal(authz_policymeta_expiry(&m, T_EXPIRES, &left),
	    AUTHZ_POLICYMETA_EXPIRED);
	assert_int_equal(left, 0);
	assert_int_equal(authz_policymeta_expiry(&m, T_EXPIRES + 90, &left),
	    AUTHZ_POLICYMETA_EXPIRED);
	assert_int_equal(left, -90);

	/* 31 days of life: a tenth, 3.1 days, is shorter than 7. */
	m.issued = T_EXPIRES - 31 * DAY;
	assert_int_equal(authz_policymeta_warn_window(&m), 31 * DAY / 10);
	assert_int_equal(authz_policymeta_expiry(&m, T_EXPIRES - 4 * DAY, NULL),
	    AUTHZ_POLICYMETA_VALID);
	assert_int_equal(authz_policymeta_expiry(&m, T_EXPIRES - 3 * DAY, NULL),
	    AUTHZ_POLICYMETA_EXPIRING);
	/* A year: 7 days. */
	m.issued = T_EXPIRES - 365 * DAY;
	assert_int_equal(authz_policymeta_warn_window(&m), 7 * DAY);
	/* An hour: 6 minutes. */
	m.issued = T_EXPIRES - 3600;
	assert_int_equal(authz_policymeta_warn_window(&m), 360);
	assert_int_equal(authz_policymeta_expiry(&m, T_EXPIRES - 361, NULL),
	    AUTHZ_POLICYMETA_VALID);
	assert_int_equal(authz_policymeta_expiry(&m, T_EXPIRES - 360, NULL),
	    AUTHZ_POLICYMETA_EXPIRING);

	m.expires = 0;
	assert_int_equal(authz_policymeta_expiry(&m, T_EXPIRES, &left),
	    AUTHZ_POLICYMETA_NO_EXPIRY);
	assert_int_equal(left, 0);
	assert_string_equal(authz_policymeta_expiry_name(AUTHZ_POLICYMETA_EXPIRED), "expired");
}

/* What check prints, at a given clock. */
static char *
printed(const struct authz_policymeta *m, time_t now)
{
	char	*text = NULL;
	size_t	 len;
	FILE	*f;

	assert_non_null(f = open_memstream(&text, &len));
	authz_policymeta_print(m, now, f);
	fclose(f);
	return text;
}

static void
test_print(void **state)
{
	struct authz_policymeta	m = { .present = true, .serial = 42, .issued = T_ISSUED,
				    .expires = T_EXPIRES };
	char			*t;

	(void)state;
	t = printed(&m, T_ISSUED);
	assert_string_equal(t, "policy serial: 42\npolicy issued: 2026-12-05T10:00:00Z\n"
	    "policy expires: 2027-01-05T00:00:00Z (in 30d 14h)\n");
	free(t);
	t = printed(&m, T_EXPIRES - DAY);
	assert_non_null(strstr(t, "(in 1d 0h)\nwarning: dockward.policy.expires: the "
	    "policy expires in 1d 0h (warned 3d 1h ahead)"));
	free(t);
	t = printed(&m, T_EXPIRES + 3600);
	assert_non_null(strstr(t, "(EXPIRED 1h 0m ago)\nwarning: dockward.policy.expires: "
	    "the policy expired 1h 0m ago; a fleet host refuses it"));
	free(t);
	m.serial = 0;
	m.expires = 0;
	t = printed(&m, T_ISSUED);
	assert_non_null(strstr(t, "policy serial and expiry: none (dockward.policy); fine "
	    "for a local file, but a fleet policy (--settings-url) is refused"));
	free(t);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_require),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests_name("authz_policymeta", tests, NULL, NULL);
}
