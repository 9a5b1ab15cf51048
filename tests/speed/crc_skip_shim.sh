#!/bin/bash
# On-target CRC through the libusb shim on a virtual STM32F407VG (board counters from
# STPROG_SIM_REPORT): re-writing the identical image erases and programs nothing and reads
# almost nothing back; a one-byte change rewrites exactly the sector that holds it; a sector
# that does not erase fully (worn=) is caught by the CRC verify and reported with the address.
set -u
. "$STPROG_SRC/tests/cli/lib.sh"
SHIM="$STPROG_BUILD/libstprog-usbsim.so"
[ -f "$SHIM" ] || { echo "SKIP: libstprog-usbsim.so not built"; exit 77; }
shim() {
    local spec=$1 rep=$2
    shift 2
    set +e
    STPROG_SIM="$spec" STPROG_SIM_REPORT="$TMP/$rep.json" LD_PRELOAD="$SHIM" \
        "$STPROG" --probe stlink "$@" >"$TMP/out" 2>"$TMP/err"
    RC=$?
    set -e
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
}
set -e
rep() { jq -r ".$2" "$TMP/$1.json"; }
img="$TMP/a.bin"
head -c 131072 /dev/urandom >"$img"
board="sim:stm32f407vg,state=$TMP/board.state"

shim "$board" first write "$img" --json
expect_rc 0 "first write"
expect_json '.verified == true' "first write verified"
[ "$(rep first bytes_in)" -lt 65536 ] || fail "first write read back $(rep first bytes_in) bytes (CRC verify expected)"

shim "$board" same write "$img" --json
expect_rc 0 "identical re-write"
[ "$(rep same flash_erases)" = 0 ] || fail "identical re-write erased $(rep same flash_erases) sectors"
[ "$(rep same flash_programs)" = 0 ] || fail "identical re-write programmed $(rep same flash_programs) words"
awk -v s="$(rep same virtual_seconds)" 'BEGIN { exit !(s < 0.5) }' || fail "identical re-write took $(rep same virtual_seconds) s"

# One byte changed in sector 2 (0x08008000, 16 KiB): only that sector is erased and programmed.
cp "$img" "$TMP/b.bin"
old=$(od -An -tu1 -j 33000 -N 1 "$img" | tr -d ' ')
printf "\\x$(printf %02x $(((old + 1) % 256)))" | dd of="$TMP/b.bin" bs=1 seek=33000 conv=notrunc 2>/dev/null
shim "$board" one write "$TMP/b.bin" --json
expect_rc 0 "one byte changed"
[ "$(rep one flash_erases)" = 1 ] || fail "one changed byte erased $(rep one flash_erases) sectors"
[ "$(rep one flash_programs)" = 4096 ] || fail "one changed byte programmed $(rep one flash_programs) words, expected 4096"
shim "$board" rd read 0x08000000 131072 -o "$TMP/back.bin"
expect_rc 0 "read back"
cmp -s "$TMP/b.bin" "$TMP/back.bin" || fail "flash does not hold the changed image"

# One bit flipped (the image file against the flash): the CRC compare catches it, the
# read-back of that one chunk names the byte, and nothing else is read back. (Under reset:
# `verify` on a running core reads back instead, leaving the program's SRAM alone.)
cp "$TMP/b.bin" "$TMP/flip.bin"
old=$(od -An -tu1 -j 70001 -N 1 "$TMP/b.bin" | tr -d ' ')
printf "\\x$(printf %02x $((old ^ 16)))" | dd of="$TMP/flip.bin" bs=1 seek=70001 conv=notrunc 2>/dev/null
shim "$board" flip --connect under-reset verify "$TMP/flip.bin" --json
expect_rc 5 "verify against an image with one bit flipped"
expect_json '.first_mismatch == 134287729' "the flipped bit's byte is named (0x08011171)"
expect_json '[.findings[] | select(.id == "verify.mismatch")] | length == 1' "one verify.mismatch"
[ "$(rep flip bytes_in)" -lt 40000 ] || fail "verify read back $(rep flip bytes_in) bytes (CRC, then one sector expected)"
shim "$board" flip2 verify "$TMP/flip.bin" --json
expect_rc 5 "verify of a running target (read back)"
expect_json '.first_mismatch == 134287729' "read-back verify names the same byte"

# Sector 1 no longer erases fully: the CRC of sector 1 differs, its read-back names the byte.
head -c 131072 /dev/urandom >"$TMP/c.bin"
shim "sim:stm32f407vg,worn=1,state=$TMP/board.state" worn write "$TMP/c.bin" --json
expect_rc 5 "write onto a worn sector"
expect_json '[.findings[] | select(.id == "verify.mismatch")] | length == 1' "verify mismatch reported"
addr=$(jq -r '.findings[] | select(.id == "verify.mismatch") | .evidence.address // .evidence.first_address // empty' "$TMP/out")
case "$addr" in 0x08004*|0x08005*|0x08006*|0x08007*) ;; *) fail "mismatch address '$addr' not in sector 1 ($OUT)" ;; esac
finish
