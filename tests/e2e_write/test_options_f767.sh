#!/bin/bash
# Option bytes on a virtual stm32f767zi: WRP refuses writes, RDP 1 -> 0 needs --unlock and erases.
PART=stm32f767zi
FW=blinky_f767
UNIT_ADDR=0x08008000
. "$(dirname "$0")/options_lib.sh"
run_options
