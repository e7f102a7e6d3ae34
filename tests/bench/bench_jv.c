/*
 * bench_jv FILE...: parse time of each body, authz_jv against jansson
 * (json_loadb with JSON_REJECT_DUPLICATES, as the decision path read
 * bodies before authz_jv) and authz_json_parse_body, authz_jv plus the
 * refusals of the decision path (what it pays now).  Interleaved rounds (the order rotates each round): the
 * median and the spread of the per-round means, in microseconds, and the
 * median of the per-round ratios to authz_jv.  Without arguments: the
 * docker run bodies of tests/fuzz/corpus/authz_jv.  BENCH_JV_ONLY=K runs
 * kind K alone, once (for an instruction count under callgrind, which
 * a loaded machine does not disturb).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "authz/authz_json.h"
#include "authz/authz_jv.h"
#include "common/dw_limits.h"

#define ROUNDS	15
#define ITERS	2000
#define KINDS	3

static double
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
dcmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Mean time of one parse and free of kind k, over ITERS. */
static double
run(int k, const char *buf, size_t len)
{
	struct authz_jv_doc	*doc;
	json_error_t		 jerr;
	json_t			*j;
	double			 t0;
	int			 i;

	t0 = now_us();
	for (i = 0; i < ITERS; i++) {
		switch (k) {
		case 0:
			if (authz_jv_parse(buf, len, DW_BODY_MAX, &doc, NULL) != 0)
				exit(1);
			authz_jv_doc_free(doc);
			break;
		case 1:
			if ((j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
				exit(1);
			json_decref(j);
			break;
		default:
			if ((doc = authz_json_parse_body(buf, len, NULL)) == NULL)
				exit(1);
			authz_jv_doc_free(doc);
			break;
		}
	}
	return (now_us() - t0) / ITERS;
}

/* BENCH_JV_ONLY's kind: a digit below KINDS, else 0. */
static int
atoi_free_kind(const char *s)
{
	return s[0] >= '0' && s[0] < '0' + KINDS ? s[0] - '0' : 0;
}

static void
bench(const char *path)
{
	static const char *names[KINDS] = { "authz_jv_parse", "json_loadb",
	    "authz_json_parse_body" };
	double	 t[KINDS][ROUNDS], ratio[KINDS][ROUNDS];
	const char *only = getenv("BENCH_JV_ONLY");
	char	*buf;
	long	 len;
	FILE	*f;
	int	 r, i, k;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (len = ftell(f)) < 0) {
		perror(path);
		exit(1);
	}
	rewind(f);
	if ((buf = malloc((size_t)len + 1)) == NULL ||
	    fread(buf, 1, (size_t)len, f) != (size_t)len)
		exit(1);
	fclose(f);
	if (only != NULL) {
		(void)run(atoi_free_kind(only), buf, (size_t)len);
		free(buf);
		return;
	}
	for (k = 0; k < KINDS; k++)
		(void)run(k, buf, (size_t)len);	/* warm up */
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < KINDS; i++) {
			k = (r + i) % KINDS;
			t[k][r] = run(k, buf, (size_t)len);
		}
	for (r = 0; r < ROUNDS; r++)
		for (k = 0; k < KINDS; k++)
			ratio[k][r] = t[k][r] / t[0][r];
	printf("%s (%ld bytes)\n", path, len);
	for (k = 0; k < KINDS; k++) {
		qsort(t[k], ROUNDS, sizeof(double), dcmp);
		qsort(ratio[k], ROUNDS, sizeof(double), dcmp);
		printf("  %-28s median %7.2f us  [%.2f-%.2f]  %5.1fx authz_jv\n", names[k],
		    t[k][ROUNDS / 2], t[k][0], t[k][ROUNDS - 1], ratio[k][ROUNDS / 2]);
	}
	free(buf);
}

int
main(int argc, char **argv)
{
	static const char *def[] = { "docker_run", "explain_run_full",
	    "explain_run_privileged", "recorded_largest" };
	const char	*top = getenv("top_srcdir");
	char		 path[4096];
	size_t		 i;
	int		 a;

	if (argc > 1) {
		for (a = 1; a < argc; a++)
			bench(argv[a]);
		return 0;
	}
	for (i = 0; i < sizeof(def) / sizeof(def[0]); i++) {
		snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/authz_jv/%s",
		    top != NULL ? top : ".", def[i]);
		bench(path);
	}
	return 0;
}
