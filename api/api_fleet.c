/* api_fleet: the fleet policy from an HTTPS URL (see api_fleet.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "api/api_fleet.h"
#include "common/dw_buf.h"
#include "common/dw_file.h"
#include "common/dw_limits.h"
#include "common/dw_log.h"
#include "common/dw_time.h"
#include "config.h"
#include "digest/digest_sig.h"

#define FLEET_CONNECT_TIMEOUT_MS	5000
#define FLEET_TIMEOUT_MS		20000
#define FLEET_REDIRS_MAX		5
#define FLEET_POLICY_NAME		API_FLEET_POLICY_NAME
#define FLEET_SIG_NAME			"admin-settings.json.sig"
#define FLEET_ETAG_NAME			"admin-settings.json.etag"
/* The serial held and the digest of its bytes: "42 sha256:...\n". */
#define FLEET_SERIAL_NAME		API_FLEET_SERIAL_NAME
#define FLEET_SERIAL_MAX		(32 + DIGEST_SHA256_STRLEN)
/* While the policy in force is expired, say so again this often. */
#define FLEET_EXPIRED_RELOG_S		3600

struct api_fleet {
	char			*url;
	char			*sig_url;
	char			*ca_file;
	char			 dir[PATH_MAX];		/* state_dir/fleet */
	char			 policy_path[PATH_MAX];
	char			 sig_path[PATH_MAX];
	char			 etag_path[PATH_MAX];
	char			 serial_path[PATH_MAX];
	long			 refresh_s;
	struct digest_sig_key	*key;
	struct api_fleet_fetcher fetch;

	/* The policy in force: only the poll (startup, then the thread) touches these. */
	char			 etag[API_FLEET_ETAG_MAX];
	char			 sha256[DIGEST_SHA256_STRLEN];
	enum api_fleet_outcome	 logged;		/* the last outcome logged */
	uint64_t		 rnd;			/* jitter */
	struct authz_policymeta	 meta;			/* dockward.policy of the policy in force */
	int64_t			 held_serial;		/* the highest serial accepted; 0 none */
	char			 held_sha[DIGEST_SHA256_STRLEN]; /* its bytes' digest; "" unknown */
	enum authz_policymeta_expiry expiry_logged;	/* the expiry state last logged */
	time_t			 expiry_logged_at;

	pthread_mutex_t		 lock;			/* what follows */
	pthread_cond_t		 wake;
	pthread_t		 thread;
	bool			 started;
	bool			 stopping;
	bool			 kicked;
	int			 cancel;		/* atomic: cut the transfer under way short */
	api_fleet_apply_fn	 apply;
	void			*apply_ctx;
	struct api_fleet_stats	 stats;
};

/* A fetched (or stored) policy, its signature and what it came to. */
struct fleet_doc {
	char			*body;
	size_t			 len;
	char			*sig;
	size_t			 siglen;
	char			 etag[API_FLEET_ETAG_MAX];
	char			 sha256[DIGEST_SHA256_STRLEN];
	time_t			 fetched;
	struct authz_policymeta	 meta;		/* s->meta, kept when s is handed on */
	struct authz_settings	*s;
};

static void
fleet_doc_clear(struct fleet_doc *d)
{
	free(d->body);
	free(d->sig);
	authz_settings_free(d->s);
	memset(d, 0, sizeof(*d));
}

const char *
api_fleet_outcome_name(enum api_fleet_outcome o)
{
	static const char *const names[API_FLEET_OUTCOMES] = {
		[API_FLEET_NONE] = "none",
		[API_FLEET_UPDATED] = "updated",
		[API_FLEET_NOT_MODIFIED] = "not_modified",
		[API_FLEET_FETCH_FAILED] = "fetch_failed",
		[API_FLEET_BAD_SIGNATURE] = "bad_signature",
		[API_FLEET_INVALID_POLICY] = "invalid_policy",
		[API_FLEET_ROLLBACK] = "rollback",
		[API_FLEET_EXPIRED] = "expired",
	};

	return (unsigned)o < API_FLEET_OUTCOMES ? names[o] : "?";
}

const char *
api_fleet_url(const struct api_fleet *f)
{
	return f->url;
}

long
api_fleet_jitter_ms(long refresh_s, double u)
{
	long	ms;

	if (u < 0 || u >= 1)
		u = 0.5;
	ms = (long)((double)refresh_s * 1000.0 * (0.9 + 0.2 * u));
	return ms > 0 ? ms : 1;
}

/* A uniform number in [0, 1) (xorshift64*; seeded from getrandom). */
static double
fleet_uniform(struct api_fleet *f)
{
	uint64_t	x = f->rnd;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	f->rnd = x;
	return (double)((x * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* The wall clock: the fetcher's (tests), else time(). */
static time_t
fleet_now(const struct api_fleet *f)
{
	return f->fetch.now != NULL ? f->fetch.now(f->fetch.ctx) : time(NULL);
}

/* "2024-05-01T12:00:00Z", or "never". */
static const char *
fleet_time(time_t t, char *buf, size_t bufsz)
{
	struct tm	tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, bufsz, "never");
	return buf;
}

/* An ETag we may store and send back: printable ASCII, short. */
static bool
etag_valid(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len >= API_FLEET_ETAG_MAX)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* ------------------------------------------------------------ libcurl */

struct curl_sink {
	struct api_fleet	*f;
	struct api_fleet_resp	*resp;
	size_t			 max;
	bool			 too_big;
};

static size_t
curl_body(char *p, size_t size, size_t n, void *arg)
{
	struct curl_sink	*b = arg;
	size_t			 len = size * n;
	int			 r;

	if ((r = dw_buf_append(&b->resp->body, &b->resp->len, b->max, p, len)) < 0) {
		b->too_big = r == -E2BIG;
		return 0;
	}
	return len;
}

static size_t
curl_header(char *p, size_t size, size_t n, void *arg)
{
	struct curl_sink	*b = arg;
	size_t			 len = size * n, vlen;
	const char		*v;

	/* A new status line (after a redirect): its headers replace the last ones. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		b->resp->etag[0] = '\0';
	if (len < 5 || strncasecmp(p, "etag:", 5) != 0)
		return len;
	for (v = p + 5, vlen = len - 5; vlen > 0 && (*v == ' ' || *v == '\t'); v++, vlen--)
		;
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
	    v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (etag_valid(v, vlen)) {
		memcpy(b->resp->etag, v, vlen);
		b->resp->etag[vlen] = '\0';
	} else
		b->resp->etag[0] = '\0';
	return len;
}

/* Stop a transfer when the daemon stops (timeouts bound it otherwise). */
static int
curl_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct curl_sink	*b = arg;

	return __atomic_load_n(&b->f->cancel, __ATOMIC_ACQUIRE) ? 1 : 0;
}

/*
 * GET over verified TLS only: https (redirects too), the system CAs or
 * --settings-ca alone, short timeouts, a size cap.
 */
static int
fleet_curl_get(void *ctx, const char *url, const char *etag, size_t max,
    struct api_fleet_resp *resp, struct dw_err *err)
{
	struct api_fleet	*f = ctx;
	struct curl_sink	 sink = { .f = f, .resp = resp, .max = max };
	struct curl_slist	*hdrs = NULL;
	char			 ebuf[CURL_ERROR_SIZE] = "", line[API_FLEET_ETAG_MAX + 32];
	CURLcode		 cc;
	CURL			*h;
	int			 r;

	memset(resp, 0, sizeof(*resp));
	if ((h = curl_easy_init()) == NULL) {
		dw_err_set(err, "cannot create a curl handle");
		return -ENOMEM;
	}
	if (etag != NULL) {
		snprintf(line, sizeof(line), "If-None-Match: %s", etag);
		if ((hdrs = curl_slist_append(NULL, line)) == NULL) {
			dw_err_set(err, "out of memory");
			r = -ENOMEM;
			goto out;
		}
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)FLEET_REDIRS_MAX);
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (f->ca_file != NULL) {
		/* A private CA alone: the public ones cannot vouch for this server. */
		curl_easy_setopt(h, CURLOPT_CAINFO, f->ca_file);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)FLEET_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)FLEET_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "dockward/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, curl_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, curl_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, curl_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &sink);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	cc = curl_easy_perform(h);
	if (cc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
		r = 0;
		goto out;
	}
	if (sink.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		dw_err_set(err, "%s: answer larger than %zu bytes", url, max);
		r = -E2BIG;
	} else if (cc == CURLE_ABORTED_BY_CALLBACK) {
		dw_err_set(err, "%s: stopped", url);
		r = -ECANCELED;
	} else {
		dw_err_set(err, "%s: %s", url, ebuf[0] != '\0' ? ebuf : curl_easy_strerror(cc));
		r = cc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO;
	}
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return r;
}

/* ------------------------------------------------------------- fetch */

/*
 * Fetch the policy (conditionally when we hold one) and, when it changed,
 * its signature; verify and validate.  UPDATED leaves everything in d.
 */
static enum api_fleet_outcome
fleet_fetch(struct api_fleet *f, bool conditional, struct fleet_doc *d,
    struct dw_err *err)
{
	struct api_fleet_resp	resp;
	const char		*etag = conditional && f->etag[0] != '\0' ? f->etag : NULL;
	char			 when[32], ago[32];
	int64_t			 left;

	memset(d, 0, sizeof(*d));
	memset(&resp, 0, sizeof(resp));
	if (f->fetch.get(f->fetch.ctx, f->url, etag, DW_SETTINGS_MAX, &resp, err) < 0)
		return API_FLEET_FETCH_FAILED;
	if (resp.status == 304 && etag != NULL) {
		free(resp.body);
		return API_FLEET_NOT_MODIFIED;
	}
	if (resp.status != 200) {
		dw_err_set(err, "%s answered HTTP %ld", f->url, resp.status);
		free(resp.body);
		return API_FLEET_FETCH_FAILED;
	}
	d->body = resp.body;
	d->len = resp.len;
	memcpy(d->etag, resp.etag, sizeof(d->etag));
	d->fetched = time(NULL);
	if (d->body == NULL && (d->body = strdup("")) == NULL) {
		dw_err_set(err, "out of memory");
		return API_FLEET_FETCH_FAILED;
	}
	digest_sha256_string(d->body, d->len, d->sha256);
	/* The bytes in force again (a server without ETags): nothing to do. */
	if (conditional && f->sha256[0] != '\0' && strcmp(d->sha256, f->sha256) == 0)
		return API_FLEET_NOT_MODIFIED;

	memset(&resp, 0, sizeof(resp));
	if (f->fetch.get(f->fetch.ctx, f->sig_url, NULL, DIGEST_SIG_FILE_MAX, &resp,
	    err) < 0) {
		dw_err_prefix(err, "signature");
		return API_FLEET_FETCH_FAILED;
	}
	if (resp.status != 200) {
		dw_err_set(err, "signature %s answered HTTP %ld", f->sig_url, resp.status);
		free(resp.body);
		return API_FLEET_FETCH_FAILED;
	}
	d->sig = resp.body;
	d->siglen = resp.len;
	if (digest_sig_verify(f->key, d->body, d->len, d->sig, d->siglen, err) < 0) {
		dw_err_prefix(err, "%s", f->sig_url);
		return API_FLEET_BAD_SIGNATURE;
	}
	/* Exactly the validation a local policy file gets. */
	if ((d->s = authz_settings_parse(d->body, d->len, f->url, err)) == NULL)
		return API_FLEET_INVALID_POLICY;
	d->meta = d->s->meta;
	/* Then what only a fleet policy must show: signed metadata, newer, in date. */
	if (authz_policymeta_require(&d->meta, err) < 0)
		return API_FLEET_INVALID_POLICY;
	if (authz_policymeta_check_serial(f->held_serial, &d->meta,
	    strcmp(d->sha256, f->held_sha) == 0, err) < 0)
		return API_FLEET_ROLLBACK;
	if (authz_policymeta_expiry(&d->meta, fleet_now(f), &left) ==
	    AUTHZ_POLICYMETA_EXPIRED) {
		dw_err_set(err, "serial %" PRId64 " expired at %s (%s ago); sign it "
		    "again with a higher serial and a later expiry",
		    d->meta.serial, fleet_time(d->meta.expires, when, sizeof(when)),
		    authz_policymeta_duration(left, ago, sizeof(ago)));
		return API_FLEET_EXPIRED;
	}
	return API_FLEET_UPDATED;
}

/* ------------------------------------------------------------- store */

/* dir/name = data, root-only, whole or not at all (tmp, fsync, rename). */
static int
write_atomic(const char *dir, const char *name, const void *data, size_t len,
    struct dw_err *err)
{
	char		 path[PATH_MAX], tmp[PATH_MAX];
	const char	*p = data;
	ssize_t		 n;
	int		 fd, r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= (int)sizeof(tmp)) {
		dw_err_set(err, "%s/%s: %s", dir, name, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600)) < 0) {
		r = -errno;
		dw_err_set(err, "cannot create %s: %s", tmp, strerror(-r));
		return r;
	}
	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, 0600) < 0 || fsync(fd) < 0) {
		r = -errno;
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = -errno;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		r = -errno;
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	dw_err_set(err, "cannot write %s: %s", path, strerror(-r));
	return r;
}

/*
 * Replace the last good copy.  The ETag goes first (a stale one would
 * only cost a full fetch) and comes back last; the policy and its
 * signature are checked together on every load, so a crash between their
 * renames leaves a pair that is refused, never an unsigned policy.
 */
static int
fleet_store(struct api_fleet *f, const struct fleet_doc *d, struct dw_err *err)
{
	char	mark[FLEET_SERIAL_MAX + 2];
	int	fd, n, r;

	if (unlink(f->etag_path) < 0 && errno != ENOENT) {
		r = -errno;
		dw_err_set(err, "cannot remove %s: %s", f->etag_path, strerror(errno));
		return r;
	}
	if ((r = write_atomic(f->dir, FLEET_SIG_NAME, d->sig, d->siglen, err)) < 0 ||
	    (r = write_atomic(f->dir, FLEET_POLICY_NAME, d->body, d->len, err)) < 0)
		return r;
	if (d->etag[0] != '\0' &&
	    (r = write_atomic(f->dir, FLEET_ETAG_NAME, d->etag, strlen(d->etag), err)) < 0)
		return r;
	/*
	 * The serial held, last: a crash before it leaves an older one, which
	 * the copy's own (signed) serial then outranks.
	 */
	n = snprintf(mark, sizeof(mark), "%" PRId64 " %s\n", d->meta.serial, d->sha256);
	if (d->meta.serial > 0 && (r = write_atomic(f->dir, FLEET_SERIAL_NAME, mark,
	    (size_t)n, err)) < 0)
		return r;
	if ((fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

/* Only the ETag changed (same bytes): keep it so the next poll is a 304. */
static void
fleet_store_etag(struct api_fleet *f, const char *etag)
{
	struct dw_err	err;

	if (etag[0] == '\0' || strcmp(etag, f->etag) == 0)
		return;
	snprintf(f->etag, sizeof(f->etag), "%s", etag);
	if (write_atomic(f->dir, FLEET_ETAG_NAME, etag, strlen(etag), &err) < 0)
		log_warn("fleet: %s", err.msg);
}

/*
 * The serial held, as fleet_store wrote it ("42 sha256:...\n"), into
 * f->held_serial and f->held_sha.  0 when it was read or is absent (none
 * held yet); -EINVAL with err when it is there but unreadable or garbled
 * (the caller falls back on the last good copy's own serial).
 */
static int
fleet_load_mark(struct api_fleet *f, struct dw_err *err)
{
	char		*buf = NULL, *end;
	const char	*sha;
	long long	 serial;
	size_t		 len;
	int		 r;

	if ((r = dw_file_read_at(AT_FDCWD, f->serial_path, O_NOFOLLOW | O_NOCTTY,
	    FLEET_SERIAL_MAX, &buf, &len)) < 0) {
		if (r == -ENOENT)
			return 0;
		dw_err_set(err, "cannot read %s: %s", f->serial_path, strerror(-r));
		return r;
	}
	errno = 0;
	serial = strtoll(buf, &end, 10);
	sha = end + 1;
	if (errno != 0 || end == buf || serial < 1 || *end != ' ' ||
	    strlen(sha) != DIGEST_SHA256_STRLEN || sha[DIGEST_SHA256_STRLEN - 1] != '\n' ||
	    strncmp(sha, "sha256:", 7) != 0) {
		dw_err_set(err, "%s is garbled", f->serial_path);
		free(buf);
		return -EINVAL;
	}
	f->held_serial = (int64_t)serial;
	memcpy(f->held_sha, sha, DIGEST_SHA256_STRLEN - 1);
	f->held_sha[DIGEST_SHA256_STRLEN - 1] = '\0';
	free(buf);
	return 0;
}

/*
 * The last good copy, trusted as a local policy file is (root-only
 * ownership of the file and its directories) and its signature checked
 * again.  -ENOENT when there is none.
 */
static int
fleet_load_last_good(struct api_fleet *f, struct fleet_doc *d, struct dw_err *err)
{
	char		*etag = NULL;
	struct stat	 st;
	size_t		 len;
	int		 r;

	memset(d, 0, sizeof(*d));
	if ((r = authz_settings_check_owner(f->policy_path, err)) < 0) {
		if (r == -ENOENT)
			dw_err_set(err, "there is no last good copy (%s)", f->policy_path);
		return r;
	}
	if ((r = dw_file_read_at(AT_FDCWD, f->policy_path, O_NOFOLLOW | O_NOCTTY,
	    DW_SETTINGS_MAX, &d->body, &d->len)) < 0) {
		dw_err_set(err, "cannot read %s: %s", f->policy_path, strerror(-r));
		goto fail;
	}
	d->fetched = stat(f->policy_path, &st) == 0 ? st.st_mtime : time(NULL);
	if ((r = dw_file_read_at(AT_FDCWD, f->sig_path, O_NOFOLLOW | O_NOCTTY,
	    DIGEST_SIG_FILE_MAX, &d->sig, &d->siglen)) < 0) {
		dw_err_set(err, "the last good copy has no signature: %s: %s", f->sig_path,
		    strerror(-r));
		goto fail;
	}
	if ((r = digest_sig_verify(f->key, d->body, d->len, d->sig, d->siglen, err)) < 0) {
		dw_err_prefix(err, "last good copy %s", f->policy_path);
		goto fail;
	}
	if ((d->s = authz_settings_parse(d->body, d->len, f->policy_path, err)) == NULL) {
		r = -EINVAL;
		goto fail;
	}
	digest_sha256_string(d->body, d->len, d->sha256);
	d->meta = d->s->meta;
	/*
	 * A copy older than the serial held (put back by hand, a restore) is
	 * a rollback too.  An expired one is used: it is the last good policy.
	 */
	if ((r = authz_policymeta_check_serial(f->held_serial, &d->meta,
	    strcmp(d->sha256, f->held_sha) == 0, err)) < 0) {
		dw_err_prefix(err, "last good copy %s (%s)", f->policy_path, f->serial_path);
		goto fail;
	}
	if (dw_file_read_at(AT_FDCWD, f->etag_path, O_NOFOLLOW | O_NOCTTY, API_FLEET_ETAG_MAX - 1,
	    &etag, &len) == 0 && etag_valid(etag, len))
		memcpy(d->etag, etag, len + 1);
	free(etag);
	return 0;
fail:
	fleet_doc_clear(d);
	return r < 0 ? r : -EINVAL;
}

/* ---------------------------------------------------------- outcomes */

/* Count an outcome; a policy put in force is recorded as such. */
static void
fleet_record(struct api_fleet *f, enum api_fleet_outcome o, const struct fleet_doc *in_force)
{
	time_t	now = time(NULL);

	pthread_mutex_lock(&f->lock);
	if (o != API_FLEET_NONE)
		f->stats.count[o]++;
	if (o == API_FLEET_UPDATED || o == API_FLEET_NOT_MODIFIED)
		f->stats.last_success = now;
	if (in_force != NULL) {
		f->stats.policy_time = in_force->fetched;
		memcpy(f->stats.sha256, in_force->sha256, sizeof(f->stats.sha256));
		f->stats.meta = in_force->meta;
	}
	f->stats.held_serial = f->held_serial;
	pthread_mutex_unlock(&f->lock);
}

/* The policy in force is now d's (its ETag, its digest). */
static void
fleet_in_force(struct api_fleet *f, const struct fleet_doc *d)
{
	memcpy(f->etag, d->etag, sizeof(f->etag));
	memcpy(f->sha256, d->sha256, sizeof(f->sha256));
	f->meta = d->meta;
	if (d->meta.serial >= f->held_serial) {
		f->held_serial = d->meta.serial;
		memcpy(f->held_sha, d->sha256, sizeof(f->held_sha));
	}
}

/*
 * The policy in force against the clock: log when it comes within its
 * warning window and when it expires (and again every hour while it
 * stays expired, or always with force).  It stays in force either way.
 */
static void
fleet_expiry_watch(struct api_fleet *f, bool force)
{
	enum authz_policymeta_expiry	e;
	time_t				now = fleet_now(f);
	char				when[32], d[32], w[32];
	int64_t				left;

	e = authz_policymeta_expiry(&f->meta, now, &left);
	pthread_mutex_lock(&f->lock);
	f->stats.expiry = e;
	pthread_mutex_unlock(&f->lock);
	if (!force && e == f->expiry_logged && (e != AUTHZ_POLICYMETA_EXPIRED ||
	    now - f->expiry_logged_at < FLEET_EXPIRED_RELOG_S))
		return;
	f->expiry_logged = e;
	f->expiry_logged_at = now;
	fleet_time(f->meta.expires, when, sizeof(when));
	authz_policymeta_duration(left, d, sizeof(d));
	if (e == AUTHZ_POLICYMETA_EXPIRING)
		log_warn("fleet policy serial %" PRId64 " (%s) expires at %s, in %s "
		    "(warned %s ahead): publish a new signed policy with a higher "
		    "serial and a later expiry at %s", f->meta.serial, f->sha256,
		    when, d, authz_policymeta_duration(authz_policymeta_warn_window(
		    &f->meta), w, sizeof(w)), f->url);
	else if (e == AUTHZ_POLICYMETA_EXPIRED)
		log_err("FLEET POLICY EXPIRED: serial %" PRId64 " (%s) expired at %s, "
		    "%s ago; still enforcing it, the last good policy (dockward never "
		    "drops to no policy), until a newer signed policy comes from %s",
		    f->meta.serial, f->sha256, when, d, f->url);
}

/* Log an outcome once per change of state (or always, with force). */
static void
fleet_log(struct api_fleet *f, enum api_fleet_outcome o, const char *why, bool force)
{
	char	when[32];

	if (!force && o == f->logged && o != API_FLEET_UPDATED)
		return;
	f->logged = o;
	pthread_mutex_lock(&f->lock);
	fleet_time(f->stats.policy_time, when, sizeof(when));
	pthread_mutex_unlock(&f->lock);
	switch (o) {
	case API_FLEET_UPDATED:
		log_info("fleet policy updated from %s (%s)", f->url, f->sha256);
		break;
	case API_FLEET_NOT_MODIFIED:
		log_info("fleet policy from %s not modified (%s, fetched %s)", f->url,
		    f->sha256, when);
		break;
	case API_FLEET_FETCH_FAILED:
		log_err("fleet policy fetch failed: %s; kept the policy fetched %s (%s)",
		    why, when, f->sha256);
		break;
	case API_FLEET_BAD_SIGNATURE:
		log_err("fleet policy from %s REFUSED, bad signature: %s; kept the "
		    "policy fetched %s (%s)", f->url, why, when, f->sha256);
		break;
	case API_FLEET_INVALID_POLICY:
		log_err("fleet policy from %s REFUSED, invalid policy: %s; kept the "
		    "policy fetched %s (%s)", f->url, why, when, f->sha256);
		break;
	case API_FLEET_ROLLBACK:
		log_err("fleet policy from %s REFUSED, rollback: %s; kept the policy "
		    "fetched %s (%s, serial %" PRId64 ")", f->url, why, when, f->sha256,
		    f->meta.serial);
		break;
	case API_FLEET_EXPIRED:
		log_err("fleet policy from %s REFUSED, expired: %s; kept the policy "
		    "fetched %s (%s, serial %" PRId64 ")", f->url, why, when, f->sha256,
		    f->meta.serial);
		break;
	default:
		break;
	}
}

static const char *
outcome_what(enum api_fleet_outcome o)
{
	switch (o) {
	case API_FLEET_BAD_SIGNATURE:	return "bad signature";
	case API_FLEET_INVALID_POLICY:	return "invalid policy";
	case API_FLEET_ROLLBACK:	return "rollback";
	case API_FLEET_EXPIRED:		return "expired";
	default:			return "fetch failed";
	}
}

struct authz_settings *
api_fleet_load_initial(struct api_fleet *f, struct dw_err *err)
{
	struct authz_settings	*ret = NULL;
	struct fleet_doc	 lg, nd;
	struct dw_err		 lgerr, ferr, serr;
	enum api_fleet_outcome	 o;
	bool			 have_lg;
	int			 r;

	lgerr.msg[0] = ferr.msg[0] = '\0';
	if (fleet_load_mark(f, &serr) < 0)
		log_err("fleet: %s; the serial held is taken from the last good "
		    "copy alone", serr.msg);
	r = fleet_load_last_good(f, &lg, &lgerr);
	if ((have_lg = r == 0)) {
		fleet_in_force(f, &lg);
		fleet_record(f, API_FLEET_NONE, &lg);
	} else if (r != -ENOENT)
		log_err("fleet: the last good copy is not usable: %s", lgerr.msg);

	o = fleet_fetch(f, have_lg, &nd, &ferr);
	switch (o) {
	case API_FLEET_UPDATED:
		if (fleet_store(f, &nd, &serr) < 0)
			log_err("fleet: the last good copy was not written: %s", serr.msg);
		fleet_in_force(f, &nd);
		fleet_record(f, o, &nd);
		ret = nd.s;
		nd.s = NULL;
		break;
	case API_FLEET_NOT_MODIFIED:
		fleet_store_etag(f, nd.etag);
		fleet_record(f, o, NULL);
		ret = lg.s;
		lg.s = NULL;
		break;
	default:
		fleet_record(f, o, NULL);
		if (!have_lg) {
			dw_err_set(err, "fleet policy: %s: %s; and %s. dockward will not "
			    "enforce an unsigned or unvalidated policy, so it does not "
			    "start (dockerd refuses API calls while its authorization "
			    "plugin is missing). Fix: serve the policy and its signature "
			    "at %s (signed with the key of --settings-pubkey), or start "
			    "with --settings FILE", outcome_what(o), ferr.msg, lgerr.msg,
			    f->url);
			break;
		}
		log_err("fleet policy: %s: %s; starting from the last good copy %s",
		    outcome_what(o), ferr.msg, f->policy_path);
		ret = lg.s;
		lg.s = NULL;
		break;
	}
	if (o == API_FLEET_UPDATED || o == API_FLEET_NOT_MODIFIED)
		fleet_log(f, o, NULL, true);
	f->logged = o;	/* a failure was said above (or is the caller's error) */
	if (ret != NULL)
		fleet_expiry_watch(f, true);
	fleet_doc_clear(&lg);
	fleet_doc_clear(&nd);
	return ret;
}

/* One fetch and what follows from it (api_fleet_poll, before the expiry watch). */
static enum api_fleet_outcome
fleet_poll_once(struct api_fleet *f, bool reread, api_fleet_apply_fn apply, void *ctx)
{
	struct authz_settings	*s;
	struct fleet_doc	 d, lg;
	struct dw_err		 err, serr;
	enum api_fleet_outcome	 o;

	err.msg[0] = '\0';
	o = fleet_fetch(f, true, &d, &err);
	switch (o) {
	case API_FLEET_UPDATED:
		s = d.s;
		d.s = NULL;
		if (apply(ctx, s, &err) < 0) {
			o = API_FLEET_INVALID_POLICY;
			dw_err_prefix(&err, "not put in force");
			break;
		}
		/* In force first: the disk copy is never ahead of it. */
		if (fleet_store(f, &d, &serr) < 0)
			log_err("fleet: the last good copy was not written: %s", serr.msg);
		fleet_in_force(f, &d);
		fleet_record(f, o, &d);
		fleet_log(f, o, NULL, reread);
		fleet_doc_clear(&d);
		return o;
	case API_FLEET_NOT_MODIFIED:
		fleet_store_etag(f, d.etag);
		break;
	case API_FLEET_FETCH_FAILED:
		fleet_doc_clear(&d);	/* a policy whose signature could not be fetched */
		fleet_record(f, o, NULL);
		fleet_log(f, o, err.msg, reread);
		if (!reread)
			return o;
		/* SIGHUP: the admin may have put a signed copy in place by hand. */
		if (fleet_load_last_good(f, &lg, &serr) < 0) {
			log_err("fleet: the last good copy was not read again: %s", serr.msg);
			return o;
		}
		s = lg.s;
		lg.s = NULL;
		if (apply(ctx, s, &serr) < 0)
			log_err("fleet: the last good copy was not put in force: %s", serr.msg);
		else {
			fleet_in_force(f, &lg);
			fleet_record(f, API_FLEET_NONE, &lg);
			log_info("fleet: policy read again from the last good copy %s (%s)",
			    f->policy_path, lg.sha256);
		}
		fleet_doc_clear(&lg);
		return o;
	default:
		break;
	}
	fleet_record(f, o, NULL);
	fleet_log(f, o, err.msg, reread);
	fleet_doc_clear(&d);
	return o;
}

enum api_fleet_outcome
api_fleet_poll(struct api_fleet *f, bool reread, api_fleet_apply_fn apply, void *ctx)
{
	enum api_fleet_outcome	o;

	o = fleet_poll_once(f, reread, apply, ctx);
	fleet_expiry_watch(f, reread);
	return o;
}

/* ------------------------------------------------------------ thread */

static void *
fleet_main(void *arg)
{
	struct api_fleet	*f = arg;
	struct timespec		 ts;
	long			 ms;
	bool			 kick;

	pthread_mutex_lock(&f->lock);
	while (!f->stopping) {
		ms = api_fleet_jitter_ms(f->refresh_s, fleet_uniform(f));
		dw_time_mono_deadline(&ts, ms);
		while (!f->stopping && !f->kicked)
			if (pthread_cond_timedwait(&f->wake, &f->lock, &ts) == ETIMEDOUT)
				break;
		if (f->stopping)
			break;
		kick = f->kicked;
		f->kicked = false;
		pthread_mutex_unlock(&f->lock);
		api_fleet_poll(f, kick, f->apply, f->apply_ctx);
		pthread_mutex_lock(&f->lock);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

int
api_fleet_start(struct api_fleet *f, api_fleet_apply_fn apply, void *ctx,
    struct dw_err *err)
{
	int	r;

	f->apply = apply;
	f->apply_ctx = ctx;
	if ((r = pthread_create(&f->thread, NULL, fleet_main, f)) != 0) {
		dw_err_set(err, "cannot start the fleet policy thread: %s", strerror(r));
		return -r;
	}
	f->started = true;
	return 0;
}

void
api_fleet_kick(struct api_fleet *f)
{
	pthread_mutex_lock(&f->lock);
	f->kicked = true;
	pthread_cond_signal(&f->wake);
	pthread_mutex_unlock(&f->lock);
}

void
api_fleet_stop(struct api_fleet *f)
{
	if (f == NULL || !f->started)
		return;
	__atomic_store_n(&f->cancel, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&f->lock);
	f->stopping = true;
	pthread_cond_signal(&f->wake);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	f->started = false;
}

void
api_fleet_stats_get(struct api_fleet *f, struct api_fleet_stats *ret)
{
	pthread_mutex_lock(&f->lock);
	*ret = f->stats;
	pthread_mutex_unlock(&f->lock);
}

/* ------------------------------------------------------------ set up */

/* An https:// URL without white space or control characters. */
static int
check_url(const char *opt, const char *url, struct dw_err *err)
{
	const char	*p;

	if (strlen(url) > API_FLEET_URL_MAX) {
		dw_err_set(err, "%s: the URL is longer than %d bytes", opt, API_FLEET_URL_MAX);
		return -EINVAL;
	}
	for (p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f) {
			dw_err_set(err, "%s %s: white space or a control character "
			    "in the URL", opt, url);
			return -EINVAL;
		}
	if (strncasecmp(url, "https://", 8) != 0 || url[8] == '\0') {
		dw_err_set(err, "%s %s: only https:// URLs are accepted (the policy "
		    "comes over verified TLS; for a private CA add --settings-ca FILE)",
		    opt, url);
		return -EINVAL;
	}
	return 0;
}

/* The admin's public key: trusted as the policy file would be, then parsed. */
static int
load_key(struct api_fleet *f, const char *path, struct dw_err *err)
{
	char	*buf = NULL;
	size_t	 len;
	int	 r;

	if ((r = authz_settings_check_owner(path, err)) < 0) {
		dw_err_prefix(err, "--settings-pubkey %s", path);
		return r;
	}
	if ((r = dw_file_read_at(AT_FDCWD, path, O_NOFOLLOW | O_NOCTTY,
	    DIGEST_SIG_KEY_MAX, &buf, &len)) < 0) {
		dw_err_set(err, "--settings-pubkey %s: %s", path, strerror(-r));
		return r;
	}
	f->key = digest_sig_key_parse(buf, len, err);
	free(buf);
	if (f->key == NULL) {
		dw_err_prefix(err, "--settings-pubkey %s", path);
		return -EINVAL;
	}
	return 0;
}

/* mkdir 0700 unless it is there. */
static int
make_dir(const char *dir, struct dw_err *err)
{
	int	r;

	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	r = -errno;
	dw_err_set(err, "cannot create %s: %s", dir, strerror(errno));
	return r;
}

struct api_fleet *
api_fleet_new(const struct api_fleet_opts *opts, const struct api_fleet_fetcher *fetcher,
    struct dw_err *err)
{
	struct api_fleet	*f;
	pthread_condattr_t	 ca;
	size_t			 len;

	if (opts->url == NULL || opts->pubkey_path == NULL || opts->state_dir == NULL) {
		dw_err_set(err, "--settings-url needs --settings-pubkey FILE");
		return NULL;
	}
	if (check_url("--settings-url", opts->url, err) < 0 ||
	    (opts->sig_url != NULL && check_url("--settings-sig-url", opts->sig_url, err) < 0))
		return NULL;
	if (opts->ca_file != NULL && access(opts->ca_file, R_OK) < 0) {
		dw_err_set(err, "--settings-ca %s: %s", opts->ca_file, strerror(errno));
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		dw_err_set(err, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&f->wake, &ca);
	pthread_condattr_destroy(&ca);
	f->refresh_s = opts->refresh_s > 0 ? opts->refresh_s : API_FLEET_REFRESH_DEFAULT;
	if (fetcher != NULL)
		f->fetch = *fetcher;
	else {
		f->fetch.get = fleet_curl_get;
		f->fetch.ctx = f;
	}
	if (getrandom(&f->rnd, sizeof(f->rnd), GRND_NONBLOCK) != sizeof(f->rnd))
		f->rnd = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	f->rnd |= 1;	/* xorshift must not start at 0 */
	len = strlen(opts->url);
	if ((f->url = strdup(opts->url)) == NULL ||
	    (f->sig_url = opts->sig_url != NULL ? strdup(opts->sig_url) :
	    malloc(len + 5)) == NULL ||
	    (opts->ca_file != NULL && (f->ca_file = strdup(opts->ca_file)) == NULL)) {
		dw_err_set(err, "out of memory");
		goto fail;
	}
	if (opts->sig_url == NULL)
		snprintf(f->sig_url, len + 5, "%s.sig", opts->url);
	if (snprintf(f->dir, sizeof(f->dir), "%s/" API_FLEET_DIR, opts->state_dir) >=
	    (int)sizeof(f->dir) ||
	    snprintf(f->policy_path, sizeof(f->policy_path), "%s/%s", f->dir,
	    FLEET_POLICY_NAME) >= (int)sizeof(f->policy_path) ||
	    snprintf(f->sig_path, sizeof(f->sig_path), "%s/%s", f->dir,
	    FLEET_SIG_NAME) >= (int)sizeof(f->sig_path) ||
	    snprintf(f->etag_path, sizeof(f->etag_path), "%s/%s", f->dir,
	    FLEET_ETAG_NAME) >= (int)sizeof(f->etag_path) ||
	    snprintf(f->serial_path, sizeof(f->serial_path), "%s/%s", f->dir,
	    FLEET_SERIAL_NAME) >= (int)sizeof(f->serial_path)) {
		dw_err_set(err, "--state-dir %s: %s", opts->state_dir, strerror(ENAMETOOLONG));
		goto fail;
	}
	if (load_key(f, opts->pubkey_path, err) < 0 ||
	    make_dir(opts->state_dir, err) < 0 || make_dir(f->dir, err) < 0)
		goto fail;
	return f;
fail:
	api_fleet_free(f);
	return NULL;
}

void
api_fleet_free(struct api_fleet *f)
{
	if (f == NULL)
		return;
	api_fleet_stop(f);
	digest_sig_key_free(f->key);
	free(f->url);
	free(f->sig_url);
	free(f->ca_file);
	pthread_cond_destroy(&f->wake);
	pthread_mutex_destroy(&f->lock);
	free(f);
}
