/*
 * digest_trust: offline trust bundles (`docker save` archives and OCI image
 * layouts) read into per-name registry facts, and the JSON store they are
 * merged into.  Every digest recorded is recomputed from the bundle's
 * bytes; names and file names in the bundle are never evidence.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include "common/dw_esc.h"
#include "common/dw_limits.h"
#include "digest/digest_archive.h"
#include "digest/digest_ref.h"
#include "digest/digest_sha256.h"
#include "digest/digest_trust.h"
#include "digest/digest_manifest.h"

/* Limits of one bundle (member count and the metadata kept in memory). */
#define TRUST_MEMBERS_MAX	100000			/* tar members */
#define TRUST_MEMBER_MAX	DW_MANIFEST_MAX		/* one JSON member we keep */
#define TRUST_TOTAL_MAX		(64 * 1024 * 1024)	/* all kept members */
#define TRUST_STORE_MAX		(64 * 1024 * 1024)	/* the store file */
#define TRUST_NAME_MAX		4096			/* one member name */
#define TRUST_ESC_MAX		96			/* an untrusted string in a message */

#define ANN_CONTAINERD_NAME	"io.containerd.image.name"
#define ANN_REF_NAME		"org.opencontainers.image.ref.name"

enum member_kind {
	MEMBER_FILE = 0,
	MEMBER_LINK,		/* symlink or hard link: never read */
	MEMBER_OTHER,		/* device, fifo: never read */
};

/* One member of a bundle; data is NULL when it was not kept (too big). */
struct member {
	char			*name;		/* normalized: no "./", no "//" */
	enum member_kind	 kind;
	unsigned char		*data;
	size_t			 len;
};

/* A bundle's members: all of a tar (sorted by name), or those read so far from a directory. */
struct bundle {
	struct member	*m;
	size_t		 n, cap;
	size_t		 total;		/* bytes kept */
	int		 dirfd;		/* directory bundle, or -1 for a tar */
};

/*
 * Normalize a member name into out: drop "." and empty components and a
 * trailing '/'; refuse ".." components and absolute names, which a tar
 * extractor would write outside the bundle.  0, -EPROTO, -ENAMETOOLONG.
 */
static int
trust_name_norm(const char *in, char *out, size_t outsz)
{
	const char	*p = in, *e;
	size_t		 o = 0, n;

	if (*in == '/' || *in == '\0')
		return -EPROTO;
	while (*p != '\0') {
		e = strchr(p, '/');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -EPROTO;
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (o + n + 2 > outsz)
				return -ENAMETOOLONG;
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	out[o] = '\0';
	return 0;
}

/* Release every member and the directory. */
static void
bundle_free(struct bundle *b)
{
	size_t	i;

	for (i = 0; i < b->n; i++) {
		free(b->m[i].name);
		free(b->m[i].data);
	}
	free(b->m);
	if (b->dirfd >= 0)
		close(b->dirfd);
	memset(b, 0, sizeof(*b));
	b->dirfd = -1;
}

/* Append a member, taking name and data.  0 or -ENOMEM (both freed). */
static int
bundle_add(struct bundle *b, char *name, enum member_kind kind, unsigned char *data,
    size_t len)
{
	struct member	*nm;
	size_t		 cap;

	if (name == NULL) {
		free(data);
		return -ENOMEM;
	}
	if (b->n == b->cap) {
		cap = b->cap == 0 ? 32 : b->cap * 2;
		if ((nm = realloc(b->m, cap * sizeof(*nm))) == NULL) {
			free(name);
			free(data);
			return -ENOMEM;
		}
		b->m = nm;
		b->cap = cap;
	}
	b->m[b->n].name = name;
	b->m[b->n].kind = kind;
	b->m[b->n].data = data;
	b->m[b->n].len = len;
	b->n++;
	b->total += data != NULL ? len : 0;
	return 0;
}

/* qsort/bsearch order of members. */
static int
member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->name, ((const struct member *)b)->name);
}


/*
 * One streaming pass over a tar (any compression): every member name is
 * checked, regular files up to TRUST_MEMBER_MAX are kept while the total
 * stays under TRUST_TOTAL_MAX (layers are never needed; only the JSON
 * members are looked up later), then the members are sorted and
 * duplicates refused.
 */
static int
bundle_open_tar(struct bundle *b, const char *path, struct dw_err *err)
{
	struct archive		*a;
	struct archive_entry	*e;
	const char		*pn;
	char			 name[TRUST_NAME_MAX], q[TRUST_ESC_MAX];
	unsigned char		*data;
	enum member_kind	 kind;
	la_int64_t		 size;
	size_t			 count = 0, i;
	int			 ar, r;

	if ((a = digest_archive_tar_reader()) == NULL)
		return -ENOMEM;
	if (archive_read_open_filename(a, path, 64 * 1024) != ARCHIVE_OK) {
		dw_err_set(err, "not a readable tar archive: %s", archive_error_string(a));
		r = -EPROTO;
		goto out;
	}
	for (;;) {
		ar = archive_read_next_header(a, &e);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN) {
			dw_err_set(err, "not a readable tar archive: %s", archive_error_string(a));
			r = -EPROTO;
			goto out;
		}
		if (++count > TRUST_MEMBERS_MAX) {
			dw_err_set(err, "more than %d members", TRUST_MEMBERS_MAX);
			r = -E2BIG;
			goto out;
		}
		if ((pn = archive_entry_pathname(e)) == NULL) {
			dw_err_set(err, "member %zu has no usable name", count);
			r = -EPROTO;
			goto out;
		}
		if ((r = trust_name_norm(pn, name, sizeof(name))) != 0) {
			dw_esc(q, sizeof(q), pn, (size_t)-1);
			dw_err_set(err, "member \"%s\": unsafe or too long name", q);
			goto out;
		}
		if (name[0] == '\0' || archive_entry_filetype(e) == AE_IFDIR)
			continue;
		data = NULL;
		size = archive_entry_size(e);
		if (archive_entry_hardlink(e) != NULL ||
		    archive_entry_filetype(e) == AE_IFLNK)
			kind = MEMBER_LINK;
		else if (archive_entry_filetype(e) != AE_IFREG)
			kind = MEMBER_OTHER;
		else {
			kind = MEMBER_FILE;
			if (size >= 0 && size <= TRUST_MEMBER_MAX &&
			    b->total + (size_t)size <= TRUST_TOTAL_MAX &&
			    (r = digest_archive_entry_read(a, (size_t)size, "member", &data, err)) != 0) {
				dw_esc(q, sizeof(q), name, (size_t)-1);
				dw_err_prefix(err, "member \"%s\"", q);
				goto out;
			}
		}
		if ((r = bundle_add(b, strdup(name), kind, data,
		    data != NULL ? (size_t)size : 0)) != 0)
			goto out;
	}
	if (b->n > 0)
		qsort(b->m, b->n, sizeof(*b->m), member_cmp);
	for (i = 1; i < b->n; i++)
		if (strcmp(b->m[i - 1].name, b->m[i].name) == 0) {
			dw_esc(q, sizeof(q), b->m[i].name, (size_t)-1);
			dw_err_set(err, "member \"%s\" appears twice", q);
			r = -EPROTO;
			goto out;
		}
	r = 0;
out:
	archive_read_free(a);
	return r;
}

/*
 * Read name (normalized) from the directory bundle without following any
 * symlink, and keep it.  0, -ENOENT, -EPROTO (a link or not a file),
 * -E2BIG, -EIO.
 */
static int
bundle_dir_load(struct bundle *b, const char *name, struct member **ret,
    struct dw_err *err)
{
	char		 buf[TRUST_NAME_MAX], *comp, *slash;
	unsigned char	*data = NULL;
	struct stat	 st;
	size_t		 off = 0;
	ssize_t		 got;
	int		 fd = -1, next, r;

	snprintf(buf, sizeof(buf), "%s", name);
	comp = buf;
	if ((fd = fcntl(b->dirfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -errno;
	while ((slash = strchr(comp, '/')) != NULL) {
		*slash = '\0';
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			r = errno == ENOENT ? -ENOENT : -EPROTO;
			goto out;
		}
		close(fd);
		fd = next;
		comp = slash + 1;
	}
	next = openat(fd, comp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (next < 0) {
		r = errno == ENOENT ? -ENOENT : -EPROTO;
		goto out;
	}
	close(fd);
	fd = next;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		r = -EPROTO;
		goto out;
	}
	if (st.st_size > TRUST_MEMBER_MAX ||
	    b->total + (size_t)st.st_size > TRUST_TOTAL_MAX) {
		r = -E2BIG;
		goto out;
	}
	if ((data = malloc((size_t)st.st_size + 1)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	/* Read one byte more than the size to notice a file that grew. */
	while (off <= (size_t)st.st_size) {
		got = read(fd, data + off, (size_t)st.st_size + 1 - off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -EIO;
			goto out;
		}
		if (got == 0)
			break;
		off += (size_t)got;
	}
	if (off != (size_t)st.st_size) {
		dw_err_set(err, "changed while being read");
		r = -EIO;
		goto out;
	}
	if ((r = bundle_add(b, strdup(name), MEMBER_FILE, data, off)) != 0) {
		data = NULL;
		goto out;
	}
	data = NULL;
	*ret = &b->m[b->n - 1];
	r = 0;
out:
	free(data);
	if (fd >= 0)
		close(fd);
	return r;
}

/*
 * The kept bytes of a member (borrowed).  0, -ENOENT (absent), -EPROTO
 * (a link or not a regular file), -E2BIG (over the limits), with err.
 */
static int
bundle_get(struct bundle *b, const char *name, const unsigned char **data,
    size_t *len, struct dw_err *err)
{
	struct member	 key, *m = NULL;
	char		 q[TRUST_ESC_MAX];
	size_t		 i;
	int		 r = 0;

	dw_esc(q, sizeof(q), name, (size_t)-1);
	if (b->dirfd < 0) {
		key.name = (char *)name;
		if (b->n > 0)
			m = bsearch(&key, b->m, b->n, sizeof(*b->m), member_cmp);
		if (m == NULL)
			r = -ENOENT;
	} else {
		for (i = 0; i < b->n && m == NULL; i++)
			if (strcmp(b->m[i].name, name) == 0)
				m = &b->m[i];
		if (m == NULL)
			r = bundle_dir_load(b, name, &m, err);
	}
	if (r == 0 && m->kind != MEMBER_FILE)
		r = -EPROTO;
	if (r == 0 && m->data == NULL)
		r = -E2BIG;
	switch (r) {
	case 0:
		*data = m->data;
		*len = m->len;
		break;
	case -ENOENT:
		dw_err_set(err, "\"%s\" is missing", q);
		break;
	case -EPROTO:
		dw_err_set(err, "\"%s\" is a link or not a regular file", q);
		break;
	case -E2BIG:
		dw_err_set(err, "\"%s\" is larger than %d bytes, or the bundle's metadata "
		    "larger than %d", q, TRUST_MEMBER_MAX, TRUST_TOTAL_MAX);
		break;
	default:
		dw_err_prefix(err, "\"%s\"", q);
		break;
	}
	return r;
}

/* Free one image's name and facts. */
static void
image_clear(struct digest_trust_image *img)
{
	free(img->name);
	digest_facts_clear(&img->facts);
	img->name = NULL;
}

/* Index of name in t, or t->n. */
static size_t
trust_index(const struct digest_trust *t, const char *name)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->images[i].name, name) == 0)
			break;
	return i;
}

/* Append an image, taking name and facts (both released on failure).  0 or -ENOMEM. */
static int
trust_append(struct digest_trust *t, char *name, struct digest_facts *facts)
{
	struct digest_trust_image	*ni;

	if (name == NULL ||
	    (ni = realloc(t->images, (t->n + 1) * sizeof(*ni))) == NULL) {
		free(name);
		digest_facts_clear(facts);
		return -ENOMEM;
	}
	t->images = ni;
	t->images[t->n].name = name;
	t->images[t->n].facts = *facts;
	t->images[t->n].issued = 0;
	memset(facts, 0, sizeof(*facts));
	t->n++;
	return 0;
}

/*
 * Add what a bundle says about name, taking name and facts: a name seen
 * twice in one bundle must say the same digest.  0, -EPROTO, -ENOMEM.
 */
static int
bundle_record(struct digest_trust *out, char *name, struct digest_facts *facts,
    struct dw_err *err)
{
	size_t	i;
	int	r = 0;

	if ((i = trust_index(out, name)) == out->n)
		return trust_append(out, name, facts);
	if (strcmp(out->images[i].facts.digest, facts->digest) != 0) {
		dw_err_set(err, "%s is named twice with different digests", name);
		r = -EPROTO;
	}
	free(name);
	digest_facts_clear(facts);
	return r;
}

/* Check data's sha256 against digest; -EPROTO with err when they differ. */
static int
blob_check(const char *what, const char *digest, const void *data, size_t len,
    struct dw_err *err)
{
	char	got[DIGEST_SHA256_STRLEN];

	digest_sha256_string(data, len, got);
	if (strcmp(got, digest) != 0) {
		dw_err_set(err, "%s %s: content hashes to %s", what, digest, got);
		return -EPROTO;
	}
	return 0;
}

/* The verified bytes of blob digest (OCI layout path blobs/sha256/<hex>).  0 or -errno. */
static int
blob_get(struct bundle *b, const char *digest, const unsigned char **data, size_t *len,
    struct dw_err *err)
{
	char	path[128];
	int	r;

	if (!digest_ref_is_sha256(digest)) {
		dw_err_set(err, "a descriptor digest is not sha256:<64 hex>");
		return -EPROTO;
	}
	snprintf(path, sizeof(path), "blobs/sha256/%s", digest + strlen("sha256:"));
	if ((r = bundle_get(b, path, data, len, err)) != 0)
		return r;
	return blob_check("blob", digest, *data, *len, err);
}

/* Check a config blob when the bundle has it (an absent config is fine: its manifest was verified). */
static int
config_check(struct bundle *b, const char *digest, struct dw_err *err)
{
	const unsigned char	*data;
	size_t			 len;
	int			 r;

	r = blob_get(b, digest, &data, &len, err);
	if (r == -ENOENT) {
		dw_err_clear(err);
		return 0;
	}
	return r;
}

/* The mediaType the index body gives its child digest, or NULL. */
static char *
index_child_type(const unsigned char *body, size_t len, const char *digest)
{
	json_t		*root, *desc;
	const char	*mt = NULL;
	char		*ret = NULL;
	size_t		 i;

	if ((root = json_loadb((const char *)body, len, 0, NULL)) == NULL)
		return NULL;
	json_array_foreach(json_object_get(root, "manifests"), i, desc) {
		if (json_is_string(json_object_get(desc, "digest")) &&
		    strcmp(json_string_value(json_object_get(desc, "digest")), digest) == 0) {
			mt = json_string_value(json_object_get(desc, "mediaType"));
			break;
		}
	}
	if (mt != NULL)
		ret = strdup(mt);
	json_decref(root);
	return ret;
}

/* Parse a verified manifest or index blob (media_type from its descriptor, may be NULL). */
static int
blob_parse(const char *digest, const char *media_type, const unsigned char *data,
    size_t len, struct digest_manifest *m, struct dw_err *err)
{
	int	r;

	if ((r = digest_manifest_parse(media_type, data, len, m, err)) != 0)
		dw_err_prefix(err, "blob %s", digest);
	return r;
}

/*
 * Facts of an OCI layout entry: its blob verified and parsed; for an index,
 * each platform manifest present in the bundle verified too (absent ones
 * are not recorded), with their configs.  0 or -errno with err.
 */
static int
oci_facts(struct bundle *b, const char *digest, const char *media_type,
    struct digest_facts *facts, struct dw_err *err)
{
	struct digest_manifest	 m = { 0 }, cm = { 0 };
	const unsigned char		*data, *cdata;
	size_t				 len, clen, i;
	char				*ctype = NULL;
	int				 r;

	if ((r = blob_get(b, digest, &data, &len, err)) != 0 ||
	    (r = blob_parse(digest, media_type, data, len, &m, err)) != 0)
		goto out;
	snprintf(facts->digest, sizeof(facts->digest), "%s", digest);
	facts->is_index = m.is_index;
	if (!m.is_index) {
		if ((r = config_check(b, m.config, err)) == 0 &&
		    (r = dw_strv_push(&facts->manifests, digest)) == 0)
			r = dw_strv_push(&facts->configs, m.config);
		goto out;
	}
	for (i = 0; i < m.children.n; i++) {
		r = blob_get(b, m.children.v[i], &cdata, &clen, err);
		if (r == -ENOENT) {
			dw_err_clear(err);
			continue;
		}
		if (r != 0)
			goto out;
		free(ctype);
		ctype = index_child_type(data, len, m.children.v[i]);
		digest_manifest_clear(&cm);
		if ((r = blob_parse(m.children.v[i], ctype, cdata, clen, &cm, err)) != 0)
			goto out;
		if (cm.is_index) {
			dw_err_set(err, "index %s: child %s is an index", digest, m.children.v[i]);
			r = -EPROTO;
			goto out;
		}
		if ((r = config_check(b, cm.config, err)) != 0 ||
		    (r = dw_strv_push(&facts->manifests, m.children.v[i])) != 0 ||
		    (r = dw_strv_push(&facts->configs, cm.config)) != 0)
			goto out;
	}
	if (facts->manifests.n == 0) {
		dw_err_set(err, "index %s: none of its platform manifests is in the bundle",
		    digest);
		r = -EPROTO;
	}
out:
	free(ctype);
	digest_manifest_clear(&m);
	digest_manifest_clear(&cm);
	return r;
}

/*
 * The canonical "domain/path:tag" an image name s stands for, in *ret
 * (NULL: no tag, skip).  digest, when not NULL, must match a digest in s.
 */
static int
trust_name(const char *s, const char *digest, char **ret, struct dw_err *err)
{
	struct digest_ref	*ref;
	struct dw_err		 rerr;
	char			 q[TRUST_ESC_MAX];
	int			 r = 0;

	*ret = NULL;
	if ((ref = digest_ref_parse(s, 0, &rerr)) == NULL) {
		dw_esc(q, sizeof(q), s, (size_t)-1);
		dw_err_set(err, "image name \"%s\": %s", q, rerr.msg);
		return -EPROTO;
	}
	if (ref->digest != NULL) {
		if (digest == NULL || strcmp(ref->digest, digest) != 0) {
			dw_esc(q, sizeof(q), s, (size_t)-1);
			dw_err_set(err, "image name \"%s\" names another digest", q);
			r = -EPROTO;
			goto out;
		}
		free(ref->digest);
		ref->digest = NULL;
	}
	if (ref->tag == NULL)
		goto out;
	if ((*ret = digest_ref_string(ref)) == NULL)
		r = -ENOMEM;
out:
	digest_ref_free(ref);
	return r;
}

/* Which image name an index.json entry carries (*ret NULL: none, or a bare tag). */
static int
oci_desc_name(json_t *desc, const char *digest, char **ret, struct dw_err *err)
{
	json_t		*ann = json_object_get(desc, "annotations");
	const char	*cname, *rname;

	*ret = NULL;
	if (ann != NULL && !json_is_object(ann)) {
		dw_err_set(err, "index.json: \"annotations\" is not an object");
		return -EPROTO;
	}
	cname = json_string_value(json_object_get(ann, ANN_CONTAINERD_NAME));
	rname = json_string_value(json_object_get(ann, ANN_REF_NAME));
	if (cname != NULL)
		return trust_name(cname, digest, ret, err);
	/* A ref.name with no '/' or ':' is a tag alone: no image name to pin. */
	if (rname != NULL && strpbrk(rname, "/:") != NULL)
		return trust_name(rname, digest, ret, err);
	return 0;
}

/* Parse a kept JSON member; -EPROTO with err when it is not JSON of the wanted type. */
static int
member_json(struct bundle *b, const char *name, json_type type, json_t **ret, struct dw_err *err)
{
	const unsigned char	*data;
	json_error_t		 jerr;
	json_t			*j;
	size_t			 len;
	int			 r;

	if ((r = bundle_get(b, name, &data, &len, err)) != 0)
		return r;
	j = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL || json_typeof(j) != type) {
		dw_err_set(err, "%s: not a JSON %s (line %d: %.80s)", name,
		    type == JSON_ARRAY ? "array" : "object", jerr.line,
		    j == NULL ? jerr.text : "wrong type");
		json_decref(j);
		return -EPROTO;
	}
	*ret = j;
	return 0;
}

/* An OCI layout: every named index.json entry, verified. */
static int
bundle_oci(struct bundle *b, struct digest_trust *out, struct dw_err *err)
{
	struct digest_facts	 facts = { 0 };
	json_t			*layout = NULL, *index = NULL, *list, *desc, *d;
	const char		*digest;
	char			*name = NULL;
	size_t			 i;
	int			 r;

	if ((r = member_json(b, "oci-layout", JSON_OBJECT, &layout, err)) != 0 ||
	    (r = member_json(b, "index.json", JSON_OBJECT, &index, err)) != 0)
		goto out;
	if (!json_is_string(json_object_get(layout, "imageLayoutVersion"))) {
		dw_err_set(err, "oci-layout has no \"imageLayoutVersion\"");
		r = -EPROTO;
		goto out;
	}
	if (!json_is_array(list = json_object_get(index, "manifests"))) {
		dw_err_set(err, "index.json has no \"manifests\" array");
		r = -EPROTO;
		goto out;
	}
	json_array_foreach(list, i, desc) {
		d = json_object_get(desc, "digest");
		if (!json_is_string(d) || !digest_ref_is_sha256(digest = json_string_value(d))) {
			dw_err_set(err, "index.json: manifests[%zu] has no sha256 digest", i);
			r = -EPROTO;
			goto out;
		}
		if ((r = oci_desc_name(desc, digest, &name, err)) != 0)
			goto out;
		if (name == NULL)
			continue;
		if ((r = oci_facts(b, digest, json_string_value(json_object_get(desc,
		    "mediaType")), &facts, err)) != 0) {
			dw_err_prefix(err, "%s", name);
			goto out;
		}
		r = bundle_record(out, name, &facts, err);
		name = NULL;
		if (r != 0)
			goto out;
	}
out:
	free(name);
	digest_facts_clear(&facts);
	json_decref(layout);
	json_decref(index);
	return r;
}

/*
 * A `docker save` manifest.json: each entry's config file hashed (that is
 * the image Id), recorded under each RepoTag.  A name the OCI index of the
 * same bundle already recorded must list that config.
 */
static int
bundle_docker(struct bundle *b, struct digest_trust *out, struct dw_err *err)
{
	struct digest_facts	 facts = { 0 };
	const unsigned char	*data;
	json_t			*list = NULL, *ent, *cfg, *tags, *tag, *cj;
	char			 path[TRUST_NAME_MAX], digest[DIGEST_SHA256_STRLEN];
	char			*name = NULL, q[TRUST_ESC_MAX];
	size_t			 i, j, k, len;
	int			 r;

	if ((r = member_json(b, "manifest.json", JSON_ARRAY, &list, err)) != 0)
		goto out;
	json_array_foreach(list, i, ent) {
		cfg = json_object_get(ent, "Config");
		tags = json_object_get(ent, "RepoTags");
		if (!json_is_string(cfg) || (tags != NULL && !json_is_null(tags) &&
		    !json_is_array(tags))) {
			dw_err_set(err, "manifest.json: entry %zu has no \"Config\" or a "
			    "malformed \"RepoTags\"", i);
			r = -EPROTO;
			goto out;
		}
		if (trust_name_norm(json_string_value(cfg), path, sizeof(path)) != 0) {
			dw_esc(q, sizeof(q), json_string_value(cfg), (size_t)-1);
			dw_err_set(err, "manifest.json: unsafe Config path \"%s\"", q);
			r = -EPROTO;
			goto out;
		}
		if ((r = bundle_get(b, path, &data, &len, err)) != 0) {
			dw_err_prefix(err, "manifest.json: entry %zu: config", i);
			goto out;
		}
		if ((cj = json_loadb((const char *)data, len, 0, NULL)) == NULL ||
		    !json_is_object(cj)) {
			json_decref(cj);
			dw_esc(q, sizeof(q), path, (size_t)-1);
			dw_err_set(err, "config \"%s\" is not a JSON object", q);
			r = -EPROTO;
			goto out;
		}
		json_decref(cj);
		digest_sha256_string(data, len, digest);
		json_array_foreach(tags, j, tag) {
			if (!json_is_string(tag)) {
				dw_err_set(err, "manifest.json: a RepoTag is not a string");
				r = -EPROTO;
				goto out;
			}
			if ((r = trust_name(json_string_value(tag), NULL, &name, err)) != 0)
				goto out;
			if (name == NULL)
				continue;
			if ((k = trust_index(out, name)) < out->n) {
				/* Also in index.json: the two views must agree. */
				if (!dw_strv_contains(&out->images[k].facts.configs, digest)) {
					dw_err_set(err, "%s: manifest.json says config %s, "
					    "index.json does not", name, digest);
					r = -EPROTO;
					goto out;
				}
				free(name);
				name = NULL;
				continue;
			}
			snprintf(facts.digest, sizeof(facts.digest), "%s", digest);
			if ((r = dw_strv_push(&facts.configs, digest)) != 0)
				goto out;
			r = trust_append(out, name, &facts);
			name = NULL;
			if (r != 0)
				goto out;
		}
	}
out:
	free(name);
	digest_facts_clear(&facts);
	json_decref(list);
	return r;
}

/* Read the bundle at path and append its images to *ret (unchanged on error). */
int
digest_trust_read_bundle(const char *path, struct digest_trust *ret, struct dw_err *err)
{
	struct bundle			 b = { .dirfd = -1 };
	struct digest_trust		 out = { 0 };
	struct digest_trust_image	*ni;
	const unsigned char		*data;
	struct stat			 st, ist;
	size_t				 len, i;
	bool				 has_index, has_docker;
	int				 r;

	if (stat(path, &st) != 0) {
		r = -errno;
		dw_err_set(err, "%s", strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		if ((b.dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			r = -errno;
			dw_err_set(err, "%s", strerror(errno));
			goto out;
		}
	} else if ((r = bundle_open_tar(&b, path, err)) != 0)
		goto out;
	r = bundle_get(&b, "index.json", &data, &len, err);
	if (r != 0 && r != -ENOENT)
		goto out;
	has_index = r == 0;
	r = bundle_get(&b, "manifest.json", &data, &len, err);
	if (r != 0 && r != -ENOENT)
		goto out;
	has_docker = r == 0;
	dw_err_clear(err);
	if (!has_index && !has_docker) {
		dw_err_set(err, "neither manifest.json (docker save) nor index.json "
		    "(OCI layout) is in the bundle");
		r = -EPROTO;
		goto out;
	}
	if ((has_index && (r = bundle_oci(&b, &out, err)) != 0) ||
	    (has_docker && (r = bundle_docker(&b, &out, err)) != 0))
		goto out;
	/* A layout directory's own mtime moves with its entries: its index.json's does not. */
	if (b.dirfd >= 0 && fstatat(b.dirfd, "index.json", &ist, AT_SYMLINK_NOFOLLOW) == 0)
		st.st_mtime = ist.st_mtime;
	for (i = 0; i < out.n; i++)
		out.images[i].issued = st.st_mtime > 0 ? st.st_mtime : 0;
	if (out.n > 0) {
		if ((ni = realloc(ret->images, (ret->n + out.n) * sizeof(*ni))) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		ret->images = ni;
		memcpy(ret->images + ret->n, out.images, out.n * sizeof(*ni));
		ret->n += out.n;
		free(out.images);
		out.images = NULL;
		out.n = 0;
	}
	r = 0;
out:
	if (r != 0 && r != -ENOMEM)
		dw_err_prefix(err, "%s", path);
	digest_trust_clear(&out);
	bundle_free(&b);
	return r;
}

/* Free every image; t itself is not freed. */
void
digest_trust_clear(struct digest_trust *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		image_clear(&t->images[i]);
	free(t->images);
	t->images = NULL;
	t->n = 0;
}

/* Look a canonical name up. */
const struct digest_facts *
digest_trust_find(const struct digest_trust *t, const char *name)
{
	size_t	i;

	if (t == NULL || name == NULL || (i = trust_index(t, name)) == t->n)
		return NULL;
	return &t->images[i].facts;
}

/* Look a canonical name up, with its issue time. */
const struct digest_trust_image *
digest_trust_image_find(const struct digest_trust *t, const char *name)
{
	size_t	i;

	if (t == NULL || name == NULL || (i = trust_index(t, name)) == t->n)
		return NULL;
	return &t->images[i];
}

/* Copy a string vector.  0 or -ENOMEM. */
static int
strv_copy(struct dw_strv *dst, const struct dw_strv *src)
{
	size_t	i;
	int	r;

	for (i = 0; i < src->n; i++)
		if ((r = dw_strv_push(dst, src->v[i])) != 0)
			return r;
	return 0;
}

/* Add or replace each of src's images in dst, by name. */
int
digest_trust_merge(struct digest_trust *dst, const struct digest_trust *src)
{
	struct digest_facts	 facts;
	size_t			 i, k;
	int			 r;

	for (i = 0; i < src->n; i++) {
		memset(&facts, 0, sizeof(facts));
		memcpy(facts.digest, src->images[i].facts.digest, sizeof(facts.digest));
		facts.is_index = src->images[i].facts.is_index;
		if ((r = strv_copy(&facts.manifests, &src->images[i].facts.manifests)) != 0 ||
		    (r = strv_copy(&facts.configs, &src->images[i].facts.configs)) != 0) {
			digest_facts_clear(&facts);
			return r;
		}
		if ((k = trust_index(dst, src->images[i].name)) < dst->n) {
			digest_facts_clear(&dst->images[k].facts);
			dst->images[k].facts = facts;
			dst->images[k].issued = src->images[i].issued;
			continue;
		}
		if ((r = trust_append(dst, strdup(src->images[i].name), &facts)) != 0)
			return r;
		dst->images[dst->n - 1].issued = src->images[i].issued;
	}
	return 0;
}

/* A JSON array of sha256 digests into sv.  -EPROTO when anything else is in it. */
static int
load_digests(json_t *a, struct dw_strv *sv)
{
	json_t	*e;
	size_t	 i;
	int	 r;

	if (!json_is_array(a))
		return -EPROTO;
	json_array_foreach(a, i, e) {
		if (!json_is_string(e) || !digest_ref_is_sha256(json_string_value(e)))
			return -EPROTO;
		if ((r = dw_strv_push(sv, json_string_value(e))) != 0)
			return r;
	}
	return 0;
}

/* One store entry checked: canonical tagged name, sha256 digests, configs per manifest. */
static int
load_image(const char *key, json_t *v, struct digest_trust *t, struct dw_err *err)
{
	struct digest_facts	 facts = { 0 };
	const char		*d;
	char			*name = NULL, q[TRUST_ESC_MAX];
	json_t			*iss;
	time_t			 issued = 0;
	int			 r;

	dw_esc(q, sizeof(q), key, (size_t)-1);
	if (trust_name(key, NULL, &name, NULL) != 0 || name == NULL ||
	    strcmp(name, key) != 0) {
		dw_err_set(err, "\"%s\" is not a canonical name:tag", q);
		r = -EPROTO;
		goto out;
	}
	d = json_string_value(json_object_get(v, "digest"));
	if (!json_is_object(v) || d == NULL || !digest_ref_is_sha256(d)) {
		dw_err_set(err, "\"%s\": no sha256 \"digest\"", q);
		r = -EPROTO;
		goto out;
	}
	snprintf(facts.digest, sizeof(facts.digest), "%s", d);
	if ((r = load_digests(json_object_get(v, "manifests"), &facts.manifests)) != 0 ||
	    (r = load_digests(json_object_get(v, "configs"), &facts.configs)) != 0) {
		if (r == -EPROTO)
			dw_err_set(err, "\"%s\": \"manifests\" or \"configs\" is not an "
			    "array of sha256 digests", q);
		goto out;
	}
	if (facts.configs.n == 0 ||
	    (facts.manifests.n > 0 && facts.manifests.n != facts.configs.n)) {
		dw_err_set(err, "\"%s\": needs one config per manifest", q);
		r = -EPROTO;
		goto out;
	}
	facts.is_index = facts.manifests.n > 0 && strcmp(facts.manifests.v[0], d) != 0;
	/* Optional: stores written before it was recorded have none. */
	if ((iss = json_object_get(v, "issued")) != NULL) {
		if (!json_is_integer(iss) || json_integer_value(iss) < 0 ||
		    (json_int_t)(time_t)json_integer_value(iss) != json_integer_value(iss)) {
			dw_err_set(err, "\"%s\": \"issued\" is not a time (seconds)", q);
			r = -EPROTO;
			goto out;
		}
		issued = (time_t)json_integer_value(iss);
	}
	if (trust_index(t, name) < t->n) {
		dw_err_set(err, "\"%s\" appears twice", q);
		r = -EPROTO;
		goto out;
	}
	r = trust_append(t, name, &facts);
	name = NULL;
	if (r == 0)
		t->images[t->n - 1].issued = issued;
out:
	free(name);
	digest_facts_clear(&facts);
	return r;
}

/* Load the store file; an absent file is an empty store. */
int
digest_trust_load(const char *file, struct digest_trust *ret, struct dw_err *err)
{
	struct digest_trust	 t = { 0 };
	json_error_t		 jerr;
	json_t			*root = NULL, *images, *v;
	const char		*key;
	struct stat		 st;
	FILE			*f;
	int			 r;

	if ((f = fopen(file, "re")) == NULL) {
		if (errno == ENOENT) {
			*ret = t;
			return 0;
		}
		r = -errno;
		dw_err_set(err, "%s: %s", file, strerror(errno));
		return r;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > TRUST_STORE_MAX) {
		fclose(f);
		dw_err_set(err, "not a regular file of at most %d bytes", TRUST_STORE_MAX);
		r = -EPROTO;
		goto out;
	}
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (root == NULL) {
		dw_err_set(err, "not JSON (line %d: %.80s)", jerr.line, jerr.text);
		r = -EPROTO;
		goto out;
	}
	if (!json_is_object(root) || !json_is_integer(json_object_get(root, "version")) ||
	    json_integer_value(json_object_get(root, "version")) != 1) {
		dw_err_set(err, "not a version 1 trust store");
		r = -EPROTO;
		goto out;
	}
	if (!json_is_object(images = json_object_get(root, "images"))) {
		dw_err_set(err, "no \"images\" object");
		r = -EPROTO;
		goto out;
	}
	json_object_foreach(images, key, v)
		if ((r = load_image(key, v, &t, err)) != 0)
			goto out;
	*ret = t;
	memset(&t, 0, sizeof(t));
	r = 0;
out:
	if (r != 0 && r != -ENOMEM)
		dw_err_prefix(err, "%s", file);
	digest_trust_clear(&t);
	json_decref(root);
	return r;
}

/* A JSON array of a string vector, or NULL. */
static json_t *
save_strv(const struct dw_strv *sv)
{
	json_t	*a;
	size_t	 i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < sv->n; i++)
		if (json_array_append_new(a, json_string(sv->v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The store as JSON text (caller frees), NULL on ENOMEM. */
static char *
save_dump(const struct digest_trust *t)
{
	json_t	*root, *images, *img;
	char	*s = NULL;
	size_t	 i;

	root = json_pack("{s:i}", "version", 1);
	images = json_object();
	if (root == NULL || images == NULL || json_object_set(root, "images", images) != 0)
		goto out;
	for (i = 0; i < t->n; i++) {
		img = json_pack("{s:s, s:o*, s:o*}",
		    "digest", t->images[i].facts.digest,
		    "manifests", save_strv(&t->images[i].facts.manifests),
		    "configs", save_strv(&t->images[i].facts.configs));
		if (img == NULL || (t->images[i].issued > 0 && json_object_set_new(img,
		    "issued", json_integer((json_int_t)t->images[i].issued)) != 0)) {
			json_decref(img);
			goto out;
		}
		if (json_object_set_new(images, t->images[i].name, img) != 0)
			goto out;
	}
	s = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
out:
	json_decref(images);
	json_decref(root);
	return s;
}

/* Write the store: tmp file in the same directory, fsync, rename, fsync the directory. */
int
digest_trust_save(const char *file, const struct digest_trust *t, struct dw_err *err)
{
	char	*text = NULL, *dir = NULL, *slash, tmp[PATH_MAX] = "";
	size_t	 off = 0, len;
	ssize_t	 w;
	int	 fd = -1, dfd, r;

	if ((text = save_dump(t)) == NULL || (dir = strdup(file)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, strlen(dir) + 1, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		r = -errno;
		dw_err_set(err, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", file) >= sizeof(tmp)) {
		tmp[0] = '\0';
		dw_err_set(err, "%s: path too long", file);
		r = -ENAMETOOLONG;
		goto out;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		r = -errno;
		dw_err_set(err, "%s: %s", tmp, strerror(errno));
		tmp[0] = '\0';
		goto out;
	}
	len = strlen(text);
	text[len++] = '\n';	/* json_dumps' NUL becomes the final newline */
	errno = EIO;
	while (off < len) {
		if ((w = write(fd, text + off, len - off)) < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off != len || fchmod(fd, 0600) != 0 || fsync(fd) != 0) {
		r = -errno;
		dw_err_set(err, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	r = close(fd);
	fd = -1;
	if (r != 0) {
		r = -errno;
		dw_err_set(err, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, file) != 0) {
		r = -errno;
		dw_err_set(err, "%s: %s", file, strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0] != '\0')
		(void)unlink(tmp);
	free(text);
	free(dir);
	return r;
}
