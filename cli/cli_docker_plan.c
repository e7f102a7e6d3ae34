/* cli_docker_plan: the requests a docker command line becomes. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_docker_plan.h"
#include "common/dw_limits.h"

void
cli_docker_plan_query_add(struct cli_docker_plan_query *q, const char *k,
    const char *v)
{
	dw_strv_push(&q->k, k);
	dw_strv_push(&q->v, v ? v : "");
}

void
cli_docker_plan_query_clear(struct cli_docker_plan_query *q)
{
	dw_strv_clear(&q->k);
	dw_strv_clear(&q->v);
}

/* Append s escaped: Go's QueryEscape (query) or EscapedPath (path). */
static int
esc_append(char *buf, size_t len, size_t *off, const char *s, bool query)
{
	static const char	hex[] = "0123456789ABCDEF";
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*off + 4 >= len)
			return -E2BIG;
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' ||
		    (!query && strchr("$&+,/:;=@", *p) != NULL))
			buf[(*off)++] = (char)*p;
		else if (query && *p == ' ')
			buf[(*off)++] = '+';
		else {
			buf[(*off)++] = '%';
			buf[(*off)++] = hex[*p >> 4];
			buf[(*off)++] = hex[*p & 15];
		}
	}
	buf[*off] = '\0';
	return 0;
}

/* "/v1.41" path "?" query, sorted by key (stable); 0, -E2BIG or -ENOMEM. */
static int
uri_make(char *uri, size_t len, const char *path,
    const struct cli_docker_plan_query *q)
{
	size_t	 off, i, k, *ord = NULL, nq = q ? q->k.n : 0;
	int	 r = -E2BIG;

	off = (size_t)snprintf(uri, len, "/v%s", CLI_DOCKER_PLAN_VERSION);
	if (esc_append(uri, len, &off, path, false) < 0)
		goto out;
	if (nq == 0)
		return 0;
	/* Insertion sort: few parameters. */
	if ((ord = calloc(nq, sizeof(*ord))) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nq; i++) {
		for (k = i; k > 0 && strcmp(q->k.v[ord[k - 1]], q->k.v[i]) > 0; k--)
			ord[k] = ord[k - 1];
		ord[k] = i;
	}
	for (i = 0; i < nq; i++) {
		if (off + 2 >= len)
			goto out;
		uri[off++] = i == 0 ? '?' : '&';
		uri[off] = '\0';
		if (esc_append(uri, len, &off, q->k.v[ord[i]], true) < 0)
			goto out;
		uri[off++] = '=';
		uri[off] = '\0';
		if (esc_append(uri, len, &off, q->v.v[ord[i]], true) < 0)
			goto out;
	}
	r = 0;
out:
	free(ord);
	return r;
}

struct cli_docker_plan_req *
cli_docker_plan_add(struct cli_docker_plan *plan, struct dw_err *err,
    const char *method, const char *path, const struct cli_docker_plan_query *q,
    json_t *body)
{
	struct cli_docker_plan_req	*v, *r = NULL;
	char				 uri[DW_URI_MAX];
	int				 e;

	if ((e = uri_make(uri, sizeof(uri), path, q)) == -E2BIG) {
		dw_err_set(err, "docker %s: the request URI would be longer "
		    "than %d bytes", plan->command ? plan->command : "",
		    DW_URI_MAX);
		goto out;
	}
	if (e < 0 ||
	    (v = realloc(plan->v, (plan->n + 1) * sizeof(*v))) == NULL) {
		dw_err_set(err, "out of memory");
		goto out;
	}
	plan->v = v;
	r = &plan->v[plan->n];
	memset(r, 0, sizeof(*r));
	if ((r->method = strdup(method)) == NULL ||
	    (r->uri = strdup(uri)) == NULL) {
		free(r->method);
		free(r->uri);
		r = NULL;
		dw_err_set(err, "out of memory");
		goto out;
	}
	r->body = body;
	body = NULL;
	plan->n++;
out:
	json_decref(body);
	return r;
}

void
cli_docker_plan_note(struct cli_docker_plan_req *r, const char *fmt, ...)
{
	char	buf[DW_MSG_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	dw_strv_push(&r->notes, buf);
}

void
cli_docker_plan_clear(struct cli_docker_plan *plan)
{
	size_t	i;

	if (plan == NULL)
		return;
	for (i = 0; i < plan->n; i++) {
		free(plan->v[i].method);
		free(plan->v[i].uri);
		json_decref(plan->v[i].body);
		dw_strv_clear(&plan->v[i].notes);
	}
	free(plan->v);
	free(plan->command);
	memset(plan, 0, sizeof(*plan));
}
