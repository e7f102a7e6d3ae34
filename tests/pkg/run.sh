#!/usr/bin/env bash
# dockward packaging test: tests/pkg/run.sh BUILDDIR
#
# BUILDDIR is a configured and built tree (tests/run-all passes build/).
# As root, on a Debian 12 machine whose PID 1 is not systemd:
#
# 1. `make install DESTDIR=...`: the expected files and nothing else, the
#    units' ExecStart names the installed binary, the man pages format
#    without warnings, `make uninstall` removes it all.
# 2. contrib/debian/build-deb.sh (DEB_BUILD_OPTIONS=nocheck): the .deb
#    holds the files, the policy is a conffile.
# 3. `dpkg -i`: files, owners and modes, the policy passes `dockward
#    check`, `systemd-analyze verify` on the installed unit, daemon.json
#    untouched.
# 4. the installed dockward.service started by systemd 252 running as
#    PID 1 of a private pid+mount namespace (tests/pkg/systemd-ns.sh says
#    what differs from a booted host), then a private dockerd (own
#    --data-root, --exec-root, -H under a temp dir) with
#    --authorization-plugin=dockward (in the namespace, the unit's default
#    engine socket /var/run/docker.sock leads to it): a plain run allowed,
#    a privileged run and an /etc bind denied and in the audit log,
#    `systemctl reload` reloads.
# 5. `dpkg --purge`: the machine as it was (files, unit symlinks, state,
#    the plugin socket, cgroups systemd made).
# 6. the managed plugin: contrib/plugin/build-plugin.sh (its dockward
#    refuses to serve with nothing mounted at /host), `docker plugin
#    create` + `enable` on the private dockerd, dockerd restarted with
#    --authorization-plugin=<plugin>: a plain run allowed; a privileged
#    run, binds of /etc and of the Docker socket, `docker plugin disable`
#    denied; bind sources only the host has judged in the host's tree
#    (/host): a symlink to /etc, the engine socket by its path and by a
#    symlink, a root-owned socket denied, the listed image's socket bind
#    (approved offline in the plugin's state) and a project dir inside a
#    user's 0700 directory allowed.
#
# Prints "ok - ..."/"not ok - ..." per check and ends with
# "PKG: N passed, M failed"; exit status 1 on any failure.  Everything is
# bounded by timeouts; the teardown stops what it started and purges the
# package even after a failure.
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
if [ $# -ne 1 ] || [ ! -f "$1/Makefile" ]; then
	echo "usage: $0 BUILDDIR (a configured, built tree)" >&2
	exit 2
fi
BUILD=$(cd "$1" && pwd)

# wait_for, alive, e2e_stop_pid, e2e_reap, e2e_pids, e2e_make_rootfs,
# e2e_umount_under, e2e_mounts_under; no setup runs on sourcing.
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"

PASS=0
FAIL=0
FAILED=()
T=
NAME=dockward-pkg-$$
PNAME=dockward-pkgtest
SOCK=/run/docker/plugins/dockward.sock
IMG=dockward-pkgtest/busybox:latest
DOCKERD_PID=
SYSTEMD_PID=
INSTALLED=
CG_BEFORE=

ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
notok() {
	FAIL=$((FAIL + 1))
	FAILED+=("$1")
	echo "not ok - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 30 | sed -e 's/^/#   | /'
	return 0
}
# check NAME CMD...: CMD must succeed; its output is shown on failure.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1 </dev/null); then ok "$name"; else notok "$name" "$out"; fi
}
# check_out NAME STRING CMD...: CMD must succeed and print STRING.
check_out() {
	local name=$1 want=$2 out
	shift 2
	if ! out=$("$@" 2>&1 </dev/null); then
		notok "$name" "$out"
	elif [[ $out != *"$want"* ]]; then
		notok "$name" "output lacks \"$want\":"$'\n'"$out"
	else
		ok "$name"
	fi
}
# check_deny NAME RULE CMD...: CMD must fail with a dockward denial naming
# RULE ("a|b": either).
check_deny() {
	local name=$1 rule=$2 out r
	shift 2
	if out=$("$@" 2>&1 </dev/null); then
		notok "$name" "succeeded, expected a denial ($rule)"$'\n'"$out"
		return 0
	fi
	for r in ${rule//|/ }; do
		[[ $out == *"dockward:"*"($r)"* ]] && { ok "$name"; return 0; }
	done
	notok "$name" "failed, but not with a dockward denial ($rule):"$'\n'"$out"
}
log() { printf '# %s\n' "$*"; }
dk() { timeout -k 5 60 docker -H "unix://$T/sock/docker.sock" "$@"; }
# sysd ARGS...: systemctl against the systemd of the private namespace.
sysd() { timeout -k 5 30 nsenter -t "$SYSTEMD_PID" -m -p systemctl --no-pager "$@"; }

# dpkg, waiting while another apt or dpkg run holds its lock.
dpkg_locked() {
	local i out
	for i in $(seq 1 60); do
		out=$(timeout -k 10 300 dpkg "$@" 2>&1) && { echo "$out"; return 0; }
		case $out in
		*"lock"*) sleep 3 ;;
		*) echo "$out"; return 1 ;;
		esac
	done
	echo "$out"
	return 1
}

# The machine-wide things the package touches, listed before and after.
machine_state() {
	{
		find /etc/systemd/system -name '*dockward*' 2>/dev/null
		ls -d /etc/systemd/system/* 2>/dev/null
		ls -d /etc/dockward /var/lib/dockward /usr/sbin/dockward \
			/lib/systemd/system/dockward.service "$SOCK" 2>/dev/null
		ls /var/lib/systemd/deb-systemd-helper-enabled 2>/dev/null | grep dockward
		md5sum /etc/docker/daemon.json 2>/dev/null
		dpkg-query -W -f='${Status}\n' dockward 2>/dev/null | grep -v not-installed
	} | sort
}
cgroup_dirs() { find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d \( -name init.scope -o -path '*/system.slice*' \) 2>/dev/null | sort; }

start_dockerd() {
	dockerd --data-root "$T/data" --exec-root "$T/exec" -H "unix://$T/sock/docker.sock" \
		--pidfile "$T/docker.pid" --config-file "$T/daemon.json" \
		--iptables=false --bridge=none \
		--containerd-namespace "$NAME" --containerd-plugins-namespace "$NAME-plugins" \
		"$@" >>"$T/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	local deadline=$(($(date +%s) + 60))
	until dk version >/dev/null 2>&1; do
		alive "$DOCKERD_PID" || { tail -n 20 "$T/dockerd.log"; return 1; }
		[ "$(date +%s)" -ge "$deadline" ] && { tail -n 20 "$T/dockerd.log"; return 1; }
		sleep 0.3
	done
}
stop_dockerd() {
	[ -n "$DOCKERD_PID" ] || return 0
	e2e_stop_pid "$DOCKERD_PID" 30
	DOCKERD_PID=
}

# Stop dockward.service through its systemd, then that systemd (PID 1 of
# its namespace: killing it ends everything in the namespace), then remove
# the cgroups it made in the host's hierarchies.
stop_systemd() {
	[ -n "$SYSTEMD_PID" ] || return 0
	alive "$SYSTEMD_PID" && sysd stop dockward.service >/dev/null 2>&1
	kill -KILL "$SYSTEMD_PID" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $SYSTEMD_PID 2>/dev/null"
	SYSTEMD_PID=
	local d i
	for i in 1 2 3 4 5; do
		for d in $(comm -13 <(echo "$CG_BEFORE") <(cgroup_dirs) | sort -r); do
			rmdir "$d" 2>/dev/null
		done
		[ -z "$(comm -13 <(echo "$CG_BEFORE") <(cgroup_dirs))" ] && break
		sleep 0.5
	done
}

teardown() {
	trap - INT TERM EXIT
	[ -n "$T" ] || return 0
	stop_dockerd
	stop_systemd
	if [ -n "$INSTALLED" ]; then
		dpkg_locked --purge dockward >/dev/null 2>&1
		INSTALLED=
	fi
	rm -f "$SOCK"
	e2e_reap "$T/|-namespace $NAME(-plugins)?( |\$)"
	e2e_umount_under "$T"
	rm -rf "$T"
}

summary() {
	local f
	if [ "$FAIL" -gt 0 ]; then
		echo "# failed checks:"
		for f in "${FAILED[@]}"; do echo "#   $f"; done
	fi
	echo "PKG: $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

on_exit() {
	local rc=$?
	teardown
	summary || rc=1
	exit "$rc"
}

# ------------------------------------------------------------------ setup
[ "$(id -u)" = 0 ] || { echo "pkg: must run as root" >&2; exit 2; }
for c in dpkg-buildpackage dh unshare nsenter dockerd docker curl busybox; do
	command -v "$c" >/dev/null || { echo "pkg: missing $c (contrib/install-deps.sh test installs it)" >&2; exit 2; }
done
if dpkg-query -W -f='${Status}' dockward 2>/dev/null | grep -q 'ok installed'; then
	echo "pkg: the dockward package is installed on this machine; this test installs and purges it" >&2
	exit 2
fi
if [ -d /run/systemd/system ]; then
	echo "pkg: systemd runs this machine; this test runs its own systemd and expects a machine without one" >&2
	exit 2
fi
if [ -S "$SOCK" ] && curl -s --max-time 2 --unix-socket "$SOCK" -X POST http://p/Plugin.Activate >/dev/null; then
	echo "pkg: a dockward plugin already answers on $SOCK" >&2
	exit 2
fi
T=$(mktemp -d /tmp/dockward-pkg.XXXXXXXX) || exit 1
chmod 0700 "$T"
trap on_exit EXIT
trap 'notok "interrupted by SIGINT"; exit 130' INT
trap 'notok "interrupted by SIGTERM"; exit 143' TERM
mkdir -p "$T/data" "$T/exec" "$T/sock"
echo '{}' >"$T/daemon.json"
STATE_BEFORE=$(machine_state)
CG_BEFORE=$(cgroup_dirs)
start=$(date +%s)

# ------------------------------------------------------- 1. make install
log "---- make install DESTDIR"
D=$T/destdir
vars=$(printf 'pkgtest-vars:\n\t@echo "$(sbindir)|$(mandir)|$(docdir)|$(datadir)|$(systemdsystemunitdir)"\n' |
	make -s -C "$BUILD" -f Makefile -f - pkgtest-vars)
IFS='|' read -r sbindir mandir docdir datadir unitdir <<<"$vars"
check "make install DESTDIR=$D" make -C "$BUILD" install DESTDIR="$D"
want="$sbindir/dockward
$mandir/man8/dockward.8
$mandir/man5/dockward-settings.5
$unitdir/dockward.service
$datadir/dockward/systemd/gatekeeper.conf
$datadir/dockward/systemd/docker-private-socket.conf
$docdir/examples/admin-settings.json
$docdir/README.md
$docdir/install.md
$docdir/explain.md
$docdir/doctor.md
$docdir/egress.md
$docdir/observability.md
$docdir/fleet.md
$docdir/privileges.md
$docdir/framing.md
$docdir/isolation.md
$docdir/HACKING.md"
have=$(cd "$D" && find . -type f | sed -e 's|^\.||' | sort)
check_out "installed files are exactly: $(echo $want)" "" \
	diff <(sort <<<"$want") <(echo "$have")
check "the binary is executable: $sbindir/dockward" test -x "$D$sbindir/dockward"
exec_of() { sed -n 's/^ExecStart=\([^ ]\+\).*/\1/p' "$1" | tail -n 1; }
check_out "dockward.service: ExecStart names the installed binary ($sbindir/dockward)" \
	"$sbindir/dockward" exec_of "$D$unitdir/dockward.service"
check_out "gatekeeper.conf: ExecStart names the installed binary" \
	"$sbindir/dockward" exec_of "$D$datadir/dockward/systemd/gatekeeper.conf"
check "no @placeholders@ left in the installed units" \
	sh -c '! grep -n "@[a-z]*dir@" "$@"' _ "$D$unitdir/dockward.service" \
	"$D$datadir/dockward/systemd/gatekeeper.conf"
check "nothing installed under /etc (the policy is the admin's)" test ! -e "$D/etc"
if command -v groff >/dev/null; then
	for m in man8/dockward.8 man5/dockward-settings.5; do
		check_out "$m formats without warnings (groff -man -ww)" "" \
			sh -c 'w=$(groff -man -Tutf8 -ww -z "$1" 2>&1); [ -z "$w" ] || { echo "$w"; exit 1; }' _ "$D$mandir/$m"
	done
fi
check "make uninstall DESTDIR removes every file" \
	sh -c 'make -C "$1" uninstall DESTDIR="$2" >/dev/null && [ -z "$(find "$2" -type f)" ]' _ "$BUILD" "$D"

# ----------------------------------------------------------------- 2. .deb
log "---- Debian package"
t0=$(date +%s)
deb=$(DEB_BUILD_OPTIONS="nocheck noautodbgsym ${DEB_BUILD_OPTIONS:-}" "$top/contrib/debian/build-deb.sh" "$T/deb" 2>"$T/build-deb.log" | tail -n 1)
if [ -f "$deb" ]; then
	ok "contrib/debian/build-deb.sh built $(basename "$deb") in $(($(date +%s) - t0))s"
else
	notok "contrib/debian/build-deb.sh builds a .deb" "$(tail -n 30 "$T/build-deb.log")"
	exit 1
fi
dpkg-deb -c "$deb" | awk '{ print $6 }' >"$T/deb.list"
for f in ./usr/sbin/dockward ./lib/systemd/system/dockward.service ./etc/dockward/admin-settings.json \
    ./usr/share/man/man8/dockward.8.gz ./usr/share/man/man5/dockward-settings.5.gz \
    ./usr/share/dockward/systemd/gatekeeper.conf ./usr/share/doc/dockward/examples/admin-settings.json; do
	check "the .deb holds $f" grep -qx -- "$f" "$T/deb.list"
done
check_out "the policy is a conffile" /etc/dockward/admin-settings.json \
	sh -c 'dpkg-deb --ctrl-tarfile "$1" | tar -xO ./conffiles' _ "$deb"

# ---------------------------------------------------------------- 3. dpkg -i
log "---- dpkg -i"
if out=$(dpkg_locked -i "$deb"); then
	INSTALLED=1
	ok "dpkg -i $(basename "$deb")"
else
	notok "dpkg -i $(basename "$deb")" "$out"
	exit 1
fi
check_out "dpkg says installed" "install ok installed" dpkg-query -W -f='${Status}' dockward
check_out "/usr/sbin/dockward root:root 755" "root:root 755" stat -c '%U:%G %a' /usr/sbin/dockward
check_out "/etc/dockward root:root 755" "root:root 755" stat -c '%U:%G %a' /etc/dockward
check_out "/etc/dockward/admin-settings.json root:root 644" "root:root 644" \
	stat -c '%U:%G %a' /etc/dockward/admin-settings.json
check_out "dpkg lists the policy as a conffile" /etc/dockward/admin-settings.json \
	dpkg-query -W -f='${Conffiles}' dockward
check_out "the packaged policy passes dockward check (owners included)" "policy is valid" \
	/usr/sbin/dockward check --settings /etc/dockward/admin-settings.json
check_out "ExecStart of the installed unit is /usr/sbin/dockward" /usr/sbin/dockward \
	exec_of /lib/systemd/system/dockward.service
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify /lib/systemd/system/dockward.service" \
		timeout 60 systemd-analyze verify --man=no /lib/systemd/system/dockward.service
fi
command -v man >/dev/null &&
	check_out "man -w dockward finds the page" /usr/share/man/man8/dockward.8.gz man -w 8 dockward
check "the unit is enabled (multi-user.target.wants)" \
	test -L /etc/systemd/system/multi-user.target.wants/dockward.service
check "/etc/docker/daemon.json is not changed by the package" \
	test "$(md5sum /etc/docker/daemon.json 2>/dev/null)" = "$(grep daemon.json <<<"$STATE_BEFORE")"

# -------------------------------------------- 4. the unit under systemd
log "---- dockward.service under systemd (private pid+mount namespace)"
: >"$T/dockward.out"
unshare --pid --fork --mount --mount-proc "$here/systemd-ns.sh" \
	/lib/systemd/system/dockward.service "$T" >"$T/systemd.log" 2>&1 &
ns_pid=$!
# systemd is the child of unshare: PID 1 of the new namespace.
wait_for 10 pgrep -P "$ns_pid" -x systemd
SYSTEMD_PID=$(pgrep -P "$ns_pid" -x systemd)
if [ -n "$SYSTEMD_PID" ] && wait_for 30 curl -sf --max-time 2 --unix-socket "$SOCK" \
    -X POST http://p/Plugin.Activate; then
	ok "systemd started dockward.service; $SOCK answers Plugin.Activate"
else
	notok "systemd starts dockward.service and $SOCK answers" \
		"$(cat "$T/systemd.log" "$T/dockward.out" 2>/dev/null | tail -n 20)"
fi
check_out "systemctl: dockward.service is active" "ActiveState=active" \
	sysd show -p ActiveState dockward.service
main_pid=$(sysd show -p MainPID --value dockward.service 2>/dev/null)
# The namespace's pid of the service, seen from the host: its cmdline.
unit_cmd=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/dockward.service | tail -n 1)
check_out "the service runs the installed unit's ExecStart ($unit_cmd)" "$unit_cmd" \
	nsenter -t "$SYSTEMD_PID" -m -p sh -c 'tr "\0" " " </proc/$1/cmdline' _ "$main_pid"
check_out "StateDirectory: /var/lib/dockward root 700" "root 700" stat -c '%U %a' /var/lib/dockward

if start_dockerd --authorization-plugin=dockward; then
	ok "private dockerd with --authorization-plugin=dockward answers"
	e2e_make_rootfs "$T/rootfs" >/dev/null 2>&1
	check "docker import of the offline test image (allowed)" \
		sh -c 'tar -C "$1/rootfs" -c . | timeout 60 docker -H "unix://$1/sock/docker.sock" import -c "CMD [\"sh\"]" - "$2"' _ "$T" "$IMG"
	check_out "allowed: docker run --rm $IMG echo hello" hello dk run --rm "$IMG" echo hello
	check_deny "denied: docker run --privileged (container.privileged)" container.privileged \
		dk run --rm --privileged "$IMG" true
	check_deny "denied: docker run -v /etc:/x (mount.protectedPath)" mount.protectedPath \
		dk run --rm -v /etc:/x "$IMG" true
	check_out "the audit log (service stdout) has the privileged deny" '"rule":"container.privileged"' \
		grep -F '"decision":"deny"' "$T/dockward.out"
	n=$(grep -c 'policy reloaded' "$T/dockward.out")
	check "systemctl reload dockward (ExecReload: SIGHUP)" sysd reload dockward.service
	check "dockward logs the reload" wait_for 10 sh -c '[ "$(grep -c "policy reloaded" "$1")" -gt "$2" ]' \
		_ "$T/dockward.out" "$n"
	check_deny "still denied after the reload" container.privileged dk run --rm --privileged "$IMG" true
else
	notok "private dockerd with --authorization-plugin=dockward answers" "$(tail -n 20 "$T/dockerd.log")"
fi
stop_dockerd
check "systemctl stop dockward" sysd stop dockward.service
check "the plugin socket is gone after stop" test ! -e "$SOCK"
stop_systemd

# ------------------------------------------------------------- 5. purge
log "---- dpkg --purge"
check "dpkg --purge dockward" dpkg_locked --purge dockward
INSTALLED=
rm -f "$SOCK"
check_out "the machine is as it was (package, files, unit symlinks, state, socket, daemon.json)" "" \
	diff <(echo "$STATE_BEFORE") <(machine_state)
check_out "no cgroups left by the test's systemd" "" \
	diff <(printf '%s' "$CG_BEFORE") <(cgroup_dirs)

# ---------------------------------------------------- 6. managed plugin
log "---- managed plugin"
P=$T/plugin
if check "contrib/plugin/build-plugin.sh $BUILD/dockward" \
    "$top/contrib/plugin/build-plugin.sh" "$BUILD/dockward" "$P"; then
	check "the rootfs runs dockward (chroot, ldd's libraries)" chroot "$P/rootfs" /usr/sbin/dockward version
	# Fail closed: without the host's / at /host (config.json's "host"
	# mount) its lookups would judge the plugin's own files.
	check_out "the bundle's dockward refuses to serve when nothing is mounted at /host" \
		"nothing is mounted there" sh -c '! chroot "$1/rootfs" /usr/sbin/dockward serve \
		--host-root /host --plugin-socket /tmp/x.sock --settings /etc/dockward/admin-settings.json' _ "$P"
fi
# The package's policy with one image listed for the Docker socket mount,
# approved offline (no registry has it) in the plugin's own state dir.
SOCKIMG=dockward-pkgtest.invalid/sock:1
install -d -m 0755 "$T/policy"
sed -e "s|\"images\": \[\]|\"images\": [\"$SOCKIMG\"]|" "$top/contrib/debian/admin-settings.json" \
	>"$T/policy/admin-settings.json"
chmod 0644 "$T/policy/admin-settings.json"
check_out "the plugin's policy lists $SOCKIMG" "$SOCKIMG" cat "$T/policy/admin-settings.json"
if start_dockerd; then
	check "docker plugin create $PNAME" dk plugin create "$PNAME" "$P"
	pstate=$T/data/plugins/$(dk plugin inspect -f '{{.Id}}' "$PNAME")/rootfs/var/lib/dockward
	# An image of its own (a label apart): dockward knows a listed image by content.
	check "$SOCKIMG approved offline in the plugin's state dir (dockward trust import)" \
		sh -c 'd="timeout -k 5 60 docker -H unix://$1/sock/docker.sock"
			tar -C "$1/rootfs" -c . | $d import -c "CMD [\"sh\"]" -c "LABEL pkgtest=sock" - "$2" &&
			$d save -o "$1/sockimg.tar" "$2" && "$3" trust import "$1/sockimg.tar" --state-dir "$4"' \
		_ "$T" "$SOCKIMG" "$BUILD/dockward" "$pstate"
	check "docker plugin set: the private engine socket and policy dir" \
		dk plugin set "$PNAME" engine.source="$T/sock/docker.sock" policy.source="$T/policy"
	check "docker plugin enable $PNAME" dk plugin enable --timeout 60 "$PNAME"
	stop_dockerd
	if start_dockerd --authorization-plugin="$PNAME"; then
		ok "dockerd restarted with --authorization-plugin=$PNAME answers"
		check_out "the plugin looks host paths up under /host (its log, in dockerd's)" \
			"host paths are looked up under /host" cat "$T/dockerd.log"
		check_out "allowed through the plugin: docker run --rm $IMG echo hi" hi dk run --rm "$IMG" echo hi
		check_deny "denied through the plugin: docker run --privileged" container.privileged \
			dk run --rm --privileged "$IMG" true
		# Decided by name: the plugin's own tree has no /etc of the host.
		check_deny "denied through the plugin: docker run -v /etc:/x" mount.protectedPath \
			dk run --rm -v /etc:/x "$IMG" true
		check_deny "denied through the plugin: docker run -v /var/run/docker.sock:/s" \
			"mount.protectedPath|mount.dockerSocket" dk run --rm -v /var/run/docker.sock:/s "$IMG" true
		# Judged on the host's tree (/host in the plugin), not the plugin's:
		# host-only names the plugin's own rootfs lacks.  "MOUNTED" in a
		# failure's output means the container ran with the mount.
		ln -s /etc "$T/etc-link"
		ln -s "$T/sock/docker.sock" "$T/engine-link"
		perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Local => $ARGV[0], Listen => 1) or die "$!\n"' \
			"$T/root.sock"
		check_deny "denied through the plugin: a host symlink to /etc ($T/etc-link)" mount.protectedPath \
			dk run --rm -v "$T/etc-link:/x" "$IMG" sh -c 'test -e /x/passwd && echo MOUNTED'
		check_deny "denied through the plugin: the engine socket by its host path" mount.dockerSocket \
			dk run --rm -v "$T/sock/docker.sock:/s" "$IMG" sh -c 'test -S /s && echo MOUNTED'
		check_deny "denied through the plugin: the engine socket through a host symlink" mount.dockerSocket \
			dk run --rm -v "$T/engine-link:/s" "$IMG" sh -c 'test -S /s && echo MOUNTED'
		check_out "allowed through the plugin: the listed $SOCKIMG binds the engine socket" MOUNTED \
			dk run --rm -v "$T/sock/docker.sock:/s" "$SOCKIMG" sh -c 'test -S /s && echo MOUNTED'
		check_deny "denied through the plugin: a root-owned socket only the host has" mount.rootSocket \
			dk run --rm -v "$T/root.sock:/s" "$IMG" sh -c 'test -S /s && echo MOUNTED'
		# Inside a user's private (0700) directory: judged with CAP_DAC_READ_SEARCH.
		install -d -m 0700 -o 1000 -g 1000 "$T/private"
		install -d -m 0755 -o 1000 -g 1000 "$T/private/project"
		echo hi >"$T/private/project/file"
		check_out "allowed through the plugin: a host-only directory in a user's 0700 one" MOUNTED \
			dk run --rm -v "$T/private/project:/p:ro" "$IMG" sh -c 'test -e /p/file && echo MOUNTED'
		check_deny "denied through the plugin: docker plugin disable (plugin.manage)" plugin.manage \
			dk plugin disable "$PNAME"
	else
		notok "dockerd restarted with --authorization-plugin=$PNAME answers" "$(tail -n 20 "$T/dockerd.log")"
	fi
else
	notok "private dockerd (no plugin) answers" "$(tail -n 20 "$T/dockerd.log")"
fi
stop_dockerd
log "took $(($(date +%s) - start))s"
