/*
 * egress_decider: the decision for one connection (egress_decide.h; this
 * file is named after the functions it defines).  A container says which
 * name it wants (Host, SNI); the name counts only when it resolves to the
 * address the container actually dialled, so that `Host: allowed.example`
 * cannot open a path to another address.  Decisions are cached in a hash
 * table keyed by (claimed name, IP, port), bounded, oldest evicted first,
 * each entry living EGRESS_CACHE_TTL_S seconds.
 */
#include <sys/queue.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egress/egress_decide.h"

#define DECIDER_BUCKETS		(EGRESS_CACHE_MAX * 2)	/* a power of two */
#define DECIDER_ADDRS_MAX	32	/* addresses of one name compared */

struct decider_entry {
	TAILQ_ENTRY(decider_entry)	 age;	/* oldest first */
	struct decider_entry		*next;	/* bucket chain */
	uint32_t			 hash;
	char				*name;	/* claimed, normalised ("" none) */
	struct egress_addr		 ip;
	uint16_t			 port;
	long long			 expires;
	bool				 proven;
	bool				 pac;
	struct egress_answer		 answer;
	char				*raw;	/* the PAC's words ("" without PAC) */
};

TAILQ_HEAD(decider_ages, decider_entry);

struct egress_decider {
	const struct egress_policy	*policy;
	egress_eval_fn			 eval;
	void				*eval_ctx;
	egress_resolve_fn		 resolve;
	void				*resolve_ctx;
	long long			(*now)(void *);
	void				*now_ctx;

	pthread_mutex_t			 mu;
	struct decider_entry		*buckets[DECIDER_BUCKETS];
	struct decider_ages		 ages;
	size_t				 n;
	unsigned long long		 gen;	/* bumped by flush */
};

static long long
decider_monotonic(void *ctx)
{
	struct timespec	ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

/* getaddrinfo: every address of name, v4-mapped folded. */
static int
decider_getaddrinfo(void *ctx, const char *name, struct egress_addr *out, size_t max)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	size_t		 n = 0;
	int		 g;

	(void)ctx;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((g = getaddrinfo(name, NULL, &hints, &res)) != 0) {
		if (g == EAI_NONAME || g == EAI_NODATA || g == EAI_FAIL)
			return -ENOENT;
		if (g == EAI_MEMORY)
			return -ENOMEM;
		return g == EAI_AGAIN ? -EAGAIN : -EIO;
	}
	for (ai = res; ai != NULL && n < max; ai = ai->ai_next)
		if (egress_addr_from_sockaddr(ai->ai_addr, &out[n], NULL) == 0)
			n++;
	freeaddrinfo(res);
	return (int)n;
}

struct egress_decider *
egress_decider_new(const struct egress_policy *policy, egress_eval_fn eval, void *eval_ctx,
    egress_resolve_fn resolve, void *resolve_ctx)
{
	struct egress_decider	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if (pthread_mutex_init(&d->mu, NULL) != 0) {
		free(d);
		return NULL;
	}
	d->policy = policy;
	d->eval = eval;
	d->eval_ctx = eval_ctx;
	d->resolve = resolve != NULL ? resolve : decider_getaddrinfo;
	d->resolve_ctx = resolve_ctx;
	d->now = decider_monotonic;
	TAILQ_INIT(&d->ages);
	return d;
}

void
egress_decider_set_clock(struct egress_decider *d, long long (*now)(void *ctx), void *ctx)
{
	d->now = now != NULL ? now : decider_monotonic;
	d->now_ctx = ctx;
}

/* FNV-1a over the key. */
static uint32_t
decider_hash(const char *name, const struct egress_addr *ip, uint16_t port)
{
	const unsigned char	*p;
	uint32_t		 h = 2166136261u;
	size_t			 i, n;

	for (p = (const unsigned char *)name; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	h = (h ^ (uint32_t)ip->family) * 16777619u;
	p = ip->family == AF_INET ? (const unsigned char *)&ip->u.v4 : ip->u.v6.s6_addr;
	n = ip->family == AF_INET ? 4 : 16;
	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	h = (h ^ (port & 0xff)) * 16777619u;
	h = (h ^ (port >> 8)) * 16777619u;
	return h;
}

/* Unlink e from its bucket and the age list, and free it.  Lock held. */
static void
decider_drop(struct egress_decider *d, struct decider_entry *e)
{
	struct decider_entry	**pp;

	for (pp = &d->buckets[e->hash & (DECIDER_BUCKETS - 1)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	TAILQ_REMOVE(&d->ages, e, age);
	d->n--;
	free(e->name);
	free(e->raw);
	free(e);
}

/* The live entry for the key, or NULL (an expired one is dropped).  Lock held. */
static struct decider_entry *
decider_find(struct egress_decider *d, uint32_t h, const char *name,
    const struct egress_addr *ip, uint16_t port, long long now)
{
	struct decider_entry	*e;

	for (e = d->buckets[h & (DECIDER_BUCKETS - 1)]; e != NULL; e = e->next) {
		if (e->hash != h || e->port != port || !egress_addr_equal(&e->ip, ip) ||
		    strcmp(e->name, name) != 0)
			continue;
		if (now >= e->expires) {
			decider_drop(d, e);
			return NULL;
		}
		return e;
	}
	return NULL;
}

/* Remember a decision and the PAC's words; out of memory only means it is not cached. */
static void
decider_store(struct egress_decider *d, unsigned long long gen, uint32_t h, const char *name,
    const struct egress_target *t, bool proven, bool pac, const struct egress_answer *a,
    const char *raw)
{
	struct decider_entry	*e, *old;
	long long		 now;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return;
	if ((e->name = strdup(name)) == NULL || (e->raw = strdup(raw)) == NULL) {
		free(e->name);
		free(e);
		return;
	}
	e->hash = h;
	e->ip = t->ip;
	e->port = t->port;
	e->proven = proven;
	e->pac = pac;
	e->answer = *a;
	pthread_mutex_lock(&d->mu);
	if (gen != d->gen) {
		/* Flushed while deciding: the answer may be the old policy's. */
		pthread_mutex_unlock(&d->mu);
		free(e->name);
		free(e->raw);
		free(e);
		return;
	}
	now = d->now(d->now_ctx);
	e->expires = now + EGRESS_CACHE_TTL_S;
	if ((old = decider_find(d, h, name, &t->ip, t->port, now)) != NULL)
		decider_drop(d, old);
	while (d->n >= EGRESS_CACHE_MAX && !TAILQ_EMPTY(&d->ages))
		decider_drop(d, TAILQ_FIRST(&d->ages));
	e->next = d->buckets[h & (DECIDER_BUCKETS - 1)];
	d->buckets[h & (DECIDER_BUCKETS - 1)] = e;
	TAILQ_INSERT_TAIL(&d->ages, e, age);
	d->n++;
	pthread_mutex_unlock(&d->mu);
}

void
egress_decider_flush(struct egress_decider *d)
{
	pthread_mutex_lock(&d->mu);
	while (!TAILQ_EMPTY(&d->ages))
		decider_drop(d, TAILQ_FIRST(&d->ages));
	d->gen++;
	pthread_mutex_unlock(&d->mu);
}

size_t
egress_decider_cached(struct egress_decider *d)
{
	size_t	n;

	pthread_mutex_lock(&d->mu);
	n = d->n;
	pthread_mutex_unlock(&d->mu);
	return n;
}

void
egress_decider_free(struct egress_decider *d)
{
	if (d == NULL)
		return;
	egress_decider_flush(d);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

/*
 * The claimed name as the policy compares it: lower-case, no trailing
 * dot; "" when there is none or it is an IP literal (no name).  False
 * when something was claimed that is no DNS name (rejected).
 */
static bool
decider_norm(const struct egress_target *t, char *buf, size_t sz)
{
	struct egress_addr	 a;
	char			 inner[EGRESS_HOST_MAX];
	size_t			 len, i;

	buf[0] = '\0';
	if (t->source == EGRESS_NAME_IP || t->claimed[0] == '\0')
		return true;
	len = strnlen(t->claimed, sizeof(t->claimed));
	if (len >= sizeof(t->claimed) || len >= sz)
		return false;
	if (len > 1 && t->claimed[len - 1] == '.')
		len--;
	for (i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)t->claimed[i]);
	buf[len] = '\0';
	if (egress_addr_parse(buf, &a) == 0) {
		buf[0] = '\0';
		return true;
	}
	if (len > 2 && buf[0] == '[' && buf[len - 1] == ']') {
		memcpy(inner, buf + 1, len - 2);
		inner[len - 2] = '\0';
		if (egress_addr_parse(inner, &a) == 0) {
			buf[0] = '\0';
			return true;
		}
	}
	if (!egress_answer_name_ok(buf)) {
		buf[0] = '\0';
		return false;
	}
	return true;
}

/* 1 when name resolves to ip, 0 when not, -errno when it could not be resolved. */
static int
decider_prove(struct egress_decider *d, const char *name, const struct egress_addr *ip)
{
	struct egress_addr	addrs[DECIDER_ADDRS_MAX];
	int			n, i;

	n = d->resolve(d->resolve_ctx, name, addrs, DECIDER_ADDRS_MAX);
	if (n < 0)
		return n == -ENOENT ? 0 : n;
	for (i = 0; i < n && i < DECIDER_ADDRS_MAX; i++)
		if (egress_addr_equal(&addrs[i], ip))
			return 1;
	return 0;
}

/* Fill t's name from the decision (proven or not). */
static void
decider_name(struct egress_target *t, const char *name, bool proven)
{
	if (proven && name[0] != '\0') {
		snprintf(t->name, sizeof(t->name), "%s", name);
	} else {
		t->name[0] = '\0';
		t->source = EGRESS_NAME_IP;
	}
}

/*
 * A decision not in the cache: prove the name, then the static policy or
 * the PAC.  0, or -errno for a refusal that is an error (never cached).
 */
static int
decider_fresh(struct egress_decider *d, struct egress_target *t, const char *name,
    struct egress_answer *a, struct egress_decide_info *info, bool *proven, bool *cacheable)
{
	struct dw_err	err;
	int		r, p;

	*proven = false;
	*cacheable = true;
	if (name[0] != '\0') {
		p = decider_prove(d, name, &t->ip);
		if (p < 0)
			*cacheable = false;	/* the resolver failed: not the name's fault */
		*proven = p == 1;
		if (!*proven)
			info->name_rejected = true;
	}
	decider_name(t, name, *proven);
	if (d->policy->pac_url == NULL) {
		egress_policy_decide_static(d->policy, t, a);
		return 0;
	}
	if (d->eval == NULL) {
		/* A PAC that could not be fetched or compiled: fail closed. */
		egress_answer_one(a, EGRESS_ROUTE_REFUSE, NULL, 0);
		snprintf(info->error, sizeof(info->error), "PAC unavailable");
		return -ENOENT;
	}
	info->pac = true;
	err.msg[0] = '\0';
	/* The PAC's own words for the audit, also when they do not parse. */
	info->pac_answer[0] = '\0';
	r = d->eval(d->eval_ctx, t, a, info->pac_answer, sizeof(info->pac_answer), &err);
	info->pac_answer[sizeof(info->pac_answer) - 1] = '\0';
	if (r == 0 && (a->n == 0 || a->n > EGRESS_ROUTES_MAX)) {
		snprintf(err.msg, sizeof(err.msg), "the evaluation gave no route");
		r = -EPROTO;
	}
	if (r != 0) {
		if (r > 0)
			r = -EIO;
		egress_answer_one(a, EGRESS_ROUTE_REFUSE, NULL, 0);
		snprintf(info->error, sizeof(info->error), "PAC: %s",
		    err.msg[0] ? err.msg : strerror(-r));
		return r;
	}
	return 0;
}

int
egress_decider_decide(struct egress_decider *d, struct egress_target *t,
    struct egress_answer *out, struct egress_decide_info *info)
{
	struct egress_decide_info	 scratch;
	struct egress_answer		 a;
	struct decider_entry		*e;
	char				 name[EGRESS_HOST_MAX];
	unsigned long long		 gen;
	uint32_t			 h;
	bool				 proven = false, cacheable = false;
	int				 r = 0;

	if (info == NULL)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	egress_answer_one(&a, EGRESS_ROUTE_REFUSE, NULL, 0);

	/* Not subject to the policy: what the kernel path would have done. */
	if (!egress_ports_match(&d->policy->ports, t->port)) {
		decider_name(t, "", false);
		egress_answer_one(&a, EGRESS_ROUTE_DIRECT, NULL, 0);
		goto out;
	}
	if (!decider_norm(t, name, sizeof(name)))
		info->name_rejected = true;
	h = decider_hash(name, &t->ip, t->port);

	pthread_mutex_lock(&d->mu);
	gen = d->gen;
	if ((e = decider_find(d, h, name, &t->ip, t->port, d->now(d->now_ctx))) != NULL) {
		a = e->answer;
		proven = e->proven;
		info->pac = e->pac;
		info->cached = true;
		snprintf(info->pac_answer, sizeof(info->pac_answer), "%s", e->raw);
	}
	pthread_mutex_unlock(&d->mu);
	if (info->cached) {
		if (name[0] != '\0' && !proven)
			info->name_rejected = true;
		decider_name(t, name, proven);
		goto out;
	}
	r = decider_fresh(d, t, name, &a, info, &proven, &cacheable);
	if (r == 0 && cacheable)
		decider_store(d, gen, h, name, t, proven, info->pac, &a, info->pac_answer);
out:
	*out = a;
	return r;
}
