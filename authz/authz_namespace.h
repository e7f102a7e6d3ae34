/*
 * authz_namespace: the namespaces a container really joins, and the rules
 * that hand dockerd (root) a host object by name.  The checks return 0 or
 * -EACCES after a deny (authz_deny.h).
 */
#ifndef AUTHZ_NAMESPACE_H
#define AUTHZ_NAMESPACE_H

#include <stdbool.h>
#include <stddef.h>

#include "authz/authz_deny.h"
#include "authz/authz_jv.h"

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
/*
 * The chain walk of authz_namespace_joined_check, for rules that judge
 * the end themselves: follow mode ("container:X") to the mode of the
 * first container with a namespace of its own, into end (endsz bytes:
 * "", "host", a network name or id...), with the way there in chain for
 * messages.  0, or -EACCES after a deny under rule (a container that does
 * not exist, a loop, a chain over DW_NS_CHAIN_MAX, a name over
 * AUTHZ_NAMESPACE_MODE_MAX; with userns_rule, a container in the host's user
 * namespace on the way) or engine.lookup.
 */
#define AUTHZ_NAMESPACE_MODE_MAX 256	/* buffer for one mode on the chain, with its NUL */
int	authz_namespace_chain_end(struct authz_ctx *c, enum authz_ns kind,
	    const char *mode, const char *field, const char *rule,
	    bool userns_rule, char *end, size_t endsz, char *chain,
	    size_t chainsz);
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
int	authz_namespace_logconfig_check(struct authz_ctx *c,
	    const struct authz_jv *obj, const char *path,
	    const struct authz_jv_name *field, const struct authz_jv_name *optfield);
/* POST /networks/create: no driver option that takes a host interface. */
int	authz_namespace_network_create_check(struct authz_ctx *c);

/* The real host facts for authz_facts.cgroup_v1 and .host_interface. */
int	authz_namespace_host_cgroup_v1(void *ctx);
int	authz_namespace_host_interface(void *ctx, const char *name);

#endif
