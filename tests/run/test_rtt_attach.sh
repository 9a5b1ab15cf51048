#!/bin/bash
# `stprog rtt` attaches to firmware that already runs (written before, power-cycled into a
# new process): no reset (the tick count goes on from where the program is), the control
# block from --elf or an SRAM scan, stdin to the down-buffer, --timeout ends it with 0.
. "$(dirname "$0")/lib.sh"
need_fw ticker_f407 ticker_g071
for b in f407:stm32f407vg g071:stm32g071rb; do
    tag=${b%%:*}
    state="sim:${b#*:},state=$TMP/$tag.state"
    run --probe "$state" write "$EX/ticker_$tag.elf"
    expect_rc 0 "$tag: write"
    run_in '' --probe "$state" rtt --elf "$EX/ticker_$tag.elf" --timeout 0.2
    expect_rc 0 "$tag: rtt --elf --timeout"
    expect_out "tick 0" "$tag: ticks"
    expect_err "detached after" "$tag: detached note"
    # No halt, no reset: the program was not stopped (DHCSR shows no C_HALT ever taken:
    # the ticks keep coming in order without a restart at 0).
    python3 - "$TMP/out" <<'PY' || fail "$tag: ticks not consecutive"
import sys
ticks = [int(l.split()[1]) for l in open(sys.argv[1]) if l.startswith('tick ')]
assert len(ticks) > 5 and ticks == list(range(ticks[0], ticks[0] + len(ticks))), ticks[:20]
PY
    run_in '' --probe "$state" -v rtt --timeout 1.5
    expect_rc 0 "$tag: rtt with a scan"
    expect_out "tick " "$tag: ticks found by the scan"
    addr=$(fw_symbol "$EX/ticker_$tag.elf" _SEGGER_RTT)
    expect_err "RTT control block at 0x${addr^^}" "$tag: scan found _SEGGER_RTT"
done
# stdin reaches the firmware through the down-buffer.
run_in 'hello there\n' --probe "sim:stm32f407vg,state=$TMP/f407.state" rtt \
    --elf "$EX/ticker_f407.elf" --timeout 0.3
expect_rc 0 "rtt with input"
expect_out "got: hello there" "the firmware read stdin"
# Usage errors.
run --probe "sim:stm32f407vg,state=$TMP/f407.state" rtt --elf "$TMP/missing.elf"
expect_rc 2 "rtt --elf missing"
run --probe "sim:stm32f407vg,state=$TMP/f407.state" rtt --no-rtt --no-semihosting
expect_rc 2 "rtt with nothing to do"
finish
