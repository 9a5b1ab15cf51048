#!/bin/bash
# stprog against a virtual stm32g051k8 with its example firmware (blinky_g051): info, write in
# every format, read back, skip unchanged, a second image, a partial-page write that keeps
# the other bytes, dry run, erase --all, blank-check.
PART=stm32g051k8
FW=blinky_g051
ERASED=FF
DEVICE="STM32G05x/G06x"
. "$(dirname "$0")/e2e_lib.sh"
run_all
