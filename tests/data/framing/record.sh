#!/bin/sh
# record.sh: run Go's net/http (tests/oracle/gohttp) on every stream of
# cases.json and write each case's "go" answer into it.  Run after adding
# or changing a case; test_api_http then replays them all through the
# gatekeeper's framing, without Go.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
GO111MODULE=off GOCACHE=$tmp/cache GOPATH=$tmp/gopath \
	sh -c 'cd "$1" && go build -o "$2" .' _ "$here/../../oracle/gohttp" "$tmp/gohttp"
"$tmp/gohttp" -record "$here/cases.json" >"$tmp/cases.json"
mv "$tmp/cases.json" "$here/cases.json"
"$tmp/gohttp" -check "$here/cases.json"
