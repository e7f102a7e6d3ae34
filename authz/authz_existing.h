/*
 * authz_existing: a container that exists is judged again by its stored
 * configuration (GET /containers/{id}/json) before a caller may enter it,
 * copy from or into it, export, commit or (re)start it.
 */
#ifndef AUTHZ_EXISTING_H
#define AUTHZ_EXISTING_H

#include <stdbool.h>

#include <jansson.h>

#include "authz/authz_deny.h"

/*
 * what says what the caller asked ("exec into", "start").  0 or -EACCES
 * after a deny (container.existing, engine.lookup).
 */
int	authz_existing_check(struct authz_ctx *c, const char *id, const char *what);

/*
 * GET /containers/{id}/json before a rule set judges container id, for a
 * caller who asked to what it; about names what is checked ("its
 * network"), for the message.  0 and a new reference in *ret; -ENOENT
 * when there is nothing to judge: no id or no such container (dockerd
 * will answer "no such container"), or no engine connection when
 * offline_ok (an offline evaluation); else -EACCES after a deny
 * (engine.lookup).
 */
int	authz_existing_inspect(struct authz_ctx *c, const char *id,
	    const char *what, const char *about, bool offline_ok, json_t **ret);

/* A rule set on an existing container: authz_existing_check, or the egress rules'. */
typedef int (*authz_existing_fn)(struct authz_ctx *c, const char *id,
	    const char *what);

/*
 * rules on the container an exec instance (/exec/{id}/...) belongs to,
 * found by inspecting the instance.  Without an engine connection (an
 * offline evaluation) there is nothing to look up: 0, so a rule set that
 * must refuse then checks c->facts first.  0 or -EACCES after a deny
 * (engine.lookup, or rules').
 */
int	authz_existing_exec_check(struct authz_ctx *c, const char *exec_id,
	    const char *what, authz_existing_fn rules);

#endif
