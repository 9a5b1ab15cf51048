#!/bin/bash
# Issue 16: an unreadable (or implausible) flash-size register on a part smaller than the
# database's default, and an image larger than the real flash. stprog probes which flash
# answers and stops there: the write is refused before anything is read or erased, naming
# the size (flash.size-unreadable with probed_kb, plan.outside-flash), never a loader or
# bus fault; an image that fits is written; doctor reports the probed size.
set -e
. "$(dirname "$0")/lib.sh"

report() { jq -r "$1" "$TMP/report.json"; }

# part : real KiB : database default KiB
for row in stm32f407ve:512:1024 stm32f103c8:64:128 stm32f767zg:1024:2048 stm32f429zg:1024:2048 \
    stm32f411ce:512:512; do
    IFS=: read -r part real dflt <<<"$row"
    for fsize in unreadable 0xFFFF; do
        spec="$part,fsize=$fsize"
        head -c $(((real + 16) * 1024)) /dev/urandom >"$TMP/big.bin"
        set +e
        STPROG_SIM_REPORT="$TMP/report.json" "$STPROG" --probe "sim:$spec" write "$TMP/big.bin" \
            --json >"$TMP/out" 2>"$TMP/err"
        RC=$?
        set -e
        WHAT="write $((real + 16)) KiB on $spec"
        expect_rc 2
        has plan.outside-flash
        only "plan.outside-flash flash.size-unreadable flash.size-implausible"
        lacks flash.loader-fault
        id=flash.size-unreadable
        [ "$fsize" = unreadable ] || id=flash.size-implausible
        has "$id"
        if [ "$real" -lt "$dflt" ]; then
            evidence "$id" probed_kb | grep -q "^$real " || fail "$WHAT: probed $(evidence "$id" probed_kb)"
        fi
        evidence "$id" assumed_kb | grep -qx "$real" || fail "$WHAT: assumed $(evidence "$id" assumed_kb)"
        evidence plan.outside-flash first_address | grep -qi "$(printf '0x%08X' $((0x08000000 + real * 1024)))" ||
            fail "$WHAT: outside from $(evidence plan.outside-flash first_address)"
        [ "$(report .flash_erases)" = 0 ] && [ "$(report .flash_programs)" = 0 ] ||
            fail "$WHAT: the flash was touched"
    done
    # what fits is written, to the last byte of the real flash
    head -c $((real * 1024)) /dev/urandom >"$TMP/fit.bin"
    run --probe "sim:$part,fsize=unreadable,state=$TMP/$part.img" write "$TMP/fit.bin" --json
    expect_rc 0
    # doctor: the chip check names the size it found, the flash check reads it all
    doctor "$part,fsize=unreadable,state=$TMP/$part.img" --no-load-test --watch 0.1
    expect_rc 0
    only "flash.size-unreadable"
    jqo '.checks[] | select(.name == "flash") | .measured' | grep -q "^$real KiB" ||
        fail "$WHAT: flash check $(jqo '.checks[] | select(.name == "flash") | .measured')"
done
finish
