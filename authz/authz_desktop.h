/*
 * authz_desktop: the Docker Desktop settings of admin-settings.json that
 * an engine-side enforcer can honour with Docker's meaning:
 * blockDockerLoad, portBindingBehavior, filesharingAllowedDirectories.
 * Parsed here; enforced by authz_desktop_check.h.
 */
#ifndef AUTHZ_DESKTOP_H
#define AUTHZ_DESKTOP_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"

/* portBindingBehavior.value */
enum authz_port_binding {
	AUTHZ_PORTS_DEFAULT = 0,	/* "default-port-binding" (or absent): no restriction */
	AUTHZ_PORTS_DEFAULT_LOCAL,	/* "default-local-port-binding": no unspecified address */
	AUTHZ_PORTS_LOCAL_ONLY,		/* "local-only-port-binding": loopback only */
};

struct authz_desktop {
	bool			 block_load;	/* blockDockerLoad.value */
	enum authz_port_binding	 ports;		/* portBindingBehavior.value */
	bool			 share_set;	/* filesharingAllowedDirectories given */
	bool			 share_home;	/* "$HOME" is shared: the caller's home (see authz_desktop_check_fileshare) */
	struct dw_strv		 share_paths;	/* expanded, cleaned absolute paths ($HOME not among them) */
	struct dw_strv		 share_raw;	/* entries as written, for messages */
};

/*
 * Parse top-level key `key` if it is one of the settings above: 1 when
 * it was (d filled, warnings appended), 0 when key is not one of them,
 * <0 with err naming the JSON path when its value has the wrong shape.
 */
int	authz_desktop_parse(struct authz_desktop *d, const char *key,
	    const json_t *v, struct dw_strv *warnings, struct dw_err *err);

/* Free what d holds (d itself is embedded); clears to the defaults. */
void	authz_desktop_clear(struct authz_desktop *d);

/* Lines for `dockward check`. */
void	authz_desktop_print(const struct authz_desktop *d, FILE *out);

/* The portBindingBehavior value as Docker spells it ("local-only-port-binding"). */
const char *authz_desktop_ports_name(enum authz_port_binding mode);

#endif
