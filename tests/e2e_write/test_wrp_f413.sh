#!/bin/bash
# Write protection of the STM32F413's sectors 12-15 on a virtual stm32f413zh (RM0430: nWRP
# bits 0-14 in FLASH_OPTCR[30:16], option half-word at 0x1FFFC008; nWRP14 protects sectors
# 14 and 15 together). Sector 12 is at 0x08100000, 13 at 0x08120000, 14 at 0x08140000,
# 15 at 0x08160000 (128 KiB each). stprog must show them, set and clear them, and refuse
# writes into them like sectors 0-11.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
BOARD="sim:stm32f413zh,state=$TMP/board.state"

# nwrp: the stored nWRP half-word (bits 14:0; 0 = protected) as hex, read from memory.
nwrp() {
    "$STPROG" --probe "$BOARD" read 0x1FFFC008 2 -o "$TMP/ob.bin" >/dev/null 2>&1
    printf '0x%04X' $((0x$(od -An -tx2 -v "$TMP/ob.bin" | tr -d ' ') & 0x7FFF))
}

head -c 8192 /dev/urandom >"$TMP/a.bin"
head -c 8192 /dev/urandom >"$TMP/b.bin"
for addr in 0x08120000 0x08160000; do
    run --probe "$BOARD" write "$TMP/a.bin" --addr "$addr"
    expect_rc 0 "write a.bin at $addr"
done

run --probe "$BOARD" option-bytes show --json
expect_rc 0 "show"
expect_json '.option_bytes.wrp_units == 16' "16 protection units (one per sector)"

run --probe "$BOARD" option-bytes set 'wrp+=13' --json
expect_rc 0 "set wrp+=13"
expect_json '.option_bytes.wrp == [13]' "sector 13 protected"
[ "$(nwrp)" = 0x5FFF ] || fail "wrp+=13: stored nWRP $(nwrp), expected 0x5FFF (bit 13 clear)"
run --probe "$BOARD" option-bytes show
expect_out "0x2000" "show lists sector 13 in the mask"
run --probe "$BOARD" info
expect_out "write protection: 13" "info names sector 13"

run --probe "$BOARD" write "$TMP/b.bin" --addr 0x08120000 --json
expect_rc 4 "write into protected sector 13"
expect_json '[.findings[] | select(.id == "plan.write-protected")][0].evidence.sector == "13"' \
    "refusal names sector 13"
run --probe "$BOARD" verify "$TMP/a.bin" --addr 0x08120000
expect_rc 0 "the refused write left sector 13 alone"

# sector 15 shares nWRP14 with sector 14: both become protected, and the user is told
run --probe "$BOARD" option-bytes set 'wrp+=15' --json
expect_rc 0 "set wrp+=15"
expect_json '.option_bytes.wrp == [13, 14, 15]' "sectors 13, 14, 15 protected"
expect_json '[.findings[] | select(.id == "option.wrp-shared-bit")] | length == 1' \
    "told that 14 and 15 share a bit"
[ "$(nwrp)" = 0x1FFF ] || fail "wrp+=15: stored nWRP $(nwrp), expected 0x1FFF (bits 13, 14 clear)"
run --probe "$BOARD" write "$TMP/b.bin" --addr 0x08160000
expect_rc 4 "write into protected sector 15"
expect_err "sector 15 (0x08160000, 128 KiB) is write-protected" "refusal names sector 15"

# an erase of a protected sector is refused before anything is erased
run --probe "$BOARD" erase 0x08160000 0x20000
expect_rc 4 "erase of protected sector 15"
run --probe "$BOARD" verify "$TMP/a.bin" --addr 0x08160000
expect_rc 0 "sector 15 kept its contents"

run --probe "$BOARD" option-bytes set 'wrp-=13' 'wrp-=14' --json
expect_rc 0 "clear 13 and 14"
expect_json '.option_bytes.wrp == []' "nothing protected (15 goes with 14)"
[ "$(nwrp)" = 0x7FFF ] || fail "cleared: stored nWRP $(nwrp), expected 0x7FFF"
for addr in 0x08120000 0x08160000; do
    run --probe "$BOARD" write "$TMP/b.bin" --addr "$addr"
    expect_rc 0 "write after clearing wrp at $addr"
    run --probe "$BOARD" verify "$TMP/b.bin" --addr "$addr"
    expect_rc 0 "verify at $addr"
done

# the whole mask: wrp=all protects 0-15; a write into sector 12 is refused
run --probe "$BOARD" option-bytes set wrp=all --json
expect_rc 0 "wrp=all"
expect_json '.option_bytes.wrp | length == 16' "16 sectors protected"
[ "$(nwrp)" = 0x0000 ] || fail "wrp=all: stored nWRP $(nwrp), expected 0x0000"
run --probe "$BOARD" write "$TMP/b.bin" --addr 0x08100000
expect_rc 4 "write into sector 12 under wrp=all"
run --probe "$BOARD" option-bytes set wrp=none
expect_rc 0 "wrp=none"
[ "$(nwrp)" = 0x7FFF ] || fail "wrp=none: stored nWRP $(nwrp), expected 0x7FFF"
finish
