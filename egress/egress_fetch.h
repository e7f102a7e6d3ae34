/*
 * egress_fetch: download the PAC file with libcurl.  http and https only
 * (a redirect keeps the scheme it started with), a size cap, connect and
 * total timeouts, the proxy environment ignored (the PAC server is
 * reached directly: a PAC about proxies must not depend on one), https
 * verified against the system bundle plus an optional CA file
 * (dockward.egress.caFile), and conditional requests: a previous fetch's
 * ETag and Last-Modified are sent, and a 304 keeps the previous script.
 * The caller has run curl_global_init.
 */
#ifndef EGRESS_FETCH_H
#define EGRESS_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "common/dw_err.h"

#define EGRESS_PAC_MAX			(1024 * 1024)	/* a PAC file's bytes */
#define EGRESS_FETCH_CONNECT_MS		5000
#define EGRESS_FETCH_TIMEOUT_MS		15000		/* the whole transfer */
#define EGRESS_FETCH_REDIRS_MAX		3
#define EGRESS_FETCH_VALIDATOR_MAX	256		/* an ETag or Last-Modified value, NUL included */

struct egress_fetch_opts {
	const char	*ca_file;	/* NULL: the system bundle only */
	unsigned	 connect_ms;	/* 0: EGRESS_FETCH_CONNECT_MS */
	unsigned	 timeout_ms;	/* 0: EGRESS_FETCH_TIMEOUT_MS */
	size_t		 max;		/* 0: EGRESS_PAC_MAX */
};

/* What makes the next request conditional ("" when the server sent none). */
struct egress_fetch_validators {
	char	etag[EGRESS_FETCH_VALIDATOR_MAX];
	char	last_modified[EGRESS_FETCH_VALIDATOR_MAX];
};

struct egress_fetch_result {
	bool				 not_modified;	/* 304: keep the previous script */
	char				*script;	/* new, NUL-terminated; NULL on 304 */
	size_t				 len;
	long				 status;	/* the last HTTP status */
	struct egress_fetch_validators	 validators;	/* for the next fetch (prev's on 304) */
};

/*
 * GET url (http:// or https://).  prev (may be NULL) makes the request
 * conditional.  0 with *ret filled (clear it with egress_fetch_result_clear):
 * a 200 with a non-empty body, or a 304 when prev was given.  Otherwise
 * -errno with err, *ret untouched: -EINVAL (not an http(s) URL), -E2BIG
 * (over max), -ENOENT (404/410), -EPROTO (another status, an empty body,
 * a 304 to an unconditional request, a redirect elsewhere), -ETIMEDOUT,
 * -ECONNREFUSED, -EIO (TLS, DNS, the rest), -ENOMEM.
 */
int	egress_fetch_pac(const char *url, const struct egress_fetch_opts *opts,
	    const struct egress_fetch_validators *prev, struct egress_fetch_result *ret,
	    struct dw_err *err);
/* Free the script and zero the result. */
void	egress_fetch_result_clear(struct egress_fetch_result *r);

#endif
