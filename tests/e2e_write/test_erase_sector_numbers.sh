#!/bin/bash
# `erase --sectors N-M` takes the reference manual's sector numbers, as `write --dry-run`
# lists them. On a 1 MiB STM32F767 in dual-bank mode (nDBANK=0, RM0410 table 4) bank 1 is
# sectors 0-7 and bank 2 is sectors 12-19 at 0x08080000: number 12 is the 9th sector, so
# counting positions would erase the wrong sector.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"

board="sim:stm32f767zg,state=$TMP/f767zg.state"
head -c 1048576 /dev/urandom >"$TMP/img.bin"
run --probe "$board" option-bytes set ndbank=0
expect_rc 0 "dual-bank mode"
run --probe "$board" write "$TMP/img.bin"
expect_rc 0 "write 1 MiB"

run --probe "$board" erase --sectors 12-13
expect_rc 0 "erase --sectors 12-13"
expect_out "erased sectors 12-13" "says which sectors"
run --probe "$board" read 0x08080000 32768 -o "$TMP/s12.bin"
expect_rc 0 "read sectors 12-13"
cmp -s "$TMP/s12.bin" <(head -c 32768 /dev/zero | tr '\0' '\377') ||
    fail "sectors 12-13 (0x08080000, 2 x 16 KiB) are not erased"
# everything else still holds the image: bank 1 and bank-2 sectors 14-19
run --probe "$board" read 0x08000000 524288 -o "$TMP/bank1.bin"
cmp -s "$TMP/bank1.bin" <(head -c 524288 "$TMP/img.bin") || fail "bank 1 changed"
run --probe "$board" read 0x08088000 491520 -o "$TMP/rest.bin"
cmp -s "$TMP/rest.bin" <(tail -c 491520 "$TMP/img.bin") || fail "sectors 14-19 changed"

# numbers the device does not have are refused, naming the numbers it has
run --probe "$board" erase --sectors 8-12 --json
expect_rc 2 "sectors 8-12 (8-11 do not exist in dual-bank mode)"
expect_json '.findings[0].id == "erase.bad-sector-range"' "finding id"
expect_json '.findings[0].evidence.sector_numbers == "0-7, 12-19"' "names the numbers it has"
run --probe "$board" read 0x08000000 524288 -o "$TMP/bank1b.bin"
cmp -s "$TMP/bank1b.bin" "$TMP/bank1.bin" || fail "a refused erase changed bank 1"
finish
