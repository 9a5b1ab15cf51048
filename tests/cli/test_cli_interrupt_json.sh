#!/bin/bash
# Ctrl-C (SIGINT) or SIGTERM in the middle of write, erase, read or verify under --json:
# stdout holds exactly one JSON document (status "interrupted", the exit code the shell
# sees, what was interrupted, whether the flash may hold a partial image), the same facts
# as the line on stderr, and the process still ends by the signal (exit status 128+N).
set -u
. "$STPROG_SRC/tests/cli/lib.sh"
cd "$TMP"
SERVE_PID=
stop_serve() {
    [ -n "$SERVE_PID" ] || return 0
    kill "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
    SERVE_PID=
}
trap 'stop_serve; rm -rf "$TMP"' EXIT

# start ARGS...: runs stprog ARGS in the background (stdout to $TMP/out, stderr to $TMP/err).
start() {
    "$STPROG" "$@" >"$TMP/out" 2>"$TMP/err" &
    PID=$!
}

# stop SIG: sends SIG to the command started last and waits for it; exit status in $RC.
stop() {
    kill "-$1" "$PID" 2>/dev/null || true
    set +e
    wait "$PID"
    RC=$?
    set -e
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
}

# check_interrupted WHAT SIG CODE: the document says status "interrupted" with exit code
# CODE (also the process's exit status) and signal SIG; its finding cli.interrupted says
# what the stderr line says; "flash may be partial" exactly when the phase changed flash
# (or came after one that did: the caller passes CHANGED=1 for those).
check_interrupted() {
    local what=$1 sig=$2 code=$3
    [ "$RC" -eq "$code" ] || fail "$what: exit status $RC, expected $code"
    expect_json ".status == \"interrupted\" and .exit_code == $code" "$what"
    expect_json ".interrupted.signal == \"$sig\" and .command == \"$CMD\"" "$what: signal, command"
    expect_json '[.findings[] | select(.id == "cli.interrupted")] | length == 1' "$what: finding"
    local msg line
    msg=$(jq -r '.findings[0].message' "$TMP/out")
    line=$(grep "interrupted" "$TMP/err" | tail -1)
    case "$line" in
    "stprog: $msg"*) ;;
    *) fail "$what: stderr line '$line' does not say what the document says ('$msg')" ;;
    esac
    local partial
    partial=$(jq -r '.interrupted.flash_may_be_partial' "$TMP/out")
    if [ "$partial" = true ]; then
        grep -q "the flash may hold a partly erased or partly written image" <<<"$line" ||
            fail "$what: document says partial, stderr does not: $line"
        expect_json '.findings[0].advice == "run the command again to finish" and
            .findings[0].evidence.flash_may_be_partial == "yes"' "$what: advice"
    else
        grep -q "partly" <<<"$line" && fail "$what: document says not partial, stderr does: $line"
        expect_json '.findings[0].evidence.flash_may_be_partial == "no"' "$what: evidence"
    fi
}

# --- write and verify of a file that is not there yet (a FIFO): interrupted in start-up ---
mkfifo fw.bin
CMD=write
start --json write fw.bin --probe sim:stm32f407vg
exec 3>fw.bin # returns once stprog has opened the file: its handlers are in place
stop INT
exec 3>&-
check_interrupted "write in start-up" SIGINT 130
expect_json '.interrupted.phase == "start-up" and .interrupted.flash_may_be_partial == false' \
    "write in start-up: phase"
CMD=verify
start --json verify fw.bin --probe sim:stm32f407vg
exec 3>fw.bin
stop TERM
exec 3>&-
check_interrupted "verify, SIGTERM" SIGTERM 143
expect_json '.interrupted.phase == "start-up"' "verify, SIGTERM: phase"
rm -f fw.bin

# --- write of 1 MB (about 5 s of the loader on the virtual core): interrupted while it
# writes, the document says the flash may hold a partial image ---
head -c 1000000 /dev/urandom >big.bin
CMD=write
start --json write big.bin --probe sim:stm32f407vg
sleep 1.5
stop INT
if [ "$RC" -eq 0 ]; then
    echo "note: the write finished before it could be interrupted; check skipped"
    expect_json '.status == "ok"' "uninterrupted write"
else
    check_interrupted "write of 1 MB" SIGINT 130
    phase=$(jq -r .interrupted.phase "$TMP/out")
    case "$phase" in
    write | verify) expect_json '.interrupted.flash_may_be_partial == true' "write during $phase" ;;
    start-up | read) expect_json '.interrupted.flash_may_be_partial == false' "write during $phase" ;;
    *) fail "write of 1 MB: unexpected phase '$phase'" ;;
    esac
fi

# --- read and erase over the ROM bootloader (a pty served by sim-serve), the server stopped
# (SIGSTOP): stprog waits up to 3 s for the bootloader's answer in its start-up ---
timeout --foreground -s TERM 120 "$STPROG" sim-serve "sim:stm32f407vg,boot0=1" \
    --link "$TMP/tty" >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVE_PID=$!
for _ in $(seq 400); do
    [ -e "$TMP/tty" ] && [ -s "$TMP/serve.out" ] && break
    sleep 0.05
done
[ -e "$TMP/tty" ] || fail "sim-serve did not start: $(cat "$TMP/serve.err")"
# the server is `timeout`'s child
SERVER=$(pgrep -P "$SERVE_PID" | head -1)
[ -n "$SERVER" ] || SERVER=$SERVE_PID
for CMD in read erase; do
    kill -STOP "$SERVER"
    if [ "$CMD" = read ]; then
        start --json read 0x08000000 0x100000 -o back.bin --probe "uart:$TMP/tty"
    else
        start --json erase --all --probe "uart:$TMP/tty"
    fi
    sleep 0.5
    stop INT
    kill -CONT "$SERVER"
    check_interrupted "$CMD over a stopped bootloader" SIGINT 130
    expect_json '.interrupted.phase == "start-up" and .interrupted.flash_may_be_partial == false' \
        "$CMD over a stopped bootloader: phase"
done
[ ! -e back.bin ] || fail "the interrupted read left back.bin"
# The server still answers (it saw only the interrupted commands' connect bytes).
run --json erase --all --probe "uart:$TMP/tty"
expect_rc 0 "erase --all after the interrupted ones"
stop_serve

# --- not interrupted: the document written at the end is the command's own, whole ---
CMD=info
run --json info --probe sim:stm32f407vg
expect_rc 0 "info --json"
expect_json '.status == "ok" and .command == "info"' "info --json"
finish
