#!/bin/bash
# Issue 16: `verify` against a chip that holds another program (most bytes and the vector
# table differ) is verify.different-image ("the chip holds another program"), not advice
# about worn sectors or wiring; a damaged copy of the same program (a few bytes), a blank
# chip and a worn sector stay verify.mismatch.
set -e
. "$(dirname "$0")/lib.sh"
EX="$(dirname "$STPROG")/examples"

i=0
for pair in f103:stm32f103c8 f407:stm32f407vg f767:stm32f767zi l151:stm32l151cb \
    l476:stm32l476rg g071:stm32g071rb g431:stm32g431rb; do
    fam=${pair%%:*} part=${pair#*:}
    [ -f "$EX/blinky_$fam.bin" ] || continue
    i=$((i + 1))
    st="$TMP/$part.img"
    size=$(stat -c %s "$EX/blinky_$fam.bin")
    # another program: a random image with its own vector table, the size of blinky
    head -c "$size" /dev/urandom >"$TMP/other.bin"
    run --probe "sim:$part,state=$st" write "$TMP/other.bin"
    expect_rc 0
    run --probe "sim:$part,state=$st" verify "$EX/blinky_$fam.bin" --json
    expect_rc 5
    has verify.different-image
    lacks verify.mismatch
    only "verify.different-image"
    evidence verify.different-image vector_table | grep -q 'chip SP' || fail "$WHAT: no vector table"
    advice verify.different-image | grep -q 'stprog write' || fail "$WHAT: advice"
    if advice verify.different-image | grep -qi 'worn'; then fail "$WHAT: worn-sector advice"; fi
    # the same program with every 16th byte changed: a damaged copy, a plain mismatch
    run --probe "sim:$part,state=$st" write "$EX/blinky_$fam.bin"
    expect_rc 0
    python3 -c "import sys; d=bytearray(open(sys.argv[1],'rb').read()); [d.__setitem__(k, d[k]^0x5A) for k in range(16, len(d), 16)]; open(sys.argv[2],'wb').write(d)" \
        "$EX/blinky_$fam.bin" "$TMP/damaged.bin"
    run --probe "sim:$part,state=$st" verify "$TMP/damaged.bin" --json
    expect_rc 5
    has verify.mismatch
    lacks verify.different-image
    # a blank chip: nothing was programmed, not another program
    run --probe "sim:$part" verify "$EX/blinky_$fam.bin" --json
    expect_rc 5
    lacks verify.different-image
done
[ "$i" -ge 3 ] || fail "only $i example firmwares found in $EX"
finish
