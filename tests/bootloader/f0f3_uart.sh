#!/bin/bash
# The F0 and F3 ROM bootloaders (AN2606: the F1's flash controller behind them; AN3155
# protocol) through `stprog sim-serve` on a pty, for stm32f072rb (0x448, Cortex-M0) and
# stm32f303re (0x446): stm32flash identifies the device ID and bootloader version, writes
# with verify and reads back; stprog reads over SWD what stm32flash wrote; stprog writes,
# verifies and reads back over uart:, and stm32flash reads that; stm32flash -o mass-erases.
. "$(dirname "$0")/lib.sh"

uart() { "$STPROG" --probe "uart:$TTY" "$@"; }

for part in stm32f072rb:0x0448:0xa1 stm32f303re:0x0446:0x40; do
    IFS=: read -r name pid version <<<"$part"
    state="$WORK/$name.state"
    serve "sim:$name,boot0=1,state=$state"
    check "$name: stm32flash identifies" s32f
    grep -qi "Device ID    : $pid" "$WORK/s32f.log" || fail "$name: stm32flash saw $(grep 'Device ID' "$WORK/s32f.log")"
    grep -qi "Version      : $version" "$WORK/s32f.log" || fail "$name: bootloader version $(grep 'Version' "$WORK/s32f.log")"
    head -c 20000 /dev/urandom >"$WORK/img.bin"
    check "$name: stm32flash writes and verifies" s32f -w "$WORK/img.bin" -v
    check "$name: stm32flash reads" s32f -r "$WORK/back.bin" -S 0x08000000:20000
    check "$name: read back equals written" cmp "$WORK/img.bin" "$WORK/back.bin"
    stop_serve
    "$STPROG" --probe "sim:$name,state=$state" read 0x08000000 20000 -o "$WORK/swd.bin" >/dev/null ||
        fail "$name: stprog read over SWD failed"
    check "$name: stprog (SWD) reads what stm32flash wrote" cmp "$WORK/img.bin" "$WORK/swd.bin"

    serve "sim:$name,boot0=1,state=$state"
    head -c 12288 /dev/urandom >"$WORK/fw.bin"
    uart write "$WORK/fw.bin" >"$WORK/w.out" 2>&1 || fail "$name: write over uart: $(cat "$WORK/w.out")"
    grep -q "verified" "$WORK/w.out" || fail "$name: write did not verify: $(cat "$WORK/w.out")"
    uart read 0x08000000 12288 -o "$WORK/uback.bin" >/dev/null 2>&1 || fail "$name: read over uart"
    check "$name: stprog reads back over uart what it wrote" cmp "$WORK/fw.bin" "$WORK/uback.bin"
    check "$name: stm32flash reads what stprog wrote" s32f -r "$WORK/s32.bin" -S 0x08000000:12288
    check "$name: ... the same bytes" cmp "$WORK/fw.bin" "$WORK/s32.bin"
    check "$name: stm32flash mass erase" s32f -o
    check "$name: stm32flash reads after erase" s32f -r "$WORK/erased.bin" -S 0x08000000:20000
    blank_file "$WORK/blank.bin" 20000
    check "$name: flash blank after stm32flash -o" cmp "$WORK/blank.bin" "$WORK/erased.bin"
    stop_serve
done
finish
