#!/bin/bash
# What goes in and out of a run: stdin to the RTT down-buffer and to semihosting reads
# (--stdin), 128 KiB through a blocking RTT buffer with every line once and in order, RTT
# found by an SRAM scan (a .bin has no symbols) or at --rtt-address, a missing channel,
# Ctrl-C.
. "$(dirname "$0")/lib.sh"
need_fw echo_f407 echo_sh_f407 flood_f407 flood_g071 hello_f407 ticker_f407 rdimon_f407

# stdin -> RTT down-channel 0 -> the firmware echoes upper-cased, "exit 7" ends it.
run_in 'hello world\nsecond line\nexit 7\n' --probe sim:stm32f407vg run "$EX/echo_f407.elf"
expect_rc 7 "echo: exit status from stdin"
printf 'echo ready\nHELLO WORLD\nSECOND LINE\n' >"$TMP/expected"
expect_out_exact "$TMP/expected" "echo output"
run_in 'hello\nexit 1\n' --probe sim:stm32f407vg --json run "$EX/echo_f407.elf"
expect_json '.run.rtt.bytes_down == 13' "echo: bytes sent down"

# stdin -> SYS_READC; the end of input ends the firmware with its line count.
run_in 'abc\ndef\nxyz' --probe sim:stm32f407vg run "$EX/echo_sh_f407.elf"
expect_rc 2 "semihosting echo: two whole lines"
printf 'ABC\nDEF\n' >"$TMP/expected"
expect_out_exact "$TMP/expected" "semihosting echo output"
run_in 'abc\ndef\n' --probe sim:stm32f407vg run --stdin none "$EX/echo_sh_f407.elf"
expect_rc 0 "--stdin none: reads see the end at once"
run_in 'abc\n' --probe sim:stm32f407vg run --stdin semihosting "$EX/echo_sh_f407.elf"
expect_rc 1 "--stdin semihosting"
run_in 'abc\n' --probe sim:stm32f407vg run --stdin bogus "$EX/echo_sh_f407.elf"
expect_rc 2 "--stdin bogus"

# A program that knows only the C library: newlib's rdimon (printf, stderr, fgets, clock,
# exit(5) through SYS_EXIT_EXTENDED after reading ":semihosting-features").
run_in 'typed line\n' --probe sim:stm32f407vg run "$EX/rdimon_f407.elf"
expect_rc 5 "newlib exit(5)"
printf 'newlib printf through semihosting: 42\nread from stdin: typed line\nclock() works: yes\n' \
    >"$TMP/expected"
expect_out_exact "$TMP/expected" "newlib output"
expect_err "newlib stderr" "newlib stderr"
run_in '' --probe sim:stm32f407vg run "$EX/rdimon_f407.elf"
expect_rc 5 "newlib with no input"
expect_out "stdin: end of input" "newlib sees the end of input"

# 2048 numbered lines through a 1 KiB blocking buffer: each exactly once, in order.
check_flood() {
    python3 - "$TMP/out" <<'PY' || fail "$1: flood lines lost, repeated or garbled"
import sys
data = open(sys.argv[1], 'rb').read().decode()
lines = data.split('\n')
assert lines[-1] == '', 'no final newline'
lines = lines[:-1]
assert len(lines) == 2048, f'{len(lines)} lines'
for i, l in enumerate(lines):
    want = '%08d ' % i + ''.join(chr(97 + (i + j) % 26) for j in range(9, 63))
    assert l == want, f'line {i}: {l!r}'
PY
}
for b in f407:stm32f407vg g071:stm32g071rb; do
    run --probe "sim:${b#*:}" run "$EX/flood_${b%%:*}.elf"
    expect_rc 0 "flood ${b%%:*}"
    check_flood "flood ${b%%:*} (ELF symbol)"
done
# A .bin carries no symbol: the control block is found by scanning SRAM ...
run --probe sim:stm32f407vg -v run "$EX/flood_f407.bin"
expect_rc 0 "flood .bin"
check_flood "flood .bin (SRAM scan)"
addr=$(fw_symbol "$EX/flood_f407.elf" _SEGGER_RTT)
expect_err "RTT control block at 0x${addr^^}" "scan finds the block at _SEGGER_RTT"
# ... or is given.
run --probe sim:stm32f407vg run --rtt-address "0x$addr" "$EX/flood_f407.bin"
expect_rc 0 "flood .bin --rtt-address"
check_flood "flood .bin (--rtt-address)"
# A channel the block does not have: a warning, the run still ends with the firmware.
run --probe sim:stm32f407vg run --rtt-channel 1 "$EX/hello_f407.elf"
expect_rc 0 "--rtt-channel 1"
expect_err "has no up-channel 1" "missing channel warning"
expect_out "through semihosting" "semihosting output still there"
run --probe sim:stm32f407vg run --rtt-channel 99 "$EX/hello_f407.elf"
expect_rc 2 "--rtt-channel 99"
run --probe sim:stm32f407vg run --no-rtt --rtt-address 0x20000000 "$EX/hello_f407.elf"
expect_rc 2 "--no-rtt with --rtt-address"

# Ctrl-C ends the run with 128 + SIGINT; SIGTERM with 143.
for sig in INT:130 TERM:143; do
    set +e
    "$STPROG" --probe sim:stm32f407vg run "$EX/ticker_f407.elf" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    for _ in $(seq 100); do grep -q "tick 3" "$TMP/out" 2>/dev/null && break; sleep 0.05; done
    kill -"${sig%%:*}" $pid
    wait $pid
    RC=$?
    set -e
    ERR=$(cat "$TMP/err")
    expect_rc "${sig#*:}" "SIG${sig%%:*}"
    expect_err "stprog: stopped after" "SIG${sig%%:*} note"
    grep -q "tick 3" "$TMP/out" || fail "SIG${sig%%:*}: no output before the signal"
done
finish
