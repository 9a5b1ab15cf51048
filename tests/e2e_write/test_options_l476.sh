#!/bin/bash
# Option bytes on a virtual stm32l476rg (L4-style controller): WRP refuses writes naming the
# address, RDP 1 refuses programming and reads as protection, RDP 1 -> 0 needs --unlock and
# erases. The image is random data (the example firmware is covered by test_write_<tag>).
PART=stm32l476rg
FW=fw
UNIT_ADDR=0x08000800 # WRP unit 1 = page 1 (2 KiB pages, RM0351 WRP areas)
. "$(dirname "$0")/options_lib.sh"
EX=$TMP
head -c 12000 /dev/urandom >"$EX/fw.bin"
run --probe "$BOARD" option-bytes set bor_lev=3 --json
expect_rc 0 "set bor_lev=3"
expect_json '.option_bytes.fields.bor_lev == "3" and ((.option_bytes.raw[0] / 256 | floor) % 8) == 3' \
    "BOR_LEV in OPTR[10:8] after the option load"

# WRP has page granularity in each bank: page 257 (bank 2, page 1) protected alone is
# WRP2AR = 0x00010001; pages 256 and 258 beside it stay writable, page 1 of bank 1 too.
run --probe "$BOARD" option-bytes set 'wrp+=257' --json
expect_rc 0 "protect page 257 (bank 2 page 1)"
expect_json '.option_bytes.wrp == [257] and .option_bytes.wrp_units == 512' "one 2 KiB unit of 512"
expect_json '.option_bytes.raw[1] == 255 and .option_bytes.raw[3] == 65537' \
    "WRP1AR none (STRT 0xFF > END 0), WRP2AR = pages 1..1 of bank 2"
run --probe "$BOARD" option-bytes
expect_rc 0 "option-bytes (text)"
grep -qE '^wrp +257 ' "$TMP/out" || fail "the text names protected unit 257 (not a 64-bit mask): $OUT"
head -c 2048 /dev/urandom >"$TMP/page.bin"
run --probe "$BOARD" write "$TMP/page.bin" --addr 0x08080000
expect_rc 0 "page 256 (next to the protected page) is writable"
run --probe "$BOARD" write "$TMP/page.bin" --addr 0x08081000
expect_rc 0 "page 258 is writable"
run --probe "$BOARD" write "$TMP/page.bin" --addr 0x08000800
expect_rc 0 "page 1 of bank 1 is writable"
run --probe "$BOARD" write "$TMP/page.bin" --addr 0x08080800 --json
expect_rc 4 "page 257 is refused"
expect_json '[.findings[] | select(.id == "plan.write-protected")][0].evidence.address == "0x08080800"' \
    "the refusal names page 257"
run --probe "$BOARD" option-bytes set 'wrp-=257'
expect_rc 0 "clear page 257"
run --probe "$BOARD" erase --all
expect_rc 0 "erase before the common option-byte flow"
run_options
