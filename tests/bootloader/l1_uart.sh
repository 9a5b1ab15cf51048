#!/bin/bash
# The L1 ROM bootloader (issue 14): it has no mass erase (AN2606, the L1 bootloader's
# "important considerations": erase the pages one by one, or set and remove read protection).
# The virtual bootloader NACKs the mass-erase codes (Erase 0xFF, Extended Erase 0xFFFF) on L1
# (tests/bootloader/test_sim_bootloader.c); stprog's erase --all erases page by page there, as
# stm32flash does for L0/L1 (its -o on the L152RE below). Through
# `stprog sim-serve` on a pty: stm32flash and stprog write, read back and erase an L152RE
# (bootloader 4.0, Extended Erase) and an L151C8 (bootloader 2.0, Erase).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lx_uart.sh"
lx_flow stm32l152re stm32l151c8
lx_erase_all stm32l152re
finish
