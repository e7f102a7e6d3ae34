/*
 * registry_client: a registry HTTP API v2 client (libcurl) that answers
 * one question for the policy: what does the registry serve under a
 * reference, by digest.  Every answer it returns was checked against the
 * digest that names it.  Thread-safe: one client is shared by all
 * decisions; tokens are cached per (realm, service, scope) until expiry.
 */
#ifndef REGISTRY_CLIENT_H
#define REGISTRY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"
#include "digest/digest_facts.h"
#include "digest/digest_ref.h"
#include "digest/digest_sha256.h"

/*
 * The HTTP exchange under the client.  libcurl by default; tests put a
 * fake in registry_opts.transport to drive the client without a network.
 */
enum registry_client_method {
	REGISTRY_CLIENT_GET = 0,
	REGISTRY_CLIENT_HEAD,
	REGISTRY_CLIENT_POST,
};

/* One request as the client makes it; every pointer borrowed for the exchange. */
struct registry_client_req {
	enum registry_client_method	 method;
	const char			*url;
	const char			*host;		/* for messages */
	const char			*accept;	/* Accept value or NULL */
	const char			*bearer;	/* token or NULL */
	const char			*username;	/* Basic credentials or NULL */
	const char			*password;	/* with username; NULL is "" */
	const char			*post;		/* form body of a POST */
	bool				 follow;	/* follow up to DW_REGISTRY_REDIRS_MAX redirects */
	bool				 no_proxy;	/* loopback: never through a proxy */
	size_t				 max;		/* body limit */
};

/* What the client keeps of one answer (opaque). */
struct registry_client_resp;

/*
 * A transport hands the answer over with these.  resp_header takes one
 * header line as received, "\r\n" and all; a status line ("HTTP/...")
 * starts a new answer (after a redirect or a 100).  resp_body takes the
 * next len bytes of the body: -E2BIG past the request's max (stop and
 * return it), -ENOMEM.
 */
void	registry_client_resp_header(struct registry_client_resp *resp, const char *line,
	    size_t len);
int	registry_client_resp_body(struct registry_client_resp *resp, const void *data,
	    size_t len);

struct registry_client_transport {
	/*
	 * Perform req, handing the answer to resp.  0 with *ret_status (the
	 * final HTTP status), or -errno with err set; *transient is set on a
	 * failure a retry may cure (cannot connect, cannot resolve).
	 */
	int	 (*perform)(void *ctx, const struct registry_client_req *req,
		    struct registry_client_resp *resp, long *ret_status, bool *transient,
		    struct dw_err *err);
	/* Wait ms milliseconds before a retry; NULL: sleep. */
	void	 (*sleep_ms)(void *ctx, long ms);
	void	*ctx;		/* borrowed: outlives the client */
};

struct registry_opts {
	const char	*ca_file;		/* extra CA bundle (PEM) or NULL: system store only */
	struct dw_strv	 insecure;		/* "host[:port]" served over plain HTTP (loopback always is) */
	const char	*docker_config;		/* docker config.json for credentials, or NULL */
	long		 connect_timeout_ms;	/* default 3000 */
	long		 timeout_ms;		/* whole request, default 10000 */
	int		 retries;		/* extra tries on connect errors / 5xx / 429, default 1 */
	const struct registry_client_transport *transport; /* copied; NULL: libcurl */
};

struct registry_client;

/* A client with these options (copied).  NULL with err on failure. */
struct registry_client *registry_client_new(const struct registry_opts *opts,
	    struct dw_err *err);
void	registry_client_free(struct registry_client *c);

/*
 * Resolve ref (its tag, or its digest when it has one; tag "latest" when
 * neither) to full facts: GET the manifest with Accept for Docker schema2,
 * Docker manifest list, OCI manifest and OCI index; check the body's
 * sha256 against Docker-Content-Digest and against ref's digest; for an
 * index, GET each platform manifest (at most 32, attestations skipped)
 * and check it too.  Config digests come from the manifests' "config"
 * descriptors (blobs are not downloaded).  0, -ENOENT (no such tag or
 * manifest: 404 / MANIFEST_UNKNOWN), or another -errno with err naming
 * the registry host and the error (-ETIMEDOUT, -ECONNREFUSED/-EIO,
 * -EACCES for 401/403 after auth, -EPROTO for a digest mismatch or
 * unparseable answer, -E2BIG over the size limit).  facts is cleared
 * first; release it with digest_facts_clear.
 */
int	registry_client_resolve(struct registry_client *c, const struct digest_ref *ref,
	    struct digest_facts *facts, struct dw_err *err);

/*
 * HEAD the manifest for ref (tag or digest) and return the registry's
 * Docker-Content-Digest in digest_out (cheap: a HEAD does not count as a
 * Docker Hub pull).  0, -ENOENT, or -errno as above.
 */
int	registry_client_head_digest(struct registry_client *c, const struct digest_ref *ref,
	    char digest_out[DIGEST_SHA256_STRLEN], struct dw_err *err);

struct registry_auth_challenge;

/*
 * GET /v2/ of the registry at domain (a reference domain or a host[:port]
 * of dockward.registryAccess; "docker.io" is asked at its registry host),
 * the distribution spec's API version check: with the client's scheme
 * (plain HTTP for loopback and insecure hosts), CA, timeouts and retries,
 * no credentials, no redirects.  0 with the final HTTP status in
 * *ret_status and, for a 401 with a Bearer or Basic challenge, that
 * challenge in *ret_ch (zeroed otherwise; release it with
 * registry_auth_challenge_clear); or -errno with err as for
 * registry_client_resolve's transport errors (cannot resolve, cannot
 * connect, TLS, timed out), -EINVAL for a wildcard or a path.
 */
int	registry_client_ping(struct registry_client *c, const char *domain,
	    long *ret_status, struct registry_auth_challenge *ret_ch, struct dw_err *err);

/* Registry host to contact for a reference domain ("docker.io" -> "registry-1.docker.io"). */
const char *registry_client_host_for(const char *domain);

#endif
