#!/usr/bin/env bash
# Run as PID 1 of a new pid+mount namespace (tests/pkg/run.sh starts it with
# `unshare --pid --fork --mount --mount-proc`): systemd 252 as the system
# manager, starting dockward.service from the installed unit file and
# nothing else.
#
#     systemd-ns.sh UNIT_FILE WORKDIR
#
# WORKDIR holds dockward.out (the service's stdout and stderr: the audit log
# and dockward's log) and sock/docker.sock (the test's private dockerd).
#
# What differs from a booted host, and why:
# - /run is a private tmpfs.  The host's /run/docker/plugins is bind-mounted
#   into it, so the plugin socket the unit creates there is the one the
#   host's dockerd connects to, and /run/docker.sock (= /var/run/docker.sock,
#   the unit's default --engine-socket) is a symlink to the private dockerd's
#   socket: dockward inspects containers before they start and must reach
#   the engine that asks it.  The host's own /run is left alone (systemd
#   writes /run/systemd/... here, not there).
# - /sys/fs/cgroup is a private tmpfs: systemd remounts it read-only once
#   it has mounted the hierarchies, which on the shared tmpfs would change
#   the host's.  The cgroups it makes (init.scope, system.slice) are in the
#   host's hierarchies; run.sh removes them.
# - /lib/systemd/system and /etc/systemd/system are private tmpfs holding
#   empty sysinit/basic/network targets, the test target and the installed
#   unit file bind-mounted at its own path: the host's units (tmpfiles,
#   udev, journald, sysctl...) must not run here.
# - A drop-in sends the service's stdout/stderr to WORKDIR/dockward.out, as
#   there is no journald.
set -eu
unit=$1
work=$2
mount --make-rprivate /
mkdir -p /run/docker/plugins "$work/hold-plugins" "$work/hold-unit"
# Hold on to what the tmpfs mounts below cover.
mount --bind /run/docker/plugins "$work/hold-plugins"
: >"$work/hold-unit/dockward.service"
mount --bind "$unit" "$work/hold-unit/dockward.service"
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/docker/plugins /run/pkgtest-engine
mount --bind "$work/hold-plugins" /run/docker/plugins
mount --bind "$work/sock" /run/pkgtest-engine
ln -s /run/pkgtest-engine/docker.sock /run/docker.sock
mount -t tmpfs -o mode=0755 tmpfs /sys/fs/cgroup
mount -t tmpfs -o mode=0755 tmpfs /etc/systemd/system
mount -t tmpfs -o mode=0755 tmpfs /lib/systemd/system
for t in sysinit basic local-fs network network-online shutdown default; do
	printf '[Unit]\nDescription=%s (dockward package test)\n' "$t" \
		>"/lib/systemd/system/$t.target"
done
printf '[Unit]\nDescription=dockward package test\nWants=dockward.service\nAfter=dockward.service\n' \
	>/lib/systemd/system/dockward-pkgtest.target
: >/lib/systemd/system/dockward.service
mount --bind "$work/hold-unit/dockward.service" /lib/systemd/system/dockward.service
mkdir -p /run/systemd/system/dockward.service.d
printf '[Service]\nStandardOutput=append:%s\nStandardError=append:%s\n' \
	"$work/dockward.out" "$work/dockward.out" \
	>/run/systemd/system/dockward.service.d/pkgtest-output.conf
exec env container=dockward-pkgtest /lib/systemd/systemd --system \
	--unit=dockward-pkgtest.target --log-target=console --show-status=no
