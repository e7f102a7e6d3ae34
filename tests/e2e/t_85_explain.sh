# shellcheck shell=bash
# dockward explain, offline, against what the running dockward decides for
# the same docker command: same verdict, and for a denial the same rule.
# explain reads the suite's policy and the state directory's registry
# cache (written by the running dockward), never dockerd or the network.

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

# No network: explain must not open any inet socket (strace when available).
if command -v strace >/dev/null 2>&1; then
	expect_ok -n "[explain] no network I/O (strace)" sh -c '
		timeout -k 5 30 strace -f -qq -e trace=connect -o "$1" "$2" explain \
			--settings "$3" --state-dir "$4" -- docker run --rm "$5" true >/dev/null
		[ $? -le 1 ] && ! grep -q connect "$1"' _ "$T/out/explain.strace" "$DOCKWARD" \
		"$SETTINGS" "$T/state" "$TEST_IMAGE"
fi
