/*
 * dw_paths: the default paths, in one place.  Every command and the daemon
 * start from these; options and the unit file may override them.
 */
#ifndef DW_PATHS_H
#define DW_PATHS_H

/* The admin's policy (root-owned, see dockward-settings(5)). */
#define DW_PATH_SETTINGS	"/etc/dockward/admin-settings.json"
/* Creator records, trust store, gatekeeper key. */
#define DW_PATH_STATE_DIR	"/var/lib/dockward"
/* Where dockerd looks for authorization plugin sockets, and ours in it. */
#define DW_PATH_PLUGIN_DIR	"/run/docker/plugins"
#define DW_PATH_PLUGIN_SOCKET	DW_PATH_PLUGIN_DIR "/dockward.sock"
/* dockerd's default socket (moby opts/hosts.go) and its /run spelling. */
#define DW_PATH_ENGINE_SOCKET	"/var/run/docker.sock"
#define DW_PATH_ENGINE_SOCKET_RUN	"/run/docker.sock"
/* dockerd's configuration file when it runs without --config-file. */
#define DW_PATH_DAEMON_JSON	"/etc/docker/daemon.json"
/* The daemon's metrics socket, read by dockward status. */
#define DW_PATH_METRICS_SOCKET	"/run/dockward/metrics.sock"
/* The trust store's file name inside the state directory. */
#define DW_PATH_TRUST_FILE	"trust.json"
/* The host's resolvers: the default allowed DNS servers of air-gapped containers. */
#define DW_PATH_RESOLV_CONF	"/etc/resolv.conf"
/* The passwd database as glibc's files source reads it, and its switch (api_peer_cache). */
#define DW_PATH_PASSWD		"/etc/passwd"
#define DW_PATH_NSSWITCH	"/etc/nsswitch.conf"
/* systemd-resolved's upstream resolvers, when the one above names only 127.0.0.53. */
#define DW_PATH_RESOLV_CONF_RESOLVED	"/run/systemd/resolve/resolv.conf"

/*
 * The audit log as packaged (contrib/logrotate, the unit's LogsDirectory):
 * where `dockward report` looks when given no file.  serve writes the
 * audit log to stdout unless given --audit-log.
 */
#define DW_PATH_AUDIT_LOG	"/var/log/dockward/audit.log"

#endif
