/*
 * Fuzz the Ed25519 signature code the fleet policy trusts (digest_sig.h).
 *
 * Input: one flags byte, then the payload.  (flags % 3):
 *  0: the payload is a PEM public key file: digest_sig_key_parse; a key that
 *     parses then verifies the fixed signature over the fixed message.
 *  1: the payload is a signature file (raw or base64): digest_sig_decode,
 *     then digest_sig_verify over the fixed message with the fixed key.
 *  2: the payload is the signed data: verified with the fixed key and the
 *     fixed (valid) signature.
 * Oracles: with the fixed key, verification succeeds exactly when the
 * signature decodes to the valid one (mode 1) or the data is the message
 * (mode 2); decode and verify agree on what is malformed.  The key and
 * signature were made with openssl genpkey -algorithm ed25519 / pkeyutl
 * -sign -rawin; the seed corpus holds the valid raw and base64 signature.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest/digest_sig.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char	key_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEA/DtB7mhdJHragG7EaeksE84ImZDOuJ7p7b/SG2ojTOo=\n"
    "-----END PUBLIC KEY-----\n";
static const char	msg[] = "dockward fuzz message: {\"dockward\": {}}\n";
static const char	sig_b64[] =
    "hwr9OwrneaEYrSXrDZEaqEz382WIX+uHt/VeREAKtMEU2gX3560rAETY9weyRUtAGslocy6GNK7w5ceFL3QNCA==";

static struct digest_sig_key	*key;
static unsigned char		 sig[DIGEST_SIG_LEN];

static void
setup(void)
{
	struct dw_err	err;

	if (key != NULL)
		return;
	/* The compiled-in pair must verify, or every oracle below is void. */
	if ((key = digest_sig_key_parse(key_pem, strlen(key_pem), &err)) == NULL ||
	    digest_sig_decode(sig_b64, strlen(sig_b64), sig, &err) < 0 ||
	    digest_sig_verify(key, msg, strlen(msg), sig, sizeof(sig), &err) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest_sig_key	*k;
	struct dw_err		 err;
	unsigned char		 out[DIGEST_SIG_LEN];
	int			 rd, rv;

	setup();
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		if ((k = digest_sig_key_parse((const char *)data + 1, size - 1, &err)) != NULL) {
			(void)digest_sig_verify(k, msg, strlen(msg), sig, sizeof(sig), &err);
			digest_sig_key_free(k);
		}
		break;
	case 1:
		rd = digest_sig_decode(data + 1, size - 1, out, &err);
		rv = digest_sig_verify(key, msg, strlen(msg), data + 1, size - 1, &err);
		if (rd < 0 && rv != rd)
			abort();	/* malformed must stay -EINVAL */
		if (rd == 0 && (rv == 0) != (memcmp(out, sig, sizeof(sig)) == 0))
			abort();	/* a forgery, or the valid signature refused */
		if (rd == 0 && rv != 0 && rv != -EBADMSG)
			abort();
		break;
	default:
		rv = digest_sig_verify(key, data + 1, size - 1, sig, sizeof(sig), &err);
		if ((rv == 0) != (size - 1 == strlen(msg) && memcmp(data + 1, msg, size - 1) == 0))
			abort();
		break;
	}
	return 0;
}
