/*
 * api_engine: dockward's own client for the Engine API on a unix socket,
 * used to look up facts the policy needs (container and volume inspect).
 * Each call is one short HTTP/1.1 request with a timeout and a bounded
 * answer, on a kept connection when there is one (api_engine_pool).
 * dockerd asks the plugin about these calls too: the plugin must serve
 * concurrently while a decision waits here.
 */
#ifndef API_ENGINE_H
#define API_ENGINE_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include <jansson.h>

#include "authz/authz_decide.h"
#include "common/dw_err.h"
#include "common/dw_limits.h"

/*
 * api_engine_pool: idle connections to the engine, kept for the next
 * request.  A connection is handed out only if it is younger than
 * DW_ENGINE_IDLE_MAX_MS since it was put back and the engine has neither
 * closed it nor sent anything on it (api_engine_conn_idle), so a request
 * does not pay for a write to a dead connection and a retry; the newest
 * goes out first.  Thread safe; embeddable (a struct the owner holds).
 */
struct api_engine_idle {
	int		 fd;
	struct timespec	 since;		/* CLOCK_MONOTONIC, when put back */
};

struct api_engine_pool {
	pthread_mutex_t		lock;
	bool			closed;		/* keep nothing more */
	size_t			max;		/* at most DW_ENGINE_POOL_MAX */
	size_t			n;
	struct api_engine_idle	idle[DW_ENGINE_POOL_MAX];
	unsigned long		expired, dead;	/* dropped unused (tests, metrics) */
};

/* An empty pool keeping at most max (<= DW_ENGINE_POOL_MAX) connections.  0 or -errno. */
int	api_engine_pool_init(struct api_engine_pool *pool, size_t max);
/* Close every kept connection and keep none from now on (shutdown). */
void	api_engine_pool_close(struct api_engine_pool *pool);
/* api_engine_pool_close, then release the pool (zeroed). */
void	api_engine_pool_clear(struct api_engine_pool *pool);
/*
 * A kept connection that passes the checks (*ret_pooled true), or a new
 * one to socket_path (false).  The fd (new, the caller's), or -errno when
 * no connection can be made.
 */
int	api_engine_pool_get(struct api_engine_pool *pool,
	    const char *socket_path, bool *ret_pooled);
/* Keep fd (taken: closed when the pool is full or closed). */
void	api_engine_pool_put(struct api_engine_pool *pool, int fd);
/*
 * Is fd, an idle engine connection, still usable: open on both sides with
 * nothing to read?  One recv(MSG_PEEK | MSG_DONTWAIT): EAGAIN yes; EOF,
 * bytes (an answer nobody asked for) or an error no.
 */
bool	api_engine_conn_idle(int fd);

struct api_engine;

/* A client for the engine socket at path.  NULL on ENOMEM. */
struct api_engine *api_engine_new(const char *socket_path);
void	api_engine_free(struct api_engine *e);
/* Its pool of kept connections (borrowed), for others who talk to the same engine. */
struct api_engine_pool *api_engine_pool(struct api_engine *e);

struct api_stamp;
/*
 * Full mode: stamp every call (api_stamp.h) from the table stamps, which
 * is borrowed and must outlive e, so the plugin knows them for ours.
 */
void	api_engine_stamp_set(struct api_engine *e, struct api_stamp *stamps);

/*
 * GET path (e.g. "/v1.24/volumes/x") and parse the JSON answer, an object
 * or (lists such as /containers/json) an array; the inspect callbacks
 * below accept objects only.  0 and a new reference in *ret; -ENOENT for
 * 404; -EIO/-ETIMEDOUT/-EPROTO/-E2BIG with err otherwise (-EINVAL for a
 * path with a control character or space).  A kept connection that fails
 * before any byte of the answer (the engine closed it after the check) is
 * retried once on a new one: a GET changes nothing.
 */
int	api_engine_get_json(struct api_engine *e, const char *path, json_t **ret,
	    struct dw_err *err);

/* authz_facts callbacks; ctx is a struct api_engine. */
int	api_engine_container_inspect(void *ctx, const char *id, json_t **ret,
	    struct dw_err *err);
int	api_engine_image_inspect(void *ctx, const char *ref, json_t **ret,
	    struct dw_err *err);
int	api_engine_network_inspect(void *ctx, const char *id, json_t **ret,
	    struct dw_err *err);
int	api_engine_volume_inspect(void *ctx, const char *name, json_t **ret,
	    struct dw_err *err);
/* GET /exec/{id}/json: an exec instance, for the container it runs in. */
int	api_engine_exec_inspect(void *ctx, const char *id, json_t **ret,
	    struct dw_err *err);

#endif
