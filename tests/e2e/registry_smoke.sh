#!/usr/bin/env bash
# registry_smoke.sh: registry_client against a real registry.  Run as root
# from anywhere in the checkout after `make`:
#
#     tests/e2e/registry_smoke.sh
#
# Starts docker-registry on a free 127.0.0.1 port and a private dockerd,
# imports a busybox image, pushes it, and checks with tests/e2e/registry_probe
# (built here) that registry_client_resolve / registry_client_head_digest report the
# digests dockerd itself reports (config digest = image Id, manifest digest =
# RepoDigest), that a missing tag is -ENOENT and that a registry that is down
# fails fast and clearly.  A small fake registry (python3, 127.0.0.1 only)
# then checks Bearer token auth with credentials from a config.json, token
# caching, Basic auth, an OCI index with an attestation, a lying
# Docker-Content-Digest, retries after 503 and the size limit.
#
# Self-contained: everything lives in one temp dir, every process started
# here is stopped, nothing but 127.0.0.1 is contacted.
# Environment: DOCKER (default /usr/bin/docker), KEEP=1 keeps the temp dir,
# PROBE_WRAP runs the probe under a wrapper ("valgrind -q --error-exitcode=9").
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
DOCKER=${DOCKER:-/usr/bin/docker}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PASS=0
FAIL=0
T=
REG_PID=
FAKE_PID=
DOCKERD_PID=
NS=dockward-regsmoke-$$

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

log() { printf '# %s\n' "$*"; }
pass() { PASS=$((PASS + 1)); printf 'ok - %s\n' "$1"; }
fail() {
	FAIL=$((FAIL + 1))
	printf 'not ok - %s\n' "$1"
	[ $# -gt 1 ] && printf '#   %s\n' "${@:2}"
	return 0
}
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# stop_pid PID SECONDS: TERM, wait, then KILL.
stop_pid() {
	local pid=$1 i
	alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 $(($2 * 5))); do
		alive "$pid" || break
		sleep 0.2
	done
	alive "$pid" && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# Processes of this run: their command lines name our temp dir or namespace.
our_pids() {
	pgrep -f -- "$T/|-namespace $NS( |\$)" 2>/dev/null | grep -vx -e "$$" -e "${BASHPID:-$$}"
}

cleanup() {
	local pid m i
	trap - EXIT INT TERM
	[ -n "$T" ] || return 0
	stop_pid "$FAKE_PID" 5
	stop_pid "$REG_PID" 10
	stop_pid "$DOCKERD_PID" 30
	for i in 1 2 3; do
		pid=$(our_pids)
		[ -z "$pid" ] && break
		for p in $pid; do kill -TERM "$p" 2>/dev/null; done
		sleep 1
	done
	for p in $(our_pids); do kill -KILL "$p" 2>/dev/null; done
	for m in $(awk -v t="$T" '$5 == t || index($5, t "/") == 1 { print $5 }' \
	    /proc/self/mountinfo | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	if [ -n "${KEEP:-}" ]; then
		log "kept $T"
	else
		rm -rf "$T"
	fi
}

finish() {
	cleanup
	echo "registry_smoke: $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit $?
}

die() {
	fail "setup: $1"
	for f in registry.log dockerd.log fake.log build.log push.log; do
		[ -s "$T/$f" ] && { log "---- $f"; tail -n 15 "$T/$f" | sed 's/^/#   /'; }
	done
	finish
}

free_port() {
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

wait_for() {
	local deadline=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}

dk() { timeout -k 5 60 "$DOCKER" -H "unix://$T/d.sock" "$@"; }

# probe ARGS...: run the probe; output in $OUT, status in $RC.
probe() {
	OUT=$(timeout -k 5 60 ${PROBE_WRAP:-} "$T/registry_probe" "$@" 2>&1)
	RC=$?
	if printf '%s\n' "$OUT" | grep -q '^==[0-9]*=='; then
		fail "probe $* runs clean under $PROBE_WRAP" "$OUT"
	fi
}

# field NAME: the first "NAME value" line of $OUT.
field() { printf '%s\n' "$OUT" | awk -v k="$1" '$1 == k { print $2; exit }'; }

# Build the probe: link the configured tree's libdockward.a when it is newer
# than the sources it needs, else compile those sources directly.
build_probe() {
	local lib= l s stale cflags libs
	cflags=$(pkg-config --cflags jansson libcurl 2>/dev/null)
	libs=$(pkg-config --libs jansson libcurl 2>/dev/null || echo "-ljansson -lcurl")
	for l in "$top/libdockward.a" "$top/build/libdockward.a"; do
		[ -f "$l" ] || continue
		ar t "$l" 2>/dev/null | grep -qx 'registry_client.o' || continue
		stale=
		for s in "$top"/registry/*.[ch] "$top"/digest/digest_sha256.c \
		    "$top"/digest/digest_ref.c "$top"/digest/digest_manifest.c \
		    "$top"/digest/digest_facts.c "$top"/common/*.[ch]; do
			[ "$s" -nt "$l" ] && stale=1
		done
		[ -z "$stale" ] && { lib=$l; break; }
	done
	if [ -n "$lib" ]; then
		log "probe linked with $lib"
		cc -std=c11 -D_GNU_SOURCE -Wall -I"$top" -I"$(dirname "$lib")" $cflags \
		    -o "$T/registry_probe" "$top/tests/e2e/registry_probe.c" "$lib" \
		    $libs -lpthread >"$T/build.log" 2>&1 && return 0
		log "linking $lib failed; compiling the sources"
	fi
	cc -std=c11 -D_GNU_SOURCE -Wall -I"$top" $cflags -o "$T/registry_probe" \
	    "$top/tests/e2e/registry_probe.c" "$top"/registry/registry_*.c \
	    "$top/digest/digest_sha256.c" "$top/digest/digest_ref.c" \
	    "$top/digest/digest_manifest.c" "$top/digest/digest_facts.c" \
	    "$top/common/dw_err.c" "$top/common/dw_strv.c" "$top/common/dw_esc.c" \
	    "$top/common/dw_buf.c" "$top/common/dw_file.c" \
	    $libs -lpthread >>"$T/build.log" 2>&1
}

# ------------------------------------------------------------------ setup

[ "$(id -u)" = 0 ] || { echo "registry_smoke: must run as root" >&2; exit 1; }
for c in docker-registry dockerd "$DOCKER" /bin/busybox cc curl "$PY"; do
	command -v "$c" >/dev/null || { echo "registry_smoke: missing $c" >&2; exit 1; }
done
T=$(mktemp -d /tmp/dockward-regsmoke.XXXXXXXX) || exit 1
chmod 0700 "$T"
trap 'finish' EXIT
trap 'FAIL=$((FAIL + 1)); finish' INT TERM
mkdir -p "$T/registry" "$T/data" "$T/exec" "$T/rootfs/bin" "$T/docker-config"
export DOCKER_CONFIG=$T/docker-config

build_probe || die "cannot build the probe: $(tail -n 5 "$T/build.log")"

PORT=$(free_port) || die "no free port"
REG=127.0.0.1:$PORT
cat >"$T/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $T/registry
http:
  addr: $REG
EOF
docker-registry serve "$T/registry.yml" >"$T/registry.log" 2>&1 &
REG_PID=$!
wait_for 20 curl -fsS --max-time 2 "http://$REG/v2/" || die "registry did not answer on $REG"

echo '{}' >"$T/daemon.json"
dockerd --data-root "$T/data" --exec-root "$T/exec" -H "unix://$T/d.sock" \
	--pidfile "$T/d.pid" --config-file "$T/daemon.json" --iptables=false --bridge=none \
	--containerd-namespace "$NS" --containerd-plugins-namespace "$NS-plugins" \
	>"$T/dockerd.log" 2>&1 &
DOCKERD_PID=$!
wait_for 60 dk version || die "dockerd did not answer"

cp /bin/busybox "$T/rootfs/bin/busybox"
for a in sh ls cat echo true; do ln -s busybox "$T/rootfs/bin/$a"; done
IMG=$REG/smoke/bb:1
{ tar -C "$T/rootfs" -c . | dk import -c 'CMD ["sh"]' - "$IMG" && dk push "$IMG"; } \
	>"$T/push.log" 2>&1 || die "import and push of $IMG"
ID=$(dk image inspect -f '{{.Id}}' "$IMG")
REPODIGEST=$(dk image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$IMG" |
	grep -m1 "^$REG/smoke/bb@")
MDIGEST=${REPODIGEST#*@}
log "registry $REG, image Id $ID, RepoDigest $REPODIGEST"
case $ID in sha256:*) ;; *) die "no image Id";; esac
case $MDIGEST in sha256:*) ;; *) die "no RepoDigest";; esac

# ---------------------------------------------------- the real registry

probe "$IMG"
if [ $RC -eq 0 ] && [ "$(field config)" = "$ID" ]; then
	pass "resolve $IMG: config digest is the image Id ($ID)"
else
	fail "resolve $IMG: config digest is the image Id" "rc=$RC" "$OUT"
fi
if [ $RC -eq 0 ] && [ "$(field digest)" = "$MDIGEST" ] && [ "$(field manifest)" = "$MDIGEST" ] &&
    [ "$(field is_index)" = 0 ]; then
	pass "resolve $IMG: manifest digest is the RepoDigest's ($MDIGEST)"
else
	fail "resolve $IMG: manifest digest is the RepoDigest's" "$OUT"
fi

probe --head "$IMG"
if [ $RC -eq 0 ] && [ "$(field digest)" = "$MDIGEST" ]; then
	pass "HEAD $IMG: Docker-Content-Digest is the RepoDigest's"
else
	fail "HEAD $IMG: Docker-Content-Digest is the RepoDigest's" "rc=$RC" "$OUT"
fi

probe "$REG/smoke/bb@$MDIGEST"
if [ $RC -eq 0 ] && [ "$(field config)" = "$ID" ]; then
	pass "resolve by digest: same config digest"
else
	fail "resolve by digest: same config digest" "rc=$RC" "$OUT"
fi

probe "localhost:$PORT/smoke/bb:1"
if [ $RC -eq 0 ] && [ "$(field config)" = "$ID" ]; then
	pass "resolve via localhost:$PORT (loopback by name, plain http)"
else
	fail "resolve via localhost:$PORT" "rc=$RC" "$OUT"
fi

probe "$REG/smoke/bb:nosuchtag"
if [ $RC -ne 0 ] && printf '%s' "$OUT" | grep -q '^error ENOENT (-2): registry '; then
	pass "missing tag is -ENOENT ($OUT)"
else
	fail "missing tag is -ENOENT" "rc=$RC" "$OUT"
fi

probe --head "$REG/smoke/nosuchrepo:1"
if [ $RC -ne 0 ] && printf '%s' "$OUT" | grep -q '^error ENOENT'; then
	pass "HEAD of a missing repository is -ENOENT"
else
	fail "HEAD of a missing repository is -ENOENT" "rc=$RC" "$OUT"
fi

WRONG=sha256:0000000000000000000000000000000000000000000000000000000000000000
probe "$REG/smoke/bb@$WRONG"
if [ $RC -ne 0 ] && printf '%s' "$OUT" | grep -q '^error ENOENT'; then
	pass "unknown digest is -ENOENT"
else
	fail "unknown digest is -ENOENT" "rc=$RC" "$OUT"
fi

# Registry down: stop it, the same reference must fail fast and say why.
stop_pid "$REG_PID" 10
REG_PID=
t0=$(date +%s%N)
probe --timeout-ms 3000 "$IMG"
ms=$((($(date +%s%N) - t0) / 1000000))
if [ $RC -ne 0 ] && [ $ms -lt 5000 ] &&
    printf '%s' "$OUT" | grep -q "^error ECONNREFUSED (-111): registry $REG: cannot connect"; then
	pass "registry down: clear error in ${ms} ms ($OUT)"
else
	fail "registry down: clear error within the timeout" "rc=$RC after ${ms} ms" "$OUT"
fi

# A registry that accepts the connection but never answers: -ETIMEDOUT.
SILENT_PORT=$(free_port) || die "no free port"
"$PY" - "$SILENT_PORT" "$T/silent.ready" >"$T/silent.log" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
open(sys.argv[2], "w").close()
conns = []
end = time.time() + 30
while time.time() < end:
    s.settimeout(0.5)
    try:
        conns.append(s.accept()[0])
    except socket.timeout:
        pass
EOF
SILENT_PID=$!
wait_for 10 test -e "$T/silent.ready" || die "silent server did not start"
t0=$(date +%s%N)
probe --timeout-ms 1000 "127.0.0.1:$SILENT_PORT/smoke/bb:1"
ms=$((($(date +%s%N) - t0) / 1000000))
stop_pid "$SILENT_PID" 5
if [ $RC -ne 0 ] && [ $ms -lt 4000 ] && printf '%s' "$OUT" | grep -q '^error ETIMEDOUT'; then
	pass "registry that never answers: -ETIMEDOUT in ${ms} ms"
else
	fail "registry that never answers: -ETIMEDOUT within the timeout" "rc=$RC after ${ms} ms" "$OUT"
fi

# ---------------------------------------------------- the fake registry
# It serves the manifest the real registry served (saved before it stopped
# would be simpler, but the manifest is also in the registry's storage).

MANIFEST=$T/registry/docker/registry/v2/blobs/sha256/${MDIGEST:7:2}/${MDIGEST:7}/data
[ -f "$MANIFEST" ] || die "manifest blob not found in the registry storage"
FPORT=$(free_port) || die "no free port"
FREG=127.0.0.1:$FPORT
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$FREG" "$(printf 'alice:s3cret' | base64)" \
	>"$T/config.json"
printf '{"credsStore":"desktop","auths":{"%s":{}}}\n' "$FREG" >"$T/config-store.json"
"$PY" - "$FPORT" "$MANIFEST" "$T/fake.ready" >"$T/fake.log" 2>&1 <<'EOF' &
import base64, hashlib, http.server, json, sys, threading

port, manifest_path, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3]
manifest = open(manifest_path, "rb").read()
mdig = "sha256:" + hashlib.sha256(manifest).hexdigest()
DMT = "application/vnd.docker.distribution.manifest.v2+json"
IMT = "application/vnd.oci.image.index.v1+json"
index = json.dumps({"schemaVersion": 2, "mediaType": IMT, "manifests": [
    {"mediaType": DMT, "digest": mdig, "size": len(manifest),
     "platform": {"architecture": "amd64", "os": "linux"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json",
     "digest": "sha256:" + "1" * 64, "size": 100,
     "annotations": {"vnd.docker.reference.type": "attestation-manifest",
                     "vnd.docker.reference.digest": mdig},
     "platform": {"architecture": "unknown", "os": "unknown"}}]}).encode()
idig = "sha256:" + hashlib.sha256(index).hexdigest()
BASIC = "Basic " + base64.b64encode(b"alice:s3cret").decode()
lock = threading.Lock()
stats = {"tokens": 0, "retry": 0}
tokens = set()

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, self.path))

    def send(self, code, body=b"", ctype="application/json", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def manifest(self, repo, ref, lie=False):
        if repo == "index" and ref in ("1", idig):
            body, ct, dig = index, IMT, idig
        elif ref in ("1", mdig):
            body, ct, dig = manifest, DMT, mdig
        else:
            return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
        if lie:
            dig = "sha256:" + "2" * 64
        self.send(200, body, ct, [("Docker-Content-Digest", dig)])

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        parts = self.path.split("?")[0].split("/")
        auth = self.headers.get("Authorization", "")
        if self.path.startswith("/token"):
            if auth != BASIC:
                return self.send(401, b'{"details":"bad credentials"}')
            with lock:
                stats["tokens"] += 1
                tok = "tok-%d" % stats["tokens"]
                tokens.add(tok)
            return self.send(200, json.dumps({"token": tok, "expires_in": 300}).encode())
        if self.path == "/stats":
            return self.send(200, json.dumps(stats).encode())
        # /v2/<ns>/bb/manifests/<ref>
        if len(parts) != 6 or parts[1] != "v2" or parts[4] != "manifests":
            return self.send(404)
        ns, ref = parts[2], parts[5]
        if ns in ("bearer", "index"):
            if not (auth.startswith("Bearer ") and auth[7:] in tokens):
                ch = ('Bearer realm="http://127.0.0.1:%d/token",service="fake",'
                      'scope="repository:%s/bb:pull"' % (port, ns))
                return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                                 headers=[("WWW-Authenticate", ch)])
        elif ns == "basic":
            if auth != BASIC:
                return self.send(401, headers=[("WWW-Authenticate", 'Basic realm="fake"')])
        elif ns == "retry":
            with lock:
                stats["retry"] += 1
                n = stats["retry"]
            if n == 1:
                return self.send(503, headers=[("Retry-After", "1")])
        elif ns == "big":
            return self.send(200, b" " * (5 * 1024 * 1024), DMT)
        return self.manifest(ns, ref, lie=(ns == "lie"))

srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
open(ready, "w").close()
srv.serve_forever()
EOF
FAKE_PID=$!
wait_for 10 test -e "$T/fake.ready" || die "fake registry did not start"

probe --config "$T/config.json" --repeat 3 "$FREG/bearer/bb:1"
ntok=$(curl -fsS --max-time 5 "http://$FREG/stats" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["tokens"])')
if [ $RC -eq 0 ] && [ "$(field config)" = "$ID" ] && [ "$ntok" = 1 ]; then
	pass "Bearer: token fetched with config.json credentials, cached across 3 resolves"
else
	fail "Bearer: token fetched with config.json credentials, cached" "rc=$RC tokens=$ntok" "$OUT"
fi

probe "$FREG/bearer/bb:1"
if [ $RC -ne 0 ] && printf '%s' "$OUT" | grep -q '^error EACCES.*refused an anonymous token'; then
	pass "Bearer without credentials: -EACCES"
else
	fail "Bearer without credentials: -EACCES" "rc=$RC" "$OUT"
fi

probe --config "$T/config-store.json" "$FREG/bearer/bb:1"
if [ $RC -ne 0 ] && printf '%s' "$OUT" | grep -q '^error EACCES.*credsStore.*not supported'; then
	pass "credsStore: -EACCES and the error says credential helpers are not supported"
else
	fail "credsStore: error says credential helpers are not supported" "rc=$RC" "$OUT"
fi
if printf '%s' "$OUT" | grep -q 's3cret\|YWxpY2U'; then
	fail "errors never carry credentials" "$OUT"
fi

probe --config "$T/config.json" "$FREG/basic/bb:1"
if [ $RC -eq 0 ] && [ "$(field config)" = "$ID" ]; then
	pass "Basic: retried with config.json credentials"
else
	fail "Basic: retried with config.json credentials" "rc=$RC" "$OUT"
fi

probe --config "$T/config.json" "$FREG/index/bb:1"
if [ $RC -eq 0 ] && [ "$(field is_index)" = 1 ] && [ "$(field manifest)" = "$MDIGEST" ] &&
    [ "$(field config)" = "$ID" ] && [ "$(printf '%s\n' "$OUT" | grep -c '^manifest ')" = 1 ]; then
	pass "OCI index: platform manifest and config, attestation skipped"
else
	fail "OCI index: platform manifest and config, attestation skipped" "rc=$RC" "$OUT"
fi

probe "$FREG/lie/bb:1"
if [ $RC -ne 0 ] && printf '%s' "$OUT" | grep -q "^error EPROTO.*sha256:2222.*$MDIGEST"; then
	pass "lying Docker-Content-Digest: -EPROTO naming both digests"
else
	fail "lying Docker-Content-Digest: -EPROTO naming both digests" "rc=$RC" "$OUT"
fi

probe "$FREG/retry/bb:1"
if [ $RC -eq 0 ] && [ "$(field config)" = "$ID" ]; then
	pass "503 with Retry-After: retried once, then served"
else
	fail "503 with Retry-After: retried" "rc=$RC" "$OUT"
fi

probe "$FREG/big/bb:1"
if [ $RC -ne 0 ] && printf '%s' "$OUT" | grep -q '^error E2BIG'; then
	pass "a manifest over 4 MiB is -E2BIG"
else
	fail "a manifest over 4 MiB is -E2BIG" "rc=$RC" "$OUT"
fi

finish
