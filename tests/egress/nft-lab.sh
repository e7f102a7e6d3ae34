#!/bin/sh
# tests/egress/nft-lab.sh [APPLY]: dockward's nft table (egress/egress_nft.c)
# against real traffic, in network namespaces this script creates and
# removes; the host's own namespace is never touched.  Needs root, ip and
# python3; skips (77) without them or when namespaces or nf_tables are
# refused.  APPLY (default ./tests/egress/nft_apply, from the build tree)
# applies a policy to the namespace it runs in:
# APPLY PORTS dns-only|allow|block PROXYPORT RESOLVER...
#
#   out   10.200.9.2 fd00:9::2 (servers), resolver 10.200.9.53 fd00:9::53
#    | veth
#   host  routes; the "proxy" on :15001 (answers with SO_ORIGINAL_DST);
#    |    a host service on 80 and 9999, UDP 5353 on loopback; dockward's table
#    +- bridge "evil0" (a name no rule knows): c1 10.200.1.2, c1b 10.200.1.3
#    +- bridge "x9":                           c2 10.200.2.2
#
# Each check names what it proves.  When the kernel has br_netfilter the
# lab runs every policy twice: with bridge-nf-call-ip(6)tables on in
# "host", as dockerd sets it, so that traffic between containers of one
# bridge crosses the IP hooks too (the harder case for the table), then off.  The checks of one policy run at once:
# a dropped packet costs one 0.5 s timeout per policy, not one per check.
set -u
APPLY=${1:-./tests/egress/nft_apply}
here=$(cd "$(dirname "$0")" && pwd)
# Debian's python3 first: a version manager's shim costs a second a call.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
LAB="$PY $here/nft_lab.py"
P=15001

skip() { echo "nft-lab: $*: skipped"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root"
command -v ip >/dev/null 2>&1 || skip "no ip"
command -v "$PY" >/dev/null 2>&1 || skip "no python3"
[ -x "$APPLY" ] || skip "no $APPLY"

id=dwnft$$
ns() { echo "$id-$1"; }
tmp=$(mktemp -d)
cleanup() {
	for n in host c1 c1b c2 out; do
		# the servers die with their namespace's last process: kill them first
		ip netns pids "$(ns $n)" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$(ns $n)" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$(ns host)" 2>/dev/null || skip "cannot add a network namespace"
X() { _x=$1; shift; ip netns exec "$(ns $_x)" "$@"; }
I() { _x=$1; shift; ip -n "$(ns $_x)" "$@"; }

set -e
for n in c1 c1b c2 out; do ip netns add "$(ns $n)"; done
# No duplicate address detection: while a link-local address is tentative
# (a second or two after the link comes up) the kernel sends no neighbour
# solicitation for a forwarded packet (it has no source address for it),
# so the first IPv6 flow through "host" would wait a 1 s retransmission
# and the 0.5 s probes would time out, or not, by the machine's speed.
for n in host c1 c1b c2 out; do
	X $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
X host sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
for n in host c1 c1b c2 out; do I $n link set lo up; done
I host link add evil0 type bridge
I host link add x9 type bridge
I host addr add 10.200.1.1/24 dev evil0
I host addr add fd00:1::1/64 dev evil0 nodad
I host addr add 10.200.2.1/24 dev x9
I host addr add fd00:2::1/64 dev x9 nodad
I host link set evil0 up
I host link set x9 up
# container NAME BRIDGE V4 V6 GW4 GW6
container() {
	I host link add "v$1" type veth peer name eth0 netns "$(ns $1)"
	I host link set "v$1" master "$2" up
	I $1 addr add "$3/24" dev eth0
	I $1 addr add "$4/64" dev eth0 nodad
	I $1 link set eth0 up
	I $1 route add default via "$5"
	I $1 -6 route add default via "$6"
}
container c1 evil0 10.200.1.2 fd00:1::2 10.200.1.1 fd00:1::1
container c1b evil0 10.200.1.3 fd00:1::3 10.200.1.1 fd00:1::1
container c2 x9 10.200.2.2 fd00:2::2 10.200.2.1 fd00:2::1
I host link add vout type veth peer name eth0 netns "$(ns out)"
I host addr add 10.200.9.1/24 dev vout
I host addr add fd00:9::1/64 dev vout nodad
I host link set vout up
for a in 10.200.9.2/24 10.200.9.53/24 fd00:9::2/64 fd00:9::53/64; do
	I out addr add $a dev eth0 nodad 2>/dev/null || I out addr add $a dev eth0
done
I out link set eth0 up
I out route add 10.200.0.0/16 via 10.200.9.1
I out -6 route add fd00::/16 via fd00:9::1

# And should an address still be tentative (DAD forced by the kernel), wait.
w=0
for n in host c1 c1b c2 out; do
	while [ -n "$(I $n -6 addr show tentative)" ]; do
		w=$((w + 1))
		[ $w -lt 100 ] || { echo "nft-lab: IPv6 addresses stay tentative"; exit 1; }
		sleep 0.05
	done
done

# The servers, one process per namespace, started together, then waited for.
s=0
start() {
	s=$((s + 1))
	_n=$1; shift
	X $_n $LAB serve "$@" >"$tmp/srv$s" 2>&1 &
}
start out tcp,OUT,53 tcp,OUT,80 tcp,OUT,8050 tcp,OUT,9999 \
    udp,10.200.9.2,53 udp,10.200.9.53,53 udp,fd00:9::2,53 udp,fd00:9::53,53 \
    udp,10.200.9.2,5353 udp,fd00:9::2,5353
start host redirect,$P tcp,HOST,80 tcp,HOST,9999 udp,127.0.0.1,5353 udp,::1,5353
start c1 tcp,C1,80
start c1b tcp,C1B,80 udp,10.200.1.3,5353
start c2 tcp,C2,80
w=0
while :; do
	i=0
	for f in "$tmp"/srv*; do grep -q ready "$f" && i=$((i + 1)); done
	[ $i -lt $s ] || break
	w=$((w + 1))
	[ $w -lt 400 ] || { cat "$tmp"/srv*; exit 1; }
	sleep 0.05
done
set +e

fails=0
n=0
# check WHAT WANT NS PROBE: queue a probe (nft_lab.py's spec) from NS;
# settle runs each namespace's probes in one process and compares.
check() {
	n=$((n + 1))
	# its answer will be line k of its namespace's output
	eval "k=\$((\${k_$3:-0} + 1)); k_$3=\$k"
	printf '%s\n%s\n%s\n%s\n' "$1" "$2" "$3" "$k" >"$tmp/c$n"
	echo "$4" >>"$tmp/q.$3"
}
settle() {
	pids=
	for q in "$tmp"/q.*; do
		X "${q##*/q.}" $LAB probe $(cat "$q") >"$q.out" 2>&1 &
		pids="$pids $!"
	done
	wait $pids
	while [ $first -le $n ]; do
		{ read -r what; read -r want; read -r q; read -r k; } <"$tmp/c$first"
		got=$(sed -n ${k}p "$tmp/q.$q.out")
		case $got in
		$want) echo "ok $first - $what";;
		*) echo "not ok $first - $what: want '$want', got '$got'"; fails=$((fails + 1));;
		esac
		first=$((first + 1))
	done
	rm -f "$tmp"/q.*
	for q in host c1 c1b c2 out; do eval "k_$q=0"; done
}
apply() {
	X host "$APPLY" "$@" || { echo "not ok - apply $*"; exit 1; }
	first=$((n + 1))
}
tcp() { echo "tcp,$1,$2"; }
udp() { echo "udp,$1,$2"; }
ping() { echo "ping,$1"; }
# br_netfilter: MODES the lab runs the policies under ("on": as dockerd
# sets it, bridged packets cross the IP hooks too; "off": as without it).
modes=absent
[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] && modes="on off"

policies() {

echo "# policy 1: transparentPorts 80,443,8000-8100; udp dns-only; resolvers .53 and ::53"
apply 80,443,8000-8100 dns-only $P 10.200.9.53 fd00:9::53
check "TCP to a transparent port goes to the proxy, original destination kept" \
    "REDIR 10.200.9.2 80" c1 $(tcp 10.200.9.2 80)
check "the same over IPv6" "REDIR fd00:9::2 80" c1 $(tcp fd00:9::2 80)
check "a port inside a range is transparent" "REDIR 10.200.9.2 8050" c1 $(tcp 10.200.9.2 8050)
check "a port outside transparentPorts goes direct" "OUT 9999" c1 $(tcp 10.200.9.2 9999)
check "the same over IPv6" "OUT 9999" c1 $(tcp fd00:9::2 9999)
check "a bridge named evil0 is covered as well as any (c1b on the same bridge is the next)" \
    "REDIR 10.200.9.2 443" c1b $(tcp 10.200.9.2 443)
check "a container on the same bridge is reached directly" "C1B 80" c1 $(tcp 10.200.1.3 80)
check "the same over IPv6 (neighbour discovery between containers works)" \
    "C1B 80" c1 $(tcp fd00:1::3 80)
check "a container on another bridge: to the proxy, which refuses it (egress_bridges.h)" \
    "REDIR 10.200.2.2 80" c1 $(tcp 10.200.2.2 80)
check "the host itself on a transparent port: the proxy decides" \
    "REDIR 10.200.1.1 80" c1 $(tcp 10.200.1.1 80)
check "the host itself on another port: direct" "HOST 9999" c1 $(tcp 10.200.1.1 9999)
check "the proxy port is not reachable directly from a container" \
    "FAIL*" c1 $(tcp 10.200.1.1 $P)
check "nor over IPv6" "FAIL*" c1 $(tcp fd00:1::1 $P)
check "nor from outside" "FAIL*" out $(tcp 10.200.9.1 $P)
check "UDP to an allowed resolver passes" "UDP 53" c1 $(udp 10.200.9.53 53)
check "the same over IPv6" "UDP 53" c1 $(udp fd00:9::53 53)
check "UDP 53 to another server is dropped" "FAIL*" c1 $(udp 10.200.9.2 53)
check "other UDP is dropped" "FAIL*" c1 $(udp 10.200.9.2 5353)
check "the same over IPv6" "FAIL*" c1 $(udp fd00:9::2 5353)
check "UDP between containers of one bridge is not ours to drop" "UDP 5353" c1 $(udp 10.200.1.3 5353)
check "ICMP echo out is dropped" "FAIL*" c1 $(ping 10.200.9.2)
check "ICMPv6 echo out is dropped" "FAIL*" c1 $(ping fd00:9::2)
check "the network outside is unaffected (out reaches the host's service)" \
    "HOST 80" out $(tcp 10.200.9.1 80)
check "the same over IPv6 (a veth's kind is \"veth\": not a bridge)" \
    "HOST 80" out $(tcp fd00:9::1 80)
# lo has no kind at all (nor has a physical NIC): `meta iifkind != "bridge"`
# would not match there either, and this traffic would be policed.
check "loopback TCP to a transparent port on the host is untouched" \
    "HOST 80" host $(tcp 127.0.0.1 80)
check "the same over IPv6" "HOST 80" host $(tcp ::1 80)
check "the host to its own bridge address (over lo, not from 127/8)" \
    "HOST 80" host $(tcp 10.200.1.1 80)
check "loopback UDP is not policed" "UDP 5353" host $(udp 127.0.0.1 5353)
check "the proxy port is not reachable over loopback either" "FAIL*" host $(tcp 127.0.0.1 $P)
settle $first

echo "# policy 2: transparentPorts *; udp allow"
apply '*' allow $P 10.200.9.53 fd00:9::53
check "every TCP port is transparent" "REDIR 10.200.9.2 9999" c1 $(tcp 10.200.9.2 9999)
check "the same over IPv6" "REDIR fd00:9::2 9999" c1 $(tcp fd00:9::2 9999)
check "TCP 53 to an allowed resolver is not redirected" "OUT 53" c1 $(tcp 10.200.9.53 53)
check "TCP 53 to another server is" "REDIR 10.200.9.2 53" c1 $(tcp 10.200.9.2 53)
check "UDP passes" "UDP 5353" c1 $(udp 10.200.9.2 5353)
check "ICMP passes" "PONG" c1 $(ping 10.200.9.2)
check "ICMPv6 passes" "PONG" c1 $(ping fd00:9::2)
check "the proxy port itself is still not reachable directly" "FAIL*" c1 $(tcp 10.200.1.1 $P)
check "a connection from outside to a container still gets its answers" \
    "C1 80" out $(tcp 10.200.1.2 80)
check "the same over IPv6" "C1 80" out $(tcp fd00:1::2 80)
check "TCP from outside (over a veth) to the host on any port is not redirected" \
    "HOST 9999" out $(tcp 10.200.9.1 9999)
check "the same over IPv6" "HOST 9999" out $(tcp fd00:9::1 9999)
check "loopback TCP on any port is untouched" "HOST 9999" host $(tcp 127.0.0.1 9999)
check "loopback UDP over IPv6 is untouched" "UDP 5353" host $(udp ::1 5353)
settle $first

echo "# policy 3: transparentPorts 80; udp block"
apply 80 block $P 10.200.9.53 fd00:9::53
check "no UDP, not even to an allowed resolver" "FAIL*" c1 $(udp 10.200.9.53 53)
check "the same over IPv6" "FAIL*" c1 $(udp fd00:9::53 53)
check "ICMP echo is dropped" "FAIL*" c1 $(ping 10.200.9.2)
check "TCP 53 is an ordinary port (outside transparentPorts: direct)" \
    "OUT 53" c1 $(tcp 10.200.9.53 53)
check "TCP 80 still goes to the proxy" "REDIR 10.200.9.2 80" c1 $(tcp 10.200.9.2 80)
settle $first
}

for brnf in $modes; do
	case $brnf in
	on) X host sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1;;
	off) X host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0;;
	esac
	echo "# br_netfilter: $brnf"
	policies
done

echo "1..$n"
[ $fails = 0 ]
