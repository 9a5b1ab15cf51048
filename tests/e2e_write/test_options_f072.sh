#!/bin/bash
# Option bytes on a virtual stm32f072rb (F0, RM0091 4.1: RDP 0xAA/0xCC, USER in FLASH_OBR
# 15:8): WRP of the second 4 KiB sector refuses writes, RDP 1 -> 0 needs --unlock and
# erases, level 2 exists and needs its confirmation.
PART=stm32f072rb
FW=blinky_f072
UNIT_ADDR=0x08001000
. "$(dirname "$0")/options_lib.sh"
run_options
