/*
 * digest_ref: Docker image references, parsed and normalized like
 * distribution/reference ParseNormalizedNamed:
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path
 *   domain     := host [ ":" port ]
 *   host       := domain-name | "[" ipv6 "]"
 *   path       := component [ "/" component ]*
 *   component  := [a-z0-9]+ ( separator [a-z0-9]+ )*
 *   separator  := "." | "_" | "__" | "-"+
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest     := algorithm ":" hex      (only sha256, 64 lowercase hex)
 *
 * With DIGEST_REF_ALLOW_WILDCARD, '*' counts as an alphanumeric in path
 * components (a component "*", "ryuk-*", "*-tools") and the tag may be "*".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dw_esc.h"
#include "digest/digest_ref.h"

/* Grammar bounds from distribution/reference. */
#define REF_NAME_MAX		255	/* "domain/path" */
#define REF_TAG_MAX		128
/* Longer than any valid reference (name + 6 for "index." + tag + digest). */
#define REF_INPUT_MAX		512
#define REF_ESC_MAX		80	/* quoted input in messages */

#define REF_DOCKER_DOMAIN	"docker.io"
#define REF_LEGACY_DOMAIN	"index.docker.io"
#define REF_OFFICIAL_PREFIX	"library/"
#define REF_SHA256_HEX		64

/* [a-z0-9], plus '*' when wildcards are allowed. */
static bool
ref_is_alnum(char c, bool wild)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    (wild && c == '*');
}

/* [0-9a-f] */
static bool
ref_is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* [0-9a-fA-F] */
static bool
ref_is_hex(char c)
{
	return ref_is_lower_hex(c) || (c >= 'A' && c <= 'F');
}

/* [A-Za-z0-9] */
static bool
ref_is_alpha_num(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* One path component: alnum runs joined by ".", "_", "__" or "-"+. */
static bool
ref_component_valid(const char *s, size_t n, bool wild)
{
	size_t	i = 0, start;

	for (;;) {
		start = i;
		while (i < n && ref_is_alnum(s[i], wild))
			i++;
		if (i == start)
			return false;
		if (i == n)
			return true;
		if (s[i] == '.')
			i++;
		else if (s[i] == '_') {
			i++;
			if (i < n && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else
			return false;
	}
}

/* A domain-name component: [A-Za-z0-9] or [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]. */
static bool
ref_label_valid(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || !ref_is_alpha_num(s[0]) || !ref_is_alpha_num(s[n - 1]))
		return false;
	for (i = 1; i + 1 < n; i++)
		if (!ref_is_alpha_num(s[i]) && s[i] != '-')
			return false;
	return true;
}

/* host [":" port]; host is a dotted domain name / IPv4 address or "[ipv6]". */
static bool
ref_domain_valid(const char *s, size_t n)
{
	const char	*end = s + n, *p, *host_end, *dot;

	if (n == 0)
		return false;
	if (s[0] == '[') {
		if ((host_end = memchr(s, ']', n)) == NULL || host_end == s + 1)
			return false;
		for (p = s + 1; p < host_end; p++)
			if (!ref_is_hex(*p) && *p != ':')
				return false;
		host_end++;
	} else {
		if ((host_end = memchr(s, ':', n)) == NULL)
			host_end = end;
		for (p = s; p <= host_end; p = dot + 1) {
			if ((dot = memchr(p, '.', (size_t)(host_end - p))) == NULL)
				dot = host_end;
			if (!ref_label_valid(p, (size_t)(dot - p)))
				return false;
		}
	}
	if (host_end == end)
		return true;
	if (*host_end != ':' || host_end + 1 == end)
		return false;
	for (p = host_end + 1; p < end; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, or "*" for policy patterns. */
static bool
ref_tag_valid(const char *s, size_t n, bool wild)
{
	size_t	i;

	if (wild && n == 1 && s[0] == '*')
		return true;
	if (n == 0 || n > REF_TAG_MAX || (!ref_is_alpha_num(s[0]) && s[0] != '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!ref_is_alpha_num(s[i]) && s[i] != '_' && s[i] != '.' &&
		    s[i] != '-')
			return false;
	return true;
}

/*
 * "algorithm:hex": the algorithm grammar is checked so the message can tell
 * a malformed digest from an unsupported one; only sha256 is accepted.
 */
static int
ref_digest_check(const char *s, struct dw_err *err)
{
	const char	*colon, *p;
	char		 q[REF_ESC_MAX];
	bool		 comp_start = true;

	dw_esc(q, sizeof(q), s, strlen(s));
	if ((colon = strchr(s, ':')) == NULL || colon == s) {
		dw_err_set(err, "invalid digest \"%s\": expected algorithm:hex", q);
		return -EINVAL;
	}
	for (p = s; p < colon; p++) {
		if (comp_start) {
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
				goto bad;
			comp_start = false;
		} else if (*p == '+' || *p == '.' || *p == '_' || *p == '-')
			comp_start = true;
		else if (!ref_is_alpha_num(*p))
			goto bad;
	}
	if (comp_start)
		goto bad;
	if ((size_t)(colon - s) != 6 || strncmp(s, "sha256", 6) != 0) {
		dw_err_set(err, "unsupported digest algorithm in \"%s\": only sha256 is accepted", q);
		return -EINVAL;
	}
	if (!digest_ref_is_sha256(s)) {
		dw_err_set(err, "invalid digest \"%s\": sha256 needs exactly %d lowercase hex digits",
		    q, REF_SHA256_HEX);
		return -EINVAL;
	}
	return 0;
bad:
	dw_err_set(err, "invalid digest \"%s\": bad algorithm name", q);
	return -EINVAL;
}

/* True for a syntactically valid "sha256:<64 lowercase hex>" digest. */
bool
digest_ref_is_sha256(const char *s)
{
	size_t	i;

	if (s == NULL || strncmp(s, "sha256:", 7) != 0)
		return false;
	for (i = 0; i < REF_SHA256_HEX; i++)
		if (!ref_is_lower_hex(s[7 + i]))
			return false;
	return s[7 + REF_SHA256_HEX] == '\0';
}

/* An image ID ("<64 hex>") is not a repository name (distribution refuses it too). */
static bool
ref_is_identifier(const char *s, size_t n)
{
	size_t	i;

	if (n != REF_SHA256_HEX)
		return false;
	for (i = 0; i < n; i++)
		if (!ref_is_lower_hex(s[i]))
			return false;
	return true;
}

/* Check every '/'-separated component of path[0..n). */
static int
ref_path_check(const char *path, size_t n, bool wild, struct dw_err *err)
{
	const char	*p = path, *end = path + n, *slash;
	char		 q[REF_ESC_MAX];

	if (n == 0) {
		dw_err_set(err, "missing repository name");
		return -EINVAL;
	}
	for (;;) {
		if ((slash = memchr(p, '/', (size_t)(end - p))) == NULL)
			slash = end;
		if (!ref_component_valid(p, (size_t)(slash - p), wild)) {
			dw_esc(q, sizeof(q), p, (size_t)(slash - p));
			if (slash == p)
				dw_err_set(err, "empty repository name component");
			else
				dw_err_set(err, "invalid repository name component \"%s\": "
				    "use [a-z0-9] joined by '.', '_', '__' or '-'%s", q,
				    wild ? " (or '*')" : "");
			return -EINVAL;
		}
		if (slash == end)
			return 0;
		p = slash + 1;
	}
}

/* Parse and normalize s (see digest_ref.h). */
struct digest_ref *
digest_ref_parse(const char *s, int flags, struct dw_err *err)
{
	struct digest_ref	*ref = NULL, *ret = NULL;
	const bool		 wild = (flags & DIGEST_REF_ALLOW_WILDCARD) != 0;
	const char		*at, *slash, *rest, *colon, *p;
	const char		*dom = REF_DOCKER_DOMAIN;
	size_t			 len, nlen, dlen, restlen, plen;
	bool			 has_domain = false, library = false;
	char			 q[REF_ESC_MAX];
	int			 r = -EINVAL;

	if (s == NULL || s[0] == '\0') {
		dw_err_set(err, "empty reference");
		return NULL;
	}
	if ((len = strnlen(s, REF_INPUT_MAX + 1)) > REF_INPUT_MAX) {
		dw_err_set(err, "reference is longer than %d characters", REF_INPUT_MAX);
		return NULL;
	}
	if (ref_is_identifier(s, len)) {
		dw_err_set(err, "a 64-character hexadecimal string is an image ID, "
		    "not a repository name");
		return NULL;
	}
	if ((ref = calloc(1, sizeof(*ref))) == NULL) {
		r = -ENOMEM;
		goto out;
	}

	/* Digest: names and tags cannot contain '@'. */
	nlen = len;
	if ((at = strchr(s, '@')) != NULL) {
		nlen = (size_t)(at - s);
		if (ref_digest_check(at + 1, err) < 0)
			goto out;
		if ((ref->digest = strdup(at + 1)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (nlen == 0) {
		dw_err_set(err, "missing repository name");
		goto out;
	}

	/* Domain: a first component with '.' or ':', "localhost", or uppercase. */
	rest = s;
	dlen = strlen(dom);
	if ((slash = memchr(s, '/', nlen)) != NULL) {
		size_t	flen = (size_t)(slash - s);
		bool	upper = false;

		for (p = s; p < slash; p++)
			if (*p >= 'A' && *p <= 'Z')
				upper = true;
		if (memchr(s, '.', flen) != NULL || memchr(s, ':', flen) != NULL ||
		    (flen == 9 && strncmp(s, "localhost", 9) == 0) || upper) {
			has_domain = true;
			dom = s;
			dlen = flen;
			rest = slash + 1;
		}
	}
	restlen = (size_t)(s + nlen - rest);

	/* Tag: the path has no ':', so the first one starts the tag. */
	plen = restlen;
	if ((colon = memchr(rest, ':', restlen)) != NULL)
		plen = (size_t)(colon - rest);
	for (p = rest; p < rest + plen; p++)
		if (*p >= 'A' && *p <= 'Z') {
			dw_err_set(err, "repository name must be lowercase");
			goto out;
		}
	if (has_domain && !ref_domain_valid(dom, dlen)) {
		dw_esc(q, sizeof(q), dom, dlen);
		dw_err_set(err, "invalid registry host \"%s\"", q);
		goto out;
	}
	if (ref_path_check(rest, plen, wild, err) < 0)
		goto out;
	if (colon != NULL) {
		size_t	tlen = restlen - plen - 1;

		if (!ref_tag_valid(colon + 1, tlen, wild)) {
			dw_esc(q, sizeof(q), colon + 1, tlen);
			dw_err_set(err, "invalid tag \"%s\": use up to %d of [A-Za-z0-9_.-], "
			    "not starting with '.' or '-'%s", q, REF_TAG_MAX,
			    wild ? ", or \"*\" for any tag" : "");
			goto out;
		}
		if ((ref->tag = strndup(colon + 1, tlen)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
	}

	/* Normalize: legacy Hub name, official images under library/. */
	if (dlen == strlen(REF_LEGACY_DOMAIN) &&
	    strncmp(dom, REF_LEGACY_DOMAIN, dlen) == 0) {
		dom = REF_DOCKER_DOMAIN;
		dlen = strlen(dom);
	}
	if (dlen == strlen(REF_DOCKER_DOMAIN) &&
	    strncmp(dom, REF_DOCKER_DOMAIN, dlen) == 0 &&
	    memchr(rest, '/', plen) == NULL)
		library = true;
	if (dlen + 1 + (library ? strlen(REF_OFFICIAL_PREFIX) : 0) + plen >
	    REF_NAME_MAX) {
		dw_err_set(err, "repository name must not be more than %d characters",
		    REF_NAME_MAX);
		goto out;
	}
	if ((ref->domain = strndup(dom, dlen)) == NULL ||
	    asprintf(&ref->path, "%s%.*s", library ? REF_OFFICIAL_PREFIX : "",
	    (int)plen, rest) < 0) {
		ref->path = NULL;
		r = -ENOMEM;
		goto out;
	}
	ret = ref;
	ref = NULL;
out:
	if (r == -ENOMEM)
		dw_err_set(err, "out of memory");
	digest_ref_free(ref);
	return ret;
}

/* Free; NULL is a no-op. */
void
digest_ref_free(struct digest_ref *ref)
{
	if (ref == NULL)
		return;
	free(ref->domain);
	free(ref->path);
	free(ref->tag);
	free(ref->digest);
	free(ref);
}

/* "domain/path", newly allocated. */
char *
digest_ref_name(const struct digest_ref *ref)
{
	char	*s;

	if (asprintf(&s, "%s/%s", ref->domain, ref->path) < 0)
		return NULL;
	return s;
}

/* Canonical "domain/path[:tag][@digest]", with ":latest" when neither is given. */
char *
digest_ref_string(const struct digest_ref *ref)
{
	const char	*tag = ref->tag;
	char		*s;

	if (tag == NULL && ref->digest == NULL)
		tag = "latest";
	if (asprintf(&s, "%s/%s%s%s%s%s", ref->domain, ref->path,
	    tag ? ":" : "", tag ? tag : "",
	    ref->digest ? "@" : "", ref->digest ? ref->digest : "") < 0)
		return NULL;
	return s;
}

bool
digest_ref_name_matches(const char *pattern, const char *name)
{
	if (*pattern == '\0')
		return *name == '\0';
	if (*pattern == '*') {
		for (;;) {
			if (digest_ref_name_matches(pattern + 1, name))
				return true;
			if (*name == '\0' || *name == '/')
				return false;
			name++;
		}
	}
	return *pattern == *name && digest_ref_name_matches(pattern + 1, name + 1);
}
