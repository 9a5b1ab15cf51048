#!/bin/bash
# Issue 16: doctor finds a reset loop of any period from 10 ms to 2 s by default (longer with
# --watch), on every family, by letting the firmware run and counting the resets; the
# interval it reports is the firmware's period; a healthy firmware that runs gives no alarm.
set -e
. "$(dirname "$0")/lib.sh"

# The watchdog period the firmware sets (reset-loop=MS) on each family, across the range.
i=0
for part in stm32f103c8 stm32f407vg stm32f767zi stm32l151cb stm32l476rg stm32g071rb stm32g431rb; do
    for period in 10 50 200 512 1000 2000; do
        i=$((i + 1))
        doctor "$part,reset-loop=$period,seed=$i"
        expect_rc 1
        has target.reset-loop
        only "target.reset-loop"
        [ "$(check_result resets)" = fail ] || fail "$WHAT: resets check $(check_result resets)"
        # The interval is the period, to the poll's resolution (the LSI at its typical
        # frequency, the IWDG's tick rounding: within 2 % + 2 ms).
        got=$(evidence target.reset-loop interval_ms | cut -d' ' -f1)
        [ -n "$got" ] || fail "$WHAT: no interval evidence"
        lo=$((period * 98 / 100 - 2)) hi=$((period * 102 / 100 + 2))
        [ "${got:-0}" -ge "$lo" ] && [ "${got:-0}" -le "$hi" ] ||
            fail "$WHAT: interval $got ms, expected $period"
        evidence target.reset-loop reset_flags | grep -q IWDG || fail "$WHAT: no IWDG flag"
        advice target.reset-loop | grep -q watchdog || fail "$WHAT: advice does not name it"
        # Each reset is counted: the watch saw as many as fit in its window (or enough).
        n=$(evidence target.reset-loop resets_seen | cut -d' ' -f1)
        want=$((2400 / (period + 10)))
        [ "$want" -gt 12 ] && want=12
        [ "${n:-0}" -ge "$want" ] || fail "$WHAT: $n resets counted, expected $want"
    done
done

# A period longer than the default window: not seen in 2.5 s, seen with --watch.
doctor "stm32g431rb,reset-loop=4000"
expect_rc 0
lacks target.reset-loop
doctor "stm32g431rb,reset-loop=4000" --watch 5
expect_rc 1
has target.reset-loop
evidence target.reset-loop interval_ms | grep -Eq '^(39[0-9][0-9]|40[0-9][0-9]) ' ||
    fail "$WHAT: interval $(evidence target.reset-loop interval_ms)"

# The watchdog started by the option bytes (hardware watchdog) resets a blank chip too.
run --probe "sim:stm32l476rg,state=$TMP/wdg.img" option-bytes set iwdg_sw=0
expect_rc 0
doctor "stm32l476rg,state=$TMP/wdg.img"
expect_rc 1
has target.reset-loop

# Firmware that runs and feeds nothing, resets nothing: no alarm while it runs (blinky on
# each family), and the text report says the firmware ran.
for ex in f103:stm32f103c8 f407:stm32f407vg f767:stm32f767zi l151:stm32l151cb g071:stm32g071rb; do
    elf="$(dirname "$STPROG")/examples/blinky_${ex%%:*}.elf"
    [ -f "$elf" ] || continue
    part=${ex#*:}
    run --probe "sim:$part,state=$TMP/$part.img" write "$elf"
    expect_rc 0
    doctor "$part,state=$TMP/$part.img"
    expect_rc 0
    [ -z "$(problems)" ] || fail "$WHAT: false alarm(s) on running firmware: $(problems | tr '\n' ' ')"
    jqo '.checks[] | select(.name == "resets") | .measured' | grep -q 'of the firmware running' ||
        fail "$WHAT: the resets check did not let the firmware run"
done

# --watch takes seconds; bad values are usage errors.
for bad in 0 -1 abc 1e9 ""; do
    run --probe sim:stm32f407vg doctor --watch "$bad"
    expect_rc 2
done
run --probe sim:stm32f407vg doctor --watch 0.5 --no-load-test --json
expect_rc 0
[ "$(jqo '.virtual_ms < 2000')" = true ] || fail "$WHAT: --watch 0.5 took $(jqo .virtual_ms) ms"
finish
