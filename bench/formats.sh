#!/usr/bin/env bash
# bench/formats: reading a 16 MiB Intel HEX file with stprog's reader vs. srec_cat converting
# the same file to binary (the file starts at 0x08000000; srec_cat gets -offset so both
# produce 16 MiB). Prints both times and the ratio; exits 1 if stprog is slower.
# Usage: bench/formats.sh [BUILD_DIR] (default: build)
set -euo pipefail
BUILD=${1:-build}
TOOL=$BUILD/bench/bench_formats
RUNS=${BENCH_RUNS:-3}
[ -x "$TOOL" ] || { echo "bench/formats: $TOOL missing (build first: make build)" >&2; exit 2; }
command -v srec_cat >/dev/null || { echo "bench/formats: srec_cat missing (make deps)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
hex=$work/16mib.hex
"$TOOL" gen "$hex" 16
size=$(stat -c %s "$hex")

read -r ours bytes < <("$TOOL" read "$hex" "$RUNS" "$work/ours.bin")

best=""
for _ in $(seq "$RUNS"); do
    t0=$(date +%s%N)
    srec_cat "$hex" -intel -offset -0x08000000 -o "$work/out.bin" -binary
    t1=$(date +%s%N)
    t=$((t1 - t0))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
done
theirs=$(awk -v ns="$best" 'BEGIN { printf "%.3f", ns / 1e9 }')
cmp -s "$work/out.bin" "$work/ours.bin" || {
    echo "bench/formats: srec_cat and stprog read different bytes" >&2
    exit 1
}

ratio=$(awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
echo "bench/formats: Intel HEX, $((size / 1048576)) MiB file, $((bytes / 1048576)) MiB of data (best of $RUNS)"
printf '  stprog reader              %8.3f s\n' "$ours"
printf '  srec_cat -> binary         %8.3f s\n' "$theirs"
echo "  ratio srec_cat / stprog:   ${ratio}x"
if awk -v a="$ours" -v b="$theirs" 'BEGIN { exit !(a > b) }'; then
    echo "bench/formats: FAIL: stprog's reader is slower than srec_cat" >&2
    exit 1
fi
