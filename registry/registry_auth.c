/*
 * registry_auth: WWW-Authenticate challenges, token answers, the token
 * cache and docker config.json credentials.  No network here.
 */
#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "common/dw_limits.h"
#include "registry/registry_auth.h"

#define TOKEN_LIFETIME_MIN	60		/* seconds, as docker/distribution */
#define TOKEN_LIFETIME_MAX	86400
#define TOKEN_EARLY_S		10		/* drop a token this long before it expires */
#define HUB_DOMAIN		"docker.io"
#define HUB_CONFIG_KEY		"https://index.docker.io/v1/"

/* RFC 7230 tchar. */
static bool
auth_is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Skip optional whitespace (SP / HTAB). */
static const char *
auth_skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Free the strings of a challenge and reset it. */
void
registry_auth_challenge_clear(struct registry_auth_challenge *ch)
{
	if (ch == NULL)
		return;
	free(ch->realm);
	free(ch->service);
	free(ch->scope);
	memset(ch, 0, sizeof(*ch));
}

/*
 * Read a param value at p (token or quoted-string with backslash escapes)
 * into a new string in *ret; *endp is set past it.  0, -EINVAL, -ENOMEM.
 */
static int
auth_read_value(const char *p, const char **endp, char **ret)
{
	const char	*s;
	char		*v, *o;
	size_t		 n;

	if (*p != '"') {
		for (s = p; auth_is_tchar((unsigned char)*s); s++)
			;
		if (s == p)
			return -EINVAL;
		if ((v = strndup(p, (size_t)(s - p))) == NULL)
			return -ENOMEM;
		*endp = s;
		*ret = v;
		return 0;
	}
	p++;
	n = strlen(p);
	if ((v = malloc(n + 1)) == NULL)
		return -ENOMEM;
	for (o = v; *p != '"'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\\') {
			p++;
			c = (unsigned char)*p;
		}
		/* Unterminated, or a control character (qdtext / quoted-pair). */
		if (c == '\0' || (c < 0x20 && c != '\t') || c == 0x7f) {
			free(v);
			return -EINVAL;
		}
		*o++ = (char)c;
	}
	*o = '\0';
	*endp = p + 1;
	*ret = v;
	return 0;
}

/* Keep value as *dst when no earlier one was kept; takes value. */
static void
auth_keep(char **dst, char *value)
{
	if (*dst == NULL)
		*dst = value;
	else
		free(value);
}

/*
 * challenges = 1#( scheme [ 1*SP ( token68 / #auth-param ) ] ); pick the
 * first Bearer, else the first Basic.
 */
int
registry_auth_challenge_parse(const char *hdr, struct registry_auth_challenge *ret,
    struct dw_err *err)
{
	struct registry_auth_challenge	 bearer = { 0 }, basic = { 0 }, *cur = NULL;
	const char			*p = hdr, *q, *r, *end;
	char				*name = NULL, *value = NULL;
	bool				 in_challenge = false, fresh = false, sep = false;
	size_t				 len, tlen, nch = 0;
	int				 rv;

	if (hdr == NULL) {
		dw_err_set(err, "no WWW-Authenticate challenge");
		return -ENOENT;
	}
	if (strlen(hdr) > DW_HTTP_HEADER_MAX) {
		dw_err_set(err, "WWW-Authenticate header longer than %d bytes", DW_HTTP_HEADER_MAX);
		return -E2BIG;
	}
	for (;;) {
		p = auth_skip_ows(p);
		if (*p == '\0')
			break;
		if (*p == ',') {
			p++;
			sep = true;
			continue;
		}
		/* A token (scheme or param name) or token68 (which may add '/'). */
		for (tlen = 0; auth_is_tchar((unsigned char)p[tlen]); tlen++)
			;
		for (len = tlen; auth_is_tchar((unsigned char)p[len]) || p[len] == '/'; len++)
			;
		if (len == 0)
			goto bad;
		q = auth_skip_ows(p + len);
		if (*q == '=' && in_challenge) {
			r = auth_skip_ows(q + 1);
			if (fresh && (*r == '=' || *r == ',' || *r == '\0')) {
				/* token68 ending in '=' padding ("Basic abc=="). */
				while (*r == '=')
					r++;
				p = r;
				fresh = sep = false;
				continue;
			}
			if (tlen != len || (!fresh && !sep))
				goto bad;
			if ((name = strndup(p, tlen)) == NULL) {
				rv = -ENOMEM;
				goto out;
			}
			if ((rv = auth_read_value(r, &end, &value)) != 0) {
				if (rv == -EINVAL)
					goto bad;
				goto out;
			}
			if (cur != NULL && strcasecmp(name, "realm") == 0)
				auth_keep(&cur->realm, value);
			else if (cur != NULL && strcasecmp(name, "service") == 0)
				auth_keep(&cur->service, value);
			else if (cur != NULL && strcasecmp(name, "scope") == 0)
				auth_keep(&cur->scope, value);
			else
				free(value);
			value = NULL;
			free(name);
			name = NULL;
			p = end;
			fresh = sep = false;
			continue;
		}
		if (in_challenge && fresh && !sep) {
			/* token68 without padding. */
			p += len;
			fresh = false;
			continue;
		}
		if ((in_challenge && !sep) || tlen != len)
			goto bad;
		/* A new challenge. */
		if (++nch > DW_AUTH_CHALLENGES_MAX) {
			dw_err_set(err, "more than %d WWW-Authenticate challenges",
			    DW_AUTH_CHALLENGES_MAX);
			rv = -E2BIG;
			goto out;
		}
		cur = NULL;
		if (tlen == 6 && strncasecmp(p, "Bearer", 6) == 0 &&
		    bearer.scheme == REGISTRY_AUTH_NONE) {
			bearer.scheme = REGISTRY_AUTH_BEARER;
			cur = &bearer;
		} else if (tlen == 5 && strncasecmp(p, "Basic", 5) == 0 &&
		    basic.scheme == REGISTRY_AUTH_NONE) {
			basic.scheme = REGISTRY_AUTH_BASIC;
			cur = &basic;
		}
		in_challenge = fresh = true;
		sep = false;
		p += tlen;
		/* A scheme is followed by 1*SP, a comma or the end. */
		if (*p != ' ' && *p != '\t' && *p != ',' && *p != '\0')
			goto bad;
	}
	if (bearer.scheme == REGISTRY_AUTH_BEARER) {
		if (bearer.realm == NULL || *bearer.realm == '\0') {
			dw_err_set(err, "Bearer challenge without a realm");
			rv = -EINVAL;
			goto out;
		}
		*ret = bearer;
		memset(&bearer, 0, sizeof(bearer));
		rv = 0;
		goto out;
	}
	if (basic.scheme == REGISTRY_AUTH_BASIC) {
		*ret = basic;
		memset(&basic, 0, sizeof(basic));
		rv = 0;
		goto out;
	}
	dw_err_set(err, "no Bearer or Basic challenge in WWW-Authenticate");
	rv = -ENOENT;
	goto out;
bad:
	dw_err_set(err, "malformed WWW-Authenticate header at offset %zu", (size_t)(p - hdr));
	rv = -EINVAL;
out:
	free(name);
	free(value);
	registry_auth_challenge_clear(&bearer);
	registry_auth_challenge_clear(&basic);
	return rv;
}

/* A token goes into an Authorization header: visible ASCII only. */
static bool
auth_token_ok(const char *t)
{
	for (; *t != '\0'; t++)
		if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
			return false;
	return true;
}

/* Parse {"token": ..., "access_token": ..., "expires_in": N}. */
int
registry_auth_token_parse(const char *body, size_t len, char **ret_token,
    long *ret_expires_in, struct dw_err *err)
{
	json_error_t	 jerr;
	json_t		*root = NULL, *t, *e;
	const char	*tok = NULL;
	long		 expires = TOKEN_LIFETIME_MIN;
	char		*copy;
	int		 r;

	if (len > DW_TOKEN_MAX) {
		dw_err_set(err, "token answer larger than %d bytes", DW_TOKEN_MAX);
		return -E2BIG;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		dw_err_set(err, "token answer is not a JSON object");
		r = -EPROTO;
		goto out;
	}
	t = json_object_get(root, "token");
	if (t != NULL && !json_is_string(t)) {
		dw_err_set(err, "token answer: \"token\" is not a string");
		r = -EPROTO;
		goto out;
	}
	if (t != NULL && json_string_length(t) > 0)
		tok = json_string_value(t);
	else {
		t = json_object_get(root, "access_token");
		if (t != NULL && !json_is_string(t)) {
			dw_err_set(err, "token answer: \"access_token\" is not a string");
			r = -EPROTO;
			goto out;
		}
		if (t != NULL && json_string_length(t) > 0)
			tok = json_string_value(t);
	}
	if (tok == NULL) {
		dw_err_set(err, "token answer has no \"token\" or \"access_token\"");
		r = -EPROTO;
		goto out;
	}
	if (strlen(tok) != json_string_length(t) || !auth_token_ok(tok)) {
		dw_err_set(err, "token answer: the token has characters a header cannot carry");
		r = -EPROTO;
		goto out;
	}
	e = json_object_get(root, "expires_in");
	if (json_is_integer(e) && json_integer_value(e) > TOKEN_LIFETIME_MIN)
		expires = json_integer_value(e) > TOKEN_LIFETIME_MAX ?
		    TOKEN_LIFETIME_MAX : (long)json_integer_value(e);
	if ((copy = strdup(tok)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	*ret_token = copy;
	*ret_expires_in = expires;
	r = 0;
out:
	json_decref(root);
	return r;
}

/* ---------------------------------------------------------------- cache */

struct token_entry {
	TAILQ_ENTRY(token_entry)	 link;
	char				*host;
	char				*realm;
	char				*service;	/* "" when none */
	char				*scope;
	char				*token;
	time_t				 expires;
};
TAILQ_HEAD(token_list, token_entry);

struct registry_auth_token_cache {
	struct token_list	entries;	/* newest first */
	size_t			n;
};

/* A new, empty cache; NULL on ENOMEM. */
struct registry_auth_token_cache *
registry_auth_token_cache_new(void)
{
	struct registry_auth_token_cache	*tc;

	if ((tc = calloc(1, sizeof(*tc))) == NULL)
		return NULL;
	TAILQ_INIT(&tc->entries);
	return tc;
}

/* Unlink and free one entry, wiping its token. */
static void
token_entry_drop(struct registry_auth_token_cache *tc, struct token_entry *te)
{
	TAILQ_REMOVE(&tc->entries, te, link);
	tc->n--;
	if (te->token != NULL) {
		explicit_bzero(te->token, strlen(te->token));
		free(te->token);
	}
	free(te->host);
	free(te->realm);
	free(te->service);
	free(te->scope);
	free(te);
}

/* Free the cache and every token in it. */
void
registry_auth_token_cache_free(struct registry_auth_token_cache *tc)
{
	if (tc == NULL)
		return;
	while (!TAILQ_EMPTY(&tc->entries))
		token_entry_drop(tc, TAILQ_FIRST(&tc->entries));
	free(tc);
}

/* Drop expired entries. */
static void
token_cache_expire(struct registry_auth_token_cache *tc, time_t now)
{
	struct token_entry	*te, *next;

	for (te = TAILQ_FIRST(&tc->entries); te != NULL; te = next) {
		next = TAILQ_NEXT(te, link);
		if (te->expires <= now)
			token_entry_drop(tc, te);
	}
}

/* Remember a token; replaces an entry with the same key. */
int
registry_auth_token_cache_put(struct registry_auth_token_cache *tc, const char *host,
    const char *realm, const char *service, const char *scope,
    const char *token, long expires_in, time_t now)
{
	struct token_entry	*te, *next;
	long			 life;

	if (service == NULL)
		service = "";
	token_cache_expire(tc, now);
	for (te = TAILQ_FIRST(&tc->entries); te != NULL; te = next) {
		next = TAILQ_NEXT(te, link);
		if (strcmp(te->realm, realm) == 0 && strcmp(te->service, service) == 0 &&
		    strcmp(te->scope, scope) == 0)
			token_entry_drop(tc, te);
	}
	while (tc->n >= DW_TOKEN_CACHE_MAX)
		token_entry_drop(tc, TAILQ_LAST(&tc->entries, token_list));
	if ((te = calloc(1, sizeof(*te))) == NULL)
		return -ENOMEM;
	te->host = strdup(host);
	te->realm = strdup(realm);
	te->service = strdup(service);
	te->scope = strdup(scope);
	te->token = strdup(token);
	TAILQ_INSERT_HEAD(&tc->entries, te, link);
	tc->n++;
	if (te->host == NULL || te->realm == NULL || te->service == NULL ||
	    te->scope == NULL || te->token == NULL) {
		token_entry_drop(tc, te);
		return -ENOMEM;
	}
	life = expires_in > TOKEN_EARLY_S * 2 ? expires_in - TOKEN_EARLY_S : expires_in / 2;
	te->expires = now + life;
	return 0;
}

/* Look up by (realm, service, scope). */
char *
registry_auth_token_cache_get(struct registry_auth_token_cache *tc, const char *realm,
    const char *service, const char *scope, time_t now)
{
	struct token_entry	*te;

	if (service == NULL)
		service = "";
	TAILQ_FOREACH(te, &tc->entries, link) {
		if (te->expires > now && strcmp(te->realm, realm) == 0 &&
		    strcmp(te->service, service) == 0 && strcmp(te->scope, scope) == 0)
			return strdup(te->token);
	}
	return NULL;
}

/* Look up by (host, scope): the newest unexpired token the host asked for. */
char *
registry_auth_token_cache_find(struct registry_auth_token_cache *tc, const char *host,
    const char *scope, time_t now)
{
	struct token_entry	*te;

	TAILQ_FOREACH(te, &tc->entries, link) {
		if (te->expires > now && strcmp(te->host, host) == 0 &&
		    strcmp(te->scope, scope) == 0)
			return strdup(te->token);
	}
	return NULL;
}

/* ---------------------------------------------------------- credentials */

/* Wipe and free one secret string. */
static void
auth_secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* Wipe and free the credentials' strings. */
void
registry_auth_creds_clear(struct registry_auth_creds *creds)
{
	if (creds == NULL)
		return;
	auth_secret_free(creds->username);
	auth_secret_free(creds->password);
	auth_secret_free(creds->identitytoken);
	memset(creds, 0, sizeof(*creds));
}

/* Value of one base64 character, -1 for anything else. */
static int
auth_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode standard base64 (padding optional) into a new NUL-terminated string; NULL if invalid. */
static char *
auth_b64_decode(const char *s)
{
	size_t		 n = strlen(s), i, o = 0;
	uint32_t	 acc = 0;
	int		 bits = 0, v;
	char		*out;

	while (n > 0 && s[n - 1] == '=')
		n--;
	if (strlen(s) - n > 2 || n % 4 == 1)
		return NULL;
	if ((out = malloc(n * 3 / 4 + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((v = auth_b64_value((unsigned char)s[i])) < 0) {
			explicit_bzero(out, o);
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	if (memchr(out, '\0', o) != NULL) {
		explicit_bzero(out, o);
		free(out);
		return NULL;
	}
	return out;
}

/* The host a config.json key names (docker's ConvertToHostname), compared with domain. */
static bool
auth_key_matches(const char *key, const char *domain)
{
	const char	*h = key;
	size_t		 n;

	if (strncasecmp(h, "https://", 8) == 0)
		h += 8;
	else if (strncasecmp(h, "http://", 7) == 0)
		h += 7;
	n = strcspn(h, "/");
	if (strlen(domain) == n && strncasecmp(h, domain, n) == 0)
		return true;
	if (strcmp(domain, HUB_DOMAIN) == 0)
		return (n == 15 && strncasecmp(h, "index.docker.io", n) == 0) ||
		    (n == 20 && strncasecmp(h, "registry-1.docker.io", n) == 0);
	return false;
}

/* The "auths" entry for domain: an exact key first, then a key naming the same host. */
static json_t *
auth_find_entry(json_t *auths, const char *domain)
{
	const char	*key;
	json_t		*v;

	if (strcmp(domain, HUB_DOMAIN) == 0 &&
	    (v = json_object_get(auths, HUB_CONFIG_KEY)) != NULL)
		return v;
	if ((v = json_object_get(auths, domain)) != NULL)
		return v;
	json_object_foreach(auths, key, v) {
		if (auth_key_matches(key, domain))
			return v;
	}
	return NULL;
}

/* An optional string member: -EINVAL when present with another type. */
static int
auth_opt_string(json_t *o, const char *name, const char **ret)
{
	json_t	*v = json_object_get(o, name);

	*ret = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return -EINVAL;
	if (json_string_length(v) > 0)
		*ret = json_string_value(v);
	return 0;
}

/* Credentials for domain from a config.json document. */
int
registry_auth_creds_parse(const char *json, size_t len, const char *domain,
    struct registry_auth_creds *ret, struct dw_err *err)
{
	struct registry_auth_creds	 c = { 0 };
	json_error_t		 jerr;
	json_t			*root, *helpers, *auths, *entry, *v;
	const char		*key, *auth, *user, *pass, *idtok, *store = NULL;
	char			*dec = NULL, *colon;
	int			 r;

	if (len > DW_DOCKER_CONFIG_MAX) {
		dw_err_set(err, "docker config larger than %d bytes", DW_DOCKER_CONFIG_MAX);
		return -E2BIG;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		dw_err_set(err, "docker config: not a JSON object (line %d)", jerr.line);
		r = -EINVAL;
		goto out;
	}
	helpers = json_object_get(root, "credHelpers");
	if (json_is_object(helpers)) {
		json_object_foreach(helpers, key, v) {
			if (!auth_key_matches(key, domain))
				continue;
			dw_err_set(err, "docker config names credential helper \"%.64s\" for %s "
			    "(credHelpers); credential helpers are not supported, put the "
			    "credentials in \"auths\"", json_is_string(v) ?
			    json_string_value(v) : "?", domain);
			r = -ENOTSUP;
			goto out;
		}
	}
	v = json_object_get(root, "credsStore");
	if (json_is_string(v) && json_string_length(v) > 0)
		store = json_string_value(v);
	auths = json_object_get(root, "auths");
	if (auths == NULL || json_is_null(auths)) {
		dw_err_set(err, "docker config has no credentials for %s", domain);
		r = -ENOENT;
		goto out;
	}
	if (!json_is_object(auths)) {
		dw_err_set(err, "docker config: \"auths\" is not an object");
		r = -EINVAL;
		goto out;
	}
	if ((entry = auth_find_entry(auths, domain)) == NULL) {
		dw_err_set(err, "docker config has no credentials for %s", domain);
		r = -ENOENT;
		goto out;
	}
	if (!json_is_object(entry) || auth_opt_string(entry, "auth", &auth) != 0 ||
	    auth_opt_string(entry, "username", &user) != 0 ||
	    auth_opt_string(entry, "password", &pass) != 0 ||
	    auth_opt_string(entry, "identitytoken", &idtok) != 0) {
		dw_err_set(err, "docker config: the \"auths\" entry for %s is malformed", domain);
		r = -EINVAL;
		goto out;
	}
	if (auth != NULL) {
		if ((dec = auth_b64_decode(auth)) == NULL ||
		    (colon = strchr(dec, ':')) == NULL) {
			dw_err_set(err, "docker config: \"auth\" for %s is not base64 of "
			    "user:password", domain);
			r = -EINVAL;
			goto out;
		}
		*colon = '\0';
		c.username = strdup(dec);
		c.password = strdup(colon + 1);
		if (c.username == NULL || c.password == NULL) {
			r = -ENOMEM;
			goto out;
		}
	} else if (user != NULL || pass != NULL) {
		c.username = strdup(user != NULL ? user : "");
		c.password = strdup(pass != NULL ? pass : "");
		if (c.username == NULL || c.password == NULL) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (idtok != NULL && (c.identitytoken = strdup(idtok)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (c.username == NULL && c.identitytoken == NULL) {
		if (store != NULL) {
			dw_err_set(err, "docker config keeps the credentials for %s in "
			    "credential store \"%.64s\" (credsStore); credential helpers are "
			    "not supported, put the credentials in \"auths\"", domain, store);
			r = -ENOTSUP;
		} else {
			dw_err_set(err, "docker config has no credentials for %s", domain);
			r = -ENOENT;
		}
		goto out;
	}
	*ret = c;
	memset(&c, 0, sizeof(c));
	r = 0;
out:
	auth_secret_free(dec);
	registry_auth_creds_clear(&c);
	json_decref(root);
	return r;
}

/* Read a config.json (bounded) and look up domain. */
int
registry_auth_creds_load(const char *path, const char *domain,
    struct registry_auth_creds *ret, struct dw_err *err)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		r = -errno;
		if (r == -ENOENT)
			dw_err_set(err, "docker config %s does not exist", path);
		else
			dw_err_set(err, "docker config %s: %s", path, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		dw_err_set(err, "docker config %s is not a regular file", path);
		r = -EINVAL;
		goto out;
	}
	if (st.st_size > DW_DOCKER_CONFIG_MAX) {
		dw_err_set(err, "docker config %s is larger than %d bytes", path,
		    DW_DOCKER_CONFIG_MAX);
		r = -E2BIG;
		goto out;
	}
	if ((buf = malloc(DW_DOCKER_CONFIG_MAX + 1)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	while (len <= DW_DOCKER_CONFIG_MAX) {
		n = read(fd, buf + len, DW_DOCKER_CONFIG_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			dw_err_set(err, "docker config %s: %s", path, strerror(errno));
			r = -EIO;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > DW_DOCKER_CONFIG_MAX) {
		dw_err_set(err, "docker config %s is larger than %d bytes", path,
		    DW_DOCKER_CONFIG_MAX);
		r = -E2BIG;
		goto out;
	}
	r = registry_auth_creds_parse(buf, len, domain, ret, err);
out:
	if (buf != NULL) {
		explicit_bzero(buf, len);
		free(buf);
	}
	close(fd);
	return r;
}
