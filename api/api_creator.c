/* api_creator: who created each container (see api_creator.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api_creator.h"
#include "common/dw_file.h"

#define CREATOR_LINE_MAX	1024	/* one line of the file */

struct creator_entry {
	char			id[API_CREATOR_ID_LEN + 1];
	struct api_creator	cr[API_CREATOR_USERS_MAX];	/* creator first */
	size_t			ncr;
	uint64_t		seq;	/* when it was last recorded (prune marks) */
};

struct api_creator_store {
	pthread_mutex_t		 lock;
	char			*path;
	int			 fd;	/* the file, O_APPEND; -1 when it cannot be written */
	struct creator_entry	**v;	/* sorted by id */
	size_t			 n, cap;
	uint64_t		 seq;
};

bool
api_creator_store_id_valid(const char *id)
{
	size_t	i;

	if (id == NULL)
		return false;
	for (i = 0; i < API_CREATOR_ID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return id[i] == '\0';
}

/* A name we write as is: [A-Za-z0-9._-], 1 to API_CREATOR_NAME_MAX - 1. */
static bool
name_plain(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '.' || s[n] == '_' ||
		    s[n] == '-'))
			return false;
	return n > 0 && n < API_CREATOR_NAME_MAX;
}

/* Index of id in cs->v, or where it would go (*found false). */
static size_t
find(const struct api_creator_store *cs, const char *id, bool *found)
{
	size_t	lo = 0, hi = cs->n, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(cs->v[mid]->id, id);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* Put id -> cr in memory.  0, -E2BIG (full), -ENOSPC, -ENOMEM.  Locked. */
static int
put(struct api_creator_store *cs, const char *id, const struct api_creator *cr)
{
	struct creator_entry	*e, **nv;
	size_t			 i, j, ncap;
	bool			 found;

	i = find(cs, id, &found);
	if (found) {
		e = cs->v[i];
		for (j = 0; j < e->ncr && e->cr[j].uid != cr->uid; j++)
			;
		if (j == API_CREATOR_USERS_MAX)
			return -ENOSPC;
		if (j < e->ncr && !e->cr[j].entered) {
			/* The creator stays the creator. */
			e->cr[j] = *cr;
			e->cr[j].entered = false;
		} else
			e->cr[j] = *cr;
		if (j == e->ncr)
			e->ncr++;
		e->seq = ++cs->seq;
		return 0;
	}
	if (cs->n >= DW_CREATORS_MAX)
		return -E2BIG;
	if (cs->n == cs->cap) {
		ncap = cs->cap ? cs->cap * 2 : 64;
		if (ncap > DW_CREATORS_MAX)
			ncap = DW_CREATORS_MAX;
		if ((nv = realloc(cs->v, ncap * sizeof(*nv))) == NULL)
			return -ENOMEM;
		cs->v = nv;
		cs->cap = ncap;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -ENOMEM;
	memcpy(e->id, id, API_CREATOR_ID_LEN + 1);
	e->cr[0] = *cr;
	e->ncr = 1;
	e->seq = ++cs->seq;
	memmove(cs->v + i + 1, cs->v + i, (cs->n - i) * sizeof(*cs->v));
	cs->v[i] = e;
	cs->n++;
	return 0;
}

/*
 * One record as a line of the file: "+ <id> <uid> <gid> <g,g|-> <name|->\n"
 * ('+' created it, '>' entered it).
 */
static int
format_line(char *buf, size_t len, const char *id, const struct api_creator *cr)
{
	size_t	off, i;
	int	n;

	n = snprintf(buf, len, "%c %s %lu %lu ", cr->entered ? '>' : '+', id,
	    (unsigned long)cr->uid,
	    (unsigned long)cr->gid);
	if (n < 0 || (size_t)n >= len)
		return -E2BIG;
	off = (size_t)n;
	for (i = 0; i < cr->ngroups; i++) {
		n = snprintf(buf + off, len - off, "%s%lu", i ? "," : "",
		    (unsigned long)cr->groups[i]);
		if (n < 0 || (size_t)n >= len - off)
			return -E2BIG;
		off += (size_t)n;
	}
	n = snprintf(buf + off, len - off, "%s %s\n", cr->ngroups ? "" : "-",
	    name_plain(cr->name) ? cr->name : "-");
	if (n < 0 || (size_t)n >= len - off)
		return -E2BIG;
	return (int)(off + (size_t)n);
}

/* A decimal id below (uid_t)-1; the end in *end. */
static int
parse_num(const char *s, const char **end, unsigned long *ret)
{
	unsigned long long	v = 0;
	const char		*p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long long)(*p - '0');
		if (v >= (uid_t)-1)
			return -EINVAL;
	}
	*end = p;
	*ret = (unsigned long)v;
	return 0;
}

/* Parse one line (without its newline, NUL-terminated). */
static int
parse_line(const char *s, char *id, struct api_creator *cr)
{
	const char	*p;
	unsigned long	 v;
	size_t		 n;

	memset(cr, 0, sizeof(*cr));
	if ((s[0] != '+' && s[0] != '>') || s[1] != ' ')
		return -EINVAL;
	cr->entered = s[0] == '>';
	s += 2;
	if (strlen(s) < API_CREATOR_ID_LEN + 1 || s[API_CREATOR_ID_LEN] != ' ')
		return -EINVAL;
	memcpy(id, s, API_CREATOR_ID_LEN);
	id[API_CREATOR_ID_LEN] = '\0';
	if (!api_creator_store_id_valid(id))
		return -EINVAL;
	s += API_CREATOR_ID_LEN + 1;
	if (parse_num(s, &p, &v) < 0 || *p != ' ')
		return -EINVAL;
	cr->uid = (uid_t)v;
	if (parse_num(p + 1, &p, &v) < 0 || *p != ' ')
		return -EINVAL;
	cr->gid = (gid_t)v;
	s = p + 1;
	if (s[0] == '-' && s[1] == ' ')
		s += 2;
	else {
		for (;;) {
			if (cr->ngroups >= DW_PEER_GROUPS_MAX ||
			    parse_num(s, &p, &v) < 0)
				return -EINVAL;
			cr->groups[cr->ngroups++] = (gid_t)v;
			if (*p == ' ')
				break;
			if (*p != ',')
				return -EINVAL;
			s = p + 1;
		}
		s = p + 1;
	}
	if (strcmp(s, "-") == 0)
		return 0;
	if (!name_plain(s))
		return -EINVAL;
	n = strlen(s);
	memcpy(cr->name, s, n + 1);
	return 0;
}

/* Load the file into cs (empty before); bad lines and errors go to warn. */
static void
load(struct api_creator_store *cs, struct dw_err *warn)
{
	char			*buf = NULL, *line, *nl, id[API_CREATOR_ID_LEN + 1];
	struct api_creator	 cr;
	size_t			 len, bad = 0, lineno = 0, first_bad = 0;
	int			 r;

	r = dw_file_read_at(AT_FDCWD, cs->path, O_NOFOLLOW,
	    DW_CREATORS_FILE_MAX, &buf, &len);
	if (r == -ENOENT)
		return;
	if (r < 0) {
		dw_err_set(warn, "container creators file %s: %s; containers "
		    "created before are taken for the admin's", cs->path,
		    strerror(-r));
		return;
	}
	for (line = buf; line < buf + len; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', (size_t)(buf + len - line))) == NULL)
			nl = buf + len;	/* a cut last line: checked like any */
		*nl = '\0';
		if ((size_t)(nl - line) >= CREATOR_LINE_MAX ||
		    memchr(line, '\0', (size_t)(nl - line)) != NULL ||
		    parse_line(line, id, &cr) < 0) {
			if (bad++ == 0)
				first_bad = lineno;
			continue;
		}
		if ((r = put(cs, id, &cr)) == -ENOSPC) {
			if (bad++ == 0)
				first_bad = lineno;
			continue;
		}
		if (r < 0) {
			dw_err_set(warn, "container creators file %s: %s at line "
			    "%zu; the rest is not loaded", cs->path,
			    r == -E2BIG ? "too many records" : "out of memory",
			    lineno);
			goto out;
		}
	}
	if (bad > 0)
		dw_err_set(warn, "container creators file %s: %zu line(s) not "
		    "understood, skipped (first: line %zu)", cs->path, bad,
		    first_bad);
out:
	free(buf);
}

/* Open the file for appending (0600, not through a symlink). */
static int
open_append(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
}

struct api_creator_store *
api_creator_store_open(const char *path, struct dw_err *warn)
{
	struct api_creator_store	*cs;

	warn->msg[0] = '\0';
	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return NULL;
	if ((cs->path = strdup(path)) == NULL) {
		free(cs);
		return NULL;
	}
	pthread_mutex_init(&cs->lock, NULL);
	load(cs, warn);
	if ((cs->fd = open_append(path)) < 0 && warn->msg[0] == '\0')
		dw_err_set(warn, "container creators file %s: %s; creators are "
		    "kept in memory only", path, strerror(errno));
	return cs;
}

void
api_creator_store_free(struct api_creator_store *cs)
{
	size_t	i;

	if (cs == NULL)
		return;
	for (i = 0; i < cs->n; i++)
		free(cs->v[i]);
	free(cs->v);
	if (cs->fd >= 0)
		close(cs->fd);
	pthread_mutex_destroy(&cs->lock);
	free(cs->path);
	free(cs);
}

/* write(2) all of buf; 0 or -errno. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
api_creator_store_add(struct api_creator_store *cs, const char *id,
    const struct api_creator *cr, struct dw_err *err)
{
	char	line[CREATOR_LINE_MAX];
	int	n, r;

	if (!api_creator_store_id_valid(id)) {
		dw_err_set(err, "not a container id");
		return -EINVAL;
	}
	if ((n = format_line(line, sizeof(line), id, cr)) < 0) {
		dw_err_set(err, "record too long");
		return -EINVAL;
	}
	pthread_mutex_lock(&cs->lock);
	if ((r = put(cs, id, cr)) < 0) {
		if (r == -ENOSPC)
			dw_err_set(err, "container %.12s acts for %d users "
			    "already", id, API_CREATOR_USERS_MAX);
		else
			dw_err_set(err, r == -E2BIG ? "%d containers are "
			    "recorded already" : "out of memory", DW_CREATORS_MAX);
		goto out;
	}
	if (cs->fd < 0 && (cs->fd = open_append(cs->path)) < 0)
		r = -errno;
	else if ((r = write_all(cs->fd, line, (size_t)n)) == 0 &&
	    fdatasync(cs->fd) < 0)
		r = -errno;
	if (r < 0) {
		dw_err_set(err, "%s: %s; the record holds until dockward "
		    "restarts", cs->path, strerror(-r));
		r = -EIO;
	}
out:
	pthread_mutex_unlock(&cs->lock);
	return r;
}

int
api_creator_store_get(struct api_creator_store *cs, const char *id,
    struct api_creator ret[API_CREATOR_USERS_MAX], size_t *ret_n)
{
	size_t	i, j;
	bool	found;

	if (!api_creator_store_id_valid(id))
		return -ENOENT;
	pthread_mutex_lock(&cs->lock);
	i = find(cs, id, &found);
	if (found) {
		for (j = 0; j < cs->v[i]->ncr; j++)
			ret[j] = cs->v[i]->cr[j];
		*ret_n = cs->v[i]->ncr;
	}
	pthread_mutex_unlock(&cs->lock);
	return found ? 0 : -ENOENT;
}

size_t
api_creator_store_count(struct api_creator_store *cs)
{
	size_t	n;

	pthread_mutex_lock(&cs->lock);
	n = cs->n;
	pthread_mutex_unlock(&cs->lock);
	return n;
}

bool
api_creator_store_full(struct api_creator_store *cs)
{
	return api_creator_store_count(cs) >= DW_CREATORS_MAX;
}

uint64_t
api_creator_store_mark(struct api_creator_store *cs)
{
	uint64_t	m;

	pthread_mutex_lock(&cs->lock);
	m = cs->seq;
	pthread_mutex_unlock(&cs->lock);
	return m;
}

/* Write every record to path.tmp, sync, rename over path.  Locked. */
static int
rewrite(struct api_creator_store *cs, struct dw_err *err)
{
	char	tmp[PATH_MAX], line[CREATOR_LINE_MAX];
	size_t	i, j;
	int	fd, n, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", cs->path) >= (int)sizeof(tmp)) {
		dw_err_set(err, "%s: path too long", cs->path);
		return -ENAMETOOLONG;
	}
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600)) < 0) {
		r = -errno;
		dw_err_set(err, "%s: %s", tmp, strerror(errno));
		return r;
	}
	for (i = 0; i < cs->n && r == 0; i++)
		for (j = 0; j < cs->v[i]->ncr && r == 0; j++)
			if ((n = format_line(line, sizeof(line), cs->v[i]->id,
			    &cs->v[i]->cr[j])) > 0)
				r = write_all(fd, line, (size_t)n);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, cs->path) < 0)
		r = -errno;
	if (r < 0) {
		dw_err_set(err, "%s: %s", tmp, strerror(-r));
		(void)unlink(tmp);
		return r;
	}
	if (cs->fd >= 0)
		close(cs->fd);
	cs->fd = open_append(cs->path);
	return 0;
}

int
api_creator_store_prune(struct api_creator_store *cs, uint64_t mark,
    bool (*live)(void *ctx, const char *id), void *ctx, size_t *ret_dropped,
    struct dw_err *err)
{
	size_t	i, o = 0, dropped = 0;
	int	r;

	pthread_mutex_lock(&cs->lock);
	for (i = 0; i < cs->n; i++) {
		if (cs->v[i]->seq <= mark && !live(ctx, cs->v[i]->id)) {
			free(cs->v[i]);
			dropped++;
			continue;
		}
		cs->v[o++] = cs->v[i];
	}
	cs->n = o;
	r = rewrite(cs, err);
	pthread_mutex_unlock(&cs->lock);
	if (ret_dropped != NULL)
		*ret_dropped = dropped;
	return r;
}
