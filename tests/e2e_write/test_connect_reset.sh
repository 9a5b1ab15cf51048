#!/bin/bash
# Connect modes and resets on a virtual F407: firmware that turns the SWD pins off is only
# reachable with --connect under-reset; reset runs or halts; a NRST pin that is not wired
# is diagnosed and a software reset used instead.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
EX="$STPROG_BUILD/examples"
STATE="$TMP/board.state"
run --probe "sim:stm32f407vg,state=$STATE" write "$EX/blinky_f407.elf"
expect_rc 0 "write the firmware"

run --probe "sim:stm32f407vg,firmware=swd-off,state=$STATE" info --json
[ "$RC" -ne 0 ] || fail "a chip whose firmware disables SWD answered a normal connect"
run --probe "sim:stm32f407vg,firmware=swd-off,state=$STATE" --connect under-reset info --json
expect_rc 0 "connect under reset"
expect_json '.target.dev_id == 1043' "identified under reset"
run --probe "sim:stm32f407vg,firmware=swd-off,state=$STATE" --connect under-reset \
    write "$EX/blinky_f407.bin" --force
expect_rc 0 "program under reset"

run --probe "sim:stm32f407vg,state=$STATE" reset --json
expect_rc 0 "reset"
expect_json '.mode == "hw" and .halted == false' "hardware reset, running"
run --probe "sim:stm32f407vg,state=$STATE" --reset sw reset --halt --json
expect_rc 0 "reset --halt"
expect_json '.mode == "sw" and .halted == true' "software reset, halted"
run --probe "sim:stm32f407vg,nrst=unconnected,state=$STATE" reset --json
expect_rc 0 "reset with NRST not wired"
expect_json '[.findings[] | select(.id == "reset.nrst-no-effect")] | length == 1' \
    "NRST not wired is reported"
finish
