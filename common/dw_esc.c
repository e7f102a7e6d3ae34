/* dw_esc: escape untrusted bytes for messages. */
#include <stdio.h>
#include <string.h>

#include "common/dw_esc.h"

void
dw_esc(char *dst, size_t dstsz, const char *s, size_t len)
{
	size_t	i, o = 0;

	if (dstsz == 0)
		return;
	for (i = 0; i < len && s[i] != '\0' && o + 5 < dstsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, dstsz - o, "\\x%02x", c);
	}
	if (i < len && s[i] != '\0' && o + 4 <= dstsz) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}
