# The session of issue 7 with Debian's gdb-multiarch: load, reset halt, break main,
# continue, next, step, registers, memory, a global, a watchpoint, detach; then
# `stprog verify` on the same board state finds the image in flash.
# Usage (sourced by test_gdb_<part>.sh): gdb_session PART ELF
gdb_session() {
    local part=$1 elf=$STPROG_BUILD/examples/$2
    [ -f "$elf" ] || fail "example $elf not built"
    local state=$WORK/board.state
    start_server "sim:$part${GDB_PROBE:+,probe=$GDB_PROBE},state=$state"
    timeout 50 gdb-multiarch -batch -nx \
        -ex "set confirm off" \
        -ex "target extended-remote :$PORT" \
        -ex "load" \
        -ex "monitor reset halt" \
        -ex "break main" \
        -ex "continue" \
        -ex "next" \
        -ex "step" \
        -ex "info registers" \
        -ex "x/8xw 0x20000000" \
        -ex "print blink_delay" \
        -ex "print/x &blink_count" \
        -ex "watch blink_count" \
        -ex "continue" \
        -ex "print blink_count" \
        -ex "detach" \
        "$elf" > "$WORK/gdb.out" 2>&1
    local rc=$?
    [ $rc -eq 0 ] || { cat "$WORK/gdb.out" >&2; fail "gdb exited with $rc"; }
    local out=$WORK/gdb.out
    expect_in "$out" "^Loading section \.text, size 0x[0-9a-f]+ lma 0x80000" "load wrote .text"
    expect_in "$out" "^Start address 0x0800" "load finished"
    expect_in "$out" "reset, halted at the reset vector" "monitor reset halt answered"
    expect_in "$out" "^Breakpoint 1 at 0x80000" "break main in flash"
    expect_in "$out" "^Breakpoint 1, main \(\) at .*blinky\.c:" "continue stopped at main"
    expect_in "$out" "^pc +0x80000[0-9a-f]+ +0x80000[0-9a-f]+ <" "info registers shows pc in flash"
    expect_in "$out" "^sp +0x200" "info registers shows sp in SRAM"
    expect_in "$out" "^xpsr +0x" "info registers shows xpsr"
    expect_in "$out" "^0x20000000 <blink_delay>:[[:space:]]+0x00030d40" "x/8xw shows blink_delay in SRAM"
    expect_in "$out" '^\$1 = 200000$' "print blink_delay"
    expect_in "$out" "^Hardware watchpoint 2: blink_count" "watch set as hardware watchpoint"
    expect_in "$out" "^Old value = 0" "watchpoint triggered (old value)"
    expect_in "$out" "^New value = 1" "watchpoint triggered (new value)"
    expect_in "$out" '^\$3 = 1$' "blink_count after the watchpoint"
    expect_in "$out" "Remote target\) detached" "detach"
    # The stop at main, then `next` and `step` each print a new source line.
    local lines
    lines=$(sed -n '/^Breakpoint 1, main/,/^r0 /p' "$out" | grep -Ec '^[0-9]+[[:space:]]')
    [ "$lines" -ge 3 ] || fail "next/step did not move through the source ($lines lines)"
    wait_server_exit 10
    [ "$SRV_RC" -eq 0 ] || fail "gdbserver exit status $SRV_RC"
    "$STPROG" verify "$elf" --probe "sim:$part${GDB_PROBE:+,probe=$GDB_PROBE},state=$state" > "$WORK/verify.out" 2>&1 ||
        { cat "$WORK/verify.out" >&2; fail "stprog verify after the gdb session"; }
    expect_in "$WORK/verify.out" "verified: [0-9]+ bytes of .* match" "verify message"
    echo "ok: gdb session on $part"
}
