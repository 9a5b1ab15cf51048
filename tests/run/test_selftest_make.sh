#!/bin/bash
# The example on-chip test suite (examples/selftest) run from its Makefile by `stprog run`
# on a virtual board of each core type: TAP through RTT, the failure count as exit status.
# With one test broken the make fails and the TAP says which.
. "$(dirname "$0")/lib.sh"
command -v arm-none-eabi-gcc >/dev/null || { fail "arm-none-eabi-gcc missing"; finish; }
ST="$STPROG_SRC/examples/selftest"
for b in f407:stm32f407vg g071:stm32g071rb f103:stm32f103c8 f767:stm32f767zi; do
    tag=${b%%:*}
    set +e
    make -s -C "$ST" BOARD="$tag" PROBE="sim:${b#*:}" BUILD="$TMP/build" STPROG="$STPROG" \
        check >"$TMP/out" 2>"$TMP/err"
    RC=$?
    set -e
    ERR=$(cat "$TMP/err")
    expect_rc 0 "$tag: make check"
    expect_out "1..5" "$tag: TAP plan"
    expect_out "ok 5 - arithmetic" "$tag: last test"
    grep -q "^not ok" "$TMP/out" && fail "$tag: a test failed: $(cat "$TMP/out")"
done
set +e
make -s -C "$ST" BOARD=f407 PROBE=sim:stm32f407vg BUILD="$TMP/broken" STPROG="$STPROG" \
    EXTRA_CFLAGS=-DSELFTEST_BREAK check >"$TMP/out" 2>"$TMP/err"
RC=$?
set -e
ERR=$(cat "$TMP/err")
[ "$RC" -ne 0 ] || fail "a broken test must fail make check"
expect_out "not ok 5 - arithmetic" "the failed test is named"
expect_out "# check failed at line" "the failed check is named"
expect_err "the firmware exited with status 1" "the failure count is the status"
finish
