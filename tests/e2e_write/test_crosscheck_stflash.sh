#!/bin/bash
# Cross-checks with a tool we did not write: what stprog writes, st-flash (through the libusb
# shim, on the same board state) reads back; what st-flash writes, stprog verifies; and stprog
# itself programs through the shim (libusb transport) as it would a real ST-Link.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
EX="$STPROG_BUILD/examples"
SHIM="$STPROG_BUILD/libstprog-usbsim.so"
command -v st-flash >/dev/null || { echo "SKIP: st-flash not installed"; exit 77; }
[ -f "$SHIM" ] || { fail "$SHIM not built"; finish; }

shim() { # SPEC CMD...: CMD with the shim on board SPEC; output in $TMP/shim.out
    local spec=$1
    shift
    set +e
    STPROG_SIM="$spec" LD_PRELOAD="$SHIM" timeout 120 "$@" >"$TMP/shim.out" 2>&1
    RC=$?
    set -e
}

for pf in stm32f407vg:blinky_f407 stm32f103c8:blinky_f103; do
    part=${pf%%:*}
    fw=${pf##*:}
    spec="sim:$part,state=$TMP/$part.state"
    size=$(stat -c %s "$EX/$fw.bin")
    run --probe "$spec" write "$EX/$fw.elf"
    expect_rc 0 "$part: stprog write"
    shim "$spec" st-flash read "$TMP/sf.bin" 0x08000000 "$size"
    [ "$RC" -eq 0 ] || fail "$part: st-flash read failed: $(cat "$TMP/shim.out")"
    cmp -s "$TMP/sf.bin" "$EX/$fw.bin" || fail "$part: st-flash reads back other bytes than stprog wrote"

    head -c 3000 /dev/urandom >"$TMP/rnd.bin"
    shim "$spec" st-flash write "$TMP/rnd.bin" 0x08008000
    [ "$RC" -eq 0 ] || fail "$part: st-flash write failed: $(cat "$TMP/shim.out")"
    run --probe "$spec" verify "$TMP/rnd.bin" --addr 0x08008000
    expect_rc 0 "$part: stprog verifies what st-flash wrote"

    shim "$spec" "$STPROG" --probe stlink write "$EX/$fw.hex" --force
    [ "$RC" -eq 0 ] || fail "$part: stprog through the shim: $(cat "$TMP/shim.out")"
    run --probe "$spec" verify "$EX/$fw.bin"
    expect_rc 0 "$part: verify after writing through the shim"
done

# F103 XL density: bank 2 (own register set at +0x40) written by either tool, read by the other
spec="sim:stm32f103zg,state=$TMP/zg.state"
head -c 6144 /dev/urandom >"$TMP/b2.bin"
run --probe "$spec" write "$TMP/b2.bin" --addr 0x0807F800
expect_rc 0 "stm32f103zg: stprog writes across into bank 2"
shim "$spec" st-flash read "$TMP/sf.bin" 0x0807F800 6144
[ "$RC" -eq 0 ] || fail "stm32f103zg: st-flash read failed: $(cat "$TMP/shim.out")"
cmp -s "$TMP/sf.bin" "$TMP/b2.bin" || fail "stm32f103zg: st-flash reads other bytes in bank 2"
head -c 4096 /dev/urandom >"$TMP/rnd.bin"
shim "$spec" st-flash write "$TMP/rnd.bin" 0x08081000
[ "$RC" -eq 0 ] || fail "stm32f103zg: st-flash write to bank 2 failed: $(cat "$TMP/shim.out")"
run --probe "$spec" verify "$TMP/rnd.bin" --addr 0x08081000
expect_rc 0 "stm32f103zg: stprog verifies what st-flash wrote in bank 2"
finish
