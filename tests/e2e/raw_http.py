#!/usr/bin/env python3
# raw_http.py SOCK: send stdin's bytes to the unix socket SOCK as they are
# (no HTTP client in between, so framing attacks reach the server intact)
# and print everything it answers until it closes or is quiet for 10 s.
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(sys.stdin.buffer.read())
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    pass
sys.stdout.write(out.decode("utf-8", "replace"))
