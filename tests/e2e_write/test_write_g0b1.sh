#!/bin/bash
# stprog against a virtual stm32g0b1re with its example firmware (blinky_g0b1): info, write in
# every format, read back, skip unchanged, a second image, a partial-page write that keeps
# the other bytes, dry run, erase --all, blank-check.
PART=stm32g0b1re
FW=blinky_g0b1
ERASED=FF
DEVICE="STM32G0B1/G0C1"
. "$(dirname "$0")/e2e_lib.sh"
run_all
