/*
 * api_fleet: the policy of a fleet of hosts, from an HTTPS URL
 * (`dockward serve --settings-url`).  The policy and its detached Ed25519
 * signature are fetched (conditional GET with the stored ETag), the
 * signature checked against the admin's public key, the bytes validated
 * exactly as a local policy file is, and only then is the last good copy
 * on disk (STATE_DIR/fleet/) replaced and the new policy handed to the
 * daemon.  A poll thread repeats this every refresh period, with jitter;
 * when the server is down the policy in force stays.
 *
 * No rollback: a fleet policy must carry dockward.policy.serial and
 * .expires (authz_policymeta.h), inside the signed bytes.  A signed policy
 * whose serial is lower than the one held, or equal with other bytes, is
 * refused, and so is one past its expiry.  The serial held (with the
 * digest of its bytes) is kept beside the last good copy and survives
 * restarts.  When the policy in force expires it stays in force (never
 * fail open) and dockward says so loudly, and warns ahead of it.
 */
#ifndef API_FLEET_H
#define API_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "authz/authz_settings.h"
#include "common/dw_err.h"
#include "digest/digest_sha256.h"

#define API_FLEET_REFRESH_DEFAULT	60	/* seconds between polls */
#define API_FLEET_ETAG_MAX		256	/* a stored ETag (longer ones are not kept) */
#define API_FLEET_URL_MAX		2048
/* The last good copy: STATE_DIR/fleet/admin-settings.json, and the serial held beside it. */
#define API_FLEET_DIR			"fleet"
#define API_FLEET_POLICY_NAME		"admin-settings.json"
#define API_FLEET_SERIAL_NAME		"admin-settings.json.serial"

struct api_fleet_opts {
	const char	*url;		/* https:// only */
	const char	*sig_url;	/* NULL: url + ".sig" */
	const char	*pubkey_path;	/* PEM Ed25519 public key; root-owned, not group/other-writable */
	const char	*ca_file;	/* NULL: the system CAs; else only this bundle */
	long		 refresh_s;	/* 0: API_FLEET_REFRESH_DEFAULT */
	const char	*state_dir;	/* the last good copy goes to state_dir/fleet/ */
};

/* One HTTP answer (the fetcher fills it; body is malloc'ed, NUL-terminated). */
struct api_fleet_resp {
	long	 status;
	char	*body;
	size_t	 len;
	char	 etag[API_FLEET_ETAG_MAX];	/* "" when absent or too long */
};

/*
 * How bytes are fetched: GET url, with "If-None-Match: etag" when etag is
 * not NULL, keeping at most max body bytes.  0 with resp filled (any HTTP
 * status), or -errno with err for a transport failure (resp->body NULL).
 * The default is libcurl over verified TLS; tests pass a fake.
 */
struct api_fleet_fetcher {
	int	(*get)(void *ctx, const char *url, const char *etag, size_t max,
		    struct api_fleet_resp *resp, struct dw_err *err);
	void	*ctx;
	/* The wall clock (expiry); NULL: time(). Tests move it. */
	time_t	(*now)(void *ctx);
};

/* What one fetch came to. */
enum api_fleet_outcome {
	API_FLEET_NONE = 0,
	API_FLEET_UPDATED,		/* a new policy is in force */
	API_FLEET_NOT_MODIFIED,		/* 304, or the same bytes again */
	API_FLEET_FETCH_FAILED,		/* server, network or TLS failure, or an HTTP error */
	API_FLEET_BAD_SIGNATURE,	/* signature malformed or not by the key */
	API_FLEET_INVALID_POLICY,	/* signed, but not a valid policy (or no serial or expiry) */
	API_FLEET_ROLLBACK,		/* signed, but its serial is lower than the one held, or equal with other bytes */
	API_FLEET_EXPIRED,		/* signed, but past its dockward.policy.expires */
	API_FLEET_OUTCOMES
};

/* Counters for metrics (one per outcome) and the policy in force. */
struct api_fleet_stats {
	unsigned long long	count[API_FLEET_OUTCOMES];
	time_t			last_success;	/* last fetch that ended updated or not modified; 0 never */
	time_t			policy_time;	/* when the policy in force was fetched */
	char			sha256[DIGEST_SHA256_STRLEN]; /* of the policy in force */
	struct authz_policymeta	meta;		/* dockward.policy of the policy in force */
	int64_t			held_serial;	/* the highest serial accepted (persisted); 0 none */
	enum authz_policymeta_expiry expiry;	/* the policy in force at the last poll */
};

/*
 * The daemon's side: take a validated policy (ownership passes, even on
 * failure) and put it in force.  0, or -errno with err.
 */
typedef int (*api_fleet_apply_fn)(void *ctx, struct authz_settings *s,
    struct dw_err *err);

struct api_fleet;

/*
 * Check opts (https URLs, the key file's ownership, the key), create
 * state_dir and state_dir/fleet (0700) when missing.  fetcher NULL: libcurl.
 * Returns a new object or NULL with err.
 */
struct api_fleet *api_fleet_new(const struct api_fleet_opts *opts,
	    const struct api_fleet_fetcher *fetcher, struct dw_err *err);

/*
 * The policy to start with: a fresh fetch when it succeeds (or answers
 * 304 for the last good copy), else the last good copy (its signature
 * checked again), else NULL with err saying what failed and the fix.
 * The caller owns the result.
 */
struct authz_settings *api_fleet_load_initial(struct api_fleet *f, struct dw_err *err);

/*
 * One poll: fetch; when a new valid signed policy came, store it and call
 * apply.  With reread (SIGHUP), a failed fetch loads the last good copy
 * from disk again and applies it.  Logs each outcome once per change of
 * state (always when reread).  Returns the outcome.
 */
enum api_fleet_outcome api_fleet_poll(struct api_fleet *f, bool reread,
	    api_fleet_apply_fn apply, void *ctx);

/*
 * Poll every refresh period +-10% (hosts of a fleet must not poll in
 * step) in a thread of its own, calling apply for each new policy.
 */
int	api_fleet_start(struct api_fleet *f, api_fleet_apply_fn apply, void *ctx,
	    struct dw_err *err);

/* Poll now (SIGHUP), from any thread. */
void	api_fleet_kick(struct api_fleet *f);

/* Stop the thread (an HTTP transfer under way is cut short) and wait for it. */
void	api_fleet_stop(struct api_fleet *f);

/* Stop, then free; NULL is a no-op. */
void	api_fleet_free(struct api_fleet *f);

/* A consistent copy of the counters (any thread). */
void	api_fleet_stats_get(struct api_fleet *f, struct api_fleet_stats *ret);

/*
 * "updated", "not_modified", "fetch_failed", "bad_signature",
 * "invalid_policy", "rollback", "expired".
 */
const char *api_fleet_outcome_name(enum api_fleet_outcome o);

/* The URL the policy comes from (for messages). */
const char *api_fleet_url(const struct api_fleet *f);

/*
 * The policy's next wait in milliseconds: refresh_s +-10%, u a uniform
 * random number in [0, 1).  (Exposed for its test.)
 */
long	api_fleet_jitter_ms(long refresh_s, double u);

#endif
