/*
 * digest_manifest: what a manifest or an index says, for the policy:
 * a platform manifest's config digest, or an index's platform manifest
 * digests.  Four media types are understood: Docker schema2 manifest and
 * manifest list, OCI image manifest and index.  The kind is decided from
 * the Content-Type the registry sent and the body's "mediaType"; they
 * must agree.  Every digest is checked with digest_ref_is_sha256.
 */
#ifndef DIGEST_MANIFEST_H
#define DIGEST_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"
#include "digest/digest_sha256.h"

#define DIGEST_MANIFEST_MT_DOCKER_MANIFEST	"application/vnd.docker.distribution.manifest.v2+json"
#define DIGEST_MANIFEST_MT_DOCKER_LIST		"application/vnd.docker.distribution.manifest.list.v2+json"
#define DIGEST_MANIFEST_MT_OCI_MANIFEST	"application/vnd.oci.image.manifest.v1+json"
#define DIGEST_MANIFEST_MT_OCI_INDEX		"application/vnd.oci.image.index.v1+json"
/* The Accept header value for manifest requests (all four types). */
#define DIGEST_MANIFEST_ACCEPT \
	DIGEST_MANIFEST_MT_DOCKER_MANIFEST ", " DIGEST_MANIFEST_MT_DOCKER_LIST ", " \
	DIGEST_MANIFEST_MT_OCI_MANIFEST ", " DIGEST_MANIFEST_MT_OCI_INDEX

enum digest_manifest_kind {
	DIGEST_MANIFEST_UNKNOWN = 0,
	DIGEST_MANIFEST_DOCKER_V2,
	DIGEST_MANIFEST_DOCKER_LIST,
	DIGEST_MANIFEST_OCI,
	DIGEST_MANIFEST_OCI_INDEX,
};

/* A parsed manifest or index; release with digest_manifest_clear. */
struct digest_manifest {
	enum digest_manifest_kind	 kind;
	bool				 is_index;
	char				 config[DIGEST_SHA256_STRLEN];	/* manifest: "config".digest; index: "" */
	struct dw_strv			 children;	/* index: platform manifest digests, in order,
							   without duplicates and attestations */
};

/*
 * Parse body (len bytes, at most DW_MANIFEST_MAX) served with Content-Type
 * content_type (NULL when the registry sent none; parameters such as
 * "; charset=utf-8" are ignored).  The kind comes from the Content-Type
 * when it is one of the four types and from the body's "mediaType"
 * otherwise; when both name a type they must be the same.  A manifest
 * needs schemaVersion 2, a "config" with a valid digest and no
 * "manifests"; an index needs "manifests" and no "config".  Index
 * children that are attestations (annotation "vnd.docker.reference.type"
 * = "attestation-manifest", or platform unknown/unknown) or not image
 * manifests are skipped; at most DW_INDEX_CHILDREN_MAX remain.
 * 0 with *ret filled, -EPROTO (unknown or conflicting type, malformed,
 * bad digest, an index with no platform manifest), -E2BIG, -ENOMEM.
 * ret is written only on success.
 */
int	digest_manifest_parse(const char *content_type, const void *body, size_t len,
	    struct digest_manifest *ret, struct dw_err *err);
void	digest_manifest_clear(struct digest_manifest *m);

/* The kind a media type names (parameters ignored), DIGEST_MANIFEST_UNKNOWN otherwise. */
enum digest_manifest_kind digest_manifest_kind_of(const char *media_type);

#endif
