#!/bin/bash
# The journal of kept bytes through the chip's ROM bootloader (--probe uart: on a pty from
# `stprog sim-serve`): a board filled with random bytes over SWD, a write over the UART cut
# by a brown-out (supply=unstable) that leaves its kept bytes in the journal, then the same
# write (F407) or `stprog recover` (F103) without the fault, over the UART again: every
# byte outside the image equals the fill. The journal is the same file whichever probe
# path wrote it (named by the unique ID, which the bootloader reads too).
. "$STPROG_SRC/tests/cli/lib.sh"
CLI_TMP=$TMP
. "$STPROG_SRC/tests/bootloader/lib.sh"
trap 'stop_serve; rm -rf "$WORK" "$CLI_TMP"' EXIT
. "$STPROG_SRC/tests/journal/lib.sh"
FLASH_BASE=0x08000000
random_file "$TMP/img20k.bin" 20480 img20k
random_file "$TMP/img3k.bin" 3000 img3k

# case PART SIZE IMG ADDR SEED RERUN: RERUN is "write" or "recover".
case_uart() {
    local part=$1 size=$2 img=$3 addr=$4 seed=$5 rerun=$6 what="$1 over uart, seed $5"
    local state="$TMP/$part.state"
    prefill "$part" "$state" "$size"
    serve "sim:$part,boot0=1,state=$state,supply=unstable,seed=$seed"
    run --probe "uart:$TTY" write "$img" --addr "$addr" --json
    [ "$RC" -ne 0 ] || fail "$what: the write on a browning-out supply succeeded"
    expect_json '[.findings[] | select(.id == "journal.kept-bytes-saved")] | length == 1' \
        "$what: the failure says the kept bytes are saved"
    [ "$(journal_count)" = 1 ] || fail "$what: $(journal_count) journal(s) after the failure"
    serve "sim:$part,boot0=1,state=$state,seed=$seed"
    if [ "$rerun" = write ]; then
        run --probe "uart:$TTY" write "$img" --addr "$addr" --json
        expect_rc 0 "$what: the write again"
        expect_json '[.findings[] | select(.id == "journal.applied")] | length == 1' \
            "$what: the write again applies the journal"
    else
        run --probe "uart:$TTY" recover --json
        expect_rc 0 "$what: recover"
        expect_json '.recovered' "$what: recovered"
    fi
    [ "$(journal_count)" = 0 ] || fail "$what: the journal is still there"
    # recover: the kept bytes are back; under the image, pages it covered whole hold
    # what the failure left.
    expect_flash "uart:$TTY" "$size" "$state.fill" "$img" "$addr" "$what" \
        "$([ "$rerun" = recover ] && echo outside-only)"
    stop_serve
}

case_uart stm32f407vg 1048576 "$TMP/img20k.bin" 0x08004100 1 write
case_uart stm32f103c8 65536 "$TMP/img3k.bin" 0x08000300 2 recover
finish
