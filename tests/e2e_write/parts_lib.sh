# Per-part flows (sourced after tests/cli/lib.sh and shim_wrap.sh): part_flow writes random
# data, verifies, skips an identical rewrite, erases one sector/page and everything;
# options_flow protects a unit, is refused there, clears it, and takes read protection to
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

# options_flow BOARD IMAGE UNIT_ADDR (UNIT_ADDR = start of protection unit 1): WRP on unit 1
# refuses a write there before anything is erased; removing it allows the write; RDP 1
# refuses programming; RDP 1 -> 0 needs --unlock and leaves the flash blank; level 2 needs
# its confirmation (NO_RDP2=1: the family has no level 2).
options_flow() {
    local board=$1 image=$2 unit=$3
    run --probe "$board" write "$image"
    expect_rc 0 "write firmware"
    run --probe "$board" option-bytes set 'wrp+=1' --json
    expect_rc 0 "set wrp+=1"
    expect_json '.option_bytes.wrp == [1]' "unit 1 protected"
    run --probe "$board" write "$image" --addr "$unit" --json
    expect_rc 4 "write into a protected unit"
    expect_json "[.findings[] | select(.id == \"plan.write-protected\")][0].evidence.address == \"$unit\"" \
        "refusal names the protected sector"
    run --probe "$board" verify "$image"
    expect_rc 0 "the refused write erased nothing"
    run --probe "$board" option-bytes set 'wrp-=1'
    expect_rc 0 "clear wrp"
    run --probe "$board" write "$image" --addr "$unit"
    expect_rc 0 "write after clearing wrp"

    run --probe "$board" option-bytes set rdp=1 --json
    expect_rc 0 "set rdp=1"
    expect_json '.option_bytes.rdp_level == 1' "level 1"
    run --probe "$board" write "$image" --json
    expect_rc 4 "write under RDP 1"
    expect_json '[.findings[] | select(.id == "protect.rdp-active")] | length == 1' \
        "protect.rdp-active"
    run --probe "$board" option-bytes set rdp=0 --json
    expect_rc 2 "rdp=0 without --unlock"
    expect_json '[.findings[] | select(.id == "option.rdp-regression-needs-unlock")] | length == 1' \
        "needs --unlock"
    run --probe "$board" option-bytes set rdp=0 --unlock --json
    expect_rc 0 "rdp=0 --unlock"
    expect_json '.option_bytes.rdp_level == 0' "back at level 0"
    expect_json '[.findings[] | select(.id == "option.rdp-regression-mass-erase")] | length == 1' \
        "mass-erase warning"
    run --probe "$board" blank-check
    expect_rc 0 "flash blank after RDP regression"
    run --probe "$board" option-bytes set rdp=2 --json
    if [ "${NO_RDP2:-}" = 1 ]; then
        expect_rc 1 "rdp=2 on a family without level 2"
        expect_json '[.findings[] | select(.id == "option.unsupported")] | length == 1' \
            "no level 2 on this family"
    else
        expect_rc 2 "rdp=2 needs the permanent flag"
        expect_json '[.findings[] | select(.id == "option.rdp2-needs-confirmation")] | length == 1' \
            "rdp2 refusal"
    fi
}
