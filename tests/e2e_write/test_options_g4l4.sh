#!/bin/bash
# Option bytes on the other G4 and L4/L4+ lines (PART from the environment; ctest runs one
# test per part): for the dual-bank parts a WRP area in bank 2 (BANK2_UNIT, the first page of
# bank 2 at BANK2_ADDR) refuses a write there while bank 1 stays writable and erase --all is
# refused; then the common flow (options_lib.sh): WRP on unit 1, RDP 1 refuses programming,
# RDP 1 -> 0 needs --unlock and leaves both banks blank.
FW=fw
UNIT_ADDR=${UNIT_ADDR:-0x08000800} # WRP unit 1 = page 1 (2 KiB; 4 KiB on the L4+ dual bank)
. "$(dirname "$0")/options_lib.sh"
EX=$TMP
head -c 12000 /dev/urandom >"$EX/fw.bin"
if [ -n "${BANK2_UNIT:-}" ]; then
    run --probe "$BOARD" option-bytes set "wrp+=$BANK2_UNIT" --json
    expect_rc 0 "protect unit $BANK2_UNIT (bank 2 page 0)"
    expect_json ".option_bytes.wrp == [$BANK2_UNIT]" "one unit protected"
    expect_json '[.option_bytes.raw[3] % 65536, (.option_bytes.raw[3] / 65536 | floor)] == [0, 0]' \
        "WRP2AR = page 0..0 of bank 2"
    head -c 2048 /dev/urandom >"$TMP/page.bin"
    run --probe "$BOARD" write "$TMP/page.bin" --addr "$BANK2_ADDR" --json
    expect_rc 4 "bank 2 page 0 is refused"
    expect_json "[.findings[] | select(.id == \"plan.write-protected\")][0].evidence.address == \"$BANK2_ADDR\"" \
        "the refusal names bank 2 page 0"
    run --probe "$BOARD" write "$TMP/page.bin" --addr 0x08000000
    expect_rc 0 "bank 1 page 0 is writable"
    run --probe "$BOARD" erase --all --json
    [ "$RC" != 0 ] || fail "erase --all with a protected page in bank 2 succeeded"
    run --probe "$BOARD" verify "$TMP/page.bin" --addr 0x08000000
    expect_rc 0 "the refused erase --all left bank 1 alone"
    run --probe "$BOARD" option-bytes set "wrp-=$BANK2_UNIT"
    expect_rc 0 "clear the bank-2 area"
    run --probe "$BOARD" erase --all
    expect_rc 0 "erase --all over both banks"
fi
# RDP regression erases both banks: a page in each before the common flow
if [ -n "${BANK2_ADDR:-}" ]; then
    head -c 4096 /dev/urandom >"$TMP/b2.bin"
    run --probe "$BOARD" write "$TMP/b2.bin" --addr "$BANK2_ADDR"
    expect_rc 0 "a page in bank 2 before the RDP flow"
fi
run_options
