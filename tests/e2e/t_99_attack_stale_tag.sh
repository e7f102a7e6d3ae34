# shellcheck shell=bash
# Issue 12, "wrongly refused": the allowed tag moves upstream and the user
# pulls the new image as dockward's own message says; the cached tag answer
# (younger than refreshSeconds) disagrees with the pulled image.  dockward
# must ask the registry again (rate-limited, a HEAD) and allow at once, not
# refuse naming the old digest until the cache expires; a stale local image
# is refused naming what the registry serves now.  An agreeing cached answer
# asks the registry nothing.  Runs last (t_99): it moves the suite's tag,
# and puts the original content back under it at the end.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

st_run() { dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$@" true; }

# st_reg_requests: dockward's registry requests so far (all results).
st_reg_requests() {
	curl -fsS --max-time 10 --unix-socket "$T/metrics.sock" http://localhost/metrics |
		awk '/^dockward_registry_requests_total\{/ { n += $2 } END { print n + 0 }'
}

# st_want_delta NAME BEFORE LO HI: registry requests since BEFORE within [LO, HI].
st_want_delta() {
	local d
	d=$(($(st_reg_requests) - $2))
	E2E_OUT=
	if [ "$d" -ge "$3" ] && [ "$d" -le "$4" ]; then
		e2e_pass "$1 ($d)"
	else
		e2e_fail "$1" "$d registry requests, expected $3..$4"
	fi
}

STALE_OLD_ID=$(dk image inspect -f '{{.Id}}' "$ALLOWED_IMAGE")
# A tag answer stays good for an hour: only a re-check can learn the move.
expect_ok -n "policy: refreshSeconds 3600" \
	e2e_reload_policy '.dockward.imageVerification = {"refreshSeconds": 3600}'
expect_ok -n "listed image mounts the socket (its tag answer is cached)" st_run "$ALLOWED_IMAGE"

# --- new content under the same tag, pushed: the registry's tag moves
expect_ok -n "a container of the allowed image with a file changed" \
	dk run --name e2e-stale-src "$ALLOWED_IMAGE" sh -c 'echo moved >/stale-tag'
expect_ok -n "docker commit it as the allowed tag" dk commit e2e-stale-src "$ALLOWED_IMAGE"
dk rm -f e2e-stale-src >/dev/null 2>&1
STALE_NEW_ID=$(dk image inspect -f '{{.Id}}' "$ALLOWED_IMAGE" 2>/dev/null || echo none)
expect_ok -n "push the new content: the registry's tag moves" dk push "$ALLOWED_IMAGE"
STALE_NEW_DIGEST=$(dk image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' \
	"$ALLOWED_IMAGE" 2>/dev/null | sed -n "s|^$REGISTRY/dockward/cli@||p" | head -n 1)
expect_ok -n "the new content has its own registry digest ($STALE_NEW_DIGEST)" \
	sh -c '[ -n "$1" ] && [ "$2" != "$3" ] && [ "$2" != none ]' _ \
	"$STALE_NEW_DIGEST" "$STALE_NEW_ID" "$STALE_OLD_ID"
# The host keeps the old content under the tag, as before the push.
expect_ok -n "local tag back on the old content" dk tag "$STALE_OLD_ID" "$ALLOWED_IMAGE"
expect_ok -n "the new content is gone locally (docker pull must fetch it)" \
	dk rmi "$STALE_NEW_ID"

# --- the cached answer agrees with the old local image: warm, no registry
n0=$(st_reg_requests)
expect_ok -n "old local image, cached answer agrees: allowed until refreshSeconds" \
	st_run "$ALLOWED_IMAGE"
st_want_delta "an agreeing cached answer asks the registry nothing" "$n0" 0 0

# --- the user pulls the new image: allowed at once (the bug: refused
#     naming the old digest for up to refreshSeconds)
expect_ok -n "docker pull fetches the new content" dk pull -q "$ALLOWED_IMAGE"
expect_out -n "the local image is the new content" "$STALE_NEW_ID" \
	dk image inspect -f '{{.Id}}' "$ALLOWED_IMAGE"
n0=$(st_reg_requests)
expect_ok -n "pulled image mounts the socket at once (no wait for refreshSeconds)" \
	st_run "$ALLOWED_IMAGE"
# A HEAD, then the new manifest by digest; the start check agrees then.
st_want_delta "the disagreeing cached answer was re-checked with the registry" "$n0" 1 2
expect_ok -n "the container really ran the new content" sh -c '
	timeout 60 "$1" run --rm -v "$2:/var/run/docker.sock" "$3" cat /stale-tag | grep -qx moved' \
	_ "$DOCKER" "$FRONT_SOCK" "$ALLOWED_IMAGE"

# --- the old content again: refused, naming what the registry serves now
expect_ok -n "local tag on the old content again" dk tag "$STALE_OLD_ID" "$ALLOWED_IMAGE"
expect_deny -n "[mount.dockerSocket] stale local image after the tag moved" \
	mount.dockerSocket st_run "$ALLOWED_IMAGE"
expect_ok -n "the denial names the registry's new digest, the local Id and docker pull" \
	sh -c 'grep -qF "$2" "$1" && grep -qF "$3" "$1" && grep -qF "$4" "$1" &&
		grep -qF "docker pull $5" "$1"' _ "$E2E_OUT" "$STALE_NEW_DIGEST" \
	"$STALE_NEW_ID" "$STALE_OLD_ID" "$ALLOWED_IMAGE"
# Again at once: the re-check is rate-limited per tag (DW_VERIFY_RECHECK_S).
n0=$(st_reg_requests)
for i in 1 2 3; do
	expect_deny -n "[mount.dockerSocket] stale image in a loop ($i)" \
		mount.dockerSocket st_run "$ALLOWED_IMAGE"
done
st_last=$E2E_OUT
st_want_delta "a loop of stale runs does not hammer the registry" "$n0" 0 1
expect_ok -n "the denial still names the new digest" grep -qF "$STALE_NEW_DIGEST" "$st_last"
expect_ok -n "docker pull, as the message says" dk pull -q "$ALLOWED_IMAGE"
expect_ok -n "pulled image mounts the socket at once" st_run "$ALLOWED_IMAGE"

# --- put the original content back under the tag (the registry and here)
expect_ok -n "restore the original content in the registry" \
	sh -c 'timeout 30 "$1" tag "$2" "$3" && timeout 60 "$1" push "$3" >/dev/null' \
	_ "$DOCKER" "$STALE_OLD_ID" "$ALLOWED_IMAGE"
# Re-checked once the rate limit (10 s) since the last question has passed.
E2E_RETRY=20 expect_ok -n "original content mounts the socket again, before refreshSeconds" \
	st_run "$ALLOWED_IMAGE"
dk rmi "$STALE_NEW_ID" >/dev/null 2>&1
expect_ok -n "policy restored" e2e_reload_policy '.'
