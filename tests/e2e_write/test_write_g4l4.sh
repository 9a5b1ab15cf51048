#!/bin/bash
# The other G4 and L4/L4+ lines on the L4-style controller (virtual stm32g474re, stm32g491re,
# stm32l432kc, stm32l452re, stm32l496zg, stm32l4r5zi): info, write, verify, skip unchanged,
# read back, one page erased, erase --all over both banks, blank-check; then the bank-mode
# options: G474 DBANK (two banks of 2 KiB pages <-> one bank of 4 KiB pages, RM0440) and
# L4R5 DBANK (4 KiB <-> 8 KiB pages, RM0432): the page layout follows the option bit after
# the option reload, and a write, a page erase and erase --all work in both modes.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
. "$STPROG_SRC/tests/cli/shim_wrap.sh"

part_flow() { # PART DEVICE FLASH_KB PAGES ADDR PAGE_AT_ADDR
    local part=$1 device=$2 kb=$3 pages=$4 addr=$5 page=$6
    local board="sim:$part,state=$TMP/$part.state"
    run --probe "$board" info --json
    expect_rc 0 "$part info"
    expect_json ".target.name == \"$device\" and .target.flash_kb == $kb" "$part: device, size"
    expect_json ".target.sectors == $pages" "$part: $pages pages"
    head -c 20000 /dev/urandom >"$TMP/$part.bin"
    run --probe "$board" write "$TMP/$part.bin" --addr "$addr" --json
    expect_rc 0 "$part: write at $addr"
    expect_json '.programmed and .verified' "$part: programmed and verified"
    run --probe "$board" write "$TMP/$part.bin" --addr "$addr" --json
    expect_rc 0 "$part: rewrite"
    expect_json '.plan.erase_count == 0 and .plan.program_bytes == 0' "$part: identical: skipped"
    run --probe "$board" read "$addr" 20000 -o "$TMP/$part.back.bin"
    cmp -s "$TMP/$part.back.bin" "$TMP/$part.bin" || fail "$part: read-back differs"
    run --probe "$board" erase --sectors "$page"
    expect_rc 0 "$part: erase page $page (the first one written)"
    run --probe "$board" verify "$TMP/$part.bin" --addr "$addr"
    expect_rc 5 "$part: page erased: verify differs"
    run --probe "$board" erase --all
    expect_rc 0 "$part: erase --all"
    run --probe "$board" blank-check --json
    expect_rc 0 "$part: blank after erase --all"
}

# bank 2 of the dual-bank parts starts at the middle: write across the boundary
part_flow stm32g474re "STM32G47x/G48x" 512 256 0x0803F000 126
part_flow stm32g491re "STM32G49x/G4Ax" 512 256 0x08000000 0
part_flow stm32l432kc "STM32L43x/L44x" 256 128 0x08000000 0
part_flow stm32l452re "STM32L45x/L46x" 512 256 0x08000000 0
part_flow stm32l496zg "STM32L49x/L4Ax" 1024 512 0x0807F000 254
part_flow stm32l4r5zi "STM32L4R/L4S" 2048 512 0x080FF000 255

# bank-mode switch: PART OPTION SINGLE_PAGES SINGLE_PAGE_KB DUAL_PAGES
bank_mode() {
    local part=$1 opt=$2 spages=$3 skb=$4 dpages=$5
    local board="sim:$part,state=$TMP/$part.mode"
    run --probe "$board" option-bytes set "$opt=0" --json
    expect_rc 0 "$part: $opt=0"
    run --probe "$board" info --json
    expect_json ".target.sectors == $spages and .target.dual_bank == false" \
        "$part: one bank of $spages pages after the option reload"
    head -c $((skb * 1024 + 100)) /dev/urandom >"$TMP/m.bin"
    run --probe "$board" write "$TMP/m.bin" --json
    expect_rc 0 "$part: write in single-bank mode"
    head -c $((skb * 1024 + 100)) /dev/urandom >"$TMP/m2.bin"
    run --probe "$board" write "$TMP/m2.bin" --json
    expect_rc 0 "$part: rewrite in single-bank mode"
    expect_json ".plan.erase_count == 2 and ([.plan.sectors[] | select(.action == \"erase\") | .size] | unique == [$((skb * 1024))])" \
        "$part: two ${skb} KiB pages erased"
    run --probe "$board" verify "$TMP/m2.bin"
    expect_rc 0 "$part: verify in single-bank mode"
    run --probe "$board" erase --all
    expect_rc 0 "$part: erase --all in single-bank mode"
    run --probe "$board" blank-check
    expect_rc 0 "$part: blank in single-bank mode"
    run --probe "$board" option-bytes set "$opt=1" --json
    expect_rc 0 "$part: $opt=1"
    run --probe "$board" info --json
    expect_json ".target.sectors == $dpages and .target.dual_bank == true" \
        "$part: two banks, $dpages pages, after the option reload"
    run --probe "$board" write "$TMP/m2.bin" --json
    expect_rc 0 "$part: write in dual-bank mode"
    expect_json '.plan.erase_count == 0' "$part: blank pages need no erase"
    run --probe "$board" verify "$TMP/m2.bin"
    expect_rc 0 "$part: verify in dual-bank mode"
}
bank_mode stm32g474re dbank 128 4 256
bank_mode stm32l4r5zi dbank 256 8 512
finish
