#!/bin/sh
# make check: does authz_jv read every input as Go's encoding/json does?
# Builds the oracle (tests/oracle/gojv, stdlib only), has it write the
# inputs (the bodies of tests/data/gojson, tests/data/framing and
# tests/data/explain/recorded, then a generated set of escapes,
# surrogates, invalid UTF-8, numbers, whitespace and nesting) and Go's
# reading of each, and compares with authz_jv's (tests/unit/jv_diff).
# Skipped (77) without Go.
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
go=${GO:-go}
if ! command -v "$go" >/dev/null 2>&1; then
	echo "no Go toolchain: skipped"
	exit 77
fi
out=tests/oracle/gojv
mkdir -p "$out" || exit 99
GO111MODULE=off GOCACHE=$PWD/.gocache GOPATH=$PWD/.gopath \
	"$go" build -o "$out/gojv" "$top/tests/oracle/gojv/main.go" || exit 99
"$out/gojv" -gen "$top/tests/data/gojson/recorded.json" \
    "$top/tests/data/gojson/cases.json" "$top/tests/data/framing/cases.json" \
    "$top"/tests/data/explain/recorded/*.json \
    >"$out/inputs.bin" || exit 99
"$out/gojv" <"$out/inputs.bin" >"$out/answers.txt" || exit 99
./tests/unit/jv_diff "$out/inputs.bin" "$out/answers.txt"
