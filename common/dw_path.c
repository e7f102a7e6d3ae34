/* dw_path: lexical path cleaning shared by the policy loader and the mount rules. */
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
