/*
 * Unit tests for api_egress_who: source address -> container with a fake
 * engine and a fake clock.  A miss asks the engine once; a fresh entry
 * does not; a stale one does; misses are rate-limited; a container that
 * left the list keeps its name for the history period, then is forgotten;
 * a reused address names its live owner, never the exited one; IPv6;
 * peek never asks; a failing engine says "unknown"; junk answers are
 * ignored.
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

#include "api/api_egress_who.h"

static struct {
	uint64_t	 now;		/* ms */
	const char	*answer;	/* the engine's JSON, NULL: fails */
	int		 lists;
} fk;

static int
fake_list(void *ctx, json_t **ret, struct dw_err *err)
{
	json_error_t	je;

	(void)ctx;
	fk.lists++;
	if (fk.answer == NULL) {
		dw_err_set(err, "engine down");
		return -ECONNREFUSED;
	}
	*ret = json_loads(fk.answer, 0, &je);
	assert_non_null(*ret);
	return 0;
}

static uint64_t
fake_clock(void *ctx)
{
	(void)ctx;
	return fk.now;
}

#define C_WEB	"{\"Id\":\"aaaa\",\"Names\":[\"/web\"],\"Image\":\"nginx:1\"," \
	"\"NetworkSettings\":{\"Networks\":{\"bridge\":{\"IPAddress\":\"172.17.0.2\"," \
	"\"GlobalIPv6Address\":\"fd00::2\"},\"other\":{\"IPAddress\":\"10.9.0.5\"," \
	"\"GlobalIPv6Address\":\"\"}}}}"
#define C_DB	"{\"Id\":\"bbbb\",\"Names\":[\"/db\"],\"Image\":\"postgres\"," \
	"\"NetworkSettings\":{\"Networks\":{\"bridge\":{\"IPAddress\":\"172.17.0.2\"}}}}"

static int
setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk.now = 1000000;
	return 0;
}

static struct egress_addr
ip(const char *s)
{
	struct egress_addr	a;

	assert_int_equal(egress_addr_parse(s, &a), 0);
	return a;
}

static struct api_egress_who_id
look(struct api_egress_who *w, const char *addr)
{
	struct api_egress_who_id	id;
	struct egress_addr		a = ip(addr);

	api_egress_who_lookup(w, &a, &id);
	return id;
}

static void
test_miss_then_cache(void **state)
{
	struct api_egress_who		*w;
	struct api_egress_who_id	 id;

	(void)state;
	w = api_egress_who_new(fake_list, NULL, fake_clock, NULL);
	assert_non_null(w);
	fk.answer = "[" C_WEB "]";
	id = look(w, "172.17.0.2");
	assert_true(id.found);
	assert_false(id.exited);
	assert_string_equal(id.id, "aaaa");
	assert_string_equal(id.name, "web");
	assert_string_equal(id.image, "nginx:1");
	assert_int_equal(fk.lists, 1);
	/* Fresh: no engine call, every address of the container known. */
	fk.now += API_EGRESS_WHO_FRESH_S * 1000;
	assert_string_equal(look(w, "fd00::2").name, "web");
	assert_string_equal(look(w, "10.9.0.5").name, "web");
	assert_int_equal(fk.lists, 1);
	/* Stale: asked again. */
	fk.now += 1;
	assert_string_equal(look(w, "172.17.0.2").name, "web");
	assert_int_equal(fk.lists, 2);
	api_egress_who_free(w);
}

static void
test_unknown_rate_limited(void **state)
{
	struct api_egress_who		*w;
	struct api_egress_who_id	 id;

	(void)state;
	w = api_egress_who_new(fake_list, NULL, fake_clock, NULL);
	fk.answer = "[" C_WEB "]";
	id = look(w, "172.17.0.99");
	assert_false(id.found);
	assert_string_equal(id.id, "unknown");
	assert_string_equal(id.name, "unknown");
	assert_string_equal(id.image, "unknown");
	assert_int_equal(fk.lists, 1);
	/* Another miss at once does not ask again. */
	fk.now += API_EGRESS_WHO_MISS_MS - 1;
	look(w, "172.17.0.98");
	assert_int_equal(fk.lists, 1);
	fk.now += 1;
	look(w, "172.17.0.98");
	assert_int_equal(fk.lists, 2);
	api_egress_who_free(w);
}

static void
test_history(void **state)
{
	struct api_egress_who		*w;
	struct api_egress_who_id	 id;
	struct egress_addr		 a = ip("172.17.0.2");

	(void)state;
	w = api_egress_who_new(fake_list, NULL, fake_clock, NULL);
	fk.answer = "[" C_WEB "]";
	look(w, "172.17.0.2");
	/* It exits: still named, from the history. */
	fk.now += 10000;
	fk.answer = "[]";
	id = look(w, "172.17.0.2");
	assert_int_equal(fk.lists, 2);
	assert_true(id.found);
	assert_true(id.exited);
	assert_string_equal(id.name, "web");
	/* peek never asks the engine. */
	fk.now += API_EGRESS_WHO_HISTORY_S * 1000;
	api_egress_who_peek(w, &a, &id);
	assert_int_equal(fk.lists, 2);
	assert_string_equal(id.name, "web");
	/* Past the history: forgotten at the next list. */
	fk.now += 1;
	id = look(w, "172.17.0.2");
	assert_int_equal(fk.lists, 3);
	assert_false(id.found);
	assert_string_equal(id.name, "unknown");
	api_egress_who_free(w);
}

static void
test_reused_address(void **state)
{
	struct api_egress_who		*w;
	struct api_egress_who_id	 id;
	struct egress_addr		 a = ip("172.17.0.2");
	json_t				*j;

	(void)state;
	w = api_egress_who_new(fake_list, NULL, fake_clock, NULL);
	fk.answer = "[" C_WEB "]";
	look(w, "172.17.0.2");
	/* web exits, db gets its address. */
	fk.now += 10000;
	fk.answer = "[" C_DB "]";
	id = look(w, "172.17.0.2");
	assert_string_equal(id.name, "db");
	assert_false(id.exited);
	api_egress_who_peek(w, &a, &id);
	assert_string_equal(id.name, "db");
	/* db exits too: the most recent one to leave is named. */
	fk.now += 1000;
	j = json_array();
	assert_int_equal(api_egress_who_update(w, j), 0);
	json_decref(j);
	api_egress_who_peek(w, &a, &id);
	assert_string_equal(id.name, "db");
	assert_true(id.exited);
	api_egress_who_free(w);
}

static void
test_engine_down(void **state)
{
	struct api_egress_who		*w;
	struct api_egress_who_id	 id;

	(void)state;
	w = api_egress_who_new(fake_list, NULL, fake_clock, NULL);
	fk.answer = NULL;
	id = look(w, "172.17.0.2");
	assert_false(id.found);
	assert_string_equal(id.name, "unknown");
	api_egress_who_free(w);
}

/* Not an array, entries without Id, addresses that do not parse: skipped. */
static void
test_junk(void **state)
{
	struct api_egress_who		*w;
	struct api_egress_who_id	 id;
	struct egress_addr		 a = ip("172.17.0.3");
	json_t				*j;

	(void)state;
	w = api_egress_who_new(fake_list, NULL, fake_clock, NULL);
	j = json_loads("{\"message\":\"x\"}", 0, NULL);
	assert_int_equal(api_egress_who_update(w, j), -EPROTO);
	json_decref(j);
	j = json_loads("[1, {\"Names\":[\"/x\"]}, {\"Id\":\"cccc\","
	    "\"NetworkSettings\":{\"Networks\":{\"n\":{\"IPAddress\":\"nope\"},"
	    "\"m\":5,\"k\":{\"IPAddress\":\"172.17.0.3\"}}}}]", 0, NULL);
	assert_int_equal(api_egress_who_update(w, j), 0);
	json_decref(j);
	api_egress_who_peek(w, &a, &id);
	assert_true(id.found);
	assert_string_equal(id.id, "cccc");
	assert_string_equal(id.name, "");
	assert_string_equal(id.image, "");
	api_egress_who_free(w);
	api_egress_who_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_miss_then_cache, setup),
		cmocka_unit_test_setup(test_unknown_rate_limited, setup),
		cmocka_unit_test_setup(test_history, setup),
		cmocka_unit_test_setup(test_reused_address, setup),
		cmocka_unit_test_setup(test_engine_down, setup),
		cmocka_unit_test_setup(test_junk, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
