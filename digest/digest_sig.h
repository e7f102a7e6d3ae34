/*
 * digest_sig: Ed25519 (RFC 8032) detached signatures over exact bytes, as
 * `openssl pkeyutl -sign -rawin` writes them, verified with OpenSSL's
 * libcrypto.  The fleet policy is trusted only when the admin's key signed
 * the very bytes that are parsed and enforced.
 */
#ifndef DIGEST_SIG_H
#define DIGEST_SIG_H

#include <stddef.h>

#include "common/dw_err.h"

#define DIGEST_SIG_LEN		64	/* an Ed25519 signature */
#define DIGEST_SIG_FILE_MAX	4096	/* a signature file, raw or base64 */
#define DIGEST_SIG_KEY_MAX	(16 * 1024) /* a PEM public key file */

/* An Ed25519 public key (opaque; read-only once parsed, so threads may share it). */
struct digest_sig_key;

/*
 * Parse a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) that must be Ed25519.
 * Returns a new key (free with digest_sig_key_free) or NULL with err.
 */
struct digest_sig_key *digest_sig_key_parse(const char *pem, size_t len,
	    struct dw_err *err);

/* Free; NULL is a no-op. */
void	digest_sig_key_free(struct digest_sig_key *k);

/*
 * The 64 signature bytes from a signature file's content: exactly 64 raw
 * bytes, or their base64 (88 characters) on one line, surrounding white
 * space allowed.  0, or -EINVAL with err.
 */
int	digest_sig_decode(const void *buf, size_t len,
	    unsigned char out[DIGEST_SIG_LEN], struct dw_err *err);

/*
 * Verify sig (a signature file's content, see digest_sig_decode) over
 * data[0..len).  0 when k signed exactly these bytes; -EINVAL for a
 * malformed signature, -EBADMSG when it does not verify; err says which.
 */
int	digest_sig_verify(const struct digest_sig_key *k, const void *data,
	    size_t len, const void *sig, size_t siglen, struct dw_err *err);

#endif
