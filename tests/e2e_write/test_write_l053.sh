#!/bin/bash
# stprog against a virtual stm32l053r8 (L0: the L1's flash interface at 0x40022000, 128-byte
# pages, 64-byte half pages) with its example firmware: info, write in every format, read
# back, a second image, a partial-page write that keeps the other bytes, dry run, erase,
# blank-check.
PART=stm32l053r8
FW=blinky_l053
ERASED=00
DEVICE="STM32L05x/L06x (cat. 3)"
. "$(dirname "$0")/e2e_lib.sh"
run_all
