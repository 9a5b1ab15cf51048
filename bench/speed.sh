#!/usr/bin/env bash
# Speed benchmark (part of `make bench`): stprog (SRAM loader, on-target CRC), stprog
# --no-loader, `st-flash write` and OpenOCD `program ... verify`, all through the libusb shim
# on the virtual board, on the issue-6 matrix. Prints a markdown table and the evaluation of
# the issue's targets, and saves both as bench/results.md.
# Usage: bench/speed.sh [BUILD_DIR]
# BENCH_SPEED_ROWS="part:KiB:probe:khz ..." overrides the rows (default: the full matrix);
# BENCH_SPEED_OUT=FILE writes somewhere else than bench/results.md.
set -euo pipefail
BUILD=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
SHIM="$BUILD/libstprog-usbsim.so"
STPROG="$BUILD/stprog"
BOUND="$BUILD/bench/bench_bound"
[ -f "$SHIM" ] && [ -x "$STPROG" ] && [ -x "$BOUND" ] ||
    { echo "bench/speed.sh: build first ($SHIM, $STPROG, $BOUND)" >&2; exit 1; }
for t in st-flash openocd jq /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "bench/speed.sh: $t missing (make deps)" >&2; exit 1; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
started=$(date +%s)

matrix=""
for p in v2:4000 v3:24000; do
    for r in stm32f407vg:16 stm32f407vg:128 stm32f407vg:512 stm32f407vg:1024 stm32f103c8:64 \
        stm32l151cb:128 stm32l053r8:64 stm32f767zi:1024 stm32g0b1re:128 \
        stm32f072rb:128 stm32f303re:128 stm32g474re:512 stm32l4r5zi:1024; do
        matrix="$matrix $r:$p"
    done
done
rows=${BENCH_SPEED_ROWS:-$matrix}
out=${BENCH_SPEED_OUT:-$here/results.md}
CHANGED_KIB=16 # the one-sector case replaces this many KiB at offset 16 KiB (all of F4
               # sector 1, half of F7 sector 0; at 0 in a 16 KiB image)

ocd_cfg() {
    case $1 in
    stm32f0*) echo stm32f0x.cfg ;; stm32f3*) echo stm32f3x.cfg ;;
    stm32f1*) echo stm32f1x.cfg ;; stm32l1*) echo stm32l1.cfg ;; stm32f7*) echo stm32f7x.cfg ;;
    stm32l07* | stm32l08*) echo stm32l0_dual_bank.cfg ;; stm32l0*) echo stm32l0.cfg ;;
    stm32g0*) echo stm32g0x.cfg ;;
    stm32g4*) echo stm32g4x.cfg ;; stm32l4*) echo stm32l4x.cfg ;;
    *) echo stm32f4x.cfg ;;
    esac
}

# run TOOL PART PROBE KHZ IMAGE STATE REPORT: one write through the shim; the tool's own
# process CPU time (user+sys) goes to REPORT.cpu.
run_tool() {
    local tool=$1 part=$2 probe=$3 khz=$4 img=$5 state=$6 rep=$7
    local env=(env STPROG_SIM="sim:$part,probe=$probe,state=$state" STPROG_SIM_REPORT="$rep"
        LD_PRELOAD="$SHIM")
    local timed=(/usr/bin/time -f "%U %S" -o "$rep.cpu")
    case $tool in
    stprog) "${env[@]}" "${timed[@]}" "$STPROG" --probe stlink --freq "$khz" write "$img" ;;
    stprog-no-loader) "${env[@]}" "${timed[@]}" "$STPROG" --probe stlink --freq "$khz" \
        write "$img" --no-loader ;;
    st-flash) "${env[@]}" "${timed[@]}" st-flash --freq="${khz}k" write "$img" 0x08000000 ;;
    openocd) "${env[@]}" "${timed[@]}" openocd -c "gdb_port disabled" -c "tcl_port disabled" \
        -c "telnet_port disabled" -f interface/stlink.cfg -f "target/$(ocd_cfg "$part")" \
        -c "adapter speed $khz" -c "program $img 0x08000000 verify exit" ;;
    esac >"$W/log" 2>&1 || { echo "bench: $tool on $part $probe failed:" >&2; tail -5 "$W/log" >&2; return 1; }
}

# preload PART IMAGE STATE: a board whose flash holds IMAGE (in-process board, no shim).
preload() {
    rm -f "$3"
    "$STPROG" --probe "sim:$1,state=$3" write "$2" >"$W/log" 2>&1 ||
        { echo "bench: preloading $1 failed:" >&2; tail -5 "$W/log" >&2; return 1; }
}

# data.tsv: part kib probe khz case tool total erase program tail other usb cpu model_cpu
: >"$W/data.tsv"
: >"$W/bounds.tsv"
: >"$W/dry.tsv"
: >"$W/wall.tsv"
for row in $rows; do
    IFS=: read -r part kib probe khz <<<"$row"
    head -c $((kib * 1024)) /dev/urandom >"$W/img.bin"
    head -c $((kib * 1024)) /dev/urandom >"$W/old.bin"
    at=16
    [ "$kib" -ge $((at + CHANGED_KIB)) ] || at=0
    cp "$W/img.bin" "$W/one.bin"
    head -c $((CHANGED_KIB * 1024)) /dev/urandom |
        dd of="$W/one.bin" bs=1024 seek=$at conv=notrunc 2>/dev/null
    read -r bound be bp _ mass < <("$BOUND" "$part" "$kib")
    read -r obound _ < <("$BOUND" "$part" "$CHANGED_KIB" "$at")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$part" "$kib" "$bound" "$be" "$bp" "$obound" "$mass" \
        >>"$W/bounds.tsv"
    preload "$part" "$W/old.bin" "$W/old.state"
    preload "$part" "$W/img.bin" "$W/same.state"
    # What `write --dry-run` models for the fresh write, before it happens.
    cp "$W/old.state" "$W/dry.state"
    STPROG_SIM="sim:$part,probe=$probe,state=$W/dry.state" LD_PRELOAD="$SHIM" \
        "$STPROG" --json --probe stlink --freq "$khz" write "$W/img.bin" --dry-run >"$W/dry.json" 2>/dev/null ||
        echo '{}' >"$W/dry.json"
    printf '%s\t%s\t%s\t%s\t%s\n' "$part" "$kib" "$probe" "$khz" \
        "$(jq -r '.modelled_seconds // "-"' "$W/dry.json")" >>"$W/dry.tsv"
    for c in fresh same one-sector; do
        for tool in stprog stprog-no-loader st-flash openocd; do
            case $c in
            fresh) cp "$W/old.state" "$W/run.state"; img="$W/img.bin" ;;
            same) cp "$W/same.state" "$W/run.state"; img="$W/img.bin" ;;
            one-sector) cp "$W/same.state" "$W/run.state"; img="$W/one.bin" ;;
            esac
            rep="$W/rep.json"
            rm -f "$rep" "$rep.cpu"
            t0=$(date +%s.%N)
            run_tool "$tool" "$part" "$probe" "$khz" "$img" "$W/run.state" "$rep" || continue
            printf '%s\t%s\n' "$tool" "$(echo "$(date +%s.%N) - $t0" | bc)" >>"$W/wall.tsv"
            jq -r --arg pre "$part	$kib	$probe	$khz	$c	$tool" \
                --arg cpu "$(awk '{ print $1 + $2 }' "$rep.cpu" | tail -1)" \
                '[$pre, .virtual_seconds, .flash_erase_seconds, .flash_program_seconds,
                  (if .flash_ops_ended > 0 then .after_last_flash_op_seconds else -1 end),
                  .usb_transfers, $cpu, .model_cpu_seconds] | map(tostring) | join("\t")' \
                "$rep" >>"$W/data.tsv"
            tail -1 "$W/data.tsv" | cut -f1-8 | tr '\t' ' ' >&2
        done
    done
done
elapsed=$(($(date +%s) - started))

{
    cat <<EOF
# Speed benchmark (virtual board, \`bench/speed.sh\`, part of \`make bench\`)

Every tool runs unmodified through the libusb shim against the same virtual board (same
spec, same SWD clock), writing the same random image from 0x08000000. Times are **virtual
seconds** of the board model: flash busy times are the chip database's typical datasheet
values, USB and SWD are timed per probe model (full-speed V2: 0.5 ms per exchange + 1 us
per byte; high-speed V3: 0.125 ms + 33 ns per byte; 48 SWD clocks per transfer).

Cases: **fresh** = the board holds a different random image of the same size (every
touched sector must be erased); **same** = it holds the identical image; **one-sector** =
it holds the image and ${CHANGED_KIB} KiB at offset 16 KiB differ (offset 0 in the 16 KiB
image, which makes it a second fresh write there; the targets leave those rows out): one F4
sector, half of one F7 sector, 16 F1 pages, 64 L1 pages, 128 L0 pages.

Tools: **stprog** = \`stprog write\` (SRAM loader, on-target CRC verify and skip-unchanged);
**stprog-no-loader** = \`stprog write --no-loader\` (direct register writes, read-back
verify); **st-flash** = \`st-flash write\` of stlink-tools $(st-flash --version 2>/dev/null | head -1)
(it reads every byte back and compares after writing: its own verify is included);
**openocd** = \`openocd ... -c "program FILE 0x08000000 verify exit"\`, $(openocd --version 2>&1 | head -1 | sed 's/ (.*//').

Columns, all measured by the board model alike for every tool (peers are not instrumented):
- **total**: virtual seconds from opening the probe to closing it.
- **erase**: virtual time the flash controller was busy erasing (sum over operations).
- **program**: virtual time the flash was busy programming (sum over operations).
- **verify**: virtual time after the last erase/program operation ended, until the tool
  closed the probe (verify, read-back, teardown); "-" when the tool erased and programmed
  nothing.
- **other**: total - erase - program - verify: set-up and link time not hidden behind the
  flash (attach, loader upload, transfers the flash waited for).
- **KiB/s**: image KiB / total. **x bound**: total / the datasheet bound: typical erase of
  the touched sectors + typical program time of their bytes at the width used (x32 on
  F4/F7, half-word on F1, 128-byte half-page on L1), from the chip database
  (\`build/bench/bench_bound\`); for one-sector the bound of rewriting the changed sector(s).
  No bound for "same" (it is 0). Where the image covers the whole flash a mass erase can
  beat the per-sector bound (listed under the table; F1: 20 ms instead of 20 ms per page). **x stprog**: total / stprog's total in the same row and
  case (above 1: slower than stprog). **USB**: USB exchanges (bulk transfers) with the probe.

Wall time of this run: ${elapsed} s on $(nproc) CPU(s) ($(echo "$rows" | wc -w) rows x 3 cases x 4 tools;
$(awk -F'\t' '{ w[$1] += $2 } END { for (t in w) printf "%s%s %.0f s", (n++ ? ", " : "by tool: "), t, w[t] }' "$W/wall.tsv"),
the rest preloading the boards).
Generated $(date -u +"%Y-%m-%d %H:%M UTC") from commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown).

| part | KiB | probe | case | tool | total s | erase s | program s | verify s | other s | KiB/s | x bound | x stprog | USB |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
EOF
    awk -F'\t' -v OFS='\t' '
        FILENAME ~ /bounds/ { fb[$1 FS $2] = $3; ob[$1 FS $2] = $6; next }
        {
            key = $1 FS $2 FS $3 FS $4 FS $5
            if ($6 == "stprog") ref[key] = $7
            tail = ($10 < 0) ? "-" : sprintf("%.3f", $10)
            other = $7 - $8 - $9 - ($10 < 0 ? 0 : $10)
            b = ($5 == "fresh") ? fb[$1 FS $2] : ($5 == "one-sector" ? ob[$1 FS $2] : 0)
            xb = (b > 0) ? sprintf("%.2f", $7 / b) : "-"
            xs = (ref[key] > 0) ? sprintf("%.2f", $7 / ref[key]) : "-"
            printf "| %s | %s | %s@%s | %s | %s | %.3f | %.3f | %.3f | %s | %.3f | %.0f | %s | %s | %s |\n",
                $1, $2, $3, $4, $5, $6, $7, $8, $9, tail, other, $2 / $7, xb, xs, $11
        }' "$W/bounds.tsv" "$W/data.tsv"

    echo
    echo "Datasheet bounds (bench_bound, chip database typical values):"
    echo
    awk -F'\t' '{ printf "- %s %s KiB: %.3f s (erase %.3f s + program %.3f s); one changed sector: %.3f s%s\n",
        $1, $2, $3, $4, $5, $6,
        ($7 > 0 ? sprintf("; the image covers the whole flash: with one mass erase instead %.3f s", $7) : "") }' \
        "$W/bounds.tsv" | sort -u

    echo
    echo "## write --dry-run: modelled vs measured (stprog, fresh)"
    echo
    echo "| part | KiB | probe | modelled s | measured s | modelled / measured |"
    echo "|---|---|---|---|---|---|"
    awk -F'\t' '
        FILENAME ~ /dry/ { m[$1 FS $2 FS $3 FS $4] = $5; next }
        $5 == "fresh" && $6 == "stprog" {
            k = $1 FS $2 FS $3 FS $4
            r = (m[k] != "-" && m[k] > 0) ? sprintf("%.2f", m[k] / $7) : "-"
            printf "| %s | %s | %s@%s | %s | %.3f | %s |\n", $1, $2, $3, $4,
                (m[k] != "-" ? sprintf("%.3f", m[k]) : "-"), $7, r
        }' "$W/dry.tsv" "$W/data.tsv"

    echo
    echo "## Targets (issue 6), evaluated from the rows above"
    echo
    echo "Host CPU: the board model runs inside the tool's process (libusb shim), so stprog's own"
    echo "CPU time is the process's user+sys time (\`/usr/bin/time\`) minus \`model_cpu_seconds\`"
    echo "from STPROG_SIM_REPORT (thread CPU time spent inside the model's USB transfers and clock"
    echo "advances); the shim's own glue is counted as stprog's."
    echo
    awk -F'\t' -f "$here/targets.awk" "$W/bounds.tsv" "$W/data.tsv"
} >"$W/results.md"
cp "$W/results.md" "$out"
cat "$out"
echo "bench/speed.sh: wrote $out (${elapsed} s)" >&2
