/*
 * All size limits in one place.  Every buffer that holds untrusted input is
 * created with one of these maxima; going over one is -E2BIG and a deny.
 */
#ifndef DW_LIMITS_H
#define DW_LIMITS_H

#define DW_ERR_MAX		512		/* one error line */
#define DW_MSG_MAX		1024		/* one decision message */
#define DW_URI_MAX		8192		/* a request URI */
#define DW_ROUTE_VARS_MAX	4		/* variables in one route pattern */
#define DW_QUERY_PARAMS_MAX	256		/* query parameters in one URI */
/* dockerd forwards bodies below 1 MiB to authz plugins. */
#define DW_BODY_MAX		(1024 * 1024)
/* An AuthZReq: base64 body (4/3) plus headers and URI, with headroom. */
#define DW_AUTHZ_REQ_MAX	(2 * 1024 * 1024)
#define DW_SETTINGS_MAX		(1024 * 1024)	/* admin-settings.json */
#define DW_ENGINE_RESP_MAX	(8 * 1024 * 1024) /* one engine inspect answer */
#define DW_JSON_DEPTH_MAX	64		/* nesting we accept in bodies */
#define DW_PATH_DEPTH_MAX	64		/* ancestors walked for one path */
#define DW_BINDS_MAX		1024		/* mounts/binds in one spec */
#define DW_ENGINE_TIMEOUT_MS	10000		/* one call to the engine */
#define DW_PLUGIN_CONN_MAX	256		/* concurrent plugin connections */

#endif
