/*
 * Unit tests for digest_manifest: the four media types, Content-Type vs
 * mediaType, attestation skipping, digests checked, limits.  Table driven.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/dw_limits.h"
#include "digest/digest_manifest.h"

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

#define DOCKER_MT	DIGEST_MANIFEST_MT_DOCKER_MANIFEST
#define LIST_MT		DIGEST_MANIFEST_MT_DOCKER_LIST
#define OCI_MT		DIGEST_MANIFEST_MT_OCI_MANIFEST
#define INDEX_MT	DIGEST_MANIFEST_MT_OCI_INDEX

#define MANIFEST(mt, cfg) \
	"{\"schemaVersion\":2,\"mediaType\":\"" mt "\",\"config\":{\"mediaType\":" \
	"\"application/vnd.docker.container.image.v1+json\",\"size\":100,\"digest\":\"" cfg \
	"\"},\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\"," \
	"\"size\":200,\"digest\":\"" DF "\"}]}"
#define OCI_NO_MT(cfg) \
	"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\"," \
	"\"size\":100,\"digest\":\"" cfg "\"},\"layers\":[]}"
#define CHILD(mt, d, os, arch) \
	"{\"mediaType\":\"" mt "\",\"digest\":\"" d "\",\"size\":500," \
	"\"platform\":{\"architecture\":\"" arch "\",\"os\":\"" os "\"}}"
#define ATTEST(d, ref) \
	"{\"mediaType\":\"" OCI_MT "\",\"digest\":\"" d "\",\"size\":500," \
	"\"annotations\":{\"vnd.docker.reference.digest\":\"" ref "\"," \
	"\"vnd.docker.reference.type\":\"attestation-manifest\"}," \
	"\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}"

struct manifest_case {
	const char			*name;
	const char			*ct;
	const char			*body;
	int				 r;
	enum digest_manifest_kind	 kind;
	const char			*config;	/* manifests */
	const char			*children[4];	/* indexes, NULL-terminated */
	const char			*msg;		/* substring of err on failure */
};

static const struct manifest_case cases[] = {
	{ "docker schema2", DOCKER_MT, MANIFEST(DOCKER_MT, DA), 0,
	    DIGEST_MANIFEST_DOCKER_V2, DA, { NULL }, NULL },
	{ "oci manifest", OCI_MT, MANIFEST(OCI_MT, DB), 0, DIGEST_MANIFEST_OCI, DB,
	    { NULL }, NULL },
	{ "oci manifest without mediaType", OCI_MT, OCI_NO_MT(DC), 0,
	    DIGEST_MANIFEST_OCI, DC, { NULL }, NULL },
	{ "content type with parameters", DOCKER_MT "; charset=utf-8",
	    MANIFEST(DOCKER_MT, DA), 0, DIGEST_MANIFEST_DOCKER_V2, DA, { NULL }, NULL },
	{ "content type case", "Application/VND.docker.distribution.manifest.v2+JSON",
	    MANIFEST(DOCKER_MT, DA), 0, DIGEST_MANIFEST_DOCKER_V2, DA, { NULL }, NULL },
	{ "generic content type, body decides", "application/json",
	    MANIFEST(OCI_MT, DB), 0, DIGEST_MANIFEST_OCI, DB, { NULL }, NULL },
	{ "no content type, body decides", NULL, MANIFEST(DOCKER_MT, DA), 0,
	    DIGEST_MANIFEST_DOCKER_V2, DA, { NULL }, NULL },
	{ "docker manifest list", LIST_MT,
	    "{\"schemaVersion\":2,\"mediaType\":\"" LIST_MT "\",\"manifests\":["
	    CHILD(DOCKER_MT, DA, "linux", "amd64") ","
	    CHILD(DOCKER_MT, DB, "linux", "arm64") "]}", 0,
	    DIGEST_MANIFEST_DOCKER_LIST, "", { DA, DB, NULL }, NULL },
	{ "oci index with attestations", INDEX_MT,
	    "{\"schemaVersion\":2,\"mediaType\":\"" INDEX_MT "\",\"manifests\":["
	    CHILD(OCI_MT, DA, "linux", "amd64") ","
	    CHILD(OCI_MT, DB, "linux", "arm64") ","
	    ATTEST(DC, DA) "," ATTEST(DD, DB) "]}", 0,
	    DIGEST_MANIFEST_OCI_INDEX, "", { DA, DB, NULL }, NULL },
	{ "attestation by annotation only", INDEX_MT,
	    "{\"schemaVersion\":2,\"manifests\":["
	    CHILD(OCI_MT, DA, "linux", "amd64") ","
	    "{\"mediaType\":\"" OCI_MT "\",\"digest\":\"" DC "\",\"size\":1,"
	    "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"}}]}", 0,
	    DIGEST_MANIFEST_OCI_INDEX, "", { DA, NULL }, NULL },
	{ "unknown/unknown platform", INDEX_MT,
	    "{\"schemaVersion\":2,\"manifests\":["
	    CHILD(OCI_MT, DE, "unknown", "unknown") ","
	    CHILD(OCI_MT, DA, "linux", "amd64") "]}", 0,
	    DIGEST_MANIFEST_OCI_INDEX, "", { DA, NULL }, NULL },
	{ "nested index and artifacts skipped, duplicates merged", INDEX_MT,
	    "{\"schemaVersion\":2,\"manifests\":["
	    CHILD(INDEX_MT, DE, "linux", "amd64") ","
	    "{\"mediaType\":\"application/vnd.example.sig\",\"digest\":\"" DD "\",\"size\":1},"
	    CHILD(OCI_MT, DA, "linux", "amd64") ","
	    CHILD(OCI_MT, DA, "linux", "amd64") "]}", 0,
	    DIGEST_MANIFEST_OCI_INDEX, "", { DA, NULL }, NULL },

	{ "content type conflicts with mediaType", OCI_MT, MANIFEST(DOCKER_MT, DA),
	    -EPROTO, 0, NULL, { NULL }, "conflicts" },
	{ "index content type, manifest body", INDEX_MT, MANIFEST(OCI_MT, DA),
	    -EPROTO, 0, NULL, { NULL }, "conflicts" },
	{ "manifest content type, index body", DOCKER_MT,
	    "{\"schemaVersion\":2,\"manifests\":[" CHILD(DOCKER_MT, DA, "linux", "amd64") "]}",
	    -EPROTO, 0, NULL, { NULL }, "ambiguous" },
	{ "schema1", "application/vnd.docker.distribution.manifest.v1+prettyjws",
	    "{\"schemaVersion\":1}", -EPROTO, 0, NULL, { NULL }, "unsupported media type" },
	{ "unknown body mediaType", "application/json",
	    "{\"schemaVersion\":2,\"mediaType\":\"application/x-evil\"}", -EPROTO, 0, NULL,
	    { NULL }, "unsupported mediaType" },
	{ "body mediaType with parameters", NULL,
	    "{\"schemaVersion\":2,\"mediaType\":\"" OCI_MT "; x=y\",\"config\":{\"digest\":\""
	    DA "\"}}", -EPROTO, 0, NULL, { NULL }, NULL },
	{ "neither names a type", "application/json", OCI_NO_MT(DA), -EPROTO, 0, NULL,
	    { NULL }, "neither" },
	{ "schemaVersion 1", OCI_MT,
	    "{\"schemaVersion\":1,\"config\":{\"digest\":\"" DA "\"}}", -EPROTO, 0, NULL,
	    { NULL }, "schemaVersion" },
	{ "schemaVersion string", OCI_MT,
	    "{\"schemaVersion\":\"2\",\"config\":{\"digest\":\"" DA "\"}}", -EPROTO, 0, NULL,
	    { NULL }, "schemaVersion" },
	{ "no config", OCI_MT, "{\"schemaVersion\":2,\"layers\":[]}", -EPROTO, 0, NULL,
	    { NULL }, "config" },
	{ "config digest uppercase", OCI_MT,
	    "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" H(A) "\"}}", -EPROTO, 0,
	    NULL, { NULL }, "not a sha256" },
	{ "config digest sha512", OCI_MT,
	    "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha512:" H(a) "\"}}", -EPROTO, 0,
	    NULL, { NULL }, "not a sha256" },
	{ "config digest with NUL", OCI_MT,
	    "{\"schemaVersion\":2,\"config\":{\"digest\":\"" DA "\\u0000x\"}}", -EPROTO, 0,
	    NULL, { NULL }, NULL },
	{ "bad layer digest", OCI_MT,
	    "{\"schemaVersion\":2,\"config\":{\"digest\":\"" DA "\"},"
	    "\"layers\":[{\"digest\":\"sha256:abc\"}]}", -EPROTO, 0, NULL, { NULL }, "layer 0" },
	{ "manifest with manifests too", OCI_MT,
	    "{\"schemaVersion\":2,\"config\":{\"digest\":\"" DA "\"},\"manifests\":[]}",
	    -EPROTO, 0, NULL, { NULL }, "ambiguous" },
	{ "index with config too", INDEX_MT,
	    "{\"schemaVersion\":2,\"config\":{\"digest\":\"" DA "\"},\"manifests\":["
	    CHILD(OCI_MT, DA, "linux", "amd64") "]}", -EPROTO, 0, NULL, { NULL }, "ambiguous" },
	{ "index child bad digest", INDEX_MT,
	    "{\"schemaVersion\":2,\"manifests\":[" CHILD(OCI_MT, "md5:abc", "linux", "amd64")
	    "]}", -EPROTO, 0, NULL, { NULL }, "manifests[0]" },
	{ "attestation with bad digest", INDEX_MT,
	    "{\"schemaVersion\":2,\"manifests\":[" CHILD(OCI_MT, DA, "linux", "amd64") ","
	    ATTEST("sha256:zz", DA) "]}", -EPROTO, 0, NULL, { NULL }, "manifests[1]" },
	{ "index of attestations only", INDEX_MT,
	    "{\"schemaVersion\":2,\"manifests\":[" ATTEST(DC, DA) "]}", -EPROTO, 0, NULL,
	    { NULL }, "no platform" },
	{ "index without manifests", INDEX_MT, "{\"schemaVersion\":2}", -EPROTO, 0, NULL,
	    { NULL }, "manifests" },
	{ "duplicate keys", OCI_MT,
	    "{\"schemaVersion\":2,\"config\":{\"digest\":\"" DA "\",\"digest\":\"" DB "\"}}",
	    -EPROTO, 0, NULL, { NULL }, NULL },
	{ "not json", OCI_MT, "garbage", -EPROTO, 0, NULL, { NULL }, NULL },
	{ "array", OCI_MT, "[]", -EPROTO, 0, NULL, { NULL }, NULL },
	{ "empty", OCI_MT, "", -EPROTO, 0, NULL, { NULL }, NULL },
};

/* The table. */
static void
test_cases(void **state)
{
	struct digest_manifest	m;
	struct dw_err			err;
	size_t				i, j;
	int				r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct manifest_case *tc = &cases[i];

		memset(&m, 0, sizeof(m));
		dw_err_clear(&err);
		r = digest_manifest_parse(tc->ct, tc->body, strlen(tc->body), &m, &err);
		if (r != tc->r)
			fail_msg("%s: got %d want %d (%s)", tc->name, r, tc->r, err.msg);
		if (r != 0) {
			assert_int_equal(m.kind, DIGEST_MANIFEST_UNKNOWN);
			assert_null(m.children.v);
			if (tc->msg != NULL && strstr(err.msg, tc->msg) == NULL)
				fail_msg("%s: \"%s\" lacks \"%s\"", tc->name, err.msg, tc->msg);
			continue;
		}
		assert_int_equal(m.kind, tc->kind);
		assert_string_equal(m.config, tc->config);
		assert_int_equal(m.is_index, tc->kind == DIGEST_MANIFEST_DOCKER_LIST ||
		    tc->kind == DIGEST_MANIFEST_OCI_INDEX);
		for (j = 0; tc->children[j] != NULL; j++) {
			assert_true(j < m.children.n);
			assert_string_equal(m.children.v[j], tc->children[j]);
		}
		assert_int_equal(m.children.n, j);
		digest_manifest_clear(&m);
	}
}

/* More than DW_INDEX_CHILDREN_MAX platform manifests is -E2BIG; attestations don't count. */
static void
test_children_limit(void **state)
{
	struct digest_manifest	 m = { 0 };
	char				*body, *p;
	size_t				 sz;
	int				 i, n;

	for (n = DW_INDEX_CHILDREN_MAX; n <= DW_INDEX_CHILDREN_MAX + 1; n++) {
		sz = 256 * (size_t)(2 * n + 2);
		body = malloc(sz);
		assert_non_null(body);
		p = body + snprintf(body, sz, "{\"schemaVersion\":2,\"manifests\":[");
		for (i = 0; i < n; i++) {
			p += snprintf(p, sz - (size_t)(p - body), "{\"mediaType\":\"%s\","
			    "\"digest\":\"sha256:%064x\","
			    "\"platform\":{\"os\":\"linux\",\"architecture\":\"a%d\"}},",
			    OCI_MT, i + 1, i);
			p += snprintf(p, sz - (size_t)(p - body), "{\"mediaType\":\"%s\","
			    "\"digest\":\"sha256:%064x\","
			    "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}}%s",
			    OCI_MT, 1000 + i, i + 1 < n ? "," : "");
		}
		snprintf(p, sz - (size_t)(p - body), "]}");
		if (n == DW_INDEX_CHILDREN_MAX) {
			assert_int_equal(digest_manifest_parse(INDEX_MT, body, strlen(body), &m,
			    NULL), 0);
			assert_int_equal(m.children.n, DW_INDEX_CHILDREN_MAX);
			digest_manifest_clear(&m);
		} else
			assert_int_equal(digest_manifest_parse(INDEX_MT, body, strlen(body), &m,
			    NULL), -E2BIG);
		free(body);
	}
}

/* A body over DW_MANIFEST_MAX is refused before parsing. */
static void
test_size_limit(void **state)
{
	struct digest_manifest	m = { 0 };

	assert_int_equal(digest_manifest_parse(OCI_MT, "{}", DW_MANIFEST_MAX + 1, &m, NULL),
	    -E2BIG);
	digest_manifest_clear(NULL);
}

/* digest_manifest_kind_of. */
static void
test_kind_of(void **state)
{
	assert_int_equal(digest_manifest_kind_of(DOCKER_MT), DIGEST_MANIFEST_DOCKER_V2);
	assert_int_equal(digest_manifest_kind_of(LIST_MT), DIGEST_MANIFEST_DOCKER_LIST);
	assert_int_equal(digest_manifest_kind_of(OCI_MT), DIGEST_MANIFEST_OCI);
	assert_int_equal(digest_manifest_kind_of(" " INDEX_MT " ; q=1"),
	    DIGEST_MANIFEST_OCI_INDEX);
	assert_int_equal(digest_manifest_kind_of(OCI_MT "x"), DIGEST_MANIFEST_UNKNOWN);
	assert_int_equal(digest_manifest_kind_of(""), DIGEST_MANIFEST_UNKNOWN);
	assert_int_equal(digest_manifest_kind_of(NULL), DIGEST_MANIFEST_UNKNOWN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_children_limit),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_kind_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
