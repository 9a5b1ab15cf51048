#!/bin/bash
# End-to-end: the target answers WAIT past the ST-Link firmware's own retries in the middle of
# transfers (sim key swd-wait). Programming an F103 by direct half-word writes must neither
# skip a half-word nor program one twice (the F1 flash controller refuses that with PGERR),
# whatever GETLASTRWSTATUS2's address means: the model names the failing unit, the start,
# the next unit, or nothing (rw-fault-addr=). The driver verifies a cut write and writes
# only what is missing (src/probe/stlink_mem.c).
set -e
. "$STPROG_SRC/tests/cli/lib.sh"
head -c 65536 /dev/urandom >"$TMP/fw.bin"

for meaning in unit start next zero; do
    BOARD=sim:stm32f103c8,swd-wait=500,seed=7,rw-fault-addr=$meaning
    rm -f "$TMP/board.state"
    # Direct half-word programming (no SRAM loader): every flash write is a WRITEMEM_16BIT.
    run -v -v --probe "$BOARD,state=$TMP/board.state" write --no-loader "$TMP/fw.bin"
    expect_rc 0 "write --no-loader with WAIT injection ($meaning)"
    expect_out "wrote 64 KiB from $TMP/fw.bin, verified" "write --no-loader ($meaning)"
    if grep -q "PGERR\|programming-error" "$TMP/err"; then
        fail "half-words programmed twice ($meaning): $ERR"
    fi
    # The injection really cut transfers part-way, and the driver verified them.
    cut=$(grep -c "WRITEMEM_16BIT of .* answered SWD_AP_WAIT; verifying" "$TMP/err" || true)
    [ "$cut" -ge 3 ] || fail "expected several cut flash writes ($meaning), saw $cut: $ERR"
    # The flash holds the image: a separate verify on the same board state.
    run --probe "sim:stm32f103c8,state=$TMP/board.state" verify "$TMP/fw.bin" --json
    expect_rc 0 "verify after the WAIT-injected write ($meaning)"
    expect_json '.status == "ok"' "verify --json ($meaning)"
done

# The SRAM flash loader path gets the same WAITs on its buffer writes and status reads.
run --probe "sim:stm32f103c8,swd-wait=500,seed=7,rw-fault-addr=start" write "$TMP/fw.bin"
expect_rc 0 "write through the loader with WAIT injection"
expect_out "verified" "write through the loader with WAIT injection"
finish
