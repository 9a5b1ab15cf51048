#!/bin/bash
# stprog against a virtual stm32f072rb (F0: the F1 flash controller on a Cortex-M0, DBGMCU at
# 0x40015800, 2 KiB pages): info, write in every format, read back, a second image, a
# partial-page write that keeps the other bytes, dry run, erase, blank-check.
PART=stm32f072rb
FW=blinky_f072
ERASED=FF
DEVICE="STM32F07x"
. "$(dirname "$0")/e2e_lib.sh"
run_all
