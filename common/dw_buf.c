/* dw_buf: a capped append for response bodies. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/dw_buf.h"

int
dw_buf_append(char **data, size_t *len, size_t max, const void *p, size_t n)
{
	char	*nd;

	/* Written so that neither sum can overflow. */
	if (*len > max || n > max - *len)
		return -E2BIG;
	if ((nd = realloc(*data, *len + n + 1)) == NULL)
		return -ENOMEM;
	if (n > 0)
		memcpy(nd + *len, p, n);
	*data = nd;
	*len += n;
	nd[*len] = '\0';
	return 0;
}
