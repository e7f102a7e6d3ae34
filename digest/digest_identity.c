/* digest_identity: local image identity against registry facts and ancestry. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "digest/digest_identity.h"
#include "digest/digest_ref.h"

void
digest_identity_clear(struct digest_identity *img)
{
	free(img->id);
	dw_strv_clear(&img->repo_digests);
	dw_strv_clear(&img->layers);
	memset(img, 0, sizeof(*img));
}

/* Append every string of a JSON array of strings; non-strings are an error. */
static int
push_strings(const json_t *a, struct dw_strv *sv)
{
	const json_t	*e;
	size_t		 i;

	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return -EPROTO;
	json_array_foreach(a, i, e) {
		if (!json_is_string(e))
			return -EPROTO;
		if (dw_strv_push(sv, json_string_value(e)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int
digest_identity_from_inspect(const json_t *inspect, struct digest_identity *img,
    struct dw_err *err)
{
	const char	*id;
	json_t		*rootfs;
	int		 r;

	memset(img, 0, sizeof(*img));
	id = json_string_value(json_object_get(inspect, "Id"));
	if (id == NULL || !digest_ref_is_sha256(id)) {
		dw_err_set(err, "engine image inspect has no sha256 Id");
		return -EPROTO;
	}
	if ((img->id = strdup(id)) == NULL)
		return -ENOMEM;
	img->containerd = json_is_object(json_object_get(inspect, "Descriptor"));
	rootfs = json_object_get(inspect, "RootFS");
	if ((r = push_strings(json_object_get(inspect, "RepoDigests"), &img->repo_digests)) < 0 ||
	    (r = push_strings(json_object_get(rootfs, "Layers"), &img->layers)) < 0) {
		dw_err_set(err, "engine image inspect has malformed RepoDigests or RootFS.Layers");
		digest_identity_clear(img);
		return r;
	}
	return 0;
}

bool
digest_identity_matches(const struct digest_identity *img, const struct digest_facts *f)
{
	if (img->containerd)
		return strcmp(img->id, f->digest) == 0 ||
		    dw_strv_contains(&f->manifests, img->id);
	return dw_strv_contains(&f->configs, img->id);
}

bool
digest_identity_derived_from(const struct digest_identity *img,
    const struct digest_identity *base)
{
	size_t	i;

	if (base->layers.n == 0 || base->layers.n >= img->layers.n)
		return false;
	for (i = 0; i < base->layers.n; i++)
		if (strcmp(base->layers.v[i], img->layers.v[i]) != 0)
			return false;
	return true;
}
