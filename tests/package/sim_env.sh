#!/bin/bash
# stprog sim-env PART -- TOOL ARGS...: the environment it gives the tool (board spec, the
# shim preloaded and first as libusb-1.0.so.0, earlier values kept after), the tool's exit
# code passed through, and its errors: a bad PART, a tool that is not there, a binary
# without its shim.
set -e
. "$STPROG_SRC/tests/cli/lib.sh"
: "${STPROG_BUILD:?}"
B=$(cd "$STPROG_BUILD" && pwd -P)

show_env='printf "%s\n" "$STPROG_SIM" "$LD_PRELOAD" "$LD_LIBRARY_PATH"'
run sim-env stm32f407vg,probe=v3 -- sh -c "$show_env"
expect_rc 0 "sim-env sh"
[ "$(sed -n 1p "$TMP/out")" = "sim:stm32f407vg,probe=v3" ] || fail "STPROG_SIM: $(sed -n 1p "$TMP/out")"
[ "$(sed -n 2p "$TMP/out")" = "$B/libstprog-usbsim.so" ] || fail "LD_PRELOAD: $(sed -n 2p "$TMP/out")"
[ "$(sed -n 3p "$TMP/out")" = "$B/libusb" ] || fail "LD_LIBRARY_PATH: $(sed -n 3p "$TMP/out")"
[ "$(readlink -f "$B/libusb/libusb-1.0.so.0")" = "$B/libstprog-usbsim.so" ] ||
    fail "build/libusb/libusb-1.0.so.0 does not lead to the shim"

# A sim: prefix is taken as given; earlier LD_PRELOAD / LD_LIBRARY_PATH entries stay, after.
LD_PRELOAD=/x/other.so LD_LIBRARY_PATH=/x/lib run sim-env sim:stm32f103c8 -- sh -c "$show_env"
expect_rc 0 "sim-env with a sim: prefix"
[ "$(sed -n 1p "$TMP/out")" = "sim:stm32f103c8" ] || fail "STPROG_SIM with prefix: $(sed -n 1p "$TMP/out")"
[ "$(sed -n 2p "$TMP/out")" = "$B/libstprog-usbsim.so:/x/other.so" ] ||
    fail "LD_PRELOAD does not keep the earlier value: $(sed -n 2p "$TMP/out")"
[ "$(sed -n 3p "$TMP/out")" = "$B/libusb:/x/lib" ] ||
    fail "LD_LIBRARY_PATH does not keep the earlier value: $(sed -n 3p "$TMP/out")"

# The tool's exit code and arguments (options after -- are the tool's, not stprog's).
run sim-env stm32f407vg -- sh -c 'echo "$@"; exit 7' sh --json -v
expect_rc 7 "the tool's exit code"
expect_out "--json -v"

# st-info finds the modelled probe and chip.
if command -v st-info >/dev/null; then
    run sim-env stm32f103c8,serial=0123456789ABCDEF01234567 -- st-info --probe
    expect_rc 0 "st-info through sim-env"
    expect_out "0123456789ABCDEF01234567"
    expect_out "0x0410"
fi

# Errors.
run --json sim-env stm32f999 -- true
expect_rc 2 "an unknown part"
expect_json '.findings[0].id == "sim.spec-invalid"' "an unknown part"
run --json sim-env stm32f407vg -- /nonexistent/tool
expect_rc 2 "a tool that is not there"
expect_json '.findings[0].id == "sim.env-failed" and .findings[0].evidence.tool == "/nonexistent/tool"' \
    "a tool that is not there"
run sim-env stm32f407vg
expect_rc 2 "no tool"
expect_err "missing argument"
cp "$STPROG" "$TMP/stprog-alone"
set +e
"$TMP/stprog-alone" --json sim-env stm32f407vg -- true >"$TMP/out" 2>"$TMP/err"
RC=$?
set -e
expect_rc 1 "a binary without its shim"
expect_json '.findings[0].id == "sim.shim-missing"' "a binary without its shim"
finish
