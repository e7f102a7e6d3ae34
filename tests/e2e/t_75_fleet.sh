# shellcheck shell=bash
# Fleet policy from an HTTPS URL (--settings-url): a second dockward, in
# gatekeeper-only mode in front of the suite's engine, takes its policy
# from a local HTTPS server (a throwaway CA, ETag/If-None-Match) and
# checks its Ed25519 signature.  Proves: (a) the served policy is
# enforced; (b) a rotation applies within the refresh period, polls in
# between are conditional and answered 304; (c) a rotation with a bad
# signature and (d) a signed but invalid policy are refused, the old
# policy kept, each logged once; (e) with the server down the policy
# stays, SIGHUP re-reads the last good copy, and a restart starts from
# it; (f) with neither the server nor a last good copy dockward refuses
# to start and says why; plain http:// and an untrusted certificate are
# refused.  The suite's own dockward is not touched.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

FL=$T/fleet
FL_GK=$T/fleet-gk.sock
FL_STATE=$T/fleet-state
FL_LOG=$T/fleet-dockward.log
FL_SRV_LOG=$T/fleet-server.log
FL_PID=
FL_SRV_PID=
mkdir -m 0700 "$FL" "$FL/www"
: >"$FL_LOG"
: >"$FL_SRV_LOG"

# fk ARGS...: the docker client through the fleet instance's gatekeeper.
fk() { DOCKER_HOST=unix://$FL_GK timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"; }

# fleet_denied RULE CMD...: CMD fails with a dockward denial naming RULE.
fleet_denied() {
	local rule=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "allowed, expected a denial ($rule): $out"
		return 1
	fi
	echo "$out"
	grep -qF "($rule)" <<<"$out"
}

# sock_mount: create (then remove) a container of the allowed image with the engine socket.
sock_mount() {
	fk rm -f e2e-fleet-sock >/dev/null 2>&1
	fk create --name e2e-fleet-sock -v "$ENGINE_SOCK:/var/run/docker.sock" \
		"$ALLOWED_IMAGE" true && fk rm -f e2e-fleet-sock
}

# publish FILE KEY: serve FILE as the policy with its signature by KEY
# (raw bytes, or base64 with KEY=base64:PATH).  Signature first, so the
# pair is mismatched for as short a time as possible.
publish() {
	local file=$1 key=$2
	if [ "${key#base64:}" != "$key" ]; then
		openssl pkeyutl -sign -rawin -inkey "${key#base64:}" -in "$file" |
			base64 -w0 >"$FL/www/.sig.tmp" || return 1
	else
		openssl pkeyutl -sign -rawin -inkey "$key" -in "$file" -out "$FL/www/.sig.tmp" || return 1
	fi
	cp "$file" "$FL/www/.policy.tmp" &&
		mv -f "$FL/www/.sig.tmp" "$FL/www/admin-settings.json.sig" &&
		mv -f "$FL/www/.policy.tmp" "$FL/www/admin-settings.json"
}

fleet_server_start() {
	python3 "$here/fleet_server.py" "$FL/www" "$FL/srv.pem" "$FL/srv.key" "$FL_PORT" \
		"$FL_SRV_LOG" >>"$T/fleet-server.err" 2>&1 &
	FL_SRV_PID=$!
	wait_for 10 curl -fsS --max-time 2 --cacert "$FL/ca.pem" -o /dev/null "$FL_URL"
}

# The fleet instance's arguments (after `dockward serve`).
fleet_args() {
	FL_ARGS=(--settings-url "$FL_URL" --settings-pubkey "$FL/sign.pub"
		--settings-ca "$FL/ca.pem" --settings-refresh 2
		--plugin-socket none --gatekeeper-socket "$FL_GK" --engine-socket "$ENGINE_SOCK"
		--state-dir "$FL_STATE" --audit-log "$T/fleet-audit.log"
		--metrics "$FL/metrics.sock")
}

# fleet_metric RESULT MIN: dockward_settings_fetch_total{result=RESULT} >= MIN
fleet_metric() {
	curl -sS --max-time 5 --unix-socket "$FL/metrics.sock" http://x/metrics |
		awk -v k="dockward_settings_fetch_total{result=\"$1\"}" -v min="$2" \
		'$1 == k { found = 1; if ($2 + 0 >= min + 0) ok = 1 } END { exit !(found && ok) }'
}

# refuses PATTERN CMD...: CMD exits by itself (within 40 s), non-zero, saying PATTERN.
refuses() {
	local pat=$1 out rc
	shift
	out=$(timeout -k 5 40 "$@" 2>&1)
	rc=$?
	echo "exit $rc: $out"
	[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $rc -ne 137 ] && grep -qF -- "$pat" <<<"$out"
}

plain_create() {
	local id
	id=$(fk create "$TEST_IMAGE" true) && fk rm -f "$id" >/dev/null
}

fleet_start() {
	"$DOCKWARD" serve "${FL_ARGS[@]}" >>"$FL_LOG" 2>&1 &
	FL_PID=$!
	local deadline=$(($(date +%s) + 20))
	until [ -S "$FL_GK" ]; do
		alive "$FL_PID" || return 1
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}

fleet_stop() {
	e2e_stop_pid "$FL_PID" 10
	FL_PID=
	rm -f "$FL_GK"
}

# log_count TEXT: lines of the fleet instance's log with TEXT.
log_count() { grep -cF -- "$1" "$FL_LOG"; }
# wait_log TEXT N SECONDS: until the log has more than N lines with TEXT.
wait_log() { wait_for "$3" sh -c '[ "$(grep -cF -- "$1" "$2")" -gt "$3" ]' _ "$1" "$FL_LOG" "$2"; }
# srv_count REGEX: requests for the policy in the server log matching REGEX.
srv_count() { grep -E '^GET /admin-settings.json ' "$FL_SRV_LOG" | grep -cE -- "$1"; }

# --- keys, a throwaway CA and a server certificate for 127.0.0.1
fleet_pki() {
	openssl genpkey -algorithm ed25519 -out "$FL/sign.pem" &&
	openssl pkey -in "$FL/sign.pem" -pubout -out "$FL/sign.pub" &&
	openssl genpkey -algorithm ed25519 -out "$FL/other.pem" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$FL/ca.key" -out "$FL/ca.pem" -days 2 -subj /CN=dockward-e2e-fleet-ca \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$FL/srv.key" -out "$FL/srv.csr" -subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >"$FL/srv.ext" &&
	openssl x509 -req -in "$FL/srv.csr" -CA "$FL/ca.pem" -CAkey "$FL/ca.key" \
		-CAcreateserial -out "$FL/srv.pem" -days 2 -extfile "$FL/srv.ext"
}
expect_ok -n "fleet: signing key, CA and server certificate (openssl)" fleet_pki
chmod 0644 "$FL/sign.pub"

# The policies: v1 lists no socket image, v2 the suite's allowed image
# (so v2 allows the socket mount, whatever the suite's plugin says).
# A fleet policy carries its serial and expiry (t_78_fleet_rollback.sh
# tests what they refuse).
FL_EXPIRES=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
e2e_policy_json '[]' "$T/data" "$T/exec" |
	jq --arg e "$FL_EXPIRES" '.dockward.policy = {serial: 1, expires: $e}' >"$FL/v1.json"
e2e_policy_json "[\"$ALLOWED_IMAGE\"]" "$T/data" "$T/exec" |
	jq --arg e "$FL_EXPIRES" '.dockward.policy = {serial: 2, expires: $e}' >"$FL/v2.json"
jq '.dockward.protectedPaths = "/etc"' "$FL/v1.json" >"$FL/invalid.json"

FL_PORT=$(e2e_free_port)
FL_URL=https://127.0.0.1:$FL_PORT/admin-settings.json
fleet_args
expect_ok -n "fleet: publish v1 (raw signature)" publish "$FL/v1.json" "$FL/sign.pem"
expect_ok -n "fleet: local HTTPS server answers" fleet_server_start

# --- refused before any fetch: plain http, and the options that go together
expect_ok -n "fleet: an http:// URL is refused" refuses "only https://" \
	"$DOCKWARD" serve --settings-url "http://127.0.0.1:$FL_PORT/admin-settings.json" \
	--settings-pubkey "$FL/sign.pub" --plugin-socket none --gatekeeper-socket "$T/fleet-x.sock" \
	--state-dir "$T/fleet-x"
expect_ok -n "fleet: --settings and --settings-url are exclusive" refuses "exclusive" \
	"$DOCKWARD" serve --settings "$SETTINGS" --settings-url "$FL_URL" --settings-pubkey "$FL/sign.pub"
expect_ok -n "fleet: --settings-url without --settings-pubkey is refused" refuses "needs --settings-pubkey" \
	"$DOCKWARD" serve --settings-url "$FL_URL"
# TLS is verified: without --settings-ca the test CA is not trusted.
expect_ok -n "fleet: an untrusted server certificate: no start, a TLS error" refuses "certificate" \
	"$DOCKWARD" serve --settings-url "$FL_URL" --settings-pubkey "$FL/sign.pub" \
	--plugin-socket none --gatekeeper-socket "$T/fleet-x.sock" --engine-socket "$ENGINE_SOCK" \
	--state-dir "$T/fleet-x"
rm -rf "$T/fleet-x"

# --- (a) the served policy is enforced
expect_ok -n "fleet: dockward starts from the URL" fleet_start
expect_ok -n "fleet: startup logged 'updated' with the policy's sha256" \
	grep -qF "fleet policy updated from $FL_URL (sha256:$(sha256sum <"$FL/v1.json" | cut -d' ' -f1))" "$FL_LOG"
expect_ok -n "fleet: last good copy stored 0600 (policy, signature, ETag)" \
	sh -c 'cmp "$1/fleet/admin-settings.json" "$2" &&
		[ "$(stat -c %a "$1/fleet/admin-settings.json")" = 600 ] &&
		[ "$(stat -c %a "$1/fleet/admin-settings.json.sig")" = 600 ] &&
		[ -s "$1/fleet/admin-settings.json.etag" ]' _ "$FL_STATE" "$FL/v1.json"
expect_out -n "fleet: docker version through the fleet gatekeeper" "Server:" fk version
expect_ok -n "fleet: a plain container is allowed" plain_create
expect_ok -n "fleet: v1 denies --privileged (container.privileged)" \
	fleet_denied container.privileged fk create --privileged "$TEST_IMAGE" true
expect_ok -n "fleet: v1 denies the socket mount (mount.dockerSocket)" \
	fleet_denied mount.dockerSocket sock_mount

# --- (b) polls are conditional (304) until the policy rotates
expect_ok -n "fleet: polls send If-None-Match and get 304 (>= 2 within 15 s)" \
	wait_for 15 sh -c '[ "$(grep -c "^GET /admin-settings.json inm=\".* status=304" "$1")" -ge 2 ]' _ "$FL_SRV_LOG"
expect_ok -n "fleet: the signature is not fetched again on 304" \
	sh -c '[ "$(grep -c "^GET /admin-settings.json.sig " "$1")" -eq 1 ]' _ "$FL_SRV_LOG"
expect_ok -n "fleet: 'not modified' logged once, not per poll" \
	sh -c '[ "$(grep -cF "not modified" "$1")" -eq 1 ]' _ "$FL_LOG"
expect_ok -n "fleet: publish v2 (base64 signature)" publish "$FL/v2.json" "base64:$FL/sign.pem"
E2E_RETRY=15 expect_ok -n "fleet: v2 applies within the refresh period (socket mount allowed)" sock_mount
expect_ok -n "fleet: the update is logged with v2's sha256" \
	grep -qF "fleet policy updated from $FL_URL (sha256:$(sha256sum <"$FL/v2.json" | cut -d' ' -f1))" "$FL_LOG"
expect_ok -n "fleet: the last good copy is v2" cmp "$FL_STATE/fleet/admin-settings.json" "$FL/v2.json"

# --- (c) a rotation signed by another key: refused, v2 kept, logged once
n=$(log_count "bad signature")
expect_ok -n "fleet: publish v1 signed by another key" publish "$FL/v1.json" "$FL/other.pem"
expect_ok -n "fleet: bad signature logged (within 15 s)" wait_log "bad signature" "$n" 15
g=$(srv_count .)
expect_ok -n "fleet: two more polls" wait_for 15 sh -c '[ "$(grep -c "^GET /admin-settings.json " "$1")" -ge $(($2 + 2)) ]' _ "$FL_SRV_LOG" "$g"
expect_ok -n "fleet: bad signature logged once, not per poll" \
	sh -c '[ "$(grep -cF "bad signature" "$1")" -eq $(($2 + 1)) ]' _ "$FL_LOG" "$n"
expect_ok -n "fleet: v2 still enforced after a bad signature" sock_mount
expect_ok -n "fleet: the last good copy is still v2" cmp "$FL_STATE/fleet/admin-settings.json" "$FL/v2.json"

# --- (d) signed by the right key but not a valid policy: refused, v2 kept
n=$(log_count "invalid policy")
expect_ok -n "fleet: publish a signed invalid policy" publish "$FL/invalid.json" "$FL/sign.pem"
expect_ok -n "fleet: invalid policy logged, naming the offending key (within 15 s)" \
	wait_for 15 sh -c 'grep -F "invalid policy" "$1" | grep -qF dockward.protectedPaths' _ "$FL_LOG"
expect_ok -n "fleet: v2 still enforced after an invalid policy" sock_mount
expect_ok -n "fleet: the last good copy is still v2" cmp "$FL_STATE/fleet/admin-settings.json" "$FL/v2.json"
expect_ok -n "fleet: v2 published again" publish "$FL/v2.json" "$FL/sign.pem"
expect_ok -n "fleet: back to 'not modified' (within 15 s)" wait_log "not modified" "$(log_count "not modified")" 15
for r in ok not_modified bad_signature invalid; do
	expect_ok -n "fleet: metrics count result=$r" fleet_metric "$r" 1
done
expect_ok -n "fleet: metrics: no fetch error yet" fleet_metric error 0
expect_fail -n "fleet: metrics: ... and error stays at 0" fleet_metric error 1
expect_ok -n "fleet: metrics: the v2 update counted as a reload" sh -c \
	'curl -sS --max-time 5 --unix-socket "$1" http://x/metrics | grep -qE "^dockward_policy_reloads_total\{result=\"ok\"\} [1-9]"' _ "$FL/metrics.sock"

# --- (e) server down: keep enforcing; SIGHUP re-reads; a restart uses the last good copy
e2e_stop_pid "$FL_SRV_PID" 5
FL_SRV_PID=
n=$(log_count "fetch failed")
expect_ok -n "fleet: fetch failure logged with the time of the policy kept (within 15 s)" \
	wait_log "fetch failed" "$n" 15
expect_ok -n "fleet: fetch failure says 'kept the policy fetched'" grep -qF "kept the policy fetched" "$FL_LOG"
expect_ok -n "fleet: metrics count result=error with the server down" fleet_metric error 1
expect_ok -n "fleet: v2 still enforced with the server down" sock_mount
expect_ok -n "fleet: v1's rule still denies --privileged with the server down" \
	fleet_denied container.privileged fk create --privileged "$TEST_IMAGE" true
n=$(log_count "read again from the last good copy")
expect_ok -n "fleet: SIGHUP with the server down re-reads the last good copy" \
	sh -c 'kill -HUP "$1" && for i in $(seq 1 50); do [ "$(grep -cF "read again from the last good copy" "$2")" -gt "$3" ] && exit 0; sleep 0.2; done; exit 1' \
	_ "$FL_PID" "$FL_LOG" "$n"
fleet_stop
expect_ok -n "fleet: restart with the server down" fleet_start
expect_ok -n "fleet: it says it starts from the last good copy" \
	grep -qF "starting from the last good copy" "$FL_LOG"
expect_ok -n "fleet: the last good copy (v2) is enforced after the restart" sock_mount
expect_ok -n "fleet: ... and --privileged still denied" \
	fleet_denied container.privileged fk create --privileged "$TEST_IMAGE" true
n=$(srv_count "status=304")
expect_ok -n "fleet: the server back" fleet_server_start
expect_ok -n "fleet: ... the next poll is a 304 for the last good copy (within 15 s)" \
	wait_for 15 sh -c '[ "$(grep -c "^GET /admin-settings.json .*status=304" "$1")" -gt "$2" ]' _ "$FL_SRV_LOG" "$n"
fleet_stop

# --- (f) no last good copy and no server: refuse to start, say why and the fix
e2e_stop_pid "$FL_SRV_PID" 5
FL_SRV_PID=
rm -rf "$FL_STATE"
expect_ok -n "fleet: no server, no last good copy: refuses to start, says what failed" \
	refuses "fetch failed" "$DOCKWARD" serve "${FL_ARGS[@]}"
expect_ok -n "fleet: ... names the missing last good copy and the fix" \
	refuses "no last good copy" "$DOCKWARD" serve "${FL_ARGS[@]}"
expect_out -n "fleet: ... the fix" "Fix: serve the policy and its signature" \
	refuses "Fix:" "$DOCKWARD" serve "${FL_ARGS[@]}"
expect_ok -n "fleet: ... and leaves no gatekeeper socket" test ! -S "$FL_GK"

# Nothing of ours left running.
fleet_stop
e2e_stop_pid "$FL_SRV_PID" 5
fk rm -f e2e-fleet-sock >/dev/null 2>&1 || true
expect_ok -n "fleet: the fleet instance's log has no sanitizer reports" \
	sh -c '! grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$1"' _ "$FL_LOG"
