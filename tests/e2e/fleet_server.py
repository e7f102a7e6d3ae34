#!/usr/bin/env python3
"""A small static HTTPS server for the fleet policy test (t_75_fleet.sh).

    fleet_server.py DIR CERT KEY PORT LOG

Serves the files of DIR on 127.0.0.1:PORT over TLS, reading each file at
every request (the test rotates them), with a strong ETag (the content's
SHA-256) and If-None-Match answered by 304, as a CDN or static host does.
Appends one line per request to LOG: "GET <path> inm=<If-None-Match or
-> status=<code>", so the test can count conditional requests and 304s.
"""
import hashlib
import http.server
import os
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _log(self, status):
        inm = self.headers.get("If-None-Match") or "-"
        with open(self.server.log_path, "a") as f:
            f.write("GET %s inm=%s status=%d\n" % (self.path, inm, status))

    def do_GET(self):
        name = self.path.lstrip("/")
        path = os.path.join(self.server.root, name)
        if "/" in name or name.startswith(".") or not os.path.isfile(path):
            self._log(404)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(path, "rb") as f:
            body = f.read()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
        if self.headers.get("If-None-Match") == etag:
            self._log(304)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self._log(200)
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


def main():
    root, cert, key, port, log = sys.argv[1:6]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    srv.root = root
    srv.log_path = log
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
