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


def main():
	cmd, args = sys.argv[1], sys.argv[2:]
	threads = []
	if cmd == "serve":
		tag = args[0]
		for p in map(int, args[1:]):
			threads.append(threading.Thread(target=accept_loop, daemon=True,
			    args=(listener(p), lambda c, p=p: "%s %d\n" % (tag, p))))
	elif cmd == "redirect":
		threads.append(threading.Thread(target=accept_loop, daemon=True,
		    args=(listener(int(args[0])), lambda c: "REDIR %s %d\n" % original_dst(c))))
	elif cmd == "udp":
		p = int(args[0])
		for a in args[1:]:
			threads.append(threading.Thread(target=udp_loop, daemon=True,
			    args=(listener(p, socket.SOCK_DGRAM, a), p)))
	elif cmd == "ping":
		print(ping(args[0]))
		return
	elif cmd in ("tcp", "udpq"):
		host, port = args[0], int(args[1])
		fam = socket.AF_INET6 if ":" in host else socket.AF_INET
		kind = socket.SOCK_STREAM if cmd == "tcp" else socket.SOCK_DGRAM
		s = socket.socket(fam, kind)
		s.settimeout(TIMEOUT)
		try:
			s.connect((host, port))
			if cmd == "udpq":
				s.send(b"q")
				print(s.recv(200).decode().strip())
			else:
				print(s.makefile().readline().strip() or "FAIL closed")
		except OSError as e:
			print("FAIL %s" % (e.__class__.__name__))
		return
	else:
		sys.exit("nft_lab.py: unknown command " + cmd)
	for t in threads:
		t.start()
	print("ready", flush=True)
	threading.Event().wait()


main()
