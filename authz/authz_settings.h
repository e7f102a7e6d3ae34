/*
 * authz_settings: the admin's policy (Docker's admin-settings.json,
 * configurationFileVersion 2, plus dockward's own "dockward" block), loaded,
 * validated and immutable once built.  The daemon swaps whole settings
 * objects atomically on reload; a failed load never replaces a good one.
 */
#ifndef AUTHZ_SETTINGS_H
#define AUTHZ_SETTINGS_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "authz/authz_access.h"
#include "authz/authz_command.h"
#include "authz/authz_desktop.h"
#include "authz/authz_policymeta.h"
#include "authz/authz_enforce.h"
#include "common/dw_err.h"
#include "common/dw_strv.h"

/* One imageList.images entry. */
struct authz_image_entry {
	char	*raw;		/* as written by the admin */
	bool	 any_image;	/* "*" */
	char	*name;		/* normalized "docker.io/library/docker"; may contain '*' (matches within one path component); NULL for any_image */
	char	*tag;		/* "cli"; "latest" when omitted; NULL when any_tag or digest-only */
	bool	 any_tag;	/* "name:*" */
	char	*digest;	/* "sha256:..." for "name@sha256:..."; else NULL */
};

/*
 * dockward.users: rules for host (non-container) callers of the gatekeeper
 * socket.  Names were resolved to ids when the policy was loaded; names
 * that did not resolve were dropped with a warning (the stricter outcome).
 */
struct authz_users {
	bool			 present;	/* the block was given */
	bool			 restrict_connect; /* allowUsers or allowGroups given: only root and the listed may connect */
	uid_t			*allow_uids;	/* allowUsers */
	size_t			 nallow_uids;
	gid_t			*allow_gids;	/* allowGroups: primary or supplementary group */
	size_t			 nallow_gids;
	uid_t			*exempt_uids;	/* exemptUsers: commandList does not apply (root never has it) */
	size_t			 nexempt_uids;
	gid_t			*exempt_gids;	/* exemptGroups */
	size_t			 nexempt_gids;
	enum authz_cmdlist_type	 cmdlist_type;	/* users.commandList.type */
	struct dw_strv		 commands;	/* users.commandList.commands, as written */
};

struct authz_settings {
	char			*origin;	/* file path or "<string>" */
	time_t			 loaded_at;
	/*
	 * Unique to this object in this process (never 0): caches of what
	 * its lists name key on it (authz_mount's identity cache).  A
	 * policy in force is not changed, so its lists are as they were.
	 */
	uint64_t		 gen;

	/* enhancedContainerIsolation */
	bool			 eci_enabled;	/* .value (default false when the block is absent) */
	bool			 eci_locked;
	struct authz_image_entry *images;	/* dockerSocketMount.imageList.images */
	size_t			 nimages;
	bool			 allow_derived;	/* imageList.allowDerivedImages */
	enum authz_cmdlist_type	 cmdlist_type;	/* dockerSocketMount.commandList.type */
	struct dw_strv		 commands;	/* commandList.commands, as written */

	/* blockDockerLoad, portBindingBehavior, filesharingAllowedDirectories */
	struct authz_desktop	 desktop;

	/* "dockward" extension block (all optional) */
	struct dw_strv		 protected_paths;	/* absolute, cleaned; defaults when absent */
	struct dw_strv		 allowed_runtimes;	/* HostConfig.Runtime values allowed besides "" */
	struct dw_strv		 allowed_capabilities;	/* CapAdd values allowed beyond Docker's defaults, upper-case without CAP_ */
	struct dw_strv		 allowed_devices;	/* host device paths allowed in Devices */
	struct dw_strv		 allowed_sysctls;	/* kernel.* sysctls allowed anyway */
	struct dw_strv		 allowed_cgroup_parents; /* HostConfig.CgroupParent values allowed besides "" (exact) */
	bool			 allow_swarm_join;
	struct authz_users	 users;			/* dockward.users (gatekeeper host callers) */
	struct authz_access_registry registry_access;	/* dockward.registryAccess (authz_access.c) */
	struct authz_access_image image_access;		/* dockward.imageAccess (authz_access.c) */
	bool			 allow_unchecked_builds; /* dockward.allowUncheckedBuilds: builds whose base images cannot be read (BuildKit, remote contexts) */
	bool			 allow_buildkit;	/* dockward.allowBuildKit: /grpc, /session and /build?version=2 pass unexamined */
	struct dw_strv		 allowed_volume_types;	/* dockward.allowedVolumeTypes: network filesystems local volumes may mount (nfs, nfs4, cifs, smb3) */
	struct authz_policymeta	 meta;			/* dockward.policy: serial, issued, expires (authz_policymeta.c) */

	/* dockward.imageVerification: how socket images are proven by digest */
	long			 refresh_seconds;	/* tag answers older than this are refreshed (300) */
	long			 grace_seconds;		/* a proof stays usable this long with the registry down (86400) */
	struct dw_strv		 insecure_registries;	/* "host[:port]" reached over plain HTTP */
	char			*registry_ca_file;	/* extra CA bundle, or NULL */
	char			*docker_config;		/* config.json with registry credentials, or NULL */

	/*
	 * containersProxy (air-gapped containers) and dockward.egress.  The
	 * blocks themselves are parsed by the egress module (the daemon and
	 * `check` hand them to egress_policy_parse); authz keeps borrowed
	 * copies of them and what its API rules (authz_egress.c) need.
	 */
	bool			 egress_enabled;	/* containersProxy is present (an object) */
	json_t			*containers_proxy;	/* that object (a reference held), or NULL */
	json_t			*egress;		/* dockward.egress (a reference held), or NULL */
	struct dw_strv		 egress_dns;		/* allowed resolvers (IP addresses): dnsServers as written, or what authz_settings_set_egress_dns() set */
	bool			 egress_dns_rule;	/* HostConfig.Dns is checked: udp is not "allow" */

	/* dockward.enforcement and dockward.ruleEnforcement: audit-only mode */
	struct authz_enforce	 enforce;

	/* What `dockward check` prints besides the summary. */
	struct dw_strv		 warnings;
};

/*
 * Parse and validate a settings document held in memory (no file checks).
 * origin names it in messages.  Returns a new object (free with
 * authz_settings_free) or NULL with err naming the JSON path and the
 * problem, e.g. "enhancedContainerIsolation.dockerSocketMount.imageList.images[2]:
 * invalid reference \"Docker:CLI\": repository name must be lowercase".
 * Unknown keys become warnings, never errors.
 */
struct authz_settings *authz_settings_parse(const char *buf, size_t len,
	    const char *origin, struct dw_err *err);

/*
 * Load path: refuse it unless authz_settings_check_owner() passes, it is a
 * regular file no larger than DW_SETTINGS_MAX, and it parses.  Returns a new
 * object or NULL with err.
 */
struct authz_settings *authz_settings_load(const char *path, struct dw_err *err);

/*
 * StrictModes for the policy: the file must be a regular file owned by root
 * and not writable by group or others; its directory likewise; every
 * ancestor directory must be root-owned and either not group/other-writable
 * or sticky (like /tmp).  0, or -EPERM with the offending path in err.
 */
int	authz_settings_check_owner(const char *path, struct dw_err *err);

/* Free; NULL is a no-op. */
void	authz_settings_free(struct authz_settings *s);

/*
 * Replace egress_dns with a copy of dns (IPv4 or IPv6 addresses as text),
 * before s is published: the daemon calls it when dockward.egress.dnsServers
 * was not written, with the defaults the egress policy found (the host's
 * resolv.conf and dockerd's --dns).  0, -EINVAL when an entry is not an IP
 * address (s unchanged), -ENOMEM.
 */
int	authz_settings_set_egress_dns(struct authz_settings *s,
	    const struct dw_strv *dns, struct dw_err *err);

/* True when addr (text) is one of the allowed resolvers of egress_dns. */
bool	authz_settings_egress_dns_allowed(const struct authz_settings *s,
	    const char *addr);

/* Human summary of what was understood, then every warning (for `dockward check`). */
void	authz_settings_print(const struct authz_settings *s, FILE *out);

/* True when image (a reference as given to create) is on imageList. */
bool	authz_settings_image_allowed(const struct authz_settings *s, const char *image);

/*
 * Does the policy let BuildKit builds (POST /grpc, /session,
 * /build?version=2) through?  Yes with ECI off and no registry or image
 * access rules, or with dockward.allowBuildKit, or with ECI off and
 * dockward.allowUncheckedBuilds.  authz_decide refuses them otherwise.
 */
bool	authz_settings_buildkit_allowed(const struct authz_settings *s);

/* Defaults used when "dockward.protectedPaths" is absent (NULL-terminated). */
extern const char *const authz_settings_default_protected_paths[];

#endif
