#!/bin/bash
# Option bytes on a virtual stm32f103c8: WRP refuses writes, RDP 1 -> 0 needs --unlock and erases.
PART=stm32f103c8
FW=blinky_f103
UNIT_ADDR=0x08001000
NO_RDP2=1 # RM0008: F1 has levels 0 and 1 only
. "$(dirname "$0")/options_lib.sh"
run_options
