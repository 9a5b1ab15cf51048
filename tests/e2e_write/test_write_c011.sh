#!/bin/bash
# stprog against a virtual stm32c011f6 with its example firmware (blinky_c011): info, write in
# every format, read back, skip unchanged, a second image, a partial-page write that keeps
# the other bytes, dry run, erase --all, blank-check.
PART=stm32c011f6
FW=blinky_c011
ERASED=FF
DEVICE="STM32C011"
. "$(dirname "$0")/e2e_lib.sh"
run_all
