/* api_serve: the plugin daemon's life cycle and its policy snapshots. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "api/api_engine.h"
#include "api/api_plugin.h"
#include "api/api_serve.h"
#include "api/api_uri.h"
#include "api/api_verify.h"
#include "registry/registry_client.h"
#include "authz/authz_audit.h"
#include "authz/authz_engine.h"
#include "authz/authz_settings.h"
#include "common/dw_log.h"

/* A policy in use: decisions hold a reference while they run. */
struct policy_ref {
	struct authz_settings	*s;
	struct registry_client	*reg;	/* built from s's imageVerification settings */
	int			 refs;
};

struct serve {
	const struct api_serve_opts	*opts;
	pthread_mutex_t			 lock;
	struct policy_ref		*cur;
	struct api_engine		*engine;
	struct authz_audit		*audit;
	struct authz_facts		 facts;
	const char			*engine_sockets[2];
	const char			*own_paths[4];
	char				 settings_dir[PATH_MAX];
	char				 trust_path[PATH_MAX];
	struct api_verify		*verify;
	pthread_t			 refresher;
	bool				 refresher_started;
	bool				 stopping;
	pthread_cond_t			 wake;
};

static struct policy_ref *
policy_get(struct serve *sv)
{
	struct policy_ref	*r;

	pthread_mutex_lock(&sv->lock);
	r = sv->cur;
	r->refs++;
	pthread_mutex_unlock(&sv->lock);
	return r;
}

static void
policy_put(struct serve *sv, struct policy_ref *r)
{
	int	last;

	pthread_mutex_lock(&sv->lock);
	last = --r->refs == 0;
	pthread_mutex_unlock(&sv->lock);
	if (last) {
		registry_client_free(r->reg);
		authz_settings_free(r->s);
		free(r);
	}
}

/* Load the policy file and add the --protect paths to it. */
static struct authz_settings *
policy_load(struct serve *sv, struct dw_err *err)
{
	struct authz_settings	*s;
	size_t			 i;

	if ((s = authz_settings_load(sv->opts->settings_path, err)) == NULL)
		return NULL;
	for (i = 0; i < sv->opts->protect.n; i++)
		if (!dw_strv_contains(&s->protected_paths, sv->opts->protect.v[i]) &&
		    dw_strv_push(&s->protected_paths, sv->opts->protect.v[i]) < 0) {
			dw_err_set(err, "out of memory");
			authz_settings_free(s);
			return NULL;
		}
	return s;
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
	nr->s = s;
	nr->refs = 1;
	pthread_mutex_lock(&sv->lock);
	old = sv->cur;
	sv->cur = nr;
	pthread_mutex_unlock(&sv->lock);
	if (old != NULL)
		policy_put(sv, old);
	pthread_cond_signal(&sv->wake);	/* warm the new policy's entries now */
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
serve_resolve(void *ctx, const struct digest_ref *ref, struct registry_facts *f,
    struct dw_err *err)
{
	struct serve		*sv = ctx;
	struct policy_ref	*pr = policy_get(sv);
	int			 r;

	r = registry_resolve(pr->reg, ref, f, err);
	policy_put(sv, pr);
	return r;
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
serve_volume_inspect(void *ctx, const char *name, json_t **ret, struct dw_err *err)
{
	return api_engine_volume_inspect(((struct serve *)ctx)->engine, name, ret, err);
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

static void
serve_decide(void *ctx, const struct api_authz_msg *msg, struct authz_decision *d)
{
	struct serve		*sv = ctx;
	struct api_uri		*uri = NULL;
	struct policy_ref	*pr;
	struct authz_request	 req;
	struct dw_err		 err;
	char			*line;

	err.msg[0] = '\0';
	if (api_uri_parse(msg->method, msg->uri, &uri, &err) < 0)
		uri = NULL;
	memset(&req, 0, sizeof(req));
	req.method = msg->method;
	req.raw_uri = msg->uri;
	req.uri = uri;
	req.uri_error = uri ? NULL : err.msg;
	req.user = msg->user;
	req.body = msg->body;
	req.body_len = msg->body_len;
	req.content_type = msg->content_type;
	req.content_length = msg->content_length;

	pr = policy_get(sv);
	authz_decide(pr->s, &sv->facts, &req, d);
	policy_put(sv, pr);

	line = authz_audit_format(&req, d, "plugin");
	if (line == NULL)
		log_err("audit: out of memory formatting the record for %s %s (%s)",
		    msg->method, msg->uri, d->verdict == AUTHZ_ALLOW ? "allow" : "deny");
	else if (authz_audit_write(sv->audit, line) < 0)
		log_err("audit log write failed; record: %s", line);
	if (d->verdict != AUTHZ_ALLOW)
		log_info("deny %s: %s", d->rule ? d->rule : "?", d->msg);
	free(line);
	api_uri_free(uri);
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
	if ((s = policy_load(sv, &err)) == NULL) {
		log_err("POLICY RELOAD FAILED, still enforcing the policy loaded "
		    "before: %s", err.msg);
		return;
	}
	for (i = 0; i < s->warnings.n; i++)
		log_warn("policy: %s", s->warnings.v[i]);
	if (policy_swap(sv, s, &err) < 0) {
		log_err("POLICY RELOAD FAILED (%s), still enforcing the old one", err.msg);
		return;
	}
	log_info("policy reloaded from %s", sv->opts->settings_path);
}

int
api_serve_run(const struct api_serve_opts *opts, struct dw_err *err)
{
	struct serve		 sv;
	struct authz_settings	*s = NULL;
	struct api_plugin	*plugin = NULL;
	char			 tmp[PATH_MAX];
	sigset_t		 set;
	size_t			 i;
	int			 fd, sig, r;

	memset(&sv, 0, sizeof(sv));
	sv.opts = opts;
	pthread_mutex_init(&sv.lock, NULL);
	pthread_cond_init(&sv.wake, NULL);

	/* Signals are taken synchronously by this thread only. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);

	if ((s = policy_load(&sv, err)) == NULL) {
		r = -EINVAL;
		goto out;
	}
	for (i = 0; i < s->warnings.n; i++)
		log_warn("policy: %s", s->warnings.v[i]);
	if ((r = policy_swap(&sv, s, err)) < 0)
		goto out;
	if (mkdir(opts->state_dir, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		dw_err_set(err, "cannot create state dir %s: %s", opts->state_dir,
		    strerror(errno));
		goto out;
	}
	if ((sv.audit = authz_audit_open(opts->audit_log, err)) == NULL) {
		r = -EIO;
		goto out;
	}
	if ((sv.engine = api_engine_new(opts->engine_socket)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s", opts->settings_path);
	snprintf(sv.settings_dir, sizeof(sv.settings_dir), "%s", dirname(tmp));
	sv.engine_sockets[0] = opts->engine_socket;
	sv.own_paths[0] = opts->plugin_socket;
	sv.own_paths[1] = opts->state_dir;
	sv.own_paths[2] = sv.settings_dir;
	{
		struct api_verify_ops	ops = { .ctx = &sv,
		    .image_inspect = serve_image_inspect, .resolve = serve_resolve };
		struct dw_err		warn;

		snprintf(tmp, sizeof(tmp), "%s/registry-cache.json", opts->state_dir);
		if ((sv.verify = api_verify_new(&ops, tmp, &warn)) == NULL) {
			r = -ENOMEM;
			dw_err_set(err, "out of memory");
			goto out;
		}
		if (warn.msg[0] != '\0')
			log_warn("%s", warn.msg);
		snprintf(sv.trust_path, sizeof(sv.trust_path), "%s/trust.json",
		    opts->state_dir);
		if (api_verify_load_trust(sv.verify, sv.trust_path, &warn) < 0)
			log_err("offline trust store not loaded: %s", warn.msg);
	}
	sv.facts.ctx = &sv;
	sv.facts.container_inspect = serve_container_inspect;
	sv.facts.volume_inspect = serve_volume_inspect;
	sv.facts.network_inspect = serve_network_inspect;
	sv.facts.image_verify = serve_image_verify;
	sv.facts.engine_sockets = sv.engine_sockets;
	sv.facts.own_paths = sv.own_paths;

	if ((fd = api_unix_listen(opts->plugin_socket, 0660, err)) < 0) {
		r = fd;
		goto out;
	}
	if ((plugin = api_plugin_start(fd, serve_decide, &sv, err)) == NULL) {
		r = -EIO;
		goto out;
	}
	if (pthread_create(&sv.refresher, NULL, refresher_main, &sv) == 0)
		sv.refresher_started = true;
	else
		log_warn("no background registry refresh: decisions will refresh as they go");
	log_info("serving the authorization plugin on %s (engine %s, policy %s)",
	    opts->plugin_socket, opts->engine_socket, opts->settings_path);

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
	if (sv.refresher_started) {
		pthread_mutex_lock(&sv.lock);
		sv.stopping = true;
		pthread_cond_signal(&sv.wake);
		pthread_mutex_unlock(&sv.lock);
		pthread_join(sv.refresher, NULL);
	}
	api_plugin_stop(plugin);
	if (plugin != NULL)
		unlink(opts->plugin_socket);
	if (sv.cur != NULL)
		policy_put(&sv, sv.cur);
	authz_audit_close(sv.audit);
	api_verify_free(sv.verify);
	api_engine_free(sv.engine);
	curl_global_cleanup();
	pthread_cond_destroy(&sv.wake);
	pthread_mutex_destroy(&sv.lock);
	return r;
}
