# shellcheck shell=bash
# Policy files: `dockward check`, and SIGHUP reloads (a broken file keeps
# the last good policy).  Last, because it changes the policy.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

cp "$SETTINGS" "$T/good.json"

# --- dockward check
expect_out -n "check: the suite's policy is valid" valid \
	"$DOCKWARD" check --settings "$SETTINGS"
mkdir -m 0700 "$T/policies"
printf '{ "configurationFileVersion": 2, "enhancedContainerIsolation": ' >"$T/policies/truncated.json"
expect_fail -n "check: truncated JSON is invalid" "$DOCKWARD" check --settings "$T/policies/truncated.json"
jq '.dockward.protectedPaths = "/etc"' "$SETTINGS" >"$T/policies/wrongtype.json"
expect_fail -n "check: protectedPaths of the wrong type is invalid" \
	"$DOCKWARD" check --settings "$T/policies/wrongtype.json"
jq '.enhancedContainerIsolation.dockerSocketMount.imageList.images = [42]' "$SETTINGS" >"$T/policies/badimage.json"
expect_fail -n "check: a non-string image entry is invalid" \
	"$DOCKWARD" check --settings "$T/policies/badimage.json"
jq '.dockward.e2eUnknownKey = true' "$SETTINGS" >"$T/policies/unknown.json"
expect_ok -n "check: an unknown key only warns" "$DOCKWARD" check --settings "$T/policies/unknown.json"
cp "$SETTINGS" "$T/policies/groupwritable.json"
chmod 0664 "$T/policies/groupwritable.json"
expect_fail -n "check: a group-writable policy file is refused" \
	"$DOCKWARD" check --settings "$T/policies/groupwritable.json"
mkdir -m 0777 "$T/policies/opendir"
cp "$SETTINGS" "$T/policies/opendir/admin-settings.json"
expect_fail -n "check: a policy in a world-writable directory is refused" \
	"$DOCKWARD" check --settings "$T/policies/opendir/admin-settings.json"

# containersProxy and dockward.egress: check prints the effective egress
# policy, and a bad block refuses the file with its JSON path.
jq '.containersProxy = {"locked": true, "mode": "manual", "http": "", "https": "",
	"exclude": ["internal.example", "10.0.0.0/8", "*.corp.example"], "transparentPorts": "80,443"} |
	.dockward.egress = {"udp": "dns-only", "dnsServers": ["192.0.2.53"], "port": 15001}' \
	"$SETTINGS" >"$T/policies/egress.json"
expect_out -n "check: containersProxy prints the effective egress policy" \
	"containersProxy: air-gapped containers are on; the effective egress policy:" \
	"$DOCKWARD" check --settings "$T/policies/egress.json"
expect_out -n "check: the egress policy lists the exclude entries and ports" "80,443" \
	"$DOCKWARD" check --settings "$T/policies/egress.json"
jq '.containersProxy.transparentPorts = "80-"' "$T/policies/egress.json" >"$T/policies/egress-ports.json"
expect_fail -n "check: a bad containersProxy.transparentPorts is invalid" \
	"$DOCKWARD" check --settings "$T/policies/egress-ports.json"
expect_ok -n "check: the message names containersProxy.transparentPorts" sh -c \
	'"$1" check --settings "$2" 2>&1 | grep -q "containersProxy.transparentPorts: \"80-\""' \
	_ "$DOCKWARD" "$T/policies/egress-ports.json"
jq '.dockward.egress.udp = "sometimes"' "$T/policies/egress.json" >"$T/policies/egress-udp.json"
expect_fail -n "check: a bad dockward.egress.udp is invalid" \
	"$DOCKWARD" check --settings "$T/policies/egress-udp.json"
jq '.containersProxy.pac = "ftp://pac.example/proxy.pac"' "$T/policies/egress.json" >"$T/policies/egress-pac.json"
expect_fail -n "check: a PAC URL that is not http(s) is invalid" \
	"$DOCKWARD" check --settings "$T/policies/egress-pac.json"

# hup: send SIGHUP and wait (<= 10s) until dockward has logged something.
hup() {
	local before
	before=$(wc -c <"$T/dockward.log")
	kill -HUP "$DOCKWARD_PID" || return 1
	wait_for 10 sh -c '[ "$(wc -c <"$1")" -gt "$2" ]' _ "$T/dockward.log" "$before"
	sleep 0.5
}

# --- a broken file: the last good policy stays
log_before=$(wc -c <"$T/dockward.log")
printf '{ "configurationFileVersion": 2, "enhancedContainerIsolation": { "value": fal' >"$SETTINGS.tmp"
mv -f "$SETTINGS.tmp" "$SETTINGS"
expect_ok -n "SIGHUP with a broken policy file" hup
expect_ok -n "dockward is still running after a broken reload" alive "$DOCKWARD_PID"
expect_ok -n "dockward logs the failed reload" \
	sh -c 'tail -c +"$(($2 + 1))" "$1" | tee /dev/stderr | grep -qi "reload"' _ "$T/dockward.log" "$log_before"
expect_out -n "dockerd still works after a broken reload" "Server:" dk version
expect_out -n "run still works after a broken reload" still-ok dk run --rm "$TEST_IMAGE" echo still-ok
expect_deny -n "[container.privileged] old policy still denies --privileged" container.privileged \
	dk run --rm --privileged "$TEST_IMAGE" true
expect_ok -n "old policy still allows the listed image's socket mount" \
	dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" true

# --- a good policy without the image: its socket mount is now denied
e2e_write_settings "$SETTINGS" '[]'
expect_ok -n "SIGHUP with a policy that lists no image" hup
E2E_RETRY=10 expect_deny -n "[mount.dockerSocket] reloaded policy denies the formerly listed image" \
	mount.dockerSocket dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" true

# --- a policy with unsafe permissions is refused on reload too
e2e_write_settings "$SETTINGS"
chmod 0666 "$SETTINGS"
expect_ok -n "SIGHUP with a world-writable policy file" hup
expect_deny -n "[mount.dockerSocket] world-writable policy was not loaded" mount.dockerSocket \
	dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" true

# --- back to the suite's policy
chmod 0644 "$SETTINGS"
expect_ok -n "SIGHUP with the original policy" hup
E2E_RETRY=10 expect_ok -n "restored policy allows the listed image again" \
	dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" true
expect_deny -n "[container.privileged] restored policy denies --privileged" container.privileged \
	dk run --rm --privileged "$TEST_IMAGE" true
