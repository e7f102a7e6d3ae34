#!/bin/sh
# run-one.sh SRCDIR SECONDS FUZZER: run one libFuzzer target for SECONDS,
# starting from a copy of its seed corpus in the tree, with its dictionary
# (tests/fuzz/dict/NAME.dict) when there is one.  Fails (and prints
# the end of libFuzzer's log) on a crash, a leak, a timeout or an OOM.
# make fuzz runs these in parallel (FUZZ_JOBS).
set -u
src=$1 secs=$2 f=$3
n=${f##*/fuzz_}
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work" "$work.log"' EXIT
cp "$src/tests/fuzz/corpus/$n"/* "$work/"
set --
[ -f "$src/tests/fuzz/dict/$n.dict" ] && set -- -dict="$src/tests/fuzz/dict/$n.dict"
if ! "$f" "$@" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	-print_final_stats=1 "$work" >"$work.log" 2>&1; then
	echo "fuzzing $n for ${secs}s: FAILED"
	tail -n 60 "$work.log"
	exit 1
fi
echo "fuzzing $n for ${secs}s: ok, $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work.log" | grep -o '[0-9]*$') runs"
