#!/bin/bash
# Issue 16: plain `stprog doctor` loads the supply the way programming does, without
# changing a byte: it erases only sectors the on-target CRC proved blank, and a weak supply
# (supply=unstable: brown-out odds rising with the current drawn) browns out under that
# load. Seed 000's F407 is found, and so is the same supply on every family, at several
# voltages and seeds. Flash that holds data is never erased; with no blank sector the
# report says the supply was not tested; --no-load-test skips it.
set -e
. "$(dirname "$0")/lib.sh"

report() { jq -r "$1" "$TMP/report.json"; }
doctor_r() { # doctor with the board's report in $TMP/report.json
    local spec=$1
    shift
    set +e
    STPROG_SIM_REPORT="$TMP/report.json" "$STPROG" --probe "sim:$spec" doctor --json "$@" \
        >"$TMP/out" 2>"$TMP/err" </dev/null
    RC=$?
    set -e
    WHAT="stprog --probe sim:$spec doctor $*"
}

# Seed 000: plain doctor finds the brown-out, for any seed.
for seed in 1 2 3 4 5 6; do
    doctor_r "stm32f407vg,supply=unstable,seed=$seed"
    expect_rc 1
    [ "$(jqo .status)" = power ] || fail "$WHAT: status $(jqo .status)"
    has power.brownout-reset
    has power.unstable
    only "power.brownout-reset power.unstable"
    [ "$(jqo .blocked_at)" = load ] || fail "$WHAT: blocked at $(jqo .blocked_at)"
    evidence power.brownout-reset load | grep -q 'blank sectors' || fail "$WHAT: no load evidence"
    evidence power.brownout-reset DHCSR | grep -q 'debug enable lost' || fail "$WHAT: no DHCSR"
    [ "$(report .brownouts)" -ge 1 ] || fail "$WHAT: the board saw no brown-out"
done

# The same weak supply on every family, at several voltages (within each chip's range).
for part in stm32f103c8 stm32f205rg stm32f411re stm32f767zi stm32l151cb stm32l476rg \
    stm32g071rb stm32g431rb; do
    for vdd in 3.3 2.4; do
        for seed in 11 12; do
            doctor "$part,supply=unstable,vdd=$vdd,seed=$seed" --watch 0.2
            expect_rc 1
            has power.unstable
            only "power.brownout-reset power.unstable flash.psize-voltage"
        done
    done
done

# No data changes: a board with firmware in its first sectors keeps every byte, on a healthy
# and on a weak supply; only blank sectors were erased.
head -c 40000 /dev/urandom >"$TMP/fw.bin"
for part in stm32f407vg stm32g431rb stm32l151cb; do
    for supply in ok unstable; do
        st="$TMP/$part-$supply.img"
        run --probe "sim:$part,state=$st" write "$TMP/fw.bin"
        expect_rc 0
        doctor_r "$part,state=$st,supply=$supply,seed=3"
        [ "$(report .flash_erases)" -ge 1 ] || fail "$WHAT: nothing erased"
        [ "$(report .flash_programs)" = 0 ] || fail "$WHAT: programmed something"
        if [ "$supply" = ok ]; then
            [ "$(check_result load)" = pass ] || fail "$WHAT: load check $(check_result load)"
            [ -z "$(problems)" ] || fail "$WHAT: false alarm(s): $(problems | tr '\n' ' ')"
        else
            has power.unstable
        fi
        run --probe "sim:$part,state=$st" verify "$TMP/fw.bin"
        expect_rc 0
    done
done

# Every sector holds data: nothing can be loaded safely, and the report says so.
head -c 131072 /dev/urandom >"$TMP/full.bin"
run --probe "sim:stm32g071rb,state=$TMP/full.img" write "$TMP/full.bin"
expect_rc 0
doctor_r "stm32g071rb,state=$TMP/full.img"
expect_rc 0
has power.load-untested
only "power.load-untested"
[ "$(severity power.load-untested)" = warning ] || fail "$WHAT: severity $(severity power.load-untested)"
advice power.load-untested | grep -q -- '--flash-test' || fail "$WHAT: advice lacks --flash-test"
[ "$(report .flash_erases)" = 0 ] || fail "$WHAT: erased a sector that holds data"

# --no-load-test: nothing erased, the report says the supply was not loaded.
doctor_r "stm32f407vg,supply=unstable,seed=1" --no-load-test
expect_rc 0
[ "$(check_result load)" = info ] || fail "$WHAT: load check $(check_result load)"
jqo '.checks[] | select(.name == "load") | .measured' | grep -q 'not tested' ||
    fail "$WHAT: does not say the supply was not tested"
[ "$(report .flash_erases)" = 0 ] || fail "$WHAT: erased with --no-load-test"

# For people: the load line and the findings.
run --probe "sim:stm32f407vg,supply=unstable,seed=2" doctor
expect_rc 1
grep -q '^\[FAIL\] Supply under load' "$TMP/out" || fail "no load line: $(cat "$TMP/out")"
grep -q '\[power.unstable\]' "$TMP/err" || fail "no power.unstable on stderr: $(cat "$TMP/err")"
finish
