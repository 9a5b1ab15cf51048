#!/bin/bash
# What users switching from st-flash and OpenOCD type, and part markings as printed on a
# chip: OpenOCD's `program FILE verify reset` runs as write; st-flash's `read FILE ADDR LEN`
# and `erase all`, and OpenOCD words after write, get stprog's form (exit 2), never a bare
# "unexpected argument"; a part marking with package/temperature suffix names the part;
# 4G is a number (too large for 32 bits), not "not a number".
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
B="sim:stm32f407vg,state=$TMP/b.state"
FW="$STPROG_BUILD/examples/blinky_f407.elf"

run --probe "$B" program "$FW" verify reset exit
expect_rc 0 "OpenOCD's program FILE verify reset exit"
expect_err "stprog write" "program names the stprog form"
expect_out "chip reset" "program ... reset resets"
run --probe "$B" verify "$STPROG_BUILD/examples/blinky_f407.bin"
expect_rc 0 "program wrote the firmware"

run --probe "$B" read dump.bin 0x08000000 4096
expect_rc 2 "st-flash's read order"
expect_err "stprog read 0x08000000 4096 -o dump.bin" "read: the stprog form"
run --probe "$B" erase all
expect_rc 2 "erase all"
expect_err "stprog erase --all" "erase all: the stprog form"
run --probe "$B" write "$FW" verify reset
expect_rc 2 "OpenOCD words after write"
expect_err "--reset" "write ... reset: names --reset"
for f in "$TMP/err"; do grep -q "unexpected argument" "$f" && fail "a bare 'unexpected argument'"; done

for marking in stm32f407vgt6 STM32F103C8T6 stm32f103c8t6tr stm32l476rgt6; do
    run --probe "sim:$marking" info --json
    expect_rc 0 "part marking $marking"
done
run --probe "sim:stm32f407vgx" info
expect_rc_not0=$RC
[ "$expect_rc_not0" -ne 0 ] || fail "stm32f407vgx (no such marking) accepted"

run --probe "$B" read 0x08000000 4G -o "$TMP/x.bin"
expect_rc 2 "4G"
expect_err "too large" "4G is too large, not 'not a number'"
grep -q "not a number" "$TMP/err" && fail "4G called not a number"
run --probe "$B" read 0x08000000 1M -o "$TMP/x.bin"
expect_rc 0 "1M"
finish
