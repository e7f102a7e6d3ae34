# shellcheck shell=bash
# Request smuggling at the gatekeeper (issue 12, root cause 1a): raw byte
# streams whose framing dockerd's Go net/http could read otherwise than the
# gatekeeper (HTTP/1.0 with Transfer-Encoding, TE with Content-Length,
# folded or bare-LF heads, chunk extensions and trailers, two
# Content-Lengths, header names libhttp-parser reads by prefix or as
# Connection).  Each hides a request the policy forbids (a container
# binding /etc, a tag); each must be refused with (request.framing), and
# judged by effect on dockerd's own socket: the hidden container and tag
# must not exist.  Ordinary keep-alive, pipelined and chunked requests
# must still work.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

export GK_SOCK ENGINE_SOCK TEST_IMAGE
engine() { DOCKER_HOST=unix://$ENGINE_SOCK timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"; }

# smuggle.py SOCKET NAME: send the named attack stream, print the answer.
cat >"$T/smuggle.py" <<'PY'
import socket, sys
sock, name, image = sys.argv[1], sys.argv[2], sys.argv[3]
body = ('{"Image":"%s","Cmd":["true"],"HostConfig":{"Binds":["/etc:/x"]}}' % image).encode()
create = (b"POST /v1.41/containers/create?name=e2e-smuggled-" + name.encode() +
          b" HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: " +
          str(len(body)).encode() + b"\r\n\r\n" + body)
tag = (b"POST /v1.41/images/" + image.encode() + b"/tag?repo=e2e-smuggled&tag=" +
       name.encode() + b" HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n")
hidden = create + tag
def chunk(b):
    return b"%x\r\n" % len(b) + b + b"\r\n"
ping10 = b"GET /_ping HTTP/1.0\r\nConnection: keep-alive\r\n"
streams = {
    # The attack of issue 12: Go ignores TE on HTTP/1.0 and reads no body.
    "te10": ping10 + b"Transfer-Encoding: chunked\r\n\r\n" + chunk(hidden) + b"0\r\n\r\n",
    "te10raw": ping10 + b"Transfer-Encoding: chunked\r\n\r\n" + hidden + b"0\r\n\r\n",
    "te10cl": ping10 + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden,
    "tecl": b"POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\nContent-Length: 5\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden,
    "fold": b"POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\nContent-Length: 5\r\n"
            b"Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n" + hidden,
    "barelf": b"GET /_ping HTTP/1.1\r\nHost: d\r\nX-A: 1\n\n" + hidden,
    "twocl": b"POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n"
             b"Content-Length: " + str(len(hidden)).encode() + b"\r\n\r\n" + hidden,
    "emptycl": b"POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\nContent-Length: \r\n\r\n" + hidden,
    "emptychunk": b"POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"\r\n\r\n" + hidden + b"0\r\n\r\n",
    "trailer": b"POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"0\r\nX-T: 1\r\n\r\n" + hidden,
    "chunkext": b"POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"0 x\r\n\r\n" + hidden,
    "http12": b"GET /_ping HTTP/1.2\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(hidden) +
              b"0\r\n\r\n",
    # Heads libhttp-parser reads otherwise than Go: the gatekeeper's fast
    # way for bodiless heads leaves them to the parser and the head check.
    "prefixte": b"GET /_ping HTTP/1.1\r\nHost: d\r\nTransfer-EncodingX: chunked\r\n\r\n" +
                chunk(hidden) + b"0\r\n\r\n",
    "proxyconn": b"GET /_ping HTTP/1.1\r\nHost: d\r\nProxy-Connection: close\r\n\r\n" + hidden,
    # A bodiless head read the fast way, a create after it: decided on its own.
    "bodiless": b"GET /_ping HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n" + create,
}
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sock)
try:
    s.sendall(streams[name])
except OSError:
    pass
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except (socket.timeout, OSError):
    pass
sys.stdout.write(out.decode("utf-8", "replace"))
PY

# smuggled NAME: the hidden container and tag of stream NAME, as dockerd has them.
smuggled() {
	engine ps -a --filter "name=e2e-smuggled-$1" --format '{{.Names}}'
	engine images --format '{{.Repository}}:{{.Tag}}' | grep -x "e2e-smuggled:$1"
	return 0
}

for s in te10 te10raw te10cl tecl fold barelf twocl emptycl emptychunk trailer chunkext http12 \
    prefixte proxyconn; do
	expect_out -n "[request.framing] smuggling stream $s is refused" "(request.framing)" \
		python3 "$T/smuggle.py" "$GK_SOCK" "$s" "$TEST_IMAGE"
	# By effect: dockerd never saw the hidden requests.
	expect_ok -n "smuggling stream $s: no hidden container or tag on dockerd" \
		sh -c 'test -z "$("$@")"' _ smuggled "$s"
done
# The create after a bodiless GET is not hidden: the gatekeeper decides it
# (its bind of /etc is refused), and dockerd never creates it.
expect_out -n "smuggling: a create pipelined after a bodiless GET is decided and refused" \
	"denied" python3 "$T/smuggle.py" "$GK_SOCK" bodiless "$TEST_IMAGE"
expect_ok -n "smuggling stream bodiless: no container on dockerd" \
	sh -c 'test -z "$("$@")"' _ smuggled bodiless
# A stream cut in the middle of a chunked JSON body sends nothing on.
expect_ok -n "smuggling: nothing named e2e-smuggled-* exists at all" \
	sh -c 'test -z "$(DOCKER_HOST=unix://$ENGINE_SOCK "$DOCKER" ps -aq --filter name=e2e-smuggled)"'

# Ordinary framings still work through the gatekeeper.
cat >"$T/pipeline.py" <<'PY'
import re, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"
          b"GET /v1.41/version HTTP/1.1\r\nHost: d\r\n\r\n"
          b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
          b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
          b"GET /_ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
          b"GET /_ping HTTP/1.0\r\n\r\n")
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    pass
print(len(re.findall(rb"HTTP/1\.[01] [0-9]{3} ", out)), "answers,",
      len(re.findall(rb"HTTP/1\.[01] 200 ", out)), "ok")
PY
# Five answers on one connection (the create without an Image gets
# dockerd's or the policy's error; the four others 200).
expect_out -n "gatekeeper: pipelined GETs, a chunked POST, HTTP/1.0 keep-alive all answered" \
	"5 answers, 4 ok" python3 "$T/pipeline.py" "$GK_SOCK"
expect_out -n "gatekeeper: curl keep-alive (two requests, one connection)" \
	"Re-using existing connection" \
	curl -sS -v --max-time 10 --unix-socket "$GK_SOCK" http://d/_ping http://d/version
expect_out -n "gatekeeper: curl chunked create is allowed" '"Id"' \
	curl -sS --max-time 20 --unix-socket "$GK_SOCK" -H "Transfer-Encoding: chunked" \
	-H "Content-Type: application/json" -d "{\"Image\":\"$TEST_IMAGE\"}" \
	"http://d/v1.41/containers/create?name=e2e-framing-chunked"
expect_ok -n "gatekeeper: that chunked create really exists" \
	e2e_inspect e2e-framing-chunked '{{.Name}}'
expect_ok -n "gatekeeper: docker CLI through it" \
	sh -c 'DOCKER_HOST=unix://$GK_SOCK timeout 30 "$DOCKER" ps -a >/dev/null'
expect_ok -n "cleanup: remove the chunked container" engine rm -f e2e-framing-chunked
