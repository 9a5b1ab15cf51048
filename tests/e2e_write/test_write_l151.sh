#!/bin/bash
# stprog against a virtual stm32l151cb: info, write in every format, read back, a second image,
# a partial-sector write that keeps the other bytes, dry run, erase, blank-check.
PART=stm32l151cb
FW=blinky_l151
ERASED=00
DEVICE="STM32L1xx cat.2"
. "$(dirname "$0")/e2e_lib.sh"
run_all
