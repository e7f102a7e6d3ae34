/*
 * Unit tests for authz_hostconfig.c: what a HostConfig may ask for under
 * ECI (privileged, host namespaces by name or by network id, capabilities,
 * devices, security options, runtime, sysctls, cgroupns, update), with
 * allowed and denied cases, and the CgroupParent rule (issue 12, root
 * cause 2): under ECI a container may not choose its cgroup, so it cannot
 * be put inside a socket container's cgroup to pass for it.  Only "" and
 * the exact values of dockward.allowedCgroupParents pass; the same for
 * the legacy builder's ?cgroupparent=.  And the settings refuse an
 * allowed parent that names a container id.
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
#define SOCKHC(img, x)	"{\"Image\":\"" img "\",\"HostConfig\":{" x "}}"
#define ID		"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"

static const char cgroup_policy_json[] =
    "{\"configurationFileVersion\":2,"
    " \"enhancedContainerIsolation\":{\"value\":true,\"locked\":true,"
    "  \"dockerSocketMount\":{\"imageList\":{\"images\":[\"docker:cli\"]}}},"
    " \"dockward\":{\"allowedCgroupParents\":[\"/ci/jobs\",\"ci-jobs.slice\"]}}";

static const struct fake_case cases[] = {
	/* plain workloads */
	C("plain create", CREATE, "{\"Image\":\"busybox\",\"Cmd\":[\"echo\",\"hi\"]}", "allow"),
	C("create with empty HostConfig", CREATE, HC(""), "allow"),
	C("default cap add", CREATE, HC("\"CapAdd\":[\"chown\",\"CAP_NET_RAW\"]"), "allow"),
	C("allowed cap add", CREATE, HC("\"CapAdd\":\"net_admin\""), "allow"),
	C("allowed device", CREATE, HC("\"Devices\":[{\"PathOnHost\":\"/dev/fuse\",\"PathInContainer\":\"/dev/fuse\",\"CgroupPermissions\":\"rwm\"}]"), "allow"),
	C("net sysctl", CREATE, HC("\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"}"), "allow"),
	C("allowed kernel sysctl", CREATE, HC("\"Sysctls\":{\"kernel.shmmax\":\"1\"}"), "allow"),
	C("runc runtime", CREATE, HC("\"Runtime\":\"runc\""), "allow"),
	C("no-new-privileges", CREATE, HC("\"SecurityOpt\":[\"no-new-privileges\",\"apparmor=docker-default\",\"seccomp=builtin\"]"), "allow"),
	C("privileged false", CREATE, HC("\"Privileged\":false"), "allow"),

	/* privileged, namespaces, capabilities, devices, security, runtime, sysctls */
	C("privileged", CREATE, HC("\"Privileged\":true"), "container.privileged"),
	C("privileged lowercase key", CREATE, HC("\"privileged\":true"), "container.privileged"),
	C("privileged at top level (old wrapper)", CREATE, "{\"Image\":\"busybox\",\"Privileged\":true}", "container.privileged"),
	C("privileged top level beside HostConfig", CREATE, "{\"Image\":\"busybox\",\"Privileged\":true,\"HostConfig\":{}}", "container.privileged"),
	C("privileged via %2F path", "/v1.41/containers%2Fcreate", HC("\"Privileged\":true"), "container.privileged"),
	C("privileged unversioned", "/containers/create", HC("\"Privileged\":true"), "container.privileged"),
	C("privileged v1.12", "/v1.12/containers/create", HC("\"Privileged\":true"), "container.privileged"),
	C("privileged absolute-form URI", "http://docker/v1.41/containers/create?name=x", HC("\"Privileged\":true"), "container.privileged"),
	C("host pid", CREATE, HC("\"PidMode\":\"host\""), "container.namespace"),
	C("host network", CREATE, HC("\"NetworkMode\":\"host\""), "container.namespace"),
	C("host network Kelvin key", CREATE, HC("\"Networ\xe2\x84\xaaMode\":\"host\""), "container.namespace"),
	C("host network by id", CREATE, HC("\"NetworkMode\":\"hostnet\""), "container.namespace"),
	C("user network", CREATE, HC("\"NetworkMode\":\"appnet\""), "allow"),
	C("network lookup fails", CREATE, HC("\"NetworkMode\":\"brokennet\""), "engine.lookup"),
	C("host network in EndpointsConfig", CREATE, "{\"Image\":\"busybox\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"hostnet\":{}}}}", "container.namespace"),
	C("network connect to host", "/v1.41/networks/hostnet/connect", "{\"Container\":\"x\"}", "container.namespace"),
	C("network connect to app", "/v1.41/networks/appnet/connect", "{\"Container\":\"x\"}", "allow"),
	C("build on the host network", "/v1.41/build?t=x&networkmode=host", NULL, "container.namespace"),
	C("build on host network by id", "/v1.41/build?networkmode=hostnet", NULL, "container.namespace"),
	C("build default network", "/v1.41/build?t=x&networkmode=default", NULL, "allow"),
	C("host ipc", CREATE, HC("\"IpcMode\":\"host\""), "container.namespace"),
	C("host uts", CREATE, HC("\"UTSMode\":\"host\""), "container.namespace"),
	C("host userns", CREATE, HC("\"UsernsMode\":\"host\""), "container.namespace"),
	C("host cgroupns", CREATE, HC("\"CgroupnsMode\":\"HOST\""), "container.namespace"),
	C("cap SYS_ADMIN", CREATE, HC("\"CapAdd\":[\"SYS_ADMIN\"]"), "container.capabilities"),
	C("cap ALL as string", CREATE, HC("\"CapAdd\":\"ALL\""), "container.capabilities"),
	C("cap cap_sys_module", CREATE, HC("\"CapAdd\":[\"cap_sys_module\"]"), "container.capabilities"),
	C("device mem", CREATE, HC("\"Devices\":[{\"PathOnHost\":\"/dev/mem\",\"PathInContainer\":\"/dev/mem\"}]"), "container.devices"),
	C("device cgroup rule", CREATE, HC("\"DeviceCgroupRules\":[\"c 1:1 rwm\"]"), "container.devices"),
	C("device requests", CREATE, HC("\"DeviceRequests\":[{\"Driver\":\"nvidia\",\"Count\":-1}]"), "container.devices"),
	C("seccomp unconfined", CREATE, HC("\"SecurityOpt\":[\"seccomp=unconfined\"]"), "container.securityOpt"),
	C("seccomp colon form", CREATE, HC("\"SecurityOpt\":[\"seccomp:unconfined\"]"), "container.securityOpt"),
	C("custom seccomp profile", CREATE, HC("\"SecurityOpt\":[\"seccomp={\\\"defaultAction\\\":\\\"SCMP_ACT_ALLOW\\\"}\"]"), "container.securityOpt"),
	C("apparmor unconfined", CREATE, HC("\"SecurityOpt\":[\"apparmor=unconfined\"]"), "container.securityOpt"),
	C("label disable", CREATE, HC("\"SecurityOpt\":[\"label=disable\"]"), "container.securityOpt"),
	C("bare disable", CREATE, HC("\"SecurityOpt\":[\"disable\"]"), "container.securityOpt"),
	C("label spc_t", CREATE, HC("\"SecurityOpt\":[\"label=type:spc_t\"]"), "container.securityOpt"),
	C("unknown security opt", CREATE, HC("\"SecurityOpt\":[\"bogus=1\"]"), "container.securityOpt"),
	C("systempaths unconfined", CREATE, HC("\"MaskedPaths\":[],\"ReadonlyPaths\":[]"), "container.securityOpt"),
	C("other runtime", CREATE, HC("\"Runtime\":\"io.containerd.runtime.v1.linux\""), "container.runtime"),
	C("kernel sysctl", CREATE, HC("\"Sysctls\":{\"kernel.core_pattern\":\"|/x\"}"), "container.sysctls"),
	C("kernel sysctl near an IPC one", CREATE, HC("\"Sysctls\":{\"kernel.shmmax2\":\"1\"}"), "container.sysctls"),
	C("IPC sysctl, other case", CREATE, HC("\"Sysctls\":{\"Kernel.msgmax\":\"1\"}"), "container.sysctls"),
	C("kernel.domainname sysctl", CREATE, HC("\"Sysctls\":{\"kernel.domainname\":\"x\"}"), "container.sysctls"),

	/* IPC and network sysctls in the namespace actually joined (issue 12) */
	C("IPC sysctl kernel.msgmax, private ipc", CREATE, HC("\"Sysctls\":{\"kernel.msgmax\":\"65536\"}"), "allow"),
	C("IPC sysctls shm/sem, --ipc private", CREATE, HC("\"IpcMode\":\"private\",\"Sysctls\":{\"kernel.shmall\":\"1\",\"kernel.sem\":\"1 2 3 4\",\"kernel.shm_rmid_forced\":\"1\",\"kernel.msgmnb\":\"1\",\"kernel.msgmni\":\"1\",\"kernel.shmmni\":\"1\"}"), "allow"),
	C("mqueue sysctl, --ipc shareable", CREATE, HC("\"IpcMode\":\"shareable\",\"Sysctls\":{\"fs.mqueue.msg_max\":\"64\"}"), "allow"),
	C("mqueue sysctl, --ipc host", CREATE, HC("\"IpcMode\":\"host\",\"Sysctls\":{\"fs.mqueue.msg_max\":\"64\"}"), "container.namespace"),

	/* --cgroupns host is dockerd's default on cgroup v1 (see test_cgroupns_host) */
	C("cgroupns host on cgroup v1", CREATE, HC("\"CgroupnsMode\":\"host\""), "allow"),
	C("cgroupns private", CREATE, HC("\"CgroupnsMode\":\"private\""), "allow"),

	/* sysctls outside a namespace the container owns */
	C("vm sysctl", CREATE, HC("\"Sysctls\":{\"vm.swappiness\":\"1\"}"), "container.sysctls"),

	/* an image allowed the Docker socket is not allowed more */
	C("allowed image still not privileged", CREATE, SOCKHC("docker:cli", "\"Privileged\":true"), "container.privileged"),

	/* the request model, as these rules read HostConfig */
	C("duplicate folded key", CREATE, HC("\"Privileged\":false,\"privileged\":true"), "request.json"),
	C("privileged as string", CREATE, HC("\"Privileged\":\"true\""), "request.json"),

	/* update */
	C("update memory", "/v1.41/containers/abc/update", "{\"Memory\":1048576}", "allow"),
	C("update devices", "/v1.41/containers/abc/update", "{\"Devices\":[{\"PathOnHost\":\"/dev/sda\"}]}", "container.devices"),
};

struct ccase {
	const char	*name;
	const char	*uri;
	const char	*body;		/* NULL: no body */
	const char	*rule;		/* "allow" or the rule id */
	const char	*field;		/* the field a deny names, or NULL */
};

static const struct ccase cgroup_cases[] = {
	/* What compose, Testcontainers and the CLI send without the flag. */
	{ "no CgroupParent", CREATE, HC(""), "allow", NULL },
	{ "empty CgroupParent", CREATE, HC("\"CgroupParent\":\"\""), "allow", NULL },
	{ "null CgroupParent", CREATE, HC("\"CgroupParent\":null"), "allow", NULL },
	{ "allowed cgroupfs parent", CREATE, HC("\"CgroupParent\":\"/ci/jobs\""),
	    "allow", NULL },
	{ "allowed systemd slice", CREATE, HC("\"CgroupParent\":\"ci-jobs.slice\""),
	    "allow", NULL },
	{ "build without cgroupparent", "/v1.41/build?t=x", NULL, "allow", NULL },
	{ "build with an allowed parent", "/v1.41/build?cgroupparent=/ci/jobs",
	    NULL, "allow", NULL },

	/* The attack layouts: inside another container's cgroup. */
	{ "under a container (cgroupfs)", CREATE,
	    HC("\"CgroupParent\":\"/docker/" ID "\""), "container.cgroupParent",
	    "HostConfig.CgroupParent" },
	{ "under a container elsewhere", CREATE,
	    HC("\"CgroupParent\":\"/x/" ID "\""), "container.cgroupParent",
	    "HostConfig.CgroupParent" },
	{ "under a container's scope (systemd)", CREATE,
	    HC("\"CgroupParent\":\"/system.slice/docker-" ID ".scope\""),
	    "container.cgroupParent", "HostConfig.CgroupParent" },
	{ "docker's own parent", CREATE, HC("\"CgroupParent\":\"/docker\""),
	    "container.cgroupParent", "HostConfig.CgroupParent" },
	{ "the root cgroup", CREATE, HC("\"CgroupParent\":\"/\""),
	    "container.cgroupParent", "HostConfig.CgroupParent" },
	{ "a prefix of an allowed parent is not allowed", CREATE,
	    HC("\"CgroupParent\":\"/ci\""), "container.cgroupParent",
	    "HostConfig.CgroupParent" },
	{ "below an allowed parent is not allowed", CREATE,
	    HC("\"CgroupParent\":\"/ci/jobs/" ID "\""), "container.cgroupParent",
	    "HostConfig.CgroupParent" },
	{ "top level of an old create body", CREATE,
	    "{\"Image\":\"busybox\",\"CgroupParent\":\"/docker/" ID "\"}",
	    "container.cgroupParent", "CgroupParent" },
	{ "not a string", CREATE, HC("\"CgroupParent\":7"), "request.json", NULL },
	{ "legacy build in a container's cgroup",
	    "/v1.41/build?cgroupparent=/docker/" ID, NULL,
	    "container.cgroupParent", "cgroupparent" },
	{ "cgroupparent given twice", "/v1.41/build?cgroupparent=/ci/jobs&"
	    "cgroupparent=/docker/" ID, NULL, "request.uri", NULL },
};

static struct authz_facts	facts;
static struct authz_settings	*policy;
static struct authz_settings	*cgroup_policy;

static int
group_setup(void **state)
{
	struct dw_err	err;

	if (fake_policy_setup(&facts, FAKE_RULES_POLICY, &policy) < 0)
		return -1;
	cgroup_policy = authz_settings_parse(cgroup_policy_json, strlen(cgroup_policy_json),
	    "<test>", &err);
	if (cgroup_policy == NULL) {
		fprintf(stderr, "policy: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	authz_settings_free(cgroup_policy);
	fake_policy_teardown(policy);
	return 0;
}

/* Run one case against s and return the decision. */
static void
run_case(const struct authz_settings *s, const struct fake_case *c,
    struct authz_decision *d)
{
	fake_run_case(s, &facts, c, d);
}

/* One table case: the expected rule, and a self-explaining message. */
static void
test_rule_case(void **state)
{
	const struct fake_case	*c = *state;
	struct authz_decision	 d;

	run_case(policy, c, &d);
	fake_expect_rule(c->name, c->rule, &d);
}

/* Messages name the offending field and the fix. */
static void
test_messages(void **state)
{
	static const struct fake_case priv =
	    C("m", CREATE, HC("\"Privileged\":true"), "container.privileged");
	struct authz_decision	d;

	run_case(policy, &priv, &d);
	assert_string_equal(d.field, "HostConfig.Privileged");
	assert_non_null(strstr(d.msg, "dockward: container create denied (container.privileged)"));
	assert_non_null(strstr(d.msg, "--privileged"));
}

/*
 * --cgroupns host is dockerd's default only on cgroup v1: refused on v2,
 * and when the host's cgroup version is not known.
 */
static void
test_cgroupns_host(void **state)
{
	static const struct fake_case cg =
	    C("c", CREATE, HC("\"CgroupnsMode\":\"host\""), "container.namespace");
	struct authz_decision	d;
	int			(*saved)(void *) = facts.cgroup_v1;

	fake_cgroup_v1_answer = 0;
	run_case(policy, &cg, &d);
	fake_expect_rule("cgroup v2", "container.namespace", &d);
	fake_cgroup_v1_answer = -EIO;
	run_case(policy, &cg, &d);
	fake_expect_rule("cgroup unknown", "container.namespace", &d);
	fake_cgroup_v1_answer = 1;
	facts.cgroup_v1 = NULL;
	run_case(policy, &cg, &d);
	fake_expect_rule("no cgroup fact", "container.namespace", &d);
	facts.cgroup_v1 = saved;
	run_case(policy, &cg, &d);
	fake_expect_rule("cgroup v1", "allow", &d);
}

static void
cgroup_run(const struct authz_settings *s, const struct ccase *c,
    struct authz_decision *d)
{
	struct authz_request	 req;
	struct authz_uri		*uri = NULL;
	struct dw_err		 err;

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.raw_uri = c->uri;
	assert_int_equal(authz_uri_parse("POST", c->uri, &uri, &err), 0);
	req.uri = uri;
	if (c->body != NULL) {
		req.body = (const unsigned char *)c->body;
		req.body_len = strlen(c->body);
		req.content_type = "application/json";
	}
	req.content_length = (long long)req.body_len;
	authz_decide(s, &facts, &req, d);
	authz_uri_free(uri);
}

static void
test_cgroup_cases(void **state)
{
	struct authz_decision	d;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cgroup_cases) / sizeof(cgroup_cases[0]); i++) {
		const struct ccase *c = &cgroup_cases[i];

		cgroup_run(cgroup_policy, c, &d);
		fake_expect_rule(c->name, c->rule, &d);
		if (c->field != NULL && strcmp(d.field, c->field) != 0)
			fail_msg("%s: field \"%s\", want \"%s\"", c->name,
			    d.field, c->field);
	}
}

/* The message names the rule, the value and both ways out. */
static void
test_cgroup_message(void **state)
{
	struct authz_decision	d;

	(void)state;
	cgroup_run(cgroup_policy, &cgroup_cases[7], &d);
	assert_non_null(strstr(d.msg, "(container.cgroupParent)"));
	assert_non_null(strstr(d.msg, "/docker/" ID));
	assert_non_null(strstr(d.msg, "Remove --cgroup-parent"));
	assert_non_null(strstr(d.msg, "dockward.allowedCgroupParents"));
}

/* With ECI off the rule is off, like the other container rules. */
static void
test_cgroup_eci_off(void **state)
{
	static const char off[] = "{\"configurationFileVersion\":2,"
	    "\"enhancedContainerIsolation\":{\"value\":false}}";
	struct authz_settings	*s;
	struct authz_decision	 d;
	struct dw_err		 err;

	(void)state;
	assert_non_null(s = authz_settings_parse(off, strlen(off), "<off>", &err));
	cgroup_run(s, &cgroup_cases[7], &d);
	fake_expect_rule("ECI off", "allow", &d);
	authz_settings_free(s);
}

/* Settings: an allowed parent naming a container id does not load. */
static void
test_cgroup_settings(void **state)
{
	static const char *const bad[] = {
		"{\"configurationFileVersion\":2,\"dockward\":{\"allowedCgroupParents\":[\"/docker/" ID "\"]}}",
		"{\"configurationFileVersion\":2,\"dockward\":{\"allowedCgroupParents\":[\"docker-" ID ".scope\"]}}",
		"{\"configurationFileVersion\":2,\"dockward\":{\"allowedCgroupParents\":[\"/x/" ID "/y\"]}}",
		"{\"configurationFileVersion\":2,\"dockward\":{\"allowedCgroupParents\":[\"\"]}}",
		"{\"configurationFileVersion\":2,\"dockward\":{\"allowedCgroupParents\":[\"a b\"]}}",
		"{\"configurationFileVersion\":2,\"dockward\":{\"allowedCgroupParents\":\"/ci\"}}",
	};
	static const char good[] =
	    "{\"configurationFileVersion\":2,\"dockward\":{\"allowedCgroupParents\":[\"/ci/jobs\",\"x-y.slice\"]}}";
	struct authz_settings	*s;
	struct dw_err		 err;
	char			*text = NULL;
	size_t			 i, len = 0;
	FILE			*f;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		s = authz_settings_parse(bad[i], strlen(bad[i]), "<bad>", &err);
		if (s != NULL)
			fail_msg("loaded: %s", bad[i]);
		assert_non_null(strstr(err.msg, "dockward.allowedCgroupParents"));
	}
	assert_non_null(s = authz_settings_parse(good, strlen(good), "<good>",
	    &err));
	assert_int_equal(s->allowed_cgroup_parents.n, 2);
	assert_non_null(f = open_memstream(&text, &len));
	authz_settings_print(s, f);
	fclose(f);
	assert_non_null(strstr(text, "allowed cgroup parents: 2\n  /ci/jobs\n"));
	free(text);
	authz_settings_free(s);
}

/*
 * A top level of container.Config's fields only skips the read for host
 * settings there (authz_json_create_config_only): such a top level of 16
 * members or more (what docker run sends) with any one host setting
 * added, in any spelling Go matches, is still judged as the same setting
 * in a small body, which is read member by member.  And the skip's
 * premise: no rule reads a Config field as a host setting, so a small
 * body giving each of them a hostile object value is allowed (a rule
 * that read one would refuse its type, or the settings inside).
 */
#define CONFIG_TOP \
	"\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false," \
	"\"AttachStdout\":true,\"AttachStderr\":true,\"ExposedPorts\":{},\"Tty\":false," \
	"\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"A=1\"],\"Cmd\":[\"true\"]," \
	"\"Healthcheck\":null,\"ArgsEscaped\":false,\"Image\":\"busybox\",\"Volumes\":{}," \
	"\"WorkingDir\":\"\",\"Entrypoint\":null,\"NetworkDisabled\":false," \
	"\"MacAddress\":\"\",\"OnBuild\":null,\"Labels\":{},\"StopSignal\":\"\"," \
	"\"StopTimeout\":null,\"Shell\":null,\"HostConfig\":{},\"NetworkingConfig\":{}"

static void
test_config_top_level(void **state)
{
	static const char *const host[] = {
		"\"Privileged\":true",
		"\"pRIVILEGED\":true",
		"\"PidMode\":\"host\"",
		"\"NetworkMode\":\"host\"",
		"\"UsernsMode\":\"host\"",
		"\"CapAdd\":[\"SYS_ADMIN\"]",
		"\"ſecurityOpt\":[\"seccomp=unconfined\"]",
		"\"Binds\":[\"/etc:/h\"]",
		"\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/h\"}]",
		"\"Devices\":[{\"PathOnHost\":\"/dev/mem\",\"PathInContainer\":\"/dev/mem\","
		    "\"CgroupPermissions\":\"rwm\"}]",
		"\"CgroupParent\":\"/docker/" ID "\"",
		"\"Runtime\":\"other\"",
		"\"Sysctls\":{\"kernel.core_pattern\":\"|/x\"}",
		"\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\"unix:///run/x.sock\"}}",
		/* Config's fields twice: the table cannot tell, so read as before. */
		"\"image\":\"busybox\",\"Privileged\":true",
		"\"Cpuset\":\"0\",\"Privileged\":true",
	};
	static const char *const config[] = {
		"Hostname", "Domainname", "User", "AttachStdin", "AttachStdout",
		"AttachStderr", "ExposedPorts", "Tty", "OpenStdin", "StdinOnce", "Env",
		"Cmd", "Healthcheck", "ArgsEscaped", "Volumes", "WorkingDir",
		"Entrypoint", "NetworkDisabled", "MacAddress", "OnBuild", "Labels",
		"StopSignal", "StopTimeout", "Shell",
	};
	struct fake_case	big = C("big", CREATE, NULL, "allow");
	struct fake_case	small = C("small", CREATE, NULL, "allow");
	struct authz_decision	d, ds;
	char			b1[4096], b2[1024];
	size_t			i;

	(void)state;
	big.body = "{" CONFIG_TOP "}";
	run_case(policy, &big, &d);
	fake_expect_rule("Config's fields only", "allow", &d);
	for (i = 0; i < sizeof(host) / sizeof(host[0]); i++) {
		snprintf(b1, sizeof(b1), "{" CONFIG_TOP ",%s}", host[i]);
		snprintf(b2, sizeof(b2), "{\"Image\":\"busybox\",%s}", host[i]);
		big.body = b1;
		small.body = b2;
		run_case(policy, &small, &ds);
		if (ds.verdict != AUTHZ_DENY)
			fail_msg("small body with %s: allowed", host[i]);
		run_case(policy, &big, &d);
		if (d.verdict != AUTHZ_DENY || strcmp(d.rule, ds.rule) != 0)
			fail_msg("Config's fields and %s: want %s, got %s: %s", host[i],
			    ds.rule, d.verdict == AUTHZ_DENY ? d.rule : "allow", d.msg);
		/* First, last and in between: a member's place does not matter. */
		snprintf(b1, sizeof(b1), "{%s," CONFIG_TOP "}", host[i]);
		run_case(policy, &big, &d);
		if (d.verdict != AUTHZ_DENY || strcmp(d.rule, ds.rule) != 0)
			fail_msg("%s first: want %s", host[i], ds.rule);
	}
	for (i = 0; i < sizeof(config) / sizeof(config[0]); i++) {
		snprintf(b2, sizeof(b2), "{\"Image\":\"busybox\",\"%s\":{\"Privileged\":true,"
		    "\"Binds\":[\"/:/h\"],\"PidMode\":\"host\",\"CapAdd\":7}}", config[i]);
		small.body = b2;
		run_case(policy, &small, &d);
		if (d.verdict != AUTHZ_ALLOW)
			fail_msg("a rule reads Config field %s: %s", config[i], d.msg);
	}
}

int
main(void)
{
	enum { NCASES = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest	tests[NCASES + 7];

	/* One named cmocka test per table row, so failures and counts are per case. */
	fake_case_tests(tests, cases, NCASES, test_rule_case);
	tests[NCASES] = (struct CMUnitTest)cmocka_unit_test(test_messages);
	tests[NCASES + 1] = (struct CMUnitTest)cmocka_unit_test(test_cgroupns_host);
	tests[NCASES + 2] = (struct CMUnitTest)cmocka_unit_test(test_cgroup_cases);
	tests[NCASES + 3] = (struct CMUnitTest)cmocka_unit_test(test_cgroup_message);
	tests[NCASES + 4] = (struct CMUnitTest)cmocka_unit_test(test_cgroup_eci_off);
	tests[NCASES + 5] = (struct CMUnitTest)cmocka_unit_test(test_cgroup_settings);
	tests[NCASES + 6] = (struct CMUnitTest)cmocka_unit_test(test_config_top_level);
	return _cmocka_run_group_tests("authz_hostconfig", tests, NCASES + 7,
	    group_setup, group_teardown);
}
