/*
 * authz_access: the settings blocks of Registry Access Management
 * (dockward.registryAccess) and Image Access Management
 * (dockward.imageAccess), parsed for authz_settings.c.  Docker keeps both
 * in its admin console; ours live in the "dockward" block.  They are
 * enforced in authz_access_check.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz_access.h"
#include "authz/authz_warn.h"
#include "digest/digest_ref.h"

/* Docker Hub's names: references and logins may use any of them. */
static const char *const hub_names[] = {
	"docker.io", "index.docker.io", "registry-1.docker.io", NULL,
};

int
authz_access_host_canon(const char *host, char *dst, size_t dstsz)
{
	size_t	i, n = strlen(host);

	if (n >= dstsz)
		return -E2BIG;
	for (i = 0; i <= n; i++)
		dst[i] = (char)tolower((unsigned char)host[i]);
	for (i = 0; hub_names[i] != NULL; i++)
		if (strcmp(dst, hub_names[i]) == 0) {
			snprintf(dst, dstsz, "%s", AUTHZ_ACCESS_HUB);
			break;
		}
	return 0;
}

/* Split "name[:port]" (name may be "[v6]") at the port colon; NULL port when none. */
static void
host_split(const char *h, size_t *ret_namelen, const char **ret_port)
{
	const char	*c, *start = h;

	if (h[0] == '[' && (c = strchr(h, ']')) != NULL)
		start = c;
	c = strchr(start, ':');
	*ret_namelen = c ? (size_t)(c - h) : strlen(h);
	*ret_port = c ? c + 1 : NULL;
}

/*
 * Validate one allowed entry (already lower-case): "host", "host:port",
 * "*.domain[:port]", "[v6]:port".  0 or -EINVAL with the reason in err.
 */
static int
entry_valid(const char *e, struct dw_err *err)
{
	const char	*name = e, *port, *p;
	size_t		 namelen, label = 0, i;
	long		 pn;
	char		*end;

	if (strstr(e, "://") != NULL) {
		dw_err_set(err, "has a URL scheme; write the registry host only, "
		    "like \"ghcr.io\" or \"registry.corp.example:5000\"");
		return -EINVAL;
	}
	if (strchr(e, '/') != NULL) {
		dw_err_set(err, "has a path; registries are allowed as a whole, "
		    "write the host only");
		return -EINVAL;
	}
	if (strncmp(e, "*.", 2) == 0)
		name = e + 2;
	host_split(name, &namelen, &port);
	if (port != NULL) {
		errno = 0;
		pn = strtol(port, &end, 10);
		if (port[0] < '0' || port[0] > '9' || *end != '\0' || errno != 0 ||
		    pn < 1 || pn > 65535) {
			dw_err_set(err, "port \"%s\" is not a number from 1 to 65535",
			    port);
			return -EINVAL;
		}
	}
	if (namelen == 0)
		goto bad;
	if (name[0] == '[') {
		if (name == e + 2 || name[namelen - 1] != ']' || namelen < 3)
			goto bad;
		for (i = 1; i + 1 < namelen; i++)
			if (!isxdigit((unsigned char)name[i]) && name[i] != ':' &&
			    name[i] != '.')
				goto bad;
		return 0;
	}
	for (p = name; p <= name + namelen; p++) {
		if (p == name + namelen || *p == '.') {
			if (label == 0 || label > 63 || p[-1] == '-')
				goto bad;
			label = 0;
			continue;
		}
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		    *p == '-') || (label == 0 && *p == '-'))
			goto bad;
		label++;
	}
	return 0;
bad:
	dw_err_set(err, "is not a registry host name (letters, digits, '-' and "
	    "'.', an optional leading \"*.\" and \":port\")");
	return -EINVAL;
}

/* Does allowed entry e match canonical host h? (see authz_access_registry_allowed) */
static bool
entry_matches(const char *e, const char *h)
{
	const char	*ep, *hp;
	size_t		 en, hn;
	bool		 wild = strncmp(e, "*.", 2) == 0;

	host_split(e, &en, &ep);
	host_split(h, &hn, &hp);
	/* Without a port, an entry means the default port only. */
	if ((ep == NULL) != (hp == NULL) || (ep != NULL && strcmp(ep, hp) != 0))
		return false;
	if (!wild)
		return en == hn && strncmp(e, h, en) == 0;
	/* "*.corp.example": any subdomain, never the bare domain. */
	en -= 1;	/* ".corp.example" */
	return hn > en && strncmp(h + hn - en, e + 1, en) == 0;
}

bool
authz_access_registry_allowed(const struct authz_access_registry *ra, const char *host)
{
	char	h[AUTHZ_ACCESS_HOST_MAX];
	size_t	i;

	if (ra == NULL || !ra->present)
		return true;
	if (host == NULL || authz_access_host_canon(host, h, sizeof(h)) < 0)
		return false;
	for (i = 0; i < ra->allowed.n; i++)
		if (entry_matches(ra->allowed.v[i], h))
			return true;
	return false;
}

/* Check v is an array of strings; path names it in err. */
static int
string_array(const json_t *v, const char *path, struct dw_err *err)
{
	size_t	i;

	if (!json_is_array(v)) {
		dw_err_set(err, "%s: expected an array of strings", path);
		return -EINVAL;
	}
	for (i = 0; i < json_array_size(v); i++)
		if (!json_is_string(json_array_get(v, i))) {
			dw_err_set(err, "%s[%zu]: expected a string", path, i);
			return -EINVAL;
		}
	return 0;
}

/* Push s unless already there; takes s.  0 or -ENOMEM. */
static int
push_unique(struct dw_strv *sv, char *s, struct dw_err *err)
{
	if (dw_strv_contains(sv, s)) {
		free(s);
		return 0;
	}
	if (dw_strv_push_take(sv, s) < 0) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* Lower-case copy, or NULL on ENOMEM. */
static char *
lower_dup(const char *s)
{
	char	*d;
	size_t	 i;

	if ((d = strdup(s)) == NULL)
		return NULL;
	for (i = 0; d[i] != '\0'; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	return d;
}

int
authz_access_registry_parse(const json_t *v, const char *path,
    struct authz_access_registry *ra, struct dw_strv *warnings,
    struct dw_err *err)
{
	struct dw_err	 e;
	const char	*key;
	json_t		*item, *allowed = NULL;
	char		 h[AUTHZ_ACCESS_HOST_MAX], *d;
	size_t		 i;
	int		 r;

	if (!json_is_object(v)) {
		dw_err_set(err, "%s: expected an object like {\"allowed\": "
		    "[\"docker.io\"]}", path);
		return -EINVAL;
	}
	ra->present = true;
	json_object_foreach((json_t *)v, key, item) {
		if (strcmp(key, "allowed") == 0)
			allowed = item;
		else if ((r = authz_warn(warnings, err, "unknown key %s.%s, ignored",
		    path, key)) < 0)
			return r;
	}
	if (allowed != NULL) {
		if ((r = string_array(allowed, path, err)) < 0) {
			dw_err_set(err, "%s.allowed: expected an array of registry "
			    "hosts (strings)", path);
			return r;
		}
		json_array_foreach(allowed, i, item) {
			if (authz_access_host_canon(json_string_value(item), h, sizeof(h)) < 0 ||
			    entry_valid(h, &e) < 0) {
				if (strlen(json_string_value(item)) >= sizeof(h))
					dw_err_set(&e, "is too long");
				dw_err_set(err, "%s.allowed[%zu]: \"%.200s\" %s", path,
				    i, json_string_value(item), e.msg);
				return -EINVAL;
			}
			if ((d = strdup(h)) == NULL) {
				dw_err_set(err, "out of memory");
				return -ENOMEM;
			}
			if ((r = push_unique(&ra->allowed, d, err)) < 0)
				return r;
		}
	}
	if (ra->allowed.n == 0)
		return authz_warn(warnings, err, "%s.allowed: no registry is allowed, "
		    "so every pull, push and login is denied", path);
	return 0;
}

/* A Docker Hub namespace: path-component grammar, lower-cased. */
static bool
namespace_valid(const char *s)
{
	size_t	i;

	if (s[0] == '\0' || strlen(s) > 255)
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]))
			continue;
		if ((s[i] == '.' || s[i] == '_' || s[i] == '-') && i > 0 &&
		    s[i + 1] != '\0')
			continue;
		return false;
	}
	return true;
}

/* verifiedPublishers / organizations: namespaces appended to ia->namespaces. */
static int
parse_namespaces(const json_t *v, const char *path, const char *key,
    struct authz_access_image *ia, struct dw_err *err)
{
	json_t	*item;
	char	*d;
	size_t	 i;
	int	 r;

	if (string_array(v, path, err) < 0) {
		dw_err_set(err, "%s.%s: expected an array of Docker Hub "
		    "namespaces (strings)", path, key);
		return -EINVAL;
	}
	json_array_foreach(v, i, item) {
		if ((d = lower_dup(json_string_value(item))) == NULL) {
			dw_err_set(err, "out of memory");
			return -ENOMEM;
		}
		if (!namespace_valid(d)) {
			dw_err_set(err, "%s.%s[%zu]: \"%.200s\" is not a Docker Hub "
			    "namespace (like \"bitnami\")", path, key, i,
			    json_string_value(item));
			free(d);
			return -EINVAL;
		}
		if ((r = push_unique(&ia->namespaces, d, err)) < 0)
			return r;
	}
	return 0;
}

/*
 * allowList: repositories, "name" or "name:*" (any tag); a specific tag
 * or digest is refused, since the whole repository is what is allowed.
 */
static int
parse_allow_list(const json_t *v, const char *path, struct authz_access_image *ia,
    struct dw_strv *warnings, struct dw_err *err)
{
	struct digest_ref	*ref;
	struct dw_err		 e;
	json_t			*item;
	const char		*s;
	char			*name, *copy;
	size_t			 i, n;
	int			 r;

	if (string_array(v, path, err) < 0) {
		dw_err_set(err, "%s.allowList: expected an array of repositories "
		    "(strings)", path);
		return -EINVAL;
	}
	json_array_foreach(v, i, item) {
		s = json_string_value(item);
		if ((copy = strdup(s)) == NULL) {
			dw_err_set(err, "out of memory");
			return -ENOMEM;
		}
		n = strlen(copy);
		if (n > 2 && strcmp(copy + n - 2, ":*") == 0)
			copy[n - 2] = '\0';
		ref = digest_ref_parse(copy, 0, &e);
		free(copy);
		if (ref == NULL) {
			dw_err_set(err, "%s.allowList[%zu]: invalid reference "
			    "\"%.200s\": %s", path, i, s, e.msg);
			return -EINVAL;
		}
		if (ref->tag != NULL || ref->digest != NULL) {
			digest_ref_free(ref);
			dw_err_set(err, "%s.allowList[%zu]: \"%.200s\" names a tag or "
			    "digest; entries are whole repositories, write "
			    "\"docker.io/someone/tool\" or \"docker.io/someone/tool:*\"",
			    path, i, s);
			return -EINVAL;
		}
		if (strcmp(ref->domain, AUTHZ_ACCESS_HUB) != 0 &&
		    (r = authz_warn(warnings, err, "%s.allowList[%zu]: \"%.200s\" is "
		    "not on Docker Hub; imageAccess applies to Docker Hub images "
		    "only, so the entry has no effect", path, i, s)) < 0) {
			digest_ref_free(ref);
			return r;
		}
		name = digest_ref_name(ref);
		digest_ref_free(ref);
		if (name == NULL) {
			dw_err_set(err, "out of memory");
			return -ENOMEM;
		}
		if ((r = push_unique(&ia->allow_list, name, err)) < 0)
			return r;
	}
	return 0;
}

int
authz_access_image_parse(const json_t *v, const char *path,
    struct authz_access_image *ia, struct dw_strv *warnings,
    struct dw_err *err)
{
	const char	*key;
	json_t		*item;
	bool		*b;
	int		 r;

	if (!json_is_object(v)) {
		dw_err_set(err, "%s: expected an object like {\"officialImages\": "
		    "true, \"communityImages\": false}", path);
		return -EINVAL;
	}
	ia->present = true;
	ia->official = true;
	ia->community = true;
	json_object_foreach((json_t *)v, key, item) {
		b = NULL;
		if (strcmp(key, "officialImages") == 0)
			b = &ia->official;
		else if (strcmp(key, "communityImages") == 0)
			b = &ia->community;
		if (b != NULL) {
			if (!json_is_boolean(item)) {
				dw_err_set(err, "%s.%s: expected true or false",
				    path, key);
				return -EINVAL;
			}
			*b = json_is_true(item);
			continue;
		}
		if (strcmp(key, "verifiedPublishers") == 0 ||
		    strcmp(key, "organizations") == 0)
			r = parse_namespaces(item, path, key, ia, err);
		else if (strcmp(key, "allowList") == 0)
			r = parse_allow_list(item, path, ia, warnings, err);
		else
			r = authz_warn(warnings, err, "unknown key %s.%s, ignored",
			    path, key);
		if (r < 0)
			return r;
	}
	return 0;
}

void
authz_access_registry_clear(struct authz_access_registry *ra)
{
	dw_strv_clear(&ra->allowed);
	ra->present = false;
}

void
authz_access_image_clear(struct authz_access_image *ia)
{
	dw_strv_clear(&ia->namespaces);
	dw_strv_clear(&ia->allow_list);
	ia->present = false;
}

void
authz_access_print(const struct authz_access_registry *ra,
    const struct authz_access_image *ia, FILE *out)
{
	size_t	i;

	if (!ra->present)
		fprintf(out, "registry access: any registry\n");
	else {
		fprintf(out, "registry access: %zu allowed %s\n", ra->allowed.n,
		    ra->allowed.n == 1 ? "registry" : "registries");
		for (i = 0; i < ra->allowed.n; i++)
			fprintf(out, "  %s\n", ra->allowed.v[i]);
	}
	if (!ia->present)
		fprintf(out, "image access (Docker Hub): any image\n");
	else {
		fprintf(out, "image access (Docker Hub): official images %s, community "
		    "images %s\n", ia->official ? "allowed" : "denied",
		    ia->community ? "allowed" : "denied");
		for (i = 0; i < ia->namespaces.n; i++)
			fprintf(out, "  namespace %s\n", ia->namespaces.v[i]);
		for (i = 0; i < ia->allow_list.n; i++)
			fprintf(out, "  repository %s\n", ia->allow_list.v[i]);
	}
}
