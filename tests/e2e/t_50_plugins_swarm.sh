# shellcheck shell=bash
# Managed plugins run as root with whatever privileges they ask for; a
# swarm join hands the engine to another manager.  Both denied.

expect_ok -n "GET /plugins (list) is fine" api GET /v1.41/plugins
expect_deny -n "[plugin.manage] POST /plugins/pull?remote=..." plugin.manage \
	api POST '/v1.41/plugins/pull?remote=127.0.0.1:1/e2e/x:latest&name=x' '[]'
expect_deny -n "[plugin.manage] POST /plugins/pull without version" plugin.manage \
	api POST '/plugins/pull?remote=127.0.0.1:1/x:latest' '[]'
expect_deny -n "[plugin.manage] POST /plugins/x/disable" plugin.manage \
	api POST /v1.41/plugins/x/disable
expect_deny -n "[plugin.manage] POST /plugins/x/enable" plugin.manage \
	api POST /v1.41/plugins/x/enable
expect_deny -n "[plugin.manage] POST /plugins/x/set" plugin.manage \
	api POST /v1.41/plugins/x/set '["DEBUG=1"]'
expect_deny -n "[plugin.manage] POST /plugins/x/upgrade" plugin.manage \
	api POST '/v1.41/plugins/x/upgrade?remote=127.0.0.1:1/e2e/x:latest' '[]'
expect_deny -n "[plugin.manage] POST /plugins/create" plugin.manage \
	api POST '/v1.41/plugins/create?name=x' '' -H 'Content-Type: application/x-tar' --data-binary ''
expect_deny -n "[plugin.manage] docker plugin enable (CLI)" plugin.manage \
	dk plugin enable e2e-no-such-plugin
expect_deny -n "[plugin.manage] docker plugin disable (CLI)" plugin.manage \
	dk plugin disable e2e-no-such-plugin

expect_deny -n "[swarm.join] POST /swarm/join" swarm.join \
	api POST /v1.41/swarm/join '{"ListenAddr":"127.0.0.1:2377","RemoteAddrs":["127.0.0.1:1"],"JoinToken":"SWMTKN-1-x"}'
expect_deny -n "[swarm.join] POST /swarm/join without version" swarm.join \
	api POST /swarm/join '{"RemoteAddrs":["127.0.0.1:1"],"JoinToken":"SWMTKN-1-x"}'
expect_deny -n "[swarm.join] docker swarm join (CLI)" swarm.join \
	dk swarm join --token SWMTKN-1-e2e 127.0.0.1:1

# Swarm services carry a container spec of their own, and the tasks made
# from it never pass through authorization: the container rules apply at
# service create/update.  (--no-resolve-image: nothing is looked up on a
# registry; --replicas 0: no task runs.)
expect_ok -n "swarm init (single node, loopback)" \
	dk swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:0
svc() { dk service create --detach --no-resolve-image --replicas 0 "$@"; }
expect_ok -n "service create (plain)" svc --name e2e-svc "$TEST_IMAGE" true
expect_deny -n "[mount.protectedPath] service create --mount type=bind,src=/etc" mount.protectedPath \
	svc --mount type=bind,src=/etc,dst=/x "$TEST_IMAGE" true
expect_deny -n "[mount.dockerSocket] service create mounting the Docker socket" mount.dockerSocket \
	svc --mount "type=bind,src=$ENGINE_SOCK,dst=/var/run/docker.sock" "$TEST_IMAGE" true
expect_deny -n "[container.capabilities] service create --cap-add SYS_ADMIN" container.capabilities \
	svc --cap-add SYS_ADMIN "$TEST_IMAGE" true
expect_deny -n "[container.sysctls] service create --sysctl kernel.core_pattern=x" container.sysctls \
	svc --sysctl kernel.core_pattern=x "$TEST_IMAGE" true
# IPC sysctls are the task's own (its IPC namespace is private): allowed.
expect_ok -n "service create --sysctl kernel.msgmax=65536 (IPC-namespaced)" \
	svc --name e2e-svc-ipc --sysctl kernel.msgmax=65536 "$TEST_IMAGE" true
expect_ok -n "service rm e2e-svc-ipc" dk service rm e2e-svc-ipc
# A log driver with a unix:// address makes dockerd (root) dial that socket.
expect_deny -n "[container.logDriver] service create --log-opt syslog-address=unix://..." container.logDriver \
	svc --log-driver syslog --log-opt "syslog-address=unix://$T/e2e-no-such-log.sock" "$TEST_IMAGE" true
# The CLI sends the host network's ID, not "host".
expect_deny -n "[container.namespace] service create --network host" container.namespace \
	svc --network host "$TEST_IMAGE" true
expect_deny -n "[container.namespace] raw service create Networks[].Target=host" container.namespace \
	api POST /v1.41/services/create "{\"Name\":\"e2e-raw-svc\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"$TEST_IMAGE\"},\"Networks\":[{\"Target\":\"host\"}]},\"Mode\":{\"Replicated\":{\"Replicas\":0}}}"
expect_deny -n "[mount.protectedPath] service update --mount-add /etc" mount.protectedPath \
	dk service update --detach --no-resolve-image --mount-add type=bind,src=/etc,dst=/x e2e-svc
expect_ok -n "service update (harmless)" \
	dk service update --detach --no-resolve-image --env-add E2E=1 e2e-svc
expect_ok -n "service rm" dk service rm e2e-svc
expect_ok -n "swarm leave --force" dk swarm leave --force
