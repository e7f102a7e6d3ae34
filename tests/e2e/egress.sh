#!/usr/bin/env bash
# dockward end-to-end: air-gapped containers (`containersProxy`).
#
#     tests/e2e/egress.sh PATH/TO/dockward        (as root)
#
# Builds the egress lab (tests/e2e/egress_lab.sh: a "host" and an "outside"
# network namespace made for this run), starts a private dockerd with bridge
# networking and iptables in the host namespace and dockward beside it (its
# authorization plugin; with containersProxy in the policy it applies
# `table inet dockward` there and runs the egress proxy), and checks what
# real containers' connections do, judged by their effect: what the
# outside's services logged and what the container received.  A container's
# connections are made by tests/e2e/egress_client.c (built static here), run
# in the container's network namespace.
#
# Prints "ok - ..."/"not ok - ..." per check and "E2E: N passed, M failed";
# exit status 1 on any failure.  Nothing outside the two namespaces changes:
# the root namespace's links, routes and nft ruleset are compared before and
# after.  Failed runs keep their logs under E2E_LOG_DIR (default /tmp).
#
# Environment: E2E_TIMEOUT (seconds per docker command, default 60),
# E2E_BUDGET (seconds for the checks, default 300), E2E_KEEP_LOGS (a
# directory for the logs even on success), EGRESS_HOSTILE_MS (how long a
# hostile PAC may take to refuse, measured in the container, default 3000),
# EGRESS_DOCKWARD_ARGS (more `dockward serve` arguments, e.g. --debug),
# EGRESS_ROOT_STRICT=0 (on a machine where others change the root network
# namespace meanwhile: only changes that look like this run's fail).
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 1 ]; then
	echo "usage: $0 PATH/TO/dockward" >&2
	exit 2
fi
DOCKWARD=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export DOCKWARD
E2E_BUDGET=${E2E_BUDGET:-300}
HOSTILE_MS=${EGRESS_HOSTILE_MS:-3000}

# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/e2e/egress_lab.sh
. "$here/egress_lab.sh"

E2E_NAME=dockward-egress-$$
PLUGIN_SOCK=$PLUGIN_DIR/$E2E_NAME.sock
EGRESS_PORT=15001
CTR_PIDS=()

# ------------------------------------------------------------------ checks

# check [-r SECONDS] NAME CMD...: CMD must succeed (its output goes to the
# check's file and is shown when it fails).  -r retries for SECONDS (after a
# reload the new state may take a moment).  Unlike lib.sh's expect_ok it
# runs while dockward is down (the kill check needs that).
check() {
	local retry=0
	if [ "$1" = -r ]; then retry=$2; shift 2; fi
	local name=$1 rc deadline
	shift
	deadline=$(($(date +%s) + retry))
	E2E_NCHECK=$((E2E_NCHECK + 1))
	E2E_OUT=$T/out/$E2E_NCHECK.txt
	if [ "$(date +%s)" -ge "$E2E_DEADLINE" ]; then
		echo "not run: the time budget (E2E_BUDGET=${E2E_BUDGET}s) is spent" >"$E2E_OUT"
		e2e_fail "$name"
		return 1
	fi
	while :; do
		"$@" >"$E2E_OUT" 2>&1 </dev/null
		rc=$?
		[ $rc -eq 0 ] && break
		[ "$(date +%s)" -ge "$deadline" ] && break
		sleep 0.5
	done
	if [ $rc -eq 0 ]; then e2e_pass "$name"; else e2e_fail "$name" "exit status $rc"; fi
	return $rc
}

# The pid of a running container (for its network namespace).
ctr_pid() { e2e_inspect "$1" '{{.State.Pid}}'; }
ctr_ip() { e2e_inspect "$1" "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"; }
ctr_ip6() { e2e_inspect "$1" "{{range .NetworkSettings.Networks}}{{.GlobalIPv6Address}}{{end}}"; }

# in_ctr CTR CMD...: CMD in the container's network namespace (the host's
# binaries: the client and busybox).  Faster than docker exec, and works
# while dockward, dockerd's authorization plugin, is down.
declare -A PID_OF=()
in_ctr() {
	local c=$1
	shift
	[ -n "${PID_OF[$c]:-}" ] || PID_OF[$c]=$(ctr_pid "$c") || return 1
	nsenter -t "${PID_OF[$c]}" -n -- "$@"
}
client() { local c=$1; shift; in_ctr "$c" timeout -k 2 15 "$T/egress_client" "$@"; }

# conn CTR MODE ADDR PORT NAME: one connection; its output in $T/conn.out.
conn() {
	local t0
	t0=${EPOCHREALTIME/./}
	client "$@" >"$T/conn.out" 2>&1
	CONN_RC=$?
	CONN_MS=$(((${EPOCHREALTIME/./} - t0) / 1000))
	sed -e 's/^/  client: /' "$T/conn.out"
	echo "  client: exit $CONN_RC after ${CONN_MS} ms"
}

# jq over the service log's new lines: any line matching FILTER.
new_has() {
	local svc=$1 filter=$2
	lab_new "$svc" | jq -e -s "map(select($filter)) | length > 0" >/dev/null && return 0
	echo "no new $svc line with $filter; new lines:"
	lab_new "$svc" | sed -e 's/^/  /'
	return 1
}
new_none() {
	local svc=$1
	[ -z "$(lab_new "$svc")" ] && return 0
	echo "unexpected $svc lines:"
	lab_new "$svc" | sed -e 's/^/  /'
	return 1
}

# direct CTR http|tls ADDR PORT NAME EXPECT: answered by the service at
# ADDR (named EXPECT), which saw NAME as Host/SNI; no proxy was involved.
direct() {
	local c=$1 mode=$2 addr=$3 port=$4 name=$5 want=$6
	lab_mark
	conn "$c" "$mode" "$addr" "$port" "$name"
	[ "$CONN_RC" = 0 ] || return 1
	if [ "$mode" = http ]; then
		grep -qF "lab-http name=$want port=$port" "$T/conn.out" || { echo "wrong answer"; return 1; }
		new_has http ".local == \"$addr\" and .port == $port and .host == \"$name\"" || return 1
	else
		new_has tls ".local == \"$addr\" and .port == $port and .sni == \"$name\"" || return 1
	fi
	new_none connect && new_none socks
}

# refused CTR MODE ADDR PORT NAME: reset or refused, nothing reached outside.
refused() {
	lab_mark
	conn "$@"
	case $(head -n 1 "$T/conn.out") in
	result=reset | result=refused) ;;
	*) echo "expected result=reset or result=refused"; return 1 ;;
	esac
	lab_quiet
}

# no_answer CTR ARGS...: dropped, reset or refused; nothing reached outside.
no_answer() {
	lab_mark
	conn "$@"
	case $(head -n 1 "$T/conn.out") in
	result=timeout | result=reset | result=refused) ;;
	*) echo "expected no answer"; return 1 ;;
	esac
	lab_quiet
}

# via_connect CTR MODE ADDR PORT NAME: through the lab's CONNECT proxy.
via_connect() {
	local c=$1 mode=$2 addr=$3 port=$4 name=$5
	lab_mark
	conn "$@"
	[ "$CONN_RC" = 0 ] || return 1
	new_has connect "(.target == \"$addr:$port\" or .target == \"[$addr]:$port\" or .target == \"$name:$port\")" ||
		return 1
	# The proxy connects to NAME when the CONNECT names it, to an address of
	# its own choice: the service's line need not show ADDR.
	if [ "$mode" = http ]; then
		grep -qF "lab-http name=$name port=$port" "$T/conn.out" || { echo "wrong answer"; return 1; }
		new_has http ".host == \"$name\" and .port == $port"
	else
		new_has tls ".sni == \"$name\" and .port == $port"
	fi
}

# via_socks CTR http ADDR PORT NAME: through the lab's SOCKS5 proxy.
via_socks() {
	local c=$1 addr=$3 port=$4
	lab_mark
	conn "$@"
	[ "$CONN_RC" = 0 ] || return 1
	grep -qF "port=$port" "$T/conn.out" || { echo "wrong answer"; return 1; }
	new_has socks ".target == \"$addr:$port\"" && new_has http ".local == \"$addr\"" &&
		new_none connect
}

# hostile NAME: the PAC's branch for NAME (at 10.99.0.30) refuses within
# HOSTILE_MS, and a fresh name evaluated right after goes direct.
HOSTILE_N=0
hostile() {
	HOSTILE_N=$((HOSTILE_N + 1))
	refused c1 http 10.99.0.30 80 "$1" || return 1
	echo "$1 ${CONN_MS}ms" >>"$T/hostile.ms"
	if [ "$CONN_MS" -gt "$HOSTILE_MS" ]; then
		echo "refused after $CONN_MS ms, over $HOSTILE_MS ms"
		return 1
	fi
	echo "next connection (a name not evaluated before):"
	direct c1 http 10.99.0.10 80 "ok$HOSTILE_N.lab" allowed.lab
}

# audit_has [-e EVENT] JQ_FILTER: an audit line of EVENT (default
# "egress": one per container connection) matching the filter.  Waits up
# to 5 s: a connection's line is written when it closes.
audit_has() {
	local ev=egress
	if [ "$1" = -e ]; then ev=$2; shift 2; fi
	wait_for 5 sh -c 'jq -c -R --arg ev "$3" "fromjson? | select(.event == \$ev) | select($1)" "$2" | grep -q .' \
		_ "$1" "$AUDIT" "$ev" && return 0
	echo "no $ev audit line with $1; the last ones:"
	jq -c -R --arg ev "$ev" 'fromjson? | select(.event == $ev)' "$AUDIT" | tail -n 5
	return 1
}

# no_audit_dst PREFIX: no "egress" line has a dst starting with PREFIX.
no_audit_dst() {
	! jq -c -R --arg p "$1" 'fromjson? | select(type == "object" and .event == "egress")
		| select(.dst | tostring | startswith($p))' "$AUDIT" | grep .
}

# Every "egress" line is an object with the documented keys and values.
audit_keys() {
	local bad n
	bad=$(jq -R -r 'try (fromjson | select(type == "object" and .event == "egress")
		| (["time", "event", "container", "src", "dst", "host", "hostFrom", "claimed", "pac",
		    "answer", "action", "upstream", "bytesOut", "bytesIn", "durationMs", "cached", "error"]
		   - keys) as $missing
		| if ($missing | length) > 0 then "lacks \($missing | join(", "))"
		  elif (["id", "name", "image"] - (.container | keys)) != [] then "container lacks id/name/image"
		  elif ([.action] | inside(["direct", "proxy", "socks5", "refuse", "error"]) | not) then "action \(.action)"
		  elif ([.hostFrom] | inside(["host", "sni", "ip"]) | not) then "hostFrom \(.hostFrom)"
		  elif (.bytesOut | type) != "number" or (.bytesIn | type) != "number" then "bytes not numbers"
		  else empty end)
		catch "not JSON: \(.)"' "$AUDIT" | sort | uniq -c)
	n=$(jq -c -R 'fromjson? | select(type == "object" and .event == "egress")' "$AUDIT" | wc -l)
	echo "$n egress lines"
	[ -z "$bad" ] || { echo "$bad"; return 1; }
	[ "$n" -gt 0 ]
}

# A connection from the outside to the proxy's port on the host side: the
# input chain drops it (a timeout, not an answer, not a reset).
port_closed_from_outside() {
	lab_out timeout -k 2 10 "$T/egress_client" -w 2 http "$LAB_HOST4" "$EGRESS_PORT" x >"$T/conn.out" 2>&1
	cat "$T/conn.out"
	grep -qx 'result=timeout' "$T/conn.out"
}

# The negative checks insist on the way it failed (a timeout, lost
# packets), so a container that is not there does not pass them.
udp_echo_fails() {
	lab_mark
	conn "$1" -w 2 udp "$2" "$LAB_UDP_PORT"
	grep -qx 'result=timeout' "$T/conn.out" || { echo "expected result=timeout"; return 1; }
	new_none udp
}
udp_echo_works() {
	conn "$1" -w 2 udp "$2" "$LAB_UDP_PORT"
	[ "$CONN_RC" = 0 ]
}
ping_out() {
	in_ctr "$1" timeout 5 busybox ping -c 1 -W 2 "$2" >"$T/ping.out" 2>&1
	cat "$T/ping.out"
}
ping_works() { ping_out "$@" && grep -q ' 1 packets received' "$T/ping.out"; }
ping_fails() { ping_out "$@"; grep -q ' 0 packets received' "$T/ping.out"; }
dns_out() {
	in_ctr "$1" timeout 8 busybox nslookup allowed.lab "$2" >"$T/dns.out" 2>&1
	cat "$T/dns.out"
}
dns_works() { dns_out "$@" && grep -q '10\.99\.0\.10' "$T/dns.out"; }
dns_fails() { dns_out "$@"; grep -q 'timed out\|no servers could be reached' "$T/dns.out"; }
exec_get() {
	dk exec "$1" egress_client http 10.99.0.10 80 allowed.lab >"$T/exec.out" 2>&1
	cat "$T/exec.out"
	grep -qF "lab-http name=allowed.lab port=80" "$T/exec.out"
}
ctr_to_ctr() {
	conn "$1" http "$2" 8000 x
	[ "$CONN_RC" = 0 ] && grep -q ctr-http "$T/conn.out"
}

# ------------------------------------------------------------------ policy

# The PAC the lab serves: allowed.lab and ok*.lab direct, proxied.lab via
# CONNECT, socksed.lab's address via SOCKS5, a hostile branch per *.lab
# name at 10.99.0.30, the rest refused.
good_pac() {
	cat <<'EOF'
function deep(n) { return deep(n + 1) + 1; }
function FindProxyForURL(url, host) {
	if (host == "allowed.lab" || shExpMatch(host, "ok*.lab"))
		return "DIRECT";
	if (host == "proxied.lab")
		return "PROXY 10.99.0.20:3128";
	if (host == "10.99.0.13")
		return "SOCKS5 10.99.0.21:1080";
	if (host == "loop.lab")
		while (true) {}
	if (host == "catch.lab")
		for (;;) { try { while (true) {} } catch (e) {} }
	if (host == "hog.lab") {
		var a = [];
		for (;;) a.push(new Array(100000).join("x") + a.length);
	}
	if (host == "deep.lab")
		return "DIRECT" + deep(0);
	if (host == "regex.lab") {
		/^(a+)+$/.test("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!");
		return "DIRECT";
	}
	if (host == "nonstring.lab")
		return 42;
	return "PROXY reject.docker.internal:1234";
}
EOF
}
pac_serve() { good_pac >"$LAB/pac/proxy.pac.tmp" && mv -f "$LAB/pac/proxy.pac.tmp" "$LAB/pac/proxy.pac"; }
pac_broken() { printf 'function FindProxyForURL(url, host) { return "DIRECT" +\n' >"$LAB/pac/proxy.pac"; }
pac_404() { rm -f "$LAB/pac/proxy.pac"; }

policy_json() {
	cat <<EOF
{
  "configurationFileVersion": 2,
  "containersProxy": {
    "locked": true,
    "mode": "manual",
    "http": "",
    "https": "",
    "exclude": [],
    "pac": "$LAB_PAC_URL",
    "transparentPorts": "*"
  },
  "dockward": {
    "egress": {
      "udp": "dns-only",
      "dnsServers": ["$LAB_DNS4", "$LAB_DNS6"],
      "pacGraceSeconds": 0,
      "pacRefreshSeconds": 10,
      "port": $EGRESS_PORT
    }
  }
}
EOF
}

# write_policy JQ_FILTER: the base policy changed by the filter.
write_policy() {
	policy_json | jq "$1" >"$SETTINGS.tmp" || return 1
	chmod 0644 "$SETTINGS.tmp"
	mv -f "$SETTINGS.tmp" "$SETTINGS"
}

# reload JQ_FILTER: write the policy, SIGHUP, wait for "policy reloaded"
# and for the PAC server to be asked again.
reload() {
	local before pac_before
	write_policy "$1" || return 1
	before=$(grep -c 'policy reloaded' "$T/dockward.log")
	pac_before=$(wc -l <"$LAB/log/pac.log")
	kill -HUP "$DOCKWARD_PID" || return 1
	wait_for 10 sh -c '[ "$(grep -c "policy reloaded" "$1")" -gt "$2" ]' _ "$T/dockward.log" "$before" ||
		{ echo "dockward did not log \"policy reloaded\""; tail -n 5 "$T/dockward.log"; return 1; }
	wait_for 10 sh -c '[ "$(wc -l <"$1")" -gt "$2" ]' _ "$LAB/log/pac.log" "$pac_before" ||
		{ echo "the PAC was not fetched again"; return 1; }
	sleep 0.3
}

# ------------------------------------------------------------------- setup

start_dockward() {
	rm -f "$PLUGIN_SOCK"
	lab_host_exec "$DOCKWARD" serve --settings "$SETTINGS" --plugin-socket "$PLUGIN_SOCK" \
		--engine-socket "$T/docker.sock" --state-dir "$T/state" \
		--gatekeeper-socket "$T/gk.sock" --metrics "$T/metrics.sock" \
		--audit-log "$AUDIT" ${EGRESS_DOCKWARD_ARGS:-} >>"$T/dockward.log" 2>&1 &
	DOCKWARD_PID=$!
	local deadline=$(($(date +%s) + 20))
	until curl -sS --max-time 2 --unix-socket "$PLUGIN_SOCK" -X POST http://plugin/Plugin.Activate \
	    2>/dev/null | grep -q authz; do
		alive "$DOCKWARD_PID" || { echo "dockward exited"; return 1; }
		[ "$(date +%s)" -ge "$deadline" ] && { echo "dockward did not answer"; return 1; }
		sleep 0.2
	done
}

start_dockerd() {
	lab_host_exec dockerd --data-root "$T/data" --exec-root "$T/exec" -H "unix://$T/docker.sock" \
		--pidfile "$T/docker.pid" --config-file "$T/daemon.json" --dns "$LAB_DNS4" \
		--containerd-namespace "$E2E_NAME" --containerd-plugins-namespace "$E2E_NAME-plugins" \
		--authorization-plugin="$E2E_NAME" >>"$T/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	e2e_wait_daemon dockerd "$DOCKERD_PID" "$T/dockerd.log" "$T/docker.sock" 60 \
		timeout 5 "$DOCKER" version || { echo "$E2E_WAIT_WHY"; return 1; }
}

stop_dockerd() {
	local id
	e2e_stop_pid "$DOCKERD_PID" 30
	DOCKERD_PID=
	PID_OF=()
}

# run_ctr NAME [OPTIONS...] -- CMD...: a detached container of the test image.
run_ctr() {
	local name=$1 opts=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	dk run -d --name "$name" "${opts[@]}" "$TEST_IMAGE" "$@" >/dev/null || return 1
	local p
	p=$(ctr_pid "$name") || return 1
	CTR_PIDS+=("$p")
	PID_OF[$name]=$p
}

setup() {
	local t0=$(date +%s) i
	[ "$(id -u)" = 0 ] || { echo "egress e2e: must run as root" >&2; return 1; }
	for i in dockerd ip nft nsenter python3 openssl cc curl jq "$DOCKER" /bin/busybox; do
		command -v "$i" >/dev/null || { echo "egress e2e: missing $i" >&2; return 1; }
	done
	[ -x "$DOCKWARD" ] || { echo "egress e2e: $DOCKWARD is not executable" >&2; return 1; }
	T=$(mktemp -d /tmp/dockward-egress.XXXXXXXX) || return 1
	chmod 0700 "$T"
	mkdir -p "$T/out" "$T/data" "$T/exec" "$T/docker-config" && mkdir -m 0700 "$T/state" "$T/policy"
	export DOCKER_HOST=unix://$T/docker.sock DOCKER_CONFIG=$T/docker-config
	ADMIN_SOCK=$T/docker.sock
	SETTINGS=$T/policy/admin-settings.json
	AUDIT=$T/audit.log
	exec 7>&1 8>&2
	trap '_e2e_interrupted INT 130' INT
	trap '_e2e_interrupted TERM 143' TERM
	trap 'e2e_teardown >&7 2>&8' EXIT
	e2e_log "work dir $T, namespaces $LAB_NS_H and $LAB_NS_O, plugin $E2E_NAME"
	lab_rootstate "$T/root-before"
	e2e_log "$(date +%T) the lab"

	lab_setup "$T/lab" >"$T/lab-setup.log" 2>&1 ||
		{ cat "$T/lab-setup.log"; _e2e_setup_fail "the lab"; return 1; }
	cc -static -O2 -o "$T/egress_client" "$here/egress_client.c" >"$T/cc.log" 2>&1 ||
		{ cat "$T/cc.log"; _e2e_setup_fail "building egress_client"; return 1; }
	# IPv6 on the default bridge, routed (the outside routes it back).
	echo '{"ipv6": true, "fixed-cidr-v6": "fd00:d0c::/64"}' >"$T/daemon.json"
	write_policy . || { _e2e_setup_fail "policy"; return 1; }
	mkdir -p "$PLUGIN_DIR"
	_e2e_dead_plugin_sockets
	e2e_log "$(date +%T) dockward and dockerd"
	start_dockward >"$T/start.log" 2>&1 || { cat "$T/start.log"; _e2e_setup_fail "dockward"; return 1; }
	start_dockerd >"$T/start.log" 2>&1 || { cat "$T/start.log"; _e2e_setup_fail "dockerd"; return 1; }
	e2e_log "$(date +%T) the image and the containers"
	e2e_make_rootfs "$T/rootfs" && cp "$T/egress_client" "$T/rootfs/bin/egress_client" &&
		tar -C "$T/rootfs" -c . | dk import -c 'CMD ["sh"]' - "$TEST_IMAGE" >"$T/images.log" 2>&1 ||
		{ cat "$T/images.log"; _e2e_setup_fail "test image"; return 1; }
	run_ctr c1 -- sleep 3600 && run_ctr srv -- egress_client serve 8000 ||
		{ _e2e_setup_fail "containers"; return 1; }
	E2E_SETUP_SECONDS=$(($(date +%s) - t0))
	E2E_DEADLINE=$(($(date +%s) + E2E_BUDGET))
	e2e_log "setup done in ${E2E_SETUP_SECONDS}s"
}

# ---------------------------------------------------------------- teardown

# What this run could leave in the root namespace if it leaked: its
# namespaces' links, the lab's and the containers' addresses, the bridges
# dockerd made, dockerd's and dockward's tables.
_root_ours() {
	echo "dwe|10\\.99\\.|fd99:|fd00:d0c|: (docker0|evil0)[:@]|table inet dockward|DOCKER"
}

e2e_teardown() {
	[ "$E2E_TORN_DOWN" = 1 ] && return 0
	E2E_TORN_DOWN=1
	trap - INT TERM EXIT
	[ -n "$T" ] || return 0
	local ids p left
	if alive "$DOCKERD_PID" && alive "$DOCKWARD_PID"; then
		ids=$(timeout 15 "$DOCKER" ps -aq 2>/dev/null)
		[ -n "$ids" ] && timeout 60 "$DOCKER" rm -f $ids >/dev/null 2>&1
	fi
	e2e_stop_pid "$DOCKERD_PID" 30
	e2e_stop_pid "$DOCKWARD_PID" 10
	# A sanitizer build reports to its log.
	if [ -f "$T/dockward.log" ]; then
		E2E_OUT=$T/out/sanitizer.txt
		grep -n -A15 -E 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:' \
			"$T/dockward.log" >"$E2E_OUT" 2>/dev/null
		if [ -s "$E2E_OUT" ]; then
			e2e_fail "dockward's log has no sanitizer reports"
		else
			e2e_pass "dockward's log has no sanitizer reports"
		fi
	fi
	# Containers whose dockerd could not remove them (ours: their pids).
	for p in "${CTR_PIDS[@]}"; do
		[ -d "/proc/$p" ] && kill -KILL "$p" 2>/dev/null
	done
	e2e_reap "$T/|-namespace $E2E_NAME( |\$)"
	lab_teardown
	rm -f "$PLUGIN_SOCK"
	E2E_OUT=$T/out/teardown.txt
	left=$(e2e_pids "$T/|-namespace $E2E_NAME( |\$)")
	{
		[ -z "$left" ] || echo "processes left: $left"
		ip netns list | grep -E "^($LAB_NS_H|$LAB_NS_O)( |\$)" && echo "namespaces left"
	} >"$E2E_OUT"
	if [ -s "$E2E_OUT" ]; then e2e_fail "teardown leaves no processes and no namespaces"
	else e2e_pass "teardown leaves no processes and no namespaces"; fi
	lab_rootstate "$T/root-after"
	E2E_OUT=$T/out/rootstate.txt
	diff "$T/root-before" "$T/root-after" >"$E2E_OUT"
	if [ -s "$E2E_OUT" ] && [ "${EGRESS_ROOT_STRICT:-1}" = 0 ]; then
		# Others share this machine: their changes are shown, ours fail.
		sed -e 's/^/# root namespace changed meanwhile (not by this run?): /' "$E2E_OUT" | head -n 20
		grep -E '^[<>]' "$E2E_OUT" | grep -E "$(_root_ours)" >"$E2E_OUT.ours"
		mv -f "$E2E_OUT.ours" "$E2E_OUT"
	fi
	if [ -s "$E2E_OUT" ]; then
		e2e_fail "the root network namespace is unchanged (links, routes, nft ruleset)"
	else
		e2e_pass "the root network namespace is unchanged (links, routes, nft ruleset)"
	fi
	if [ "$E2E_FAIL" -gt 0 ] || [ -n "${E2E_KEEP_LOGS:-}" ]; then
		local keep=${E2E_KEEP_LOGS:-${E2E_LOG_DIR:-/tmp}/$E2E_NAME-logs}
		mkdir -p "$keep"
		cp -a "$T"/*.log "$SETTINGS" "$T/out" "$T/lab/log" "$keep/" 2>/dev/null
		cp -a "$T/lab/services.log" "$keep/lab-services.log" 2>/dev/null
		e2e_log "logs kept in $keep"
	fi
	rm -rf "$T"
}

# ------------------------------------------------------------------- tests

start=$(date +%s)
if ! setup; then
	e2e_teardown
	e2e_summary
	exit 1
fi
t0=$(date +%s)

echo "# ---- the table and the proxy"
check "dockward applied table inet dockward in the host namespace" \
	wait_for 10 ip netns exec "$LAB_NS_H" nft list table inet dockward
check "the root namespace has no table inet dockward" \
	sh -c '! nft list table inet dockward'

echo "# ---- PAC 404 at start: every connection refused"
check "PAC 404 at start: the PAC server was asked and answered 404" \
	jq -e -s 'map(select(.status == 404)) | length > 0' "$LAB/log/pac.log"
check "PAC 404 at start: allowed.lab:80 refused, nothing reached outside" \
	refused c1 http 10.99.0.10 80 allowed.lab
check "PAC 404 at start: the refusal is audited (action refuse)" \
	audit_has '.action == "refuse" and .dst == "10.99.0.10:80" and (.error | length > 0)'

echo "# ---- PAC served, reload"
pac_serve
check "reload with the PAC served" reload .
check -r 5 "DIRECT by Host: docker exec of a GET to allowed.lab:80 answered by allowed.lab" \
	exec_get c1
check "DIRECT by Host: the outside saw Host allowed.lab on 10.99.0.10:80, no proxy" \
	direct c1 http 10.99.0.10 80 allowed.lab allowed.lab
check "DIRECT by SNI: TLS to allowed.lab:443, the outside saw SNI allowed.lab" \
	direct c1 tls 10.99.0.10 443 allowed.lab allowed.lab
check "refuse by Host: blocked.lab:80 reset, nothing reached outside" \
	refused c1 http 10.99.0.11 80 blocked.lab
check "refuse by SNI: blocked.lab:443 reset, nothing reached outside" \
	refused c1 tls 10.99.0.11 443 blocked.lab
check "spoofed Host: \"Host: allowed.lab\" sent to blocked.lab's address refused" \
	refused c1 http 10.99.0.11 80 allowed.lab
check "spoofed SNI: \"allowed.lab\" in a ClientHello to blocked.lab's address refused" \
	refused c1 tls 10.99.0.11 443 allowed.lab
check "PROXY: proxied.lab:80 goes through the CONNECT proxy" \
	via_connect c1 http 10.99.0.12 80 proxied.lab
check "PROXY: proxied.lab:443 (SNI) goes through the CONNECT proxy" \
	via_connect c1 tls 10.99.0.12 443 proxied.lab
check "SOCKS5: an IP-only port (10.99.0.13:8080) goes through the SOCKS5 proxy" \
	via_socks c1 http 10.99.0.13 8080 x
check "IP-only port to blocked.lab's address (10.99.0.11:8080) refused" \
	refused c1 http 10.99.0.11 8080 allowed.lab
check "IPv6: allowed.lab [fd99::10]:80 direct" \
	direct c1 http fd99::10 80 allowed.lab allowed.lab
check "IPv6: allowed.lab [fd99::10]:443 direct by SNI" \
	direct c1 tls fd99::10 443 allowed.lab allowed.lab
check "IPv6: blocked.lab [fd99::11]:80 refused" \
	refused c1 http fd99::11 80 blocked.lab
check "IPv6: proxied.lab [fd99::12]:80 goes through the CONNECT proxy" \
	via_connect c1 http fd99::12 80 proxied.lab
SRV_IP=$(ctr_ip srv)
check "container to container: c1 reaches srv ($SRV_IP:8000) directly" \
	ctr_to_ctr c1 "$SRV_IP"
check "container to container: no egress audit line for srv's address" no_audit_dst "$SRV_IP:"

echo "# ---- the proxy's port: only through the redirect"
check "the outside cannot reach the proxy's port on the host side (10.99.0.1:$EGRESS_PORT)" \
	port_closed_from_outside
check "a container dialling the host's proxy port (172.17.0.1:$EGRESS_PORT) gets no answer and no way out" \
	no_answer c1 -w 2 http 172.17.0.1 "$EGRESS_PORT" allowed.lab

echo "# ---- the engine API while containersProxy is set (judged by dockerd's answer)"
expect_deny -n "[egress.network] run --network host" egress.network \
	dk run --rm --network host "$TEST_IMAGE" true
expect_deny -n "[egress.networkDriver] network create -d macvlan" egress.networkDriver \
	dk network create -d macvlan egress-macvlan
expect_deny -n "[egress.dns] run --dns 8.8.8.8 (not an allowed resolver)" egress.dns \
	dk run --rm --dns 8.8.8.8 "$TEST_IMAGE" true

echo "# ---- UDP and ICMP: dns-only"
check "dns-only: DNS to the lab's resolver works" dns_works c1 "$LAB_DNS4"
check "dns-only: DNS over IPv6 to the lab's resolver works" dns_works c1 "$LAB_DNS6"
check "dns-only: UDP to another port is dropped (nothing reached outside)" udp_echo_fails c1 10.99.0.14
check "dns-only: ping is dropped" ping_fails c1 10.99.0.14

echo "# ---- hostile PACs: each refuses within ${HOSTILE_MS} ms, the next connection works"
for h in loop catch hog deep regex nonstring; do
	check "hostile PAC ($h.lab): refused in time, then a fresh name works" hostile "$h.lab"
done
e2e_log "refused after (in the container, with nsenter): $(tr '\n' ' ' <"$T/hostile.ms" 2>/dev/null)"

echo "# ---- the audit lines"
C1_IP=$(ctr_ip c1)
check "audit: DIRECT by Host: container (id, name, image), src, dst, host, hostFrom host, pac, action, bytes, no error" \
	audit_has '.action == "direct" and .host == "allowed.lab" and .hostFrom == "host"
		and .dst == "10.99.0.10:80" and (.src | startswith("'"$C1_IP"':"))
		and (.container.name | ltrimstr("/")) == "c1" and (.container.id | length) >= 12
		and .container.image == "'"$TEST_IMAGE"'"
		and .pac == "DIRECT" and .upstream == "10.99.0.10:80" and .bytesOut > 0 and .bytesIn > 0 and .error == ""'
check "audit: DIRECT by SNI: hostFrom sni, dst :443" \
	audit_has '.action == "direct" and .host == "allowed.lab" and .hostFrom == "sni" and .dst == "10.99.0.10:443"'
check "audit: PROXY: the PAC's answer and the upstream (10.99.0.20:3128)" \
	audit_has '.action == "proxy" and .host == "proxied.lab" and .pac == "PROXY 10.99.0.20:3128"
		and .upstream == "10.99.0.20:3128" and .bytesIn > 0'
check "audit: SOCKS5: decided on the address (hostFrom ip), upstream 10.99.0.21:1080" \
	audit_has '.action == "socks5" and .hostFrom == "ip" and .dst == "10.99.0.13:8080"
		and .upstream == "10.99.0.21:1080"'
check "audit: refuse by the PAC's reject answer: pac the PAC's own words, answer REFUSE" \
	audit_has '.action == "refuse" and .host == "blocked.lab" and .dst == "10.99.0.11:80"
		and .pac == "PROXY reject.docker.internal:1234" and .answer == "REFUSE"'
check "audit: the spoofed Host is decided on the address, the claimed name kept" \
	audit_has '.action == "refuse" and .dst == "10.99.0.11:80" and .hostFrom == "ip" and .claimed == "allowed.lab"'
check "audit: IPv6 destinations are written [addr]:port" \
	audit_has '.action == "direct" and .dst == "[fd99::10]:80"'
for h in loop catch hog deep regex nonstring; do
	check "audit: the hostile PAC's refusal ($h.lab) carries an error" \
		audit_has '.action == "refuse" and .dst == "10.99.0.30:80" and (.host == "'$h'.lab" or .claimed == "'$h'.lab")
			and (.error | length > 0)'
done
check "audit: every egress line has the documented keys" audit_keys

echo "# ---- transparentPorts 80,443: other ports are not policed"
check "reload with transparentPorts 80,443" reload '.containersProxy.transparentPorts = "80,443"'
check -r 5 "transparentPorts 80,443: blocked.lab's address on 8080 goes direct" \
	direct c1 http 10.99.0.11 8080 x blocked.lab
check "transparentPorts 80,443: blocked.lab:80 still refused" \
	refused c1 http 10.99.0.11 80 blocked.lab

echo "# ---- UDP and ICMP: allow"
check "reload with udp allow" reload '.dockward.egress.udp = "allow"'
check -r 5 "udp allow: ping works" ping_works c1 10.99.0.14
check "udp allow: UDP to another port works" udp_echo_works c1 10.99.0.14
check "udp allow: TCP is still policed (blocked.lab:80 refused)" \
	refused c1 http 10.99.0.11 80 blocked.lab

echo "# ---- UDP and ICMP: block"
check "reload with udp block" reload '.dockward.egress.udp = "block"'
check -r 5 "udp block: DNS to the lab's resolver is dropped too" dns_fails c1 "$LAB_DNS4"
check "udp block: ping is dropped" ping_fails c1 10.99.0.14

echo "# ---- the PAC broken on refresh, gone on reload (grace 0)"
pac_broken
check -r 25 "PAC broken at its periodic refresh (10 s): allowed.lab refused (the cached DIRECT is gone)" \
	refused c1 http 10.99.0.10 80 allowed.lab
check "the broken PAC is audited (egress.pac with an error)" \
	audit_has -e egress.pac '.error | length > 0'
pac_serve
check "reload with the PAC restored" reload .
check -r 5 "PAC restored: allowed.lab direct again" direct c1 http 10.99.0.10 80 allowed.lab allowed.lab
pac_404
check "reload with the PAC answering 404" reload .
check -r 5 "PAC 404 on reload: allowed.lab refused" refused c1 http 10.99.0.10 80 allowed.lab
check -r 5 "PAC 404 on reload: TLS to allowed.lab refused" refused c1 tls 10.99.0.10 443 allowed.lab
pac_serve
check "reload with the PAC restored" reload .
check -r 5 "PAC restored: allowed.lab direct again" direct c1 http 10.99.0.10 80 allowed.lab allowed.lab

echo "# ---- the proxy killed"
{ kill -KILL "$DOCKWARD_PID" && wait "$DOCKWARD_PID"; } 2>/dev/null
check "dockward killed: the table stays" ip netns exec "$LAB_NS_H" nft list table inet dockward
check "dockward killed: allowed.lab refused, not direct" refused c1 http 10.99.0.10 80 allowed.lab
check "dockward killed: blocked.lab refused" refused c1 http 10.99.0.11 80 blocked.lab
check "dockward killed: TLS to allowed.lab refused" refused c1 tls 10.99.0.10 443 allowed.lab
check "dockward restarted" start_dockward
check -r 10 "dockward restarted: allowed.lab direct again" direct c1 http 10.99.0.10 80 allowed.lab allowed.lab

echo "# ---- nft flush ruleset in the host namespace"
check "nft flush ruleset (host namespace)" ip netns exec "$LAB_NS_H" nft flush ruleset
check "the table is re-applied" wait_for 15 ip netns exec "$LAB_NS_H" nft list table inet dockward
check "the re-apply is audited (egress.table reapplied)" \
	audit_has -e egress.table '.action == "reapplied" and .table == "inet dockward"'
check -r 5 "after the flush: allowed.lab direct" direct c1 http 10.99.0.10 80 allowed.lab allowed.lab
check "after the flush: blocked.lab refused" refused c1 http 10.99.0.11 80 blocked.lab

echo "# ---- dockerd restarted; networks created afterwards"
stop_dockerd
check "dockerd restarted (its own rules back after the flush)" start_dockerd
check "containers started again" dk start c1 srv
CTR_PIDS+=("$(ctr_pid c1)" "$(ctr_pid srv)")
check -r 5 "after the dockerd restart: allowed.lab direct" direct c1 http 10.99.0.10 80 allowed.lab allowed.lab
check "after the dockerd restart: blocked.lab refused" refused c1 http 10.99.0.11 80 blocked.lab
check "a network with its bridge named evil0 (created after the restart)" \
	dk network create -o com.docker.network.bridge.name=evil0 evilnet
check "a container on evilnet" run_ctr c2 --network evilnet -- sleep 3600
check "the evil0 bridge exists" ip netns exec "$LAB_NS_H" ip link show evil0
check -r 5 "evil0: allowed.lab direct" direct c2 http 10.99.0.10 80 allowed.lab allowed.lab
check "evil0: blocked.lab refused" refused c2 http 10.99.0.11 80 blocked.lab
check "evil0: spoofed Host refused" refused c2 http 10.99.0.11 80 allowed.lab
check "evil0: the connection is audited for c2" \
	audit_has '.action == "direct" and (.container.name | ltrimstr("/")) == "c2"'
check "evil0: UDP to another port dropped (dns-only)" udp_echo_fails c2 10.99.0.14
check "evil0: ping dropped" ping_fails c2 10.99.0.14

e2e_log "checks took $(($(date +%s) - t0))s"
t0=$(date +%s)
e2e_teardown
e2e_log "teardown took $(($(date +%s) - t0))s; setup ${E2E_SETUP_SECONDS:-?}s; total $(($(date +%s) - start))s"
e2e_summary
