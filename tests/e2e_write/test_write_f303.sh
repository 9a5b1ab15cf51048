#!/bin/bash
# stprog against a virtual stm32f303re (F3: the F1 flash controller on a Cortex-M4F, 2 KiB
# pages, CCM SRAM): info, write in every format, read back, a second image, a partial-page
# write that keeps the other bytes, dry run, erase, blank-check.
PART=stm32f303re
FW=blinky_f303
ERASED=FF
DEVICE="STM32F302xD/E/F303xD/E/F398"
. "$(dirname "$0")/e2e_lib.sh"
run_all
