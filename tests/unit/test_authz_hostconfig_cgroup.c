/*
 * Unit tests for authz_hostconfig's CgroupParent rule (issue 12, root
 * cause 2): under ECI a container may not choose its cgroup, so it cannot
 * be put inside a socket container's cgroup to pass for it.  Only ""
 * and the exact values of dockward.allowedCgroupParents pass; the same for
 * the legacy builder's ?cgroupparent=.  And the settings refuse an allowed
 * parent that names a container id.
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

#define ID	"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
#define CREATE	"/v1.41/containers/create"
#define HC(x)	"{\"Image\":\"busybox\",\"HostConfig\":{" x "}}"

static const char policy_json[] =
    "{\"configurationFileVersion\":2,"
    " \"enhancedContainerIsolation\":{\"value\":true,\"locked\":true,"
    "  \"dockerSocketMount\":{\"imageList\":{\"images\":[\"docker:cli\"]}}},"
    " \"dockward\":{\"allowedCgroupParents\":[\"/ci/jobs\",\"ci-jobs.slice\"]}}";

static struct authz_facts	facts;
static struct authz_settings	*policy;

struct ccase {
	const char	*name;
	const char	*uri;
	const char	*body;		/* NULL: no body */
	const char	*rule;		/* "allow" or the rule id */
	const char	*field;		/* the field a deny names, or NULL */
};

static const struct ccase cases[] = {
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

static int
group_setup(void **state)
{
	struct dw_err	err;

	(void)state;
	if (fake_setup(&facts) < 0)
		return -1;
	policy = authz_settings_parse(policy_json, strlen(policy_json), "<test>",
	    &err);
	if (policy == NULL) {
		fprintf(stderr, "policy: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	authz_settings_free(policy);
	fake_teardown();
	return 0;
}

static void
run(const struct authz_settings *s, const struct ccase *c,
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
test_cases(void **state)
{
	struct authz_decision	d;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ccase *c = &cases[i];

		run(policy, c, &d);
		fake_expect_rule(c->name, c->rule, &d);
		if (c->field != NULL && strcmp(d.field, c->field) != 0)
			fail_msg("%s: field \"%s\", want \"%s\"", c->name,
			    d.field, c->field);
	}
}

/* The message names the rule, the value and both ways out. */
static void
test_message(void **state)
{
	struct authz_decision	d;

	(void)state;
	run(policy, &cases[7], &d);
	assert_non_null(strstr(d.msg, "(container.cgroupParent)"));
	assert_non_null(strstr(d.msg, "/docker/" ID));
	assert_non_null(strstr(d.msg, "Remove --cgroup-parent"));
	assert_non_null(strstr(d.msg, "dockward.allowedCgroupParents"));
}

/* With ECI off the rule is off, like the other container rules. */
static void
test_eci_off(void **state)
{
	static const char off[] = "{\"configurationFileVersion\":2,"
	    "\"enhancedContainerIsolation\":{\"value\":false}}";
	struct authz_settings	*s;
	struct authz_decision	 d;
	struct dw_err		 err;

	(void)state;
	assert_non_null(s = authz_settings_parse(off, strlen(off), "<off>", &err));
	run(s, &cases[7], &d);
	fake_expect_rule("ECI off", "allow", &d);
	authz_settings_free(s);
}

/* Settings: an allowed parent naming a container id does not load. */
static void
test_settings(void **state)
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_eci_off),
		cmocka_unit_test(test_settings),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
