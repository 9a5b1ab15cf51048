#!/bin/bash
# Option bytes on a virtual stm32h743zi (H7: FLASH_OPTSR/WPSN/BOOT through the _PRG registers
# and OPTSTART, no reset): WRP of sector 1 refuses a write there before anything is erased,
# RDP 1 refuses programming, RDP 1 -> 0 needs --unlock and erases both banks. Random data.
PART=stm32h743zi
FW=fw
UNIT_ADDR=0x08020000
. "$(dirname "$0")/options_lib.sh"
EX=$TMP
head -c 150000 /dev/urandom >"$EX/fw.bin"
run_options
