#!/bin/bash
# A write stopped by Ctrl-C (SIGINT) or killed (SIGKILL) part way loses nothing. The journal
# is on disk before the first erase, so it is there whenever the process dies in the write
# phase; the board keeps what the interrupted write left (SIGINT: the virtual board saves its
# state from the signal handler, as a real chip keeps a half-erased sector). A SIGKILL ends
# the board model too, before it can save: the test then scribbles over the journal's
# sectors itself (a write with another journal directory), which is what a real kill during
# an erase can leave. The same write again puts the kept bytes back: every byte outside the
# image equals the fill, byte by byte.
set -e
. "$STPROG_SRC/tests/cli/lib.sh"
. "$STPROG_SRC/tests/journal/lib.sh"
FLASH_BASE=0x08000000
F4=stm32f407vg
state="$TMP/f4.state"
prefill $F4 "$state" 1048576
# 600 KiB from the middle of sector 1: sectors 1-8, the first and the last only in part.
random_file "$TMP/big.bin" 614400 big
ADDR=0x08004100
SPEC="sim:$F4,state=$state"

# write_and_signal SIG PHASE [OPTION...]: the write, signalled at its first progress line of
# PHASE (stderr is not a terminal: lines at 25 % steps). Exit code in $RC.
write_and_signal() {
    local sig=$1 phase=$2 fifo="$TMP/err.fifo"
    shift 2
    rm -f "$fifo"
    mkfifo "$fifo"
    "$STPROG" --probe "$SPEC" write "$TMP/big.bin" --addr $ADDR "$@" >"$TMP/out" 2>"$fifo" &
    local pid=$!
    {
        local sent=0 line
        while IFS= read -r line; do
            echo "$line" >>"$TMP/err"
            if [ $sent = 0 ] && [[ "$line" == "$phase:"* ]]; then
                kill "-$sig" "$pid"
                sent=1
            fi
        done
    } <"$fifo"
    set +e
    wait "$pid"
    RC=$?
    set -e
}

# SIGINT: the process ends by the signal, says where the kept bytes are, and the flash holds
# what the write left: by direct register writes (no SRAM loader) every sector is erased
# before the first is programmed, and Ctrl-C comes in the program phase.
cp "$state.filled" "$state"
: >"$TMP/err"
write_and_signal INT program --no-loader
[ "$RC" = 130 ] || fail "SIGINT: exit status $RC, expected 130: $(cat "$TMP/err")"
[ "$(journal_count)" = 1 ] || fail "SIGINT: $(journal_count) journal(s) after the interrupt"
grep -q "bytes it keeps are saved in $JDIR/" "$TMP/err" ||
    fail "SIGINT: the interrupt line does not say where the kept bytes are: $(cat "$TMP/err")"
run --probe "$SPEC" write "$TMP/big.bin" --addr $ADDR --json
expect_rc 0 "the write again after SIGINT"
expect_json '[.findings[] | select(.id == "journal.applied")] | length == 1' \
    "the write after SIGINT applies the journal"
[ "$(journal_count)" = 0 ] || fail "SIGINT: the journal is still there after the rerun"
expect_flash "$SPEC" 1048576 "$state.fill" "$TMP/big.bin" $ADDR "after SIGINT"

# SIGKILL (through the SRAM loader, in its write phase): nothing runs after it; the journal
# is there all the same.
cp "$state.filled" "$state"
: >"$TMP/err"
write_and_signal KILL write
[ "$RC" = 137 ] || fail "SIGKILL: exit status $RC, expected 137"
[ "$(journal_count)" = 1 ] || fail "SIGKILL: $(journal_count) journal(s) after the kill"
# What a kill during the erases leaves on a real chip: sectors 1 and 8 (the partly rewritten
# ones, whose kept bytes are in the journal) half erased.
head -c 16384 /dev/urandom | tr '\000-\077' '\377' >"$TMP/half1.bin"
head -c 131072 /dev/urandom | tr '\000-\077' '\377' >"$TMP/half8.bin"
run --probe "$SPEC" --journal "$TMP/elsewhere" write "$TMP/half1.bin" --addr 0x08004000
expect_rc 0 "scribbling over sector 1"
run --probe "$SPEC" --journal "$TMP/elsewhere" write "$TMP/half8.bin" --addr 0x08080000
expect_rc 0 "scribbling over sector 8"
run --probe "$SPEC" write "$TMP/big.bin" --addr $ADDR --json
expect_rc 0 "the write again after SIGKILL"
[ "$(journal_count)" = 0 ] || fail "SIGKILL: the journal is still there after the rerun"
expect_flash "$SPEC" 1048576 "$state.fill" "$TMP/big.bin" $ADDR "after SIGKILL"
finish
