/* cli_doctor_probe: doctor's live checks of dockward's sockets, policy, registries and cache. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cli/cli_doctor_probe.h"
#include "cli/cli_doctor_report.h"
#include "api/api_verify.h"
#include "common/dw_buf.h"
#include "common/dw_file.h"
#include "common/dw_limits.h"
#include "common/dw_paths.h"
#include "digest/digest_sha256.h"
#include "digest/digest_trust.h"
#include "registry/registry_auth.h"
#include "registry/registry_client.h"

#define CHECK_PFILE	"policy.file"
#define CHECK_PLUGIN	"plugin.reachable"
#define CHECK_GATE	"gatekeeper.socket"
#define CHECK_REGISTRY	"registry.reachable"
#define CHECK_ACCESS	"registryAccess.reachable"
#define CHECK_CACHE	"cache.age"
#define EXPOSE_KEY	"exposeDockerAPIOnTCP2375"

/* The cache file in the state directory (api_serve.c names it so). */
#define PROBE_CACHE_FILE	"registry-cache.json"
#define PROBE_HTTP_MAX		(64 * 1024)	/* one plugin/gatekeeper answer */
#define PROBE_HTTP_TIMEOUT_MS	5000L
#define PROBE_CONNECT_MS	2000L
/* Doctor asks each registry once, briefly: a dead one must not stall it. */
#define PROBE_REG_CONNECT_MS	2000L
#define PROBE_REG_TIMEOUT_MS	5000L

/* ---- the default ops: real sockets, real registries, the real clock ---- */

struct probe_buf {
	char	*data;
	size_t	 len;
	bool	 too_big;
};

static size_t
probe_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct probe_buf	*b = userdata;
	size_t			 n = size * nmemb;
	int			 r;

	if ((r = dw_buf_append(&b->data, &b->len, PROBE_HTTP_MAX, ptr, n)) < 0) {
		b->too_big = r == -E2BIG;
		return 0;
	}
	return n;
}

static int
probe_unix_http(void *ctx, const char *sock, const char *method,
    const char *uri, const char *body, long *ret_status, char **ret_body,
    struct dw_err *err)
{
	struct curl_slist	*hdrs = NULL;
	struct probe_buf	 b = { 0 };
	CURL			*h;
	CURLcode		 cc;
	char			 url[DW_URI_MAX];
	long			 status = 0;
	int			 r;

	(void)ctx;
	snprintf(url, sizeof(url), "http://localhost%s", uri);
	if ((h = curl_easy_init()) == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, sock);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, probe_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, PROBE_HTTP_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, PROBE_CONNECT_MS);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
	if (strcmp(method, "POST") == 0) {
		hdrs = curl_slist_append(NULL, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body != NULL ? body : "");
	} else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	if (cc != CURLE_OK) {
		if (b.too_big) {
			dw_err_set(err, "answer over %d bytes", PROBE_HTTP_MAX);
			r = -E2BIG;
		} else {
			dw_err_set(err, "%s", curl_easy_strerror(cc));
			r = cc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT :
			    cc == CURLE_COULDNT_CONNECT ? -ECONNREFUSED : -EIO;
		}
		free(b.data);
		return r;
	}
	if (b.data == NULL && (b.data = strdup("")) == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	*ret_status = status;
	*ret_body = b.data;
	return 0;
}

static int
probe_resolve(void *ctx, const struct authz_settings *s,
    const struct digest_ref *ref, char digest[DIGEST_SHA256_STRLEN],
    struct dw_err *err)
{
	struct registry_opts	 ro = { 0 };
	struct digest_facts	 f = { 0 };
	struct registry_client	*c;
	int			 r;

	(void)ctx;
	ro.ca_file = s->registry_ca_file;
	ro.insecure = s->insecure_registries;
	ro.docker_config = s->docker_config;
	ro.connect_timeout_ms = PROBE_REG_CONNECT_MS;
	ro.timeout_ms = PROBE_REG_TIMEOUT_MS;
	ro.retries = -1;	/* none: doctor reports, it does not insist */
	if ((c = registry_client_new(&ro, err)) == NULL)
		return -EINVAL;
	if ((r = registry_client_resolve(c, ref, &f, err)) == 0)
		snprintf(digest, DIGEST_SHA256_STRLEN, "%s", f.digest);
	digest_facts_clear(&f);
	registry_client_free(c);
	return r;
}

static int
probe_ping(void *ctx, const struct authz_settings *s, const char *host,
    long *ret_status, struct registry_auth_challenge *ret_ch, struct dw_err *err)
{
	struct registry_opts	 ro = { 0 };
	struct registry_client	*c;
	int			 r;

	(void)ctx;
	ro.ca_file = s->registry_ca_file;
	ro.insecure = s->insecure_registries;
	ro.connect_timeout_ms = PROBE_REG_CONNECT_MS;
	ro.timeout_ms = PROBE_REG_TIMEOUT_MS;
	ro.retries = -1;
	if ((c = registry_client_new(&ro, err)) == NULL)
		return -EINVAL;
	r = registry_client_ping(c, host, ret_status, ret_ch, err);
	registry_client_free(c);
	return r;
}

static time_t
probe_now(void *ctx)
{
	(void)ctx;
	return time(NULL);
}

const struct cli_doctor_probe_ops cli_doctor_probe_ops_default = {
	.ctx = NULL,
	.unix_http = probe_unix_http,
	.resolve = probe_resolve,
	.ping = probe_ping,
	.now = probe_now,
};

static const struct cli_doctor_probe_ops *
ops_of(const struct cli_doctor_probe_opts *o)
{
	return o->ops != NULL ? o->ops : &cli_doctor_probe_ops_default;
}

/* "3d4h", "2h5m", "7m", "42s": an age for a person. */
static void
age_fmt(long secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs >= 86400)
		snprintf(buf, len, "%ldd%ldh", secs / 86400, secs % 86400 / 3600);
	else if (secs >= 3600)
		snprintf(buf, len, "%ldh%ldm", secs / 3600, secs % 3600 / 60);
	else if (secs >= 60)
		snprintf(buf, len, "%ldm", secs / 60);
	else
		snprintf(buf, len, "%lds", secs);
}

/* ---- policy.file ---- */

int
cli_doctor_probe_policy(const struct cli_doctor_probe_opts *o,
    struct authz_settings **ret, struct cli_doctor_report *rep)
{
	struct authz_settings	*s;
	struct dw_err		 err;
	char			*buf = NULL;
	size_t			 len, i;
	bool			 strict;
	int			 r;

	*ret = NULL;
	/* The loader's own StrictModes walk: doctor says what serve would refuse. */
	r = authz_settings_check_owner(o->settings_path, &err);
	strict = r == 0;
	if (r == -ENOENT)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_PFILE, "%s; dockward serve does not start without "
		    "its policy: write one (see dockward check) or pass "
		    "--settings FILE", err.msg);
	if (r < 0 && r != -EPERM)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_PFILE, "%s; dockward serve cannot load it either",
		    err.msg);
	if (r < 0 && (r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
	    CHECK_PFILE, "%s (dockward serve refuses a policy that a non-root "
	    "user could have written)", err.msg)) < 0)
		return r;
	/* Parsed even when untrusted, so the checks after this one still run. */
	if ((r = dw_file_read_at(AT_FDCWD, o->settings_path, O_NOCTTY,
	    DW_SETTINGS_MAX, &buf, &len)) < 0)
		return r == -ENOMEM ? r : cli_doctor_report_add(rep,
		    CLI_DOCTOR_REPORT_FAIL, CHECK_PFILE, "cannot read %s: %s",
		    o->settings_path, strerror(-r));
	s = authz_settings_parse(buf, len, o->settings_path, &err);
	free(buf);
	if (s == NULL)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_PFILE, "%s does not load: %s; dockward serve refuses "
		    "it (a running one keeps its last good policy); fix it and "
		    "check it with dockward check --settings %s",
		    o->settings_path, err.msg, o->settings_path);
	r = 0;
	if (strict)
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_PFILE, "%s is root-owned in directories only root "
		    "can write, and loads (%zu imageList entries)",
		    o->settings_path, s->nimages);
	for (i = 0; r >= 0 && i < s->warnings.n; i++) {
		/* Doctor checks this one against dockerd's listeners itself. */
		if (strncmp(s->warnings.v[i], EXPOSE_KEY ":",
		    strlen(EXPOSE_KEY ":")) == 0)
			continue;
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_PFILE, "%s: %s", o->settings_path, s->warnings.v[i]);
	}
	if (r < 0)
		authz_settings_free(s);
	else
		*ret = s;
	return r;
}

/* ---- plugin.reachable ---- */

/*
 * Does JSON text body have member key, a boolean true (val NULL) or an
 * array holding val?  msg (may be NULL) gets the answer's Msg or Err, else
 * the start of the body.
 */
static bool
json_has(const char *body, const char *key, const char *val, char *msg,
    size_t msglen)
{
	json_t		*j, *m, *e;
	size_t		 i;
	bool		 ok = false;

	if (msg != NULL)
		snprintf(msg, msglen, "%.200s", body);
	if ((j = json_loads(body, 0, NULL)) == NULL)
		return false;
	m = json_object_get(j, key);
	if (val == NULL)
		ok = json_is_true(m);
	else
		json_array_foreach(m, i, e)
			ok = ok || (json_is_string(e) &&
			    strcmp(json_string_value(e), val) == 0);
	if (msg != NULL) {
		e = json_object_get(j, "Msg");
		if (!json_is_string(e) || json_string_length(e) == 0)
			e = json_object_get(j, "Err");
		if (json_is_string(e))
			snprintf(msg, msglen, "%s", json_string_value(e));
	}
	json_decref(j);
	return ok;
}

int
cli_doctor_probe_plugin(const struct cli_doctor_probe_opts *o, bool configured,
    struct cli_doctor_report *rep)
{
	static const char authz_ping[] = "{\"User\":\"\",\"UserAuthNMethod\":\"\","
	    "\"RequestMethod\":\"GET\",\"RequestURI\":\"/_ping\","
	    "\"RequestHeaders\":{}}";
	const struct cli_doctor_probe_ops	*ops = ops_of(o);
	enum cli_doctor_report_level		 bad = configured ?
	    CLI_DOCTOR_REPORT_FAIL : CLI_DOCTOR_REPORT_WARN;
	const char				*sock = o->plugin_socket;
	const char				*why = configured ? "a dockerd "
	    "uses the plugin, and while it cannot ask it, dockerd refuses "
	    "every API call" : "no dockerd found uses it either";
	struct dw_err				 err;
	char					*body = NULL, msg[512];
	long					 status = 0;
	int					 r;

	if (sock == NULL)
		return 0;
	r = ops->unix_http(ops->ctx, sock, "POST", "/Plugin.Activate", "{}",
	    &status, &body, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		r = cli_doctor_report_add(rep, bad, CHECK_PLUGIN, "nothing "
		    "answers at dockward's plugin socket %s (%s): %s; start "
		    "dockward (dockward serve --plugin-socket %s), or pass "
		    "doctor the socket it listens on (--plugin-socket; none "
		    "when only the gatekeeper is used)", sock, err.msg, why,
		    sock);
		goto out;
	}
	if (status != 200 || !json_has(body, "Implements", "authz", NULL, 0)) {
		r = cli_doctor_report_add(rep, bad, CHECK_PLUGIN, "%s answers "
		    "POST /Plugin.Activate with HTTP %ld and no \"authz\" in "
		    "Implements: not dockward's authorization plugin; %s; "
		    "check what listens there", sock, status, why);
		goto out;
	}
	free(body);
	body = NULL;
	r = ops->unix_http(ops->ctx, sock, "POST", "/AuthZPlugin.AuthZReq",
	    authz_ping, &status, &body, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		r = cli_doctor_report_add(rep, bad, CHECK_PLUGIN, "%s "
		    "activates but an AuthZReq for GET /_ping gets no answer "
		    "(%s); see dockward's log", sock, err.msg);
	else if (!json_has(body, "Allow", NULL, msg, sizeof(msg)) && status == 200 &&
	    strstr(msg, "(request.unstamped)") != NULL)
		/* serve --require-gatekeeper: our probe has no stamp, and rightly so. */
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_PLUGIN, "%s answers Plugin.Activate with \"authz\" "
		    "and allows only requests the gatekeeper decided "
		    "(--require-gatekeeper): this probe, sent past it, is "
		    "denied (request.unstamped)", sock);
	else if (!json_has(body, "Allow", NULL, msg, sizeof(msg)) || status != 200)
		r = cli_doctor_report_add(rep, bad, CHECK_PLUGIN, "%s denies "
		    "GET /_ping (HTTP %ld: %s), so every docker command "
		    "through a dockerd that uses it fails; check the policy "
		    "and dockward's log", sock, status, msg);
	else
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_PLUGIN, "%s answers Plugin.Activate with \"authz\" "
		    "and allows GET /_ping", sock);
out:
	free(body);
	return r;
}

/* ---- gatekeeper.socket ---- */

/* The name of group gid, or its number. */
static void
group_name(gid_t gid, char *buf, size_t len)
{
	struct group	*gr;

	if ((gr = getgrgid(gid)) != NULL)
		snprintf(buf, len, "%s", gr->gr_name);
	else
		snprintf(buf, len, "%u", (unsigned)gid);
}

/*
 * Can a non-root user connect to the socket at path?  Connecting needs
 * write permission on the socket and search permission on every directory
 * above it; a member of the socket's group or its non-root owner may get
 * that through the directory's group or owner bits (ACLs are not read).
 * true with who naming them.
 */
static bool
sock_nonroot_reach(const char *path, const struct stat *st, char *who,
    size_t wholen)
{
	struct stat	 d;
	char		 real[PATH_MAX], *slash, gname[64];
	bool		 other = st->st_mode & S_IWOTH;
	bool		 group = (st->st_mode & S_IWGRP) && st->st_gid != 0;
	bool		 owner = (st->st_mode & S_IWUSR) && st->st_uid != 0;

	if (realpath(path, real) == NULL)
		return false;
	while (other || group || owner) {
		if ((slash = strrchr(real, '/')) == NULL)
			break;
		if (slash == real)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(real, &d) == -1)
			return false;
		other = other && (d.st_mode & S_IXOTH);
		group = group && ((d.st_mode & S_IXOTH) ||
		    ((d.st_mode & S_IXGRP) && d.st_gid == st->st_gid));
		owner = owner && ((d.st_mode & S_IXOTH) ||
		    ((d.st_mode & S_IXUSR) && d.st_uid == st->st_uid));
		if (strcmp(real, "/") == 0)
			break;
	}
	group_name(st->st_gid, gname, sizeof(gname));
	if (other)
		snprintf(who, wholen, "every local user");
	else if (group)
		snprintf(who, wholen, "the members of group %s", gname);
	else if (owner)
		snprintf(who, wholen, "its owner, uid %u", (unsigned)st->st_uid);
	return other || group || owner;
}

/* Is dockerd's own socket at path out of reach of non-root users? */
static int
engine_sock_finding(const char *gk, const char *path,
    struct cli_doctor_report *rep)
{
	struct stat	st, gst;
	char		who[128];

	if (stat(path, &st) == -1 || !S_ISSOCK(st.st_mode))
		return 0;	/* engine.socket says why */
	if (stat(gk, &gst) == 0 && gst.st_dev == st.st_dev && gst.st_ino == st.st_ino)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_GATE, "%s is dockerd's own socket, not the "
		    "gatekeeper's: clients reach dockerd directly; move "
		    "dockerd to a root-only socket (-H "
		    "unix:///run/dockward/engine.sock) and start dockward "
		    "serve --engine-socket on it with --gatekeeper-socket %s",
		    gk, gk);
	if (sock_nonroot_reach(path, &st, who, sizeof(who)))
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_GATE, "dockerd's own socket %s (owner uid %u, mode "
		    "%04o) can be reached by %s, who bypass the gatekeeper at "
		    "%s; make it root-only: \"group\": \"root\" in daemon.json "
		    "(dockerd -G root) or a directory only root can search",
		    path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
		    who, gk);
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_GATE,
	    "dockerd's own socket %s is out of reach of non-root users, who "
	    "must go through the gatekeeper", path);
}

int
cli_doctor_probe_gatekeeper(const struct cli_doctor_probe_opts *o,
    const struct dw_strv *engine_socks, struct cli_doctor_report *rep)
{
	const struct cli_doctor_probe_ops	*ops = ops_of(o);
	const char				*gk = o->gatekeeper_socket;
	struct dw_err				 err;
	struct stat				 st;
	char					*body = NULL, gname[64];
	long					 status = 0;
	size_t					 i, nbad = 0;
	int					 r;

	if (gk == NULL)
		return 0;
	if (lstat(gk, &st) == -1)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_GATE, "gatekeeper socket %s: %s; clients pointed at "
		    "it get nothing; start dockward serve --gatekeeper-socket "
		    "%s", gk, strerror(errno), gk);
	if (!S_ISSOCK(st.st_mode))
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_GATE, "%s is not a socket; check dockward serve "
		    "--gatekeeper-socket", gk);
	group_name(st.st_gid, gname, sizeof(gname));
	if (st.st_uid != 0) {
		nbad++;
		if ((r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_GATE, "gatekeeper socket %s is owned by uid %u, not "
		    "root: that user can replace it with a socket of their "
		    "own; run dockward serve as root", gk,
		    (unsigned)st.st_uid)) < 0)
			return r;
	}
	if (st.st_mode & S_IWOTH) {
		nbad++;
		if ((r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_GATE, "gatekeeper socket %s is world-writable (mode "
		    "%04o): every local user gets the Docker API, within the "
		    "policy; dockward serve --gatekeeper-mode 0660 (group %s) "
		    "and keep the group for Docker users", gk,
		    (unsigned)(st.st_mode & 07777), gname)) < 0)
			return r;
	}
	r = ops->unix_http(ops->ctx, gk, "GET", "/_ping", NULL, &status, &body,
	    &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || status != 200) {
		nbad++;
		if (r == 0)
			snprintf(err.msg, sizeof(err.msg), "HTTP %ld: %.200s", status,
			    body);
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_GATE, "GET /_ping through the gatekeeper socket %s "
		    "fails (%s); is dockward serve running, and dockerd behind "
		    "it (--engine-socket)?", gk, err.msg);
	}
	free(body);
	if (r < 0)
		return r;
	if (nbad == 0 && (r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
	    CHECK_GATE, "gatekeeper socket %s is root's, group %s, mode %04o, "
	    "and answers GET /_ping", gk, gname,
	    (unsigned)(st.st_mode & 07777))) < 0)
		return r;
	for (i = 0; engine_socks != NULL && i < engine_socks->n; i++)
		if ((r = engine_sock_finding(gk, engine_socks->v[i], rep)) < 0)
			return r;
	if (engine_socks == NULL || engine_socks->n == 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_GATE, "no dockerd socket found to check: make sure "
		    "dockerd's own socket is root-only, or non-root users "
		    "bypass the gatekeeper at %s", gk);
	return 0;
}

/* ---- registry.reachable ---- */

int
cli_doctor_probe_registry(const struct cli_doctor_probe_opts *o,
    const struct authz_settings *s, struct cli_doctor_report *rep)
{
	const struct cli_doctor_probe_ops	*ops = ops_of(o);
	const struct authz_image_entry		*e;
	struct digest_ref			*ref;
	struct dw_err				 err;
	char					 key[1024], digest[DIGEST_SHA256_STRLEN];
	size_t					 i;
	int					 r = 0;

	if (s == NULL)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_REGISTRY, "not checked: the policy could not be read "
		    "(see policy.file)");
	if (o->no_network)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_REGISTRY, "skipped (--no-network): %zu imageList "
		    "entries not resolved", s->nimages);
	if (s->nimages == 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_REGISTRY, "the imageList is empty: no image may "
		    "mount the Docker socket, no registry needed");
	for (i = 0; i < s->nimages && r >= 0; i++) {
		e = &s->images[i];
		if (e->any_image) {
			r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
			    CHECK_REGISTRY, "entry \"*\" lets every image "
			    "mount the socket: nothing to verify");
			continue;
		}
		if (api_verify_entry_key(e, key, sizeof(key)) < 0) {
			r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
			    CHECK_REGISTRY, "entry %s is a pattern: each "
			    "request is proven from the image's own "
			    "RepoDigests, nothing to resolve ahead", e->raw);
			continue;
		}
		if ((ref = digest_ref_parse(key, 0, &err)) == NULL) {
			r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
			    CHECK_REGISTRY, "entry %s: %s", e->raw, err.msg);
			continue;
		}
		r = ops->resolve(ops->ctx, s, ref, digest, &err);
		if (r == -ENOMEM)
			;
		else if (r == 0)
			r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
			    CHECK_REGISTRY, "%s resolves to %s at %s", key,
			    digest, registry_client_host_for(ref->domain));
		else
			r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
			    CHECK_REGISTRY, "cannot verify %s now: %s; "
			    "containers of it cannot mount the Docker socket "
			    "unless a cached proof younger than graceSeconds "
			    "stands in (see cache.age); check that %s is up "
			    "and reachable from this host, and the policy's "
			    "dockward.imageVerification (caFile, "
			    "insecureRegistries, dockerConfig)%s", key, err.msg,
			    registry_client_host_for(ref->domain),
			    r == -ENOENT ? "; the tag or digest is not there: "
			    "push it, or fix the entry" : "");
		digest_ref_free(ref);
	}
	return r < 0 ? r : 0;
}

/* ---- registryAccess.reachable ---- */

/* The finding for allowed registry host, asked through ops. */
static int
access_host_finding(const struct cli_doctor_probe_ops *ops,
    const struct authz_settings *s, const char *host, struct cli_doctor_report *rep)
{
	struct registry_auth_challenge	 ch = { 0 };
	struct dw_err			 err;
	const char			*at = registry_client_host_for(host);
	char				 where[AUTHZ_ACCESS_HOST_MAX + 64];
	long				 status = 0;
	int				 r;

	/* Docker Hub is asked at its registry host: say so. */
	if (strcmp(at, host) != 0)
		snprintf(where, sizeof(where), "%s (asked at %s)", host, at);
	else
		snprintf(where, sizeof(where), "%s", host);
	r = ops->ping(ops->ctx, s, host, &status, &ch, &err);
	if (r == -ENOMEM)
		goto out;
	if (r < 0)
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_ACCESS,
		    "registryAccess allows %s, but GET /v2/ fails: %s; pulls from it "
		    "fail on this host; check its name and port in "
		    "dockward.registryAccess.allowed, DNS and the network path "
		    "(proxy, firewall) from this host, and for a TLS error the CA "
		    "(dockerd: /etc/docker/certs.d/%s/ca.crt; this probe: "
		    "dockward.imageVerification.caFile) or, for a plain-HTTP "
		    "registry, insecureRegistries", where, err.msg, host);
	else if (status == 200)
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_ACCESS,
		    "%s answers GET /v2/ with HTTP 200 (a registry, no "
		    "authentication asked)", where);
	else if (status == 401 && ch.scheme == REGISTRY_AUTH_BEARER)
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_ACCESS,
		    "%s answers GET /v2/ with HTTP 401 and a Bearer challenge "
		    "(token realm %.200s): a registry; pulls get a token there",
		    where, ch.realm != NULL ? ch.realm : "?");
	else if (status == 401 && ch.scheme == REGISTRY_AUTH_BASIC)
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_ACCESS,
		    "%s answers GET /v2/ with HTTP 401 and a Basic challenge: a "
		    "registry; pulls need credentials (docker login %s)", where,
		    host);
	else if (status == 401)
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_ACCESS,
		    "%s answers GET /v2/ with HTTP 401 but no Bearer or Basic "
		    "challenge: Docker cannot authenticate to it; check that %s "
		    "is the registry itself, not a proxy or a login page in "
		    "front of it", where, host);
	else
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_ACCESS,
		    "%s answers GET /v2/ with HTTP %ld, not as a registry (200, or "
		    "401 with a challenge): pulls from it fail; check the host "
		    "and port in dockward.registryAccess.allowed", where, status);
out:
	registry_auth_challenge_clear(&ch);
	return r;
}

int
cli_doctor_probe_access(const struct cli_doctor_probe_opts *o,
    const struct authz_settings *s, struct cli_doctor_report *rep)
{
	const struct cli_doctor_probe_ops	*ops = ops_of(o);
	const struct dw_strv			*allowed;
	const char				*h;
	size_t					 i;
	int					 r = 0;

	/* Without the policy, policy.file and registry.reachable say why. */
	if (s == NULL || !s->registry_access.present)
		return 0;
	allowed = &s->registry_access.allowed;
	if (allowed->n == 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_ACCESS, "registryAccess allows no registry: every pull "
		    "is refused, nothing to probe");
	if (o->no_network || ops->ping == NULL)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_ACCESS, "skipped (--no-network): %zu registryAccess "
		    "entr%s not probed", allowed->n, allowed->n == 1 ? "y" : "ies");
	for (i = 0; i < allowed->n && r >= 0; i++) {
		h = allowed->v[i];
		if (strncmp(h, "*.", 2) == 0)
			r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_INFO,
			    CHECK_ACCESS, "registryAccess entry %s allows every "
			    "registry under %s and names no host to probe; doctor "
			    "cannot check it (list a host to have it checked)", h,
			    h + 1);
		else
			r = access_host_finding(ops, s, h, rep);
	}
	return r < 0 ? r : 0;
}

/* ---- cache.age ---- */

/*
 * The "entries" of the cache file (api_verify.c's format: {"version": 1,
 * "entries": {KEY: {"digest", "fetched": UNIX-TIME, ...}}}), or NULL with
 * why (absent: why is empty).
 */
static json_t *
cache_entries_load(const char *path, json_t **ret_root, char *why, size_t len)
{
	json_error_t	 jerr;
	json_t		*root, *entries;

	why[0] = '\0';
	*ret_root = NULL;
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return NULL;
	if ((root = json_load_file(path, 0, &jerr)) == NULL) {
		snprintf(why, len, "%s", jerr.text);
		return NULL;
	}
	entries = json_object_get(root, "entries");
	if (json_integer_value(json_object_get(root, "version")) != 1 ||
	    !json_is_object(entries)) {
		snprintf(why, len, "wrong format");
		json_decref(root);
		return NULL;
	}
	*ret_root = root;
	return entries;
}

/* The finding for imageList entry key against the cache. */
static int
cache_entry_finding(const struct authz_settings *s, const char *path,
    const char *key, json_t *entries, time_t now, struct cli_doctor_report *rep)
{
	json_t	*e = entries != NULL ? json_object_get(entries, key) : NULL;
	json_t	*fetched = json_object_get(e, "fetched");
	char	 age[32], refresh[32], grace[32];
	long	 secs;

	if (!json_is_integer(fetched))
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_CACHE, "no cached proof for %s in %s: the first "
		    "decision for it waits for a registry round trip, and "
		    "while the registry is down containers of it cannot mount "
		    "the Docker socket; run dockward serve with the registry "
		    "reachable (it fetches every imageList entry at start-up)",
		    key, path);
	secs = (long)(now - (time_t)json_integer_value(fetched));
	age_fmt(secs, age, sizeof(age));
	if (strchr(key, '@') != NULL)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_CACHE, "proof of %s is cached (%s old; pinned by "
		    "digest, it never expires)", key, age);
	age_fmt(s->refresh_seconds, refresh, sizeof(refresh));
	age_fmt(s->grace_seconds, grace, sizeof(grace));
	if (secs > s->grace_seconds)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_CACHE, "proof of %s is %s old, past graceSeconds "
		    "(%s): a registry outage now denies containers of it the "
		    "Docker socket; let dockward reach the registry (see "
		    "registry.reachable) so it refreshes the proof", key, age,
		    grace);
	if (secs > s->refresh_seconds)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_CACHE, "proof of %s is %s old, past refreshSeconds "
		    "(%s): a running dockward refreshes it in the background, "
		    "so it is not running or cannot reach the registry (see "
		    "registry.reachable); the proof stands in for an "
		    "unreachable registry until it is %s old (graceSeconds)",
		    key, age, refresh, grace);
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_CACHE,
	    "proof of %s is %s old (refreshed every %s)", key, age, refresh);
}

/*
 * The offline trust store as cache.age reads it: the images and the
 * store file's mtime, the age of images whose bundle time was not
 * recorded (stores written before it was).
 */
struct probe_trust {
	char			path[PATH_MAX];
	struct digest_trust	t;
	bool			present;	/* the file exists and loads */
	time_t			mtime;
};

/* An image's bundle time, and where it comes from. */
static time_t
trust_issued(const struct probe_trust *pt, const struct digest_trust_image *img,
    const char **ret_src)
{
	if (img->issued > 0) {
		*ret_src = "the bundle's mtime, recorded at import";
		return img->issued;
	}
	*ret_src = "no bundle time recorded: the trust store file's mtime, so at "
	    "least that old; import the bundle again to record it";
	return pt->mtime;
}

/* Load o->state_dir's trust store into pt; a finding when it is there. */
static int
trust_summary(const struct cli_doctor_probe_opts *o, time_t now,
    struct probe_trust *pt, struct cli_doctor_report *rep)
{
	const struct digest_trust_image	*img, *oldest = NULL;
	struct dw_err			 err;
	struct stat			 st;
	const char			*src, *osrc = NULL;
	char				 a1[32], a2[32];
	time_t				 t, old = 0, young = 0;
	size_t				 i;
	int				 r;

	snprintf(pt->path, sizeof(pt->path), "%s/" DW_PATH_TRUST_FILE, o->state_dir);
	if (stat(pt->path, &st) != 0)
		return 0;	/* no offline bundle imported: nothing to say */
	pt->mtime = st.st_mtime;
	if ((r = digest_trust_load(pt->path, &pt->t, &err)) == -ENOMEM)
		return r;
	if (r < 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_CACHE, "offline trust store unreadable: %s; dockward "
		    "serve does not load it, so no image is proven by an "
		    "offline bundle; import the bundles again (dockward trust "
		    "import) after moving it aside", err.msg);
	pt->present = true;
	if (pt->t.n == 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_CACHE, "offline trust store %s holds no images", pt->path);
	for (i = 0; i < pt->t.n; i++) {
		img = &pt->t.images[i];
		t = trust_issued(pt, img, &src);
		if (oldest == NULL || t < old) {
			old = t;
			oldest = img;
			osrc = src;
		}
		if (i == 0 || t > young)
			young = t;
	}
	age_fmt((long)(now - old), a1, sizeof(a1));
	age_fmt((long)(now - young), a2, sizeof(a2));
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_CACHE,
	    "offline trust store %s: %zu image%s, the oldest bundle %s old (%s; "
	    "%s), the newest %s old", pt->path, pt->t.n, pt->t.n == 1 ? "" : "s",
	    a1, oldest->name, osrc, a2);
}

/*
 * The finding for imageList entry key proven by the trust store: dockward
 * serve uses that proof first and never lets it expire, so an old bundle
 * is an old approval, judged against the same refreshSeconds and
 * graceSeconds as a registry proof.
 */
static int
trust_entry_finding(const struct authz_settings *s, const struct probe_trust *pt,
    const struct digest_trust_image *img, time_t now, struct cli_doctor_report *rep)
{
	const char	*src, *past = NULL;
	char		 age[32], limit[32];
	long		 secs = (long)(now - trust_issued(pt, img, &src));

	age_fmt(secs, age, sizeof(age));
	if (secs > s->grace_seconds) {
		past = "graceSeconds";
		age_fmt(s->grace_seconds, limit, sizeof(limit));
	} else if (secs > s->refresh_seconds) {
		past = "refreshSeconds";
		age_fmt(s->refresh_seconds, limit, sizeof(limit));
	}
	if (past == NULL)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_CACHE, "proof of %s comes from the offline trust store "
		    "%s, a bundle %s old (%s); dockward uses it without asking the "
		    "registry", img->name, pt->path, age, src);
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_CACHE,
	    "proof of %s comes from the offline trust store %s, a bundle %s old "
	    "(%s), past %s (%s): dockward still accepts it (an offline proof "
	    "does not expire, and it is used before any registry answer), so "
	    "the registry may serve another image under that tag by now; "
	    "import a fresh bundle of the approved image (docker save or an OCI "
	    "layout, then dockward trust import) to renew the approval, or "
	    "drop it from the store to let the registry decide", img->name,
	    pt->path, age, src, past, limit);
}

int
cli_doctor_probe_cache(const struct cli_doctor_probe_opts *o,
    const struct authz_settings *s, struct cli_doctor_report *rep)
{
	const struct cli_doctor_probe_ops	*ops = ops_of(o);
	const struct digest_trust_image		*img;
	struct probe_trust			 pt = { 0 };
	json_t					*root = NULL, *entries, *e, *f;
	const char				*k, *oldest_key = NULL;
	char					 path[PATH_MAX], why[200], key[1024];
	char					 a1[32], a2[32];
	time_t					 now = ops->now(ops->ctx), t;
	time_t					 oldest = 0, newest = 0;
	size_t					 i, n = 0;
	int					 r;

	if (o->state_dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/" PROBE_CACHE_FILE, o->state_dir);
	entries = cache_entries_load(path, &root, why, sizeof(why));
	json_object_foreach(entries, k, e) {
		if (!json_is_integer(f = json_object_get(e, "fetched")))
			continue;
		t = (time_t)json_integer_value(f);
		if (n == 0 || t < oldest) {
			oldest = t;
			oldest_key = k;
		}
		if (n == 0 || t > newest)
			newest = t;
		n++;
	}
	age_fmt((long)(now - oldest), a1, sizeof(a1));
	age_fmt((long)(now - newest), a2, sizeof(a2));
	if (why[0] != '\0')
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN,
		    CHECK_CACHE, "registry cache %s is unreadable (%s): "
		    "dockward ignores it and starts cold; it writes a new one "
		    "on its next registry answer (or delete it)", path, why);
	else if (entries == NULL)
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_CACHE, "no registry cache at %s yet (dockward writes "
		    "it on its first registry answer)", path);
	else if (n == 0)
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_CACHE, "registry cache %s holds no answers", path);
	else
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS,
		    CHECK_CACHE, "registry cache %s: %zu answer%s, the oldest "
		    "%s old (%s), the newest %s old", path, n, n == 1 ? "" :
		    "s", a1, oldest_key, a2);
	if (r >= 0)
		r = trust_summary(o, now, &pt, rep);
	for (i = 0; r >= 0 && s != NULL && i < s->nimages; i++) {
		if (api_verify_entry_key(&s->images[i], key, sizeof(key)) < 0)
			continue;
		/* dockward serve asks the trust store first (api_verify.c). */
		if (pt.present && (img = digest_trust_image_find(&pt.t, key)) != NULL)
			r = trust_entry_finding(s, &pt, img, now, rep);
		else
			r = cache_entry_finding(s, path, key, entries, now, rep);
	}
	digest_trust_clear(&pt.t);
	json_decref(root);
	return r < 0 ? r : 0;
}
