#!/usr/bin/env python3
"""Decision counters against the audit log, for t_70_observe.sh.

  prom_delta.py decisions BEFORE AFTER AUDIT_WINDOW
      every dockward_decisions_total delta (door, verdict, rule) must equal
      the count of audit records in AUDIT_WINDOW with that source, decision
      and rule, and each door's histogram _count delta its decisions delta;
      prints the table, exit 1 on any difference
"""
import json
import re
import sys
from collections import Counter

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def unescape(v):
    return re.sub(r'\\(.)', lambda m: '\n' if m.group(1) == 'n' else m.group(1), v)


def parse(path):
    out = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            m = LINE.match(line)
            if not m:
                raise SystemExit('not an exposition line: %r' % line)
            labels = {k: unescape(v) for k, v in LABEL.findall(m.group(3) or '')}
            out.append((m.group(1), labels, float(m.group(4))))
    return out


def decisions(before, after, window):
    def table(path):
        t = Counter()
        for n, labels, v in parse(path):
            if n == 'dockward_decisions_total':
                t[(labels['door'], labels['verdict'], labels['rule'])] += v
        return t

    def hist(path):
        return {labels['door']: v for n, labels, v in parse(path)
                if n == 'dockward_decision_duration_seconds_count'}

    b, a = table(before), table(after)
    delta = Counter({k: a[k] - b.get(k, 0) for k in a if a[k] - b.get(k, 0) != 0})
    audit = Counter()
    with open(window, encoding='utf-8') as f:
        for line in f:
            r = json.loads(line)
            audit[(r['source'], r['decision'], r['rule'])] += 1
    bad = 0
    for k in sorted(set(delta) | set(audit)):
        mark = 'ok' if delta[k] == audit[k] else 'DIFFERS'
        bad += mark != 'ok'
        print('%-10s %-5s %-32s metrics +%d audit %d %s' % (k + (int(delta[k]), audit[k], mark)))
    hb, ha = hist(before), hist(after)
    for door in sorted(ha):
        d = sum(v for k, v in delta.items() if k[0] == door)
        h = ha[door] - hb.get(door, 0)
        mark = 'ok' if h == d else 'DIFFERS'
        bad += mark != 'ok'
        print('%-10s histogram count +%d, decisions +%d %s' % (door, h, d, mark))
    if not audit:
        print('no audit records in the window')
        bad += 1
    return 1 if bad else 0


def main(argv):
    if len(argv) == 5 and argv[1] == 'decisions':
        return decisions(argv[2], argv[3], argv[4])
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
