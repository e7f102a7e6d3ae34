/* api_egress_pac: the PAC in force, its refresh and its grace; see api_egress_pac.h. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_egress_pac.h"
#include "api/api_metrics.h"

/* One started evaluator; the last reference stops it. */
struct evaluator {
	void	*h;
	int	 refs;
};

struct api_egress_pac {
	const struct api_egress_pac_ops	*ops;
	char				*url;
	char				*ca_file;	/* NULL: the system CAs */
	char				*shown;		/* url without user:password */
	int				 refs;
	pthread_mutex_t			 run;	/* one download or tick at a time */
	pthread_mutex_t			 lock;	/* everything below; writers hold run too */
	enum api_egress_pac_state	 state;
	struct evaluator		*ev;	/* the last good script's, NULL before one */
	struct egress_fetch_validators	 val;	/* ev's script's ETag and Last-Modified */
	unsigned			 refresh_s, grace_s;
	bool				 tried;		/* a download was attempted */
	time_t				 last_try, last_ok, fail_since;
	int				 last_r;	/* the last failure's -errno */
	char				 last_error[DW_ERR_MAX];
};

static void
evaluator_put(struct api_egress_pac *p, struct evaluator *e)
{
	if (e != NULL && __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		p->ops->stop(p->ops->ctx, e->h);
		free(e);
	}
}

const char *
api_egress_pac_redact(const char *url, char *buf, size_t sz)
{
	const char	*auth, *end, *at;

	if ((auth = strstr(url, "://")) == NULL) {
		snprintf(buf, sz, "%s", url);
		return buf;
	}
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(end - auth));
	if (at == NULL)
		snprintf(buf, sz, "%s", url);
	else
		snprintf(buf, sz, "%.*s***%s", (int)(auth - url), url, at);
	return buf;
}

struct api_egress_pac *
api_egress_pac_new(const char *url, const char *ca_file, unsigned refresh_s,
    unsigned grace_s, const struct api_egress_pac_ops *ops)
{
	struct api_egress_pac	*p;
	size_t			 n = strlen(url) + 4;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->url = strdup(url);
	p->ca_file = ca_file != NULL ? strdup(ca_file) : NULL;
	p->shown = malloc(n);
	if (p->url == NULL || p->shown == NULL || (ca_file != NULL && p->ca_file == NULL)) {
		free(p->url);
		free(p->ca_file);
		free(p->shown);
		free(p);
		return NULL;
	}
	api_egress_pac_redact(url, p->shown, n);
	p->ops = ops;
	p->refs = 1;
	p->refresh_s = refresh_s;
	p->grace_s = grace_s;
	pthread_mutex_init(&p->run, NULL);
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

struct api_egress_pac *
api_egress_pac_hold(struct api_egress_pac *p)
{
	__atomic_add_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
	return p;
}

void
api_egress_pac_free(struct api_egress_pac *p)
{
	if (p == NULL || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	evaluator_put(p, p->ev);
	pthread_mutex_destroy(&p->run);
	pthread_mutex_destroy(&p->lock);
	free(p->url);
	free(p->ca_file);
	free(p->shown);
	free(p);
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

bool
api_egress_pac_same(const struct api_egress_pac *p, const char *url,
    const char *ca_file)
{
	return same_str(p->url, url) && same_str(p->ca_file, ca_file);
}

void
api_egress_pac_times(struct api_egress_pac *p, unsigned refresh_s, unsigned grace_s)
{
	pthread_mutex_lock(&p->lock);
	p->refresh_s = refresh_s;
	p->grace_s = grace_s;
	pthread_mutex_unlock(&p->lock);
}

enum api_egress_pac_state
api_egress_pac_state(struct api_egress_pac *p)
{
	enum api_egress_pac_state	s;

	pthread_mutex_lock(&p->lock);
	s = p->state;
	pthread_mutex_unlock(&p->lock);
	return s;
}

const char *
api_egress_pac_state_name(enum api_egress_pac_state s)
{
	switch (s) {
	case API_EGRESS_PAC_NONE: return "none";
	case API_EGRESS_PAC_OK: return "ok";
	case API_EGRESS_PAC_GRACE: return "grace";
	case API_EGRESS_PAC_FAILED: return "failed";
	}
	return "?";
}

const char *
api_egress_pac_result_name(enum api_egress_pac_result r)
{
	switch (r) {
	case API_EGRESS_PAC_FETCHED: return "ok";
	case API_EGRESS_PAC_NOT_MODIFIED: return "not_modified";
	case API_EGRESS_PAC_FETCH_ERROR: return "error";
	case API_EGRESS_PAC_INVALID: return "invalid";
	case API_EGRESS_PAC_EXPIRED: return "expired";
	}
	return "?";
}

/* When the next download is due (lock held). */
static time_t
next_due(const struct api_egress_pac *p)
{
	unsigned	retry = API_EGRESS_PAC_RETRY_S;

	if (!p->tried)
		return 0;
	if (p->refresh_s > 0 && p->refresh_s < retry)
		retry = p->refresh_s;
	if (p->state == API_EGRESS_PAC_OK)
		return p->last_ok + (time_t)(p->refresh_s > 0 ? p->refresh_s : retry);
	return p->last_try + (time_t)retry;
}

/* A download failed at now (lock held): the script in use may stay for the grace. */
static void
fail_at(struct api_egress_pac *p, time_t now, int r, const struct dw_err *err)
{
	if (p->state == API_EGRESS_PAC_OK) {
		p->fail_since = now;
		p->state = API_EGRESS_PAC_GRACE;
	}
	if (p->state == API_EGRESS_PAC_GRACE &&
	    now - p->fail_since >= (time_t)p->grace_s)
		p->state = API_EGRESS_PAC_FAILED;
	p->last_r = r;
	snprintf(p->last_error, sizeof(p->last_error), "%s", err->msg);
}

/*
 * Download, compile, and tell what happened.  Only under p->run, so the
 * fields read without p->lock here change under no one else.
 */
static void
download(struct api_egress_pac *p)
{
	const struct api_egress_pac_ops	*ops = p->ops;
	struct api_egress_pac_event	 ev;
	struct evaluator		*ne = NULL, *old = NULL;
	struct dw_err			 err;
	struct egress_fetch_validators	 val;
	char				*body = NULL;
	size_t				 len = 0;
	time_t				 now = ops->now(ops->ctx);
	int				 r;

	memset(&ev, 0, sizeof(ev));
	memset(&val, 0, sizeof(val));
	err.msg[0] = '\0';
	r = ops->fetch(ops->ctx, p->url, p->ca_file, p->ev != NULL ? &p->val : NULL,
	    &body, &len, &val, &err);
	ev.result = r == 0 ? API_EGRESS_PAC_FETCHED : r == 1 ?
	    API_EGRESS_PAC_NOT_MODIFIED : API_EGRESS_PAC_FETCH_ERROR;
	if (r == 1 && p->ev == NULL) {
		r = -EPROTO;
		ev.result = API_EGRESS_PAC_FETCH_ERROR;
		dw_err_set(&err, "the server answered 304 Not Modified to an "
		    "unconditional request");
	}
	if (r == 0 && (ne = calloc(1, sizeof(*ne))) == NULL) {
		r = -ENOMEM;
		dw_err_set(&err, "out of memory");
	} else if (r == 0 && (r = ops->start(ops->ctx, body, len, &ne->h, &err)) < 0) {
		ev.result = API_EGRESS_PAC_INVALID;
		free(ne);
		ne = NULL;
	}
	pthread_mutex_lock(&p->lock);
	ev.from = p->state;
	ev.first = !p->tried;
	p->tried = true;
	p->last_try = now;
	if (r >= 0) {
		if (ne != NULL) {
			ne->refs = 1;
			old = p->ev;
			p->ev = ne;
			p->val = val;
			ev.bytes = len;
		}
		p->state = API_EGRESS_PAC_OK;
		p->last_ok = now;
		p->last_error[0] = '\0';
	} else
		fail_at(p, now, r, &err);
	ev.to = p->state;
	pthread_mutex_unlock(&p->lock);
	evaluator_put(p, old);
	ev.url = p->shown;
	ev.etag = p->val.etag;
	ev.error = r < 0 ? err.msg : "";
	if (ops->event != NULL)
		ops->event(ops->ctx, &ev);
	free(body);
}

enum api_egress_pac_state
api_egress_pac_refresh(struct api_egress_pac *p)
{
	pthread_mutex_lock(&p->run);
	download(p);
	pthread_mutex_unlock(&p->run);
	return api_egress_pac_state(p);
}

/* End the grace when it is over (under run); true when it ended now. */
static bool
grace_end(struct api_egress_pac *p, time_t now, struct api_egress_pac_event *ev)
{
	bool	ended = false;

	pthread_mutex_lock(&p->lock);
	if (p->state == API_EGRESS_PAC_GRACE &&
	    now - p->fail_since >= (time_t)p->grace_s) {
		memset(ev, 0, sizeof(*ev));
		ev->from = p->state;
		ev->to = p->state = API_EGRESS_PAC_FAILED;
		ev->result = API_EGRESS_PAC_EXPIRED;
		ev->url = p->shown;
		ev->etag = p->val.etag;
		ev->error = p->last_error;
		ended = true;
	}
	pthread_mutex_unlock(&p->lock);
	return ended;
}

time_t
api_egress_pac_tick(struct api_egress_pac *p)
{
	const struct api_egress_pac_ops	*ops = p->ops;
	struct api_egress_pac_event	 ev;
	time_t				 now, due;

	pthread_mutex_lock(&p->run);
	now = ops->now(ops->ctx);
	if (grace_end(p, now, &ev) && ops->event != NULL)
		ops->event(ops->ctx, &ev);
	pthread_mutex_lock(&p->lock);
	due = next_due(p);
	pthread_mutex_unlock(&p->lock);
	if (now >= due)
		download(p);
	pthread_mutex_lock(&p->lock);
	due = next_due(p);
	if (p->state == API_EGRESS_PAC_GRACE &&
	    p->fail_since + (time_t)p->grace_s < due)
		due = p->fail_since + (time_t)p->grace_s;
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_unlock(&p->run);
	return due;
}

/* The REFUSE every failure answers. */
static void
refuse(struct egress_answer *out)
{
	memset(out, 0, sizeof(*out));
	out->r[0].kind = EGRESS_ROUTE_REFUSE;
	out->n = 1;
}

int
api_egress_pac_eval(void *ctx, const struct egress_target *t,
    struct egress_answer *out, char *raw, size_t rawsz, struct dw_err *err)
{
	struct api_egress_pac	*p = ctx;
	struct evaluator	*e = NULL;
	int			 r;

	if (raw != NULL && rawsz > 0)
		raw[0] = '\0';
	pthread_mutex_lock(&p->lock);
	if (p->ev != NULL && (p->state == API_EGRESS_PAC_OK ||
	    p->state == API_EGRESS_PAC_GRACE)) {
		e = p->ev;
		__atomic_add_fetch(&e->refs, 1, __ATOMIC_ACQ_REL);
	} else {
		r = p->last_r < 0 ? p->last_r : -ENOENT;
		/* The download's error names the URL already. */
		if (p->last_error[0] != '\0')
			dw_err_set(err, "PAC unavailable: %s", p->last_error);
		else
			dw_err_set(err, "PAC unavailable: %s: not downloaded yet",
			    p->shown);
	}
	pthread_mutex_unlock(&p->lock);
	if (e == NULL) {
		refuse(out);
		return r;
	}
	if ((r = p->ops->eval(p->ops->ctx, e->h, t, out, raw, rawsz, err)) < 0)
		refuse(out);
	api_metrics_egress_pac_eval(r == 0);
	evaluator_put(p, e);
	return r;
}
