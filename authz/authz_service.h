/*
 * authz_service: swarm service create/update bodies, judged with the
 * container rules their tasks will run under.
 */
#ifndef AUTHZ_SERVICE_H
#define AUTHZ_SERVICE_H

#include "authz/authz_deny.h"
#include "authz/authz_jv.h"

/* The service spec (the request body).  0 or -EACCES after a deny. */
int	authz_service_check(struct authz_ctx *c, const struct authz_jv *spec);

/*
 * One rule on a network a container joins, named by field
 * (authz_hostconfig_network_check, authz_egress_network_check).
 */
typedef int (*authz_service_network_fn)(struct authz_ctx *c, const char *net,
	    const char *field);

/*
 * Networks[].Target of obj at path (a service spec, "", or its
 * TaskTemplate; obj NULL: 0), each given to check with its field path
 * (NULL when an entry has no Target).  0 or -EACCES after a deny.
 */
int	authz_service_networks_check(struct authz_ctx *c,
	    const struct authz_jv *obj, const char *path,
	    authz_service_network_fn check);

#endif
