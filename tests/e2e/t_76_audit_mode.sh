# shellcheck shell=bash
# Audit-only mode (dockward.enforcement, dockward.ruleEnforcement): the same
# workload under an audit policy, then under the suite's enforcing policy.
# What audit mode records as would-deny ("decision":"allow","wouldDeny":true)
# must be what enforcing denies, by (rule, field); under audit the
# privileged container really is created, under enforce it is not; the
# socket mount of an unlisted image stays denied in audit mode; `check`
# warns about audit mode and refuses plugin.manage set to audit.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

AM=$T/audit-mode
mkdir -p "$AM"
DOOR=plugin
[ "$E2E_MODE" = plugin ] || DOOR=gatekeeper

# --- dockward check: audit mode warns; a never-auditable rule is refused
e2e_policy_json "[\"$ALLOWED_IMAGE\"]" "$T/data" "$T/exec" |
	jq '.dockward.enforcement = "audit"' >"$AM/audit.json"
e2e_policy_json "[\"$ALLOWED_IMAGE\"]" "$T/data" "$T/exec" |
	jq '.dockward.ruleEnforcement = {"container.*": "audit", "plugin.manage": "audit"}' \
	>"$AM/plugin-audit.json"
chmod 0644 "$AM/audit.json" "$AM/plugin-audit.json"
expect_out -n "check: an audit policy is valid and WARNs about audit mode" \
	"AUDIT MODE: denials under" "$DOCKWARD" check --settings "$AM/audit.json"
expect_out -n "check: the warning names the rules that stay enforced" \
	"mount.dockerSocket" sh -c '"$1" check --settings "$2" | grep "can never be audit-only"' \
	_ "$DOCKWARD" "$AM/audit.json"
expect_fail -n "check: plugin.manage set to audit is refused" \
	"$DOCKWARD" check --settings "$AM/plugin-audit.json"
expect_ok -n "check: the refusal names plugin.manage and the fix" sh -c \
	'"$1" check --settings "$2" 2>&1 | grep -q "dockward.ruleEnforcement.\"plugin.manage\": this rule can never be audit-only"' \
	_ "$DOCKWARD" "$AM/plugin-audit.json"

# workload TAG: the same requests in either mode; each one's exit status in $AM/TAG.rc.
workload() {
	local tag=$1
	: >"$AM/$tag.rc"
	dk create --name "am-priv-$tag" --privileged "$TEST_IMAGE" true >"$AM/$tag.priv" 2>&1
	echo "priv $?" >>"$AM/$tag.rc"
	dk create --name "am-pid-$tag" --pid=host "$TEST_IMAGE" true >"$AM/$tag.pid" 2>&1
	echo "pid $?" >>"$AM/$tag.rc"
	dk create --name "am-etc-$tag" -v /etc:/host-etc:ro "$TEST_IMAGE" true >"$AM/$tag.etc" 2>&1
	echo "etc $?" >>"$AM/$tag.rc"
	dk create --name "am-sock-$tag" -v "$FRONT_SOCK:/var/run/docker.sock" "$TEST_IMAGE" true \
		>"$AM/$tag.sock" 2>&1
	echo "sock $?" >>"$AM/$tag.rc"
	dk run --rm "$TEST_IMAGE" echo am-ok >"$AM/$tag.ok" 2>&1
	echo "ok $?" >>"$AM/$tag.rc"
	sleep 0.3	# allows are written by the audit flusher within 20 ms
}

# records FROM SELECT: "rule field" of this door's audit lines after byte FROM, sorted.
records() {
	tail -c +"$(($1 + 1))" "$AUDIT" |
		jq -r --arg door "$DOOR" "select(.source == \$door) | select($2) | \"\\(.rule) \\(.field)\"" |
		sort -u
}
rc_of() { awk -v k="$2" '$1 == k { print $2 }' "$AM/$1.rc"; }
# replay TAG NAME: a workload request's output and exit status, for the expect_* helpers.
replay() { cat "$AM/$1.$2"; return "$(rc_of "$1" "$2")"; }

# --- the audit policy
before=$(grep -c 'AUDIT MODE' "$T/dockward.log")
expect_ok -n "SIGHUP with an audit policy" e2e_reload_policy '.dockward.enforcement = "audit"'
expect_ok -n "serve logs AUDIT MODE at the reload" \
	sh -c '[ "$(grep -c "AUDIT MODE" "$1")" -gt "$2" ]' _ "$T/dockward.log" "$before"
a0=$(wc -c <"$AUDIT")
workload audit
a1=$(wc -c <"$AUDIT")
records "$a0" '.wouldDeny == true and .decision == "allow"' >"$AM/audit.wd"
records "$a0" '.decision == "deny"' >"$AM/audit.deny"
expect_ok -n "audit: the privileged create succeeded" [ "$(rc_of audit priv)" = 0 ]
expect_out -n "audit: the privileged container REALLY exists, privileged (inspect)" true \
	e2e_inspect am-priv-audit '{{.HostConfig.Privileged}}'
expect_out -n "audit: the host-namespace container exists with --pid=host" host \
	e2e_inspect am-pid-audit '{{.HostConfig.PidMode}}'
expect_ok -n "audit: the protected bind's container exists" e2e_inspect am-etc-audit '{{.Id}}'
expect_deny -n "[mount.dockerSocket] audit: the socket of an unlisted image stays denied" \
	mount.dockerSocket replay audit sock
expect_ok -n "audit: the socket container was not created" \
	sh -c '! DOCKER_HOST=unix://$1 timeout 20 "$2" inspect am-sock-audit >/dev/null 2>&1' \
	_ "$ADMIN_SOCK" "$DOCKER"
expect_ok -n "audit: the allowed run ran" grep -q am-ok "$AM/audit.ok"
E2E_OUT=$AM/audit.wd
expect_ok -n "audit: would-deny records for privileged, pid=host and the /etc bind" sh -c \
	'grep -q "^container.privileged " "$1" && grep -q "^container.namespace " "$1" &&
	 grep -q "^mount.protectedPath " "$1"' _ "$AM/audit.wd"
expect_ok -n "audit: would-deny records keep the reason" sh -c \
	'tail -c +"$(($2 + 1))" "$1" | head -c "$(($3 - $2))" |
	 jq -e -s "[.[] | select(.wouldDeny == true)] | length > 0 and
	   all(.reason | startswith(\"dockward: \"))" >/dev/null' _ "$AUDIT" "$a0" "$a1"
expect_ok -n "audit: wouldDeny comes right after decision in the line" sh -c \
	'tail -c +"$(($2 + 1))" "$1" | grep -q "\"decision\":\"allow\",\"wouldDeny\":true,\"rule\":\"container.privileged\""' \
	_ "$AUDIT" "$a0"
expect_ok -n "audit: ordinary allows carry no wouldDeny key" sh -c \
	'tail -c +"$(($2 + 1))" "$1" | jq -e -s "[.[] | select(.rule == \"allow\") | has(\"wouldDeny\")] | any | not" >/dev/null' \
	_ "$AUDIT" "$a0"
expect_out -n "status: the top would-deny rules" "top would-deny rules" \
	"$DOCKWARD" status --metrics "$T/metrics.sock"
expect_out -n "status: says AUDIT MODE" "AUDIT MODE:" \
	"$DOCKWARD" status --metrics "$T/metrics.sock"
expect_ok -n "metrics: dockward_would_deny_total counts container.privileged" sh -c \
	'curl -s --max-time 10 --unix-socket "$1" http://x/metrics |
	 grep -q "^dockward_would_deny_total{door=\"$2\",rule=\"container.privileged\"} [1-9]"' \
	_ "$T/metrics.sock" "$DOOR"

# --- the same workload, enforced
expect_ok -n "SIGHUP back to the enforcing policy" e2e_reload_policy '.'
expect_ok -n "serve logs that audit mode is off" grep -q "audit mode is off" "$T/dockward.log"
e0=$(wc -c <"$AUDIT")
workload enforce
records "$e0" '.decision == "deny"' >"$AM/enforce.deny"
records "$e0" '.wouldDeny == true' >"$AM/enforce.wd"
expect_deny -n "[container.privileged] enforce: --privileged is denied" container.privileged \
	replay enforce priv
expect_ok -n "enforce: the privileged container was NOT created" \
	sh -c '! DOCKER_HOST=unix://$1 timeout 20 "$2" inspect am-priv-enforce >/dev/null 2>&1' \
	_ "$ADMIN_SOCK" "$DOCKER"
expect_deny -n "[container.namespace] enforce: --pid=host is denied" container.namespace \
	replay enforce pid
expect_deny -n "[mount.protectedPath] enforce: the /etc bind is denied" mount.protectedPath \
	replay enforce etc
expect_deny -n "[mount.dockerSocket] enforce: the unlisted image's socket mount is denied" \
	mount.dockerSocket replay enforce sock
expect_ok -n "enforce: the allowed run ran" grep -q am-ok "$AM/enforce.ok"
expect_ok -n "enforce: no would-deny records" [ ! -s "$AM/enforce.wd" ]
# The comparison: audit's would-deny plus its denials (only what never
# relaxes) is, by (rule, field), what enforcing denies.
sort -u "$AM/audit.wd" "$AM/audit.deny" >"$AM/audit.all"
diff "$AM/audit.all" "$AM/enforce.deny" >"$AM/diff.txt" 2>&1
E2E_OUT=$AM/diff.txt
cat "$AM/audit.all" >>"$AM/diff.txt"
expect_ok -n "the (rule, field) set would-deny under audit equals the deny set under enforce (4 pairs)" \
	sh -c '[ "$(wc -l <"$1")" -eq 4 ] && cmp -s "$1" "$2"' _ "$AM/audit.all" "$AM/enforce.deny"
expect_ok -n "audit denied only what never relaxes (the unlisted socket)" sh -c \
	'[ "$(cut -d" " -f1 "$1" | sort -u)" = mount.dockerSocket ]' _ "$AM/audit.deny"

DOCKER_HOST=unix://$ADMIN_SOCK timeout -k 5 60 "$DOCKER" rm -f am-priv-audit am-pid-audit \
	am-etc-audit >/dev/null 2>&1 || true
