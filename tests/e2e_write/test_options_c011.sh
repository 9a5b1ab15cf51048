#!/bin/bash
# Option bytes on a virtual stm32c011f6 (G0-type controller): WRP refuses writes naming the
# address, RDP 1 refuses programming and reads as protection, RDP 1 -> 0 needs --unlock and
# erases. Random data (the example firmware is covered by test_write_c011).
PART=stm32c011f6
FW=fw
UNIT_ADDR=0x08000800
. "$(dirname "$0")/options_lib.sh"
EX=$TMP
head -c 12000 /dev/urandom >"$EX/fw.bin"
run_options
