/*
 * Unit tests for digest_ref: the distribution/reference grammar and
 * normalization, table driven (valid references with their canonical
 * forms, invalid ones with the expected reason).
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

#include "digest/digest_ref.h"

#define W	DIGEST_REF_ALLOW_WILDCARD
#define H64	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D64	"sha256:" H64

struct valid_case {
	const char	*in;
	int		 flags;
	const char	*domain;
	const char	*path;
	const char	*tag;		/* NULL: none given */
	const char	*digest;	/* NULL: none given */
	const char	*string;	/* digest_ref_string() */
};

static const struct valid_case valid[] = {
	{ "alpine", 0, "docker.io", "library/alpine", NULL, NULL,
	    "docker.io/library/alpine:latest" },
	{ "docker:cli", 0, "docker.io", "library/docker", "cli", NULL,
	    "docker.io/library/docker:cli" },
	{ "docker.io/library/docker:cli", 0, "docker.io", "library/docker", "cli", NULL,
	    "docker.io/library/docker:cli" },
	{ "docker.io/docker:cli", 0, "docker.io", "library/docker", "cli", NULL,
	    "docker.io/library/docker:cli" },
	{ "index.docker.io/x/y", 0, "docker.io", "x/y", NULL, NULL,
	    "docker.io/x/y:latest" },
	{ "index.docker.io/ubuntu", 0, "docker.io", "library/ubuntu", NULL, NULL,
	    "docker.io/library/ubuntu:latest" },
	{ "testcontainers/ryuk:0.5.1", 0, "docker.io", "testcontainers/ryuk", "0.5.1", NULL,
	    "docker.io/testcontainers/ryuk:0.5.1" },
	{ "localhost/foo", 0, "localhost", "foo", NULL, NULL, "localhost/foo:latest" },
	{ "localhost:5000/a/b@" D64, 0, "localhost:5000", "a/b", NULL, D64,
	    "localhost:5000/a/b@" D64 },
	{ "localhost:5000/a/b:c@" D64, 0, "localhost:5000", "a/b", "c", D64,
	    "localhost:5000/a/b:c@" D64 },
	{ "alpine@" D64, 0, "docker.io", "library/alpine", NULL, D64,
	    "docker.io/library/alpine@" D64 },
	{ "[::1]:5000/foo/bar:v1", 0, "[::1]:5000", "foo/bar", "v1", NULL,
	    "[::1]:5000/foo/bar:v1" },
	{ "[fe80::1]/x", 0, "[fe80::1]", "x", NULL, NULL, "[fe80::1]/x:latest" },
	{ "192.168.1.10:5000/team/app:1.0", 0, "192.168.1.10:5000", "team/app", "1.0", NULL,
	    "192.168.1.10:5000/team/app:1.0" },
	{ "Registry.Example.COM/team/app", 0, "Registry.Example.COM", "team/app", NULL, NULL,
	    "Registry.Example.COM/team/app:latest" },
	{ "MyHost/app", 0, "MyHost", "app", NULL, NULL, "MyHost/app:latest" },
	{ "my-registry.io:443/a.b/c_d/e__f/g---h", 0, "my-registry.io:443",
	    "a.b/c_d/e__f/g---h", NULL, NULL, "my-registry.io:443/a.b/c_d/e__f/g---h:latest" },
	{ "foo:_Tag.With-Dots_", 0, "docker.io", "library/foo", "_Tag.With-Dots_", NULL,
	    "docker.io/library/foo:_Tag.With-Dots_" },
	/* No '/': "localhost:5000" is repository "localhost" with tag "5000", as in Docker. */
	{ "localhost:5000", 0, "docker.io", "library/localhost", "5000", NULL,
	    "docker.io/library/localhost:5000" },
	{ "example.com:5000", 0, "docker.io", "library/example.com", "5000", NULL,
	    "docker.io/library/example.com:5000" },
	{ "a1/b2/c3/d4", 0, "docker.io", "a1/b2/c3/d4", NULL, NULL,
	    "docker.io/a1/b2/c3/d4:latest" },
	/* Policy patterns. */
	{ "testcontainers/*:*", W, "docker.io", "testcontainers/*", "*", NULL,
	    "docker.io/testcontainers/*:*" },
	{ "docker.io/testcontainers/ryuk:*", W, "docker.io", "testcontainers/ryuk", "*", NULL,
	    "docker.io/testcontainers/ryuk:*" },
	{ "your-registry.com/ci-tools/*:*", W, "your-registry.com", "ci-tools/*", "*", NULL,
	    "your-registry.com/ci-tools/*:*" },
	{ "ryuk-*", W, "docker.io", "library/ryuk-*", NULL, NULL,
	    "docker.io/library/ryuk-*:latest" },
	{ "org/*-tools/app*:v1", W, "docker.io", "org/*-tools/app*", "v1", NULL,
	    "docker.io/org/*-tools/app*:v1" },
	{ "docker:cli", W, "docker.io", "library/docker", "cli", NULL,
	    "docker.io/library/docker:cli" },
};

struct invalid_case {
	const char	*in;
	int		 flags;
	const char	*reason;	/* substring of err.msg */
};

static const struct invalid_case invalid[] = {
	{ "", 0, "empty reference" },
	{ "Docker:CLI", 0, "repository name must be lowercase" },
	{ "docker.io/Library/alpine", 0, "repository name must be lowercase" },
	{ "localhost:5000/Foo", 0, "repository name must be lowercase" },
	{ H64, 0, "image ID" },
	{ "alpine:", 0, "invalid tag" },
	{ ":latest", 0, "missing repository name" },
	{ "@" D64, 0, "missing repository name" },
	{ "alpine:-x", 0, "invalid tag" },
	{ "alpine:.x", 0, "invalid tag" },
	{ "alpine:a:b", 0, "invalid tag" },
	{ "alpine:a/b", 0, "invalid registry host" },	/* "alpine:a" is a host */
	{ "alpine:" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0,
	    "invalid tag" },	/* 129 characters */
	{ "alpine@sha256:" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", 0,
	    "lowercase hex" },
	{ "alpine@sha256:abc", 0, "lowercase hex" },
	{ "alpine@" D64 "0", 0, "lowercase hex" },
	{ "alpine@sha512:" H64 H64, 0, "unsupported digest algorithm" },
	{ "alpine@" H64, 0, "expected algorithm:hex" },
	{ "alpine@1sha:" H64, 0, "bad algorithm" },
	{ "alpine@sha256-:" H64, 0, "bad algorithm" },
	{ "alpine@sha256+b64:" H64, 0, "unsupported digest algorithm" },
	{ "alpine@", 0, "expected algorithm:hex" },
	{ "alpine@" D64 "@" D64, 0, "lowercase hex" },
	{ "foo//bar", 0, "empty repository name component" },
	{ "/foo", 0, "empty repository name component" },
	{ "foo/", 0, "empty repository name component" },
	{ "example.com/", 0, "missing repository name" },
	{ "-foo", 0, "invalid repository name component \"-foo\"" },
	{ "foo-", 0, "invalid repository name component" },
	{ "foo..bar", 0, "invalid repository name component" },
	{ "foo___bar", 0, "invalid repository name component" },
	{ "foo_-bar", 0, "invalid repository name component" },
	{ "foo bar", 0, "invalid repository name component" },
	{ "foo\nbar", 0, "\\x0a" },
	{ "-registry.io/foo", 0, "invalid registry host" },
	{ "registry-.io/foo", 0, "invalid registry host" },
	{ "reg..io/foo", 0, "invalid registry host" },
	{ "reg_istry.io/foo", 0, "invalid registry host" },
	{ "registry.io:/foo", 0, "invalid registry host" },
	{ "registry.io:50a/foo", 0, "invalid registry host" },
	{ ":5000/foo", 0, "invalid registry host" },
	{ "[::1/foo", 0, "invalid registry host" },
	{ "[]:5000/foo", 0, "invalid registry host" },
	{ "[::g]/foo", 0, "invalid registry host" },
	{ "[::1]x/foo", 0, "invalid registry host" },
	/* Wildcards only with the flag, never in the domain, never partial tags. */
	{ "testcontainers/*:*", 0, "invalid repository name component" },
	{ "alpine:*", 0, "invalid tag" },
	{ "*.example.com/foo", W, "invalid registry host" },
	{ "foo:v1.*", W, "invalid tag" },
	{ "foo/-*", W, "invalid repository name component" },
	{ "foo/*?", W, "invalid repository name component" },
	{ "foo/[ab]", W, "invalid repository name component" },
};

/* Every valid case parses to the expected parts and canonical strings. */
static void
test_valid(void **state)
{
	struct digest_ref	*ref;
	struct dw_err		 err;
	char			*s, name[512];
	size_t			 i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		const struct valid_case *c = &valid[i];

		err.msg[0] = '\0';
		if ((ref = digest_ref_parse(c->in, c->flags, &err)) == NULL)
			fail_msg("\"%s\": unexpected error: %s", c->in, err.msg);
		assert_string_equal(ref->domain, c->domain);
		assert_string_equal(ref->path, c->path);
		if (c->tag == NULL)
			assert_null(ref->tag);
		else
			assert_string_equal(ref->tag, c->tag);
		if (c->digest == NULL)
			assert_null(ref->digest);
		else
			assert_string_equal(ref->digest, c->digest);
		s = digest_ref_string(ref);
		assert_non_null(s);
		if (strcmp(s, c->string) != 0)
			fail_msg("\"%s\": string %s, want %s", c->in, s, c->string);
		free(s);
		snprintf(name, sizeof(name), "%s/%s", c->domain, c->path);
		s = digest_ref_name(ref);
		assert_non_null(s);
		assert_string_equal(s, name);
		free(s);
		digest_ref_free(ref);
	}
}

/* Every invalid case is refused with the expected reason. */
static void
test_invalid(void **state)
{
	struct digest_ref	*ref;
	struct dw_err		 err;
	size_t			 i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		const struct invalid_case *c = &invalid[i];

		err.msg[0] = '\0';
		ref = digest_ref_parse(c->in, c->flags, &err);
		if (ref != NULL) {
			digest_ref_free(ref);
			fail_msg("\"%s\" (flags %d): accepted, want \"%s\"", c->in,
			    c->flags, c->reason);
		}
		if (strstr(err.msg, c->reason) == NULL)
			fail_msg("\"%s\": error \"%s\", want \"%s\"", c->in, err.msg,
			    c->reason);
		/* A NULL err is fine too. */
		assert_null(digest_ref_parse(c->in, c->flags, NULL));
	}
}

/* The 255-character limit applies to the normalized "domain/path". */
static void
test_name_length(void **state)
{
	struct digest_ref	*ref;
	struct dw_err		 err;
	char			 buf[600];
	size_t			 n;

	/* "docker.io/library/" is 18 characters; 237 more make exactly 255. */
	n = 255 - strlen("docker.io/library/");
	memset(buf, 'a', n);
	buf[n] = '\0';
	ref = digest_ref_parse(buf, 0, &err);
	assert_non_null(ref);
	digest_ref_free(ref);
	buf[n] = 'a';
	buf[n + 1] = '\0';
	assert_null(digest_ref_parse(buf, 0, &err));
	assert_non_null(strstr(err.msg, "more than 255"));

	/* Explicit domain: "r.io/" + 250 = 255. */
	memcpy(buf, "r.io/", 5);
	memset(buf + 5, 'b', 250);
	buf[255] = '\0';
	ref = digest_ref_parse(buf, 0, &err);
	assert_non_null(ref);
	digest_ref_free(ref);
	memcpy(buf + 255, "b", sizeof("b"));
	assert_null(digest_ref_parse(buf, 0, &err));
	assert_non_null(strstr(err.msg, "more than 255"));

	/* Absurdly long input is cut off before any work. */
	memset(buf, 'c', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	assert_null(digest_ref_parse(buf, 0, &err));
	assert_non_null(strstr(err.msg, "longer than"));
}

/* A 128-character tag is the longest allowed. */
static void
test_tag_length(void **state)
{
	struct digest_ref	*ref;
	struct dw_err		 err;
	char			 buf[256];

	memcpy(buf, "alpine:", 7);
	memset(buf + 7, 't', 128);
	buf[7 + 128] = '\0';
	ref = digest_ref_parse(buf, 0, &err);
	assert_non_null(ref);
	assert_int_equal(strlen(ref->tag), 128);
	digest_ref_free(ref);
}

/* digest_ref_is_sha256 accepts exactly "sha256:" and 64 lowercase hex digits. */
static void
test_is_sha256(void **state)
{
	assert_true(digest_ref_is_sha256(D64));
	assert_false(digest_ref_is_sha256(NULL));
	assert_false(digest_ref_is_sha256(""));
	assert_false(digest_ref_is_sha256(H64));
	assert_false(digest_ref_is_sha256(D64 "0"));
	assert_false(digest_ref_is_sha256("sha256:" "0123456789abcdef0123456789abcdef"));
	assert_false(digest_ref_is_sha256("sha256:" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_false(digest_ref_is_sha256("sha512:" H64));
	assert_false(digest_ref_is_sha256("SHA256:" H64));
	assert_false(digest_ref_is_sha256("sha256:" "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
}

/* Freeing NULL is a no-op. */
static void
test_free_null(void **state)
{
	digest_ref_free(NULL);
}

/* Policy name patterns: a star stays within one path component. */
static void
test_name_matches(void **state)
{
	assert_true(digest_ref_name_matches("docker.io/testcontainers/*", "docker.io/testcontainers/ryuk"));
	assert_false(digest_ref_name_matches("docker.io/testcontainers/*", "docker.io/testcontainers/a/b"));
	assert_true(digest_ref_name_matches("docker.io/library/docker", "docker.io/library/docker"));
	assert_false(digest_ref_name_matches("docker.io/library/docker", "docker.io/library/dockerx"));
	assert_true(digest_ref_name_matches("reg/*-tools/*", "reg/ci-tools/x"));
	assert_true(digest_ref_name_matches("[::1]:5000/a", "[::1]:5000/a"));
	assert_false(digest_ref_name_matches("[::1]:5000/a", "1:5000/a"));
	assert_true(digest_ref_name_matches("a/*", "a/"));	/* may match an empty run */
	assert_true(digest_ref_name_matches("a/**", "a/x"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_matches),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_tag_length),
		cmocka_unit_test(test_is_sha256),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
