# shellcheck shell=bash
# Everyday docker workflows must keep working with dockward in place.

expect_out -n "docker version reaches the engine" "Server:" dk version
expect_ok -n "docker info" dk info
expect_out -n "run --rm echo" hello-dockward dk run --rm "$TEST_IMAGE" echo hello-dockward
expect_out -n "create + start -a" created-then-started \
	sh -c 'id=$(timeout 30 "$DOCKER" create "$TEST_IMAGE" echo created-then-started) &&
		timeout 30 "$DOCKER" start -a "$id" && timeout 30 "$DOCKER" rm "$id" >/dev/null'

# Detached container lifecycle.
expect_ok -n "run -d" dk run -d --name e2e-basic "$TEST_IMAGE" sh -c 'echo started; exec sleep 300'
expect_out -n "ps lists the container" e2e-basic dk ps
expect_out -n "logs" started dk logs e2e-basic
expect_out -n "exec" uid=0 dk exec e2e-basic id
expect_out -n "exec -u 1234" uid=1234 dk exec -u 1234 e2e-basic id
expect_ok -n "inspect" dk inspect e2e-basic
expect_ok -n "stop" dk stop -t 1 e2e-basic
expect_ok -n "rm" dk rm e2e-basic

# Harmless options stay allowed.
expect_ok -n "run with --cap-drop ALL" dk run --rm --cap-drop ALL "$TEST_IMAGE" true
expect_ok -n "run with --cap-add CHOWN (a default capability)" dk run --rm --cap-add CHOWN "$TEST_IMAGE" true
expect_ok -n "run with --security-opt no-new-privileges" dk run --rm --security-opt no-new-privileges "$TEST_IMAGE" true
expect_ok -n "run with --tmpfs" dk run --rm --tmpfs /scratch "$TEST_IMAGE" touch /scratch/x
expect_ok -n "run with --read-only --user 1000" dk run --rm --read-only --user 1000 "$TEST_IMAGE" true

# Build with the classic builder (a RUN step runs a container inside dockerd).
mkdir -p "$T/ctx"
cat >"$T/ctx/Dockerfile" <<EOD
FROM $TEST_IMAGE
RUN echo built-by-e2e > /built.txt
CMD ["cat", "/built.txt"]
EOD
expect_ok -n "build (DOCKER_BUILDKIT=0, RUN step)" dk build -t dockward-test/built:1 "$T/ctx"
expect_out -n "run the built image" built-by-e2e dk run --rm dockward-test/built:1
expect_ok -n "images" dk images
expect_ok -n "tag" dk tag dockward-test/built:1 dockward-test/built:2
expect_ok -n "rmi" dk rmi dockward-test/built:2

# Volumes and networks.
expect_ok -n "volume create" dk volume create e2e-vol
expect_out -n "volume ls" e2e-vol dk volume ls
expect_out -n "run with a named volume" vol-data \
	sh -c 'timeout 30 "$DOCKER" run --rm -v e2e-vol:/data "$TEST_IMAGE" sh -c "echo vol-data > /data/f" &&
		timeout 30 "$DOCKER" run --rm -v e2e-vol:/data "$TEST_IMAGE" cat /data/f'
expect_ok -n "volume rm" dk volume rm e2e-vol
expect_ok -n "network create --internal" dk network create --internal e2e-net
expect_out -n "network ls" e2e-net dk network ls
expect_ok -n "run on the network" dk run --rm --network e2e-net "$TEST_IMAGE" true
expect_ok -n "network rm" dk network rm e2e-net

# A plain host directory is fine to bind.
mkdir -p "$T/work/data"
expect_ok -n "run -v plain dir:/data" dk run --rm -v "$T/work/data:/data" "$TEST_IMAGE" sh -c 'echo from-container > /data/f'
expect_out -n "bind writes reach the host" from-container cat "$T/work/data/f"
expect_ok -n "--mount type=bind plain dir" dk run --rm --mount "type=bind,src=$T/work/data,dst=/data,readonly" "$TEST_IMAGE" cat /data/f

# Push and pull through the local registry.
expect_ok -n "tag for the registry" dk tag dockward-test/built:1 "$REGISTRY/dockward/built:1"
expect_ok -n "push to the local registry" dk push "$REGISTRY/dockward/built:1"
expect_ok -n "rmi the pushed tag" dk rmi "$REGISTRY/dockward/built:1"
expect_ok -n "pull from the local registry" dk pull "$REGISTRY/dockward/built:1"
expect_out -n "run the pulled image" built-by-e2e dk run --rm "$REGISTRY/dockward/built:1"

# Listing and cleanup endpoints.
expect_ok -n "system df" dk system df
expect_ok -n "container prune" dk container prune -f
expect_ok -n "plugin ls (read-only)" dk plugin ls
