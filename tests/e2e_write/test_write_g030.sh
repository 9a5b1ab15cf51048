#!/bin/bash
# stprog against a virtual stm32g030f6 with its example firmware (blinky_g030): info, write in
# every format, read back, skip unchanged, a second image, a partial-page write that keeps
# the other bytes, dry run, erase --all, blank-check.
PART=stm32g030f6
FW=blinky_g030
ERASED=FF
DEVICE="STM32G03x/G04x"
. "$(dirname "$0")/e2e_lib.sh"
run_all
