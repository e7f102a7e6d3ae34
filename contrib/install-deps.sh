#!/usr/bin/env bash
# Install the Debian packages dockward needs, as listed in contrib/packages.
# As root, on Debian 12:
#
#     contrib/install-deps.sh [-n] [build|demo|test]...
#
# Installs the packages of the named sets (default: test; demo and test
# include build) that dpkg does not list as installed, with apt-get update
# and apt-get install --no-install-recommends.  When all are installed it
# only says so: a second run is quick and needs neither root nor network.
# -n prints the missing packages and installs nothing (exit status 1 when
# some are missing).
#
# While apt runs, a /usr/sbin/policy-rc.d that refuses every start (made
# only when there is none, removed after) keeps the new docker.io from
# starting docker.service: the demo and the tests start dockerds of their
# own.  A docker.service that was already running is left alone.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
list=$here/packages

usage() { echo "usage: $0 [-n] [build|demo|test]..." >&2; exit 2; }
die() { echo "install-deps: $*" >&2; exit 1; }

dry=
if [ "${1:-}" = -n ]; then dry=1; shift; fi
[ $# -gt 0 ] || set -- test
sets=" build "
for s in "$@"; do
	case $s in
	build | demo | test) case $sets in *" $s "*) ;; *) sets="$sets$s " ;; esac ;;
	*) usage ;;
	esac
done

# The packages of the sets: "name set... # comment" lines.
pkgs=()
while read -r name tags; do
	case $name in '' | '#'*) continue ;; esac
	for t in ${tags%%#*}; do
		case $sets in *" $t "*) pkgs+=("$name"); break ;; esac
	done
done <"$list"
[ ${#pkgs[@]} -gt 0 ] || die "no packages for$sets in $list"

# One dpkg-query for all of them; unknown names only print to stderr.
declare -A ok=()
while read -r p state; do
	if [ "$state" = installed ]; then ok[$p]=1; fi
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${pkgs[@]}" 2>/dev/null || true)
missing=()
for p in "${pkgs[@]}"; do
	[ -n "${ok[$p]:-}" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: the ${#pkgs[@]} packages of${sets% } are installed"
	exit 0
fi
if [ -n "$dry" ]; then
	printf '%s\n' "${missing[@]}"
	exit 1
fi
[ "$(id -u)" -eq 0 ] ||
	die "missing ${missing[*]}; run $0 as root to install them"
command -v apt-get >/dev/null ||
	die "missing ${missing[*]} (Debian 12 names) and there is no apt-get here"

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
policy_rc=/usr/sbin/policy-rc.d
made_policy_rc=
cleanup() { if [ -n "$made_policy_rc" ]; then rm -f "$policy_rc"; fi; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ ! -e "$policy_rc" ]; then
	made_policy_rc=1
	printf '#!/bin/sh\nexit 101\n' >"$policy_rc"
	chmod 0755 "$policy_rc"
fi
# Bounded: a hung mirror must not hang the demo or CI.
timeout 600 apt-get update -q
timeout 900 apt-get install -y -q --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	-o Dpkg::Use-Pty=0 "${missing[@]}" </dev/null
