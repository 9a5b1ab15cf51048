#!/bin/bash
# STM32_Programmer_CLI's command line (stprog run under that name, and `stprog cube`) end to
# end through libusb and the shim, the way Zephyr's stm32cubeprogrammer runner and scripts
# call it: write + verify + reset, erase all, option bytes shown and read protection set
# and removed, words read; the runner's one-argument -c; errors exit non-zero.
set -u
. "$(dirname "$0")/lib.sh"
CUBE="$WORK/bin/STM32_Programmer_CLI"
mkdir -p "$WORK/bin"
ln -s "$STPROG" "$CUBE"
EX="$STPROG_BUILD/examples"
B="sim:stm32f407vg,state=$WORK/f407.state"

fail() {
    echo "FAIL: $*" >&2
    FAILS=$((FAILS + 1))
}
cube() { # SPEC ARGS...: the CLI on board SPEC through the shim; output in $WORK/out, $RC
    local spec=$1
    shift
    STPROG_SIM="$spec" LD_PRELOAD="$SHIM" timeout 300 "$CUBE" "$@" >"$WORK/out" 2>&1
    RC=$?
}

cube "$B" -c port=SWD freq=4000 reset=HWrst -w "$EX/blinky_f407.hex" -v -rst
[ "$RC" -eq 0 ] || fail "-w hex -v -rst: exit $RC: $(cat "$WORK/out")"
grep -q "verified" "$WORK/out" || fail "-v did not verify: $(cat "$WORK/out")"
grep -q "reset (sw)" "$WORK/out" || fail "-rst did not reset: $(cat "$WORK/out")"
sim "$B" "$STPROG" --probe stlink verify "$EX/blinky_f407.bin" ||
    fail "the firmware is not in flash after -w"

cube "$B" -c port=SWD -r32 0x08000000 16
[ "$RC" -eq 0 ] || fail "-r32: exit $RC"
want=$(od -An -tx4 -N16 "$EX/blinky_f407.bin" | tr 'a-f' 'A-F' | xargs)
got=$(sed -n 's/^0x08000000 : //p' "$WORK/out" | xargs)
[ "$got" = "$want" ] || fail "-r32 printed '$got', the firmware's words are '$want'"

# Zephyr's runner: --connect "port=swd freq=4000 reset=HWrst" in one argument
cube "$B" --connect "port=swd freq=4000 reset=HWrst" --erase all
[ "$RC" -eq 0 ] || fail "--connect '...' --erase all: exit $RC: $(cat "$WORK/out")"
sim "$B" "$STPROG" --probe stlink blank-check || fail "not blank after --erase all"
cube "$B" --connect "port=swd reset=HWrst" --download "$EX/blinky_f407.elf" --start
[ "$RC" -eq 0 ] || fail "--download elf --start: exit $RC: $(cat "$WORK/out")"

cube "$B" -c port=SWD -ob displ
[ "$RC" -eq 0 ] || fail "-ob displ: exit $RC"
grep -q "^rdp  *0" "$WORK/out" || fail "-ob displ: no rdp 0: $(cat "$WORK/out")"
cube "$B" -c port=SWD -ob rdp=0xBB
[ "$RC" -eq 0 ] || fail "-ob rdp=0xBB: exit $RC: $(cat "$WORK/out")"
cube "$B" -c port=SWD -r32 0x08000000 4
[ "$RC" -ne 0 ] || fail "-r32 under read protection succeeded"
cube "$B" -c port=SWD -ob rdp=0xAA
[ "$RC" -eq 0 ] || fail "-ob rdp=0xAA: exit $RC: $(cat "$WORK/out")"
cube "$B" -c port=SWD -ob displ
grep -q "^rdp  *0" "$WORK/out" || fail "rdp not back to 0: $(cat "$WORK/out")"

# sectors, upload, and `stprog cube` spelled out
cube "$B" -c port=SWD -w "$EX/blinky_f407.bin" 0x08004000 -v -e [0 0]
[ "$RC" -eq 0 ] || fail "-w bin ADDR -v -e [0 0]: exit $RC: $(cat "$WORK/out")"
STPROG_SIM="$B" LD_PRELOAD="$SHIM" "$STPROG" cube -c port=SWD -u 0x08004000 64 "$WORK/up.bin" \
    >"$WORK/out" 2>&1 || fail "stprog cube -u: $(cat "$WORK/out")"
cmp -s "$WORK/up.bin" <(head -c 64 "$EX/blinky_f407.bin") || fail "-u read other bytes"

# errors: no -c, outside the subset, a failing operation
cube "$B" -w "$EX/blinky_f407.hex"
[ "$RC" -ne 0 ] || fail "a command without -c succeeded"
cube "$B" -c port=SWD -el loader.stldr
[ "$RC" -ne 0 ] && grep -q -- "'-el'" "$WORK/out" || fail "-el not refused by name: $(cat "$WORK/out")"
cube "$B" -c port=SWD -w "$WORK/missing.hex"
[ "$RC" -ne 0 ] || fail "a missing file succeeded"
cube "$B" -c port=SWD -w "$EX/blinky_f407.hex" 0x08000000
[ "$RC" -ne 0 ] || fail "an address with a .hex file was taken"

if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS check(s) failed" >&2
    exit 1
fi
echo "all checks passed"
