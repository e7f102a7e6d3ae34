/*
 * jv_same: two authz_jv documents read from the same bytes hold the same
 * values, keys and answers to every lookup; and jv_parse_cold(), which
 * reads bytes on a thread of its own, so with no shapes remembered (see
 * authz_jv.c: shapes are per thread).  A parse warm (on a thread that has
 * read other bodies) and one cold must agree: shared by test_authz_jv and
 * fuzz_authz_jv.
 */
#ifndef JV_SAME_H
#define JV_SAME_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "authz/authz_jv.h"
#include "common/dw_err.h"

/* Which member of obj v is (its position), or -1. */
static long
jv_same_pos(const struct authz_jv *obj, const struct authz_jv *v)
{
	size_t	i;

	for (i = 0; i < authz_jv_object_size(obj); i++)
		if (authz_jv_object_value(obj, i) == v)
			return (long)i;
	return -1;
}

/* Field k (by fold) of objects a and b: the same answer, at the same position. */
static bool
jv_same_field(const struct authz_jv *a, const struct authz_jv *b, const char *k)
{
	const struct authz_jv	*fa = NULL, *fb = NULL;
	int			 ra, rb;

	ra = authz_jv_object_field(a, k, &fa);
	rb = authz_jv_object_field(b, k, &fb);
	return ra == rb && (ra != 0 || jv_same_pos(a, fa) == jv_same_pos(b, fb));
}

/*
 * Every key found anywhere in probe is looked up in objects a and b:
 * both find nothing, or the member at the same position, by key and by
 * fold (an index that does not belong to the object answers otherwise).
 */
static bool
jv_same_probe(const struct authz_jv *a, const struct authz_jv *b,
    const struct authz_jv *probe)
{
	const char	*k;
	size_t		 i, n;

	switch (authz_jv_type(probe)) {
	case AUTHZ_JV_ARRAY:
		n = authz_jv_array_size(probe);
		for (i = 0; i < n; i++)
			if (!jv_same_probe(a, b, authz_jv_array_get(probe, i)))
				return false;
		return true;
	case AUTHZ_JV_OBJECT:
		n = authz_jv_object_size(probe);
		for (i = 0; i < n; i++) {
			k = authz_jv_object_key(probe, i);
			if (jv_same_pos(a, authz_jv_object_get(a, k)) !=
			    jv_same_pos(b, authz_jv_object_get(b, k)) ||
			    !jv_same_field(a, b, k))
				return false;
			if (!jv_same_probe(a, b, authz_jv_object_value(probe, i)))
				return false;
		}
		return true;
	default:
		return true;
	}
}

/* a and b alike, and (probe not NULL) alike under jv_same_probe() in each object. */
static bool
jv_same(const struct authz_jv *a, const struct authz_jv *b,
    const struct authz_jv *probe)
{
	const char	*ka, *kb;
	size_t		 i, n;

	if (authz_jv_type(a) != authz_jv_type(b))
		return false;
	switch (authz_jv_type(a)) {
	case AUTHZ_JV_NUMBER:
		return strcmp(authz_jv_number_text(a), authz_jv_number_text(b)) == 0;
	case AUTHZ_JV_STRING:
		n = authz_jv_string_len(a);
		return n == authz_jv_string_len(b) &&
		    memcmp(authz_jv_string(a), authz_jv_string(b), n + 1) == 0;
	case AUTHZ_JV_ARRAY:
		if ((n = authz_jv_array_size(a)) != authz_jv_array_size(b))
			return false;
		for (i = 0; i < n; i++)
			if (!jv_same(authz_jv_array_get(a, i), authz_jv_array_get(b, i), probe))
				return false;
		return true;
	case AUTHZ_JV_OBJECT:
		if ((n = authz_jv_object_size(a)) != authz_jv_object_size(b))
			return false;
		for (i = 0; i < n; i++) {
			ka = authz_jv_object_key(a, i);
			kb = authz_jv_object_key(b, i);
			if (strcmp(ka, kb) != 0 ||
			    !jv_same(authz_jv_object_value(a, i), authz_jv_object_value(b, i), probe))
				return false;
			/* The index: both find the member by its key, and agree by fold. */
			if (authz_jv_object_get(a, ka) != authz_jv_object_value(a, i) ||
			    authz_jv_object_get(b, kb) != authz_jv_object_value(b, i) ||
			    !jv_same_field(a, b, ka))
				return false;
		}
		return probe == NULL || jv_same_probe(a, b, probe);
	default:
		return true;
	}
}

struct jv_cold {
	const void		*buf;
	size_t			 len, max;
	struct authz_jv_doc	*doc;
	struct dw_err		 err;
	int			 rc;
};

static void *
jv_cold_run(void *arg)
{
	struct jv_cold	*c = arg;

	c->rc = authz_jv_parse(c->buf, c->len, c->max, &c->doc, &c->err);
	return NULL;
}

/* authz_jv_parse() on a new thread; -EAGAIN if none could be made. */
static int
jv_parse_cold(const void *buf, size_t len, size_t max, struct authz_jv_doc **ret,
    struct dw_err *err)
{
	struct jv_cold	c = { .buf = buf, .len = len, .max = max };
	pthread_t	t;

	if (pthread_create(&t, NULL, jv_cold_run, &c) != 0)
		return -EAGAIN;
	pthread_join(t, NULL);
	*ret = c.doc;
	*err = c.err;
	return c.rc;
}

#endif
