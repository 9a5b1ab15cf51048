#!/bin/bash
# doctor through libusb and the shim: a real USB stack with the virtual board behind it,
# healthy (no false alarm) and with a fault.
set -e
. "$(dirname "$0")/lib.sh"
SHIM="$STPROG_BUILD/libstprog-usbsim.so"
[ -f "$SHIM" ] || { fail "no shim at $SHIM"; finish; }

shim_doctor() {
    set +e
    LD_PRELOAD="$SHIM" STPROG_SIM="$1" "$STPROG" doctor --json >"$TMP/out" 2>"$TMP/err"
    RC=$?
    set -e
    WHAT="doctor through the shim on $1"
}

for spec in sim:stm32f103c8 sim:stm32f407vg,probe=v2 sim:stm32l152re,probe=v3; do
    shim_doctor "$spec"
    expect_rc 0
    [ -z "$(problems)" ] || fail "$WHAT: false alarm(s): $(problems | tr '\n' ' ')"
done
shim_doctor sim:stm32f767zi,rdp=1
expect_rc 4
has protect.rdp1
only "protect.rdp1"
finish
