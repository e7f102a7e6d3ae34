# shellcheck shell=bash
# dockward report: a known mix of allowed and denied requests (plugin and
# gatekeeper doors, a host caller and a container caller), the audit log
# rotated in the middle as logrotate does it (rename, SIGUSR1, the old part
# gzipped), then `dockward report --json --log` over a snapshot of the files
# must give the totals, rules, images, callers and commands that jq counts
# from the same lines (zcat for the .gz).  --since skips the gzipped part
# unread.  The suite's audit log is put back whole at the end.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

RD=$T/report
rm -rf "$RD" && mkdir -p "$RD"
# quiet: queued allow records reach the file (flushed every 20 ms).
rquiet() { sleep 0.5; }
gk_api() { API_SOCK=$GK_SOCK api "$@"; }
in_gk() { dk run --rm -v "$GK_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" "$@"; }

# --- part 1: before the rotation
rquiet
expect_ok -n "report: workload 1, an allowed run" run_bb
expect_deny -n "[container.privileged] report: workload 1, a denied --privileged run" \
	container.privileged run_bb --privileged
expect_fail -n "report: workload 1, a denied gatekeeper create from the host" \
	gk_api POST /v1.41/containers/create "{\"Image\":\"$TEST_IMAGE\",\"HostConfig\":{\"Privileged\":true}}"
rquiet
expect_ok -n "report: rotate (rename, SIGUSR1)" \
	sh -c 'mv "$1" "$1.1" && kill -USR1 "$2"' _ "$AUDIT" "$DOCKWARD_PID"
expect_ok -n "report: dockward reopened the log" \
	wait_for 10 sh -c 'curl -fsS --max-time 5 --unix-socket "$1" -o /dev/null http://d/_ping && sleep 0.1 && [ -s "$2" ]' _ "$GK_SOCK" "$AUDIT"
rquiet
expect_ok -n "report: gzip the rotated part" gzip -n "$AUDIT.1"
# Records from here on are after since (the .gz's mtime is its last write, 1 s of margin).
sleep 1.2
since=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
sleep 0.1

# --- part 2: after it
expect_ok -n "report: workload 2, an allowed run" run_bb
expect_deny -n "[container.privileged] report: workload 2, a denied --privileged run" \
	container.privileged run_bb --privileged
expect_fail -n "report: workload 2, a denied create from a container on the gatekeeper" \
	in_gk docker run --rm --privileged "$TEST_IMAGE" true
rquiet

# A snapshot, so that the report and jq read the same lines.
cp -p "$AUDIT.1.gz" "$RD/audit.log.1.gz" && cp -p "$AUDIT" "$RD/audit.log"
{ zcat "$RD/audit.log.1.gz"; cat "$RD/audit.log"; } >"$RD/all.jsonl"
rt0=$(date +%s%N)
expect_ok -n "report: --json over the log and its rotated .gz" \
	sh -c '"$1" report --json --log "$2/audit.log" >"$2/report.json"' _ "$DOCKWARD" "$RD"
e2e_log "report over $(wc -l <"$RD/all.jsonl") lines took $((($(date +%s%N) - rt0) / 1000000)) ms"

# jq's own count: the same definitions as docs/observability.md.
jcount() { jq -sc "$1" "$RD/all.jsonl"; }
# rep JQ: a value of the report.
rep() { jq -c "$1" "$RD/report.json"; }
want_same() {
	E2E_OUT=$RD/diff.txt
	if [ "$2" = "$3" ]; then e2e_pass "$1"; else
		printf 'report: %s\njq:     %s\n' "$2" "$3" >"$E2E_OUT"; e2e_fail "$1"; fi
}
want_same "report: the files, oldest first" \
	"$(rep '[.files[].path]')" "$(jq -cn --arg d "$RD" '[$d + "/audit.log.1.gz", $d + "/audit.log"]')"
want_same "report: lines and records equal the audit lines" \
	"$(rep '[.totals.lines, .totals.records, .totals.malformed, .totals.tooLong]')" \
	"$(jcount '[length, (map(select(.decision != null)) | length), 0, 0]')"
want_same "report: allow, would-deny and deny totals equal jq's" \
	"$(rep '[.totals.allow, .totals.wouldDeny, .totals.deny]')" \
	"$(jcount '[(map(select(.decision == "allow" and .wouldDeny != true)) | length),
		(map(select(.decision == "allow" and .wouldDeny == true)) | length),
		(map(select(.decision == "deny")) | length)]')"
# Refusals (deny and would-deny) grouped by KEY_JQ as [key, wouldDeny, deny], sorted.
refusals_by() {
	jcount "map(select(.decision == \"deny\" or .wouldDeny == true)) |
		group_by($1) | map([(.[0] | $1), (map(select(.wouldDeny == true)) | length),
		(map(select(.decision == \"deny\")) | length)]) | sort"
}
rep_by() { rep "[.$1[] | [.key, .wouldDeny, .deny]] | sort"; }
want_same "report: refusals by rule equal jq's" "$(rep_by rules)" "$(refusals_by .rule)"
want_same "report: refusals by command (endpoint) equal jq's" "$(rep_by commands)" "$(refusals_by .endpoint)"
want_same "report: refusals by image (the calling container's) equal jq's" \
	"$(rep_by images)" "$(refusals_by '(.caller.image // "(unknown)")')"
want_same "report: each rule's fixes add up to its refusals" \
	"$(rep '[.rules[] | (.wouldDeny + .deny) == ([.fixes[] | .wouldDeny + .deny] | add) + .otherFixes.wouldDeny + .otherFixes.deny] | all')" true
want_same "report: nothing past a cap" "$(rep '[.other[] | .capped] | any')" false
expect_ok -n "report: container.privileged denied at least twice (the known workload)" \
	sh -c '[ "$(jq "[.rules[] | select(.key == \"container.privileged\") | .deny] | add // 0" "$1")" -ge 2 ]' _ "$RD/report.json"
expect_out -n "report: its fix is the message's last sentence" \
	"Run without --privileged" jq -r '.rules[] | select(.key == "container.privileged") | .fixes[].fix' "$RD/report.json"
expect_out -n "report: the container caller's image is named" "\"$ALLOWED_IMAGE\"" \
	jq '.images[].key' "$RD/report.json"
expect_out -n "report: a host caller is named by uid" "host uid 0" \
	jq -r '.callers[].key' "$RD/report.json"

# --- --since: the gzipped part is skipped unread, the rest counted from since on
expect_ok -n "report: --since over the same files" \
	sh -c '"$1" report --json --since "$2" --log "$3/audit.log" >"$3/since.json"' _ "$DOCKWARD" "$since" "$RD"
want_same "report: --since skips the .gz by its time and counts what jq counts from since" \
	"$(jq -c '[.files[0].skipped, .totals.filesSkipped, .totals.records, .totals.deny]' "$RD/since.json")" \
	"$(jq -sc --arg s "$since" '["older than --since", 1, (map(select(.time >= $s)) | length),
		(map(select(.time >= $s and .decision == "deny")) | length)]' "$RD/audit.log")"
expect_ok -n "report: --since: the known workload 2 denial is there" \
	sh -c '[ "$(jq "[.rules[] | select(.key == \"container.privileged\") | .deny] | add // 0" "$1")" -ge 1 ]' _ "$RD/since.json"

# --- the text for a ticket, and errors
expect_out -n "report: the text names the rule with its fix" "fix (" \
	sh -c '"$1" report --log "$2/audit.log" | sed -n "/^By rule/,/^By image/p"' _ "$DOCKWARD" "$RD"
expect_out -n "report: records from a pipe (-), the journal's way" \
	"$(jq '.totals.records' "$RD/report.json")" \
	sh -c 'zcat "$2/audit.log.1.gz" | cat - "$2/audit.log" | "$1" report --json - | jq .totals.records' _ "$DOCKWARD" "$RD"
expect_out -n "report: no log says where to look, exit 1" "--audit-log FILE" \
	sh -c '"$1" report --log "$2/none.log" 2>&1; [ $? -eq 1 ]' _ "$DOCKWARD" "$RD"
expect_out -n "report: a bad --since is a usage error, exit 2" "neither a duration" \
	sh -c '"$1" report --since yesterday --log "$2/audit.log" 2>&1; [ $? -eq 2 ]' _ "$DOCKWARD" "$RD"
head -c 100 "$RD/audit.log.1.gz" >"$RD/cut.log.1.gz" && cp "$RD/audit.log" "$RD/cut.log"
expect_out -n "report: a cut .gz is reported, exit 1, the rest still counted" "NOT READ WHOLE" \
	sh -c '"$1" report --log "$2/cut.log"; [ $? -eq 1 ]' _ "$DOCKWARD" "$RD"

# --- the suite's audit log whole again: the gzipped part, then the live file
rquiet
expect_ok -n "report: the suite's audit log put back whole" \
	sh -c '{ zcat "$1.1.gz"; cat "$1"; } >"$1.merged" && mv -f "$1.merged" "$1" &&
		rm -f "$1.1.gz" && kill -USR1 "$2"' _ "$AUDIT" "$DOCKWARD_PID"
rquiet
