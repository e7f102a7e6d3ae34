/*
 * Unit tests for authz_audit: the JSON-lines record (keys, order, values,
 * the caller object), hostile strings kept inside their JSON strings,
 * bodies and their Env values never written, and the sink: a file
 * (created 0600, no symlink), stdout, reopen after rotation, a full disk
 * for direct and queued records, and concurrent writers.  The record
 * byte for byte against the jansson code it replaced (audit_diff.c) on
 * random records, and, with DW_BENCH_AUDIT=1 in an -O2 build, the cost
 * of each.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "authz/authz_audit.h"
#include "authz/authz_settings.h"
#include "authz/authz_uri.h"
#include "fake_facts.h"
#include "read_file.h"
#include "tests/unit/audit_diff.h"

static char	dir[64];

static int
group_setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/dw-audit.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	char	cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A request for method and raw, routed when it can be; free with req_free. */
static void
req_make(struct authz_request *req, const char *method, const char *raw, const char *user)
{
	struct authz_uri	*uri = NULL;
	struct dw_err		 err;

	memset(req, 0, sizeof(*req));
	req->method = method;
	req->raw_uri = raw;
	req->user = user;
	req->content_length = -1;
	if (authz_uri_parse(method, raw, &uri, &err) < 0)
		uri = NULL;
	req->uri = uri;
}

static void
req_free(struct authz_request *req)
{
	authz_uri_free((struct authz_uri *)req->uri);
}

static void
deny(struct authz_decision *d, const char *rule, const char *field, const char *msg)
{
	memset(d, 0, sizeof(*d));
	d->verdict = AUTHZ_DENY;
	d->rule = rule;
	snprintf(d->field, sizeof(d->field), "%s", field);
	snprintf(d->msg, sizeof(d->msg), "%s", msg);
}

/* The line parsed: one JSON object, no newline in it. */
static json_t *
parse_line(const char *line)
{
	json_error_t	 jerr;
	json_t		*o;

	assert_non_null(line);
	assert_null(strchr(line, '\n'));
	assert_null(strchr(line, '\r'));
	o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL)
		fail_msg("not JSON (%s): %s", jerr.text, line);
	assert_true(json_is_object(o));
	return o;
}

static const char *
get_s(const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("\"%s\" is not a string", key);
	return json_string_value(v);
}

/* The keys of o in order, comma separated. */
static void
keys_of(const json_t *o, char *buf, size_t bufsz)
{
	const char	*k;
	json_t		*v;
	size_t		 n = 0;

	buf[0] = '\0';
	json_object_foreach((json_t *)o, k, v) {
		n += (size_t)snprintf(buf + n, bufsz - n, "%s%s", n > 0 ? "," : "", k);
		assert_true(n < bufsz);
	}
}

/* "2024-01-02T03:04:05.123456Z", UTC, within a minute of now. */
static void
check_time(const char *ts)
{
	struct tm	tm;
	const char	*end;
	time_t		t;
	size_t		i;

	assert_int_equal(strlen(ts), 27);
	for (i = 0; i < 27; i++) {
		if (i == 4 || i == 7)
			assert_int_equal(ts[i], '-');
		else if (i == 10)
			assert_int_equal(ts[i], 'T');
		else if (i == 13 || i == 16)
			assert_int_equal(ts[i], ':');
		else if (i == 19)
			assert_int_equal(ts[i], '.');
		else if (i == 26)
			assert_int_equal(ts[i], 'Z');
		else
			assert_true(ts[i] >= '0' && ts[i] <= '9');
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm);
	assert_non_null(end);
	t = timegm(&tm);
	/*
	 * The record's clock is gettimeofday(); time() reads the kernel's
	 * coarse clock, which may not have reached that second yet.
	 */
	assert_true(t > time(NULL) - 60 && t <= time(NULL) + 1);
}

/* A deny: every key, in a fixed order, with the request's and the decision's values. */
static void
test_format_deny(void **state)
{
	struct authz_request	 req;
	struct authz_decision	 d;
	char			*line, keys[256];
	json_t			*o;

	(void)state;
	req_make(&req, "POST", "/v1.41/containers/create?name=web", "alice");
	deny(&d, "container.privileged", "HostConfig.Privileged",
	    "dockward: container create denied (container.privileged): Remove --privileged.");
	line = authz_audit_format(&req, &d, "plugin");
	o = parse_line(line);
	keys_of(o, keys, sizeof(keys));
	assert_string_equal(keys,
	    "time,source,user,method,uri,endpoint,decision,rule,field,reason");
	check_time(get_s(o, "time"));
	assert_string_equal(get_s(o, "source"), "plugin");
	assert_string_equal(get_s(o, "user"), "alice");
	assert_string_equal(get_s(o, "method"), "POST");
	assert_string_equal(get_s(o, "uri"), "/v1.41/containers/create?name=web");
	assert_string_equal(get_s(o, "endpoint"), "container.create");
	assert_string_equal(get_s(o, "decision"), "deny");
	assert_string_equal(get_s(o, "rule"), "container.privileged");
	assert_string_equal(get_s(o, "field"), "HostConfig.Privileged");
	assert_string_equal(get_s(o, "reason"), d.msg);
	/* Compact: no spaces between tokens. */
	assert_int_equal(strncmp(line, "{\"time\":\"", 9), 0);
	json_decref(o);
	free(line);
	req_free(&req);
}

/* An allow has an empty reason (even with a message); absent user and source are null. */
static void
test_format_allow(void **state)
{
	struct authz_request	 req;
	struct authz_decision	 d;
	char			*line, keys[256];
	json_t			*o;

	(void)state;
	req_make(&req, "GET", "/_ping", NULL);
	memset(&d, 0, sizeof(d));
	d.verdict = AUTHZ_ALLOW;
	d.rule = "allow";
	snprintf(d.msg, sizeof(d.msg), "left over");
	line = authz_audit_format(&req, &d, NULL);
	o = parse_line(line);
	keys_of(o, keys, sizeof(keys));
	assert_string_equal(keys,
	    "time,source,user,method,uri,endpoint,decision,rule,field,reason");
	assert_true(json_is_null(json_object_get(o, "source")));
	assert_true(json_is_null(json_object_get(o, "user")));
	assert_string_equal(get_s(o, "decision"), "allow");
	assert_string_equal(get_s(o, "rule"), "allow");
	assert_string_equal(get_s(o, "field"), "");
	assert_string_equal(get_s(o, "reason"), "");
	json_decref(o);
	free(line);

	/* An empty user is no user; an unrouted URI is endpoint "unknown"; no rule is "internal". */
	req.user = "";
	req_free(&req);
	req.uri = NULL;
	d.verdict = AUTHZ_DENY;
	d.rule = NULL;
	line = authz_audit_format(&req, &d, "gatekeeper");
	o = parse_line(line);
	assert_true(json_is_null(json_object_get(o, "user")));
	assert_string_equal(get_s(o, "source"), "gatekeeper");
	assert_string_equal(get_s(o, "endpoint"), "unknown");
	assert_string_equal(get_s(o, "rule"), "internal");
	assert_string_equal(get_s(o, "reason"), "left over");
	json_decref(o);
	free(line);
}

/* The gatekeeper's caller: a host user, and a container with the users it acts for. */
static void
test_format_caller(void **state)
{
	static const struct authz_creator creators[] = {
		{ .uid = 1000, .gid = 1000, .name = "alice", .entered = false },
		{ .uid = 1001, .gid = 1001, .name = NULL, .entered = true },
	};
	struct authz_caller	 host = { .kind = AUTHZ_CALLER_HOST, .pid = 42, .uid = 1000,
	    .gid = 100, .home = "/home/alice" };
	struct authz_caller	 ctr = { .kind = AUTHZ_CALLER_CONTAINER, .pid = 4242, .uid = 0,
	    .gid = 0, .container_id = "0123456789abcdef", .container_name = "/web",
	    .image = "busybox:1", .image_id = FAKE_GOOD_ID, .creators = creators,
	    .ncreators = 2 };
	struct authz_request	 req;
	struct authz_decision	 d;
	char			*line, keys[256];
	json_t			*o, *c, *a;

	(void)state;
	req_make(&req, "GET", "/v1.41/info", NULL);
	deny(&d, "users.connect", "", "dockward: no");
	line = authz_audit_format_caller(&req, &d, "gatekeeper", &host);
	o = parse_line(line);
	keys_of(o, keys, sizeof(keys));
	assert_string_equal(keys,
	    "time,source,user,method,uri,endpoint,decision,rule,field,reason,caller");
	c = json_object_get(o, "caller");
	keys_of(c, keys, sizeof(keys));
	assert_string_equal(keys, "kind,pid,uid,gid");
	assert_string_equal(get_s(c, "kind"), "host");
	assert_int_equal(json_integer_value(json_object_get(c, "pid")), 42);
	assert_int_equal(json_integer_value(json_object_get(c, "uid")), 1000);
	assert_int_equal(json_integer_value(json_object_get(c, "gid")), 100);
	/* The home directory is the policy's, not the record's. */
	assert_null(strstr(line, "/home/alice"));
	json_decref(o);
	free(line);

	line = authz_audit_format_caller(&req, &d, "gatekeeper", &ctr);
	o = parse_line(line);
	c = json_object_get(o, "caller");
	keys_of(c, keys, sizeof(keys));
	assert_string_equal(keys, "kind,pid,uid,gid,container,name,image,creator,actsFor");
	assert_string_equal(get_s(c, "kind"), "container");
	assert_string_equal(get_s(c, "container"), "0123456789abcdef");
	assert_string_equal(get_s(c, "name"), "/web");
	assert_string_equal(get_s(c, "image"), "busybox:1");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "creator"),
	    "uid")), 1000);
	assert_string_equal(get_s(json_object_get(c, "creator"), "name"), "alice");
	a = json_object_get(c, "actsFor");
	assert_int_equal(json_array_size(a), 2);
	assert_true(json_is_false(json_object_get(json_array_get(a, 0), "entered")));
	assert_true(json_is_true(json_object_get(json_array_get(a, 1), "entered")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 1), "uid")),
	    1001);
	assert_true(json_is_null(json_object_get(json_array_get(a, 1), "name")));
	json_decref(o);
	free(line);

	/* A container without name, image or creators: just the id. */
	ctr.container_name = NULL;
	ctr.image = NULL;
	ctr.creators = NULL;
	ctr.ncreators = 0;
	line = authz_audit_format_caller(&req, &d, "gatekeeper", &ctr);
	o = parse_line(line);
	keys_of(json_object_get(o, "caller"), keys, sizeof(keys));
	assert_string_equal(keys, "kind,pid,uid,gid,container");
	json_decref(o);
	free(line);
	req_free(&req);
}

/*
 * Hostile strings from the request (URI, user, the message quoting them)
 * stay inside their JSON strings: one line, the same values read back,
 * no second "decision".
 */
static void
test_format_hostile(void **state)
{
	static const char	 uri[] = "/v1.41/containers/x\"},\"decision\":\"allow\",\"a\":{\"/json"
	    "?q=\n{\"forged\":1}\r\x1b[2J\\u0000\x01\x7f</script>";
	static const char	 user[] = "mallory\"\n{\"decision\":\"allow\"}";
	struct authz_caller	 ctr = { .kind = AUTHZ_CALLER_CONTAINER, .pid = 1,
	    .container_id = "id\n\"x\"", .container_name = "/n\\\"",
	    .image = "img\"\n" };
	struct authz_request	 req;
	struct authz_decision	 d;
	char			*line;
	const char		*p;
	json_t			*o, *c;

	(void)state;
	req_make(&req, "GET", uri, user);
	deny(&d, "request.uri", "", "dockward: bad \"uri\"\n\t\\ x");
	line = authz_audit_format_caller(&req, &d, "plugin", &ctr);
	o = parse_line(line);
	assert_int_equal(json_object_size(o), 11);
	assert_string_equal(get_s(o, "uri"), uri);
	assert_string_equal(get_s(o, "user"), user);
	assert_string_equal(get_s(o, "decision"), "deny");
	assert_string_equal(get_s(o, "reason"), d.msg);
	c = json_object_get(o, "caller");
	assert_string_equal(get_s(c, "container"), "id\n\"x\"");
	assert_string_equal(get_s(c, "name"), "/n\\\"");
	assert_string_equal(get_s(c, "image"), "img\"\n");
	/* No raw control character anywhere in the line (DEL needs no escape in JSON). */
	for (p = line; *p != '\0'; p++)
		assert_true((unsigned char)*p >= 0x20);
	json_decref(o);
	free(line);
	req_free(&req);
}

/* Bytes that are not UTF-8 never reach the file; the line stays JSON. */
static void
test_format_not_utf8(void **state)
{
	struct authz_request	 req;
	struct authz_decision	 d;
	char			*line, keys[256];
	const char		*p;
	json_t			*o;

	(void)state;
	req_make(&req, "GET", "/v1.41/images/\xff\xfe/json", "u");
	deny(&d, "request.uri", "", "dockward: denied");
	line = authz_audit_format(&req, &d, "plugin");
	o = parse_line(line);
	keys_of(o, keys, sizeof(keys));
	/* The short record: time, uri placeholder, decision, rule, reason. */
	assert_string_equal(keys, "time,uri,decision,rule,reason");
	assert_string_equal(get_s(o, "uri"), "<not UTF-8>");
	assert_string_equal(get_s(o, "decision"), "deny");
	assert_string_equal(get_s(o, "rule"), "request.uri");
	json_decref(o);
	free(line);
	req_free(&req);

	/* In the user, the method and the message too. */
	req_make(&req, "GET", "/_ping", "\xc0\xaf");
	line = authz_audit_format(&req, &d, "plugin");
	o = parse_line(line);
	assert_string_equal(get_s(o, "uri"), "<not UTF-8>");
	json_decref(o);
	free(line);
	req.user = NULL;
	req.method = "G\x80T";
	line = authz_audit_format(&req, &d, "plugin");
	json_decref(parse_line(line));
	free(line);
	req.method = "GET";
	deny(&d, "request.uri", "", "dockward: \xed\xa0\x80");
	line = authz_audit_format(&req, &d, "plugin");
	o = parse_line(line);
	assert_string_equal(get_s(o, "decision"), "deny");
	for (p = line; *p != '\0'; p++)
		assert_true((unsigned char)*p < 0x80);
	json_decref(o);
	free(line);
	req_free(&req);
}

/*
 * What the record is made of: the request line and the decision, never
 * the body.  Decided for real, a create whose Env, labels and command
 * hold secrets leaves none of them in the record, allowed or denied.
 */
static void
test_no_body_secrets(void **state)
{
	static const char	 policy_json[] = "{\"configurationFileVersion\":2,"
	    "\"enhancedContainerIsolation\":{\"value\":true,\"locked\":true}}";
	static const char	*bodies[] = {
		"{\"Image\":\"busybox\",\"Env\":[\"AWS_SECRET_ACCESS_KEY=s3cr3t-env\"],"
		"\"Labels\":{\"token\":\"s3cr3t-label\"},\"Cmd\":[\"--password=s3cr3t-cmd\"]}",
		"{\"Image\":\"busybox\",\"Env\":[\"AWS_SECRET_ACCESS_KEY=s3cr3t-env\"],"
		"\"Labels\":{\"token\":\"s3cr3t-label\"},\"Cmd\":[\"--password=s3cr3t-cmd\"],"
		"\"HostConfig\":{\"Privileged\":true}}",
		"{\"Image\":\"busybox\",\"Env\":[\"AWS_SECRET_ACCESS_KEY=s3cr3t-env\"],"
		"\"HostConfig\":{\"Binds\":[\"/etc:/x\"]}}",
		"{\"Image\":\"busybox\",\"Env\":[\"A=s3cr3t-env\",7]}",
		"{\"Image\":\"busybox\",\"Env\":[\"A=s3cr3t-env\"],\"Env\":[]}",
	};
	static const char	*verdicts[] = { "allow", "deny", "deny", "allow", "deny" };
	struct authz_facts	 facts;
	struct authz_settings	*s;
	struct authz_decision	 d;
	struct dw_err		 err;
	char			*line;
	json_t			*o;
	size_t			 i;

	(void)state;
	assert_int_equal(fake_setup(&facts), 0);
	s = authz_settings_parse(policy_json, strlen(policy_json), "<test>", &err);
	assert_non_null(s);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		fake_decide(s, &facts, NULL, "POST", "/v1.41/containers/create", bodies[i], &d);
		line = authz_audit_format(&(struct authz_request){ .method = "POST",
		    .raw_uri = "/v1.41/containers/create" }, &d, "plugin");
		o = parse_line(line);
		if (strcmp(get_s(o, "decision"), verdicts[i]) != 0)
			fail_msg("body %zu: want %s: %s", i, verdicts[i], line);
		if (strstr(line, "s3cr3t") != NULL)
			fail_msg("body %zu: a secret in the record: %s", i, line);
		json_decref(o);
		free(line);
	}
	authz_settings_free(s);
	fake_teardown();
}

/* xorshift64*: the same records on every run. */
static uint64_t
rnd(uint64_t *st)
{
	*st ^= *st >> 12;
	*st ^= *st << 25;
	*st ^= *st >> 27;
	return *st * 2685821657736338717ULL;
}

#define DIFF_RECORDS	5000

/*
 * Random records (fixed seed), each built from random bytes by
 * audit_diff_check: every way of formatting one equals the old jansson
 * record byte for byte.
 */
static void
test_format_differential(void **state)
{
	uint64_t	 st = 0x5eed15a0d17ULL;
	uint8_t		 bytes[1024];
	char		 why[65536];
	size_t		 i, j, n;

	(void)state;
	for (i = 0; i < DIFF_RECORDS; i++) {
		/* Short inputs too: what is missing reads as zero bytes. */
		n = i % 10 == 0 ? rnd(&st) % 64 : sizeof(bytes);
		for (j = 0; j < n; j++)
			bytes[j] = (uint8_t)(rnd(&st) >> 56);
		if (audit_diff_check(bytes, n, why, sizeof(why)) != 0)
			fail_msg("record %zu: %s", i, why);
	}
}

/* Records that the random ones may rarely make, spelled out. */
static void
test_format_differential_fixed(void **state)
{
	static const struct authz_creator creators[] = {
		{ .uid = 4294967295u, .name = "root\xc3\xa9", .entered = false },
		{ .uid = 2147483648u, .name = "\xff", .entered = false },
		{ .uid = 5, .name = NULL, .entered = true },
		{ .uid = 6, .name = "six", .entered = false },
		{ .uid = 7, .name = "\xed\xa0\x80", .entered = true },
	};
	struct authz_caller	 ctr = { .kind = AUTHZ_CALLER_CONTAINER, .pid = -1,
	    .uid = 4294967295u, .gid = 2147483648u, .container_id = "\xf4\x90\x80\x80",
	    .container_name = "/\xe2\x80\xa8/", .image = "\x7f\x1f/\\\"", .creators = creators,
	    .ncreators = 5 };
	static const struct timeval tvs[] = {
		{ 0, 0 }, { 1700000000, 999999 }, { 253402300799, 1 }, { -62167219200, 5 },
		{ 1700000000, -1 }, { 1700000000, 1000000 }, { 1, 123456789 },
	};
	const char		*rules[] = { NULL, "allow", "r\xc0\xaf", "" };
	struct authz_request	 req;
	struct authz_decision	 d;
	char			 buf[4096], *want;
	size_t			 i, j, len;
	int			 rc;

	(void)state;
	req_make(&req, "GET", "/v1.41/containers/\xe2\x80\xa9\x01/json", "bob\t");
	deny(&d, "x", "f\x7f", "dockward: \x1f\x08\x0c\"\\/");
	for (i = 0; i < sizeof(tvs) / sizeof(tvs[0]); i++) {
		for (j = 0; j < sizeof(rules) / sizeof(rules[0]); j++) {
			d.rule = rules[j];
			d.verdict = j % 2 ? AUTHZ_ALLOW : AUTHZ_DENY;
			want = audit_diff_oracle(&tvs[i], &req, &d, "gatekeeper", &ctr);
			rc = authz_audit_format_buf(buf, sizeof(buf), &len, &tvs[i], &req, &d,
			    "gatekeeper", &ctr);
			if (want == NULL) {
				assert_int_equal(rc, -EINVAL);
				continue;
			}
			assert_int_equal(rc, 0);
			assert_int_equal(len, strlen(want));
			assert_string_equal(buf, want);
			free(want);
		}
	}
	/* The caller of the last one, as the old code had it. */
	d.rule = "x";
	assert_int_equal(authz_audit_format_buf(buf, sizeof(buf), &len, &tvs[1], &req, &d,
	    "gatekeeper", &ctr), 0);
	assert_non_null(strstr(buf, ",\"caller\":{\"kind\":\"container\",\"pid\":-1,"
	    "\"uid\":-1,\"gid\":-2147483648,\"name\":\"/\xe2\x80\xa8/\","
	    "\"image\":\"\x7f\\u001F/\\\\\\\"\",\"creator\":{\"uid\":6,\"name\":\"six\"},"
	    "\"actsFor\":[{\"uid\":-1,\"name\":\"root\xc3\xa9\",\"entered\":false},"
	    "{\"uid\":5,\"name\":null,\"entered\":true},"
	    "{\"uid\":6,\"name\":\"six\",\"entered\":false}]}}"));
	req_free(&req);
}

/* Nanoseconds per record of fn over rounds, the median. */
static double
median(double *v, size_t n)
{
	size_t	i, j;
	double	t;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#define BENCH_ROUNDS	11
#define BENCH_N		20000

/*
 * The cost of one record, old (jansson) and new, malloc'd and into a
 * buffer, interleaved round by round; medians.  Only with DW_BENCH_AUDIT
 * set (figures mean something in an -O2 build).
 */
static void
test_bench(void **state)
{
	static const struct authz_creator creators[] = {
		{ .uid = 1000, .gid = 1000, .name = "alice", .entered = false },
	};
	struct authz_caller	 host = { .kind = AUTHZ_CALLER_HOST, .pid = 4242, .uid = 1000,
	    .gid = 1000 };
	struct authz_caller	 ctr = { .kind = AUTHZ_CALLER_CONTAINER, .pid = 31337, .uid = 0,
	    .gid = 0, .container_id = "4f1d0b5c6e2a4f1d0b5c6e2a4f1d0b5c6e2a4f1d0b5c6e2a4f1d0b5c6e2a0b5c",
	    .container_name = "/ci-runner", .image = "docker:27-cli", .creators = creators,
	    .ncreators = 1 };
	struct {
		const char		*name, *method, *uri, *source;
		const struct authz_caller *caller;
		bool			 deny;
	} cases[] = {
		{ "gate _ping host", "GET", "/_ping", "gatekeeper", &host, false },
		{ "gate inspect container", "GET",
		  "/v1.47/containers/4f1d0b5c6e2a/json", "gatekeeper", &ctr, false },
		{ "plugin create deny", "POST", "/v1.47/containers/create?name=web",
		  "plugin", NULL, true },
	};
	struct authz_request	 req;
	struct authz_decision	 d;
	double			 t_old[BENCH_ROUNDS], t_new[BENCH_ROUNDS], t_buf[BENCH_ROUNDS], t0;
	double			 ratio[BENCH_ROUNDS];
	char			 buf[2048], *line;
	size_t			 c, round, i, len;
	unsigned long		 sink = 0;

	(void)state;
	if (getenv("DW_BENCH_AUDIT") == NULL)
		skip();
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		req_make(&req, cases[c].method, cases[c].uri, NULL);
		if (cases[c].deny)
			deny(&d, "container.privileged", "HostConfig.Privileged",
			    "dockward: container create denied (container.privileged): "
			    "privileged containers are not allowed. Remove --privileged.");
		else {
			memset(&d, 0, sizeof(d));
			d.verdict = AUTHZ_ALLOW;
			d.rule = "allow";
		}
		for (round = 0; round < BENCH_ROUNDS; round++) {
			t0 = now_ns();
			for (i = 0; i < BENCH_N; i++) {
				line = audit_diff_oracle(NULL, &req, &d, cases[c].source,
				    cases[c].caller);
				sink += (unsigned char)line[20];
				free(line);
			}
			t_old[round] = (now_ns() - t0) / BENCH_N;
			t0 = now_ns();
			for (i = 0; i < BENCH_N; i++) {
				line = authz_audit_format_caller(&req, &d, cases[c].source,
				    cases[c].caller);
				sink += (unsigned char)line[20];
				free(line);
			}
			t_new[round] = (now_ns() - t0) / BENCH_N;
			t0 = now_ns();
			for (i = 0; i < BENCH_N; i++) {
				assert_int_equal(authz_audit_format_buf(buf, sizeof(buf), &len,
				    NULL, &req, &d, cases[c].source, cases[c].caller), 0);
				sink += (unsigned char)buf[20];
			}
			t_buf[round] = (now_ns() - t0) / BENCH_N;
		}
		for (round = 0; round < BENCH_ROUNDS; round++)
			ratio[round] = t_old[round] / t_new[round];
		printf("bench %-24s %zu B: jansson %.0f ns, format %.0f ns, format_buf %.0f ns, "
		    "jansson/format %.1fx (medians of %d rounds of %d)\n", cases[c].name, len,
		    median(t_old, BENCH_ROUNDS), median(t_new, BENCH_ROUNDS),
		    median(t_buf, BENCH_ROUNDS), median(ratio, BENCH_ROUNDS), BENCH_ROUNDS,
		    BENCH_N);
		req_free(&req);
	}
	assert_true(sink > 0);
}

/* The records in a file, one string per line; n set to their count. */
static char *
file_lines(const char *path, size_t *n)
{
	char	*buf, *p;

	assert_non_null(buf = test_file_read(path, NULL));
	*n = 0;
	for (p = buf; (p = strchr(p, '\n')) != NULL; p++)
		(*n)++;
	return buf;
}

/* A file: created 0600, appended, one line per record, queued ones written at close. */
static void
test_file_sink(void **state)
{
	struct authz_audit	*a;
	struct dw_err		 err;
	struct stat		 st;
	char			 path[128], *buf;
	size_t			 n;
	int			 fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/audit.log", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"old\":1}\n", 10), 10);
	close(fd);
	assert_non_null(a = authz_audit_open(path, &err));
	assert_int_equal(authz_audit_write(a, "{\"n\":1}"), 0);
	assert_int_equal(authz_audit_write_later(a, "{\"n\":2}"), 0);
	assert_int_equal(authz_audit_write_later(a, "{\"n\":3}"), 0);
	authz_audit_close(a);
	buf = file_lines(path, &n);
	assert_string_equal(buf, "{\"old\":1}\n{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
	free(buf);
	unlink(path);
	/* Created with mode 0600. */
	assert_non_null(a = authz_audit_open(path, &err));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(authz_audit_flush_errors(a), 0);
	authz_audit_close(a);
	unlink(path);
	authz_audit_close(NULL);
}

/* Where the log cannot be opened: NULL and a message naming the path. */
static void
test_open_refused(void **state)
{
	struct dw_err	err;
	char		path[128], link_path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/no/such/dir/audit.log", dir);
	dw_err_clear(&err);
	assert_null(authz_audit_open(path, &err));
	assert_non_null(strstr(err.msg, path));
	/* A symlink is not followed (it could point at any file root can write). */
	snprintf(path, sizeof(path), "%s/target", dir);
	snprintf(link_path, sizeof(link_path), "%s/audit.link", dir);
	assert_int_equal(symlink(path, link_path), 0);
	dw_err_clear(&err);
	assert_null(authz_audit_open(link_path, &err));
	assert_non_null(strstr(err.msg, "audit.link"));
	assert_int_equal(access(path, F_OK), -1);
	unlink(link_path);
	/* A directory. */
	assert_null(authz_audit_open(dir, &err));
}

/* Rotation: records before the reopen in the renamed file, after it in the new one. */
static void
test_reopen(void **state)
{
	struct authz_audit	*a;
	struct dw_err		 err;
	char			 path[128], old[128], old2[128], *buf;
	size_t			 n;

	(void)state;
	snprintf(path, sizeof(path), "%s/rot.log", dir);
	snprintf(old, sizeof(old), "%s/rot.log.1", dir);
	snprintf(old2, sizeof(old2), "%s/rot.log.2", dir);
	assert_non_null(a = authz_audit_open(path, &err));
	assert_int_equal(authz_audit_write(a, "{\"n\":1}"), 0);
	assert_int_equal(rename(path, old), 0);
	assert_int_equal(authz_audit_write(a, "{\"n\":2}"), 0);
	assert_int_equal(authz_audit_reopen(a, &err), 0);
	assert_int_equal(authz_audit_write(a, "{\"n\":3}"), 0);
	buf = file_lines(old, &n);
	assert_string_equal(buf, "{\"n\":1}\n{\"n\":2}\n");
	free(buf);
	/* A reopen that fails keeps the file in use (the link stays in dir). */
	assert_int_equal(rename(path, old2), 0);
	assert_int_equal(symlink(old, path), 0);
	assert_true(authz_audit_reopen(a, &err) < 0);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(authz_audit_write(a, "{\"n\":4}"), 0);
	authz_audit_close(a);
	buf = file_lines(old2, &n);
	assert_string_equal(buf, "{\"n\":3}\n{\"n\":4}\n");
	free(buf);
	unlink(path);
	unlink(old);
	unlink(old2);
}

/* Redirect fd to a new file in dir; the saved copy of fd. */
static int
redirect(int fd, const char *name, char *path, size_t pathsz)
{
	int	saved, nfd;

	snprintf(path, pathsz, "%s/%s", dir, name);
	assert_true((nfd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_true((saved = dup(fd)) >= 0);
	assert_true(dup2(nfd, fd) >= 0);
	close(nfd);
	return saved;
}

static void
restore(int fd, int saved)
{
	assert_true(dup2(saved, fd) >= 0);
	close(saved);
}

/* "-" and NULL: stdout, left open at close; reopen is a no-op. */
static void
test_stdout_sink(void **state)
{
	struct authz_audit	*a;
	struct dw_err		 err;
	char			 path[128], *buf;
	size_t			 n;
	int			 saved;

	(void)state;
	fflush(stdout);
	saved = redirect(STDOUT_FILENO, "stdout", path, sizeof(path));
	assert_non_null(a = authz_audit_open("-", &err));
	assert_int_equal(authz_audit_write(a, "{\"n\":1}"), 0);
	assert_int_equal(authz_audit_reopen(a, &err), 0);
	assert_int_equal(authz_audit_write_later(a, "{\"n\":2}"), 0);
	authz_audit_close(a);
	assert_non_null(a = authz_audit_open(NULL, &err));
	assert_int_equal(authz_audit_write(a, "{\"n\":3}"), 0);
	authz_audit_close(a);
	/* Still open after close. */
	assert_int_equal(write(STDOUT_FILENO, "end\n", 4), 4);
	restore(STDOUT_FILENO, saved);
	buf = file_lines(path, &n);
	assert_string_equal(buf, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\nend\n");
	free(buf);
	unlink(path);
}

/*
 * A sink that fails (a full disk): a direct write says so (-ENOSPC, the
 * caller keeps the record elsewhere); queued records go to stderr, whole,
 * and are counted.
 */
static void
test_full_sink(void **state)
{
	struct authz_audit	*a;
	struct dw_err		 err;
	char			 path[128], *buf;
	size_t			 n;
	int			 saved, i;

	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	assert_non_null(a = authz_audit_open("/dev/full", &err));
	assert_int_equal(authz_audit_write(a, "{\"n\":0}"), -ENOSPC);
	fflush(stderr);
	saved = redirect(STDERR_FILENO, "stderr", path, sizeof(path));
	assert_int_equal(authz_audit_write_later(a, "{\"n\":1}"), 0);
	assert_int_equal(authz_audit_write_later(a, "{\"n\":2}"), 0);
	assert_int_equal(authz_audit_write_later(a, "{\"n\":3}"), 0);
	/* The flusher runs every 20 ms. */
	for (i = 0; i < 500 && authz_audit_flush_errors(a) < 3; i++)
		usleep(10000);
	assert_int_equal(authz_audit_flush_errors(a), 3);
	/* And the ones still queued at close. */
	assert_int_equal(authz_audit_write_later(a, "{\"n\":4}"), 0);
	authz_audit_close(a);
	restore(STDERR_FILENO, saved);
	buf = file_lines(path, &n);
	assert_string_equal(buf, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n");
	free(buf);
	unlink(path);
}

/*
 * Queued records over several flushes, the queue growing past its first
 * size and the flushed buffers reused: every record, in order, once.
 */
static void
test_queue_reuse(void **state)
{
	struct authz_audit	*a;
	struct dw_err		 err;
	char			 path[128], line[300], want[64], *buf, *p;
	size_t			 n;
	int			 burst, i, k = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/queue.log", dir);
	assert_non_null(a = authz_audit_open(path, &err));
	for (burst = 0; burst < 6; burst++) {
		/* 100 to 350 records of 200-odd bytes: 20 KB to 70 KB a flush. */
		for (i = 0; i < 100 + burst * 50; i++, k++) {
			snprintf(line, sizeof(line), "{\"n\":%d,\"pad\":\"%0200d\"}", k, 0);
			assert_int_equal(authz_audit_write_later(a, line), 0);
		}
		usleep(60000);	/* the flusher runs every 20 ms */
	}
	authz_audit_close(a);
	buf = file_lines(path, &n);
	p = buf;
	for (i = 0; i < k; i++) {
		snprintf(want, sizeof(want), "{\"n\":%d,", i);
		if (strncmp(p, want, strlen(want)) != 0)
			fail_msg("record %d: %.40s", i, p);
		assert_non_null(p = strchr(p, '\n'));
		p++;
	}
	assert_string_equal(p, "");
	free(buf);
	unlink(path);
}

struct writer {
	struct authz_audit	*a;
	int			 id;
};

#define WRITERS		4
#define RECORDS		300

static void *
writer_main(void *arg)
{
	struct writer	*w = arg;
	char		 line[600];
	int		 i;

	for (i = 0; i < RECORDS; i++) {
		/* Long enough that a torn write would show. */
		snprintf(line, sizeof(line), "{\"w\":%d,\"i\":%d,\"pad\":\"%0500d\"}", w->id, i,
		    0);
		if ((i % 2 == 0 ? authz_audit_write(w->a, line) :
		    authz_audit_write_later(w->a, line)) != 0)
			return (void *)1;
	}
	return NULL;
}

/* Count each whole record of buf in seen; buf is cut into lines. */
static void
count_records(char *buf, int seen[][RECORDS])
{
	char	*p, *nl;
	json_t	*o;
	int	 i, j;

	for (p = buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		o = parse_line(p);
		i = (int)json_integer_value(json_object_get(o, "w"));
		j = (int)json_integer_value(json_object_get(o, "i"));
		assert_true(i >= 0 && i < WRITERS && j >= 0 && j < RECORDS);
		seen[i][j]++;
		json_decref(o);
	}
	assert_string_equal(p, "");
}

/* Writers on several threads, one of them rotating: every record whole, none lost. */
static void
test_concurrent(void **state)
{
	struct writer	 w[WRITERS];
	pthread_t	 th[WRITERS];
	struct dw_err	 err;
	char		 path[128], old[128], *a_buf, *b_buf;
	int		 seen[WRITERS][RECORDS];
	size_t		 na, nb;
	void		*rv;
	int		 i, j;

	(void)state;
	snprintf(path, sizeof(path), "%s/conc.log", dir);
	snprintf(old, sizeof(old), "%s/conc.log.1", dir);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < WRITERS; i++) {
		w[i].id = i;
		assert_non_null(w[i].a = i == 0 ? authz_audit_open(path, &err) : w[0].a);
		assert_int_equal(pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
	}
	usleep(2000);
	assert_int_equal(rename(path, old), 0);
	assert_int_equal(authz_audit_reopen(w[0].a, &err), 0);
	for (i = 0; i < WRITERS; i++) {
		assert_int_equal(pthread_join(th[i], &rv), 0);
		assert_null(rv);
	}
	authz_audit_close(w[0].a);
	a_buf = file_lines(old, &na);
	b_buf = file_lines(path, &nb);
	assert_int_equal(na + nb, WRITERS * RECORDS);
	count_records(a_buf, seen);
	count_records(b_buf, seen);
	for (i = 0; i < WRITERS; i++)
		for (j = 0; j < RECORDS; j++)
			assert_int_equal(seen[i][j], 1);
	free(a_buf);
	free(b_buf);
	unlink(path);
	unlink(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_deny),
		cmocka_unit_test(test_format_allow),
		cmocka_unit_test(test_format_caller),
		cmocka_unit_test(test_format_hostile),
		cmocka_unit_test(test_format_not_utf8),
		cmocka_unit_test(test_format_differential),
		cmocka_unit_test(test_format_differential_fixed),
		cmocka_unit_test(test_bench),
		cmocka_unit_test(test_no_body_secrets),
		cmocka_unit_test(test_file_sink),
		cmocka_unit_test(test_open_refused),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_stdout_sink),
		cmocka_unit_test(test_full_sink),
		cmocka_unit_test(test_queue_reuse),
		cmocka_unit_test(test_concurrent),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
