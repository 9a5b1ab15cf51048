#!/bin/bash
# doctor --flash-test reports its progress and its duration on the probe's clock, as write,
# read and erase do: on the virtual board that is virtual board time, and the lines say so
# ("flash-test: done, 64 KiB in 15.8 s (4.1 KiB/s, virtual board time)"). The duration must
# be one the board can have taken: at least the datasheet's typical time for what the test
# makes the flash do (two page erases and a page of half-word programs per page: DS5319
# tERASE 20 ms, tPROG 52.5 us, the chip table's F1 timing), at least the flash busy time the
# board itself reports, and at most the whole doctor run's virtual time. Wall time (a
# fraction of a second here) would be far below the lower bound.
set -e
. "$(dirname "$0")/lib.sh"

# STM32F103C8: 64 pages of 1 KiB, 512 half-words each.
typ=$(awk 'BEGIN { printf "%.3f", 64 * (2 * 0.020 + 512 * 0.0000525) }')

STPROG_SIM_REPORT="$TMP/report.json" run --probe sim:stm32f103c8 doctor --flash-test --yes
expect_rc 0
virt=$(jq -r .virtual_seconds "$TMP/report.json")
busy=$(jq -r '.flash_erase_seconds + .flash_program_seconds' "$TMP/report.json")

# Progress: the END line in bytes of flash, on virtual board time.
end=$(grep '^flash-test: done' "$TMP/err" || true)
secs=$(sed -n 's|^flash-test: done, 64 KiB in \([0-9.]*\) s ([0-9.]* KiB/s, virtual board time)$|\1|p' <<<"$end")
[ -n "$secs" ] || fail "no flash-test END line on virtual board time: '$end' (stderr: $(head -c 600 "$TMP/err"))"
if [ -n "$secs" ]; then
    awk -v s="$secs" -v t="$typ" -v b="$busy" -v v="$virt" 'BEGIN { exit !(s >= t && s >= b && s <= v) }' ||
        fail "flash-test took $secs s: expected at least $typ s (datasheet typ) and $busy s (board busy), at most $virt s (whole run)"
fi
# Step lines with rates and ETAs on the same clock (the test runs for seconds of it).
grep -q '^flash-test: 50% (32 KiB of 64 KiB), [0-9.]* KiB/s, ETA [0-9]* s$' "$TMP/err" ||
    fail "no 50% step line: $(head -c 600 "$TMP/err")"

# The report line gives the same duration, with the same wording.
line=$(grep -A1 'Flash test' "$TMP/out" | tail -1)
took=$(sed -n 's|.* erased again in \([0-9.]*\) s (virtual board time);.*|\1|p' <<<"$line")
[ -n "$took" ] || fail "report line without the duration on virtual board time: '$line'"
if [ -n "$took" ] && [ -n "$secs" ]; then
    awk -v a="$took" -v b="$secs" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.1) }' ||
        fail "report line says $took s, the progress line $secs s"
fi

# --json: the same in the check's measured text.
run --probe sim:stm32f103c8 doctor --flash-test --yes --json
expect_rc 0
jqo '.checks[] | select(.name == "flash-test") | .measured' | grep -q 'again in [0-9.]* s (virtual board time);' ||
    fail "json measured: $(jqo '.checks[] | select(.name == "flash-test") | .measured')"
finish
