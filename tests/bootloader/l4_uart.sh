#!/bin/bash
# The ROM bootloader of the L4-type families (issue 13 defect 5): L476RG (two banks), G071RB
# (Cortex-M0+), G431RB, served by `stprog sim-serve` on a pty. stprog writes, verifies,
# reads, erases; stm32flash identifies, reads what stprog wrote, writes with verify and
# mass-erases; the flash is the board's, so SWD reads what the bootloader wrote. Write
# protection (Write Protect / Write Unprotect: WRP areas) and read protection (Readout
# Protect, Readout Unprotect: mass erase) end with OBL_LAUNCH, and SWD sees the option bytes
# the bootloader wrote. The ROM programs whole double words: 4 bytes sent alone fill their
# double word with 0xFF and the other half can no longer be written (NACK).
. "$(dirname "$0")/lib.sh"

uart() { "$STPROG" --probe "uart:$TTY" "$@"; }
# erased ADDR LEN WHAT: the range reads 0xFF over the bootloader (a whole-flash blank-check
# of the L476 costs 6 s on the line).
erased() {
    blank_file "$WORK/ff.bin" "$2"
    uart read "$1" "$2" -o "$WORK/erased.bin" >/dev/null 2>&1 || fail "$3: read $1"
    cmp -s "$WORK/ff.bin" "$WORK/erased.bin" || fail "$3: $1+$2 not erased"
}

for part in stm32l476rg:0x0415:0x415:10.3 stm32g071rb:0x0460:0x460:11.3 stm32g431rb:0x0468:0x468:13.4; do
    IFS=: read -r name pid dev ver <<<"$part"
    state="$WORK/$name.state"
    # 12292 bytes: not a whole number of double words (stprog pads to one).
    head -c 12292 /dev/urandom >"$WORK/fw.bin"

    serve "sim:$name,boot0=1,state=$state"
    uart info >"$WORK/i.out" 2>&1 || fail "$name: info over uart: $(cat "$WORK/i.out")"
    for want in "firmware bootloader $ver" "device ID $dev" "read protection: level 0" \
        "write protection: none"; do
        grep -qF "$want" "$WORK/i.out" || fail "$name: info lacks '$want': $(cat "$WORK/i.out")"
    done
    uart write "$WORK/fw.bin" >"$WORK/w.out" 2>&1 || fail "$name: write over uart: $(cat "$WORK/w.out")"
    grep -q "verified" "$WORK/w.out" || fail "$name: write did not verify: $(cat "$WORK/w.out")"
    uart read 0x08000000 12292 -o "$WORK/back.bin" >/dev/null 2>&1 || fail "$name: read over uart"
    check "$name: stprog reads back what it wrote" cmp "$WORK/fw.bin" "$WORK/back.bin"
    check "$name: stm32flash identifies" s32f
    grep -q "Device ID    : $pid" "$WORK/s32f.log" || fail "$name: stm32flash saw $(grep 'Device ID' "$WORK/s32f.log")"
    check "$name: stm32flash reads what stprog wrote" s32f -r "$WORK/s32.bin" -S 0x08000000:12292
    check "$name: ... the same bytes" cmp "$WORK/fw.bin" "$WORK/s32.bin"
    stop_serve
    "$STPROG" --probe "sim:$name,state=$state" read 0x08000000 12292 -o "$WORK/swd.bin" >/dev/null 2>&1 ||
        fail "$name: read over SWD"
    check "$name: SWD reads what the bootloader wrote" cmp "$WORK/fw.bin" "$WORK/swd.bin"

    # stm32flash writes (its last block ends inside a double word), stprog verifies.
    serve "sim:$name,boot0=1,state=$state"
    check "$name: stm32flash mass erase" s32f -o
    erased 0x08000000 12292 "$name: after stm32flash -o"
    check "$name: stm32flash writes and verifies" s32f -w "$WORK/fw.bin" -v
    uart verify "$WORK/fw.bin" >"$WORK/v.out" 2>&1 || fail "$name: stprog does not verify what stm32flash wrote: $(cat "$WORK/v.out")"
    uart erase --all >"$WORK/e.out" 2>&1 || fail "$name: erase --all: $(cat "$WORK/e.out")"
    erased 0x08000000 12292 "$name: after erase --all"

    # Write protection: pages 2-3 (one WRP area) refuse a write, Write Unprotect frees them.
    uart option-bytes set 'wrp+=2' 'wrp+=3' --json >"$WORK/o.json" 2>"$WORK/o.err" ||
        fail "$name: Write Protect 2,3: $(cat "$WORK/o.err")"
    jq -e '.option_bytes.wrp == [2, 3]' "$WORK/o.json" >/dev/null ||
        fail "$name: wrp after Write Protect: $(cat "$WORK/o.json")"
    head -c 2048 /dev/urandom >"$WORK/page.bin"
    uart write "$WORK/page.bin" --addr 0x08001000 >"$WORK/wp.out" 2>&1
    rc=$?
    [ $rc -eq 4 ] || fail "$name: write into protected page 2: exit $rc: $(cat "$WORK/wp.out")"
    stop_serve
    "$STPROG" --probe "sim:$name,state=$state" option-bytes show --json >"$WORK/swd.json" 2>&1
    jq -e '.option_bytes.wrp == [2, 3]' "$WORK/swd.json" >/dev/null ||
        fail "$name: SWD does not see pages 2-3 protected: $(cat "$WORK/swd.json")"
    serve "sim:$name,boot0=1,state=$state"
    uart option-bytes set wrp=none >"$WORK/o.out" 2>&1 || fail "$name: Write Unprotect: $(cat "$WORK/o.out")"
    uart write "$WORK/page.bin" --addr 0x08001000 >"$WORK/wp.out" 2>&1 ||
        fail "$name: write after Write Unprotect: $(cat "$WORK/wp.out")"

    # Read protection: level 1 refuses reads; back to level 0 erases the flash.
    uart option-bytes set rdp=1 >"$WORK/r.out" 2>&1 || fail "$name: Readout Protect: $(cat "$WORK/r.out")"
    uart read 0x08001000 16 -o "$WORK/x.bin" >"$WORK/r.out" 2>&1 &&
        fail "$name: read under RDP 1 succeeded"
    uart info >"$WORK/i.out" 2>&1
    grep -q "level 1" "$WORK/i.out" || fail "$name: info under RDP 1: $(cat "$WORK/i.out")"
    uart option-bytes set rdp=0 --unlock >"$WORK/r.out" 2>&1 ||
        fail "$name: Readout Unprotect: $(cat "$WORK/r.out")"
    erased 0x08000000 12292 "$name: after Readout Unprotect"
    stop_serve
    "$STPROG" --probe "sim:$name,state=$state" option-bytes show --json >"$WORK/swd.json" 2>&1
    jq -e '.option_bytes.rdp_level == 0' "$WORK/swd.json" >/dev/null ||
        fail "$name: SWD after Readout Unprotect: $(cat "$WORK/swd.json")"
done

# go on the G0 and G4: the example program starts, and the next command says the chip left
# its bootloader (bootloader.left), not wiring advice (issue 13 defect 5).
for pair in stm32g071rb:blinky_g071.bin stm32g431rb:blinky_g431.bin; do
    IFS=: read -r name fw <<<"$pair"
    serve "sim:$name,boot0=1"
    uart write "$STPROG_BUILD/examples/$fw" >"$WORK/w.out" 2>&1 || fail "$name: write $fw: $(cat "$WORK/w.out")"
    uart go 0x08000000 >"$WORK/go.out" 2>&1 || fail "$name: go: $(cat "$WORK/go.out")"
    uart info >"$WORK/gone.out" 2>&1
    [ $? -eq 3 ] && grep -q "bootloader.left" "$WORK/gone.out" ||
        fail "$name: after go: $(cat "$WORK/gone.out")"
    grep -q "TX on the chip's RX" "$WORK/gone.out" && fail "$name: after go, wiring advice: $(cat "$WORK/gone.out")"
done

# Bank 2 of the L476 (pages 256..511): stprog writes and erases there over the bootloader.
serve "sim:stm32l476rg,boot0=1"
head -c 4096 /dev/urandom >"$WORK/b2.bin"
uart write "$WORK/b2.bin" --addr 0x08080000 >"$WORK/w.out" 2>&1 || fail "l476 bank 2 write: $(cat "$WORK/w.out")"
uart read 0x08080000 4096 -o "$WORK/b2back.bin" >/dev/null 2>&1
check "l476: bank 2 reads back" cmp "$WORK/b2.bin" "$WORK/b2back.bin"
uart erase --sectors 256-257 >"$WORK/e.out" 2>&1 || fail "l476 bank 2 page erase: $(cat "$WORK/e.out")"
erased 0x08080000 4096 "l476: bank 2 after page erase"
finish
