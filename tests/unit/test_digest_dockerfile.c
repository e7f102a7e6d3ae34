/*
 * Unit tests for digest_dockerfile: the base images of every stage and
 * the images COPY --from and RUN --mount from= pull, as docker reads them
 * (directives, continuations, comments, heredocs, builder flags, ARG
 * expansion with build-arg overrides) and the refusals.
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

#include "digest/digest_dockerfile.h"

static const char *const kinds[] = { "from", "copy", "mount" };

/*
 * Parse text and compare with want: "image" per stage, with "name=" for
 * an AS name, a leading "@" for a stage ref and "!" for scratch, and
 * "copy:image" or "mount:image" for a COPY --from or RUN --mount image,
 * joined by "|" (e.g. "golang:1.22 name=build|@build|copy:x").  With
 * lines, every entry starts with "line:kind:" instead.
 */
static void
expect_entries(const char *text, const char *const *args, bool lines,
    const char *want)
{
	struct digest_from	*v = NULL;
	struct dw_err		 err;
	size_t			 n = 0, i, off = 0;
	char			 got[1024], pre[32];
	int			 r;

	r = digest_dockerfile_froms(text, strlen(text), args, &v, &n, &err);
	if (r != 0)
		print_error("error %d: %s\n", r, err.msg);
	assert_int_equal(r, 0);
	got[0] = '\0';
	for (i = 0; i < n; i++) {
		assert_true(v[i].kind <= DIGEST_FROM_MOUNT);
		assert_true(v[i].line >= 1);
		if (v[i].kind != DIGEST_FROM_STAGE) {
			/* Images only: no stage fields. */
			assert_null(v[i].stage_name);
			assert_false(v[i].is_stage_ref);
			assert_false(v[i].is_scratch);
		}
		if (lines)
			snprintf(pre, sizeof(pre), "%zu:%s:", v[i].line, kinds[v[i].kind]);
		else
			snprintf(pre, sizeof(pre), "%s", v[i].kind == DIGEST_FROM_STAGE ?
			    "" : v[i].kind == DIGEST_FROM_COPY ? "copy:" : "mount:");
		off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%s%s%s%s%s%s",
		    i > 0 ? "|" : "", pre, v[i].is_stage_ref ? "@" : "",
		    v[i].is_scratch ? "!" : "", v[i].image,
		    v[i].stage_name != NULL ? " name=" : "",
		    v[i].stage_name != NULL ? v[i].stage_name : "");
	}
	assert_string_equal(got, want);
	digest_dockerfile_froms_free(v, n);
}

static void
expect_froms(const char *text, const char *const *args, const char *want)
{
	expect_entries(text, args, false, want);
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

		off = (size_t)snprintf(buf, sizeof(buf), "FROM a\nRUN echo");
		for (i = 0; i < 400; i++)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, " w");
		snprintf(buf + off, sizeof(buf) - off, " <<EOF\nFROM evil\nEOF\nFROM b\n");
		expect_froms(buf, NULL, "a|b");
	}
	/* Other instructions do not open heredocs. */
	expect_froms("FROM a\nENV X=<<EOF\nFROM b\n", NULL, "a|b");
}

static void
test_limits(void **state)
{
	char	*big;
	size_t	 i, off, bigsz = DIGEST_DOCKERFILE_MAX + 2;

	(void)state;
	big = malloc(bigsz);
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
		off += (size_t)snprintf(big + off, bigsz - off, "FROM a%zu\n", i);
	expect_error(big, NULL, -E2BIG, "stages");
	/* 256 stages are fine. */
	off = 0;
	for (i = 0; i < DIGEST_DOCKERFILE_STAGES_MAX; i++)
		off += (size_t)snprintf(big + off, bigsz - off, "FROM a%zu\n", i);
	{
		struct digest_from	*v;
		struct dw_err		 err;
		size_t			 n;

		assert_int_equal(digest_dockerfile_froms(big, off, NULL, &v, &n, &err), 0);
		assert_int_equal(n, DIGEST_DOCKERFILE_STAGES_MAX);
		digest_dockerfile_froms_free(v, n);
	}
	/* Exponential ARG growth stops at the word limit. */
	off = (size_t)snprintf(big, bigsz, "ARG A0=xxxxxxxxxxxxxxxx\n");
	for (i = 1; i < 40; i++)
		off += (size_t)snprintf(big + off, bigsz - off, "ARG A%zu=$A%zu$A%zu\n", i,
		    i - 1, i - 1);
	snprintf(big + off, bigsz - off, "FROM $A39\n");
	expect_error(big, NULL, -E2BIG, "longer");
	/* Deep nesting is refused. */
	off = (size_t)snprintf(big, bigsz, "FROM ");
	for (i = 0; i < 40; i++)
		off += (size_t)snprintf(big + off, bigsz - off, "${A:-");
	for (i = 0; i < 40; i++)
		big[off++] = '}';
	big[off] = '\0';
	expect_error(big, NULL, -EINVAL, "bad substitution");
	free(big);
	digest_dockerfile_froms_free(NULL, 0);
}

static void
test_copy_from_stage(void **state)
{
	(void)state;
	/* A stage name, case-insensitive: no pull. */
	expect_froms(
	    "FROM golang:1.22 AS Build\n"
	    "FROM alpine\n"
	    "COPY --from=build /app /app\n"
	    "COPY --from=BUILD /app /app2\n"
	    "copy --from=Build /a /b\n",
	    NULL, "golang:1.22 name=build|alpine");
	/* A later stage or the current one is no earlier stage: docker pulls (or fails on) it. */
	expect_froms("FROM alpine AS a\nCOPY --from=b /x /y\nFROM busybox AS b\n", NULL,
	    "alpine name=a|copy:b|busybox name=b");
	expect_froms("FROM alpine AS a\nCOPY --from=a /x /y\n", NULL,
	    "alpine name=a|copy:a");
	/* scratch and an empty value pull nothing. */
	expect_froms("FROM alpine\nCOPY --from=scratch /x /y\nCOPY --from= /x /y\n",
	    NULL, "alpine");
}

static void
test_copy_from_index(void **state)
{
	(void)state;
	expect_froms(
	    "FROM a\n"
	    "FROM b\n"
	    "COPY --from=0 /x /y\n"
	    "FROM c\n"
	    "COPY --from=1 /x /y\n"
	    "COPY --from=0 /x /y\n"
	    "COPY --from=+01 /x /y\n",
	    NULL, "a|b|c");
	/* Indexes count FROMs only, not the COPY images before them. */
	expect_froms("FROM a\nCOPY --from=img /x /y\nFROM b\nCOPY --from=0 /x /y\n"
	    "FROM c\nCOPY --from=1 /x /y\n", NULL, "a|copy:img|b|c");
	/* The current stage, a later one, a negative or a huge index: docker fails too. */
	expect_error("FROM a\nCOPY --from=0 /x /y\n", NULL, -EINVAL,
	    "line 2: COPY --from=0: no earlier stage");
	expect_error("FROM a\nFROM b\nCOPY --from=2 /x /y\nFROM c\n", NULL, -EINVAL,
	    "no earlier stage");
	expect_error("FROM a\nFROM b\nCOPY --from=-1 /x /y\n", NULL, -EINVAL,
	    "no earlier stage");
	expect_error("FROM a\nFROM b\nCOPY --from=99999999999999999999 /x /y\n", NULL,
	    -EINVAL, "no earlier stage");
}

static void
test_copy_from_image(void **state)
{
	(void)state;
	expect_froms("FROM alpine\nCOPY --from=ghcr.io/x/y:1 /a /b\n", NULL,
	    "alpine|copy:ghcr.io/x/y:1");
	expect_froms("FROM alpine AS build\nCOPY --from=nginx@sha256:aaaa /a /b\n"
	    "FROM build\nCOPY --from=build /a /b\nCOPY --from=busybox /a /b\n", NULL,
	    "alpine name=build|copy:nginx@sha256:aaaa|@build|copy:busybox");
}

static void
test_copy_flags(void **state)
{
	(void)state;
	/* --from among other flags, in any order. */
	expect_froms("FROM a\nCOPY --chown=1:1 --from=img1 --chmod=644 /x /y\n"
	    "COPY --link --parents --exclude=*.md --exclude=x --from=img2 /x /y\n"
	    "COPY --from=img3 --link=true --chown=app /x /y\n", NULL,
	    "a|copy:img1|copy:img2|copy:img3");
	/* Only leading "--" words are flags; "--" ends them; names are exact. */
	expect_froms("FROM a\nCOPY /x --from=evil /y\nCOPY -- --from=evil /y\n"
	    "COPY --link -- --from=evil /y\nCOPY \"--from=evil\" /y\n"
	    "COPY --From=evil /x /y\nCOPY --fromx=evil /x /y\n", NULL, "a");
	/* Given twice: BuildKit's flag parser fails the build. */
	expect_error("FROM a\nCOPY --from=x --chown=1 --from=y /x /y\n", NULL, -EINVAL,
	    "line 2: COPY: duplicate flag --from");
	expect_error("FROM a AS s\nCOPY --from=s --from=s /x /y\n", NULL, -EINVAL,
	    "duplicate");
	expect_error("FROM a\nCOPY --from /x /y\n", NULL, -EINVAL, "needs a value");
	/* ADD has no --from. */
	expect_froms("FROM a\nADD --from=evil /x /y\n", NULL, "a");
}

static void
test_copy_from_quoted(void **state)
{
	(void)state;
	expect_froms("FROM a\nCOPY --from=\"ghcr.io/x/y:1\" /a /b\n"
	    "COPY --from='img2' /a /b\nCOPY --chown=\"a b\" --\"from\"=im\\g3 /a /b\n"
	    "COPY --from=im\"g4\" /a /b\n", NULL,
	    "a|copy:ghcr.io/x/y:1|copy:img2|copy:img3|copy:img4");
	/* A quoted stage name is still the stage. */
	expect_froms("FROM a AS b\nFROM c\nCOPY --from=\"B\" /x /y\n", NULL,
	    "a name=b|c");
	/* Backtick escapes, continuation inside the flags. */
	expect_froms("# escape=`\nFROM a\nCOPY --chown=1 `\n  --from=i`mg /x /y\n", NULL,
	    "a|copy:img");
}

static void
test_copy_from_args(void **state)
{
	static const char *const args[] = { "IMG=registry.example/z:2", NULL };

	(void)state;
	expect_froms("ARG IMG=ghcr.io/x/y:1\nFROM alpine\nCOPY --from=${IMG} /a /b\n",
	    NULL, "alpine|copy:ghcr.io/x/y:1");
	expect_froms("ARG IMG=ghcr.io/x/y:1\nFROM alpine\nCOPY --from=$IMG /a /b\n",
	    args, "alpine|copy:registry.example/z:2");
	expect_froms("ARG IMG\nFROM alpine\nCOPY --from=${IMG:-busybox} /a /b\n",
	    NULL, "alpine|copy:busybox");
	/* Expanding to a stage name or index pulls nothing. */
	expect_froms("ARG S=Build N=0\nFROM a AS build\nFROM b\nCOPY --from=$S /x /y\n"
	    "COPY --from=$N /x /y\n", NULL, "a name=build|b");
	/* Fail closed without a value, like FROM. */
	expect_error("ARG IMG\nFROM alpine\n\nCOPY --from=${IMG} /a /b\n", NULL, -EINVAL,
	    "line 4: COPY --from=${IMG} cannot be resolved (ARG IMG has no value)");
	expect_error("FROM alpine\nCOPY --from=$NOPE /a /b\n", NULL, -EINVAL,
	    "ARG NOPE has no value");
	/* Stage-local ARGs are not used (docker does not expand --from at all). */
	expect_error("FROM alpine\nARG X=busybox\nCOPY --from=$X /a /b\n", NULL, -EINVAL,
	    "cannot be resolved");
	expect_error("ARG E=\nFROM alpine\nCOPY --from=$E /a /b\n", NULL, -EINVAL,
	    "is empty");
	expect_error("ARG E=x\nFROM alpine\nCOPY --from=${E#x} /a /b\n", NULL, -EINVAL,
	    "bad substitution");
}

static void
test_run_mount(void **state)
{
	static const char *const args[] = { "IMG=registry.example/z:2", NULL };

	(void)state;
	expect_froms("FROM a\nRUN --mount=type=bind,from=busybox,target=/x true\n", NULL,
	    "a|mount:busybox");
	/* No from=: nothing. */
	expect_froms("FROM a\nRUN --mount=type=cache,target=/c true\n"
	    "RUN --mount=type=secret,id=s --mount=type=tmpfs,target=/t true\n", NULL, "a");
	/* A stage (case-insensitive) or scratch: nothing. */
	expect_froms("FROM a AS build\nFROM b\nRUN --mount=from=BUILD,target=/x true\n"
	    "RUN --mount=type=cache,from=scratch,target=/c true\n", NULL, "a name=build|b");
	/* Several mounts, keys case-insensitive, the last from= of one mount wins,
	 * and no stage index: a number is an image. */
	expect_froms("FROM a\nRUN --mount=type=bind,FROM=m1,target=/a --network=none "
	    "--mount=type=cache,target=/c,From=m2:1 --mount=from=x,from=m3 "
	    "--mount=from=0 true\n", NULL, "a|mount:m1|mount:m2:1|mount:m3|mount:0");
	/* CSV and shell quoting: a quoted CSV field keeps its commas. */
	expect_froms("FROM a\nRUN --mount='\"from=m1\",target=/x' "
	    "--mount=\"target=/y,from=m2\" --mount='\"target=/a,from=evil\",from=m3' "
	    "true\n", NULL, "a|mount:m1|mount:m2|mount:m3");
	/* A quote in the value ("" in CSV) is no image docker can pull: refused. */
	expect_error("FROM a\nRUN --mount='\"from=m\"\"3\"' true\n", NULL, -EINVAL,
	    "bad substitution");
	/* Not a flag. */
	expect_froms("FROM a\nRUN echo --mount=from=evil\nRUN -- --mount=from=evil\n",
	    NULL, "a");
	/* ARGs as for COPY --from. */
	expect_froms("ARG IMG\nFROM a\nRUN --mount=from=$IMG,target=/x true\n", args,
	    "a|mount:registry.example/z:2");
	expect_error("ARG IMG\nFROM a\nRUN --mount=from=${IMG},target=/x true\n", NULL,
	    -EINVAL, "line 3: RUN --mount from=${IMG} cannot be resolved (ARG IMG has no value)");
	/* What BuildKit's CSV reader refuses. */
	expect_error("FROM a\nRUN --mount='from=a\"b' true\n", NULL, -EINVAL,
	    "bad --mount value");
	expect_error("FROM a\nRUN --mount='\"from=a' true\n", NULL, -EINVAL, "bad --mount");
	expect_error("FROM a\nRUN --mount='\"from=a\"x' true\n", NULL, -EINVAL, "bad --mount");
	expect_error("FROM a\nRUN --mount= true\n", NULL, -EINVAL, "bad --mount");
	expect_error("FROM a\nRUN --mount true\n", NULL, -EINVAL, "needs a value");
}

static void
test_lines_and_kinds(void **state)
{
	(void)state;
	expect_entries(
	    "# a comment\n"
	    "ARG V=1\n"
	    "FROM golang:1.22 AS build\n"
	    "COPY --from=img1:$V \\\n"
	    "    /a /b\n"
	    "RUN --mount=from=img2,target=/x <<EOF\n"
	    "COPY --from=evil1 /a /b\n"
	    "EOF\n"
	    "\n"
	    "FROM alpine\n"
	    "COPY --from=build --chown=1 <<EOF /x\n"
	    "RUN --mount=from=evil2 true\n"
	    "EOF\n"
	    "COPY --link \\\n"
	    "# inside\n"
	    "  --from=img3 <<-A 3<<B /x\n"
	    "\tFROM evil3\n"
	    "\tA\n"
	    "COPY --from=evil4 /x /y\n"
	    "B\n"
	    "RUN --mount=type=bind,from=img4 \\\n"
	    "    --mount=from=img5 true\n",
	    NULL, true,
	    "3:from:golang:1.22 name=build|4:copy:img1:1|6:mount:img2|10:from:alpine|"
	    "14:copy:img3|21:mount:img4|21:mount:img5");
}

static void
test_sources_limit(void **state)
{
	struct digest_from	*v;
	struct dw_err		 err;
	char			*big;
	size_t			 i, n, off, bigsz = 256 * 1024;

	(void)state;
	big = malloc(bigsz);
	assert_non_null(big);
	/* The stage limit counts FROMs only. */
	off = 0;
	for (i = 0; i < DIGEST_DOCKERFILE_STAGES_MAX; i++)
		off += (size_t)snprintf(big + off, bigsz - off,
		    "FROM a%zu\nCOPY --from=i%zu /x /y\n", i, i);
	assert_int_equal(digest_dockerfile_froms(big, off, NULL, &v, &n, &err), 0);
	assert_int_equal(n, 2 * DIGEST_DOCKERFILE_STAGES_MAX);
	assert_int_equal(v[n - 1].kind, DIGEST_FROM_COPY);
	assert_int_equal(v[n - 1].line, 2 * DIGEST_DOCKERFILE_STAGES_MAX);
	digest_dockerfile_froms_free(v, n);
	/* One image more than the limit. */
	off = (size_t)snprintf(big, bigsz, "FROM a\n");
	for (i = 0; i <= DIGEST_DOCKERFILE_SOURCES_MAX; i++)
		off += (size_t)snprintf(big + off, bigsz - off, "RUN --mount=from=i%zu true\n",
		    i);
	expect_error(big, NULL, -E2BIG, "images");
	/* Stage references do not count. */
	off = (size_t)snprintf(big, bigsz, "FROM a AS s\nFROM b\n");
	for (i = 0; i <= DIGEST_DOCKERFILE_SOURCES_MAX; i++)
		off += (size_t)snprintf(big + off, bigsz - off, "COPY --from=s /x /y\n");
	expect_froms(big, NULL, "a name=s|b");
	free(big);
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
		cmocka_unit_test(test_copy_from_stage),
		cmocka_unit_test(test_copy_from_index),
		cmocka_unit_test(test_copy_from_image),
		cmocka_unit_test(test_copy_flags),
		cmocka_unit_test(test_copy_from_quoted),
		cmocka_unit_test(test_copy_from_args),
		cmocka_unit_test(test_run_mount),
		cmocka_unit_test(test_lines_and_kinds),
		cmocka_unit_test(test_sources_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
