#!/bin/bash
# stprog against a virtual stm32l476rg with its example firmware (blinky_l476): info, write in
# every format, read back, a second image, a partial-page write that keeps the other bytes,
# dry run, erase, blank-check.
PART=stm32l476rg
FW=blinky_l476
ERASED=FF
DEVICE="STM32L47x/L48x"
. "$(dirname "$0")/e2e_lib.sh"
run_all
