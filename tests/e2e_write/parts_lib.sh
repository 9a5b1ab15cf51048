# Per-part flows (sourced after tests/cli/lib.sh and shim_wrap.sh): part_flow writes random
# data, verifies, skips an identical rewrite, erases one sector/page and everything;
# part_protect protects a unit, is refused there, clears it, and takes read protection to
# level 1 and back with --unlock (the flash blank afterwards).

part_flow() { # PART FLASH_KB ADDR IMAGE_KB SECTOR
    local part=$1 kb=$2 addr=$3 image_kb=$4 sector=$5
    local board="sim:$part,state=$TMP/$part.state"
    head -c $((image_kb * 1024 - 4096)) /dev/urandom >"$TMP/$part.bin"
    run --probe "$board" info --json
    expect_rc 0 "$part info"
    expect_json ".target.flash_kb == $kb" "$part flash size"
    run --probe "$board" write "$TMP/$part.bin" --addr "$addr" --json
    expect_rc 0 "$part write at $addr"
    expect_json '.programmed and .verified' "$part programmed and verified"
    run --probe "$board" write "$TMP/$part.bin" --addr "$addr" --json
    expect_rc 0 "$part rewrite"
    expect_json '.plan.erase_count == 0 and .plan.program_bytes == 0' "$part identical: skipped"
    run --probe "$board" read "$addr" $((image_kb * 1024 - 4096)) -o "$TMP/$part.back.bin"
    cmp -s "$TMP/$part.back.bin" "$TMP/$part.bin" || fail "$part read-back differs"
    run --probe "$board" erase --sectors "$sector"
    expect_rc 0 "$part erase sector $sector"
    run --probe "$board" verify "$TMP/$part.bin" --addr "$addr"
    expect_rc 5 "$part sector $sector erased: verify differs"
    run --probe "$board" erase --all
    expect_rc 0 "$part erase --all"
    run --probe "$board" blank-check
    expect_rc 0 "$part blank after erase --all"
}

part_protect() { # PART UNIT_ADDR (start of protection unit 1)
    local part=$1 unit=$2
    local board="sim:$part,state=$TMP/$part.state"
    head -c 256 /dev/urandom >"$TMP/$part.small.bin"
    run --probe "$board" option-bytes set 'wrp+=1' --json
    expect_rc 0 "$part wrp+=1"
    expect_json '.option_bytes.wrp == [1]' "$part unit 1 protected"
    run --probe "$board" write "$TMP/$part.small.bin" --addr "$unit" --json
    expect_rc 4 "$part write into the protected unit"
    expect_json '[.findings[] | select(.id == "plan.write-protected")] | length >= 1' \
        "$part plan.write-protected"
    run --probe "$board" option-bytes set 'wrp-=1'
    expect_rc 0 "$part wrp-=1"
    run --probe "$board" write "$TMP/$part.small.bin" --addr "$unit"
    expect_rc 0 "$part write after clearing wrp"
    run --probe "$board" option-bytes set rdp=1 --json
    expect_rc 0 "$part rdp=1"
    expect_json '.option_bytes.rdp_level == 1' "$part level 1"
    run --probe "$board" write "$TMP/$part.small.bin" --addr "$unit" --json
    expect_rc 4 "$part write under RDP 1"
    run --probe "$board" option-bytes set rdp=0 --unlock --json
    expect_rc 0 "$part rdp=0 --unlock"
    expect_json '.option_bytes.rdp_level == 0' "$part back at level 0"
    run --probe "$board" blank-check
    expect_rc 0 "$part blank after the RDP regression"
}
