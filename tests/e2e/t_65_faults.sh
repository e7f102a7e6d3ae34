# shellcheck shell=bash
# Fault injection: a registry that hangs, resets, trickles, answers garbage,
# a wrong digest, an endless body or 429 (through tests/e2e/faultproxy.py);
# an engine socket that is gone; a full state directory; the policy file
# replaced while requests run.  Nothing may crash or allow on error, every
# denial must say why, and dockward must recover once the fault clears.
# Leaves the suite's policy as found; its second dockward instances, the
# proxy and the tmpfs are gone at the end (teardown catches them on failure:
# their command lines and mount points are under $T).

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

F=$T/faults
mkdir -p "$F"
cp "$SETTINGS" "$F/base.json"

# ---------------------------------------------------------------- helpers

# f_mode WORD [N]: the proxy's behaviour for its next connections.
f_mode() { echo "$*" >"$F/mode.tmp" && mv -f "$F/mode.tmp" "$F/mode"; }

# f_hup: SIGHUP, then wait until dockward's log says the policy was reloaded.
f_hup() {
	local before
	before=$(wc -c <"$T/dockward.log")
	kill -HUP "$DOCKWARD_PID" || return 1
	wait_for 10 sh -c 'tail -c +"$(($2 + 1))" "$1" | grep -q "policy reloaded"' _ "$T/dockward.log" "$before"
}

# f_policy_file FILE IMAGE...: the suite's policy with only these socket images.
f_policy_file() {
	local file=$1 imgs
	shift
	imgs=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
	jq --argjson i "$imgs" '.enhancedContainerIsolation.dockerSocketMount.imageList.images = $i' \
		"$F/base.json" >"$file.tmp" && chmod 0644 "$file.tmp" && mv -f "$file.tmp" "$file"
}

# f_policy IMAGE...: that policy, loaded by the suite's dockward.
f_policy() { f_policy_file "$SETTINGS" "$@" && f_hup; }

# Milliseconds of a monotonic clock (the wall clock here may jump).
f_now_ms() {
	local up
	read -r up _ </proc/uptime
	echo $((${up%.*} * 1000 + 10#${up#*.} * 10))
}

# f_timed CMD...: CMD, then "elapsed_ms=N"; CMD's exit status.
f_timed() {
	local t0 rc
	t0=$(f_now_ms)
	"$@"
	rc=$?
	echo "elapsed_ms=$(($(f_now_ms) - t0))"
	return $rc
}

f_elapsed() { sed -n 's/^elapsed_ms=//p' "$1" | tail -n 1; }

# f_within MS FILE: the time f_timed recorded in FILE is under MS.
f_within() {
	local e
	e=$(f_elapsed "$2")
	echo "took ${e:-?} ms, limit $1 ms"
	[ -n "$e" ] && [ "$e" -lt "$1" ]
}

# f_create NAME IMAGE [SOCKET]: create a container of IMAGE that mounts the
# Docker socket (default: the one the suite's clients use).
f_create() {
	api POST "/v1.41/containers/create?name=$1" \
		"{\"Image\":\"$2\",\"Cmd\":[\"true\"],\"HostConfig\":{\"Binds\":[\"${3:-$FRONT_SOCK}:/var/run/docker.sock\"]}}"
}
f_rm() { api DELETE "/v1.41/containers/$1?force=1" >/dev/null 2>&1; }

# f_audit_deny FILE WORD: FILE has a deny record whose reason names WORD.
# (Not jq -e: jq 1.6 judges by the last input's result, not by any.)
f_audit_deny() {
	jq -R --arg w "$2" 'fromjson? | select(.decision == "deny" and (.reason | contains($w))) | 1' \
		"$1" | grep -q 1
}

# f_no_crash LOG: no sanitizer report, no fatal signal in a dockward log.
f_no_crash() {
	! grep -E 'ERROR: [A-Za-z]+Sanitizer|runtime error:|Segmentation fault|core dumped' "$1"
}

# f_denied RULE CMD...: CMD fails with a dockward denial naming RULE.  For
# the second instances: their denials are in their own audit logs, not in
# the suite's (which expect_deny's records are checked against).
f_denied() {
	local rule=$1 out
	shift
	if out=$("$@" 2>&1); then
		printf '%s\nsucceeded, expected a denial\n' "$out"
		return 1
	fi
	printf '%s\n' "$out"
	grep -qF "dockward:" <<<"$out" && grep -qF "($rule)" <<<"$out"
}

# f_any CMD...: CMD's output, whatever its exit status (for HTTP errors we expect).
f_any() { "$@"; true; }

# ------------------------------------------------ the registry behind a proxy

FP_PORT=$(e2e_free_port)
FP=127.0.0.1:$FP_PORT
FIMG=$FP/dockward/cli
f_mode pass
python3 "$here/faultproxy.py" --port "$FP_PORT" --upstream "$REGISTRY" --control "$F/mode" \
	--log "$F/proxy.log" --parent $$ --max-seconds 600 >"$F/proxy.out" 2>&1 &
FP_PID=$!
expect_ok -n "fault proxy answers on $FP (pass)" \
	wait_for 10 curl -fsS --max-time 2 "http://$FP/v2/"

# One tag per fault: the cache is keyed by reference, so each starts cold.
F_TAGS="reset hang slow garbage baddigest huge 429x 429 full"
expect_ok -n "tag the allowed image under the proxy's address" \
	sh -c 'for t in $3; do timeout 30 "$DOCKER" tag "$1" "$2:f-$t" || exit 1; done' \
	_ "$ALLOWED_IMAGE" "$FIMG" "$F_TAGS"
expect_ok -n "push every tag through the proxy (pass)" dk push -q --all-tags "$FIMG"
expect_out -n "the pushed image has a RepoDigest under the proxy's address" "$FIMG@sha256:" \
	dk image inspect -f '{{join .RepoDigests "\n"}}' "$FIMG:f-reset"

# f_fault TAG MODE LIMIT_MS WORDS: with a cold cache entry, a socket mount
# of the listed image is denied within LIMIT_MS, saying WORDS (an extended
# regex) and why, audited, dockward alive; allowed again once the fault clears.
f_fault() {
	local mode=$1 limit=$3 words=$4 img=$FIMG:f-$1 out
	f_mode "$2"
	expect_ok -n "registry $mode: policy lists $img alone, cold" f_policy "$img"
	expect_deny -n "[mount.dockerSocket] registry $mode: socket mount denied" \
		mount.dockerSocket f_timed f_create "f-$mode" "$img"
	out=$E2E_OUT
	e2e_log "registry $mode: denied after $(f_elapsed "$out") ms"
	expect_ok -n "registry $mode: decided in under $((limit / 1000)) s" f_within "$limit" "$out"
	expect_ok -n "registry $mode: the denial names the image, the fault ($words) and the way out" \
		sh -c 'grep -qF "could not be verified by digest" "$1" && grep -qF "$2" "$1" &&
			grep -qiE "$3" "$1" && grep -qF "Retry when" "$1"' _ "$out" "$img" "$words"
	expect_ok -n "registry $mode: audited as a deny" f_audit_deny "$AUDIT" "$img"
	expect_ok -n "registry $mode: dockward still running" alive "$DOCKWARD_PID"
	f_mode pass
	E2E_RETRY=30 expect_ok -n "registry $mode cleared: allowed again" f_create "f-$mode" "$img"
	f_rm "f-$mode"
}

f_fault reset reset 10000 'reset|recv failure'

# --- a warm cache needs no registry: f-reset was just proven (refresh 300 s)
for m in hang reset; do
	f_mode "$m"
	expect_out -n "warm cache, registry $m: allowed" "HTTP 201" f_timed f_create "f-warm-$m" "$FIMG:f-reset"
	out=$E2E_OUT
	e2e_log "warm cache, registry $m: allowed after $(f_elapsed "$out") ms"
	expect_ok -n "warm cache, registry $m: decided in under 1 s" f_within 1000 "$out"
	f_rm "f-warm-$m"
done

# One registry timeout (10 s), not one per waiting decision: under 16 s.
f_fault hang hang 16000 'timed out'
f_fault slow slow 16000 'timed out'
f_fault garbage garbage 10000 'not a JSON object'
f_fault baddigest baddigest 10000 'digest mismatch'
f_fault huge huge 10000 'larger than'
f_fault 429x 429 10000 '429'

# --- 429 once, with Retry-After: 2: waited for, then allowed
f_mode 429 1
: >"$F/proxy.log"
expect_ok -n "registry 429 once: policy lists $FIMG:f-429 alone, cold" f_policy "$FIMG:f-429"
expect_out -n "registry 429 once: allowed after the retry" "HTTP 201" \
	f_timed f_create f-429 "$FIMG:f-429"
e2e_log "registry 429 once: allowed after $(f_elapsed "$E2E_OUT") ms"
f_rm f-429
expect_out -n "registry 429 once: the retry waited Retry-After (>= 1.9 s)" "waited" \
	awk '$2 == "429" { t = $1 } $2 == "pass" && t && !d { d = $1 - t }
		END { if (t && d >= 1.9) printf "waited %.1f s\n", d; else printf "gap %s\n", d }' \
		"$F/proxy.log"

# ------------------------------------------------------------ engine gone
f_put_base() { cp "$F/base.json" "$SETTINGS.tmp" && chmod 0644 "$SETTINGS.tmp" && mv -f "$SETTINGS.tmp" "$SETTINGS"; }
f_put_base
expect_ok -n "the suite's policy back for the next faults" f_hup
# A second dockward (plugin and gatekeeper) whose engine socket is a stale
# file: bound once, nobody listening (connect says ECONNREFUSED).
EG=$T/faults/eg
mkdir -p "$EG"
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' \
	"$EG/engine.sock"
"$DOCKWARD" serve --settings "$SETTINGS" --plugin-socket "$EG/plugin.sock" \
	--engine-socket "$EG/engine.sock" --state-dir "$EG/state" --audit-log "$EG/audit.log" \
	--gatekeeper-socket "$EG/gk.sock" --gatekeeper-mode 0660 >"$EG/dockward.log" 2>&1 &
EG_PID=$!
expect_ok -n "engine gone: a dockward with a dead engine socket starts" \
	wait_for 20 sh -c '[ -S "$1/gk.sock" ] && [ -S "$1/plugin.sock" ]' _ "$EG"

# f_authz SOCK METHOD URI [BODY]: an AuthZReq to a plugin socket, as dockerd sends it.
f_authz() {
	local req
	req=$(jq -n -c --arg m "$2" --arg u "$3" --arg b "$(printf '%s' "${4-}" | base64 -w0)" \
		'{User: "", RequestMethod: $m, RequestUri: $u, RequestBody: (if $b == "" then null else $b end),
		  RequestHeaders: {"Content-Type": "application/json"}}')
	curl -sS --max-time 20 --unix-socket "$1" -H 'Content-Type: application/json' \
		--data-binary "$req" http://plugin/AuthZPlugin.AuthZReq
}

API_SOCK=$EG/gk.sock
expect_out -n "engine gone, gatekeeper: 502 naming the engine" "HTTP 502" \
	f_timed f_any api GET /_ping
out=$E2E_OUT
expect_ok -n "engine gone, gatekeeper: answered at once, with the fix" \
	sh -c 'grep -q "engine is not reachable" "$1" && grep -q "Check that dockerd is running" "$1" &&
		[ "$(sed -n "s/^elapsed_ms=//p" "$1")" -lt 5000 ]' _ "$out"
expect_ok -n "[engine.lookup] engine gone, gatekeeper: --volumes-from is denied" f_denied engine.lookup \
	api POST /v1.41/containers/create "{\"Image\":\"$TEST_IMAGE\",\"HostConfig\":{\"VolumesFrom\":[\"f-other\"]}}"
expect_ok -n "engine gone, gatekeeper: the --volumes-from denial says the engine is unreachable, retry" \
	sh -c 'grep -q unreachable "$1" && grep -q "Retry when dockward reaches dockerd" "$1"' _ "$E2E_OUT"
expect_ok -n "[engine.lookup] engine gone, gatekeeper: start is denied" f_denied engine.lookup \
	api POST /v1.41/containers/f-other/start
expect_ok -n "[mount.dockerSocket] engine gone, gatekeeper: a listed image's socket mount is denied" \
	f_denied mount.dockerSocket f_create f-eg "$ALLOWED_IMAGE" "$EG/gk.sock"
expect_ok -n "engine gone, gatekeeper: that denial blames the engine, not the registry" \
	sh -c 'grep -q "cannot inspect image" "$1" && grep -q "unreachable" "$1" &&
		! grep -q "when the registry is reachable" "$1"' _ "$E2E_OUT"
unset API_SOCK
expect_out -n "engine gone, plugin: --volumes-from is denied (engine.lookup)" '(engine.lookup)' \
	f_authz "$EG/plugin.sock" POST /v1.41/containers/create \
	"{\"Image\":\"$TEST_IMAGE\",\"HostConfig\":{\"VolumesFrom\":[\"f-other\"]}}"
expect_ok -n "engine gone, plugin: the answer is a denial saying the engine is unreachable" \
	sh -c 'jq -e ".Allow == false and (.Msg | contains(\"unreachable\"))" "$1"' _ "$E2E_OUT"
expect_out -n "engine gone, plugin: start is denied (engine.lookup)" '(engine.lookup)' \
	f_authz "$EG/plugin.sock" POST /v1.41/containers/f-other/start
expect_out -n "engine gone, plugin: a request that needs no engine facts is allowed" '"Allow":true' \
	f_authz "$EG/plugin.sock" GET /v1.41/containers/json
expect_ok -n "engine gone: dockward still running" alive "$EG_PID"
expect_ok -n "engine gone: denials audited" f_audit_deny "$EG/audit.log" "f-other"
# The engine comes back (the socket path now leads to the suite's engine).
rm -f "$EG/engine.sock"
ln -s "$ENGINE_SOCK" "$EG/engine.sock"
API_SOCK=$EG/gk.sock
expect_out -n "engine back: the gatekeeper forwards again" "HTTP 200" api GET /_ping
expect_ok -n "engine back: a plain container is created" \
	api POST "/v1.41/containers/create?name=f-eg-back" "{\"Image\":\"$TEST_IMAGE\"}"
expect_out -n "engine back: --volumes-from an existing container is decided normally" "HTTP 201" \
	api POST "/v1.41/containers/create?name=f-eg-from" \
	"{\"Image\":\"$TEST_IMAGE\",\"HostConfig\":{\"VolumesFrom\":[\"f-eg-back\"]}}"
unset API_SOCK
f_rm f-eg-from
f_rm f-eg-back
expect_ok -n "engine gone: the instance stops cleanly on SIGTERM" \
	sh -c 'kill -TERM "$1" && for i in $(seq 50); do kill -0 "$1" 2>/dev/null || exit 0; sleep 0.2; done; exit 1' _ "$EG_PID"
wait "$EG_PID" 2>/dev/null
expect_ok -n "engine gone: exit status 0 (no crash)" test "$?" = 0
expect_ok -n "engine gone: its log has no crash" f_no_crash "$EG/dockward.log"

# -------------------------------------------------- disk full for the state dir
DF=$T/faults/full
mkdir -p "$DF/mnt" "$DF/policy"
chmod 0700 "$DF/policy"
f_policy_file "$DF/policy/admin-settings.json" "$FIMG:f-full"
expect_ok -n "disk full: a 64 KiB tmpfs for the state dir and the audit log" \
	mount -t tmpfs -o size=64k,mode=0700 dockward-e2e-full "$DF/mnt"
mkdir -m 0700 "$DF/mnt/state"
: >"$DF/mnt/audit.log"
dd if=/dev/zero of="$DF/mnt/fill" bs=4k >/dev/null 2>&1
expect_ok -n "disk full: no space left" sh -c '[ "$(df --output=avail "$1" | tail -n 1 | tr -d " ")" = 0 ]' _ "$DF/mnt"
# The registry resets at first: the instance's start-up refresh proves nothing.
f_mode reset
"$DOCKWARD" serve --settings "$DF/policy/admin-settings.json" --plugin-socket none \
	--engine-socket "$ENGINE_SOCK" --state-dir "$DF/mnt/state" --audit-log "$DF/mnt/audit.log" \
	--gatekeeper-socket "$DF/gk.sock" --gatekeeper-mode 0660 >"$DF/dockward.log" 2>&1 &
DF_PID=$!
expect_ok -n "disk full: dockward starts on a full state dir" wait_for 20 test -S "$DF/gk.sock"
API_SOCK=$DF/gk.sock
expect_out -n "disk full: a plain create is allowed" "HTTP 201" \
	api POST "/v1.41/containers/create?name=f-full-1" "{\"Image\":\"$TEST_IMAGE\"}"
expect_ok -n "[container.privileged] disk full: --privileged is denied" f_denied container.privileged \
	api POST "/v1.41/containers/create?name=f-full-2" "{\"Image\":\"$TEST_IMAGE\",\"HostConfig\":{\"Privileged\":true}}"
expect_ok -n "[mount.dockerSocket] disk full: no proof (registry resetting) is a denial" \
	f_denied mount.dockerSocket f_create f-full-3 "$FIMG:f-full" "$DF/gk.sock"
f_mode pass
# The engine's socket: in plugin mode the suite's dockward judges it too.
E2E_RETRY=20 expect_ok -n "disk full: once the registry answers, the listed image mounts the socket" \
	f_create f-full-4 "$FIMG:f-full" "$ENGINE_SOCK"
expect_ok -n "disk full: the registry cache could not be saved, and the log says so" \
	grep -q "registry cache not saved" "$DF/dockward.log"
sleep 0.3	# allow records are written within 20 ms
expect_ok -n "disk full: the audit file stayed empty (the fs is full)" test ! -s "$DF/mnt/audit.log"
expect_ok -n "disk full: every record (allow and deny) is in the audit file or on stderr" \
	sh -c 'for i in 1 2 3 4; do cat "$1" "$2" | grep -q "name=f-full-$i" || { echo "f-full-$i lost"; exit 1; }; done' \
	_ "$DF/mnt/audit.log" "$DF/dockward.log"
rm -f "$DF/mnt/fill"
expect_out -n "disk space back: a create is allowed" "HTTP 201" \
	api POST "/v1.41/containers/create?name=f-full-5" "{\"Image\":\"$TEST_IMAGE\"}"
expect_ok -n "disk space back: its record lands in the audit file" \
	wait_for 5 grep -q "name=f-full-5" "$DF/mnt/audit.log"
unset API_SOCK
for i in 1 4 5; do f_rm "f-full-$i"; done
expect_ok -n "disk full: dockward still running" alive "$DF_PID"
e2e_stop_pid "$DF_PID" 10
expect_ok -n "disk full: its log has no crash" f_no_crash "$DF/dockward.log"
expect_ok -n "disk full: the tmpfs is unmounted" umount "$DF/mnt"

# ------------------------------------------- policy replaced mid-request
# Policy A (the suite's) denies --cap-add NET_ADMIN, policy B allows it.
# While at least 200 requests run, the file is replaced (atomic rename) by A, B or
# a broken file, with a SIGHUP after each.  Every answer must be a
# consistent decision: NET_ADMIN denied (container.capabilities) or allowed
# (then dockerd says the image does not exist), --privileged always
# denied, reads always allowed; never a 5xx, never a transport error.
mkdir -m 0700 "$F/pol"
cp "$F/base.json" "$F/pol/A.json"
jq '.dockward.allowedCapabilities = ["NET_ADMIN"]' "$F/base.json" >"$F/pol/B.json"
printf '{ "configurationFileVersion": 2, "enhancedContainerIsolation": { "value": tr' >"$F/pol/broken.json"
jq '.dockward.protectedPaths = "/etc"' "$F/base.json" >"$F/pol/wrongtype.json"
chmod 0644 "$F/pol"/*.json

# f_put NAME: the policy NAME.json (mode 0644) replaces the policy file (atomically).
f_put() { cp -p "$F/pol/$1.json" "$SETTINGS.tmp" && mv -f "$SETTINGS.tmp" "$SETTINGS"; }

cat >"$F/loop.sh" <<'EOF'
# $1 socket, $2 results file: 100 requests of three kinds on one keep-alive
# connection (one curl, --next), then one line per answer: N KIND CODE RULE.
sock=$1 res=$2
capadd='{"Image":"dockward-fault/none:1","HostConfig":{"CapAdd":["NET_ADMIN"]}}'
priv='{"Image":"dockward-fault/none:1","HostConfig":{"Privileged":true}}'
json=(-X POST -H 'Content-Type: application/json' --data-binary)
args=()
for i in $(seq 1 100); do
	[ "$i" -gt 1 ] && args+=(--next)
	args+=(-sS --max-time 30 --unix-socket "$sock" -w "\n@@ $i %{http_code}\n")
	case $((i % 3)) in
	0) args+=("${json[@]}" "$capadd" http://d/v1.41/containers/create) ;;
	1) args+=("${json[@]}" "$priv" http://d/v1.41/containers/create) ;;
	2) args+=(http://d/v1.41/containers/json) ;;
	esac
done
curl "${args[@]}" >"$res.raw" 2>"$res.err"
awk 'BEGIN { split("capadd priv read", kind) }
	/^@@ / { rule = match(buf, /\([a-z]+\.[a-zA-Z]+\)/) ? substr(buf, RSTART, RLENGTH) : "none"
		print $2, kind[$2 % 3 + 1], $3, rule; buf = ""; next }
	{ buf = buf $0 }' "$res.raw" >"$res"
EOF
: >"$F/loop.out"
reloads_before=$(grep -c 'policy reloaded' "$T/dockward.log")
failed_before=$(grep -c 'POLICY RELOAD FAILED' "$T/dockward.log")
# f_swapper: 30 replacements (A, B, A, B, broken or wrong type), a SIGHUP after each.
f_swapper() {
	local n
	for n in $(seq 0 29); do
		case $((n % 5)) in
		0 | 2) f_put A ;;
		1 | 3) f_put B ;;
		4) if [ $((n % 10)) = 4 ]; then f_put broken; else f_put wrongtype; fi ;;
		esac
		kill -HUP "$DOCKWARD_PID"
		sleep 0.02
	done
}
f_swapper &
swap_pid=$!
# Rounds of 100 requests while the swapper runs; at least two.
rounds=0
while [ $rounds -lt 6 ]; do
	bash "$F/loop.sh" "$FRONT_SOCK" "$F/loop.round"
	cat "$F/loop.round" >>"$F/loop.out"
	rounds=$((rounds + 1))
	[ $rounds -ge 2 ] && ! kill -0 "$swap_pid" 2>/dev/null && break
done
wait "$swap_pid"
nreq=$(wc -l <"$F/loop.out")
e2e_log "policy swaps: 30 replacements while $nreq requests ran"
expect_ok -n "policy swaps: every request answered (at least 200)" \
	test "$nreq" -ge 200 -a "$nreq" = "$((rounds * 100))"
expect_ok -n "policy swaps: every answer is a consistent decision (no 5xx, no transport error)" \
	awk '($2 == "capadd" && ($3 == 404 || ($3 == 403 && $4 == "(container.capabilities)"))) ||
		($2 == "priv" && $3 == 403 && $4 == "(container.privileged)") ||
		($2 == "read" && $3 == 200) { next } { print "inconsistent: " $0; bad = 1 } END { exit bad }' \
		"$F/loop.out"
expect_out -n "policy swaps: both policies decided some requests" both \
	awk '$2 == "capadd" && $3 == 404 { a++ } $2 == "capadd" && $3 == 403 { d++ }
		END { printf "allowed %d, denied %d\n", a, d; if (a && d) print "both" }' "$F/loop.out"
expect_ok -n "policy swaps: dockward still running" alive "$DOCKWARD_PID"
expect_ok -n "policy swaps: broken files were refused, saying the last good policy stays" \
	sh -c '[ "$(grep -c "POLICY RELOAD FAILED, still enforcing the policy loaded before" "$1")" -gt "$2" ]' \
	_ "$T/dockward.log" "$failed_before"
expect_ok -n "policy swaps: valid files were loaded" \
	sh -c '[ "$(grep -c "policy reloaded" "$1")" -gt "$2" ]' _ "$T/dockward.log" "$reloads_before"
# Settle on B, then a broken file: B stays in force.
sleep 0.5	# reloads still queued from the loop run now
f_put B
expect_ok -n "policy B loaded" f_hup
failed_before=$(grep -c 'POLICY RELOAD FAILED' "$T/dockward.log")
f_put broken
kill -HUP "$DOCKWARD_PID"
expect_ok -n "a broken file after B is refused" \
	wait_for 10 sh -c '[ "$(grep -c "POLICY RELOAD FAILED" "$1")" -gt "$2" ]' _ "$T/dockward.log" \
	"$failed_before"
expect_out -n "the last good policy (B) is still in force: NET_ADMIN allowed" "No such image" \
	f_any api POST /v1.41/containers/create '{"Image":"dockward-fault/none:1","HostConfig":{"CapAdd":["NET_ADMIN"]}}'

# ------------------------------------------------------------------ the end
kill "$FP_PID" 2>/dev/null
wait "$FP_PID" 2>/dev/null
f_put_base
expect_ok -n "the suite's policy restored" f_hup
expect_deny -n "[container.capabilities] the final policy is in force: NET_ADMIN denied again" \
	container.capabilities api POST /v1.41/containers/create \
	'{"Image":"dockward-fault/none:1","HostConfig":{"CapAdd":["NET_ADMIN"]}}'
expect_ok -n "faults: the suite's dockward log has no crash" f_no_crash "$T/dockward.log"
