#!/bin/bash
# The L0 ROM bootloaders (AN2606: IDs 0xC3 on L01x/L02x, 0xC0 on L031/L05x, 0x41 on L07x; no
# mass erase, as on the L1). Through `stprog sim-serve` on a pty: stprog writes, verifies,
# reads back and erases (page by page: 128-byte pages, 64-byte half pages) every L0 part;
# stm32flash reads the same bytes, writes with page erase, and erases all page by page.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lx_uart.sh"
lx_flow stm32l053r8 stm32l073rz stm32l011k4 stm32l031k6
lx_erase_all stm32l053r8
finish
