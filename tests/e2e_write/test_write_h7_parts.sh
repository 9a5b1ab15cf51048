#!/bin/bash
# The other H7 parts and bank 2: stm32h723zg (0x483, one bank of 1 MiB, one register set),
# stm32h750vb (0x450 with 128 KiB: sector 0 only), stm32h753zi (bank 2 at 0x08100000 with
# its own registers, sector numbers 8..15), the dual-core stm32h745zi and stm32h747xi (bank
# 2 through the M7's access port): write, verify, skip unchanged, erase a sector, erase
# everything, blank-check.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
. "$STPROG_SRC/tests/cli/shim_wrap.sh"

part_flow() { # PART FLASH_KB ADDR IMAGE_KB SECTOR
    local part=$1 kb=$2 addr=$3 image_kb=$4 sector=$5
    local board="sim:$part,state=$TMP/$part.state"
    head -c $((image_kb * 1024 - 4096)) /dev/urandom >"$TMP/$part.bin"
    run --probe "$board" info --json
    expect_rc 0 "$part info"
    expect_json ".target.flash_kb == $kb" "$part flash size"
    run --probe "$board" write "$TMP/$part.bin" --addr "$addr" --json
    expect_rc 0 "$part write at $addr"
    expect_json '.programmed and .verified' "$part programmed and verified"
    run --probe "$board" write "$TMP/$part.bin" --addr "$addr" --json
    expect_rc 0 "$part rewrite"
    expect_json '.plan.erase_count == 0 and .plan.program_bytes == 0' "$part identical: skipped"
    run --probe "$board" read "$addr" $((image_kb * 1024 - 4096)) -o "$TMP/$part.back.bin"
    cmp -s "$TMP/$part.back.bin" "$TMP/$part.bin" || fail "$part read-back differs"
    run --probe "$board" erase --sectors "$sector"
    expect_rc 0 "$part erase sector $sector"
    run --probe "$board" verify "$TMP/$part.bin" --addr "$addr"
    expect_rc 5 "$part sector $sector erased: verify differs"
    run --probe "$board" erase --all
    expect_rc 0 "$part erase --all"
    run --probe "$board" blank-check
    expect_rc 0 "$part blank after erase --all"
}

part_flow stm32h723zg 1024 0x08000000 1024 3
part_flow stm32h750vb 128 0x08000000 128 0
part_flow stm32h753zi 2048 0x08100000 512 9
# dual core (RM0399): the M7 on AP 0 programs bank 2, where the M4's program usually lives
part_flow stm32h745zi 2048 0x08100000 256 8
part_flow stm32h747xi 2048 0x08100000 128 8
finish
