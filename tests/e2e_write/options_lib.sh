# Option bytes end to end (sourced; PART, FW, ERASED, UNIT_ADDR = start of protection
# unit 1 are set by the caller): WRP on unit 1 refuses a write there before anything is
# erased; removing it allows the write; RDP 1 refuses programming; RDP 1 -> 0 needs
# --unlock and leaves the flash blank.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
# E2E_PROBE: the virtual probe in front of the board (cmsis-dap, cmsis-dap-v1; default ST-Link)
BOARD="sim:$PART${E2E_PROBE:+,probe=$E2E_PROBE},state=$TMP/board.state"
EX="$STPROG_BUILD/examples"

run_options() {
    run --probe "$BOARD" write "$EX/$FW.bin"
    expect_rc 0 "write firmware"
    run --probe "$BOARD" option-bytes set 'wrp+=1' --json
    expect_rc 0 "set wrp+=1"
    expect_json '.option_bytes.wrp == [1]' "unit 1 protected"
    run --probe "$BOARD" write "$EX/$FW.bin" --addr "$UNIT_ADDR" --json
    expect_rc 4 "write into a protected unit"
    expect_json "[.findings[] | select(.id == \"plan.write-protected\")][0].evidence.address == \"$UNIT_ADDR\"" \
        "refusal names the protected sector"
    run --probe "$BOARD" verify "$EX/$FW.bin"
    expect_rc 0 "the refused write erased nothing"
    run --probe "$BOARD" option-bytes set 'wrp-=1'
    expect_rc 0 "clear wrp"
    run --probe "$BOARD" write "$EX/$FW.bin" --addr "$UNIT_ADDR"
    expect_rc 0 "write after clearing wrp"

    run --probe "$BOARD" option-bytes set rdp=1 --json
    expect_rc 0 "set rdp=1"
    expect_json '.option_bytes.rdp_level == 1' "level 1"
    run --probe "$BOARD" write "$EX/$FW.bin" --json
    expect_rc 4 "write under RDP 1"
    expect_json '[.findings[] | select(.id == "protect.rdp-active")] | length == 1' \
        "protect.rdp-active"
    run --probe "$BOARD" option-bytes set rdp=0 --json
    expect_rc 2 "rdp=0 without --unlock"
    expect_json '[.findings[] | select(.id == "option.rdp-regression-needs-unlock")] | length == 1' \
        "needs --unlock"
    run --probe "$BOARD" option-bytes set rdp=0 --unlock --json
    expect_rc 0 "rdp=0 --unlock"
    expect_json '.option_bytes.rdp_level == 0' "back at level 0"
    expect_json '[.findings[] | select(.id == "option.rdp-regression-mass-erase")] | length == 1' \
        "mass-erase warning"
    run --probe "$BOARD" blank-check
    expect_rc 0 "flash blank after RDP regression"
    run --probe "$BOARD" option-bytes set rdp=2 --json
    if [ "${NO_RDP2:-}" = 1 ]; then
        expect_rc 1 "rdp=2 on a family without level 2"
        expect_json '[.findings[] | select(.id == "option.unsupported")] | length == 1' \
            "no level 2 on this family"
    else
        expect_rc 2 "rdp=2 needs the permanent flag"
        expect_json '[.findings[] | select(.id == "option.rdp2-needs-confirmation")] | length == 1' \
            "rdp2 refusal"
    fi
    finish
}
