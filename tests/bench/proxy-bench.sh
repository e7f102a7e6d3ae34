#!/usr/bin/env bash
# proxy-bench.sh: the Docker socket, a minimal proxy, dockward's gatekeeper
# and haproxy in one run (make bench-proxy).
#
#   tests/bench/proxy-bench.sh [DOCKWARD [BENCH_PROXY]]
#
# As root on a Debian 12 machine (docker.io, busybox-static, curl; haproxy
# when installed); no network beyond unix sockets.  Starts a private dockerd
# (no authorization plugin) under a fresh /tmp/dockward-bench.* directory,
# imports an offline test image, runs BENCH_CONTAINERS containers (sleep),
# starts bench_minproxy (next to BENCH_PROXY: accept, connect, copy bytes,
# nothing else: the gatekeeper's floor), haproxy if installed, configured
# the way Tecnativa's docker-socket-proxy configures it (one path ACL per
# API section, each switched by an environment variable; GET only) and,
# when DOCKWARD is given and its `serve` knows --gatekeeper-socket,
# dockward's gatekeeper; then tests/bench/bench_proxy measures every target,
# interleaved in rounds (round r starts with target r mod n): GET /_ping
# (1 and 4 connections), GET /containers/json?all=1 (the running set),
# GET /containers/{id}/json, GET /images/json, GET /_ping on a new
# connection per request, and GET /images/get (docker save, MB/s, same
# bytes from every target).  For each pair it prints the median of the
# per-round ratios with their spread [min-max] (the headline: the
# gatekeeper vs the minimal proxy), as BENCH lines with target=ratio.
# Then dockward's memory: VmRSS idle (fresh), after the measurements,
# with 100 idle gatekeeper connections (one /_ping each) and
# BENCH_SETTLE seconds after they closed.
# Everything it started is stopped and removed on exit.
#
# Environment:
#   BENCH_OUT          the report (markdown); default /tmp/dockward-proxy-bench-DATE.md
#   BENCH_ROUNDS       rounds per measurement (default 11)
#   BENCH_DURATION     seconds per target and round (default 2)
#   BENCH_CONTAINERS   containers running for /containers/json (default 10)
#   BENCH_SETTLE       seconds between closing connections and reading RSS (5)
#   BENCH_MINPROXY     the minimal proxy (default: bench_minproxy beside BENCH_PROXY)
#   BENCH_SAVE_MB      MiB of random data in the saved image (default 64)
#   HAPROXY_LOG_LEVEL  haproxy's log level, as docker-socket-proxy's LOG_LEVEL
#                      (default info: one line per request, to /dev/null here)
#   DOCKER             docker client (default /usr/bin/docker, Debian's 20.10)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
DOCKWARD=${1:-}
BENCH=${2:-$here/bench_proxy}
ROUNDS=${BENCH_ROUNDS:-11}
DURATION=${BENCH_DURATION:-2}
NCONTAINERS=${BENCH_CONTAINERS:-10}
SAVE_MB=${BENCH_SAVE_MB:-64}
SETTLE=${BENCH_SETTLE:-5}
MINPROXY=${BENCH_MINPROXY:-$(dirname "$BENCH")/bench_minproxy}
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
MINPROXY_PID=
INSPECT_ID=

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
	e2e_stop_pid "$MINPROXY_PID" 10
	# dockerd by its pidfile too (it is our child; the file says the same).
	[ -z "$DOCKERD_PID" ] && [ -s "$T/docker.pid" ] && DOCKERD_PID=$(cat "$T/docker.pid")
	if alive "$DOCKERD_PID"; then
		left=$(timeout 15 "$DOCKER" ps -aq 2>/dev/null)
		[ -n "$left" ] && timeout 60 "$DOCKER" rm -f $left >/dev/null 2>&1
	fi
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
# that docker save moves enough data to time), and the running containers
# (a list of stopped ones is not what a monitoring client reads).
bench_setup_engine() {
	local i
	e2e_make_rootfs "$T/rootfs" || die "rootfs"
	head -c "$((SAVE_MB * 1024 * 1024))" /dev/urandom >"$T/rootfs/blob" || die "blob"
	tar -C "$T/rootfs" -c . | timeout 120 "$DOCKER" import -c 'CMD ["sh"]' - "$BENCH_IMAGE" \
		>/dev/null || die "docker import"
	rm -rf "$T/rootfs"
	for i in $(seq 1 "$NCONTAINERS"); do
		timeout 60 "$DOCKER" run -d --network none --name "$BENCH_NAME-$i" \
			--label dockward.bench=1 "$BENCH_IMAGE" sleep 1000000 >"$T/run.id" ||
			die "docker run"
	done
	INSPECT_ID=$(cut -c1-64 "$T/run.id")
	[ "$(timeout 15 "$DOCKER" ps -q --filter label=dockward.bench=1 | wc -l)" -eq "$NCONTAINERS" ] ||
		die "not all $NCONTAINERS containers are running"
}

bench_start_minproxy() {
	[ -x "$MINPROXY" ] || die "$MINPROXY is not built (make tests/bench/bench_minproxy)"
	"$MINPROXY" "$T/minproxy.sock" "$T/docker.sock" 2>"$T/minproxy.log" &
	MINPROXY_PID=$!
	wait_for 10 expect_status 200 "$T/minproxy.sock" GET /_ping ||
		{ cat "$T/minproxy.log" >&2; die "bench_minproxy does not answer /_ping"; }
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

# bench_rss WHEN: dockward's memory now, as a BENCH line.
bench_rss() {
	local f
	{
		printf 'BENCH target=gatekeeper case=rss when=%s' "$1"
		for f in VmRSS VmHWM Threads; do
			printf ' %s=%s' "$f" "$(awk -v k="$f:" '$1 == k { print $2 }' "/proc/$DOCKWARD_PID/status")"
		done
		printf '\n'
	} >>"$T/rss.txt"
}

# bench_hold N SOCKET PATH WHEN: N idle connections (one request each):
# the RSS with them open (WHEN), and SETTLE seconds after they closed.
bench_hold() {
	local pid
	"$BENCH" --target "held=$2" --path "$3" --hold "$1" >"$T/hold.out" 2>&1 &
	pid=$!
	if ! wait_for 60 grep -q '^HELD' "$T/hold.out"; then
		log "bench_proxy --hold $1: $(tail -n 3 "$T/hold.out")"
		e2e_stop_pid "$pid" 5
		failed=1
		return 1
	fi
	sleep 1
	bench_rss "$4"
	e2e_stop_pid "$pid" 5
	sleep "$SETTLE"
	bench_rss "$4-closed"
}

bench_rss_table() {
	echo
	echo "### dockward gatekeeper memory (kB)"
	echo
	cat "$T/rss.txt"
	echo
	echo "| when | VmRSS | VmHWM | threads |"
	echo "|---|---:|---:|---:|"
	awk '{
		delete f; for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		printf "| %s | %s | %s | %s |\n", f["when"], f["VmRSS"], f["VmHWM"], f["Threads"] }' "$T/rss.txt"
	echo
}

# bench_ratio A B CASE CONNS: A's figure over B's, round by round (the
# rounds= lists of their BENCH lines), as "median min max" of those ratios.
bench_ratio() {
	awk -v a="$1" -v b="$2" -v c="$3" -v n="$4" '
	function get(line, key,   i, n, fs, kv) {
		n = split(line, fs, " ")
		for (i = 2; i <= n; i++) {
			split(fs[i], kv, "=")
			if (kv[1] == key) return substr(fs[i], length(key) + 2)
		}
		return ""
	}
	/^BENCH / && get($0, "case") == c && get($0, "conns") == n {
		if (get($0, "target") == a) ra = get($0, "rounds")
		if (get($0, "target") == b) rb = get($0, "rounds")
	}
	END {
		na = split(ra, va, ","); nb = split(rb, vb, ",")
		m = 0
		for (i = 1; i <= na && i <= nb; i++)
			if (vb[i] > 0) r[++m] = va[i] / vb[i]
		if (m == 0) { print "- - -"; exit }
		for (i = 1; i <= m; i++)		# insertion sort, m is small
			for (j = i; j > 1 && r[j - 1] > r[j]; j--) { t = r[j]; r[j] = r[j - 1]; r[j - 1] = t }
		med = m % 2 ? r[(m + 1) / 2] : (r[m / 2] + r[m / 2 + 1]) / 2
		printf "%.2f %.2f %.2f\n", med, r[1], r[m]
	}' "$OUT"
}

# The table of per-round ratios, and one BENCH line per pair.
bench_ratios() {
	local c n pair a b med lo hi cell row
	local cases="ping:1 ping:4 list:1 inspect:1 images:1 connect:1 save:1"
	local pairs="min/direct dockward/min haproxy/min dockward/direct"
	echo
	echo "### Medians of per-round ratios [min-max], requests/s (save: MB/s)"
	echo
	echo "| case | conns | ${pairs// / | } |"
	echo "|---|---:|---:|---:|---:|---:|"
	for c in $cases; do
		n=${c#*:}
		c=${c%:*}
		row="| $c | $n |"
		for pair in $pairs; do
			a=${pair%/*}
			b=${pair#*/}
			read -r med lo hi < <(bench_ratio "$a" "$b" "$c" "$n")
			if [ "$med" = - ]; then
				cell=-
			else
				cell="$med [$lo-$hi]"
				printf 'BENCH target=ratio case=%s conns=%s pair=%s med=%s min=%s max=%s\n' \
					"$c" "$n" "$a/$b" "$med" "$lo" "$hi" >>"$T/ratios.txt"
			fi
			row="$row $cell |"
		done
		echo "$row"
	done
	echo
	[ -f "$T/ratios.txt" ] && cat "$T/ratios.txt"
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
	for v in dockerd curl "$DOCKER" /bin/busybox; do
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
	bench_start_minproxy
	targets=(--target "direct=$T/docker.sock" --target "min=$T/minproxy.sock")
	labels=(direct min)
	if bench_start_dockward; then
		targets+=(--target "dockward=$T/gatekeeper.sock")
		labels+=(dockward)
		bench_rss idle
	fi
	if command -v haproxy >/dev/null; then
		bench_start_haproxy
		targets+=(--target "haproxy=$T/haproxy.sock")
		labels+=(haproxy)
	else
		log "haproxy is not installed: measuring without it"
	fi

	: >"$OUT" || die "cannot write $OUT"
	{
		echo "# dockward proxy benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo
		echo "- host: $(uname -sr), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
		echo "- engine: dockerd $("$DOCKER" version -f '{{.Server.Version}}' 2>/dev/null), private, no authorization plugin"
		echo "- minimal proxy: bench_minproxy (read/write both ways, a thread per direction, no parsing)"
		if [ -n "$HAPROXY_PID" ]; then
			echo "- haproxy: $(haproxy -v | head -n 1 | awk '{print $3}'), docker-socket-proxy style ACLs, keep-alive both sides, log level $LOG_LEVEL (to /dev/null)"
		else
			echo "- haproxy: not installed, not measured"
		fi
		if [ -n "$DOCKWARD_PID" ]; then
			echo "- dockward: $("$DOCKWARD" version 2>&1 | head -n 1), gatekeeper, audit log to a file"
		else
			echo "- dockward: not measured (no gatekeeper in this build)"
		fi
		echo "- targets: ${labels[*]}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
		echo "- $NCONTAINERS containers running; saved image $BENCH_IMAGE with $SAVE_MB MiB of random data"
	} | tee -a "$OUT"

	failed=0
	run_bench --case ping --path /_ping --connections 1,4 --duration "$DURATION"
	run_bench --case list --path '/v1.41/containers/json?all=1' --duration "$DURATION"
	run_bench --case inspect --path "/v1.41/containers/$INSPECT_ID/json" --duration "$DURATION"
	run_bench --case images --path /v1.41/images/json --duration "$DURATION"
	run_bench --case connect --path /_ping --connect-per-request --duration "$DURATION"
	run_bench --case save --save "$BENCH_IMAGE" --duration "$DURATION"
	bench_ratios | tee -a "$OUT"
	if [ -n "$DOCKWARD_PID" ]; then
		bench_rss after-bench
		bench_hold 100 "$T/gatekeeper.sock" /_ping conns100
		bench_rss_table | tee -a "$OUT"
	fi
	log "report: $OUT"
	return "$failed"
}

main
