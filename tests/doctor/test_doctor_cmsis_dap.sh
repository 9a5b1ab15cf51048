#!/bin/bash
# doctor over a CMSIS-DAP probe (v2 and v1), which measures no target voltage: on healthy
# F1/F4/L4 boards no false power alarm, the voltage check says it was not measured and
# which checks that rules out (only the supply-range check is skipped); on a board whose
# core domain is dead, doctor still finds it from what it can measure (reads of zeros),
# never naming a voltage. Also through libusb and the shim.
set -e
. "$(dirname "$0")/lib.sh"

healthy() { # healthy SPEC
    doctor "$1"
    expect_rc 0
    [ "$(jqo .status)" = ok ] || fail "$WHAT: status $(jqo .status)"
    [ "$(jqo .all_clear)" = true ] || fail "$WHAT: not all clear"
    [ -z "$(problems)" ] || fail "$WHAT: false alarm(s): $(problems | tr '\n' ' ')"
    [ "$(jqo .target_voltage)" = null ] || fail "$WHAT: target_voltage $(jqo .target_voltage)"
    jqo '.checks[] | select(.name == "voltage") | .measured' | grep -q "not measured: a cmsis-dap-v[12] probe has no target-voltage input" ||
        fail "$WHAT: voltage check: $(jqo '.checks[] | select(.name == "voltage") | .measured')"
    [ "$(jqo '[.checks[] | select(.result == "skip") | .name] | join(" ")')" = supply ] ||
        fail "$WHAT: skipped: $(jqo '[.checks[] | select(.result == "skip") | .name] | join(" ")')"
    ! grep -Eq '[0-9]\.[0-9]+ V[^a-z]' <(jqo '.checks[].measured') ||
        fail "$WHAT: a check names a voltage: $(jqo '.checks[].measured' | grep -E '[0-9] V')"
}

for part in stm32f103c8 stm32f407vg stm32l476rg; do
    for probe in cmsis-dap cmsis-dap-v1; do
        healthy "$part,probe=$probe"
    done
done

# A dead core domain: the debug port answers, everything else reads zeros.
doctor "stm32f407vg,probe=cmsis-dap,supply=dead-core"
expect_rc_not 0
[ "$(jqo .blocked_at)" != null ] || fail "$WHAT: dead core not found"
[ "$(jqo .target_voltage)" = null ] || fail "$WHAT: target_voltage $(jqo .target_voltage)"

# Through libusb and the shim: the same driver on the real USB path.
if [ -f "$STPROG_BUILD/libstprog-usbsim.so" ]; then
    set +e
    STPROG_SIM="sim:stm32f407vg,probe=cmsis-dap" LD_PRELOAD="$STPROG_BUILD/libstprog-usbsim.so" \
        "$STPROG" --probe cmsis-dap doctor --json >"$TMP/out" 2>"$TMP/err" </dev/null
    RC=$?
    set -e
    WHAT="doctor --probe cmsis-dap (shim)"
    expect_rc 0
    [ -z "$(problems)" ] || fail "$WHAT: false alarm(s): $(problems | tr '\n' ' ')"
fi

finish
