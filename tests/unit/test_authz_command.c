/*
 * Unit tests for authz_command: the command table (one row per route,
 * every row reachable through authz_uri_parse and answered with its own
 * names, every name a real Docker CLI 28 command), the pattern matcher
 * and Docker's wildcard table, and the deny/allow semantics of command
 * lists with their exact messages.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "route_paths.h"

#include "authz/authz_uri.h"
#include "authz/authz_command.h"
#include "authz/authz_rules.h"

#define SOCK_LIST	"enhancedContainerIsolation.dockerSocketMount.commandList"
#define SOCK_WHO	"containers that mount the Docker socket"

struct route_row {
	enum authz_uri_endpoint	 ep;
	const char		*id;
	const char		*method;
	const char		*pattern;
};

static const struct route_row routes[] = {
#define DW_ROUTE(id, method, pattern, name)	{ AUTHZ_EP_##id, #id, method, pattern },
#include "authz/authz_route_table.h"
#undef DW_ROUTE
};
#define NROUTES	(sizeof(routes) / sizeof(routes[0]))

struct cmd_row {
	const char	*id;		/* route ID, or the variant's name */
	const char	*route;		/* route ID */
	const char	*primary;
	const char	*aux;
};

static const struct cmd_row rows[] = {
#define DW_COMMAND(id, primary, aux)	{ #id, #id, primary, aux },
#include "authz/authz_command_table.h"
#undef DW_COMMAND
};
#define NROWS	(sizeof(rows) / sizeof(rows[0]))

static const struct cmd_row variants[] = {
#define DW_COMMAND(id, primary, aux)
#define DW_COMMAND_VARIANT(name, id, primary, aux)	{ #name, #id, primary, aux },
#include "authz/authz_command_table.h"
#undef DW_COMMAND_VARIANT
#undef DW_COMMAND
};
#define NVARIANTS	(sizeof(variants) / sizeof(variants[0]))

struct effect_row {
	const char	*id;
	const char	*names;
};

static const struct effect_row effects[] = {
#define DW_COMMAND(id, primary, aux)
#define DW_COMMAND_EFFECT(id, names)	{ #id, names },
#include "authz/authz_command_table.h"
#undef DW_COMMAND_EFFECT
#undef DW_COMMAND
};
#define NEFFECTS	(sizeof(effects) / sizeof(effects[0]))

/* ---- helpers ---- */

#define NAMES_MAX	64

/* Split a table list ("a,b" or NULL) the simple way, independently of authz_command.c. */
static size_t
split(const char *src, char *buf, size_t bufsz, const char **out)
{
	size_t	n = 0;
	char	*p;

	if (src == NULL)
		return 0;
	assert_true(strlen(src) < bufsz);
	memcpy(buf, src, strlen(src) + 1);
	out[n++] = buf;
	for (p = buf; *p != '\0'; p++)
		if (*p == ',') {
			*p = '\0';
			assert_true(n < NAMES_MAX);
			out[n++] = p + 1;
		}
	return n;
}

/* The docker CLI's command list (tests/data/docker-cli-commands.txt). */
static char	**cli;
static size_t	  ncli;

static void
cli_load(void)
{
	const char	*top = getenv("top_srcdir");
	char		 path[PATH_MAX], line[256];
	FILE		*f;
	size_t		 len;

	snprintf(path, sizeof(path), "%s/tests/data/docker-cli-commands.txt",
	    top != NULL ? top : ".");
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		len = strcspn(line, "\n");
		line[len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		assert_non_null(cli = realloc(cli, (ncli + 1) * sizeof(*cli)));
		assert_non_null(cli[ncli++] = strdup(line));
	}
	fclose(f);
	assert_true(ncli > 150);
}

static bool
cli_has(const char *name)
{
	size_t	i;

	for (i = 0; i < ncli; i++)
		if (strcmp(cli[i], name) == 0)
			return true;
	return false;
}

/* A routed request for method and uri (the test fails when it does not route). */
struct req {
	struct authz_uri		*uri;
	struct authz_request	 r;
};

static void
req_make(struct req *q, const char *method, const char *raw)
{
	struct dw_err	err;
	int		rc;

	memset(q, 0, sizeof(*q));
	if ((rc = authz_uri_parse(method, raw, &q->uri, &err)) != 0)
		fail_msg("%s %s: %d (%s)", method, raw, rc, err.msg);
	q->r.method = method;
	q->r.raw_uri = raw;
	q->r.uri = q->uri;
	q->r.content_length = -1;
}

static void
req_free(struct req *q)
{
	authz_uri_free(q->uri);
}

/* Run one list over method+uri; returns the verdict and leaves the decision in *d. */
static enum authz_verdict
check(enum authz_cmdlist_type type, const char *const *pats, const char *method,
    const char *raw, struct authz_decision *d)
{
	struct dw_strv		sv = { NULL, 0 };
	struct req		q;
	enum authz_verdict	v;

	for (; pats != NULL && *pats != NULL; pats++)
		assert_int_equal(dw_strv_push(&sv, *pats), 0);
	req_make(&q, method, raw);
	v = authz_command_check(type, &sv, SOCK_LIST, SOCK_WHO,
	    RULE_SOCKET_COMMANDS, &q.r, d);
	req_free(&q);
	dw_strv_clear(&sv);
	if (v == AUTHZ_ALLOW) {
		assert_string_equal(d->rule, "allow");
		assert_string_equal(d->msg, "");
	} else {
		assert_string_equal(d->rule, RULE_SOCKET_COMMANDS);
		assert_string_equal(d->field, "commandList");
		assert_non_null(strstr(d->msg, "dockward: docker command \""));
	}
	return v;
}

#define L(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define DENY	AUTHZ_CMDLIST_DENY
#define ALLOW	AUTHZ_CMDLIST_ALLOW

static void
expect(enum authz_cmdlist_type type, const char *const *pats, const char *method,
    const char *raw, enum authz_verdict want)
{
	struct authz_decision	d;

	if (check(type, pats, method, raw, &d) != want)
		fail_msg("%s %s %s %s: %s (%s)", type == DENY ? "deny" : "allow",
		    pats[0] ? pats[0] : "(none)", method, raw,
		    want == AUTHZ_ALLOW ? "denied" : "allowed", d.msg);
}

/* ---- the table ---- */

/*
 * One row per route, in route order, with the same IDs; the variants name
 * real routes.  (authz_command.c also refuses to compile otherwise.)
 */
static void
test_rows(void **state)
{
	size_t	i, j;
	bool	found;

	assert_int_equal(NROWS, AUTHZ_EP__COUNT - 1);
	assert_int_equal(NROWS, NROUTES);
	for (i = 0; i < NROWS; i++)
		if (strcmp(rows[i].id, routes[i].id) != 0)
			fail_msg("row %zu is %s, route %zu is %s", i, rows[i].id, i,
			    routes[i].id);
	assert_true(NVARIANTS >= 1);
	for (i = 0; i < NVARIANTS; i++) {
		for (j = 0, found = false; j < NROUTES; j++)
			found |= strcmp(variants[i].route, routes[j].id) == 0;
		if (!found)
			fail_msg("variant %s names no route", variants[i].id);
	}
}

/* authz_command_names(uri) equals the row's names, in order. */
static void
assert_names(const char *what, const struct authz_uri *uri, const struct cmd_row *row)
{
	const char *const	*p, *const *a;
	const char		*want[NAMES_MAX];
	char			 buf[2048];
	size_t			 np, na, n, i;

	if (authz_command_names(uri, &p, &np, &a, &na) != 0)
		fail_msg("%s: no names", what);
	n = split(row->primary, buf, sizeof(buf), want);
	if (np != n)
		fail_msg("%s: %zu primary names, the table has %zu", what, np, n);
	for (i = 0; i < n; i++)
		assert_string_equal(p[i], want[i]);
	n = split(row->aux, buf, sizeof(buf), want);
	if (na != n)
		fail_msg("%s: %zu auxiliary names, the table has %zu", what, na, n);
	for (i = 0; i < n; i++)
		assert_string_equal(a[i], want[i]);
	if (row->primary != NULL)
		assert_string_equal(authz_command_primary(uri), p[0]);
	else
		assert_null(authz_command_primary(uri));
}

/*
 * Every row is reachable: a concrete URI built from its route's pattern,
 * bare and versioned, routes back to it and gets the row's names.
 * POST /images/create is the pull row with a fromImage, the import
 * variant without.
 */
static void
test_reachable(void **state)
{
	struct authz_uri	*uri;
	struct dw_err	 err;
	char		 path[256], full[512], what[600];
	size_t		 i;
	int		 v, r;

	for (i = 0; i < NROUTES; i++) {
		route_concrete_path(routes[i].pattern, path, sizeof(path));
		for (v = 0; v < 2; v++) {
			uri = NULL;
			snprintf(full, sizeof(full), "%s%s?%s", v ? "/v1.43" : "",
			    path, routes[i].ep == AUTHZ_EP_IMAGE_CREATE ?
			    "fromImage=alpine&tag=3" : "q=1");
			snprintf(what, sizeof(what), "%s %s", routes[i].method, full);
			r = authz_uri_parse(routes[i].method, full, &uri, &err);
			if (r != 0)
				fail_msg("%s: %d (%s)", what, r, err.msg);
			if (uri->endpoint != routes[i].ep)
				fail_msg("%s routes to %s", what,
				    authz_uri_endpoint_name(uri->endpoint));
			assert_names(what, uri, &rows[i]);
			authz_uri_free(uri);
		}
	}
	/* The import variant. */
	assert_int_equal(authz_uri_parse("POST", "/v1.43/images/create?fromSrc=-&repo=x",
	    &uri, &err), 0);
	assert_string_equal(variants[0].id, "IMAGE_CREATE_IMPORT");
	assert_names("import", uri, &variants[0]);
	authz_uri_free(uri);
}

/* Every row's names, then every variant's, through fn. */
static void
each_name(void (*fn)(const struct cmd_row *, const char *, bool, void *), void *arg)
{
	const char	*names[NAMES_MAX];
	char		 buf[2048];
	size_t		 i, j, n;
	int		 k;

	for (i = 0; i < NROWS + NVARIANTS; i++) {
		const struct cmd_row *row = i < NROWS ? &rows[i] : &variants[i - NROWS];

		for (k = 0; k < 2; k++) {
			n = split(k == 0 ? row->primary : row->aux, buf, sizeof(buf), names);
			for (j = 0; j < n; j++)
				fn(row, names[j], k == 0, arg);
		}
	}
}

/* Each name is a Docker CLI 28 command, or "" on the ping rows only. */
static void
name_is_cli(const struct cmd_row *row, const char *name, bool primary, void *arg)
{
	size_t	*count = arg;

	(*count)++;
	if (name[0] == '\0') {
		if (!primary || (strcmp(row->id, "PING") != 0 &&
		    strcmp(row->id, "PING_HEAD") != 0))
			fail_msg("%s: the always-allowed name \"\" is for ping only",
			    row->id);
		return;
	}
	if (!cli_has(name))
		fail_msg("%s: \"%s\" is not a command of the Docker CLI "
		    "(tests/data/docker-cli-commands.txt)", row->id, name);
}

/* A primary name somewhere in the table? */
static bool
primary_somewhere(const char *name)
{
	const char	*names[NAMES_MAX];
	char		 buf[2048];
	size_t		 i, j, n;

	for (i = 0; i < NROWS + NVARIANTS; i++) {
		const struct cmd_row *row = i < NROWS ? &rows[i] : &variants[i - NROWS];

		n = split(row->primary, buf, sizeof(buf), names);
		for (j = 0; j < n; j++)
			if (strcmp(names[j], name) == 0)
				return true;
	}
	return false;
}

/* Auxiliary names are also primary somewhere, so a deny entry always blocks something. */
static void
aux_is_primary(const struct cmd_row *row, const char *name, bool primary, void *arg)
{
	if (!primary && !primary_somewhere(name))
		fail_msg("%s: auxiliary \"%s\" is nobody's primary name", row->id, name);
}

static void
test_cli_names(void **state)
{
	const char	*p[NAMES_MAX], *a[NAMES_MAX];
	char		 pb[2048], ab[2048];
	size_t		 count = 0, i, j, k, np, na;

	cli_load();
	each_name(name_is_cli, &count);
	assert_true(count > 300);
	each_name(aux_is_primary, NULL);
	/* Within a row: no name twice, and no name both primary and auxiliary. */
	for (i = 0; i < NROWS + NVARIANTS; i++) {
		const struct cmd_row *row = i < NROWS ? &rows[i] : &variants[i - NROWS];

		np = split(row->primary, pb, sizeof(pb), p);
		na = split(row->aux, ab, sizeof(ab), a);
		for (j = 0; j < np + na; j++)
			for (k = j + 1; k < np + na; k++)
				if (strcmp(j < np ? p[j] : a[j - np],
				    k < np ? p[k] : a[k - np]) == 0)
					fail_msg("%s: \"%s\" twice", row->id,
					    j < np ? p[j] : a[j - np]);
	}
	/* The brief's anchors. */
	assert_true(cli_has("container ls") && cli_has("container list") &&
	    cli_has("image remove") && cli_has("builder build"));
	assert_false(cli_has("buildx build"));
	for (i = 0; i < ncli; i++)
		free(cli[i]);
	free(cli);
	cli = NULL;
	ncli = 0;
}

/* ---- matching ---- */

static void
test_pattern_match(void **state)
{
	static const struct {
		const char	*pat, *name;
		bool		 want;
	} cases[] = {
		{ "push", "push", true },
		{ "push", "pushx", false },
		{ "push", "pus", false },
		{ "push", "image push", false },
		{ "Push", "push", false },
		{ "*", "push", true },
		{ "*", "", true },
		{ "", "", true },
		{ "", "ps", false },
		{ "container*", "container ls", true },
		{ "container*", "container", true },
		{ "container*", "containers", true },
		{ "container*", "ps", false },
		{ "image*", "image push", true },
		{ "image*", "images", true },
		{ "image*", "rmi", false },
		{ "*push", "image push", true },
		{ "*push", "push", true },
		{ "*push", "push x", false },
		{ "i*e*s", "images", true },
		{ "i*e*s", "image ls", true },
		{ "i*e*s", "image push", false },
		{ "*ls", "container ls", true },
		{ "container * ls", "container x ls", true },
		{ "container * ls", "container ls", false },
		{ "**", "x", true },
		{ "a*b*c", "aXbYbZc", true },
		{ "a*b*c", "aXbYbZ", false },
		{ "system*", "system prune", true },
		{ "build*", "builder prune", true },
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (authz_command_pattern_match(cases[i].pat, cases[i].name) !=
		    cases[i].want)
			fail_msg("\"%s\" vs \"%s\": want %d", cases[i].pat,
			    cases[i].name, cases[i].want);
	assert_false(authz_command_pattern_match(NULL, "x"));
	assert_false(authz_command_pattern_match("x", NULL));
}

/* Docker's documented wildcards, as deny lists. */
static void
test_wildcards(void **state)
{
	static const struct {
		const char	*pat, *method, *uri;
		enum authz_verdict want;
	} cases[] = {
		{ "container*", "GET", "/v1.43/containers/json", AUTHZ_DENY },
		{ "container*", "POST", "/v1.43/containers/create", AUTHZ_DENY },
		{ "container*", "GET", "/v1.43/containers/x/logs", AUTHZ_DENY },
		{ "container*", "DELETE", "/v1.43/containers/x", AUTHZ_DENY },
		{ "container*", "POST", "/v1.43/containers/prune", AUTHZ_DENY },
		{ "container*", "POST", "/v1.43/exec/x/start", AUTHZ_DENY },
		{ "container*", "GET", "/v1.43/images/json", AUTHZ_ALLOW },
		{ "container*", "GET", "/v1.43/volumes", AUTHZ_ALLOW },
		{ "image*", "GET", "/v1.43/images/json", AUTHZ_DENY },
		{ "image*", "POST", "/v1.43/images/myimage/push?tag=latest", AUTHZ_DENY },
		{ "image*", "POST", "/v1.43/images/create?fromImage=alpine", AUTHZ_DENY },
		{ "image*", "POST", "/v1.43/images/create?fromSrc=-", AUTHZ_DENY },
		{ "image*", "GET", "/v1.43/images/alpine/json", AUTHZ_DENY },
		{ "image*", "POST", "/v1.43/build", AUTHZ_DENY },
		{ "image*", "GET", "/v1.43/containers/json", AUTHZ_ALLOW },
		{ "volume*", "GET", "/v1.43/volumes", AUTHZ_DENY },
		{ "volume*", "POST", "/v1.43/volumes/create", AUTHZ_DENY },
		{ "volume*", "PUT", "/v1.43/volumes/v", AUTHZ_DENY },
		{ "volume*", "GET", "/v1.43/networks", AUTHZ_ALLOW },
		{ "network*", "GET", "/v1.43/networks", AUTHZ_DENY },
		{ "network*", "GET", "/v1.43/networks/", AUTHZ_DENY },
		{ "network*", "POST", "/v1.43/networks/n/connect", AUTHZ_DENY },
		{ "network*", "GET", "/v1.43/volumes", AUTHZ_ALLOW },
		{ "build*", "POST", "/v1.43/build", AUTHZ_DENY },
		{ "build*", "POST", "/v1.43/grpc", AUTHZ_DENY },
		{ "build*", "POST", "/v1.43/session", AUTHZ_DENY },
		{ "build*", "POST", "/v1.43/build/cancel?id=x", AUTHZ_DENY },
		{ "build*", "POST", "/v1.43/build/prune", AUTHZ_DENY },
		{ "build*", "GET", "/v1.43/images/json", AUTHZ_ALLOW },
		{ "system*", "GET", "/v1.43/system/df", AUTHZ_DENY },
		{ "system*", "GET", "/v1.43/info", AUTHZ_DENY },
		{ "system*", "GET", "/v1.43/events", AUTHZ_DENY },
		{ "system*", "POST", "/v1.43/volumes/prune", AUTHZ_DENY },
		{ "system*", "GET", "/v1.43/version", AUTHZ_ALLOW },
		{ "system*", "GET", "/v1.43/containers/json", AUTHZ_ALLOW },
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect(DENY, L(cases[i].pat), cases[i].method, cases[i].uri,
		    cases[i].want);
	/* And as an allow list, from Docker's example. */
	expect(ALLOW, L("ps", "container*", "volume*"), "GET", "/v1.43/containers/json", AUTHZ_ALLOW);
	expect(ALLOW, L("ps", "container*", "volume*"), "POST", "/v1.43/containers/x/start", AUTHZ_ALLOW);
	expect(ALLOW, L("ps", "container*", "volume*"), "DELETE", "/v1.43/volumes/v", AUTHZ_ALLOW);
	expect(ALLOW, L("ps", "container*", "volume*"), "GET", "/v1.43/networks", AUTHZ_DENY);
	expect(ALLOW, L("ps", "container*", "volume*"), "POST", "/v1.43/images/x/push", AUTHZ_DENY);
	/* container run pulls: its implicit pull is auxiliary. */
	expect(ALLOW, L("ps", "container*", "volume*"), "POST", "/v1.43/images/create?fromImage=alpine", AUTHZ_ALLOW);
	expect(ALLOW, L("ps", "container*", "volume*"), "POST", "/v1.43/images/create?fromSrc=-", AUTHZ_DENY);
}

/* ---- deny and allow lists ---- */

static void
test_push_message(void **state)
{
	struct authz_decision	d;

	assert_int_equal(check(DENY, L("push", "build"), "POST",
	    "/v1.43/images/myimage/push?tag=latest", &d), AUTHZ_DENY);
	assert_string_equal(d.msg, "dockward: docker command "
	    "\"/v1.43/images/myimage/push?tag=latest\" is blocked "
	    "(socket.commandList): push is denied for containers that mount the "
	    "Docker socket; an admin can allow it in "
	    "enhancedContainerIsolation.dockerSocketMount.commandList.");
	assert_string_equal(d.rule, "socket.commandList");
	assert_string_equal(d.field, "commandList");

	/* The name matched is the one reported. */
	assert_int_equal(check(DENY, L("image*"), "POST",
	    "/images/docker.io/library/alpine:3/push", &d), AUTHZ_DENY);
	assert_non_null(strstr(d.msg, "): image push is denied for"));

	/* Allow list: the first primary name. */
	assert_int_equal(check(ALLOW, L("ps"), "POST",
	    "/v1.43/images/myimage/push?tag=latest", &d), AUTHZ_DENY);
	assert_string_equal(d.msg, "dockward: docker command "
	    "\"/v1.43/images/myimage/push?tag=latest\" is blocked "
	    "(socket.commandList): push is not allowed for containers that mount "
	    "the Docker socket; an admin can allow it in "
	    "enhancedContainerIsolation.dockerSocketMount.commandList.");
	/* An endpoint with auxiliary names only is named by its first. */
	assert_int_equal(check(ALLOW, L("ps"), "POST", "/v1.43/exec/x/resize?h=1", &d),
	    AUTHZ_DENY);
	assert_non_null(strstr(d.msg, "): exec is not allowed for"));

	/* The URI is escaped. */
	assert_int_equal(check(DENY, L("push"), "POST",
	    "/v1.43/images/a%22b/push?tag=%0a", &d), AUTHZ_DENY);
	assert_non_null(strstr(d.msg, "\"/v1.43/images/a%22b/push?tag=%0a\""));
}

static void
test_deny_semantics(void **state)
{
	/* Auxiliary names do not block. */
	expect(DENY, L("logs"), "GET", "/v1.43/containers/x/logs?follow=1", AUTHZ_DENY);
	expect(DENY, L("logs"), "GET", "/v1.43/containers/x/json", AUTHZ_ALLOW);
	expect(DENY, L("stats"), "GET", "/v1.43/containers/x/stats", AUTHZ_DENY);
	expect(DENY, L("stats"), "GET", "/v1.43/containers/json", AUTHZ_ALLOW);
	expect(DENY, L("stats"), "GET", "/v1.43/events", AUTHZ_ALLOW);
	/* run is primary for container create, so docker create is blocked too. */
	expect(DENY, L("run"), "POST", "/v1.43/containers/create", AUTHZ_DENY);
	expect(DENY, L("run"), "POST", "/v1.43/containers/x/start", AUTHZ_ALLOW);
	expect(DENY, L("run"), "POST", "/v1.43/images/create?fromImage=alpine", AUTHZ_ALLOW);
	expect(DENY, L("create"), "POST", "/v1.43/containers/create", AUTHZ_DENY);
	/* GET is a command too. */
	expect(DENY, L("cp"), "GET", "/v1.43/containers/x/archive?path=/etc", AUTHZ_DENY);
	expect(DENY, L("cp"), "HEAD", "/v1.43/containers/x/archive?path=/etc", AUTHZ_DENY);
	expect(DENY, L("cp"), "PUT", "/v1.43/containers/x/archive?path=/", AUTHZ_DENY);
	expect(DENY, L("export"), "GET", "/v1.43/containers/x/export", AUTHZ_DENY);
	expect(DENY, L("save"), "GET", "/v1.43/images/get?names=alpine", AUTHZ_DENY);
	expect(DENY, L("save"), "GET", "/v1.43/images/alpine/get", AUTHZ_DENY);
	expect(DENY, L("attach"), "GET", "/v1.43/containers/x/attach/ws", AUTHZ_DENY);
	/* system prune is primary for the prune endpoints. */
	expect(DENY, L("system prune"), "POST", "/v1.43/containers/prune", AUTHZ_DENY);
	expect(DENY, L("system prune"), "POST", "/v1.43/images/prune", AUTHZ_DENY);
	expect(DENY, L("system prune"), "POST", "/v1.43/networks/prune", AUTHZ_DENY);
	expect(DENY, L("system prune"), "POST", "/v1.43/volumes/prune", AUTHZ_DENY);
	expect(DENY, L("system prune"), "POST", "/v1.43/build/prune", AUTHZ_DENY);
	expect(DENY, L("system prune"), "DELETE", "/v1.43/containers/x", AUTHZ_ALLOW);
	/* Legacy and canonical forms. */
	expect(DENY, L("container rm"), "DELETE", "/v1.43/containers/x", AUTHZ_DENY);
	expect(DENY, L("rmi"), "DELETE", "/v1.43/images/alpine", AUTHZ_DENY);
	expect(DENY, L("image remove"), "DELETE", "/v1.43/images/alpine", AUTHZ_DENY);
	expect(DENY, L("login"), "POST", "/v1.43/auth", AUTHZ_DENY);
	expect(DENY, L("swarm join-token"), "GET", "/v1.43/swarm", AUTHZ_DENY);
	expect(DENY, L("stack deploy"), "POST", "/v1.43/services/create", AUTHZ_DENY);
	expect(DENY, L("checkpoint create"), "POST", "/v1.43/containers/x/checkpoints", AUTHZ_DENY);
	/* Endpoints without names pass a deny list; unroutable requests do not. */
	expect(DENY, L("*"), "OPTIONS", "/v1.43/anything", AUTHZ_ALLOW);
	expect(DENY, L("*"), "GET", "/v1.43/images/x/attestations", AUTHZ_DENY);	/* effect: image inspect */
	expect(DENY, L("container*"), "GET", "/v1.43/images/x/attestations", AUTHZ_ALLOW);
	expect(DENY, L("*"), "GET", "/v1.43/distribution/alpine/json", AUTHZ_ALLOW);
	expect(DENY, L("*"), "GET", "/v1.43/containers/json", AUTHZ_DENY);
	/* No patterns: nothing denied. */
	expect(DENY, L(NULL), "POST", "/v1.43/images/x/push", AUTHZ_ALLOW);
}

/*
 * The image principle (authz_command_table.h, Effects): every endpoint that
 * lists the image store or creates, changes or removes images is denied
 * by "image*"; and each endpoint with effects is denied by exactly the
 * patterns of its primary and effect names.  Table-driven: for each
 * endpoint, patterns that must deny it and patterns that must not.
 */
struct effect_case {
	const char		*method;
	const char		*uri;
	const char *const	*denied_by;
	const char *const	*not_denied_by;
};

static void
test_effects(void **state)
{
	const struct effect_case cases[] = {
		/* image store: every door answers to image* */
		{ "POST", "/v1.43/commit?container=x&repo=r",
		    L("image*", "commit", "container commit", "container*", "build",
		    "image build", "builder build", "builder*"),
		    L("tag", "images", "ps", "system df", "push") },
		{ "POST", "/v1.43/build?t=x", L("image*", "build", "image build",
		    "builder build"), L("commit", "tag", "system df") },
		{ "POST", "/v1.43/build?version=2", L("image*", "build"), L("commit") },
		{ "POST", "/v1.43/grpc", L("image*", "build", "builder*"), L("commit", "system*") },
		{ "POST", "/v1.43/session", L("image*", "build"), L("commit") },
		{ "POST", "/v1.43/build/cancel?id=x", L("image*", "build"), L("commit") },
		{ "POST", "/v1.43/images/create?fromImage=alpine", L("image*", "pull",
		    "image pull"), L("build", "commit", "import") },
		{ "POST", "/v1.43/images/create?fromSrc=-", L("image*", "import",
		    "image import"), L("pull", "build") },
		{ "POST", "/v1.43/images/load", L("image*", "load", "image load"),
		    L("pull", "build") },
		{ "POST", "/v1.43/images/x/tag?repo=y", L("image*", "tag", "image tag"),
		    L("build", "pull", "commit") },
		{ "POST", "/v1.43/images/x/push", L("image*", "push"), L("build") },
		{ "DELETE", "/v1.43/images/x", L("image*", "rmi"), L("build") },
		{ "POST", "/v1.43/images/prune", L("image*", "system prune"), L("build") },
		{ "GET", "/v1.43/images/json", L("image*", "images", "image ls"), L("ps") },
		{ "GET", "/v1.43/images/get?names=x", L("image*", "save"), L("images") },
		{ "GET", "/v1.43/images/x/history", L("image*", "history"), L("images") },
		{ "GET", "/v1.43/images/x/json", L("image*", "image inspect", "inspect"),
		    L("images") },
		{ "GET", "/v1.43/images/x/attestations", L("image*", "image inspect"),
		    L("inspect", "images") },
		/* system df -v lists images, containers and volumes */
		{ "GET", "/v1.43/system/df", L("image*", "images", "image ls",
		    "image list", "system df", "system*", "ps", "container ls",
		    "container*", "volume ls", "volume*"),
		    L("network*", "build", "info", "events") },
		/* unchanged: not the image store */
		{ "GET", "/v1.43/events", L("events"), L("image*", "images") },
		{ "GET", "/v1.43/info", L("info"), L("image*", "images") },
		{ "POST", "/v1.43/build/prune", L("builder prune"), L("image*", "build") },
		{ "GET", "/v1.43/images/search?term=x", L("search"), L("image*") },
		{ "POST", "/v1.43/containers/create", L("run", "create"), L("image*", "build") },
	};
	const char *const	*pp;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (pp = cases[i].denied_by; *pp != NULL; pp++)
			expect(DENY, (const char *const[]){ *pp, NULL },
			    cases[i].method, cases[i].uri, AUTHZ_DENY);
		for (pp = cases[i].not_denied_by; *pp != NULL; pp++)
			expect(DENY, (const char *const[]){ *pp, NULL },
			    cases[i].method, cases[i].uri, AUTHZ_ALLOW);
	}
}

/* Effects never widen an allow list; their deny message says why. */
static void
test_effects_allow_and_message(void **state)
{
	struct authz_decision	d;

	/* allowing "images" or "ps" does not allow system df; "build" does not allow commit */
	expect(ALLOW, L("images"), "GET", "/v1.43/system/df", AUTHZ_DENY);
	expect(ALLOW, L("ps"), "GET", "/v1.43/system/df", AUTHZ_DENY);
	expect(ALLOW, L("build"), "POST", "/v1.43/commit?container=x", AUTHZ_DENY);
	expect(ALLOW, L("image inspect"), "GET", "/v1.43/images/x/attestations", AUTHZ_DENY);
	expect(ALLOW, L("system df"), "GET", "/v1.43/system/df", AUTHZ_ALLOW);
	expect(ALLOW, L("commit"), "POST", "/v1.43/commit?container=x", AUTHZ_ALLOW);
	assert_int_equal(check(DENY, L("image*"), "POST", "/v1.43/commit?container=x",
	    &d), AUTHZ_DENY);
	assert_non_null(strstr(d.msg, "(socket.commandList): this endpoint does what "
	    "image build does, and image build is denied for containers that mount "
	    "the Docker socket; an admin can allow it in " SOCK_LIST "."));
}

/* Effect rows name real routes and real CLI commands, each some endpoint's primary. */
static void
test_effect_rows(void **state)
{
	const char	*names[NAMES_MAX];
	char		 buf[2048];
	size_t		 i, j, n;
	bool		 found;

	assert_true(NEFFECTS >= 3);
	cli_load();
	for (i = 0; i < NEFFECTS; i++) {
		for (j = 0, found = false; j < NROUTES; j++)
			found |= strcmp(effects[i].id, routes[j].id) == 0;
		if (!found)
			fail_msg("effect row %s names no route", effects[i].id);
		n = split(effects[i].names, buf, sizeof(buf), names);
		assert_true(n > 0);
		for (j = 0; j < n; j++) {
			if (!cli_has(names[j]))
				fail_msg("%s: effect \"%s\" is not a Docker CLI command",
				    effects[i].id, names[j]);
			if (!primary_somewhere(names[j]))
				fail_msg("%s: effect \"%s\" is nobody's primary name",
				    effects[i].id, names[j]);
		}
	}
	for (i = 0; i < ncli; i++)
		free(cli[i]);
	free(cli);
	cli = NULL;
	ncli = 0;
}

static void
test_allow_semantics(void **state)
{
	struct authz_decision	d;

	/* An allowed command works as a whole: its auxiliary endpoints too. */
	expect(ALLOW, L("run"), "POST", "/v1.43/images/create?fromImage=alpine&tag=3", AUTHZ_ALLOW);
	expect(ALLOW, L("run"), "POST", "/v1.43/containers/create?name=x", AUTHZ_ALLOW);
	expect(ALLOW, L("run"), "POST", "/v1.43/containers/x/attach?stream=1", AUTHZ_ALLOW);
	expect(ALLOW, L("run"), "POST", "/v1.43/containers/x/wait?condition=next-exit", AUTHZ_ALLOW);
	expect(ALLOW, L("run"), "POST", "/v1.43/containers/x/start", AUTHZ_ALLOW);
	expect(ALLOW, L("run"), "POST", "/v1.43/containers/x/resize?h=1&w=1", AUTHZ_ALLOW);
	expect(ALLOW, L("run"), "POST", "/v1.43/containers/x/kill?signal=INT", AUTHZ_ALLOW);
	expect(ALLOW, L("run"), "GET", "/v1.43/containers/x/logs", AUTHZ_DENY);
	expect(ALLOW, L("run"), "POST", "/v1.43/images/x/push", AUTHZ_DENY);
	expect(ALLOW, L("run"), "POST", "/v1.43/images/create?fromSrc=-", AUTHZ_DENY);
	expect(ALLOW, L("exec"), "POST", "/v1.43/containers/x/exec", AUTHZ_ALLOW);
	expect(ALLOW, L("exec"), "GET", "/v1.43/containers/x/json", AUTHZ_ALLOW);
	expect(ALLOW, L("exec"), "POST", "/v1.43/exec/e/start", AUTHZ_ALLOW);
	expect(ALLOW, L("exec"), "GET", "/v1.43/exec/e/json", AUTHZ_ALLOW);
	expect(ALLOW, L("exec"), "POST", "/v1.43/containers/x/start", AUTHZ_DENY);
	/* Endpoints without names and unroutable requests are refused. */
	assert_int_equal(check(ALLOW, L("*"), "OPTIONS", "/v1.43/x", &d), AUTHZ_DENY);
	assert_non_null(strstr(d.msg, "(socket.commandList): this endpoint is not "
	    "mapped to any docker command and is not allowed under an allow list"));
	expect(ALLOW, L("*"), "GET", "/v1.43/images/x/attestations", AUTHZ_DENY);
	expect(ALLOW, L("*"), "POST", "/v1.43/images/x/push", AUTHZ_ALLOW);
	expect(ALLOW, L(NULL), "GET", "/v1.43/containers/json", AUTHZ_DENY);
}

/* Ping is allowed under every list: the CLI negotiates the version first. */
static void
test_ping(void **state)
{
	expect(DENY, L("*"), "GET", "/_ping", AUTHZ_ALLOW);
	expect(DENY, L("*"), "HEAD", "/v1.43/_ping", AUTHZ_ALLOW);
	expect(ALLOW, L(NULL), "GET", "/v1.43/_ping", AUTHZ_ALLOW);
	expect(ALLOW, L("push"), "HEAD", "/_ping", AUTHZ_ALLOW);
	expect(ALLOW, L(NULL), "GET", "/version", AUTHZ_DENY);
}

/* POST /images/create: pull or import, as dockerd decides. */
static void
test_images_create(void **state)
{
	struct authz_decision	d;
	struct dw_strv		sv = { NULL, 0 };
	struct req		q;

	expect(DENY, L("import"), "POST", "/v1.43/images/create?fromSrc=-&repo=x", AUTHZ_DENY);
	expect(DENY, L("image import"), "POST", "/v1.43/images/create?fromSrc=http://x/t.tar", AUTHZ_DENY);
	expect(DENY, L("import"), "POST", "/v1.43/images/create?fromImage=alpine", AUTHZ_ALLOW);
	expect(DENY, L("pull"), "POST", "/v1.43/images/create?fromImage=alpine", AUTHZ_DENY);
	expect(DENY, L("pull"), "POST", "/v1.43/images/create?fromSrc=-", AUTHZ_ALLOW);
	/* Both: dockerd pulls when fromImage is not empty. */
	expect(DENY, L("pull"), "POST", "/v1.43/images/create?fromSrc=-&fromImage=alpine", AUTHZ_DENY);
	expect(DENY, L("import"), "POST", "/v1.43/images/create?fromSrc=-&fromImage=alpine", AUTHZ_ALLOW);
	/* An empty fromImage imports, even without fromSrc. */
	expect(DENY, L("import"), "POST", "/v1.43/images/create?fromImage=&fromSrc=-", AUTHZ_DENY);
	expect(DENY, L("import"), "POST", "/v1.43/images/create", AUTHZ_DENY);
	/* Go's FormValue: the first value counts. */
	expect(DENY, L("import"), "POST", "/v1.43/images/create?fromImage=&fromImage=alpine", AUTHZ_DENY);
	expect(DENY, L("pull"), "POST", "/v1.43/images/create?fromImage=alpine&fromImage=", AUTHZ_DENY);
	/* run's implicit pull is auxiliary: not blocked by deny "run". */
	expect(DENY, L("run"), "POST", "/v1.43/images/create?fromImage=alpine", AUTHZ_ALLOW);
	assert_int_equal(check(DENY, L("import"), "POST",
	    "/v1.43/images/create?fromSrc=-", &d), AUTHZ_DENY);
	assert_non_null(strstr(d.msg, "): import is denied for"));

	/* A form body could override the query: refused under either list. */
	assert_int_equal(dw_strv_push(&sv, "import"), 0);
	req_make(&q, "POST", "/v1.43/images/create?fromSrc=-");
	q.r.content_type = "Application/X-WWW-Form-Urlencoded; charset=utf-8";
	assert_int_equal(authz_command_check(DENY, &sv, SOCK_LIST, SOCK_WHO,
	    RULE_SOCKET_COMMANDS, &q.r, &d), AUTHZ_DENY);
	q.r.content_type = "application/x-www-form-urlencoded";
	assert_int_equal(authz_command_check(ALLOW, &sv, SOCK_LIST, SOCK_WHO,
	    RULE_SOCKET_COMMANDS, &q.r, &d), AUTHZ_DENY);
	assert_non_null(strstr(d.msg, "a form-encoded body"));
	q.r.content_type = "application/x-tar";
	assert_int_equal(authz_command_check(ALLOW, &sv, SOCK_LIST, SOCK_WHO,
	    RULE_SOCKET_COMMANDS, &q.r, &d), AUTHZ_ALLOW);
	q.r.content_type = "application/x-www-form-urlencodedX";
	assert_int_equal(authz_command_check(ALLOW, &sv, SOCK_LIST, SOCK_WHO,
	    RULE_SOCKET_COMMANDS, &q.r, &d), AUTHZ_ALLOW);
	/* No list: nothing to protect. */
	q.r.content_type = "application/x-www-form-urlencoded";
	assert_int_equal(authz_command_check(AUTHZ_CMDLIST_NONE, &sv, SOCK_LIST,
	    SOCK_WHO, RULE_SOCKET_COMMANDS, &q.r, &d), AUTHZ_ALLOW);
	req_free(&q);
	dw_strv_clear(&sv);
}

/* Versioned, unversioned and slash-bearing names route the same. */
static void
test_versions(void **state)
{
	expect(DENY, L("push"), "POST", "/v1.43/images/x/push", AUTHZ_DENY);
	expect(DENY, L("push"), "POST", "/images/x/push", AUTHZ_DENY);
	expect(DENY, L("push"), "POST", "/v1.24/images/registry:5000/team/app:1/push?tag=1", AUTHZ_DENY);
	expect(DENY, L("push"), "POST", "http://docker/v1.41/images/x/push", AUTHZ_DENY);
	/* dockerd decodes %2F before routing. */
	expect(DENY, L("push"), "POST", "/v1.41/images%2Fx%2Fpush", AUTHZ_DENY);
}

/* Unroutable requests and NONE. */
static void
test_unroutable(void **state)
{
	struct authz_request	r;
	struct authz_decision	d;
	struct dw_strv		sv = { NULL, 0 };

	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.raw_uri = "/v1.43/debug/pprof";
	r.uri_error = "no route";
	assert_int_equal(authz_command_check(DENY, &sv, SOCK_LIST, SOCK_WHO,
	    RULE_SOCKET_COMMANDS, &r, &d), AUTHZ_DENY);
	assert_string_equal(d.rule, RULE_SOCKET_COMMANDS);
	assert_non_null(strstr(d.msg, "dockward: docker command \"/v1.43/debug/pprof\" "
	    "is blocked (socket.commandList): the request does not map to an "
	    "Engine API endpoint (no route)"));
	assert_int_equal(authz_command_check(ALLOW, &sv, SOCK_LIST, SOCK_WHO,
	    RULE_SOCKET_COMMANDS, &r, &d), AUTHZ_DENY);
	assert_int_equal(authz_command_check(AUTHZ_CMDLIST_NONE, &sv, SOCK_LIST,
	    SOCK_WHO, RULE_SOCKET_COMMANDS, &r, &d), AUTHZ_ALLOW);
	assert_string_equal(d.rule, "allow");
	/* An unknown type fails closed. */
	assert_int_equal(authz_command_check((enum authz_cmdlist_type)7, &sv,
	    SOCK_LIST, SOCK_WHO, RULE_SOCKET_COMMANDS, &r, &d), AUTHZ_DENY);
	/* NULL patterns are no patterns. */
	assert_int_equal(authz_command_check(DENY, NULL, SOCK_LIST, SOCK_WHO,
	    RULE_SOCKET_COMMANDS, &r, &d), AUTHZ_DENY);
	{
		const char *const	*p, *const *a;
		size_t			 np, na;

		assert_int_equal(authz_command_names(NULL, &p, &np, &a, &na), -ENOENT);
		assert_null(authz_command_primary(NULL));
	}
}

static void
test_known(void **state)
{
	struct authz_uri	*uri;
	struct dw_err	 err;

	assert_true(authz_command_known("push"));
	assert_true(authz_command_known("*"));
	assert_true(authz_command_known("image*"));
	assert_true(authz_command_known("container ls"));
	assert_true(authz_command_known("builder prune"));
	assert_true(authz_command_known("import"));	/* a variant's name */
	assert_false(authz_command_known("pusj"));
	assert_false(authz_command_known("logout"));	/* never reaches the engine */
	assert_false(authz_command_known("context*"));
	assert_false(authz_command_known("buildx build"));
	assert_false(authz_command_known(""));

	assert_int_equal(authz_uri_parse("GET", "/v1.43/containers/json", &uri, &err), 0);
	assert_string_equal(authz_command_primary(uri), "ps");
	authz_uri_free(uri);
	assert_int_equal(authz_uri_parse("HEAD", "/_ping", &uri, &err), 0);
	assert_string_equal(authz_command_primary(uri), "");
	authz_uri_free(uri);
	assert_int_equal(authz_uri_parse("POST", "/images/create?fromSrc=-", &uri, &err), 0);
	assert_string_equal(authz_command_primary(uri), "import");
	authz_uri_free(uri);
	assert_int_equal(authz_uri_parse("GET", "/distribution/x/json", &uri, &err), 0);
	assert_null(authz_command_primary(uri));
	authz_uri_free(uri);
}

/* The table is built once, safely, by whichever thread comes first. */
static void *
race(void *arg)
{
	struct authz_uri		*uri = arg;
	const char *const	*p, *const *a;
	size_t			 np, na;
	int			 i;

	for (i = 0; i < 1000; i++)
		if (authz_command_names(uri, &p, &np, &a, &na) != 0 || np != 4 ||
		    strcmp(p[0], "ps") != 0)
			return (void *)1;
	return NULL;
}

static void
test_threads(void **state)
{
	struct authz_uri	*uri;
	struct dw_err	 err;
	pthread_t	 t[8];
	void		*ret;
	size_t		 i;

	assert_int_equal(authz_uri_parse("GET", "/containers/json", &uri, &err), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race, uri), 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	authz_uri_free(uri);
}

int
main(void)
{
	/* test_threads first: the table must not be built yet. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_reachable),
		cmocka_unit_test(test_cli_names),
		cmocka_unit_test(test_pattern_match),
		cmocka_unit_test(test_wildcards),
		cmocka_unit_test(test_push_message),
		cmocka_unit_test(test_deny_semantics),
		cmocka_unit_test(test_effects),
		cmocka_unit_test(test_effects_allow_and_message),
		cmocka_unit_test(test_effect_rows),
		cmocka_unit_test(test_allow_semantics),
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_images_create),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_unroutable),
		cmocka_unit_test(test_known),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
