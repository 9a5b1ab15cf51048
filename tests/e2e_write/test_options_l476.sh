#!/bin/bash
# Option bytes on a virtual stm32l476rg (L4-style controller): WRP refuses writes naming the
# address, RDP 1 refuses programming and reads as protection, RDP 1 -> 0 needs --unlock and
# erases. The image is random data (no example firmware for this family).
PART=stm32l476rg
FW=fw
UNIT_ADDR=0x08001000
. "$(dirname "$0")/options_lib.sh"
EX=$TMP
head -c 12000 /dev/urandom >"$EX/fw.bin"
run --probe "$BOARD" option-bytes set bor_lev=3 --json
expect_rc 0 "set bor_lev=3"
expect_json '.option_bytes.fields.bor_lev == "3" and ((.option_bytes.raw[0] / 256 | floor) % 8) == 3' \
    "BOR_LEV in OPTR[10:8] after the option load"
run_options
