/*
 * Unit tests for authz_decide.c: the request model's refusals (URI, body,
 * ambiguous JSON, form bodies), what it decides itself (start with a
 * host config, exec --privileged, BuildKit, plugins, swarm join), and ECI
 * off.
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

#include "authz/authz_uri.h"
#include "authz/authz_decide.h"
#include "authz/authz_settings.h"
#include "fake_facts.h"

#define C(n, u, b, r)	FAKE_POST(n, u, b, r)
#define F(n, u, b, t, r) FAKE_POST_TYPE(n, u, b, t, r)
#define CREATE		"/v1.41/containers/create"
#define HC(x)		"{\"Image\":\"busybox\",\"HostConfig\":{" x "}}"
#define VC		"/v1.41/volumes/create"

static const struct fake_case cases[] = {
	/* the legacy builder's query */
	C("build networkmode twice", "/v1.41/build?networkmode=default&networkmode=host", NULL, "request.uri"),

	/* request model */
	C("duplicate exact key", CREATE, "{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":false,\"Privileged\":true}}", "request.json"),
	C("duplicate HostConfig", CREATE, "{\"Image\":\"busybox\",\"HostConfig\":{},\"hostconfig\":{\"Privileged\":true}}", "request.json"),
	C("trailing second object", CREATE, "{\"Image\":\"busybox\"}{\"HostConfig\":{\"Privileged\":true}}", "request.json"),
	C("body is array", CREATE, "[]", "request.json"),
	{ "no body on create", "POST", CREATE, NULL, -1, "request.body", NULL },
	C("unknown route", "/v1.41/containers/create/x", "{}", "request.uri"),
	C("unclean path", "/v1.41//containers/create", HC("\"Privileged\":true"), "request.uri"),
	C("dot segment", "/v1.41/./containers/create", HC("\"Privileged\":true"), "request.uri"),

	/* Go's ParseForm lets a form body override query values dockward read. */
	F("form body on build", "/v1.41/build?remote=x", "networkmode=host", "application/x-www-form-urlencoded", "request.form"),
	F("form body, mixed case", "/v1.41/images/create?fromImage=a", "fromImage=b", "Application/X-WWW-Form-Urlencoded; charset=utf-8", "request.form"),
	F("multipart form body", "/v1.41/build", "x", "multipart/form-data; boundary=z", "request.form"),
	F("tar body on build", "/v1.41/build", "x", "application/x-tar", "allow"),

	/* start with a host config (API < 1.24) */
	{ "start v1.23 with body", "POST", "/v1.23/containers/abc/start", "{\"Privileged\":true}", -2, "container.startConfig", NULL },
	{ "start v1.23 chunked", "POST", "/v1.23/containers/abc/start", NULL, -1, "container.startConfig", NULL },
	{ "start v1.23 empty", "POST", "/v1.23/containers/abc/start", NULL, 0, "allow", NULL },
	{ "start v1.41 empty", "POST", "/v1.41/containers/abc/start", NULL, -1, "allow", NULL },

	/* exec */
	C("exec plain", "/v1.41/containers/abc/exec", "{\"Cmd\":[\"sh\"]}", "allow"),
	C("exec privileged", "/v1.41/containers/abc/exec", "{\"Cmd\":[\"sh\"],\"Privileged\":true}", "exec.privileged"),

	/* volume create */
	C("volume options not an object", VC, "{\"Name\":\"v\",\"DriverOpts\":[\"type=proc\"]}", "request.json"),

	/* BuildKit: steps dockward cannot see, refused under ECI */
	C("buildkit grpc", "/v1.41/grpc", NULL, "build.buildkit"),
	C("buildkit session", "/session", NULL, "build.buildkit"),
	C("buildkit build version=2", "/v1.41/build?version=2&session=x&remote=client-session", NULL, "build.buildkit"),
	C("buildkit version twice", "/v1.41/build?version=1&version=2", NULL, "request.uri"),
	C("classic build version=1", "/v1.41/build?version=1", NULL, "allow"),
	C("classic build", "/v1.41/build?t=x", NULL, "allow"),

	/* plugins, swarm, and reads */
	C("plugin pull", "/v1.41/plugins/pull?remote=evil", "[]", "plugin.manage"),
	C("plugin disable", "/v1.41/plugins/dockward/disable", NULL, "plugin.manage"),
	C("plugin enable", "/v1.41/plugins/x/enable?timeout=0", NULL, "plugin.manage"),
	C("plugin set", "/v1.41/plugins/x/set", "[\"DEBUG=1\"]", "plugin.manage"),
	{ "plugin remove", "DELETE", "/v1.41/plugins/x", NULL, -1, "plugin.manage", NULL },
	{ "plugin list", "GET", "/v1.41/plugins", NULL, -1, "allow", NULL },
	C("swarm join", "/v1.41/swarm/join", "{\"RemoteAddrs\":[\"10.0.0.1:2377\"]}", "swarm.join"),
	{ "ps", "GET", "/v1.41/containers/json?all=1", NULL, -1, "allow", NULL },
	{ "info", "GET", "/info", NULL, -1, "allow", NULL },
	{ "ping head", "HEAD", "/_ping", NULL, -1, "allow", NULL },
};

/* With ECI off, container rules are off; plugin management stays denied. */
static void
test_eci_off(void **state)
{
	static const char off[] = "{\"configurationFileVersion\":2,"
	    "\"enhancedContainerIsolation\":{\"value\":false}}";
	static const struct fake_case priv =
	    C("p", CREATE, HC("\"Privileged\":true"), "allow");
	static const struct fake_case plug =
	    C("p", "/v1.41/plugins/x/disable", NULL, "plugin.manage");
	struct authz_settings	*s;
	struct authz_decision	 d;
	struct dw_err		 err;

	s = authz_settings_parse(off, strlen(off), "<off>", &err);
	assert_non_null(s);
	fake_rules_run(s, &priv, &d);
	assert_int_equal(d.verdict, AUTHZ_ALLOW);
	fake_rules_run(s, &plug, &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_string_equal(d.rule, "plugin.manage");
	authz_settings_free(s);
}

/* Run case c under the policy text json; returns nothing, checks the rule. */
static void
expect_under(const char *json, const struct fake_case *c)
{
	fake_expect_under(json, &fake_rules_facts, c);
}

#define ECI_POLICY(extra) "{\"configurationFileVersion\":2," \
	"\"enhancedContainerIsolation\":{\"value\":true,\"locked\":true}," \
	"\"dockward\":{" extra "}}"

/* BuildKit: refused under ECI or access rules unless the admin allows it. */
static void
test_buildkit(void **state)
{
	static const char eci_allow[] = ECI_POLICY("\"allowBuildKit\":true");
	static const char eci_unchecked[] = ECI_POLICY("\"allowUncheckedBuilds\":true");
	static const char off[] = "{\"configurationFileVersion\":2}";
	static const char ram[] = "{\"configurationFileVersion\":2,\"dockward\":"
	    "{\"registryAccess\":{\"allowed\":[\"docker.io\"]}}}";
	static const char iam[] = "{\"configurationFileVersion\":2,\"dockward\":"
	    "{\"imageAccess\":{\"officialImages\":false}}}";
	static const char ram_unchecked[] = "{\"configurationFileVersion\":2,\"dockward\":"
	    "{\"allowUncheckedBuilds\":true,\"registryAccess\":{\"allowed\":[\"docker.io\"]}}}";
	static const char ram_allow[] = "{\"configurationFileVersion\":2,\"dockward\":"
	    "{\"allowBuildKit\":true,\"registryAccess\":{\"allowed\":[\"docker.io\"]}}}";
	static const struct fake_case grpc = C("grpc", "/v1.41/grpc", NULL, "build.buildkit");
	static const struct fake_case grpc_ok = C("grpc ok", "/v1.41/grpc", NULL, "allow");
	static const struct fake_case sess = C("session", "/v1.41/session", NULL, "build.buildkit");
	static const struct fake_case sess_ok = C("session ok", "/v1.41/session", NULL, "allow");
	static const struct fake_case classic = C("classic", "/v1.41/build?t=x", NULL, "allow");
	struct authz_decision	d;

	expect_under(eci_allow, &grpc_ok);
	expect_under(eci_allow, &sess_ok);
	expect_under(eci_unchecked, &grpc);	/* under ECI, unchecked builds do not cover entitlements */
	expect_under(off, &grpc_ok);
	expect_under(off, &sess_ok);
	expect_under(ram, &grpc);
	expect_under(ram, &sess);
	expect_under(ram, &classic);
	expect_under(iam, &grpc);
	expect_under(ram_unchecked, &grpc_ok);
	expect_under(ram_allow, &sess_ok);
	/* The message names the way out, both of them. */
	fake_rules_run(fake_rules_policy, &grpc, &d);
	assert_non_null(strstr(d.msg, "(build.buildkit): BuildKit's gRPC API (POST /grpc)"));
	assert_non_null(strstr(d.msg, "DOCKER_BUILDKIT=0"));
	assert_non_null(strstr(d.msg, "dockward.allowBuildKit"));
}

int
main(void)
{
	enum { NCASES = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest	tests[NCASES + 2];

	/* One named cmocka test per table row, so failures and counts are per case. */
	fake_case_tests(tests, cases, NCASES, fake_rules_test_case);
	tests[NCASES] = (struct CMUnitTest)cmocka_unit_test(test_eci_off);
	tests[NCASES + 1] = (struct CMUnitTest)cmocka_unit_test(test_buildkit);
	return _cmocka_run_group_tests("authz_decide", tests, NCASES + 2,
	    fake_rules_setup, fake_rules_teardown);
}
