#!/bin/bash
# A write that fails part way loses nothing: each board is filled with random bytes, then a
# small image is written over the middle of sectors (so that the sectors it erases hold
# bytes it must keep) on a supply that browns out (supply=unstable: an erase or a program
# cut by a power-on reset, seed by seed). The failed write says where the kept bytes are;
# the same write again without the fault (same board, same seed: the same unique ID) puts
# them back, and every byte of the flash outside the image equals the fill, byte by byte.
# Issue 12's case comes first: F407 filled with 1 MiB, img20k at 0x08004100, seed 1 (38
# bytes outside the image differed before the journal).
set -e
. "$STPROG_SRC/tests/cli/lib.sh"
. "$STPROG_SRC/tests/journal/lib.sh"

# one_case PART SIZE IMG ADDR SEED [EXTRA...]: fail, rerun, compare.
one_case() {
    local part=$1 size=$2 img=$3 addr=$4 seed=$5
    shift 5
    local state="$TMP/$part.state" what="$part seed $seed${*:+ $*}"
    cp "$state.filled" "$state"
    run --probe "sim:$part,state=$state,supply=unstable,seed=$seed" write "$img" \
        --addr "$addr" --json "$@"
    if [ "$RC" -eq 0 ]; then
        [ "$(journal_count)" = 0 ] || fail "$what: a successful write left a journal"
    else
        expect_json '[.findings[] | select(.id == "journal.kept-bytes-saved")] | length == 1' \
            "$what: the failure says the kept bytes are saved"
        local path
        path=$(jq -r '.findings[] | select(.id == "journal.kept-bytes-saved") | .evidence.journal' \
            "$TMP/out")
        [ -s "$path" ] || fail "$what: no journal at '$path'"
        case "$path" in "$JDIR"/*) ;; *) fail "$what: journal $path outside $JDIR" ;; esac
    fi
    run --probe "sim:$part,state=$state,seed=$seed" write "$img" --addr "$addr" --json "$@"
    expect_rc 0 "$what: the write again without the fault"
    [ "$(journal_count)" = 0 ] || fail "$what: the journal is still there after the rerun"
    expect_flash "sim:$part,state=$state,seed=$seed" "$size" "$state.fill" "$img" "$addr" "$what"
}

FLASH_BASE=0x08000000
head -c 20480 /dev/urandom >"$TMP/img20k.bin"
head -c 5000 /dev/urandom >"$TMP/img5k.bin"

# F407: seeds 1, 3, 4, 6 brown out in the erase of sector 1, 2 and 5 while programming.
prefill stm32f407vg "$TMP/stm32f407vg.state" 1048576
for seed in 1 3 4 6 2 5; do
    one_case stm32f407vg 1048576 "$TMP/img20k.bin" 0x08004100 "$seed"
done
# The direct path (no SRAM loader): the erase and the program by register writes.
one_case stm32f407vg 1048576 "$TMP/img20k.bin" 0x08004100 1 --no-loader
one_case stm32f407vg 1048576 "$TMP/img5k.bin" 0x08004100 2 --no-loader

# F103 (1 KiB pages): 1 and 3 cut the erase, 2 and 12 the programming.
prefill stm32f103c8 "$TMP/stm32f103c8.state" 65536
for seed in 1 3 2 12; do
    one_case stm32f103c8 65536 "$TMP/img5k.bin" 0x08000300 "$seed"
done

# L152 (256-byte pages, erased value 0x00), an odd address.
prefill stm32l152re "$TMP/stm32l152re.state" 524288
for seed in 1 2 3; do
    one_case stm32l152re 524288 "$TMP/img5k.bin" 0x08000301 "$seed"
done
finish
