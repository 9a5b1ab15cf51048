#!/bin/bash
# One fault of the virtual board per finding id: doctor names it, with no unrelated
# warning or error beside it.
set -e
. "$(dirname "$0")/lib.sh"

# expect_doctor SPEC RC "IDS EXPECTED" "IDS ALLOWED BESIDE" [doctor args]
expect_doctor() {
    local spec=$1 rc=$2 want=$3 also=$4
    shift 4
    doctor "$spec" "$@"
    expect_rc "$rc"
    local id
    for id in $want; do has "$id"; done
    only "$want $also"
}

# probe.not-found: no probe with that serial.
run --probe stlink:NO-SUCH-SERIAL doctor --json
expect_rc 3
has probe.not-found
[ "$(check_result link)" = skip ] || fail "link checked without a probe"

expect_doctor "stm32f407vg,probe=v2,fw=V2J24S4" 0 probe.firmware-old ""
evidence probe.firmware-old missing | grep -q '16-bit memory access (J26)' || fail "missing features not named"
expect_doctor "stm32f407vg,probe-bug=corrupt-over:512" 0 probe.corrupts-transfers ""

expect_doctor "stm32f407vg,swd-max-khz=1000" 0 link.noisy ""
[ "$(evidence link.noisy highest_clean_khz)" = 950 ] || fail "highest clean clock $(evidence link.noisy highest_clean_khz)"
[ "$(jqo .clean_khz)" = 950 ] || fail "clean_khz $(jqo .clean_khz)"
advice link.noisy | grep -q -- '--freq 950' || fail "advice lacks --freq 950"
run --probe sim:stm32f407vg,swd-max-khz=1000 --freq 950 doctor --json
expect_rc 0
[ -z "$(problems)" ] || fail "$WHAT: false alarm at a clean clock: $(problems)"

# Firmware before V2J22 cannot lower the clock: the advice is the firmware update.
expect_doctor "stm32f407vg,probe=v2,fw=V2J21S4,swd-max-khz=1000" 1 "link.noisy probe.firmware-old" ""
advice link.noisy | grep -q 'V2J22' || fail "advice does not name the firmware: $(advice link.noisy)"

expect_doctor "stm32f407vg,nrst=unconnected" 0 link.nrst-unconnected ""
doctor "stm32f103c8,firmware=swd-off"
expect_rc_not 0
has link.debug-disabled-by-firmware
only "link.debug-disabled-by-firmware"
advice link.debug-disabled-by-firmware | grep -q -- '--connect under-reset' || fail "no under-reset advice"
doctor "stm32f411re,firmware=sleep"
has link.debug-disabled-by-firmware
only "link.debug-disabled-by-firmware"

expect_doctor "stm32f407vg,rdp=2" 3 "link.no-target protect.rdp2" ""
[ "$(severity protect.rdp2)" = warning ] || fail "rdp2 is inferred, so a warning"
doctor "stm32f407vg,firmware=swd-off,nrst=unconnected"
has link.no-target

expect_doctor "stm32f407vg,vdd=1.5" 1 power.voltage-low ""
[ "$(jqo .status)" = power ] || fail "$WHAT: status $(jqo .status)"
expect_doctor "stm32l152re,vdd=0.4,supply=dead-core" 1 "power.voltage-low power.core-unpowered" ""
# A dead core at a normal VREF: the debug port answers, every read is zero. The link check
# must not pass what the chip and supply checks fail (identical zeros prove nothing).
for part in stm32f103c8 stm32f407vg stm32l476rg stm32g071rb stm32g431rb; do
    expect_doctor "$part,supply=dead-core" 1 power.core-unpowered ""
    [ "$(check_result link)" = fail ] || fail "$WHAT: link check $(check_result link) on a dead core"
done
# The hardware-watchdog option (wdg_sw=0) restarts the IWDG at every reset, so it resets even
# the halted chip (512 ms); firmware that starts it (reset-loop=) stops once halted.
run --probe "sim:stm32f407vg,state=$TMP/wdg.state" option-bytes set wdg_sw=0
expect_rc 0
expect_doctor "stm32f407vg,state=$TMP/wdg.state" 1 target.reset-loop ""
advice target.reset-loop | grep -q 'option-bytes show' ||
    fail "watchdog advice does not mention the hardware-watchdog option: $(advice target.reset-loop)"
evidence target.reset-loop reset_flags | grep -q IWDG || fail "watchdog flag not in evidence"
expect_doctor "stm32f767zi,rdp=1" 4 protect.rdp1 ""
expect_doctor "stm32f407vg,wrp=0x3" 0 protect.wrp ""
[ "$(evidence protect.wrp protected_units)" = "0,1" ] || fail "units $(evidence protect.wrp protected_units)"
expect_doctor "stm32f407vg,fsize=0x1234" 0 flash.size-implausible ""
expect_doctor "stm32f103c8,fsize=unreadable" 0 flash.size-unreadable ""
expect_doctor "stm32f407vg,vdd=2.0" 0 flash.psize-voltage ""
finish
