#!/bin/bash
# What `write` shows while it works: the plan line first (before the work and its progress
# lines), progress counted in the image's bytes (not erased plus programmed bytes), and a
# --dry-run time within 10 % of the write's own time on the virtual board, on blank and
# on written flash, with and without the SRAM loader.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"

head -c 65536 /dev/urandom >"$TMP/a64.bin"
head -c 65536 /dev/urandom >"$TMP/b64.bin"
B="sim:stm32f407vg,state=$TMP/f407.state"
run --probe "$B" write "$TMP/a64.bin"
expect_rc 0 "first write"
# the second write erases the 4 sectors under it: 64 KiB erased + 64 KiB programmed
"$STPROG" --probe "$B" write "$TMP/b64.bin" >"$TMP/both" 2>&1 || fail "second write failed"
first_plan=$(grep -n '^plan:' "$TMP/both" | head -1 | cut -d: -f1)
first_progress=$(grep -n '^write:' "$TMP/both" | head -1 | cut -d: -f1)
[ -n "$first_plan" ] && [ -n "$first_progress" ] || fail "no plan or progress line: $(cat "$TMP/both")"
[ "${first_plan:-9}" -lt "${first_progress:-0}" ] || fail "the plan line comes after the work: $(cat "$TMP/both")"
grep -q '^write: done, 64 KiB' "$TMP/both" || fail "progress total is not the image's 64 KiB: $(grep '^write:' "$TMP/both")"
grep -q 'KiB of 128 KiB\|/128 KiB' "$TMP/both" && fail "progress counts erased plus programmed bytes"

# --dry-run against the write's own time (virtual board time)
head -c 1048576 /dev/urandom >"$TMP/r1m.bin"
check_time() { # PART SIZE OPTS STATE(blank|written)
    local part=$1 size=$2 opts=$3 state=$4 spec="sim:$1,state=$TMP/t.state"
    rm -f "$TMP/t.state"
    head -c "$size" "$TMP/r1m.bin" >"$TMP/img.bin"
    if [ "$state" = written ]; then
        head -c "$size" /dev/urandom >"$TMP/old.bin"
        run --probe "$spec" write "$TMP/old.bin" $opts
    fi
    run --probe "$spec" write "$TMP/img.bin" --dry-run --json $opts
    local dry
    dry=$(jq -r .modelled_seconds "$TMP/out")
    run --probe "$spec" write "$TMP/img.bin" --json $opts
    expect_rc 0 "$part $size $opts $state: write"
    local took
    took=$(jq -r .elapsed_seconds "$TMP/out")
    awk -v d="$dry" -v t="$took" 'BEGIN { r = d / t; exit !(r > 0.9 && r < 1.1) }' ||
        fail "$part $size $opts $state: --dry-run said $dry s, the write took $took s"
}
check_time stm32f407vg 1048576 "" blank
check_time stm32f407vg 262144 "" written
check_time stm32f103c8 65536 "" written
check_time stm32l476rg 262144 "" blank
check_time stm32f407vg 65536 --no-loader blank
finish
