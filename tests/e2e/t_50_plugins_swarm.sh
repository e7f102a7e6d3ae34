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
