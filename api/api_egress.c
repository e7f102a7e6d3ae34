/* api_egress: air-gapped containers in the daemon; see api_egress.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include <jansson.h>

#include "api/api_egress.h"
#include "api/api_metrics.h"
#include "common/dw_esc.h"
#include "common/dw_file.h"
#include "common/dw_limits.h"
#include "common/dw_log.h"
#include "common/dw_paths.h"
#include "common/dw_strv.h"
#include "egress/egress_bridges.h"
#include "egress/egress_decide.h"
#include "egress/egress_fetch.h"
#include "egress/egress_nft.h"
#include "egress/egress_worker.h"

#define CAP_BIT(c)	((uint64_t)1 << (c))

/* What one decision uses; the last reference frees it. */
struct snap {
	struct egress_policy	*p;
	struct api_egress_pac	*pac;	/* held; NULL without containersProxy.pac */
	struct egress_decider	*d;
	int			 refs;
};

/* A closed connection waiting for the recorder. */
struct record {
	STAILQ_ENTRY(record)		 link;
	struct egress_conn_record	 rec;
};

struct api_egress {
	struct egress_policy		*pending;	/* before start: the policy to start with */
	uint64_t			 caps;		/* what api_egress_boot asked the sandbox to keep */
	bool				 started;
	struct api_engine		*engine;
	struct authz_audit		*audit;
	struct api_egress_who		*who;
	struct api_egress_pac_ops	 pac_ops;

	pthread_mutex_t			 update_lock;	/* one update at a time */
	pthread_mutex_t			 nft_lock;	/* the table: updates and the watcher */
	pthread_rwlock_t		 cur_lock;	/* cur; decisions only read it */
	struct snap			*cur;		/* NULL: the feature is off */
	struct egress_proxy		*proxy;		/* update_lock */
	struct egress_bridges		*bridges;	/* made with the first proxy, kept */
	uint16_t			 port;

	pthread_mutex_t			 lock;		/* pac, stopping, kick */
	pthread_cond_t			 wake;		/* CLOCK_MONOTONIC */
	struct api_egress_pac		*pac;		/* the one the refresher refreshes */
	bool				 stopping;
	bool				 kick;		/* refresh the PAC now */
	pthread_t			 watcher, refresher;
	bool				 watcher_on, refresher_on;
	bool				 nft_failing;	/* the watcher's last check or apply failed (logged once) */

	pthread_mutex_t			 qlock;		/* the records queue */
	pthread_cond_t			 qwake;
	STAILQ_HEAD(, record)		 q;
	size_t				 qlen;
	bool				 qstop;
	pthread_t			 recorder;
	bool				 recorder_on;
};

/* ---- policy snapshots -------------------------------------------------- */

static struct snap *
snap_get(struct api_egress *eg)
{
	struct snap	*s;

	pthread_rwlock_rdlock(&eg->cur_lock);
	if ((s = eg->cur) != NULL)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
	pthread_rwlock_unlock(&eg->cur_lock);
	return s;
}

static void
snap_put(struct snap *s)
{
	if (s == NULL || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	egress_decider_free(s->d);
	api_egress_pac_free(s->pac);
	egress_policy_free(s->p);
	free(s);
}

/* A snapshot of p (taken) deciding through pac (held when not NULL).  NULL on ENOMEM (p freed). */
static struct snap *
snap_new(struct egress_policy *p, struct api_egress_pac *pac)
{
	struct snap	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		egress_policy_free(p);
		return NULL;
	}
	s->p = p;
	s->refs = 1;
	if (pac != NULL)
		s->pac = api_egress_pac_hold(pac);
	s->d = egress_decider_new(p, pac != NULL ? api_egress_pac_eval : NULL, pac,
	    NULL, NULL);
	if (s->d == NULL) {
		snap_put(s);
		return NULL;
	}
	return s;
}

/* Swap in s (NULL: off); returns the old one for the caller to put. */
static struct snap *
snap_swap(struct api_egress *eg, struct snap *s)
{
	struct snap	*old;

	pthread_rwlock_wrlock(&eg->cur_lock);
	old = eg->cur;
	eg->cur = s;
	pthread_rwlock_unlock(&eg->cur_lock);
	return old;
}

/* ---- audit lines ------------------------------------------------------- */

/* Now as the audit log writes it. */
static void
timestamp(char *buf, size_t sz)
{
	struct timeval	tv;
	struct tm	tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(buf, sz, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, (long)tv.tv_usec);
}

/* s as a JSON string; text that is not UTF-8 (a client's Host header) escaped. */
static json_t *
text(const char *s)
{
	json_t	*j;
	char	 esc[EGRESS_HOST_MAX * 4];

	if (s == NULL)
		s = "";
	if ((j = json_string(s)) != NULL)
		return j;
	dw_esc(esc, sizeof(esc), s, (size_t)-1);
	return json_string(esc);
}

/* "1.2.3.4:80", "[fd00::1]:443". */
static void
hostport(const struct egress_addr *a, uint16_t port, char *buf, size_t sz)
{
	char	ip[EGRESS_ADDR_STRLEN];

	egress_addr_format(a, ip, sizeof(ip));
	snprintf(buf, sz, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip,
	    (unsigned)port);
}

/* A new object starting with time and event. */
static json_t *
line_new(const char *event)
{
	char	ts[64];

	timestamp(ts, sizeof(ts));
	return json_pack("{s:s, s:s}", "time", ts, "event", event);
}

/* The line of o (freed), or NULL when any part of it was missing (ENOMEM). */
static char *
line_dump(json_t *o, bool ok)
{
	char	*line = NULL;

	if (o != NULL && ok)
		line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return line;
}

static bool
set(json_t *o, const char *key, json_t *v)
{
	return o != NULL && v != NULL && json_object_set_new(o, key, v) == 0;
}

char *
api_egress_format_conn(const struct egress_conn_record *rec,
    const struct api_egress_who_id *who)
{
	char	 src[EGRESS_ADDR_STRLEN + 8], dst[EGRESS_ADDR_STRLEN + 8];
	char	 answer[EGRESS_ANSWER_MAX];
	json_t	*o = line_new("egress");
	bool	 ok;

	hostport(&rec->src, rec->src_port, src, sizeof(src));
	hostport(&rec->target.ip, rec->target.port, dst, sizeof(dst));
	answer[0] = '\0';
	if (rec->answer.n > 0)
		egress_answer_format(&rec->answer, answer, sizeof(answer));
	ok = set(o, "container", json_pack("{s:o, s:o, s:o}", "id", text(who->id),
	    "name", text(who->name), "image", text(who->image))) &&
	    set(o, "src", json_string(src)) && set(o, "dst", json_string(dst)) &&
	    set(o, "host", text(rec->target.name)) &&
	    set(o, "hostFrom", json_string(egress_name_source_name(rec->target.source))) &&
	    set(o, "claimed", text(rec->info.name_rejected ? rec->target.claimed : "")) &&
	    set(o, "pac", text(rec->info.pac_answer)) &&
	    set(o, "answer", text(answer)) &&
	    set(o, "action", json_string(rec->action != NULL ? rec->action : "error")) &&
	    set(o, "upstream", text(rec->upstream)) &&
	    set(o, "bytesOut", json_integer((json_int_t)rec->bytes_out)) &&
	    set(o, "bytesIn", json_integer((json_int_t)rec->bytes_in)) &&
	    set(o, "durationMs", json_integer((json_int_t)rec->duration_ms)) &&
	    set(o, "cached", json_boolean(rec->info.cached)) &&
	    set(o, "error", text(rec->error[0] ? rec->error : rec->info.error));
	return line_dump(o, ok);
}

char *
api_egress_format_pac(const struct api_egress_pac_event *ev)
{
	json_t	*o = line_new("egress.pac");
	bool	 ok;

	ok = set(o, "url", text(ev->url)) &&
	    set(o, "result", json_string(api_egress_pac_result_name(ev->result))) &&
	    set(o, "state", json_string(api_egress_pac_state_name(ev->to))) &&
	    set(o, "previous", json_string(api_egress_pac_state_name(ev->from))) &&
	    set(o, "bytes", json_integer((json_int_t)ev->bytes)) &&
	    set(o, "etag", text(ev->etag)) &&
	    set(o, "error", text(ev->error));
	return line_dump(o, ok);
}

char *
api_egress_format_table(const char *action, const char *error)
{
	json_t	*o = line_new("egress.table");
	bool	 ok;

	ok = set(o, "table", json_string("inet " EGRESS_NFT_TABLE)) &&
	    set(o, "action", json_string(action)) &&
	    set(o, "error", text(error));
	return line_dump(o, ok);
}

/* Write line (taken) to the audit log; what cannot be written goes to the log. */
static void
audit(struct api_egress *eg, char *line, const char *what)
{
	if (line == NULL) {
		api_metrics_audit_write_error();
		log_err("audit: out of memory formatting the record of %s", what);
		return;
	}
	if (eg->audit == NULL || authz_audit_write_later(eg->audit, line) < 0) {
		api_metrics_audit_write_error();
		log_err("audit log write failed; record: %s", line);
	}
	free(line);
}

/* ---- the recorder: one audit line per connection ----------------------- */

static enum api_metrics_egress_action
action_metric(const char *action)
{
	static const char *const names[API_METRICS_NEGRESS] = {
		"direct", "proxy", "socks5", "refuse", "error" };
	unsigned	k;

	for (k = 0; action != NULL && k < API_METRICS_NEGRESS; k++)
		if (strcmp(action, names[k]) == 0)
			return (enum api_metrics_egress_action)k;
	return API_METRICS_EGRESS_ERROR;
}

/* Name the container (the engine may be asked) and write the line. */
static void
record_write(struct api_egress *eg, const struct egress_conn_record *rec, bool may_ask)
{
	struct api_egress_who_id	who;

	if (may_ask)
		api_egress_who_lookup(eg->who, &rec->src, &who);
	else
		api_egress_who_peek(eg->who, &rec->src, &who);
	audit(eg, api_egress_format_conn(rec, &who), "an egress connection");
}

/*
 * The proxy's on_close (any thread, must not block): counted here, named
 * and written by the recorder thread, which may ask the engine.  With the
 * queue full (or no recorder) it is written at once, named from the cache.
 */
static void
proxy_closed(void *ctx, const struct egress_conn_record *rec)
{
	struct api_egress	*eg = ctx;
	struct record		*r = NULL;

	api_metrics_egress_connection(action_metric(rec->action));
	pthread_mutex_lock(&eg->qlock);
	if (eg->recorder_on && !eg->qstop && eg->qlen < API_EGRESS_RECORDS_MAX &&
	    (r = malloc(sizeof(*r))) != NULL) {
		r->rec = *rec;
		STAILQ_INSERT_TAIL(&eg->q, r, link);
		eg->qlen++;
		pthread_cond_signal(&eg->qwake);
	}
	pthread_mutex_unlock(&eg->qlock);
	if (r == NULL)
		record_write(eg, rec, false);
}

static void *
recorder_main(void *arg)
{
	struct api_egress	*eg = arg;
	struct record		*r;

	pthread_mutex_lock(&eg->qlock);
	for (;;) {
		while (STAILQ_EMPTY(&eg->q) && !eg->qstop)
			pthread_cond_wait(&eg->qwake, &eg->qlock);
		if ((r = STAILQ_FIRST(&eg->q)) == NULL)
			break;	/* stopping and drained */
		STAILQ_REMOVE_HEAD(&eg->q, link);
		eg->qlen--;
		pthread_mutex_unlock(&eg->qlock);
		record_write(eg, &r->rec, true);
		free(r);
		pthread_mutex_lock(&eg->qlock);
	}
	pthread_mutex_unlock(&eg->qlock);
	return NULL;
}

/* ---- the proxy --------------------------------------------------------- */

static void
refuse(struct egress_answer *out)
{
	memset(out, 0, sizeof(*out));
	out->r[0].kind = EGRESS_ROUTE_REFUSE;
	out->n = 1;
}

/* The proxy's decide (a decision thread): the policy in force now. */
static void
proxy_decide(void *ctx, struct egress_target *t, struct egress_answer *out,
    struct egress_decide_info *info)
{
	struct api_egress	*eg = ctx;
	struct snap		*s = snap_get(eg);
	struct dw_err		 e;
	char			 br[IF_NAMESIZE];
	int			 r;

	if (s == NULL) {
		/* Between turning off and the proxy's stop: refuse. */
		memset(info, 0, sizeof(*info));
		snprintf(info->error, sizeof(info->error), "the egress policy is off");
		refuse(out);
		return;
	}
	/*
	 * A container of another local network (the table exempts only the
	 * bridge the flow came in on): Docker would have dropped it, and a
	 * DIRECT answer would connect it from the host.  Whatever the policy
	 * says; the networks' gateways are the host and go to the policy.
	 */
	e.msg[0] = '\0';
	if ((r = egress_bridges_check(eg->bridges, &t->ip, br, sizeof(br), &e)) != 0) {
		memset(info, 0, sizeof(*info));
		if (r > 0)
			snprintf(info->error, sizeof(info->error), "destination is a "
			    "container network on this host (bridge %s): Docker "
			    "isolates networks", br);
		else
			snprintf(info->error, sizeof(info->error), "%s", e.msg);
		refuse(out);
		snap_put(s);
		return;
	}
	(void)egress_decider_decide(s->d, t, out, info);
	snap_put(s);
}

/* A proxy on port: IPv4 and IPv6, or IPv4 alone on a host without IPv6. */
static int
proxy_start(struct api_egress *eg, uint16_t port, struct egress_proxy **ret,
    struct dw_err *err)
{
	struct egress_proxy_opts	o;
	struct dw_err			e6;
	int				r;

	if (eg->bridges == NULL &&
	    (r = egress_bridges_new(NULL, &eg->bridges, err)) < 0)
		return r;
	memset(&o, 0, sizeof(o));
	o.port = port;
	o.ops.decide = proxy_decide;
	o.ops.on_close = proxy_closed;
	o.ctx = eg;
	if ((r = egress_proxy_start(&o, ret, &e6)) == 0)
		return 0;
	o.bind6 = "";
	if ((r = egress_proxy_start(&o, ret, err)) < 0) {
		dw_err_prefix(err, "egress proxy on port %u", (unsigned)port);
		return r;
	}
	log_warn("egress: the proxy listens on IPv4 only (%s)", e6.msg);
	return 0;
}

/* ---- the PAC ------------------------------------------------------------ */

/* egress_fetch_pac in the shape api_egress_pac asks for. */
static int
pac_fetch(void *ctx, const char *url, const char *ca_file,
    const struct egress_fetch_validators *prev, char **ret_body, size_t *ret_len,
    struct egress_fetch_validators *ret_val, struct dw_err *err)
{
	struct egress_fetch_opts	o;
	struct egress_fetch_result	res;
	int				r;

	(void)ctx;
	memset(&o, 0, sizeof(o));
	o.ca_file = ca_file;
	memset(&res, 0, sizeof(res));
	if ((r = egress_fetch_pac(url, &o, prev, &res, err)) < 0)
		return r;
	if (res.not_modified) {
		egress_fetch_result_clear(&res);
		return 1;
	}
	*ret_body = res.script;
	*ret_len = res.len;
	*ret_val = res.validators;
	res.script = NULL;
	egress_fetch_result_clear(&res);
	return 0;
}

static int
pac_start(void *ctx, const char *script, size_t len, void **ret, struct dw_err *err)
{
	struct egress_worker_opts	 o;
	struct egress_worker		*w;
	int				 r;

	(void)ctx;
	memset(&o, 0, sizeof(o));	/* the worker's defaults */
	if ((r = egress_worker_start(script, len, &o, &w, err)) < 0)
		return r;
	*ret = w;
	return 0;
}

static int
pac_eval(void *ctx, void *evaluator, const struct egress_target *t,
    struct egress_answer *out, char *raw, size_t rawsz, struct dw_err *err)
{
	(void)ctx;
	return egress_worker_eval(evaluator, t, out, raw, rawsz, err);
}

static void
pac_stop(void *ctx, void *evaluator)
{
	(void)ctx;
	egress_worker_stop(evaluator);
}

static time_t
pac_now(void *ctx)
{
	struct timespec	ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void
pac_count(enum api_egress_pac_result r)
{
	switch (r) {
	case API_EGRESS_PAC_FETCHED:
		api_metrics_egress_pac_fetch(API_METRICS_PAC_OK);
		break;
	case API_EGRESS_PAC_NOT_MODIFIED:
		api_metrics_egress_pac_fetch(API_METRICS_PAC_NOT_MODIFIED);
		break;
	case API_EGRESS_PAC_FETCH_ERROR:
		api_metrics_egress_pac_fetch(API_METRICS_PAC_ERROR);
		break;
	case API_EGRESS_PAC_INVALID:
		api_metrics_egress_pac_fetch(API_METRICS_PAC_INVALID);
		break;
	case API_EGRESS_PAC_EXPIRED:
		break;	/* no download */
	}
}

/* Say in the log what a PAC change means for connections. */
static void
pac_log(const struct api_egress_pac_event *ev)
{
	if (ev->to == API_EGRESS_PAC_OK && ev->result == API_EGRESS_PAC_FETCHED)
		log_info("egress: PAC %s in force (%zu bytes)", ev->url, ev->bytes);
	else if (ev->to == API_EGRESS_PAC_OK)
		log_info("egress: PAC %s is reachable again, its script is in force",
		    ev->url);
	else if (ev->to == API_EGRESS_PAC_GRACE && ev->from == API_EGRESS_PAC_OK)
		log_warn("egress: PAC %s refresh failed (%s): the last good script "
		    "stays in force for the grace period", ev->url, ev->error);
	else if (ev->from != ev->to || ev->first)
		log_err("egress: PAC %s unavailable (%s): every container connection "
		    "the policy covers is REFUSED until a download works", ev->url,
		    ev->error);
	else
		log_debug("egress: PAC %s still unavailable: %s", ev->url, ev->error);
}

/* A PAC download or grace end: counted, logged, audited when it changed something. */
static void
pac_event(void *ctx, const struct api_egress_pac_event *ev)
{
	struct api_egress	*eg = ctx;
	struct snap		*s;

	pac_count(ev->result);
	pac_log(ev);
	if (ev->from == ev->to && ev->result != API_EGRESS_PAC_FETCHED && !ev->first)
		return;
	audit(eg, api_egress_format_pac(ev), "a PAC change");
	/* Answers of the old script (or of no script) must not outlive it. */
	if ((s = snap_get(eg)) != NULL) {
		egress_decider_flush(s->d);
		snap_put(s);
	}
}

/* Wait on eg->wake until the monotonic second due (lock held); false when stopping. */
static bool
wait_until(struct api_egress *eg, time_t due)
{
	struct timespec	ts;

	if (eg->stopping)
		return false;
	ts.tv_sec = due;
	ts.tv_nsec = 0;
	pthread_cond_timedwait(&eg->wake, &eg->lock, &ts);
	return !eg->stopping;
}

/* Downloads the PAC when due, ends graces, and refreshes at once when kicked. */
static void *
refresher_main(void *arg)
{
	struct api_egress	*eg = arg;
	struct api_egress_pac	*pac;
	time_t			 due;
	bool			 kick;

	pthread_mutex_lock(&eg->lock);
	while (!eg->stopping) {
		pac = eg->pac != NULL ? api_egress_pac_hold(eg->pac) : NULL;
		kick = eg->kick;
		eg->kick = false;
		pthread_mutex_unlock(&eg->lock);
		if (pac != NULL && kick)
			api_egress_pac_refresh(pac);
		due = pac != NULL ? api_egress_pac_tick(pac) : pac_now(NULL) + 3600;
		api_egress_pac_free(pac);
		pthread_mutex_lock(&eg->lock);
		if (!eg->kick && !wait_until(eg, due))
			break;
	}
	pthread_mutex_unlock(&eg->lock);
	return NULL;
}

/*
 * The PAC p names, held: the one in force when the URL is the same
 * (refreshed at once by the refresher, new periods), else a new one
 * downloaded now.  NULL without "pac" or on ENOMEM (err set).
 */
static struct api_egress_pac *
pac_for(struct api_egress *eg, const struct egress_policy *p, struct dw_err *err)
{
	struct api_egress_pac	*pac = NULL;

	if (p->pac_url == NULL)
		return NULL;
	pthread_mutex_lock(&eg->lock);
	if (eg->pac != NULL && api_egress_pac_same(eg->pac, p->pac_url, p->ca_file)) {
		pac = api_egress_pac_hold(eg->pac);
		eg->kick = true;
		pthread_cond_broadcast(&eg->wake);	/* the refresher, not the watcher */
	}
	pthread_mutex_unlock(&eg->lock);
	if (pac != NULL) {
		api_egress_pac_times(pac, p->pac_refresh_s, p->pac_grace_s);
		return pac;
	}
	if ((pac = api_egress_pac_new(p->pac_url, p->ca_file, p->pac_refresh_s,
	    p->pac_grace_s, &eg->pac_ops)) == NULL) {
		dw_err_set(err, "out of memory");
		return NULL;
	}
	(void)api_egress_pac_refresh(pac);	/* a failure refuses, it is not an error */
	return pac;
}

/* The refresher's PAC from now on (held or NULL). */
static void
pac_set(struct api_egress *eg, struct api_egress_pac *pac)
{
	struct api_egress_pac	*old;

	pthread_mutex_lock(&eg->lock);
	old = eg->pac;
	eg->pac = pac != NULL ? api_egress_pac_hold(pac) : NULL;
	pthread_cond_broadcast(&eg->wake);	/* the refresher, not the watcher */
	pthread_mutex_unlock(&eg->lock);
	api_egress_pac_free(old);
}

/* ---- the table ----------------------------------------------------------- */

/* This thread's effective capabilities; 0 when unknown. */
static uint64_t
caps_effective(void)
{
	struct __user_cap_header_struct	hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &hdr, d) != 0)
		return 0;
	return (uint64_t)d[1].effective << 32 | d[0].effective;
}

/* Apply the table for p (nft_lock held), saying what to do when dockward may not. */
static int
table_apply(const struct egress_policy *p, struct dw_err *err)
{
	int	r;

	if ((caps_effective() & CAP_BIT(CAP_NET_ADMIN)) == 0) {
		dw_err_set(err, "dockward does not hold CAP_NET_ADMIN, which the "
		    "nft table needs: it gave it up at start because the policy "
		    "it started with had no containersProxy, or the unit's "
		    "CapabilityBoundingSet lacks it. Restart dockward (systemctl "
		    "restart dockward) to turn air-gapped containers on");
		return -EPERM;
	}
	if ((r = egress_nft_apply(p, err)) < 0)
		dw_err_prefix(err, "nft table inet %s", EGRESS_NFT_TABLE);
	return r;
}

/* Is the table still there?  Put it back when not, with a record and a metric. */
static void
table_check(struct api_egress *eg)
{
	struct dw_err	 err;
	struct snap	*s;
	int		 r;

	pthread_mutex_lock(&eg->nft_lock);
	if ((s = snap_get(eg)) == NULL)
		goto out;
	err.msg[0] = '\0';
	if ((r = egress_nft_present(&err)) == 0 &&
	    (r = table_apply(s->p, &err)) == 0) {
		api_metrics_egress_table_reapplied();
		audit(eg, api_egress_format_table("reapplied", ""), "a table re-apply");
		log_warn("egress: the nft table inet %s was gone (nft flush ruleset?) "
		    "and is applied again", EGRESS_NFT_TABLE);
		eg->nft_failing = false;
	} else if (r < 0 && !eg->nft_failing) {
		eg->nft_failing = true;
		audit(eg, api_egress_format_table("check_failed", err.msg),
		    "a table check");
		log_err("egress: cannot check or re-apply the nft table inet %s: %s; "
		    "retrying every %d ms", EGRESS_NFT_TABLE, err.msg,
		    API_EGRESS_NFT_CHECK_MS);
	} else if (r > 0)
		eg->nft_failing = false;
	snap_put(s);
out:
	pthread_mutex_unlock(&eg->nft_lock);
}

static void *
watcher_main(void *arg)
{
	struct api_egress	*eg = arg;
	struct timespec		 ts;

	pthread_mutex_lock(&eg->lock);
	while (!eg->stopping) {
		pthread_mutex_unlock(&eg->lock);
		table_check(eg);
		pthread_mutex_lock(&eg->lock);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += API_EGRESS_NFT_CHECK_MS / 1000;
		ts.tv_nsec += (API_EGRESS_NFT_CHECK_MS % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!eg->stopping)
			pthread_cond_timedwait(&eg->wake, &eg->lock, &ts);
	}
	pthread_mutex_unlock(&eg->lock);
	return NULL;
}

/* ---- turning on, changing, turning off ----------------------------------- */

/* p (taken) in force: see api_egress_update.  update_lock held. */
static int
turn_on(struct api_egress *eg, struct egress_policy *p, struct dw_err *err)
{
	struct api_egress_pac	*pac;
	struct egress_proxy	*np = NULL, *old_proxy = NULL;
	struct snap		*s, *old;
	int			 r;

	pac = pac_for(eg, p, err);
	if (p->pac_url != NULL && pac == NULL) {
		egress_policy_free(p);
		return -ENOMEM;
	}
	s = snap_new(p, pac);
	if (s == NULL) {
		api_egress_pac_free(pac);
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if ((eg->proxy == NULL || eg->port != s->p->port) &&
	    (r = proxy_start(eg, s->p->port, &np, err)) < 0)
		goto fail;
	pthread_mutex_lock(&eg->nft_lock);
	if ((r = table_apply(s->p, err)) < 0) {
		pthread_mutex_unlock(&eg->nft_lock);
		goto fail;
	}
	old = snap_swap(eg, s);
	eg->nft_failing = false;
	pthread_mutex_unlock(&eg->nft_lock);
	if (np != NULL) {
		pthread_mutex_lock(&eg->lock);
		old_proxy = eg->proxy;
		eg->proxy = np;
		eg->port = s->p->port;
		pthread_mutex_unlock(&eg->lock);
	}
	pac_set(eg, pac);
	api_egress_pac_free(pac);
	snap_put(old);
	egress_proxy_stop(old_proxy);	/* its connections were decided under the old policy */
	log_info("egress: containersProxy in force: nft table inet %s, proxy on "
	    "port %u, %s", EGRESS_NFT_TABLE, (unsigned)eg->port, s->p->pac_url != NULL ?
	    "PAC" : "static policy (http/https/exclude)");
	return 0;
fail:
	egress_proxy_stop(np);
	api_egress_pac_free(pac);
	snap_put(s);
	return r;
}

/* The admin removed containersProxy: the table goes, then the proxy.  update_lock held. */
static int
turn_off(struct api_egress *eg, struct dw_err *err)
{
	struct egress_proxy	*old_proxy;
	struct snap		*old;
	int			 r;

	pthread_mutex_lock(&eg->nft_lock);
	if (eg->cur != NULL && (r = egress_nft_remove(err)) < 0) {
		pthread_mutex_unlock(&eg->nft_lock);
		dw_err_prefix(err, "containersProxy removed, but the nft table "
		    "inet %s stays", EGRESS_NFT_TABLE);
		return r;
	}
	old = snap_swap(eg, NULL);
	pthread_mutex_unlock(&eg->nft_lock);
	pthread_mutex_lock(&eg->lock);
	old_proxy = eg->proxy;
	eg->proxy = NULL;
	eg->port = 0;
	pthread_mutex_unlock(&eg->lock);
	egress_proxy_stop(old_proxy);
	pac_set(eg, NULL);
	if (old != NULL)
		log_info("egress: containersProxy is no longer in the policy: nft "
		    "table inet %s removed, proxy stopped", EGRESS_NFT_TABLE);
	snap_put(old);
	return 0;
}

int
api_egress_update(struct api_egress *eg, struct egress_policy *p, struct dw_err *err)
{
	int	r;

	pthread_mutex_lock(&eg->update_lock);
	if (!eg->started) {
		egress_policy_free(eg->pending);
		eg->pending = p;
		r = 0;
	} else if (p != NULL)
		r = turn_on(eg, p, err);
	else
		r = turn_off(eg, err);
	pthread_mutex_unlock(&eg->update_lock);
	return r;
}

/* ---- the policy ---------------------------------------------------------- */

/* The allowed resolvers of p as text, for authz's --dns rule. */
static int
dns_strv(const struct egress_policy *p, struct dw_strv *out)
{
	char	buf[EGRESS_ADDR_STRLEN];
	size_t	i;

	for (i = 0; i < p->ndns; i++)
		if (dw_strv_push(out, egress_addr_format(&p->dns[i], buf,
		    sizeof(buf))) < 0)
			return -ENOMEM;
	return 0;
}

/*
 * dockerd's own "dns" (daemon.json), which containers of the default
 * bridge get as their resolvers: allowed too.  No file, or one we cannot
 * read as JSON, adds nothing (doctor reads daemon.json and says why).
 */
static void
daemon_dns(struct dw_strv *out)
{
	json_t		*root = NULL, *v;
	json_error_t	 je;
	char		*buf = NULL;
	size_t		 len, i;

	if (dw_file_read_at(AT_FDCWD, DW_PATH_DAEMON_JSON, O_NOFOLLOW,
	    DW_DAEMON_JSON_MAX, &buf, &len) < 0)
		return;
	if ((root = json_loadb(buf, len, 0, &je)) != NULL &&
	    json_is_array(json_object_get(root, "dns")))
		json_array_foreach(json_object_get(root, "dns"), i, v)
			if (json_is_string(v) &&
			    dw_strv_push(out, json_string_value(v)) < 0)
				break;
	json_decref(root);
	free(buf);
}

int
api_egress_default_dns(struct egress_policy *p, const char *resolv_conf,
    const char **ret_path, struct dw_err *err)
{
	const char	*path = resolv_conf != NULL ? resolv_conf : DW_PATH_RESOLV_CONF;
	struct dw_strv	 dd = { 0 };
	int		 r;

	daemon_dns(&dd);
	r = egress_policy_default_dns(p, path, &dd, err);
	if ((r < 0 || p->ndns == 0) && resolv_conf == NULL &&
	    access(DW_PATH_RESOLV_CONF_RESOLVED, R_OK) == 0) {
		path = DW_PATH_RESOLV_CONF_RESOLVED;
		r = egress_policy_default_dns(p, path, &dd, err);
	}
	dw_strv_clear(&dd);
	*ret_path = path;
	return r;
}

/*
 * A resolv.conf that cannot be read is no error in the admin's policy: it
 * leaves no resolver allowed (containers get no DNS: fail closed), with a
 * warning.
 */
static void
default_dns(struct egress_policy *p, const char *resolv_conf)
{
	struct dw_err	 err;
	const char	*path;

	err.msg[0] = '\0';
	if (api_egress_default_dns(p, resolv_conf, &path, &err) == 0 && p->ndns > 0)
		return;
	if (p->udp == EGRESS_UDP_DNS_ONLY)
		log_warn("egress: no DNS resolver allowed (%s): containers cannot "
		    "resolve names; set dockward.egress.dnsServers", err.msg[0] ?
		    err.msg : "no nameserver but loopback ones");
}

int
api_egress_policy(struct authz_settings *s, const char *resolv_conf,
    struct egress_policy **ret, struct dw_err *err)
{
	struct egress_policy	*p = NULL;
	struct dw_strv		 dns = { 0 };
	int			 r;

	if (!s->egress_enabled) {
		*ret = NULL;
		return 0;
	}
	if ((r = egress_policy_parse(s->containers_proxy, s->egress, &p, err)) < 0)
		return r;
	if (p->port < API_EGRESS_PORT_MIN) {
		dw_err_set(err, "dockward.egress.port: %u: must be %d or above: "
		    "dockward binds it after giving up its privileges",
		    (unsigned)p->port, API_EGRESS_PORT_MIN);
		r = -EINVAL;
		goto out;
	}
	if (p->mode == EGRESS_MODE_SYSTEM &&
	    (r = egress_policy_system(p, NULL, err)) < 0)
		goto out;
	if (!p->dns_explicit)
		default_dns(p, resolv_conf);
	if ((r = dns_strv(p, &dns)) < 0) {
		dw_err_set(err, "out of memory");
		goto out;
	}
	if ((r = authz_settings_set_egress_dns(s, &dns, err)) < 0)
		goto out;
	*ret = p;
	p = NULL;
out:
	dw_strv_clear(&dns);
	egress_policy_free(p);
	return r;
}

/* ---- life cycle ------------------------------------------------------------ */

struct api_egress *
api_egress_new(void)
{
	struct api_egress	*eg;
	pthread_condattr_t	 ca;

	if ((eg = calloc(1, sizeof(*eg))) == NULL)
		return NULL;
	pthread_mutex_init(&eg->update_lock, NULL);
	pthread_mutex_init(&eg->nft_lock, NULL);
	pthread_rwlock_init(&eg->cur_lock, NULL);
	pthread_mutex_init(&eg->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&eg->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&eg->qlock, NULL);
	pthread_cond_init(&eg->qwake, NULL);
	STAILQ_INIT(&eg->q);
	eg->pac_ops = (struct api_egress_pac_ops){ .fetch = pac_fetch,
	    .start = pac_start, .eval = pac_eval, .stop = pac_stop, .now = pac_now,
	    .event = pac_event, .ctx = eg };
	return eg;
}

uint64_t
api_egress_boot(struct api_egress *eg)
{
	struct dw_err	err;
	int		r;

	if (eg->pending != NULL)
		return eg->caps = CAP_BIT(CAP_NET_ADMIN);
	/* Read-only first: a host that never ran the feature is not touched. */
	err.msg[0] = '\0';
	if ((r = egress_nft_present(&err)) == 1) {
		if ((r = egress_nft_remove(&err)) == 0)
			log_info("egress: removed the nft table inet %s a previous run "
			    "left: containersProxy is not in the policy", EGRESS_NFT_TABLE);
		else
			log_err("egress: the nft table inet %s a previous run left "
			    "stays (%s): container connections it redirects are "
			    "refused", EGRESS_NFT_TABLE, err.msg);
	} else if (r < 0)
		log_debug("egress: no leftover table check: %s", err.msg);
	return eg->caps = 0;
}

/* The engine's running containers, for the records. */
static int
who_list(void *ctx, json_t **ret, struct dw_err *err)
{
	struct api_egress	*eg = ctx;

	return api_engine_get_json(eg->engine, "/v1.24/containers/json", ret, err);
}

static int
thread(pthread_t *t, bool *on, void *(*fn)(void *), struct api_egress *eg,
    const char *what, struct dw_err *err)
{
	int	r;

	if ((r = pthread_create(t, NULL, fn, eg)) != 0) {
		dw_err_set(err, "egress: cannot start the %s thread: %s", what,
		    strerror(r));
		return -r;
	}
	*on = true;
	return 0;
}

int
api_egress_start(struct api_egress *eg, const struct api_egress_opts *o,
    struct dw_err *err)
{
	struct egress_policy	*p;
	int			 r;

	eg->engine = o->engine;
	eg->audit = o->audit;
	if ((eg->who = api_egress_who_new(who_list, eg, NULL, NULL)) == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if ((r = thread(&eg->recorder, &eg->recorder_on, recorder_main, eg,
	    "audit record", err)) < 0)
		return r;
	pthread_mutex_lock(&eg->update_lock);
	eg->started = true;
	p = eg->pending;
	eg->pending = NULL;
	r = p != NULL ? turn_on(eg, p, err) : 0;
	pthread_mutex_unlock(&eg->update_lock);
	if (r < 0)
		return r;
	if ((r = thread(&eg->refresher, &eg->refresher_on, refresher_main, eg,
	    "PAC refresh", err)) < 0 ||
	    (r = thread(&eg->watcher, &eg->watcher_on, watcher_main, eg,
	    "nft table watcher", err)) < 0)
		return r;
	return 0;
}

void
api_egress_collect(struct api_egress *eg)
{
	struct egress_proxy_stats	st;

	memset(&st, 0, sizeof(st));
	/* Under lock: a replaced proxy is stopped only after its pointer left. */
	pthread_mutex_lock(&eg->lock);
	if (eg->proxy != NULL)
		egress_proxy_stats(eg->proxy, &st);
	pthread_mutex_unlock(&eg->lock);
	api_metrics_egress_open_set((int64_t)st.open);
}

/* Stop and join the refresher and the watcher. */
static void
threads_stop(struct api_egress *eg)
{
	pthread_mutex_lock(&eg->lock);
	eg->stopping = true;
	pthread_cond_broadcast(&eg->wake);
	pthread_mutex_unlock(&eg->lock);
	if (eg->refresher_on)
		pthread_join(eg->refresher, NULL);
	if (eg->watcher_on)
		pthread_join(eg->watcher, NULL);
	eg->refresher_on = eg->watcher_on = false;
}

/* Write what is queued and stop the recorder. */
static void
recorder_stop(struct api_egress *eg)
{
	pthread_mutex_lock(&eg->qlock);
	eg->qstop = true;
	pthread_cond_signal(&eg->qwake);
	pthread_mutex_unlock(&eg->qlock);
	if (eg->recorder_on)
		pthread_join(eg->recorder, NULL);
	eg->recorder_on = false;
}

void
api_egress_free(struct api_egress *eg)
{
	if (eg == NULL)
		return;
	threads_stop(eg);
	egress_proxy_stop(eg->proxy);	/* reports its last connections */
	recorder_stop(eg);
	if (eg->cur != NULL)
		log_warn("egress: stopping with containersProxy on: the nft table inet "
		    "%s stays, so container connections it redirects are refused "
		    "(nobody serves port %u) until dockward runs again; remove "
		    "containersProxy from the policy and reload to lift it",
		    EGRESS_NFT_TABLE, (unsigned)eg->port);
	snap_put(snap_swap(eg, NULL));
	api_egress_pac_free(eg->pac);
	egress_policy_free(eg->pending);
	api_egress_who_free(eg->who);
	egress_bridges_free(eg->bridges);
	pthread_mutex_destroy(&eg->update_lock);
	pthread_mutex_destroy(&eg->nft_lock);
	pthread_rwlock_destroy(&eg->cur_lock);
	pthread_mutex_destroy(&eg->lock);
	pthread_cond_destroy(&eg->wake);
	pthread_mutex_destroy(&eg->qlock);
	pthread_cond_destroy(&eg->qwake);
	free(eg);
}
