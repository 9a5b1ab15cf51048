# The L0/L1 ROM bootloader flows (sourced by l0_uart.sh and l1_uart.sh, after lib.sh). These
# bootloaders have no mass erase (AN2606: erase the pages one by one, or set and remove read
# protection); the virtual bootloader NACKs the mass-erase codes, so stprog's erase --all and
# stm32flash -o erase page by page.
uart() { "$STPROG" --probe "uart:$TTY" "$@"; }

# lx_flow PART...: through `stprog sim-serve` on a pty, stprog writes, verifies and reads back
# 12 KiB, stm32flash reads the same bytes, stprog erase --all leaves the flash 0x00; then
# stm32flash writes with page erase.
lx_flow() {
    local part
    head -c 12288 /dev/urandom >"$WORK/fw.bin"
    head -c 12288 /dev/zero >"$WORK/zero.bin"
    for part in "$@"; do
        serve "sim:$part,boot0=1,state=$WORK/$part.state"
        uart write "$WORK/fw.bin" >"$WORK/w.out" 2>&1 || fail "$part: write over uart: $(cat "$WORK/w.out")"
        grep -q "verified" "$WORK/w.out" || fail "$part: write did not verify: $(cat "$WORK/w.out")"
        uart read 0x08000000 12288 -o "$WORK/back.bin" >/dev/null 2>&1 || fail "$part: read over uart"
        check "$part: stprog reads back what it wrote" cmp "$WORK/fw.bin" "$WORK/back.bin"
        check "$part: stm32flash reads what stprog wrote" s32f -r "$WORK/s32.bin" -S 0x08000000:12288
        check "$part: ... the same bytes" cmp "$WORK/fw.bin" "$WORK/s32.bin"
        uart erase --all >"$WORK/e.out" 2>&1 || fail "$part: erase --all over uart: $(cat "$WORK/e.out")"
        uart read 0x08000000 12288 -o "$WORK/back.bin" >/dev/null 2>&1 || fail "$part: read after erase"
        check "$part: erase --all erased the flash (reads 0x00)" cmp "$WORK/zero.bin" "$WORK/back.bin"
        stop_serve

        serve "sim:$part,boot0=1"
        check "$part: stm32flash writes with page erase" s32f -w "$WORK/fw.bin" -v
        stop_serve
    done
}

# lx_erase_all PART: stm32flash -o (erase all, page by page there).
lx_erase_all() {
    serve "sim:$1,boot0=1"
    check "$1: stm32flash -o (page by page)" s32f -o
    stop_serve
}
