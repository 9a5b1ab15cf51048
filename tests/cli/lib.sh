# Helpers for the CLI end-to-end tests (sourced). $STPROG is the binary under test.
set -u
: "${STPROG:?STPROG must point at the stprog binary}"
TMP=$(mktemp -d)
# journals of kept bytes (stprog recover) of this script only
export XDG_STATE_HOME="$TMP/state"
trap 'rm -rf "$TMP"' EXIT
FAILS=0

fail() {
    echo "FAIL: $*" >&2
    FAILS=$((FAILS + 1))
}

# run ARGS...: runs stprog, leaves stdout in $OUT, stderr in $ERR, exit code in $RC.
run() {
    set +e
    "$STPROG" "$@" >"$TMP/out" 2>"$TMP/err"
    RC=$?
    set -e
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
}

expect_rc() {
    [ "$RC" -eq "$1" ] || fail "${2:-}: exit code $RC, expected $1 (stderr: $ERR)"
}

expect_out() {
    grep -qF -- "$1" "$TMP/out" || fail "${2:-}: stdout lacks '$1'; stdout was: $OUT"
}

expect_err() {
    grep -qF -- "$1" "$TMP/err" || fail "${2:-}: stderr lacks '$1'; stderr was: $ERR"
}

expect_no_out() {
    [ ! -s "$TMP/out" ] || fail "${1:-}: stdout should be empty; was: $OUT"
}

# expect_json FILTER [what]: stdout is one JSON document and jq -e FILTER holds.
expect_json() {
    jq -e . "$TMP/out" >/dev/null 2>&1 || fail "${2:-}: stdout is not JSON: $OUT"
    [ "$(jq -s length "$TMP/out" 2>/dev/null)" = 1 ] || fail "${2:-}: not exactly one document"
    jq -e "$1" "$TMP/out" >/dev/null 2>&1 || fail "${2:-}: jq -e '$1' is false on: $OUT"
}

finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
}
