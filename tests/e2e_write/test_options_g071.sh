#!/bin/bash
# Option bytes on a virtual stm32g071rb (L4-style controller): WRP refuses writes naming the
# address, RDP 1 refuses programming and reads as protection, RDP 1 -> 0 needs --unlock and
# erases. The image is random data (the example firmware is covered by test_write_<tag>).
PART=stm32g071rb
FW=fw
UNIT_ADDR=0x08000800
. "$(dirname "$0")/options_lib.sh"
EX=$TMP
head -c 12000 /dev/urandom >"$EX/fw.bin"
run --probe "$BOARD" option-bytes set bor_lev=1 --json
expect_rc 2 "the G0 has no BOR_LEV field"
expect_json '[.findings[] | select(.id == "option.unknown-key")] | length == 1' "unknown key on G0"
# G0 BOR (RM0444 FLASH_OPTR): BOREN bit 8, BORF_LEV [10:9], BORR_LEV [12:11]
run --probe "$BOARD" option-bytes set boren=1 borf_lev=2 borr_lev=1 --json
expect_rc 0 "set boren=1 borf_lev=2 borr_lev=1"
expect_json '.option_bytes.fields.boren == "1" and .option_bytes.fields.borf_lev == "2" and .option_bytes.fields.borr_lev == "1"' \
    "the G0 BOR fields read back"
expect_json '((.option_bytes.raw[0] / 256 | floor) % 32) == (1 + 2 * 2 + 8 * 1)' \
    "OPTR[12:8] = BORR_LEV 01, BORF_LEV 10, BOREN 1 after the option load"
run --probe "$BOARD" option-bytes set borf_lev=4
expect_rc 2 "borf_lev has two bits"
run_options
