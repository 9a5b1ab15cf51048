#!/bin/bash
# Option bytes on a virtual stm32f407vg: WRP refuses writes, RDP 1 -> 0 needs --unlock and erases.
PART=stm32f407vg
FW=blinky_f407
UNIT_ADDR=0x08004000
. "$(dirname "$0")/options_lib.sh"
run_options
