/*
 * authz_uri: route an Engine API request target the way dockerd does.
 *
 * The steps follow what a request goes through before a dockerd handler
 * runs: Go's url.ParseRequestURI (origin- or absolute-form, no control
 * bytes), url.PathUnescape of the path, gorilla/mux's clean-path redirect,
 * then gorilla's first route, in registration order, whose method and
 * anchored path regexp match the decoded path.  The query is split the
 * way url.ParseQuery does, but anything Go would silently drop (a ';', a
 * bad escape) is refused so that policy never sees less than dockerd.
 *
 * The route patterns use only four gorilla variable forms, matched here by
 * a small backtracking matcher with Go regexp semantics (leftmost-first,
 * greedy, byte-wise; '.' never matches '\n'): {v:.*}, {v:.+}, {v} which is
 * [^/]+, and the version prefix's [0-9.]+.  The patterns are compiled once,
 * at the first request (pthread_once), into literal runs and variables;
 * after that the table is only read, so routing is thread-safe.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authz/authz_uri.h"

/* dockerd's versionMatcher, put in front of every route pattern: "/v{version:[0-9.]+}". */
#define VERSION_LEAD	"/v"
/* Literal runs and variables of one compiled route pattern. */
#define PATTERN_TOKS_MAX	(2 * DW_ROUTE_VARS_MAX + 1)
/* Distinct methods of the route table. */
#define METHODS_MAX	16
/* A path this long or shorter is decoded and cleaned on the stack, not in two allocations. */
#define AUTHZ_URI_PATH_SMALL	256

struct route {
	enum authz_uri_endpoint	 ep;
	const char		*method;
	const char		*pattern;
	const char		*name;
};

static const struct route routes[] = {
#define DW_ROUTE(id, method, pattern, name)	\
	{ AUTHZ_EP_##id, method, pattern, name },
#include "authz/authz_route_table.h"
#undef DW_ROUTE
};

#define NROUTES	(sizeof(routes) / sizeof(routes[0]))

enum var_kind {
	VAR_BAD = 0,
	VAR_DOT_STAR,		/* .*      */
	VAR_DOT_PLUS,		/* .+      */
	VAR_SEGMENT,		/* [^/]+   (gorilla's default) */
	VAR_VERSION		/* [0-9.]+ */
};

/* One piece of a compiled pattern: a literal run of the pattern, or a variable. */
struct pattern_tok {
	const char	*lit;		/* the literal's bytes (in the pattern); NULL: a variable */
	size_t		 len;		/* the literal's length */
	enum var_kind	 kind;		/* the variable's kind */
};

/*
 * A route pattern as the matcher walks it, built once from the table
 * (routes_compile): the pattern text is parsed once, not per request.
 */
struct compiled_route {
	bool			 ok;	/* false: the pattern can never match (see routes_compile) */
	int			 method; /* index in methods[] */
	struct pattern_tok	 tok[PATTERN_TOKS_MAX];
	size_t			 ntok;
};

static struct compiled_route	compiled[NROUTES];
/*
 * Each route's method index, or -1 when it can never match: what the
 * route scan reads for every route before the one that matches, side by
 * side (a compiled_route spans four cache lines; reading its method from
 * each cost a cache miss per route passed over).
 */
static signed char		route_mi[NROUTES];
/*
 * The byte after the leading '/' of every path the route matches (its
 * pattern's first literal, exact bytes), or 0 when its pattern starts
 * with a variable: a route whose byte differs from the path's cannot
 * match it and is passed over without match_toks().
 */
static char			route_c1[NROUTES];
static const char		*methods[METHODS_MAX];
static size_t			 nmethods;
static pthread_once_t		 compiled_once = PTHREAD_ONCE_INIT;

/* Where each variable of one successful match lies in the path. */
struct match {
	const char	*start[DW_ROUTE_VARS_MAX];
	size_t		 len[DW_ROUTE_VARS_MAX];
	size_t		 n;
};

/* The table entry of an endpoint, or NULL for unknown / out of range. */
static const struct route *
route_of(enum authz_uri_endpoint ep)
{
	if ((size_t)ep < 1 || (size_t)ep > NROUTES)
		return NULL;
	return &routes[(size_t)ep - 1];
}

/* Value of one hex digit, or -1. */
static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode %XX escapes in s[0..len) into out (len + 1 bytes at least), as
 * Go's url.unescape: any other '%' is an error; '+' becomes ' ' only when
 * plus_space (query components).  A decoded NUL is refused too: C strings
 * cannot carry it and dockerd would see a different value than policy.
 */
static int
pct_decode_into(const char *s, size_t len, bool plus_space, char *out,
    struct dw_err *err)
{
	size_t	 i, o;
	int	 hi, lo;

	for (i = 0, o = 0; i < len; i++) {
		if (s[i] == '%') {
			if (len - i < 3 ||
			    (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0) {
				dw_err_set(err, "invalid percent-escape \"%.3s\" in the request URI",
				    s + i);
				return -EINVAL;
			}
			if (hi == 0 && lo == 0) {
				dw_err_set(err, "request URI decodes to a NUL byte (%%00)");
				return -EINVAL;
			}
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (plus_space && s[i] == '+')
			out[o++] = ' ';
		else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return 0;
}

/* pct_decode_into a new string (*ret; free()). */
static int
pct_decode(const char *s, size_t len, bool plus_space, char **ret,
    struct dw_err *err)
{
	char	*out;
	int	 r;

	*ret = NULL;
	if ((out = malloc(len + 1)) == NULL) {
		dw_err_set(err, "out of memory decoding the request URI");
		return -ENOMEM;
	}
	if ((r = pct_decode_into(s, len, plus_space, out, err)) < 0) {
		free(out);
		return r;
	}
	*ret = out;
	return 0;
}

/* A copy of s[0..len), or NULL. */
static char *
xstrndup(const char *s, size_t len)
{
	char	*p;

	if ((p = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/*
 * gorilla/mux cleanPath: path.Clean of p (made rooted), with a trailing
 * slash put back.  Writes into out (at least strlen(p) + 2 bytes).  Used
 * to decide whether dockerd would redirect instead of routing.
 */
static void
clean_path(const char *p, char *out)
{
	size_t	n = strlen(p), r = 0, w = 1, dotdot = 1;
	bool	trailing = n > 0 && p[n - 1] == '/';

	out[0] = '/';
	while (r < n) {
		if (p[r] == '/')
			r++;
		else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/'))
			r++;
		else if (p[r] == '.' && p[r + 1] == '.' &&
		    (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			}
		} else {
			if (w != 1)
				out[w++] = '/';
			for (; r < n && p[r] != '/'; r++)
				out[w++] = p[r];
		}
	}
	if (trailing && w != 1)
		out[w++] = '/';
	out[w] = '\0';
}

/* The kind of a gorilla variable from the text between its braces. */
static enum var_kind
var_kind(const char *tok, size_t len)
{
	const char	*colon;
	size_t		 relen;

	colon = memchr(tok, ':', len);
	if (colon == NULL)
		return len > 0 ? VAR_SEGMENT : VAR_BAD;
	relen = len - (size_t)(colon + 1 - tok);
	if (relen == 2 && memcmp(colon + 1, ".*", 2) == 0)
		return VAR_DOT_STAR;
	if (relen == 2 && memcmp(colon + 1, ".+", 2) == 0)
		return VAR_DOT_PLUS;
	if (relen == 7 && memcmp(colon + 1, "[0-9.]+", 7) == 0)
		return VAR_VERSION;
	return VAR_BAD;
}

/* Whether a variable of this kind may contain byte c (Go regexp, byte-wise). */
static bool
var_accepts(enum var_kind kind, unsigned char c)
{
	switch (kind) {
	case VAR_DOT_STAR:
	case VAR_DOT_PLUS:
		return c != '\n';
	case VAR_SEGMENT:
		return c != '/';
	case VAR_VERSION:
		return (c >= '0' && c <= '9') || c == '.';
	default:
		return false;
	}
}

/* The longest run at the start of s that a variable of this kind accepts. */
static size_t
var_run(enum var_kind kind, const char *s)
{
	size_t	n;

	switch (kind) {
	case VAR_DOT_STAR:
	case VAR_DOT_PLUS:
		return strcspn(s, "\n");
	case VAR_SEGMENT:
		return strcspn(s, "/");
	default:
		for (n = 0; s[n] != '\0' && var_accepts(kind, (unsigned char)s[n]); n++)
			;
		return n;
	}
}

/*
 * Match the compiled pattern's tokens from tok on against the rest of
 * the path, anchored at both ends.  Variables are greedy and give back one
 * byte at a time, so the first success is the one Go's leftmost-first
 * regexp reports.  Lengths after which the next token cannot match (a
 * literal's first byte, or the path's end after the last variable) are
 * skipped: they would fail at once, so the result is the same.
 */
static bool
match_toks(const struct pattern_tok *tok, size_t ntok, const char *s, struct match *m)
{
	const struct pattern_tok	*next;
	size_t				 max, min, len;

	for (; ntok > 0 && tok->lit != NULL; tok++, ntok--) {
		/*
		 * Byte by byte, not strncmp: most routes differ from the path
		 * right after their leading '/', and a call cost more than
		 * that compare across the table (a literal holds no NUL, so
		 * the path's end is a mismatch too).
		 */
		for (len = 0; len < tok->len; len++)
			if (s[len] != tok->lit[len])
				return false;
		s += tok->len;
	}
	if (ntok == 0)
		return *s == '\0';
	max = var_run(tok->kind, s);
	min = tok->kind == VAR_DOT_STAR ? 0 : 1;
	next = ntok > 1 ? tok + 1 : NULL;
	if (next == NULL) {
		/* The last token: it takes the rest of the path or nothing matches. */
		if (s[max] != '\0' || max < min)
			return false;
		m->start[m->n] = s;
		m->len[m->n] = max;
		m->n++;
		return true;
	}
	for (len = max + 1; len-- > min;) {
		if (next->lit != NULL && s[len] != next->lit[0])
			continue;
		m->start[m->n] = s;
		m->len[m->n] = len;
		m->n++;
		if (match_toks(tok + 1, ntok - 1, s + len, m))
			return true;
		m->n--;
	}
	return false;
}

/*
 * Compile route i's pattern.  One that dockerd's router would accept but
 * this matcher cannot (another variable form, more than DW_ROUTE_VARS_MAX
 * variables, an unclosed brace) never matches, as the matcher before
 * compilation failed on it at its first request too; one not starting with
 * '/' is refused as well, because route() relies on it for the version
 * prefix (test_authz_uri checks that every route compiles).
 */
static void
route_compile(size_t i)
{
	struct compiled_route	*cr = &compiled[i];
	const char		*p = routes[i].pattern, *close;
	size_t			 j, nvars = 0;

	for (j = 0; j < nmethods && strcmp(methods[j], routes[i].method) != 0; j++)
		;
	if (j == nmethods) {
		if (nmethods == METHODS_MAX)
			return;
		methods[nmethods++] = routes[i].method;
	}
	cr->method = (int)j;
	if (p[0] != '/')
		return;
	while (*p != '\0') {
		if (cr->ntok == PATTERN_TOKS_MAX)
			return;
		if (*p != '{') {
			cr->tok[cr->ntok].lit = p;
			cr->tok[cr->ntok].len = strcspn(p, "{");
			p += cr->tok[cr->ntok++].len;
			continue;
		}
		if ((close = strchr(p, '}')) == NULL || ++nvars > DW_ROUTE_VARS_MAX)
			return;
		cr->tok[cr->ntok].kind = var_kind(p + 1, (size_t)(close - p - 1));
		if (cr->tok[cr->ntok++].kind == VAR_BAD)
			return;
		p = close + 1;
	}
	cr->ok = true;
}

/* Compile the whole table, once (pthread_once): it never changes after. */
static void
routes_compile(void)
{
	size_t	i;

	_Static_assert(METHODS_MAX <= 127, "method indices fit route_mi");
	for (i = 0; i < NROUTES; i++) {
		route_compile(i);
		route_mi[i] = compiled[i].ok ? (signed char)compiled[i].method : -1;
		route_c1[i] = compiled[i].ok && compiled[i].ntok > 0 &&
		    compiled[i].tok[0].lit != NULL && compiled[i].tok[0].len >= 2 ?
		    compiled[i].tok[0].lit[1] : 0;
	}
}

/* Whether path s may match a route whose route_c1 is c1 (0: any). */
static inline bool
may_start(const char *s, char c1)
{
	return c1 == 0 || (s[0] != '\0' && s[1] == c1);
}

/* The index of method in methods[], or -1: then no route has it. */
static int
method_index(const char *method)
{
	size_t	i;

	for (i = 0; i < nmethods; i++)
		if (strcmp(methods[i], method) == 0)
			return (int)i;
	return -1;
}

/*
 * What follows the version prefix of path ("/v1.41/x" gives "/x" and
 * *ret_vlen 4), or NULL when path has none that a route could follow.
 * Every pattern starts with '/', which [0-9.]+ never takes: so the
 * greedy version run is the only one after which a pattern can match,
 * and it can be found once for all routes instead of once per route.
 */
static const char *
version_rest(const char *path, size_t *ret_vlen)
{
	size_t	n;

	if (strncmp(path, VERSION_LEAD, 2) != 0)
		return NULL;
	n = var_run(VAR_VERSION, path + 2);
	if (n == 0 || path[2 + n] != '/')
		return NULL;
	*ret_vlen = n;
	return path + 2 + n;
}

/*
 * Split a raw request target into its path and raw query the way Go's
 * url.ParseRequestURI does: origin-form "/p?q" or absolute-form
 * "scheme://authority/p?q" (also "scheme:/p").  The path may come back
 * empty ("http://host"), which gorilla redirects.
 */
static int
split_target(const char *raw, const char **path, size_t *pathlen,
    const char **query, struct dw_err *err)
{
	const char	*p, *q, *end, *a;
	size_t		 i;

	q = strchr(raw, '?');
	end = q != NULL ? q : raw + strlen(raw);
	*query = q != NULL ? q + 1 : NULL;
	if (raw[0] == '/') {
		*path = raw;
		*pathlen = (size_t)(end - raw);
		return 0;
	}
	/* Go's getScheme: a letter, then letters, digits, '+', '-', '.', then ':'. */
	for (i = 0; raw + i < end; i++) {
		unsigned char c = (unsigned char)raw[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' ||
		    c == '.'))
			continue;
		break;
	}
	if (i == 0 || raw + i == end || raw[i] != ':') {
		dw_err_set(err, "request URI \"%.200s\" is neither an absolute path nor an "
		    "absolute URL", raw);
		return -EINVAL;
	}
	p = raw + i + 1;
	if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
		/* The authority does not take part in routing; check its bytes. */
		for (a = p + 2; a < end && *a != '/'; a++) {
			unsigned char c = (unsigned char)*a;

			if (c >= 0x80 || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    strchr("-._~!$&'()*+,;=:@[]<>\"", c) != NULL)
				continue;
			if (c == '%' && end - a >= 3 &&
			    hexval((unsigned char)a[1]) >= 0 &&
			    hexval((unsigned char)a[2]) >= 0) {
				a += 2;
				continue;
			}
			dw_err_set(err, "invalid character '%c' in the host of request URI "
			    "\"%.200s\"", c, raw);
			return -EINVAL;
		}
		p = a;
	} else if (p == end || *p != '/') {
		dw_err_set(err, "request URI \"%.200s\" has no absolute path", raw);
		return -EINVAL;
	}
	*path = p;
	*pathlen = (size_t)(end - p);
	return 0;
}

/*
 * Parse a raw query as url.ParseQuery does ('&' separated, key and value
 * split at the first '=', '+' is a space, empty pieces skipped), but fail
 * on what Go would drop: ';' (Go >= 1.17) and invalid escapes.
 */
static int
parse_query(const char *query, struct authz_uri *uri, struct dw_err *err)
{
	const char	*p, *amp, *eq, *end;
	size_t		 n;
	int		 r;

	if (query == NULL || *query == '\0')
		return 0;
	if (strchr(query, ';') != NULL) {
		dw_err_set(err, "';' in the query of the request URI (Go drops the "
		    "parameter; refused)");
		return -EINVAL;
	}
	for (n = 0, p = query; *p != '\0'; p = *amp ? amp + 1 : amp) {
		amp = strchrnul(p, '&');
		if (amp != p)
			n++;
	}
	if (n > DW_QUERY_PARAMS_MAX) {
		dw_err_set(err, "request URI has %zu query parameters, more than %d",
		    n, DW_QUERY_PARAMS_MAX);
		return -E2BIG;
	}
	if (n == 0)
		return 0;
	if ((uri->params = calloc(n, sizeof(*uri->params))) == NULL) {
		dw_err_set(err, "out of memory parsing the query");
		return -ENOMEM;
	}
	for (p = query; *p != '\0'; p = *amp ? amp + 1 : amp) {
		struct authz_uri_param *qp;

		amp = strchrnul(p, '&');
		if (amp == p)
			continue;
		qp = &uri->params[uri->nparams];
		eq = memchr(p, '=', (size_t)(amp - p));
		end = eq != NULL ? eq : amp;
		if ((r = pct_decode(p, (size_t)(end - p), true, &qp->key, err)) < 0)
			return r;
		if (eq != NULL)
			r = pct_decode(eq + 1, (size_t)(amp - eq - 1), true, &qp->value, err);
		else
			r = pct_decode("", 0, true, &qp->value, err);
		uri->nparams++;	/* qp->key is set: free it with the rest */
		if (r < 0)
			return r;
	}
	return 0;
}

/* Whether the raw target has a byte Go or HTTP/1.1 would not let through. */
static int
check_bytes(const char *raw, struct dw_err *err)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)raw; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			dw_err_set(err, "control byte 0x%02x in the request URI", *p);
			return -EINVAL;
		}
		if (*p == ' ') {
			dw_err_set(err, "space in the request URI");
			return -EINVAL;
		}
		if (*p == '#') {
			dw_err_set(err, "'#' in the request URI");
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Find the first route, in table order and versioned form first, that
 * matches method and the decoded path; fill uri's endpoint, version, path
 * and vars.
 */
static int
route(const char *method, const char *decoded, struct authz_uri *uri,
    struct dw_err *err)
{
	const struct route	*rt = NULL;
	const char		*rest;
	struct match		 m;
	size_t			 i, vlen = 0;
	bool			 versioned = false;
	int			 mi, r = -ENOMEM;

	pthread_once(&compiled_once, routes_compile);
	if ((mi = method_index(method)) < 0)
		return -ENOENT;
	rest = version_rest(decoded, &vlen);
	for (i = 0; i < NROUTES && rt == NULL; i++) {
		if (route_mi[i] != mi)
			continue;
		m.n = 0;
		if (rest != NULL && may_start(rest, route_c1[i]) &&
		    match_toks(compiled[i].tok, compiled[i].ntok, rest, &m)) {
			rt = &routes[i];
			versioned = true;
			break;
		}
		m.n = 0;
		if (may_start(decoded, route_c1[i]) &&
		    match_toks(compiled[i].tok, compiled[i].ntok, decoded, &m))
			rt = &routes[i];
	}
	if (rt == NULL)
		return -ENOENT;
	uri->endpoint = rt->ep;
	if (versioned) {
		if ((uri->version = xstrndup(decoded + 2, vlen)) == NULL)
			goto out;
		/* What follows "/v" VERSION is the unversioned path. */
		uri->path = strdup(rest);
	} else
		uri->path = strdup(decoded);
	if (uri->path == NULL)
		goto out;
	for (i = 0; i < m.n; i++) {
		if ((uri->vars[uri->nvars] = xstrndup(m.start[i], m.len[i])) == NULL)
			goto out;
		uri->nvars++;
	}
	r = 0;
out:
	if (r < 0)
		dw_err_set(err, "out of memory routing the request URI");
	return r;
}

int
authz_uri_parse(const char *method, const char *raw_uri,
    struct authz_uri **ret_uri, struct dw_err *err)
{
	struct authz_uri	*uri = NULL;
	const char	*rawpath, *query;
	/* The decoded path and its cleaned form: here when they fit, as most do. */
	char		 small[2 * AUTHZ_URI_PATH_SMALL], *both = NULL, *decoded, *clean;
	size_t		 rawlen, pathlen;
	int		 r;

	if (ret_uri != NULL)
		*ret_uri = NULL;
	if (method == NULL || raw_uri == NULL || ret_uri == NULL) {
		dw_err_set(err, "no request method or URI");
		return -EINVAL;
	}
	if ((rawlen = strnlen(raw_uri, DW_URI_MAX + 1)) > DW_URI_MAX) {
		dw_err_set(err, "request URI longer than %d bytes", DW_URI_MAX);
		return -E2BIG;
	}
	if (rawlen == 0) {
		dw_err_set(err, "empty request URI");
		return -EINVAL;
	}
	if ((r = check_bytes(raw_uri, err)) < 0)
		return r;
	if ((r = split_target(raw_uri, &rawpath, &pathlen, &query, err)) < 0)
		return r;
	/*
	 * malloc and zero fields, not calloc (nor malloc and memset, which
	 * the compiler turns into calloc): glibc's calloc skips the thread
	 * cache, and cost this function a seventh of its time.
	 */
	if ((uri = malloc(sizeof(*uri))) == NULL) {
		dw_err_set(err, "out of memory parsing the request URI");
		r = -ENOMEM;
		goto out;
	}
	*uri = (struct authz_uri){ .path = NULL };
	if (pathlen + 2 <= AUTHZ_URI_PATH_SMALL)
		decoded = small;
	else if ((decoded = both = malloc(2 * (pathlen + 2))) == NULL) {
		dw_err_set(err, "out of memory parsing the request URI");
		r = -ENOMEM;
		goto out;
	}
	clean = decoded + (both != NULL ? pathlen + 2 : AUTHZ_URI_PATH_SMALL);
	if ((r = pct_decode_into(rawpath, pathlen, false, decoded, err)) < 0)
		goto out;
	if ((r = parse_query(query, uri, err)) < 0)
		goto out;
	clean_path(decoded, clean);
	if (strcmp(clean, decoded) != 0) {
		dw_err_set(err, "request path \"%.*s\" is not clean: dockerd redirects it "
		    "instead of running it", (int)(pathlen > 300 ? 300 : pathlen), rawpath);
		r = -EPERM;
		goto out;
	}
	if ((r = route(method, decoded, uri, err)) < 0) {
		if (r == -ENOENT)
			dw_err_set(err, "no Engine API route for %.32s %.*s", method,
			    (int)(pathlen > 300 ? 300 : pathlen), rawpath);
		goto out;
	}
	*ret_uri = uri;
	uri = NULL;
	r = 0;
out:
	authz_uri_free(uri);
	free(both);
	return r;
}

void
authz_uri_free(struct authz_uri *uri)
{
	size_t	i;

	if (uri == NULL)
		return;
	free(uri->path);
	free(uri->version);
	for (i = 0; i < uri->nvars; i++)
		free(uri->vars[i]);
	for (i = 0; i < uri->nparams; i++) {
		free(uri->params[i].key);
		free(uri->params[i].value);
	}
	free(uri->params);
	free(uri);
}

int
authz_uri_query_get(const struct authz_uri *uri, const char *key,
    const char **ret_value)
{
	const char	*first = NULL;
	size_t		 i, seen = 0;

	if (ret_value != NULL)
		*ret_value = NULL;
	if (uri == NULL || key == NULL)
		return -ENOENT;
	for (i = 0; i < uri->nparams; i++) {
		if (strcmp(uri->params[i].key, key) != 0)
			continue;
		if (seen++ == 0)
			first = uri->params[i].value;
	}
	if (ret_value != NULL)
		*ret_value = first;
	if (seen == 0)
		return -ENOENT;
	return seen > 1 ? -EEXIST : 0;
}

/* Length of the Unicode space (Go unicode.IsSpace) that s starts with, or 0. */
static size_t
space_prefix(const unsigned char *s, size_t len)
{
	if (len >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (len >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (len < 3)
		return 0;
	if ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) ||		/* U+1680 */
	    (s[0] == 0xe2 && s[1] == 0x80 &&
	    ((s[2] >= 0x80 && s[2] <= 0x8a) ||			/* U+2000-200A */
	    s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf)) ||	/* U+2028 2029 202F */
	    (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) ||	/* U+205F */
	    (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80))	/* U+3000 */
		return 3;
	return 0;
}

/* Length of the Unicode space that s[0..len) ends with, or 0. */
static size_t
space_suffix(const unsigned char *s, size_t len)
{
	size_t	k;

	for (k = 1; k <= 3 && k <= len; k++)
		if (space_prefix(s + len - k, k) == k)
			return k;
	return 0;
}

bool
authz_uri_query_bool(const struct authz_uri *uri, const char *key)
{
	static const char *const falsy[] = { "", "0", "no", "false", "none" };
	const unsigned char	*s;
	const char		*v;
	size_t			 len, k, i;

	(void)authz_uri_query_get(uri, key, &v);
	if (v == NULL)
		return false;
	s = (const unsigned char *)v;
	len = strlen(v);
	while ((k = space_prefix(s, len)) > 0) {
		s += k;
		len -= k;
	}
	while ((k = space_suffix(s, len)) > 0)
		len -= k;
	for (i = 0; i < sizeof(falsy) / sizeof(falsy[0]); i++)
		if (strlen(falsy[i]) == len &&
		    strncasecmp((const char *)s, falsy[i], len) == 0)
			return false;
	return true;
}

const char *
authz_uri_endpoint_name(enum authz_uri_endpoint ep)
{
	const struct route	*rt = route_of(ep);

	return rt != NULL ? rt->name : "unknown";
}

const char *
authz_uri_endpoint_method(enum authz_uri_endpoint ep)
{
	const struct route	*rt = route_of(ep);

	return rt != NULL ? rt->method : NULL;
}

const char *
authz_uri_endpoint_pattern(enum authz_uri_endpoint ep)
{
	const struct route	*rt = route_of(ep);

	return rt != NULL ? rt->pattern : NULL;
}

const char *
authz_uri_version(const struct authz_uri *uri)
{
	if (uri == NULL || uri->version == NULL)
		return AUTHZ_URI_DEFAULT_VERSION;
	return uri->version;
}

/*
 * Go's strconv.Atoi as versions.compare uses it (error ignored): optional
 * sign and decimal digits; anything else is 0; out of range clamps.
 */
static long long
go_atoi(const char *s, size_t len)
{
	unsigned long long	 v = 0, lim;
	bool			 neg = false;
	size_t			 i = 0;

	if (len > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return 0;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		if (v > (lim - (unsigned long long)(s[i] - '0')) / 10)
			v = lim;	/* keep scanning: a later non-digit still means 0 */
		else
			v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	if (neg)
		return v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
	return (long long)v;
}

int
authz_uri_version_compare(const char *a, const char *b)
{
	const char	*pa, *pb, *ea, *eb;
	long long	 va, vb;

	if (a == NULL)
		a = "";
	if (b == NULL)
		b = "";
	if (strcmp(a, b) == 0)
		return 0;
	pa = a;
	pb = b;
	/* strings.Split keeps empty pieces; a NULL cursor means "no more pieces". */
	while (pa != NULL || pb != NULL) {
		va = vb = 0;
		if (pa != NULL) {
			ea = strchrnul(pa, '.');
			va = go_atoi(pa, (size_t)(ea - pa));
			pa = *ea != '\0' ? ea + 1 : NULL;
		}
		if (pb != NULL) {
			eb = strchrnul(pb, '.');
			vb = go_atoi(pb, (size_t)(eb - pb));
			pb = *eb != '\0' ? eb + 1 : NULL;
		}
		if (va > vb)
			return 1;
		if (va < vb)
			return -1;
	}
	return 0;
}
