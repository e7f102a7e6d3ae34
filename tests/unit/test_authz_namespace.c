/*
 * Unit tests for authz_namespace.c: container:X namespace modes followed
 * to X and through chains of them (issue 12, root cause 3), the IPC and
 * network sysctls of a joined namespace, renames, log drivers that make
 * dockerd dial a unix socket and networks bound to host interfaces
 * (root cause 9).
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
#define CREATE		"/v1.41/containers/create"
#define HC(x)		"{\"Image\":\"busybox\",\"HostConfig\":{" x "}}"

static const struct fake_case cases[] = {
	/* joining an ordinary container's namespace */
	C("bridge network", CREATE, HC("\"NetworkMode\":\"bridge\",\"PidMode\":\"container:nsctr\""), "allow"),

	/* IPC and network sysctls in the namespace actually joined (issue 12) */
	C("mqueue sysctl, --ipc container:ordinary", CREATE, HC("\"IpcMode\":\"container:nsctr\",\"Sysctls\":{\"fs.mqueue.msg_max\":\"64\"}"), "allow"),
	C("mqueue sysctl, --ipc container:hostpid", CREATE, HC("\"IpcMode\":\"container:hostpid\",\"Sysctls\":{\"fs.mqueue.msg_max\":\"64\"}"), "container.namespace"),
	C("net sysctl, --net container:ordinary", CREATE, HC("\"NetworkMode\":\"container:nsctr\",\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"}"), "allow"),
	C("net sysctl, --net container:hostpid", CREATE, HC("\"NetworkMode\":\"container:hostpid\",\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"}"), "container.namespace"),

	/* container:X modes followed to X (issue 12, root cause 3) */
	C("pid container:hostpid", CREATE, HC("\"PidMode\":\"container:hostpid\""), "container.namespace"),
	C("net container:hostpid", CREATE, HC("\"NetworkMode\":\"container:hostpid\""), "container.namespace"),
	C("ipc container:hostpid", CREATE, HC("\"IpcMode\":\"container:hostpid\""), "container.namespace"),
	C("pid container:hostpid, top level", CREATE, "{\"Image\":\"busybox\",\"PidMode\":\"container:hostpid\"}", "container.namespace"),
	C("pid chain X->Y->host", CREATE, HC("\"PidMode\":\"container:viavia\""), "container.namespace"),
	C("net chain X->Y->host", CREATE, HC("\"NetworkMode\":\"container:viavia\""), "container.namespace"),
	C("ipc chain X->Y->host", CREATE, HC("\"IpcMode\":\"container:viavia\""), "container.namespace"),
	C("pid by id prefix", CREATE, HC("\"PidMode\":\"container:0123abc\""), "container.namespace"),
	C("net to container on host net by id", CREATE, HC("\"NetworkMode\":\"container:hostnetid\""), "container.namespace"),
	C("pid to a host-userns container", CREATE, HC("\"PidMode\":\"container:hostuserns\""), "container.namespace"),
	C("pid loop", CREATE, HC("\"PidMode\":\"container:loopa\""), "container.namespace"),
	C("pid chain too long", CREATE, HC("\"PidMode\":\"container:deep0\""), "container.namespace"),
	C("pid chain long but short enough", CREATE, HC("\"PidMode\":\"container:deep6\""), "container.namespace"),
	C("pid container missing", CREATE, HC("\"PidMode\":\"container:nosuch\""), "container.namespace"),
	C("pid container name too long", CREATE, HC("\"PidMode\":\"container:hostpid"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""), "container.namespace"),
	C("pid container empty name", CREATE, HC("\"PidMode\":\"container:\""), "container.namespace"),
	C("pid container lookup fails", CREATE, HC("\"PidMode\":\"container:brokenctr\""), "engine.lookup"),
	C("pid chain lookup fails", CREATE, HC("\"PidMode\":\"container:brokenchain\""), "engine.lookup"),
	C("pid container:ordinary", CREATE, HC("\"PidMode\":\"container:nsctr\""), "allow"),
	C("net container:ordinary", CREATE, HC("\"NetworkMode\":\"container:nsctr\""), "allow"),
	C("ipc container:ordinary", CREATE, HC("\"IpcMode\":\"container:nsctr\""), "allow"),
	C("chain to ordinary", CREATE, HC("\"PidMode\":\"container:viapriv\",\"NetworkMode\":\"container:viapriv\",\"IpcMode\":\"container:viapriv\""), "allow"),
	C("build networkmode container:hostpid", "/v1.41/build?networkmode=container:hostpid", NULL, "container.namespace"),
	C("build networkmode container chain", "/v1.41/build?networkmode=container%3Aviavia", NULL, "container.namespace"),
	C("build networkmode container:ordinary", "/v1.41/build?networkmode=container:nsctr", NULL, "allow"),
	C("endpoint named container:hostpid", CREATE, "{\"Image\":\"busybox\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"container:hostpid\":{}}}}", "container.namespace"),
	C("rename of a host-namespace container", "/v1.41/containers/hostpid/rename?name=nsctr", NULL, "container.namespace"),
	C("rename of a host-userns container", "/v1.41/containers/hostuserns/rename?name=x", NULL, "container.namespace"),
	C("rename of an ordinary container", "/v1.41/containers/nsctr/rename?name=x", NULL, "allow"),
	C("rename lookup fails", "/v1.41/containers/brokenctr/rename?name=x", NULL, "engine.lookup"),
	C("rename of a container joining the host's", "/v1.41/containers/viavia/rename?name=x", NULL, "container.namespace"),

	/* log drivers that make dockerd dial a unix socket (issue 12, root cause 9) */
	C("syslog unix address", CREATE, HC("\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\"unix:///run/containerd/containerd.sock\"}}"), "container.logDriver"),
	C("syslog unixgram address", CREATE, HC("\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\"unixgram:///dev/log\"}}"), "container.logDriver"),
	C("syslog UNIX address", CREATE, HC("\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\" UNIX:///run/x.sock\"}}"), "container.logDriver"),
	C("fluentd unix address", CREATE, HC("\"logconfig\":{\"type\":\"fluentd\",\"config\":{\"fluentd-address\":\"unix:///var/run/docker.sock\"}}"), "container.logDriver"),
	C("log config at top level", CREATE, "{\"Image\":\"busybox\",\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\"unix:///x\"}}}", "container.logDriver"),
	C("log config non-string option", CREATE, HC("\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":1}}"), "request.json"),
	C("syslog udp address", CREATE, HC("\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\"udp://127.0.0.1:514\"}}"), "allow"),
	C("json-file options", CREATE, HC("\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{\"max-size\":\"10m\"}}"), "allow"),

	/* networks bound to host interfaces (issue 12, root cause 9) */
	C("bridge.name of a host interface", "/v1.41/networks/create", "{\"Name\":\"n\",\"Driver\":\"bridge\",\"Options\":{\"com.docker.network.bridge.name\":\"br0\"}}", "network.hostInterface"),
	C("bridge.name eth0, key in other case", "/v1.41/networks/create", "{\"Name\":\"n\",\"Options\":{\"COM.docker.network.bridge.name\":\"eth0\"}}", "network.hostInterface"),
	C("bridge.name docker0", "/v1.41/networks/create", "{\"Name\":\"n\",\"Options\":{\"com.docker.network.bridge.name\":\"docker0\"}}", "network.hostInterface"),
	C("bridge.name in Labels", "/v1.41/networks/create", "{\"Name\":\"n\",\"Labels\":{\"com.docker.network.bridge.name\":\"lo\"}}", "network.hostInterface"),
	C("default_bridge option", "/v1.41/networks/create", "{\"Name\":\"n\",\"Options\":{\"com.docker.network.bridge.default_bridge\":\"true\"}}", "network.hostInterface"),
	C("macvlan parent", "/v1.41/networks/create", "{\"Name\":\"n\",\"Driver\":\"macvlan\",\"Options\":{\"parent\":\"eth0\"}}", "network.hostInterface"),
	C("ipvlan parent vlan", "/v1.41/networks/create", "{\"Name\":\"n\",\"Driver\":\"ipvlan\",\"Options\":{\"parent\":\"eth0.10\"}}", "network.hostInterface"),
	C("network options not strings", "/v1.41/networks/create", "{\"Name\":\"n\",\"Options\":{\"parent\":1}}", "request.json"),
	C("bridge.name new", "/v1.41/networks/create", "{\"Name\":\"n\",\"Driver\":\"bridge\",\"Options\":{\"com.docker.network.bridge.name\":\"br-mine\",\"com.docker.network.driver.mtu\":\"1400\"}}", "allow"),
	C("plain network create", "/v1.41/networks/create", "{\"Name\":\"n\",\"Driver\":\"bridge\"}", "allow"),
};

/* A chain's denial names every link and the fix. */
static void
test_chain_messages(void **state)
{
	static const struct fake_case chain =
	    C("m", CREATE, HC("\"PidMode\":\"container:viavia\""), "container.namespace");
	static const struct fake_case mq =
	    C("m", CREATE, HC("\"IpcMode\":\"container:hostpid\",\"Sysctls\":{\"fs.mqueue.msg_max\":\"64\"}"), "container.namespace");
	static const struct fake_case missing =
	    C("m", CREATE, HC("\"PidMode\":\"container:nosuch\""), "container.namespace");
	static const struct fake_case loop =
	    C("m", CREATE, HC("\"PidMode\":\"container:loopa\""), "container.namespace");
	static const struct fake_case deep =
	    C("m", CREATE, HC("\"PidMode\":\"container:deep0\""), "container.namespace");
	static const struct fake_case userns =
	    C("m", CREATE, HC("\"NetworkMode\":\"container:hostuserns\""), "container.namespace");
	static const struct fake_case toolong =
	    C("m", CREATE, HC("\"PidMode\":\"container:hostpid"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""), "container.namespace");
	struct authz_decision	d;

	fake_rules_run(fake_rules_policy, &chain, &d);
	fake_expect_rule("chain", "container.namespace", &d);
	assert_string_equal(d.field, "HostConfig.PidMode");
	assert_non_null(strstr(d.msg, "container:viavia -> viavia (PidMode "
	    "container:viahost) -> viahost (PidMode container:hostpid) -> hostpid "
	    "(PidMode host)"));
	assert_non_null(strstr(d.msg, "host's PID namespace"));
	assert_non_null(strstr(d.msg, "Remove --pid container:viavia"));
	fake_rules_run(fake_rules_policy, &mq, &d);
	assert_string_equal(d.field, "HostConfig.IpcMode");
	assert_non_null(strstr(d.msg, "--ipc container:hostpid"));
	fake_rules_run(fake_rules_policy, &missing, &d);
	fake_expect_rule("missing", "container.namespace", &d);
	assert_non_null(strstr(d.msg, "does not exist"));
	assert_non_null(strstr(d.msg, "Create \"nosuch\" first"));
	fake_rules_run(fake_rules_policy, &loop, &d);
	assert_non_null(strstr(d.msg, "loop"));
	fake_rules_run(fake_rules_policy, &deep, &d);
	assert_non_null(strstr(d.msg, "more than 8 containers"));
	fake_rules_run(fake_rules_policy, &userns, &d);
	assert_non_null(strstr(d.msg, "host's user namespace"));
	fake_rules_run(fake_rules_policy, &toolong, &d);
	assert_non_null(strstr(d.msg, "longer than dockward follows"));
}

/* Without the host-interface fact, a bridge name cannot be judged: refused. */
static void
test_bridge_name_unknown(void **state)
{
	static const struct fake_case br =
	    C("b", "/v1.41/networks/create", "{\"Name\":\"n\",\"Options\":{\"com.docker.network.bridge.name\":\"br-new\"}}", "network.hostInterface");
	struct authz_decision	d;
	int			(*saved)(void *, const char *) = fake_rules_facts.host_interface;

	fake_rules_facts.host_interface = NULL;
	fake_rules_run(fake_rules_policy, &br, &d);
	fake_rules_facts.host_interface = saved;
	fake_expect_rule("no interface fact", "network.hostInterface", &d);
	fake_rules_run(fake_rules_policy, &br, &d);
	fake_expect_rule("new bridge name", "allow", &d);
}

int
main(void)
{
	enum { NCASES = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest	tests[NCASES + 2];

	/* One named cmocka test per table row, so failures and counts are per case. */
	fake_case_tests(tests, cases, NCASES, fake_rules_test_case);
	tests[NCASES] = (struct CMUnitTest)cmocka_unit_test(test_chain_messages);
	tests[NCASES + 1] = (struct CMUnitTest)cmocka_unit_test(test_bridge_name_unknown);
	return _cmocka_run_group_tests("authz_namespace", tests, NCASES + 2,
	    fake_rules_setup, fake_rules_teardown);
}
