#!/bin/bash
# F76x dual-bank mode end to end (RM0410 3.3.1): stprog switches nDBANK with option-bytes,
# then writes an image across the bank boundary (0x08100000) on the virtual board. In
# dual-bank mode the range 0x080F0000-0x08120D3F is sector 11 (bank 1, 128 KiB) and sectors
# 12-17 of bank 2 (4x16K, 64K, 128K): 7 erases; back in single-bank mode it is sectors 7
# and 8 (256 KiB each): 2 erases. The bytes read back must be the image each time.
set -u
: "${STPROG:?}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FAILS=0
fail() {
    echo "FAIL: $*" >&2
    FAILS=$((FAILS + 1))
}
P="sim:stm32f767zi,state=$WORK/f7.state"

# write_round IMAGE ERASES: writes IMAGE at 0x080F0000 over a programmed range, checks the
# board counted ERASES sector erases and that the flash holds IMAGE.
write_round() {
    STPROG_SIM_REPORT=$WORK/report.json "$STPROG" --probe "$P" write "$1" --addr 0x080F0000 \
        >"$WORK/out" 2>&1 || fail "write $1: $(tail -3 "$WORK/out")"
    local n
    n=$(jq -r .flash_erases "$WORK/report.json")
    [ "$n" = "$2" ] || fail "write $1: $n sector erases, expected $2"
    "$STPROG" --probe "$P" read 0x080F0000 200000 -o "$WORK/back.bin" >/dev/null 2>&1 ||
        fail "read back after $1"
    cmp -s "$1" "$WORK/back.bin" || fail "flash differs from $1"
}

head -c 200000 /dev/urandom >"$WORK/a.bin"
head -c 200000 /dev/urandom >"$WORK/b.bin"
head -c 200000 /dev/urandom >"$WORK/c.bin"
"$STPROG" --probe "$P" write "$WORK/a.bin" --addr 0x080F0000 >/dev/null 2>&1 || fail "first write"

"$STPROG" --probe "$P" option-bytes set ndbank=0 >"$WORK/out" 2>&1 || fail "ndbank=0: $(cat "$WORK/out")"
"$STPROG" --probe "$P" option-bytes show >"$WORK/ob" 2>&1
grep -q '^ndbank *0' "$WORK/ob" || fail "ndbank did not read back 0: $(grep ndbank "$WORK/ob")"
write_round "$WORK/b.bin" 7

"$STPROG" --probe "$P" option-bytes set ndbank=1 >"$WORK/out" 2>&1 || fail "ndbank=1: $(cat "$WORK/out")"
write_round "$WORK/c.bin" 2

if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS check(s) failed" >&2
    exit 1
fi
echo "all checks passed"
