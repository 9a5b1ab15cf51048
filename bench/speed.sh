#!/usr/bin/env bash
# Speed benchmark (part of `make bench`): stprog (SRAM loader + on-target CRC), stprog
# --no-loader, `st-flash write` and OpenOCD `program ... verify` through the libusb shim on the
# virtual board; virtual seconds, USB transfers and board counters from STPROG_SIM_REPORT.
# Every fresh write starts from a board holding a different random image. Writes a markdown
# table to bench/results.md. Usage: bench/speed.sh [BUILD_DIR]
# BENCH_SPEED_ROWS="part:KiB:probe:khz ..." overrides the rows (default: the F407 512 KiB row
# on v2-1 at 4000 kHz plus the re-write cases; BENCH_SPEED_FULL=1 for every row).
set -euo pipefail
BUILD=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
SHIM="$BUILD/libstprog-usbsim.so"
STPROG="$BUILD/stprog"
[ -f "$SHIM" ] && [ -x "$STPROG" ] || { echo "bench/speed.sh: build first ($SHIM, $STPROG)" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

rows=${BENCH_SPEED_ROWS:-"stm32f407vg:512:v2-1:4000"}
if [ "${BENCH_SPEED_FULL:-0}" = 1 ]; then
    rows="stm32f407vg:16:v2-1:4000 stm32f407vg:128:v2-1:4000 stm32f407vg:512:v2-1:4000
          stm32f407vg:1024:v2-1:4000 stm32f407vg:1024:v3:24000 stm32f103c8:64:v2-1:4000
          stm32l151cb:128:v2-1:4000 stm32f767zi:1024:v2-1:4000"
fi

ocd_cfg() {
    case $1 in
    stm32f1*) echo stm32f1x.cfg ;; stm32l1*) echo stm32l1.cfg ;; stm32f7*) echo stm32f7x.cfg ;;
    *) echo stm32f4x.cfg ;;
    esac
}

# Datasheet bound for a fresh write from address 0 of KiB on stm32f407vg (x32): typical sector
# erase (16 KiB 250 ms, 64 KiB 550 ms, 128 KiB 1000 ms) of the touched sectors + 16 us/word.
bound_f407() {
    awk -v kib="$1" 'BEGIN {
        split("16 16 16 16 64 128 128 128 128 128 128 128", sz, " ");
        e = 0; left = kib;
        for (i = 1; i <= 12 && left > 0; i++) {
            e += (sz[i] == 16 ? 0.25 : (sz[i] == 64 ? 0.55 : 1.0)); left -= sz[i] }
        printf "%.3f", e + kib * 1024 / 4 * 16e-6 }'
}

# run TOOL PART PROBE KHZ IMAGE STATE REPORT
run_tool() {
    local tool=$1 part=$2 probe=$3 khz=$4 img=$5 state=$6 rep=$7
    local spec="sim:$part,probe=$probe,state=$state"
    local env=(env STPROG_SIM="$spec" STPROG_SIM_REPORT="$rep" LD_PRELOAD="$SHIM")
    case $tool in
    stprog) "${env[@]}" "$STPROG" --probe stlink --freq "$khz" write "$img" ;;
    stprog-direct) "${env[@]}" "$STPROG" --probe stlink --freq "$khz" write "$img" --no-loader ;;
    st-flash) "${env[@]}" st-flash --freq="${khz}k" write "$img" 0x08000000 ;;
    openocd) "${env[@]}" openocd -c "gdb_port disabled" -c "tcl_port disabled" \
        -c "telnet_port disabled" -f interface/stlink.cfg -f "target/$(ocd_cfg "$part")" \
        -c "adapter speed $khz" -c "program $img 0x08000000 verify exit" ;;
    esac >"$W/log" 2>&1 || { echo "bench: $tool on $part failed:" >&2; tail -5 "$W/log" >&2; return 1; }
}

out="$here/results.md"
{
    echo "# Speed benchmark (virtual board, \`bench/speed.sh\`)"
    echo
    echo "Virtual seconds from the board model (flash timed per datasheet, USB/SWD per probe"
    echo "model), through the libusb shim. Fresh writes start from a different random image."
    echo "Bound = typical erase of the touched sectors + 16 us per 32-bit word (F407 rows only)."
    echo
    echo "| part | KiB | probe | case | tool | virtual s | KiB/s | x bound | x stprog | USB transfers | erases | bytes read |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
} >"$W/table"

for row in $rows; do
    IFS=: read -r part kib probe khz <<<"$row"
    head -c $((kib * 1024)) /dev/urandom >"$W/img.bin"
    head -c $((kib * 1024)) /dev/urandom >"$W/old.bin"
    bound=""
    [ "$part" = stm32f407vg ] && bound=$(bound_f407 "$kib")
    cases="fresh"
    [ "$part" = stm32f407vg ] && cases="fresh same one-sector"
    for c in $cases; do
        ref=""
        for tool in stprog stprog-direct st-flash openocd; do
            [ "$c" != fresh ] && [ "$tool" = stprog-direct ] && continue
            st="$W/$tool.state"
            rm -f "$st"
            if [ "$c" = fresh ]; then
                run_tool stprog "$part" "$probe" "$khz" "$W/old.bin" "$st" "$W/pre.json"
                img="$W/img.bin"
            else
                run_tool stprog "$part" "$probe" "$khz" "$W/img.bin" "$st" "$W/pre.json"
                img="$W/img.bin"
                if [ "$c" = one-sector ]; then
                    cp "$W/img.bin" "$W/one.bin"
                    head -c 16384 /dev/urandom | dd of="$W/one.bin" bs=1 seek=16384 conv=notrunc 2>/dev/null
                    img="$W/one.bin"
                fi
            fi
            rep="$W/$tool.$c.json"
            run_tool "$tool" "$part" "$probe" "$khz" "$img" "$st" "$rep" || continue
            s=$(jq -r .virtual_seconds "$rep")
            [ "$tool" = stprog ] && ref=$s
            xb="-"
            [ -n "$bound" ] && [ "$c" = fresh ] && xb=$(awk -v s="$s" -v b="$bound" 'BEGIN { printf "%.2f", s / b }')
            xs=$(awk -v s="$s" -v r="$ref" 'BEGIN { if (r > 0) printf "%.2f", s / r; else print "-" }')
            kbs=$(awk -v s="$s" -v k="$kib" 'BEGIN { printf "%.0f", k / s }')
            printf '| %s | %s | %s@%s | %s | %s | %.3f | %s | %s | %s | %s | %s | %s |\n' \
                "$part" "$kib" "$probe" "$khz" "$c" "$tool" "$s" "$kbs" "$xb" "$xs" \
                "$(jq -r .usb_transfers "$rep")" "$(jq -r .flash_erases "$rep")" \
                "$(jq -r .bytes_in "$rep")" >>"$W/table"
            tail -1 "$W/table"
        done
    done
    [ -n "$bound" ] && echo "" >>"$W/notes" && echo "- $part $kib KiB: datasheet bound $bound s" >>"$W/notes"
done
cat "$W/table" >"$out"
[ -f "$W/notes" ] && { echo; echo "Bounds:"; cat "$W/notes"; } >>"$out"
echo "bench/speed.sh: wrote $out"
