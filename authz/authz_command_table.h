/*
 * authz_command_table.h: which Docker CLI commands use each Engine API
 * endpoint, as an X-macro.  No include guard: include it after defining
 *
 *	DW_COMMAND(ID, "primary names", "auxiliary names")
 *	DW_COMMAND_VARIANT(NAME, ID, "primary names", "auxiliary names")
 *	DW_COMMAND_EFFECT(ID, "effect names")
 *
 * (DW_COMMAND_VARIANT and DW_COMMAND_EFFECT may be left undefined; their
 * rows are then skipped).  There is exactly one DW_COMMAND row per route ID of
 * authz/authz_route_table.h, in the same order; authz_command.c fails to
 * compile when the counts differ, and the unit test checks every row.
 *
 * Names are Docker CLI commands as a user types them after "docker",
 * separated by ',' (no spaces around the commas): the canonical form and
 * every legacy form and alias ("ps,container ls,container list,container
 * ps").  Every name is a command of the Docker CLI 28 that
 * tests/data/docker-cli-commands.txt lists (generated from `docker --help`);
 * plugins (buildx, compose) are not installed there and are not named.
 * NULL means no name.
 *
 * PRIMARY: commands that call the endpoint to do what the command is for
 * (GET /containers/json is what `docker ps` does; POST /services/create is
 * what `docker stack deploy` does).  AUXILIARY: commands that call the
 * endpoint only as a step (lookups, waiting, resizing a TTY, forwarding a
 * signal, the implicit pull of `docker run`): `docker logs` reads GET
 * /containers/{id}/json first, but inspecting is not what it is for.
 *
 * EFFECT (at the end of the table): names of other commands whose effect
 * the endpoint also has (POST /commit creates an image, as a build does).
 *
 * How the lists use them (authz_command.c):
 *   - a deny list blocks an endpoint when a pattern matches one of its
 *     PRIMARY or EFFECT names; auxiliary names never block, so denying "logs" does not
 *     break `docker inspect`.  The list acts on endpoints, not on command
 *     lines: denying a command denies every endpoint it is primary for,
 *     whoever calls it.  Denying "run" denies POST /containers/create, so
 *     `docker create` is blocked too; denying "system prune" denies the
 *     container, image, network, volume and build-cache prune endpoints
 *     that `docker container prune` and the others also use; denying
 *     "inspect" breaks `docker exec`, `start`, `logs` and `attach`, which
 *     inspect first.
 *   - an allow list lets an endpoint through when a pattern matches one of
 *     its primary OR auxiliary names, so an allowed command works as a whole;
 *     endpoints with no name are refused.
 *   - the name "" (only GET and HEAD /_ping) is allowed under every list:
 *     the CLI pings before each command to negotiate the API version.
 *
 * GET is not harmless: cp, export, save and logs read whole filesystems,
 * images and outputs, and attach and exec are GET-like reads of a live
 * process.  They are commands like any other here.
 *
 * Decisions for endpoints that are ambiguous or that no CLI 28 command calls:
 *   - POST /images/create is a pull when the first "fromImage" value is not
 *     empty and an import otherwise, exactly as dockerd decides (the row
 *     below is the pull; the IMAGE_CREATE_IMPORT variant is the import).
 *   - "system prune" is primary for the five prune endpoints it calls.
 *   - "inspect" (docker inspect) is primary for every object inspect it can
 *     reach; the group forms ("container inspect"...) for their own.
 *   - the build endpoints (/build, /grpc, /session, /build/cancel) belong to
 *     "build,image build,builder build"; /build/prune to "builder prune".
 *   - GET /containers/{id}/attach/ws is primary for "attach" (same access,
 *     the CLI uses the hijacked POST); GET /images/{name}/get for "save" (the
 *     CLI uses /images/get); POST /containers/{id}/copy (pre-1.20 cp) for "cp".
 *   - GET /distribution/{name}/json is auxiliary only: service create and
 *     update and stack deploy resolve the image digest with it.
 *   - OPTIONS (CORS preflight) and GET /images/{name}/attestations (moby
 *     master) are used by no CLI 28 command: no names, refused under an
 *     allow list.
 *   - Calls the CLI makes only against daemons older than API 1.30 (events
 *     for `run`, DELETE after `run --rm` before 1.25) are not listed.
 *   - Content trust (DOCKER_CONTENT_TRUST=1) makes pull, create, run and build
 *     tag images: they are auxiliary names of POST /images/{name}/tag.
 *
 * Sources: docker/cli v28.2.2 cli/command/... and the vendored moby client.
 */

/* Name groups used by several rows. */
#define DW_C_RUN	"run,container run"
#define DW_C_CREATE	"create,container create"
#define DW_C_START	"start,container start"
#define DW_C_ATTACH	"attach,container attach"
#define DW_C_EXEC	"exec,container exec"
#define DW_C_CP		"cp,container cp"
#define DW_C_STATS	"stats,container stats"
#define DW_C_PULL	"pull,image pull"
#define DW_C_BUILD	"build,image build,builder build"
#define DW_C_SAVE	"save,image save"
#define DW_C_DEPLOY	"stack deploy,stack up"
#define DW_C_STACKRM	"stack rm,stack remove,stack down"
#define DW_C_SVCLS	"service ls,service list"
/* Commands that wait for a service to converge (progress: nodes, service, tasks). */
#define DW_C_PROGRESS	"service create,service update,service rollback,service scale," DW_C_DEPLOY
/* Commands that print task lists (idresolver: node and service names). */
#define DW_C_TASKPRINT	"service ps,node ps,stack ps"

/* checkpoint */
DW_COMMAND(CHECKPOINT_LIST, "checkpoint ls,checkpoint list", NULL)
DW_COMMAND(CHECKPOINT_CREATE, "checkpoint create", NULL)
DW_COMMAND(CHECKPOINT_DELETE, "checkpoint rm,checkpoint remove", NULL)

/* container */
DW_COMMAND(CONTAINER_ARCHIVE_HEAD, DW_C_CP, NULL)
DW_COMMAND(CONTAINER_LIST, "ps,container ls,container list,container ps", DW_C_STATS)
DW_COMMAND(CONTAINER_EXPORT, "export,container export", NULL)
DW_COMMAND(CONTAINER_CHANGES, "diff,container diff", NULL)
DW_COMMAND(CONTAINER_INSPECT, "inspect,container inspect,port,container port",
    DW_C_ATTACH "," DW_C_EXEC ",logs,container logs," DW_C_START)
DW_COMMAND(CONTAINER_TOP, "top,container top", NULL)
DW_COMMAND(CONTAINER_LOGS, "logs,container logs", NULL)
DW_COMMAND(CONTAINER_STATS, DW_C_STATS, NULL)
DW_COMMAND(CONTAINER_ATTACH_WS, DW_C_ATTACH, NULL)
DW_COMMAND(EXEC_INSPECT, NULL, DW_C_EXEC)
DW_COMMAND(CONTAINER_ARCHIVE_GET, DW_C_CP, NULL)
DW_COMMAND(CONTAINER_CREATE, DW_C_CREATE "," DW_C_RUN, NULL)
/* run, start and attach forward signals to the container (--sig-proxy). */
DW_COMMAND(CONTAINER_KILL, "kill,container kill", DW_C_RUN "," DW_C_START "," DW_C_ATTACH)
DW_COMMAND(CONTAINER_PAUSE, "pause,container pause", NULL)
DW_COMMAND(CONTAINER_UNPAUSE, "unpause,container unpause", NULL)
DW_COMMAND(CONTAINER_RESTART, "restart,container restart", NULL)
DW_COMMAND(CONTAINER_START, DW_C_START, DW_C_RUN)
DW_COMMAND(CONTAINER_STOP, "stop,container stop", NULL)
DW_COMMAND(CONTAINER_WAIT, "wait,container wait", DW_C_RUN "," DW_C_START "," DW_C_ATTACH)
DW_COMMAND(CONTAINER_RESIZE, NULL, DW_C_RUN "," DW_C_START "," DW_C_ATTACH)
DW_COMMAND(CONTAINER_ATTACH, DW_C_ATTACH, DW_C_RUN "," DW_C_START)
DW_COMMAND(CONTAINER_COPY, DW_C_CP, NULL)
DW_COMMAND(CONTAINER_EXEC, DW_C_EXEC, NULL)
DW_COMMAND(EXEC_START, DW_C_EXEC, NULL)
DW_COMMAND(EXEC_RESIZE, NULL, DW_C_EXEC)
DW_COMMAND(CONTAINER_RENAME, "rename,container rename", NULL)
DW_COMMAND(CONTAINER_UPDATE, "update,container update", NULL)
DW_COMMAND(CONTAINER_PRUNE, "container prune,system prune", NULL)
DW_COMMAND(CONTAINER_COMMIT, "commit,container commit", NULL)
/* create and run --use-api-socket copy the CLI's credentials into the new container. */
DW_COMMAND(CONTAINER_ARCHIVE_PUT, DW_C_CP, DW_C_CREATE "," DW_C_RUN)
DW_COMMAND(CONTAINER_DELETE, "rm,container rm,container remove", NULL)

/* image */
DW_COMMAND(IMAGE_LIST, "images,image ls,image list", NULL)
DW_COMMAND(IMAGE_SEARCH, "search", NULL)
DW_COMMAND(IMAGE_GET_ALL, DW_C_SAVE, NULL)
DW_COMMAND(IMAGE_GET, DW_C_SAVE, NULL)
DW_COMMAND(IMAGE_HISTORY, "history,image history", NULL)
DW_COMMAND(IMAGE_INSPECT, "inspect,image inspect", "trust sign")
DW_COMMAND(IMAGE_ATTESTATIONS, NULL, NULL)
DW_COMMAND(IMAGE_LOAD, "load,image load", NULL)
DW_COMMAND(IMAGE_CREATE, DW_C_PULL, DW_C_RUN "," DW_C_CREATE)
DW_COMMAND(IMAGE_PUSH, "push,image push,trust sign", NULL)
DW_COMMAND(IMAGE_TAG, "tag,image tag", DW_C_PULL "," DW_C_CREATE "," DW_C_RUN "," DW_C_BUILD)
DW_COMMAND(IMAGE_PRUNE, "image prune,system prune", NULL)
DW_COMMAND(IMAGE_DELETE, "rmi,image rm,image remove", NULL)

/* system */
DW_COMMAND(OPTIONS, NULL, NULL)
DW_COMMAND(PING, "", NULL)
DW_COMMAND(PING_HEAD, "", NULL)
DW_COMMAND(EVENTS, "events,system events", DW_C_STATS)
DW_COMMAND(INFO, "info,system info",
    "inspect,node ls,node list,node inspect,node ps,swarm join,swarm join-token,"
    "swarm unlock," DW_C_DEPLOY)
DW_COMMAND(VERSION, "version", NULL)
DW_COMMAND(SYSTEM_DF, "system df", NULL)
DW_COMMAND(AUTH, "login", NULL)

/* volume */
DW_COMMAND(VOLUME_LIST, "volume ls,volume list", NULL)
DW_COMMAND(VOLUME_INSPECT, "inspect,volume inspect", "volume update")
DW_COMMAND(VOLUME_CREATE, "volume create", NULL)
DW_COMMAND(VOLUME_PRUNE, "volume prune,system prune", NULL)
DW_COMMAND(VOLUME_UPDATE, "volume update", NULL)
DW_COMMAND(VOLUME_DELETE, "volume rm,volume remove", NULL)

/* build */
DW_COMMAND(BUILD, DW_C_BUILD, NULL)
DW_COMMAND(BUILD_PRUNE, "builder prune,system prune", NULL)
DW_COMMAND(BUILD_CANCEL, DW_C_BUILD, NULL)

/* session (BuildKit) */
DW_COMMAND(SESSION, DW_C_BUILD, NULL)

/* swarm */
DW_COMMAND(SWARM_INIT, "swarm init", NULL)
DW_COMMAND(SWARM_JOIN, "swarm join", NULL)
DW_COMMAND(SWARM_LEAVE, "swarm leave", NULL)
/* GET /swarm holds the join tokens and the CA: join-token and ca print them. */
DW_COMMAND(SWARM_INSPECT, "swarm join-token,swarm ca",
    "swarm init,swarm unlock-key,swarm update")
DW_COMMAND(SWARM_UNLOCKKEY, "swarm unlock-key", "swarm init,swarm update")
/* --rotate of ca, join-token and unlock-key is a swarm update. */
DW_COMMAND(SWARM_UPDATE, "swarm update,swarm ca,swarm join-token,swarm unlock-key", NULL)
DW_COMMAND(SWARM_UNLOCK, "swarm unlock", NULL)
DW_COMMAND(SERVICE_LIST, DW_C_SVCLS ",stack services,stack ls,stack list",
    "service ps," DW_C_DEPLOY "," DW_C_STACKRM)
DW_COMMAND(SERVICE_INSPECT, "inspect,service inspect",
    "service logs," DW_C_PROGRESS "," DW_C_TASKPRINT)
DW_COMMAND(SERVICE_CREATE, "service create," DW_C_DEPLOY, NULL)
DW_COMMAND(SERVICE_UPDATE, "service update,service rollback,service scale," DW_C_DEPLOY, NULL)
DW_COMMAND(SERVICE_DELETE, "service rm,service remove," DW_C_STACKRM, NULL)
DW_COMMAND(SERVICE_LOGS, "service logs", NULL)
DW_COMMAND(NODE_LIST, "node ls,node list",
    DW_C_SVCLS ",stack services," DW_C_PROGRESS ",swarm ca")
DW_COMMAND(NODE_INSPECT, "inspect,node inspect",
    "node update,node promote,node demote,swarm init,swarm join-token,"
    "service ps,node ps,stack ps,service logs")
DW_COMMAND(NODE_DELETE, "node rm,node remove", NULL)
DW_COMMAND(NODE_UPDATE, "node update,node promote,node demote", NULL)
DW_COMMAND(TASK_LIST, DW_C_TASKPRINT,
    DW_C_SVCLS ",stack services,service create,service update,service rollback,"
    "service scale," DW_C_DEPLOY "," DW_C_STACKRM)
DW_COMMAND(TASK_INSPECT, "inspect", "service logs")
DW_COMMAND(TASK_LOGS, "service logs", NULL)
DW_COMMAND(SECRET_LIST, "secret ls,secret list",
    "service create,service update," DW_C_STACKRM)
DW_COMMAND(SECRET_CREATE, "secret create," DW_C_DEPLOY, NULL)
DW_COMMAND(SECRET_DELETE, "secret rm,secret remove," DW_C_STACKRM, NULL)
DW_COMMAND(SECRET_INSPECT, "inspect,secret inspect", DW_C_DEPLOY)
DW_COMMAND(SECRET_UPDATE, DW_C_DEPLOY, NULL)
DW_COMMAND(CONFIG_LIST, "config ls,config list",
    "service create,service update," DW_C_STACKRM)
DW_COMMAND(CONFIG_CREATE, "config create," DW_C_DEPLOY, NULL)
DW_COMMAND(CONFIG_DELETE, "config rm,config remove," DW_C_STACKRM, NULL)
DW_COMMAND(CONFIG_INSPECT, "inspect,config inspect", DW_C_DEPLOY)
DW_COMMAND(CONFIG_UPDATE, DW_C_DEPLOY, NULL)

/* plugin */
DW_COMMAND(PLUGIN_LIST, "plugin ls,plugin list", NULL)
DW_COMMAND(PLUGIN_INSPECT, "inspect,plugin inspect", "plugin upgrade")
DW_COMMAND(PLUGIN_PRIVILEGES, NULL, "plugin install,plugin upgrade")
DW_COMMAND(PLUGIN_DELETE, "plugin rm,plugin remove", NULL)
/* install enables the plugin and applies its settings unless told not to. */
DW_COMMAND(PLUGIN_ENABLE, "plugin enable", "plugin install")
DW_COMMAND(PLUGIN_DISABLE, "plugin disable", NULL)
DW_COMMAND(PLUGIN_PULL, "plugin install", NULL)
DW_COMMAND(PLUGIN_PUSH, "plugin push", NULL)
DW_COMMAND(PLUGIN_UPGRADE, "plugin upgrade", NULL)
DW_COMMAND(PLUGIN_SET, "plugin set", "plugin install")
DW_COMMAND(PLUGIN_CREATE, "plugin create", NULL)

/* distribution */
DW_COMMAND(DISTRIBUTION_INSPECT, NULL, "service create,service update," DW_C_DEPLOY)

/* grpc (BuildKit) */
DW_COMMAND(GRPC, DW_C_BUILD, NULL)

/* network */
DW_COMMAND(NETWORK_LIST, "network ls,network list", DW_C_DEPLOY "," DW_C_STACKRM)
DW_COMMAND(NETWORK_LIST_SLASH, "network ls,network list", DW_C_DEPLOY "," DW_C_STACKRM)
DW_COMMAND(NETWORK_INSPECT, "inspect,network inspect",
    "network rm,network remove,service create,service update,service inspect,"
    DW_C_DEPLOY)
DW_COMMAND(NETWORK_CREATE, "network create," DW_C_DEPLOY, NULL)
DW_COMMAND(NETWORK_CONNECT, "network connect", NULL)
DW_COMMAND(NETWORK_DISCONNECT, "network disconnect", NULL)
DW_COMMAND(NETWORK_PRUNE, "network prune,system prune", NULL)
DW_COMMAND(NETWORK_DELETE, "network rm,network remove," DW_C_STACKRM, NULL)

/*
 * Variants: a second reading of an endpoint that its query selects
 * (authz_command.c decides which applies).
 */
#ifdef DW_COMMAND_VARIANT
/* POST /images/create without a non-empty fromImage: dockerd imports fromSrc. */
DW_COMMAND_VARIANT(IMAGE_CREATE_IMPORT, IMAGE_CREATE, "import,image import", NULL)
#endif

/*
 * Effects: names of OTHER commands whose effect an endpoint also has.  A
 * deny list blocks an endpoint when a pattern matches a primary or an
 * effect name; an allow list never lets an endpoint through on an effect
 * name, so effects make deny lists stricter and never widen an allow list.
 * (DW_COMMAND_EFFECT may be left undefined; the rows are then skipped.)
 *
 * The principle, for images: every endpoint that lists the local image
 * store, or creates, changes or removes images in it, answers to a name
 * that "image*" matches, so a deny list with "image*" denies them all.
 * The rows above give most of them such a primary name already (pull,
 * import, load, tag, push, save, history, inspect, prune, rmi, and build
 * through "image build": /build, /build/cancel, /grpc, /session).  The
 * others:
 *   - POST /commit makes an image from a container's changes: it is a
 *     build, so it answers to the build names ("build", "image build",
 *     "builder build"), and denying "build" or "image*" denies it.
 *   - GET /system/df (docker system df -v) lists every image, container
 *     and volume: it answers to "images"/"image ls", "ps"/"container ls"
 *     and "volume ls".
 *   - GET /images/{name}/attestations reveals an image: "image inspect".
 * Not image store endpoints, so unchanged: GET /images/search and GET
 * /distribution/{name}/json (they ask a registry), GET /events and GET
 * /info (counts and event names, not a listing), /build/prune (the build
 * cache).
 */
#ifdef DW_COMMAND_EFFECT
DW_COMMAND_EFFECT(CONTAINER_COMMIT, DW_C_BUILD)
DW_COMMAND_EFFECT(SYSTEM_DF, "images,image ls,image list,"
    "ps,container ls,container list,container ps,volume ls,volume list")
DW_COMMAND_EFFECT(IMAGE_ATTESTATIONS, "image inspect")
#endif

#undef DW_C_RUN
#undef DW_C_CREATE
#undef DW_C_START
#undef DW_C_ATTACH
#undef DW_C_EXEC
#undef DW_C_CP
#undef DW_C_STATS
#undef DW_C_PULL
#undef DW_C_BUILD
#undef DW_C_SAVE
#undef DW_C_DEPLOY
#undef DW_C_STACKRM
#undef DW_C_SVCLS
#undef DW_C_PROGRESS
#undef DW_C_TASKPRINT
