# shellcheck shell=bash
# Fleet policy without rollback (docs/fleet.md, "Serial and expiry"): a
# second dockward, gatekeeper only, takes its policy from a local HTTPS
# server (fleet_server.py) that replays old signed policies.  v1 (serial 1)
# lets the suite's allowed image mount the engine socket, v2 (serial 2)
# does not.  Proves, by the socket mount staying denied: (a) v1 replayed,
# correctly signed, is refused as a rollback, logged and counted; (b) a
# signed policy past its expiry is refused, logged and counted; (c) after
# a restart with v1 still served, v1 is still refused (the serial held is
# on disk), and without the last good copy dockward refuses to start
# rather than take v1; (d) a policy that expires while in force stays in
# force, loudly: the log, the metrics and `dockward status` say so.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

FR=$T/fleet-rb
FR_GK=$T/fleet-rb-gk.sock
FR_STATE=$T/fleet-rb-state
FR_LOG=$T/fleet-rb-dockward.log
FR_PID=
FR_SRV_PID=
mkdir -m 0700 "$FR" "$FR/www"
: >"$FR_LOG"

fr() { DOCKER_HOST=unix://$FR_GK timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"; }

# fr_sock_denied: the allowed image may not mount the engine socket (mount.dockerSocket).
fr_sock_denied() {
	local out
	fr rm -f e2e-fleet-rb >/dev/null 2>&1
	if out=$(fr create --name e2e-fleet-rb -v "$ENGINE_SOCK:/var/run/docker.sock" \
		"$ALLOWED_IMAGE" true 2>&1); then
		fr rm -f e2e-fleet-rb >/dev/null 2>&1
		echo "allowed, expected mount.dockerSocket: $out"
		return 1
	fi
	echo "$out"
	grep -qF "(mount.dockerSocket)" <<<"$out"
}

# fr_policy SERIAL IMAGES ISSUED EXPIRES: a policy with dockward.policy.
fr_policy() {
	e2e_policy_json "$2" "$T/data" "$T/exec" |
		jq --argjson s "$1" --arg i "$3" --arg e "$4" \
		'.dockward.policy = {serial: $s, issued: $i, expires: $e}'
}

# fr_publish FILE: serve FILE and its signature (signature first).
fr_publish() {
	openssl pkeyutl -sign -rawin -inkey "$FR/sign.pem" -in "$1" -out "$FR/www/.sig.tmp" &&
		cp "$1" "$FR/www/.policy.tmp" &&
		mv -f "$FR/www/.sig.tmp" "$FR/www/admin-settings.json.sig" &&
		mv -f "$FR/www/.policy.tmp" "$FR/www/admin-settings.json"
}

fr_metrics() { curl -sS --max-time 5 --unix-socket "$FR/metrics.sock" http://x/metrics; }
# fr_metric NAME VALUE: the sample NAME (with its labels) is VALUE.
fr_metric() { fr_metrics | awk -v k="$1" -v v="$2" '$1 == k { f = ($2 == v) } END { exit !f }'; }
# fr_wait_log TEXT N: within 15 s the log has more than N lines with TEXT.
fr_wait_log() { wait_for 15 sh -c '[ "$(grep -cF -- "$1" "$2")" -gt "$3" ]' _ "$1" "$FR_LOG" "$2"; }
fr_count() { grep -cF -- "$1" "$FR_LOG"; }
fr_ts() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

fr_start() {
	"$DOCKWARD" serve --settings-url "$FR_URL" --settings-pubkey "$FR/sign.pub" \
		--settings-ca "$FR/ca.pem" --settings-refresh 1 \
		--plugin-socket none --gatekeeper-socket "$FR_GK" --engine-socket "$ENGINE_SOCK" \
		--state-dir "$FR_STATE" --audit-log "$T/fleet-rb-audit.log" \
		--metrics "$FR/metrics.sock" >>"$FR_LOG" 2>&1 &
	FR_PID=$!
	local deadline=$(($(date +%s) + 20))
	until [ -S "$FR_GK" ]; do
		alive "$FR_PID" || return 1
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}

fr_stop() {
	e2e_stop_pid "$FR_PID" 10
	FR_PID=
	rm -f "$FR_GK"
}

fr_pki() {
	openssl genpkey -algorithm ed25519 -out "$FR/sign.pem" &&
	openssl pkey -in "$FR/sign.pem" -pubout -out "$FR/sign.pub" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$FR/ca.key" -out "$FR/ca.pem" -days 2 -subj /CN=dockward-e2e-rollback-ca \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$FR/srv.key" -out "$FR/srv.csr" -subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >"$FR/srv.ext" &&
	openssl x509 -req -in "$FR/srv.csr" -CA "$FR/ca.pem" -CAkey "$FR/ca.key" \
		-CAcreateserial -out "$FR/srv.pem" -days 2 -extfile "$FR/srv.ext"
}
expect_ok -n "rollback: signing key, CA and server certificate (openssl)" fr_pki
chmod 0644 "$FR/sign.pub"

ISSUED=$(fr_ts '-1 day')
LATER=$(fr_ts '+30 days')
fr_policy 1 "[\"$ALLOWED_IMAGE\"]" "$ISSUED" "$LATER" >"$FR/v1.json"
fr_policy 2 '[]' "$ISSUED" "$LATER" >"$FR/v2.json"
fr_policy 3 "[\"$ALLOWED_IMAGE\"]" "$(fr_ts '-3 days')" "$(fr_ts '-1 hour')" >"$FR/v3-expired.json"

FR_PORT=$(e2e_free_port)
FR_URL=https://127.0.0.1:$FR_PORT/admin-settings.json
expect_ok -n "rollback: publish v2 (serial 2, no socket image)" fr_publish "$FR/v2.json"
python3 "$here/fleet_server.py" "$FR/www" "$FR/srv.pem" "$FR/srv.key" "$FR_PORT" \
	"$FR/server.log" >>"$FR/server.err" 2>&1 &
FR_SRV_PID=$!
expect_ok -n "rollback: local HTTPS server answers" \
	wait_for 10 curl -fsS --max-time 2 --cacert "$FR/ca.pem" -o /dev/null "$FR_URL"
expect_ok -n "rollback: dockward starts from v2" fr_start
expect_ok -n "rollback: v2 denies the socket mount" fr_sock_denied
expect_ok -n "rollback: dockward_policy_serial is 2" fr_metric dockward_policy_serial 2
expect_ok -n "rollback: the serial held is stored beside the last good copy" \
	grep -qE '^2 sha256:[0-9a-f]{64}$' "$FR_STATE/fleet/admin-settings.json.serial"

# --- (a) v1, correctly signed, replayed: a rollback
n=$(fr_count "REFUSED, rollback")
expect_ok -n "rollback: the server replays v1 (serial 1, signed)" fr_publish "$FR/v1.json"
expect_ok -n "rollback: 'REFUSED, rollback' logged (within 15 s)" fr_wait_log "REFUSED, rollback" "$n"
expect_ok -n "rollback: ... saying why" grep -qF \
	"serial 1 is lower than 2, the serial of the policy held" "$FR_LOG"
expect_ok -n "rollback: v2 still in force: the socket mount still denied" fr_sock_denied
expect_ok -n "rollback: metrics count result=rollback" \
	sh -c 'curl -sS --max-time 5 --unix-socket "$1" http://x/metrics |
		grep -qE "^dockward_settings_fetch_total\{result=\"rollback\"\} [1-9]"' _ "$FR/metrics.sock"
expect_ok -n "rollback: dockward_policy_serial is still 2" fr_metric dockward_policy_serial 2
expect_ok -n "rollback: the last good copy is still v2" cmp "$FR_STATE/fleet/admin-settings.json" "$FR/v2.json"

# --- (b) serial 3, signed, but expired an hour ago
n=$(fr_count "REFUSED, expired")
expect_ok -n "rollback: the server serves an expired policy (serial 3)" fr_publish "$FR/v3-expired.json"
expect_ok -n "rollback: 'REFUSED, expired' logged (within 15 s)" fr_wait_log "REFUSED, expired" "$n"
expect_ok -n "rollback: ... saying when it expired" grep -qE \
	"REFUSED, expired: serial 3 expired at [0-9T:Z-]+ \(1h [0-9]+m ago\)" "$FR_LOG"
expect_ok -n "rollback: the socket mount still denied (v2 kept)" fr_sock_denied
expect_ok -n "rollback: metrics count result=expired" \
	sh -c 'curl -sS --max-time 5 --unix-socket "$1" http://x/metrics |
		grep -qE "^dockward_settings_fetch_total\{result=\"expired\"\} [1-9]"' _ "$FR/metrics.sock"

# --- (c) restart with v1 served: still refused, from the serial held on disk
expect_ok -n "rollback: the server replays v1 again" fr_publish "$FR/v1.json"
fr_stop
n=$(fr_count "starting from the last good copy")
expect_ok -n "rollback: restart with v1 served" fr_start
expect_ok -n "rollback: at start v1 is refused as a rollback, the last good copy used" \
	sh -c 'grep -F "starting from the last good copy" "$1" | tail -n 1 |
		grep -qF "rollback: serial 1 is lower than 2"' _ "$FR_LOG"
expect_ok -n "rollback: after the restart the socket mount is still denied" fr_sock_denied
expect_ok -n "rollback: dockward_policy_serial is 2 after the restart" fr_metric dockward_policy_serial 2
fr_stop
# The copy lost, the serial file kept: v1 must not start the host.
rm -f "$FR_STATE/fleet/admin-settings.json" "$FR_STATE/fleet/admin-settings.json.sig"
out=$(timeout -k 5 30 "$DOCKWARD" serve --settings-url "$FR_URL" --settings-pubkey "$FR/sign.pub" \
	--settings-ca "$FR/ca.pem" --plugin-socket none --gatekeeper-socket "$FR_GK" \
	--engine-socket "$ENGINE_SOCK" --state-dir "$FR_STATE" --audit-log "$T/fleet-rb-audit.log" 2>&1)
rc=$?
expect_ok -n "rollback: without the last good copy, v1 does not start the host (exit $rc)" \
	sh -c '[ "$1" -ne 0 ] && [ "$1" -ne 124 ] && grep -qF "rollback: serial 1 is lower than 2" <<EOF
$2
EOF' _ "$rc" "$out"
expect_ok -n "rollback: ... and leaves no gatekeeper socket" test ! -S "$FR_GK"

# --- (d) rolling forward to serial 4, which expires in 15 s while in force
fr_policy 4 '[]' "$(fr_ts '-10 minutes')" "$(fr_ts '+15 seconds')" >"$FR/v4.json"
expect_ok -n "rollback: publish serial 4 (expires in 15 s)" fr_publish "$FR/v4.json"
expect_ok -n "rollback: serial 4 starts the host" fr_start
expect_ok -n "rollback: serial 4 is in force" fr_metric dockward_policy_serial 4
expect_ok -n "rollback: it warns ahead of the expiry" grep -qF "fleet policy serial 4" "$FR_LOG"
expect_out -n "rollback: status warns of the expiry" "WARNING: expires soon" \
	"$DOCKWARD" status --metrics "$FR/metrics.sock"
expect_ok -n "rollback: 'FLEET POLICY EXPIRED' logged once it expires (within 20 s)" \
	wait_for 20 grep -qF "FLEET POLICY EXPIRED: serial 4" "$FR_LOG"
expect_ok -n "rollback: ... still enforcing it: the socket mount still denied" fr_sock_denied
expect_ok -n "rollback: dockward_policy_expiry_seconds is 0 or less" \
	sh -c 'curl -sS --max-time 5 --unix-socket "$1" http://x/metrics |
		grep -qE "^dockward_policy_expiry_seconds (0|-[0-9]+)$"' _ "$FR/metrics.sock"
expect_out -n "rollback: status says EXPIRED, still enforced" "EXPIRED" \
	"$DOCKWARD" status --metrics "$FR/metrics.sock"

fr_stop
e2e_stop_pid "$FR_SRV_PID" 5
FR_SRV_PID=
expect_ok -n "rollback: the instance's log has no sanitizer reports" \
	sh -c '! grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$1"' _ "$FR_LOG"
