# Helpers for the doctor tests (sourced). $STPROG is the binary under test.
set -u
: "${STPROG:?STPROG must point at the stprog binary}"
TMP=$(mktemp -d)
# journals of kept bytes (stprog recover) of this script only
export XDG_STATE_HOME="$TMP/state"
trap 'rm -rf "$TMP"' EXIT
FAILS=0
PARTS="stm32f103c8 stm32f407vg stm32f411re stm32f767zi stm32l151cb stm32l152re"

fail() {
    echo "FAIL: $*" >&2
    FAILS=$((FAILS + 1))
}

# run ARGS...: stprog with stdout in $TMP/out, stderr in $TMP/err, exit code in $RC.
run() {
    set +e
    "$STPROG" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    RC=$?
    set -e
    WHAT="stprog $*"
}

# doctor SPEC [ARGS...]: `stprog --probe sim:SPEC doctor --json ARGS`.
doctor() {
    local spec=$1
    shift
    run --probe "sim:$spec" doctor --json "$@"
}

jqo() { jq -r "$1" "$TMP/out" 2>/dev/null; }

expect_rc() {
    [ "$RC" -eq "$1" ] || fail "$WHAT: exit code $RC, expected $1 ($(head -c 400 "$TMP/err"))"
}

expect_rc_not() {
    [ "$RC" -ne "$1" ] || fail "$WHAT: exit code $RC, expected anything else"
}

# The ids of warning and error findings, one per line.
problems() { jq -r '.findings[] | select(.severity != "info") | .id' "$TMP/out" 2>/dev/null; }

has() {
    jq -e --arg id "$1" 'any(.findings[]; .id == $id)' "$TMP/out" >/dev/null 2>&1 ||
        fail "$WHAT: no finding $1; findings: $(jqo '[.findings[].id] | join(" ")')"
}

lacks() {
    ! jq -e --arg id "$1" 'any(.findings[]; .id == $id)' "$TMP/out" >/dev/null 2>&1 ||
        fail "$WHAT: unexpected finding $1"
}

# only "ID ID...": every warning/error finding is one of these (no unrelated alarm).
only() {
    local id
    for id in $(problems); do
        case " $1 " in
        *" $id "*) ;;
        *) fail "$WHAT: unrelated finding $id (allowed: $1)" ;;
        esac
    done
}

# evidence ID KEY: the evidence value (first finding with that id).
evidence() { jq -r --arg id "$1" --arg k "$2" '[.findings[] | select(.id == $id)][0].evidence[$k] // ""' "$TMP/out"; }
advice() { jq -r --arg id "$1" '[.findings[] | select(.id == $id)][0].advice // ""' "$TMP/out"; }
severity() { jq -r --arg id "$1" '[.findings[] | select(.id == $id)][0].severity // ""' "$TMP/out"; }

check_result() { jq -r --arg n "$1" '.checks[] | select(.name == $n) | .result' "$TMP/out"; }

finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
}
