# Helpers for the journal-of-kept-bytes tests (sourced after tests/cli/lib.sh): fill a virtual
# board with random bytes, fail a write on it, run it again, and compare every byte of the
# flash with what must be there.
JDIR="$XDG_STATE_HOME/stprog"

# random_file PATH SIZE SEED: SIZE pseudo-random bytes, the same for the same SEED (a fault
# of the virtual board strikes at the same operation only when the bytes are the same: the
# program units holding the erased value are not written).
random_file() {
    python3 -c 'import random, sys
random.seed(sys.argv[2])
sys.stdout.buffer.write(random.randbytes(int(sys.argv[1])))' "$2" "$3" >"$1"
}

# prefill PART STATE SIZE: a board whose whole flash holds random bytes ($STATE.fill).
prefill() {
    local part=$1 state=$2 size=$3
    random_file "$state.fill" "$size" "fill-$part"
    rm -f "$state"
    run --probe "sim:$part,state=$state" write "$state.fill"
    expect_rc 0 "$part: filling the board"
    cp "$state" "$state.filled"
}

# journal_count: journal files in the journal directory.
journal_count() {
    find "$JDIR" -name '*.journal' 2>/dev/null | wc -l
}

# expect_flash SPEC SIZE FILL IMG ADDR WHAT [outside-only]: the board's whole flash read
# back holds IMG at ADDR and FILL everywhere else, compared byte by byte (the count of bytes
# that differ is in the failure message); with outside-only, the bytes under IMG are not
# compared (after `recover`, sectors the failed write's image covered whole hold whatever
# the failure left: they held nothing to keep).
expect_flash() {
    local spec=$1 size=$2 fill=$3 img=$4 addr=$5 what=$6 only=${7:-}
    run --probe "$spec" read "$FLASH_BASE" "$size" -o "$TMP/back.bin"
    expect_rc 0 "$what: reading the flash back"
    local verdict
    verdict=$(python3 - "$fill" "$img" "$addr" "$FLASH_BASE" "$TMP/back.bin" "$only" <<'PY'
import sys
fill = open(sys.argv[1], 'rb').read()
img = open(sys.argv[2], 'rb').read() if sys.argv[2] != '-' else b''
off = int(sys.argv[3], 0) - int(sys.argv[4], 0)
back = open(sys.argv[5], 'rb').read()
want = bytearray(fill)
want[off:off + len(img)] = img
outside = sum(1 for i in range(len(want)) if (i < off or i >= off + len(img)) and want[i] != back[i])
inside = 0 if sys.argv[6] == 'outside-only' else \
    sum(1 for i in range(off, off + len(img)) if want[i] != back[i])
print("ok" if len(back) == len(want) and outside == 0 and inside == 0 else
      "%d byte(s) outside the image differ from the fill, %d inside differ from the image, "
      "%d of %d bytes read" % (outside, inside, len(back), len(want)))
PY
)
    [ "$verdict" = ok ] || fail "$what: $verdict"
}

# report KEY: a counter of the board's last report ($TMP/report.json).
report() {
    jq -r ".$1" "$TMP/report.json"
}
