/*
 * authz_access_check: Registry Access Management and Image Access
 * Management (dockward.registryAccess, dockward.imageAccess, parsed by
 * authz_access.c), enforced wherever an image reference enters the engine.
 */
#ifndef AUTHZ_ACCESS_CHECK_H
#define AUTHZ_ACCESS_CHECK_H

#include "authz/authz_deny.h"

/*
 * The engine hook: RAM and IAM for the endpoint of c's request (pull,
 * push, tag, login, service create/update, build).  Builds: a remote
 * context's host; and when the gatekeeper held the context back
 * (req->build_inspected), every image the Dockerfile pulls (FROM, COPY
 * --from, RUN --mount from=), read from the context; a build whose
 * Dockerfile cannot be read or resolved is denied (build.context), and so
 * is one dockward cannot inspect at all (BuildKit, remote context) unless
 * dockward.allowUncheckedBuilds.  Through the plugin, which never sees
 * the context, only the remote host is checked.  0 or -EACCES after a deny.
 */
int	authz_access_check(struct authz_ctx *c);

#endif
