/*
 * authz_service: swarm service create/update bodies, judged with the
 * container rules their tasks will run under.
 */
#ifndef AUTHZ_SERVICE_H
#define AUTHZ_SERVICE_H

#include <jansson.h>

#include "authz/authz_deny.h"

/* The service spec (the request body).  0 or -EACCES after a deny. */
int	authz_service_check(struct authz_ctx *c, const json_t *spec);

#endif
