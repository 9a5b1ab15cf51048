#!/bin/bash
# Noise: a chip warning every command would repeat (the flash-size register holding
# garbage) is one line on the commands other than info and doctor, which show it whole;
# --json keeps its evidence everywhere. The write-protection evidence names how many sectors
# the device has without reading as a sector number.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
B="sim:stm32f407vg,fsize=0xFFFF"

run --probe "$B" read 0x08000000 16 -o "$TMP/x.bin"
expect_rc 0 "read"
[ "$(grep -c . "$TMP/err" | tr -d ' ')" -le 2 ] || fail "read: stderr has more than a progress line and one warning line: $ERR"
expect_err "flash.size-implausible" "read still says it"
grep -q "raw: 0xFFFF" "$TMP/err" && fail "read repeats the evidence: $ERR"
run --probe "$B" info
expect_err "raw: 0xFFFF" "info shows the evidence"
run --probe "$B" --json read 0x08000000 16 -o "$TMP/x.bin"
expect_json '.findings[] | select(.id == "flash.size-implausible") | .evidence.raw == "0xFFFF"' \
    "--json keeps the evidence"

run --probe "sim:stm32f407vg,wrp=0x800" --json doctor
expect_json '.findings[] | select(.id == "protect.wrp") | .evidence.protected_units == "11" and (.evidence.device_sector_count | startswith("12 (sectors 0-11)")) and (.evidence.sectors == null)' \
    "protect.wrp evidence"
finish
