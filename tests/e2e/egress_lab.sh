# shellcheck shell=bash
# The egress lab (sourced by tests/e2e/egress.sh): two network namespaces
# made for one run and removed after it, joined by a veth pair.
#
#   "host" ($LAB_NS_H)  the dockerd host: a private dockerd with bridge
#                       networking and iptables, and dockward beside it (its
#                       authorization plugin and the egress proxy); every
#                       netfilter rule either writes lands in this namespace
#   "out"  ($LAB_NS_O)  the outside: egress_lab.py serves HTTP (80, 8080),
#                       TLS (443), an HTTP CONNECT proxy, a SOCKS5 proxy, a
#                       PAC server, DNS (UDP and TCP 53) and a UDP echo, each
#                       logging what it saw to $LAB/log/<service>.log
#
#   host 10.99.0.1/24 fd99::1/64  <-- veth -->  out 10.99.0.2/24 fd99::2/64
#                                               + one address per lab name
#
# The outside routes everything back through the host side, so it reaches
# the container subnets (IPv6 is routed, not masqueraded).  Processes in the
# host namespace see $LAB/resolv.conf (the lab's DNS) as /etc/resolv.conf:
# `ip netns exec` gives each a private mount namespace, and lab_host binds
# the file there.  The root network namespace is only read (lab_rootstate).

LAB_NS_H=dwe-host-$$
LAB_NS_O=dwe-out-$$
LAB_VETH_H=dweh$$
LAB_VETH_O=dweo$$
LAB_HOST4=10.99.0.1
LAB_HOST6=fd99::1
LAB_DNS4=10.99.0.53
LAB_DNS6=fd99::53
LAB_CONNECT=10.99.0.20:3128
LAB_SOCKS=10.99.0.21:1080
LAB_PAC_URL=http://10.99.0.22:8081/proxy.pac
LAB_UDP_PORT=9999
LAB_PID=
LAB=

# name -> addresses (the lab's DNS answers them; the HTTP answers name them)
_lab_names() {
	cat <<'EOF'
allowed.lab 10.99.0.10 fd99::10
blocked.lab 10.99.0.11 fd99::11
proxied.lab 10.99.0.12 fd99::12
socksed.lab 10.99.0.13
other.lab 10.99.0.14
proxy.lab 10.99.0.20
socks.lab 10.99.0.21
pac.lab 10.99.0.22
loop.lab 10.99.0.30
catch.lab 10.99.0.30
hog.lab 10.99.0.30
deep.lab 10.99.0.30
regex.lab 10.99.0.30
nonstring.lab 10.99.0.30
ok1.lab 10.99.0.10
ok2.lab 10.99.0.10
ok3.lab 10.99.0.10
ok4.lab 10.99.0.10
ok5.lab 10.99.0.10
ok6.lab 10.99.0.10
ok7.lab 10.99.0.10
ok8.lab 10.99.0.10
ok9.lab 10.99.0.10
dns.lab 10.99.0.53 fd99::53
EOF
}

# lab_rootstate FILE: what the root network namespace looks like (links,
# routes, the nft ruleset), read only, to compare before and after.
lab_rootstate() {
	{
		echo "## links"
		ip -o link show | sed -e 's/ link\/.*//' | sort
		echo "## routes"
		ip route show table all | sort
		ip -6 route show table all | sort
		echo "## nft"
		nft list ruleset
	} >"$1" 2>&1
}

# The commands that mount the root mount namespace's cgroup hierarchies
# again: `ip netns exec` mounts a fresh sysfs (the namespace's own view of
# /sys/class/net), which hides /sys/fs/cgroup, and dockerd needs it.
# Mounting a cgroup hierarchy again gives the same hierarchy.
_lab_cgroup_script() {
	awk '{
		for (i = 7; $i != "-"; i++) ;
		mp = $5; fs = $(i + 1); opts = $(i + 3)
		if (mp == "/sys/fs/cgroup" && fs == "tmpfs")
			print "mount -t tmpfs -o mode=0755 tmpfs /sys/fs/cgroup || exit 1"
		else if (index(mp, "/sys/fs/cgroup/") == 1 && (fs == "cgroup" || fs == "cgroup2")) {
			gsub(/(^|,)(rw|ro)(,|$)/, ",", opts); gsub(/^,|,$/, "", opts)
			if (fs == "cgroup" && opts ~ /name=/ && opts !~ /(^|,)(cpu|cpuacct|cpuset|memory|devices|freezer|blkio|pids|net_cls|net_prio|perf_event|hugetlb|rdma|misc)(,|$)/)
				opts = "none," opts
			printf "mkdir -p %s && mount -t %s %s %s %s || exit 1\n", mp, fs,
			    (opts == "" ? "" : "-o " opts), fs, mp
		} else if (mp == "/sys/fs/cgroup" && fs == "cgroup2")
			print "mount -t cgroup2 cgroup2 /sys/fs/cgroup || exit 1"
	}' /proc/self/mountinfo
}

# lab_host CMD...: run CMD in the host namespace with the lab's resolv.conf
# and the cgroup hierarchies (its mount namespace is private: nothing
# mounted here shows outside it).
# lab_host_exec replaces the calling (sub)shell: `lab_host_exec CMD &`
# leaves CMD's pid in $!, for signals.
lab_host() {
	ip netns exec "$LAB_NS_H" sh -c 'mount --bind "$0" /etc/resolv.conf && . "$1" && shift && exec "$@"' \
		"$LAB/resolv.conf" "$LAB/cgroup.sh" "$@"
}
lab_host_exec() {
	exec ip netns exec "$LAB_NS_H" sh -c 'mount --bind "$0" /etc/resolv.conf && . "$1" && shift && exec "$@"' \
		"$LAB/resolv.conf" "$LAB/cgroup.sh" "$@"
}

# lab_out CMD...: run CMD in the outside namespace (lab_out_exec: as above).
lab_out() { ip netns exec "$LAB_NS_O" "$@"; }
lab_out_exec() { exec ip netns exec "$LAB_NS_O" "$@"; }

# lab_setup DIR: the namespaces, the link, the addresses, a certificate and
# the services.  0 when every service answered.
lab_setup() {
	LAB=$1
	local name a rest json first
	mkdir -p "$LAB/log" "$LAB/pac" || return 1
	echo "nameserver $LAB_DNS4" >"$LAB/resolv.conf"
	_lab_cgroup_script >"$LAB/cgroup.sh" || return 1
	ip netns add "$LAB_NS_H" || return 1
	ip netns add "$LAB_NS_O" || return 1
	ip -n "$LAB_NS_H" link set lo up || return 1
	ip -n "$LAB_NS_O" link set lo up || return 1
	# Made inside the host namespace, its peer moved straight to "out":
	# the root namespace never holds either end.
	ip -n "$LAB_NS_H" link add "$LAB_VETH_H" type veth peer name "$LAB_VETH_O" netns "$LAB_NS_O" ||
		return 1
	ip -n "$LAB_NS_H" addr add "$LAB_HOST4/24" dev "$LAB_VETH_H" || return 1
	ip -n "$LAB_NS_H" addr add "$LAB_HOST6/64" dev "$LAB_VETH_H" nodad || return 1
	ip -n "$LAB_NS_O" addr add 10.99.0.2/24 dev "$LAB_VETH_O" || return 1
	ip -n "$LAB_NS_O" addr add fd99::2/64 dev "$LAB_VETH_O" nodad || return 1
	json='{'
	first=1
	local -A seen=()
	: >"$LAB/addrs.batch"
	while read -r name rest; do
		[ -n "$first" ] || json="$json,"
		first=
		json="$json\"$name\": ["
		local sep=
		for a in $rest; do
			json="$json$sep\"$a\""
			sep=,
			# Each address once on the outside's link (several names share one).
			[ -n "${seen[$a]:-}" ] && continue
			seen[$a]=1
			case $a in
			*:*) echo "addr add $a/128 dev $LAB_VETH_O nodad" ;;
			*) echo "addr add $a/32 dev $LAB_VETH_O" ;;
			esac >>"$LAB/addrs.batch"
		done
		json="$json]"
	done < <(_lab_names)
	json="$json}"
	ip -n "$LAB_NS_O" -batch "$LAB/addrs.batch" || return 1
	ip -n "$LAB_NS_H" link set "$LAB_VETH_H" up || return 1
	ip -n "$LAB_NS_O" link set "$LAB_VETH_O" up || return 1
	# The host side reaches the lab names over the link (one /24, and a /64
	# for IPv6); the outside sends everything back to the host side, where
	# the container subnets are.
	ip -n "$LAB_NS_O" route add default via "$LAB_HOST4" || return 1
	ip -n "$LAB_NS_O" -6 route add default via "$LAB_HOST6" || return 1
	ip netns exec "$LAB_NS_H" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
		return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=lab \
		-keyout "$LAB/key.pem" -out "$LAB/cert.pem" >"$LAB/openssl.log" 2>&1 || return 1
	cat >"$LAB/lab.json" <<EOF
{"names": $json,
 "http_ports": [80, 8080], "tls_port": 443,
 "cert": "$LAB/cert.pem", "key": "$LAB/key.pem",
 "connect": ["${LAB_CONNECT%:*}", ${LAB_CONNECT##*:}],
 "socks": ["${LAB_SOCKS%:*}", ${LAB_SOCKS##*:}],
 "pac": ["10.99.0.22", 8081],
 "dns": ["$LAB_DNS4", "$LAB_DNS6"],
 "udp_echo": $LAB_UDP_PORT}
EOF
	lab_out_exec python3 "$(dirname "${BASH_SOURCE[0]}")/egress_lab.py" "$LAB" >"$LAB/services.log" 2>&1 &
	LAB_PID=$!
	wait_for 20 test -s "$LAB/ready" || { cat "$LAB/services.log"; return 1; }
	# Reached from the host side over the link: the lab works before any
	# container exists.
	ip netns exec "$LAB_NS_H" curl -fsS --max-time 5 -H 'Host: allowed.lab' http://10.99.0.10/ \
		>"$LAB/probe.out" 2>&1 || { cat "$LAB/probe.out"; return 1; }
	grep -q 'name=allowed.lab' "$LAB/probe.out"
}

# lab_teardown: the services, then both namespaces (the veth pair goes
# with them).  Anything else still running in them was stopped before.
lab_teardown() {
	e2e_stop_pid "$LAB_PID" 5
	LAB_PID=
	local ns pid
	for ns in "$LAB_NS_H" "$LAB_NS_O"; do
		ip netns list | grep -qw "$ns" || continue
		# Stragglers in the namespace (ours only: it was made for this run).
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
}

# lab_mark: remember how long each service log is; lab_new SVC prints the
# lines SVC logged since the mark.
lab_mark() {
	local s
	for s in http tls connect socks pac dns udp; do
		touch "$LAB/log/$s.log"
		eval "_LAB_MARK_$s=$(wc -l <"$LAB/log/$s.log")"
	done
}
lab_new() {
	local n
	eval "n=\${_LAB_MARK_$1:-0}"
	tail -n +"$((n + 1))" "$LAB/log/$1.log"
}
# lab_quiet: no connection reached the outside's TCP services since the mark.
lab_quiet() {
	local s out=
	for s in http tls connect socks; do
		out=$out$(lab_new "$s")
	done
	[ -z "$out" ] || { echo "reached the outside: $out"; return 1; }
}
