/*
 * Unit tests for authz_egress.c: while containersProxy is set (issue 14),
 * containers stay on bridge networks by every door (create, container:X
 * chains, builds, services, network create and connect, start and exec of
 * containers made before), and --dns names only allowed resolvers.  The
 * table is decided with ECI off: the egress rules stand alone.
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
#define G(n, u, r)	{ n, "POST", u, NULL, -1, r, NULL }
#define CREATE		"/v1.41/containers/create"
#define HC(x)		"{\"Image\":\"busybox\",\"HostConfig\":{" x "}}"
#define EP(x)		"{\"Image\":\"busybox\",\"NetworkingConfig\":{\"EndpointsConfig\":{" x "}}}"
#define SVC		"/v1.41/services/create"
#define TT(x)		"{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"" x "}}}"
#define NETS(x)		"{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},\"Networks\":[" x "]}}"
#define NETCREATE	"/v1.41/networks/create"

#define CPROXY		"\"containersProxy\":{\"locked\":true,\"mode\":\"manual\"," \
			"\"http\":\"\",\"https\":\"\",\"exclude\":[],\"transparentPorts\":\"*\"}"
/* ECI off, containersProxy on, two allowed resolvers. */
#define EGRESS_POLICY	"{\"configurationFileVersion\":2," CPROXY "," \
			"\"dockward\":{\"egress\":{\"dnsServers\":[\"10.0.0.53\",\"fd00::53\"]}}}"

static const struct fake_case cases[] = {
	/* the host network, directly */
	C("run --network host", CREATE, HC("\"NetworkMode\":\"host\""), "egress.network"),
	C("run --network HOST", CREATE, HC("\"NetworkMode\":\"HOST\""), "egress.network"),
	C("top-level NetworkMode host", CREATE, "{\"Image\":\"busybox\",\"NetworkMode\":\"host\"}", "egress.network"),
	C("host network by another name", CREATE, HC("\"NetworkMode\":\"hostnet\""), "egress.network"),
	C("endpoint host", CREATE, EP("\"host\":{}"), "egress.network"),
	C("NetworkMode with a wrong type", CREATE, HC("\"NetworkMode\":1"), "request.json"),

	/* container:X followed to the end of its chain */
	C("container:X on the host network", CREATE, HC("\"NetworkMode\":\"container:hostpid\""), "egress.network"),
	C("container:X -> Y -> host", CREATE, HC("\"NetworkMode\":\"container:viavia\""), "egress.network"),
	C("container:X with host net by id", CREATE, HC("\"NetworkMode\":\"container:hostnetid\""), "egress.network"),
	C("container:X on a macvlan network", CREATE, HC("\"NetworkMode\":\"container:macctr\""), "egress.networkDriver"),
	C("container:X -> Y on macvlan", CREATE, HC("\"NetworkMode\":\"container:viamac\""), "egress.networkDriver"),
	C("container:X missing", CREATE, HC("\"NetworkMode\":\"container:nosuch\""), "egress.network"),
	C("container:X loop", CREATE, HC("\"NetworkMode\":\"container:loopa\""), "egress.network"),
	C("container:X chain too long", CREATE, HC("\"NetworkMode\":\"container:deep0\""), "egress.network"),
	C("container:X lookup fails", CREATE, HC("\"NetworkMode\":\"container:brokenctr\""), "engine.lookup"),
	C("container:ordinary", CREATE, HC("\"NetworkMode\":\"container:nsctr\""), "allow"),
	C("container:X -> ordinary", CREATE, HC("\"NetworkMode\":\"container:viapriv\""), "allow"),
	C("container:X on a user bridge", CREATE, HC("\"NetworkMode\":\"container:appctr\""), "allow"),
	/* the user-namespace rule is ECI's: joining a --userns host container's network is no egress */
	C("container:X in the host userns", CREATE, HC("\"NetworkMode\":\"container:hostuserns\""), "allow"),

	/* named networks, by driver */
	C("run --network macvlan", CREATE, HC("\"NetworkMode\":\"macnet\""), "egress.networkDriver"),
	C("run --network ipvlan", CREATE, HC("\"NetworkMode\":\"ipnet\""), "egress.networkDriver"),
	C("run --network overlay", CREATE, HC("\"NetworkMode\":\"ovnet\""), "egress.networkDriver"),
	C("run --network plugin driver", CREATE, HC("\"NetworkMode\":\"plugnet\""), "egress.networkDriver"),
	C("network without a driver", CREATE, HC("\"NetworkMode\":\"nodriver\""), "egress.networkDriver"),
	C("network that does not exist", CREATE, HC("\"NetworkMode\":\"nosuchnet\""), "egress.network"),
	C("network lookup fails", CREATE, HC("\"NetworkMode\":\"brokennet\""), "engine.lookup"),
	C("endpoint macvlan", CREATE, EP("\"macnet\":{}"), "egress.networkDriver"),
	C("endpoint bridge, mode macvlan", CREATE, "{\"Image\":\"busybox\",\"HostConfig\":{\"NetworkMode\":\"macnet\"},\"NetworkingConfig\":{\"EndpointsConfig\":{\"appnet\":{}}}}", "egress.networkDriver"),
	C("endpoint container:host", CREATE, EP("\"container:hostpid\":{}"), "egress.network"),
	C("run --network user bridge", CREATE, "{\"Image\":\"busybox\",\"HostConfig\":{\"NetworkMode\":\"appnet\"},\"NetworkingConfig\":{\"EndpointsConfig\":{\"appnet\":{}}}}", "allow"),
	C("run --network bridge named evil0", CREATE, HC("\"NetworkMode\":\"evilnet\""), "allow"),
	C("run --network none by id", CREATE, HC("\"NetworkMode\":\"nonenet\""), "allow"),
	C("run default", CREATE, "{\"Image\":\"busybox\"}", "allow"),
	C("run --network bridge", CREATE, HC("\"NetworkMode\":\"bridge\""), "allow"),
	C("run --network none", CREATE, HC("\"NetworkMode\":\"none\""), "allow"),
	C("run --network default", CREATE, HC("\"NetworkMode\":\"default\""), "allow"),
	C("ECI rules stay off", CREATE, HC("\"Privileged\":true,\"PidMode\":\"host\""), "allow"),

	/* --dns */
	C("dns not allowed", CREATE, HC("\"Dns\":[\"1.2.3.4\"]"), "egress.dns"),
	C("dns second one not allowed", CREATE, HC("\"Dns\":[\"10.0.0.53\",\"8.8.8.8\"]"), "egress.dns"),
	C("dns top level", CREATE, "{\"Image\":\"busybox\",\"Dns\":[\"1.2.3.4\"]}", "egress.dns"),
	C("dns not an address", CREATE, HC("\"Dns\":[\"10.0.0.53\\nnameserver 8.8.8.8\"]"), "egress.dns"),
	C("dns leading zero", CREATE, HC("\"Dns\":[\"10.0.0.053\"]"), "egress.dns"),
	C("dns empty", CREATE, HC("\"Dns\":[\"\"]"), "egress.dns"),
	C("dns wrong type", CREATE, HC("\"Dns\":\"10.0.0.53\""), "request.json"),
	C("dns allowed", CREATE, HC("\"Dns\":[\"10.0.0.53\"]"), "allow"),
	C("dns allowed, v4-mapped", CREATE, HC("\"Dns\":[\"::ffff:10.0.0.53\"]"), "allow"),
	C("dns allowed, v6 spelled long", CREATE, HC("\"Dns\":[\"fd00:0:0:0::53\"]"), "allow"),
	C("dns null", CREATE, HC("\"Dns\":null"), "allow"),

	/* builds */
	G("build networkmode host", "/v1.41/build?networkmode=host", "egress.network"),
	G("build networkmode container:host", "/v1.41/build?networkmode=container%3Ahostpid", "egress.network"),
	G("build networkmode macvlan", "/v1.41/build?networkmode=macnet", "egress.networkDriver"),
	G("build networkmode unknown", "/v1.41/build?networkmode=nosuchnet", "egress.network"),
	G("build networkmode twice", "/v1.41/build?networkmode=bridge&networkmode=host", "request.uri"),
	G("build BuildKit networkmode host", "/v1.41/build?version=2&networkmode=host", "egress.network"),
	G("build networkmode user bridge", "/v1.41/build?networkmode=appnet", "allow"),
	G("build networkmode default", "/v1.41/build?networkmode=default", "allow"),
	G("build networkmode none", "/v1.41/build?networkmode=none", "allow"),
	G("build networkmode empty", "/v1.41/build?networkmode=", "allow"),
	G("build", "/v1.41/build?t=x", "allow"),

	/* services */
	C("service host network", SVC, NETS("{\"Target\":\"host\"}"), "egress.network"),
	C("service host network, top level", SVC, "{\"Networks\":[{\"Target\":\"host\"}],\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}}}", "egress.network"),
	C("service overlay network", SVC, NETS("{\"Target\":\"ovnet\"}"), "egress.networkDriver"),
	C("service macvlan network, update", "/v1.41/services/abc/update?version=2", NETS("{\"Target\":\"macnet\"}"), "egress.networkDriver"),
	C("service network without a target", SVC, NETS("{}"), "allow"),
	C("service network wrong type", SVC, NETS("\"host\""), "request.json"),
	C("service dns", SVC, TT(",\"DNSConfig\":{\"Nameservers\":[\"8.8.8.8\"]}"), "egress.dns"),
	C("service dns allowed", SVC, TT(",\"DNSConfig\":{\"Nameservers\":[\"fd00::53\"]}"), "allow"),
	C("service bridge network", SVC, NETS("{\"Target\":\"appnet\"}"), "allow"),
	C("service plain", SVC, TT(""), "allow"),

	/* network create and connect */
	C("network create macvlan", NETCREATE, "{\"Name\":\"m\",\"Driver\":\"macvlan\"}", "egress.networkDriver"),
	C("network create ipvlan", NETCREATE, "{\"Name\":\"i\",\"Driver\":\"ipvlan\",\"Options\":{\"parent\":\"eth0\"}}", "egress.networkDriver"),
	C("network create overlay", NETCREATE, "{\"Name\":\"o\",\"Driver\":\"overlay\",\"Attachable\":true}", "egress.networkDriver"),
	C("network create plugin", NETCREATE, "{\"Name\":\"w\",\"Driver\":\"weave\"}", "egress.networkDriver"),
	C("network create host", NETCREATE, "{\"Name\":\"h\",\"Driver\":\"host\"}", "egress.networkDriver"),
	C("network create Bridge (no such driver)", NETCREATE, "{\"Name\":\"b\",\"Driver\":\"Bridge\"}", "egress.networkDriver"),
	C("network create driver twice", NETCREATE, "{\"Name\":\"b\",\"Driver\":\"bridge\",\"driver\":\"macvlan\"}", "request.json"),
	C("network create bridge", NETCREATE, "{\"Name\":\"b\",\"Driver\":\"bridge\"}", "allow"),
	C("network create bridge named evil0", NETCREATE, "{\"Name\":\"n1\",\"Driver\":\"bridge\",\"Options\":{\"com.docker.network.bridge.name\":\"evil0\"}}", "allow"),
	C("network create default driver", NETCREATE, "{\"Name\":\"d\"}", "allow"),
	C("network connect macvlan", "/v1.41/networks/macnet/connect", "{\"Container\":\"nsctr\"}", "egress.networkDriver"),
	C("network connect host", "/v1.41/networks/host/connect", "{\"Container\":\"nsctr\"}", "egress.network"),
	C("network connect unknown", "/v1.41/networks/nosuchnet/connect", "{\"Container\":\"nsctr\"}", "egress.network"),
	C("network connect lookup fails", "/v1.41/networks/brokennet/connect", "{\"Container\":\"nsctr\"}", "engine.lookup"),
	C("network connect bridge", "/v1.41/networks/appnet/connect", "{\"Container\":\"nsctr\"}", "allow"),

	/* containers made before (by an admin, or before containersProxy) */
	G("start host-network container", "/v1.41/containers/hostpid/start", "egress.network"),
	G("start container:X chain to host", "/v1.41/containers/viavia/start", "egress.network"),
	G("start container on macvlan", "/v1.41/containers/macctr/start", "egress.networkDriver"),
	G("start container connected to macvlan", "/v1.41/containers/connmacctr/start", "egress.networkDriver"),
	G("start container with --dns", "/v1.41/containers/dnsctr/start", "egress.dns"),
	G("restart host-network container", "/v1.41/containers/hostpid/restart", "egress.network"),
	C("exec into host-network container", "/v1.41/containers/hostpid/exec", "{\"Cmd\":[\"sh\"]}", "egress.network"),
	G("exec start in host-network container", "/v1.41/exec/exec-hostpid/start", "egress.network"),
	G("exec start, lookup fails", "/v1.41/exec/brokenexec/start", "engine.lookup"),
	G("attach to host-network container", "/v1.41/containers/hostpid/attach?stream=1", "egress.network"),
	G("start, lookup fails", "/v1.41/containers/brokenctr/start", "engine.lookup"),
	G("start container on a user bridge", "/v1.41/containers/appctr/start", "allow"),
	G("start ordinary container", "/v1.41/containers/nsctr/start", "allow"),
	G("start missing container", "/v1.41/containers/nosuch/start", "allow"),
	G("exec start in ordinary container", "/v1.41/exec/exec-nsctr/start", "allow"),
	{ "start with a HostConfig body (API 1.23)", "POST", "/v1.23/containers/nsctr/start",
	    "{\"NetworkMode\":\"host\"}", FAKE_CLEN_BODY, "container.startConfig", NULL },
};

static struct authz_facts	 facts;
static struct authz_settings	*policy;

static int
setup(void **state)
{
	(void)state;
	return fake_policy_setup(&facts, EGRESS_POLICY, &policy);
}

static int
teardown(void **state)
{
	(void)state;
	fake_policy_teardown(policy);
	return 0;
}

/* One row under EGRESS_POLICY. */
static void
test_case(void **state)
{
	const struct fake_case	*c = *state;
	struct authz_decision	 d;

	fake_run_case(policy, &facts, c, &d);
	fake_expect_rule(c->name, c->rule, &d);
}

/* A denial's message names the field, the rule and the way out. */
static void
test_messages(void **state)
{
	struct authz_decision	d;

	(void)state;
	fake_decide(policy, &facts, NULL, "POST", CREATE,
	    HC("\"NetworkMode\":\"host\""), &d);
	assert_non_null(strstr(d.msg, "(egress.network)"));
	assert_non_null(strstr(d.msg, "HostConfig.NetworkMode is the host's network"));
	assert_non_null(strstr(d.msg, "containersProxy"));
	assert_non_null(strstr(d.msg, "bridge network"));
	assert_string_equal(d.field, "HostConfig.NetworkMode");

	fake_decide(policy, &facts, NULL, "POST", CREATE,
	    HC("\"NetworkMode\":\"container:viavia\""), &d);
	assert_non_null(strstr(d.msg, "through container:viavia -> viavia"));

	fake_decide(policy, &facts, NULL, "POST", CREATE,
	    HC("\"Dns\":[\"1.2.3.4\"]"), &d);
	assert_string_equal(d.field, "HostConfig.Dns[0]");
	assert_non_null(strstr(d.msg, "allowed: 10.0.0.53, fd00::53"));
	assert_non_null(strstr(d.msg, "dockward.egress.dnsServers"));

	fake_decide(policy, &facts, NULL, "POST", NETCREATE,
	    "{\"Name\":\"o\",\"Driver\":\"overlay\"}", &d);
	assert_non_null(strstr(d.msg, "VXLAN"));
	fake_decide(policy, &facts, NULL, "POST", NETCREATE,
	    "{\"Name\":\"m\",\"Driver\":\"macvlan\"}", &d);
	assert_non_null(strstr(d.msg, "physical network"));

	fake_decide(policy, &facts, NULL, "POST", "/v1.41/containers/macctr/start",
	    NULL, &d);
	assert_non_null(strstr(d.msg, "container \"macctr\" was made with a network"));
	assert_non_null(strstr(d.msg, "recreate it on a bridge network"));

	/* No engine connection: what cannot be looked up is refused, saying so. */
	fake_decide(policy, NULL, NULL, "POST", "/v1.41/containers/macctr/start",
	    NULL, &d);
	assert_string_equal(d.rule, "engine.lookup");
	assert_non_null(strstr(d.msg, "cannot inspect container \"macctr\" to "
	    "check its network before you start it: no engine connection. Retry"));
	fake_decide(policy, NULL, NULL, "POST", "/v1.41/exec/exec-nsctr/start",
	    NULL, &d);
	assert_string_equal(d.rule, "engine.lookup");
	assert_non_null(strstr(d.msg, "cannot inspect exec instance "
	    "\"exec-nsctr\" to find its container: no engine connection"));
}

/* Without containersProxy nothing here applies; with ECI on, both rule sets hold. */
static void
test_other_policies(void **state)
{
	static const char off[] = "{\"configurationFileVersion\":2}";
	static const char eci[] = "{\"configurationFileVersion\":2," CPROXY ","
	    "\"enhancedContainerIsolation\":{\"value\":true}}";
	static const char udp_allow[] = "{\"configurationFileVersion\":2," CPROXY ","
	    "\"dockward\":{\"egress\":{\"udp\":\"allow\"}}}";
	static const char no_dns[] = "{\"configurationFileVersion\":2," CPROXY "}";
	static const struct fake_case host = C("host", CREATE, HC("\"NetworkMode\":\"host\""), "allow");
	static const struct fake_case mac = C("macvlan", NETCREATE, "{\"Name\":\"m\",\"Driver\":\"macvlan\"}", "allow");
	static const struct fake_case build = G("build host", "/v1.41/build?networkmode=host", "allow");
	static const struct fake_case dns = C("dns", CREATE, HC("\"Dns\":[\"1.2.3.4\"]"), "allow");
	static const struct fake_case start = G("start", "/v1.41/containers/hostpid/start", "allow");
	static const struct fake_case eci_host = C("eci host", CREATE, HC("\"NetworkMode\":\"host\""), "egress.network");
	static const struct fake_case eci_priv = C("eci priv", CREATE, HC("\"Privileged\":true"), "container.privileged");
	static const struct fake_case eci_mac = C("eci mac", NETCREATE, "{\"Name\":\"m\",\"Driver\":\"macvlan\",\"Options\":{\"parent\":\"eth0\"}}", "egress.networkDriver");
	static const struct fake_case none_dns = C("no resolvers", CREATE, HC("\"Dns\":[\"10.0.0.53\"]"), "egress.dns");

	(void)state;
	fake_expect_under(off, &facts, &host);
	fake_expect_under(off, &facts, &mac);
	fake_expect_under(off, &facts, &build);
	fake_expect_under(off, &facts, &dns);
	fake_expect_under(off, &facts, &start);
	fake_expect_under(eci, &facts, &eci_host);
	fake_expect_under(eci, &facts, &eci_priv);
	fake_expect_under(eci, &facts, &eci_mac);
	/* udp "allow": UDP is not policed, so no resolver is refused */
	fake_expect_under(udp_allow, &facts, &dns);
	/* no dnsServers and no defaults set by the daemon: every --dns is refused */
	fake_expect_under(no_dns, &facts, &none_dns);
}

/* The daemon's defaults replace the resolvers; a bad one changes nothing. */
static void
test_set_dns(void **state)
{
	static const char no_dns[] = "{\"configurationFileVersion\":2," CPROXY "}";
	struct authz_settings	*s;
	struct authz_decision	 d;
	struct dw_strv		 sv = { 0 };
	struct dw_err		 err;

	(void)state;
	s = authz_settings_parse(no_dns, strlen(no_dns), "<t>", &err);
	assert_non_null(s);
	assert_true(s->egress_enabled);
	assert_int_equal(s->egress_dns.n, 0);
	assert_int_equal(dw_strv_push(&sv, "192.0.2.1"), 0);
	assert_int_equal(dw_strv_push(&sv, "2001:db8::1"), 0);
	assert_int_equal(dw_strv_push(&sv, "192.0.2.1"), 0);
	assert_int_equal(authz_settings_set_egress_dns(s, &sv, &err), 0);
	assert_int_equal(s->egress_dns.n, 2);
	fake_decide(s, &facts, NULL, "POST", CREATE, HC("\"Dns\":[\"192.0.2.1\",\"2001:db8:0::1\"]"), &d);
	fake_expect_rule("defaults allowed", "allow", &d);
	fake_decide(s, &facts, NULL, "POST", CREATE, HC("\"Dns\":[\"192.0.2.2\"]"), &d);
	fake_expect_rule("other refused", "egress.dns", &d);
	assert_non_null(strstr(d.msg, "allowed: 192.0.2.1, 2001:db8::1"));

	assert_int_equal(dw_strv_push(&sv, "resolver.example"), 0);
	assert_int_equal(authz_settings_set_egress_dns(s, &sv, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "resolver.example"));
	assert_int_equal(s->egress_dns.n, 2);
	dw_strv_clear(&sv);
	assert_int_equal(authz_settings_set_egress_dns(s, &sv, &err), 0);
	assert_int_equal(s->egress_dns.n, 0);
	authz_settings_free(s);
}

int
main(void)
{
	enum { NCASES = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest	tests[NCASES + 3];

	/* One named cmocka test per table row, so failures and counts are per case. */
	fake_case_tests(tests, cases, NCASES, test_case);
	tests[NCASES] = (struct CMUnitTest)cmocka_unit_test(test_messages);
	tests[NCASES + 1] = (struct CMUnitTest)cmocka_unit_test(test_other_policies);
	tests[NCASES + 2] = (struct CMUnitTest)cmocka_unit_test(test_set_dns);
	return _cmocka_run_group_tests("authz_egress", tests, NCASES + 3,
	    setup, teardown);
}
