#!/bin/bash
# The virtual board's state file seen from the stprog command line: a write interrupted by
# SIGINT or SIGTERM leaves the partly written flash in the file (as a real chip keeps it),
# the file always loads afterwards; state= on a FIFO or a device is refused at once; a save
# that fails makes the command fail (sim.state-not-saved) and leaves the old file.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
cd "$TMP"
S="$TMP/board.state"
BOARD="sim:stm32f407vg,state=$S"

# 256 KiB: sectors 0-4 of the F407 (4 x 16 KiB, 64 KiB) and most of sector 5.
head -c 262144 /dev/zero >zero.bin
head -c 262144 /dev/urandom >rand.bin
head -c 16384 rand.bin >rand_s0.bin

# interrupt SIG: fills the board with zeros, starts writing rand.bin and sends SIG once a
# quarter of it is written; the process must end by the signal.
interrupt() {
    local sig=$1
    run --probe "$BOARD" write zero.bin
    expect_rc 0 "fill with zeros"
    cp "$S" before.state
    rm -f err.txt
    "$STPROG" --probe "$BOARD" write rand.bin >out.txt 2>err.txt &
    local pid=$! waited=0
    while ! grep -q "write: 25%" err.txt 2>/dev/null; do
        sleep 0.05
        waited=$((waited + 1))
        [ "$waited" -lt 2400 ] || break
    done
    kill "-$sig" "$pid"
    set +e
    wait "$pid"
    RC=$?
    set -e
    local code=$((128 + $(kill -l "$sig")))
    [ "$RC" -eq "$code" ] || fail "$sig: exit status $RC, expected $code ($(cat err.txt))"
    grep -q "interrupted" err.txt || fail "$sig: no 'interrupted' line: $(cat err.txt)"
    cmp -s before.state "$S" && fail "$sig: the state file was not saved (still the zeros)"
    [ ! -e "$S.saving" ] || fail "$sig: $S.saving left behind"
    run --probe "$BOARD" read 0x08000000 256K -o back.bin
    expect_rc 0 "$sig: the saved board loads and reads"
    cmp -s back.bin zero.bin && fail "$sig: the flash read back is still all zeros"
    cmp -s back.bin rand.bin && fail "$sig: the write was not interrupted (it finished)"
    head -c 16384 back.bin >back_s0.bin
    cmp -s back_s0.bin rand_s0.bin || fail "$sig: sector 0 (written before 25%) is not the image"
}
interrupt INT
interrupt TERM

# state= on something that is not a regular file: refused at once, nothing reported saved.
mkfifo fifo
run --probe "sim:stm32f407vg,state=$TMP/fifo" info
expect_rc 2 "state= on a FIFO"
expect_err "is a FIFO" "state= on a FIFO says so"
[ -p fifo ] || fail "the FIFO was replaced"
run --probe "sim:stm32f407vg,state=/dev/null" info
expect_rc 2 "state= on /dev/null"
expect_err "is a character device" "state= on /dev/null says so"

# A repeated key is refused.
run --probe "sim:stm32f407vg,vdd=3.3,vdd=1.6" info
expect_rc 2 "repeated key"
expect_err "vdd= is given twice" "repeated key named"

# A save that fails (files limited to 64 KiB, SIGXFSZ ignored: write(2) fails with EFBIG):
# the command fails with sim.state-not-saved, the old file stays whole.
cp "$S" keep.state
set +e
(
    trap '' XFSZ
    ulimit -f 64
    exec "$STPROG" --json --probe "$BOARD" erase --all >out.json 2>err.txt
)
RC=$?
set -e
[ "$RC" -eq 1 ] || fail "failed save: exit status $RC, expected 1 ($(cat err.txt))"
jq -e '[.findings[] | select(.id == "sim.state-not-saved")] | length == 1' out.json >/dev/null ||
    fail "failed save: no sim.state-not-saved finding: $(cat out.json)"
jq -e '.status != "ok"' out.json >/dev/null || fail "failed save: status ok: $(cat out.json)"
cmp -s keep.state "$S" || fail "failed save: the old state file changed"
[ ! -e "$S.saving" ] || fail "failed save: $S.saving left behind"
finish
