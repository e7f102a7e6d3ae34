/*
 * dw_path: host paths as text, shared by the policy loader and the mount
 * and file-sharing rules.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dw_path.h"

/* Lexically clean an absolute path: collapse "//", ".", ".."; no trailing '/'. */
void
dw_path_clean(const char *in, char *out, size_t len)
{
	size_t	o = 0, seglen;
	const char *p = in, *seg;

	if (len < 2) {
		if (len)
			out[0] = '\0';
		return;
	}
	out[o++] = '/';
	while (*p != '\0') {
		while (*p == '/')
			p++;
		seg = p;
		while (*p != '\0' && *p != '/')
			p++;
		seglen = (size_t)(p - seg);
		if (seglen == 0 || (seglen == 1 && seg[0] == '.'))
			continue;
		if (seglen == 2 && seg[0] == '.' && seg[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
			continue;
		}
		if (o > 1 && o < len)
			out[o++] = '/';
		if (o + seglen >= len)
			break;
		memcpy(out + o, seg, seglen);
		o += seglen;
	}
	out[o < len ? o : len - 1] = '\0';
}

/*
 * Resolve symlinks of the longest existing prefix of a clean absolute
 * path and append the rest (dockerd creates missing bind sources).
 */
bool
dw_path_resolve(const char *clean, char *out, size_t len)
{
	char	buf[PATH_MAX], real[PATH_MAX];
	char	*cut;
	size_t	plen;

	snprintf(buf, sizeof(buf), "%s", clean);
	for (;;) {
		if (realpath(buf, real) != NULL) {
			plen = strlen(buf);
			if (strcmp(real, "/") == 0 && clean[plen] == '/')
				snprintf(out, len, "%s", clean + plen);
			else
				snprintf(out, len, "%s%s", real, clean + plen);
			return clean[plen] == '\0';
		}
		cut = strrchr(buf, '/');
		if (cut == NULL || cut == buf) {
			snprintf(out, len, "%s", clean);
			return false;
		}
		*cut = '\0';
	}
}

/* True when x is p or below it; "/" protects only itself. */
bool
dw_path_at_or_under(const char *x, const char *p)
{
	size_t	n = strlen(p);

	if (strcmp(p, "/") == 0)
		return strcmp(x, "/") == 0;
	return strncmp(x, p, n) == 0 && (x[n] == '\0' || x[n] == '/');
}
