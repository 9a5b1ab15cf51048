#!/bin/bash
# doctor over the ROM bootloader (uart:, issue 16) on the L1 and the L4-type families (L4,
# G0, G4: sim/families/bootloader_l1.c, bootloader_l4.c), as test_doctor_uart.sh does for
# F1/F4/F7: a healthy board is all clear (exit 0, every bootloader check passes, the SWD
# checks are listed as not possible); write protection read from the option bytes is a
# warning (protect.wrp, exit 0); read protection found by a refused read blocks
# (protect.rdp1, exit 4) with the Readout Unprotect advice.
set -e
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/uart_lib.sh"

for part in stm32l152re stm32l151c8 stm32l476rg stm32g071rb stm32g431rb; do
    serve "sim:$part,boot0=1"
    run --probe "uart:$TMP/tty" doctor --json
    expect_rc 0
    [ -z "$(problems)" ] || fail "$WHAT: false alarm(s): $(problems | tr '\n' ' ')"
    for n in probe link chip protection flash; do
        [ "$(check_result "$n")" = pass ] || fail "$WHAT: $n check $(check_result "$n")"
    done
    jqo '.checks[] | select(.name == "link") | .measured' | grep -q 'baud.*bootloader [0-9]*\.[0-9].*Read Memory' ||
        fail "$WHAT: link line $(jqo '.checks[] | select(.name == "link") | .measured')"
    [ "$(jqo .chip)" != null ] || fail "$WHAT: chip not named"
    swd_checks_not_possible

    # The first write-protection unit (L1: 4 KiB, L4-type: page 0) set in the option bytes.
    serve "sim:$part,boot0=1,wrp=0x1"
    run --probe "uart:$TMP/tty" doctor --json
    expect_rc 0
    has protect.wrp
    only "protect.wrp"
    [ "$(check_result protection)" = warn ] || fail "$WHAT: protection $(check_result protection)"

    serve "sim:$part,boot0=1,rdp=1"
    run --probe "uart:$TMP/tty" doctor --json
    expect_rc 4
    has protect.rdp1
    only "protect.rdp1"
    [ "$(jqo .blocked_at)" = protection ] || fail "$WHAT: blocked at $(jqo .blocked_at)"
    advice protect.rdp1 | grep -q -- '--unlock' || fail "$WHAT: advice $(advice protect.rdp1)"
done
stop_serve
finish
