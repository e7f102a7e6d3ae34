/*
 * digest_context: find the Dockerfile in a build context tar held in
 * memory.  One streaming pass with libarchive; only the Dockerfile's
 * bytes are kept.  Tar extraction lets a later entry replace an earlier
 * one of the same name, so the last entry counts; links are refused
 * rather than followed, and every limit is a refusal, never a skip.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "common/dw_esc.h"
#include "digest/digest_archive.h"
#include "digest/digest_context.h"
#include "digest/digest_dockerfile.h"

#define CTX_NAME_MAX	4096	/* one cleaned path */
#define CTX_ESC_MAX	256	/* a path in an error message */

/* What the last entry of a wanted name was. */
enum ctx_kind {
	CTX_NONE = 0,
	CTX_FILE,
	CTX_LINK,
	CTX_OTHER,
};

/* One wanted name and what the archive holds under it. */
struct ctx_slot {
	const char	*name;
	enum ctx_kind	 kind;
	char		*data;
	size_t		 len;
	bool		 too_big;
};

/*
 * Clean a slash-separated path relative to the context root into out:
 * leading "/" and "./", empty and "." components dropped, ".." applied.
 * 0, -EINVAL when ".." leaves the root, -E2BIG when too long.  An empty
 * result (the root) is "".
 */
static int
ctx_clean(const char *in, char *out, size_t outsz)
{
	const char	*c, *e;
	size_t		 n = 0, cn;

	out[0] = '\0';
	for (c = in; *c != '\0'; c = e) {
		while (*c == '/')
			c++;
		if (*c == '\0')
			break;
		e = strchr(c, '/');
		if (e == NULL)
			e = c + strlen(c);
		cn = (size_t)(e - c);
		if (cn == 1 && c[0] == '.')
			continue;
		if (cn == 2 && c[0] == '.' && c[1] == '.') {
			if (n == 0)
				return -EINVAL;
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			out[n] = '\0';
			continue;
		}
		if (n + (n > 0) + cn + 1 > outsz)
			return -E2BIG;
		if (n > 0)
			out[n++] = '/';
		memcpy(out + n, c, cn);
		n += cn;
		out[n] = '\0';
	}
	return 0;
}


/* Record the current entry, named like slot s: the last one counts. */
static int
ctx_slot_take(struct ctx_slot *s, struct archive *a, struct archive_entry *e,
    struct dw_err *err)
{
	la_int64_t	size = archive_entry_size(e);
	struct dw_err	rerr;
	int		r;

	free(s->data);
	s->data = NULL;
	s->len = 0;
	s->too_big = false;
	if (archive_entry_hardlink(e) != NULL || archive_entry_filetype(e) == AE_IFLNK) {
		s->kind = CTX_LINK;
		return 0;
	}
	if (archive_entry_filetype(e) != AE_IFREG) {
		s->kind = CTX_OTHER;
		return 0;
	}
	s->kind = CTX_FILE;
	if (size < 0 || size > DIGEST_DOCKERFILE_MAX) {
		s->too_big = true;
		return 0;
	}
	rerr.msg[0] = '\0';
	r = digest_archive_entry_read(a, (size_t)size, "build context: Dockerfile",
	    (unsigned char **)&s->data, &rerr);
	if (r == -EIO) {
		/* The context is not a readable archive: a protocol error here. */
		dw_err_set(err, "build context: %s", rerr.msg);
		return -EPROTO;
	}
	if (r != 0) {
		dw_err_set(err, "%s", rerr.msg);
		return r;
	}
	s->len = (size_t)size;
	return 0;
}

/* True when the entry name is a directory on the way to want ("a" or "a/b" for "a/b/Dockerfile"). */
static bool
ctx_is_parent(const char *name, const char *want)
{
	size_t	n = strlen(name);

	return strncmp(name, want, n) == 0 && want[n] == '/';
}

int
digest_context_dockerfile(const void *buf, size_t len, const char *dockerfile_path,
    char **ret_text, size_t *ret_len, struct dw_err *err)
{
	struct archive		*a = NULL;
	struct archive_entry	*e;
	struct ctx_slot		 slot[2] = { { 0 }, { 0 } }, *s;
	const char		*pn;
	char			 want[CTX_NAME_MAX], name[CTX_NAME_MAX], q[CTX_ESC_MAX];
	size_t			 entries = 0, declared = 0, i;
	la_int64_t		 size;
	bool			 under_link = false;
	int			 ar, r;

	dw_err_clear(err);
	if (dockerfile_path == NULL || *dockerfile_path == '\0')
		dockerfile_path = "Dockerfile";
	dw_esc(q, sizeof(q), dockerfile_path, (size_t)-1);
	if (*dockerfile_path == '/' ||
	    (r = ctx_clean(dockerfile_path, want, sizeof(want))) != 0 || want[0] == '\0') {
		dw_err_set(err, "dockerfile \"%s\" is not a file path inside the build context", q);
		return -EINVAL;
	}
	slot[0].name = want;
	slot[1].name = strcmp(want, "Dockerfile") == 0 ? "dockerfile" : NULL;

	if ((a = digest_archive_tar_reader()) == NULL)
		return -ENOMEM;
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		dw_err_set(err, "build context is not a readable tar archive: %s",
		    archive_error_string(a));
		r = -EPROTO;
		goto out;
	}
	for (;;) {
		ar = archive_read_next_header(a, &e);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN) {
			dw_err_set(err, "build context is not a readable tar archive: %s",
			    archive_error_string(a));
			r = -EPROTO;
			goto out;
		}
		if (++entries > DIGEST_CONTEXT_ENTRIES_MAX) {
			dw_err_set(err, "build context has more than %d entries",
			    DIGEST_CONTEXT_ENTRIES_MAX);
			r = -E2BIG;
			goto out;
		}
		size = archive_entry_size(e);
		if (size > 0)
			declared += (size_t)size < DIGEST_CONTEXT_TOTAL_MAX ?
			    (size_t)size : DIGEST_CONTEXT_TOTAL_MAX + 1;
		if (declared > DIGEST_CONTEXT_TOTAL_MAX ||
		    archive_filter_bytes(a, 0) > (la_int64_t)DIGEST_CONTEXT_TOTAL_MAX) {
			dw_err_set(err, "build context larger than %zu bytes",
			    DIGEST_CONTEXT_TOTAL_MAX);
			r = -E2BIG;
			goto out;
		}
		if ((pn = archive_entry_pathname(e)) == NULL) {
			dw_err_set(err, "build context: entry %zu has no usable name", entries);
			r = -EPROTO;
			goto out;
		}
		if ((r = ctx_clean(pn, name, sizeof(name))) != 0) {
			dw_esc(q, sizeof(q), pn, (size_t)-1);
			dw_err_set(err, "build context: entry \"%s\" %s", q, r == -EINVAL ?
			    "leaves the context" : "has too long a name");
			r = -EINVAL;
			goto out;
		}
		if (name[0] == '\0')
			continue;
		if (ctx_is_parent(name, want) && archive_entry_filetype(e) != AE_IFDIR)
			under_link = true;
		for (i = 0; i < 2; i++)
			if (slot[i].name != NULL && strcmp(name, slot[i].name) == 0 &&
			    (r = ctx_slot_take(&slot[i], a, e, err)) != 0)
				goto out;
	}
	if (under_link && slot[0].kind != CTX_NONE) {
		dw_esc(q, sizeof(q), want, (size_t)-1);
		dw_err_set(err, "build context: \"%s\" lies under a link or a file", q);
		r = -EINVAL;
		goto out;
	}
	s = slot[0].kind != CTX_NONE ? &slot[0] : &slot[1];
	dw_esc(q, sizeof(q), s->name != NULL ? s->name : want, (size_t)-1);
	switch (s->kind) {
	case CTX_NONE:
		dw_esc(q, sizeof(q), want, (size_t)-1);
		dw_err_set(err, "build context has no \"%s\"", q);
		r = -ENOENT;
		goto out;
	case CTX_LINK:
		dw_err_set(err, "build context: \"%s\" is a link", q);
		r = -EINVAL;
		goto out;
	case CTX_OTHER:
		dw_err_set(err, "build context: \"%s\" is not a regular file", q);
		r = -EINVAL;
		goto out;
	case CTX_FILE:
		break;
	}
	if (s->too_big) {
		dw_err_set(err, "build context: \"%s\" is larger than %d bytes", q,
		    DIGEST_DOCKERFILE_MAX);
		r = -E2BIG;
		goto out;
	}
	*ret_text = s->data;
	*ret_len = s->len;
	s->data = NULL;
	r = 0;
out:
	free(slot[0].data);
	free(slot[1].data);
	archive_read_free(a);
	return r;
}
