/*
 * authz_access: Registry Access Management and Image Access Management
 * (dockward.registryAccess, dockward.imageAccess), parsed with the
 * settings and enforced wherever an image reference enters the engine.
 */
#ifndef AUTHZ_ACCESS_H
#define AUTHZ_ACCESS_H

#include <stdbool.h>
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

struct authz_ctx;
struct authz_settings;

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

/* Lines for `dockward check`: registry and image access, and what builds get. */
void	authz_access_print(const struct authz_settings *s, FILE *out);

#endif
