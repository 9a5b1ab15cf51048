# End-to-end flow of the stprog binary against one virtual board (sourced by the per-part
# scripts, which set PART, FW (example firmware base name), ERASED (hex byte) and
# DEVICE (the name `info` must print)). The board state persists in a file between the
# separate stprog invocations, as one physical board would.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
# E2E_PROBE: the virtual probe in front of the board (cmsis-dap, cmsis-dap-v1; default ST-Link)
BOARD="sim:$PART${E2E_PROBE:+,probe=$E2E_PROBE},state=$TMP/board.state"
EX="$STPROG_BUILD/examples"

. "$STPROG_SRC/tests/cli/shim_wrap.sh"
[ -f "$EX/$FW.elf" ] || { fail "example firmware $EX/$FW.elf was not built"; finish; }

hexbyte() { printf "\\x$1"; }

# expected_sector FILE-WITH-CONTENT LEN: pads FILE with the erased value to LEN bytes.
pad_to() {
    local in=$1 len=$2 out=$3
    cp "$in" "$out"
    local have
    have=$(stat -c %s "$in")
    if [ "$have" -lt "$len" ]; then
        head -c $((len - have)) /dev/zero | tr '\0' "$(hexbyte "$ERASED")" >>"$out"
    fi
}

info_checks() {
    run --probe "$BOARD" info --json
    expect_rc 0 "info"
    expect_json ".target.name == \"$DEVICE\"" "info names the device"
    expect_json '.status == "ok"' "info status"
    run --probe "$BOARD" info
    expect_rc 0 "info (text)"
    expect_out "$DEVICE" "info text names the device"
}

write_formats() {
    # elf into a blank board, then every other format of the same firmware: nothing to do
    run --probe "$BOARD" write "$EX/$FW.elf" --json
    expect_rc 0 "write elf"
    expect_json '.programmed and .verified' "write elf programmed and verified"
    for ext in bin hex srec; do
        run --probe "$BOARD" write "$EX/$FW.$ext"
        expect_rc 0 "write $ext"
        expect_out "nothing written" "write $ext over identical contents skips"
        run --probe "$BOARD" verify "$EX/$FW.$ext"
        expect_rc 0 "verify $ext"
    done
    local size
    size=$(stat -c %s "$EX/$FW.bin")
    run --probe "$BOARD" read 0x08000000 "$size" -o "$TMP/back.bin"
    expect_rc 0 "read back"
    cmp -s "$TMP/back.bin" "$EX/$FW.bin" || fail "read-back differs from $FW.bin"
    run --probe "$BOARD" read 0x08000000 "$size" -o "$TMP/back.hex"
    expect_rc 0 "read back as hex"
    run image "$TMP/back.hex" -o "$TMP/back2.bin"
    cmp -s "$TMP/back2.bin" "$EX/$FW.bin" || fail "hex read-back differs from $FW.bin"
}

second_image() {
    # a different image over it: every 16th byte changed
    python3 - "$EX/$FW.bin" "$TMP/other.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
for i in range(0, len(d), 16):
    d[i] ^= 0x5A
open(sys.argv[2], 'wb').write(d)
PY
    run --probe "$BOARD" write "$TMP/other.bin" --json
    expect_rc 0 "write a different image"
    expect_json '.verified' "different image verified"
    run --probe "$BOARD" read 0x08000000 "$(stat -c %s "$TMP/other.bin")" -o "$TMP/back3.bin"
    cmp -s "$TMP/back3.bin" "$TMP/other.bin" || fail "read-back differs from the second image"
    run --probe "$BOARD" verify "$EX/$FW.bin" --json
    expect_rc 5 "verify the old image against the new contents"
    expect_json '.first_mismatch == 134217728' "verify names the first differing address"
    expect_json '[.findings[] | select(.id == "verify.mismatch")] | length == 1' \
        "verify.mismatch finding"
}

partial_write() {
    # 16 bytes in the middle of the first sector: the rest of the sector must survive
    run --probe "$BOARD" write "$EX/$FW.bin"
    expect_rc 0 "rewrite the firmware"
    # Fixed bytes, not random: the patch lands on the firmware's first handlers (0x40 is
    # code on every part), which run at the next power-on, so random bytes make the test
    # depend on the model running any instruction stream right (they once hit an ARMv8-M
    # BLXNS encoding the emulator ran wrongly; sim/cpu_bxns.c now handles it, with tests in
    # tests/sim_cpu). Eight "b ." (0xE7FE): a firmware that spins, the same every run.
    printf '\xfe\xe7%.0s' 1 2 3 4 5 6 7 8 >"$TMP/patch.bin"
    run --probe "$BOARD" write "$TMP/patch.bin" --addr 0x08000040 --json
    expect_rc 0 "partial-sector write"
    expect_json '.plan.restore_bytes > 0' "partial write keeps bytes"
    expect_json '.plan.erase_count == 1 and (.plan.sectors | length) == 1' \
        "partial write erases the one sector it touches"
    expect_json '.plan.sectors[0] | .action == "erase" and .image_bytes == 16 and .address == 134217728' \
        "partial write plan names sector 0"
    local size
    size=$(stat -c %s "$EX/$FW.bin")
    python3 - "$EX/$FW.bin" "$TMP/patch.bin" "$TMP/want.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
p = open(sys.argv[2], 'rb').read()
d[0x40:0x50] = p
open(sys.argv[3], 'wb').write(d)
PY
    run --probe "$BOARD" read 0x08000000 "$size" -o "$TMP/back4.bin"
    cmp -s "$TMP/back4.bin" "$TMP/want.bin" || fail "partial write lost untouched bytes"
}

erase_checks() {
    run --probe "$BOARD" write "$EX/$FW.elf" --dry-run --force
    expect_rc 0 "dry run"
    expect_out "dry run: nothing was erased or written" "dry run says so"
    run --probe "$BOARD" erase --all
    expect_rc 0 "erase --all"
    run --probe "$BOARD" blank-check --json
    expect_rc 0 "blank-check after erase"
    expect_json '.blank' "blank after erase"
    run --probe "$BOARD" write "$EX/$FW.elf" --dry-run
    expect_rc 0 "dry run on blank flash"
    run --probe "$BOARD" blank-check
    expect_rc 0 "dry run touched nothing"
    run --probe "$BOARD" write "$EX/$FW.hex"
    expect_rc 0 "write after erase"
    run --probe "$BOARD" blank-check --json
    expect_rc 5 "blank-check on programmed flash"
    local first
    first=$(python3 -c "import sys
d = open(sys.argv[1], 'rb').read()
print(0x08000000 + next(i for i, b in enumerate(d) if b != 0x$ERASED))" "$EX/$FW.bin")
    expect_json ".first_non_blank == $first" "first non-blank address"
}

run_all() {
    info_checks
    write_formats
    second_image
    partial_write
    erase_checks
    finish
}
