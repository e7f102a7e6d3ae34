/*
 * dw_strv: a NULL-terminated, heap-owned vector of heap-owned strings.
 */
#ifndef DW_STRV_H
#define DW_STRV_H

#include <stdbool.h>
#include <stddef.h>

struct dw_strv {
	char	**v;	/* NULL-terminated; NULL when empty */
	size_t	  n;
};

/* Append a copy of s. 0 or -ENOMEM. */
int	dw_strv_push(struct dw_strv *sv, const char *s);
/* Append s, taking ownership of it (freed on failure). 0 or -ENOMEM. */
int	dw_strv_push_take(struct dw_strv *sv, char *s);
/* True when s is an element (exact compare). */
bool	dw_strv_contains(const struct dw_strv *sv, const char *s);
/* Free every element and reset to empty; sv itself is not freed. */
void	dw_strv_clear(struct dw_strv *sv);

#endif
