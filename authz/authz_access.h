/*
 * authz_access: Registry Access Management and Image Access Management
 * (dockward.registryAccess, dockward.imageAccess), parsed with the
 * settings; authz_access_check.h enforces them wherever an image
 * reference enters the engine.
 */
#ifndef AUTHZ_ACCESS_H
#define AUTHZ_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"

/* dockward.registryAccess */
struct authz_access_registry {
	bool		 present;	/* the block was given: only allowed registries */
	struct dw_strv	 allowed;	/* lower-case "host", "host:port", "*.domain[:port]"; Hub aliases as "docker.io" */
};

/* dockward.imageAccess (Docker Hub references only) */
struct authz_access_image {
	bool		 present;	/* the block was given */
	bool		 official;	/* officialImages (default true): docker.io/library/ */
	bool		 community;	/* communityImages (default true): any other namespace */
	struct dw_strv	 namespaces;	/* verifiedPublishers + organizations, lower-case */
	struct dw_strv	 allow_list;	/* normalized repositories "docker.io/someone/tool" */
};

#define AUTHZ_ACCESS_HUB	"docker.io"	/* Docker Hub, however a reference names it */
#define AUTHZ_ACCESS_HOST_MAX	256	/* registry host with port, and a NUL */

/*
 * Parse dockward.registryAccess (v, at JSON path `path`) into ra.
 * Warnings are appended to warnings.  0, -EINVAL with err naming the
 * path, or -ENOMEM.
 */
int	authz_access_registry_parse(const json_t *v, const char *path,
	    struct authz_access_registry *ra, struct dw_strv *warnings,
	    struct dw_err *err);
/* Parse dockward.imageAccess into ia; as above. */
int	authz_access_image_parse(const json_t *v, const char *path,
	    struct authz_access_image *ia, struct dw_strv *warnings,
	    struct dw_err *err);
/* Release what the parsers allocated. */
void	authz_access_registry_clear(struct authz_access_registry *ra);
void	authz_access_image_clear(struct authz_access_image *ia);

/*
 * Is a registry host ("ghcr.io", "reg.corp:5000", "index.docker.io") one
 * of ra's allowed registries?  True when ra is not present.
 */
bool	authz_access_registry_allowed(const struct authz_access_registry *ra,
	    const char *host);

/*
 * Canonical registry host: lower-case, Docker Hub's aliases as
 * AUTHZ_ACCESS_HUB.  0, or -E2BIG when it does not fit dstsz.
 */
int	authz_access_host_canon(const char *host, char *dst, size_t dstsz);

/* Lines for `dockward check`: the registries and images allowed. */
void	authz_access_print(const struct authz_access_registry *ra,
	    const struct authz_access_image *ia, FILE *out);

#endif
