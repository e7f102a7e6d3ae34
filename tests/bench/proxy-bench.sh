#!/usr/bin/env bash
# proxy-bench.sh: the Docker socket, dockward's gatekeeper and haproxy in
# one run (make bench-proxy).
#
#   tests/bench/proxy-bench.sh [DOCKWARD [BENCH_PROXY]]
#
# As root on a Debian 12 machine (docker.io, haproxy, busybox-static, curl);
# no network beyond unix sockets.  Starts a private dockerd (no authorization
# plugin) under a fresh /tmp/dockward-bench.* directory, imports an offline
# test image, creates a few containers, starts haproxy configured the way
# Tecnativa's docker-socket-proxy configures it (one path ACL per API
# section, each switched by an environment variable; GET only) and, when
# DOCKWARD is given and its `serve` knows --gatekeeper-socket, dockward's
# gatekeeper; then tests/bench/bench_proxy measures every target, interleaved
# in rounds: GET /_ping (1 and 4 connections), GET /containers/json and
# GET /images/get (docker save, MB/s, same bytes from every target).
# Everything it started is stopped and removed on exit.
#
# Environment:
#   BENCH_OUT          the report (markdown); default /tmp/dockward-proxy-bench-DATE.md
#   BENCH_ROUNDS       rounds per measurement (default 5)
#   BENCH_DURATION     seconds per target and round (default 2)
#   BENCH_CONTAINERS   containers created for /containers/json (default 10)
#   BENCH_SAVE_MB      MiB of random data in the saved image (default 64)
#   HAPROXY_LOG_LEVEL  haproxy's log level, as docker-socket-proxy's LOG_LEVEL
#                      (default info: one line per request, to /dev/null here)
#   DOCKER             docker client (default /usr/bin/docker, Debian's 20.10)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
DOCKWARD=${1:-}
BENCH=${2:-$here/bench_proxy}
ROUNDS=${BENCH_ROUNDS:-5}
DURATION=${BENCH_DURATION:-2}
NCONTAINERS=${BENCH_CONTAINERS:-10}
SAVE_MB=${BENCH_SAVE_MB:-64}
LOG_LEVEL=${HAPROXY_LOG_LEVEL:-info}
OUT=${BENCH_OUT:-/tmp/dockward-proxy-bench-$(date +%Y%m%d-%H%M%S).md}
BENCH_NAME=dockward-bench-$$
BENCH_IMAGE=dockward-bench/busybox:latest

# Helpers shared with the e2e harness: e2e_make_rootfs, e2e_stop_pid,
# e2e_reap, e2e_pids, e2e_umount_under, e2e_mounts_under, wait_for, alive.
# shellcheck source=../e2e/lib.sh
. "$here/../e2e/lib.sh" || exit 2
DOCKER=${DOCKER:-/usr/bin/docker}

T=
DOCKERD_PID=
HAPROXY_PID=
DOCKWARD_PID=

log() { printf '# %s\n' "$*" >&2; }
die() { log "proxy-bench: $*"; exit 2; }

# This run's processes: their command line names our work dir or our
# containerd namespace (dockerd, containerd, shims, haproxy, dockward).
bench_pattern() { echo "$T/|-namespace $BENCH_NAME( |\$)"; }

bench_cleanup() {
	local left
	trap - EXIT INT TERM
	[ -n "$T" ] || return 0
	e2e_stop_pid "$DOCKWARD_PID" 10
	e2e_stop_pid "$HAPROXY_PID" 10
	# dockerd by its pidfile too (it is our child; the file says the same).
	[ -z "$DOCKERD_PID" ] && [ -s "$T/docker.pid" ] && DOCKERD_PID=$(cat "$T/docker.pid")
	e2e_stop_pid "$DOCKERD_PID" 30
	e2e_reap "$(bench_pattern)"
	e2e_umount_under "$T"
	left=$(e2e_pids "$(bench_pattern)")
	[ -n "$left" ] && log "left running: $(ps -o pid=,args= -p "${left//$'\n'/,}" | head -n 5)"
	[ -n "$(e2e_mounts_under "$T")" ] && log "left mounted: $(e2e_mounts_under "$T" | head -n 5)"
	if [ -n "${BENCH_KEEP:-}" ]; then
		log "work dir kept: $T"
	else
		rm -rf "$T"
	fi
}

# haproxy.cfg, written from scratch after docker-socket-proxy's: http mode,
# GET/HEAD only unless POST=1, one regex ACL per API section (optional
# /vX.Y and one more path segment in front), each allowed when its
# environment switch is 1, everything else denied; the events stream has a
# backend with no server timeout; the same timeouts, retries and maxconn.
# Different on purpose: a unix socket instead of :2375, and HTTP keep-alive
# on both sides (haproxy's default; no `option http-server-close`).
bench_haproxy_cfg() {
	local s sections="auth build commit configs containers distribution events exec grpc
		images info networks nodes _ping plugins secrets services session swarm system
		tasks version volumes" pre='^(/v[0-9.]+)?(/[a-z0-9_]+)?'
	cat <<EOF
global
    log stdout format raw daemon $LOG_LEVEL
    maxconn 4000

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option http-keep-alive
    http-reuse safe
    option redispatch
    retries 3
    timeout http-request 10s
    timeout queue 1m
    timeout connect 10s
    timeout client 10m
    timeout server 10m
    timeout http-keep-alive 10s
    timeout check 10s
    maxconn 3000

backend engine
    server engine unix@$T/docker.sock

backend engine-events
    server engine unix@$T/docker.sock
    timeout server 0

frontend docker-api
    bind unix@$T/haproxy.sock mode 600
    acl allow_post env(POST) -m bool
    acl is_events path,url_dec -m reg -i $pre/events
    acl ctr_restart path,url_dec -m reg -i $pre/containers/[a-z0-9_.-]+/(stop|restart|kill)
    acl ctr_start path,url_dec -m reg -i $pre/containers/[a-z0-9_.-]+/start
    acl ctr_stop path,url_dec -m reg -i $pre/containers/[a-z0-9_.-]+/stop
EOF
	for s in $sections; do
		echo "    acl api_${s#_} path,url_dec -m reg -i $pre/$s"
	done
	cat <<EOF
    http-request deny unless METH_GET || allow_post
    http-request allow if ctr_restart { env(ALLOW_RESTARTS) -m bool }
    http-request allow if ctr_start { env(ALLOW_START) -m bool }
    http-request allow if ctr_stop { env(ALLOW_STOP) -m bool }
EOF
	for s in $sections; do
		s=${s#_}
		echo "    http-request allow if api_$s { env(${s^^}) -m bool }"
	done
	cat <<EOF
    http-request deny
    use_backend engine-events if is_events
    default_backend engine
EOF
}

# The switches, as docker-socket-proxy's environment: what a read-only
# monitoring client needs, nothing that writes.
bench_haproxy_env() {
	local s
	for s in AUTH BUILD COMMIT CONFIGS DISTRIBUTION EXEC GRPC NETWORKS NODES PLUGINS \
	    SECRETS SERVICES SESSION SWARM SYSTEM TASKS VOLUMES POST ALLOW_RESTARTS \
	    ALLOW_START ALLOW_STOP; do
		printf '%s=0\n' "$s"
	done
	for s in PING VERSION INFO CONTAINERS IMAGES EVENTS; do
		printf '%s=1\n' "$s"
	done
}

# curl_status SOCKET METHOD PATH: the HTTP status of one request.
curl_status() {
	local m=(-X "$2")
	[ "$2" = HEAD ] && m=(--head)
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "$1" \
		"${m[@]}" "http://docker$3"
}

# expect_status WANT SOCKET METHOD PATH: sanity check of a proxy's policy.
expect_status() {
	local got
	got=$(curl_status "$2" "$3" "$4")
	if [ "$got" != "$1" ]; then
		log "$2: $3 $4 answered $got, expected $1"
		return 1
	fi
}

bench_start_dockerd() {
	echo '{}' >"$T/daemon.json"
	# The flags of the e2e harness (tests/e2e/lib.sh), without the plugin.
	dockerd --data-root "$T/data" --exec-root "$T/exec" -H "unix://$T/docker.sock" \
		--pidfile "$T/docker.pid" --config-file "$T/daemon.json" \
		--iptables=false --bridge=none \
		--containerd-namespace "$BENCH_NAME" --containerd-plugins-namespace "$BENCH_NAME-plugins" \
		>"$T/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	local deadline=$(($(date +%s) + 60))
	until timeout 5 "$DOCKER" version >/dev/null 2>&1; do
		alive "$DOCKERD_PID" || { tail -n 20 "$T/dockerd.log" >&2; die "dockerd exited"; }
		[ "$(date +%s)" -ge "$deadline" ] && { tail -n 20 "$T/dockerd.log" >&2; die "dockerd did not answer"; }
		sleep 0.3
	done
}

# The test image, offline: busybox plus SAVE_MB MiB of random bytes (so
# that docker save moves enough data to time), and the containers.
bench_setup_engine() {
	local i
	e2e_make_rootfs "$T/rootfs" || die "rootfs"
	head -c "$((SAVE_MB * 1024 * 1024))" /dev/urandom >"$T/rootfs/blob" || die "blob"
	tar -C "$T/rootfs" -c . | timeout 120 "$DOCKER" import -c 'CMD ["sh"]' - "$BENCH_IMAGE" \
		>/dev/null || die "docker import"
	rm -rf "$T/rootfs"
	for i in $(seq 1 "$NCONTAINERS"); do
		timeout 60 "$DOCKER" create --name "$BENCH_NAME-$i" --label dockward.bench=1 \
			"$BENCH_IMAGE" true >/dev/null || die "docker create"
	done
}

bench_start_haproxy() {
	bench_haproxy_cfg >"$T/haproxy.cfg"
	local switches
	mapfile -t switches < <(bench_haproxy_env)
	env "${switches[@]}" haproxy -c -q -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 ||
		{ cat "$T/haproxy.log" >&2; die "haproxy refuses $T/haproxy.cfg"; }
	# Foreground (-db), one process; the request log goes to stdout as in
	# the docker-socket-proxy container, here to /dev/null.
	env "${switches[@]}" haproxy -db -f "$T/haproxy.cfg" -p "$T/haproxy.pid" \
		>/dev/null 2>"$T/haproxy.log" &
	HAPROXY_PID=$!
	wait_for 20 test -S "$T/haproxy.sock" || { cat "$T/haproxy.log" >&2; die "haproxy did not start"; }
	wait_for 10 expect_status 200 "$T/haproxy.sock" GET /_ping ||
		{ cat "$T/haproxy.log" >&2; die "haproxy does not answer /_ping"; }
	# Its policy does what docker-socket-proxy's does with these switches.
	if ! { expect_status 200 "$T/haproxy.sock" GET /v1.41/containers/json &&
	    expect_status 200 "$T/haproxy.sock" HEAD /_ping &&
	    expect_status 403 "$T/haproxy.sock" GET /v1.41/networks &&
	    expect_status 403 "$T/haproxy.sock" GET /volumes &&
	    expect_status 403 "$T/haproxy.sock" POST /v1.41/containers/create; }; then
		die "haproxy's ACLs do not behave as configured"
	fi
}

# dockward's gatekeeper, when this dockward has one.
bench_start_dockward() {
	if [ -z "$DOCKWARD" ]; then
		log "no dockward binary given: skipping the dockward target"
		return 1
	fi
	[ -x "$DOCKWARD" ] || die "$DOCKWARD is not executable"
	if ! "$DOCKWARD" serve --help 2>&1 | grep -q -- '--gatekeeper-socket'; then
		log "$DOCKWARD serve has no --gatekeeper-socket yet: skipping the dockward" \
			"target, comparing direct and haproxy only"
		return 1
	fi
	# The policy loader wants a root-owned file in a root-owned directory,
	# neither writable by group or others.
	mkdir -m 0700 "$T/policy" "$T/state"
	cat >"$T/policy/admin-settings.json" <<'EOF'
{"configurationFileVersion":2,"enhancedContainerIsolation":{"value":true,"locked":true,"dockerSocketMount":{"imageList":{"images":[]}}}}
EOF
	chmod 0644 "$T/policy/admin-settings.json"
	"$DOCKWARD" serve --settings "$T/policy/admin-settings.json" --plugin-socket none \
		--engine-socket "$T/docker.sock" --gatekeeper-socket "$T/gatekeeper.sock" \
		--state-dir "$T/state" --audit-log "$T/audit.log" >"$T/dockward.log" 2>&1 &
	DOCKWARD_PID=$!
	if ! wait_for 20 expect_status 200 "$T/gatekeeper.sock" GET /_ping; then
		tail -n 20 "$T/dockward.log" >&2
		die "dockward's gatekeeper does not answer /_ping on $T/gatekeeper.sock"
	fi
}

# run_bench ARGS...: bench_proxy over every target; the report gets its output.
run_bench() {
	local rc
	log "bench_proxy $*"
	"$BENCH" "${targets[@]}" --rounds "$ROUNDS" "$@" | tee -a "$OUT"
	rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || { log "bench_proxy exited $rc"; failed=1; }
}

main() {
	local v
	[ "$(id -u)" = 0 ] || die "must run as root (it starts its own dockerd)"
	for v in dockerd haproxy curl "$DOCKER" /bin/busybox; do
		command -v "$v" >/dev/null || die "missing $v"
	done
	[ -x "$BENCH" ] || die "$BENCH is not executable (make tests/bench/bench_proxy)"
	T=$(mktemp -d /tmp/dockward-bench.XXXXXXXX) || die "mktemp"
	chmod 0700 "$T"
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	mkdir -p "$T/data" "$T/exec" "$T/docker-config"
	export DOCKER_HOST=unix://$T/docker.sock DOCKER_CONFIG=$T/docker-config
	log "work dir $T"

	bench_start_dockerd
	bench_setup_engine
	bench_start_haproxy
	targets=(--target "direct=$T/docker.sock")
	if bench_start_dockward; then
		targets+=(--target "dockward=$T/gatekeeper.sock")
	fi
	targets+=(--target "haproxy=$T/haproxy.sock")

	: >"$OUT" || die "cannot write $OUT"
	{
		echo "# dockward proxy benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo
		echo "- host: $(uname -sr), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
		echo "- engine: dockerd $("$DOCKER" version -f '{{.Server.Version}}' 2>/dev/null), private, no authorization plugin"
		echo "- haproxy: $(haproxy -v | head -n 1 | awk '{print $3}'), docker-socket-proxy style ACLs, keep-alive both sides, log level $LOG_LEVEL (to /dev/null)"
		if [ -n "$DOCKWARD_PID" ]; then
			echo "- dockward: $("$DOCKWARD" version 2>&1 | head -n 1), gatekeeper, audit log to a file"
		else
			echo "- dockward: not measured (no gatekeeper in this build)"
		fi
		echo "- targets: direct (the engine socket), ${DOCKWARD_PID:+dockward (gatekeeper socket), }haproxy"
		echo "- $NCONTAINERS containers created; saved image $BENCH_IMAGE with $SAVE_MB MiB of random data"
	} | tee -a "$OUT"

	failed=0
	run_bench --path /_ping --connections 1,4 --duration "$DURATION"
	run_bench --path /containers/json --connections 1 --duration "$DURATION"
	run_bench --save "$BENCH_IMAGE" --duration "$DURATION"
	log "report: $OUT"
	return "$failed"
}

main
