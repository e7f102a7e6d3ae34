#!/bin/sh
# make check: does Go's net/http still read every stream of
# tests/data/framing/cases.json as recorded?  Builds the oracle
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
	"$go" build -o "$out/gohttp" "$top/tests/oracle/gohttp/main.go" || exit 99
"$out/gohttp" -check "$top/tests/data/framing/cases.json"
