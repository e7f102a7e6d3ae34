#!/usr/bin/env python3
# tests/egress/nft_lab.py: the small network programs of nft-lab.sh.
#   serve TAG PORT...       TCP on [::]:PORT (v4 and v6): answer "TAG PORT\n"
#   redirect PORT           TCP on [::]:PORT: answer "REDIR <orig ip> <orig port>\n"
#                           from SO_ORIGINAL_DST / IP6T_SO_ORIGINAL_DST
#   udp PORT ADDR...        UDP echo on ADDR:PORT: answer "UDP PORT\n" (one
#                           socket per address: the answer leaves from it)
#   tcp HOST PORT           connect (1 s), print the first line or "FAIL <why>"
#   udpq HOST PORT          one datagram, print the answer or "FAIL <why>"
#   ping HOST               one ICMP/ICMPv6 echo (raw socket): "PONG" or "FAIL <why>"
# The servers run until killed.
import socket, struct, sys, threading

SO_ORIGINAL_DST = 80            # linux/netfilter_ipv4.h
IP6T_SO_ORIGINAL_DST = 80       # linux/netfilter_ipv6/ip6_tables.h
TIMEOUT = 0.5                   # everything is local: an answer takes microseconds


def listener(port, kind=socket.SOCK_STREAM, addr="::"):
	s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, kind)
	if addr == "::":
		s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind((addr, port))
	if kind == socket.SOCK_STREAM:
		s.listen(64)
	return s


def original_dst(c):
	peer = c.getpeername()[0]
	if peer.startswith("::ffff:"):
		raw = c.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)
		port, = struct.unpack("!H", raw[2:4])
		return socket.inet_ntop(socket.AF_INET, raw[4:8]), port
	raw = c.getsockopt(socket.IPPROTO_IPV6, IP6T_SO_ORIGINAL_DST, 28)
	port, = struct.unpack("!H", raw[2:4])
	return socket.inet_ntop(socket.AF_INET6, raw[8:24]), port


def accept_loop(s, answer):
	while True:
		c, _ = s.accept()
		try:
			c.sendall(answer(c).encode())
		except OSError as e:
			c.sendall(("ERR %s\n" % e).encode())
		c.close()


def udp_loop(s, port):
	while True:
		data, peer = s.recvfrom(2048)
		s.sendto(("UDP %d\n" % port).encode(), peer)


def ping(host):
	v6 = ":" in host
	if v6:
		s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
		typ = 128
	else:
		s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
		typ = 8
	body = struct.pack("!BBHHH", typ, 0, 0, 0x4477, 1) + b"dockward"
	if not v6:	# the kernel sums ICMPv6 itself
		c = sum(struct.unpack("!%dH" % (len(body) // 2), body))
		c = (c >> 16) + (c & 0xffff)
		c = ~(c + (c >> 16)) & 0xffff
		body = body[:2] + struct.pack("!H", c) + body[4:]
	s.settimeout(TIMEOUT)
	try:
		s.sendto(body, (host, 0))
		while True:
			data = s.recv(2048)
			if not v6:
				data = data[(data[0] & 15) * 4:]
			if data[0] == (129 if v6 else 0):
				if struct.unpack("!H", data[4:6])[0] == 0x4477:
					return "PONG"
	except OSError as e:
		return "FAIL %s" % e.__class__.__name__


def client(kind, host, port):
	fam = socket.AF_INET6 if ":" in host else socket.AF_INET
	s = socket.socket(fam, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
	s.settimeout(TIMEOUT)
	try:
		s.connect((host, int(port)))
		if kind == "udp":
			s.send(b"q")
			return s.recv(200).decode().strip()
		return s.makefile().readline().strip() or "FAIL closed"
	except OSError as e:
		return "FAIL %s" % e.__class__.__name__
	finally:
		s.close()


def probe(specs):
	out = [None] * len(specs)

	def one(i, spec):
		f = spec.split(",")
		out[i] = ping(f[1]) if f[0] == "ping" else client(*f)
	threads = [threading.Thread(target=one, args=(i, sp)) for i, sp in enumerate(specs)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	for line in out:
		print(line)


def serve(specs):
	threads = []
	for spec in specs:
		f = spec.split(",")
		if f[0] == "tcp":
			port = int(f[2])
			threads.append((accept_loop, (listener(port),
			    lambda c, t=f[1], p=port: "%s %d\n" % (t, p))))
		elif f[0] == "redirect":
			threads.append((accept_loop, (listener(int(f[1])),
			    lambda c: "REDIR %s %d\n" % original_dst(c))))
		elif f[0] == "udp":
			port = int(f[2])
			threads.append((udp_loop, (listener(port, socket.SOCK_DGRAM, f[1]), port)))
		else:
			sys.exit("nft_lab.py: unknown server " + spec)
	for target, args in threads:
		threading.Thread(target=target, args=args, daemon=True).start()
	print("ready", flush=True)
	threading.Event().wait()


if sys.argv[1] == "serve":
	serve(sys.argv[2:])
elif sys.argv[1] == "probe":
	probe(sys.argv[2:])
else:
	sys.exit("nft_lab.py: serve|probe SPEC...")
