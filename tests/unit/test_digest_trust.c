/*
 * Unit tests for digest_trust: bundles built here with libarchive's writer
 * (docker save, plain and gzip; OCI layouts with a manifest or an index;
 * tampered blobs, unsafe names, links), the store's save/load/merge, and
 * the `trust import` command's all-or-nothing write.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "cli/cli_trust.h"
#include "digest/digest_sha256.h"
#include "digest/digest_trust.h"

#define OCI_MANIFEST_MT	"application/vnd.oci.image.manifest.v1+json"
#define OCI_INDEX_MT	"application/vnd.oci.image.index.v1+json"
#define OCI_LAYOUT	"{\"imageLayoutVersion\":\"1.0.0\"}"
#define CONFIG_A	"{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
#define CONFIG_B	"{\"architecture\":\"arm64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
#define CONFIG_ATT	"{\"_type\":\"https://in-toto.io/Statement/v0.1\"}"

/* One tar member to write; link != NULL makes a symlink. */
struct tmember {
	const char	*name;
	const char	*data;
	const char	*link;
};

/* A bundle under construction: members with storage for generated texts. */
struct tbundle {
	struct tmember	 m[16];
	char		*own[16];
	size_t		 n, nown;
};

static char	tmpdir[64];

/* A fresh directory for every test. */
static int
setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_trust.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

/* Remove it. */
static int
teardown(void **state)
{
	char	cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Add a member (data copied). */
static void
tb_add(struct tbundle *b, const char *name, const char *data)
{
	assert_true(b->n < 16 && b->nown < 16);
	b->own[b->nown] = strdup(data);
	assert_non_null(b->own[b->nown]);
	b->m[b->n].name = name;
	b->m[b->n].data = b->own[b->nown++];
	b->m[b->n++].link = NULL;
}

/* Add data as blobs/sha256/<hex>, and return its digest into out. */
static void
tb_blob(struct tbundle *b, const char *data, char out[DIGEST_SHA256_STRLEN])
{
	char	*name;

	digest_sha256_string(data, strlen(data), out);
	assert_true(asprintf(&name, "blobs/sha256/%s", out + 7) > 0);
	tb_add(b, name, data);
	b->own[b->nown++] = name;
}

/* Free what tb_add kept. */
static void
tb_free(struct tbundle *b)
{
	size_t	i;

	for (i = 0; i < b->nown; i++)
		free(b->own[i]);
	memset(b, 0, sizeof(*b));
}

/* Write b as a pax tar (gzip compressed when asked) to tmpdir/name; path in out. */
static void
tb_write(const struct tbundle *b, const char *name, int gzip, char *out, size_t outsz)
{
	struct archive		*a;
	struct archive_entry	*e;
	size_t			 i, len = 0;

	snprintf(out, outsz, "%s/%s", tmpdir, name);
	assert_non_null(a = archive_write_new());
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	if (gzip)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, out), ARCHIVE_OK);
	for (i = 0; i < b->n; i++) {
		assert_non_null(e = archive_entry_new());
		archive_entry_set_pathname(e, b->m[i].name);
		archive_entry_set_perm(e, 0644);
		if (b->m[i].link != NULL) {
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, b->m[i].link);
			archive_entry_set_size(e, 0);
		} else {
			len = strlen(b->m[i].data);
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)len);
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (b->m[i].link == NULL && len > 0)
			assert_int_equal(archive_write_data(a, b->m[i].data, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* The docker save bundle: config under a file name that is not its hash. */
static void
docker_save_bundle(struct tbundle *b, char cfg[DIGEST_SHA256_STRLEN])
{
	digest_sha256_string(CONFIG_A, strlen(CONFIG_A), cfg);
	tb_add(b, "manifest.json", "[{\"Config\":\"0123abcd.json\",\"RepoTags\":"
	    "[\"docker:cli\",\"localhost:5000/team/app:1\"],\"Layers\":[\"aaaa/layer.tar\"]}]");
	tb_add(b, "0123abcd.json", CONFIG_A);
	tb_add(b, "aaaa/layer.tar", "not really a layer, never read");
	tb_add(b, "repositories", "{}");
}

/* Check a docker-save image: digest = configs[0] = cfg, no manifests. */
static void
check_docker_image(const struct digest_trust *t, const char *name, const char *cfg)
{
	const struct digest_facts	*f = digest_trust_find(t, name);

	assert_non_null(f);
	assert_string_equal(f->digest, cfg);
	assert_false(f->is_index);
	assert_int_equal(f->manifests.n, 0);
	assert_int_equal(f->configs.n, 1);
	assert_string_equal(f->configs.v[0], cfg);
}

/* docker save, plain: one config digest computed from the config's bytes, two names. */
static void
test_docker_save(void **state)
{
	struct tbundle		b = { 0 };
	struct digest_trust	t = { 0 };
	struct dw_err		err;
	char			cfg[DIGEST_SHA256_STRLEN], path[256];

	docker_save_bundle(&b, cfg);
	tb_write(&b, "save.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), 0);
	assert_int_equal(t.n, 2);
	check_docker_image(&t, "docker.io/library/docker:cli", cfg);
	check_docker_image(&t, "localhost:5000/team/app:1", cfg);
	assert_null(digest_trust_find(&t, "docker:cli"));
	digest_trust_clear(&t);
	tb_free(&b);
}

/* The same, gzip compressed, appended after what *ret already holds. */
static void
test_docker_save_gzip(void **state)
{
	struct tbundle		b = { 0 };
	struct digest_trust	t = { 0 };
	struct dw_err		err;
	char			cfg[DIGEST_SHA256_STRLEN], path[256];

	docker_save_bundle(&b, cfg);
	tb_write(&b, "save.tar.gz", 1, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), 0);
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), 0);
	assert_int_equal(t.n, 4);
	check_docker_image(&t, "docker.io/library/docker:cli", cfg);
	digest_trust_clear(&t);
	tb_free(&b);
}

/* An OCI layout: one manifest named cname by containerd, one bare tag (skipped). */
static void
oci_manifest_bundle(struct tbundle *b, const char *cname, char cfg[DIGEST_SHA256_STRLEN],
    char man[DIGEST_SHA256_STRLEN])
{
	char	text[1024], other[DIGEST_SHA256_STRLEN];

	tb_blob(b, CONFIG_A, cfg);
	snprintf(text, sizeof(text), "{\"schemaVersion\":2,\"mediaType\":\"" OCI_MANIFEST_MT
	    "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
	    "\"digest\":\"%s\",\"size\":%zu},\"layers\":[]}", cfg, strlen(CONFIG_A));
	tb_blob(b, text, man);
	digest_sha256_string("absent", 6, other);
	snprintf(text, sizeof(text), "{\"schemaVersion\":2,\"manifests\":["
	    "{\"mediaType\":\"" OCI_MANIFEST_MT "\",\"digest\":\"%s\",\"size\":1,"
	    "\"annotations\":{\"io.containerd.image.name\":\"%s\","
	    "\"org.opencontainers.image.ref.name\":\"3\"}},"
	    "{\"mediaType\":\"" OCI_MANIFEST_MT "\",\"digest\":\"%s\",\"size\":1,"
	    "\"annotations\":{\"org.opencontainers.image.ref.name\":\"1.0\"}}]}", man, cname,
	    other);
	tb_add(b, "index.json", text);
	tb_add(b, "oci-layout", OCI_LAYOUT);
}

/* Check the OCI manifest image. */
static void
check_oci_manifest(const struct digest_trust *t, const char *cfg, const char *man)
{
	const struct digest_facts	*f;

	assert_non_null(f = digest_trust_find(t, "docker.io/library/alpine:3"));
	assert_string_equal(f->digest, man);
	assert_false(f->is_index);
	assert_int_equal(f->manifests.n, 1);
	assert_string_equal(f->manifests.v[0], man);
	assert_int_equal(f->configs.n, 1);
	assert_string_equal(f->configs.v[0], cfg);
}

/* OCI layout tar with an index.json pointing at a manifest. */
static void
test_oci_manifest(void **state)
{
	struct tbundle		b = { 0 };
	struct digest_trust	t = { 0 };
	struct dw_err		err;
	char			cfg[DIGEST_SHA256_STRLEN], man[DIGEST_SHA256_STRLEN];
	char			path[256];

	oci_manifest_bundle(&b, "docker.io/library/alpine:3", cfg, man);
	tb_write(&b, "oci.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), 0);
	assert_int_equal(t.n, 1);
	check_oci_manifest(&t, cfg, man);
	digest_trust_clear(&t);
	tb_free(&b);
}

/*
 * An image index: two platform manifests (the arm64 config blob absent),
 * one attestation; named by a full ref.name.
 */
static void
oci_index_bundle(struct tbundle *b, char cfg[2][DIGEST_SHA256_STRLEN],
    char man[2][DIGEST_SHA256_STRLEN], char idx[DIGEST_SHA256_STRLEN])
{
	char	text[2048], acfg[DIGEST_SHA256_STRLEN], att[DIGEST_SHA256_STRLEN];
	int	i;

	tb_blob(b, CONFIG_A, cfg[0]);
	digest_sha256_string(CONFIG_B, strlen(CONFIG_B), cfg[1]);
	tb_blob(b, CONFIG_ATT, acfg);
	for (i = 0; i < 2; i++) {
		snprintf(text, sizeof(text), "{\"schemaVersion\":2,\"mediaType\":\""
		    OCI_MANIFEST_MT "\",\"config\":{\"mediaType\":"
		    "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\","
		    "\"size\":10},\"layers\":[]}", cfg[i]);
		tb_blob(b, text, man[i]);
	}
	snprintf(text, sizeof(text), "{\"schemaVersion\":2,\"mediaType\":\"" OCI_MANIFEST_MT
	    "\",\"config\":{\"mediaType\":\"application/vnd.in-toto+json\",\"digest\":\"%s\","
	    "\"size\":10},\"layers\":[]}", acfg);
	tb_blob(b, text, att);
	snprintf(text, sizeof(text), "{\"schemaVersion\":2,\"mediaType\":\"" OCI_INDEX_MT
	    "\",\"manifests\":["
	    "{\"mediaType\":\"" OCI_MANIFEST_MT "\",\"digest\":\"%s\",\"size\":10,"
	    "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
	    "{\"mediaType\":\"" OCI_MANIFEST_MT "\",\"digest\":\"%s\",\"size\":10,"
	    "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
	    "{\"mediaType\":\"" OCI_MANIFEST_MT "\",\"digest\":\"%s\",\"size\":10,"
	    "\"annotations\":{\"vnd.docker.reference.digest\":\"%s\","
	    "\"vnd.docker.reference.type\":\"attestation-manifest\"},"
	    "\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}]}",
	    man[0], man[1], att, man[0]);
	tb_blob(b, text, idx);
	snprintf(text, sizeof(text), "{\"schemaVersion\":2,\"manifests\":["
	    "{\"mediaType\":\"" OCI_INDEX_MT "\",\"digest\":\"%s\",\"size\":10,"
	    "\"annotations\":{\"org.opencontainers.image.ref.name\":"
	    "\"registry.example.com/team/app:2\"}}]}", idx);
	tb_add(b, "index.json", text);
	tb_add(b, "oci-layout", OCI_LAYOUT);
}

/* Check the index image: 2 manifests and configs, attestation left out. */
static void
check_oci_index(const struct digest_trust *t, char cfg[2][DIGEST_SHA256_STRLEN],
    char man[2][DIGEST_SHA256_STRLEN], const char *idx)
{
	const struct digest_facts	*f;

	assert_non_null(f = digest_trust_find(t, "registry.example.com/team/app:2"));
	assert_string_equal(f->digest, idx);
	assert_true(f->is_index);
	assert_int_equal(f->manifests.n, 2);
	assert_int_equal(f->configs.n, 2);
	assert_string_equal(f->manifests.v[0], man[0]);
	assert_string_equal(f->manifests.v[1], man[1]);
	assert_string_equal(f->configs.v[0], cfg[0]);
	assert_string_equal(f->configs.v[1], cfg[1]);
}

/* OCI layout tar (gzip) with an image index. */
static void
test_oci_index(void **state)
{
	struct tbundle		b = { 0 };
	struct digest_trust	t = { 0 };
	struct dw_err		err;
	char			cfg[2][DIGEST_SHA256_STRLEN], man[2][DIGEST_SHA256_STRLEN];
	char			idx[DIGEST_SHA256_STRLEN], path[256];

	oci_index_bundle(&b, cfg, man, idx);
	tb_write(&b, "index.tgz", 1, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), 0);
	assert_int_equal(t.n, 1);
	check_oci_index(&t, cfg, man, idx);
	digest_trust_clear(&t);
	tb_free(&b);
}

/* The same layout as a directory, then with a symlinked blob (refused). */
static void
test_oci_directory(void **state)
{
	struct tbundle		b = { 0 };
	struct digest_trust	t = { 0 };
	struct dw_err		err;
	char			cfg[2][DIGEST_SHA256_STRLEN], man[2][DIGEST_SHA256_STRLEN];
	char			idx[DIGEST_SHA256_STRLEN], dir[128], p[512], link[512];
	size_t			i;
	FILE			*f;

	oci_index_bundle(&b, cfg, man, idx);
	snprintf(dir, sizeof(dir), "%s/layout", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(p, sizeof(p), "%s/blobs", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/blobs/sha256", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	for (i = 0; i < b.n; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, b.m[i].name);
		assert_non_null(f = fopen(p, "w"));
		assert_int_equal(fputs(b.m[i].data, f) >= 0, 1);
		assert_int_equal(fclose(f), 0);
	}
	assert_int_equal(digest_trust_read_bundle(dir, &t, &err), 0);
	check_oci_index(&t, cfg, man, idx);
	digest_trust_clear(&t);

	/* The index blob replaced by a symlink to itself elsewhere: refused. */
	snprintf(p, sizeof(p), "%s/blobs/sha256/%s", dir, idx + 7);
	snprintf(link, sizeof(link), "%s/idx", tmpdir);
	assert_int_equal(rename(p, link), 0);
	assert_int_equal(symlink(link, p), 0);
	assert_int_equal(digest_trust_read_bundle(dir, &t, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "link"));
	assert_int_equal(t.n, 0);
	tb_free(&b);
}

/* A blob whose bytes do not hash to its name: refused, *ret untouched. */
static void
test_blob_mismatch(void **state)
{
	struct tbundle		b = { 0 };
	struct digest_trust	t = { 0 };
	struct dw_err		err;
	char			cfg[DIGEST_SHA256_STRLEN], man[DIGEST_SHA256_STRLEN];
	char			path[256];
	size_t			i;

	oci_manifest_bundle(&b, "docker.io/library/alpine:3", cfg, man);
	for (i = 0; i < b.n; i++)
		if (strncmp(b.m[i].name, "blobs/sha256/", 13) == 0 &&
		    strcmp(b.m[i].name + 13, man + 7) == 0)
			((char *)b.m[i].data)[strlen(b.m[i].data) - 2] = ' ';
	tb_write(&b, "bad.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "hashes to"));
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(t.n, 0);
	assert_null(t.images);
	tb_free(&b);

	/* A config blob present but tampered with: refused too. */
	oci_manifest_bundle(&b, "docker.io/library/alpine:3", cfg, man);
	for (i = 0; i < b.n; i++)
		if (strstr(b.m[i].name, cfg + 7) != NULL)
			((char *)b.m[i].data)[1] = ' ';
	tb_write(&b, "badcfg.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), -EPROTO);
	assert_non_null(strstr(err.msg, cfg));
	tb_free(&b);
}

/* Unsafe member names and links standing in for JSON members. */
static void
test_unsafe_members(void **state)
{
	static const char *const names[] = {
		"../evil", "blobs/../../evil", "/etc/passwd", "a/../../b",
	};
	struct tbundle		b;
	struct digest_trust	t = { 0 };
	struct dw_err		err;
	char			cfg[DIGEST_SHA256_STRLEN], path[256];
	size_t			i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&b, 0, sizeof(b));
		docker_save_bundle(&b, cfg);
		tb_add(&b, names[i], "x");
		tb_write(&b, "evil.tar", 0, path, sizeof(path));
		assert_int_equal(digest_trust_read_bundle(path, &t, &err), -EPROTO);
		assert_non_null(strstr(err.msg, "unsafe"));
		assert_int_equal(t.n, 0);
		tb_free(&b);
	}
	/* manifest.json as a symlink. */
	memset(&b, 0, sizeof(b));
	tb_add(&b, "real.json", "[]");
	b.m[b.n].name = "manifest.json";
	b.m[b.n].data = NULL;
	b.m[b.n++].link = "real.json";
	tb_write(&b, "link.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "link"));
	tb_free(&b);
	/* A member twice. */
	memset(&b, 0, sizeof(b));
	docker_save_bundle(&b, cfg);
	tb_add(&b, "./0123abcd.json", "{}");
	tb_write(&b, "dup.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "twice"));
	tb_free(&b);
}

/* Neither manifest.json nor index.json, not a tar at all, a missing config. */
static void
test_not_a_bundle(void **state)
{
	struct tbundle		b = { 0 };
	struct digest_trust	t = { 0 };
	struct dw_err		err;
	char			path[256];
	FILE			*f;

	tb_add(&b, "hello.txt", "hello");
	tb_write(&b, "plain.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "manifest.json"));
	tb_free(&b);

	memset(&b, 0, sizeof(b));
	tb_add(&b, "manifest.json", "[{\"Config\":\"gone.json\",\"RepoTags\":[\"a:1\"]}]");
	tb_write(&b, "noconfig.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "gone.json"));
	tb_free(&b);

	memset(&b, 0, sizeof(b));
	tb_add(&b, "index.json", "{\"schemaVersion\":2,\"manifests\":[]}");
	tb_write(&b, "nolayout.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "oci-layout"));
	tb_free(&b);

	snprintf(path, sizeof(path), "%s/garbage", tmpdir);
	assert_non_null(f = fopen(path, "w"));
	fputs("{\"this is\": \"not a tar\"}", f);
	fclose(f);
	assert_true(digest_trust_read_bundle(path, &t, &err) < 0);
	snprintf(path, sizeof(path), "%s/absent.tar", tmpdir);
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), -ENOENT);
	assert_int_equal(t.n, 0);
}

/* Compare two stores image by image. */
static void
check_same(const struct digest_trust *a, const struct digest_trust *b)
{
	const struct digest_facts	*f;
	size_t				 i, j;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_non_null(f = digest_trust_find(b, a->images[i].name));
		assert_string_equal(f->digest, a->images[i].facts.digest);
		assert_int_equal(f->is_index, a->images[i].facts.is_index);
		assert_int_equal(f->manifests.n, a->images[i].facts.manifests.n);
		assert_int_equal(f->configs.n, a->images[i].facts.configs.n);
		for (j = 0; j < f->manifests.n; j++)
			assert_string_equal(f->manifests.v[j], a->images[i].facts.manifests.v[j]);
		for (j = 0; j < f->configs.n; j++)
			assert_string_equal(f->configs.v[j], a->images[i].facts.configs.v[j]);
	}
}

/* Save creates the directory (0700) and a 0600 file; load gives the same store. */
static void
test_store_roundtrip(void **state)
{
	struct tbundle		b = { 0 }, b2 = { 0 };
	struct digest_trust	t = { 0 }, l = { 0 };
	struct dw_err		err;
	struct stat		st;
	char			cfg[2][DIGEST_SHA256_STRLEN], man[2][DIGEST_SHA256_STRLEN];
	char			idx[DIGEST_SHA256_STRLEN], c1[DIGEST_SHA256_STRLEN];
	char			m1[DIGEST_SHA256_STRLEN], path[256], store[256];

	oci_index_bundle(&b, cfg, man, idx);
	tb_write(&b, "index.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), 0);
	oci_manifest_bundle(&b2, "docker.io/library/alpine:3", c1, m1);
	tb_write(&b2, "oci.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), 0);
	tb_free(&b2);
	docker_save_bundle(&b2, c1);
	tb_write(&b2, "save.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), 0);
	assert_int_equal(t.n, 4);

	snprintf(store, sizeof(store), "%s/state/trust.json", tmpdir);
	assert_int_equal(digest_trust_load(store, &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(digest_trust_save(store, &t, &err), 0);
	assert_int_equal(stat(store, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(path, sizeof(path), "%s/state", tmpdir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(digest_trust_load(store, &l, &err), 0);
	check_same(&t, &l);
	check_oci_index(&l, cfg, man, idx);
	check_oci_manifest(&l, c1, m1);
	check_docker_image(&l, "docker.io/library/docker:cli", c1);
	/* Saving again replaces the file and leaves no temporary behind. */
	assert_int_equal(digest_trust_save(store, &l, &err), 0);
	snprintf(path, sizeof(path), "rm %s/state/trust.json && rmdir %s/state", tmpdir, tmpdir);
	assert_int_equal(system(path), 0);
	digest_trust_clear(&l);
	digest_trust_clear(&t);
	tb_free(&b);
	tb_free(&b2);
}

/* Merge adds new names and replaces existing ones, keeping the others. */
static void
test_merge(void **state)
{
	struct tbundle		b = { 0 };
	struct digest_trust	dst = { 0 }, src = { 0 };
	const struct digest_facts *f;
	struct dw_err		err;
	char			cfg[DIGEST_SHA256_STRLEN], man[DIGEST_SHA256_STRLEN];
	char			path[256];

	docker_save_bundle(&b, cfg);
	tb_write(&b, "save.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &dst, &err), 0);
	tb_free(&b);
	/* An OCI bundle now also says what docker:cli is. */
	oci_manifest_bundle(&b, "docker:cli", cfg, man);
	tb_write(&b, "oci.tar", 0, path, sizeof(path));
	assert_int_equal(digest_trust_read_bundle(path, &src, &err), 0);
	assert_int_equal(src.n, 1);
	assert_int_equal(digest_trust_merge(&dst, &src), 0);
	assert_int_equal(dst.n, 2);
	assert_non_null(f = digest_trust_find(&dst, "docker.io/library/docker:cli"));
	assert_string_equal(f->digest, man);
	assert_int_equal(f->manifests.n, 1);
	assert_non_null(f = digest_trust_find(&dst, "localhost:5000/team/app:1"));
	assert_string_equal(f->digest, cfg);
	/* Merging an empty store changes nothing; src is still intact. */
	digest_trust_clear(&src);
	assert_int_equal(digest_trust_merge(&dst, &src), 0);
	assert_int_equal(dst.n, 2);
	digest_trust_clear(&dst);
	tb_free(&b);
}

/*
 * The bundle's mtime is each image's issue time: kept through save, load
 * and merge; a store without it loads with 0; a wrong one is refused.
 */
static void
test_issued(void **state)
{
#define D64	"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	struct tbundle			 b = { 0 };
	struct digest_trust		 t = { 0 }, l = { 0 }, dst = { 0 };
	const struct digest_trust_image	*img;
	struct dw_err			 err;
	struct timespec			 ts[2] = { { 1600000000, 0 }, { 1600000000, 0 } };
	char				 cfg[DIGEST_SHA256_STRLEN], path[256], store[256];
	FILE				*f;

	(void)state;
	docker_save_bundle(&b, cfg);
	tb_write(&b, "save.tar", 0, path, sizeof(path));
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	assert_int_equal(digest_trust_read_bundle(path, &t, &err), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.images[0].issued, 1600000000);
	assert_int_equal(t.images[1].issued, 1600000000);
	snprintf(store, sizeof(store), "%s/trust.json", tmpdir);
	assert_int_equal(digest_trust_save(store, &t, &err), 0);
	assert_int_equal(digest_trust_load(store, &l, &err), 0);
	assert_non_null(img = digest_trust_image_find(&l, "docker.io/library/docker:cli"));
	assert_int_equal(img->issued, 1600000000);
	assert_null(digest_trust_image_find(&l, "docker.io/library/nope:1"));
	/* A merge takes the newer import's time. */
	t.images[0].issued = 1700000000;
	assert_int_equal(digest_trust_merge(&l, &t), 0);
	assert_int_equal(digest_trust_image_find(&l, t.images[0].name)->issued, 1700000000);
	assert_int_equal(digest_trust_merge(&dst, &t), 0);
	assert_int_equal(digest_trust_image_find(&dst, t.images[0].name)->issued, 1700000000);
	digest_trust_clear(&dst);
	digest_trust_clear(&l);
	/* An older store: no time, 0. */
	assert_non_null(f = fopen(store, "w"));
	fputs("{\"version\":1,\"images\":{\"docker.io/library/a:1\":{\"digest\":\"" D64
	    "\",\"manifests\":[],\"configs\":[\"" D64 "\"]}}}", f);
	fclose(f);
	assert_int_equal(digest_trust_load(store, &l, &err), 0);
	assert_int_equal(l.images[0].issued, 0);
	digest_trust_clear(&l);
	/* Not a time. */
	assert_non_null(f = fopen(store, "w"));
	fputs("{\"version\":1,\"images\":{\"docker.io/library/a:1\":{\"digest\":\"" D64
	    "\",\"manifests\":[],\"configs\":[\"" D64 "\"],\"issued\":-1}}}", f);
	fclose(f);
	assert_int_equal(digest_trust_load(store, &l, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "\"issued\" is not a time"));
	assert_non_null(f = fopen(store, "w"));
	fputs("{\"version\":1,\"images\":{\"docker.io/library/a:1\":{\"digest\":\"" D64
	    "\",\"manifests\":[],\"configs\":[\"" D64 "\"],\"issued\":\"2020\"}}}", f);
	fclose(f);
	assert_int_equal(digest_trust_load(store, &l, &err), -EPROTO);
	assert_int_equal(l.n, 0);
	unlink(store);
	digest_trust_clear(&t);
	tb_free(&b);
#undef D64
}

/* Corrupt stores are refused with -EPROTO and the path in the message. */
static void
test_store_corrupt(void **state)
{
#define D64	"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	static const char *const bad[] = {
		"",
		"not json",
		"[]",
		"{\"version\":2,\"images\":{}}",
		"{\"version\":1}",
		"{\"version\":1,\"images\":{\"docker.io/library/a:1\":{\"digest\":\"sha256:00\","
		    "\"manifests\":[],\"configs\":[\"" D64 "\"]}}}",
		"{\"version\":1,\"images\":{\"docker.io/library/a:1\":{\"digest\":\"" D64 "\","
		    "\"manifests\":[],\"configs\":[\"md5:x\"]}}}",
		"{\"version\":1,\"images\":{\"docker.io/library/a:1\":{\"digest\":\"" D64 "\","
		    "\"manifests\":[],\"configs\":[]}}}",
		"{\"version\":1,\"images\":{\"a:1\":{\"digest\":\"" D64 "\","
		    "\"manifests\":[],\"configs\":[\"" D64 "\"]}}}",
		"{\"version\":1,\"images\":{\"docker.io/library/a\":{\"digest\":\"" D64 "\","
		    "\"manifests\":[],\"configs\":[\"" D64 "\"]}}}",
		"{\"version\":1,\"images\":{\"docker.io/library/a:1\":{\"digest\":\"" D64 "\","
		    "\"manifests\":[\"" D64 "\",\"" D64 "\"],\"configs\":[\"" D64 "\"]}}}",
	};
	static const char good[] =
		"{\"version\":1,\"images\":{\"docker.io/library/a:1\":{\"digest\":\"" D64 "\","
		    "\"manifests\":[\"" D64 "\"],\"configs\":[\"" D64 "\"]}}}";
	struct digest_trust	t = { 0 };
	struct dw_err		err;
	char			path[256];
	size_t			i;
	FILE			*f;

	snprintf(path, sizeof(path), "%s/trust.json", tmpdir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_non_null(f = fopen(path, "w"));
		fputs(bad[i], f);
		fclose(f);
		assert_int_equal(digest_trust_load(path, &t, &err), -EPROTO);
		assert_non_null(strstr(err.msg, path));
		assert_int_equal(t.n, 0);
	}
	assert_non_null(f = fopen(path, "w"));
	fputs(good, f);
	fclose(f);
	assert_int_equal(digest_trust_load(path, &t, &err), 0);
	assert_int_equal(t.n, 1);
	assert_false(t.images[0].facts.is_index);
	digest_trust_clear(&t);
#undef D64
}

/*
 * Run cli_trust_main with stdout and stderr silenced, in a child process
 * as the command runs: `trust import` sandboxes its process for good.
 */
static int
run_trust(int argc, char **argv)
{
	pid_t	pid;
	int	null, st;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == 0) {
		null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		st = cli_trust_main(argc, argv);
		fflush(stdout);
		fflush(stderr);
		_exit(st);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* `trust import`: one bad bundle writes nothing; good ones are saved and listed. */
static void
test_cmd_import(void **state)
{
	struct tbundle		b = { 0 };
	struct digest_trust	t = { 0 };
	struct dw_err		err;
	struct stat		st;
	char			cfg[DIGEST_SHA256_STRLEN], good[256], evil[256], sdir[256];
	char			store[300];

	docker_save_bundle(&b, cfg);
	tb_write(&b, "good.tar", 0, good, sizeof(good));
	tb_add(&b, "../evil", "x");
	tb_write(&b, "evil.tar", 0, evil, sizeof(evil));
	snprintf(sdir, sizeof(sdir), "%s/st", tmpdir);
	snprintf(store, sizeof(store), "%s/trust.json", sdir);
	{
		char	*argv[] = { "trust", "import", good, evil, "--state-dir", sdir, NULL };

		assert_int_equal(run_trust(6, argv), 1);
		assert_int_equal(stat(store, &st), -1);
	}
	{
		char	*argv[] = { "trust", "import", "--state-dir", sdir, good, NULL };

		assert_int_equal(run_trust(5, argv), 0);
	}
	assert_int_equal(digest_trust_load(store, &t, &err), 0);
	assert_int_equal(t.n, 2);
	check_docker_image(&t, "docker.io/library/docker:cli", cfg);
	digest_trust_clear(&t);
	{
		char	*argv[] = { "trust", "list", "--state-dir", sdir, NULL };
		char	*bad[] = { "trust", "frobnicate", NULL };
		char	*noarg[] = { "trust", "import", "--state-dir", sdir, NULL };

		assert_int_equal(run_trust(4, argv), 0);
		assert_int_equal(run_trust(2, bad), 2);
		assert_int_equal(run_trust(4, noarg), 2);
	}
	tb_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_docker_save, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docker_save_gzip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_manifest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blob_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_bundle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_issued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_import, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
