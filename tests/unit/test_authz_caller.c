/*
 * Unit tests for authz_caller: the gatekeeper's caller-level decision.
 * Host users (dockward.users: connect, exemptions, the host command list)
 * and containers (ECI off, imageList re-checked through fake facts,
 * unverifiable images failing closed, then the socket command list).
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
#include "authz/authz_caller.h"
#include "authz/authz_settings.h"
#include "fake_facts.h"

#define CID	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char policy_json[] =
    "{\"configurationFileVersion\":2,"
    " \"enhancedContainerIsolation\":{\"value\":true,\"locked\":true,"
    "  \"dockerSocketMount\":{\"imageList\":{\"images\":[\"docker:cli\","
    "   \"localhost:5000/tools/*:*\"]},"
    "   \"commandList\":{\"type\":\"deny\",\"commands\":[\"push\",\"build\"]}}},"
    " \"dockward\":{\"users\":{\"allowUsers\":[\"1001\",\"1002\"],"
    "  \"allowGroups\":[\"4242\"],\"exemptUsers\":[\"1002\"],"
    "  \"exemptGroups\":[\"4343\"],"
    "  \"commandList\":{\"type\":\"deny\",\"commands\":[\"system prune\",\"push\"]}}}}";

static const char eci_off_json[] =
    "{\"configurationFileVersion\":2,"
    " \"enhancedContainerIsolation\":{\"value\":false,"
    "  \"dockerSocketMount\":{\"imageList\":{\"images\":[\"docker:cli\"]},"
    "   \"commandList\":{\"type\":\"allow\",\"commands\":[]}}}}";

static const char plain_json[] = "{\"configurationFileVersion\":2}";

static struct authz_facts	 facts;
static struct authz_settings	*policy, *eci_off, *plain;

static int
setup(void **state)
{
	struct dw_err	err;

	if (fake_setup(&facts) < 0)
		return -1;
	policy = authz_settings_parse(policy_json, strlen(policy_json), "<test>", &err);
	eci_off = authz_settings_parse(eci_off_json, strlen(eci_off_json), "<test>", &err);
	if (policy == NULL || eci_off == NULL)
		fprintf(stderr, "setup: %s\n", err.msg);
	plain = authz_settings_parse(plain_json, strlen(plain_json), "<test>", &err);
	return policy && eci_off && plain ? 0 : -1;
}

static int
teardown(void **state)
{
	authz_settings_free(policy);
	authz_settings_free(eci_off);
	authz_settings_free(plain);
	fake_teardown();
	return 0;
}

/* Decide method+uri for caller c under s; the decision stays in *d. */
static enum authz_verdict
decide(const struct authz_settings *s, const struct authz_facts *f,
    const struct authz_caller *c, const char *method, const char *raw,
    struct authz_decision *d)
{
	struct authz_request	 req;
	struct authz_uri		*uri = NULL;
	struct dw_err		 err;
	enum authz_verdict	 v;

	if (authz_uri_parse(method, raw, &uri, &err) != 0)
		fail_msg("%s %s: %s", method, raw, err.msg);
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.raw_uri = raw;
	req.uri = uri;
	req.content_length = -1;
	v = authz_caller_decide(s, f, c, &req, d);
	authz_uri_free(uri);
	if (v == AUTHZ_ALLOW) {
		assert_string_equal(d->rule, "allow");
		assert_string_equal(d->msg, "");
	} else
		assert_true(strncmp(d->msg, "dockward: ", 10) == 0);
	return v;
}

static struct authz_caller
host(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups)
{
	struct authz_caller c = {
		.kind = AUTHZ_CALLER_HOST,
		.pid = 4242,
		.uid = uid,
		.gid = gid,
		.groups = groups,
		.ngroups = ngroups,
	};

	return c;
}

static struct authz_caller
container(const char *name, const char *image, const char *image_id)
{
	struct authz_caller c = {
		.kind = AUTHZ_CALLER_CONTAINER,
		.pid = 777,
		.uid = 0,
		.gid = 0,
		.container_id = CID,
		.container_name = name,
		.image = image,
		.image_id = image_id,
	};

	return c;
}

#define PUSH	"/v1.43/images/myimage/push?tag=latest"

static void
test_host_connect(void **state)
{
	struct authz_decision	 d;
	struct authz_caller	 c;
	static const gid_t	 other[] = { 27, 100 };
	static const gid_t	 allowed[] = { 27, 4242 };

	/* Root always may, even unlisted. */
	c = host(0, 0, NULL, 0);
	assert_true(authz_caller_may_connect(policy, &c));
	assert_int_equal(decide(policy, &facts, &c, "GET", "/v1.43/containers/json", &d),
	    AUTHZ_ALLOW);
	/* Listed uid. */
	c = host(1001, 1001, NULL, 0);
	assert_true(authz_caller_may_connect(policy, &c));
	/* Unlisted uid and groups. */
	c = host(1003, 1003, other, 2);
	assert_false(authz_caller_may_connect(policy, &c));
	assert_int_equal(decide(policy, &facts, &c, "GET", "/_ping", &d), AUTHZ_DENY);
	assert_string_equal(d.rule, "users.connect");
	assert_string_equal(d.msg, "dockward: docker API access denied "
	    "(users.connect): host user uid 1003 (gid 1003) may not use the Docker "
	    "socket through dockward. An admin can add \"1003\" or the user's name "
	    "to dockward.users.allowUsers, or one of the user's groups to "
	    "dockward.users.allowGroups");
	/* A supplementary group on the list lets it in; so does the primary group. */
	c = host(1003, 1003, allowed, 2);
	assert_true(authz_caller_may_connect(policy, &c));
	assert_int_equal(decide(policy, &facts, &c, "GET", "/v1.43/containers/json", &d),
	    AUTHZ_ALLOW);
	c = host(1003, 4242, NULL, 0);
	assert_true(authz_caller_may_connect(policy, &c));
	/* No users block: every host user may connect, no command list. */
	c = host(1003, 1003, other, 2);
	assert_true(authz_caller_may_connect(plain, &c));
	assert_int_equal(decide(plain, &facts, &c, "POST", PUSH, &d), AUTHZ_ALLOW);
	/* Containers are not subject to the connect rule. */
	c = container("/web", "docker:cli", NULL);
	assert_true(authz_caller_may_connect(policy, &c));
}

static void
test_host_commands(void **state)
{
	struct authz_decision	 d;
	struct authz_caller	 c;
	static const gid_t	 exempt[] = { 4343 };

	c = host(1001, 1001, NULL, 0);
	assert_int_equal(decide(policy, &facts, &c, "POST", PUSH, &d), AUTHZ_DENY);
	assert_string_equal(d.rule, "users.commandList");
	assert_string_equal(d.field, "commandList");
	assert_string_equal(d.msg, "dockward: docker command \"" PUSH "\" is blocked "
	    "(users.commandList): push is denied for host users; an admin can "
	    "allow it in dockward.users.commandList.");
	assert_int_equal(decide(policy, &facts, &c, "POST", "/v1.43/containers/prune", &d),
	    AUTHZ_DENY);
	assert_non_null(strstr(d.msg, "system prune is denied for host users"));
	assert_int_equal(decide(policy, &facts, &c, "GET", "/v1.43/containers/json", &d),
	    AUTHZ_ALLOW);
	/* The socket list does not apply to host users. */
	assert_int_equal(decide(policy, &facts, &c, "POST", "/v1.43/build", &d),
	    AUTHZ_ALLOW);
	/* Exempt: by uid, by supplementary group; root always. */
	c = host(1002, 1002, NULL, 0);
	assert_int_equal(decide(policy, &facts, &c, "POST", PUSH, &d), AUTHZ_ALLOW);
	c = host(1001, 1001, exempt, 1);
	assert_int_equal(decide(policy, &facts, &c, "POST", PUSH, &d), AUTHZ_ALLOW);
	c = host(0, 0, NULL, 0);
	assert_int_equal(decide(policy, &facts, &c, "POST", PUSH, &d), AUTHZ_ALLOW);
}

static void
test_container_eci_off(void **state)
{
	struct authz_decision	d;
	struct authz_caller	c;

	/* ECI off: socket containers are unrestricted, as in Docker Desktop. */
	c = container("/evil", "docker:forged", FAKE_EVIL_ID);
	assert_int_equal(decide(eci_off, &facts, &c, "POST", PUSH, &d), AUTHZ_ALLOW);
	c = container(NULL, NULL, NULL);
	assert_int_equal(decide(plain, &facts, &c, "POST", PUSH, &d), AUTHZ_ALLOW);
}

static void
test_container_commands(void **state)
{
	struct authz_decision	d;
	struct authz_caller	c;

	c = container("/ci", "docker:cli", FAKE_GOOD_ID);
	assert_int_equal(decide(policy, &facts, &c, "GET", "/v1.43/containers/json", &d),
	    AUTHZ_ALLOW);
	assert_int_equal(decide(policy, &facts, &c, "POST", PUSH, &d), AUTHZ_DENY);
	assert_string_equal(d.rule, "socket.commandList");
	assert_string_equal(d.msg, "dockward: docker command \"" PUSH "\" is blocked "
	    "(socket.commandList): push is denied for containers that mount the "
	    "Docker socket; an admin can allow it in "
	    "enhancedContainerIsolation.dockerSocketMount.commandList.");
	assert_int_equal(decide(policy, &facts, &c, "POST", "/v1.43/build", &d),
	    AUTHZ_DENY);
	/* The users list does not apply to containers. */
	assert_int_equal(decide(policy, &facts, &c, "POST", "/v1.43/containers/prune", &d),
	    AUTHZ_ALLOW);
	/* No image Id: the reference is verified. */
	c = container("/ci", "docker:cli", NULL);
	assert_int_equal(decide(policy, &facts, &c, "GET", "/_ping", &d), AUTHZ_ALLOW);
}

static void
test_container_image(void **state)
{
	struct authz_decision	d;
	struct authz_caller	c;

	/* The Id is what is verified: a forged local tag is refused. */
	c = container("/web", "docker:forged", "docker:forged");
	assert_int_equal(decide(policy, &facts, &c, "GET", "/_ping", &d), AUTHZ_DENY);
	assert_string_equal(d.rule, "socket.imageList");
	assert_string_equal(d.field, "imageList");
	assert_non_null(strstr(d.msg, "dockward: docker API access denied "
	    "(socket.imageList): container web (0123456789ab) runs image "
	    "\"docker:forged\", which may not use the Docker socket: local "
	    "docker:forged is"));
	assert_non_null(strstr(d.msg, ". Add the image to "
	    "enhancedContainerIsolation.dockerSocketMount.imageList.images or stop "
	    "mounting the socket into it"));
	/* An Id that is not on the list, whatever the reference says. */
	c = container("/web", "docker:cli", FAKE_EVIL_ID);
	assert_int_equal(decide(policy, &facts, &c, "GET", "/v1.43/containers/json", &d),
	    AUTHZ_DENY);
	assert_string_equal(d.rule, "socket.imageList");
	/* Not on the list at all; no name: the short id only. */
	c = container(NULL, "alpine:3", NULL);
	assert_int_equal(decide(policy, &facts, &c, "GET", "/v1.43/containers/json", &d),
	    AUTHZ_DENY);
	assert_non_null(strstr(d.msg, "(socket.imageList): container 0123456789ab runs "
	    "image \"alpine:3\", which may not use the Docker socket: image "
	    "\"alpine:3\" is not in the allowed list."));
	/* Unverifiable (registry down): fail closed. */
	c = container("/tools", "localhost:5000/tools/unreachable:1", NULL);
	assert_int_equal(decide(policy, &facts, &c, "GET", "/_ping", &d), AUTHZ_DENY);
	assert_string_equal(d.rule, "socket.imageList");
	assert_non_null(strstr(d.msg, "container tools (0123456789ab) runs image "
	    "\"localhost:5000/tools/unreachable:1\", which could not be verified "
	    "against enhancedContainerIsolation.dockerSocketMount.imageList: could "
	    "not verify it with localhost:5000: connection refused. Retry"));
	/* No image known at all. */
	c = container("/x", NULL, NULL);
	assert_int_equal(decide(policy, &facts, &c, "GET", "/_ping", &d), AUTHZ_DENY);
	assert_string_equal(d.rule, "socket.imageList");
	assert_non_null(strstr(d.msg, "container x (0123456789ab) runs an image "
	    "dockward could not identify"));
	/* Names and images are escaped. */
	c = container("/a\"b", "evil\n:1", NULL);
	assert_int_equal(decide(policy, &facts, &c, "GET", "/_ping", &d), AUTHZ_DENY);
	assert_non_null(strstr(d.msg, "container a\\x22b (0123456789ab) runs image "
	    "\"evil\\x0a:1\""));
}

/* Without image_verify (offline tools) images match by name only. */
static void
test_container_no_facts(void **state)
{
	struct authz_decision	d;
	struct authz_caller	c;

	c = container("/ci", "docker:cli", FAKE_GOOD_ID);
	assert_int_equal(decide(policy, NULL, &c, "GET", "/v1.43/containers/json", &d),
	    AUTHZ_ALLOW);
	assert_int_equal(decide(policy, NULL, &c, "POST", PUSH, &d), AUTHZ_DENY);
	assert_string_equal(d.rule, "socket.commandList");
	c = container("/web", "alpine", FAKE_GOOD_ID);
	assert_int_equal(decide(policy, NULL, &c, "GET", "/_ping", &d), AUTHZ_DENY);
	assert_string_equal(d.rule, "socket.imageList");
	assert_non_null(strstr(d.msg, "which may not use the Docker socket: it is "
	    "not in the allowed list."));
}

/*
 * A socket container acts for the host user who created it (issue 12,
 * root cause 8): the creator's dockward.users rules hold for it, so a
 * user cannot launder a denied command through a listed socket image.
 */
static struct authz_caller
created_by(const struct authz_creator *cr)
{
	struct authz_caller c = container("/ci", "docker:cli", FAKE_GOOD_ID);

	c.creators = cr;
	c.ncreators = cr != NULL ? 1 : 0;
	return c;
}

static void
test_container_creator(void **state)
{
	static const gid_t	 exempt_group[] = { 4343 };
	struct authz_creator	 alice = { 1001, 1001, NULL, 0, "alice", false };
	struct authz_creator	 bob = { 1002, 1002, NULL, 0, "bob", false };
	struct authz_creator	 root = { 0, 0, NULL, 0, "root", false };
	struct authz_creator	 mallory = { 1003, 1003, NULL, 0, NULL, false };
	struct authz_creator	 grouped = { 1001, 1001, exempt_group, 1, "carol", false };
	struct authz_decision	 d;
	struct authz_caller	 c;

	/* Without a creator (admin-made): only the container rules. */
	c = created_by(NULL);
	assert_int_equal(decide(policy, &facts, &c, "POST",
	    "/v1.43/containers/prune", &d), AUTHZ_ALLOW);
	/* Created by alice: alice's list holds, and the message says why. */
	c = created_by(&alice);
	assert_int_equal(decide(policy, &facts, &c, "POST",
	    "/v1.43/containers/prune", &d), AUTHZ_DENY);
	assert_string_equal(d.rule, "users.commandList");
	assert_string_equal(d.msg, "dockward: docker command "
	    "\"/v1.43/containers/prune\" is blocked (users.commandList): system "
	    "prune is denied for host users, and container ci (0123456789ab) "
	    "acts for host user alice (uid 1001), who created it; an admin can "
	    "allow it in dockward.users.commandList.");
	/* What alice may do, her container may do. */
	assert_int_equal(decide(policy, &facts, &c, "GET",
	    "/v1.43/containers/json", &d), AUTHZ_ALLOW);
	/* The container's own list still comes first. */
	c = created_by(&bob);
	assert_int_equal(decide(policy, &facts, &c, "POST", PUSH, &d), AUTHZ_DENY);
	assert_string_equal(d.rule, "socket.commandList");
	/* Exempt creators: by uid, by a supplementary group, root. */
	assert_int_equal(decide(policy, &facts, &c, "POST",
	    "/v1.43/containers/prune", &d), AUTHZ_ALLOW);
	c = created_by(&grouped);
	assert_int_equal(decide(policy, &facts, &c, "POST",
	    "/v1.43/containers/prune", &d), AUTHZ_ALLOW);
	c = created_by(&root);
	assert_int_equal(decide(policy, &facts, &c, "POST",
	    "/v1.43/containers/prune", &d), AUTHZ_ALLOW);
	/* A creator who may not connect: neither may the container. */
	c = created_by(&mallory);
	assert_int_equal(decide(policy, &facts, &c, "GET", "/_ping", &d),
	    AUTHZ_DENY);
	assert_string_equal(d.rule, "users.connect");
	assert_non_null(strstr(d.msg, "container ci (0123456789ab) acts for "
	    "host user uid 1003, who created it and may not use the Docker "
	    "socket"));
	/* The image check still comes first: an unlisted image fails on it. */
	c = container("/evil", "docker:forged", FAKE_EVIL_ID);
	c.creators = &root;
	c.ncreators = 1;
	assert_int_equal(decide(policy, &facts, &c, "GET", "/_ping", &d),
	    AUTHZ_DENY);
	assert_string_equal(d.rule, "socket.imageList");
}

/*
 * A container also acts for the users who ran commands in it (exec,
 * attach, copy): a user cannot launder through someone else's socket
 * container either.  Every user's rules must allow.
 */
static void
test_container_entered(void **state)
{
	struct authz_creator	 users[] = {
		{ 0, 0, NULL, 0, "root", false },	/* the admin made it */
		{ 1002, 1002, NULL, 0, "bob", true },	/* exempt */
		{ 1001, 1001, NULL, 0, "alice", true },	/* bound by the list */
	};
	struct authz_decision	 d;
	struct authz_caller	 c = created_by(&users[0]);

	c.creators = users;
	c.ncreators = 2;
	assert_int_equal(decide(policy, &facts, &c, "POST",
	    "/v1.43/containers/prune", &d), AUTHZ_ALLOW);
	c.ncreators = 3;
	assert_int_equal(decide(policy, &facts, &c, "POST",
	    "/v1.43/containers/prune", &d), AUTHZ_DENY);
	assert_string_equal(d.rule, "users.commandList");
	assert_non_null(strstr(d.msg, "acts for host user alice (uid 1001), who "
	    "ran commands in it"));
	assert_int_equal(decide(policy, &facts, &c, "GET",
	    "/v1.43/containers/json", &d), AUTHZ_ALLOW);
}

/* The brief's case: users.commandList denies volume create, ECI on or off. */
static void
test_container_creator_volume(void **state)
{
	static const char *const docs[] = {
	    "{\"configurationFileVersion\":2,"
	    " \"enhancedContainerIsolation\":{\"value\":true,"
	    "  \"dockerSocketMount\":{\"imageList\":{\"images\":[\"docker:cli\"]}}},"
	    " \"dockward\":{\"users\":{\"commandList\":{\"type\":\"deny\","
	    "  \"commands\":[\"volume create\"]}}}}",
	    "{\"configurationFileVersion\":2,"
	    " \"enhancedContainerIsolation\":{\"value\":false},"
	    " \"dockward\":{\"users\":{\"commandList\":{\"type\":\"deny\","
	    "  \"commands\":[\"volume create\"]}}}}",
	};
	struct authz_creator	 alice = { 1001, 1001, NULL, 0, "alice", false };
	struct authz_settings	*s;
	struct authz_decision	 d;
	struct authz_caller	 c;
	struct dw_err		 err;
	size_t			 i;

	for (i = 0; i < 2; i++) {
		assert_non_null(s = authz_settings_parse(docs[i], strlen(docs[i]),
		    "<test>", &err));
		c = created_by(&alice);
		assert_int_equal(decide(s, &facts, &c, "POST",
		    "/v1.41/volumes/create", &d), AUTHZ_DENY);
		assert_string_equal(d.rule, "users.commandList");
		assert_int_equal(decide(s, &facts, &c, "GET", "/v1.41/volumes", &d),
		    AUTHZ_ALLOW);
		/* The admin's own socket container is not bound by it. */
		c = created_by(NULL);
		assert_int_equal(decide(s, &facts, &c, "POST",
		    "/v1.41/volumes/create", &d), AUTHZ_ALLOW);
		authz_settings_free(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_connect),
		cmocka_unit_test(test_host_commands),
		cmocka_unit_test(test_container_eci_off),
		cmocka_unit_test(test_container_commands),
		cmocka_unit_test(test_container_image),
		cmocka_unit_test(test_container_no_facts),
		cmocka_unit_test(test_container_creator),
		cmocka_unit_test(test_container_creator_volume),
		cmocka_unit_test(test_container_entered),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
