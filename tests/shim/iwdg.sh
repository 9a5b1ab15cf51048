#!/bin/bash
# Third-party tools against a board whose independent watchdog is started by the
# hardware-watchdog option (wdg_sw=0: at every reset, 512 ms): the board's watchdog is the
# same for every tool. Observed: OpenOCD (stm32f2x driver) freezes the watchdog while the
# core is halted, but its flash algorithm does not reload it, so the watchdog resets the chip
# in the middle of a 256 KiB write and the write fails; st-flash's F4 loader reloads it and
# its write verifies; stprog's (tests/e2e_write/test_iwdg.sh) does too.
. "$(dirname "$0")/lib.sh"
STPROG="${STPROG:?}"
state="$WORK/wdg.state"
"$STPROG" -q --probe "sim:stm32f407vg,state=$state" option-bytes set wdg_sw=0 >/dev/null ||
    fail "setting the hardware watchdog option"
head -c 262144 /dev/urandom >"$WORK/img.bin"
spec="sim:stm32f407vg,state=$state"

STPROG_SIM_REPORT="$WORK/oo.json" openocd_sim "$spec" stm32f4x.cfg "init" "reset halt" \
    "flash write_image erase $WORK/img.bin 0x08000000" "shutdown"
resets=$(jq -r .iwdg_resets "$WORK/oo.json")
check "openocd: the watchdog reset the chip during its write ($resets resets)" [ "$resets" -gt 0 ]
check "openocd: its write failed" out_has "error writing to flash"

STPROG_SIM_REPORT="$WORK/sf.json" sim "$spec" st-flash write "$WORK/img.bin" 0x08000000
rc=$?
check "st-flash: write succeeds (rc $rc)" [ "$rc" -eq 0 ]
check "st-flash: no watchdog reset" [ "$(jq -r .iwdg_resets "$WORK/sf.json")" = 0 ]
check "st-flash: its loader reloads the watchdog" [ "$(jq -r .iwdg_refreshes "$WORK/sf.json")" -gt 0 ]
"$STPROG" -q --probe "$spec" verify "$WORK/img.bin" >/dev/null
check "stprog verifies what st-flash wrote" [ $? -eq 0 ]

finish
