/* api_egress_who: source address -> container, with history; see api_egress_who.h. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_egress_who.h"
#include "common/dw_log.h"

/* One address of one container. */
struct entry {
	struct egress_addr	ip;
	char			id[API_EGRESS_WHO_ID_MAX];
	char			name[API_EGRESS_WHO_NAME_MAX];
	char			image[API_EGRESS_WHO_NAME_MAX];
	bool			live;	/* in the last list */
	uint64_t		seen;	/* ms: the last list that had it */
	uint64_t		gone;	/* ms: the first list without it (history) */
	unsigned long		gen;	/* the list that saw it last */
};

struct api_egress_who {
	api_egress_who_list_fn	 list;
	void			*list_ctx;
	api_egress_who_clock_fn	 clock;
	void			*clock_ctx;
	pthread_mutex_t		 lock;		/* everything below */
	pthread_mutex_t		 list_lock;	/* one engine list at a time */
	struct entry		*e;
	size_t			 n, cap;
	unsigned long		 gen;		/* lists taken */
	bool			 asked;		/* the engine was asked once */
	uint64_t		 listed;	/* ms: the last list asked (even failed) */
};

static uint64_t
mono_ms(void *ctx)
{
	struct timespec	ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct api_egress_who *
api_egress_who_new(api_egress_who_list_fn list, void *list_ctx,
    api_egress_who_clock_fn clock, void *clock_ctx)
{
	struct api_egress_who	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->list = list;
	w->list_ctx = list_ctx;
	w->clock = clock != NULL ? clock : mono_ms;
	w->clock_ctx = clock_ctx;
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->list_lock, NULL);
	return w;
}

void
api_egress_who_free(struct api_egress_who *w)
{
	if (w == NULL)
		return;
	pthread_mutex_destroy(&w->lock);
	pthread_mutex_destroy(&w->list_lock);
	free(w->e);
	free(w);
}

/* The entry naming ip: the most recent live one, else the most recently exited (lock held). */
static const struct entry *
find(const struct api_egress_who *w, const struct egress_addr *ip)
{
	const struct entry	*best = NULL, *e;
	size_t			 i;

	for (i = 0; i < w->n; i++) {
		e = &w->e[i];
		if (!egress_addr_equal(&e->ip, ip))
			continue;
		if (best == NULL || (e->live && !best->live) ||
		    (e->live && best->live && e->seen > best->seen) ||
		    (!e->live && !best->live && e->gone > best->gone))
			best = e;
	}
	return best;
}

static void
fill(struct api_egress_who_id *out, const struct entry *e)
{
	memset(out, 0, sizeof(*out));
	if (e == NULL) {
		snprintf(out->id, sizeof(out->id), "unknown");
		snprintf(out->name, sizeof(out->name), "unknown");
		snprintf(out->image, sizeof(out->image), "unknown");
		return;
	}
	memcpy(out->id, e->id, sizeof(out->id));
	memcpy(out->name, e->name, sizeof(out->name));
	memcpy(out->image, e->image, sizeof(out->image));
	out->found = true;
	out->exited = !e->live;
}

/* Make room for one entry (lock held): grow, else forget the oldest history.  NULL when full of live ones. */
static struct entry *
slot_new(struct api_egress_who *w)
{
	struct entry	*ne;
	size_t		 i, old = w->n;

	if (w->n == w->cap && w->cap < API_EGRESS_WHO_MAX) {
		size_t	cap = w->cap ? w->cap * 2 : 64;

		if (cap > API_EGRESS_WHO_MAX)
			cap = API_EGRESS_WHO_MAX;
		if ((ne = realloc(w->e, cap * sizeof(*ne))) != NULL) {
			w->e = ne;
			w->cap = cap;
		}
	}
	if (w->n < w->cap)
		return &w->e[w->n++];
	for (i = 0; i < w->n; i++)
		if (!w->e[i].live && (old == w->n || w->e[i].gone < w->e[old].gone))
			old = i;
	return old < w->n ? &w->e[old] : NULL;
}

/* ip belongs to container id now (lock held). */
static void
upsert(struct api_egress_who *w, const struct egress_addr *ip, const char *id,
    const char *name, const char *image, uint64_t now)
{
	struct entry	*e = NULL;
	size_t		 i;

	for (i = 0; i < w->n && e == NULL; i++)
		if (egress_addr_equal(&w->e[i].ip, ip) && strcmp(w->e[i].id, id) == 0)
			e = &w->e[i];
	if (e == NULL && (e = slot_new(w)) == NULL)
		return;	/* API_EGRESS_WHO_MAX live addresses: this one stays unknown */
	memset(e, 0, sizeof(*e));
	e->ip = *ip;
	snprintf(e->id, sizeof(e->id), "%s", id);
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->image, sizeof(e->image), "%s", image);
	e->live = true;
	e->seen = now;
	e->gen = w->gen;
}

/* Every address of one listed container (lock held). */
static void
add_container(struct api_egress_who *w, const json_t *c, uint64_t now)
{
	const char	*id, *name = "", *image, *key, *s;
	const json_t	*names, *nets, *net;
	struct egress_addr ip;
	int		 k;

	id = json_string_value(json_object_get(c, "Id"));
	if (id == NULL || id[0] == '\0')
		return;
	names = json_object_get(c, "Names");
	if (json_is_array(names) && json_is_string(json_array_get(names, 0)))
		name = json_string_value(json_array_get(names, 0));
	if (name[0] == '/')
		name++;
	if ((image = json_string_value(json_object_get(c, "Image"))) == NULL)
		image = "";
	nets = json_object_get(json_object_get(c, "NetworkSettings"), "Networks");
	json_object_foreach((json_t *)nets, key, net) {
		for (k = 0; k < 2; k++) {
			s = json_string_value(json_object_get(net, k == 0 ?
			    "IPAddress" : "GlobalIPv6Address"));
			if (s != NULL && s[0] != '\0' && egress_addr_parse(s, &ip) == 0)
				upsert(w, &ip, id, name, image, now);
		}
	}
}

int
api_egress_who_update(struct api_egress_who *w, const json_t *list)
{
	const json_t	*c;
	uint64_t	 now = w->clock(w->clock_ctx);
	size_t		 i;

	if (!json_is_array(list))
		return -EPROTO;
	pthread_mutex_lock(&w->lock);
	w->gen++;
	json_array_foreach((json_t *)list, i, c)
		add_container(w, c, now);
	for (i = 0; i < w->n; ) {
		struct entry	*e = &w->e[i];

		if (e->live && e->gen != w->gen) {
			e->live = false;
			e->gone = now;
		}
		if (!e->live && now - e->gone > API_EGRESS_WHO_HISTORY_S * 1000ULL)
			*e = w->e[--w->n];
		else
			i++;
	}
	pthread_mutex_unlock(&w->lock);
	return 0;
}

void
api_egress_who_peek(struct api_egress_who *w, const struct egress_addr *src,
    struct api_egress_who_id *out)
{
	pthread_mutex_lock(&w->lock);
	fill(out, find(w, src));
	pthread_mutex_unlock(&w->lock);
}

/* Ask the engine, unless someone did within API_EGRESS_WHO_MISS_MS. */
static void
relist(struct api_egress_who *w)
{
	struct dw_err	 err;
	json_t		*list = NULL;
	uint64_t	 now;
	bool		 go;

	pthread_mutex_lock(&w->list_lock);
	now = w->clock(w->clock_ctx);
	pthread_mutex_lock(&w->lock);
	go = !w->asked || now - w->listed >= API_EGRESS_WHO_MISS_MS;
	if (go) {
		w->asked = true;
		w->listed = now;
	}
	pthread_mutex_unlock(&w->lock);
	err.msg[0] = '\0';
	if (go && w->list(w->list_ctx, &list, &err) == 0) {
		if (api_egress_who_update(w, list) < 0)
			log_debug("egress: the engine's container list is not an array");
	} else if (go)
		log_debug("egress: container list unavailable: %s", err.msg);
	json_decref(list);
	pthread_mutex_unlock(&w->list_lock);
}

void
api_egress_who_lookup(struct api_egress_who *w, const struct egress_addr *src,
    struct api_egress_who_id *out)
{
	const struct entry	*e;
	uint64_t		 now = w->clock(w->clock_ctx);
	bool			 fresh;

	pthread_mutex_lock(&w->lock);
	e = find(w, src);
	fresh = e != NULL && e->live &&
	    now - e->seen <= API_EGRESS_WHO_FRESH_S * 1000ULL;
	if (fresh)
		fill(out, e);
	pthread_mutex_unlock(&w->lock);
	if (fresh)
		return;
	relist(w);
	api_egress_who_peek(w, src, out);
}
