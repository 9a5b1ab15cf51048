#!/bin/bash
# stprog against a virtual stm32f103c8: info, write in every format, read back, a second image,
# a partial-sector write that keeps the other bytes, dry run, erase, blank-check.
PART=stm32f103c8
FW=blinky_f103
ERASED=FF
DEVICE="STM32F10x medium density"
. "$(dirname "$0")/e2e_lib.sh"
run_all
