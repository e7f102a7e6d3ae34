# shellcheck shell=bash
# Issue 12, root cause 5: dockerd resolves bind sources (and a bind
# volume's device) again at every start.  A source that was harmless at
# create and is a symlink to /etc at start or restart must be refused,
# and layouts a container can re-plant itself (a source inside another
# source it mounts writable) are refused at create.  Judged by effect:
# the container is not running, or its mount is not host /etc.

x96=e2e96-$$
w96=$T/work/t96
mkdir -p "$w96"

# e96_not_etc CTR: CTR is stopped, or what it has at /x is not host /etc.
e96_not_etc() {
	local pid
	[ "$(e2e_inspect "$1" '{{.State.Running}}')" = false ] && return 0
	pid=$(e2e_inspect "$1" '{{.State.Pid}}') || return 1
	[ "$(stat -c %d:%i "/proc/$pid/root/x" 2>/dev/null)" != "$(stat -c %d:%i /etc)" ] &&
		[ ! -e "/proc/$pid/root/x/passwd" ]
}

# --- a directory swapped for a symlink to /etc between create and start
mkdir -p "$w96/d"
expect_ok -n "create with -v plain dir:/x" dk create --name "$x96-a" -v "$w96/d:/x" "$TEST_IMAGE" sleep 300
rmdir "$w96/d" && ln -s /etc "$w96/d"
expect_deny -n "[container.existing] start after the source became a symlink to /etc" container.existing \
	dk start "$x96-a"
expect_ok -n "effect: not running, /etc not mounted" e96_not_etc "$x96-a"

# --- a missing source (dockerd makes it at start) planted as a symlink first
expect_ok -n "create with -v missing dir:/x" dk create --name "$x96-b" -v "$w96/missing/sub:/x" "$TEST_IMAGE" sleep 300
rm -rf "$w96/missing/sub" && mkdir -p "$w96/missing" && ln -s /etc "$w96/missing/sub"
expect_deny -n "[container.existing] start after a symlink to /etc was planted" container.existing \
	dk start "$x96-b"
expect_ok -n "effect: not running, /etc not mounted" e96_not_etc "$x96-b"

# --- a running container whose source is swapped, then restarted
mkdir -p "$w96/r"
expect_ok -n "run -d with -v plain dir:/x" dk run -d --name "$x96-c" -v "$w96/r:/x" "$TEST_IMAGE" sleep 300
started96=$(e2e_inspect "$x96-c" '{{.State.StartedAt}}')
mv "$w96/r" "$w96/r.old" && ln -s /etc "$w96/r"
expect_deny -n "[container.existing] restart after the source became a symlink to /etc" container.existing \
	dk restart -t 1 "$x96-c"
expect_out -n "effect: not restarted" "$started96" e2e_inspect "$x96-c" '{{.State.StartedAt}}'
expect_ok -n "effect: /etc not mounted" e96_not_etc "$x96-c"

# --- a bind volume's device swapped the same way
mkdir -p "$w96/vd"
expect_ok -n "volume create o=bind on a plain dir" \
	dk volume create -o type=none -o o=bind -o "device=$w96/vd" "$x96-vol"
expect_ok -n "create with the bind volume" dk create --name "$x96-d" -v "$x96-vol:/x" "$TEST_IMAGE" sleep 300
rmdir "$w96/vd" && ln -s /etc "$w96/vd"
expect_deny -n "[container.existing] start after the volume's device became /etc" container.existing \
	dk start "$x96-d"
expect_ok -n "effect: not running, /etc not mounted" e96_not_etc "$x96-d"

# --- layouts the container itself could re-plant (then exit, and let
#     --restart always mount the new target with no API call)
mkdir -p "$w96/p/data"
expect_deny -n "[mount.nested] -v P:/proj -v P/data:/x --restart always" mount.nested \
	dk create --name "$x96-e" --restart always -v "$w96/p:/proj" -v "$w96/p/data:/x" "$TEST_IMAGE" sleep 300
expect_fail -n "effect: no container was made" e2e_inspect "$x96-e" '{{.Id}}'
expect_deny -n "[mount.nested] --mount bind P, --mount bind P/data" mount.nested \
	run_bb --mount "type=bind,src=$w96/p,dst=/proj" --mount "type=bind,src=$w96/p/data,dst=/x,readonly"
expect_deny -n "[mount.nested] a bind volume whose device is inside a rw bind" mount.nested \
	sh -c 'timeout 30 "$DOCKER" volume create -o type=none -o o=bind -o "device=$1/p/data" "$2-vol2" >/dev/null &&
		timeout 30 "$DOCKER" run --rm -v "$1/p:/proj" -v "$2-vol2:/x" "$3" true' _ "$w96" "$x96" "$TEST_IMAGE"
expect_ok -n "the outer directory read-only is fine" run_bb -v "$w96/p:/proj:ro" -v "$w96/p/data:/x"
expect_ok -n "sibling directories are fine" run_bb -v "$w96/p/data:/x" -v "$w96/r.old:/y"
expect_ok -n "the same directory twice is fine" run_bb -v "$w96/p:/a" -v "$w96/p:/b:ro"

# --- ordinary binds: start and restart keep working
mkdir -p "$w96/ok"
expect_ok -n "run -d with a plain bind" dk run -d --name "$x96-ok" -v "$w96/ok:/x" "$TEST_IMAGE" sleep 300
expect_ok -n "restart it" dk restart -t 1 "$x96-ok"
expect_ok -n "stop and start it" sh -c 'timeout 30 "$DOCKER" stop -t 1 "$1" && timeout 30 "$DOCKER" start "$1"' _ "$x96-ok"
expect_out -n "it runs" true e2e_inspect "$x96-ok" '{{.State.Running}}'

# Under userns-remap, a lost race would mount for an unprivileged host user.
e96_remapped() {
	local pid
	pid=$(e2e_inspect "$x96-ok" '{{.State.Pid}}') || return 1
	cat "/proc/$pid/uid_map"
	awk '$1 == 0 && $2 != 0 { ok = 1 } END { exit !ok }' "/proc/$pid/uid_map"
}
[ -n "${E2E_USERNS:-}" ] &&
	expect_ok -n "userns-remap: container root is not host root" e96_remapped

expect_ok -n "remove everything" dk rm -f "$x96-a" "$x96-b" "$x96-c" "$x96-d" "$x96-ok"
dk volume rm "$x96-vol" "$x96-vol2" >/dev/null 2>&1
rm -rf "$w96"
