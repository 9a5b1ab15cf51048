#!/bin/bash
# st-trace (Debian stlink-tools), unmodified, through the libusb shim reads the virtual
# board's SWO: it configures the TPIU and ITM itself, starts the ST-Link's trace capture and
# prints stimulus port 0. With the right core clock the example's lines come in order; with
# a wrong one (the TPIU then runs at another rate than the capture) they do not.
. "$(dirname "$0")/lib.sh"
command -v st-trace >/dev/null || { echo "SKIP: st-trace not installed"; exit 77; }
SHIM="$STPROG_BUILD/libstprog-usbsim.so"
need_fw itm_f407
run --probe "sim:stm32f407vg,state=$TMP/b.state" write "$EX/itm_f407.elf"
expect_rc 0 "write itm"
sttrace() { # CLOCK_MHZ: 3 s of st-trace at 2 MHz
    STPROG_SIM="sim:stm32f407vg,state=$TMP/b.state" LD_PRELOAD="$SHIM" \
        timeout -s TERM 3 st-trace --clock="$1" --trace=2000000 >"$TMP/out" 2>"$TMP/err" || true
}
sttrace 16
python3 - "$TMP/out" <<'PY' || fail "st-trace: no ITM lines in order: $(head -c 300 "$TMP/out"; tail -3 "$TMP/err")"
import sys, re
lines = [l for l in open(sys.argv[1], 'rb').read().decode(errors='replace').split('\n')
         if l.startswith('ITM line ')]
nums = [int(re.match(r'ITM line (\d+) from STM32F4DISCOVERY$', l).group(1)) for l in lines[:-1]]
assert len(nums) >= 10 and nums == list(range(nums[0], nums[0] + len(nums))), nums[:10]
PY
sttrace 8
grep -q "^ITM line [0-9]* from STM32F4DISCOVERY$" "$TMP/out" &&
    fail "st-trace with a wrong --clock should not decode the lines"
finish
