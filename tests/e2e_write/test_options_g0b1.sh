#!/bin/bash
# Option bytes on a virtual stm32g0b1re (RM0444, two banks): DUAL_BANK (OPTR 21) and
# nSWAP_BANK (20) decoded and settable; WRP areas of bank 2 (WRP2AR) protect pages from
# 0x08040000 (bank-2 page 256): a write there is refused while bank 1 stays writable; a
# rewrite across the bank boundary erases pages of both banks; erase --all blanks both; then
# WRP, RDP 1 and RDP 1 -> 0 with --unlock as on every family.
PART=stm32g0b1re
FW=fw
UNIT_ADDR=0x08000800
. "$(dirname "$0")/options_lib.sh"
EX=$TMP
head -c 12000 /dev/urandom >"$EX/fw.bin"
run --probe "$BOARD" option-bytes show --json
expect_rc 0 "show"
expect_json '.option_bytes.fields.dual_bank == "1" and .option_bytes.fields.nswap_bank == "1"' \
    "factory: dual bank, banks not swapped"
run --probe "$BOARD" option-bytes set nswap_bank=0 --json
expect_rc 0 "set nswap_bank=0"
expect_json '((.option_bytes.raw[0] / 1048576 | floor) % 4) == 2' "OPTR[21:20] = 10 after the load"
run --probe "$BOARD" option-bytes set nswap_bank=1
expect_rc 0 "nswap_bank back to 1"
# bank 2: page 256 is protection unit 128 (0x08040000)
head -c 4096 /dev/urandom >"$TMP/b2.bin"
run --probe "$BOARD" option-bytes set 'wrp+=128' 'wrp+=129' --json
expect_rc 0 "protect the first two pages of bank 2"
expect_json '.option_bytes.wrp == [128, 129]' "units 128-129 protected"
expect_json '.option_bytes.raw | length == 5' "OPTR and four WRP area registers read"
expect_json '.option_bytes.raw[3] == (0 + 65536 * 1)' "WRP2AR = STRT 0, END 1 (pages of bank 2)"
run --probe "$BOARD" write "$TMP/b2.bin" --addr 0x08040000 --json
expect_rc 4 "write into protected bank-2 pages"
expect_json '[.findings[] | select(.id == "plan.write-protected")][0].evidence.address == "0x08040000"' \
    "refusal names 0x08040000"
run --probe "$BOARD" write "$TMP/b2.bin" --addr 0x0803F800 --json
expect_rc 4 "a write from bank 1's last page into bank 2's protected page is refused too"
run --probe "$BOARD" write "$TMP/b2.bin" --addr 0x08040800 --json
expect_rc 4 "page 257 (unit 129) protected"
run --probe "$BOARD" write "$TMP/b2.bin" --addr 0x08041000 --json
expect_rc 0 "pages 258-259 are not protected"
run --probe "$BOARD" option-bytes set 'wrp=none'
expect_rc 0 "clear wrp"
run --probe "$BOARD" write "$TMP/b2.bin" --addr 0x08040000
expect_rc 0 "bank-2 write after clearing wrp"
run --probe "$BOARD" verify "$TMP/b2.bin" --addr 0x08040000
expect_rc 0 "verify in bank 2"
# across the bank boundary over written pages: bank 1's page 127 and bank 2's page 256 are
# erased (PER with PNB 127; PER, BKER and PNB 256), bank 2's page 257 too
head -c 6000 /dev/urandom >"$TMP/x.bin"
run --probe "$BOARD" write "$TMP/b2.bin" --addr 0x0803F800
expect_rc 0 "write across the bank boundary"
run --probe "$BOARD" write "$TMP/x.bin" --addr 0x0803F800 --json
expect_rc 0 "rewrite across the bank boundary"
expect_json '.plan.erase_count == 3 and ([.plan.sectors[] | select(.action == "erase") | .bank] == [0, 1, 1])' \
    "the written pages of both banks erased"
run --probe "$BOARD" verify "$TMP/x.bin" --addr 0x0803F800
expect_rc 0 "verify across the bank boundary"
run --probe "$BOARD" erase --all
expect_rc 0 "erase --all (MER1 and MER2)"
run --probe "$BOARD" blank-check
expect_rc 0 "both banks blank"
run_options
