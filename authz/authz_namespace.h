/*
 * authz_namespace: the namespaces a container really joins, and the rules
 * that hand dockerd (root) a host object by name.  The checks return 0 or
 * -EACCES after a deny (authz_deny.h).
 */
#ifndef AUTHZ_NAMESPACE_H
#define AUTHZ_NAMESPACE_H

#include <jansson.h>

#include "authz/authz_deny.h"

/*
 * A NetworkMode/PidMode/IpcMode value "container:X" joins X's namespace,
 * which may be X's own container:Y: follow the chain (DW_NS_CHAIN_MAX,
 * loops refused) and deny when it ends at the host's namespace, passes a
 * container in the host's user namespace, or names a container that does
 * not exist.  Other values: 0 without looking.  0 or -EACCES.
 */
enum authz_ns { AUTHZ_NS_NET, AUTHZ_NS_PID, AUTHZ_NS_IPC };
int	authz_namespace_joined_check(struct authz_ctx *c, enum authz_ns kind,
	    const char *mode, const char *field);
/* rename of container id: refused when it has or joins host namespaces. */
int	authz_namespace_rename_check(struct authz_ctx *c, const char *id);
/* Which namespace a sysctl belongs to (Docker's --sysctl documentation). */
enum authz_ns_sysctl { AUTHZ_SYSCTL_HOST, AUTHZ_SYSCTL_IPC, AUTHZ_SYSCTL_NET };
enum authz_ns_sysctl authz_namespace_sysctl_class(const char *name);
/*
 * obj.field is a log configuration ({Type, Config} in HostConfig.LogConfig,
 * {Name, Options} in a service's TaskTemplate.LogDriver): no option value
 * may be a unix:// or unixgram:// address, which dockerd (root) would dial.
 */
int	authz_namespace_logconfig_check(struct authz_ctx *c, const json_t *obj,
	    const char *path, const char *field, const char *optfield);
/* POST /networks/create: no driver option that takes a host interface. */
int	authz_namespace_network_create_check(struct authz_ctx *c);

/* The real host facts for authz_facts.cgroup_v1 and .host_interface. */
int	authz_namespace_host_cgroup_v1(void *ctx);
int	authz_namespace_host_interface(void *ctx, const char *name);

#endif
