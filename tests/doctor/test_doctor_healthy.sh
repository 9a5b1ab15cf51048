#!/bin/bash
# A healthy board gives no warning or error finding at all, on every part and probe kind,
# and doctor takes under 8 virtual seconds (2.5 of them the firmware running while resets
# are counted, 1.5-2 erasing sectors proven blank to load the supply: on an L1, 400 page
# erases of 3.28 ms, each a few USB round trips, take 3.7 s).
set -e
. "$(dirname "$0")/lib.sh"

for part in $PARTS; do
    for probe in v2-1 v3; do
        doctor "$part,probe=$probe"
        expect_rc 0
        [ "$(jqo .status)" = ok ] || fail "$WHAT: status $(jqo .status)"
        [ "$(jqo .all_clear)" = true ] || fail "$WHAT: not all clear"
        [ -z "$(problems)" ] || fail "$WHAT: false alarm(s): $(problems | tr '\n' ' ')"
        [ "$(jqo .blocked_at)" = null ] || fail "$WHAT: blocked at $(jqo .blocked_at)"
        ms=$(jqo .virtual_ms)
        [ "$ms" -lt 8000 ] || fail "$WHAT: took $ms virtual ms (limit 8000)"
        [ "$(jqo .clock)" = virtual-board ] || fail "$WHAT: clock $(jqo .clock), not virtual-board"
        [ "$(jqo "(.elapsed_seconds * 1000 | round) == .virtual_ms")" = true ] ||
            fail "$WHAT: elapsed_seconds $(jqo .elapsed_seconds) disagrees with virtual_ms $ms"
        n=$(jqo '[.checks[] | select(.result == "pass")] | length')
        [ "$n" -ge 10 ] || fail "$WHAT: only $n checks passed"
        [ -z "$(jqo '.checks[] | select(.result == "skip") | .name')" ] ||
            fail "$WHAT: checks skipped on a healthy board"
        chip=$(jqo .chip)
        [ -n "$chip" ] && [ "$chip" != null ] || fail "$WHAT: chip not named"
    done
done

# Every part the virtual board models, once (V2-1 probe).
all=$("$STPROG" chips --json | jq -r '.parts[].name')
[ "$(echo "$all" | wc -l)" -ge 6 ] || fail "chips --json lists $(echo "$all" | wc -l) parts"
for part in $all; do
    doctor "$part"
    expect_rc 0
    [ -z "$(problems)" ] || fail "$WHAT: false alarm(s): $(problems | tr '\n' ' ')"
    ms=$(jqo .virtual_ms)
    [ "$ms" -lt 8000 ] || fail "$WHAT: took $ms virtual ms (limit 8000)"
done

# A board holding real Thumb-2 code (single 0xFF bytes everywhere in branch encodings) is
# still healthy.
LIBC=$(ls /usr/lib/arm-none-eabi/lib/thumb/v7e-m*/hard/libc.a 2>/dev/null | head -n1 || true)
if [ -n "$LIBC" ] && command -v arm-none-eabi-objcopy >/dev/null; then
    mkdir "$TMP/ar"
    (cd "$TMP/ar" && ar x "$LIBC" && for o in *.o; do
        arm-none-eabi-objcopy -O binary -j .text "$o" "$o.bin" 2>/dev/null || true
    done)
    cat "$TMP"/ar/*.o.bin | head -c 196608 >"$TMP/code.bin"
    run --probe "sim:stm32f407vg,state=$TMP/code.img" write "$TMP/code.bin" --json
    expect_rc 0
    run --probe "sim:stm32f407vg,state=$TMP/code.img" doctor --json
    expect_rc 0
    [ -z "$(problems)" ] || fail "$WHAT: false alarm(s) on real code: $(problems | tr '\n' ' ')"
    jqo '.checks[] | select(.name == "flash") | .measured' | grep -q 'hold data' ||
        fail "$WHAT: the flash summary does not see the code"
fi

# For people: one line per check, and the verdict.
run --probe sim:stm32f407vg doctor
expect_rc 0
grep -q '^\[ ok \] SWD connection and link quality' "$TMP/out" || fail "no link line: $(cat "$TMP/out")"
grep -Eq '^result: all clear, no problem found \([0-9.]+ s, virtual board time\)$' "$TMP/out" ||
    fail "no verdict with its time on the board's clock: $(cat "$TMP/out")"
[ ! -s "$TMP/err" ] || fail "stderr not empty on a healthy board: $(cat "$TMP/err")"

finish
