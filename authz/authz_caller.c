/*
 * authz_caller: the gatekeeper's caller-level decision (see
 * authz_caller.h): dockward.users for host callers, dockerSocketMount's
 * imageList and commandList for containers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "authz/authz_caller.h"
#include "authz/authz_command.h"
#include "authz/authz_deny.h"
#include "authz/authz_rules.h"
#include "authz/authz_settings.h"
#include "common/dw_esc.h"

#define CALLER_ESC_MAX		256	/* a container name or image in a message */
#define CALLER_SHORT_ID		12	/* as `docker ps` shows ids */

#define K_SOCK_CMDS	"enhancedContainerIsolation.dockerSocketMount.commandList"
#define K_SOCK_IMAGES	"enhancedContainerIsolation.dockerSocketMount.imageList"

/* Is uid one of v[0..n)? */
static bool
uid_listed(uid_t uid, const uid_t *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (v[i] == uid)
			return true;
	return false;
}

/* Is the caller's primary or a supplementary group one of v[0..n)? */
static bool
gid_listed(const struct authz_caller *c, const gid_t *v, size_t n)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		if (v[i] == c->gid)
			return true;
		for (j = 0; c->groups != NULL && j < c->ngroups; j++)
			if (v[i] == c->groups[j])
				return true;
	}
	return false;
}

bool
authz_caller_may_connect(const struct authz_settings *s,
    const struct authz_caller *c)
{
	const struct authz_users *u = &s->users;

	if (c->kind != AUTHZ_CALLER_HOST || !u->restrict_connect || c->uid == 0)
		return true;
	return uid_listed(c->uid, u->allow_uids, u->nallow_uids) ||
	    gid_listed(c, u->allow_gids, u->nallow_gids);
}

/* Root and the exempt users and groups skip dockward.users.commandList. */
static bool
caller_exempt(const struct authz_settings *s, const struct authz_caller *c)
{
	const struct authz_users *u = &s->users;

	return c->uid == 0 ||
	    uid_listed(c->uid, u->exempt_uids, u->nexempt_uids) ||
	    gid_listed(c, u->exempt_gids, u->nexempt_gids);
}

/* Fill d with "dockward: docker API access denied (<rule>): <why>. <fix>". */
static enum authz_verdict
caller_deny(struct authz_decision *d, const char *rule, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum authz_verdict
caller_deny(struct authz_decision *d, const char *rule, const char *field,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	authz_deny_v(d, rule, field, "docker API access denied", fmt, ap);
	va_end(ap);
	return d->verdict;
}

/* The allow decision. */
static enum authz_verdict
caller_allow(struct authz_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->verdict = AUTHZ_ALLOW;
	d->rule = "allow";
	return d->verdict;
}

/*
 * Audit-only mode (authz_enforce.h) for the caller's rules: a denial in d
 * whose rule is let through goes into wd (the first such) and the checks
 * go on.  True: go on (d allows, or was let through and cleared).
 */
static bool
caller_go_on(const struct authz_settings *s, struct authz_decision *d,
    struct authz_decision *wd)
{
	if (d->verdict == AUTHZ_ALLOW)
		return true;
	if (!authz_enforce_relaxes(&s->enforce, d->rule, NULL, false))
		return false;
	if (wd->rule == NULL)
		*wd = *d;
	memset(d, 0, sizeof(*d));
	d->verdict = AUTHZ_DENY;
	return true;
}

/* A host user: who may connect, then the host command list. */
static enum authz_verdict
host_decide(const struct authz_settings *s, const struct authz_caller *c,
    const struct authz_request *req, struct authz_decision *d,
    struct authz_decision *wd)
{
	if (!authz_caller_may_connect(s, c)) {
		caller_deny(d, RULE_USERS_CONNECT, "allowUsers", "host user "
		    "uid %lu (gid %lu) may not use the Docker socket through "
		    "dockward. An admin can add \"%lu\" or the user's name to "
		    "dockward.users.allowUsers, or one of the user's groups to "
		    "dockward.users.allowGroups", (unsigned long)c->uid,
		    (unsigned long)c->gid, (unsigned long)c->uid);
		if (!caller_go_on(s, d, wd))
			return d->verdict;
	}
	if (caller_exempt(s, c))
		return caller_allow(d);
	return authz_command_check(s->users.cmdlist_type, &s->users.commands,
	    "dockward.users.commandList", "host users", RULE_USERS_COMMANDS,
	    req, d);
}

/* "container web (0123456789ab)", or "container 0123456789ab" without a name. */
static void
container_label(const struct authz_caller *c, char *buf, size_t len)
{
	char		 name[CALLER_ESC_MAX], id[CALLER_SHORT_ID + 8];
	const char	*n = c->container_name;

	dw_esc(id, sizeof(id), c->container_id != NULL ? c->container_id : "",
	    CALLER_SHORT_ID);
	if (n != NULL && n[0] == '/')
		n++;
	if (n == NULL || n[0] == '\0') {
		snprintf(buf, len, "container %s", id);
		return;
	}
	dw_esc(name, sizeof(name), n, (size_t)-1);
	snprintf(buf, len, "container %s (%s)", name, id);
}

/* "host user alice (uid 1000)", or "host user uid 1000" without a name. */
static void
creator_label(const struct authz_creator *cr, char *buf, size_t len)
{
	char	name[CALLER_ESC_MAX];

	if (cr->name == NULL || cr->name[0] == '\0') {
		snprintf(buf, len, "host user uid %lu", (unsigned long)cr->uid);
		return;
	}
	dw_esc(name, sizeof(name), cr->name, (size_t)-1);
	snprintf(buf, len, "host user %s (uid %lu)", name, (unsigned long)cr->uid);
}

static enum authz_verdict creator_decide(const struct authz_settings *,
	    const struct authz_caller *, const struct authz_creator *,
	    const struct authz_request *, struct authz_decision *,
	    struct authz_decision *);

/*
 * A container acts for the host users who created it or ran commands in
 * it: each one's dockward.users rules hold for it as for that user's own
 * calls.
 */
static enum authz_verdict
creators_decide(const struct authz_settings *s, const struct authz_caller *c,
    const struct authz_request *req, struct authz_decision *d,
    struct authz_decision *wd)
{
	size_t	i;

	for (i = 0; c->creators != NULL && i < c->ncreators; i++)
		if (creator_decide(s, c, &c->creators[i], req, d, wd) != AUTHZ_ALLOW &&
		    !caller_go_on(s, d, wd))
			return d->verdict;
	return caller_allow(d);
}

/* One of them: cr created the container, or ran commands in it. */
static enum authz_verdict
creator_decide(const struct authz_settings *s, const struct authz_caller *c,
    const struct authz_creator *cr, const struct authz_request *req,
    struct authz_decision *d, struct authz_decision *wd)
{
	struct authz_caller		 h;
	char				 label[CALLER_ESC_MAX + 64];
	char				 who[3 * CALLER_ESC_MAX + 256];
	char				 user[CALLER_ESC_MAX + 64];
	const char			*how = cr->entered ?
					    "ran commands in it" : "created it";

	memset(&h, 0, sizeof(h));
	h.kind = AUTHZ_CALLER_HOST;
	h.uid = cr->uid;
	h.gid = cr->gid;
	h.groups = cr->groups;
	h.ngroups = cr->ngroups;
	container_label(c, label, sizeof(label));
	creator_label(cr, user, sizeof(user));
	if (!authz_caller_may_connect(s, &h)) {
		caller_deny(d, RULE_USERS_CONNECT, "allowUsers", "%s acts "
		    "for %s, who %s and may not use the Docker socket through "
		    "dockward; a container acts for the users who created it or "
		    "ran commands in it. An admin can add the user to "
		    "dockward.users.allowUsers (or a group to allowGroups), or "
		    "recreate the container as a user who may", label, user, how);
		if (!caller_go_on(s, d, wd))
			return d->verdict;
	}
	if (caller_exempt(s, &h))
		return caller_allow(d);
	snprintf(who, sizeof(who), "host users, and %s acts for %s, who %s",
	    label, user, how);
	return authz_command_check(s->users.cmdlist_type, &s->users.commands,
	    "dockward.users.commandList", who, RULE_USERS_COMMANDS, req, d);
}

/*
 * A container (it reached the gatekeeper through a socket mount): its
 * image must still be allowed to hold the socket, then the command list,
 * then the rules of the host user it acts for.
 */
static enum authz_verdict
container_decide(const struct authz_settings *s, const struct authz_facts *facts,
    const struct authz_caller *c, const struct authz_request *req,
    struct authz_decision *d, struct authz_decision *wd)
{
	struct dw_err	 err;
	char		 label[CALLER_ESC_MAX + 64], img[CALLER_ESC_MAX];
	const char	*image, *shown;
	int		 r;

	if (!s->eci_enabled)
		return creators_decide(s, c, req, d, wd);
	/* The Id is what runs; a tag may have moved since the container was created. */
	image = c->image_id != NULL ? c->image_id : c->image;
	shown = c->image != NULL ? c->image : c->image_id;
	container_label(c, label, sizeof(label));
	dw_esc(img, sizeof(img), shown != NULL ? shown : "", (size_t)-1);
	if (image == NULL || image[0] == '\0')
		return caller_deny(d, RULE_SOCKET_IMAGE, "imageList", "%s runs an "
		    "image dockward could not identify, so it cannot be checked "
		    "against %s.images. Recreate the container from an image on "
		    "the list", label, K_SOCK_IMAGES);
	err.msg[0] = '\0';
	if (facts == NULL || facts->image_verify == NULL) {
		r = authz_settings_image_allowed(s, c->image != NULL ? c->image : image) ?
		    0 : -EACCES;
		if (r < 0)
			dw_err_set(&err, "it is not in the allowed list");
	} else
		r = facts->image_verify(facts->ctx, s, image, &err);
	if (r == -EACCES)
		return caller_deny(d, RULE_SOCKET_IMAGE, "imageList", "%s runs "
		    "image \"%s\", which may not use the Docker socket: %s. Add the "
		    "image to %s.images or stop mounting the socket into it", label,
		    img, err.msg, K_SOCK_IMAGES);
	if (r < 0)
		return caller_deny(d, RULE_SOCKET_IMAGE, "imageList", "%s runs "
		    "image \"%s\", which could not be verified against %s: %s; until "
		    "then the container may not use the Docker socket", label, img,
		    K_SOCK_IMAGES, err.msg);
	if (authz_command_check(s->cmdlist_type, &s->commands, K_SOCK_CMDS,
	    "containers that mount the Docker socket", RULE_SOCKET_COMMANDS,
	    req, d) != AUTHZ_ALLOW && !caller_go_on(s, d, wd))
		return d->verdict;
	return creators_decide(s, c, req, d, wd);
}

enum authz_verdict
authz_caller_decide(const struct authz_settings *s,
    const struct authz_facts *facts, const struct authz_caller *c,
    const struct authz_request *req, struct authz_decision *d)
{
	struct authz_decision	wd;	/* audit-only mode: the first denial let through */

	wd.rule = NULL;
	memset(d, 0, sizeof(*d));
	d->verdict = AUTHZ_DENY;
	switch (c->kind) {
	case AUTHZ_CALLER_HOST:
		(void)host_decide(s, c, req, d, &wd);
		break;
	case AUTHZ_CALLER_CONTAINER:
		(void)container_decide(s, facts, c, req, d, &wd);
		break;
	default:
		return caller_deny(d, "gatekeeper.caller", "", "the caller is of an "
		    "unknown kind. Report this as a dockward bug");
	}
	if (!caller_go_on(s, d, &wd))
		return d->verdict;	/* an enforced rule denies */
	if (wd.rule != NULL) {
		/* As authz_decide does: allowed, the denial let through kept. */
		*d = wd;
		d->verdict = AUTHZ_ALLOW;
		d->would_deny = true;
	}
	return d->verdict;
}
