/*
 * test_authz_enforce: audit-only mode.  The pattern language (shapes,
 * specificity, refusals naming the key), the rules that never relax, the
 * rule list kept in step with authz_rules.h, and the decision: a denial
 * under an audit rule becomes {"decision":"allow","wouldDeny":true}.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authz/authz_audit.h"
#include "authz/authz_caller.h"
#include "authz/authz_enforce.h"
#include "authz/authz_settings.h"
#include "authz/authz_uri.h"
#include "fake_facts.h"
#include "tests/unit/read_file.h"

#define POLICY(extra) "{\"configurationFileVersion\":2," \
	"\"enhancedContainerIsolation\":{\"value\":true,\"locked\":true}," \
	"\"dockward\":{" extra "}}"

static struct authz_settings *
parse(const char *json, struct dw_err *err)
{
	return authz_settings_parse(json, strlen(json), "<test>", err);
}

static struct authz_settings *
parse_ok(const char *json)
{
	struct authz_settings	*s;
	struct dw_err		 err;

	if ((s = parse(json, &err)) == NULL)
		fail_msg("refused: %s\n%s", err.msg, json);
	return s;
}

/* json is refused, and the message has want in it. */
static void
refused(const char *json, const char *want)
{
	struct authz_settings	*s;
	struct dw_err		 err;

	err.msg[0] = '\0';
	if ((s = parse(json, &err)) != NULL) {
		authz_settings_free(s);
		fail_msg("accepted: %s", json);
	}
	if (strstr(err.msg, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
}

static bool
warned(const struct authz_settings *s, const char *want)
{
	size_t	i;

	for (i = 0; i < s->warnings.n; i++)
		if (strstr(s->warnings.v[i], want) != NULL)
			return true;
	return false;
}

/* What `dockward check` prints for s has want in it. */
static void
printed_has(const struct authz_settings *s, const char *want)
{
	char	*buf = NULL;
	size_t	 n = 0;
	FILE	*f = open_memstream(&buf, &n);

	assert_non_null(f);
	authz_settings_print(s, f);
	fclose(f);
	if (strstr(buf, want) == NULL)
		fail_msg("no \"%s\" in:\n%s", want, buf);
	free(buf);
}

static void
test_default_enforce(void **state)
{
	struct authz_settings	*s = parse_ok(POLICY(""));
	size_t			 i;

	(void)state;
	assert_false(s->enforce.any_audit);
	for (i = 0; authz_enforce_rules[i] != NULL; i++)
		assert_int_equal(authz_enforce_mode_of(&s->enforce,
		    authz_enforce_rules[i]), AUTHZ_ENFORCE_ENFORCE);
	assert_false(warned(s, "AUDIT MODE"));
	assert_int_equal(authz_enforce_audit_count(&s->enforce), 0);
	printed_has(s, "enforcement: every rule enforced\n");
	authz_settings_free(s);
	s = parse_ok(POLICY("\"ruleEnforcement\":{\"container.privileged\":\"audit\","
	    "\"mount.*\":\"audit\"}"));
	/* mount.dockerSocket never: 5 of the 6 mount.* ids, and container.privileged. */
	assert_int_equal(authz_enforce_audit_count(&s->enforce), 6);
	printed_has(s, "enforcement: AUDIT MODE for 6 rules");
	authz_settings_free(s);
}

/* Malformed patterns, unknown ids and bad values name the key and the fix. */
static void
test_refusals(void **state)
{
	static const char *const bad_shapes[] = {
		"cont*", "container.", ".container", "container..privileged",
		"*.privileged", "container.**", "", "container.*x", "**",
		"container privileged", "container.priv*",
	};
	char	json[512];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad_shapes) / sizeof(bad_shapes[0]); i++) {
		snprintf(json, sizeof(json), POLICY("\"ruleEnforcement\":{\"%s\":\"audit\"}"),
		    bad_shapes[i]);
		refused(json, "not a rule id or pattern");
	}
	refused(POLICY("\"ruleEnforcement\":{\"container.privileged2\":\"audit\"}"),
	    "dockward.ruleEnforcement.\"container.privileged2\": no such rule id");
	refused(POLICY("\"ruleEnforcement\":{\"nothing.*\":\"audit\"}"),
	    "\"nothing.*\": the wildcard matches no rule id");
	refused(POLICY("\"ruleEnforcement\":{\"container.privileged\":\"warn\"}"),
	    "dockward.ruleEnforcement.\"container.privileged\": must be \"enforce\" or \"audit\"");
	refused(POLICY("\"ruleEnforcement\":{\"container.privileged\":true}"),
	    "must be \"enforce\" or \"audit\"");
	refused(POLICY("\"ruleEnforcement\":[\"container.*\"]"),
	    "dockward.ruleEnforcement: must be an object");
	refused(POLICY("\"enforcement\":\"Audit\""),
	    "dockward.enforcement: must be \"enforce\" or \"audit\"");
	refused(POLICY("\"enforcement\":null"), "dockward.enforcement");
}

/* The rules that never relax: an exact id set to audit is refused, naming it. */
static void
test_never(void **state)
{
	static const char *const never[] = {
		"plugin.manage", "mount.dockerSocket", "socket.imageList",
		"request.json", "request.uri", "request.body", "request.form",
		"request.unstamped", "request.framing", "engine.lookup",
	};
	struct authz_settings	*s;
	char			 json[512], want[128];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		assert_true(authz_enforce_never(never[i]));
		snprintf(json, sizeof(json), POLICY("\"ruleEnforcement\":{\"%s\":\"audit\"}"),
		    never[i]);
		snprintf(want, sizeof(want), "\"%s\": this rule can never be audit-only",
		    never[i]);
		refused(json, want);
		/* "enforce" for them is fine. */
		snprintf(json, sizeof(json), POLICY("\"ruleEnforcement\":{\"%s\":\"enforce\"}"),
		    never[i]);
		s = parse_ok(json);
		authz_settings_free(s);
	}
	assert_false(authz_enforce_never("container.privileged"));
	assert_false(authz_enforce_never("mount.protectedPath"));
	/* Not rule ids at all: never relaxed. */
	assert_true(authz_enforce_never("gatekeeper.caller"));
	assert_true(authz_enforce_never("internal"));
	/* A wildcard over them: they stay enforced, with a warning naming them. */
	s = parse_ok(POLICY("\"enforcement\":\"audit\""));
	assert_true(s->enforce.any_audit);
	assert_true(warned(s, "AUDIT MODE: denials under "));
	assert_true(warned(s, "container.privileged"));
	assert_true(warned(s, "mount.dockerSocket, "));
	assert_true(warned(s, "plugin.manage"));
	assert_true(warned(s, "can never be audit-only and stay enforced"));
	assert_true(warned(s, "mount.protectedPath stays enforced for dockward's own paths"));
	authz_settings_free(s);
	s = parse_ok(POLICY("\"ruleEnforcement\":{\"request.*\":\"enforce\",\"*\":\"audit\"}"));
	assert_true(s->enforce.any_audit);
	authz_settings_free(s);
	/* request.* to audit covers only never rules: nothing is relaxed, but it warns. */
	s = parse_ok(POLICY("\"ruleEnforcement\":{\"request.*\":\"audit\"}"));
	assert_false(s->enforce.any_audit);
	assert_true(warned(s, "request.uri, request.body"));
	authz_settings_free(s);
}

/* Most specific wins: exact, then the longer prefix, then "*", then the global mode. */
static void
test_specificity(void **state)
{
	static const struct {
		const char	*rule;
		enum authz_enforce_mode want;
	} rows[] = {
		{ "container.privileged", AUTHZ_ENFORCE_ENFORCE },	/* exact */
		{ "container.namespace", AUTHZ_ENFORCE_AUDIT },		/* container.* */
		{ "container.capabilities", AUTHZ_ENFORCE_AUDIT },
		{ "mount.protectedPath", AUTHZ_ENFORCE_ENFORCE },	/* "*" */
		{ "mount.type", AUTHZ_ENFORCE_ENFORCE },
		{ "egress.dns", AUTHZ_ENFORCE_AUDIT },			/* exact over egress.* */
		{ "egress.network", AUTHZ_ENFORCE_ENFORCE },		/* egress.* */
		{ "image.load", AUTHZ_ENFORCE_ENFORCE },
	};
	struct authz_settings	*s;
	size_t			 i;

	(void)state;
	/* Written in every order: the answer does not depend on it. */
	s = parse_ok(POLICY("\"enforcement\":\"audit\",\"ruleEnforcement\":{"
	    "\"egress.dns\":\"audit\",\"*\":\"enforce\",\"container.privileged\":"
	    "\"enforce\",\"egress.*\":\"enforce\",\"container.*\":\"audit\"}"));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (authz_enforce_mode_of(&s->enforce, rows[i].rule) != rows[i].want)
			fail_msg("%s: wrong mode", rows[i].rule);
	authz_settings_free(s);
	s = parse_ok(POLICY("\"ruleEnforcement\":{\"container.*\":\"audit\","
	    "\"egress.*\":\"enforce\",\"*\":\"enforce\",\"egress.dns\":\"audit\","
	    "\"container.privileged\":\"enforce\"}"));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (authz_enforce_mode_of(&s->enforce, rows[i].rule) != rows[i].want)
			fail_msg("%s: wrong mode (other order)", rows[i].rule);
	authz_settings_free(s);
	/* Without ruleEnforcement, the global mode; with no match, too. */
	s = parse_ok(POLICY("\"enforcement\":\"audit\",\"ruleEnforcement\":{"
	    "\"egress.*\":\"enforce\"}"));
	assert_int_equal(authz_enforce_mode_of(&s->enforce, "container.privileged"),
	    AUTHZ_ENFORCE_AUDIT);
	assert_int_equal(authz_enforce_mode_of(&s->enforce, "egress.dns"),
	    AUTHZ_ENFORCE_ENFORCE);
	authz_settings_free(s);
}

/* Every id of authz_rules.h is known to authz_enforce (a new rule must be added there). */
static void
test_rules_in_step(void **state)
{
	const char	*top = getenv("top_srcdir");
	char		 path[PATH_MAX], *text, *p, *q, id[96];
	size_t		 n = 0, listed = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/authz/authz_rules.h", top ? top : ".");
	if ((text = test_file_read(path, NULL)) == NULL)
		fail_msg("%s: cannot read", path);
	for (p = text; (p = strstr(p, "#define RULE_")) != NULL; p = q) {
		assert_non_null(p = strchr(p, '"'));
		assert_non_null(q = strchr(++p, '"'));
		assert_true((size_t)(q - p) < sizeof(id));
		memcpy(id, p, (size_t)(q - p));
		id[q - p] = '\0';
		if (!authz_enforce_rule_known(id))
			fail_msg("rule %s of authz_rules.h is not in authz_enforce_rules", id);
		n++;
	}
	while (authz_enforce_rules[listed] != NULL)
		listed++;
	assert_int_equal(n, listed);
	free(text);
}

static struct authz_facts	facts;

static int
setup(void **state)
{
	(void)state;
	return fake_setup(&facts);
}

static int
teardown(void **state)
{
	(void)state;
	fake_teardown();
	return 0;
}

#define CREATE	"/v1.41/containers/create"

/* The decision: a would-deny keeps its rule, field and message. */
static void
test_decide(void **state)
{
	struct authz_settings	*audit, *enforce, *prot;
	struct authz_decision	 d;
	struct authz_request	 req = { .method = "POST", .raw_uri = CREATE };
	char			*line;

	(void)state;
	audit = parse_ok(POLICY("\"enforcement\":\"audit\""));
	enforce = parse_ok(POLICY(""));
	prot = parse_ok(POLICY("\"ruleEnforcement\":{\"mount.protectedPath\":\"audit\"}"));

	fake_decide(enforce, &facts, NULL, "POST", CREATE,
	    "{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true}}", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_false(d.would_deny);
	assert_string_equal(d.rule, "container.privileged");

	fake_decide(audit, &facts, NULL, "POST", CREATE,
	    "{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true}}", &d);
	assert_int_equal(d.verdict, AUTHZ_ALLOW);
	assert_true(d.would_deny);
	assert_string_equal(d.rule, "container.privileged");
	assert_string_equal(d.field, "HostConfig.Privileged");
	assert_non_null(strstr(d.msg, "dockward: "));
	/* The record: "wouldDeny" right after "decision", the reason kept. */
	assert_non_null(line = authz_audit_format(&req, &d, "plugin"));
	assert_non_null(strstr(line, "\"decision\":\"allow\",\"wouldDeny\":true,"
	    "\"rule\":\"container.privileged\",\"field\":\"HostConfig.Privileged\","
	    "\"reason\":\"dockward: "));
	free(line);

	/* An ordinary allow stays as it was. */
	fake_decide(audit, &facts, NULL, "POST", CREATE, "{\"Image\":\"busybox\"}", &d);
	assert_int_equal(d.verdict, AUTHZ_ALLOW);
	assert_false(d.would_deny);
	assert_string_equal(d.rule, "allow");
	assert_non_null(line = authz_audit_format(&req, &d, "plugin"));
	assert_null(strstr(line, "wouldDeny"));
	assert_non_null(strstr(line, "\"decision\":\"allow\",\"rule\":\"allow\",\"field\":\"\",\"reason\":\"\""));
	free(line);

	/* The socket of an unlisted image stays denied in audit mode. */
	fake_decide(audit, &facts, NULL, "POST", CREATE, "{\"Image\":\"busybox\","
	    "\"HostConfig\":{\"Binds\":[\"@T@/docker.sock:/var/run/docker.sock\"]}}", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_string_equal(d.rule, "mount.dockerSocket");
	assert_false(d.would_deny);

	/* Plugin management and unreadable requests too. */
	fake_decide(audit, &facts, NULL, "POST", "/v1.41/plugins/pull?remote=x", "[]", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_string_equal(d.rule, "plugin.manage");
	fake_decide(audit, &facts, NULL, "POST", CREATE, "{\"Image\":", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_int_equal(strncmp(d.rule, "request.", 8), 0);

	/* mount.protectedPath in audit: /etc is let through, dockward's own dir is not. */
	fake_decide(prot, &facts, NULL, "POST", CREATE, "{\"Image\":\"busybox\","
	    "\"HostConfig\":{\"Binds\":[\"/etc:/host-etc\"]}}", &d);
	assert_int_equal(d.verdict, AUTHZ_ALLOW);
	assert_true(d.would_deny);
	assert_string_equal(d.rule, "mount.protectedPath");
	fake_decide(prot, &facts, NULL, "POST", CREATE, "{\"Image\":\"busybox\","
	    "\"HostConfig\":{\"Binds\":[\"@O@:/own\"]}}", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_string_equal(d.rule, "mount.protectedPath");
	assert_true(d.enforced);
	/* ... nor a directory above it. */
	fake_decide(prot, &facts, NULL, "POST", CREATE, "{\"Image\":\"busybox\","
	    "\"HostConfig\":{\"Binds\":[\"/tmp:/t\"]}}", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_true(d.enforced);
	/* Privileged stays enforced under this policy. */
	fake_decide(prot, &facts, NULL, "POST", CREATE,
	    "{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true}}", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);

	authz_settings_free(audit);
	authz_settings_free(enforce);
	authz_settings_free(prot);
}

/* A container made under audit mode: its start is judged by its stored settings, rule by rule. */
static void
test_existing(void **state)
{
	struct authz_settings	*priv, *other, *existing, *existing_own;
	struct authz_decision	 d;

	(void)state;
	priv = parse_ok(POLICY("\"ruleEnforcement\":{\"container.privileged\":\"audit\"}"));
	other = parse_ok(POLICY("\"ruleEnforcement\":{\"container.namespace\":\"audit\"}"));
	existing = parse_ok(POLICY("\"ruleEnforcement\":{\"container.existing\":\"audit\"}"));
	existing_own = parse_ok(POLICY("\"ruleEnforcement\":{\"container.existing\":"
	    "\"audit\",\"mount.protectedPath\":\"audit\"}"));
	/* The stored setting's own rule is in audit mode: it is the would-deny. */
	fake_decide(priv, &facts, NULL, "POST", "/v1.41/containers/privctr/start", NULL, &d);
	assert_int_equal(d.verdict, AUTHZ_ALLOW);
	assert_true(d.would_deny);
	assert_string_equal(d.rule, "container.privileged");
	/* Another rule in audit mode does not help. */
	fake_decide(other, &facts, NULL, "POST", "/v1.41/containers/privctr/start", NULL, &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_string_equal(d.rule, "container.existing");
	/* container.existing itself in audit mode lets the enforced setting through. */
	fake_decide(existing, &facts, NULL, "POST", "/v1.41/containers/privctr/start", NULL, &d);
	assert_int_equal(d.verdict, AUTHZ_ALLOW);
	assert_true(d.would_deny);
	assert_string_equal(d.rule, "container.existing");
	assert_string_equal(d.via, "container.privileged");
	/* ... but not one holding what is never audit-only: the socket of an unlisted image. */
	fake_decide(existing, &facts, NULL, "POST", "/v1.41/containers/evilsockctr/start", NULL, &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_string_equal(d.rule, "mount.dockerSocket");
	authz_settings_free(priv);
	authz_settings_free(other);
	authz_settings_free(existing);
	authz_settings_free(existing_own);
}

/*
 * The rules go on after a denial they let through: an enforced rule later
 * in the same request still denies.
 */
static void
test_later_rules(void **state)
{
	struct authz_settings	*priv, *vol, *prot;
	struct authz_decision	 d;

	(void)state;
	priv = parse_ok(POLICY("\"ruleEnforcement\":{\"container.privileged\":\"audit\"}"));
	vol = parse_ok(POLICY("\"ruleEnforcement\":{\"volume.options\":\"audit\"}"));
	prot = parse_ok(POLICY("\"ruleEnforcement\":{\"mount.protectedPath\":\"audit\"}"));
	/* Privileged (audit) and the socket of an unlisted image (never). */
	fake_decide(priv, &facts, NULL, "POST", CREATE, "{\"Image\":\"busybox\","
	    "\"HostConfig\":{\"Privileged\":true,\"Binds\":["
	    "\"@T@/docker.sock:/var/run/docker.sock\"]}}", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_string_equal(d.rule, "mount.dockerSocket");
	/* Privileged (audit) and a protected path (enforced). */
	fake_decide(priv, &facts, NULL, "POST", CREATE, "{\"Image\":\"busybox\","
	    "\"HostConfig\":{\"Privileged\":true,\"Binds\":[\"/etc:/e\"]}}", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_string_equal(d.rule, "mount.protectedPath");
	/* Privileged (audit) and a host namespace (enforced). */
	fake_decide(priv, &facts, NULL, "POST", CREATE, "{\"Image\":\"busybox\","
	    "\"HostConfig\":{\"Privileged\":true,\"PidMode\":\"host\"}}", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_string_equal(d.rule, "container.namespace");
	/* Both in audit mode: the first is the would-deny. */
	fake_decide(prot, &facts, NULL, "POST", CREATE, "{\"Image\":\"busybox\","
	    "\"HostConfig\":{\"Binds\":[\"/etc:/e\",\"/usr:/u\"]}}", &d);
	assert_int_equal(d.verdict, AUTHZ_ALLOW);
	assert_true(d.would_deny);
	assert_string_equal(d.field, "HostConfig.Binds[0]");
	/* volume.options let through: the bind device is still judged (the socket's directory). */
	fake_decide(vol, &facts, NULL, "POST", "/v1.41/volumes/create",
	    "{\"Name\":\"v\",\"Driver\":\"local\",\"DriverOpts\":{\"type\":\"none\","
	    "\"o\":\"bind,shared\",\"device\":\"@T@\"}}", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_string_equal(d.rule, "mount.dockerSocket");
	fake_decide(vol, &facts, NULL, "POST", "/v1.41/volumes/create",
	    "{\"Name\":\"v\",\"Driver\":\"local\",\"DriverOpts\":{\"type\":\"none\","
	    "\"o\":\"bind,shared\",\"device\":\"/etc\"}}", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_string_equal(d.rule, "mount.protectedPath");
	fake_decide(vol, &facts, NULL, "POST", "/v1.41/volumes/create",
	    "{\"Name\":\"v\",\"Driver\":\"local\",\"DriverOpts\":{\"type\":\"none\","
	    "\"o\":\"bind,shared\",\"device\":\"@T@/project\"}}", &d);
	assert_int_equal(d.verdict, AUTHZ_ALLOW);
	assert_true(d.would_deny);
	assert_string_equal(d.rule, "volume.options");
	/* A device dockward cannot check (relative: dockerd resolves it) is never let through. */
	fake_decide(vol, &facts, NULL, "POST", "/v1.41/volumes/create",
	    "{\"Name\":\"v\",\"Driver\":\"local\",\"DriverOpts\":{\"type\":\"none\","
	    "\"o\":\"bind\",\"device\":\"etc\"}}", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_string_equal(d.rule, "volume.options");
	assert_true(d.enforced);
	/* Nor a bind source that cannot be checked. */
	fake_decide(prot, &facts, NULL, "POST", CREATE, "{\"Image\":\"busybox\","
	    "\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"etc\","
	    "\"Target\":\"/e\"}]}}", &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	authz_settings_free(priv);
	authz_settings_free(vol);
	authz_settings_free(prot);
}

/* The gatekeeper's caller rules: a host user's command list in audit mode. */
static void
test_caller(void **state)
{
	static const char json[] = POLICY("\"users\":{\"allowUsers\":[\"1001\"],"
	    "\"commandList\":{\"type\":\"deny\",\"commands\":[\"push\"]}},"
	    "\"ruleEnforcement\":{\"users.*\":\"audit\"}");
	static const char json_cmd[] = POLICY("\"users\":{\"allowUsers\":[\"1001\"],"
	    "\"commandList\":{\"type\":\"deny\",\"commands\":[\"push\"]}},"
	    "\"ruleEnforcement\":{\"users.connect\":\"audit\"}");
	struct authz_settings	*s = parse_ok(json), *cmd = parse_ok(json_cmd);
	struct authz_caller	 c = { .kind = AUTHZ_CALLER_HOST, .pid = 1, .uid = 1001, .gid = 1001 };
	struct authz_request	 req = { .method = "POST", .raw_uri = "/v1.43/images/x/push" };
	struct authz_decision	 d;
	struct authz_uri	*uri;
	struct dw_err		 err;

	(void)state;
	assert_int_equal(authz_uri_parse(req.method, req.raw_uri, &uri, &err), 0);
	req.uri = uri;
	req.caller = &c;
	assert_int_equal(authz_caller_decide(s, &facts, &c, &req, &d), AUTHZ_ALLOW);
	assert_true(d.would_deny);
	assert_string_equal(d.rule, "users.commandList");
	/* Not allowed to connect (audit), then the command list (audit): the first. */
	c.uid = 2000;
	assert_int_equal(authz_caller_decide(s, &facts, &c, &req, &d), AUTHZ_ALLOW);
	assert_true(d.would_deny);
	assert_string_equal(d.rule, "users.connect");
	/* users.connect let through, the command list enforced: denied by it. */
	assert_int_equal(authz_caller_decide(cmd, &facts, &c, &req, &d), AUTHZ_DENY);
	assert_string_equal(d.rule, "users.commandList");
	authz_uri_free(uri);
	authz_settings_free(s);
	authz_settings_free(cmd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_enforce),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_never),
		cmocka_unit_test(test_specificity),
		cmocka_unit_test(test_rules_in_step),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_existing),
		cmocka_unit_test(test_later_rules),
		cmocka_unit_test(test_caller),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
