#!/bin/bash
# A probe left mid-transfer by a killed process (issue 14): the next command works without a
# replug. The board is persisted (state=), so the virtual ST-Link keeps what the dead process
# left in it (FILE.probe): a write waiting for its data phase, or a reply nobody read. stprog
# empties the IN endpoint on open (as pyOCD does) and, when GET_VERSION still fails, resets
# the USB device and asks again (as OpenOCD does). STPROG_SIM_KILL=data:K|reply:K kills the
# process with SIGKILL the K-th time it leaves the probe in that state; a plain SIGKILL at a
# random moment of a write is tried too. In-process and through libusb (the shim).
set -e
. "$STPROG_SRC/tests/cli/lib.sh"
SHIM="$STPROG_BUILD/libstprog-usbsim.so"
head -c 32768 /dev/urandom >"$TMP/fw.bin"
head -c 4096 /dev/urandom >"$TMP/small.bin"

pending() { # what the dead process left in the probe, from the model's trace
    STPROG_SIM_TRACE=1 "$STPROG" -v -v --probe "$1" info 2>&1 >/dev/null |
        grep -o "probe state from the last process: .*" | head -1 || true
}

killed_write() { # SPEC HOOK: a write killed by the hook; must die by SIGKILL
    set +e
    STPROG_SIM_KILL=$2 "$STPROG" --probe "$1" write --no-loader "$TMP/fw.bin" >"$TMP/kout" 2>&1
    local rc=$?
    set -e
    [ "$rc" -eq 137 ] || fail "$1 $2: the write should die by SIGKILL, exit $rc: $(cat "$TMP/kout")"
}

for part in stm32f103c8 stm32f407vg; do
    for probe in v2 v2-1 v3; do
        for hook in data:5 reply:40 data:60; do
            rm -f "$TMP/b.state" "$TMP/b.state.probe"
            BOARD="sim:$part,probe=$probe,state=$TMP/b.state"
            killed_write "$BOARD" "$hook"
            [ -s "$TMP/b.state.probe" ] || fail "$BOARD: no probe state beside the board"
            # The next command works: info, then a write and a verify of the whole image.
            run --probe "$BOARD" info
            expect_rc 0 "info after a write killed at $hook ($part, $probe)"
            run --probe "$BOARD" write "$TMP/small.bin"
            expect_rc 0 "write after a write killed at $hook ($part, $probe)"
            run --probe "$BOARD" verify "$TMP/small.bin"
            expect_rc 0 "verify after a write killed at $hook ($part, $probe)"
        done
    done
done

# The model really keeps the state: a killed write leaves a pending data phase / reply that
# the next process finds (seen in the model's trace).
rm -f "$TMP/b.state" "$TMP/b.state.probe"
killed_write "sim:stm32f103c8,state=$TMP/b.state" data:5
p=$(pending "sim:stm32f103c8,state=$TMP/b.state")
case "$p" in *"a write waiting for its data"*) ;; *) fail "no pending data phase seen: '$p'" ;; esac
rm -f "$TMP/b.state" "$TMP/b.state.probe"
killed_write "sim:stm32f103c8,state=$TMP/b.state" reply:40
p=$(pending "sim:stm32f103c8,state=$TMP/b.state")
case "$p" in *"an uncollected reply"*) ;; *) fail "no pending reply seen: '$p'" ;; esac

# A plain SIGKILL at several moments of a long write (loader path and direct path).
head -c 131072 /dev/urandom >"$TMP/big.bin"
for delay in 0.05 0.2 0.4 0.7; do
    for mode in "" --no-loader; do
        rm -f "$TMP/b.state" "$TMP/b.state.probe"
        BOARD="sim:stm32f407vg,state=$TMP/b.state"
        "$STPROG" --probe "$BOARD" write $mode "$TMP/big.bin" >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        run --probe "$BOARD" write "$TMP/small.bin"
        expect_rc 0 "write after a SIGKILL ${delay}s into a write $mode"
        run --probe "$BOARD" verify "$TMP/small.bin"
        expect_rc 0 "verify after a SIGKILL ${delay}s into a write $mode"
    done
done

# Through libusb and the shim: the same recovery with a real USB stack (libusb_reset_device).
if [ -f "$SHIM" ]; then
    for hook in data:5 reply:40; do
        rm -f "$TMP/b.state" "$TMP/b.state.probe"
        SPEC="sim:stm32f103c8,state=$TMP/b.state"
        set +e
        LD_PRELOAD="$SHIM" STPROG_SIM="$SPEC" STPROG_SIM_KILL=$hook "$STPROG" --probe stlink \
            write --no-loader "$TMP/fw.bin" >"$TMP/kout" 2>&1
        rc=$?
        set -e
        [ "$rc" -eq 137 ] || fail "shim $hook: the write should die by SIGKILL, exit $rc"
        set +e
        LD_PRELOAD="$SHIM" STPROG_SIM="$SPEC" "$STPROG" --probe stlink write "$TMP/small.bin" \
            >"$TMP/out" 2>"$TMP/err"
        RC=$?
        set -e
        ERR=$(cat "$TMP/err")
        expect_rc 0 "write through the shim after a write killed at $hook"
    done
    # OpenOCD (proven on real probes) recovers the same way on the model: its GET_VERSION
    # times out, it resets the USB device and reads the version again (stlink_usb.c).
    # (not with a sanitizer-built shim: it cannot be preloaded into an uninstrumented tool)
    if command -v openocd >/dev/null && ! nm -D "$SHIM" 2>/dev/null | grep -q __asan_init; then
        rm -f "$TMP/b.state" "$TMP/b.state.probe"
        SPEC="sim:stm32f103c8,state=$TMP/b.state"
        LD_PRELOAD="$SHIM" STPROG_SIM="$SPEC" STPROG_SIM_KILL=data:5 "$STPROG" --probe stlink \
            write --no-loader "$TMP/fw.bin" >/dev/null 2>&1 || true
        set +e
        STPROG_SIM_TRACE=1 LD_PRELOAD="$SHIM" STPROG_SIM="$SPEC" timeout 120 openocd \
            -f interface/stlink.cfg -f target/stm32f1x.cfg -c init -c "mdw 0x08000000 1" \
            -c shutdown >"$TMP/ocd" 2>&1
        set -e
        grep -q "USB reset: the probe restarts" "$TMP/ocd" ||
            fail "OpenOCD did not reset the stuck probe: $(tail -5 "$TMP/ocd")"
        grep -q "^0x08000000: " "$TMP/ocd" ||
            fail "OpenOCD did not read the flash after its USB reset: $(tail -5 "$TMP/ocd")"
    fi
fi
finish
