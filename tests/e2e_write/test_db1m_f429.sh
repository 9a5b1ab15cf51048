#!/bin/bash
# DB1M on a 1 MiB STM32F42x/F43x (virtual stm32f429zg; RM0090 3.9.10 FLASH_OPTCR bit 30,
# 3.9.11 FLASH_OPTCR1). `option-bytes set db1m=1` makes the flash two banks of 512 KiB from
# the next reset: sectors 0-7 at 0x08000000 (4x16, 64, 3x128 KiB) and 12-19 at 0x08080000
# (SNB 16-23). Sectors 12-19 are write-protected by OPTCR1 nWRP0-7 (bank-2 option half-word
# at 0x1FFEC008), so `wrp+=13` protects the sector at 0x08084000. db1m=0 gives back one bank
# of sectors 0-11 (sector 8, 128 KiB, at 0x08080000).
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
BOARD="sim:stm32f429zg,state=$TMP/board.state"

# half ADDR: the option half-word stored at ADDR (0 bits = protected / option off) as hex.
half() {
    "$STPROG" --probe "$BOARD" read "$1" 2 -o "$TMP/ob.bin" >/dev/null 2>&1
    printf '0x%04X' $((0x$(od -An -tx2 -v "$TMP/ob.bin" | tr -d ' ')))
}

head -c 1048576 /dev/urandom >"$TMP/full.bin"
head -c 40000 /dev/urandom >"$TMP/a.bin"
head -c 40000 /dev/urandom >"$TMP/b.bin"
head -c 4096 /dev/urandom >"$TMP/c.bin"
head -c 16384 /dev/zero | tr '\0' '\377' >"$TMP/blank16k.bin"

run --probe "$BOARD" option-bytes show --json
expect_rc 0 "show"
expect_json '.option_bytes.fields.db1m == "0"' "db1m listed, 0 as shipped"
expect_json '.option_bytes.wrp_units == 12' "12 protection units in one bank"

run --probe "$BOARD" option-bytes set db1m=1 --json
expect_rc 0 "set db1m=1"
expect_json '.option_bytes.fields.db1m == "1"' "db1m reads back 1"
expect_json '.option_bytes.wrp_units == 20' "20 protection units (sectors 0-19)"
[ "$(half 0x1FFFC008)" = 0x4FFF ] ||
    fail "stored OPTCR half-word $(half 0x1FFFC008), expected 0x4FFF (DB1M = bit 14)"

run --probe "$BOARD" info --json
expect_rc 0 "info"
expect_json '.target.dual_bank == true and .target.sectors == 16' "info: dual bank, 16 sectors"

# the layout as the plan shows it
run --probe "$BOARD" write "$TMP/full.bin" --dry-run --json
expect_rc 0 "dry run of 1 MiB"
expect_json '[.plan.sectors[].number] == [0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19]' \
    "sectors 0-7 then 12-19"
expect_json '[.plan.sectors[].bank] == [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]' "banks"
expect_json '[.plan.sectors[] | select(.number == 12)][0] | .address == 134742016 and .size == 16384' \
    "sector 12: 16 KiB at 0x08080000"
expect_json '[.plan.sectors[] | select(.number == 7)][0] | .address == 134610944 and .size == 131072' \
    "sector 7: 128 KiB at 0x08060000"
expect_json '[.plan.sectors[] | select(.number == 19)][0] | .address == 135135232 and .size == 131072' \
    "sector 19: 128 KiB at 0x080E0000"

# a write across the bank boundary (sectors 7, 12, 13), then over it again (erases all three)
run --probe "$BOARD" write "$TMP/a.bin" --addr 0x0807C000
expect_rc 0 "first write across the bank boundary"
STPROG_SIM_REPORT=$TMP/report.json run --probe "$BOARD" write "$TMP/b.bin" --addr 0x0807C000
expect_rc 0 "write across the bank boundary"
[ "$(jq -r .flash_erases "$TMP/report.json")" = 3 ] ||
    fail "board counted $(jq -r .flash_erases "$TMP/report.json") sector erases, expected 3 (7, 12, 13)"
run --probe "$BOARD" read 0x0807C000 40000 -o "$TMP/back.bin"
expect_rc 0 "read back"
cmp -s "$TMP/b.bin" "$TMP/back.bin" || fail "flash differs from the image after the write"

# erase --sectors 12-12: exactly 16 KiB at 0x08080000
run --probe "$BOARD" erase --sectors 12-12
expect_rc 0 "erase sector 12"
run --probe "$BOARD" read 0x08080000 16384 -o "$TMP/s12.bin"
cmp -s "$TMP/s12.bin" "$TMP/blank16k.bin" || fail "sector 12 (0x08080000, 16 KiB) not erased"
run --probe "$BOARD" read 0x0807C000 16384 -o "$TMP/s7.bin"
cmp -s "$TMP/s7.bin" <(head -c 16384 "$TMP/b.bin") || fail "erase of sector 12 touched sector 7"
run --probe "$BOARD" read 0x08084000 4096 -o "$TMP/s13.bin"
cmp -s "$TMP/s13.bin" <(tail -c +32769 "$TMP/b.bin" | head -c 4096) ||
    fail "erase of sector 12 touched sector 13"

# write protection of sector 13: OPTCR1 nWRP1
run --probe "$BOARD" option-bytes set 'wrp+=13' --json
expect_rc 0 "set wrp+=13"
expect_json '.option_bytes.wrp == [13]' "sector 13 protected"
[ "$(half 0x1FFEC008)" = 0x0FFD ] ||
    fail "stored bank-2 nWRP $(half 0x1FFEC008), expected 0x0FFD (bit 1 clear)"
[ "$(half 0x1FFFC008)" = 0x4FFF ] ||
    fail "stored OPTCR half-word $(half 0x1FFFC008), expected 0x4FFF (nothing in bank 1)"
run --probe "$BOARD" write "$TMP/c.bin" --addr 0x08084000 --json
expect_rc 4 "write into protected sector 13"
expect_json '[.findings[] | select(.id == "plan.write-protected")][0].evidence | .sector == "13" and .address == "0x08084000"' \
    "refusal names sector 13 at 0x08084000"
run --probe "$BOARD" write "$TMP/c.bin" --addr 0x08080000
expect_rc 0 "sector 12 stays writable"
run --probe "$BOARD" option-bytes set 'wrp+=9'
expect_rc 2 "wrp+=9: no sector 9 with DB1M=1"
expect_err "option.wrp-no-such-sector" "wrp+=9 refused"

run --probe "$BOARD" option-bytes set 'wrp-=13' --json
expect_rc 0 "clear wrp 13"
expect_json '.option_bytes.wrp == []' "nothing protected"
[ "$(half 0x1FFEC008)" = 0x0FFF ] || fail "stored bank-2 nWRP $(half 0x1FFEC008), expected 0x0FFF"
run --probe "$BOARD" write "$TMP/c.bin" --addr 0x08084000
expect_rc 0 "write into sector 13 after clearing"
run --probe "$BOARD" verify "$TMP/c.bin" --addr 0x08084000
expect_rc 0 "verify sector 13"

# erase --all: the mass erase covers bank 2 too (MER and MER1, RM0090 3.9.8)
run --probe "$BOARD" write "$TMP/c.bin" --addr 0x080E0000
expect_rc 0 "write into sector 19"
run --probe "$BOARD" erase --all
expect_rc 0 "erase --all"
run --probe "$BOARD" read 0x080E0000 4096 -o "$TMP/s19.bin"
cmp -s "$TMP/s19.bin" <(head -c 4096 "$TMP/blank16k.bin") ||
    fail "erase --all left bank 2 (sector 19 at 0x080E0000) programmed"

# back to one bank
run --probe "$BOARD" option-bytes set db1m=0 --json
expect_rc 0 "set db1m=0"
expect_json '.option_bytes.fields.db1m == "0" and .option_bytes.wrp_units == 12' \
    "db1m 0, 12 units"
[ "$(half 0x1FFFC008)" = 0x0FFF ] ||
    fail "stored OPTCR half-word $(half 0x1FFFC008), expected 0x0FFF (DB1M clear)"
run --probe "$BOARD" write "$TMP/full.bin" --dry-run --json
expect_rc 0 "dry run, one bank"
expect_json '[.plan.sectors[].number] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]' "sectors 0-11"
expect_json '[.plan.sectors[] | select(.number == 8)][0] | .address == 134742016 and .size == 131072 and .bank == 0' \
    "sector 8: 128 KiB at 0x08080000 in bank 1"
finish
