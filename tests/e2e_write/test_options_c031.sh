#!/bin/bash
# Option bytes on a virtual stm32c031c6 (RM0490 FLASH_OPTR): the C0's fields decoded and
# settable -- BOR_EN 8, BORR_LEV [10:9] and BORF_LEV [12:11] (the other order than the G0's),
# nBOOT_SEL 24, nBOOT0 26, NRST_MODE [28:27] -- and read back from OPTR after the option
# load; then WRP, RDP 1 and RDP 1 -> 0 with --unlock as on every family.
PART=stm32c031c6
FW=fw
UNIT_ADDR=0x08000800
. "$(dirname "$0")/options_lib.sh"
EX=$TMP
head -c 12000 /dev/urandom >"$EX/fw.bin"
run --probe "$BOARD" option-bytes show --json
expect_rc 0 "show"
expect_json '.option_bytes.raw[0] == 4294967210' "factory OPTR 0xFFFFFFAA (BOR_EN set)"
expect_json '.option_bytes.fields.nboot_sel == "1" and .option_bytes.fields.nrst_mode == "3"' \
    "factory nBOOT_SEL 1, NRST_MODE 3"
run --probe "$BOARD" option-bytes set boren=1 --json
expect_rc 2 "the C0's key is bor_en"
run --probe "$BOARD" option-bytes set bor_en=0 borr_lev=1 borf_lev=2 --json
expect_rc 0 "set bor_en=0 borr_lev=1 borf_lev=2"
expect_json '((.option_bytes.raw[0] / 256 | floor) % 32) == (0 + 2 * 1 + 8 * 2)' \
    "OPTR[12:8] = BORF_LEV 10, BORR_LEV 01, BOR_EN 0 after the option load"
run --probe "$BOARD" option-bytes set nboot_sel=0 nboot0=0 nrst_mode=2 --json
expect_rc 0 "set nboot_sel=0 nboot0=0 nrst_mode=2"
expect_json '((.option_bytes.raw[0] / 16777216 | floor) % 32) == (0 + 2 * 1 + 4 * 0 + 8 * 2)' \
    "OPTR[28:24] = NRST_MODE 10, nBOOT0 0, nBOOT1 1, nBOOT_SEL 0"
run --probe "$BOARD" option-bytes set nrst_mode=4
expect_rc 2 "nrst_mode has two bits"
run --probe "$BOARD" option-bytes set nboot_sel=1 nboot0=1 nrst_mode=3 bor_en=1 borr_lev=0 borf_lev=0
expect_rc 0 "back to the factory values"
run_options
