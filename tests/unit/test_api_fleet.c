/*
 * Unit tests for api_fleet with a fake fetcher (an in-memory HTTPS server
 * that honours If-None-Match): the startup decision table (fetch ok; fetch
 * fails with and without a last good copy; bad signature or invalid policy
 * with a last good copy; 304 for the last good copy; a tampered last good
 * copy), the store (files, modes, ETag sent back), polls (304, rotation,
 * bad signature and invalid policy keep the old policy and the old copy,
 * a server without ETags, SIGHUP re-reading the last good copy), the
 * option checks and the jitter bounds.
 *
 * The last good copy is trusted like a policy file (root-owned), so the
 * tests that touch it need root; they are skipped otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "api/api_fleet.h"
#include "digest/digest_sig.h"

#define URL	"https://policy.example/fleet/admin-settings.json"
#define SIG_URL	URL ".sig"

/* The clock of the tests: 2026-12-05T10:00:00Z; the policies expire 2027-01-05T00:00:00Z. */
#define T_NOW		1796464800
#define T_EXPIRES	1799107200
#define DAY		86400
#define META(serial)	"\"policy\": { \"serial\": " #serial ", \"issued\": " \
			"\"2026-12-05T00:00:00Z\", \"expires\": \"2027-01-05T00:00:00Z\" }"

static const char policy_v1[] =
    "{ \"configurationFileVersion\": 2,\n"
    "  \"enhancedContainerIsolation\": { \"value\": true, \"locked\": true },\n"
    "  \"dockward\": { " META(1) " } }\n";
static const char policy_v2[] =
    "{ \"configurationFileVersion\": 2,\n"
    "  \"enhancedContainerIsolation\": { \"value\": true, \"locked\": true },\n"
    "  \"dockward\": { \"allowedCapabilities\": [\"NET_ADMIN\"], " META(2) " } }\n";
/* Serial 2 again, other bytes (no NET_ADMIN): the server did not bump the serial. */
static const char policy_v2_changed[] =
    "{ \"configurationFileVersion\": 2,\n"
    "  \"enhancedContainerIsolation\": { \"value\": true, \"locked\": true },\n"
    "  \"dockward\": { \"allowedCapabilities\": [], " META(2) " } }\n";
/* Serial 3, but expired on 2026-12-01. */
static const char policy_v3_expired[] =
    "{ \"configurationFileVersion\": 2,\n"
    "  \"enhancedContainerIsolation\": { \"value\": true, \"locked\": true },\n"
    "  \"dockward\": { \"policy\": { \"serial\": 3, \"issued\": \"2026-11-01T00:00:00Z\", "
    "\"expires\": \"2026-12-01T00:00:00Z\" } } }\n";
/* Signed and valid as a local file, but without serial and expiry. */
static const char policy_nometa[] =
    "{ \"configurationFileVersion\": 2,\n"
    "  \"enhancedContainerIsolation\": { \"value\": true, \"locked\": true } }\n";
/* Signed, but protectedPaths must be an array. */
static const char policy_bad[] =
    "{ \"configurationFileVersion\": 2, \"dockward\": { \"protectedPaths\": \"/etc\" } }\n";

/* The fake server: one policy, its signature, an ETag; counts what it saw. */
struct fake {
	char	policy[1024];
	char	sig[128];
	size_t	siglen;
	char	etag[64];	/* "" serves no ETag */
	bool	down;
	bool	no_sig;		/* the signature answers 404 */
	time_t	now;		/* the clock the fleet reads */
	int	policy_gets;
	int	sig_gets;
	int	not_modified;	/* 304s answered */
	char	seen_inm[64];	/* the last If-None-Match ("" none) */
};

struct fixture {
	char			 dir[64];	/* temp dir: key.pub, state/ */
	char			 state[96];
	char			 pub[96];
	EVP_PKEY		*priv;
	EVP_PKEY		*other;		/* another key, for bad signatures */
	struct fake		 srv;
	struct api_fleet_opts	 opts;
	struct api_fleet_fetcher fetcher;
	int			 applied;
	struct authz_settings	*last;		/* the last policy applied */
};

static time_t
fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static int
fake_get(void *ctx, const char *url, const char *etag, size_t max,
    struct api_fleet_resp *resp, struct dw_err *err)
{
	struct fake	*srv = ctx;
	const char	*body;
	size_t		 len;

	memset(resp, 0, sizeof(*resp));
	if (srv->down) {
		dw_err_set(err, "%s: Failed to connect: Connection refused", url);
		return -ECONNREFUSED;
	}
	if (strcmp(url, URL) == 0) {
		srv->policy_gets++;
		snprintf(srv->seen_inm, sizeof(srv->seen_inm), "%s", etag ? etag : "");
		if (etag != NULL && srv->etag[0] != '\0' && strcmp(etag, srv->etag) == 0) {
			srv->not_modified++;
			resp->status = 304;
			return 0;
		}
		body = srv->policy;
		len = strlen(srv->policy);
		snprintf(resp->etag, sizeof(resp->etag), "%s", srv->etag);
	} else if (strcmp(url, SIG_URL) == 0 && !srv->no_sig) {
		srv->sig_gets++;
		body = srv->sig;
		len = srv->siglen;
	} else {
		resp->status = 404;
		return 0;
	}
	assert_true(len <= max);
	resp->status = 200;
	resp->body = malloc(len + 1);
	assert_non_null(resp->body);
	memcpy(resp->body, body, len);
	resp->body[len] = '\0';
	resp->len = len;
	return 0;
}

/* Sign with key; the server now serves text, its signature and etag. */
static void
serve(struct fixture *fx, const char *text, EVP_PKEY *key, const char *etag)
{
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	size_t		 siglen = DIGEST_SIG_LEN;

	snprintf(fx->srv.policy, sizeof(fx->srv.policy), "%s", text);
	assert_int_equal(EVP_DigestSignInit(md, NULL, NULL, NULL, key), 1);
	assert_int_equal(EVP_DigestSign(md, (unsigned char *)fx->srv.sig, &siglen,
	    (const unsigned char *)text, strlen(text)), 1);
	EVP_MD_CTX_free(md);
	fx->srv.siglen = siglen;
	snprintf(fx->srv.etag, sizeof(fx->srv.etag), "%s", etag);
}

static int
apply(void *ctx, struct authz_settings *s, struct dw_err *err)
{
	struct fixture	*fx = ctx;

	authz_settings_free(fx->last);
	fx->last = s;
	fx->applied++;
	return 0;
}

static EVP_PKEY *
keygen(void)
{
	EVP_PKEY_CTX	*kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY	*k = NULL;

	assert_non_null(kc);
	assert_int_equal(EVP_PKEY_keygen_init(kc), 1);
	assert_int_equal(EVP_PKEY_keygen(kc, &k), 1);
	EVP_PKEY_CTX_free(kc);
	return k;
}

static int
setup(void **state)
{
	struct fixture	*fx;
	FILE		*fp;

	if (geteuid() != 0)
		return 0;	/* each test skips */
	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_api_fleet.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->state, sizeof(fx->state), "%s/state", fx->dir);
	snprintf(fx->pub, sizeof(fx->pub), "%s/key.pub", fx->dir);
	fx->priv = keygen();
	fx->other = keygen();
	assert_non_null(fp = fopen(fx->pub, "w"));
	assert_int_equal(PEM_write_PUBKEY(fp, fx->priv), 1);
	fclose(fp);
	chmod(fx->pub, 0644);
	fx->opts.url = URL;
	fx->opts.pubkey_path = fx->pub;
	fx->opts.state_dir = fx->state;
	fx->fetcher.get = fake_get;
	fx->fetcher.ctx = &fx->srv;
	fx->fetcher.now = fake_now;
	fx->srv.now = T_NOW;
	serve(fx, policy_v1, fx->priv, "\"v1\"");
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	char		 cmd[160];

	if (fx == NULL)
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", fx->dir);
	authz_settings_free(fx->last);
	EVP_PKEY_free(fx->priv);
	EVP_PKEY_free(fx->other);
	free(fx);
	*state = NULL;
	return 0;
}

static struct fixture *
fixture(void **state)
{
	if (*state == NULL)
		skip();
	return *state;
}

static struct api_fleet *
fleet(struct fixture *fx)
{
	struct api_fleet	*f;
	struct dw_err		 err;

	f = api_fleet_new(&fx->opts, &fx->fetcher, &err);
	if (f == NULL)
		fail_msg("api_fleet_new: %s", err.msg);
	return f;
}

/* The stored file state/fleet/name, whole (NUL-terminated), and its mode. */
static char *
stored(struct fixture *fx, const char *name, mode_t *mode)
{
	char		path[160], *buf;
	struct stat	st;
	FILE		*fp;
	long		n;

	snprintf(path, sizeof(path), "%s/fleet/%s", fx->state, name);
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	assert_int_equal(fstat(fileno(fp), &st), 0);
	if (mode != NULL)
		*mode = st.st_mode & 07777;
	buf = calloc(1, (size_t)st.st_size + 1);
	assert_non_null(buf);
	n = (long)fread(buf, 1, (size_t)st.st_size, fp);
	assert_int_equal(n, st.st_size);
	fclose(fp);
	return buf;
}

static void
assert_stored(struct fixture *fx, const char *name, const char *want)
{
	char	*got = stored(fx, name, NULL);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static bool
has_net_admin(const struct authz_settings *s)
{
	return dw_strv_contains(&s->allowed_capabilities, "NET_ADMIN");
}

/* Nothing stored, fetch ok: the served policy, stored 0600 with its signature and ETag. */
static void
test_initial_fetch_ok(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f = fleet(fx);
	struct api_fleet_stats	 st;
	struct authz_settings	*s;
	struct dw_err		 err;
	mode_t			 mode;
	char			*sig;

	s = api_fleet_load_initial(f, &err);
	assert_non_null(s);
	assert_true(s->eci_enabled);
	assert_false(has_net_admin(s));
	assert_string_equal(fx->srv.seen_inm, "");	/* nothing to be conditional on */
	assert_int_equal(fx->srv.sig_gets, 1);
	assert_stored(fx, "admin-settings.json", policy_v1);
	assert_stored(fx, "admin-settings.json.etag", "\"v1\"");
	sig = stored(fx, "admin-settings.json.sig", &mode);
	assert_non_null(sig);
	assert_int_equal(mode, 0600);
	assert_memory_equal(sig, fx->srv.sig, DIGEST_SIG_LEN);
	free(sig);
	free(stored(fx, "admin-settings.json", &mode));
	assert_int_equal(mode, 0600);
	api_fleet_stats_get(f, &st);
	assert_int_equal(st.count[API_FLEET_UPDATED], 1);
	assert_true(st.last_success > 0);
	assert_int_equal(strncmp(st.sha256, "sha256:", 7), 0);
	authz_settings_free(s);
	api_fleet_free(f);
}

/* Fetch fails, last good copy there: start from it. */
static void
test_initial_down_last_good(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f = fleet(fx);
	struct api_fleet_stats	 st;
	struct authz_settings	*s;
	struct dw_err		 err;

	authz_settings_free(api_fleet_load_initial(f, &err));
	api_fleet_free(f);

	fx->srv.down = true;
	f = fleet(fx);
	s = api_fleet_load_initial(f, &err);
	assert_non_null(s);
	assert_true(s->eci_enabled);
	api_fleet_stats_get(f, &st);
	assert_int_equal(st.count[API_FLEET_FETCH_FAILED], 1);
	assert_int_equal(st.count[API_FLEET_UPDATED], 0);
	assert_true(st.policy_time > 0);
	authz_settings_free(s);
	api_fleet_free(f);
}

/* Fetch fails, nothing stored: refuse, saying what failed and the fix. */
static void
test_initial_down_none(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f;
	struct dw_err		 err;

	fx->srv.down = true;
	f = fleet(fx);
	assert_null(api_fleet_load_initial(f, &err));
	assert_non_null(strstr(err.msg, "fetch failed"));
	assert_non_null(strstr(err.msg, "Connection refused"));
	assert_non_null(strstr(err.msg, "no last good copy"));
	assert_non_null(strstr(err.msg, "Fix:"));
	api_fleet_free(f);
}

/* A bad signature with nothing stored: refused too, and nothing is stored. */
static void
test_initial_bad_sig_none(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f;
	struct dw_err		 err;

	serve(fx, policy_v1, fx->other, "\"v1\"");
	f = fleet(fx);
	assert_null(api_fleet_load_initial(f, &err));
	assert_non_null(strstr(err.msg, "bad signature"));
	assert_null(stored(fx, "admin-settings.json", NULL));
	api_fleet_free(f);
}

/* A bad signature or an invalid policy, last good copy there: start from it. */
static void
test_initial_refused_last_good(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f = fleet(fx);
	struct api_fleet_stats	 st;
	struct authz_settings	*s;
	struct dw_err		 err;

	authz_settings_free(api_fleet_load_initial(f, &err));
	api_fleet_free(f);

	serve(fx, policy_v2, fx->other, "\"v2\"");
	f = fleet(fx);
	s = api_fleet_load_initial(f, &err);
	assert_non_null(s);
	assert_false(has_net_admin(s));		/* v1, not the unsigned v2 */
	assert_string_equal(fx->srv.seen_inm, "\"v1\"");
	api_fleet_stats_get(f, &st);
	assert_int_equal(st.count[API_FLEET_BAD_SIGNATURE], 1);
	authz_settings_free(s);
	api_fleet_free(f);
	assert_stored(fx, "admin-settings.json", policy_v1);

	serve(fx, policy_bad, fx->priv, "\"bad\"");
	f = fleet(fx);
	s = api_fleet_load_initial(f, &err);
	assert_non_null(s);
	assert_false(has_net_admin(s));
	api_fleet_stats_get(f, &st);
	assert_int_equal(st.count[API_FLEET_INVALID_POLICY], 1);
	authz_settings_free(s);
	api_fleet_free(f);
	assert_stored(fx, "admin-settings.json", policy_v1);
}

/* A restart with the server unchanged: one conditional GET, a 304, no signature fetch. */
static void
test_initial_not_modified(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f = fleet(fx);
	struct api_fleet_stats	 st;
	struct authz_settings	*s;
	struct dw_err		 err;

	authz_settings_free(api_fleet_load_initial(f, &err));
	api_fleet_free(f);
	f = fleet(fx);
	s = api_fleet_load_initial(f, &err);
	assert_non_null(s);
	assert_int_equal(fx->srv.not_modified, 1);
	assert_int_equal(fx->srv.sig_gets, 1);
	api_fleet_stats_get(f, &st);
	assert_int_equal(st.count[API_FLEET_NOT_MODIFIED], 1);
	authz_settings_free(s);
	api_fleet_free(f);
}

/* A last good copy changed on disk: its signature no longer matches, not used. */
static void
test_last_good_tampered(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f = fleet(fx);
	struct dw_err		 err;
	char			 path[160];
	FILE			*fp;

	authz_settings_free(api_fleet_load_initial(f, &err));
	api_fleet_free(f);
	snprintf(path, sizeof(path), "%s/fleet/admin-settings.json", fx->state);
	assert_non_null(fp = fopen(path, "w"));
	fputs(policy_v2, fp);
	fclose(fp);
	fx->srv.down = true;
	f = fleet(fx);
	assert_null(api_fleet_load_initial(f, &err));
	assert_non_null(strstr(err.msg, "does not match"));
	api_fleet_free(f);
}

/*
 * Audit-only mode cannot be switched on locally under a fleet policy: the
 * only local copy is the last good one, and an edit that relaxes
 * enforcement breaks its signature, whether the server is down or answers
 * 304 for it (docs/fleet.md, "Enforcement").
 */
static void
test_local_cannot_relax(void **state)
{
	static const char relaxed[] =
	    "{ \"configurationFileVersion\": 2,\n"
	    "  \"enhancedContainerIsolation\": { \"value\": true, \"locked\": true },\n"
	    "  \"dockward\": { \"enforcement\": \"audit\" } }\n";
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f = fleet(fx);
	struct authz_settings	*s;
	struct dw_err		 err;
	char			 path[160];
	FILE			*fp;

	s = api_fleet_load_initial(f, &err);
	assert_non_null(s);
	assert_false(s->enforce.any_audit);
	authz_settings_free(s);
	api_fleet_free(f);
	snprintf(path, sizeof(path), "%s/fleet/admin-settings.json", fx->state);
	assert_non_null(fp = fopen(path, "w"));
	fputs(relaxed, fp);
	fclose(fp);
	/* The server answers 304 for the copy's ETag: the copy is checked, not trusted. */
	f = fleet(fx);
	s = api_fleet_load_initial(f, &err);
	assert_true(s == NULL || !s->enforce.any_audit);
	authz_settings_free(s);
	api_fleet_free(f);
	/* The server down: the copy is all there is, and it is refused. */
	assert_non_null(fp = fopen(path, "w"));
	fputs(relaxed, fp);
	fclose(fp);
	fx->srv.down = true;
	f = fleet(fx);
	assert_null(api_fleet_load_initial(f, &err));
	assert_non_null(strstr(err.msg, "does not match"));
	api_fleet_free(f);
}

/* Polls: 304 while unchanged; a rotation is applied, stored, and its ETag sent next. */
static void
test_poll_rotate(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f = fleet(fx);
	struct api_fleet_stats	 st;
	struct dw_err		 err;

	authz_settings_free(api_fleet_load_initial(f, &err));
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_NOT_MODIFIED);
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_NOT_MODIFIED);
	assert_int_equal(fx->srv.not_modified, 2);
	assert_int_equal(fx->applied, 0);

	serve(fx, policy_v2, fx->priv, "\"v2\"");
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_UPDATED);
	assert_string_equal(fx->srv.seen_inm, "\"v1\"");
	assert_int_equal(fx->applied, 1);
	assert_true(has_net_admin(fx->last));
	assert_stored(fx, "admin-settings.json", policy_v2);
	assert_stored(fx, "admin-settings.json.etag", "\"v2\"");

	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_NOT_MODIFIED);
	assert_string_equal(fx->srv.seen_inm, "\"v2\"");
	api_fleet_stats_get(f, &st);
	assert_int_equal(st.count[API_FLEET_UPDATED], 2);
	assert_int_equal(st.count[API_FLEET_NOT_MODIFIED], 3);
	api_fleet_free(f);
}

/* A rotation with a bad signature, then an invalid one: old policy and copy stay. */
static void
test_poll_refused(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f = fleet(fx);
	struct api_fleet_stats	 st;
	struct dw_err		 err;

	authz_settings_free(api_fleet_load_initial(f, &err));
	serve(fx, policy_v2, fx->other, "\"v2\"");
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_BAD_SIGNATURE);
	/* Truncated signature: refused as well. */
	fx->srv.siglen = 40;
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_BAD_SIGNATURE);
	serve(fx, policy_bad, fx->priv, "\"bad\"");
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_INVALID_POLICY);
	assert_int_equal(fx->applied, 0);
	assert_stored(fx, "admin-settings.json", policy_v1);
	assert_stored(fx, "admin-settings.json.etag", "\"v1\"");
	/* The ETag of a refused policy is not kept: the next poll still asks for v1's. */
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_INVALID_POLICY);
	assert_string_equal(fx->srv.seen_inm, "\"v1\"");
	/* A new policy whose signature is missing: a fetch failure, nothing applied. */
	serve(fx, policy_v2, fx->priv, "\"v2\"");
	fx->srv.no_sig = true;
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_FETCH_FAILED);
	fx->srv.down = true;
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_FETCH_FAILED);
	assert_int_equal(fx->applied, 0);
	assert_stored(fx, "admin-settings.json", policy_v1);
	api_fleet_stats_get(f, &st);
	assert_int_equal(st.count[API_FLEET_BAD_SIGNATURE], 2);
	assert_int_equal(st.count[API_FLEET_INVALID_POLICY], 2);
	assert_int_equal(st.count[API_FLEET_FETCH_FAILED], 2);
	api_fleet_free(f);
}

/* A server without ETags: the same bytes again are "not modified", no signature fetch. */
static void
test_poll_no_etag(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f;
	struct dw_err		 err;

	serve(fx, policy_v1, fx->priv, "");
	f = fleet(fx);
	authz_settings_free(api_fleet_load_initial(f, &err));
	assert_null(stored(fx, "admin-settings.json.etag", NULL));
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_NOT_MODIFIED);
	assert_int_equal(fx->srv.policy_gets, 2);
	assert_int_equal(fx->srv.sig_gets, 1);
	assert_int_equal(fx->applied, 0);
	api_fleet_free(f);
}

/* SIGHUP with the server down: the last good copy is read again and applied. */
static void
test_poll_reread(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f = fleet(fx);
	struct dw_err		 err;

	authz_settings_free(api_fleet_load_initial(f, &err));
	fx->srv.down = true;
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_FETCH_FAILED);
	assert_int_equal(fx->applied, 0);
	assert_int_equal(api_fleet_poll(f, true, apply, fx), API_FLEET_FETCH_FAILED);
	assert_int_equal(fx->applied, 1);
	assert_true(fx->last->eci_enabled);
	api_fleet_free(f);
}

/* Remove state/fleet/name. */
static void
unstore(struct fixture *fx, const char *name)
{
	char	path[160];

	snprintf(path, sizeof(path), "%s/fleet/%s", fx->state, name);
	assert_int_equal(unlink(path), 0);
}

/* Start from v2 (serial 2): the policy in force for the rollback tests. */
static struct api_fleet *
fleet_at_v2(struct fixture *fx)
{
	struct api_fleet	*f;
	struct dw_err		 err;

	serve(fx, policy_v2, fx->priv, "\"v2\"");
	f = fleet(fx);
	authz_settings_free(api_fleet_load_initial(f, &err));
	assert_stored(fx, "admin-settings.json", policy_v2);
	return f;
}

/*
 * The server replays v1 (serial 1, correctly signed), then changes v2
 * without a new serial: both refused as rollbacks, v2 stays in force and
 * on disk, and the serial held is stored with the digest of v2.
 */
static void
test_poll_rollback(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f = fleet_at_v2(fx);
	struct api_fleet_stats	 st;
	char			*mark;

	mark = stored(fx, "admin-settings.json.serial", NULL);
	assert_non_null(mark);
	api_fleet_stats_get(f, &st);
	assert_int_equal(strncmp(mark, "2 sha256:", 9), 0);
	assert_int_equal(strlen(mark), 2 + strlen(st.sha256) + 1);
	assert_memory_equal(mark + 2, st.sha256, strlen(st.sha256));
	assert_int_equal(mark[strlen(mark) - 1], '\n');
	free(mark);
	assert_int_equal(st.meta.serial, 2);
	assert_int_equal(st.held_serial, 2);
	assert_int_equal(st.meta.expires, T_EXPIRES);

	serve(fx, policy_v1, fx->priv, "\"v1\"");
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_ROLLBACK);
	assert_int_equal(fx->srv.sig_gets, 2);	/* it was verified: a signed replay */
	serve(fx, policy_v2_changed, fx->priv, "\"v2b\"");
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_ROLLBACK);
	assert_int_equal(fx->applied, 0);
	assert_stored(fx, "admin-settings.json", policy_v2);
	assert_stored(fx, "admin-settings.json.etag", "\"v2\"");
	api_fleet_stats_get(f, &st);
	assert_int_equal(st.count[API_FLEET_ROLLBACK], 2);
	assert_int_equal(st.meta.serial, 2);
	assert_string_equal(api_fleet_outcome_name(API_FLEET_ROLLBACK), "rollback");

	/* Rolling forward: serial 3 is taken. */
	serve(fx, policy_v3_expired, fx->priv, "\"v3\"");
	fx->srv.now = 1795000000;	/* 2026-11-18: v3 is still in date */
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_UPDATED);
	api_fleet_stats_get(f, &st);
	assert_int_equal(st.meta.serial, 3);
	assert_int_equal(st.held_serial, 3);
	api_fleet_free(f);
}

/* A signed policy past its expiry is refused; one without serial or expiry too. */
static void
test_poll_expired_nometa(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f = fleet_at_v2(fx);
	struct api_fleet_stats	 st;
	struct dw_err		 err;

	serve(fx, policy_v3_expired, fx->priv, "\"v3\"");
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_EXPIRED);
	serve(fx, policy_nometa, fx->priv, "\"nometa\"");
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_INVALID_POLICY);
	assert_int_equal(fx->applied, 0);
	assert_stored(fx, "admin-settings.json", policy_v2);
	api_fleet_stats_get(f, &st);
	assert_int_equal(st.count[API_FLEET_EXPIRED], 1);
	assert_int_equal(st.count[API_FLEET_INVALID_POLICY], 1);
	api_fleet_free(f);

	/* Nothing stored: neither may start a host. */
	unstore(fx, "admin-settings.json");
	unstore(fx, "admin-settings.json.sig");
	unstore(fx, "admin-settings.json.serial");
	f = fleet(fx);
	assert_null(api_fleet_load_initial(f, &err));
	assert_non_null(strstr(err.msg, "invalid policy: a fleet policy must carry a "
	    "serial and an expiry"));
	api_fleet_free(f);
	serve(fx, policy_v3_expired, fx->priv, "\"v3\"");
	f = fleet(fx);
	assert_null(api_fleet_load_initial(f, &err));
	assert_non_null(strstr(err.msg, "expired: serial 3 expired at "
	    "2026-12-01T00:00:00Z (4d 10h ago)"));
	api_fleet_free(f);
}

/*
 * The serial held survives restarts: with v2 held, a restart against a
 * server replaying v1 starts from v2; without the last good copy (the
 * serial file alone) it refuses to start rather than take v1; a copy
 * put back by hand that is older than the serial held is not used.
 */
static void
test_restart_held(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f = fleet_at_v2(fx);
	struct api_fleet_stats	 st;
	struct authz_settings	*s;
	struct dw_err		 err;
	char			*v1sig;
	size_t			 v1siglen;
	char			 path[160];
	FILE			*fp;

	api_fleet_free(f);
	serve(fx, policy_v1, fx->priv, "\"v1\"");
	v1siglen = fx->srv.siglen;
	v1sig = malloc(v1siglen);
	assert_non_null(v1sig);
	memcpy(v1sig, fx->srv.sig, v1siglen);
	f = fleet(fx);
	s = api_fleet_load_initial(f, &err);
	assert_non_null(s);
	assert_true(has_net_admin(s));		/* v2 */
	authz_settings_free(s);
	api_fleet_stats_get(f, &st);
	assert_int_equal(st.count[API_FLEET_ROLLBACK], 1);
	api_fleet_free(f);

	/* The copy gone, the serial file left: v1 cannot start the host. */
	unstore(fx, "admin-settings.json");
	f = fleet(fx);
	assert_null(api_fleet_load_initial(f, &err));
	assert_non_null(strstr(err.msg, "rollback: serial 1 is lower than 2"));
	api_fleet_free(f);

	/* v1's signed pair put back as the last good copy: refused as well. */
	snprintf(path, sizeof(path), "%s/fleet/admin-settings.json", fx->state);
	assert_non_null(fp = fopen(path, "w"));
	fputs(policy_v1, fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/fleet/admin-settings.json.sig", fx->state);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(v1sig, 1, v1siglen, fp), v1siglen);
	fclose(fp);
	free(v1sig);
	fx->srv.down = true;
	f = fleet(fx);
	assert_null(api_fleet_load_initial(f, &err));
	assert_non_null(strstr(err.msg, "serial 1 is lower than 2"));
	api_fleet_free(f);

	/* v2 served again: taken (same serial, same bytes as held). */
	fx->srv.down = false;
	serve(fx, policy_v2, fx->priv, "\"v2\"");
	f = fleet(fx);
	s = api_fleet_load_initial(f, &err);
	assert_non_null(s);
	assert_true(has_net_admin(s));
	authz_settings_free(s);
	api_fleet_free(f);
	assert_stored(fx, "admin-settings.json", policy_v2);
}

/*
 * The policy in force against the clock: valid, then within its window
 * (a tenth of its 31-day life), then expired, and still in force: no
 * apply, the same digest, the same serial; a newer policy ends it.
 */
static void
test_expiry_in_force(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet	*f = fleet_at_v2(fx);
	struct api_fleet_stats	 st, st0;

	api_fleet_stats_get(f, &st0);
	assert_int_equal(st0.expiry, AUTHZ_POLICYMETA_VALID);
	fx->srv.now = T_EXPIRES - 3 * DAY;
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_NOT_MODIFIED);
	api_fleet_stats_get(f, &st);
	assert_int_equal(st.expiry, AUTHZ_POLICYMETA_EXPIRING);
	fx->srv.now = T_EXPIRES + 1;
	assert_int_equal(api_fleet_poll(f, false, apply, fx), API_FLEET_NOT_MODIFIED);
	fx->srv.down = true;
	assert_int_equal(api_fleet_poll(f, true, apply, fx), API_FLEET_FETCH_FAILED);
	api_fleet_stats_get(f, &st);
	assert_int_equal(st.expiry, AUTHZ_POLICYMETA_EXPIRED);
	assert_string_equal(st.sha256, st0.sha256);
	assert_int_equal(st.meta.serial, 2);
	/* The SIGHUP re-read the (expired) last good copy and kept it in force. */
	assert_int_equal(fx->applied, 1);
	assert_true(has_net_admin(fx->last));
	api_fleet_free(f);
}

/* Options: https only, a key file only root can write, an Ed25519 key. */
static void
test_new_refuses(void **state)
{
	struct fixture		*fx = fixture(state);
	struct api_fleet_opts	 o = fx->opts;
	struct dw_err		 err;
	FILE			*fp;

	o.url = "http://policy.example/admin-settings.json";
	assert_null(api_fleet_new(&o, &fx->fetcher, &err));
	assert_non_null(strstr(err.msg, "only https://"));
	o.url = URL;
	o.sig_url = "ftp://policy.example/x.sig";
	assert_null(api_fleet_new(&o, &fx->fetcher, &err));
	o.sig_url = NULL;
	o.url = "https://policy.example/a b";
	assert_null(api_fleet_new(&o, &fx->fetcher, &err));
	o.url = URL;
	chmod(fx->pub, 0666);
	assert_null(api_fleet_new(&o, &fx->fetcher, &err));
	assert_non_null(strstr(err.msg, "--settings-pubkey"));
	assert_non_null(strstr(err.msg, "writable by group or others"));
	chmod(fx->pub, 0644);
	assert_non_null(fp = fopen(fx->pub, "w"));
	fputs("not a key\n", fp);
	fclose(fp);
	assert_null(api_fleet_new(&o, &fx->fetcher, &err));
	assert_non_null(strstr(err.msg, "not a PEM public key"));
	o.pubkey_path = "/nonexistent/key.pub";
	assert_null(api_fleet_new(&o, &fx->fetcher, &err));
}

/* refresh +-10%, never 0. */
static void
test_jitter(void **state)
{
	double	u;
	long	ms;

	assert_int_equal(api_fleet_jitter_ms(60, 0.0), 54000);
	assert_int_equal(api_fleet_jitter_ms(60, 0.5), 60000);
	for (u = 0; u < 1; u += 0.01) {
		ms = api_fleet_jitter_ms(60, u);
		assert_true(ms >= 54000 && ms < 66000);
	}
	assert_true(api_fleet_jitter_ms(60, 0.999999) > 65990);
	assert_int_equal(api_fleet_jitter_ms(2, 0.0), 1800);
	assert_true(api_fleet_jitter_ms(1, 0.0) >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_initial_fetch_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initial_down_last_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initial_down_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initial_bad_sig_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initial_refused_last_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initial_not_modified, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_good_tampered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_cannot_relax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_rotate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_no_etag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_reread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_expired_nometa, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry_in_force, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_refuses, setup, teardown),
		cmocka_unit_test(test_jitter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
