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
finish
