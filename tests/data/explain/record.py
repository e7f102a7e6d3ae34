#!/usr/bin/env python3
"""Record the Engine API requests a docker CLI sends, without a daemon.

    record.py OUT.json -- /usr/bin/docker run --privileged alpine

Serves a fake engine on a private unix socket: /_ping answers as dockerd
20.10 (API 1.41), every other request is logged and refused with 500, so
the CLI stops after its first real call (for `docker run`: the create).
OUT.json gets {"argv": the command line with argv[0] "docker",
"requests": [{"method", "uri", "body"}...]}, bodies decoded as JSON when
they are JSON.  Used to refresh tests/data/explain/recorded/*.json;
not run by the test suite.  Bounded: the CLI gets 20 s.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler
from socketserver import ThreadingUnixStreamServer

log = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _body(self):
        if self.headers.get("Transfer-Encoding", "") == "chunked":
            data = b""
            while True:
                n = int(self.rfile.readline().strip() or b"0", 16)
                if n == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _answer(self):
        body = self._body()
        path = self.path
        if path.endswith("/_ping"):
            self.send_response(200)
            self.send_header("Api-Version", "1.41")
            self.send_header("Ostype", "linux")
            self.send_header("Content-Length", "2")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(b"OK")
            return
        rec = {"method": self.command, "uri": path}
        # exec and attach inspect the container first: answer as for a running one.
        inspect = (self.command == "GET" and path.startswith("/v1.41/containers/")
                   and path.endswith("/json"))
        if body:
            try:
                rec["body"] = json.loads(body)
            except ValueError:
                rec["bodyBytes"] = len(body)
        log.append(rec)
        if inspect:
            msg = b'{"Id":"c1","State":{"Running":true},"Config":{"Tty":false}}'
            self.send_response(200)
        else:
            msg = b'{"message":"recorded by record.py"}'
            self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(msg)))
        self.end_headers()
        self.wfile.write(msg)

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _answer

    def log_message(self, *a):
        pass


def main():
    out, argv = sys.argv[1], sys.argv[3:]
    d = tempfile.mkdtemp(prefix="dw-record-")
    sock = os.path.join(d, "docker.sock")
    srv = ThreadingUnixStreamServer(sock, Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    env = dict(os.environ, DOCKER_HOST="unix://" + sock, DOCKER_BUILDKIT="0",
               DOCKER_CONFIG=d)
    try:
        subprocess.run(argv, env=env, timeout=20, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pass
    srv.shutdown()
    srv.server_close()
    os.unlink(sock)
    os.rmdir(d)
    with open(out, "w") as f:
        json.dump({"argv": ["docker"] + argv[1:], "requests": log}, f, indent=1,
                  sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
