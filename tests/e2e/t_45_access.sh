# shellcheck shell=bash
# Registry and Image Access Management, blockDockerLoad, portBindingBehavior
# and filesharingAllowedDirectories against the real engine.  A second
# registry on another loopback port plays the disallowed one.  Runs through
# whichever front door the suite uses (plugin, or gatekeeper only), and
# restores the suite's policy at the end.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

# The disallowed registry, with an image pushed while nothing is restricted.
REG2_PORT=$(e2e_free_port)
REG2=127.0.0.1:$REG2_PORT
e2e_registry_config "$T/registry2" "$REG2" >"$T/registry2.yml"
docker-registry serve "$T/registry2.yml" >"$T/registry2.log" 2>&1 &
REG2_PID=$!
expect_ok -n "access: a second registry ($REG2)" wait_for 20 curl -fsS --max-time 2 "http://$REG2/v2/"
expect_ok -n "access: an image on the second registry" \
	sh -c 'timeout 30 "$DOCKER" tag "$1" "$2/dockward/other:1" && timeout 60 "$DOCKER" push "$2/dockward/other:1" >/dev/null &&
		timeout 30 "$DOCKER" rmi "$2/dockward/other:1" >/dev/null' _ "$TEST_IMAGE" "$REG2"

# --- Registry Access Management
expect_ok -n "policy: registryAccess allows only the suite's registry" \
	e2e_reload_policy ".dockward.registryAccess = {\"allowed\": [\"$REGISTRY\"]}"
expect_deny -n "[registry.access] pull from the other registry" registry.access \
	dk pull "$REG2/dockward/other:1"
expect_out -n "registry.access: the message names the registry" "registry access to $REG2 is not allowed" \
	sh -c 'timeout 30 "$DOCKER" pull "$1/dockward/other:1" 2>&1; true' _ "$REG2"
expect_ok -n "pull from the allowed registry" dk pull "$ALLOWED_IMAGE"
expect_deny -n "[registry.access] run pulls from the other registry" registry.access \
	dk run --rm "$REG2/dockward/other:1" true
expect_deny -n "[registry.access] tag into the other registry" registry.access \
	dk tag "$TEST_IMAGE" "$REG2/dockward/tagged:1"
expect_deny -n "[registry.access] login to the other registry" registry.access \
	dk login -u someone -p secret "$REG2"
expect_deny -n "[registry.access] pull from Docker Hub (not listed)" registry.access \
	dk pull someone/tool:1
expect_ok -n "local images still run" dk run --rm "$TEST_IMAGE" true

# --- Image Access Management (Docker Hub references; denied before any network)
expect_ok -n "policy: imageAccess without community images, org dockward-test" \
	e2e_reload_policy '.dockward.imageAccess = {"officialImages": true, "communityImages": false, "organizations": ["dockward-test"]}'
expect_deny -n "[image.access] pull a community image" image.access dk pull someone/tool:1
expect_out -n "image.access: Docker's wording" "image access denied: community images not allowed" \
	sh -c 'timeout 30 "$DOCKER" pull someone/tool:1 2>&1; true'
expect_deny -n "[image.access] run a community image" image.access dk run --rm someone/tool:1 true
expect_ok -n "an image of an allowed organization runs" dk run --rm "$TEST_IMAGE" true

# --- blockDockerLoad
expect_ok -n "access: an archive to load" sh -c 'timeout 60 "$DOCKER" save "$1" >"$2/acc-save.tar"' _ "$TEST_IMAGE" "$T"
expect_ok -n "policy: blockDockerLoad" e2e_reload_policy '.blockDockerLoad = {"value": true, "locked": true}'
expect_deny -n "[image.load] docker load" image.load dk load -i "$T/acc-save.tar"
expect_deny -n "[image.load] docker import of a local tarball" image.load \
	sh -c 'tar -C "$1" -c . | timeout 30 "$DOCKER" import - e2e-acc/imported:1' _ "$T/rootfs"

# --- portBindingBehavior
expect_ok -n "policy: local-only port binding" \
	e2e_reload_policy '.portBindingBehavior = {"value": "local-only-port-binding", "locked": true}'
expect_deny -n "[container.ports] -p 8080:80 (all interfaces)" container.ports \
	dk create -p 8080:80 "$TEST_IMAGE" true
expect_deny -n "[container.ports] -p 0.0.0.0:8080:80" container.ports \
	dk create -p 0.0.0.0:8080:80 "$TEST_IMAGE" true
expect_deny -n "[container.ports] -P (publish all)" container.ports \
	dk create -P --expose 80 "$TEST_IMAGE" true
expect_ok -n "-p 127.0.0.1:8080:80 is allowed" dk create --name e2e-acc-ports -p 127.0.0.1:8080:80 "$TEST_IMAGE" true

# --- filesharingAllowedDirectories
mkdir -p "$T/work/shared" "$T/notshared"
expect_ok -n "policy: filesharingAllowedDirectories [\$T/work]" \
	e2e_reload_policy ".filesharingAllowedDirectories = [{\"path\": \"$T/work\", \"sharedByDefault\": true}]"
expect_ok -n "bind under a shared directory" run_bb -v "$T/work/shared:/x"
expect_deny -n "[mount.fileSharing] bind outside the shared directories" mount.fileSharing \
	run_bb -v "$T/notshared:/x"
expect_deny -n "[mount.fileSharing] .. out of a shared directory" mount.fileSharing \
	run_bb -v "$T/work/../notshared:/x"

expect_ok -n "policy: back to the suite's" e2e_reload_policy '.'
dk rm -f e2e-acc-ports >/dev/null 2>&1
e2e_stop_pid "$REG2_PID" 10
true
