/*
 * authz_existing: a container that already exists is judged again, by
 * the configuration dockerd stored for it, before a policy-bound caller
 * may enter it (exec, attach), copy files out of or into it (cp, export,
 * commit) or start it (start, restart).  Admins make host-namespace and
 * /etc-binding containers on real hosts; the create rules never saw them.
 * Starting also makes dockerd resolve every mount source again, so the
 * mount checks run on what the sources are now.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authz/authz_deny.h"
#include "authz/authz_existing.h"
#include "authz/authz_hostconfig.h"
#include "authz/authz_json.h"
#include "authz/authz_mount.h"
#include "authz/authz_rules.h"
#include "authz/authz_settings.h"
#include "authz/authz_uri.h"

/*
 * Entries of Docker's default MaskedPaths and ReadonlyPaths that every
 * dockerd since 18.06 stores for a container created without
 * --security-opt systempaths=unconfined (newer versions add more).
 */
static const char *const core_masked[] = {
	"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
	"/sys/firmware", NULL
};
static const char *const core_readonly[] = {
	"/proc/bus", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL
};

/* Does the stored array hold every core entry? */
static bool
has_all(const json_t *a, const char *const *want)
{
	const json_t	*v;
	const char	*s;
	size_t		 i, k;
	bool		 found;

	for (k = 0; want[k] != NULL; k++) {
		found = false;
		json_array_foreach(a, i, v)
			if ((s = json_string_value(v)) != NULL && strcmp(s, want[k]) == 0)
				found = true;
		if (!found)
			return false;
	}
	return true;
}

/* cgroup v1 (or hybrid): dockerd's default --cgroupns is "host" there. */
static bool
cgroup_v1(void)
{
	return access("/sys/fs/cgroup/cgroup.controllers", F_OK) != 0;
}

/*
 * The stored HostConfig as create would have received it: dockerd fills
 * in defaults the create rules would refuse if a caller wrote them.
 * Returns a new object, or NULL when out of memory.
 */
static json_t *
stored_as_created(const json_t *hc)
{
	json_t		*n, *v;
	const char	*s;

	if ((n = json_deep_copy(hc)) == NULL)
		return NULL;
	/* Default system-path masks, not systempaths=unconfined (an empty or partial list). */
	v = json_object_get(n, "MaskedPaths");
	if (json_is_null(v) || (json_is_array(v) && has_all(v, core_masked)))
		json_object_del(n, "MaskedPaths");
	v = json_object_get(n, "ReadonlyPaths");
	if (json_is_null(v) || (json_is_array(v) && has_all(v, core_readonly)))
		json_object_del(n, "ReadonlyPaths");
	/*
	 * The runtime dockerd resolved (its default-runtime included) is the
	 * admin's engine configuration, and an exec or a copy runs under the
	 * runtime the container already has.
	 */
	json_object_del(n, "Runtime");
	s = json_string_value(json_object_get(n, "CgroupnsMode"));
	if (s != NULL && strcmp(s, "host") == 0 && cgroup_v1())
		json_object_del(n, "CgroupnsMode");
	/*
	 * What Binds, Mounts and --volumes-from ask for is in the container's
	 * own Mounts, as dockerd will mount it (volumes by name, so their
	 * options are read again): judged there, once.
	 */
	json_object_del(n, "Binds");
	json_object_del(n, "Mounts");
	json_object_del(n, "VolumesFrom");
	return n;
}

/*
 * Run the create rules (and the mount-layout rule) on one inspect answer,
 * recording the first objection in a scratch decision.  0 or -EACCES
 * with sub filled; other -errno on internal failure.
 */
static int
judge_stored(struct authz_ctx *c, const json_t *ctr, struct authz_decision *sub)
{
	/* The layout check reads the sources as the mount checks resolved them (n set below). */
	struct authz_mount_memo	 memo;
	struct authz_ctx	 s = { c->s, c->facts, c->req, sub, c->body,
	    c->enforce, c->wd, &memo };
	struct authz_mount_srcs	 ms = { 0 };
	struct authz_jv_doc	*doc = NULL, *one = NULL;
	struct dw_err		 err;
	json_t			*hc, *n = NULL, *mounts, *m, *pack;
	const char		*image, *type, *src, *name;
	char			 f[160];
	size_t			 i;
	int			 r;

	memset(sub, 0, sizeof(*sub));
	memo.n = 0;
	image = json_string_value(json_object_get(ctr, "Image"));
	hc = json_object_get(ctr, "HostConfig");
	mounts = json_object_get(ctr, "Mounts");
	if (!json_is_object(hc) || (mounts != NULL && !json_is_array(mounts)) ||
	    image == NULL) {
		r = authz_deny(&s, RULE_REQUEST_JSON, "HostConfig", "dockerd's "
		    "description of the container lacks its HostConfig, Mounts or "
		    "Image, so its settings cannot be checked");
		goto out;
	}
	if ((n = stored_as_created(hc)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	/*
	 * The create rules read bodies (authz_jv): the stored HostConfig is
	 * carried over once.  The image Id dockerd resolved stands for the
	 * image (socket exception).
	 */
	if ((r = authz_json_from_jansson(n, &doc, &err)) < 0) {
		r = r == -ENOMEM ? r : authz_deny(&s, RULE_REQUEST_JSON,
		    "HostConfig", "dockerd's description of the container cannot "
		    "be read (%s), so its settings cannot be checked", err.msg);
		goto out;
	}
	if ((r = authz_hostconfig_check(&s, authz_jv_doc_root(doc), "HostConfig",
	    image)) < 0)
		goto out;
	/* What dockerd mounts: binds, volumes (devices), --volumes-from's. */
	json_array_foreach(mounts, i, m) {
		type = json_string_value(json_object_get(m, "Type"));
		src = json_string_value(json_object_get(m, "Source"));
		name = json_string_value(json_object_get(m, "Name"));
		snprintf(f, sizeof(f), "Mounts[%zu]", i);
		r = 0;
		if (type != NULL && strcmp(type, "bind") == 0 && src != NULL)
			r = authz_mount_host_path_check(&s, src, f, image);
		else if (type != NULL && strcmp(type, "volume") == 0 && name != NULL) {
			pack = json_pack("{s:s, s:s}", "Type", "volume",
			    "Source", name);
			r = pack == NULL ? -ENOMEM :
			    authz_json_from_jansson(pack, &one, &err);
			json_decref(pack);
			if (r < 0) {
				r = r == -ENOMEM ? r : authz_deny(&s,
				    RULE_REQUEST_JSON, f, "dockerd's description "
				    "of the container cannot be read (%s), so its "
				    "mounts cannot be checked", err.msg);
				goto out;
			}
			r = authz_mount_object_check(&s, authz_jv_doc_root(one),
			    f, image);
			authz_jv_doc_free(one);
			one = NULL;
		}
		if (r < 0)
			goto out;
	}
	if ((r = authz_mount_srcs_from_inspect(&s, mounts, "Mounts", false, &ms)) < 0)
		goto out;
	r = authz_mount_layout_check(&s, &ms);
out:
	authz_mount_memo_clear(&memo);
	authz_mount_srcs_clear(&ms);
	authz_jv_doc_free(doc);
	json_decref(n);
	return r;
}

/* The text of a decision after "dockward: <what> (<rule>): ". */
static const char *
why_of(const struct authz_decision *d)
{
	const char	*p = strstr(d->msg, "): ");

	return p != NULL ? p + 3 : d->msg;
}

static int
judge(struct authz_ctx *c, const char *id, const json_t *ctr, const char *what)
{
	struct authz_decision	 sub;
	int			 r;

	r = judge_stored(c, ctr, &sub);
	if (r == 0)
		return 0;
	if (sub.rule == NULL)
		return r;	/* internal failure: the caller's deny */
	/*
	 * A lookup that failed is said as it is (retrying may help), and a
	 * socket holder whose image is not proven gets the socket rule's own
	 * answer, as at create.
	 */
	/*
	 * Audit-only mode (authz_enforce.h): the stored settings were judged
	 * with the audit rules let through (into c->wd), so sub's rule is
	 * enforced; container.existing itself in audit mode lets it through
	 * unless sub's rule never is, or sub holds dockward's own paths.
	 */
	if (c->d->rule == NULL) {
		c->d->via = sub.rule;
		c->d->enforced = sub.enforced;
	}
	if (strcmp(sub.rule, RULE_ENGINE) == 0 || strcmp(sub.rule, RULE_SOCKET) == 0)
		return authz_deny(c, sub.rule, sub.field, "%s", why_of(&sub));
	return authz_deny(c, RULE_EXISTING, sub.field, "container \"%.80s\" has a "
	    "stored setting the policy refuses at create (%s, %s): %s. Through "
	    "dockward no one may %s such a container: an admin can do it on the "
	    "host, or recreate the container without that setting", id,
	    sub.field[0] ? sub.field : "its configuration", sub.rule,
	    why_of(&sub), what);
}

int
authz_existing_inspect(struct authz_ctx *c, const char *id, const char *what,
    const char *about, bool offline_ok, json_t **ret)
{
	struct dw_err	 err;
	json_t		*ctr = NULL;
	int		 r;

	if (id == NULL || id[0] == '\0')
		return -ENOENT;
	if (c->facts != NULL && c->facts->container_inspect != NULL)
		r = c->facts->container_inspect(c->facts->ctx, id, &ctr, &err);
	else if (offline_ok)
		return -ENOENT;
	else {
		dw_err_set(&err, "no engine connection");
		r = -ENOTCONN;
	}
	if (r == -ENOENT)
		return -ENOENT;
	if (r < 0)
		return authz_deny(c, RULE_ENGINE, "", "cannot inspect container "
		    "\"%.80s\" to check %s before you %s it: %s. Retry when "
		    "dockward reaches dockerd", id, about, what, err.msg);
	*ret = ctr;
	return 0;
}

int
authz_existing_check(struct authz_ctx *c, const char *id, const char *what)
{
	json_t	*ctr;
	int	 r;

	r = authz_existing_inspect(c, id, what, "its stored settings", true, &ctr);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	r = judge(c, id, ctr, what);
	json_decref(ctr);
	return r;
}

int
authz_existing_exec_check(struct authz_ctx *c, const char *exec_id,
    const char *what, authz_existing_fn rules)
{
	struct dw_err	 err;
	json_t		*ex = NULL;
	const char	*cid;
	int		 r;

	if (exec_id == NULL || exec_id[0] == '\0')
		return 0;
	if (c->facts == NULL || c->facts->exec_inspect == NULL)
		return 0;	/* offline evaluation */
	r = c->facts->exec_inspect(c->facts->ctx, exec_id, &ex, &err);
	if (r == -ENOENT)
		return 0;	/* dockerd will answer "no such exec instance" */
	if (r < 0)
		return authz_deny(c, RULE_ENGINE, "", "cannot inspect exec instance "
		    "\"%.80s\" to find its container: %s. Retry when dockward "
		    "reaches dockerd", exec_id, err.msg);
	cid = json_string_value(json_object_get(ex, "ContainerID"));
	if (cid == NULL || cid[0] == '\0')
		r = authz_deny(c, RULE_ENGINE, "ContainerID", "dockerd's description "
		    "of exec instance \"%.80s\" does not name its container. Create "
		    "the exec instance again", exec_id);
	else
		r = rules(c, cid, what);
	json_decref(ex);
	return r;
}
