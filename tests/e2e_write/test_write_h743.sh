#!/bin/bash
# stprog against a virtual stm32h743zi with its example firmware (blinky_h743, NUCLEO-H743ZI):
# info, write in every format, read back, a second image, a partial-sector write that keeps
# the other bytes, dry run, erase, blank-check. The flash word is 32 bytes, bank 2 has its own
# register set at 0x52002100, DBGMCU is at 0x5C001000.
PART=stm32h743zi
FW=blinky_h743
ERASED=FF
DEVICE="STM32H74x/H75x"
. "$(dirname "$0")/e2e_lib.sh"
run_all
