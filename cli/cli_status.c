/* cli_status: a running dockward's metrics, for a person. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "api/api_metrics.h"
#include "api/api_metrics_http.h"
#include "cli/cli_status.h"
#include "common/dw_paths.h"

#define STATUS_BODY_MAX		(4 * 1024 * 1024)
#define STATUS_LABELS		3
#define STATUS_TOP		10

/* One sample line: name{k="v",...} value. */
struct sample {
	char	name[96];
	char	lk[STATUS_LABELS][32];
	char	lv[STATUS_LABELS][128];
	int	nl;
	double	v;
};

/* Parse one exposition line (not a comment); false when it is not a sample. */
static bool
sample_parse(const char *line, struct sample *s)
{
	const char	*p = line;
	char		*end;
	size_t		 n;

	memset(s, 0, sizeof(*s));
	for (n = 0; *p != '\0' && *p != '{' && *p != ' '; p++)
		if (n + 1 < sizeof(s->name))
			s->name[n++] = *p;
	if (n == 0)
		return false;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			char	*k, *v;
			size_t	 kn = 0, vn = 0;
			bool	 keep = s->nl < STATUS_LABELS;

			k = keep ? s->lk[s->nl] : NULL;
			v = keep ? s->lv[s->nl] : NULL;
			while (*p == ',' || *p == ' ')
				p++;
			if (*p == '}')
				break;
			for (; *p != '\0' && *p != '='; p++)
				if (keep && kn + 1 < sizeof(s->lk[0]))
					k[kn++] = *p;
			if (*p++ != '=' || *p++ != '"')
				return false;
			for (; *p != '\0' && *p != '"'; p++) {
				char ch = *p;

				if (ch == '\\' && p[1] != '\0') {
					p++;
					ch = *p == 'n' ? '\n' : *p;
				}
				if (keep && vn + 1 < sizeof(s->lv[0]))
					v[vn++] = ch;
			}
			if (*p++ != '"')
				return false;
			if (keep)
				s->nl++;
		}
		p++;
	}
	while (*p == ' ')
		p++;
	s->v = strtod(p, &end);
	return end != p;
}

static const char *
label(const struct sample *s, const char *key)
{
	int	i;

	for (i = 0; i < s->nl; i++)
		if (strcmp(s->lk[i], key) == 0)
			return s->lv[i];
	return NULL;
}

static bool
label_is(const struct sample *s, const char *key, const char *val)
{
	const char	*v = label(s, key);

	return v != NULL && strcmp(v, val) == 0;
}

struct deny_rule {
	char	name[128];
	double	n;
};

/* What the summary needs, gathered in one pass. */
struct status {
	char		 version[128];
	bool		 have_info;
	double		 start, loaded, reload_ok, reload_failed;
	double		 dec[API_METRICS_NDOORS][2];		/* [door][allow] */
	double		 le[API_METRICS_NDOORS][API_METRICS_NBUCKETS + 1];
	double		 bucket[API_METRICS_NDOORS][API_METRICS_NBUCKETS + 1];
	int		 nb[API_METRICS_NDOORS];
	double		 count[API_METRICS_NDOORS];
	double		 hits, misses, reg_ok, reg_err;
	char		 reg_kinds[512];
	double		 gk_open, gk_total, upstream, audit_err;
	double		 serial, expires, expiry_left, expiry_warn;	/* dockward.policy */
	bool		 have_expiry_left;
	double		 fetch_refused[2];			/* rollback, expired */
	struct deny_rule *deny;
	size_t		 ndeny;
	double		 audit_rules;		/* rules in audit-only mode */
	struct deny_rule *wd;			/* would-deny counts, audit-only mode */
	size_t		 nwd;
};

static const char *const doors[API_METRICS_NDOORS] = { "plugin", "gatekeeper" };

static int
door_of(const struct sample *s)
{
	int	d;

	for (d = 0; d < API_METRICS_NDOORS; d++)
		if (label_is(s, "door", doors[d]))
			return d;
	return -1;
}

static int
rule_add(struct deny_rule **list, size_t *n, const char *rule, double v)
{
	struct deny_rule	*nd;
	size_t			 i;

	for (i = 0; i < *n; i++)
		if (strcmp((*list)[i].name, rule) == 0) {
			(*list)[i].n += v;
			return 0;
		}
	if ((nd = realloc(*list, (*n + 1) * sizeof(*nd))) == NULL)
		return -ENOMEM;
	*list = nd;
	snprintf(nd[*n].name, sizeof(nd[0].name), "%s", rule);
	nd[(*n)++].n = v;
	return 0;
}

static int
deny_add(struct status *st, const char *rule, double v)
{
	return rule_add(&st->deny, &st->ndeny, rule, v);
}

static int
status_take(struct status *st, const struct sample *s)
{
	const char	*v;
	int		 d = door_of(s);
	size_t		 n;

	if (strcmp(s->name, "dockward_build_info") == 0) {
		st->have_info = true;
		snprintf(st->version, sizeof(st->version), "%s",
		    (v = label(s, "version")) ? v : "?");
	} else if (strcmp(s->name, "dockward_start_time_seconds") == 0)
		st->start = s->v;
	else if (strcmp(s->name, "dockward_policy_loaded_timestamp_seconds") == 0)
		st->loaded = s->v;
	else if (strcmp(s->name, "dockward_policy_reloads_total") == 0) {
		if (label_is(s, "result", "ok"))
			st->reload_ok += s->v;
		else
			st->reload_failed += s->v;
	} else if (strcmp(s->name, "dockward_decisions_total") == 0 && d >= 0) {
		bool allow = label_is(s, "verdict", "allow");

		st->dec[d][allow] += s->v;
		if (!allow && deny_add(st, (v = label(s, "rule")) ? v : "?", s->v) < 0)
			return -ENOMEM;
	} else if (strcmp(s->name, "dockward_would_deny_total") == 0 && d >= 0) {
		if (rule_add(&st->wd, &st->nwd, (v = label(s, "rule")) ? v : "?",
		    s->v) < 0)
			return -ENOMEM;
	} else if (strcmp(s->name, "dockward_policy_audit_rules") == 0)
		st->audit_rules = s->v;
	else if (strcmp(s->name, "dockward_decision_duration_seconds_bucket") == 0 &&
	    d >= 0 && (v = label(s, "le")) != NULL &&
	    (n = (size_t)st->nb[d]) <= API_METRICS_NBUCKETS) {
		st->le[d][n] = strcmp(v, "+Inf") == 0 ? -1 : strtod(v, NULL);
		st->bucket[d][n] = s->v;
		st->nb[d]++;
	} else if (strcmp(s->name, "dockward_decision_duration_seconds_count") == 0 && d >= 0)
		st->count[d] = s->v;
	else if (strcmp(s->name, "dockward_verify_cache_hits_total") == 0)
		st->hits = s->v;
	else if (strcmp(s->name, "dockward_verify_cache_misses_total") == 0)
		st->misses = s->v;
	else if (strcmp(s->name, "dockward_registry_requests_total") == 0) {
		if (label_is(s, "result", "ok"))
			st->reg_ok += s->v;
		else
			st->reg_err += s->v;
	} else if (strcmp(s->name, "dockward_registry_errors_total") == 0 && s->v > 0 &&
	    (v = label(s, "kind")) != NULL) {
		n = strlen(st->reg_kinds);
		snprintf(st->reg_kinds + n, sizeof(st->reg_kinds) - n, "%s%s %.0f",
		    n ? ", " : "", v, s->v);
	} else if (strcmp(s->name, "dockward_gatekeeper_connections") == 0)
		st->gk_open = s->v;
	else if (strcmp(s->name, "dockward_gatekeeper_connections_total") == 0)
		st->gk_total = s->v;
	else if (strcmp(s->name, "dockward_upstream_errors_total") == 0)
		st->upstream = s->v;
	else if (strcmp(s->name, "dockward_audit_write_errors_total") == 0)
		st->audit_err = s->v;
	else if (strcmp(s->name, "dockward_policy_serial") == 0)
		st->serial = s->v;
	else if (strcmp(s->name, "dockward_policy_expires_timestamp_seconds") == 0)
		st->expires = s->v;
	else if (strcmp(s->name, "dockward_policy_expiry_seconds") == 0) {
		st->expiry_left = s->v;
		st->have_expiry_left = true;
	} else if (strcmp(s->name, "dockward_policy_expiry_warning_seconds") == 0)
		st->expiry_warn = s->v;
	else if (strcmp(s->name, "dockward_settings_fetch_total") == 0) {
		if (label_is(s, "result", "rollback"))
			st->fetch_refused[0] += s->v;
		else if (label_is(s, "result", "expired"))
			st->fetch_refused[1] += s->v;
	}
	return 0;
}

/* "1h 2m 3s" style. */
static void
duration_str(double secs, char *out, size_t outsz)
{
	long	s = secs < 0 ? 0 : (long)secs;

	if (s >= 86400)
		snprintf(out, outsz, "%ldd %ldh %ldm", s / 86400, s % 86400 / 3600,
		    s % 3600 / 60);
	else if (s >= 3600)
		snprintf(out, outsz, "%ldh %ldm %lds", s / 3600, s % 3600 / 60, s % 60);
	else if (s >= 60)
		snprintf(out, outsz, "%ldm %lds", s / 60, s % 60);
	else
		snprintf(out, outsz, "%lds", s);
}

static void
time_str(double t, char *out, size_t outsz)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(out, outsz, "never");
	else
		strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A bucket bound for people: 10µs, 2.5ms, 1s. */
static void
bound_str(double secs, char *out, size_t outsz)
{
	if (secs < 0)
		snprintf(out, outsz, "+Inf");
	else if (secs < 1e-3)
		snprintf(out, outsz, "%gµs", secs * 1e6);
	else if (secs < 1)
		snprintf(out, outsz, "%gms", secs * 1e3);
	else
		snprintf(out, outsz, "%gs", secs);
}

/*
 * The q-quantile's bucket: the smallest bound whose cumulative count
 * reaches q of all, so the true value is at most that bound.
 */
static void
quantile_str(const struct status *st, int d, double q, char *out, size_t outsz)
{
	double	total = st->count[d], want = q * total;
	char	b[32];
	int	i;

	for (i = 0; i < st->nb[d]; i++)
		if (st->bucket[d][i] >= want) {
			if (st->le[d][i] < 0 && i > 0) {
				bound_str(st->le[d][i - 1], b, sizeof(b));
				snprintf(out, outsz, "> %s", b);
			} else {
				bound_str(st->le[d][i], b, sizeof(b));
				snprintf(out, outsz, "≤ %s", b);
			}
			return;
		}
	snprintf(out, outsz, "?");
}

static int
deny_cmp(const void *a, const void *b)
{
	const struct deny_rule	*x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* dockward.policy of the policy in force, and fleet policies refused for their serial or expiry. */
static void
status_policy_meta(const struct status *st, FILE *out)
{
	char	a[64], b[64];

	if (st->serial > 0 || st->expires > 0) {
		time_str(st->expires, b, sizeof(b));
		fprintf(out, "policy serial: %.0f", st->serial);
		if (st->expires <= 0)
			fprintf(out, ", no expiry\n");
		else if (st->have_expiry_left && st->expiry_left <= 0) {
			duration_str(-st->expiry_left, a, sizeof(a));
			fprintf(out, ", EXPIRED %s (%s ago): still enforced as the last "
			    "good policy; publish a newer signed one\n", b, a);
		} else {
			duration_str(st->expiry_left, a, sizeof(a));
			fprintf(out, ", expires %s (in %s)%s\n", b, a,
			    st->have_expiry_left && st->expiry_left <= st->expiry_warn ?
			    "; WARNING: expires soon, publish a newer signed one" : "");
		}
	}
	if (st->fetch_refused[0] > 0 || st->fetch_refused[1] > 0)
		fprintf(out, "fleet:        refused %.0f signed policies as rollbacks, "
		    "%.0f as expired (see the log)\n", st->fetch_refused[0],
		    st->fetch_refused[1]);
}

/*
 * Audit-only mode: said when the policy has it, with the rules whose
 * denials were let through most (the would-deny counter).
 */
static void
status_audit_mode(struct status *st, FILE *out)
{
	size_t	i;

	if (st->audit_rules > 0)
		fprintf(out, "AUDIT MODE:   %.0f rules are not enforced (their denials "
		    "are allowed and recorded as wouldDeny)\n", st->audit_rules);
	if (st->nwd == 0)
		return;
	qsort(st->wd, st->nwd, sizeof(*st->wd), deny_cmp);
	fprintf(out, "top would-deny rules (audit mode, allowed):\n");
	for (i = 0; i < st->nwd && i < STATUS_TOP; i++)
		fprintf(out, "  %8.0f  %s\n", st->wd[i].n, st->wd[i].name);
}

int
cli_status_summarize(const char *text, time_t now, FILE *out)
{
	struct status	 st;
	struct sample	 s;
	const char	*p, *nl;
	char		 line[1024], a[64], b[64], c[64];
	size_t		 n, i;
	int		 d, r = 0;

	memset(&st, 0, sizeof(st));
	for (p = text; *p != '\0'; p = *nl ? nl + 1 : nl) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		n = (size_t)(nl - p);
		if (n == 0 || p[0] == '#' || n >= sizeof(line))
			continue;
		memcpy(line, p, n);
		line[n] = '\0';
		if (sample_parse(line, &s) && (r = status_take(&st, &s)) < 0)
			goto out;
	}
	if (!st.have_info) {
		r = -EINVAL;
		goto out;
	}
	duration_str((double)now - st.start, a, sizeof(a));
	time_str(st.start, b, sizeof(b));
	fprintf(out, "dockward %s, up %s (since %s)\n", st.version, a, b);
	time_str(st.loaded, b, sizeof(b));
	duration_str((double)now - st.loaded, a, sizeof(a));
	fprintf(out, "policy:       loaded %s (%s ago); reloads %.0f ok, %.0f failed\n",
	    b, a, st.reload_ok, st.reload_failed);
	status_policy_meta(&st, out);
	fprintf(out, "decisions:\n");
	for (d = 0; d < API_METRICS_NDOORS; d++)
		fprintf(out, "  %-11s %.0f allowed, %.0f denied\n", doors[d],
		    st.dec[d][1], st.dec[d][0]);
	if (st.ndeny > 0) {
		qsort(st.deny, st.ndeny, sizeof(*st.deny), deny_cmp);
		fprintf(out, "top deny rules:\n");
		for (i = 0; i < st.ndeny && i < STATUS_TOP; i++)
			fprintf(out, "  %8.0f  %s\n", st.deny[i].n, st.deny[i].name);
	}
	status_audit_mode(&st, out);
	fprintf(out, "latency (bucket bounds from the histogram):\n");
	for (d = 0; d < API_METRICS_NDOORS; d++) {
		if (st.count[d] <= 0) {
			fprintf(out, "  %-11s no decisions yet\n", doors[d]);
			continue;
		}
		quantile_str(&st, d, 0.50, a, sizeof(a));
		quantile_str(&st, d, 0.90, b, sizeof(b));
		quantile_str(&st, d, 0.99, c, sizeof(c));
		fprintf(out, "  %-11s p50 %s, p90 %s, p99 %s (%.0f decisions)\n",
		    doors[d], a, b, c, st.count[d]);
	}
	if (st.hits + st.misses > 0)
		fprintf(out, "verify cache: %.0f hits, %.0f misses (%.1f%% hit ratio)\n",
		    st.hits, st.misses, 100.0 * st.hits / (st.hits + st.misses));
	else
		fprintf(out, "verify cache: no lookups yet\n");
	fprintf(out, "registry:     %.0f requests, %.0f errors%s%s%s\n",
	    st.reg_ok + st.reg_err, st.reg_err, st.reg_kinds[0] ? " (" : "",
	    st.reg_kinds, st.reg_kinds[0] ? ")" : "");
	fprintf(out, "gatekeeper:   %.0f connections open, %.0f total\n",
	    st.gk_open, st.gk_total);
	fprintf(out, "engine:       %.0f upstream errors\n", st.upstream);
	fprintf(out, "audit log:    %.0f write errors\n", st.audit_err);
	r = 0;
out:
	free(st.deny);
	free(st.wd);
	return r;
}

struct body {
	char	*b;
	size_t	 len;
};

static size_t
body_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct body	*b = userdata;
	size_t		 n = size * nmemb;
	char		*nb;

	if (b->len + n > STATUS_BODY_MAX || (nb = realloc(b->b, b->len + n + 1)) == NULL)
		return 0;
	memcpy(nb + b->len, ptr, n);
	b->b = nb;
	b->len += n;
	b->b[b->len] = '\0';
	return n;
}

const char	cli_status_usage[] =
    "dockward status [--metrics ADDR]\n";

const char	cli_status_about[] =
    "status  summarize a running dockward's metrics (serve --metrics ADDR)\n";

static void
usage(FILE *f)
{
	fprintf(f, "usage: dockward status [--metrics ADDR]\n"
	    "  ADDR: the --metrics address of `dockward serve` (default %s)\n",
	    DW_PATH_METRICS_SOCKET);
}

int
cli_status_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "metrics", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct api_metrics_addr	 a;
	struct dw_err		 err;
	struct body		 b = { 0 };
	const char		*addr = DW_PATH_METRICS_SOCKET;
	char			 url[128], ebuf[CURL_ERROR_SIZE] = "";
	CURL			*h;
	CURLcode		 cc;
	long			 status = 0;
	int			 ch, ret = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "m:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm': addr = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || api_metrics_http_addr_parse(addr, &a, &err) < 0) {
		if (optind >= argc)
			fprintf(stderr, "dockward: %s\n", err.msg);
		usage(stderr);
		return 2;
	}
	api_metrics_http_addr_url(&a, url, sizeof(url));
	if ((h = curl_easy_init()) == NULL) {
		fprintf(stderr, "dockward: out of memory\n");
		return 1;
	}
	if (a.kind == API_METRICS_UNIX)
		curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, a.path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (cc != CURLE_OK || status != 200) {
		fprintf(stderr, "dockward: no metrics at %s: %s\n"
		    "Is dockward running with --metrics %s?  Metrics are off unless "
		    "`dockward serve` is given --metrics ADDR (a unix socket path such "
		    "as %s, or 127.0.0.1:PORT); pass the same ADDR to `dockward "
		    "status --metrics`.\n", addr, cc != CURLE_OK ? (ebuf[0] ? ebuf :
		    curl_easy_strerror(cc)) : "the answer is not HTTP 200", addr,
		    DW_PATH_METRICS_SOCKET);
		goto out;
	}
	if (cli_status_summarize(b.b ? b.b : "", time(NULL), stdout) < 0) {
		fprintf(stderr, "dockward: %s does not serve dockward's metrics\n", addr);
		goto out;
	}
	ret = 0;
out:
	free(b.b);
	return ret;
}
