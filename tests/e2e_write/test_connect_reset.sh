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

# Under reset the SRAM loader still programs (vector catch keeps the firmware from running
# while it works): 128 KiB in well under the direct path's time (about 14 s over the model).
head -c 131072 /dev/urandom >"$TMP/big.bin"
STPROG_SIM_REPORT="$TMP/ur.json" run --probe "sim:stm32f407vg,firmware=swd-off,state=$STATE" \
    --connect under-reset write "$TMP/big.bin" --json
expect_rc 0 "128 KiB under reset"
expect_json '.verified == true' "128 KiB under reset verified"
secs=$(jq -r .virtual_seconds "$TMP/ur.json")
awk -v s="$secs" 'BEGIN { exit !(s < 4.0) }' || fail "under-reset write took $secs virtual s (loader not used?)"
[ "$(jq -r .core_instructions "$TMP/ur.json")" -gt 10000 ] || fail "the loader did not run under reset"
run --probe "sim:stm32f407vg,firmware=swd-off,state=$STATE" --connect under-reset verify "$TMP/big.bin"
expect_rc 0 "verify after the under-reset loader write"

# Firmware that starts the independent watchdog and never reloads it (reset-loop=300):
# connected under reset, the firmware never runs, so its watchdog never starts, and the
# loader's 128 KiB go through (tests/e2e_write/test_iwdg.sh: one started by the option bytes).
head -c 131072 /dev/urandom >"$TMP/big2.bin"
STPROG_SIM_REPORT="$TMP/wd.json" run --probe \
    "sim:stm32f407vg,firmware=swd-off,reset-loop=300,state=$STATE" \
    --connect under-reset write "$TMP/big2.bin" --json
expect_rc 0 "under reset, the firmware's watchdog never starts"
expect_json '.verified == true' "verified with the watchdog firmware held off"
[ "$(jq -r .iwdg_resets "$TMP/wd.json")" = 0 ] || fail "watchdog resets under reset"
run --probe "sim:stm32f407vg,firmware=swd-off,state=$STATE" --connect under-reset write "$TMP/big.bin"
expect_rc 0 "a rewrite after it"

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
