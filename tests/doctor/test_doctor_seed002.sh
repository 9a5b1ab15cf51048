#!/bin/bash
# Seed 002: an STM32F411 at 0.52 V. CubeProgrammer connected, read the name, every address
# read 00000000, writes failed. doctor names the voltage and the dead core; write fails
# with the same findings and never starts an erase.
set -e
. "$(dirname "$0")/lib.sh"
spec="stm32f411re,vdd=0.52,supply=dead-core"

doctor "$spec"
expect_rc 1
[ "$(jqo .status)" = power ] || fail "$WHAT: status $(jqo .status)"
has power.voltage-low
has power.core-unpowered
only "power.voltage-low power.core-unpowered"
[ "$(jqo .blocked_at)" = chip ] || fail "$WHAT: blocked at $(jqo .blocked_at)"
[ "$(jqo .chip)" = STM32F411 ] || fail "$WHAT: chip $(jqo .chip) (DBGMCU still answers)"
evidence power.voltage-low target_voltage | grep -q '0.52 V' || fail "no voltage evidence"
evidence power.core-unpowered cpuid | grep -q '0x00000000' || fail "no CPUID evidence"
adv=$(advice power.core-unpowered)
for word in "1.70 V" VDD VSS VCAP "will not fix"; do
    echo "$adv" | grep -q "$word" || fail "core-unpowered advice lacks '$word': $adv"
done
[ "$(check_result protection)" = skip ] || fail "checks after the block ran"
[ "$(check_result link)" = fail ] || fail "link check $(check_result link) on a dead core"

head -c 4096 /dev/urandom >"$TMP/fw.bin"
set +e
STPROG_SIM_REPORT="$TMP/report.json" "$STPROG" --probe "sim:$spec" write "$TMP/fw.bin" --json \
    >"$TMP/out" 2>"$TMP/err"
RC=$?
set -e
WHAT="write on seed 002"
expect_rc_not 0
has power.voltage-low
has power.core-unpowered
[ "$(jq -r .flash_erases "$TMP/report.json")" = 0 ] || fail "an erase was attempted"
[ "$(jq -r .flash_programs "$TMP/report.json")" = 0 ] || fail "programming was attempted"
finish
