/*
 * digest_facts: what a reference resolves to in its repository, by
 * digest.  Filled by the registry client (from the registry) and by the
 * trust bundle reader (from an image archive); compared by
 * digest_identity against what the engine has.  Plain data, no I/O.
 */
#ifndef DIGEST_FACTS_H
#define DIGEST_FACTS_H

#include <stdbool.h>

#include "common/dw_strv.h"
#include "digest/digest_sha256.h"

struct digest_facts {
	char		 digest[DIGEST_SHA256_STRLEN];	/* digest of the manifest or index the reference names */
	bool		 is_index;		/* an OCI index / Docker manifest list */
	struct dw_strv	 manifests;		/* platform manifest digests (for a plain manifest: itself); attestation manifests excluded */
	struct dw_strv	 configs;		/* config blob digest of each platform manifest, same order */
};

/* Release what facts owns and zero it; NULL is a no-op. */
void	digest_facts_clear(struct digest_facts *facts);

#endif
