# The target misbehaves while gdb lets it run: a reset (reset-loop) ends in a stop reply
# with the console message gdb.target-reset; a target whose firmware turns the SWD pins off
# ends in SIGLOST (T1d) with the probe's finding, not in a hang; monitor doctor names a low
# supply.
. "$(dirname "$0")/gdb_lib.sh"
PY="python3 -u $(dirname "$0")/rsp_client.py"
state=$WORK/f407.state
"$STPROG" -q write "$STPROG_BUILD/examples/blinky_f407.elf" --probe "sim:stm32f407vg,state=$state" \
    > /dev/null || fail "writing the example firmware"

start_server "sim:stm32f407vg,state=$state,reset-loop=300"
timeout 40 $PY "$PORT" target_resets stm32f407vg || fail "target reset while running"
wait_server_exit 10
expect_in "$WORK/srv.err" "the target reset while it ran" "server noted the reset"

start_server "sim:stm32f407vg,state=$state,firmware=swd-off" --connect under-reset
timeout 40 $PY "$PORT" target_lost stm32f407vg || fail "target lost while running"
wait_server_exit 10
expect_in "$WORK/srv.err" "stopped answering while it ran" "server noted the lost target"
# monitor doctor diagnoses the attached board: a 1.6 V supply is named.
start_server "sim:stm32f407vg,vdd=1.6"
timeout 40 $PY "$PORT" doctor_finds power.voltage-low || fail "monitor doctor on a low supply"
wait_server_exit 10
echo "ok: target events"
