# shellcheck shell=bash
# Issue 14: the Engine API rules of air-gapped containers.  While the
# policy sets containersProxy, containers stay on bridge networks (the
# ones dockward's egress table polices): the host network, directly or
# through a container:X, in a build, macvlan and ipvlan networks, and
# resolvers outside dockward.egress.dnsServers are refused, with ECI off
# (the rules stand alone).  Judged by effect: what exists on the engine
# afterwards.  Bridge networks, whatever their interface name, work.
#
# The suite's dockerd runs with --bridge=none and --iptables=false: bridge
# networks are created (t_10 does too) and removed at the end; macvlan and
# ipvlan are asked for on "lo", so even a wrongly allowed create could not
# add an interface to the host.

# The engine itself, for judging effects and cleaning up (no policy hides anything).
e58_engine() { DOCKER_HOST=unix://$ENGINE_SOCK timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"; }
e58_absent() { ! e58_engine container inspect "$1" >/dev/null 2>&1; }
# e58_not_on_host CTR: the networks CTR is connected to (shown), none of them "host".
e58_not_on_host() {
	local nets
	# shellcheck disable=SC2016 # a Go template
	nets=$(e58_engine inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' "$1") || return 1
	echo "networks: $nets"
	case " $nets " in *" host "*) return 1 ;; esac
}

E58_POLICY='.enhancedContainerIsolation.value = false
	| .containersProxy = {"locked": true, "mode": "manual", "http": "", "https": "",
	    "exclude": [], "transparentPorts": "*"}
	| .dockward.egress = {"dnsServers": ["10.0.0.53"]}'

# --- admin fixtures, made with containersProxy off: a host-network container
expect_ok -n "admin: e2e58-hostnet with --network host" \
	e2e_admin run -d --name e2e58-hostnet --network host "$TEST_IMAGE" sleep 600
expect_ok -n "ordinary container e2e58-plain" dk run -d --name e2e58-plain "$TEST_IMAGE" sleep 600
mkdir -p "$T/ctx58"
printf 'FROM %s\nRUN true\n' "$TEST_IMAGE" >"$T/ctx58/Dockerfile"

expect_ok -n "policy: containersProxy on, ECI off, one allowed resolver" e2e_reload_policy "$E58_POLICY"

# --- refused
expect_deny -n "[egress.network] run --network host" egress.network \
	dk run -d --name e2e58-atk-host --network host "$TEST_IMAGE" sleep 60
expect_deny -n "[egress.network] run --network container:<host-network container>" egress.network \
	dk run -d --name e2e58-atk-join --network container:e2e58-hostnet "$TEST_IMAGE" sleep 60
expect_deny -n "[egress.network] raw create, NetworkMode host at the top level" egress.network \
	api POST '/v1.41/containers/create?name=e2e58-atk-raw' \
	"{\"Image\":\"$TEST_IMAGE\",\"Cmd\":[\"true\"],\"NetworkMode\":\"host\"}"
expect_deny -n "[egress.networkDriver] network create -d macvlan" egress.networkDriver \
	dk network create -d macvlan -o parent=lo e2e58-mac
expect_deny -n "[egress.networkDriver] network create -d ipvlan" egress.networkDriver \
	dk network create -d ipvlan -o parent=lo e2e58-ipv
expect_deny -n "[egress.network] network connect host" egress.network \
	dk network connect host e2e58-plain
expect_deny -n "[egress.dns] run --dns 1.2.3.4" egress.dns \
	dk run -d --name e2e58-atk-dns --dns 1.2.3.4 "$TEST_IMAGE" sleep 60
expect_deny -n "[egress.network] build --network host" egress.network \
	dk build --network host -t dockward-test/e58:1 "$T/ctx58"
expect_deny -n "[egress.network] exec into the host-network container" egress.network \
	dk exec e2e58-hostnet true

# --- effects: nothing of that exists on the engine
for n in host join raw dns; do
	expect_ok -n "effect: no container e2e58-atk-$n on the engine" e58_absent "e2e58-atk-$n"
done
for n in mac ipv; do
	expect_fail -n "effect: no network e2e58-$n on the engine" e58_engine network inspect "e2e58-$n"
done
expect_fail -n "effect: no image dockward-test/e58:1 was built" e58_engine image inspect dockward-test/e58:1
expect_ok -n "effect: e2e58-plain was not connected to the host network" e58_not_on_host e2e58-plain
expect_out -n "effect: no exec instance in e2e58-hostnet" 0 \
	e58_engine inspect -f '{{len .ExecIDs}}' e2e58-hostnet

# --- allowed: bridges (by any interface name), joining an ordinary container, the allowed resolver
expect_ok -n "network create -d bridge -o com.docker.network.bridge.name=dw58evil0" \
	dk network create -d bridge -o com.docker.network.bridge.name=dw58evil0 e2e58-n1
expect_out -n "run on that bridge network (eth0 inside)" eth0 \
	dk run --rm --network e2e58-n1 "$TEST_IMAGE" cat /proc/net/dev
expect_ok -n "run --network container:<ordinary container>" \
	dk run --rm --network container:e2e58-plain "$TEST_IMAGE" true
expect_out -n "run --dns 10.0.0.53 (allowed resolver)" "nameserver 10.0.0.53" \
	dk run --rm --dns 10.0.0.53 "$TEST_IMAGE" cat /etc/resolv.conf
expect_ok -n "build on the default network" dk build -t dockward-test/e58:2 "$T/ctx58"

# --- the policy back as the suite wrote it, whatever happened above (a
# check skipped for the time budget must not skip this)
e2e_reload_policy '.' >/dev/null 2>&1
E2E_RETRY=10 expect_deny -n "policy restored: ECI refuses --privileged again" container.privileged \
	dk run --rm --privileged "$TEST_IMAGE" true
# --- dockward check: what no Engine API rule can see
mkdir -m 0755 "$T/policy58"
e2e_policy_json "[\"$ALLOWED_IMAGE\"]" | jq "$E58_POLICY" >"$T/policy58/egress.json"
e2e_policy_json "[\"$ALLOWED_IMAGE\"]" |
	jq '.containersProxy = {"mode": "manual", "transparentPorts": "*"}' >"$T/policy58/egress-eci.json"
echo '{"builder": {"Entitlements": {"network-host": false}}}' >"$T/policy58/daemon-off.json"
echo '{"builder": {"entitlements": {"network-host": true}}}' >"$T/policy58/daemon-on.json"
chmod 0644 "$T"/policy58/*.json
# e58_check POLICY DAEMON_JSON: dockward check's output
e58_check() { "$DOCKWARD" check --settings "$T/policy58/$1" --daemon-json "$T/policy58/$2"; }
# e58_no_buildkit_warning POLICY DAEMON_JSON: check passes and says nothing of RUN --network=host
e58_no_buildkit_warning() {
	local out
	out=$(e58_check "$@") || return 1
	echo "$out"
	! grep -qF 'RUN --network=host' <<<"$out"
}
expect_out -n "check: containersProxy's API rules are listed" "air-gapped containers (containersProxy): on" \
	e58_check egress.json none.json
expect_out -n "check: ECI off under containersProxy is explained" "enter the host's network namespace" \
	e58_check egress.json none.json
expect_out -n "check: BuildKit's network-host, no daemon.json" "there is none, so dockerd grants it" \
	e58_check egress.json none.json
expect_out -n "check: BuildKit's network-host granted in daemon.json" "it grants network-host" \
	e58_check egress.json daemon-on.json
expect_ok -n "check: no BuildKit warning when daemon.json denies network-host" \
	e58_no_buildkit_warning egress.json daemon-off.json
expect_ok -n "check: no BuildKit warning when the policy refuses BuildKit (ECI on)" \
	e58_no_buildkit_warning egress-eci.json none.json

# --- cleanup, also unconditional: the bridge interface must not outlive the run
e58_engine rm -f e2e58-hostnet e2e58-plain e2e58-atk-host e2e58-atk-join e2e58-atk-raw \
	e2e58-atk-dns >/dev/null 2>&1
e58_engine network rm e2e58-n1 e2e58-mac e2e58-ipv >/dev/null 2>&1
e58_engine rmi dockward-test/e58:2 >/dev/null 2>&1
# shellcheck disable=SC2016 # expanded by the inner shell
expect_ok -n "cleanup: no e2e58 container, network or bridge interface is left" sh -c '
	DOCKER_HOST=unix://$1; export DOCKER_HOST
	! timeout 30 "$2" ps -a --format "{{.Names}}" | grep e2e58- &&
	! timeout 30 "$2" network ls --format "{{.Name}}" | grep e2e58- &&
	! [ -e /sys/class/net/dw58evil0 ]' _ "$ENGINE_SOCK" "$DOCKER"
