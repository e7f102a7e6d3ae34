# shellcheck shell=bash
# The gatekeeper's connections are shared fairly: one host user holding a
# thousand idle keep-alive connections (1100: over the global cap, which
# once left root a 503) gets its per-caller cap
# (--gatekeeper-max-connections-per-caller, 128 by default) and clear 503s
# for the rest, while root (a reserve of slots, no per-caller cap) still
# gets its answers at once.  A connection that sends nothing is closed
# after the head timeout (5 s here).

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0
if ! getent group docker >/dev/null || ! command -v setpriv >/dev/null; then
	e2e_log "no docker group or setpriv: connection-limit checks skipped"
	return 0
fi
dgid=$(getent group docker | cut -d: -f3)
# A python that uid 65534 may run (not one under root's home).
py=/usr/bin/python3
[ -x "$py" ] || py=python3
chmod 0711 "$T"

# hold.py SOCK N SECONDS: open N connections, ask /_ping on each (the
# answer is read, the connection kept: idle keep-alive), count the
# answers, hold them SECONDS, and print "held A refused B" plus one 503 text.
cat >"$T/hold.py" <<'PY'
import socket, sys, time, json
path, n, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
held, refused, other, msg = [], 0, 0, ""
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect(path)
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
        a = s.recv(65536)
    except OSError as e:
        other += 1
        s.close()
        continue
    if a.startswith(b"HTTP/1.1 503"):
        refused += 1
        if not msg:
            body = a.split(b"\r\n\r\n", 1)[1]
            try:
                msg = json.loads(body)["message"]
            except Exception:
                msg = body.decode("utf-8", "replace")
        s.close()
    elif a.startswith(b"HTTP/1.1 "):
        held.append(s)
    else:
        other += 1
        s.close()
print("held %d refused %d other %d" % (len(held), refused, other), flush=True)
print("503: %s" % msg, flush=True)
print("ready", flush=True)
time.sleep(secs)
PY
chmod 0644 "$T/hold.py"
# rootping N: N root pings through the gatekeeper, each on a new connection;
# prints "ok N/N median MS ms max MS ms".
cat >"$T/rootping.py" <<'PY'
import socket, sys, time
path, n = sys.argv[1], int(sys.argv[2])
ok, times = 0, []
for i in range(n):
    t0 = time.time()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect(path)
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
        a = s.recv(65536)
        if a.startswith(b"HTTP/1.1 200"):
            ok += 1
    except OSError:
        pass
    s.close()
    times.append((time.time() - t0) * 1000)
times.sort()
print("ok %d/%d median %.1f ms max %.1f ms" % (ok, n, times[len(times) // 2], times[-1]))
PY
expect_out -n "root's pings, nothing held (the baseline)" "ok 50/50" \
	python3 "$T/rootping.py" "$GK_SOCK" 50
e2e_log "root's ping latency with nothing held: $(cat "$E2E_OUT" 2>/dev/null)"
setpriv --reuid=65534 --regid=65534 --groups="$dgid" \
	"$py" "$T/hold.py" "$GK_SOCK" 1100 60 >"$T/hold.out" 2>&1 &
hold_pid=$!
expect_ok -n "a host user (uid 65534) opens 1100 connections to the gatekeeper (more than the global cap of 1024)" \
	wait_for 60 grep -qx ready "$T/hold.out"
expect_out -n "it holds its per-caller cap (128), the rest are refused" "held 128 refused 972 other 0" \
	cat "$T/hold.out"
expect_out -n "the refusal names the caller, its count and the option" \
	"from this caller (uid 65534 holds 128, the most one caller may)" cat "$T/hold.out"
expect_out -n "root's pings still get through while they are held" "ok 50/50" \
	python3 "$T/rootping.py" "$GK_SOCK" 50
e2e_log "root's ping latency with 128 connections held and 972 refused: $(cat "$E2E_OUT" 2>/dev/null)"
expect_out -n "root's docker version works while they are held" "Server:" \
	env DOCKER_HOST="unix://$GK_SOCK" timeout 30 "$DOCKER" version
kill "$hold_pid" 2>/dev/null; wait "$hold_pid" 2>/dev/null
expect_out -n "once released, the same user connects again" "held 5 refused 0" \
	setpriv --reuid=65534 --regid=65534 --groups="$dgid" \
	"$py" "$T/hold.py" "$GK_SOCK" 5 0
expect_out -n "a connection that sends nothing is closed after the head timeout" "closed after" \
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
t0 = time.time()
s.settimeout(30)
try:
    while s.recv(4096):
        pass
except OSError:
    pass
t = time.time() - t0
print("closed after %.0f s" % t if t < 15 else "still open after %.0f s" % t)
' "$GK_SOCK"
chmod 0700 "$T"
true
