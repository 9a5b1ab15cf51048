#!/bin/bash
# gdb's load through `stprog gdbserver` keeps its journal too: a board filled with random
# bytes, gdb loads the example firmware (296 bytes at the start of sector 0, whose other
# 16088 bytes must be kept) while the supply browns out in the erase (seeds 1 and 4): gdb
# reports the failure, the server says where the kept bytes are. The same load again
# without the fault puts them back (the server says so), and every byte of the flash
# outside the firmware equals the fill.
. "$STPROG_SRC/tests/cli/lib.sh"
CLI_TMP=$TMP
. "$STPROG_SRC/tests/gdb/gdb_lib.sh"
trap 'cleanup; rm -rf "$CLI_TMP"' EXIT
. "$STPROG_SRC/tests/journal/lib.sh"
FLASH_BASE=0x08000000
elf=$STPROG_BUILD/examples/blinky_f407.elf
bin=$STPROG_BUILD/examples/blinky_f407.bin
[ -f "$elf" ] && [ -f "$bin" ] || fail "example firmware not built"
state=$TMP/f4.state
prefill stm32f407vg "$state" 65536

gdb_load() { # gdb_load SPEC OUT: gdb's load through a fresh server; its output in OUT
    start_server "$1"
    timeout 50 gdb-multiarch -batch -nx -ex "target extended-remote :$PORT" -ex load \
        -ex detach "$elf" >"$2" 2>&1
    wait_server_exit 10
}

for seed in 1 4; do
    cp "$state.filled" "$state"
    gdb_load "sim:stm32f407vg,state=$state,supply=unstable,seed=$seed" "$WORK/gdb1.out"
    expect_in "$WORK/gdb1.out" "Error finishing flash operation" "seed $seed: gdb saw the failure"
    expect_in "$WORK/srv.err" "are safe in $JDIR/dev413-" \
        "seed $seed: the server says where the kept bytes are"
    [ "$(journal_count)" = 1 ] || fail "seed $seed: $(journal_count) journal(s) after the failure"
    gdb_load "sim:stm32f407vg,state=$state,seed=$seed" "$WORK/gdb2.out"
    expect_in "$WORK/gdb2.out" "^Start address 0x0800" "seed $seed: the load again finished"
    expect_in "$WORK/srv.err" "put back [0-9]+ saved bytes of sector\(s\) 0" \
        "seed $seed: the server says the kept bytes are back"
    [ "$(journal_count)" = 0 ] || fail "seed $seed: the journal is still there"
    expect_flash "sim:stm32f407vg,state=$state" 65536 "$state.fill" "$bin" 0x08000000 \
        "seed $seed"
    [ "$FAILS" = 0 ] || fail "seed $seed: the flash is not the fill with the firmware"
done
echo "ok: gdb load keeps its journal"
