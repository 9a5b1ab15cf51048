#!/bin/bash
# stprog writing a virtual stm32l151cb through the SRAM loader's half-page bursts (RM0038
# half-page programming: 32 words, one 3.28 ms operation): the board's counters
# (STPROG_SIM_REPORT) show one program operation per half-page and a virtual time near the
# datasheet bound, far below the 8192 word writes (26.9 s) a word-by-word loader needs and
# below the direct path's half-pages over the probe (about 3.7 s for 32 KiB). Unaligned
# ranges: the partial half-pages at both ends go word by word, bytes around them survive.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
BOARD="sim:stm32l151cb,state=$TMP/board.state"
HALF_PAGE_S=0.00328 # block_program_typ_ns of the L1 rows in src/chipdb/chipdb.c

# gen FILE SIZE SEED: deterministic bytes with no all-zero word (blank on L1: skipped).
gen() {
    python3 - "$@" <<'PY'
import random, sys
r = random.Random(int(sys.argv[3]))
open(sys.argv[1], 'wb').write(bytes(r.randrange(256) | 1 for _ in range(int(sys.argv[2]))))
PY
}

# write_rep NAME ARGS...: stprog write --json with the board's report in $TMP/NAME.json.
write_rep() {
    local name=$1
    shift
    set +e
    # --freq 4000: the bounds below are for a V2 at its fastest clock (the default is 1800).
    STPROG_SIM_REPORT="$TMP/$name.json" "$STPROG" --freq 4000 --probe "$BOARD" write "$@" --json \
        >"$TMP/out" 2>"$TMP/err"
    RC=$?
    set -e
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
}
rep() { jq -r ".$2" "$TMP/$1.json"; }
# check EXPR [what]: a python boolean expression over numbers.
check() { python3 -c "import sys; sys.exit(0 if ($1) else 1)" || fail "$2 ($1)"; }

# expect_flash FILE ADDR: the board's flash at ADDR holds FILE.
expect_flash() {
    run --probe "$BOARD" read "$2" "$(stat -c %s "$1")" -o "$TMP/back.bin"
    expect_rc 0 "read back at $2"
    cmp -s "$TMP/back.bin" "$1" || fail "flash at $2 differs from $(basename "$1")"
}

# 1. 32 KiB into blank flash: 256 half-page operations by the loader, near 256 x 3.28 ms.
gen "$TMP/a.bin" 32768 1
write_rep a "$TMP/a.bin"
expect_rc 0 "write 32 KiB"
expect_json '.programmed and .verified' "32 KiB programmed and verified"
expect_json '[.findings[] | select(.severity != "info")] | length == 0' "no warnings"
[ "$(rep a flash_programs)" = 256 ] || fail "32 KiB took $(rep a flash_programs) program operations, not 256 half-pages"
[ "$(rep a core_instructions)" -gt 0 ] || fail "the loader did not run (no core instructions)"
secs=$(rep a virtual_seconds)
bound=$(python3 -c "print(256 * $HALF_PAGE_S)")
echo "32 KiB fresh: $secs virtual s (half-page bound $bound s)"
check "$secs >= $bound" "faster than the flash allows"
check "$secs < 1.25 * $bound + 0.25" "32 KiB write not near the half-page bound: $secs s"
expect_flash "$TMP/a.bin" 0x08000000

# 2. a different image over it: 128 page erases, 256 half-pages, the new contents, near
# the bound
gen "$TMP/b.bin" 32768 2
write_rep b "$TMP/b.bin"
expect_rc 0 "write a different 32 KiB"
expect_json '.verified' "second image verified"
[ "$(rep b flash_erases)" = 128 ] || fail "second image: $(rep b flash_erases) page erases, not 128"
[ "$(rep b flash_programs)" = 256 ] || fail "second image: $(rep b flash_programs) program operations, not 256"
expect_flash "$TMP/b.bin" 0x08000000
# the page erases run in the loader's ring between the half-pages, many pages to one ring
# entry (host-started erases cost about 7 ms a page over the probe, one entry per page about
# 5 ms, the loader's own erases 3.28 ms)
secs=$(rep b virtual_seconds)
bound=$(python3 -c "print((128 + 256) * $HALF_PAGE_S)")
echo "32 KiB over other data: $secs virtual s (erase + half-page bound $bound s)"
check "$secs < 1.2 * $bound + 0.1" "32 KiB write with 128 page erases not near the bound: $secs s"

# 3. 5000 bytes at 0x08001104 over it: the touched pages are erased and the bytes of the old
# image around the range restored
gen "$TMP/c.bin" 5000 3
python3 - "$TMP/b.bin" "$TMP/c.bin" "$TMP/bc.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
c = open(sys.argv[2], 'rb').read()
d[0x1104:0x1104 + len(c)] = c
open(sys.argv[3], 'wb').write(d)
PY
write_rep c "$TMP/c.bin" --addr 0x08001104
expect_rc 0 "unaligned write over data"
expect_json '.verified and .plan.restore_bytes > 0' "unaligned write restores the rest of its pages"
expect_flash "$TMP/bc.bin" 0x08000000

# 4. unaligned into blank flash (no erase, nothing to restore): 5000 bytes at 0x08010104 go
# 31 words + 38 half-pages + 3 words (loader), 1000 bytes at 0x08012104 (below the loader's
# minimum) 250 words by direct writes; the blank bytes around stay 0x00
gen "$TMP/d.bin" 5000 4
write_rep d "$TMP/d.bin" --addr 0x08010104
expect_rc 0 "unaligned 5000 bytes into blank flash"
expect_json '.verified' "unaligned 5000 bytes verified"
[ "$(rep d flash_programs)" = 72 ] || fail "5000 bytes at 0x08010104: $(rep d flash_programs) program operations, not 31 + 38 + 3"
[ "$(rep d core_instructions)" -gt 0 ] || fail "5000 bytes: the loader did not run"
gen "$TMP/e.bin" 1000 5
write_rep e "$TMP/e.bin" --addr 0x08012104
expect_rc 0 "unaligned 1000 bytes into blank flash"
expect_json '.verified' "unaligned 1000 bytes verified"
[ "$(rep e flash_programs)" = 250 ] || fail "1000 bytes: $(rep e flash_programs) program operations, not 250 words"
python3 - "$TMP/d.bin" "$TMP/e.bin" "$TMP/de.bin" <<'PY'
import sys
d = bytearray(0x3000)
a = open(sys.argv[1], 'rb').read()
b = open(sys.argv[2], 'rb').read()
d[0x104:0x104 + len(a)] = a
d[0x2104:0x2104 + len(b)] = b
open(sys.argv[3], 'wb').write(d)
PY
expect_flash "$TMP/de.bin" 0x08010000
expect_flash "$TMP/bc.bin" 0x08000000

finish
