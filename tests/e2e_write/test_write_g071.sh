#!/bin/bash
# stprog against a virtual stm32g071rb with its example firmware (blinky_g071): info, write in
# every format, read back, a second image, a partial-page write that keeps the other bytes,
# dry run, erase, blank-check.
PART=stm32g071rb
FW=blinky_g071
ERASED=FF
DEVICE="STM32G07x/G08x"
. "$(dirname "$0")/e2e_lib.sh"
run_all
