/* authz_enforce: audit-only mode, per rule (see authz_enforce.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/authz_enforce.h"
#include "authz/authz_rules.h"
#include "authz/authz_warn.h"
#include "common/dw_limits.h"

/* Kept in step with authz_rules.h by test_authz_enforce (it reads the header). */
const char *const authz_enforce_rules[] = {
	RULE_REQUEST_URI, RULE_REQUEST_BODY, RULE_REQUEST_JSON, RULE_REQUEST_FORM,
	RULE_REQUEST_UNSTAMPED, RULE_REQUEST_FRAMING, RULE_ENGINE, RULE_PRIVILEGED,
	RULE_NAMESPACE, RULE_CAPABILITIES, RULE_DEVICES, RULE_SECURITYOPT,
	RULE_RUNTIME, RULE_SYSCTLS, RULE_CGROUP_PARENT, RULE_STARTCONFIG,
	RULE_SOCKET, RULE_PROTECTED, RULE_ROOTSOCKET, RULE_MOUNTTYPE,
	RULE_EXEC_PRIVILEGED, RULE_PLUGIN, RULE_SWARM_JOIN, RULE_SERVICE,
	RULE_SOCKET_COMMANDS, RULE_SOCKET_IMAGE, RULE_USERS_CONNECT,
	RULE_USERS_COMMANDS, RULE_IMAGE_LOAD, RULE_PORTS, RULE_FILESHARING,
	RULE_REGISTRY_ACCESS, RULE_IMAGE_ACCESS, RULE_BUILD_CONTEXT,
	RULE_LOGADDRESS, RULE_NETWORK_HOSTIF, RULE_VOLUME_OPTIONS, RULE_BUILDKIT,
	RULE_EXISTING, RULE_MOUNT_NESTED, RULE_EGRESS_NETWORK, RULE_EGRESS_DRIVER,
	RULE_EGRESS_DNS,
	NULL,
};

/*
 * Never audit-only.  request.* and engine.lookup: what cannot be read or
 * looked up was not judged, so "would deny" would be a guess.  The socket
 * of an unlisted image and plugin management hand over the host or
 * dockward itself.
 */
static const char *const never_rules[] = {
	RULE_ENGINE, RULE_SOCKET, RULE_SOCKET_IMAGE, RULE_PLUGIN, NULL,
};
#define NEVER_PREFIX	"request."

bool
authz_enforce_rule_known(const char *id)
{
	size_t	i;

	for (i = 0; authz_enforce_rules[i] != NULL; i++)
		if (strcmp(authz_enforce_rules[i], id) == 0)
			return true;
	return false;
}

bool
authz_enforce_never(const char *id)
{
	size_t	i;

	if (strncmp(id, NEVER_PREFIX, sizeof(NEVER_PREFIX) - 1) == 0)
		return true;
	for (i = 0; never_rules[i] != NULL; i++)
		if (strcmp(never_rules[i], id) == 0)
			return true;
	/* Ids that are not rules (gatekeeper.caller, "internal") are never relaxed. */
	return !authz_enforce_rule_known(id);
}

int
authz_enforce_mode_parse(const json_t *v, const char *path,
    enum authz_enforce_mode *ret, struct dw_err *err)
{
	const char	*s = json_string_value(v);

	if (s != NULL && strcmp(s, "enforce") == 0)
		*ret = AUTHZ_ENFORCE_ENFORCE;
	else if (s != NULL && strcmp(s, "audit") == 0)
		*ret = AUTHZ_ENFORCE_AUDIT;
	else {
		dw_err_set(err, "%s: must be \"enforce\" or \"audit\"", path);
		return -EINVAL;
	}
	return 0;
}

/*
 * A pattern's shape: an id made of letters and digits in dot-separated
 * parts, optionally ending in ".*", or "*" alone.  0 and the prefix
 * length (wildcards) or -EINVAL.
 */
static int
pattern_shape(const char *p, bool *ret_wild, size_t *ret_prefix)
{
	size_t	n = strlen(p), i, end = n;
	bool	wild = false, part = false;

	if (strcmp(p, "*") == 0) {
		*ret_wild = true;
		*ret_prefix = 0;
		return 0;
	}
	if (n >= 2 && p[n - 1] == '*' && p[n - 2] == '.') {
		wild = true;
		end = n - 1;	/* the prefix keeps its '.' */
	}
	for (i = 0; i < end; i++) {
		if (p[i] == '.') {
			if (!part)
				return -EINVAL;	/* leading or doubled '.' */
			part = false;
		} else if ((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9'))
			part = true;
		else
			return -EINVAL;
	}
	if (end == 0 || (!wild && !part))
		return -EINVAL;	/* empty, or an id ending in '.' */
	*ret_wild = wild;
	*ret_prefix = wild ? end : 0;
	return 0;
}

/* Does pattern q cover rule id? */
static bool
pattern_covers(const struct authz_enforce_pattern *q, const char *id)
{
	if (!q->wildcard)
		return strcmp(q->pattern, id) == 0;
	return strncmp(q->pattern, id, q->prefix_len) == 0;
}

/* Does a wildcard cover any rule id at all? */
static bool
pattern_covers_any(const struct authz_enforce_pattern *q)
{
	size_t	i;

	for (i = 0; authz_enforce_rules[i] != NULL; i++)
		if (pattern_covers(q, authz_enforce_rules[i]))
			return true;
	return false;
}

int
authz_enforce_rules_parse(const json_t *v, const char *path,
    struct authz_enforce *e, struct dw_err *err)
{
	struct authz_enforce_pattern *q;
	const char	*key;
	json_t		*item;
	char		 kp[256];
	size_t		 n;
	int		 r;

	if (!json_is_object(v)) {
		dw_err_set(err, "%s: must be an object of rule ids or patterns "
		    "(\"container.*\") to \"enforce\" or \"audit\"", path);
		return -EINVAL;
	}
	if ((n = json_object_size(v)) > DW_RULE_ENFORCEMENT_MAX) {
		dw_err_set(err, "%s: %zu entries, more than %d", path, n,
		    DW_RULE_ENFORCEMENT_MAX);
		return -E2BIG;
	}
	if (n == 0)
		return 0;
	if ((e->v = calloc(n, sizeof(*e->v))) == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	json_object_foreach((json_t *)v, key, item) {
		q = &e->v[e->n];
		if (pattern_shape(key, &q->wildcard, &q->prefix_len) < 0) {
			dw_err_set(err, "%s.\"%.100s\": not a rule id or pattern; "
			    "write a rule id (\"mount.protectedPath\"), a prefix "
			    "wildcard (\"container.*\") or \"*\"", path, key);
			return -EINVAL;
		}
		snprintf(kp, sizeof(kp), "%s.\"%.100s\"", path, key);
		if ((r = authz_enforce_mode_parse(item, kp, &q->mode, err)) < 0)
			return r;
		if (!q->wildcard && !authz_enforce_rule_known(key)) {
			dw_err_set(err, "%s.\"%.100s\": no such rule id; use one of "
			    "the ids audit records and denials name (dockward "
			    "explain shows them), e.g. \"container.privileged\"",
			    path, key);
			return -EINVAL;
		}
		if (q->wildcard && !pattern_covers_any(&(struct authz_enforce_pattern){
		    .pattern = (char *)key, .wildcard = true,
		    .prefix_len = q->prefix_len })) {
			dw_err_set(err, "%s.\"%.100s\": the wildcard matches no rule "
			    "id; use a prefix of one (\"container.*\", \"mount.*\")",
			    path, key);
			return -EINVAL;
		}
		if (!q->wildcard && q->mode == AUTHZ_ENFORCE_AUDIT &&
		    authz_enforce_never(key)) {
			dw_err_set(err, "%s.\"%s\": this rule can never be "
			    "audit-only (%s); remove the entry or set it to "
			    "\"enforce\"", path, key, strncmp(key, NEVER_PREFIX,
			    sizeof(NEVER_PREFIX) - 1) == 0 || strcmp(key, RULE_ENGINE) == 0 ?
			    "a request dockward cannot read or look up is not "
			    "judged, so nothing could be let through" :
			    strcmp(key, RULE_PLUGIN) == 0 ? "engine plugins can "
			    "switch authorization off" : "a container with the "
			    "Docker socket controls the host");
			return -EINVAL;
		}
		if ((q->pattern = strdup(key)) == NULL) {
			dw_err_set(err, "out of memory");
			return -ENOMEM;
		}
		e->n++;
	}
	return 0;
}

/*
 * The pattern that decides id: exact over wildcard, longer prefix over
 * shorter ("*" has prefix 0).  NULL: the global mode.
 */
static const struct authz_enforce_pattern *
pattern_for(const struct authz_enforce *e, const char *id)
{
	const struct authz_enforce_pattern *best = NULL, *q;
	size_t	i;

	for (i = 0; i < e->n; i++) {
		q = &e->v[i];
		if (!pattern_covers(q, id))
			continue;
		if (!q->wildcard)
			return q;
		if (best == NULL || q->prefix_len > best->prefix_len)
			best = q;
	}
	return best;
}

enum authz_enforce_mode
authz_enforce_mode_of(const struct authz_enforce *e, const char *id)
{
	const struct authz_enforce_pattern *q = pattern_for(e, id);

	return q != NULL ? q->mode : e->global;
}

size_t
authz_enforce_audit_count(const struct authz_enforce *e)
{
	size_t	i, n = 0;

	for (i = 0; authz_enforce_rules[i] != NULL; i++)
		if (!authz_enforce_never(authz_enforce_rules[i]) &&
		    authz_enforce_mode_of(e, authz_enforce_rules[i]) == AUTHZ_ENFORCE_AUDIT)
			n++;
	return n;
}

/* Append a rule id to a list being built ("a, b"); 0 or -ENOMEM. */
static int
list_add(char **list, const char *id)
{
	char	*n;

	if (asprintf(&n, "%s%s%s", *list ? *list : "", *list ? ", " : "", id) < 0)
		return -ENOMEM;
	free(*list);
	*list = n;
	return 0;
}

int
authz_enforce_finish(struct authz_enforce *e, struct dw_strv *warnings,
    struct dw_err *err)
{
	char		*audit = NULL, *kept = NULL;
	const char	*id;
	size_t		 i;
	int		 r = 0;

	for (i = 0; (id = authz_enforce_rules[i]) != NULL; i++) {
		if (authz_enforce_mode_of(e, id) != AUTHZ_ENFORCE_AUDIT)
			continue;
		if ((r = authz_enforce_never(id) ? list_add(&kept, id) :
		    list_add(&audit, id)) < 0)
			goto nomem;
	}
	e->any_audit = audit != NULL;
	if (audit != NULL && (r = authz_warn(warnings, err, "dockward.enforcement: "
	    "AUDIT MODE: denials under %s are let through and only recorded "
	    "(\"decision\":\"allow\",\"wouldDeny\":true in the audit log); set "
	    "them to \"enforce\" once the log shows what they would refuse",
	    audit)) < 0)
		goto out;
	if (kept != NULL && (r = authz_warn(warnings, err, "dockward.enforcement: "
	    "%s can never be audit-only and stay enforced", kept)) < 0)
		goto out;
	if (authz_enforce_mode_of(e, RULE_PROTECTED) == AUTHZ_ENFORCE_AUDIT &&
	    (r = authz_warn(warnings, err, "dockward.enforcement: %s stays "
	    "enforced for dockward's own paths (the policy directory, the state "
	    "directory, the plugin socket)", RULE_PROTECTED)) < 0)
		goto out;
	goto out;
nomem:
	dw_err_set(err, "out of memory");
out:
	free(audit);
	free(kept);
	return r;
}

bool
authz_enforce_relaxes(const struct authz_enforce *e, const char *rule,
    const char *via, bool enforced)
{
	if (e == NULL || !e->any_audit || rule == NULL || enforced ||
	    authz_enforce_never(rule) || (via != NULL && authz_enforce_never(via)))
		return false;
	return authz_enforce_mode_of(e, rule) == AUTHZ_ENFORCE_AUDIT;
}

void
authz_enforce_clear(struct authz_enforce *e)
{
	size_t	i;

	for (i = 0; i < e->n; i++)
		free(e->v[i].pattern);
	free(e->v);
	memset(e, 0, sizeof(*e));
}
