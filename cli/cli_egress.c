/* cli_egress: the egress policy and its PAC, for check, explain and doctor. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>
#include <jansson.h>

#include "api/api_egress.h"
#include "cli/cli_egress.h"
#include "egress/egress_fetch.h"

int
cli_egress_policy(const struct authz_settings *s, const char *(*get)(const char *name),
    const char *resolv_conf, struct egress_policy **ret, struct dw_strv *notes,
    struct dw_err *err)
{
	struct egress_policy	*p = NULL;
	struct dw_err		 e2;
	json_t			*empty = NULL;
	const char		*path;
	char			*note = NULL;
	int			 r;

	if (s->containers_proxy == NULL) {
		if (s->egress == NULL)
			return -ENOENT;
		/* dockward.egress alone: its keys are checked, nothing is policed. */
		if ((empty = json_object()) == NULL) {
			dw_err_set(err, "out of memory");
			return -ENOMEM;
		}
		r = egress_policy_parse(empty, s->egress, &p, err);
		json_decref(empty);
		egress_policy_free(p);
		/* authz_settings warns that it has no effect. */
		return r < 0 ? r : -ENOENT;
	}
	if ((r = egress_policy_parse(s->containers_proxy, s->egress, &p, err)) < 0)
		return r;
	if (p->mode == EGRESS_MODE_SYSTEM) {
		if ((r = egress_policy_system(p, get, err)) < 0) {
			dw_err_prefix(err, "containersProxy.mode \"system\"");
			goto out;
		}
		if (notes != NULL && get == NULL && (r = dw_strv_push(notes,
		    "containersProxy.mode \"system\": the proxies shown come from this "
		    "shell's http_proxy, https_proxy and no_proxy; dockward serve uses "
		    "its unit's environment (systemctl show dockward -p Environment)")) < 0)
			goto out;
	}
	if (!p->dns_explicit) {
		/* The files serve reads, in the same order. */
		if (api_egress_default_dns(p, resolv_conf, &path, &e2) < 0) {
			if (notes != NULL && asprintf(&note, "dockward.egress.dnsServers is "
			    "not set and %s could not be read (%s): serve allows only "
			    "dockerd's --dns resolvers", path, e2.msg) < 0) {
				note = NULL;
				r = -ENOMEM;
				goto out;
			}
		} else if (notes != NULL && asprintf(&note, "dockward.egress.dnsServers "
		    "is not set: the resolvers shown are those of %s; serve adds "
		    "dockerd's --dns (daemon.json \"dns\")", path) < 0) {
			note = NULL;
			r = -ENOMEM;
			goto out;
		}
		if (note != NULL && (r = dw_strv_push_take(notes, note)) < 0) {
			note = NULL;
			goto out;
		}
		note = NULL;
	}
	*ret = p;
	p = NULL;
	r = 0;
out:
	if (r == -ENOMEM)
		dw_err_set(err, "out of memory");
	free(note);
	egress_policy_free(p);
	return r;
}

int
cli_egress_pac_fetch(void *ctx, const struct egress_policy *p, char **ret,
    size_t *ret_len, struct dw_err *err)
{
	struct egress_fetch_opts	 fo = { .ca_file = p->ca_file };
	struct egress_fetch_result	 res = { 0 };
	int				 r;

	(void)ctx;
	/* Once per process, as serve does before its first download. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* Unconditional: a one-shot command always wants the body. */
	if ((r = egress_fetch_pac(p->pac_url, &fo, NULL, &res, err)) < 0)
		return r;
	*ret = res.script;
	*ret_len = res.len;
	res.script = NULL;
	egress_fetch_result_clear(&res);
	return 0;
}

int
cli_egress_worker_start(void *ctx, const char *script, size_t len,
    void **ret_pac, struct dw_err *err)
{
	struct egress_worker_opts	 wo = { 0 };
	struct egress_worker		*w;
	int				 r;

	(void)ctx;
	if ((r = egress_worker_start(script, len, &wo, &w, err)) < 0)
		return r;
	*ret_pac = w;
	return 0;
}

int
cli_egress_worker_eval(void *ctx, const struct egress_target *t,
    struct egress_answer *out, char *raw, size_t rawsz, struct dw_err *err)
{
	return egress_worker_eval(ctx, t, out, raw, rawsz, err);
}
