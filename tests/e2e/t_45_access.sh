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
expect_ok -n "access: a local image named for the second registry" dk tag "$TEST_IMAGE" "$REG2/dockward/pushme:1"

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
expect_deny -n "[registry.access] push to the other registry" registry.access \
	dk push "$REG2/dockward/pushme:1"
expect_deny -n "[registry.access] tag into the other registry" registry.access \
	dk tag "$TEST_IMAGE" "$REG2/dockward/tagged:1"
expect_deny -n "[registry.access] login to the other registry" registry.access \
	dk login -u someone -p secret "$REG2"
expect_deny -n "[registry.access] pull from Docker Hub (not listed)" registry.access \
	dk pull someone/tool:1
expect_deny -n "[registry.access] import from a URL on the other registry's host" registry.access \
	dk import "http://$REG2/rootfs.tar" e2e-acc/imported:1
expect_out -n "an import from the allowed host reaches dockerd (which finds nothing there)" "404" \
	sh -c 'timeout 30 "$DOCKER" import "http://$1/no-such.tar" e2e-acc/imported:1 2>&1; true' _ "$REGISTRY"
expect_ok -n "local images still run" dk run --rm "$TEST_IMAGE" true

# --- Build base images: the gatekeeper holds the context back and reads its
# Dockerfile before dockerd sees a byte of it.
gkb() { DOCKER_HOST=unix://$GK_SOCK DOCKER_BUILDKIT=0 timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"; }
# gk_post URI FILE [CURL_ARGS...]: POST FILE as a tar through the gatekeeper;
# prints the answer, fails on a status >= 400.
gk_post() {
	local uri=$1 file=$2 code
	shift 2
	code=$(curl -sS --max-time 60 --unix-socket "$GK_SOCK" -o "$T/gk_post.out" -w '%{http_code}' \
		-X POST -H 'Content-Type: application/x-tar' --data-binary "@$file" "$@" "http://docker$uri") || return 1
	cat "$T/gk_post.out"
	echo "HTTP $code"
	[ "$code" -lt 400 ]
}
B=$T/bctx
mkdir -p "$B/ok" "$B/bad" "$B/multi" "$B/arg" "$B/named/sub" "$B/unres"
printf 'FROM %s\nRUN true\n' "$ALLOWED_IMAGE" >"$B/ok/Dockerfile"
printf '# a disallowed base\nFROM %s/dockward/other:1\n' "$REG2" >"$B/bad/Dockerfile"
printf 'FROM %s AS base\nFROM base\nCOPY --from=%s/dockward/other:1 /bin/true /x\n' "$ALLOWED_IMAGE" "$REG2" >"$B/multi/Dockerfile"
printf 'ARG BASE=%s/dockward/other:1\nFROM $BASE\nRUN true\n' "$REG2" >"$B/arg/Dockerfile"
printf 'FROM %s\n' "$ALLOWED_IMAGE" >"$B/named/Dockerfile"
printf 'FROM %s/dockward/other:1\n' "$REG2" >"$B/named/sub/Build.df"
printf 'FROM ${NOPE}\n' >"$B/unres/Dockerfile"
audit_builds() { jq -r 'select(.source == "plugin" and (.uri | test("/build"))) | .uri' "$AUDIT" 2>/dev/null | wc -l; }
sleep 1
plugin_builds=$(audit_builds)
expect_deny -n "[registry.access] gatekeeper: build FROM the other registry" registry.access \
	gkb build "$B/bad"
expect_out -n "registry.access: the build message names the Dockerfile line" \
	"Dockerfile line 2, FROM $REG2/dockward/other:1: registry access to $REG2 is not allowed" \
	sh -c 'DOCKER_HOST=unix://$1 DOCKER_BUILDKIT=0 timeout 30 "$DOCKER" build "$2" 2>&1; true' _ "$GK_SOCK" "$B/bad"
if [ "$E2E_MODE" = plugin ]; then
	builds_unchanged() { sleep 1; [ "$(audit_builds)" = "$1" ]; }
	expect_ok -n "dockerd never saw the refused builds (its plugin got no /build)" \
		builds_unchanged "$plugin_builds"
fi
expect_ok -n "gatekeeper: build FROM the allowed registry" gkb build -q -t e2e-acc/ok:1 "$B/ok"
if [ "$E2E_MODE" = plugin ]; then
	builds_grew() { sleep 1; [ "$(audit_builds)" -gt "$1" ]; }
	expect_ok -n "the allowed build reached dockerd (its plugin saw the /build)" \
		builds_grew "$plugin_builds"
fi
expect_deny -n "[registry.access] gatekeeper: COPY --from an image of the other registry" registry.access \
	gkb build "$B/multi"
expect_out -n "registry.access: COPY --from is named" "COPY --from $REG2/dockward/other:1" \
	sh -c 'DOCKER_HOST=unix://$1 DOCKER_BUILDKIT=0 timeout 30 "$DOCKER" build "$2" 2>&1; true' _ "$GK_SOCK" "$B/multi"
expect_deny -n "[registry.access] gatekeeper: ARG default names the other registry" registry.access \
	gkb build "$B/arg"
expect_ok -n "gatekeeper: --build-arg points the ARG at the allowed registry" \
	gkb build -q --build-arg "BASE=$ALLOWED_IMAGE" "$B/arg"
expect_deny -n "[registry.access] gatekeeper: -f names the Dockerfile that is read" registry.access \
	gkb build -f "$B/named/sub/Build.df" "$B/named"
expect_ok -n "gatekeeper: the context's default Dockerfile is fine" gkb build -q "$B/named"
expect_deny -n "[build.context] gatekeeper: a FROM that cannot be resolved" build.context \
	gkb build "$B/unres"
expect_ok -n "access: a gzip context of the refused build" sh -c 'tar -C "$1/bad" -cz . >"$1/bad.tgz" && tar -C "$1/ok" -cz . >"$1/ok.tgz"' _ "$B"
expect_deny -n "[registry.access] raw POST /build: gzip context" registry.access \
	gk_post /v1.41/build "$B/bad.tgz"
expect_out -n "raw POST /build: chunked gzip context with an allowed FROM is built" "HTTP 200" \
	gk_post "/v1.41/build?t=e2e-acc/gz:1" "$B/ok.tgz" -H 'Transfer-Encoding: chunked'
expect_ok -n "the chunked build made its image" dk image inspect e2e-acc/gz:1
expect_deny -n "[build.context] raw POST /build?version=2 (BuildKit) cannot be inspected" build.context \
	gk_post "/v1.41/build?version=2&remote=client-session&session=x" /dev/null
expect_ok -n "policy: allowUncheckedBuilds" \
	e2e_reload_policy ".dockward.registryAccess = {\"allowed\": [\"$REGISTRY\"]} | .dockward.allowUncheckedBuilds = true"
unchecked_passes() { local out; out=$(gk_post "$@"); echo "$out"; ! grep -q dockward <<<"$out"; }
# Under ECI, unchecked builds do not cover BuildKit's unseen steps (network.host).
expect_deny -n "[build.buildkit] allowUncheckedBuilds under ECI: BuildKit still refused" build.buildkit \
	gk_post "/v1.41/build?version=2&remote=client-session&session=x" /dev/null
expect_ok -n "policy: allowUncheckedBuilds and allowBuildKit" \
	e2e_reload_policy ".dockward.registryAccess = {\"allowed\": [\"$REGISTRY\"]} | .dockward.allowUncheckedBuilds = true | .dockward.allowBuildKit = true"
expect_out -n "allowUncheckedBuilds and allowBuildKit: a BuildKit build is passed to dockerd" "HTTP" \
	unchecked_passes "/v1.41/build?version=2&remote=client-session&session=x" /dev/null
if [ "$E2E_MODE" = plugin ]; then
	expect_ok -n "plugin alone: a build's FROM is not seen (documented: use the gatekeeper)" \
		sh -c 'DOCKER_BUILDKIT=0 timeout 60 "$DOCKER" build -q "$1" >/dev/null' _ "$B/bad"
fi

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

# $HOME through the gatekeeper is the calling user's own home.  The mail
# user's home (/var/mail) is outside the protected paths on Debian.
mail_home=$(getent passwd mail | cut -d: -f6)
if getent group docker >/dev/null && command -v setpriv >/dev/null && [ "$mail_home" = /var/mail ] && [ -d /var/mail ]; then
	dgid=$(getent group docker | cut -d: -f3)
	mail_uid=$(getent passwd mail | cut -d: -f3)
	mkdir -p "$T/mail-config" && chmod 0755 "$T/mail-config"
	chmod 0711 "$T"
	as_mail() {
		setpriv --reuid="$mail_uid" --regid="$dgid" --groups="$dgid" env HOME=/ \
			DOCKER_CONFIG="$T/mail-config" DOCKER_HOST="unix://$GK_SOCK" \
			timeout 30 "$DOCKER" "$@"
	}
	expect_ok -n "policy: filesharingAllowedDirectories [\$HOME]" \
		e2e_reload_policy '.filesharingAllowedDirectories = [{"path": "$HOME", "sharedByDefault": true}]'
	if [ "$E2E_MODE" = gatekeeper ]; then
		expect_ok -n "gatekeeper: the mail user binds its own home (/var/mail)" \
			as_mail run --rm -v /var/mail:/x "$TEST_IMAGE" true
	else
		# Full mode: dockerd's plugin, which cannot know the user, also
		# decides, and to it $HOME is /home or /root.
		expect_deny -n "[mount.fileSharing] full mode: the plugin refuses a home outside /home and /root" \
			mount.fileSharing as_mail run --rm -v /var/mail:/x "$TEST_IMAGE" true
		expect_out -n "full mode: that refusal comes from the plugin" "authorization denied by plugin" \
			sh -c '"$@" 2>&1; true' _ setpriv --reuid="$mail_uid" --regid="$dgid" --groups="$dgid" env HOME=/ \
				DOCKER_CONFIG="$T/mail-config" DOCKER_HOST="unix://$GK_SOCK" timeout 30 "$DOCKER" \
				run --rm -v /var/mail:/x "$TEST_IMAGE" true
	fi
	expect_deny -n "[mount.fileSharing] gatekeeper: the mail user binds outside its home" mount.fileSharing \
		as_mail run --rm -v "$T/notshared:/x" "$TEST_IMAGE" true
	expect_out -n "mount.fileSharing: the message says whose \$HOME" '$HOME is /var/mail' \
		sh -c '"$@" 2>&1; true' _ setpriv --reuid="$mail_uid" --regid="$dgid" --groups="$dgid" env HOME=/ \
			DOCKER_CONFIG="$T/mail-config" DOCKER_HOST="unix://$GK_SOCK" timeout 30 "$DOCKER" \
			run --rm -v "$T/notshared:/x" "$TEST_IMAGE" true
	expect_deny -n "[mount.fileSharing] gatekeeper: root may not bind the mail user's home" mount.fileSharing \
		sh -c 'DOCKER_HOST=unix://$1 timeout 30 "$DOCKER" run --rm -v /var/mail:/x "$2" true' _ "$GK_SOCK" "$TEST_IMAGE"
	chmod 0700 "$T"
else
	e2e_log "no docker group, setpriv or /var/mail home: per-user \$HOME checks skipped"
fi

expect_ok -n "policy: back to the suite's" e2e_reload_policy '.'
dk rm -f e2e-acc-ports >/dev/null 2>&1
e2e_stop_pid "$REG2_PID" 10
true
