/*
 * authz_existing: a container that exists is judged again by its stored
 * configuration (GET /containers/{id}/json) before a caller may enter it,
 * copy from or into it, export, commit or (re)start it.
 */
#ifndef AUTHZ_EXISTING_H
#define AUTHZ_EXISTING_H

#include "authz/authz_deny.h"

/*
 * what says what the caller asked ("exec into", "start").  0 or -EACCES
 * after a deny (container.existing, engine.lookup).
 */
int	authz_existing_check(struct authz_ctx *c, const char *id, const char *what);
/* The same for the container an exec instance (/exec/{id}/...) belongs to. */
int	authz_existing_exec_check(struct authz_ctx *c, const char *exec_id,
	    const char *what);

#endif
