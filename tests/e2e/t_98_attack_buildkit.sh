# shellcheck shell=bash
# Attack: BuildKit (issue 12, root cause 7).  POST /grpc and POST /session
# were never examined: a Solve with the network.host entitlement ran a RUN
# step in the host's network namespace, and under registryAccess pulled
# from a refused registry.  Under ECI (and with registry or image access)
# BuildKit (/grpc, /session, /build?version=2) is refused with the way
# out; classic builds keep working.
# Judged by effect: no image is built by a refused build.

eng() { DOCKER_HOST=unix://$ENGINE_SOCK timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"; }
img_absent() { ! eng image inspect "$1" >/dev/null 2>&1; }

B=$T/bk
mkdir -p "$B"
printf 'FROM %s\nRUN echo built >/built\n' "$TEST_IMAGE" >"$B/Dockerfile"

# no_bk_denial PATH: an h2c upgrade on PATH gets no build.buildkit refusal
# (dockerd then holds the upgraded stream; curl gives up after 5s).
no_bk_denial() {
	local out
	out=$(curl -sS --max-time 5 --path-as-is --unix-socket "$FRONT_SOCK" -X POST \
		-H 'Connection: Upgrade' -H 'Upgrade: h2c' "http://localhost$1" 2>&1)
	echo "$out"
	! printf '%s' "$out" | grep -qF '(build.buildkit)'
}

# --- the raw endpoints, as a BuildKit client calls them (h2c upgrade)
expect_deny -n "[build.buildkit] POST /session (upgrade h2c)" build.buildkit \
	api POST /v1.41/session '' -H 'Connection: Upgrade' -H 'Upgrade: h2c' \
	-H 'X-Docker-Expose-Session-Uuid: e2e-session' -H 'X-Docker-Expose-Session-Name: e2e'
expect_deny -n "[build.buildkit] POST /session without a version" build.buildkit \
	api POST /session '' -H 'Connection: Upgrade' -H 'Upgrade: h2c'
expect_deny -n "[build.buildkit] POST /grpc (upgrade h2c)" build.buildkit \
	api POST /v1.41/grpc '' -H 'Connection: Upgrade' -H 'Upgrade: h2c'
expect_deny -n "[build.buildkit] POST /grpc without a version" build.buildkit \
	api POST /grpc '' -H 'Connection: Upgrade' -H 'Upgrade: h2c'
expect_deny -n "[build.buildkit] POST /build?version=2 with host networking" build.buildkit \
	api POST '/v1.41/build?version=2&networkmode=host&t=e2e-bk-raw&remote=client-session&session=e2e' ''
expect_ok -n "effect: no image e2e-bk-raw" img_absent e2e-bk-raw
expect_deny -n "[request.uri] version given twice" request.uri \
	api POST '/v1.41/build?version=1&version=2&t=e2e-bk-twice' '' -H 'Content-Type: application/x-tar'

# --- the CLI with BuildKit on.  Its session is refused first, and the CLI
# reports a refused upgrade only as "unable to upgrade to h2c, received
# 403" (it drops the message), so the reason is checked in the audit log.
# It must fail at once (a hang would be the CLI's lost-close race).
bk_cli() {
	env DOCKER_BUILDKIT=1 timeout -k 5 20 "$DOCKER" build "$@" "$B"
}
# Session refusals in the audit log so far.
bk_sessions() { jq -c 'select((.uri | test("^(/v[0-9.]+)?/session")) and .rule == "build.buildkit")' "$AUDIT" | wc -l; }
sessions_before=$(bk_sessions)
audit_bk() { [ "$(bk_sessions)" -gt "$sessions_before" ]; }
expect_fail -n "DOCKER_BUILDKIT=1 docker build fails" bk_cli -t e2e-bk-cli
bk_out=${E2E_OUT:-/dev/null}
expect_ok -n "  ... at once, refused by dockward (received 403), not timed out" \
	grep -q "received 403\|(build.buildkit)" "$bk_out"
expect_ok -n "  ... and the audit log says build.buildkit" audit_bk
expect_ok -n "effect: no image e2e-bk-cli" img_absent e2e-bk-cli
expect_fail -n "DOCKER_BUILDKIT=1 docker build --network host fails" bk_cli --network host -t e2e-bk-host
expect_ok -n "effect: no image e2e-bk-host" img_absent e2e-bk-host

# --- the way out: the classic builder still builds
expect_ok -n "DOCKER_BUILDKIT=0 docker build (classic)" \
	env DOCKER_BUILDKIT=0 timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" build -q -t e2e-classic "$B"
expect_out -n "effect: the classic build made the image" built \
	eng run --rm e2e-classic cat /built
expect_deny -n "[container.namespace] classic build --network host is still refused" container.namespace \
	env DOCKER_BUILDKIT=0 timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" build --network host -t e2e-classic-host "$B"
expect_ok -n "effect: no image e2e-classic-host" img_absent e2e-classic-host
expect_ok -n "remove e2e-classic" eng rmi e2e-classic

# --- an admin may allow BuildKit: dockward then lets the endpoints through
expect_ok -n "policy: allowBuildKit" e2e_reload_policy '.dockward.allowBuildKit = true'
expect_ok -n "allowBuildKit: POST /session reaches dockerd (no dockward denial)" \
	no_bk_denial /v1.41/session
expect_ok -n "allowBuildKit: POST /grpc reaches dockerd (no dockward denial)" \
	no_bk_denial /v1.41/grpc
expect_ok -n "allowBuildKit: POST /build?version=2 is not refused by dockward" \
	no_bk_denial '/v1.41/build?version=2&t=e2e-bk-allowed'
expect_ok -n "policy restored" e2e_reload_policy '.'

# --- with ECI off but registry access set, BuildKit is still refused
expect_ok -n "policy: ECI off, registryAccess set" \
	e2e_reload_policy ".enhancedContainerIsolation.value = false | .dockward.registryAccess = {\"allowed\": [\"$REGISTRY\"]}"
expect_deny -n "[build.buildkit] POST /grpc under registryAccess" build.buildkit \
	api POST /v1.41/grpc '' -H 'Connection: Upgrade' -H 'Upgrade: h2c'
expect_ok -n "policy restored" e2e_reload_policy '.'
