/*
 * Unit tests for Registry Access Management and Image Access Management
 * (authz_access.c): host matching, every enforcement point allowed and
 * denied, Docker Hub image classes, exact messages, settings errors.
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

#include "api/api_uri.h"
#include "authz/authz_access.h"
#include "authz/authz_engine.h"
#include "authz/authz_settings.h"

#define D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Policy 0: both blocks; community images off. */
static const char policy_both[] =
    "{\"configurationFileVersion\":2,"
    " \"enhancedContainerIsolation\":{\"value\":true,\"locked\":true},"
    " \"dockward\":{"
    "  \"registryAccess\":{\"allowed\":[\"docker.io\",\"GHCR.io\","
    "   \"registry.corp.example:5000\",\"*.corp.example\",\"localhost:5000\","
    "   \"git.example\"]},"
    "  \"imageAccess\":{\"communityImages\":false,\"verifiedPublishers\":[\"bitnami\"],"
    "   \"organizations\":[\"MyCorp\"],\"allowList\":[\"docker.io/someone/tool:*\","
    "   \"other/thing\"]}}}";
/* Policy 1: image access only, official images off; ECI off. */
static const char policy_iam[] =
    "{\"configurationFileVersion\":2,"
    " \"dockward\":{\"imageAccess\":{\"officialImages\":false}}}";
/* Policy 2: neither block. */
static const char policy_none[] = "{\"configurationFileVersion\":2}";

static struct authz_settings	*policies[3];
static struct authz_facts	 facts;

/* Parse a policy or fail the test. */
static struct authz_settings *
parse_ok(const char *json)
{
	struct authz_settings	*s;
	struct dw_err		 err;

	err.msg[0] = '\0';
	if ((s = authz_settings_parse(json, strlen(json), "<test>", &err)) == NULL)
		fail_msg("refused: %s\n%s", err.msg, json);
	return s;
}

/* Expect a refusal whose message contains want. */
static void
parse_fails(const char *json, const char *want)
{
	struct authz_settings	*s;
	struct dw_err		 err;

	err.msg[0] = '\0';
	s = authz_settings_parse(json, strlen(json), "<test>", &err);
	if (s != NULL) {
		authz_settings_free(s);
		fail_msg("accepted: %s", json);
	}
	if (strstr(err.msg, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
}

static int
setup(void **state)
{
	(void)state;
	policies[0] = parse_ok(policy_both);
	policies[1] = parse_ok(policy_iam);
	policies[2] = parse_ok(policy_none);
	return 0;
}

static int
teardown(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < 3; i++)
		authz_settings_free(policies[i]);
	return 0;
}

/* Decide one request against policy p. */
static void
decide(int p, const char *method, const char *uri_s, const char *body,
    struct authz_decision *d)
{
	struct authz_request	 req;
	struct api_uri		*uri = NULL;
	struct dw_err		 err;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.raw_uri = uri_s;
	if (api_uri_parse(method, uri_s, &uri, &err) < 0)
		fail_msg("%s %s: %s", method, uri_s, err.msg);
	req.uri = uri;
	req.content_length = -1;
	if (body != NULL) {
		req.body = (const unsigned char *)body;
		req.body_len = strlen(body);
		req.content_type = "application/json";
		req.content_length = (long long)req.body_len;
	}
	authz_decide(policies[p], &facts, &req, d);
	api_uri_free(uri);
}

/* Host matching: Hub aliases, ports, wildcards, case. */
static void
test_host_matching(void **state)
{
	static const struct {
		const char	*host;
		bool		 ok;
	} t[] = {
		{ "docker.io", true },
		{ "index.docker.io", true },
		{ "registry-1.docker.io", true },
		{ "Docker.IO", true },
		{ "docker.io:443", false },	/* a port other than the default is another registry */
		{ "ghcr.io", true },
		{ "GHCR.IO", true },
		{ "ghcr.io:5000", false },
		{ "ghcr.io.evil", false },
		{ "xghcr.io", false },
		{ "registry.corp.example:5000", true },
		{ "registry.corp.example", true },	/* via *.corp.example */
		{ "registry.corp.example:5001", false },
		{ "a.b.corp.example", true },
		{ "corp.example", false },		/* the bare domain is not a subdomain */
		{ "evilcorp.example", false },
		{ "x.corp.example:5000", false },	/* wildcard without port: default port only */
		{ "localhost:5000", true },
		{ "localhost", false },
		{ "quay.io", false },
		{ "", false },
	};
	const struct authz_registry_access *ra = &policies[0]->registry_access;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (authz_registry_allowed(ra, t[i].host) != t[i].ok)
			fail_msg("%s: expected %s", t[i].host, t[i].ok ? "allowed" : "denied");
	/* Absent block: everything. */
	assert_true(authz_registry_allowed(&policies[1]->registry_access, "quay.io"));
	/* Ports and wildcards with ports. */
	{
		struct authz_settings *s = parse_ok("{\"configurationFileVersion\":2,"
		    "\"dockward\":{\"registryAccess\":{\"allowed\":[\"*.lan:5000\","
		    "\"[::1]:5000\",\"index.docker.io\"]}}}");

		assert_true(authz_registry_allowed(&s->registry_access, "reg.lan:5000"));
		assert_false(authz_registry_allowed(&s->registry_access, "reg.lan"));
		assert_false(authz_registry_allowed(&s->registry_access, "lan:5000"));
		assert_true(authz_registry_allowed(&s->registry_access, "[::1]:5000"));
		assert_true(authz_registry_allowed(&s->registry_access, "docker.io"));
		assert_string_equal(s->registry_access.allowed.v[2], "docker.io");
		authz_settings_free(s);
	}
}

struct acase {
	int		 p;		/* policy index */
	const char	*method;
	const char	*uri;
	const char	*body;
	const char	*rule;		/* "allow" or a rule id */
};

#define SVC(img)	"{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"" img "\"}}}"

static const struct acase cases[] = {
	/* pulls: fromImage, tag, digests, Hub aliases */
	{ 0, "POST", "/v1.43/images/create?fromImage=alpine&tag=3", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/create?fromImage=docker.io/library/alpine:3", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/create?fromImage=index.docker.io/library/alpine", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/create?fromImage=alpine&tag=" D64, NULL, "allow" },
	{ 0, "POST", "/v1.43/images/create?fromImage=ghcr.io/org/app&tag=1", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/create?fromImage=registry.corp.example:5000/a/b", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/create?fromImage=x.corp.example/a", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/create?fromImage=quay.io/org/app&tag=1", NULL, "registry.access" },
	{ 0, "POST", "/v1.43/images/create?fromImage=quay.io/org/app@" D64, NULL, "registry.access" },
	{ 0, "POST", "/v1.43/images/create?fromImage=corp.example/a", NULL, "registry.access" },
	{ 0, "POST", "/v1.43/images/create?fromImage=ghcr.io:5000/a", NULL, "registry.access" },
	{ 0, "POST", "/v1.43/images/create?fromImage=Bad:Ref", NULL, "registry.access" },
	{ 0, "POST", "/v1.43/images/create?fromImage=alpine&fromImage=quay.io/x", NULL, "request.uri" },
	{ 0, "POST", "/v1.43/images/create?fromSrc=-&repo=quay.io/x", NULL, "allow" },
	{ 2, "POST", "/v1.43/images/create?fromImage=quay.io/org/app", NULL, "allow" },
	/* image access: official, verified, org, community, allowList */
	{ 0, "POST", "/v1.43/images/create?fromImage=bitnami/redis", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/create?fromImage=mycorp/app&tag=2", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/create?fromImage=someone/tool&tag=1", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/create?fromImage=other/thing", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/create?fromImage=someone/other", NULL, "image.access" },
	{ 0, "POST", "/v1.43/images/create?fromImage=registry-1.docker.io/someone/other", NULL, "image.access" },
	{ 0, "POST", "/v1.43/images/create?fromImage=mycorpx/app", NULL, "image.access" },
	{ 1, "POST", "/v1.43/images/create?fromImage=registry-1.docker.io/alpine", NULL, "image.access" },
	{ 0, "POST", "/v1.43/images/create?fromImage=ghcr.io/someone/other", NULL, "allow" },
	{ 1, "POST", "/v1.43/images/create?fromImage=alpine", NULL, "image.access" },
	{ 1, "POST", "/v1.43/images/create?fromImage=someone/other", NULL, "allow" },
	{ 1, "POST", "/v1.43/images/create?fromImage=quay.io/library/alpine", NULL, "allow" },
	/* push: registry only (image access is about pulls) */
	{ 0, "POST", "/v1.43/images/ghcr.io/org/app/push?tag=1", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/someone/other/push?tag=1", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/quay.io/org/app/push?tag=1", NULL, "registry.access" },
	/* tag into a registry */
	{ 0, "POST", "/v1.43/images/alpine/tag?repo=ghcr.io/org/alpine&tag=1", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/alpine/tag?repo=quay.io/org/alpine&tag=1", NULL, "registry.access" },
	{ 0, "POST", "/v1.43/images/alpine/tag?repo=a&repo=quay.io/org/alpine", NULL, "request.uri" },
	/* login */
	{ 0, "POST", "/v1.43/auth", "{\"username\":\"u\",\"password\":\"p\",\"serveraddress\":\"\"}", "allow" },
	{ 0, "POST", "/v1.43/auth", "{\"username\":\"u\",\"password\":\"p\"}", "allow" },
	{ 0, "POST", "/v1.43/auth", "{\"serveraddress\":\"https://index.docker.io/v1/\"}", "allow" },
	{ 0, "POST", "/v1.43/auth", "{\"ServerAddress\":\"ghcr.io\"}", "allow" },
	{ 0, "POST", "/v1.43/auth", "{\"serveraddress\":\"https://quay.io/v2/\"}", "registry.access" },
	{ 0, "POST", "/v1.43/auth", "{\"serveraddress\":\"quay.io\"}", "registry.access" },
	{ 0, "POST", "/v1.43/auth", "{\"serveraddress\":\"ghcr.io\",\"ServerAddress\":\"quay.io\"}", "request.json" },
	{ 0, "POST", "/v1.43/auth", NULL, "request.body" },
	{ 1, "POST", "/v1.43/auth", "{\"serveraddress\":\"quay.io\"}", "allow" },
	/* container create never pulls (the CLI pulls via images/create): local images run */
	{ 0, "POST", "/v1.43/containers/create", "{\"Image\":\"alpine\"}", "allow" },
	{ 0, "POST", "/v1.43/containers/create", "{\"Image\":\"quay.io/org/app:1\"}", "allow" },
	{ 0, "POST", "/v1.43/containers/create", "{\"image\":\"someone/other\"}", "allow" },
	{ 0, "POST", "/v1.43/containers/create", "{\"Image\":\"" D64 "\"}", "allow" },
	{ 0, "POST", "/v1.43/containers/create", "{\"Image\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}", "allow" },
	{ 1, "POST", "/v1.43/containers/create", "{\"Image\":\"busybox\"}", "allow" },
	{ 2, "POST", "/v1.43/containers/create", "{\"Image\":\"quay.io/x\"}", "allow" },
	/* services */
	{ 0, "POST", "/v1.43/services/create", SVC("ghcr.io/org/app:1@" D64), "allow" },
	{ 0, "POST", "/v1.43/services/create", SVC("quay.io/org/app:1"), "registry.access" },
	{ 0, "POST", "/v1.43/services/abc/update?version=3", SVC("quay.io/org/app:1"), "registry.access" },
	{ 0, "POST", "/v1.43/services/abc/update?version=3", SVC("someone/other"), "image.access" },
	{ 0, "POST", "/v1.43/services/abc/update?version=3", SVC("mycorp/app"), "allow" },
	{ 0, "POST", "/v1.43/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":[]}}", "request.json" },
	/* build remote contexts */
	{ 0, "POST", "/v1.43/build?t=x", NULL, "allow" },
	{ 0, "POST", "/v1.43/build?remote=client-session", NULL, "allow" },
	{ 0, "POST", "/v1.43/build?remote=https://git.example/r.git", NULL, "allow" },
	{ 0, "POST", "/v1.43/build?remote=https://user%40x@git.example/r.tar.gz", NULL, "allow" },
	{ 0, "POST", "/v1.43/build?remote=git@git.example:r.git", NULL, "allow" },
	{ 0, "POST", "/v1.43/build?remote=https://evil.example/r.tar.gz", NULL, "registry.access" },
	{ 0, "POST", "/v1.43/build?remote=https://git.example@evil.example/r.git", NULL, "registry.access" },
	{ 0, "POST", "/v1.43/build?remote=github.com/x/y", NULL, "registry.access" },
	{ 0, "POST", "/v1.43/build?remote=somewhere", NULL, "registry.access" },
	{ 1, "POST", "/v1.43/build?remote=https://evil.example/r.tar.gz", NULL, "allow" },
	/* other endpoints are not affected */
	{ 0, "GET", "/v1.43/images/json", NULL, "allow" },
};

/* Every enforcement point, allowed and denied. */
static void
test_cases(void **state)
{
	struct authz_decision	d;
	size_t			i;
	int			bad = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		decide(cases[i].p, cases[i].method, cases[i].uri, cases[i].body, &d);
		if (strcmp(d.rule, cases[i].rule) != 0) {
			print_error("case %zu (policy %d) %s %s: expected %s, got %s: %s\n",
			    i, cases[i].p, cases[i].method, cases[i].uri,
			    cases[i].rule, d.rule, d.msg);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The exact wording, modelled on Docker's. */
static void
test_messages(void **state)
{
	struct authz_decision	d;

	(void)state;
	decide(0, "POST", "/v1.43/images/create?fromImage=QUAY.io/org/app&tag=1", NULL, &d);
	assert_string_equal(d.msg, "dockward: image pull denied (registry.access): "
	    "registry access to quay.io is not allowed. An admin can add it to "
	    "dockward.registryAccess.allowed");
	assert_string_equal(d.field, "fromImage");
	decide(0, "POST", "/v1.43/images/create?fromImage=someone/other&tag=1", NULL, &d);
	assert_string_equal(d.msg, "dockward: image pull denied (image.access): "
	    "image access denied: community images not allowed "
	    "(docker.io/someone/other). An admin can allow it in dockward.imageAccess");
	decide(1, "POST", "/v1.43/images/create?fromImage=alpine", NULL, &d);
	assert_string_equal(d.msg, "dockward: image pull denied (image.access): "
	    "image access denied: official images not allowed "
	    "(docker.io/library/alpine). An admin can allow it in dockward.imageAccess");
	decide(0, "POST", "/v1.43/auth", "{\"serveraddress\":\"https://Quay.io/v2/\"}", &d);
	assert_string_equal(d.msg, "dockward: registry login denied (registry.access): "
	    "registry access to quay.io is not allowed. An admin can add it to "
	    "dockward.registryAccess.allowed");
}

/* The parsed shape, defaults and load errors naming the JSON path. */
static void
test_settings(void **state)
{
	const struct authz_settings	*s = policies[0];
	struct authz_settings		*t;
	size_t				 i;

	(void)state;
	assert_true(s->registry_access.present);
	assert_int_equal(s->registry_access.allowed.n, 6);
	assert_string_equal(s->registry_access.allowed.v[1], "ghcr.io");
	assert_true(s->image_access.present);
	assert_true(s->image_access.official);
	assert_false(s->image_access.community);
	assert_int_equal(s->image_access.namespaces.n, 2);
	assert_string_equal(s->image_access.namespaces.v[1], "mycorp");
	assert_int_equal(s->image_access.allow_list.n, 2);
	assert_string_equal(s->image_access.allow_list.v[0], "docker.io/someone/tool");
	assert_string_equal(s->image_access.allow_list.v[1], "docker.io/other/thing");
	for (i = 0; i < s->warnings.n; i++)
		if (strstr(s->warnings.v[i], "Access") != NULL)
			fail_msg("unexpected warning: %s", s->warnings.v[i]);
	assert_false(policies[2]->registry_access.present);
	assert_false(policies[2]->image_access.present);
	assert_false(policies[1]->image_access.official);
	assert_true(policies[1]->image_access.community);

	/* Empty lists and unknown keys warn; non-Hub allowList entries warn. */
	t = parse_ok("{\"configurationFileVersion\":2,\"dockward\":{"
	    "\"registryAccess\":{\"allowed\":[],\"x\":1},"
	    "\"imageAccess\":{\"allowList\":[\"ghcr.io/a/b\"],\"y\":2}}}");
	assert_true(t->registry_access.present);
	assert_false(authz_registry_allowed(&t->registry_access, "docker.io"));
	for (i = 0; i < t->warnings.n; i++)
		if (strstr(t->warnings.v[i], "registryAccess.allowed: no registry") != NULL)
			break;
	assert_true(i < t->warnings.n);
	for (i = 0; i < t->warnings.n; i++)
		if (strstr(t->warnings.v[i], "unknown key dockward.imageAccess.y") != NULL)
			break;
	assert_true(i < t->warnings.n);
	for (i = 0; i < t->warnings.n; i++)
		if (strstr(t->warnings.v[i], "dockward.imageAccess.allowList[0]: \"ghcr.io/a/b\" is not on Docker Hub") != NULL)
			break;
	assert_true(i < t->warnings.n);
	authz_settings_free(t);

#define DW(x)	"{\"configurationFileVersion\":2,\"dockward\":{" x "}}"
	parse_fails(DW("\"registryAccess\":[]"), "dockward.registryAccess: expected an object");
	parse_fails(DW("\"registryAccess\":{\"allowed\":\"docker.io\"}"), "dockward.registryAccess.allowed: expected an array");
	parse_fails(DW("\"registryAccess\":{\"allowed\":[1]}"), "dockward.registryAccess.allowed: expected an array");
	parse_fails(DW("\"registryAccess\":{\"allowed\":[\"https://ghcr.io\"]}"), "dockward.registryAccess.allowed[0]: \"https://ghcr.io\" has a URL scheme");
	parse_fails(DW("\"registryAccess\":{\"allowed\":[\"ok.io\",\"ghcr.io/org\"]}"), "dockward.registryAccess.allowed[1]: \"ghcr.io/org\" has a path");
	parse_fails(DW("\"registryAccess\":{\"allowed\":[\"reg:0\"]}"), "allowed[0]: \"reg:0\" port");
	parse_fails(DW("\"registryAccess\":{\"allowed\":[\"reg:65536\"]}"), "allowed[0]: \"reg:65536\" port");
	parse_fails(DW("\"registryAccess\":{\"allowed\":[\"reg:\"]}"), "allowed[0]");
	parse_fails(DW("\"registryAccess\":{\"allowed\":[\"a..b\"]}"), "allowed[0]: \"a..b\" is not a registry host");
	parse_fails(DW("\"registryAccess\":{\"allowed\":[\"-a.b\"]}"), "allowed[0]");
	parse_fails(DW("\"registryAccess\":{\"allowed\":[\"*\"]}"), "allowed[0]");
	parse_fails(DW("\"registryAccess\":{\"allowed\":[\"a.*.b\"]}"), "allowed[0]");
	parse_fails(DW("\"registryAccess\":{\"allowed\":[\"\"]}"), "allowed[0]");
	parse_fails(DW("\"imageAccess\":true"), "dockward.imageAccess: expected an object");
	parse_fails(DW("\"imageAccess\":{\"officialImages\":1}"), "dockward.imageAccess.officialImages: expected true or false");
	parse_fails(DW("\"imageAccess\":{\"communityImages\":\"no\"}"), "dockward.imageAccess.communityImages: expected true or false");
	parse_fails(DW("\"imageAccess\":{\"organizations\":\"x\"}"), "dockward.imageAccess.organizations: expected an array");
	parse_fails(DW("\"imageAccess\":{\"verifiedPublishers\":[\"a/b\"]}"), "dockward.imageAccess.verifiedPublishers[0]: \"a/b\" is not a Docker Hub namespace");
	parse_fails(DW("\"imageAccess\":{\"allowList\":[\"x/y:1\"]}"), "dockward.imageAccess.allowList[0]: \"x/y:1\" names a tag or digest");
	parse_fails(DW("\"imageAccess\":{\"allowList\":[\"x/y@" D64 "\"]}"), "allowList[0]");
	parse_fails(DW("\"imageAccess\":{\"allowList\":[\"X/Y\"]}"), "dockward.imageAccess.allowList[0]: invalid reference");
	parse_fails(DW("\"imageAccess\":{\"allowList\":{}}"), "dockward.imageAccess.allowList: expected an array");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_matching),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_settings),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
