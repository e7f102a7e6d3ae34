/* digest_manifest: Docker schema2 / OCI manifests and indexes, parsed for their digests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/dw_esc.h"
#include "common/dw_limits.h"
#include "digest/digest_ref.h"
#include "digest/digest_manifest.h"

#define MT_ESC_MAX		80	/* a quoted media type in messages */
#define ATTESTATION_KEY		"vnd.docker.reference.type"
#define ATTESTATION_VALUE	"attestation-manifest"

static const struct {
	const char			*type;
	enum digest_manifest_kind	 kind;
} manifest_types[] = {
	{ DIGEST_MANIFEST_MT_DOCKER_MANIFEST, DIGEST_MANIFEST_DOCKER_V2 },
	{ DIGEST_MANIFEST_MT_DOCKER_LIST, DIGEST_MANIFEST_DOCKER_LIST },
	{ DIGEST_MANIFEST_MT_OCI_MANIFEST, DIGEST_MANIFEST_OCI },
	{ DIGEST_MANIFEST_MT_OCI_INDEX, DIGEST_MANIFEST_OCI_INDEX },
};

/* Content types that say nothing about the manifest: the body decides. */
static const char *const generic_types[] = {
	"application/json", "text/plain", "application/octet-stream",
};

/* Length of a media type without parameters and trailing whitespace. */
static size_t
mt_len(const char *s)
{
	size_t	n = strcspn(s, ";");

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

/* Map a media type (parameters ignored, case-insensitive) to a kind. */
enum digest_manifest_kind
digest_manifest_kind_of(const char *media_type)
{
	size_t	i, n;

	if (media_type == NULL)
		return DIGEST_MANIFEST_UNKNOWN;
	while (*media_type == ' ' || *media_type == '\t')
		media_type++;
	n = mt_len(media_type);
	for (i = 0; i < sizeof(manifest_types) / sizeof(manifest_types[0]); i++)
		if (strlen(manifest_types[i].type) == n &&
		    strncasecmp(media_type, manifest_types[i].type, n) == 0)
			return manifest_types[i].kind;
	return DIGEST_MANIFEST_UNKNOWN;
}

/* True for a missing, empty or generic Content-Type. */
static bool
mt_is_generic(const char *ct)
{
	size_t	i, n;

	if (ct == NULL)
		return true;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if ((n = mt_len(ct)) == 0)
		return true;
	for (i = 0; i < sizeof(generic_types) / sizeof(generic_types[0]); i++)
		if (strlen(generic_types[i]) == n && strncasecmp(ct, generic_types[i], n) == 0)
			return true;
	return false;
}

/* Free the children and reset. */
void
digest_manifest_clear(struct digest_manifest *m)
{
	if (m == NULL)
		return;
	dw_strv_clear(&m->children);
	memset(m, 0, sizeof(*m));
}

/* The descriptor's "digest", checked; NULL with err when missing or invalid. */
static const char *
manifest_desc_digest(json_t *desc, const char *what, struct dw_err *err)
{
	json_t		*d;
	const char	*s;

	if (!json_is_object(desc)) {
		dw_err_set(err, "manifest: %s is not an object", what);
		return NULL;
	}
	d = json_object_get(desc, "digest");
	if (!json_is_string(d)) {
		dw_err_set(err, "manifest: %s has no \"digest\" string", what);
		return NULL;
	}
	s = json_string_value(d);
	if (strlen(s) != json_string_length(d) || !digest_ref_is_sha256(s)) {
		char	q[MT_ESC_MAX];

		dw_esc(q, sizeof(q), s, (size_t)-1);
		dw_err_set(err, "manifest: %s digest \"%s\" is not a sha256 digest", what, q);
		return NULL;
	}
	return s;
}

/* True when an index entry is an attestation (BuildKit provenance/SBOM). */
static bool
manifest_is_attestation(json_t *desc)
{
	json_t	*ann, *plat, *v, *os, *arch;

	ann = json_object_get(desc, "annotations");
	if (json_is_object(ann)) {
		v = json_object_get(ann, ATTESTATION_KEY);
		if (json_is_string(v) && strcmp(json_string_value(v), ATTESTATION_VALUE) == 0)
			return true;
	}
	plat = json_object_get(desc, "platform");
	if (json_is_object(plat)) {
		os = json_object_get(plat, "os");
		arch = json_object_get(plat, "architecture");
		if (json_is_string(os) && json_is_string(arch) &&
		    strcmp(json_string_value(os), "unknown") == 0 &&
		    strcmp(json_string_value(arch), "unknown") == 0)
			return true;
	}
	return false;
}

/* An image manifest: config digest, layer digests checked. */
static int
manifest_parse_image(json_t *root, struct digest_manifest *m, struct dw_err *err)
{
	json_t		*layers, *l;
	const char	*d;
	size_t		 i;
	char		 what[32];

	if (json_object_get(root, "manifests") != NULL) {
		dw_err_set(err, "manifest: an image manifest with \"manifests\" is ambiguous");
		return -EPROTO;
	}
	if ((d = manifest_desc_digest(json_object_get(root, "config"), "\"config\"",
	    err)) == NULL)
		return -EPROTO;
	snprintf(m->config, sizeof(m->config), "%s", d);
	layers = json_object_get(root, "layers");
	if (layers != NULL && !json_is_array(layers)) {
		dw_err_set(err, "manifest: \"layers\" is not an array");
		return -EPROTO;
	}
	json_array_foreach(layers, i, l) {
		snprintf(what, sizeof(what), "layer %zu", i);
		if (manifest_desc_digest(l, what, err) == NULL)
			return -EPROTO;
	}
	return 0;
}

/* An index: platform manifest digests, attestations and non-image entries skipped. */
static int
manifest_parse_index(json_t *root, struct digest_manifest *m, struct dw_err *err)
{
	json_t		*list, *desc;
	const char	*d;
	size_t		 i;
	char		 what[32];
	int		 r;

	if (json_object_get(root, "config") != NULL) {
		dw_err_set(err, "manifest: an index with \"config\" is ambiguous");
		return -EPROTO;
	}
	list = json_object_get(root, "manifests");
	if (!json_is_array(list)) {
		dw_err_set(err, "manifest: index has no \"manifests\" array");
		return -EPROTO;
	}
	json_array_foreach(list, i, desc) {
		enum digest_manifest_kind	k;

		snprintf(what, sizeof(what), "manifests[%zu]", i);
		if ((d = manifest_desc_digest(desc, what, err)) == NULL)
			return -EPROTO;
		if (manifest_is_attestation(desc))
			continue;
		k = digest_manifest_kind_of(json_string_value(json_object_get(desc,
		    "mediaType")));
		if (k != DIGEST_MANIFEST_DOCKER_V2 && k != DIGEST_MANIFEST_OCI)
			continue;
		if (dw_strv_contains(&m->children, d))
			continue;
		if (m->children.n >= DW_INDEX_CHILDREN_MAX) {
			dw_err_set(err, "manifest: index lists more than %d platform manifests",
			    DW_INDEX_CHILDREN_MAX);
			return -E2BIG;
		}
		if ((r = dw_strv_push(&m->children, d)) != 0)
			return r;
	}
	if (m->children.n == 0) {
		dw_err_set(err, "manifest: index lists no platform image manifest");
		return -EPROTO;
	}
	return 0;
}

/* Decide the kind, then parse the body as that kind. */
int
digest_manifest_parse(const char *content_type, const void *body, size_t len,
    struct digest_manifest *ret, struct dw_err *err)
{
	struct digest_manifest	 m = { 0 };
	enum digest_manifest_kind	 ct_kind, body_kind = DIGEST_MANIFEST_UNKNOWN;
	json_error_t			 jerr;
	json_t				*root = NULL, *mt, *sv;
	char				 q[MT_ESC_MAX], q2[MT_ESC_MAX];
	int				 r;

	if (len > DW_MANIFEST_MAX) {
		dw_err_set(err, "manifest larger than %d bytes", DW_MANIFEST_MAX);
		return -E2BIG;
	}
	ct_kind = digest_manifest_kind_of(content_type);
	if (ct_kind == DIGEST_MANIFEST_UNKNOWN && !mt_is_generic(content_type)) {
		dw_esc(q, sizeof(q), content_type, (size_t)-1);
		dw_err_set(err, "manifest: unsupported media type \"%s\"", q);
		return -EPROTO;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		dw_err_set(err, "manifest: not a JSON object (line %d: %.80s)", jerr.line,
		    root == NULL ? jerr.text : "not an object");
		r = -EPROTO;
		goto out;
	}
	mt = json_object_get(root, "mediaType");
	if (mt != NULL) {
		if (!json_is_string(mt) ||
		    strlen(json_string_value(mt)) != json_string_length(mt)) {
			dw_err_set(err, "manifest: \"mediaType\" is not a string");
			r = -EPROTO;
			goto out;
		}
		/* In the body, the exact type: no parameters, no case folding. */
		body_kind = digest_manifest_kind_of(json_string_value(mt));
		if (body_kind != DIGEST_MANIFEST_UNKNOWN &&
		    strcmp(json_string_value(mt), manifest_types[body_kind - 1].type) != 0)
			body_kind = DIGEST_MANIFEST_UNKNOWN;
		if (body_kind == DIGEST_MANIFEST_UNKNOWN) {
			dw_esc(q, sizeof(q), json_string_value(mt), (size_t)-1);
			dw_err_set(err, "manifest: unsupported mediaType \"%s\"", q);
			r = -EPROTO;
			goto out;
		}
	}
	if (ct_kind != DIGEST_MANIFEST_UNKNOWN && body_kind != DIGEST_MANIFEST_UNKNOWN &&
	    ct_kind != body_kind) {
		dw_esc(q, sizeof(q), content_type, (size_t)-1);
		dw_esc(q2, sizeof(q2), json_string_value(mt), (size_t)-1);
		dw_err_set(err, "manifest: Content-Type \"%s\" conflicts with mediaType \"%s\"",
		    q, q2);
		r = -EPROTO;
		goto out;
	}
	m.kind = ct_kind != DIGEST_MANIFEST_UNKNOWN ? ct_kind : body_kind;
	if (m.kind == DIGEST_MANIFEST_UNKNOWN) {
		dw_err_set(err, "manifest: neither Content-Type nor mediaType names a "
		    "manifest type");
		r = -EPROTO;
		goto out;
	}
	sv = json_object_get(root, "schemaVersion");
	if (!json_is_integer(sv) || json_integer_value(sv) != 2) {
		dw_err_set(err, "manifest: schemaVersion is not 2");
		r = -EPROTO;
		goto out;
	}
	m.is_index = m.kind == DIGEST_MANIFEST_DOCKER_LIST ||
	    m.kind == DIGEST_MANIFEST_OCI_INDEX;
	if (m.is_index)
		r = manifest_parse_index(root, &m, err);
	else
		r = manifest_parse_image(root, &m, err);
	if (r != 0)
		goto out;
	*ret = m;
	memset(&m, 0, sizeof(m));
out:
	digest_manifest_clear(&m);
	json_decref(root);
	return r;
}
