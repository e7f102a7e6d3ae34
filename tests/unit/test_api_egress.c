/*
 * Unit tests for api_egress, the parts that need neither root nor nft:
 * the policy from a settings document (a bad egress block fails it, the
 * default resolvers come from resolv.conf and reach authz's --dns rule,
 * mode "system" reads the environment), the life cycle before start (the
 * policy is kept, the capability asked for), and the audit lines
 * (connection, PAC change, table) with every key, untrusted text escaped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/capability.h>

#include "api/api_egress.h"

static char	resolv[] = "/tmp/dw-egress-resolv-XXXXXX";

static int
group_setup(void **state)
{
	FILE	*f;
	int	 fd;

	(void)state;
	if ((fd = mkstemp(resolv)) < 0 || (f = fdopen(fd, "w")) == NULL)
		return -1;
	fprintf(f, "# test\nnameserver 127.0.0.53\nnameserver 192.0.2.53\n"
	    "nameserver 2001:db8::53\nsearch example\n");
	fclose(f);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	unlink(resolv);
	return 0;
}

static struct authz_settings *
settings(const char *json)
{
	struct authz_settings	*s;
	struct dw_err		 err;

	s = authz_settings_parse(json, strlen(json), "<test>", &err);
	if (s == NULL)
		fail_msg("settings: %s", err.msg);
	return s;
}

static void
test_policy_off(void **state)
{
	struct authz_settings	*s = settings("{\"configurationFileVersion\":2}");
	struct egress_policy	*p = (struct egress_policy *)1;

	(void)state;
	assert_int_equal(api_egress_policy(s, resolv, &p, NULL), 0);
	assert_null(p);
	authz_settings_free(s);
}

static void
test_policy_default_dns(void **state)
{
	struct authz_settings	*s;
	struct egress_policy	*p = NULL;
	struct dw_err		 err;

	(void)state;
	s = settings("{\"configurationFileVersion\":2,\"containersProxy\":"
	    "{\"locked\":true,\"mode\":\"manual\",\"http\":\"http://proxy.test:3128\","
	    "\"https\":\"\",\"exclude\":[\"10.0.0.0/8\"],\"transparentPorts\":\"*\"}}");
	assert_int_equal(api_egress_policy(s, resolv, &p, &err), 0);
	assert_non_null(p);
	/* Loopback skipped; both families; handed to authz. */
	assert_int_equal(p->ndns, 2);
	assert_int_equal(s->egress_dns.n, 2);
	assert_true(authz_settings_egress_dns_allowed(s, "192.0.2.53"));
	assert_true(authz_settings_egress_dns_allowed(s, "2001:db8::53"));
	assert_false(authz_settings_egress_dns_allowed(s, "127.0.0.53"));
	egress_policy_free(p);
	authz_settings_free(s);
}

static void
test_policy_explicit_dns(void **state)
{
	struct authz_settings	*s;
	struct egress_policy	*p = NULL;
	struct dw_err		 err;

	(void)state;
	s = settings("{\"configurationFileVersion\":2,\"containersProxy\":"
	    "{\"mode\":\"manual\",\"pac\":\"http://pac.test/p.pac\"},"
	    "\"dockward\":{\"egress\":{\"dnsServers\":[\"198.51.100.1\"]}}}");
	assert_int_equal(api_egress_policy(s, resolv, &p, &err), 0);
	assert_int_equal(p->ndns, 1);
	assert_int_equal(s->egress_dns.n, 1);
	assert_true(authz_settings_egress_dns_allowed(s, "198.51.100.1"));
	assert_false(authz_settings_egress_dns_allowed(s, "192.0.2.53"));
	assert_string_equal(p->pac_url, "http://pac.test/p.pac");
	egress_policy_free(p);
	authz_settings_free(s);
}

/* A bad egress block fails the whole load, naming the setting. */
static void
test_policy_bad(void **state)
{
	struct authz_settings	*s;
	struct egress_policy	*p = (struct egress_policy *)1;
	struct dw_err		 err;

	(void)state;
	s = settings("{\"configurationFileVersion\":2,\"containersProxy\":"
	    "{\"mode\":\"manual\",\"transparentPorts\":\"80-\"}}");
	err.msg[0] = '\0';
	assert_int_equal(api_egress_policy(s, resolv, &p, &err), -EINVAL);
	assert_ptr_equal(p, (struct egress_policy *)1);	/* untouched */
	assert_non_null(strstr(err.msg, "transparentPorts"));
	authz_settings_free(s);
	/* A port the sandboxed daemon could not bind. */
	s = settings("{\"configurationFileVersion\":2,\"containersProxy\":"
	    "{\"mode\":\"manual\"},\"dockward\":{\"egress\":{\"port\":80}}}");
	assert_int_equal(api_egress_policy(s, resolv, &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "dockward.egress.port: 80"));
	authz_settings_free(s);
}

static void
test_policy_system(void **state)
{
	struct authz_settings	*s;
	struct egress_policy	*p = NULL;
	struct dw_err		 err;

	(void)state;
	setenv("https_proxy", "http://sys.test:8080", 1);
	s = settings("{\"configurationFileVersion\":2,\"containersProxy\":"
	    "{\"mode\":\"system\"}}");
	assert_int_equal(api_egress_policy(s, resolv, &p, &err), 0);
	unsetenv("https_proxy");
	assert_int_equal(p->mode, EGRESS_MODE_SYSTEM);
	assert_true(p->https.set);
	assert_string_equal(p->https.host, "sys.test");
	assert_int_equal(p->https.port, 8080);
	egress_policy_free(p);
	authz_settings_free(s);
}

/* Before start a policy is only kept; boot asks for CAP_NET_ADMIN. */
static void
test_before_start(void **state)
{
	struct authz_settings	*s;
	struct egress_policy	*p = NULL;
	struct api_egress	*eg;

	(void)state;
	s = settings("{\"configurationFileVersion\":2,\"containersProxy\":"
	    "{\"mode\":\"manual\"}}");
	assert_int_equal(api_egress_policy(s, resolv, &p, NULL), 0);
	eg = api_egress_new();
	assert_non_null(eg);
	assert_int_equal(api_egress_update(eg, p, NULL), 0);
	/* A second one replaces it (no leak under valgrind). */
	p = NULL;
	assert_int_equal(api_egress_policy(s, resolv, &p, NULL), 0);
	assert_int_equal(api_egress_update(eg, p, NULL), 0);
	assert_int_equal(api_egress_boot(eg), (uint64_t)1 << CAP_NET_ADMIN);
	api_egress_free(eg);
	api_egress_free(NULL);
	authz_settings_free(s);
}

static json_t *
parse_line(const char *line)
{
	json_t	*o;

	assert_non_null(line);
	assert_null(strchr(line, '\n'));
	o = json_loads(line, 0, NULL);
	assert_non_null(o);
	return o;
}

static const char *
str(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("no string \"%s\"", key);
	return json_string_value(v);
}

static json_int_t
num(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("no integer \"%s\"", key);
	return json_integer_value(v);
}

static void
test_format_conn(void **state)
{
	struct egress_conn_record	rec;
	struct api_egress_who_id	who;
	json_t				*o;
	char				*line;

	(void)state;
	memset(&rec, 0, sizeof(rec));
	memset(&who, 0, sizeof(who));
	snprintf(who.id, sizeof(who.id), "0123abcd");
	snprintf(who.name, sizeof(who.name), "web");
	snprintf(who.image, sizeof(who.image), "nginx:1");
	assert_int_equal(egress_addr_parse("172.17.0.2", &rec.src), 0);
	rec.src_port = 40312;
	assert_int_equal(egress_addr_parse("2001:db8::1", &rec.target.ip), 0);
	rec.target.port = 443;
	rec.target.source = EGRESS_NAME_IP;
	/* What the client claimed did not resolve to dst: written, with its junk escaped. */
	snprintf(rec.target.claimed, sizeof(rec.target.claimed), "evil\xff.test");
	rec.info.name_rejected = true;
	snprintf(rec.info.pac_answer, sizeof(rec.info.pac_answer), "PROXY p.test:3128; DIRECT");
	egress_answer_one(&rec.answer, EGRESS_ROUTE_PROXY, "p.test", 3128);
	rec.action = "proxy";
	snprintf(rec.upstream, sizeof(rec.upstream), "p.test:3128");
	rec.bytes_out = 517;
	rec.bytes_in = 4096;
	rec.duration_ms = 12;
	line = api_egress_format_conn(&rec, &who);
	o = parse_line(line);
	assert_string_equal(str(o, "event"), "egress");
	assert_non_null(strstr(str(o, "time"), "Z"));
	assert_string_equal(str(json_object_get(o, "container"), "id"), "0123abcd");
	assert_string_equal(str(json_object_get(o, "container"), "name"), "web");
	assert_string_equal(str(json_object_get(o, "container"), "image"), "nginx:1");
	assert_string_equal(str(o, "src"), "172.17.0.2:40312");
	assert_string_equal(str(o, "dst"), "[2001:db8::1]:443");
	assert_string_equal(str(o, "host"), "");
	assert_string_equal(str(o, "hostFrom"), "ip");
	assert_string_equal(str(o, "claimed"), "evil\\xff.test");
	assert_string_equal(str(o, "pac"), "PROXY p.test:3128; DIRECT");
	assert_non_null(strstr(str(o, "answer"), "p.test:3128"));
	assert_string_equal(str(o, "action"), "proxy");
	assert_string_equal(str(o, "upstream"), "p.test:3128");
	assert_int_equal(num(o, "bytesOut"), 517);
	assert_int_equal(num(o, "bytesIn"), 4096);
	assert_int_equal(num(o, "durationMs"), 12);
	assert_true(json_is_false(json_object_get(o, "cached")));
	assert_string_equal(str(o, "error"), "");
	json_decref(o);
	free(line);

	/* A proven name: claimed stays empty; the decision's error shows. */
	rec.info.name_rejected = false;
	rec.target.source = EGRESS_NAME_SNI;
	snprintf(rec.target.name, sizeof(rec.target.name), "ok.test");
	snprintf(rec.info.error, sizeof(rec.info.error), "PAC unavailable: x");
	rec.action = NULL;
	line = api_egress_format_conn(&rec, &who);
	o = parse_line(line);
	assert_string_equal(str(o, "host"), "ok.test");
	assert_string_equal(str(o, "hostFrom"), "sni");
	assert_string_equal(str(o, "claimed"), "");
	assert_string_equal(str(o, "action"), "error");
	assert_string_equal(str(o, "error"), "PAC unavailable: x");
	json_decref(o);
	free(line);
}

static void
test_format_pac_table(void **state)
{
	struct api_egress_pac_event	ev;
	json_t				*o;
	char				*line;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.url = "http://***@pac.test/p.pac";
	ev.from = API_EGRESS_PAC_OK;
	ev.to = API_EGRESS_PAC_GRACE;
	ev.result = API_EGRESS_PAC_FETCH_ERROR;
	ev.etag = "\"v1\"";
	ev.error = "HTTP 404";
	line = api_egress_format_pac(&ev);
	o = parse_line(line);
	assert_string_equal(str(o, "event"), "egress.pac");
	assert_string_equal(str(o, "url"), "http://***@pac.test/p.pac");
	assert_string_equal(str(o, "result"), "error");
	assert_string_equal(str(o, "state"), "grace");
	assert_string_equal(str(o, "previous"), "ok");
	assert_int_equal(num(o, "bytes"), 0);
	assert_string_equal(str(o, "etag"), "\"v1\"");
	assert_string_equal(str(o, "error"), "HTTP 404");
	json_decref(o);
	free(line);

	line = api_egress_format_table("reapplied", "");
	o = parse_line(line);
	assert_string_equal(str(o, "event"), "egress.table");
	assert_string_equal(str(o, "table"), "inet dockward");
	assert_string_equal(str(o, "action"), "reapplied");
	assert_string_equal(str(o, "error"), "");
	json_decref(o);
	free(line);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_off),
		cmocka_unit_test(test_policy_default_dns),
		cmocka_unit_test(test_policy_explicit_dns),
		cmocka_unit_test(test_policy_bad),
		cmocka_unit_test(test_policy_system),
		cmocka_unit_test(test_before_start),
		cmocka_unit_test(test_format_conn),
		cmocka_unit_test(test_format_pac_table),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
