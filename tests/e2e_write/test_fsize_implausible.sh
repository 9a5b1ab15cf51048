#!/bin/bash
# stm32l151cb whose flash-size register reads 0x6B80 (27520 KB as a half-word): reported,
# and the real 128 KB are programmed; an unreadable register falls back to the database.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
EX="$STPROG_BUILD/examples"
BOARD="sim:stm32l151cb,fsize=0x6B80,state=$TMP/board.state"
run --probe "$BOARD" info --json
expect_rc 0 "info"
expect_json '.target.flash_kb == 128' "128 KB used"
expect_json '[.findings[] | select(.id == "flash.size-implausible")] | length == 1' "reported"
expect_json '.findings[0].evidence.raw == "0x6B80"' "raw value as evidence"
# the last page of the real 128 KB
head -c 256 /dev/urandom >"$TMP/last.bin"
run --probe "$BOARD" write "$TMP/last.bin" --addr 0x0801FF00
expect_rc 0 "write the last page"
run --probe "$BOARD" verify "$TMP/last.bin" --addr 0x0801FF00
expect_rc 0 "verify the last page"
run --probe "$BOARD" write "$TMP/last.bin" --addr 0x08020000 --json
expect_rc 2 "beyond 128 KB"
expect_json '[.findings[] | select(.id == "plan.outside-flash")] | length == 1' "outside flash"
run --probe "sim:stm32f407vg,fsize=unreadable" info --json
expect_rc 0 "info with an unreadable register"
expect_json '[.findings[] | select(.id == "flash.size-unreadable")] | length == 1' "unreadable"
expect_json '.target.flash_size_read == false' "size assumed"
finish
