/*
 * authz_command: Docker's commandList.  Maps a routed Engine API request
 * to the Docker CLI commands that use its endpoint (authz_command_table.h)
 * and checks them against a list of command patterns, for containers that
 * mount the socket (enhancedContainerIsolation.dockerSocketMount.commandList)
 * and for host users (dockward.users.commandList).
 *
 * Pure and allocation-free once initialized: the table's names are split
 * once (pthread_once) into static storage that lives as long as the
 * process; every pointer returned here is borrowed from it.
 */
#ifndef AUTHZ_COMMAND_H
#define AUTHZ_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "authz/authz_deny.h"
#include "authz/authz_uri.h"
#include "common/dw_strv.h"

/* A commandList's type (dockerSocketMount.commandList, dockward.users.commandList). */
enum authz_cmdlist_type {
	AUTHZ_CMDLIST_NONE = 0,	/* no commandList: every command allowed */
	AUTHZ_CMDLIST_DENY,	/* commands listed are blocked */
	AUTHZ_CMDLIST_ALLOW,	/* only commands listed are allowed */
};

/*
 * Does pattern match the whole of name?  '*' matches any run of
 * characters, spaces included ("container*" matches "container ls",
 * "image*" matches "image push" and "images"); every other character
 * matches itself, case-sensitively.
 */
bool	authz_command_pattern_match(const char *pattern, const char *name);

/*
 * The command names of a routed request, after the query has picked a
 * variant (POST /images/create pulls when fromImage is non-empty, as in
 * dockerd, and imports otherwise).  Returns 0 and borrowed arrays in the
 * ret_ arguments (counts may be 0: an endpoint no CLI command uses), or
 * -ENOENT when uri is NULL or not routed (AUTHZ_EP_UNKNOWN).  The name ""
 * means "always allowed" (ping).
 */
int	authz_command_names(const struct authz_uri *uri,
	    const char *const **ret_primary, size_t *ret_nprimary,
	    const char *const **ret_aux, size_t *ret_naux);

/*
 * The effect names of a routed request (authz_command_table.h: commands
 * whose effect the endpoint also has; a deny list blocks on them, an allow
 * list never allows on them).  0 and a borrowed array (count may be 0),
 * or -ENOENT as authz_command_names().
 */
int	authz_command_effects(const struct authz_uri *uri, const char *const **ret,
	    size_t *ret_n);

/*
 * The first primary name of a request (for audit lines and `explain`),
 * "" for ping, or NULL when it has none or is not routed.
 */
const char *authz_command_primary(const struct authz_uri *uri);

/*
 * Does pattern match at least one command name of the table (the settings
 * typo guard)?  Every auxiliary name is also some endpoint's primary name,
 * so a known pattern in a deny list always blocks something.
 */
bool	authz_command_known(const char *pattern);

/*
 * Apply one command list to req and fill *d; returns d->verdict.
 *   NONE: allow.
 *   DENY: deny when a pattern matches a primary or effect name; unroutable requests
 *         (uri NULL or AUTHZ_EP_UNKNOWN) are denied too.
 *   ALLOW: allow when a pattern matches a primary or auxiliary name; deny
 *         otherwise, endpoints without names and unroutable requests included.
 * Ping ("" name) is allowed under both.  Under either list POST
 * /images/create with a form-encoded body is denied (dockerd would read
 * fromImage from the body, so the query cannot say which command it is).
 * list_path names the list for the fix ("dockward.users.commandList"),
 * who the callers it governs ("host users"), rule the rule id; all three
 * are borrowed and rule must be static.  A deny reads
 *   dockward: docker command "<uri>" is blocked (<rule>): push is denied
 *   for <who>; an admin can allow it in <list_path>.
 * with d->field "commandList".  patterns may be NULL (no patterns).
 */
enum authz_verdict authz_command_check(enum authz_cmdlist_type type,
	    const struct dw_strv *patterns, const char *list_path,
	    const char *who, const char *rule, const struct authz_request *req,
	    struct authz_decision *d);

#endif
