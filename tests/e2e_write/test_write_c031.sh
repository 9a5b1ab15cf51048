#!/bin/bash
# stprog against a virtual stm32c031c6 with its example firmware (blinky_c031): info, write in
# every format, read back, skip unchanged, a second image, a partial-page write that keeps
# the other bytes, dry run, erase --all, blank-check.
PART=stm32c031c6
FW=blinky_c031
ERASED=FF
DEVICE="STM32C031"
. "$(dirname "$0")/e2e_lib.sh"
run_all
