#!/bin/bash
# Debian's stm32flash against the virtual ROM bootloader (sim-serve on a pty) on F103, F407,
# F767, F072 and F303: it identifies the chip, writes with verify, reads back, erases; and because the
# flash is the board's (state file), stprog reads over SWD what stm32flash wrote through the
# bootloader, and stm32flash reads what stprog wrote over SWD.
. "$(dirname "$0")/lib.sh"

for part in stm32f103c8:0x0410:0x22 stm32f407vg:0x0413:0x31 stm32f767zi:0x0451:0x93 \
    stm32f072rb:0x0448:0xa1 stm32f303re:0x0446:0x40; do
    IFS=: read -r name pid version <<<"$part"
    state="$WORK/$name.state"
    serve "sim:$name,boot0=1,state=$state"

    check "$name: stm32flash identifies" s32f
    grep -q "Device ID    : $pid" "$WORK/s32f.log" || fail "$name: stm32flash saw $(grep 'Device ID' "$WORK/s32f.log")"
    grep -q "Version      : $version" "$WORK/s32f.log" || fail "$name: bootloader version $(grep 'Version' "$WORK/s32f.log")"

    head -c 20000 /dev/urandom >"$WORK/img.bin"
    check "$name: stm32flash writes and verifies" s32f -w "$WORK/img.bin" -v
    check "$name: stm32flash reads" s32f -r "$WORK/back.bin" -S 0x08000000:20000
    check "$name: read back equals written" cmp "$WORK/img.bin" "$WORK/back.bin"

    # The flash is the board's: stprog reads it over SWD from the saved state.
    stop_serve
    "$STPROG" --probe "sim:$name,state=$state" read 0x08000000 20000 -o "$WORK/swd.bin" >/dev/null ||
        fail "$name: stprog read over SWD failed"
    check "$name: stprog (SWD) reads what stm32flash wrote" cmp "$WORK/img.bin" "$WORK/swd.bin"

    # And the other way: stprog writes over SWD, stm32flash reads through the bootloader.
    head -c 3000 /dev/urandom >"$WORK/small.bin"
    "$STPROG" --probe "sim:$name,state=$state" write "$WORK/small.bin" >/dev/null ||
        fail "$name: stprog write over SWD failed"
    serve "sim:$name,boot0=1,state=$state"
    check "$name: stm32flash reads after stprog" s32f -r "$WORK/back3.bin" -S 0x08000000:3000
    check "$name: stm32flash reads what stprog wrote" cmp "$WORK/small.bin" "$WORK/back3.bin"

    check "$name: stm32flash mass erase" s32f -o
    check "$name: stm32flash reads after erase" s32f -r "$WORK/erased.bin" -S 0x08000000:20000
    blank_file "$WORK/blank.bin" 20000
    check "$name: flash blank after stm32flash -o" cmp "$WORK/blank.bin" "$WORK/erased.bin"
    stop_serve
done
finish
