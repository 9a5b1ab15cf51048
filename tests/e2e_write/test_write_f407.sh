#!/bin/bash
# stprog against a virtual stm32f407vg: info, write in every format, read back, a second image,
# a partial-sector write that keeps the other bytes, dry run, erase, blank-check.
PART=stm32f407vg
FW=blinky_f407
ERASED=FF
DEVICE="STM32F40x/F41x"
. "$(dirname "$0")/e2e_lib.sh"
run_all
