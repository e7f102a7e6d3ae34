#!/usr/bin/env bash
# Build the dockward Debian package from this source tree:
#
#     contrib/debian/build-deb.sh [OUTDIR]
#
# Copies the tree (tracked and new, not ignored, files: what `git ls-files`
# lists, so a tree configured or built in place adds nothing) to a
# temporary directory, puts contrib/debian in place as debian/, runs
# `dpkg-buildpackage -b -us -uc` there, moves the .deb to OUTDIR (default:
# the current directory) and prints its path on the last line.
#
# DEB_BUILD_OPTIONS is honoured (nocheck skips `make check`); parallel=N
# is added when it names none.  Needs the Build-Depends of
# contrib/debian/control (dpkg-checkbuilddeps says which are missing).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-.}
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d /tmp/dockward-deb.XXXXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/dockward
mkdir "$src"
git -C "$top" ls-files -z --cached --others --exclude-standard |
	(cd "$top" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' _) |
	tar -C "$top" --null -T - -cf - | tar -C "$src" -xf -
[ -e "$src/debian" ] && { echo "build-deb: the tree has a debian/ of its own" >&2; exit 1; }
cp -a "$src/contrib/debian" "$src/debian"
rm -f "$src/debian/build-deb.sh"

opts=${DEB_BUILD_OPTIONS:-}
case " $opts " in
*" parallel="*) ;;
*) opts="${opts:+$opts }parallel=$(nproc)" ;;
esac
export DEB_BUILD_OPTIONS=$opts

echo "build-deb: dpkg-buildpackage -b -us -uc in $src (DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS)" >&2
(cd "$src" && dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1 || {
	tail -n 60 "$work/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed" >&2
	exit 1
}
debs=("$work"/dockward_*.deb)
[ -f "${debs[0]}" ] || { echo "build-deb: no .deb produced" >&2; exit 1; }
mv -f "${debs[@]}" "$out/"
for d in "${debs[@]}"; do echo "$out/$(basename "$d")"; done
