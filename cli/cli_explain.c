/* cli_explain: `dockward explain`: the engine's decision for a command line, offline or with dockerd's facts. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli_docker.h"
#include "cli/cli_docker_plan.h"
#include "cli/cli_explain.h"
#include "cli/cli_explain_egress.h"
#include "cli/cli_explain_engine.h"
#include "api/api_plugin.h"
#include "authz/authz_uri.h"
#include "api/api_verify.h"
#include "authz/authz_caller.h"
#include "authz/authz_decide.h"
#include "digest/digest_ref.h"
#include "common/dw_paths.h"

#define SOCKETS_MAX		8

/* One request to decide, from the translator or a --request file. */
struct item {
	struct authz_request	 req;		/* routed by decide_one */
	bool			 caller_only;
	const struct dw_strv	*notes;		/* the translator's, may be NULL */
};

/* The facts explain has: flags, the state directory, and dockerd when --engine-socket names it. */
struct xfacts {
	struct authz_facts		 f;
	const struct cli_explain_opts	*o;
	struct api_verify		*verify;
	struct cli_explain_engine	*engine;	/* --engine-socket, asked for facts */
	json_t				*cache;		/* registry-cache.json "entries", may be NULL */
	struct dw_strv			 notes;		/* missing facts of the current request */
	const char			*sockets[SOCKETS_MAX + 1];
	const char			*own[4];
	char				 settings_dir[PATH_MAX];
};

static void
xnote(struct xfacts *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
xnote(struct xfacts *x, const char *fmt, ...)
{
	char	buf[DW_MSG_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!dw_strv_contains(&x->notes, buf))
		dw_strv_push(&x->notes, buf);
}

/* Canonical "domain/path:tag" of ref, or a copy of ref when it does not parse. */
static char *
canon(const char *ref)
{
	struct digest_ref	*r;
	char			*s;

	if ((r = digest_ref_parse(ref, 0, NULL)) == NULL)
		return strdup(ref);
	s = digest_ref_string(r);
	digest_ref_free(r);
	return s;
}

/* The Id given for ref (by reference or by Id) with --image-digest, or NULL. */
static const char *
given_id(const struct cli_explain_opts *o, const char *ref, const char **ret_ref)
{
	char		*want = canon(ref), *have, name[1024];
	const char	*eq, *id = NULL;
	size_t		 i;

	for (i = 0; i < o->image_digests.n && id == NULL; i++) {
		eq = strrchr(o->image_digests.v[i], '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq - o->image_digests.v[i]),
		    o->image_digests.v[i]);
		if (strcmp(eq + 1, ref) == 0)
			id = eq + 1;
		else if (want != NULL && (have = canon(name)) != NULL) {
			if (strcmp(have, want) == 0)
				id = eq + 1;
			free(have);
		}
		if (id != NULL && ret_ref != NULL)
			*ret_ref = o->image_digests.v[i];
	}
	free(want);
	return id;
}

/*
 * RepoDigests the image would have: "name@digest" for every cached
 * registry answer that serves this Id (what a pull of it records).
 */
static json_t *
repo_digests(struct xfacts *x, const char *id)
{
	json_t		*a = json_array(), *e, *c;
	const char	*key, *dg;
	char		 name[1024];
	size_t		 i, n;

	json_object_foreach(x->cache, key, e) {
		dg = json_string_value(json_object_get(e, "digest"));
		if (dg == NULL)
			continue;
		json_array_foreach(json_object_get(e, "configs"), i, c) {
			if (json_is_string(c) && strcmp(json_string_value(c), id) == 0) {
				n = strcspn(key, "@");
				if (key[n] != '@') {
					/* "name:tag": the tag is after the last ':' past the last '/'. */
					const char *slash = strrchr(key, '/');
					const char *colon = strrchr(slash ? slash : key, ':');

					n = colon ? (size_t)(colon - key) : strlen(key);
				}
				snprintf(name, sizeof(name), "%.*s@%s", (int)n, key, dg);
				json_array_append_new(a, json_string(name));
				break;
			}
		}
	}
	return a;
}

/*
 * Image inspect from the engine of --engine-socket: its Id, RepoDigests
 * and layers (derived images) are what dockward would judge.  No engine
 * answering: as without one, the image is taken as not present, and the
 * notes say why.
 */
static int
x_image_engine(struct xfacts *x, const char *ref, json_t **ret, struct dw_err *err)
{
	struct dw_err	 why;
	const char	*sock = NULL, *id;
	int		 r;

	r = cli_explain_engine_inspect(x->engine, CLI_EXPLAIN_ENGINE_IMAGE, ref, ret,
	    &sock, &why);
	if (r == 0) {
		id = json_string_value(json_object_get(*ret, "Id"));
		xnote(x, "fact: dockerd at %s knows image \"%s\" as %s (GET "
		    "/images/%s/json)", sock, ref, id != NULL ? id : "?", ref);
		return 0;
	}
	if (r == -ENOENT) {
		xnote(x, "fact: dockerd at %s has no image \"%s\" (GET /images/%s/json: "
		    "404)", sock, ref, ref);
		dw_err_set(err, "no such image");
		return r;
	}
	if (r == -ENOMEM) {
		dw_err_set(err, "out of memory");
		return r;
	}
	if (strncmp(ref, "sha256:", 7) != 0)
		xnote(x, "missing fact: the Id of local image \"%s\"; give "
		    "--image-digest %s=sha256:... (docker image inspect -f "
		    "'{{.Id}}' %s)", ref, ref, ref);
	xnote(x, "no --engine-socket answered GET /images/%s/json (%s): explain "
	    "decides as for an image that is not present", ref, why.msg);
	dw_err_set(err, "no engine answered: %s", why.msg);
	return -ENOENT;
}

/* Engine image inspect, answered from --image-digest, else the engine. */
static int
x_image_inspect(void *ctx, const char *ref, json_t **ret, struct dw_err *err)
{
	struct xfacts	*x = ctx;
	const char	*id;

	if ((id = given_id(x->o, ref, NULL)) == NULL) {
		if (cli_explain_engine_any(x->engine))
			return x_image_engine(x, ref, ret, err);
		if (strncmp(ref, "sha256:", 7) != 0)
			xnote(x, "missing fact: the Id of local image \"%s\"; give "
			    "--image-digest %s=sha256:... (docker image inspect -f "
			    "'{{.Id}}' %s)", ref, ref, ref);
		dw_err_set(err, "not given with --image-digest");
		return -ENOENT;
	}
	*ret = json_pack("{s:s, s:o, s:{s:s, s:[]}}", "Id", id, "RepoDigests",
	    repo_digests(x, id), "RootFS", "Type", "layers", "Layers");
	return *ret ? 0 : -ENOMEM;
}

/* Registries are never asked: only cached answers (api_verify's grace rules) count. */
static int
x_resolve(void *ctx, const struct digest_ref *ref, struct digest_facts *f,
    struct dw_err *err)
{
	struct xfacts	*x = ctx;
	char		*s = digest_ref_string(ref);

	(void)f;
	xnote(x, "missing fact: a fresh registry answer for %s; explain asks no "
	    "registry and uses %s/registry-cache.json as dockward does while the "
	    "registry is unreachable", s ? s : "?", x->o->state_dir);
	dw_err_set(err, "dockward explain does not contact registries");
	free(s);
	return -EHOSTUNREACH;
}

static int
x_unknown(struct xfacts *x, const char *what, const char *name, const char *path,
    struct dw_err *err)
{
	xnote(x, "missing fact: dockerd's answer for %s \"%s\" (GET %s); explain runs "
	    "without dockerd and decides as dockward does when dockerd cannot be "
	    "reached; run the command against dockerd for its answer", what, name, path);
	dw_err_set(err, "explain runs without dockerd");
	return -EHOSTUNREACH;
}

/*
 * A container's, network's or volume's inspect answer: from the engine of
 * --engine-socket when one answers (its 404 too: what dockward would be
 * told), else unknown (x_unknown), with the reason in the note.
 */
static int
x_engine_fact(struct xfacts *x, enum cli_explain_engine_kind kind,
    const char *what, const char *name, const char *path, json_t **ret,
    struct dw_err *err)
{
	struct dw_err	 why;
	const char	*sock = NULL;
	int		 r;

	if (!cli_explain_engine_any(x->engine))
		return x_unknown(x, what, name, path, err);
	r = cli_explain_engine_inspect(x->engine, kind, name, ret, &sock, &why);
	if (r == 0 || r == -ENOENT) {
		xnote(x, "fact: dockerd at %s answered GET %s%s", sock, path,
		    r == 0 ? "" : " with 404 (no such one)");
		if (r == -ENOENT)
			dw_err_set(err, "no such %s", what);
		return r;
	}
	if (r == -ENOMEM) {
		dw_err_set(err, "out of memory");
		return r;
	}
	xnote(x, "missing fact: dockerd's answer for %s \"%s\" (GET %s): no "
	    "--engine-socket answered (%s); explain decides as dockward does when "
	    "dockerd cannot be reached", what, name, path, why.msg);
	dw_err_set(err, "no engine answered: %s", why.msg);
	return -EHOSTUNREACH;
}

static int
x_container(void *ctx, const char *id, json_t **ret, struct dw_err *err)
{
	char	path[512];

	snprintf(path, sizeof(path), "/containers/%.400s/json", id);
	return x_engine_fact(ctx, CLI_EXPLAIN_ENGINE_CONTAINER, "container", id,
	    path, ret, err);
}

static int
x_network(void *ctx, const char *id, json_t **ret, struct dw_err *err)
{
	char	path[512];

	snprintf(path, sizeof(path), "/networks/%.400s", id);
	return x_engine_fact(ctx, CLI_EXPLAIN_ENGINE_NETWORK, "network", id, path,
	    ret, err);
}

static int
x_volume(void *ctx, const char *name, json_t **ret, struct dw_err *err)
{
	char	path[512];

	snprintf(path, sizeof(path), "/volumes/%.400s", name);
	return x_engine_fact(ctx, CLI_EXPLAIN_ENGINE_VOLUME, "volume", name, path,
	    ret, err);
}

static int
x_image_verify(void *ctx, const struct authz_settings *s, const char *image,
    struct dw_err *err)
{
	struct xfacts	*x = ctx;

	return api_verify_image(x->verify, s, image, err);
}

/* Build the facts; 0 or -ENOMEM. */
static int
xfacts_init(struct xfacts *x, const struct cli_explain_opts *o)
{
	struct api_verify_ops	 ops = { .ctx = x, .image_inspect = x_image_inspect,
	    .resolve = x_resolve };
	struct dw_err		 warn;
	char			 path[PATH_MAX + 32], tmp[PATH_MAX];
	json_t			*root;
	size_t			 i, n = 0;

	memset(x, 0, sizeof(*x));
	x->o = o;
	/* Only sockets named on the command line are asked: the defaults never are. */
	if ((x->engine = cli_explain_engine_new(&o->engine_sockets)) == NULL)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/registry-cache.json", o->state_dir);
	/* Read-only use: explain's resolve never succeeds, so the cache is never saved. */
	if ((x->verify = api_verify_new(&ops, path, &warn)) == NULL)
		return -ENOMEM;
	if (warn.msg[0] != '\0')
		xnote(x, "%s", warn.msg);
	if ((root = json_load_file(path, 0, NULL)) != NULL) {
		x->cache = json_incref(json_object_get(root, "entries"));
		json_decref(root);
	}
	snprintf(path, sizeof(path), "%s/" DW_PATH_TRUST_FILE, o->state_dir);
	if (api_verify_load_trust(x->verify, path, &warn) < 0)
		dw_strv_push(&x->notes, warn.msg);
	for (i = 0; i < o->engine_sockets.n && n < SOCKETS_MAX; i++)
		x->sockets[n++] = o->engine_sockets.v[i];
	if (n == 0) {
		x->sockets[n++] = DW_PATH_ENGINE_SOCKET;
		x->sockets[n++] = DW_PATH_ENGINE_SOCKET_RUN;
	}
	snprintf(tmp, sizeof(tmp), "%s", o->settings_path);
	snprintf(x->settings_dir, sizeof(x->settings_dir), "%s", dirname(tmp));
	x->own[0] = DW_PATH_PLUGIN_SOCKET;
	x->own[1] = o->state_dir;
	x->own[2] = x->settings_dir;
	x->f.ctx = x;
	x->f.container_inspect = x_container;
	x->f.network_inspect = x_network;
	x->f.volume_inspect = x_volume;
	x->f.image_verify = x_image_verify;
	x->f.engine_sockets = x->sockets;
	x->f.own_paths = x->own;
	x->f.cgroup_v1 = authz_namespace_host_cgroup_v1;
	x->f.host_interface = authz_namespace_host_interface;
	return 0;
}

static void
xfacts_clear(struct xfacts *x)
{
	api_verify_free(x->verify);
	cli_explain_engine_free(x->engine);
	json_decref(x->cache);
	dw_strv_clear(&x->notes);
}

/* ---- the caller (--caller) ---- */

struct xcaller {
	struct authz_caller	c;
	gid_t			groups[NGROUPS_MAX];
	char			home[PATH_MAX];
};

static int
caller_make(const struct cli_explain_opts *o, struct xcaller *xc, FILE *errf)
{
	struct passwd	 pw, *res = NULL;
	char		 buf[4096];
	int		 n;

	memset(xc, 0, sizeof(*xc));
	if (strcmp(o->caller, "host") == 0) {
		xc->c.kind = AUTHZ_CALLER_HOST;
		xc->c.pid = getpid();
		xc->c.uid = getuid();
		xc->c.gid = getgid();
		if ((n = getgroups(NGROUPS_MAX, xc->groups)) > 0) {
			xc->c.groups = xc->groups;
			xc->c.ngroups = (size_t)n;
		}
		if (getpwuid_r(xc->c.uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL &&
		    pw.pw_dir != NULL) {
			snprintf(xc->home, sizeof(xc->home), "%s", pw.pw_dir);
			xc->c.home = xc->home;
		}
		return 0;
	}
	if (strncmp(o->caller, "container:", 10) == 0 && o->caller[10] != '\0') {
		xc->c.kind = AUTHZ_CALLER_CONTAINER;
		xc->c.container_id = "0000000000000000000000000000000000000000000000000000000000000000";
		xc->c.container_name = "/explain";
		xc->c.image = o->caller + 10;
		xc->c.image_id = given_id(o, o->caller + 10, NULL);
		return 0;
	}
	fprintf(errf, "dockward explain: --caller %s: want host or container:IMAGE\n",
	    o->caller);
	return -EINVAL;
}

/* ---- output ---- */

/*
 * The fix is part of the engine's message, its last sentence: "...the
 * host. Run without --privileged; ..." -> "Run without --privileged; ...".
 * A one-sentence reason gives its last clause after "; ".
 */
static void
fix_of(const char *msg, char *fix, size_t len)
{
	const char	*r, *p, *last = NULL;
	size_t		 n;

	fix[0] = '\0';
	if ((r = strstr(msg, "): ")) == NULL)
		return;
	r += 3;
	for (p = r; (p = strstr(p, ". ")) != NULL; p += 2)
		if (isupper((unsigned char)p[2]))
			last = p + 2;
	if (last == NULL && (p = strrchr(r, ';')) != NULL && p[1] == ' ')
		last = p + 2;
	if (last == NULL)
		last = r;
	n = strlen(last);
	while (n > 0 && last[n - 1] == '.')
		n--;
	snprintf(fix, len, "%.*s", (int)n, last);
}

/* Audit-only mode: both verdicts, the rule's and the one in force. */
static void
print_would_deny(FILE *out, const struct authz_decision *d)
{
	if (d->would_deny)
		fprintf(out, "audit: would deny (audit mode): %s; allowed\n",
		    d->rule ? d->rule : "?");
}

static void
print_text(FILE *out, const struct item *it, const struct authz_decision *d,
    const struct dw_strv *fnotes, bool judged)
{
	char	fix[DW_MSG_MAX];
	size_t	i;

	fprintf(out, "request: %s %s\n", it->req.method, it->req.raw_uri);
	fprintf(out, "decision: %s\n", d->verdict == AUTHZ_ALLOW ? "allow" : "deny");
	print_would_deny(out, d);
	if (d->verdict != AUTHZ_ALLOW || d->would_deny) {
		fix_of(d->msg, fix, sizeof(fix));
		fprintf(out, "rule: %s\n", d->rule ? d->rule : "?");
		fprintf(out, "field: %s\n", d->field[0] ? d->field : "-");
		fprintf(out, "message: %s\n", d->msg);
		fprintf(out, "fix: %s\n", fix);
	}
	if (!judged)
		fprintf(out, "note: judged by the caller's rules only (the engine rules "
		    "for this call need the container create made)\n");
	for (i = 0; it->notes != NULL && i < it->notes->n; i++)
		fprintf(out, "note: %s\n", it->notes->v[i]);
	for (i = 0; i < fnotes->n; i++)
		fprintf(out, "note: %s\n", fnotes->v[i]);
	fprintf(out, "\n");
}

static void
print_json(FILE *out, const struct item *it, const struct authz_decision *d,
    const struct dw_strv *fnotes, bool judged)
{
	json_t	*j, *notes;
	char	 fix[DW_MSG_MAX], *s;
	size_t	 i;

	notes = json_array();
	if (!judged)
		json_array_append_new(notes, json_string("judged by the caller's rules only"));
	for (i = 0; it->notes != NULL && i < it->notes->n; i++)
		json_array_append_new(notes, json_string(it->notes->v[i]));
	for (i = 0; i < fnotes->n; i++)
		json_array_append_new(notes, json_string(fnotes->v[i]));
	j = json_pack("{s:s, s:s, s:s, s:o}", "method", it->req.method, "uri", it->req.raw_uri,
	    "decision", d->verdict == AUTHZ_ALLOW ? "allow" : "deny", "notes", notes);
	if (j != NULL && d->would_deny)
		json_object_set_new(j, "wouldDeny", json_true());
	if (j != NULL && (d->verdict != AUTHZ_ALLOW || d->would_deny)) {
		fix_of(d->msg, fix, sizeof(fix));
		json_object_set_new(j, "rule", json_string(d->rule ? d->rule : "?"));
		json_object_set_new(j, "field", json_string(d->field));
		json_object_set_new(j, "message", json_string(d->msg));
		json_object_set_new(j, "fix", json_string(fix));
	}
	if (j != NULL && (s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER)) != NULL) {
		fprintf(out, "%s\n", s);
		free(s);
	}
	json_decref(j);
}

/* The policy's rules after the caller's, keeping a caller's would-deny as serve does. */
static void
decide_after_caller(const struct authz_settings *s, const struct authz_facts *f,
    const struct authz_request *req, struct authz_decision *d)
{
	struct authz_decision	caller_wd;
	bool			kept = d->would_deny;

	if (kept)
		caller_wd = *d;
	authz_decide(s, f, req, d);
	if (kept && d->verdict == AUTHZ_ALLOW && !d->would_deny)
		*d = caller_wd;
}

/* Decide one request as the plugin (or, with a caller, the gatekeeper) would; true when allowed. */
static bool
decide_one(const struct authz_settings *s, struct xfacts *x, const struct xcaller *xc,
    const struct item *it, bool json, FILE *out)
{
	struct authz_request	 req = it->req;
	struct authz_decision	 d;
	struct authz_uri		*uri;
	struct dw_err		 err;
	bool			 judged = true;

	dw_strv_clear(&x->notes);
	uri = api_plugin_request_route(&req, &err);
	if (xc != NULL) {
		req.caller = &xc->c;
		if (authz_caller_decide(s, &x->f, &xc->c, &req, &d) == AUTHZ_ALLOW) {
			if (it->caller_only)
				judged = false;
			else
				decide_after_caller(s, &x->f, &req, &d);
		}
	} else
		authz_decide(s, &x->f, &req, &d);
	if (json)
		print_json(out, it, &d, &x->notes, judged);
	else
		print_text(out, it, &d, &x->notes, judged);
	authz_uri_free(uri);
	return d.verdict == AUTHZ_ALLOW;
}

/* ---- --request FILE ---- */

static char *
slurp(const char *path, size_t *ret_len, FILE *errf)
{
	FILE	*f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	char	*buf;
	size_t	 n;

	if (f == NULL) {
		fprintf(errf, "dockward explain: --request %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(2 * DW_BODY_MAX + 1)) == NULL) {
		if (f != stdin)
			fclose(f);
		return NULL;
	}
	n = fread(buf, 1, 2 * DW_BODY_MAX + 1, f);
	if (f != stdin)
		fclose(f);
	if (n > 2 * DW_BODY_MAX) {
		fprintf(errf, "dockward explain: --request %s: larger than %d bytes\n", path,
		    2 * DW_BODY_MAX);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*ret_len = n;
	return buf;
}

/* Decide the request in o->request_file; the exit status. */
static int
run_request(const struct cli_explain_opts *o, const struct authz_settings *s,
    struct xfacts *x, const struct xcaller *xc, FILE *out, FILE *errf)
{
	struct api_plugin_msg	 msg = { 0 };
	struct dw_err		 err;
	struct item		 it;
	json_error_t		 jerr;
	json_t			*j = NULL, *body;
	char			*buf, *text = NULL;
	const char		*ct;
	size_t			 len;
	int			 rc = CLI_EXPLAIN_USAGE;

	if ((buf = slurp(o->request_file, &len, errf)) == NULL)
		return CLI_EXPLAIN_USAGE;
	memset(&it, 0, sizeof(it));
	if ((j = json_loadb(buf, len, 0, &jerr)) == NULL || !json_is_object(j)) {
		fprintf(errf, "dockward explain: --request %s: not a JSON object (%s)\n",
		    o->request_file, j ? "wrong type" : jerr.text);
		goto out;
	}
	if (json_object_get(j, "RequestMethod") != NULL) {
		/* An AuthZReq as dockerd sends it to the plugin. */
		if (api_plugin_msg_parse(buf, len, &msg, &err) < 0) {
			fprintf(errf, "dockward explain: --request %s: %s\n", o->request_file,
			    err.msg);
			goto out;
		}
		api_plugin_msg_request(&msg, &it.req);
	} else {
		it.req.method = json_string_value(json_object_get(j, "method"));
		it.req.raw_uri = json_string_value(json_object_get(j, "uri"));
		if (it.req.method == NULL || it.req.raw_uri == NULL) {
			fprintf(errf, "dockward explain: --request %s: want {\"method\": "
			    "\"POST\", \"uri\": \"/v1.41/...\", \"body\": {...}} or an AuthZReq "
			    "(RequestMethod, RequestUri, RequestBody)\n", o->request_file);
			goto out;
		}
		ct = json_string_value(json_object_get(j, "contentType"));
		body = json_object_get(j, "body");
		if (body != NULL && !json_is_null(body)) {
			text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER |
			    JSON_ENCODE_ANY);
			it.req.body = (const unsigned char *)text;
		} else if (json_is_string(json_object_get(j, "bodyText")))
			it.req.body = (const unsigned char *)json_string_value(
			    json_object_get(j, "bodyText"));
		if (it.req.body != NULL) {
			it.req.body_len = strlen((const char *)it.req.body);
			it.req.content_type = ct ? ct : "application/json";
			it.req.content_length = (long long)it.req.body_len;
		} else {
			it.req.content_type = ct;
			it.req.content_length = 0;
		}
	}
	rc = decide_one(s, x, xc, &it, o->json, out) ? CLI_EXPLAIN_ALLOW : CLI_EXPLAIN_DENY;
out:
	api_plugin_msg_clear(&msg);
	free(text);
	json_decref(j);
	free(buf);
	return rc;
}

/* Decide every request of the docker command line; the exit status. */
static int
run_docker(const struct cli_explain_opts *o, const struct authz_settings *s,
    struct xfacts *x, const struct xcaller *xc, FILE *out, FILE *errf)
{
	struct cli_docker_plan	 plan = { 0 };
	struct dw_err		 err;
	struct item		 it;
	char			*text;
	size_t			 i;
	int			 rc = CLI_EXPLAIN_ALLOW;

	if (cli_docker_translate(o->docker_argc, o->docker_argv, &plan, &err) < 0) {
		fprintf(errf, "dockward explain: %s; describe the Engine API request in a "
		    "file and use --request FILE.json instead\n", err.msg);
		cli_docker_plan_clear(&plan);
		return CLI_EXPLAIN_USAGE;
	}
	for (i = 0; i < plan.n; i++) {
		const struct cli_docker_plan_req *r = &plan.v[i];

		/* Calls only command lists judge: shown when there is a caller. */
		if (r->caller_only && xc == NULL)
			continue;
		memset(&it, 0, sizeof(it));
		it.req.method = r->method;
		it.req.raw_uri = r->uri;
		it.notes = &r->notes;
		it.caller_only = r->caller_only;
		text = r->body ? json_dumps(r->body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		if (text != NULL) {
			it.req.body = (const unsigned char *)text;
			it.req.body_len = strlen(text);
			it.req.content_type = "application/json";
			it.req.content_length = (long long)it.req.body_len;
		} else if (r->body_opaque) {
			it.req.content_type = "application/x-tar";
			it.req.content_length = -1;
		} else
			it.req.content_length = 0;
		if (!decide_one(s, x, xc, &it, o->json, out))
			rc = CLI_EXPLAIN_DENY;
		free(text);
	}
	cli_docker_plan_clear(&plan);
	return rc;
}

int
cli_explain_run(const struct cli_explain_opts *o, const struct authz_settings *s,
    FILE *out, FILE *errf)
{
	struct xfacts	 x;
	struct xcaller	 xc;
	int		 rc;

	if (o->egress_url != NULL) {
		struct cli_explain_egress_opts eo = { .url = o->egress_url,
		    .from = o->from, .from_ip = o->from_ip, .to_ip = o->to_ip,
		    .engine_sockets = &o->engine_sockets, .json = o->json };

		return cli_explain_egress_run(&eo, s, NULL, out, errf);
	}
	if (o->caller != NULL && caller_make(o, &xc, errf) < 0)
		return CLI_EXPLAIN_USAGE;
	if (xfacts_init(&x, o) < 0) {
		fprintf(errf, "dockward explain: out of memory\n");
		xfacts_clear(&x);
		return CLI_EXPLAIN_USAGE;
	}
	if (x.notes.n > 0) {
		for (size_t i = 0; i < x.notes.n; i++)
			fprintf(errf, "dockward explain: warning: %s\n", x.notes.v[i]);
		dw_strv_clear(&x.notes);
	}
	if (o->request_file != NULL)
		rc = run_request(o, s, &x, o->caller ? &xc : NULL, out, errf);
	else
		rc = run_docker(o, s, &x, o->caller ? &xc : NULL, out, errf);
	xfacts_clear(&x);
	return rc;
}

const char	cli_explain_usage[] =
    "dockward explain [--settings FILE] [--state-dir DIR] [--json]\n"
    "                        [--image-digest REF=sha256:HEX]... [--engine-socket PATH]...\n"
    "                        [--caller host|container:IMAGE] -- docker ARGS...\n"
    "       dockward explain [options] --request FILE.json|-\n"
    "       dockward explain [--settings FILE] [--engine-socket PATH] [--json]\n"
    "                        --egress URL --from CONTAINER|--from-ip IP [--to-ip IP]\n";

const char	cli_explain_about[] =
    "explain say what dockward would decide for a docker command line or a raw\n"
    "        Engine API request, and why, without a running dockward (dockerd is\n"
    "        asked for containers, volumes, networks and images only when named\n"
    "        with --engine-socket);\n"
    "        with --egress, what happens to a container's connection to URL\n"
    "        under containersProxy (asks dockerd, the resolver and the PAC);\n"
    "        exit status 0 allowed, 1 denied, 2 usage, 3 policy unreadable\n";

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: dockward explain [--settings FILE] [--state-dir DIR]\n"
	    "                        [--image-digest REF=sha256:HEX]... [--engine-socket PATH]...\n"
	    "                        [--caller host|container:IMAGE] [--json]\n"
	    "                        -- docker [global flags] COMMAND ARGS...\n"
	    "       dockward explain [options] --request FILE.json|-\n"
	    "       dockward explain [--settings FILE] [--engine-socket PATH] [--json]\n"
	    "                        --egress URL --from CONTAINER|--from-ip IP [--to-ip IP]\n"
	    "  URL: http://HOST[:PORT][/...], https://HOST[:PORT][/...], tcp://HOST:PORT\n"
	    "       or HOST:PORT\n");
}

int
cli_explain_opts_parse(int argc, char *argv[], struct cli_explain_opts *o, FILE *errf)
{
	static const struct option longopts[] = {
		{ "settings", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "image-digest", required_argument, NULL, 'i' },
		{ "engine-socket", required_argument, NULL, 'e' },
		{ "caller", required_argument, NULL, 'c' },
		{ "request", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "egress", required_argument, NULL, 'E' },
		{ "from", required_argument, NULL, 'F' },
		{ "from-ip", required_argument, NULL, 'I' },
		{ "to-ip", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*eq;
	int		 ch;

	memset(o, 0, sizeof(*o));
	o->settings_path = DW_PATH_SETTINGS;
	o->state_dir = DW_PATH_STATE_DIR;
	optind = 1;
	opterr = 0;
	/* "+": stop at the first argument, which is the docker command line. */
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': o->settings_path = optarg; break;
		case 'd': o->state_dir = optarg; break;
		case 'c': o->caller = optarg; break;
		case 'r': o->request_file = optarg; break;
		case 'j': o->json = true; break;
		case 'E': o->egress_url = optarg; break;
		case 'F': o->from = optarg; break;
		case 'I': o->from_ip = optarg; break;
		case 'T': o->to_ip = optarg; break;
		case 'i':
			eq = strrchr(optarg, '=');
			if (eq == NULL || eq == optarg || !digest_ref_is_sha256(eq + 1)) {
				fprintf(errf, "dockward explain: --image-digest %s: want "
				    "REF=sha256:<64 hex>\n", optarg);
				goto out;
			}
			dw_strv_push(&o->image_digests, optarg);
			break;
		case 'e':
			if (optarg[0] != '/') {
				fprintf(errf, "dockward explain: --engine-socket %s: not an "
				    "absolute path\n", optarg);
				goto out;
			}
			dw_strv_push(&o->engine_sockets, optarg);
			break;
		case 'h':
			usage(stdout);
			cli_explain_opts_clear(o);
			return -1;
		default:
			fprintf(errf, "dockward explain: unknown option %s\n",
			    argv[optind - 1]);
			goto out;
		}
	}
	o->docker_argc = argc - optind;
	o->docker_argv = argv + optind;
	if (o->egress_url != NULL || o->from != NULL || o->from_ip != NULL ||
	    o->to_ip != NULL) {
		if (o->egress_url == NULL) {
			fprintf(errf, "dockward explain: --from, --from-ip and --to-ip go "
			    "with --egress URL\n");
			goto out;
		}
		if ((o->from == NULL) == (o->from_ip == NULL)) {
			fprintf(errf, "dockward explain: --egress needs the container: "
			    "--from CONTAINER or --from-ip IP (one of them)\n");
			goto out;
		}
		if (o->request_file != NULL || o->docker_argc > 0 || o->caller != NULL ||
		    o->image_digests.n > 0) {
			fprintf(errf, "dockward explain: --egress explains a connection; it "
			    "takes no docker command line, --request, --caller or "
			    "--image-digest\n");
			goto out;
		}
		return 0;
	}
	if (o->request_file != NULL && o->docker_argc > 0) {
		fprintf(errf, "dockward explain: give either --request or a docker command "
		    "line, not both\n");
		goto out;
	}
	if (o->request_file == NULL && o->docker_argc == 0) {
		fprintf(errf, "dockward explain: no docker command line (after --) and no "
		    "--request\n");
		goto out;
	}
	return 0;
out:
	/* A usage error: said above, then the usage. */
	usage(errf);
	cli_explain_opts_clear(o);
	return CLI_EXPLAIN_USAGE;
}

void
cli_explain_opts_clear(struct cli_explain_opts *o)
{
	dw_strv_clear(&o->image_digests);
	dw_strv_clear(&o->engine_sockets);
}

int
cli_explain_main(int argc, char *argv[])
{
	struct cli_explain_opts	 o;
	struct authz_settings	*s;
	struct dw_err		 err;
	int			 rc;

	if ((rc = cli_explain_opts_parse(argc, argv, &o, stderr)) != 0)
		return rc < 0 ? 0 : rc;	/* --help */
	if ((s = authz_settings_load(o.settings_path, &err)) == NULL) {
		fprintf(stderr, "dockward explain: %s: policy unreadable: %s\n",
		    o.settings_path, err.msg);
		cli_explain_opts_clear(&o);
		return CLI_EXPLAIN_POLICY;
	}
	rc = cli_explain_run(&o, s, stdout, stderr);
	authz_settings_free(s);
	cli_explain_opts_clear(&o);
	return rc;
}
