/*
 * Unit tests for authz_existing.c: existing containers are judged again
 * by their stored settings before exec, attach, cp, export, commit, start
 * and restart; those whose namespaces lead to the host's are not entered
 * or started.
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

static const char policy_json[] =
    "{\"configurationFileVersion\":2,"
    " \"enhancedContainerIsolation\":{\"value\":true,\"locked\":true,"
    "  \"dockerSocketMount\":{\"imageList\":{\"images\":[\"docker:cli\"]}}}}";

static struct authz_facts	facts;
static struct authz_settings	*policy;
static struct authz_settings	*rules_policy;	/* FAKE_RULES_POLICY, for rule_cases */

struct rcase {
	const char	*name;
	const char	*method;
	const char	*uri;
	const char	*body;		/* template with @T@, NULL = no body */
	const char	*rule;		/* expected rule id, "allow" for allowed */
};

#define V		"/v1.41"
#define CREATE		V "/containers/create"
#define HC(x)		"{\"Image\":\"busybox\",\"HostConfig\":{" x "}}"
#define EXEC		"{\"Cmd\":[\"sh\"]}"
#define EXISTING	"container.existing"
#define C(n, u, b, r)	FAKE_POST(n, u, b, r)

static const struct rcase cases[] = {
	/* ordinary containers keep working (dockerd's stored defaults included) */
	{ "exec ordinary", "POST", V "/containers/okctr/exec", EXEC, "allow" },
	{ "exec start ordinary", "POST", V "/exec/exec-okctr/start", "{}", "allow" },
	{ "attach ordinary", "POST", V "/containers/okctr/attach?stream=1", NULL, "allow" },
	{ "cp from ordinary", "GET", V "/containers/okctr/archive?path=/etc", NULL, "allow" },
	{ "cp stat ordinary", "HEAD", V "/containers/okctr/archive?path=/etc", NULL, "allow" },
	{ "cp into ordinary", "PUT", V "/containers/okctr/archive?path=/tmp", NULL, "allow" },
	{ "export ordinary", "GET", V "/containers/okctr/export", NULL, "allow" },
	{ "commit ordinary", "POST", V "/commit?container=okctr&repo=x", NULL, "allow" },
	{ "start ordinary", "POST", V "/containers/okctr/start", NULL, "allow" },
	{ "restart ordinary", "POST", V "/containers/okctr/restart?t=1", NULL, "allow" },
	{ "start plain", "POST", V "/containers/plainctr/start", NULL, "allow" },
	{ "start socket holder, image proven", "POST", V "/containers/sockctr/start", NULL, "allow" },
	{ "exec unknown container", "POST", V "/containers/nosuch/exec", EXEC, "allow" },
	{ "exec start unknown exec", "POST", V "/exec/nosuch/start", "{}", "allow" },
	{ "commit without container", "POST", V "/commit?repo=x", NULL, "allow" },

	/* admin-made containers: no entering, copying, exporting or starting */
	{ "exec host-pid", "POST", V "/containers/hostpidctr/exec", EXEC, EXISTING },
	{ "exec start host-pid", "POST", V "/exec/exec-hostpidctr/start", "{}", EXISTING },
	{ "attach host-pid", "POST", V "/containers/hostpidctr/attach?stream=1&stdin=1", NULL, EXISTING },
	{ "attach ws host-pid", "GET", V "/containers/hostpidctr/attach/ws?stream=1", NULL, EXISTING },
	{ "start host-pid", "POST", V "/containers/hostpidctr/start", NULL, EXISTING },
	{ "restart privileged", "POST", V "/containers/privctr/restart", NULL, EXISTING },
	{ "exec unmasked", "POST", V "/containers/unmaskedctr/exec", EXEC, EXISTING },
	{ "cp out of /etc binder", "GET", V "/containers/etcctr/archive?path=/host-etc/shadow", NULL, EXISTING },
	{ "cp stat /etc binder", "HEAD", V "/containers/etcctr/archive?path=/host-etc", NULL, EXISTING },
	{ "cp into /etc binder", "PUT", V "/containers/etcctr/archive?path=/host-etc", NULL, EXISTING },
	{ "old copy /etc binder", "POST", V "/containers/etcctr/copy", "{\"Resource\":\"/host-etc\"}", EXISTING },
	{ "export /etc binder", "GET", V "/containers/etcctr/export", NULL, EXISTING },
	{ "commit /etc binder", "POST", V "/commit?container=etcctr&repo=x", NULL, EXISTING },
	{ "commit container given twice", "POST", V "/commit?container=okctr&container=etcctr", NULL, "request.uri" },
	{ "start /etc volume", "POST", V "/containers/etcvolctr/start", NULL, EXISTING },
	{ "start source now a symlink to /etc", "POST", V "/containers/swappedctr/start", NULL, EXISTING },
	{ "restart source now a symlink to /etc", "POST", V "/containers/swappedctr/restart", NULL, EXISTING },
	{ "start nested layout", "POST", V "/containers/nestedctr/start", NULL, EXISTING },
	{ "start socket holder, image moved", "POST", V "/containers/evilsockctr/start", NULL, "mount.dockerSocket" },
	{ "exec, no HostConfig in the answer", "POST", V "/containers/nohcctr/exec", EXEC, EXISTING },
	{ "exec, engine down", "POST", V "/containers/brokenctr/exec", EXEC, "engine.lookup" },
	{ "exec start, engine down", "POST", V "/exec/brokenexec/start", "{}", "engine.lookup" },
	{ "exec start, exec without container", "POST", V "/exec/anonexec/start", "{}", "engine.lookup" },
	/* not re-judged: these neither enter nor start the container */
	{ "stop /etc binder", "POST", V "/containers/etcctr/stop", NULL, "allow" },
	{ "logs host-pid", "GET", V "/containers/hostpidctr/logs?stdout=1", NULL, "allow" },
	{ "inspect host-pid", "GET", V "/containers/hostpidctr/json", NULL, "allow" },
	{ "remove /etc binder", "DELETE", V "/containers/etcctr?force=1", NULL, "allow" },

};

/*
 * More of the same, from the rule tables (struct fake_case: a body-less
 * C() row has Content-Length 0), decided under FAKE_RULES_POLICY.
 */
static const struct fake_case rule_cases[] = {
	/* containers joining the host's namespaces, through chains (issue 12, root cause 3) */
	C("start of a container joining hostpid", "/v1.41/containers/viahost/start", NULL, "container.existing"),
	C("restart of a container joining hostpid", "/v1.41/containers/viahost/restart", NULL, "container.existing"),
	C("start of an admin's host container", "/v1.41/containers/hostpid/start", NULL, "container.existing"),
	C("start of a container joining an ordinary one", "/v1.41/containers/viapriv/start", NULL, "allow"),
	C("exec into a host-namespace container", "/v1.41/containers/hostpid/exec", "{\"Cmd\":[\"sh\"]}", "container.existing"),
	C("exec into a container joining the host's", "/v1.41/containers/viahost/exec", "{\"Cmd\":[\"sh\"]}", "container.existing"),
	C("exec into a host-network-by-id container", "/v1.41/containers/hostnetid/exec", "{\"Cmd\":[\"sh\"]}", "container.existing"),
	C("exec into a host-userns container", "/v1.41/containers/hostuserns/exec", "{\"Cmd\":[\"sh\"]}", "container.existing"),
	C("exec into an ordinary container", "/v1.41/containers/nsctr/exec", "{\"Cmd\":[\"sh\"]}", "allow"),
	C("exec into a container joining an ordinary one", "/v1.41/containers/viapriv/exec", "{\"Cmd\":[\"sh\"]}", "allow"),
	C("exec lookup fails", "/v1.41/containers/brokenctr/exec", "{\"Cmd\":[\"sh\"]}", "engine.lookup"),

	/* start of a Docker socket holder whose image moved; engine down */
	{ "start socket holder, image proven", "POST", "/v1.41/containers/sockctr/start", NULL, -1, "allow", NULL },
	{ "start socket holder, image moved", "POST", "/v1.41/containers/evilsockctr/start", NULL, -1, "mount.dockerSocket", NULL },
	{ "start, engine down", "POST", "/v1.41/containers/brokenctr/start", NULL, -1, "engine.lookup", NULL },
};

static int
group_setup(void **state)
{
	struct dw_err	err;

	if (fake_setup(&facts) < 0)
		return -1;
	policy = authz_settings_parse(policy_json, strlen(policy_json), "<test>", &err);
	if (policy == NULL) {
		fprintf(stderr, "policy: %s\n", err.msg);
		return -1;
	}
	rules_policy = authz_settings_parse(FAKE_RULES_POLICY, strlen(FAKE_RULES_POLICY),
	    "<rules>", &err);
	if (rules_policy == NULL) {
		fprintf(stderr, "policy: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	authz_settings_free(rules_policy);
	authz_settings_free(policy);
	fake_teardown();
	return 0;
}

static void
run_case(const struct rcase *c, struct authz_decision *d)
{
	fake_decide(policy, &facts, NULL, c->method, c->uri, c->body, d);
}

static void
test_rule_case(void **state)
{
	const struct rcase	*c = *state;
	struct authz_decision	 d;

	run_case(c, &d);
	fake_expect_rule(c->name, c->rule, &d);
}

/* A row of rule_cases, decided under the rules' policy. */
static void
test_rule_row(void **state)
{
	const struct fake_case	*c = *state;
	struct authz_decision	 d;

	fake_run_case(rules_policy, &facts, c, &d);
	fake_expect_rule(c->name, c->rule, &d);
}

/* The message names the stored setting, the create rule and the two ways out. */
static void
test_messages(void **state)
{
	static const struct rcase pid = { "m", "POST", V "/exec/exec-hostpidctr/start",
	    "{}", EXISTING };
	static const struct rcase etc = { "m", "GET",
	    V "/containers/etcctr/archive?path=/host-etc", NULL, EXISTING };
	struct authz_decision	d;

	run_case(&pid, &d);
	assert_string_equal(d.field, "HostConfig.PidMode");
	assert_non_null(strstr(d.msg, "dockward: exec start denied (container.existing): "
	    "container \"hostpidctr\""));
	assert_non_null(strstr(d.msg, "container.namespace"));
	assert_non_null(strstr(d.msg, "exec into such a container"));
	assert_non_null(strstr(d.msg, "an admin can do it on the host"));
	assert_non_null(strstr(d.msg, "recreate the container"));
	run_case(&etc, &d);
	assert_non_null(strstr(d.msg, "mount.protectedPath"));
	assert_non_null(strstr(d.msg, "\"/etc\""));
	assert_non_null(strstr(d.msg, "copy files from or into"));
}

/* With ECI off (the admin's own switch), existing containers are not re-judged. */
static void
test_eci_off(void **state)
{
	static const char off[] = "{\"configurationFileVersion\":2,"
	    "\"enhancedContainerIsolation\":{\"value\":false}}";
	static const struct rcase c = { "m", "POST", V "/containers/hostpidctr/exec",
	    EXEC, "allow" };
	struct authz_settings	*s, *keep = policy;
	struct authz_decision	 d;
	struct dw_err		 err;

	s = authz_settings_parse(off, strlen(off), "<off>", &err);
	assert_non_null(s);
	policy = s;
	run_case(&c, &d);
	policy = keep;
	assert_int_equal(d.verdict, AUTHZ_ALLOW);
	authz_settings_free(s);
}

int
main(void)
{
	enum { NCASES = sizeof(cases) / sizeof(cases[0]),
	    NRULES = sizeof(rule_cases) / sizeof(rule_cases[0]) };
	struct CMUnitTest	tests[NCASES + NRULES + 2];
	size_t			i;

	for (i = 0; i < NCASES; i++) {
		struct CMUnitTest t = cmocka_unit_test_prestate(test_rule_case,
		    (void *)&cases[i]);

		t.name = cases[i].name;
		tests[i] = t;
	}
	fake_case_tests(tests + NCASES, rule_cases, NRULES, test_rule_row);
	tests[NCASES + NRULES] = (struct CMUnitTest)cmocka_unit_test(test_messages);
	tests[NCASES + NRULES + 1] = (struct CMUnitTest)cmocka_unit_test(test_eci_off);
	return _cmocka_run_group_tests("authz_existing", tests, NCASES + NRULES + 2,
	    group_setup, group_teardown);
}
