/*
 * authz_access_check: Registry Access Management and Image Access
 * Management (authz_access.c parses them), enforced where an image
 * reference enters the engine: pull, push, tag, login, service
 * create/update and build contexts.  Container create is not one: dockerd
 * never pulls there (the CLI's implicit pull of `docker run` is a POST
 * /images/create, checked as a pull), and a local image must keep running
 * whatever its name says.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz_access.h"
#include "authz/authz_access_check.h"
#include "authz/authz_deny.h"
#include "authz/authz_json.h"
#include "authz/authz_rules.h"
#include "authz/authz_settings.h"
#include "authz/authz_uri.h"
#include "common/dw_limits.h"
#include "digest/digest_context.h"
#include "digest/digest_dockerfile.h"
#include "digest/digest_ref.h"

/* Deny as "dockward: <what> denied (<rule>): ..."; the first objection wins. */
static int
access_deny(struct authz_ctx *c, const char *what, const char *rule,
    const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
access_deny(struct authz_ctx *c, const char *what, const char *rule,
    const char *field, const char *fmt, ...)
{
	char	w[96];
	va_list	ap;

	if (c->d->rule != NULL)
		return -EACCES;
	snprintf(w, sizeof(w), "%s denied", what);
	va_start(ap, fmt);
	authz_deny_v(c->d, rule, field, w, fmt, ap);
	va_end(ap);
	return authz_deny_audit(c);
}

/* RAM for one registry host. */
static int
registry_check(struct authz_ctx *c, const char *host, const char *field,
    const char *what)
{
	char	h[AUTHZ_ACCESS_HOST_MAX];

	if (authz_access_registry_allowed(&c->s->registry_access, host))
		return 0;
	if (authz_access_host_canon(host, h, sizeof(h)) < 0)
		snprintf(h, sizeof(h), "%.200s...", host);
	return access_deny(c, what, RULE_REGISTRY_ACCESS, field,
	    "registry access to %s is not allowed. An admin can add it to "
	    "dockward.registryAccess.allowed", h);
}

/*
 * IAM for one parsed reference (Docker Hub only, by any of its names; a
 * one-component path on a Hub alias is an official image, as on docker.io).
 */
static int
image_check(struct authz_ctx *c, const struct digest_ref *ref,
    const char *field, const char *what)
{
	const struct authz_access_image *ia = &c->s->image_access;
	const char	*why, *slash;
	char		 host[AUTHZ_ACCESS_HOST_MAX], name[AUTHZ_ACCESS_HOST_MAX + 260], ns[256];
	size_t		 n;

	if (!ia->present || authz_access_host_canon(ref->domain, host, sizeof(host)) < 0 ||
	    strcmp(host, AUTHZ_ACCESS_HUB) != 0)
		return 0;
	slash = strchr(ref->path, '/');
	snprintf(name, sizeof(name), "%s/%s%s", AUTHZ_ACCESS_HUB, slash ? "" : "library/",
	    ref->path);
	if (dw_strv_contains(&ia->allow_list, name))
		return 0;
	if (slash == NULL)
		snprintf(ns, sizeof(ns), "library");
	else {
		n = (size_t)(slash - ref->path);
		snprintf(ns, sizeof(ns), "%.*s",
		    (int)(n < sizeof(ns) ? n : sizeof(ns) - 1), ref->path);
	}
	if (strcmp(ns, "library") == 0) {
		if (ia->official)
			return 0;
		why = "official images not allowed";
	} else {
		if (dw_strv_contains(&ia->namespaces, ns) || ia->community)
			return 0;
		why = "community images not allowed";
	}
	return access_deny(c, what, RULE_IMAGE_ACCESS, field,
	    "image access denied: %s (%s). An admin can allow it in "
	    "dockward.imageAccess", why, name);
}

/*
 * RAM, then IAM when iam, for an image reference.  A reference that does
 * not parse is denied when strict (dockerd would pull it), else allowed
 * (dockerd can only look it up locally, e.g. an image Id).
 */
static int
ref_check(struct authz_ctx *c, const char *image, const char *field,
    const char *what, bool iam, bool strict)
{
	struct digest_ref	*ref;
	struct dw_err		 err;
	int			 r;

	if (!c->s->registry_access.present && !(iam && c->s->image_access.present))
		return 0;
	if (image == NULL || image[0] == '\0')
		return 0;
	if ((ref = digest_ref_parse(image, 0, &err)) == NULL) {
		if (!strict)
			return 0;
		/*
		 * Neither rule can judge it, so each one in force refuses it:
		 * registry access first, and image access when audit-only
		 * mode lets the first through.
		 */
		if (c->s->registry_access.present && (r = access_deny(c, what,
		    RULE_REGISTRY_ACCESS, field, "\"%.200s\" is not an image "
		    "reference dockward can read (%s), so its registry is unknown. "
		    "Use a valid reference such as docker.io/library/alpine:3",
		    image, err.msg)) < 0)
			return r;
		if (!iam || !c->s->image_access.present)
			return 0;
		return access_deny(c, what, RULE_IMAGE_ACCESS, field,
		    "\"%.200s\" is not an image reference dockward can read (%s), "
		    "so its registry is unknown. Use a valid reference such as "
		    "docker.io/library/alpine:3", image, err.msg);
	}
	if ((r = registry_check(c, ref->domain, field, what)) == 0 && iam)
		r = image_check(c, ref, field, what);
	digest_ref_free(ref);
	return r;
}

/* One query parameter, refusing repeats; NULL when absent. */
static int
query_once(struct authz_ctx *c, const char *key, const char *what,
    const char **ret)
{
	int	r;

	*ret = NULL;
	r = authz_uri_query_get(c->req->uri, key, ret);
	if (r == -ENOENT) {
		*ret = NULL;
		return 0;
	}
	if (r == -EEXIST)
		return access_deny(c, what, RULE_REQUEST_URI, key, "%s is given "
		    "more than once; dockerd would use only the first. Give it once",
		    key);
	return r;
}

static int remote_host(const char *remote, char *dst, size_t dstsz);

/*
 * POST /images/create: fromImage is a pull; fromSrc a URL is an import
 * dockerd downloads, from an allowed host only ("-", the body, is
 * blockDockerLoad's).
 */
static int
image_create(struct authz_ctx *c)
{
	const char	*img, *src;
	char		 host[AUTHZ_ACCESS_HOST_MAX];
	int		 r;

	if ((r = query_once(c, "fromImage", "image pull", &img)) < 0 ||
	    (r = ref_check(c, img, "fromImage", "image pull", true, true)) < 0 ||
	    (r = query_once(c, "fromSrc", "image import", &src)) < 0)
		return r;
	if (src == NULL || src[0] == '\0' || strcmp(src, "-") == 0 ||
	    !c->s->registry_access.present)
		return 0;
	if (remote_host(src, host, sizeof(host)) < 0)
		return access_deny(c, "image import", RULE_REGISTRY_ACCESS, "fromSrc",
		    "\"%.200s\" is not a URL whose host dockward can check against "
		    "dockward.registryAccess.allowed. Give a full http(s):// URL", src);
	if (authz_access_registry_allowed(&c->s->registry_access, host))
		return 0;
	return access_deny(c, "image import", RULE_REGISTRY_ACCESS, "fromSrc",
	    "importing from %.200s is not allowed (its host is not in "
	    "dockward.registryAccess.allowed). An admin can add the host to "
	    "dockward.registryAccess.allowed", host);
}

/*
 * The host of a login's serveraddress, as moby's ConvertToHostname: no
 * scheme, nothing from the first '/'.  Empty means Docker Hub.
 */
static void
login_host(const char *addr, char *dst, size_t dstsz)
{
	size_t	n;

	if (addr == NULL || addr[0] == '\0') {
		snprintf(dst, dstsz, "%s", AUTHZ_ACCESS_HUB);
		return;
	}
	if (strncmp(addr, "http://", 7) == 0)
		addr += 7;
	else if (strncmp(addr, "https://", 8) == 0)
		addr += 8;
	n = strcspn(addr, "/");
	snprintf(dst, dstsz, "%.*s", (int)(n < dstsz ? n : dstsz - 1), addr);
}

/* POST /auth: logging in to a registry that is not allowed. */
static int
auth_check(struct authz_ctx *c)
{
	const struct authz_jv	*root;
	struct dw_err		 err;
	const char		*addr;
	char			 host[AUTHZ_ACCESS_HOST_MAX];
	int			 r;

	if (!c->s->registry_access.present)
		return 0;
	if ((r = authz_deny_unless_body(c, &root)) < 0)
		return r;
	if ((r = authz_json_get_string(root, "", AUTHZ_JSON_F(serveraddress), &addr, &err)) < 0)
		r = authz_deny_json(c, &err);
	else {
		login_host(addr, host, sizeof(host));
		r = registry_check(c, host, "serveraddress", "registry login");
	}
	return r;
}

/* services create/update: TaskTemplate.ContainerSpec.Image, pulled by every node. */
static int
service_write(struct authz_ctx *c, const char *what)
{
	const struct authz_jv	*root, *tt, *cs;
	struct dw_err		 err;
	const char		*image;
	int			 r;

	if (!c->s->registry_access.present && !c->s->image_access.present)
		return 0;
	if ((r = authz_deny_unless_body(c, &root)) < 0)
		return r;
	if ((r = authz_json_get_object(root, "", AUTHZ_JSON_F(TaskTemplate), &tt, &err)) < 0 ||
	    (r = authz_json_get_object(tt, "TaskTemplate", AUTHZ_JSON_F(ContainerSpec), &cs,
	    &err)) < 0 ||
	    (r = authz_json_get_string(cs, "TaskTemplate.ContainerSpec", AUTHZ_JSON_F(Image),
	    &image, &err)) < 0)
		r = authz_deny_json(c, &err);
	else
		r = ref_check(c, image, "TaskTemplate.ContainerSpec.Image", what,
		    true, true);
	return r;
}

/*
 * The host of a build's remote context: "scheme://[user@]host[:port]/...",
 * "git@host:path", "github.com/...".  0, or -EINVAL when it is none of them.
 */
static int
remote_host(const char *remote, char *dst, size_t dstsz)
{
	const char	*p, *at;
	size_t		 n;

	if ((p = strstr(remote, "://")) != NULL) {
		p += 3;
		n = strcspn(p, "/?#");
		at = memchr(p, '@', n);
		while (at != NULL) {	/* userinfo ends at the last '@' */
			n -= (size_t)(at + 1 - p);
			p = at + 1;
			at = memchr(p, '@', n);
		}
	} else if (strncmp(remote, "git@", 4) == 0) {
		p = remote + 4;
		n = strcspn(p, ":/");
	} else if (strncmp(remote, "github.com/", 11) == 0) {
		p = remote;
		n = 10;
	} else
		return -EINVAL;
	if (n == 0 || n >= dstsz)
		return -EINVAL;
	snprintf(dst, dstsz, "%.*s", (int)n, p);
	return 0;
}

/*
 * A build dockward cannot look into although the gatekeeper stands in
 * front of dockerd: deny unless the admin accepts unchecked builds.
 */
static int
build_unchecked(struct authz_ctx *c, const char *field, const char *why)
{
	if (!c->req->build_inspected || c->s->allow_unchecked_builds)
		return 0;
	return access_deny(c, "build", RULE_BUILD_CONTEXT, field, "%s, so dockward "
	    "cannot check its base images against the admin's registry and image "
	    "access rules. Build with the classic builder and a local context "
	    "(DOCKER_BUILDKIT=0 docker build .), or an admin can set "
	    "dockward.allowUncheckedBuilds", why);
}

/*
 * A build whose base images cannot be read out of the context held back
 * (unreadable build args or Dockerfile) is never let through by
 * audit-only mode (authz_enforce.h): the image checks after it could not
 * run, or would judge other images than dockerd pulls.
 */
static void
unread_enforced(struct authz_ctx *c)
{
	if (c->d->rule == NULL)
		c->d->enforced = true;
}

/* Put where a denied image came from in front of the reason in d. */
static void
msg_locate(struct authz_decision *d, const char *where)
{
	char	tail[DW_MSG_MAX], *p;

	if ((p = strstr(d->msg, "): ")) == NULL)
		return;
	p += 3;
	snprintf(tail, sizeof(tail), "%s", p);
	snprintf(p, sizeof(d->msg) - (size_t)(p - d->msg), "%s: %s", where, tail);
}

/*
 * The request's buildargs (a JSON object of strings or nulls) as
 * "KEY=VALUE" strings; a null leaves the ARG's default, as in dockerd,
 * and a key no ARG can have (empty, or with '=') is left out, as dockerd
 * never matches it.
 * 0, or -EACCES after a deny (a shape dockerd could read differently).
 */
static int
build_args(struct authz_ctx *c, struct dw_strv *out)
{
	const struct authz_jv	*o, *v;
	struct authz_jv_doc	*doc = NULL;
	struct dw_err		 jerr;
	const char		*raw, *k, *why;
	char			*kv;
	size_t			 i;
	int			 r;

	if ((r = query_once(c, "buildargs", "build", &raw)) < 0)
		return r;
	if (raw == NULL || raw[0] == '\0')
		return 0;
	/*
	 * Duplicate keys: Go keeps the last; refused (authz_jv).  Invalid
	 * UTF-8 Go would read as U+FFFD: refused too.
	 */
	jerr.msg[0] = '\0';
	r = authz_jv_parse(raw, strlen(raw), DW_URI_MAX, &doc, &jerr);
	o = r == 0 ? authz_jv_doc_root(doc) : NULL;
	if (authz_jv_is_null(o)) {
		r = 0;
		goto out;	/* Go decodes null into an empty map */
	}
	why = r < 0 ? jerr.msg : (authz_jv_doc_flags(doc) & AUTHZ_JV_REPLACED_UTF8) ?
	    "invalid UTF-8" : !authz_jv_is_object(o) ? "not an object" : NULL;
	if (why != NULL) {
		unread_enforced(c);
		r = access_deny(c, "build", RULE_BUILD_CONTEXT, "buildargs",
		    "buildargs is not a JSON object with each key once (%s), so "
		    "the Dockerfile's ARGs cannot be resolved. Send each build "
		    "argument once", why);
		goto out;
	}
	authz_jv_object_foreach(o, i, k, v) {
		if (authz_jv_is_null(v))
			continue;
		/* Let through by audit-only mode: the other arguments still count. */
		if (!authz_jv_is_string(v)) {
			if ((r = access_deny(c, "build", RULE_BUILD_CONTEXT,
			    "buildargs", "build argument %.100s is not a string. "
			    "Send build arguments as strings", k)) < 0)
				goto out;
			continue;
		}
		/*
		 * dockerd looks ARG names up exactly: a key with '=' (or an
		 * empty one) names no ARG there, but "KEY=VALUE" would make
		 * "BASE=" set BASE here ("BASE==x").
		 */
		if (k[0] == '\0' || strchr(k, '=') != NULL)
			continue;
		if (asprintf(&kv, "%s=%s", k, authz_jv_string(v)) < 0 ||
		    dw_strv_push_take(out, kv) < 0) {
			unread_enforced(c);
			r = access_deny(c, "build", RULE_BUILD_CONTEXT, "buildargs",
			    "out of memory. Retry");
			goto out;
		}
	}
	r = 0;
out:
	authz_jv_doc_free(doc);
	return r;
}

/*
 * The images a held-back build context's Dockerfile pulls: every FROM
 * that is not scratch or an earlier stage, COPY --from and RUN --mount
 * from= images, each under RAM and IAM.  Whether the image is already
 * on the host does not matter: dockerd pulls when it is not (or with
 * pull=1), and the gap between a check and the build is the caller's.
 */
static int
build_froms(struct authz_ctx *c)
{
	static const char *const kinds[] = { "FROM", "COPY --from", "RUN --mount from" };
	struct digest_from	*froms = NULL;
	struct dw_strv		 args = { 0 };
	struct dw_err		 err;
	const char		*df;
	char			*text = NULL, where[DW_MSG_MAX / 2];
	size_t			 tlen, n = 0, i;
	bool			 had_wd;
	int			 r;

	if ((r = query_once(c, "dockerfile", "build", &df)) < 0 ||
	    (r = build_args(c, &args)) < 0)
		goto out;
	err.msg[0] = '\0';
	if ((r = digest_context_dockerfile(c->req->build_context,
	    c->req->build_context_len, df, &text, &tlen, &err)) < 0) {
		unread_enforced(c);
		r = access_deny(c, "build", RULE_BUILD_CONTEXT, "dockerfile",
		    "the Dockerfile (%.200s) cannot be read from the build context: "
		    "%s. Send a tar context that holds it", df && *df ? df :
		    "Dockerfile", err.msg);
		goto out;
	}
	if ((r = digest_dockerfile_froms(text, tlen, args.n > 0 ?
	    (const char *const *)args.v : NULL, &froms, &n, &err)) < 0) {
		unread_enforced(c);
		r = access_deny(c, "build", RULE_BUILD_CONTEXT, "dockerfile",
		    "the images the Dockerfile builds on cannot be determined: %s. "
		    "Give every base image a value (ARG default or --build-arg)",
		    err.msg);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (froms[i].is_stage_ref || froms[i].is_scratch)
			continue;
		snprintf(where, sizeof(where), "Dockerfile line %zu, %s %.200s",
		    froms[i].line, kinds[froms[i].kind < 3 ? froms[i].kind : 0],
		    froms[i].image);
		had_wd = c->wd != NULL && c->wd->rule != NULL;
		if ((r = ref_check(c, froms[i].image, "dockerfile", "build", true,
		    true)) < 0) {
			msg_locate(c->d, where);
			goto out;
		}
		/* Let through by audit-only mode: the would-deny says where too. */
		if (!had_wd && c->wd != NULL && c->wd->rule != NULL)
			msg_locate(c->wd, where);
	}
	r = 0;
out:
	digest_dockerfile_froms_free(froms, n);
	free(text);
	dw_strv_clear(&args);
	return r;
}

/*
 * A remote build context (git repository or tarball URL): only from an
 * allowed host, and dockward does not see its Dockerfile.  Each denial
 * let through by audit-only mode goes on to the next.
 */
static int
remote_check(struct authz_ctx *c, const char *remote)
{
	char	host[AUTHZ_ACCESS_HOST_MAX], why[AUTHZ_ACCESS_HOST_MAX + 128];
	int	r;

	if (remote_host(remote, host, sizeof(host)) < 0) {
		if (c->s->registry_access.present && (r = access_deny(c, "build",
		    RULE_REGISTRY_ACCESS, "remote", "the remote build context "
		    "\"%.200s\" is not a URL whose host dockward can check against "
		    "dockward.registryAccess.allowed. Send the context in the "
		    "request body", remote)) < 0)
			return r;
		return build_unchecked(c, "remote", "the build context comes "
		    "from a remote source");
	}
	if (!authz_access_registry_allowed(&c->s->registry_access, host) &&
	    (r = access_deny(c, "build", RULE_REGISTRY_ACCESS, "remote",
	    "fetching the build context from %.200s is not allowed (its host is "
	    "not in dockward.registryAccess.allowed). Send the context in the "
	    "request body, or an admin can add the host to "
	    "dockward.registryAccess.allowed", host)) < 0)
		return r;
	snprintf(why, sizeof(why), "the build context is fetched by dockerd "
	    "from %s", host);
	return build_unchecked(c, "remote", why);
}

/*
 * POST /build: a remote context only from an allowed host; then, when the
 * gatekeeper holds the context back, the Dockerfile's images.  BuildKit
 * builds (version=2) and remote contexts keep their Dockerfile out of
 * dockward's sight.
 */
static int
build_check(struct authz_ctx *c)
{
	const char	*remote, *version;
	int		 r;

	if ((r = query_once(c, "remote", "build", &remote)) < 0 ||
	    (r = query_once(c, "version", "build", &version)) < 0)
		return r;
	if (version != NULL && strcmp(version, "2") == 0) {
		if ((r = build_unchecked(c, "version", "a BuildKit build "
		    "(version=2) reads its Dockerfile and pulls its base images "
		    "inside dockerd")) < 0)
			return r;
		/*
		 * Accepted unchecked (the plugin, allowUncheckedBuilds), or
		 * let through by audit-only mode: then a remote context's
		 * host is still judged.
		 */
		if (!c->req->build_inspected || c->s->allow_unchecked_builds ||
		    remote == NULL || remote[0] == '\0' ||
		    strcmp(remote, "client-session") == 0)
			return 0;
		return remote_check(c, remote);
	}
	if (remote != NULL && strcmp(remote, "client-session") == 0)
		return build_unchecked(c, "remote", "a build with a client "
		    "session reads its Dockerfile inside dockerd");
	if (remote != NULL && remote[0] != '\0')
		return remote_check(c, remote);
	if (!c->req->build_inspected)
		return 0;	/* the plugin never sees a context */
	return build_froms(c);
}

int
authz_access_check(struct authz_ctx *c)
{
	const char	*v;
	int		 r;

	if (!c->s->registry_access.present && !c->s->image_access.present)
		return 0;
	switch (c->req->uri->endpoint) {
	case AUTHZ_EP_IMAGE_CREATE:
		return image_create(c);
	case AUTHZ_EP_IMAGE_PUSH:
		if (c->req->uri->nvars < 1)
			return 0;
		return ref_check(c, c->req->uri->vars[0], "name", "image push",
		    false, true);
	case AUTHZ_EP_IMAGE_TAG:
		if ((r = query_once(c, "repo", "image tag", &v)) < 0)
			return r;
		return ref_check(c, v, "repo", "image tag", false, true);
	case AUTHZ_EP_AUTH:
		return auth_check(c);
	case AUTHZ_EP_SERVICE_CREATE:
		return service_write(c, "service create");
	case AUTHZ_EP_SERVICE_UPDATE:
		return service_write(c, "service update");
	case AUTHZ_EP_BUILD:
		return build_check(c);
	default:
		return 0;
	}
}
