#!/bin/bash
# F103 XL density (0x430, stm32f103zg): bank 2 (0x08080000 on) has its own FLASH_KEYR2, SR2,
# CR2 and AR2 (RM0008 3.3.3); the bank-1 registers do not reach it. A write into bank 2 and
# across both banks (through the SRAM loader and by direct register writes), a page erase in
# bank 2, a mass erase of both, an erase that leaves a page not blank (worn) reported as the
# failure it is, and the doctor's flash test on a healthy board. The cross-check with
# st-flash on the same board is in test_crosscheck_stflash.sh.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"

B="sim:stm32f103zg,state=$TMP/zg.state"
head -c 4096 /dev/urandom >"$TMP/r4k.bin"
head -c 1048576 /dev/urandom >"$TMP/r1m.bin"
blank_page() { head -c 2048 /dev/zero | tr '\0' '\377' >"$TMP/blank.bin"; }
blank_page

run --probe "$B" write "$TMP/r4k.bin" --addr 0x08080000
expect_rc 0 "write 4 KiB at the start of bank 2"
run --probe "$B" read 0x08080000 4096 -o "$TMP/back.bin"
expect_rc 0 "read bank 2"
cmp -s "$TMP/back.bin" "$TMP/r4k.bin" || fail "bank 2 holds other bytes than written"

run --probe "$B" write "$TMP/r1m.bin" --json
expect_rc 0 "write 1 MiB across both banks"
expect_json '.programmed and .verified' "1 MiB programmed and verified"
run --probe "$B" read 0x08000000 1M -o "$TMP/back.bin"
expect_rc 0 "read 1 MiB"
cmp -s "$TMP/back.bin" "$TMP/r1m.bin" || fail "1 MiB read back differs"

run --probe "$B" erase --sectors 256
expect_rc 0 "erase the first page of bank 2"
run --probe "$B" read 0x08080000 2048 -o "$TMP/p256.bin"
cmp -s "$TMP/p256.bin" "$TMP/blank.bin" || fail "page 256 is not blank after erase --sectors 256"
run --probe "$B" read 0x0807F800 4096 -o "$TMP/around.bin"
cmp -s <(head -c 2048 "$TMP/around.bin") <(tail -c +$((0x7F800 + 1)) "$TMP/r1m.bin" | head -c 2048) ||
    fail "page 255 (bank 1) changed by the erase of page 256"
cmp -s <(tail -c 2048 "$TMP/around.bin") "$TMP/blank.bin" || fail "page 256 read back not blank"
run --probe "$B" verify "$TMP/r1m.bin"
expect_rc 5 "the rest of the image is intact, page 256 differs"

# direct register writes (no SRAM loader) across the bank boundary
head -c 8192 /dev/urandom >"$TMP/r8k.bin"
run --probe "$B" write "$TMP/r8k.bin" --addr 0x0807F000 --no-loader
expect_rc 0 "write across the bank boundary without the loader"
run --probe "$B" read 0x0807F000 8192 -o "$TMP/back.bin"
cmp -s "$TMP/back.bin" "$TMP/r8k.bin" || fail "direct write across the boundary differs"

run --probe "$B" erase --all
expect_rc 0 "mass erase of both banks"
run --probe "$B" blank-check
expect_rc 0 "both banks blank after erase --all"

# an erase that did not erase is a failure, never "erased"
W="sim:stm32f103zg,worn=300,state=$TMP/worn.state"
run --probe "$W" write "$TMP/r1m.bin"
run --probe "$W" erase --sectors 300 --json
expect_rc 1 "erase of a worn bank-2 page fails"
expect_json '.findings[0].id == "flash.erase-incomplete"' "worn page: finding"
run --probe "$W" erase --sectors 300
expect_rc 1 "worn page (text)"
grep -q "erased sectors" "$TMP/out" && fail "a failed erase printed 'erased sectors'"

# the flash test passes on a healthy board (bank 2 included)
run --probe "sim:stm32f103zg" doctor --flash-test --yes --json
expect_rc 0 "doctor --flash-test on a healthy stm32f103zg"
expect_json '[.findings[] | select(.severity != "info")] | length == 0' "no finding"
finish
