#!/bin/bash
# A virtual F407 at 2.0 V: programmed at a narrower width and verified; forcing x32 is
# refused with the datasheet's voltage table.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
BOARD="sim:stm32f407vg,vdd=2.0,state=$TMP/board.state"
EX="$STPROG_BUILD/examples"
run --probe "$BOARD" info --json
expect_rc 0 "info at 2.0 V"
expect_json '.target.psize_bits == 8 or .target.psize_bits == 16' "x8 or x16 at 2.0 V"
run --probe "$BOARD" write "$EX/blinky_f407.elf" --json
expect_rc 0 "write at 2.0 V"
expect_json '.verified' "verified at 2.0 V"
run --probe "$BOARD" write "$EX/blinky_f407.elf" --psize 32 --force --json
expect_rc 1 "forced x32 at 2.0 V"
expect_json '[.findings[] | select(.id == "flash.psize-voltage")] | length == 1' "psize finding"
expect_json '.findings[0].evidence.voltage_table | test("x32 from 2.70 V")' "voltage table"
run --probe "$BOARD" write "$EX/blinky_f407.elf" --psize 8 --force
expect_rc 0 "forced x8 at 2.0 V is fine"
run --probe "sim:stm32f407vg,vdd=3.3,state=$TMP/board.state" info --json
expect_json '.target.psize_bits == 32' "x32 at 3.3 V"
finish
