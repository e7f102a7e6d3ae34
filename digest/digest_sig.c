/*
 * digest_sig: Ed25519 detached signatures (see digest_sig.h).  libcrypto
 * does the curve arithmetic: a hand-written Ed25519 would be a liability,
 * and libcurl already links OpenSSL into the daemon.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "digest/digest_sig.h"

struct digest_sig_key {
	EVP_PKEY	*pkey;
};

/* The first queued OpenSSL error as text ("" when none); clears the queue. */
static const char *
ssl_error(char *buf, size_t bufsz)
{
	unsigned long	e = ERR_get_error();

	buf[0] = '\0';
	if (e != 0)
		ERR_error_string_n(e, buf, bufsz);
	ERR_clear_error();
	return buf;
}

struct digest_sig_key *
digest_sig_key_parse(const char *pem, size_t len, struct dw_err *err)
{
	struct digest_sig_key	*k = NULL;
	EVP_PKEY		*pkey = NULL;
	BIO			*bio = NULL;
	char			 ebuf[256];

	if (len > DIGEST_SIG_KEY_MAX) {
		dw_err_set(err, "public key file is %zu bytes; the limit is %d", len,
		    DIGEST_SIG_KEY_MAX);
		return NULL;
	}
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		dw_err_set(err, "out of memory");
		goto out;
	}
	if ((pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL)) == NULL) {
		dw_err_set(err, "not a PEM public key (%s); make one from the signing "
		    "key with: openssl pkey -in key.pem -pubout -out key.pub",
		    ssl_error(ebuf, sizeof(ebuf)));
		goto out;
	}
	if (EVP_PKEY_id(pkey) != EVP_PKEY_ED25519) {
		dw_err_set(err, "the public key is %s, not Ed25519; make an Ed25519 "
		    "key with: openssl genpkey -algorithm ed25519 -out key.pem",
		    OBJ_nid2sn(EVP_PKEY_id(pkey)));
		goto out;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		dw_err_set(err, "out of memory");
		goto out;
	}
	k->pkey = pkey;
	pkey = NULL;
out:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	ERR_clear_error();
	return k;
}

void
digest_sig_key_free(struct digest_sig_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int
digest_sig_decode(const void *buf, size_t len, unsigned char out[DIGEST_SIG_LEN],
    struct dw_err *err)
{
	const unsigned char	*p = buf;
	unsigned char		 dec[3 * 88 / 4 + 1];
	size_t			 i;
	int			 n;

	/* Raw first: 64 bytes may well contain white space or '='. */
	if (len == DIGEST_SIG_LEN) {
		memcpy(out, p, DIGEST_SIG_LEN);
		return 0;
	}
	while (len > 0 && isspace(p[len - 1]))
		len--;
	while (len > 0 && isspace(p[0])) {
		p++;
		len--;
	}
	/* base64 of 64 bytes: 88 characters ending "==". */
	if (len != 88 || p[86] != '=' || p[87] != '=')
		goto bad;
	for (i = 0; i < 86; i++)
		if (!isalnum(p[i]) && p[i] != '+' && p[i] != '/')
			goto bad;
	if ((n = EVP_DecodeBlock(dec, p, 88)) != 66)	/* counts the padding as zeros */
		goto bad;
	memcpy(out, dec, DIGEST_SIG_LEN);
	return 0;
bad:
	dw_err_set(err, "the signature is neither 64 raw bytes nor their base64 "
	    "on one line (%zu bytes); sign with: openssl pkeyutl -sign -rawin "
	    "-inkey key.pem -in admin-settings.json -out admin-settings.json.sig", len);
	return -EINVAL;
}

int
digest_sig_verify(const struct digest_sig_key *k, const void *data, size_t len,
    const void *sig, size_t siglen, struct dw_err *err)
{
	unsigned char	 raw[DIGEST_SIG_LEN];
	EVP_MD_CTX	*md = NULL;
	int		 r, v;

	if ((r = digest_sig_decode(sig, siglen, raw, err)) < 0)
		return r;
	ERR_clear_error();
	if ((md = EVP_MD_CTX_new()) == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	/* Ed25519 is "pure": no digest is named, the message goes in whole. */
	if (EVP_DigestVerifyInit(md, NULL, NULL, NULL, k->pkey) != 1) {
		dw_err_set(err, "cannot set up Ed25519 verification");
		r = -EINVAL;
		goto out;
	}
	v = EVP_DigestVerify(md, raw, sizeof(raw), data, len);
	if (v != 1) {
		dw_err_set(err, "the signature does not match the policy bytes and "
		    "the configured public key (signed with another key, or the file "
		    "changed after signing)");
		r = -EBADMSG;
		goto out;
	}
	r = 0;
out:
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return r;
}
