#!/bin/bash
# Option bytes on a virtual stm32f303re (F3, RM0316 4.1): WRP of the second 4 KiB unit
# refuses writes, RDP 1 -> 0 needs --unlock and erases, level 2 needs its confirmation.
PART=stm32f303re
FW=blinky_f303
UNIT_ADDR=0x08001000
. "$(dirname "$0")/options_lib.sh"
run_options
