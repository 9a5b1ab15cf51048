#!/usr/bin/env bash
# CMSIS-DAP benchmark (part of `make bench`, issue 19): a fresh 512 KiB write on the virtual
# STM32F407 through the virtual CMSIS-DAP v2 probe (high-speed bulk, 4 commands in flight)
# at 4 MHz SWD, stprog against OpenOCD 0.12's own cmsis-dap driver (usb_bulk), both
# unmodified through the libusb shim, timed by the board model (virtual seconds). Writes
# bench/cmsis_dap_results.md. Usage: bench/cmsis_dap.sh [BUILD_DIR]
set -euo pipefail
BUILD=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
SHIM="$BUILD/libstprog-usbsim.so"
STPROG="$BUILD/stprog"
BOUND="$BUILD/bench/bench_bound"
[ -f "$SHIM" ] && [ -x "$STPROG" ] && [ -x "$BOUND" ] ||
    { echo "bench/cmsis_dap.sh: build first ($SHIM, $STPROG, $BOUND)" >&2; exit 1; }
for t in openocd jq; do
    command -v "$t" >/dev/null || { echo "bench/cmsis_dap.sh: $t missing (make deps)" >&2; exit 1; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
PART=stm32f407vg KIB=512 KHZ=4000
out=${BENCH_CMSIS_DAP_OUT:-$here/cmsis_dap_results.md}
head -c $((KIB * 1024)) /dev/urandom >"$W/img.bin"
head -c $((KIB * 1024)) /dev/urandom >"$W/old.bin"
"$STPROG" --probe "sim:$PART,state=$W/old.state" write "$W/old.bin" >/dev/null 2>&1
read -r bound _ < <("$BOUND" "$PART" "$KIB")

# run NAME COMMAND...: COMMAND through the shim on a copy of the old board; one table row.
: >"$W/rows"
run() {
    local name=$1
    shift
    cp "$W/old.state" "$W/run.state"
    rm -f "$W/rep.json"
    STPROG_SIM="sim:$PART,probe=cmsis-dap,state=$W/run.state" STPROG_SIM_REPORT="$W/rep.json" \
        LD_PRELOAD="$SHIM" "$@" >"$W/log" 2>&1 ||
        { echo "bench: $name failed:" >&2; tail -5 "$W/log" >&2; return 1; }
    jq -r --arg n "$name" --arg b "$bound" \
        '[$n, .virtual_seconds, .flash_erase_seconds, .flash_program_seconds, .usb_transfers,
          (.virtual_seconds / ($b | tonumber))] | map(tostring) | join("\t")' "$W/rep.json" \
        >>"$W/rows"
    tail -1 "$W/rows" >&2
}
run "stprog --psize 32" "$STPROG" --probe cmsis-dap --freq "$KHZ" write "$W/img.bin" --psize 32
run "stprog" "$STPROG" --probe cmsis-dap --freq "$KHZ" write "$W/img.bin"
run "openocd" openocd -c "gdb_port disabled" -c "tcl_port disabled" -c "telnet_port disabled" \
    -f interface/cmsis-dap.cfg -c "cmsis_dap_backend usb_bulk" -f target/stm32f4x.cfg \
    -c "adapter speed $KHZ" -c "program $W/img.bin 0x08000000 verify exit"

ocd=$(awk -F'\t' '$1 == "openocd" { print $2 }' "$W/rows")
{
    cat <<EOF
# CMSIS-DAP benchmark (virtual board, \`bench/cmsis_dap.sh\`, part of \`make bench\`)

A fresh write of ${KIB} KiB of random data over a different random image on the virtual
$PART, through the virtual CMSIS-DAP v2 probe (\`probe=cmsis-dap\`: high-speed bulk, 512-byte
packets, 4 in flight) at $KHZ kHz SWD; every tool unmodified through the libusb shim, timed
by the board model in virtual seconds (flash times: the chip database's typical datasheet
values). The datasheet bound (\`bench_bound\`: typical erase of the touched sectors + typical
x32 programming) is ${bound} s.

- **stprog --psize 32**: \`stprog --probe cmsis-dap --freq $KHZ write IMG --psize 32\`: the
  board runs at 3.3 V, which allows x32; a CMSIS-DAP probe cannot measure it, so stprog asks.
- **stprog**: the same without \`--psize\`: no voltage measured, so x8, the width every
  supply allows (and a warning saying \`--psize 32\` is four times faster).
- **openocd**: \`openocd -f interface/cmsis-dap.cfg -c "cmsis_dap_backend usb_bulk" -f
  target/stm32f4x.cfg -c "adapter speed $KHZ" -c "program IMG 0x08000000 verify exit"\`,
  $(openocd --version 2>&1 | head -1 | sed 's/ (.*//').

Generated $(date -u +"%Y-%m-%d %H:%M UTC") from commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown).

| tool | total s | erase s | program s | USB transfers | x bound | OpenOCD / tool |
|---|---|---|---|---|---|---|
EOF
    awk -F'\t' -v ocd="$ocd" '{ printf "| %s | %.3f | %.3f | %.3f | %s | %.2f | %.2f |\n",
        $1, $2, $3, $4, $5, $6, ocd / $2 }' "$W/rows"
    echo
    awk -F'\t' -v ocd="$ocd" '$1 == "stprog --psize 32" {
        printf "Targets (issue 19): at least 1.5x faster than OpenOCD: %.2fx (%s); within 1.15x of the bound: %.2fx (%s).\n",
            ocd / $2, (ocd / $2 >= 1.5 ? "met" : "NOT met"), $6, ($6 <= 1.15 ? "met" : "NOT met") }' "$W/rows"
} >"$out"
cat "$out"
