#!/bin/bash
# End-to-end: `write --dry-run` states the modelled time, and the model agrees with the
# board. A 512 KiB image over a different one on an F407 (V2-1 at 4 MHz, the SRAM loader):
# the dry run's estimate must be within a factor of 1.5 of the virtual time the real write
# then takes (STPROG_SIM_REPORT), and its flash part must be the datasheet's typical
# erase of sectors 0..7 (4x250 ms + 550 ms + 3x1 s) plus 131072 words x 16 us.
set -euo pipefail
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

head -c 524288 /dev/urandom >"$W/old.bin"
head -c 524288 /dev/urandom >"$W/new.bin"
SIM="sim:stm32f407vg,probe=v2-1,state=$W/board.state"
"$STPROG" --probe "$SIM" --freq 4000 write "$W/old.bin" >/dev/null 2>&1 || fail "preload failed"

"$STPROG" --probe "$SIM" --freq 4000 write "$W/new.bin" --dry-run >"$W/out" 2>&1 ||
    fail "dry run failed: $(cat "$W/out")"
grep -q "^modelled time: [0-9.]* s (set-up and commands .*erase 4.55 s, program 2.10 s, .*ST-Link V2 at 4000 kHz, SRAM loader)" \
    "$W/out" || fail "dry run does not state the modelled time: $(cat "$W/out")"
grep -q "dry run: nothing was erased or written" "$W/out" || fail "dry run summary missing"

"$STPROG" --json --probe "$SIM" --freq 4000 write "$W/new.bin" --dry-run >"$W/dry.json" 2>/dev/null ||
    fail "dry run --json failed"
est=$(jq -r '.modelled_seconds' "$W/dry.json")
erase=$(jq -r '.modelled.erase_seconds' "$W/dry.json")
prog=$(jq -r '.modelled.program_seconds' "$W/dry.json")
[ "$(jq -r '.modelled.loader' "$W/dry.json")" = true ] || fail "json: loader not true"
awk -v e="$erase" -v p="$prog" 'BEGIN { exit !(e == 4.55 && p > 2.0971 && p < 2.0972) }' ||
    fail "json: flash part erase $erase s program $prog s (want 4.55 s and 2.097152 s)"

STPROG_SIM_REPORT="$W/report.json" "$STPROG" --probe "$SIM" --freq 4000 write "$W/new.bin" \
    >/dev/null 2>&1 || fail "the real write failed"
real=$(jq -r '.virtual_seconds' "$W/report.json")
awk -v e="$est" -v r="$real" 'BEGIN { exit !(e > 0 && r > 0 && e / r < 1.5 && r / e < 1.5) }' ||
    fail "modelled $est s vs measured $real s: not within a factor of 1.5"
# And the estimate of what is left after the write: the CRC pass alone.
"$STPROG" --json --probe "$SIM" --freq 4000 write "$W/new.bin" --dry-run >"$W/again.json" 2>/dev/null
again=$(jq -r '.modelled_seconds' "$W/again.json")
awk -v a="$again" 'BEGIN { exit !(a > 0 && a < 0.5) }' || fail "re-write modelled $again s (want < 0.5 s)"
echo "ok: modelled $est s, measured $real s, re-write modelled $again s"
