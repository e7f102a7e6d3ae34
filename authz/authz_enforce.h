/*
 * authz_enforce: audit-only mode (dockward.enforcement and
 * dockward.ruleEnforcement).  A denial under a rule in audit mode is let
 * through and recorded as {"decision":"allow","wouldDeny":true} with the
 * rule, field and reason it would have had.  Below authz_settings.c
 * (which parses the block through it) and authz_deny.c, where every
 * denial is made: a denial this module relaxes is set aside as the
 * decision's would-deny and the rules go on, so that a later rule that is
 * enforced still denies (a privileged container that also mounts the
 * Docker socket of an unlisted image is refused, not let through by the
 * privileged rule's audit mode).  authz_decide() then makes the decision:
 * an enforced denial, or an allow that carries the first would-deny.
 *
 * Patterns: a rule id of authz_rules.h ("container.privileged"), a
 * prefix wildcard "<prefix>.*" ("container.*", "mount.*") that covers
 * every id starting with "<prefix>.", or "*" (every id).  The most
 * specific pattern wins: an exact id over a wildcard, a longer prefix over
 * a shorter, "*" last; no pattern: dockward.enforcement.
 *
 * Never audit-only (authz_enforce_never): request.* and engine.lookup (a
 * request dockward cannot read or facts it cannot get are not judged, so
 * there is nothing to let through), mount.dockerSocket and
 * socket.imageList (a container with the Docker socket controls the
 * host), plugin.manage (an engine plugin can switch authorization off),
 * the mount.protectedPath denials of dockward's own paths (the policy
 * directory, the state directory, the plugin socket), and denials of what
 * could not be checked (a bind source or volume device dockward cannot
 * resolve, a build context whose build args or Dockerfile it cannot
 * read), which the rules mark with d->enforced.  An exact id of those set to "audit" is
 * refused; a wildcard covering them leaves them enforced, with a warning.
 */
#ifndef AUTHZ_ENFORCE_H
#define AUTHZ_ENFORCE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"

enum authz_enforce_mode {
	AUTHZ_ENFORCE_ENFORCE = 0,
	AUTHZ_ENFORCE_AUDIT,
};

struct authz_enforce_pattern {
	char			*pattern;	/* as written: an id, "<prefix>.*" or "*" */
	size_t			 prefix_len;	/* wildcards: bytes before the '*'; 0 for "*" */
	bool			 wildcard;
	enum authz_enforce_mode	 mode;
};

struct authz_enforce {
	enum authz_enforce_mode	 global;	/* dockward.enforcement (enforce) */
	struct authz_enforce_pattern *v;	/* dockward.ruleEnforcement */
	size_t			 n;
	bool			 any_audit;	/* some rule can be audit-only: the decision looks */
};

/* Every rule id of authz_rules.h, NULL-terminated. */
extern const char *const authz_enforce_rules[];

/* Is id a rule id of authz_rules.h? */
bool	authz_enforce_rule_known(const char *id);

/* Is rule id never audit-only (see above)? */
bool	authz_enforce_never(const char *id);

/*
 * Parse a mode ("enforce" or "audit") at JSON path path.  0, or -EINVAL
 * with err naming the path and the fix.
 */
int	authz_enforce_mode_parse(const json_t *v, const char *path,
	    enum authz_enforce_mode *ret, struct dw_err *err);

/*
 * Parse dockward.ruleEnforcement (v, at JSON path path) into e, whose
 * global mode is already set (the whole block is judged once both are
 * known: authz_enforce_finish).  0, -EINVAL (a malformed pattern, an
 * unknown rule id, a never-auditable id set to "audit"), -E2BIG (more
 * than DW_RULE_ENFORCEMENT_MAX entries) or -ENOMEM, err naming the key
 * and the fix.
 */
int	authz_enforce_rules_parse(const json_t *v, const char *path,
	    struct authz_enforce *e, struct dw_err *err);

/*
 * After the whole block: set any_audit, and warn (into warnings) that
 * audit mode is on, naming the rules it relaxes and the never-auditable
 * ones a wildcard left enforced.  0 or -ENOMEM.
 */
int	authz_enforce_finish(struct authz_enforce *e, struct dw_strv *warnings,
	    struct dw_err *err);

/* How many rule ids of authz_enforce_rules e lets through in audit mode. */
size_t	authz_enforce_audit_count(const struct authz_enforce *e);

/* The mode pattern matching gives rule id (never-auditable ids included). */
enum authz_enforce_mode authz_enforce_mode_of(const struct authz_enforce *e,
	    const char *id);

/*
 * Would a denial under rule be let through?  True when rule may be
 * audit-only and e puts it in audit mode, the denial is not marked
 * enforced (dockward's own paths), and via (the stored setting's rule
 * behind a container.existing denial, or NULL) is not a rule that never is.
 */
bool	authz_enforce_relaxes(const struct authz_enforce *e, const char *rule,
	    const char *via, bool enforced);

/* Release the patterns; e is zeroed (enforce everything). */
void	authz_enforce_clear(struct authz_enforce *e);

#endif
