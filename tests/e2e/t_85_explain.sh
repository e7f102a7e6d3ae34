# shellcheck shell=bash
# dockward explain, offline, against what the running dockward decides for
# the same docker command: same verdict, and for a denial the same rule.
# explain reads the suite's policy and the state directory's registry
# cache (written by the running dockward), never the network; it asks the
# suite's dockerd, named with --engine-socket, for volumes, containers,
# networks and images.

# explain_vs_real NAME DOCKER-ARGS...: compare `dockward explain` with the real command.
explain_vs_real() {
	local name=$1 xrc=0 rrc=0 xrule rrule id
	shift
	E2E_NCHECK=$((E2E_NCHECK + 1))
	E2E_OUT=$T/out/$E2E_NCHECK.txt
	id=$(dk image inspect -f '{{.Id}}' "$ALLOWED_IMAGE" 2>/dev/null)
	timeout -k 5 30 "$DOCKWARD" explain --settings "$SETTINGS" --state-dir "$T/state" \
		--engine-socket "$ENGINE_SOCK" --engine-socket "$GK_SOCK" \
		--image-digest "$ALLOWED_IMAGE=$id" -- docker "$@" >"$E2E_OUT.x" 2>&1 || xrc=$?
	dk "$@" >"$E2E_OUT" 2>&1 || rrc=$?
	xrule=$(sed -n 's/^rule: //p' "$E2E_OUT.x" | head -n 1)
	rrule=$(sed -n 's/.*dockward: [^(]*(\([A-Za-z]*\.[A-Za-z]*\)).*/\1/p' "$E2E_OUT" | head -n 1)
	cat "$E2E_OUT.x" >>"$E2E_OUT"
	if [ "$xrc" -gt 1 ]; then
		e2e_fail "[explain] $name" "explain exit status $xrc"
	elif [ "$xrc" -eq 0 ] && [ "$rrc" -eq 0 ]; then
		e2e_pass "[explain] $name: both allow"
	elif [ "$xrc" -eq 1 ] && [ -n "$rrule" ] && [ "$xrule" = "$rrule" ]; then
		e2e_pass "[explain] $name: both deny ($rrule)"
	else
		e2e_fail "[explain] $name" "explain: exit $xrc rule '${xrule}'; real: exit $rrc rule '${rrule}'"
	fi
}

explain_vs_real "plain run" run --rm "$TEST_IMAGE" true
explain_vs_real "privileged" run --rm --privileged "$TEST_IMAGE" true
explain_vs_real "cap-add SYS_ADMIN" run --rm --cap-add SYS_ADMIN "$TEST_IMAGE" true
explain_vs_real "protected bind" run --rm -v /etc:/host-etc:ro "$TEST_IMAGE" true
explain_vs_real "socket, unlisted image" run --rm -v "$ENGINE_SOCK:/var/run/docker.sock" \
	"$TEST_IMAGE" true
explain_vs_real "socket, listed image" run --rm --mount \
	"type=bind,src=$ENGINE_SOCK,dst=/var/run/docker.sock" "$ALLOWED_IMAGE" true
explain_vs_real "host network" run --rm --network host "$TEST_IMAGE" true

# --- dockerd's facts with --engine-socket: an existing volume bound with
# o=bind and a --pid container:X are decided from dockerd's answers, as the
# running dockward decides them; offline (no --engine-socket, or one that
# does not answer) the same requests can only be engine.lookup denials.
mkdir -p -m 0755 "$T/explain-xvol"
dk rm -f dw-e2e-xside >/dev/null 2>&1
dk volume rm -f dw-e2e-xvol >/dev/null 2>&1
expect_ok -n "[explain] a local volume bound with o=bind to a plain directory" \
	dk volume create -d local -o type=none -o o=bind -o device="$T/explain-xvol" dw-e2e-xvol
expect_ok -n "[explain] a container whose namespaces others join" \
	dk run -d --name dw-e2e-xside "$TEST_IMAGE" sleep 120
explain_vs_real "volume o=bind, dockerd asked" run --rm -v dw-e2e-xvol:/data "$TEST_IMAGE" true
explain_vs_real "--pid container:X, dockerd asked" run --rm --pid container:dw-e2e-xside \
	"$TEST_IMAGE" true
explain_vs_real "--network container:X, dockerd asked" run --rm --network container:dw-e2e-xside \
	"$TEST_IMAGE" true
# xfact RC PATTERN EXPLAIN-ARGS...: explain exits RC and prints PATTERN (a fixed string).
xfact() {
	local want=$1 pat=$2 rc=0
	shift 2
	timeout -k 5 30 "$DOCKWARD" explain --settings "$SETTINGS" --state-dir "$T/state" "$@" \
		>"$T/explain-xvol.out" 2>&1 || rc=$?
	cat "$T/explain-xvol.out"
	[ "$rc" -eq "$want" ] || { echo "exit status $rc, expected $want"; return 1; }
	grep -qF -- "$pat" "$T/explain-xvol.out" || { echo "no \"$pat\""; return 1; }
}
# (E2E_MODE=full: dockerd's own socket refuses unstamped calls; the gatekeeper answers.)
expect_ok -n "[explain] the volume's facts came from dockerd at --engine-socket" \
	xfact 0 "answered GET /volumes/dw-e2e-xvol" \
	--engine-socket "$ENGINE_SOCK" --engine-socket "$GK_SOCK" \
	-- docker run --rm -v dw-e2e-xvol:/data "$TEST_IMAGE" true
expect_ok -n "[explain] without --engine-socket the volume is unknown: engine.lookup" \
	xfact 1 "rule: engine.lookup" -- docker run --rm -v dw-e2e-xvol:/data "$TEST_IMAGE" true
expect_ok -n "[explain] an --engine-socket that does not answer: engine.lookup, and why" \
	xfact 1 "no --engine-socket answered (engine at $T/no-engine.sock unreachable" \
	--engine-socket "$T/no-engine.sock" -- docker run --rm --pid container:dw-e2e-xside \
	"$TEST_IMAGE" true
dk rm -f dw-e2e-xside >/dev/null 2>&1
dk volume rm -f dw-e2e-xvol >/dev/null 2>&1
rm -rf "$T/explain-xvol" "$T/explain-xvol.out"

# No network: explain must not open any inet socket (strace when available).
if command -v strace >/dev/null 2>&1; then
	expect_ok -n "[explain] no network I/O (strace)" sh -c '
		timeout -k 5 30 strace -f -qq -e trace=connect -o "$1" "$2" explain \
			--settings "$3" --state-dir "$4" -- docker run --rm "$5" true >/dev/null
		[ $? -le 1 ] && ! grep -q connect "$1"' _ "$T/out/explain.strace" "$DOCKWARD" \
		"$SETTINGS" "$T/state" "$TEST_IMAGE"
fi

# --- explain --egress: a container's connection under containersProxy.  The
# suite's dockerd has no bridge (--bridge=none), so the container checks use
# a --network none container and --from-ip; the proxy itself is tested in the
# network-namespace lab.
mkdir -p -m 0700 "$T/egress-explain"
jq '.containersProxy = {"mode": "manual", "http": "", "https": "",
	"exclude": ["localhost", "192.0.2.0/24"], "transparentPorts": "80,443"} |
	.dockward.egress = {"dnsServers": ["192.0.2.53"]}' "$SETTINGS" >"$T/egress-explain/p.json"
chmod 0644 "$T/egress-explain/p.json"
# xeg RC PATTERN ARGS...: explain --egress exits RC and prints PATTERN (a fixed string).
xeg() {
	local want=$1 pat=$2 rc=0
	shift 2
	timeout -k 5 30 "$DOCKWARD" explain --settings "$T/egress-explain/p.json" \
		--engine-socket "$ENGINE_SOCK" --engine-socket "$GK_SOCK" "$@" >"$T/egress-explain/out" 2>&1 || rc=$?
	cat "$T/egress-explain/out"
	[ "$rc" -eq "$want" ] || { echo "exit status $rc, expected $want"; return 1; }
	grep -qF -- "$pat" "$T/egress-explain/out" || { echo "no \"$pat\""; return 1; }
}
expect_ok -n "[explain --egress] an excluded name that resolves to the destination goes direct" \
	xeg 0 "rule: direct: localhost is in containersProxy.exclude" \
	--egress https://localhost --from-ip 172.17.0.2
expect_ok -n "[explain --egress] the same name to another address is decided on the address: refused" \
	xeg 1 "name: localhost (sni, does not resolve to the destination" \
	--egress https://localhost --to-ip 198.51.100.7 --from-ip 172.17.0.2
expect_ok -n "[explain --egress] an excluded CIDR goes direct" \
	xeg 0 "decision: direct" --egress tcp://192.0.2.9:443 --from-ip 172.17.0.2
expect_ok -n "[explain --egress] a port outside transparentPorts goes direct" \
	xeg 0 "subject: no" --egress 198.51.100.7:22 --from-ip 172.17.0.2
expect_ok -n "[explain --egress] --json" \
	xeg 1 '"decision":"refuse"' --json --egress http://198.51.100.7/ --from-ip 172.17.0.2
dk rm -f dw-e2e-egress-none >/dev/null 2>&1
if dk run -d --name dw-e2e-egress-none --network none "$TEST_IMAGE" sleep 120 >/dev/null 2>&1; then
	expect_ok -n "[explain --egress] --from a container without a network: exit 2, said why" \
		xeg 2 "the container has no network" --egress https://localhost --from dw-e2e-egress-none
	dk rm -f dw-e2e-egress-none >/dev/null 2>&1
fi
expect_ok -n "[explain --egress] --from a container that does not exist: exit 2" \
	xeg 2 "no such container" --egress https://localhost --from dw-e2e-no-such-container
rm -rf "$T/egress-explain"
