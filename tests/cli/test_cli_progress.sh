#!/bin/bash
# End-to-end: progress of a real operation (write to the virtual board) as a user sees it:
# plain lines when stderr is a file, a bar redrawn in place on a terminal, nothing with -q
# or --json.
set -e
. "$(dirname "$0")/lib.sh"
FW="$STPROG_BUILD/examples/blinky_f407.bin"
[ -s "$FW" ] || { fail "example firmware $FW missing"; finish; }
BOARD=sim:stm32f407vg

# stderr is a file: lines, one per phase for a quick operation, no terminal control codes.
run --probe "$BOARD" write "$FW"
expect_rc 0 "write"
size=$(stat -c %s "$FW")
expect_err "program: done, $size B in " "progress lines"
expect_err "verify: done, " "progress lines"
if grep -q $'\r\|\033' "$TMP/err"; then fail "terminal control codes in a file: $ERR"; fi

# The documented STPROG_SIM_REPORT: the virtual board's timing report, written at exit.
STPROG_SIM_REPORT="$TMP/report.json" run -q --probe "$BOARD" write "$FW"
expect_rc 0 "write with STPROG_SIM_REPORT"
jq -e '.virtual_seconds > 0 and .flash_programs > 0 and .usb_transfers > 0' "$TMP/report.json" >/dev/null ||
    fail "STPROG_SIM_REPORT: no usable report: $(cat "$TMP/report.json" 2>&1)"

# -q: no progress at all.
run -q --probe "$BOARD" write "$FW"
expect_rc 0 "write -q"
if grep -q "program:" "$TMP/err"; then fail "progress with -q: $ERR"; fi

# --json: one document on stdout, no progress on stderr.
run --probe "$BOARD" write "$FW" --json
expect_rc 0 "write --json"
expect_json '.status == "ok" and .command == "write"' "write --json"
if grep -q "program:" "$TMP/err"; then fail "progress with --json: $ERR"; fi

# A mass erase (8 s typical on the F407 at x32) moves on by time while the chip works,
# instead of sitting silent until "done".
run --freq 4000 --probe "$BOARD" erase --all
expect_rc 0 "erase --all"
expect_err "erase: 50% (" "mass erase reports progress while it runs"
expect_err "erase: done, 1 MiB in " "mass erase ends"

# On a terminal (script(1) gives the program a pty): a bar with phase, percent, bytes, rate,
# redrawn with carriage returns, ending at 100%.
if command -v script >/dev/null; then
    TERM=xterm script -qec "'$STPROG' --probe $BOARD write '$FW'" /dev/null >"$TMP/tty" 2>&1 </dev/null ||
        fail "write on a pty failed: $(cat -v "$TMP/tty")"
    grep -q $'\r'"program  \[#*\] 100%  $size B/$size B  " "$TMP/tty" ||
        fail "no finished program bar on the terminal: $(cat -v "$TMP/tty")"
    grep -q $'\033\[K' "$TMP/tty" || fail "bar not cleared to end of line: $(cat -v "$TMP/tty")"
    if grep -q "program: done" "$TMP/tty"; then fail "lines instead of a bar on a terminal"; fi
    # TERM=dumb cannot redraw: lines again.
    TERM=dumb script -qec "'$STPROG' --probe $BOARD write '$FW'" /dev/null >"$TMP/tty" 2>&1 </dev/null ||
        fail "write on a dumb terminal failed"
    grep -q "program: done" "$TMP/tty" || fail "no progress lines on TERM=dumb: $(cat -v "$TMP/tty")"
fi
finish
