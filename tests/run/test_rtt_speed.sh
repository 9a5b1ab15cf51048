#!/bin/bash
# Issue 18's speed targets on the virtual clock (the short form of bench/rtt.sh): RTT
# throughput of `stprog run` at least twice that of OpenOCD's rtt server (16 KiB through a
# blocking buffer, timed by the firmware's cycle counter), and the latency from a firmware
# write until stprog has the bytes under 20 ms at the default poll rate.
. "$(dirname "$0")/lib.sh"
command -v openocd >/dev/null || { echo "SKIP: openocd not installed"; exit 77; }
need_fw floodbench16k_f407 latency_f407
set +e
BENCH_RTT_PROBES=v2 BENCH_RTT_FLOOD=floodbench16k_f407 BENCH_RTT_OPENOCD_LATENCY=0 \
    bash "$STPROG_SRC/bench/rtt.sh" "$STPROG_BUILD" >"$TMP/out" 2>"$TMP/err"
RC=$?
set -e
cat "$TMP/out"
ERR=$(cat "$TMP/err")
expect_rc 0 "targets met"
expect_out "target >= 2x: met" "throughput target"
expect_out "target < 20 ms: met" "latency target"
finish
