# shellcheck shell=bash
# `dockward doctor` against the suite's live setup: this run's dockerd (its
# command line copied into a private proc tree, so other dockerds on the
# host do not count), the plugin socket, the gatekeeper socket, the policy
# and the real local registry of its imageList.  The checks that should
# pass do; then one thing at a time is broken and doctor must say FAIL with
# the right check id and exit status 2: the registry stops answering, the
# gatekeeper socket turns world-writable, dockerd's own socket is reachable
# by everyone, the policy sits in a world-writable directory.  A policy with
# registryAccess and an offline bundle two days old: registryAccess.reachable
# and the bundle's age in cache.age.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

DOC_PROC=$T/doctor-proc
DOC_PSOCK=$PLUGIN_SOCK
[ "$E2E_MODE" = gatekeeper ] && DOC_PSOCK=none
rm -rf "$DOC_PROC"
mkdir -p "$DOC_PROC/$DOCKERD_PID"
cp "/proc/$DOCKERD_PID/cmdline" "$DOC_PROC/$DOCKERD_PID/cmdline"

# doc ARGS...: doctor on this run's setup (ARGS after the defaults win).
doc() {
	timeout -k 5 60 "$DOCKWARD" doctor --proc "$DOC_PROC" --settings "$SETTINGS" \
		--daemon-json /nonexistent --plugin-name "$E2E_NAME" \
		--plugin-socket "$DOC_PSOCK" --gatekeeper-socket "$GK_SOCK" \
		--state-dir "$T/state" "$@"
}

# doc_expect RC [DOCTOR ARGS...] -- PATTERN...: doctor exits with RC and
# prints a line matching each extended regex PATTERN (!PATTERN: none).
doc_expect() {
	local want=$1 rc p args=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	doc "${args[@]}" >"$T/doctor.out" 2>&1
	rc=$?
	cat "$T/doctor.out"
	if [ "$rc" -ne "$want" ]; then
		echo "doctor exit status $rc, expected $want"
		return 1
	fi
	for p in "$@"; do
		case $p in
		!*)	if grep -qE -- "${p#!}" "$T/doctor.out"; then
				echo "unexpected line matching: ${p#!}"
				return 1
			fi ;;
		*)	if ! grep -qE -- "$p" "$T/doctor.out"; then
				echo "no line matching: $p"
				return 1
			fi ;;
		esac
	done
}

# A decision for the allowed image first, so its proof is in the cache.
dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" true >/dev/null 2>&1

# --- the live setup: no FAIL, every check that should pass passes
good=(
	"^PASS engine.config: dockerd \(pid $DOCKERD_PID\) reads $T/daemon.json"
	"^PASS engine.tcp: dockerd \(pid $DOCKERD_PID\) does not listen on TCP"
	"^PASS engine.socket: dockerd \(pid $DOCKERD_PID\): socket $ENGINE_SOCK is mode"
	"^WARN engine.isolation: .*userns-remap"
	"^PASS policy.file: $SETTINGS is root-owned"
	"^PASS gatekeeper.socket: gatekeeper socket $GK_SOCK is root's, .* answers GET /_ping"
	"^PASS gatekeeper.socket: dockerd's own socket $ENGINE_SOCK is out of reach of non-root users"
	"^PASS registry.reachable: $ALLOWED_IMAGE resolves to sha256:[0-9a-f]{64} at $REGISTRY"
	"^PASS cache.age: registry cache $T/state/registry-cache.json: [0-9]+ answers?, the oldest"
	"^(PASS|WARN) cache.age: proof of $ALLOWED_IMAGE is "
	"!^FAIL"
)
if [ "$E2E_MODE" = gatekeeper ]; then
	good+=("^WARN engine.plugin: " "!plugin.reachable")
else
	good+=("^PASS engine.plugin: dockerd \(pid $DOCKERD_PID\) uses the authorization plugin \"$E2E_NAME\""
		"^PASS plugin.reachable: $PLUGIN_SOCK answers Plugin.Activate with \"authz\" and allows GET /_ping")
fi
# Status 1: the suite's dockerd has no userns-remap and BuildKit defaults (WARN).
expect_ok -n "doctor: the live setup passes (no FAIL, status 1 for its WARNs)" \
	doc_expect 1 -- "${good[@]}"

# --- the registry stops answering (SIGSTOP: connections hang, then time out)
doc_registry_stopped() {
	local rc=0
	kill -STOP "$REGISTRY_PID" || return 1
	doc_expect 2 -- "^FAIL registry.reachable: cannot verify $ALLOWED_IMAGE now: .*check that $REGISTRY is up" \
		"!^FAIL (engine|policy|plugin|gatekeeper|cache)" || rc=1
	echo "# --no-network, registry still stopped"
	doc_expect 1 --no-network -- "^PASS registry.reachable: skipped \(--no-network\)" "!^FAIL" || rc=1
	kill -CONT "$REGISTRY_PID"
	return $rc
}
expect_ok -n "doctor: a registry that stops answering is registry.reachable FAIL (status 2); --no-network skips it" \
	doc_registry_stopped
kill -CONT "$REGISTRY_PID" 2>/dev/null

# --- the gatekeeper socket turns world-writable
doc_gk_0666() {
	local rc=0
	chmod 0666 "$GK_SOCK" || return 1
	doc_expect 2 -- "^FAIL gatekeeper.socket: gatekeeper socket $GK_SOCK is world-writable \(mode 0666\)" \
		"!^FAIL (engine|policy|plugin|registry|cache)" || rc=1
	chmod 0660 "$GK_SOCK"
	return $rc
}
expect_ok -n "doctor: a world-writable gatekeeper socket is gatekeeper.socket FAIL (status 2)" doc_gk_0666
chmod 0660 "$GK_SOCK"

# --- dockerd's own socket where every user reaches it: the gatekeeper is bypassed
doc_engine_open() {
	local d rc=0
	d=$(mktemp -d /tmp/dw-doctor-e2e.XXXXXX) || return 1
	chmod 0755 "$d"
	mkdir -p "$d/proc/77"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$d/engine.sock" || rc=1
	chmod 0666 "$d/engine.sock"
	printf 'dockerd\0-H\0unix://%s\0' "$d/engine.sock" >"$d/proc/77/cmdline"
	doc_expect 2 --proc "$d/proc" -- \
		"^FAIL engine.socket: dockerd \(pid 77\): socket $d/engine.sock is world-writable" \
		"^FAIL gatekeeper.socket: dockerd's own socket $d/engine.sock .* can be reached by every local user, who bypass the gatekeeper at $GK_SOCK" \
		|| rc=1
	rm -rf "$d"
	return $rc
}
expect_ok -n "doctor: dockerd's own socket open to all is gatekeeper.socket FAIL (bypass)" doc_engine_open

# --- a copy of the policy in a world-writable directory
doc_policy_open() {
	local d rc=0
	d=$(mktemp -d /tmp/dw-doctor-e2e.XXXXXX) || return 1
	cp "$SETTINGS" "$d/admin-settings.json" && chmod 0644 "$d/admin-settings.json"
	chmod 0777 "$d"
	doc_expect 2 --settings "$d/admin-settings.json" -- \
		"^FAIL policy.file: directory $d \(owner uid 0, mode 0777\) is writable by group or others; fix: chown root:root $d && chmod go-w $d" \
		"^PASS registry.reachable: $ALLOWED_IMAGE resolves" \
		"!^FAIL (engine|plugin|gatekeeper|registry|cache)" || rc=1
	rm -rf "$d"
	return $rc
}
expect_ok -n "doctor: a policy in a world-writable directory is policy.file FAIL (status 2)" doc_policy_open

# --- containersProxy: the egress checks (this suite's dockward does not serve
# that policy, so its table is missing; a listener stands in for the proxy)
doc_egress() {
	local d rc=0 port lpid
	d=$(mktemp -d /tmp/dw-doctor-e2e.XXXXXX) || return 1
	chmod 0755 "$d"
	port=$(e2e_free_port) || return 1
	jq --argjson port "$port" '.containersProxy = {"mode": "manual", "http": "", "https": "",
		"exclude": ["10.0.0.0/8"], "transparentPorts": "80,443"} |
		.dockward.egress = {"port": $port, "dnsServers": ["192.0.2.53"]}' \
		"$SETTINGS" >"$d/admin-settings.json" && chmod 0644 "$d/admin-settings.json"
	python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$port" &
	lpid=$!
	wait_for 5 sh -c 'grep -qi ":$(printf %04X "$1") 00000000:0000 0A" /proc/net/tcp' _ "$port"
	mkdir -p "$DOC_PROC/net"
	cp /proc/net/tcp /proc/net/tcp6 "$DOC_PROC/net/"
	doc_expect 2 --settings "$d/admin-settings.json" --no-network -- \
		"^PASS egress.policy: containersProxy is set \(mode manual\): no proxy: everything not excluded is refused; 1 exclude entries; transparentPorts 80,443; UDP dns-only; proxy port $port" \
		"^(FAIL|WARN) egress.table: " \
		"^PASS egress.proxy: the proxy listens on TCP port $port \(IPv4\)" \
		"!egress.buildkit" "!egress.pac" || rc=1
	echo "# ECI off: BuildKit passes, and this dockerd grants it the host network"
	jq '.enhancedContainerIsolation.value = false' "$d/admin-settings.json" >"$d/noeci.json" &&
		chmod 0644 "$d/noeci.json"
	doc_expect 2 --settings "$d/noeci.json" --no-network -- \
		"^WARN egress.buildkit: this policy lets BuildKit builds through" || rc=1
	echo "# the listener gone"
	kill "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
	cp /proc/net/tcp /proc/net/tcp6 "$DOC_PROC/net/"
	doc_expect 2 --settings "$d/admin-settings.json" --no-network -- \
		"^FAIL egress.proxy: nothing listens on TCP port $port" || rc=1
	echo "# a broken containersProxy"
	jq '.containersProxy.transparentPorts = "80-"' "$d/admin-settings.json" >"$d/bad.json" &&
		chmod 0644 "$d/bad.json"
	doc_expect 2 --settings "$d/bad.json" --no-network -- \
		"^FAIL egress.policy: $d/bad.json: containersProxy.transparentPorts: \"80-\": a range needs two ports" \
		"!egress.table" || rc=1
	rm -rf "$d" "$DOC_PROC/net"
	return $rc
}
expect_ok -n "doctor: containersProxy: egress.policy, egress.table, egress.proxy (listener in /proc/net/tcp), egress.buildkit with ECI off" \
	doc_egress

# --- registryAccess: each allowed host is asked GET /v2/ (the suite's registry
# answers; a port nobody listens on does not; a wildcard cannot be asked), and
# an image proven by an offline bundle has the bundle's age in cache.age
doc_access_trust() {
	local d rc=0 dead old
	d=$(mktemp -d /tmp/dw-doctor-e2e.XXXXXX) || return 1
	chmod 0755 "$d"
	dead=127.0.0.1:$(e2e_free_port) || return 1
	jq --arg reg "$REGISTRY" --arg dead "$dead" \
		'.dockward.registryAccess = {"allowed": [$reg, $dead, "*.corp.example"]}' \
		"$SETTINGS" >"$d/admin-settings.json" && chmod 0644 "$d/admin-settings.json"
	mkdir -m 0700 "$d/state"
	dk save -o "$d/bundle.tar" "$ALLOWED_IMAGE" || rc=1
	old=$(($(date +%s) - 2 * 86400))
	touch -d "@$old" "$d/bundle.tar"
	"$DOCKWARD" trust import "$d/bundle.tar" --state-dir "$d/state" || rc=1
	doc_expect 1 --settings "$d/admin-settings.json" --state-dir "$d/state" -- \
		"^PASS registryAccess.reachable: $REGISTRY answers GET /v2/ with HTTP (200|401 and a (Bearer|Basic) challenge)" \
		"^WARN registryAccess.reachable: registryAccess allows $dead, but GET /v2/ fails: registry $dead: cannot connect" \
		"^INFO registryAccess.reachable: registryAccess entry \*\.corp\.example allows every registry under \.corp\.example and names no host to probe" \
		"^PASS cache.age: offline trust store $d/state/trust.json: 1 image, the oldest bundle 2d0h old \($ALLOWED_IMAGE; the bundle's mtime, recorded at import\)" \
		"^WARN cache.age: proof of $ALLOWED_IMAGE comes from the offline trust store $d/state/trust.json, a bundle 2d0h old \(the bundle's mtime, recorded at import\), past (graceSeconds|refreshSeconds)" \
		"!^FAIL" || rc=1
	echo "# --no-network: registryAccess not asked"
	doc_expect 1 --settings "$d/admin-settings.json" --state-dir "$d/state" --no-network -- \
		"^PASS registryAccess.reachable: skipped \(--no-network\): 3 registryAccess entries not probed" \
		"!^(WARN|INFO) registryAccess" || rc=1
	rm -rf "$d"
	return $rc
}
expect_ok -n "doctor: registryAccess.reachable asks each allowed registry (PASS, WARN unreachable, INFO wildcard); cache.age ages an offline bundle" \
	doc_access_trust

# --- nothing at the plugin socket (plugin mode: dockerd uses it, so FAIL)
if [ "$E2E_MODE" != gatekeeper ]; then
	expect_ok -n "doctor: a plugin socket nobody answers is plugin.reachable FAIL while dockerd uses it" \
		doc_expect 2 --plugin-socket "$T/no-plugin.sock" -- \
		"^FAIL plugin.reachable: nothing answers at dockward's plugin socket $T/no-plugin.sock .*dockerd refuses every API call"
fi
rm -rf "$DOC_PROC" "$T/doctor.out"
