# Helpers for the `stprog run` / `stprog rtt` end-to-end tests (sourced).
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
. "$STPROG_SRC/tests/cli/shim_wrap.sh"
EX="$STPROG_BUILD/examples"

need_fw() {
    for f in "$@"; do
        [ -f "$EX/$f.elf" ] || { fail "example firmware $EX/$f.elf was not built"; finish; }
    done
}

# run_in INPUT ARGS...: run with INPUT on stdin.
run_in() {
    local input=$1
    shift
    set +e
    printf '%b' "$input" | "$STPROG" "$@" >"$TMP/out" 2>"$TMP/err"
    RC=${PIPESTATUS[1]}
    set -e
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
}

# expect_out_exact FILE what: stdout is exactly FILE's content.
expect_out_exact() {
    cmp -s "$1" "$TMP/out" || fail "${2:-}: stdout differs from the expected: $(diff "$1" "$TMP/out" | head -20)"
}

# fw_symbol ELF NAME: the symbol's value (hex, without 0x).
fw_symbol() {
    arm-none-eabi-nm "$1" | awk -v n="$2" '$3 == n { print $1 }'
}
