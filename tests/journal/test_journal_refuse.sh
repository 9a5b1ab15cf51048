#!/bin/bash
# Refusals and the life of a journal, asserted with the board's counters (STPROG_SIM_REPORT)
# and its flash read back byte by byte:
# - a supply below the F407's minimum (1.6 V, 0.1 V, 0 V) and a probe that corrupts every
#   transfer length (corrupt-over:8 on an F411) erase and program nothing;
# - a journal taken from another chip (another unique ID), or damaged, is refused and
#   nothing is erased; `recover --discard FILE` deletes it;
# - `recover` writes a chip's journal back (the flash is the fill again), `recover --list`
#   shows it, `write --dry-run` says it is pending, `erase --sectors` drops the sectors it
#   erases and writes the others back, `erase --all` drops the journal;
# - a journal that cannot be written stops the write before the first erase.
set -e
. "$STPROG_SRC/tests/cli/lib.sh"
. "$STPROG_SRC/tests/journal/lib.sh"
FLASH_BASE=0x08000000
F4=stm32f407vg
state="$TMP/f4.state"
prefill $F4 "$state" 65536
fill="$state.fill"
printf '\x12\x34' >"$TMP/two.bin"
random_file "$TMP/img20k.bin" 20480 img20k
rep() { STPROG_SIM_REPORT="$TMP/report.json" run "$@"; }
nothing_changed() { # WHAT: no erase, no program, the flash is the fill
    [ "$(report flash_erases)" = 0 ] && [ "$(report flash_programs)" = 0 ] ||
        fail "$1: $(report flash_erases) erase(s), $(report flash_programs) program(s)"
    expect_flash "sim:$F4,state=$state" 65536 "$fill" - 0x08000000 "$1"
}
has() { jq -e --arg id "$1" '[.findings[] | select(.id == $id)] | length > 0' "$TMP/out" \
    >/dev/null || fail "${2:-}: no finding $1 in: $(jq -c '[.findings[].id]' "$TMP/out")"; }

# --- a supply below the minimum: refused before the first erase -------------------------
for vdd in 1.6 0.1 0; do
    cp "$state.filled" "$state"
    rep --probe "sim:$F4,state=$state,vdd=$vdd" write "$TMP/two.bin" --addr 0x08000100 --json
    expect_rc 1 "vdd=$vdd: write"
    has power.voltage-low "vdd=$vdd"
    expect_json '.findings[] | select(.id == "power.voltage-low") | .evidence.refused' \
        "vdd=$vdd: the refusal says nothing was erased"
    nothing_changed "vdd=$vdd write"
    rep --probe "sim:$F4,state=$state,vdd=$vdd" erase --sectors 0-1 --json
    expect_rc 1 "vdd=$vdd: erase"
    has power.voltage-low "vdd=$vdd erase"
    nothing_changed "vdd=$vdd erase"
done
# At the minimum it writes.
cp "$state.filled" "$state"
run --probe "sim:$F4,state=$state,vdd=1.8" write "$TMP/two.bin" --addr 0x08000100 --json
expect_rc 0 "vdd=1.8: write"
expect_flash "sim:$F4,state=$state" 65536 "$fill" "$TMP/two.bin" 0x08000100 "vdd=1.8"

# --- a probe that corrupts transfers of every length tried ------------------------------
F411=stm32f411re
s411="$TMP/f411.state"
prefill $F411 "$s411" 524288
STPROG_SIM_REPORT="$TMP/report.json" run --probe "sim:$F411,state=$s411,probe-bug=corrupt-over:8" \
    write "$TMP/img20k.bin" --addr 0x08004100 --json
expect_rc 1 "corrupt-over:8"
expect_json '.findings[] | select(.id == "probe.corrupts-transfers" and .severity == "error")' \
    "corrupt-over:8: an error naming the probe"
[ "$(report flash_erases)" = 0 ] && [ "$(report flash_programs)" = 0 ] ||
    fail "corrupt-over:8: $(report flash_erases) erase(s), $(report flash_programs) program(s)"
expect_flash "sim:$F411,state=$s411" 524288 "$s411.fill" - 0x08000000 "corrupt-over:8"
[ "$(journal_count)" = 0 ] || fail "corrupt-over:8: a refused write left a journal"
# Longer transfers corrupt, 16 bytes come through: the write runs in 16-byte transfers.
run --probe "sim:$F411,state=$s411,probe-bug=corrupt-over:16" write "$TMP/img20k.bin" \
    --addr 0x08004100 --json
expect_rc 0 "corrupt-over:16"
expect_json '.findings[] | select(.id == "probe.corrupts-transfers" and .severity == "warning")' \
    "corrupt-over:16: a warning"
expect_flash "sim:$F411,state=$s411" 524288 "$s411.fill" "$TMP/img20k.bin" 0x08004100 \
    "corrupt-over:16"

# --- a journal left by a failed write ------------------------------------------------------
fail_write() { # a write that browns out in the erase of sector 1 (seed 1) and keeps a journal
    cp "$state.filled" "$state"
    run --probe "sim:$F4,state=$state,supply=unstable,seed=1" write "$TMP/img20k.bin" \
        --addr 0x08004100 --json
    expect_rc 1 "the failing write"
    journal=$(jq -r '.findings[] | select(.id == "journal.kept-bytes-saved") | .evidence.journal' \
        "$TMP/out")
    [ -s "$journal" ] || fail "no journal after the failed write"
}
fail_write
# --list shows it, without a probe.
run recover --list --json
expect_rc 0 "recover --list"
expect_json "[.journals[] | select(.path == \"$journal\" and .sectors == 2 and .bytes == 32768)] | length == 1" \
    "recover --list shows the journal"
# --dry-run says the journal is pending and leaves it.
run --probe "sim:$F4,state=$state" write "$TMP/img20k.bin" --addr 0x08004100 --dry-run --json
expect_rc 0 "dry run"
has journal.pending "dry run"
[ -s "$journal" ] || fail "the dry run removed the journal"

# Another chip's journal (seed 2: another unique ID) under that chip's name: refused.
uid2=$("$STPROG" --probe "sim:$F4,seed=2" info --json | jq -r .target.unique_id)
other="$JDIR/dev413-$uid2.journal"
cp "$journal" "$other"
rep --probe "sim:$F4,state=$state,seed=2" write "$TMP/img20k.bin" --addr 0x08004100 --json
expect_rc 1 "write with another chip's journal"
has journal.other-chip "write with another chip's journal"
[ "$(report flash_erases)" = 0 ] && [ "$(report flash_programs)" = 0 ] ||
    fail "another chip's journal: $(report flash_erases) erase(s)"
rep --probe "sim:$F4,state=$state,seed=2" recover "$journal" --json
expect_rc 1 "recover with another chip's journal"
has journal.other-chip "recover FILE of another chip"
[ "$(report flash_erases)" = 0 ] || fail "recover of another chip's journal erased"
run recover --discard "$other" --json
expect_rc 0 "recover --discard FILE"
[ ! -e "$other" ] || fail "recover --discard left $other"
run recover --discard "$fill" --json
expect_rc 2 "recover --discard of a file that is not a journal"
[ -e "$fill" ] || fail "recover --discard deleted a file that is not a journal"

# A damaged journal: refused, nothing erased; repaired, `recover` puts the bytes back.
cp "$journal" "$TMP/good.journal"
printf '\xA5' | dd of="$journal" bs=1 seek=4000 conv=notrunc status=none
rep --probe "sim:$F4,state=$state" write "$TMP/img20k.bin" --addr 0x08004100 --json
expect_rc 1 "write with a damaged journal"
has journal.corrupt "damaged journal"
[ "$(report flash_erases)" = 0 ] || fail "a damaged journal: $(report flash_erases) erase(s)"
cp "$TMP/good.journal" "$journal"
run --probe "sim:$F4,state=$state" recover --json
expect_rc 0 "recover"
expect_json '.recovered and .journal.bytes == 32768' "recover: recovered"
[ ! -e "$journal" ] || fail "recover left the journal"
expect_flash "sim:$F4,state=$state" 65536 "$fill" - 0x08000000 "after recover"
run --probe "sim:$F4,state=$state" recover --json
expect_rc 0 "recover without a journal"
expect_json '.found == false' "recover without a journal: nothing found"

# erase --sectors 1: sector 1's saved bytes are not wanted; sector 2's are written back.
fail_write
run --probe "sim:$F4,state=$state" erase --sectors 1 --json
expect_rc 0 "erase --sectors 1 with a journal"
[ "$(journal_count)" = 0 ] || fail "erase --sectors left the journal"
head -c 16384 /dev/zero | tr '\0' '\377' >"$TMP/blank16k.bin"
expect_flash "sim:$F4,state=$state" 65536 "$fill" "$TMP/blank16k.bin" 0x08004000 \
    "erase --sectors 1 after a failed write"
# erase --all: the whole journal is dropped.
fail_write
run --probe "sim:$F4,state=$state" erase --all --json
expect_rc 0 "erase --all with a journal"
has journal.dropped "erase --all"
[ "$(journal_count)" = 0 ] || fail "erase --all left the journal"
# erase ADDR LEN that fails keeps its kept bytes too, and the same erase again restores them.
cp "$state.filled" "$state"
run --probe "sim:$F4,state=$state,supply=unstable,seed=1" erase 0x08004100 0x5000 --json
expect_rc 1 "erase ADDR LEN on a failing supply"
has journal.kept-bytes-saved "erase ADDR LEN"
run --probe "sim:$F4,state=$state" erase 0x08004100 0x5000 --json
expect_rc 0 "erase ADDR LEN again"
head -c 20480 /dev/zero | tr '\0' '\377' >"$TMP/blank20k.bin"
expect_flash "sim:$F4,state=$state" 65536 "$fill" "$TMP/blank20k.bin" 0x08004100 \
    "erase ADDR LEN after a failure"

# A journal that cannot be saved: the write stops before erasing.
cp "$state.filled" "$state"
rep --probe "sim:$F4,state=$state" --journal /dev/null/journal write "$TMP/img20k.bin" \
    --addr 0x08004100 --json
expect_rc_not0() { [ "$RC" -ne 0 ] || fail "$1: exit code 0"; }
expect_rc_not0 "write without a writable journal"
has journal.write-failed "unwritable journal"
nothing_changed "unwritable journal"
finish
