# shellcheck shell=bash
# Issue 12, "Nine ways through": who is calling.
#  2. A container created with --cgroup-parent inside a listed socket
#     container's cgroup was taken for the listed container (the outermost
#     known id in its cgroup path won).  Now only the exact cgroup dockerd
#     gave a container is that container, and --cgroup-parent is refused
#     under ECI.
#  8. A host user whose dockward.users.commandList denies `volume create`
#     ran a listed socket image and created the volume from inside.  Now
#     a container acts for the user who created it, and for whoever ran
#     commands in it (exec).
# Every attack is judged by its effect on the engine (the volume must not
# exist; the nested container must not exist).  Runs in both modes: the
# gatekeeper listens at $GK_SOCK in plugin mode too.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

export GK_SOCK ENGINE_SOCK
gk() { DOCKER_HOST=unix://$GK_SOCK timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"; }
# The engine's own answer (no policy can hide an effect from it).
eng() { DOCKER_HOST=unix://$ENGINE_SOCK timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"; }
no_volume() { ! eng volume inspect "$1" >/dev/null 2>&1; }
no_container() { ! eng container inspect "$1" >/dev/null 2>&1; }

# --- root cause 2: the --cgroup-parent impostor
expect_ok -n "identity: a listed socket holder, made through the gatekeeper" \
	gk run -d --name e2e-id-holder -v "$GK_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" sleep 300
holder=$(e2e_inspect e2e-id-holder '{{.Id}}' 2>/dev/null)
hpid=$(e2e_inspect e2e-id-holder '{{.State.Pid}}' 2>/dev/null)
e2e_log "holder ${holder:0:12}, pid $hpid, cgroup: $(tr '\n' ' ' <"/proc/$hpid/cgroup" 2>/dev/null | head -c 300)"
expect_out -n "identity: the holder itself is taken for itself (docker ps from inside)" CONTAINER \
	dk exec e2e-id-holder docker ps
expect_out -n "identity: the holder's cgroup ends in its id (cgroupfs driver)" "/docker/$holder" \
	cat "/proc/$hpid/cgroup"

# A policy-bound user may not choose a cgroup parent at all.
expect_deny -n "[container.cgroupParent] create inside the holder's cgroup" container.cgroupParent \
	dk create --name e2e-id-nested --cgroup-parent "/docker/$holder" "$TEST_IMAGE" true
expect_ok -n "[effect] the nested container was not created" no_container e2e-id-nested
expect_deny -n "[container.cgroupParent] any other cgroup parent" container.cgroupParent \
	dk create --name e2e-id-nested2 --cgroup-parent /e2e-elsewhere "$TEST_IMAGE" true
expect_ok -n "[effect] that container was not created either" no_container e2e-id-nested2
expect_ok -n "identity: a create without --cgroup-parent still works" \
	dk create --name e2e-id-plain "$TEST_IMAGE" true

# The impostor as an admin-made fixture (real hosts have such containers):
# an unlisted image with a docker client, in the holder's cgroup, with the
# gatekeeper socket; it tries a volume create when told to.
mkdir -p "$T/idctx" "$T/idtrig"
printf 'FROM %s\nLABEL org.dockward.test=impostor\n' "$ALLOWED_IMAGE" >"$T/idctx/Dockerfile"
expect_ok -n "identity: an unlisted image that holds a docker client" \
	eng build -q -t e2e-id-impostor:1 "$T/idctx"
expect_ok -n "identity: admin fixture: the impostor inside the holder's cgroup" \
	e2e_admin run -d --name e2e-id-impostor --cgroup-parent "/docker/$holder" \
	-v "$GK_SOCK:/var/run/docker.sock" -v "$T/idtrig:/trig" e2e-id-impostor:1 \
	sh -c 'while [ ! -e /trig/go ]; do sleep 0.2; done
		docker volume create e2e-id-pwned >/trig/out 2>&1; echo "rc=$?" >>/trig/out
		sleep 300'
ipid=$(e2e_inspect e2e-id-impostor '{{.State.Pid}}' 2>/dev/null)
expect_out -n "identity: the impostor's cgroup is below the holder's" "/docker/$holder/" \
	cat "/proc/$ipid/cgroup"
touch "$T/idtrig/go"
expect_ok -n "identity: the impostor made its call" wait_for 30 grep -q rc= "$T/idtrig/out"
expect_out -n "[socket.imageList] the impostor is taken for itself, not for the holder" \
	"(socket.imageList)" cat "$T/idtrig/out"
expect_ok -n "[effect] the impostor's volume does not exist" no_volume e2e-id-pwned

# A process in a sub-cgroup of the holder (not a container of its own) is
# refused, not taken for the holder.
sub=
if [ -n "$hpid" ]; then
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		sub=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$hpid/cgroup")/e2e-sub
	else
		sub=/sys/fs/cgroup/pids$(sed -n 's/^[0-9]*:pids://p' "/proc/$hpid/cgroup")/e2e-sub
	fi
	mkdir "$sub" 2>/dev/null || sub=
fi
if [ -n "$sub" ]; then
	expect_deny -n "[gatekeeper.caller] a process in a sub-cgroup of the holder" gatekeeper.caller \
		sh -c 'echo $$ >"$1/cgroup.procs" && exec timeout 30 "$DOCKER" -H "unix://$GK_SOCK" volume create e2e-id-pwned2' _ "$sub"
	expect_ok -n "[effect] its volume does not exist" no_volume e2e-id-pwned2
	rmdir "$sub" 2>/dev/null
else
	e2e_log "cannot make a sub-cgroup of the holder: that layout is left to the unit tests"
fi

# --- root cause 8: laundering commands through a socket container
if getent group docker >/dev/null && command -v setpriv >/dev/null; then
	dgid=$(getent group docker | cut -d: -f3)
	mkdir -p "$T/nobody-config" && chmod 0755 "$T/nobody-config"
	chmod 0711 "$T"
	as_nobody() {
		setpriv --reuid=65534 --regid=65534 --groups="$dgid" env HOME=/ \
			DOCKER_CONFIG="$T/nobody-config" DOCKER_HOST="unix://$GK_SOCK" \
			timeout 60 "$DOCKER" "$@"
	}
	expect_ok -n "policy: users.commandList denies volume create" \
		e2e_reload_policy '.dockward.users = {"allowGroups": ["docker"], "commandList": {"type": "deny", "commands": ["volume create"]}}'
	expect_deny -n "[users.commandList] the user cannot create a volume directly" users.commandList \
		as_nobody volume create e2e-id-direct
	expect_deny -n "[users.commandList] nor through a listed socket container it started" users.commandList \
		as_nobody run --rm -v "$GK_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" docker volume create e2e-id-laundered
	expect_ok -n "[effect] the laundered volume does not exist" no_volume e2e-id-laundered
	expect_deny -n "[users.commandList] nor through a socket container its socket container started" users.commandList \
		as_nobody run --rm -e "GK=$GK_SOCK" -e "IMG=$ALLOWED_IMAGE" -v "$GK_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" \
		sh -c 'docker run --rm -v "$GK:/var/run/docker.sock" "$IMG" docker volume create e2e-id-grand'
	expect_ok -n "[effect] that volume does not exist either" no_volume e2e-id-grand
	expect_out -n "the user's socket container may do what the user may (docker ps)" CONTAINER \
		as_nobody run --rm -v "$GK_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" docker ps
	# Root is exempt from users.commandList, and so are its socket containers.
	expect_ok -n "root's socket container creates a volume" \
		gk run --rm -v "$GK_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" docker volume create e2e-id-rootvol
	expect_ok -n "[effect] root's volume exists" eng volume inspect e2e-id-rootvol
	# The holder was made by root: it is not bound by the user's list.
	expect_ok -n "the root-made holder creates a volume" dk exec e2e-id-holder docker volume create e2e-id-holdervol
	expect_ok -n "[effect] the holder's volume exists" eng volume inspect e2e-id-holdervol
	# Nor through someone else's socket container: a container also acts
	# for whoever runs commands in it.
	expect_deny -n "[users.commandList] nor by exec in the root-made holder" users.commandList \
		as_nobody exec e2e-id-holder docker volume create e2e-id-exec
	expect_ok -n "[effect] the exec'd volume does not exist" no_volume e2e-id-exec
	expect_deny -n "[users.commandList] and the holder now acts for that user too" users.commandList \
		dk exec e2e-id-holder docker volume create e2e-id-exec2
	expect_ok -n "[effect] that volume does not exist either" no_volume e2e-id-exec2
	chmod 0700 "$T"
	expect_ok -n "policy: back to the suite's" e2e_reload_policy '.'
	expect_out -n "audit: the laundered create is logged against the container and its creator" \
		"users.commandList creator 65534" \
		jq -r 'select(.source == "gatekeeper" and .caller.kind == "container" and .decision == "deny")
			| "\(.rule) creator \(.caller.creator.uid)"' "$AUDIT"
else
	e2e_log "no docker group or setpriv: the laundering checks are skipped"
fi

eng rm -f e2e-id-holder e2e-id-impostor e2e-id-plain e2e-id-nested e2e-id-nested2 >/dev/null 2>&1
eng volume rm e2e-id-rootvol e2e-id-holdervol e2e-id-pwned e2e-id-pwned2 e2e-id-laundered e2e-id-grand \
	e2e-id-exec e2e-id-exec2 >/dev/null 2>&1
eng rmi e2e-id-impostor:1 >/dev/null 2>&1
true
