# The server against a scripted client (rsp_client.py): qSupported, memory map with the
# real sector sizes, target description, malformed and oversized packets, a second client
# refused, the next client served, no-ack mode, monitor commands, Ctrl-C, breakpoints and
# watchpoints; and SIGTERM ends a --persist server cleanly.
. "$(dirname "$0")/gdb_lib.sh"
PY="python3 -u $(dirname "$0")/rsp_client.py"

for part in stm32f407vg stm32f103c8; do
    case $part in
        stm32f407vg) elf=blinky_f407.elf ;;
        *) elf=blinky_f103.elf ;;
    esac
    state=$WORK/$part.state
    "$STPROG" -q write "$STPROG_BUILD/examples/$elf" --probe "sim:$part,state=$state" ||
        fail "writing the example firmware"
    start_server "sim:$part,state=$state" --persist
    timeout 40 $PY "$PORT" hostile "$part" || fail "hostile client on $part"
    timeout 40 $PY "$PORT" serve_next "$part" || fail "next client on $part"
    expect_in "$WORK/srv.err" "refused a second gdb connection" "server logged the refusal"
    expect_in "$WORK/srv.err" "larger than PacketSize" "server logged the oversized packet"
    expect_in "$WORK/srv.err" "it sends no GDB packets" "server logged the garbage client"
    # gdb itself, as the second client, shows the refusal.
    # A file of this part's own: the shell truncates a reused one only when the background
    # client starts, and the last part's "holding" read meanwhile let gdb connect first.
    hold=$WORK/hold.$part.out
    rm -f "$WORK/release" "$hold"
    $PY "$PORT" hold "$WORK/release" > "$hold" 2>&1 &
    HOLD=$!
    # gdb must come second: wait (as long as a loaded machine needs) until the first holds.
    for _ in $(seq 300); do
        grep -q "holding" "$hold" 2>/dev/null && break
        kill -0 $HOLD 2>/dev/null || fail "the holding client ended: $(cat "$hold")"
        sleep 0.1
    done
    grep -q "holding" "$hold" 2>/dev/null || fail "the holding client did not connect in 30 s"
    timeout 20 gdb-multiarch -batch -nx -ex "target extended-remote :$PORT" > "$WORK/gdb2.out" 2>&1
    touch "$WORK/release"
    wait $HOLD || fail "the holding client failed: $(cat "$hold")"
    expect_in "$WORK/gdb2.out" "Remote failure reply: E.stprog gdbserver is busy: another gdb is connected" \
        "gdb shows why it was refused"
    kill -TERM "$SRV_PID"
    wait_server_exit 10
    [ "$SRV_RC" -eq 0 ] || fail "gdbserver --persist exit status $SRV_RC after SIGTERM"
done

# Not loopback unless asked; a bad --bind is a clear error.
"$STPROG" gdbserver --bind not-an-address --probe sim:stm32f103c8 > "$WORK/bind.out" 2>&1 &&
    fail "a bad --bind was accepted"
expect_in "$WORK/bind.out" "gdb.listen-failed" "bad --bind names the finding"
# A uart: probe (the ROM bootloader, served on a pty by sim-serve) has no core to debug.
"$STPROG" sim-serve sim:stm32f103c8,boot0=1 --link "$WORK/tty" > "$WORK/serve.out" 2>&1 &
SERVE=$!
for _ in $(seq 600); do [ -e "$WORK/tty" ] && break; sleep 0.05; done
[ -e "$WORK/tty" ] || { kill $SERVE; fail "sim-serve made no pty link in 30 s"; }
timeout 30 "$STPROG" gdbserver --port 0 --probe "uart:$WORK/tty" > "$WORK/uart.out" 2>&1 &&
    { kill $SERVE; fail "gdbserver accepted a uart: probe"; }
kill $SERVE 2>/dev/null
wait $SERVE 2>/dev/null
expect_in "$WORK/uart.out" "gdb.no-debug-port" "uart: probe refused with its finding"
echo "ok: protocol"
