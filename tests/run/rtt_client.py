#!/usr/bin/env python3
"""A TCP client for an RTT server (OpenOCD's `rtt server`, stprog gdbserver's `monitor rtt`):
connects (retrying until the server listens), optionally sends SEND, reads until WANT bytes
arrived, a line starting with UNTIL came, or SECONDS (wall time) passed; writes what it got
to stdout.   usage: rtt_client.py PORT WANT SECONDS [SEND [UNTIL]]"""
import socket
import sys
import time

port, want, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
send = sys.argv[4].encode() if len(sys.argv) > 4 else b""
until = sys.argv[5].encode() if len(sys.argv) > 5 else None
end = time.time() + seconds
s = None
while s is None:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1)
    except OSError:
        if time.time() > end:
            sys.exit("no RTT server on port %d" % port)
        time.sleep(0.05)
if send:
    s.sendall(send)
s.settimeout(0.2)
data = b""
while len(data) < want and time.time() < end:
    try:
        d = s.recv(65536)
        if not d:
            break
        data += d
        if until is not None and (data.startswith(until) or b"\n" + until in data) and \
                data.endswith(b"\n"):
            break
    except socket.timeout:
        pass
    except ConnectionResetError:
        break
sys.stdout.buffer.write(data)
