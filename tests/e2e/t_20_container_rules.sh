# shellcheck shell=bash
# Container create options that give a container the host: all denied.

expect_deny container.privileged run_bb --privileged
expect_deny -n "[container.privileged] create --privileged" container.privileged \
	dk create --privileged "$TEST_IMAGE" true

for ns in pid ipc uts userns network; do
	expect_deny -n "[container.namespace] --$ns=host" container.namespace run_bb "--$ns=host"
done
# --cgroupns host is dockerd's default on cgroup v1 (allowed there), not on v2.
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	expect_deny -n "[container.namespace] --cgroupns=host (cgroup v2)" container.namespace run_bb --cgroupns=host
else
	expect_ok -n "--cgroupns=host on cgroup v1 (the engine's default)" run_bb --cgroupns=host
fi
expect_deny -n "[container.namespace] --net=host" container.namespace run_bb --net=host

expect_deny container.capabilities run_bb --cap-add SYS_ADMIN
expect_deny container.capabilities run_bb --cap-add ALL
expect_deny container.capabilities run_bb --cap-add CAP_SYS_MODULE
expect_deny container.capabilities run_bb --cap-add sys_ptrace

expect_deny container.devices run_bb --device /dev/null:/dev/xnull
expect_deny container.devices run_bb --device-cgroup-rule 'c 1:3 rwm'

expect_deny container.securityOpt run_bb --security-opt seccomp=unconfined
expect_deny container.securityOpt run_bb --security-opt apparmor=unconfined
expect_deny container.securityOpt run_bb --security-opt label=disable
expect_deny container.securityOpt run_bb --security-opt systempaths=unconfined

expect_deny container.runtime run_bb --runtime=io.containerd.runtime.v1.linux
expect_deny container.runtime run_bb --runtime=e2e-not-configured

# The CLI itself only sends namespaced sysctls: ask the API directly.
expect_deny -n "[container.sysctls] raw create Sysctls kernel.core_pattern" container.sysctls \
	api POST /v1.41/containers/create "{\"Image\":\"$TEST_IMAGE\",\"HostConfig\":{\"Sysctls\":{\"kernel.core_pattern\":\"core\"}}}"
# IPC-namespaced sysctls are the container's own in its private IPC namespace.
expect_out -n "run --sysctl kernel.msgmax=65536 (IPC-namespaced: allowed)" 65536 \
	dk run --rm --sysctl kernel.msgmax=65536 "$TEST_IMAGE" cat /proc/sys/kernel/msgmax

# Privileged exec into an ordinary container.
expect_ok -n "run -d target for exec" dk run -d --name e2e-exec "$TEST_IMAGE" sleep 300
expect_deny -n "[exec.privileged] exec --privileged" exec.privileged dk exec --privileged e2e-exec id
expect_out -n "plain exec still works" uid=0 dk exec e2e-exec id
expect_ok -n "rm -f exec target" dk rm -f e2e-exec

# docker update cannot add privileges either (only resources are updatable,
# but devices/rules are checked wherever a host config appears).
expect_ok -n "run -d target for update" dk run -d --name e2e-update "$TEST_IMAGE" sleep 300
expect_ok -n "update --restart is fine" dk update --restart unless-stopped e2e-update
expect_ok -n "rm -f update target" dk rm -f e2e-update

# --- builds: RUN steps must not get the host's network
expect_deny -n "[container.namespace] build --network host" container.namespace \
	dk build --network host -t dockward-test/hostnet:1 "$T/ctx"
expect_ok -n "build --network default" dk build --network default -t dockward-test/defnet:1 "$T/ctx"
