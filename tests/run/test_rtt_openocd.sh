#!/bin/bash
# OpenOCD's RTT server, unmodified, through the libusb shim reads the virtual board's RTT:
# the board's time runs while OpenOCD idles in select() between its polls, so the firmware
# runs as on hardware. The flood firmware's 16 KiB through a blocking buffer arrive whole
# and in order; the ticker's log lines arrive and input from the client reaches it.
. "$(dirname "$0")/lib.sh"
command -v openocd >/dev/null || { echo "SKIP: openocd not installed"; exit 77; }
SHIM="$STPROG_BUILD/libstprog-usbsim.so"
need_fw flood16k_f407 ticker_f407
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# openocd_rtt STATE ELF PORT: OpenOCD with an RTT server on PORT (channel 0), in the
# background ($OCD_PID); its log in $TMP/openocd.log.
openocd_rtt() {
    local addr
    addr=$(fw_symbol "$2" _SEGGER_RTT)
    STPROG_SIM="sim:stm32f407vg,state=$1" LD_PRELOAD="$SHIM" timeout 120 openocd \
        -c "gdb_port disabled" -c "tcl_port disabled" -c "telnet_port disabled" \
        -f interface/stlink.cfg -f target/stm32f4x.cfg \
        -c "init" -c "rtt setup 0x$addr 32 \"SEGGER RTT\"" -c "rtt start" \
        -c "rtt server start $3 0" >"$TMP/openocd.log" 2>&1 &
    OCD_PID=$!
}
stop_openocd() { # SIGTERM: OpenOCD ignores SIGINT when stdin is not a terminal
    kill -TERM "$OCD_PID" 2>/dev/null || true
    wait "$OCD_PID" 2>/dev/null || true
}
trap 'stop_openocd; rm -rf "$TMP"' EXIT

run --probe "sim:stm32f407vg,state=$TMP/flood.state" write "$EX/flood16k_f407.elf"
expect_rc 0 "write flood"
port=$(free_port)
openocd_rtt "$TMP/flood.state" "$EX/flood16k_f407.elf" "$port"
python3 "$STPROG_SRC/tests/run/rtt_client.py" "$port" 16384 120 >"$TMP/out" || true
stop_openocd
python3 - "$TMP/out" <<'PY' || fail "OpenOCD's RTT server: flood lines lost, repeated or garbled ($(wc -c <"$TMP/out") bytes; log: $(tail -5 "$TMP/openocd.log"))"
import sys
lines = open(sys.argv[1], 'rb').read().decode().split('\n')[:-1]
assert len(lines) == 256, f'{len(lines)} lines'
for i, l in enumerate(lines):
    assert l == '%08d ' % i + ''.join(chr(97 + (i + j) % 26) for j in range(9, 63)), i
PY

run --probe "sim:stm32f407vg,state=$TMP/tick.state" write "$EX/ticker_f407.elf"
expect_rc 0 "write ticker"
port=$(free_port)
openocd_rtt "$TMP/tick.state" "$EX/ticker_f407.elf" "$port"
python3 "$STPROG_SRC/tests/run/rtt_client.py" "$port" 100000 3 "hello openocd
" >"$TMP/out" || true
stop_openocd
grep -q "^tick 10$" "$TMP/out" || fail "OpenOCD's RTT server: no ticks ($(head -c 300 "$TMP/out"))"
grep -q "^got: hello openocd$" "$TMP/out" || fail "OpenOCD's RTT server: input did not reach the firmware"
finish
