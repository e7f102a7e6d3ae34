/*
 * authz_route_table.h: every route of dockerd's Engine API router, as an
 * X-macro.  No include guard: include it after defining
 *
 *	DW_ROUTE(ID, "METHOD", "/pattern", "dotted.name")
 *
 * The table is the union of moby v20.10 (Debian 12 ships dockerd 20.10.24)
 * and current moby (v27, v28 and the master branch after them).  Order is
 * moby's registration order, because gorilla/mux takes the first route whose
 * method and pattern both match: routers in the order dockerd builds them
 * (cmd/dockerd/daemon.go initRouter / buildRouters: checkpoint before
 * container, "or the DELETE gets masked"), and each router's own order.
 * dockerd registers every route twice, "/v{version:[0-9.]+}" + pattern and
 * then the bare pattern; authz_uri.c does the same with this table.
 *
 * Router files are named by their v20.10 path (master moved them under
 * daemon/server/router/).  Patterns are written as moby writes them, in
 * gorilla/mux syntax: "{name}" matches [^/]+, "{name:re}" matches re
 * (Go regexp: "." never matches '\n').
 * The dotted name is the ID in lower case with '_' turned into '.'.
 *
 * Not listed: the debug router (/debug/vars, /debug/pprof/...).  dockerd
 * 20.10 mounts it unversioned and for any method outside the router list,
 * newer moby as ordinary GET routes; dockward leaves it unrouted (denied).
 */

/* checkpoint: api/server/router/checkpoint/checkpoint.go (experimental) */
DW_ROUTE(CHECKPOINT_LIST, "GET", "/containers/{name:.*}/checkpoints", "checkpoint.list")
DW_ROUTE(CHECKPOINT_CREATE, "POST", "/containers/{name:.*}/checkpoints", "checkpoint.create")
DW_ROUTE(CHECKPOINT_DELETE, "DELETE", "/containers/{name}/checkpoints/{checkpoint}", "checkpoint.delete")

/* container: api/server/router/container/container.go */
DW_ROUTE(CONTAINER_ARCHIVE_HEAD, "HEAD", "/containers/{name:.*}/archive", "container.archive.head")
DW_ROUTE(CONTAINER_LIST, "GET", "/containers/json", "container.list")
DW_ROUTE(CONTAINER_EXPORT, "GET", "/containers/{name:.*}/export", "container.export")
DW_ROUTE(CONTAINER_CHANGES, "GET", "/containers/{name:.*}/changes", "container.changes")
DW_ROUTE(CONTAINER_INSPECT, "GET", "/containers/{name:.*}/json", "container.inspect")
DW_ROUTE(CONTAINER_TOP, "GET", "/containers/{name:.*}/top", "container.top")
DW_ROUTE(CONTAINER_LOGS, "GET", "/containers/{name:.*}/logs", "container.logs")
DW_ROUTE(CONTAINER_STATS, "GET", "/containers/{name:.*}/stats", "container.stats")
DW_ROUTE(CONTAINER_ATTACH_WS, "GET", "/containers/{name:.*}/attach/ws", "container.attach.ws")
DW_ROUTE(EXEC_INSPECT, "GET", "/exec/{id:.*}/json", "exec.inspect")
DW_ROUTE(CONTAINER_ARCHIVE_GET, "GET", "/containers/{name:.*}/archive", "container.archive.get")
DW_ROUTE(CONTAINER_CREATE, "POST", "/containers/create", "container.create")
DW_ROUTE(CONTAINER_KILL, "POST", "/containers/{name:.*}/kill", "container.kill")
DW_ROUTE(CONTAINER_PAUSE, "POST", "/containers/{name:.*}/pause", "container.pause")
DW_ROUTE(CONTAINER_UNPAUSE, "POST", "/containers/{name:.*}/unpause", "container.unpause")
DW_ROUTE(CONTAINER_RESTART, "POST", "/containers/{name:.*}/restart", "container.restart")
DW_ROUTE(CONTAINER_START, "POST", "/containers/{name:.*}/start", "container.start")
DW_ROUTE(CONTAINER_STOP, "POST", "/containers/{name:.*}/stop", "container.stop")
DW_ROUTE(CONTAINER_WAIT, "POST", "/containers/{name:.*}/wait", "container.wait")
DW_ROUTE(CONTAINER_RESIZE, "POST", "/containers/{name:.*}/resize", "container.resize")
DW_ROUTE(CONTAINER_ATTACH, "POST", "/containers/{name:.*}/attach", "container.attach")
/* Deprecated since API 1.8, an error since 1.12; unregistered in v26. */
DW_ROUTE(CONTAINER_COPY, "POST", "/containers/{name:.*}/copy", "container.copy")
DW_ROUTE(CONTAINER_EXEC, "POST", "/containers/{name:.*}/exec", "container.exec")
DW_ROUTE(EXEC_START, "POST", "/exec/{name:.*}/start", "exec.start")
DW_ROUTE(EXEC_RESIZE, "POST", "/exec/{name:.*}/resize", "exec.resize")
DW_ROUTE(CONTAINER_RENAME, "POST", "/containers/{name:.*}/rename", "container.rename")
DW_ROUTE(CONTAINER_UPDATE, "POST", "/containers/{name:.*}/update", "container.update")
DW_ROUTE(CONTAINER_PRUNE, "POST", "/containers/prune", "container.prune")
DW_ROUTE(CONTAINER_COMMIT, "POST", "/commit", "container.commit")
DW_ROUTE(CONTAINER_ARCHIVE_PUT, "PUT", "/containers/{name:.*}/archive", "container.archive.put")
DW_ROUTE(CONTAINER_DELETE, "DELETE", "/containers/{name:.*}", "container.delete")

/* image: api/server/router/image/image.go */
DW_ROUTE(IMAGE_LIST, "GET", "/images/json", "image.list")
DW_ROUTE(IMAGE_SEARCH, "GET", "/images/search", "image.search")
DW_ROUTE(IMAGE_GET_ALL, "GET", "/images/get", "image.get.all")
DW_ROUTE(IMAGE_GET, "GET", "/images/{name:.*}/get", "image.get")
DW_ROUTE(IMAGE_HISTORY, "GET", "/images/{name:.*}/history", "image.history")
DW_ROUTE(IMAGE_INSPECT, "GET", "/images/{name:.*}/json", "image.inspect")
/* moby master after v28 only (API 1.55). */
DW_ROUTE(IMAGE_ATTESTATIONS, "GET", "/images/{name:.*}/attestations", "image.attestations")
DW_ROUTE(IMAGE_LOAD, "POST", "/images/load", "image.load")
DW_ROUTE(IMAGE_CREATE, "POST", "/images/create", "image.create")
DW_ROUTE(IMAGE_PUSH, "POST", "/images/{name:.*}/push", "image.push")
DW_ROUTE(IMAGE_TAG, "POST", "/images/{name:.*}/tag", "image.tag")
DW_ROUTE(IMAGE_PRUNE, "POST", "/images/prune", "image.prune")
DW_ROUTE(IMAGE_DELETE, "DELETE", "/images/{name:.*}", "image.delete")

/* system: api/server/router/system/system.go */
DW_ROUTE(OPTIONS, "OPTIONS", "/{anyroute:.*}", "options")
DW_ROUTE(PING, "GET", "/_ping", "ping")
DW_ROUTE(PING_HEAD, "HEAD", "/_ping", "ping.head")
DW_ROUTE(EVENTS, "GET", "/events", "events")
DW_ROUTE(INFO, "GET", "/info", "info")
DW_ROUTE(VERSION, "GET", "/version", "version")
DW_ROUTE(SYSTEM_DF, "GET", "/system/df", "system.df")
DW_ROUTE(AUTH, "POST", "/auth", "auth")

/* volume: api/server/router/volume/volume.go */
DW_ROUTE(VOLUME_LIST, "GET", "/volumes", "volume.list")
DW_ROUTE(VOLUME_INSPECT, "GET", "/volumes/{name:.*}", "volume.inspect")
DW_ROUTE(VOLUME_CREATE, "POST", "/volumes/create", "volume.create")
DW_ROUTE(VOLUME_PRUNE, "POST", "/volumes/prune", "volume.prune")
/* v23+ only (cluster volumes, API 1.42). */
DW_ROUTE(VOLUME_UPDATE, "PUT", "/volumes/{name:.*}", "volume.update")
DW_ROUTE(VOLUME_DELETE, "DELETE", "/volumes/{name:.*}", "volume.delete")

/* build: api/server/router/build/build.go */
DW_ROUTE(BUILD, "POST", "/build", "build")
DW_ROUTE(BUILD_PRUNE, "POST", "/build/prune", "build.prune")
DW_ROUTE(BUILD_CANCEL, "POST", "/build/cancel", "build.cancel")

/* session: api/server/router/session/session.go */
DW_ROUTE(SESSION, "POST", "/session", "session")

/* swarm: api/server/router/swarm/cluster.go */
DW_ROUTE(SWARM_INIT, "POST", "/swarm/init", "swarm.init")
DW_ROUTE(SWARM_JOIN, "POST", "/swarm/join", "swarm.join")
DW_ROUTE(SWARM_LEAVE, "POST", "/swarm/leave", "swarm.leave")
DW_ROUTE(SWARM_INSPECT, "GET", "/swarm", "swarm.inspect")
DW_ROUTE(SWARM_UNLOCKKEY, "GET", "/swarm/unlockkey", "swarm.unlockkey")
DW_ROUTE(SWARM_UPDATE, "POST", "/swarm/update", "swarm.update")
DW_ROUTE(SWARM_UNLOCK, "POST", "/swarm/unlock", "swarm.unlock")
DW_ROUTE(SERVICE_LIST, "GET", "/services", "service.list")
DW_ROUTE(SERVICE_INSPECT, "GET", "/services/{id}", "service.inspect")
DW_ROUTE(SERVICE_CREATE, "POST", "/services/create", "service.create")
DW_ROUTE(SERVICE_UPDATE, "POST", "/services/{id}/update", "service.update")
DW_ROUTE(SERVICE_DELETE, "DELETE", "/services/{id}", "service.delete")
DW_ROUTE(SERVICE_LOGS, "GET", "/services/{id}/logs", "service.logs")
DW_ROUTE(NODE_LIST, "GET", "/nodes", "node.list")
DW_ROUTE(NODE_INSPECT, "GET", "/nodes/{id}", "node.inspect")
DW_ROUTE(NODE_DELETE, "DELETE", "/nodes/{id}", "node.delete")
DW_ROUTE(NODE_UPDATE, "POST", "/nodes/{id}/update", "node.update")
DW_ROUTE(TASK_LIST, "GET", "/tasks", "task.list")
DW_ROUTE(TASK_INSPECT, "GET", "/tasks/{id}", "task.inspect")
DW_ROUTE(TASK_LOGS, "GET", "/tasks/{id}/logs", "task.logs")
DW_ROUTE(SECRET_LIST, "GET", "/secrets", "secret.list")
DW_ROUTE(SECRET_CREATE, "POST", "/secrets/create", "secret.create")
DW_ROUTE(SECRET_DELETE, "DELETE", "/secrets/{id}", "secret.delete")
DW_ROUTE(SECRET_INSPECT, "GET", "/secrets/{id}", "secret.inspect")
DW_ROUTE(SECRET_UPDATE, "POST", "/secrets/{id}/update", "secret.update")
DW_ROUTE(CONFIG_LIST, "GET", "/configs", "config.list")
DW_ROUTE(CONFIG_CREATE, "POST", "/configs/create", "config.create")
DW_ROUTE(CONFIG_DELETE, "DELETE", "/configs/{id}", "config.delete")
DW_ROUTE(CONFIG_INSPECT, "GET", "/configs/{id}", "config.inspect")
DW_ROUTE(CONFIG_UPDATE, "POST", "/configs/{id}/update", "config.update")

/* plugin: api/server/router/plugin/plugin.go */
DW_ROUTE(PLUGIN_LIST, "GET", "/plugins", "plugin.list")
DW_ROUTE(PLUGIN_INSPECT, "GET", "/plugins/{name:.*}/json", "plugin.inspect")
DW_ROUTE(PLUGIN_PRIVILEGES, "GET", "/plugins/privileges", "plugin.privileges")
DW_ROUTE(PLUGIN_DELETE, "DELETE", "/plugins/{name:.*}", "plugin.delete")
DW_ROUTE(PLUGIN_ENABLE, "POST", "/plugins/{name:.*}/enable", "plugin.enable")
DW_ROUTE(PLUGIN_DISABLE, "POST", "/plugins/{name:.*}/disable", "plugin.disable")
DW_ROUTE(PLUGIN_PULL, "POST", "/plugins/pull", "plugin.pull")
DW_ROUTE(PLUGIN_PUSH, "POST", "/plugins/{name:.*}/push", "plugin.push")
DW_ROUTE(PLUGIN_UPGRADE, "POST", "/plugins/{name:.*}/upgrade", "plugin.upgrade")
DW_ROUTE(PLUGIN_SET, "POST", "/plugins/{name:.*}/set", "plugin.set")
DW_ROUTE(PLUGIN_CREATE, "POST", "/plugins/create", "plugin.create")

/* distribution: api/server/router/distribution/distribution.go */
DW_ROUTE(DISTRIBUTION_INSPECT, "GET", "/distribution/{name:.*}/json", "distribution.inspect")

/*
 * grpc: api/server/router/grpc/grpc.go (v20.10 registers it before the
 * network router, v28 after it; no pattern overlaps, so either order routes
 * the same).
 */
DW_ROUTE(GRPC, "POST", "/grpc", "grpc")

/* network: api/server/router/network/network.go */
DW_ROUTE(NETWORK_LIST, "GET", "/networks", "network.list")
DW_ROUTE(NETWORK_LIST_SLASH, "GET", "/networks/", "network.list.slash")
DW_ROUTE(NETWORK_INSPECT, "GET", "/networks/{id:.+}", "network.inspect")
DW_ROUTE(NETWORK_CREATE, "POST", "/networks/create", "network.create")
DW_ROUTE(NETWORK_CONNECT, "POST", "/networks/{id:.*}/connect", "network.connect")
DW_ROUTE(NETWORK_DISCONNECT, "POST", "/networks/{id:.*}/disconnect", "network.disconnect")
DW_ROUTE(NETWORK_PRUNE, "POST", "/networks/prune", "network.prune")
DW_ROUTE(NETWORK_DELETE, "DELETE", "/networks/{id:.*}", "network.delete")
