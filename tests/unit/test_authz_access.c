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

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "authz/authz_uri.h"
#include "authz/authz_access.h"
#include "authz/authz_decide.h"
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
/* Policy 3: registry access only, and builds dockward cannot inspect accepted. */
static const char policy_unchecked[] =
    "{\"configurationFileVersion\":2,"
    " \"dockward\":{\"allowUncheckedBuilds\":true,"
    "  \"registryAccess\":{\"allowed\":[\"docker.io\",\"ghcr.io\"]}}}";

#define NPOLICIES	4

static struct authz_settings	*policies[NPOLICIES];
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
	policies[3] = parse_ok(policy_unchecked);
	return 0;
}

static int
teardown(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < NPOLICIES; i++)
		authz_settings_free(policies[i]);
	return 0;
}

/*
 * Decide one request against policy p; with inspected, as the gatekeeper
 * does when it holds a POST /build body back: ctx (len bytes, may be NULL)
 * is the build context.  Without inspected, ctx is still passed (the
 * plugin path must ignore it).
 */
static void
decide_ctx(int p, const char *method, const char *uri_s, const char *body,
    bool inspected, const void *ctx, size_t len, struct authz_decision *d)
{
	struct authz_request	 req;
	struct authz_uri		*uri = NULL;
	struct dw_err		 err;

	memset(&req, 0, sizeof(req));
	req.build_inspected = inspected;
	req.build_context = ctx;
	req.build_context_len = len;
	req.method = method;
	req.raw_uri = uri_s;
	if (authz_uri_parse(method, uri_s, &uri, &err) < 0)
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
	authz_uri_free(uri);
}

/* Decide one request against policy p (no build context). */
static void
decide(int p, const char *method, const char *uri_s, const char *body,
    struct authz_decision *d)
{
	decide_ctx(p, method, uri_s, body, false, NULL, 0, d);
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
	const struct authz_access_registry *ra = &policies[0]->registry_access;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (authz_access_registry_allowed(ra, t[i].host) != t[i].ok)
			fail_msg("%s: expected %s", t[i].host, t[i].ok ? "allowed" : "denied");
	/* Absent block: everything. */
	assert_true(authz_access_registry_allowed(&policies[1]->registry_access, "quay.io"));
	/* Ports and wildcards with ports. */
	{
		struct authz_settings *s = parse_ok("{\"configurationFileVersion\":2,"
		    "\"dockward\":{\"registryAccess\":{\"allowed\":[\"*.lan:5000\","
		    "\"[::1]:5000\",\"index.docker.io\"]}}}");

		assert_true(authz_access_registry_allowed(&s->registry_access, "reg.lan:5000"));
		assert_false(authz_access_registry_allowed(&s->registry_access, "reg.lan"));
		assert_false(authz_access_registry_allowed(&s->registry_access, "lan:5000"));
		assert_true(authz_access_registry_allowed(&s->registry_access, "[::1]:5000"));
		assert_true(authz_access_registry_allowed(&s->registry_access, "docker.io"));
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
	/* import from a URL: its host */
	{ 0, "POST", "/v1.43/images/create?fromSrc=https://git.example/x.tar&repo=a", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/create?fromSrc=http://evil.example:8080/x.tar&repo=a", NULL, "registry.access" },
	{ 0, "POST", "/v1.43/images/create?fromSrc=evil.example/x.tar&repo=a", NULL, "registry.access" },
	{ 0, "POST", "/v1.43/images/create?fromSrc=-&repo=a", NULL, "allow" },
	{ 0, "POST", "/v1.43/images/create?fromSrc=https://git.example/x.tar&fromSrc=https://evil.example/y", NULL, "request.uri" },
	{ 1, "POST", "/v1.43/images/create?fromSrc=https://evil.example/x.tar", NULL, "allow" },
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
	assert_false(authz_access_registry_allowed(&t->registry_access, "docker.io"));
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

/*
 * Inspected builds: the gatekeeper holds the POST /build body back and the
 * engine reads the Dockerfile out of it.  Contexts are written here with
 * libarchive's writer, as in test_digest_context.
 */

struct tfile {
	const char	*name;
	const char	*data;
};

/* A tar of files (gzip-compressed when gz) in a new buffer. */
static void
make_ctx(const struct tfile *files, size_t n, bool gz, unsigned char **ret,
    size_t *ret_len)
{
	struct archive		*a;
	struct archive_entry	*e;
	size_t			 cap = 1024 * 1024, used = 0, i, sz;
	unsigned char		*buf;

	buf = malloc(cap);
	assert_non_null(buf);
	a = archive_write_new();
	assert_non_null(a);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	if (gz)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		sz = strlen(files[i].data);
		e = archive_entry_new();
		assert_non_null(e);
		archive_entry_set_pathname(e, files[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_mtime(e, 0, 0);
		archive_entry_set_size(e, (la_int64_t)sz);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, files[i].data, sz),
		    (la_ssize_t)sz);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*ret = buf;
	*ret_len = used;
}

/* What the request carries as its body. */
enum bctx {
	B_DF,		/* a tar with "Dockerfile" = df */
	B_DF_GZ,	/* the same, gzip-compressed */
	B_TWO,		/* "Dockerfile" = df and "sub/Other.df" = FROM quay.io/x */
	B_JUNK,		/* bytes that are no archive */
	B_EMPTY,	/* no body: NULL, 0 */
};

struct bcase {
	int		 p;		/* policy index */
	bool		 inspected;	/* held back by the gatekeeper */
	enum bctx	 ctx;
	const char	*uri;
	const char	*df;		/* Dockerfile text for B_DF, B_DF_GZ, B_TWO */
	const char	*rule;		/* "allow" or a rule id */
	const char	*msg_has;	/* a part of the message, or NULL */
	const char	*field;		/* the field of a deny, or NULL (an allow has none) */
};

#define B		"/v1.43/build?t=x"
/* buildargs values, URL-encoded JSON */
#define BA_OK		"&buildargs=%7B%22BASE%22%3A%22ghcr.io%2Fok%22%7D"		/* {"BASE":"ghcr.io/ok"} */
#define BA_NULL		"&buildargs=%7B%22BASE%22%3Anull%7D"				/* {"BASE":null} */
#define BA_NOTJSON	"&buildargs=BASE%3Dghcr.io%2Fok"				/* BASE=ghcr.io/ok */
#define BA_DUP		"&buildargs=%7B%22BASE%22%3A%22ghcr.io%2Fok%22%2C%22BASE%22%3A%22quay.io%2Fx%22%7D"
#define BA_NUM		"&buildargs=%7B%22BASE%22%3A1%7D"				/* {"BASE":1} */
#define BA_ARRAY	"&buildargs=%5B%5D"						/* [] */
#define BA_TWICE	"&buildargs=%7B%7D&buildargs=%7B%22BASE%22%3A%22ghcr.io%2Fok%22%7D"
#define BA_SET		"&buildargs=%7B%22BASE%22%3A%22x%22%7D"				/* {"BASE":"x"} */
#define BA_EQKEY	"&buildargs=%7B%22BASE%3D%22%3A%22x%22%7D"			/* {"BASE=":"x"} */

#define DF_OK		"FROM ghcr.io/org/app:1\n"
#define DF_QUAY		"FROM quay.io/x:1\n"
#define DF_ARG		"ARG BASE=quay.io/x\nFROM $BASE\n"
/* docker expands ${BASE:+...} to "" when BASE is not set: quay.io/x */
#define DF_PLUS		"ARG BASE\nFROM ${BASE:+ghcr.io/}quay.io/x\n"

static const struct bcase bcases[] = {
	/* FROM: registry and image access */
	{ 0, true, B_DF, B, DF_OK, "allow", NULL, NULL },
	{ 0, true, B_DF, B, DF_QUAY, "registry.access", "Dockerfile line 1, FROM quay.io/x:1: ", "dockerfile" },
	{ 0, true, B_DF, B, "FROM docker.io/library/alpine:3\n", "allow", NULL, NULL },
	{ 0, true, B_DF, B, "FROM someone/other\n", "image.access", "Dockerfile line 1, FROM someone/other: image access denied: community images not allowed (docker.io/someone/other)", "dockerfile" },
	{ 0, true, B_DF, B, "FROM mycorp/app\n", "allow", NULL, NULL },
	{ 0, true, B_DF, B, "FROM scratch\n", "allow", NULL, NULL },
	{ 0, true, B_DF, B, "FROM ghcr.io/a AS b\nRUN true\nFROM b\n", "allow", NULL, NULL },
	{ 0, true, B_DF, B, "FROM ghcr.io/a AS b\nFROM quay.io/x\nCOPY --from=b /a /b\n", "registry.access", "Dockerfile line 2, FROM quay.io/x: ", "dockerfile" },
	{ 0, true, B_DF, B, "FROM ghcr.io/a:1 AS b\nFROM b\nFROM quay.io/x AS c\n", "registry.access", "line 3", "dockerfile" },
	{ 0, true, B_DF, B, "FROM Bad:Ref\n", "registry.access", "is not an image reference", "dockerfile" },
	/* COPY --from and RUN --mount from= */
	{ 0, true, B_DF, B, "FROM ghcr.io/a\nCOPY --from=quay.io/x /a /b\n", "registry.access", "Dockerfile line 2, COPY --from quay.io/x: registry access to quay.io", "dockerfile" },
	{ 0, true, B_DF, B, "FROM ghcr.io/a\nCOPY --from=ghcr.io/b /a /b\n", "allow", NULL, NULL },
	{ 0, true, B_DF, B, "FROM ghcr.io/a\nCOPY --from=someone/other /a /b\n", "image.access", "COPY --from someone/other", "dockerfile" },
	{ 0, true, B_DF, B, "FROM ghcr.io/a\nRUN --mount=type=bind,from=quay.io/x,target=/m true\n", "registry.access", "Dockerfile line 2, RUN --mount from quay.io/x: registry access to quay.io", "dockerfile" },
	{ 0, true, B_DF, B, "FROM ghcr.io/a\nRUN --mount=type=bind,from=ghcr.io/b,target=/m true\n", "allow", NULL, NULL },
	/* ARGs and buildargs */
	{ 0, true, B_DF, B, DF_ARG, "registry.access", "Dockerfile line 2, FROM quay.io/x: ", "dockerfile" },
	{ 0, true, B_DF, B BA_OK, DF_ARG, "allow", NULL, NULL },
	{ 0, true, B_DF, B BA_NULL, DF_ARG, "registry.access", "FROM quay.io/x", "dockerfile" },
	{ 0, true, B_DF, B BA_NOTJSON, DF_ARG, "build.context", "buildargs is not a JSON object", "buildargs" },
	{ 0, true, B_DF, B BA_DUP, DF_ARG, "build.context", "buildargs is not a JSON object with each key once", "buildargs" },
	{ 0, true, B_DF, B BA_NUM, DF_ARG, "build.context", "build argument BASE is not a string", "buildargs" },
	{ 0, true, B_DF, B "&buildargs=null", DF_ARG, "registry.access", "FROM quay.io/x", "dockerfile" },	/* null: no build args, as in dockerd */
	{ 0, true, B_DF, B "&buildargs=null", "FROM ghcr.io/a\n", "allow", NULL, NULL },
	{ 0, true, B_DF, B BA_ARRAY, DF_ARG, "build.context", "(not an object)", "buildargs" },
	{ 0, true, B_DF, B BA_TWICE, DF_ARG, "request.uri", "buildargs is given more than once", "buildargs" },
	{ 0, true, B_DF, B, DF_PLUS, "registry.access", "FROM quay.io/x", "dockerfile" },
	{ 0, true, B_DF, B BA_SET, DF_PLUS, "allow", NULL, NULL },	/* docker too: ghcr.io/quay.io/x */
	/* a key with '=' names no ARG in dockerd: BASE stays unset */
	{ 0, true, B_DF, B BA_EQKEY, DF_PLUS, "registry.access", "FROM quay.io/x", "dockerfile" },
	/* Dockerfiles whose images cannot be determined */
	{ 0, true, B_DF, B, "FROM ${NOPE}\n", "build.context", "the images the Dockerfile builds on cannot be determined", "dockerfile" },
	{ 0, true, B_DF, B, "RUN true\n", "build.context", "cannot be determined", "dockerfile" },
	{ 0, true, B_DF, B, "# syntax=docker/dockerfile:1\nFROM ghcr.io/a\n", "build.context", "cannot be determined", "dockerfile" },
	{ 0, true, B_DF, B, "FROM ghcr.io/a\nCOPY --from=${NOPE} /a /b\n", "build.context", NULL, "dockerfile" },
	/* where the Dockerfile is */
	{ 0, true, B_TWO, B, DF_OK, "allow", NULL, NULL },
	{ 0, true, B_TWO, B "&dockerfile=sub/Other.df", DF_OK, "registry.access", "FROM quay.io/x", "dockerfile" },
	{ 0, true, B_TWO, B "&dockerfile=./sub/Other.df", DF_OK, "registry.access", "FROM quay.io/x", "dockerfile" },
	{ 0, true, B_TWO, B "&dockerfile=sub/Missing.df", DF_OK, "build.context", "the Dockerfile (sub/Missing.df) cannot be read from the build context", "dockerfile" },
	{ 0, true, B_TWO, B "&dockerfile=Dockerfile&dockerfile=sub/Other.df", DF_OK, "request.uri", "dockerfile is given more than once", "dockerfile" },
	{ 0, true, B_DF, B "&dockerfile=..%2Fx", DF_OK, "build.context", NULL, "dockerfile" },
	{ 0, true, B_JUNK, B, NULL, "build.context", "the Dockerfile (Dockerfile) cannot be read", "dockerfile" },
	{ 0, true, B_EMPTY, B, NULL, "build.context", "cannot be read from the build context", "dockerfile" },
	{ 0, true, B_DF_GZ, B, DF_OK, "allow", NULL, NULL },
	{ 0, true, B_DF_GZ, B, DF_QUAY, "registry.access", "FROM quay.io/x:1", "dockerfile" },
	/* builds dockward cannot look into */
	{ 0, true, B_DF, B "&version=2", DF_OK, "build.context", "DOCKER_BUILDKIT=0", "version" },
	{ 0, true, B_DF, B "&version=1", DF_OK, "allow", NULL, NULL },
	{ 0, true, B_DF, B "&version=1", DF_QUAY, "registry.access", NULL, "dockerfile" },
	{ 0, true, B_EMPTY, "/v1.43/build?remote=client-session", NULL, "build.context", "dockward.allowUncheckedBuilds", "remote" },
	{ 0, true, B_EMPTY, "/v1.43/build?remote=https://git.example/r.git", NULL, "build.context", "fetched by dockerd from git.example", "remote" },
	{ 0, true, B_EMPTY, "/v1.43/build?remote=https://evil.example/r.tar.gz", NULL, "registry.access", "evil.example", "remote" },
	{ 0, true, B_EMPTY, "/v1.43/build?remote=somewhere", NULL, "registry.access", NULL, "remote" },
	{ 1, true, B_EMPTY, "/v1.43/build?remote=https://evil.example/r.tar.gz", NULL, "build.context", NULL, "remote" },
	{ 0, true, B_DF, B "&version=2&version=1", DF_OK, "request.uri", NULL, "version" },
	/* the admin accepts unchecked builds; what can be checked still is */
	{ 3, true, B_DF, B "&version=2", DF_QUAY, "allow", NULL, NULL },
	{ 3, true, B_EMPTY, "/v1.43/build?remote=client-session", NULL, "allow", NULL, NULL },
	{ 3, true, B_EMPTY, "/v1.43/build?remote=https://ghcr.io/r.git", NULL, "allow", NULL, NULL },
	{ 3, true, B_EMPTY, "/v1.43/build?remote=https://evil.example/r.git", NULL, "registry.access", NULL, "remote" },
	{ 3, true, B_DF, B, DF_QUAY, "registry.access", NULL, "dockerfile" },
	{ 3, true, B_EMPTY, B, NULL, "build.context", NULL, "dockerfile" },
	/* the plugin path: a context pointer, but not held back */
	{ 0, false, B_DF, B, DF_QUAY, "allow", NULL, NULL },
	{ 0, false, B_DF, B, "FROM ${NOPE}\n", "allow", NULL, NULL },
	{ 0, false, B_JUNK, B, NULL, "allow", NULL, NULL },
	/* BuildKit through the plugin: its pulls go unseen, so refused (build.buildkit) */
	{ 0, false, B_DF, B "&version=2", DF_QUAY, "build.buildkit", "dockward.allowBuildKit", "version" },
	{ 3, false, B_DF, B "&version=2", DF_QUAY, "allow", NULL, NULL },
	{ 0, false, B_DF, B BA_NOTJSON, DF_QUAY, "allow", NULL, NULL },
	{ 0, false, B_EMPTY, "/v1.43/build?remote=client-session", NULL, "allow", NULL, NULL },
	{ 0, false, B_EMPTY, "/v1.43/build?remote=https://evil.example/r.tar.gz", NULL, "registry.access", NULL, "remote" },
	/* no registry or image access: nothing to check */
	{ 2, true, B_DF, B, DF_QUAY, "allow", NULL, NULL },
	{ 2, true, B_JUNK, B "&version=2", NULL, "allow", NULL, NULL },
	/* image access only: registries are not checked, Docker Hub classes are */
	{ 1, true, B_DF, B, DF_QUAY, "allow", NULL, NULL },
	{ 1, true, B_DF, B, "FROM alpine\n", "image.access", "FROM alpine: image access denied: official images not allowed", "dockerfile" },
};

/* Run case b; 0 when it matched, else 1 after printing why. */
static int
run_bcase(size_t i, const struct bcase *b)
{
	static const char junk[] = "\x8f\x03not a tar at all, just some bytes \xff\x00\x17";
	struct authz_decision	 d;
	struct tfile		 f[2];
	unsigned char		*buf = NULL;
	const void		*ctx = NULL;
	size_t			 len = 0;
	int			 bad = 0;

	f[0].name = "Dockerfile";
	f[0].data = b->df;
	f[1].name = "sub/Other.df";
	f[1].data = DF_QUAY;
	switch (b->ctx) {
	case B_DF:
	case B_DF_GZ:
	case B_TWO:
		make_ctx(f, b->ctx == B_TWO ? 2 : 1, b->ctx == B_DF_GZ, &buf, &len);
		ctx = buf;
		break;
	case B_JUNK:
		ctx = junk;
		len = sizeof(junk) - 1;
		break;
	case B_EMPTY:
		break;
	}
	decide_ctx(b->p, "POST", b->uri, NULL, b->inspected, ctx, len, &d);
	free(buf);
	if (strcmp(d.rule, b->rule) != 0 ||
	    d.verdict != (strcmp(b->rule, "allow") == 0 ? AUTHZ_ALLOW : AUTHZ_DENY) ||
	    (strcmp(b->rule, "allow") == 0 && (d.msg[0] != '\0' || d.field[0] != '\0')) ||
	    (b->msg_has != NULL && strstr(d.msg, b->msg_has) == NULL) ||
	    (b->field != NULL && strcmp(d.field, b->field) != 0)) {
		print_error("build case %zu (policy %d, %s) %s\n  Dockerfile: %s\n"
		    "  expected %s [%s] field %s\n  got      %s [%s] field %s\n",
		    i, b->p, b->inspected ? "inspected" : "plugin", b->uri,
		    b->df ? b->df : "-", b->rule, b->msg_has ? b->msg_has : "",
		    b->field ? b->field : "-", d.rule, d.msg, d.field);
		bad = 1;
	}
	return bad;
}

/* Every build case. */
static void
test_build_cases(void **state)
{
	size_t	i;
	int	bad = 0;

	(void)state;
	for (i = 0; i < sizeof(bcases) / sizeof(bcases[0]); i++)
		bad += run_bcase(i, &bcases[i]);
	assert_int_equal(bad, 0);
}

/* Exact build messages. */
static void
test_build_messages(void **state)
{
	static const struct tfile quay[] = {
		{ "Dockerfile", "# syntax-free comment\n\nFROM quay.io/x:1\n" },
	};
	struct authz_decision	 d;
	unsigned char		*buf;
	size_t			 len;

	(void)state;
	make_ctx(quay, 1, false, &buf, &len);
	decide_ctx(0, "POST", B, NULL, true, buf, len, &d);
	assert_string_equal(d.rule, "registry.access");
	assert_string_equal(d.msg, "dockward: build denied (registry.access): "
	    "Dockerfile line 3, FROM quay.io/x:1: registry access to quay.io is "
	    "not allowed. An admin can add it to dockward.registryAccess.allowed");
	assert_string_equal(d.field, "dockerfile");
	assert_int_equal(d.verdict, AUTHZ_DENY);

	decide_ctx(0, "POST", B "&version=2", NULL, true, buf, len, &d);
	assert_string_equal(d.msg, "dockward: build denied (build.context): "
	    "a BuildKit build (version=2) reads its Dockerfile and pulls its base "
	    "images inside dockerd, so dockward cannot check its base images "
	    "against the admin's registry and image access rules. Build with the "
	    "classic builder and a local context (DOCKER_BUILDKIT=0 docker build "
	    "."
	    "), or an admin can set dockward.allowUncheckedBuilds");
	assert_string_equal(d.field, "version");
	free(buf);

	decide_ctx(0, "POST", B, NULL, true, NULL, 0, &d);
	assert_string_equal(d.rule, "build.context");
	assert_non_null(strstr(d.msg, "dockward: build denied (build.context): "
	    "the Dockerfile (Dockerfile) cannot be read from the build context: "));
	assert_non_null(strstr(d.msg, ". Send a tar context that holds it"));

	decide_ctx(0, "POST", "/v1.43/build?remote=https://evil.example/r.tar.gz",
	    NULL, true, NULL, 0, &d);
	assert_string_equal(d.msg, "dockward: build denied (registry.access): "
	    "fetching the build context from evil.example is not allowed (its host "
	    "is not in dockward.registryAccess.allowed). Send the context in the "
	    "request body, or an admin can add the host to "
	    "dockward.registryAccess.allowed");
}

/*
 * Read what `dockward check` writes for policy p: authz_settings_print
 * (all), or authz_access_print alone (blocks_only).
 */
static char *
print_policy(int p, bool blocks_only)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*f;

	f = open_memstream(&text, &len);
	assert_non_null(f);
	if (blocks_only)
		authz_access_print(&policies[p]->registry_access,
		    &policies[p]->image_access, f);
	else
		authz_settings_print(policies[p], f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(text);
	return text;
}

/* `dockward check` lines. */
static void
test_print(void **state)
{
	char	*t;

	(void)state;
	t = print_policy(0, false);
	assert_non_null(strstr(t, "registry access: 6 allowed registries\n"
	    "  docker.io\n  ghcr.io\n  registry.corp.example:5000\n"
	    "  *.corp.example\n  localhost:5000\n  git.example\n"));
	assert_non_null(strstr(t, "image access (Docker Hub): official images "
	    "allowed, community images denied\n  namespace bitnami\n"
	    "  namespace mycorp\n  repository docker.io/someone/tool\n"
	    "  repository docker.io/other/thing\n"));
	assert_non_null(strstr(t, "\nbuild base images: checked by the gatekeeper"));
	assert_non_null(strstr(t, "\nbuilds dockward cannot inspect (BuildKit, "
	    "remote contexts) through the gatekeeper: denied\n"));
	assert_null(strstr(t, "any registry"));
	free(t);

	t = print_policy(3, false);
	assert_non_null(strstr(t, "registry access: 2 allowed registries\n"));
	assert_non_null(strstr(t, "image access (Docker Hub): any image\n"));
	assert_non_null(strstr(t, "through the gatekeeper: allowed "
	    "(dockward.allowUncheckedBuilds)\n"));
	free(t);

	t = print_policy(2, true);
	assert_string_equal(t, "registry access: any registry\n"
	    "image access (Docker Hub): any image\n");
	free(t);
	/* No access rules: no lines about what builds get either. */
	t = print_policy(2, false);
	assert_non_null(strstr(t, "registry access: any registry\n"
	    "image access (Docker Hub): any image\n"));
	assert_null(strstr(t, "build base images"));
	assert_null(strstr(t, "builds dockward cannot inspect"));
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_matching),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_build_cases),
		cmocka_unit_test(test_build_messages),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
