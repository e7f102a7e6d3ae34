#!/usr/bin/env python3
"""faultproxy: a TCP proxy in front of a registry that can misbehave on demand.

    faultproxy.py --port PORT --upstream HOST:PORT --control FILE --log FILE
                  [--parent PID] [--max-seconds N]

Listens on 127.0.0.1:PORT.  Each new connection reads the first word of
the control FILE (re-read per connection, written atomically by the test):

    pass       relay bytes both ways, untouched
    hang       read the request, never answer (closed after 60 s)
    reset      read the request, then RST (SO_LINGER 0 and close)
    slow       the real answer, one byte every 200 ms
    garbage    "200 OK" with a body that is not a manifest
    baddigest  the real answer under a Docker-Content-Digest it does not hash to
    huge       "200 OK" and an endless body (stops after 200 MB)
    429        "429 Too Many Requests" with "Retry-After: 2"

An optional second word N applies the fault to the next N connections
only, then passes (the count restarts whenever the file changes).  One line
per connection goes to the log: monotonic seconds, the action taken, the
request line.  Exits on SIGTERM, when --parent dies, or after --max-seconds;
every socket is closed on exit.  No dependencies beyond the standard library.
"""
import argparse
import hashlib
import os
import signal
import socket
import struct
import sys
import threading
import time

HEAD_MAX = 64 * 1024
IDLE_S = 60.0           # a relayed connection idle this long is closed
HANG_S = 60.0           # how long "hang" holds a connection
UPSTREAM_MAX = 8 << 20  # bytes of an upstream answer buffered for slow/baddigest
HUGE_MAX = 200 << 20    # bytes sent by "huge" before it gives up
MANIFEST_CT = b"application/vnd.docker.distribution.manifest.v2+json"

state = {"text": None, "left": None}
state_lock = threading.Lock()
log_lock = threading.Lock()
args = None


def log(action, reqline):
    with log_lock:
        with open(args.log, "a") as f:
            f.write("%.3f %s %s\n" % (time.monotonic(), action, reqline))


def next_action():
    """The mode for a new connection, counting down "MODE N"."""
    try:
        with open(args.control) as f:
            text = f.read().strip()
    except OSError:
        text = "pass"
    with state_lock:
        words = text.split()
        if text != state["text"]:
            state["text"] = text
            state["left"] = int(words[1]) if len(words) > 1 else None
        mode = words[0] if words else "pass"
        if mode == "pass":
            return "pass"
        if state["left"] is not None:
            if state["left"] <= 0:
                return "pass"
            state["left"] -= 1
        return mode


def read_head(s):
    """The request head (bytes up to and including CRLFCRLF) or None."""
    buf = b""
    s.settimeout(30)
    while b"\r\n\r\n" not in buf:
        if len(buf) > HEAD_MAX:
            return None
        try:
            b = s.recv(65536)
        except OSError:
            return None
        if not b:
            return None
        buf += b
    return buf


def reqline(head):
    return head.split(b"\r\n", 1)[0].decode("latin-1", "replace") if head else "-"


def upstream_connect():
    host, port = args.upstream.rsplit(":", 1)
    u = socket.create_connection((host, int(port)), timeout=10)
    return u


def relay(c, u, first=b""):
    """Bytes both ways until both sides are done or IDLE_S pass in silence."""
    import selectors
    if first:
        u.sendall(first)
    sel = selectors.DefaultSelector()
    c.setblocking(False)
    u.setblocking(False)
    sel.register(c, selectors.EVENT_READ, u)
    sel.register(u, selectors.EVENT_READ, c)
    open_ = 2
    while open_ > 0:
        ev = sel.select(IDLE_S)
        if not ev:
            break
        for key, _ in ev:
            src, dst = key.fileobj, key.data
            try:
                b = src.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                b = b""
            if not b:
                sel.unregister(src)
                open_ -= 1
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            dst.setblocking(True)
            try:
                dst.sendall(b)
            except OSError:
                return
            finally:
                dst.setblocking(False)
    sel.close()


def fetch_upstream(head):
    """The upstream's whole answer to one request, as (head, body)."""
    # One request per connection: ask upstream to close after answering.
    lines = [l for l in head.split(b"\r\n")[:-2]
             if not l.lower().startswith(b"connection:")]
    req = b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n"
    u = upstream_connect()
    try:
        u.sendall(req)
        data = b""
        deadline = time.monotonic() + 20
        while len(data) < UPSTREAM_MAX and time.monotonic() < deadline:
            b = u.recv(65536)
            if not b:
                break
            data += b
    finally:
        u.close()
    h, _, body = data.partition(b"\r\n\r\n")
    return h, body


def answer(c, status, headers, body):
    out = b"HTTP/1.1 " + status + b"\r\n"
    for k, v in headers:
        out += k + b": " + v + b"\r\n"
    out += b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
    c.sendall(out)


def handle(c):
    u = None
    try:
        action = next_action()
        if action == "pass":
            u = upstream_connect()
            log("pass", "-")
            relay(c, u)
            return
        head = read_head(c)
        log(action, reqline(head))
        if head is None:
            return
        if action == "hang":
            c.settimeout(HANG_S)
            try:
                while c.recv(65536):
                    pass
            except OSError:
                pass
        elif action == "reset":
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif action == "slow":
            h, body = fetch_upstream(head)
            data = h + b"\r\n\r\n" + body
            deadline = time.monotonic() + HANG_S
            for i in range(len(data)):
                if time.monotonic() > deadline:
                    break
                c.sendall(data[i:i + 1])
                time.sleep(0.2)
        elif action == "garbage":
            answer(c, b"200 OK", [(b"Content-Type", MANIFEST_CT)],
                   b"<html><body>502 upstream says hello</body></html>\n")
        elif action == "baddigest":
            h, body = fetch_upstream(head)
            wrong = b"sha256:" + hashlib.sha256(b"not this manifest").hexdigest().encode()
            lines = [l for l in h.split(b"\r\n")[1:]
                     if not l.lower().startswith((b"docker-content-digest:",
                                                  b"content-length:", b"connection:"))]
            hdrs = [tuple(l.split(b": ", 1)) for l in lines if b": " in l]
            status = h.split(b"\r\n", 1)[0].split(b" ", 1)[1]
            answer(c, status, hdrs + [(b"Docker-Content-Digest", wrong)], body)
        elif action == "huge":
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: " + MANIFEST_CT +
                      b"\r\nConnection: close\r\n\r\n")
            chunk = b"{" * 65536
            sent = 0
            while sent < HUGE_MAX:
                c.sendall(chunk)
                sent += len(chunk)
        elif action == "429":
            answer(c, b"429 Too Many Requests",
                   [(b"Retry-After", b"2"), (b"Content-Type", b"application/json")],
                   b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}\n')
        else:
            log("unknown-mode", action)
    except OSError:
        pass
    finally:
        if u is not None:
            u.close()
        c.close()


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--control", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--parent", type=int, default=0)
    p.add_argument("--max-seconds", type=float, default=900)
    args = p.parse_args()

    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", args.port))
    ls.listen(64)
    ls.settimeout(1.0)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    end = time.monotonic() + args.max_seconds
    print("faultproxy: listening on 127.0.0.1:%d for %s" % (args.port, args.upstream),
          flush=True)
    while not stop.is_set() and time.monotonic() < end:
        if args.parent:
            try:
                os.kill(args.parent, 0)
            except OSError:
                break
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        except OSError:
            break
        threading.Thread(target=handle, args=(c,), daemon=True).start()
    ls.close()
    # Daemon threads die with the process; their sockets close with it.
    return 0


if __name__ == "__main__":
    sys.exit(main())
