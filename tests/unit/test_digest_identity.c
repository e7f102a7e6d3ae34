/*
 * Unit tests for digest_identity: an engine image inspect read into an
 * identity (classic and containerd stores, malformed answers), matching
 * it against registry facts, and layer ancestry.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "digest/digest_facts.h"
#include "digest/digest_identity.h"

#define H(c)	#c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
		#c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
		#c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
		#c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c
#define DA	"sha256:" H(a)
#define DB	"sha256:" H(b)
#define DC	"sha256:" H(c)
#define DD	"sha256:" H(d)
#define DE	"sha256:" H(e)
#define DF	"sha256:" H(f)

/* Read inspect text into img; the result. */
static int
from_text(const char *text, struct digest_identity *img, struct dw_err *err)
{
	json_t		*j;
	json_error_t	 jerr;
	int		 r;

	j = json_loads(text, 0, &jerr);
	if (j == NULL)
		fail_msg("test JSON: %s: %s", jerr.text, text);
	dw_err_clear(err);
	r = digest_identity_from_inspect(j, img, err);
	json_decref(j);
	return r;
}

/* The classic store: Id is the config digest; no Descriptor. */
static void
test_from_inspect_classic(void **state)
{
	struct digest_identity	img;
	struct dw_err		err;

	(void)state;
	assert_int_equal(from_text("{\"Id\":\"" DA "\",\"RepoTags\":[\"x:1\"],"
	    "\"RepoDigests\":[\"docker.io/library/x@" DB "\"],"
	    "\"RootFS\":{\"Type\":\"layers\",\"Layers\":[\"" DC "\",\"" DD "\"]}}",
	    &img, &err), 0);
	assert_string_equal(img.id, DA);
	assert_false(img.containerd);
	assert_int_equal(img.repo_digests.n, 1);
	assert_string_equal(img.repo_digests.v[0], "docker.io/library/x@" DB);
	assert_int_equal(img.layers.n, 2);
	assert_string_equal(img.layers.v[0], DC);
	assert_string_equal(img.layers.v[1], DD);
	digest_identity_clear(&img);
	assert_null(img.id);
	assert_int_equal(img.layers.n, 0);
	/* Clearing twice is harmless. */
	digest_identity_clear(&img);
}

/* The containerd store: a Descriptor object; Id is the manifest or index digest. */
static void
test_from_inspect_containerd(void **state)
{
	struct digest_identity	img;
	struct dw_err		err;

	(void)state;
	assert_int_equal(from_text("{\"Id\":\"" DA "\",\"Descriptor\":{\"mediaType\":"
	    "\"application/vnd.oci.image.index.v1+json\",\"digest\":\"" DA "\",\"size\":1}}",
	    &img, &err), 0);
	assert_true(img.containerd);
	assert_int_equal(img.repo_digests.n, 0);
	assert_int_equal(img.layers.n, 0);
	digest_identity_clear(&img);
	/* Only an object counts as a Descriptor. */
	assert_int_equal(from_text("{\"Id\":\"" DA "\",\"Descriptor\":\"x\"}", &img, &err), 0);
	assert_false(img.containerd);
	digest_identity_clear(&img);
	assert_int_equal(from_text("{\"Id\":\"" DA "\",\"Descriptor\":null}", &img, &err), 0);
	assert_false(img.containerd);
	digest_identity_clear(&img);
}

/* Absent and null lists are empty; anything else malformed is -EPROTO. */
static void
test_from_inspect_malformed(void **state)
{
	static const struct {
		const char	*text;
		int		 r;
		const char	*msg;
	} cases[] = {
		{ "{\"Id\":\"" DA "\",\"RepoDigests\":null,\"RootFS\":null}", 0, NULL },
		{ "{\"Id\":\"" DA "\",\"RootFS\":{}}", 0, NULL },
		{ "{\"Id\":\"" DA "\",\"RootFS\":{\"Layers\":null}}", 0, NULL },
		{ "{\"Id\":\"" DA "\",\"RepoDigests\":[]}", 0, NULL },
		{ "{}", -EPROTO, "no sha256 Id" },
		{ "[]", -EPROTO, "no sha256 Id" },
		{ "{\"Id\":null}", -EPROTO, "no sha256 Id" },
		{ "{\"Id\":7}", -EPROTO, "no sha256 Id" },
		{ "{\"Id\":\"\"}", -EPROTO, "no sha256 Id" },
		{ "{\"Id\":\"" H(a) "\"}", -EPROTO, "no sha256 Id" },
		{ "{\"Id\":\"sha256:" H(A) "\"}", -EPROTO, "no sha256 Id" },
		{ "{\"Id\":\"sha512:" H(a) "\"}", -EPROTO, "no sha256 Id" },
		{ "{\"Id\":\"" DA "a\"}", -EPROTO, "no sha256 Id" },
		{ "{\"Id\":\"sha256:abc\"}", -EPROTO, "no sha256 Id" },
		{ "{\"Id\":\"" DA "\",\"RepoDigests\":\"x@" DB "\"}", -EPROTO, "malformed" },
		{ "{\"Id\":\"" DA "\",\"RepoDigests\":[\"x@" DB "\",1]}", -EPROTO, "malformed" },
		{ "{\"Id\":\"" DA "\",\"RepoDigests\":{}}", -EPROTO, "malformed" },
		{ "{\"Id\":\"" DA "\",\"RootFS\":{\"Layers\":\"" DC "\"}}", -EPROTO, "malformed" },
		{ "{\"Id\":\"" DA "\",\"RootFS\":{\"Layers\":[\"" DC "\",null]}}", -EPROTO,
		    "malformed" },
		{ "{\"Id\":\"" DA "\",\"RootFS\":{\"Layers\":[[]]}}", -EPROTO, "malformed" },
	};
	struct digest_identity	img;
	struct dw_err		err;
	size_t			i;
	int			r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&img, 0xa5, sizeof(img));
		r = from_text(cases[i].text, &img, &err);
		if (r != cases[i].r)
			fail_msg("%s: want %d, got %d (%s)", cases[i].text, cases[i].r, r,
			    err.msg);
		if (r == 0) {
			digest_identity_clear(&img);
			continue;
		}
		/* A failure leaves nothing to release. */
		assert_null(img.id);
		assert_int_equal(img.repo_digests.n, 0);
		assert_int_equal(img.layers.n, 0);
		assert_false(img.containerd);
		assert_non_null(strstr(err.msg, cases[i].msg));
	}
}

/* Facts of one reference: its digest, platform manifests and their configs. */
static void
facts_fill(struct digest_facts *f, const char *digest, const char *const *manifests,
    const char *const *configs)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->digest, sizeof(f->digest), "%s", digest);
	for (; manifests != NULL && *manifests != NULL; manifests++)
		assert_int_equal(dw_strv_push(&f->manifests, *manifests), 0);
	for (; configs != NULL && *configs != NULL; configs++)
		assert_int_equal(dw_strv_push(&f->configs, *configs), 0);
}

/*
 * Classic: the Id must be one of the config digests.  Containerd: the Id
 * must be the digest the reference names or one of its platform
 * manifests.  A digest of the other kind never counts.
 */
static void
test_matches(void **state)
{
	static const char *const manifests[] = { DB, DC, NULL };
	static const char *const configs[] = { DD, DE, NULL };
	struct digest_identity	 img;
	struct digest_facts	 f;
	char			 id[80];

	(void)state;
	/* An index DA with platform manifests DB, DC whose configs are DD, DE. */
	facts_fill(&f, DA, manifests, configs);
	memset(&img, 0, sizeof(img));
	img.id = id;
	snprintf(id, sizeof(id), DD);
	assert_true(digest_identity_matches(&img, &f));
	snprintf(id, sizeof(id), DE);
	assert_true(digest_identity_matches(&img, &f));
	snprintf(id, sizeof(id), DA);
	assert_false(digest_identity_matches(&img, &f));
	snprintf(id, sizeof(id), DB);
	assert_false(digest_identity_matches(&img, &f));
	snprintf(id, sizeof(id), DF);
	assert_false(digest_identity_matches(&img, &f));

	img.containerd = true;
	snprintf(id, sizeof(id), DA);
	assert_true(digest_identity_matches(&img, &f));
	snprintf(id, sizeof(id), DB);
	assert_true(digest_identity_matches(&img, &f));
	snprintf(id, sizeof(id), DC);
	assert_true(digest_identity_matches(&img, &f));
	snprintf(id, sizeof(id), DD);
	assert_false(digest_identity_matches(&img, &f));
	snprintf(id, sizeof(id), DF);
	assert_false(digest_identity_matches(&img, &f));
	/* Exact strings: a prefix or another case is another digest. */
	snprintf(id, sizeof(id), "sha256:" H(b) "0");
	assert_false(digest_identity_matches(&img, &f));
	digest_facts_clear(&f);

	/* Nothing known: nothing matches. */
	facts_fill(&f, "", NULL, NULL);
	snprintf(id, sizeof(id), DA);
	assert_false(digest_identity_matches(&img, &f));
	img.containerd = false;
	assert_false(digest_identity_matches(&img, &f));
	digest_facts_clear(&f);
}

static void
layers_set(struct digest_identity *img, const char *const *layers)
{
	memset(img, 0, sizeof(*img));
	for (; *layers != NULL; layers++)
		assert_int_equal(dw_strv_push(&img->layers, *layers), 0);
}

/* base's layers must be a strict, non-empty prefix of img's. */
static void
test_derived_from(void **state)
{
	static const struct {
		const char	*img[5];
		const char	*base[5];
		bool		 derived;
	} cases[] = {
		{ { DA, DB, DC, NULL }, { DA, DB, NULL }, true },
		{ { DA, DB, NULL }, { DA, NULL }, true },
		{ { DA, DB, NULL }, { DA, DB, NULL }, false },		/* the same image */
		{ { DA, NULL }, { DA, DB, NULL }, false },		/* base is the longer */
		{ { DA, DB, DC, NULL }, { DB, NULL }, false },		/* not from the bottom */
		{ { DA, DB, DC, NULL }, { DA, DC, NULL }, false },	/* a layer differs */
		{ { DA, DB, DC, NULL }, { DB, DA, NULL }, false },	/* order matters */
		{ { DA, DB, NULL }, { NULL }, false },			/* base has no layers */
		{ { NULL }, { NULL }, false },
		{ { NULL }, { DA, NULL }, false },
	};
	struct digest_identity	img, base;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		layers_set(&img, cases[i].img);
		layers_set(&base, cases[i].base);
		if (digest_identity_derived_from(&img, &base) != cases[i].derived)
			fail_msg("case %zu: want %s", i, cases[i].derived ? "derived" :
			    "not derived");
		dw_strv_clear(&img.layers);
		dw_strv_clear(&base.layers);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_inspect_classic),
		cmocka_unit_test(test_from_inspect_containerd),
		cmocka_unit_test(test_from_inspect_malformed),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_derived_from),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
