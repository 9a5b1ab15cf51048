#!/bin/bash
# The L0 ROM bootloaders (AN2606: IDs 0xC3 on L01x/L02x, 0xC0 on L031/L05x, 0x41 on L07x; no
# mass erase, as on the L1). Through `stprog sim-serve` on a pty: stprog writes, verifies,
# reads back and erases (page by page, 128-byte pages, 64-byte half pages) every L0 part;
# stm32flash reads the same bytes, writes with page erase, and erases all page by page.
. "$(dirname "$0")/lib.sh"

uart() { "$STPROG" --probe "uart:$TTY" "$@"; }
head -c 12288 /dev/urandom >"$WORK/fw.bin"

for part in stm32l053r8 stm32l073rz stm32l011k4 stm32l031k6; do
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
    check "$part: erase --all erased the flash (L0 reads 0x00)" cmp "$WORK/zero.bin" "$WORK/back.bin"
    stop_serve

    # stm32flash writes with page erase.
    serve "sim:$part,boot0=1"
    check "$part: stm32flash writes with page erase" s32f -w "$WORK/fw.bin" -v
    stop_serve
done
serve "sim:stm32l053r8,boot0=1"
check "stm32l053r8: stm32flash -o (erase all, page by page)" s32f -o
stop_serve
finish
