#!/bin/bash
# Requests with sizes and addresses at the ends of the 32-bit range are answered at once
# (Z2/Z3/Z4 with lengths up to 0xffffffff used to loop forever); SIGTERM always ends the
# server: a watchpoint request in hand, or a long load (then after a 2 s grace, by the
# signal), and the virtual board's state file is saved either way.
. "$(dirname "$0")/gdb_lib.sh"
PY="python3 -u $(dirname "$0")/rsp_client.py"

for part in stm32f407vg stm32f103c8; do
    start_server "sim:$part" --persist
    timeout 60 $PY "$PORT" arithmetic "$part" > "$WORK/arith.out" 2>&1 ||
        { cat "$WORK/arith.out" >&2; fail "arithmetic on $part"; }
    kill -TERM "$SRV_PID"
    wait_server_exit 10
done

# stop_during SCENARIO LIMIT: runs the scenario, sends SIGTERM once it says "sent", and
# expects the server gone within LIMIT seconds; SRV_RC is its exit status.
stop_during() {
    local scenario=$1 limit=$2
    rm -f "$WORK/client.out"
    $PY "$PORT" "$scenario" stm32f407vg > "$WORK/client.out" 2>&1 &
    local client=$!
    for _ in $(seq 300); do
        grep -q "^sent" "$WORK/client.out" && break
        sleep 0.1
    done
    grep -q "^sent" "$WORK/client.out" || fail "$scenario: the client did not get going: $(cat "$WORK/client.out")"
    sleep 0.3
    kill -TERM "$SRV_PID"
    wait_server_exit "$limit"
    kill "$client" 2>/dev/null
    wait "$client" 2>/dev/null
}

# The watchpoint of 4 GiB in hand: answered, then the server stops as asked.
state=$WORK/board.state
"$STPROG" -q write "$STPROG_BUILD/examples/blinky_f407.elf" --probe "sim:stm32f407vg,state=$state" ||
    fail "writing the example firmware"
cp "$state" "$WORK/before.state"
start_server "sim:stm32f407vg,state=$state" --persist
stop_during hang_z2 5
[ "$SRV_RC" -eq 0 ] || fail "SIGTERM after Z2 of 4 GiB: exit status $SRV_RC, expected 0"
"$STPROG" -q read 0x08000000 16 --probe "sim:stm32f407vg,state=$state" -o "$WORK/r.bin" ||
    fail "the state file does not load after the server stopped"

# A whole-flash load (seconds of programming) in hand: SIGTERM ends it 2 s later by the
# signal, the flash as far as it got saved in the state file, which loads.
start_server "sim:stm32f407vg,state=$state" --persist
inode=$(stat -c %i "$state")
t0=$(date +%s.%N)
stop_during busy_load 8
t1=$(date +%s.%N)
[ "$SRV_RC" -eq 143 ] || [ "$SRV_RC" -eq 0 ] ||
    fail "SIGTERM during a load: exit status $SRV_RC, expected 143 (or 0 had it finished)"
if [ "$SRV_RC" -eq 143 ]; then
    expect_in "$WORK/srv.err" "SIGTERM: stopped in the middle of a request" "the forced stop says so"
fi
echo "stopped in $(echo "$t1 - $t0" | bc) s with status $SRV_RC"
# Saved: a save renames a new file over the old (a new inode), whatever the flash holds by then.
[ "$(stat -c %i "$state")" != "$inode" ] || fail "the state file was not saved after the load began"
[ ! -e "$state.saving" ] || fail "$state.saving left behind"
"$STPROG" -q read 0x08000000 16 --probe "sim:stm32f407vg,state=$state" -o "$WORK/r.bin" ||
    fail "the state file does not load after the forced stop"
echo "ok: robust"
