/*
 * authz_rules: the rule ids of the policy engine.  Stable: admins grep
 * for them, tests assert them, audit records carry them.  A rule file
 * (authz_hostconfig.c, authz_mount.c, ...) says no through authz_deny()
 * (authz_deny.h) with one of these.
 */
#ifndef AUTHZ_RULES_H
#define AUTHZ_RULES_H

#define RULE_REQUEST_URI	"request.uri"
#define RULE_REQUEST_BODY	"request.body"
#define RULE_REQUEST_JSON	"request.json"
#define RULE_REQUEST_FORM	"request.form"
#define RULE_REQUEST_UNSTAMPED	"request.unstamped"	/* full mode: not decided by the gatekeeper */
#define RULE_REQUEST_FRAMING	"request.framing" /* gatekeeper: HTTP framing Go could read differently */
#define RULE_ENGINE		"engine.lookup"
#define RULE_PRIVILEGED		"container.privileged"
#define RULE_NAMESPACE		"container.namespace"
#define RULE_CAPABILITIES	"container.capabilities"
#define RULE_DEVICES		"container.devices"
#define RULE_SECURITYOPT	"container.securityOpt"
#define RULE_RUNTIME		"container.runtime"
#define RULE_SYSCTLS		"container.sysctls"
#define RULE_CGROUP_PARENT	"container.cgroupParent"
#define RULE_STARTCONFIG	"container.startConfig"
#define RULE_SOCKET		"mount.dockerSocket"
#define RULE_PROTECTED		"mount.protectedPath"
#define RULE_ROOTSOCKET		"mount.rootSocket"
#define RULE_MOUNTTYPE		"mount.type"
#define RULE_EXEC_PRIVILEGED	"exec.privileged"
#define RULE_PLUGIN		"plugin.manage"
#define RULE_SWARM_JOIN		"swarm.join"
#define RULE_SERVICE		"service.spec"
#define RULE_SOCKET_COMMANDS	"socket.commandList"
#define RULE_SOCKET_IMAGE	"socket.imageList"
#define RULE_USERS_CONNECT	"users.connect"
#define RULE_USERS_COMMANDS	"users.commandList"
#define RULE_IMAGE_LOAD		"image.load"
#define RULE_PORTS		"container.ports"
#define RULE_FILESHARING	"mount.fileSharing"
#define RULE_REGISTRY_ACCESS	"registry.access"
#define RULE_IMAGE_ACCESS	"image.access"
#define RULE_BUILD_CONTEXT	"build.context"
#define RULE_LOGADDRESS		"container.logDriver"
#define RULE_NETWORK_HOSTIF	"network.hostInterface"
#define RULE_VOLUME_OPTIONS	"volume.options"
#define RULE_BUILDKIT		"build.buildkit"
#define RULE_EXISTING		"container.existing"
#define RULE_MOUNT_NESTED	"mount.nested"
/* containersProxy (air-gapped containers): what would leave the egress table's reach */
#define RULE_EGRESS_NETWORK	"egress.network"	/* the host network, directly or through container:X */
#define RULE_EGRESS_DRIVER	"egress.networkDriver"	/* networks of a driver other than bridge */
#define RULE_EGRESS_DNS		"egress.dns"		/* --dns outside the allowed resolvers */

#endif
