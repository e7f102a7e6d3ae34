/*
 * cli_explain_engine: the engine `dockward explain` asks, when it is
 * given --engine-socket, for the facts it has no flag for: a container's,
 * a network's, a volume's or an image's inspect answer (GET
 * /containers/X/json, /networks/X, /volumes/X, /images/X/json, the
 * read-only calls api_engine makes for dockward serve).  The sockets are
 * tried in the order given; the first that answers (200, or 404: the
 * thing does not exist) decides, so the verdict is the one dockward would
 * reach with that engine behind it.  When none answers, explain keeps the
 * fact unknown and says why.
 */
#ifndef CLI_EXPLAIN_ENGINE_H
#define CLI_EXPLAIN_ENGINE_H

#include <stdbool.h>

#include <jansson.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"

/* What to inspect. */
enum cli_explain_engine_kind {
	CLI_EXPLAIN_ENGINE_CONTAINER = 0,
	CLI_EXPLAIN_ENGINE_NETWORK,
	CLI_EXPLAIN_ENGINE_VOLUME,
	CLI_EXPLAIN_ENGINE_IMAGE
};

#define CLI_EXPLAIN_ENGINE_SOCKETS_MAX	8	/* --engine-socket paths asked */

struct cli_explain_engine;

/*
 * A client for each of sockets (borrowed strings, copied; at most
 * CLI_EXPLAIN_ENGINE_SOCKETS_MAX are used).  An empty list gives an engine that
 * asks nothing (cli_explain_engine_any false).  NULL on ENOMEM.
 */
struct cli_explain_engine *cli_explain_engine_new(const struct dw_strv *sockets);
void	cli_explain_engine_free(struct cli_explain_engine *e);
/* Is there a socket to ask? */
bool	cli_explain_engine_any(const struct cli_explain_engine *e);

/*
 * Inspect kind `name` on the first socket that answers.  0 with a new
 * object in *ret, or -ENOENT (404: no such thing), each with the socket
 * that answered in *ret_sock (borrowed from e); -EHOSTUNREACH when no
 * socket answered, err saying what each one did (cannot connect, timed
 * out, another status, not JSON); -ENOMEM.
 */
int	cli_explain_engine_inspect(struct cli_explain_engine *e,
	    enum cli_explain_engine_kind kind, const char *name, json_t **ret,
	    const char **ret_sock, struct dw_err *err);

#endif
