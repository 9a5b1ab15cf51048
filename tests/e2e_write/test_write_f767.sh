#!/bin/bash
# stprog against a virtual stm32f767zi: info, write in every format, read back, a second image,
# a partial-sector write that keeps the other bytes, dry run, erase, blank-check.
PART=stm32f767zi
FW=blinky_f767
ERASED=FF
DEVICE="STM32F76x/F77x"
. "$(dirname "$0")/e2e_lib.sh"
run_all
