#!/bin/bash
# End-to-end: progress and summary times are on the probe's clock. On the virtual board that
# is its virtual clock: what stprog prints (phase lines, rates, the summary line, --json
# elapsed_seconds) must agree with STPROG_SIM_REPORT's virtual_seconds, not with the wall
# clock (a 10 s virtual write takes a fraction of a second of wall time here), and say that
# it is virtual board time.
set -e
. "$(dirname "$0")/lib.sh"
head -c 65536 /dev/urandom >"$TMP/fw.bin"
BOARD=sim:stm32f103c8

# within A B PERCENT: A is within PERCENT % of B.
within() {
    awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b * p / 100) }'
}

# F103 without the loader: 64 KiB of half-word writes, about 10 s of virtual time.
STPROG_SIM_REPORT="$TMP/r1.json" run --freq 4000 --probe "$BOARD" write --no-loader "$TMP/fw.bin"
expect_rc 0 "write --no-loader"
virt=$(jq -r .virtual_seconds "$TMP/r1.json")
awk -v v="$virt" 'BEGIN { exit !(v > 5) }' || fail "expected a long virtual write, report says $virt s"
# Summary line: "wrote 64 KiB from FILE, verified, in 9.73 s (virtual board time)".
line=$(grep "^wrote 64 KiB from " "$TMP/out" || true)
took=$(sed -n 's/.*, in \([0-9.]*\) s (virtual board time)$/\1/p' <<<"$line")
[ -n "$took" ] || fail "summary line without the virtual board time: '$line'"
# The session starts after connecting; the report counts the connection too (a few ms).
[ -z "$took" ] || within "$took" "$virt" 3 || fail "summary says $took s, the board ran $virt s"
# Phase lines: the program and verify phases add up to about the summary; the program rate
# is its bytes over its virtual seconds.
prog=$(grep "^program: done, 64 KiB in " "$TMP/err" || true)
ps=$(sed -n 's/^program: done, 64 KiB in \([0-9.]*\) s (\([0-9.]*\) KiB\/s, virtual board time)$/\1/p' <<<"$prog")
pr=$(sed -n 's/^program: done, 64 KiB in \([0-9.]*\) s (\([0-9.]*\) KiB\/s, virtual board time)$/\2/p' <<<"$prog")
[ -n "$ps" ] && [ -n "$pr" ] || fail "program line without virtual time and rate: '$prog' (stderr: $ERR)"
if [ -n "$ps" ] && [ -n "$pr" ]; then
    within "$pr" "$(awk -v s="$ps" 'BEGIN { print 64 / s }')" 2 || fail "program rate $pr KiB/s is not 64 KiB / $ps s"
    awk -v p="$ps" -v v="$virt" 'BEGIN { exit !(p > v / 2 && p <= v) }' ||
        fail "program phase took $ps s of a $virt s write"
fi
# Step lines (the phase runs for seconds of virtual time): rate and ETA.
grep -q "^program: 50% ([0-9.]* KiB of 64 KiB), [0-9.]* KiB/s, ETA [0-9]* s$" "$TMP/err" ||
    fail "no 50% step line with rate and ETA: $ERR"

# --json: elapsed_seconds on the same clock, named.
STPROG_SIM_REPORT="$TMP/r2.json" run --probe "$BOARD" write --no-loader "$TMP/fw.bin" --json
expect_rc 0 "write --json"
virt=$(jq -r .virtual_seconds "$TMP/r2.json")
expect_json '.clock == "virtual-board" and (.elapsed_seconds | type) == "number"' "write --json"
el=$(jq -r .elapsed_seconds "$TMP/out" 2>/dev/null || echo 0)
within "$el" "$virt" 3 || fail "--json elapsed_seconds $el, the board ran $virt s"

# read, verify, erase: the same on their summary lines.
STPROG_SIM_REPORT="$TMP/r3.json" run --probe "$BOARD,state=$TMP/s" read 0x08000000 0x10000 -o "$TMP/o.bin"
expect_rc 0 "read"
grep -q "^read 65536 bytes at 0x08000000 into .* in [0-9.]* s (virtual board time)$" "$TMP/out" ||
    fail "read summary: $OUT"
run --probe "$BOARD,state=$TMP/s" verify "$TMP/o.bin" --json
expect_json '.match == true and .clock == "virtual-board" and .elapsed_seconds > 0' "verify --json"
STPROG_SIM_REPORT="$TMP/r4.json" run --probe "$BOARD" erase --all
expect_rc 0 "erase --all"
grep -q "^erased the whole flash in [0-9.]* s (virtual board time)$" "$TMP/out" || fail "erase summary: $OUT"
finish
