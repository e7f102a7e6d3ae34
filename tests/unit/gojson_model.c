/*
 * gojson_model: our decoder's reading of a container-create body, in the
 * shape of dockerd's recorded answer (see gojson_model.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz_uri.h"
#include "authz/authz_decide.h"
#include "authz/authz_json.h"
#include "authz/authz_settings.h"
#include "common/dw_strv.h"
#include "tests/unit/gojson_model.h"

static const char *const mount_fields[] = { "Type", "Source", "Target", NULL };
static const char *const device_fields[] = {
	"PathOnHost", "PathInContainer", "CgroupPermissions", NULL
};
static const char *const binding_fields[] = { "HostIp", "HostPort", NULL };

/* field prepared for the getters into *nm (these names all fit). */
static const struct authz_jv_name *
prep(struct authz_jv_name *nm, const char *field)
{
	(void)authz_jv_name_prepare(nm, field);
	return nm;
}

static int
set(json_t *out, const char *field, json_t *v)
{
	return json_object_set_new(out, field, v) == 0 ? 0 : -ENOMEM;
}

static int
get_str(json_t *out, const struct authz_jv *obj, const char *path,
    const char *field, struct dw_err *err)
{
	struct authz_jv_name	 nm;
	const char		*v;
	int			 r;

	if ((r = authz_json_get_string(obj, path, prep(&nm, field), &v, err)) < 0)
		return r;
	return set(out, field, json_string(v != NULL ? v : ""));
}

static int
get_bool(json_t *out, const struct authz_jv *obj, const char *path,
    const char *field, struct dw_err *err)
{
	struct authz_jv_name	nm;
	bool			v;
	int			r;

	if ((r = authz_json_get_bool(obj, path, prep(&nm, field), &v, err)) < 0)
		return r;
	return set(out, field, json_boolean(v));
}

static int
get_strs(json_t *out, const struct authz_jv *obj, const char *path,
    const char *field, bool strslice, struct dw_err *err)
{
	struct authz_jv_name	 nm;
	struct dw_strv		 sv = { 0 };
	json_t			*a;
	size_t			 i;
	int			 r;

	if ((r = authz_json_get_strings(obj, path, prep(&nm, field), strslice,
	    &sv, err)) < 0)
		goto out;
	a = json_array();
	for (i = 0; i < sv.n; i++)
		json_array_append_new(a, json_string(sv.v[i]));
	r = set(out, field, a);
out:
	dw_strv_clear(&sv);
	return r;
}

/* One Go struct (Mount, DeviceMapping, PortBinding): null is the zero struct. */
static int
get_struct(const struct authz_jv *e, const char *path,
    const char *const *fields, json_t **ret, struct dw_err *err)
{
	json_t	*o = json_object();
	size_t	 i;
	int	 r = 0;

	for (i = 0; fields[i] != NULL && r == 0; i++) {
		if (authz_jv_is_null(e))
			r = set(o, fields[i], json_string(""));
		else if (!authz_jv_is_object(e)) {
			dw_err_set(err, "%s: must be an object", path);
			r = -EPROTO;
		} else
			r = get_str(o, e, path, fields[i], err);
	}
	if (r < 0) {
		json_decref(o);
		return r;
	}
	*ret = o;
	return 0;
}

/* A []struct field. */
static int
get_structs(json_t *out, const struct authz_jv *obj, const char *path,
    const char *field, const char *const *fields, struct dw_err *err)
{
	struct authz_jv_name	 nm;
	const struct authz_jv	*a, *e;
	json_t			*list, *s;
	char			 p[256];
	size_t			 i;
	int			 r;

	if ((r = authz_json_get_array(obj, path, prep(&nm, field), &a, err)) < 0)
		return r;
	list = json_array();
	authz_jv_array_foreach(a, i, e) {
		snprintf(p, sizeof(p), "%s%s%s[%zu]", path, path[0] ? "." : "", field, i);
		if ((r = get_struct(e, p, fields, &s, err)) < 0) {
			json_decref(list);
			return r;
		}
		json_array_append_new(list, s);
	}
	return set(out, field, list);
}

/* PortBindings: a Go map (keys exact, never folded) of []PortBinding. */
static int
get_ports(json_t *out, const struct authz_jv *obj, const char *path,
    struct dw_err *err)
{
	const struct authz_jv	*m, *v, *e;
	const char		*port;
	json_t			*map, *list, *s;
	char			 p[256];
	size_t			 i, j;
	int			 r;

	if ((r = authz_json_get_object(obj, path, AUTHZ_JSON_F(PortBindings), &m, err)) < 0)
		return r;
	map = json_object();
	authz_jv_object_foreach(m, j, port, v) {
		list = json_array();
		json_object_set_new(map, port, list);
		if (authz_jv_is_null(v))
			continue;
		if (!authz_jv_is_array(v)) {
			dw_err_set(err, "%s.PortBindings.%s: must be an array", path, port);
			json_decref(map);
			return -EPROTO;
		}
		authz_jv_array_foreach(v, i, e) {
			snprintf(p, sizeof(p), "%s.PortBindings.%s[%zu]", path, port, i);
			if ((r = get_struct(e, p, binding_fields, &s, err)) < 0) {
				json_decref(map);
				return r;
			}
			json_array_append_new(list, s);
		}
	}
	return set(out, "PortBindings", map);
}

/* The host fields of one HostConfig-like object into out. */
static int
get_host(json_t *out, const struct authz_jv *hc, const char *path,
    struct dw_err *err)
{
	static const char *const strs[] = {
		"NetworkMode", "PidMode", "IpcMode", "UTSMode", "UsernsMode", NULL
	};
	static const char *const bools[] = {
		"Privileged", "ReadonlyRootfs", "PublishAllPorts", NULL
	};
	size_t	i;
	int	r;

	for (i = 0; strs[i] != NULL; i++)
		if ((r = get_str(out, hc, path, strs[i], err)) < 0)
			return r;
	for (i = 0; bools[i] != NULL; i++)
		if ((r = get_bool(out, hc, path, bools[i], err)) < 0)
			return r;
	if ((r = get_strs(out, hc, path, "CapAdd", true, err)) < 0 ||
	    (r = get_strs(out, hc, path, "Binds", false, err)) < 0 ||
	    (r = get_strs(out, hc, path, "SecurityOpt", false, err)) < 0 ||
	    (r = get_structs(out, hc, path, "Mounts", mount_fields, err)) < 0 ||
	    (r = get_structs(out, hc, path, "Devices", device_fields, err)) < 0 ||
	    (r = get_ports(out, hc, path, err)) < 0)
		return r;
	return 0;
}

int
gojson_decode(const void *body, size_t len, json_t **ret, struct dw_err *err)
{
	const struct authz_jv	*root, *hc;
	struct authz_jv_doc	*doc;
	struct dw_err		 local;
	json_t			*out = NULL, *top = NULL, *inner = NULL;
	int			 r;

	if (err == NULL)
		err = &local;
	if ((doc = authz_json_parse_body(body, len, err)) == NULL)
		return strstr(err->msg, "given twice") != NULL ? -EEXIST : -EINVAL;
	root = authz_jv_doc_root(doc);
	out = json_object();
	top = json_object();
	if ((r = get_str(out, root, "", "Image", err)) < 0 ||
	    (r = get_strs(out, root, "", "Cmd", true, err)) < 0 ||
	    (r = get_str(out, root, "", "User", err)) < 0 ||
	    (r = get_strs(out, root, "", "Env", false, err)) < 0 ||
	    (r = authz_json_get_object(root, "", AUTHZ_JSON_F(HostConfig), &hc, err)) < 0 ||
	    (r = get_host(top, root, "", err)) < 0)
		goto out;
	if (hc != NULL) {
		inner = json_object();
		if ((r = get_host(inner, hc, "HostConfig", err)) < 0)
			goto out;
	}
	r = json_object_update(out, inner != NULL ? inner : top) == 0 ? 0 : -ENOMEM;
out:
	json_decref(top);
	json_decref(inner);
	authz_jv_doc_free(doc);
	if (r < 0) {
		json_decref(out);
		return r;
	}
	*ret = out;
	return 0;
}

static bool
is_zero(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_FALSE:
	case JSON_NULL:
		return true;
	case JSON_ARRAY:
		return json_array_size(v) == 0;
	case JSON_OBJECT:
		return json_object_size(v) == 0;
	default:
		return false;
	}
}

static bool
str_is(const json_t *obj, const char *field, const char *want)
{
	const char	*v = json_string_value(json_object_get(obj, field));

	return v != NULL && strcmp(v, want) == 0;
}

/* dockerd's generateSecurityOpt: SELinux labelling off for host namespaces. */
static void
add_label_disable(json_t *f)
{
	json_t		*opts = json_object_get(f, "SecurityOpt"), *o;
	const char	*s;
	size_t		 i;

	if (!json_is_true(json_object_get(f, "Privileged")) &&
	    !str_is(f, "PidMode", "host") && !str_is(f, "IpcMode", "host"))
		return;
	json_array_foreach(opts, i, o) {
		s = json_string_value(o);
		if (s != NULL && strncmp(s, "label", 5) == 0 &&
		    (s[5] == '=' || s[5] == '\0'))
			return;	/* the caller chose the labels */
	}
	json_array_append_new(opts, json_string("label=disable"));
}

bool
gojson_matches(const json_t *ours, const json_t *recorded, const json_t *baseline,
    struct dw_err *err)
{
	const char	*key;
	json_t		*f, *rv, *ov;
	char		*a, *b;
	bool		 ok = true;

	if ((f = json_deep_copy(ours)) == NULL)
		return false;
	add_label_disable(f);
	if (json_object_size(f) != json_object_size(recorded)) {
		dw_err_set(err, "we read %zu fields, dockerd recorded %zu",
		    json_object_size(f), json_object_size(recorded));
		ok = false;
	}
	json_object_foreach((json_t *)recorded, key, rv) {
		if (!ok)
			break;
		ov = json_object_get(f, key);
		if (ov != NULL && json_equal(ov, rv))
			continue;
		/* A Go zero value is where dockerd puts its default. */
		if (ov != NULL && is_zero(ov) &&
		    json_equal(rv, json_object_get(baseline, key)))
			continue;
		a = json_dumps(rv, JSON_ENCODE_ANY | JSON_COMPACT);
		b = ov != NULL ? json_dumps(ov, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		dw_err_set(err, "%s: dockerd read %s, we read %s", key,
		    a ? a : "?", b ? b : "nothing");
		free(a);
		free(b);
		ok = false;
	}
	json_decref(f);
	return ok;
}

static int
no_such(void *ctx, const char *name, json_t **ret, struct dw_err *err)
{
	(void)ctx;
	(void)name;
	(void)ret;
	(void)err;
	return -ENOENT;
}

int
gojson_decide(const void *body, size_t len, struct authz_decision *d)
{
	static const char *const socks[] = { "/run/docker.sock", NULL };
	static const char policy[] = "{\"configurationFileVersion\":2,"
	    "\"enhancedContainerIsolation\":{\"value\":true,\"dockerSocketMount\":"
	    "{\"imageList\":{\"images\":[\"docker:cli\"]}}}}";
	static struct authz_settings *settings;
	struct authz_facts	 facts = {
		.container_inspect = no_such,
		.network_inspect = no_such,
		.volume_inspect = no_such,
		.engine_sockets = socks,
	};
	struct authz_request	 req;
	struct authz_uri		*uri = NULL;
	const char		*u = "/v1.41/containers/create";

	if (settings == NULL && (settings = authz_settings_parse(policy,
	    strlen(policy), "<gojson>", NULL)) == NULL)
		return -ENOMEM;
	if (authz_uri_parse("POST", u, &uri, NULL) < 0)
		return -ENOMEM;
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.raw_uri = u;
	req.uri = uri;
	req.body = body;
	req.body_len = len;
	req.content_type = "application/json";
	req.content_length = (long long)len;
	authz_decide(settings, &facts, &req, d);
	authz_uri_free(uri);
	return 0;
}
