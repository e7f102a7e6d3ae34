# shellcheck shell=bash
# Mounts: the Docker socket (any alias of it), protected host paths, other
# root-owned sockets, named volumes bound to host paths.

# --- the Docker socket, by an image that is not on the list
expect_deny mount.dockerSocket run_bb -v "$ENGINE_SOCK:/var/run/docker.sock"
ln -sf "$ENGINE_SOCK" "$T/sock/link.sock"
expect_deny -n "[mount.dockerSocket] symlink to the socket" mount.dockerSocket \
	run_bb -v "$T/sock/link.sock:/var/run/docker.sock"
ln -f "$ENGINE_SOCK" "$T/sock/hard.sock"
expect_deny -n "[mount.dockerSocket] hard link to the socket" mount.dockerSocket \
	run_bb -v "$T/sock/hard.sock:/var/run/docker.sock"
expect_deny -n "[mount.dockerSocket] --mount type=bind" mount.dockerSocket \
	run_bb --mount "type=bind,src=$ENGINE_SOCK,dst=/var/run/docker.sock"
expect_deny -n "[mount.dockerSocket] non-clean path to the socket" mount.dockerSocket \
	run_bb -v "$T/./sock/../docker.sock:/var/run/docker.sock"
expect_deny -n "the directory holding the socket" "mount.dockerSocket|mount.protectedPath" \
	run_bb -v "$T:/x"

# --- the allowed image may mount it
expect_out -n "allowed image mounts the socket" ok-socket \
	dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" \
	sh -c 'test -S /var/run/docker.sock && echo ok-socket'
expect_out -n "allowed image: docker ps through the mounted socket" "CONTAINER ID" \
	dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" docker ps
expect_deny -n "[container.privileged] --privileged from inside a socket-holding container" \
	container.privileged dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" \
	docker run --rm --privileged "$TEST_IMAGE" true
expect_deny -n "[mount.dockerSocket] socket holder cannot pass the socket to an unlisted image" \
	mount.dockerSocket dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" \
	docker run --rm -v "$ENGINE_SOCK:/s" "$TEST_IMAGE" true
expect_ok -n "allowed image, --mount type=bind" \
	dk run --rm --mount "type=bind,src=$ENGINE_SOCK,dst=/var/run/docker.sock" "$ALLOWED_IMAGE" true
expect_ok -n "allowed image by digest reference" \
	sh -c 'ref=$(timeout 30 "$DOCKER" inspect -f "{{index .RepoDigests 0}}" "$1") &&
		timeout 30 "$DOCKER" run --rm -v "$2:/var/run/docker.sock" "$ref" true' _ "$ALLOWED_IMAGE" "$ENGINE_SOCK"

# --- --volumes-from a container that has the socket
expect_ok -n "allowed image keeps the socket (holder)" \
	dk run -d --name e2e-sockholder -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" sleep 300
expect_deny -n "[mount.dockerSocket] --volumes-from a socket holder" mount.dockerSocket \
	run_bb --volumes-from e2e-sockholder
expect_deny -n "[mount.dockerSocket] --volumes-from holder:ro" mount.dockerSocket \
	run_bb --volumes-from e2e-sockholder:ro
expect_ok -n "allowed image may use --volumes-from the holder" \
	dk run --rm --volumes-from e2e-sockholder "$ALLOWED_IMAGE" true
expect_ok -n "rm -f socket holder" dk rm -f e2e-sockholder

# --- a local tag is not an identity: a forged allowed name is still denied
expect_ok -n "forge: tag the test image with the allowed name" dk tag "$TEST_IMAGE" "$ALLOWED_IMAGE"
expect_deny -n "[mount.dockerSocket] forged tag of the allowed image" mount.dockerSocket \
	dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" true
expect_ok -n "restore the allowed image (pull)" dk pull "$ALLOWED_IMAGE"
E2E_RETRY=10 expect_ok -n "allowed image mounts the socket again" \
	dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" true

# --- protected host paths
expect_deny mount.protectedPath run_bb -v /:/host
expect_deny mount.protectedPath run_bb -v /etc:/x
expect_deny mount.protectedPath run_bb -v /etc/passwd:/x
expect_deny mount.protectedPath run_bb -v /proc:/x
expect_deny mount.protectedPath run_bb -v /var/lib:/x
expect_deny mount.protectedPath run_bb -v "$T/exec:/x"
expect_deny mount.protectedPath run_bb -v "$T/data:/x"
expect_deny -n "[mount.protectedPath] --mount type=bind,src=/etc" mount.protectedPath \
	run_bb --mount type=bind,src=/etc,dst=/x
expect_deny -n "[mount.protectedPath] /etc via a symlink" mount.protectedPath \
	sh -c 'ln -sfn /etc "$1/sock/etc-link" && timeout 30 "$DOCKER" run --rm -v "$1/sock/etc-link:/x" "$TEST_IMAGE" true' _ "$T"
expect_deny -n "[mount.protectedPath] containerd's socket" "mount.protectedPath|mount.rootSocket" \
	run_bb -v "$CONTAINERD_SOCK:/x"
expect_deny -n "[mount.protectedPath] dockward's plugin socket" "mount.protectedPath|mount.rootSocket" \
	run_bb -v "$PLUGIN_SOCK:/x"

# --- other root-owned unix sockets
perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $ARGV[0], Listen => 1) or die "$!\n"' \
	"$T/sock/other.sock"
expect_deny -n "[mount.rootSocket] a root-owned unix socket" mount.rootSocket \
	run_bb -v "$T/sock/other.sock:/x"
if [ -S "$T/exec/containerd/containerd.sock" ]; then
	ln -f "$T/exec/containerd/containerd.sock" "$T/sock/ctr-hard.sock"
	expect_deny -n "[mount.rootSocket] hard link to containerd's socket" mount.rootSocket \
		run_bb -v "$T/sock/ctr-hard.sock:/x"
fi

# --- named volumes bound to host paths
expect_deny -n "[mount.protectedPath] volume create o=bind device=/etc" mount.protectedPath \
	dk volume create -o type=none -o o=bind -o device=/etc e2e-etc
expect_deny -n "[mount.protectedPath] --mount volume-opt device=/etc" mount.protectedPath \
	run_bb --mount "type=volume,src=e2e-etc2,dst=/x,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc"
expect_deny -n "[mount.dockerSocket] volume create device=socket" mount.dockerSocket \
	dk volume create -o type=none -o o=bind -o "device=$ENGINE_SOCK" e2e-sockvol
# A volume made on a harmless directory through a symlink, then the
# symlink is turned to /etc: the volume's use must be checked again.
mkdir -p "$T/work/voltarget"
ln -sfn "$T/work/voltarget" "$T/work/vollink"
expect_ok -n "volume create o=bind on a plain dir (via symlink)" \
	dk volume create -o type=none -o o=bind -o "device=$T/work/vollink" e2e-flip
expect_ok -n "run -v bound volume (plain dir)" run_bb -v e2e-flip:/x
ln -sfn /etc "$T/work/vollink"
expect_deny -n "[mount.protectedPath] -v volume whose device now resolves to /etc" mount.protectedPath \
	run_bb -v e2e-flip:/x
expect_deny -n "[mount.protectedPath] --mount type=volume, device now /etc" mount.protectedPath \
	run_bb --mount type=volume,src=e2e-flip,dst=/x
ln -sfn "$T/work/voltarget" "$T/work/vollink"
expect_ok -n "volume rm" dk volume rm e2e-flip
