#!/bin/bash
# Every failing command explains itself: the causes measured after the failure come first,
# with evidence and the next step; a command that works gets no extra finding.
set -e
. "$(dirname "$0")/lib.sh"
head -c 32768 /dev/urandom >"$TMP/a.bin"
head -c 32768 /dev/urandom >"$TMP/b.bin"

# A worn sector: the erase leaves bits, the verify fails; explained as a program error.
state="$TMP/worn.img"
run --probe "sim:stm32f407vg,state=$state" write "$TMP/a.bin" --json
expect_rc 0
run --probe "sim:stm32f407vg,worn=0,state=$state" write "$TMP/b.bin" --json
expect_rc 5
has verify.mismatch
has flash.program-error
advice flash.program-error | grep -q -- '--flash-test' || fail "no flash-test advice"
only "verify.mismatch flash.program-error"

# A probe that garbles every transfer longer than 8 bytes: the SRAM round trips before the
# first erase name the probe, not the flash, and the write stops there (nothing erased).
run --probe sim:stm32f407vg,probe-bug=corrupt-over:8 write "$TMP/a.bin" --json
expect_rc 1
has probe.corrupts-transfers
lacks flash.program-error
only "probe.corrupts-transfers"

# A watchdog resetting the chip while it is programmed: firmware that starts the IWDG (1 s)
# with a window (reloads only in its last 100 ms), which the SRAM loader cannot reload
# safely; it resets the chip part way through 512 KiB.
head -c 524288 /dev/urandom >"$TMP/big.bin"
run --probe sim:stm32f767zi,reset-loop=1000,iwdg-window=100 write "$TMP/big.bin" --json
expect_rc_not 0
has flash.interrupted-by-reset
advice flash.interrupted-by-reset | grep -q 'window' || fail "advice does not name the window"
advice flash.interrupted-by-reset | grep -q -- '--connect under-reset' || fail "no under-reset advice"
[ "$(jqo '.findings[0].id')" = target.reset-loop ] || fail "cause not first: $(jqo '[.findings[].id]|join(" ")')"
evidence target.reset-loop reset_flags | grep -q IWDG || fail "no watchdog flag"

# Firmware that turns SWD off: info fails, and says connecting under reset works.
run --probe sim:stm32f407vg,firmware=swd-off info --json
expect_rc_not 0
has link.debug-disabled-by-firmware
run --probe sim:stm32f407vg,firmware=swd-off --connect under-reset info --json
expect_rc 0
lacks link.debug-disabled-by-firmware

# RDP level 1: read refused, with the way out.
run --probe sim:stm32f767zi,rdp=1 read 0x08000000 256 -o "$TMP/r.bin" --json
expect_rc 4
has protect.rdp1
advice protect.rdp1 | grep -q -- '--unlock' || fail "no --unlock advice"

# Write-protected sectors: the refusal names the protection.
run --probe sim:stm32f407vg,wrp=0x1 write "$TMP/a.bin" --json
expect_rc 4
has protect.wrp

# The dead core: info fails with the power findings first.
run --probe sim:stm32f411re,vdd=0.52,supply=dead-core info --json
expect_rc_not 0
[ "$(jqo '.findings[0].id')" = power.voltage-low ] || fail "cause not first: $(jqo '[.findings[].id]|join(" ")')"
has power.core-unpowered

# Nothing extra when a command works.
for mode in normal under-reset hot-plug; do
    run --probe sim:stm32f407vg --connect $mode info --json
    expect_rc 0
    [ -z "$(problems)" ] || fail "$WHAT: findings on success: $(problems)"
    run --probe sim:stm32f103c8,state="$TMP/h.img" --connect $mode write "$TMP/a.bin" --json
    expect_rc 0
    [ -z "$(problems)" ] || fail "$WHAT: findings on success: $(problems)"
done
run --probe sim:stm32f407vg write "$TMP/a.bin" --json
expect_rc 0
[ -z "$(problems)" ] || fail "$WHAT: findings on success: $(problems)"
finish
