/* cli_explain_engine: the engine explain asks for facts, read-only, when given --engine-socket. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_explain_engine.h"
#include "api/api_engine.h"

struct cli_explain_engine {
	size_t			 n;
	struct api_engine	*v[CLI_EXPLAIN_ENGINE_SOCKETS_MAX];
	char			*sock[CLI_EXPLAIN_ENGINE_SOCKETS_MAX];
};

struct cli_explain_engine *
cli_explain_engine_new(const struct dw_strv *sockets)
{
	struct cli_explain_engine	*e;
	size_t				 i;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	for (i = 0; sockets != NULL && i < sockets->n &&
	    i < CLI_EXPLAIN_ENGINE_SOCKETS_MAX; i++) {
		if ((e->sock[i] = strdup(sockets->v[i])) == NULL ||
		    (e->v[i] = api_engine_new(sockets->v[i])) == NULL) {
			free(e->sock[i]);
			cli_explain_engine_free(e);
			return NULL;
		}
		e->n++;
	}
	return e;
}

void
cli_explain_engine_free(struct cli_explain_engine *e)
{
	size_t	i;

	if (e == NULL)
		return;
	for (i = 0; i < e->n; i++) {
		api_engine_free(e->v[i]);
		free(e->sock[i]);
	}
	free(e);
}

bool
cli_explain_engine_any(const struct cli_explain_engine *e)
{
	return e != NULL && e->n > 0;
}

/* The api_engine lookup for kind: the very calls dockward serve makes. */
static int
engine_call(struct api_engine *a, enum cli_explain_engine_kind kind,
    const char *name, json_t **ret, struct dw_err *err)
{
	switch (kind) {
	case CLI_EXPLAIN_ENGINE_CONTAINER:
		return api_engine_container_inspect(a, name, ret, err);
	case CLI_EXPLAIN_ENGINE_NETWORK:
		return api_engine_network_inspect(a, name, ret, err);
	case CLI_EXPLAIN_ENGINE_VOLUME:
		return api_engine_volume_inspect(a, name, ret, err);
	case CLI_EXPLAIN_ENGINE_IMAGE:
		return api_engine_image_inspect(a, name, ret, err);
	}
	dw_err_set(err, "unknown lookup");
	return -EINVAL;
}

int
cli_explain_engine_inspect(struct cli_explain_engine *e,
    enum cli_explain_engine_kind kind, const char *name, json_t **ret,
    const char **ret_sock, struct dw_err *err)
{
	struct dw_err	 one;
	char		 why[DW_ERR_MAX] = "";
	size_t		 i, len;
	int		 n, r;

	if (e == NULL || e->n == 0) {
		dw_err_set(err, "no --engine-socket given");
		return -EHOSTUNREACH;
	}
	for (i = 0; i < e->n; i++) {
		r = engine_call(e->v[i], kind, name, ret, &one);
		if (r == 0 || r == -ENOENT) {
			*ret_sock = e->sock[i];
			return r;
		}
		if (r == -ENOMEM) {
			dw_err_set(err, "out of memory");
			return r;
		}
		/* Not an answer: the next socket may give one; keep why for the note. */
		len = strlen(why);
		if (len + 3 >= sizeof(why))
			continue;	/* full: the first reasons say enough */
		if (strstr(one.msg, e->sock[i]) != NULL)
			n = snprintf(why + len, sizeof(why) - len, "%s%.300s",
			    len > 0 ? "; " : "", one.msg);
		else
			n = snprintf(why + len, sizeof(why) - len, "%s%.100s: %.300s",
			    len > 0 ? "; " : "", e->sock[i], one.msg);
		if (n < 0)
			why[len] = '\0';
	}
	dw_err_set(err, "%s", why);
	return -EHOSTUNREACH;
}
