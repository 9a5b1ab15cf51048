#!/bin/bash
# F1 mass erase: a write that erases every page of an STM32F103C8 uses one mass erase (20 ms
# typical against 64 pages x 20 ms, DS5319) instead of page erases; a write that leaves
# pages alone erases page by page. Counted by the virtual board (STPROG_SIM_REPORT), and the
# flash holds the image either way.
set -e
. "$STPROG_SRC/tests/cli/lib.sh"

head -c 65536 /dev/urandom >"$TMP/old.bin"
head -c 65536 /dev/urandom >"$TMP/new.bin"
head -c 32768 /dev/urandom >"$TMP/half.bin"
board="sim:stm32f103c8,state=$TMP/board.img"
report() { jq -r ".$1" "$TMP/report.json"; }

run --probe "$board" write "$TMP/old.bin" --no-verify
expect_rc 0 "prefill"

# Every page differs: one mass erase, no page erase.
STPROG_SIM_REPORT="$TMP/report.json" run --probe "$board" write "$TMP/new.bin" --json
expect_rc 0 "whole-flash write"
expect_json '.status == "ok" and .verified == true' "whole-flash write verified"
expect_json '.plan.erase_count == 64' "the plan erases all 64 pages"
[ "$(report mass_erases)" = 1 ] || fail "whole flash: mass_erases $(report mass_erases), expected 1"
[ "$(report flash_erases)" = 0 ] || fail "whole flash: flash_erases $(report flash_erases), expected 0"
run --probe "$board" read 0x08000000 65536 -o "$TMP/back.bin"
cmp -s "$TMP/new.bin" "$TMP/back.bin" || fail "flash does not hold the whole-flash image"

# Half the flash: page erases only, the other half kept.
STPROG_SIM_REPORT="$TMP/report.json" run --probe "$board" write "$TMP/half.bin" --json
expect_rc 0 "half-flash write"
expect_json '.status == "ok" and .verified == true' "half-flash write verified"
[ "$(report mass_erases)" = 0 ] || fail "half flash: mass_erases $(report mass_erases), expected 0"
[ "$(report flash_erases)" = 32 ] || fail "half flash: flash_erases $(report flash_erases), expected 32"
run --probe "$board" read 0x08000000 65536 -o "$TMP/back.bin"
cmp -s <(cat "$TMP/half.bin"; tail -c 32768 "$TMP/new.bin") "$TMP/back.bin" ||
    fail "half-flash write did not keep the other half"

# The same through the direct path (--no-loader): the mass erase is the engine's choice.
STPROG_SIM_REPORT="$TMP/report.json" run --probe "$board" write "$TMP/old.bin" --no-loader --json
expect_rc 0 "whole-flash write without the loader"
[ "$(report mass_erases)" = 1 ] || fail "--no-loader: mass_erases $(report mass_erases), expected 1"
[ "$(report core_instructions)" = 0 ] || fail "--no-loader ran code on the core"
finish
