#!/usr/bin/env bash
# dockward end-to-end suite: tests/e2e/run.sh PATH/TO/dockward
#
# One shared setup (registry, dockward, a private dockerd that uses it as
# its authorization plugin, offline test images), then every
# tests/e2e/t_*.sh in name order, the audit-log check and the teardown.
# Prints "ok - ..."/"not ok - ..." per check and ends with the line
# "E2E: N passed, M failed"; exit status 1 on any failure.
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ] && [ -z "${E2E_NO_PLUGIN:-}" ]; then
	echo "usage: $0 PATH/TO/dockward [t_NN_name.sh...]" >&2
	exit 2
fi
if [ $# -ge 1 ]; then
	DOCKWARD=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
	shift
fi
export DOCKWARD

# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

start=$(date +%s)
if ! e2e_setup; then
	e2e_teardown
	e2e_summary
	exit 1
fi

# Optional arguments select test files (by name); default: all.
if [ $# -gt 0 ]; then
	files=()
	for f in "$@"; do files+=("$here/$(basename "$f")"); done
else
	files=("$here"/t_*.sh)
fi
for f in "${files[@]}"; do
	echo "# ---- $(basename "$f")"
	t0=$(date +%s)
	# shellcheck disable=SC1090
	. "$f"
	e2e_log "$(basename "$f") took $(($(date +%s) - t0))s"
done

echo "# ---- audit log"
e2e_check_audit
t0=$(date +%s)
e2e_teardown
e2e_log "teardown took $(($(date +%s) - t0))s; setup ${E2E_SETUP_SECONDS:-?}s; total $(($(date +%s) - start))s"
e2e_summary
