/*
 * Unit tests for api_egress_pac: the PAC's state machine with a fake
 * clock, a fake downloader and fake evaluators.  No script at start
 * refuses; a failed refresh keeps the last good script for the grace
 * only (0: not at all); a 304 or a new script restores it; a script that
 * does not compile is a failed refresh; ETags go back to the server; the
 * evaluator in use by a decision outlives its replacement; every change
 * reaches the event hook.
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

#include "api/api_egress_pac.h"
#include "api/api_metrics.h"

/* What the fake server answers next. */
static struct {
	time_t		 now;
	int		 fetch_r;		/* 0 body, 1 not modified, <0 error */
	const char	*body;			/* "bad" does not compile */
	const char	*etag;			/* sent with a body, NULL none */
	char		 sent_etag[EGRESS_FETCH_VALIDATOR_MAX];		/* If-None-Match of the last request ("" none) */
	int		 fetches, starts, stops;
	struct api_egress_pac_event last;	/* the last event (strings not kept) */
	char		 last_error[DW_ERR_MAX];
	int		 events;
} fk;

static int
fake_fetch(void *ctx, const char *url, const char *ca_file,
    const struct egress_fetch_validators *prev, char **ret_body, size_t *ret_len,
    struct egress_fetch_validators *ret_val, struct dw_err *err)
{
	(void)ctx;
	assert_string_equal(url, "http://u:secret@pac.test/p.pac");
	assert_null(ca_file);
	fk.fetches++;
	snprintf(fk.sent_etag, sizeof(fk.sent_etag), "%s", prev ? prev->etag : "");
	if (fk.fetch_r < 0) {
		dw_err_set(err, "HTTP 404");
		return fk.fetch_r;
	}
	if (fk.fetch_r == 1)
		return 1;
	*ret_body = strdup(fk.body);
	*ret_len = strlen(fk.body);
	snprintf(ret_val->etag, sizeof(ret_val->etag), "%s", fk.etag ? fk.etag : "");
	return 0;
}

/* An evaluator is a copy of its script: the answer names it. */
static int
fake_start(void *ctx, const char *script, size_t len, void **ret, struct dw_err *err)
{
	(void)ctx;
	if (len == 3 && memcmp(script, "bad", 3) == 0) {
		dw_err_set(err, "SyntaxError");
		return -EINVAL;
	}
	fk.starts++;
	*ret = strndup(script, len);
	return 0;
}

static int
fake_eval(void *ctx, void *ev, const struct egress_target *t,
    struct egress_answer *out, char *raw, size_t rawsz, struct dw_err *err)
{
	(void)ctx;
	(void)t;
	(void)err;
	snprintf(raw, rawsz, "PROXY %s:3128", (char *)ev);
	memset(out, 0, sizeof(*out));
	out->n = 1;
	out->r[0].kind = EGRESS_ROUTE_PROXY;
	snprintf(out->r[0].host, sizeof(out->r[0].host), "%s", (char *)ev);
	out->r[0].port = 3128;
	return 0;
}

static void
fake_stop(void *ctx, void *ev)
{
	(void)ctx;
	fk.stops++;
	free(ev);
}

static time_t
fake_now(void *ctx)
{
	(void)ctx;
	return fk.now;
}

static void
fake_event(void *ctx, const struct api_egress_pac_event *ev)
{
	(void)ctx;
	fk.last = *ev;
	snprintf(fk.last_error, sizeof(fk.last_error), "%s", ev->error);
	/* The URL is never shown with its password. */
	assert_string_equal(ev->url, "http://***@pac.test/p.pac");
	fk.events++;
}

static const struct api_egress_pac_ops ops = {
	.fetch = fake_fetch, .start = fake_start, .eval = fake_eval,
	.stop = fake_stop, .now = fake_now, .event = fake_event,
};

static int
setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk.now = 1000;
	api_metrics_reset();
	return 0;
}

static struct api_egress_pac *
pac(unsigned refresh_s, unsigned grace_s)
{
	struct api_egress_pac	*p;

	p = api_egress_pac_new("http://u:secret@pac.test/p.pac", NULL, refresh_s,
	    grace_s, &ops);
	assert_non_null(p);
	return p;
}

/*
 * The answer now: the script's name, or "" for REFUSE (with err).  The
 * evaluator's words come back as they are, none without an evaluator.
 */
static const char *
answer(struct api_egress_pac *p, int *ret)
{
	static struct egress_answer	a;
	struct egress_target		t;
	struct dw_err			err;
	char				raw[EGRESS_ANSWER_MAX], want[EGRESS_ANSWER_MAX];
	int				r;

	memset(&t, 0, sizeof(t));
	err.msg[0] = '\0';
	memset(raw, 'x', sizeof(raw));
	r = api_egress_pac_eval(p, &t, &a, raw, sizeof(raw), &err);
	if (ret != NULL)
		*ret = r;
	assert_int_equal(a.n, 1);
	if (r < 0) {
		assert_int_equal(a.r[0].kind, EGRESS_ROUTE_REFUSE);
		assert_non_null(strstr(err.msg, "PAC unavailable"));
		assert_string_equal(raw, "");
		return "";
	}
	snprintf(want, sizeof(want), "PROXY %s:3128", a.r[0].host);
	assert_string_equal(raw, want);
	return a.r[0].host;
}

static void
test_none_refuses(void **state)
{
	struct api_egress_pac	*p = pac(300, 0);
	int			 r;

	(void)state;
	/* Before any download, and after a failed first one. */
	assert_string_equal(answer(p, &r), "");
	assert_int_equal(r, -ENOENT);
	fk.fetch_r = -EIO;
	assert_int_equal(api_egress_pac_refresh(p), API_EGRESS_PAC_NONE);
	assert_int_equal(fk.last.result, API_EGRESS_PAC_FETCH_ERROR);
	assert_true(fk.last.first);
	assert_string_equal(answer(p, &r), "");
	assert_int_equal(r, -EIO);
	/* Retried after API_EGRESS_PAC_RETRY_S, not the refresh period. */
	fk.now += API_EGRESS_PAC_RETRY_S - 1;
	api_egress_pac_tick(p);
	assert_int_equal(fk.fetches, 1);
	fk.now += 1;
	fk.fetch_r = 0;
	fk.body = "one";
	assert_int_equal(api_egress_pac_tick(p), fk.now + 300);
	assert_int_equal(fk.fetches, 2);
	assert_int_equal(api_egress_pac_state(p), API_EGRESS_PAC_OK);
	assert_string_equal(answer(p, NULL), "one");
	assert_int_equal(fk.last.from, API_EGRESS_PAC_NONE);
	assert_int_equal(fk.last.to, API_EGRESS_PAC_OK);
	assert_false(fk.last.first);
	api_egress_pac_free(p);
	assert_int_equal(fk.stops, 1);
}

static void
test_refresh_and_etag(void **state)
{
	struct api_egress_pac	*p = pac(300, 0);

	(void)state;
	fk.body = "one";
	fk.etag = "\"v1\"";
	assert_int_equal(api_egress_pac_refresh(p), API_EGRESS_PAC_OK);
	assert_string_equal(fk.sent_etag, "");
	assert_int_equal(fk.last.bytes, 3);
	/* Not due before the period. */
	fk.now += 299;
	api_egress_pac_tick(p);
	assert_int_equal(fk.fetches, 1);
	/* Due: the ETag goes back, a 304 keeps the script. */
	fk.now += 1;
	fk.fetch_r = 1;
	api_egress_pac_tick(p);
	assert_int_equal(fk.fetches, 2);
	assert_string_equal(fk.sent_etag, "\"v1\"");
	assert_int_equal(fk.last.result, API_EGRESS_PAC_NOT_MODIFIED);
	assert_int_equal(fk.starts, 1);
	assert_string_equal(answer(p, NULL), "one");
	/* A new script replaces it; the old evaluator stops. */
	fk.now += 300;
	fk.fetch_r = 0;
	fk.body = "two";
	fk.etag = NULL;
	api_egress_pac_tick(p);
	assert_int_equal(fk.starts, 2);
	assert_int_equal(fk.stops, 1);
	assert_string_equal(answer(p, NULL), "two");
	/* No ETag from the server: none sent. */
	fk.now += 300;
	api_egress_pac_tick(p);
	assert_string_equal(fk.sent_etag, "");
	api_egress_pac_free(p);
}

static void
test_grace_zero(void **state)
{
	struct api_egress_pac	*p = pac(300, 0);

	(void)state;
	fk.body = "one";
	fk.etag = "\"v1\"";
	api_egress_pac_refresh(p);
	/* The refresh fails: refused at once. */
	fk.now += 300;
	fk.fetch_r = -ETIMEDOUT;
	api_egress_pac_tick(p);
	assert_int_equal(api_egress_pac_state(p), API_EGRESS_PAC_FAILED);
	assert_int_equal(fk.last.from, API_EGRESS_PAC_OK);
	assert_int_equal(fk.last.to, API_EGRESS_PAC_FAILED);
	assert_string_equal(answer(p, NULL), "");
	/* Restored with a 304: the kept script works again. */
	fk.now += API_EGRESS_PAC_RETRY_S;
	fk.fetch_r = 1;
	api_egress_pac_tick(p);
	assert_int_equal(api_egress_pac_state(p), API_EGRESS_PAC_OK);
	assert_string_equal(answer(p, NULL), "one");
	assert_int_equal(fk.starts, 1);
	api_egress_pac_free(p);
}

static void
test_grace(void **state)
{
	struct api_egress_pac	*p = pac(300, 60);
	time_t			 failed;

	(void)state;
	fk.body = "one";
	api_egress_pac_refresh(p);
	fk.now += 300;
	failed = fk.now;
	fk.fetch_r = -EIO;
	/* The next tick is the retry, not the grace's end. */
	assert_int_equal(api_egress_pac_tick(p), failed + API_EGRESS_PAC_RETRY_S);
	assert_int_equal(api_egress_pac_state(p), API_EGRESS_PAC_GRACE);
	assert_string_equal(answer(p, NULL), "one");
	/* Retries keep failing inside the grace: still the old script. */
	fk.now = failed + 50;
	api_egress_pac_tick(p);
	assert_int_equal(api_egress_pac_state(p), API_EGRESS_PAC_GRACE);
	assert_string_equal(answer(p, NULL), "one");
	/* The grace ends with no download: refused. */
	fk.now = failed + 60;
	fk.events = 0;
	api_egress_pac_tick(p);
	assert_int_equal(api_egress_pac_state(p), API_EGRESS_PAC_FAILED);
	assert_true(fk.events >= 1);
	assert_string_equal(answer(p, NULL), "");
	/* A new script: in force. */
	fk.now += API_EGRESS_PAC_RETRY_S;
	fk.fetch_r = 0;
	fk.body = "two";
	api_egress_pac_tick(p);
	assert_string_equal(answer(p, NULL), "two");
	api_egress_pac_free(p);
}

/* The end of a grace comes from tick alone, without a download. */
static void
test_grace_expires(void **state)
{
	struct api_egress_pac	*p = pac(300, 5);

	(void)state;
	fk.body = "one";
	api_egress_pac_refresh(p);
	fk.now += 300;
	fk.fetch_r = -EIO;
	assert_int_equal(api_egress_pac_tick(p), fk.now + 5);
	fk.now += 5;
	fk.events = 0;
	api_egress_pac_tick(p);
	assert_int_equal(fk.last.result, API_EGRESS_PAC_EXPIRED);
	assert_int_equal(fk.last.to, API_EGRESS_PAC_FAILED);
	assert_int_equal(fk.fetches, 2);
	assert_string_equal(answer(p, NULL), "");
	api_egress_pac_free(p);
}

static void
test_invalid(void **state)
{
	struct api_egress_pac	*p = pac(300, 0);

	(void)state;
	/* At start: nothing in force. */
	fk.body = "bad";
	assert_int_equal(api_egress_pac_refresh(p), API_EGRESS_PAC_NONE);
	assert_int_equal(fk.last.result, API_EGRESS_PAC_INVALID);
	assert_non_null(strstr(fk.last_error, "SyntaxError"));
	/* On refresh: a failed refresh, the good one goes (grace 0). */
	fk.body = "one";
	api_egress_pac_refresh(p);
	fk.body = "bad";
	api_egress_pac_refresh(p);
	assert_int_equal(api_egress_pac_state(p), API_EGRESS_PAC_FAILED);
	assert_string_equal(answer(p, NULL), "");
	api_egress_pac_free(p);
}

/* A 304 to a request that sent no ETag is nonsense: not a script. */
static void
test_not_modified_without_script(void **state)
{
	struct api_egress_pac	*p = pac(300, 0);

	(void)state;
	fk.fetch_r = 1;
	assert_int_equal(api_egress_pac_refresh(p), API_EGRESS_PAC_NONE);
	assert_int_equal(fk.last.result, API_EGRESS_PAC_FETCH_ERROR);
	assert_string_equal(answer(p, NULL), "");
	api_egress_pac_free(p);
}

/* A decider's reference keeps the evaluator; the last one stops it. */
static void
test_references(void **state)
{
	struct api_egress_pac	*p = pac(300, 0), *held;

	(void)state;
	fk.body = "one";
	api_egress_pac_refresh(p);
	held = api_egress_pac_hold(p);
	api_egress_pac_free(p);
	assert_int_equal(fk.stops, 0);
	assert_string_equal(answer(held, NULL), "one");
	api_egress_pac_free(held);
	assert_int_equal(fk.stops, 1);
	api_egress_pac_free(NULL);
}

static void
test_times_and_same(void **state)
{
	struct api_egress_pac	*p = pac(300, 0);

	(void)state;
	assert_true(api_egress_pac_same(p, "http://u:secret@pac.test/p.pac", NULL));
	assert_false(api_egress_pac_same(p, "http://u:secret@pac.test/p.pac", "/ca"));
	assert_false(api_egress_pac_same(p, "http://pac.test/p.pac", NULL));
	fk.body = "one";
	api_egress_pac_refresh(p);
	api_egress_pac_times(p, 30, 0);
	assert_int_equal(api_egress_pac_tick(p), fk.now + 30);
	api_egress_pac_free(p);
}

static void
test_metrics(void **state)
{
	struct api_egress_pac	*p = pac(300, 0);
	char			*t;

	(void)state;
	answer(p, NULL);	/* no script: no evaluation */
	fk.body = "one";
	api_egress_pac_refresh(p);
	answer(p, NULL);
	answer(p, NULL);
	t = api_metrics_render(NULL);
	assert_non_null(strstr(t, "\ndockward_egress_pac_evaluations_total 2\n"));
	assert_non_null(strstr(t, "\ndockward_egress_pac_errors_total 0\n"));
	free(t);
	api_egress_pac_free(p);
}

static void
test_redact(void **state)
{
	char	b[128];

	(void)state;
	assert_string_equal(api_egress_pac_redact("http://a:b@h/p", b, sizeof(b)),
	    "http://***@h/p");
	assert_string_equal(api_egress_pac_redact("https://h:8443/p@x", b, sizeof(b)),
	    "https://h:8443/p@x");
	assert_string_equal(api_egress_pac_redact("http://h", b, sizeof(b)), "http://h");
	assert_string_equal(api_egress_pac_redact("h@x", b, sizeof(b)), "h@x");
	assert_string_equal(api_egress_pac_state_name(API_EGRESS_PAC_GRACE), "grace");
	assert_string_equal(api_egress_pac_result_name(API_EGRESS_PAC_NOT_MODIFIED),
	    "not_modified");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_none_refuses, setup),
		cmocka_unit_test_setup(test_refresh_and_etag, setup),
		cmocka_unit_test_setup(test_grace_zero, setup),
		cmocka_unit_test_setup(test_grace, setup),
		cmocka_unit_test_setup(test_grace_expires, setup),
		cmocka_unit_test_setup(test_invalid, setup),
		cmocka_unit_test_setup(test_not_modified_without_script, setup),
		cmocka_unit_test_setup(test_references, setup),
		cmocka_unit_test_setup(test_times_and_same, setup),
		cmocka_unit_test_setup(test_metrics, setup),
		cmocka_unit_test_setup(test_redact, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
