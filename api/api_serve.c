/* api_serve: the plugin daemon's life cycle and its policy snapshots. */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "api/api_creator.h"
#include "api/api_egress.h"
#include "api/api_engine.h"
#include "api/api_fleet.h"
#include "api/api_gate.h"
#include "api/api_listen.h"
#include "api/api_mem.h"
#include "api/api_metrics.h"
#include "api/api_metrics_http.h"
#include "api/api_plugin.h"
#include "api/api_sandbox.h"
#include "api/api_serve.h"
#include "api/api_stamp.h"
#include "authz/authz_uri.h"
#include "api/api_verify.h"
#include "registry/registry_client.h"
#include "authz/authz_audit.h"
#include "authz/authz_caller.h"
#include "authz/authz_decide.h"
#include "authz/authz_rules.h"
#include "authz/authz_settings.h"
#include "common/dw_log.h"
#include "common/dw_path.h"
#include "common/dw_paths.h"
#include "common/dw_sock.h"
#include "config.h"

#define SERVE_CREATORS_PRUNE_S	600	/* seconds between prunes of the creators */

/* A policy in use: decisions hold a reference while they run. */
struct policy_ref {
	struct authz_settings	*s;
	struct registry_client	*reg;	/* built from s's imageVerification settings */
	int			 refs;
};

struct serve {
	const struct api_serve_opts	*opts;
	pthread_mutex_t			 lock;	/* stopping, the refresher's wake-ups */
	pthread_rwlock_t		 cur_lock; /* cur; decisions only read it */
	struct policy_ref		*cur;
	struct api_engine		*engine;
	struct api_peer_cache		*peers;	/* callers' containers and users, kept */
	struct api_stamp		*stamps;	/* --require-gatekeeper, else NULL */
	struct authz_audit		*audit;
	struct authz_facts		 facts;
	const char			*engine_sockets[3];
	const char			*own_paths[4];
	char				 settings_dir[PATH_MAX];
	char				 trust_path[PATH_MAX];
	struct api_verify		*verify;
	struct api_creator_store		*creators; /* who created which container (gatekeeper) */
	time_t				 creators_pruned; /* last prune, 0: never */
	struct api_fleet		*fleet;	/* --settings-url, else NULL */
	struct api_egress		*egress; /* containersProxy: table, proxy, PAC */
	bool				 fleet_started;	/* its poll thread runs */
	pthread_t			 refresher;
	bool				 refresher_started;
	bool				 stopping;
	pthread_cond_t			 wake;
};

static struct policy_ref *
policy_get(struct serve *sv)
{
	struct policy_ref	*r;

	/* Readers never wait on each other: a decision must not serialize on this. */
	pthread_rwlock_rdlock(&sv->cur_lock);
	r = sv->cur;
	__atomic_add_fetch(&r->refs, 1, __ATOMIC_ACQ_REL);
	pthread_rwlock_unlock(&sv->cur_lock);
	return r;
}

static void
policy_put(struct serve *sv, struct policy_ref *r)
{
	if (__atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		registry_client_free(r->reg);
		authz_settings_free(r->s);
		free(r);
	}
}

/* Add the --protect paths to a loaded policy. */
static int
policy_protect(struct serve *sv, struct authz_settings *s, struct dw_err *err)
{
	size_t	i;

	for (i = 0; i < sv->opts->protect.n; i++)
		if (!dw_strv_contains(&s->protected_paths, sv->opts->protect.v[i]) &&
		    dw_strv_push(&s->protected_paths, sv->opts->protect.v[i]) < 0) {
			dw_err_set(err, "out of memory");
			return -ENOMEM;
		}
	return 0;
}

/* Load the policy file and add the --protect paths to it. */
static struct authz_settings *
policy_load(struct serve *sv, struct dw_err *err)
{
	struct authz_settings	*s;

	if ((s = authz_settings_load(sv->opts->settings_path, err)) == NULL)
		return NULL;
	if (policy_protect(sv, s, err) < 0) {
		authz_settings_free(s);
		return NULL;
	}
	return s;
}

/*
 * Audit-only mode is loud: at start and at every reload or fleet update
 * whose policy has it, one line says how many rules are not enforced
 * (the policy's warning names them), and the metrics gauge follows.
 */
static void
policy_enforcement_log(const struct authz_settings *s, const struct authz_settings *old)
{
	size_t	n = authz_enforce_audit_count(&s->enforce);

	api_metrics_policy_audit_rules_set((int64_t)n);
	if (n > 0)
		log_warn("AUDIT MODE: %zu rules of the policy in force are not "
		    "enforced; their denials are let through and recorded as "
		    "\"wouldDeny\":true in the audit log (dockward.enforcement, "
		    "dockward.ruleEnforcement)", n);
	else if (old != NULL && authz_enforce_audit_count(&old->enforce) > 0)
		log_info("audit mode is off: every rule of the policy in force is enforced");
}

/* Swap in a new policy atomically; the old one lives until its last decision ends. */
static int
policy_swap(struct serve *sv, struct authz_settings *s, struct dw_err *err)
{
	struct registry_opts	 ro;
	struct policy_ref	*nr, *old;

	if ((nr = calloc(1, sizeof(*nr))) == NULL) {
		authz_settings_free(s);
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	memset(&ro, 0, sizeof(ro));
	ro.ca_file = s->registry_ca_file;
	ro.insecure = s->insecure_registries;
	ro.docker_config = s->docker_config;
	if ((nr->reg = registry_client_new(&ro, err)) == NULL) {
		authz_settings_free(s);
		free(nr);
		return -EINVAL;
	}
	/* The egress blocks: a bad one, or one that cannot be put in force, fails it all. */
	{
		struct egress_policy	*ep;
		int			 r;

		if ((r = api_egress_policy(s, NULL, &ep, err)) == 0 &&
		    sv->opts->egress_api_only) {
			/* Resolvers handed to authz; nothing intercepts. */
			egress_policy_free(ep);
			ep = NULL;
		}
		if (r < 0 || (!sv->opts->egress_api_only &&
		    (r = api_egress_update(sv->egress, ep, err)) < 0)) {
			registry_client_free(nr->reg);
			authz_settings_free(s);
			free(nr);
			return r;
		}
	}
	nr->s = s;
	nr->refs = 1;
	api_metrics_policy_meta_set(s->meta.serial, (int64_t)s->meta.expires,
	    authz_policymeta_warn_window(&s->meta));
	pthread_rwlock_wrlock(&sv->cur_lock);
	old = sv->cur;
	sv->cur = nr;
	pthread_rwlock_unlock(&sv->cur_lock);
	policy_enforcement_log(s, old != NULL ? old->s : NULL);
	if (old != NULL)
		policy_put(sv, old);
	pthread_cond_signal(&sv->wake);	/* warm the new policy's entries now */
	return 0;
}

/*
 * Put a loaded, validated policy in force the way a SIGHUP reload does
 * (--protect added, warnings logged); ownership of s passes.  The fleet
 * poll thread calls it for each new signed policy.
 */
static int
policy_install(void *ctx, struct authz_settings *s, struct dw_err *err)
{
	struct serve	*sv = ctx;
	size_t		 i;
	int		 r;

	if ((r = policy_protect(sv, s, err)) < 0) {
		authz_settings_free(s);
		return r;
	}
	for (i = 0; i < s->warnings.n; i++)
		log_warn("policy: %s", s->warnings.v[i]);
	if ((r = policy_swap(sv, s, err)) < 0)
		return r;
	if (sv->fleet_started)
		api_metrics_policy_reload(true);	/* a new signed policy in force */
	return 0;
}

/* Engine image inspect for the verifier. */
static int
serve_image_inspect(void *ctx, const char *ref, json_t **ret, struct dw_err *err)
{
	struct serve	*sv = ctx;

	return api_engine_image_inspect(sv->engine, ref, ret, err);
}

/* Registry lookups go through the current policy's client. */
static int
serve_resolve(void *ctx, const struct digest_ref *ref, struct digest_facts *f,
    struct dw_err *err)
{
	struct serve		*sv = ctx;
	struct policy_ref	*pr = policy_get(sv);
	int			 r;

	r = registry_client_resolve(pr->reg, ref, f, err);
	policy_put(sv, pr);
	api_metrics_registry_request(r);
	return r;
}

/* The digest a tag names now (a HEAD), through the current policy's client. */
static int
serve_head(void *ctx, const struct digest_ref *ref, char digest[DIGEST_SHA256_STRLEN],
    struct dw_err *err)
{
	struct serve		*sv = ctx;
	struct policy_ref	*pr = policy_get(sv);
	int			 r;

	r = registry_client_head_digest(pr->reg, ref, digest, err);
	policy_put(sv, pr);
	api_metrics_registry_request(r);
	return r;
}

/* The verifier's cache file stopped (or resumed) being written. */
static void
serve_verify_warn(void *ctx, const char *msg)
{
	(void)ctx;
	log_warn("%s", msg);
}

static int
serve_image_verify(void *ctx, const struct authz_settings *s, const char *image,
    struct dw_err *err)
{
	struct serve	*sv = ctx;

	return api_verify_image(sv->verify, s, image, err);
}

static int
serve_container_inspect(void *ctx, const char *id, json_t **ret, struct dw_err *err)
{
	return api_engine_container_inspect(((struct serve *)ctx)->engine, id, ret, err);
}

static int
serve_network_inspect(void *ctx, const char *id, json_t **ret, struct dw_err *err)
{
	return api_engine_network_inspect(((struct serve *)ctx)->engine, id, ret, err);
}

static int
serve_exec_inspect(void *ctx, const char *id, json_t **ret, struct dw_err *err)
{
	return api_engine_exec_inspect(((struct serve *)ctx)->engine, id, ret, err);
}

static int
serve_volume_inspect(void *ctx, const char *name, json_t **ret, struct dw_err *err)
{
	return api_engine_volume_inspect(((struct serve *)ctx)->engine, name, ret, err);
}

/* Does the engine still have container id?  ctx: an object keyed by ids. */
static bool
creators_live(void *ctx, const char *id)
{
	return json_object_get(ctx, id) != NULL;
}

/*
 * Drop the creators of containers the engine no longer has (removed, by
 * anyone, with or without an API call: --rm), and compact the file.
 */
static void
creators_prune(struct serve *sv)
{
	struct dw_err	 err;
	json_t		*list = NULL, *set = NULL, *e;
	const char	*id;
	uint64_t	 mark;
	size_t		 i, dropped = 0;

	if (sv->creators == NULL)
		return;
	mark = api_creator_store_mark(sv->creators);
	err.msg[0] = '\0';
	if (api_engine_get_json(sv->engine, "/v1.24/containers/json?all=1",
	    &list, &err) < 0 || !json_is_array(list)) {
		log_debug("container creators: not pruned, the engine's "
		    "container list is unavailable: %s", err.msg);
		goto out;
	}
	if ((set = json_object()) == NULL)
		goto out;
	json_array_foreach(list, i, e) {
		id = json_string_value(json_object_get(e, "Id"));
		if (id != NULL && api_creator_store_id_valid(id) &&
		    json_object_set_new(set, id, json_true()) < 0)
			goto out;
	}
	sv->creators_pruned = time(NULL);
	if (api_creator_store_prune(sv->creators, mark, creators_live, set,
	    &dropped, &err) < 0)
		log_err("container creators: %s", err.msg);
	else if (dropped > 0)
		log_debug("container creators: %zu removed containers forgotten",
		    dropped);
out:
	json_decref(list);
	json_decref(set);
}

/*
 * Background refresh of registry answers, so decisions find them warm:
 * every few seconds, and at once after a policy change.
 */
static void *
refresher_main(void *arg)
{
	struct serve		*sv = arg;
	struct policy_ref	*pr;
	struct timespec		 ts;

	pthread_mutex_lock(&sv->lock);
	while (!sv->stopping) {
		pthread_mutex_unlock(&sv->lock);
		pr = policy_get(sv);
		if (pr->s->eci_enabled)
			api_verify_refresh(sv->verify, pr->s);
		policy_put(sv, pr);
		if (sv->creators != NULL &&
		    time(NULL) - sv->creators_pruned >= SERVE_CREATORS_PRUNE_S)
			creators_prune(sv);
		pthread_mutex_lock(&sv->lock);
		if (sv->stopping)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 5;
		pthread_cond_timedwait(&sv->wake, &sv->lock, &ts);
	}
	pthread_mutex_unlock(&sv->lock);
	return NULL;
}

/* At each scrape: what the audit log's flusher could not write. */
static void
serve_metrics_collect(void *ctx)
{
	struct serve	*sv = ctx;

	api_metrics_audit_deferred_errors_set(authz_audit_flush_errors(sv->audit));
	api_egress_collect(sv->egress);
	if (sv->fleet != NULL) {
		struct api_fleet_stats	st;
		uint64_t		c[API_METRICS_NFETCH];

		/* The fleet module keeps the totals; the series mirror them. */
		api_fleet_stats_get(sv->fleet, &st);
		c[API_METRICS_FETCH_OK] = st.count[API_FLEET_UPDATED];
		c[API_METRICS_FETCH_NOT_MODIFIED] = st.count[API_FLEET_NOT_MODIFIED];
		c[API_METRICS_FETCH_ERROR] = st.count[API_FLEET_FETCH_FAILED];
		c[API_METRICS_FETCH_BAD_SIGNATURE] = st.count[API_FLEET_BAD_SIGNATURE];
		c[API_METRICS_FETCH_INVALID] = st.count[API_FLEET_INVALID_POLICY];
		c[API_METRICS_FETCH_ROLLBACK] = st.count[API_FLEET_ROLLBACK];
		c[API_METRICS_FETCH_EXPIRED] = st.count[API_FLEET_EXPIRED];
		api_metrics_settings_fetch_set(c, (int64_t)st.last_success);
	}
}

/* Nanoseconds since t0 (CLOCK_MONOTONIC). */
static uint64_t
elapsed_ns(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000000000u +
	    (uint64_t)t1.tv_nsec - (uint64_t)t0->tv_nsec;
}

/*
 * Count one decision (that took ns, 0 for refusals made before the
 * policy) and write its audit record; a record that cannot be written
 * goes to the log.
 */
static void
serve_audit_ns(struct serve *sv, const struct authz_request *req,
    const struct authz_decision *d, const char *source,
    const struct authz_caller *caller, uint64_t ns)
{
	char	*line;

	enum api_metrics_door door = strcmp(source, "plugin") == 0 ?
	    API_METRICS_PLUGIN : API_METRICS_GATEKEEPER;

	api_metrics_decision(door, d->verdict == AUTHZ_ALLOW, d->rule, ns);
	if (d->would_deny)
		api_metrics_would_deny(door, d->rule);
	line = authz_audit_format_caller(req, d, source, caller);
	if (line == NULL) {
		api_metrics_audit_write_error();
		log_err("audit: out of memory formatting the record for %s %s (%s)",
		    req->method, req->raw_uri, d->verdict == AUTHZ_ALLOW ? "allow" : "deny");
	} else if ((d->verdict == AUTHZ_ALLOW ? authz_audit_write_later(sv->audit, line) :
	    authz_audit_write(sv->audit, line)) < 0) {
		api_metrics_audit_write_error();
		log_err("audit log write failed; record: %s", line);
	}
	if (d->verdict != AUTHZ_ALLOW) {
		const char *const fields[] = { "DOCKWARD_VERDICT", "deny",
		    "DOCKWARD_RULE", d->rule, "DOCKWARD_DOOR", source,
		    "DOCKWARD_METHOD", req->method, "DOCKWARD_URI", req->raw_uri,
		    "DOCKWARD_FIELD", d->field[0] ? d->field : NULL, NULL };

		dw_log_fields(DW_LOG_INFO, __func__, fields, "deny %s: %s",
		    d->rule ? d->rule : "?", d->msg);
	} else if (d->would_deny) {
		const char *const fields[] = { "DOCKWARD_VERDICT", "wouldDeny",
		    "DOCKWARD_RULE", d->rule, "DOCKWARD_DOOR", source,
		    "DOCKWARD_METHOD", req->method, "DOCKWARD_URI", req->raw_uri,
		    "DOCKWARD_FIELD", d->field[0] ? d->field : NULL, NULL };

		dw_log_fields(DW_LOG_INFO, __func__, fields, "would deny %s (audit "
		    "mode, allowed): %s", d->rule ? d->rule : "?", d->msg);
	}
	free(line);
}

/* Plugin: the decision for call->msg, with what serve_plugin_audit needs. */
static void
serve_decide(void *ctx, struct api_plugin_call *call)
{
	struct serve		*sv = ctx;
	const struct api_plugin_msg *msg = &call->msg;
	struct authz_decision	*d = &call->d;
	struct policy_ref	*pr;
	struct timespec		 t0;
	int			 r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	api_plugin_msg_request(msg, &call->req);
	call->uri = api_plugin_request_route(&call->req, &call->route_err);

	if (sv->stamps != NULL && (r = msg->nstamp > 1 ? -EINVAL :
	    api_stamp_redeem(sv->stamps, msg->stamp, msg->method, msg->uri)) < 0) {
		/* Full mode: dockerd read a request the gatekeeper did not decide. */
		memset(d, 0, sizeof(*d));
		d->verdict = AUTHZ_DENY;
		d->rule = RULE_REQUEST_UNSTAMPED;
		snprintf(d->msg, sizeof(d->msg), "dockward: request denied (%s): "
		    "dockerd received this request without passing through "
		    "dockward's gatekeeper: %s, so it was smuggled inside another "
		    "request or sent to dockerd's own socket. Send it to the Docker "
		    "socket the gatekeeper serves, as admins do too",
		    RULE_REQUEST_UNSTAMPED, api_stamp_why(r));
	} else {
		pr = policy_get(sv);
		authz_decide(pr->s, &sv->facts, &call->req, d);
		policy_put(sv, pr);
	}
	call->decide_ns = elapsed_ns(&t0);
}

/* Plugin: audit a decision of serve_decide (api_plugin says when). */
static void
serve_plugin_audit(void *ctx, const struct api_plugin_call *call)
{
	serve_audit_ns(ctx, &call->req, &call->d, "plugin", NULL, call->decide_ns);
}

/* A host caller's home directory from the passwd database ($HOME in file sharing). */
static void
caller_home(struct serve *sv, struct api_gate_caller *gc)
{
	if (api_peer_cache_user(sv->peers, gc->peer.uid, NULL, 0, gc->home,
	    sizeof(gc->home)) != 0)
		gc->home[0] = '\0';
	gc->c.home = gc->home[0] != '\0' ? gc->home : NULL;
}

/*
 * The cgroup path dockerd gave container ci: that of its init process
 * (State.Pid), read from our /proc like the caller's.  0, or -ESRCH (not
 * running) or another -errno with err.
 */
static int
container_cgroup_path(json_t *ci, char *ret, size_t size, pid_t *ret_pid,
    struct dw_err *err)
{
	json_t		*st = json_object_get(ci, "State");
	json_int_t	 pid;

	if (!json_is_true(json_object_get(st, "Running")) ||
	    !json_is_integer(json_object_get(st, "Pid")) ||
	    (pid = json_integer_value(json_object_get(st, "Pid"))) <= 0 ||
	    pid > INT_MAX) {
		dw_err_set(err, "it is not running");
		return -ESRCH;
	}
	*ret_pid = (pid_t)pid;
	return api_peer_pid_cgroup_path("/proc", (pid_t)pid, ret, size, err);
}

/* Refuse every request of this connection: its cgroup names container id. */
static void
identify_refuse(struct api_gate_caller *gc, const char *id, const char *why)
{
	gc->error = -EPERM;
	snprintf(gc->why, sizeof(gc->why), "cgroup \"%.120s\" names container "
	    "%.12s but is not the cgroup dockerd gave it (%.100s), so the caller "
	    "is not that container. Call from the container's own processes; "
	    "do not nest containers or processes in another container's cgroup "
	    "(--cgroup-parent)", gc->peer.path[0] ? gc->peer.path : "?", id, why);
}

/* What identify keeps of container ci (id): the facts a cache hit gives back. */
static void
container_facts(const char *id, json_t *ci, struct api_peer_container *ret)
{
	const char	*s;

	memset(ret, 0, sizeof(*ret));
	snprintf(ret->id, sizeof(ret->id), "%s", id);
	if ((s = json_string_value(json_object_get(ci, "Name"))) != NULL)
		snprintf(ret->name, sizeof(ret->name), "%s", s);
	if ((s = json_string_value(json_object_get(json_object_get(ci,
	    "Config"), "Image"))) != NULL)
		snprintf(ret->image, sizeof(ret->image), "%s", s);
	if ((s = json_string_value(json_object_get(ci, "Image"))) != NULL)
		snprintf(ret->image_id, sizeof(ret->image_id), "%s", s);
}

/* Fill gc->c as the container of facts f. */
static void
identify_container(struct serve *sv, struct api_gate_caller *gc,
    const struct api_peer_container *f)
{
	const char	*id = f->id;
	size_t		 i;

	snprintf(gc->id, sizeof(gc->id), "%s", f->id);
	snprintf(gc->name, sizeof(gc->name), "%s", f->name);
	snprintf(gc->image, sizeof(gc->image), "%s", f->image);
	snprintf(gc->image_id, sizeof(gc->image_id), "%s", f->image_id);
	gc->c.kind = AUTHZ_CALLER_CONTAINER;
	gc->c.container_id = gc->id;
	gc->c.container_name = gc->name[0] ? gc->name : NULL;
	gc->c.image = gc->image[0] ? gc->image : NULL;
	gc->c.image_id = gc->image_id[0] ? gc->image_id : NULL;
	/* It acts for whoever created it or ran commands in it. */
	gc->ncreators = 0;
	if (sv->creators != NULL && api_creator_store_get(sv->creators, id,
	    gc->creators, &gc->ncreators) == 0) {
		for (i = 0; i < gc->ncreators; i++) {
			struct authz_creator	*a = &gc->acreators[i];
			const struct api_creator *cr = &gc->creators[i];

			a->uid = cr->uid;
			a->gid = cr->gid;
			a->groups = cr->groups;
			a->ngroups = cr->ngroups;
			a->name = cr->name[0] ? cr->name : NULL;
			a->entered = cr->entered;
		}
		gc->c.creators = gc->acreators;
		gc->c.ncreators = gc->ncreators;
	}
	log_debug("gatekeeper: pid %d is container %.12s (%s, image %s, "
	    "acts for %zu users)", (int)gc->peer.pid, gc->id, gc->name,
	    gc->image, gc->ncreators);
}

/*
 * Gatekeeper: who is this peer?  A container of this engine only when its
 * cgroup path ends in the container's id and is exactly the path of that
 * container's init process (the cgroup dockerd gave it, whatever the
 * driver, cgroup version or CgroupParent).  A path that names a container
 * of this engine any other way (nested below it, hierarchies that
 * disagree, the container stopped) is refused: no request of that
 * connection passes.  A path naming no container of this engine is a host
 * user's.
 */
static void
serve_gate_identify(void *ctx, struct api_gate_caller *gc)
{
	struct serve		*sv = ctx;
	struct api_peer_container f;
	struct dw_err		 err;
	json_t			*ci = NULL;
	char			 cand[API_PEER_ID_LEN + 1], path[API_PEER_PATH_MAX];
	bool			 have_cand;
	pid_t			 init_pid;
	size_t			 i;
	int			 r;

	memset(&gc->c, 0, sizeof(gc->c));
	gc->c.kind = AUTHZ_CALLER_HOST;
	gc->c.pid = gc->peer.pid;
	gc->c.uid = gc->peer.uid;
	gc->c.gid = gc->peer.gid;
	gc->c.groups = gc->peer.groups;
	gc->c.ngroups = gc->peer.ngroups;
	caller_home(sv, gc);
	if (gc->peer.nids == 0)
		return;
	have_cand = !gc->peer.path_mixed &&
	    api_peer_path_innermost_id(gc->peer.path, cand);
	/*
	 * Seen before: the same container's init still runs in this path
	 * (api_peer_cache), so the inspect below would say the same.
	 */
	if (have_cand && api_peer_cache_container_get(sv->peers, gc->peer.path,
	    &f) == 0 && strcmp(f.id, cand) == 0) {
		identify_container(sv, gc, &f);
		return;
	}
	if (have_cand) {
		err.msg[0] = '\0';
		r = api_engine_container_inspect(sv->engine, cand, &ci, &err);
		if (r < 0 && r != -ENOENT) {
			gc->error = r;
			snprintf(gc->why, sizeof(gc->why), "the caller runs in "
			    "container %.12s, which could not be looked up: %.400s",
			    cand, err.msg);
			return;
		}
		if (r == 0) {
			err.msg[0] = '\0';
			r = container_cgroup_path(ci, path, sizeof(path),
			    &init_pid, &err);
			if (r == 0 && strcmp(path, gc->peer.path) == 0) {
				container_facts(cand, ci, &f);
				json_decref(ci);
				/* Not kept (init gone meanwhile): asked again next time. */
				(void)api_peer_cache_container_put(sv->peers,
				    gc->peer.path, &f, init_pid);
				identify_container(sv, gc, &f);
				return;
			}
			json_decref(ci);
			if (r == 0)
				snprintf(err.msg, sizeof(err.msg), "its cgroup is "
				    "%.80s", path);
			identify_refuse(gc, cand, err.msg);
			log_warn("gatekeeper: pid %d: %s", (int)gc->peer.pid, gc->why);
			return;
		}
	}
	/* No exact container: any container of ours the path names refuses. */
	for (i = 0; i < gc->peer.nids; i++) {
		if (have_cand && strcmp(gc->peer.ids[i], cand) == 0)
			continue;	/* not ours: asked above */
		err.msg[0] = '\0';
		r = api_engine_container_inspect(sv->engine, gc->peer.ids[i], &ci, &err);
		if (r == -ENOENT)
			continue;
		if (r < 0) {
			gc->error = r;
			snprintf(gc->why, sizeof(gc->why), "the caller runs in container "
			    "%.12s, which could not be looked up: %.400s", gc->peer.ids[i], err.msg);
			return;
		}
		json_decref(ci);
		identify_refuse(gc, gc->peer.ids[i], gc->peer.path_mixed ?
		    "its cgroup hierarchies name different containers" :
		    "the path does not end in that container's own cgroup");
		log_warn("gatekeeper: pid %d: %s", (int)gc->peer.pid, gc->why);
		return;
	}
}

/*
 * The users a container acts for because caller gc created or entered
 * it: a host caller itself (entered as given), a container the users it
 * acts for (a socket container acts for them, so what it creates or
 * enters does too); none for a container without them (the admin's
 * lineage).  Returns how many were written to out.
 */
static size_t
caller_users(struct serve *sv, const struct api_gate_caller *gc, bool entered,
    struct api_creator out[API_CREATOR_USERS_MAX])
{
	size_t		 i;

	if (gc->c.kind == AUTHZ_CALLER_CONTAINER) {
		for (i = 0; i < gc->ncreators; i++) {
			out[i] = gc->creators[i];
			out[i].entered = entered || gc->creators[i].entered;
		}
		return gc->ncreators;
	}
	memset(&out[0], 0, sizeof(out[0]));
	out[0].uid = gc->peer.uid;
	out[0].gid = gc->peer.gid;
	out[0].ngroups = gc->peer.ngroups;
	memcpy(out[0].groups, gc->peer.groups, out[0].ngroups * sizeof(gid_t));
	out[0].entered = entered;
	if (api_peer_cache_user(sv->peers, out[0].uid, out[0].name,
	    sizeof(out[0].name), NULL, 0) != 0)
		out[0].name[0] = '\0';
	return 1;
}

/* Record users[0..n) for container id.  0, or the first error (logged). */
static int
record_users(struct serve *sv, const char *id, const struct api_creator *users,
    size_t n, struct dw_err *err)
{
	size_t	i;
	int	r, ret = 0;

	for (i = 0; i < n; i++) {
		if ((r = api_creator_store_add(sv->creators, id, &users[i], err)) < 0) {
			log_err("gatekeeper: container %.12s, uid %lu: %s", id,
			    (unsigned long)users[i].uid, err->msg);
			if (ret == 0)
				ret = r;
		}
	}
	return ret;
}

/*
 * Gatekeeper: a create it forwarded was answered.  Record who the new
 * container acts for (caller_users).
 */
static void
serve_gate_created(void *ctx, const struct api_gate_caller *gc,
    const char *body, size_t len)
{
	struct serve		*sv = ctx;
	struct api_creator	 users[API_CREATOR_USERS_MAX];
	struct dw_err		 err;
	json_error_t		 jerr;
	json_t			*o = NULL;
	const char		*id = NULL;
	size_t			 n;

	if (sv->creators == NULL || gc->error < 0)
		return;
	if ((n = caller_users(sv, gc, false, users)) == 0)
		return;
	if (body != NULL)
		o = json_loadb(body, len, 0, &jerr);
	id = json_string_value(json_object_get(o, "Id"));
	if (id == NULL || !api_creator_store_id_valid(id)) {
		log_err("gatekeeper: a container create by uid %lu was answered "
		    "without a readable Id; its creator is not recorded, so the "
		    "container gets only the container rules",
		    (unsigned long)gc->peer.uid);
		goto out;
	}
	err.msg[0] = '\0';
	if (record_users(sv, id, users, n, &err) == 0)
		log_debug("gatekeeper: container %.12s created by uid %lu",
		    id, (unsigned long)users[0].uid);
out:
	json_decref(o);
}

/*
 * An allowed exec, attach or copy into a container puts the caller's
 * commands in it: from now on the container acts for the caller too.
 * Recorded before the request goes on; when it cannot be (the container
 * cannot be looked up, it acts for too many users, the store is full)
 * the request is refused.  0, or a denial in d.
 */
static int
entered_record(struct serve *sv, const struct api_gate_caller *gc,
    const struct authz_request *req, struct authz_decision *d)
{
	struct api_creator	 users[API_CREATOR_USERS_MAX];
	struct dw_err		 err;
	json_t			*ci = NULL;
	const char		*id;
	size_t			 i, n;
	int			 r;

	if (sv->creators == NULL || req->uri == NULL || req->uri->nvars < 1)
		return 0;
	switch (req->uri->endpoint) {
	case AUTHZ_EP_CONTAINER_EXEC:
	case AUTHZ_EP_CONTAINER_ATTACH:
	case AUTHZ_EP_CONTAINER_ATTACH_WS:
	case AUTHZ_EP_CONTAINER_ARCHIVE_PUT:
		break;
	default:
		return 0;
	}
	/* Root is exempt from every users rule: it adds nothing. */
	for (i = 0, n = caller_users(sv, gc, true, users); i < n; )
		if (users[i].uid == 0)
			users[i] = users[--n];
		else
			i++;
	if (n == 0)
		return 0;
	err.msg[0] = '\0';
	r = api_engine_container_inspect(sv->engine, req->uri->vars[0], &ci, &err);
	if (r == -ENOENT)
		return 0;	/* dockerd answers "no such container" */
	id = json_string_value(json_object_get(ci, "Id"));
	if (r == 0 && api_creator_store_id_valid(id))
		r = record_users(sv, id, users, n, &err);
	else if (r == 0) {
		r = -EPROTO;
		dw_err_set(&err, "the engine's answer has no container Id");
	}
	json_decref(ci);
	if (r == 0 || r == -EIO)	/* -EIO: recorded in memory, logged */
		return 0;
	memset(d, 0, sizeof(*d));
	d->verdict = AUTHZ_DENY;
	d->rule = "gatekeeper.creator";
	snprintf(d->msg, sizeof(d->msg), "dockward: docker API access denied "
	    "(gatekeeper.creator): a container acts for the users who run "
	    "commands in it, and dockward could not record that it now acts "
	    "for this caller: %.400s. %s", err.msg, r == -ENOSPC ?
	    "Use a container of your own" : "Retry");
	return -EACCES;
}

/*
 * Every container created through the gatekeeper must get its creator:
 * when no more fit (after a prune), creates are refused, not let through
 * unrecorded.  0, or a denial in d.
 */
static int
creators_room(struct serve *sv, const struct authz_request *req,
    struct authz_decision *d)
{
	if (sv->creators == NULL || req->uri == NULL ||
	    req->uri->endpoint != AUTHZ_EP_CONTAINER_CREATE ||
	    !api_creator_store_full(sv->creators))
		return 0;
	creators_prune(sv);
	if (!api_creator_store_full(sv->creators))
		return 0;
	memset(d, 0, sizeof(*d));
	d->verdict = AUTHZ_DENY;
	d->rule = "gatekeeper.creator";
	snprintf(d->msg, sizeof(d->msg), "dockward: container create denied "
	    "(gatekeeper.creator): %d containers created through the "
	    "gatekeeper exist, the most whose creators dockward records. "
	    "Remove containers you no longer need", DW_CREATORS_MAX);
	return -EACCES;
}

/*
 * The policy's rules after the caller's allowed: a would-deny of the
 * caller's rules (audit-only mode) stays the record unless the policy's
 * rules deny, or would deny too.
 */
static void
gate_decide_rules(const struct authz_settings *s, const struct authz_facts *f,
    const struct authz_request *r, struct authz_decision *d)
{
	struct authz_decision	caller_wd;
	bool			kept = d->would_deny;

	if (kept)
		caller_wd = *d;
	authz_decide(s, f, r, d);
	if (kept && d->verdict == AUTHZ_ALLOW && !d->would_deny)
		*d = caller_wd;
}

/* Gatekeeper: the caller's rules, then the same rules the plugin applies. */
static void
serve_gate_decide(void *ctx, const struct api_gate_caller *gc,
    const struct authz_request *req, struct authz_decision *d)
{
	struct serve		*sv = ctx;
	struct policy_ref	*pr;

	if (gc->error < 0) {
		memset(d, 0, sizeof(*d));
		d->verdict = AUTHZ_DENY;
		d->rule = "gatekeeper.caller";
		if (gc->error == -EPERM)	/* a refusal, with its own fix */
			snprintf(d->msg, sizeof(d->msg), "dockward: docker API "
			    "access denied (gatekeeper.caller): %s", gc->why);
		else
			snprintf(d->msg, sizeof(d->msg), "dockward: docker API access denied "
			    "(gatekeeper.caller): %s. Retry; if it persists, check that dockerd "
			    "is running and dockward can reach it", gc->why);
	} else {
		struct authz_request	r = *req;

		r.caller = &gc->c;
		pr = policy_get(sv);
		if (authz_caller_decide(pr->s, &sv->facts, &gc->c, &r, d) == AUTHZ_ALLOW)
			gate_decide_rules(pr->s, &sv->facts, &r, d);
		policy_put(sv, pr);
		if (d->verdict == AUTHZ_ALLOW &&
		    creators_room(sv, &r, d) == 0)
			(void)entered_record(sv, gc, &r, d);
	}
}

/* Gatekeeper: audit a decision of serve_gate_decide (the gate calls it after forwarding an allowed request). */
static void
serve_gate_audit(void *ctx, const struct api_gate_caller *gc,
    const struct authz_request *req, const struct authz_decision *d, uint64_t decide_ns)
{
	serve_audit_ns(ctx, req, d, "gatekeeper", gc->error < 0 ? NULL : &gc->c, decide_ns);
}

/*
 * Gatekeeper: hold build contexts back for the policy only when it checks
 * base images (registry or image access); other builds stream through.
 */
static bool
serve_gate_inspect_build(void *ctx)
{
	struct serve		*sv = ctx;
	struct policy_ref	*pr;
	bool			 yes;

	pr = policy_get(sv);
	yes = pr->s->registry_access.present || pr->s->image_access.present;
	policy_put(sv, pr);
	return yes;
}

/* Gatekeeper, full mode: the stamp by which the plugin knows this request was decided. */
static int
serve_gate_stamp(void *ctx, const char *method, const char *uri,
    char out[API_STAMP_LEN + 1])
{
	struct serve	*sv = ctx;

	return api_stamp_issue(sv->stamps, method, uri, out);
}

/* Gatekeeper: audit a refusal it made before any policy decision. */
static void
serve_gate_record(void *ctx, const struct api_gate_caller *gc,
    const struct authz_request *req, const struct authz_decision *d)
{
	serve_audit_ns(ctx, req, d, "gatekeeper", gc->error < 0 ? NULL : &gc->c, 0);
}

/* The socket group: the named group, "docker" when unnamed and present, else root's. */
static int
gate_group(const char *name, gid_t *ret, struct dw_err *err)
{
	struct group	 gr, *res = NULL;
	char		 buf[4096];

	if (getgrnam_r(name ? name : "docker", &gr, buf, sizeof(buf), &res) != 0 ||
	    res == NULL) {
		if (name != NULL) {
			dw_err_set(err, "--gatekeeper-group %s: no such group", name);
			return -ENOENT;
		}
		*ret = (gid_t)-1;
		return 0;
	}
	*ret = gr.gr_gid;
	return 0;
}

static void
reload(struct serve *sv)
{
	struct authz_settings	*s;
	struct dw_err		 err;
	size_t			 i;

	if (authz_audit_reopen(sv->audit, &err) < 0)
		log_err("audit log not reopened, still writing the old file: %s", err.msg);
	if (api_verify_load_trust(sv->verify, sv->trust_path, &err) < 0)
		log_err("offline trust store not reloaded, keeping the old one: %s", err.msg);
	if (sv->fleet != NULL) {
		api_fleet_kick(sv->fleet);	/* fetch now; the poll thread logs */
		return;
	}
	if ((s = policy_load(sv, &err)) == NULL) {
		api_metrics_policy_reload(false);
		log_err("POLICY RELOAD FAILED, still enforcing the policy loaded "
		    "before: %s", err.msg);
		return;
	}
	for (i = 0; i < s->warnings.n; i++)
		log_warn("policy: %s", s->warnings.v[i]);
	if (policy_swap(sv, s, &err) < 0) {
		api_metrics_policy_reload(false);
		log_err("POLICY RELOAD FAILED (%s), still enforcing the old one", err.msg);
		return;
	}
	api_metrics_policy_reload(true);
	log_info("policy reloaded from %s", sv->opts->settings_path);
}

int
api_serve_run(const struct api_serve_opts *opts, struct dw_err *err)
{
	struct serve		 sv;
	struct authz_settings	*s = NULL;
	struct api_plugin	*plugin = NULL;
	struct api_listen	*gate = NULL;
	struct api_metrics_http	*metrics = NULL;
	bool			 want_plugin;
	char			 tmp[PATH_MAX];
	sigset_t		 set;
	size_t			 i;
	int			 fd = -1, sig, r;

	memset(&sv, 0, sizeof(sv));
	sv.opts = opts;
	api_mem_init();	/* before any thread */
	pthread_mutex_init(&sv.lock, NULL);
	pthread_rwlock_init(&sv.cur_lock, NULL);
	pthread_cond_init(&sv.wake, NULL);

	/* Signals are taken synchronously by this thread only. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * The managed plugin: bind sources are the host's, judged under the
	 * host's "/" mounted at host_root, never in the plugin's own rootfs.
	 * Set before any thread looks a path up; a root that is not a mount
	 * of its own (the mount missing from config.json) is refused, not
	 * used: its lookups would judge the plugin's files.
	 */
	if (opts->host_root != NULL) {
		if (opts->gatekeeper_socket != NULL) {
			r = -EINVAL;
			dw_err_set(err, "--host-root is for the managed plugin, which "
			    "has no gatekeeper: run the gatekeeper on the host");
			goto out;
		}
		if ((r = dw_path_root_is_mount(opts->host_root, err)) < 0 ||
		    (r = dw_path_root_set(opts->host_root, err)) < 0)
			goto out;
		log_info("host paths are looked up under %s (the host's /)",
		    opts->host_root);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((sv.egress = api_egress_new()) == NULL) {
		r = -ENOMEM;
		dw_err_set(err, "out of memory");
		goto out;
	}

	if (opts->settings_url != NULL) {
		struct api_fleet_opts	fo = { .url = opts->settings_url,
		    .sig_url = opts->settings_sig_url, .pubkey_path = opts->settings_pubkey,
		    .ca_file = opts->settings_ca, .refresh_s = opts->settings_refresh,
		    .state_dir = opts->state_dir };

		if ((sv.fleet = api_fleet_new(&fo, NULL, err)) == NULL ||
		    (s = api_fleet_load_initial(sv.fleet, err)) == NULL) {
			r = -EINVAL;
			goto out;
		}
		if ((r = policy_install(&sv, s, err)) < 0)
			goto out;
	} else {
		if ((s = policy_load(&sv, err)) == NULL) {
			r = -EINVAL;
			goto out;
		}
		for (i = 0; i < s->warnings.n; i++)
			log_warn("policy: %s", s->warnings.v[i]);
		if ((r = policy_swap(&sv, s, err)) < 0)
			goto out;
	}
	api_metrics_started(PACKAGE_VERSION);
	api_metrics_policy_loaded();
	if (mkdir(opts->state_dir, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		dw_err_set(err, "cannot create state dir %s: %s", opts->state_dir,
		    strerror(errno));
		goto out;
	}
	if ((sv.engine = api_engine_new(opts->engine_socket)) == NULL ||
	    (sv.peers = api_peer_cache_new("/proc", DW_PATH_PASSWD,
	    DW_PATH_NSSWITCH)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	/* Protected from binds: the policy's directory, or the fleet key's. */
	snprintf(tmp, sizeof(tmp), "%s", sv.fleet != NULL ? opts->settings_pubkey :
	    opts->settings_path);
	snprintf(sv.settings_dir, sizeof(sv.settings_dir), "%s", dirname(tmp));
	want_plugin = strcmp(opts->plugin_socket, "none") != 0;
	if (!want_plugin && opts->gatekeeper_socket == NULL) {
		r = -EINVAL;
		dw_err_set(err, "nothing to serve: --plugin-socket none needs "
		    "--gatekeeper-socket");
		goto out;
	}
	if (opts->require_gatekeeper) {
		if (!want_plugin || opts->gatekeeper_socket == NULL) {
			r = -EINVAL;
			dw_err_set(err, "--require-gatekeeper needs both doors: "
			    "--gatekeeper-socket and a --plugin-socket dockerd asks "
			    "(full mode)");
			goto out;
		}
		if ((sv.stamps = api_stamp_new(DW_STAMP_MAX, DW_STAMP_TTL_MS)) == NULL) {
			r = -ENOMEM;
			dw_err_set(err, "out of memory");
			goto out;
		}
		api_engine_stamp_set(sv.engine, sv.stamps);
	}
	i = 0;
	sv.engine_sockets[i++] = opts->engine_socket;
	if (opts->gatekeeper_socket != NULL)
		sv.engine_sockets[i++] = opts->gatekeeper_socket;
	i = 0;
	if (want_plugin)
		sv.own_paths[i++] = opts->plugin_socket;
	sv.own_paths[i++] = opts->state_dir;
	sv.own_paths[i++] = sv.settings_dir;
	{
		struct api_verify_ops	ops = { .ctx = &sv,
		    .image_inspect = serve_image_inspect, .resolve = serve_resolve,
		    .warn = serve_verify_warn, .head = serve_head };
		struct dw_err		warn;

		snprintf(tmp, sizeof(tmp), "%s/registry-cache.json", opts->state_dir);
		if ((sv.verify = api_verify_new(&ops, tmp, &warn)) == NULL) {
			r = -ENOMEM;
			dw_err_set(err, "out of memory");
			goto out;
		}
		if (warn.msg[0] != '\0')
			log_warn("%s", warn.msg);
		snprintf(sv.trust_path, sizeof(sv.trust_path), "%s/" DW_PATH_TRUST_FILE,
		    opts->state_dir);
		if (api_verify_load_trust(sv.verify, sv.trust_path, &warn) < 0)
			log_err("offline trust store not loaded: %s", warn.msg);
	}
	if (opts->gatekeeper_socket != NULL) {
		struct dw_err	warn;

		snprintf(tmp, sizeof(tmp), "%s/creators", opts->state_dir);
		if ((sv.creators = api_creator_store_open(tmp, &warn)) == NULL) {
			r = -ENOMEM;
			dw_err_set(err, "out of memory");
			goto out;
		}
		if (warn.msg[0] != '\0')
			log_warn("%s", warn.msg);
	}
	sv.facts.ctx = &sv;
	sv.facts.container_inspect = serve_container_inspect;
	sv.facts.volume_inspect = serve_volume_inspect;
	sv.facts.network_inspect = serve_network_inspect;
	sv.facts.exec_inspect = serve_exec_inspect;
	sv.facts.image_verify = serve_image_verify;
	sv.facts.engine_sockets = sv.engine_sockets;
	sv.facts.own_paths = sv.own_paths;
	sv.facts.cgroup_v1 = authz_namespace_host_cgroup_v1;
	sv.facts.host_interface = authz_namespace_host_interface;

	if (want_plugin &&
	    (fd = dw_sock_listen(opts->plugin_socket, 0660, err)) < 0) {
		r = fd;
		goto out;
	}
	if (opts->gatekeeper_socket != NULL) {
		struct api_listen_opts	go = {
			.socket_path = opts->gatekeeper_socket,
			.mode = opts->gatekeeper_mode ? opts->gatekeeper_mode : 0660,
			.max_conns = opts->gatekeeper_max_conns,
			.max_conns_per_caller = opts->gatekeeper_max_conns_per_caller,
			.gate = {
				.engine_socket = opts->engine_socket,
				.head_timeout_s = opts->gatekeeper_head_timeout,
				.spool_dir = opts->state_dir,
				.build_max = opts->gatekeeper_build_max,
			},
		};
		struct api_gate_ops	gops = { .ctx = &sv,
		    .identify = serve_gate_identify, .decide = serve_gate_decide,
		    .audit = serve_gate_audit,
		    .inspect_build = serve_gate_inspect_build,
		    .created = serve_gate_created,
		    .record = serve_gate_record,
		    .stamp = sv.stamps != NULL ? serve_gate_stamp : NULL };

		if ((r = gate_group(opts->gatekeeper_group, &go.gid, err)) < 0)
			goto out;
		if ((gate = api_listen_bind(&go, &gops, err)) == NULL) {
			r = -EIO;
			goto out;
		}
	}
	if (opts->metrics_addr != NULL &&
	    (metrics = api_metrics_http_bind(opts->metrics_addr, err)) == NULL) {
		r = -EIO;
		goto out;
	}
	/*
	 * Sockets bound, no thread started, nothing untrusted read yet: give
	 * up what serving does not need (capabilities are per thread, so
	 * every thread starts after this).
	 */
	{
		struct api_sandbox_opts	so = { .off = opts->sandbox_off,
		    .who = "dockward serve", .caps_keep = opts->egress_api_only ? 0 :
		    api_egress_boot(sv.egress) };

		if ((r = api_sandbox_apply(&so, err)) < 0)
			goto out;
	}
	/*
	 * After the sandbox: its flusher is a thread, and a log that opens
	 * now will also reopen under the sandbox on SIGHUP/SIGUSR1.
	 */
	if ((sv.audit = authz_audit_open(opts->audit_log, err)) == NULL) {
		r = -EIO;
		goto out;
	}
	if (want_plugin) {
		if ((plugin = api_plugin_start(fd, serve_decide, serve_plugin_audit, &sv,
		    err)) == NULL) {
			fd = -1;
			r = -EIO;
			goto out;
		}
		fd = -1;
		log_info("serving the authorization plugin on %s", opts->plugin_socket);
	}
	if (gate != NULL) {
		if ((r = api_listen_run(gate, err)) < 0)
			goto out;
		log_info("serving the Docker socket gatekeeper on %s",
		    opts->gatekeeper_socket);
	}
	{
		struct api_egress_opts	eo = { .engine = sv.engine, .audit = sv.audit };

		if (opts->egress_api_only)
			log_warn("--egress-api-only: containersProxy's engine API rules "
			    "only; no nft table, no proxy: container egress is NOT "
			    "policed by this dockward");
		else if ((r = api_egress_start(sv.egress, &eo, err)) < 0)
			goto out;
	}
	if (metrics != NULL) {
		api_metrics_collector_set(serve_metrics_collect, &sv);
		if ((r = api_metrics_http_run(metrics, err)) < 0)
			goto out;
		log_info("serving metrics on %s", opts->metrics_addr);
	}
	if (api_mem_start(err) < 0)
		log_warn("%s: the heap stays at its peak after bursts", err->msg);
	if (pthread_create(&sv.refresher, NULL, refresher_main, &sv) == 0)
		sv.refresher_started = true;
	else
		log_warn("no background registry refresh: decisions will refresh as they go");
	if (sv.fleet != NULL) {
		sv.fleet_started = true;	/* before the thread can install */
		if ((r = api_fleet_start(sv.fleet, policy_install, &sv, err)) < 0)
			goto out;
	}
	log_info("engine %s, policy %s", opts->engine_socket,
	    sv.fleet != NULL ? api_fleet_url(sv.fleet) : opts->settings_path);
	if (sv.stamps != NULL)
		log_info("full mode (--require-gatekeeper): the plugin allows only "
		    "requests the gatekeeper on %s decided; anything sent to %s "
		    "directly is denied (request.unstamped)", opts->gatekeeper_socket,
		    opts->engine_socket);

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP)
			reload(&sv);
		else if (sig == SIGUSR1) {
			if (authz_audit_reopen(sv.audit, err) < 0)
				log_err("audit log not reopened: %s", err->msg);
		} else
			break;
	}
	log_info("stopping on signal %d", sig);
	r = 0;
out:
	api_fleet_free(sv.fleet);	/* its thread swaps policies: first */
	if (sv.refresher_started) {
		pthread_mutex_lock(&sv.lock);
		sv.stopping = true;
		pthread_cond_signal(&sv.wake);
		pthread_mutex_unlock(&sv.lock);
		pthread_join(sv.refresher, NULL);
	}
	api_metrics_http_stop(metrics);
	api_metrics_collector_set(NULL, NULL);
	api_mem_stop();
	api_listen_stop(gate);
	api_plugin_stop(plugin);
	api_egress_free(sv.egress);	/* before the audit log and the engine it uses */
	if (fd >= 0)
		close(fd);	/* bound, never served */
	if (plugin != NULL || fd >= 0)
		unlink(opts->plugin_socket);
	if (sv.cur != NULL)
		policy_put(&sv, sv.cur);
	authz_audit_close(sv.audit);
	api_verify_free(sv.verify);
	api_creator_store_free(sv.creators);
	api_engine_free(sv.engine);
	api_peer_cache_free(sv.peers);
	api_stamp_free(sv.stamps);
	curl_global_cleanup();
	dw_path_root_set(NULL, NULL);	/* every thread has stopped */
	pthread_cond_destroy(&sv.wake);
	pthread_mutex_destroy(&sv.lock);
	pthread_rwlock_destroy(&sv.cur_lock);
	return r;
}
