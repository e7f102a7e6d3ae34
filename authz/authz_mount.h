/*
 * authz_mount: what a container may see of the host through mounts
 * (binds, mounts, volumes and their options, VolumesFrom).  Each check
 * returns 0 or -EACCES after a deny (authz_deny.h).
 */
#ifndef AUTHZ_MOUNT_H
#define AUTHZ_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "authz/authz_deny.h"
#include "authz/authz_jv.h"

/* Mount checks: Binds, Mounts, VolumesFrom of a host-config-like object. */
int	authz_mount_hostconfig_check(struct authz_ctx *c,
	    const struct authz_jv *hc, const char *path, const char *image);
/* One api Mount object ({Type, Source, VolumeOptions...}), e.g. from a service spec. */
int	authz_mount_object_check(struct authz_ctx *c,
	    const struct authz_jv *m, const char *path, const char *image);
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
 * keys): an allowlist of the mounts they make.  opts is the DriverOpts /
 * DriverConfig.Options / inspected Options object.
 */
int	authz_mount_volume_options_check(struct authz_ctx *c,
	    const struct authz_jv *opts, const char *field, const char *image);

/*
 * Host-path mount sources of one container, to refuse layouts the
 * container can re-plant (a source inside another source it mounts
 * writable: dockerd resolves sources again at every start).
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
int	authz_mount_srcs_from_hostconfig(struct authz_ctx *c,
	    const struct authz_jv *hc, const char *path, struct authz_mount_srcs *ms);
/* The Mounts array of a container inspect answer (what dockerd mounts; jansson). */
int	authz_mount_srcs_from_inspect(struct authz_ctx *c, const json_t *mounts,
	    const char *path, bool all_ro, struct authz_mount_srcs *ms);
/* Refuse a source inside another, writable one (mount.nested).  0 or -EACCES. */
int	authz_mount_layout_check(struct authz_ctx *c, const struct authz_mount_srcs *ms);

/*
 * The resolved names of the bind sources one decision's mount checks
 * (authz_mount_host_path_check) looked up, by cleaned name, so that its
 * layout check (authz_mount_srcs_*) reads the same resolution instead of
 * resolving each source a second time.  n 0 to start (the slots need
 * no zeroing); set as c->mount_memo for the one decision, then cleared.  Holds at most
 * AUTHZ_MOUNT_MEMO_MAX sources (a lookup is a scan); the rest resolve
 * again, as without it.
 */
#define AUTHZ_MOUNT_MEMO_MAX	32
struct authz_mount_memo {
	struct {
		char	*clean;		/* new; real follows its NUL */
		size_t	 clen;
		const char *real;
	} v[AUTHZ_MOUNT_MEMO_MAX];
	size_t	n;
};
void	authz_mount_memo_clear(struct authz_mount_memo *mm);

#endif
