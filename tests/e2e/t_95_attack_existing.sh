# shellcheck shell=bash
# Issue 12, root cause 4: containers an admin made (host namespaces, /etc
# bound) must not be entered, copied from or into, exported, committed or
# started by a policy-bound caller; ordinary containers keep all of that.
# Judged by effect: the stolen file does not exist, host /etc is
# unchanged, the stopped container is still stopped, no image was made.

x95=e2e95-$$
w95=$T/work/t95
mkdir -p "$w95"
# Under userns-remap dockerd refuses --pid host unless --userns host too.
hostns95=(--pid host)
[ -n "${E2E_USERNS:-}" ] && hostns95=(--userns host --pid host)

# --- the admin's fixtures (ECI off for their creation only)
expect_ok -n "admin: run a host-pid container" \
	e2e_admin run -d --name "$x95-hostpid" "${hostns95[@]}" "$TEST_IMAGE" sleep 300
expect_ok -n "admin: run a container binding /etc" \
	e2e_admin run -d --name "$x95-etc" -v /etc:/host-etc "$TEST_IMAGE" sleep 300
expect_ok -n "admin: create a stopped container binding /etc" \
	e2e_admin create --name "$x95-etc-stopped" -v /etc:/host-etc "$TEST_IMAGE" sleep 300
expect_ok -n "admin: create a stopped host-pid container" \
	e2e_admin create --name "$x95-hostpid-stopped" "${hostns95[@]}" "$TEST_IMAGE" sleep 300
e95_hostpid() {
	local pid
	pid=$(e2e_inspect "$x95-hostpid" '{{.State.Pid}}') || return 1
	echo "container pid $pid: $(readlink "/proc/$pid/ns/pid"), ours: $(readlink /proc/self/ns/pid)"
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink /proc/self/ns/pid)" ]
}
expect_ok -n "fixture really shares the host's pid namespace" e95_hostpid
# An exec instance the admin made in the host-pid container, not started.
e95_exec_create() {
	local id
	e2e_reload_policy '.enhancedContainerIsolation.value = false' || return 1
	id=$(API_SOCK=$ENGINE_SOCK api POST "/containers/$x95-hostpid/exec" \
		'{"Cmd":["touch","/tmp/pwned-by-exec"]}' | sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p')
	e2e_reload_policy '.' || return 1
	[ -n "$id" ] && echo "$id" >"$w95/exec.id"
}
expect_ok -n "admin: create (not start) an exec in the host-pid container" e95_exec_create
started95=$(e2e_inspect "$x95-etc" '{{.State.StartedAt}}')

# --- the attacks, as the policy-bound caller
expect_deny -n "[container.existing] exec into a host-pid container" container.existing \
	dk exec "$x95-hostpid" touch /tmp/pwned
expect_deny -n "[container.existing] exec -d into the /etc binder" container.existing \
	dk exec -d "$x95-etc" cat /host-etc/hostname
expect_deny -n "[container.existing] start the admin's exec instance" container.existing \
	api POST "/exec/$(cat "$w95/exec.id" 2>/dev/null)/start" '{"Detach":true}'
e95_exec_idle() {
	API_SOCK=$ENGINE_SOCK api GET "/exec/$(cat "$w95/exec.id")/json" >"$w95/exec.json" || return 1
	cat "$w95/exec.json"
	sed -n 2p "$w95/exec.json" | jq -e '.Running == false and .ExitCode == null and .Pid == 0'
}
expect_ok -n "effect: the exec instance never ran" e95_exec_idle
expect_ok -n "effect: nothing was written in the host-pid container" \
	sh -c '! timeout 30 "$DOCKER" diff "$1" | grep -q pwned' _ "$x95-hostpid"
expect_deny -n "[container.existing] attach to a host-pid container" container.existing \
	api POST "/containers/$x95-hostpid/attach?stream=1&stdin=1&stdout=1"
expect_fail -n "docker attach fails too" dk attach --no-stdin "$x95-hostpid"
expect_deny -n "[container.existing] websocket attach" container.existing \
	api GET "/containers/$x95-hostpid/attach/ws?stream=1&stdin=1"
expect_deny -n "[container.existing] start a stopped /etc binder" container.existing \
	dk start "$x95-etc-stopped"
expect_out -n "effect: it is still stopped" false e2e_inspect "$x95-etc-stopped" '{{.State.Running}}'
expect_deny -n "[container.existing] start a stopped host-pid container" container.existing \
	dk start "$x95-hostpid-stopped"
expect_out -n "effect: the host-pid one too" false e2e_inspect "$x95-hostpid-stopped" '{{.State.Running}}'
expect_deny -n "[container.existing] restart the /etc binder" container.existing \
	dk restart -t 1 "$x95-etc"
expect_out -n "effect: it was not restarted" "$started95" e2e_inspect "$x95-etc" '{{.State.StartedAt}}'
expect_deny -n "[container.existing] cp host /etc out of the binder" container.existing \
	dk cp "$x95-etc:/host-etc/hostname" "$w95/stolen"
expect_fail -n "effect: nothing was copied out" test -e "$w95/stolen"
echo pwned >"$w95/evil"
expect_deny -n "[container.existing] cp a file into host /etc through the binder" container.existing \
	dk cp "$w95/evil" "$x95-etc:/host-etc/dockward-e2e-pwned-$$"
expect_fail -n "effect: host /etc unchanged" test -e "/etc/dockward-e2e-pwned-$$"
expect_out -n "[container.existing] cp stat (HEAD archive) is refused" " 403 " \
	curl -sS -I --max-time 20 --unix-socket "$FRONT_SOCK" \
	"http://localhost/containers/$x95-etc/archive?path=/host-etc"
# A refused HEAD is answered with a head alone (as dockerd's Go server does):
# body bytes after it would be read as the answer to the next request on
# the same connection (docker cp stats, then PUTs on one connection).
e95_head_then_ping() {
	printf 'HEAD /v1.41/containers/%s/archive?path=/host-etc HTTP/1.1\r\nHost: d\r\n\r\nGET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n' \
		"$x95-etc" | python3 "$here/raw_http.py" "$FRONT_SOCK" >"$T/out/e95-head.txt" || return 1
	cat "$T/out/e95-head.txt"
	[ "$(grep -c '^HTTP/1.1 ' "$T/out/e95-head.txt")" -eq 2 ] &&
		grep -q '^HTTP/1.1 403 ' "$T/out/e95-head.txt" &&
		grep -q '^HTTP/1.1 200 ' "$T/out/e95-head.txt" &&
		! grep -q '"message"' "$T/out/e95-head.txt"
}
expect_ok -n "a refused HEAD has no body: the next request on the connection gets its own answer" \
	e95_head_then_ping
expect_deny -n "[container.existing] export the binder" container.existing \
	dk export -o "$w95/etc.tar" "$x95-etc"
expect_fail -n "effect: no export written" test -s "$w95/etc.tar"
expect_deny -n "[container.existing] commit the binder" container.existing \
	dk commit "$x95-etc" dockward-test/stolen:1
expect_fail -n "effect: no image was committed" dk image inspect dockward-test/stolen:1
# The host-user namespace exemption userns-remap offers is a namespace rule too.
expect_deny -n "[container.namespace] run --userns host" container.namespace \
	run_bb --userns host

# --- ordinary containers keep every workflow
expect_ok -n "run an ordinary container" dk run -d --name "$x95-ok" -v "$w95:/w" "$TEST_IMAGE" sleep 300
expect_out -n "exec into it" uid=0 dk exec "$x95-ok" id
expect_ok -n "cp into it" dk cp "$w95/evil" "$x95-ok:/tmp/in"
expect_out -n "cp out of it" pwned sh -c 'timeout 30 "$DOCKER" cp "$1:/tmp/in" "$2/out" && cat "$2/out"' _ "$x95-ok" "$w95"
expect_ok -n "export it" dk export -o "$w95/ok.tar" "$x95-ok"
expect_ok -n "commit it" dk commit "$x95-ok" dockward-test/committed:1
expect_ok -n "restart it" dk restart -t 1 "$x95-ok"
expect_ok -n "stop it" dk stop -t 1 "$x95-ok"
expect_ok -n "start it" dk start "$x95-ok"
expect_out -n "attach to it" attached sh -c 'timeout 30 "$DOCKER" run -d --name "$1-att" "$2" sh -c "sleep 2; echo attached" >/dev/null &&
	timeout 30 "$DOCKER" attach --no-stdin "$1-att"' _ "$x95" "$TEST_IMAGE"
# Stopping and removing the admin's containers is not entering them.
expect_ok -n "remove everything" dk rm -f "$x95-hostpid" "$x95-etc" "$x95-etc-stopped" \
	"$x95-hostpid-stopped" "$x95-ok" "$x95-ok-att"
dk rmi dockward-test/committed:1 >/dev/null 2>&1
rm -rf "$w95"
rm -f "/etc/dockward-e2e-pwned-$$"	# only there if the attack succeeded
