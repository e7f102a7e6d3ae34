/*
 * Unit tests for authz_uri: routing of request targets the way dockerd
 * (Go net/url + gorilla/mux) routes them, table driven; the query and
 * BoolValue semantics; versions.compare; and a walk over the whole route
 * table that proves every route is reachable (no entry masked by an
 * earlier one).
 */
#include <errno.h>
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

#define E(id)	AUTHZ_EP_##id
#define NOVARS	{ NULL }

struct uri_case {
	const char		*method;
	const char		*uri;
	int			 rc;
	enum authz_uri_endpoint	 ep;		/* when rc == 0 */
	const char		*version;	/* NULL: no version prefix */
	const char		*path;		/* NULL: not checked */
	const char		*vars[DW_ROUTE_VARS_MAX + 1]; /* NULL-terminated */
};

static const struct uri_case cases[] = {
	/* The basic forms. */
	{ "POST", "/v1.41/containers/create", 0, E(CONTAINER_CREATE), "1.41",
	    "/containers/create", NOVARS },
	{ "POST", "/containers/create", 0, E(CONTAINER_CREATE), NULL,
	    "/containers/create", NOVARS },
	{ "POST", "/v1.41/containers/create?name=web", 0, E(CONTAINER_CREATE), "1.41",
	    "/containers/create", NOVARS },
	/* gorilla matches the decoded path: %2F is a real '/'. */
	{ "POST", "/v1.41/containers%2Fcreate", 0, E(CONTAINER_CREATE), "1.41",
	    "/containers/create", NOVARS },
	{ "POST", "/v1.41/%63ontainers/create", 0, E(CONTAINER_CREATE), "1.41",
	    "/containers/create", NOVARS },
	{ "GET", "/v1.41/containers/a%20b/json", 0, E(CONTAINER_INSPECT), "1.41",
	    "/containers/a b/json", { "a b" } },
	/* A trailing slash is clean, but no POST route takes it. */
	{ "POST", "/v1.41/containers/create/", -ENOENT, 0, NULL, NULL, NOVARS },
	/* ...while DELETE /containers/{name:.*} does, with the slash in the name. */
	{ "DELETE", "/v1.41/containers/abc/", 0, E(CONTAINER_DELETE), "1.41",
	    "/containers/abc/", { "abc/" } },
	/* Not clean: dockerd answers 301 and runs nothing. */
	{ "POST", "//containers/create", -EPERM, 0, NULL, NULL, NOVARS },
	{ "POST", "/v1.41//containers/create", -EPERM, 0, NULL, NULL, NOVARS },
	{ "POST", "/v1.41/./containers/create", -EPERM, 0, NULL, NULL, NOVARS },
	{ "POST", "/v1.41/containers/../containers/create", -EPERM, 0, NULL, NULL, NOVARS },
	{ "POST", "/v1.41/containers/create/.", -EPERM, 0, NULL, NULL, NOVARS },
	{ "POST", "/v1.41/containers/x/..", -EPERM, 0, NULL, NULL, NOVARS },
	{ "POST", "/v1.41/containers/%2e%2e/containers/create", -EPERM, 0, NULL, NULL, NOVARS },
	{ "POST", "/v1.41/containers/%2E%2E%2Fcontainers/create", -EPERM, 0, NULL, NULL, NOVARS },
	{ "GET", "/v1.41/%2e/info", -EPERM, 0, NULL, NULL, NOVARS },
	{ "GET", "/v1.41/containers/x%2F..%2Fy/json", -EPERM, 0, NULL, NULL, NOVARS },
	{ "GET", "/containers/%2F/json", -EPERM, 0, NULL, NULL, NOVARS },
	/* Dots that are not a whole segment are ordinary characters. */
	{ "GET", "/v1.41/containers/..x/json", 0, E(CONTAINER_INSPECT), "1.41",
	    "/containers/..x/json", { "..x" } },
	{ "GET", "/containers/.../json", 0, E(CONTAINER_INSPECT), NULL, NULL, { "..." } },
	/* {name:.*} spans '/' and is greedy. */
	{ "POST", "/v1.41/images/docker.io/library/alpine:3/push", 0, E(IMAGE_PUSH), "1.41",
	    "/images/docker.io/library/alpine:3/push", { "docker.io/library/alpine:3" } },
	{ "POST", "/images/a/b/push", 0, E(IMAGE_PUSH), NULL, NULL, { "a/b" } },
	{ "POST", "/images/a/push/push", 0, E(IMAGE_PUSH), NULL, NULL, { "a/push" } },
	{ "POST", "/images/a/tag/push", 0, E(IMAGE_PUSH), NULL, NULL, { "a/tag" } },
	{ "POST", "/images/a/push/tag", 0, E(IMAGE_TAG), NULL, NULL, { "a/push" } },
	{ "GET", "/images/get", 0, E(IMAGE_GET_ALL), NULL, NULL, NOVARS },
	{ "GET", "/images/get/get", 0, E(IMAGE_GET), NULL, NULL, { "get" } },
	{ "GET", "/exec/a/b/json", 0, E(EXEC_INSPECT), NULL, NULL, { "a/b" } },
	{ "GET", "/distribution/docker.io/library/alpine/json", 0, E(DISTRIBUTION_INSPECT),
	    NULL, NULL, { "docker.io/library/alpine" } },
	/* Checkpoint router first, or the DELETE gets masked. */
	{ "DELETE", "/v1.41/containers/x/checkpoints/y", 0, E(CHECKPOINT_DELETE), "1.41",
	    NULL, { "x", "y" } },
	{ "DELETE", "/containers/a/b", 0, E(CONTAINER_DELETE), NULL, NULL, { "a/b" } },
	/* {name} is [^/]+: a two-segment name falls through to container delete. */
	{ "DELETE", "/containers/a/b/checkpoints/c", 0, E(CONTAINER_DELETE), NULL, NULL,
	    { "a/b/checkpoints/c" } },
	{ "GET", "/containers/x/checkpoints", 0, E(CHECKPOINT_LIST), NULL, NULL, { "x" } },
	/* Go's '.' does not match '\n', [^/] does. */
	{ "GET", "/containers/a%0Ab/json", -ENOENT, 0, NULL, NULL, NOVARS },
	{ "DELETE", "/containers/a%0Ab", -ENOENT, 0, NULL, NULL, NOVARS },
	{ "DELETE", "/containers/a%0Ab/checkpoints/c", 0, E(CHECKPOINT_DELETE), NULL, NULL,
	    { "a\nb", "c" } },
	/* Absolute-form, as Go's server accepts it. */
	{ "GET", "http://localhost/v1.41/info", 0, E(INFO), "1.41", "/info", NOVARS },
	{ "GET", "https://localhost:2376/info?x=1", 0, E(INFO), NULL, "/info", NOVARS },
	{ "GET", "HTTP://user:pw@[::1]:2375/v1.40/version", 0, E(VERSION), "1.40", NULL, NOVARS },
	{ "GET", "http:/v1.41/info", 0, E(INFO), "1.41", NULL, NOVARS },
	{ "GET", "http://localhost", -EPERM, 0, NULL, NULL, NOVARS },
	{ "GET", "http://localhost?x=1", -EPERM, 0, NULL, NULL, NOVARS },
	{ "GET", "http://localhost//info", -EPERM, 0, NULL, NULL, NOVARS },
	{ "GET", "http://local{host}/info", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "http://local%zzhost/info", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "http:info", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "localhost/info", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "1http://localhost/info", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "info", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "OPTIONS", "*", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "?x=1", -EINVAL, 0, NULL, NULL, NOVARS },
	/* Methods are exact and case-sensitive. */
	{ "get", "/info", -ENOENT, 0, NULL, NULL, NOVARS },
	{ "POST", "/info", -ENOENT, 0, NULL, NULL, NOVARS },
	{ "", "/info", -ENOENT, 0, NULL, NULL, NOVARS },
	{ "GET", "/_ping", 0, E(PING), NULL, NULL, NOVARS },
	{ "HEAD", "/v1.41/_ping", 0, E(PING_HEAD), "1.41", NULL, NOVARS },
	{ "HEAD", "/v1.41/containers/c/archive", 0, E(CONTAINER_ARCHIVE_HEAD), "1.41", NULL,
	    { "c" } },
	{ "PUT", "/v1.41/containers/c/archive?path=/", 0, E(CONTAINER_ARCHIVE_PUT), "1.41",
	    NULL, { "c" } },
	{ "OPTIONS", "/v1.41/any/thing", 0, E(OPTIONS), "1.41", "/any/thing",
	    { "any/thing" } },
	{ "OPTIONS", "/", 0, E(OPTIONS), NULL, "/", { "" } },
	/* The version prefix is /v[0-9.]+, nothing else. */
	{ "GET", "/v/info", -ENOENT, 0, NULL, NULL, NOVARS },
	{ "GET", "/v1.41.9.9/info", 0, E(INFO), "1.41.9.9", "/info", NOVARS },
	{ "GET", "/v./info", 0, E(INFO), ".", "/info", NOVARS },
	{ "GET", "/vv1.41/info", -ENOENT, 0, NULL, NULL, NOVARS },
	{ "GET", "/V1.41/info", -ENOENT, 0, NULL, NULL, NOVARS },
	{ "GET", "/v1.41/v1.41/info", -ENOENT, 0, NULL, NULL, NOVARS },
	{ "GET", "/v1.41a/info", -ENOENT, 0, NULL, NULL, NOVARS },
	{ "GET", "/v1.41", -ENOENT, 0, NULL, NULL, NOVARS },
	{ "GET", "/v1%2E41/info", 0, E(INFO), "1.41", NULL, NOVARS },
	/* Malformed. */
	{ "GET", "/info#x", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/info?x=1#y", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/info%zz", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/info%2", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/info%", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/info%00", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/info?x=%zz", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/info?x=%", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/info?x%2=1", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/info?x=%00", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/info?a=1;b=2", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/info?;", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/nowhere?a=1;b=2", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/info\t", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/in\x7f" "fo", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/in fo", -EINVAL, 0, NULL, NULL, NOVARS },
	{ "GET", "/info?a=b\r\nX: y", -EINVAL, 0, NULL, NULL, NOVARS },
	/* Raw UTF-8 passes (Go does not refuse it). */
	{ "GET", "/containers/\xc3\xa9t\xc3\xa9/json", 0, E(CONTAINER_INSPECT), NULL, NULL,
	    { "\xc3\xa9t\xc3\xa9" } },
	/* Overlaps that moby resolves by order. */
	{ "GET", "/v1.41/containers/json", 0, E(CONTAINER_LIST), "1.41", NULL, NOVARS },
	{ "GET", "/containers/json/json", 0, E(CONTAINER_INSPECT), NULL, NULL, { "json" } },
	{ "GET", "/plugins/privileges", 0, E(PLUGIN_PRIVILEGES), NULL, NULL, NOVARS },
	{ "GET", "/plugins/privileges/json", 0, E(PLUGIN_INSPECT), NULL, NULL,
	    { "privileges" } },
	{ "GET", "/volumes/create", 0, E(VOLUME_INSPECT), NULL, NULL, { "create" } },
	{ "GET", "/networks", 0, E(NETWORK_LIST), NULL, NULL, NOVARS },
	{ "GET", "/networks/", 0, E(NETWORK_LIST_SLASH), NULL, NULL, NOVARS },
	{ "GET", "/v1.41/networks/abc", 0, E(NETWORK_INSPECT), "1.41", NULL, { "abc" } },
	{ "DELETE", "/networks/", 0, E(NETWORK_DELETE), NULL, NULL, { "" } },
	{ "POST", "/networks/prune", 0, E(NETWORK_PRUNE), NULL, NULL, NOVARS },
	{ "GET", "/services/s/logs", 0, E(SERVICE_LOGS), NULL, NULL, { "s" } },
	{ "GET", "/services/a/b", -ENOENT, 0, NULL, NULL, NOVARS },
	/* A few IDs other modules rely on. */
	{ "POST", "/v1.24/containers/c/exec", 0, E(CONTAINER_EXEC), "1.24", NULL, { "c" } },
	{ "POST", "/exec/e1/start", 0, E(EXEC_START), NULL, NULL, { "e1" } },
	{ "POST", "/containers/c/copy", 0, E(CONTAINER_COPY), NULL, NULL, { "c" } },
	{ "POST", "/v1.41/images/create?fromImage=alpine", 0, E(IMAGE_CREATE), "1.41", NULL,
	    NOVARS },
	{ "POST", "/v1.41/build", 0, E(BUILD), "1.41", "/build", NOVARS },
	{ "POST", "/auth", 0, E(AUTH), NULL, NULL, NOVARS },
	{ "POST", "/session", 0, E(SESSION), NULL, NULL, NOVARS },
	{ "POST", "/grpc", 0, E(GRPC), NULL, NULL, NOVARS },
	/* BuildKit's doors, versioned as the CLI and buildx call them (build.buildkit). */
	{ "POST", "/v1.41/session", 0, E(SESSION), "1.41", "/session", NOVARS },
	{ "POST", "/v1.43/grpc", 0, E(GRPC), "1.43", "/grpc", NOVARS },
	{ "POST", "/v1.41/build?version=2&session=x", 0, E(BUILD), "1.41", "/build", NOVARS },
	{ "POST", "/plugins/pull?remote=x", 0, E(PLUGIN_PULL), NULL, NULL, NOVARS },
	{ "POST", "/plugins/dockward:latest/disable", 0, E(PLUGIN_DISABLE), NULL, NULL,
	    { "dockward:latest" } },
	{ "PUT", "/v1.42/volumes/v", 0, E(VOLUME_UPDATE), "1.42", NULL, { "v" } },
};

/* Parse one case and check every field it names. */
static void
check_case(const struct uri_case *c)
{
	struct authz_uri	*uri = (struct authz_uri *)(uintptr_t)1;
	struct dw_err	 err;
	size_t		 n;
	int		 r;

	err.msg[0] = '\0';
	r = authz_uri_parse(c->method, c->uri, &uri, &err);
	if (r != c->rc)
		fail_msg("%s \"%s\": got %d (%s), want %d", c->method, c->uri, r,
		    err.msg, c->rc);
	if (r < 0) {
		assert_null(uri);
		if (err.msg[0] == '\0')
			fail_msg("%s \"%s\": no error text", c->method, c->uri);
		return;
	}
	assert_non_null(uri);
	if (uri->endpoint != c->ep)
		fail_msg("%s \"%s\": endpoint %s, want %s", c->method, c->uri,
		    authz_uri_endpoint_name(uri->endpoint), authz_uri_endpoint_name(c->ep));
	if (c->version == NULL)
		assert_null(uri->version);
	else {
		assert_non_null(uri->version);
		assert_string_equal(uri->version, c->version);
	}
	if (c->path != NULL)
		assert_string_equal(uri->path, c->path);
	for (n = 0; c->vars[n] != NULL; n++) {
		if (n >= uri->nvars)
			fail_msg("%s \"%s\": %zu vars, want more", c->method, c->uri,
			    uri->nvars);
		assert_string_equal(uri->vars[n], c->vars[n]);
	}
	if (uri->nvars != n)
		fail_msg("%s \"%s\": %zu vars, want %zu", c->method, c->uri, uri->nvars, n);
	authz_uri_free(uri);
}

static void
test_cases(void **state)
{
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

/* NULL arguments, a NULL err, and freeing NULL. */
static void
test_null_args(void **state)
{
	struct authz_uri	*uri = NULL;

	assert_int_equal(authz_uri_parse(NULL, "/info", &uri, NULL), -EINVAL);
	assert_int_equal(authz_uri_parse("GET", NULL, &uri, NULL), -EINVAL);
	assert_int_equal(authz_uri_parse("GET", "/info", NULL, NULL), -EINVAL);
	assert_int_equal(authz_uri_parse("GET", "/nowhere", &uri, NULL), -ENOENT);
	assert_null(uri);
	assert_int_equal(authz_uri_parse("GET", "/info", &uri, NULL), 0);
	assert_string_equal(authz_uri_version(uri), AUTHZ_URI_DEFAULT_VERSION);
	authz_uri_free(uri);
	authz_uri_free(NULL);
	assert_string_equal(authz_uri_version(NULL), AUTHZ_URI_DEFAULT_VERSION);
}

/* The -ENOENT text names the method and the path, as the contract says. */
static void
test_enoent_message(void **state)
{
	struct authz_uri	*uri = NULL;
	struct dw_err	 err;

	assert_int_equal(authz_uri_parse("PATCH", "/v1.41/info?x=1", &uri, &err), -ENOENT);
	assert_string_equal(err.msg, "no Engine API route for PATCH /v1.41/info");
}

/* DW_URI_MAX is the longest target accepted. */
static void
test_length(void **state)
{
	struct authz_uri	*uri = NULL;
	char		*buf;
	size_t		 fixed = strlen("/containers/") + strlen("/json"), n;

	buf = malloc(DW_URI_MAX + 2);
	assert_non_null(buf);
	memcpy(buf, "/containers/", strlen("/containers/"));
	memset(buf + strlen("/containers/"), 'a', DW_URI_MAX - fixed);
	memcpy(buf + DW_URI_MAX - strlen("/json"), "/json", sizeof("/json"));
	assert_int_equal(strlen(buf), DW_URI_MAX);
	assert_int_equal(authz_uri_parse("GET", buf, &uri, NULL), 0);
	assert_int_equal(uri->endpoint, AUTHZ_EP_CONTAINER_INSPECT);
	assert_int_equal(strlen(uri->vars[0]), DW_URI_MAX - fixed);
	authz_uri_free(uri);
	uri = NULL;

	memset(buf + strlen("/containers/"), 'a', DW_URI_MAX + 1 - fixed);
	memcpy(buf + DW_URI_MAX + 1 - strlen("/json"), "/json", sizeof("/json"));
	assert_int_equal(authz_uri_parse("GET", buf, &uri, NULL), -E2BIG);
	assert_null(uri);

	/*
	 * Around the length the parser decodes on its stack: routed, escapes
	 * decoded, an unclean path still refused, whatever the length.
	 */
	for (n = 240; n < 280; n++) {
		memcpy(buf, "/containers/%61", strlen("/containers/%61"));
		memset(buf + strlen("/containers/%61"), 'a', n);
		memcpy(buf + strlen("/containers/%61") + n, "/json", sizeof("/json"));
		assert_int_equal(authz_uri_parse("GET", buf, &uri, NULL), 0);
		assert_int_equal(uri->endpoint, AUTHZ_EP_CONTAINER_INSPECT);
		assert_int_equal(strlen(uri->vars[0]), n + 1);
		assert_int_equal(strspn(uri->vars[0], "a"), n + 1);
		authz_uri_free(uri);
		uri = NULL;
		memcpy(buf + strlen("/containers/%61") + n, "/../json", sizeof("/../json"));
		assert_int_equal(authz_uri_parse("GET", buf, &uri, NULL), -EPERM);
		assert_null(uri);
	}
	free(buf);
}

/* Build "/info?" with n parameters p0=v&p1=v... */
static char *
many_params(size_t n)
{
	char	*buf, *p;
	size_t	 i, sz = 16 + n * 16;

	buf = malloc(sz);
	assert_non_null(buf);
	p = buf + snprintf(buf, sz, "/info?");
	for (i = 0; i < n; i++)
		p += snprintf(p, sz - (size_t)(p - buf), "%sp%zu=v", i ? "&" : "", i);
	return buf;
}

/* DW_QUERY_PARAMS_MAX parameters pass, one more is -E2BIG; empty pieces do not count. */
static void
test_param_limit(void **state)
{
	struct authz_uri	*uri = NULL;
	char		*buf;

	buf = many_params(DW_QUERY_PARAMS_MAX);
	assert_int_equal(authz_uri_parse("GET", buf, &uri, NULL), 0);
	assert_int_equal(uri->nparams, DW_QUERY_PARAMS_MAX);
	authz_uri_free(uri);
	uri = NULL;
	free(buf);

	buf = many_params(DW_QUERY_PARAMS_MAX + 1);
	assert_int_equal(authz_uri_parse("GET", buf, &uri, NULL), -E2BIG);
	assert_null(uri);
	free(buf);

	assert_int_equal(authz_uri_parse("GET", "/info?&&&a=1&&", &uri, NULL), 0);
	assert_int_equal(uri->nparams, 1);
	authz_uri_free(uri);
}

/* url.ParseQuery splitting and decoding, and FormValue's first-wins. */
static void
test_query(void **state)
{
	struct authz_uri	*uri = NULL;
	const char	*v;

	assert_int_equal(authz_uri_parse("POST",
	    "/v1.41/images/create?fromImage=a&fromImage=b&tag=x%2By+z&a+b=c&flag&=e&k=1=2",
	    &uri, NULL), 0);
	assert_int_equal(uri->endpoint, AUTHZ_EP_IMAGE_CREATE);
	assert_int_equal(uri->nparams, 7);
	assert_int_equal(authz_uri_query_get(uri, "fromImage", &v), -EEXIST);
	assert_string_equal(v, "a");
	assert_int_equal(authz_uri_query_get(uri, "tag", &v), 0);
	assert_string_equal(v, "x+y z");
	assert_int_equal(authz_uri_query_get(uri, "a b", &v), 0);
	assert_string_equal(v, "c");
	assert_int_equal(authz_uri_query_get(uri, "flag", &v), 0);
	assert_string_equal(v, "");
	assert_int_equal(authz_uri_query_get(uri, "", &v), 0);
	assert_string_equal(v, "e");
	assert_int_equal(authz_uri_query_get(uri, "k", &v), 0);
	assert_string_equal(v, "1=2");
	/* Keys are case-sensitive. */
	assert_int_equal(authz_uri_query_get(uri, "fromimage", &v), -ENOENT);
	assert_null(v);
	assert_int_equal(authz_uri_query_get(uri, "missing", &v), -ENOENT);
	assert_null(v);
	/* Order of appearance is kept. */
	assert_string_equal(uri->params[0].key, "fromImage");
	assert_string_equal(uri->params[1].value, "b");
	assert_string_equal(uri->params[6].key, "k");
	authz_uri_free(uri);
	uri = NULL;

	/* '+' in the path stays '+'. */
	assert_int_equal(authz_uri_parse("GET", "/containers/a+b/json?x=a+b", &uri, NULL), 0);
	assert_string_equal(uri->vars[0], "a+b");
	assert_int_equal(authz_uri_query_get(uri, "x", &v), 0);
	assert_string_equal(v, "a b");
	authz_uri_free(uri);
}

struct bool_case {
	const char	*query;		/* after "/info?" */
	bool		 want;
};

static const struct bool_case bool_cases[] = {
	{ "", false },
	{ "force", false },
	{ "force=", false },
	{ "force=0", false },
	{ "force=no", false },
	{ "force=NO", false },
	{ "force=false", false },
	{ "force=False", false },
	{ "force=none", false },
	{ "force=+0+", false },
	{ "force=%09no%0B", false },
	/* Go's TrimSpace trims Unicode space: NBSP, EM SPACE, IDEOGRAPHIC SPACE. */
	{ "force=%C2%A0false%E2%80%83", false },
	{ "force=%E3%80%80none", false },
	{ "force=0&force=1", false },
	{ "Force=1", false },
	{ "force=1", true },
	{ "force=true", true },
	{ "force=TRUE", true },
	{ "force=yes", true },
	{ "force=2", true },
	{ "force=off", true },
	{ "force=nope", true },
	{ "force=f", true },
	{ "force=0x0", true },
	{ "force=n%C2%A0o", true },
	{ "force=1&force=0", true },
};

/* authz_uri_query_bool against dockerd's httputils.BoolValue. */
static void
test_bool(void **state)
{
	struct authz_uri	*uri;
	char		 buf[128];
	size_t		 i;

	for (i = 0; i < sizeof(bool_cases) / sizeof(bool_cases[0]); i++) {
		uri = NULL;
		snprintf(buf, sizeof(buf), "/info?%s", bool_cases[i].query);
		if (authz_uri_parse("GET", buf, &uri, NULL) != 0)
			fail_msg("\"%s\" did not parse", buf);
		if (authz_uri_query_bool(uri, "force") != bool_cases[i].want)
			fail_msg("\"%s\": BoolValue(force) should be %s", buf,
			    bool_cases[i].want ? "true" : "false");
		authz_uri_free(uri);
	}
}

struct ver_case {
	const char	*a, *b;
	int		 want;
};

static const struct ver_case ver_cases[] = {
	{ "1.9", "1.10", -1 },
	{ "1.41", "1.41.0", 0 },
	{ "1.24", "1.12", 1 },
	{ "1.41", "1.41", 0 },
	{ "1.4", "1.40", -1 },
	{ "2", "1.99", 1 },
	{ "1.41.1", "1.41", 1 },
	{ "1..2", "1.0.2", 0 },
	{ "01.41", "1.41", 0 },
	{ "", "0", 0 },
	{ "", "0.1", -1 },
	{ ".", "0", 0 },
	/* A piece that is not a number is 0 (strconv.Atoi's error ignored). */
	{ "1.a", "1.0", 0 },
	{ "1.a", "1.1", -1 },
	{ "1.x9", "1", 0 },
	{ "1. 2", "1.0", 0 },
	/* Atoi takes a sign, and clamps what is out of range. */
	{ "-1", "0", -1 },
	{ "+2", "1", 1 },
	{ "99999999999999999999", "9223372036854775807", 0 },
	{ "99999999999999999999", "9223372036854775806", 1 },
	{ "-99999999999999999999", "-9223372036854775808", 0 },
	{ "99999999999999999999x", "0", 0 },
};

/* authz_uri_version_compare against Docker's versions.compare, both ways round. */
static void
test_version_compare(void **state)
{
	size_t	i;
	int	r;

	for (i = 0; i < sizeof(ver_cases) / sizeof(ver_cases[0]); i++) {
		r = authz_uri_version_compare(ver_cases[i].a, ver_cases[i].b);
		if (r != ver_cases[i].want)
			fail_msg("compare(\"%s\", \"%s\") = %d, want %d", ver_cases[i].a,
			    ver_cases[i].b, r, ver_cases[i].want);
		r = authz_uri_version_compare(ver_cases[i].b, ver_cases[i].a);
		if (r != -ver_cases[i].want)
			fail_msg("compare(\"%s\", \"%s\") = %d, want %d", ver_cases[i].b,
			    ver_cases[i].a, r, -ver_cases[i].want);
	}
}

struct table_route {
	enum authz_uri_endpoint	 ep;
	const char		*id;
	const char		*method;
	const char		*pattern;
	const char		*name;
};

static const struct table_route table[] = {
#define DW_ROUTE(id, method, pattern, name)	\
	{ AUTHZ_EP_##id, #id, method, pattern, name },
#include "authz/authz_route_table.h"
#undef DW_ROUTE
};

#define NTABLE	(sizeof(table) / sizeof(table[0]))

/* Endpoint IDs other modules use by name: this fails to compile if one goes. */
static const enum authz_uri_endpoint required[] = {
	E(PING), E(PING_HEAD), E(CONTAINER_LIST), E(CONTAINER_CREATE),
	E(CONTAINER_INSPECT), E(CONTAINER_START), E(CONTAINER_UPDATE),
	E(CONTAINER_EXEC), E(CONTAINER_COPY), E(CONTAINER_ARCHIVE_PUT),
	E(EXEC_START), E(EXEC_RESIZE), E(EXEC_INSPECT), E(IMAGE_CREATE),
	E(IMAGE_LOAD), E(IMAGE_PUSH), E(IMAGE_TAG), E(BUILD), E(AUTH),
	E(VOLUME_CREATE), E(SERVICE_CREATE), E(SERVICE_UPDATE), E(SWARM_INIT),
	E(SWARM_JOIN), E(PLUGIN_LIST), E(PLUGIN_INSPECT), E(PLUGIN_PRIVILEGES),
	E(PLUGIN_PULL), E(PLUGIN_ENABLE), E(PLUGIN_DISABLE), E(PLUGIN_UPGRADE),
	E(PLUGIN_SET), E(PLUGIN_CREATE), E(PLUGIN_PUSH), E(PLUGIN_DELETE),
	E(GRPC), E(SESSION), E(INFO), E(VERSION), E(EVENTS),
};

/*
 * The accessors agree with the table; dotted names follow the rule
 * lower(ID) with '_' as '.', and are unique; (method, pattern) pairs are
 * unique; every required ID maps to a real route.
 */
static void
test_table(void **state)
{
	char	want[64];
	size_t	i, j, k;

	assert_int_equal(AUTHZ_EP__COUNT, NTABLE + 1);
	assert_string_equal(authz_uri_endpoint_name(AUTHZ_EP_UNKNOWN), "unknown");
	assert_null(authz_uri_endpoint_method(AUTHZ_EP_UNKNOWN));
	assert_null(authz_uri_endpoint_pattern(AUTHZ_EP_UNKNOWN));
	assert_string_equal(authz_uri_endpoint_name(AUTHZ_EP__COUNT), "unknown");
	assert_null(authz_uri_endpoint_method(AUTHZ_EP__COUNT));
	assert_null(authz_uri_endpoint_pattern((enum authz_uri_endpoint)-1));
	for (i = 0; i < NTABLE; i++) {
		assert_int_equal(table[i].ep, i + 1);
		assert_string_equal(authz_uri_endpoint_name(table[i].ep), table[i].name);
		assert_string_equal(authz_uri_endpoint_method(table[i].ep), table[i].method);
		assert_string_equal(authz_uri_endpoint_pattern(table[i].ep), table[i].pattern);
		for (k = 0; table[i].id[k] != '\0' && k + 1 < sizeof(want); k++)
			want[k] = table[i].id[k] == '_' ? '.' :
			    (char)(table[i].id[k] | 0x20);
		want[k] = '\0';
		if (strcmp(want, table[i].name) != 0)
			fail_msg("%s: dotted name \"%s\", want \"%s\"", table[i].id,
			    table[i].name, want);
		assert_true(table[i].pattern[0] == '/');
		for (j = 0; j < i; j++) {
			if (strcmp(table[i].name, table[j].name) == 0)
				fail_msg("duplicate name %s", table[i].name);
			if (strcmp(table[i].method, table[j].method) == 0 &&
			    strcmp(table[i].pattern, table[j].pattern) == 0)
				fail_msg("duplicate route %s %s", table[i].method,
				    table[i].pattern);
		}
	}
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		assert_non_null(authz_uri_endpoint_method(required[i]));
	assert_string_equal(authz_uri_endpoint_pattern(AUTHZ_EP_CONTAINER_EXEC),
	    "/containers/{name:.*}/exec");
	assert_string_equal(authz_uri_endpoint_pattern(AUTHZ_EP_IMAGE_CREATE), "/images/create");
	assert_string_equal(authz_uri_endpoint_method(AUTHZ_EP_PING_HEAD), "HEAD");
}

/*
 * Every route is reachable, bare and versioned: parsing a concrete path
 * built from its pattern, with its method, lands on that same route.
 * This catches a route masked by an earlier entry (wrong table order) and
 * a pattern the matcher does not understand.  None is masked in moby.
 */
static void
test_reachable(void **state)
{
	struct authz_uri	*uri;
	struct dw_err	 err;
	char		 path[256], full[512];
	size_t		 i, j, nvars;
	int		 v, r;

	for (i = 0; i < NTABLE; i++) {
		nvars = route_concrete_path(table[i].pattern, path, sizeof(path));
		for (v = 0; v < 2; v++) {
			uri = NULL;
			snprintf(full, sizeof(full), "%s%s?q=1", v ? "/v1.41" : "", path);
			r = authz_uri_parse(table[i].method, full, &uri, &err);
			if (r != 0)
				fail_msg("%s %s: %d (%s)", table[i].method, full, r, err.msg);
			if (uri->endpoint != table[i].ep)
				fail_msg("%s %s routes to %s, not %s", table[i].method, full,
				    authz_uri_endpoint_name(uri->endpoint), table[i].name);
			assert_int_equal(uri->nvars, nvars);
			for (j = 0; j < nvars; j++)
				assert_string_equal(uri->vars[j], "x");
			if (v)
				assert_string_equal(uri->version, "1.41");
			else
				assert_null(uri->version);
			assert_string_equal(uri->path, path);
			authz_uri_free(uri);
		}
	}
}

/*
 * ---- The matcher before the patterns were compiled (issue 15), kept as
 * the reference: test_compiled_same routes many paths with both and wants
 * the same route, version, path and variables. ----
 */
#define REF_VERSION_PREFIX	"/v{version:[0-9.]+}"
#define REF_PATTERN_MAX		128
#define REF_VARS_MAX		(1 + DW_ROUTE_VARS_MAX)

enum ref_kind { REF_BAD, REF_DOT_STAR, REF_DOT_PLUS, REF_SEGMENT, REF_VERSION };

struct ref_match {
	const char	*start[REF_VARS_MAX];
	size_t		 len[REF_VARS_MAX];
	size_t		 n;
	size_t		 max;
};

static enum ref_kind
ref_kind(const char *tok, size_t len)
{
	const char	*colon = memchr(tok, ':', len);
	size_t		 relen;

	if (colon == NULL)
		return len > 0 ? REF_SEGMENT : REF_BAD;
	relen = len - (size_t)(colon + 1 - tok);
	if (relen == 2 && memcmp(colon + 1, ".*", 2) == 0)
		return REF_DOT_STAR;
	if (relen == 2 && memcmp(colon + 1, ".+", 2) == 0)
		return REF_DOT_PLUS;
	if (relen == 7 && memcmp(colon + 1, "[0-9.]+", 7) == 0)
		return REF_VERSION;
	return REF_BAD;
}

static bool
ref_accepts(enum ref_kind kind, unsigned char c)
{
	switch (kind) {
	case REF_DOT_STAR:
	case REF_DOT_PLUS:
		return c != '\n';
	case REF_SEGMENT:
		return c != '/';
	case REF_VERSION:
		return (c >= '0' && c <= '9') || c == '.';
	default:
		return false;
	}
}

static bool
ref_match_from(const char *pat, const char *s, struct ref_match *m)
{
	const char	*close;
	enum ref_kind	 kind;
	size_t		 max, min, len;

	for (; *pat != '\0' && *pat != '{'; pat++, s++)
		if (*pat != *s)
			return false;
	if (*pat == '\0')
		return *s == '\0';
	if ((close = strchr(pat, '}')) == NULL || m->n == m->max)
		return false;
	if ((kind = ref_kind(pat + 1, (size_t)(close - pat - 1))) == REF_BAD)
		return false;
	for (max = 0; s[max] != '\0' && ref_accepts(kind, (unsigned char)s[max]); max++)
		;
	min = kind == REF_DOT_STAR ? 0 : 1;
	for (len = max + 1; len-- > min;) {
		m->start[m->n] = s;
		m->len[m->n] = len;
		m->n++;
		if (ref_match_from(close + 1, s + len, m))
			return true;
		m->n--;
	}
	return false;
}

static bool
ref_match_route(const char *pattern, bool versioned, const char *path,
    struct ref_match *m)
{
	char	buf[REF_PATTERN_MAX];
	int	n;

	m->n = 0;
	m->max = versioned ? REF_VARS_MAX : DW_ROUTE_VARS_MAX;
	if (!versioned)
		return ref_match_from(pattern, path, m);
	n = snprintf(buf, sizeof(buf), "%s%s", REF_VERSION_PREFIX, pattern);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return false;
	return ref_match_from(buf, path, m);
}

/* Route decoded (a clean path) for method as the reference does, and compare with uri. */
static void
ref_compare(const char *method, const char *decoded, const char *raw, int r,
    const struct authz_uri *uri)
{
	struct ref_match	 m;
	size_t			 i, first;
	int			 v = 0;
	bool			 found = false;

	for (i = 0; i < NTABLE && !found; i++) {
		if (strcmp(table[i].method, method) != 0)
			continue;
		for (v = 1; v >= 0; v--)
			if (ref_match_route(table[i].pattern, v == 1, decoded, &m)) {
				found = true;
				break;
			}
	}
	if (!found) {
		if (r != -ENOENT)
			fail_msg("%s %s: %d, the reference finds no route", method, raw, r);
		return;
	}
	i--;
	if (r != 0)
		fail_msg("%s %s: %d, the reference routes it to %s", method, raw, r,
		    table[i].name);
	if (uri->endpoint != table[i].ep)
		fail_msg("%s %s: %s, the reference %s", method, raw,
		    authz_uri_endpoint_name(uri->endpoint), table[i].name);
	first = v == 1 ? 1 : 0;
	if (v == 1) {
		assert_non_null(uri->version);
		assert_int_equal(strlen(uri->version), m.len[0]);
		assert_memory_equal(uri->version, m.start[0], m.len[0]);
		assert_string_equal(uri->path, m.start[0] + m.len[0]);
	} else {
		assert_null(uri->version);
		assert_string_equal(uri->path, decoded);
	}
	if (uri->nvars != m.n - first)
		fail_msg("%s %s: %zu variables, the reference %zu", method, raw,
		    uri->nvars, m.n - first);
	for (i = first; i < m.n; i++) {
		assert_int_equal(strlen(uri->vars[i - first]), m.len[i]);
		assert_memory_equal(uri->vars[i - first], m.start[i], m.len[i]);
	}
}

/* Percent-encode decoded into raw, every byte but [A-Za-z0-9/._~-]. */
static void
encode_path(const char *decoded, char *raw, size_t len)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			o = 0;
	unsigned char		c;

	for (; *decoded != '\0'; decoded++) {
		c = (unsigned char)*decoded;
		assert_true(o + 4 < len);
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("/._~-", c) != NULL)
			raw[o++] = (char)c;
		else {
			raw[o++] = '%';
			raw[o++] = hex[c >> 4];
			raw[o++] = hex[c & 15];
		}
	}
	raw[o] = '\0';
}

/* Route decoded with authz_uri_parse and the reference; count the paths that were clean. */
static void
same_route(const char *method, const char *decoded, size_t *ncompared)
{
	struct authz_uri	*uri = NULL;
	struct dw_err		 err;
	char			 raw[2048];
	int			 r;

	encode_path(decoded, raw, sizeof(raw));
	r = authz_uri_parse(method, raw, &uri, &err);
	if (r == -EPERM || r == -EINVAL)	/* not clean, or no path: never routed */
		return;
	ref_compare(method, decoded, raw, r, uri);
	authz_uri_free(uri);
	(*ncompared)++;
}

/*
 * The compiled routes match exactly as the matcher before them: every
 * route's pattern filled with awkward variable values (empty, slashes,
 * newlines, dots, versions, other routes' words) under several version
 * prefixes, with its method and others, and random paths of route words.
 */
static void
test_compiled_same(void **state)
{
	static const char *const fills[] = { "x", "abc", "", "a/b", "a/b/c", "json",
	    "a\nb", "\n", "1.41", "v1.41", "containers/x/json", "%", "a b", "-",
	    "x/", "/x", "exec", "x.y", "..x", "~" };
	static const char *const versions[] = { "", "/v1.41", "/v1", "/v.", "/v1..4.",
	    "/v", "/vx1", "/v1.41/v1.40", "/v1.4a", "/V1.41" };
	static const char *const methods[] = { NULL, "GET", "POST", "DELETE", "PATCH",
	    "HEAD", "get" };
	static const char *const words[] = { "/", "containers", "json", "v1.41", "x",
	    "exec", "images", "{", "}", "\n", "plugins", "start", "ab", "1.2", "v",
	    "_ping", "networks", "services", "update", "tag", "push", "..." };
	char		 path[1024], tail[1024];
	const char	*p, *close, *method;
	size_t		 i, f, v, k, mi, o, nv, ncompared = 0;
	unsigned	 seed = 15;

	(void)state;
	for (i = 0; i < NTABLE; i++) {
		for (f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
			/* The pattern with its k-th variable filled by fills[f + 3k]. */
			o = 0;
			nv = 0;
			for (p = table[i].pattern; *p != '\0'; p++) {
				if (*p == '{' && (close = strchr(p, '}')) != NULL) {
					k = (f + 3 * nv++) % (sizeof(fills) / sizeof(fills[0]));
					o += (size_t)snprintf(tail + o, sizeof(tail) - o, "%s",
					    fills[k]);
					p = close;
				} else
					tail[o++] = *p;
			}
			tail[o] = '\0';
			for (v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
				snprintf(path, sizeof(path), "%s%s", versions[v], tail);
				for (mi = 0; mi < sizeof(methods) / sizeof(methods[0]); mi++) {
					method = methods[mi] ? methods[mi] : table[i].method;
					same_route(method, path, &ncompared);
				}
			}
		}
	}
	for (i = 0; i < 20000; i++) {
		o = 0;
		path[o++] = '/';
		for (k = 0; k < 1 + (seed = seed * 1103515245u + 12345u) % 9; k++) {
			seed = seed * 1103515245u + 12345u;
			o += (size_t)snprintf(path + o, sizeof(path) - o, "%s%s",
			    words[(seed >> 8) % (sizeof(words) / sizeof(words[0]))],
			    (seed >> 20) % 3 ? "/" : "");
		}
		path[o] = '\0';
		seed = seed * 1103515245u + 12345u;
		method = table[(seed >> 8) % NTABLE].method;
		same_route(method, path, &ncompared);
	}
	/* Most of them were clean and compared. */
	assert_true(ncompared > 20000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_enoent_message),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_param_limit),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_version_compare),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_reachable),
		cmocka_unit_test(test_compiled_same),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
