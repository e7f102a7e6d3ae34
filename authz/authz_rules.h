/*
 * authz_rules: shared internals of the policy engine's rule files.
 * Rule functions return 0 (no objection) or -EACCES after filling the
 * decision through authz_deny(); any other failure is also a deny.
 */
#ifndef AUTHZ_RULES_H
#define AUTHZ_RULES_H

#include <stdarg.h>

#include <jansson.h>

#include "authz/authz_decide.h"

struct authz_ctx {
	const struct authz_settings	*s;
	const struct authz_facts	*facts;
	const struct authz_request	*req;
	struct authz_decision		*d;
};

/* Rule ids (stable: admins grep for them, tests assert them). */
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

/*
 * Deny with rule id, offending field and "why. how to fix" text; the
 * message is prefixed with "dockward: <what> (<rule>): ".  Returns -EACCES.
 */
int	authz_deny(struct authz_ctx *c, const char *rule, const char *field,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Shared by the settings parsers (authz_settings.c, authz_access.c,
 * authz_desktop.c): "path: expected want, got <kind>" into err, -EINVAL;
 * and one formatted warning appended to warnings, 0 or -ENOMEM.
 */
int	authz_settings_type_error(struct dw_err *err, const char *path,
	    const char *want, const json_t *v);
int	authz_settings_vwarn(struct dw_strv *warnings, struct dw_err *err,
	    const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/*
 * Fill d as a denial: "dockward: <what> (<rule>): " then fmt (the why and
 * the fix).  The one place the message shape is made.
 */
void	authz_decision_vdeny(struct authz_decision *d, const char *rule,
	    const char *field, const char *what, const char *fmt, va_list ap)
	    __attribute__((format(printf, 5, 0)));

/*
 * Deny because a body field could not be read the way dockerd reads it
 * (ambiguous, wrong type): rule request.json with err's text.  -EACCES.
 */
int	authz_deny_json(struct authz_ctx *c, const struct dw_err *err);

/*
 * The request body as a JSON object (new reference), or a deny
 * (request.body, request.json) explaining why it cannot be read.
 */
int	authz_decide_request_body(struct authz_ctx *c, json_t **ret);

/*
 * The container rules for one host-config-like object (HostConfig, or the
 * deprecated top-level copy in a create body).  path is its JSON path
 * ("HostConfig" or "" for the top level); image is the container's image
 * reference (may be NULL) for the socket-mount exception.
 */
int	authz_hostconfig_check(struct authz_ctx *c, const json_t *hc,
	    const char *path, const char *image);
/* Devices, DeviceCgroupRules, DeviceRequests of a Resources-like object. */
int	authz_hostconfig_devices_check(struct authz_ctx *c, const json_t *obj, const char *path);

/* CapAdd-like []string field: only Docker defaults and allowedCapabilities. */
int	authz_hostconfig_capabilities_check(struct authz_ctx *c, const json_t *obj,
	    const char *path, const char *field);
/* CgroupParent (field names it): only "" or dockward.allowedCgroupParents. */
int	authz_hostconfig_cgroup_parent_check(struct authz_ctx *c, const char *parent,
	    const char *field);
/* Sysctls map: only namespaced, non-kernel ones unless allowed. */
int	authz_hostconfig_sysctls_check(struct authz_ctx *c, const json_t *obj, const char *path);

/* Mount checks: Binds, Mounts, VolumesFrom of a host-config-like object. */
int	authz_mount_hostconfig_check(struct authz_ctx *c, const json_t *hc,
	    const char *path, const char *image);
/* One api Mount object ({Type, Source, VolumeOptions...}), e.g. from a service spec. */
int	authz_mount_object_check(struct authz_ctx *c, const json_t *m,
	    const char *path, const char *image);
/*
 * One host path used as a mount source (bind source, volume device).
 * image NULL means no socket exception applies.
 */
int	authz_mount_host_path_check(struct authz_ctx *c, const char *hostpath,
	    const char *field, const char *image);
/*
 * The socket exception: image must be proven to be on imageList (through
 * facts->image_verify).  rel is 1 for the socket, 2 for a directory
 * above it.  0 or -EACCES after a deny.
 */
int	authz_mount_socket_image_check(struct authz_ctx *c, const char *image,
	    const char *hostpath, const char *field, int rel);
/* 1 when src is an engine socket (any name), 2 a directory above one, else 0. */
struct stat;
int	authz_mount_socket_relation(const struct authz_facts *facts,
	    const struct stat *src);

/*
 * Local-driver volume options {type, o, device, size} (a Go map: exact
 * keys): an allowlist of the mounts they make (authz_mount.c).  opts is
 * the DriverOpts / DriverConfig.Options / inspected Options object.
 */
int	authz_mount_volume_options_check(struct authz_ctx *c, const json_t *opts,
	    const char *field, const char *image);

/*
 * authz_existing.c: a container that exists is judged again by its stored
 * configuration (GET /containers/{id}/json) before a caller may enter it,
 * copy from or into it, export, commit or (re)start it.  what says what
 * the caller asked ("exec into", "start").  0 or -EACCES after a deny
 * (container.existing, engine.lookup).
 */
int	authz_existing_check(struct authz_ctx *c, const char *id, const char *what);
/* The same for the container an exec instance (/exec/{id}/...) belongs to. */
int	authz_existing_exec_check(struct authz_ctx *c, const char *exec_id,
	    const char *what);

/*
 * authz_mount.c: host-path mount sources of one container, to refuse
 * layouts the container can re-plant (a source inside another source
 * it mounts writable: dockerd resolves sources again at every start).
 */
struct authz_mount_src {
	char	*real;		/* resolved host path (new) */
	char	 field[160];	/* where it was named */
	bool	 rw;		/* mounted writable */
};
struct authz_mount_srcs {
	struct authz_mount_src	*v;
	size_t			 n, cap;
};
void	authz_mount_srcs_clear(struct authz_mount_srcs *ms);
/* Binds, Mounts and VolumesFrom of a host-config-like object, volume devices included. */
int	authz_mount_srcs_from_hostconfig(struct authz_ctx *c, const json_t *hc,
	    const char *path, struct authz_mount_srcs *ms);
/* The Mounts array of a container inspect answer (what dockerd mounts). */
int	authz_mount_srcs_from_inspect(struct authz_ctx *c, const json_t *mounts,
	    const char *path, bool all_ro, struct authz_mount_srcs *ms);
/* Refuse a source inside another, writable one (mount.nested).  0 or -EACCES. */
int	authz_mount_layout_check(struct authz_ctx *c, const struct authz_mount_srcs *ms);

/* True when image (a reference as given to create) is on imageList. */
bool	authz_decide_image_allowed(const struct authz_settings *s, const char *image);

/*
 * A network named by name or id must not be the host's network (a
 * network whose driver is "host" or whose name is "host").  0 or -EACCES.
 */
int	authz_hostconfig_network_check(struct authz_ctx *c, const char *net, const char *field);

/* Swarm service create/update bodies. */
int	authz_service_check(struct authz_ctx *c, const json_t *spec);

/*
 * Docker Desktop settings (authz_desktop.c): blockDockerLoad and
 * portBindingBehavior for this request, whether or not ECI is on.
 */
int	authz_desktop_check(struct authz_ctx *c);
/* filesharingAllowedDirectories for one bind source (real: resolved path). */
int	authz_desktop_fileshare_check(struct authz_ctx *c, const char *hostpath,
	    const char *real, const char *field);
/* authz_mount.c's path helpers: symlinks of the existing prefix resolved; "at or under". */
void	authz_path_resolve(const char *clean, char *out, size_t len);
bool	authz_path_at_or_under(const char *x, const char *p);

/*
 * authz_namespace.c: the namespaces a container really joins.
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

#endif
