#!/bin/sh
# record-go.sh: decode every body of cases.json with Go's encoding/json
# into mirrors of dockerd's types (tests/oracle/gohttp -json) and write
# godecoded.json, which test_authz_json_diff compares with our reading.
# Needs only Go (record.sh needs a dockerd).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
GO111MODULE=off GOCACHE=$tmp/cache GOPATH=$tmp/gopath \
	sh -c 'cd "$1" && go build -o "$2" .' _ "$here/../../oracle/gohttp" "$tmp/gohttp"
"$tmp/gohttp" -json "$here/cases.json" >"$tmp/godecoded.json"
mv "$tmp/godecoded.json" "$here/godecoded.json"
