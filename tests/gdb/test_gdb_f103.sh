# gdb-multiarch session through `stprog gdbserver` on the virtual stm32f103c8.
. "$(dirname "$0")/gdb_lib.sh"
. "$(dirname "$0")/gdb_session.sh"
gdb_session stm32f103c8 blinky_f103.elf
