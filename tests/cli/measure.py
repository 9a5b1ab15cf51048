#!/usr/bin/env python3
"""measure.py OUT ERR CMD...: runs CMD (stdin inherited, stdout to OUT, stderr to ERR) and
prints "<exit code> <wall seconds> <max RSS in KiB>" of it (the RSS is the child's peak,
from getrusage). A command still running after 60 s is killed (exit code -9)."""
import resource
import subprocess
import sys
import time

out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
t0 = time.monotonic()
with open(out, "wb") as o, open(err, "wb") as e:
    p = subprocess.Popen(cmd, stdout=o, stderr=e)
    try:
        rc = p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
took = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("%d %.2f %d" % (rc, took, rss))
