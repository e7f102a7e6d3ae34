#!/usr/bin/env python3
"""pty_run.py SECONDS CMD...: run CMD on a new pseudo-terminal, as a user's
shell would, and print what it wrote to the terminal, then "rc=N".

Why not script(1): when its own stdin ends (CI runs with </dev/null) it
types an end-of-file into the terminal at a moment that races with the
docker CLI switching the terminal to raw mode, so the CLI sees either a
closed stdin or a ^D byte depending on timing.  Here the terminal's input
simply stays open and silent, as with a person who types nothing.

On a timeout CMD's process group is killed and rc=124, like timeout(1).
"""
import os
import pty
import select
import signal
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: pty_run.py SECONDS CMD...\n")
        return 2
    limit = float(sys.argv[1])
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvp(sys.argv[2], sys.argv[2:])
        finally:
            os._exit(127)
    deadline = time.monotonic() + limit
    out = b""
    rc = None
    # Read until every holder of the terminal has closed it (EIO).
    while rc is None:
        left = deadline - time.monotonic()
        if left <= 0:
            os.killpg(pid, signal.SIGKILL)
            rc = 124
            break
        if not select.select([master], [], [], left)[0]:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    if rc is None:
        rc = os.waitstatus_to_exitcode(status)
    os.close(master)
    sys.stdout.write(out.decode("utf-8", "replace"))
    sys.stdout.write("\nrc=%d\n" % rc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
