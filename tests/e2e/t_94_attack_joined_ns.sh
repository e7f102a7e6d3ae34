# shellcheck shell=bash
# Issue 12, root cause 3: "container:X" namespace modes.  An admin's
# container with host namespaces must not lend them to a normal caller who
# names it (directly, through a chain, by id prefix, after a rename, in a
# build), and IPC/net sysctls are judged in the namespace really joined.
# Part of root cause 9: log drivers dialing host unix sockets, networks
# taking over host interfaces.  Every attack is judged by its effect: what
# exists on the engine afterwards, and the host's own values.

# The engine itself, for judging effects and cleaning up (no policy hides anything).
e94_engine() { DOCKER_HOST=unix://$ENGINE_SOCK timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"; }

# e94_absent NAME: no container of that name exists on the engine.
e94_absent() { ! e94_engine container inspect "$1" >/dev/null 2>&1; }

# e94_no_join TARGET_ID: no container but the admin's own joins TARGET's namespaces.
e94_no_join() {
	local ids
	ids=$(e94_engine ps -aq --no-trunc) || return 1
	[ -z "$ids" ] && return 0
	# shellcheck disable=SC2086
	! e94_engine inspect -f '{{.Name}} {{.HostConfig.PidMode}} {{.HostConfig.NetworkMode}} {{.HostConfig.IpcMode}}' $ids |
		grep -v '^/e2e94-via ' | grep -E "container:(e2e94-hostpid|e2e94-via|e2e94-bait|${1:0:12})"
}

# e94_ns_of CTR NS: the namespace CTR's process is in (e.g. "pid:[4026531836]").
e94_ns_of() {
	local pid
	pid=$(e94_engine inspect -f '{{.State.Pid}}' "$1") || return 1
	readlink "/proc/$pid/ns/$2"
}

# --- admin fixtures: host namespaces, and a container that joins them (X -> Y)
expect_ok -n "admin: e2e94-hostpid with --pid/--net/--ipc host" \
	e2e_admin run -d --name e2e94-hostpid --pid host --net host --ipc host "$TEST_IMAGE" sleep 600
expect_ok -n "admin: e2e94-via joining e2e94-hostpid's namespaces" \
	e2e_admin run -d --name e2e94-via --pid container:e2e94-hostpid \
	--net container:e2e94-hostpid --ipc container:e2e94-hostpid "$TEST_IMAGE" sleep 600
HOSTPID_ID=$(e94_engine inspect -f '{{.Id}}' e2e94-hostpid 2>/dev/null)
# e94_same_ns A B: two namespace links are the same (shown when not).
e94_same_ns() { echo "$1 vs $2"; [ -n "$1" ] && [ "$1" = "$2" ]; }
expect_ok -n "fixture: e2e94-hostpid really has dockerd's (the host's) pid namespace" \
	e94_same_ns "$(e94_ns_of e2e94-hostpid pid)" "$(readlink "/proc/$DOCKERD_PID/ns/pid")"
mkdir -p "$T/ctx94"
printf 'FROM %s\nRUN true\n' "$TEST_IMAGE" >"$T/ctx94/Dockerfile"
MQ_BEFORE=$(cat /proc/sys/fs/mqueue/msg_max)
SHM_BEFORE=$(cat /proc/sys/kernel/shmmax)

# --- attacks, as a normal caller
expect_deny -n "[container.namespace] run --pid container:<host-pid container>" container.namespace \
	dk run -d --name e2e94-atk-pid --pid container:e2e94-hostpid "$TEST_IMAGE" sleep 60
expect_deny -n "[container.namespace] run --net container:<host-net container>" container.namespace \
	dk run -d --name e2e94-atk-net --net container:e2e94-hostpid "$TEST_IMAGE" sleep 60
expect_deny -n "[container.namespace] run --ipc container:<host-ipc container> --sysctl fs.mqueue.msg_max" \
	container.namespace dk run -d --name e2e94-atk-ipc --ipc container:e2e94-hostpid \
	--sysctl "fs.mqueue.msg_max=$((MQ_BEFORE + 7))" "$TEST_IMAGE" sleep 60
expect_deny -n "[container.namespace] create --pid container:<id prefix>" container.namespace \
	dk create --name e2e94-atk-prefix --pid "container:${HOSTPID_ID:0:12}" "$TEST_IMAGE" sleep 60
expect_deny -n "[container.namespace] chain: --pid container:X where X joins the host's" container.namespace \
	dk create --name e2e94-atk-chain-pid --pid container:e2e94-via "$TEST_IMAGE" sleep 60
expect_deny -n "[container.namespace] chain: --net container:X where X joins the host's" container.namespace \
	dk create --name e2e94-atk-chain-net --net container:e2e94-via "$TEST_IMAGE" sleep 60
expect_deny -n "[container.namespace] chain: --ipc container:X where X joins the host's" container.namespace \
	dk create --name e2e94-atk-chain-ipc --ipc container:e2e94-via "$TEST_IMAGE" sleep 60
expect_deny -n "[container.namespace] --pid container:<no such container>" container.namespace \
	dk create --name e2e94-atk-missing --pid container:e2e94-nosuch "$TEST_IMAGE" sleep 60
expect_deny -n "[container.namespace] raw create, PidMode at the top level" container.namespace \
	api POST '/v1.41/containers/create?name=e2e94-atk-raw' \
	"{\"Image\":\"$TEST_IMAGE\",\"Cmd\":[\"sleep\",\"60\"],\"PidMode\":\"container:e2e94-hostpid\"}"
expect_deny -n "[container.namespace] build --network container:<host-net container>" container.namespace \
	dk build --network container:e2e94-hostpid -t dockward-test/joinedns:1 "$T/ctx94"
expect_deny -n "[container.namespace] raw /build?networkmode=container:..." container.namespace \
	api POST '/v1.41/build?t=dockward-test/joinedns:2&networkmode=container:e2e94-via' '' \
	-H 'Content-Type: application/x-tar' --data-binary ''

# Effects: none of those containers or images exists; the host's value is unchanged.
for n in pid net ipc prefix chain-pid chain-net chain-ipc missing raw; do
	expect_ok -n "effect: no container e2e94-atk-$n on the engine" e94_absent "e2e94-atk-$n"
done
expect_ok -n "effect: no container joins e2e94-hostpid's or e2e94-via's namespaces" e94_no_join "$HOSTPID_ID"
expect_fail -n "effect: no image dockward-test/joinedns:1 was built" e94_engine image inspect dockward-test/joinedns:1
expect_fail -n "effect: no image dockward-test/joinedns:2 was built" e94_engine image inspect dockward-test/joinedns:2
expect_ok -n "effect: the host's fs.mqueue.msg_max is unchanged ($MQ_BEFORE)" \
	test "$(cat /proc/sys/fs/mqueue/msg_max)" = "$MQ_BEFORE"
# A regression must not leave the host changed.
e94_restore_sysctls() {
	[ "$(cat /proc/sys/fs/mqueue/msg_max)" = "$MQ_BEFORE" ] ||
		echo "$MQ_BEFORE" >/proc/sys/fs/mqueue/msg_max
	[ "$(cat /proc/sys/kernel/shmmax)" = "$SHM_BEFORE" ] ||
		echo "$SHM_BEFORE" >/proc/sys/kernel/shmmax
}
e94_restore_sysctls

# --- names: dockerd 20.10 stores X's id at create, but resolves the name
# again after dockward's check; a host container renamed in between to an
# ordinary container's name would be joined.  Users cannot rename them.
expect_ok -n "ordinary bait container" dk run -d --name e2e94-bait "$TEST_IMAGE" sleep 600
expect_ok -n "rename the bait away (ordinary: allowed)" dk rename e2e94-bait e2e94-bait-old
expect_deny -n "[container.namespace] rename the host-namespace container to the bait's name" \
	container.namespace dk rename e2e94-hostpid e2e94-bait
expect_deny -n "[container.namespace] rename a container joining the host's" \
	container.namespace dk rename e2e94-via e2e94-bait
expect_ok -n "effect: e2e94-hostpid and e2e94-via kept their names" \
	e94_engine container inspect e2e94-hostpid e2e94-via
expect_ok -n "effect: no container is named e2e94-bait" e94_absent e2e94-bait

# --- exec into a host-namespace container gives what container:X would
# (judged with the container's whole stored configuration: authz_existing.c)
expect_deny -n "[container.existing] exec into the host-namespace container" \
	container.existing dk exec e2e94-hostpid true
expect_deny -n "[container.existing] exec into a container joining the host's" \
	container.existing dk exec e2e94-via true
expect_ok -n "effect: no exec instance was made in either" \
	test "$(e94_engine inspect -f '{{len .ExecIDs}}' e2e94-hostpid e2e94-via | tr '\n' ' ')" = "0 0 "

# --- start: a container made unjudged (by an admin, or before dockward) that
# joins the host's namespaces is not started by a user
expect_ok -n "admin: create (not start) e2e94-adminjoin --pid container:e2e94-hostpid" \
	e2e_admin create --name e2e94-adminjoin --pid container:e2e94-hostpid "$TEST_IMAGE" sleep 60
expect_deny -n "[container.existing] start e2e94-adminjoin" container.existing dk start e2e94-adminjoin
expect_ok -n "effect: e2e94-adminjoin is not running" \
	test "$(e94_engine inspect -f '{{.State.Running}}' e2e94-adminjoin)" = false
expect_ok -n "cleanup: rm e2e94-adminjoin" e94_engine rm -f e2e94-adminjoin

# --- allowed: the namespace joined is the container's own, or an ordinary container's
expect_ok -n "ordinary container e2e94-plain (--ipc shareable)" \
	dk run -d --name e2e94-plain --ipc shareable "$TEST_IMAGE" sleep 600
expect_out -n "run --ipc private --sysctl kernel.shmmax=... (IPC-namespaced: allowed)" 12345678 \
	dk run --rm --ipc private --sysctl kernel.shmmax=12345678 "$TEST_IMAGE" cat /proc/sys/kernel/shmmax
expect_out -n "run --sysctl kernel.msgmax=... (default private IPC: allowed)" 32768 \
	dk run --rm --sysctl kernel.msgmax=32768 "$TEST_IMAGE" cat /proc/sys/kernel/msgmax
expect_out -n "run --ipc container:<ordinary> --sysctl fs.mqueue.msg_max=..." "$((MQ_BEFORE + 3))" \
	dk run --rm --ipc container:e2e94-plain --sysctl "fs.mqueue.msg_max=$((MQ_BEFORE + 3))" \
	"$TEST_IMAGE" cat /proc/sys/fs/mqueue/msg_max
expect_ok -n "effect: the host's kernel.shmmax and fs.mqueue.msg_max are unchanged" \
	test "$(cat /proc/sys/kernel/shmmax):$(cat /proc/sys/fs/mqueue/msg_max)" = "$SHM_BEFORE:$MQ_BEFORE"
e94_restore_sysctls
expect_ok -n "run -d --net container:<ordinary>" \
	dk run -d --name e2e94-joiner --net container:e2e94-plain --pid container:e2e94-plain "$TEST_IMAGE" sleep 600
expect_ok -n "effect: e2e94-joiner shares e2e94-plain's net namespace, not the host's" \
	sh -c 'echo "$*"; [ -n "$1" ] && [ "$1" = "$2" ] && [ "$1" != "$3" ]' _ "$(e94_ns_of e2e94-joiner net)" \
	"$(e94_ns_of e2e94-plain net)" "$(readlink "/proc/$DOCKERD_PID/ns/net")"
expect_ok -n "effect: e2e94-joiner's pid namespace is e2e94-plain's, not the host's" \
	sh -c 'echo "$*"; [ -n "$1" ] && [ "$1" = "$2" ] && [ "$1" != "$3" ]' _ "$(e94_ns_of e2e94-joiner pid)" \
	"$(e94_ns_of e2e94-plain pid)" "$(readlink "/proc/$DOCKERD_PID/ns/pid")"

# --- log drivers that dial a unix socket as root (nothing listens at the path)
expect_deny -n "[container.logDriver] --log-opt syslog-address=unix://..." container.logDriver \
	dk create --name e2e94-atk-log1 --log-driver syslog \
	--log-opt "syslog-address=unix://$T/e2e94-no-such.sock" "$TEST_IMAGE" true
expect_deny -n "[container.logDriver] --log-opt syslog-address=unixgram://..." container.logDriver \
	dk create --name e2e94-atk-log2 --log-driver syslog \
	--log-opt "syslog-address=unixgram://$T/e2e94-no-such.sock" "$TEST_IMAGE" true
expect_deny -n "[container.logDriver] --log-opt fluentd-address=unix://..." container.logDriver \
	dk create --name e2e94-atk-log3 --log-driver fluentd \
	--log-opt "fluentd-address=unix://$T/e2e94-no-such.sock" "$TEST_IMAGE" true
for n in log1 log2 log3; do
	expect_ok -n "effect: no container e2e94-atk-$n on the engine" e94_absent "e2e94-atk-$n"
done
# With a socket that exists (ours, in the run's directory, standing for a
# root service's), nothing dockerd logs may reach it.
E94_LOGSOCK=$T/e2e94-log.sock
timeout 120 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(110)
try:
    d = s.recv(65536)
    open(sys.argv[2], "wb").write(d)
except OSError:
    pass
' "$E94_LOGSOCK" "$T/e2e94-log.got" &
E94_LISTENER=$!
wait_for 10 test -S "$E94_LOGSOCK"
expect_deny -n "[container.logDriver] run --log-opt syslog-address=unixgram://<existing socket>" container.logDriver \
	dk run --name e2e94-atk-log4 --log-driver syslog \
	--log-opt "syslog-address=unixgram://$E94_LOGSOCK" "$TEST_IMAGE" echo e2e94-leak
expect_ok -n "effect: nothing reached the socket" \
	sh -c '! [ -e "$1" ]' _ "$T/e2e94-log.got"
expect_ok -n "effect: no container e2e94-atk-log4 on the engine" e94_absent e2e94-atk-log4
kill "$E94_LISTENER" 2>/dev/null
wait "$E94_LISTENER" 2>/dev/null

# --- networks over host interfaces.  "lo" exists in every namespace and is no
# bridge, so even a wrongly allowed create could not alter it; nothing here
# creates or changes an interface.
expect_deny -n "[network.hostInterface] network create -o com.docker.network.bridge.name=lo" \
	network.hostInterface dk network create -o com.docker.network.bridge.name=lo e2e94-net-lo
expect_deny -n "[network.hostInterface] network create -d macvlan -o parent=lo" \
	network.hostInterface dk network create -d macvlan -o parent=lo e2e94-net-mv
for n in lo mv; do
	expect_fail -n "effect: no network e2e94-net-$n on the engine" e94_engine network inspect "e2e94-net-$n"
done

# --- cleanup
expect_ok -n "cleanup: remove the e2e94 containers" e94_engine rm -f e2e94-joiner e2e94-plain \
	e2e94-bait-old e2e94-via e2e94-hostpid
