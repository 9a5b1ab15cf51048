#!/usr/bin/env bash
# RTT throughput and latency: `stprog run` against OpenOCD's `rtt server` (unmodified,
# through the libusb shim) on the same firmware, probe and virtual board. Usage:
#   bash bench/rtt.sh [BUILD_DIR]        (BENCH_RTT_PROBES="v2 v3" by default)
# The firmware measures on its own clock (DWT_CYCCNT at the STM32F407's 16 MHz reset clock,
# which is the virtual board's time), so both tools are timed by the same stopwatch:
#  - floodbench_f407: after one byte from the host, 128 KiB of numbered lines through a
#    1 KiB blocking up-buffer as fast as the host takes them; bytes / time = throughput;
#  - latency_f407: after one byte from the host, 100 lines at random moments 0-200 ms apart;
#    for each, the time from the write until the host's read offset passed it (the host
#    has the bytes).
# Both tools use their default poll rates (stprog: 10 ms idle, at once while data flows;
# OpenOCD: `rtt polling_interval` 100 ms) and SWD clocks (V2 1.8 MHz for both: OpenOCD's
# stm32f4x.cfg asks 2000 kHz, the V2 gives 1800; V3 1 MHz / 1 MHz). Prints a Markdown table
# and the verdict on issue 18's targets (>= 2x OpenOCD's throughput, latency < 20 ms); exit
# status 0 when both are met. BENCH_RTT_FLOOD=floodbench16k_f407 (16 KiB) and
# BENCH_RTT_OPENOCD_LATENCY=0 make the short run tests/run/test_rtt_speed.sh uses.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
STPROG="$BUILD/stprog"
SHIM="$BUILD/libstprog-usbsim.so"
EX="$BUILD/examples"
here=$(cd "$(dirname "$0")" && pwd)
CLIENT="$here/../tests/run/rtt_client.py"
CORE_HZ=16000000
PROBES=${BENCH_RTT_PROBES:-v2 v3}
FLOOD=$EX/${BENCH_RTT_FLOOD:-floodbench_f407}.elf
OCD_LATENCY=${BENCH_RTT_OPENOCD_LATENCY:-1}
for f in "$STPROG" "$SHIM" "$FLOOD" "$EX/latency_f407.elf"; do
    [ -f "$f" ] || { echo "bench/rtt.sh: $f is missing (build first)" >&2; exit 1; }
done
command -v openocd >/dev/null || { echo "bench/rtt.sh: openocd is not installed" >&2; exit 1; }
WORK=$(mktemp -d)
OCD_PID=
cleanup() {
    [ -z "$OCD_PID" ] || kill -TERM "$OCD_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" | tail -1; }

# stprog_run PROBE ELF INPUT: the firmware's output through `stprog run`.
stprog_run() {
    printf '%s' "$3" | "$STPROG" --probe "sim:stm32f407vg,probe=$1" run --timeout 120 "$2" \
        2>"$WORK/stprog.err"
}

# openocd_run PROBE ELF INPUT UNTIL: the firmware's output through OpenOCD's RTT server.
openocd_run() {
    local state="$WORK/board-$1.state" addr port
    "$STPROG" --probe "sim:stm32f407vg,probe=$1,state=$state" write -q "$2" >/dev/null 2>&1
    addr=$(arm-none-eabi-nm "$2" | awk '$3 == "_SEGGER_RTT" { print $1 }')
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    STPROG_SIM="sim:stm32f407vg,probe=$1,state=$state" LD_PRELOAD="$SHIM" openocd \
        -c "gdb_port disabled" -c "tcl_port disabled" -c "telnet_port disabled" \
        -f interface/stlink.cfg -f target/stm32f4x.cfg -c init \
        -c "rtt setup 0x$addr 32 \"SEGGER RTT\"" -c "rtt start" -c "rtt server start $port 0" \
        >"$WORK/openocd.log" 2>&1 &
    OCD_PID=$!
    python3 "$CLIENT" "$port" 1000000 600 "$3" "$4" || true
    kill -TERM "$OCD_PID" 2>/dev/null || true
    wait "$OCD_PID" 2>/dev/null || true
    OCD_PID=
}

kib_s() { awk -v b="$1" -v c="$2" -v hz=$CORE_HZ 'BEGIN { printf "%.1f", b / (c / hz) / 1024 }'; }
ms() { [ "$1" = - ] && echo - || awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }

echo "| probe | tool | throughput (KiB/s) | latency max (ms) | latency mean (ms) |"
echo "|-------|------|-------------------:|-----------------:|------------------:|"
verdict=0
for p in $PROBES; do
    out=$(stprog_run "$p" "$FLOOD" g)
    s_bytes=$(field bytes <<<"$out")
    s_cyc=$(field cycles <<<"$out")
    out=$(stprog_run "$p" "$EX/latency_f407.elf" g)
    s_max=$(field max_us <<<"$out")
    s_mean=$(field mean_us <<<"$out")
    out=$(openocd_run "$p" "$FLOOD" g FLOOD)
    o_bytes=$(field bytes <<<"$out")
    o_cyc=$(field cycles <<<"$out")
    o_max=- o_mean=-
    if [ "$OCD_LATENCY" = 1 ]; then
        out=$(openocd_run "$p" "$EX/latency_f407.elf" g LATENCY)
        o_max=$(field max_us <<<"$out")
        o_mean=$(field mean_us <<<"$out")
    fi
    if [ -z "$s_cyc" ] || [ -z "$o_cyc" ] || [ -z "$s_max" ] || [ -z "$o_max" ]; then
        echo "bench/rtt.sh: a run gave no result (probe $p); OpenOCD's log:" >&2
        tail -5 "$WORK/openocd.log" >&2
        exit 1
    fi
    echo "| $p | stprog run | $(kib_s "$s_bytes" "$s_cyc") | $(ms "$s_max") | $(ms "$s_mean") |"
    echo "| $p | OpenOCD rtt server | $(kib_s "$o_bytes" "$o_cyc") | $(ms "$o_max") | $(ms "$o_mean") |"
    ratio=$(awk -v s="$s_cyc" -v o="$o_cyc" 'BEGIN { printf "%.1f", o / s }')
    ok_ratio=$(awk -v r="$ratio" 'BEGIN { print (r >= 2) ? "met" : "MISSED" }')
    ok_lat=$(awk -v m="$s_max" 'BEGIN { print (m < 20000) ? "met" : "MISSED" }')
    echo "|  | **$p: stprog/OpenOCD throughput ${ratio}x (target >= 2x: $ok_ratio); stprog latency max $(ms "$s_max") ms (target < 20 ms: $ok_lat)** | | | |"
    [ "$ok_ratio" = met ] && [ "$ok_lat" = met ] || verdict=1
done
exit $verdict
