#!/bin/sh
# make check: does Go's net/http still read every stream of
# tests/data/framing/cases.json as recorded, and Go's encoding/json every
# body of tests/data/gojson/cases.json as godecoded.json says?  Builds the oracle
# (tests/oracle/gohttp, stdlib only) and runs it on each case.  Skipped
# (77) without Go; the recorded answers are what test_api_http checks the
# gatekeeper's framing against, so a difference here means: re-record
# (tests/data/framing/record.sh) and look at what changed.
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
go=${GO:-go}
if ! command -v "$go" >/dev/null 2>&1; then
	echo "no Go toolchain: skipped"
	exit 77
fi
out=tests/oracle/gohttp
mkdir -p "$out" || exit 99
GO111MODULE=off GOCACHE=$PWD/.gocache GOPATH=$PWD/.gopath \
	"$go" build -o "$out/gohttp" "$top/tests/oracle/gohttp/main.go" \
	"$top/tests/oracle/gohttp/json.go" || exit 99
"$out/gohttp" -json "$top/tests/data/gojson/cases.json" >"$out/godecoded.json" || exit 99
if ! diff -u "$top/tests/data/gojson/godecoded.json" "$out/godecoded.json"; then
	echo "Go decodes tests/data/gojson/cases.json otherwise than recorded:" \
	    "re-record with tests/data/gojson/record-go.sh"
	exit 1
fi
echo "tests/data/gojson: Go decodes every body as recorded"
"$out/gohttp" -check "$top/tests/data/framing/cases.json"
