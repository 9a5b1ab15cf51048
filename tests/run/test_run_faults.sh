#!/bin/bash
# How runs end badly: a HardFault on every core type (exit 139, the faulting PC is the UDF
# in broken(), CFSR/HFSR decoded on ARMv7-M), a BKPT 0xAB with semihosting off, a firmware
# that never exits (--timeout: 124), a core that locks up (seen by `rtt`).
. "$(dirname "$0")/lib.sh"
for b in g071:stm32g071rb f103:stm32f103c8 l151:stm32l151cb f407:stm32f407vg \
         l476:stm32l476rg g431:stm32g431rb f767:stm32f767zi; do
    tag=${b%%:*}
    part=${b#*:}
    need_fw "fault_$tag"
    broken=$(fw_symbol "$EX/fault_$tag.elf" broken)
    pc=$(printf '0x%08X' $((0x$broken & ~1)))
    run --probe "sim:$part" run "$EX/fault_$tag.elf"
    expect_rc 139 "$tag: fault exit code"
    expect_out "about to execute an undefined instruction" "$tag: RTT before the fault"
    expect_err "[run.hardfault]" "$tag: finding"
    expect_err "HardFault at $pc" "$tag: the faulting pc ($pc = broken)"
    expect_err "stprog: run failed: the firmware crashed" "$tag: summary"
    run --probe "sim:$part" --json run "$EX/fault_$tag.elf"
    expect_rc 139 "$tag: fault exit code (json)"
    expect_json ".status == \"firmware-crashed\" and .run.end == \"hardfault\" and
                 .run.fault.frame.pc == $((pc)) and .findings[0].id == \"run.hardfault\"" \
        "$tag: json fault"
    if [ "$tag" = g071 ]; then
        expect_json '.run.fault.cfsr == null' "$tag: ARMv6-M has no CFSR"
    else
        # UsageFault UNDEFINSTR (CFSR bit 16) escalated: HFSR FORCED (bit 30)
        expect_json '.run.fault.cfsr == 65536 and .run.fault.hfsr == 1073741824' "$tag: CFSR"
        run --probe "sim:$part" run "$EX/fault_$tag.elf"
        expect_err "CFSR: 0x00010000 (UNDEFINSTR)" "$tag: CFSR decoded"
        expect_err "HFSR: 0x40000000 (FORCED)" "$tag: HFSR decoded"
    fi
done

# Semihosting off: the first BKPT 0xAB ends the run as a stray breakpoint.
need_fw hello_f407
run --probe sim:stm32f407vg run --no-semihosting "$EX/hello_f407.elf"
expect_rc 139 "--no-semihosting"
expect_err "the firmware stopped at BKPT 0xAB" "--no-semihosting: BKPT named"
expect_err "[run.breakpoint]" "--no-semihosting: finding"

# A firmware that never exits: --timeout on the board's clock.
need_fw ticker_f407
run --probe sim:stm32f407vg --json run --timeout 0.3 "$EX/ticker_f407.elf"
expect_rc 124 "--timeout"
expect_json '.run.end == "timeout" and .run.elapsed_seconds >= 0.3 and
             .run.elapsed_seconds < 0.4 and .findings[0].id == "run.timeout"' "timeout json"
expect_json '.stdout | test("tick 0\ntick 1\n")' "ticker output before the timeout"
run --probe sim:stm32f407vg run --timeout abc "$EX/ticker_f407.elf"
expect_rc 2 "bad --timeout"
expect_err "not a number of seconds" "bad --timeout message"

# A lockup: a HardFault vector that cannot be used. Without fault catching (`rtt`) the
# fault in the handler's fetch locks the core up. Image: SP, reset -> UDF at +8, HardFault
# vector 0xFFFFFFFF.
printf '\x00\x10\x00\x20\x09\x00\x00\x08\x00\xde\x00\xde\xff\xff\xff\xff' >"$TMP/lockup.bin"
run --probe "sim:stm32f407vg,state=$TMP/lock.state" write "$TMP/lockup.bin"
expect_rc 0 "write the lockup image"
run --probe "sim:stm32f407vg,state=$TMP/lock.state" rtt --no-rtt --timeout 1
expect_rc 139 "lockup seen by rtt"
expect_err "[run.lockup]" "lockup finding"
finish
