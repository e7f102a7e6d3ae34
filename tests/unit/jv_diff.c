/*
 * jv_diff INPUTS ANSWERS: authz_jv against Go.  INPUTS holds framed
 * inputs (4-byte big-endian length, then the bytes; gojv -gen), ANSWERS
 * Go's line for each (gojv, see tests/oracle/gojv/main.go).  For each
 * input authz_jv must:
 *   ok CANON    parse it to the same canonical form (jv_canon.h);
 *   refuse R,.. refuse it, for one of the reasons R (dup: "duplicate key",
 *               nul: a NUL, depth: -E2BIG), never as a syntax error;
 *   error       refuse it (Go's syntax error; which refusal we name
 *               first may differ when there are several).
 * Prints each difference and the counts; exits 1 on any difference.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/jv_canon.h"

#include "authz/authz_jv.h"

#define LINE_MAX_JV	(64 * 1024 * 1024)

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE		*f;
	unsigned char	*b = NULL;
	size_t		 cap = 0, n = 0, r;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			if ((b = realloc(b, cap + 1)) == NULL)
				exit(99);
		}
		if ((r = fread(b + n, 1, cap - n, f)) == 0)
			break;
		n += r;
	}
	fclose(f);
	b[n] = '\0';
	*len = n;
	return b;
}

static void
show(const unsigned char *in, size_t len)
{
	size_t	i;

	for (i = 0; i < len && i < 300; i++) {
		if (in[i] >= 0x20 && in[i] < 0x7f && in[i] != '\\')
			fputc(in[i], stdout);
		else
			printf("\\x%02x", in[i]);
	}
	if (i < len)
		printf("... (%zu bytes)", len);
}

/* Our refusal's reason, in gojv's words. */
static const char *
reason(int rc, const char *msg)
{
	if (rc == -E2BIG)
		return "depth";
	if (strstr(msg, "duplicate key") != NULL)
		return "dup";
	if (strstr(msg, "NUL") != NULL || strstr(msg, "\\u0000") != NULL)
		return "nul";
	return "syntax";
}

int
main(int argc, char **argv)
{
	unsigned char		*in, *ans, *line, *nl;
	size_t			 inlen, anslen, p = 0, n, k = 0, bad = 0;
	size_t			 nok = 0, nref = 0, nerr = 0;
	struct authz_jv_doc	*doc;
	struct dw_err		 err;
	const char		*why;
	char			*canon;
	int			 rc;

	if (argc != 3) {
		fprintf(stderr, "usage: jv_diff INPUTS ANSWERS\n");
		return 2;
	}
	if ((in = slurp(argv[1], &inlen)) == NULL || (ans = slurp(argv[2], &anslen)) == NULL) {
		perror("jv_diff");
		return 99;
	}
	line = ans;
	while (p + 4 <= inlen) {
		n = (size_t)in[p] << 24 | (size_t)in[p + 1] << 16 | (size_t)in[p + 2] << 8 | in[p + 3];
		p += 4;
		if (n > inlen - p || *line == '\0') {
			fprintf(stderr, "jv_diff: inputs and answers do not match up at input %zu\n", k);
			return 99;
		}
		if ((nl = (unsigned char *)strchr((char *)line, '\n')) == NULL)
			return 99;
		*nl = '\0';
		doc = NULL;
		err.msg[0] = '\0';
		rc = authz_jv_parse(in + p, n, LINE_MAX_JV, &doc, &err);
		why = NULL;
		if (strncmp((char *)line, "ok ", 3) == 0) {
			nok++;
			if (rc != 0)
				why = err.msg;
			else if ((canon = jv_canon(authz_jv_doc_root(doc))) == NULL)
				return 99;
			else {
				if (strcmp(canon, (char *)line + 3) != 0) {
					printf("input %zu: we read %s\n", k, canon);
					why = "another value";
				}
				free(canon);
			}
		} else if (strncmp((char *)line, "refuse ", 7) == 0) {
			nref++;
			if (rc == 0)
				why = "accepted";
			else if (strstr((char *)line + 7, reason(rc, err.msg)) == NULL)
				why = err.msg;
		} else if (strcmp((char *)line, "error") == 0) {
			nerr++;
			if (rc == 0)
				why = "accepted";
		} else
			why = "the oracle failed";
		if (why != NULL) {
			printf("input %zu: Go: %s; authz_jv: %s: ", k, line, why);
			show(in + p, n);
			printf("\n");
			bad++;
		}
		authz_jv_doc_free(doc);
		p += n;
		line = nl + 1;
		k++;
	}
	if (p != inlen || *line != '\0') {
		fprintf(stderr, "jv_diff: inputs and answers do not match up at the end\n");
		return 99;
	}
	printf("%zu inputs: Go decodes %zu (%zu of them refused by rule), refuses %zu; "
	    "%zu differences\n", k, nok + nref, nref, nerr, bad);
	free(in);
	free(ans);
	return bad > 0;
}
