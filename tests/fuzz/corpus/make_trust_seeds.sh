#!/bin/sh
# Regenerate the seed corpus of tests/fuzz/fuzz_digest_trust.c (tests/fuzz/corpus/digest_trust/):
# a docker save tar, OCI layouts with a manifest (gzip) and with an image index
# (two platforms and an attestation), a tar with a "../" member, and two store files.
# Deterministic (fixed mtimes, gzip without a timestamp).  Needs python3.
set -eu
out=$(dirname "$0")/digest_trust
mkdir -p "$out"
python3 - "$out" <<'PY'
import gzip, hashlib, io, json, sys, tarfile

out = sys.argv[1]

def dig(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()

def js(o):
    return json.dumps(o, separators=(",", ":"), sort_keys=True).encode()

def tar(name, members, gz=False):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for n, data in members:
            ti = tarfile.TarInfo(n)
            ti.size, ti.mtime, ti.mode = len(data), 0, 0o644
            t.addfile(ti, io.BytesIO(data))
    data = buf.getvalue()
    if gz:
        data = gzip.compress(data, mtime=0)
    with open(f"{out}/{name}", "wb") as f:
        f.write(data)

def blob(data):
    return ("blobs/sha256/" + dig(data)[7:], data)

OCI_M = "application/vnd.oci.image.manifest.v1+json"
OCI_I = "application/vnd.oci.image.index.v1+json"
LAYOUT = ("oci-layout", js({"imageLayoutVersion": "1.0.0"}))
cfg = js({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}})
cfg2 = js({"architecture": "arm64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}})

# docker save (Docker 20.10 layout: <hex>.json config, <id>/layer.tar).
h = dig(cfg)[7:]
tar("docker_save.tar", [
    ("manifest.json", js([{"Config": h + ".json", "RepoTags": ["bb:1"], "Layers": ["aa/layer.tar"]}])),
    (h + ".json", cfg),
    ("aa/layer.tar", b"layer"),
])

def manifest(c):
    return js({"schemaVersion": 2, "mediaType": OCI_M,
               "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                          "digest": dig(c), "size": len(c)}, "layers": []})

m = manifest(cfg)
tar("oci_manifest.tar.gz", [LAYOUT, blob(cfg), blob(m), ("index.json", js({
    "schemaVersion": 2, "manifests": [
        {"mediaType": OCI_M, "digest": dig(m), "size": len(m), "annotations": {
            "io.containerd.image.name": "docker.io/library/alpine:3",
            "org.opencontainers.image.ref.name": "3"}},
        {"mediaType": OCI_M, "digest": dig(m), "size": len(m), "annotations": {
            "org.opencontainers.image.ref.name": "1.0"}}]}))], gz=True)

m2 = manifest(cfg2)
att = manifest(b"{}")
idx = js({"schemaVersion": 2, "mediaType": OCI_I, "manifests": [
    {"mediaType": OCI_M, "digest": dig(m), "size": len(m),
     "platform": {"architecture": "amd64", "os": "linux"}},
    {"mediaType": OCI_M, "digest": dig(m2), "size": len(m2),
     "platform": {"architecture": "arm64", "os": "linux"}},
    {"mediaType": OCI_M, "digest": dig(att), "size": len(att),
     "annotations": {"vnd.docker.reference.digest": dig(m),
                     "vnd.docker.reference.type": "attestation-manifest"},
     "platform": {"architecture": "unknown", "os": "unknown"}}]})
tar("oci_index.tar", [LAYOUT, blob(cfg), blob(m), blob(m2), blob(att), blob(b"{}"), blob(idx),
    ("index.json", js({"schemaVersion": 2, "manifests": [
        {"mediaType": OCI_I, "digest": dig(idx), "size": len(idx), "annotations": {
            "org.opencontainers.image.ref.name": "registry.example.com/team/app:2"}}]}))])

tar("evil.tar", [("../evil", b"x"), ("manifest.json", b"[]")])

with open(f"{out}/store.json", "wb") as f:
    f.write(js({"version": 1, "images": {
        "docker.io/library/alpine:3": {"digest": dig(m), "manifests": [dig(m)], "configs": [dig(cfg)]},
        "docker.io/library/bb:1": {"digest": dig(cfg), "manifests": [], "configs": [dig(cfg)]}}}))
# The same with the bundle's issue time recorded (stores written since it is).
with open(f"{out}/store-issued.json", "wb") as f:
    f.write(js({"version": 1, "images": {
        "docker.io/library/alpine:3": {"digest": dig(m), "manifests": [dig(m)], "configs": [dig(cfg)],
                                       "issued": 1600000000},
        "docker.io/library/bb:1": {"digest": dig(cfg), "manifests": [], "configs": [dig(cfg)]}}}))
PY
