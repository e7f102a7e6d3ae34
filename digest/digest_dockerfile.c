/*
 * digest_dockerfile: the FROM lines of a Dockerfile and the images its
 * COPY --from and RUN --mount from= pull, read the way BuildKit's
 * dockerfile parser reads them (frontend/dockerfile/parser, instructions
 * and shell/lex.go): parser directives at the top, escape-character line
 * continuations (comment and empty lines inside them dropped), heredoc
 * bodies of RUN/COPY/ADD skipped, builder flags split off the way
 * extractBuilderFlags does, --mount values read as CSV, and word
 * expansion with the global ARGs.  Anything this file cannot decide the
 * way docker would is an error, never a guess.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/dw_esc.h"
#include "digest/digest_dockerfile.h"

#define DF_VARS_MAX	1024	/* global ARG names */
#define DF_HEREDOCS_MAX	16	/* heredocs on one instruction line */
#define DF_DEPTH_MAX	16	/* nested ${...:-${...}} */
#define DF_ESC_MAX	128	/* an escaped word in an error message */

/* A growable string with a hard maximum. */
struct sbuf {
	char	*p;
	size_t	 n, cap;
};

/* One global ARG: value NULL when it has none (declared without a default and no build arg). */
struct df_var {
	char	*name;
	char	*value;
};

/* The parse state. */
struct df {
	const char		*p, *end;	/* text not yet read */
	size_t			 lineno;	/* of the last line read */
	char			 escape;
	const char *const	*build_args;
	struct df_var		 vars[DF_VARS_MAX];
	size_t			 nvars;
	size_t			 vars_bytes;	/* of all ARG values */
	struct digest_from	*froms;	/* stages and images, in order */
	size_t			 nfroms, cap;
	size_t			 nstages;	/* DIGEST_FROM_STAGE entries in froms */
	size_t			 nsources;	/* the other entries */
	struct dw_err		*err;
};

/* Word expansion state (a subset of shell/lex.go's shellWord). */
struct xp {
	const char	*s, *end;
	const struct df	*df;
	int		 depth;
	const char	*unresolved;	/* first variable without a value, points into the word */
	size_t		 unresolved_len;
};

/* Append n bytes to b; -E2BIG past the line maximum. */
static int
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	char	*np;
	size_t	 ncap;

	if (n > DIGEST_DOCKERFILE_LINE_MAX - b->n)
		return -E2BIG;
	if (b->n + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 64;
		while (ncap < b->n + n + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL)
			return -ENOMEM;
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

/* Append one byte. */
static int
sbuf_addc(struct sbuf *b, char c)
{
	return sbuf_add(b, &c, 1);
}

/* Read the next physical line (without "\n" or "\r\n"); 0, 1 at the end, -E2BIG. */
static int
df_line(struct df *d, const char **ret, size_t *ret_n)
{
	const char	*nl;
	size_t		 n;

	if (d->p >= d->end)
		return 1;
	nl = memchr(d->p, '\n', (size_t)(d->end - d->p));
	n = nl != NULL ? (size_t)(nl - d->p) : (size_t)(d->end - d->p);
	d->lineno++;
	if (n > DIGEST_DOCKERFILE_LINE_MAX) {
		dw_err_set(d->err, "line %zu: longer than %d bytes", d->lineno,
		    DIGEST_DOCKERFILE_LINE_MAX);
		return -E2BIG;
	}
	*ret = d->p;
	d->p = nl != NULL ? nl + 1 : d->end;
	if (n > 0 && (*ret)[n - 1] == '\r')
		n--;
	*ret_n = n;
	return 0;
}

/* Skip leading spaces and tabs (BuildKit's trimLeadingWhitespace also drops \v\f\r). */
static void
ltrim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t' || **s == '\v' ||
	    **s == '\f' || **s == '\r')) {
		(*s)++;
		(*n)--;
	}
}

/* Drop a trailing escape character (plus spaces/tabs after it); true when one was there. */
static bool
trim_continuation(const struct df *d, const char *s, size_t *n)
{
	size_t	 k = *n;

	while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	if (k == 0 || s[k - 1] != d->escape)
		return false;
	*n = k - 1;
	return true;
}

/*
 * A parser directive line "#key=value" (spaces allowed around key, '='
 * and value): key and value spans, or false.
 */
static bool
directive(const char *s, size_t n, const char **k, size_t *kn,
    const char **v, size_t *vn)
{
	size_t	i = 1, ks;

	if (n == 0 || s[0] != '#')
		return false;
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i >= n || !isalpha((unsigned char)s[i]))
		return false;
	ks = i;
	while (i < n && isalnum((unsigned char)s[i]))
		i++;
	*k = s + ks;
	*kn = i - ks;
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i >= n || s[i] != '=')
		return false;
	i++;
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	while (n > i && isspace((unsigned char)s[n - 1]))
		n--;
	if (i >= n)
		return false;
	*v = s + i;
	*vn = n - i;
	return true;
}

/* The value of a global ARG: 0 with *ret (NULL = no value), or -ENOENT when undeclared. */
static int
df_lookup(const struct df *d, const char *name, size_t n, const char **ret)
{
	size_t	i;

	for (i = d->nvars; i-- > 0;)
		if (strlen(d->vars[i].name) == n && memcmp(d->vars[i].name, name, n) == 0) {
			*ret = d->vars[i].value;
			return 0;
		}
	return -ENOENT;
}

static int	xp_word(struct xp *x, char stop, struct sbuf *out);

/* True for a byte that may continue a variable name (Go's IsLetter/IsDigit, '_', UTF-8). */
static bool
name_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/* Read a variable name at x->s as shell/lex.go's processName does. */
static void
xp_name(struct xp *x, const char **ret, size_t *ret_n)
{
	const char	*s = x->s;

	if (x->s < x->end && isdigit((unsigned char)*x->s)) {
		while (x->s < x->end && isdigit((unsigned char)*x->s))
			x->s++;
	} else if (x->s < x->end && strchr("$*#@!?-", *x->s) != NULL && *x->s != '\0') {
		x->s++;
	} else {
		while (x->s < x->end && name_char((unsigned char)*x->s))
			x->s++;
	}
	*ret = s;
	*ret_n = (size_t)(x->s - s);
}

/* Note the first variable without a value. */
static void
xp_unresolved(struct xp *x, const char *name, size_t n)
{
	if (x->unresolved == NULL) {
		x->unresolved = name;
		x->unresolved_len = n;
	}
}

/*
 * Expand one "$..." (x->s just past the '$'): $NAME, ${NAME}, and
 * ${NAME:-w} ${NAME-w} ${NAME:+w} ${NAME+w} ${NAME:?w} ${NAME?w}.  The
 * pattern forms (#, %, /) are refused.  A plain use of a variable
 * without a value is remembered in x->unresolved.
 */
static int
xp_dollar(struct xp *x, struct sbuf *out)
{
	struct sbuf	 w = { 0 };
	const char	*name, *val = NULL, *un = x->unresolved;
	size_t		 n, un_len = x->unresolved_len;
	bool		 colon = false, set, nonempty;
	char		 op;
	int		 r;

	if (x->s >= x->end || *x->s != '{') {
		xp_name(x, &name, &n);
		if (n == 0)
			return sbuf_addc(out, '$');
		if (df_lookup(x->df, name, n, &val) != 0 || val == NULL) {
			xp_unresolved(x, name, n);
			return 0;
		}
		return sbuf_add(out, val, strlen(val));
	}
	x->s++;
	xp_name(x, &name, &n);
	if (n == 0 || x->s >= x->end)
		return -EINVAL;
	set = df_lookup(x->df, name, n, &val) == 0 && val != NULL;
	nonempty = set && *val != '\0';
	if (*x->s == '}') {
		x->s++;
		if (!set) {
			xp_unresolved(x, name, n);
			return 0;
		}
		return sbuf_add(out, val, strlen(val));
	}
	if (*x->s == ':') {
		colon = true;
		x->s++;
	}
	if (x->s >= x->end || strchr("-+?", *x->s) == NULL || *x->s == '\0')
		return -EINVAL;
	op = *x->s++;
	if (++x->depth > DF_DEPTH_MAX)
		return -EINVAL;
	r = xp_word(x, '}', &w);
	x->depth--;
	if (r != 0)
		goto out;
	x->s++;		/* the '}' */
	if (colon)
		set = nonempty;
	if (op == '-' ? set : op == '+' ? !set : true) {
		/* The word is not used: neither are its variables. */
		x->unresolved = un;
		x->unresolved_len = un_len;
	}
	switch (op) {
	case '-':
		r = set ? sbuf_add(out, val, strlen(val)) :
		    sbuf_add(out, w.p ? w.p : "", w.n);
		break;
	case '+':
		r = set ? sbuf_add(out, w.p ? w.p : "", w.n) : 0;
		break;
	default:	/* '?': docker fails the build when unset */
		if (!set) {
			xp_unresolved(x, name, n);
			r = 0;
		} else
			r = sbuf_add(out, val, strlen(val));
		break;
	}
out:
	free(w.p);
	return r;
}

/*
 * Expand a word into out up to stop ('\0': to the end): quotes removed,
 * escapes applied, variables substituted.  -EINVAL on an unterminated
 * quote or ${, or an unsupported substitution.
 */
static int
xp_word(struct xp *x, char stop, struct sbuf *out)
{
	char	esc = x->df->escape, c;
	int	r;

	while (x->s < x->end) {
		c = *x->s;
		if (stop != '\0' && c == stop)
			return 0;
		x->s++;
		if (c == '\'') {
			while (x->s < x->end && *x->s != '\'')
				if ((r = sbuf_addc(out, *x->s++)) != 0)
					return r;
			if (x->s >= x->end)
				return -EINVAL;
			x->s++;
		} else if (c == '"') {
			while (x->s < x->end && *x->s != '"') {
				c = *x->s++;
				if (c == '$') {
					if ((r = xp_dollar(x, out)) != 0)
						return r;
					continue;
				}
				if (c == esc && x->s < x->end &&
				    (*x->s == '"' || *x->s == '$' || *x->s == esc))
					c = *x->s++;
				if ((r = sbuf_addc(out, c)) != 0)
					return r;
			}
			if (x->s >= x->end)
				return -EINVAL;
			x->s++;
		} else if (c == '$') {
			if ((r = xp_dollar(x, out)) != 0)
				return r;
		} else if (c == esc) {
			if (x->s < x->end && (r = sbuf_addc(out, *x->s++)) != 0)
				return r;
		} else if ((r = sbuf_addc(out, c)) != 0)
			return r;
	}
	return stop != '\0' ? -EINVAL : 0;
}

/*
 * Expand word (n bytes) with the global ARGs into a new string.  0,
 * -EINVAL (bad syntax, or *unresolved set to the variable without a
 * value), -E2BIG, -ENOMEM.
 */
static int
df_expand(const struct df *d, const char *word, size_t n, char **ret,
    const char **unresolved, size_t *unresolved_len)
{
	struct xp	 x = { .s = word, .end = word + n, .df = d };
	struct sbuf	 out = { 0 };
	int		 r;

	*unresolved = NULL;
	if ((r = xp_word(&x, '\0', &out)) == 0 && x.unresolved != NULL) {
		*unresolved = x.unresolved;
		*unresolved_len = x.unresolved_len;
		r = -EINVAL;
	}
	if (r == 0 && out.p == NULL && (out.p = strdup("")) == NULL)
		r = -ENOMEM;
	if (r != 0) {
		free(out.p);
		return r;
	}
	*ret = out.p;
	return 0;
}

/*
 * Split s (n bytes) into whitespace-separated words; quotes (and the
 * escape character) keep whitespace inside a word when quoted is true.
 * Stores the first max words in w/wn and returns how many there are.
 */
static size_t
split_words(const struct df *d, const char *s, size_t n, bool quoted,
    const char **w, size_t *wn, size_t max)
{
	size_t	 i = 0, k = 0, st;
	char	 q;

	for (;;) {
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (i >= n)
			break;
		st = i;
		q = '\0';
		while (i < n && (q != '\0' || !isspace((unsigned char)s[i]))) {
			if (quoted && q == '\0' && s[i] == d->escape && i + 1 < n)
				i++;
			else if (quoted && q == '\0' && (s[i] == '\'' || s[i] == '"'))
				q = s[i];
			else if (q != '\0' && s[i] == q)
				q = '\0';
			i++;
		}
		if (k < max) {
			w[k] = s + st;
			wn[k] = i - st;
		}
		k++;
	}
	return k;
}

/* Case-insensitive compare of a span with a NUL-terminated lowercase word. */
static bool
span_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* A build arg's value for name (borrowed), or NULL. */
static const char *
df_build_arg(const struct df *d, const char *name)
{
	const char *const	*a;
	size_t			 n = strlen(name);

	for (a = d->build_args; a != NULL && *a != NULL; a++)
		if (strncmp(*a, name, n) == 0 && (*a)[n] == '=')
			return *a + n + 1;
	return NULL;
}

/* Escape a span for an error message into q. */
static const char *
qs(char *q, size_t qsz, const char *s, size_t n)
{
	dw_esc(q, qsz, s, n);
	return q;
}

/*
 * A global ARG (before the first FROM): each "NAME[=default]" word; the
 * default is expanded with the ARGs before it, then a build arg of the
 * same name replaces it.  A default that cannot be expanded leaves the
 * ARG without a value (an error only if FROM uses it).
 */
static int
df_arg(struct df *d, const char *args, size_t n, size_t line)
{
	const char	*w[64], *eq, *un;
	size_t		 wn[64], nw, i, un_len, kn;
	char		 q[DF_ESC_MAX], *name = NULL, *value = NULL;
	const char	*ba;
	int		 r;

	nw = split_words(d, args, n, true, w, wn, 64);
	if (nw == 0 || nw > 64) {
		dw_err_set(d->err, "line %zu: ARG needs between 1 and 64 names", line);
		return -EINVAL;
	}
	for (i = 0; i < nw; i++) {
		eq = memchr(w[i], '=', wn[i]);
		kn = eq != NULL ? (size_t)(eq - w[i]) : wn[i];
		if (kn == 0) {
			dw_err_set(d->err, "line %zu: ARG \"%s\" has no name", line,
			    qs(q, sizeof(q), w[i], wn[i]));
			return -EINVAL;
		}
		if (d->nvars >= DF_VARS_MAX) {
			dw_err_set(d->err, "line %zu: more than %d ARGs", line, DF_VARS_MAX);
			return -E2BIG;
		}
		if ((name = strndup(w[i], kn)) == NULL)
			return -ENOMEM;
		value = NULL;
		if ((ba = df_build_arg(d, name)) != NULL) {
			if ((value = strdup(ba)) == NULL)
				r = -ENOMEM;
			else
				r = 0;
		} else if (eq != NULL) {
			r = df_expand(d, eq + 1, wn[i] - kn - 1, &value, &un, &un_len);
			if (r == -EINVAL) {
				value = NULL;
				r = 0;
			}
		} else
			r = 0;
		if (r == 0 && value != NULL &&
		    (d->vars_bytes += strlen(value)) > DIGEST_DOCKERFILE_MAX)
			r = -E2BIG;
		if (r != 0) {
			if (r == -E2BIG)
				dw_err_set(d->err, "line %zu: ARG %s: values longer than "
				    "%d bytes", line, qs(q, sizeof(q), name, kn),
				    DIGEST_DOCKERFILE_MAX);
			free(value);
			free(name);
			return r;
		}
		d->vars[d->nvars].name = name;
		d->vars[d->nvars].value = value;
		d->nvars++;
	}
	return 0;
}

/* True when s is a valid stage name (lowercased): [a-z][a-z0-9-_.]*. */
static bool
stage_name_ok(const char *s)
{
	if (!islower((unsigned char)*s))
		return false;
	for (s++; *s != '\0'; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    strchr("-_.", *s) == NULL)
			return false;
	return true;
}

/* A new zeroed entry at the end of d->froms (grown geometrically: COPY lines can be many). */
static int
df_push(struct df *d, struct digest_from **ret)
{
	struct digest_from	*nf;
	size_t			 ncap;

	if (d->nfroms == d->cap) {
		ncap = d->cap ? d->cap * 2 : 8;
		if ((nf = reallocarray(d->froms, ncap, sizeof(*nf))) == NULL)
			return -ENOMEM;
		d->froms = nf;
		d->cap = ncap;
	}
	*ret = &d->froms[d->nfroms++];
	memset(*ret, 0, sizeof(**ret));
	return 0;
}

/*
 * The stage among the first `before` stages whose name is name
 * (case-insensitive, as docker lowercases stage names), or NULL.  Only
 * FROM entries are stages.
 */
static const struct digest_from *
df_stage(const struct df *d, const char *name, size_t before)
{
	const struct digest_from	*f, *hit = NULL;
	size_t				 i, k = 0;

	for (i = 0; i < d->nfroms && k < before; i++) {
		f = &d->froms[i];
		if (f->kind != DIGEST_FROM_STAGE)
			continue;
		if (f->stage_name != NULL && strcasecmp(f->stage_name, name) == 0)
			hit = f;
		k++;
	}
	return hit;
}

/* FROM [--platform=...] base [AS name]: one more stage. */
static int
df_from(struct df *d, const char *args, size_t n, size_t line)
{
	struct digest_from	*f;
	const char		*w[4], *un;
	size_t			 wn[4], nw, i, un_len, skip = 0;
	char			 q[DF_ESC_MAX], q2[DF_ESC_MAX];
	char			*image = NULL, *stage = NULL, *p;
	bool			 is_ref;
	int			 r;

	nw = split_words(d, args, n, false, w, wn, 4);
	for (i = 0; i < nw && i < 4 && wn[i] >= 2 && w[i][0] == '-' && w[i][1] == '-'; i++) {
		if (wn[i] == 2) {	/* "--" ends the flags */
			skip = i + 1;
			break;
		}
		if (wn[i] < 11 || strncasecmp(w[i], "--platform=", 11) != 0) {
			dw_err_set(d->err, "line %zu: FROM: unknown flag \"%s\"", line,
			    qs(q, sizeof(q), w[i], wn[i]));
			return -EINVAL;
		}
		skip = i + 1;
	}
	if (nw > 4 || (nw - skip != 1 && nw - skip != 3)) {
		dw_err_set(d->err, "line %zu: FROM requires either one or three arguments", line);
		return -EINVAL;
	}
	if (nw - skip == 3) {
		if (!span_is(w[skip + 1], wn[skip + 1], "as")) {
			dw_err_set(d->err, "line %zu: FROM requires either one or three arguments", line);
			return -EINVAL;
		}
		if ((stage = strndup(w[skip + 2], wn[skip + 2])) == NULL)
			return -ENOMEM;
		for (p = stage; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!stage_name_ok(stage)) {
			dw_err_set(d->err, "line %zu: invalid name for build stage: \"%s\"",
			    line, qs(q, sizeof(q), w[skip + 2], wn[skip + 2]));
			r = -EINVAL;
			goto out;
		}
	}
	if ((r = df_expand(d, w[skip], wn[skip], &image, &un, &un_len)) != 0) {
		if (r == -EINVAL && un != NULL)
			dw_err_set(d->err, "line %zu: FROM %s cannot be resolved "
			    "(ARG %s has no value)", line,
			    qs(q, sizeof(q), w[skip], wn[skip]),
			    qs(q2, sizeof(q2), un, un_len));
		else if (r == -EINVAL)
			dw_err_set(d->err, "line %zu: FROM %s: bad substitution", line,
			    qs(q, sizeof(q), w[skip], wn[skip]));
		else if (r == -E2BIG)
			dw_err_set(d->err, "line %zu: FROM: expanded base too long", line);
		goto out;
	}
	if (*image == '\0') {
		dw_err_set(d->err, "line %zu: FROM %s: base name is empty", line,
		    qs(q, sizeof(q), w[skip], wn[skip]));
		r = -EINVAL;
		goto out;
	}
	if (d->nstages >= DIGEST_DOCKERFILE_STAGES_MAX) {
		dw_err_set(d->err, "line %zu: more than %d stages", line,
		    DIGEST_DOCKERFILE_STAGES_MAX);
		r = -E2BIG;
		goto out;
	}
	/* Every stage so far is earlier than this one. */
	is_ref = df_stage(d, image, d->nstages) != NULL;
	if ((r = df_push(d, &f)) != 0)
		goto out;
	f->is_stage_ref = is_ref;
	f->is_scratch = !is_ref && strcmp(image, "scratch") == 0;
	f->image = image;
	f->stage_name = stage;
	f->kind = DIGEST_FROM_STAGE;
	f->line = line;
	d->nstages++;
	return 0;
out:
	free(image);
	free(stage);
	return r;
}

/*
 * A byte extractBuilderFlags takes for a space: it applies Go's
 * unicode.IsSpace to single bytes, so 0x85 and 0xa0 count too.
 */
static bool
flag_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xa0;
}

/*
 * The next builder flag at *s (up to end), as BuildKit's
 * extractBuilderFlags reads them: only leading words that start with
 * "--" are flags; quotes are removed and the escape character applied
 * (inside quotes too).  0 with the decoded word (with its "--") in out,
 * 1 when the flags end (another word, a "--" word, or the end),
 * -E2BIG.  An unterminated quote runs to the end, as there.
 */
static int
df_flag(const struct df *d, const char **s, const char *end, struct sbuf *out)
{
	const char	*p = *s;
	char		 q = '\0';
	int		 r;

	out->n = 0;
	while (p < end && flag_space((unsigned char)*p))
		p++;
	if (end - p < 2 || p[0] != '-' || p[1] != '-') {
		*s = p;
		return 1;
	}
	for (; p < end; p++) {
		if (q == '\0' && flag_space((unsigned char)*p))
			break;
		if (q == '\0' && (*p == '\'' || *p == '"')) {
			q = *p;
			continue;
		}
		if (q != '\0' && *p == q) {
			q = '\0';
			continue;
		}
		if (*p == d->escape) {
			if (p + 1 == end)	/* dropped at the end */
				continue;
			p++;
		}
		if ((r = sbuf_addc(out, *p)) != 0)
			return r;
	}
	*s = p;
	return out->n == 2 && memcmp(out->p, "--", 2) == 0 ? 1 : 0;
}

/* True when the flag word w (n bytes, with "--") is "--name" or "--name=...". */
static bool
flag_is(const char *w, size_t n, const char *name)
{
	size_t	k = strlen(name);

	return n >= k + 2 && memcmp(w + 2, name, k) == 0 && (n == k + 2 || w[k + 2] == '=');
}

/* True for what Go's strconv.Atoi reads as a number: [+-]?[0-9]+. */
static bool
is_index(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/*
 * The source a COPY --from (what "COPY --from") or a RUN --mount from=
 * names: v (vn bytes, flag quoting already removed), expanded like FROM's
 * base.  An earlier stage's name (case-insensitive), for COPY an earlier
 * stage's index, or "scratch" pulls nothing; anything else is an image
 * and gets an entry of kind.  Docker does not expand variables here (it
 * fails the build instead), so expanding them only adds checks; one
 * without a value fails closed, like FROM.
 */
static int
df_source(struct df *d, enum digest_from_kind kind, const char *what,
    const char *v, size_t vn, size_t line)
{
	struct digest_from	*f;
	const char		*un;
	char			 q[DF_ESC_MAX], q2[DF_ESC_MAX], *image = NULL, *end;
	size_t			 un_len;
	long long		 ix;
	int			 r;

	if (vn == 0)		/* docker reads an empty value as none given */
		return 0;
	if (memchr(v, '\0', vn) != NULL) {
		dw_err_set(d->err, "line %zu: %s value contains a NUL byte", line, what);
		return -EINVAL;
	}
	if ((r = df_expand(d, v, vn, &image, &un, &un_len)) != 0) {
		if (r == -EINVAL && un != NULL)
			dw_err_set(d->err, "line %zu: %s=%s cannot be resolved "
			    "(ARG %s has no value)", line, what,
			    qs(q, sizeof(q), v, vn), qs(q2, sizeof(q2), un, un_len));
		else if (r == -EINVAL)
			dw_err_set(d->err, "line %zu: %s=%s: bad substitution", line,
			    what, qs(q, sizeof(q), v, vn));
		else if (r == -E2BIG)
			dw_err_set(d->err, "line %zu: %s: expanded value too long", line,
			    what);
		goto out;
	}
	if (*image == '\0') {
		dw_err_set(d->err, "line %zu: %s=%s is empty", line, what,
		    qs(q, sizeof(q), v, vn));
		r = -EINVAL;
		goto out;
	}
	/* The current stage is not earlier: docker pulls (or fails on) its name. */
	if (df_stage(d, image, d->nstages - 1) != NULL || strcmp(image, "scratch") == 0) {
		r = 0;
		goto out;
	}
	/* Only COPY takes an index (BuildKit's RUN --mount pulls "0" as an image). */
	if (kind == DIGEST_FROM_COPY && is_index(image)) {
		errno = 0;
		ix = strtoll(image, &end, 10);
		if (errno == 0 && *end == '\0' && ix >= 0 && (size_t)ix < d->nstages - 1) {
			r = 0;
			goto out;
		}
		dw_err_set(d->err, "line %zu: %s=%s: no earlier stage has that index",
		    line, what, qs(q, sizeof(q), image, strlen(image)));
		r = -EINVAL;
		goto out;
	}
	if (d->nsources >= DIGEST_DOCKERFILE_SOURCES_MAX) {
		dw_err_set(d->err, "line %zu: more than %d COPY --from/RUN --mount images",
		    line, DIGEST_DOCKERFILE_SOURCES_MAX);
		r = -E2BIG;
		goto out;
	}
	if ((r = df_push(d, &f)) != 0)
		goto out;
	f->image = image;
	f->kind = kind;
	f->line = line;
	d->nsources++;
	return 0;
out:
	free(image);
	return r;
}

/*
 * COPY's flags: the image a --from names.  --from is a single-value flag
 * in BuildKit's bflag parser, so a second one fails the build there and
 * here.  Other flags pull nothing (unknown ones fail docker's build).
 */
static int
df_copy(struct df *d, const char *args, size_t n, size_t line)
{
	struct sbuf	 w = { 0 };
	const char	*p = args, *end = args + n;
	char		*from = NULL;
	size_t		 from_n = 0;
	bool		 seen = false;
	int		 r;

	while ((r = df_flag(d, &p, end, &w)) == 0) {
		if (!flag_is(w.p, w.n, "from"))
			continue;
		if (seen || w.n == 6) {
			dw_err_set(d->err, "line %zu: COPY: %s", line, seen ?
			    "duplicate flag --from" : "--from needs a value");
			r = -EINVAL;
			goto out;
		}
		seen = true;
		from_n = w.n - 7;
		if ((from = malloc(from_n + 1)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		memcpy(from, w.p + 7, from_n);
		from[from_n] = '\0';
	}
	if (r < 0) {
		if (r == -E2BIG)
			dw_err_set(d->err, "line %zu: instruction longer than %d bytes",
			    line, DIGEST_DOCKERFILE_LINE_MAX);
		goto out;
	}
	r = seen ? df_source(d, DIGEST_FROM_COPY, "COPY --from", from, from_n, line) : 0;
out:
	free(from);
	free(w.p);
	return r;
}

/*
 * The from= of one --mount value (v, n bytes) into from, as BuildKit's
 * runmount parser reads it: CSV fields (one starting with '"' is quoted,
 * "" in it is a quote, a bare quote elsewhere is an error), each
 * "key=value" with the key case-insensitive; the last from= wins.
 * *found false without one.  -EINVAL on bad CSV, -E2BIG.
 */
static int
mount_from(const char *v, size_t n, struct sbuf *from, bool *found)
{
	struct sbuf	 field = { 0 };
	const char	*c, *eq;
	size_t		 i = 0, j;
	bool		 last = false;
	int		 r = 0;

	*found = false;
	if (n == 0)
		return -EINVAL;
	while (!last) {
		field.n = 0;
		if (i < n && v[i] == '"') {
			for (i++;;) {
				if ((c = memchr(v + i, '"', n - i)) == NULL) {
					r = -EINVAL;
					goto out;
				}
				j = (size_t)(c - v);
				if ((r = sbuf_add(&field, v + i, j - i)) != 0)
					goto out;
				i = j + 1;
				if (i < n && v[i] == '"') {
					if ((r = sbuf_addc(&field, '"')) != 0)
						goto out;
					i++;
					continue;
				}
				if (i == n) {
					last = true;
					break;
				}
				if (v[i] != ',') {
					r = -EINVAL;
					goto out;
				}
				i++;
				break;
			}
		} else {
			c = memchr(v + i, ',', n - i);
			j = c != NULL ? (size_t)(c - v) : n;
			if (memchr(v + i, '"', j - i) != NULL) {
				r = -EINVAL;
				goto out;
			}
			if ((r = sbuf_add(&field, v + i, j - i)) != 0)
				goto out;
			last = c == NULL;
			i = j + 1;
		}
		if (field.n < 5 || (eq = memchr(field.p, '=', field.n)) == NULL ||
		    !span_is(field.p, (size_t)(eq - field.p), "from"))
			continue;
		from->n = 0;
		if ((r = sbuf_add(from, eq + 1, field.n - 5)) != 0)
			goto out;
		*found = true;
	}
out:
	free(field.p);
	return r;
}

/* RUN's flags: the image each --mount's from= names (BuildKit only; several mounts allowed). */
static int
df_run(struct df *d, const char *args, size_t n, size_t line)
{
	struct sbuf	 w = { 0 }, from = { 0 };
	const char	*p = args, *end = args + n;
	char		 q[DF_ESC_MAX];
	bool		 found;
	int		 r;

	while ((r = df_flag(d, &p, end, &w)) == 0) {
		if (!flag_is(w.p, w.n, "mount"))
			continue;
		if (w.n == 7) {
			dw_err_set(d->err, "line %zu: RUN: --mount needs a value", line);
			r = -EINVAL;
			goto out;
		}
		if ((r = mount_from(w.p + 8, w.n - 8, &from, &found)) != 0) {
			if (r == -EINVAL)
				dw_err_set(d->err, "line %zu: RUN: bad --mount value \"%s\"",
				    line, qs(q, sizeof(q), w.p + 8, w.n - 8));
			else if (r == -E2BIG)
				dw_err_set(d->err, "line %zu: instruction longer than %d bytes",
				    line, DIGEST_DOCKERFILE_LINE_MAX);
			goto out;
		}
		if (found && (r = df_source(d, DIGEST_FROM_MOUNT, "RUN --mount from",
		    from.p, from.n, line)) != 0)
			goto out;
	}
	if (r < 0) {
		if (r == -E2BIG)
			dw_err_set(d->err, "line %zu: instruction longer than %d bytes",
			    line, DIGEST_DOCKERFILE_LINE_MAX);
		goto out;
	}
	r = 0;
out:
	free(w.p);
	free(from.p);
	return r;
}

/*
 * The heredocs a RUN/COPY/ADD line opens ("<<EOF", "<<-EOF", "<<'EOF'",
 * "<<\"EOF\"", optionally after a file descriptor number), then skip
 * their bodies: each ends at a line equal to its name (leading tabs
 * dropped for "<<-").
 */
static int
df_heredocs(struct df *d, const char *args, size_t n, size_t line)
{
	const char	**w = NULL, *s, *body;
	size_t		*wn = NULL, nw, i, k, sn, bn, nh = 0;
	char		 names[DF_HEREDOCS_MAX][256];
	bool		 chomp[DF_HEREDOCS_MAX];
	int		 r;

	while (n > 0 && isspace((unsigned char)*args)) {
		args++;
		n--;
	}
	if (n > 0 && *args == '[')	/* exec (JSON) form: no heredocs */
		return 0;
	/* Every word counts: a missed heredoc would make its body instructions. */
	nw = split_words(d, args, n, true, NULL, NULL, 0);
	if ((w = calloc(nw + 1, sizeof(*w))) == NULL ||
	    (wn = calloc(nw + 1, sizeof(*wn))) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	nw = split_words(d, args, n, true, w, wn, nw);
	for (i = 0; i < nw; i++) {
		s = w[i];
		sn = wn[i];
		while (sn > 0 && isdigit((unsigned char)*s)) {
			s++;
			sn--;
		}
		if (sn < 3 || s[0] != '<' || s[1] != '<' || memchr(s + 2, '<', sn - 2) != NULL)
			continue;
		s += 2;
		sn -= 2;
		if (nh >= DF_HEREDOCS_MAX) {
			dw_err_set(d->err, "line %zu: more than %d heredocs", line, DF_HEREDOCS_MAX);
			r = -E2BIG;
			goto out;
		}
		chomp[nh] = *s == '-';
		if (chomp[nh]) {
			s++;
			sn--;
		}
		/* The name with quotes and escapes removed. */
		for (k = 0; sn > 0; s++, sn--) {
			if (*s == '\'' || *s == '"' || *s == d->escape)
				continue;
			if (k + 1 >= sizeof(names[nh])) {
				dw_err_set(d->err, "line %zu: heredoc name too long", line);
				r = -EINVAL;
				goto out;
			}
			names[nh][k++] = *s;
		}
		names[nh][k] = '\0';
		if (k > 0)
			nh++;
	}
	for (i = 0; i < nh; i++) {
		for (;;) {
			if ((r = df_line(d, &body, &bn)) < 0)
				goto out;
			if (r == 1) {
				dw_err_set(d->err, "line %zu: unterminated heredoc \"%s\"",
				    line, names[i]);
				r = -EINVAL;
				goto out;
			}
			if (chomp[i])
				while (bn > 0 && *body == '\t') {
					body++;
					bn--;
				}
			if (bn == strlen(names[i]) && memcmp(body, names[i], bn) == 0)
				break;
		}
	}
	r = 0;
out:
	free(w);
	free(wn);
	return r;
}

/* One instruction (a logical line, continuations joined). */
static int
df_instruction(struct df *d, const char *s, size_t n, size_t line)
{
	const char	*cmd = s;
	char		 q[DF_ESC_MAX];
	size_t		 cn;
	int		 r = 0;

	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	cmd = s;
	while (n > 0 && !isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	cn = (size_t)(s - cmd);
	if (cn == 0)
		return 0;
	if (span_is(cmd, cn, "from"))
		return df_from(d, s, n, line);
	if (span_is(cmd, cn, "arg"))
		return d->nstages == 0 ? df_arg(d, s, n, line) : 0;
	if (d->nstages == 0) {
		dw_err_set(d->err, "line %zu: %s before the first FROM", line,
		    qs(q, sizeof(q), cmd, cn));
		return -EINVAL;
	}
	/* The flags first: heredoc bodies start on the next line either way. */
	if (span_is(cmd, cn, "copy"))
		r = df_copy(d, s, n, line);
	else if (span_is(cmd, cn, "run"))
		r = df_run(d, s, n, line);
	else if (!span_is(cmd, cn, "add"))
		return 0;
	if (r != 0)
		return r;
	return df_heredocs(d, s, n, line);
}

/* A parser directive: escape changes the escape character, syntax is refused. */
static int
df_directive(struct df *d, const char *k, size_t kn, const char *v, size_t vn,
    bool *escape_seen)
{
	char	q[DF_ESC_MAX];

	if (span_is(k, kn, "syntax")) {
		dw_err_set(d->err, "line %zu: \"# syntax=%s\" selects a custom BuildKit "
		    "frontend; its FROM lines cannot be checked", d->lineno,
		    qs(q, sizeof(q), v, vn));
		return -EPROTO;
	}
	if (!span_is(k, kn, "escape"))
		return 0;
	if (*escape_seen) {
		dw_err_set(d->err, "line %zu: only one escape parser directive can be used",
		    d->lineno);
		return -EINVAL;
	}
	*escape_seen = true;
	if (vn != 1 || (*v != '\\' && *v != '`')) {
		dw_err_set(d->err, "line %zu: invalid escape token \"%s\": must be ` or \\",
		    d->lineno, qs(q, sizeof(q), v, vn));
		return -EINVAL;
	}
	d->escape = *v;
	return 0;
}

/* Read every instruction of the text. */
static int
df_parse(struct df *d)
{
	struct sbuf	 lb = { 0 };
	const char	*s, *k, *v;
	size_t		 n, kn, vn, start = 0;
	bool		 directives = true, escape_seen = false, cont;
	int		 r;

	if (d->end - d->p >= 3 && memcmp(d->p, "\xef\xbb\xbf", 3) == 0)
		d->p += 3;
	for (;;) {
		if ((r = df_line(d, &s, &n)) != 0)
			break;
		ltrim(&s, &n);
		if (directives) {
			if (directive(s, n, &k, &kn, &v, &vn)) {
				if ((r = df_directive(d, k, kn, v, vn, &escape_seen)) != 0)
					goto out;
				continue;
			}
			directives = false;
		}
		if (n == 0 || *s == '#')
			continue;
		start = d->lineno;
		lb.n = 0;
		cont = trim_continuation(d, s, &n);
		if ((r = sbuf_add(&lb, s, n)) != 0)
			goto toolong;
		while (cont) {
			if ((r = df_line(d, &s, &n)) < 0)
				goto out;
			if (r == 1)
				break;
			k = s;
			kn = n;
			ltrim(&k, &kn);
			if (kn == 0 || *k == '#')
				continue;
			cont = trim_continuation(d, s, &n);
			if ((r = sbuf_add(&lb, s, n)) != 0)
				goto toolong;
		}
		if ((r = df_instruction(d, lb.p != NULL ? lb.p : "", lb.n, start)) != 0)
			goto out;
	}
	if (r < 0)
		goto out;
	if (d->nstages == 0) {
		dw_err_set(d->err, "no FROM instruction");
		r = -EINVAL;
		goto out;
	}
	r = 0;
	goto out;
toolong:
	if (r == -E2BIG)
		dw_err_set(d->err, "line %zu: instruction longer than %d bytes", start,
		    DIGEST_DOCKERFILE_LINE_MAX);
out:
	free(lb.p);
	return r;
}

int
digest_dockerfile_froms(const char *text, size_t len,
    const char *const *build_args, struct digest_from **ret, size_t *ret_n,
    struct dw_err *err)
{
	struct df	*d;
	size_t		 i;
	int		 r;

	dw_err_clear(err);
	if (len > DIGEST_DOCKERFILE_MAX) {
		dw_err_set(err, "Dockerfile larger than %d bytes", DIGEST_DOCKERFILE_MAX);
		return -E2BIG;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -ENOMEM;
	d->p = text;
	d->end = text + len;
	d->escape = '\\';
	d->build_args = build_args;
	d->err = err;
	if (df_build_arg(d, "BUILDKIT_SYNTAX") != NULL) {
		dw_err_set(err, "build arg BUILDKIT_SYNTAX selects a custom BuildKit "
		    "frontend; its FROM lines cannot be checked");
		r = -EPROTO;
		goto out;
	}
	if ((r = df_parse(d)) != 0)
		goto out;
	*ret = d->froms;
	*ret_n = d->nfroms;
	d->froms = NULL;
	d->nfroms = 0;
out:
	digest_dockerfile_froms_free(d->froms, d->nfroms);
	for (i = 0; i < d->nvars; i++) {
		free(d->vars[i].name);
		free(d->vars[i].value);
	}
	free(d);
	return r;
}

void
digest_dockerfile_froms_free(struct digest_from *v, size_t n)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].image);
		free(v[i].stage_name);
	}
	free(v);
}
