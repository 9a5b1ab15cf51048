# Helpers for the bootloader end-to-end tests (sourced): a virtual board's ROM bootloader
# served on a pty by `stprog sim-serve`, driven by stm32flash and by stprog's uart: probe.
set -u
: "${STPROG:?STPROG must point at the stprog binary}"
WORK=$(mktemp -d)
# journals of kept bytes (stprog recover) of this script only
export XDG_STATE_HOME="$WORK/state"
FAILS=0
SERVE_PID=
TTY=

# descendants PID: PID and all the processes under it.
descendants() {
    local c
    echo "$1"
    for c in $(pgrep -P "$1"); do
        descendants "$c"
    done
}

# stop_serve: SIGTERM to the server, then at most 20 s for it to exit (a loaded machine, a
# sanitizer build saving a 2 MiB state file). A server that does not exit by then is shown
# (process states, kernel stacks) and killed, and the test fails instead of hanging.
stop_serve() {
    [ -n "$SERVE_PID" ] || return 0
    kill "$SERVE_PID" 2>/dev/null
    local i
    for i in $(seq 200); do
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SERVE_PID" 2>/dev/null; then
        fail "sim-serve (pid $SERVE_PID) did not exit within 20 s of SIGTERM"
        local p tree
        tree=$(descendants "$SERVE_PID")
        for p in $tree; do
            echo "  pid $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" >&2
            grep -E '^(State|TracerPid|SigPnd|ShdPnd|SigBlk)' "/proc/$p/status" 2>/dev/null | sed 's/^/    /' >&2
            echo "    wchan: $(cat "/proc/$p/wchan" 2>/dev/null)" >&2
            sed 's/^/    /' "/proc/$p/stack" 2>/dev/null >&2
        done
        kill -KILL $tree 2>/dev/null
    fi
    wait "$SERVE_PID" 2>/dev/null
    SERVE_PID=
}
trap 'stop_serve; rm -rf "$WORK"' EXIT

fail() {
    echo "FAIL: $*" >&2
    FAILS=$((FAILS + 1))
}

# check WHAT CMD...: runs CMD, fails with WHAT when it fails.
check() {
    local what=$1
    shift
    "$@" || fail "$what"
}

# serve SPEC [REPORT]: starts sim-serve on SPEC; the pty path goes to $TTY. With REPORT,
# the board's report is written there when stop_serve ends it.
serve() {
    stop_serve
    local report=${2:-}
    rm -f "$WORK/serve.out"
    # timeout: a server orphaned by a killed test does not outlive it by long. --foreground:
    # without it, timeout passes our SIGTERM on twice (to stprog and to its process group)
    # and follows it with SIGCONT, twice. A SIGCONT that arrives while the sanitizer build's
    # exit-time leak check has stopped the process (LeakSanitizer attaches with ptrace,
    # which sends SIGSTOP) discards that SIGSTOP, and the check then waits for a stop that
    # never comes: stprog hung at exit. --foreground sends the SIGTERM once, to stprog.
    STPROG_SIM_REPORT=$report timeout --foreground -s TERM 300 "$STPROG" sim-serve "$1" --link "$WORK/tty" \
        >"$WORK/serve.out" 2>"$WORK/serve.err" &
    SERVE_PID=$!
    for _ in $(seq 400); do # 20 s: a loaded machine, a sanitizer build
        [ -s "$WORK/serve.out" ] && break
        sleep 0.05
    done
    TTY=$(head -n1 "$WORK/serve.out")
    [ -n "$TTY" ] && [ -e "$WORK/tty" ] || fail "sim-serve $1 did not start: $(cat "$WORK/serve.err")"
    TTY=$WORK/tty
}

# s32f ARGS...: stm32flash on the pty at 115200 baud. A Linux pty cannot keep even parity
# (the kernel clears PARENB), so 8n1; output in $WORK/s32f.log.
s32f() {
    timeout 60 stm32flash -b 115200 -m 8n1 "$@" "$TTY" >"$WORK/s32f.log" 2>&1
    local rc=$?
    [ $rc -eq 0 ] || echo "stm32flash $* exited $rc: $(tr '\r' '\n' <"$WORK/s32f.log" | grep -v '^\(Read\|Wrote\)' | tail -5)" >&2
    return $rc
}

# json_field FILE KEY: a number from a one-line JSON report.
json_field() {
    jq -r ".$2" "$1"
}

# blank_file PATH SIZE: SIZE bytes of 0xFF.
blank_file() {
    head -c "$2" /dev/zero | tr '\0' '\377' >"$1"
}

finish() {
    stop_serve
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
}
