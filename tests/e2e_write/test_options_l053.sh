#!/bin/bash
# Option bytes on a virtual stm32l053r8: WRP (4 KiB sectors) refuses writes, RDP 1 -> 0 needs
# --unlock and erases.
PART=stm32l053r8
FW=blinky_l053
UNIT_ADDR=0x08001000
. "$(dirname "$0")/options_lib.sh"
run_options
