#!/usr/bin/env python3
"""report_gen.py BYTES [START_EPOCH]: an audit log of about BYTES bytes on
stdout, shaped like dockward's (authz_audit.c's keys and order, plugin and
gatekeeper records (70%, with callers and creators), 90% allowed, 6%
would-deny (audit mode), 4% denied, over 20 rules, 200 images, 500 callers.  Seeded:
the same BYTES gives the same file.  For tests/bench/report-bench.sh."""
import json
import random
import sys
import time

RULES = ["mount.protectedPath", "mount.dockerSocket", "container.privileged",
         "container.capAdd", "container.pidMode", "container.networkMode",
         "container.devices", "container.securityOpt", "container.userns",
         "image.allowList", "plugin.manage", "volume.options", "build.context",
         "exec.privileged", "container.sysctls", "container.ipcMode",
         "container.cgroupParent", "swarm.manage", "mount.rootSocket",
         "request.json"]
FIX = {r: "%s. Ask an admin to change dockward.%s, or drop the option" % (
    "the request uses what %s forbids" % r, r.split(".")[1]) for r in RULES}
ENDPOINTS = ["container.create", "container.start", "container.exec.create",
             "image.create", "build", "volume.create", "network.create",
             "plugin.pull", "container.list", "image.list", "system.info"]


def main():
    want = int(sys.argv[1])
    t = float(sys.argv[2]) if len(sys.argv) > 2 else time.time() - 86400
    rnd = random.Random(want)
    out = sys.stdout
    written = 0
    buf = []
    while written < want:
        t += rnd.random() * 0.01
        sec = int(t)
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + \
            ".%06dZ" % int((t - sec) * 1e6)
        x = rnd.random()
        ep = rnd.choice(ENDPOINTS)
        rec = {"time": ts, "source": "gatekeeper" if rnd.random() > 0.3 else "plugin",
               "user": None, "method": "POST", "uri": "/v1.43/%s" % ep.replace(".", "/"),
               "endpoint": ep}
        if x < 0.90:
            rec.update(decision="allow", rule="allow", field="", reason="")
        else:
            rule = RULES[int(rnd.paretovariate(1.2)) % len(RULES)]
            rec.update(decision="allow" if x < 0.96 else "deny", rule=rule,
                       field="HostConfig.Binds")
            if x < 0.96:
                rec["wouldDeny"] = True
            rec["reason"] = "dockward: %s denied (%s): bind source \"/srv/%d\" %s" % (
                ep.replace(".", " "), rule, rnd.randrange(50), FIX[rule])
        if rec["source"] == "gatekeeper":
            c = rnd.randrange(500)
            if c < 100:
                rec["caller"] = {"kind": "host", "pid": rnd.randrange(1, 1 << 22),
                                 "uid": 1000 + c, "gid": 1000 + c}
            else:
                rec["caller"] = {"kind": "container", "pid": rnd.randrange(1, 1 << 22),
                                 "uid": 0, "gid": 0, "container": "%064x" % c,
                                 "name": "/dev-%d" % c, "image": "registry.example/team/app-%d:1.%d" % (c % 200, c % 7),
                                 "creator": {"uid": 1000 + c % 80, "name": "user%d" % (c % 80)},
                                 "actsFor": [{"uid": 1000 + c % 80, "name": "user%d" % (c % 80), "entered": False}]}
        line = json.dumps(rec, separators=(",", ":")) + "\n"
        buf.append(line)
        written += len(line)
        if len(buf) >= 10000:
            out.write("".join(buf))
            buf = []
    out.write("".join(buf))


if __name__ == "__main__":
    main()
