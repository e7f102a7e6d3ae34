/*
 * Unit tests for digest_sha256: the FIPS 180-2 / NIST example vectors and
 * the equivalence of one-shot and split updates at every split point.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "digest/digest_sha256.h"

struct vector {
	const char	*msg;
	const char	*digest;
};

static const struct vector vectors[] = {
	{ "", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	/* The 448-bit message: padding needs a second block. */
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
	    "klmnopqrlmnopqrsmnopqrstnopqrstu",
	    "sha256:cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

/* The NIST vectors, one-shot. */
static void
test_vectors(void **state)
{
	char	out[DIGEST_SHA256_STRLEN];
	size_t	i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		digest_sha256_string(vectors[i].msg, strlen(vectors[i].msg), out);
		assert_string_equal(out, vectors[i].digest);
	}
}

/* One million 'a', fed in uneven pieces. */
static void
test_million_a(void **state)
{
	struct digest_sha256_ctx	 ctx;
	char				 out[DIGEST_SHA256_STRLEN], *buf;
	size_t				 done = 0, n = 1;

	buf = malloc(1000000);
	assert_non_null(buf);
	memset(buf, 'a', 1000000);
	digest_sha256_string(buf, 1000000, out);
	assert_string_equal(out,
	    "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	digest_sha256_init(&ctx);
	while (done < 1000000) {
		if (n > 1000000 - done)
			n = 1000000 - done;
		digest_sha256_update(&ctx, buf + done, n);
		done += n;
		n = n * 3 % 1021 + 1;
	}
	digest_sha256_final(&ctx, out);
	assert_string_equal(out,
	    "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(buf);
}

/* Splitting the input anywhere (and empty updates) gives the same digest. */
static void
test_split_updates(void **state)
{
	struct digest_sha256_ctx	 ctx;
	uint8_t				 msg[300];
	char				 one[DIGEST_SHA256_STRLEN], two[DIGEST_SHA256_STRLEN];
	size_t				 len, cut, i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	/* Lengths around the 55/56/64-byte padding edges and a few blocks. */
	for (len = 0; len <= sizeof(msg); len++) {
		digest_sha256_string(msg, len, one);
		for (cut = 0; cut <= len; cut += (len < 130 ? 1 : 17)) {
			digest_sha256_init(&ctx);
			digest_sha256_update(&ctx, msg, cut);
			digest_sha256_update(&ctx, NULL, 0);
			digest_sha256_update(&ctx, msg + cut, len - cut);
			digest_sha256_final(&ctx, two);
			assert_string_equal(one, two);
		}
	}
	/* Byte by byte. */
	digest_sha256_init(&ctx);
	for (i = 0; i < 3; i++)
		digest_sha256_update(&ctx, "abc" + i, 1);
	digest_sha256_final(&ctx, two);
	assert_string_equal(two, vectors[1].digest);
}

/* The output is "sha256:" and 64 lowercase hex digits, NUL-terminated. */
static void
test_format(void **state)
{
	char	out[DIGEST_SHA256_STRLEN];
	size_t	i;

	memset(out, 'X', sizeof(out));
	digest_sha256_string("x", 1, out);
	assert_int_equal(strlen(out), DIGEST_SHA256_STRLEN - 1);
	assert_memory_equal(out, "sha256:", 7);
	for (i = 7; i < DIGEST_SHA256_STRLEN - 1; i++)
		assert_true((out[i] >= '0' && out[i] <= '9') || (out[i] >= 'a' && out[i] <= 'f'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_split_updates),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
