#!/bin/bash
# End to end: the ST-Link firmware answers that the proven hosts know and a driver written
# against our own model alone would not (issue 14), switched on in the virtual board:
#   status-0d=N   one memory write in N is answered JTAG_WRITE_VERIF_ERROR (0x0D) although
#                 done (OpenOCD: "Write verify error, ignoring"; Black Magic Probe: success);
#   wait-fault=N  STLINK-V3: one access in N is answered WAIT, the next AP_FAULT, then OK
#                 (Black Magic Probe issue 1071, OpenOCD retries it).
# A write (SRAM loader and direct register path), a read-back and a verify must succeed on
# several families and seeds, and the answers must really have come (the model's trace).
set -e
. "$STPROG_SRC/tests/cli/lib.sh"
head -c 49152 /dev/urandom >"$TMP/fw.bin"

count() { # PATTERN: how many model trace lines of the last run match
    grep -c "$1" "$TMP/err" || true
}

traced_write() { # BOARD [--no-loader]: a write with the model's trace and the debug log
    set +e
    STPROG_SIM_TRACE=1 "$STPROG" -v -v --probe "$1" write ${2:-} "$TMP/fw.bin" \
        >"$TMP/out" 2>"$TMP/err"
    RC=$?
    set -e
    ERR=$(tail -5 "$TMP/err")
}

for part in stm32f103c8 stm32f407vg stm32l152re stm32g071rb; do
    for seed in 3 11; do
        for mode in "" --no-loader; do
            for probe in v2-1 v3; do
                rm -f "$TMP/b.state"
                BOARD="sim:$part,probe=$probe,status-0d=8,seed=$seed,state=$TMP/b.state"
                traced_write "$BOARD" $mode
                expect_rc 0 "write with status-0d ($part $probe seed $seed $mode)"
                n=$(count "status 0D")
                [ "$n" -ge 1 ] || fail "status-0d never answered 0x0D ($part $probe $mode)"
                run --probe "sim:$part,state=$TMP/b.state" verify "$TMP/fw.bin"
                expect_rc 0 "verify after status-0d ($part $probe seed $seed $mode)"
            done
            rm -f "$TMP/b.state"
            BOARD="sim:$part,probe=v3,wait-fault=30,seed=$seed,state=$TMP/b.state"
            traced_write "$BOARD" $mode
            expect_rc 0 "write with wait-fault ($part seed $seed $mode)"
            n=$(count "answered SWD_AP_FAULT after a WAIT, retrying once")
            [ "$n" -ge 1 ] || fail "no AP_FAULT after WAIT was retried ($part seed $seed $mode)"
            run --probe "$BOARD" read 0x08000000 48K -o "$TMP/back.bin"
            expect_rc 0 "read with wait-fault ($part seed $seed $mode)"
            cmp -s "$TMP/fw.bin" "$TMP/back.bin" || fail "read-back differs ($part $seed $mode)"
        done
    done
done
finish
