#!/bin/bash
# A write that fails part way loses nothing: each board is filled with random bytes, then a
# small image is written over the middle of sectors (so that the sectors it erases hold
# bytes it must keep) on a supply that browns out (supply=unstable: an erase or a program
# cut by a power-on reset, seed by seed). The failed write says where the kept bytes are;
# the same write again without the fault (same board, same seed: the same unique ID) puts
# them back, and every byte of the flash outside the image equals the fill, byte by byte.
# Issue 12's case comes first: F407 filled with 1 MiB, img20k at 0x08004100, seed 1 (bytes
# outside the image differed after the rerun before the journal: 38 in the issue, with
# other random bytes). The bytes are pseudo-random from fixed seeds, so each fault strikes
# the same operation on every run.
set -e
. "$STPROG_SRC/tests/cli/lib.sh"
. "$STPROG_SRC/tests/journal/lib.sh"

# one_case PART SIZE IMG ADDR SEED [EXTRA...]: fail on a browning-out supply, rerun, compare.
one_case() {
    local part=$1 size=$2 img=$3 addr=$4 seed=$5
    shift 5
    faulted "$part" "$size" "$img" "$addr" "supply=unstable,seed=$seed" "seed=$seed" "$@"
}

# faulted PART SIZE IMG ADDR FAULT CLEAN [EXTRA...]: the write on sim:PART,FAULT, then again
# on sim:PART,CLEAN, then the flash compared with the fill and the image.
faulted() {
    local part=$1 size=$2 img=$3 addr=$4 fault=$5 clean=$6
    shift 6
    local state="$TMP/$part.state" what="$part $fault${*:+ $*}"
    cp "$state.filled" "$state"
    run --probe "sim:$part,state=$state,$fault" write "$img" --addr "$addr" --json "$@"
    local failed=$RC
    if [ "$RC" -eq 0 ]; then # every case here is chosen to fail: else it proves nothing
        fail "$what: the fault did not make the write fail"
    else
        expect_json '[.findings[] | select(.id == "journal.kept-bytes-saved")] | length == 1' \
            "$what: the failure says the kept bytes are saved"
        local path
        path=$(jq -r '.findings[] | select(.id == "journal.kept-bytes-saved") | .evidence.journal' \
            "$TMP/out")
        [ -s "$path" ] || fail "$what: no journal at '$path'"
        case "$path" in "$JDIR"/*) ;; *) fail "$what: journal $path outside $JDIR" ;; esac
    fi
    run --probe "sim:$part,state=$state,$clean" write "$img" --addr "$addr" --json "$@"
    expect_rc 0 "$what: the write again without the fault"
    [ "$failed" = 0 ] ||
        expect_json '[.findings[] | select(.id == "journal.applied")] | length == 1' \
            "$what: the write again applies the journal"
    [ "$(journal_count)" = 0 ] || fail "$what: the journal is still there after the rerun"
    expect_flash "sim:$part,state=$state,$clean" "$size" "$state.fill" "$img" "$addr" "$what"
}

FLASH_BASE=0x08000000
random_file "$TMP/img20k.bin" 20480 img20k
random_file "$TMP/img5k.bin" 5000 img5k

# F407: each seed cuts the erase of sector 1 or 2 (1 is issue 12's case).
prefill stm32f407vg "$TMP/stm32f407vg.state" 1048576
for seed in 1 4 5 6 8; do
    one_case stm32f407vg 1048576 "$TMP/img20k.bin" 0x08004100 "$seed"
done
# The direct path (no SRAM loader): the erase and the program by register writes.
for seed in 1 2; do
    one_case stm32f407vg 1048576 "$TMP/img20k.bin" 0x08004100 "$seed" --no-loader
done

# F103 (1 KiB pages): 1 and 6 cut the programming, 2 and 7 an erase.
prefill stm32f103c8 "$TMP/stm32f103c8.state" 65536
for seed in 1 6 2 7; do
    one_case stm32f103c8 65536 "$TMP/img5k.bin" 0x08000300 "$seed"
done

# A reset loop: firmware that starts the watchdog (1 s, 0.5 s) with a window the SRAM loader
# cannot reload in, so the chip resets part way through 512 KiB (flash.interrupted-by-reset).
# The fill starts with a vector table whose reset handler is a `b .`, firmware that runs.
prefill stm32f767zi "$TMP/stm32f767zi.state" 2097152
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<IIH", 0x20010000, 0x08000009, 0xE7FE))' |
    dd of="$TMP/stm32f767zi.state.fill" conv=notrunc status=none
run --probe "sim:stm32f767zi,state=$TMP/stm32f767zi.state" write "$TMP/stm32f767zi.state.fill"
expect_rc 0 "F767: the vector table"
cp "$TMP/stm32f767zi.state" "$TMP/stm32f767zi.state.filled"
random_file "$TMP/img512k.bin" 524032 img512k
for period in 1000 500; do
    faulted stm32f767zi 2097152 "$TMP/img512k.bin" 0x08000100 \
        "reset-loop=$period,iwdg-window=100" "seed=1"
done

# L152 (256-byte pages, erased value 0x00), an odd address: 4 and 11 cut the programming, 8
# an erase.
prefill stm32l152re "$TMP/stm32l152re.state" 524288
for seed in 4 11 8; do
    one_case stm32l152re 524288 "$TMP/img5k.bin" 0x08000301 "$seed"
done
finish
