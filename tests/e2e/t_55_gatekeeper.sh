# shellcheck shell=bash
# The socket gatekeeper ($GK_SOCK): the same engine through a proxy that
# knows its caller.  Streams (attach, exec -it, logs -f, events, build,
# load, save) must come through byte for byte; containers that mount the
# gatekeeper get the command list, host users the dockward.users rules.
# Restores the suite's policy at the end.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

export GK_SOCK ENGINE_SOCK ADMIN_SOCK
gk() { DOCKER_HOST=unix://$GK_SOCK timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"; }

# in_sock CMD...: run the docker CLI inside the allowed image with the gatekeeper mounted.
in_sock() {
	dk run --rm -v "$GK_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" "$@"
}

# raw_http: send stdin's bytes to the gatekeeper as they are and print the answer.
export RAW_HTTP="python3 $here/raw_http.py $GK_SOCK"

# tty_run WORD CMD...: CMD (a docker CLI) on a terminal of its own through
# the gatekeeper; prints "WORD rc=N" when WORD reached the terminal, else
# what did arrive.  The commands linger a second after printing: dockerd can
# drop a pty's last output when the process exits at once (moby/moby#43121).
tty_run() {
	local word=$1 out
	shift
	out=$(DOCKER_HOST=unix://$GK_SOCK python3 "$here/pty_run.py" 30 "$@")
	case $out in
	*"$word"*) printf '%s %s\n' "$word" "${out##*$'\n'}" ;;
	*) printf '%s\n' "$out" | od -c | head -n 8 ;;
	esac
}

# --- host callers: the CLI works through the proxy
expect_out -n "gatekeeper: docker version" "Server:" gk version
expect_out -n "gatekeeper: run prints (create, attach, start, wait)" via-gatekeeper \
	gk run --rm "$TEST_IMAGE" echo via-gatekeeper
expect_out -n "gatekeeper: run -i passes stdin and its end (half-close)" hello-stdin \
	sh -c 'echo hello-stdin | DOCKER_HOST=unix://$GK_SOCK timeout 30 "$DOCKER" run -i --rm "$1" cat' _ "$TEST_IMAGE"
expect_out -n "gatekeeper: run -t under a terminal, exit status kept" "tty-ok rc=3" \
	tty_run tty-ok "$DOCKER" run -t --rm "$TEST_IMAGE" sh -c "printf tty-ok; sleep 1; exit 3"
expect_ok -n "gatekeeper: a long-running container" \
	gk run -d --name e2e-gk-c "$TEST_IMAGE" sh -c 'echo raw-attach-out; sleep 300'
expect_out -n "gatekeeper: exec -it under a terminal" "exec-tty rc=4" \
	tty_run exec-tty "$DOCKER" exec -it e2e-gk-c sh -c "printf exec-tty; sleep 1; exit 4"
expect_out -n "gatekeeper: exec without a terminal" exec-plain gk exec e2e-gk-c echo exec-plain
expect_out -n "gatekeeper: exec -i passes stdin" exec-stdin \
	sh -c 'echo exec-stdin | DOCKER_HOST=unix://$GK_SOCK timeout 30 "$DOCKER" exec -i e2e-gk-c cat'
expect_ok -n "gatekeeper: a container that logs over time" \
	gk run -d --name e2e-gk-logs "$TEST_IMAGE" sh -c 'for i in 1 2 3 4; do echo line$i; sleep 0.3; done'
expect_out -n "gatekeeper: logs -f follows to the end, same bytes as the engine" same \
	sh -c 'a=$(DOCKER_HOST=unix://$GK_SOCK timeout 30 "$DOCKER" logs -f e2e-gk-logs 2>&1) &&
		b=$(DOCKER_HOST=unix://$ADMIN_SOCK timeout 30 "$DOCKER" logs e2e-gk-logs 2>&1) &&
		echo "$a" | grep -q line4 && [ "$a" = "$b" ] && echo same'
expect_out -n "gatekeeper: attach shows the output" attached-out \
	sh -c 'DOCKER_HOST=unix://$GK_SOCK timeout 30 "$DOCKER" run -d --name e2e-gk-att "$1" sh -c "sleep 2; echo attached-out" >/dev/null &&
		DOCKER_HOST=unix://$GK_SOCK timeout 30 "$DOCKER" attach e2e-gk-att' _ "$TEST_IMAGE"
since=$(date +%s)
expect_ok -n "gatekeeper: make some events" gk run --rm "$TEST_IMAGE" true
expect_out -n "gatekeeper: events (a stream) match the engine's" same \
	sh -c 'u=$(($2 + 30)); sleep 1; u=$(date +%s);
		a=$(DOCKER_HOST=unix://$GK_SOCK timeout 30 "$DOCKER" events --since "$1" --until "$u") &&
		b=$(DOCKER_HOST=unix://$ADMIN_SOCK timeout 30 "$DOCKER" events --since "$1" --until "$u") &&
		[ -n "$a" ] && [ "$a" = "$b" ] && echo same' _ "$since" "$since"
expect_out -n "gatekeeper: save is byte-identical to the engine's" same \
	sh -c 'DOCKER_HOST=unix://$GK_SOCK timeout 60 "$DOCKER" save "$1" >"$2/gk-save.tar" &&
		DOCKER_HOST=unix://$ADMIN_SOCK timeout 60 "$DOCKER" save "$1" >"$2/direct-save.tar" &&
		[ -s "$2/gk-save.tar" ] && cmp "$2/gk-save.tar" "$2/direct-save.tar" && echo same' _ "$TEST_IMAGE" "$T"
expect_out -n "gatekeeper: load streams an archive in" "Loaded image" \
	gk load -i "$T/gk-save.tar"
mkdir -p "$T/gkctx"
printf 'FROM %s\nCOPY payload /payload\nRUN cat /payload >/built\n' "$TEST_IMAGE" >"$T/gkctx/Dockerfile"
head -c 3000000 /dev/urandom | od -An -tx1 | head -c 4000000 >"$T/gkctx/payload"
expect_ok -n "gatekeeper: build with a 4 MB context" gk build -q -t e2e-gk-built "$T/gkctx"
expect_out -n "gatekeeper: the built image has the context" same \
	sh -c 'DOCKER_HOST=unix://$GK_SOCK timeout 30 "$DOCKER" run --rm e2e-gk-built cat /built | cmp - "$1" && echo same' _ "$T/gkctx/payload"
expect_out -n "gatekeeper: cp out of a container" raw-attach \
	sh -c 'DOCKER_HOST=unix://$GK_SOCK timeout 30 "$DOCKER" exec e2e-gk-c sh -c "echo raw-attach >/tmp/f" &&
		DOCKER_HOST=unix://$GK_SOCK timeout 30 "$DOCKER" cp e2e-gk-c:/tmp/f - | tar -xO'

# --- raw HTTP through the proxy
API_SOCK=$GK_SOCK
expect_out -n "gatekeeper: HEAD /_ping" "HTTP 200" api HEAD /_ping
expect_out -n "gatekeeper: attach hijacked without Upgrade (200 + raw stream)" raw-attach-out \
	sh -c 'curl -sS --max-time 3 --unix-socket "$GK_SOCK" -X POST -o - \
		"http://d/v1.41/containers/e2e-gk-c/attach?stream=1&stdout=1&logs=1"; true'
expect_out -n "gatekeeper: keep-alive (two requests, one connection)" "Re-using existing connection" \
	curl -sS -v --max-time 10 --unix-socket "$GK_SOCK" http://d/_ping http://d/version
expect_deny -n "[container.privileged] gatekeeper: chunked create body is read whole" container.privileged \
	api POST /v1.41/containers/create "{\"Image\":\"$TEST_IMAGE\",\"HostConfig\":{\"Privileged\":true}}" \
	-H "Transfer-Encoding: chunked"
expect_out -n "gatekeeper: Expect: 100-continue gets its go-ahead at once" "HTTP 201" \
	api POST "/v1.41/containers/create?name=e2e-gk-expect" "{\"Image\":\"$TEST_IMAGE\"}" \
	-H "Expect: 100-continue" --expect100-timeout 30 --max-time 10
expect_out -n "gatekeeper: a clean chunked create is allowed" "HTTP 201" \
	api POST "/v1.41/containers/create?name=e2e-gk-chunked" "{\"Image\":\"$TEST_IMAGE\"}" \
	-H "Transfer-Encoding: chunked"
expect_out -n "gatekeeper: a pipelined second request is decided too" "(container.privileged)" \
	sh -c 'b="{\"Image\":\"$1\",\"HostConfig\":{\"Privileged\":true}}"
		printf "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\nPOST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" "${#b}" "$b" |
		$RAW_HTTP' _ "$TEST_IMAGE"
expect_out -n "gatekeeper: a bare-LF head is refused (request.framing)" "(request.framing)" \
	sh -c 'printf "GET /_ping HTTP/1.1\nHost: d\n\n" | $RAW_HTTP'
expect_out -n "gatekeeper: two Transfer-Encodings are refused (request.framing)" "(request.framing)" \
	sh -c 'printf "POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" | $RAW_HTTP'
expect_out -n "gatekeeper: Content-Length with chunked is refused" "HTTP/1.1 400" \
	sh -c 'printf "POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" | $RAW_HTTP'
expect_out -n "gatekeeper: a head that never ends is cut off (slowloris)" "closed after" \
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
t0 = time.time()
s.sendall(b"GET /_ping HTTP/1.1\r\nHost")
s.settimeout(20)
for i in range(12):
    time.sleep(1)
    try:
        s.sendall(b"x")
    except OSError:
        break
try:
    while s.recv(4096):
        pass
except OSError:
    pass
t = time.time() - t0
print("closed after %.0f s" % t if t < 11 else "still open after %.0f s" % t)
' "$GK_SOCK"
# A second gatekeeper with a cap of 2 connections: the third is refused, not queued.
"$DOCKWARD" serve --settings "$SETTINGS" --plugin-socket none --engine-socket "$ADMIN_SOCK" \
	--state-dir "$T/state-cap" --audit-log "$T/audit-cap.log" --gatekeeper-socket "$T/gk-cap.sock" \
	--gatekeeper-max-connections 2 >"$T/dockward-cap.log" 2>&1 &
cap_pid=$!
expect_ok -n "gatekeeper with --gatekeeper-max-connections 2 starts" wait_for 10 test -S "$T/gk-cap.sock"
expect_out -n "gatekeeper: the connection over the cap gets 503, the others are served" "200 200 503" \
	python3 -c '
import socket, sys, time
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(sys.argv[1])
    return s
def ask(s):
    s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
    return s.recv(65536).split(b" ")[1].decode()
a, b = conn(), conn()
codes = [ask(a), ask(b)]
time.sleep(0.3)
c = conn()
try:
    codes.append(ask(c))
except OSError as e:
    codes.append("error %s" % e)
print(" ".join(codes))
' "$T/gk-cap.sock"
kill "$cap_pid" 2>/dev/null; wait "$cap_pid" 2>/dev/null

mkdir -p "$T/bkctx" && echo buildkit-ok >"$T/bkctx/f"
printf 'FROM scratch\nCOPY f /f\n' >"$T/bkctx/Dockerfile"
# Under ECI BuildKit is refused (build.buildkit, t_98); allowed, its h2c streams pass.
expect_ok -n "policy: allowBuildKit" e2e_reload_policy '.dockward.allowBuildKit = true'
expect_ok -n "gatekeeper: BuildKit build (/session and /grpc upgraded to h2c)" \
	env DOCKER_BUILDKIT=1 DOCKER_HOST="unix://$GK_SOCK" timeout 60 "$DOCKER" build -q -t e2e-gk-bk "$T/bkctx"
expect_ok -n "policy restored" e2e_reload_policy '.'
unset API_SOCK

# --- containers that mount the gatekeeper
expect_out -n "gatekeeper: an allowed image may use the socket" CONTAINER \
	in_sock docker ps
expect_deny -n "[mount.dockerSocket] gatekeeper socket for an unlisted image" mount.dockerSocket \
	run_bb -v "$GK_SOCK:/var/run/docker.sock"
expect_ok -n "policy: commandList deny [push, build, image*]" \
	e2e_reload_policy '.enhancedContainerIsolation.dockerSocketMount.commandList = {"type": "deny", "commands": ["push", "build", "image*"]}'
expect_deny -n "[socket.commandList] container: docker images is blocked" socket.commandList \
	in_sock docker images
expect_out -n "container: the block names the command and the fix" 'docker command "/v1.41/images/json' \
	sh -c 'docker_run() { timeout 60 "$DOCKER" run --rm -v "$GK_SOCK:/var/run/docker.sock" "$1" docker images; }; docker_run "$1" 2>&1; true' _ "$ALLOWED_IMAGE"
expect_deny -n "[socket.commandList] container: docker build is blocked" socket.commandList \
	in_sock sh -c 'mkdir /c && echo "FROM scratch" >/c/Dockerfile && DOCKER_BUILDKIT=0 docker build /c'
expect_out -n "container: docker ps is still allowed" CONTAINER in_sock docker ps
expect_out -n "host: docker images through the gatekeeper is allowed" REPOSITORY gk images
expect_ok -n "policy: commandList allow [ps, container*]" \
	e2e_reload_policy '.enhancedContainerIsolation.dockerSocketMount.commandList = {"type": "allow", "commands": ["ps", "container*"]}'
expect_out -n "container (allow list): docker ps" CONTAINER in_sock docker ps
expect_out -n "container (allow list): docker container inspect" e2e-gk-c \
	in_sock docker container inspect -f '{{.Name}}' e2e-gk-c
expect_deny -n "[socket.commandList] container (allow list): docker volume ls" socket.commandList \
	in_sock docker volume ls
expect_deny -n "[socket.commandList] container (allow list): docker info" socket.commandList \
	in_sock docker info
# The holder keeps calling the API by itself (docker ps every half second,
# the last answer in a host file): once its image leaves the list, exec into
# it is refused too (container.existing's socket rule), so it must not need one.
mkdir -p "$T/work/holder"
expect_ok -n "a socket holder with the allowed image" \
	dk run -d --name e2e-gk-holder -v "$GK_SOCK:/var/run/docker.sock" -v "$T/work/holder:/out" \
	"$ALLOWED_IMAGE" sh -c 'while :; do docker ps >/out/ps.tmp 2>&1; mv /out/ps.tmp /out/ps.log; sleep 0.5; done'
expect_out -n "holder: docker ps" CONTAINER dk exec e2e-gk-holder docker ps
expect_ok -n "policy: the holder's image leaves the image list" \
	e2e_reload_policy '.enhancedContainerIsolation.dockerSocketMount.imageList.images = ["docker.io/library/nothing:1"]'
E2E_RETRY=15 expect_deny -n "[socket.imageList] holder: its image is no longer allowed" socket.imageList \
	sh -c 'cat "$1"; ! grep -qF "(socket.imageList)" "$1"' _ "$T/work/holder/ps.log"
expect_deny -n "[mount.dockerSocket] holder: no exec into it either" mount.dockerSocket \
	dk exec e2e-gk-holder docker ps

# --- host users (dockward.users)
if getent group docker >/dev/null && command -v setpriv >/dev/null; then
	dgid=$(getent group docker | cut -d: -f3)
	mkdir -p "$T/nobody-config" && chmod 0755 "$T/nobody-config"
	chmod 0711 "$T"
	as_nobody() {
		setpriv --reuid=65534 --regid=65534 --groups="$dgid" env HOME=/ \
			DOCKER_CONFIG="$T/nobody-config" DOCKER_HOST="unix://$GK_SOCK" \
			timeout 30 "$DOCKER" "$@"
	}
	expect_ok -n "policy: users.commandList deny [volume*], docker group may connect" \
		e2e_reload_policy '.dockward.users = {"allowGroups": ["docker"], "commandList": {"type": "deny", "commands": ["volume*"]}}'
	expect_out -n "host user in group docker: docker ps" CONTAINER as_nobody ps
	expect_deny -n "[users.commandList] host user: docker volume ls" users.commandList as_nobody volume ls
	expect_ok -n "root is exempt: docker volume ls" gk volume ls
	expect_ok -n "policy: users.allowUsers [root] only" \
		e2e_reload_policy '.dockward.users = {"allowUsers": ["root"]}'
	expect_deny -n "[users.connect] host user not allowed to connect" users.connect as_nobody ps
	chmod 0700 "$T"
else
	e2e_log "no docker group or setpriv: host-user checks skipped"
fi

# --- the audit log knows the caller
expect_out -n "audit: the BuildKit build went through the gatekeeper's /session" allow \
	jq -r 'select(.source == "gatekeeper" and (.uri | test("/session"))) | .decision' "$AUDIT"
expect_out -n "audit: gatekeeper records name the calling container" e2e-gk-holder \
	jq -r 'select(.source == "gatekeeper" and .caller.kind == "container") | .caller.name' "$AUDIT"

expect_ok -n "policy: back to the suite's" e2e_reload_policy '.'
dk rm -f e2e-gk-c e2e-gk-logs e2e-gk-att e2e-gk-chunked e2e-gk-expect e2e-gk-holder >/dev/null 2>&1
dk rmi e2e-gk-built e2e-gk-bk >/dev/null 2>&1
true
