# Shared by the tests/gdb scripts: start `stprog gdbserver` on the virtual board on a free
# port (--port 0, the port read from its "listening on" line), always stop it on exit.
set -u
: "${STPROG:?}" "${STPROG_BUILD:?}" "${STPROG_SRC:?}"
WORK=$(mktemp -d)
# journals of kept bytes (stprog recover) of this script only
export XDG_STATE_HOME="$WORK/state"
SRV_PID=""
cleanup() {
    if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
        kill "$SRV_PID" 2>/dev/null
        wait "$SRV_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    [ -f "$WORK/srv.err" ] && { echo "--- server stderr:" >&2; cat "$WORK/srv.err" >&2; }
    exit 1
}

# E2E_SHIM=1: stprog reaches the board through libusb and the shim (tests/cli/shim_wrap.sh);
# GDB_PROBE (gdb_session.sh): the virtual probe, e.g. cmsis-dap.
if [ "${E2E_SHIM:-0}" = 1 ]; then
    TMP=$WORK
    finish() { exit 1; }
    . "$STPROG_SRC/tests/cli/shim_wrap.sh"
fi

# start_server PROBE_SPEC [gdbserver options...]: sets PORT and SRV_PID.
start_server() {
    local spec=$1
    shift
    : > "$WORK/srv.err"
    "$STPROG" gdbserver --port 0 --probe "$spec" "$@" 2> "$WORK/srv.err" &
    SRV_PID=$!
    PORT=""
    for _ in $(seq 300); do # 30 s: a loaded machine, a sanitizer build
        PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$WORK/srv.err")
        [ -n "$PORT" ] && return 0
        kill -0 "$SRV_PID" 2>/dev/null || fail "gdbserver exited before listening"
        sleep 0.1
    done
    fail "gdbserver did not report a listening port"
}

# wait_server_exit SECONDS: the server ends by itself (it does without --persist).
wait_server_exit() {
    for _ in $(seq $(( $1 * 10 ))); do
        kill -0 "$SRV_PID" 2>/dev/null || { wait "$SRV_PID"; SRV_RC=$?; SRV_PID=""; return 0; }
        sleep 0.1
    done
    fail "gdbserver still running $1 s after gdb left"
}

expect_in() { # expect_in FILE PATTERN WHAT
    grep -Eq -- "$2" "$1" || { echo "--- $1:" >&2; cat "$1" >&2; fail "$3"; }
}
