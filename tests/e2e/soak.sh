# shellcheck shell=bash
# Soak: a mixed workload through both front doors for SOAK_SECONDS, with a
# policy reload every SOAK_RELOAD_EVERY seconds; dockward's RSS and open
# fds must stay flat and no command may fail unexpectedly.
#
#     SOAK_SECONDS=600 tests/e2e/run.sh build/dockward soak.sh
#     tests/e2e/soak.sh build/dockward          (the same)
#
# A test file for run.sh (the shared setup, audit check and teardown), not
# part of the default suite (run.sh runs t_*.sh).  Plugin mode only: the
# engine socket (dockerd asks dockward as its plugin) and $GK_SOCK (the
# gatekeeper decides, then dockerd asks the plugin too) both carry load.
#
# Concurrently, until the deadline:
#   engine  loop: docker run --rm, ps, inspect, exec, logs, a --privileged
#                 run (must be denied by container.privileged), a raw create
#                 with a JSON body + delete, a raw create binding /etc (must
#                 be denied by mount.protectedPath), on the engine socket;
#   gate    loop: the same through the gatekeeper;
#   socket  loop: the allowed image mounting the gatekeeper and running
#                 `docker ps` through it (imageList verification, cached;
#                 the gatekeeper identifies the calling container), and an
#                 unlisted image mounting the engine socket (must be denied
#                 by mount.dockerSocket);
#   reload  loop: every SOAK_RELOAD_EVERY s, one of two valid policies
#                 (e2e_reload_policy: atomic rename, SIGHUP, wait for
#                 "policy reloaded");
#   sampler:      every SOAK_SAMPLE_EVERY s, dockward's VmRSS, VmHWM, fds,
#                 threads, commands done, audit records into $T/out/soak.csv
#                 (kept with the logs of a failed run; SOAK_CSV=FILE copies
#                 it there).
#
# Pass: every allowed command succeeded and every denial named its rule;
# no reload failed; dockward is alive; fds at the end <= the most seen
# during warm-up (the first 20% of the run) + SOAK_FD_SLACK (8); VmRSS at
# the end <= the most seen during warm-up + SOAK_RSS_SLACK_KB (2048).
# Why 2 MB: glibc gives each thread that allocates an arena of its own (up
# to 8 per core) and keeps freed memory in them; libmicrohttpd serves each
# plugin connection on a new thread, so the set of arenas touched, and with
# them RSS, can still creep by a few hundred kB per arena after warm-up
# without any leak.  What the slack lets through: the workload makes about
# 10 decisions a second on a busy 2-core machine (docker run dominates),
# so a 240 s run catches a leak of about 1 kB per decision or 40 kB per
# reload, and a 600 s run half that; one fd per request is far over the
# fd slack.  Smaller leaks are for valgrind, not for this check.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	[ $# -ge 1 ] || { echo "usage: $0 PATH/TO/dockward" >&2; exit 2; }
	exec "$(dirname "$0")/run.sh" "$1" soak.sh
fi

SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_RELOAD_EVERY=${SOAK_RELOAD_EVERY:-3}
SOAK_SAMPLE_EVERY=${SOAK_SAMPLE_EVERY:-5}
SOAK_FD_SLACK=${SOAK_FD_SLACK:-8}
SOAK_RSS_SLACK_KB=${SOAK_RSS_SLACK_KB:-2048}

if [ -n "${E2E_NO_PLUGIN:-}" ] || [ "$E2E_MODE" != plugin ]; then
	E2E_OUT=
	e2e_fail "soak needs E2E_MODE=plugin (engine socket and gatekeeper both decide)"
	return 0
fi
# The soak's final checks must run: the suite's budget covers it.
E2E_DEADLINE=$(($(date +%s) + SOAK_SECONDS + 300))

S=$T/soak
mkdir -p "$S" "$T/soakdir"
: >"$S/ops.log"
: >"$S/errors.log"

# soak_proc_field KEY: a field of dockward's /proc status, in kB (0 if gone).
soak_proc_field() {
	local v
	v=$(awk -v k="$1:" '$1 == k { print $2 }' "/proc/$DOCKWARD_PID/status" 2>/dev/null)
	echo "${v:-0}"
}
soak_fds() { find "/proc/$DOCKWARD_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

# soak_op LOOP NAME EXPECT CMD...: run CMD, count it.  EXPECT is "ok" (must
# succeed), "ok:TEXT" (must succeed and print TEXT) or "deny:RULE" (must
# fail with a dockward denial naming RULE).  Unexpected results go to
# errors.log with the command's output.
soak_op() {
	local loop=$1 name=$2 expect=$3 out rc why=
	shift 3
	out=$S/$loop.out
	"$@" >"$out" 2>&1 </dev/null
	rc=$?
	case $expect in
	ok) [ $rc -eq 0 ] || why="exit $rc, expected success" ;;
	ok:*)
		if [ $rc -ne 0 ]; then why="exit $rc, expected success"
		elif ! grep -qF -- "${expect#ok:}" "$out"; then why="output lacks \"${expect#ok:}\""; fi ;;
	deny:*)
		if [ $rc -eq 0 ]; then why="succeeded, expected a denial (${expect#deny:})"
		elif ! grep -qF 'dockward:' "$out"; then why="failed, but not with a dockward denial"
		elif ! grep -qF "(${expect#deny:})" "$out"; then why="denied, but not by rule ${expect#deny:}"; fi ;;
	esac
	if [ -z "$why" ]; then
		echo "$loop $name ok" >>"$S/ops.log"
	else
		echo "$loop $name ERR" >>"$S/ops.log"
		{
			echo "[$loop] $name: $why (at $(($(date +%s) - soak_t0))s)"
			head -n 8 "$out" | sed -e 's/^/    | /'
		} >>"$S/errors.log"
	fi
}

# soak_create_delete SOCK: a raw create with a realistic JSON body (labels,
# env, a bind of a plain host directory), then its delete; both must answer
# 201 / 204.  Scratch files: the calling loop's $soak_tmp.*.
soak_create_delete() {
	local sock=$1 body id code
	body=$(printf '{"Image":"%s","Cmd":["true"],"Env":["SOAK=1","PATH=/bin"],"Labels":{"dockward.soak":"1"},"WorkingDir":"/","HostConfig":{"Binds":["%s:/data:ro"],"Memory":67108864,"RestartPolicy":{"Name":"no"}}}' \
		"$TEST_IMAGE" "$T/soakdir")
	code=$(curl -sS --max-time "$E2E_TIMEOUT" --unix-socket "$sock" -o "$soak_tmp.create" \
		-w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$body" \
		-X POST http://d/v1.41/containers/create) || return 1
	cat "$soak_tmp.create"
	[ "$code" = 201 ] || { echo "create: HTTP $code"; return 1; }
	id=$(jq -r .Id "$soak_tmp.create") || return 1
	code=$(curl -sS --max-time "$E2E_TIMEOUT" --unix-socket "$sock" -o /dev/null \
		-w '%{http_code}' -X DELETE "http://d/v1.41/containers/$id?force=1") || return 1
	[ "$code" = 204 ] || { echo "delete $id: HTTP $code"; return 1; }
}

# soak_create_etc SOCK: a raw create binding /etc (prints the answer; fails on >= 400).
soak_create_etc() {
	local code
	code=$(curl -sS --max-time "$E2E_TIMEOUT" --unix-socket "$1" -o "$soak_tmp.etc" \
		-w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary "{\"Image\":\"$TEST_IMAGE\",\"HostConfig\":{\"Binds\":[\"/etc:/x\"]}}" \
		-X POST http://d/v1.41/containers/create) || return 1
	echo "HTTP $code"
	cat "$soak_tmp.etc"
	[ "$code" -lt 400 ]
}

# soak_engine_loop LOOP SOCK: the container commands through SOCK.
soak_engine_loop() {
	local loop=$1 sock=$2 soak_tmp=$S/$1
	export DOCKER_HOST=unix://$sock
	while [ "$(date +%s)" -lt "$soak_end" ]; do
		soak_op "$loop" run ok:soak-run dk run --rm "$TEST_IMAGE" echo soak-run
		soak_op "$loop" ps ok:soak-box dk ps
		soak_op "$loop" inspect ok:true dk inspect -f '{{.State.Running}}' soak-box
		soak_op "$loop" exec ok:soak-exec dk exec soak-box echo soak-exec
		soak_op "$loop" logs ok:soak-box-up dk logs --tail 3 soak-box
		soak_op "$loop" privileged deny:container.privileged \
			dk run --rm --privileged "$TEST_IMAGE" true
		soak_op "$loop" api-create-delete ok soak_create_delete "$sock"
		soak_op "$loop" api-create-etc deny:mount.protectedPath soak_create_etc "$sock"
	done
}

# soak_socket_loop: containers that mount a Docker socket.
soak_socket_loop() {
	export DOCKER_HOST=unix://$ENGINE_SOCK
	while [ "$(date +%s)" -lt "$soak_end" ]; do
		soak_op socket mount-gatekeeper ok:soak-box \
			dk run --rm -v "$GK_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" docker ps
		soak_op socket mount-unlisted deny:mount.dockerSocket \
			dk run --rm -v "$ENGINE_SOCK:/var/run/docker.sock" "$TEST_IMAGE" true
	done
}

# soak_reload_loop: alternate two valid policies that decide the workload alike.
soak_reload_loop() {
	local i=0 filter
	while [ "$(date +%s)" -lt "$soak_end" ]; do
		sleep "$SOAK_RELOAD_EVERY"
		i=$((i + 1))
		if [ $((i % 2)) -eq 1 ]; then
			filter='.enhancedContainerIsolation.dockerSocketMount.imageList.images += ["docker.io/library/soak-other:1"] | .dockward.protectedPaths += ["/srv/dockward-soak"]'
		else
			filter='.'
		fi
		soak_op reload "policy-$((i % 2))" ok e2e_reload_policy "$filter"
	done
}

# soak_sampler: one CSV row every SOAK_SAMPLE_EVERY s until the loops end.
soak_sampler() {
	while :; do
		printf '%d,%s,%s,%s,%s,%s,%s\n' "$(($(date +%s) - soak_t0))" \
			"$(soak_proc_field VmRSS)" "$(soak_proc_field VmHWM)" "$(soak_fds)" \
			"$(soak_proc_field Threads)" "$(wc -l <"$S/ops.log")" \
			"$(wc -l <"$AUDIT" 2>/dev/null || echo 0)" >>"$S/soak.csv"
		[ -e "$S/stop" ] && break
		sleep "$SOAK_SAMPLE_EVERY"
	done
}

expect_ok -n "soak: a long-running container" \
	dk run -d --name soak-box "$TEST_IMAGE" sh -c "echo soak-box-up; sleep $((SOAK_SECONDS + 600))"
echo 'elapsed_s,rss_kb,hwm_kb,fds,threads,commands,audit_records' >"$S/soak.csv"
soak_t0=$(date +%s)
soak_end=$((soak_t0 + SOAK_SECONDS))
e2e_log "soak: ${SOAK_SECONDS}s, reload every ${SOAK_RELOAD_EVERY}s, sample every ${SOAK_SAMPLE_EVERY}s"
soak_sampler &
sampler_pid=$!
soak_engine_loop engine "$ENGINE_SOCK" &
p1=$!
soak_engine_loop gate "$GK_SOCK" &
p2=$!
soak_socket_loop &
p3=$!
soak_reload_loop &
p4=$!
wait "$p1" "$p2" "$p3" "$p4"
sleep 2	# let the last connections close before the final sample
touch "$S/stop"
wait "$sampler_pid"
soak_secs=$(($(date +%s) - soak_t0))
cp "$S/soak.csv" "$T/out/soak.csv"
[ -n "${SOAK_CSV:-}" ] && cp "$S/soak.csv" "$SOAK_CSV"

# Warm-up: the samples in the first 20% of the run (at least the first one).
warm=$((SOAK_SECONDS / 5))
read -r warm_rss warm_fds < <(awk -F, -v w="$warm" 'NR > 1 && ($1 <= w || NR == 2) {
	if ($2 > r) r = $2; if ($4 > f) f = $4 } END { print r + 0, f + 0 }' "$S/soak.csv")
read -r end_rss end_fds < <(tail -n 1 "$S/soak.csv" | awk -F, '{ print $2 + 0, $4 + 0 }')
max_rss=$(awk -F, 'NR > 1 && $2 > m { m = $2 } END { print m + 0 }' "$S/soak.csv")
hwm=$(tail -n 1 "$S/soak.csv" | cut -d, -f3)
n_ops=$(grep -vc '^reload ' "$S/ops.log")
n_err=$(grep -c ' ERR$' "$S/ops.log")
n_reloads=$(grep -c '^reload .* ok$' "$S/ops.log")
n_audit=$(wc -l <"$AUDIT")
n_reload_failed=$(grep -c 'RELOAD FAILED' "$T/dockward.log")
by_loop=$(awk '{ n[$1]++ } END { for (l in n) printf "%s %d, ", l, n[l] }' "$S/ops.log")

e2e_log "soak: ${soak_secs}s, $n_ops commands (${by_loop%, }), $n_err unexpected," \
	"$n_reloads reloads, $n_audit audit records; RSS kB warm-up/end/max $warm_rss/$end_rss/$max_rss" \
	"(VmHWM $hwm), fds warm-up/end $warm_fds/$end_fds"
E2E_OUT=$S/errors.log
if [ "$n_err" -eq 0 ]; then
	e2e_pass "soak: $n_ops commands and $n_reloads reloads, none failed unexpectedly"
else
	e2e_fail "soak: $n_ops commands and $n_reloads reloads, none failed unexpectedly" \
		"$n_err unexpected results (first ones below)"
fi
E2E_OUT=
expect_ok -n "soak: at least one command of each loop and one reload ran" \
	sh -c 'for l in engine gate socket reload; do grep -q "^$l " "$1" || { echo "no $l commands"; exit 1; }; done' \
	_ "$S/ops.log"
if [ "$n_reload_failed" -eq 0 ]; then
	e2e_pass "soak: no policy reload failed"
else
	e2e_fail "soak: no policy reload failed" "$n_reload_failed RELOAD FAILED lines in dockward.log"
fi
expect_ok -n "soak: dockward is alive" alive "$DOCKWARD_PID"
if [ "$end_fds" -gt 0 ] && [ "$end_fds" -le $((warm_fds + SOAK_FD_SLACK)) ]; then
	e2e_pass "soak: fds flat (end $end_fds <= warm-up $warm_fds + $SOAK_FD_SLACK)"
else
	e2e_fail "soak: fds flat (end $end_fds <= warm-up $warm_fds + $SOAK_FD_SLACK)"
fi
if [ "$end_rss" -gt 0 ] && [ "$end_rss" -le $((warm_rss + SOAK_RSS_SLACK_KB)) ]; then
	e2e_pass "soak: RSS flat (end $end_rss kB <= warm-up $warm_rss kB + $SOAK_RSS_SLACK_KB kB)"
else
	E2E_OUT=$S/soak.csv
	e2e_fail "soak: RSS flat (end $end_rss kB <= warm-up $warm_rss kB + $SOAK_RSS_SLACK_KB kB)" \
		"max $max_rss kB; the samples:"
fi
expect_ok -n "policy: back to the suite's" e2e_reload_policy '.'
dk rm -f soak-box >/dev/null 2>&1
true
