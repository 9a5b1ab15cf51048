#!/bin/bash
# Issue 13 defect 6: what stprog says must not contradict itself or the board, on every
# family. A core without supply (supply=dead-core): the power cause names the failure
# (status "power", not "timeout"), and no finding then advises a connect mode or a probe
# setting (that contradicts "probe settings will not fix this"), with or without
# --connect under-reset. NRST not wired (nrst=unconnected): `reset` says the software reset
# it did, not "reset (hw)"; --connect under-reset warns that the chip was not held in
# reset (connect.nrst-no-effect) and still stops the core at the reset vector; a wired NRST
# gets no such warning.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"

for part in stm32f103c8 stm32f407vg stm32l152re stm32l476rg stm32g071rb stm32g431rb; do
    for connect in normal under-reset; do
        run --probe "sim:$part,supply=dead-core" --connect "$connect" info --json
        expect_rc 1 "$part $connect: dead core"
        expect_json '.status == "power"' "$part $connect: the power cause names the failure"
        expect_json '[.findings[] | select(.id == "power.core-unpowered")] | length == 1' \
            "$part $connect: the cause is found"
        expect_json '[.findings[] | select(.advice | test("try --connect|--freq|lower clock"))] | length == 0' \
            "$part $connect: no advice about probe settings next to a power cause"
        run --probe "sim:$part,supply=dead-core" --connect "$connect" info
        expect_err "info failed: target power problem" "$part $connect: summary line"
        grep -q "timed out" "$TMP/err" && fail "$part $connect: summary says timed out: $ERR"
    done

    run --probe "sim:$part,nrst=unconnected" reset --json
    expect_rc 0 "$part: reset with NRST not wired"
    expect_json '.mode == "sw" and .requested_mode == "hw"' "$part: the reset done is named"
    run --probe "sim:$part,nrst=unconnected" reset
    expect_out "reset (sw): NRST had no effect" "$part: reset text"
    grep -q "reset (hw)" "$TMP/out" && fail "$part: claims a hardware reset: $OUT"
    run --probe "sim:$part" reset --json
    expect_json '.mode == "hw" and (.findings | length == 0)' "$part: wired NRST: hardware reset"

    run --probe "sim:$part,nrst=unconnected" --connect under-reset info --json
    expect_rc 0 "$part: under reset without NRST still connects"
    expect_json '[.findings[] | select(.id == "connect.nrst-no-effect")] | length == 1' \
        "$part: under reset without NRST is said"
    run --probe "sim:$part" --connect under-reset info --json
    expect_json '[.findings[] | select(.id == "connect.nrst-no-effect")] | length == 0' \
        "$part: no false alarm with NRST wired"
done

# Firmware that turns SWD off at start, NRST not wired: --connect under-reset cannot work,
# and the advice says to check NRST instead of claiming "not even under reset".
for part in stm32f407vg stm32l476rg stm32g071rb; do
    run --probe "sim:$part,nrst=unconnected,firmware=swd-off" --connect under-reset info --json
    expect_rc 3 "$part: swd-off firmware, NRST not wired"
    expect_json '[.findings[] | select(.id == "protect.rdp2") | select(.advice | test("NRST"))] | length == 1' \
        "$part: the advice names NRST"
done
finish
