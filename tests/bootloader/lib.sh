# Helpers for the bootloader end-to-end tests (sourced): a virtual board's ROM bootloader
# served on a pty by `stprog sim-serve`, driven by stm32flash and by stprog's uart: probe.
set -u
: "${STPROG:?STPROG must point at the stprog binary}"
WORK=$(mktemp -d)
FAILS=0
SERVE_PID=
TTY=

stop_serve() {
    if [ -n "$SERVE_PID" ]; then
        kill "$SERVE_PID" 2>/dev/null
        wait "$SERVE_PID" 2>/dev/null
        SERVE_PID=
    fi
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
    # timeout: a server orphaned by a killed test does not outlive it by long.
    STPROG_SIM_REPORT=$report timeout -s TERM 300 "$STPROG" sim-serve "$1" --link "$WORK/tty" \
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
