#!/bin/sh
# report-bench.sh DOCKWARD [BYTES]: `dockward report --json` over a
# generated audit log of BYTES (default 1 GB; tests/bench/report_gen.py),
# plain then gzipped: wall and CPU time, MB/s and lines/s of the log as
# written (uncompressed), and the largest resident set (GNU time).  The files live in
# $REPORT_BENCH_DIR (default a fresh directory under /tmp, removed after).
set -eu
dw=$1
bytes=${2:-1000000000}
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${REPORT_BENCH_DIR:-}" ]; then
	dir=$REPORT_BENCH_DIR
	mkdir -p "$dir"
else
	dir=$(mktemp -d /tmp/report-bench.XXXXXX)
	trap 'rm -rf "$dir"' EXIT
fi
[ -x /usr/bin/time ] || { echo "report-bench: needs GNU time (/usr/bin/time)" >&2; exit 1; }
if [ ! -s "$dir/audit.log" ] || [ "$(stat -c %s "$dir/audit.log")" -lt "$bytes" ]; then
	python3 "$here/report_gen.py" "$bytes" 1796400000 >"$dir/audit.log"
fi
[ -s "$dir/audit.log.gz" ] || gzip -6 -c "$dir/audit.log" >"$dir/audit.log.gz"
size=$(stat -c %s "$dir/audit.log")
lines=$(wc -l <"$dir/audit.log")
for f in audit.log audit.log.gz; do
	# Once to warm the page cache, then measured.
	"$dw" report --json --no-progress "$dir/$f" >/dev/null
	/usr/bin/time -v "$dw" report --json --no-progress "$dir/$f" >"$dir/out.json" 2>"$dir/time.txt"
	awk -v f="$f" -v size="$size" -v lines="$lines" -v stored="$(stat -c %s "$dir/$f")" '
		/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
		/User time|System time/ { cpu += $NF }
		/Maximum resident set size/ { rss = $NF }
		END { printf "%-13s %5.0f MB stored  wall %5.2f s: %4.0f MB/s %7.0f lines/s  cpu %5.2f s: %4.0f MB/s  max RSS %4.1f MB\n",
			f, stored / 1e6, s, size / 1e6 / s, lines / s, cpu, size / 1e6 / cpu, rss / 1024 }' "$dir/time.txt"
	jq -c .totals "$dir/out.json"
done
