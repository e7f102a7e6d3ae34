/*
 * authz_desktop_check: the Docker Desktop settings (authz_desktop.h)
 * enforced: blockDockerLoad and portBindingBehavior for every request,
 * whether or not ECI is on; filesharingAllowedDirectories with the ECI
 * mount rules (authz_mount.c).
 */
#ifndef AUTHZ_DESKTOP_CHECK_H
#define AUTHZ_DESKTOP_CHECK_H

#include "authz/authz_deny.h"

/* blockDockerLoad and portBindingBehavior for this request.  0 or -EACCES. */
int	authz_desktop_check(struct authz_ctx *c);
/*
 * filesharingAllowedDirectories for one bind source (hostpath as given,
 * real resolved).  0 or -EACCES after a deny (mount.fileSharing).
 */
int	authz_desktop_check_fileshare(struct authz_ctx *c, const char *hostpath,
	    const char *real, const char *field);

#endif
