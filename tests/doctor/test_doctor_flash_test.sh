#!/bin/bash
# doctor --flash-test: destructive, so it asks (and without a terminal needs --yes); it
# finds the worn sector, times each erase against the datasheet, and on a healthy board
# finds nothing.
set -e
. "$(dirname "$0")/lib.sh"

run --probe sim:stm32f103c8 doctor --flash-test --json
expect_rc 2
grep -q -- '--yes' "$TMP/err" || fail "refusal does not name --yes: $(cat "$TMP/err")"

doctor stm32f103c8,worn=2 --flash-test --yes
expect_rc_not 0
has flash.sector-worn
only "flash.sector-worn"
[ "$(jqo '[.findings[] | select(.id == "flash.sector-worn")] | length')" = 1 ] || fail "more than one worn sector"
[ "$(evidence flash.sector-worn sector)" = 2 ] || fail "worn sector $(evidence flash.sector-worn sector)"
[ "$(evidence flash.sector-worn bytes_not_erased)" -gt 0 ] || fail "no bytes left unerased"
evidence flash.sector-worn datasheet_erase_ms | grep -q 'typ 20, max 40' || fail "no datasheet timing"
jqo '.checks[] | select(.name == "flash-test") | .measured' | grep -q '1 worn: sectors 2' ||
    fail "report line: $(jqo '.checks[] | select(.name == "flash-test") | .measured')"

doctor stm32f767zi,worn=5 --flash-test --yes
has flash.sector-worn
[ "$(evidence flash.sector-worn sector)" = 5 ] || fail "worn sector $(evidence flash.sector-worn sector)"

for part in stm32f103c8 stm32l151cb stm32f411re; do
    doctor "$part" --flash-test --yes
    expect_rc 0
    [ -z "$(problems)" ] || fail "$WHAT: false alarm(s): $(problems | tr '\n' ' ')"
    [ "$(check_result flash-test)" = pass ] || fail "$WHAT: flash test $(check_result flash-test)"
done

# Write-protected sectors are skipped, not failed.
doctor stm32f411re,wrp=0x1 --flash-test --yes
expect_rc 0
has protect.wrp
only "protect.wrp"
jqo '.checks[] | select(.name == "flash-test") | .measured' | grep -q 'write-protected sectors skipped' ||
    fail "report line: $(jqo '.checks[] | select(.name == "flash-test") | .measured')"

# The flash is left erased.
run --probe sim:stm32f103c8,state="$TMP/b.img" doctor --flash-test --yes --json
expect_rc 0
run --probe sim:stm32f103c8,state="$TMP/b.img" blank-check --json
expect_rc 0
finish
