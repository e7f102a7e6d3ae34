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
#define DW_RULE_ENFORCEMENT_MAX	128		/* dockward.ruleEnforcement entries */
#define DW_ENGINE_RESP_MAX	(8 * 1024 * 1024) /* one engine inspect answer */
#define DW_JSON_DEPTH_MAX	64		/* nesting we accept in bodies */
/* authz_jv: large objects remembered per thread (their shapes), and the bytes of one. */
#define DW_JV_SHAPES		4
#define DW_JV_SHAPE_BYTES	4096
#define DW_PATH_DEPTH_MAX	64		/* ancestors walked for one path */
#define DW_PATHCACHE_MAX	64		/* bind sources' identities kept (authz_pathcache) */
#define DW_BINDS_MAX		1024		/* mounts/binds in one spec */
#define DW_NS_CHAIN_MAX		8		/* container:X links followed for one namespace */
#define DW_ENGINE_TIMEOUT_MS	10000		/* one call to the engine */
#define DW_PLUGIN_CONN_MAX	256		/* concurrent plugin connections */
#define DW_PLUGIN_CONN_MEM	(8 * 1024)	/* one's request head + read buffer (dockerd's heads: < 1 KiB) */
/* Full mode (--require-gatekeeper): stamps on requests the gatekeeper decided. */
#define DW_STAMP_MAX		8192		/* stamps issued and not yet redeemed */
#define DW_STAMP_TTL_MS		60000		/* a stamp's life: from the forward to dockerd's AuthZReq */
/* Gatekeeper connections: no caller can take them all (api_listen.c accept). */
#define DW_GATE_CONNS_MAX	1024		/* client connections in all, default */
#define DW_GATE_CONNS_PER_CALLER 128		/* one uid (host) or one container, default */
#define DW_GATE_ROOT_RESERVE	16		/* kept for host root (uid 0, no container) */
#define DW_GATE_REFUSERS_MAX	8		/* threads answering refused connections */
/* A refused connection's request, read (and dropped) before its 503. */
#define DW_GATE_REFUSED_READ_MAX (64 * 1024)
#define DW_GATE_REFUSED_READ_MS	100
#define DW_GATE_THREAD_STACK	(256 * 1024)	/* one connection's thread */
#define DW_GATE_THREAD_IDLE_S	30		/* a connection thread waits this long for another connection, then exits */
/*
 * Idle connection threads kept waiting at most: the rest of a burst's
 * threads exit as their connections end, so that 100 closed connections
 * do not keep 100 stacks and their RSS for DW_GATE_THREAD_IDLE_S.
 */
#define DW_GATE_THREADS_IDLE_MAX	8
#define DW_GATE_HEAD_TIMEOUT_S	30		/* a request's first byte to its last header, default */
#define DW_GATE_IDLE_TIMEOUT_S	300		/* keep-alive wait for the next request, default */
/* Gatekeeper requests (api_http.c, api_pump.c, api_gate.c). */
#define DW_GATE_HEAD_MAX	(64 * 1024)	/* one request head */
#define DW_GATE_IO_BUF		(64 * 1024)	/* one read from the client */
#define DW_GATE_STREAM_BUF	(128 * 1024)	/* engine bytes in flight per connection */
#define DW_GATE_IDLE_BUF	(16 * 1024)	/* each buffer a connection keeps between requests */
#define DW_GATE_DRAIN_MAX	(64 * 1024 * 1024) /* body bytes dropped after a deny */
#define DW_GATE_CREATE_ANSWER_MAX 4096		/* a create's answer kept for its Id */
#define DW_GATE_FAST_HEAD_MAX	(16 * 1024)	/* an answer's head read without the parser */
#define DW_GATE_POOL_MAX	16		/* idle engine connections kept */
/*
 * An idle engine connection older than this is closed, not reused: dockerd
 * (Go's net/http) may drop idle connections after its own timeout, and a
 * connection it closed while we sent would cost a failed write and a
 * retry.  Far below any idle timeout dockerd sets; reuse within it is
 * what a burst of calls needs.
 */
#define DW_ENGINE_IDLE_MAX_MS	10000
#define DW_ENGINE_POOL_MAX	16		/* idle connections kept for our own lookups */
#define DW_ENGINE_HEAD_MAX	(64 * 1024)	/* one answer's head */
#define DW_GATE_BUILD_MAX	(2ULL * 1024 * 1024 * 1024) /* a held-back build context, default */
#define DW_SOCK_BACKLOG		128		/* listen(2) backlog of our unix sockets */

/* Registry client (registry/). */
#define DW_MANIFEST_MAX		(4 * 1024 * 1024) /* one manifest or index */
#define DW_TOKEN_MAX		(64 * 1024)	/* a token answer, and one token */
#define DW_INDEX_CHILDREN_MAX	32		/* platform manifests in one index */
#define DW_DOCKER_CONFIG_MAX	(1024 * 1024)	/* a docker config.json */
#define DW_HTTP_HEADER_MAX	8192		/* one kept response header value */
#define DW_AUTH_CHALLENGES_MAX	8		/* challenges in WWW-Authenticate */
#define DW_TOKEN_CACHE_MAX	256		/* cached registry tokens */
#define DW_REGISTRY_REDIRS_MAX	3		/* redirects followed for a token realm */
#define DW_RETRY_AFTER_MAX_S	5		/* longest Retry-After we wait */
/*
 * A cached tag answer that disagrees with the local image is checked with
 * the registry again (a HEAD of the manifest) at most once per tag per
 * this many seconds, whoever asks: a caller who runs a stale or forged
 * image in a loop cannot make dockward hammer the registry.
 */
#define DW_VERIFY_RECHECK_S	10
#define DW_PEER_GROUPS_MAX	64		/* supplementary groups of a socket caller */
#define DW_CGROUP_FILE_MAX	(64 * 1024)	/* one /proc/<pid>/{cgroup,status,stat} */
/*
 * Kept between gatekeeper connections (api_peer_cache): the engine's facts
 * about a calling container, revalidated per connection against its init
 * process; trusted this many seconds at most, so a `docker rename` shows in
 * messages after that long at worst.  The passwd snapshot (files source
 * only), re-checked against /etc/passwd's and /etc/nsswitch.conf's stat at
 * most once per DW_PEER_PASSWD_CHECK_MS; lines longer than
 * DW_PEER_PASSWD_LINE_MAX end the snapshot (what follows is asked of
 * getpwuid_r, whose own 4 KiB buffer such a line could overflow).
 */
#define DW_PEER_CONTAINERS_MAX	256
#define DW_PEER_CONTAINER_TTL_S	10
#define DW_PEER_PASSWD_MAX	4096		/* passwd entries kept */
#define DW_PEER_PASSWD_FILE_MAX	(1024 * 1024)	/* a larger /etc/passwd is not kept */
#define DW_PEER_PASSWD_LINE_MAX	1024
#define DW_PEER_PASSWD_CHECK_MS	1000
#define DW_CREATORS_MAX		65536		/* containers with a recorded creator (api_creator) */
#define DW_CREATORS_FILE_MAX	(64 * 1024 * 1024) /* its file in the state dir */

/* dockward doctor (cli/cli_doctor.c). */
#define DW_DAEMON_JSON_MAX	(1024 * 1024)	/* a dockerd daemon.json */
#define DW_CMDLINE_MAX		(256 * 1024)	/* one /proc/<pid>/cmdline */
#define DW_DOCTOR_ENGINES_MAX	64		/* dockerd processes inspected */

/*
 * dockward report (cli/cli_report.c): what one run keeps, whatever the
 * size of the log.  A longer line is skipped and counted; keys past a cap
 * are counted under "(other)"; longer texts are cut at a UTF-8 boundary.
 */
#define DW_REPORT_LINE_MAX	(64 * 1024)	/* one audit line */
#define DW_REPORT_KEYS_MAX	4096		/* distinct images, callers, commands (each) */
#define DW_REPORT_RULES_MAX	256		/* distinct rule ids */
#define DW_REPORT_FIXES_MAX	16		/* distinct fixes kept per rule */
#define DW_REPORT_TEXT_MAX	1024		/* bytes kept of a key, fix or example */
#define DW_REPORT_FILES_MAX	4096		/* rotated files found next to the log */

#endif
