/* dw_strv: owned string vectors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/dw_strv.h"

int
dw_strv_push_take(struct dw_strv *sv, char *s)
{
	char	**nv;

	if (s == NULL)
		return -ENOMEM;
	nv = realloc(sv->v, (sv->n + 2) * sizeof(*nv));
	if (nv == NULL) {
		free(s);
		return -ENOMEM;
	}
	nv[sv->n++] = s;
	nv[sv->n] = NULL;
	sv->v = nv;
	return 0;
}

int
dw_strv_push(struct dw_strv *sv, const char *s)
{
	return dw_strv_push_take(sv, strdup(s));
}

bool
dw_strv_contains(const struct dw_strv *sv, const char *s)
{
	size_t	i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

void
dw_strv_clear(struct dw_strv *sv)
{
	size_t	i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}
