#!/usr/bin/env bash
# Build the managed-plugin bundle of dockward:
#
#     contrib/plugin/build-plugin.sh DOCKWARD_BINARY OUTDIR
#     docker plugin create dockward OUTDIR
#
# OUTDIR gets config.json (contrib/plugin/config.json) and rootfs/: the
# binary as /usr/sbin/dockward, every shared library `ldd` names (and the
# dynamic loader), the CA certificates, a minimal /etc (passwd, group,
# nsswitch.conf, hosts) and the mount points config.json uses.  OUTDIR must
# not exist or be empty.  Run as root, so that the files are root's:
# dockward refuses a policy whose path has a directory others can write.
# The limits of the plugin are in docs/install.md (Managed plugin).
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 DOCKWARD_BINARY OUTDIR" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
bin=$1
out=$2
[ -x "$bin" ] || { echo "build-plugin: $bin is not an executable" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "build-plugin: run as root (the rootfs must be root's)" >&2; exit 1; }
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
	echo "build-plugin: $out is not empty" >&2
	exit 1
fi
mkdir -p "$out"
r=$out/rootfs
umask 022
mkdir -p "$r/usr/sbin" "$r/etc/dockward" "$r/etc/ssl/certs" "$r/run/docker/plugins" \
	"$r/run/dockward" "$r/var/lib/dockward" "$r/tmp" "$r/proc" "$r/sys" "$r/dev" "$r/host"
chmod 0700 "$r/var/lib/dockward"
chmod 1777 "$r/tmp"
install -m 0755 "$bin" "$r/usr/sbin/dockward"

# The libraries the binary loads, with their own dependencies (ldd lists
# them all) and the loader; copied to the same paths, symlinks resolved.
libs=$(ldd "$bin" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' | sort -u)
[ -n "$libs" ] || { echo "build-plugin: ldd found no libraries in $bin" >&2; exit 1; }
for lib in $libs; do
	mkdir -p "$r$(dirname "$lib")"
	cp -L "$lib" "$r$lib"
done
# Debian's /lib is a symlink to /usr/lib: keep the same shape, so both
# spellings of a library path resolve in the rootfs.
for d in lib lib64; do
	if [ -L "/$d" ] && [ -d "$r/$d" ] && [ ! -L "$r/$d" ]; then
		mkdir -p "$r/usr/$d"
		cp -a "$r/$d/." "$r/usr/$d/"
		rm -rf "${r:?}/$d"
		ln -s "usr/$d" "$r/$d"
	fi
done

# libcurl's CA bundle (Debian's path) and the rest of a minimal /etc.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	install -m 0644 /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/ca-certificates.crt"
else
	echo "build-plugin: warning: no /etc/ssl/certs/ca-certificates.crt; registries over TLS will fail" >&2
fi
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$r/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$r/etc/hosts"
# The plugin shares the host's network; its name servers are the host's.
[ -f /etc/resolv.conf ] && install -m 0644 /etc/resolv.conf "$r/etc/resolv.conf"

install -m 0644 "$here/config.json" "$out/config.json"
echo "$out"
