#!/bin/bash
# st-info, st-flash (stlink-tools) and OpenOCD (not ours) on the L4-style parts through the
# libusb shim: st-info identifies each part (chip ID, flash and page size); st-flash writes an
# image that stprog then verifies on the same board state, and stprog's image st-flash reads
# back; OpenOCD's stm32g0x/stm32g4x/stm32l4x flash driver writes an image stprog verifies.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
SHIM="$STPROG_BUILD/libstprog-usbsim.so"
command -v st-info >/dev/null || { echo "SKIP: st-info not installed"; exit 77; }
[ -f "$SHIM" ] || { fail "$SHIM not built"; finish; }

shim() { # SPEC CMD...: CMD with the shim on board SPEC; output in $TMP/shim.out
    local spec=$1
    shift
    set +e
    STPROG_SIM="$spec" LD_PRELOAD="$SHIM" timeout 120 "$@" >"$TMP/shim.out" 2>&1
    RC=$?
    set -e
}

head -c 24000 /dev/urandom >"$TMP/img.bin"
for p in stm32g071rb:0x0460:131072:stm32g0x stm32g431rb:0x0468:131072:stm32g4x \
    stm32l476rg:0x0415:1048576:stm32l4x; do
    IFS=: read -r part id flash cfg <<<"$p"
    spec="sim:$part,state=$TMP/$part.state"
    shim "$spec" st-info --probe
    [ "$RC" -eq 0 ] || fail "$part: st-info --probe failed: $(cat "$TMP/shim.out")"
    grep -q "chipid:[[:space:]]*$id" "$TMP/shim.out" || fail "$part: chip id $id not shown"
    grep -q "flash:[[:space:]]*$flash (pagesize: 2048)" "$TMP/shim.out" ||
        fail "$part: flash $flash with 2 KiB pages not shown: $(cat "$TMP/shim.out")"
    if command -v st-flash >/dev/null; then
        shim "$spec" st-flash write "$TMP/img.bin" 0x08000000
        [ "$RC" -eq 0 ] || fail "$part: st-flash write failed: $(tail -5 "$TMP/shim.out")"
        run --probe "$spec" verify "$TMP/img.bin"
        expect_rc 0 "$part: stprog verifies what st-flash wrote"
        head -c 24000 /dev/urandom >"$TMP/img2.bin"
        run --probe "$spec" write "$TMP/img2.bin"
        expect_rc 0 "$part: stprog write"
        shim "$spec" st-flash read "$TMP/back.bin" 0x08000000 24000
        [ "$RC" -eq 0 ] || fail "$part: st-flash read failed: $(tail -5 "$TMP/shim.out")"
        cmp -s "$TMP/back.bin" "$TMP/img2.bin" || fail "$part: st-flash reads other bytes"
    fi
    if command -v openocd >/dev/null; then
        head -c 16384 /dev/urandom >"$TMP/oo.bin"
        shim "$spec" openocd -f interface/stlink.cfg -f "target/$cfg.cfg" -c "init; reset halt" \
            -c "flash write_image erase $TMP/oo.bin 0x08000000" -c shutdown
        [ "$RC" -eq 0 ] || fail "$part: openocd write_image failed: $(tail -5 "$TMP/shim.out")"
        run --probe "$spec" verify "$TMP/oo.bin"
        expect_rc 0 "$part: stprog verifies what OpenOCD wrote"
    fi
done
finish
