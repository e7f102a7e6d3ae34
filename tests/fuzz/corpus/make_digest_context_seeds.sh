#!/bin/sh
# Regenerate the seed corpus of tests/fuzz/fuzz_digest_context.c
# (tests/fuzz/corpus/digest_context/): small build contexts, plain and
# gzip, with a default Dockerfile, a lowercase one, a subdirectory one
# (docker/Dockerfile.dev), a symlinked one, a duplicate entry and a "../"
# entry.  Deterministic (fixed mtimes, gzip without a timestamp).  Needs python3.
set -eu
out=$(dirname "$0")/digest_context
mkdir -p "$out"
python3 - "$out" <<'PY'
import gzip, io, sys, tarfile

out = sys.argv[1]

def tar(name, members, gz=False):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for n, data in members:
            ti = tarfile.TarInfo(n)
            ti.mtime, ti.mode = 0, 0o644
            if isinstance(data, tuple):
                ti.type, ti.linkname = tarfile.SYMTYPE, data[1]
                t.addfile(ti)
            elif data is None:
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                t.addfile(ti)
            else:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    data = buf.getvalue()
    if gz:
        data = gzip.compress(data, mtime=0)
    with open(f"{out}/{name}", "wb") as f:
        f.write(data)

df = b"ARG BASE=alpine:3\nFROM ${BASE} AS build\nRUN <<EOF\necho hi\nEOF\nFROM build\n"
tar("default.tar", [("./", None), ("./Dockerfile", df), ("./main.c", b"int main;\n")])
tar("default.tar.gz", [("Dockerfile", df)], gz=True)
tar("lowercase.tar", [("dockerfile", b"FROM busybox\n")])
tar("subdir.tar.gz", [("docker/", None),
    ("docker/Dockerfile.dev", b"FROM --platform=linux/arm64 debian:12 AS d\nFROM d\n")], gz=True)
tar("symlink.tar", [("real", b"FROM alpine\n"), ("Dockerfile", ("sym", "real"))])
tar("duplicate.tar", [("Dockerfile", b"FROM allowed\n"), ("./Dockerfile", b"FROM other\n")])
tar("escape.tar", [("../Dockerfile", b"FROM evil\n")])
PY
