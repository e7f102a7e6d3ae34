/*
 * Unit tests for digest_dockerfile: the base images of every stage, as
 * docker reads them (directives, continuations, comments, heredocs, ARG
 * expansion with build-arg overrides) and the refusals.
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

#include "digest/digest_dockerfile.h"

/*
 * Parse text and compare with want: "image" per stage, with "name=" for
 * an AS name, a leading "@" for a stage ref and "!" for scratch, joined
 * by "|" (e.g. "golang:1.22 name=build|@build").
 */
static void
expect_froms(const char *text, const char *const *args, const char *want)
{
	struct digest_from	*v = NULL;
	struct dw_err		 err;
	size_t			 n = 0, i, off = 0;
	char			 got[1024];
	int			 r;

	r = digest_dockerfile_froms(text, strlen(text), args, &v, &n, &err);
	if (r != 0)
		print_error("error %d: %s\n", r, err.msg);
	assert_int_equal(r, 0);
	got[0] = '\0';
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%s%s%s%s%s",
		    i > 0 ? "|" : "", v[i].is_stage_ref ? "@" : "",
		    v[i].is_scratch ? "!" : "", v[i].image,
		    v[i].stage_name != NULL ? " name=" : "",
		    v[i].stage_name != NULL ? v[i].stage_name : "");
	assert_string_equal(got, want);
	digest_froms_free(v, n);
}

/* Parse text, expect error r and a message containing msg. */
static void
expect_error(const char *text, const char *const *args, int want, const char *msg)
{
	struct digest_from	*v = (struct digest_from *)0x1;
	struct dw_err		 err;
	size_t			 n = 7;
	int			 r;

	r = digest_dockerfile_froms(text, strlen(text), args, &v, &n, &err);
	if (r != want)
		print_error("got %d (%s) for:\n%s\n", r, err.msg, text);
	assert_int_equal(r, want);
	assert_ptr_equal(v, (struct digest_from *)0x1);	/* ret_ untouched */
	assert_int_equal(n, 7);
	if (msg != NULL && strstr(err.msg, msg) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
}

static void
test_single(void **state)
{
	(void)state;
	expect_froms("FROM alpine:3.20\nRUN true\n", NULL, "alpine:3.20");
	expect_froms("from docker.io/library/nginx@sha256:aaaa", NULL,
	    "docker.io/library/nginx@sha256:aaaa");
	expect_froms("\n\n   FROM\tbusybox  \n", NULL, "busybox");
}

static void
test_multistage(void **state)
{
	(void)state;
	expect_froms(
	    "FROM golang:1.22 AS build\n"
	    "RUN go build\n"
	    "FROM --platform=linux/amd64 gcr.io/distroless/static as Runtime\n"
	    "COPY --from=build /app /app\n"
	    "FROM BUILD\n"
	    "FROM runtime AS final\n"
	    "FROM scratch\n",
	    NULL,
	    "golang:1.22 name=build|gcr.io/distroless/static name=runtime|"
	    "@BUILD|@runtime name=final|!scratch");
}

static void
test_stage_ref_later_is_image(void **state)
{
	(void)state;
	/* Only an earlier stage is a stage ref: a later or own name is an image. */
	expect_froms("FROM later\nFROM alpine AS later\n", NULL, "later|alpine name=later");
	expect_froms("FROM self AS self\n", NULL, "self name=self");
}

static void
test_from_syntax_errors(void **state)
{
	(void)state;
	expect_error("FROM\n", NULL, -EINVAL, "one or three");
	expect_error("FROM a b\n", NULL, -EINVAL, "one or three");
	expect_error("FROM a AS\n", NULL, -EINVAL, "one or three");
	expect_error("FROM a AS b c\n", NULL, -EINVAL, "one or three");
	expect_error("FROM a FOR b\n", NULL, -EINVAL, "one or three");
	expect_error("FROM a AS 1st\n", NULL, -EINVAL, "invalid name");
	expect_error("FROM --pull=always a\n", NULL, -EINVAL, "unknown flag");
	expect_error("FROM --platform=linux/amd64\n", NULL, -EINVAL, "one or three");
	expect_error("RUN true\nFROM a\n", NULL, -EINVAL, "before the first FROM");
	expect_error("# only a comment\n", NULL, -EINVAL, "no FROM");
	expect_error("", NULL, -EINVAL, "no FROM");
	expect_error("ARG X=1\n", NULL, -EINVAL, "no FROM");
}

static void
test_arg_forms(void **state)
{
	static const char *const none[] = { NULL };

	(void)state;
	expect_froms("ARG BASE=alpine:3\nFROM ${BASE}\n", NULL, "alpine:3");
	expect_froms("ARG BASE=alpine:3\nFROM $BASE\n", none, "alpine:3");
	expect_froms("ARG REG=r.example ARG_TAG=1\nFROM $REG/app:${ARG_TAG}-slim\n",
	    NULL, "r.example/app:1-slim");
	expect_froms("ARG BASE\nFROM ${BASE:-debian:12}\n", NULL, "debian:12");
	expect_froms("ARG BASE=\nFROM ${BASE:-debian:12}\n", NULL, "debian:12");
	expect_froms("ARG BASE=\nFROM ${BASE-debian}x\n", NULL, "x");
	expect_froms("ARG BASE\nFROM ${BASE-debian}\n", NULL, "debian");
	expect_froms("ARG V=1\nFROM alpine${V:+:3.$V}\n", NULL, "alpine:3.1");
	expect_froms("ARG V\nFROM alpine${V:+:3}\n", NULL, "alpine");
	expect_froms("ARG V=\nFROM alpine${V+:edge}\n", NULL, "alpine:edge");
	expect_froms("ARG A=alp B=${A}ine\nFROM $B\n", NULL, "alpine");
	expect_froms("ARG A=\"al pine\"\nFROM x\nARG A=ignored\nFROM \"$A\"\n", NULL,
	    "x|al pine");
	expect_froms("ARG X=a\nFROM '$X'\n", NULL, "$X");
	expect_froms("ARG X=a\nFROM \\$X\n", NULL, "$X");
	expect_froms("ARG X=a\nFROM ${X:-${Y:-z}}/${Y:-${X}}\n", NULL, "a/a");
	expect_froms("FROM a$\n", NULL, "a$");
	/* Variables in an unused alternative do not matter. */
	expect_froms("ARG X=a\nFROM ${X:-$NOPE}${NOPE:+$NOPE2}\n", NULL, "a");
	/* ARGs after the first FROM are stage-local and not usable in FROM. */
	expect_error("FROM alpine\nARG B=busybox\nFROM $B\n", NULL, -EINVAL,
	    "cannot be resolved");
}

static void
test_build_args(void **state)
{
	static const char *const args[] = { "BASE=registry.example/base:2", "OTHER",
	    "UNDECLARED=evil", NULL };
	static const char *const syn[] = { "BUILDKIT_SYNTAX=evil/frontend", NULL };

	(void)state;
	expect_froms("ARG BASE=alpine:3\nFROM ${BASE}\n", args, "registry.example/base:2");
	expect_froms("ARG BASE\nFROM $BASE AS b\n", args, "registry.example/base:2 name=b");
	expect_froms("ARG OTHER=kept\nFROM $OTHER\n", args, "kept");
	/* A build arg only overrides a declared ARG. */
	expect_error("FROM $UNDECLARED\n", args, -EINVAL, "cannot be resolved");
	expect_error("FROM alpine\n", syn, -EPROTO, "BUILDKIT_SYNTAX");
}

static void
test_unresolvable(void **state)
{
	(void)state;
	expect_error("# c\nARG BASE\n\nFROM ${BASE}\n", NULL, -EINVAL,
	    "line 4: FROM ${BASE} cannot be resolved");
	expect_error("ARG BASE\nFROM $BASE\n", NULL, -EINVAL, "ARG BASE has no value");
	expect_error("FROM ${NOPE}\n", NULL, -EINVAL, "cannot be resolved");
	expect_error("ARG B\nARG A=${B}x\nFROM $A\n", NULL, -EINVAL, "cannot be resolved");
	expect_error("ARG B\nFROM ${B:?required}\n", NULL, -EINVAL, "cannot be resolved");
	expect_error("ARG B=\nFROM $B\n", NULL, -EINVAL, "empty");
	expect_error("ARG B=x\nFROM ${B#x}\n", NULL, -EINVAL, "bad substitution");
	expect_error("ARG B=x\nFROM ${B\n", NULL, -EINVAL, "bad substitution");
	expect_error("FROM 'x\n", NULL, -EINVAL, "bad substitution");
}

static void
test_directives(void **state)
{
	(void)state;
	expect_froms("# escape=`\nFROM `\n  alpine\nRUN dir c:\\\n", NULL, "alpine");
	expect_froms("#escape = `\n# other=x\nARG X=1\nFROM a:`$X\n", NULL, "a:$X");
	/* After a non-directive line, "# escape" is a comment. */
	expect_froms("# hello\n# escape=`\nFROM a \\\n AS b\n", NULL, "a name=b");
	expect_error("# escape=x\nFROM a\n", NULL, -EINVAL, "invalid escape");
	expect_error("# escape=`\n# escape=\\\nFROM a\n", NULL, -EINVAL, "only one");
	expect_error("# syntax=docker/dockerfile:1\nFROM alpine\n", NULL, -EPROTO,
	    "custom BuildKit frontend");
	expect_error("\xef\xbb\xbf#  SYNTAX = evil/frontend \nFROM alpine\n", NULL,
	    -EPROTO, "syntax");
	expect_error("# escape=`\n# syntax=x\nFROM alpine\n", NULL, -EPROTO, NULL);
	/* Not at the top: a comment. */
	expect_froms("FROM alpine\n# syntax=evil\n", NULL, "alpine");
}

static void
test_continuations(void **state)
{
	(void)state;
	expect_froms("FROM \\\n# a comment inside\n\n   \nalpine \\  \n  AS \\\n base\n",
	    NULL, "alpine name=base");
	expect_froms("FR\\\nOM busybox\n", NULL, "busybox");
	expect_froms("FROM a\nRUN echo \\\n# FROM evil\n  done\nFROM b\n", NULL, "a|b");
	/* Continuation at the end of the file. */
	expect_froms("FROM alpine \\", NULL, "alpine");
	/* A comment line ending in the escape character continues nothing. */
	expect_froms("# note \\\nFROM alpine\n", NULL, "alpine");
}

static void
test_crlf(void **state)
{
	(void)state;
	expect_froms("ARG B=alpine\r\nFROM $B AS one\r\nRUN a \\\r\n b\r\nFROM one\r\n",
	    NULL, "alpine name=one|@one");
	expect_froms("# escape=`\r\nFROM `\r\n x\r\n", NULL, "x");
}

static void
test_heredocs(void **state)
{
	(void)state;
	expect_froms(
	    "FROM alpine\n"
	    "RUN <<EOF\n"
	    "FROM evil\n"
	    "EOF\n"
	    "COPY <<-\"END\" <<'TWO' /x\n"
	    "\tFROM evil2\n"
	    "\tEND\n"
	    "FROM evil3\n"
	    "TWO\n"
	    "run 3<<FILE cat /dev/fd/3\n"
	    "FROM evil4\n"
	    "FILE\r\n"
	    "ADD <<EOF /y\n"
	    "FROM evil5\n"
	    "  EOF\n"
	    "EOF\n"
	    "FROM busybox\n", NULL, "alpine|busybox");
	/* Exec form and "<<" inside a word are not heredocs. */
	expect_froms("FROM a\nRUN [\"sh\", \"<<EOF\"]\nFROM b\n", NULL, "a|b");
	expect_froms("FROM a\nRUN echo a<<b\nFROM c\n", NULL, "a|c");
	/* Without the chomp "-", a tab-indented terminator does not end it. */
	expect_error("FROM a\nRUN <<EOF\n\tEOF\n", NULL, -EINVAL, "unterminated heredoc");
	/* A heredoc after many words still counts. */
	{
		char	buf[4096];
		size_t	i, off;

		off = (size_t)sprintf(buf, "FROM a\nRUN echo");
		for (i = 0; i < 400; i++)
			off += (size_t)sprintf(buf + off, " w");
		sprintf(buf + off, " <<EOF\nFROM evil\nEOF\nFROM b\n");
		expect_froms(buf, NULL, "a|b");
	}
	/* Other instructions do not open heredocs. */
	expect_froms("FROM a\nENV X=<<EOF\nFROM b\n", NULL, "a|b");
}

static void
test_limits(void **state)
{
	char	*big;
	size_t	 i, off;

	(void)state;
	big = malloc(DIGEST_DOCKERFILE_MAX + 2);
	assert_non_null(big);
	memset(big, '#', DIGEST_DOCKERFILE_MAX + 1);
	memcpy(big, "FROM a\n", 7);
	big[DIGEST_DOCKERFILE_MAX + 1] = '\0';
	expect_error(big, NULL, -E2BIG, "larger");
	/* One line over 64 KiB. */
	big[DIGEST_DOCKERFILE_LINE_MAX + 8] = '\0';
	expect_error(big, NULL, -E2BIG, "line 2");
	/* 257 stages. */
	for (i = 0, off = 0; i <= DIGEST_DOCKERFILE_STAGES_MAX; i++)
		off += (size_t)sprintf(big + off, "FROM a%zu\n", i);
	expect_error(big, NULL, -E2BIG, "stages");
	/* 256 stages are fine. */
	off = 0;
	for (i = 0; i < DIGEST_DOCKERFILE_STAGES_MAX; i++)
		off += (size_t)sprintf(big + off, "FROM a%zu\n", i);
	{
		struct digest_from	*v;
		struct dw_err		 err;
		size_t			 n;

		assert_int_equal(digest_dockerfile_froms(big, off, NULL, &v, &n, &err), 0);
		assert_int_equal(n, DIGEST_DOCKERFILE_STAGES_MAX);
		digest_froms_free(v, n);
	}
	/* Exponential ARG growth stops at the word limit. */
	off = (size_t)sprintf(big, "ARG A0=xxxxxxxxxxxxxxxx\n");
	for (i = 1; i < 40; i++)
		off += (size_t)sprintf(big + off, "ARG A%zu=$A%zu$A%zu\n", i, i - 1, i - 1);
	sprintf(big + off, "FROM $A39\n");
	expect_error(big, NULL, -E2BIG, "longer");
	/* Deep nesting is refused. */
	off = (size_t)sprintf(big, "FROM ");
	for (i = 0; i < 40; i++)
		off += (size_t)sprintf(big + off, "${A:-");
	for (i = 0; i < 40; i++)
		big[off++] = '}';
	big[off] = '\0';
	expect_error(big, NULL, -EINVAL, "bad substitution");
	free(big);
	digest_froms_free(NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_multistage),
		cmocka_unit_test(test_stage_ref_later_is_image),
		cmocka_unit_test(test_from_syntax_errors),
		cmocka_unit_test(test_arg_forms),
		cmocka_unit_test(test_build_args),
		cmocka_unit_test(test_unresolvable),
		cmocka_unit_test(test_directives),
		cmocka_unit_test(test_continuations),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_heredocs),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
