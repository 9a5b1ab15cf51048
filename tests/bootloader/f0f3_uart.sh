#!/bin/bash
# The F0 and F3 ROM bootloaders (AN2606: the F1's flash controller behind them; AN3155
# protocol) through `stprog sim-serve` on a pty, for stm32f072rb (0x448, Cortex-M0) and
# stm32f303re (0x446): stprog writes, verifies and reads back over uart:, stm32flash reads
# what it wrote, and stprog's erase --all leaves it blank (stm32flash.sh runs stm32flash's own
# flow, -o and the SWD cross-read on both parts).
. "$(dirname "$0")/lib.sh"

uart() { "$STPROG" --probe "uart:$TTY" "$@"; }

for name in stm32f072rb stm32f303re; do
    state="$WORK/$name.state"
    serve "sim:$name,boot0=1,state=$state"
    head -c 12288 /dev/urandom >"$WORK/fw.bin"
    uart write "$WORK/fw.bin" >"$WORK/w.out" 2>&1 || fail "$name: write over uart: $(cat "$WORK/w.out")"
    grep -q "verified" "$WORK/w.out" || fail "$name: write did not verify: $(cat "$WORK/w.out")"
    uart read 0x08000000 12288 -o "$WORK/uback.bin" >/dev/null 2>&1 || fail "$name: read over uart"
    check "$name: stprog reads back over uart what it wrote" cmp "$WORK/fw.bin" "$WORK/uback.bin"
    check "$name: stm32flash reads what stprog wrote" s32f -r "$WORK/s32.bin" -S 0x08000000:12288
    check "$name: ... the same bytes" cmp "$WORK/fw.bin" "$WORK/s32.bin"
    uart erase --all >"$WORK/e.out" 2>&1 || fail "$name: erase --all over uart: $(cat "$WORK/e.out")"
    uart blank-check >"$WORK/b.out" 2>&1 || fail "$name: not blank after erase --all over uart: $(cat "$WORK/b.out")"
    stop_serve
done
finish
