/*
 * digest_sha256: SHA-256 (FIPS 180-4) for content addresses: registry
 * manifests, config blobs and cached proofs are checked against the
 * digest that names them.
 */
#ifndef DIGEST_SHA256_H
#define DIGEST_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* "sha256:" + 64 hex + NUL */
#define DIGEST_SHA256_STRLEN	72

struct digest_sha256_ctx {
	uint32_t	h[8];
	uint64_t	len;		/* bytes hashed so far */
	uint8_t		buf[64];
	size_t		nbuf;
};

void	digest_sha256_init(struct digest_sha256_ctx *ctx);
void	digest_sha256_update(struct digest_sha256_ctx *ctx, const void *data, size_t len);
/* Finish and write "sha256:<64 lowercase hex>" into out. */
void	digest_sha256_final(struct digest_sha256_ctx *ctx, char out[DIGEST_SHA256_STRLEN]);
/* One-shot: out = "sha256:<hex>" of data. */
void	digest_sha256_string(const void *data, size_t len, char out[DIGEST_SHA256_STRLEN]);

#endif
