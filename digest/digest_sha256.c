/* digest_sha256: SHA-256 as specified in FIPS 180-4, section 6.2. */
#include <stdint.h>
#include <string.h>

#include "digest/digest_sha256.h"

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z)	(((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z)	(((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x)	(ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x)	(ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x)	(ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x)	(ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

/* Process one 64-byte block (FIPS 180-4 6.2.2). */
static void
sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t	w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int		i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = SSIG1(w[i - 2]) + w[i - 7] + SSIG0(w[i - 15]) + w[i - 16];
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + BSIG1(e) + CH(e, f, g) + sha256_k[i] + w[i];
		t2 = BSIG0(a) + MAJ(a, b, c);
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

/* Initial hash value H(0) (FIPS 180-4 5.3.3). */
void
digest_sha256_init(struct digest_sha256_ctx *ctx)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(ctx->h, h0, sizeof(ctx->h));
	ctx->len = 0;
	ctx->nbuf = 0;
}

/* Hash len more bytes: whole blocks straight from data, the rest buffered. */
void
digest_sha256_update(struct digest_sha256_ctx *ctx, const void *data, size_t len)
{
	const uint8_t	*p = data;
	size_t		 n;

	if (len == 0)
		return;
	ctx->len += len;
	if (ctx->nbuf > 0) {
		n = sizeof(ctx->buf) - ctx->nbuf;
		if (n > len)
			n = len;
		memcpy(ctx->buf + ctx->nbuf, p, n);
		ctx->nbuf += n;
		p += n;
		len -= n;
		if (ctx->nbuf < sizeof(ctx->buf))
			return;
		sha256_block(ctx->h, ctx->buf);
		ctx->nbuf = 0;
	}
	while (len >= sizeof(ctx->buf)) {
		sha256_block(ctx->h, p);
		p += sizeof(ctx->buf);
		len -= sizeof(ctx->buf);
	}
	if (len > 0) {
		memcpy(ctx->buf, p, len);
		ctx->nbuf = len;
	}
}

/* Pad (FIPS 180-4 5.1.1), hash the last block(s), print "sha256:<hex>". */
void
digest_sha256_final(struct digest_sha256_ctx *ctx, char out[DIGEST_SHA256_STRLEN])
{
	static const char	 hex[] = "0123456789abcdef";
	uint64_t		 bits = ctx->len * 8;
	uint8_t			 md[32];
	int			 i;

	ctx->buf[ctx->nbuf++] = 0x80;
	if (ctx->nbuf > 56) {
		memset(ctx->buf + ctx->nbuf, 0, sizeof(ctx->buf) - ctx->nbuf);
		sha256_block(ctx->h, ctx->buf);
		ctx->nbuf = 0;
	}
	memset(ctx->buf + ctx->nbuf, 0, 56 - ctx->nbuf);
	for (i = 0; i < 8; i++)
		ctx->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_block(ctx->h, ctx->buf);
	for (i = 0; i < 8; i++) {
		md[4 * i] = (uint8_t)(ctx->h[i] >> 24);
		md[4 * i + 1] = (uint8_t)(ctx->h[i] >> 16);
		md[4 * i + 2] = (uint8_t)(ctx->h[i] >> 8);
		md[4 * i + 3] = (uint8_t)ctx->h[i];
	}
	memcpy(out, "sha256:", 7);
	for (i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[7 + 2 * i + 1] = hex[md[i] & 0xf];
	}
	out[7 + 64] = '\0';
	/* The state must not linger; init again before reuse. */
	memset(ctx, 0, sizeof(*ctx));
}

/* One-shot digest of a buffer. */
void
digest_sha256_string(const void *data, size_t len, char out[DIGEST_SHA256_STRLEN])
{
	struct digest_sha256_ctx	ctx;

	digest_sha256_init(&ctx);
	digest_sha256_update(&ctx, data, len);
	digest_sha256_final(&ctx, out);
}
