#!/bin/bash
# doctor over the ROM bootloader (uart:) runs what the bootloader allows (issue 16): the
# link at its line rate with the protocol version and commands, the chip ID, read
# protection from a read attempt, the option bytes, the flash summary; the SWD checks are
# listed as not possible. A healthy board is all clear (exit 0). A failing command over
# uart: gets no SWD evidence gathering (no invented link or power finding).
set -e
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/uart_lib.sh"

# Healthy F7 and F4 (the bootloader models of the virtual board: F1, F2/F4, F7).
for part in stm32f767zi stm32f407vg stm32f103c8; do
    serve "sim:$part,boot0=1"
    run --probe "uart:$TMP/tty" doctor --json
    expect_rc 0
    [ -z "$(problems)" ] || fail "$WHAT: false alarm(s): $(problems | tr '\n' ' ')"
    for n in probe link chip protection flash; do
        [ "$(check_result "$n")" = pass ] || fail "$WHAT: $n check $(check_result "$n")"
    done
    jqo '.checks[] | select(.name == "link") | .measured' | grep -q 'baud.*bootloader [0-9].[0-9].*Read Memory' ||
        fail "$WHAT: link line $(jqo '.checks[] | select(.name == "link") | .measured')"
    [ "$(jqo .chip)" != null ] || fail "$WHAT: chip not named"
    swd_checks_not_possible
done

# Write protection read from the option bytes: a warning, exit 0.
serve "sim:stm32f407vg,boot0=1,wrp=0x1"
run --probe "uart:$TMP/tty" doctor --json
expect_rc 0
has protect.wrp
only "protect.wrp"
[ "$(check_result protection)" = warn ] || fail "$WHAT: protection $(check_result protection)"

# Read protection from a read attempt: the ROM NACKs Read Memory.
serve "sim:stm32f103c8,boot0=1,rdp=1"
run --probe "uart:$TMP/tty" doctor --json
expect_rc 4
has protect.rdp1
only "protect.rdp1"
[ "$(jqo .blocked_at)" = protection ] || fail "$WHAT: blocked at $(jqo .blocked_at)"
advice protect.rdp1 | grep -q -- '--unlock' || fail "$WHAT: advice $(advice protect.rdp1)"

# A program in flash: the summary sees it.
serve "sim:stm32f407vg,boot0=1"
head -c 40000 /dev/urandom >"$TMP/fw.bin"
run --probe "uart:$TMP/tty" write "$TMP/fw.bin"
expect_rc 0
run --probe "uart:$TMP/tty" doctor --json
expect_rc 0
jqo '.checks[] | select(.name == "flash") | .measured' | grep -q 'hold data' ||
    fail "$WHAT: flash summary $(jqo '.checks[] | select(.name == "flash") | .measured')"

# A failing command over uart: no SWD evidence.
serve "sim:stm32f407vg,boot0=1,wrp=0x1"
head -c 4096 /dev/urandom >"$TMP/fw.bin"
run --probe "uart:$TMP/tty" write "$TMP/fw.bin" --json
expect_rc 4
lacks power.brownout-reset
lacks link.no-target
stop_serve
finish
