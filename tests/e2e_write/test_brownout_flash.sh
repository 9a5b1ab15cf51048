#!/bin/bash
# A brown-out while the flash erases (supply=unstable: half the erases are cut by a power-on
# reset that relocks the controller) is a failure the flash engine itself detects, with a
# power finding naming the operation: `erase` says erased=false and status power (it used to
# say erased=true, leaving the CLI's close-time check to turn it into a failure), `write`
# through the SRAM loader stops at once with status power instead of a timeout, and neither
# claims the flash holds what was asked.
set -e
. "$STPROG_SRC/tests/cli/lib.sh"

head -c 65536 /dev/urandom >"$TMP/a.bin"
head -c 65536 /dev/urandom >"$TMP/b.bin"
state="$TMP/board.img"
finding() { jq -r --arg id "$1" --arg k "$2" \
    '[.findings[] | select(.id == $id) | .evidence[$k] // empty] | join(" | ")' "$TMP/out"; }
expect_rc_not0() { [ "$RC" -ne 0 ] || fail "$1: exit code 0"; }
# The flash engine (the operation) and the explanation (the reset flags) report one reset:
# one power.brownout-reset carrying both, the cause first.
one_brownout() {
    expect_json '[.findings[] | select(.id == "power.brownout-reset")] | length == 1' \
        "$1: exactly one power.brownout-reset"
    finding power.brownout-reset reset_flags | grep -q 'POR' ||
        fail "$1: the brown-out finding lacks the reset flags: $OUT"
    expect_json '.findings[0].id == "power.brownout-reset"' "$1: the brown-out comes first"
}

run --probe "sim:stm32f407vg,state=$state" write "$TMP/a.bin" --json
expect_rc 0 "prefill"
run --probe "sim:stm32f407vg,supply=unstable,seed=1,state=$state" erase --sectors 0-3 --json
expect_rc_not0 "erase on an unstable supply"
expect_json '.status == "power" and .erased == false' "erase: status power, erased false"
finding power.brownout-reset operation | grep -q 'erase of sector' ||
    fail "no power.brownout-reset naming the erased sector: $OUT"
one_brownout erase

run --probe "sim:stm32f407vg,state=$state" write "$TMP/a.bin" --json
expect_rc 0 "restore"
run --probe "sim:stm32f407vg,supply=unstable,seed=1,state=$state" write "$TMP/b.bin" --json
expect_rc_not0 "write on an unstable supply"
expect_json '.status == "power" and .verified != true' "write: status power, not verified"
finding power.brownout-reset operation | grep -q 'SRAM loader' ||
    fail "no power.brownout-reset from the loader run: $OUT"
one_brownout write
expect_json '[.findings[] | select(.id == "flash.timeout")] | length == 0' \
    "the loader's stop is reported as the reset, not as a timeout"
finish
