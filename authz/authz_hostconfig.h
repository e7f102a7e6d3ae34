/*
 * authz_hostconfig: ECI container rules on a HostConfig-like object:
 * privileged, host namespaces, capabilities, devices, security options,
 * runtime, sysctls; mounts are delegated to authz_mount.c.  Each returns
 * 0 or -EACCES after a deny (authz_deny.h).
 */
#ifndef AUTHZ_HOSTCONFIG_H
#define AUTHZ_HOSTCONFIG_H

#include "authz/authz_deny.h"
#include "authz/authz_jv.h"

/*
 * The container rules for one host-config-like object (HostConfig, or the
 * deprecated top-level copy in a create body).  path is its JSON path
 * ("HostConfig" or "" for the top level); image is the container's image
 * reference (may be NULL) for the socket-mount exception.
 */
int	authz_hostconfig_check(struct authz_ctx *c,
	    const struct authz_jv *hc, const char *path, const char *image);
/* Devices, DeviceCgroupRules, DeviceRequests of a Resources-like object. */
int	authz_hostconfig_devices_check(struct authz_ctx *c,
	    const struct authz_jv *obj, const char *path);

/* CapAdd-like []string field: only Docker defaults and allowedCapabilities. */
int	authz_hostconfig_capabilities_check(struct authz_ctx *c,
	    const struct authz_jv *obj, const char *path,
	    const struct authz_jv_name *field);
/* CgroupParent (field names it): only "" or dockward.allowedCgroupParents. */
int	authz_hostconfig_cgroup_parent_check(struct authz_ctx *c, const char *parent,
	    const char *field);
/* Sysctls map: only namespaced, non-kernel ones unless allowed. */
int	authz_hostconfig_sysctls_check(struct authz_ctx *c,
	    const struct authz_jv *obj, const char *path);

/*
 * A network named by name or id must not be the host's network (a
 * network whose driver is "host" or whose name is "host").  0 or -EACCES.
 */
int	authz_hostconfig_network_check(struct authz_ctx *c, const char *net, const char *field);

#endif
