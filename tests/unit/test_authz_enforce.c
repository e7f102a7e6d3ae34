/*
 * test_authz_enforce: audit-only mode.  The pattern language (shapes,
 * specificity, refusals naming the key), the rules that never relax, the
 * rule list kept in step with authz_rules.h, and the decision: a denial
 * under an audit rule becomes {"decision":"allow","wouldDeny":true}, and
 * the rules go on after it (test_skipped_checks, and the property of
 * test_property_fragments and test_property_corpus).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/*
 * Each place where a denial let through used to end its function early,
 * skipping a check of another rule (or of the same rule that can never
 * be audit-only): the later check still denies.
 */
#define ECI_SOCK	"\"enhancedContainerIsolation\":{\"value\":true,\"locked\":true," \
	"\"dockerSocketMount\":{\"imageList\":{\"images\":[\"docker:cli\"]}}}"
#define SHARE_PROJECT	"\"filesharingAllowedDirectories\":[{\"path\":\"@T@/project\"," \
	"\"sharedByDefault\":true}]"
#define V2(x)		"{\"configurationFileVersion\":2," x "}"
#define HCB(x)		"{\"Image\":\"busybox\",\"HostConfig\":{" x "}}"

/* A policy with "@T@" expanded. */
static struct authz_settings *
parse_fake(const char *tmpl)
{
	struct authz_settings	*s;
	char			*json = fake_expand(tmpl);

	assert_non_null(json);
	s = parse_ok(json);
	free(json);
	return s;
}

/* d is a denial by rule, not let through. */
static void
denied_by(const char *name, const struct authz_decision *d, const char *rule)
{
	if (d->verdict != AUTHZ_DENY || d->would_deny || d->rule == NULL ||
	    strcmp(d->rule, rule) != 0)
		fail_msg("%s: want a denial by %s, got %s %s: %s", name, rule,
		    d->verdict == AUTHZ_ALLOW ? "allow" : "deny",
		    d->rule ? d->rule : "(null)", d->msg);
}

/* d is an allow that would have denied by rule. */
static void
let_through(const char *name, const struct authz_decision *d, const char *rule)
{
	if (d->verdict != AUTHZ_ALLOW || !d->would_deny || d->rule == NULL ||
	    strcmp(d->rule, rule) != 0)
		fail_msg("%s: want an allow that would deny by %s, got %s %s%s: %s",
		    name, rule, d->verdict == AUTHZ_ALLOW ? "allow" : "deny",
		    d->would_deny ? "(would deny) " : "", d->rule ? d->rule : "(null)",
		    d->msg);
}

static void
test_skipped_checks(void **state)
{
	struct authz_settings	*enforce, *rootsock, *prot, *prot_listed, *ns,
				*vol, *dev, *logd, *sys, *sec, *ports, *hostif,
				*ram, *ram_enf, *egress;
	struct authz_decision	 d;

	(void)state;
	enforce = parse_fake(V2(ECI_SOCK "," SHARE_PROJECT
	    ",\"portBindingBehavior\":{\"value\":\"local-only-port-binding\"}"));
	rootsock = parse_fake(V2(ECI_SOCK "," SHARE_PROJECT ",\"dockward\":"
	    "{\"ruleEnforcement\":{\"mount.rootSocket\":\"audit\"}}"));
	/* A protected directory above the Docker socket (as /run above /run/docker.sock). */
	prot = parse_fake(V2(ECI_SOCK ",\"dockward\":{\"protectedPaths\":[\"/etc\",\"@T@\"],"
	    "\"ruleEnforcement\":{\"mount.protectedPath\":\"audit\"}}"));
	prot_listed = parse_fake(V2("\"enhancedContainerIsolation\":{\"value\":true,"
	    "\"dockerSocketMount\":{\"imageList\":{\"images\":[\"busybox\"]}}},"
	    "\"dockward\":{\"protectedPaths\":[\"/etc\",\"@T@\"],"
	    "\"ruleEnforcement\":{\"mount.protectedPath\":\"audit\"}}"));
	ns = parse_ok(POLICY("\"ruleEnforcement\":{\"container.namespace\":\"audit\"}"));
	vol = parse_ok(POLICY("\"ruleEnforcement\":{\"volume.options\":\"audit\"}"));
	dev = parse_ok(POLICY("\"ruleEnforcement\":{\"container.devices\":\"audit\"}"));
	logd = parse_ok(POLICY("\"ruleEnforcement\":{\"container.logDriver\":\"audit\"}"));
	sys = parse_ok(POLICY("\"ruleEnforcement\":{\"container.sysctls\":\"audit\"}"));
	sec = parse_ok(POLICY("\"ruleEnforcement\":{\"container.securityOpt\":\"audit\"}"));
	ports = parse_ok(V2(ECI_SOCK ",\"portBindingBehavior\":{\"value\":"
	    "\"local-only-port-binding\"},\"dockward\":{\"ruleEnforcement\":"
	    "{\"container.ports\":\"audit\"}}"));
	hostif = parse_ok(POLICY("\"ruleEnforcement\":{\"network.hostInterface\":\"audit\"}"));
	ram_enf = parse_ok(V2("\"dockward\":{\"registryAccess\":{\"allowed\":[\"docker.io\"]},"
	    "\"imageAccess\":{\"officialImages\":true,\"communityImages\":false}}"));
	ram = parse_ok(V2("\"dockward\":{\"registryAccess\":{\"allowed\":[\"docker.io\"]},"
	    "\"imageAccess\":{\"officialImages\":true,\"communityImages\":false},"
	    "\"ruleEnforcement\":{\"registry.access\":\"audit\"}}"));
	egress = parse_ok(V2("\"containersProxy\":{\"locked\":true,\"mode\":\"manual\","
	    "\"http\":\"\",\"https\":\"\",\"exclude\":[],\"transparentPorts\":\"*\"},"
	    "\"dockward\":{\"ruleEnforcement\":{\"egress.network\":\"audit\"}}"));

	/* mount.rootSocket let through: file sharing still holds (authz_mount.c). */
	fake_decide(enforce, &facts, NULL, "POST", CREATE,
	    HCB("\"Binds\":[\"@T@/containerd.sock:/c.sock\"]"), &d);
	denied_by("root socket, enforced", &d, geteuid() == 0 ? "mount.rootSocket" :
	    "mount.fileSharing");
	fake_decide(rootsock, &facts, NULL, "POST", CREATE,
	    HCB("\"Binds\":[\"@T@/containerd.sock:/c.sock\"]"), &d);
	denied_by("root socket in audit, outside the shared dirs", &d, "mount.fileSharing");
	fake_decide(rootsock, &facts, NULL, "POST", CREATE,
	    HCB("\"Binds\":[\"@T@/project:/p\"]"), &d);
	assert_int_equal(d.verdict, AUTHZ_ALLOW);

	/* mount.protectedPath let through: the Docker socket below still counts. */
	fake_decide(prot, &facts, NULL, "POST", CREATE, HCB("\"Binds\":[\"@T@:/t\"]"), &d);
	denied_by("protected dir above the socket", &d, "mount.dockerSocket");
	fake_decide(prot, &facts, NULL, "POST", CREATE,
	    "{\"Image\":\"busybox\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\","
	    "\"Source\":\"@T@\",\"Target\":\"/t\"}]}}", &d);
	denied_by("protected dir above the socket (Mounts)", &d, "mount.dockerSocket");
	fake_decide(prot_listed, &facts, NULL, "POST", CREATE, HCB("\"Binds\":[\"@T@:/t\"]"), &d);
	let_through("protected dir above the socket, listed image", &d, "mount.protectedPath");

	/* container.namespace let through: the modes after it are still followed. */
	fake_decide(ns, &facts, NULL, "POST", CREATE,
	    HCB("\"PidMode\":\"host\",\"IpcMode\":\"container:brokenctr\""), &d);
	denied_by("pid host, then an ipc chain that cannot be followed", &d, "engine.lookup");
	/* ... and a chain cut short ends nowhere (no host namespace, no stale end). */
	fake_decide(ns, &facts, NULL, "POST", CREATE,
	    HCB("\"PidMode\":\"container:nosuchctr\""), &d);
	let_through("pid of a missing container", &d, "container.namespace");
	fake_decide(ns, &facts, NULL, "POST", CREATE,
	    HCB("\"NetworkMode\":\"container:loopa\""), &d);
	let_through("network of a loop", &d, "container.namespace");
	fake_decide(egress, &facts, NULL, "POST", CREATE,
	    HCB("\"NetworkMode\":\"container:nosuchctr\""), &d);
	let_through("egress: network of a missing container", &d, "egress.network");
	fake_decide(egress, &facts, NULL, "POST", CREATE,
	    HCB("\"NetworkMode\":\"container:loopa\""), &d);
	let_through("egress: network of a loop", &d, "egress.network");

	/* volume.options let through: a device dockward cannot check still denies. */
	fake_decide(vol, &facts, NULL, "POST", "/v1.41/volumes/create",
	    "{\"Name\":\"v\",\"Driver\":\"local\",\"DriverOpts\":{\"type\":\"none\","
	    "\"o\":\"bind,shared\",\"device\":\"etc\"}}", &d);
	denied_by("shared, then a relative device", &d, "volume.options");
	assert_true(d.enforced);
	fake_decide(vol, &facts, NULL, "POST", "/v1.41/volumes/create",
	    "{\"Name\":\"v\",\"Driver\":\"local\",\"DriverOpts\":{\"type\":\"ext4\","
	    "\"o\":\"bind\",\"device\":\"@T@/docker.sock\"}}", &d);
	denied_by("a type on a bind, then the socket", &d, "mount.dockerSocket");

	/* The entries after one let through are still read (request.json never relaxes). */
	fake_decide(dev, &facts, NULL, "POST", CREATE, HCB("\"Devices\":[{\"PathOnHost\":"
	    "\"/dev/sda\"},5]"), &d);
	denied_by("devices", &d, "request.json");
	fake_decide(logd, &facts, NULL, "POST", CREATE, HCB("\"LogConfig\":{\"Type\":"
	    "\"syslog\",\"Config\":{\"syslog-address\":\"unix:///dev/log\",\"tag\":5}}"), &d);
	denied_by("log options", &d, "request.json");
	fake_decide(sys, &facts, NULL, "POST", CREATE, HCB("\"Sysctls\":{\"kernel.x\":"
	    "\"1\",\"kernel.y\":5}"), &d);
	denied_by("sysctls", &d, "request.json");
	fake_decide(sec, &facts, NULL, "POST", CREATE, HCB("\"SecurityOpt\":"
	    "[\"seccomp=unconfined\"],\"MaskedPaths\":5"), &d);
	denied_by("security options", &d, "request.json");
	fake_decide(sec, &facts, NULL, "POST", "/v1.41/services/create",
	    "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Privileges\":"
	    "{\"Seccomp\":{\"Mode\":\"unconfined\"},\"AppArmor\":{\"Mode\":5}}}}}", &d);
	denied_by("service privileges", &d, "request.json");
	fake_decide(ports, &facts, NULL, "POST", CREATE, HCB("\"PortBindings\":{\"80/tcp\":"
	    "[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"80\"},5]}"), &d);
	denied_by("port bindings", &d, "request.json");
	fake_decide(hostif, &facts, NULL, "POST", "/v1.41/networks/create",
	    "{\"Name\":\"n\",\"Driver\":\"macvlan\",\"Options\":{\"parent\":\"eth0\","
	    "\"mtu\":5}}", &d);
	denied_by("network options", &d, "request.json");

	/* registry.access let through: image access still judges what cannot be read. */
	fake_decide(ram_enf, &facts, NULL, "POST",
	    "/v1.41/images/create?fromImage=Evil/Upper&tag=1", NULL, &d);
	denied_by("unreadable reference, enforced", &d, "registry.access");
	fake_decide(ram, &facts, NULL, "POST",
	    "/v1.41/images/create?fromImage=Evil/Upper&tag=1", NULL, &d);
	denied_by("unreadable reference, registry access in audit", &d, "image.access");
	fake_decide(ram, &facts, NULL, "POST",
	    "/v1.41/images/create?fromImage=evil.example/x&tag=1", NULL, &d);
	let_through("another registry", &d, "registry.access");

	authz_settings_free(enforce);
	authz_settings_free(rootsock);
	authz_settings_free(prot);
	authz_settings_free(prot_listed);
	authz_settings_free(ns);
	authz_settings_free(vol);
	authz_settings_free(dev);
	authz_settings_free(logd);
	authz_settings_free(sys);
	authz_settings_free(sec);
	authz_settings_free(ports);
	authz_settings_free(hostif);
	authz_settings_free(ram);
	authz_settings_free(ram_enf);
	authz_settings_free(egress);
}

/*
 * The property: a rule in audit mode lets through its own denials only.
 * A request's objections are found one by one (its chain): decided with
 * no rule in audit mode, it names the first; with that one in audit mode,
 * the next; and so on until it is allowed (its would-deny is then the
 * first of the chain) or denied by a rule that never relaxes.  Then:
 *   - with only the i-th rule of the chain in audit mode, the decision is
 *     a denial by the first (i > 0) or the second (i = 0): a rule let
 *     through never hides the others;
 *   - the chain of two requests' settings together holds exactly the
 *     rules of their two chains (one that never relaxes ends both).
 * Fragments with their known chains, every pair of them, and the decide
 * fuzz corpus are checked.
 */
#define CHAIN_MAX	12
#define PCACHE_MAX	512

struct chain {
	const char	*rule[CHAIN_MAX];	/* the auditable objections, in order */
	size_t		 n;
	const char	*end;			/* the denial that stays, or NULL (allowed) */
};

/* Property policies: "@T@" expanded, a ruleEnforcement block added. */
enum { PP_ECI, PP_ALL, NPP };
static const char *const pp_head[NPP] = {
	[PP_ECI] = "{\"configurationFileVersion\":2," ECI_SOCK "," SHARE_PROJECT ","
	    "\"portBindingBehavior\":{\"value\":\"local-only-port-binding\"},"
	    "\"dockward\":{",
	[PP_ALL] = "{\"configurationFileVersion\":2," ECI_SOCK "," SHARE_PROJECT ","
	    "\"portBindingBehavior\":{\"value\":\"local-only-port-binding\"},"
	    "\"blockDockerLoad\":{\"value\":true},"
	    "\"containersProxy\":{\"locked\":true,\"mode\":\"manual\",\"http\":\"\","
	    "\"https\":\"\",\"exclude\":[],\"transparentPorts\":\"*\"},"
	    "\"dockward\":{\"egress\":{\"dnsServers\":[\"10.0.0.53\"]},"
	    "\"registryAccess\":{\"allowed\":[\"docker.io\"]},\"imageAccess\":"
	    "{\"officialImages\":true,\"communityImages\":false},",
};

static struct {
	char			*key;
	struct authz_settings	*s;
} pcache[PCACHE_MAX];
static size_t	npcache;

static void
pcache_clear(void)
{
	while (npcache > 0) {
		npcache--;
		free(pcache[npcache].key);
		authz_settings_free(pcache[npcache].s);
	}
}

/* The property policy pp with rules audit[0..n) in audit mode (kept until pcache_clear). */
static const struct authz_settings *
pp_policy(int pp, const char *const *audit, size_t n)
{
	char	json[4096], key[1024];
	size_t	i, o, k;
	int	w;

	k = (size_t)snprintf(key, sizeof(key), "%d", pp);
	o = (size_t)snprintf(json, sizeof(json), "%s\"ruleEnforcement\":{", pp_head[pp]);
	for (i = 0; i < n; i++) {
		w = snprintf(json + o, sizeof(json) - o, "%s\"%s\":\"audit\"",
		    i ? "," : "", audit[i]);
		assert_true(w > 0 && (size_t)w < sizeof(json) - o);
		o += (size_t)w;
		w = snprintf(key + k, sizeof(key) - k, " %s", audit[i]);
		assert_true(w > 0 && (size_t)w < sizeof(key) - k);
		k += (size_t)w;
	}
	assert_true(o + 3 < sizeof(json));
	memcpy(json + o, "}}}", 4);
	for (i = 0; i < npcache; i++)
		if (strcmp(pcache[i].key, key) == 0)
			return pcache[i].s;
	assert_true(npcache < PCACHE_MAX);
	pcache[npcache].s = parse_fake(json);
	assert_non_null(pcache[npcache].key = strdup(key));
	return pcache[npcache++].s;
}

struct preq {
	const char	*name;
	const char	*method;
	const char	*uri;
	const char	*body;		/* after "@T@" expansion, or raw bytes */
	size_t		 body_len;
	bool		 build;		/* the body is a held-back build context */
};

static void
preq_decide(const struct authz_settings *s, const struct preq *q,
    struct authz_decision *d)
{
	struct authz_request	 req;
	struct authz_uri	*uri = NULL;
	struct dw_err		 err;

	memset(&req, 0, sizeof(req));
	req.method = q->method;
	req.raw_uri = q->uri;
	if (authz_uri_parse(q->method, q->uri, &uri, &err) < 0) {
		uri = NULL;
		req.uri_error = err.msg;
	}
	req.uri = uri;
	if (q->body != NULL && q->body_len > 0) {
		req.body = (const unsigned char *)q->body;
		req.body_len = q->body_len;
		req.content_type = "application/json";
		if (q->build) {
			req.build_inspected = true;
			req.build_context = q->body;
			req.build_context_len = q->body_len;
			req.content_type = "application/x-tar";
		}
	}
	req.content_length = (long long)req.body_len;
	authz_decide(s, &facts, &req, d);
	authz_uri_free(uri);
}

/* The gatekeeper's builds (the context held back): the same, for registry access. */
static void
test_skipped_build(void **state)
{
	static const char junk[] = "not a tar";
	struct authz_settings	*enf, *ctx, *ram;
	struct authz_decision	 d;
	struct preq		 q = { .method = "POST", .body = junk,
				    .body_len = sizeof(junk) - 1, .build = true };

	(void)state;
#define BUILD_POLICY(x)	V2("\"dockward\":{\"allowBuildKit\":true,\"registryAccess\":" \
	"{\"allowed\":[\"docker.io\"]}" x "}")
	enf = parse_ok(BUILD_POLICY(""));
	ctx = parse_ok(BUILD_POLICY(",\"ruleEnforcement\":{\"build.context\":\"audit\"}"));
	ram = parse_ok(BUILD_POLICY(",\"ruleEnforcement\":{\"registry.access\":\"audit\"}"));
#undef BUILD_POLICY

	/* A BuildKit build let through: its remote context's host is still judged. */
	q.name = "BuildKit, remote context";
	q.uri = "/v1.43/build?version=2&remote=https://evil.example/r.tar.gz";
	preq_decide(enf, &q, &d);
	denied_by(q.name, &d, "build.context");
	preq_decide(ctx, &q, &d);
	denied_by(q.name, &d, "registry.access");
	q.uri = "/v1.43/build?version=2&remote=https://docker.io/r.tar.gz";
	preq_decide(ctx, &q, &d);
	let_through(q.name, &d, "build.context");
	/* A remote context registry access lets through is still one dockward cannot see. */
	q.name = "remote context of no host";
	q.uri = "/v1.43/build?remote=weird";
	preq_decide(enf, &q, &d);
	denied_by(q.name, &d, "registry.access");
	preq_decide(ram, &q, &d);
	denied_by(q.name, &d, "build.context");
	q.name = "remote context of another host";
	q.uri = "/v1.43/build?remote=https://evil.example/r.tar.gz";
	preq_decide(ram, &q, &d);
	denied_by(q.name, &d, "build.context");
	/* Build args or a Dockerfile dockward cannot read: never let through. */
	q.name = "build args given twice";
	q.uri = "/v1.43/build?buildargs=%7B%22B%22%3A%22a%22%2C%22B%22%3A%22b%22%7D";
	preq_decide(ctx, &q, &d);
	denied_by(q.name, &d, "build.context");
	assert_true(d.enforced);
	q.name = "no Dockerfile";
	q.uri = "/v1.43/build";
	preq_decide(ctx, &q, &d);
	denied_by(q.name, &d, "build.context");
	assert_true(d.enforced);
	authz_settings_free(enf);
	authz_settings_free(ctx);
	authz_settings_free(ram);
}

static bool
chain_has(const struct chain *ch, const char *rule)
{
	size_t	i;

	for (i = 0; i < ch->n; i++)
		if (strcmp(ch->rule[i], rule) == 0)
			return true;
	return false;
}

/* q's chain under policy pp; fails when audit mode lets a rule deny on. */
static void
chain_of(int pp, const struct preq *q, struct chain *ch)
{
	struct authz_decision	d;

	memset(ch, 0, sizeof(*ch));
	for (;;) {
		preq_decide(pp_policy(pp, ch->rule, ch->n), q, &d);
		if (d.verdict == AUTHZ_ALLOW) {
			if (ch->n == 0 && d.would_deny)
				fail_msg("%s: a would-deny (%s) with no rule in audit "
				    "mode", q->name, d.rule);
			if (ch->n > 0)
				let_through(q->name, &d, ch->rule[0]);
			return;
		}
		if (d.rule == NULL)
			fail_msg("%s: a denial without a rule", q->name);
		if (d.would_deny)
			fail_msg("%s: a denial marked would-deny", q->name);
		if (d.enforced || authz_enforce_never(d.rule) ||
		    (d.via != NULL && authz_enforce_never(d.via))) {
			ch->end = d.rule;
			return;
		}
		if (chain_has(ch, d.rule))
			fail_msg("%s: %s is in audit mode and still denies: %s",
			    q->name, d.rule, d.msg);
		if (ch->n == CHAIN_MAX)
			fail_msg("%s: more than %d objections", q->name, CHAIN_MAX);
		ch->rule[ch->n++] = d.rule;
	}
}

/* Only one rule of the chain in audit mode: the others still deny. */
static void
chain_single(int pp, const struct preq *q, const struct chain *ch)
{
	struct authz_decision	d;
	char			name[256];
	const char		*want;
	size_t			i;

	for (i = 0; i < ch->n; i++) {
		snprintf(name, sizeof(name), "%s, only %s in audit mode", q->name,
		    ch->rule[i]);
		preq_decide(pp_policy(pp, &ch->rule[i], 1), q, &d);
		want = i > 0 ? ch->rule[0] : ch->n > 1 ? ch->rule[1] : ch->end;
		if (want == NULL)
			let_through(name, &d, ch->rule[0]);
		else
			denied_by(name, &d, want);
	}
}

/* A request's HostConfig members and the chain they must have (PP_ECI). */
struct frag {
	const char	*name;
	const char	*hc;		/* members of HostConfig, "@T@" for the fake dir */
	/* The chain: "!rule" a denial that stays, "?rule" one made only as root. */
	const char	*want[4];
};

static const struct frag frags[] = {
	{ "privileged", "\"Privileged\":true", { "container.privileged" } },
	{ "pid host", "\"PidMode\":\"host\"", { "container.namespace" } },
	{ "ipc via a host container", "\"IpcMode\":\"container:hostpid\"",
	    { "container.namespace" } },
	{ "ipc via a broken chain", "\"IpcMode\":\"container:brokenctr\"",
	    { "!engine.lookup" } },
	{ "network host", "\"NetworkMode\":\"host\"",
	    { "container.ports", "container.namespace" } },
	{ "cap", "\"CapAdd\":[\"SYS_ADMIN\"]", { "container.capabilities" } },
	{ "device", "\"Devices\":[{\"PathOnHost\":\"/dev/sda\",\"PathInContainer\":"
	    "\"/dev/sda\",\"CgroupPermissions\":\"rwm\"}]", { "container.devices" } },
	{ "device, then a malformed one", "\"Devices\":[{\"PathOnHost\":\"/dev/sdb\"},7]",
	    { "container.devices", "!request.json" } },
	{ "seccomp", "\"SecurityOpt\":[\"seccomp=unconfined\"]", { "container.securityOpt" } },
	{ "runtime", "\"Runtime\":\"evilrt\"", { "container.runtime" } },
	{ "sysctl", "\"Sysctls\":{\"kernel.core_pattern\":\"|/x\"}", { "container.sysctls" } },
	{ "log socket", "\"LogConfig\":{\"Type\":\"syslog\",\"Config\":"
	    "{\"syslog-address\":\"unix:///dev/log\"}}", { "container.logDriver" } },
	{ "cgroup parent", "\"CgroupParent\":\"/evil\"", { "container.cgroupParent" } },
	{ "etc", "\"Binds\":[\"/etc:/e\"]", { "mount.protectedPath", "mount.fileSharing" } },
	{ "root socket", "\"Binds\":[\"@T@/containerd.sock:/c.sock\"]",
	    { "?mount.rootSocket", "mount.fileSharing" } },
	{ "not shared", "\"Binds\":[\"@T@/elsewhere:/o\"]", { "mount.fileSharing" } },
	{ "nested", "\"Binds\":[\"@T@/project:/p\",\"@T@/project/sub:/s\"]",
	    { "mount.nested" } },
	{ "docker socket", "\"Binds\":[\"@T@/docker.sock:/s\"]", { "!mount.dockerSocket" } },
	{ "own dir", "\"Binds\":[\"@O@:/own\"]", { "!mount.protectedPath" } },
	{ "mount type", "\"Mounts\":[{\"Type\":\"npipe\",\"Source\":\"x\",\"Target\":\"/x\"}]",
	    { "mount.type" } },
	{ "proc volume", "\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/v\","
	    "\"VolumeOptions\":{\"DriverConfig\":{\"Name\":\"local\",\"Options\":"
	    "{\"type\":\"proc\",\"device\":\"proc\"}}}}]", { "volume.options" } },
	{ "shared volume, relative device", "\"Mounts\":[{\"Type\":\"volume\","
	    "\"Target\":\"/w\",\"VolumeOptions\":{\"DriverConfig\":{\"Options\":"
	    "{\"type\":\"none\",\"o\":\"bind,shared\",\"device\":\"etc\"}}}}]",
	    { "volume.options", "!volume.options" } },
	{ "published port", "\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\","
	    "\"HostPort\":\"8080\"}]}", { "container.ports" } },
};
#define NFRAGS	(sizeof(frags) / sizeof(frags[0]))

/* A fragment's members as a JSON object (new). */
static json_t *
frag_object(const struct frag *f)
{
	char	buf[4096], *t;
	json_t	*o;

	assert_non_null(t = fake_expand(f->hc));
	snprintf(buf, sizeof(buf), "{%s}", t);
	free(t);
	assert_non_null(o = json_loads(buf, 0, NULL));
	return o;
}

/*
 * {"Image":"busybox","HostConfig":{a's members, b's}}, arrays and objects
 * both have merged (a's first), in a new string; NULL when both set one
 * value.  b may be NULL.
 */
static char *
frags_body(const struct frag *a, const struct frag *b)
{
	json_t		*hc = frag_object(a), *hb, *v, *w;
	const char	*k;
	char		*out;

	if (b != NULL) {
		hb = frag_object(b);
		json_object_foreach(hb, k, v) {
			w = json_object_get(hc, k);
			if (w == NULL)
				json_object_set(hc, k, v);
			else if (json_is_array(w) && json_is_array(v))
				json_array_extend(w, v);
			else if (json_is_object(w) && json_is_object(v))
				json_object_update(w, v);
			else {
				json_decref(hb);
				json_decref(hc);
				return NULL;
			}
		}
		json_decref(hb);
	}
	assert_non_null(v = json_pack("{s:s, s:o}", "Image", "busybox", "HostConfig", hc));
	assert_non_null(out = json_dumps(v, JSON_PRESERVE_ORDER));
	json_decref(v);
	return out;
}

/* A fragment's chain is the one it must have. */
static void
frag_expect(const struct frag *f, const struct chain *ch)
{
	const char	*w;
	size_t		 i, n = 0;

	for (i = 0; i < 4 && (w = f->want[i]) != NULL; i++) {
		if (w[0] == '?') {
			if (geteuid() != 0)
				continue;	/* root-owned sockets need root */
			w++;
		}
		if (w[0] == '!') {
			if (ch->end == NULL || strcmp(ch->end, w + 1) != 0)
				fail_msg("fragment \"%s\": want a denial by %s at the "
				    "end, got %s", f->name, w + 1, ch->end ? ch->end :
				    "an allow");
			continue;
		}
		if (n >= ch->n || strcmp(ch->rule[n], w) != 0)
			fail_msg("fragment \"%s\": objection %zu should be %s, is %s",
			    f->name, n, w, n < ch->n ? ch->rule[n] : "(none)");
		n++;
	}
	if (n != ch->n)
		fail_msg("fragment \"%s\": %zu objections, want %zu", f->name, ch->n, n);
	if (ch->end != NULL && (i == 0 || f->want[i - 1][0] != '!'))
		fail_msg("fragment \"%s\": denied at the end by %s", f->name, ch->end);
}

static void
test_property_fragments(void **state)
{
	static struct chain	 chains[NFRAGS];
	struct chain		 pair;
	struct preq		 q = { .method = "POST", .uri = CREATE };
	char			 name[256], *body;
	size_t			 a, b, i, npairs = 0;

	(void)state;
	for (a = 0; a < NFRAGS; a++) {
		assert_non_null(body = frags_body(&frags[a], NULL));
		q.name = frags[a].name;
		q.body = body;
		q.body_len = strlen(body);
		chain_of(PP_ECI, &q, &chains[a]);
		frag_expect(&frags[a], &chains[a]);
		chain_single(PP_ECI, &q, &chains[a]);
		free(body);
	}
	for (a = 0; a < NFRAGS; a++)
		for (b = 0; b < NFRAGS; b++) {
			if (a == b || (body = frags_body(&frags[a], &frags[b])) == NULL)
				continue;
			snprintf(name, sizeof(name), "\"%s\" then \"%s\"",
			    frags[a].name, frags[b].name);
			q.name = name;
			q.body = body;
			q.body_len = strlen(body);
			chain_of(PP_ECI, &q, &pair);
			chain_single(PP_ECI, &q, &pair);
			/* Together: the objections of both, no more and no fewer. */
			for (i = 0; i < pair.n; i++)
				if (!chain_has(&chains[a], pair.rule[i]) &&
				    !chain_has(&chains[b], pair.rule[i]))
					fail_msg("%s: objection %s of neither", name,
					    pair.rule[i]);
			if ((pair.end != NULL) != (chains[a].end != NULL ||
			    chains[b].end != NULL))
				fail_msg("%s: ends with %s, the two alone with %s and %s",
				    name, pair.end ? pair.end : "an allow",
				    chains[a].end ? chains[a].end : "an allow",
				    chains[b].end ? chains[b].end : "an allow");
			if (pair.end == NULL)
				for (i = 0; i < chains[a].n + chains[b].n; i++) {
					const char *r = i < chains[a].n ? chains[a].rule[i] :
					    chains[b].rule[i - chains[a].n];

					if (!chain_has(&pair, r))
						fail_msg("%s: objection %s is lost", name, r);
				}
			else if ((chains[a].end == NULL ||
			    strcmp(pair.end, chains[a].end) != 0) &&
			    (chains[b].end == NULL ||
			    strcmp(pair.end, chains[b].end) != 0))
				fail_msg("%s: ends with %s", name, pair.end);
			free(body);
			npairs++;
		}
	assert_true(npairs > NFRAGS * 10);
	pcache_clear();
}

/* The endpoints of the decide fuzzer's body mode (fuzz_authz_decide.c). */
static const char *const corpus_uris[] = {
	"/v1.41/containers/create", "/v1.23/containers/x/start",
	"/v1.41/containers/x/update", "/v1.41/containers/x/exec",
	"/v1.41/volumes/create", "/v1.41/services/create",
	"/v1.41/services/x/update", "/v1.41/swarm/join",
};

/* Every request of the decide fuzzer's seed corpus, through the plugin's door. */
static void
test_property_corpus(void **state)
{
	const char	*top = getenv("top_srcdir");
	char		 dir[PATH_MAX], path[PATH_MAX + 256], *data, *nl1, *nl2,
			*method, *uri;
	struct preq	 q;
	struct chain	 ch;
	struct dirent	*e;
	DIR		*dp;
	size_t		 len, n = 0;
	int		 pp;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/authz_decide", top ? top : ".");
	if ((dp = opendir(dir)) == NULL)
		fail_msg("%s: cannot open", dir);
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_non_null(data = test_file_read(path, &len));
		memset(&q, 0, sizeof(q));
		q.name = e->d_name;
		method = uri = NULL;
		if (len >= 2 && (data[0] & 1) == 0) {
			/* "<kind><endpoint><body>" */
			q.method = "POST";
			q.uri = corpus_uris[(unsigned char)data[1] %
			    (sizeof(corpus_uris) / sizeof(corpus_uris[0]))];
			q.body = data + 2;
			q.body_len = len - 2;
		} else if (len >= 2 && (nl1 = memchr(data + 2, '\n', len - 2)) != NULL) {
			/* "<kind><flags><method>\n<uri>\n<body>" */
			nl2 = memchr(nl1 + 1, '\n', (size_t)(data + len - nl1 - 1));
			assert_non_null(method = strndup(data + 2, (size_t)(nl1 - data - 2)));
			assert_non_null(uri = strndup(nl1 + 1, nl2 != NULL ?
			    (size_t)(nl2 - nl1 - 1) : (size_t)(data + len - nl1 - 1)));
			q.method = method;
			q.uri = uri;
			if (nl2 != NULL) {
				q.body = nl2 + 1;
				q.body_len = (size_t)(data + len - nl2 - 1);
			}
			q.build = (data[1] & 4) != 0;
		} else {
			free(data);
			continue;
		}
		for (pp = 0; pp < NPP; pp++) {
			chain_of(pp, &q, &ch);
			chain_single(pp, &q, &ch);
		}
		free(method);
		free(uri);
		free(data);
		n++;
	}
	closedir(dp);
	assert_true(n >= 20);
	pcache_clear();
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
		cmocka_unit_test(test_skipped_checks),
		cmocka_unit_test(test_skipped_build),
		cmocka_unit_test(test_property_fragments),
		cmocka_unit_test(test_property_corpus),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
