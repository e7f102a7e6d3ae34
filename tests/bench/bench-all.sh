#!/usr/bin/env bash
# bench-all.sh: every dockward benchmark in one run, one table (make bench-full).
#
#   tests/bench/bench-all.sh DOCKWARD BENCH_DIR
#
# BENCH_DIR holds the built bench_decide, bench_proxy, bench_floor,
# bench_minproxy, bench_verify and bench_egress_pac.  As root, like proxy-bench.sh (dockerd, docker-registry,
# haproxy, busybox-static, curl, jq; no network beyond loopback).  Measures:
#   1. in process: bench_decide (decision latency per scenario, 200 local
#      images for the derived-image case); bench_egress_pac (PAC evaluations
#      per second with the docs' example PACs, in process and through the
#      seccomp-confined worker);
#   2. AuthZReq over the plugin's unix socket: bench_proxy POSTing
#      dockerd-shaped AuthZReq bodies over keep-alive to dockward's plugin
#      (the policy below, a real engine and registry behind it) and to
#      bench_floor (the same api_plugin server, allow-all), interleaved in
#      rounds; every answer is checked for the expected verdict;
#   3. dockerd's request rate with no plugin, with bench_floor and with
#      dockward as its --authorization-plugin: one private dockerd whose
#      authorization-plugins (daemon.json) are switched by SIGHUP between
#      configurations, rotated per round so drift hits all three alike;
#      GET /containers/json and POST /containers/create + DELETE;
#   4. dockward's VmRSS idle (fresh), with 100 idle plugin connections (one
#      create AuthZReq each) and BENCH_SETTLE seconds after they closed;
#      its VmHWM and VmRSS after 2 and 3;
#   5. bench_verify: a socket-mounting create with the registry cache cold
#      and warm, against a local docker-registry;
#   6. proxy-bench.sh (its own dockerd, a running set of containers):
#      direct socket vs bench_minproxy (the floor) vs the gatekeeper vs
#      HAProxy (when installed) on /_ping (1 and 4 connections),
#      containers/json?all=1, a container's inspect, images/json, a new
#      connection per request and docker save, interleaved; medians of
#      per-round ratios with their spread; the gatekeeper's RSS idle, with
#      100 idle connections and after they closed (SKIP_PROXY=1 leaves it
#      out).
# Then prints one markdown table with every figure (medians across rounds,
# p99, ratios) and the goals of issue 15 (gatekeeper >= 0.9x the minimal
# proxy on every endpoint; plugin create AuthZReq with a bind mount >=
# 0.8x the allow-all floor; decision p99 <= 100 µs; RSS <= 16 MB idle,
# <= 24 MB with 100 gatekeeper connections, <= 18 MB after they close).
# Exit status: 0 when every measurement ran (goals missed are reported,
# not failed), else 1.
#
# Environment: BENCH_OUT (the report; default /tmp/dockward-bench-full-DATE.md),
# BENCH_ROUNDS (11, as issue 15 measured), BENCH_DURATION (seconds per target and round, 2),
# BENCH_COLD (cold verifications, 30), BENCH_SETTLE (seconds after closing
# connections before RSS is read, 5), SKIP_PROXY=1, BENCH_KEEP=1 (keep
# the work dir), DOCKER; proxy-bench.sh's own (BENCH_CONTAINERS, ...).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
DOCKWARD=${1:-}
BDIR=${2:-}
ROUNDS=${BENCH_ROUNDS:-11}
DURATION=${BENCH_DURATION:-2}
COLD=${BENCH_COLD:-30}
SETTLE=${BENCH_SETTLE:-5}
OUT=${BENCH_OUT:-/tmp/dockward-bench-full-$(date +%Y%m%d-%H%M%S).md}
BENCH_NAME=dwbench-$$

# shellcheck source=../e2e/lib.sh
. "$here/../e2e/lib.sh" || exit 2
DOCKER=${DOCKER:-/usr/bin/docker}

T=
DOCKERD_PID=
DOCKWARD_PID=
FLOOR_PID=
REGISTRY_PID=
DOCKERD_VERSION=?
FLOOR_SOCK=$PLUGIN_DIR/$BENCH_NAME-floor.sock
DW_SOCK=$PLUGIN_DIR/$BENCH_NAME-dockward.sock

log() { printf '# %s\n' "$*" >&2; }
die() { log "bench-all: $*"; exit 1; }

bench_pattern() { echo "$T/|-namespace $BENCH_NAME( |\$)"; }

cleanup() {
	trap - EXIT INT TERM
	[ -n "$T" ] || return 0
	stop_engine
	e2e_stop_pid "$REGISTRY_PID" 10
	e2e_reap "$(bench_pattern)"
	e2e_umount_under "$T"
	rm -f "$FLOOR_SOCK" "$DW_SOCK"
	if [ -n "${BENCH_KEEP:-}" ]; then log "work dir kept: $T"; else rm -rf "$T"; fi
}

# Our dockerd, dockward and floor (the proxy bench starts its own dockerd).
stop_engine() {
	local ids
	if alive "$DOCKERD_PID"; then
		ids=$(timeout 15 "$DOCKER" ps -aq 2>/dev/null)
		[ -n "$ids" ] && timeout 60 "$DOCKER" rm -f $ids >/dev/null 2>&1
	fi
	e2e_stop_pid "$DOCKERD_PID" 30
	DOCKERD_PID=
	e2e_stop_pid "$DOCKWARD_PID" 10
	DOCKWARD_PID=
	e2e_stop_pid "$FLOOR_PID" 10
	FLOOR_PID=
}

# ---------------------------------------------------------------- setup

setup() {
	local reg_port
	mkdir -p "$T/data" "$T/exec" "$T/docker-config" "$T/proj" "$T/bodies" "$T/raw"
	mkdir -m 0700 "$T/policy" "$T/state"
	export DOCKER_HOST=unix://$T/docker.sock DOCKER_CONFIG=$T/docker-config
	reg_port=$(e2e_free_port) || die "no free port"
	REGISTRY=127.0.0.1:$reg_port
	ALLOWED=$REGISTRY/dwbench/cli:1
	IMAGE=dwbench/busybox:latest
	e2e_registry_config "$T/registry" "$REGISTRY" >"$T/registry.yml"
	docker-registry serve "$T/registry.yml" >"$T/registry.log" 2>&1 &
	REGISTRY_PID=$!
	wait_for 20 curl -fsS --max-time 2 "http://$REGISTRY/v2/" || die "registry did not answer"

	# The plugins first: dockerd validates them when a reload names them.
	e2e_policy_json "[\"$ALLOWED\"]" "$T/data" "$T/exec" >"$T/policy/admin-settings.json"
	chmod 0644 "$T/policy/admin-settings.json"
	mkdir -p "$PLUGIN_DIR"
	"$BDIR/bench_floor" "$FLOOR_SOCK" >"$T/floor.out" 2>"$T/floor.log" &
	FLOOR_PID=$!
	"$DOCKWARD" serve --settings "$T/policy/admin-settings.json" --plugin-socket "$DW_SOCK" \
		--engine-socket "$T/docker.sock" --state-dir "$T/state" \
		--audit-log "$T/audit.log" >"$T/dockward.log" 2>&1 &
	DOCKWARD_PID=$!
	wait_for 20 sh -c 'curl -sS --max-time 2 --unix-socket "$1" -X POST http://p/Plugin.Activate | grep -q authz &&
		curl -sS --max-time 2 --unix-socket "$2" -X POST http://p/Plugin.Activate | grep -q authz' \
		_ "$FLOOR_SOCK" "$DW_SOCK" || { tail "$T/floor.log" "$T/dockward.log" >&2; die "plugins did not start"; }

	# authorization-plugins lives in daemon.json only (a flag as well
	# would make every reload fail as a conflict).
	echo '{"authorization-plugins": []}' >"$T/daemon.json"
	dockerd --data-root "$T/data" --exec-root "$T/exec" -H "unix://$T/docker.sock" \
		--pidfile "$T/docker.pid" --config-file "$T/daemon.json" \
		--iptables=false --bridge=none \
		--containerd-namespace "$BENCH_NAME" --containerd-plugins-namespace "$BENCH_NAME-plugins" \
		>"$T/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	wait_for 60 timeout 5 "$DOCKER" version || { tail -n 20 "$T/dockerd.log" >&2; die "dockerd did not answer"; }
	DOCKERD_VERSION=$("$DOCKER" version -f '{{.Server.Version}}' 2>/dev/null)

	# Images, offline: the test image, and the allowed one (other bytes) on the registry.
	e2e_make_rootfs "$T/rootfs" || die "rootfs"
	tar -C "$T/rootfs" -c . | timeout 120 "$DOCKER" import -c 'CMD ["sh"]' - "$IMAGE" >/dev/null ||
		die "docker import"
	echo allowed >"$T/rootfs/allowed"
	tar -C "$T/rootfs" -c . | timeout 120 "$DOCKER" import -c 'CMD ["sh"]' - "$ALLOWED" >/dev/null ||
		die "docker import (allowed)"
	timeout 120 "$DOCKER" push "$ALLOWED" >"$T/push.log" 2>&1 || { cat "$T/push.log" >&2; die "docker push"; }
	rm -rf "$T/rootfs"
}

# create_body IMAGE BINDS_JSON PRIVILEGED: what docker run (CLI 20.10) sends to /containers/create.
create_body() {
	jq -c -n --arg img "$1" --argjson binds "$2" --argjson priv "$3" '{
	  Hostname: "", Domainname: "", User: "", AttachStdin: false, AttachStdout: true,
	  AttachStderr: true, Tty: false, OpenStdin: false, StdinOnce: false, Env: ["BENCH=1"],
	  Cmd: ["true"], Image: $img, Volumes: {}, WorkingDir: "", Entrypoint: null,
	  OnBuild: null, Labels: {"dockward.bench": "1"},
	  HostConfig: { Binds: $binds, ContainerIDFile: "", LogConfig: {Type: "", Config: {}},
	    NetworkMode: "default", PortBindings: {}, RestartPolicy: {Name: "no", MaximumRetryCount: 0},
	    AutoRemove: false, VolumeDriver: "", VolumesFrom: null, CapAdd: null, CapDrop: null,
	    CgroupnsMode: "", Dns: [], DnsOptions: [], DnsSearch: [], ExtraHosts: null,
	    GroupAdd: null, IpcMode: "", Cgroup: "", Links: null, OomScoreAdj: 0, PidMode: "",
	    Privileged: $priv, PublishAllPorts: false, ReadonlyRootfs: false, SecurityOpt: null,
	    UTSMode: "", UsernsMode: "", ShmSize: 0, ConsoleSize: [0, 0], Isolation: "",
	    CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: "", BlkioWeight: 0,
	    BlkioWeightDevice: [], BlkioDeviceReadBps: null, BlkioDeviceWriteBps: null,
	    BlkioDeviceReadIOps: null, BlkioDeviceWriteIOps: null, CpuPeriod: 0, CpuQuota: 0,
	    CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, CpusetCpus: "", CpusetMems: "",
	    Devices: [], DeviceCgroupRules: null, DeviceRequests: null, KernelMemory: 0,
	    KernelMemoryTCP: 0, MemoryReservation: 0, MemorySwap: 0, MemorySwappiness: -1,
	    OomKillDisable: false, PidsLimit: null, Ulimits: null, CpuCount: 0, CpuPercent: 0,
	    IOMaximumIOps: 0, IOMaximumBandwidth: 0, MaskedPaths: null, ReadonlyPaths: null },
	  NetworkingConfig: {EndpointsConfig: {}} }'
}

# authz_req METHOD URI [BODYFILE]: the AuthZReq dockerd sends for that request.
authz_req() {
	local b64= len=0
	if [ -n "${3:-}" ]; then
		b64=$(base64 -w0 <"$3")
		len=$(wc -c <"$3")
	fi
	jq -c -n --arg m "$1" --arg u "$2" --arg b "$b64" --arg len "$len" '{
	  User: "", UserAuthNMethod: "", RequestMethod: $m, RequestUri: $u,
	  RequestBody: (if $b == "" then null else $b end),
	  RequestHeaders: ({"User-Agent": "Docker-Client/20.10.24+dfsg1 (linux)"}
	    + (if $b == "" then {} else {"Content-Type": "application/json", "Content-Length": $len} end)),
	  RequestPeerCertificates: null }'
}

write_bodies() {
	local B=$T/bodies
	create_body "$IMAGE" "[\"$T/proj:/src\"]" false >"$B/create.json"
	create_body "$IMAGE" null true >"$B/privileged.json"
	create_body "$ALLOWED" "[\"$T/docker.sock:/var/run/docker.sock\"]" false >"$B/socket.json"
	create_body "$IMAGE" null false >"$B/engine-create.json"
	authz_req GET /_ping >"$B/authz-ping.json"
	authz_req GET "/v1.41/containers/json?all=1" >"$B/authz-list.json"
	authz_req POST /v1.41/containers/create "$B/create.json" >"$B/authz-create.json"
	authz_req POST /v1.41/containers/create "$B/privileged.json" >"$B/authz-privileged.json"
	authz_req POST /v1.41/containers/create "$B/socket.json" >"$B/authz-socket.json"
}

# ------------------------------------------------------------- measures

# bp ARGS...: bench_proxy; its output goes to the raw log, its BENCH lines to $T/bench.txt.
bp() {
	local rc
	"$BDIR/bench_proxy" "$@" >"$T/raw/bp.out" 2>&1
	rc=$?
	cat "$T/raw/bp.out" >>"$T/raw/all.md"
	grep '^BENCH ' "$T/raw/bp.out" >>"$T/bench.txt"
	[ $rc -eq 0 ] || { log "bench_proxy $* failed:"; grep -E 'FAILED|bench_proxy:' "$T/raw/bp.out" >&2; failed=1; }
}

# The plugin protocol over its socket: dockward vs the allow-all floor.
bench_plugin_socket() {
	local c conns want
	for c in ping list create privileged socket; do
		conns=1
		[ "$c" = create ] && conns=1,4
		want='"Allow":true'
		[ "$c" = privileged ] && want='(container.privileged)'
		log "AuthZReq over the plugin socket: $c"
		bp --target "floor=$FLOOR_SOCK" --target "dockward=$DW_SOCK" \
			--expect 'floor="Allow":true' --expect "dockward=$want" \
			--method POST --path /AuthZPlugin.AuthZReq --body "$T/bodies/authz-$c.json" \
			--case "authz-$c" --connections "$conns" --rounds "$ROUNDS" --duration "$DURATION"
	done
}

# engine_config none|floor|dockward: switch dockerd's authorization plugins (SIGHUP).
engine_config() {
	local plugins='[]' before code
	case $1 in
	floor) plugins="[\"$BENCH_NAME-floor\"]" ;;
	dockward) plugins="[\"$BENCH_NAME-dockward\"]" ;;
	esac
	before=$(grep -c 'Reloaded configuration' "$T/dockerd.log")
	echo "{\"authorization-plugins\": $plugins}" >"$T/daemon.json"
	kill -HUP "$DOCKERD_PID"
	wait_for 20 sh -c '[ "$(grep -c "Reloaded configuration" "$1")" -gt "$2" ]' _ "$T/dockerd.log" "$before" ||
		{ tail -n 5 "$T/dockerd.log" >&2; return 1; }
	# The configuration is in effect: only dockward denies a privileged create.
	code=$(curl -sS --max-time 30 --unix-socket "$T/docker.sock" -o "$T/raw/probe.json" -w '%{http_code}' \
		-H 'Content-Type: application/json' --data-binary @"$T/bodies/privileged.json" \
		-X POST "http://d/v1.41/containers/create") || return 1
	if [ "$1" = dockward ]; then
		[ "$code" = 403 ] && grep -q 'container.privileged' "$T/raw/probe.json" ||
			{ log "$1: a privileged create answered $code: $(head -c 300 "$T/raw/probe.json")"; return 1; }
	else
		[ "$code" = 201 ] || { log "$1: a privileged create answered $code"; return 1; }
		curl -sS --max-time 30 --unix-socket "$T/docker.sock" -o /dev/null \
			-X DELETE "http://d/v1.41/containers/$(jq -r .Id "$T/raw/probe.json")?force=1"
	fi
}

# dockerd's request rate under each configuration, rotated per round.
bench_engine() {
	local r i cfg cfgs=(none floor dockward)
	for r in $(seq 0 $((ROUNDS - 1))); do
		for i in 0 1 2; do
			cfg=${cfgs[$(((r + i) % 3))]}
			log "dockerd round $((r + 1))/$ROUNDS: $cfg"
			engine_config "$cfg" || { log "cannot switch dockerd to $cfg"; failed=1; return 1; }
			bp --target "engine-$cfg=$T/docker.sock" --path /v1.41/containers/json \
				--case engine-list --rounds 1 --duration "$DURATION"
			bp --target "engine-$cfg=$T/docker.sock" --method POST --path /v1.41/containers/create \
				--body "$T/bodies/engine-create.json" --create-delete --warmup 10 \
				--case engine-create-delete --rounds 1 --duration "$DURATION"
		done
	done
	engine_config none
}

bench_rss() {
	local f
	for f in VmHWM VmRSS Threads; do
		printf 'BENCH target=dockward case=rss %s=%s\n' "$f" \
			"$(awk -v k="$f:" '$1 == k { print $2 }' "/proc/$DOCKWARD_PID/status")"
	done >>"$T/bench.txt"
}

# plugin_rss WHEN: dockward's VmRSS now, as a BENCH line.
plugin_rss() {
	printf 'BENCH target=plugin case=rss-%s VmRSS=%s Threads=%s\n' "$1" \
		"$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$DOCKWARD_PID/status")" \
		"$(awk '$1 == "Threads:" { print $2 }' "/proc/$DOCKWARD_PID/status")" >>"$T/bench.txt"
}

# dockward fresh, then with 100 idle plugin connections (one create
# AuthZReq each, allowed), then SETTLE seconds after they closed.
bench_plugin_rss() {
	local pid
	plugin_rss idle
	"$BDIR/bench_proxy" --target "dockward=$DW_SOCK" --expect 'dockward="Allow":true' \
		--method POST --path /AuthZPlugin.AuthZReq --body "$T/bodies/authz-create.json" \
		--hold 100 >"$T/raw/hold.out" 2>&1 &
	pid=$!
	if ! wait_for 60 grep -q '^HELD' "$T/raw/hold.out"; then
		log "bench_proxy --hold 100: $(tail -n 3 "$T/raw/hold.out")"
		e2e_stop_pid "$pid" 5
		failed=1
		return 1
	fi
	sleep 1
	plugin_rss conns100
	e2e_stop_pid "$pid" 5
	sleep "$SETTLE"
	plugin_rss closed
}

# round_ratio A B CASE CONNS: A's requests/s over B's round by round (their
# BENCH lines' rounds= lists), as "median [min-max]".
round_ratio() {
	awk -v a="$1" -v b="$2" -v c="$3" -v n="$4" '{
		delete f; for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (f["case"] == c && f["conns"] == n && f["target"] == a) ra = f["rounds"]
		if (f["case"] == c && f["conns"] == n && f["target"] == b) rb = f["rounds"]
	}
	END {
		na = split(ra, va, ","); nb = split(rb, vb, ",")
		m = 0
		for (i = 1; i <= na && i <= nb; i++)
			if (vb[i] > 0) r[++m] = va[i] / vb[i]
		if (m == 0) { print "-"; exit }
		for (i = 1; i <= m; i++)
			for (j = i; j > 1 && r[j - 1] > r[j]; j--) { t = r[j]; r[j] = r[j - 1]; r[j - 1] = t }
		med = m % 2 ? r[(m + 1) / 2] : (r[m / 2] + r[m / 2 + 1]) / 2
		printf "%.2f [%.2f-%.2f]\n", med, r[1], r[m]
	}' "$T/bench.txt"
}

# pratio CASE CONNS PAIR: proxy-bench.sh's per-round ratio, "median [min-max]".
pratio() {
	awk -v c="$1" -v n="$2" -v p="$3" '{
		delete f; for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (f["target"] == "ratio" && f["case"] == c && f["conns"] == n && f["pair"] == p) {
			printf "%s [%s-%s]\n", f["med"], f["min"], f["max"]; found = 1; exit }
	} END { if (!found) print "-" }' "$T/bench.txt"
}
# rss TARGET CASE: a VmRSS of the RSS lines, in kB.
rss() { vals "$1" "$2" "" VmRSS | head -n 1; }
# mb KB: "N.N MB" (MiB, as VmRSS counts kB).
mb() { awk -v k="$1" 'BEGIN { if (k + 0 > 0) printf "%.1f MB", k / 1024; else print "-" }'; }
# goal VALUE OP LIMIT: "met" or "MISSED" (VALUE a number, or "-").
goal() { awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { if (v == "-" || v == "") { print "not measured"; exit }
	ok = op == ">=" ? v + 0 >= l + 0 : v + 0 <= l + 0; print ok ? "met" : "MISSED" }'; }

# --------------------------------------------------------------- report

# field LINE KEY: a key=value of a BENCH line.
# med: the median of the numbers on stdin.
med() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# vals TARGET CASE CONNS KEY: the KEY values of the matching BENCH lines.
vals() {
	awk -v t="$1" -v c="$2" -v n="$3" -v k="$4" '{
		delete f; for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (f["target"] == t && f["case"] == c && (n == "" || f["conns"] == n) && (k in f)) print f[k]
	}' "$T/bench.txt"
}
fig() { vals "$@" | med; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
proxy_case() {
	case $1 in
	ping) echo "GET /_ping" ;;
	list) echo "GET /containers/json?all=1 (running set)" ;;
	inspect) echo "GET /containers/{id}/json" ;;
	images) echo "GET /images/json" ;;
	connect) echo "GET /_ping, a connection per request" ;;
	*) echo "$1" ;;
	esac
}

report() {
	local c n f d r p p99 rps base fl line
	echo "## dockward: all benchmarks, one run"
	echo
	echo "- host: $(uname -sr), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1); load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- dockward: $("$DOCKWARD" version 2>&1 | head -n 1); dockerd $DOCKERD_VERSION, private, plugins switched by SIGHUP"
	echo "- $ROUNDS rounds x ${DURATION}s per target, interleaved; figures are medians across rounds; ratios of the proxies and the plugin goal are medians of per-round ratios [min-max]"
	echo
	row measurement target "p50 µs" "p99 µs" "req/s" ratio
	echo "|---|---|---:|---:|---:|---|"
	# 1. in process
	while read -r line; do
		row "in process: ${line%%|*}" dockward $(echo "${line#*|}" | awk '{ print $1, $2 }') - "$(echo "${line#*|}" | awk '{ print $3 }')x cheapest"
	done < <(awk 'NR > 1 { n = NF; name = $1; for (i = 2; i <= n - 3; i++) name = name " " $i; print name "|" $(n-2), $(n-1), $n }' "$T/raw/decide.txt")
	# 1b. PAC evaluations
	for c in advanced basic; do
		for f in inprocess worker; do
			rps=$(fig "pac-$f" "$c" "" evals_s)
			[ -n "$rps" ] || continue
			row "PAC $c example, evaluations" "$f" "$(fig "pac-$f" "$c" "" p50_us)" \
				"$(fig "pac-$f" "$c" "" p99_us)" "$rps" \
				"$([ "$f" = inprocess ] && echo "$(fig pac-inprocess "$c" "" evals_cpu_s)/cpu-s" || echo "$(ratio "$rps" "$(fig pac-ipc-floor echo "" evals_s)")x ipc floor")"
		done
	done
	# 2. plugin socket
	for c in ping list create privileged socket; do
		for n in 1 4; do
			[ -n "$(vals dockward "authz-$c" "$n" rps)" ] || continue
			fl=$(fig floor "authz-$c" "$n" rps)
			d=$(fig dockward "authz-$c" "$n" rps)
			row "AuthZReq socket, $c, $n conn" floor "$(fig floor "authz-$c" "$n" p50_us)" \
				"$(fig floor "authz-$c" "$n" p99_us)" "$fl" -
			row "AuthZReq socket, $c, $n conn" dockward "$(fig dockward "authz-$c" "$n" p50_us)" \
				"$(fig dockward "authz-$c" "$n" p99_us)" "$d" "$(ratio "$d" "$fl")x floor"
		done
	done
	# 3. dockerd
	for c in engine-list engine-create-delete; do
		base=$(fig engine-none "$c" "" rps)
		fl=$(fig engine-floor "$c" "" rps)
		for f in none floor dockward; do
			rps=$(fig "engine-$f" "$c" "" rps)
			r="$(ratio "$rps" "$base")x none"
			[ "$f" = dockward ] && r="$r, $(ratio "$rps" "$fl")x floor"
			row "dockerd ${c#engine-}" "$f" "$(fig "engine-$f" "$c" "" p50_us)" \
				"$(fig "engine-$f" "$c" "" p99_us)" "$rps" "$r"
		done
	done
	# 4. RSS
	row "dockward memory after 2 and 3" dockward - - - \
		"VmHWM $(vals dockward rss "" VmHWM) kB, VmRSS $(vals dockward rss "" VmRSS) kB, $(vals dockward rss "" Threads) threads"
	# 5. verification
	for c in cold warm; do
		row "socket-mount create, verification $c" dockward "$(fig verify "$c" "" p50_us)" \
			"$(fig verify "$c" "" p99_us)" - "n=$(vals verify "$c" "" n)"
	done
	# 4b. the plugin's memory with idle connections
	for c in idle conns100 closed; do
		row "plugin memory, $c" dockward - - - "VmRSS $(rss plugin "rss-$c") kB, $(vals plugin "rss-$c" "" Threads) threads"
	done
	# 6. proxies: proxy-bench.sh's cases; ratios are medians of per-round ratios
	for c in ping:1 ping:4 list:1 inspect:1 images:1 connect:1; do
		n=${c#*:}
		c=${c%:*}
		[ -n "$(vals direct "$c" "$n" rps)" ] || continue
		for f in direct min dockward haproxy; do
			rps=$(fig "$f" "$c" "$n" rps)
			[ "$rps" != - ] || continue
			case $f in
			direct) r=- ;;
			min) r="$(pratio "$c" "$n" min/direct)x direct" ;;
			*) r="$(pratio "$c" "$n" "$f/min")x min" ;;
			esac
			row "proxy $(proxy_case "$c"), $n conn" "$f" "$(fig "$f" "$c" "$n" p50_us)" \
				"$(fig "$f" "$c" "$n" p99_us)" "$rps" "$r"
		done
	done
	for c in idle after-bench conns100 conns100-closed; do
		line=$(grep "^BENCH target=gatekeeper case=rss when=$c " "$T/bench.txt" | head -n 1)
		[ -n "$line" ] || continue
		row "gatekeeper memory, $c" dockward - - - "$(echo "$line" | sed -e 's/.*VmRSS=\([0-9]*\).*Threads=\([0-9]*\).*/VmRSS \1 kB, \2 threads/')"
	done
	while read -r line; do
		set -- $line
		row "proxy docker save" "$1" - - - "$2 MB/s"
	done < <(awk '{ delete g; for (i = 2; i <= NF; i++) { split($i, kv, "="); g[kv[1]] = kv[2] }
		if (g["mb_s"] != "") print g["target"], g["mb_s"] }' "$T/bench.txt")
	echo
	echo "Goals of issue 15 (reported, not failed; the ratios are medians of per-round ratios [min-max]):"
	echo
	echo "| goal | figure | |"
	echo "|---|---|---|"
	for c in ping:1 ping:4 list:1 inspect:1 images:1 connect:1; do
		n=${c#*:}
		c=${c%:*}
		r=$(pratio "$c" "$n" dockward/min)
		printf '| gatekeeper >= 0.9x the minimal proxy, %s, %s conn | %s | %s |\n' \
			"$(proxy_case "$c")" "$n" "$r" "$(goal "${r%% *}" '>=' 0.9)"
	done
	r=$(round_ratio dockward floor authz-create 1)
	printf '| plugin create AuthZReq (bind mount) >= 0.8x the allow-all floor, 1 conn | %s | %s |\n' \
		"$r" "$(goal "${r%% *}" '>=' 0.8)"
	r=$(awk 'NR > 1 { print $(NF-1) }' "$T/raw/decide.txt" | sort -g | tail -n 1)
	printf '| decision p99 <= 100 µs in process, every scenario | %s µs (worst) | %s |\n' "${r:--}" "$(goal "${r:--}" '<=' 100)"
	printf '| RSS <= 16 MB idle (gatekeeper, fresh) | %s | %s |\n' \
		"$(mb "$(grep -o 'when=idle VmRSS=[0-9]*' "$T/bench.txt" | head -n 1 | sed 's/.*=//')")" \
		"$(goal "$(grep -o 'when=idle VmRSS=[0-9]*' "$T/bench.txt" | head -n 1 | sed 's/.*=//')" '<=' 16384)"
	printf '| RSS <= 16 MB idle (plugin, fresh) | %s | %s |\n' "$(mb "$(rss plugin rss-idle)")" "$(goal "$(rss plugin rss-idle)" '<=' 16384)"
	r=$(grep -o 'when=conns100 VmRSS=[0-9]*' "$T/bench.txt" | head -n 1 | sed 's/.*=//')
	printf '| RSS <= 24 MB with 100 gatekeeper connections | %s | %s |\n' "$(mb "$r")" "$(goal "${r:--}" '<=' 24576)"
	r=$(grep -o 'when=conns100-closed VmRSS=[0-9]*' "$T/bench.txt" | head -n 1 | sed 's/.*=//')
	printf '| RSS <= 18 MB after they close (%s s) | %s | %s |\n' "$SETTLE" "$(mb "$r")" "$(goal "${r:--}" '<=' 18432)"
	printf '| (plugin) RSS with 100 plugin connections / after they close | %s / %s | - |\n' \
		"$(mb "$(rss plugin rss-conns100)")" "$(mb "$(rss plugin rss-closed)")"
	echo
	echo "Other figures:"
	p99=$(fig dockward authz-create 1 p99_us)
	echo "- decision p99 <= 100 µs warm: in process $(awk 'NR > 1 { print $(NF-1) }' "$T/raw/decide.txt" | sort -g | tail -n 1) µs (worst scenario), over the plugin socket $p99 µs (create, 1 connection), socket mount $(fig dockward authz-socket 1 p99_us) µs"
	echo "- dockward >= 0.9x the allow-all floor through dockerd: list $(ratio "$(fig engine-dockward engine-list "" rps)" "$(fig engine-floor engine-list "" rps)")x, create+delete $(ratio "$(fig engine-dockward engine-create-delete "" rps)" "$(fig engine-floor engine-create-delete "" rps)")x"
	echo "- RSS after 2 and 3: VmHWM $(vals dockward rss "" VmHWM) kB"
	echo "- PAC (docs' advanced example) >= 100k evaluations/s in the worker: $(fig pac-worker advanced "" evals_s)/s through the worker (socketpair round-trip floor $(fig pac-ipc-floor echo "" evals_s)/s), $(fig pac-inprocess advanced "" evals_cpu_s)/cpu-s in the interpreter"
}

# ----------------------------------------------------------------- main

main() {
	local v
	[ "$(id -u)" = 0 ] || die "must run as root (it starts its own dockerd)"
	[ -x "$DOCKWARD" ] || die "usage: $0 DOCKWARD BENCH_DIR"
	for v in bench_decide bench_proxy bench_floor bench_minproxy bench_verify bench_egress_pac; do
		[ -x "$BDIR/$v" ] || die "$BDIR/$v is not built (make $v in tests/bench)"
	done
	for v in dockerd docker-registry curl jq base64 "$DOCKER" /bin/busybox; do
		command -v "$v" >/dev/null || die "missing $v"
	done
	T=$(mktemp -d /tmp/dockward-bench-full.XXXXXXXX) || die "mktemp"
	chmod 0700 "$T"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	: >"$T/bench.txt"
	failed=0
	log "work dir $T"

	log "1. in process (bench_decide)"
	mkdir -p "$T/raw"
	"$BDIR/bench_decide" >"$T/raw/decide.txt" || { log "bench_decide failed"; failed=1; }
	log "1b. PAC evaluations (bench_egress_pac)"
	"$BDIR/bench_egress_pac" "$ROUNDS" >"$T/raw/pac.txt" || { log "bench_egress_pac failed"; failed=1; }
	grep '^BENCH ' "$T/raw/pac.txt" >>"$T/bench.txt"
	setup
	write_bodies
	log "4. the plugin's memory: idle, 100 idle connections, after they close"
	bench_plugin_rss
	log "2. AuthZReq over the plugin socket"
	bench_plugin_socket
	log "3. dockerd: no plugin, allow-all floor, dockward"
	bench_engine
	bench_rss
	log "5. verification, cold and warm"
	"$BDIR/bench_verify" "$T/docker.sock" "$ALLOWED" "$COLD" >"$T/raw/verify.txt" 2>&1 ||
		{ cat "$T/raw/verify.txt" >&2; failed=1; }
	grep '^BENCH ' "$T/raw/verify.txt" >>"$T/bench.txt"
	stop_engine
	grep -q 'allowed [1-9]' "$T/floor.out" || { log "the floor was never asked: $(cat "$T/floor.out")"; failed=1; }
	if [ -z "${SKIP_PROXY:-}" ]; then
		log "6. proxies (proxy-bench.sh)"
		BENCH_OUT=$T/raw/proxy.md BENCH_ROUNDS=$ROUNDS BENCH_DURATION=$DURATION \
			"$here/proxy-bench.sh" "$DOCKWARD" "$BDIR/bench_proxy" >"$T/raw/proxy.out" 2>&1 ||
			{ tail -n 20 "$T/raw/proxy.out" >&2; failed=1; }
		grep '^BENCH ' "$T/raw/proxy.out" >>"$T/bench.txt"
	fi
	report | tee "$OUT"
	{ echo; echo "### Raw BENCH lines"; echo; sed -e 's/^/    /' "$T/bench.txt"; } >>"$OUT"
	log "report: $OUT"
	[ "$failed" -eq 0 ] || log "some measurements failed (see above)"
	return "$failed"
}

main
