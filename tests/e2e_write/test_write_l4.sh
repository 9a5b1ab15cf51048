#!/bin/bash
# stprog against virtual boards with the L4-style flash controller (stm32g071rb,
# stm32g431rb, stm32l476rg): info, write (blank flash, then a different image that needs
# page erases), read back, a 16-byte write inside a page that keeps the other bytes, a
# write into bank 2 of the L476, erase --all, blank-check. Random images (sizes and bank
# crossings the example firmware does not reach; it is written by test_write_<tag>).
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"

check_part() {
    local part=$1 device=$2 kb=$3
    local board="sim:$part,state=$TMP/$part.state"
    run --probe "$board" info --json
    expect_rc 0 "$part info"
    expect_json ".target.name == \"$device\"" "$part: info names the device"
    expect_json ".target.flash_kb == $kb" "$part: flash size"

    head -c 20000 /dev/urandom >"$TMP/a.bin"
    run --probe "$board" write "$TMP/a.bin" --json
    expect_rc 0 "$part: write into blank flash"
    expect_json '.programmed and .verified' "$part: programmed and verified"
    run --probe "$board" read 0x08000000 20000 -o "$TMP/back.bin"
    expect_rc 0 "$part: read back"
    cmp -s "$TMP/back.bin" "$TMP/a.bin" || fail "$part: read-back differs"

    # a different image: every page it covers must be erased first (10 pages of 2 KiB)
    head -c 20000 /dev/urandom >"$TMP/b.bin"
    run --probe "$board" write "$TMP/b.bin" --json
    expect_rc 0 "$part: write a different image"
    expect_json '.plan.erase_count == 10' "$part: ten 2 KiB pages erased"
    run --probe "$board" verify "$TMP/b.bin"
    expect_rc 0 "$part: verify the second image"
    run --probe "$board" verify "$TMP/a.bin" --json
    expect_rc 5 "$part: the first image no longer matches"

    # 16 bytes inside page 1: the rest of the page survives
    head -c 16 /dev/urandom >"$TMP/patch.bin"
    run --probe "$board" write "$TMP/patch.bin" --addr 0x08000840 --json
    expect_rc 0 "$part: partial-page write"
    expect_json '.plan.erase_count == 1' "$part: one page erased"
    python3 - "$TMP/b.bin" "$TMP/patch.bin" "$TMP/want.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[0x840:0x850] = open(sys.argv[2], 'rb').read()
open(sys.argv[3], 'wb').write(d)
PY
    run --probe "$board" read 0x08000000 20000 -o "$TMP/back2.bin"
    cmp -s "$TMP/back2.bin" "$TMP/want.bin" || fail "$part: partial write lost bytes"

    # 4 bytes: the planner widens to the 8-byte double word (the other 4 stay erased)
    printf '\x11\x22\x33\x44' >"$TMP/four.bin"
    run --probe "$board" write "$TMP/four.bin" --addr 0x08010000
    expect_rc 0 "$part: 4-byte write widened to a double word"
    run --probe "$board" read 0x08010000 8 -o "$TMP/eight.bin"
    [ "$(od -An -tx1 "$TMP/eight.bin" | tr -d ' \n')" = 11223344ffffffff ] ||
        fail "$part: double word after a 4-byte write: $(od -An -tx1 "$TMP/eight.bin")"

    run --probe "$board" erase --all
    expect_rc 0 "$part: erase --all"
    run --probe "$board" blank-check --json
    expect_rc 0 "$part: blank after erase --all"
    expect_json '.blank' "$part: blank"
}

# A fresh 64 KiB write goes through the SRAM loader (M4 build on L4/G4, ARMv6-M build on the
# G0's Cortex-M0+): one program operation per double word, virtual time near the bound of
# 8192 x tprog (DS12232 85 us, DS10198/DS12589 81.69/81.7 us), far below the direct path's
# one probe exchange per few double words (about 4 s for 64 KiB on the G0).
loader_speed() {
    local part=$1 tprog_us=$2
    local board="sim:$part,state=$TMP/speed-$part.state"
    head -c 65536 /dev/urandom >"$TMP/s.bin"
    set +e
    STPROG_SIM_REPORT="$TMP/rep.json" "$STPROG" --probe "$board" write "$TMP/s.bin" \
        >"$TMP/out" 2>"$TMP/err"
    RC=$?
    set -e
    expect_rc 0 "$part: 64 KiB write"
    [ "$(jq -r .flash_programs "$TMP/rep.json")" = 8192 ] ||
        fail "$part: $(jq -r .flash_programs "$TMP/rep.json") program operations, expected 8192"
    python3 -c "import sys; t = $(jq -r .virtual_seconds "$TMP/rep.json"); b = 8192 * $tprog_us / 1e6
sys.exit(0 if b <= t < b + 0.6 else 1)" ||
        fail "$part: $(jq -r .virtual_seconds "$TMP/rep.json") s for 64 KiB (bound 8192 x $tprog_us us)"
    run --probe "$board" verify "$TMP/s.bin"
    expect_rc 0 "$part: verify after the loader write"
}
loader_speed stm32g071rb 85
loader_speed stm32g431rb 81.7
loader_speed stm32l476rg 81.69

check_part stm32g071rb "STM32G07x/G08x" 128
check_part stm32g431rb "STM32G431/G441" 128
check_part stm32l476rg "STM32L47x/L48x" 1024

# L476 bank 2 (0x08080000, pages erased with BKER)
board="sim:stm32l476rg,state=$TMP/stm32l476rg.state"
head -c 6000 /dev/urandom >"$TMP/c.bin"
run --probe "$board" write "$TMP/c.bin" --addr 0x0807F000 --json
expect_rc 0 "l476: write across the bank boundary"
run --probe "$board" write "$TMP/b.bin" --addr 0x0807F000 --json
expect_rc 0 "l476: rewrite across the bank boundary"
expect_json '.plan.erase_count == 3 and ([.plan.sectors[] | select(.action == "erase") | .bank] == [0, 0, 1])' \
    "l476: the three written pages of both banks erased"
run --probe "$board" verify "$TMP/b.bin" --addr 0x0807F000
expect_rc 0 "l476: verify across the bank boundary"
finish
