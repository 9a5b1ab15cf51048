#!/bin/bash
# End-to-end: the target answers WAIT past the ST-Link firmware's own retries in the middle of
# transfers (sim key swd-wait). Programming an F103 by direct half-word writes must continue
# each cut transfer at the half-word GETLASTRWSTATUS2 names: sending a transfer again from its
# start programs half-words twice, which the F1 flash controller refuses with PGERR.
set -e
. "$STPROG_SRC/tests/cli/lib.sh"
head -c 65536 /dev/urandom >"$TMP/fw.bin"
BOARD=sim:stm32f103c8,swd-wait=500,seed=7

# Direct half-word programming (no SRAM loader): every flash write is a WRITEMEM_16BIT.
run -v -v --probe "$BOARD" write --no-loader "$TMP/fw.bin"
expect_rc 0 "write --no-loader with WAIT injection"
expect_out "wrote 64 KiB from $TMP/fw.bin, verified" "write --no-loader with WAIT injection"
if grep -q "PGERR\|programming-error" "$TMP/err"; then fail "half-words programmed twice: $ERR"; fi
# The injection really cut transfers part-way, and the driver went on where they stopped.
resumed=$(grep -c "WRITEMEM_16BIT at 0x08.* answered SWD_AP_WAIT after .*; continuing at 0x08" \
    "$TMP/err" || true)
[ "$resumed" -ge 3 ] || fail "expected several resumed flash writes, saw $resumed: $ERR"
if grep -q "probe.wait-resend" "$TMP/err"; then fail "resend warning with a J15+ probe: $ERR"; fi

# The flash holds the image: a separate verify on the same board state.
run --probe "$BOARD,state=$TMP/board.state" write --no-loader "$TMP/fw.bin" -q
expect_rc 0 "write into a state file"
run --probe "sim:stm32f103c8,state=$TMP/board.state" verify "$TMP/fw.bin" --json
expect_rc 0 "verify after the WAIT-injected write"
expect_json '.status == "ok"' "verify --json"

# The SRAM flash loader path gets the same WAITs on its buffer writes and status reads.
run --probe "$BOARD" write "$TMP/fw.bin"
expect_rc 0 "write through the loader with WAIT injection"
expect_out "verified" "write through the loader with WAIT injection"
finish
