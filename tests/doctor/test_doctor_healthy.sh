#!/bin/bash
# A healthy board gives no warning or error finding at all, on every part and probe kind,
# and doctor takes under 2 virtual seconds.
set -e
. "$(dirname "$0")/lib.sh"

for part in $PARTS; do
    for probe in v2-1 v3; do
        doctor "$part,probe=$probe"
        expect_rc 0
        [ "$(jqo .status)" = ok ] || fail "$WHAT: status $(jqo .status)"
        [ "$(jqo .all_clear)" = true ] || fail "$WHAT: not all clear"
        [ -z "$(problems)" ] || fail "$WHAT: false alarm(s): $(problems | tr '\n' ' ')"
        [ "$(jqo .blocked_at)" = null ] || fail "$WHAT: blocked at $(jqo .blocked_at)"
        ms=$(jqo .virtual_ms)
        [ "$ms" -lt 2000 ] || fail "$WHAT: took $ms virtual ms (limit 2000)"
        n=$(jqo '[.checks[] | select(.result == "pass")] | length')
        [ "$n" -ge 10 ] || fail "$WHAT: only $n checks passed"
        [ -z "$(jqo '.checks[] | select(.result == "skip") | .name')" ] ||
            fail "$WHAT: checks skipped on a healthy board"
        chip=$(jqo .chip)
        [ -n "$chip" ] && [ "$chip" != null ] || fail "$WHAT: chip not named"
    done
done

# For people: one line per check, and the verdict.
run --probe sim:stm32f407vg doctor
expect_rc 0
grep -q '^\[ ok \] SWD connection and link quality' "$TMP/out" || fail "no link line: $(cat "$TMP/out")"
grep -q '^result: all clear' "$TMP/out" || fail "no verdict: $(cat "$TMP/out")"
[ ! -s "$TMP/err" ] || fail "stderr not empty on a healthy board: $(cat "$TMP/err")"

# The same through the libusb shim (a real USB stack with the same board behind it).
if [ -f "$STPROG_BUILD/libstprog-usbsim.so" ]; then
    set +e
    LD_PRELOAD="$STPROG_BUILD/libstprog-usbsim.so" STPROG_SIM=sim:stm32f103c8 \
        "$STPROG" doctor --json >"$TMP/out" 2>"$TMP/err"
    RC=$?
    set -e
    WHAT="doctor through the shim"
    expect_rc 0
    [ -z "$(problems)" ] || fail "$WHAT: false alarm(s): $(problems | tr '\n' ' ')"
fi
finish
