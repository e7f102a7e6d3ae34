/*
 * cli_docker_image: the image commands: pull, push, tag, load, import,
 * save, and those that send one request per image (images, rmi, ...).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_docker_image.h"
#include "cli/cli_docker_arg.h"
#include "cli/cli_docker_cmd.h"
#include "cli/cli_docker_plan.h"
#include "common/dw_strv.h"

enum { PL_ALLTAGS = 1, PL_PLATFORM };

static const struct cli_docker_arg_flag pull_flags[] = {
	{ "all-tags", 'a', CLI_DOCKER_ARG_BOOL, PL_ALLTAGS, NULL },
	{ "disable-content-trust", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "platform", 0, CLI_DOCKER_ARG_STR, PL_PLATFORM, NULL },
	{ "quiet", 'q', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ NULL }
};

/* docker pull IMAGE: POST /images/create?fromImage=... */
static int
pull_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct cli_docker_plan_query	 q = { 0 };
	char				*name = NULL, *tag = NULL;
	const char			*v;
	int				 r;

	if (p->npos != 1) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker pull\" requires "
		    "exactly 1 argument (the image)");
		goto out;
	}
	if ((r = cli_docker_cmd_ref_split(t, p->pos[0],
	    !cli_docker_arg_bool(p, PL_ALLTAGS, false), &name, &tag)) < 0)
		goto out;
	cli_docker_plan_query_add(&q, "fromImage", name);
	if (tag[0] != '\0')
		cli_docker_plan_query_add(&q, "tag", tag);
	if ((v = cli_docker_arg_str(p, PL_PLATFORM)) != NULL)
		cli_docker_plan_query_add(&q, "platform", v);
	r = cli_docker_plan_add(t->plan, t->err, "POST", "/images/create", &q,
	    NULL) ? 0 : -ENOMEM;
out:
	free(name);
	free(tag);
	cli_docker_plan_query_clear(&q);
	return r;
}

enum { PS_ALLTAGS = 1 };

static const struct cli_docker_arg_flag push_flags[] = {
	{ "all-tags", 'a', CLI_DOCKER_ARG_BOOL, PS_ALLTAGS, NULL },
	{ "disable-content-trust", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "quiet", 'q', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ NULL }
};

/* docker push IMAGE: POST /images/NAME/push?tag=... */
static int
push_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct cli_docker_plan_query	 q = { 0 };
	char				*name = NULL, *tag = NULL, path[1024];
	int				 r;

	if (p->npos != 1) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker push\" requires "
		    "exactly 1 argument (the image)");
		goto out;
	}
	if ((r = cli_docker_cmd_ref_split(t, p->pos[0],
	    !cli_docker_arg_bool(p, PS_ALLTAGS, false), &name, &tag)) < 0)
		goto out;
	cli_docker_plan_query_add(&q, "tag", tag);
	snprintf(path, sizeof(path), "/images/%s/push", name);
	r = cli_docker_plan_add(t->plan, t->err, "POST", path, &q,
	    NULL) ? 0 : -ENOMEM;
out:
	free(name);
	free(tag);
	cli_docker_plan_query_clear(&q);
	return r;
}

/* docker tag SOURCE TARGET. */
static int
tag_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct cli_docker_plan_query	 q = { 0 };
	char				*name = NULL, *tag = NULL, path[1024];
	int				 r;

	if (p->npos != 2) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker tag\" requires "
		    "exactly 2 arguments (SOURCE TARGET)");
		goto out;
	}
	if ((r = cli_docker_cmd_ref_split(t, p->pos[1], true, &name, &tag)) < 0)
		goto out;
	cli_docker_plan_query_add(&q, "repo", name);
	cli_docker_plan_query_add(&q, "tag", tag);
	snprintf(path, sizeof(path), "/images/%s/tag", p->pos[0]);
	r = cli_docker_plan_add(t->plan, t->err, "POST", path, &q,
	    NULL) ? 0 : -ENOMEM;
out:
	free(name);
	free(tag);
	cli_docker_plan_query_clear(&q);
	return r;
}

static const struct cli_docker_arg_flag load_flags[] = {
	{ "input", 'i', CLI_DOCKER_ARG_STR, 0, NULL },
	{ "quiet", 'q', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ NULL }
};

/* docker load: the archive is the body, which explain does not have. */
static int
load_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct cli_docker_plan_query	 q = { 0 };
	struct cli_docker_plan_req	*rq;
	int				 r;

	if (p->npos != 0) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker load\" takes no "
		    "arguments");
		goto out;
	}
	/* The CLI is quiet when its output is no terminal, as under explain. */
	cli_docker_plan_query_add(&q, "quiet", "1");
	if ((rq = cli_docker_plan_add(t->plan, t->err, "POST", "/images/load",
	    &q, NULL)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	rq->body_opaque = true;
	cli_docker_plan_note(rq, "the body is the image archive, which explain "
	    "does not read");
	r = 0;
out:
	cli_docker_plan_query_clear(&q);
	return r;
}

enum { IM_CHANGE = 1, IM_MESSAGE, IM_PLATFORM };

static const struct cli_docker_arg_flag import_flags[] = {
	{ "change", 'c', CLI_DOCKER_ARG_LIST, IM_CHANGE, NULL },
	{ "message", 'm', CLI_DOCKER_ARG_STR, IM_MESSAGE, NULL },
	{ "platform", 0, CLI_DOCKER_ARG_STR, IM_PLATFORM, NULL },
	{ NULL }
};

/*
 * docker import file|URL|- [REPOSITORY[:TAG]]: POST
 * /images/create?fromSrc=...
 */
static int
import_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct cli_docker_plan_query	 q = { 0 };
	struct dw_strv			 l = { 0 };
	struct cli_docker_plan_req	*rq;
	const char			*src, *v;
	bool				 url;
	size_t				 k;
	int				 r;

	if (p->npos < 1 || p->npos > 2) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker import\" "
		    "requires 1 or 2 arguments (file|URL|- "
		    "[REPOSITORY[:TAG]])");
		goto out;
	}
	src = p->pos[0];
	url = strncmp(src, "http://", 7) == 0 ||
	    strncmp(src, "https://", 8) == 0;
	cli_docker_arg_list(p, IM_CHANGE, &l);
	for (k = 0; k < l.n; k++)
		cli_docker_plan_query_add(&q, "changes", l.v[k]);
	cli_docker_plan_query_add(&q, "fromSrc", url ? src : "-");
	cli_docker_plan_query_add(&q, "message",
	    cli_docker_arg_or(p, IM_MESSAGE, ""));
	if ((v = cli_docker_arg_str(p, IM_PLATFORM)) != NULL)
		cli_docker_plan_query_add(&q, "platform", v);
	cli_docker_plan_query_add(&q, "repo", p->npos > 1 ? p->pos[1] : "");
	cli_docker_plan_query_add(&q, "tag", "");
	if ((rq = cli_docker_plan_add(t->plan, t->err, "POST", "/images/create",
	    &q, NULL)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (!url) {
		rq->body_opaque = true;
		cli_docker_plan_note(rq, "the body is the file's content, "
		    "which explain does not read");
	}
	r = 0;
out:
	dw_strv_clear(&l);
	cli_docker_plan_query_clear(&q);
	return r;
}

/* docker save IMAGE...: one GET /images/get for them all. */
static int
save_exec(struct cli_docker_cmd *t, const struct cli_docker_arg *p)
{
	struct cli_docker_plan_query	 q = { 0 };
	size_t				 k;
	int				 r;

	if (p->npos < 1) {
		r = cli_docker_cmd_fail(t, -EINVAL, "\"docker save\" requires "
		    "at least 1 argument");
		goto out;
	}
	for (k = 0; k < p->npos; k++)
		cli_docker_plan_query_add(&q, "names", p->pos[k]);
	r = cli_docker_plan_add(t->plan, t->err, "GET", "/images/get", &q,
	    NULL) ? 0 : -ENOMEM;
out:
	cli_docker_plan_query_clear(&q);
	return r;
}

/* ---- table-driven commands ---- */

static const struct cli_docker_arg_flag images_flags[] = {
	{ "all", 'a', CLI_DOCKER_ARG_BOOL, 0, "all" },
	{ "digests", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "filter", 'f', CLI_DOCKER_ARG_LIST, 0, NULL },
	{ "format", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "no-trunc", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "quiet", 'q', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ NULL }
};

static const struct cli_docker_arg_flag rmi_flags[] = {
	{ "force", 'f', CLI_DOCKER_ARG_BOOL, 0, "force" },
	{ "no-prune", 0, CLI_DOCKER_ARG_BOOL, 0, "noprune" },
	{ NULL }
};

static const struct cli_docker_arg_flag history_flags[] = {
	{ "format", 0, CLI_DOCKER_ARG_STR, 0, NULL },
	{ "human", 'H', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "no-trunc", 0, CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ "quiet", 'q', CLI_DOCKER_ARG_BOOL, 0, NULL },
	{ NULL }
};

const struct cli_docker_cmd_entry cli_docker_image_pull_entry = {
	.name = "pull", .alias = { "image pull" },
	.flags = pull_flags, .exec = pull_exec,
};

const struct cli_docker_cmd_entry cli_docker_image_push_entry = {
	.name = "push", .alias = { "image push" },
	.flags = push_flags, .exec = push_exec,
};

const struct cli_docker_cmd_entry cli_docker_image_tag_entry = {
	.name = "tag", .alias = { "image tag" },
	.flags = cli_docker_cmd_flags_none, .exec = tag_exec,
};

const struct cli_docker_cmd_entry cli_docker_image_load_entry = {
	.name = "load", .alias = { "image load" },
	.flags = load_flags, .exec = load_exec,
};

const struct cli_docker_cmd_entry cli_docker_image_import_entry = {
	.name = "import", .alias = { "image import" },
	.flags = import_flags, .exec = import_exec,
};

const struct cli_docker_cmd_entry cli_docker_image_save_entry = {
	.name = "save", .alias = { "image save" },
	.flags = cli_docker_cmd_flags_output, .exec = save_exec,
};

const struct cli_docker_cmd_entry cli_docker_image_images_entry = {
	.name = "images", .alias = { "image ls", "image list" },
	.flags = images_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/images/json", CLI_DOCKER_CMD_NONE },
};

const struct cli_docker_cmd_entry cli_docker_image_inspect_entry = {
	.name = "image inspect",
	.flags = cli_docker_cmd_flags_format,
	.exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/images/%s/json", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_image_rmi_entry = {
	.name = "rmi", .alias = { "image rm" },
	.flags = rmi_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "DELETE", "/images/%s", CLI_DOCKER_CMD_EACH },
};

const struct cli_docker_cmd_entry cli_docker_image_history_entry = {
	.name = "history", .alias = { "image history" },
	.flags = history_flags, .exec = cli_docker_cmd_simple_exec,
	.simple = { "GET", "/images/%s/history", CLI_DOCKER_CMD_ONE },
};

const struct cli_docker_cmd_entry cli_docker_image_prune_entry = {
	.name = "image prune",
	.flags = cli_docker_cmd_flags_prune, .exec = cli_docker_cmd_simple_exec,
	.simple = { "POST", "/images/prune", CLI_DOCKER_CMD_NONE },
};
