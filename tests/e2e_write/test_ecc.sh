#!/bin/bash
# Flash words whose ECC code disagrees with their cells (ecc-error=: two bits, as a write cut
# short leaves them; ecc-single=: one bit, corrected), on H743 (both banks), L476 (bank 2),
# G431 and G071: read, verify and the pre-read of write name flash.ecc-error with the word's
# address, sector and bank (H7 answers the read with a bus error, L4/G0/G4 with wrong bits),
# write erases nothing, `erase --sectors N` (the advice) and a write make the sector good
# again; a single error reads the right bytes with a warning; a healthy board says nothing.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
. "$STPROG_SRC/tests/cli/shim_wrap.sh"

ev() { jq -r --arg k "$1" '[.findings[] | select(.id == "flash.ecc-error") | .evidence[$k]]
    | join(",")' "$TMP/out"; }
no_ecc() { [ "$(jq '[.findings[]? | select(.id == "flash.ecc-error")] | length' "$TMP/out")" = 0 ] ||
    fail "$1: flash.ecc-error on a good word: $OUT"; }

case_flow() { # PART WORD SECTOR SECTOR_ADDR IMAGE_BYTES BANK
    local part=$1 word=$2 sector=$3 base=$4 size=$5 bank=$6
    local board="sim:$part,ecc-error=$word,state=$TMP/$part-$word.st" what="$part $word"
    head -c "$size" /dev/urandom >"$TMP/img.bin"
    head -c "$size" /dev/zero | tr '\0' '\377' >"$TMP/blank.bin"
    run --probe "$board" read "$base" "$size" -o "$TMP/back.bin" --json
    expect_rc 1 "$what read"
    [ "$(ev address)" = "$word" ] || fail "$what read: address $(ev address): $OUT"
    [ "$(ev sector)" = "$sector" ] || fail "$what read: sector $(ev sector)"
    [ "$(ev bank)" = "$bank" ] || fail "$what read: bank $(ev bank)"
    [[ "$(ev ecc)" == double* ]] || fail "$what read: ecc $(ev ecc)"
    jq -r '.findings[0].advice' "$TMP/out" | grep -qF "erase --sectors $sector" ||
        fail "$what read: advice lacks erase --sectors $sector: $OUT"
    run --probe "$board" verify "$TMP/blank.bin" --addr "$base" --json
    expect_rc 1 "$what verify"
    [ "$(ev address)" = "$word" ] || fail "$what verify: address $(ev address): $OUT"
    expect_json '[.findings[] | select(.id == "verify.mismatch" or .id == "swd.ap-fault")]
        | length == 0' "$what verify: named as ECC only"
    run --probe "$board" write "$TMP/img.bin" --addr "$base" --json
    expect_rc 1 "$what write refused"
    [ "$(ev address)" = "$word" ] || fail "$what write: address $(ev address): $OUT"
    run --probe "$board" erase --sectors "$sector"
    expect_rc 0 "$what erase --sectors $sector"
    run --probe "$board" write "$TMP/img.bin" --addr "$base" --json
    expect_rc 0 "$what write after the erase"
    no_ecc "$what write after the erase"
    run --probe "$board" read "$base" "$size" -o "$TMP/back.bin" --json
    expect_rc 0 "$what read after the rewrite"
    no_ecc "$what read after the rewrite"
    cmp -s "$TMP/back.bin" "$TMP/img.bin" || fail "$what: read-back differs after the rewrite"
}

case_flow stm32h743zi 0x08021000 1 0x08020000 8192 1
case_flow stm32h743zi 0x081E0040 15 0x081E0000 8192 2
case_flow stm32l476rg 0x08081008 258 0x08081000 2048 2
case_flow stm32g431rb 0x08010010 32 0x08010000 2048 1
case_flow stm32g071rb 0x0801F808 63 0x0801F800 2048 1

# One bit: corrected on every read, a warning, the bytes right.
for pw in stm32h743zi:0x08000020 stm32g431rb:0x08000800; do
    part=${pw%%:*} word=${pw#*:}
    run --probe "sim:$part,ecc-single=$word" read "$word" 64 -o "$TMP/back.bin" --json
    expect_rc 0 "$part single read"
    [[ "$(ev ecc)" == single* ]] || fail "$part single: ecc $(ev ecc): $OUT"
    expect_json '[.findings[] | select(.id == "flash.ecc-error") | .severity] == ["warning"]' \
        "$part single: a warning"
    [ "$(od -An -v -tx1 "$TMP/back.bin" | tr -d ' \n' | tr -d f)" = "" ] ||
        fail "$part single: corrected bytes not erased"
done

# No false alarm: the same reads on healthy boards.
for part in stm32h743zi stm32l476rg stm32g071rb; do
    run --probe "sim:$part" read 0x08000000 8192 -o "$TMP/back.bin" --json
    expect_rc 0 "$part healthy read"
    no_ecc "$part healthy read"
done
finish
