#!/bin/bash
# The L0 family on its virtual boards. blinky_l053 runs on the stm32l053r8 (NUCLEO-L053R8):
# after write + reset, blink_delay (.data) is in SRAM, PA5 is an output and the LED is on in
# GPIOA_ODR (0x50000000). Every other part: write (SRAM loader, or the direct path on the
# L011's 2 KiB SRAM), skip unchanged, erase one 128-byte page, erase --all (page by page:
# no mass erase on L0), blank-check (0x00). The cat. 5 stm32l073rz: WRP of a bank-2 sector
# (bit 40, in WRPROT2 at 0x1FF80010) refuses a write there, nBOOT1 and BFB2 read and set.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
. "$STPROG_SRC/tests/cli/shim_wrap.sh"
EX="$STPROG_BUILD/examples"

word() { # word BOARD ADDR: one 32-bit word into $WORD (decimal)
    run --probe "$1" read "$2" 4 -o "$TMP/w.bin"
    expect_rc 0 "read $2"
    WORD=$(od -An -tu4 "$TMP/w.bin" | tr -d ' \n')
}

# blinky on the NUCLEO-L053R8
board="sim:stm32l053r8,state=$TMP/l053.state"
elf="$EX/blinky_l053.elf"
if [ -f "$elf" ]; then
    word "$board" 0x50000000
    [ $(((WORD >> 10) & 3)) -ne 1 ] || fail "l053: PA5 an output before any firmware"
    run --probe "$board" write "$elf" --json
    expect_rc 0 "l053: write blinky_l053.elf"
    expect_json '.programmed and .verified' "l053: programmed and verified"
    run --probe "$board" reset --json
    expect_rc 0 "l053: reset"
    expect_json '.halted == false' "l053: running after the reset"
    nm=$(command -v arm-none-eabi-nm || true)
    delay=0x20000000
    [ -z "$nm" ] || delay=0x$("$nm" "$elf" | awk '$3 == "blink_delay" { print $1 }')
    word "$board" "$delay"
    [ "$WORD" = 200000 ] || fail "l053: blink_delay is $WORD, not 200000 (the firmware did not run)"
    word "$board" 0x50000000
    [ $(((WORD >> 10) & 3)) -eq 1 ] || fail "l053: GPIOA_MODER $WORD: PA5 not an output"
    word "$board" 0x50000014
    [ $((WORD & 0x20)) -ne 0 ] || fail "l053: GPIOA_ODR $WORD: LED (PA5) off"
else
    fail "example firmware $elf was not built"
fi

part_flow() { # PART FLASH_KB IMAGE_BYTES
    local part=$1 kb=$2 size=$3
    local b="sim:$part,state=$TMP/$part.state"
    head -c "$size" /dev/urandom >"$TMP/$part.bin"
    run --probe "$b" info --json
    expect_rc 0 "$part info"
    expect_json ".target.flash_kb == $kb and .target.family == \"L0\"" "$part: L0, $kb KiB"
    run --probe "$b" write "$TMP/$part.bin" --json
    expect_rc 0 "$part write"
    expect_json '.programmed and .verified' "$part programmed and verified"
    expect_json '[.findings[] | select(.severity != "info")] | length == 0' \
        "$part: no warning (the L011's SRAM is too small for the loader: a fact, not a fault)"
    run --probe "$b" write "$TMP/$part.bin" --json
    expect_rc 0 "$part rewrite"
    expect_json '.plan.erase_count == 0 and .plan.program_bytes == 0' "$part identical: skipped"
    run --probe "$b" read 0x08000000 "$size" -o "$TMP/$part.back.bin"
    cmp -s "$TMP/$part.back.bin" "$TMP/$part.bin" || fail "$part read-back differs"
    run --probe "$b" erase --sectors 1 --json
    expect_rc 0 "$part erase page 1"
    run --probe "$b" read 0x08000000 512 -o "$TMP/$part.p.bin"
    python3 - "$TMP/$part.p.bin" "$TMP/$part.bin" <<'PY' || fail "$part: page 1 (0x80..0xFF) alone erased"
import sys
p = open(sys.argv[1], 'rb').read(); d = open(sys.argv[2], 'rb').read()
sys.exit(0 if p[0x80:0x100] == bytes(128) and p[:0x80] == d[:0x80] and p[0x100:] == d[0x100:512] else 1)
PY
    run --probe "$b" erase --all
    expect_rc 0 "$part erase --all"
    run --probe "$b" blank-check --json
    expect_rc 0 "$part blank after erase --all"
}
part_flow stm32l011k4 16 12288
part_flow stm32l031k6 32 20000
part_flow stm32l073rz 192 163840

# cat. 5 options: WRP of sector 40 (bank 2) and the user bits
b="sim:stm32l073rz,state=$TMP/l073o.state"
run --probe "$b" option-bytes --json
expect_rc 0 "l073 option-bytes"
expect_json '.option_bytes.wrp_units == 48 and .option_bytes.fields.nboot1 == "1" and .option_bytes.fields.bfb2 == "0"' \
    "l073: 48 WRP sectors, shipped nBOOT1=1, BFB2=0"
run --probe "$b" option-bytes set 'wrp+=40' nboot1=0 bfb2=1 --json
expect_rc 0 "l073: set wrp+=40 nboot1=0 bfb2=1"
expect_json '.option_bytes.wrp == [40] and .option_bytes.fields.nboot1 == "0" and .option_bytes.fields.bfb2 == "1"' \
    "l073: read back"
head -c 256 /dev/urandom >"$TMP/s.bin"
run --probe "$b" write "$TMP/s.bin" --addr 0x08028000 --json
expect_rc 4 "l073: write into the protected bank-2 sector refused"
run --probe "$b" option-bytes set 'wrp-=40' --json
expect_rc 0 "l073: clear wrp"
run --probe "$b" write "$TMP/s.bin" --addr 0x08028000 --json
expect_rc 0 "l073: write into bank 2 after clearing WRP"

# doctor on healthy boards: no false alarm (the L011 included, whose 2 KiB SRAM is too small
# for the loader)
for part in stm32l011k4 stm32l073rz; do
    run --probe "sim:$part" doctor --json
    expect_rc 0 "$part: doctor all clear"
done
finish
