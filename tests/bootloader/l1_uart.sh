#!/bin/bash
# The L1 ROM bootloader (issue 14): it has no mass erase (AN2606, the L1 bootloader's
# "important considerations": erase the pages one by one, or set and remove read protection).
# The virtual bootloader NACKs the mass-erase codes (Erase 0xFF, Extended Erase 0xFFFF) on L1
# (tests/bootloader/test_sim_bootloader.c); stprog's erase --all erases page by page there, as
# stm32flash does for L0/L1 (its -o on the L152RE below). Through
# `stprog sim-serve` on a pty: stm32flash and stprog write, read back and erase an L152RE
# (bootloader 4.0, Extended Erase) and an L151C8 (bootloader 2.0, Erase).
. "$(dirname "$0")/lib.sh"

uart() { "$STPROG" --probe "uart:$TTY" "$@"; }
head -c 12288 /dev/urandom >"$WORK/fw.bin"

for part in stm32l152re stm32l151c8; do
    # stprog: write, verify, read back; then erase --all, and the flash reads erased (0x00).
    serve "sim:$part,boot0=1,state=$WORK/$part.state"
    uart write "$WORK/fw.bin" >"$WORK/w.out" 2>&1 || fail "$part: write over uart: $(cat "$WORK/w.out")"
    grep -q "verified" "$WORK/w.out" || fail "$part: write did not verify: $(cat "$WORK/w.out")"
    uart read 0x08000000 12288 -o "$WORK/back.bin" >/dev/null 2>&1 || fail "$part: read over uart"
    check "$part: stprog reads back what it wrote" cmp "$WORK/fw.bin" "$WORK/back.bin"
    check "$part: stm32flash reads what stprog wrote" s32f -r "$WORK/s32.bin" -S 0x08000000:12288
    check "$part: ... the same bytes" cmp "$WORK/fw.bin" "$WORK/s32.bin"
    uart erase --all >"$WORK/e.out" 2>&1 || fail "$part: erase --all over uart: $(cat "$WORK/e.out")"
    uart read 0x08000000 12288 -o "$WORK/back.bin" >/dev/null 2>&1 || fail "$part: read after erase"
    head -c 12288 /dev/zero >"$WORK/zero.bin"
    check "$part: erase --all erased the flash (L1 reads 0x00)" cmp "$WORK/zero.bin" "$WORK/back.bin"
    stop_serve

    # stm32flash erases an L1 page by page (it knows there is no mass erase there) and
    # writes with page erase.
    serve "sim:$part,boot0=1"
    check "$part: stm32flash writes with page erase" s32f -w "$WORK/fw.bin" -v
    stop_serve
done
serve "sim:stm32l152re,boot0=1"
check "stm32l152re: stm32flash -o (page by page on L1)" s32f -o
stop_serve
finish
