#!/usr/bin/env bash
# record.sh SOCKET|--private-dockerd [OUT [CASE...]]
#
# Records how a real dockerd (one WITHOUT an authorization plugin) reads the
# POST /containers/create bodies of cases.json: each body is posted as it is
# (curl --unix-socket), the container is inspected, a fixed set of fields is
# extracted (jq filter `fields` below), and the container is removed.  Writes
# OUT (default: recorded.json beside this script):
#   {"dockerd": version, "go": version, "api": "1.41",
#    "cases": [{"name", "body", "dup"?, "status", "fields" | "error"}]}
# CASE names select cases (default: all).  The test image
# dockward-test/busybox:latest (busybox rootfs, CMD ["sh"], as the e2e suite
# imports it) is imported when the engine lacks it.
#
# --private-dockerd starts a dockerd of its own (data, sockets and containerd
# namespace under a temporary directory, no bridge, no iptables), records,
# stops it and removes everything.  Used once to write recorded.json; the e2e
# suite (t_15_gojson.sh) calls this script with its own engine socket to check
# that the recording still holds.
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
API=v1.41
IMAGE=dockward-test/busybox:latest
TMO=${RECORD_TIMEOUT:-30}

# The extracted fields.  Go's nil and empty slices (and maps) are one value
# here: inspect prints null or [] depending on how the value was built.
FIELDS='{
	Image: .Config.Image,
	Cmd: (.Config.Cmd // []),
	User: .Config.User,
	Env: (.Config.Env // []),
	Privileged: .HostConfig.Privileged,
	NetworkMode: .HostConfig.NetworkMode,
	PidMode: .HostConfig.PidMode,
	IpcMode: .HostConfig.IpcMode,
	UTSMode: .HostConfig.UTSMode,
	UsernsMode: .HostConfig.UsernsMode,
	CapAdd: (.HostConfig.CapAdd // []),
	Binds: (.HostConfig.Binds // []),
	Mounts: [(.HostConfig.Mounts // [])[]
	    | {Type: (.Type // ""), Source: (.Source // ""), Target: (.Target // "")}],
	Devices: [(.HostConfig.Devices // [])[]
	    | {PathOnHost: (.PathOnHost // ""), PathInContainer: (.PathInContainer // ""),
	       CgroupPermissions: (.CgroupPermissions // "")}],
	SecurityOpt: (.HostConfig.SecurityOpt // []),
	ReadonlyRootfs: .HostConfig.ReadonlyRootfs,
	PublishAllPorts: .HostConfig.PublishAllPorts,
	PortBindings: ((.HostConfig.PortBindings // {})
	    | map_values([(. // [])[] | {HostIp: (.HostIp // ""), HostPort: (.HostPort // "")}]))
}'

die() { echo "record.sh: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: record.sh SOCKET|--private-dockerd [OUT [CASE...]]"
sock=$1
out=${2:-$here/recorded.json}
shift
[ $# -gt 0 ] && shift
for c in curl jq; do command -v "$c" >/dev/null || die "missing $c"; done

# shellcheck source=tests/e2e/lib.sh
. "$here/../../e2e/lib.sh"	# e2e_make_rootfs, e2e_stop_pid, e2e_reap, e2e_umount_under

W=$(mktemp -d /tmp/dockward-gojson.XXXXXXXX) || exit 1
NS=dockward-gojson-$$
PRIVATE_PID=
cleanup() {
	if [ -n "$PRIVATE_PID" ]; then
		e2e_stop_pid "$PRIVATE_PID" 30
		e2e_reap "$W/|-namespace $NS( |\$)"
		e2e_umount_under "$W"
	fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# req METHOD PATH [curl args...]: the answer body in $W/resp, the status printed.
req() {
	local m=$1 p=$2
	shift 2
	curl -sS --max-time "$TMO" --unix-socket "$sock" -X "$m" -o "$W/resp" \
		-w '%{http_code}' "$@" "http://localhost/$API$p"
}

if [ "$sock" = --private-dockerd ]; then
	[ "$(id -u)" = 0 ] || die "--private-dockerd needs root"
	mkdir -p "$W/data" "$W/exec"
	echo '{}' >"$W/daemon.json"
	sock=$W/docker.sock
	dockerd --data-root "$W/data" --exec-root "$W/exec" -H "unix://$sock" \
		--pidfile "$W/docker.pid" --config-file "$W/daemon.json" \
		--iptables=false --bridge=none \
		--containerd-namespace "$NS" --containerd-plugins-namespace "$NS-plugins" \
		>"$W/dockerd.log" 2>&1 &
	PRIVATE_PID=$!
	wait_for 60 curl -fsS --max-time 2 --unix-socket "$sock" http://localhost/_ping ||
		{ tail -n 20 "$W/dockerd.log" >&2; die "private dockerd did not answer"; }
fi
[ -S "$sock" ] || die "$sock is not a socket"

[ "$(req GET /version)" = 200 ] || die "GET /version on $sock failed"
jq '{dockerd: .Version, go: .GoVersion, api: "1.41"}' "$W/resp" >"$W/head.json" || exit 1

if [ "$(req GET "/images/$IMAGE/json")" != 200 ]; then
	e2e_make_rootfs "$W/rootfs" || die "cannot build the busybox rootfs"
	tar -C "$W/rootfs" -c . >"$W/rootfs.tar" || exit 1
	code=$(req POST "/images/create?fromSrc=-&repo=${IMAGE%:*}&tag=${IMAGE##*:}&changes=CMD%20%5B%22sh%22%5D" \
		-H 'Content-Type: application/x-tar' --data-binary @"$W/rootfs.tar")
	[ "$code" = 200 ] && [ "$(req GET "/images/$IMAGE/json")" = 200 ] ||
		die "cannot import $IMAGE (HTTP $code): $(cat "$W/resp")"
fi

# The selected cases, one compact JSON object a line.
jq -c '.cases[] | select(($ARGS.positional | length) == 0 or
	(.name as $n | $ARGS.positional | index($n)))' --args "$@" <"$here/cases.json" >"$W/cases" ||
	die "cannot read $here/cases.json"
[ -s "$W/cases" ] || die "no case selected"

: >"$W/results"
i=0
while IFS= read -r case; do
	i=$((i + 1))
	printf '%s' "$case" | jq -j .body >"$W/body" || exit 1
	name=gojson-$$-$i
	code=$(req POST "/containers/create?name=$name" -H 'Content-Type: application/json' \
		--data-binary @"$W/body") || die "POST /containers/create failed: $code"
	if [ "$code" = 201 ]; then
		id=$(jq -r .Id "$W/resp")
		[ "$(req GET "/containers/$id/json")" = 200 ] || die "cannot inspect $id"
		jq -c "{fields: $FIELDS}" "$W/resp" >"$W/answer" || exit 1
		[ "$(req DELETE "/containers/$id?force=1")" = 204 ] || die "cannot remove $id"
	else
		jq -c '{error: (.message // tostring)}' "$W/resp" >"$W/answer" 2>/dev/null ||
			jq -R -s -c '{error: .}' "$W/resp" >"$W/answer"
	fi
	printf '%s' "$case" | jq -c --argjson status "$code" --slurpfile a "$W/answer" \
		'. + {status: $status} + $a[0]' >>"$W/results" || exit 1
done <"$W/cases"

jq -s --slurpfile head "$W/head.json" '$head[0] + {cases: .}' "$W/results" >"$W/out.json" &&
	mv -f "$W/out.json" "$out" || die "cannot write $out"
echo "record.sh: $i cases from $(jq -r .dockerd "$out") written to $out"
