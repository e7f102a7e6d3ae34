/*
 * api_engine: dockward's own client for the Engine API on a unix socket,
 * used to look up facts the policy needs (container and volume inspect).
 * Each call is one short HTTP request with a timeout and a bounded answer.
 * dockerd asks the plugin about these calls too: the plugin must serve
 * concurrently while a decision waits here.
 */
#ifndef API_ENGINE_H
#define API_ENGINE_H

#include <jansson.h>

#include "authz/authz_decide.h"
#include "common/dw_err.h"

struct api_engine;

/* A client for the engine socket at path.  NULL on ENOMEM. */
struct api_engine *api_engine_new(const char *socket_path);
void	api_engine_free(struct api_engine *e);

struct api_stamp;
/*
 * Full mode: stamp every call (api_stamp.h) from the table stamps, which
 * is borrowed and must outlive e, so the plugin knows them for ours.
 */
void	api_engine_stamp_set(struct api_engine *e, struct api_stamp *stamps);

/*
 * GET path (e.g. "/v1.24/volumes/x") and parse the JSON answer, an object
 * or (lists such as /containers/json) an array; the inspect callbacks
 * below accept objects only.  0 and a new reference in *ret; -ENOENT for 404; -EIO/-ETIMEDOUT/-EPROTO/
 * -E2BIG with err otherwise.
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
