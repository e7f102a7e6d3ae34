/*
 * registry_auth: the pieces of registry authentication that need no
 * network: WWW-Authenticate challenges (RFC 7235 syntax, Docker's Bearer
 * token scheme and Basic), token answers of a token server, a token cache,
 * and credentials from a docker config.json.  The HTTP exchanges
 * themselves are in registry_client.c.
 *
 * Secrets (passwords, identity tokens, bearer tokens) never appear in a
 * struct dw_err message.
 */
#ifndef REGISTRY_AUTH_H
#define REGISTRY_AUTH_H

#include <stddef.h>
#include <time.h>

#include "common/dw_err.h"

enum registry_auth_scheme {
	REGISTRY_AUTH_NONE = 0,
	REGISTRY_AUTH_BASIC,
	REGISTRY_AUTH_BEARER,
};

/* One challenge; strings are owned (registry_auth_challenge_clear frees them). */
struct registry_auth_challenge {
	enum registry_auth_scheme	 scheme;
	char				*realm;		/* NULL when absent */
	char				*service;	/* NULL when absent */
	char				*scope;		/* NULL when absent */
};

/*
 * Parse a WWW-Authenticate value (several challenges, comma separated, as
 * one header or several headers joined with ", ") and pick the one to
 * answer: Bearer before Basic, the first of each scheme; unknown schemes
 * are skipped.  Quoted strings may contain backslash escapes.  0 with
 * *ret filled (clear it first is not needed), -ENOENT when no Bearer or
 * Basic challenge is present, -EINVAL for a malformed header or a Bearer
 * challenge without a realm, -E2BIG over DW_HTTP_HEADER_MAX or
 * DW_AUTH_CHALLENGES_MAX.  ret is written only on success.
 */
int	registry_auth_challenge_parse(const char *hdr, struct registry_auth_challenge *ret,
	    struct dw_err *err);
void	registry_auth_challenge_clear(struct registry_auth_challenge *ch);

/*
 * Parse a token server's JSON answer: "token" (or "access_token" when
 * "token" is absent or empty) and "expires_in" seconds (default 60, at
 * least 60, at most one day).  The token must be printable ASCII without
 * spaces and at most DW_TOKEN_MAX bytes.  0 with *ret_token (caller frees)
 * and *ret_expires_in, or -EPROTO / -E2BIG / -ENOMEM.
 */
int	registry_auth_token_parse(const char *body, size_t len, char **ret_token,
	    long *ret_expires_in, struct dw_err *err);

/* Credentials for one registry; strings owned, NULL when absent. */
struct registry_auth_creds {
	char	*username;
	char	*password;
	char	*identitytoken;		/* OAuth2 refresh token ("docker login" with a token) */
};

/*
 * Credentials for registry domain (a reference domain: "docker.io",
 * "localhost:5000") from a docker config.json held in json/len.  Keys of
 * "auths" are matched exactly first, then by host (scheme and path
 * stripped: "https://index.docker.io/v1/" is docker.io).  An entry gives
 * "auth" (base64 of "user:password") or "username"/"password", and/or
 * "identitytoken".  0 with *ret filled, -ENOENT when the file has nothing
 * for the domain, -ENOTSUP when a credential helper ("credHelpers" for the
 * domain, or "credsStore" with an entry that keeps no secret inline) holds
 * them (not supported; err says so), -EINVAL for a malformed file or entry.
 * ret is written only on success.
 */
int	registry_auth_creds_parse(const char *json, size_t len, const char *domain,
	    struct registry_auth_creds *ret, struct dw_err *err);
/* The same for a file (at most DW_DOCKER_CONFIG_MAX bytes); -ENOENT when it does not exist. */
int	registry_auth_creds_load(const char *path, const char *domain,
	    struct registry_auth_creds *ret, struct dw_err *err);
/* Wipe and free the strings; creds itself is not freed. */
void	registry_auth_creds_clear(struct registry_auth_creds *creds);

/*
 * A bounded cache of bearer tokens keyed by (realm, service, scope) and
 * also found by (host, scope) so a request can carry a token before the
 * registry asks.  Not locked: the client holds its mutex around calls.
 */
struct registry_auth_token_cache;

struct registry_auth_token_cache *registry_auth_token_cache_new(void);
void	registry_auth_token_cache_free(struct registry_auth_token_cache *tc);
/*
 * Remember token (copied) for expires_in seconds from now (an entry is
 * dropped a little before the registry would refuse it).  The oldest entry
 * goes when DW_TOKEN_CACHE_MAX are held.  0 or -ENOMEM.
 */
int	registry_auth_token_cache_put(struct registry_auth_token_cache *tc, const char *host,
	    const char *realm, const char *service, const char *scope,
	    const char *token, long expires_in, time_t now);
/* A copy (caller frees) of an unexpired token for (realm, service, scope), or NULL. */
char	*registry_auth_token_cache_get(struct registry_auth_token_cache *tc, const char *realm,
	    const char *service, const char *scope, time_t now);
/* A copy (caller frees) of an unexpired token for (host, scope), or NULL. */
char	*registry_auth_token_cache_find(struct registry_auth_token_cache *tc, const char *host,
	    const char *scope, time_t now);

#endif
