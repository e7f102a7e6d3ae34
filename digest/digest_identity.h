/*
 * digest_identity: is a local image the one a registry serves, and is it
 * built on top of one?  Names are never evidence: only the engine's image
 * Id (the config digest in the classic store; the manifest or index digest
 * in the containerd store) compared with what the registry serves, and
 * layer ancestry (RootFS.Layers) for derived images.
 */
#ifndef DIGEST_IDENTITY_H
#define DIGEST_IDENTITY_H

#include <stdbool.h>

#include <jansson.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"
#include "digest/digest_facts.h"

struct digest_identity {
	char		*id;		/* "sha256:..." */
	bool		 containerd;	/* inspect carries a Descriptor: Id is a manifest/index digest */
	struct dw_strv	 repo_digests;	/* "name@sha256:...", hints of what to look up */
	struct dw_strv	 layers;	/* RootFS.Layers, in order */
};

/*
 * Read the identity out of an engine image inspect answer.  0, or -EPROTO
 * with err when Id or the layers are missing or malformed.  Release with
 * digest_identity_clear.
 */
int	digest_identity_from_inspect(const json_t *inspect, struct digest_identity *img,
	    struct dw_err *err);
void	digest_identity_clear(struct digest_identity *img);

/* True when img is what the registry serves according to f. */
bool	digest_identity_matches(const struct digest_identity *img,
	    const struct digest_facts *f);

/* True when base's layers are a strict prefix of img's (img built FROM base). */
bool	digest_identity_derived_from(const struct digest_identity *img,
	    const struct digest_identity *base);

#endif
