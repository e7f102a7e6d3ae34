#!/usr/bin/env bash
# dockward demo: Enhanced Container Isolation on a plain Linux dockerd.
# As root:
#
#   contrib/demo/demo.sh          install deps, build, start, show
#   contrib/demo/demo.sh stop     stop everything the demo started
#   contrib/demo/demo.sh purge    stop, then delete the demo's files
#   contrib/demo/demo.sh status
#
# The packages come from contrib/packages (set "demo", through
# contrib/install-deps.sh: only the missing ones, with apt-get).
# DOCKWARD_BIN=/path/to/dockward skips the build and uses that binary.
# DEMO_STALL (seconds, default 60): how long dockerd may go without a new
# log line before the demo gives up on it; there is no fixed deadline, as
# a dockerd with much old state takes minutes to start (or stop).
# DEMO_USERNS=1 starts the demo's dockerd with "userns-remap": "default":
# container root is then an unprivileged host user (dockerd creates the
# "dockremap" user and its /etc/subuid, /etc/subgid ranges when missing),
# so a bind source re-planted behind dockward's back mounts for nobody
# powerful.  See docs/isolation.md for what it changes.
#
# DEMO_EGRESS (default 1): air-gapped containers.  The demo's registry,
# dockward and dockerd then run inside a network namespace of their own
# ("dockward-demo"), where dockerd may use bridge networking and dockward
# its nftables table, and a second namespace ("dockward-demo-out") plays the
# outside world over a veth pair: a python3 web server on 10.201.0.2 and
# 10.201.0.3 that also serves the PAC.  The policy's containersProxy (a PAC:
# 10.201.0.2 direct, everything else reject.docker.internal) lets one wget
# from a container through and refuses the other.  The host's own network
# configuration is never touched: every interface, route, address and
# netfilter rule lives in those two namespaces, and `stop` deletes them.
# DEMO_EGRESS=0: no namespaces, dockerd without a bridge, no egress part.
#
# Runs on a fresh Debian 12 as root.  It starts its own dockerd (socket
# /run/dockward-demo/docker.sock, data under /var/lib/dockward-demo) next to
# any system Docker, which it does not touch, with dockward as that
# dockerd's authorization plugin, plus a local registry on 127.0.0.1.
# Nothing is pulled from Docker Hub: the demo images are built offline from
# busybox-static and the Debian docker client.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"	# generic helpers: e2e_make_rootfs, e2e_policy_json, e2e_wait_daemon, ...

NAME=dockward-demo
ETC=/etc/$NAME
VAR=/var/lib/$NAME
RUN=/run/$NAME
LOG=/var/log/$NAME
POLICY=$ETC/admin-settings.json
SOCK=$RUN/docker.sock		# the gatekeeper: what users and containers get
ENGINE=$RUN/engine.sock		# dockerd's private socket, root only
PLUGIN_SOCK=/run/docker/plugins/$NAME.sock
BIN=$VAR/bin/dockward
AUDIT=$LOG/audit.log
DOCKER=${DOCKER:-/usr/bin/docker}
IMAGE=$NAME/busybox:latest
STALL=${DEMO_STALL:-60}
EGRESS=${DEMO_EGRESS:-1}
NS=$NAME			# the demo's daemons and dockerd's bridges
NS_OUT=$NAME-out		# "the internet": two addresses, a web server, the PAC
LAB_HOST=10.201.0.1		# the demo namespace's end of the veth
LAB_ALLOWED=10.201.0.2		# the PAC says DIRECT
LAB_REFUSED=10.201.0.3		# the PAC says PROXY reject.docker.internal
# The demo's daemons (and containerd shims of its namespace), and nothing
# else: an editor open on the policy must survive `demo.sh stop`.
PATTERN="^(dockerd --data-root $VAR/|docker-registry serve $ETC/|$BIN serve |containerd --config $RUN/exec/)|-namespace $NAME( |\$)"

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }
d() { timeout -k 5 120 "$DOCKER" -H "unix://$SOCK" "$@"; }
# The admin works through the gatekeeper too: with --require-gatekeeper,
# dockerd's own socket refuses everything dockward did not stamp.
de() { timeout -k 5 120 "$DOCKER" -H "unix://$SOCK" "$@"; }
# What show() prints as "docker ..." runs this client (with DOCKER_HOST set).
docker() { timeout -k 5 120 "$DOCKER" "$@"; }

# inns CMD...: run CMD where the demo's daemons live (their namespace with
# DEMO_EGRESS, else here).  `ip netns exec` gives CMD a private mount
# namespace with a fresh /sys, which hides the cgroup hierarchies dockerd
# needs: $RUN/cgroup.sh mounts them again there (the same hierarchies; the
# host's mounts are not touched).
inns() {
	if [ "$EGRESS" = 1 ]; then
		ip netns exec "$NS" sh -c '. "$0" && exec "$@"' "$RUN/cgroup.sh" "$@"
	else
		"$@"
	fi
}

# The mount commands for the cgroup hierarchies under /sys/fs/cgroup, as
# they are mounted here (v1, hybrid or v2).
cgroup_script() {
	awk '$2 == "/sys/fs/cgroup" && $3 == "tmpfs" {
		print "mount -t tmpfs -o mode=0755 tmpfs /sys/fs/cgroup || exit 1" }
	$2 == "/sys/fs/cgroup" && $3 == "cgroup2" {
		print "mount -t cgroup2 cgroup2 /sys/fs/cgroup || exit 1" }
	index($2, "/sys/fs/cgroup/") == 1 && $3 == "cgroup2" {
		print "mkdir -p " $2 " && mount -t cgroup2 cgroup2 " $2 " || exit 1" }
	index($2, "/sys/fs/cgroup/") == 1 && $3 == "cgroup" {
		n = split($4, o, ","); opts = ""
		for (i = 1; i <= n; i++)
			if (o[i] != "rw" && o[i] != "ro" && o[i] !~ /time$/ && o[i] !~ /^(nosuid|nodev|noexec)$/)
				opts = opts (opts == "" ? "" : ",") o[i]
		if (opts ~ /^name=[^,]*$/)
			opts = "none," opts
		print "mkdir -p " $2 " && mount -t cgroup -o " opts " cgroup " $2 " || exit 1" }' /proc/self/mounts
}

# show EXPECT CMD...: print the command, run it, say whether it did what
# the demo expects: allow (exit 0), deny (refused by dockward's API rules:
# its message), or refuse (a connection refused: a non-zero exit).
show() {
	local expect=$1 out rc
	shift
	printf '\n$ %s\n' "$*"
	set +e
	out=$("$@" 2>&1)
	rc=$?
	set -e
	[ -n "$out" ] && printf '%s\n' "$out" | sed -e 's/^/  /'
	if [ "$expect" = allow ] && [ $rc -eq 0 ]; then
		echo "  -> allowed, as expected"
	elif [ "$expect" = deny ] && [ $rc -ne 0 ] && grep -q 'dockward:' <<<"$out"; then
		echo "  -> denied by dockward, as expected"
	elif [ "$expect" = refuse ] && [ $rc -ne 0 ]; then
		echo "  -> refused, as expected"
	else
		echo "  -> UNEXPECTED (exit $rc; expected: $expect)"
		DEMO_SURPRISES=$((DEMO_SURPRISES + 1))
	fi
}
DEMO_SURPRISES=0

install_deps() {
	say "Packages (contrib/packages, set demo)"
	"$top/contrib/install-deps.sh" demo
}

build() {
	local out
	if [ -n "${DOCKWARD_BIN:-}" ]; then
		out=$DOCKWARD_BIN	# a dockward built elsewhere
	elif [ -f "$top/config.status" ]; then
		say "Building dockward (in the checkout)"
		make -C "$top" -j"$(nproc)" dockward >/dev/null
		out=$top/dockward
	else
		say "Building dockward (in build/)"
		[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh >/dev/null 2>&1)
		mkdir -p "$top/build"
		(cd "$top/build" && { [ -f Makefile ] || ../configure -q; } && make -j"$(nproc)" dockward >/dev/null)
		out=$top/build/dockward
	fi
	install -D -m 0755 "$out" "$BIN"
}

running() { alive "$(cat "$RUN/$1.pid" 2>/dev/null)"; }
gone() { ! alive "$1"; }

# wait_up NAME STALL SOCKET CMD...: wait for the demo's NAME (just started,
# pid $!, log $LOG/NAME.log) until CMD succeeds, while it lives and logs
# (e2e_wait_daemon); give up, with the logs' tails, when it died or made no
# progress for STALL seconds.
wait_up() {
	local name=$1 pid=$! stall=$2 sock=$3
	shift 3
	if ! e2e_wait_daemon "$name" "$pid" "$LOG/$name.log" "$sock" "$stall" "$@"; then
		# A stalled one is stopped by its pid file: dockerd may not have
		# written its own yet.
		[ -s "$RUN/$name.pid" ] || ! alive "$pid" || echo "$pid" >"$RUN/$name.pid"
		fail_start "$name did not start: $E2E_WAIT_WHY"
	fi
}

# stop_daemon NAME STALL: SIGTERM the demo's NAME ($RUN/NAME.pid), then wait
# while it exits and logs; SIGKILL only after STALL seconds without a new
# log line (a dockerd killed in the middle of its shutdown leaves stale
# sandboxes that its next start has to clean, ~0.2 s each).
stop_daemon() {
	local name=$1 stall=$2 pid
	pid=$(cat "$RUN/$name.pid" 2>/dev/null || true)
	alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	if ! e2e_wait_daemon "$name to stop" "$pid" "$LOG/$name.log" "" "$stall" gone "$pid" &&
	    alive "$pid"; then
		echo "demo: $E2E_WAIT_WHY; killing it" >&2
		kill -KILL "$pid" 2>/dev/null || true
		wait_for 10 gone "$pid" || true
	fi
}

# The two namespaces and the veth between them, created inside them (ip -n):
# nothing appears in the host's own namespace.  The outside one serves
# $VAR/www (a page and the PAC) on port 80 of both its addresses.
lab_up() {
	lab_down
	ip netns add "$NS" && ip netns add "$NS_OUT" || return 1
	ip -n "$NS" link add dwdemo-in type veth peer name dwdemo-out netns "$NS_OUT" || return 1
	ip -n "$NS" link set lo up && ip -n "$NS_OUT" link set lo up || return 1
	ip -n "$NS" addr add "$LAB_HOST/24" dev dwdemo-in || return 1
	ip -n "$NS_OUT" addr add "$LAB_ALLOWED/24" dev dwdemo-out || return 1
	ip -n "$NS_OUT" addr add "$LAB_REFUSED/24" dev dwdemo-out || return 1
	ip -n "$NS" link set dwdemo-in up && ip -n "$NS_OUT" link set dwdemo-out up || return 1
	cgroup_script >"$RUN/cgroup.sh" || return 1
	install -d -m 0755 "$VAR/www"
	echo "hello from the outside world ($LAB_ALLOWED)" >"$VAR/www/index.html"
	cat >"$VAR/www/proxy.pac" <<PAC
function FindProxyForURL(url, host) {
	if (isInNet(host, "$LAB_ALLOWED", "255.255.255.255"))
		return "DIRECT";
	return "PROXY reject.docker.internal:1234";
}
PAC
	ip netns exec "$NS_OUT" setsid python3 -m http.server 80 --directory "$VAR/www" \
		>"$LOG/outside.log" 2>&1 </dev/null &
	echo $! >"$RUN/outside.pid"
	wait_up outside 10 "" ip netns exec "$NS" curl -fsS --max-time 2 -o /dev/null "http://$LAB_ALLOWED/"
}

# Stop the outside server and delete both namespaces (the veth goes with them).
lab_down() {
	local pid
	pid=$(cat "$RUN/outside.pid" 2>/dev/null || true)
	if alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		wait_for 10 gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$RUN/outside.pid"
	ip netns del "$NS_OUT" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
}

start() {
	[ "$(id -u)" -eq 0 ] || die "run it as root"
	if running dockerd || running dockward || running registry; then
		say "A previous demo is running; stopping it first"
		stop
	fi
	install_deps
	build

	install -d -m 0755 "$ETC" "$RUN" "$LOG" /run/docker/plugins
	install -d -m 0700 "$VAR" "$VAR/state" "$VAR/docker" "$RUN/exec"
	echo '{}' >"$ETC/daemon.json"
	local netflags=(--iptables=false --bridge=none)
	if [ "$EGRESS" = 1 ]; then
		say "A private network lab: namespace $NS (the demo's daemons) and $NS_OUT (the outside, $LAB_ALLOWED and $LAB_REFUSED)"
		lab_up || fail_start "cannot build the network namespaces"
		# Inside its own namespace dockerd may have its bridge and iptables.
		netflags=()
		# BuildKit's RUN --network=host would bypass containersProxy.
		echo '{"builder": {"Entitlements": {"network-host": false}}}' >"$ETC/daemon.json"
	fi
	if [ -n "${DEMO_USERNS:-}" ]; then
		echo '{"userns-remap": "default"}' >"$ETC/daemon.json"
		# The remapped root must traverse to its data-root ($VAR/docker/<uid>.<gid>).
		chmod 0711 "$VAR" "$VAR/docker"
	fi

	# A registry for the image that may mount the Docker socket.
	local port
	port=$(cat "$VAR/registry.port" 2>/dev/null || true)
	if [ -z "$port" ] || (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		port=$(e2e_free_port) || die "no free port"
	fi
	echo "$port" >"$VAR/registry.port"
	REGISTRY=127.0.0.1:$port
	CLI_IMAGE=$REGISTRY/demo/docker-cli:1
	e2e_registry_config "$VAR/registry" "$REGISTRY" >"$ETC/registry.yml"

	say "Writing the policy $POLICY"
	e2e_policy_json "[\"$CLI_IMAGE\"]" "$VAR" "$RUN" "$ETC" "$LOG" |
		jq '.enhancedContainerIsolation.dockerSocketMount.commandList =
			{"type": "deny", "commands": ["push", "build", "image*"]}' >"$POLICY"
	if [ "$EGRESS" = 1 ]; then
		jq --arg pac "http://$LAB_ALLOWED/proxy.pac" --arg dns "$LAB_ALLOWED" \
			'.containersProxy = {"locked": true, "mode": "manual", "http": "",
				"https": "", "exclude": [], "pac": $pac, "transparentPorts": "*"} |
			.dockward.egress = {"udp": "dns-only", "dnsServers": [$dns]}' \
			"$POLICY" >"$POLICY.tmp" && mv "$POLICY.tmp" "$POLICY"
	fi
	chmod 0644 "$POLICY"
	"$BIN" check --settings "$POLICY" | sed -e 's/^/  /'

	say "Starting the registry ($REGISTRY), dockward and dockerd"
	inns setsid docker-registry serve "$ETC/registry.yml" >"$LOG/registry.log" 2>&1 </dev/null &
	echo $! >"$RUN/registry.pid"
	wait_up registry 20 "" inns curl -fsS --max-time 2 "http://$REGISTRY/v2/"

	rm -f "$PLUGIN_SOCK"
	# Full mode: dockward is dockerd's authorization plugin and the gatekeeper
	# at $SOCK (it knows which container calls); dockerd listens on $ENGINE.
	# --require-gatekeeper: the plugin allows only what the gatekeeper decided.
	inns setsid "$BIN" serve --settings "$POLICY" --plugin-socket "$PLUGIN_SOCK" \
		--engine-socket "$ENGINE" --gatekeeper-socket "$SOCK" --require-gatekeeper \
		--state-dir "$VAR/state" --audit-log "$AUDIT" --metrics "$RUN/metrics.sock" \
		>"$LOG/dockward.log" 2>&1 </dev/null &
	echo $! >"$RUN/dockward.pid"
	wait_up dockward 20 "$PLUGIN_SOCK" \
		sh -c "curl -sS --max-time 2 --unix-socket '$PLUGIN_SOCK' -X POST http://p/Plugin.Activate | grep -q authz"

	inns setsid dockerd --data-root "$VAR/docker" --exec-root "$RUN/exec" -H "unix://$ENGINE" --group root \
		--pidfile "$RUN/dockerd.pid" --config-file "$ETC/daemon.json" \
		"${netflags[@]}" \
		--containerd-namespace "$NAME" --containerd-plugins-namespace "$NAME-plugins" \
		--authorization-plugin="$NAME" >"$LOG/dockerd.log" 2>&1 </dev/null &
	# As long as it takes (old state: minutes), while dockerd logs progress.
	wait_up dockerd "$STALL" "$ENGINE" timeout 5 "$DOCKER" -H "unix://$SOCK" version
	chmod 0600 "$ENGINE"
	if [ -n "${DEMO_USERNS:-}" ]; then
		# Container root is the first subordinate id of dockremap: give the
		# gatekeeper socket that group, or socket containers cannot connect
		# (they still need an imageList image to mount it at all).
		local rgid
		rgid=$(awk -F: '$1 == "dockremap" { print $2; exit }' /etc/subgid)
		[ -n "$rgid" ] || fail_start "userns-remap: dockerd made no dockremap range in /etc/subgid"
		chgrp "$rgid" "$SOCK"
		say "userns-remap: container root is host uid $(awk -F: '$1 == "dockremap" { print $2; exit }' /etc/subuid), gatekeeper socket group $rgid"
	fi

	# Imported once: an import makes a new image id every time, and the
	# listed image must stay the one the registry (and dockward) know.
	say "Importing the demo images (offline: busybox-static, the Debian docker client)"
	local tmp
	tmp=$(mktemp -d)
	if ! d image inspect "$IMAGE" >/dev/null 2>&1; then
		e2e_make_rootfs "$tmp/bb"
		tar -C "$tmp/bb" -c . | d import -c 'CMD ["sh"]' - "$IMAGE" >/dev/null
	fi
	if ! d image inspect "$CLI_IMAGE" >/dev/null 2>&1; then
		e2e_make_rootfs "$tmp/cli" --docker-cli
		tar -C "$tmp/cli" -c . | d import -c 'CMD ["sh"]' -c 'LABEL org.dockward.demo=cli' \
			- "$CLI_IMAGE" >/dev/null
	fi
	rm -rf "$tmp"
	d push "$CLI_IMAGE" >/dev/null
	echo "  $IMAGE, $CLI_IMAGE (pushed to the local registry)"

	say "What dockward allows and denies (DOCKER_HOST=unix://$SOCK)"
	export DOCKER_HOST=unix://$SOCK
	show allow docker run --rm "$IMAGE" echo hello from a container
	show deny docker run --rm --privileged "$IMAGE" true
	show deny docker run --rm --pid=host "$IMAGE" true
	show deny docker run --rm -v /etc:/host-etc "$IMAGE" true
	# A source a container could re-plant for dockerd's next start.
	local proj
	proj=$(mktemp -d /tmp/dockward-demo-project.XXXXXX)
	mkdir "$proj/data"
	show deny docker run --rm -v "$proj:/proj" -v "$proj/data:/x" "$IMAGE" true
	rm -rf "$proj"
	show deny docker run --rm -v "$SOCK:/var/run/docker.sock" "$IMAGE" true
	show allow docker run --rm -v "$SOCK:/var/run/docker.sock" "$CLI_IMAGE" docker ps
	show deny docker run --rm -v "$SOCK:/var/run/docker.sock" "$CLI_IMAGE" \
		docker run --rm --privileged "$IMAGE" true
	say "The gatekeeper's command list (deny push, build, image*) for socket containers"
	show deny docker run --rm -v "$SOCK:/var/run/docker.sock" "$CLI_IMAGE" docker images
	show allow docker images
	say "dockerd's own socket: only requests the gatekeeper decided get through"
	show deny docker -H "unix://$ENGINE" run --rm "$IMAGE" true
	if [ "$EGRESS" = 1 ]; then
		say "Air-gapped containers: containersProxy with a PAC (http://$LAB_ALLOWED/proxy.pac)"
		show allow docker run --rm "$IMAGE" busybox timeout 10 busybox wget -q -O- "http://$LAB_ALLOWED/"
		show refuse docker run --rm "$IMAGE" busybox timeout 10 busybox wget -q -O- "http://$LAB_REFUSED/"
		# The audit line is written when the connection closes.
		show allow sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do
			grep '\"event\":\"egress\"' '$AUDIT' | grep '\"action\":\"refuse\"' |
				tail -n 1 | grep . && exit 0; sleep 0.5; done; exit 1"
		say "Why: dockward explain --egress (asks dockerd, the PAC and the resolver, from the demo's namespace)"
		show refuse inns "$BIN" explain --settings "$POLICY" --engine-socket "$SOCK" \
			--egress "http://$LAB_REFUSED/" --from-ip 172.17.0.2
		say "dockward doctor's egress checks: the nftables table, the proxy, the PAC"
		show allow inns sh -c "'$BIN' doctor --settings '$POLICY' --daemon-json '$ETC/daemon.json' \
			--plugin-name '$NAME' --gatekeeper-socket '$SOCK' --state-dir '$VAR/state' \
			--no-network | grep ' egress\.'"
	fi
	unset DOCKER_HOST
	say "Why, before running anything: dockward explain (offline, no daemon needed)"
	show deny "$BIN" explain --settings "$POLICY" --engine-socket "$SOCK" -- \
		docker run --rm --cap-add SYS_ADMIN "$IMAGE" true
	say "What it has decided so far: dockward status (from --metrics $RUN/metrics.sock)"
	show allow "$BIN" status --metrics "$RUN/metrics.sock"

	cat <<EOF

$(printf '\033[1m%s\033[0m' "The demo is running.")

  Use it:       export DOCKER_HOST=unix://$SOCK
                docker run --rm $IMAGE echo hi
                docker run --rm --privileged $IMAGE true      # denied
  Audit log:    $AUDIT   (one JSON object per decision: tail -f $AUDIT | jq .)
  Explain:      $BIN explain --settings $POLICY -- docker run --privileged $IMAGE
  Metrics:      $BIN status --metrics $RUN/metrics.sock
                curl -s --unix-socket $RUN/metrics.sock http://x/metrics
  Logs:         $LOG/{dockward,dockerd,registry}.log
  Policy:       $POLICY
                after editing:  $BIN check --settings $POLICY
                                kill -HUP \$(cat $RUN/dockward.pid)
                (a broken file is refused and the last good policy stays)
  Stop:         $0 stop      (purge: also delete $VAR, $ETC, $LOG)
EOF
	[ "$DEMO_SURPRISES" -eq 0 ] || { echo; echo "demo: $DEMO_SURPRISES step(s) did not behave as expected" >&2; return 1; }
}

fail_start() {
	echo "demo: $*" >&2
	local f
	for f in dockward dockerd registry; do
		[ -f "$LOG/$f.log" ] && { echo "---- $LOG/$f.log"; tail -n 20 "$LOG/$f.log"; } >&2
	done
	stop
	exit 1
}

stop() {
	[ "$(id -u)" -eq 0 ] || die "run it as root"
	local ids
	if running dockerd; then
		# Bounded: a dockerd still starting (or stuck) must not hold up the stop.
		ids=$(timeout -k 5 15 "$DOCKER" -H "unix://$SOCK" ps -aq 2>/dev/null || true)
		[ -n "$ids" ] && de rm -f $ids >/dev/null 2>&1 || true
	fi
	stop_daemon dockerd "$STALL"
	stop_daemon registry 10
	stop_daemon dockward 10
	e2e_reap "$PATTERN"
	lab_down
	e2e_umount_under "$VAR" "$RUN"
	rm -f "$PLUGIN_SOCK" "$SOCK" "$RUN/metrics.sock" "$RUN"/*.pid
	local left
	left=$(e2e_pids "$PATTERN")
	if [ -n "$left" ]; then
		echo "demo: processes still running: $left" >&2
		return 1
	fi
	echo "demo: stopped"
}

status() {
	local p
	for p in dockward dockerd registry outside; do
		if running "$p"; then echo "$p: running (pid $(cat "$RUN/$p.pid"))"; else echo "$p: stopped"; fi
	done
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
purge) stop; rm -rf "$VAR" "$ETC" "$LOG" "$RUN"; echo "demo: purged" ;;
status) status ;;
*) echo "usage: $0 [start|stop|purge|status]" >&2; exit 2 ;;
esac
