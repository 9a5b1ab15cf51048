#!/usr/bin/env python3
"""A tiny GDB remote protocol client for the tests: plain sockets, every wait bounded.

Usage: rsp_client.py PORT SCENARIO   (scenarios below; exit 0 = every check passed)
"""
import os
import socket
import sys
import time


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)
    print("ok:", what)


def frame(payload: bytes) -> bytes:
    return b"$" + payload + b"#%02x" % (sum(payload) & 0xFF)


class Client:
    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.noack = False

    def raw(self, data: bytes):
        self.sock.sendall(data)

    def byte(self, deadline):
        while not self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Fail("no answer in time")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        c, self.buf = self.buf[:1], self.buf[1:]
        return c

    def ack(self, timeout=5.0):
        """The next byte ('+', '-', or None when the server closed)."""
        return self.byte(time.monotonic() + timeout)

    def packet(self, timeout=10.0):
        """Next packet's payload (acked unless no-ack), or None when closed."""
        deadline = time.monotonic() + timeout
        while True:
            c = self.byte(deadline)
            if c is None:
                return None
            if c == b"$":
                break
        data = b""
        while True:
            c = self.byte(deadline)
            if c is None:
                return None
            if c == b"#":
                break
            data += c
        cs = self.byte(deadline) + self.byte(deadline)
        if int(cs, 16) != sum(data) & 0xFF:
            raise Fail("bad checksum from the server")
        if not self.noack:
            self.raw(b"+")
        return data

    def request(self, payload: bytes, timeout=10.0):
        self.raw(frame(payload))
        if not self.noack:
            check(self.ack() == b"+", "server acked %r" % payload[:24])
        return self.packet(timeout)

    def reply(self, payload: bytes, timeout=10.0):
        """Reply to a request, with O console packets collected in self.console."""
        self.console = b""
        r = self.request(payload, timeout)
        while r is not None and r.startswith(b"O") and r != b"OK":
            self.console += bytes.fromhex(r[1:].decode())
            r = self.packet(timeout)
        return r

    def closed(self, timeout=5.0):
        try:
            deadline = time.monotonic() + timeout
            while True:
                if self.byte(deadline) is None:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except Fail:
            return False

    def close(self):
        self.sock.close()


def xfer(c, obj):
    doc, off = b"", 0
    while True:
        r = c.request(b"qXfer:%s:read:%s:%x,200" % (obj[0], obj[1], off))
        check(r is not None and r[:1] in (b"m", b"l"), "qXfer %s chunk" % obj[0].decode())
        doc += r[1:]
        off += len(r) - 1
        if r[:1] == b"l":
            return doc.decode()


def hostile(port, part):
    c = Client(port)
    c.raw(b"hello, this is not a gdb packet\x00\xff\xfe")
    c.raw(b"$qSupported#00")
    check(c.ack() == b"-", "bad checksum answered with '-'")
    r = c.request(b"qSupported:multiprocess+;swbreak+")
    for feat in (b"PacketSize=4000", b"qXfer:features:read+", b"qXfer:memory-map:read+",
                 b"QStartNoAckMode+", b"vContSupported+"):
        check(feat in r, "qSupported offers %s" % feat.decode())
    mm = xfer(c, (b"memory-map", b""))
    if part == "stm32f407vg":
        check('<memory type="flash" start="0x8000000" length="0x10000"><property '
              'name="blocksize">0x4000</property>' in mm, "memory map: 4 x 16 KiB sectors")
        check('start="0x8010000" length="0x10000"><property name="blocksize">0x10000' in mm,
              "memory map: the 64 KiB sector")
        check('start="0x8020000" length="0xe0000"><property name="blocksize">0x20000' in mm,
              "memory map: 7 x 128 KiB sectors")
    check('<memory type="ram" start="0x8100000"' in mm or part != "stm32f407vg",
          "memory map: RAM after the flash")
    td = xfer(c, (b"features", b"target.xml"))
    check("org.gnu.gdb.arm.m-profile" in td, "target description: m-profile")
    check(("org.gnu.gdb.arm.vfp" in td) == (part != "stm32f103c8"),
          "target description: FPU registers exactly on M4F/M7")
    check(c.request(b"m20000000") == b"E01", "m without a length: E01")
    check(c.request(b"mzz,4") == b"E01", "m with a bad address: E01")
    check(c.request(b"m123456789,4") == b"E01", "m with an address beyond 32 bits: E01")
    check(c.request(b"Z9,8000000,2") == b"E01", "Z of an unknown type: E01")
    check(c.request(b"X20001000,4:ab") == b"E01", "X with too little data: E01")
    check(c.request(b"p999") == b"E01", "p of a register that does not exist: E01")
    check(c.request(b"qXfer:features:read:nosuch.xml:0,100") == b"E00", "unknown annex: E00")
    check(c.request(b"vMustReplyEmpty") == b"", "unknown packet: empty reply")
    check(c.request(b"M20001000,4:deadbeef") == b"OK", "M to SRAM")
    check(c.request(b"m20001000,4") == b"deadbeef", "m reads back what M wrote")
    check(c.request(b"X20001004,2:}]}\x03") == b"OK", "X with escaped bytes")
    check(c.request(b"m20001004,2") == b"7d23", "X unescaped '}' and '#'")
    check(c.request(b"M8000000,4:00000000") == b"E01", "M into flash refused (vFlash only)")
    # A second client while this one is served is refused with a message.
    # One that says nothing gets the reply unasked (after a few seconds).
    b2 = Client(port)
    r = b2.packet(12)
    check(r is not None and b"busy" in r and b"one client at a time" in r,
          "second client refused: %r" % r)
    check(b2.closed(), "second client's connection closed")
    b2.close()
    # Like gdb on a loaded machine: connects, is slow to make its first request, and
    # drops whatever arrived before it (gdb flushes its input after connecting). The
    # refusal must answer that request, not arrive before it.
    b3 = Client(port)
    time.sleep(1.5)
    b3.sock.setblocking(False)
    try:
        early = b3.sock.recv(256)
    except BlockingIOError:
        early = None
    b3.sock.setblocking(True)
    check(early is None, "refusal waited for the request, not sent before it: %r" % early)
    b3.raw(b"+")
    time.sleep(0.5)
    b3.raw(frame(b"qSupported:multiprocess+;swbreak+;hwbreak+"))
    check(b3.ack() == b"+", "refused client's request acked")
    r = b3.packet(10)
    check(r is not None and r.startswith(b"E.") and b"busy" in r,
          "slow second client gets the refusal as the reply: %r" % r)
    check(b3.closed(), "slow second client's connection closed")
    b3.close()
    check(c.request(b"?")[:3] == b"T05", "first client still served after the refusal")
    # Bytes that never form a packet end in a closed connection too.
    g = Client(port)
    g.raw(frame(b"?"))
    check(g.ack() == b"+" and g.packet(10) is not None,
          "refused (at once when it asks) while the first client is connected")
    g.close()
    # An oversized packet closes the connection.
    c.raw(b"$" + b"A" * 20000)
    check(c.closed(), "oversized packet: connection closed")
    c.close()


def serve_next(port, part):
    g = Client(port)
    try:
        g.raw(b"\x7fnot gdb at all\n" * 5000)
    except OSError:
        pass
    check(g.closed(), "a client sending 80 KB of non-packets is dropped")
    g.close()
    c = Client(port)
    r = c.request(b"qSupported")
    check(r is not None and b"PacketSize" in r, "next client served after the hostile one")
    check(c.request(b"QStartNoAckMode") == b"OK", "QStartNoAckMode")
    c.noack = True
    check(c.request(b"?")[:3] == b"T05", "no-ack mode: stop reply without acks")
    r = c.reply(b"qRcmd," + b"info".hex().encode())
    check(r == b"OK" and b"flash:" in c.console and b"STM32" in c.console,
          "monitor info: %r" % c.console[:60])
    r = c.reply(b"qRcmd," + b"frobnicate".hex().encode())
    check(r == b"E01" and b"unknown monitor command" in c.console, "unknown monitor command")
    r = c.reply(b"qRcmd," + b"reset halt".hex().encode())
    check(r == b"OK" and b"halted at the reset vector" in c.console, "monitor reset halt")
    # Run, then Ctrl-C: a stop reply with SIGINT.
    c.raw(frame(b"vCont;c"))
    time.sleep(0.3)
    c.raw(b"\x03")
    r = c.packet(10)
    check(r is not None and r[:3] == b"T02", "Ctrl-C stops the running core: %r" % r)
    check(c.request(b"vCont;s:1")[:3] == b"T05", "vCont step")
    # Software breakpoint in SRAM: BKPT written, original restored on removal.
    check(c.request(b"M20001000,4:00bf00bf") == b"OK", "NOPs in SRAM")
    check(c.request(b"Z0,20001002,2") == b"OK", "Z0 in SRAM")
    check(c.request(b"m20001002,2") == b"00be", "BKPT in SRAM")
    check(c.request(b"Pf=00100020") == b"OK", "PC into SRAM")
    r = c.request(b"vCont;c")
    check(r is not None and r[:3] == b"T05", "the core stops at the BKPT in SRAM: %r" % r)
    check(c.request(b"pf") == b"02100020", "PC at the software breakpoint")
    check(c.request(b"z0,20001002,2") == b"OK", "z0 in SRAM")
    check(c.request(b"m20001002,2") == b"00bf", "original instruction restored")
    before = c.request(b"m8000100,2")
    check(c.request(b"Z0,8000100,2") == b"OK", "Z0 in flash (taken by the FPB)")
    check(c.request(b"m8000100,2") == before, "flash unchanged by a Z0 there")
    check(c.request(b"z0,8000100,2") == b"OK", "z0 in flash")
    r = c.reply(b"qRcmd," + b"doctor".hex().encode())
    check(r == b"OK" and b"target voltage: 3.3" in c.console and b"no problem found" in c.console,
          "monitor doctor on a healthy board: %r" % c.console)
    check(c.request(b"Z1,8000100,2") == b"OK", "Z1 hardware breakpoint")
    check(c.request(b"z1,8000100,2") == b"OK", "z1")
    check(c.request(b"Z2,20000000,4") == b"OK", "Z2 write watchpoint")
    check(c.request(b"Z2,20000001,4") == b"E01", "unaligned watchpoint refused")
    check(c.request(b"z2,20000000,4") == b"OK", "z2")
    # The example reads blink_delay (0x20000000) and increments blink_count (0x20000004).
    r = c.reply(b"qRcmd," + b"reset halt".hex().encode())
    check(c.request(b"Z3,20000000,4") == b"OK", "Z3 read watchpoint on blink_delay")
    r = c.request(b"vCont;c", 20)
    check(r == b"T05rwatch:20000000;", "read watchpoint hit: %r" % r)
    check(c.request(b"z3,20000000,4") == b"OK", "z3")
    check(c.request(b"Z4,20000004,4") == b"OK", "Z4 access watchpoint on blink_count")
    r = c.request(b"vCont;c", 20)
    check(r == b"T05awatch:20000004;", "access watchpoint hit: %r" % r)
    check(c.request(b"z4,20000004,4") == b"OK", "z4")
    c.raw(frame(b"D"))
    check(c.packet() == b"OK", "detach")
    c.close()


def run_until(c, what):
    """vCont;c, then the console text and the stop reply (bounded)."""
    c.console = b""
    c.raw(frame(b"vCont;c"))
    while True:
        r = c.packet(20)
        if r is None or not r.startswith(b"O") or r == b"OK":
            return r
        c.console += bytes.fromhex(r[1:].decode())


def target_resets(port, part):
    c = Client(port)
    check(c.request(b"?")[:1] == b"T", "attached")
    r = run_until(c, "reset")
    check(r is not None and r[:3] == b"T05", "stop reply when the target resets: %r" % r)
    check(b"gdb.target-reset" in c.console, "console names the finding: %r" % c.console)
    c.close()


def target_lost(port, part):
    c = Client(port)
    check(c.request(b"?")[:1] == b"T", "attached")
    check(c.reply(b"qRcmd," + b"reset halt".hex().encode()) == b"OK", "monitor reset halt")
    r = run_until(c, "lost")
    check(r is not None and r[:3] == b"T1d", "stop reply SIGLOST when the target is lost: %r" % r)
    check(b"stopped answering" in c.console, "console explains: %r" % c.console)
    c.close()


def doctor_finds(port, finding):
    c = Client(port)
    r = c.reply(b"qRcmd," + b"doctor".hex().encode())
    check(r == b"OK" and finding.encode() in c.console,
          "monitor doctor names %s: %r" % (finding, c.console))
    c.close()


FLASH_END = {"stm32f407vg": 0x08100000, "stm32f103c8": 0x08010000}


def timed(c, payload, what, limit=2.0):
    """The reply to payload, which must come within limit seconds."""
    t0 = time.monotonic()
    r = c.request(payload, timeout=limit + 8)
    took = time.monotonic() - t0
    check(r is not None and took < limit, "%s answered in %.2f s: %r" % (what, took, r[:40]))
    return r


def arithmetic(port, part):
    """Sizes and addresses at the ends of the 32-bit range: every request is answered at
    once, and the server still works afterwards."""
    c = Client(port)
    check(c.request(b"?")[:1] == b"T", "session started")
    for z in (b"2", b"3", b"4"):
        for ln in (b"ffffffff", b"80000001", b"80000000", b"fffffffe", b"0", b"3", b"10000"):
            r = timed(c, b"Z%s,20000000,%s" % (z, ln), "Z%s length 0x%s" % (z.decode(), ln.decode()))
            check(r == b"E01", "Z%s length 0x%s refused" % (z.decode(), ln.decode()))
        for addr, ln in ((b"ffffffff", b"1"), (b"fffffff0", b"10"), (b"20000000", b"8000")):
            check(timed(c, b"Z%s,%s,%s" % (z, addr, ln), "Z%s at %s" % (z.decode(), addr.decode()))
                  == b"OK", "Z%s,%s,%s inserted" % (z.decode(), addr.decode(), ln.decode()))
            check(timed(c, b"z%s,%s,%s" % (z, addr, ln), "z%s" % z.decode()) == b"OK",
                  "z%s,%s,%s removed" % (z.decode(), addr.decode(), ln.decode()))
        check(timed(c, b"z%s,20000000,ffffffff" % z, "z of nothing") == b"E01",
              "z%s of a watchpoint never inserted: E01" % z.decode())
    for pkt in (b"Z1,ffffffff,2", b"Z0,fffffffe,2", b"z0,fffffffe,2", b"Z1,fffffffe,4"):
        r = timed(c, pkt, pkt.decode())
        check(r in (b"OK", b"E01"), "%s: OK or E01" % pkt.decode())
    r = timed(c, b"m0,ffffffff", "m of 4 GiB")
    check(r is not None and (r == b"E01" or (len(r) % 2 == 0 and len(r) <= 0x4000)),
          "m of 4 GiB: one packet at most")
    check(timed(c, b"mfffffff0,100", "m across 4 GiB")[:1] in (b"E", b"0", b"f"),
          "m across the end of the address space answered")
    check(timed(c, b"Mffffffff,2:0102", "M across 4 GiB") == b"E01", "M across 4 GiB: E01")
    check(timed(c, b"Xffffffff,2:ab", "X length mismatch") == b"E01", "X with 1 byte of 2: E01")
    end = FLASH_END[part]
    check(timed(c, b"vFlashWrite:%x:\x01\x02" % (end - 1), "vFlashWrite over the end") == b"E01",
          "vFlashWrite past the end of flash: E01")
    check(timed(c, b"vFlashWrite:ffffffff:\x01\x02", "vFlashWrite at 4 GiB") == b"E01",
          "vFlashWrite across 4 GiB: E01")
    check(timed(c, b"vFlashErase:ffffffff,ffffffff", "vFlashErase 4 GiB") == b"E01",
          "vFlashErase across 4 GiB: E01")
    check(timed(c, b"vFlashDone", "vFlashDone with nothing") == b"OK", "vFlashDone with nothing")
    check(timed(c, b"qXfer:memory-map:read::ffffffff,ffffffff", "qXfer past the end") == b"l",
          "qXfer offset past the end: l")
    r = timed(c, b"qXfer:features:read:target.xml:0,ffffffff", "qXfer of 4 GiB")
    check(r[:1] in (b"m", b"l") and len(r) <= 0x4000, "qXfer of 4 GiB: one packet at most")
    check(c.request(b"?")[:1] == b"T", "still answering")
    check(len(c.request(b"m20000000,4")) == 8, "memory still readable")
    c.close()


def hang_z2(port, part):
    """Send the watchpoint that used to loop forever; do not wait for the answer."""
    c = Client(port)
    check(c.request(b"?")[:1] == b"T", "session started")
    c.raw(frame(b"Z2,20000000,ffffffff"))
    print("sent", flush=True)
    time.sleep(30)


def busy_load(port, part):
    """Load the whole flash through vFlashErase/vFlashWrite/vFlashDone; say 'sent' when the
    vFlashDone (seconds of programming) is on its way, then wait."""
    c = Client(port)
    check(c.request(b"QStartNoAckMode") == b"OK", "no-ack")
    c.noack = True
    base, end = 0x08000000, FLASH_END[part]
    check(c.request(b"vFlashErase:%x,%x" % (base, end - base)) == b"OK", "vFlashErase")
    data = bytes((i * 7 + 3) & 0xFF for i in range(0x2000))
    for addr in range(base, end, len(data)):
        esc = data.replace(b"}", b"}\x5d").replace(b"#", b"}\x03").replace(b"$", b"}\x04")
        esc = esc.replace(b"*", b"}\x0a")
        if c.request(b"vFlashWrite:%x:" % addr + esc) != b"OK":
            raise Fail("vFlashWrite at 0x%x refused" % addr)
    c.raw(frame(b"vFlashDone"))
    print("sent", flush=True)
    time.sleep(30)


def hold(port, release_file):
    """Be the connected client until release_file exists (at most 60 s)."""
    c = Client(port)
    check(c.request(b"?")[:1] == b"T", "holding the connection")
    deadline = time.monotonic() + 60
    while not os.path.exists(release_file) and time.monotonic() < deadline:
        time.sleep(0.05)
    c.close()


if __name__ == "__main__":
    try:
        globals()[sys.argv[2]](int(sys.argv[1]), sys.argv[3])
    except (Fail, OSError) as e:
        print("FAIL:", e)
        sys.exit(1)
