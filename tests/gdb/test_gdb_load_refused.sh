# gdb's load of an ELF into a write-protected sector is refused by the planner before the
# sector is read or erased: gdb reports the load failed, the server names the protected
# sector (plan.write-protected), and the virtual board's counters (STPROG_SIM_REPORT) show
# no erase, no program and far less read than the 16 KiB sector.
. "$(dirname "$0")/gdb_lib.sh"
elf=$STPROG_BUILD/examples/blinky_f407.elf
state=$WORK/board.state
spec="sim:stm32f407vg,wrp=0x1,state=$state"
report=$WORK/report.json

STPROG_SIM_REPORT=$report start_server "$spec"
timeout 50 gdb-multiarch -batch -nx -ex "target extended-remote :$PORT" -ex load \
    -ex detach "$elf" > "$WORK/gdb.out" 2>&1
expect_in "$WORK/gdb.out" "Error finishing flash operation|Load failed" "gdb says the load failed"
grep -q "^Start address" "$WORK/gdb.out" && fail "gdb says the load finished"
wait_server_exit 10
expect_in "$WORK/srv.err" "plan\.write-protected|is write-protected and the image writes into it" \
    "the server names the protected sector"
[ -s "$report" ] || fail "no board report at $report"
erases=$(jq -r '.flash_erases + .mass_erases' "$report")
programs=$(jq -r .flash_programs "$report")
bytes_in=$(jq -r .bytes_in "$report")
[ "$erases" = 0 ] || fail "the refused load erased $erases sector(s)"
[ "$programs" = 0 ] || fail "the refused load programmed $programs unit(s)"
[ "$bytes_in" -lt 4096 ] ||
    fail "the refused load read $bytes_in bytes from the board (sector 0 is 16 KiB: it was read)"
echo "ok: load into a protected sector refused before reading it ($bytes_in bytes in)"
