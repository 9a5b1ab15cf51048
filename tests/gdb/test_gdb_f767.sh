# gdb-multiarch session through `stprog gdbserver` on the virtual stm32f767zi.
. "$(dirname "$0")/gdb_lib.sh"
. "$(dirname "$0")/gdb_session.sh"
gdb_session stm32f767zi blinky_f767.elf
