#!/bin/bash
# A board whose independent watchdog runs while it is programmed: the hardware-watchdog
# option (wdg_sw/iwdg_sw = 0) starts it at every reset, so connecting under reset does not
# keep it off. stprog freezes it while the core is halted (DBG_IWDG_STOP) and its SRAM loader
# reloads it while it runs: a write that takes several watchdog periods succeeds and
# verifies, and the board's report shows the watchdog counted through more than three of
# its periods without a reset (without the reloads it would have reset the chip each time).
# Then firmware that starts the watchdog with a 20 ms period (reset-loop=20): a normal
# connect halts it and the write succeeds too. Each family's loader build (F1, F2/F4, F7,
# L1, L4/G0) on one part.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"

report() { jq -r ".$1" "$TMP/report.json"; }

# part, option key, image bytes
while read -r part key bytes; do
    state="$TMP/$part.state"
    run --probe "sim:$part,state=$state" option-bytes set "$key=0"
    expect_rc 0 "$part: hardware watchdog option set"
    run --probe "sim:$part,state=$state" option-bytes show --json
    expect_json ".option_bytes.fields.$key == \"0\"" "$part: $key reads back 0"
    head -c "$bytes" /dev/urandom >"$TMP/img.bin"
    STPROG_SIM_REPORT="$TMP/report.json" run --probe "sim:$part,state=$state" \
        --connect under-reset write "$TMP/img.bin" --json
    expect_rc 0 "$part: write with the hardware watchdog running"
    expect_json '.verified == true' "$part: verified"
    [ "$(report iwdg_resets)" = 0 ] || fail "$part: $(report iwdg_resets) watchdog reset(s)"
    [ "$(report iwdg_refreshes)" -gt 0 ] || fail "$part: the loader never reloaded the watchdog"
    awk -v c="$(report iwdg_counting_seconds)" -v p="$(report iwdg_period_seconds)" \
        'BEGIN { exit !(p > 0 && c > 3 * p) }' ||
        fail "$part: the watchdog counted $(report iwdg_counting_seconds) s, period $(report iwdg_period_seconds) s: not long enough to prove anything"
    run --probe "sim:$part,state=$state" --connect under-reset verify "$TMP/img.bin"
    expect_rc 0 "$part: verify in a new session"
done <<'LIST'
stm32f407vg wdg_sw 1048576
stm32f103c8 wdg_sw 65536
stm32f767zi iwdg_sw 524288
stm32l152re iwdg_sw 65536
stm32g071rb iwdg_sw 131072
LIST

# Firmware that starts the watchdog (20 ms) and never reloads it: the resets stop once the
# core is halted; the write goes through.
head -c 131072 /dev/urandom >"$TMP/img.bin"
STPROG_SIM_REPORT="$TMP/report.json" run --probe "sim:stm32f407vg,reset-loop=20" \
    write "$TMP/img.bin" --json
expect_rc 0 "write with a 20 ms firmware watchdog"
expect_json '.verified == true' "verified despite the firmware watchdog"
[ "$(report iwdg_resets)" -le 1 ] || fail "$(report iwdg_resets) watchdog resets during the write"
finish
