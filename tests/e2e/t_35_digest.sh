# shellcheck shell=bash
# Socket images proven by digest (issue 3): a tag that moved upstream, the
# re-check at start, derived images, an unreachable registry, and offline
# trust bundles.  Leaves the suite's policy and the allowed image as found.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

# d_hup: reload the policy and wait until dockward logged the reload.
d_hup() {
	local before
	before=$(wc -c <"$T/dockward.log")
	kill -HUP "$DOCKWARD_PID" || return 1
	wait_for 10 sh -c 'tail -c +"$(($2 + 1))" "$1" | grep -q "policy reloaded"' \
		_ "$T/dockward.log" "$before"
}

# d_policy JQ-FILTER: the suite's policy changed by a jq filter, loaded.
d_policy() {
	jq "$1" "$T/digest-base.json" >"$SETTINGS.tmp" && chmod 0644 "$SETTINGS.tmp" &&
		mv -f "$SETTINGS.tmp" "$SETTINGS" && d_hup
}

sock_run() { dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$@" true; }

cp "$SETTINGS" "$T/digest-base.json"
mkdir -p "$T/digest"
ORIG_ID=$(dk image inspect -f '{{.Id}}' "$ALLOWED_IMAGE")

# Tag answers expire after 1 s so that registry changes show at once.
expect_ok -n "policy: refreshSeconds 1" \
	d_policy '.dockward.imageVerification = {"refreshSeconds": 1, "graceSeconds": 3600}'
expect_ok -n "listed image, proven by digest" sock_run "$ALLOWED_IMAGE"

# --- the tag moves upstream (someone pushes new content under it)
printf 'FROM %s\nRUN echo moved > /moved\n' "$ALLOWED_IMAGE" >"$T/digest/Dockerfile.moved"
expect_ok -n "build new content for the allowed tag" \
	env DOCKER_BUILDKIT=0 timeout 120 "$DOCKER" build -q -t "$ALLOWED_IMAGE" \
	-f "$T/digest/Dockerfile.moved" "$T/digest"
NEW_ID=$(dk image inspect -f '{{.Id}}' "$ALLOWED_IMAGE" 2>/dev/null || echo none)
expect_ok -n "create a socket container while the old content is current" \
	sh -c 'timeout 30 "$DOCKER" tag "$1" "$2" && timeout 30 "$DOCKER" create \
		--name e2e-startcheck -v "$3:/var/run/docker.sock" "$2" true' \
	_ "$ORIG_ID" "$ALLOWED_IMAGE" "$ENGINE_SOCK"
expect_ok -n "push the new content: the registry's tag moves" \
	sh -c 'timeout 30 "$DOCKER" tag "$1" "$2" && timeout 60 "$DOCKER" push "$2" >/dev/null' \
	_ "$NEW_ID" "$ALLOWED_IMAGE"
expect_ok -n "local tag back on the old content" dk tag "$ORIG_ID" "$ALLOWED_IMAGE"
sleep 1.5
E2E_RETRY=5 expect_deny -n "[mount.dockerSocket] stale local image after the tag moved" \
	mount.dockerSocket sock_run "$ALLOWED_IMAGE"
expect_ok -n "the denial names the registry's digest and the docker pull fix" \
	grep -q "docker pull $ALLOWED_IMAGE" "$E2E_OUT"
expect_deny -n "[mount.dockerSocket] start re-checks a created socket container" \
	mount.dockerSocket dk start e2e-startcheck
expect_ok -n "docker pull fetches the approved content" dk pull -q "$ALLOWED_IMAGE"
expect_ok -n "pulled image mounts the socket" sock_run "$ALLOWED_IMAGE"

# --- put the original content back under the tag for the other tests
expect_ok -n "restore the original content in the registry" \
	sh -c 'timeout 30 "$DOCKER" tag "$1" "$2" && timeout 60 "$DOCKER" push "$2" >/dev/null' \
	_ "$ORIG_ID" "$ALLOWED_IMAGE"
sleep 1.5
E2E_RETRY=5 expect_ok -n "original content mounts the socket again" sock_run "$ALLOWED_IMAGE"
expect_ok -n "start of the created container is allowed again" dk start e2e-startcheck
dk rm -f e2e-startcheck >/dev/null 2>&1

# --- derived images (built FROM the listed image, never pushed)
printf 'FROM %s\nRUN echo derived > /derived\n' "$ALLOWED_IMAGE" >"$T/digest/Dockerfile.derived"
expect_ok -n "build a local image FROM the listed image" \
	env DOCKER_BUILDKIT=0 timeout 120 "$DOCKER" build -q -t e2e-derived:1 \
	-f "$T/digest/Dockerfile.derived" "$T/digest"
expect_deny -n "[mount.dockerSocket] derived image without allowDerivedImages" \
	mount.dockerSocket sock_run e2e-derived:1
expect_ok -n "policy: allowDerivedImages" \
	d_policy '.dockward.imageVerification = {"refreshSeconds": 1}
		| .enhancedContainerIsolation.dockerSocketMount.imageList.allowDerivedImages = true'
E2E_RETRY=5 expect_ok -n "derived image mounts the socket" sock_run e2e-derived:1
expect_deny -n "[mount.dockerSocket] the listed image's base is not derived from it" \
	mount.dockerSocket sock_run "$TEST_IMAGE"

# --- a registry that cannot be reached, with no proof cached: denied
DEAD=127.0.0.1:$(e2e_free_port)
expect_ok -n "tag the test image for an unreachable registry" dk tag "$TEST_IMAGE" "$DEAD/x/y:1"
expect_ok -n "policy: list the unreachable registry's image" \
	d_policy ".enhancedContainerIsolation.dockerSocketMount.imageList.images += [\"$DEAD/x/y:1\"]"
E2E_RETRY=5 expect_deny -n "[mount.dockerSocket] registry unreachable, no cached proof" \
	mount.dockerSocket sock_run "$DEAD/x/y:1"
expect_ok -n "the denial says the registry could not be reached" \
	grep -q "could not verify" "$E2E_OUT"

# --- offline trust bundle: an image no registry has, approved by import
TRUSTED=$REGISTRY/dockward/offline:1
expect_ok -n "tag an image that was never pushed" dk tag "$TEST_IMAGE" "$TRUSTED"
expect_ok -n "policy: list the never-pushed image" \
	d_policy ".enhancedContainerIsolation.dockerSocketMount.imageList.images += [\"$TRUSTED\"]"
E2E_RETRY=5 expect_deny -n "[mount.dockerSocket] unknown to the registry, no bundle" \
	mount.dockerSocket sock_run "$TRUSTED"
expect_ok -n "docker save the approved image" dk save -o "$T/digest/bundle.tar" "$TRUSTED"
expect_out -n "dockward trust import records it" "$TRUSTED" \
	"$DOCKWARD" trust import "$T/digest/bundle.tar" --state-dir "$T/state"
expect_ok -n "reload to read the trust store" d_hup
E2E_RETRY=5 expect_ok -n "bundle-approved image mounts the socket" sock_run "$TRUSTED"

# --- listed by digest, and by repository with any tag
DIGEST_REF=$(dk image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$ALLOWED_IMAGE" |
	grep -m1 "^$REGISTRY/dockward/cli@")
expect_ok -n "policy: the allowed image by digest ($DIGEST_REF)" \
	d_policy ".enhancedContainerIsolation.dockerSocketMount.imageList.images = [\"$DIGEST_REF\"]"
E2E_RETRY=5 expect_ok -n "image listed by digest mounts the socket" sock_run "$ALLOWED_IMAGE"
expect_ok -n "policy: the allowed repository, any tag" \
	d_policy ".enhancedContainerIsolation.dockerSocketMount.imageList.images = [\"$REGISTRY/dockward/cli:*\"]"
E2E_RETRY=5 expect_ok -n "image listed by repo:* mounts the socket" sock_run "$ALLOWED_IMAGE"
expect_ok -n "push other content to another repository" \
	sh -c 'timeout 30 "$DOCKER" tag "$1" "$2" && timeout 60 "$DOCKER" push "$2" >/dev/null' \
	_ "$TEST_IMAGE" "$REGISTRY/dockward/other:1"
expect_deny -n "[mount.dockerSocket] image from another repository under a repo:* entry" \
	mount.dockerSocket sock_run "$REGISTRY/dockward/other:1"

# --- the registry goes down: a proof counts for graceSeconds, then no more
# (grace 8 s: a socket run now verifies at create, start and attach, and on
# a loaded machine those span seconds; the proof must outlive all three)
expect_ok -n "policy: refresh 1s, grace 8s, plus the bundle-approved image" \
	d_policy ".dockward.imageVerification = {\"refreshSeconds\": 1, \"graceSeconds\": 8}
		| .enhancedContainerIsolation.dockerSocketMount.imageList.images += [\"$TRUSTED\"]"
E2E_RETRY=5 expect_ok -n "proof fetched while the registry is up" sock_run "$ALLOWED_IMAGE"
kill "$REGISTRY_PID" 2>/dev/null
wait "$REGISTRY_PID" 2>/dev/null
sleep 1.5
expect_ok -n "registry down: a proof younger than graceSeconds still counts" sock_run "$ALLOWED_IMAGE"
expect_ok -n "registry down: the trust bundle still counts" sock_run "$TRUSTED"
sleep 9
expect_deny -n "[mount.dockerSocket] registry down longer than graceSeconds" \
	mount.dockerSocket sock_run "$ALLOWED_IMAGE"
expect_ok -n "the denial names the registry error" grep -q "could not verify" "$E2E_OUT"
docker-registry serve "$T/registry.yml" >>"$T/registry.log" 2>&1 &
REGISTRY_PID=$!
expect_ok -n "registry back" wait_for 20 curl -fsS --max-time 2 "http://$REGISTRY/v2/"
E2E_RETRY=5 expect_ok -n "registry back: the listed image mounts the socket again" \
	sock_run "$ALLOWED_IMAGE"

# --- back to the suite's policy
cp "$T/digest-base.json" "$SETTINGS.tmp" && chmod 0644 "$SETTINGS.tmp" && mv -f "$SETTINGS.tmp" "$SETTINGS"
expect_ok -n "policy restored" d_hup
