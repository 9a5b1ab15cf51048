#!/bin/bash
# doctor over the ROM bootloader (uart:) says it needs SWD instead of guessing; a failing
# command over uart: gets no SWD evidence gathering (no invented link or power finding).
set -e
. "$(dirname "$0")/lib.sh"
SERVE_PID=
stop_serve() {
    if [ -n "$SERVE_PID" ]; then
        kill "$SERVE_PID" 2>/dev/null || true
        wait "$SERVE_PID" 2>/dev/null || true
        SERVE_PID=
    fi
}
trap 'stop_serve; rm -rf "$TMP"' EXIT

timeout --foreground 50 "$STPROG" sim-serve sim:stm32f407vg,boot0=1,wrp=0x1 --link "$TMP/tty" \
    >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVE_PID=$!
for _ in $(seq 400); do # 20 s: a loaded machine, a sanitizer build
    [ -s "$TMP/serve.out" ] && [ -e "$TMP/tty" ] && break
    sleep 0.05
done
[ -e "$TMP/tty" ] || { fail "sim-serve did not start: $(cat "$TMP/serve.err")"; finish; }

run --probe "uart:$TMP/tty" doctor --json
expect_rc_not 0
has probe.unsupported
only "probe.unsupported"
[ "$(jqo .blocked_at)" = probe ] || fail "$WHAT: blocked at $(jqo .blocked_at)"

head -c 4096 /dev/urandom >"$TMP/fw.bin"
run --probe "uart:$TMP/tty" write "$TMP/fw.bin" --json
expect_rc 4
lacks power.brownout-reset
lacks link.no-target
stop_serve
finish
