/* cli_report: the audit log summed up for a rollout (see cli_report.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <jansson.h>

#include "authz/authz_jv.h"
#include "cli/cli.h"
#include "cli/cli_report.h"
#include "common/dw_limits.h"
#include "common/dw_paths.h"
#include "common/dw_time.h"

#define REPORT_TOP		10		/* rows per table on a terminal */
#define REPORT_READ_CHUNK	(256 * 1024)	/* bytes per read of a file */
#define REPORT_PROGRESS_NS	250000000LL	/* between progress lines */
/*
 * Records are written within 20 ms of their time (authz_audit's flusher),
 * not strictly in order: a file is skipped only when its last record is
 * older than since by this much.
 */
#define REPORT_SKIP_MARGIN_US	1000000LL

enum kind { KIND_ALLOW, KIND_WOULD, KIND_DENY };

/* Refusals counted under one key. */
struct tally {
	unsigned long long	would;
	unsigned long long	deny;
};

struct fix {
	char		*text;		/* the fix: the message's last sentence */
	char		*example;	/* the first whole message that gave it */
	struct tally	 t;
};

struct entry {
	char		*key;
	uint64_t	 hash;
	struct tally	 t;
	/* Rules only: their distinct fixes, the rest in fix_other. */
	struct fix	*fixes;
	size_t		 nfixes;
	struct tally	 fix_other;
};

/* One dimension (rules, images, callers, commands): a hash of entries, capped. */
struct dim {
	const char	*name;		/* the JSON member */
	size_t		 max;
	struct entry	*e;		/* n used */
	size_t		 n, ecap;
	uint32_t	*slot;		/* index + 1 into e, 0 empty; nslot a power of 2 */
	size_t		 nslot;
	struct tally	 other;		/* refusals past max */
	bool		 capped;
};

enum { DIM_RULE, DIM_IMAGE, DIM_CALLER, DIM_COMMAND, NDIM };

struct file_note {
	char			*path;
	unsigned long long	 bytes;		/* as stored (compressed bytes for a compressed file) */
	unsigned long long	 lines;
	const char		*skipped;	/* why it was not read, or NULL */
	char			*error;		/* why it was not read whole, or NULL */
};

struct cli_report {
	struct cli_report_opts	 o;
	struct cli_report_totals t;
	int64_t			 first_us, last_us;	/* of the records counted */
	bool			 any;
	struct dim		 d[NDIM];
	/* The line being assembled across feeds. */
	char			*lbuf;
	size_t			 llen;
	bool			 lskip;		/* inside a line over the limit */
	bool			 lopen;		/* bytes of a line seen since its start */
	/* Files read, for the report. */
	struct file_note	*files;
	size_t			 nfiles;
	/* Progress on a terminal. */
	unsigned long long	 fed;		/* log bytes read (uncompressed) */
	long long		 start_ns, shown_ns;
	bool			 shown;
};

static const char *const dim_names[NDIM] = { "rules", "images", "callers", "commands" };

/* ------------------------------------------------------------ time */

/* A monotonic clock in ns, for the progress line's rate. */
static long long
mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* n digits at s as a number; false when one is not a digit. */
static bool
digits(const char *s, size_t n, int *ret)
{
	int	v = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*ret = v;
	return true;
}

/* YYYY-MM-DD at s (10 bytes): days since the epoch. */
static bool
date_parse(const char *s, int64_t *ret_days)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int	y, m, d;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	*ret_days = dw_time_days_from_civil(y, (unsigned)m, (unsigned)d);
	return true;
}

int
cli_report_time_parse(const char *s, size_t len, int64_t *ret_us)
{
	int64_t	days, us;
	int	hh, mm, ss, oh, om, frac = 0, scale = 1000000;
	size_t	i = 19;

	if (len < 20 || !date_parse(s, &days) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2, &hh) || s[13] != ':' || !digits(s + 14, 2, &mm) ||
	    s[16] != ':' || !digits(s + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
		return -EINVAL;
	if (s[i] == '.') {
		/* Up to 9 digits; microseconds kept. */
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			if (i - 20 >= 9)
				return -EINVAL;
			if (scale > 1) {
				scale /= 10;
				frac += (s[i] - '0') * scale;
			}
		}
		if (i == 20)
			return -EINVAL;
	}
	us = ((days * 86400) + hh * 3600 + mm * 60 + ss) * 1000000LL + frac;
	if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
		*ret_us = us;
		return 0;
	}
	if (i + 6 == len && (s[i] == '+' || s[i] == '-') && digits(s + i + 1, 2, &oh) &&
	    s[i + 3] == ':' && digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59) {
		int64_t	off = (oh * 3600LL + om * 60LL) * 1000000LL;

		*ret_us = s[i] == '+' ? us - off : us + off;
		return 0;
	}
	return -EINVAL;
}

/* A duration such as 90s, 24h or 1h30m in seconds; false when it is none. */
static bool
duration_parse(const char *s, int64_t *ret_s)
{
	int64_t	total = 0, v, mul;
	char	*end;

	if (*s == '\0')
		return false;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return false;
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno != 0 || v > 100LL * 365 * 86400)
			return false;
		switch (*end) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		case 'w': mul = 7 * 86400; break;
		default: return false;
		}
		total += v * mul;
		if (total > 100LL * 365 * 86400)
			return false;
		s = end + 1;
	}
	*ret_s = total;
	return true;
}

int
cli_report_when_parse(const char *s, time_t now, int64_t *ret_us, struct dw_err *err)
{
	int64_t	secs, days;
	size_t	len = strlen(s);

	if (duration_parse(s, &secs)) {
		*ret_us = ((int64_t)now - secs) * 1000000LL;
		return 0;
	}
	if (len == 10 && date_parse(s, &days)) {
		*ret_us = days * 86400 * 1000000LL;
		return 0;
	}
	if (cli_report_time_parse(s, len, ret_us) == 0)
		return 0;
	dw_err_set(err, "\"%.64s\" is neither a duration (90s, 30m, 24h, 7d, 2w, 1h30m) "
	    "nor a time (2024-01-02T03:04:05Z, 2024-01-02)", s);
	return -EINVAL;
}

/* us as the audit log writes times. */
static void
time_str(int64_t us, char *out, size_t outsz)
{
	struct tm	tm;
	time_t		sec = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
	long		frac = (long)(us - (int64_t)sec * 1000000);

	if (gmtime_r(&sec, &tm) == NULL) {
		snprintf(out, outsz, "?");
		return;
	}
	snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

/* ------------------------------------------------------------ keys */

/* FNV-1a over s[0..n): the dimensions' hash. */
static uint64_t
hash_str(const char *s, size_t n)
{
	uint64_t	h = 1469598103934665603ULL;	/* FNV-1a */
	size_t		i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The length of s[0..n) cut to DW_REPORT_TEXT_MAX bytes at a UTF-8 boundary. */
static size_t
text_cut(const char *s, size_t n)
{
	if (n <= DW_REPORT_TEXT_MAX)
		return n;
	n = DW_REPORT_TEXT_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* s[0..n) cut as text_cut, NUL-terminated (new), or NULL on ENOMEM. */
static char *
text_dup(const char *s, size_t n)
{
	char	*t;

	n = text_cut(s, n);
	if ((t = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(t, s, n);
	t[n] = '\0';
	return t;
}

/* One more refusal of kind k (an allow is never tallied). */
static void
tally_add(struct tally *t, enum kind k)
{
	if (k == KIND_WOULD)
		t->would++;
	else
		t->deny++;
}

/* Room for one more slot use: keep the table at most half full. */
static int
dim_grow(struct dim *d)
{
	uint32_t	*ns;
	size_t		 nn, i, j;

	if (d->n + 1 <= d->nslot / 2)
		return 0;
	nn = d->nslot ? d->nslot * 2 : 64;
	if ((ns = calloc(nn, sizeof(*ns))) == NULL)
		return -ENOMEM;
	for (i = 0; i < d->n; i++) {
		for (j = d->e[i].hash & (nn - 1); ns[j] != 0; j = (j + 1) & (nn - 1))
			;
		ns[j] = (uint32_t)i + 1;
	}
	free(d->slot);
	d->slot = ns;
	d->nslot = nn;
	return 0;
}

/*
 * The entry of key s[0..n) (cut to DW_REPORT_TEXT_MAX), added when new;
 * NULL when the dimension is full (the caller counts into other) or on
 * ENOMEM (counted there too: a report never stops for a key).
 */
static struct entry *
dim_get(struct dim *d, const char *s, size_t n)
{
	struct entry	*e;
	uint64_t	 h;
	size_t		 j;

	n = text_cut(s, n);
	h = hash_str(s, n);
	if (d->nslot > 0)
		for (j = h & (d->nslot - 1); d->slot[j] != 0; j = (j + 1) & (d->nslot - 1)) {
			e = &d->e[d->slot[j] - 1];
			if (e->hash == h && strncmp(e->key, s, n) == 0 && e->key[n] == '\0')
				return e;
		}
	if (d->n >= d->max) {
		d->capped = true;
		return NULL;
	}
	if (dim_grow(d) < 0)
		return NULL;
	if (d->n == d->ecap) {
		size_t	 nc = d->ecap ? d->ecap * 2 : 32;

		if ((e = realloc(d->e, nc * sizeof(*e))) == NULL)
			return NULL;
		d->e = e;
		d->ecap = nc;
	}
	e = &d->e[d->n];
	memset(e, 0, sizeof(*e));
	if ((e->key = text_dup(s, n)) == NULL)
		return NULL;
	e->hash = h;
	for (j = h & (d->nslot - 1); d->slot[j] != 0; j = (j + 1) & (d->nslot - 1))
		;
	d->slot[j] = (uint32_t)d->n + 1;
	d->n++;
	return e;
}

/* Count a refusal under key s[0..n), or under other past the cap. */
static void
dim_count(struct dim *d, const char *s, size_t n, enum kind k)
{
	struct entry	*e = dim_get(d, s, n);

	tally_add(e != NULL ? &e->t : &d->other, k);
}

/* Free what the dimension holds (not d itself). */
static void
dim_clear(struct dim *d)
{
	size_t	i, j;

	for (i = 0; i < d->n; i++) {
		for (j = 0; j < d->e[i].nfixes; j++) {
			free(d->e[i].fixes[j].text);
			free(d->e[i].fixes[j].example);
		}
		free(d->e[i].fixes);
		free(d->e[i].key);
	}
	free(d->e);
	free(d->slot);
}

/* ------------------------------------------------------------ fixes */

/*
 * The fix in a deny message.  authz_deny writes "dockward: <what>
 * (<rule>): <why>. <How to fix>": the fix is the last sentence (after
 * ". " and starting with a capital, outside quoted values) of the part
 * after "): "; a message with one sentence is its own fix.  Sets
 * *ret_body to where the part after the prefix starts.
 */
static void
fix_find(const char *msg, size_t len, const char **ret_body, const char **ret_fix,
    size_t *ret_fixlen)
{
	const char	*body = msg, *end = msg + len, *p, *fix;
	bool		 quoted = false;

	if (len > 10 && memcmp(msg, "dockward: ", 10) == 0 &&
	    (p = memmem(msg, len, "): ", 3)) != NULL)
		body = p + 3;
	fix = body;
	for (p = body; p < end; p++) {
		if (*p == '\\' && quoted && p + 1 < end)
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '.' && p + 2 < end && p[1] == ' ' &&
		    p[2] >= 'A' && p[2] <= 'Z')
			fix = p + 2;
	}
	*ret_body = body;
	*ret_fix = fix;
	*ret_fixlen = (size_t)(end - fix);
}

/* Count a refusal under the fix of its message msg[0..len) in rule (past the cap: fix_other). */
static void
fix_count(struct entry *rule, const char *msg, size_t len, enum kind k)
{
	const char	*body, *f;
	struct fix	*fx;
	size_t		 fn, i, cut;

	if (len == 0) {
		msg = "(no message)";
		len = strlen(msg);
	}
	fix_find(msg, len, &body, &f, &fn);
	cut = text_cut(f, fn);
	for (i = 0; i < rule->nfixes; i++) {
		fx = &rule->fixes[i];
		if (strncmp(fx->text, f, cut) == 0 && fx->text[cut] == '\0') {
			tally_add(&fx->t, k);
			return;
		}
	}
	if (rule->nfixes >= DW_REPORT_FIXES_MAX ||
	    (fx = realloc(rule->fixes, (rule->nfixes + 1) * sizeof(*fx))) == NULL) {
		tally_add(&rule->fix_other, k);
		return;
	}
	rule->fixes = fx;
	fx = &rule->fixes[rule->nfixes];
	memset(fx, 0, sizeof(*fx));
	if ((fx->text = text_dup(f, fn)) == NULL ||
	    (fx->example = text_dup(body, (size_t)(msg + len - body))) == NULL) {
		free(fx->text);
		tally_add(&rule->fix_other, k);
		return;
	}
	rule->nfixes++;
	tally_add(&fx->t, k);
}

/* ------------------------------------------------------------ lines */

/* obj[key] as a string (borrowed) and its length, or NULL. */
static const char *
jv_str(const struct authz_jv *obj, const char *key, size_t *ret_len)
{
	const struct authz_jv	*v = authz_jv_object_get(obj, key);

	*ret_len = authz_jv_string_len(v);
	return authz_jv_string(v);
}

/* The caller key: "container NAME (creator USER)", "host uid N", "user NAME" or "(unknown)". */
static void
caller_key(const struct authz_jv *rec, char *out, size_t outsz)
{
	const struct authz_jv	*c = authz_jv_object_get(rec, "caller");
	const char		*kind, *name, *user, *num;
	size_t			 n, un;

	kind = jv_str(c, "kind", &n);
	if (kind != NULL && strcmp(kind, "container") == 0) {
		/* The name, else the short id. */
		if ((name = jv_str(c, "name", &n)) == NULL || n == 0) {
			if ((name = jv_str(c, "container", &n)) == NULL || n == 0)
				name = "?", n = 1;
			else if (n > 12)
				n = 12;
		} else if (name[0] == '/' && n > 1)
			name++, n--;
		user = jv_str(authz_jv_object_get(c, "creator"), "name", &un);
		if (user != NULL && un > 0)
			snprintf(out, outsz, "container %.*s (creator %s)", (int)n, name, user);
		else
			snprintf(out, outsz, "container %.*s", (int)n, name);
		return;
	}
	if (kind != NULL && strcmp(kind, "host") == 0 &&
	    (num = authz_jv_number_text(authz_jv_object_get(c, "uid"))) != NULL) {
		snprintf(out, outsz, "host uid %s", num);
		return;
	}
	if ((user = jv_str(rec, "user", &n)) != NULL && n > 0) {
		snprintf(out, outsz, "user %s", user);
		return;
	}
	snprintf(out, outsz, "(unknown)");
}

/* One line (no newline), not NUL-terminated. */
static void
report_line(struct cli_report *r, const char *line, size_t len)
{
	struct authz_jv_doc	*doc = NULL;
	const struct authz_jv	*rec, *c;
	const char		*s, *dec;
	struct entry		*rule;
	char			 key[DW_REPORT_TEXT_MAX + 64];
	size_t			 n, i;
	int64_t			 t;
	enum kind		 k;

	r->t.lines++;
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'); i++)
		;
	if (i == len)
		return;		/* an empty line is no record and no harm */
	if (authz_jv_parse(line, len, DW_REPORT_LINE_MAX, &doc, NULL) < 0) {
		r->t.malformed++;
		return;
	}
	rec = authz_jv_doc_root(doc);
	/* Air-gapped containers' lines (egress, egress.pac, egress.table): no decision. */
	if (authz_jv_is_string(authz_jv_object_get(rec, "event"))) {
		r->t.events++;
		goto out;
	}
	if ((s = jv_str(rec, "time", &n)) == NULL || cli_report_time_parse(s, n, &t) < 0 ||
	    (dec = jv_str(rec, "decision", &n)) == NULL) {
		r->t.malformed++;
		goto out;
	}
	if (strcmp(dec, "deny") == 0)
		k = KIND_DENY;
	else if (strcmp(dec, "allow") != 0) {
		r->t.malformed++;
		goto out;
	} else if (authz_jv_is_true(authz_jv_object_get(rec, "wouldDeny")))
		k = KIND_WOULD;
	else
		k = KIND_ALLOW;
	if (t < r->o.since_us || t >= r->o.until_us) {
		r->t.out_of_range++;
		goto out;
	}
	r->t.records++;
	if (!r->any || t < r->first_us)
		r->first_us = t;
	if (!r->any || t > r->last_us)
		r->last_us = t;
	r->any = true;
	if (k == KIND_ALLOW) {
		r->t.allow++;
		goto out;
	}
	if (k == KIND_WOULD)
		r->t.would_deny++;
	else
		r->t.deny++;

	if ((s = jv_str(rec, "rule", &n)) == NULL || n == 0)
		s = "(none)", n = strlen(s);
	if ((rule = dim_get(&r->d[DIM_RULE], s, n)) != NULL) {
		tally_add(&rule->t, k);
		s = jv_str(rec, "reason", &n);
		fix_count(rule, s ? s : "", s ? n : 0, k);
	} else
		tally_add(&r->d[DIM_RULE].other, k);

	/* The image of the calling container: the gatekeeper's caller only. */
	c = authz_jv_object_get(rec, "caller");
	if ((s = jv_str(c, "image", &n)) == NULL || n == 0)
		s = "(unknown)", n = strlen(s);
	dim_count(&r->d[DIM_IMAGE], s, n, k);

	caller_key(rec, key, sizeof(key));
	dim_count(&r->d[DIM_CALLER], key, strlen(key), k);

	if ((s = jv_str(rec, "endpoint", &n)) == NULL || n == 0)
		s = "(unknown)", n = strlen(s);
	dim_count(&r->d[DIM_COMMAND], s, n, k);
out:
	authz_jv_doc_free(doc);
}

struct cli_report *
cli_report_new(const struct cli_report_opts *o)
{
	struct cli_report	*r;
	int			 i;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->lbuf = malloc(DW_REPORT_LINE_MAX)) == NULL) {
		free(r);
		return NULL;
	}
	r->o = *o;
	for (i = 0; i < NDIM; i++) {
		r->d[i].name = dim_names[i];
		r->d[i].max = i == DIM_RULE ? DW_REPORT_RULES_MAX : DW_REPORT_KEYS_MAX;
	}
	return r;
}

void
cli_report_free(struct cli_report *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < NDIM; i++)
		dim_clear(&r->d[i]);
	for (i = 0; i < r->nfiles; i++) {
		free(r->files[i].path);
		free(r->files[i].error);
	}
	free(r->files);
	free(r->lbuf);
	free(r);
}

void
cli_report_feed(struct cli_report *r, const void *buf, size_t len)
{
	const char	*p = buf, *end = p + len, *nl;
	size_t		 n;

	r->fed += len;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		r->lopen = true;
		if (r->lskip)
			;
		else if (r->llen + n > DW_REPORT_LINE_MAX) {
			r->lskip = true;
			r->llen = 0;
		} else if (r->llen == 0 && nl != NULL) {
			/* A whole line in buf: no copy. */
			report_line(r, p, n);
			r->lopen = false;
			p = nl + 1;
			continue;
		} else {
			memcpy(r->lbuf + r->llen, p, n);
			r->llen += n;
		}
		if (nl == NULL)
			break;
		if (r->lskip) {
			r->t.lines++;
			r->t.too_long++;
		} else
			report_line(r, r->lbuf, r->llen);
		r->lskip = false;
		r->lopen = false;
		r->llen = 0;
		p = nl + 1;
	}
}

void
cli_report_feed_end(struct cli_report *r)
{
	if (r->lskip) {
		r->t.lines++;
		r->t.too_long++;
	} else if (r->lopen)
		report_line(r, r->lbuf, r->llen);
	r->lskip = false;
	r->lopen = false;
	r->llen = 0;
}

void
cli_report_totals(const struct cli_report *r, struct cli_report_totals *ret)
{
	*ret = r->t;
}

/* ------------------------------------------------------------ files */

static const char *const compressed_ext[] = { "gz", "bz2", "xz", "zst", NULL };

/* Does the file start like one of the compressed formats read? */
static bool
magic_compressed(const unsigned char *b, size_t n)
{
	return (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) ||
	    (n >= 3 && memcmp(b, "BZh", 3) == 0) ||
	    (n >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0) ||
	    (n >= 4 && memcmp(b, "\x28\xb5\x2f\xfd", 4) == 0);
}

/*
 * Can the regular file at fd (size st) be skipped as older than since?
 * A plain file when its last line's time is; a compressed one when its
 * modification time is (gzip and logrotate keep the time of the last
 * write).  Any doubt reads the file.
 */
static bool
file_older(const struct cli_report *r, int fd, const struct stat *st)
{
	unsigned char	 head[6];
	char		*tail = NULL;
	ssize_t		 got;
	off_t		 off;
	size_t		 n, e, b;
	bool		 old = false;
	struct authz_jv_doc *doc = NULL;
	const char	*s;
	int64_t		 t;

	if (r->o.since_us == CLI_REPORT_NO_SINCE || !S_ISREG(st->st_mode) || st->st_size == 0)
		return false;
	if ((got = pread(fd, head, sizeof(head), 0)) <= 0)
		return false;
	if (magic_compressed(head, (size_t)got))
		return ((int64_t)st->st_mtime * 1000000LL + REPORT_SKIP_MARGIN_US) < r->o.since_us;
	n = st->st_size > DW_REPORT_LINE_MAX + 1 ? DW_REPORT_LINE_MAX + 1 : (size_t)st->st_size;
	off = st->st_size - (off_t)n;
	if ((tail = malloc(n)) == NULL || (got = pread(fd, tail, n, off)) != (ssize_t)n)
		goto out;
	/* The last line with its newline (a line being written has none yet). */
	for (e = n; e > 0 && tail[e - 1] != '\n'; e--)
		;
	if (e == 0)
		goto out;
	e--;
	for (b = e; b > 0 && tail[b - 1] != '\n'; b--)
		;
	if (b == 0 && off > 0)
		goto out;	/* the line may start before the tail */
	if (authz_jv_parse(tail + b, e - b, DW_REPORT_LINE_MAX, &doc, NULL) < 0 ||
	    (s = jv_str(authz_jv_doc_root(doc), "time", &n)) == NULL ||
	    cli_report_time_parse(s, n, &t) < 0)
		goto out;
	old = t + REPORT_SKIP_MARGIN_US < r->o.since_us;
out:
	authz_jv_doc_free(doc);
	free(tail);
	return old;
}

/* b bytes as "12.3 MB". */
static void
human_bytes(double b, char *out, size_t outsz)
{
	if (b >= 1e9)
		snprintf(out, outsz, "%.2f GB", b / 1e9);
	else if (b >= 1e6)
		snprintf(out, outsz, "%.1f MB", b / 1e6);
	else
		snprintf(out, outsz, "%.0f kB", b / 1e3);
}

/*
 * The progress line, at most every REPORT_PROGRESS_NS: the file, how far
 * into it (stored bytes against its size; size < 0: unknown), the log
 * bytes read (uncompressed) and their rate, the lines.
 */
static void
progress(struct cli_report *r, const char *path, unsigned long long now_bytes,
    long long size)
{
	long long	now = mono_ns();
	double		secs;
	char		a[32], b[32], pct[32] = "";

	if (!r->o.progress || now - r->shown_ns < REPORT_PROGRESS_NS)
		return;
	r->shown_ns = now;
	r->shown = true;
	secs = (double)(now - r->start_ns) / 1e9;
	human_bytes((double)r->fed, a, sizeof(a));
	human_bytes(secs > 0 ? (double)r->fed / secs : 0, b, sizeof(b));
	if (size > 0)
		snprintf(pct, sizeof(pct), " %.0f%%", 100.0 * (double)now_bytes / (double)size);
	fprintf(stderr, "\r\033[Kdockward report: %s%s, %s read (%s/s), %llu lines",
	    strrchr(path, '/') ? strrchr(path, '/') + 1 : path, pct, a, b, r->t.lines);
	fflush(stderr);
}

/* libarchive's failure in err, with the system's words when there are some; -EIO. */
static int
read_error(struct archive *a, const char *path, struct dw_err *err)
{
	const char	*what = archive_error_string(a);
	int		 e = archive_errno(a);

	/* EILSEQ and EINVAL are libarchive's "bad format" and "misused"; -1 its "other". */
	if (e > 0 && e != EILSEQ && e != EINVAL)
		dw_err_set(err, "cannot read %s: %s: %s", path, what ? what : "error",
		    strerror(e));
	else
		dw_err_set(err, "cannot read %s: %s", path, what ? what : "unknown error");
	return -EIO;
}

/* A new note for the file path, kept for the report; NULL on ENOMEM. */
static struct file_note *
note_add(struct cli_report *r, const char *path)
{
	struct file_note	*f;

	if ((f = realloc(r->files, (r->nfiles + 1) * sizeof(*f))) == NULL)
		return NULL;
	r->files = f;
	f = &r->files[r->nfiles];
	memset(f, 0, sizeof(*f));
	if ((f->path = strdup(path)) == NULL)
		return NULL;
	r->nfiles++;
	return f;
}

int
cli_report_read(struct cli_report *r, const char *path, struct dw_err *err)
{
	struct archive		*a = NULL;
	struct archive_entry	*ent;
	struct file_note	*note;
	struct stat		 st;
	unsigned long long	 lines0 = r->t.lines, raw = 0;
	long long		 size = -1;
	char			*buf = NULL;
	la_ssize_t		 got;
	int			 fd = -1, ret = 0, ar;
	bool			 is_stdin = strcmp(path, "-") == 0;

	if ((note = note_add(r, path)) == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if (r->start_ns == 0)
		r->start_ns = mono_ns();
	if (is_stdin)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		ret = -errno;
		dw_err_set(err, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		dw_err_set(err, "%s is a directory (--log FILE names the log itself)", path);
		goto out;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		size = (long long)st.st_size;
	if (!is_stdin && size >= 0 && file_older(r, fd, &st)) {
		note->skipped = "older than --since";
		note->bytes = (unsigned long long)size;
		r->t.files_skipped++;
		goto out;
	}
	if ((buf = malloc(REPORT_READ_CHUNK)) == NULL || (a = archive_read_new()) == NULL) {
		ret = -ENOMEM;
		dw_err_set(err, "out of memory");
		goto out;
	}
	/*
	 * The compressions logrotate is set up with, each built into
	 * libarchive: not archive_read_support_filter_all, whose lrzip, lzop
	 * or grzip may run an outside program.  Raw: the bytes as they are.
	 */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_raw(a);
	archive_read_support_format_empty(a);
	if (archive_read_open_fd(a, fd, REPORT_READ_CHUNK) != ARCHIVE_OK ||
	    ((ar = archive_read_next_header(a, &ent)) != ARCHIVE_OK && ar != ARCHIVE_EOF)) {
		ret = read_error(a, path, err);
		goto out;
	}
	if (ar == ARCHIVE_OK)
		while ((got = archive_read_data(a, buf, REPORT_READ_CHUNK)) != 0) {
			if (got < 0) {
				ret = read_error(a, path, err);
				break;
			}
			cli_report_feed(r, buf, (size_t)got);
			raw = (unsigned long long)archive_filter_bytes(a, -1);
			progress(r, path, raw, size);
		}
	cli_report_feed_end(r);
	raw = (unsigned long long)archive_filter_bytes(a, -1);
	note->bytes = raw;
out:
	note->lines = r->t.lines - lines0;
	if (ret < 0) {
		r->t.read_errors++;
		note->error = strdup(err != NULL ? err->msg : "read error");
	}
	if (a != NULL)
		archive_read_free(a);
	if (fd >= 0 && !is_stdin)
		close(fd);
	free(buf);
	return ret;
}

struct rotated {
	char		*path;
	unsigned long	 n;
};

/* qsort: highest rotation number (the oldest file) first. */
static int
rotated_cmp(const void *a, const void *b)
{
	const struct rotated	*x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;	/* highest (oldest) first */
	return strcmp(x->path, y->path);
}

/* Is name base.N or base.N.EXT?  Its N. */
static bool
rotated_name(const char *name, const char *base, unsigned long *ret_n)
{
	size_t		 bl = strlen(base);
	const char	*p;
	char		*end;
	unsigned long	 n;
	size_t		 i;

	if (strncmp(name, base, bl) != 0 || name[bl] != '.' || name[bl + 1] < '0' ||
	    name[bl + 1] > '9')
		return false;
	p = name + bl + 1;
	errno = 0;
	n = strtoul(p, &end, 10);
	if (errno != 0)
		return false;
	if (*end == '\0') {
		*ret_n = n;
		return true;
	}
	if (*end != '.')
		return false;
	for (i = 0; compressed_ext[i] != NULL; i++)
		if (strcmp(end + 1, compressed_ext[i]) == 0) {
			*ret_n = n;
			return true;
		}
	return false;
}

int
cli_report_files(const char *base, struct dw_strv *ret, struct dw_err *err)
{
	struct rotated	*rv = NULL, *nr;
	struct dirent	*de;
	struct stat	 st;
	DIR		*dir = NULL;
	const char	*slash = strrchr(base, '/'), *name;
	char		 dpath[PATH_MAX], *full = NULL;
	size_t		 nrv = 0, i;
	unsigned long	 n;
	bool		 have_base;
	int		 r = 0;

	if (slash == NULL)
		snprintf(dpath, sizeof(dpath), ".");
	else if ((size_t)(slash - base) >= sizeof(dpath)) {
		dw_err_set(err, "%s: path too long", base);
		return -ENAMETOOLONG;
	} else
		snprintf(dpath, sizeof(dpath), "%.*s", slash == base ? 1 :
		    (int)(slash - base), base);
	name = slash ? slash + 1 : base;
	have_base = stat(base, &st) == 0;
	if ((dir = opendir(dpath)) == NULL) {
		if (errno == ENOENT) {
			r = -ENOENT;
			dw_err_set(err, "no audit log at %s", base);
		} else {
			r = -EIO;
			dw_err_set(err, "cannot read directory %s: %s", dpath, strerror(errno));
		}
		goto out;
	}
	while ((de = readdir(dir)) != NULL) {
		if (!rotated_name(de->d_name, name, &n))
			continue;
		if (nrv >= DW_REPORT_FILES_MAX) {
			r = -E2BIG;
			dw_err_set(err, "more than %d rotated files next to %s", DW_REPORT_FILES_MAX,
			    base);
			goto out;
		}
		if ((nr = realloc(rv, (nrv + 1) * sizeof(*nr))) == NULL ||
		    asprintf(&full, "%s/%s", dpath, de->d_name) < 0) {
			if (nr != NULL)
				rv = nr;
			full = NULL;
			r = -ENOMEM;
			dw_err_set(err, "out of memory");
			goto out;
		}
		rv = nr;
		rv[nrv].path = full;
		rv[nrv++].n = n;
		full = NULL;
	}
	if (nrv == 0 && !have_base) {
		r = -ENOENT;
		dw_err_set(err, "no audit log at %s (nor rotated files next to it)", base);
		goto out;
	}
	qsort(rv, nrv, sizeof(*rv), rotated_cmp);
	for (i = 0; i < nrv; i++) {
		if ((r = dw_strv_push(ret, rv[i].path)) < 0)
			break;
	}
	if (r == 0 && have_base)
		r = dw_strv_push(ret, base);
	if (r < 0)
		dw_err_set(err, "out of memory");
out:
	if (dir != NULL)
		closedir(dir);
	for (i = 0; i < nrv; i++)
		free(rv[i].path);
	free(rv);
	return r;
}

/* ------------------------------------------------------------ output */

/* qsort: most refusals first, then by key. */
static int
entry_cmp(const void *a, const void *b)
{
	const struct entry	*x = *(const struct entry *const *)a;
	const struct entry	*y = *(const struct entry *const *)b;
	unsigned long long	 nx = x->t.would + x->t.deny, ny = y->t.would + y->t.deny;

	if (nx != ny)
		return nx < ny ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* Entries of a dimension, most refusals first (then by key), as pointers. */
static const struct entry **
dim_sorted(const struct dim *d)
{
	const struct entry	**v;
	size_t			  i;

	if ((v = calloc(d->n + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < d->n; i++)
		v[i] = &d->e[i];
	qsort(v, d->n, sizeof(*v), entry_cmp);
	return v;
}

/* qsort: the fix given most first, then by text. */
static int
fix_cmp(const void *a, const void *b)
{
	const struct fix	*x = *(const struct fix *const *)a;
	const struct fix	*y = *(const struct fix *const *)b;
	unsigned long long	 nx = x->t.would + x->t.deny, ny = y->t.would + y->t.deny;

	if (nx != ny)
		return nx < ny ? 1 : -1;
	return strcmp(x->text, y->text);
}

/* A rule's fixes, most given first, as pointers (new, NULL-terminated), or NULL. */
static const struct fix **
fixes_sorted(const struct entry *e)
{
	const struct fix	**v;
	size_t			  i;

	if ((v = calloc(e->nfixes + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < e->nfixes; i++)
		v[i] = &e->fixes[i];
	qsort(v, e->nfixes, sizeof(*v), fix_cmp);
	return v;
}

/* s for a terminal: UTF-8 as it is, control characters (C0, DEL, C1) as \xNN. */
static void
put_text(FILE *out, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fprintf(out, "\\u%04x", p[1]);
			p++;
		} else
			fputc(*p, out);
	}
}

/* How many of n rows to show (--top). */
static size_t
rows(const struct cli_report *r, size_t n)
{
	return r->o.top > 0 && r->o.top < n ? r->o.top : n;
}

/* One table of the text: WOULD, DENIED, the key (and a rule's fixes). */
static int
print_dim(const struct cli_report *r, FILE *out, int di, const char *title,
    const char *col)
{
	const struct dim	 *d = &r->d[di];
	const struct entry	**v;
	const struct fix	**fv;
	size_t			  i, j, nr;

	if ((v = dim_sorted(d)) == NULL)
		return -ENOMEM;
	nr = rows(r, d->n);
	fprintf(out, "\n%s\n  %9s %9s  %s\n", title, "WOULD", "DENIED", col);
	for (i = 0; i < nr; i++) {
		fprintf(out, "  %9llu %9llu  ", v[i]->t.would, v[i]->t.deny);
		put_text(out, v[i]->key);
		fputc('\n', out);
		if (di != DIM_RULE)
			continue;
		if ((fv = fixes_sorted(v[i])) == NULL) {
			free(v);
			return -ENOMEM;
		}
		for (j = 0; j < v[i]->nfixes; j++) {
			fprintf(out, "  %9s %9s    fix (%llu): ", "", "",
			    fv[j]->t.would + fv[j]->t.deny);
			put_text(out, fv[j]->text);
			if (strcmp(fv[j]->text, fv[j]->example) != 0) {
				fprintf(out, "\n  %9s %9s      e.g. ", "", "");
				put_text(out, fv[j]->example);
			}
			fputc('\n', out);
		}
		if (v[i]->fix_other.would + v[i]->fix_other.deny > 0)
			fprintf(out, "  %9s %9s    %llu more with other fixes (only %d kept per rule)\n",
			    "", "", v[i]->fix_other.would + v[i]->fix_other.deny,
			    DW_REPORT_FIXES_MAX);
		free(fv);
	}
	if (nr < d->n)
		fprintf(out, "  ... %zu more (--top N shows more)\n", d->n - nr);
	if (d->other.would + d->other.deny > 0)
		fprintf(out, "  %9llu %9llu  (other: past the first %zu distinct; "
		    "not told apart)\n", d->other.would, d->other.deny, d->max);
	free(v);
	return 0;
}

int
cli_report_print_text(const struct cli_report *r, FILE *out)
{
	const struct cli_report_totals	*t = &r->t;
	char				 a[64], b[64];
	size_t				 i;
	int				 ret;

	fprintf(out, "dockward audit report\n");
	for (i = 0; i < r->nfiles; i++) {
		fprintf(out, "%s ", i == 0 ? "files:   " : "         ");
		put_text(out, r->files[i].path);
		if (r->files[i].skipped != NULL)
			fprintf(out, " (skipped: %s)", r->files[i].skipped);
		else if (r->files[i].error != NULL) {
			fprintf(out, " (NOT READ WHOLE: ");
			put_text(out, r->files[i].error);
			fputc(')', out);
		} else
			fprintf(out, " (%llu lines)", r->files[i].lines);
		fputc('\n', out);
	}
	if (r->o.since_us != CLI_REPORT_NO_SINCE || r->o.until_us != CLI_REPORT_NO_UNTIL) {
		if (r->o.since_us != CLI_REPORT_NO_SINCE)
			time_str(r->o.since_us, a, sizeof(a));
		else
			snprintf(a, sizeof(a), "the start");
		if (r->o.until_us != CLI_REPORT_NO_UNTIL)
			time_str(r->o.until_us, b, sizeof(b));
		else
			snprintf(b, sizeof(b), "the end");
		fprintf(out, "range:    from %s to %s\n", a, b);
	}
	if (r->any) {
		time_str(r->first_us, a, sizeof(a));
		time_str(r->last_us, b, sizeof(b));
		fprintf(out, "span:     %s .. %s\n", a, b);
	} else
		fprintf(out, "span:     no records\n");
	fprintf(out, "records:  %llu: %llu allowed, %llu would be denied (audit mode), "
	    "%llu denied\n", t->records, t->allow, t->would_deny, t->deny);
	fprintf(out, "skipped:  %llu lines not audit records, %llu over %d bytes, "
	    "%llu outside the range, %llu files older than --since, %llu egress "
	    "events\n", t->malformed, t->too_long, DW_REPORT_LINE_MAX, t->out_of_range,
	    t->files_skipped, t->events);
	if (t->read_errors > 0)
		fprintf(out, "WARNING:  %llu files could not be read whole: the counts "
		    "are short\n", t->read_errors);
	if (t->would_deny + t->deny == 0) {
		fprintf(out, "\nNo request was denied or would have been.\n");
		return ferror(out) ? -EIO : 0;
	}
	if ((ret = print_dim(r, out, DIM_RULE, "By rule, with the fixes the messages give:",
	    "RULE")) < 0 ||
	    (ret = print_dim(r, out, DIM_IMAGE, "By image of the calling container "
	    "(gatekeeper; \"(unknown)\": no container image in the line):", "IMAGE")) < 0 ||
	    (ret = print_dim(r, out, DIM_CALLER, "By caller (user or container):",
	    "CALLER")) < 0 ||
	    (ret = print_dim(r, out, DIM_COMMAND, "By command (Engine API endpoint):",
	    "COMMAND")) < 0)
		return ret;
	return ferror(out) ? -EIO : 0;
}

/* ------------------------------------------------------------ JSON */

/* us as a JSON string in the audit log's time format. */
static json_t *
json_time(int64_t us)
{
	char	b[64];

	time_str(us, b, sizeof(b));
	return json_string(b);
}

/* Adds to o; false on ENOMEM (the caller frees o). */
static bool
set(json_t *o, const char *k, json_t *v)
{
	return v != NULL && json_object_set_new(o, k, v) == 0;
}

/* "wouldDeny" and "deny" into o; false on ENOMEM. */
static bool
set_tally(json_t *o, const struct tally *t)
{
	return set(o, "wouldDeny", json_integer((json_int_t)t->would)) &&
	    set(o, "deny", json_integer((json_int_t)t->deny));
}

/* One dimension as a JSON array (new), or NULL on ENOMEM. */
static json_t *
json_dim(const struct cli_report *r, int di)
{
	const struct dim	 *d = &r->d[di];
	const struct entry	**v;
	const struct fix	**fv = NULL;
	json_t			 *arr, *o = NULL, *fa, *fo;
	size_t			  i, j, nr;
	bool			  ok = false;

	if ((arr = json_array()) == NULL || (v = dim_sorted(d)) == NULL) {
		json_decref(arr);
		return NULL;
	}
	nr = rows(r, d->n);
	for (i = 0; i < nr; i++) {
		if ((o = json_object()) == NULL || !set(o, "key", json_string(v[i]->key)) ||
		    !set_tally(o, &v[i]->t))
			goto out;
		if (di == DIM_RULE) {
			if ((fv = fixes_sorted(v[i])) == NULL || (fa = json_array()) == NULL ||
			    !set(o, "fixes", fa))
				goto out;
			for (j = 0; j < v[i]->nfixes; j++) {
				if ((fo = json_object()) == NULL || json_array_append_new(fa, fo) < 0 ||
				    !set(fo, "fix", json_string(fv[j]->text)) ||
				    !set(fo, "example", json_string(fv[j]->example)) ||
				    !set_tally(fo, &fv[j]->t))
					goto out;
			}
			if ((fo = json_object()) == NULL || !set(o, "otherFixes", fo) ||
			    !set_tally(fo, &v[i]->fix_other))
				goto out;
			free(fv);
			fv = NULL;
		}
		if (json_array_append_new(arr, o) < 0) {
			o = NULL;
			goto out;
		}
		o = NULL;
	}
	ok = true;
out:
	json_decref(o);
	free(fv);
	free(v);
	if (!ok) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

int
cli_report_print_json(const struct cli_report *r, FILE *out)
{
	const struct cli_report_totals	*t = &r->t;
	json_t				*root, *o, *files, *f, *dims, *dd;
	size_t				 i;
	int				 ret = -ENOMEM;

	if ((root = json_object()) == NULL)
		return -ENOMEM;
	if (!set(root, "version", json_integer(1)) ||
	    !set(root, "since", r->o.since_us != CLI_REPORT_NO_SINCE ?
	    json_time(r->o.since_us) : json_null()) ||
	    !set(root, "until", r->o.until_us != CLI_REPORT_NO_UNTIL ?
	    json_time(r->o.until_us) : json_null()) ||
	    !set(root, "first", r->any ? json_time(r->first_us) : json_null()) ||
	    !set(root, "last", r->any ? json_time(r->last_us) : json_null()) ||
	    (files = json_array()) == NULL || !set(root, "files", files))
		goto out;
	for (i = 0; i < r->nfiles; i++) {
		const struct file_note *n = &r->files[i];

		if ((f = json_object()) == NULL || json_array_append_new(files, f) < 0 ||
		    !set(f, "path", json_string(n->path)) ||
		    !set(f, "bytes", json_integer((json_int_t)n->bytes)) ||
		    !set(f, "lines", json_integer((json_int_t)n->lines)) ||
		    !set(f, "skipped", n->skipped ? json_string(n->skipped) : json_null()) ||
		    !set(f, "error", n->error ? json_string(n->error) : json_null()))
			goto out;
	}
	if ((o = json_object()) == NULL || !set(root, "totals", o) ||
	    !set(o, "lines", json_integer((json_int_t)t->lines)) ||
	    !set(o, "records", json_integer((json_int_t)t->records)) ||
	    !set(o, "allow", json_integer((json_int_t)t->allow)) ||
	    !set(o, "wouldDeny", json_integer((json_int_t)t->would_deny)) ||
	    !set(o, "deny", json_integer((json_int_t)t->deny)) ||
	    !set(o, "events", json_integer((json_int_t)t->events)) ||
	    !set(o, "malformed", json_integer((json_int_t)t->malformed)) ||
	    !set(o, "tooLong", json_integer((json_int_t)t->too_long)) ||
	    !set(o, "outOfRange", json_integer((json_int_t)t->out_of_range)) ||
	    !set(o, "filesSkipped", json_integer((json_int_t)t->files_skipped)) ||
	    !set(o, "readErrors", json_integer((json_int_t)t->read_errors)))
		goto out;
	for (i = 0; i < NDIM; i++) {
		if ((dd = json_dim(r, (int)i)) == NULL || !set(root, dim_names[i], dd))
			goto out;
	}
	/* Refusals past each dimension's cap, and whether the lists were cut by --top. */
	if ((dims = json_object()) == NULL || !set(root, "other", dims))
		goto out;
	for (i = 0; i < NDIM; i++) {
		if ((o = json_object()) == NULL || !set(dims, dim_names[i], o) ||
		    !set_tally(o, &r->d[i].other) ||
		    !set(o, "capped", json_boolean(r->d[i].capped)) ||
		    !set(o, "max", json_integer((json_int_t)r->d[i].max)) ||
		    !set(o, "distinct", json_integer((json_int_t)r->d[i].n)) ||
		    !set(o, "shown", json_integer((json_int_t)rows(r, r->d[i].n))))
			goto out;
	}
	if (json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 ||
	    fputc('\n', out) == EOF) {
		ret = -EIO;
		goto out;
	}
	ret = ferror(out) ? -EIO : 0;
out:
	json_decref(root);
	return ret;
}

/* ------------------------------------------------------------ command */

const char	cli_report_usage[] =
    "dockward report [--since D|T] [--until D|T] [--json] [--top N]\n"
    "                       [--log FILE | FILE...]\n";

const char	cli_report_about[] =
    "report  sum up the audit log for a rollout: denied and would-deny (audit mode)\n"
    "        requests by rule with the fixes, by image, caller and command\n";

static void
usage(FILE *f)
{
	fprintf(f, "usage: dockward report [--since D|T] [--until D|T] [--json] [--top N] "
	    "[--no-progress]\n"
	    "                       [--log FILE | FILE...]\n"
	    "  D: a duration back from now (90s, 30m, 24h, 7d, 2w, 1h30m); T: a time\n"
	    "     (2024-01-02T03:04:05Z) or a date (2024-01-02, UTC)\n"
	    "  --log FILE: the audit log at FILE and its rotated files (FILE.1,\n"
	    "     FILE.2.gz, ...), oldest first (default %s)\n"
	    "  FILE...: these files only, plain or compressed; - for standard input\n"
	    "  --top N: rows per table (default %d; 0: all; --json: all unless given)\n",
	    DW_PATH_AUDIT_LOG, REPORT_TOP);
}

int
cli_report_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },
		{ "top", required_argument, NULL, 't' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "log", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_report_opts	 o = {
		.since_us = CLI_REPORT_NO_SINCE, .until_us = CLI_REPORT_NO_UNTIL,
		.top = REPORT_TOP,
	};
	struct cli_report	*r = NULL;
	struct dw_strv		 files = { 0 };
	struct dw_err		 err;
	time_t			 now = time(NULL);
	const char		*log = NULL;
	bool			 json = false, top_set = false, no_progress = false;
	char			*end;
	unsigned long		 top;
	size_t			 i;
	int			 ch, ret = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:u:jt:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
		case 'u':
			if (cli_report_when_parse(optarg, now, ch == 's' ? &o.since_us :
			    &o.until_us, &err) < 0) {
				fprintf(stderr, "dockward: --%s: %s\n", ch == 's' ? "since" :
				    "until", err.msg);
				return 2;
			}
			break;
		case 'j': json = true; break;
		case 't':
			errno = 0;
			top = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-' ||
			    top > 1000000) {
				fprintf(stderr, "dockward: --top wants a number of rows "
				    "(0: all)\n");
				return 2;
			}
			o.top = (size_t)top;
			top_set = true;
			break;
		case 'P': no_progress = true; break;
		case 'l': log = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* JSON is for programs: every row kept, unless --top says otherwise. */
	if (json && !top_set)
		o.top = 0;
	o.progress = !no_progress && isatty(STDERR_FILENO);
	if (log != NULL && optind < argc) {
		fprintf(stderr, "dockward: --log FILE or FILE..., not both\n");
		return 2;
	}
	if (optind == argc) {
		if (cli_report_files(log ? log : DW_PATH_AUDIT_LOG, &files, &err) < 0) {
			fprintf(stderr, "dockward: %s\n"
			    "serve writes the audit log to standard output (the journal) "
			    "unless it is given --audit-log FILE: pass that FILE with --log, "
			    "or read the journal with  journalctl -u dockward -o cat | "
			    "dockward report -\n", err.msg);
			goto out;
		}
	} else
		for (i = (size_t)optind; i < (size_t)argc; i++)
			if (dw_strv_push(&files, argv[i]) < 0) {
				fprintf(stderr, "dockward: out of memory\n");
				goto out;
			}
	if ((r = cli_report_new(&o)) == NULL) {
		fprintf(stderr, "dockward: out of memory\n");
		goto out;
	}
	ret = 0;
	for (i = 0; i < files.n; i++)
		if (cli_report_read(r, files.v[i], &err) < 0) {
			if (r->shown)
				fprintf(stderr, "\r\033[K");
			fprintf(stderr, "dockward: %s\n", err.msg);
			ret = 1;
		}
	if (r->shown)
		fprintf(stderr, "\r\033[K");
	if ((json ? cli_report_print_json(r, stdout) : cli_report_print_text(r, stdout)) < 0 ||
	    fflush(stdout) == EOF) {
		fprintf(stderr, "dockward: cannot write the report\n");
		ret = 1;
	}
out:
	cli_report_free(r);
	dw_strv_clear(&files);
	return ret;
}
