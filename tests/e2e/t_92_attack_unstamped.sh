# shellcheck shell=bash
# Full mode (E2E_MODE=full, `serve --require-gatekeeper`): dockerd asks the
# plugin about every request it reads, and the plugin allows only requests
# the gatekeeper decided and stamped.  A request that reaches dockerd any
# other way (smuggled inside another request, or sent to dockerd's own
# socket) is denied by rule request.unstamped, judged by effect: the
# container it asked for does not exist.  A stamp header forged by a
# client does not help.  Everyday docker use through the gatekeeper keeps
# working (streams, hijacked attach/exec, keep-alive, build, cp).

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0
if [ "$E2E_MODE" != full ]; then
	e2e_log "t_92 runs in E2E_MODE=full only"
	return 0
fi

export ENGINE_SOCK GK_SOCK ADMIN_SOCK
direct() { DOCKER_HOST=unix://$ENGINE_SOCK timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"; }
# present NAME: "present" or "absent", as the engine has it (asked as the admin).
present() {
	if DOCKER_HOST=unix://$ADMIN_SOCK timeout 30 "$DOCKER" ps -a --format '{{.Names}}' |
	    grep -qx "$1"; then echo present; else echo absent; fi
}
# raw SOCK: stdin's bytes to SOCK as they are; print the answer.
raw() { python3 "$here/raw_http.py" "$1"; }
fake=0123456789abcdef0123456789abcdef
body="{\"Image\":\"$TEST_IMAGE\",\"Cmd\":[\"true\"]}"

# --- straight to dockerd's socket: refused, and nothing is created
API_SOCK=$ENGINE_SOCK
expect_deny -n "[request.unstamped] create sent to dockerd's own socket" request.unstamped \
	api POST "/v1.41/containers/create?name=e2e-unstamped" "$body"
expect_out -n "the unstamped create made no container" absent present e2e-unstamped
expect_deny -n "[request.unstamped] a forged stamp sent to dockerd's own socket" request.unstamped \
	api POST "/v1.41/containers/create?name=e2e-forged" "$body" -H "X-Dockward-Stamp: $fake"
expect_deny -n "[request.unstamped] two stamp headers sent to dockerd's own socket" request.unstamped \
	api POST "/v1.41/containers/create?name=e2e-forged" "$body" \
	-H "X-Dockward-Stamp: $fake" -H "x-dockward-stamp: $fake"
expect_out -n "the forged creates made no container" absent present e2e-forged
expect_deny -n "[request.unstamped] even a ping on dockerd's own socket" request.unstamped \
	api GET /_ping
unset API_SOCK
expect_deny -n "[request.unstamped] docker run on dockerd's own socket" request.unstamped \
	direct run --name e2e-direct-run --rm "$TEST_IMAGE" true
expect_out -n "the direct docker run made no container" absent present e2e-direct-run
direct_version() { direct version 2>&1; true; }
expect_out -n "the denial says the request did not pass through the gatekeeper" \
	"without passing through dockward's gatekeeper" direct_version

# --- a stamp header sent through the gatekeeper is refused, in any spelling
API_SOCK=$GK_SOCK
expect_deny -n "[request.unstamped] gatekeeper: a client's own X-Dockward-Stamp" request.unstamped \
	api POST "/v1.41/containers/create?name=e2e-forged-gk" "$body" -H "X-Dockward-Stamp: $fake"
expect_deny -n "[request.unstamped] gatekeeper: the header in lower case" request.unstamped \
	api GET /_ping '' -H "x-dockward-stamp: $fake"
unset API_SOCK
raw_upper() {
	printf 'GET /_ping HTTP/1.1\r\nHost: d\r\nX-DOCKWARD-STAMP :%s\r\n\r\n' "$fake" | raw "$GK_SOCK"
}
# (whitespace before a colon is refused earlier, by the framing rule: Go's
# server would refuse such a head, so the stamp check never sees it)
expect_out -n "gatekeeper: the header in upper case with a space before the colon (refused as framing)" \
	"(request.framing)" raw_upper
expect_out -n "the forged create through the gatekeeper made no container" absent present e2e-forged-gk

# --- everyday use through the gatekeeper
expect_out -n "full: docker version" "Server:" dk version
expect_out -n "full: run --rm echo (create, attach, start, wait)" full-hello \
	dk run --rm "$TEST_IMAGE" echo full-hello
expect_ok -n "full: run -d" dk run -d --name e2e-full-c "$TEST_IMAGE" sh -c 'echo full-started; sleep 300'
expect_out -n "full: exec (hijacked with Upgrade: tcp)" full-exec dk exec e2e-full-c echo full-exec
expect_out -n "full: exec -i passes stdin and its end" full-stdin \
	sh -c 'echo full-stdin | timeout 30 "$DOCKER" exec -i e2e-full-c cat'
expect_out -n "full: attach shows the output" full-attached \
	sh -c 'timeout 30 "$DOCKER" run -d --name e2e-full-att "$1" sh -c "sleep 2; echo full-attached" >/dev/null &&
		timeout 30 "$DOCKER" attach e2e-full-att' _ "$TEST_IMAGE"
expect_out -n "full: logs" full-started dk logs e2e-full-c
mkdir -p "$T/fullctx"
printf 'FROM %s\nRUN echo full-built >/built\n' "$TEST_IMAGE" >"$T/fullctx/Dockerfile"
expect_ok -n "full: build (RUN step)" dk build -q -t e2e-full-built "$T/fullctx"
expect_out -n "full: run the built image" full-built dk run --rm e2e-full-built cat /built
echo full-cp-in >"$T/full-cp"
expect_ok -n "full: cp into a container" dk cp "$T/full-cp" e2e-full-c:/tmp/full-cp
expect_out -n "full: cp out of a container" full-cp-in \
	sh -c 'timeout 30 "$DOCKER" cp e2e-full-c:/tmp/full-cp - | tar -xO'
expect_out -n "full: keep-alive (two requests, one connection, each stamped)" "Re-using existing connection" \
	curl -sS -v --max-time 10 --unix-socket "$GK_SOCK" http://d/_ping http://d/version
expect_out -n "full: a socket-mounting container (dockward's own engine lookups are stamped)" CONTAINER \
	dk run --rm -v "$GK_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" docker ps
expect_deny -n "[container.privileged] full: the policy still applies" container.privileged \
	run_bb --privileged

# --- the audit log
expect_out -n "audit: the plugin's request.unstamped denials name the URI" e2e-unstamped \
	jq -r 'select(.rule == "request.unstamped" and .source == "plugin") | .uri' "$AUDIT"
expect_out -n "audit: dockward's own engine lookups were never refused" none \
	sh -c 'n=$(jq -r "select(.rule == \"request.unstamped\" and .method == \"GET\") | .uri" "$1" |
		grep -cE "^/v1.24/(containers|images|volumes|networks)/"); [ "$n" = 0 ] && echo none || echo "$n refused"' _ "$AUDIT"

dk rm -f e2e-full-c e2e-full-att >/dev/null 2>&1
dk rmi e2e-full-built >/dev/null 2>&1
true
