#!/bin/bash
# gdbserver with RTT and semihosting, driven by gdb-multiarch as cortex-debug drives
# OpenOCD: `monitor rtt setup/start/channels/server start PORT 0`, then `continue`. The
# semihosting text reaches the gdb console and the firmware's exit status ends the inferior;
# 16 KiB through a blocking RTT buffer reach the TCP client on the channel's port whole and
# in order, and what the client sends reaches the firmware's down-buffer. (The firmware used
# for RTT waits for the client's first byte: a client connects in real time, the firmware
# runs on virtual time.)
. "$STPROG_SRC/tests/gdb/gdb_lib.sh"
GDB=$(command -v gdb-multiarch || command -v arm-none-eabi-gdb || true)
[ -n "$GDB" ] || { echo "SKIP: no gdb-multiarch"; exit 77; }
EX="$STPROG_BUILD/examples"
CLIENT="$STPROG_SRC/tests/run/rtt_client.py"
for f in hello_f407 hello3_f407 echo_f407 floodbench16k_f407; do
    [ -f "$EX/$f.elf" ] || fail "example firmware $f.elf was not built"
done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# session ELF SEND: write ELF, serve it, run gdb with the RTT commands and a client on the
# channel-0 port sending SEND; gdb's output in $WORK/gdb.out, the client's in $WORK/rtt.out.
session() {
    local state="$WORK/$1.state" rport
    "$STPROG" --probe "sim:stm32f407vg,state=$state" write -q "$EX/$1.elf" >/dev/null 2>&1 ||
        fail "write $1"
    start_server "sim:stm32f407vg,state=$state"
    rport=$(free_port)
    python3 "$CLIENT" "$rport" 100000 60 "$2" FLOOD >"$WORK/rtt.out" &
    local cpid=$!
    timeout 120 "$GDB" -nx -batch -ex "set pagination off" \
        -ex "target extended-remote 127.0.0.1:$PORT" -ex "monitor reset halt" \
        -ex "monitor rtt setup 0x20000000 0x1000 \"SEGGER RTT\"" -ex "monitor rtt start" \
        -ex "monitor rtt server start $rport 0" -ex "continue" -ex "monitor rtt channels" \
        >"$WORK/gdb.out" 2>&1
    kill "$cpid" 2>/dev/null
    wait "$cpid" 2>/dev/null
    wait_server_exit 30
}

session hello_f407 ""
expect_in "$WORK/gdb.out" "hello from STM32F4DISCOVERY \(Cortex-M4\) through semihosting" \
    "semihosting text on the gdb console"
expect_in "$WORK/gdb.out" "this line goes to stderr" "semihosting stderr on the console"
expect_in "$WORK/gdb.out" "exited normally" "SYS_EXIT_EXTENDED 0 ends the inferior"
expect_in "$WORK/gdb.out" "Listening on port [0-9]+ for rtt connections" "server started"
expect_in "$WORK/gdb.out" "rtt: control block found at 0x2000" "block found while running"
expect_in "$WORK/gdb.out" "Channels: up=1, down=1" "monitor rtt channels"
expect_in "$WORK/gdb.out" "0: Terminal 1024 block" "channel list"

session floodbench16k_f407 g
python3 - "$WORK/rtt.out" <<'PY' || fail "RTT through the gdbserver: lines lost, repeated or garbled"
import sys
lines = open(sys.argv[1], 'rb').read().decode().split('\n')[:-1]
assert lines[-1].startswith('FLOOD bytes=16384 '), lines[-1:]
lines = lines[:-1]
assert len(lines) == 256, len(lines)
for i, l in enumerate(lines):
    assert l == '%08d ' % i + ''.join(chr(97 + (i + j) % 26) for j in range(9, 63)), i
PY
expect_in "$WORK/gdb.out" "exited normally" "floodbench exits"

session hello3_f407 ""
expect_in "$WORK/gdb.out" "exited with code 03" "the exit status reaches gdb"

session echo_f407 "hello gdb
exit 7
"
expect_in "$WORK/gdb.out" "exited with code 07" "input from the RTT client reached the firmware"
expect_in "$WORK/rtt.out" "HELLO GDB" "the echo came back on the TCP port"
echo "all checks passed"
