# shellcheck shell=bash
# dockward end-to-end test library: a private dockerd that uses dockward as
# its authorization plugin, a local docker-registry, offline test images,
# assertion helpers and a teardown that leaves nothing behind.
#
# Sourced by tests/e2e/run.sh.  Everything here is bounded by timeouts.
#
# Environment:
#   DOCKWARD        path of the dockward binary (run.sh sets it from $1)
#   DOCKER          docker client (default /usr/bin/docker, the Debian 20.10 one)
#   E2E_TIMEOUT     seconds allowed per docker/curl command (default 60)
#   E2E_BUDGET      seconds for the whole suite after setup (default 1500: the
#                   suite takes about 370 s on a quiet 2-core VM and twice that
#                   on a slow CI machine; the budget stops a hung run early); checks
#                   past it fail without running
#   E2E_NO_PLUGIN=1 run dockerd without dockward (harness development only)
#   E2E_MODE        "plugin" (default): dockerd asks dockward as its
#                   authorization plugin, clients use the engine socket, and the
#                   gatekeeper listens beside it at $GK_SOCK for t_70;
#                   "gatekeeper": dockerd runs without the plugin and every
#                   client goes through the gatekeeper ($FRONT_SOCK = $GK_SOCK)
#                   "full": both doors and `serve --require-gatekeeper`:
#                   dockerd asks the plugin, clients go through the gatekeeper,
#                   and the plugin denies what the gatekeeper did not stamp,
#                   so admin fixtures and inspections ($ADMIN_SOCK) go
#                   through the gatekeeper as root too
#   E2E_KEEP_LOGS   directory to copy the logs to at teardown, even on success
#   E2E_USERNS=1    dockerd runs with "userns-remap": "default" (container root
#                   is an unprivileged host user; dockerd creates the dockremap
#                   user and its subordinate id ranges when they are missing)
#   E2E_LOG_DIR     where failed runs keep their logs (default /tmp)

DOCKER=${DOCKER:-/usr/bin/docker}
E2E_MODE=${E2E_MODE:-plugin}
E2E_TIMEOUT=${E2E_TIMEOUT:-60}
E2E_BUDGET=${E2E_BUDGET:-1500}
E2E_DEADLINE=$(($(date +%s) + E2E_BUDGET))
E2E_NAME=dockward-e2e-$$
E2E_PASS=0
E2E_NOTRUN=
E2E_FAIL=0
E2E_FAILED=()
E2E_NCHECK=0
E2E_TORN_DOWN=0
T=
DOCKERD_PID=
DOCKWARD_PID=
REGISTRY_PID=

# Loopback only: never send the private engine's or curl's traffic to a proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export DOCKER_BUILDKIT=0

PLUGIN_DIR=/run/docker/plugins
PLUGIN_SOCK=$PLUGIN_DIR/$E2E_NAME.sock
TEST_IMAGE=dockward-test/busybox:latest
export DOCKER TEST_IMAGE

e2e_log() { printf '# %s\n' "$*"; }

# ---------------------------------------------------------------- helpers

# A run that was killed leaves its plugin socket in $PLUGIN_DIR, and
# dockerd's plugin discovery (every volume or network list asks each
# socket there whether it is a volume driver) then waits about 15 s on it
# per call: one stale socket made t_97 take 270 s instead of 20.  Remove
# the suites' own sockets that nobody answers on; live ones (a run going
# on beside this one) stay.
_e2e_dead_plugin_sockets() {
	local s
	for s in "$PLUGIN_DIR"/dockward-e2e-*.sock "$PLUGIN_DIR"/dockward-egress-*.sock; do
		[ -S "$s" ] || continue
		curl -s --max-time 2 --unix-socket "$s" -X POST http://plugin/Plugin.Activate \
			>/dev/null 2>&1 && continue
		rm -f "$s" && e2e_log "removed a dead plugin socket a killed run left: $s"
	done
}

# The docker client against the private engine, bounded in time.
dk() { timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"; }

# run_bb OPTIONS...: `docker run --rm OPTIONS test-image true`.
run_bb() { dk run --rm "$@" "$TEST_IMAGE" true; }

# Raw Engine API request on the private engine's socket:
#   api METHOD PATH [BODY] [extra curl args...]
# Prints "HTTP <code>", the body and, for JSON errors, the decoded message.
# Fails on a transport error or an HTTP status >= 400.
api() {
	local method=$1 path=$2 body=${3-} out code
	shift 2
	[ $# -gt 0 ] && shift
	local args=(-sS --max-time "$E2E_TIMEOUT" --path-as-is --unix-socket "${API_SOCK:-$FRONT_SOCK}"
		-X "$method" -o "$T/api.body" -w '%{http_code}')
	if [ -n "$body" ]; then
		case " $* " in
		*[Cc]ontent-[Tt]ype:*) ;;
		*) args+=(-H "Content-Type: application/json") ;;
		esac
		args+=(--data-binary "$body")
	fi
	: >"$T/api.body"
	code=$(curl "${args[@]}" "$@" "http://localhost$path") || {
		echo "curl failed (exit $?)"
		cat "$T/api.body"
		return 1
	}
	echo "HTTP $code"
	cat "$T/api.body"
	echo
	out=$(jq -r '.message? // empty' <"$T/api.body" 2>/dev/null) && [ -n "$out" ] &&
		echo "message: $out"
	[ "$code" -lt 400 ]
}

# A free TCP port on 127.0.0.1 (nothing answers a connect on it).
e2e_free_port() {
	local p i
	for i in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# wait_for SECONDS CMD...: retry CMD every 0.2s until it succeeds.
wait_for() {
	local deadline=$(($(date +%s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# e2e_wait_daemon NAME PID LOG SOCKET STALL CMD...: retry CMD until it
# succeeds, for as long as the daemon NAME (PID, writing LOG) makes
# progress: a new byte in LOG, or SOCKET ("" for none) appearing.  No fixed
# deadline: dockerd with much old state (~0.2 s per stale sandbox) can take
# minutes to start, and says so in its log.  Gives up when PID is gone or
# after STALL seconds without progress; every 5 s it says on stderr what it
# waits for.  0 when CMD succeeded; else 1, with the reason in E2E_WAIT_WHY.
# The demo uses it too (contrib/demo/demo.sh).
e2e_wait_daemon() {
	local name=$1 pid=$2 log=$3 sock=$4 stall=$5
	shift 5
	local t0 now moved size seen=-1 sock_seen='' say rc
	t0=$(date +%s)
	moved=$t0
	say=$((t0 + 5))
	E2E_WAIT_WHY=
	while ! "$@" >/dev/null 2>&1; do
		now=$(date +%s)
		if ! alive "$pid"; then
			rc=0
			wait "$pid" 2>/dev/null || rc=$?
			if [ "$rc" = 127 ]; then rc=; fi	# not our child: no status to tell
			E2E_WAIT_WHY="$name (pid ${pid:-none}) exited${rc:+ with status $rc} after $((now - t0)) s"
			return 1
		fi
		size=$(stat -c %s "$log" 2>/dev/null || echo 0)
		if [ "$size" != "$seen" ]; then
			seen=$size
			moved=$now
		fi
		if [ -n "$sock" ] && [ -z "$sock_seen" ] && [ -S "$sock" ]; then
			sock_seen=1
			moved=$now
		fi
		if [ $((now - moved)) -ge "$stall" ]; then
			E2E_WAIT_WHY="$name (pid $pid) made no progress for $stall s ($(_e2e_wait_state "$sock" "$log")), up $((now - t0)) s"
			return 1
		fi
		if [ "$now" -ge "$say" ]; then
			echo "waiting for $name (pid $pid, $((now - t0)) s): $(_e2e_wait_state "$sock" "$log")" >&2
			say=$((now + 5))
		fi
		sleep 0.2
	done
}

# What e2e_wait_daemon waits on, in words: the socket, the log's length
# and its last line (printable characters only, cut to 120).
_e2e_wait_state() {
	local sock=$1 log=$2 s='' n last
	if [ -n "$sock" ]; then
		if [ -S "$sock" ]; then s="socket $sock there, no answer yet; "
		else s="socket $sock not yet there; "; fi
	fi
	n=$(wc -l <"$log" 2>/dev/null || echo 0)
	last=$(tail -n 1 "$log" 2>/dev/null | tr -cd '[:print:]' | cut -c 1-120)
	printf '%slog at %s lines%s' "$s" "$n" "${last:+, last: $last}"
}

# e2e_stop_pid PID SECONDS: TERM, wait up to SECONDS, then KILL.
e2e_stop_pid() {
	local pid=$1 secs=$2 i
	alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 $((secs * 5))); do
		alive "$pid" || break
		sleep 0.2
	done
	if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
	wait "$pid" 2>/dev/null || true
}

# e2e_pids REGEX: pids whose command line matches REGEX (never our own shell).
e2e_pids() {
	pgrep -f -- "$1" 2>/dev/null | grep -vx -e "$$" -e "${BASHPID:-$$}" || true
}

# e2e_reap REGEX: stop the processes of one run, found by a pattern that
# only they match (their private directories, their containerd namespace).
e2e_reap() {
	local i pid left
	for i in 1 2 3; do
		left=$(e2e_pids "$1")
		[ -z "$left" ] && return 0
		for pid in $left; do kill -TERM "$pid" 2>/dev/null || true; done
		sleep 1
	done
	for pid in $(e2e_pids "$1"); do kill -KILL "$pid" 2>/dev/null || true; done
	sleep 0.2
}

# e2e_mounts_under DIR...: mount points at or under the DIRs, deepest first.
e2e_mounts_under() {
	local d
	for d in "$@"; do
		awk -v t="$d" '$5 == t || index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo
	done | sort -r
}

# e2e_umount_under DIR...: unmount everything at or under the DIRs.
e2e_umount_under() {
	local m
	for m in $(e2e_mounts_under "$@"); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
}

# e2e_make_rootfs DIR [--docker-cli]: a busybox root filesystem; with
# --docker-cli also the Debian docker client and the libraries it needs.
e2e_make_rootfs() {
	local r=$1 a lib
	mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root" "$r/proc" "$r/sys" "$r/dev" "$r/var/run"
	chmod 1777 "$r/tmp"
	cp /bin/busybox "$r/bin/busybox" || return 1
	for a in sh ls cat echo sleep id true false env touch mkdir rm wc grep \
	    ps stat test head tail hostname mount readlink sed; do
		ln -sf busybox "$r/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
	echo 'root:x:0:' >"$r/etc/group"
	if [ "${2:-}" = --docker-cli ]; then
		cp /usr/bin/docker "$r/bin/docker" || return 1
		for lib in $(ldd /usr/bin/docker | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
			mkdir -p "$r$(dirname "$lib")"
			cp -L "$lib" "$r$lib" || return 1
		done
	fi
}

# e2e_policy_json IMAGES_JSON EXTRA_PROTECTED_PATH...: an ECI policy with
# the socket image list and dockward's default protected paths plus extras
# (protectedPaths replaces the defaults, so the whole list is written).
e2e_policy_json() {
	local images=$1 p extra=
	shift
	for p in "$@"; do extra="$extra, \"$p\""; done
	cat <<EOF
{
  "configurationFileVersion": 2,
  "enhancedContainerIsolation": {
    "value": true,
    "locked": true,
    "dockerSocketMount": {
      "imageList": { "images": $images }
    }
  },
  "dockward": {
    "protectedPaths": [
      "/", "/etc", "/var/lib/docker", "/var/lib/containerd", "/run", "/var/run",
      "/proc", "/sys", "/dev", "/boot", "/root", "/usr", "/lib", "/bin", "/sbin",
      "/var/lib/dockward", "/etc/dockward", "/run/docker/plugins"$extra
    ]
  }
}
EOF
}

# e2e_registry_config ROOTDIR ADDR: a docker-registry config (plain HTTP).
e2e_registry_config() {
	cat <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $1
  delete:
    enabled: true
http:
  addr: $2
EOF
}

# ------------------------------------------------------------- assertions

# Run one check: the command's combined output goes to $E2E_OUT (a file).
# Fails at once, without running it, when a daemon died or the suite's time
# budget is spent (a hung dockward must not cost a timeout per check).
_e2e_run() {
	E2E_NCHECK=$((E2E_NCHECK + 1))
	E2E_OUT=$T/out/$E2E_NCHECK.txt
	E2E_NOTRUN=
	if [ "$(date +%s)" -ge "$E2E_DEADLINE" ]; then
		E2E_NOTRUN=1
		echo "not run: the suite's time budget (E2E_BUDGET=${E2E_BUDGET}s) is spent" >"$E2E_OUT"
		return 125
	fi
	if [ -z "${E2E_NO_PLUGIN:-}" ] && ! alive "$DOCKWARD_PID"; then
		E2E_NOTRUN=1
		echo "not run: dockward (pid $DOCKWARD_PID) is not running; last log lines:" >"$E2E_OUT"
		tail -n 20 "$T/dockward.log" >>"$E2E_OUT" 2>/dev/null
		return 125
	fi
	if ! alive "$DOCKERD_PID"; then
		E2E_NOTRUN=1
		echo "not run: dockerd (pid $DOCKERD_PID) is not running; last log lines:" >"$E2E_OUT"
		tail -n 20 "$T/dockerd.log" >>"$E2E_OUT" 2>/dev/null
		return 125
	fi
	"$@" >"$E2E_OUT" 2>&1 </dev/null
}

_e2e_name() {
	local s="$*"
	s=${s//$'\n'/ }
	[ ${#s} -gt 140 ] && s="${s:0:137}..."
	printf '%s' "$s"
}

e2e_pass() {
	E2E_PASS=$((E2E_PASS + 1))
	echo "ok - $1"
}

# e2e_fail NAME [REASON]: counts a failure and shows the last output.
e2e_fail() {
	E2E_FAIL=$((E2E_FAIL + 1))
	E2E_FAILED+=("$1")
	echo "not ok - $1"
	[ -n "${2:-}" ] && echo "#   $2"
	if [ -n "${E2E_OUT:-}" ] && [ -s "$E2E_OUT" ]; then
		sed -e 's/^/#   | /' "$E2E_OUT" | head -n 40
	fi
	E2E_OUT=
}

# expect_ok [-n NAME] CMD...: CMD must succeed.
expect_ok() {
	local name=
	if [ "$1" = -n ]; then name=$2; shift 2; fi
	[ -n "$name" ] || name=$(_e2e_name "$@")
	local deadline=$(($(date +%s) + ${E2E_RETRY:-0})) rc
	while :; do
		_e2e_run "$@"; rc=$?
		[ $rc -eq 0 ] && break
		[ "$(date +%s)" -ge "$deadline" ] && break
		sleep 0.5
	done
	if [ $rc -eq 0 ]; then e2e_pass "$name"; else e2e_fail "$name" "exit status $rc, expected success"; fi
}

# expect_out [-n NAME] STRING CMD...: CMD must succeed and print STRING.
expect_out() {
	local name=
	if [ "$1" = -n ]; then name=$2; shift 2; fi
	local want=$1
	shift
	[ -n "$name" ] || name=$(_e2e_name "$@")
	_e2e_run "$@"
	local rc=$?
	if [ $rc -ne 0 ]; then
		e2e_fail "$name" "exit status $rc, expected success"
	elif ! grep -qF -- "$want" "$E2E_OUT"; then
		e2e_fail "$name" "output lacks \"$want\""
	else
		e2e_pass "$name"
	fi
}

# expect_fail [-n NAME] CMD...: CMD must fail (for non-dockward failures).
expect_fail() {
	local name=
	if [ "$1" = -n ]; then name=$2; shift 2; fi
	[ -n "$name" ] || name=$(_e2e_name "$@")
	# A check that did not run (budget spent, a daemon gone) is no failure of CMD.
	if _e2e_run "$@"; then e2e_fail "$name" "succeeded, expected failure"
	elif [ -n "$E2E_NOTRUN" ]; then e2e_fail "$name" "not run"
	else e2e_pass "$name"; fi
}

# expect_deny [-n NAME] RULE CMD...: CMD must fail with a dockward denial
# naming RULE ("a|b" accepts either rule id).  With E2E_RETRY=SECONDS the
# command is retried until denied (for policy reloads).
expect_deny() {
	local name=
	if [ "$1" = -n ]; then name=$2; shift 2; fi
	local rule=$1 r ok why
	shift
	[ -n "$name" ] || name="[$rule] $(_e2e_name "$@")"
	local deadline=$(($(date +%s) + ${E2E_RETRY:-0}))
	while :; do
		ok=0
		if _e2e_run "$@"; then
			why="command succeeded, expected a denial ($rule)"
		elif ! grep -qF 'dockward:' "$E2E_OUT"; then
			why="failed, but not with a dockward denial"
		else
			why="denied, but not by rule ($rule)"
			local IFS='|'
			for r in $rule; do
				if grep -qF "($r)" "$E2E_OUT"; then ok=1; rule=$r; break; fi
			done
			unset IFS
		fi
		[ $ok -eq 1 ] && break
		[ "$(date +%s)" -ge "$deadline" ] && break
		sleep 0.5
	done
	if [ $ok -eq 1 ]; then
		e2e_pass "$name"
		printf '%s\t%s\t%s\n' "$rule" "$E2E_OUT" "$name" >>"$T/denies.tsv"
	else
		e2e_fail "$name" "$why"
	fi
}

# ------------------------------------------------------------------ setup

# e2e_write_settings FILE [IMAGES_JSON]: the suite's policy (atomically).
e2e_write_settings() {
	local file=$1 images=${2:-"[\"$ALLOWED_IMAGE\"]"}
	e2e_policy_json "$images" "$T/data" "$T/exec" >"$file.tmp"
	chmod 0644 "$file.tmp"
	mv -f "$file.tmp" "$file"
}

# e2e_reload_policy JQ_FILTER: the suite's policy changed by a jq filter
# ('.' restores it), then SIGHUP; waits until dockward says it reloaded.
e2e_reload_policy() {
	local before
	e2e_policy_json "[\"$ALLOWED_IMAGE\"]" "$T/data" "$T/exec" | jq "$1" >"$SETTINGS.tmp" || return 1
	chmod 0644 "$SETTINGS.tmp"
	mv -f "$SETTINGS.tmp" "$SETTINGS"
	before=$(grep -c 'policy reloaded' "$T/dockward.log")
	kill -HUP "$DOCKWARD_PID" || return 1
	wait_for 10 sh -c '[ "$(grep -c "policy reloaded" "$1")" -gt "$2" ]' _ "$T/dockward.log" "$before"
}

# e2e_admin CMD...: run a docker command as the host's admin would, on
# dockerd's own socket ($ADMIN_SOCK: the gatekeeper in full mode) with the ECI rules switched off for its duration (a
# policy reload each way), to make the fixtures real hosts have: a
# host-namespace container, a container that binds /etc.  The attack tests
# then act on them as a policy-bound caller.  The policy is restored even
# when CMD fails; the status is CMD's.
e2e_admin() {
	local rc
	e2e_reload_policy '.enhancedContainerIsolation.value = false' || return 1
	DOCKER_HOST=unix://$ADMIN_SOCK timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"
	rc=$?
	e2e_reload_policy '.' || return 1
	return $rc
}

# e2e_inspect CTR GO_TEMPLATE: what dockerd really made (on its own
# socket, so no policy can hide it): e2e checks judge by this effect.
e2e_inspect() {
	DOCKER_HOST=unix://$ADMIN_SOCK timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" inspect -f "$2" "$1"
}

_e2e_interrupted() {
	{
		E2E_OUT=
		e2e_fail "suite interrupted by SIG$1"
		e2e_teardown
		e2e_summary
	} >&7 2>&8
	exit "$2"
}

_e2e_setup_fail() {
	echo "not ok - setup: $*"
	E2E_FAIL=$((E2E_FAIL + 1))
	E2E_FAILED+=("setup: $*")
	local f
	for f in dockward.log dockerd.log registry.log; do
		[ -f "$T/$f" ] || continue
		echo "# ---- last lines of $f"
		tail -n 20 "$T/$f" | sed -e 's/^/#   /'
	done
	return 1
}

# The offline test images, imported (no registry needed): the busybox test
# image, and the allowed image, which also holds a docker client, pushed to
# the local registry.  Their contents differ: dockward compares digests.
_e2e_images() {
	e2e_make_rootfs "$T/rootfs" || return 1
	e2e_make_rootfs "$T/rootfs-cli" --docker-cli || return 1
	tar -C "$T/rootfs" -c . | dk import -c 'CMD ["sh"]' - "$TEST_IMAGE" || return 1
	tar -C "$T/rootfs-cli" -c . | dk import -c 'CMD ["sh"]' -c 'LABEL org.dockward.test=cli' \
		- "$ALLOWED_IMAGE" || return 1
	dk push "$ALLOWED_IMAGE"
}

# "docker version" answered, or was denied (no use waiting for that).
_e2e_dockerd_answers() {
	timeout 5 "$DOCKER" version >"$T/version.out" 2>&1 ||
		grep -q 'authorization denied' "$T/version.out"
}

e2e_setup() {
	local t0 i
	t0=$(date +%s)
	[ "$(id -u)" = 0 ] || { echo "e2e: must run as root" >&2; return 1; }
	for i in dockerd docker-registry curl jq perl "$DOCKER" /bin/busybox; do
		command -v "$i" >/dev/null || { echo "e2e: missing $i" >&2; return 1; }
	done
	if [ -z "${E2E_NO_PLUGIN:-}" ]; then
		[ -x "${DOCKWARD:-}" ] || { echo "e2e: DOCKWARD=${DOCKWARD:-} is not executable" >&2; return 1; }
	fi
	T=$(mktemp -d /tmp/dockward-e2e.XXXXXXXX) || return 1
	chmod 0700 "$T"
	mkdir -p "$T/out" "$T/data" "$T/exec" "$T/work" "$T/sock" "$T/docker-config"
	mkdir -m 0700 "$T/state"
	: >"$T/denies.tsv"
	export DOCKER_HOST=unix://$T/docker.sock DOCKER_CONFIG=$T/docker-config
	ENGINE_SOCK=$T/docker.sock
	GK_SOCK=$T/gk.sock
	FRONT_SOCK=$ENGINE_SOCK
	[ "$E2E_MODE" = gatekeeper ] && FRONT_SOCK=$GK_SOCK
	[ "$E2E_MODE" = full ] && FRONT_SOCK=$GK_SOCK
	# Where the admin works: dockerd's own socket, except in full mode,
	# where only the gatekeeper's requests are allowed.
	ADMIN_SOCK=$ENGINE_SOCK
	[ "$E2E_MODE" = full ] && ADMIN_SOCK=$GK_SOCK
	export ADMIN_SOCK
	# The policy gets a directory of its own: dockward protects the policy's
	# directory (binds of it, inside it or above it are denied).
	mkdir -m 0700 "$T/policy"
	SETTINGS=$T/policy/admin-settings.json
	AUDIT=$T/audit.log
	echo '{}' >"$T/daemon.json"
	if [ -n "${E2E_USERNS:-}" ]; then
		echo '{"userns-remap": "default"}' >"$T/daemon.json"
		# The remapped root must traverse to its data-root ($T/data/<uid>.<gid>),
		# and t_10 writes into a bind of $T/work/data as container root.
		chmod 0711 "$T"
		mkdir -p -m 1777 "$T/work/data"
	fi
	# A signal can arrive while a check's output is redirected to its file:
	# the handlers write to the suite's own stdout/stderr (fds 7 and 8).
	exec 7>&1 8>&2
	trap '_e2e_interrupted INT 130' INT
	trap '_e2e_interrupted TERM 143' TERM
	trap 'e2e_teardown >&7 2>&8' EXIT
	e2e_log "work dir $T, mode $E2E_MODE, plugin $E2E_NAME, client $DOCKER"

	# Registry first: the policy names an image on it.
	REG_PORT=$(e2e_free_port) || { _e2e_setup_fail "no free port"; return 1; }
	REGISTRY=127.0.0.1:$REG_PORT
	ALLOWED_IMAGE=$REGISTRY/dockward/cli:1
	e2e_registry_config "$T/registry" "$REGISTRY" >"$T/registry.yml"
	docker-registry serve "$T/registry.yml" >"$T/registry.log" 2>&1 &
	REGISTRY_PID=$!
	wait_for 20 curl -fsS --max-time 2 "http://$REGISTRY/v2/" ||
		{ _e2e_setup_fail "registry did not answer on $REGISTRY"; return 1; }

	e2e_write_settings "$SETTINGS"
	local plugin_args=()
	if [ -z "${E2E_NO_PLUGIN:-}" ]; then
		mkdir -p "$PLUGIN_DIR"
		rm -f "$PLUGIN_SOCK"
		_e2e_dead_plugin_sockets
		local psock=$PLUGIN_SOCK
		[ "$E2E_MODE" = gatekeeper ] && psock=none
		local full_args=()
		[ "$E2E_MODE" = full ] && full_args=(--require-gatekeeper)
		# This dockerd and dockward live in the host's own network
		# namespace: policies with containersProxy (t_58, t_60) get its
		# API rules only, never an nft table there.  The air-gapped
		# containers lab (tests/e2e/egress.sh) runs the real thing in
		# namespaces of its own.
		"$DOCKWARD" serve --egress-api-only --settings "$SETTINGS" --plugin-socket "$psock" \
			--engine-socket "$ENGINE_SOCK" --state-dir "$T/state" \
			--gatekeeper-socket "$GK_SOCK" --gatekeeper-mode 0660 \
			--gatekeeper-head-timeout 5 --metrics "$T/metrics.sock" \
			--audit-log "$AUDIT" "${full_args[@]}" >"$T/dockward.log" 2>&1 &
		DOCKWARD_PID=$!
		local deadline=$(($(date +%s) + 20))
		until [ -S "$GK_SOCK" ] && { [ "$psock" = none ] ||
		    curl -sS --max-time 2 --unix-socket "$PLUGIN_SOCK" \
		    -X POST http://plugin/Plugin.Activate 2>/dev/null | grep -q authz; }; do
			alive "$DOCKWARD_PID" || { _e2e_setup_fail "dockward exited"; return 1; }
			[ "$(date +%s)" -ge "$deadline" ] &&
				{ _e2e_setup_fail "dockward did not answer on $PLUGIN_SOCK / $GK_SOCK"; return 1; }
			sleep 0.2
		done
		[ "$E2E_MODE" = gatekeeper ] || plugin_args=(--authorization-plugin="$E2E_NAME")
		export DOCKER_HOST=unix://$FRONT_SOCK
	fi

	dockerd --data-root "$T/data" --exec-root "$T/exec" -H "unix://$ENGINE_SOCK" \
		--pidfile "$T/docker.pid" --config-file "$T/daemon.json" \
		--iptables=false --bridge=none \
		--containerd-namespace "$E2E_NAME" --containerd-plugins-namespace "$E2E_NAME-plugins" \
		"${plugin_args[@]}" >"$T/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	# Waits while dockerd lives and logs (no fixed deadline; see
	# e2e_wait_daemon); a denial of "docker version" ends the wait too.
	e2e_wait_daemon dockerd "$DOCKERD_PID" "$T/dockerd.log" "$ENGINE_SOCK" 60 _e2e_dockerd_answers ||
		{ _e2e_setup_fail "$E2E_WAIT_WHY"; return 1; }
	if grep -q 'authorization denied' "$T/version.out"; then
		_e2e_setup_fail "dockward denies \"docker version\": $(grep -m1 'authorization denied' "$T/version.out")"
		return 1
	fi
	# containerd: the engine's own (under $T/exec) or a system one.
	CONTAINERD_SOCK=$T/exec/containerd/containerd.sock
	[ -S "$CONTAINERD_SOCK" ] || CONTAINERD_SOCK=/run/containerd/containerd.sock

	_e2e_images >"$T/images.log" 2>&1 ||
		{ cat "$T/images.log"; _e2e_setup_fail "test images"; return 1; }
	E2E_SETUP_SECONDS=$(($(date +%s) - t0))
	E2E_DEADLINE=$(($(date +%s) + E2E_BUDGET))
	e2e_log "setup done in ${E2E_SETUP_SECONDS}s (registry $REGISTRY, allowed image $ALLOWED_IMAGE)"
}

# ------------------------------------------------------------ audit check

# Every denial a test saw must be in the audit log, and every audit line
# must be a JSON object with the documented keys.
e2e_check_audit() {
	[ -n "${E2E_NO_PLUGIN:-}" ] && return 0
	E2E_OUT=
	if [ ! -s "$AUDIT" ]; then
		e2e_fail "audit log $AUDIT exists and is not empty"
		return
	fi
	local bad
	bad=$(jq -R -r 'try (fromjson
		| if type != "object" then "not an object: \(.)"
		  elif (.decision == "allow" or .decision == "deny") | not then "bad decision: \(.)"
		  else .decision as $d
		    | ["time", "user", "method", "uri", "endpoint", "rule", "decision", "reason", "field"] - keys
		    | if length > 0 then "\($d) lines lack: \(join(", "))" else empty end
		  end)
		catch "not JSON: \(.)"' "$AUDIT" 2>&1 | sort | uniq -c | sort -rn | head -n 8)
	if [ -z "$bad" ]; then
		e2e_pass "audit log: every line is a JSON object with the documented keys ($(wc -l <"$AUDIT") lines)"
	else
		E2E_OUT=$T/out/audit-bad.txt
		echo "$bad" >"$E2E_OUT"
		e2e_fail "audit log: every line is a JSON object with the documented keys (time user method uri endpoint rule decision reason field)"
	fi
	jq -R -c 'fromjson? | select(type == "object" and .decision == "deny")' "$AUDIT" >"$T/audit-denies.json"
	local rule file name missing=0 n=0
	: >"$T/out/audit-missing.txt"
	while IFS=$'\t' read -r rule file name; do
		n=$((n + 1))
		# The client shows the reason text; match on rule and reason.
		if ! jq -e -n --arg rule "$rule" --rawfile out "$file" '
			($out | gsub("\\\\\""; "\"")) as $o
			| [inputs | select(.rule == $rule and (.reason | type) == "string"
			    and (.reason | length) > 0)
			  | .reason as $r | select($o | contains($r))]
			| length > 0' "$T/audit-denies.json" >/dev/null 2>&1; then
			missing=$((missing + 1))
			echo "no audit deny with rule $rule and the reason shown by: $name" >>"$T/out/audit-missing.txt"
		fi
	done <"$T/denies.tsv"
	E2E_OUT=$T/out/audit-missing.txt
	if [ $missing -eq 0 ]; then
		e2e_pass "audit log: all $n denials seen by tests are logged with their rule and reason"
	else
		e2e_fail "audit log: all $n denials seen by tests are logged with their rule and reason" "$missing missing"
	fi
}

# --------------------------------------------------------------- teardown

# This run's processes: the command line names our work dir or our
# containerd namespace (dockerd, containerd, shims, registry, dockward).
_e2e_pattern() { echo "$T/|-namespace $E2E_NAME( |\$)"; }

e2e_teardown() {
	[ "$E2E_TORN_DOWN" = 1 ] && return 0
	E2E_TORN_DOWN=1
	trap - INT TERM EXIT
	[ -n "$T" ] || return 0
	local ids left
	# Containers first, while dockward can still answer for dockerd.
	if alive "$DOCKERD_PID"; then
		ids=$(timeout 15 "$DOCKER" ps -aq 2>/dev/null)
		[ -n "$ids" ] && timeout 60 "$DOCKER" rm -f $ids >/dev/null 2>&1
	fi
	e2e_stop_pid "$DOCKERD_PID" 30
	e2e_stop_pid "$REGISTRY_PID" 10
	e2e_stop_pid "$DOCKWARD_PID" 10
	# A sanitizer build (build-asan/dockward) reports to its log.
	if [ -n "$DOCKWARD_PID" ] && [ -f "$T/dockward.log" ]; then
		E2E_OUT=$T/out/sanitizer.txt
		grep -n -A15 -E 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:' \
			"$T/dockward.log" >"$E2E_OUT" 2>/dev/null
		if [ -s "$E2E_OUT" ]; then
			e2e_fail "dockward's log has no sanitizer reports"
		else
			e2e_pass "dockward's log has no sanitizer reports"
		fi
	fi
	# Stragglers (containerd, shims of a killed dockerd): by pid, ours only.
	e2e_reap "$(_e2e_pattern)"
	# Mounts under the work dir (overlays, the data-root bind).
	e2e_umount_under "$T"
	rm -f "$PLUGIN_SOCK" "/etc/docker/plugins/$E2E_NAME.spec" 2>/dev/null
	[ -d "$PLUGIN_SOCK" ] && rmdir "$PLUGIN_SOCK"	# made by dockerd for a bind without a plugin
	E2E_OUT=
	left=$(e2e_pids "$(_e2e_pattern)")
	if [ -n "$left" ]; then
		e2e_fail "teardown leaves no processes" "left: $(ps -o pid=,args= -p "${left//$'\n'/,}" 2>/dev/null | head -n 5)"
	elif [ -n "$(e2e_mounts_under "$T")" ]; then
		e2e_fail "teardown leaves no mounts" "left: $(e2e_mounts_under "$T" | head -n 5)"
	else
		e2e_pass "teardown leaves no processes and no mounts"
	fi
	if [ "$E2E_FAIL" -gt 0 ] || [ -n "${E2E_KEEP_LOGS:-}" ]; then
		local keep=${E2E_KEEP_LOGS:-${E2E_LOG_DIR:-/tmp}/$E2E_NAME-logs}
		mkdir -p "$keep"
		cp -a "$T"/*.log "$SETTINGS" "$T/denies.tsv" "$T/out" "$keep/" 2>/dev/null
		e2e_log "logs kept in $keep"
	fi
	rm -rf "$T"
}

e2e_summary() {
	local f
	if [ "$E2E_FAIL" -gt 0 ]; then
		echo "# failed checks:"
		for f in "${E2E_FAILED[@]}"; do echo "#   $f"; done
	fi
	echo "E2E: $E2E_PASS passed, $E2E_FAIL failed"
	[ "$E2E_FAIL" -eq 0 ]
}
