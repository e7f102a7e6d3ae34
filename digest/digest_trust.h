/*
 * digest_trust: offline trust bundles for air-gapped sites.  An admin
 * imports the approved images as a `docker save` archive or an OCI image
 * layout (a directory or a tar of one, plain or compressed); dockward
 * records, per image name, the digests that prove it (config digests,
 * and manifest/index digests where the bundle has them).  Each recorded
 * digest is recomputed from the bundle's bytes, never copied from its
 * metadata.  The store is one JSON file in the state directory; with each
 * image it keeps the bundle's modification time, the one age a bundle
 * carries (doctor's cache.age reads it).
 */
#ifndef DIGEST_TRUST_H
#define DIGEST_TRUST_H

#include <stddef.h>
#include <time.h>

#include "common/dw_err.h"
#include "digest/digest_facts.h"

struct digest_trust_image {
	char			*name;	/* canonical "domain/path:tag" (digest_ref_string) */
	struct digest_facts	 facts;	/* digest: manifest/index digest, or the config digest when the bundle has no manifest (docker save) */
	/*
	 * The bundle's mtime when it was read (an archive's own, or a layout
	 * directory's index.json's): when the bundle was made or copied with
	 * its times.  0: not recorded (a store written before this field).
	 */
	time_t			 issued;
};

struct digest_trust {
	struct digest_trust_image	*images;
	size_t				 n;
};

/*
 * Read a bundle at path: a tar archive (any compression libarchive reads)
 * holding a `docker save` image (manifest.json) or an OCI layout
 * (oci-layout + index.json + blobs/sha256/...), or a directory holding an
 * OCI layout.  Bounded: members over 64 MiB, more than 100000 members or
 * unsafe names ("..", absolute) are refused.  Appends the images found to
 * *ret (names without a tag in the bundle are skipped), each with the
 * bundle's mtime as issued.  0 or -errno with err.
 */
int	digest_trust_read_bundle(const char *path, struct digest_trust *ret,
	    struct dw_err *err);

/*
 * Load the store file (absent file = empty store, 0).  -EPROTO with err
 * when malformed (an "issued" that is not a non-negative integer too).
 */
int	digest_trust_load(const char *file, struct digest_trust *ret, struct dw_err *err);
/* Write the store atomically (tmp file, fsync, rename; mode 0600). */
int	digest_trust_save(const char *file, const struct digest_trust *t, struct dw_err *err);
/* Add or replace images by name, issued times too (merging an import into a store).  0 or -ENOMEM. */
int	digest_trust_merge(struct digest_trust *dst, const struct digest_trust *src);
/* The facts recorded for a canonical name, or NULL (borrowed). */
const struct digest_facts *digest_trust_find(const struct digest_trust *t, const char *name);
/* The image recorded under a canonical name, or NULL (borrowed). */
const struct digest_trust_image *digest_trust_image_find(const struct digest_trust *t,
	    const char *name);
void	digest_trust_clear(struct digest_trust *t);

#endif
