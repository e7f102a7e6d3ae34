#!/usr/bin/env python3
"""The "outside" of the egress lab (tests/e2e/egress_lab.sh): every service a
container may try to reach, run in the lab's outside network namespace.

    egress_lab.py LABDIR

LABDIR/lab.json says what to serve:
    {"names": {"allowed.lab": ["10.99.0.10", "fd99::10"], ...},
     "http_ports": [80, 8080], "tls_port": 443, "cert": ..., "key": ...,
     "connect": ["10.99.0.20", 3128], "socks": ["10.99.0.21", 1080],
     "pac": ["10.99.0.22", 8081], "dns": ["10.99.0.53", "fd99::53"],
     "udp_echo": 9999}

Each service appends one JSON object per event to LABDIR/log/<service>.log
(http, tls, connect, socks, pac, dns, udp), which the tests read:
    http    {"port", "local", "peer", "host"}  (answer: "lab-http name=N port=P")
    tls     {"port", "local", "peer", "sni"}   (logged from the ClientHello,
                                                before the server answers it)
    connect {"target", "peer"}                  (then relays)
    socks   {"target", "peer"}                  (then relays)
    pac     {"path", "status"}                  (LABDIR/pac/proxy.pac, else 404)
    dns     {"proto", "name", "type", "peer"}
    udp     {"peer", "len"}                     (echoes the datagram)
LABDIR/ready is written once every socket is bound.  Runs until killed.
"""

import json
import os
import select
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time

LABDIR = sys.argv[1]
with open(os.path.join(LABDIR, "lab.json")) as f:
    CONF = json.load(f)
LOGDIR = os.path.join(LABDIR, "log")
os.makedirs(LOGDIR, exist_ok=True)
_loglock = threading.Lock()

# address -> lab name (the HTTP answer names the address it was reached on)
BYADDR = {}
for _n, _addrs in CONF["names"].items():
    for _a in _addrs:
        BYADDR.setdefault(_a, _n)


def log(svc, **kv):
    kv["t"] = round(time.time(), 3)
    line = json.dumps(kv, sort_keys=True)
    with _loglock:
        with open(os.path.join(LOGDIR, svc + ".log"), "a") as f:
            f.write(line + "\n")


def plain(addr):
    """An IPv4-mapped IPv6 address as the IPv4 address."""
    if addr.startswith("::ffff:"):
        return addr[7:]
    return addr


class TCP4(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class TCP6(TCP4):
    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


def serve_tcp(handler, port, host4="0.0.0.0", host6="::"):
    servers = []
    if host4:
        servers.append(TCP4((host4, port), handler))
    if host6:
        servers.append(TCP6((host6, port), handler))
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()


def read_head(sock, limit=16384):
    """Bytes up to the end of an HTTP head (or what came before EOF)."""
    buf = b""
    while b"\r\n\r\n" not in buf and len(buf) < limit:
        chunk = sock.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf


def header(head, name):
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == name:
            return v.strip().decode("latin-1")
    return ""


def answer_http(sock, port, local):
    name = BYADDR.get(local, local)
    body = ("lab-http name=%s port=%d\n" % (name, port)).encode()
    sock.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                 b"Connection: close\r\n\r\n" % len(body) + body)


class HTTP(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.settimeout(10)
        local = plain(s.getsockname()[0])
        port = s.getsockname()[1]
        try:
            head = read_head(s)
        except OSError:
            head = b""
        log("http", port=port, local=local, peer=plain(self.client_address[0]),
            host=header(head, b"host"), line=head.split(b"\r\n")[0].decode("latin-1"))
        if head:
            answer_http(s, port, local)


_tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
_tls_ctx.load_cert_chain(CONF["cert"], CONF["key"])


def _sni_cb(sslsock, name, ctx):
    # Called for every ClientHello (name None without server_name), before
    # the server answers: the line is there when the client sees a reply.
    try:
        local, port = sslsock.getsockname()[:2]
        peer = sslsock.getpeername()[0]
    except OSError:
        local, port, peer = "", 0, ""
    log("tls", port=port, local=plain(local), peer=plain(peer), sni=name or "",
        hello=True)


_tls_ctx.sni_callback = _sni_cb


class TLS(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.settimeout(10)
        local = plain(s.getsockname()[0])
        port = s.getsockname()[1]
        try:
            t = _tls_ctx.wrap_socket(s, server_side=True)
        except (OSError, ssl.SSLError):
            return
        try:
            if read_head(t):
                answer_http(t, port, local)
            t.close()
        except (OSError, ssl.SSLError):
            pass


def relay(a, b):
    """Copy both ways until either side closes."""
    socks_ = [a, b]
    try:
        while True:
            r, _, _ = select.select(socks_, [], [], 30)
            if not r:
                return
            for x in r:
                data = x.recv(65536)
                if not data:
                    return
                (b if x is a else a).sendall(data)
    except OSError:
        return


def dial(host, port):
    """Connect to host (a lab name is looked up in the lab's own table)."""
    addrs = CONF["names"].get(host.lower())
    if addrs:
        host = addrs[0]
    return socket.create_connection((host, port), timeout=5)


class CONNECT(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.settimeout(10)
        head = read_head(s)
        line = head.split(b"\r\n")[0].decode("latin-1")
        parts = line.split()
        target = parts[1] if len(parts) >= 2 and parts[0] == "CONNECT" else ""
        log("connect", target=target, peer=plain(self.client_address[0]), line=line)
        if not target:
            s.sendall(b"HTTP/1.0 405 Method Not Allowed\r\n\r\n")
            return
        host, _, port = target.rpartition(":")
        host = host.strip("[]")
        try:
            up = dial(host, int(port))
        except (OSError, ValueError):
            s.sendall(b"HTTP/1.0 502 Bad Gateway\r\n\r\n")
            return
        s.sendall(b"HTTP/1.0 200 Connection established\r\n\r\n")
        s.settimeout(None)
        relay(s, up)
        up.close()


def recvn(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise OSError("short read")
        buf += chunk
    return buf


class SOCKS5(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.settimeout(10)
        peer = plain(self.client_address[0])
        try:
            ver, n = recvn(s, 2)
            recvn(s, n)
            if ver != 5:
                log("socks", target="", peer=peer, error="version %d" % ver)
                return
            s.sendall(b"\x05\x00")
            ver, cmd, _, atyp = recvn(s, 4)
            if atyp == 1:
                host = socket.inet_ntop(socket.AF_INET, recvn(s, 4))
            elif atyp == 4:
                host = socket.inet_ntop(socket.AF_INET6, recvn(s, 16))
            elif atyp == 3:
                host = recvn(s, recvn(s, 1)[0]).decode("latin-1")
            else:
                raise OSError("atyp %d" % atyp)
            port = struct.unpack(">H", recvn(s, 2))[0]
        except OSError as e:
            log("socks", target="", peer=peer, error=str(e))
            return
        target = ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)
        log("socks", target=target, peer=peer, cmd=cmd)
        try:
            up = dial(host, port)
        except OSError:
            s.sendall(b"\x05\x05\x00\x01" + b"\x00" * 6)
            return
        s.sendall(b"\x05\x00\x00\x01" + b"\x00" * 6)
        s.settimeout(None)
        relay(s, up)
        up.close()


class PAC(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.settimeout(10)
        head = read_head(s)
        line = head.split(b"\r\n")[0].decode("latin-1")
        parts = line.split()
        path = parts[1] if len(parts) >= 2 else ""
        try:
            with open(os.path.join(LABDIR, "pac", "proxy.pac"), "rb") as f:
                body = f.read()
            status = 200
        except OSError:
            body, status = b"not found\n", 404
        log("pac", path=path, status=status)
        s.sendall(b"HTTP/1.0 %d %s\r\nContent-Type: application/x-ns-proxy-autoconfig\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                  % (status, b"OK" if status == 200 else b"Not Found", len(body)) + body)


def dns_answer(query, proto, peer):
    """The reply to one DNS query (bytes), or None to drop it."""
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", query[:6])
    if qd != 1:
        return None
    pos, labels = 12, []
    while pos < len(query):
        n = query[pos]
        pos += 1
        if n == 0:
            break
        labels.append(query[pos:pos + n].decode("latin-1").lower())
        pos += n
    if pos + 4 > len(query):
        return None
    qtype, qclass = struct.unpack(">HH", query[pos:pos + 4])
    question = query[12:pos + 4]
    name = ".".join(labels)
    log("dns", proto=proto, name=name, type=qtype, peer=peer)
    addrs = CONF["names"].get(name)
    answers = b""
    count = 0
    if addrs is not None:
        for a in addrs:
            fam = socket.AF_INET6 if ":" in a else socket.AF_INET
            if (qtype == 1 and fam == socket.AF_INET) or (qtype == 28 and fam == socket.AF_INET6):
                rdata = socket.inet_pton(fam, a)
                answers += struct.pack(">HHHIH", 0xC00C, qtype, 1, 5, len(rdata)) + rdata
                count += 1
    rcode = 0 if addrs is not None else 3
    rflags = 0x8400 | (flags & 0x0100) | rcode
    return struct.pack(">HHHHHH", qid, rflags, 1, count, 0, 0) + question + answers


def serve_dns_udp(addr):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind((addr, 53))

    def loop():
        while True:
            data, peer = u.recvfrom(4096)
            r = dns_answer(data, "udp", plain(peer[0]))
            if r is not None:
                u.sendto(r, peer)
    threading.Thread(target=loop, daemon=True).start()


class DNSTCP(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.settimeout(10)
        try:
            while True:
                n = struct.unpack(">H", recvn(s, 2))[0]
                r = dns_answer(recvn(s, n), "tcp", plain(self.client_address[0]))
                if r is None:
                    return
                s.sendall(struct.pack(">H", len(r)) + r)
        except OSError:
            return


def serve_udp_echo(port):
    # One socket per address: the echo leaves from the address it was sent to.
    for host in sorted(BYADDR):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        u = socket.socket(fam, socket.SOCK_DGRAM)
        u.bind((host, port))

        def loop(u=u):
            while True:
                data, peer = u.recvfrom(4096)
                log("udp", peer=plain(peer[0]), len=len(data))
                u.sendto(data, peer)
        threading.Thread(target=loop, daemon=True).start()


def main():
    for p in CONF["http_ports"]:
        serve_tcp(HTTP, p)
    serve_tcp(TLS, CONF["tls_port"])
    serve_tcp(CONNECT, CONF["connect"][1], CONF["connect"][0], None)
    serve_tcp(SOCKS5, CONF["socks"][1], CONF["socks"][0], None)
    serve_tcp(PAC, CONF["pac"][1], CONF["pac"][0], None)
    for a in CONF["dns"]:
        serve_dns_udp(a)
        if ":" in a:
            serve_tcp(DNSTCP, 53, None, a)
        else:
            serve_tcp(DNSTCP, 53, a, None)
    serve_udp_echo(CONF["udp_echo"])
    with open(os.path.join(LABDIR, "ready"), "w") as f:
        f.write("%d\n" % os.getpid())
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
