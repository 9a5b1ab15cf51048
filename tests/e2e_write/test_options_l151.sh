#!/bin/bash
# Option bytes on a virtual stm32l151cb: WRP refuses writes, RDP 1 -> 0 needs --unlock and erases.
PART=stm32l151cb
FW=blinky_l151
UNIT_ADDR=0x08001000
. "$(dirname "$0")/options_lib.sh"
run_options
