/* cli_docker_cmd: what every docker command's translation shares. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_docker_cmd.h"
#include "common/dw_limits.h"
#include "digest/digest_ref.h"

/* --env-file, --label-file, seccomp profiles */
#define FILE_MAX	(1024 * 1024)

int
cli_docker_cmd_fail(struct cli_docker_cmd *t, int r, const char *fmt, ...)
{
	char	buf[DW_ERR_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	dw_err_set(t->err, "%s", buf);
	return r;
}

int
cli_docker_cmd_nomem(struct cli_docker_cmd *t)
{
	return cli_docker_cmd_fail(t, -ENOMEM, "out of memory");
}

/* ---- flags several commands share ---- */

const struct cli_docker_arg_flag cli_docker_cmd_flags_none[] = {
	{ NULL }
};

const struct cli_docker_arg_flag cli_docker_cmd_flags_format[] = {
	{ "format", 'f', CLI_DOCKER_ARG_STR, 0, NULL },
	{ NULL }
};

const struct cli_docker_arg_flag cli_docker_cmd_flags_force[] = {
	{ "force", 'f', CLI_DOCKER_ARG_BOOL, 0, "force" },
	{ NULL }
};

const struct cli_docker_arg_flag cli_docker_cmd_flags_output[] = {
	{ "output", 'o', CLI_DOCKER_ARG_STR, 0, NULL },
	{ NULL }
};

const struct cli_docker_arg_flag cli_docker_cmd_flags_ls[] = {
	{ "filter", 'f', CLI_DOCKER_ARG_LIST, 0, NULL },
	{ "format", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "quiet", 'q', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "no-trunc", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ NULL }
};

const struct cli_docker_arg_flag cli_docker_cmd_flags_prune[] = {
	{ "all", 'a', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "force", 'f', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "filter", 0, CLI_DOCKER_ARG_LIST, 0, NULL },
	{ "volumes", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ NULL }
};

/* ---- table-driven commands ---- */

/* tmpl with its one "%s" replaced by arg. */
static void
path_fill(char *buf, size_t len, const char *tmpl, const char *arg)
{
	const char	*pc = strstr(tmpl, "%s");

	if (pc == NULL)
		snprintf(buf, len, "%s", tmpl);
	else
		snprintf(buf, len, "%.*s%s%s", (int)(pc - tmpl), tmpl, arg,
		    pc + 2);
}

/* Add "k=v&k2=v2" to q. */
static void
query_fixed(struct cli_docker_plan_query *q, const char *fixed)
{
	char	buf[256], *f, *save = NULL, *eq;

	if (fixed == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s", fixed);
	for (f = strtok_r(buf, "&", &save); f; f = strtok_r(NULL, "&", &save)) {
		if ((eq = strchr(f, '=')) != NULL)
			*eq++ = '\0';
		cli_docker_plan_query_add(q, f, eq ? eq : "");
	}
}

/* The query of one request: the fixed part, then each flag that has a key. */
static void
query_flags(struct cli_docker_plan_query *q,
    const struct cli_docker_cmd_simple *s, const struct cli_docker_arg *a)
{
	const struct cli_docker_arg_flag	*f;
	size_t					 o;

	query_fixed(q, s->fixed);
	for (o = 0; o < a->no; o++) {
		f = a->o[o].f;
		if (f->query == NULL)
			continue;
		if (f->kind == CLI_DOCKER_ARG_BOOL &&
		    strcmp(a->o[o].val, "true") == 0)
			cli_docker_plan_query_add(q, f->query, "1");
		else if (f->kind != CLI_DOCKER_ARG_BOOL)
			cli_docker_plan_query_add(q, f->query, a->o[o].val);
	}
}

int
cli_docker_cmd_simple_exec(struct cli_docker_cmd *t,
    const struct cli_docker_arg *a)
{
	const struct cli_docker_cmd_entry	*e = t->entry;
	const struct cli_docker_cmd_simple	*s = &e->simple;
	struct cli_docker_plan_query		 q = { 0 };
	struct cli_docker_plan_req		*rq;
	char					 path[1024];
	const char				*arg;
	size_t					 k, n;
	int					 r;

	if ((s->args == CLI_DOCKER_CMD_NONE && a->npos > 0) ||
	    (s->args == CLI_DOCKER_CMD_ONE && a->npos != 1) ||
	    (s->args == CLI_DOCKER_CMD_EACH && a->npos < 1))
		return cli_docker_cmd_fail(t, -EINVAL, "\"docker %s\" takes %s",
		    e->name, s->args == CLI_DOCKER_CMD_NONE ? "no arguments" :
		    s->args == CLI_DOCKER_CMD_ONE ? "exactly 1 argument" :
		    "at least 1 argument");
	n = s->args == CLI_DOCKER_CMD_NONE ? 1 : a->npos;
	for (k = 0; k < n; k++) {
		arg = s->args == CLI_DOCKER_CMD_NONE ? "" : a->pos[k];
		query_flags(&q, s, a);
		if (s->arg_query != NULL)
			cli_docker_plan_query_add(&q, s->arg_query, arg);
		if (s->aux != NULL) {
			path_fill(path, sizeof(path), s->aux, arg);
			if (cli_docker_plan_add(t->plan, t->err, "GET", path,
			    NULL, NULL) == NULL) {
				r = -ENOMEM;
				goto out;
			}
		}
		path_fill(path, sizeof(path), s->path, arg);
		if ((rq = cli_docker_plan_add(t->plan, t->err, s->method, path,
		    &q, NULL)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		cli_docker_plan_query_clear(&q);
		if (s->note != NULL)
			cli_docker_plan_note(rq, "%s", s->note);
	}
	r = 0;
out:
	cli_docker_plan_query_clear(&q);
	return r;
}

/* ---- values ---- */

int
cli_docker_cmd_ram_bytes(const char *s, long long *ret)
{
	static const char	units[] = "kmgtp";
	char			*end;
	double			 v, mul = 1;
	const char		*u;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || v < 0 || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	if (*end == ' ')
		end++;
	if (*end != '\0' &&
	    (u = strchr(units, tolower((unsigned char)*end))) != NULL) {
		for (size_t i = 0; i <= (size_t)(u - units); i++)
			mul *= 1024;
		end++;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0' || v * mul > 9.2e18)
		return -EINVAL;
	*ret = (long long)(v * mul);
	return 0;
}

int
cli_docker_cmd_parse_ll(const char *s, long long *ret)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

json_t *
cli_docker_cmd_kv_map(const struct dw_strv *sv)
{
	json_t	*m = json_object();
	char	 key[1024];
	size_t	 i, n;

	for (i = 0; m != NULL && i < sv->n; i++) {
		n = strcspn(sv->v[i], "=");
		snprintf(key, sizeof(key), "%.*s",
		    (int)(n < sizeof(key) ? n : sizeof(key) - 1), sv->v[i]);
		json_object_set_new(m, key,
		    json_string(sv->v[i][n] ? sv->v[i] + n + 1 : ""));
	}
	return m;
}

json_t *
cli_docker_cmd_str_array(const struct dw_strv *sv)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; a != NULL && i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

void
cli_docker_cmd_set_str(const struct cli_docker_arg *a, int id, json_t *obj,
    const char *key)
{
	const char	*v = cli_docker_arg_str(a, id);

	if (v != NULL && v[0] != '\0')
		json_object_set_new(obj, key, json_string(v));
}

/* ---- files the CLI reads ---- */

char *
cli_docker_cmd_file_read(struct cli_docker_cmd *t, const char *flag,
    const char *path)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "re")) == NULL) {
		cli_docker_cmd_fail(t, -EINVAL, "docker %s %s %s: %s", t->cmd,
		    flag, path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(FILE_MAX + 1)) == NULL) {
		fclose(f);
		cli_docker_cmd_nomem(t);
		return NULL;
	}
	n = fread(buf, 1, FILE_MAX + 1, f);
	fclose(f);
	if (n > FILE_MAX) {
		free(buf);
		cli_docker_cmd_fail(t, -E2BIG, "docker %s %s %s: larger than "
		    "%d bytes", t->cmd, flag, path, FILE_MAX);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* Append "k=v" to out; with env, a bare name takes the environment's value. */
static void
kv_push(struct dw_strv *out, const char *kv, bool env)
{
	const char	*val;
	char		 buf[4096];

	if (!env || strchr(kv, '=') != NULL) {
		dw_strv_push(out, kv);
		return;
	}
	if ((val = getenv(kv)) == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s=%s", kv, val);
	dw_strv_push(out, buf);
}

int
cli_docker_cmd_kv_files(struct cli_docker_cmd *t, const char *flag,
    const struct dw_strv *files, bool env, const struct dw_strv *direct,
    struct dw_strv *out)
{
	char	*buf, *line, *save = NULL;
	size_t	 i;

	for (i = 0; i < files->n; i++) {
		buf = cli_docker_cmd_file_read(t, flag, files->v[i]);
		if (buf == NULL)
			return -EINVAL;
		for (line = strtok_r(buf, "\r\n", &save); line != NULL;
		    line = strtok_r(NULL, "\r\n", &save)) {
			while (isspace((unsigned char)*line))
				line++;
			if (*line != '\0' && *line != '#')
				kv_push(out, line, env);
		}
		free(buf);
	}
	for (i = 0; i < direct->n; i++)
		kv_push(out, direct->v[i], env);
	return 0;
}

/* ---- image references ---- */

int
cli_docker_cmd_ref_split(struct cli_docker_cmd *t, const char *s,
    bool want_latest, char **name, char **tag)
{
	struct digest_ref	*ref;
	struct dw_err		 e;
	char			 buf[1024], *n, *g;

	if ((ref = digest_ref_parse(s, 0, &e)) == NULL)
		return cli_docker_cmd_fail(t, -EINVAL, "docker %s: invalid "
		    "reference \"%s\": %s", t->cmd, s, e.msg);
	if (strcmp(ref->domain, "docker.io") == 0 &&
	    strncmp(ref->path, "library/", 8) == 0 &&
	    strchr(ref->path + 8, '/') == NULL)
		snprintf(buf, sizeof(buf), "%s", ref->path + 8);
	else if (strcmp(ref->domain, "docker.io") == 0)
		snprintf(buf, sizeof(buf), "%s", ref->path);
	else
		snprintf(buf, sizeof(buf), "%s/%s", ref->domain, ref->path);
	n = strdup(buf);
	g = strdup(ref->digest ? ref->digest : ref->tag ? ref->tag :
	    want_latest ? "latest" : "");
	digest_ref_free(ref);
	if (n == NULL || g == NULL) {
		free(n);
		free(g);
		return cli_docker_cmd_nomem(t);
	}
	*name = n;
	*tag = g;
	return 0;
}
