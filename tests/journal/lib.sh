# Helpers for the journal-of-kept-bytes tests (sourced after tests/cli/lib.sh): fill a virtual
# board with random bytes, fail a write on it, run it again, and compare every byte of the
# flash with what must be there.
JDIR="$XDG_STATE_HOME/stprog"

# prefill PART STATE SIZE: a board whose whole flash holds random bytes ($STATE.fill).
prefill() {
    local part=$1 state=$2 size=$3
    head -c "$size" /dev/urandom >"$state.fill"
    rm -f "$state"
    run --probe "sim:$part,state=$state" write "$state.fill"
    expect_rc 0 "$part: filling the board"
    cp "$state" "$state.filled"
}

# journal_count: journal files in the journal directory.
journal_count() {
    find "$JDIR" -name '*.journal' 2>/dev/null | wc -l
}

# expect_flash SPEC SIZE FILL IMG ADDR WHAT: the board's whole flash read back holds IMG at
# ADDR and FILL everywhere else, compared byte by byte (the count of bytes that differ is
# in the failure message).
expect_flash() {
    local spec=$1 size=$2 fill=$3 img=$4 addr=$5 what=$6
    run --probe "$spec" read "$FLASH_BASE" "$size" -o "$TMP/back.bin"
    expect_rc 0 "$what: reading the flash back"
    local verdict
    verdict=$(python3 - "$fill" "$img" "$addr" "$FLASH_BASE" "$TMP/back.bin" <<'PY'
import sys
fill = open(sys.argv[1], 'rb').read()
img = open(sys.argv[2], 'rb').read() if sys.argv[2] != '-' else b''
off = int(sys.argv[3], 0) - int(sys.argv[4], 0)
back = open(sys.argv[5], 'rb').read()
want = bytearray(fill)
want[off:off + len(img)] = img
outside = sum(1 for i in range(len(want)) if (i < off or i >= off + len(img)) and want[i] != back[i])
inside = sum(1 for i in range(off, off + len(img)) if want[i] != back[i])
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
