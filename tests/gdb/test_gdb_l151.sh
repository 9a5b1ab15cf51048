# gdb-multiarch session through `stprog gdbserver` on the virtual stm32l151cb (the L151
# example is linked for 16 KiB of SRAM: the 10 KiB stm32l151c8 cannot run it).
. "$(dirname "$0")/gdb_lib.sh"
. "$(dirname "$0")/gdb_session.sh"
gdb_session stm32l151cb blinky_l151.elf
