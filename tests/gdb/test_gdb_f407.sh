# gdb-multiarch session through `stprog gdbserver` on the virtual stm32f407vg.
. "$(dirname "$0")/gdb_lib.sh"
. "$(dirname "$0")/gdb_session.sh"
gdb_session stm32f407vg blinky_f407.elf
