#!/bin/bash
# `info` shows the chip's SRAM, measured (parts of one device ID differ: no register holds
# it), not the smaller area the flash loader relies on: the size `chips` lists for the part.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"

for part in stm32l151cb stm32f103c8 stm32f205rg stm32f103zg stm32l151c8 stm32f407vg; do
    run --json chips
    want=$(jq -r ".parts[] | select(.name == \"$part\") | .sram_kb" "$TMP/out")
    run --probe "sim:$part" info --json
    expect_rc 0 "$part: info"
    expect_json ".target.sram_kb == $want and .target.sram_measured" "$part: SRAM $want KiB"
    run --probe "sim:$part" info
    expect_out "sram:           $want KiB at 0x20000000" "$part: text"
done
# L476: SRAM1 96 KiB and SRAM2 32 KiB aliased at 0x20018000, one range of 128 KiB (RM0351
# 2.3); G431: SRAM1+SRAM2 22 KiB and the CCM SRAM's 10 KiB aliased at 0x20005800, 32 KiB
# (RM0440 2.4); G071: 36 KiB. The manuals' numbers, not the chip table's.
for pair in stm32l476rg:128 stm32g431rb:32 stm32g071rb:36; do
    IFS=: read -r part kb <<<"$pair"
    run --probe "sim:$part" info --json
    expect_rc 0 "$part: info"
    expect_json ".target.sram_kb == $kb and .target.sram_measured" "$part: SRAM $kb KiB"
done
finish
