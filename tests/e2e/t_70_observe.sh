# shellcheck shell=bash
# Observability: the suite's dockward serves --metrics at $T/metrics.sock
# (lib.sh).  A scripted workload between two scrapes must move every
# decision counter by exactly what the audit log recorded (and the known
# numbers: M denied --privileged runs, K gatekeeper calls, one good and one
# failed reload), the latency histogram must count each decision once,
# and `dockward status` must print the same numbers.  Last, the audit log
# is rotated (rename + SIGUSR1) under concurrent requests: no record may
# be lost, duplicated or split.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

METRICS_SOCK=$T/metrics.sock
PROM="python3 $here/prom_delta.py"	# slow to start on a busy host: once per run
DOOR=plugin
[ "$E2E_MODE" = gatekeeper ] && DOOR=gatekeeper
export METRICS_SOCK

# prom_get FILE SERIES: one series' value (the exact text before it), 0 when absent.
prom_get() {
	awk -v k="$2" 'substr($0, 1, length(k) + 1) == k " " { v = $NF } END { printf "%d\n", v }' "$1"
}
# prom_sum FILE NAME [LABEL=VALUE...]: the sum of NAME's series with those labels.
prom_sum() {
	local f=$1 n=$2
	shift 2
	awk -v n="$n" -v want="$*" '
		BEGIN { nw = split(want, w, " ") }
		/^#/ { next }
		{
			key = $0; sub(/ [^ ]*$/, "", key)
			name = key; sub(/\{.*/, "", name)
			if (name != n) next
			for (i = 1; i <= nw; i++) {
				split(w[i], kv, "=")
				if (index(key, kv[1] "=\"" kv[2] "\"") == 0) next
			}
			s += $NF
		}
		END { printf "%d\n", s }' "$f"
}

# scrape FILE: GET /metrics into FILE (fails unless HTTP 200).
scrape() {
	curl -fsS --max-time 10 --unix-socket "$METRICS_SOCK" -o "$1" http://localhost/metrics
}

# quiet: let queued allow records reach the audit file (flushed every 20 ms)
# and gatekeeper connection threads notice their clients left.
quiet() { sleep 0.5; }

# --- the endpoint
expect_ok -n "metrics: the socket is 0660" \
	sh -c '[ "$(stat -c %a "$1")" = 660 ]' _ "$METRICS_SOCK"
expect_out -n "metrics: GET /metrics answers in text format 0.0.4" \
	"text/plain; version=0.0.4" curl -fsS -o /dev/null -D - --max-time 10 \
	--unix-socket "$METRICS_SOCK" http://localhost/metrics
expect_out -n "metrics: build_info names this version" \
	"dockward_build_info{version=\"$("$DOCKWARD" version | awk '{ print $2 }')\"} 1" \
	curl -fsS --max-time 10 --unix-socket "$METRICS_SOCK" http://localhost/metrics

# --- a scripted workload between two scrapes
N=3	# allowed docker runs
M=2	# denied --privileged runs
K=4	# gatekeeper calls
quiet
a0=$(wc -l <"$AUDIT")
expect_ok -n "metrics: scrape before the workload" scrape "$T/m0.prom"
for i in $(seq 1 "$N"); do
	expect_ok -n "workload: allowed run $i" run_bb
done
for i in $(seq 1 "$M"); do
	expect_deny -n "[container.privileged] workload: denied run $i" container.privileged \
		run_bb --privileged
done
for i in $(seq 1 "$K"); do
	expect_out -n "workload: gatekeeper call $i" ApiVersion \
		curl -fsS --max-time "$E2E_TIMEOUT" --unix-socket "$GK_SOCK" http://d/v1.41/version
done
expect_ok -n "workload: a socket mount of the listed image (verifier lookup)" \
	dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" true
expect_ok -n "workload: a good reload" e2e_reload_policy '.'
cp "$SETTINGS" "$T/observe-good.json"
printf '{ "configurationFileVersion": 2, "enhanced' >"$SETTINGS.tmp" && mv -f "$SETTINGS.tmp" "$SETTINGS"
failed_before=$(grep -c 'POLICY RELOAD FAILED' "$T/dockward.log")
kill -HUP "$DOCKWARD_PID"
expect_ok -n "workload: a failed reload" wait_for 10 \
	sh -c '[ "$(grep -c "POLICY RELOAD FAILED" "$1")" -gt "$2" ]' _ "$T/dockward.log" "$failed_before"
cp "$T/observe-good.json" "$SETTINGS"
expect_ok -n "workload: the good policy back" e2e_reload_policy '.'
quiet
expect_ok -n "metrics: scrape after the workload" scrape "$T/m1.prom"
a1=$(wc -l <"$AUDIT")
tail -n +"$((a0 + 1))" "$AUDIT" | head -n "$((a1 - a0))" >"$T/observe-window.json"

# delta NAME_OR_SERIES: the change between the two scrapes (get semantics).
delta() { echo $(($(prom_get "$T/m1.prom" "$1") - $(prom_get "$T/m0.prom" "$1"))); }
# delta_sum NAME LABEL=VALUE...: the change of a sum of series.
delta_sum() { echo $(($(prom_sum "$T/m1.prom" "$@") - $(prom_sum "$T/m0.prom" "$@"))); }
# want_eq NAME GOT WANT
want_eq() {
	E2E_OUT=
	if [ "$2" = "$3" ]; then e2e_pass "$1 (+$2)"; else e2e_fail "$1" "got +$2, want +$3"; fi
}
want_ge() {
	E2E_OUT=
	if [ "$2" -ge "$3" ]; then e2e_pass "$1 (+$2)"; else e2e_fail "$1" "got +$2, want at least +$3"; fi
}

expect_ok -n "metrics: every decision delta equals the audit records of the window, histogram counts equal decisions" \
	$PROM decisions "$T/m0.prom" "$T/m1.prom" "$T/observe-window.json"
want_eq "metrics: deny delta of container.privileged on the $DOOR door is M" \
	"$(delta "dockward_decisions_total{door=\"$DOOR\",verdict=\"deny\",rule=\"container.privileged\"}")" "$M"
want_eq "metrics: no other deny in the workload" \
	"$(delta_sum dockward_decisions_total verdict=deny)" "$M"
# Every allowed create was one allow decision on the front door.
creates=$(jq -r --arg d "$DOOR" 'select(.source == $d and .endpoint == "container.create" and .decision == "allow") | .uri' \
	"$T/observe-window.json" | wc -l)
want_eq "audit: N + 1 allowed creates on the $DOOR door in the window" "$creates" "$((N + 1))"
if [ "$E2E_MODE" = gatekeeper ]; then
	want_ge "metrics: gatekeeper allows cover the K calls and every run" \
		"$(delta_sum dockward_decisions_total door=gatekeeper verdict=allow)" "$((K + N + 1))"
	want_ge "metrics: gatekeeper connections accepted" \
		"$(delta dockward_gatekeeper_connections_total)" "$((K + N + M + 1))"
else
	# Only the K curl calls used the gatekeeper.
	want_eq "metrics: gatekeeper allows are the K calls" \
		"$(delta_sum dockward_decisions_total door=gatekeeper)" "$K"
	want_eq "metrics: gatekeeper connections accepted are the K calls" \
		"$(delta dockward_gatekeeper_connections_total)" "$K"
fi
want_eq "metrics: gatekeeper connections open again as before" \
	"$(delta dockward_gatekeeper_connections)" 0
want_eq "metrics: one good reload in the workload (two: the failed one is restored)" \
	"$(delta 'dockward_policy_reloads_total{result="ok"}')" 2
want_eq "metrics: one failed reload" "$(delta 'dockward_policy_reloads_total{result="failed"}')" 1
want_ge "metrics: the socket mount looked its image up in the verifier cache" \
	"$(( $(delta dockward_verify_cache_hits_total) + $(delta dockward_verify_cache_misses_total) ))" 1
want_eq "metrics: no upstream errors" "$(delta dockward_upstream_errors_total)" 0
want_eq "metrics: no audit write errors" "$(delta dockward_audit_write_errors_total)" 0
expect_ok -n "metrics: the policy load time moved to the last reload" \
	sh -c '[ "$1" -gt 0 ] && [ "$1" -ge "$2" ]' _ \
	"$(prom_get "$T/m1.prom" dockward_policy_loaded_timestamp_seconds)" \
	"$(prom_get "$T/m0.prom" dockward_policy_loaded_timestamp_seconds)"

# --- dockward status: the same numbers, for a person
# Decisions keep coming while the suite runs (dockerd's own calls, a
# client of an earlier file finishing), so the status output must lie
# between a scrape just before it and one just after it.
scrape "$T/m2.prom"
expect_ok -n "status: exit 0 with the metrics socket" \
	sh -c '"$1" status --metrics "$2" >"$3"' _ "$DOCKWARD" "$METRICS_SOCK" "$T/status.txt"
scrape "$T/m3.prom"
# status_between LABEL DOOR: the "DOOR  A allowed, D denied" line of the
# status output is within [m2, m3] for both counts.
status_between() {
	local label=$1 door=$2 line a d
	line=$(grep -E "^  $door +[0-9]+ allowed, [0-9]+ denied" "$T/status.txt")
	a=$(echo "$line" | sed -E 's/.* ([0-9]+) allowed.*/\1/')
	d=$(echo "$line" | sed -E 's/.* ([0-9]+) denied.*/\1/')
	expect_ok -n "$label" sh -c '
		[ -n "$1" ] && [ -n "$2" ] &&
		[ "$3" -le "$1" ] && [ "$1" -le "$4" ] &&
		[ "$5" -le "$2" ] && [ "$2" -le "$6" ] ||
		{ echo "status \"$7\": allowed $1 not in [$3, $4] or denied $2 not in [$5, $6]"; exit 1; }' _ \
		"$a" "$d" \
		"$(prom_sum "$T/m2.prom" dockward_decisions_total door="$door" verdict=allow)" \
		"$(prom_sum "$T/m3.prom" dockward_decisions_total door="$door" verdict=allow)" \
		"$(prom_sum "$T/m2.prom" dockward_decisions_total door="$door" verdict=deny)" \
		"$(prom_sum "$T/m3.prom" dockward_decisions_total door="$door" verdict=deny)" \
		"$line"
}
status_between "status: plugin decisions as scraped" plugin
status_between "status: gatekeeper decisions as scraped" gatekeeper
expect_out -n "status: container.privileged among the top deny rules" "  container.privileged" \
	sed -n '/^top deny rules:/,/^latency/p' "$T/status.txt"
expect_out -n "status: latency quantiles as bucket bounds" "p99 ≤ " cat "$T/status.txt"
expect_out -n "status: reload counts" \
	"reloads $(prom_get "$T/m2.prom" 'dockward_policy_reloads_total{result="ok"}') ok, $(prom_get "$T/m2.prom" 'dockward_policy_reloads_total{result="failed"}') failed" \
	cat "$T/status.txt"
expect_out -n "status: gatekeeper connections total" \
	"$(prom_get "$T/m2.prom" dockward_gatekeeper_connections_total) total" cat "$T/status.txt"
_e2e_run sh -c '"$1" status --metrics "$2/no-such.sock"' _ "$DOCKWARD" "$T"
rc=$?
if [ $rc -eq 1 ] && grep -q -- "--metrics ADDR" "$E2E_OUT"; then
	e2e_pass "status: exit 1 and how to enable --metrics when unreachable"
else
	e2e_fail "status: exit 1 and how to enable --metrics when unreachable" "exit $rc"
fi
expect_out -n "serve: --metrics on a non-loopback address is refused" "on this host only" \
	sh -c '"$1" serve --metrics 0.0.0.0:9100 --settings "$2" 2>&1; [ $? -eq 2 ]' _ "$DOCKWARD" "$SETTINGS"
expect_out -n "serve: an unknown --log-target is refused" "want auto, journal or stderr" \
	sh -c '"$1" serve --log-target syslog --settings "$2" 2>&1; [ $? -eq 2 ]' _ "$DOCKWARD" "$SETTINGS"

# --- audit log rotation under load: rename, SIGUSR1, requests never stop
R_LOOPS=4
rm -f "$T/rot-stop"
rot_loop() {
	local id=$1 seq=0 urls i
	while [ ! -f "$T/rot-stop" ] || [ "$seq" -lt 10 ]; do
		urls=()
		for i in 1 2 3 4 5; do
			seq=$((seq + 1))
			urls+=("http://d/v1.41/containers/json?limit=$((id * 100000 + seq))")
		done
		# One connection, five requests; the status of each is logged.
		timeout 20 curl -sS --unix-socket "$GK_SOCK" -o /dev/null -w '%{http_code} %{url}\n' \
			"${urls[@]}" >>"$T/rot-sent.$id" 2>>"$T/rot-err.$id" || true
		[ "$seq" -ge 2000 ] && break
	done
}
rotate_under_load() {
	local i pids=()
	rm -f "$T"/rot-sent.* "$T"/rot-err.* "$AUDIT.1"
	for i in $(seq 1 "$R_LOOPS"); do
		rot_loop "$i" &
		pids+=($!)
	done
	# Rename once records are flowing, stop once they reach the new file.
	wait_for 30 grep -Eq 'json[?]limit=[1-4]0[0-9]{4}"' "$AUDIT"
	mv "$AUDIT" "$AUDIT.1" && kill -USR1 "$DOCKWARD_PID"
	sleep 0.5
	wait_for 30 grep -Eq 'json[?]limit=[1-4]0[0-9]{4}"' "$AUDIT"
	sleep 0.5
	touch "$T/rot-stop"
	wait "${pids[@]}"
	quiet
	tail -n +"$((a0 + 1))" "$AUDIT.1" >"$T/rot-old"
	cp "$AUDIT" "$T/rot-new"
	# One file again for the suite's audit check (reopened below).
	cat "$AUDIT" >>"$AUDIT.1" && mv -f "$AUDIT.1" "$AUDIT.merged"
}
quiet
a0=$(wc -l <"$AUDIT")
expect_ok -n "rotation: requests flow while the audit log is renamed and reopened" rotate_under_load
# What was sent (HTTP 200 answers) and what each file holds.
cat "$T"/rot-sent.* 2>/dev/null | awk '$1 == 200 { sub(/.*limit=/, "", $2); print $2 }' | sort >"$T/rot-want"
rot_ids() {
	jq -r 'select(.source == "gatekeeper" and (.uri | test("limit="))) | .uri | sub(".*limit="; "")' "$@"
}
expect_ok -n "rotation: at least 40 requests answered during the rotation" \
	sh -c '[ "$(wc -l <"$1")" -ge 40 ]' _ "$T/rot-want"
# One JSON object per line: two records run together, or one cut, fail here.
expect_ok -n "rotation: every line of the renamed and the new file is one whole JSON object" \
	python3 -c 'import json, sys
for f in sys.argv[1:]:
    for n, line in enumerate(open(f, encoding="utf-8"), 1):
        assert isinstance(json.loads(line), dict), "%s:%d" % (f, n)' "$T/rot-old" "$T/rot-new"
expect_ok -n "rotation: the renamed file got records until the reopen" \
	sh -c '[ -n "$(jq -r "select(.source == \"gatekeeper\" and (.uri | test(\"limit=\"))) | .uri" "$1")" ]' _ "$T/rot-old"
expect_ok -n "rotation: the new file got the records after it" \
	sh -c '[ -n "$(jq -r "select(.source == \"gatekeeper\" and (.uri | test(\"limit=\"))) | .uri" "$1")" ]' _ "$T/rot-new"
rot_ids "$T/rot-old" "$T/rot-new" | sort >"$T/rot-got"
expect_ok -n "rotation: each answered request has exactly one record, none lost or doubled ($(wc -l <"$T/rot-want") requests)" \
	sh -c 'diff -u "$1" "$2" && [ -z "$(uniq -d "$2")" ]' _ "$T/rot-want" "$T/rot-got"
# The suite's audit check reads $AUDIT: the merged file takes its place.
mv -f "$AUDIT.merged" "$AUDIT" && kill -USR1 "$DOCKWARD_PID"
quiet
expect_ok -n "rotation: dockward writes to the merged file after another SIGUSR1" \
	sh -c 'n=$(wc -l <"$1"); curl -fsS --max-time 10 --unix-socket "$2" -o /dev/null http://d/_ping &&
		sleep 0.5 && [ "$(wc -l <"$1")" -gt "$n" ]' _ "$AUDIT" "$GK_SOCK"
