#!/bin/bash
# `erase --all` checks its result: worn sectors (board key worn=S: the erase leaves about one
# byte in 128 with a bit still programmed and sets no error flag, like flash past its erase
# cycles) must not pass as erased. The check is the on-target CRC of every 16 KiB block
# against the erased value; a healthy chip passes it and the whole flash is blank after.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"

head -c 65536 /dev/urandom >"$TMP/img.bin"
for part in stm32f407vg:2:0x08008000 stm32f103c8:5:0x08000000 stm32l152re:3:0x08000000; do
    IFS=: read -r name sector block <<<"$part"
    worn="sim:$name,worn=$sector,state=$TMP/$name-worn.state"
    run --probe "$worn" write "$TMP/img.bin"
    expect_rc 0 "$name: write 64 KiB"
    run --probe "$worn" erase --all --json
    expect_rc 1 "$name: erase --all with a worn sector fails"
    expect_json '.findings[0].id == "flash.erase-incomplete"' "$name: finding id"
    expect_json ".findings[0].evidence.first_block | startswith(\"$block\")" \
        "$name: names the first block that is not blank"
    run --probe "$worn" blank-check --json
    expect_rc 5 "$name: the flash really is not blank"

    healthy="sim:$name,state=$TMP/$name.state"
    run --probe "$healthy" write "$TMP/img.bin"
    expect_rc 0 "$name: write 64 KiB (healthy board)"
    run --probe "$healthy" erase --all --json
    expect_rc 0 "$name: erase --all on a healthy board"
    expect_json '.findings | length == 0' "$name: no finding on a healthy board"
    run --probe "$healthy" blank-check
    expect_rc 0 "$name: blank after erase --all"
done
finish
