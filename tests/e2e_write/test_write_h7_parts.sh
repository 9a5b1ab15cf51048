#!/bin/bash
# The other H7 parts and bank 2: stm32h723zg (0x483, one bank of 1 MiB, one register set),
# stm32h750vb (0x450 with 128 KiB: sector 0 only), stm32h753zi (bank 2 at 0x08100000 with
# its own registers, sector numbers 8..15), the dual-core stm32h745zi and stm32h747xi (bank
# 2 through the M7's access port): write, verify, skip unchanged, erase a sector, erase
# everything, blank-check.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
. "$STPROG_SRC/tests/cli/shim_wrap.sh"

. "$(dirname "$0")/parts_lib.sh"

part_flow stm32h723zg 1024 0x08000000 1024 3
part_flow stm32h750vb 128 0x08000000 128 0
part_flow stm32h753zi 2048 0x08100000 512 9
# dual core (RM0399): the M7 on AP 0 programs bank 2, where the M4's program usually lives
part_flow stm32h745zi 2048 0x08100000 256 8
part_flow stm32h747xi 2048 0x08100000 128 8
finish
