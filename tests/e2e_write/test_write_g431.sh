#!/bin/bash
# stprog against a virtual stm32g431rb with its example firmware (blinky_g431): info, write in
# every format, read back, a second image, a partial-page write that keeps the other bytes,
# dry run, erase, blank-check.
PART=stm32g431rb
FW=blinky_g431
ERASED=FF
DEVICE="STM32G431/G441"
. "$(dirname "$0")/e2e_lib.sh"
run_all
