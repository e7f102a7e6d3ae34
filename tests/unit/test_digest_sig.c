/*
 * Unit tests for digest_sig: a signature made by the openssl command line
 * (`openssl pkeyutl -sign -rawin`, raw and base64) verifies; a changed
 * byte, another key, a truncated or padded signature, a non-Ed25519 or
 * malformed key are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "digest/digest_sig.h"

/* Made with: openssl genpkey -algorithm ed25519 -out key.pem; openssl pkey -pubout. */
static const char pub_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEA27OhLIovGv3b/2nqtQr5pSrS65qMdTDgrJrLJ4vLerw=\n"
    "-----END PUBLIC KEY-----\n";
/* Another Ed25519 key. */
static const char other_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAjRFaJuUWHyK1AldXLbiwGzJyW0EavLxk1hp+SeVzVEs=\n"
    "-----END PUBLIC KEY-----\n";
/* A P-256 key: right format, wrong algorithm. */
static const char ec_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEJEyiVgWgT4S7b/sRNAOlIEcSncfd\n"
    "/eCGJMoA/2uJwgUk+T+aiagUEFGQ78QM6igHpZR2LOKzVHw2WN5re+Kcng==\n"
    "-----END PUBLIC KEY-----\n";
/* The message, and `openssl pkeyutl -sign -rawin -inkey key.pem -in msg` | base64. */
static const char msg[] = "{\"configurationFileVersion\": 2}\n";
static const char sig_b64[] =
    "Tk5CkPCE4oabCdQkjqRThm8fQOQjtiFRZbD29c+sx6hg3Hb/X9BKWYSnKDi+mmYsUSpjclTkVnEnTYYsSjhFBw==";

static struct digest_sig_key *
key(const char *pem)
{
	struct digest_sig_key	*k;
	struct dw_err		 err;

	k = digest_sig_key_parse(pem, strlen(pem), &err);
	assert_non_null(k);
	return k;
}

/* The raw 64 bytes, decoded from the base64 fixture. */
static void
raw_sig(unsigned char out[DIGEST_SIG_LEN])
{
	struct dw_err	err;

	assert_int_equal(digest_sig_decode(sig_b64, strlen(sig_b64), out, &err), 0);
}

static void
test_good_raw(void **state)
{
	struct digest_sig_key	*k = key(pub_pem);
	unsigned char		 sig[DIGEST_SIG_LEN];
	struct dw_err		 err;

	raw_sig(sig);
	assert_int_equal(digest_sig_verify(k, msg, strlen(msg), sig, sizeof(sig), &err), 0);
	digest_sig_key_free(k);
}

/* base64 on one line, with or without the trailing newline `base64` writes. */
static void
test_good_base64(void **state)
{
	struct digest_sig_key	*k = key(pub_pem);
	char			 line[128];
	struct dw_err		 err;

	assert_int_equal(digest_sig_verify(k, msg, strlen(msg), sig_b64,
	    strlen(sig_b64), &err), 0);
	snprintf(line, sizeof(line), "%s\n", sig_b64);
	assert_int_equal(digest_sig_verify(k, msg, strlen(msg), line, strlen(line), &err), 0);
	snprintf(line, sizeof(line), "  %s\r\n", sig_b64);
	assert_int_equal(digest_sig_verify(k, msg, strlen(msg), line, strlen(line), &err), 0);
	digest_sig_key_free(k);
}

/* One byte of the message changed, or one missing: refused. */
static void
test_changed_message(void **state)
{
	struct digest_sig_key	*k = key(pub_pem);
	unsigned char		 sig[DIGEST_SIG_LEN];
	char			 m[sizeof(msg)];
	struct dw_err		 err;

	raw_sig(sig);
	memcpy(m, msg, sizeof(msg));
	m[3] ^= 0x01;
	assert_int_equal(digest_sig_verify(k, m, strlen(m), sig, sizeof(sig), &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "does not match"));
	assert_int_equal(digest_sig_verify(k, msg, strlen(msg) - 1, sig, sizeof(sig), &err),
	    -EBADMSG);
	/* A flipped signature bit. */
	sig[10] ^= 0x80;
	assert_int_equal(digest_sig_verify(k, msg, strlen(msg), sig, sizeof(sig), &err), -EBADMSG);
	digest_sig_key_free(k);
}

static void
test_wrong_key(void **state)
{
	struct digest_sig_key	*k = key(other_pem);
	unsigned char		 sig[DIGEST_SIG_LEN];
	struct dw_err		 err;

	raw_sig(sig);
	assert_int_equal(digest_sig_verify(k, msg, strlen(msg), sig, sizeof(sig), &err), -EBADMSG);
	digest_sig_key_free(k);
}

/* 63 or 65 raw bytes, base64 cut short or with junk: malformed, not a verify failure. */
static void
test_truncated(void **state)
{
	struct digest_sig_key	*k = key(pub_pem);
	unsigned char		 sig[DIGEST_SIG_LEN + 1];
	char			 b[128];
	struct dw_err		 err;

	raw_sig(sig);
	sig[DIGEST_SIG_LEN] = 0;
	assert_int_equal(digest_sig_verify(k, msg, strlen(msg), sig, 63, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "openssl pkeyutl"));
	assert_int_equal(digest_sig_verify(k, msg, strlen(msg), sig, 65, &err), -EINVAL);
	assert_int_equal(digest_sig_verify(k, msg, strlen(msg), sig, 0, &err), -EINVAL);
	assert_int_equal(digest_sig_verify(k, msg, strlen(msg), sig_b64, 80, &err), -EINVAL);
	snprintf(b, sizeof(b), "%s", sig_b64);
	b[5] = '*';
	assert_int_equal(digest_sig_verify(k, msg, strlen(msg), b, strlen(b), &err), -EINVAL);
	/* Two lines are not one signature. */
	snprintf(b, sizeof(b), "%.44s\n%s", sig_b64, sig_b64 + 44);
	assert_int_equal(digest_sig_verify(k, msg, strlen(msg), b, strlen(b), &err), -EINVAL);
	digest_sig_key_free(k);
}

static void
test_key_refused(void **state)
{
	struct dw_err	err;
	char		priv[] = "-----BEGIN PRIVATE KEY-----\n"
	    "MC4CAQAwBQYDK2VwBCIEIDa0o6Ox0E5Vnmv7ypxO1x6AvBLdvWvs5zkU3Ls1yN0z\n"
	    "-----END PRIVATE KEY-----\n";

	assert_null(digest_sig_key_parse(ec_pem, strlen(ec_pem), &err));
	assert_non_null(strstr(err.msg, "not Ed25519"));
	assert_null(digest_sig_key_parse("hello", 5, &err));
	assert_non_null(strstr(err.msg, "not a PEM public key"));
	assert_null(digest_sig_key_parse(priv, strlen(priv), &err));
	assert_null(digest_sig_key_parse(pub_pem, 40, &err));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_raw),
		cmocka_unit_test(test_good_base64),
		cmocka_unit_test(test_changed_message),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_key_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
