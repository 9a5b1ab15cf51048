#!/bin/bash
# Bank-2 sector numbers in `write --dry-run` on dual-bank parts: the reference manual numbers
# bank-2 sectors 12.. (RM0410 table 4 for the F76x with nDBANK=0, RM0090 table 6 for the 2 MiB
# F42x/F43x) while the controller's SNB field encodes them as 16.. (0b1xxxx). The plan shows
# the manual's numbers (table and --json); the erase must still program the SNB, so a real
# write over an already programmed range crossing into bank 2 erases and verifies.
# The range 0x080F0000 + 200000 bytes is sector 11 (bank 1, 128 KiB at 0x080E0000) and
# sectors 12-17 of bank 2 (4x16 KiB, 64 KiB, 128 KiB from 0x08100000) on both parts.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"

head -c 200000 /dev/urandom >"$TMP/a.bin"
head -c 200000 /dev/urandom >"$TMP/b.bin"
head -c 4096 /dev/urandom >"$TMP/marker.bin"

# check_part PART [SETUP...]: SETUP are option-bytes assignments putting the part in
# dual-bank mode (none when it always is).
check_part() {
    local part=$1
    shift
    local board="sim:$part,state=$TMP/$part.state"
    if [ $# -gt 0 ]; then
        run --probe "$board" option-bytes set "$@"
        expect_rc 0 "$part: option-bytes set $*"
    fi
    run --probe "$board" write "$TMP/marker.bin"
    expect_rc 0 "$part: marker at 0x08000000"
    run --probe "$board" write "$TMP/a.bin" --addr 0x080F0000
    expect_rc 0 "$part: first write across the bank boundary"

    run --probe "$board" write "$TMP/b.bin" --addr 0x080F0000 --dry-run --json
    expect_rc 0 "$part: dry run --json"
    expect_json '[.plan.sectors[].number] == [11, 12, 13, 14, 15, 16, 17]' \
        "$part: sector numbers as the manual numbers them"
    expect_json '[.plan.sectors[].bank] == [0, 1, 1, 1, 1, 1, 1]' "$part: banks"
    expect_json '[.plan.sectors[] | select(.number == 12)][0].address == 135266304' \
        "$part: sector 12 at 0x08100000"
    expect_json '[.plan.sectors[].action] | all(. == "erase")' "$part: every sector erased"

    run --probe "$board" write "$TMP/b.bin" --addr 0x080F0000 --dry-run
    expect_rc 0 "$part: dry run"
    grep -Eq '^12 +0x08100000 +16 KiB +erase' "$TMP/out" ||
        fail "$part: table row for sector 12 at 0x08100000 missing: $OUT"
    grep -Eq '^17 +0x08120000 +128 KiB +erase' "$TMP/out" ||
        fail "$part: table row for sector 17 at 0x08120000 missing: $OUT"
    if grep -Eq '^(18|19|20|21) ' "$TMP/out"; then
        fail "$part: table shows SNB numbers 18.. for bank 2: $OUT"
    fi

    STPROG_SIM_REPORT=$TMP/report.json run --probe "$board" write "$TMP/b.bin" --addr 0x080F0000
    expect_rc 0 "$part: write across the bank boundary"
    [ "$(jq -r .flash_erases "$TMP/report.json")" = 7 ] ||
        fail "$part: board counted $(jq -r .flash_erases "$TMP/report.json") sector erases, expected 7"
    run --probe "$board" read 0x080F0000 200000 -o "$TMP/back.bin"
    expect_rc 0 "$part: read back"
    cmp -s "$TMP/b.bin" "$TMP/back.bin" || fail "$part: flash differs from the image"
    run --probe "$board" verify "$TMP/marker.bin"
    expect_rc 0 "$part: bank-1 sector 0 untouched"
}

check_part stm32f767zi ndbank=0
check_part stm32f429zi
finish
