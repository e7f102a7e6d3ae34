/*
 * Unit tests for registry_auth: WWW-Authenticate parsing (table driven),
 * token answers, the token cache and docker config.json credentials.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/dw_limits.h"
#include "registry/registry_auth.h"

struct challenge_case {
	const char			*hdr;
	int				 r;
	enum registry_auth_scheme	 scheme;
	const char			*realm;
	const char			*service;
	const char			*scope;
};

static const struct challenge_case challenges[] = {
	{ "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
	    "scope=\"repository:library/alpine:pull\"", 0, REGISTRY_AUTH_BEARER,
	    "https://auth.docker.io/token", "registry.docker.io",
	    "repository:library/alpine:pull" },
	/* Case-insensitive scheme and names, spaces around '=' and ','. */
	{ "bearer  Realm = \"https://a/t\" , SERVICE=svc", 0, REGISTRY_AUTH_BEARER,
	    "https://a/t", "svc", NULL },
	/* Escapes inside quoted strings. */
	{ "Bearer realm=\"https://a/t?x=\\\"q\\\"\",service=\"s\\\\v\\c\"", 0,
	    REGISTRY_AUTH_BEARER, "https://a/t?x=\"q\"", "s\\vc", NULL },
	/* A comma inside a quoted string is not a separator. */
	{ "Bearer realm=\"https://a/t\",scope=\"repository:a/b:pull,push\"", 0,
	    REGISTRY_AUTH_BEARER, "https://a/t", NULL, "repository:a/b:pull,push" },
	{ "Basic realm=\"Registry Realm\"", 0, REGISTRY_AUTH_BASIC, "Registry Realm", NULL,
	    NULL },
	{ "Basic", 0, REGISTRY_AUTH_BASIC, NULL, NULL, NULL },
	/* Several challenges: Bearer is preferred, its params are not mixed with Basic's. */
	{ "Basic realm=\"basic\", Bearer realm=\"https://b/t\",service=\"reg\"", 0,
	    REGISTRY_AUTH_BEARER, "https://b/t", "reg", NULL },
	{ "Bearer realm=\"https://b/t\", Basic realm=\"basic\", service=\"x\"", 0,
	    REGISTRY_AUTH_BEARER, "https://b/t", NULL, NULL },
	/* Unknown schemes (with token68 or params) are skipped. */
	{ "Negotiate abc==, NTLM, Basic realm=r", 0, REGISTRY_AUTH_BASIC, "r", NULL, NULL },
	{ "Digest realm=\"d\", nonce=\"n\", qop=\"auth\", Basic realm=\"b\"", 0,
	    REGISTRY_AUTH_BASIC, "b", NULL, NULL },
	/* Two headers joined by the client. */
	{ "Newauth realm=\"apps\", type=1, title=\"Login, please\", Basic realm=\"simple\"",
	    0, REGISTRY_AUTH_BASIC, "simple", NULL, NULL },
	/* Empty list elements are allowed. */
	{ ", ,Bearer realm=\"https://a/t\",,", 0, REGISTRY_AUTH_BEARER, "https://a/t", NULL,
	    NULL },
	/* The first value of a repeated param wins. */
	{ "Bearer realm=\"https://first/t\", realm=\"https://second/t\"", 0,
	    REGISTRY_AUTH_BEARER, "https://first/t", NULL, NULL },

	{ "", -ENOENT, 0, NULL, NULL, NULL },
	{ "Negotiate", -ENOENT, 0, NULL, NULL, NULL },
	{ "Bearer service=\"x\"", -EINVAL, 0, NULL, NULL, NULL },
	{ "Bearer realm=\"\"", -EINVAL, 0, NULL, NULL, NULL },
	{ "Bearer realm=\"https://a/t", -EINVAL, 0, NULL, NULL, NULL },
	{ "Bearer realm=\"https://a/t\\", -EINVAL, 0, NULL, NULL, NULL },
	{ "Bearer realm=\"a\nb\"", -EINVAL, 0, NULL, NULL, NULL },
	{ "Bearer realm=", -EINVAL, 0, NULL, NULL, NULL },
	{ "Bearer realm=https://a/t", -EINVAL, 0, NULL, NULL, NULL },
	{ "Bearer realm=\"x\" service=\"y\"", -EINVAL, 0, NULL, NULL, NULL },
	{ "realm=\"x\"", -EINVAL, 0, NULL, NULL, NULL },
	{ "=x", -EINVAL, 0, NULL, NULL, NULL },
	{ "Bearer realm=\"x\", Bas/ic", -EINVAL, 0, NULL, NULL, NULL },
	{ "Bearer\"realm\"", -EINVAL, 0, NULL, NULL, NULL },
	{ "A, B, C, D, E, F, G, H, Basic", -E2BIG, 0, NULL, NULL, NULL },
};

/* Compare an optional string. */
static void
assert_opt_str(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

/* The WWW-Authenticate table. */
static void
test_challenges(void **state)
{
	struct registry_auth_challenge	ch;
	struct dw_err			err;
	size_t				i;
	int				r;

	for (i = 0; i < sizeof(challenges) / sizeof(challenges[0]); i++) {
		const struct challenge_case *tc = &challenges[i];

		memset(&ch, 0, sizeof(ch));
		dw_err_clear(&err);
		r = registry_auth_challenge_parse(tc->hdr, &ch, &err);
		if (r != tc->r)
			fail_msg("case %zu \"%s\": got %d want %d (%s)", i, tc->hdr, r, tc->r,
			    err.msg);
		if (r != 0) {
			assert_true(err.msg[0] != '\0');
			assert_int_equal(ch.scheme, REGISTRY_AUTH_NONE);
			continue;
		}
		assert_int_equal(ch.scheme, tc->scheme);
		assert_opt_str(ch.realm, tc->realm);
		assert_opt_str(ch.service, tc->service);
		assert_opt_str(ch.scope, tc->scope);
		registry_auth_challenge_clear(&ch);
	}
}

/* NULL and over-long headers. */
static void
test_challenge_limits(void **state)
{
	struct registry_auth_challenge	 ch = { 0 };
	char				*big;

	assert_int_equal(registry_auth_challenge_parse(NULL, &ch, NULL), -ENOENT);
	big = malloc(DW_HTTP_HEADER_MAX + 64);
	assert_non_null(big);
	memcpy(big, "Bearer realm=\"", 14);
	memset(big + 14, 'a', DW_HTTP_HEADER_MAX);
	memcpy(big + 14 + DW_HTTP_HEADER_MAX, "\"", sizeof("\""));
	assert_int_equal(registry_auth_challenge_parse(big, &ch, NULL), -E2BIG);
	free(big);
	registry_auth_challenge_clear(NULL);
}

struct token_case {
	const char	*json;
	int		 r;
	const char	*token;
	long		 expires;
};

static const struct token_case tokens[] = {
	{ "{\"token\":\"abc.def\",\"expires_in\":300}", 0, "abc.def", 300 },
	{ "{\"access_token\":\"xyz\"}", 0, "xyz", 60 },
	{ "{\"token\":\"t1\",\"access_token\":\"t2\",\"expires_in\":3600,"
	    "\"issued_at\":\"2024-01-01T00:00:00Z\"}", 0, "t1", 3600 },
	{ "{\"token\":\"\",\"access_token\":\"t2\"}", 0, "t2", 60 },
	{ "{\"token\":\"t\",\"expires_in\":10}", 0, "t", 60 },
	{ "{\"token\":\"t\",\"expires_in\":-5}", 0, "t", 60 },
	{ "{\"token\":\"t\",\"expires_in\":\"300\"}", 0, "t", 60 },
	{ "{\"token\":\"t\",\"expires_in\":99999999}", 0, "t", 86400 },
	{ "{}", -EPROTO, NULL, 0 },
	{ "[]", -EPROTO, NULL, 0 },
	{ "not json", -EPROTO, NULL, 0 },
	{ "{\"token\":5}", -EPROTO, NULL, 0 },
	{ "{\"token\":\"a b\"}", -EPROTO, NULL, 0 },
	{ "{\"token\":\"a\\r\\nX-Evil: 1\"}", -EPROTO, NULL, 0 },
	{ "{\"token\":\"a\\u0000b\"}", -EPROTO, NULL, 0 },
	{ "{\"token\":\"a\",\"token\":\"b\"}", -EPROTO, NULL, 0 },
};

/* Token answers. */
static void
test_tokens(void **state)
{
	struct dw_err	 err;
	char		*tok;
	long		 exp;
	size_t		 i;
	int		 r;

	for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
		tok = NULL;
		exp = -1;
		r = registry_auth_token_parse(tokens[i].json, strlen(tokens[i].json), &tok,
		    &exp, &err);
		if (r != tokens[i].r)
			fail_msg("token case %zu: got %d want %d", i, r, tokens[i].r);
		if (r != 0) {
			assert_null(tok);
			assert_int_equal(exp, -1);
			continue;
		}
		assert_string_equal(tok, tokens[i].token);
		assert_int_equal(exp, tokens[i].expires);
		free(tok);
	}
}

/* A token answer over DW_TOKEN_MAX is -E2BIG. */
static void
test_token_too_big(void **state)
{
	char	*big, *tok = NULL;
	long	 exp;

	big = malloc(DW_TOKEN_MAX + 32);
	assert_non_null(big);
	memcpy(big, "{\"token\":\"", 10);
	memset(big + 10, 'a', DW_TOKEN_MAX);
	memcpy(big + 10 + DW_TOKEN_MAX, "\"}", 2);
	assert_int_equal(registry_auth_token_parse(big, DW_TOKEN_MAX + 12, &tok, &exp, NULL),
	    -E2BIG);
	assert_null(tok);
	free(big);
}

/* Cache: lookups by key and by host, expiry, replacement, bound. */
static void
test_token_cache(void **state)
{
	struct registry_auth_token_cache	*tc;
	char				*t, realm[64];
	int				 i;
	time_t				 now = 1000000;

	tc = registry_auth_token_cache_new();
	assert_non_null(tc);
	assert_null(registry_auth_token_cache_get(tc, "https://a/t", "svc", "s", now));
	assert_int_equal(registry_auth_token_cache_put(tc, "h", "https://a/t", "svc",
	    "repository:x:pull", "T1", 300, now), 0);
	t = registry_auth_token_cache_get(tc, "https://a/t", "svc", "repository:x:pull", now);
	assert_string_equal(t, "T1");
	free(t);
	t = registry_auth_token_cache_find(tc, "h", "repository:x:pull", now + 100);
	assert_string_equal(t, "T1");
	free(t);
	assert_null(registry_auth_token_cache_get(tc, "https://a/t", "other",
	    "repository:x:pull", now));
	assert_null(registry_auth_token_cache_find(tc, "h", "repository:y:pull", now));
	assert_null(registry_auth_token_cache_find(tc, "h2", "repository:x:pull", now));
	/* Dropped before the registry would refuse it. */
	assert_null(registry_auth_token_cache_find(tc, "h", "repository:x:pull", now + 295));
	/* A new token for the same key replaces the old one. */
	assert_int_equal(registry_auth_token_cache_put(tc, "h", "https://a/t", "svc",
	    "repository:x:pull", "T2", 60, now), 0);
	t = registry_auth_token_cache_get(tc, "https://a/t", "svc", "repository:x:pull", now + 1);
	assert_string_equal(t, "T2");
	free(t);
	/* NULL service is "". */
	assert_int_equal(registry_auth_token_cache_put(tc, "h", "https://a/t", NULL, "s",
	    "T3", 60, now), 0);
	t = registry_auth_token_cache_get(tc, "https://a/t", NULL, "s", now);
	assert_string_equal(t, "T3");
	free(t);
	/* Bounded: the oldest goes first. */
	for (i = 0; i < DW_TOKEN_CACHE_MAX + 10; i++) {
		snprintf(realm, sizeof(realm), "https://r%d/t", i);
		assert_int_equal(registry_auth_token_cache_put(tc, "h", realm, "svc", "s", "T",
		    600, now), 0);
	}
	assert_null(registry_auth_token_cache_get(tc, "https://r0/t", "svc", "s", now));
	t = registry_auth_token_cache_get(tc, "https://r265/t", "svc", "s", now);
	assert_string_equal(t, "T");
	free(t);
	registry_auth_token_cache_free(tc);
	registry_auth_token_cache_free(NULL);
}

struct creds_case {
	const char	*json;
	const char	*domain;
	int		 r;
	const char	*user;
	const char	*pass;
	const char	*idtok;
	const char	*msg;		/* substring of err for failures */
};

/* base64("alice:s3cr:et") = YWxpY2U6czNjcjpldA== ; base64("bob:pw") = Ym9iOnB3 */
static const struct creds_case creds[] = {
	{ "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"YWxpY2U6czNjcjpldA==\"}}}",
	    "docker.io", 0, "alice", "s3cr:et", NULL, NULL },
	{ "{\"auths\":{\"index.docker.io\":{\"auth\":\"Ym9iOnB3\"}}}",
	    "docker.io", 0, "bob", "pw", NULL, NULL },
	{ "{\"auths\":{\"localhost:5000\":{\"username\":\"u\",\"password\":\"p\"}}}",
	    "localhost:5000", 0, "u", "p", NULL, NULL },
	{ "{\"auths\":{\"https://reg.example.com/v2/\":{\"auth\":\"Ym9iOnB3\"}}}",
	    "reg.example.com", 0, "bob", "pw", NULL, NULL },
	{ "{\"auths\":{\"REG.example.com\":{\"auth\":\"Ym9iOnB3\"}}}",
	    "reg.example.com", 0, "bob", "pw", NULL, NULL },
	/* Unpadded base64. */
	{ "{\"auths\":{\"r.io\":{\"auth\":\"YWxpY2U6czNjcjpldA\"}}}",
	    "r.io", 0, "alice", "s3cr:et", NULL, NULL },
	{ "{\"auths\":{\"r.io\":{\"identitytoken\":\"refresh-me\"}}}",
	    "r.io", 0, NULL, NULL, "refresh-me", NULL },
	{ "{\"auths\":{\"r.io\":{\"auth\":\"Ym9iOnB3\",\"identitytoken\":\"it\"}}}",
	    "r.io", 0, "bob", "pw", "it", NULL },
	/* The exact key wins over a normalized one. */
	{ "{\"auths\":{\"https://r.io\":{\"auth\":\"YWxpY2U6czNjcjpldA==\"},"
	    "\"r.io\":{\"auth\":\"Ym9iOnB3\"}}}", "r.io", 0, "bob", "pw", NULL, NULL },
	/* credsStore with inline credentials for the host: inline ones are used. */
	{ "{\"credsStore\":\"desktop\",\"auths\":{\"r.io\":{\"auth\":\"Ym9iOnB3\"}}}",
	    "r.io", 0, "bob", "pw", NULL, NULL },

	{ "{}", "r.io", -ENOENT, NULL, NULL, NULL, "no credentials" },
	{ "{\"auths\":{}}", "r.io", -ENOENT, NULL, NULL, NULL, "no credentials" },
	{ "{\"auths\":{\"other.io\":{\"auth\":\"Ym9iOnB3\"}}}", "r.io", -ENOENT, NULL, NULL,
	    NULL, NULL },
	/* A port is part of the host. */
	{ "{\"auths\":{\"r.io:5000\":{\"auth\":\"Ym9iOnB3\"}}}", "r.io", -ENOENT, NULL, NULL,
	    NULL, NULL },
	{ "{\"auths\":{\"r.io\":{}}}", "r.io", -ENOENT, NULL, NULL, NULL, NULL },
	{ "{\"credHelpers\":{\"r.io\":\"ecr-login\"},\"auths\":{\"r.io\":{\"auth\":\"Ym9iOnB3\"}}}",
	    "r.io", -ENOTSUP, NULL, NULL, NULL, "\"ecr-login\"" },
	{ "{\"credHelpers\":{\"https://index.docker.io/v1/\":\"pass\"}}",
	    "docker.io", -ENOTSUP, NULL, NULL, NULL, "credHelpers" },
	{ "{\"credsStore\":\"desktop\",\"auths\":{\"r.io\":{}}}",
	    "r.io", -ENOTSUP, NULL, NULL, NULL, "credsStore" },
	{ "{\"credsStore\":\"desktop\",\"auths\":{}}", "r.io", -ENOENT, NULL, NULL, NULL, NULL },
	{ "[]", "r.io", -EINVAL, NULL, NULL, NULL, NULL },
	{ "{", "r.io", -EINVAL, NULL, NULL, NULL, NULL },
	{ "{\"auths\":[]}", "r.io", -EINVAL, NULL, NULL, NULL, NULL },
	{ "{\"auths\":{\"r.io\":{\"auth\":5}}}", "r.io", -EINVAL, NULL, NULL, NULL, NULL },
	{ "{\"auths\":{\"r.io\":{\"auth\":\"not base64!\"}}}", "r.io", -EINVAL, NULL, NULL,
	    NULL, "not base64" },
	/* base64("nocolon") */
	{ "{\"auths\":{\"r.io\":{\"auth\":\"bm9jb2xvbg==\"}}}", "r.io", -EINVAL, NULL, NULL,
	    NULL, NULL },
	{ "{\"auths\":{\"r.io\":\"x\"}}", "r.io", -EINVAL, NULL, NULL, NULL, NULL },
};

/* config.json credentials, and that secrets never reach the error text. */
static void
test_creds(void **state)
{
	struct registry_auth_creds	c;
	struct dw_err		err;
	size_t			i;
	int			r;

	for (i = 0; i < sizeof(creds) / sizeof(creds[0]); i++) {
		const struct creds_case *tc = &creds[i];

		memset(&c, 0, sizeof(c));
		dw_err_clear(&err);
		r = registry_auth_creds_parse(tc->json, strlen(tc->json), tc->domain, &c, &err);
		if (r != tc->r)
			fail_msg("creds case %zu: got %d want %d (%s)", i, r, tc->r, err.msg);
		if (r != 0) {
			assert_null(c.username);
			assert_null(c.identitytoken);
			if (tc->msg != NULL && strstr(err.msg, tc->msg) == NULL)
				fail_msg("creds case %zu: \"%s\" lacks \"%s\"", i, err.msg,
				    tc->msg);
			assert_null(strstr(err.msg, "Ym9i"));
			assert_null(strstr(err.msg, "pw"));
			continue;
		}
		assert_opt_str(c.username, tc->user);
		assert_opt_str(c.password, tc->pass);
		assert_opt_str(c.identitytoken, tc->idtok);
		registry_auth_creds_clear(&c);
		assert_null(c.username);
	}
	registry_auth_creds_clear(NULL);
}

/* Loading from a file: found, missing file, oversized file. */
static void
test_creds_load(void **state)
{
	struct registry_auth_creds	 c = { 0 };
	struct dw_err		 err;
	char			 path[] = "/tmp/dw-test-config-XXXXXX";
	const char		*json = "{\"auths\":{\"r.io\":{\"auth\":\"Ym9iOnB3\"}}}";
	FILE			*f;
	int			 fd;
	long			 i;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
	assert_int_equal(registry_auth_creds_load(path, "r.io", &c, &err), 0);
	assert_string_equal(c.username, "bob");
	assert_string_equal(c.password, "pw");
	registry_auth_creds_clear(&c);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i <= DW_DOCKER_CONFIG_MAX; i++)
		fputc(' ', f);
	fclose(f);
	assert_int_equal(registry_auth_creds_load(path, "r.io", &c, &err), -E2BIG);
	unlink(path);
	assert_int_equal(registry_auth_creds_load(path, "r.io", &c, &err), -ENOENT);
	assert_int_equal(registry_auth_creds_load("/", "r.io", &c, &err), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challenges),
		cmocka_unit_test(test_challenge_limits),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_token_too_big),
		cmocka_unit_test(test_token_cache),
		cmocka_unit_test(test_creds),
		cmocka_unit_test(test_creds_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
