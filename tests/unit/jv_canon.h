/*
 * The canonical form of an authz_jv value, the one tests/oracle/gohttp
 * -jv prints for Go's decoding of the same bytes into interface{} with
 * UseNumber: null, true, false; a number's text; a string as "..." with
 * the bytes 0x20..0x7e but '"' and '\\' as themselves and every other
 * byte as \xHH; [a,b]; {"k":v,...} with the keys in byte order (a Go map
 * has no order).  jv_canon() returns a new NUL-terminated string (free()
 * it), or NULL when out of memory.  Shared by test_authz_jv, the Go
 * differential (tests/oracle/jv_canon.c) and fuzz_authz_jv.
 */
#ifndef JV_CANON_H
#define JV_CANON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz_jv.h"

static void
jv_canon_str(FILE *f, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		if (u[i] >= 0x20 && u[i] < 0x7f && u[i] != '"' && u[i] != '\\')
			fputc(u[i], f);
		else
			fprintf(f, "\\x%02x", u[i]);
	}
	fputc('"', f);
}

static const struct authz_jv *jv_canon_obj;

static int
jv_canon_keycmp(const void *a, const void *b)
{
	return strcmp(authz_jv_object_key(jv_canon_obj, *(const size_t *)a),
	    authz_jv_object_key(jv_canon_obj, *(const size_t *)b));
}

static int
jv_canon_write(FILE *f, const struct authz_jv *v)
{
	size_t	 i, n, *order;
	const char *k;

	switch (authz_jv_type(v)) {
	case AUTHZ_JV_NULL:
		fputs("null", f);
		return 0;
	case AUTHZ_JV_FALSE:
		fputs("false", f);
		return 0;
	case AUTHZ_JV_TRUE:
		fputs("true", f);
		return 0;
	case AUTHZ_JV_NUMBER:
		fputs(authz_jv_number_text(v), f);
		return 0;
	case AUTHZ_JV_STRING:
		jv_canon_str(f, authz_jv_string(v), authz_jv_string_len(v));
		return 0;
	case AUTHZ_JV_ARRAY:
		fputc('[', f);
		for (i = 0; i < authz_jv_array_size(v); i++) {
			if (i > 0)
				fputc(',', f);
			if (jv_canon_write(f, authz_jv_array_get(v, i)) < 0)
				return -1;
		}
		fputc(']', f);
		return 0;
	case AUTHZ_JV_OBJECT:
		n = authz_jv_object_size(v);
		if ((order = calloc(n + 1, sizeof(*order))) == NULL)
			return -1;
		for (i = 0; i < n; i++)
			order[i] = i;
		jv_canon_obj = v;
		qsort(order, n, sizeof(*order), jv_canon_keycmp);
		fputc('{', f);
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputc(',', f);
			k = authz_jv_object_key(v, order[i]);
			jv_canon_str(f, k, strlen(k));
			fputc(':', f);
			if (jv_canon_write(f, authz_jv_object_value(v, order[i])) < 0) {
				free(order);
				return -1;
			}
		}
		fputc('}', f);
		free(order);
		return 0;
	}
	return -1;
}

static char *
jv_canon(const struct authz_jv *v)
{
	char	*buf = NULL;
	size_t	 size = 0;
	FILE	*f;
	int	 rc;

	if ((f = open_memstream(&buf, &size)) == NULL)
		return NULL;
	rc = jv_canon_write(f, v);
	if (fclose(f) != 0 || rc < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

#endif
