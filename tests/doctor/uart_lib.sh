# The ROM-bootloader doctor tests' helpers: sim-serve on a pty ($TMP/tty) and the SWD
# checks doctor lists as not possible over uart:. Sourced after lib.sh.
SERVE_PID=
stop_serve() {
    if [ -n "$SERVE_PID" ]; then
        kill "$SERVE_PID" 2>/dev/null || true
        wait "$SERVE_PID" 2>/dev/null || true
        SERVE_PID=
    fi
    rm -f "$TMP/tty"
}
trap 'stop_serve; rm -rf "$TMP"' EXIT
serve() {
    stop_serve
    timeout --foreground 50 "$STPROG" sim-serve "$1" --link "$TMP/tty" \
        >"$TMP/serve.out" 2>"$TMP/serve.err" &
    SERVE_PID=$!
    for _ in $(seq 400); do # 20 s: a loaded machine, a sanitizer build
        [ -s "$TMP/serve.out" ] && [ -e "$TMP/tty" ] && break
        sleep 0.05
    done
    [ -e "$TMP/tty" ] || fail "sim-serve $1 did not start: $(cat "$TMP/serve.err")"
}
swd_checks_not_possible() {
    local n
    for n in supply resets nrst sram load; do
        [ "$(check_result "$n")" = skip ] || fail "$WHAT: $n check $(check_result "$n")"
        jqo ".checks[] | select(.name == \"$n\") | .measured" | grep -q 'ROM bootloader' ||
            fail "$WHAT: $n does not say why it was not run"
    done
}
