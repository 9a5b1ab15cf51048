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
run_options
