# shellcheck shell=bash
# Raw Engine API requests (curl on the engine socket): the spellings the
# CLI never sends but dockerd still accepts.

img=$TEST_IMAGE
create() { api POST "$1" "$2"; }

expect_out -n "raw: harmless create is allowed" "HTTP 201" \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"Cmd\":[\"true\"]}"
expect_ok -n "raw: delete that container" \
	sh -c 'id=$(jq -r .Id <"$1/api.body") && timeout 30 "$DOCKER" rm "$id"' _ "$T"

# Privileged, however spelled.
expect_deny -n "[container.privileged] raw HostConfig.Privileged" container.privileged \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"Privileged\":true}}"
expect_deny -n "[container.privileged] top-level Privileged (old API wrapper)" container.privileged \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"Privileged\":true}"
expect_deny -n "[container.privileged] lowercase \"privileged\"" container.privileged \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"privileged\":true}}"
expect_deny -n "[container.privileged] upper-case \"PRIVILEGED\"" container.privileged \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"PRIVILEGED\":true}}"
expect_deny -n "[container.privileged] path /v1.41/containers%2Fcreate" container.privileged \
	create '/v1.41/containers%2Fcreate' "{\"Image\":\"$img\",\"HostConfig\":{\"Privileged\":true}}"
expect_deny -n "[container.privileged] path /v1.24/containers/create" container.privileged \
	create /v1.24/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"Privileged\":true}}"
expect_deny -n "[container.privileged] path without version" container.privileged \
	create /containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"Privileged\":true}}"
expect_deny -n "[container.privileged] path with query string" container.privileged \
	create '/v1.41/containers/create?name=e2e-raw-q' "{\"Image\":\"$img\",\"HostConfig\":{\"Privileged\":true}}"
expect_deny -n "[container.privileged] top-level Privileged with an empty HostConfig" "container.privileged|request.json" \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"Privileged\":true,\"HostConfig\":null}"

# Ambiguous JSON: duplicate keys, and keys that Go's case folding merges.
expect_deny -n "[request.json] duplicate key Privileged/privileged" request.json \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"Privileged\":false,\"privileged\":true}}"
expect_deny -n "[request.json] exact duplicate key" request.json \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"Privileged\":false,\"Privileged\":true}}"
expect_deny -n "[request.json] long-s Bind\\u017f next to Binds (escaped)" request.json \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"Binds\":[\"$T/work:/w\"],\"Bind\\u017f\":[\"/etc:/x\"]}}"
longs=$(printf 'Bind\305\277')
expect_deny -n "[request.json] long-s Bind\\u017f next to Binds (UTF-8)" request.json \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"Binds\":[\"$T/work:/w\"],\"$longs\":[\"/etc:/x\"]}}"
kelvin=$(printf 'Networ\342\204\252Mode')
expect_deny -n "[request.json] Kelvin-sign NetworKMode next to NetworkMode" request.json \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"NetworkMode\":\"none\",\"$kelvin\":\"host\"}}"
expect_deny -n "Kelvin-sign NetworKMode=host alone" "container.namespace|request.json" \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"$kelvin\":\"host\"}}"
expect_deny -n "long-s Bindſ=/etc alone" "mount.protectedPath|request.json" \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"$longs\":[\"/etc:/x\"]}}"
expect_deny -n "[request.json] Privileged as a string" "request.json|container.privileged" \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"Privileged\":\"true\"}}"

# No body for the policy to read.  dockerd forwards no body over 1 MiB; a
# chunked body is forwarded only by engines with the CVE-2024-41110 fix
# (Debian's 20.10.24+dfsg1-1+deb12u1 has it), older ones send none.
printf '{"Image":"%s","HostConfig":{"Privileged":true},"Labels":{"pad":"%s"}}' "$img" \
	"$(head -c 1100000 /dev/zero | tr '\0' a)" >"$T/big-create.json"
expect_deny -n "[request.body] create body over 1 MiB (dockerd forwards none)" request.body \
	api POST /v1.41/containers/create "@$T/big-create.json"
expect_deny -n "chunked create body" "request.body|container.privileged" \
	api POST /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"Privileged\":true}}" \
	-H 'Transfer-Encoding: chunked'
# The plugin never sees a non-JSON body; the gatekeeper reads it whole.
ct_rules="request.body|request.json"
[ "$E2E_MODE" = gatekeeper ] && ct_rules=container.privileged
expect_deny -n "[request.body] create with a non-JSON content type" "$ct_rules" \
	api POST /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"Privileged\":true}}" \
	-H 'Content-Type: text/plain'

# A form body would let dockerd take query parameters from it (Go's ParseForm).
expect_deny -n "[request.form] build parameters in a form body" request.form \
	api POST "/v1.41/build?remote=http://127.0.0.1:1/ctx.tar" "networkmode=host" \
	-H 'Content-Type: application/x-www-form-urlencoded'

# The pre-1.24 start endpoint takes a host config.
expect_ok -n "raw: create a container to start" \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"Cmd\":[\"sleep\",\"300\"]}"
cid=$(jq -r '.Id // empty' "$T/api.body" 2>/dev/null)
expect_deny -n "[container.startConfig] POST /v1.23/containers/ID/start with a HostConfig" container.startConfig \
	api POST "/v1.23/containers/$cid/start" '{"Privileged":true,"Binds":["/etc:/x"]}'
expect_deny -n "[container.startConfig] start with a harmless-looking HostConfig" container.startConfig \
	api POST "/v1.23/containers/$cid/start" '{"NetworkMode":"none"}'
expect_ok -n "raw: start without a body" api POST "/v1.41/containers/$cid/start"
expect_deny -n "[exec.privileged] raw exec create Privileged" exec.privileged \
	api POST "/v1.41/containers/$cid/exec" '{"Cmd":["id"],"Privileged":true}'
expect_deny -n "[exec.privileged] raw exec create lowercase privileged" "exec.privileged|request.json" \
	api POST "/v1.41/containers/$cid/exec" '{"Cmd":["id"],"privileged":true}'
expect_ok -n "raw: remove the started container" api DELETE "/v1.41/containers/$cid?force=1"

# Socket mount through raw Mounts / Binds spellings.
expect_deny -n "[mount.dockerSocket] raw Mounts bind" mount.dockerSocket \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"$ENGINE_SOCK\",\"Target\":\"/s\"}]}}"
expect_deny -n "[mount.dockerSocket] raw lowercase binds" "mount.dockerSocket|request.json" \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"HostConfig\":{\"binds\":[\"$ENGINE_SOCK:/s\"]}}"
expect_deny -n "[mount.protectedPath] raw top-level Binds (old API wrapper)" "mount.protectedPath|request.json" \
	create /v1.41/containers/create "{\"Image\":\"$img\",\"Binds\":[\"/etc:/x\"]}"
