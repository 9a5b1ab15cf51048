# gdb's load goes through the planner: the bytes of a touched sector that the ELF does not
# cover are kept (gdb itself asked to erase the whole sector), sectors gdb did not touch are
# untouched, and a second identical load skips the programming.
. "$(dirname "$0")/gdb_lib.sh"
elf=$STPROG_BUILD/examples/blinky_f407.elf
state=$WORK/board.state
spec="sim:stm32f407vg,state=$state"
head -c 32768 /dev/urandom > "$WORK/old.bin"
"$STPROG" -q write "$WORK/old.bin" --addr 0x08000000 --probe "$spec" > /dev/null ||
    fail "writing the old contents"

for round in 1 2; do
    start_server "$spec"
    timeout 50 gdb-multiarch -batch -nx -ex "target extended-remote :$PORT" -ex load \
        -ex detach "$elf" > "$WORK/gdb.out" 2>&1 || { cat "$WORK/gdb.out"; fail "gdb load"; }
    expect_in "$WORK/gdb.out" "^Start address 0x0800" "load finished (round $round)"
    wait_server_exit 10
    cp "$WORK/srv.err" "$WORK/srv$round.err"
done
expect_in "$WORK/srv1.err" "loaded 296 bytes into flash: 1 sector\(s\) erased, 0 programmed without erase, 0 unchanged and skipped; 16088 bytes" \
    "first load: sector 0 erased, the rest of it kept"
expect_in "$WORK/srv2.err" "loaded 296 bytes into flash: 0 sector\(s\) erased, 0 programmed without erase, 1 unchanged and skipped" \
    "second load: nothing to do"

"$STPROG" verify "$elf" --probe "$spec" > "$WORK/verify.out" 2>&1 || fail "the ELF is not in flash"
"$STPROG" -q read 0x08000000 32K -o "$WORK/now.bin" --probe "$spec" > /dev/null ||
    fail "reading the flash back"
# The example ends below 0x08000200; from there to the end of sector 1 the old bytes remain.
cmp <(tail -c +513 "$WORK/old.bin") <(tail -c +513 "$WORK/now.bin") ||
    fail "gdb's load destroyed bytes of the sector the ELF does not cover"
cmp -s "$WORK/old.bin" "$WORK/now.bin" && fail "the flash still holds only the old contents"
echo "ok: load keeps the untouched bytes"
